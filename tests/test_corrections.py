"""The officer's acts on a record (issue 13 items 1-2): `correct` (更正), `close --outcome void`
(作废) and `reopen` (重新打开), end to end through the command line, and the engine's rule for
them as properties: a correction made before any deadline passed gives the clocks of an item
filed right from the start; a correction made after a breach never removes it.

Clocks worked out by hand from the documents (Shandong, the `office` fixture's policy):
鲁政办发〔2018〕18号 三: 特别重大、重大 — 发布权威信息 5 h and 新闻发布会 24 h after 事发;
较大、一般 — 回应 48 h after 事发.
"""

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import dump_log, file_item, iso
from tests.export_helpers import read_export, rechain, write_export
from tests.test_engine_properties import histories, later_event
from tests.test_import import real_clock
from yaoqing_cli.clock import to_utc_text
from yaoqing_cli.engine import BREACHES, evaluate
from yaoqing_cli.models import Event, Item, corrected
from yaoqing_cli.policy import load_policy
from yaoqing_cli.workdays import WorkCalendar


def duties(show_json: dict) -> dict:
    return {d["key"]: d for d in show_json["duties"]}


def show(run, item_id: str, at: str) -> dict:
    result = run("show", item_id, "--json", "--at", at, now=iso(at))
    assert result.code == 0, result
    return result.json


def test_a_correction_of_the_time_of_the_event_moves_its_clocks_and_is_shown(office):
    item = file_item(office, "--level=重大")["id"]  # 事发 08:00, 首报 09:00
    # 10:00: the county says it happened at 07:00, not 08:00. Before: publish 13:00, press
    # 11-23 08:00 (5 h / 24 h after 事发, 鲁政办发〔2018〕18号 三); after: 12:00 and 11-23 07:00.
    done = office(
        "correct", item, "--occurred", "2026-11-22 07:00", "--received", "2026-11-22 07:30",
        "--reason", "县应急局核实事发为7时", "--json", now=iso("2026-11-22 10:00"),
    )  # fmt: skip
    assert done.code == 0, done
    moved = {m["duty"]: m for m in done.json["moved"]}
    assert moved["publish"]["old_deadline"] == iso("2026-11-22 13:00")
    assert moved["publish"]["new_deadline"] == iso("2026-11-22 12:00")
    assert moved["press"]["new_deadline"] == iso("2026-11-23 07:00")
    assert not moved["publish"]["held"]
    data = done.json["events"][0]["data"]
    assert data["from"]["occurred"] == "2026-11-22T00:00:00Z"
    assert data["to"]["occurred"] == "2026-11-21T23:00:00Z"

    shown = show(office, item, "2026-11-22 11:00")
    assert shown["occurred"] == iso("2026-11-22 07:00")  # the item shows the corrected value
    assert shown["received"] == iso("2026-11-22 07:30")
    publish = duties(shown)["publish"]
    assert publish["deadline"] == iso("2026-11-22 12:00")
    assert publish["state"] == "due_soon"
    change = publish["changes"][-1]
    assert change["old_deadline"] == iso("2026-11-22 13:00")
    assert change["new_deadline"] == iso("2026-11-22 12:00")
    assert change["reason"].startswith("更正事发时间、接报时间")
    assert [e["type"] for e in shown["events"]] == ["file", "correct"]
    assert shown["events"][1]["officer"] == "张值班"
    text = office("show", item, now=iso("2026-11-22 11:00")).out
    assert "更正  事发时间 2026-11-22 08:00 → 2026-11-22 07:00" in text  # original and correction
    assert "县应急局核实事发为7时" in text and "值班员 张值班" in text
    # before the correction was recorded, the item was judged as it then stood
    assert duties(show(office, item, "2026-11-22 09:30"))["publish"]["deadline"] == iso(
        "2026-11-22 13:00"
    )
    assert office("verify").code == 0
    # the heading, its 第N期 number, never changes
    assert shown["heading"].endswith("2026年第1期")


def test_a_breach_already_shown_stays_a_breach_with_its_explanation(office):
    item = file_item(office, "--level=重大")["id"]  # publish due 13:00 (08:00 + 5 h)
    assert duties(show(office, item, "2026-11-22 13:10"))["publish"]["state"] == "overdue"
    # 13:10, after the deadline passed unmet: "it happened at 09:00" would move it to 14:00
    done = office(
        "correct", item, "--occurred", "2026-11-22 09:00", "--reason", "事发时间记错",
        now=iso("2026-11-22 13:10"),
    )  # fmt: skip
    assert done.code == 0, done
    assert "更正前已逾期，逾期保留" in done.out
    office("continue", item, "--done", "publish", "--text", "已发布", now=iso("2026-11-22 13:30"))
    publish = duties(show(office, item, "2026-11-22 13:40"))["publish"]
    assert publish["state"] == "late"  # met at 13:30: before 14:00, but 13:00 had passed
    assert publish["deadline"] == iso("2026-11-22 13:00")
    assert publish["held"]["old_deadline"] == iso("2026-11-22 13:00")
    assert publish["held"]["new_deadline"] == iso("2026-11-22 14:00")
    text = office("show", item, now=iso("2026-11-22 13:40")).out
    assert "更正前已逾期：原时限 11月22日 13:00，更正后时限 11月22日 14:00" in text
    report = office(
        "report", "--date", "2026-11-22", "--format", "json", now=iso("2026-11-23 01:00")
    )
    assert report.code == 0, report
    (entry,) = report.json["corrections"]
    moved = {m["duty"]: m for m in entry["moved"]}
    assert moved["publish"]["held"] is True
    assert moved["press"]["held"] is False  # 24 h: not yet due, simply moved
    assert moved["press"]["new_deadline"] == iso("2026-11-23 09:00")
    (unit,) = report.json["units"]
    assert unit["late"] == 1  # the breach stays in the figures
    text = office("report", "--date", "2026-11-22", now=iso("2026-11-23 01:00")).out
    assert "更正（1）" in text and "逾期保留" in text
    table = office("report", "--date", "2026-11-22", "--format", "csv", now=iso("2026-11-23 01:00"))
    rows = [line for line in table.out.splitlines() if line.startswith("更正,")]
    assert len(rows) == 2  # one row per deadline moved
    assert "原时限 2026-11-22 13:00；更正前已逾期，逾期保留" in rows[0]
    assert office("verify").code == 0


def test_a_breach_kept_is_found_by_the_handover_view(office):
    item = file_item(office, "--level=重大")["id"]
    office(
        "correct", item, "--occurred", "2026-11-22 09:00", "--reason", "记错",
        now=iso("2026-11-22 13:10"),
    )  # fmt: skip
    # 13:20: the corrected deadline (14:00) is ahead, the breach at 13:00 stays overdue
    overdue = office("status", "--overdue", "--json", now=iso("2026-11-22 13:20"))
    assert overdue.code == 0, overdue
    assert [e["id"] for e in overdue.json] == [item]
    brief = office("status", "--overdue", "--brief", now=iso("2026-11-22 13:20"))
    assert item in brief.out and "发布权威信息" in brief.out


def test_a_correction_must_change_something_and_obey_the_rules_of_file(office, db_path):
    item = file_item(office, "--level=重大", "--unit=某县")["id"]
    before = dump_log(db_path)
    for args, words in [
        (("--unit", "某县", "--reason", "核对"), "没有改变"),
        (("--occurred", "2026-11-22 08:00", "--reason", "核对"), "没有改变"),
        (("--occurred", "2026-11-22 07:00"), "须说明理由"),
        (("--occurred", "2026-11-22 09:30", "--reason", "x"), "早于事发时间 2026-11-22 09:30"),
        (("--received", "2026-11-22 09:30", "--reason", "x"), "晚于首报时间"),
        (("--occurred", "2026-11-22 13:00", "--reason", "x"), "未来"),
        (("--kind", "message", "--reason", "x"), "网民留言须注明类别"),
        (("--class", "praise", "--reason", "x"), "只用于网民留言"),
        (("--kind", "火灾", "--reason", "x"), "无法识别的类型"),
        (("--title", "  ", "--reason", "x"), "标题不能为空"),
        (("--title", "滑\u202e坡", "--reason", "x"), "U+202E"),
        (("--occurred", "1999-11-22 07:00", "--reason", "x"), "2000"),
    ]:
        result = office("correct", item, *args, now=iso("2026-11-22 10:00"))
        assert result.code == 2, (args, result)
        assert words in result.err, (args, result)
    assert office("correct", "20261122-099", "--unit", "x", "--reason", "y").code == 1
    assert dump_log(db_path) == before


def test_a_kind_change_on_a_closed_item_makes_no_breach_from_before_it(office):
    # a warning carries no clock; closed at 20:00; at 21:00 it proves to have been an emergency
    item = file_item(office, "--level=重大", "--kind=预警")["id"]
    office("close", item, "--text", "解除", now=iso("2026-11-22 20:00"))
    done = office(
        "correct", item, "--kind", "突发事件", "--reason", "类型录错", now=iso("2026-11-22 21:00")
    )
    assert done.code == 0, done
    clocks = duties(show(office, item, "2026-11-23 12:00"))
    # publish (13:00) fell due before the close: as an emergency it would be overdue, but the
    # correction was recorded after the close: not made a breach retroactively (README, 更正)
    assert clocks["publish"]["state"] == "waived"
    assert clocks["publish"]["spared"]["new_deadline"] == iso("2026-11-22 13:00")
    # press (11-23 08:00) was still running at the close: the close waived it
    assert clocks["press"]["state"] == "waived"
    assert "不追溯为逾期" in office("show", item, now=iso("2026-11-23 12:00")).out
    assert office("verify").code == 0


def test_a_sensitive_correction_conceals_what_it_corrects(office):
    item = file_item(office, "--level=一般", "--location=某村")["id"]
    done = office(
        "correct", item, "--sensitive", "--location", "某军事管理区", "--reason", "涉密",
        now=iso("2026-11-22 10:00"),
    )  # fmt: skip
    assert done.code == 0, done
    assert "某军事管理区" not in done.out
    shown = office("show", item, now=iso("2026-11-22 10:00"))
    assert "某军事管理区" not in shown.out and "某村" not in shown.out
    assert "某军事管理区" in office("show", item, "--include-sensitive").out
    assert office("verify").code == 0


def test_void_keeps_the_number_owes_nothing_and_counts_in_no_figure(office):
    # 一般: respond due 11-24 08:00 (48 h after 事发 08:00)
    mistake = file_item(office, "--level=一般", "--unit=某县")["id"]
    assert office("close", mistake, "--outcome", "void", now=iso("2026-11-22 10:00")).code == 2
    voided = office(
        "close", mistake, "--outcome", "作废", "--reason", "重复录入，应为 20261122-002",
        now=iso("2026-11-22 10:00"),
    )  # fmt: skip
    assert voided.code == 0, voided
    assert "作废" in voided.out
    again = file_item(office, "--level=一般", "--unit=某县", title="另一事件")
    assert again["issue_no"] == 2  # the voided number stays used
    shown = show(office, mistake, "2026-11-24 12:00")
    assert shown["outcome"] == "void"
    assert duties(shown)["respond"]["state"] == "waived"
    assert "作废（误录，编号保留，不计时效）：重复录入" in office("show", mistake).out
    report = office(
        "report", "--date", "2026-11-22", "--format", "json", now=iso("2026-11-23 01:00")
    )
    assert [c["outcome"] for c in report.json["closed"]] == ["void"]
    assert report.json["closed"][0]["reason"].startswith("重复录入")
    (unit,) = report.json["units"]
    assert unit["items"] == 1  # only the other item: the void one is in no figure
    text = office("report", "--date", "2026-11-22", now=iso("2026-11-23 01:00")).out
    assert "作废（误录，编号保留，不计时效）（理由：重复录入" in text


def test_a_breach_shown_before_a_void_stays_in_the_figures(office):
    item = file_item(office, "--level=重大", "--unit=某县")["id"]  # publish due 13:00
    office("close", item, "--outcome", "void", "--reason", "误录", now=iso("2026-11-22 14:00"))
    clocks = duties(show(office, item, "2026-11-22 15:00"))
    assert clocks["publish"]["state"] == "overdue"  # 13:00 passed unmet before the void
    assert clocks["press"]["state"] == "waived"
    report = office(
        "report", "--date", "2026-11-22", "--format", "json", now=iso("2026-11-23 01:00")
    )
    (unit,) = report.json["units"]
    assert (unit["items"], unit["due"], unit["overdue"]) == (1, 1, 1)


def test_reopen_runs_the_clocks_again_but_not_those_due_while_closed(office, db_path):
    item = file_item(office, "--level=重大")["id"]  # publish 13:00, press 11-23 08:00
    assert office("reopen", item, "--reason", "x", now=iso("2026-11-22 10:00")).code == 1
    office("close", item, "--text", "处置完毕", now=iso("2026-11-22 10:00"))
    assert office("reopen", item, now=iso("2026-11-22 14:00")).code == 2  # no reason
    done = office("reopen", item, "--reason", "终报编号填错", now=iso("2026-11-22 14:00"))
    assert done.code == 0, done
    clocks = duties(show(office, item, "2026-11-23 09:00"))
    # publish fell due at 13:00 while the item stood closed: it was not owed then
    assert clocks["publish"]["state"] == "waived"
    # press (11-23 08:00) falls due after the reopening: it runs again, and is now overdue
    assert clocks["press"]["state"] == "overdue"
    shown = show(office, item, "2026-11-23 09:00")
    assert shown["closed"] is None and shown["reopened"] is True
    assert [e["type"] for e in shown["events"]] == ["file", "close", "reopen"]
    # open again: follow-ups and a new close are accepted; status lists it
    listed = office("status", "--json", now=iso("2026-11-22 15:00"))
    assert item in [e["id"] for e in listed.json]
    assert office("continue", item, "--done", "press", now=iso("2026-11-22 15:00")).code == 0
    assert office("close", item, now=iso("2026-11-22 16:00")).code == 0
    final = duties(show(office, item, "2026-11-23 09:00"))
    assert final["press"]["state"] == "met" and final["publish"]["state"] == "waived"
    report = office(
        "report", "--date", "2026-11-22", "--format", "json", now=iso("2026-11-23 01:00")
    )
    assert [r["reason"] for r in report.json["reopened"]] == ["终报编号填错"]
    assert office("verify").code == 0


def test_export_and_import_carry_corrections_voids_and_reopenings(office, tmp_path):
    a = file_item(office, "--level=重大")["id"]
    b = file_item(office, "--level=一般", title="误录")["id"]
    office(
        "correct",
        a,
        "--occurred",
        "2026-11-22 09:00",
        "--reason",
        "记错",
        now=iso("2026-11-22 13:10"),
    )
    office("close", b, "--outcome", "void", "--reason", "误录", now=iso("2026-11-22 13:20"))
    office("close", a, now=iso("2026-11-22 13:30"))
    office("reopen", a, "--reason", "未办完", now=iso("2026-11-22 13:40"))
    exported = office("export", "-o", str(tmp_path / "out.jsonl"), now=iso("2026-11-22 14:00"))
    assert exported.code == 0, exported
    copy = str(tmp_path / "copy.db")
    taken = real_clock(office, "--db", copy, "import", str(tmp_path / "out.jsonl"))
    assert taken.code == 0, taken
    for item in (a, b):
        here = show(office, item, "2026-11-23 12:00")
        there = office("--db", copy, "show", item, "--json", now=iso("2026-11-23 12:00"))
        assert there.code == 0, there
        assert {k: v for k, v in there.json.items() if k != "events"} == {
            k: v for k, v in here.items() if k != "events"
        }
    assert office("--db", copy, "verify").code == 0
    # importing twice adds nothing
    again = real_clock(office, "--db", copy, "import", str(tmp_path / "out.jsonl"))
    assert again.code == 0, again


def test_an_import_takes_a_correction_only_as_correct_would_make_it(office, tmp_path):
    a = file_item(office, "--level=重大")["id"]
    office("correct", a, "--title", "新标题", "--reason", "错字", now=iso("2026-11-22 10:00"))
    path = tmp_path / "out.jsonl"
    assert office("export", "-o", str(path), now=iso("2026-11-22 11:00")).code == 0
    records = read_export(path)
    (correction,) = [r for r in records if r.get("type") == "correct"]
    for edit, words in [
        (lambda d: d["from"].update(title="别的标题"), "更正前的标题与本日志中的记录不符"),
        (lambda d: d["to"].update(title="某县国道山体滑坡"), "标题没有变化"),
        (lambda d: d.update(reason=""), "更正理由不能为空"),
        (lambda d: (d["from"].update(level="major"), d["to"].update(level="general")), "不可更正"),
        (
            lambda d: (d["from"].update(kind="emergency"), d["to"].update(kind="message")),
            "网民留言须注明类别",
        ),
        (
            lambda d: (
                d["from"].update(occurred="2026-11-22T00:00:00Z"),
                d["to"].update(occurred="2026-11-22T02:00:00Z"),
            ),
            "早于事发时间 2026-11-22 10:00",  # in the office's time, as `correct` says it
        ),
    ]:
        forged = [dict(r) for r in records]
        changed = dict(
            correction,
            data={
                **correction["data"],
                "from": dict(correction["data"]["from"]),
                "to": dict(correction["data"]["to"]),
            },
        )
        edit(changed["data"])
        forged[records.index(correction)] = changed
        file = write_export(tmp_path / "forged.jsonl", rechain(forged))
        result = real_clock(office, "--db", str(tmp_path / "c.db"), "import", str(file))
        assert result.code == 1, result
        assert words in result.err, (words, result)


# --- the engine's rule, as properties ---------------------------------------------------------

POLICY = load_policy("shandong")
CALENDAR = WorkCalendar()
BASE = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LEVELS = ("especially-major", "major", "large", "general")


def _item(kind: str, level: str | None, occurred: datetime, received: datetime) -> Item:
    return Item(
        id="20260302-001", year=2026, issue_no=1, title="t", kind=kind, level=level,
        policy=POLICY.name, policy_hash=POLICY.hash, occurred=occurred, received=received,
        filed=BASE,
    )  # fmt: skip


def _event(seq: int, type_: str, at: datetime, data: dict) -> Event:
    return Event(seq, f"u{seq}", "20260302-001", type_, at, at, None, data)


@st.composite
def corrections(draw):
    """An item filed at BASE, and corrections of its anchors and kind, each (minutes after
    BASE, new values)."""
    kind = draw(st.sampled_from(["emergency", "opinion", "warning"]))
    level = draw(st.sampled_from(LEVELS))
    occurred = BASE - timedelta(minutes=draw(st.integers(0, 120)))
    received = occurred + (BASE - occurred) * draw(st.floats(0, 1))
    item = _item(kind, level, occurred, received)
    steps = []
    for _ in range(draw(st.integers(1, 4))):
        after = draw(st.integers(1, 120))  # all before the first deadline (5 h after 事发)
        new_occurred = BASE - timedelta(minutes=draw(st.integers(0, 120)))
        new_kind = draw(st.sampled_from(["emergency", "opinion", "warning"]))
        steps.append((after, new_occurred, new_kind))
    return item, sorted(steps)


def _history(item: Item, steps) -> tuple[Item, list[Event]]:
    """The item after the corrections, and its events (file first)."""
    events = [_event(1, "file", BASE, {})]
    current = item
    for n, (after, occurred, kind) in enumerate(steps, start=2):
        to = {"occurred": to_utc_text(occurred), "received": to_utc_text(occurred), "kind": kind}
        before = {
            "occurred": to_utc_text(current.occurred),
            "received": to_utc_text(current.received),
            "kind": current.kind,
        }
        events.append(
            _event(
                n,
                "correct",
                BASE + timedelta(minutes=after),
                {"reason": "r", "from": before, "to": to},
            )
        )
        current = corrected(current, to)
    return current, events


def _clocks(status) -> dict:
    return {d.key: (d.deadline, d.state, d.met_at) for d in status.duties}


@PROPERTY
@given(corrections(), st.integers(0, 60 * 24 * 4))
def test_corrections_before_any_deadline_give_the_clocks_of_an_item_filed_so(case, later):
    item, steps = case
    final, events = _history(item, steps)
    last = BASE + timedelta(minutes=steps[-1][0])
    versions = [item]
    for e in events[1:]:
        versions.append(corrected(versions[-1], e.data["to"]))
    first_deadline = min(
        (
            d.deadline
            for v in versions
            for d in evaluate(v, events[:1], POLICY, CALENDAR, BASE).duties
        ),
        default=None,
    )
    assert first_deadline is None or first_deadline > last  # every correction before any deadline
    now = last + timedelta(minutes=later)
    as_corrected = evaluate(final, events, POLICY, CALENDAR, now)
    filed_so = evaluate(final, events[:1], POLICY, CALENDAR, now)
    assert _clocks(as_corrected) == _clocks(filed_so)
    # and every deadline a correction moved is listed, with what it moved from and to
    for m in as_corrected.moved:
        assert m.change.old_deadline != m.change.new_deadline
        assert not m.held


@PROPERTY
@given(corrections(), st.integers(0, 60 * 24 * 4), st.booleans())
def test_a_correction_after_a_breach_never_turns_it_into_met_or_waived(case, later, met):
    item, steps = case
    # record every correction late: after all of the original item's deadlines
    original = evaluate(item, [_event(1, "file", BASE, {})], POLICY, CALENDAR, BASE)
    if not original.duties:
        return
    latest = max(d.deadline for d in original.duties)
    shift = latest - BASE + timedelta(minutes=1)
    steps = [(after + int(shift.total_seconds() // 60), o, k) for after, o, k in steps]
    final, events = _history(item, steps)
    if met:  # every clock met by a follow-up after the breach, before the corrections
        done = [d.key for d in original.duties]
        events.insert(
            1, _event(99, "continue", latest + timedelta(seconds=30), {"n": 1, "done": done})
        )
    breached_at = latest + timedelta(seconds=59)
    shown = {
        d.key: d.state
        for d in evaluate(
            item, events[:2] if met else events[:1], POLICY, CALENDAR, breached_at
        ).duties
    }
    now = BASE + timedelta(minutes=steps[-1][0] + later)
    status = evaluate(final, events, POLICY, CALENDAR, now)
    judged = {d.key: d for d in status.duties}
    for key, state in shown.items():
        if state in BREACHES:
            assert key in judged, key
            assert judged[key].state in BREACHES, (key, judged[key])
    # every moved deadline is listed, and each breach it would have removed is marked held
    from yaoqing_cli.report import build_report, day_period

    period = day_period((BASE + timedelta(minutes=steps[0][0])).date(), CALENDAR_TZ)
    report = build_report(
        _office(), period, now, CALENDAR, CALENDAR_TZ, [final], {final.id: events},
        {final.id: POLICY}, {final.id: "h"},
    )  # fmt: skip
    listed = [m for _, _, moved in report.corrections for m in moved]
    inside = evaluate(
        final, events, POLICY, CALENDAR, min(period.until - timedelta(seconds=1), now)
    )
    expected = [m for m in inside.moved if period.since <= m.change.at < period.until]
    assert listed == expected


def _office():
    from yaoqing_cli.models import Office

    return Office("测试值班室", "测试", "shandong", "Asia/Shanghai", None, True)


from zoneinfo import ZoneInfo  # noqa: E402

CALENDAR_TZ = ZoneInfo("Asia/Shanghai")


def test_the_items_table_still_refuses_a_change_of_number_or_first_report(office, db_path):
    import sqlite3

    import pytest

    item = file_item(office, "--level=重大")["id"]
    db = sqlite3.connect(db_path)
    try:
        for column, value in (
            ("issue_no", 9),
            ("filed", "2026-11-22T00:00:00Z"),
            ("level", "general"),
        ):
            with pytest.raises(sqlite3.IntegrityError, match="changes only by a correction"):
                db.execute(f"UPDATE items SET {column} = ? WHERE id = ?", (value, item))
        with pytest.raises(sqlite3.IntegrityError, match="changes only by a correction"):
            db.execute("UPDATE items SET title = '改过' WHERE id = ?", (item,))  # none recorded
        db.execute("DROP TRIGGER items_fixed_columns")  # behind the tool's back
        db.execute("UPDATE items SET title = '改过' WHERE id = ?", (item,))
        db.commit()
    finally:
        db.close()
    checked = office("verify")
    assert checked.code == 1 and "title" in checked.out, checked


def test_a_corrected_unit_stands_over_an_earlier_follow_up_statement(office):
    item = file_item(office, "--level=一般", "--unit=甲县")["id"]
    office("continue", item, "--unit", "乙县", "--text", "补报单位", now=iso("2026-11-22 10:00"))
    done = office(
        "correct", item, "--unit", "丙县", "--reason", "单位录错", now=iso("2026-11-22 11:00")
    )
    assert done.code == 0, done
    shown = show(office, item, "2026-11-22 11:30")
    assert shown["unit"] == "丙县"
    report = office(
        "report", "--date", "2026-11-22", "--format", "json", now=iso("2026-11-23 01:00")
    )
    assert [u["unit"] for u in report.json["units"]] == ["丙县"]


def test_search_finds_the_corrected_title_and_verify_agrees(office):
    item = file_item(office, "--level=一般", title="某县山体滑坡")["id"]
    office(
        "correct",
        item,
        "--title",
        "某县泥石流",
        "--reason",
        "灾种录错",
        now=iso("2026-11-22 10:00"),
    )
    found = office("search", "泥石流", "--json", now=iso("2026-11-22 10:00"))
    assert found.code == 0, found
    assert [hit["id"] for hit in found.json["items"]] == [item]
    assert found.json["items"][0]["title"] == "某县泥石流"
    assert office("verify").code == 0


def test_a_policy_correction_judges_the_item_under_the_new_policy(office):
    # an opinion about a major emergency, filed under Shandong by mistake: the office is in
    # Yunnan. 云政办发〔2016〕106号 五: 重大政务舆情 reported within 1 h of 事发 (met by the
    # first report at 09:00, exactly on time); 六: press conference within 24 h (11-23 08:00).
    # Shandong's 5 h publish clock (鲁政办发〔2018〕18号 三) no longer applies.
    item = file_item(office, "--kind=舆情", "--level=重大", "--about-level=重大")["id"]
    done = office(
        "correct", item, "--policy", "云南", "--reason", "政策选错", "--json",
        now=iso("2026-11-22 10:00"),
    )  # fmt: skip
    assert done.code == 0, done
    moved = {m["duty"]: m for m in done.json["moved"]}
    assert moved["publish"]["new_deadline"] is None
    assert moved["report"]["old_deadline"] is None
    assert moved["report"]["new_deadline"] == iso("2026-11-22 09:00")
    shown = show(office, item, "2026-11-22 10:30")
    assert shown["policy"] == "yunnan"
    clocks = duties(shown)
    assert clocks["report"]["state"] == "met"
    assert clocks["press"]["deadline"] == iso("2026-11-23 08:00")
    assert "publish" not in clocks
    # before the correction, it was judged under Shandong, as it then stood
    assert "publish" in duties(show(office, item, "2026-11-22 09:30"))
    assert office("verify").code == 0


@PROPERTY
@given(st.data())
def test_a_reopening_never_turns_a_breach_into_met_or_waived(data):
    """Any history that ends in a close, reopened later (and maybe followed up and closed
    again): every clock overdue or late at the reopening stays so at every later moment."""
    item, events, policy = data.draw(histories())
    if events[-1].type != "close":
        return
    close = events[-1]
    gap = timedelta(minutes=data.draw(st.integers(0, 60 * 24 * 30)))
    reopened_at = max(close.happened_at, close.recorded_at) + gap
    reopen = Event(90, "u90", item.id, "reopen", reopened_at, reopened_at, None, {"reason": "r"})
    after = [*events, reopen]
    if data.draw(st.booleans()):
        after.append(later_event(data.draw, item, policy, reopened_at, 91))
    shown = evaluate(item, events, policy, CALENDAR, reopened_at)
    later = reopened_at + timedelta(minutes=data.draw(st.integers(0, 60 * 24 * 60)))
    judged = {d.key: d for d in evaluate(item, after, policy, CALENDAR, later).duties}
    for duty in shown.duties:
        if duty.state in BREACHES:
            assert judged[duty.key].state in BREACHES, (duty, judged[duty.key])


POLICIES = {p.hash: p for p in map(load_policy, ("shandong", "yunnan", "jiangxi", "inner-mongolia", "national"))}  # fmt: skip


@PROPERTY
@given(st.data())
def test_policy_corrections_before_any_deadline_give_the_clocks_of_an_item_filed_so(data):
    """As above, with the policy corrected too (each version judged under its own policy):
    every clock of the shipped policies is 1 h or more after 事发 or 首报, and every
    correction here is recorded within 25 minutes of a first report made within 25 minutes
    of the event."""
    draw = data.draw
    policies = sorted(POLICIES.values(), key=lambda p: p.name)
    first = draw(st.sampled_from(policies))
    kind = draw(st.sampled_from(["emergency", "opinion", "warning", "message"]))
    occurred = BASE - timedelta(minutes=draw(st.integers(0, 25)))
    item = Item(
        id="20260302-001", year=2026, issue_no=1, title="t", kind=kind,
        level=draw(st.sampled_from(LEVELS)), policy=first.name, policy_hash=first.hash,
        occurred=occurred, received=occurred, filed=BASE,
        message_class="appeal" if kind == "message" else None,
    )  # fmt: skip
    events = [_event(1, "file", BASE, {})]
    current = item
    for n in range(2, 2 + draw(st.integers(1, 3))):
        policy = draw(st.sampled_from(policies))
        to = {"policy": policy.name, "policy_hash": policy.hash}
        if draw(st.booleans()):
            moved = BASE - timedelta(minutes=draw(st.integers(0, 25)))
            to |= {"occurred": to_utc_text(moved), "received": to_utc_text(moved)}
        to = {k: v for k, v in to.items() if getattr(current, k, None) != v or k == "policy"}
        before = {
            k: (
                to_utc_text(getattr(current, k))
                if k in ("occurred", "received")
                else getattr(current, k)
            )
            for k in to
        }
        at = BASE + timedelta(minutes=draw(st.integers(1, 25)))
        at = max(at, events[-1].happened_at)
        events.append(_event(n, "correct", at, {"reason": "r", "from": before, "to": to}))
        current = corrected(current, to)
    final_policy = POLICIES[current.policy_hash]
    now = events[-1].happened_at + timedelta(minutes=draw(st.integers(0, 60 * 24 * 30)))
    as_corrected = evaluate(
        current, events, final_policy, CALENDAR, now, resolve=POLICIES.__getitem__
    )
    filed_so = evaluate(current, events[:1], final_policy, CALENDAR, now)
    assert _clocks(as_corrected) == _clocks(filed_so)
    assert not any(m.held or m.spared for m in as_corrected.moved)


def test_a_correction_cannot_make_a_graded_message_or_a_non_warning_that_did_not_occur(
    office, db_path
):
    # 云政办发〔2016〕106号 四(三): a message has a class, never a level; 鲁政办字〔2016〕86号 第18条:
    # 预警未发生 closes a warning only. A correction must not reach what file and close refuse.
    graded = file_item(office, "--kind=突发事件", "--level=重大")["id"]
    before = dump_log(db_path)
    to_message = office("correct", graded, "--kind", "网民留言", "--class", "申诉求助",
                        "--reason", "类型录错")  # fmt: skip
    assert to_message.code == 2 and "网民留言不定级别" in to_message.err, to_message
    assert dump_log(db_path) == before
    item = file_item(office, "--kind=突发事件", title="某地大风")["id"]
    assert office("correct", item, "--kind", "预警", "--reason", "类型录错").code == 0
    assert office("close", item, "--outcome", "did-not-occur").code == 0
    before = dump_log(db_path)
    back = office("correct", item, "--kind", "突发事件", "--reason", "又录错")
    assert back.code == 2 and "预警未发生" in back.err and "reopen" in back.err, back
    assert dump_log(db_path) == before


LOOSER = """
name = "looser"
title = "某地（发布以首次续报计）"
extends = "shandong"

[duties.publish]
name = "发布权威信息"
kinds = ["emergency", "opinion"]
levels = ["especially-major", "major"]
anchor = "occurred"
hours = 5
met_by = "first_continue"
opinion_level = "concerned"
source = "测试：与山东同一时限，但以首次续报为完成"
"""


def test_a_policy_correction_with_the_same_deadline_cannot_meet_an_overdue_clock(
    office, tmp_path, monkeypatch
):
    # 重大, 事发 08:00: publish due 13:00 (鲁政办发〔2018〕18号 三). A follow-up at 11:00 does not
    # meet it under Shandong (done); at 13:30 it is overdue. A policy with the same 5 h that
    # counts the first follow-up would make it met at 11:00: the breach stands (held)
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "looser.toml").write_text(LOOSER, "utf-8")
    monkeypatch.setenv("YAOQING_POLICIES", str(folder))
    item = file_item(office, "--level=重大")["id"]
    assert office("continue", item, "--text", "续报", now=iso("2026-11-22 11:00")).code == 0
    assert duties(show(office, item, "2026-11-22 13:30"))["publish"]["state"] == "overdue"
    done = office("correct", item, "--policy", "looser", "--reason", "适用本地政策",
                  now=iso("2026-11-22 13:31"))  # fmt: skip
    assert done.code == 0, done
    assert "更正前已逾期，逾期保留" in done.out and "时限未变" not in done.out, done.out
    # the follow-up meets it only under the corrected policy: as of the correction, late
    publish = duties(show(office, item, "2026-11-22 13:40"))["publish"]
    assert (publish["state"], publish["deadline"], publish["met_at"]) == (
        "late", iso("2026-11-22 13:00"), iso("2026-11-22 13:31"))  # fmt: skip
