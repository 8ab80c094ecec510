"""``/api/v1/<tenant>/cita_previa/``: booking as JSON (public) and ``gestion/`` for staff."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date

from litestar import Controller, Request, get, post, put
from litestar.exceptions import TooManyRequestsException
from litestar.params import FromPath, FromQuery, JSONBody

from core.web.pages import actor_of, tenant_of
from plugins.cita_previa import permissions
from plugins.cita_previa.controllers.forms import answers, client_ip
from plugins.cita_previa.schemas import (
    AgendaIn,
    AgendaOut,
    Anulacion,
    Cambio,
    CitaOut,
    Codigo,
    EnlaceVideo,
    Estadisticas,
    ExcepcionIn,
    ExcepcionOut,
    FranjaOut,
    OficinaIn,
    OficinaOut,
    ReservaCreada,
    ReservaIn,
    ReservaOut,
    ServicioIn,
    ServicioOut,
)
from plugins.cita_previa.services import attendance, booking, catalog, links, queries, video
from plugins.cita_previa.services.common import RateLimited
from plugins.cita_previa.services.slots import availability

VIEW, ATTEND, MANAGE = (p.name for p in (permissions.VIEW, permissions.ATTEND,
                                         permissions.MANAGE))


@contextlib.contextmanager
def _limits() -> Iterator[None]:
    """A rate limit answers 429 here (a readable 422 page on the sede)."""
    try:
        yield
    except RateLimited as exc:
        raise TooManyRequestsException(detail=str(exc)) from None


class PublicApiController(Controller):
    """What the sede does, for apps: no login needed, the token is the key to a booking."""

    path = "/"
    tags = ["cita_previa"]

    @get("/servicios", summary="Services that take appointments")
    async def servicios(self, request: Request) -> list[ServicioOut]:
        return await catalog.list_servicios(tenant_of(request), active_only=True)

    @get("/servicios/{code:str}/franjas",
         summary="Free slots of a service on a day; triage answers as t_<key>=<value>")
    async def franjas(self, request: Request, code: FromPath[str], canal: FromQuery[str],
                      fecha: FromQuery[date]) -> list[FranjaOut]:
        tenant = tenant_of(request)
        servicio = await catalog.servicio_by_code(tenant, code)
        by_day = await availability(tenant, servicio, canal,
                                    answers(request.query_params, servicio),
                                    first_day=fecha, days=1)
        return by_day.get(fecha, [])

    @post("/reservas", summary="Book citas; an anonymous booking waits for its email code")
    async def reservar(self, request: Request, data: JSONBody[ReservaIn]) -> ReservaCreada:
        with _limits():
            booked = await booking.book(tenant_of(request), data, actor=actor_of(request),
                                        ip=client_ip(request))
        return ReservaCreada(reserva=booked.reserva, token=booked.token)

    @get("/reservas/{token:str}", summary="A booking, by its management token")
    async def reserva(self, request: Request, token: FromPath[str]) -> ReservaOut:
        tenant = tenant_of(request)
        return await queries.get_reserva(tenant, links.localizador_of(tenant, token))

    @post("/reservas/{token:str}/confirmar", status_code=200,
          summary="Confirm a booking with the code sent by email")
    async def confirmar(self, request: Request, token: FromPath[str],
                        data: JSONBody[Codigo]) -> ReservaOut:
        tenant = tenant_of(request)
        with _limits():
            return await booking.confirm(tenant, links.localizador_of(tenant, token), data.code)

    @post("/reservas/{token:str}/anular", status_code=200,
          summary="Cancel one cita of the booking, or all")
    async def anular(self, request: Request, token: FromPath[str],
                     data: JSONBody[Anulacion]) -> ReservaOut:
        tenant = tenant_of(request)
        localizador = links.localizador_of(tenant, token)
        return await booking.cancel(tenant, localizador, data.cita,
                                    actor=f"reserva:{localizador}")

    @post("/reservas/{token:str}/citas/{cita_id:int}/cambiar", status_code=200,
          summary="Move a cita to another slot")
    async def cambiar(self, request: Request, token: FromPath[str], cita_id: FromPath[int],
                      data: JSONBody[Cambio]) -> ReservaOut:
        tenant = tenant_of(request)
        localizador = links.localizador_of(tenant, token)
        await queries.cita_of_reserva(tenant, localizador, cita_id)
        return await booking.reschedule(tenant, localizador, cita_id, data.agenda,
                                        data.starts_at, actor=f"reserva:{localizador}")

    @get("/reservas/{token:str}/citas/{cita_id:int}/video",
         summary="The citizen's link to the video call, while the room is open")
    async def video(self, request: Request, token: FromPath[str],
                    cita_id: FromPath[int]) -> EnlaceVideo:
        tenant = tenant_of(request)
        cita = await queries.cita_of_reserva(tenant, links.localizador_of(tenant, token),
                                             cita_id)
        return video.link(tenant, cita, video.citizen(cita))


class StaffApiController(Controller):
    """Configuration and attendance for staff."""

    path = "/gestion"
    tags = ["cita_previa"]

    @get("/oficinas", opt={"permission": VIEW})
    async def oficinas(self, request: Request) -> list[OficinaOut]:
        return await catalog.list_oficinas(tenant_of(request))

    @post("/oficinas", opt={"permission": MANAGE})
    async def crear_oficina(self, request: Request, data: JSONBody[OficinaIn]) -> OficinaOut:
        return await catalog.create_oficina(tenant_of(request), data,
                                            actor=actor_of(request).audit_name)

    @get("/servicios", opt={"permission": VIEW})
    async def servicios(self, request: Request) -> list[ServicioOut]:
        return await catalog.list_servicios(tenant_of(request))

    @post("/servicios", opt={"permission": MANAGE})
    async def crear_servicio(self, request: Request, data: JSONBody[ServicioIn]) -> ServicioOut:
        return await catalog.create_servicio(tenant_of(request), data,
                                             actor=actor_of(request).audit_name)

    @put("/servicios/{servicio_id:int}", opt={"permission": MANAGE},
         summary="Change a service: channels, description, triage questions")
    async def cambiar_servicio(self, request: Request, servicio_id: FromPath[int],
                               data: JSONBody[ServicioIn]) -> ServicioOut:
        return await catalog.update_servicio(tenant_of(request), servicio_id, data,
                                             actor=actor_of(request).audit_name)

    @get("/agendas", opt={"permission": VIEW})
    async def agendas(self, request: Request) -> list[AgendaOut]:
        return await catalog.list_agendas(tenant_of(request))

    @post("/agendas", opt={"permission": MANAGE})
    async def crear_agenda(self, request: Request, data: JSONBody[AgendaIn]) -> AgendaOut:
        return await catalog.create_agenda(tenant_of(request), data,
                                           actor=actor_of(request).audit_name)

    @get("/agendas/{agenda_id:int}/excepciones", opt={"permission": VIEW})
    async def excepciones(self, request: Request, agenda_id: FromPath[int]
                          ) -> list[ExcepcionOut]:
        tenant = tenant_of(request)
        await catalog.get_agenda(tenant, agenda_id)
        return await catalog.list_excepciones(tenant, agenda_id)

    @post("/agendas/{agenda_id:int}/excepciones", opt={"permission": MANAGE})
    async def crear_excepcion(self, request: Request, agenda_id: FromPath[int],
                              data: JSONBody[ExcepcionIn]) -> ExcepcionOut:
        return await catalog.add_excepcion(tenant_of(request), agenda_id, data,
                                           actor=actor_of(request).audit_name)

    @get("/dia", opt={"permission": VIEW}, summary="An office's citas of a day")
    async def dia(self, request: Request, oficina: FromQuery[int],
                  fecha: FromQuery[date]) -> list[CitaOut]:
        tenant = tenant_of(request)
        await catalog.get_oficina(tenant, oficina)
        return await attendance.day_view(tenant, oficina, fecha)

    @post("/citas/{cita_id:int}/llegada", status_code=200, opt={"permission": ATTEND})
    async def llegada(self, request: Request, cita_id: FromPath[int]) -> CitaOut:
        return await attendance.check_in(tenant_of(request), cita_id, actor_of(request))

    @post("/citas/{cita_id:int}/no-presentada", status_code=200, opt={"permission": ATTEND})
    async def no_presentada(self, request: Request, cita_id: FromPath[int]) -> CitaOut:
        return await attendance.no_show(tenant_of(request), cita_id, actor_of(request))

    @get("/citas/{cita_id:int}/video", opt={"permission": ATTEND},
         summary="The staff member's moderator link to the video call")
    async def video(self, request: Request, cita_id: FromPath[int]) -> EnlaceVideo:
        tenant = tenant_of(request)
        cita = await queries.get_cita(tenant, cita_id)
        return video.link(tenant, cita, video.staff(actor_of(request)))

    @get("/estadisticas", opt={"permission": VIEW}, summary="Citas and no-shows by service")
    async def estadisticas(self, request: Request, desde: FromQuery[date],
                           hasta: FromQuery[date]) -> Estadisticas:
        return await attendance.statistics(tenant_of(request), desde, hasta)
