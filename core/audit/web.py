"""Audit log search: an entity's own (``/<tenant>/admin/auditoria``, API) and the
diputación's over every entity (``/diputacion/auditoria/``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, get
from litestar.exceptions import ValidationException
from litestar.response import Template

from core.audit.search import AuditQuery, search, tenant_ids_for
from core.tenancy.rls import cross_tenant
from core.web.pages import page, tenant_of

PERMISSION = "core.audit"


def _query(request: Request) -> AuditQuery:
    values = {k: v for k, v in request.query_params.items() if v != ""}
    try:
        return msgspec.convert(values, AuditQuery, strict=False)
    except msgspec.ValidationError as exc:
        raise ValidationException(f"Filtro no válido: {exc}") from exc


def _link(request: Request, q: AuditQuery, page_number: int) -> str:
    params = {k: v for k, v in msgspec.structs.asdict(q).items() if v not in ("", None)}
    params["page"] = page_number
    return f"{request.url.path}?{urlencode(params)}"


async def _page(request: Request, tenant_ids: list[int] | None, console: bool) -> Template:
    q = _query(request)
    rows, more = await search(tenant_ids, q)
    return await page(request, "core:audit.html", rows=rows, q=q, console=console,
                      next_link=_link(request, q, q.page + 1) if more else None,
                      prev_link=_link(request, q, q.page - 1) if q.page > 1 else None)


@get("/{tenant_slug:str}/admin/auditoria", include_in_schema=False,
     opt={"face": "staff", "permission": PERMISSION})
async def entity_audit(request: Request) -> Template:
    return await _page(request, [tenant_of(request).id], console=False)


@get("/api/v1/{tenant_slug:str}/admin/audit", tags=["audit"],
     opt={"face": "api", "permission": PERMISSION})
async def entity_audit_api(request: Request) -> dict[str, Any]:
    """Search the entity's audit log (query: actor, action, target, outcome, since, until,
    page); newest first, 50 a page."""
    rows, more = await search([tenant_of(request).id], _query(request))
    return {"entries": msgspec.to_builtins(rows), "more": more}


@get("/diputacion/auditoria/", include_in_schema=False,
     opt={"face": "console", "permission": PERMISSION})
async def console_audit(request: Request) -> Template:
    """The diputación searches every entity's chain (or one, by slug)."""
    async with cross_tenant("diputación audit search"):
        return await _page(request, await tenant_ids_for(_query(request).tenant),
                           console=True)


AUDIT_ROUTES = [entity_audit, entity_audit_api, console_audit]
