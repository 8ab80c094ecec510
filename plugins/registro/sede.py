"""The sede's instancia general: an identified citizen presents a free request (expone /
solicita + documents), which becomes an entrada; the justificante is handed back on the
sede and listed in the citizen's carpeta ciudadana."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.errors import DomainError, FieldError, InvalidInput, NotFoundError
from core.identity.actor import Actor
from core.tenancy.context import TenantContext
from core.tenancy.scoped import scoped
from core.web.carpeta import CarpetaItem, CarpetaLink, CarpetaSection
from core.web.i18n import N_
from core.web.i18n import gettext as _
from core.web.pages import actor_of, chosen_files, form_values, page, tenant_of
from plugins.registro import forms, justificante, personas, services
from plugins.registro.controllers import download
from plugins.registro.schemas import InteresadoIn, Persona
from plugins.registro.tables import Asiento, Interesado

#: the instancia's labels where the asiento's schema names a field otherwise
_SEDE_TITLES = {"extracto": "Asunto"}
#: what the citizen must tell, and how the page asks for it when missing
_TOLD = {"expone": N_("«Expone» es obligatorio: diga qué expone."),
         "solicita": N_("«Solicita» es obligatorio: diga qué solicita.")}


def citizen_of(request: Request) -> Actor:
    """The identified citizen of a sede request (401 for nobody, 403 for staff)."""
    actor = actor_of(request)
    if not actor.is_authenticated:
        raise NotAuthorizedException("Identifíquese para presentar una instancia")
    if actor.kind != "citizen":
        raise PermissionDeniedException("La instancia general es para la ciudadanía")
    return actor


def split_name(full: str) -> dict[str, str]:
    """"José María Peña Muñoz" → name + two surnames (the citizen may correct them)."""
    words = full.split()
    if len(words) <= 1:
        return {"name": full.strip(), "first_surname": "", "second_surname": ""}
    if len(words) == 2:
        return {"name": words[0], "first_surname": words[1], "second_surname": ""}
    return {"name": " ".join(words[:-2]), "first_surname": words[-2],
            "second_surname": words[-1]}


def interesado_for(actor: Actor, own: dict[str, str]) -> InteresadoIn:
    """The citizen as interesado, or, acting for someone, that someone represented by the
    citizen; ``own`` holds the citizen's own (corrected) name and contact fields."""
    me = Persona(document=actor.nif, **own)
    if not actor.acting_for or actor.acting_for == actor.nif:
        return InteresadoIn(**{f: getattr(me, f) for f in Persona.__struct_fields__})
    represented = ({"business_name": actor.acting_for_name[:80]}
                   if personas.detect_type(actor.acting_for) == "C"
                   else split_name(actor.acting_for_name))
    return InteresadoIn(document=actor.acting_for, representante=me, **represented)


async def asientos_of(tenant: TenantContext, actor: Actor) -> list[dict[str, Any]]:
    """The entradas the citizen presented or in which they are an interesado."""
    nifs = sorted({actor.nif, actor.subject_nif} - {""})
    where = scoped(Asiento, tenant) & (Asiento.direction == "entrada") & (
        Asiento.presenter.is_in(nifs) | Asiento.id.is_in(
            Interesado.select(Interesado.asiento).where(
                (Interesado.tenant == tenant.id) & Interesado.document.is_in(nifs))))
    return await Asiento.select(*services.SUMMARY_COLUMNS, Asiento.justificante_sha256
                                ).where(where).order_by(Asiento.id, ascending=False).limit(200)


async def citizen_asiento(tenant: TenantContext, actor: Actor, asiento_id: int) -> Any:
    """One of the citizen's entradas (404 for anyone else's)."""
    if asiento_id not in {r["id"] for r in await asientos_of(tenant, actor)}:
        raise NotFoundError(asiento_id)
    return await services.get(tenant, asiento_id)


class SedeController(Controller):
    """``/sede/<tenant>/registro/…``."""

    path = "/"
    include_in_schema = False

    async def _form(self, request: Request, values: dict[str, str],
                    error: DomainError | None = None, status_code: int = 200,
                    chosen: dict[str, list[str]] | None = None) -> Template:
        tenant = tenant_of(request)
        units = {code: u for code, u in (await services.units_of(tenant)).items()
                 if not u["is_office"]}
        return await page(request, "registro/sede_instancia.html", values=values,
                          error=error, units=units, status_code=status_code,
                          chosen=chosen or {})

    @get("/instancia", name="registro:instancia")
    async def form(self, request: Request) -> Template:
        actor = citizen_of(request)
        parts = split_name(actor.name)
        return await self._form(request, {"nombre": parts["name"],
                                          "apellido1": parts["first_surname"],
                                          "apellido2": parts["second_surname"]})

    @post("/instancia")
    async def present(self, request: Request) -> Response:
        actor, tenant = citizen_of(request), tenant_of(request)
        values, form = await form_values(request), await request.form()
        files = [f for f in form.getall("anexos", []) if isinstance(f, UploadFile)]
        own = {ours: values.get(field, "").strip() for field, ours in forms.PERSON_FIELDS.items()
               if field not in ("documento", "razon_social")}
        try:
            data = forms.asiento_from({**values, "direction": "entrada"},
                                      await forms.anexos_from(files, ""), _SEDE_TITLES)
            data = msgspec.structs.replace(
                data, interesados=[interesado_for(actor, own)], oficina="", unidad_origen="",
                documentacion_fisica="3")
            if missing := [FieldError(f, _(m)) for f, m in _TOLD.items()
                           if not getattr(data, f).strip()]:
                raise InvalidInput(_("Indique qué expone y qué solicita"), missing)
            asiento = await services.register(tenant, data, channel="sede",
                                              actor=actor.audit_name, presenter=actor.nif)
        except DomainError as exc:
            return await self._form(request, values, error=exc, status_code=422,
                                    chosen=chosen_files(form))
        return Redirect(f"/sede/{tenant.slug}/registro/justificantes/{asiento.id}")

    @get("/justificantes/{asiento_id:int}", name="registro:sede-justificante")
    async def receipt(self, request: Request, asiento_id: FromPath[int]) -> Template:
        tenant, actor = tenant_of(request), citizen_of(request)
        asiento = await citizen_asiento(tenant, actor, asiento_id)
        return await page(request, "registro/sede_justificante.html", asiento=asiento)

    @get("/justificantes/{asiento_id:int}/pdf")
    async def receipt_pdf(self, request: Request, asiento_id: FromPath[int]) -> Response:
        tenant, actor = tenant_of(request), citizen_of(request)
        await citizen_asiento(tenant, actor, asiento_id)
        name, data = await justificante.download(tenant, asiento_id)
        return download(name, data, "application/pdf")


async def carpeta_section(tenant: TenantContext, actor: Actor) -> CarpetaSection:
    """The citizen's entradas with their justificantes, for the carpeta ciudadana."""
    base = f"/sede/{tenant.slug}/registro/justificantes"
    items = tuple(CarpetaItem(
        title=row["extracto"], url=f"{base}/{row['id']}", when=row["received_at"],
        state=_("Anulado") if row["state"] == "anulado" else _("Registrado"),
        detail=_("Número de registro %(numero)s") % {
            "numero": services.numero(row["year"], row["direction"], row["number"])},
        links=(CarpetaLink(_("Justificante"), f"{base}/{row['id']}/pdf"),)
        if row["justificante_sha256"] else ())
        for row in await asientos_of(tenant, actor))
    return CarpetaSection(key="registros", title=_("Mis registros"), items=items, order=10,
                          empty=_("No ha presentado escritos en el registro."))
