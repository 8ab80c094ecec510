"""Electronic signature: PAdES signing, signer backends, stamps, validation, flows."""
