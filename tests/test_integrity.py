"""Evidence: the hash chain, backup, export and import, through the real CLI."""

import json
import sqlite3

import pytest

from tests.conftest import dump_log, file_item


@pytest.fixture
def busy_log(office):
    first = file_item(
        office, "--level", "重大", "--kind", "opinion", "--about-level", "重大", title="甲"
    )["id"]
    second = file_item(office, "--sensitive", "--summary", "内部情况", title="乙（敏感）")["id"]
    office("continue", first, "--done", "publish", "--text", "已发布", "--at", "10:00")
    office("continue", second, "--text", "敏感续报", "--at", "10:30")
    office("close", first, "--text", "处置完毕", "--at", "11:00")
    return office, first, second


def test_verify_counts_every_event(busy_log):
    run, *_ = busy_log
    result = run("verify")
    assert result.code == 0, result
    assert "6 个事件" in result.out and "2 条要情" in result.out  # init is an event too


def test_verify_catches_an_edit_behind_the_tools_back(busy_log, db_path):
    run, first, _ = busy_log
    db = sqlite3.connect(db_path)
    db.execute("DROP TRIGGER events_append_only_update")
    db.execute(
        "UPDATE events SET data = replace(data, '已发布', '未发布') WHERE item_id = ? AND type = 'continue'",
        (first,),
    )
    db.commit()
    db.close()
    result = run("verify")
    assert result.code == 1, result
    assert first in result.err and "哈希不符" in result.err
    assert result.err.count("\n") == 1


def test_verify_catches_a_deleted_event(busy_log, db_path):
    run, *_ = busy_log
    db = sqlite3.connect(db_path)
    db.execute("DROP TRIGGER events_append_only_delete")
    db.execute("DELETE FROM events WHERE seq = 2")
    db.commit()
    db.close()
    result = run("verify")
    assert result.code == 1, result
    assert "链接断开" in result.err


def test_verify_catches_a_reopened_item(busy_log, db_path):
    run, first, _ = busy_log
    db = sqlite3.connect(db_path)
    db.execute("DROP TRIGGER items_close_once")
    db.execute("UPDATE items SET closed_at = NULL WHERE id = ?", (first,))
    db.commit()
    db.close()
    result = run("verify")
    assert result.code == 1, result
    assert "终报时间" in result.err


def test_backup_is_a_verifiable_copy_and_never_overwrites(busy_log, tmp_path):
    run, *_ = busy_log
    dest = tmp_path / "copy.db"
    assert run("backup", dest).code == 0
    copy = run("--db", dest, "verify")
    assert copy.code == 0 and "6 个事件" in copy.out, copy  # init is an event too
    again = run("backup", dest)
    assert again.code == 1 and "已存在" in again.err


def test_export_import_round_trip_loses_nothing(busy_log, tmp_path):
    run, first, second = busy_log
    exported = run("export", "--include-sensitive")
    assert exported.code == 0, exported
    dump = tmp_path / "log.jsonl"
    dump.write_text(exported.out, encoding="utf-8")
    target = tmp_path / "new.db"
    assert run("--db", target, "init", "--office", "济南市人民政府办公厅", "--short", "济南市", "--policy", "shandong", "--drill").code == 0  # fmt: skip
    result = run("--db", target, "import", dump)
    assert result.code == 0, result
    assert "已导入 5 个事件" in result.out
    assert run("--db", target, "verify").code == 0
    for item_id in (first, second):
        original = run("show", item_id, "--json").json
        copied = run("--db", target, "show", item_id, "--json").json
        assert copied == original
    # importing twice adds nothing
    before = dump_log(target)
    again = run("--db", target, "import", dump)
    assert again.code == 0 and "已导入 0 个事件，跳过已有的 5 个" in again.out, again
    assert dump_log(target) == before


def test_export_hides_sensitive_content_unless_asked(busy_log):
    run, _, second = busy_log
    masked = run("export").out
    assert "乙（敏感）" not in masked and "内部情况" not in masked and "敏感续报" not in masked
    assert second in masked
    full = run("export", "--include-sensitive").out
    assert "乙（敏感）" in full and "内部情况" in full


def test_import_rejects_garbage_and_changes_nothing(busy_log, db_path, tmp_path):
    run, *_ = busy_log
    before = dump_log(db_path)
    cases = {
        "notjson.jsonl": "this is not json\n",
        "noheader.jsonl": json.dumps({"record": "event"}) + "\n",
        "badbytes.jsonl": b"\xff\xfe\x00garbage",
    }
    for name, content in cases.items():
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        result = run("import", path)
        assert result.code in (1, 2), result
        assert result.err.count("\n") == 1 and "Traceback" not in result.err
    missing = run("import", tmp_path / "nowhere.jsonl")
    assert missing.code == 1, missing
    assert dump_log(db_path) == before


def test_import_of_a_colliding_item_is_refused_whole(busy_log, tmp_path, run):
    office_run, *_ = busy_log
    other = tmp_path / "other.db"
    office_run(
        "--db",
        other,
        "init",
        "--office",
        "另一办",
        "--short",
        "另",
        "--policy",
        "shandong",
        "--drill",
    )
    office_run("--db", other, "file", "--title", "另一条", "--occurred", "08:00", "--at", "09:00")
    dump = tmp_path / "other.jsonl"
    dump.write_text(office_run("--db", other, "export").out, encoding="utf-8")
    before = dump_log(tmp_path / "log.db")
    result = office_run("import", dump)
    assert result.code == 1, result
    assert "已是另一条要情" in result.err
    assert dump_log(tmp_path / "log.db") == before


@pytest.mark.parametrize("command", [["export"], ["report", "--date", "2026-11-21"]])
def test_output_onto_the_log_itself_is_refused(office, db_path, command):
    """`--output` naming the log would replace the evidence with a summary: refused."""
    file_item(office, "--level", "一般", title="某路段山体滑坡", occurred="08:00", at=None)
    before = db_path.read_bytes()
    result = office(*command, "--output", db_path)
    assert result.code == 1 and "就是日志本身" in result.err
    assert db_path.read_bytes() == before
