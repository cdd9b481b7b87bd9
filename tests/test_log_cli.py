"""The command line and its log, end to end: real CLI entry point, real SQLite file in tmp_path."""

import os
import sqlite3
import stat

import pytest

from tests.conftest import dump_log, file_item
from yaoqing_cli.store import SCHEMA_VERSION, Store

# --- init and the log file ------------------------------------------------------------------


def test_init_creates_private_wal_log(office, db_path):
    assert db_path.exists()
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    db = sqlite3.connect(db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_init_records_office_and_path_prints_location(office, db_path):
    assert office("path").out.strip() == str(db_path)
    store = Store.open(db_path)
    settings = store.office()
    assert (settings.name, settings.short, settings.policy, settings.tz) == (
        "济南市人民政府办公厅",
        "济南市",
        "shandong",
        "Asia/Shanghai",
    )


def test_default_location_is_the_user_data_directory(run, tmp_path, monkeypatch):
    monkeypatch.delenv("YAOQING_DB")
    assert run("path").out.strip() == str(tmp_path / "data" / "yaoqing" / "yaoqing.db")


def test_db_option_overrides_environment(run, tmp_path):
    other = tmp_path / "other.db"
    result = run(
        "--db", other, "init", "--office", "某办", "--short", "某", "--policy", "山东", "--drill"
    )
    assert result.code == 0, result
    assert other.exists()
    assert not (tmp_path / "log.db").exists()


def test_commands_before_init_say_what_to_do(run):
    result = run("file", "--title", "x", "--occurred", "08:00")
    assert result.code == 1
    assert "yaoqing init" in result.err


def test_migration_from_blank_database_creates_tables_and_triggers(db_path):
    store = Store.open(db_path, create=True)
    names = {
        row[0]
        for row in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table','trigger')"
        )
    }
    assert {"items", "events", "office", "policy_snapshots"} <= names
    assert {
        "events_append_only_update",
        "events_append_only_delete",
        "items_fixed_columns",
    } <= names


# --- file -------------------------------------------------------------------------------------


def test_file_prints_daily_id_and_numbered_heading(office):
    result = office("file", "--title", "某县国道山体滑坡", "--occurred", "今天 8:00")
    assert result.code == 0, result
    assert "20261122-001" in result.out
    assert "济南市要情专报 2026年第1期：某县国道山体滑坡" in result.out


def test_ids_follow_the_day_and_issue_numbers_the_year(office):
    first = file_item(office, at="2026-11-21 23:50", occurred="2026-11-21 23:00")
    second = file_item(office)
    third = file_item(office)
    assert [first["id"], second["id"], third["id"]] == [
        "20261121-001",
        "20261122-001",
        "20261122-002",
    ]
    assert [first["issue_no"], second["issue_no"], third["issue_no"]] == [1, 2, 3]


def test_file_keeps_three_moments_apart_and_the_phone_log(office):
    item = file_item(
        office,
        "--received",
        "08:20",
        "--caller",
        "某县应急局 王科长 0531-1234567",
        "--informed",
        "县委书记",
        "--officer",
        "李值班",
        "--level",
        "重大",
        "--kind",
        "突发事件",
        "--unit",
        "某县人民政府",
        "--location",
        "G220 K35",
        "--channel",
        "传真",
    )
    shown = office("show", item["id"], "--json").json
    assert shown["occurred"] == "2026-11-22T08:00:00+08:00"
    assert shown["received"] == "2026-11-22T08:20:00+08:00"
    assert shown["filed"] == "2026-11-22T09:00:00+08:00"
    assert shown["level"] == "major"
    assert shown["kind"] == "emergency"
    assert shown["details"]["caller"] == "某县应急局 王科长 0531-1234567"
    assert shown["details"]["informed"] == "县委书记"
    assert shown["details"]["channel"] == "传真"
    assert shown["events"][0]["officer"] == "李值班"


@pytest.mark.parametrize("spelling", ["重大", "II", "major", "ii", "2"])
def test_level_accepts_chinese_roman_and_english(office, spelling):
    item = file_item(office, "--level", spelling)
    assert office("show", item["id"], "--json").json["level"] == "major"


def test_officer_defaults_to_environment(office):
    item = file_item(office)
    assert office("show", item["id"], "--json").json["events"][0]["officer"] == "张值班"


# --- continue, level change, close ------------------------------------------------------------


def test_continue_level_change_and_close_build_a_timeline(office):
    item = file_item(office, "--level", "large", "--kind", "emergency")
    r = office("continue", item["id"], "--text", "伤亡人数上升", "--level", "重大", "--at", "10:00")
    assert r.code == 0, r
    r = office(
        "continue", item["id"], "--done", "publish", "--text", "已发布权威信息", "--at", "10:30"
    )
    assert r.code == 0, r
    r = office("close", item["id"], "--text", "处置完毕", "--at", "11:30")
    assert r.code == 0, r
    shown = office("show", item["id"], "--json").json
    # new information beside a regrade is a numbered follow-up too (呼政办发〔2014〕30号 一)
    types = [e["type"] for e in shown["events"]]
    assert types == ["file", "level", "continue", "continue", "close"]
    assert shown["events"][1]["data"] == {"from": "large", "to": "major", "reason": "伤亡人数上升"}
    assert (
        shown["events"][2]["data"]["n"] == 1
        and shown["events"][2]["data"]["text"] == "伤亡人数上升"
    )
    assert shown["events"][3]["data"]["done"] == ["publish"]
    assert shown["level"] == "major"
    assert shown["closed"] == "2026-11-22T11:30:00+08:00"


def test_show_text_marks_back_entered_events(office):
    item = file_item(office, at="2026-11-22 09:00")
    text = office("show", item["id"]).out
    assert "补录" in text  # filed at 09:00, recorded by the machine's clock much later
    assert "某县国道山体滑坡" in text


def test_timeline_sorts_by_when_things_happened(office):
    item = file_item(office)
    office("continue", item["id"], "--text", "第二次", "--at", "11:00")
    office("continue", item["id"], "--text", "补录的第一次", "--at", "10:00")
    events = office("show", item["id"], "--json").json["events"]
    assert [e["data"].get("text") for e in events[1:]] == ["补录的第一次", "第二次"]


def test_warning_closed_as_did_not_occur(office):
    item = file_item(office, "--kind", "warning")
    r = office("close", item["id"], "--outcome", "未发生", "--at", "10:00")
    assert r.code == 0, r
    shown = office("show", item["id"], "--json").json
    assert shown["events"][-1]["data"]["outcome"] == "did-not-occur"


# --- the log is evidence: append-only ---------------------------------------------------------


def test_triggers_refuse_update_and_delete_of_events(office, db_path):
    file_item(office)
    db = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE events SET data = '{}'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM events")
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        db.execute("DELETE FROM items")
    with pytest.raises(sqlite3.IntegrityError, match="only by a correction"):
        db.execute("UPDATE items SET title = 'changed'")  # no correction recorded


def test_items_close_only_once_even_in_raw_sql(office, db_path):
    item = file_item(office)
    office("close", item["id"], "--at", "10:00")
    db = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.IntegrityError, match="only by a correction, a close"):
        db.execute("UPDATE items SET closed_at = '2030-01-01T00:00:00Z'")
    with pytest.raises(sqlite3.IntegrityError, match="only by a correction, a close"):
        db.execute("UPDATE items SET closed_at = NULL")  # no reopening recorded


def test_every_event_keeps_happened_and_recorded_times(office, db_path):
    file_item(office)
    db = sqlite3.connect(db_path)
    happened, recorded = db.execute(
        "SELECT happened_at, recorded_at FROM events WHERE type = 'file'"
    ).fetchone()
    assert happened == "2026-11-22T01:00:00Z"  # --at 09:00 (+08:00)
    assert recorded == "2026-11-22T04:00:00Z"  # the command's clock: YAOQING_NOW, 12:00 (+08:00)


# --- bad input: one line, the right exit code, nothing written --------------------------------

BAD_INPUTS = [
    # (args after the item is filed; "{id}" is replaced), expected exit code, words in the message
    (["show", "20991231-999"], 1, "没有编号"),
    (["continue", "nope", "--text", "x"], 1, "没有编号"),
    (["close", "nope"], 1, "没有编号"),
    (["file", "--title", "x", "--occurred", "08:00", "--policy", "atlantis"], 1, "atlantis"),
    (["file", "--title", "x", "--occurred", "08:00", "--level", "huge"], 2, "可用"),
    (["file", "--title", "x", "--occurred", "08:00", "--kind", "rumour"], 2, "可用"),
    (["file", "--title", "x", "--occurred", "yesterday-ish"], 2, "可用格式"),
    (["file", "--title", "x", "--occurred", "2026-11-23 08:00"], 2, "未来"),
    (["file", "--title", "x", "--occurred", "2026-02-30 08:00"], 2, "时间"),
    (["file", "--title", "x", "--occurred", "10:00", "--at", "09:00"], 2, "事发时间"),
    (["file", "--title", "", "--occurred", "08:00"], 2, "标题"),
    (["file", "--title", "x", "--occurred", "08:00", "--kind", "message"], 2, "--class"),
    (["file", "--title", "x\x07", "--occurred", "08:00"], 2, "控制字符"),
    (["file", "--occurred", "08:00"], 2, "--title"),
    (["file", "--title", "x", "--occurred", "08:00", "--bogus"], 2, "--bogus"),
    (["continue", "{id}", "--text", "x", "--at", "08:30"], 2, "早于首报"),
    (["continue", "{id}"], 2, "没有内容"),
    (["continue", "{id}", "--done", "nonsense"], 2, "可用"),
    (["continue", "{id}", "--done", "reply"], 2, "可用"),
    (["continue", "{id}", "--extend", "press", "--text", "x"], 2, "不允许延长"),
    (["continue", "{id}", "--level", "一般", "--reason", "核实"], 1, "无需变更"),
    (["close", "{id}", "--at", "08:59"], 2, "早于首报"),
    (["close", "{id}", "--outcome", "maybe"], 2, "可用"),
    (["continue", "{id}", "--text", "x", "--at", "tomorrow"], 2, "可用格式"),
]


@pytest.mark.parametrize(("args", "code", "words"), BAD_INPUTS)
def test_bad_input_one_line_exit_code_and_log_unchanged(office, db_path, args, code, words):
    item = file_item(office, "--level", "一般", "--kind", "opinion", "--about-level", "一般")
    before = dump_log(db_path)
    result = office(*[a.replace("{id}", item["id"]) for a in args])
    assert result.code == code, result
    assert words in result.err, result
    assert result.err.count("\n") == 1, result  # exactly one line
    assert "Traceback" not in result.err + result.out
    assert dump_log(db_path) == before


def test_continuing_or_closing_a_closed_item_is_refused(office, db_path):
    item = file_item(office)
    assert office("close", item["id"], "--at", "10:00").code == 0
    before = dump_log(db_path)
    for args in (["continue", item["id"], "--text", "x"], ["close", item["id"]]):
        result = office(*args)
        assert result.code == 1, result
        assert "已于" in result.err and "终报" in result.err
    assert dump_log(db_path) == before


def test_unwritable_directory_is_a_clear_failure(run, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        result = run(
            "--db",
            locked / "sub" / "log.db",
            "init",
            "--office",
            "a",
            "--short",
            "b",
            "--policy",
            "shandong",
            "--drill",
        )
        assert result.code == 1, result
        assert "无法创建日志" in result.err
    finally:
        locked.chmod(0o700)


def test_unwritable_location_even_as_root(run, tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    result = run(
        "--db",
        blocker / "log.db",
        "init",
        "--office",
        "a",
        "--short",
        "b",
        "--policy",
        "山东",
        "--drill",
    )
    assert result.code == 1, result
    assert "无法创建日志" in result.err
    assert result.err.count("\n") == 1


def test_not_a_yaoqing_log(run, tmp_path):
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    result = run("--db", other, "status")
    assert result.code == 1, result
    assert "不是 yaoqing 日志" in result.err


@pytest.mark.parametrize(
    "content", [b"garbage " * 100, os.urandom(4096), b"SQLite format 3\x00" + b"\xff" * 200]
)
def test_corrupt_file_is_refused_cleanly(run, tmp_path, content):
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    result = run("--db", bad, "status")
    assert result.code == 1, result
    assert "损坏" in result.err or "不是" in result.err, result
    assert bad.read_bytes() == content


def test_truncated_log_is_refused_cleanly(office, db_path, tmp_path):
    file_item(office)
    Store.open(db_path).db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = db_path.read_bytes()
    cut = tmp_path / "cut.db"
    cut.write_bytes(data[: len(data) // 3])
    result = office("--db", cut, "show", "20261122-001")
    assert result.code == 1, result
    assert result.err.count("\n") == 1 and "Traceback" not in result.err


def test_log_from_a_newer_version_is_refused(office, db_path):
    db = sqlite3.connect(db_path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    result = office("status")
    assert result.code == 1, result
    assert "更新版本" in result.err


def test_usage_errors_are_one_line_not_a_panel(run):
    for args in (["frobnicate"], ["file", "--nope"], ["status", "--due-within"]):
        result = run(*args)
        assert result.code == 2, result
        assert result.err.count("\n") == 1, result
        assert "╭" not in result.err and "Usage:" not in result.err


def test_relative_times_in_one_command_mean_the_same_moment(office, monkeypatch):
    """Without YAOQING_NOW the clock moves while a command parses: '6小时前' twice must still be
    one moment, or the first report lands a few microseconds before the event."""
    monkeypatch.delenv("YAOQING_NOW")
    result = office("file", "--title", "寒潮预警", "--kind", "warning", "--occurred", "6小时前",
                    "--at", "6小时前", "--json")  # fmt: skip
    assert result.code == 0, result
    assert result.json["occurred"] == result.json["filed"]
