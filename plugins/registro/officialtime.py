"""Official date and time of a presentation on the entity's registry calendar.

The registry's calendar is the seat's (Ley 39/2015 art. 31.3): national and autonomic
days of the entity's comunidad, the local days of its municipality when the data has
them, and the registry's own closures. A presentation on a non-working day counts from
00:00 of the next working day (art. 31.2.b).
"""

from __future__ import annotations

import functools
from datetime import date, datetime

from core.calendar import (
    MissingHolidayData,
    NonWorkingDay,
    OutsideCalendarError,
    PresentacionRegistro,
    WorkingCalendar,
    calendar_for,
    fecha_oficial_presentacion,
    load_local,
    load_year,
)
from core.errors import DomainError

#: Comunidad autónoma of each province (INE CPRO), ISO 3166-2:ES codes without "ES-".
PROVINCE_COMMUNITY: dict[str, str] = {
    **dict.fromkeys(("04", "11", "14", "18", "21", "23", "29", "41"), "AN"),
    **dict.fromkeys(("22", "44", "50"), "AR"),
    "33": "AS", "07": "IB", **dict.fromkeys(("35", "38"), "CN"), "39": "CB",
    **dict.fromkeys(("05", "09", "24", "34", "37", "40", "42", "47", "49"), "CL"),
    **dict.fromkeys(("02", "13", "16", "19", "45"), "CM"),
    **dict.fromkeys(("08", "17", "25", "43"), "CT"),
    **dict.fromkeys(("03", "12", "46"), "VC"), **dict.fromkeys(("06", "10"), "EX"),
    **dict.fromkeys(("15", "27", "32", "36"), "GA"), "28": "MD", "30": "MC", "31": "NC",
    **dict.fromkeys(("01", "20", "48"), "PV"), "26": "RI", "51": "CE", "52": "ML",
}


class CalendarMissing(DomainError):
    """The registry calendar lacks the data for this date: load it before registering."""


def community_of(ine_code: str | None, configured: str = "") -> str | None:
    """The configured comunidad, else the one of the INE code's province (None if unknown)."""
    if configured:
        return configured
    return PROVINCE_COMMUNITY.get((ine_code or "")[:2])


@functools.lru_cache(maxsize=512)
def registry_calendar(year: int, community: str | None, ine_code: str | None,
                      closed_days: tuple[date, ...]) -> WorkingCalendar:
    """The calendar over ``year`` and the next one when the data has it."""
    for years in ((year, year + 1), (year,)):
        try:
            local = [d for y in years for d in _local_days(y, ine_code)]
            registro = [NonWorkingDay(date=d, scope="registro", name="Cierre del registro",
                                      region=ine_code) for d in closed_days if d.year in years]
            if community is None:
                national = [d for y in years for d in load_year(y)]
                return WorkingCalendar([*national, *local, *registro], years=years)
            return calendar_for(years, community, local, registro)
        except MissingHolidayData as exc:
            missing = exc
    raise CalendarMissing(f"Falta el calendario de días inhábiles de {year}: {missing}")


def _local_days(year: int, ine_code: str | None) -> list[NonWorkingDay]:
    if not ine_code:
        return []
    try:
        return load_local(year, ine_code)
    except MissingHolidayData:
        return []


def official_time(received_at: datetime, *, ine_code: str | None, community: str | None,
                  closed_days: tuple[date, ...] = ()) -> PresentacionRegistro:
    """When a presentation received at ``received_at`` (aware) counts, in the seat's zone."""
    calendar = registry_calendar(received_at.year, community, ine_code, closed_days)
    try:
        return fecha_oficial_presentacion(calendar, received_at)
    except OutsideCalendarError as exc:
        raise CalendarMissing(f"Falta el calendario de días inhábiles: {exc}") from exc
