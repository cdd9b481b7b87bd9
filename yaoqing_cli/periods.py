"""The periods a report covers (`report --period`), as calendar dates in the office's zone. Pure:
no clock (the caller gives today), no I/O.

  2026-11 | 2026Q4 | 2026H2 | 2026            a month, a quarter, a half-year, a year
  本月 | 上月 | 本季度 | 上季度 | 今年 | 去年      the same, counted from today

Each is [start, end): `end` is the first day after it, so consecutive periods tile. The month
arithmetic is dateutil's relativedelta (a month back from 1 March is 1 February, in any year).
The half-year figures answer 鲁政办字〔2016〕86号 第17条 (每半年通报工作情况，年底进行考核).
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from yaoqing_cli.errors import UsageError

MIN_YEAR, MAX_YEAR = 2000, 2100
ACCEPTED = "2026-11（月）、2026Q4（季度）、2026H2（下半年）、2026（全年）、本月、上月、本季度、上季度、今年、去年"
QUARTER_NAMES = "一二三四"

_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})Q([1-4])")
_HALF = re.compile(r"(\d{4})H([12])")
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True)
class NamedPeriod:
    start: date
    end: date  # the first day after the period
    label: str  # 2026年11月, 2026年第四季度, 2026年下半年, 2026年
    span: str  # month | quarter | half | year


def month(year: int, number: int) -> NamedPeriod:
    start = date(year, number, 1)
    return NamedPeriod(start, start + relativedelta(months=1), f"{year}年{number}月", "month")


def quarter(year: int, number: int) -> NamedPeriod:
    start = date(year, 3 * (number - 1) + 1, 1)
    label = f"{year}年第{QUARTER_NAMES[number - 1]}季度"
    return NamedPeriod(start, start + relativedelta(months=3), label, "quarter")


def half(year: int, number: int) -> NamedPeriod:
    start = date(year, 6 * (number - 1) + 1, 1)
    label = f"{year}年{'上' if number == 1 else '下'}半年"
    return NamedPeriod(start, start + relativedelta(months=6), label, "half")


def year_of(year: int) -> NamedPeriod:
    start = date(year, 1, 1)
    return NamedPeriod(start, start + relativedelta(years=1), f"{year}年", "year")


def _relative(word: str, today: date) -> NamedPeriod | None:
    this_month = today.replace(day=1)
    this_quarter = this_month - relativedelta(months=(today.month - 1) % 3)
    if word == "本月":
        return month(today.year, today.month)
    if word == "上月":
        last = this_month - relativedelta(months=1)
        return month(last.year, last.month)
    if word == "本季度":
        return quarter(today.year, (today.month - 1) // 3 + 1)
    if word == "上季度":
        last = this_quarter - relativedelta(months=3)
        return quarter(last.year, (last.month - 1) // 3 + 1)
    if word == "今年":
        return year_of(today.year)
    if word == "去年":
        return year_of((today - relativedelta(years=1)).year)
    return None


def parse_period(text: str, today: date) -> NamedPeriod:
    """The period `text` names, today being `today` in the office's zone, or a UsageError."""
    spec = unicodedata.normalize("NFKC", text).strip().upper()
    found = _relative(spec, today)
    try:
        if found is None and (m := _MONTH.fullmatch(spec)):
            found = month(int(m[1]), int(m[2]))
        elif found is None and (m := _QUARTER.fullmatch(spec)):
            found = quarter(int(m[1]), int(m[2]))
        elif found is None and (m := _HALF.fullmatch(spec)):
            found = half(int(m[1]), int(m[2]))
        elif found is None and _YEAR.fullmatch(spec):
            found = year_of(int(spec))
    except ValueError:  # month 0 or 13
        found = None
    if found is None:
        raise UsageError(f"无法识别的期间：{text!r}；可用：{ACCEPTED}")
    if not MIN_YEAR <= found.start.year <= MAX_YEAR:
        raise UsageError(f"期间的年份超出范围：{text!r}（{MIN_YEAR}–{MAX_YEAR}）")
    return found
