"""The status board: open items from the log, each evaluated by the pure deadline engine.

Each item is judged under the policy frozen onto it when it was filed (by content hash), so a
later edit of a policy file never silently moves a running clock.

The handover views (`--overdue`, `--due-within`) first ask the clocks projection (store.py,
table `clocks`) which items have a clock in range, and judge only those. The projection is
rewritten by the engine itself on every write (`keep_clocks`), and read only when it cannot be
stale: it was computed with this version, time zone and calendar, and nothing in the log
happened after the moment asked. Otherwise every open item is judged, as before.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from yaoqing_cli.clock import from_utc_text, span_text, to_utc_text, zone
from yaoqing_cli.errors import LogError, UsageError
from yaoqing_cli.models import Event, Item
from yaoqing_cli.service import office_of
from yaoqing_cli.store import Store

BRIEF_OVER = 20  # items: above this, the text board is one line per clock (README, status)


@dataclass(frozen=True)
class Row:
    item: Item
    events: list[Event]
    status: object  # engine.ItemStatus


class Clock(NamedTuple):
    """One running clock on the brief board: which item, which duty, since when, whom to tell."""

    item_id: str
    title: str
    duty: str
    name: str
    deadline: datetime
    overdue: bool
    notify: tuple[tuple[str | None, str], ...]  # (须报告|同时抄送|可报告|None: sender, who)
    fallback: bool
    sensitive: bool = False  # the item is 涉密/敏感: its title is not shown without asking


@dataclass(frozen=True)
class Board:
    at: datetime
    rows: list[Row]  # judged in full; empty on a brief board
    considered: int  # items evaluated before filtering, so nothing is dropped silently
    view: str  # which filter produced `rows`, in Chinese
    clocks: list[Clock] | None = None  # set on a brief board, in deadline order
    items: int = 0  # how many items the board shows
    drill: bool = False  # a drill log (init --drill): the header says 【演练】


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


class PolicyCache:
    """Policies by hash, read from the log's snapshots once per command."""

    def __init__(self, store: Store):
        self.store = store
        self.cache: dict[str, object] = {}

    def get(self, item: Item):
        return self.by_hash(item.policy_hash, item.id)

    def by_hash(self, policy_hash: str, item_id: str):
        from yaoqing_cli.policy import Policy

        policy = self.cache.get(policy_hash)
        if policy is None:
            snapshot = self.store.policy_snapshot(policy_hash)
            if snapshot is None:
                raise LogError(
                    f"{item_id} 所依据的政策快照缺失（{policy_hash[:12]}）；请运行 yaoqing verify"
                )
            policy = self.cache[policy_hash] = Policy.from_snapshot(snapshot)
        return policy


def evaluate_one(
    store: Store, item: Item, events: Sequence[Event], moment: datetime, calendar_file
):
    from yaoqing_cli.engine import evaluate

    tz = zone(office_of(store).tz)
    policy = PolicyCache(store).get(item)
    return evaluate(item, events, policy, load_calendar(calendar_file, store), moment, tz=tz)


def evaluate_items(store: Store, items: Sequence[Item], moment: datetime, calendar) -> list[Row]:
    from yaoqing_cli.engine import evaluate

    tz = zone(office_of(store).tz)
    policies = PolicyCache(store)
    grouped = store.events_for([item.id for item in items])
    rows = []
    for item in items:
        events = grouped[item.id]
        status = evaluate(item, events, policies.get(item), calendar, moment, tz=tz)
        rows.append(Row(item, events, status))
    rows.sort(key=lambda row: row.status.urgency)
    return rows


# --- the clocks projection ------------------------------------------------------------------------


def clock_basis(tz_name: str, calendar) -> str:
    """What the projection's deadlines depend on besides the log itself (policies are frozen
    onto items by hash). A change of any of these makes the next write rebuild it."""
    from yaoqing_cli import __version__

    return f"yaoqing {__version__} rules {_rules_digest()}; tz {tz_name}; {calendar.identity()}"


def _rules_digest() -> str:
    """The code that turns events into stored clocks: an upgrade that changes it, version
    number or not, must not be answered from clocks the old code counted (0.1 ms). Read through
    each module's loader, so a zipped install works; a build without sources says so."""
    import hashlib
    import sys

    from yaoqing_cli import clock, engine, policy, store, vocab, workdays

    digest = hashlib.sha256()
    for module in (engine, policy, workdays, vocab, clock, store, sys.modules[__name__]):
        try:
            digest.update(module.__loader__.get_data(module.__file__))
        except (OSError, AttributeError, TypeError):
            return "unknown"
    return digest.hexdigest()[:16]


def keep_clocks(store: Store, item_ids: Sequence[str], calendar_file: Path | None) -> None:
    """Bring the projection up to date for the items a write touched; call inside the write's
    transaction, after its events. Rebuilds every open item's clocks if the basis changed.
    Logging a report never fails for the projection's sake: an unreadable calendar file or a
    missing policy snapshot leaves a basis that matches nothing, and status judges every item
    (naming the damage) until a write can rebuild it."""
    tz_name = office_of(store).tz
    calendar = _readable_calendar(calendar_file, store)
    if calendar is None:
        store.reset_clocks("unusable: calendar file unreadable")
        return
    basis = clock_basis(tz_name, calendar)
    if store.clock_basis() != basis:
        store.reset_clocks(basis)
        item_ids = store.open_item_ids()
    try:
        judged = _running(store, list(dict.fromkeys(item_ids)), calendar, tz_name)
    except LogError:
        store.reset_clocks("unusable: a policy snapshot is missing")
        return
    for item, level, clocks in judged:
        store.replace_clocks(item, level, clocks)


def clock_differences(store: Store, calendar_file: Path | None) -> list:
    """Every stored clock (derived.Difference, by item, duty and column) that differs from what
    the engine makes of the events (for verify). A projection whose basis does not match is
    never read, so it is not checked; nor is one that cannot be judged (status names what is
    unreadable)."""
    from yaoqing_cli.derived import MISSING, Difference

    tz_name = office_of(store).tz
    calendar = _readable_calendar(calendar_file, store)
    if calendar is None or store.clock_basis() != clock_basis(tz_name, calendar):
        return []
    try:
        judged = _running(store, store.open_item_ids(), calendar, tz_name)
    except LogError:
        return []
    expected = {
        store.clock_row(item, level, clock) for item, level, clocks in judged for clock in clocks
    }
    stored = store.clock_rows()
    if expected == stored:
        return []
    columns = store._CLOCK_COLUMNS.split(", ")
    want = {row[:2]: row for row in expected}
    have = {row[:2]: row for row in stored}
    found = []
    for key in sorted(set(want) | set(have), key=str):
        a, b = have.get(key), want.get(key)
        if a == b:
            continue
        if a is None or b is None:
            found.append(
                Difference(
                    "clocks",
                    key[0],
                    f"{key[1]}（整行）",
                    MISSING if a is None else "有此行",
                    MISSING if b is None else "有此时限",
                )
            )
            continue
        for name, x, y in zip(columns, a, b, strict=True):
            if x != y:
                found.append(Difference("clocks", key[0], f"{key[1]} {name}", x, y))
    return found


def _readable_calendar(calendar_file: Path | None, store: Store):
    try:
        return load_calendar(calendar_file, store)
    except (UsageError, LogError):
        return None


def _running(store: Store, item_ids: Sequence[str], calendar, tz_name: str) -> list[tuple]:
    """(item, current level, running clocks) of each item, as the engine judges them after
    every recorded event. Raises LogError if an item's policy snapshot is missing."""
    from yaoqing_cli.engine import running_clocks

    tz = zone(tz_name)
    policies = PolicyCache(store)
    items = store.items_by_id(item_ids)
    grouped = store.events_for([item.id for item in items])
    return [
        (item, *running_clocks(item, grouped[item.id], policies.get(item), calendar, tz))
        for item in items
    ]


def _projection_serves(store: Store, moment: datetime, calendar, tz_name: str) -> bool:
    if store.clock_basis() != clock_basis(tz_name, calendar):
        return False
    latest = store.latest_happened()
    return latest is None or latest <= to_utc_text(moment)


# --- selecting what a board shows ---------------------------------------------------------------


def select(
    store: Store,
    moment: datetime,
    *,
    calendar_file: Path | None = None,
    overdue_only: bool = False,
    due_within: timedelta | None = None,
    include_closed: bool = False,
    brief: bool | None = None,
) -> Board:
    """The board for `moment`. `brief` is for the handover views of open items (--overdue,
    --due-within): True/False forces one line per clock or the full view; None chooses one
    line per clock above BRIEF_OVER items. Other views are always in full."""
    calendar = load_calendar(calendar_file, store)
    tz_name = office_of(store).tz
    drill = office_of(store).drill
    view = "全部要情" if include_closed else "未终报要情"
    if overdue_only:
        view += "中有逾期时限的"
    horizon = None if due_within is None else moment + due_within
    if due_within is not None:
        view += f"中{span_text(due_within)}内到期或已逾期的"

    filtered = overdue_only or horizon is not None
    if not filtered or include_closed:
        brief = False  # every item, with or without a running clock, needs its block
    if filtered and not include_closed and _projection_serves(store, moment, calendar, tz_name):
        # overdue means now > deadline; stored deadlines are whole seconds. An overdue clock
        # is also due within any horizon, so the earlier bound is the only one needed.
        if overdue_only:
            due = store.clocks_due(to_utc_text(moment), inclusive=bool(moment.microsecond))
        else:
            due = store.clocks_due(to_utc_text(horizon), inclusive=True)
        ids = list(dict.fromkeys(c[0] for c in due))
        considered = store.open_item_count()
        if brief or (brief is None and len(ids) > BRIEF_OVER):
            clocks = _clocks_from_projection(store, due, moment)
            return Board(moment, [], considered, view, clocks, len(ids), drill)
        rows = evaluate_items(store, store.items_by_id(ids), moment, calendar)
    else:
        items = store.items_open_at(moment, include_closed=include_closed)
        rows = evaluate_items(store, items, moment, calendar)
        considered = len(rows)
    if filtered:
        rows = [r for r in rows if any(_shown(d, overdue_only, horizon) for d in r.status.duties)]
    if brief or (brief is None and len(rows) > BRIEF_OVER):
        clocks = _clocks_from_rows(rows, overdue_only, horizon)
        return Board(moment, [], considered, view, clocks, len(rows), drill)
    return Board(moment, rows, considered, view, None, len(rows), drill)


def _shown(duty, overdue_only: bool, horizon: datetime | None) -> bool:
    """Is this clock one the board was asked for (any running clock, if no filter)?"""
    if duty.state not in ("overdue", "due_soon", "pending"):
        return False
    if overdue_only and duty.state != "overdue":
        return False
    return horizon is None or duty.deadline <= horizon


def _clocks_from_rows(rows: Sequence[Row], overdue_only: bool, horizon) -> list[Clock]:
    """Brief lines from fully judged items (the path without the projection)."""
    clocks = []
    for row in rows:
        standing = tuple((n.heading, n.who) for n in row.status.notify if n.duty is None)
        for d in row.status.duties:
            if _shown(d, overdue_only, horizon):
                raised = tuple((n.heading, n.who) for n in row.status.notify if n.duty == d.key)
                clocks.append(
                    Clock(
                        row.item.id,
                        row.item.title,
                        d.key,
                        d.name,
                        d.deadline,
                        d.state == "overdue",
                        standing + raised,
                        d.calendar_fallback,
                        row.item.sensitive,
                    )
                )
    clocks.sort(key=lambda c: (c.deadline, c.item_id, c.duty))
    return clocks


def _clocks_from_projection(store: Store, due: Sequence[tuple], moment: datetime) -> list[Clock]:
    """Brief lines straight from the projection: no events read, no item re-judged. What the
    policy says of a clock (its name, who is told of such an item) is worked out once per kind
    of clock, not once per line: a flood leaves thousands of lines."""
    from yaoqing_cli.engine import escalation_reached, standing_notices

    policies = PolicyCache(store)
    known: dict[tuple, tuple] = {}
    clocks = []
    sensitive = store.sensitive_ids(list(dict.fromkeys(row[0] for row in due)))
    for item_id, key, deadline_text, level, fallback, title, kind, category, policy_hash in due:
        sort = (policy_hash, key, kind, level, category)
        facts = known.get(sort)
        if facts is None:
            policy = policies.by_hash(policy_hash, item_id)
            notices = standing_notices(policy, kind, level, category)
            facts = known[sort] = (
                policy.duty(key).name,
                tuple((n.heading, n.who) for n in notices),
                policy if policy.escalation else None,
            )
        name, who, escalating = facts
        deadline = from_utc_text(deadline_text)
        if escalating is not None:
            who += tuple(
                ("须报告", w) for w in escalation_reached(escalating, key, deadline, moment)
            )
        # tuple.__new__ skips NamedTuple's Python-level __new__: a third of this loop's time
        clocks.append(
            _new_clock(
                Clock,
                (
                    item_id,
                    title,
                    key,
                    name,
                    deadline,
                    moment > deadline,
                    who,
                    fallback == 1,
                    item_id in sensitive,
                ),
            )
        )
    return clocks


_new_clock = tuple.__new__
