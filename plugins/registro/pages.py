"""Staff pages of the registro (``/<tenant>/registro/…``), built for speed at the counter:
one keyboard-first entry form, search with filters, the unit inbox, SIR and the libro."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.errors import DomainError, InvalidInput, NotFoundError, convert_input
from core.web.i18n import gettext as _
from core.web.pages import actor_of, chosen_files, form_values, page, tenant_of
from plugins.registro import (
    distribution,
    forms,
    justificante,
    labels,
    libro,
    personas,
    services,
    sir,
)
from plugins.registro import permissions as perms
from plugins.registro.controllers import download, query_struct
from plugins.registro.schemas import (
    Anulacion,
    LibroPeriodo,
    Rectificacion,
    Search,
    SirEnvio,
    SirRechazo,
)

#: detail-page form → its fields' input ids (a refusal names the input it is about)
_DETAIL_IDS = {"distribuir": {"unidad": "unidad"}, "devolver": {"reason": "devolver-motivo"},
               "sir": {"destino": "sir-destino", "unidad": "sir-unidad"},
               "rectificar": {"extracto": "rect-extracto", "reason": "rect-motivo",
                              "observaciones": "rect-observaciones"},
               "anular": {"reason": "anular-motivo"}}


def _base(request: Request) -> str:
    return f"/{tenant_of(request).slug}/registro"


async def _detail_page(request: Request, asiento_id: int, *, error: DomainError | None = None,
                       status_code: int = 200, typed: dict[str, dict[str, str]] | None = None
                       ) -> Template:
    """The asiento's page; ``typed`` holds what was posted to one of its forms (by the
    form's action), shown again in that form when it was refused."""
    tenant = tenant_of(request)
    asiento = await services.get(tenant, asiento_id)
    exchanges = [e for e in await sir.list_exchanges(tenant) if e.asiento_id == asiento_id]
    return await page(request, "registro/staff_detail.html", status_code=status_code,
                      asiento=asiento, labels=labels, units=await services.units_of(tenant),
                      rectifications=await services.rectifications(tenant, asiento_id),
                      exchanges=exchanges, error=error, typed=typed or {},
                      just_registered=request.query_params.get("registrado") == "1")


class StaffController(Controller):
    """The registry office's pages."""

    path = "/"
    include_in_schema = False

    @get("/", name="registro:search", opt={"permission": perms.VIEW.name})
    async def search(self, request: Request) -> Template:
        tenant = tenant_of(request)
        filters = query_struct(request, Search)
        items, total = await services.search(tenant, filters)
        return await page(request, "registro/staff_search.html", items=items, total=total,
                          filters=filters, labels=labels,
                          units=await services.units_of(tenant),
                          pages=(total + filters.per_page - 1) // filters.per_page)

    @get("/nuevo", name="registro:new", opt={"permission": perms.REGISTER.name})
    async def new(self, request: Request, direction: FromQuery[str] = "entrada") -> Template:
        return await self._form(request, {"direction": direction})

    async def _form(self, request: Request, values: dict[str, str],
                    error: DomainError | None = None, status_code: int = 200,
                    **context: Any) -> Template:
        tenant = tenant_of(request)
        return await page(request, "registro/staff_form.html", status_code=status_code,
                          values=values, error=error, labels=labels,
                          units=await services.units_of(tenant), **context)

    @post("/nuevo", opt={"permission": perms.REGISTER.name})
    async def create(self, request: Request) -> Response:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str) and not k.startswith("_")}
        files = [f for f in form.getall("anexos", []) if isinstance(f, UploadFile)]
        if values.pop("buscar", ""):  # the interesado look-up, keeping what was typed
            return await self._look_up(request, values, chosen_files(form))
        try:
            data = forms.asiento_from(values, await forms.anexos_from(
                files, values.get("validez", "")))
            asiento = await services.register(tenant_of(request), data, channel="presencial",
                                              actor=actor_of(request).audit_name)
        except DomainError as exc:
            return await self._form(request, values, error=exc, status_code=422,
                                    chosen=chosen_files(form))
        return Redirect(f"{_base(request)}/{asiento.id}?registrado=1")

    async def _look_up(self, request: Request, values: dict[str, str],
                       chosen: dict[str, list[str]]) -> Template:
        """The form again with the known details of the NIF's person in the fields left
        empty, or saying that the NIF is unknown; nothing typed is lost."""
        nif = values.get("documento", "").strip()
        known = await personas.lookup(tenant_of(request), nif) if nif else None
        if known is None:
            said = _("No consta ningún interesado con el NIF %(nif)s en el registro: escriba "
                     "sus datos.") % {"nif": nif} if nif else _("Escriba el NIF que busca.")
            return await self._form(request, values, looked_up=said, chosen=chosen)
        filled = {k: v for k, v in forms.values_of(known).items() if v}
        return await self._form(request, {**filled, **{k: v for k, v in values.items() if v}},
                                looked_up=_("Datos del interesado recuperados del registro."),
                                chosen=chosen)

    @get("/{asiento_id:int}", name="registro:detail", opt={"permission": perms.VIEW.name})
    async def detail(self, request: Request, asiento_id: FromPath[int]) -> Template:
        return await _detail_page(request, asiento_id)

    @get("/{asiento_id:int}/justificante", opt={"permission": perms.VIEW.name})
    async def justificante(self, request: Request, asiento_id: FromPath[int]) -> Response:
        name, data = await justificante.download(tenant_of(request), asiento_id)
        return download(name, data, "application/pdf")

    async def _act(self, request: Request, asiento_id: int, action: Any) -> Response:
        """Run an action from a detail-page form; a broken rule shows the page again with
        what was typed in that form."""
        values = await form_values(request)
        try:
            await action(tenant_of(request), actor_of(request).audit_name, values)
        except DomainError as exc:
            form = request.url.path.rsplit("/", 1)[-1]
            if isinstance(exc, InvalidInput):
                exc = exc.renamed(lambda field: _DETAIL_IDS.get(form, {}).get(field, ""))
            return await _detail_page(request, asiento_id, error=exc, status_code=422,
                                      typed={form: values})
        return Redirect(f"{_base(request)}/{asiento_id}")

    @post("/{asiento_id:int}/anular", opt={"permission": perms.CORRECT.name})
    async def annul(self, request: Request, asiento_id: FromPath[int]) -> Response:
        return await self._act(request, asiento_id, lambda t, a, v: services.annul(
            t, asiento_id, convert_input(v, Anulacion).reason, actor=a))

    @post("/{asiento_id:int}/rectificar", opt={"permission": perms.CORRECT.name})
    async def rectify(self, request: Request, asiento_id: FromPath[int]) -> Response:
        return await self._act(request, asiento_id, lambda t, a, v: services.rectify(
            t, asiento_id, convert_input({k: x for k, x in v.items() if x}, Rectificacion),
            actor=a))

    @post("/{asiento_id:int}/distribuir", opt={"permission": perms.DISTRIBUTE.name})
    async def distribute(self, request: Request, asiento_id: FromPath[int]) -> Response:
        return await self._act(request, asiento_id, lambda t, a, v: distribution.distribute(
            t, asiento_id, v.get("unidad", ""), actor=a))

    @post("/{asiento_id:int}/aceptar", opt={"permission": perms.RECEIVE.name})
    async def accept(self, request: Request, asiento_id: FromPath[int]) -> Response:
        return await self._act(request, asiento_id, lambda t, a, v: distribution.accept(
            t, asiento_id, actor=a))

    @post("/{asiento_id:int}/devolver", opt={"permission": perms.RECEIVE.name})
    async def give_back(self, request: Request, asiento_id: FromPath[int]) -> Response:
        return await self._act(request, asiento_id, lambda t, a, v: distribution.give_back(
            t, asiento_id, convert_input(v, Anulacion).reason, actor=a))

    @post("/{asiento_id:int}/sir", opt={"permission": perms.SIR.name})
    async def send_sir(self, request: Request, asiento_id: FromPath[int]) -> Response:
        return await self._act(request, asiento_id, lambda t, a, v: sir.send(
            t, asiento_id, convert_input(v, SirEnvio), actor=a))

    @get("/bandeja", name="registro:inbox", opt={"permission": perms.VIEW.name})
    async def inbox(self, request: Request, unidad: FromQuery[str] = "") -> Template:
        tenant = tenant_of(request)
        units = await services.units_of(tenant)
        items = await distribution.inbox(tenant, unidad) if unidad in units else []
        return await page(request, "registro/staff_inbox.html", items=items, unidad=unidad,
                          units=units, labels=labels)

    @get("/sir", name="registro:sir", opt={"permission": perms.SIR.name})
    async def exchanges(self, request: Request) -> Template:
        return await page(request, "registro/staff_sir.html", labels=labels, typed={},
                          exchanges=await sir.list_exchanges(tenant_of(request)))

    @post("/sir/{exchange_id:int}/{action:str}", opt={"permission": perms.SIR.name})
    async def exchange_action(self, request: Request, exchange_id: FromPath[int],
                              action: FromPath[str]) -> Response:
        tenant, actor = tenant_of(request), actor_of(request).audit_name
        values = await form_values(request)
        try:
            if action == "aceptar":
                await sir.accept(tenant, exchange_id, actor=actor)
            elif action == "rechazar":
                motivo = convert_input({"motivo": values.get("motivo", "").strip()},
                                       SirRechazo).motivo
                await sir.reject(tenant, exchange_id, motivo, actor=actor)
            elif action == "reenviar":
                await sir.resend(tenant, exchange_id, convert_input(values, SirEnvio),
                                 actor=actor)
            elif action == "reintentar":
                await sir.retry(tenant, exchange_id, actor=actor)
            elif action == "anular":
                await sir.annul(tenant, exchange_id, actor=actor)
            else:
                raise NotFoundError(action)
        except (sir.InvalidExchange, InvalidInput) as exc:
            if isinstance(exc, InvalidInput):  # the inputs are named by the exchange
                exc = exc.renamed(lambda field: f"{field}{exchange_id}")
            return await page(request, "registro/staff_sir.html", labels=labels,
                              status_code=422, error=exc,
                              typed={f"{exchange_id}/{action}": values},
                              exchanges=await sir.list_exchanges(tenant))
        return Redirect(f"{_base(request)}/sir")

    @get("/libro.csv", opt={"permission": perms.EXPORT.name})
    async def libro_csv(self, request: Request) -> Response:
        name, data = await libro.csv_export(tenant_of(request),
                                            query_struct(request, LibroPeriodo))
        return download(name, data, "text/csv; charset=utf-8")

    @get("/libro.pdf", opt={"permission": perms.EXPORT.name})
    async def libro_pdf(self, request: Request) -> Response:
        name, data = await libro.pdf_export(tenant_of(request),
                                            query_struct(request, LibroPeriodo),
                                            actor=actor_of(request).audit_name)
        return download(name, data, "application/pdf")

