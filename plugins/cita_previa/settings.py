"""Per-tenant settings of cita previa: booking window, anti-abuse limits, mail, video."""

from typing import Annotated

import msgspec

Positive = Annotated[int, msgspec.Meta(ge=1)]


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What each entity tunes; the defaults suit a small ayuntamiento.

    Booking window: slots open ``min_notice_hours`` from now up to ``max_days_ahead``
    días naturales. An anonymous booking holds its slots ``pending_minutes`` until the
    code sent by email confirms it. Anti-abuse: ``per_ip_per_hour`` booking attempts from
    one address, ``per_nif_per_day`` for one NIF, ``max_open_per_person`` future
    appointments per NIF (mail goes out through the kernel's ``core.mail``).
    Video calls use the provider ``video_provider`` (``jitsi`` is built in: its domain,
    application id and secret sign the room links), open ``video_open_minutes`` before the
    slot and close ``video_close_minutes`` after its end.
    """

    min_notice_hours: Annotated[int, msgspec.Meta(ge=0, le=720)] = 2
    max_days_ahead: Annotated[int, msgspec.Meta(ge=1, le=365)] = 30
    pending_minutes: Annotated[int, msgspec.Meta(ge=5, le=1440)] = 30
    max_lines: Annotated[int, msgspec.Meta(ge=1, le=10)] = 4
    per_ip_per_hour: Positive = 20
    per_nif_per_day: Positive = 10
    max_open_per_person: Positive = 3
    code_attempts: Annotated[int, msgspec.Meta(ge=1, le=10)] = 5
    video_provider: str = "jitsi"
    jitsi_domain: str = "meet.jit.si"
    jitsi_app_id: str = "concejo"
    jitsi_secret: Annotated[str, msgspec.Meta(pattern=r"^$|^.{32,}$")] = ""  # HS256: 32+
    video_open_minutes: Annotated[int, msgspec.Meta(ge=0, le=120)] = 10
    video_close_minutes: Annotated[int, msgspec.Meta(ge=0, le=240)] = 30
