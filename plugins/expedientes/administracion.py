"""Administration pages of expedientes: who signs resoluciones (the circuito de firma
«Enviar a firma» starts: the alcaldía, then the secretaría, who takes note in the libro)
and the adscripciones of the staff to units (without one, an expediente or an entrada of
a unit reaches nobody's bandeja). Both audited; a refused form names each wrong field."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.audit.log import record
from core.errors import NotFoundError
from core.signing.credentials import PERSONAL, list_credentials
from core.tenancy.context import TenantContext
from core.tenancy.services import set_plugin, units_of
from core.web.pages import actor_of, form_values, page, tenant_of
from plugins.expedientes import busqueda, services
from plugins.expedientes.api import PROCEDIMIENTOS
from plugins.expedientes.settings import settings_of

#: The circuito de firma of a resolución, in order: (settings field, label msgid).
CIRCUITO = (("alcalde", "Alcaldía (firma la resolución)"),
            ("secretario", "Secretaría (toma razón en el libro)"))


class AdminController(Controller):
    """``/<tenant>/expedientes/firmantes`` and ``/<tenant>/expedientes/adscripciones``."""

    path = "/"
    include_in_schema = False

    async def _firmantes(self, request: Request, status_code: int = 200,
                         errors: dict[str, str] | None = None,
                         typed: dict[str, str] | None = None) -> Template:
        tenant = tenant_of(request)
        staff = await services.staff(tenant)
        settings = settings_of(tenant)
        by_email = {u.email: str(u.id) for u in staff}
        current = {field: by_email.get(getattr(settings, field), "") for field, _ in CIRCUITO}
        certified = {c.user_id for c in await list_credentials(tenant)
                     if c.purpose == PERSONAL and c.active}
        return await page(request, "expedientes/firmantes.html", status_code=status_code,
                          staff=staff, circuito=CIRCUITO, chosen=typed or current,
                          certified=certified, errors=errors or {},
                          unknown=[getattr(settings, f) for f, _ in CIRCUITO
                                   if getattr(settings, f) and not current[f]])

    @get("/firmantes", name="expedientes:firmantes", opt=PROCEDIMIENTOS)
    async def firmantes(self, request: Request) -> Template:
        return await self._firmantes(request)

    @post("/firmantes", opt=PROCEDIMIENTOS)
    async def save_firmantes(self, request: Request) -> Response:
        tenant = tenant_of(request)
        typed = await form_values(request)
        emails = {str(u.id): u.email for u in await services.staff(tenant)}
        errors = {field: f"«{label}»: elija a una persona de la entidad."
                  for field, label in CIRCUITO if typed.get(field, "") not in emails}
        if not errors and typed["alcalde"] == typed["secretario"]:
            errors["secretario"] = ("«Secretaría (toma razón en el libro)»: debe ser otra "
                                    "persona que la alcaldía.")
        if errors:
            return await self._firmantes(request, 422, errors, typed)
        chosen = {field: emails[typed[field]] for field, _ in CIRCUITO}
        actor = actor_of(request).audit_name
        await set_plugin(tenant, "expedientes", True, actor=actor,
                         settings={**tenant.settings_for("expedientes"), **chosen})
        await record(tenant.id, "expedientes.firmantes", actor=actor, target="resolucion",
                     detail=chosen)
        return Redirect(f"/{tenant.slug}/expedientes/firmantes")

    async def _adscripciones(self, request: Request, status_code: int = 200,
                             errors: dict[str, str] | None = None) -> Template:
        tenant = tenant_of(request)
        staff = await services.staff(tenant)
        return await page(request, "expedientes/adscripciones.html", status_code=status_code,
                          staff=staff, units=await units_of(tenant.id), errors=errors or {},
                          adscritos={u.id: set(await busqueda.units_of_user(tenant, u.id))
                                     for u in staff})

    @get("/adscripciones", name="expedientes:adscripciones", opt=PROCEDIMIENTOS)
    async def adscripciones(self, request: Request) -> Template:
        return await self._adscripciones(request)

    @post("/adscripciones/{user_id:int}", opt=PROCEDIMIENTOS)
    async def adscribir(self, request: Request, user_id: FromPath[int]) -> Response:
        """The units one person works in (replaces the earlier ones)."""
        tenant = tenant_of(request)
        await _staff_member(tenant, user_id)
        chosen = (await request.form()).getall("units", [])
        known = {u.dir3 for u in await units_of(tenant.id)}
        if strangers := [u for u in chosen if u not in known]:
            return await self._adscripciones(request, 422, {
                f"units-{user_id}": f"«Unidades»: {', '.join(strangers)} no es una unidad de "
                                    "la entidad."})
        await services.set_adscripciones(tenant, user_id, chosen,
                                         actor=actor_of(request).audit_name)
        return Redirect(f"/{tenant.slug}/expedientes/adscripciones")


async def _staff_member(tenant: TenantContext, user_id: int) -> None:
    """404 unless the person is on the staff of this entity."""
    if user_id not in {u.id for u in await services.staff(tenant)}:
        raise NotFoundError(user_id)
