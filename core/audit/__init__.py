"""Append-only, hash-chained audit log per tenant (ENS op.exp.8)."""
