"""Demo data (``concejo demo``): in each entity with expedientes, notifications of its demo
expedientes in every state — at disposal of the demo citizen 12345678Z (seen in his
carpeta), accessed, rejected, expired after 10 days, and on paper in delivery.

People are the synthetic interesados of the expedientes demo. Running it again changes
nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.demo import JAVIER, LUCIA
from core.identity.actor import Actor
from core.tenancy.context import TenantContext
from core.tenancy.scoped import scoped
from plugins.expedientes import public as expedientes
from plugins.expedientes.public import Busqueda
from plugins.notificaciones import acceso, papel, plazos, services
from plugins.notificaciones.schemas import IntentoIn, NotificacionIn, PersonaIn
from plugins.notificaciones.tables import Notificacion

ACTOR = "demo"
RECURSOS = {"recursos": "Recurso potestativo de reposición ante el mismo órgano, o "
                        "recurso contencioso-administrativo ante el juzgado de Soria.",
            "organo_recurso": "Alcaldía", "plazo_recurso": "Un mes (reposición) o dos "
                                                           "meses (contencioso)",
            "fin_via": True}


async def _notify(tenant: TenantContext, expediente_id: int, subject: str, person: PersonaIn,
                  **options: object) -> int:
    data = NotificacionIn(subject=subject, expediente_id=expediente_id,
                          body=f"{subject}. Texto íntegro de demostración del acto.",
                          destinatarios=[person], **{**RECURSOS, **options})
    return (await services.notify(tenant, data, actor=ACTOR))[0].id


async def seed(tenant: TenantContext) -> None:
    if tenant.kind == "diputacion" or await services.search(tenant, limit=1):
        return
    found = await expedientes.search(tenant, Busqueda(limit=20))
    if len(found) < 3:
        return
    by_word = {e.subject.split()[0]: e for e in found}
    ventanas, bano, andamio = (by_word.get(word, found[n]) for n, word in
                               enumerate(("Sustitución", "Reforma", "Andamio")))
    lucia = PersonaIn(nif=LUCIA.nif, name=LUCIA.name, email=LUCIA.email,
                      address="Calle Real 12, 42002 Soria")
    javier = PersonaIn(nif=JAVIER.nif, name=JAVIER.name)
    empresa = PersonaIn(nif="B12345674", name="Construcciones Moncayo (demostración)")
    await _notify(tenant, ventanas.id, "Concesión de licencia de obra menor", lucia)
    opened = await _notify(tenant, bano.id, "Requerimiento de subsanación", javier)
    await acceso.access(tenant, Actor(kind="citizen", nif=javier.nif, name=javier.name),
                        opened, address="127.0.0.1")
    rejected = await _notify(tenant, andamio.id, "Autorización de ocupación de la vía pública",
                             empresa, kind="comunicacion")
    await acceso.reject(tenant, Actor(kind="citizen", nif=empresa.nif, name=empresa.name),
                        rejected, address="127.0.0.1", reason="Demostración")
    await _expired(tenant, await _notify(tenant, andamio.id, "Liquidación de la tasa de "
                                         "ocupación", empresa))
    await _on_paper(tenant, await _notify(tenant, ventanas.id, "Liquidación del ICIO", lucia,
                                          channel="papel"))


async def _expired(tenant: TenantContext, notificacion_id: int) -> None:
    """Put at disposal 12 days ago: the clock takes it as rejected (art. 43.2)."""
    disposed = datetime.now(UTC) - timedelta(days=plazos.ACCESS_DAYS + 2)
    await Notificacion.update({Notificacion.disposed_at: disposed,
                               Notificacion.expires_on: disposed.date() + timedelta(
                                   days=plazos.ACCESS_DAYS)}).where(
        scoped(Notificacion, tenant) & (Notificacion.id == notificacion_id))
    await services.expire_due(tenant)


async def _on_paper(tenant: TenantContext, notificacion_id: int) -> None:
    """Printed in a batch; the first attempt found nobody at home."""
    await papel.print_batch(tenant, actor=ACTOR)
    await papel.record_attempt(tenant, notificacion_id, IntentoIn(
        at=datetime.now(UTC) - timedelta(hours=1), result="ausente",
        note="Nadie en el domicilio"), actor=ACTOR)
