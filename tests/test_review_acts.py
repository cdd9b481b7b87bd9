"""Review of issues 13-14 (correct, void, reopen, notify, handover, assign...): defects found by
a hostile tester, each as an end-to-end failing test through the command line.

The office is Jinan under the Shandong policy (conftest `office`): an emergency 重大 owes the
authoritative information 5 h after it occurred (鲁政办发〔2018〕18号 三, 发布权威信息 publish) and
a press conference 24 h after (press); under Inner Mongolia's policy the first follow-up is due
1 h after the first report (呼政办发〔2014〕30号 一, followup).
"""

import json

from conftest import dump_log, file_item
from test_import import real_clock

SECRET = "某化工厂秘密爆炸"
TASK = "秘密核查任务"


def _sensitive_item_assigned(office):
    item = file_item(office, "--level=major", "--sensitive", title=SECRET)
    result = office(
        "assign", item["id"], "--to=某县人民政府", f"--task={TASK}", "--due=2h",
        "--at=2026-11-22 09:30",
    )  # fmt: skip
    assert result.code == 0, result
    return item


def test_a_masked_export_never_carries_the_task_of_a_sensitive_item(office):
    _sensitive_item_assigned(office)
    exported = office("export")
    assert exported.code == 0, exported
    assert SECRET not in exported.out
    assert TASK not in exported.out  # status --json masks it; the export must too
    assigned = [json.loads(line) for line in exported.out.splitlines() if '"type":"assign"' in line]
    assert assigned and assigned[0]["masked"] is True
    # asked for, the content is there
    assert TASK in office("export", "--include-sensitive").out


def _handover_then_made_sensitive(office):
    item = file_item(office, "--level=major", title=SECRET)
    result = office("handover", "--to=李四", now="2026-11-22T10:00:00+08:00")
    assert result.code == 0, result
    result = office(
        "correct", item["id"], "--sensitive", "--reason=定为敏感", now="2026-11-22T10:30:00+08:00"
    )
    assert result.code == 0, result
    return item


def test_a_handover_sheet_hides_the_title_of_an_item_made_sensitive_since(office):
    """Outputs say what the item is now: a sheet frozen before the item was marked sensitive
    must not print its title afterwards."""
    item = _handover_then_made_sensitive(office)
    listed = office("handover", "--list", "--date=2026-11-22")
    assert listed.code == 0, listed
    assert item["id"] in listed.out
    assert SECRET not in listed.out
    sheets = office("handover", "--list", "--date=2026-11-22", "--json").json
    assert sheets[0]["items"][0]["title"] is None
    assert sheets[0]["items"][0]["sensitive"] is True
    shown = office("handover", "--list", "--date=2026-11-22", "--include-sensitive")
    assert SECRET in shown.out


def test_a_masked_export_hides_a_handover_title_of_an_item_made_sensitive(office, tmp_path):
    _handover_then_made_sensitive(office)
    exported = office("export")
    assert exported.code == 0, exported
    assert SECRET not in exported.out
    handover = next(
        json.loads(line) for line in exported.out.splitlines() if '"type":"handover"' in line
    )
    assert handover["masked"] is True
    # such an export still imports (--allow-masked); the masked sheet is checked, not taken
    path = tmp_path / "masked.jsonl"
    path.write_text(exported.out, encoding="utf-8")
    other = tmp_path / "other.db"
    result = real_clock(office, "--db", str(other), "import", str(path), "--allow-masked")
    assert result.code == 0, result
    assert SECRET not in office("--db", str(other), "export", "--include-sensitive").out


def test_a_correction_refused_for_its_order_of_times_names_them_in_local_time(office, db_path):
    item = file_item(office, "--level=major")  # occurred 08:00, filed 09:00
    before = dump_log(db_path)
    result = office("correct", item["id"], "--received=2026-11-22 07:00", "--reason=核实")
    assert result.code == 2, result
    assert "Z" not in result.err and "T" not in result.err, result.err
    assert "2026-11-22 07:00" in result.err and "2026-11-22 08:00" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert dump_log(db_path) == before


def test_undoing_a_policy_correction_on_a_closed_item_invents_no_breach(office):
    """Filed 09:00 under Shandong as 较大 (its response due in 48 h), closed at 12:00. At 15:00 the
    policy is corrected to Inner Mongolia: its first follow-up (due 10:00, 1 h after the first
    report, never made before the 12:00 close) would be a breach from before the correction: spared (终报后更正，不追溯). At 15:10
    the policy is corrected back: a clock shown waived must not turn into a breach then."""
    item = file_item(office, "--level=large")  # 较大: a response within 48 h (回应, respond)
    iid = item["id"]
    assert office("close", iid, "--at=2026-11-22 12:00").code == 0
    first = office(
        "correct", iid, "--policy=inner-mongolia", "--reason=政策选错",
        now="2026-11-22T15:00:00+08:00",
    )  # fmt: skip
    assert first.code == 0, first
    second = office(
        "correct", iid, "--policy=shandong", "--reason=改回", now="2026-11-22T15:10:00+08:00"
    )
    assert second.code == 0, second
    assert "逾期保留" not in second.out, second
    shown = office("show", iid, "--json", now="2026-11-23T12:00:00+08:00").json
    states = {d["key"]: d["state"] for d in shown["duties"]}
    assert "overdue" not in states.values() and "late" not in states.values(), shown["duties"]


def test_a_breach_held_is_not_announced_as_spared_by_a_later_correction(office):
    """Filed 09:00 (occurred 08:00) under Shandong; publish missed at 13:00; closed 14:00. A
    policy correction away (15:00) holds the breach; one back (15:10) must not print that the
    publish clock 不追溯为逾期 while it stays overdue."""
    item = file_item(office, "--level=major")
    iid = item["id"]
    assert office("close", iid, now="2026-11-22T14:00:00+08:00").code == 0
    office("correct", iid, "--policy=inner-mongolia", "--reason=x", now="2026-11-22T15:00:00+08:00")
    back = office(
        "correct", iid, "--policy=shandong", "--reason=y", now="2026-11-22T15:10:00+08:00"
    )
    assert back.code == 0, back
    publish = next(line for line in back.out.splitlines() if "publish" in line)
    assert "不追溯为逾期" not in publish, back.out
    shown = office("show", iid, "--json", now="2026-11-23T12:00:00+08:00").json
    assert {d["key"]: d["state"] for d in shown["duties"]}["publish"] == "overdue"


def test_handover_list_reads_a_full_width_date_as_report_does(office):
    assert office("handover", "--to=李四").code == 0
    assert office("report", "--date=２０２６-１１-２２").code == 0
    listed = office("handover", "--list", "--date=２０２６-１１-２２")
    assert listed.code == 0, listed
    assert "交接班 1 次" in listed.out


CALENDAR = """
[years.2026]
holidays = ["2026-11-24"]
"""


def _assignment_met_late(office, tmp_path):
    """An emergency handed to a county on Monday 2026-11-23 10:00 with 5 working days: due at
    the end of Monday 11-30 (24, 25, 26, 27, 30 November; the anchor's day does not count,
    DOMAIN.md working days); its 办结 at 12-01 10:00 is late. A local rest day on 11-24 would
    move the deadline to the end of 12-01 and make it on time."""
    item = file_item(
        office, "--level=general", occurred="2026-11-23 09:00", at="2026-11-23 09:30", at_now=True
    )
    iid = item["id"]
    result = office(
        "assign", iid, "--to=某县人民政府", "--due-days=5", now="2026-11-23T10:00:00+08:00"
    )
    assert result.code == 0, result
    result = office(
        "feedback", iid, "--from=某县人民政府", "--text=已办结", "--done",
        now="2026-12-01T10:00:00+08:00",
    )  # fmt: skip
    assert result.code == 0 and "逾时办结" in result.out, result
    path = tmp_path / "local.toml"
    path.write_text(CALENDAR, encoding="utf-8")
    return iid, path


def test_calendar_add_never_turns_a_late_assignment_into_one_on_time(office, tmp_path, db_path):
    iid, path = _assignment_met_late(office, tmp_path)
    before = dump_log(db_path)
    result = office("calendar", "add", str(path), now="2026-12-01T12:00:00+08:00")
    assert result.code == 1, result
    assert iid in result.err and "某县人民政府" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert dump_log(db_path) == before


def test_a_calendar_for_one_command_never_hides_a_breach(office, tmp_path, monkeypatch):
    """--calendar / YAOQING_CALENDAR obey the rule calendar add obeys: the handover view must
    not lose a late assignment because a file was given for one command."""
    iid, path = _assignment_met_late(office, tmp_path)
    now = "2026-12-01T12:00:00+08:00"
    shown = office("--calendar", str(path), "show", iid, "--json", now=now)
    assert shown.code == 2, shown
    assert iid in shown.err and "逾期" in shown.err
    monkeypatch.setenv("YAOQING_CALENDAR", str(path))
    chase = office("status", "--json", now=now)
    assert chase.code == 2, chase
    monkeypatch.delenv("YAOQING_CALENDAR")
    state = office("show", iid, "--json", now=now).json["assignments"][0]["state"]
    assert state == "late"


def test_a_write_under_a_calendar_that_would_hide_a_breach_is_refused(
    office, tmp_path, monkeypatch, db_path
):
    """README: such a file is refused (exit 2) before the command reads or writes anything;
    a write is a command too, typed or from YAOQING_CALENDAR."""
    iid, path = _assignment_met_late(office, tmp_path)
    now = "2026-12-01T12:00:00+08:00"
    before = dump_log(db_path)
    typed = office("--calendar", str(path), "continue", iid, "--text", "续报", now=now)
    assert typed.code == 2 and iid in typed.err and "逾期" in typed.err, typed
    monkeypatch.setenv("YAOQING_CALENDAR", str(path))
    from_env = office("notify", iid, "--who", "市政府应急办", now=now)
    assert from_env.code == 2 and iid in from_env.err, from_env
    assert dump_log(db_path) == before


def test_an_assignment_due_after_a_reopening_is_owed_again(office):
    """Assigned 10:00 with 2 h (due 12:00), the item closed at 11:00 (the clock not yet due:
    waived) and reopened at 11:30: from the reopening the clocks run as if the close had not
    happened (README, reopen), so at 13:00 the unit's clock is overdue, not waived."""
    iid = file_item(office, "--level=general")["id"]
    assert office("assign", iid, "--to=某县人民政府", "--due=2h", "--at=2026-11-22 10:00").code == 0
    assert office("close", iid, now="2026-11-22T11:00:00+08:00").code == 0
    assert office("reopen", iid, "--reason=终报填错", now="2026-11-22T11:30:00+08:00").code == 0
    shown = office("show", iid, "--json", now="2026-11-22T13:00:00+08:00").json
    assert shown["assignments"][0]["state"] == "overdue", shown["assignments"]
    chase = office("status", "--chase", "--json", now="2026-11-22T13:00:00+08:00").json
    assert [c["unit"] for c in chase] == ["某县人民政府"]


def _message_assignment_overdue(office):
    """A citizen's praise under Yunnan's policy, handed to a county on Monday 2026-11-23 10:00:
    5 working days (云政办发〔2016〕106号 四(三)), due at the end of Monday 11-30."""
    item = file_item(
        office, "--kind=message", "--class=praise", "--policy=yunnan",
        occurred="2026-11-23 08:00", at="2026-11-23 09:00", at_now=True,
    )  # fmt: skip
    iid = item["id"]
    result = office("assign", iid, "--to=某县人民政府", now="2026-11-23T10:00:00+08:00")
    assert result.code == 0, result
    shown = office("show", iid, "--json", now="2026-12-02T10:00:00+08:00").json
    assert shown["assignments"][0]["state"] == "overdue"
    return iid


def test_a_class_correction_never_turns_an_overdue_assignment_into_pending(office):
    iid = _message_assignment_overdue(office)
    result = office(
        "correct", iid, "--class=appeal", "--reason=类别录错", now="2026-12-02T10:00:00+08:00"
    )
    assert result.code == 0, result
    clock = office("show", iid, "--json", now="2026-12-02T10:05:00+08:00").json["assignments"][0]
    assert clock["state"] == "overdue", clock
    assert clock["deadline"] == "2026-12-01T00:00:00+08:00"
    # met afterwards it is late, never on time
    office(
        "feedback", iid, "--from=某县人民政府", "--text=已答复", "--done",
        now="2026-12-02T11:00:00+08:00",
    )  # fmt: skip
    clock = office("show", iid, "--json", now="2026-12-02T12:00:00+08:00").json["assignments"][0]
    assert clock["state"] == "late", clock


def test_a_kind_or_policy_correction_never_drops_an_overdue_assignment(office):
    iid = _message_assignment_overdue(office)
    result = office(
        "correct", iid, "--kind=emergency", "--reason=类型录错", now="2026-12-02T10:00:00+08:00"
    )
    assert result.code == 0, result
    shown = office("show", iid, "--json", now="2026-12-02T10:05:00+08:00").json
    assert [(a["unit"], a["state"]) for a in shown["assignments"]] == [("某县人民政府", "overdue")]
    chase = office("status", "--chase", "--json", now="2026-12-02T10:05:00+08:00").json
    assert [(c["id"], c["state"]) for c in chase] == [(iid, "overdue")]


def test_a_policy_correction_never_drops_an_overdue_assignment(office):
    """The national baseline has no assignment clock for messages: a correction to it, made
    after the county's clock ran out, keeps that clock overdue at the end of 11-30."""
    iid = _message_assignment_overdue(office)
    result = office(
        "correct", iid, "--policy=national", "--reason=政策选错", now="2026-12-02T10:00:00+08:00"
    )
    assert result.code == 0, result
    shown = office("show", iid, "--json", now="2026-12-02T10:05:00+08:00").json
    assert [(a["unit"], a["state"], a["deadline"]) for a in shown["assignments"]] == [
        ("某县人民政府", "overdue", "2026-12-01T00:00:00+08:00")
    ]


def test_a_received_correction_never_erases_a_missed_supervision_feedback(office):
    """督办件 from the province received 08:00 with a 1 h feedback clock (due 09:00, missed).
    At 09:30 接报 is corrected to 08:50: the clock stays overdue at 09:00, once."""
    iid = file_item(
        office, "--kind=opinion", "--received=2026-11-22 08:00", "--from-above=省政府办公厅",
        "--supervised", "--feedback=1h", occurred="2026-11-22 07:30",
    )["id"]  # fmt: skip
    now = "2026-11-22T09:30:00+08:00"
    result = office("correct", iid, "--received=2026-11-22 08:50", "--reason=核实", now=now)
    assert result.code == 0, result
    clock = office("show", iid, "--json", now=now).json["supervised"]["clock"]
    assert (clock["state"], clock["deadline"]) == ("overdue", "2026-11-22T09:00:00+08:00")
    chase = office("status", "--chase", "--json", now=now).json
    assert [(c["role"], c["state"]) for c in chase] == [("supervised", "overdue")]


def test_an_imported_calendar_never_recounts_a_breach_of_this_log(office, tmp_path, db_path):
    """Import obeys calendar add's rule: this office's own calendar event, added by hand to its
    own export, would make the late assignment on time (a rest day on 11-24)."""
    from export_helpers import read_export, rechain, write_export

    iid, _ = _assignment_met_late(office, tmp_path)
    dump = tmp_path / "mine.jsonl"
    assert office("export", "--output", str(dump)).code == 0
    records = read_export(dump)
    head = records.pop()
    records.append(
        {
            "record": "event", "seq": 0, "prev_hash": "", "hash": "", "uid": "c" * 32,
            "item_id": "", "type": "calendar", "happened_at": "2026-12-01T04:00:00Z",
            "recorded_at": "2026-12-01T04:00:00Z", "officer": "张值班",
            "data": {
                "sha256": "0" * 64, "source": "local.toml",
                "years": {"2026": {"holidays": ["2026-11-24"], "workdays": []}},
            },
        }
    )  # fmt: skip
    records.append(head)
    forged = write_export(tmp_path / "forged.jsonl", rechain(records))
    before = dump_log(db_path)
    result = real_clock(office, "import", str(forged))
    assert result.code == 1, result
    assert iid in result.err and "逾期" in result.err, result.err
    assert dump_log(db_path) == before
    state = office("show", iid, "--json", now="2026-12-01T12:00:00+08:00").json
    assert state["assignments"][0]["state"] == "late"


def test_an_extension_refused_after_the_deadline_names_the_state_in_chinese(office, db_path):
    """A citizen's praise under Yunnan's policy, filed Monday 11-23: its reply is due at the end
    of 11-30 (5 working days, 云政办发〔2016〕106号 四(三)); asked on 12-02, the extension is
    refused, and the error says 已逾期, not the JSON key."""
    iid = file_item(
        office, "--kind=message", "--class=praise", "--policy=yunnan",
        occurred="2026-11-23 08:00", at="2026-11-23 09:00", at_now=True,
    )["id"]  # fmt: skip
    before = dump_log(db_path)
    result = office(
        "continue", iid, "--extend=reply", "--reason=复杂", now="2026-12-02T10:00:00+08:00"
    )
    assert result.code == 1, result
    assert "已逾期" in result.err and "overdue" not in result.err, result.err
    assert dump_log(db_path) == before


def _praise(office):
    """A citizen's praise under Yunnan's policy, filed Monday 11-23 09:00: the reply (办结并回复
    网民, met by close) is due at the end of 11-30 (5 working days, 云政办发〔2016〕106号 四(三))."""
    return file_item(
        office, "--kind=message", "--class=praise", "--policy=yunnan",
        occurred="2026-11-23 08:00", at="2026-11-23 09:00", at_now=True,
    )["id"]  # fmt: skip


def test_a_void_is_no_reply_to_the_citizen(office):
    """作废 (filed by mistake) after the reply clock ran out: the breach stays, as 逾期, never as
    a reply made late; nothing was replied."""
    iid = _praise(office)
    now = "2026-12-02T10:00:00+08:00"
    result = office("close", iid, "--outcome=void", "--reason=重复录入", now=now)
    assert result.code == 0, result
    assert "已完成" not in result.out, result.out
    (reply,) = office("show", iid, "--json", now=now).json["duties"]
    assert (reply["state"], reply["met_at"]) == ("overdue", None), reply


def test_a_void_in_time_owes_the_reply_nothing(office):
    iid = _praise(office)
    now = "2026-11-25T10:00:00+08:00"
    assert office("close", iid, "--outcome=void", "--reason=重复录入", now=now).code == 0
    (reply,) = office("show", iid, "--json", now=now).json["duties"]
    assert (reply["state"], reply["met_at"]) == ("waived", None), reply


# --- the rule as a property, on chuan.track (pure) --------------------------------------------

from datetime import UTC, datetime, timedelta  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from yaoqing_cli.chuan import track  # noqa: E402
from yaoqing_cli.clock import to_utc_text  # noqa: E402
from yaoqing_cli.models import Event, Item, corrected  # noqa: E402
from yaoqing_cli.policy import load_policy  # noqa: E402
from yaoqing_cli.workdays import WorkCalendar  # noqa: E402

YUNNAN = load_policy("yunnan")
OTHERS = {p.hash: p for p in map(load_policy, ("yunnan", "shandong", "national"))}
MONDAY = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai
BREACHED = ("overdue", "late")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_no_correction_turns_a_breach_of_an_assignment_into_met_or_waived(data):
    """A Yunnan message assigned at filing with the class's working days (云政办发〔2016〕106号
    四(三)); corrections of class, kind, policy and 接报 at any moment after; maybe a 办结. Every
    assignment clock overdue or late at any moment stays so at every later moment."""
    klass = data.draw(st.sampled_from(["praise", "advice", "appeal"]))
    item = Item(
        id="20261123-001", year=2026, issue_no=1, title="t", kind="message", level=None,
        policy=YUNNAN.name, policy_hash=YUNNAN.hash, occurred=MONDAY - timedelta(hours=2),
        received=MONDAY - timedelta(hours=1), filed=MONDAY, message_class=klass,
    )  # fmt: skip
    events = [
        Event(1, "u1", item.id, "file", MONDAY, MONDAY, None, {}),
        Event(2, "u2", item.id, "assign", MONDAY, MONDAY, None, {"units": ["某县"]}),
    ]
    current, seq = item, 2
    snapshots = []  # (moment, the item as the log then held it, its events then)
    for _ in range(data.draw(st.integers(1, 4))):
        seq += 1
        at = MONDAY + timedelta(hours=data.draw(st.integers(1, 24 * 45)))
        at = max(at, events[-1].happened_at)
        snapshots.append((at, current, list(events)))  # just before this act
        if data.draw(st.booleans()) and not any(e.type == "feedback" for e in events):
            data_ = {"from": "某县", "text": "x", "done": True}
            events.append(Event(seq, f"u{seq}", item.id, "feedback", at, at, None, data_))
        else:
            field = data.draw(st.sampled_from(["message_class", "kind", "policy", "received"]))
            if field == "message_class":
                to = {"message_class": data.draw(st.sampled_from(["praise", "advice", "appeal"]))}
            elif field == "kind":
                to = {"kind": data.draw(st.sampled_from(["message", "emergency"]))}
                to["message_class"] = klass if to["kind"] == "message" else None
            elif field == "policy":
                chosen = data.draw(st.sampled_from(sorted(OTHERS)))
                to = {"policy": OTHERS[chosen].name, "policy_hash": chosen}
            else:
                minutes = data.draw(st.integers(0, 60))
                to = {"received": to_utc_text(MONDAY - timedelta(minutes=minutes))}
            was = {
                "message_class": current.message_class,
                "kind": current.kind,
                "policy": current.policy,
                "policy_hash": current.policy_hash,
                "received": to_utc_text(current.received),
            }
            change = {"reason": "r", "from": {k: was[k] for k in to}, "to": to}
            events.append(Event(seq, f"u{seq}", item.id, "correct", at, at, None, change))
            current = corrected(current, to)
        snapshots.append((at, current, list(events)))
    snapshots.append((MONDAY + timedelta(days=60), current, list(events)))

    def assignments(moment, version, history):
        policy = OTHERS.get(version.policy_hash, YUNNAN)
        chase = track(version, history, policy, WorkCalendar(), moment, resolve=OTHERS.__getitem__)
        return {c.unit: c for c in chase.of_role("assign")}

    for i, shot in enumerate(snapshots):
        for unit, clock in assignments(*shot).items():
            if clock.state in BREACHED:  # shown so then: so at every later moment
                for later in snapshots[i:]:
                    kept = assignments(*later).get(unit)
                    assert kept is not None and kept.state in BREACHED, (shot[0], later[0], kept)
