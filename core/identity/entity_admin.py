"""Pages of an entity's administration under ``/<tenant>/admin/…``: its staff (add a
person with a role, give and withdraw roles, withdraw the person), its units and registry
offices (DIR3), and its seal and certificates (state, expiry; install a PKCS#12 with its
password; the step-up asked for at signing).

A refused form comes back with every wrong field named (``errors``: field → message) and
everything typed kept (``typed``); every change is audited by the service it calls.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.identity import members
from core.identity import permissions as perms
from core.identity.actor import ROLE_LABELS
from core.identity.reset import request_reset
from core.mail import MailError
from core.signing import stepup
from core.signing.credentials import (
    PERSONAL,
    SEAL,
    InvalidCredential,
    install_pkcs12,
    list_credentials,
)
from core.tenancy.services import create_unit, units_of
from core.web.pages import actor_of, form_values, page, tenant_of

STAFF = "/{tenant_slug:str}/admin"
_OPT = {"face": "staff", "permission": perms.ROLES.name}
P12_MAX_BYTES = 1_000_000


def _base(request: Request) -> str:
    return f"/{tenant_of(request).slug}/admin"


# -- staff ------------------------------------------------------------------------------

async def _users_page(request: Request, status_code: int = 200, **context: Any) -> Template:
    context.setdefault("errors", {})
    context.setdefault("typed", {})
    return await page(request, "core:admin_users.html", status_code=status_code,
                      members=await members.members(tenant_of(request).id),
                      roles=members.ENTITY_ROLES, labels=ROLE_LABELS, **context)


@get(f"{STAFF}/usuarios", include_in_schema=False, opt=_OPT)
async def users_page(request: Request) -> Template:
    return await _users_page(request)


@post(f"{STAFF}/usuarios", include_in_schema=False, opt=_OPT)
async def user_add(request: Request) -> Response:
    """Add a person with a role; a new account is invited by e-mail to set its password."""
    typed = await form_values(request)
    tenant = tenant_of(request)
    try:
        user_id, is_new = await members.add_member(
            tenant.id, typed.get("email", ""), typed.get("name", ""), typed.get("role", ""),
            actor=actor_of(request).audit_name)
    except members.MemberRefused as exc:
        return await _users_page(request, 422, errors=exc.fields, typed=typed)
    invited = "no"
    if is_new:
        try:
            await request_reset(typed["email"])
            invited = "si"
        except MailError:
            invited = "fallo"
    return Redirect(f"{_base(request)}/usuarios/{user_id}?invitado={invited}")


async def _member_page(request: Request, user_id: int, status_code: int = 200,
                       errors: dict[str, str] | None = None) -> Template:
    tenant = tenant_of(request)
    return await page(request, "core:admin_user.html", status_code=status_code,
                      member=await members.member(tenant.id, user_id),
                      roles=members.ENTITY_ROLES, labels=ROLE_LABELS, errors=errors or {},
                      invited=request.query_params.get("invitado"))


@get(f"{STAFF}/usuarios/{{user_id:int}}", include_in_schema=False, opt=_OPT)
async def member_page(request: Request, user_id: FromPath[int]) -> Template:
    return await _member_page(request, user_id)


async def _change(request: Request, user_id: int, action: Any) -> Response:
    try:
        await action((await form_values(request)).get("role", ""))
    except members.MemberRefused as exc:
        return await _member_page(request, user_id, 422, exc.fields)
    return Redirect(f"{_base(request)}/usuarios/{user_id}")


@post(f"{STAFF}/usuarios/{{user_id:int}}/roles", include_in_schema=False, opt=_OPT)
async def member_role_add(request: Request, user_id: FromPath[int]) -> Response:
    tenant, actor = tenant_of(request), actor_of(request).audit_name
    return await _change(request, user_id, lambda role: members.give_role(
        tenant.id, user_id, role, actor=actor))


@post(f"{STAFF}/usuarios/{{user_id:int}}/retirar", include_in_schema=False, opt=_OPT)
async def member_withdraw(request: Request, user_id: FromPath[int]) -> Response:
    """Withdraw one role (``role``) or, with ``role=todos``, the person from the staff."""
    tenant, actor = tenant_of(request), actor_of(request).audit_name
    everything = (await form_values(request)).get("role") == "todos"
    response = await _change(request, user_id, lambda role: members.withdraw(
        tenant.id, user_id, None if everything else [role], actor=actor))
    if everything and isinstance(response, Redirect):
        return Redirect(f"{_base(request)}/usuarios")
    return response


# -- units ------------------------------------------------------------------------------

async def _units_page(request: Request, status_code: int = 200,
                      errors: dict[str, str] | None = None,
                      typed: dict[str, str] | None = None) -> Template:
    return await page(request, "core:admin_units.html", status_code=status_code,
                      units=await units_of(tenant_of(request).id), errors=errors or {},
                      typed=typed or {})


@get(f"{STAFF}/unidades", include_in_schema=False, opt=_OPT)
async def units_page(request: Request) -> Template:
    return await _units_page(request)


@post(f"{STAFF}/unidades", include_in_schema=False, opt=_OPT)
async def unit_add(request: Request) -> Response:
    typed = await form_values(request)
    wrong = await create_unit(tenant_of(request), dir3=typed.get("dir3", ""),
                              name=typed.get("name", ""), is_office=typed.get("is_office") == "si",
                              parent_dir3=typed.get("parent_dir3", ""),
                              actor=actor_of(request).audit_name)
    if wrong:
        return await _units_page(request, 422, wrong, typed)
    return Redirect(f"{_base(request)}/unidades")


# -- seal and certificates --------------------------------------------------------------

async def _certificates_page(request: Request, status_code: int = 200,
                             errors: dict[str, str] | None = None,
                             typed: dict[str, str] | None = None) -> Template:
    tenant = tenant_of(request)
    people = await members.members(tenant.id)
    return await page(request, "core:admin_certificates.html", status_code=status_code,
                      credentials=await list_credentials(tenant), now=datetime.now(UTC),
                      names={m.id: m.name for m in people}, people=people,
                      step_up=await stepup.step_up_on(tenant), errors=errors or {},
                      typed=typed or {}, installed=request.query_params.get("instalado"))


@get(f"{STAFF}/certificados", include_in_schema=False, opt=_OPT)
async def certificates_page(request: Request) -> Template:
    return await _certificates_page(request)


def _owner(typed: dict[str, str], people: set[int]) -> tuple[str, int | None] | None:
    """(purpose, user id) chosen in the form: ``sello`` or a person's id."""
    choice = typed.get("owner", "")
    if choice == "sello":
        return SEAL, None
    if choice.isdigit() and int(choice) in people:
        return PERSONAL, int(choice)
    return None


@post(f"{STAFF}/certificados", include_in_schema=False, opt=_OPT,
      request_max_body_size=P12_MAX_BYTES + 64_000)
async def certificate_install(request: Request) -> Response:
    """Install a PKCS#12 (the seal, or a person's certificate) with its password."""
    tenant = tenant_of(request)
    form = await request.form()
    typed = {k: v for k, v in (await form_values(request)).items() if k != "password"}
    owner = _owner(typed, {m.id for m in await members.members(tenant.id)})
    upload = form.get("pkcs12")
    wrong: dict[str, str] = {}
    if owner is None:
        wrong["owner"] = "«Titular» debe ser el sello de la entidad o una persona de ella."
    data = await upload.read() if isinstance(upload, UploadFile) else b""
    if not data:
        wrong["pkcs12"] = "«Fichero PKCS#12 (.p12, .pfx)» es obligatorio."
    elif len(data) > P12_MAX_BYTES:
        wrong["pkcs12"] = "«Fichero PKCS#12 (.p12, .pfx)» es demasiado grande."
    if not wrong and owner is not None:
        try:
            await install_pkcs12(tenant, pkcs12=data, password=str(form.get("password", ""))
                                 .encode(), purpose=owner[0], user_id=owner[1],
                                 actor=actor_of(request).audit_name)
        except InvalidCredential as exc:
            wrong["password"] = (f"«Contraseña del fichero»: el fichero no se abre con ella o "
                                 f"no es un certificado válido ({exc}).")
    if wrong:
        return await _certificates_page(request, 422, wrong, typed)
    return Redirect(f"{_base(request)}/certificados?instalado=si")


@post(f"{STAFF}/certificados/politica", include_in_schema=False, opt=_OPT)
async def signing_policy(request: Request) -> Redirect:
    """Ask (or stop asking) for a second factor at every signature."""
    on = (await form_values(request)).get("step_up") == "si"
    await stepup.set_step_up(tenant_of(request), on, actor=actor_of(request).audit_name)
    return Redirect(f"{_base(request)}/certificados")


ENTITY_ADMIN_ROUTES: list[Any] = [
    users_page, user_add, member_page, member_role_add, member_withdraw, units_page, unit_add,
    certificates_page, certificate_install, signing_policy]
