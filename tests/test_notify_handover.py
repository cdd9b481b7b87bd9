"""Issue 13 items 3-4, end to end through the CLI: who was told (`notify`, `status --untold`),
the shift change (`handover`, `handover --list`), and the line that ends `status --overdue`.

The night shift of 2026-11-21/22 in a district office (历城区) under its own policy, which
extends Shandong's (鲁政办字〔2016〕86号, 鲁政办发〔2018〕18号) with the office's internal chain
(DOMAIN.md, "Escalation and who is told": offices write that chain in their own policy):
the deputy district head in charge is told of every item 较大 and above, and the head of the
duty office is told once a clock is within 4 hours of its deadline.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
from conftest import dump_log, file_item, iso
from export_helpers import read_export, rechain, write_export
from hypothesis import given, settings
from hypothesis import strategies as st

LEADER = "区政府分管副区长"
HEAD = "区政府值班室负责人"
CITY = "市政府应急办（市政府总值班室）"  # shandong.toml, every level (济政办字〔2016〕47号 二)
PROVINCE = "省政府应急办（省政府总值班室）"  # shandong.toml, 特别重大、重大 (86号 第2条、第9条)

LOCAL_POLICY = f"""
name = "licheng"
title = "历城区"
extends = "shandong"

[[recipients]]
who = "{LEADER}"
levels = ["especially-major", "major", "large"]
source = "本区值班工作制度（示例）：较大以上突发事件即报分管副区长"

[[escalation]]
who = "{HEAD}"
offset_minutes = -240
source = "本区值班工作制度（示例）：时限届满前4小时报值班室负责人"
"""


@pytest.fixture
def night(run, tmp_path, monkeypatch):
    """The office, its policy, and the explosion filed at 23:30 (occurred 23:00, received
    23:10) as 较大. Shandong 较大 owes 回应 within 48 h of the event (鲁政办发〔2018〕18号 三):
    due 2026-11-23 23:00."""
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "licheng.toml").write_text(LOCAL_POLICY, "utf-8")
    monkeypatch.setenv("YAOQING_POLICIES", str(folder))
    result = run(
        "init", "--office", "济南市历城区人民政府办公室", "--short", "历城区",
        "--policy", "licheng", "--drill",
    )  # fmt: skip
    assert result.code == 0, result
    item = file_item(
        run, "--level", "较大", "--received", "2026-11-21 23:10",
        title="某化工厂爆炸", occurred="2026-11-21 23:00", at="2026-11-21 23:30", at_now=True,
    )  # fmt: skip
    return item["id"]


def owed(shown: dict) -> set[str]:
    """Who the item still owes a telling (required or a copy), from show/status --json."""
    return {n["who"] for n in shown["notify"] if n["told_at"] is None and n["required"]}


def show(run, item_id, at):
    result = run("show", item_id, "--json", now=iso(at))
    assert result.code == 0, result
    return result.json


def notify(run, item_id, at, *args, now=None):
    return run("notify", item_id, "--at", at, *args, now=iso(now or at))


def test_a_told_leader_is_no_longer_owed_and_shows_when_and_how(run, night):
    before = show(run, night, "2026-11-22 02:30")
    assert {LEADER, CITY} <= owed(before)

    told = notify(run, night, "2026-11-22 02:40", "--who", LEADER, "--by", "电话")
    assert told.code == 0, told
    assert "已报告 2026-11-22 02:40  区政府分管副区长（电话）" in told.out

    after = show(run, night, "2026-11-22 02:50")
    assert LEADER not in owed(after) and CITY in owed(after)
    leader = next(n for n in after["notify"] if n["who"] == LEADER)
    assert leader["told_at"] == iso("2026-11-22 02:40")
    assert leader["told_by"] == "电话"
    text = run("status", now=iso("2026-11-22 02:50")).out
    assert f"现在须报告：{CITY}" in text
    assert LEADER not in text.split("现在须报告：")[1].split("\n")[0]  # not on the owed line
    assert f"已报告：{LEADER}（11-22 02:40 电话，值班员 张值班）" in text


def test_telling_the_same_recipient_again_is_recorded_and_said(run, night):
    assert "此前已于" not in notify(run, night, "2026-11-22 02:40", "--who", LEADER).out
    again = notify(run, night, "2026-11-22 03:10", "--who", LEADER, "--by", "电话")
    assert again.code == 0, again  # a call with news is a second telling: kept
    assert f"注意：此前已于 2026-11-22 02:40 报告过“{LEADER}”" in again.out, again
    told = show(run, night, "2026-11-22 03:20")
    leader = next(n for n in told["notify"] if n["who"] == LEADER)
    assert leader["told_at"] == iso("2026-11-22 02:40")  # the first telling still counts


def test_a_regrade_adds_a_recipient_shown_untold_and_the_told_stay_told(run, night):
    assert notify(run, night, "2026-11-22 02:40", "--who", LEADER).code == 0
    assert notify(run, night, "2026-11-22 02:45", "--who", CITY, "--by", "传真").code == 0
    quiet = run("status", "--untold", now=iso("2026-11-22 02:50"))
    assert quiet.code == 0, quiet
    assert "：0 条" in quiet.out and quiet.out.rstrip().endswith(
        "另有 1 条未终报，yaoqing status 查看"
    )

    regraded = run(
        "continue", night, "--level", "重大", "--reason", "伤亡上升", "--at", "2026-11-22 03:00",
        now=iso("2026-11-22 03:00"),
    )  # fmt: skip
    assert regraded.code == 0, regraded
    # 重大 adds the province desk; publish is due 2026-11-22 04:00 (事发 23:00 + 5 h,
    # 鲁政办发〔2018〕18号 三), so the head of the duty office is due since 00:00 (4 h before)
    after = show(run, night, "2026-11-22 03:05")
    assert owed(after) == {PROVINCE, HEAD}
    assert {LEADER, CITY} <= {n["who"] for n in after["notify"] if n["told_at"]}
    listed = run("status", "--untold", "--json", now=iso("2026-11-22 03:05"))
    assert [row["id"] for row in listed.json] == [night]

    # the escalation step told stays told after its clock stops running
    assert notify(run, night, "2026-11-22 03:10", "--who", HEAD, "--by", "当面").code == 0
    met = run("continue", night, "--done", "publish", "--text", "已发布", "--at", "2026-11-22 03:30",
              now=iso("2026-11-22 03:30"))  # fmt: skip
    assert met.code == 0, met
    later = show(run, night, "2026-11-22 06:00")
    assert HEAD not in owed(later)
    assert HEAD in {t["who"] for t in later["told"]}
    assert owed(later) == {PROVINCE}


def test_who_must_be_a_policy_name_or_an_explicit_other(run, night):
    near = notify(run, night, "2026-11-22 02:40", "--who", "分管副区长")
    assert near.code == 2, near
    assert f"是否指“{LEADER}”" in near.err and "--other" in near.err
    # typed with ASCII brackets (NFKC of the policy's full-width ones): the policy's name
    plain = notify(run, night, "2026-11-22 02:41", "--who", "市政府应急办(市政府总值班室)")
    assert plain.code == 0, plain
    assert CITY not in owed(show(run, night, "2026-11-22 02:50"))
    # a leader the policy does not name: recorded and shown, meets no requirement
    free = notify(run, night, "2026-11-22 02:42", "--who", "王书记", "--by", "当面")
    assert free.code == 0, free
    assert "不算完成任何报告要求" in free.out
    other = notify(run, night, "2026-11-22 02:43", "--who", "分管副区长", "--other")
    assert other.code == 0, other
    shown = show(run, night, "2026-11-22 02:50")
    assert LEADER in owed(shown)
    told = {t["who"]: t["listed"] for t in shown["told"]}
    assert told == {CITY: True, "王书记": False, "分管副区长": False}
    assert (
        "王书记（11-22 02:42 当面，值班员 张值班，政策以外）"
        in run("status", now=iso("2026-11-22 02:50")).out
    )


def test_a_recipient_named_without_its_bracketed_gloss_is_that_recipient(run, night):
    # shandong.toml names 市政府应急办（市政府总值班室）; officers say 市政府应急办
    short = notify(run, night, "2026-11-22 02:41", "--who", "市政府应急办", "--by", "电话")
    assert short.code == 0, short
    assert CITY in short.out and "不算完成" not in short.out
    shown = show(run, night, "2026-11-22 02:50")
    assert CITY not in owed(shown)
    assert [t["who"] for t in shown["told"]] == [CITY]


@pytest.mark.parametrize(
    "at, why",
    [
        ("2026-11-21 23:05", "早于接报时间"),  # received 23:10: nobody could be told earlier
        ("2026-11-22 03:00", "未来"),  # the command runs at 02:00
    ],
)
def test_a_telling_before_the_item_was_received_or_in_the_future_is_refused(run, night, at, why):
    refused = notify(run, night, at, "--who", LEADER, now="2026-11-22 02:00")
    assert refused.code == 2, refused
    assert why in refused.err


def test_a_sensitive_item_shows_only_that_it_was_told(run, night):
    item = file_item(
        run, "--level", "较大", "--sensitive", title="涉密事项", occurred="2026-11-22 01:00",
        at="2026-11-22 01:30", at_now=True,
    )["id"]  # fmt: skip
    told = notify(run, item, "2026-11-22 02:00", "--who", LEADER, "--text", "领导指示严格保密处置")
    assert told.code == 0, told
    moment = iso("2026-11-22 03:00")
    for args in (("status",), ("status", "--json"), ("show", item), ("show", item, "--json"),
                 ("report", "--date", "2026-11-22"),
                 ("report", "--date", "2026-11-22", "--format", "json")):  # fmt: skip
        shown = run(*args, now=moment)
        assert shown.code == 0, shown
        assert "严格保密" not in shown.out and "涉密事项" not in shown.out, args
        assert LEADER in shown.out, args
    full = run("show", item, "--include-sensitive", now=moment)
    assert "严格保密" in full.out


def test_the_overdue_view_always_ends_counting_the_open_items_it_left_out(run, night):
    """The 08:00 handover of the issue: nothing overdue, an explosion still open."""
    for flags in ((), ("--brief",), ("--full",)):
        shown = run("status", "--overdue", *flags, now=iso("2026-11-22 08:00"))
        assert shown.code == 0, shown
        assert "：0 条" in shown.out
        assert shown.out.rstrip().splitlines()[-1] == "另有 1 条未终报，yaoqing status 查看"
    # one overdue: a general item filed 2026-11-19, respond due 11-21 08:00 (48 h)
    old = file_item(run, "--level", "一般", title="旧事件", occurred="2026-11-19 08:00",
                    at="2026-11-19 09:00")["id"]  # fmt: skip
    shown = run("status", "--overdue", now=iso("2026-11-22 08:00"))
    assert old in shown.out and night not in shown.out.split("另有")[0]
    assert shown.out.rstrip().splitlines()[-1] == "另有 1 条未终报，yaoqing status 查看"
    run(
        "close",
        night,
        "--text",
        "处置完毕",
        "--at",
        "2026-11-22 08:05",
        now=iso("2026-11-22 08:05"),
    )
    shown = run("status", "--overdue", now=iso("2026-11-22 08:10"))
    assert shown.out.rstrip().splitlines()[-1] == "另有 0 条未终报（未终报要情均已列出）"


def test_handover_freezes_the_board_whatever_the_log_learns_afterwards(run, night):
    assert notify(run, night, "2026-11-22 02:40", "--who", LEADER, "--by", "电话").code == 0
    run("continue", night, "--level", "重大", "--reason", "伤亡上升", "--at", "2026-11-22 03:00",
        now=iso("2026-11-22 03:00"))  # fmt: skip
    # publish due 04:00 (5 h) is missed; press due 2026-11-22 23:00 (24 h)
    handed = run("handover", "--to", "李接班", "--note", "爆炸事故：省应急办尚未报告",
                 now=iso("2026-11-22 08:00"))  # fmt: skip
    assert handed.code == 0, handed
    sheet = handed.out
    assert "交接班 2026-11-22 08:00：张值班 → 李接班" in sheet
    assert "未终报要情：1 条" in sheet
    assert "已逾期：1 项" in sheet and "发布权威信息  逾期 4小时（时限 11月22日 04:00）" in sheet
    assert "接班后 4 小时内到期：0 项" in sheet
    owed_line = next(line for line in sheet.splitlines() if "须报告（未报告）：" in line)
    assert PROVINCE in owed_line and LEADER not in owed_line
    assert f"{LEADER}（11-22 02:40 电话）" in sheet
    assert "交班留言：爆炸事故：省应急办尚未报告" in sheet

    # afterwards: the province desk is told (back-entered to 07:30) and publish met late
    assert (
        notify(run, night, "2026-11-22 07:30", "--who", PROVINCE, now="2026-11-22 08:30").code == 0
    )
    run("continue", night, "--done", "publish", "--text", "已发布", "--at", "2026-11-22 08:40",
        now=iso("2026-11-22 08:40"))  # fmt: skip
    assert PROVINCE not in owed(show(run, night, "2026-11-22 09:00"))
    listed = run("handover", "--list", "--date", "2026-11-22", now=iso("2026-11-22 09:00"))
    assert listed.code == 0, listed
    assert listed.out.startswith("2026-11-22 交接班 1 次")
    assert sheet.split("\n", 1)[1] in listed.out  # the same sheet, line for line

    report = run("report", "--date", "2026-11-22", "--format", "json", now=iso("2026-11-23 00:10"))
    assert [(s["at"], s["from"], s["to"]) for s in report.json["shifts"]] == [
        (iso("2026-11-22 08:00"), "张值班", "李接班")
    ]
    assert [(t["at"], t["who"], t["by"]) for t in report.json["told"]] == [
        (iso("2026-11-22 02:40"), LEADER, "电话"),
        (iso("2026-11-22 07:30"), PROVINCE, None),
    ]
    text = run("report", "--date", "2026-11-22", now=iso("2026-11-23 00:10")).out
    assert "交接班（1）\n  2026-11-22 08:00 张值班 → 李接班" in text
    assert (
        f"{night} 某化工厂爆炸（重大（II级））：11-22 02:40 {LEADER}（电话） 值班员 张值班；"
        f"11-22 07:30 {PROVINCE} 值班员 张值班"
    ) in text


def test_handover_names_both_officers(run, night):
    same = run("handover", "--to", "张值班", now=iso("2026-11-22 08:00"))
    assert same.code == 2 and "交班人与接班人" in same.err, same
    nobody = run("handover", "--note", "x", now=iso("2026-11-22 08:00"))
    assert nobody.code == 2 and "--to" in nobody.err, nobody
    empty = run("handover", "--list", "--date", "2026-11-20")
    assert empty.code == 0 and "没有交接班记录" in empty.out


def test_export_round_trip_keeps_notify_and_handover_and_a_forged_sheet_is_refused(
    run, night, tmp_path, monkeypatch
):
    assert notify(run, night, "2026-11-22 02:40", "--who", LEADER, "--by", "电话",
                  "--text", "领导要求\n每小时续报").code == 0  # fmt: skip
    assert run("handover", "--to", "李接班", now=iso("2026-11-22 08:00")).code == 0
    closed = run("close", night, "--text", "处置完毕", "--at", "2026-11-22 08:10",
                 now=iso("2026-11-22 08:10"))  # fmt: skip
    assert closed.code == 0, closed
    # told after the close (the final report went to the city desk): still recorded
    late = notify(run, night, "2026-11-22 08:20", "--who", CITY, "--by", "传真")
    assert late.code == 0, late
    exported = tmp_path / "out.jsonl"
    assert run("export", "--output", exported).code == 0
    moment = iso("2026-11-22 09:00")
    originals = [run(*args, now=moment).out for args in
                 (("handover", "--list", "--date", "2026-11-22"), ("status", "--all"),
                  ("report", "--date", "2026-11-22"))]  # fmt: skip
    assert f"11-22 08:20 {CITY}（传真）" in originals[2]

    copy = tmp_path / "copy.db"
    monkeypatch.setenv("YAOQING_DB", str(copy))
    made = run("init", "--office", "济南市历城区人民政府办公室", "--short", "历城区",
               "--policy", "licheng", "--drill")  # fmt: skip
    assert made.code == 0, made
    taken = run("import", exported)
    assert taken.code == 0, taken
    assert run("verify").code == 0
    copies = [run(*args, now=moment).out for args in
              (("handover", "--list", "--date", "2026-11-22"), ("status", "--all"),
               ("report", "--date", "2026-11-22"))]  # fmt: skip
    # the same, but for the anchor line: the copy's chain is its own
    assert copies[:2] == originals[:2]
    assert copies[2].split("日志锚点")[0] == originals[2].split("日志锚点")[0]

    # a sheet edited (the untold province desk removed) and re-chained: refused at its line
    records = read_export(exported)
    sheet = next(r for r in records if r.get("type") == "handover")
    sheet["data"]["items"][0]["untold"] = []
    forged = write_export(tmp_path / "forged.jsonl", rechain(records))
    fresh = tmp_path / "fresh.db"
    monkeypatch.setenv("YAOQING_DB", str(fresh))
    run("init", "--office", "济南市历城区人民政府办公室", "--short", "历城区",
        "--policy", "licheng", "--drill")  # fmt: skip
    before = dump_log(fresh)
    refused = run("import", forged)
    assert refused.code == 1, refused
    assert "交接单" in refused.err

    # a notify whose `by` the command would have written otherwise
    records = read_export(exported)
    told = next(r for r in records if r.get("type") == "notify")
    told["data"]["by"] = "phone"
    forged = write_export(tmp_path / "forged2.jsonl", rechain(records))
    refused = run("import", forged)
    assert refused.code == 1 and "报告方式" in refused.err, refused

    # a policy name in ASCII brackets: the command keeps the policy's own spelling
    records = read_export(exported)
    told = next(r for r in records if r.get("type") == "notify" and r["data"]["who"] == CITY)
    told["data"]["who"] = "市政府应急办(市政府总值班室)"
    forged = write_export(tmp_path / "forged3.jsonl", rechain(records))
    refused = run("import", forged)
    assert refused.code == 1 and "照政策的写法" in refused.err, refused
    assert dump_log(fresh) == before  # the log unchanged by every refusal


# --- the property: told stays told ----------------------------------------------------------

STEPS = st.lists(
    st.tuples(
        st.sampled_from(["level", "notify", "continue", "extend-time"]),
        st.sampled_from(["especially-major", "major", "large", "general"]),
        st.sampled_from([LEADER, CITY, PROVINCE, HEAD, "王书记"]),
        st.integers(min_value=1, max_value=600),
    ),
    max_size=12,
)


POLICY: list = []  # the local policy, loaded once for every example


@settings(max_examples=60, deadline=None)
@given(steps=STEPS, first=st.sampled_from([LEADER, CITY, HEAD]))
def test_told_recipients_never_become_untold(steps, first, tmp_path_factory):
    """After `first` is told, no later level change, follow-up or other telling, judged at
    any later moment, shows `first` as owed again."""
    from yaoqing_cli.engine import evaluate
    from yaoqing_cli.models import Event, Item
    from yaoqing_cli.policy import load_policy, policy_dirs
    from yaoqing_cli.workdays import WorkCalendar

    if not POLICY:
        folder = tmp_path_factory.mktemp("policies")
        (folder / "licheng.toml").write_text(LOCAL_POLICY, "utf-8")
        POLICY.append(load_policy("licheng", policy_dirs([folder])))
    policy = POLICY[0]
    calendar = WorkCalendar()
    start = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)
    item = Item("20261121-001", 2026, 1, "某化工厂爆炸", "emergency", "large", "licheng",
                policy.hash, start, start, start)  # fmt: skip
    events = [Event(1, "u1", item.id, "file", start, start, None, {})]
    told_at = start + timedelta(minutes=5)
    events.append(Event(2, "u2", item.id, "notify", told_at, told_at, None,
                        {"who": first, "by": None, "text": None}))  # fmt: skip
    moment, level = told_at, "large"
    for n, (kind, to, who, minutes) in enumerate(steps, 3):
        moment += timedelta(minutes=minutes)
        if kind == "level" and to != level:
            events.append(Event(n, f"u{n}", item.id, "level", moment, moment, None,
                                {"from": level, "to": to, "reason": "核定"}))  # fmt: skip
            level = to
        elif kind == "notify":
            events.append(Event(n, f"u{n}", item.id, "notify", moment, moment, None,
                                {"who": who, "by": "电话", "text": None}))  # fmt: skip
        elif kind == "continue":
            events.append(Event(n, f"u{n}", item.id, "continue", moment, moment, None,
                                {"n": n, "text": "续报", "done": []}))  # fmt: skip
        status = evaluate(item, events, policy, calendar, moment)
        assert first not in {n.who for n in status.untold}
        assert first in {t.who for t in status.told}
        assert all(n.told_at is not None for n in status.notify if n.who == first)


def test_notify_json_prints_the_event(run, night):
    shown = run("notify", night, "--who", LEADER, "--at", "2026-11-22 02:40", "--json",
                now=iso("2026-11-22 02:50"))  # fmt: skip
    assert shown.code == 0, shown
    event = shown.json["events"][0]
    assert event["type"] == "notify"
    assert event["data"] == {"who": LEADER, "by": None, "text": None}
    assert json.dumps(event["data"], ensure_ascii=False)


@pytest.mark.parametrize("projected", [True, False])
def test_a_brief_board_shows_the_told_as_told(run, log, projected):
    """Above 20 overdue items the board is one line per clock, read from the clocks
    projection when nothing happened after the moment asked, else judged in full: both say
    who was told. Inner Mongolia: 第一次续报 due 1 h after the first report (呼政办发〔2014〕30号 一)."""
    office = log("内蒙古")
    ids = [
        office.file(
            f"事件{n}", f"2026-11-21 {n:02d}:00", f"2026-11-21 {n:02d}:10", "--level", "一般"
        )
        for n in range(21)
    ]
    who = (
        "自治区人民政府办公厅（先电话报告，2小时内报文字材料）"  # as inner-mongolia.toml spells it
    )
    told = run("notify", ids[0], "--who", who, "--at", "2026-11-21 02:00")
    assert told.code == 0, told
    moment = "2026-11-22 12:00" if projected else "2026-11-21 23:00"
    lines = run("status", "--overdue", now=iso(moment)).out.splitlines()
    first = next(line for line in lines if line.startswith(ids[0]))
    second = next(line for line in lines if line.startswith(ids[1]))
    assert f"已报告：{who}" in first and "须报告：" in first
    assert who not in first.split("已报告：")[0]
    assert who in second.split("须报告：")[1]


def test_the_sheet_lists_what_falls_due_early_in_the_next_shift_and_hides_sensitive_titles(
    run, night
):
    """A 重大 item of 06:00 owes 发布权威信息 by 11:00 (5 h, 鲁政办发〔2018〕18号 三): within the
    next shift's first 4 hours of an 08:00 handover; its 24 h press conference is not."""
    soon = file_item(run, "--level", "重大", "--sensitive", title="涉密火情",
                     occurred="2026-11-22 06:00", at="2026-11-22 06:30", at_now=True)["id"]  # fmt: skip
    handed = run("handover", "--to", "李接班", now=iso("2026-11-22 08:00"))
    assert handed.code == 0, handed
    sheet = handed.out
    assert "未终报要情：2 条" in sheet
    due = sheet.split("接班后 4 小时内到期：")[1].split("尚未报告")[0]
    assert due.startswith("1 项")
    assert f"{soon}  发布权威信息  剩 3小时（时限 11月22日 11:00）" in due
    assert "举行新闻发布会" not in due
    assert "涉密火情" not in sheet and "〔涉密/敏感" in sheet
    listed = run("handover", "--list", "--include-sensitive", now=iso("2026-11-22 08:30"))
    assert "涉密火情" in listed.out
    assert "涉密火情" not in run("handover", "--list", now=iso("2026-11-22 08:30")).out
    [sheet] = run("handover", "--list", "--json", now=iso("2026-11-22 08:30")).json
    assert (sheet["at"], sheet["from"], sheet["to"], sheet["due_hours"]) == (
        iso("2026-11-22 08:00"),
        "张值班",
        "李接班",
        4,
    )
    frozen = {entry["id"]: entry for entry in sheet["items"]}
    assert frozen[soon]["title"] is None and frozen[soon]["sensitive"]
    assert {c["key"]: c["deadline"] for c in frozen[soon]["clocks"]} == {
        "publish": iso("2026-11-22 11:00"),
        "press": iso("2026-11-23 06:00"),
    }


def test_a_name_the_log_already_uses_is_never_a_near_miss(run, night):
    """市政府办公厅 is near the policy's 市政府办公厅负责同志, but it is a unit of the directory,
    and 省政府办公厅 the office supervising an item (传与跟, issue 14): both are taken as typed,
    meeting no policy requirement (the downward clocks read them: chuan.py)."""
    assert notify(run, night, "2026-11-22 02:40", "--who", "市政府办公厅").code == 2
    added = run("unit", "add", "市政府办公厅", "--phone", "0531-1", now=iso("2026-11-22 02:45"))
    assert added.code == 0, added
    told = notify(run, night, "2026-11-22 02:50", "--who", "市政府办公厅")
    assert told.code == 0, told
    assert "不算完成" not in told.out
    supervised = file_item(run, "--kind", "opinion", "--from-above", "省政府办公厅", "--supervised",
                           title="督办舆情", occurred="2026-11-22 01:00", at="2026-11-22 01:30",
                           at_now=True)["id"]  # fmt: skip
    told = notify(run, supervised, "2026-11-22 03:00", "--who", "省政府办公厅")
    assert told.code == 0, told
    assert {t["who"]: t["listed"] for t in show(run, supervised, "2026-11-22 03:10")["told"]} == {
        "省政府办公厅": False
    }


def test_a_month_report_keeps_the_tellings_in_json_only(run, night):
    assert notify(run, night, "2026-11-22 02:40", "--who", LEADER).code == 0
    assert run("handover", "--to", "李接班", now=iso("2026-11-22 08:00")).code == 0
    moment = iso("2026-12-01 00:10")
    month = run("report", "--period", "2026-11", now=moment)
    assert month.code == 0, month
    assert "已报告（" not in month.out and "交接班" not in month.out
    data = run("report", "--period", "2026-11", "--format", "json", now=moment).json
    assert [t["who"] for t in data["told"]] == [LEADER]
    assert [s["to"] for s in data["shifts"]] == ["李接班"]


def test_a_partial_export_checks_handovers_and_does_not_take_them(
    run, night, tmp_path, monkeypatch
):
    """export --since carries every office-level event but only the items filed since: a
    handover naming an earlier item cannot be vouched for by the copy, so it is not taken."""
    assert run("handover", "--to", "李接班", now=iso("2026-11-22 08:00")).code == 0
    later = file_item(run, "--level", "一般", title="晚到事件", occurred="2026-11-22 09:00",
                      at="2026-11-22 09:10", at_now=True)["id"]  # fmt: skip
    exported = tmp_path / "since.jsonl"
    done = run("export", "--since", "2026-11-22 09:00", "--output", exported,
               now=iso("2026-11-22 10:00"))  # fmt: skip
    assert done.code == 0, done
    monkeypatch.setenv("YAOQING_DB", str(tmp_path / "copy.db"))
    run("init", "--office", "济南市历城区人民政府办公室", "--short", "历城区",
        "--policy", "licheng", "--drill")  # fmt: skip
    taken = run("import", exported)
    assert taken.code == 0, taken
    assert "未采用" in taken.out
    assert "没有交接班记录" in run("handover", "--list", "--date", "2026-11-22").out
    assert later in run("status").out


def test_a_masked_export_round_trips_a_handover_with_a_sensitive_item(
    run, night, tmp_path, monkeypatch
):
    secret = file_item(run, "--level", "较大", "--sensitive", "--location", "某地",
                       title="涉密事项", occurred="2026-11-22 01:00", at="2026-11-22 01:30",
                       at_now=True)["id"]  # fmt: skip
    assert notify(run, secret, "2026-11-22 02:00", "--who", LEADER, "--text", "机密内容").code == 0
    assert run("handover", "--to", "李接班", now=iso("2026-11-22 08:00")).code == 0
    exported = tmp_path / "masked.jsonl"
    assert run("export", "--output", exported).code == 0  # sensitive content masked
    assert "机密内容" not in exported.read_text("utf-8")
    sheet = run("handover", "--list", "--date", "2026-11-22", now=iso("2026-11-22 09:00")).out
    monkeypatch.setenv("YAOQING_DB", str(tmp_path / "copy.db"))
    run("init", "--office", "济南市历城区人民政府办公室", "--short", "历城区",
        "--policy", "licheng", "--drill")  # fmt: skip
    taken = run("import", "--allow-masked", exported)
    assert taken.code == 0, taken
    copied = run("handover", "--list", "--date", "2026-11-22", now=iso("2026-11-22 09:00")).out
    assert copied == sheet
