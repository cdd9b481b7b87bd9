"""传与跟 (issue 14): assignments to handling units, their feedback, leaders' instructions,
items supervised from above, the unit directory and the chase list, end to end through the CLI.
Every deadline below is worked out by hand from the documents, with the citation beside it."""

import pytest

from tests.conftest import file_item, iso
from tests.export_helpers import read_export
from tests.test_import import JINAN, event_at, forge, real_clock, refused


def act(run, *args, at: str):
    result = run(*args, "--at", at, now=iso(at))
    assert result.code == 0, result
    return result


def item_json(run, item_id: str, at: str) -> dict:
    result = run("show", item_id, "--json", "--at", at, now=iso(at))
    assert result.code == 0, result
    return result.json


@pytest.fixture
def yunnan(log, run):
    log("yunnan")
    return run


def test_a_yunnan_appeal_assigned_the_friday_before_national_day_fed_back_late(yunnan):
    run = yunnan
    appeal = file_item(run, "--kind", "message", "--class", "appeal", title="网民反映拖欠工资",
                       occurred="2026-09-25 08:00", at="2026-09-25 09:00", at_now=True)["id"]  # fmt: skip
    assert (
        run("unit", "add", "某县人民政府", "--phone", "0871-1234567", "--contact", "张三").code == 0
    )
    act(
        run,
        "assign",
        appeal,
        "--to",
        "某县人民政府",
        "--task",
        "核实并答复网民",
        at="2026-09-25 10:00",
    )
    # 云政办发〔2016〕106号 四(三): an appeal (申诉和寻求解决类) owes 20 working days from the
    # hand-over, the hand-over's day not counted. From Friday 2026-09-25 (中秋节): 9-28, 9-29,
    # 9-30 (3); 10-01..10-07 国庆 off; 10-08, 10-09 (5); Saturday 10-10 is a make-up workday (6);
    # 10-12..16 (11); 10-19..23 (16); 10-26..29 (20): due at the end of Thursday 2026-10-29.
    clock = item_json(run, appeal, "2026-10-20 09:00")["assignments"][0]
    assert (clock["unit"], clock["task"]) == ("某县人民政府", "核实并答复网民")
    assert clock["deadline"] == "2026-10-30T00:00:00+08:00"
    assert clock["state"] == "pending"
    act(
        run,
        "feedback",
        appeal,
        "--from",
        "某县人民政府",
        "--text",
        "已约谈当事人",
        at="2026-10-20 09:00",
    )
    act(
        run,
        "feedback",
        appeal,
        "--from",
        "某县",
        "--text",
        "已答复网民",
        "--done",
        at="2026-10-30 09:00",
    )
    later = item_json(run, appeal, "2026-11-30 09:00")
    clock = later["assignments"][0]
    assert clock["state"] == "late" and clock["met_at"] == "2026-10-30T09:00:00+08:00"
    assert [f["done"] for f in clock["feedback"]] == [False, True]  # the 续报, then 办结
    # the office's own clock (办结并回复网民, from the first report, met by close) is apart
    reply = next(d for d in later["duties"] if d["key"] == "reply")
    assert reply["deadline"] == "2026-10-30T00:00:00+08:00" and reply["state"] == "overdue"
    # a breach is permanent: closing the item later does not make the assignment on time
    act(run, "close", appeal, "--text", "已办结", at="2026-11-30 10:00")
    assert item_json(run, appeal, "2026-12-01 09:00")["assignments"][0]["state"] == "late"


def test_an_assignment_is_extended_once_before_its_deadline(yunnan):
    run = yunnan
    appeal = file_item(run, "--kind", "message", "--class", "appeal", title="留言",
                       occurred="2026-09-25 08:00", at="2026-09-25 09:00", at_now=True)["id"]  # fmt: skip
    act(run, "assign", appeal, "--to", "某县人民政府", "--to", "某乡", at="2026-09-25 10:00")
    act(run, "assign", appeal, "--to", "某县人民政府", "--extend", "--reason", "情况特别复杂",
        at="2026-10-28 10:00")  # fmt: skip
    # +10 working days from the original 10-29 (四(三) 可延长10个工作日): 10-30 (1), 11-02..06
    # (6), 11-09..12 (10): the end of 2026-11-12
    clocks = {c["unit"]: c for c in item_json(run, appeal, "2026-10-29 09:00")["assignments"]}
    assert clocks["某县人民政府"]["deadline"] == "2026-11-13T00:00:00+08:00"
    assert clocks["某县人民政府"]["extended"] is True
    again = run("assign", appeal, "--to", "某县人民政府", "--extend", "--reason", "再延",
                "--at", "2026-11-01 10:00", now=iso("2026-11-01 10:00"))  # fmt: skip
    assert again.code == 1 and "只能延长一次" in again.err, again
    late = run("assign", appeal, "--to", "某乡", "--extend", "--reason", "迟了",
               "--at", "2026-10-30 10:00", now=iso("2026-10-30 10:00"))  # fmt: skip
    assert late.code == 1 and "届满前" in late.err, late
    assert clocks["某乡"]["deadline"] == "2026-10-30T00:00:00+08:00"


def test_clear_errors_for_double_assignment_unknown_feedback_and_closed_items(office):
    run = office
    item = file_item(run, "--level", "一般", title="某地山体滑坡")["id"]
    result = run("assign", item, "--to", "某县人民政府", "--at", "10:00")
    assert result.code == 2 and "--due" in result.err, result  # Shandong sets no number
    assert run("assign", item, "--to", "某县人民政府", "--due", "2h", "--at", "10:00").code == 0
    twice = run("assign", item, "--to", "某县人民政府", "--due", "2h", "--at", "10:30")
    assert twice.code == 1 and "只转办一次" in twice.err, twice
    stranger = run("feedback", item, "--from", "某市", "--text", "x", "--at", "10:40")
    assert stranger.code == 1 and "没有受理" in stranger.err and "某县人民政府" in stranger.err
    early = run("feedback", item, "--from", "某县人民政府", "--text", "x", "--at", "09:30")
    assert early.code != 0, early
    assert (
        run(
            "feedback", item, "--from", "某县人民政府", "--text", "办结", "--done", "--at", "11:00"
        ).code
        == 0
    )
    done_twice = run(
        "feedback", item, "--from", "某县人民政府", "--text", "再", "--done", "--at", "11:10"
    )
    assert done_twice.code == 1 and "已于" in done_twice.err, done_twice
    assert run("close", item, "--text", "处置完毕", "--at", "11:30").code == 0
    closed = run("assign", item, "--to", "某区", "--due", "2h", "--at", "11:40")
    assert closed.code == 1 and "终报" in closed.err, closed


def test_a_leaders_instruction_relayed_late(log, run):
    log("inner-mongolia")
    item = file_item(run, "--level", "重大", title="某旗森林火灾", occurred="2026-11-22 06:00",
                     at="2026-11-22 07:00", at_now=True)["id"]  # fmt: skip
    act(run, "instruct", item, "--from", "分管副主席", "--text", "请某旗全力扑救，及时反馈",
        "--to", "某旗人民政府", "--feedback", "2h", at="2026-11-22 09:00")  # fmt: skip
    # 内政办发〔2014〕109号 二(三) 第一时间将批示件转有关地区、部门: 30 minutes (the policy's
    # setting) from 09:00 is 09:30; the relay (assign) at 09:50 is 20 minutes late
    act(run, "assign", item, "--to", "某旗人民政府", "--due", "4h", "--task", "转批示件",
        at="2026-11-22 09:50")  # fmt: skip
    act(
        run,
        "feedback",
        item,
        "--from",
        "某旗人民政府",
        "--text",
        "明火已扑灭",
        at="2026-11-22 10:40",
    )
    shown = item_json(run, item, "2026-11-22 12:00")
    (instruction,) = shown["instructions"]
    assert instruction["leader"] == "分管副主席" and instruction["units"] == ["某旗人民政府"]
    (relay,) = instruction["relay"]
    assert relay["deadline"] == "2026-11-22T09:30:00+08:00"
    assert relay["state"] == "late" and relay["met_at"] == "2026-11-22T09:50:00+08:00"
    (feedback,) = instruction["feedback"]  # --feedback 2h: due 11:00, fed back 10:40
    assert feedback["deadline"] == "2026-11-22T11:00:00+08:00" and feedback["state"] == "met"
    text = run("show", item, "--at", "2026-11-22 12:00", now=iso("2026-11-22 12:00")).out
    lines = text.splitlines()
    assert lines[2].startswith("领导批示：分管副主席"), text  # at the top of the item
    assert "转批示件→某旗人民政府：逾时转办" in text  # a late relay is no late report (迟报)


def test_a_supervised_opinion_from_the_province_met_by_a_units_feedback(office):
    run = office
    item = file_item(run, "--kind", "opinion", "--from-above", "省政府办公厅", "--supervised",
                     "--feedback", "24h", title="网传某地水污染", occurred="2026-11-21 08:00",
                     at="2026-11-21 09:00", at_now=True)["id"]  # fmt: skip
    # 鲁政办发〔2018〕18号 四 及时报送舆情办理情况: 24 h from receipt (09:00) = 11-22 09:00
    act(run, "assign", item, "--to", "某区人民政府", "--due", "12h", at="2026-11-21 09:20")
    act(run, "feedback", item, "--from", "某区人民政府", "--text", "已回应", at="2026-11-22 08:00")
    shown = item_json(run, item, "2026-11-22 12:00")
    assert shown["supervised"]["from_above"] == "省政府办公厅"
    clock = shown["supervised"]["clock"]
    assert clock["deadline"] == "2026-11-22T09:00:00+08:00" and clock["state"] == "met"
    # the unit's own 12 h clock (09:20 → 21:20) was missed: its feedback without --done is a 续报
    assert shown["assignments"][0]["state"] == "overdue"
    board = run("status", "--at", "2026-11-22 12:00", now=iso("2026-11-22 12:00")).out
    assert "督办" in board, board


def test_the_chase_list_at_a_handover_with_30_assignments(office):
    run = office
    items = [
        file_item(run, "--level", "一般", title=f"事件{n}", occurred="2026-11-22 06:00",
                  at="2026-11-22 07:00", at_now=True)["id"]
        for n in range(3)
    ]  # fmt: skip
    run("unit", "add", "第0单位", "--phone", "0531-0000", "--contact", "联络员0")
    for i, item in enumerate(items):
        for j in range(10):
            n = i * 10 + j
            # unit n due at 08:00 + n*30 min: at the 16:00 handover units 0..15 are overdue
            # (16:00 exactly is not past), 16 (16:00+... no: 08:00+16*30 = 16:00) is due soon
            act(run, "assign", item, "--to", f"第{n}单位", "--due", f"{60 + n * 30}m",
                at="2026-11-22 07:00")  # fmt: skip
    # two units finished: they are off the list
    act(
        run,
        "feedback",
        items[0],
        "--from",
        "第1单位",
        "--text",
        "办结",
        "--done",
        at="2026-11-22 08:00",
    )
    act(run, "feedback", items[0], "--from", "第2单位", "--text", "已到场", at="2026-11-22 08:30")
    act(
        run,
        "feedback",
        items[0],
        "--from",
        "第3单位",
        "--text",
        "办结",
        "--done",
        at="2026-11-22 12:00",
    )
    moment = "2026-11-22 16:00"
    result = run("status", "--chase", "--json", "--at", moment, now=iso(moment))
    assert result.code == 0, result
    units = [line["unit"] for line in result.json]
    # overdue: 0..15 less 1 (met) and 3 (met late: done, not chased); 16 (due 16:00) and the
    # next ones within the 30 min / 25% warning window (30..: 17 due 16:30, window 165 min) ...
    overdue = [line["unit"] for line in result.json if line["state"] == "overdue"]
    assert overdue == [f"第{n}单位" for n in range(16) if n not in (1, 3)]
    soon = [line for line in result.json if line["state"] == "due_soon"]
    assert soon and all(line["deadline"] >= "2026-11-22T16:00:00+08:00" for line in soon)
    assert units == overdue + [line["unit"] for line in soon]  # by deadline
    first = result.json[0]
    assert (first["unit"], first["registered"], first["phone"]) == ("第0单位", True, "0531-0000")
    text = run("status", "--chase", "--at", moment, now=iso(moment)).out
    lines = text.splitlines()
    assert lines[0].startswith(f"催办清单：{len(units)} 项"), text
    assert "联系：联络员0 0531-0000" in lines[1] and "联系：未登记" in lines[2], text
    line2 = next(line for line in lines if line.startswith("第2单位"))
    assert "最后反馈" in line2 and "已到场" in line2


def test_unit_directory_and_completion(office):
    run = office
    assert run("unit", "list").out.startswith("单位通讯录为空")
    assert run("unit", "add", "某县人民政府", "--phone", "1", "--contact", "张三").code == 0
    assert "已更新" in run("unit", "add", "某县人民政府", "--phone", "2", "--contact", "张三").out
    listed = run("unit", "list", "--json").json
    assert listed == [{"name": "某县人民政府", "contact": "张三", "phone": "2", "note": None}]
    item = file_item(run, title="某事")["id"]
    result = run("assign", item, "--to", "某县", "--due", "1d", "--at", "10:00", "--json")
    assert result.code == 0 and result.json["unregistered"] == [], result
    assert result.json["assignments"][0]["unit"] == "某县人民政府"


def test_new_events_survive_export_and_import(office, run, tmp_path):
    item = file_item(office, "--kind", "opinion", "--from-above", "省政府办公厅", "--supervised",
                     title="甲")["id"]  # fmt: skip
    assert office("unit", "add", "某县人民政府", "--phone", "1").code == 0
    assert office("assign", item, "--to", "某县人民政府", "--due", "2h", "--at", "10:00").code == 0
    assert (
        office("instruct", item, "--from", "王副市长", "--text", "速办", "--at", "10:05").code == 0
    )
    assert (
        office(
            "feedback", item, "--from", "某县人民政府", "--text", "办结", "--done", "--at", "11:00"
        ).code
        == 0
    )
    dump = tmp_path / "dump.jsonl"
    assert office("export", "--include-sensitive", "--output", dump).code == 0
    target = tmp_path / "target.db"
    assert run("--db", target, "init", *JINAN).code == 0
    result = real_clock(run, "--db", target, "import", dump)
    assert result.code == 0, result
    shown = real_clock(run, "--db", target, "show", item, "--json", "--at", "2026-11-22 12:00")
    assert shown.json["assignments"][0]["state"] == "met"
    assert shown.json["supervised"]["clock"]["state"] == "met"
    assert real_clock(run, "--db", target, "unit", "list", "--json").json[0]["phone"] == "1"
    assert real_clock(run, "--db", target, "verify").code == 0
    # a feedback from a unit never assigned is refused as `feedback` refuses it
    records = read_export(dump)
    event_at(records, item, "feedback")["data"]["from"] = "某市"
    fresh = tmp_path / "fresh.db"
    assert run("--db", fresh, "init", *JINAN).code == 0
    refused(run, fresh, forge(dump, records, tmp_path), "没有受理")


def test_assign_and_instruct_made_now_print_the_clocks_they_started(yunnan):
    """Without --at the command's moment has microseconds and the stored one whole seconds: the
    confirmation must still find the clocks it started (it printed none)."""
    run = yunnan
    appeal = file_item(run, "--kind", "message", "--class", "appeal", title="网民反映路灯损坏",
                       occurred="2026-11-22 08:00", at="2026-11-22 09:00", at_now=True)["id"]  # fmt: skip
    done = run(
        "assign",
        appeal,
        "--to",
        "某县人民政府",
        "--task",
        "核实",
        now="2026-11-22T10:00:00.250000+08:00",
    )
    assert done.code == 0, done
    # 20 working days from Sunday 2026-11-22, the day itself not counted: 11-23 … 12-18 (20)
    assert "某县人民政府：承办单位办结并回复网民，时限 12月18日24时" in done.out, done
    said = run("instruct", appeal, "--from", "王副省长", "--text", "抓紧办理", "--to", "某县人民政府",
               now="2026-11-22T10:05:00.250000+08:00")  # fmt: skip
    assert said.code == 0, said
    assert "未设转批示件时限" not in said.out and "时限 11月22日 10:35" in said.out, said


def test_an_overdue_unit_clock_is_on_the_overdue_board_and_the_handover_sheet(yunnan):
    """review-user found three overdue 转办/批示/督办 clocks on a drill while `status --overdue`
    said 0 and the 08:00 sheet 已逾期：0 项: the unit's clock is the next shift's to chase."""
    run = yunnan
    fire = file_item(run, "--kind", "突发事件", "--level", "较大", title="某地火情",
                     occurred="2026-11-22 05:00", at="2026-11-22 05:10", at_now=True)["id"]  # fmt: skip
    act(run, "assign", fire, "--to", "某县人民政府", "--task", "核实火情", "--due", "1h",
        at="2026-11-22 05:20")  # fmt: skip
    soon = run("status", "--due-within", "30m", "--json", now=iso("2026-11-22 06:00"))
    assert [e["id"] for e in soon.json] == [fire], soon
    board = run("status", "--overdue", now=iso("2026-11-22 08:00"))
    assert board.code == 0, board
    assert "有逾期时限的：1 条" in board.out
    assert "转办：某县人民政府（核实火情）  已逾期  逾期 1小时40分钟" in board.out, board
    sheet = run("handover", "--to", "李四", now=iso("2026-11-22 08:00"))
    assert sheet.code == 0, sheet
    assert "已逾期：1 项\n  " + fire + "  转办→某县人民政府  逾期 1小时40分钟" in sheet.out, sheet
    # frozen as handed over: the list shows it the same, and an export round trip keeps it
    listed = run("handover", "--list", "--date", "2026-11-22", now=iso("2026-11-22 09:00"))
    assert "转办→某县人民政府（assign）：已逾期" in listed.out, listed


def test_a_supervised_item_names_the_office_above(office, db_path):
    from tests.conftest import dump_log

    before = dump_log(db_path)
    done = office("file", "--title", "督办件", "--occurred", "2026-11-22 08:00", "--supervised")
    assert done.code == 2 and "--from-above" in done.err, done
    assert dump_log(db_path) == before


@pytest.mark.parametrize("projected", [True, False])
def test_a_brief_board_has_a_line_for_a_units_overdue_clock(log, run, projected):
    """Above 20 items the handover board is one line per clock, from the clocks projection
    (nothing happened after the moment asked) or judged in full: a unit's overdue clock is a
    line too. Shandong 重大: publish within 5 h of the event (鲁政办发〔2018〕18号 三), 06:00."""
    office = log("山东")
    ids = [office.file(f"洪涝点{n}", "2026-11-22 01:00", "2026-11-22 02:00", "--level", "重大")
           for n in range(21)]  # fmt: skip
    act(run, "assign", ids[0], "--to", "某街道办", "--due", "1h", at="2026-11-22 03:00")
    office.cont(ids[1], "2026-11-22 08:00", "--text", "水位回落")  # after 07:00: no projection
    moment, late = ("2026-11-22 12:00", "8小时") if projected else ("2026-11-22 07:00", "3小时")
    board = run("status", "--overdue", now=iso(moment)).out
    assert "每个时限一行" in board, board
    assert f"{ids[0]}  转办→某街道办  逾期 {late}（时限 11月22日 04:00）" in board, board


def test_a_brief_board_has_a_line_for_a_supervised_items_overdue_feedback(log, run):
    """A supervised item's feedback clock (督办) is found through the events that start a unit's
    clock (store.HANDED_DOWN, a partial index) and shown on the brief board from the projection."""
    office = log("山东")
    for n in range(21):
        office.file(f"洪涝点{n}", "2026-11-22 01:00", "2026-11-22 02:00", "--level", "重大")
    item = file_item(run, "--kind", "opinion", "--from-above", "省政府办公厅", "--supervised",
                     "--feedback", "2h", title="网传某地停水", occurred="2026-11-22 02:00",
                     at="2026-11-22 03:00", at_now=True)["id"]  # fmt: skip
    board = run("status", "--overdue", now=iso("2026-11-22 12:00")).out
    assert "每个时限一行" in board, board
    line = next(x for x in board.splitlines() if x.startswith(item) and "督办" in x)
    assert "→省政府办公厅" in line and "逾期 7小时" in line, line


def test_a_waived_unit_clock_done_anyway_says_when(yunnan):
    """A unit's clock that fell due while the item stood closed is waived (README, reopen); the
    unit's later 办结 is still shown, against the old deadline, as the engine shows a duty's."""
    run = yunnan
    item = file_item(run, "--kind", "突发事件", "--level", "一般", title="某地停水",
                     occurred="2026-11-22 09:00", at="2026-11-22 09:30", at_now=True)["id"]  # fmt: skip
    act(run, "assign", item, "--to", "某县水务局", "--due", "1h", at="2026-11-22 10:00")
    act(run, "close", item, "--text", "已恢复供水", at="2026-11-22 10:30")
    reopened = run("reopen", item, "--reason", "又停水", now=iso("2026-11-22 12:00"))
    assert reopened.code == 0, reopened
    act(run, "feedback", item, "--from", "某县水务局", "--text", "已抢修", "--done",
        at="2026-11-22 12:10")  # fmt: skip
    clock = item_json(run, item, "2026-11-22 12:20")["assignments"][0]
    assert (clock["state"], clock["met_at"]) == ("waived", iso("2026-11-22 12:10")), clock
    shown = run("show", item, now=iso("2026-11-22 12:20")).out
    assert "完成于 2026-11-22 12:10（原时限 11月22日 11:00，晚于原时限 1小时10分钟）" in shown, (
        shown
    )


def test_a_correction_names_the_units_clocks_it_moved(yunnan):
    """`correct` said 时限未变 when only a unit's clock moved (review-acts). 云政办发〔2016〕106号
    四(三): a 谏言咨询类 message owes the unit 10 working days, a 表扬感谢类 one 5. Assigned
    Monday 2026-11-23: 10 → Monday 12-07 24时; corrected to praise: 5 → Monday 11-30 24时."""
    run = yunnan
    item = file_item(run, "--kind", "message", "--class", "advice", title="网民建议增设公交站",
                     occurred="2026-11-23 08:00", at="2026-11-23 09:00", at_now=True)["id"]  # fmt: skip
    act(run, "assign", item, "--to", "某县人民政府", at="2026-11-23 10:00")
    done = run("correct", item, "--class", "praise", "--reason", "属表扬感谢类",
               now=iso("2026-11-23 11:00"))  # fmt: skip
    assert done.code == 0, done
    assert "承办单位办结并回复网民→某县人民政府 时限：12月7日24时 → 11月30日24时" in done.out, done
    assert "时限未变" not in done.out


def test_a_units_done_typed_in_after_its_deadline_is_late_as_of_its_typing(office):
    # assigned at 10:00 with 1 h: due 11:00. The unit's 办结 stated 10:30 but typed at 12:00,
    # after the board showed the clock overdue: late as of 12:00, the 10:30 kept in the record
    run = office
    item = file_item(run, "--level", "一般", title="某地山体滑坡", at_now=True,
                     at="2026-11-22 09:00")["id"]  # fmt: skip
    assigned = run("assign", item, "--to", "某县人民政府", "--due", "1h",
                   now=iso("2026-11-22 10:00"))  # fmt: skip
    assert assigned.code == 0, assigned
    done = run("feedback", item, "--from", "某县人民政府", "--text", "办结", "--done",
               "--at", "2026-11-22 10:30", now=iso("2026-11-22 12:00"))  # fmt: skip
    assert done.code == 0, done
    [clock] = run("show", item, "--json", now=iso("2026-11-22 12:05")).json["assignments"]
    assert (clock["state"], clock["met_at"]) == ("late", iso("2026-11-22 12:00")), clock
    assert clock["feedback"][0]["at"] == iso("2026-11-22 10:30")  # as stated, 补录
    assert clock["feedback"][0]["back_entered"] is True


def _supervised_received_then_corrected(run, now: str) -> tuple[str, list]:
    """A 督办件 received 09:30 with 2 h to report back (due 11:30), its 接报 corrected to 10:00
    at `now`: (its ID, the correction's units_moved[])."""
    filed = run("file", "--title", "督办件", "--kind", "舆情", "--occurred", "07:00",
                "--received", "09:30", "--from-above", "省政府办公厅", "--supervised",
                "--feedback", "2h", now=iso("2026-11-22 10:00"))  # fmt: skip
    assert filed.code == 0, filed
    item = filed.out.split()[1]
    done = run("correct", item, "--received", "10:00", "--reason", "核实", "--json", now=iso(now))
    assert done.code == 0, done
    return item, done.json["units_moved"]


@pytest.mark.parametrize(("now", "held"), [("2026-11-22 10:10", False), ("2026-11-22 11:45", True)])
def test_a_correction_of_received_names_the_supervised_feedback_clock_it_moved(office, now, held):
    # a supervised item's feedback clock counts from 接报 (2 h given): 09:30 → due 11:30; the
    # correction to 10:00 moves it to 12:00, and says so, in words and in --json. Made at 11:45,
    # when the clock was overdue, it would have: the breach stands at 11:30 (held)
    item, moved = _supervised_received_then_corrected(office, now)
    assert moved == [
        {"name": "督办反馈", "unit": "省政府办公厅", "old_deadline": iso("2026-11-22 11:30"),
         "new_deadline": iso("2026-11-22 12:00"), "held": held}
    ]  # fmt: skip
    if held:
        shown = office("show", item, "--json", now=iso("2026-11-22 11:50"))
        clock = shown.json["supervised"]["clock"]
        assert (clock["state"], clock["deadline"]) == ("overdue", iso("2026-11-22 11:30")), clock
        return
    again = office("correct", item, "--received", "09:50", "--reason", "再核实",
                   now=iso("2026-11-22 10:20"))  # fmt: skip
    assert "督办反馈→省政府办公厅 时限：11月22日 12:00 → 11月22日 11:50" in again.out, again


def test_a_class_correction_after_the_units_deadline_keeps_the_breach_visible(yunnan):
    # 云政办发〔2016〕106号 四(三): 谏言咨询类 10 working days from Monday 11-23 → 12-07 24时;
    # corrected on 12-08 to 申诉求助类 (20 working days → 12-21 24时): the clock was overdue
    # when corrected, so the breach stands and the confirmation says so
    run = yunnan
    item = file_item(run, "--kind", "message", "--class", "advice", title="网民建议增设公交站",
                     occurred="2026-11-23 08:00", at="2026-11-23 09:00", at_now=True)["id"]  # fmt: skip
    act(run, "assign", item, "--to", "某县人民政府", at="2026-11-23 10:00")
    done = run("correct", item, "--class", "appeal", "--reason", "属申诉求助类",
               now=iso("2026-12-08 09:00"))  # fmt: skip
    assert done.code == 0, done
    assert (
        "承办单位办结并回复网民→某县人民政府 时限：12月7日24时 → 12月21日24时；更正前已逾期，逾期保留"
        in done.out
    ), done.out
    assert "时限未变" not in done.out


def test_a_units_done_back_dated_after_a_late_typed_hand_over_counts_from_its_typing(office):
    # handed over "--at 09:00" with 1 h but typed at 12:00: the board shows it overdue from
    # 12:00 (due 10:00). The unit's 办结 typed at 12:30 "--at 09:30" counts from 12:30: late
    run = office
    item = file_item(run, "--level", "一般", title="某地山体滑坡", at_now=True,
                     at="2026-11-22 08:30")["id"]  # fmt: skip
    handed = run("assign", item, "--to", "某县人民政府", "--due", "1h", "--at",
                 "2026-11-22 09:00", now=iso("2026-11-22 12:00"))  # fmt: skip
    assert handed.code == 0, handed
    done = run("feedback", item, "--from", "某县人民政府", "--text", "办结", "--done",
               "--at", "2026-11-22 09:30", now=iso("2026-11-22 12:30"))  # fmt: skip
    assert done.code == 0, done
    [clock] = run("show", item, "--json", now=iso("2026-11-22 12:35")).json["assignments"]
    assert (clock["state"], clock["met_at"]) == ("late", iso("2026-11-22 12:30")), clock
