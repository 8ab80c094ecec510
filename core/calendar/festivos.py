"""Holiday data shipped with the platform (`data/festivos.toml`) and the calendar builder.

The file holds, per year, the national days, those of a few communities (AN, CL, CT, GA,
MD, PV) and the local days of the demo municipalities of Soria; see its header for the
sources and for what ``verified = false`` means. The platform's tables (`core.calendar_app`)
hold the same `NonWorkingDay` records per tenant, loaded from this data.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Iterable
from importlib import resources

import msgspec

from core.calendar.working import MADRID, NonWorkingDay, Scope, WorkingCalendar


class MissingHolidayData(LookupError):
    """The data file has no calendar for that year and layer."""


class _Entry(msgspec.Struct, forbid_unknown_fields=True):
    date: dt.date
    name: str
    verified: bool | None = None


class _Block(msgspec.Struct, forbid_unknown_fields=True):
    year: int
    scope: Scope
    verified: bool
    days: list[_Entry]
    region: str | None = None

    def records(self) -> list[NonWorkingDay]:
        return [
            NonWorkingDay(
                date=e.date,
                scope=self.scope,
                name=e.name,
                region=self.region,
                verified=self.verified if e.verified is None else e.verified,
            )
            for e in self.days
        ]


class _File(msgspec.Struct, forbid_unknown_fields=True):
    communities: dict[str, str]
    calendar: list[_Block]


@functools.cache
def _file() -> _File:
    text = resources.files("core.calendar").joinpath("data/festivos.toml").read_text("utf-8")
    return msgspec.convert(tomllib.loads(text), _File)


@functools.cache
def _blocks() -> dict[tuple[int, Scope, str | None], _Block]:
    data = _file()
    blocks: dict[tuple[int, Scope, str | None], _Block] = {}
    for block in data.calendar:
        key = (block.year, block.scope, block.region)
        if key in blocks:
            raise ValueError(f"festivos.toml: duplicate block {key}")
        if any(e.date.year != block.year for e in block.days):
            raise ValueError(f"festivos.toml: block {key} has a date of another year")
        if block.scope == "autonomica" and block.region not in data.communities:
            raise ValueError(f"festivos.toml: unknown community {block.region!r}")
        blocks[key] = block
    return blocks


def _layer(year: int, scope: Scope, region: str | None) -> list[NonWorkingDay]:
    block = _blocks().get((year, scope, region))
    if block is None:
        where = f" for {region}" if region else ""
        raise MissingHolidayData(f"no {scope} holidays{where} in {year} in festivos.toml")
    return block.records()


def communities() -> dict[str, str]:
    """Community codes that have data, with their names."""
    return dict(_file().communities)


def load_year(year: int, community: str | None = None) -> list[NonWorkingDay]:
    """National days of `year`, plus those of `community` (e.g. ``"CL"``) when given.

    Raises `MissingHolidayData` when the file lacks the year or the community's year:
    an incomplete calendar would silently compute wrong plazos.
    """
    days = _layer(year, "national", None)
    if community is not None:
        days += _layer(year, "autonomica", community)
    return days


def load_local(year: int, ine_code: str) -> list[NonWorkingDay]:
    """The fiestas locales of the municipality `ine_code` (e.g. ``"42173"``) in `year`."""
    return _layer(year, "local", ine_code)


def calendar_for(
    years: Iterable[int],
    community: str,
    local_days: Iterable[NonWorkingDay] = (),
    registro_days: Iterable[NonWorkingDay] = (),
    *,
    zone: str = MADRID.key,
) -> WorkingCalendar:
    """A calendar over `years` for `community`, with the given local and registro layers."""
    years = list(years)
    shipped = [day for year in years for day in load_year(year, community)]
    return WorkingCalendar([*shipped, *local_days, *registro_days], years=years, zone=zone)
