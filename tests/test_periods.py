"""Report periods (periods.parse_period, dateutil's relativedelta): every form by example, the
refusals, properties (each period is [start, end) and consecutive periods tile), and the CLI."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import iso
from yaoqing_cli.errors import UsageError
from yaoqing_cli.periods import half, month, parse_period, quarter, year_of

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "start", "end", "label", "span"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 12, 1), "2026年11月", "month"),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1), "2026年12月", "month"),
        ("2024-2", date(2024, 2, 1), date(2024, 3, 1), "2024年2月", "month"),
        ("2026Q4", date(2026, 10, 1), date(2027, 1, 1), "2026年第四季度", "quarter"),
        ("2026q1", date(2026, 1, 1), date(2026, 4, 1), "2026年第一季度", "quarter"),
        ("2026H1", date(2026, 1, 1), date(2026, 7, 1), "2026年上半年", "half"),
        ("2026H2", date(2026, 7, 1), date(2027, 1, 1), "2026年下半年", "half"),
        ("2026", date(2026, 1, 1), date(2027, 1, 1), "2026年", "year"),
        ("２０２６Ｑ４", date(2026, 10, 1), date(2027, 1, 1), "2026年第四季度", "quarter"),
        # relative to today (2026-11-22 in the office's zone)
        ("本月", date(2026, 11, 1), date(2026, 12, 1), "2026年11月", "month"),
        ("上月", date(2026, 10, 1), date(2026, 11, 1), "2026年10月", "month"),
        ("本季度", date(2026, 10, 1), date(2027, 1, 1), "2026年第四季度", "quarter"),
        ("上季度", date(2026, 7, 1), date(2026, 10, 1), "2026年第三季度", "quarter"),
        ("今年", date(2026, 1, 1), date(2027, 1, 1), "2026年", "year"),
        ("去年", date(2025, 1, 1), date(2026, 1, 1), "2025年", "year"),
        (" 上月 ", date(2026, 10, 1), date(2026, 11, 1), "2026年10月", "month"),
    ],
)
def test_every_form(text, start, end, label, span):
    found = parse_period(text, TODAY)
    assert (found.start, found.end, found.label, found.span) == (start, end, label, span)


@pytest.mark.parametrize(
    ("today", "word", "start"),
    [
        (date(2027, 1, 5), "上月", date(2026, 12, 1)),  # across the turn of the year
        (date(2027, 2, 10), "上季度", date(2026, 10, 1)),
        (date(2026, 3, 31), "上月", date(2026, 2, 1)),  # relativedelta: no 31 February
        (date(2026, 3, 31), "本季度", date(2026, 1, 1)),
        (date(2026, 4, 1), "上季度", date(2026, 1, 1)),
        (date(2026, 1, 1), "去年", date(2025, 1, 1)),
    ],
)
def test_relative_periods_at_the_edges(today, word, start):
    assert parse_period(word, today).start == start


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-13", "无法识别的期间"),
        ("2026-0", "无法识别的期间"),
        ("2026Q5", "无法识别的期间"),
        ("2026H3", "无法识别的期间"),
        ("next year", "无法识别的期间"),
        ("26Q4", "无法识别的期间"),
        ("", "无法识别的期间"),
        ("1999", "年份超出范围"),
        ("2101H1", "年份超出范围"),
        ("2101-01", "年份超出范围"),
    ],
)
def test_refused(text, words):
    with pytest.raises(UsageError) as info:
        parse_period(text, TODAY)
    assert words in str(info.value)
    assert "2026Q4" in str(info.value) or "2000–2100" in str(info.value)


years = st.integers(min_value=2000, max_value=2099)


@given(years, st.integers(min_value=1, max_value=12))
def test_months_are_half_open_and_tile(year, number):
    this = month(year, number)
    assert this.start < this.end and this.start.day == 1
    following = month(year + number // 12, number % 12 + 1)
    assert this.end == following.start
    assert (this.end - this.start).days in (28, 29, 30, 31)


@given(years, st.integers(min_value=1, max_value=4))
def test_quarters_are_three_tiled_months(year, number):
    this = quarter(year, number)
    months = [month(year, 3 * (number - 1) + k) for k in (1, 2, 3)]
    assert this.start == months[0].start and this.end == months[-1].end
    following = quarter(year + number // 4, number % 4 + 1)
    assert this.end == following.start


@given(years)
def test_a_year_is_two_halves_of_two_quarters(year):
    first, second = half(year, 1), half(year, 2)
    assert year_of(year).start == first.start < first.end == second.start < second.end
    assert second.end == year_of(year).end == year_of(year + 1).start
    assert first.end == quarter(year, 3).start and second.start == quarter(year, 2).end


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)))
def test_relative_periods_hold_today_and_follow_the_last_one(today):
    for this, last in (("本月", "上月"), ("本季度", "上季度"), ("今年", "去年")):
        current, previous = parse_period(this, today), parse_period(last, today)
        assert current.start <= today < current.end
        assert previous.start < previous.end == current.start
        assert previous.span == current.span


@given(st.text(max_size=12))
def test_never_a_crash(text):
    try:
        found = parse_period(text, TODAY)
    except UsageError as err:
        assert "\n" not in str(err)
    else:
        assert found.start < found.end
        assert found.end - found.start <= timedelta(days=366)


# --- through the CLI ----------------------------------------------------------------------------


def test_report_for_a_month_and_a_quarter(log, run):
    book = log("shandong")
    october = book.file("十月要情", "2026-10-30 08:00", "2026-10-30 08:20")
    november = book.file("十一月要情", "2026-11-02 08:00", "2026-11-02 08:20")
    now = iso("2026-11-22 12:00")
    last_month = run("report", "--period", "上月", "--format", "json", now=now)
    assert last_month.code == 0, last_month
    period = last_month.json["period"]
    assert period == {
        "since": "2026-10-01T00:00:00+08:00",
        "until": "2026-11-01T00:00:00+08:00",
        "label": "2026年10月",
    }
    assert [i["id"] for i in last_month.json["filed"]] == [october]
    month_json = run("report", "--period", "2026-11", "--format", "json", now=now).json
    assert [i["id"] for i in month_json["filed"]] == [november]
    text = run("report", "--period", "本季度", now=now).out
    assert "要情报送情况通报（2026年第四季度）" in text.splitlines()[0]
    refused = run("report", "--period", "2026-13")
    assert refused.code == 2 and "无法识别的期间" in refused.err, refused
