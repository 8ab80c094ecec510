"""``/<tenant>/cita_previa/``: configuration, the office's day view and statistics."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from core.calendar_app.services import calendar_of
from core.errors import DomainError, InvalidInput, convert_input
from core.web.pages import actor_of, form_values, page, tenant_of
from plugins.cita_previa import permissions
from plugins.cita_previa.controllers.forms import parse_day
from plugins.cita_previa.schemas import (
    CHANNELS,
    LABELS,
    WEEKDAYS,
    AgendaIn,
    ExcepcionIn,
    OficinaIn,
    ServicioIn,
)
from plugins.cita_previa.services import attendance, catalog, queries, video
from plugins.cita_previa.services.common import ZONE, InvalidCita, utcnow

VIEW, ATTEND, MANAGE = (p.name for p in (permissions.VIEW, permissions.ATTEND,
                                         permissions.MANAGE))


def _ranges(text: str) -> list[str]:
    """``09:00-14:00, 16:00-18:00`` → the ranges, spaces ignored."""
    return [part.replace(" ", "") for part in text.split(",") if part.strip()]


async def _form(request: Request) -> tuple[dict[str, Any], list[str]]:
    """The form's single values, trimmed, and its checked channels."""
    values = {k: v.strip() for k, v in (await form_values(request)).items()}
    return values, (await request.form()).getall("channels", [])


_PREFIX = {"oficinas": "of", "servicios": "sv", "agendas": "ag"}  # form → its inputs' ids


def _input_id(form: str, field: str) -> str:
    """The id of the input of ``field`` in the configuration form posted to ``form``
    (``agendas``, ``agendas/3/excepciones``…), "" when it has none."""
    name = {"slot_minutes": "slot"}.get(field, field).replace("timetable.", "h-")
    if form.endswith("/excepciones"):
        return f"ex-{name}-{form.split('/')[1]}"
    return f"{_PREFIX[form]}-{name}" if form in _PREFIX else ""


class StaffController(Controller):
    path = "/"
    include_in_schema = False

    async def _overview(self, request: Request, error: DomainError | None = None,
                        typed: dict[str, dict[str, Any]] | None = None) -> Response:
        """The configuration page; ``typed`` holds what was posted to a refused form (by
        its action), shown again in that form."""
        tenant = tenant_of(request)
        agendas = await catalog.list_agendas(tenant)
        this_year = utcnow().astimezone(ZONE).year
        missing = sorted({this_year, this_year + 1} - (await calendar_of(tenant)).years)
        return await page(
            request, "cita_previa/staff_index.html", status_code=422 if error else 200,
            error=error, typed=typed or {}, oficinas=await catalog.list_oficinas(tenant),
            servicios=await catalog.list_servicios(tenant), agendas=agendas,
            excepciones={a.id: await catalog.list_excepciones(tenant, a.id) for a in agendas},
            labels=LABELS, channels=CHANNELS, weekdays=WEEKDAYS,
            missing_years=missing)

    @get("/", name="cita_previa:staff-index", opt={"permission": VIEW})
    async def index(self, request: Request) -> Response:
        return await self._overview(request)

    async def _change(self, request: Request,
                      action: Callable[[dict[str, Any], list[str]], Awaitable[Any]]) -> Response:
        """Apply a configuration form; back to the overview, with the error and what was
        typed if refused."""
        values, channels = await _form(request)
        try:
            await action(values, channels)
        except (InvalidCita, InvalidInput) as exc:
            form = request.url.path.split("/cita_previa/", 1)[1]
            if isinstance(exc, InvalidInput):
                exc = exc.renamed(lambda field: _input_id(form, field))
            return await self._overview(request, exc,
                                        typed={form: {**values, "channels": channels}})
        return Redirect(f"/{tenant_of(request).slug}/cita_previa/", status_code=303)

    @post("/oficinas", opt={"permission": MANAGE})
    async def crear_oficina(self, request: Request) -> Response:
        return await self._change(request, lambda values, _: catalog.create_oficina(
            tenant_of(request), convert_input(values, OficinaIn),
            actor=actor_of(request).audit_name))

    @post("/servicios", opt={"permission": MANAGE})
    async def crear_servicio(self, request: Request) -> Response:
        return await self._change(request, lambda values, channels: catalog.create_servicio(
            tenant_of(request), convert_input({**values, "channels": channels}, ServicioIn),
            actor=actor_of(request).audit_name))

    @post("/agendas", opt={"permission": MANAGE})
    async def crear_agenda(self, request: Request) -> Response:
        def agenda(values: dict[str, Any], channels: list[str]) -> AgendaIn:
            timetable = {day: _ranges(values.get(f"h_{day}", "")) for day in WEEKDAYS}
            fields = {k: v for k, v in values.items() if not k.startswith("h_")}
            return convert_input({**fields, "channels": channels,
                                  "timetable": {d: r for d, r in timetable.items() if r}},
                                 AgendaIn)
        return await self._change(request, lambda values, channels: catalog.create_agenda(
            tenant_of(request), agenda(values, channels), actor=actor_of(request).audit_name))

    @post("/agendas/{agenda_id:int}/excepciones", opt={"permission": MANAGE})
    async def crear_excepcion(self, request: Request, agenda_id: FromPath[int]) -> Response:
        return await self._change(request, lambda values, _: catalog.add_excepcion(
            tenant_of(request), agenda_id,
            convert_input({**values, "hours": _ranges(values.get("hours", ""))}, ExcepcionIn),
            actor=actor_of(request).audit_name))

    # -- the day at the office ------------------------------------------------------
    @get("/dia", name="cita_previa:staff-dia", opt={"permission": VIEW})
    async def dia(self, request: Request, oficina: FromQuery[int | None] = None,
                  fecha: FromQuery[str] = "") -> Response:
        tenant = tenant_of(request)
        oficinas = await catalog.list_oficinas(tenant)
        day = parse_day(fecha) or utcnow().astimezone(ZONE).date()
        current = (await catalog.get_oficina(tenant, oficina) if oficina is not None
                   else (oficinas[0] if oficinas else None))
        citas = await attendance.day_view(tenant, current.id, day) if current else []
        return await page(request, "cita_previa/staff_dia.html", oficinas=oficinas,
                          oficina=current, day=day, citas=citas, labels=LABELS,
                          previous=day - timedelta(days=1), next=day + timedelta(days=1),
                          now=utcnow(), zone=ZONE)

    async def _close(self, request: Request, cita_id: int,
                     action: Callable[..., Awaitable[Any]]) -> Response:
        tenant = tenant_of(request)
        cita = await queries.get_cita(tenant, cita_id)
        target = (f"/{tenant.slug}/cita_previa/dia?oficina={cita['oficina_id']}"
                  f"&fecha={cita['starts_at'].astimezone(ZONE).date().isoformat()}")
        await action(tenant, cita_id, actor_of(request))  # a broken rule: the error page
        return Redirect(target, status_code=303)

    @post("/citas/{cita_id:int}/llegada", opt={"permission": ATTEND})
    async def llegada(self, request: Request, cita_id: FromPath[int]) -> Response:
        return await self._close(request, cita_id, attendance.check_in)

    @post("/citas/{cita_id:int}/no-presentada", opt={"permission": ATTEND})
    async def no_presentada(self, request: Request, cita_id: FromPath[int]) -> Response:
        return await self._close(request, cita_id, attendance.no_show)

    @get("/citas/{cita_id:int}/video", opt={"permission": ATTEND})
    async def video_room(self, request: Request, cita_id: FromPath[int]) -> Response:
        tenant = tenant_of(request)
        cita = await queries.get_cita(tenant, cita_id)
        enlace = video.link(tenant, cita, video.staff(actor_of(request)))
        return Redirect(enlace.url, status_code=303)

    @get("/estadisticas", name="cita_previa:staff-estadisticas", opt={"permission": VIEW})
    async def estadisticas(self, request: Request, desde: FromQuery[str] = "",
                           hasta: FromQuery[str] = "") -> Response:
        today = utcnow().astimezone(ZONE).date()
        end = parse_day(hasta) or today
        start = parse_day(desde) or end - timedelta(days=30)
        stats = await attendance.statistics(tenant_of(request), start, end)
        return await page(request, "cita_previa/staff_estadisticas.html", stats=stats,
                          labels=LABELS)

