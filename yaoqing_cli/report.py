"""The daily summary (值班日报) and the timeliness figures per reporting unit (每半年通报工作情况，
年底进行考核: 鲁政办字〔2016〕86号 第17条).

`build_report` judges every item alive in a period with the deadline engine *as of the
period's end*, so a late or repeated cron run writes the same report for the same day: a pure
function of the items, their events, policies and headings (service.duty_report reads them), the
calendar and now. Every item is reported as it is at that moment: its current level and the
facts its follow-ups supplied (facts.current_facts), the unit of the latest statement counting
for the unit's figures. Its text, Markdown, JSON and CSV forms are in render_report.py.

传与跟 (issue 14): the downward clocks of each item (chuan.track, judged at the same moment) give
the assignments made and the feedback received in the period, the downward clocks met late in it,
overdue at its end or (a day or a shift) due within the next 24 hours, and the figures per handling unit (承办单位按时办结率). An assignment counts
once, in the period its outcome was decided: when it was met on time, else at its deadline (met
late or not at all). A close waives only the clocks not yet fallen due, as for reporting units.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from yaoqing_cli import vocab
from yaoqing_cli.clock import local_text
from yaoqing_cli.errors import UsageError
from yaoqing_cli.facts import Facts, concealed, current_facts, hidden
from yaoqing_cli.models import Event, Item, Office
from yaoqing_cli.vocab import VOID, DutyState, EventType

# Members bound once: looking up an enum member costs ten times a global in the hot loops.
MET, LATE, PENDING, DUE_SOON, OVERDUE, WAIVED = DutyState
FILE, CONTINUE, LEVEL, EXTEND, CLOSE, _OFFICE, _CALENDAR = list(EventType)[:7]
NOTIFY = EventType.NOTIFY

NO_UNIT = "（未注明单位）"
GRADED = (MET, LATE, OVERDUE)  # the states a timeliness figure counts (a clock fallen due)
WATCH_HOURS = 24


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime  # exclusive
    label: str  # 2026年11月22日, 2026年11月, 2026年第四季度, 2026年下半年, 2026年
    span: str  # day | month | quarter | half | year | range

    @property
    def is_shift(self) -> bool:
        """A day or a shift of at most 24 hours (08:00 to 08:00): the 值班日报, with what the
        next shift must watch. Longer periods are the timeliness 通报 (鲁政办字〔2016〕86号
        第17条 每半年通报), which hands nothing over."""
        return self.span == "day" or self.until - self.since <= timedelta(hours=24)


def day_period(day: date, tz: ZoneInfo) -> Period:
    start = datetime.combine(day, time(0), tz)
    return Period(start, start + timedelta(days=1), f"{day.year}年{day.month}月{day.day}日", "day")


def parse_period(
    text: str | None, day: str | None, since, until, now: datetime, tz: ZoneInfo
) -> Period:
    """--period (periods.parse_period: 2026-11, 2026Q4, 2026H2, 2026, 上月, 本季度, 去年 ...),
    --date YYYY-MM-DD, --since/--until, or yesterday by default."""
    chosen = sum(x is not None for x in (text, day)) + (since is not None or until is not None)
    if chosen > 1:
        raise UsageError("--date、--period 与 --since/--until 只能选一种")
    if day is not None:
        try:
            chosen_day = date.fromisoformat(vocab.plain(day))  # ２０２６－１１－２２ too
        except ValueError:
            raise UsageError(f"无法识别的日期：{day!r}；应为 YYYY-MM-DD，例如 2026-11-22") from None
        if not 2000 <= chosen_day.year <= 2100:  # as every typed time (timeparse)
            raise UsageError(f"日期的年份超出范围：{day!r}（2000–2100）")
        return day_period(chosen_day, tz)
    if text is not None:
        from yaoqing_cli.periods import parse_period as named

        found = named(text, now.astimezone(tz).date())
        return Period(
            datetime.combine(found.start, time(0), tz),
            datetime.combine(found.end, time(0), tz),
            found.label,
            found.span,
        )
    if since is not None or until is not None:
        if since is None or until is None:
            raise UsageError("--since 与 --until 须同时给出")
        if until <= since:
            raise UsageError("--until 须晚于 --since")
        label = f"{local_text(since, tz)} 至 {local_text(until, tz)}"
        return Period(since, until, label, "range")
    yesterday = now.astimezone(tz).date() - timedelta(days=1)
    return day_period(yesterday, tz)


@dataclass(frozen=True)
class DutyRef:
    item: Item
    key: str
    name: str
    deadline: datetime
    met_at: datetime | None
    state: str
    back_entered: bool = False  # met by an event recorded more than 10 minutes after its time


@dataclass
class UnitFigures:
    unit: str
    items: int = 0
    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    sensitive_only: bool = True  # every item counted here is sensitive (its name is concealed)

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


@dataclass(frozen=True)
class ChaseRef:
    """One downward clock of an item (chuan.Tracked: an assignment, a relay, an instruction's
    feedback, a supervised item's feedback)."""

    item: Item
    clock: object  # chuan.Tracked


@dataclass(frozen=True)
class FeedbackRef:
    """A handling unit's report back (反馈) received in the period."""

    item: Item
    event: Event
    state: str | None  # the assignment it met (办结): met or late; None for a 续报


@dataclass
class Report:
    office: Office
    period: Period
    judged_at: datetime
    filed: list[Item] = field(default_factory=list)
    continued: list[tuple[Item, Event]] = field(default_factory=list)
    closed: list[tuple[Item, Event]] = field(default_factory=list)
    level_changes: list[tuple[Item, Event]] = field(default_factory=list)
    back_entered: list[tuple[Item, Event]] = field(default_factory=list)
    open: list[Item] = field(default_factory=list)
    late: list[DutyRef] = field(default_factory=list)
    overdue: list[DutyRef] = field(default_factory=list)
    watch: list[DutyRef] = field(default_factory=list)
    by_level: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)
    by_class: Counter = field(default_factory=Counter)  # citizens' messages, by class
    units: list[UnitFigures] = field(default_factory=list)
    calendar_fallback: bool = False
    # what each item is at the period's end: its current level and the facts its follow-ups
    # supplied (the report says what the item is now, not what the first report said)
    levels: dict[str, str | None] = field(default_factory=dict)
    facts: dict[str, Facts] = field(default_factory=dict)
    # the documents excusing some failures, of the policies of the items judged (one line each)
    exemption_sources: list[str] = field(default_factory=list)
    headings: dict[str, str] = field(default_factory=dict)  # filed item -> heading as issued
    anchor: tuple[int, str] | None = None  # the log's head when the report was made
    # who was told of which item, and when (`notify` events that happened in the period)
    told: list[tuple[Item, Event]] = field(default_factory=list)
    # the shift changes of the period (`handover` events): when, who handed over to whom
    shifts: list[Event] = field(default_factory=list)
    # 更正: each correction recorded in the period, with every deadline it moved (engine.Moved;
    # `held`: the breach it would have removed stands)
    corrections: list[tuple[Item, Event, tuple]] = field(default_factory=list)
    reopened: list[tuple[Item, Event]] = field(default_factory=list)  # 重新打开
    # 传与跟 (issue 14): shown only if some item alive in the period was handed down
    downward: bool = False
    assigned: list[ChaseRef] = field(default_factory=list)  # assignments made in the period
    feedback: list[FeedbackRef] = field(default_factory=list)
    chase_late: list[ChaseRef] = field(default_factory=list)  # met late in the period
    chase_overdue: list[ChaseRef] = field(default_factory=list)  # overdue at its end
    chase_watch: list[ChaseRef] = field(default_factory=list)  # a shift's: due within 24 h
    handling_units: list[UnitFigures] = field(default_factory=list)  # 承办单位按时办结率

    def level(self, item: Item) -> str | None:
        return self.levels.get(item.id, item.level)

    def facts_of(self, item: Item, include_sensitive: bool) -> Facts:
        facts = self.facts.get(item.id) or current_facts(item, ())
        return concealed(facts) if hidden(item, include_sensitive) else facts


def judged_at(period: Period, now: datetime) -> datetime:
    """A report judges as of the period's end, or now if the period has not ended yet."""
    return min(period.until, now)


def build_report(
    office: Office,
    period: Period,
    now: datetime,
    calendar,
    tz: ZoneInfo,
    items: Sequence[Item],
    events: Mapping[str, Sequence[Event]],
    policies: Mapping[str, object],
    headings: Mapping[str, str],
    anchor: tuple[int, str] | None = None,
    shifts: Sequence[Event] = (),
    resolve=None,
) -> Report:
    """The report of `period`: a pure function of the items alive in it (each with its events,
    its policy and, if first reported in the period, its heading as issued), the calendar and
    now; `anchor` is the log's head as read (verify --expect-file finds it in the report). No
    I/O: service.duty_report reads them."""
    from yaoqing_cli.engine import back_entered, evaluate

    judged = judged_at(period, now)
    moment_inside = judged - timedelta(seconds=1) if judged == period.until else judged
    report = Report(
        office=office, period=period, judged_at=judged, anchor=anchor, shifts=list(shifts)
    )
    units: dict[str, UnitFigures] = {}
    handling: dict[str, tuple[UnitFigures, set[str]]] = {}  # unit -> figures, its items
    exemptions: dict[str, None] = {}

    since, until = period.since, period.until  # compared inline: 200 000 times in a year

    for item in items:
        item_events = events[item.id]
        policy = policies[item.id]
        status = evaluate(
            item, item_events, policy, calendar, moment_inside, tz=tz, resolve=resolve
        )
        facts = current_facts(item, item_events, moment_inside)
        report.levels[item.id] = status.level
        report.facts[item.id] = facts
        if policy.exemption_source:
            exemptions[policy.exemption_source] = None
        report.calendar_fallback |= status.calendar_fallback
        filed_in = since <= item.filed < until
        if filed_in:
            report.filed.append(item)
            report.headings[item.id] = headings[item.id]
            if item.kind == "message":  # a message has a class, never a level (vocab.grade_label)
                report.by_class[item.message_class or "unknown"] += 1
            else:
                report.by_level[status.level or "unknown"] += 1
            report.by_kind[item.kind] += 1
        for event in item_events:
            if since <= event.happened_at < until:
                if event.type == CONTINUE:
                    report.continued.append((item, event))
                elif event.type == CLOSE:
                    report.closed.append((item, event))
                elif event.type == LEVEL:
                    report.level_changes.append((item, event))
                elif event.type == NOTIFY:
                    report.told.append((item, event))
                elif event.type == EventType.CORRECT:
                    moved = tuple(m for m in status.moved if m.by == event.uid)
                    report.corrections.append((item, event, moved))
                elif event.type == EventType.REOPEN:
                    report.reopened.append((item, event))
            # 补录: stated to have happened in the period, or typed in it about an earlier time
            if back_entered(event) and (
                since <= event.happened_at < until or since <= event.recorded_at < until
            ):
                report.back_entered.append((item, event))
        if status.closed_at is None:
            report.open.append(item)
        for duty in status.duties:
            ref = DutyRef(
                item,
                duty.key,
                duty.name,
                duty.deadline,
                duty.met_at,
                duty.state,
                duty.back_entered,
            )
            if duty.state == LATE and since <= duty.met_at < until:
                report.late.append(ref)
            elif duty.state == OVERDUE:
                report.overdue.append(ref)
            elif (
                period.is_shift
                and duty.state in (PENDING, DUE_SOON)
                and status.closed_at is None
                and duty.deadline <= judged + timedelta(hours=WATCH_HOURS)
            ):
                report.watch.append(ref)
        # 传与跟 (before the reporting unit's figures, which skip a void item with no breach)
        void = status.outcome == VOID
        _downward(report, item, item_events, policy, calendar, moment_inside, tz, handling, void)
        if filed_in:
            # the unit of the latest statement counts (a follow-up may supply or correct it)
            unit = facts.unit or NO_UNIT
            # 作废 (filed by mistake) counts in no timeliness figure, but a breach shown before
            # the void stays in them (a breach is permanent); a void item with none is left out
            counted = [
                d
                for d in status.duties
                if d.state in ((LATE, OVERDUE) if void else (MET, LATE, OVERDUE))
            ]
            if void and not counted:
                continue
            figures = units.setdefault(unit, UnitFigures(unit))
            figures.items += 1
            figures.sensitive_only &= item.sensitive
            # A breach is permanent: an excused outcome (鲁政办字〔2016〕86号 第18条: a warning that
            # did not happen, information reported in time that proved wrong) waives only the
            # clocks still running at the close; those that had fallen due count as they stand.
            for duty in counted:
                if duty.state in (MET, LATE, OVERDUE):
                    figures.due += 1
                    figures.on_time += duty.state == MET
                    figures.late += duty.state == LATE
                    figures.overdue += duty.state == OVERDUE
    report.units = sorted(units.values(), key=lambda u: (-(u.rate or 0), u.unit))
    report.exemption_sources = list(exemptions)
    report.handling_units = _graded(handling)
    report.assigned.sort(key=lambda r: (r.clock.start, r.item.id))  # units in the order given
    report.feedback.sort(key=lambda r: (r.event.happened_at, r.event.seq))
    report.chase_late.sort(key=lambda r: (r.clock.met_at, r.item.id, r.clock.unit))
    report.chase_overdue.sort(key=lambda r: (r.clock.deadline, r.item.id, r.clock.unit))
    report.chase_watch.sort(key=lambda r: (r.clock.deadline, r.item.id, r.clock.unit))
    report.late.sort(key=lambda r: r.met_at)
    report.overdue.sort(key=lambda r: r.deadline)
    report.watch.sort(key=lambda r: r.deadline)
    for pairs in (
        report.continued,
        report.closed,
        report.level_changes,
        report.told,
        report.reopened,
    ):
        pairs.sort(key=lambda pair: (pair[1].happened_at, pair[1].seq))
    report.corrections.sort(key=lambda entry: (entry[1].happened_at, entry[1].seq))
    report.back_entered.sort(key=lambda pair: (pair[1].recorded_at, pair[1].seq))
    return report


def _downward(
    report: Report, item: Item, events, policy, calendar, moment, tz, handling, void: bool
) -> None:
    """传与跟 of one item into the report: what was handed down and fed back in the period, the
    downward clocks met late in it or overdue at its end, and the handling units' figures (of
    an item voided, 作废, only the breaches, as for reporting units)."""
    from yaoqing_cli import chuan

    chase = chuan.track(item, events, policy, calendar, moment, tz)
    if not chase:
        return
    report.downward = True
    # an assignment in working days of a year the calendar does not cover: said loudly
    report.calendar_fallback |= any(c.calendar_fallback for c in chase.clocks)
    period = report.period

    def in_period(moment: datetime | None) -> bool:
        return moment is not None and period.since <= moment < period.until

    for clock in chase.clocks:
        ref = ChaseRef(item, clock)
        if clock.role == chuan.ASSIGN and in_period(clock.start):
            report.assigned.append(ref)
        if clock.state == LATE and in_period(clock.met_at):
            report.chase_late.append(ref)
        elif clock.state == OVERDUE:
            report.chase_overdue.append(ref)
        elif (  # what the next shift must chase (a day or a shift: the 值班日报)
            period.is_shift
            and clock.state in (PENDING, DUE_SOON)
            and clock.deadline <= report.judged_at + timedelta(hours=WATCH_HOURS)
        ):
            report.chase_watch.append(ref)
        # 按时办结率: an assignment fallen due counts once, in the period its outcome was
        # decided (met on time: when met; else at its deadline); a waived one (the item closed
        # before it fell due) does not count; a breach is permanent
        if clock.role == chuan.ASSIGN and clock.state in ((LATE, OVERDUE) if void else GRADED):
            decided = clock.met_at if clock.state == MET else clock.deadline
            if in_period(decided):
                figures, items = handling.setdefault(clock.unit, (UnitFigures(clock.unit), set()))
                items.add(item.id)
                figures.items = len(items)
                figures.sensitive_only &= item.sensitive
                figures.due += 1
                figures.on_time += clock.state == MET
                figures.late += clock.state == LATE
                figures.overdue += clock.state == OVERDUE
    done = {c.unit: c.state for c in chase.of_role(chuan.ASSIGN) if c.met_at is not None}
    for event in events:
        if (
            event.type == chuan.FEEDBACK
            and in_period(event.happened_at)
            and event.happened_at <= moment
        ):
            unit = event.data.get("from")
            state = done.get(unit) if event.data.get("done") else None
            report.feedback.append(FeedbackRef(item, event, state))


def _graded(handling: Mapping[str, tuple[UnitFigures, set[str]]]) -> list[UnitFigures]:
    """Handling units, best on-time rate first (as reporting units are ranked)."""
    return sorted((f for f, _ in handling.values()), key=lambda u: (-(u.rate or 0), u.unit))
