"""Repository-wide pytest configuration: boot the session kernel with the throw-away
plugins the kernel tests use (they are enabled only in the tenants that ask for them)."""

import pytest


@pytest.fixture(scope="session")
def concejo_extra_plugins() -> list[str]:
    return ["tests.fakes.alpha", "tests.fakes.beta", "tests.fakes.citizen"]
