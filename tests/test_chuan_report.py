"""传与跟 in the report (issue 14 item 6): the day report lists the assignments made, the feedback
received and the downward clocks met late or overdue; the period report grades the handling
units (承办单位) on their assignment clocks (按时办结率). Every deadline is worked out by hand
from the documents, with the citation beside it."""

import csv
import io

import pytest

from tests.conftest import file_item, iso
from tests.test_chuan import item_json


def act(run, *args, at: str):
    result = run(*args, "--at", at, now=iso(at))
    assert result.code == 0, result
    return result


def report(run, *args, now: str, fmt: str = "json"):
    result = run("report", *args, "--format", fmt, now=iso(now))
    assert result.code == 0, result
    return result.json if fmt == "json" else result.out


def message(run, cls: str, title: str, at: str) -> str:
    return file_item(run, "--kind", "message", "--class", cls, title=title, occurred=at,
                     at=at, at_now=True)["id"]  # fmt: skip


@pytest.fixture
def yunnan(log, run):
    """A Yunnan log in November 2026 (no holiday in it: every weekday a working day).

    A  an advice (谏言和咨询类) message filed Monday 11-02 09:00, handed at 10:00 to 甲县人民政府
       and 乙县人民政府. 云政办发〔2016〕106号 四(三): 10 working days from the hand-over, its
       day not counted: 11-03..06 (4), 11-09..13 (9), 11-16 (10): due at the end of Monday
       11-16, 2026-11-17T00:00+08:00. 甲县 finishes 11-10 15:00 (on time); 乙县 sends a 续报
       11-12 09:00 and finishes 11-18 10:00 (1 day 10 hours late).
    B  a praise (表扬和感谢类) message handed 11-02 10:00 to 丙县人民政府: 5 working days,
       11-03..06 (4), 11-09 (5): due 11-10T00:00. Never fed back; the item is closed 11-12:
       the breach stays (a close waives only the clocks not yet fallen due).
    C  a praise message handed Friday 11-20 10:00 to 丙县人民政府: 11-23..27 (5), due
       11-28T00:00; the item is closed 11-25, before that: waived, not graded.
    D  a praise message handed Friday 11-27 10:00 to 丁县人民政府: 11-30, 12-01..04 (5), due
       12-05T00:00, finished 12-03: decided (met) in December, so graded in December only.
    """
    run_ = run
    log("yunnan")
    a = message(run, "advice", "A 建议增开公交线路", "2026-11-02 09:00")
    act(run, "assign", a, "--to", "甲县人民政府", "--to", "乙县人民政府", "--task", "研究答复",
        at="2026-11-02 10:00")  # fmt: skip
    b = message(run, "praise", "B 感谢某镇干部", "2026-11-02 09:30")
    act(run, "assign", b, "--to", "丙县人民政府", at="2026-11-02 10:00")
    act(run, "feedback", a, "--from", "甲县人民政府", "--text", "已答复", "--done",
        at="2026-11-10 15:00")  # fmt: skip
    act(run, "feedback", a, "--from", "乙县人民政府", "--text", "正在研究",
        at="2026-11-12 09:00")  # fmt: skip
    act(run, "close", b, "--text", "已回复网民", at="2026-11-12 11:00")
    act(run, "feedback", a, "--from", "乙县人民政府", "--text", "已答复网民", "--done",
        at="2026-11-18 10:00")  # fmt: skip
    c = message(run, "praise", "C 感谢医护人员", "2026-11-20 09:00")
    act(run, "assign", c, "--to", "丙县人民政府", at="2026-11-20 10:00")
    act(run, "close", c, "--text", "已回复网民", at="2026-11-25 10:00")
    d = message(run, "praise", "D 感谢消防队", "2026-11-27 09:00")
    act(run, "assign", d, "--to", "丁县人民政府", at="2026-11-27 10:00")
    act(run, "feedback", d, "--from", "丁县人民政府", "--text", "已回复", "--done",
        at="2026-12-03 10:00")  # fmt: skip
    return run_, {"A": a, "B": b, "C": c, "D": d}


def test_the_day_report_lists_the_assignments_made(yunnan):
    run, ids = yunnan
    day = report(run, "--date", "2026-11-02", now="2026-11-03 00:05")
    made = [(r["id"], r["unit"], r["deadline"], r["task"]) for r in day["assigned"]]
    assert made == [
        (ids["A"], "甲县人民政府", "2026-11-17T00:00:00+08:00", "研究答复"),
        (ids["A"], "乙县人民政府", "2026-11-17T00:00:00+08:00", "研究答复"),
        (ids["B"], "丙县人民政府", "2026-11-10T00:00:00+08:00", None),
    ]
    assert {r["state"] for r in day["assigned"]} == {"pending"}
    assert day["feedback"] == [] and day["chase_overdue"] == [] and day["handling_units"] == []
    text = report(run, "--date", "2026-11-02", now="2026-11-03 00:05", fmt="text")
    assert "转办（3）" in text, text
    assert "A 建议增开公交线路 → 乙县人民政府（研究答复）：2026-11-02 10:00 转办，时限" in text, (
        text
    )


def test_the_day_report_lists_overdue_assignments_and_feedback_received(yunnan):
    run, ids = yunnan
    # 11-16: 乙县's clock falls due at the end of the day: the next shift must chase it
    # (甲县 finished on 11-10)
    day = report(run, "--date", "2026-11-16", now="2026-11-17 00:05")
    assert [(r["id"], r["unit"], r["state"]) for r in day["chase_watch"]] == [
        (ids["A"], "乙县人民政府", "due_soon")
    ]
    text = report(run, "--date", "2026-11-16", now="2026-11-17 00:05", fmt="text")
    assert "下一班须催办（24小时内到期）（1）" in text, text
    assert "转办 乙县人民政府：11月16日24时前" in text, text
    # 11-10: 丙县's clock (B) fell due at the day's start
    day = report(run, "--date", "2026-11-10", now="2026-11-11 00:05")
    overdue = [(r["id"], r["duty"], r["unit"], r["deadline"]) for r in day["chase_overdue"]]
    assert overdue == [(ids["B"], "assign", "丙县人民政府", "2026-11-10T00:00:00+08:00")]
    # 11-17: 乙县's clock fell due at its start; judged at the day's end it is overdue by a day.
    # B, closed on 11-12, is no longer in a day report (as reporting clocks: items alive in it)
    day = report(run, "--date", "2026-11-17", now="2026-11-18 00:05")
    overdue = [(r["id"], r["duty"], r["unit"], r["deadline"]) for r in day["chase_overdue"]]
    assert overdue == [(ids["A"], "assign", "乙县人民政府", "2026-11-17T00:00:00+08:00")]
    text = report(run, "--date", "2026-11-17", now="2026-11-18 00:05", fmt="text")
    assert "转办 乙县人民政府：时限 11月16日24时，已逾期 1天" in text, text
    # 11-18: 乙县's 办结, late: listed with the feedback and among the clocks met late
    day = report(run, "--date", "2026-11-18", now="2026-11-19 00:05")
    (fed,) = day["feedback"]
    assert (fed["unit"], fed["done"], fed["state"], fed["text"]) == (
        "乙县人民政府", True, "late", "已答复网民"
    )  # fmt: skip
    (late,) = day["chase_late"]
    assert late["met_at"] == "2026-11-18T10:00:00+08:00" and late["state"] == "late"
    text = report(run, "--date", "2026-11-18", now="2026-11-19 00:05", fmt="text")
    assert "乙县人民政府 2026-11-18 10:00 办结（逾时）：已答复网民" in text, text
    assert "（晚 1天10小时）" in text, text
    # a 续报 meets nothing: listed as feedback, with no state
    day = report(run, "--date", "2026-11-12", now="2026-11-13 00:05")
    assert [(f["unit"], f["done"], f["state"]) for f in day["feedback"]] == [
        ("乙县人民政府", False, None)
    ]


def test_the_period_report_grades_the_handling_units(yunnan):
    run, _ = yunnan
    month = report(run, "--period", "2026-11", now="2026-12-10 09:00")
    graded = {u["unit"]: u for u in month["handling_units"]}
    assert month["chase_watch"] == []  # a 通报 hands nothing over
    # 甲县 met on time (1/1); 乙县 late (0/1); 丙县: B overdue counts (a breach is permanent),
    # C waived by its close before the deadline does not; 丁县 was decided in December
    assert graded["甲县人民政府"] == {"unit": "甲县人民政府", "items": 1, "due": 1,
        "on_time": 1, "late": 0, "overdue": 0, "on_time_rate": 1.0}  # fmt: skip
    assert graded["乙县人民政府"] == {"unit": "乙县人民政府", "items": 1, "due": 1,
        "on_time": 0, "late": 1, "overdue": 0, "on_time_rate": 0.0}  # fmt: skip
    assert graded["丙县人民政府"] == {"unit": "丙县人民政府", "items": 1, "due": 1,
        "on_time": 0, "late": 0, "overdue": 1, "on_time_rate": 0.0}  # fmt: skip
    assert "丁县人民政府" not in graded
    assert month["handling_units"][0]["unit"] == "甲县人民政府"  # best first
    december = report(run, "--period", "2026-12", now="2026-12-10 09:00")
    assert [(u["unit"], u["on_time"], u["due"]) for u in december["handling_units"]] == [
        ("丁县人民政府", 1, 1)
    ]
    # the half year counts each assignment once
    half = report(run, "--period", "2026H2", now="2027-01-05 09:00")
    assert sum(u["due"] for u in half["handling_units"]) == 4
    text = report(run, "--period", "2026-11", now="2026-12-10 09:00", fmt="text")
    assert "各承办单位按时办结率" in text, text
    assert (
        "甲县人民政府：要情 1，应办结 1，按时办结 1，逾时办结 0，逾期未办结 0，按时办结率 100.0%"
        in text
    )
    assert "乙县人民政府：要情 1，应办结 1，按时办结 0，逾时办结 1" in text
    assert text.index("各报送单位时效") < text.index("各承办单位按时办结率"), text
    # a 通报 counts what was handed down and fed back, and names each breach
    assert "转办 5 项，承办单位反馈 3 次（其中办结 2 次）" in text, text
    assert "已答复" not in text and "办结（逾时）" not in text, text
    assert "转办 乙县人民政府：逾时办结，时限 11月16日24时，2026-11-18 10:00 完成" in text, text
    assert "B 感谢某镇干部 转办 丙县人民政府：时限 11月9日24时，已逾期" in text, text
    md = report(run, "--period", "2026-11", now="2026-12-10 09:00", fmt="markdown")
    assert "| 乙县人民政府 | 1 | 1 | 0 | 1 | 0 | 0.0% |" in md, md


def test_the_grading_is_the_same_whenever_the_report_runs(yunnan):
    """Judged as of the period's end: 乙县's late 办结 on 11-18 does not change a report of the
    period 11-01..11-17 made afterwards (overdue then)."""
    run, _ = yunnan
    early = report(run, "--since", "2026-11-01 00:00", "--until", "2026-11-18 00:00",
                   now="2026-11-18 00:05")  # fmt: skip
    later = report(run, "--since", "2026-11-01 00:00", "--until", "2026-11-18 00:00",
                   now="2026-12-31 00:05")  # fmt: skip
    assert early["handling_units"] == later["handling_units"]
    graded = {u["unit"]: (u["on_time"], u["late"], u["overdue"]) for u in later["handling_units"]}
    assert graded["乙县人民政府"] == (0, 0, 1)


def test_a_relay_never_made_and_one_made_late_in_the_day_report(log, run):
    log("inner-mongolia")
    item = file_item(run, "--level", "重大", title="某旗森林火灾", occurred="2026-11-22 06:00",
                     at="2026-11-22 07:00", at_now=True)["id"]  # fmt: skip
    act(run, "instruct", item, "--from", "分管副主席", "--text", "全力扑救", "--to", "某旗人民政府",
        "--to", "某市应急局", at="2026-11-22 09:00")  # fmt: skip
    # 内政办发〔2014〕109号 二(三) 第一时间 (30 minutes, the policy's setting): due 09:30; 某旗
    # is relayed at 09:50 (late by 20 minutes), 某市应急局 never (overdue)
    act(run, "assign", item, "--to", "某旗人民政府", "--due", "4h", at="2026-11-22 09:50")
    day = report(run, "--date", "2026-11-22", now="2026-11-23 00:05")
    assert [(r["duty"], r["unit"], r["leader"]) for r in day["chase_late"]] == [
        ("relay", "某旗人民政府", "分管副主席")
    ]
    overdue = {(r["duty"], r["unit"]) for r in day["chase_overdue"]}
    # the unit's own 4 h clock (09:50 → 13:50) ran out too, with no feedback
    assert overdue == {("relay", "某市应急局"), ("assign", "某旗人民政府")}, day["chase_overdue"]
    text = report(run, "--date", "2026-11-22", now="2026-11-23 00:05", fmt="text")
    assert "转批示件 本单位→某市应急局：时限 11月22日 09:30" in text, text
    # relays are the office's own clocks: no handling unit is graded on them
    assert [u["unit"] for u in day["handling_units"]] == ["某旗人民政府"]


def test_a_sensitive_items_assignments_name_no_unit(office):
    run = office
    item = file_item(run, "--level", "一般", "--sensitive", title="涉密事件",
                     occurred="2026-11-21 08:00", at="2026-11-21 09:00", at_now=True)["id"]  # fmt: skip
    act(run, "assign", item, "--to", "某保密单位", "--task", "核查", "--due", "2h",
        at="2026-11-21 10:00")  # fmt: skip
    act(run, "feedback", item, "--from", "某保密单位", "--text", "已核查", "--done",
        at="2026-11-21 11:00")  # fmt: skip
    day = report(run, "--date", "2026-11-21", now="2026-11-22 00:05")
    (made,) = day["assigned"]
    assert made["unit"] != "某保密单位" and made["task"] != "核查" and made["state"] == "met"
    assert day["feedback"][0]["text"] != "已核查"
    assert [u["unit"] for u in day["handling_units"]] == ["（涉密/敏感要情的单位，不显示）"]
    for fmt in ("text", "markdown", "csv", "txt"):
        shown = report(run, "--date", "2026-11-21", now="2026-11-22 00:05", fmt=fmt)
        flat = shown.replace("\n", "")  # txt: 28 characters a line
        assert "承办单位" in flat and "某保密单位" not in flat and "核查" not in flat, shown
    shown = report(run, "--date", "2026-11-21", "--include-sensitive", now="2026-11-22 00:05")
    assert shown["handling_units"][0]["unit"] == "某保密单位"


def test_a_report_without_handing_down_has_no_such_sections(office):
    run = office
    file_item(run, "--level", "一般", title="某地山体滑坡")
    text = report(run, "--date", "2026-11-22", now="2026-11-23 00:05", fmt="text")
    assert "承办" not in text and "转办" not in text, text


def test_markdown_keeps_a_units_name_inert(office):
    run = office
    item = file_item(run, "--level", "一般", title="某地山体滑坡", occurred="2026-11-21 08:00",
                     at="2026-11-21 09:00", at_now=True)["id"]  # fmt: skip
    act(run, "assign", item, "--to", "某县*应急*局", "--due", "2h", at="2026-11-21 10:00")
    md = report(run, "--date", "2026-11-21", now="2026-11-22 00:05", fmt="markdown")
    assert "某县\\*应急\\*局" in md and "某县*应急*局" not in md, md


def test_csv_rows_for_the_downward_sections(yunnan):
    run, ids = yunnan
    out = report(run, "--period", "2026-11", "--keys", now="2026-12-10 09:00", fmt="csv")
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    by = {}
    for row in rows:
        by.setdefault(row["section"], []).append(row)
    assert [(r["unit"], r["task"]) for r in by["assigned"]][:2] == [
        ("甲县人民政府", "研究答复"),
        ("乙县人民政府", "研究答复"),
    ]
    assert [(r["unit"], r["text"], r["done"], r["state"]) for r in by["feedback"]][-1] == (
        "乙县人民政府", "已答复网民", "True", "late"
    )  # fmt: skip
    assert [(r["id"], r["unit"]) for r in by["chase_overdue"]] == [(ids["B"], "丙县人民政府")]
    graded = {r["unit"]: (r["due"], r["on_time"], r["on_time_rate"]) for r in by["handling_unit"]}
    assert graded["甲县人民政府"] == ("1", "1", "1.0") and graded["乙县人民政府"] == (
        "1",
        "0",
        "0.0",
    )

    # as a spreadsheet user reads it (the default): Chinese headers, sections and values
    out = report(run, "--period", "2026-11", now="2026-12-10 09:00", fmt="csv")
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    fed = [r for r in rows if r["栏目"] == "承办单位反馈"]
    assert (fed[-1]["单位"], fed[-1]["内容"], fed[-1]["办结"], fed[-1]["时间"]) == (
        "乙县人民政府", "已答复网民", "是", "2026-11-18 10:00"
    )  # fmt: skip
    (overdue,) = [r for r in rows if r["栏目"] == "转办、批示、督办逾期未完成"]
    assert (overdue["单位"], overdue["时限"], overdue["状态"]) == (
        "丙县人民政府", "承办单位办结并回复网民", "已逾期"
    )  # fmt: skip
    graded = {r["单位"]: r["按时率"] for r in rows if r["栏目"] == "各承办单位按时办结率"}
    assert graded["甲县人民政府"] == "100.0%" and graded["乙县人民政府"] == "0.0%"


def test_an_assignment_in_working_days_of_an_uncovered_year_is_said_loudly(office):
    """2027's official schedule is not in the calendar: a --due-days clock falls back to
    Monday–Friday, and the report says so (as for reporting clocks)."""
    run = office
    item = file_item(run, "--level", "一般", title="某地山体滑坡", occurred="2027-03-01 08:00",
                     at="2027-03-01 09:00", at_now=True)["id"]  # fmt: skip
    day = report(run, "--date", "2027-03-01", now="2027-03-02 00:05")
    assert day["calendar_fallback"] is False  # Shandong's clocks are in hours
    act(run, "assign", item, "--to", "某县人民政府", "--due-days", "5", at="2027-03-01 10:00")
    day = report(run, "--date", "2027-03-01", now="2027-03-02 00:05")
    assert day["calendar_fallback"] is True
    assert day["assigned"][0]["deadline"] == "2027-03-09T00:00:00+08:00"  # 03-02..05, 03-08


def test_a_notify_of_the_unit_meets_an_instructions_relay_clock(log, run):
    """内政办发〔2014〕109号 二(三) 第一时间将批示件转有关地区、部门: the relay clock (30 minutes,
    the policy's setting) of each unit an instruction names is met by telling that unit
    (`notify --who UNIT`, issue 13) as by an assignment; telling someone else meets nothing."""
    log("inner-mongolia")
    item = file_item(run, "--level", "重大", title="某旗森林火灾", occurred="2026-11-22 06:00",
                     at="2026-11-22 07:00", at_now=True)["id"]  # fmt: skip
    act(run, "instruct", item, "--from", "分管副主席", "--text", "全力扑救", "--to", "某旗人民政府",
        "--to", "某市应急局", "--to", "某市林草局", at="2026-11-22 09:00")  # fmt: skip
    # due 09:30 for each: 某旗 told by phone at 09:20 (met), 某市应急局 at 09:45 (late by 15
    # minutes), 某市林草局 never (someone else told instead: overdue)
    act(run, "notify", item, "--who", "某旗人民政府", "--by", "电话", at="2026-11-22 09:20")
    act(run, "notify", item, "--who", "某市应急局", "--by", "电话", at="2026-11-22 09:45")
    act(run, "notify", item, "--who", "某市公安局", "--by", "电话", at="2026-11-22 09:25")
    relays = {
        c["unit"]: c for c in item_json(run, item, "2026-11-22 12:00")["instructions"][0]["relay"]
    }
    assert relays["某旗人民政府"]["state"] == "met"
    assert relays["某旗人民政府"]["met_at"] == "2026-11-22T09:20:00+08:00"
    assert relays["某市应急局"]["state"] == "late"
    assert relays["某市林草局"]["state"] == "overdue" and relays["某市林草局"]["met_at"] is None
    chase = run(
        "status", "--chase", "--json", "--at", "2026-11-22 12:00", now=iso("2026-11-22 12:00")
    )
    assert chase.code == 0, chase
    assert [(c["role"], c["unit"]) for c in chase.json] == [("relay", "某市林草局")]
    day = report(run, "--date", "2026-11-22", now="2026-11-23 00:05")
    assert [(r["duty"], r["unit"]) for r in day["chase_late"]] == [("relay", "某市应急局")]
    assert [(r["duty"], r["unit"]) for r in day["chase_overdue"]] == [("relay", "某市林草局")]


def test_the_document_forms_grade_the_handling_units_too(yunnan, tmp_path):
    """report --format txt (and docx, from the same document): the 通报 counts what was handed
    down, names the breaches and grades the handling units; its title stays the report's."""
    run, ids = yunnan
    result = run("report", "--period", "2026-11", "--format", "txt", now=iso("2026-12-10 09:00"))
    assert result.code == 0, result
    flat = result.out.replace("\n", "")  # 28 characters a line
    assert "转办5项，承办单位反馈3次（其中办结2次）" in flat, result.out
    assert f"{ids['B']}　转办，单位：丙县人民政府，应于：11月10日0时" in flat, result.out
    assert "甲县人民政府：要情1，应办结1，按时1，逾时0，逾期0，按时办结率100.0%" in flat
    assert "乙县人民政府：要情1，应办结1，按时0，逾时1，逾期0，按时办结率0.0%" in flat
    assert "转办、批示、督办逾期未完成" not in result.out.split("统计时段")[0], result.out
    day = run("report", "--date", "2026-11-18", "--format", "txt", now=iso("2026-11-19 00:05"))
    flat = day.out.replace("\n", "")
    assert "单位：乙县人民政府，时间：11月18日10时，反馈或办结：办结（逾时）" in flat, day.out
    out = tmp_path / "通报.docx"
    docx = run("report", "--period", "2026-11", "--format", "docx", "-o", out,
               now=iso("2026-12-10 09:00"))  # fmt: skip
    assert docx.code == 0 and out.stat().st_size > 0, docx


def test_a_reopened_item_owes_its_assignments_again(office):
    """重新打开 undoes the close from then on (engine._closes): an assignment made after the
    reopening runs its clock, and one that falls due after it is owed again; only a clock that
    fell due while the item stood closed stays waived."""
    run = office
    item = file_item(run, "--level", "一般", title="某地山体滑坡", occurred="2026-11-22 07:00",
                     at="2026-11-22 08:00", at_now=True)["id"]  # fmt: skip
    act(run, "assign", item, "--to", "甲单位", "--due", "30m", at="2026-11-22 09:00")  # 09:30
    act(run, "assign", item, "--to", "乙单位", "--due", "3h", at="2026-11-22 09:00")  # 12:00
    act(run, "close", item, "--text", "处置完毕", at="2026-11-22 09:10")
    reopened = run("reopen", item, "--reason", "险情反复", now=iso("2026-11-22 10:00"))
    assert reopened.code == 0, reopened
    act(run, "assign", item, "--to", "丙单位", "--due", "1h", at="2026-11-22 10:10")  # 11:10
    clocks = {
        c["unit"]: c["state"] for c in item_json(run, item, "2026-11-22 10:30")["assignments"]
    }
    # 甲 fell due at 09:30 while the item stood closed: waived; 乙 and 丙 are owed
    assert clocks == {"甲单位": "waived", "乙单位": "pending", "丙单位": "pending"}, clocks
    clocks = {
        c["unit"]: c["state"] for c in item_json(run, item, "2026-11-22 12:30")["assignments"]
    }
    assert clocks == {"甲单位": "waived", "乙单位": "overdue", "丙单位": "overdue"}, clocks
    day = report(run, "--date", "2026-11-22", now="2026-11-23 00:05")
    assert {u["unit"]: u["overdue"] for u in day["handling_units"]} == {"乙单位": 1, "丙单位": 1}


def test_a_voided_item_grades_its_handling_units_only_on_their_breaches(office):
    """作废 (filed by mistake) counts in no timeliness figure, but a breach shown before the void
    stays (a breach is permanent), as for reporting units."""
    run = office
    item = file_item(run, "--level", "一般", title="重复录入", occurred="2026-11-22 07:00",
                     at="2026-11-22 08:00", at_now=True)["id"]  # fmt: skip
    act(run, "assign", item, "--to", "甲单位", "--to", "乙单位", "--due", "1h",
        at="2026-11-22 09:00")  # fmt: skip
    act(run, "feedback", item, "--from", "甲单位", "--text", "已办结", "--done",
        at="2026-11-22 09:30")  # fmt: skip
    # 乙单位's clock ran out at 10:00, before the void at 11:00
    act(run, "close", item, "--outcome", "void", "--reason", "重复录入", at="2026-11-22 11:00")
    day = report(run, "--date", "2026-11-22", now="2026-11-23 00:05")
    graded = {u["unit"]: (u["due"], u["on_time"], u["overdue"]) for u in day["handling_units"]}
    assert graded == {"乙单位": (1, 0, 1)}, day["handling_units"]
