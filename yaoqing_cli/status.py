"""The status board, judged: a pure function of items, their events, the policies they were
filed under, the calendar and a moment. No I/O here; service.board reads the log (through the
clocks projection, projection.py, when it can serve) and hands what it read to `judge`.

Each item is judged under the policy frozen onto it when it was filed (by content hash), so a
later edit of a policy file never silently moves a running clock.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from yaoqing_cli.clock import span_text
from yaoqing_cli.models import Event, Item
from yaoqing_cli.vocab import RUNNING, DutyState

# Members bound once: looking up an enum member costs ten times a global in the hot loops.
MET, LATE, PENDING, DUE_SOON, OVERDUE, WAIVED = DutyState

BRIEF_OVER = 20  # items: above this, the text board is one line per clock (README, status)


@dataclass(frozen=True)
class Row:
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


@dataclass(frozen=True)
class Board:
    at: datetime
    rows: list[Row]  # judged in full; empty on a brief board
    considered: int  # items evaluated before filtering, so nothing is dropped silently
    view: str  # which filter produced `rows`, in Chinese
    clocks: list[Clock] | None = None  # set on a brief board, in deadline order
    items: int = 0  # how many items the board shows
    drill: bool = False  # a drill log (init --drill): the header says 【演练】


def view_name(overdue_only: bool, due_within: timedelta | None, include_closed: bool) -> str:
    """Which items a board shows, in Chinese (its header)."""
    view = "全部要情" if include_closed else "未终报要情"
    if overdue_only:
        view += "中有逾期时限的"
    if due_within is not None:
        view += f"中{span_text(due_within)}内到期或已逾期的"
    return view


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
    resolve=None,
) -> Board:
    """The board for `moment` from these items (each with its events, and its policy by item
    id). `brief` is for the handover views of open items (--overdue, --due-within): True/False
    forces one line per clock or the full view; None chooses one line per clock above
    BRIEF_OVER items. Other views are always in full. `considered`: how many items the board
    was chosen from, if not these (the projection chose them)."""
    from yaoqing_cli.chuan import track
    from yaoqing_cli.engine import evaluate

    view = view_name(overdue_only, due_within, include_closed)
    horizon = None if due_within is None else moment + due_within
    filtered = overdue_only or horizon is not None
    if not filtered or include_closed:
        brief = False  # every item, with or without a running clock, needs its block
    rows = []
    for item in items:
        item_events = events[item.id]
        policy = policies[item.id]
        status = evaluate(item, item_events, policy, calendar, moment, tz=tz, resolve=resolve)
        chase = track(item, item_events, policy, calendar, moment, tz=tz)
        rows.append(Row(item, item_events, status, chase))
    rows.sort(key=lambda row: row.status.urgency)
    if considered is None:
        considered = len(rows)
    if filtered:
        rows = [r for r in rows if any(_shown(d, overdue_only, horizon) for d in r.status.duties)]
    if wants_brief(brief, len(rows)):
        clocks = _clocks_from_rows(rows, overdue_only, horizon)
        return Board(moment, [], considered, view, clocks, len(rows), drill)
    return Board(moment, rows, considered, view, None, len(rows), drill)


def _shown(duty, overdue_only: bool, horizon: datetime | None) -> bool:
    """Is this clock one the board was asked for (any running clock, if no filter)?"""
    if duty.state not in RUNNING:
        return False
    if overdue_only and duty.state != OVERDUE:
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
                        d.state == OVERDUE,
                        standing + raised,
                        d.calendar_fallback,
                        row.item.sensitive,
                    )
                )
    clocks.sort(key=lambda c: (c.deadline, c.item_id, c.duty))
    return clocks
