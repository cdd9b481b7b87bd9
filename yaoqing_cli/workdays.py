"""Working days: the official Chinese schedule, an office's own calendar file, and a loud fallback.

Pure apart from reading the optional calendar file in `from_file`. chinese-calendar knows the
official holidays and make-up workdays (调休) for the years it was released with; for a year it
does not know, an office enters the published schedule in a calendar file, and until then the
engine counts Monday to Friday and marks every deadline that rests on that guess.
"""

import hashlib
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from yaoqing_cli.errors import UsageError

CALENDAR_EXAMPLE = '[years.2027]\nholidays = ["2027-01-01"]\nworkdays = ["2027-02-07"]'


class WorkCalendar:
    """Is a date a working day, and is that answer official or the Monday–Friday fallback."""

    def __init__(
        self, years: dict[int, tuple[frozenset, frozenset]] | None = None, source: str = ""
    ):
        # year -> (holidays, make-up workdays), entered by the office; wins over the library
        self.years = years or {}
        self.source = source  # what the office's entries came from, for identity()
        self._library = None
        self._days: dict[date, tuple[bool, bool]] = {}  # a status of 20 000 items asks often

    @classmethod
    def from_file(cls, path: Path) -> "WorkCalendar":
        import tomllib  # read only when an office gives a calendar file

        try:
            text = Path(path).read_text(encoding="utf-8")
            raw = tomllib.loads(text)
        except FileNotFoundError:
            raise UsageError(f"找不到日历文件 {path}") from None
        except (OSError, UnicodeDecodeError, RecursionError, tomllib.TOMLDecodeError) as err:
            raise UsageError(
                f"日历文件 {path} 无法读取：{err}；格式示例：{CALENDAR_EXAMPLE!r}"
            ) from None
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        return cls(parse_calendar(raw, str(path)), source=f"calendar file sha256:{digest}")

    def identity(self) -> str:
        """Names everything a working-day answer rests on: the library release (each adds a
        year's schedule) and the office's own file, so stored deadlines know when to be redone."""
        library = self._chinese_calendar()
        release = getattr(library, "__version__", "?") if library is not None else "none"
        return f"chinese-calendar {release}" + (f"; {self.source}" if self.source else "")

    def is_workday(self, day: date) -> tuple[bool, bool]:
        """(is it a working day, is this the Monday–Friday fallback rather than an official answer)."""
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._judge(day)
        return known

    def _judge(self, day: date) -> tuple[bool, bool]:
        entered = self.years.get(day.year)
        if entered is not None:
            holidays, workdays = entered
            if day in workdays:
                return True, False
            return day.weekday() < 5 and day not in holidays, False
        library = self._chinese_calendar()
        if library is not None:
            try:
                return bool(library.is_workday(day)), False
            except NotImplementedError:  # a year the installed release does not cover
                pass
        return day.weekday() < 5, True

    def covers(self, year: int) -> bool:
        return not self.is_workday(date(year, 6, 1))[1]

    def add_working_days(self, start: date, n: int) -> tuple[date, bool]:
        """The Nth working day after `start` (start itself not counted), and whether any day on
        the way was judged by the fallback."""
        day, counted, fallback = start, 0, False
        while counted < n:
            day += timedelta(days=1)
            working, guessed = self.is_workday(day)
            fallback |= guessed
            counted += working
        return day, fallback

    def _chinese_calendar(self):
        # imported on first use: only working-day clocks need it, and it costs start-up time
        if self._library is None:
            try:
                import chinese_calendar
            except ImportError:  # pragma: no cover - it is a declared dependency
                return None
            self._library = chinese_calendar
        return self._library


def parse_calendar(raw: dict, where: str) -> dict[int, tuple[frozenset, frozenset]]:
    years = raw.get("years")
    if not isinstance(years, dict) or not years:
        raise UsageError(f"{where}：缺少 [years.YYYY] 表；格式示例：{CALENDAR_EXAMPLE!r}")
    result = {}
    for year_text, table in years.items():
        if not str(year_text).isdigit() or not isinstance(table, dict):
            raise UsageError(f"{where}：years.{year_text} 应为年份表，例如 [years.2027]")
        year = int(year_text)
        unknown = set(table) - {"holidays", "workdays"}
        if unknown:
            raise UsageError(
                f"{where}：years.{year} 中有未知的键 {sorted(unknown)}；可用：holidays、workdays"
            )
        holidays = _dates(table.get("holidays", []), year, f"{where}：years.{year}.holidays")
        workdays = _dates(table.get("workdays", []), year, f"{where}：years.{year}.workdays")
        if holidays & workdays:
            both = "、".join(sorted(d.isoformat() for d in holidays & workdays))
            raise UsageError(f"{where}：years.{year} 中 {both} 既是节假日又是调休工作日")
        result[year] = (holidays, workdays)
    return result


def _dates(values: Iterable, year: int, where: str) -> frozenset:
    if not isinstance(values, list):
        raise UsageError(f'{where} 应为日期列表，例如 ["{year}-01-01"]')
    days = set()
    for value in values:
        if isinstance(value, date):
            day = value
        else:
            try:
                day = date.fromisoformat(str(value))
            except ValueError:
                raise UsageError(f"{where}：{value!r} 不是日期；应写作 {year}-01-01") from None
        if day.year != year:
            raise UsageError(f"{where}：{day.isoformat()} 不在 {year} 年")
        days.add(day)
    return frozenset(days)
