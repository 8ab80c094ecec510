"""Domain error bases every plugin uses; the web layer maps them to 404 and 422."""


class NotFoundError(LookupError):
    """No such object in this tenant (also what another tenant's id gets)."""


class DomainError(ValueError):
    """A request that breaks a domain rule; the message says which, for a person."""
