"""The time parser: every accepted form by example, the refusals, and properties."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yaoqing_cli.errors import UsageError
from yaoqing_cli.timeparse import parse_duration, parse_time

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=TZ)  # a Sunday noon in Beijing = 04:00Z


def at(day, hour, minute=0, second=0):
    return datetime(2026, 11, day, hour, minute, second, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ISO, local to the office
        ("2026-11-22 08:00", at(22, 8)),
        ("2026-11-22 08:00:30", at(22, 8, 0, 30)),
        ("2026-11-22T08:00", at(22, 8)),
        ("2026-11-22t08:00", at(22, 8)),
        ("2026/11/22 08:00", at(22, 8)),
        ("2026-11-22   8:05", at(22, 8, 5)),
        ("2026-1-5 08:00", datetime(2026, 1, 5, 8, tzinfo=TZ)),
        ("2026-11-22", at(22, 0)),
        ("2026/11/21", at(21, 0)),
        ("2024-02-29 23:59", datetime(2024, 2, 29, 23, 59, tzinfo=TZ)),
        ("2026-11-22 08:00:30.250", at(22, 8, 0, 30) + timedelta(milliseconds=250)),
        # ISO with an offset: the offset wins over the office zone
        ("2026-11-22T08:00+08:00", at(22, 8)),
        ("2026-11-22T00:00Z", at(22, 8)),
        ("2026-11-22T00:00z", at(22, 8)),
        ("2026-11-22 00:00 UTC", at(22, 8)),
        ("2026-11-22T01:00:00+09:00", at(22, 0)),
        ("2026-11-21T22:00-02:00", at(22, 8)),
        ("2026-11-22T08:00+0800", at(22, 8)),
        ("2026-11-22T08:00+08", at(22, 8)),
        ("2026-11-22 08:00 +08:00", at(22, 8)),
        ("2026-11-22T05:45+05:45", at(22, 8)),
        # Chinese dates
        ("2026年11月22日 8时30分", at(22, 8, 30)),
        ("2026年11月22日8:30", at(22, 8, 30)),
        ("2026年11月22日", at(22, 0)),
        ("11月21日 08:30", at(21, 8, 30)),
        ("11月21号下午3点", at(21, 15)),
        ("11月22日", at(22, 0)),
        # a time of day: today
        ("08:30", at(22, 8, 30)),
        ("8:30", at(22, 8, 30)),
        ("8:30:15", at(22, 8, 30, 15)),
        ("0:00", at(22, 0)),
        ("8点30", at(22, 8, 30)),
        ("8点30分", at(22, 8, 30)),
        ("8点5分", at(22, 8, 5)),
        ("8点半", at(22, 8, 30)),
        ("8点", at(22, 8)),
        ("8点钟", at(22, 8)),
        ("8时", at(22, 8)),
        ("8时30分", at(22, 8, 30)),
        ("11时59分", at(22, 11, 59)),
        # period words
        ("上午10点", at(22, 10)),
        ("上午12点", at(22, 12)),
        ("早上7点半", at(22, 7, 30)),
        ("中午12点", at(22, 12)),
        ("中午11:30", at(22, 11, 30)),
        ("凌晨2点", at(22, 2)),
        ("凌晨0点30分", at(22, 0, 30)),
        ("凌晨12点", at(22, 0)),
        ("凌晨 2:15", at(22, 2, 15)),
        # day words, alone (00:00) or with a time of day and a period
        ("今天", at(22, 0)),
        ("今天 8:00", at(22, 8)),
        ("今日8点", at(22, 8)),
        ("昨天", at(21, 0)),
        ("昨天 23:10", at(21, 23, 10)),
        ("昨日 下午3点", at(21, 15)),
        ("昨天下午12点半", at(21, 12, 30)),
        ("昨天晚上8点", at(21, 20)),
        ("昨天晚上 20:30", at(21, 20, 30)),
        ("昨天傍晚6点", at(21, 18)),
        ("昨天中午1点", at(21, 13)),
        ("昨天下午15点", at(21, 15)),
        ("前天 9:00", at(20, 9)),
        ("前天凌晨3点", at(20, 3)),
        # relative
        ("30分钟前", at(22, 11, 30)),
        ("30分前", at(22, 11, 30)),
        ("30 分钟前", at(22, 11, 30)),
        ("2小时前", at(22, 10)),
        ("2个小时前", at(22, 10)),
        ("1天前", at(21, 12)),
        ("半小时前", at(22, 11, 30)),
        ("半个小时前", at(22, 11, 30)),
        ("1个半小时前", at(22, 10, 30)),
        ("1小时30分钟前", at(22, 10, 30)),
        ("1天2小时前", at(21, 10)),
        ("0分钟前", NOW),
        ("-2h", at(22, 10)),
        ("-2H", at(22, 10)),
        ("-30m", at(22, 11, 30)),
        ("-30min", at(22, 11, 30)),
        ("-1d", at(21, 12)),
        ("-1h30m", at(22, 10, 30)),
        ("-1d2h", at(21, 10)),
        ("- 2h", at(22, 10)),
        ("\u22122h", at(22, 10)),  # MINUS SIGN
        ("now", NOW),
        ("NOW", NOW),
        ("现在", NOW),
        ("此刻", NOW),
        # normalising
        ("０８：３０", at(22, 8, 30)),
        ("２０２６－１１－２２　０８：００", at(22, 8)),
        ("－２ｈ", at(22, 10)),
        ("  08:30  ", at(22, 8, 30)),
        ("\u300008:30", at(22, 8, 30)),  # ideographic space
        # the allowance for clock skew
        ("12:04", at(22, 12, 4)),
        ("12:05", at(22, 12, 5)),
    ],
)
def test_accepted_forms(text, expected):
    result = parse_time(text, NOW, TZ)
    assert result == expected
    assert result.tzinfo is TZ  # always given back in the office's zone


def test_now_in_another_zone_uses_the_office_date():
    # 2026-11-21 20:00 UTC is already 11-22 04:00 in Beijing: "08:30" is Beijing's today... future.
    now = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
    assert parse_time("08:30", now, TZ) == at(22, 8, 30)
    assert parse_time("昨天 8:00", now, TZ) == at(21, 8)
    assert parse_time("-1h", now, TZ) == at(22, 8)


def test_allow_future_minutes_and_what():
    assert parse_time("12:30", NOW, TZ, allow_future_minutes=30) == at(22, 12, 30)
    with pytest.raises(UsageError) as info:
        parse_time("12:01", NOW, TZ, what="发生时间", allow_future_minutes=0)
    assert str(info.value) == (
        "发生时间在未来：2026-11-22 12:01（现在 2026-11-22 12:00）；不接受未来的时间"
    )


def test_future_message_is_exact():
    now = datetime(2026, 11, 22, 8, 0, tzinfo=TZ)
    with pytest.raises(UsageError) as info:
        parse_time("2026-11-23 09:00", now, TZ)
    assert str(info.value) == (
        "时间在未来：2026-11-23 09:00（现在 2026-11-22 08:00）；不接受未来的时间"
    )


def test_unrecognised_message_names_input_and_forms():
    with pytest.raises(UsageError) as info:
        parse_time("abc", NOW, TZ, what="--since")
    message = str(info.value)
    assert message.startswith("无法识别的 --since：'abc'；可用格式：")
    for form in ("2026-11-22 08:00", "2026-11-22T08:00+08:00", "今天 8:00", "30分钟前", "-2h"):
        assert form in message


def test_dst_gap_and_overlap_take_fold_zero():
    ny = ZoneInfo("America/New_York")
    now = datetime(2026, 11, 30, 12, 0, tzinfo=ny)
    # 2026-03-08 02:30 never happened in New York: read with the offset before the change (EST).
    gap = parse_time("2026-03-08 02:30", now, ny)
    assert gap.astimezone(UTC) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert gap.strftime("%H:%M") == "03:30"  # normalised to the instant's real wall time
    # 2026-11-01 01:30 happened twice: the first one (EDT, fold=0).
    overlap = parse_time("2026-11-01 01:30", now, ny)
    assert overlap.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_relative_times_count_real_hours_across_dst():
    ny = ZoneInfo("America/New_York")
    now = datetime(2026, 3, 8, 12, 0, tzinfo=ny)  # EDT; 02:00-03:00 was skipped this morning
    assert parse_time("-12h", now, ny).astimezone(UTC) == now.astimezone(UTC) - timedelta(hours=12)
    assert parse_time("-12h", now, ny).strftime("%H:%M") == "23:00"
    # and the future check is in real time too: 12:30 local is 30 minutes ahead, not 1h30
    with pytest.raises(UsageError, match="未来"):
        parse_time("12:30", now, ny)
    assert parse_time("12:05", now, ny).astimezone(UTC) == datetime(2026, 3, 8, 16, 5, tzinfo=UTC)


def test_naive_now_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_time("08:00", datetime(2026, 11, 22, 12, 0), TZ)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("abc", "无法识别"),
        ("", "为空"),
        ("   ", "为空"),
        ("8", "无法识别"),
        ("0830", "无法识别"),
        ("8:5", "无法识别"),
        ("刚才", "无法识别"),
        ("yesterday", "无法识别"),
        ("100年前", "无法识别"),
        ("前", "无法识别"),
        ("-", "无法识别"),
        ("-2", "无法识别"),
        ("2h", "无法识别"),
        ("+2h", "无法识别"),
        ("1.5小时前", "无法识别"),
        ("٠٨:٣٠", "无法识别"),  # Arabic-Indic digits are not read as numbers
        ("2026-11-22T", "无法识别"),
        ("2026-11-22 08:00 abc", "无法识别"),
        ("08:00" + "0" * 300, "无法识别"),
        ("2026-02-30 08:00", "日期不存在"),
        ("2026-02-29", "日期不存在"),
        ("2026-13-01", "日期不存在"),
        ("2026-00-10", "日期不存在"),
        ("11月31日", "日期不存在"),
        ("2026-11-22T08:00:00+25:00", "时区偏移不存在"),
        ("2026-11-22T08:00+08:60", "时区偏移不存在"),
        ("25:00", "时刻不存在"),
        ("24:00", "时刻不存在"),
        ("8:61", "时刻不存在"),
        ("8:30:60", "时刻不存在"),
        ("8点61分", "时刻不存在"),
        ("2026-11-22T08:99Z", "时刻不存在"),
        ("晚上12点", "时段与钟点不符"),
        ("晚上1点", "时段与钟点不符"),
        ("上午15点", "时段与钟点不符"),
        ("凌晨9点", "时段与钟点不符"),
        ("下午0点", "时段与钟点不符"),
        ("2026-11-23 08:00", "未来"),
        ("2026-11-22 12:06", "未来"),
        ("2026-11-23", "未来"),
        ("晚上8点", "未来"),
        ("12:06", "未来"),
        ("11月23日", "未来"),
        ("1850-01-01 08:00", "年份超出范围"),
        ("1999-12-31 23:59", "年份超出范围"),
        ("2101-01-01", "年份超出范围"),
        ("0000-01-01", "年份超出范围"),
        ("9999-12-31T23:59Z", "年份超出范围"),
        ("2000-01-01T00:00+09:00", "年份超出范围"),  # 1999 in Beijing
        ("1999年1月1日", "年份超出范围"),
        ("99999999小时前", "范围"),
        ("99999999999小时前", "范围"),
        ("-999999999d", "范围"),
        ("-99999999999999999999m", "范围"),
        ("30年前", "无法识别"),
        ("-10000d", "年份超出范围"),  # 1999
        ("08:00\x00", "控制字符"),
        ("08:00\n", "控制字符"),
        ("\t08:00", "控制字符"),
        ("\x1b[2J08:00", "控制字符"),
        ("08:00\udc80", "控制字符"),  # an undecodable byte from argv
    ],
)
def test_refused_forms(text, words):
    with pytest.raises(UsageError) as info:
        parse_time(text, NOW, TZ)
    message = str(info.value)
    assert words in message
    assert "\n" not in message and "\r" not in message
    assert len(message) < 300


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", timedelta(hours=2)),
        ("2H", timedelta(hours=2)),
        ("30m", timedelta(minutes=30)),
        ("30min", timedelta(minutes=30)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(minutes=90)),
        ("1d12h", timedelta(hours=36)),
        ("0m", timedelta(0)),
        ("2小时", timedelta(hours=2)),
        ("2个小时", timedelta(hours=2)),
        ("30分钟", timedelta(minutes=30)),
        ("30分", timedelta(minutes=30)),
        ("1天", timedelta(days=1)),
        ("半小时", timedelta(minutes=30)),
        ("1个半小时", timedelta(minutes=90)),
        ("1小时30分钟", timedelta(minutes=90)),
        (" 2 h ", timedelta(hours=2)),
        ("２ｈ", timedelta(hours=2)),
    ],
)
def test_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "为空"),
        ("90", "无法识别"),
        ("soon", "无法识别"),
        ("2x", "无法识别"),
        ("-2h", "无法识别"),
        ("1.5h", "无法识别"),
        ("2小时前", "无法识别"),
        ("h", "无法识别"),
        ("2h\n", "控制字符"),
        ("99999999d", "过长"),
        ("9" * 60 + "m", "过长"),
        ("9" * 5000 + "m", "无法识别"),
    ],
)
def test_bad_durations(text, words):
    with pytest.raises(UsageError) as info:
        parse_duration(text, what="--due-within")
    message = str(info.value)
    assert words in message
    assert "\n" not in message and len(message) < 300
    if words == "无法识别":
        assert message.startswith("无法识别的 --due-within：")
        assert "2h、30m、1d、1h30m、2小时、30分钟、1天、半小时" in message


# --- properties ---------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
lags = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400))
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)


@given(moments, lags)
def test_round_trip_local_minutes(moment, lag):
    now = moment + lag  # the moment is never in now's future
    text = moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    assert parse_time(text, now, TZ) == moment.replace(second=0, microsecond=0)


@given(moments, lags, offsets)
def test_round_trip_iso_with_any_offset(moment, lag, zone):
    now = moment + lag
    text = moment.astimezone(zone).isoformat(timespec="seconds")
    assert parse_time(text, now, TZ) == moment.replace(microsecond=0)


@given(moments, lags)
def test_round_trip_chinese_date(moment, lag):
    local = moment.astimezone(TZ)
    text = f"{local.year}年{local.month}月{local.day}日 {local.hour}时{local.minute}分"
    assert parse_time(text, moment + lag, TZ) == moment.replace(second=0, microsecond=0)


def _never_a_crash(text, now=NOW):
    try:
        result = parse_time(text, now, TZ)
    except UsageError as err:
        message = str(err)
        assert message and "\n" not in message and "\r" not in message
    else:
        assert result.tzinfo is not None and result.utcoffset() is not None
        assert result - now <= timedelta(minutes=5)
        assert 2000 <= result.astimezone(TZ).year <= 2100


@settings(max_examples=300)
@given(st.text())
def test_never_a_crash_on_any_text(text):
    _never_a_crash(text)


# Text from the parser's own alphabet reaches far deeper into the patterns than random text.
_ALPHABET = "0123456789-:/ .+TZhmd年月日号点时分钟半前天小个今昨上下午晚凌晨中傍早夜现在nowUC"


@settings(max_examples=400)
@given(st.text(alphabet=_ALPHABET, max_size=24), st.sampled_from([NOW, at(22, 23, 59)]))
def test_never_a_crash_on_near_misses(text, now):
    _never_a_crash(text, now)


@given(st.text(alphabet=_ALPHABET, max_size=24))
def test_parse_duration_never_crashes(text):
    try:
        result = parse_duration(text)
    except UsageError as err:
        assert "\n" not in str(err)
    else:
        assert timedelta(0) <= result <= timedelta(days=366 * 100)


@given(st.integers(min_value=0, max_value=100_000))
def test_minutes_ago(n):
    expected = NOW - timedelta(minutes=n)
    assert parse_time(f"{n}分钟前", NOW, TZ) == expected
    assert parse_time(f"-{n}m", NOW, TZ) == expected


@given(st.integers(min_value=0, max_value=100_000))
def test_hours_ago(n):
    expected = NOW - timedelta(hours=n)
    assert parse_time(f"{n}小时前", NOW, TZ) == expected
    assert parse_time(f"-{n}h", NOW, TZ) == expected


@given(st.integers(min_value=0, max_value=9000))
def test_days_ago(n):
    expected = NOW - timedelta(days=n)
    assert parse_time(f"{n}天前", NOW, TZ) == expected
    assert parse_time(f"-{n}d", NOW, TZ) == expected


@given(
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=0, max_value=59),
    st.sampled_from(["{h:02d}:{m:02d}", "{h}:{m:02d}", "{h}点{m}分", "{h}时{m}分", "{h}点{m}"]),
    st.datetimes(
        min_value=datetime(2001, 1, 1), max_value=datetime(2099, 1, 1), timezones=st.just(UTC)
    ),
)
def test_time_of_day_lands_on_todays_date(hour, minute, form, now):
    text = form.format(h=hour, m=minute)
    try:
        result = parse_time(text, now, TZ)
    except UsageError as err:
        assert "未来" in str(err)
        local_now = now.astimezone(TZ)
        assert (hour, minute) > (local_now.hour, local_now.minute)
    else:
        assert result.date() == now.astimezone(TZ).date()
        assert (result.hour, result.minute) == (hour, minute)


@given(
    st.integers(min_value=0, max_value=500),
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=0, max_value=59),
)
def test_duration_round_trip(days, hours, minutes):
    expected = timedelta(days=days, hours=hours, minutes=minutes)
    assert parse_duration(f"{days}d{hours}h{minutes}m") == expected
    assert parse_duration(f"{days}天{hours}小时{minutes}分钟") == expected


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3650)))
def test_duration_round_trip_from_timedelta(span):
    span = timedelta(minutes=span // timedelta(minutes=1))
    hours, minutes = divmod(span // timedelta(minutes=1), 60)
    assert parse_duration(f"{hours}h{minutes}m") == span
