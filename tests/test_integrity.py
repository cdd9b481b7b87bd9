"""Evidence: the hash chain, backup, export and import, through the real CLI."""

import json
import os
import sqlite3
from datetime import datetime
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import dump_log, file_item
from yaoqing_cli.vocab import EventType


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
    db.execute("DROP TRIGGER items_fixed_columns")
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
        # recorded here at import; the source's moment and office are kept in data.imported
        for mine, theirs in zip(original["events"], copied["events"], strict=True):
            source = theirs["data"].pop("imported")
            assert source["source_office"] == "济南市人民政府办公厅"
            kept = datetime.fromisoformat(source["source_recorded_at"])
            assert kept == datetime.fromisoformat(mine["recorded_at"])
            del mine["recorded_at"], theirs["recorded_at"]
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
    """The same office on a second machine numbered another item 20261122-001: refused whole.
    (Another office's items are forwarded items instead: tests/test_import.py.)"""
    office_run, *_ = busy_log
    other = tmp_path / "other.db"
    office_run(
        "--db", other, "init", "--office", "济南市人民政府办公厅", "--short", "济南市",
        "--policy", "shandong", "--drill",
    )  # fmt: skip
    file_item(partial(office_run, "--db", other), title="另一条", occurred="08:00", at="09:00")
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


# --- anchors: verify and the daily report pin the head; --expect checks it later -------------------


def head_of(db_path) -> tuple[int, str]:
    db = sqlite3.connect(db_path)
    try:
        return db.execute(
            "SELECT count(*), (SELECT hash FROM events ORDER BY seq DESC LIMIT 1) FROM events"
        ).fetchone()
    finally:
        db.close()


def rehash_everything(db_path, edit_sql: str, *, mend_index: bool = True) -> None:
    """A forger with raw SQL: edit an event, then recompute every hash so the chain holds (and,
    unless told not to, rebuild the search index to agree with the forgery)."""
    from yaoqing_cli.store import GENESIS_HASH, canonical_around, chain_hash

    db = sqlite3.connect(db_path)
    db.execute("DROP TRIGGER events_append_only_update")
    db.execute(edit_sql)
    prev = GENESIS_HASH
    rows = db.execute(
        "SELECT seq, uid, item_id, type, happened_at, recorded_at, officer, data FROM events"
        " ORDER BY seq"
    ).fetchall()
    for seq, *fields in rows:
        digest = chain_hash(prev, canonical_around(*fields))
        db.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
        prev = digest
    db.commit()
    db.close()
    if mend_index:
        agree_search_index(db_path)


def agree_search_index(db_path) -> None:
    """The forger also brings the search index (derived from the events) into line, as the
    tool's own code would: then every table agrees and only an anchor kept elsewhere tells."""
    from yaoqing_cli.store import Store

    store = Store.open(db_path)
    with store.transaction():
        store.rebuild_search_index()
    store.close()


def test_verify_ends_with_the_anchor_and_json_names_it(busy_log, db_path):
    run, *_ = busy_log
    count, head = head_of(db_path)
    result = run("verify")
    assert result.code == 0, result
    assert result.out.splitlines()[-1] == f"日志锚点：{count} 个事件，末哈希 {head}"
    data = run("verify", "--json").json
    assert data["ok"] is True and data["events"] == count and data["head"] == head
    assert data["failure"] is None


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_the_daily_report_carries_the_anchor(busy_log, db_path, fmt):
    run, *_ = busy_log
    count, head = head_of(db_path)
    result = run("report", "--date", "2026-11-22", "--format", fmt)
    assert result.code == 0, result
    if fmt == "json":
        assert result.json["anchor"] == {"events": count, "head": head}
    else:
        assert f"日志锚点：{count} 个事件，末哈希 {head}" in result.out


def test_expect_holds_while_the_log_grows(busy_log, tmp_path, db_path):
    run, _, second = busy_log
    paper = tmp_path / "日报.md"
    assert run("report", "--date", "2026-11-22", "--format", "markdown", "-o", paper).code == 0
    count, head = head_of(db_path)
    assert run("continue", second, "--text", "再续", "--at", "11:30").code == 0
    for argv in (["--expect-file", paper], ["--expect", f"{count}:{head}"],
                 ["--expect", head], ["--expect", head[:16].upper()]):  # fmt: skip
        result = run("verify", *argv)
        assert result.code == 0 and "相符" in result.out, (argv, result)
        assert result.out.splitlines()[-1].startswith(f"日志锚点：{count + 1} 个事件")


def test_expect_catches_a_truncated_tail(busy_log, tmp_path, db_path):
    """Deleting the last events leaves a chain that holds: only an anchor kept elsewhere shows
    that the tail is gone."""
    run, _, second = busy_log
    assert run("continue", second, "--text", "再续", "--at", "11:30").code == 0
    earlier = tmp_path / "verify.txt"
    earlier.write_text(run("verify").out, "utf-8")
    count, head = head_of(db_path)
    db = sqlite3.connect(db_path)
    db.execute("DROP TRIGGER events_append_only_delete")
    db.execute("DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)")
    db.commit()
    db.close()
    agree_search_index(db_path)
    assert run("verify").code == 0  # the shorter chain is whole
    for argv in (["--expect-file", earlier], ["--expect", f"{count}:{head}"], ["--expect", head]):
        result = run("verify", *argv)
        assert result.code == 1, (argv, result)
        assert result.err.count("\n") == 1 and "锚点" in result.err, result
    assert "截断" in run("verify", "--expect", f"{count}:{head}").err
    data = run("verify", "--json", "--expect-file", earlier)
    assert data.code == 1 and data.json["ok"] is False
    assert data.json["failure"]["kind"] == "anchor" and data.json["events"] == count - 1


def test_expect_catches_a_rewritten_history(busy_log, tmp_path, db_path):
    run, *_ = busy_log
    report = tmp_path / "report.json"
    assert run("report", "--date", "2026-11-22", "--format", "json", "-o", report).code == 0
    count, head = head_of(db_path)
    rehash_everything(
        db_path,
        "UPDATE events SET data = replace(data, '已发布', '未发布') WHERE data LIKE '%已发布%'",
    )
    assert run("verify").code == 0  # a whole-log re-hash passes on its own
    result = run("verify", "--expect-file", report)
    assert result.code == 1 and "改写" in result.err, result
    assert run("verify", "--expect", f"{count}:{head[:20]}").code == 1


@pytest.mark.parametrize(
    "argv",
    [["--expect", "xyz"], ["--expect", "5:"], ["--expect", "a:" + "0" * 64],
     ["--expect", "0123456789abcde"], ["--expect", "1", "--expect-file", "x"]],
)  # fmt: skip
def test_a_bad_expectation_is_a_usage_error(busy_log, argv):
    run, *_ = busy_log
    result = run("verify", *argv)
    assert result.code == 2 and result.err.count("\n") == 1, result


def test_an_expect_file_without_an_anchor_is_refused(busy_log, tmp_path):
    run, *_ = busy_log
    plain = tmp_path / "plain.txt"
    plain.write_text("今天没有日志锚点\n", "utf-8")
    assert run("verify", "--expect-file", plain).code == 2
    assert run("verify", "--expect-file", tmp_path / "missing.txt").code == 1


def test_verify_json_names_a_table_difference(busy_log, db_path):
    run, first, _ = busy_log
    db = sqlite3.connect(db_path)
    db.execute("DROP TRIGGER items_fixed_columns")
    db.execute("UPDATE items SET unit = '另一县' WHERE id = ?", (first,))
    db.commit()
    db.close()
    result = run("verify", "--json")
    assert result.code == 1 and result.err.count("\n") == 1, result
    data = result.json
    assert data["ok"] is False and data["failure"]["kind"] == "items"
    assert any("另一县" in d for d in data["differences"])
    assert len(data["head"]) == 64 and data["events"] == 6  # the chain itself is whole


def test_an_expect_file_that_is_a_fifo_is_refused_not_waited_on(busy_log, tmp_path):
    """`--expect-file` names an earlier report; a FIFO there made verify wait for ever for a
    writer, as a FIFO given as --db once did. (The thread below only frees a reader that
    waits, so that the test ends either way.)"""
    import threading

    run, *_ = busy_log
    fifo = tmp_path / "anchor.fifo"
    os.mkfifo(fifo)
    stop = threading.Event()

    def free_a_waiting_reader():
        while not stop.wait(0.05):
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                return
            except OSError:  # no reader yet
                continue

    helper = threading.Thread(target=free_a_waiting_reader, daemon=True)
    helper.start()
    try:
        result = run("verify", "--expect-file", fifo)
    finally:
        stop.set()
        helper.join()
    assert result.code == 1 and "不是普通文件" in result.err, result
    assert result.err.count("\n") == 1, result


_field = st.text() | st.sampled_from(list(EventType))  # any text, and the StrEnum the writes use


@given(
    st.tuples(_field, _field, _field, _field, _field),
    st.none() | st.text(),
    st.dictionaries(st.text(), st.text() | st.integers() | st.none(), max_size=3),
)
def test_the_hashed_form_is_json_of_the_event_keys_sorted_whatever_the_text(fields, officer, data):
    """store.canonical_around writes the event's JSON by hand (verify runs it a million times);
    it must be exactly json.dumps with sorted keys, no spaces and UTF-8 as is, for any text,
    and for a value of another type (a tampered row) too."""
    from yaoqing_cli.store import canonical_around

    uid, item_id, type_, happened, recorded = fields
    data_text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    expected = json.dumps(
        {"uid": uid, "item_id": item_id, "type": type_, "happened_at": happened,
         "recorded_at": recorded, "officer": officer, "data": data},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )  # fmt: skip
    assert canonical_around(uid, item_id, type_, happened, recorded, officer, data_text) == expected
    head, _, _ = expected.rpartition(',"uid":')  # "uid" is the last key
    assert canonical_around(5, item_id, type_, happened, recorded, officer, data_text) == (
        f'{head},"uid":5}}'
    )
