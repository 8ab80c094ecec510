"""``/sede/<tenant>/cita_previa/``: citizens book, confirm, change and cancel citas.

Steps: service → channel and triage → day and slot (and who comes) → code by email →
confirmed. The booking page (``reservas/<token>``) is the management link of the emails.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from core.documents.controllers import download
from core.errors import DomainError, InvalidInput, convert_input
from core.web.pages import actor_of, form_values, page, tenant_of
from plugins.cita_previa.controllers.forms import (
    answer_params,
    answers,
    client_ip,
    parse_day,
    parse_slot,
    slot_value,
)
from plugins.cita_previa.schemas import CHANNEL_LABELS, LABELS, LineaIn, ReservaIn, ServicioOut
from plugins.cita_previa.services import booking, catalog, ics, links, queries, video
from plugins.cita_previa.services.common import InvalidCita, settings_of, utcnow
from plugins.cita_previa.services.slots import availability

BASE = "/sede/{slug}/cita_previa"


def _base(request: Request) -> str:
    return BASE.format(slug=tenant_of(request).slug)


def _is_citizen(request: Request) -> bool:
    actor = actor_of(request)
    return actor.kind == "citizen" and bool(actor.nif)


async def _slots_page(request: Request, servicio: ServicioOut, channel: str,
                      chosen: dict[str, str], *, day: Any = None, reserva: str = "",
                      form: dict[str, Any] | None = None,
                      error: DomainError | str | None = None,
                      change: dict[str, Any] | None = None) -> Response:
    """Pick a day and a slot (and, for a new booking, who comes)."""
    tenant = tenant_of(request)
    try:
        by_day = await availability(tenant, servicio, channel, chosen,
                                    first_day=parse_day(day) if day else None)
    except InvalidCita as exc:
        return await page(request, "cita_previa/servicio.html", status_code=422,
                          servicio=servicio, error=str(exc), reserva=reserva, chosen=chosen,
                          labels=LABELS)
    selected = parse_day(day) if day else next(iter(by_day), None)
    return await page(request, "cita_previa/franjas.html",
                      status_code=422 if error else 200, servicio=servicio, channel=channel,
                      channel_label=CHANNEL_LABELS[channel], by_day=by_day, selected=selected,
                      slots=by_day.get(selected, []), slot_value=slot_value,
                      chosen=answer_params(chosen), reserva=reserva, form=form or {},
                      error=error, citizen=_is_citizen(request), change=change,
                      extra_people=range(1, settings_of(tenant).max_lines))


class SedeController(Controller):
    path = "/"
    include_in_schema = False

    @get("/", name="cita_previa:sede-index")
    async def index(self, request: Request, reserva: FromQuery[str] = "") -> Response:
        tenant = tenant_of(request)
        return await page(request, "cita_previa/sede_index.html", reserva=reserva,
                          servicios=await catalog.list_servicios(tenant, active_only=True),
                          citizen=_is_citizen(request), labels=LABELS)

    @get("/servicios/{code:str}")
    async def servicio(self, request: Request, code: FromPath[str],
                       reserva: FromQuery[str] = "") -> Response:
        servicio = await catalog.servicio_by_code(tenant_of(request), code)
        return await page(request, "cita_previa/servicio.html", servicio=servicio,
                          reserva=reserva, chosen={}, error=None, labels=LABELS)

    @get("/servicios/{code:str}/franjas")
    async def franjas(self, request: Request, code: FromPath[str], canal: FromQuery[str] = "",
                      fecha: FromQuery[str] = "", reserva: FromQuery[str] = "") -> Response:
        servicio = await catalog.servicio_by_code(tenant_of(request), code)
        channel = canal or (servicio.channels[0] if len(servicio.channels) == 1 else "")
        return await _slots_page(request, servicio, channel,
                                 answers(request.query_params, servicio), day=fecha,
                                 reserva=reserva)

    @post("/servicios/{code:str}/franjas")
    async def reservar(self, request: Request, code: FromPath[str]) -> Response:
        tenant = tenant_of(request)
        servicio = await catalog.servicio_by_code(tenant, code)
        form = await form_values(request)
        chosen = answers(form, servicio)
        channel, token = form.get("canal", ""), form.get("reserva", "")
        try:
            agenda, starts_at = parse_slot(form.get("franja", ""))
            people = [("", "")] + [
                (form.get(f"otra_nombre_{n}", "").strip(), form.get(f"otra_nif_{n}", "").strip())
                for n in range(1, settings_of(tenant).max_lines)]
            lines = [LineaIn(servicio=servicio.code, channel=channel, agenda=agenda,
                             starts_at=starts_at, person_name=name, person_nif=nif,
                             answers=chosen)
                     for index, (name, nif) in enumerate(people) if index == 0 or name or nif]
            contact = await self._contact(request, token, form)
            data = convert_input({**contact, "lines": lines}, ReservaIn)
            add_to = links.localizador_of(tenant, token) if token else None
            booked = await booking.book(tenant, data, actor=actor_of(request),
                                        ip=client_ip(request), add_to=add_to)
        except (InvalidCita, InvalidInput) as exc:
            if isinstance(exc, InvalidInput):  # the contact's fields are the inputs' ids
                exc = exc.renamed(lambda field: "" if field.startswith("lines") else field)
            return await _slots_page(request, servicio, channel, chosen, day=form.get("fecha"),
                                     reserva=token, form=form, error=exc)
        return Redirect(f"{_base(request)}/reservas/{token or booked.token}", status_code=303)

    @staticmethod
    async def _contact(request: Request, token: str, form: dict[str, Any]) -> dict[str, Any]:
        """The contact of the booking: the pending one's, or the form's."""
        if token:
            tenant = tenant_of(request)
            row = await queries.reserva_row(tenant, links.localizador_of(tenant, token))
            return {key: row[key] for key in ("name", "nif", "email", "phone")}
        return {key: form.get(key, "").strip() for key in ("name", "nif", "email", "phone")}

    # -- the booking, reached by its management link --------------------------------
    @get("/reservas/{token:str}", name="cita_previa:sede-reserva")
    async def reserva(self, request: Request, token: FromPath[str]) -> Response:
        return await self._reserva_page(request, token)

    async def _reserva_page(self, request: Request, token: str, *, error: str | None = None
                            ) -> Response:
        tenant = tenant_of(request)
        reserva = await queries.get_reserva(tenant, links.localizador_of(tenant, token))
        return await page(request, "cita_previa/reserva.html", status_code=422 if error else 200,
                          reserva=reserva, token=token, error=error, labels=LABELS,
                          now=utcnow(), open_minutes=settings_of(tenant).video_open_minutes)

    async def _act(self, request: Request, token: str, action: Any) -> Response:
        """Run a change on the booking; back to its page, with the error if it failed."""
        tenant = tenant_of(request)
        localizador = links.localizador_of(tenant, token)
        try:
            await action(tenant, localizador, await form_values(request))
        except InvalidCita as exc:
            return await self._reserva_page(request, token, error=str(exc))
        return Redirect(f"{_base(request)}/reservas/{token}", status_code=303)

    @post("/reservas/{token:str}/confirmar")
    async def confirmar(self, request: Request, token: FromPath[str]) -> Response:
        return await self._act(request, token, lambda t, loc, form: booking.confirm(
            t, loc, form.get("code", "").strip()))

    @post("/reservas/{token:str}/reenviar")
    async def reenviar(self, request: Request, token: FromPath[str]) -> Response:
        return await self._act(request, token, lambda t, loc, form: booking.resend_code(
            t, loc, ip=client_ip(request)))

    @post("/reservas/{token:str}/anular")
    async def anular(self, request: Request, token: FromPath[str]) -> Response:
        async def cancel(tenant: Any, localizador: str, form: dict[str, Any]) -> None:
            cita = form.get("cita")
            await booking.cancel(tenant, localizador, int(cita) if cita else None,
                                 actor=f"reserva:{localizador}")
        return await self._act(request, token, cancel)

    async def _change_page(self, request: Request, token: str, cita_id: int, day: str,
                           error: str | None = None) -> Response:
        tenant = tenant_of(request)
        cita = await self._own_cita(request, token, cita_id)
        servicio = await catalog.get_servicio(tenant, cita["servicio"])
        return await _slots_page(request, servicio, cita["channel"], cita["answers"], day=day,
                                 reserva=token, error=error,
                                 change={"cita": queries.cita_out(cita), "token": token})

    @get("/reservas/{token:str}/citas/{cita_id:int}/cambiar")
    async def cambiar_form(self, request: Request, token: FromPath[str], cita_id: FromPath[int],
                           fecha: FromQuery[str] = "") -> Response:
        return await self._change_page(request, token, cita_id, fecha)

    @post("/reservas/{token:str}/citas/{cita_id:int}/cambiar")
    async def cambiar(self, request: Request, token: FromPath[str],
                      cita_id: FromPath[int]) -> Response:
        tenant = tenant_of(request)
        cita = await self._own_cita(request, token, cita_id)
        form = await form_values(request)
        try:
            agenda, starts_at = parse_slot(form.get("franja", ""))
            await booking.reschedule(tenant, cita["localizador"], cita_id, agenda, starts_at,
                                     actor=f"reserva:{cita['localizador']}")
        except InvalidCita as exc:
            return await self._change_page(request, token, cita_id, form.get("fecha", ""),
                                           str(exc))
        return Redirect(f"{_base(request)}/reservas/{token}", status_code=303)

    @get("/reservas/{token:str}/citas/{cita_id:int}/video")
    async def video_room(self, request: Request, token: FromPath[str],
                         cita_id: FromPath[int]) -> Response:
        tenant = tenant_of(request)
        cita = await self._own_cita(request, token, cita_id)
        try:
            enlace = video.link(tenant, cita, video.citizen(cita))
        except InvalidCita as exc:
            return await self._reserva_page(request, token, error=str(exc))
        return Redirect(enlace.url, status_code=303)

    @get("/reservas/{token:str}/cita.ics")
    async def calendario(self, request: Request, token: FromPath[str]) -> Response:
        tenant = tenant_of(request)
        reserva = await queries.get_reserva(tenant, links.localizador_of(tenant, token))
        citas = [c for c in reserva.citas if c.state == "confirmada"]
        body = ics.calendar(tenant, reserva, citas, manage_url=links.manage_url(tenant, token),
                            now=utcnow())
        return download(body, "text/calendar; charset=utf-8", f"cita-{reserva.localizador}.ics")

    async def _own_cita(self, request: Request, token: str, cita_id: int) -> dict[str, Any]:
        tenant = tenant_of(request)
        return await queries.cita_of_reserva(tenant, links.localizador_of(tenant, token), cita_id)
