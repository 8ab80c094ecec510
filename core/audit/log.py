"""Write and verify the audit chain.

Each entry's hash is SHA-256 over the previous hash and a canonical JSON of its fields, so
changing, deleting or reordering any row breaks the chain from that row on, and the chain's
head (``AuditHead``: last seq and hash, moved on by a trigger with every entry) shows a chain
cut short at its end; ``verify`` names the first broken link.

Appending takes two statements: one locks the tenant's head until the transaction ends and
reads where the chain ends, one inserts the entry — concurrent writers of a tenant queue on
the head row, so no seq is taken twice and every entry links to the one before.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import msgspec

from core.audit.tables import AuditEntry, AuditHead
from core.db import atomic
from core.identity.actor import Actor
from core.tenancy.rls import tenant_scope

GENESIS = "0" * 64


class Context(msgspec.Struct, frozen=True):
    """Where the current request comes from and whose behalf it acts on: every entry
    recorded during the request gets them unless the caller says otherwise."""

    ip: str = ""
    on_behalf_of: str = ""


_context: contextvars.ContextVar[Context] = contextvars.ContextVar("concejo_audit",
                                                                  default=Context())  # noqa: B039 (frozen)


def bind(ip: str = "", on_behalf_of: str = "") -> None:
    """Set the audit context of the current request (the request guard does)."""
    _context.set(Context(ip, on_behalf_of))


@contextlib.contextmanager
def isolated() -> Iterator[None]:
    """Run a request with a clean audit context, restored afterwards."""
    token = _context.set(Context())
    try:
        yield
    finally:
        _context.reset(token)


class BrokenLink(msgspec.Struct, frozen=True):
    """The first entry whose stored hash or link does not match its content."""

    tenant_id: int
    seq: int
    reason: str


def _canonical(row: dict[str, Any]) -> bytes:
    at = row["at"]
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    fields = {
        "tenant": row["tenant"],
        "seq": row["seq"],
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": row["actor"],
        "on_behalf_of": row["on_behalf_of"],
        "action": row["action"],
        "target": row["target"],
        "outcome": row["outcome"],
        "ip": row["ip"],
        "detail": row["detail"] if isinstance(row["detail"], dict) else json.loads(row["detail"]),
    }
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _digest(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(row)).hexdigest()


async def _advance(tenant_id: int) -> tuple[int, str]:
    """Lock the tenant's chain head until the transaction ends; the seq of the entry to
    append and the hash it links to (for a tenant's first entry the head is created)."""
    rows = await AuditHead.raw(
        "INSERT INTO core_audit_head (tenant, seq, hash) VALUES ({}, 1, {}) "
        "ON CONFLICT (tenant) DO UPDATE SET seq = core_audit_head.seq + 1 "
        "RETURNING seq, hash", tenant_id, GENESIS)
    return rows[0]["seq"], rows[0]["hash"]


async def record(
    tenant_id: int,
    action: str,
    *,
    actor: Actor | str,
    target: str = "",
    outcome: str = "ok",
    ip: str = "",
    on_behalf_of: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one entry to the tenant's chain (inside the caller's transaction if any).

    ``actor`` is who acts: an ``Actor`` is named by its ``audit_name`` (a token with its
    label) and brings its ``on_behalf_of`` (a support access); a string names the system
    or a caller that has only a name. ``ip`` and ``on_behalf_of`` default to the current
    request's (``bind``)."""
    context = _context.get()
    if isinstance(actor, Actor):
        on_behalf_of = on_behalf_of or actor.on_behalf_of
        actor = actor.audit_name
    async with tenant_scope(tenant_id), atomic():
        seq, prev = await _advance(tenant_id)
        row = {
            "tenant": tenant_id,
            "seq": seq,
            "at": datetime.now(UTC),
            "actor": actor[:200],
            "on_behalf_of": (on_behalf_of or context.on_behalf_of)[:200],
            "action": action,
            "target": target[:200],
            "outcome": outcome,
            "ip": ip or context.ip,
            "detail": detail or {},
        }
        await AuditEntry.insert(
            AuditEntry(**row, prev_hash=prev, hash=_digest(prev, row))
        )


async def verify(tenant_id: int) -> BrokenLink | None:
    """Walk one tenant's chain to its head; return the first broken link, or None when
    intact."""
    prev = GENESIS
    expected_seq = 1
    async with tenant_scope(tenant_id):
        rows = await AuditEntry.select().where(AuditEntry.tenant == tenant_id).order_by(
            AuditEntry.seq)
        head = await AuditHead.select(AuditHead.seq, AuditHead.hash).where(
            AuditHead.tenant == tenant_id).first() or {"seq": 0, "hash": GENESIS}
    for row in rows:
        if row["seq"] != expected_seq:
            return BrokenLink(tenant_id, expected_seq, f"entry {expected_seq} is missing")
        if row["prev_hash"] != prev:
            return BrokenLink(tenant_id, row["seq"], "does not link to the previous entry")
        if _digest(prev, row) != row["hash"]:
            return BrokenLink(tenant_id, row["seq"], "content does not match its hash")
        prev = row["hash"]
        expected_seq += 1
    if head["seq"] > expected_seq - 1:
        return BrokenLink(tenant_id, expected_seq,
                          f"entries {expected_seq} to {head['seq']} are missing at the end")
    if (head["seq"], head["hash"]) != (expected_seq - 1, prev):
        return BrokenLink(tenant_id, expected_seq - 1,
                          "the chain's head does not match its last entry")
    return None
