"""The deadline engine: pure functions from (item, events, policy, calendar, now) to each clock's state.

No I/O and no clock reading: the same inputs give the same answer, so a late or repeated cron run,
`status --at` and the daily report all agree (DOMAIN.md, lessons: missed runs must not lose alerts).

Rules, each from DOMAIN.md and the seeds:
- only events that happened at or before `now` count; a back-entered event counts from when it
  happened, not when it was typed;
- a clock in hours is exact, around the clock (a duty office is staffed 24/7); a clock in working
  days skips the anchor's own day and ends at 24:00 of the Nth working day (ISO: 00:00 next day);
- an extension counts from the original deadline; it is allowed once, and only if asked for
  before the deadline (云政办发〔2016〕106号 四(三); checked when recorded, and here);
- an item not yet graded owes every level's clock; a level change re-judges which clocks apply,
  from the same anchors, and each clock records what moved and why;
- a duty is met only by the event its policy names (Zammad's wrong-clock lesson);
- a breach is permanent: a later event may only waive a clock that had not yet fallen due at that
  moment. A downgrade or a close waives the clocks still running; one already past its deadline
  stays overdue, and one met late stays late. 鲁政办字〔2016〕86号 第18条 excuses a warning that did
  not happen and a report *made in time* that proved wrong: neither erases a missed clock;
- an event typed in after the moment it states meets a clock as of that moment only if it was
  recorded by the deadline (or, for a clock first shown already past it, within BACK_ENTRY of
  the record that started it: a history typed in after the fact), else as of its recording (a
  late entry never makes a breach met in time); it waives or extends only from when it was
  recorded; one recorded more than BACK_ENTRY after its stated time is marked 补录;
- a correction (更正) re-judges the item from its corrected anchors, kind and policy; judged at
  the moment it was recorded, a clock it found already breached stays a breach at its original
  deadline (`held`), and on a closed item it makes no breach from before it (`spared`);
- a reopening (重新打开) undoes the close from then on: a reopened close meets nothing, and a
  clock that fell due while the item stood closed stays waived (it was not owed then).
"""

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from itertools import takewhile
from typing import NamedTuple
from zoneinfo import ZoneInfo

from yaoqing_cli import vocab
from yaoqing_cli.clock import deadline_text, from_utc_text, span_text
from yaoqing_cli.models import Event, Item, versions_of
from yaoqing_cli.policy import ELEMENTS, Duty, Policy
from yaoqing_cli.vocab import DutyState, EventType
from yaoqing_cli.workdays import WorkCalendar

# Members bound once: looking up an enum member costs ten times a global in the hot loops.
MET, LATE, PENDING, DUE_SOON, OVERDUE, WAIVED = DutyState
FILE, CONTINUE, LEVEL, EXTEND, CLOSE, _OFFICE, _CALENDAR = list(EventType)[:7]
NOTIFY = EventType.NOTIFY
CORRECT, REOPEN = EventType.CORRECT, EventType.REOPEN

SHANGHAI = ZoneInfo("Asia/Shanghai")
BACK_ENTRY = timedelta(minutes=10)  # recorded this long after its stated time: 补录
END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)
OPEN_STATES = vocab.RUNNING


class Change(NamedTuple):
    at: datetime
    old_deadline: datetime | None
    new_deadline: datetime | None
    reason: str


class Notice(NamedTuple):
    who: str
    duty: str | None  # the duty key whose clock calls for it, None for a standing rule
    why: str
    required: bool = True  # False: the documents permit it (可报告), they do not require it
    # "report" (须报告/可报告), "copy" (抄送, 云政办发〔2016〕106号 三(三)), or "route": the
    # department expected to *send* reports of the item's category (归口报送, same section),
    # a sender and not someone to tell: shown apart (JSON `routed_from`), never in `notify`
    role: str = "report"
    # when and how this person was told (`yaoqing notify`), None while not yet told: a notify
    # tells them of the item, so every notice for them reads as told from then on
    told_at: datetime | None = None
    told_by: str | None = None

    @property
    def heading(self) -> str | None:
        """How people see it: 须报告, 同时抄送 or 可报告, 已报告 once told; None for a sender
        (归口报送)."""
        if self.role == "route":
            return None
        if self.told_at is not None:
            return "已报告"
        if not self.required:
            return "可报告"
        return "同时抄送" if self.role == "copy" else "须报告"


NOTICE_HEADINGS = ("须报告", "同时抄送", "可报告", "已报告")
OWED_HEADINGS = frozenset({"须报告", "同时抄送"})  # what `status --untold` looks for


class Told(NamedTuple):
    """One `yaoqing notify`: who was told of the item, when, how, by which officer."""

    who: str
    at: datetime
    by: str | None
    officer: str | None
    text: str | None
    listed: bool  # a recipient or escalation step the item's policy names (else a free name)


class DutyStatus(NamedTuple):
    key: str
    name: str
    anchor: str
    deadline: datetime
    state: DutyState
    met_at: datetime | None
    extended: bool
    calendar_fallback: bool
    source: str
    changes: tuple[Change, ...] = ()
    back_entered: bool = False  # met by an event recorded after the fact (补录)
    # 更正前已逾期: a correction moved this clock after it had fallen due unmet (or been met
    # late); the breach stands at its original deadline. The change that would have removed it.
    held: Change | None = None
    # 终报后更正: a correction recorded after the close would make this clock a breach from
    # before it was recorded; it is not made one retroactively (README, 更正).
    spared: Change | None = None
    # 补录 typed after the deadline of a stated time in time: met_at is when it was recorded
    met_as_recorded: bool = False


class Moved(NamedTuple):
    """One deadline a correction moved (更正), for `changes` and the report's 更正 section."""

    key: str
    name: str
    change: Change
    held: bool = False  # a breach shown before the correction stands (it would have removed it)
    spared: bool = False  # on a closed item: the breach it would have made is not made
    by: str = ""  # the uid of the correction event that moved it


class ItemStatus(NamedTuple):
    level: str | None
    closed_at: datetime | None
    outcome: str | None
    exempt: bool
    duties: tuple[DutyStatus, ...]
    notify: tuple[Notice, ...]
    missing: tuple[str, ...]
    calendar_fallback: bool
    urgency: tuple = ()
    told: tuple[Told, ...] = ()  # every notify up to the moment judged, in order
    moved: tuple[Moved, ...] = ()  # every deadline a correction moved, in order
    reopened: bool = False  # closed once, open again (重新打开)

    @property
    def untold(self) -> tuple[Notice, ...]:
        """Those the item still owes a telling (须报告, 同时抄送), not yet told."""
        return tuple(n for n in self.notify if n.heading in OWED_HEADINGS)


BREACHES = frozenset({DutyState.OVERDUE, DutyState.LATE})


def evaluate(
    item: Item,
    events: Sequence[Event],
    policy: Policy,
    calendar: WorkCalendar,
    now: datetime,
    tz: ZoneInfo = SHANGHAI,
    resolve=None,
) -> ItemStatus:
    """Each clock of `item` (as the log now holds it, every correction applied) at `now`.

    `resolve(policy_hash)` gives the policy of an earlier version of the item when a
    correction changed its policy (without it, `policy` judges every version)."""
    # Every time in here is UTC: Python subtracts and compares two times of the same zone by
    # their clock readings, which is wrong across a daylight-saving change.
    now = now.astimezone(UTC)
    if not any(e.type == CORRECT for e in events):
        return _evaluate(item, events, policy, calendar, now, tz)
    return _evaluate_corrected(item, events, policy, calendar, now, tz, resolve)


def _evaluate_corrected(item, events, policy, calendar, now, tz, resolve) -> ItemStatus:
    """Corrections (更正): the clocks are those of the item as corrected by `now`, from its
    corrected anchors. Each correction is also judged at the moment it was recorded, before
    and after: a deadline it moved is listed (Moved, and in the clock's `changes`); a clock it
    found already breached stays a breach at its original deadline (`held`: a breach is
    permanent, 鲁政办字〔2016〕86号 第18条); on an item closed when it was recorded, a breach it
    would newly make from before it is not made (`spared`)."""
    corrections = sorted((e for e in events if e.type == CORRECT), key=lambda e: e.seq)
    others = [e for e in events if e.type != CORRECT]
    versions = versions_of(item, corrections)

    def policy_of(version: Item) -> Policy:
        if version.policy_hash == policy.hash or resolve is None:
            return policy
        return resolve(version.policy_hash)

    # in the order recorded, each on top of the last: those recorded by `now` (a prefix)
    in_effect = list(takewhile(lambda c: c.happened_at <= now, corrections))
    current = versions[len(in_effect)]
    current_policy = policy_of(current)
    status = _evaluate(current, others, current_policy, calendar, now, tz)
    held: dict[str, tuple[DutyStatus, Change, datetime]] = {}
    spared: dict[str, Change] = {}
    moved: list[Moved] = []
    for i, c in enumerate(in_effect):
        at = first_recorded(c)
        seen = [e for e in others if e.happened_at <= at]
        before = _evaluate(versions[i], seen, policy_of(versions[i]), calendar, at, tz)
        after = _evaluate(versions[i + 1], seen, policy_of(versions[i + 1]), calendar, at, tz)
        was = {d.key: d for d in before.duties}
        now_is = {d.key: d for d in after.duties}
        why = correction_reason(c)
        for key in dict.fromkeys([*was, *now_is]):
            x, y = was.get(key), now_is.get(key)
            old = x.deadline if x else None
            new = y.deadline if y else None
            # a clock an earlier correction spared was shown waived, not breached: nothing to hold
            removes = (
                x is not None
                and x.state in BREACHES
                and key not in spared
                and (y is None or y.state not in BREACHES)
            )
            makes = (
                before.closed_at is not None
                and (x is None or x.state not in BREACHES)
                and y is not None
                and y.state in BREACHES
            )
            if old == new and not (removes or makes):
                continue  # a clock unmoved keeps its state (another policy's same deadline but
                # a different event that meets it turns overdue into met: that is held too)
            change = Change(c.happened_at, old, new, why)
            if removes and key not in held:
                held[key] = (x, change, at)
            elif makes and key not in held:
                spared.setdefault(key, change)
            # a breach an earlier correction held stays one: this one spares nothing of it
            spares = makes and key not in held
            moved.append(Moved(key, (x or y).name, change, removes, spares, c.uid))
    duties = {d.key: d for d in status.duties}
    # a held breach is judged at the deadline it missed, whatever the corrected one says (so
    # the clocks projection, which finds overdue clocks by deadline, agrees with every view)
    for key, (x, change, at) in held.items():
        d = duties.get(key)
        met_at = d.met_at if d is not None and d.met_at is not None else x.met_at
        if met_at is not None and met_at <= x.deadline:
            # met in time only by the corrected rules (another event meets it): as of the
            # correction, which made it count
            met_at = at
        duties[key] = x._replace(
            state=LATE if met_at is not None else OVERDUE,
            met_at=met_at,
            changes=d.changes if d is not None else x.changes,
            held=change,
        )
    for key, change in spared.items():
        d = duties.get(key)
        if d is not None and d.state in BREACHES and key not in held:
            duties[key] = d._replace(state=WAIVED, spared=change)  # keeps when it was done
    for m in moved:
        d = duties.get(m.key)
        if d is not None:
            duties[m.key] = d._replace(
                changes=tuple(sorted((*d.changes, m.change), key=lambda ch: ch.at))
            )
    judged = tuple(duties.values())
    notify = status.notify
    if status.closed_at is None:
        notify = _notify(current, status.level, judged, current_policy, now, tz)
        notify = _marked_told(notify, status.told)
    return status._replace(
        duties=judged,
        notify=notify,
        calendar_fallback=any(d.calendar_fallback for d in judged),
        urgency=_urgency(current, judged, status.closed_at),
        moved=tuple(moved),
    )


def correction_reason(event: Event) -> str:
    """更正事发时间、类型：reason, as a clock's change names it."""
    fields = [
        vocab.CORRECTABLE.get(k, k) for k in (event.data.get("to") or {}) if k != "policy_hash"
    ]
    reason = event.data.get("reason") or ""
    return f"更正{'、'.join(fields)}" + (f"：{reason}" if reason else "")


def _closes(seen: Sequence[Event]) -> tuple[Event | None, list[tuple[datetime, datetime]]]:
    """(the close in force, or None; the windows between each close and the reopening that
    undid it, from their effective moments). A reopened close meets and waives nothing, but a
    clock that fell due while the item stood closed was not owed then: it stays waived."""
    close, windows = None, []
    for e in seen:
        if e.type == CLOSE:
            close = e
        elif e.type == REOPEN and close is not None:
            windows.append((effective_at(close), effective_at(e)))
            close = None
    return close, windows


def _evaluate(item, events, policy, calendar, now, tz) -> ItemStatus:
    seen = sorted((e for e in events if e.happened_at <= now), key=lambda e: (e.happened_at, e.seq))
    close, windows = _closes(seen)
    closed_at = close.happened_at if close else None
    outcome = close.data.get("outcome") if close else None
    exempt = outcome in vocab.EXEMPT_OUTCOMES
    # a close waives the clocks still running from the moment it took effect
    close_effect = effective_at(close) if close else None

    level_steps = [(item.filed, item.filed, item.level, "")]
    tellings = []  # `notify` events: who was told, in order
    for e in seen:
        if e.type == LEVEL:
            reason = e.data.get("reason") or ""
            level_steps.append((e.happened_at, effective_at(e), e.data.get("to"), reason))
        elif e.type == NOTIFY:
            tellings.append(e)
    level = level_steps[-1][2]

    duties = []
    for duty in policy.duties:
        status = _duty_status(
            duty, item, seen, level_steps, policy, calendar, now, tz, close_effect, close, windows
        )
        if status is not None:
            duties.append(status)

    notify = () if closed_at else _notify(item, level, duties, policy, now, tz)
    told = _told(tellings, policy) if tellings else ()
    notify = _marked_told(notify, told)
    missing = _missing(item, seen, level, policy)
    return ItemStatus(
        level=level,
        closed_at=closed_at,
        outcome=outcome,
        exempt=exempt,
        duties=tuple(duties),
        notify=notify,
        missing=missing,
        calendar_fallback=any(d.calendar_fallback for d in duties),
        urgency=_urgency(item, duties, closed_at),
        reopened=bool(windows),
        told=told,
    )


def _marked_told(notify: tuple[Notice, ...], told: tuple) -> tuple[Notice, ...]:
    """Each notice of someone already told, with when and how they were first told."""
    if not (told and notify):
        return notify
    first = {}
    for t in told:
        first.setdefault(t.who, t)
    return tuple(
        Notice(n.who, n.duty, n.why, n.required, n.role, first[n.who].at, first[n.who].by)
        if n.who in first and n.role != "route"
        else n
        for n in notify
    )


def policy_names(policy: Policy) -> tuple[str, ...]:
    """Everyone a policy names to be told: recipients, escalation steps, the copy. `notify
    --who` meets a requirement only with one of these, exactly (after NFKC)."""
    names = _NAMES.get(policy.hash)
    if names is None:
        listed = [r.who for r in policy.recipients] + [s.who for s in policy.escalation]
        if policy.copy_to:
            listed.append(policy.copy_to)
        names = _NAMES[policy.hash] = tuple(dict.fromkeys(listed))
    return names


_NAMES: dict[str, tuple[str, ...]] = {}  # by policy hash: a board judges thousands of items


def _told(events: Sequence[Event], policy: Policy) -> tuple[Told, ...]:
    names = policy_names(policy)
    return tuple(
        Told(
            e.data.get("who") or "",
            e.happened_at,
            e.data.get("by"),
            e.officer,
            e.data.get("text"),
            e.data.get("who") in names,
        )
        for e in events
    )


def current_level(item: Item, events: Sequence[Event]) -> str | None:
    """The item's level after the level changes among `events` (taken in the order given:
    the store's, by when they happened): the level at filing until a 定级变更 moves it."""
    level = item.level
    for e in events:
        if e.type == LEVEL:
            level = e.data.get("to")
    return level


def first_recorded(event: Event) -> datetime:
    """When the event was first recorded: an imported event was recorded here at import, but
    the office that made it recorded it at `data.imported.source_recorded_at`; a copy of a log
    judges as the original did."""
    source = event.data.get("imported")
    if isinstance(source, dict):
        try:
            return from_utc_text(source["source_recorded_at"])
        except (KeyError, TypeError, ValueError):
            pass
    return event.recorded_at


def back_entered(event: Event) -> bool:
    """Recorded more than BACK_ENTRY after the moment it states (补录)."""
    return first_recorded(event) - event.happened_at > BACK_ENTRY


def effective_at(event: Event) -> datetime:
    """When an event can waive or extend a clock: when it was recorded (or the moment it states,
    if that is later). Typing a downgrade at 16:00 `--at 09:00` cannot make a 13:00 clock vanish,
    nor one typed at 12:09 `--at 11:59` a 12:00 clock the board showed overdue since 12:00."""
    return effective_moment(event.happened_at, first_recorded(event))


def effective_moment(stated: datetime, recorded: datetime) -> datetime:
    """effective_at of an act not yet recorded (a command checking the extension it would make,
    an import checking one it would take): the later of the two moments."""
    return max(stated, recorded)


def counted_at(event: Event, deadline: datetime, shown_since: datetime) -> datetime:
    """When a completion counts against its clock (`shown_since`: when the event that started
    the clock was recorded, from which the board showed it). The moment it states, if that is
    already late (late as stated) or the event was recorded by the deadline. A completion stated
    in time but typed in after the deadline counts from when it was typed: the board showed the
    clock overdue, and a breach is permanent (`continue --done publish --at 12:00` typed at
    14:00, or at 13:05, against a 13:00 clock is late as of then; the stated moment stays in
    the record). Except while a history is typed in: a clock first shown already past its
    deadline (its first report, 转办 or 批示 typed in after the fact) takes a completion typed
    within BACK_ENTRY of that record as stated."""
    recorded = first_recorded(event)
    stated = event.happened_at
    if stated > deadline or recorded <= deadline:
        return stated
    if shown_since > deadline and recorded - shown_since <= BACK_ENTRY:
        return stated
    return recorded


def concerned_level(item: Item) -> str | None:
    """The level that decides an opinion's public-response clocks: that of the emergency it
    concerns (鲁政办发〔2018〕18号 三: 对涉及特别重大、重大突发事件的政务舆情…，对其他政务舆情应在48小时
    内予以回应; 云政办发〔2016〕106号 六 and 高安市通知 三(三) alike, each with its own limits). An
    opinion that names no emergency is 其他政务舆情:
    judged as concerning neither 特别重大 nor 重大; one about an emergency not yet graded owes every
    level's clock, as that emergency does."""
    if item.details.get("about_level"):
        return item.details["about_level"]
    return None if item.details.get("about") else "general"


def deadline_for(
    duty: Duty, item: Item, calendar: WorkCalendar, tz: ZoneInfo
) -> tuple[datetime, bool] | None:
    """The duty's original deadline and whether it rests on the Monday–Friday fallback."""
    start = getattr(item, duty.anchor)
    if duty.minutes is not None:
        return start + timedelta(minutes=duty.minutes), False
    days = duty.days_for(item.message_class)
    if days is None:
        return None  # a per-class clock on an item without that class owes nothing
    last_day, fallback = calendar.add_working_days(start.astimezone(tz).date(), days)
    return end_of_day(last_day, tz), fallback


def end_of_day(day, tz: ZoneInfo) -> datetime:
    """24:00 of `day` in the office's zone, written as 00:00 of the next day (taskwarrior's
    lesson: due D = end of D), returned in UTC like every other time the engine compares."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def _duty_status(
    duty, item, seen, level_steps, policy, calendar, now, tz, close_effect, close=None, windows=()
):
    if item.kind not in duty.kinds:
        return None
    original = deadline_for(duty, item, calendar, tz)
    if original is None:
        return None
    deadline, fallback = original
    changes = []
    if item.kind == "opinion" and duty.opinion_level == "concerned":
        level_steps = [(item.filed, item.filed, concerned_level(item), "")]

    # which levels it applied under, what each level change moved, and when it stopped being owed
    applied = duty.applies(item.kind, level_steps[0][2])
    ever = applied
    dropped_at = None  # when the current level stopped owing it (the change's effective moment)
    for at, effect, level, reason in level_steps[1:]:
        now_applies = duty.applies(item.kind, level)
        if now_applies != applied:
            why = f"定级变更为{vocab.level_label(level)}" + (f"：{reason}" if reason else "")
            changes.append(
                Change(at, deadline if applied else None, deadline if now_applies else None, why)
            )
            dropped_at = None if now_applies else effect
        applied = now_applies
        ever |= now_applies
    if not ever:
        return None

    extension = next(
        (
            e
            for e in seen
            if e.type == EXTEND
            and e.data.get("duty") == duty.key
            and effective_at(e) < deadline  # asked for in time (云政办发〔2016〕106号 四(三))
        ),
        None,
    )
    if extension is not None and duty.extension_working_days:
        last_day = (deadline.astimezone(tz) - timedelta(days=1)).date()
        extended_day, more_fallback = calendar.add_working_days(
            last_day, duty.extension_working_days
        )
        new_deadline = end_of_day(extended_day, tz)
        changes.append(
            Change(
                extension.happened_at,
                deadline,
                new_deadline,
                f"延长{duty.extension_working_days}个工作日：{extension.data.get('reason', '')}",
            )
        )
        deadline, fallback = new_deadline, fallback or more_fallback

    met = _met_by(duty, seen, close)
    filed = next((e for e in seen if e.type == FILE), None)
    shown_since = first_recorded(filed) if filed is not None else item.filed  # the clock known
    met_at = counted_at(met, deadline, shown_since) if met else None
    if met_at is not None and met_at > now:  # counted from a recording still to come
        met, met_at = None, None
    # 重新打开: a clock that fell due while the item stood closed was not owed then
    window = next((c for c, r in windows if c <= deadline < r and c <= now), None)
    # A waiver (a level no longer owing it, a close) counts only once in effect, and only for a
    # clock not yet fallen due then: a breach is permanent (鲁政办字〔2016〕86号 第18条).
    # The earliest waiver in effect counts: a close before the deadline stops the clock even if
    # a downgrade typed in later (补录, in effect from its recording) falls after the deadline.
    waivers = []
    if not applied and dropped_at is not None and dropped_at <= now:
        waivers.append(dropped_at)
    if window is not None:  # fell due while closed: waived then, whatever came after
        waivers.append(window)
    if close_effect is not None and close_effect <= now:
        waivers.append(close_effect)
    waived_at = min(waivers, default=None)
    if met_at is not None and (waived_at is None or met_at <= waived_at or met_at <= deadline):
        state = MET if met_at <= deadline else LATE
    elif waived_at is not None and deadline >= waived_at:
        state = WAIVED
    elif waived_at is not None:
        state = LATE if met_at is not None else OVERDUE
    elif now > deadline:
        state = OVERDUE
    elif deadline - now <= _warn_window(duty, item, deadline, policy):
        state = DUE_SOON
    else:
        state = PENDING
    return DutyStatus(
        key=duty.key,
        name=duty.name,
        anchor=duty.anchor,
        deadline=deadline,
        state=state,
        # a waived clock keeps when it was done anyway: 免于考核 must not hide a late publication
        met_at=met_at if state in vocab.DONE or state == WAIVED else None,
        extended=extension is not None,
        calendar_fallback=fallback,
        source=duty.source,
        changes=tuple(changes),
        back_entered=state in vocab.DONE and back_entered(met),
        met_as_recorded=state in vocab.DONE and met_at != met.happened_at,
    )


# A first report meets a written-report clock when it went up in writing (传真、网络、纸质), or
# with no channel recorded: the written 要情专报 the office sent. A call is the oral report that
# comes first (内政办发〔2014〕109号 二(一) 先通过电话口头报告……随后报送文字材料，最晚不得超过事发后
# 2小时); any other channel names where the news came from, not how the report went: the
# written material is then recorded as `continue --done`.
WRITTEN_CHANNELS = vocab.WRITTEN_CHANNELS


def _met_by(duty: Duty, seen: Sequence[Event], close: Event | None = None) -> Event | None:
    """The first event that meets the duty, as its policy names it, and nothing else (a close
    only if it is the close in force: a reopened one met nothing; nor a void)."""
    for e in seen:
        if duty.met_by == "file" and e.type == FILE:
            return e
        if duty.met_by == "written" and e.type == FILE:
            channel = (e.data.get("details") or {}).get("channel")
            if channel is None or channel in WRITTEN_CHANNELS:
                return e
        if duty.met_by == "first_continue" and e.type == CONTINUE:
            return e
        if (
            duty.met_by in ("done", "written")
            and e.type == CONTINUE
            and duty.key in (e.data.get("done") or ())
        ):
            return e
        # a void (作废: filed by mistake) closes the item but does nothing the clock asks for
        if duty.met_by == "close" and e.type == CLOSE and e is close and not _void(e):
            return e
    return None


def _void(close: Event) -> bool:
    return close.data.get("outcome") == "void"


def _warn_window(duty: Duty, item: Item, deadline: datetime, policy: Policy) -> timedelta:
    window = deadline - getattr(item, duty.anchor)
    return max(timedelta(minutes=policy.warn_minutes), window * policy.warn_share)


def _notify(item, level, duties, policy, now, tz) -> tuple[Notice, ...]:
    notices = list(standing_notices(policy, item.kind, level, item.category))
    for d in duties:
        if d.state in OPEN_STATES:
            notices += [
                Notice(who, d.key, _clock_reason(d, now, tz))
                for who in escalation_reached(policy, d.key, d.deadline, now)
            ]
    return tuple(notices)


def standing_notices(policy: Policy, kind: str, level: str | None, category: str | None):
    """Who is told of every open item like this one, whatever its clocks say: each recipient
    whose kinds and levels match (an item not yet graded: every level's, as for clocks), the
    copy the routing rule asks for, and last the item's sender by category (role "route")."""
    notices = [
        Notice(
            r.who,
            None,
            _cite(r.source),
            r.required,
            "copy" if r.copy else "report",
        )
        for r in policy.recipients
        if r.applies(kind, level)
    ]
    if policy.copy_to:
        notices.append(Notice(policy.copy_to, None, _cite(policy.routing_source), role="copy"))
    route = policy.route(category)
    if route:
        notices.append(
            Notice(
                route,
                None,
                f"类别“{category}”归口报送，{_cite(policy.routing_source)}",
                role="route",
            )
        )
    return tuple(notices)


def escalation_reached(policy: Policy, duty_key: str, deadline: datetime, now: datetime):
    """The escalation steps a running clock has reached by `now`, in the policy's order."""
    return [
        step.who
        for step in policy.escalation
        if (step.duties is None or duty_key in step.duties)
        and now >= deadline + timedelta(minutes=step.offset_minutes)
    ]


def lost_breaches(before: ItemStatus, after: ItemStatus) -> list[DutyStatus]:
    """Clocks overdue or late in `before` that `after` no longer holds so: what a later act
    (an import, a calendar entry) would erase. A breach is permanent (鲁政办字〔2016〕86号 第18条)."""
    kept = {d.key: d for d in after.duties}
    return [
        d
        for d in before.duties
        if d.state in (OVERDUE, LATE)
        and (d.key not in kept or kept[d.key].state not in (OVERDUE, LATE))
    ]


class ClockMove(NamedTuple):
    """A clock one command changed: a deadline moved (an extension, a correction), a clock a
    regrade started (old_deadline None) or ended (state WAIVED), or one it met (done_at)."""

    key: str
    name: str
    old_deadline: datetime | None
    new_deadline: datetime
    state: DutyState
    done_at: datetime | None = None
    back_entered: bool = False  # done by a 补录
    as_recorded: bool = False  # …typed after the deadline, so counted from when it was typed


def clock_moves(before: ItemStatus, after: ItemStatus) -> list[ClockMove]:
    """What changed between two judgements of one item (ItemStatus) at one moment:
    before and after a command's events. Clocks that merely ran on are not changes."""
    was = {d.key: d for d in before.duties}
    moves = []
    for d in after.duties:
        old = was.get(d.key)
        if d.state in vocab.DONE and (old is None or old.state not in vocab.DONE):
            moves.append(
                ClockMove(
                    d.key,
                    d.name,
                    old and old.deadline,
                    d.deadline,
                    d.state,
                    d.met_at,
                    d.back_entered,
                    d.met_as_recorded,
                )
            )
        elif old is None or (old.state == WAIVED and d.state in vocab.RUNNING):
            moves.append(ClockMove(d.key, d.name, None, d.deadline, d.state))
        elif (d.state == WAIVED and old.state != WAIVED) or old.deadline != d.deadline:
            moves.append(ClockMove(d.key, d.name, old.deadline, d.deadline, d.state))
    return moves


def running_clocks(
    item: Item,
    events: Sequence[Event],
    policy: Policy,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    resolve=None,
) -> tuple[str | None, tuple[DutyStatus, ...]]:
    """(current level, the clocks still running) once every recorded event counts.

    What the projection in the log keeps per open item: a running clock's deadline does not
    depend on `now`, so `status` can find the late ones with one indexed query. Judged at a
    moment after everything, a clock still owed reads as overdue; a closed item owes nothing.
    """
    status = evaluate(item, events, policy, calendar, END_OF_TIME, tz=tz, resolve=resolve)
    if status.closed_at is not None:
        return status.level, ()
    return status.level, tuple(d for d in status.duties if d.state == OVERDUE)


def _clock_reason(d: DutyStatus, now: datetime, tz: ZoneInfo) -> str:
    if d.state == OVERDUE:
        return f"{d.name}已逾期{span_text(now - d.deadline)}"
    return f"{d.name}将于{deadline_text(d.deadline, tz, now)}到期"


def _cite(source: str) -> str:
    """The document part of a source line (before the quoted words)."""
    return source.split("：", 1)[0]


def _missing(item: Item, seen: Sequence[Event], level, policy: Policy) -> tuple[str, ...]:
    """What the first report still lacks; follow-ups may supply it (呼政办发〔2014〕30号 一)."""
    missing = []
    if level is None and any(d.levels and item.kind in d.kinds for d in policy.duties):
        missing.append("级别")
    if item.kind not in policy.element_kinds:
        return tuple(missing)
    supplied = {k for k, v in item.details.items() if v}
    if item.unit:
        supplied.add("unit")
    for e in seen:
        if e.type == CONTINUE:
            supplied |= {k for k in ELEMENTS if e.data.get(k)}
            if e.data.get("text"):
                supplied.add("summary")  # a follow-up's text is the course of events
    missing += [ELEMENTS[k] for k in policy.elements if k not in supplied]
    return tuple(missing)


def _urgency(item: Item, duties: Sequence[DutyStatus], closed_at) -> tuple:
    """Sort key: overdue first (longest overdue first), then due soon, then by next deadline."""
    rank = {OVERDUE: 0, DUE_SOON: 1, PENDING: 2}
    running = [d for d in duties if d.state in rank]
    if closed_at is not None or not running:
        return (4 if closed_at else 3, 0.0, item.filed.timestamp(), item.id)
    worst = min(rank[d.state] for d in running)
    first = min(d.deadline.timestamp() for d in running)
    return (worst, first, item.filed.timestamp(), item.id)
