"""Reading HTML forms and query strings into the plugin's shapes, with readable errors."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from litestar import Request

from plugins.cita_previa.schemas import ServicioOut
from plugins.cita_previa.services.common import InvalidCita

TRIAGE_PREFIX = "t_"


def answers(params: Any, servicio: ServicioOut) -> dict[str, str]:
    """The triage answers of a form or query string (``t_<key>`` fields)."""
    return {q.key: params.get(TRIAGE_PREFIX + q.key, "") for q in servicio.triage}


def answer_params(values: dict[str, str]) -> dict[str, str]:
    return {TRIAGE_PREFIX + key: value for key, value in values.items()}


def slot_value(agenda: int, starts_at: datetime) -> str:
    """How a slot travels in a radio button: ``<agenda>|<ISO instant>``."""
    return f"{agenda}|{starts_at.isoformat()}"


def parse_slot(value: str) -> tuple[int, datetime]:
    agenda, _, instant = value.partition("|")
    try:
        return int(agenda), datetime.fromisoformat(instant)
    except ValueError:
        raise InvalidCita("Elija una franja horaria") from None


def parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidCita(f"Fecha {value!r} no válida") from None


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""
