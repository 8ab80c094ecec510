"""Working-day calendars and legal deadline arithmetic (plazos, Ley 39/2015 art. 30).

- `working`: `NonWorkingDay` records and the layered `WorkingCalendar`;
- `plazos`: días hábiles / naturales, months, years and the registro's official date;
- `festivos`: the shipped holiday data and the `calendar_for` builder.

Rules, sources and examples: docs/calendar.md.
"""

from core.calendar.festivos import (
    MissingHolidayData,
    calendar_for,
    communities,
    load_local,
    load_year,
)
from core.calendar.plazos import (
    PresentacionRegistro,
    add_anios,
    add_dias_habiles,
    add_dias_naturales,
    add_meses,
    fecha_oficial_presentacion,
)
from core.calendar.working import (
    MADRID,
    NonWorkingDay,
    OutsideCalendarError,
    Scope,
    WorkingCalendar,
)

__all__ = [
    "MADRID",
    "MissingHolidayData",
    "NonWorkingDay",
    "OutsideCalendarError",
    "PresentacionRegistro",
    "Scope",
    "WorkingCalendar",
    "add_anios",
    "add_dias_habiles",
    "add_dias_naturales",
    "add_meses",
    "calendar_for",
    "communities",
    "fecha_oficial_presentacion",
    "load_local",
    "load_year",
]
