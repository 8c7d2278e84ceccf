"""The working-time calendar: statutory days, office hours, deadlines, durations and overrides.

Expected values are worked out by hand from the official schedules (office hours 09:00-12:00
and 13:00-18:00 unless a test says otherwise).
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import chinese_calendar
import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.calendar import (
    PROVISIONAL_BIT,
    Clock,
    Deadline,
    Duration,
    WorkCalendar,
    add_calendar_hours,
    add_duration,
    add_working_days,
    add_working_hours,
    known_years,
    parse_duration,
    provisional_warning,
    target_of,
    unknown_years,
    working_hours_between,
)
from toolkit.i18n import use_language
from toolkit.model.office_days import parse_overrides

pytestmark = pytest.mark.usefixtures("speak_english")  # checks English wording (Chinese: test_chinese_first.py)

CAL = WorkCalendar()
UNKNOWN_YEAR = 2031  # chinese_calendar 1.11 knows 2004-2026


def at(*args):
    return Deadline(datetime(*args), False)


def days(first, last):
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


# -- the statutory calendar ---------------------------------------------------------------------


def test_known_years_are_a_range_including_2025_and_2026_but_not_the_unknown_year():
    years = known_years()
    assert {2025, 2026} <= years
    assert UNKNOWN_YEAR not in years
    assert years == frozenset(range(min(years), max(years) + 1))
    assert unknown_years([2025, UNKNOWN_YEAR, UNKNOWN_YEAR, 2026]) == [UNKNOWN_YEAR]
    with use_language("zh"):
        assert "2031" in provisional_warning(2031) and "暂定" in provisional_warning(2031)
    assert "2031" in provisional_warning(2031) and "provisional" in provisional_warning(2031)


def test_national_day_2025_days_off_and_make_up_weekends():
    for d in days(date(2025, 10, 1), date(2025, 10, 8)):
        assert not CAL.is_workday(d), d
    assert CAL.is_workday(date(2025, 9, 28))  # Sunday make-up day
    assert CAL.is_workday(date(2025, 10, 11))  # Saturday make-up day
    assert not CAL.is_workday(date(2025, 9, 27))  # ordinary Saturday
    assert CAL.is_known(date(2025, 10, 1))


def test_national_day_2025_working_days_skip_the_holiday():
    # Sep 30 does not count; the next working days are Oct 9 and Oct 10.
    assert add_working_days(CAL, datetime(2025, 9, 30, 17), 2) == at(2025, 10, 10, 18)
    # Friday Oct 10 + 1 working day = Saturday Oct 11 (make-up day).
    assert add_working_days(CAL, datetime(2025, 10, 10, 9), 1) == at(2025, 10, 11, 18)


def test_national_day_2025_working_hours_skip_the_holiday():
    # 1 hour on Sep 30 (17-18), 1 hour on Oct 9 (9-10).
    assert add_working_hours(CAL, datetime(2025, 9, 30, 17), 2) == at(2025, 10, 9, 10)


def test_saturday_start_runs_on_the_sunday_make_up_day():
    assert add_working_hours(CAL, datetime(2025, 9, 27, 10), 8) == at(2025, 9, 28, 18)


def test_spring_festival_2026_matches_the_official_schedule():
    # Official 2026 schedule: Feb 15-23 off; Saturday Feb 14 and Saturday Feb 28 are working days.
    off = set(days(date(2026, 2, 15), date(2026, 2, 23)))
    for d in off:
        assert not chinese_calendar.is_workday(d), d
        assert not CAL.is_workday(d), d
    for d in (date(2026, 2, 14), date(2026, 2, 28)):
        assert chinese_calendar.is_workday(d), d
        assert CAL.is_workday(d), d
    # The rest of February follows Monday-Friday.
    for d in days(date(2026, 2, 1), date(2026, 3, 1)):
        if d not in off and d not in (date(2026, 2, 14), date(2026, 2, 28)):
            assert CAL.is_workday(d) == (d.weekday() < 5), d


def test_spring_festival_2026_deadlines():
    # Fri Feb 13 17-18 (1h), Sat Feb 14 9-10 (1h).
    assert add_working_hours(CAL, datetime(2026, 2, 13, 17), 2) == at(2026, 2, 14, 10)
    # Sat Feb 14 17-18 (1h), then Tue Feb 24 9-12 (3h) and 13-17 (4h).
    assert add_working_hours(CAL, datetime(2026, 2, 14, 17), 8) == at(2026, 2, 24, 17)
    # The working day after Sat Feb 14 is Tue Feb 24.
    assert add_working_days(CAL, datetime(2026, 2, 14, 10), 1) == at(2026, 2, 24, 18)
    # Friday Feb 27 + 1 working day = Saturday Feb 28 (make-up day).
    assert add_working_days(CAL, datetime(2026, 2, 27, 10), 1) == at(2026, 2, 28, 18)


# -- office hours ------------------------------------------------------------------------------
# 2025-03-03 .. 2025-03-07 is an ordinary Monday-Friday week.


@pytest.mark.parametrize(
    "start,hours,expected",
    [
        (datetime(2025, 3, 4, 11, 30), 1, datetime(2025, 3, 4, 13, 30)),  # over lunch
        (datetime(2025, 3, 4, 17, 30), 1, datetime(2025, 3, 5, 9, 30)),  # over the night
        (datetime(2025, 3, 7, 17, 30), 1, datetime(2025, 3, 10, 9, 30)),  # over the weekend
        (datetime(2025, 3, 4, 12, 0), 1, datetime(2025, 3, 4, 14, 0)),  # start exactly at 12:00
        (datetime(2025, 3, 4, 12, 30), 1, datetime(2025, 3, 4, 14, 0)),  # start in lunch
        (datetime(2025, 3, 4, 18, 0), 1, datetime(2025, 3, 5, 10, 0)),  # start exactly at 18:00
        (datetime(2025, 3, 4, 7, 0), 1, datetime(2025, 3, 4, 10, 0)),  # start before opening
        (datetime(2025, 3, 8, 10, 0), 1, datetime(2025, 3, 10, 10, 0)),  # start on Saturday
        (datetime(2025, 3, 4, 17, 0), 1, datetime(2025, 3, 4, 18, 0)),  # lands exactly at 18:00
        (datetime(2025, 3, 4, 11, 0), 1, datetime(2025, 3, 4, 12, 0)),  # lands exactly at 12:00
        (datetime(2025, 3, 4, 9, 0), 8, datetime(2025, 3, 4, 18, 0)),  # a whole day
        (datetime(2025, 3, 4, 9, 0), 9, datetime(2025, 3, 5, 10, 0)),
        (datetime(2025, 3, 4, 9, 0), 16, datetime(2025, 3, 5, 18, 0)),  # two whole days
        (datetime(2025, 3, 4, 10, 0), 24, datetime(2025, 3, 7, 10, 0)),  # 7 + 8 + 8 + 1
        (datetime(2025, 3, 4, 11, 0), 1.25, datetime(2025, 3, 4, 13, 15)),
        (datetime(2025, 3, 4, 10, 0), 0.5, datetime(2025, 3, 4, 10, 30)),
    ],
)
def test_working_hours_follow_office_hours(start, hours, expected):
    assert add_working_hours(CAL, start, hours) == Deadline(expected, False)


@pytest.mark.parametrize(
    "start,expected",
    [
        (datetime(2025, 3, 4, 10, 0), datetime(2025, 3, 4, 10, 0)),  # inside: the start itself
        (datetime(2025, 3, 4, 12, 0), datetime(2025, 3, 4, 13, 0)),
        (datetime(2025, 3, 4, 12, 30), datetime(2025, 3, 4, 13, 0)),
        (datetime(2025, 3, 4, 18, 0), datetime(2025, 3, 5, 9, 0)),
        (datetime(2025, 3, 8, 10, 0), datetime(2025, 3, 10, 9, 0)),
    ],
)
def test_zero_working_hours_gives_the_next_opening(start, expected):
    assert add_working_hours(CAL, start, 0) == Deadline(expected, False)


def test_custom_office_hours():
    cal = WorkCalendar(office_hours=[("08:30", "12:00"), (time(14, 0), time(17, 30))])
    assert cal.day_span == timedelta(hours=7)
    assert add_working_hours(cal, datetime(2025, 3, 4, 11, 0), 2) == at(2025, 3, 4, 15, 0)
    assert add_working_days(cal, datetime(2025, 3, 4, 11, 0), 1) == at(2025, 3, 5, 17, 30)
    assert add_working_hours(cal, datetime(2025, 3, 4, 8, 30), 7) == at(2025, 3, 4, 17, 30)


@pytest.mark.parametrize(
    "bad", [[], [("12:00", "09:00")], [("09:00", "13:00"), ("12:00", "18:00")], [("9 o'clock", "12:00")]]
)
def test_bad_office_hours_are_rejected(bad):
    with pytest.raises(ValueError):
        WorkCalendar(office_hours=bad)


def test_bad_amounts_are_rejected():
    with pytest.raises(ValueError):
        add_working_hours(CAL, datetime(2025, 3, 4, 10), -1)
    with pytest.raises(ValueError):
        add_working_hours(CAL, datetime(2025, 3, 4, 10), float("nan"))
    with pytest.raises(ValueError):
        add_working_days(CAL, datetime(2025, 3, 4, 10), -1)
    with pytest.raises(TypeError):
        add_working_days(CAL, datetime(2025, 3, 4, 10), 1.5)


# -- working days -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start,n,expected",
    [
        (datetime(2025, 3, 4, 10), 2, datetime(2025, 3, 6, 18)),  # Tuesday + 2 = Thursday close
        (datetime(2025, 3, 4, 10), 0, datetime(2025, 3, 4, 18)),  # same day
        (datetime(2025, 3, 8, 10), 0, datetime(2025, 3, 10, 18)),  # Saturday: next working day
        (datetime(2025, 3, 7, 17, 59), 1, datetime(2025, 3, 10, 18)),  # Friday + 1 = Monday
        (datetime(2025, 3, 8, 10), 1, datetime(2025, 3, 10, 18)),  # Saturday + 1 = Monday
        (datetime(2025, 3, 4, 10), 5, datetime(2025, 3, 11, 18)),  # a working week
    ],
)
def test_working_days_end_at_closing_time(start, n, expected):
    assert add_working_days(CAL, start, n) == Deadline(expected, False)


def test_calendar_hours_are_plain_clock_time():
    assert add_calendar_hours(CAL, datetime(2025, 9, 30, 17), 24) == at(2025, 10, 1, 17)
    assert add_calendar_hours(CAL, datetime(2025, 3, 4, 10), 2.5) == at(2025, 3, 4, 12, 30)


# -- pauses -------------------------------------------------------------------------------------


def test_a_pause_on_a_working_day_removes_its_working_hours():
    wait = [(datetime(2025, 3, 4, 10), datetime(2025, 3, 4, 15))]
    # 10-12 and 13-15 are paused: 4 working hours removed.
    assert working_hours_between(CAL, datetime(2025, 3, 4, 9), datetime(2025, 3, 4, 18), wait) == 4.0
    # Tue 9-10 (1h), 15-18 (3h), Wed 9-12 (3h), 13-14 (1h).
    assert add_working_hours(CAL, datetime(2025, 3, 4, 9), 8, wait) == at(2025, 3, 5, 14)


def test_a_pause_moves_a_working_days_deadline_by_the_working_time_it_removes():
    wait = [(datetime(2025, 3, 5, 10), datetime(2025, 3, 5, 15))]  # Wednesday, 4 working hours
    # Thursday 18:00 + 4 working hours = Friday 9-12 (3h) + 13-14 (1h).
    assert add_working_days(CAL, datetime(2025, 3, 4, 10), 2, wait) == at(2025, 3, 7, 14)
    later = [(datetime(2025, 3, 7, 10), datetime(2025, 3, 7, 11))]  # after the deadline
    assert add_working_days(CAL, datetime(2025, 3, 4, 10), 2, later) == at(2025, 3, 6, 18)


def test_pauses_outside_office_hours_change_nothing():
    night = [
        (datetime(2025, 3, 4, 18, 30), datetime(2025, 3, 5, 8, 0)),
        (datetime(2025, 3, 4, 12), datetime(2025, 3, 4, 13)),
    ]
    assert add_working_hours(CAL, datetime(2025, 3, 4, 17), 2, night) == at(2025, 3, 5, 10)


def test_overlapping_pauses_count_once():
    waits = [
        (datetime(2025, 3, 4, 10), datetime(2025, 3, 4, 11)),
        (datetime(2025, 3, 4, 10, 30), datetime(2025, 3, 4, 11, 30)),
    ]
    assert working_hours_between(CAL, datetime(2025, 3, 4, 9), datetime(2025, 3, 4, 12), waits) == 1.5


def test_pauses_extend_calendar_hours_by_their_overlap():
    night = [(datetime(2025, 3, 4, 20), datetime(2025, 3, 5, 2))]  # 6 hours
    assert add_calendar_hours(CAL, datetime(2025, 3, 4, 10), 24, night) == at(2025, 3, 5, 16)
    before = [(datetime(2025, 3, 4, 8), datetime(2025, 3, 4, 12))]  # 2 hours after the start
    assert add_calendar_hours(CAL, datetime(2025, 3, 4, 10), 24, before) == at(2025, 3, 5, 12)


def test_an_open_pause_puts_the_deadline_on_hold():
    hold = [(datetime(2025, 3, 4, 11), None)]
    start = datetime(2025, 3, 4, 9)
    for result in (
        add_working_hours(CAL, start, 8, hold),
        add_working_days(CAL, start, 1, hold),
        add_calendar_hours(CAL, start, 24, hold),
    ):
        assert result == Deadline(None, False)
        assert result.on_hold


def test_an_open_pause_from_before_the_start_holds_everything():
    hold = [(datetime(2025, 3, 3, 9), None)]
    assert add_working_hours(CAL, datetime(2025, 3, 4, 9), 0, hold).on_hold
    assert add_calendar_hours(CAL, datetime(2025, 3, 4, 9), 1, hold).on_hold


def test_an_open_pause_after_the_deadline_does_not_hold_it():
    hold = [(datetime(2025, 3, 4, 18, 30), None)]
    assert add_working_hours(CAL, datetime(2025, 3, 4, 9), 8, hold) == at(2025, 3, 4, 18)
    # Working time stops counting at the open pause.
    assert (
        working_hours_between(CAL, datetime(2025, 3, 4, 9), datetime(2025, 3, 6, 9), [(datetime(2025, 3, 4, 11), None)])
        == 2.0
    )


def test_a_pause_that_ends_before_it_starts_is_rejected():
    with pytest.raises(ValueError):
        add_working_hours(CAL, datetime(2025, 3, 4, 9), 1, [(datetime(2025, 3, 4, 11), datetime(2025, 3, 4, 10))])


# -- years the statutory calendar does not know --------------------------------------------------


def test_unknown_year_is_monday_to_friday_and_provisional():
    assert UNKNOWN_YEAR not in known_years()
    assert not CAL.is_known(date(2031, 1, 1))
    assert CAL.is_workday(date(2031, 1, 1))  # a Wednesday; New Year's Day not known to the library
    assert not CAL.is_workday(date(2031, 1, 4))  # Saturday
    # Fri Jan 3 17-18 (1h), Mon Jan 6 9-10 (1h).
    assert add_working_hours(CAL, datetime(2031, 1, 3, 17), 2) == Deadline(datetime(2031, 1, 6, 10), True)
    assert add_working_days(CAL, datetime(2031, 1, 3, 10), 1) == Deadline(datetime(2031, 1, 6, 18), True)
    assert add_calendar_hours(CAL, datetime(2031, 1, 3, 10), 1).provisional is False


def test_a_deadline_walking_into_an_unknown_year_is_provisional():
    # Thu 2026-12-31 17-18 (1h); Fri 2027-01-01 is counted Monday-Friday (1h).
    assert add_working_hours(CAL, datetime(2026, 12, 31, 17), 2) == Deadline(datetime(2027, 1, 1, 10), True)
    assert add_working_hours(CAL, datetime(2026, 12, 31, 9), 2) == at(2026, 12, 31, 11)


def test_office_overrides_apply_in_an_unknown_year():
    cal = WorkCalendar(closures={date(2031, 1, 6)}, extra_workdays={date(2031, 1, 4)})
    assert cal.is_workday(date(2031, 1, 4)) and not cal.is_workday(date(2031, 1, 6))
    # Fri Jan 3 + 1 = Sat Jan 4 (extra working day).
    assert add_working_days(cal, datetime(2031, 1, 3, 10), 1) == Deadline(datetime(2031, 1, 4, 18), True)
    # Sat Jan 4 + 1 = Tue Jan 7 (Mon Jan 6 closed).
    assert add_working_days(cal, datetime(2031, 1, 4, 10), 1) == Deadline(datetime(2031, 1, 7, 18), True)


# -- office overrides ---------------------------------------------------------------------------


def test_office_closure_beats_a_statutory_working_day():
    cal = WorkCalendar(closures={date(2025, 3, 4)})
    assert CAL.is_workday(date(2025, 3, 4)) and not cal.is_workday(date(2025, 3, 4))
    # Mon 17-18 (1h), Tue closed, Wed 9-10 (1h).
    assert add_working_hours(cal, datetime(2025, 3, 3, 17), 2) == at(2025, 3, 5, 10)


def test_office_extra_workday_beats_a_statutory_holiday():
    cal = WorkCalendar(extra_workdays={date(2025, 10, 1)})
    assert cal.is_workday(date(2025, 10, 1)) and not cal.is_workday(date(2025, 10, 2))
    assert add_working_hours(cal, datetime(2025, 9, 30, 17), 2) == at(2025, 10, 1, 10)
    assert add_working_days(cal, datetime(2025, 9, 30, 17), 2) == at(2025, 10, 9, 18)


def test_a_day_cannot_be_both_closed_and_an_extra_workday():
    with pytest.raises(ValueError):
        WorkCalendar(closures={date(2025, 3, 4)}, extra_workdays={date(2025, 3, 4)})


def test_parse_overrides_reads_staff_rows_and_reports_bad_ones():
    rows = [
        (date(2025, 12, 31), " Closure ", "year-end stocktake"),
        ("2025-12-27", "补班", ""),
        (datetime(2025, 12, 26, 0, 0), "停业", None),
        ("2025-12-20", "WORKDAY", "weekend push"),
        ("2025-12-13", " 加 班 ", ""),
        ("2025-12-01", "休息", ""),
        ("2025-11-30", "放假", ""),
        ("2025-11-29", "上班", ""),
        ("2025-02-30", "closure", "no such day"),
        ("next friday", "closure", ""),
        ("2025-12-02", "maybe", ""),
        (None, None, None),  # blank row: skipped silently
        ("2025-12-31", "workday", "contradicts row 0"),
    ]
    closures, workdays, problems = parse_overrides(rows)
    assert closures == {date(2025, 12, 31), date(2025, 12, 26), date(2025, 12, 1), date(2025, 11, 30)}
    assert workdays == {date(2025, 12, 27), date(2025, 12, 20), date(2025, 12, 13), date(2025, 11, 29)}
    assert [index for index, _ in problems] == [8, 9, 10, 12]
    assert "maybe" in problems[2][1] and "补班" in problems[2][1]
    cal = WorkCalendar(closures=closures, extra_workdays=workdays)
    assert not cal.is_workday(date(2025, 12, 31)) and cal.is_workday(date(2025, 12, 27))


# -- working hours between two times ------------------------------------------------------------


def test_working_hours_between_across_a_holiday_and_backwards():
    # Sep 30 9-18 (8h), Oct 1-8 off, Oct 9 9-12 (3h).
    a, b = datetime(2025, 9, 30, 9), datetime(2025, 10, 9, 12)
    assert working_hours_between(CAL, a, b) == 11.0
    assert working_hours_between(CAL, b, a) == -11.0
    # Done on Oct 9 10:00 against a deadline of Sep 30 18:00: 1 working hour late.
    assert working_hours_between(CAL, datetime(2025, 9, 30, 18), datetime(2025, 10, 9, 10)) == 1.0


def test_working_hours_between_simple_cases():
    assert working_hours_between(CAL, datetime(2025, 3, 3, 9), datetime(2025, 3, 10, 9)) == 40.0
    assert working_hours_between(CAL, datetime(2025, 3, 4, 11), datetime(2025, 3, 4, 14)) == 2.0
    assert working_hours_between(CAL, datetime(2025, 3, 8, 10), datetime(2025, 3, 9, 20)) == 0.0
    assert working_hours_between(CAL, datetime(2025, 3, 4, 11), datetime(2025, 3, 4, 11)) == 0.0


# -- durations ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,amount,unit",
    [
        ("24 hours", 24, "calendar_hours"),
        ("24h", 24, "calendar_hours"),
        ("2 hours", 2, "calendar_hours"),
        ("1 hour", 1, "calendar_hours"),
        ("1.5 hours", 1.5, "calendar_hours"),
        ("8 working hours", 8, "working_hours"),
        ("8 work hours", 8, "working_hours"),
        ("2 working days", 2, "working_days"),
        ("2 workdays", 2, "working_days"),
        ("1 working day", 1, "working_days"),
        ("3 days", 72, "calendar_hours"),
        ("1 day", 24, "calendar_hours"),
        ("24小时", 24, "calendar_hours"),
        ("8个工作小时", 8, "working_hours"),
        ("8工作小时", 8, "working_hours"),
        ("2个工作日", 2, "working_days"),
        ("2工作日", 2, "working_days"),
        ("3天", 72, "calendar_hours"),
        ("  24   Hours ", 24, "calendar_hours"),
        ("8  Working   Hours", 8, "working_hours"),
        ("２４小时", 24, "calendar_hours"),  # full-width digits
        ("\u3000２ 个 工作日\u3000", 2, "working_days"),  # full-width spaces
        ("24小时内", 24, "calendar_hours"),
        ("两个工作日内", 2, "working_days"),
        ("四十八小时", 48, "calendar_hours"),
        ("within 72 hours", 72, "calendar_hours"),
    ],
)
def test_parse_duration_accepts_english_and_chinese(text, amount, unit):
    assert parse_duration(text) == Duration(amount, unit)


@pytest.mark.parametrize(
    "bad", ["", "   ", "24", "hours", "abc", "-3 hours", "24 weeks", "2.5 working days", "两个月", "十十小时", None]
)
def test_parse_duration_rejects_other_text(bad):
    with pytest.raises(ValueError) as excinfo:
        parse_duration(bad)
    if bad != "2.5 working days":  # the examples in the clerk's language (both languages are read)
        assert "2 working days" in str(excinfo.value)
        with use_language("zh"), pytest.raises(ValueError, match="24小时、8个工作小时、2个工作日"):
            parse_duration(bad)


def test_add_duration_dispatches_on_the_unit():
    start = datetime(2025, 9, 30, 17)
    assert add_duration(CAL, start, parse_duration("2个工作日")) == at(2025, 10, 10, 18)
    assert add_duration(CAL, start, parse_duration("24小时")) == at(2025, 10, 1, 17)
    assert add_duration(CAL, start, parse_duration("3天")) == at(2025, 10, 3, 17)
    # Sep 30 17-18 (1h), Oct 9 9-12 (3h) and 13-17 (4h).
    assert add_duration(CAL, start, parse_duration("8个工作小时")) == at(2025, 10, 9, 17)
    hold = [(datetime(2025, 9, 30, 17, 30), None)]
    assert add_duration(CAL, start, parse_duration("24 hours"), hold).on_hold


# -- cross-checks with the libraries ------------------------------------------------------------


def test_every_day_of_2025_agrees_with_chinese_calendar():
    for d in days(date(2025, 1, 1), date(2025, 12, 31)):
        assert CAL.is_workday(d) == chinese_calendar.is_workday(d), d


def test_holidays_package_statutory_days_of_2025_are_days_off():
    china = holidays.China(years=2025)
    assert len(china) > 10
    for d in china:
        assert not CAL.is_workday(d), (d, china[d])
    # and its make-up working weekends are working days
    for d in days(date(2025, 1, 1), date(2025, 12, 31)):
        assert CAL.is_workday(d) == china.is_working_day(d), d


# -- properties ---------------------------------------------------------------------------------

STARTS = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2025, 12, 31, 23, 59))
WIDE_STARTS = st.datetimes(min_value=datetime(2024, 6, 1), max_value=datetime(2027, 6, 30))
HOURS = st.integers(min_value=1, max_value=72 * 60).map(lambda minutes: minutes / 60)
FEW_DAYS = st.integers(min_value=0, max_value=15)


def _inside_office_hours(cal, moment):
    return cal.is_workday(moment.date()) and any(a <= moment <= b for a, b in cal.periods_on(moment.date()))


@settings(max_examples=200, deadline=None)
@given(start=WIDE_STARTS, hours=HOURS)
def test_property_working_hours_deadline_is_inside_office_hours(start, hours):
    result = add_working_hours(CAL, start, hours)
    assert _inside_office_hours(CAL, result.at)
    assert result.provisional == (result.at.year not in known_years())


@settings(max_examples=200, deadline=None)
@given(first=STARTS, later_by=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)), hours=HOURS)
def test_property_working_hours_deadline_is_monotonic(first, later_by, hours):
    assert add_working_hours(CAL, first, hours).at <= add_working_hours(CAL, first + later_by, hours).at


@settings(max_examples=200, deadline=None)
@given(first=STARTS, later_by=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)), n=FEW_DAYS)
def test_property_working_days_deadline_is_monotonic(first, later_by, n):
    early = add_working_days(CAL, first, n).at
    late = add_working_days(CAL, first + later_by, n).at
    assert early <= late
    assert CAL.is_workday(late.date()) and late.time() == CAL.closing_time


@settings(max_examples=200, deadline=None)
@given(start=WIDE_STARTS, hours=HOURS)
def test_property_working_hours_round_trip(start, hours):
    due = add_working_hours(CAL, start, hours).at
    assert working_hours_between(CAL, start, due) == pytest.approx(hours, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(start=WIDE_STARTS, hours=HOURS, n=FEW_DAYS)
def test_property_a_pause_before_the_start_changes_nothing(start, hours, n):
    # A pause forces the general (pause-aware) path; it must agree with the fast path.
    old = [(start - timedelta(days=10), start - timedelta(days=9))]
    assert add_working_hours(CAL, start, hours, old) == add_working_hours(CAL, start, hours)
    assert add_working_days(CAL, start, n, old) == add_working_days(CAL, start, n)


@settings(max_examples=200, deadline=None)
@given(
    start=STARTS,
    hours=HOURS,
    offset=st.timedeltas(timedelta(0), timedelta(days=5)),
    length=st.timedeltas(timedelta(0), timedelta(days=3)),
)
def test_property_a_pause_never_brings_the_deadline_earlier(start, hours, offset, length):
    pause = [(start + offset, start + offset + length)]
    plain = add_working_hours(CAL, start, hours).at
    paused = add_working_hours(CAL, start, hours, pause).at
    assert plain <= paused
    lost = working_hours_between(CAL, start, paused) - working_hours_between(CAL, start, paused, pause)
    assert lost == pytest.approx(working_hours_between(CAL, plain, paused), abs=1e-6)


# -- the fast clock -----------------------------------------------------------------------------


def test_the_clock_gives_the_calendar_functions_answers():
    """The fast clock (timeline, per-day caches) against add_working_hours, add_duration and working_hours_between."""
    cal = WorkCalendar(closures=[datetime(2025, 5, 6).date()], extra_workdays=[datetime(2025, 5, 10).date()])
    clock = Clock(cal, (2024, 2027))
    rnd = random.Random(5)
    first = datetime(2024, 1, 1)
    for _ in range(3000):
        a = first + timedelta(
            minutes=rnd.randrange(0, 60 * 24 * 365 * 3),
            seconds=rnd.choice([0, 0, 17]),
            microseconds=rnd.choice([0, 0, 250]),
        )
        b = a + timedelta(minutes=rnd.randrange(0, 60 * 24 * 40))
        h = rnd.choice([0.5, 1, 2, 2.25, 7.99, 8, 9, 16, 24, 40, 100])
        target = target_of(parse_duration(f"{h} working hours"))
        expected = add_working_hours(cal, a, h)
        assert clock.add(a, target, None) == (expected.at, PROVISIONAL_BIT if expected.provisional else 0), (a, h)
        assert clock.hours(a, b, None) == working_hours_between(cal, a, b), (a, b)
        # with waits on the customer
        w0 = a + timedelta(minutes=rnd.randrange(-600, 3000))
        w1 = None if rnd.random() < 0.3 else w0 + timedelta(minutes=rnd.randrange(1, 3000))
        pauses = ((w0, w1),) if rnd.random() < 0.7 else ((w0, w1), (w0 - timedelta(hours=5), w0 - timedelta(hours=1)))
        for text in (f"{h} working hours", f"{h} hours"):
            d = add_duration(cal, a, parse_duration(text), pauses)
            got = clock.add(a, target_of(parse_duration(text)), pauses)
            assert got == (d.at, PROVISIONAL_BIT if d.provisional else 0), (a, text, pauses)
        assert clock.hours(a, b, pauses) == working_hours_between(cal, a, b, pauses), (a, b, pauses)
        assert clock.late_hours(a, b, pauses) == Decimal(repr(working_hours_between(cal, a, b, pauses))).quantize(
            Decimal("0.1"), "ROUND_HALF_UP"
        )
    assert add_calendar_hours(cal, a, 5).at == clock.add(a, target_of(parse_duration("5 hours")), None)[0]
