"""传与跟, the downward half: the clocks of assignments to handling units, of leaders'
instructions and of items supervised from above. A pure function of an item, its events, the
policy it was filed under, the calendar and a moment, as engine.evaluate is for the upward half.

Each clock (Tracked) says who owes it (`unit`), from when (`start`), until when (`deadline`),
whether it was met and by what. The rules, from the seeds (issue 14):
- an assignment (转办/交办, `assign`) runs from the hand-over, per unit: the policy's clock for
  the item's kind (messages: the class's working days, 云政办发〔2016〕106号 四(三)) or the
  assignment's own `--due`; it is met by that unit's `feedback --done` (办结); feedback
  without --done is the unit's 续报, kept and listed, meeting nothing;
- a working-day assignment may be extended once, asked for before its deadline, by the policy's
  extension_working_days, counted from the original deadline (as engine does for duties);
- a leader's instruction (批示, `instruct`) owes a relay (转批示件, 第一时间: the policy's
  `relay` clock) to each unit it names, met by an `assign` of that unit or a `notify` whose
  who is that unit made at or after the instruction; and, if it or the policy sets one, a
  feedback clock, met by each named unit's first feedback after it (内政办发〔2014〕109号 二(三));
- an item supervised from above (督办件, `file --supervised`) owes the higher office feedback
  from when it was received: met by the first feedback of a handling unit, a 续报 or a
  `notify` of that office (鲁政办发〔2018〕18号 四: 及时报送舆情办理情况);
- a breach is permanent: a close waives only the clocks not yet fallen due when it took effect;
  a late feedback stays late.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import takewhile
from typing import NamedTuple
from zoneinfo import ZoneInfo

from yaoqing_cli import vocab
from yaoqing_cli.engine import (
    SHANGHAI,
    _closes,
    back_entered,
    counted_at,
    effective_at,
    end_of_day,
    first_recorded,
)
from yaoqing_cli.models import Event, Item, versions_of
from yaoqing_cli.policy import Clock, Policy
from yaoqing_cli.vocab import DutyState

MET, LATE, PENDING, DUE_SOON, OVERDUE, WAIVED = DutyState
ASSIGN, FEEDBACK, INSTRUCT = "assign", "feedback", "instruct"
NOTIFY = "notify"  # 已报告 (issue 13, acts-notify): data {"who": str, ...}
ANY_UNIT = "（受办单位）"  # an instruction that names no unit: any handling unit answers it
UNNAMED = "（批示所涉单位）"
CHASED = frozenset({DUE_SOON, OVERDUE})  # what the chase list (催办) shows


class Feedback(NamedTuple):
    unit: str
    at: datetime
    text: str | None
    done: bool
    back_entered: bool = False


class Tracked(NamedTuple):
    """One clock of the downward half."""

    role: str  # assign | relay | instruct | supervised (vocab.CHASE_ROLES)
    name: str
    unit: str  # who owes it, or (relay, supervised) to whom it is owed
    task: str | None
    start: datetime
    deadline: datetime
    state: DutyState
    met_at: datetime | None
    extended: bool
    calendar_fallback: bool
    source: str
    feedback: tuple[Feedback, ...] = ()
    leader: str | None = None  # relay and instruct: whose instruction
    back_entered: bool = False
    held: bool = False  # breached before a correction that would have moved or dropped it

    @property
    def last_feedback(self) -> Feedback | None:
        return self.feedback[-1] if self.feedback else None


class Instruction(NamedTuple):
    leader: str
    text: str | None
    at: datetime
    units: tuple[str, ...]


class Chase(NamedTuple):
    clocks: tuple[Tracked, ...] = ()
    instructions: tuple[Instruction, ...] = ()
    supervised_by: str | None = None  # 督办件: the higher office it came from
    assigned: tuple[str, ...] = ()  # every unit the item was handed to, in order

    def __bool__(self) -> bool:
        return bool(self.clocks or self.instructions or self.supervised_by or self.assigned)

    def of_role(self, role: str) -> tuple[Tracked, ...]:
        return tuple(c for c in self.clocks if c.role == role)


NOTHING = Chase()
TYPES = frozenset({ASSIGN, FEEDBACK, INSTRUCT})


def supervision(events: Sequence[Event]) -> dict | None:
    """The 督办 keys of the item's first report, if it was filed as supervised."""
    first = events[0] if events else None
    if first is None or first.type != "file" or not first.data.get("supervised"):
        return None
    return first.data


def track(
    item: Item,
    events: Sequence[Event],
    policy: Policy,
    calendar,
    now: datetime,
    tz: ZoneInfo = SHANGHAI,
    resolve=None,
) -> Chase:
    """The downward clocks of one item at `now` (its events in the store's order). `item` is
    the item as corrected by every correction (更正); `resolve(policy_hash)` gives the policy of
    an earlier version (a policy correction), else `policy` serves for every version.

    A correction is judged at the moment it was recorded, as engine judges duties: a clock it
    found already breached (overdue or late) and would have moved on time or dropped (a class,
    kind or policy correction changes an assignment's policy clock) stays a breach at the
    deadline it missed (a breach is permanent)."""
    supervised = supervision(events)
    if supervised is None and not any(e.type in TYPES for e in events):
        return NOTHING  # most items: nothing handed down
    corrections = sorted((e for e in events if e.type == "correct"), key=lambda e: e.seq)
    if not corrections:
        return _track(item, events, policy, calendar, now, tz)
    others = [e for e in events if e.type != "correct"]
    versions = versions_of(item, corrections)

    def policy_of(version: Item) -> Policy:
        if version.policy_hash == item.policy_hash or resolve is None:
            return policy
        return resolve(version.policy_hash)

    in_effect = list(takewhile(lambda c: c.happened_at <= now, corrections))  # as engine
    held: dict[tuple, Tracked] = {}
    for i, c in enumerate(in_effect):
        at = first_recorded(c)
        seen = [e for e in others if e.happened_at <= at]
        before = _track(versions[i], seen, policy_of(versions[i]), calendar, at, tz)
        after = _track(versions[i + 1], seen, policy_of(versions[i + 1]), calendar, at, tz)
        for clock in lost_breaches(before, after):
            held.setdefault(_key(clock), clock)
    current = versions[len(in_effect)]
    chase = _track(current, others, policy_of(current), calendar, now, tz)
    if not held:
        return chase
    now_utc = now.astimezone(UTC)
    clocks = {_key(c): c for c in chase.clocks}
    for key, was in held.items():
        c = clocks.get(key)
        met_at = c.met_at if c is not None and c.met_at is not None else was.met_at
        fb, back = (c.feedback, c.back_entered) if c is not None else (was.feedback, False)
        if (
            met_at is None and c is None and was.role == ASSIGN
        ):  # no clock now: its 办结 still counts
            done = next(
                (
                    e
                    for e in sorted(others, key=lambda e: (e.happened_at, e.seq))
                    if e.type == FEEDBACK
                    and e.data.get("done")
                    and e.data.get("from") == was.unit
                    and was.start <= e.happened_at <= now_utc
                ),
                None,
            )
            # a held clock was shown breached, so its start stands for when it was shown
            met_at, back = (
                (counted_at(done, was.deadline, was.start), back_entered(done))
                if done
                else (None, False)
            )
            if met_at is not None and met_at > now_utc:  # counted from a recording to come
                met_at, back = None, False
        state = LATE if met_at is not None else OVERDUE
        clocks[key] = was._replace(
            state=state, met_at=met_at, feedback=fb, back_entered=back, held=True
        )
    ordered = sorted(clocks.values(), key=lambda c: (c.start, c.deadline))
    return chase._replace(clocks=tuple(ordered))


def as_corrected(
    item: Item, events: Sequence[Event], policy: Policy, calendar, now: datetime, tz=SHANGHAI
) -> Chase:
    """The downward clocks as the corrected `item` alone would set them, no breach held: where
    a correction would have moved a held clock (`correct` shows it, 逾期保留)."""
    return _track(item, [e for e in events if e.type != "correct"], policy, calendar, now, tz)


def _track(
    item: Item,
    events: Sequence[Event],
    policy: Policy,
    calendar,
    now: datetime,
    tz: ZoneInfo = SHANGHAI,
) -> Chase:
    """The downward clocks of one item as it stands (no corrections judged) at `now`."""
    supervised = supervision(events)
    if supervised is None and not any(e.type in TYPES for e in events):
        return NOTHING
    now = now.astimezone(UTC)
    seen = sorted((e for e in events if e.happened_at <= now), key=lambda e: (e.happened_at, e.seq))
    # the close in force (a reopened one waives nothing from the reopening on), and the windows
    # the item stood closed: a clock that fell due in one was not owed then (engine._closes)
    close, windows = _closes(seen)
    close_effect = effective_at(close) if close is not None else None
    feedback = [e for e in seen if e.type == FEEDBACK]
    clocks: list[Tracked] = []
    assigned: list[str] = []

    def judge(role, name, unit, task, began, clock_end, met, source, fb=(), leader=None):
        """One clock, started by the event `began` (shown from its recording on)."""
        deadline, fallback, extended = clock_end
        start = item.received if role == "supervised" else began.happened_at
        met_at = counted_at(met, deadline, first_recorded(began)) if met is not None else None
        if met_at is not None and met_at > now:  # counted from a recording still to come
            met, met_at = None, None
        window = next((c for c, r in windows if c <= deadline < r and c <= now), None)
        if window is not None:
            waived_at = window
        else:
            waived_at = close_effect if close_effect is not None and close_effect <= now else None
        state = _state(start, deadline, met_at, waived_at, now, policy)
        clocks.append(
            Tracked(
                role,
                name,
                unit,
                task,
                start,
                deadline,
                state,
                met_at if state in vocab.DONE or state == WAIVED else None,  # as engine keeps it
                extended,
                fallback,
                source,
                tuple(fb),
                leader,
                state in vocab.DONE and back_entered(met),
            )
        )

    for e in seen:
        if e.type != ASSIGN:
            continue
        clock = assignment_clock(item, policy, e.data)
        for unit in e.data.get("units") or ():
            assigned.append(unit)
            if clock is None:
                continue
            mine = [
                f for f in feedback if f.data.get("from") == unit and f.happened_at >= e.happened_at
            ]
            done = next((f for f in mine if f.data.get("done")), None)
            extension = next(
                (
                    x
                    for x in seen
                    if x.type == "extend"
                    and x.data.get("duty") == vocab.ASSIGN_DUTY
                    and x.data.get("unit") == unit
                ),
                None,
            )
            end = _deadline(clock, item, e.happened_at, calendar, tz, extension)
            judge(
                "assign",
                clock.name,
                unit,
                e.data.get("task"),
                e,
                end,
                done,
                clock.source,
                [_feedback(f) for f in mine],
            )

    instructions = []
    for e in seen:
        if e.type != INSTRUCT:
            continue
        units = tuple(e.data.get("units") or ())
        leader = e.data.get("leader") or ""
        instructions.append(Instruction(leader, e.data.get("text"), e.happened_at, units))
        after = [x for x in seen if x.happened_at >= e.happened_at and x.seq != e.seq]
        if policy.relay is not None:
            for unit in units or (UNNAMED,):
                met = next((x for x in after if _relays(x, unit)), None)
                end = _deadline(policy.relay, item, e.happened_at, calendar, tz)
                judge("relay", policy.relay.name, unit, None, e, end, met,
                      policy.relay.source, leader=leader)  # fmt: skip
        clock = _given(e.data.get("feedback_minutes"), "批示反馈", "本条批示给出的反馈时限")
        clock = clock or policy.instruct_feedback
        if clock is not None:
            for unit in units or (ANY_UNIT,):
                mine = [f for f in feedback if f.happened_at >= e.happened_at
                        and (unit == ANY_UNIT or f.data.get("from") == unit)]  # fmt: skip
                end = _deadline(clock, item, e.happened_at, calendar, tz)
                met = mine[0] if mine else None
                judge("instruct", clock.name, unit, None, e, end, met, clock.source,
                      [_feedback(f) for f in mine], leader)  # fmt: skip

    above = None
    if supervised is not None:
        above = supervised.get("from_above") or "上级机关"
        clock = _given(supervised.get("feedback_minutes"), "督办反馈", "本件督办给出的反馈时限")
        clock = clock or policy.supervised_feedback
        if clock is not None:
            met = next(
                (
                    x
                    for x in seen
                    if x.type in (FEEDBACK, "continue")
                    or (x.type == NOTIFY and x.data.get("who") == above)
                ),
                None,
            )
            end = _deadline(clock, item, item.received, calendar, tz)
            judge("supervised", clock.name, above, None, events[0], end, met, clock.source,
                  [_feedback(f) for f in feedback])  # fmt: skip
    return Chase(tuple(clocks), tuple(instructions), above, tuple(assigned))


def assignment_clock(item: Item, policy: Policy, data) -> Clock | None:
    """The clock of an assignment: its own --due/--due-days, else the policy's for the kind."""
    own = policy.assign.get(item.kind)
    if data.get("minutes"):
        return _given(data["minutes"], own.name if own else "转办", "转办时给出的时限")
    if data.get("working_days"):
        extension = own.extension_working_days if own else None
        name = own.name if own else "转办"
        return Clock(name, None, data["working_days"], extension, "转办时给出的时限")
    if own is None or (own.minutes is None and own.days_for(item.message_class) is None):
        return None
    return own


def _given(minutes, name: str, source: str) -> Clock | None:
    return Clock(name, int(minutes), None, None, source) if minutes else None


def _relays(event: Event, unit: str) -> bool:
    if event.type == ASSIGN:
        return unit == UNNAMED or unit in (event.data.get("units") or ())
    return event.type == NOTIFY and unit != UNNAMED and event.data.get("who") == unit


def _feedback(event: Event) -> Feedback:
    return Feedback(
        event.data.get("from") or "",
        event.happened_at,
        event.data.get("text"),
        bool(event.data.get("done")),
        back_entered(event),
    )


def _deadline(clock: Clock, item: Item, start: datetime, calendar, tz, extension=None):
    """(deadline, on the Monday–Friday fallback, extended) of a clock started at `start`."""
    if clock.minutes is not None:
        return start + timedelta(minutes=clock.minutes), False, False
    days = clock.days_for(item.message_class)
    last_day, fallback = calendar.add_working_days(start.astimezone(tz).date(), days)
    deadline = end_of_day(last_day, tz)
    # asked for in time (云政办发〔2016〕106号 四(三)), counted from the original deadline
    if (
        extension is not None
        and clock.extension_working_days
        and effective_at(extension) < deadline
    ):
        more_day, more = calendar.add_working_days(last_day, clock.extension_working_days)
        return end_of_day(more_day, tz), fallback or more, True
    return deadline, fallback, False


def working_deadline(clock: Clock, item: Item, start: datetime, calendar, tz) -> datetime:
    """The original deadline of a clock (service checks an extension against it)."""
    return _deadline(clock, item, start, calendar, tz)[0]


def _state(start, deadline, met_at, waived_at, now, policy: Policy) -> DutyState:
    """As engine judges a duty: a met clock is met or late; a waiver (a close) counts only for a
    clock not yet fallen due when it took effect; a breach is permanent."""
    if met_at is not None and (waived_at is None or met_at <= waived_at or met_at <= deadline):
        return MET if met_at <= deadline else LATE
    if waived_at is not None:
        return WAIVED if deadline >= waived_at else OVERDUE
    if now > deadline:
        return OVERDUE
    window = max(timedelta(minutes=policy.warn_minutes), (deadline - start) * policy.warn_share)
    return DUE_SOON if deadline - now <= window else PENDING


def _key(c: Tracked) -> tuple:
    """One clock across versions of the item: a supervision clock starts at 接报, which a
    correction may move; every other starts at the event that made it."""
    return (c.role, c.unit, None if c.role == "supervised" else c.start)


def lost_breaches(before: Chase, after: Chase) -> list[Tracked]:
    """Downward clocks overdue or late in `before` that `after` no longer holds so."""
    kept = {_key(c): c.state for c in after.clocks}
    breached = (OVERDUE, LATE)
    return [c for c in before.clocks if c.state in breached and kept.get(_key(c)) not in breached]
