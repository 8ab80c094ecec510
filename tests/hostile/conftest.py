"""Fixtures of the hostile-input tests: an entity with its seal and a signer whose
certificate is installed (``concejo pki dev``), logged in on the test client."""

from __future__ import annotations

import pytest

from core.signing.devsetup import provision_dev_pki


@pytest.fixture
async def signer_session(make_tenant, client, login):
    """(tenant, user id) of a logged-in ``firmante`` with a certificate of the dev PKI."""
    tenant = await make_tenant()
    user_id = await login(client, tenant, "firmante")
    await provision_dev_pki([tenant.slug])
    return tenant, user_id
