"""The JSON API (``/api/v1/<tenant>/notificaciones/…``): problem+json on bad input."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from core.web.pages import actor_of, tenant_of
from plugins.notificaciones import papel, permissions, remesas, services
from plugins.notificaciones.schemas import (
    IntentoIn,
    NotificacionIn,
    NotificacionOut,
    RemesaIn,
    RemesaOut,
)

VIEW, NOTIFY, DELIVER = permissions.VIEW_OPT, permissions.NOTIFY_OPT, permissions.DELIVER_OPT


class ApiController(Controller):
    path = "/"
    tags = ["notificaciones"]

    @post("/", summary="Notify an act to one or more people", opt=NOTIFY)
    async def notify(self, request: Request, data: JSONBody[NotificacionIn]
                     ) -> list[NotificacionOut]:
        return await services.notify(tenant_of(request), data,
                                     actor=actor_of(request).audit_name)

    @get("/", summary="Notifications of the entity, newest first", opt=VIEW)
    async def search(self, request: Request, estado: FromQuery[str] = "",
                     nif: FromQuery[str] = "", expediente_id: FromQuery[int | None] = None,
                     limit: FromQuery[int] = 200, offset: FromQuery[int] = 0
                     ) -> list[NotificacionOut]:
        return await services.search(tenant_of(request), state=estado, nif=nif,
                                     expediente_id=expediente_id, limit=min(limit, 1000),
                                     offset=offset)

    @get("/{notificacion_id:int}", summary="A notification with its evidence", opt=VIEW)
    async def get_one(self, request: Request, notificacion_id: FromPath[int]
                      ) -> NotificacionOut:
        return await services.get(tenant_of(request), notificacion_id)

    @post("/{notificacion_id:int}/intentos", summary="Record a paper delivery attempt",
          opt=DELIVER)
    async def attempt(self, request: Request, notificacion_id: FromPath[int],
                      data: JSONBody[IntentoIn]) -> NotificacionOut:
        return await papel.record_attempt(tenant_of(request), notificacion_id, data,
                                          actor=actor_of(request).audit_name)

    @post("/remesas", summary="Notify one act to many people (a background job)",
          opt=NOTIFY)
    async def remesa(self, request: Request, data: JSONBody[RemesaIn]) -> RemesaOut:
        return await remesas.start(tenant_of(request), data,
                                   actor=actor_of(request).audit_name)

    @get("/remesas/{remesa_id:int}", summary="Progress of a remesa", opt=VIEW)
    async def remesa_progress(self, request: Request, remesa_id: FromPath[int]) -> RemesaOut:
        return await remesas.get(tenant_of(request), remesa_id)
