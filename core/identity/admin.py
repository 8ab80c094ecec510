"""Entity administration of identity: role permissions, API tokens, support accesses,
apoderamientos — staff pages under ``/<tenant>/admin/…`` and the same in the JSON API;
the diputación's support desk at ``/diputacion/soporte/``; the citizen's choice of whom
to act for at ``/sede/<tenant>/representacion``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import msgspec
from litestar import Request, Response, get, post, put
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.params import FromPath, JSONBody, URLEncodedBody
from litestar.response import Redirect, Template

from core import kernel as _kernel
from core.identity import permissions as perms
from core.identity import sessions, support, tokens
from core.identity.actor import ROLE_LABELS
from core.identity.citizens import act_for, choices, register_apoderamiento
from core.identity.sessions import SESSION_COOKIE
from core.tenancy.context import tenant_by_slug
from core.tenancy.tables import Tenant
from core.web.pages import actor_of, page, tenant_of

STAFF = "/{tenant_slug:str}/admin"
API = "/api/v1/{tenant_slug:str}/admin"
_STAFF = {"face": "staff"}


def _opt(permission: str, face: str = "staff") -> dict[str, str]:
    return {"face": face, "permission": permission}


# -- role permissions -------------------------------------------------------------------

class RoleChange(msgspec.Struct, forbid_unknown_fields=True):
    """``granted``: true grants, false withdraws, null restores the built-in default."""

    granted: bool | None


@get(f"{STAFF}/roles", include_in_schema=False, opt=_opt(perms.ROLES.name))
async def roles_page(request: Request) -> Template:
    tenant = tenant_of(request)
    return await page(request, "core:admin_roles.html", labels=ROLE_LABELS,
                      matrix=await perms.role_matrix(tenant.id),
                      permissions=_kernel.current().permissions)


class RoleForm(msgspec.Struct):
    role: str
    permission: str
    granted: Literal["yes", "no", "default"]


@post(f"{STAFF}/roles", include_in_schema=False, opt=_opt(perms.ROLES.name))
async def roles_submit(request: Request, data: URLEncodedBody[RoleForm]) -> Redirect:
    tenant = tenant_of(request)
    granted = {"yes": True, "no": False, "default": None}[data.granted]
    await perms.adjust_role(tenant.id, data.role, data.permission, granted,
                            actor=actor_of(request).audit_name)
    return Redirect(f"/{tenant.slug}/admin/roles")


@get(f"{API}/roles", tags=["identity"], opt=_opt(perms.ROLES.name, "api"))
async def roles_api(request: Request) -> dict[str, dict[str, bool]]:
    """Every built-in role with each adjustable permission and whether it holds it here."""
    return await perms.role_matrix(tenant_of(request).id)


@put(f"{API}/roles/{{role:str}}/{{permission:str}}", tags=["identity"], status_code=200,
     opt=_opt(perms.ROLES.name, "api"))
async def role_change_api(request: Request, role: FromPath[str], permission: FromPath[str],
                          data: JSONBody[RoleChange]) -> dict[str, bool]:
    """Adjust one permission of a role in this entity."""
    tenant = tenant_of(request)
    await perms.adjust_role(tenant.id, role, permission, data.granted,
                            actor=actor_of(request).audit_name)
    return (await perms.role_matrix(tenant.id))[role]


# -- API tokens -------------------------------------------------------------------------

class NewToken(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    scopes: list[str]
    days: int = 90


class CreatedToken(msgspec.Struct):
    """The secret is shown only in this answer."""

    token: str
    info: tokens.TokenInfo


async def _create_token(request: Request, data: NewToken) -> CreatedToken:
    if data.days < 1:
        raise tokens.TokenError("La validez del token debe ser de al menos un día")
    secret, info = await tokens.create(tenant_of(request).id, actor_of(request), data.name,
                                       data.scopes, timedelta(days=min(data.days, 366)))
    return CreatedToken(token=secret, info=info)


@get(f"{STAFF}/tokens", include_in_schema=False, opt=_opt(perms.TOKENS.name))
async def tokens_page(request: Request) -> Template:
    return await page(request, "core:admin_tokens.html", created=None,
                      tokens=await tokens.listed(tenant_of(request).id),
                      scopes=sorted(actor_of(request).permissions))


@post(f"{STAFF}/tokens", include_in_schema=False, opt=_opt(perms.TOKENS.name))
async def tokens_submit(request: Request) -> Template:
    form = await request.form()
    data = NewToken(name=form.get("name", ""), scopes=form.getall("scopes", []),
                    days=int(form.get("days") or 90))
    created = await _create_token(request, data)
    return await page(request, "core:admin_tokens.html", status_code=201, created=created,
                      tokens=await tokens.listed(tenant_of(request).id),
                      scopes=sorted(actor_of(request).permissions))


@post(f"{STAFF}/tokens/{{token_id:int}}/revocar", include_in_schema=False,
      opt=_opt(perms.TOKENS.name))
async def token_revoke(request: Request, token_id: FromPath[int]) -> Redirect:
    tenant = tenant_of(request)
    await tokens.revoke(tenant.id, token_id, actor=actor_of(request).audit_name)
    return Redirect(f"/{tenant.slug}/admin/tokens")


@get(f"{API}/tokens", tags=["identity"], opt=_opt(perms.TOKENS.name, "api"))
async def tokens_api(request: Request) -> list[tokens.TokenInfo]:
    """The entity's API tokens (never their secrets)."""
    return await tokens.listed(tenant_of(request).id)


@post(f"{API}/tokens", tags=["identity"], opt=_opt(perms.TOKENS.name, "api"))
async def token_create_api(request: Request, data: JSONBody[NewToken]) -> CreatedToken:
    """Create a token with some of your own permissions; its secret is in this answer only."""
    return await _create_token(request, data)


@post(f"{API}/tokens/{{token_id:int}}/revoke", tags=["identity"], status_code=204,
      opt=_opt(perms.TOKENS.name, "api"))
async def token_revoke_api(request: Request, token_id: FromPath[int]) -> None:
    await tokens.revoke(tenant_of(request).id, token_id, actor=actor_of(request).audit_name)


# -- support accesses -------------------------------------------------------------------

@get(f"{STAFF}/soporte", include_in_schema=False, opt=_opt(perms.VIEW.name))
async def support_page(request: Request) -> Template:
    """The entity sees every support access the diputación opened in it."""
    return await page(request, "core:admin_support.html", now=datetime.now(UTC),
                      accesses=await support.accesses(tenant_of(request).id))


@post(f"{STAFF}/soporte/{{access_id:int}}/cerrar", include_in_schema=False,
      opt=_opt(perms.VIEW.name))
async def support_close(request: Request, access_id: FromPath[int]) -> Redirect:
    """The holder, or the entity's administration, ends an access now."""
    tenant, actor = tenant_of(request), actor_of(request)
    found = await support.accesses(tenant.id, access_id=access_id)
    if not found:
        raise support.AccessNotFound(access_id)
    if found[0].user_email != actor.email and not actor.can(perms.ROLES.name):
        raise PermissionDeniedException("Solo quien la abrió o la administración la cierran")
    await support.close_access(tenant.id, access_id, actor=actor.audit_name)
    return Redirect(f"/{tenant.slug}/admin/soporte")


class SupportForm(msgspec.Struct):
    tenant: str
    reason: str
    hours: float = 2


@get("/diputacion/soporte/", include_in_schema=False, opt=_opt(perms.SUPPORT.name, "console"))
async def support_desk(request: Request) -> Template:
    rows = await Tenant.select(Tenant.slug, Tenant.name).order_by(Tenant.name)
    return await page(request, "core:console_support.html", tenants=rows, error=None)


@post("/diputacion/soporte/", include_in_schema=False,
      opt=_opt(perms.SUPPORT.name, "console"))
async def support_open(request: Request, data: URLEncodedBody[SupportForm]) -> Response:
    """Open a time-boxed access to an entity with a reason, then go there."""
    actor = actor_of(request)
    tenant = await tenant_by_slug(data.tenant)
    if tenant is None:
        raise support.AccessNotFound(data.tenant)
    await support.open_access(tenant.id, actor.user_id, data.reason,
                              timedelta(hours=data.hours), actor=actor.audit_name)
    return Redirect(f"/{tenant.slug}/")


# -- apoderamientos and the citizen's representation -------------------------------------

class Apoderamiento(msgspec.Struct, forbid_unknown_fields=True):
    representative_nif: str
    represented_nif: str
    represented_name: str
    valid_until: date | None = None


@post(f"{API}/apoderamientos", tags=["identity"], status_code=201,
      opt=_opt(perms.REPRESENTATIONS.name, "api"))
async def apoderamiento_api(request: Request, data: JSONBody[Apoderamiento]) -> dict[str, str]:
    """Register that a person may act for another person or a company in this entity."""
    await register_apoderamiento(tenant_of(request).id, data.representative_nif,
                                 data.represented_nif, data.represented_name,
                                 data.valid_until, actor=actor_of(request).audit_name)
    return {"status": "registrado"}


async def _citizen_session(request: Request) -> tuple[str, sessions.LiveSession]:
    token = request.cookies.get(SESSION_COOKIE, "")
    session = await sessions.load(token, touch=False)
    if session is None or session.kind != "citizen" or session.state != "active":
        raise NotAuthorizedException("Identifíquese primero")
    return token, session


@get("/sede/{tenant_slug:str}/representacion", include_in_schema=False, opt={"face": "sede"})
async def representation_page(request: Request) -> Template:
    _, session = await _citizen_session(request)
    return await page(request, "core:sede_representation.html",
                      options=await choices(session, tenant_of(request).id))


class ActForForm(msgspec.Struct):
    nif: str = ""


@post("/sede/{tenant_slug:str}/representacion", include_in_schema=False, opt={"face": "sede"})
async def representation_submit(request: Request, data: URLEncodedBody[ActForForm]
                                ) -> Redirect:
    """Act for a represented person or company ("" = for oneself); audited."""
    token, session = await _citizen_session(request)
    tenant = tenant_of(request)
    await act_for(token, session, tenant.id, data.nif)
    return Redirect(f"/sede/{tenant.slug}/representacion")


ADMIN_ROUTES: list[Any] = [
    roles_page, roles_submit, roles_api, role_change_api, tokens_page, tokens_submit,
    token_revoke, tokens_api, token_create_api, token_revoke_api, support_page, support_close,
    support_desk, support_open, apoderamiento_api, representation_page, representation_submit]
