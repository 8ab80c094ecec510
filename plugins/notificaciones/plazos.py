"""The legal clock of notifications, on the entity's calendar (``core.calendar``).

- Access (art. 43.2 Ley 39/2015): an electronic notification not accessed within **10 días
  naturales** counted from the day after its puesta a disposición is taken as rejected.
  The day of disposal is the calendar date at the seat (the calendar's official zone,
  art. 31.2); day 1 is the next day (art. 30.3); every day counts, weekends and holidays
  included, and the last day is not moved (it is not a plazo for the interesado to act:
  Notific@ / DEHú expire on the tenth natural day likewise). Access is possible until the
  end of ``expires_on``; from 00:00 of the next day it counts as rejected.
- Issue (art. 40.2): the notice must be sent within **10 días** from the act: días hábiles
  (art. 30.2, the law does not say naturales), counted from the day after.
- Paper (art. 42.2; RD 1829/1999 art. 42): the second attempt within the **3 días
  (hábiles)** after the first, at another hour: one before 15:00 and the other after, at
  least three hours apart.
"""

from __future__ import annotations

import datetime as dt

from core.calendar import WorkingCalendar, add_dias_habiles
from core.errors import DomainError

ACCESS_DAYS = 10
ISSUE_DAYS = 10
SECOND_ATTEMPT_DAYS = 3
MIN_HOURS_APART = 3
AFTERNOON = dt.time(15, 0)


class InvalidAttempt(DomainError):
    """A paper delivery attempt that breaks art. 42.2; the message says which rule."""


def access_until(cal: WorkingCalendar, disposed_at: dt.datetime) -> dt.date:
    """The last day on which a notification put at disposal at ``disposed_at`` can be
    accessed (art. 43.2): ten natural days after the day of disposal, at the seat."""
    return cal.local_date(disposed_at) + dt.timedelta(days=ACCESS_DAYS)


def is_expired(cal: WorkingCalendar, expires_on: dt.date, now: dt.datetime) -> bool:
    """True from 00:00 (at the seat) of the day after ``expires_on``."""
    return cal.local_date(now) > expires_on


def issue_until(cal: WorkingCalendar, act_date: dt.date) -> dt.date:
    """The last día hábil to send the notice of an act dictated on ``act_date``."""
    return add_dias_habiles(cal, act_date, ISSUE_DAYS)


def check_second_attempt(cal: WorkingCalendar, first: dt.datetime,
                         second: dt.datetime) -> None:
    """Refuse a second paper attempt out of time or at the same hour (art. 42.2)."""
    one, two = cal.to_official_time(first), cal.to_official_time(second)
    if two <= one:
        raise InvalidAttempt("El segundo intento debe ser posterior al primero")
    last_day = add_dias_habiles(cal, one.date(), SECOND_ATTEMPT_DAYS)
    if two.date() > last_day:
        raise InvalidAttempt("El segundo intento debe hacerse dentro de los tres días "
                             f"hábiles siguientes al primero (hasta el {last_day:%d/%m/%Y})")
    if (one.time() < AFTERNOON) == (two.time() < AFTERNOON):
        raise InvalidAttempt("El segundo intento debe hacerse en una hora distinta: si el "
                             "primero fue antes de las 15:00, después, y al revés")
    same_day_gap = dt.datetime.combine(one.date(), two.time()) - dt.datetime.combine(
        one.date(), one.time())
    if abs(same_day_gap) < dt.timedelta(hours=MIN_HOURS_APART):
        raise InvalidAttempt("Entre los dos intentos debe haber al menos tres horas de "
                             "diferencia")
