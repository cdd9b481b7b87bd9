"""Working days: the official Chinese schedule, an office's own calendar entries, and a loud fallback.

Pure apart from reading a calendar file in `read_calendar_file`. chinese-calendar knows the
official holidays and make-up workdays (调休) of the State Council's yearly notice (国务院办公厅
关于部分节假日安排的通知) for the years it was released with. An office's entries (from
`yaoqing calendar add`, kept in the log, and from a --calendar file) only ADD to that schedule:
an extra rest day or an extra working day. An entry that would undo an official holiday or
make-up workday is refused, so a file listing 2026 can never make National Day vanish. For a
year the library does not know, the entries are the office's copy of the published schedule
over Monday to Friday; a year nobody entered is counted Monday to Friday and every deadline
that rests on that guess is marked.
"""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

from yaoqing_cli.errors import UsageError
from yaoqing_cli.models import sha256_hex

CALENDAR_EXAMPLE = '[years.2027]\nholidays = ["2027-01-01"]\nworkdays = ["2027-02-07"]'
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years any date the tool accepts lies in
MAX_FILE_BYTES = 256 * 1024  # a year's notice is a few hundred bytes
MAX_YEARS = 101  # every year of the accepted range
MAX_DAYS = 366  # in one list of one year

HOLIDAY_NAMES = {  # chinese-calendar's names, as the State Council's notice calls them
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class Entries(NamedTuple):
    """One office calendar: per year, the extra rest days (holidays) and working days entered,
    and where they came from (file name and SHA-256 of its bytes)."""

    years: dict[int, tuple[frozenset, frozenset]]
    source: str
    sha256: str
    where: str = ""  # for messages: 日志 or the file's path

    def to_data(self) -> dict:
        """The payload of a 'calendar' event: plain JSON, years as text keys."""
        return {
            "years": {
                str(year): {
                    "holidays": sorted(d.isoformat() for d in rest),
                    "workdays": sorted(d.isoformat() for d in work),
                }
                for year, (rest, work) in sorted(self.years.items())
            },
            "source": self.source,
            "sha256": self.sha256,
        }

    @classmethod
    def from_data(cls, data: dict, where: str = "日志") -> "Entries":
        return cls(parse_calendar(data, where), data["source"], data["sha256"], where)


class WorkCalendar:
    """Is a date a working day, and is that answer official or the Monday–Friday fallback."""

    def __init__(self, entries: Sequence[Entries] = ()):
        self.entries = list(entries)
        self.rest: set[date] = set()
        self.work: set[date] = set()
        self.entered_years: set[int] = set()
        self._library = None
        self._days: dict[date, tuple[bool, bool]] = {}  # a status of 20 000 items asks often
        for entry in self.entries:
            self._take(entry)

    def _take(self, entry: Entries) -> None:
        for year, (rest, work) in entry.years.items():
            clash = (rest & self.work) | (work & self.rest)
            if clash:
                day = min(clash).isoformat()
                raise UsageError(
                    f"{entry.where}：{day} 与已录入的日历相反（一处为休息日，一处为工作日）；"
                    "请核对后只保留一种"
                )
            self.check_additive(rest, work, f"{entry.where}：years.{year}")
            self.rest |= rest
            self.work |= work
            self.entered_years.add(year)

    @classmethod
    def from_file(cls, path: Path) -> "WorkCalendar":
        return cls([read_calendar_file(path)])

    def with_entries(self, entry: Entries) -> "WorkCalendar":
        return WorkCalendar([*self.entries, entry])

    def identity(self) -> str:
        """Names everything a working-day answer rests on: the library's schedule (each release
        adds a year) and the office's entries, so stored deadlines know when to be redone."""
        text = f"chinese-calendar {_library_stamp()}"
        if self.entered_years:
            canonical = ";".join(
                [",".join(sorted(map(str, self.entered_years)))]
                + [",".join(sorted(d.isoformat() for d in days)) for days in (self.rest, self.work)]
            )
            text += f"; office calendar sha256:{sha256_hex(canonical.encode())[:16]}"
        return text

    def release(self) -> str:
        """The installed chinese-calendar release, as a person names it."""
        library = self._chinese_calendar()
        return getattr(library, "__version__", "?") if library is not None else "未安装"

    def is_workday(self, day: date) -> tuple[bool, bool]:
        """(is it a working day, is this the Monday–Friday fallback rather than an official answer)."""
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._judge(day)
        return known

    def _judge(self, day: date) -> tuple[bool, bool]:
        if day in self.work:
            return True, False
        if day in self.rest:
            return False, False
        official = self.official(day)
        if official is not None:
            return official, False
        return day.weekday() < 5, day.year not in self.entered_years

    def official(self, day: date) -> bool | None:
        """The State Council's answer for `day`, or None for a year the library lacks."""
        library = self._chinese_calendar()
        if library is not None:
            try:
                return bool(library.is_workday(day))
            except NotImplementedError:  # a year the installed release does not cover
                pass
        return None

    def official_days(self, year: int) -> tuple[dict[date, str], dict[date, str]] | None:
        """(holidays, make-up workdays) of `year` with their festival, or None if unknown."""
        library = self._chinese_calendar()
        if library is None or self.official(date(year, 6, 1)) is None:
            return None
        holidays = {
            d: HOLIDAY_NAMES.get(n, n) for d, n in library.holidays.items() if d.year == year
        }
        workdays = {
            d: HOLIDAY_NAMES.get(n, n) for d, n in library.workdays.items() if d.year == year
        }
        return dict(sorted(holidays.items())), dict(sorted(workdays.items()))

    def check_additive(self, rest: frozenset, work: frozenset, where: str) -> None:
        """Refuse an entry that would undo the official schedule: an office calendar adds rest
        days and working days, it never cancels a holiday or a make-up workday of the notice."""
        for day in sorted(rest):
            if self.official(day) and day.weekday() >= 5:
                raise UsageError(
                    f"{where}：{day.isoformat()} 是国务院办公厅通知的调休上班日，不能录为休息日；"
                    "本单位日历只能在法定安排之上另加休息日或工作日"
                )
        for day in sorted(work):
            if self.official(day) is False and (day.weekday() < 5 or self._official_holiday(day)):
                raise UsageError(
                    f"{where}：{day.isoformat()} 是法定节假日，不能录为工作日；"
                    "本单位日历只能在法定安排之上另加休息日或工作日"
                )

    def _official_holiday(self, day: date) -> bool:
        library = self._chinese_calendar()
        return library is not None and day in library.holidays

    def additions(self, entry: Entries) -> dict[int, tuple[int, int]]:
        """What `entry` adds to this calendar, per year: (extra rest days, extra working days)."""
        added = {}
        for year, (rest, work) in sorted(entry.years.items()):
            more_rest = sum(1 for d in rest if self.is_workday(d)[0])
            more_work = sum(1 for d in work if not self.is_workday(d)[0])
            added[year] = (more_rest, more_work)
        return added

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


def _library_stamp() -> str:
    """chinese-calendar's schedule files by size and modification time, found without importing
    it (0.07 ms; the import costs 2 ms, and a read command that counts no working day never
    needs it). A reinstall or upgrade changes the stamp, and stored deadlines are redone."""
    import importlib.util
    import os
    import zlib

    spec = importlib.util.find_spec("chinese_calendar")
    if spec is None or not spec.submodule_search_locations:
        return "none"
    folder = spec.submodule_search_locations[0]
    digest = 0
    for name in ("__init__.py", "constants.py", "utils.py"):
        try:
            stat = os.stat(os.path.join(folder, name))
        except OSError:
            return "unknown"
        digest = zlib.crc32(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode(), digest)
    return f"files crc32:{digest:08x}"


def read_calendar_file(path: Path) -> Entries:
    """A calendar file (TOML, CALENDAR_EXAMPLE) as entries; everything in it checked."""
    import tomllib  # read only when an office gives a calendar file

    path = Path(path)
    try:
        if path.is_file() and path.stat().st_size > MAX_FILE_BYTES:
            raise UsageError(
                f"日历文件 {path} 过大（{path.stat().st_size} 字节）；最多 {MAX_FILE_BYTES} 字节"
            )
        if path.exists() and not path.is_file():
            raise UsageError(f"日历文件 {path} 不是普通文件")
        data = path.read_bytes()
        text = data.decode("utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise UsageError(f"找不到日历文件 {path}") from None
    except (OSError, UnicodeDecodeError, RecursionError, tomllib.TOMLDecodeError) as err:
        from yaoqing_cli.errors import os_reason
        from yaoqing_cli.tomltext import toml_message

        if isinstance(err, tomllib.TOMLDecodeError):
            why = f"TOML 格式错误，{toml_message(str(err))}"
        elif isinstance(err, OSError):
            why = os_reason(err)
        elif isinstance(err, UnicodeDecodeError):
            why = "不是 UTF-8 编码的文本"
        else:
            why = "嵌套过深，不是日历文件"
        raise UsageError(
            f"日历文件 {path} 无法读取：{why}；格式示例：{CALENDAR_EXAMPLE!r}"
        ) from None
    unknown = set(raw) - {"years"}
    if unknown:
        raise UsageError(f"日历文件 {path} 中有未知的键 {sorted(unknown)}；只可有 [years.YYYY] 表")
    years = parse_calendar(raw, str(path))
    return Entries(years, path.name, sha256_hex(data), str(path))


def parse_calendar(raw: dict, where: str) -> dict[int, tuple[frozenset, frozenset]]:
    years = raw.get("years")
    if not isinstance(years, dict) or not years:
        raise UsageError(f"{where}：缺少 [years.YYYY] 表；格式示例：{CALENDAR_EXAMPLE!r}")
    if len(years) > MAX_YEARS:
        raise UsageError(f"{where}：年份过多（{len(years)} 个）；最多 {MAX_YEARS} 个")
    result = {}
    for year_text, table in years.items():
        year_text = str(year_text)
        if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
            raise UsageError(f"{where}：years.{year_text} 应为四位年份表，例如 [years.2027]")
        year = int(year_text)
        if not FIRST_YEAR <= year <= LAST_YEAR or not isinstance(table, dict):
            raise UsageError(
                f"{where}：years.{year_text} 应为 {FIRST_YEAR}–{LAST_YEAR} 年的年份表，例如 [years.2027]"
            )
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
    if len(values) > MAX_DAYS:
        raise UsageError(f"{where}：日期过多（{len(values)} 个）；一年最多 {MAX_DAYS} 个")
    days = set()
    for value in values:
        if isinstance(value, date) and not hasattr(value, "hour"):
            day = value
        elif isinstance(value, str) and len(value) == 10:
            try:
                day = date.fromisoformat(value)
            except ValueError:
                raise UsageError(f"{where}：{value!r} 不是日期；应写作 {year}-01-01") from None
        else:
            raise UsageError(f"{where}：{str(value)[:40]!r} 不是日期；应写作 {year}-01-01")
        if day.year != year:
            raise UsageError(f"{where}：{day.isoformat()} 不在 {year} 年")
        days.add(day)
    return frozenset(days)
