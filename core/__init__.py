"""Concejo kernel: tenants, identity, documents, signing, jobs and the plugin system."""
