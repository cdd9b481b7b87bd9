"""The working-day loop (WorkCalendar.add_working_days) pinned against chinese-calendar itself.

chinese-calendar's `find_workday(n, start)` walks the State Council's schedule (国务院办公厅关于
部分节假日安排的通知, each year's notice) the same way our deadline engine must: for a start day
that is a working day, it is the Nth working day after it. The two must agree on every such
start day the library covers; outside its years our loop must say it guessed (Monday to Friday),
never answer quietly.
"""

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from yaoqing_cli.workdays import FIRST_YEAR, WorkCalendar

FIRST = min(chinese_calendar.holidays)  # 2004-01-01 in release 1.11
LAST = date(max(chinese_calendar.holidays).year, 12, 31)
CALENDAR = WorkCalendar()
PROPERTY = settings(
    max_examples=int(__import__("os").environ.get("YQ_EXAMPLES", 300)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# working-day clocks run from a few days (Yunnan's message replies) to a few weeks; crossing a
# Spring Festival or National Day week needs at least 8
counts = st.integers(min_value=0, max_value=60)
# a third of the start days in the library's last quarter, so walks past its end are common
covered_workdays = st.one_of(
    st.dates(FIRST, LAST), st.dates(LAST - timedelta(days=90), LAST)
).filter(chinese_calendar.is_workday)


def library_answer(start: date, n: int) -> date | None:
    """find_workday's answer, or None when its walk leaves the years it covers."""
    try:
        return chinese_calendar.find_workday(n, start)
    except NotImplementedError:
        return None


@PROPERTY
@given(start=covered_workdays, n=counts)
def test_the_loop_agrees_with_find_workday_on_every_covered_working_day(start, n):
    day, guessed = CALENDAR.add_working_days(start, n)
    expected = library_answer(start, n)
    event("past the library's years" if expected is None else "covered")
    if expected is None:  # the walk ran past the last year the library knows
        assert guessed, (start, n, day)
        assert day.year > LAST.year
    else:
        assert (day, guessed) == (expected, False)


@PROPERTY
@given(start=st.dates(LAST + timedelta(days=1), date(2100, 12, 31)), n=st.integers(1, 60))
def test_after_the_librarys_years_every_answer_is_marked_as_a_guess(start, n):
    day, guessed = CALENDAR.add_working_days(start, n)
    assert guessed
    assert day == monday_to_friday(start, n)


@PROPERTY
@given(start=st.dates(date(FIRST_YEAR, 1, 1), FIRST - timedelta(days=1)), n=st.integers(1, 60))
def test_before_the_librarys_years_an_answer_is_a_guess_unless_every_day_counted_is_known(start, n):
    day, guessed = CALENDAR.add_working_days(start, n)
    walked = [start + timedelta(days=k) for k in range(1, (day - start).days + 1)]
    assert guessed == any(d < FIRST for d in walked), (start, n, day)
    if day < FIRST:
        assert day == monday_to_friday(start, n)


def monday_to_friday(start: date, n: int) -> date:
    day = start
    while n:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return day


@pytest.mark.parametrize(
    "start,n,due",
    [
        # 国庆节、中秋节 2026: 10月1日至7日放假，10月10日（星期六）上班（国务院办公厅通知）
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        (date(2026, 9, 30), 3, date(2026, 10, 10)),
        # 春节 2026: 2月15日至23日放假，2月14日（星期六）、2月28日（星期六）上班
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 14), 1, date(2026, 2, 24)),
        (date(2026, 2, 27), 1, date(2026, 2, 28)),
        # 元旦 2026: 1月1日至3日放假，1月4日（星期日）上班
        (date(2025, 12, 31), 1, date(2026, 1, 4)),
        (date(2025, 12, 31), 0, date(2025, 12, 31)),
    ],
)
def test_worked_out_by_hand_from_the_notice(start, n, due):
    assert CALENDAR.add_working_days(start, n) == (due, False)
    assert chinese_calendar.find_workday(n, start) == due


def test_a_walk_into_the_first_unknown_year_is_marked():
    """2026-12-31 is a Thursday: 1 working day later is 2027-01-01 by the Monday–Friday guess
    (New Year's Day, surely a holiday in the 2027 notice), so the answer says it guessed."""
    assert CALENDAR.add_working_days(date(2026, 12, 31), 1) == (date(2027, 1, 1), True)
    assert CALENDAR.add_working_days(date(2026, 12, 30), 1) == (date(2026, 12, 31), False)
