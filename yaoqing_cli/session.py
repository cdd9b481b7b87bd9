"""The log session: what one command holds while it works on the log.

`open_log(settings, write=...)` opens the store and yields one `Log`: the store, the office (read
once), its zone, the working-day calendar and the policies by hash (each read at most once), and
"now", one moment per command (`--occurred 6小时前 --at 6小时前` is one moment). A read command
sees one moment of the log (one read transaction, even while other terminals write); a write
command's use case takes its own BEGIN IMMEDIATE transaction (service.py) and YAOQING_NOW is
refused unless the log is a drill log. The log is closed however the command ends.
"""

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from yaoqing_cli.clock import now as clock_now
from yaoqing_cli.clock import simulated_now, zone
from yaoqing_cli.errors import LogError, OperationError, UsageError
from yaoqing_cli.models import Item
from yaoqing_cli.store import Office, Store

DRILL_MARK = "【演练】"  # every heading of a drill log (init --drill) starts with it
DRILL_LINE = "【演练】本日志为演练日志（init --drill），所记要情不是真实报送"
NOT_INITIALISED = (
    "日志尚未初始化：先运行 yaoqing init --office 单位全称 --short 单位简称 --policy 省份"
)


class Settings(Protocol):
    """What a command was told about where things are (cli.Settings)."""

    @property
    def db_path(self) -> Path: ...

    calendar: Path | None  # --calendar / YAOQING_CALENDAR

    def policy_dirs(self) -> list[Path]: ...


class Paths(NamedTuple):
    """Settings for a session over a store opened by other means (the benchmark's generator)."""

    db_path: Path
    calendar: Path | None = None

    def policy_dirs(self) -> list[Path]:
        from yaoqing_cli.policy import policy_dirs

        return policy_dirs()


def load_calendar(calendar_file: Path | None, store: Store):
    """The working-day calendar every command counts with: the official schedule, plus the
    office calendar entered in the log (`yaoqing calendar add`), plus a --calendar file."""
    from yaoqing_cli.workdays import Entries, WorkCalendar, read_calendar_file

    try:
        entries = [Entries.from_data(data) for data in store.calendar_entries()]
    except (ValueError, KeyError, TypeError, AttributeError, UsageError):
        raise LogError(
            "日志中的本单位工作日历已损坏（与录入它的事件不符）；请运行 yaoqing verify 并从备份恢复"
        ) from None
    if calendar_file:
        entries.append(read_calendar_file(calendar_file))
    return WorkCalendar(entries)


def recounted_breach(
    log: "Log", before, after, item_ids: set[str] | None = None
) -> tuple[str, str, datetime] | None:
    """A calendar is input too (`calendar add`, --calendar, YAOQING_CALENDAR): the first clock
    already overdue or late at `log.now` under `before` that `after` would turn into met or
    waived, as (item ID, clock name, deadline), or None. Every working-day clock counts: an
    item's duties and its downward clocks (转办, 批示, 督办). Only a deadline that rested on the
    Monday–Friday guess (flagged wherever it was shown) may be recounted. `item_ids`: only
    those items (default every item filed by now)."""
    from yaoqing_cli.chuan import lost_breaches as chuan_lost
    from yaoqing_cli.chuan import track
    from yaoqing_cli.engine import evaluate, lost_breaches

    store, now, tz = log.store, log.now, log.tz
    items = store.items_open_at(now, include_closed=True)
    if item_ids is not None:
        items = [item for item in items if item.id in item_ids]
    grouped = store.events_for([item.id for item in items])
    for item in items:
        policy, resolve = log.policies.get(item), log.policies.resolver(item.id)
        events = grouped[item.id]
        if any(d.working_days and item.kind in d.kinds for d in policy.duties):
            judged = [
                evaluate(item, events, policy, cal, now, tz=tz, resolve=resolve)
                for cal in (before, after)
            ]
            for duty in lost_breaches(*judged):
                if not duty.calendar_fallback:
                    return item.id, duty.name, duty.deadline
        chased = [
            track(item, events, policy, cal, now, tz=tz, resolve=resolve) for cal in (before, after)
        ]
        for clock in chuan_lost(*chased):
            if not clock.calendar_fallback:
                return item.id, f"{clock.name}（{clock.unit}）", clock.deadline
    return None


class PolicyCache:
    """Policies by hash, read from the log's snapshots once per command."""

    def __init__(self, store: Store):
        self.store = store
        self.cache: dict[str, object] = {}

    def get(self, item: Item):
        return self.by_hash(item.policy_hash, item.id)

    def resolver(self, item_id: str = ""):
        """policy_hash -> policy, for the engine's earlier versions of a corrected item."""
        return lambda policy_hash: self.by_hash(policy_hash, item_id)

    def by_hash(self, policy_hash: str, item_id: str):
        from yaoqing_cli.policy import Policy

        policy = self.cache.get(policy_hash)
        if policy is None:
            snapshot = self.store.policy_snapshot(policy_hash)
            if snapshot is None:
                raise LogError(
                    f"{item_id} 所依据的政策快照缺失（{policy_hash[:12]}）；请运行 yaoqing verify"
                )
            policy = self.cache[policy_hash] = Policy.from_snapshot(snapshot, policy_hash)
        return policy


class Log:
    """One command's view of the log. Built by open_log; use cases take it as their first
    argument and read everything the command needs through it."""

    def __init__(self, store: Store, settings: Settings, now: datetime):
        self.store = store
        self.settings = settings
        self.now = now  # the one moment this command treats as now
        self.policies = PolicyCache(store)
        self._office = store.office()
        self._tz: ZoneInfo | None = None
        self._calendar = None
        self._office_history: list | None = None
        # a write's --calendar file that could not be read: the write went on without it
        self.unread_calendar: Exception | None = None

    @classmethod
    def over(cls, store: Store, calendar: Path | None = None) -> "Log":
        """A session over an already open store (no transaction taken; now is the clock's)."""
        return cls(store, Paths(store.path, calendar), clock_now())

    @property
    def initialised(self) -> bool:
        return self._office is not None

    @property
    def office(self) -> Office:
        if self._office is None:
            raise OperationError(NOT_INITIALISED)
        return self._office

    def office_changed(self, office: Office) -> None:
        """`init` recorded new settings: what the rest of the command sees."""
        self._office, self._tz, self._office_history = office, None, None

    def office_at(self, moment: datetime) -> Office:
        """The settings in force at `moment` (the first ones for a moment before any); the
        office's history is read once per command (a year's report asks for 18 000 items)."""
        if self._office_history is None:
            self._office_history = self.store.office_history()
        history = self._office_history
        if not history:
            return self.office
        chosen = history[0][1]
        for recorded, office in history:
            if recorded > moment:
                break
            chosen = office
        return chosen

    @property
    def drill(self) -> bool:
        return self._office is not None and self._office.drill

    @property
    def mark(self) -> str:
        """【演练】 before every line a drill log's write commands print, else nothing."""
        return DRILL_MARK if self.drill else ""

    @property
    def tz(self) -> ZoneInfo:
        if self._tz is None:
            self._tz = zone(self.office.tz)
        return self._tz

    @property
    def calendar(self):
        """The calendar every clock counts with (loaded once; LogError if the log's is damaged,
        UsageError if the --calendar file is unreadable)."""
        if self._calendar is None:
            calendar = load_calendar(self.settings.calendar, self.store)
            if self.settings.calendar and self.initialised:
                # a file for one command obeys the rule `calendar add` obeys
                lost = recounted_breach(self, load_calendar(None, self.store), calendar)
                if lost is not None:
                    from yaoqing_cli.clock import deadline_text

                    item_id, name, deadline = lost
                    raise UsageError(
                        f"日历文件 {self.settings.calendar} 不予采用：它会使 {item_id} 已逾期的"
                        f"“{name}”时限（{deadline_text(deadline, self.tz)}）变为按时或免于考核；"
                        "逾期一经记录不能由日历撤销"
                    )
            self._calendar = calendar
        return self._calendar

    def calendar_changed(self) -> None:
        """`calendar add` entered new days: the next use reads them."""
        self._calendar = None

    def policy_dirs(self) -> list[Path]:
        return self.settings.policy_dirs()

    def judge(self, item: Item, events, moment: datetime):
        """The item's clocks at `moment` (engine.ItemStatus) under its policy, this calendar and
        zone, a corrected item's earlier versions under their own policies."""
        from yaoqing_cli.engine import evaluate

        return evaluate(item, events, self.policies.get(item), self.calendar, moment, tz=self.tz,
                        resolve=self.policies.resolver(item.id))  # fmt: skip

    def time(self, text: str | None, what: str, default: datetime | None = None):
        """A typed time ('今天 8:00', '2小时前') read against this command's now, in the office's
        zone; `default` when not given. Refuses a log not yet initialised, given or not."""
        tz = self.tz
        if text is None:
            return default
        from yaoqing_cli.timeparse import parse_time

        return parse_time(text, self.now, tz, what=what)


def check_write_clock(office: Office | None, drill: bool = False) -> datetime | None:
    """Simulated time never reaches a real log. YAOQING_NOW is for drills and tests: a write
    with it set is refused on a real log; on a drill log (or one `init --drill` is making) it
    is also the moment each event is recorded, returned here."""
    simulated = simulated_now()
    if simulated is None:
        return None
    if not (office.drill if office is not None else drill):
        raise UsageError(
            "环境变量 YAOQING_NOW 已设置：真实日志只按本机时钟记录，模拟时间只用于演练日志"
            "（init --drill）；请取消 YAOQING_NOW 后重试"
        )
    return simulated


@contextmanager
def open_log(
    settings: Settings,
    *,
    write: bool = False,
    create: bool = False,
    drill: bool = False,
    snapshot: bool = True,
) -> Iterator[Log]:
    """The log for one command, closed when the block ends.

    write: a write command (its use case takes the write transaction); YAOQING_NOW is refused
    unless the log is (or `create` with `drill` makes) a drill log. Otherwise a read command,
    which sees one moment of the log (`snapshot`; verify and backup take their own)."""
    path = settings.db_path
    made = create and not path.exists()
    if write and made:
        check_write_clock(None, drill)  # refuse before a file is made
    store = Store.open(path, create=create)
    failed = False
    try:
        if write or not snapshot:
            log = Log(store, settings, clock_now())
            if write:
                simulated = check_write_clock(log._office, drill)
                if simulated is not None:
                    store.recorded_now = lambda: simulated
                _check_calendar_file(log)
            yield log
        else:
            with store.reading():
                yield Log(store, settings, clock_now())
    except BaseException:
        failed = True
        raise
    finally:
        # a command that made the file and failed before recording anything (an import
        # refused whole) leaves no empty log behind: "日志未改动" means no new file either
        empty = failed and made and _holds_no_event(store)
        store.close()
        if empty:
            for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                with suppress(OSError):
                    name.unlink()


def _check_calendar_file(log: Log) -> None:
    """A write's --calendar (or YAOQING_CALENDAR) file: one that would turn a breach into met or
    waived is refused before anything is written, as every command refuses it; one that cannot
    be read does not stop the report being recorded (a report matters more than its clocks) and
    is kept in `log.unread_calendar` for the command to say so."""
    if log.settings.calendar is None or not log.initialised:
        return
    from yaoqing_cli.workdays import read_calendar_file

    try:
        read_calendar_file(log.settings.calendar)
    except (UsageError, OperationError) as err:
        log.unread_calendar = err
        return
    log.calendar  # noqa: B018  (a file that would erase a breach is refused here)


def _holds_no_event(store: Store) -> bool:
    try:
        return store.event_count() == 0
    except Exception:  # a damaged file is kept as it is
        return False
