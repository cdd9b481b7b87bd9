"""A new duty officer's night shift, read as an officer reads it (review of 2026-12-01).

Each test is a defect found by walking the README and a whole shift end to end."""

import re
import sys

from conftest import dump_log, file_item


def _message(run, title="反映某小区停水"):
    return file_item(run, "--kind=网民留言", "--class=申诉求助", "--channel=微信", title=title)


def test_a_message_does_not_owe_the_recipients_of_graded_emergencies(office, run):
    # 鲁政办字〔2016〕86号 第2条、第9条 (the province desk) and 第9条 / 济政办字〔2016〕47号 二 (the
    # leaders, 可报告) are for 特别重大、重大 ("紧急") items; a citizen's message is never graded
    # (云政办发〔2016〕106号 四(三)), so it is not "not yet graded" and owes only the city desk
    # (47号 二, no level).
    message = _message(office)
    ungraded = file_item(office, "--kind=突发事件", title="某地爆炸")  # not graded: owes all
    shown = run("status", "--json")
    assert shown.code == 0, shown
    by_id = {entry["id"]: entry for entry in shown.json}
    whos = [n["who"] for n in by_id[message["id"]]["notify"]]
    assert whos == ["市政府应急办（市政府总值班室）"], shown
    assert "省政府应急办（省政府总值班室）" in [n["who"] for n in by_id[ungraded["id"]]["notify"]]
    text = run("show", message["id"])
    assert "省政府应急办" not in text.out and "市政府办公厅负责同志" not in text.out, text


def test_done_of_a_clock_the_item_kind_never_owes_is_refused(office, run, db_path):
    # a message has no 发布权威信息 (鲁政办发〔2018〕18号 三 covers emergencies and opinions):
    # "完成：发布权威信息" must not reach the day report of a citizen's message
    message = _message(office)
    before = dump_log(db_path)
    result = run("continue", message["id"], "--text", "已转供水公司", "--done", "publish")
    assert result.code == 2, result
    assert result.err.count("\n") == 1 and "发布权威信息不适用于网民留言" in result.err, result
    assert dump_log(db_path) == before


def test_done_of_a_clock_the_items_level_never_owed_is_refused(office, run, db_path):
    # 鲁政办发〔2018〕18号 三: 5 h / 24 h for 特别重大、重大; 回应 in 48 h for the others. A major
    # emergency never owes 回应: "完成：回应" would report work no rule asked for.
    item = file_item(office, "--kind=突发事件", "--level=重大")["id"]
    before = dump_log(db_path)
    refused = run("continue", item, "--done", "respond")
    assert refused.code == 2, refused
    assert refused.err.count("\n") == 1, refused
    assert "级别为重大（II级），回应只适用于较大（III级）、一般（IV级）" in refused.err, refused
    assert "此件可完成：publish、press" in refused.err, refused
    assert dump_log(db_path) == before
    # graded down in the same command: the clock is owed from then, and met by this report
    done = run("continue", item, "--level", "较大", "--text", "核实为较大", "--done", "respond",
               "--json")  # fmt: skip
    assert done.code == 0, done
    shown = run("show", item, "--json").json
    respond = next(d for d in shown["duties"] if d["key"] == "respond")
    assert respond["state"] == "met", respond


def test_correction_prints_deadlines_as_offices_write_them(office, run):
    # 鲁政办发〔2018〕18号 三: publish 5 h from 事发 — 08:00 → 13:00; corrected to 07:40 → 12:40
    item = file_item(office, "--kind=突发事件", "--level=重大")
    result = run("correct", item["id"], "--occurred", "2026-11-22 07:40", "--reason", "核实")
    assert result.code == 0, result
    assert "发布权威信息（publish）时限：11月22日 13:00 → 11月22日 12:40" in result.out, result
    report = run("report", "--date", "2026-11-22")
    assert "发布权威信息时限 11月22日 13:00 → 11月22日 12:40" in report.out, report


def test_handover_sheet_shows_no_level_for_a_message_and_office_deadlines(office, run):
    # press 24 h from 事发 08:00 (鲁政办发〔2018〕18号 三) → 11月23日 08:00
    file_item(office, "--kind=突发事件", "--level=重大")
    _message(office)
    result = run("handover", "--to", "李四")
    assert result.code == 0, result
    assert "[网民留言·shandong]" in result.out, result
    assert "未定级" not in result.out, result
    assert "（时限 11月23日 08:00）" in result.out, result
    assert not re.search(r"时限 \d{4}-\d\d-\d\d", result.out), result


def test_board_on_an_80_column_terminal_never_cuts_a_time_in_two(office, run, monkeypatch):
    # a unit's clock of 5 working days from Sunday 2026-11-22 (a --due-days of this office):
    # 11月23–27日, due at the end of Friday 27th, 11月27日24时
    item = _message(office)
    assert (
        run("assign", item["id"], "--to", "水务局", "--task", "核实停水", "--due-days", "5").code
        == 0
    )
    done = run("feedback", item["id"], "--from", "水务局", "--text", "已恢复供水", "--done")
    assert done.code == 0, done
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    board = run("status")
    assert board.code == 0, board
    assert "11月27日24时" in board.out, board
    for line in board.out.splitlines():
        assert not re.search(r"\d:\s*$|\d{1,2}月\d{1,2}日\d*\s*$", line), board


def test_a_shift_with_a_message_and_a_handover_exports_and_imports(
    office, run, tmp_path, monkeypatch
):
    # the night's log moves whole: the handover froze the message's recipients, and the copy
    # judges them the same (a recipient rule lives in the frozen policy, not in the engine)
    _message(office)
    assert run("handover", "--to", "李四").code == 0
    out = tmp_path / "night.jsonl"
    assert run("export", "-o", str(out)).code == 0
    monkeypatch.delenv("YAOQING_NOW")  # import into a new log takes no time from it
    copy = run("--db", str(tmp_path / "copy.db"), "import", str(out))
    assert copy.code == 0, copy
    assert run("--db", str(tmp_path / "copy.db"), "verify").code == 0


def test_an_import_refused_into_a_new_log_leaves_no_file(run, tmp_path, monkeypatch):
    # "整个文件未导入，日志未改动": a new --db stays absent, not an empty log that verify
    # then passes as 核验通过：0 个事件
    monkeypatch.delenv("YAOQING_NOW")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"bad": 1}\n', encoding="utf-8")
    target = tmp_path / "new.db"
    result = run("--db", str(target), "import", str(bad))
    assert result.code == 1 and "日志未改动" in result.err, result
    assert not target.exists() and not list(tmp_path.glob("new.db*"))
    assert run("--db", str(target), "verify").code == 1


def test_correct_without_a_field_says_none_was_given(office, run, db_path):
    item = file_item(office, "--kind=突发事件")
    before = dump_log(db_path)
    bare = run("correct", item["id"], "--reason", "核实")
    assert bare.code == 2 and "未给出要更正的字段" in bare.err, bare
    same = run("correct", item["id"], "--title", "某县国道山体滑坡", "--reason", "核实")
    assert same.code == 2 and "所给的值与现有记录相同" in same.err, same
    assert dump_log(db_path) == before


def test_watch_at_80_columns_keeps_ids_and_deadlines_whole_beside_a_long_clock_name(office, run):
    # a relay clock's name (转交涉事市、部门（转批示件）→某县人民政府, 40 cells) squeezed the
    # title to nothing and cut the ID and the deadline: "20261201…", "12月1日 2…"
    from test_board import watch_frame

    item = file_item(office, "--kind=突发事件", "--level=重大")
    told = run(
        "instruct", item["id"], "--from", "王副市长", "--text", "请速核", "--to", "某县人民政府"
    )
    assert told.code == 0, told
    frame = watch_frame(columns=80, ticks=3)
    rows = [line for line in frame.splitlines() if line.strip().startswith(item["id"])]
    # the relay runs 30 minutes from the instruction at 12:00 (policy [relay], an office setting)
    assert any("11月22日 12:30" in r and "某县国道" in r for r in rows), frame
    assert any("11月22日 13:00" in r and "发布权威信息" in r for r in rows), frame
