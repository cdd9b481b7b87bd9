"""The status board: open items from the log, each evaluated by the pure deadline engine.

Each item is judged under the policy frozen onto it when it was filed (by content hash), so a
later edit of a policy file never silently moves a running clock.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from yaoqing_cli.clock import span_text, zone
from yaoqing_cli.errors import LogError
from yaoqing_cli.models import Event, Item
from yaoqing_cli.service import office_of
from yaoqing_cli.store import Store


@dataclass(frozen=True)
class Row:
    item: Item
    events: list[Event]
    status: object  # engine.ItemStatus


@dataclass(frozen=True)
class Board:
    at: datetime
    rows: list[Row]
    considered: int  # items evaluated before filtering, so nothing is dropped silently
    view: str  # which filter produced `rows`, in Chinese


def load_calendar(calendar_file: Path | None):
    from yaoqing_cli.workdays import WorkCalendar

    return WorkCalendar.from_file(calendar_file) if calendar_file else WorkCalendar()


class PolicyCache:
    """Policies by hash, read from the log's snapshots once per command."""

    def __init__(self, store: Store):
        self.store = store
        self.cache: dict[str, object] = {}

    def get(self, item: Item):
        from yaoqing_cli.policy import Policy

        policy = self.cache.get(item.policy_hash)
        if policy is None:
            snapshot = self.store.policy_snapshot(item.policy_hash)
            if snapshot is None:
                raise LogError(
                    f"{item.id} 所依据的政策快照缺失（{item.policy_hash[:12]}）；请运行 yaoqing verify"
                )
            policy = self.cache[item.policy_hash] = Policy.from_snapshot(snapshot)
        return policy


def evaluate_one(
    store: Store, item: Item, events: Sequence[Event], moment: datetime, calendar_file
):
    from yaoqing_cli.engine import evaluate

    tz = zone(office_of(store).tz)
    policy = PolicyCache(store).get(item)
    return evaluate(item, events, policy, load_calendar(calendar_file), moment, tz=tz)


def evaluate_items(
    store: Store, items: Sequence[Item], moment: datetime, calendar_file
) -> list[Row]:
    from yaoqing_cli.engine import evaluate

    tz = zone(office_of(store).tz)
    calendar = load_calendar(calendar_file)
    policies = PolicyCache(store)
    grouped = store.events_for([item.id for item in items])
    rows = []
    for item in items:
        events = grouped[item.id]
        status = evaluate(item, events, policies.get(item), calendar, moment, tz=tz)
        rows.append(Row(item, events, status))
    rows.sort(key=lambda row: row.status.urgency)
    return rows


def select(
    store: Store,
    moment: datetime,
    *,
    calendar_file: Path | None = None,
    overdue_only: bool = False,
    due_within: timedelta | None = None,
    include_closed: bool = False,
) -> Board:
    items = store.items_open_at(moment, include_closed=include_closed)
    rows = evaluate_items(store, items, moment, calendar_file)
    considered = len(rows)
    view = "全部要情" if include_closed else "未终报要情"
    if overdue_only:
        rows = [r for r in rows if any(d.state == "overdue" for d in r.status.duties)]
        view += "中有逾期时限的"
    if due_within is not None:
        horizon = moment + due_within
        rows = [
            r
            for r in rows
            if any(
                d.state in ("overdue", "due_soon", "pending") and d.deadline <= horizon
                for d in r.status.duties
            )
        ]
        view += f"中{span_text(due_within)}内到期或已逾期的"
    return Board(at=moment, rows=rows, considered=considered, view=view)
