"""Worked cases of Ley 39/2015 arts. 30 and 31, each with its legal reasoning.

The calendars are written out here, so the cases hold whatever data/festivos.toml says.
They copy the official 2026 days (national + Castilla y León, Galicia, Cataluña) and add
days marked "test" where a case needs them. A few cases at the end use the shipped data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from _pytest.mark import ParameterSet

from core.calendar import (
    NonWorkingDay,
    OutsideCalendarError,
    PresentacionRegistro,
    Scope,
    WorkingCalendar,
    add_anios,
    add_dias_habiles,
    add_dias_naturales,
    add_meses,
    calendar_for,
    fecha_oficial_presentacion,
)

Plazo = Callable[[WorkingCalendar, dt.date, int], dt.date]


def days(scope: Scope, region: str | None, *iso: str) -> list[NonWorkingDay]:
    return [
        NonWorkingDay(
            date=dt.date.fromisoformat(d), scope=scope, name=f"{scope} {d}", region=region
        )
        for d in iso
    ]


NATIONAL_2025 = days("national", None, "2025-01-01", "2025-01-06", "2025-04-18",
                     "2025-05-01", "2025-08-15", "2025-11-01", "2025-12-06", "2025-12-08",
                     "2025-12-25")  # fmt: skip
NATIONAL_2026 = days("national", None, "2026-01-01", "2026-01-06", "2026-04-03",
                     "2026-05-01", "2026-08-15", "2026-10-12", "2026-12-08",
                     "2026-12-25")  # fmt: skip
# 2027 for the year-crossing cases: the fixed national days (RD 2001/1983 art. 45).
NATIONAL_2027 = days("national", None, "2027-01-01", "2027-01-06", "2027-03-26",
                     "2027-10-12", "2027-11-01", "2027-12-06", "2027-12-08")  # fmt: skip
CL_2025 = days("autonomica", "CL", "2025-04-17", "2025-04-23", "2025-10-13")
CL_2026 = days("autonomica", "CL", "2026-04-02", "2026-04-23", "2026-11-02", "2026-12-07")
CL_2027 = days("autonomica", "CL", "2027-03-25", "2027-04-23")  # test
AN_2027 = days("autonomica", "AN", "2027-03-01", "2027-03-25")  # test
GA_2026 = days("autonomica", "GA", "2026-03-19", "2026-04-02", "2026-06-24", "2026-07-25")
CT_2026 = days("autonomica", "CT", "2026-04-06", "2026-06-24", "2026-09-11", "2026-12-26")
SORIA_2026 = days("local", "42173", "2026-10-02")  # test

CL = WorkingCalendar(NATIONAL_2026 + CL_2026, years=[2026])
CL_25_27 = WorkingCalendar(
    NATIONAL_2025 + NATIONAL_2026 + NATIONAL_2027 + CL_2025 + CL_2026 + CL_2027,
    years=[2025, 2026, 2027],
)
AN_26_27 = WorkingCalendar(NATIONAL_2026 + NATIONAL_2027 + AN_2027, years=[2026, 2027])
GA = WorkingCalendar(NATIONAL_2026 + GA_2026, years=[2026])
CT = WorkingCalendar(NATIONAL_2026 + CT_2026, years=[2026])
SORIA = WorkingCalendar(NATIONAL_2026 + CL_2026 + SORIA_2026, years=[2026])
# Every layer at once: national, the comunidad (CL), the municipality's two fiestas
# locales (ET art. 37.2; test dates) and a closure of its registry (art. 31.3; test).
SORIA_LOCAL_2026 = days("local", "42173", "2026-06-29", "2026-10-02")  # test
REGISTRO_CLOSURE_2026 = days("registro", "O00000000", "2026-12-24")  # test
LAYERED = WorkingCalendar(NATIONAL_2026 + CL_2026 + SORIA_LOCAL_2026 + REGISTRO_CLOSURE_2026,
                          years=[2026])
# Seat in Soria (CL), interesado living in Cataluña: art. 30.6.
SORIA_AND_CT = SORIA.combined_with(CT)
# No declared holidays at all (test): only the weekly rule; isolates the month arithmetic.
WEEKENDS_ONLY = WorkingCalendar([], years=range(2026, 2033))


def case(
    name: str, calendar: WorkingCalendar, function: Plazo, start: str, n: int, expected: str
) -> ParameterSet:
    return pytest.param(
        calendar, function, dt.date.fromisoformat(start), n, dt.date.fromisoformat(expected),
        id=name,
    )  # fmt: skip


PLAZOS = [
    # --- días hábiles (art. 30.2 and 30.3) ---
    # Notified Mon 2026-02-02. Counting starts the day after, Tue 3 (art. 30.3); Saturdays
    # and Sundays do not count (30.2): Tue 3..Fri 6 = 4, Mon 9..Fri 13 = 9, Mon 16 = 10th.
    case("habiles-two-weekends", CL, add_dias_habiles, "2026-02-02", 10, "2026-02-16"),
    # Notified Fri 2026-03-27, 10 días hábiles: Mon 30, Tue 31, Wed 1 = 3; Thu 2 (Jueves
    # Santo, CL) and Fri 3 (Viernes Santo, national) excluded; Easter Monday 6 is hábil in
    # CL: Mon 6..Fri 10 = 8, Mon 13 = 9, Tue 14 = 10th.
    case("habiles-semana-santa-CL", CL, add_dias_habiles, "2026-03-27", 10, "2026-04-14"),
    # Same notice, 4 días hábiles, in Cataluña: Jueves Santo is hábil there, Easter Monday
    # is not: Mon 30, Tue 31, Wed 1, Thu 2 = 4th.
    case("habiles-semana-santa-CT", CT, add_dias_habiles, "2026-03-27", 4, "2026-04-02"),
    # Art. 30.6: seat in Soria (CL), interesado living in Cataluña. Thu 2, Fri 3 and Mon 6
    # are all non-working (inhábil in either place): Mon 30, Tue 31, Wed 1 = 3, Tue 7..Fri
    # 10 = 7, Mon 13 = 8, Tue 14 = 9, Wed 15 = 10th (one day later than CL alone).
    case("habiles-30.6-combined", SORIA_AND_CT, add_dias_habiles, "2026-03-27", 10, "2026-04-15"),
    # An electronic notification accessed on Sat 2026-02-07 (it takes effect when
    # accessed, art. 43.2). The count starts the day after, Sun 8, non-working; the first
    # día hábil is Mon 9.
    case("habiles-notified-saturday", CL, add_dias_habiles, "2026-02-07", 1, "2026-02-09"),
    # Accessed on Thu 2026-04-23, Fiesta de Castilla y León: Fri 24 = 1, Mon 27 = 2,
    # Tue 28 = 3rd.
    case("habiles-notified-holiday", CL, add_dias_habiles, "2026-04-23", 3, "2026-04-28"),
    # Notified Fri 2026-12-04, 3 días hábiles, CL: Sat 5, Sun 6; Mon 7 (CL moved the
    # Constitución, a Sunday, to Monday) and Tue 8 (Inmaculada) excluded: Wed 9, Thu 10,
    # Fri 11 = 3rd.
    case("habiles-puente-constitucion-CL", CL, add_dias_habiles, "2026-12-04", 3, "2026-12-11"),
    # Same notice in Galicia, which did not move the Constitución: Mon 7 is hábil there.
    # Mon 7 = 1, Tue 8 excluded, Wed 9 = 2, Thu 10 = 3rd.
    case("habiles-puente-constitucion-GA", GA, add_dias_habiles, "2026-12-04", 3, "2026-12-10"),
    # Notified Tue 2026-09-29 in Soria, 5 días hábiles: Wed 30 = 1, Thu 1 = 2, Fri 2 (local
    # holiday, test) excluded, Mon 5, Tue 6, Wed 7 = 5th.
    case("habiles-fiesta-local", SORIA, add_dias_habiles, "2026-09-29", 5, "2026-10-07"),
    # The same notice at a seat without that local day ends one day earlier.
    case("habiles-sin-fiesta-local", CL, add_dias_habiles, "2026-09-29", 5, "2026-10-06"),
    # August is hábil in the administrative procedure (the August exclusion of LJCA art.
    # 128.2 is for courts only). Notified Fri 2026-07-31, 10 días hábiles: Mon 3..Fri 7 =
    # 5, Mon 10..Fri 14 = 10th. (Sat 15, Asunción, would not count anyway.)
    case("habiles-agosto", CL, add_dias_habiles, "2026-07-31", 10, "2026-08-14"),
    # Notified Mon 2026-11-16, 15 días hábiles (a trámite de audiencia): Tue 17..Fri 20 =
    # 4, Mon 23..Fri 27 = 9, Mon 30..Fri 4 = 14, Mon 7 (CL) and Tue 8 excluded, Wed 9 = 15th.
    case("habiles-15-dias", CL, add_dias_habiles, "2026-11-16", 15, "2026-12-09"),
    # Across the year end. Notified Wed 2026-12-23, 7 días hábiles: Thu 24 = 1 (24 and 31
    # December are not holidays), Fri 25 excluded, Mon 28..Thu 31 = 5, Fri 1 January
    # excluded, Mon 4 = 6, Tue 5 = 7th.
    case("habiles-fin-de-anio", CL_25_27, add_dias_habiles, "2026-12-23", 7, "2027-01-05"),
    # Layered calendar: notified Thu 2026-06-25, 5 días hábiles: Fri 26 = 1; Sat 27, Sun
    # 28; Mon 29 is the first fiesta local (inhábil, 30.2): Tue 30 = 2, Wed 1 = 3, Thu 2 =
    # 4, Fri 3 July = 5th.
    case("habiles-first-fiesta-local", LAYERED, add_dias_habiles, "2026-06-25", 5, "2026-07-03"),
    # --- días naturales (art. 30.2 second paragraph and 30.5) ---
    # Notified Mon 2026-03-02, 10 días naturales: from Tue 3, the 10th is Thu 12, hábil.
    case("naturales-plain", CL, add_dias_naturales, "2026-03-02", 10, "2026-03-12"),
    # Notified Wed 2026-03-04: the 10th natural day is Sat 14, inhábil (30.2), so the
    # plazo moves to the next día hábil, Mon 16 (30.5).
    case("naturales-ends-saturday", CL, add_dias_naturales, "2026-03-04", 10, "2026-03-16"),
    # Notified Thu 2026-03-05: the 10th is Sun 15, moved to Mon 16.
    case("naturales-ends-sunday", CL, add_dias_naturales, "2026-03-05", 10, "2026-03-16"),
    # Notified Tue 2026-03-24: the 10th is Fri 3 April, Viernes Santo. Sat and Sun follow;
    # Easter Monday is hábil in CL, so the plazo ends Mon 6.
    case("naturales-ends-viernes-santo-CL", CL, add_dias_naturales, "2026-03-24", 10, "2026-04-06"),
    # Same notice in Cataluña: Easter Monday is also inhábil, so it ends Tue 7.
    case("naturales-ends-viernes-santo-CT", CT, add_dias_naturales, "2026-03-24", 10, "2026-04-07"),
    # Holidays inside a plazo of días naturales do not lengthen it: notified Mon
    # 2026-03-30, the 10th is Thu 9 April, hábil, although Thu 2 and Fri 3 were holidays.
    case("naturales-holidays-inside", CL, add_dias_naturales, "2026-03-30", 10, "2026-04-09"),
    # Notified Tue 2026-12-22: the 10th is Fri 1 January 2027 (Año Nuevo), then Sat 2 and
    # Sun 3: the plazo ends Mon 4 January.
    case("naturales-ends-anio-nuevo", CL_25_27, add_dias_naturales, "2026-12-22", 10, "2027-01-04"),
    # Layered calendar: notified Mon 2026-12-14, 10 días naturales: the 10th is Thu 24, a
    # day the registry is closed (inhábil in its calendar, 31.3); Fri 25 is Navidad, then
    # Sat 26 and Sun 27: the plazo moves to Mon 28 (30.5).
    case("naturales-ends-on-registro-closure", LAYERED, add_dias_naturales, "2026-12-14", 10,
         "2026-12-28"),
    # --- months (art. 30.4 and 30.5) ---
    # Notified Mon 2026-03-16, 1 month: ends on the same day number, Thu 16 April.
    case("mes-plain", CL, add_meses, "2026-03-16", 1, "2026-04-16"),
    # Recurso de reposición (1 month) notified Tue 2026-06-30: ends Thu 30 July, the same
    # day number — neither the 29th nor the 31st.
    case("mes-same-day-number", CL, add_meses, "2026-06-30", 1, "2026-07-30"),
    # Notified Tue 2026-03-31, 1 month: April has no 31st, so the plazo expires on the
    # last day of the month, Thu 30 April (30.4 last sentence).
    case("mes-31-into-30-day-month", CL, add_meses, "2026-03-31", 1, "2026-04-30"),
    # Notified Sat 2026-01-31, 1 month: February 2026 (not leap) has 28 days; Sat 28 is
    # inhábil, so the plazo moves to Mon 2 March (30.5).
    case("mes-febrero-no-bisiesto", WEEKENDS_ONLY, add_meses, "2026-01-31", 1, "2026-03-02"),
    # Notified Mon 2028-01-31, 1 month: 2028 is leap, the last day is Tue 29 February.
    case("mes-febrero-bisiesto", WEEKENDS_ONLY, add_meses, "2028-01-31", 1, "2028-02-29"),
    # Notified Sat 2026-09-12, 1 month: Mon 12 October is the Fiesta Nacional; moved to
    # Tue 13.
    case("mes-ends-on-holiday", CL, add_meses, "2026-09-12", 1, "2026-10-13"),
    # Notified Mon 2026-11-30, 3 months: February 2027 has no 30th, so the 28th, a Sunday;
    # moved to Mon 1 March.
    case("meses-3-february", CL_25_27, add_meses, "2026-11-30", 3, "2027-03-01"),
    # Same notice where Mon 1 March 2027 is a holiday (AN-like, test): moved to Tue 2.
    case("meses-3-february-holiday", AN_26_27, add_meses, "2026-11-30", 3, "2027-03-02"),
    # Notified Tue 2026-12-15, 2 months: Mon 15 February 2027.
    case("meses-across-year", CL_25_27, add_meses, "2026-12-15", 2, "2027-02-15"),
    # Layered calendar: notified Wed 2026-09-02, 1 month: Fri 2 October, the second fiesta
    # local; the weekend follows, so the plazo ends Mon 5 October (30.4, 30.5).
    case("mes-ends-on-second-fiesta-local", LAYERED, add_meses, "2026-09-02", 1, "2026-10-05"),
    # --- years (art. 30.4 and 30.5) ---
    # Published Wed 2026-05-20, 1 year: Thu 20 May 2027.
    case("anio-plain", CL_25_27, add_anios, "2026-05-20", 1, "2027-05-20"),
    # Notified Tue 2028-02-29, 1 year: 2029 has no 29 February, so the last day of the
    # month, Wed 28 February 2029.
    case("anio-from-29-february", WEEKENDS_ONLY, add_anios, "2028-02-29", 1, "2029-02-28"),
    # Notified Tue 2028-02-29, 4 years: Sun 29 February 2032 exists but is inhábil; moved
    # to Mon 1 March 2032.
    case("anios-4-from-29-february", WEEKENDS_ONLY, add_anios, "2028-02-29", 4, "2032-03-01"),
    # Notified on Mon 2025-12-08 (Inmaculada, an electronic access), 1 year: Tue 8 December
    # 2026 is again the Inmaculada, moved to Wed 9.
    case("anio-ends-on-holiday", CL_25_27, add_anios, "2025-12-08", 1, "2026-12-09"),
    # Notified Wed 2025-04-23, 2 years: Fri 23 April 2027 (Fiesta de Castilla y León,
    # test), moved over the weekend to Mon 26.
    case("anios-2-ends-on-fiesta-CL", CL_25_27, add_anios, "2025-04-23", 2, "2027-04-26"),
]


def test_the_table_has_30_cases_each_with_its_reasoning() -> None:
    # Ley 39/2015 art. 30 is checked on at least 30 worked cases, and each case is preceded
    # by the comment that reasons it out (which articles apply and how the days count).
    lines = Path(__file__).read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines)
              if line.startswith(("    case(", "    pytest.param("))]
    assert len(PLAZOS) + len(REGISTRO_CASES) == len(starts) >= 30
    silent = [lines[i].strip() for i in starts if not lines[i - 1].lstrip().startswith("#")]
    assert not silent, "cases without their reasoning:\n" + "\n".join(silent)


@pytest.mark.parametrize(("calendar", "function", "start", "n", "expected"), PLAZOS)
def test_plazo(
    calendar: WorkingCalendar, function: Plazo, start: dt.date, n: int, expected: dt.date
) -> None:
    assert function(calendar, start, n) == expected


REGISTRO_CLOSURE = days("registro", "O00000000", "2026-03-10")  # test: a registry closure
REGISTRO = WorkingCalendar(NATIONAL_2026 + CL_2026 + REGISTRO_CLOSURE, years=[2026])
CANARIAS = WorkingCalendar(NATIONAL_2026, years=[2026], zone="Atlantic/Canary")

REGISTRO_CASES = [
    # A working day: the presentation counts when it was made.
    pytest.param(CL, "2026-03-11T10:15:00+01:00", "2026-03-11T10:15:00+01:00", id="working"),
    # Sun 2026-03-15 18:30: inhábil; counts as made at the first hour of Mon 16 (31.2.b).
    pytest.param(CL, "2026-03-15T18:30:00+01:00", "2026-03-16T00:00:00+01:00", id="sunday"),
    # Thu 2026-04-02 (Jueves Santo, CL) 11:00: Fri 3, Sat 4, Sun 5 are inhábiles too;
    # Easter Monday is hábil in CL: Mon 6 at 00:00, summer time (+02:00).
    pytest.param(CL, "2026-04-02T11:00:00+02:00", "2026-04-06T00:00:00+02:00", id="holiday"),
    # Fri 2026-03-13 23:59:59 is still Friday, hábil: no move.
    pytest.param(
        CL, "2026-03-13T23:59:59+01:00", "2026-03-13T23:59:59+01:00", id="just-before-midnight"
    ),
    # Two seconds later it is Saturday: Mon 16 at 00:00.
    pytest.param(
        CL, "2026-03-14T00:00:01+01:00", "2026-03-16T00:00:00+01:00", id="just-after-midnight"
    ),
    # A server clock in UTC: Fri 23:30 UTC is Sat 00:30 in Madrid (the seat's official time,
    # art. 31.2), so it moves to Mon 16.
    pytest.param(CL, "2026-03-13T23:30:00+00:00", "2026-03-16T00:00:00+01:00", id="utc-winter"),
    # Summer: Fri 2026-07-10 22:30 UTC is Sat 00:30 CEST: Mon 13 at 00:00 +02:00.
    pytest.param(CL, "2026-07-10T22:30:00+00:00", "2026-07-13T00:00:00+02:00", id="utc-summer"),
    # The same instant for an administración seated in Canarias is Fri 23:30 WET: hábil.
    pytest.param(
        CANARIAS, "2026-03-13T23:30:00+00:00", "2026-03-13T23:30:00+00:00", id="canarias-seat"
    ),
    # A registry closure (scope registro, test) on Tue 2026-03-10: moved to Wed 11.
    pytest.param(
        REGISTRO, "2026-03-10T09:00:00+01:00", "2026-03-11T00:00:00+01:00", id="registro-closure"
    ),
]


@pytest.mark.parametrize(("calendar", "received", "official"), REGISTRO_CASES)
def test_fecha_oficial_presentacion(
    calendar: WorkingCalendar, received: str, official: str
) -> None:
    result = fecha_oficial_presentacion(calendar, dt.datetime.fromisoformat(received))
    expected = dt.datetime.fromisoformat(official)
    assert result.official_at == expected
    assert result.official_at.utcoffset() == expected.utcoffset()
    assert result.official_at.tzinfo == calendar.zone
    # The original time is kept for the asiento, in the seat's zone.
    assert result.received_at == dt.datetime.fromisoformat(received)
    assert result.received_at.tzinfo == calendar.zone
    assert result.moved == (received != official)


def test_registro_order_of_art_31_2_b() -> None:
    # Presented Sat 21:00 and Sun 08:00, then Mon 09:00: the weekend ones keep their order
    # and precede Monday's, all three counting from Monday.
    moments = ["2026-03-16T09:00:00+01:00", "2026-03-15T08:00:00+01:00",
               "2026-03-14T21:00:00+01:00"]  # fmt: skip
    results = [fecha_oficial_presentacion(CL, dt.datetime.fromisoformat(m)) for m in moments]
    ordered = sorted(results, key=PresentacionRegistro.sort_key)
    assert [r.received_at.isoformat() for r in ordered] == list(reversed(moments))
    assert {r.official_at.date() for r in results} == {dt.date(2026, 3, 16)}


def test_registro_order_in_the_repeated_hour_of_october() -> None:
    # Sun 2026-10-25 the clocks go back at 03:00 CEST to 02:00 CET. 00:30 UTC is 02:30
    # CEST; the later 01:10 UTC is 02:10 CET. Both move to Mon 26 at 00:00 and keep the
    # real order, although the second shows an earlier wall time.
    first = fecha_oficial_presentacion(CL, dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC))
    second = fecha_oficial_presentacion(CL, dt.datetime(2026, 10, 25, 1, 10, tzinfo=dt.UTC))
    assert (first.received_at.hour, second.received_at.hour) == (2, 2)
    assert second.received_at.minute < first.received_at.minute
    assert first.official_at.isoformat() == "2026-10-26T00:00:00+01:00"
    assert sorted([second, first], key=PresentacionRegistro.sort_key) == [first, second]


PLAZO_FUNCTIONS = [add_dias_habiles, add_dias_naturales, add_meses, add_anios]


@pytest.mark.parametrize("function", PLAZO_FUNCTIONS)
@pytest.mark.parametrize("n", [0, -1, -30])
def test_zero_and_negative_lengths_are_refused(function: Plazo, n: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        function(CL, dt.date(2026, 3, 2), n)


@pytest.mark.parametrize("function", PLAZO_FUNCTIONS)
@pytest.mark.parametrize("n", [1.5, True, "3"])
def test_non_integer_lengths_are_refused(function: Plazo, n: object) -> None:
    with pytest.raises(TypeError):
        function(CL, dt.date(2026, 3, 2), n)


@pytest.mark.parametrize("function", PLAZO_FUNCTIONS)
def test_a_datetime_start_is_refused(function: Plazo) -> None:
    # A datetime in another zone could be another calendar day at the seat.
    with pytest.raises(TypeError, match="local_date"):
        function(CL, dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC), 1)


def test_a_naive_presentation_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        fecha_oficial_presentacion(CL, dt.datetime(2026, 3, 15, 10, 0))


def test_a_plazo_beyond_the_calendar_years_is_refused() -> None:
    # CL covers 2026 only: 5 días hábiles from Mon 2026-12-28 reach January 2027, whose
    # holidays this calendar does not know.
    with pytest.raises(OutsideCalendarError, match="2027-01-01"):
        add_dias_habiles(CL, dt.date(2026, 12, 28), 5)


# --- the same rules on the shipped data (data/festivos.toml) ---


def test_shipped_data_semana_santa_castilla_y_leon() -> None:
    # The brief's case on the shipped CL calendar: notified Fri 2026-03-27, 10 días
    # hábiles end Tue 14 April (see habiles-semana-santa-CL).
    calendar = calendar_for([2026], "CL")
    assert add_dias_habiles(calendar, dt.date(2026, 3, 27), 10) == dt.date(2026, 4, 14)


def test_shipped_data_moved_fiesta_nacional_2025() -> None:
    # 12 October 2025 was a Sunday; Castilla y León moved it to Mon 13, Galicia did not.
    # Notified Fri 2025-10-03, 10 días naturales: the 10th is Mon 13.
    start = dt.date(2025, 10, 3)
    assert add_dias_naturales(calendar_for([2025], "CL"), start, 10) == dt.date(2025, 10, 14)
    assert add_dias_naturales(calendar_for([2025], "GA"), start, 10) == dt.date(2025, 10, 13)


def test_shipped_data_combined_seat_and_residence() -> None:
    # Seat in Castilla y León, interesado in Cataluña, 2026: 2 April (Jueves Santo, CL) and
    # 6 April (Lunes de Pascua, CT) are both inhábiles (art. 30.6).
    combined = calendar_for([2026], "CL").combined_with(calendar_for([2026], "CT"))
    assert add_dias_habiles(combined, dt.date(2026, 3, 27), 10) == dt.date(2026, 4, 15)
