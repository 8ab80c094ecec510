"""Example data for the demo province: an office, three services and their agendas.

Called through ``on_demo_loaded`` for each demo entity that has cita previa enabled;
an entity that already has services is left as it is (loading twice changes nothing).
"""

from __future__ import annotations

import secrets

from core.tenancy.context import TenantContext
from core.tenancy.services import set_plugin
from plugins.cita_previa.schemas import (
    AgendaIn,
    OficinaIn,
    Opcion,
    Pregunta,
    ServicioIn,
)
from plugins.cita_previa.services import catalog
from plugins.cita_previa.services.common import PLUGIN

ACTOR = "demo"
DEMO_JITSI = "meet.diputacion-soria.demo"  # not a real server: the demo shows the links
WEEKDAYS_MORNING = {day: ["09:00-14:00"] for day in ("lunes", "martes", "miercoles", "jueves",
                                                      "viernes")}


async def seed(tenant: TenantContext) -> None:
    if not tenant.is_enabled(PLUGIN) or await catalog.list_servicios(tenant):
        return
    if not tenant.settings_for(PLUGIN).get("jitsi_secret"):  # a made-up server of the demo
        tenant = await set_plugin(tenant, PLUGIN, True, actor=ACTOR, settings={
            **tenant.settings_for(PLUGIN), "jitsi_domain": DEMO_JITSI,
            "jitsi_secret": secrets.token_hex(16)})
    oficina = await catalog.create_oficina(tenant, OficinaIn(
        name="Oficina de atención a la ciudadanía",
        address=f"Casa consistorial, {tenant.name} (dirección de demostración)"), actor=ACTOR)
    padron = await catalog.create_servicio(tenant, ServicioIn(
        code="padron", name="Padrón municipal de habitantes",
        description="Altas, cambios de domicilio, volantes y certificados.",
        channels=["presencial", "telefono"]), actor=ACTOR)
    registro = await catalog.create_servicio(tenant, ServicioIn(
        code="registro", name="Registro general",
        description="Presentación de escritos y solicitudes, copias auténticas.",
        channels=["presencial"]), actor=ACTOR)
    urbanismo_in = ServicioIn(
        code="urbanismo", name="Urbanismo",
        description="Licencias de obra y consultas urbanísticas con el personal técnico.",
        channels=["presencial", "videollamada"])
    urbanismo = await catalog.create_servicio(tenant, urbanismo_in, actor=ACTOR)
    await catalog.create_agenda(tenant, AgendaIn(
        servicio=padron.id, oficina=oficina.id, name="Padrón", attendees="Auxiliares de padrón",
        channels=["presencial", "telefono"], timetable=WEEKDAYS_MORNING, slot_minutes=15,
        capacity=2), actor=ACTOR)
    await catalog.create_agenda(tenant, AgendaIn(
        servicio=registro.id, oficina=oficina.id, name="Registro",
        attendees="Oficina de asistencia en materia de registros", channels=["presencial"],
        timetable=WEEKDAYS_MORNING, slot_minutes=10, capacity=1), actor=ACTOR)
    arquitecta = await catalog.create_agenda(tenant, AgendaIn(
        servicio=urbanismo.id, oficina=oficina.id, name="Arquitectura municipal",
        attendees="Arquitecta municipal", channels=["presencial", "videollamada"],
        timetable={"martes": ["10:00-13:00"], "jueves": ["10:00-13:00"]}, slot_minutes=30),
        actor=ACTOR)
    aparejador = await catalog.create_agenda(tenant, AgendaIn(
        servicio=urbanismo.id, oficina=oficina.id, name="Arquitectura técnica",
        attendees="Aparejador municipal", channels=["presencial", "videollamada"],
        timetable={"miercoles": ["09:00-12:00"]}, slot_minutes=20), actor=ACTOR)
    await catalog.update_servicio(tenant, urbanismo.id, ServicioIn(
        code=urbanismo_in.code, name=urbanismo_in.name, description=urbanismo_in.description,
        channels=urbanismo_in.channels, triage=[Pregunta(
            key="asunto", text="¿Sobre qué es su consulta?", options=[
                Opcion(value="proyecto", label="Un proyecto de obra mayor o de edificación",
                       agenda=arquitecta.id),
                Opcion(value="obra_menor", label="Una obra menor, una reforma o una "
                       "declaración responsable", agenda=aparejador.id)])]), actor=ACTOR)
