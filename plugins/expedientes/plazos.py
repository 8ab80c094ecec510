"""Due dates of expedientes and tasks, on the entity's working-day calendar (art. 30 LPAC)."""

from __future__ import annotations

from datetime import date

from core.calendar import (
    OutsideCalendarError,
    WorkingCalendar,
    add_dias_habiles,
    add_dias_naturales,
    add_meses,
)
from core.errors import DomainError

_ADD = {"dias_habiles": add_dias_habiles, "dias_naturales": add_dias_naturales,
        "meses": add_meses}


class CalendarMissing(DomainError):
    """The entity's calendar does not cover the dates a plazo needs."""


def due(cal: WorkingCalendar, start: date, n: int, unit: str = "dias_habiles") -> date:
    """The last day of a plazo of ``n`` ``unit`` counted from the day after ``start``."""
    try:
        return _ADD[unit](cal, start, n)
    except OutsideCalendarError as exc:
        raise CalendarMissing(
            f"El calendario de días inhábiles de la entidad no cubre el plazo ({exc}); "
            "la diputación debe cargar el año con «concejo calendar load»") from None
