"""Tenancy: entities (tenants), their units and offices (DIR3), per-tenant module sets."""
