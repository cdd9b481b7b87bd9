"""The read use cases of the board: `status` (and its handover views), `watch`, and the board
a handover freezes. Kept apart from service.py, whose write use cases a read never needs:
a `status` run does not build their request and result classes (start-up, measured)."""

from datetime import datetime, timedelta
from typing import NamedTuple

from yaoqing_cli import projection
from yaoqing_cli.models import Event, Item
from yaoqing_cli.session import Log


def board(
    log: Log,
    moment: datetime,
    *,
    overdue_only: bool = False,
    due_within: timedelta | None = None,
    include_closed: bool = False,
    brief: bool | None = None,
    untold: bool = False,
):
    """The status board (status.Board) for `moment`: the handover views of open items ask the
    clocks projection which items to judge, or read its lines outright on a brief board, when
    it can serve; otherwise every item open at `moment` is read and judged."""
    from yaoqing_cli import status

    store, calendar = log.store, log.calendar
    filtered = overdue_only or due_within is not None
    considered = None
    if filtered and not include_closed and not untold and projection.serves(log, moment):
        horizon = None if due_within is None else moment + due_within
        due = projection.clocks_due(log, moment, horizon, overdue_only)
        ids = list(dict.fromkeys(row.item_id for row in due))
        considered = store.open_item_count()
        # the projection keeps the items' own clocks; a unit's (转办, 批示, 督办) are judged here
        handed = store.open_handed_down()
        if status.wants_brief(brief, len(ids)):  # one line per clock
            clocks = projection.clocks_from_projection(log, due, moment)
            clocks += _unit_lines(log, handed, moment, overdue_only, horizon)
            clocks.sort(key=lambda c: (c.deadline, c.item_id, c.duty))
            shown = len({c.item_id for c in clocks})
            view = status.view_name(overdue_only, due_within, include_closed)
            hidden = status.hidden_count(considered, shown, overdue_only, False, False)
            return status.Board(moment, [], considered, view, clocks, shown, log.drill, hidden)
        items = store.items_by_id(ids + [i for i in handed if i not in set(ids)])
    else:
        items = store.items_open_at(moment, include_closed=include_closed)
    events = store.events_for([item.id for item in items])
    policies = {item.id: log.policies.get(item) for item in items}
    return status.judge(
        items,
        events,
        policies,
        calendar,
        log.tz,
        moment,
        overdue_only=overdue_only,
        due_within=due_within,
        include_closed=include_closed,
        brief=brief,
        considered=considered,
        drill=log.drill,
        untold=untold,
        resolve=log.policies.resolver(),
    )


def _unit_lines(log: Log, item_ids, moment: datetime, overdue_only: bool, horizon) -> list:
    """Brief lines of the units' clocks (传与跟) of these items, judged now: the projection
    holds only the items' own."""
    from yaoqing_cli.chuan import track
    from yaoqing_cli.status import unit_clocks

    store = log.store
    grouped = store.events_for(list(item_ids))
    lines = []
    for item in store.items_by_id(list(item_ids)):
        chase = track(item, grouped[item.id], log.policies.get(item), log.calendar, moment,
                      tz=log.tz, resolve=log.policies.resolver(item.id))  # fmt: skip
        lines += unit_clocks(item, chase, overdue_only, horizon)
    return lines


class Watched(NamedTuple):
    """One tick of `yaoqing watch`: the board of every open item, and the shift's last events."""

    board: object  # status.Board, judged in full
    since: datetime  # when the shift began (status.shift_start)
    recent: list[tuple[Event, Item]]  # the last events of the shift, oldest first


def watched(log: Log, moment: datetime, recent: int = 8) -> Watched:
    """What the watch board shows at `moment`, read afresh from the log: a missed tick loses
    nothing, the next one judges everything again."""
    from yaoqing_cli import status

    store = log.store
    handovers = [e.happened_at for e in store.office_events("handover")]
    since = status.shift_start(moment, log.tz, handovers)
    events = store.events_between(since, moment, recent)
    items = {i.id: i for i in store.items_by_id(list(dict.fromkeys(e.item_id for e in events)))}
    shown = [(e, items[e.item_id]) for e in events if e.item_id in items]
    return Watched(board(log, moment), since, shown)
