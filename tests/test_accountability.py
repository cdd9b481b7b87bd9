"""A breach is permanent, and every rule is read as the documents say (issue: accountability).

Each case is worked out by hand from the document it cites, and run through the real CLI on a
real log. All times are China Standard Time (+08:00). `now` is the command's clock: on these
test logs it is also the moment the event is recorded, so `--at` far before `now` is 补录.
"""

import shutil

import pytest
from conftest import dump_log, iso
from test_engine import check


def states(log, item, at):
    return {key: d["state"] for key, d in log.duties(item, at).items()}


# --- rule 1: a downgrade, a close or any outcome never erases a breach ---------------------------


def test_a_downgrade_keeps_an_overdue_publish_clock_overdue(log, run):
    # 鲁政办发〔2018〕18号 三: 重大 → publish within 5 h of the event, press within 24 h.
    sd = log("山东")
    item = sd.file("某化工厂爆炸", "2026-11-21 21:30", "2026-11-21 21:50", "--level", "重大")
    assert states(sd, item, "2026-11-22 04:00")["publish"] == "overdue"  # due 02:30
    sd.cont(item, "2026-11-22 06:00", "--level", "一般", "--reason", "核实后降级")
    d = sd.duties(item, "2026-11-22 06:05")
    check(d["publish"], "2026-11-22 02:30", "overdue")  # was already overdue: stays so
    check(d["press"], "2026-11-22 21:30", "waived")  # still running at the downgrade
    check(d["respond"], "2026-11-23 21:30", "pending")  # the new level's clock, from the event
    # met afterwards, the breach is late, never met
    sd.cont(item, "2026-11-22 07:00", "--done", "respond", "--text", "已回应")
    sd.cont(item, "2026-11-22 07:10", "--done", "publish", "--text", "已发布")
    d = sd.duties(item, "2026-11-22 08:00")
    check(d["publish"], "2026-11-22 02:30", "late", "2026-11-22 07:10")
    # the handover board still lists it while it was unmet
    board = run("status", "--overdue", "--json", now=iso("2026-11-22 06:30")).json
    assert [e["id"] for e in board] == [item]


def test_a_downgrade_before_the_deadline_waives_the_running_clock(log):
    sd = log("山东")
    item = sd.file("某地交通事故", "2026-11-22 08:00", "2026-11-22 08:20", "--level", "重大")
    sd.cont(item, "2026-11-22 09:00", "--level", "较大", "--reason", "死亡人数核减")
    d = sd.duties(item, "2026-11-22 14:00")
    check(d["publish"], "2026-11-22 13:00", "waived")
    check(d["respond"], "2026-11-24 08:00", "pending")


def test_did_not_occur_is_for_warnings_only_and_names_the_alternative(log, run, db_path):
    sd = log("山东")
    item = sd.file("某地爆炸", "2026-11-22 08:00", "2026-11-22 08:20", "--level", "重大")
    before = dump_log(db_path)
    result = run("close", item, "--outcome", "did-not-occur", now=iso("2026-11-22 18:00"))
    assert result.code == 2, result
    assert "只用于预警" in result.err and "misreport" in result.err
    assert result.err.count("\n") == 1
    assert dump_log(db_path) == before
    # a warning may: 鲁政办字〔2016〕86号 第18条
    warning = sd.file("寒潮预警", "2026-11-22 08:00", "2026-11-22 08:30", "--kind", "warning")
    sd.close(warning, "2026-11-22 18:00", "--outcome", "未发生")


def test_a_misreport_says_why_and_keeps_every_breach(log, run):
    sd = log("山东")
    item = sd.file("网传某地爆炸", "2026-11-22 08:00", "2026-11-22 08:20", "--level", "重大")
    result = run("close", item, "--outcome", "misreport", now=iso("2026-11-22 18:00"))
    assert result.code == 2 and "--reason" in result.err, result
    sd.close(item, "2026-11-22 18:00", "--outcome", "误报", "--reason", "经核实系误传")
    d = sd.duties(item, "2026-11-23 09:00")
    check(d["publish"], "2026-11-22 13:00", "overdue")  # missed before the close: stays missed
    check(d["press"], "2026-11-23 08:00", "waived")  # still running at the close
    shown = run("show", item, "--json", now=iso("2026-11-23 09:00")).json
    assert shown["outcome"] == "misreport"
    assert shown["events"][-1]["data"]["reason"] == "经核实系误传"


def test_a_misreport_keeps_its_breach_in_the_units_figures(log, run):
    # 鲁政办字〔2016〕86号 第18条 excuses information reported *in time* that later proved wrong;
    # a publish clock missed before the 误报 close (鲁政办发〔2018〕18号 三: 重大, 5 h) still counts.
    sd = log("山东")
    kept = sd.file("某地爆炸", "2026-11-22 08:00", "2026-11-22 08:20", "--level", "重大",
                   "--unit", "市中区")  # fmt: skip
    wrong = sd.file("网传某地爆炸", "2026-11-22 08:00", "2026-11-22 08:20", "--level", "重大",
                    "--unit", "市中区")  # fmt: skip
    sd.close(wrong, "2026-11-22 16:00", "--outcome", "misreport", "--reason", "经核实系误传")
    for args in (("--date", "2026-11-22"), ("--period", "2026H2")):
        # at 06:00 of 11-23 the press clock of `kept` (24 h, due 08:00) is still running
        report = run("report", *args, "--format", "json", now=iso("2026-11-23 06:00")).json
        assert {r["id"] for r in report["overdue"] if r["duty"] == "publish"} == {kept, wrong}
        [unit] = report["units"]
        assert (unit["unit"], unit["items"], unit["due"], unit["overdue"]) == ("市中区", 2, 2, 2)


# --- rule 2: an extension must be asked for in time (云政办发〔2016〕106号 四(三)) ------------------


def test_an_extension_after_the_deadline_is_refused_and_changes_nothing(log, run, db_path):
    yn = log("云南")
    # praise: 5 working days, the hand-over day not counted: 11-03, 04, 05, 06, 09 → 24:00 of 11-09
    item = yn.file("网民表扬", "2026-11-02 09:00", "2026-11-02 10:00", "--kind", "message",
                   "--class", "praise")  # fmt: skip
    check(yn.duties(item, "2026-11-20 09:00")["reply"], "2026-11-10 00:00", "overdue")
    before = dump_log(db_path)
    result = run("continue", item, "--extend", "reply", "--reason", "情况特别复杂",
                 now=iso("2026-11-20 09:00"))  # fmt: skip
    assert result.code == 1, result
    assert "2026年11月9日24时" in result.err and "届满" in result.err  # 24:00 of 11-09
    assert dump_log(db_path) == before
    check(yn.duties(item, "2026-11-20 09:00")["reply"], "2026-11-10 00:00", "overdue")


def test_an_extension_in_time_runs_ten_more_working_days_from_the_deadline(log):
    yn = log("云南")
    item = yn.file("网民表扬", "2026-11-02 09:00", "2026-11-02 10:00", "--kind", "message",
                   "--class", "praise")  # fmt: skip
    yn.cont(item, "2026-11-05 09:00", "--extend", "reply", "--reason", "情况特别复杂")
    # 11-10 … 11-13, 11-16 … 11-20, 11-23: the 10th working day after 11-09 is 11-23
    # due soon: 3 d 15 h left, under a quarter of the 21 d 14 h window from the hand-over
    check(yn.duties(item, "2026-11-20 09:00")["reply"], "2026-11-24 00:00", "due_soon")


def test_a_back_entered_extension_counts_from_when_it_was_typed(log, run):
    yn = log("云南")
    item = yn.file("网民表扬", "2026-11-02 09:00", "2026-11-02 10:00", "--kind", "message",
                   "--class", "praise")  # fmt: skip
    result = run("continue", item, "--at", "2026-11-05 09:00", "--extend", "reply",
                 "--reason", "补记", now=iso("2026-11-20 09:00"))  # fmt: skip
    assert result.code == 1 and "届满" in result.err, result


# --- rule 3: every continue that carries new information is a follow-up ----------------------------


def test_a_regrade_with_new_information_is_also_the_first_followup(log):
    # 呼政办发〔2014〕30号 一: the first follow-up within 1 h of the first report
    im = log("内蒙古")
    item = im.file("某煤矿透水", "2026-11-22 08:00", "2026-11-22 09:00", "--level", "较大")
    im.cont(item, "2026-11-22 09:40", "--level", "重大", "--text", "死亡人数升至5人")
    check(im.duties(item, "2026-11-22 11:00")["followup"], "2026-11-22 10:00", "met",
          "2026-11-22 09:40")  # fmt: skip


def test_a_regrade_with_only_a_reason_is_no_followup(log, run):
    im = log("内蒙古")
    item = im.file("某煤矿透水", "2026-11-22 08:00", "2026-11-22 09:00", "--level", "较大")
    im.cont(item, "2026-11-22 09:40", "--level", "重大", "--reason", "按标准核定")
    check(im.duties(item, "2026-11-22 11:00")["followup"], "2026-11-22 10:00", "overdue")
    result = run("continue", item, "--level", "一般", now=iso("2026-11-22 11:00"))
    assert result.code == 2 and "--reason" in result.err, result


# --- rule 4: the written report is not the phone call (内政办发〔2014〕109号 二(一)) -----------------


def test_a_phone_first_report_does_not_meet_the_written_report_clock(log):
    im = log("内蒙古")
    item = im.file("某地爆炸", "2026-11-22 08:00", "2026-11-22 08:30", "--level", "重大",
                   "--channel", "电话")  # fmt: skip
    check(im.duties(item, "2026-11-22 09:00")["report"], "2026-11-22 10:00", "pending")
    check(im.duties(item, "2026-11-22 10:01")["report"], "2026-11-22 10:00", "overdue")
    im.cont(item, "2026-11-22 09:20", "--done", "书面报告", "--text", "已报送文字材料")
    check(im.duties(item, "2026-11-22 10:01")["report"], "2026-11-22 10:00", "met",
          "2026-11-22 09:20")  # fmt: skip


@pytest.mark.parametrize("channel", ["传真", "网络", "纸质"])
def test_a_written_first_report_meets_it(log, channel):
    im = log("内蒙古")
    item = im.file("某地爆炸", "2026-11-22 08:00", "2026-11-22 08:30", "--level", "重大",
                   "--channel", channel)  # fmt: skip
    check(im.duties(item, "2026-11-22 10:01")["report"], "2026-11-22 10:00", "met",
          "2026-11-22 08:30")  # fmt: skip


@pytest.mark.parametrize("channel", ["手机", "微博", "微信", "热线电话", "领导信箱"])
def test_a_call_or_where_the_news_came_from_does_not_meet_it(log, channel):
    # 109号 二(一): 先通过电话口头报告……随后报送文字材料. 微博 or 领导信箱 names where the news came
    # from, not how the report went up: the written material is recorded when it is sent
    im = log("内蒙古")
    item = im.file("某地爆炸", "2026-11-22 08:00", "2026-11-22 08:30", "--level", "重大",
                   "--channel", channel)  # fmt: skip
    check(im.duties(item, "2026-11-22 10:01")["report"], "2026-11-22 10:00", "overdue")


# --- rule 5: an opinion's response clocks follow the emergency it concerns --------------------------


def test_an_opinion_about_a_major_emergency_owes_5h_and_24h(log):
    # 鲁政办发〔2018〕18号 三: 对涉及特别重大、重大突发事件的政务舆情…5小时…24小时
    sd = log("山东")
    item = sd.file("爆炸舆情", "2026-11-22 08:00", "2026-11-22 08:30", "--kind", "opinion",
                   "--about-level", "重大")  # fmt: skip
    d = sd.duties(item, "2026-11-22 09:00")
    assert set(d) == {"publish", "press"}
    check(d["publish"], "2026-11-22 13:00", "pending")


def test_an_opinion_about_an_emergency_in_the_log_follows_its_level(log):
    sd = log("山东")
    blast = sd.file("某化工厂爆炸", "2026-11-22 07:00", "2026-11-22 07:20", "--level", "特别重大")
    item = sd.file("爆炸舆情", "2026-11-22 08:00", "2026-11-22 08:30", "--kind", "opinion",
                   "--about", blast)  # fmt: skip
    assert set(sd.duties(item, "2026-11-22 09:00")) == {"publish", "press"}
    ungraded = sd.file("某地火情", "2026-11-22 07:00", "2026-11-22 07:20")
    item = sd.file("火情舆情", "2026-11-22 08:00", "2026-11-22 08:30", "--kind", "opinion",
                   "--about", ungraded)  # fmt: skip
    # the emergency is not yet graded: every level's clock is owed
    assert set(sd.duties(item, "2026-11-22 09:00")) == {"publish", "press", "respond"}


def test_an_opinion_of_its_own_major_grade_about_no_emergency_owes_48h(log):
    # 鲁政办发〔2018〕18号 三: 对其他政务舆情应在48小时内予以回应
    sd = log("山东")
    item = sd.file("网传某局长违规", "2026-11-22 08:00", "2026-11-22 08:30", "--kind", "opinion",
                   "--level", "重大")  # fmt: skip
    d = sd.duties(item, "2026-11-22 09:00")
    assert set(d) == {"respond"}
    check(d["respond"], "2026-11-24 08:00", "pending")


def test_yunnan_one_hour_report_follows_the_opinions_own_grade(log):
    # 云政办发〔2016〕106号 五 (重大政务舆情 1 h) and 六 (the response by the emergency's level)
    yn = log("云南")
    item = yn.file("网传某局长违规", "2026-11-22 08:00", "2026-11-22 08:30", "--kind", "opinion",
                   "--level", "重大")  # fmt: skip
    d = yn.duties(item, "2026-11-22 09:30")
    assert set(d) == {"report", "respond"}
    check(d["report"], "2026-11-22 09:00", "met", "2026-11-22 08:30")


def test_about_is_only_for_opinions_and_names_an_emergency(log, run):
    sd = log("山东")
    result = run("file", "--title", "x", "--occurred", "08:00", "--about-level", "重大")
    assert result.code == 2 and "政务舆情" in result.err, result
    warning = sd.file("寒潮预警", "2026-11-22 08:00", "2026-11-22 08:30", "--kind", "warning")
    result = run(
        "file", "--title", "x", "--occurred", "08:00", "--kind", "舆情", "--about", warning
    )
    assert result.code == 2 and "突发事件" in result.err, result


# --- rule 11: back-entered events meet as of their time but never waive ---------------------------


def test_a_back_entered_downgrade_cannot_make_a_missed_clock_vanish(log, run):
    sd = log("山东")
    item = sd.file("某地爆炸", "2026-11-22 08:00", "2026-11-22 08:20", "--level", "重大")
    # typed at 16:00, stated as 09:00: publish (13:00) was missed by the time it was recorded
    result = run("continue", item, "--at", "2026-11-22 09:00", "--level", "一般",
                 "--reason", "降级", now=iso("2026-11-22 16:00"))  # fmt: skip
    assert result.code == 0, result
    d = sd.duties(item, "2026-11-22 16:05")
    check(d["publish"], "2026-11-22 13:00", "overdue")
    check(d["press"], "2026-11-23 08:00", "waived")  # still running at 16:00


def test_a_back_entered_close_stops_clocks_only_from_when_it_was_typed(log, run):
    sd = log("山东")
    item = sd.file("某地爆炸", "2026-11-22 08:00", "2026-11-22 08:20", "--level", "重大")
    result = run("close", item, "--at", "2026-11-22 09:00", now=iso("2026-11-22 16:00"))
    assert result.code == 0, result
    d = sd.duties(item, "2026-11-23 09:00")
    check(d["publish"], "2026-11-22 13:00", "overdue")
    check(d["press"], "2026-11-23 08:00", "waived")


def test_a_back_entered_followup_meets_as_of_its_time_only_if_typed_by_the_deadline(log, run):
    # 鲁政办发〔2018〕18号 三: 重大 → publish within 5 h of 08:00, due 13:00
    sd = log("山东")
    item = sd.file("某地爆炸", "2026-11-22 08:00", "2026-11-22 08:20", "--level", "重大")
    result = run("continue", item, "--at", "2026-11-22 12:00", "--done", "publish",
                 "--text", "已发布", now=iso("2026-11-22 12:50"))  # fmt: skip
    assert result.code == 0, result
    d = sd.duties(item, "2026-11-22 14:05")
    check(d["publish"], "2026-11-22 13:00", "met", "2026-11-22 12:00")  # known before 13:00
    assert d["publish"]["back_entered"] is True and d["press"]["back_entered"] is False
    shown = run("show", item, now=iso("2026-11-22 14:05"))
    assert "完成（补录）" in shown.out, shown
    # typed within 10 minutes of the moment stated: not 补录
    sd.cont(item, "2026-11-22 14:00", "--done", "press", "--text", "已举行发布会")
    assert sd.duties(item, "2026-11-22 14:05")["press"]["back_entered"] is False


def test_a_completion_typed_after_the_deadline_never_makes_the_breach_met_in_time(log, run):
    # the board showed publish overdue at 13:30; typed at 14:00 "--at 12:00", it is late as of
    # 14:00, and the stated 12:00 stays in the record beside it (a breach is permanent)
    sd = log("山东")
    item = sd.file("某地爆炸", "2026-11-22 08:00", "2026-11-22 08:20", "--level", "重大")
    assert sd.duties(item, "2026-11-22 13:30")["publish"]["state"] == "overdue"
    result = run("continue", item, "--at", "2026-11-22 12:00", "--done", "publish",
                 "--text", "已发布", now=iso("2026-11-22 14:00"))  # fmt: skip
    assert result.code == 0, result
    assert "已完成 2026-11-22 14:00（补录，按记录时间计；逾时发布，晚 1小时" in result.out, result
    d = sd.duties(item, "2026-11-22 14:05")
    check(d["publish"], "2026-11-22 13:00", "late", "2026-11-22 14:00")
    assert d["publish"]["back_entered"] is True
    shown = run("show", item, now=iso("2026-11-22 14:05"))
    assert (
        "2026-11-22 12:00  续报一" in shown.out and "〔补录：记录于 2026-11-22 14:00〕" in shown.out
    )
    report = run(
        "report", "--date", "2026-11-22", "--format", "json", now=iso("2026-11-23 01:00")
    ).json
    assert [c["duty"] for c in report["late"]] == ["publish"], report["late"]


def test_an_import_cannot_waive_a_clock_this_log_already_holds_overdue(log, run, db_path, tmp_path):
    # 鲁政办发〔2018〕18号 三: 重大 → publish within 5 h, due 13:00. A copy of the log downgrades
    # at 09:00 (in time there); imported here at 16:00, after this log held publish overdue, it
    # would make the breach vanish: refused whole. Taken before 13:00, it waives as the copy did.
    sd = log("山东")
    item = sd.file("某地爆炸", "2026-11-22 08:00", "2026-11-22 08:20", "--level", "重大")
    copy, early = tmp_path / "copy.db", tmp_path / "early.db"
    shutil.copy(db_path, copy)
    shutil.copy(db_path, early)
    result = run("--db", str(copy), "continue", item, "--at", "2026-11-22 09:00", "--level", "一般",
                 "--reason", "核实后降级", now=iso("2026-11-22 09:00"))  # fmt: skip
    assert result.code == 0, result
    exported = tmp_path / "copy.jsonl"
    result = run("--db", str(copy), "export", "-o", str(exported), now=iso("2026-11-22 09:00"))
    assert result.code == 0, result
    before = dump_log(db_path)
    result = run("import", str(exported), now=iso("2026-11-22 16:00"))
    assert result.code == 1, result
    assert "2026年11月22日 13:00" in result.err and result.err.count("\n") == 1
    assert dump_log(db_path) == before
    check(sd.duties(item, "2026-11-22 16:00")["publish"], "2026-11-22 13:00", "overdue")
    result = run("--db", str(early), "import", str(exported), now=iso("2026-11-22 12:00"))
    assert result.code == 0, result
    shown = run("--db", str(early), "show", item, "--json", now=iso("2026-11-22 16:00")).json
    assert {d["key"]: d["state"] for d in shown["duties"]}["publish"] == "waived"


def test_a_calendar_entry_cannot_recount_a_breach(log, run, db_path, tmp_path):
    # praise filed 11-02, due 24:00 of 11-09 (云政办发〔2016〕106号 四(三)); closed 11-10 10:00: late
    yn = log("云南")
    item = yn.file("网民表扬", "2026-11-02 09:00", "2026-11-02 10:00", "--kind", "message",
                   "--class", "praise")  # fmt: skip
    yn.close(item, "2026-11-10 10:00")
    check(yn.duties(item, "2026-11-12 09:00")["reply"], "2026-11-10 00:00", "late",
          "2026-11-10 10:00")  # fmt: skip
    extra = tmp_path / "rest.toml"
    extra.write_text('[years.2026]\nholidays = ["2026-11-05"]\n', encoding="utf-8")
    before = dump_log(db_path)
    result = run("calendar", "add", extra, now=iso("2026-11-12 09:00"))
    assert result.code == 1, result
    assert item in result.err and "逾期" in result.err and result.err.count("\n") == 1
    assert dump_log(db_path) == before
    check(yn.duties(item, "2026-11-12 09:00")["reply"], "2026-11-10 00:00", "late",
          "2026-11-10 10:00")  # fmt: skip


def test_a_waived_clock_done_anyway_says_when_against_the_old_deadline(log, run):
    # 鲁政办发〔2018〕18号 三: 重大 → publish within 5 h of the event (08:00 → 13:00). A downgrade
    # at 10:00 waives it; the publication at 14:00 is owed by no one, yet the board and show
    # must say it was done, an hour after the old deadline (issue 16: 免于考核 hid it).
    sd = log("山东")
    item = sd.file("某化工厂爆炸", "2026-11-22 08:00", "2026-11-22 08:20", "--level", "重大")
    sd.cont(item, "2026-11-22 10:00", "--level", "一般", "--reason", "核实后降级")
    sd.cont(item, "2026-11-22 14:00", "--done", "publish", "--text", "已发布通报")
    d = sd.duties(item, "2026-11-22 14:05")
    check(d["publish"], "2026-11-22 13:00", "waived", "2026-11-22 14:00")
    shown = run("show", item, now=iso("2026-11-22 14:05")).out
    assert "2026-11-22 14:00 完成（原时限 11月22日 13:00，晚于原时限 1小时）" in shown, shown


def test_a_late_stated_back_entry_is_counted_as_stated_and_says_only_buLu(log, run):
    # stated 14:00 (already past the 13:00 publish deadline), typed at 15:00: late as stated,
    # so the confirmation does not say it was counted from its typing
    sd = log("山东")
    item = sd.file("某地爆炸", "2026-11-22 08:00", "2026-11-22 08:20", "--level", "重大")
    result = run("continue", item, "--at", "2026-11-22 14:00", "--done", "publish",
                 "--text", "已发布", now=iso("2026-11-22 15:00"))  # fmt: skip
    assert "已完成 2026-11-22 14:00（补录；逾时发布，晚 1小时" in result.out, result
    check(sd.duties(item, "2026-11-22 15:05")["publish"], "2026-11-22 13:00", "late",
          "2026-11-22 14:00")  # fmt: skip


# --- the minutes after a deadline, and a history typed in after the fact (hostile review) --------
# 鲁政办发〔2018〕18号 三: 重大 → publish within 5 h of the event: 07:00 → due 12:00. The board
# shows it overdue from 12:00; an act typed at 12:09 and stated 11:59 was not in the log then.


def _overdue_at_noon(sd):
    item = sd.file("某地爆炸", "2026-11-22 07:00", "2026-11-22 08:00", "--level", "重大")
    assert sd.duties(item, "2026-11-22 12:05")["publish"]["state"] == "overdue"
    return item


def test_a_downgrade_typed_minutes_after_the_deadline_cannot_waive_it(log, run):
    sd = log("山东")
    item = _overdue_at_noon(sd)
    done = run("continue", item, "--level", "较大", "--reason", "核实", "--at",
               "2026-11-22 11:59", now=iso("2026-11-22 12:09"))  # fmt: skip
    assert done.code == 0, done
    check(sd.duties(item, "2026-11-22 12:10")["publish"], "2026-11-22 12:00", "overdue")


def test_a_completion_typed_minutes_after_the_deadline_counts_from_its_typing(log, run):
    sd = log("山东")
    item = _overdue_at_noon(sd)
    done = run("continue", item, "--done", "publish", "--text", "已发布", "--at",
               "2026-11-22 11:59", now=iso("2026-11-22 12:09"))  # fmt: skip
    assert done.code == 0, done
    assert "已完成 2026-11-22 12:09（按记录时间计；逾时发布，晚 9分钟" in done.out, done.out
    check(sd.duties(item, "2026-11-22 12:10")["publish"], "2026-11-22 12:00", "late",
          "2026-11-22 12:09")  # fmt: skip


def test_a_close_typed_minutes_after_the_deadline_leaves_it_overdue(log, run):
    sd = log("山东")
    item = _overdue_at_noon(sd)
    done = run("close", item, "--at", "2026-11-22 11:59", now=iso("2026-11-22 12:09"))
    assert done.code == 0, done
    check(sd.duties(item, "2026-11-23 09:00")["publish"], "2026-11-22 12:00", "overdue")


def test_an_extension_typed_minutes_after_the_deadline_is_refused(log, run, db_path):
    # 云政办发〔2016〕106号 四(三): praise, 5 working days from Monday 11-23 → 24:00 of 11-30;
    # asked for at 00:09 of 12-01 "--at 11-30 23:59": after the deadline, refused
    yn = log("云南")
    item = yn.file("网民表扬", "2026-11-23 09:00", "2026-11-23 10:00", "--kind", "message",
                   "--class", "praise")  # fmt: skip
    check(yn.duties(item, "2026-11-30 23:00")["reply"], "2026-12-01 00:00", "due_soon")
    before = dump_log(db_path)
    done = run("continue", item, "--extend", "reply", "--reason", "情况复杂", "--at",
               "2026-11-30 23:59", now=iso("2026-12-01 00:09"))  # fmt: skip
    assert done.code == 1 and "届满" in done.err, done
    assert dump_log(db_path) == before


def test_a_history_typed_in_after_the_fact_counts_as_stated_only_while_it_is_typed(run):
    # a first report typed at 14:00 "--at 08:00" shows publish overdue from 14:00 (due 12:00):
    # a publication typed with it (within 10 minutes) is taken as stated; one typed half an
    # hour later, after the board showed the clock overdue, counts from its typing
    init = run("init", "--office", "济南市人民政府办公厅", "--short", "济南市", "--policy",
               "shandong", "--drill", now=iso("2026-11-22 06:00"))  # fmt: skip
    assert init.code == 0, init
    ids = []
    for title in ("甲地爆炸", "乙地爆炸"):
        filed = run("file", "--title", title, "--kind", "突发事件", "--level", "重大",
                    "--occurred", "2026-11-22 07:00", "--at", "2026-11-22 08:00", "--json",
                    now=iso("2026-11-22 14:00"))  # fmt: skip
        assert filed.code == 0, filed
        ids.append(filed.json["id"])
    with_it, later = ids
    assert run("continue", with_it, "--done", "publish", "--text", "已发布", "--at",
               "2026-11-22 11:00", now=iso("2026-11-22 14:05")).code == 0  # fmt: skip
    assert run("continue", later, "--done", "publish", "--text", "已发布", "--at",
               "2026-11-22 11:00", now=iso("2026-11-22 14:30")).code == 0  # fmt: skip
    board = {e["id"]: e for e in run("status", "--json", "--all", now=iso("2026-11-22 14:35")).json}
    publish = {i: next(d for d in board[i]["duties"] if d["key"] == "publish") for i in ids}
    assert (publish[with_it]["state"], publish[with_it]["met_at"]) == (
        "met", iso("2026-11-22 11:00"))  # fmt: skip
    assert (publish[later]["state"], publish[later]["met_at"]) == (
        "late", iso("2026-11-22 14:30"))  # fmt: skip
