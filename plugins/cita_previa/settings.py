"""Per-tenant settings of cita previa: booking window, anti-abuse limits, mail, video."""

from typing import Annotated

import msgspec

from core.types import Hostname, Secret
from core.web.i18n import N_

Positive = Annotated[int, msgspec.Meta(ge=1)]


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What each entity tunes; the defaults suit a small ayuntamiento.

    Booking window: slots open ``min_notice_hours`` from now up to ``max_days_ahead``
    días naturales. An anonymous booking holds its slots ``pending_minutes`` until the
    code sent by email confirms it. Anti-abuse: ``per_ip_per_hour`` booking attempts from
    one address, ``per_nif_per_day`` for one NIF, ``max_open_per_person`` future
    appointments per NIF (mail goes out through the kernel's ``core.mail``).
    Video calls use the provider ``video_provider`` (``jitsi`` is built in: the entity's
    own Jitsi server ``jitsi_domain``, whose application id and secret sign the room links;
    there is no default server, so until one is set videollamada is not configured), open
    ``video_open_minutes`` before the slot and close ``video_close_minutes`` after its end.
    """

    min_notice_hours: Annotated[int, msgspec.Meta(
        ge=0, le=720, title=N_("Antelación mínima (horas)"))] = 2
    max_days_ahead: Annotated[int, msgspec.Meta(
        ge=1, le=365, title=N_("Días que se puede reservar por adelantado"))] = 30
    pending_minutes: Annotated[int, msgspec.Meta(
        ge=5, le=1440, title=N_("Minutos para confirmar una reserva con el código"))] = 30
    max_lines: Annotated[int, msgspec.Meta(ge=1, le=10, title=N_("Citas por reserva"))] = 4
    per_ip_per_hour: Annotated[Positive, msgspec.Meta(
        title=N_("Intentos de reserva por dirección y hora"))] = 20
    per_nif_per_day: Annotated[Positive, msgspec.Meta(
        title=N_("Intentos de reserva por NIF y día"))] = 10
    max_open_per_person: Annotated[Positive, msgspec.Meta(
        title=N_("Citas futuras por persona"))] = 3
    code_attempts: Annotated[int, msgspec.Meta(
        ge=1, le=10, title=N_("Intentos con el código antes de bloquear"))] = 5
    video_provider: Annotated[str, msgspec.Meta(
        title=N_("Sistema de videollamada"))] = "jitsi"
    jitsi_domain: Annotated[Hostname, msgspec.Meta(
        title=N_("Servidor Jitsi"),
        description=N_("Nombre del servidor Jitsi propio o de la diputación "
                       "(meet.ejemplo.es); vacío: videollamada sin configurar."))] = ""
    jitsi_app_id: Annotated[str, msgspec.Meta(
        title=N_("Identificador de aplicación en Jitsi"))] = "concejo"
    jitsi_secret: Annotated[Secret, msgspec.Meta(
        pattern=r"^$|^.{32,}$", title=N_("Clave de Jitsi"),  # HS256: 32+ characters
        description=N_("La app_secret del servidor Jitsi, de 32 caracteres o más."))] = ""
    video_open_minutes: Annotated[int, msgspec.Meta(
        ge=0, le=120, title=N_("Minutos antes de la cita en que se abre la sala"))] = 10
    video_close_minutes: Annotated[int, msgspec.Meta(
        ge=0, le=240, title=N_("Minutos después de la cita en que se cierra la sala"))] = 30
