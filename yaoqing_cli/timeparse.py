"""Reading the times a duty officer types, in the office's time zone. Pure: no clock, no I/O.

Accepted (one table of patterns below, each tried as a full match; anything else is refused,
never guessed):

  2026-11-22 08:00 | 2026-11-22 08:00:30 | 2026-11-22T08:00 | 2026/11/22 08:00
  2026-11-22T08:00+08:00 | 2026-11-22T00:00Z            (an explicit offset wins over the zone)
  2026-11-22                                            (00:00 that day)
  2026.11.22 08:00 | 22.11.2026 8:00 | 11-22 08:00        (dateutil's parser, once the order of
                                                        day and month is certain; 11/12/2026 is
                                                        refused as ambiguous)
  2026年11月22日 8时30分 | 2026年11月22日8:30 | 11月22日 08:30   (no year: this year)
  08:30 | 8:30 | 8点30 | 8点半 | 8点 | 8时30分               (today)
  今天 | 今日 | 昨天 | 昨日 | 前天, alone (00:00) or before a time of day
  上午 | 早上 | 中午 | 下午 | 傍晚 | 晚上 | 凌晨 before a time of day: 下午3点 = 15:00
  昨晚 | 昨夜 | 今晚 | 今晨 | 今早 | 昨早 before a time of day: 昨晚11点 = yesterday 23:00
  30分钟前 | 2小时前 | 1天前 | 半小时前 | 1个半小时前 | 1小时30分钟前
  -2h | -30m | -1d | -1h30m | now | 现在 | 此刻

Full-width digits, colons and letters (０８：３０) are read as ASCII, Chinese numerals as numbers
(昨晚十一点, 三点半, 两小时前, 二十分钟前). Other digits (Arabic-Indic, ...) do not count.
A local time that does not exist or exists twice (a DST change) is taken with fold=0, as
zoneinfo does, and the result is normalised to a real instant. Results are aware datetimes in
the office's zone, in the years 2000-2100, and not more than `allow_future_minutes` after now.
A bare time of day that would be in the future, typed on a night shift before the shift's start
hour (08:00: offices hand over 08:00-08:00), is refused with the fix named: at 00:30, "23:50"
answers 是否指"昨天 23:50"？ (never taken as yesterday unasked).
"""

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from yaoqing_cli.errors import UsageError

ACCEPTED = (
    "2026-11-22 08:00、2026-11-22T08:00+08:00、22.11.2026 08:00、08:30（今天）、今天 8:00、昨天 23:10、"
    "前天 9:00、下午3点、昨晚11点、30分钟前、2小时前、-2h、-30m"
)
DURATION_ACCEPTED = "2h、30m、1d、1h30m、2小时、30分钟、1天、半小时、1个半小时"
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_SPAN_MINUTES = 366 * 100 * 24 * 60  # a span longer than a century is a typo
MAX_INPUT = 64  # characters, after normalising; longer input is never a time

_FLAGS = re.ASCII | re.IGNORECASE  # \d is 0-9 only; t/z/h/m/d/now in either case

_DAY_WORDS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
# A day and a period in one word, as officers write them: 昨晚11点 = 昨天晚上11点 = yesterday 23:00.
_DAY_PERIOD_WORDS = {
    "昨晚": (1, "晚上"),
    "昨夜": (1, "晚上"),
    "今晚": (0, "晚上"),
    "今夜": (0, "晚上"),
    "今晨": (0, "早上"),
    "今早": (0, "早上"),
    "昨早": (1, "早上"),
    "昨晨": (1, "早上"),
}
SHIFT_START_HOUR = 8  # a duty day runs 08:00-08:00 (the handover): see parse_time

# A period word before an hour: which hours it may be written with, and what to add to them.
# Hours outside these ranges are refused (晚上12点 and 晚上1点 are ambiguous, 上午15点 a typo).
_PERIODS: dict[str, tuple[tuple[range, int], ...]] = {
    "凌晨": ((range(0, 7), 0), (range(12, 13), -12)),
    "早上": ((range(0, 12), 0),),
    "上午": ((range(0, 13), 0),),
    "中午": ((range(11, 14), 0), (range(1, 3), 12)),
    "下午": ((range(1, 12), 12), (range(12, 24), 0)),
    "傍晚": ((range(4, 8), 12), (range(16, 20), 0)),
    "晚上": ((range(5, 12), 12), (range(17, 24), 0)),
}

_NUMBER_TRANSLATION = str.maketrans({"\u2212": "-"})  # MINUS SIGN, which NFKC leaves alone

# Chinese numerals as officers type them in times and spans: 三点, 十一点半, 两小时前, 二十分钟,
# 二〇二六年 (digit by digit). Read before the patterns, so every form takes them.
_CN_DIGITS = "〇零一二两三四五六七八九"
_CN_VALUE = {c: n for n, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}


def _arabic(match: re.Match) -> str:
    run = match[0]
    if "十" not in run:  # 二〇二六: digit by digit
        return "".join(str(_CN_VALUE[c]) for c in run)
    tens, _, ones = run.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return run  # not a number below 100: left for the patterns to refuse
    return str((_CN_VALUE[tens] if tens else 1) * 10 + (_CN_VALUE[ones] if ones else 0))


# --- building blocks -------------------------------------------------------------------------

_DATE = r"(?P<year>\d{4})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})"
_CN_DATE = r"(?:(?P<year>\d{4})年)?(?P<month>\d{1,2})月(?P<day>\d{1,2})[日号]"
_SECONDS = r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6}))?)?"
_CLOCK = (  # 08:30 | 8:30:15 | 8点 | 8点半 | 8点30 | 8时30分 | 8点钟, optionally after 下午 etc.
    rf"(?:(?P<period>{'|'.join(_PERIODS)})\s*)?"
    r"(?P<hour>\d{1,2})"
    rf"(?::(?P<minute>\d{{2}}){_SECONDS}"
    r"|[点时](?:(?P<half>半)|(?P<cminute>\d{1,2})分?|钟)?)"
)
_ISO_CLOCK = rf"(?P<hour>\d{{2}}):(?P<minute>\d{{2}}){_SECONDS}"
_OFFSET = r"(?P<offset>Z|UTC|(?P<sign>[+-])(?P<off_h>\d{2})(?::?(?P<off_m>\d{2}))?)"
_T = r"(?:\s*T\s*|\s+)"
_CN_SPAN = (  # 1天 | 2小时 | 2个小时 | 1个半小时 | 半小时 | 30分钟 | 30分, in that order
    r"(?:(?P<days>\d+)\s*天\s*)?"
    r"(?:(?P<hours>\d+)\s*个?(?P<plus_half>半)?\s*小时\s*|(?P<half>半)个?小时\s*)?"
    r"(?:(?P<minutes>\d+)\s*分钟?\s*)?"
)
_LATIN_SPAN = (  # 1d | 2h | 30m | 30min | 1h30m, in that order
    r"(?:(?P<days>\d+)\s*d\s*)?(?:(?P<hours>\d+)\s*h\s*)?(?:(?P<minutes>\d+)\s*m(?:in)?\s*)?"
)

# --- the table: (kind, pattern), tried in order, each as a full match --------------------------

# Sources, not compiled patterns: re compiles (and caches) each on its first use, so a command
# that reads `-1h` never compiles the nine below it (2 ms at import otherwise).
_PATTERNS: list[tuple[str, str]] = [
    ("now", r"now|现在|此刻"),
    ("ago", rf"{_CN_SPAN}前"),
    ("ago", rf"-\s*{_LATIN_SPAN}"),
    ("offset", rf"{_DATE}{_T}{_ISO_CLOCK}\s*{_OFFSET}"),
    ("date", rf"{_DATE}(?:{_T}{_CLOCK})?"),
    ("date", rf"{_CN_DATE}(?:\s*{_CLOCK})?"),
    ("day_word", rf"(?P<word>{'|'.join(_DAY_WORDS)})(?:\s*{_CLOCK})?"),
    (
        "day_period",
        rf"(?P<word>{'|'.join(_DAY_PERIOD_WORDS)})(?:\s*{_CLOCK})?",
    ),
    ("time_of_day", _CLOCK),
]
_DURATIONS = [_LATIN_SPAN, _CN_SPAN]


# --- helpers ---------------------------------------------------------------------------------


def _named(what: str) -> str:
    """What was typed wrong, for the message: an option set off by a space (无法识别的 --since)."""
    return f" {what}" if what.startswith("-") else what


def _shown(text: str) -> str:
    """The input as quoted in a message: repr (so control characters stay escaped), capped."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _clean(text: str, what: str, accepted: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in text):
        raise UsageError(f"{what}含有控制字符或无效字符：{_shown(text)}；可用格式：{accepted}")
    if len(text) > 4 * MAX_INPUT:
        raise UsageError(f"无法识别的{_named(what)}：{_shown(text)}；可用格式：{accepted}")
    cleaned = unicodedata.normalize("NFKC", text).translate(_NUMBER_TRANSLATION)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    cleaned = re.sub(f"[{_CN_DIGITS}十]+", _arabic, cleaned)  # 昨晚十一点半 = 昨晚11点半
    if not cleaned:
        raise UsageError(f"{what}为空；可用格式：{accepted}")
    if len(cleaned) > MAX_INPUT:
        raise UsageError(f"无法识别的{_named(what)}：{_shown(text)}；可用格式：{accepted}")
    return cleaned


def _span(groups: dict[str, str | None]) -> timedelta | None:
    """The span the groups of a _CN_SPAN/_LATIN_SPAN match name; None if over a century."""
    minutes = (
        int(groups.get("days") or 0) * 24 * 60
        + int(groups.get("hours") or 0) * 60
        + int(groups.get("minutes") or 0)
        + (30 if groups.get("half") or groups.get("plus_half") else 0)
    )
    return timedelta(minutes=minutes) if minutes <= MAX_SPAN_MINUTES else None


def _clock(groups: dict[str, str | None], text: str, what: str) -> time:
    """The time of day the groups of a _CLOCK/_ISO_CLOCK match name (00:00 if none)."""
    if groups.get("hour") is None:
        return time(0)
    hour = int(groups["hour"])
    written_minute = groups.get("minute") or groups.get("cminute")
    minute = 30 if groups.get("half") else int(written_minute or 0)
    second = int(groups.get("second") or 0)
    microsecond = int((groups.get("fraction") or "").ljust(6, "0"))
    period = groups.get("period")
    if period is not None:
        for hours, add in _PERIODS[period]:
            if hour in hours:
                hour += add
                break
        else:
            allowed = "或".join(f"{h.start}–{h.stop - 1}点" for h, _ in _PERIODS[period])
            raise UsageError(
                f"{what}中的时段与钟点不符：{_shown(text)}（{period}可写 {allowed}）；"
                "请改用 24 小时制，例如 0:30、13:00"
            )
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59):
        raise UsageError(f"{what}中的时刻不存在：{_shown(text)}（小时 0–23，分钟 0–59，秒 0–59）")
    return time(hour, minute, second, microsecond)


def _calendar_date(groups: dict[str, str | None], today: date, text: str, what: str) -> date:
    year = int(groups["year"]) if groups.get("year") else today.year
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise UsageError(f"{what}的年份超出范围：{_shown(text)}（{MIN_YEAR}–{MAX_YEAR}）")
    try:
        return date(year, int(groups["month"] or 0), int(groups["day"] or 0))
    except ValueError:
        raise UsageError(f"{what}中的日期不存在：{_shown(text)}") from None


def _local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """A wall-clock time in tz as a real instant (fold=0 for a skipped or repeated hour)."""
    return datetime.combine(day, clock).replace(tzinfo=tz, fold=0).astimezone(UTC)


def _offset(groups: dict[str, str | None], text: str, what: str) -> timezone:
    if groups["offset"].upper() in ("Z", "UTC"):
        return UTC
    hours, minutes = int(groups["off_h"]), int(groups["off_m"] or 0)
    if hours > 23 or minutes > 59:
        raise UsageError(f"{what}中的时区偏移不存在：{_shown(text)}（例如 +08:00、Z）")
    sign = -1 if groups["sign"] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _parse(text: str, now: datetime, tz: ZoneInfo, what: str) -> tuple[datetime, str]:
    """The instant text names (aware, any zone) and the kind of form it was written in, or
    UsageError."""
    today = now.astimezone(tz).date()
    for kind, pattern in _PATTERNS:
        match = re.fullmatch(pattern, text, _FLAGS)
        if match is None:
            continue
        groups = match.groupdict()
        if kind == "now":
            return now, kind
        if kind == "ago":
            if not any(groups.values()):
                continue  # "前" or "-" alone
            span = _span(groups)
            if span is None:
                raise UsageError(f"{what}超出范围：{_shown(text)}；最多往前 100 年")
            try:
                return now.astimezone(UTC) - span, kind
            except OverflowError:
                raise UsageError(f"{what}超出范围：{_shown(text)}") from None
        if kind == "offset":
            day = _calendar_date(groups, today, text, what)
            local = datetime.combine(day, _clock(groups, text, what))
            return local.replace(tzinfo=_offset(groups, text, what)), kind
        if kind == "date":
            day = _calendar_date(groups, today, text, what)
        elif kind == "day_word":
            day = today - timedelta(days=_DAY_WORDS[groups["word"]])
        elif kind == "day_period":
            back, period = _DAY_PERIOD_WORDS[groups["word"]]
            if groups.get("hour") is None:
                raise UsageError(
                    f"{what}须写出钟点：{_shown(text)}；例如 {groups['word']}11点、{groups['word']}8:30"
                )
            if groups.get("period") not in (None, period):
                raise UsageError(f"{what}中的时段重复：{_shown(text)}；例如 昨晚11点、昨天下午3点")
            groups = {**groups, "period": period}
            day = today - timedelta(days=back)
        else:  # time_of_day
            day = today
        return _local(day, _clock(groups, text, what), tz), kind
    numeric = re.fullmatch(_NUMERIC, text, _FLAGS)
    if numeric is not None:
        return _numeric(numeric, text, today, tz, what), "date"
    raise UsageError(f"无法识别的{_named(what)}：{_shown(text)}；可用格式：{ACCEPTED}")


# Numeric dates the table above does not know (22.11.2026, 2026.11.22 08:00, 11-22 08:00), read
# by dateutil's parser once the order of day and month is settled here: a four-digit year first
# is year-month-day; otherwise a number above 12 is the day; two numbers that could each be the
# month (11/12/2026) are refused, never guessed. dateutil is imported only for these forms.
_NUMERIC = (
    r"(?P<date>\d{1,4}[./-]\d{1,2}(?:[./-]\d{1,4})?)"
    r"(?:(?:\s*T\s*|\s+)(?P<clock>\d{1,2}:\d{2}(?::\d{2})?))?"
)


def _numeric(match: re.Match, text: str, today: date, tz: ZoneInfo, what: str) -> datetime:
    parts = re.split(r"[./-]", match["date"])
    given = text  # what dateutil reads
    if len(parts) == 3 and len(parts[0]) == 4:
        year, month, day, dayfirst, yearfirst = parts[0], parts[1], parts[2], False, True
    elif len(parts) == 3 and len(parts[2]) == 4 and max(len(parts[0]), len(parts[1])) <= 2:
        month, day, dayfirst = _day_month(parts, text, what)
        year, yearfirst = parts[2], False
    elif len(parts) == 2 and max(len(parts[0]), len(parts[1])) <= 2:
        month, day, dayfirst = _day_month(parts, text, what)
        year, yearfirst = str(today.year), False
        # this year, written the same way: dateutil would read "22.11" as a decimal number
        sep = match["date"][len(parts[0])]
        given = f"{match['date']}{sep}{year} {match['clock'] or ''}".strip()
    elif len(parts) == 3 and 4 not in (len(parts[0]), len(parts[2])):
        raise UsageError(
            f"无法识别的{_named(what)}：{_shown(text)}；年份须写四位，例如 2026-11-22 08:00、22.11.2026"
        )
    else:
        raise UsageError(f"无法识别的{_named(what)}：{_shown(text)}；可用格式：{ACCEPTED}")
    wanted = _calendar_date({"year": year, "month": month, "day": day}, today, text, what)
    from dateutil.parser import ParserError, parse

    try:
        read = parse(
            given, dayfirst=dayfirst, yearfirst=yearfirst, default=datetime(wanted.year, 1, 1)
        )
    except (ParserError, ValueError, OverflowError):
        raise UsageError(f"{what}中的时刻不存在：{_shown(text)}（小时 0–23，分钟 0–59）") from None
    if read.date() != wanted:  # dateutil read the numbers otherwise: never take its guess
        raise UsageError(f"无法识别的{_named(what)}：{_shown(text)}；请写成 {wanted.isoformat()}")
    return _local(wanted, read.time(), tz)


def _day_month(parts: list[str], text: str, what: str) -> tuple[str, str, bool]:
    """(month, day, dayfirst) of the first two numbers, or UsageError if either could be the
    month: 22.11 is 11月22日 and 11-22 too, but 11/12 is 11月12日 to some and 12月11日 to others."""
    first, second = int(parts[0]), int(parts[1])
    if first > 12 >= second:
        return parts[1], parts[0], True
    if second > 12 >= first or first == second:
        return parts[0], parts[1], False
    raise UsageError(
        f"{what}有歧义：{_shown(text)} 可以是 {first}月{second}日，也可以是 {second}月{first}日；"
        "请写成 年-月-日，例如 2026-11-22 08:00"
    )


# --- the API ---------------------------------------------------------------------------------


def parse_time(
    text: str,
    now: datetime,
    tz: ZoneInfo,
    *,
    what: str = "时间",
    allow_future_minutes: int = 5,
    shift_start_hour: int = SHIFT_START_HOUR,
) -> datetime:
    """The instant the officer typed, as an aware datetime in tz, or a one-line UsageError.

    `now` must be aware. `what` names the value in messages (e.g. "发生时间", "--since").
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("parse_time needs an aware `now`")
    cleaned = _clean(text, what, ACCEPTED)
    moment, kind = _parse(cleaned, now, tz, what)
    moment = moment.astimezone(tz)
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise UsageError(f"{what}的年份超出范围：{_shown(cleaned)}（{MIN_YEAR}–{MAX_YEAR}）")
    if moment.astimezone(UTC) - now.astimezone(UTC) > timedelta(minutes=allow_future_minutes):
        shown = moment.strftime("%Y-%m-%d %H:%M")
        current = now.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        meant = _yesterday_meant(moment, now, tz, kind, shift_start_hour)
        fix = f'是否指"{meant}"？' if meant else "不接受未来的时间"
        raise UsageError(f"{what}在未来：{shown}（现在 {current}）；{fix}")
    return moment


def _yesterday_meant(
    moment: datetime, now: datetime, tz: ZoneInfo, kind: str, shift_start_hour: int
) -> str | None:
    """'昨天 23:50' when a bare time of day, read as today, lies in the future but the same time
    yesterday falls in the shift now running (begun at shift_start_hour yesterday): at 00:30 an
    officer who types 23:50 means the evening just gone."""
    if kind != "time_of_day":
        return None
    local_now = now.astimezone(tz)
    shift_start = datetime.combine(local_now.date(), time(shift_start_hour), tz)
    if local_now < shift_start:
        shift_start -= timedelta(days=1)
    yesterday = _local(moment.date() - timedelta(days=1), moment.timetz().replace(tzinfo=None), tz)
    if not shift_start <= yesterday <= now:
        return None
    clock = "%H:%M:%S" if moment.second else "%H:%M"
    return f"昨天 {moment.strftime(clock)}"


def parse_duration(text: str, *, what: str = "时长") -> timedelta:
    """2h | 30m | 1d | 1h30m | 2小时 | 30分钟 | 1天 | 半小时 → timedelta. A unit is required."""
    cleaned = _clean(text, what, DURATION_ACCEPTED)
    for pattern in _DURATIONS:
        match = re.fullmatch(pattern, cleaned, _FLAGS)
        if match is None or not any(match.groupdict().values()):
            continue
        span = _span(match.groupdict())
        if span is None:
            raise UsageError(f"{what}过长：{_shown(cleaned)}；最长 100 年")
        return span
    raise UsageError(f"无法识别的{_named(what)}：{_shown(cleaned)}；可用格式：{DURATION_ACCEPTED}")


__all__ = ["ACCEPTED", "DURATION_ACCEPTED", "parse_duration", "parse_time"]
