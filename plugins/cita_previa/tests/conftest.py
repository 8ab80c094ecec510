"""Fixtures of the cita previa tests: a real SMTP server and a configured entity."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from functools import partial
from typing import Any

import pytest

from plugins.cita_previa.tests.helpers import Inbox, Setup, setup_entity, smtp_inbox


@pytest.fixture
def inbox(concejo_kernel: Any) -> Iterator[Inbox]:
    """Mail really sent to an SMTP server on loopback (see ``helpers.smtp_inbox``)."""
    with smtp_inbox(concejo_kernel.settings) as box:
        yield box


@pytest.fixture
def cita_tenant(make_tenant: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Setup]]:
    """``await cita_tenant(settings, capacity=...)``: see ``helpers.setup_entity``."""
    return partial(setup_entity, make_tenant)
