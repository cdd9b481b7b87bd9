"""The board and the report are pure functions of items, events, policies, a calendar and a
moment: judged here without any log. Deadlines worked out from 鲁政办发〔2018〕18号 三 (the
Shandong policy): for an emergency of 特别重大/重大 grade, 发布权威信息 within 5 hours of the event
and a press conference within 24 hours; for 较大/一般, a response within 48 hours."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from yaoqing_cli.models import Event, Item, Office
from yaoqing_cli.policy import load_policy
from yaoqing_cli.report import build_report, day_period
from yaoqing_cli.status import BRIEF_OVER, judge
from yaoqing_cli.vocab import DutyState, EventType
from yaoqing_cli.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
OFFICE = Office("济南市人民政府办公厅", "济南市", "shandong", "Asia/Shanghai", None)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture(scope="module")
def policy():
    return load_policy("shandong")


def item(n: int, level: str, policy, occurred="2026-11-22 06:00", filed="2026-11-22 07:00"):
    return Item(
        id=f"20261122-{n:03d}", year=2026, issue_no=n, title=f"要情{n}", kind="emergency",
        level=level, policy=policy.name, policy_hash=policy.hash, occurred=local(occurred),
        received=local(filed), filed=local(filed), unit="某县应急局",
    )  # fmt: skip


def filed_event(it: Item, seq: int) -> Event:
    return Event(seq, f"u{seq}", it.id, EventType.FILE, it.filed, it.filed, None, {})


def world(policy, levels):
    items = [item(n, level, policy) for n, level in enumerate(levels, start=1)]
    events = {it.id: [filed_event(it, n)] for n, it in enumerate(items, start=1)}
    policies = {it.id: policy for it in items}
    return items, events, policies


def test_the_handover_board_shows_only_items_with_an_overdue_clock(policy):
    items, events, policies = world(policy, ["major", "general"])
    board = judge(items, events, policies, WorkCalendar(), TZ, local("2026-11-22 12:00"),
                  overdue_only=True)  # fmt: skip
    assert [row.item.id for row in board.rows] == ["20261122-001"]
    assert board.considered == 2
    duties = {d.key: d for d in board.rows[0].status.duties}
    # 发布权威信息: 5 hours from 06:00 -> 11:00, one hour past at 12:00
    assert duties["publish"].state == DutyState.OVERDUE
    assert duties["publish"].deadline == local("2026-11-22 11:00")
    assert duties["press"].state == DutyState.PENDING  # 24 hours: 2026-11-23 06:00


def test_due_within_reaches_a_response_due_in_two_days(policy):
    items, events, policies = world(policy, ["general"])
    at = local("2026-11-22 12:00")  # the 48-hour response falls due 2026-11-24 06:00
    within = judge(items, events, policies, WorkCalendar(), TZ, at, due_within=timedelta(days=2))
    beyond = judge(items, events, policies, WorkCalendar(), TZ, at, due_within=timedelta(days=1))
    assert [row.item.id for row in within.rows] == ["20261122-001"]
    assert beyond.rows == [] and beyond.considered == 1


def test_more_than_brief_over_items_become_one_line_per_clock(policy):
    items, events, policies = world(policy, ["major"] * (BRIEF_OVER + 1))
    board = judge(items, events, policies, WorkCalendar(), TZ, local("2026-11-22 12:00"),
                  overdue_only=True)  # fmt: skip
    assert board.rows == [] and board.items == BRIEF_OVER + 1
    assert {c.duty for c in board.clocks} == {"publish"}
    assert all(c.overdue for c in board.clocks)


def test_the_day_report_counts_the_overdue_clock_and_the_unit(policy):
    items, events, policies = world(policy, ["major", "general"])
    period = day_period(date(2026, 11, 22), TZ)
    headings = {it.id: f"济南市要情专报 2026年第{it.issue_no}期" for it in items}
    report = build_report(OFFICE, period, local("2026-11-23 08:00"), WorkCalendar(), TZ,
                          items, events, policies, headings)  # fmt: skip
    assert report.judged_at == period.until  # the day has ended: judged as of its end
    assert [it.id for it in report.filed] == ["20261122-001", "20261122-002"]
    assert [(r.item.id, r.key) for r in report.overdue] == [("20261122-001", "publish")]
    (unit,) = report.units
    assert (unit.unit, unit.items, unit.overdue) == ("某县应急局", 2, 1)
    assert report.headings["20261122-002"] == "济南市要情专报 2026年第2期"
