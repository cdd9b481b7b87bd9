"""Numeric dates the Chinese time parser's table does not know, read by dateutil's parser once the
order of day and month is certain (timeparse._numeric): each form by example, the refusals (an
ambiguous order is never guessed), and properties."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import file_item, iso
from yaoqing_cli.errors import UsageError
from yaoqing_cli.timeparse import parse_time

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=TZ)


def at(month, day, hour=0, minute=0, second=0, year=2026):
    return datetime(year, month, day, hour, minute, second, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026/11/22 8:00", at(11, 22, 8)),  # the table's own form, with a one-digit hour
        ("11-22 08:00", at(11, 22, 8)),  # no year: this year, month first
        ("11-22T08:00", at(11, 22, 8)),
        ("11/22 8:05", at(11, 22, 8, 5)),
        ("22.11 08:00", at(11, 22, 8)),  # 22 can only be the day
        ("22.11.2026", at(11, 22)),
        ("22.11.2026 8:00", at(11, 22, 8)),
        ("21/11/2026 23:59:30", at(11, 21, 23, 59, 30)),
        ("11/22/2026 08:00", at(11, 22, 8)),  # 22 can only be the day, wherever it stands
        ("5.5.2026", at(5, 5)),  # the same number twice: no ambiguity
        ("2026.11.22 08:00", at(11, 22, 8)),
        ("2026.11.22", at(11, 22)),
        ("2026.1.5 7:00", at(1, 5, 7)),
        ("２０２６.１１.２２ ０８:００", at(11, 22, 8)),  # full-width, as NFKC reads it
        ("29.02.2024", at(2, 29, year=2024)),
    ],
)
def test_each_numeric_form(text, expected):
    assert parse_time(text, NOW, TZ) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("11/12/2026", "有歧义"),  # 11 December or 12 November: refused, never guessed
        ("11.12.2026 08:00", "有歧义"),
        ("1-2 08:00", "有歧义"),
        ("12-11 8:00", "可以是 12月11日，也可以是 11月12日"),
        ("22.11.26", "年份须写四位"),
        ("1999.11.22", "年份超出范围"),
        ("22.11.2101", "年份超出范围"),
        ("31.11.2026", "日期不存在"),
        ("29.02.2026", "日期不存在"),
        ("2026.13.01", "日期不存在"),
        ("22.11.2026 25:00", "时刻不存在"),
        ("22.11.2026 08:61", "时刻不存在"),
        ("2026-11", "无法识别"),  # a month, not a moment
        ("22.11.2026 8点", "无法识别"),
        ("23.11.2026", "在未来"),
    ],
)
def test_refused(text, words):
    with pytest.raises(UsageError) as info:
        parse_time(text, NOW, TZ)
    assert words in str(info.value)
    assert "\n" not in str(info.value)


moments = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
lags = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400))


@given(moments, lags, st.sampled_from([".", "/", "-"]))
def test_day_month_year_round_trips_or_is_refused_as_ambiguous(moment, lag, sep):
    local = moment.astimezone(TZ)
    text = f"{local.day}{sep}{local.month}{sep}{local.year} {local.hour}:{local.minute:02d}"
    try:
        found = parse_time(text, moment + lag, TZ)
    except UsageError as err:
        assert local.day <= 12 and local.day != local.month, text
        assert "有歧义" in str(err)
    else:
        assert found == moment.replace(second=0, microsecond=0), text


@given(moments, lags, st.sampled_from([".", "/"]))
def test_year_first_always_round_trips(moment, lag, sep):
    local = moment.astimezone(TZ)
    text = f"{local.year}{sep}{local.month}{sep}{local.day} {local.hour:02d}:{local.minute:02d}"
    assert parse_time(text, moment + lag, TZ) == moment.replace(second=0, microsecond=0)


@given(st.text(alphabet="0123456789./-: T", max_size=20))
def test_never_a_crash_on_numeric_text(text):
    try:
        found = parse_time(text, NOW, TZ)
    except UsageError as err:
        assert "\n" not in str(err)
    else:
        assert 2000 <= found.year <= 2100 and found - NOW <= timedelta(minutes=5)


def test_through_the_cli(office, run):
    filed = file_item(run, title="某地山火", occurred="22.11.2026 08:00", at=None)
    assert filed["occurred"] == iso("2026-11-22 08:00")
    ambiguous = run("file", "--title", "某地山火", "--occurred", "11/12/2026 08:00")
    assert ambiguous.code == 2 and "有歧义" in ambiguous.err, ambiguous
