"""The paper channel (arts. 41.1, 42 and 44 Ley 39/2015): print batches of the notices,
delivery attempts with the notifier's report, the acuse, and the edict for the Tablón
Edictal Único when delivery fails.

An attempt ``entregada`` makes the notification ``notificada`` (the receptor signs the
acuse); ``rehusada`` makes it ``rechazada`` (art. 41.5); ``ausente`` needs a second attempt
within three días hábiles at another hour (``plazos.check_second_attempt``); two
``ausente``, or ``desconocido`` at the address, leave it ``pendiente_edicto``, and the
edict job publishes the anuncio (``edicto``, art. 44).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core import kernel as _kernel
from core.calendar_app.services import calendar_of
from core.db import atomic
from core.documents.eni import TipoDocumental
from core.documents.schemas import DocumentOut
from core.documents.services import issue_document
from core.jobs import send as send_job
from core.tenancy.context import TenantContext
from core.tenancy.scoped import scoped
from plugins.notificaciones import errors, evidence, pdfs, plazos, services
from plugins.notificaciones.schemas import IntentoIn, IntentoOut, NotificacionOut
from plugins.notificaciones.tables import Edicto, Intento, Notificacion

ACTOR = "sistema"


async def attempts(tenant: TenantContext, notificacion_id: int) -> list[IntentoOut]:
    rows = await Intento.select(Intento.number, Intento.at, Intento.result,
                                Intento.receptor_nif, Intento.receptor_name, Intento.note
                                ).where((Intento.tenant == tenant.id)
                                        & (Intento.notificacion == notificacion_id)
                                        ).order_by(Intento.number)
    return [IntentoOut(**r) for r in rows]


async def print_batch(tenant: TenantContext, *, actor: str) -> DocumentOut | None:
    """One PDF with the notice of every paper notification not printed yet (one per page,
    with the boxes for the notifier's two attempts); None when there is none. The batch
    is stored as a document of the entity (authenticated by its CSV)."""
    async with atomic():
        rows = await services.select().where(
            scoped(Notificacion, tenant) & (Notificacion.channel == "papel")
            & (Notificacion.state == "en_reparto") & Notificacion.printed_at.is_null()
        ).order_by(Notificacion.id)
        if not rows:
            return None
        notices = [services.out(r) for r in rows]
        now = datetime.now(UTC)
        title = f"Lote de notificaciones en papel {now:%Y%m%d-%H%M%S}"
        pdf, csv = await pdfs.render(tenant, "aviso", title, notices=notices, now=now)
        document = await issue_document(tenant, pdf=pdf, title=title, csv=csv,
                                        tipo_documental=TipoDocumental.NOTIFICACION,
                                        actor=actor, sign_with_seal=False,
                                        filename=f"lote-{now:%Y%m%d-%H%M%S}.pdf")
        await Notificacion.update({Notificacion.printed_at: now}).where(
            scoped(Notificacion, tenant) & Notificacion.id.is_in([n.id for n in notices]))
        for notice in notices:
            await evidence.step(tenant, notice.id, notice.expediente_id, "impresa",
                                actor=actor, detail={"lote": document.id, "csv": csv}, at=now)
    return document


async def record_attempt(tenant: TenantContext, notificacion_id: int, data: IntentoIn, *,
                         actor: str) -> NotificacionOut:
    """Record what the notifier reports for one delivery attempt (art. 42.2)."""
    if data.at.tzinfo is None:
        raise errors.InvalidNotificacion("Indique la hora del intento con su zona horaria")
    async with atomic():
        await services.lock(tenant, notificacion_id)
        notificacion = await services.get(tenant, notificacion_id)
        if notificacion.channel != "papel" or notificacion.state != "en_reparto":
            raise errors.InvalidNotificacion("Esta notificación no está en reparto")
        if notificacion.printed_at is None:
            raise errors.InvalidNotificacion("Imprima primero la notificación en un lote")
        done = notificacion.intentos
        if len(done) == 1:
            plazos.check_second_attempt(await calendar_of(tenant), done[0].at, data.at)
        if data.result == "entregada" and not (data.receptor_nif or data.receptor_name):
            raise errors.InvalidNotificacion(
                "Una entrega debe decir quién recibe la notificación (art. 42.2)")
        await Intento.insert(Intento(
            tenant=tenant.id, notificacion=notificacion_id, number=len(done) + 1, at=data.at,
            result=data.result, receptor_nif=data.receptor_nif,
            receptor_name=data.receptor_name, note=data.note, recorded_by=actor))
        state, changes = _outcome(data, len(done) + 1)
        detail = {"number": len(done) + 1, "result": data.result,
                  "at": data.at.isoformat(), "receptor": data.receptor_name,
                  "receptor_nif": data.receptor_nif}
        result = await services.transition(
            tenant, notificacion_id, expected={"en_reparto"}, state=state, event="intento",
            actor=actor, detail=detail, changes=changes)
        if state == "pendiente_edicto":
            await send_job("notificaciones.publish_edict", tenant.id, key=str(notificacion_id),
                           notificacion_id=notificacion_id)
    return result


def _outcome(data: IntentoIn, number: int) -> tuple[str | None, dict[Any, Any]]:
    receptor = f"{data.receptor_nif} ({data.receptor_name})".strip()
    if data.result == "entregada":
        return "notificada", {Notificacion.accessed_by: receptor,
                              Notificacion.accessed_as: "receptor",
                              Notificacion.accessed_from: "papel"}
    if data.result == "rehusada":
        return "rechazada", {Notificacion.accessed_by: receptor,
                             Notificacion.accessed_from: "papel"}
    if data.result == "desconocido" or number == 2:
        return "pendiente_edicto", {}
    return None, {}


async def publish_edict(tenant: TenantContext, notificacion_id: int) -> None:
    """The anuncio of art. 44 for the Tablón Edictal Único: a PDF naming the interesado
    only by his NIF (LOPDGDD disp. adic. 7.ª) and the act only briefly (art. 46), stored as
    a document; on the entity's tablón too when it has the tablón enabled."""
    notificacion = await services.get(tenant, notificacion_id, full=False)
    if notificacion.state != "pendiente_edicto":
        return
    title = f"Anuncio de notificación {notificacion_id}"
    pdf, csv = await pdfs.render(tenant, "edicto", title, n=notificacion)
    document = await issue_document(tenant, pdf=pdf, title=title, csv=csv,
                                    tipo_documental=TipoDocumental.PUBLICACION,
                                    actor=ACTOR, sign_with_seal=False,
                                    filename=f"edicto-{notificacion_id}.pdf")
    anuncio = await _on_tablon(tenant, notificacion, document)
    async with atomic():
        await Edicto.insert(Edicto(tenant=tenant.id, notificacion=notificacion_id,
                                   document=document.id, tablon_anuncio=anuncio,
                                   created_at=datetime.now(UTC)))
        await services.transition(
            tenant, notificacion_id, expected={"pendiente_edicto"}, state="edicto",
            event="edicto", actor=ACTOR,
            detail={"document": document.id, "csv": document.csv, "tablon": anuncio})


async def _on_tablon(tenant: TenantContext, notificacion: NotificacionOut,
                     document: DocumentOut) -> int | None:
    """Publish the anuncio on the entity's own tablón (an optional plugin)."""
    if not tenant.is_enabled("tablon") or "tablon" not in _kernel.current().plugins.names:
        return None
    from plugins.tablon import public as tablon
    from plugins.tablon.public import AnuncioIn

    categories = tablon.settings_of(tenant).categories
    anuncio = await tablon.publish(tenant, AnuncioIn(
        title=f"Anuncio de notificación: {notificacion.subject}"[:300],
        body=edict_text(tenant, notificacion, document.csv or ""),
        category="edicto" if "edicto" in categories else categories[0]), actor=ACTOR)
    return anuncio.id


def edict_text(tenant: TenantContext, notificacion: NotificacionOut, csv: str) -> str:
    """The anuncio's text (art. 44 and 46; the interesado named only by his NIF)."""
    return (f"Intentada la notificación sin que haya podido practicarse, se notifica por "
            f"este anuncio (art. 44 de la Ley 39/2015) al interesado con NIF "
            f"{notificacion.nif} el acto: {notificacion.subject}. El texto íntegro está a su "
            f"disposición en {tenant.name}, donde podrá comparecer para conocerlo. "
            f"Documento verificable con el CSV {csv}.")
