"""The status board, judged: a pure function of items, their events, the policies they were
filed under, the calendar and a moment. No I/O here; views.board reads the log (through the
clocks projection, projection.py, when it can serve) and hands what it read to `judge`.

Each item is judged under the policy frozen onto it when it was filed (by content hash), so a
later edit of a policy file never silently moves a running clock.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from yaoqing_cli.clock import span_text
from yaoqing_cli.models import Event, Item
from yaoqing_cli.vocab import RUNNING, DutyState

# Members bound once: looking up an enum member costs ten times a global in the hot loops.
MET, LATE, PENDING, DUE_SOON, OVERDUE, WAIVED = DutyState

BRIEF_OVER = 20  # items: above this, the text board is one line per clock (README, status)


class Row(NamedTuple):
    item: Item
    events: list[Event]
    status: object  # engine.ItemStatus
    chase: object = None  # chuan.Chase: assignments, instructions, supervision (传与跟)


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


class Board(NamedTuple):
    at: datetime
    rows: list[Row]  # judged in full; empty on a brief board
    considered: int  # items evaluated before filtering, so nothing is dropped silently
    view: str  # which filter produced `rows`, in Chinese
    clocks: list[Clock] | None = None  # set on a brief board, in deadline order
    items: int = 0  # how many items the board shows
    drill: bool = False  # a drill log (init --drill): the header says 【演练】
    # a handover view (--overdue, --untold) ends with a line counting the open items it left
    # out (另有 N 条未终报): `hidden` is that count, None on other views
    hidden: int | None = None


def view_name(
    overdue_only: bool, due_within: timedelta | None, include_closed: bool, untold: bool = False
) -> str:
    """Which items a board shows, in Chinese (its header)."""
    view = "全部要情" if include_closed else "未终报要情"
    if overdue_only:
        view += "中有逾期时限的"
    if due_within is not None:
        view += f"中{span_text(due_within)}内到期或已逾期的"
    if untold:
        view += "中尚有须报告对象未报告的"
    return view


def trailer(board: "Board") -> str | None:
    """The last line of a handover view: the open items it did not show, 0 included (an
    08:00 handover printing "0 条……无。" must still say that open items exist)."""
    if board.hidden is None:
        return None
    if board.hidden == 0:
        return "另有 0 条未终报（未终报要情均已列出）"
    return f"另有 {board.hidden} 条未终报，yaoqing status 查看"


def wants_brief(brief: bool | None, count: int) -> bool:
    """One line per clock: asked for, or chosen above BRIEF_OVER items."""
    return bool(brief) or (brief is None and count > BRIEF_OVER)


def judge(
    items: Sequence[Item],
    events: Mapping[str, Sequence[Event]],
    policies: Mapping[str, object],
    calendar,
    tz: ZoneInfo,
    moment: datetime,
    *,
    overdue_only: bool = False,
    due_within: timedelta | None = None,
    include_closed: bool = False,
    brief: bool | None = None,
    considered: int | None = None,
    drill: bool = False,
    untold: bool = False,
    resolve=None,
) -> Board:
    """The board for `moment` from these items (each with its events, and its policy by item
    id). `brief` is for the handover views of open items (--overdue, --due-within): True/False
    forces one line per clock or the full view; None chooses one line per clock above
    BRIEF_OVER items. Other views are always in full. `considered`: how many items the board
    was chosen from, if not these (the projection chose them). `untold`: only items with
    someone still to be told (须报告, 同时抄送 not yet told), always in full."""
    from yaoqing_cli.chuan import track
    from yaoqing_cli.engine import evaluate

    view = view_name(overdue_only, due_within, include_closed, untold)
    horizon = None if due_within is None else moment + due_within
    filtered = overdue_only or horizon is not None
    if not filtered or include_closed or untold:
        brief = False  # every item, with or without a running clock, needs its block
    rows = []
    for item in items:
        item_events = events[item.id]
        policy = policies[item.id]
        status = evaluate(item, item_events, policy, calendar, moment, tz=tz, resolve=resolve)
        chase = track(item, item_events, policy, calendar, moment, tz=tz, resolve=resolve)
        rows.append(Row(item, item_events, status, chase))
    rows.sort(key=lambda row: row.status.urgency)
    if considered is None:
        considered = len(rows)
    if filtered:  # the item's own clocks and the units' (传与跟) alike
        rows = [
            r
            for r in rows
            if any(_shown(d, overdue_only, horizon) for d in r.status.duties)
            or any(_shown(c, overdue_only, horizon) for c in (r.chase.clocks if r.chase else ()))
        ]
    if untold:
        rows = [r for r in rows if r.status.untold]
    hidden = hidden_count(considered, len(rows), overdue_only, untold, include_closed)
    if wants_brief(brief, len(rows)):
        clocks = _clocks_from_rows(rows, overdue_only, horizon)
        return Board(moment, [], considered, view, clocks, len(rows), drill, hidden)
    return Board(moment, rows, considered, view, None, len(rows), drill, hidden)


def hidden_count(
    considered: int, shown: int, overdue_only: bool, untold: bool, include_closed: bool
) -> int | None:
    """Open items a handover view (--overdue, --untold) left out; None on other views."""
    if include_closed or not (overdue_only or untold):
        return None
    return max(considered - shown, 0)


def _shown(duty, overdue_only: bool, horizon: datetime | None) -> bool:
    """Is this clock one the board was asked for (any running clock, if no filter)?"""
    if duty.state not in RUNNING:
        return False
    if overdue_only and duty.state != OVERDUE:
        return False
    return horizon is None or duty.deadline <= horizon


def unit_clocks(item: Item, chase, overdue_only: bool, horizon) -> list[Clock]:
    """Brief lines of the units' clocks of one item (转办, 转批示件, 批示反馈, 督办: chuan.py) in
    range; a sensitive item's name no unit, as its assignments show none."""
    return [
        Clock(
            item.id,
            item.title,
            c.role,
            c.name if item.sensitive else f"{c.name}→{c.unit}",
            c.deadline,
            c.state == OVERDUE,
            (),
            c.calendar_fallback,
            item.sensitive,
        )
        for c in (chase.clocks if chase else ())
        if _shown(c, overdue_only, horizon)
    ]


def _clocks_from_rows(rows: Sequence[Row], overdue_only: bool, horizon) -> list[Clock]:
    """Brief lines from fully judged items (the path without the projection)."""
    clocks = []
    for row in rows:
        clocks += unit_clocks(row.item, row.chase, overdue_only, horizon)
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
                        d.state == OVERDUE,
                        standing + raised,
                        d.calendar_fallback,
                        row.item.sensitive,
                    )
                )
    clocks.sort(key=lambda c: (c.deadline, c.item_id, c.duty))
    return clocks


# --- the watch board (yaoqing watch) -------------------------------------------------------------

SHIFT_CHANGE = time(8)  # a 24-hour duty shift changes at 08:00 (office practice, not a rule)


def shift_start(moment: datetime, tz: ZoneInfo, handovers: Sequence[datetime] = ()) -> datetime:
    """When the shift on duty at `moment` began: the latest handover (交接班) recorded at or
    before it, else the latest 08:00 local."""
    local = moment.astimezone(tz)
    change = datetime.combine(local.date(), SHIFT_CHANGE, tzinfo=tz)
    if change > local:
        change -= timedelta(days=1)
    earlier = [h for h in handovers if h <= moment]
    return max([change, *earlier])


class WatchLine(NamedTuple):
    """One running clock on the watch board: the item's row, which clock (a duty, or a unit's
    clock of the downward half: 转办, 转批示件, 督办), its deadline and state, and whether it is
    due soon (the policy's warning window, or within the --due-within asked)."""

    row: Row
    key: str  # the duty key, or role:unit:start for a chuan clock (one bell per clock)
    name: str
    deadline: datetime
    state: DutyState
    soon: bool


def watch_lines(board: Board, horizon: datetime) -> list[WatchLine]:
    """Every running clock of the board, overdue first (longest overdue first), then by
    deadline."""
    lines = []
    for row in board.rows:
        clocks = [(d.key, d.name, d) for d in row.status.duties]
        if row.chase:
            clocks += [
                (
                    f"{c.role}:{c.unit}:{c.start.isoformat()}",
                    c.name if row.item.sensitive else f"{c.name}→{c.unit}",  # as unit_clocks
                    c,
                )
                for c in row.chase.clocks
            ]
        for key, name, c in clocks:
            if c.state in RUNNING:
                soon = c.state == DUE_SOON or (c.state == PENDING and c.deadline <= horizon)
                lines.append(WatchLine(row, key, name, c.deadline, c.state, soon))
    lines.sort(key=lambda w: (w.state != OVERDUE, w.deadline, w.row.item.id, w.key))
    return lines


def alarms(lines: Sequence[WatchLine]) -> set[tuple[str, str, str]]:
    """(item ID, clock, "overdue" | "soon") for each clock in a state that rings the bell: a
    watcher rings once per clock and state, the first time it sees it."""
    return {
        (w.row.item.id, w.key, "overdue" if w.state == OVERDUE else "soon")
        for w in lines
        if w.state == OVERDUE or w.soon
    }
