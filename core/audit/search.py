"""Searching the audit log: an entity's staff search their chain, the diputación all."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import msgspec

from core.audit.tables import AuditEntry
from core.db import engine
from core.tenancy.tables import Tenant

PAGE_SIZE = 50


class AuditQuery(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Filters; text filters match anywhere in the field, case-insensitively."""

    actor: str = ""
    action: str = ""
    target: str = ""
    outcome: str = ""  # ok | denied | failed
    since: date | None = None
    until: date | None = None
    tenant: str = ""  # diputación only: one entity's slug
    page: int = 1


class AuditRow(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str
    seq: int
    at: datetime
    actor: str
    on_behalf_of: str
    action: str
    target: str
    outcome: str
    ip: str
    detail: dict[str, Any]


def _where(tenant_ids: list[int] | None, q: AuditQuery) -> Any:
    where = AuditEntry.id > 0
    if tenant_ids is not None:
        where &= AuditEntry.tenant.is_in(tenant_ids or [0])
    postgres = engine().engine_type == "postgres"  # SQLite's LIKE ignores case already
    for column, text in ((AuditEntry.actor, q.actor), (AuditEntry.action, q.action),
                         (AuditEntry.target, q.target)):
        if text:
            pattern = f"%{text.strip()}%"
            where &= column.ilike(pattern) if postgres else column.like(pattern)
    if q.outcome:
        where &= AuditEntry.outcome == q.outcome
    if q.since:
        where &= AuditEntry.at >= datetime.combine(q.since, time.min, tzinfo=UTC)
    if q.until:
        where &= AuditEntry.at < datetime.combine(q.until + timedelta(days=1), time.min,
                                                  tzinfo=UTC)
    return where


async def search(tenant_ids: list[int] | None, q: AuditQuery) -> tuple[list[AuditRow], bool]:
    """A page of matching entries, newest first, and whether more follow.
    ``tenant_ids=None`` searches every chain (the diputación)."""
    page = max(q.page, 1)
    rows = await AuditEntry.select(
        AuditEntry.all_columns(), AuditEntry.tenant.slug.as_alias("tenant_slug")
    ).where(_where(tenant_ids, q)).order_by(AuditEntry.at, ascending=False).order_by(
        AuditEntry.id, ascending=False).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    found = [AuditRow(tenant=r["tenant_slug"], seq=r["seq"], at=r["at"], actor=r["actor"],
                      on_behalf_of=r["on_behalf_of"], action=r["action"], target=r["target"],
                      outcome=r["outcome"], ip=r["ip"],
                      detail=msgspec.json.decode(r["detail"]) if isinstance(r["detail"], str)
                      else r["detail"]) for r in rows[:PAGE_SIZE]]
    return found, len(rows) > PAGE_SIZE


async def tenant_ids_for(slug: str) -> list[int] | None:
    """The diputación's filter by entity: None (all) for no slug."""
    if not slug:
        return None
    row = await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
    return [row["id"]] if row else []
