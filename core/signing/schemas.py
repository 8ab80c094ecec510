"""Shapes of signature flows for services, the API and the events plugins react to."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

Reason = Annotated[str, msgspec.Meta(min_length=3, max_length=2000)]


class FlowIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Send a document to be signed by ``signers`` (user ids), in order or all at once.

    ``kind`` and ``reference`` are the requesting plugin's own words for what is signed
    (``"resolucion"``, its id); they come back in the completion and rejection events.
    """

    document_id: int
    signers: Annotated[list[int], msgspec.Meta(min_length=1, max_length=20)]
    mode: Literal["ordered", "parallel"] = "ordered"
    subject: Annotated[str, msgspec.Meta(max_length=300)] = ""
    kind: Annotated[str, msgspec.Meta(max_length=40)] = ""
    reference: Annotated[str, msgspec.Meta(max_length=100)] = ""


class Rejection(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class StepOut(msgspec.Struct, kw_only=True):
    id: int
    position: int
    user_id: int
    user_name: str
    state: str  # pending | signed | rejected
    reason: str
    acted_at: datetime | None
    version: int | None  # the document version this signature made


class FlowOut(msgspec.Struct, kw_only=True):
    id: int
    document_id: int
    mode: str
    state: str  # pending | completed | rejected
    subject: str
    kind: str
    reference: str
    reason: str
    created_by: str
    created_at: datetime
    finished_at: datetime | None
    steps: list[StepOut]


class PendingSignature(msgspec.Struct, kw_only=True):
    """A document waiting for this person's signature now (their turn has come)."""

    step_id: int
    flow_id: int
    document_id: int
    subject: str
    title: str
    requested_by: str
    requested_at: datetime
    position: int
    signers: int


class SignatureFlowCompleted(msgspec.Struct, frozen=True):
    """Event: every signer signed; the document's current version carries all signatures."""

    flow_id: int
    document_id: int
    kind: str
    reference: str


class SignatureFlowRejected(msgspec.Struct, frozen=True):
    """Event: a signer rejected the document; the flow stops there."""

    flow_id: int
    document_id: int
    kind: str
    reference: str
    reason: str
    rejected_by: int


class StepUpIn(msgspec.Struct, forbid_unknown_fields=True):
    """The signer's second factor at the moment of signing (TOTP code)."""

    code: str = ""
