"""Input the way officers type it (issue 13 item 5): 昨晚11点, a night-shift time that names its
fix (是否指"昨天 23:50"？), levels as 较大级 / III级 / Ⅲ / 3级 / 三级, full-width IDs and numbers.
Parsers by property (Hypothesis), then the command line end to end."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import file_item
from yaoqing_cli import vocab
from yaoqing_cli.errors import UsageError
from yaoqing_cli.timeparse import SHIFT_START_HOUR, parse_time

TZ = ZoneInfo("Asia/Shanghai")

# --- levels ---------------------------------------------------------------------------------------

ROMAN = {"especially-major": ("I", "Ⅰ"), "major": ("II", "Ⅱ"), "large": ("III", "Ⅲ"),
         "general": ("IV", "Ⅳ")}  # fmt: skip
DIGIT = {"especially-major": "1", "major": "2", "large": "3", "general": "4"}
HANZI = {"especially-major": "一", "major": "二", "large": "三", "general": "四"}


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@st.composite
def written_level(draw):
    """(key, a way an officer writes that level)."""
    key = draw(st.sampled_from(list(vocab.LEVELS)))
    label = vocab.LEVELS[key][0]
    ascii_roman, roman = ROMAN[key]
    core = draw(st.sampled_from([
        label, ascii_roman, ascii_roman.lower(), roman, DIGIT[key], HANZI[key], key,
        full_width(ascii_roman), full_width(DIGIT[key]),
    ]))  # fmt: skip
    suffix = draw(st.sampled_from(["", "级"])) if core != key else ""
    form = draw(st.sampled_from(["plain", "printed"]))
    text = core + suffix
    if form == "printed":  # as the tool prints it: 较大（III级）
        opening, closing = draw(st.sampled_from([("（", "）"), ("(", ")")]))
        text = f"{label}{opening}{draw(st.sampled_from([ascii_roman, roman]))}级{closing}"
    spaces = draw(st.sampled_from(["", " ", "  "]))
    return key, f"{spaces}{text}{spaces}"


@settings(max_examples=300)
@given(written_level())
def test_every_way_of_writing_a_level_reads_as_it(written):
    key, text = written
    assert vocab.lookup(vocab.LEVELS, text, "级别") == key


@given(st.text(alphabet="IVXⅠⅡⅢⅣⅤ一二三四五级较大重特别般（）() 1234", max_size=8))
def test_a_level_is_read_or_refused_never_guessed_wrong(text):
    try:
        key = vocab.lookup(vocab.LEVELS, text, "级别")
    except UsageError as err:
        assert "\n" not in str(err) and "也可写" in str(err)
    else:  # what was read, printed back, reads the same
        assert vocab.lookup(vocab.LEVELS, vocab.level_label(key), "级别") == key


@pytest.mark.parametrize("text", ["较大（I级）", "V级", "五级", "较", "级"])
def test_levels_that_name_nothing_or_two_things_are_refused(text):
    with pytest.raises(UsageError, match="也可写"):
        vocab.lookup(vocab.LEVELS, text, "级别")


# --- times ----------------------------------------------------------------------------------------

nows = st.datetimes(min_value=datetime(2020, 1, 2), max_value=datetime(2090, 12, 30)).map(
    lambda d: d.replace(tzinfo=TZ, second=0, microsecond=0)
)
clocks = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@given(nows, st.integers(min_value=5, max_value=11), st.integers(min_value=0, max_value=59))
def test_last_night_is_yesterday_evening(now, hour, minute):
    yesterday = now.date() - timedelta(days=1)
    expected = datetime.combine(yesterday, time(hour + 12, minute), TZ)
    for word in ("昨晚", "昨夜"):
        assert parse_time(f"{word}{hour}点{minute}分", now, TZ) == expected
        assert parse_time(f"{word} {hour}:{minute:02d}", now, TZ) == expected
        assert parse_time(f"昨天晚上{hour}点{minute}分", now, TZ) == expected


@given(nows, st.integers(min_value=0, max_value=11), st.integers(min_value=0, max_value=59))
def test_this_morning_is_today(now, hour, minute):
    expected = datetime.combine(now.date(), time(hour, minute), TZ)
    for word in ("今晨", "今早"):
        try:
            got = parse_time(f"{word}{hour}点{minute}分", now, TZ)
        except UsageError as err:
            assert expected > now + timedelta(minutes=5) and "在未来" in str(err)
        else:
            assert got == expected


@settings(max_examples=300)
@given(nows, clocks)
def test_a_future_time_of_day_names_yesterday_exactly_when_it_is_in_this_shift(now, clock):
    """A bare HH:MM is today's; if that is in the future, the error proposes 昨天 HH:MM when (and
    only when) yesterday's falls in the shift now running, and the proposal is accepted as is."""
    text = clock.strftime("%H:%M")
    today = datetime.combine(now.date(), clock, TZ)
    try:
        got = parse_time(text, now, TZ, what="事发时间")
    except UsageError as err:
        assert today > now + timedelta(minutes=5)
        message = str(err)
        start = datetime.combine(now.date(), time(SHIFT_START_HOUR), TZ)
        shift_start = start if now >= start else start - timedelta(days=1)
        yesterday = today - timedelta(days=1)
        in_shift = shift_start <= yesterday <= now
        assert (f'是否指"昨天 {text}"？' in message) == in_shift, message
        if in_shift:
            assert parse_time(f"昨天 {text}", now, TZ) == yesterday
    else:
        assert got == today


@given(nows, clocks)
def test_full_width_digits_read_as_ascii(now, clock):
    moment = datetime.combine(now.date() - timedelta(days=1), clock, TZ)
    text = moment.strftime("%Y-%m-%d %H:%M")
    assert parse_time(full_width(text), now, TZ) == parse_time(text, now, TZ) == moment


@pytest.mark.parametrize("text", ["昨晚", "今晨", "昨晚下午3点"])
def test_a_day_and_period_word_needs_its_hour(text):
    with pytest.raises(UsageError, match=r"须写出钟点|时段重复"):
        parse_time(text, datetime(2026, 11, 23, 9, tzinfo=TZ), TZ)


# --- end to end -----------------------------------------------------------------------------------

NIGHT = "2026-11-23T00:30:00+08:00"


def test_at_half_past_midnight_2350_names_yesterday(office):
    result = office("file", "--title", "夜间火情", "--occurred", "23:50", now=NIGHT)
    assert result.code == 2, result
    assert (
        '事发时间在未来：2026-11-23 23:50（现在 2026-11-23 00:30）；是否指"昨天 23:50"？'
        in result.err
    )
    filed = office("file", "--title", "夜间火情", "--occurred", "昨天 23:50", "--json", now=NIGHT)
    assert filed.code == 0, filed
    assert filed.json["occurred"] == "2026-11-22T23:50:00+08:00"


def test_last_night_at_eleven(office):
    filed = office("file", "--title", "夜间火情", "--occurred", "昨晚11点", "--json", now=NIGHT)
    assert filed.code == 0 and filed.json["occurred"] == "2026-11-22T23:00:00+08:00", filed
    shown = office("show", filed.json["id"], "--json", now=NIGHT).json
    assert shown["occurred"] == "2026-11-22T23:00:00+08:00"


@pytest.mark.parametrize(
    "written", ["较大级", "III级", "Ⅲ级", "3级", "三级", "Ⅲ", "iii", "较大（III级）"]
)
def test_file_and_continue_take_levels_as_written(office, written):
    item = file_item(office, "--level", written)
    assert item["level"] == "large", item
    raised = office("continue", item["id"], "--level", "Ⅱ级", "--reason", "伤亡增加")
    assert raised.code == 0, raised
    assert office("show", item["id"], "--json").json["level"] == "major"


def test_full_width_ids_dates_and_numbers(office):
    item = file_item(office, title="某县国道山体滑坡")["id"]
    for typed in (
        full_width(item), item.replace("-", "—"), item.replace("-", "－"), item.replace("-", ""),
        item.replace("-", " "), full_width(item.replace("-", "")),
    ):  # fmt: skip
        shown = office("show", typed, "--json")
        assert shown.code == 0 and shown.json["id"] == item, shown
    assert office("continue", full_width(item), "--text", "道路已抢通").code == 0
    report = office("report", "--date", full_width("2026-11-22"), "--format", "json")
    assert report.code == 0, report
    found = office("search", "山体滑坡", "--limit", full_width("5"), "--json")
    assert found.code == 0, found
    year = office("calendar", "show", full_width("2026"))
    assert year.code == 0 and "2026" in year.out, year


def chinese_number(n: int, two: bool = False) -> str:
    """0..99 as written in Chinese: 十一, 二十, 三十五; 两 for 2 when `two` (两小时)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return "两" if two and n == 2 else digits[n]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else digits[tens]}十{digits[ones] if ones else ''}"


@given(nows, st.integers(min_value=0, max_value=23), st.integers(min_value=1, max_value=59))
def test_chinese_numerals_read_as_digits(now, hour, minute):
    written = f"昨天{chinese_number(hour)}点{chinese_number(minute)}分"
    assert parse_time(written, now, TZ) == parse_time(f"昨天{hour}点{minute}分", now, TZ)


@given(nows, st.integers(min_value=1, max_value=99))
def test_chinese_spans_read_as_digits(now, n):
    assert parse_time(f"{chinese_number(n, two=True)}小时前", now, TZ) == now - timedelta(hours=n)


def test_chinese_numerals_end_to_end(office):
    filed = office("file", "--title", "夜间火情", "--occurred", "昨晚十一点半", "--json", now=NIGHT)
    assert filed.code == 0 and filed.json["occurred"] == "2026-11-22T23:30:00+08:00", filed


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["file", "--title", "x", "--occurred", "08:00", "--kind", "emergecy"],
         "无法识别的类型：'emergecy'；是否指 emergency（突发事件）？可用："),
        (["file", "--title", "x", "--occurred", "08:00", "--level", "majr"],
         "是否指 major（重大）？"),
    ],
)  # fmt: skip
def test_a_mistyped_value_names_the_nearest(office, argv, line):
    result = office(*argv)
    assert result.code == 2 and line in result.err, result
