"""Every clock in DOMAIN.md's table, worked out by hand from the documents, through the real CLI.

Each case files items into a fresh log under one province's policy, then asks
`status --json --all --at T` and compares each duty's deadline and state with the figure below.
All times are China Standard Time (+08:00).
"""

from pathlib import Path

import pytest

from tests.conftest import iso

REPO = Path(__file__).resolve().parent.parent


def check(duty, deadline, state, met_at=None):
    assert (duty["deadline"], duty["state"]) == (iso(deadline), state), duty
    assert duty["met_at"] == (iso(met_at) if met_at else None), duty


# --- Inner Mongolia: 内政办发〔2014〕109号 二(一), 呼政办发〔2014〕30号 一 --------------------------


def test_inner_mongolia_written_report_within_2h_of_the_event_and_followup_within_1h(log):
    im = log("内蒙古")
    item = im.file("某煤矿透水", "2026-11-22 08:00", "2026-11-22 09:30", "--level", "重大")
    d = im.duties(item, "2026-11-22 10:00")
    check(d["report"], "2026-11-22 10:00", "met", "2026-11-22 09:30")  # 08:00 + 2 h
    check(d["followup"], "2026-11-22 10:30", "due_soon")  # 09:30 + 1 h, 30 min left
    d = im.duties(item, "2026-11-22 10:31")
    check(d["followup"], "2026-11-22 10:30", "overdue")
    im.cont(item, "2026-11-22 10:20", "--text", "已救出3人")
    d = im.duties(item, "2026-11-22 10:31")
    check(d["followup"], "2026-11-22 10:30", "met", "2026-11-22 10:20")


def test_inner_mongolia_late_first_report_and_late_followup(log):
    im = log("inner-mongolia")
    item = im.file("某地森林火灾", "2026-11-22 08:00", "2026-11-22 10:30", "--level", "较大")
    im.cont(item, "2026-11-22 11:45", "--text", "火势已控制")
    d = im.duties(item, "2026-11-22 12:00")
    check(d["report"], "2026-11-22 10:00", "late", "2026-11-22 10:30")
    check(d["followup"], "2026-11-22 11:30", "late", "2026-11-22 11:45")


def test_inner_mongolia_recipients_by_level(log):
    """From a Hohhot banner, county or city department (呼政办发〔2014〕30号's addressees): the
    city desk (30号 一), the region's office by phone and in writing within 2 h (内政办发〔2014〕
    109号 二(一)), the Party office at the same time (三(二)); for an event of major effect the
    head approves the text (五). The vice-chairman, chairman and secretary-general are told by
    the regional office (二(三)), never by this seat."""
    im = log("内蒙古")
    general = im.file("一般事件", "2026-11-22 08:00", "2026-11-22 08:30", "--level", "一般")
    top = im.file("特别重大事件", "2026-11-22 08:00", "2026-11-22 08:30", "--level", "I")
    board = im.status("2026-11-22 09:00")
    chain = ["市政府办公厅应急办和信息处", "自治区人民政府办公厅（先电话报告，2小时内报文字材料）",
             "本级党委办公部门（同时报送）"]  # fmt: skip
    assert [n["who"] for n in board[general]["notify"]] == chain
    assert [n["who"] for n in board[top]["notify"]] == [
        *chain,
        "本级政府（部门）主要负责人（审定信息）",
    ]
    assert all(n["required"] and not n["copy"] for n in board[top]["notify"])
    assert board[top]["notify"][0]["why"] == "呼政办发〔2014〕30号 一"
    assert "内政办发〔2014〕109号 二(一)" in board[top]["notify"][1]["why"]
    everyone = {n["who"] for entry in board.values() for n in entry["notify"]}
    assert not everyone & {"分管副主席", "自治区主席", "秘书长"}


def test_inner_mongolia_first_report_lacks_elements_until_a_followup_supplies_them(log):
    im = log("内蒙古")
    item = im.file(
        "某路段交通事故", "2026-11-22 08:00", "2026-11-22 08:40", "--level", "一般",
        "--location", "G6 高速 K100", "--consequences", "2人受伤",
    )  # fmt: skip
    assert im.status("2026-11-22 09:00")[item]["missing"] == [
        "发展趋势", "已采取的处置措施", "报送单位", "事态经过",
    ]  # fmt: skip
    im.cont(item, "2026-11-22 09:10", "--measures", "已封闭车道", "--text", "伤员已送医")
    assert im.status("2026-11-22 09:20")[item]["missing"] == ["发展趋势", "报送单位"]


# --- Shandong: 鲁政办发〔2018〕18号 三 ------------------------------------------------------------


def test_shandong_major_publish_5h_and_press_24h_from_the_event(log):
    sd = log("山东")
    item = sd.file("某化工厂爆炸舆情", "2026-11-22 08:00", "2026-11-22 08:30", "--kind", "opinion",
                   "--level", "重大", "--about-level", "重大")  # fmt: skip
    d = sd.duties(item, "2026-11-22 11:30")
    assert set(d) == {"publish", "press"}
    check(d["publish"], "2026-11-22 13:00", "pending")  # 90 min left: window is 75 min
    check(d["press"], "2026-11-23 08:00", "pending")
    check(sd.duties(item, "2026-11-22 12:00")["publish"], "2026-11-22 13:00", "due_soon")
    check(sd.duties(item, "2026-11-22 13:01")["publish"], "2026-11-22 13:00", "overdue")
    sd.cont(item, "2026-11-22 12:40", "--done", "publish", "--text", "已发布通报")
    d = sd.duties(item, "2026-11-23 09:00")
    check(d["publish"], "2026-11-22 13:00", "met", "2026-11-22 12:40")
    check(d["press"], "2026-11-23 08:00", "overdue")
    sd.cont(item, "2026-11-23 10:00", "--done", "press")
    check(
        sd.duties(item, "2026-11-23 11:00")["press"], "2026-11-23 08:00", "late", "2026-11-23 10:00"
    )


def test_shandong_general_respond_48h_and_only_the_named_followup_meets_it(log):
    sd = log("shandong")
    item = sd.file("某小区停水", "2026-11-20 09:00", "2026-11-20 10:00", "--kind", "opinion",
                   "--level", "一般", "--about-level", "一般")  # fmt: skip
    sd.cont(item, "2026-11-21 09:00", "--text", "正在抢修")  # a follow-up, but not the response
    d = sd.duties(item, "2026-11-22 09:01")
    assert set(d) == {"respond"}
    check(d["respond"], "2026-11-22 09:00", "overdue")


def test_shandong_level_change_recomputes_from_the_same_anchor_and_says_what_moved(log):
    sd = log("山东")
    item = sd.file("某地群体聚集", "2026-11-22 08:00", "2026-11-22 08:30", "--kind", "emergency",
                   "--level", "一般")  # fmt: skip
    assert set(sd.duties(item, "2026-11-22 09:00")) == {"respond"}
    sd.cont(item, "2026-11-22 10:00", "--level", "重大", "--text", "人数增至数百人")
    d = sd.duties(item, "2026-11-22 10:05")
    check(d["publish"], "2026-11-22 13:00", "pending")  # still 08:00 + 5 h, not 10:00 + 5 h
    check(d["press"], "2026-11-23 08:00", "pending")
    check(d["respond"], "2026-11-24 08:00", "waived")  # no longer owed at 重大
    [change] = d["publish"]["changes"]
    assert change["old_deadline"] is None and change["new_deadline"] == iso("2026-11-22 13:00")
    assert "人数增至数百人" in change["reason"]
    [change] = d["respond"]["changes"]
    assert change["old_deadline"] == iso("2026-11-24 08:00") and change["new_deadline"] is None


def test_shandong_ungraded_item_owes_every_level_clock_and_lacks_its_level(log):
    sd = log("山东")
    item = sd.file("某地疫情", "2026-11-22 08:00", "2026-11-22 08:30", "--kind", "emergency")
    entry = sd.status("2026-11-22 09:00")[item]
    assert {d["key"] for d in entry["duties"]} == {"publish", "press", "respond"}
    assert entry["missing"][0] == "级别"


def test_a_warning_owes_no_response_clock_and_did_not_occur_is_exempt(log):
    sd = log("山东")
    item = sd.file("寒潮预警", "2026-11-22 08:00", "2026-11-22 08:30", "--kind", "warning")
    sd.close(item, "2026-11-22 18:00", "--outcome", "did-not-occur")
    entry = sd.status("2026-11-22 19:00")[item]
    assert entry["duties"] == [] and entry["outcome"] == "did-not-occur"


# --- closing: owes nothing further, late stays late, exempt owes nothing -------------------------


@pytest.mark.parametrize(
    ("close_at", "outcome", "state"),
    [
        ("2026-11-22 09:30", "resolved", "waived"),  # closed before the follow-up fell due
        ("2026-11-22 11:00", "resolved", "overdue"),  # the follow-up was missed: stays missed
        # 鲁政办字〔2016〕86号 第18条 excuses a report that proved wrong, never a missed clock
        ("2026-11-22 11:00", "misreport", "overdue"),
        ("2026-11-22 09:30", "misreport", "waived"),
    ],
)
def test_closing_an_item_stops_its_clocks(log, close_at, outcome, state):
    im = log("内蒙古")
    item = im.file("某地山洪", "2026-11-22 08:00", "2026-11-22 09:00", "--level", "一般")
    im.close(item, close_at, "--outcome", outcome, "--reason", "经核实系误传")
    d = im.duties(item, "2026-11-23 12:00")
    check(d["followup"], "2026-11-22 10:00", state)
    check(d["report"], "2026-11-22 10:00", "met", "2026-11-22 09:00")


def test_closing_keeps_a_late_duty_late(log):
    sd = log("山东")
    item = sd.file("某事件", "2026-11-22 06:00", "2026-11-22 07:00", "--kind", "opinion",
                   "--level", "重大", "--about-level", "重大")  # fmt: skip
    sd.cont(item, "2026-11-22 14:00", "--done", "publish")
    sd.close(item, "2026-11-22 15:00")
    d = sd.duties(item, "2026-11-25 00:00")
    check(d["publish"], "2026-11-22 11:00", "late", "2026-11-22 14:00")
    check(d["press"], "2026-11-23 06:00", "waived")


# --- Yunnan: 云政办发〔2016〕106号 四(三)、五、六 --------------------------------------------------


def test_yunnan_major_report_within_1h_and_press_within_24h(log):
    yn = log("云南")
    on_time = yn.file("某地泥石流", "2026-11-22 08:00", "2026-11-22 08:50", "--level", "重大")
    late = yn.file("某地爆炸", "2026-11-22 08:00", "2026-11-22 09:20", "--level", "特别重大")
    board = yn.status("2026-11-22 10:00")
    d = {x["key"]: x for x in board[on_time]["duties"]}
    check(d["report"], "2026-11-22 09:00", "met", "2026-11-22 08:50")
    check(d["press"], "2026-11-23 08:00", "pending")
    d = {x["key"]: x for x in board[late]["duties"]}
    check(d["report"], "2026-11-22 09:00", "late", "2026-11-22 09:20")
    # 云政办发〔2016〕106号 五 (who is told of a major item), 二 (特别重大: this level's
    # government head), 三(三) (copies: to the openness office; to two provincial offices when
    # the report reaches the province, as 五's report to the superior government does)
    who = [(n["who"], n["copy"]) for n in board[late]["notify"]]
    assert who == [("舆情责任单位新闻发言人", False), ("舆情责任单位主要负责同志", False),
                   ("上级政府和主管部门", False), ("本级政府主要负责同志", False),
                   ("省政务公开领导小组办公室", True), ("省新闻宣传和舆论处置联席会议办公室", True),
                   ("政务公开日常工作负责部门", True)]  # fmt: skip
    assert "本级政府主要负责同志" not in [n["who"] for n in board[on_time]["notify"]]  # 重大


def test_yunnan_large_item_respond_48h_and_routing_by_category(log):
    yn = log("yunnan")
    item = yn.file("网传某校食堂问题", "2026-11-22 08:00", "2026-11-22 09:00", "--kind", "opinion",
                   "--level", "较大", "--about-level", "较大", "--category", "民生热点")  # fmt: skip
    entry = yn.status("2026-11-22 10:00")[item]
    [duty] = entry["duties"]
    check(duty, "2026-11-24 08:00", "pending")
    # 云政办发〔2016〕106号 三(三): the category names who sends the report (归口报送), not
    # someone to tell; the copy to the openness office stays a recipient (抄送)
    assert [n["who"] for n in entry["notify"]] == ["政务公开日常工作负责部门"]
    assert entry["notify"][0]["copy"] is True
    assert entry["routed_from"] == "业务职能主管部门"


@pytest.mark.parametrize(
    ("cls", "filed", "due"),
    [
        # 2026-09-25 is Mid-Autumn; 10-01..08 National Day; 09-28..30, 10-09, 10-10 (Saturday,
        # make-up workday) count: the 20th working day is Thursday 10-29.
        ("appeal", "2026-09-25 10:00", "2026-10-30 00:00"),
        ("praise", "2026-11-20 16:00", "2026-11-28 00:00"),  # Fri; 11-23..27 → 5th is 11-27
        ("advice", "2026-11-20 16:00", "2026-12-05 00:00"),  # 10th working day is Fri 12-04
    ],
)
def test_yunnan_message_reply_in_working_days(log, cls, filed, due):
    yn = log("云南")
    item = yn.file("网民留言", filed, filed, "--kind", "message", "--class", cls)
    [duty] = yn.status(filed)[item]["duties"]
    check(duty, due, "pending")
    assert duty["calendar_fallback"] is False


def test_yunnan_extension_counts_ten_working_days_from_the_original_deadline(log, run):
    yn = log("云南")
    item = yn.file("申诉留言", "2026-09-25 10:00", "2026-09-25 10:00", "--kind", "message",
                   "--class", "申诉求助")  # fmt: skip
    yn.cont(item, "2026-10-20 10:00", "--extend", "reply", "--text", "涉及多部门，情况特别复杂")
    # from the end of 10-29: 10-30, 11-02..06, 11-09..12 → the 10th working day is 11-12
    [duty] = yn.status("2026-10-25 10:00")[item]["duties"]
    check(duty, "2026-11-13 00:00", "pending")
    assert duty["extended"] is True
    assert duty["changes"][0]["old_deadline"] == iso("2026-10-30 00:00")
    again = run(
        "continue", item, "--extend", "reply", "--text", "再延", now=iso("2026-11-02 09:00")
    )
    assert again.code == 1 and "只能延长一次" in again.err
    yn.close(item, "2026-11-12 17:00", "--text", "已回复网民")
    [duty] = yn.status("2026-11-20 10:00")[item]["duties"]
    check(duty, "2026-11-13 00:00", "met", "2026-11-12 17:00")


def test_working_days_past_the_official_schedule_fall_back_loudly(log, run, tmp_path):
    yn = log("云南")
    item = yn.file("年底留言", "2026-12-24 10:00", "2026-12-24 10:00", "--kind", "message",
                   "--class", "advice")  # fmt: skip
    # 12-25, 12-28..31 (5 official), then 2027 unknown: Mon–Fri 01-01, 01-04..07 → 01-07
    [duty] = yn.status("2026-12-24 11:00")[item]["duties"]
    check(duty, "2027-01-08 00:00", "pending")
    assert duty["calendar_fallback"] is True
    text = run("status", "--at", "2026-12-24 11:00", now=iso("2026-12-24 11:00")).out
    assert "暂按周一至周五计算" in text
    # the office enters the official 2027 schedule: New Year's Day off, 01-02..03 weekend
    calendar = tmp_path / "calendar.toml"
    calendar.write_text('[years.2027]\nholidays = ["2027-01-01"]\nworkdays = []\n', "utf-8")
    result = run("--calendar", calendar, "status", "--json", "--at", "2026-12-24 11:00",
                 now=iso("2026-12-24 11:00"))  # fmt: skip
    [duty] = result.json[0]["duties"]
    check(duty, "2027-01-09 00:00", "pending")  # 01-04..08: the 10th working day is Fri 01-08
    assert duty["calendar_fallback"] is False


# --- Jiangxi and the national baseline ---------------------------------------------------------


def test_jiangxi_public_statement_within_24h_and_respond_48h(log):
    jx = log("江西")
    major = jx.file("某地塌方舆情", "2026-11-22 08:00", "2026-11-22 09:00", "--kind", "opinion",
                    "--level", "重大", "--about-level", "重大")  # fmt: skip
    general = jx.file("某路灯不亮", "2026-11-22 08:00", "2026-11-22 09:00", "--kind", "opinion",
                      "--level", "一般", "--about-level", "一般")  # fmt: skip
    board = jx.status("2026-11-22 10:00")
    [d] = board[major]["duties"]
    assert d["key"] == "publish"
    check(d, "2026-11-23 08:00", "pending")
    [d] = board[general]["duties"]
    check(d, "2026-11-24 08:00", "pending")
    # written for 高安市人民政府办公室 itself: never told to report to 市政府办公室
    who = [n["who"] for n in board[major]["notify"]]
    assert who[0] == "上级机关（宜春市人民政府办公室、省政府办公厅）"
    assert not any(w.startswith("市政府办公室") for w in who)


def test_national_baseline_three_clocks(log):
    nat = log("national")
    major = nat.file("重大事件", "2026-11-22 08:00", "2026-11-22 09:00", "--level", "重大")
    large = nat.file("较大事件", "2026-11-22 08:00", "2026-11-22 09:00", "--level", "较大")
    board = nat.status("2026-11-22 10:00")
    d = {x["key"]: x for x in board[major]["duties"]}
    check(d["publish"], "2026-11-22 13:00", "pending")
    check(d["press"], "2026-11-23 08:00", "pending")
    [d] = board[large]["duties"]
    check(d, "2026-11-24 08:00", "pending")


# --- the handover view and local policies ------------------------------------------------------


def test_overdue_view_lists_only_items_with_an_overdue_clock_most_urgent_first(log, run):
    sd = log("山东")
    fresh = sd.file("新事件", "2026-11-22 11:00", "2026-11-22 11:10", "--kind", "opinion",
                    "--level", "重大", "--about-level", "重大")  # fmt: skip
    old = sd.file("旧事件", "2026-11-20 08:00", "2026-11-20 09:00", "--kind", "opinion",
                  "--level", "一般", "--about-level", "一般")  # fmt: skip
    older = sd.file("更旧事件", "2026-11-19 08:00", "2026-11-19 09:00", "--kind", "opinion",
                    "--level", "重大", "--about-level", "重大")  # fmt: skip
    result = run("status", "--overdue", "--json", now=iso("2026-11-22 12:00"))
    assert [e["id"] for e in result.json] == [older, old]
    text = run("status", "--overdue", now=iso("2026-11-22 12:00")).out
    assert "逾期 2天4小时" in text and fresh not in text  # 更旧事件's publish: 11-19 13:00


def test_a_local_policy_adds_its_internal_chain(log, run, tmp_path):
    local = tmp_path / "jinan.toml"
    local.write_text((REPO / "examples" / "jinan-local.toml").read_text("utf-8"), encoding="utf-8")
    checked = run("policy", "check", local)
    assert checked.code == 0, checked
    sd = log(str(local))
    item = sd.file("某事件", "2026-11-22 08:00", "2026-11-22 08:30", "--kind", "opinion",
                   "--level", "重大", "--about-level", "重大")  # fmt: skip
    who = lambda at: [(n["who"], n["duty"]) for n in sd.status(at)[item]["notify"]]  # noqa: E731
    assert ("值班员", "publish") not in who("2026-11-22 12:00")  # 60 min before 13:00
    assert ("值班员", "publish") in who("2026-11-22 12:30")  # 30 min before
    assert ("值班室负责人", "publish") in who("2026-11-22 13:00")
    assert ("分管负责同志", "publish") not in who("2026-11-22 13:29")
    assert ("分管负责同志", "publish") in who("2026-11-22 13:30")
