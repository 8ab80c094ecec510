"""Tables behind the job system: the transactional outbox and the done-message ledger."""
