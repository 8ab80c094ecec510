"""Dates, times and numbers written the way the request's language writes them (Babel).

Installed as Jinja filters: ``{{ day | date }}``, ``{{ day | date("full") }}``,
``{{ moment | datetime }}``, ``{{ 1234.5 | number }}``. Aware datetimes are shown at the
official time of the sede (Europe/Madrid), whatever zone they carry.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.numbers import format_decimal as _format_decimal

from core.calendar import MADRID
from core.web.i18n import current_language


@functools.cache
def _locale(lang: str) -> Locale:
    """The Babel locale of a language, parsed once (parsing costs more than formatting)."""
    return Locale.parse(lang)


@functools.lru_cache(maxsize=4096)
def _date_text(day: dt.date, style: str, lang: str) -> str:
    """A day as written in a language (lists repeat the same few days: formatted once)."""
    return _format_date(day, format=style, locale=_locale(lang))


def format_date(day: dt.date | None, style: str = "long") -> str:
    if day is None:
        return ""
    return _date_text(day, style, current_language())


def format_datetime(moment: dt.datetime | None, style: str = "long") -> str:
    if moment is None:
        return ""
    return _format_datetime(moment, format=style, tzinfo=MADRID,
                            locale=_locale(current_language()))


def format_number(value: int | float | Decimal | None) -> str:
    return "" if value is None else _format_decimal(value, locale=_locale(current_language()))


def language_name(code: str) -> str:
    """A language's name in that language, as a selector shows it: "Euskara", "Galego"."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


FILTERS = {"date": format_date, "datetime": format_datetime, "number": format_number}
