"""传与跟 use cases: assign (转办), feedback (反馈), instruct (领导批示), the unit directory
(单位通讯录) and the chase list (催办). Like service.py: each takes the log session and typed
values, checks and writes inside one store transaction, and returns a result dataclass; the
clocks themselves are judged by the pure chuan.py.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from yaoqing_cli import chuan, vocab
from yaoqing_cli.clock import deadline_text, from_utc_text, local_text, to_utc_text
from yaoqing_cli.errors import OperationError, UsageError
from yaoqing_cli.models import Event, Item
from yaoqing_cli.policy import LIMITS
from yaoqing_cli.service import _in_order, _open_item, check_text, officer_for
from yaoqing_cli.session import Log
from yaoqing_cli.store import OFFICE
from yaoqing_cli.vocab import DutyState, EventType


@dataclass(frozen=True)
class UnitEntry:
    name: str
    phone: str | None
    contact: str | None
    note: str | None
    at: datetime


@dataclass(frozen=True)
class Assigned:
    event: Event
    clocks: tuple  # chuan.Tracked of the units just assigned
    unregistered: tuple[str, ...]  # units not in the directory (accepted: 未登记)
    completed: tuple[tuple[str, str], ...]  # (as typed, as completed from the directory)


@dataclass(frozen=True)
class ChaseLine:
    item: Item
    clock: object  # chuan.Tracked
    contact: UnitEntry | None


@dataclass(frozen=True)
class ChaseList:
    at: datetime
    lines: list[ChaseLine]
    considered: int  # open items looked at, so nothing is dropped silently
    drill: bool = False


# --- the unit directory --------------------------------------------------------------------------


def directory(log: Log) -> dict[str, UnitEntry]:
    """The unit directory: the latest `unit` event of each name wins."""
    entries: dict[str, UnitEntry] = {}
    for e in log.store.office_events(EventType.UNIT):
        name = e.data.get("name")
        if isinstance(name, str) and name:
            entries[name] = UnitEntry(
                name, e.data.get("phone"), e.data.get("contact"), e.data.get("note"), e.happened_at
            )
    return entries


def add_unit(
    log: Log, name: str, phone: str | None, contact: str | None, note: str | None = None
) -> tuple[Event, bool]:
    """Enter or update one unit of the directory (an office-level event); (event, updated)."""
    name = check_text(name, "单位名称", label=True)
    if not name:
        raise UsageError("单位名称不能为空：yaoqing unit add 某县人民政府 --phone … --contact …")
    phone = check_text(phone, "电话", label=True)
    contact = check_text(contact, "联系人", label=True)
    note = check_text(note, "备注")
    if not (phone or contact):
        raise UsageError("请至少给出 --phone 电话 或 --contact 联系人")
    data = {"name": name, "phone": phone, "contact": contact, "note": note}
    with log.store.transaction():
        known = directory(log)
        before = known.get(name)
        if before is not None and (before.phone, before.contact, before.note) == (
            phone,
            contact,
            note,
        ):
            raise OperationError(f"{name} 已登记，电话和联系人相同，无需重复登记")
        event = log.store.append_event(
            OFFICE, EventType.UNIT, log.now, officer_for(None, log.office), data,
            recorded_at=to_utc_text(log.now),
        )  # fmt: skip
    return event, before is not None


def _complete(name: str, known: dict[str, UnitEntry]) -> str:
    """A unit as typed, or the one registered unit whose name begins with it (completed by name)."""
    if name in known:
        return name
    matches = [n for n in known if n.startswith(name)]
    return matches[0] if len(matches) == 1 else name


# --- assign, extend, feedback, instruct ----------------------------------------------------------


def _units(values: Sequence[str], what: str) -> list[str]:
    units = []
    for value in values:
        unit = check_text(value, what, label=True)
        if not unit:
            raise UsageError(f"{what}不能为空")
        if unit in units:
            raise UsageError(f"{what} {unit} 给了两次")
        units.append(unit)
    return units


def _minutes(span: timedelta | None, what: str) -> int | None:
    if span is None:
        return None
    minutes = -(-int(span.total_seconds()) // 60)  # a part of a minute counts as a minute
    low, high = LIMITS["minutes"]
    if not low <= minutes <= high:
        raise UsageError(f"{what} 应在 {low} 分钟到 {high // 1440} 天之间")
    return minutes


def _track(log: Log, item: Item, events: Sequence[Event], moment: datetime):
    policy, resolve = log.policies.get(item), log.policies.resolver(item.id)
    return chuan.track(item, events, policy, log.calendar, moment, log.tz, resolve=resolve)


def _assigned_at(events: Sequence[Event], unit: str) -> Event | None:
    return next(
        (e for e in events if e.type == EventType.ASSIGN and unit in (e.data.get("units") or ())),
        None,
    )


def assign(
    log: Log,
    item_id: str,
    units: Sequence[str],
    at: datetime,
    *,
    task: str | None = None,
    due: timedelta | None = None,
    due_days: int | None = None,
    officer: str | None = None,
) -> Assigned:
    """Hand an item to one or more handling units (转办/交办), each with its own clock."""
    if not units:
        raise UsageError("请用 --to 给出承办单位（可多次），例如 --to 某县人民政府")
    if due is not None and due_days is not None:
        raise UsageError("--due 与 --due-days 只能选一个")
    if due_days is not None:
        low, high = LIMITS["working_days"]
        if not low <= due_days <= high:
            raise UsageError(f"--due-days 应为 {low} 到 {high} 之间的工作日数")
    minutes = _minutes(due, "--due")
    task = check_text(task, "交办任务", multiline=True)
    officer = officer_for(officer, log.office)
    store, tz = log.store, log.tz
    with store.transaction():
        known = directory(log)
        typed = _units(units, "承办单位")
        chosen = [_complete(u, known) for u in typed]
        if len(set(chosen)) != len(chosen):
            raise UsageError("--to 中有两个名称补全为同一单位：" + "、".join(chosen))
        item = _open_item(store, item_id, at, tz, "转办")
        events = store.events(item.id)
        for unit in chosen:
            before = _assigned_at(events, unit)
            if before is not None:
                raise OperationError(
                    f"{unit} 已于 {local_text(before.happened_at, tz)} 受理 {item.id} 的转办；"
                    "同一单位只转办一次：进展用 yaoqing feedback 记录，延期用 assign --extend"
                )
        data = {"units": chosen, "task": task}
        if minutes:
            data["minutes"] = minutes
        if due_days:
            data["working_days"] = due_days
        if chuan.assignment_clock(item, log.policies.get(item), data) is None:
            raise UsageError(
                f"政策 {item.policy} 对{vocab.label(vocab.KINDS, item.kind)}没有转办时限；"
                "请给出 --due 时长（例如 24h）或 --due-days 工作日数（例如 5）"
            )
        event = store.append_event(
            item.id, EventType.ASSIGN, at, officer, data, recorded_at=to_utc_text(log.now)
        )
        store.index_new_events()
    chase = _track(log, item, _in_order([*events, event]), max(at, log.now))
    clocks = tuple(
        c for c in chase.of_role("assign") if c.start == event.happened_at and c.unit in chosen
    )
    return Assigned(
        event,
        clocks,
        tuple(u for u in chosen if u not in known),
        tuple((t, c) for t, c in zip(typed, chosen, strict=True) if t != c),
    )


def extend_assignment(
    log: Log, item_id: str, unit: str, at: datetime, reason: str | None, officer: str | None = None
) -> Event:
    """The one-time extension of one unit's assignment (情况特别复杂的可延长, 云政办发〔2016〕106号
    四(三)), asked for before its deadline; counted from the original deadline."""
    from yaoqing_cli.engine import effective_moment

    reason = check_text(reason, "理由")
    if not reason:
        raise UsageError("延期须说明理由：--reason 例如 '情况特别复杂，需多部门会商'")
    officer = officer_for(officer, log.office)
    store, tz = log.store, log.tz
    recorded = to_utc_text(log.now)
    with store.transaction():
        unit = _complete(check_text(unit, "承办单位", label=True) or "", directory(log))
        item = _open_item(store, item_id, at, tz, "延期")
        events = store.events(item.id)
        if _assigned_at(events, unit) is None:
            raise OperationError(
                f"{item.id} 没有转办给 {unit}，无从延期；{_assigned_list(item, events)}"
            )
        if any(
            e.type == EventType.EXTEND
            and e.data.get("duty") == vocab.ASSIGN_DUTY
            and e.data.get("unit") == unit
            for e in events
        ):
            raise OperationError(f"{unit} 承办 {item.id} 的时限已延长过一次，只能延长一次")
        recorded_at = from_utc_text(recorded)
        asked = effective_moment(at, recorded_at)
        clock = next(
            (c for c in _track(log, item, events, asked).of_role("assign") if c.unit == unit), None
        )
        if clock is None:
            raise OperationError(f"{unit} 承办 {item.id} 没有时限，无需延期")
        data = _assigned_at(events, unit).data
        own = chuan.assignment_clock(item, log.policies.get(item), data)
        if own is None or not own.extension_working_days or own.minutes is not None:
            raise OperationError(
                f"{unit} 承办 {item.id} 的时限不可延长：只有政策规定可延长的工作日时限"
                "（如云南网民留言，云政办发〔2016〕106号 四(三)）可延长一次"
            )
        if asked >= clock.deadline or clock.state not in (DutyState.PENDING, DutyState.DUE_SOON):
            raise OperationError(
                f"{unit} 承办 {item.id} 的时限已于 {deadline_text(clock.deadline, tz)} 届满"
                f"（{vocab.state_label(clock.state, clock.role)}）；"
                "延期须在时限届满前申请（云政办发〔2016〕106号 四(三)）"
            )
        data = {"duty": vocab.ASSIGN_DUTY, "unit": unit, "reason": reason}
        event = store.append_event(
            item.id, EventType.EXTEND, at, officer, data, recorded_at=recorded
        )
        store.index_new_events()
    return event


def _assigned_list(item: Item, events: Sequence[Event]) -> str:
    """The units the item was handed to, for an error; on a sensitive item only how many (they
    are words typed about it, and an error is an output too)."""
    units = [u for e in events if e.type == EventType.ASSIGN for u in e.data.get("units") or ()]
    if not units:
        return "此件尚未转办任何单位（yaoqing assign）"
    if item.sensitive:
        return f"已转办 {len(units)} 个单位（涉密/敏感要情，单位名称用 show {item.id} --include-sensitive 查看）"
    return f"已转办：{'、'.join(units)}"


def feedback(
    log: Log,
    item_id: str,
    unit: str,
    at: datetime,
    text: str | None,
    done: bool = False,
    officer: str | None = None,
) -> tuple[Event, object]:
    """A handling unit's report back (反馈); --done meets its assignment (办结). Returns the event
    and that unit's assignment clock as it now stands (chuan.Tracked, or None)."""
    text = check_text(text, "反馈内容", multiline=True)
    if not text:
        raise UsageError("反馈须有内容：--text 例如 '已约谈当事人，拟于周五前答复'")
    officer = officer_for(officer, log.office)
    store, tz = log.store, log.tz
    with store.transaction():
        unit = _complete(check_text(unit, "反馈单位", label=True) or "", directory(log))
        item = _open_item(store, item_id, at, tz, "反馈")
        events = store.events(item.id)
        assigned = _assigned_at(events, unit)
        if assigned is None:
            raise OperationError(
                f"{unit} 没有受理 {item.id} 的转办，不能记它的反馈；{_assigned_list(item, events)}"
            )
        if at < assigned.happened_at:
            raise UsageError(
                f"反馈时间 {local_text(at, tz)} 早于转办时间 {local_text(assigned.happened_at, tz)}"
            )
        if done:
            finished = next(
                (
                    e
                    for e in events
                    if e.type == EventType.FEEDBACK
                    and e.data.get("from") == unit
                    and e.data.get("done")
                ),
                None,
            )
            if finished is not None:
                raise OperationError(
                    f"{unit} 已于 {local_text(finished.happened_at, tz)} 办结 {item.id}；"
                    "之后的情况不加 --done 记为续报"
                )
        data = {"from": unit, "text": text, "done": bool(done)}
        event = store.append_event(
            item.id, EventType.FEEDBACK, at, officer, data, recorded_at=to_utc_text(log.now)
        )
        store.index_new_events()
    chase = _track(log, item, _in_order([*events, event]), max(at, log.now))
    clock = next((c for c in chase.of_role("assign") if c.unit == unit), None)
    return event, clock


def instruct(
    log: Log,
    item_id: str,
    leader: str,
    at: datetime,
    text: str | None,
    units: Sequence[str] = (),
    feedback_within: timedelta | None = None,
    officer: str | None = None,
) -> tuple[Event, object]:
    """A leader's instruction (领导批示) on an item: owes the relay to each named unit
    (转批示件, the policy's clock) and, if set, their feedback."""
    leader = check_text(leader, "批示领导", label=True)
    if not leader:
        raise UsageError("请用 --from 给出作出批示的领导，例如 --from 王副市长")
    text = check_text(text, "批示内容", multiline=True)
    if not text:
        raise UsageError("批示须有内容：--text 批示原文")
    minutes = _minutes(feedback_within, "--feedback")
    officer = officer_for(officer, log.office)
    store, tz = log.store, log.tz
    with store.transaction():
        known = directory(log)
        chosen = [_complete(u, known) for u in _units(units, "批示所涉单位")]
        item = _open_item(store, item_id, at, tz, "记录批示")
        events = store.events(item.id)
        data = {"leader": leader, "text": text, "units": chosen}
        if minutes:
            data["feedback_minutes"] = minutes
        event = store.append_event(
            item.id, EventType.INSTRUCT, at, officer, data, recorded_at=to_utc_text(log.now)
        )
        store.index_new_events()
    return event, _track(log, item, _in_order([*events, event]), max(at, log.now))


# --- the chase list ----------------------------------------------------------------------------


def chase_list(log: Log, moment: datetime) -> ChaseList:
    """Every downward clock due soon or overdue at `moment` on the open items (催办), with the
    unit's contact from the directory; most overdue first."""
    store = log.store
    items = store.items_open_at(moment)
    grouped = store.events_for([item.id for item in items])
    known = directory(log)
    lines = []
    for item in items:
        chase = _track(log, item, grouped[item.id], moment)
        for clock in chase.clocks:
            if clock.state in chuan.CHASED:
                lines.append(ChaseLine(item, clock, known.get(clock.unit)))
    lines.sort(key=lambda line: (line.clock.deadline, line.item.id, line.clock.unit))
    return ChaseList(moment, lines, len(items), log.drill)
