"""The legal clock on real calendars (core.calendar): 10 natural days to access counted
from the day after disposal at the seat's time (art. 43.2), 10 días hábiles to issue
(art. 40.2), the second paper attempt (art. 42.2)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.calendar import MADRID, calendar_for
from plugins.notificaciones import plazos

CAL = calendar_for([2025, 2026, 2027], "CL")


def madrid(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MADRID)


@pytest.mark.parametrize(("disposed", "last_day"), [
    (madrid(2026, 3, 2, 9, 0), dt.date(2026, 3, 12)),     # a Monday: day 1 is Tuesday
    (madrid(2026, 3, 2, 23, 59), dt.date(2026, 3, 12)),   # late the same day: same count
    (madrid(2026, 1, 25, 12, 0), dt.date(2026, 2, 4)),    # across a month end
    (madrid(2026, 2, 20, 12, 0), dt.date(2026, 3, 2)),    # February has 28 days in 2026
    (madrid(2027, 2, 25, 12, 0), dt.date(2027, 3, 7)),    # ends on a Sunday: kept
    (madrid(2026, 12, 28, 10, 0), dt.date(2027, 1, 7)),   # across the year end
    (madrid(2026, 4, 3, 10, 0), dt.date(2026, 4, 13)),    # Viernes Santo: holidays count
    (madrid(2026, 3, 27, 10, 0), dt.date(2026, 4, 6)),    # ends on Easter Monday: not moved
])
def test_ten_natural_days_from_the_day_after_disposal(disposed, last_day):
    assert plazos.access_until(CAL, disposed) == last_day


def test_the_day_of_disposal_is_the_date_at_the_seat_not_in_utc():
    # 23:30 UTC on 31 January is 00:30 on 1 February in Madrid: day 1 is 2 February
    late = dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC)
    assert plazos.access_until(CAL, late) == dt.date(2026, 2, 11)
    early = dt.datetime(2026, 1, 31, 22, 30, tzinfo=dt.UTC)  # 23:30 in Madrid
    assert plazos.access_until(CAL, early) == dt.date(2026, 2, 10)


def test_weekends_do_not_move_the_last_day():
    last = plazos.access_until(CAL, madrid(2026, 3, 4, 10, 0))  # a Wednesday
    assert last == dt.date(2026, 3, 14) and last.weekday() == 5  # a Saturday, kept


def test_rejected_from_the_first_minute_of_the_eleventh_day():
    last = dt.date(2026, 2, 4)
    assert not plazos.is_expired(CAL, last, madrid(2026, 2, 4, 23, 59))
    assert plazos.is_expired(CAL, last, madrid(2026, 2, 5, 0, 0))
    # 23:30 UTC on the 4th is already the 5th in Madrid
    assert plazos.is_expired(CAL, last, dt.datetime(2026, 2, 4, 23, 30, tzinfo=dt.UTC))


@pytest.mark.parametrize(("act", "due"), [
    (dt.date(2026, 3, 2), dt.date(2026, 3, 16)),   # Monday → two working weeks later
    (dt.date(2026, 3, 27), dt.date(2026, 4, 14)),  # Semana Santa in Castilla y León:
                                                   # Jueves 2/4, Viernes 3/4 inhábiles
    (dt.date(2026, 12, 22), dt.date(2027, 1, 8)),  # 25/12, 1/1 and 6/1 skipped
    (dt.date(2026, 2, 20), dt.date(2026, 3, 6)),   # across the end of February
])
def test_the_notice_is_due_within_ten_dias_habiles_of_the_act(act, due):
    assert plazos.issue_until(CAL, act) == due


def test_a_second_attempt_in_the_afternoon_within_three_dias_habiles_is_accepted():
    plazos.check_second_attempt(CAL, madrid(2026, 3, 6, 10, 0), madrid(2026, 3, 11, 17, 0))


@pytest.mark.parametrize(("second", "message"), [
    (madrid(2026, 3, 12, 17, 0), "tres días hábiles"),  # Fri 6 + 3 hábiles = Wed 11
    (madrid(2026, 3, 9, 11, 0), "hora distinta"),       # morning again
    (madrid(2026, 3, 6, 9, 0), "posterior"),
])
def test_a_second_attempt_out_of_time_or_at_the_same_hour_is_refused(second, message):
    with pytest.raises(plazos.InvalidAttempt, match=message):
        plazos.check_second_attempt(CAL, madrid(2026, 3, 6, 10, 0), second)


def test_two_attempts_either_side_of_three_pm_need_three_hours_between_them():
    with pytest.raises(plazos.InvalidAttempt, match="tres horas"):
        plazos.check_second_attempt(CAL, madrid(2026, 3, 6, 14, 0), madrid(2026, 3, 9, 16, 0))
