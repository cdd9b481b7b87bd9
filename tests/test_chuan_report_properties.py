"""The handling units' grading (承办单位按时办结率) over random histories (hypothesis), judged by
the pure report.build_report: each assignment counts once, in the period its outcome was
decided, so the figures of consecutive periods add up to those of the span they cover (the
months of a half year to the half year): no assignment is counted twice or lost at a boundary,
and a report of a period says the same whenever it is made (judged as of the period's end)."""

from collections import Counter
from datetime import datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yaoqing_cli.models import Event, Item, Office
from yaoqing_cli.policy import load_policy
from yaoqing_cli.report import Period, build_report
from yaoqing_cli.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
OFFICE = Office("云南省人民政府办公厅", "云南省", "yunnan", "Asia/Shanghai", None)
POLICY = load_policy("yunnan")
CALENDAR = WorkCalendar()
MONTHS = [datetime(2026, m, 1, tzinfo=TZ) for m in range(7, 13)] + [datetime(2027, 1, 1, tzinfo=TZ)]
UNITS = ["甲县", "乙县", "丙县"]
PROPERTY = settings(
    max_examples=int(__import__("os").environ.get("YQ_EXAMPLES", 60)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def offices(draw, void: bool = False):
    """Up to four messages filed from July to December 2026, each handed to some units (the
    class's working days, or --due hours), each unit finishing at some moment or never, the
    item perhaps closed (resolved, did-not-occur, or with `void` 作废) and perhaps reopened."""
    items, events = [], {}
    seq = 0
    for n in range(draw(st.integers(1, 4))):
        # late in a month, so that clocks often run across the month's end
        month_end = MONTHS[draw(st.integers(1, 6))]
        filed = month_end - timedelta(minutes=draw(st.integers(1, 60 * 24 * 25)))
        item = Item(
            id=f"x-{n}", year=2026, issue_no=n + 1, title="留言", kind="message", level=None,
            policy=POLICY.name, policy_hash=POLICY.hash, occurred=filed, received=filed,
            filed=filed, message_class=draw(st.sampled_from(["praise", "advice", "appeal"])),
        )  # fmt: skip
        seq += 1
        mine = [Event(seq, f"u{seq}", item.id, "file", filed, filed, None, {})]
        handed = filed + timedelta(minutes=draw(st.integers(0, 60 * 24 * 10)))
        units = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=3, unique=True))
        data = {"units": units, "task": None}
        if draw(st.booleans()):
            data["minutes"] = draw(st.integers(60, 60 * 24 * 20))
        seq += 1
        mine.append(Event(seq, f"u{seq}", item.id, "assign", handed, handed, None, data))
        ends = []
        for unit in units:
            if draw(st.booleans()):
                done = handed + timedelta(minutes=draw(st.integers(1, 60 * 24 * 40)))
                seq += 1
                mine.append(Event(seq, f"u{seq}", item.id, "feedback", done, done, None,
                                  {"from": unit, "text": "办结", "done": True}))  # fmt: skip
                ends.append(done)
        if draw(st.booleans()):
            closed = max([handed, *ends]) + timedelta(minutes=draw(st.integers(0, 60 * 24 * 30)))
            seq += 1
            outcomes = ["resolved", "did-not-occur", *(["void"] if void else [])]
            outcome = draw(st.sampled_from(outcomes))
            mine.append(Event(seq, f"u{seq}", item.id, "close", closed, closed, None,
                              {"outcome": outcome, "text": "办结", "reason": "r"}))  # fmt: skip
            if draw(st.booleans()):  # 重新打开: the close no longer holds from then on
                again = closed + timedelta(minutes=draw(st.integers(1, 60 * 24 * 10)))
                seq += 1
                mine.append(Event(seq, f"u{seq}", item.id, "reopen", again, again, None,
                                  {"reason": "r"}))  # fmt: skip
        mine.sort(key=lambda e: (e.happened_at, e.seq))
        items.append(item)
        events[item.id] = mine
    return items, events


def graded(items, events, since, until, now) -> Counter:
    period = Period(since, until, "p", "range")
    policies = {item.id: POLICY for item in items}
    headings = {item.id: "h" for item in items}
    report = build_report(OFFICE, period, now, CALENDAR, TZ, items, events, policies, headings)
    total = Counter()
    for u in report.handling_units:
        total[u.unit, "due"] += u.due
        total[u.unit, "on_time"] += u.on_time
        total[u.unit, "missed"] += u.late + u.overdue
        assert u.due == u.on_time + u.late + u.overdue
    return total


@PROPERTY
@given(offices())
def test_the_months_add_up_to_the_half_year(office):
    """Not with 作废: a void counts only breaches in the reports judged after it, so a month
    before the void counts a clock met on time that the half year no longer does."""
    items, events = office
    later = datetime(2027, 6, 1, tzinfo=TZ)
    months = Counter()
    for since, until in pairwise(MONTHS):
        months += graded(items, events, since, until, later)
    assert months == graded(items, events, MONTHS[0], MONTHS[-1], later)


@PROPERTY
@given(offices(void=True), st.integers(0, 5))
def test_a_months_grading_is_the_same_whenever_it_is_made(office, month):
    items, events = office
    since, until = MONTHS[month], MONTHS[month + 1]
    made = [until + timedelta(minutes=5), datetime(2027, 6, 1, tzinfo=TZ)]
    assert graded(items, events, since, until, made[0]) == graded(
        items, events, since, until, made[1]
    )
