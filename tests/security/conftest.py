"""Fixtures of the security tests: the registro's entities (the forged-job tests use them)."""

from plugins.registro.tests.conftest import make_entity, staff  # noqa: F401
