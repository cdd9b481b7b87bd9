"""Invariants of the pure deadline engine, over random items and event histories (hypothesis).

- a met (or late) duty never changes state or time later;
- a deadline never moves when only `now` moves;
- the status at T is exactly what the events up to T imply (later events change nothing);
- without new events, a clock only moves forward: pending -> due_soon -> overdue;
- the clocks projection (running_clocks, kept in the log on every write) is exactly what the
  engine says at any moment after the last event, and so is who must be told;
- a breach is permanent: a clock overdue or late at T is overdue or late at every later moment,
  and no event added after T (a regrade, a close of any outcome, an extension, a follow-up)
  turns it into met or waived.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yaoqing_cli import vocab
from yaoqing_cli.engine import (
    OPEN_STATES,
    SHANGHAI,
    effective_at,
    escalation_reached,
    evaluate,
    running_clocks,
    standing_notices,
)
from yaoqing_cli.models import Event, Item
from yaoqing_cli.policy import load_policy
from yaoqing_cli.workdays import WorkCalendar

POLICIES = {name: load_policy(name) for name in ("national", "shandong", "yunnan", "inner-mongolia", "jiangxi")}  # fmt: skip
# a local policy with an escalation chain before and after each deadline
POLICIES["jinan-local"] = load_policy(str(Path(__file__).resolve().parent.parent / "examples" / "jinan-local.toml"))  # fmt: skip
CALENDAR = WorkCalendar()
BASE = datetime(2026, 3, 1, tzinfo=UTC)
PROPERTY = settings(
    max_examples=int(__import__("os").environ.get("YQ_EXAMPLES", 150)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ORDER = {"pending": 0, "due_soon": 1, "overdue": 2}

minutes = st.integers(min_value=0, max_value=60 * 24 * 40)


@st.composite
def histories(draw):
    policy = POLICIES[draw(st.sampled_from(sorted(POLICIES)))]
    kind = draw(st.sampled_from(sorted(vocab.KINDS)))
    level = draw(st.one_of(st.none(), st.sampled_from(sorted(vocab.LEVELS))))
    occurred = BASE + timedelta(minutes=draw(st.integers(0, 60 * 24 * 300)))
    received = occurred + timedelta(minutes=draw(st.integers(0, 600)))
    filed = received + timedelta(minutes=draw(st.integers(0, 600)))
    item = Item(
        id="20260301-001", year=2026, issue_no=1, title="t", kind=kind, level=level,
        policy=policy.name, policy_hash=policy.hash, occurred=occurred, received=received,
        filed=filed, message_class=draw(st.sampled_from(sorted(vocab.CLASSES))) if kind == "message" else None,
    )  # fmt: skip
    events = [Event(1, "u1", item.id, "file", filed, filed, None, {})]
    at = filed
    keys = [d.key for d in policy.duties]
    for seq in range(2, 2 + draw(st.integers(0, 6))):
        at = at + timedelta(minutes=draw(st.integers(0, 60 * 24 * 5)))
        kind_ = draw(st.sampled_from(["continue", "continue", "level", "extend", "close"]))
        if kind_ == "continue":
            done = draw(st.lists(st.sampled_from(keys), max_size=2)) if keys else []
            data = {"n": seq, "text": "x", "done": done}
        elif kind_ == "level":
            data = {"to": draw(st.sampled_from(sorted(vocab.LEVELS))), "reason": "r"}
        elif kind_ == "extend":
            if not keys:
                continue
            data = {"duty": draw(st.sampled_from(keys)), "reason": "r"}
        else:
            data = {"outcome": draw(st.sampled_from(sorted(vocab.OUTCOMES)))}
        # some events are typed in long after the moment they state (补录)
        recorded = at + timedelta(minutes=draw(st.sampled_from([0, 0, 0, 5, 45, 60 * 9])))
        events.append(Event(seq, f"u{seq}", item.id, kind_, at, recorded, None, data))
        if kind_ == "close":
            break
    return item, events, policy


def later_event(draw, item, policy, after, seq):
    """Any event an officer (or an import) could add at or after `after`."""
    at = after + timedelta(minutes=draw(st.integers(0, 60 * 24 * 30)))
    keys = [d.key for d in policy.duties] or ["publish"]
    kind_ = draw(st.sampled_from(["continue", "level", "extend", "close"]))
    data = {
        "continue": {
            "n": seq,
            "text": "x",
            "done": draw(st.lists(st.sampled_from(keys), max_size=2)),
        },
        "level": {"to": draw(st.sampled_from(sorted(vocab.LEVELS))), "reason": "r"},
        "extend": {"duty": draw(st.sampled_from(keys)), "reason": "r"},
        "close": {"outcome": draw(st.sampled_from(sorted(vocab.OUTCOMES)))},
    }[kind_]
    return Event(seq, f"u{seq}", item.id, kind_, at, at, None, data)


def judge(item, events, policy, now):
    return evaluate(item, events, policy, CALENDAR, now)


@PROPERTY
@given(history=histories(), t1=minutes, gap=minutes)
def test_a_met_duty_never_turns_overdue_later(history, t1, gap):
    item, events, policy = history
    first = item.occurred + timedelta(minutes=t1)
    later = first + timedelta(minutes=gap)
    before = {d.key: d for d in judge(item, events, policy, first).duties}
    after = {d.key: d for d in judge(item, events, policy, later).duties}
    for key, duty in before.items():
        if duty.state in ("met", "late"):  # nor is it waived or dropped by a later event
            assert (after[key].state, after[key].met_at) == (duty.state, duty.met_at), key


@PROPERTY
@given(history=histories(), gap1=minutes, gap2=minutes)
def test_a_deadline_never_moves_when_only_now_moves(history, gap1, gap2):
    item, events, policy = history
    last = max(e.happened_at for e in events)  # every event already happened at both moments
    one = judge(item, events, policy, last + timedelta(minutes=gap1))
    two = judge(item, events, policy, last + timedelta(minutes=gap1 + gap2))
    assert [(d.key, d.deadline) for d in one.duties] == [(d.key, d.deadline) for d in two.duties]
    for a, b in zip(one.duties, two.duties, strict=True):
        if a.state in ORDER and b.state in ORDER:  # a running clock only moves forward
            assert ORDER[a.state] <= ORDER[b.state]


@PROPERTY
@given(history=histories(), t=minutes)
def test_status_at_t_is_what_the_events_up_to_t_imply(history, t):
    item, events, policy = history
    moment = item.occurred + timedelta(minutes=t)
    known = [e for e in events if e.happened_at <= moment]
    assert judge(item, events, policy, moment) == judge(item, known, policy, moment)


@PROPERTY
@given(history=histories(), t=minutes)
def test_every_state_agrees_with_its_deadline(history, t):
    item, events, policy = history
    moment = item.occurred + timedelta(minutes=t)
    status = judge(item, events, policy, moment)
    # a close stops the clocks from when it took effect: a back-entered one, when it was typed
    close = next((e for e in events if e.type == "close" and e.happened_at <= moment), None)
    stopped = effective_at(close) if close and effective_at(close) <= moment else None
    for d in status.duties:
        if d.state == "met":
            assert d.met_at <= d.deadline and d.met_at <= moment
        elif d.state == "late":
            assert d.deadline < d.met_at <= moment
        elif d.state == "overdue":
            assert d.deadline < (stopped or moment) and d.met_at is None
        elif d.state in ("pending", "due_soon"):
            assert moment <= d.deadline and stopped is None


@PROPERTY
@given(
    history=histories(),
    gap=minutes,
    micro=st.integers(0, 999_999),
    zone=st.sampled_from([SHANGHAI, ZoneInfo("America/New_York")]),  # and a zone with DST
)
def test_the_clocks_projection_is_what_the_engine_says_after_the_last_event(
    history, gap, micro, zone
):
    item, events, policy = history
    last = max(max(e.happened_at, e.recorded_at) for e in events)  # everything recorded by then
    moment = (last + timedelta(minutes=gap, microseconds=micro)).astimezone(zone)
    status = evaluate(item, events, policy, CALENDAR, moment, tz=zone)
    level, running = running_clocks(item, events, policy, CALENDAR, zone)
    assert level == status.level
    if status.closed_at is not None:  # closed: off the open boards, nothing kept
        assert running == ()
        return
    assert [(d.key, d.deadline, d.calendar_fallback) for d in running] == [
        (d.key, d.deadline, d.calendar_fallback) for d in status.duties if d.state in OPEN_STATES
    ]
    # who must be told, as the brief board derives it
    derived = [n.who for n in standing_notices(policy, item.kind, level, item.category)]
    for d in running:
        derived += escalation_reached(policy, d.key, d.deadline, moment)
    assert sorted(derived) == sorted(n.who for n in status.notify)


BREACHES = ("overdue", "late")


@PROPERTY
@given(history=histories(), t=minutes, gap=minutes)
def test_a_breach_stays_a_breach_as_time_passes(history, t, gap):
    item, events, policy = history
    moment = item.occurred + timedelta(minutes=t)
    before = {d.key: d.state for d in judge(item, events, policy, moment).duties}
    after = {
        d.key: d.state for d in judge(item, events, policy, moment + timedelta(minutes=gap)).duties
    }
    for key, state in before.items():
        if state in BREACHES:
            assert after[key] in BREACHES, (key, state, after[key])


@PROPERTY
@given(history=histories(), t=minutes, gap=minutes, data=st.data())
def test_no_later_event_turns_a_breach_into_met_or_waived(history, t, gap, data):
    item, events, policy = history
    moment = item.occurred + timedelta(minutes=t)
    if any(e.type == "close" and e.happened_at <= moment for e in events):
        return  # nothing follows a close
    known = [e for e in events if e.happened_at <= moment and e.recorded_at <= moment]
    before = {d.key: d.state for d in judge(item, known, policy, moment).duties}
    added = [
        later_event(data.draw, item, policy, moment, 100 + n)
        for n in range(data.draw(st.integers(1, 3)))
    ]
    last = max(e.happened_at for e in added)
    after = {
        d.key: d.state
        for d in judge(item, known + added, policy, last + timedelta(minutes=gap)).duties
    }
    for key, state in before.items():
        if state in BREACHES:
            assert after[key] in BREACHES, (key, state, after[key], added)


def test_a_close_before_the_deadline_waives_it_though_a_later_typed_downgrade_falls_after():
    """Found by test_every_state_agrees_with_its_deadline: an ungraded Jiangxi emergency owes
    publish by 03-02 00:00 (UTC); it is closed at 15:01, before that, and a downgrade stated at
    15:01 is typed in at 00:01 the next day (补录: in effect from then, after the deadline). The
    close stopped the clock first: waived, not overdue."""
    policy = POLICIES["jiangxi"]
    item = Item(
        id="20260301-001", year=2026, issue_no=1, title="t", kind="emergency", level=None,
        policy=policy.name, policy_hash=policy.hash, occurred=BASE, received=BASE, filed=BASE,
    )  # fmt: skip
    at = BASE + timedelta(hours=15, minutes=1)
    events = [
        Event(1, "u1", item.id, "file", BASE, BASE, None, {}),
        Event(
            2,
            "u2",
            item.id,
            "level",
            at,
            BASE + timedelta(hours=24, minutes=1),
            None,
            {"to": "general", "reason": "r"},
        ),
        Event(3, "u3", item.id, "close", at, at, None, {"outcome": "did-not-occur"}),
    ]
    status = judge(item, events, policy, BASE + timedelta(days=1, minutes=1))
    publish = next(d for d in status.duties if d.key == "publish")
    assert publish.deadline > at and publish.state == "waived", publish
