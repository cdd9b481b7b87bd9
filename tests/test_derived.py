"""Office-level events, drill logs, headings as issued, the office calendar in the log, and
verify recomputing every table that is not an event (issue 10 rules 8, 9, 11; issue 11 item 1)."""

import json
import shutil
import sqlite3
from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import dump_log, file_item, iso
from yaoqing_cli.errors import UsageError
from yaoqing_cli.store import SCHEMA_VERSION
from yaoqing_cli.workdays import Entries, WorkCalendar

JINAN = ["--office", "济南市人民政府办公厅", "--short", "济南市", "--policy", "shandong"]


def rows(path, sql, *params):
    db = sqlite3.connect(path)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


# --- rule 11: simulated time never reaches a real log ---------------------------------------------


@pytest.fixture
def real_log(run, monkeypatch, db_path):
    """A real log (no --drill), made and filled on the machine's clock."""
    monkeypatch.delenv("YAOQING_NOW")
    assert run("init", *JINAN).code == 0
    return file_item(run, title="真实要情", occurred="10分钟前", at=None)["id"]


def test_a_write_with_yaoqing_now_is_refused_on_a_real_log(run, real_log, db_path, tmp_path):
    calendar = tmp_path / "calendar.toml"
    calendar.write_text('[years.2027]\nholidays = ["2027-01-01"]\n', "utf-8")
    exported = tmp_path / "export.jsonl"
    assert run("export", "--output", exported).code == 0
    before = dump_log(db_path)
    simulated = "2027-03-01T09:00:00+08:00"
    for argv in (
        ["file", "--title", "x", "--occurred", "08:00"],
        ["continue", real_log, "--text", "续报"],
        ["close", real_log],
        ["import", exported],
        ["calendar", "add", calendar],
        ["init", *JINAN],
        ["init", *JINAN, "--drill"],
    ):
        result = run(*argv, now=simulated)
        assert result.code == 2, (argv, result)
        assert "YAOQING_NOW" in result.err and result.err.count("\n") == 1, (argv, result)
    assert dump_log(db_path) == before
    # read commands take it as they take --at
    shown = run("show", real_log, "--json", now=simulated)
    assert shown.code == 0 and shown.json["closed"] is None
    board = run("status", "--json", now=simulated)
    assert board.code == 0 and [e["id"] for e in board.json] == [real_log]
    assert run("report", "--date", "2027-02-28", now=simulated).code == 0


def test_a_real_log_records_the_machine_clock(run, real_log, db_path):
    recorded = [
        datetime.fromisoformat(r[0])
        for r in rows(db_path, "SELECT recorded_at FROM events ORDER BY seq")
    ]
    assert len(recorded) == 2  # init, file
    for moment in recorded:
        assert abs(datetime.now(UTC) - moment) < timedelta(minutes=5)
    assert rows(db_path, "SELECT drill FROM office") == [(0,)]
    assert "演练" not in run("status").out


def test_a_real_log_is_not_made_with_simulated_time(run, db_path):
    result = run("init", *JINAN)  # YAOQING_NOW is set in every test
    assert result.code == 2 and "YAOQING_NOW" in result.err, result
    assert not db_path.exists()


def test_a_real_log_cannot_become_a_drill(run, real_log, monkeypatch):
    result = run("init", *JINAN, "--drill")
    assert result.code == 1 and "真实日志" in result.err and "--drill" in result.err, result


def test_a_drill_log_says_so_everywhere_and_records_simulated_time(office, run, db_path):
    item = file_item(office, "--level", "重大", "--kind", "opinion", title="演练要情")
    assert item["heading"] == "【演练】济南市要情专报 2026年第1期"
    assert run("file", "--title", "二", "--occurred", "08:00").out.startswith("【演练】已记录首报")
    assert run("continue", item["id"], "--text", "续报").out.startswith("【演练】已记录")
    assert run("status").out.splitlines()[0].endswith("【演练】")
    assert run("status", "--overdue", "--brief").out.splitlines()[0].endswith("【演练】")
    assert run("show", item["id"]).out.split("\n")[0].endswith("【演练】济南市要情专报 2026年第1期")
    text = run("report", "--date", "2026-11-22").out
    assert text.startswith("【演练】济南市值班日报") and "本日志为演练日志" in text
    assert run("report", "--date", "2026-11-22", "--format", "json").json["drill"] is True
    assert run("close", item["id"]).out.startswith("【演练】已记录")
    # the recorded moment of a drill is YAOQING_NOW (2026-11-22 12:00 +08:00), not the machine's
    assert {r[0] for r in rows(db_path, "SELECT recorded_at FROM events")} == {
        "2026-11-22T04:00:00Z"
    }
    # re-running init keeps it a drill log
    again = run("init", *JINAN)
    assert again.code == 0 and again.out.startswith("【演练】"), again
    assert rows(db_path, "SELECT drill FROM office") == [(1,), (1,)]


def test_the_demo_runs_on_a_drill_log(run):
    result = run("demo")
    assert result.code == 0, result
    assert "【演练】演示市要情专报" in result.out and "init" in result.out


# --- rule 8: what was issued stays issued -----------------------------------------------------------


def test_a_new_short_name_heads_only_later_items(office, run, db_path):
    first = file_item(office, title="甲")
    renamed = run("init", "--office", "济南市人民政府办公厅", "--short", "济南", "--policy", "山东")
    assert renamed.code == 0, renamed
    assert "报头自此改为“【演练】济南要情专报”（原为“【演练】济南市要情专报”）" in renamed.out
    second = file_item(office, title="乙", at="2026-11-22 10:00")
    assert second["heading"] == "【演练】济南要情专报 2026年第2期"
    assert run("show", first["id"], "--json").json["heading"] == (
        "【演练】济南市要情专报 2026年第1期"
    )
    report = run("report", "--date", "2026-11-22", "--format", "json").json
    assert [f["heading"] for f in report["filed"]] == [
        "【演练】济南市要情专报 2026年第1期",
        "【演练】济南要情专报 2026年第2期",
    ]
    # each init is an office event in the chain; the office table is their projection
    events = rows(db_path, "SELECT type, item_id, data FROM events WHERE type = 'office'")
    assert [json.loads(e[2])["short"] for e in events] == ["济南市", "济南"]
    assert {e[1] for e in events} == {""}
    assert [r[0] for r in rows(db_path, "SELECT short FROM office ORDER BY seq")] == [
        "济南市",
        "济南",
    ]
    # the same settings again: still recorded, no heading line
    same = run("init", "--office", "济南市人民政府办公厅", "--short", "济南", "--policy", "山东")
    assert same.code == 0 and "报头" not in same.out
    assert len(rows(db_path, "SELECT 1 FROM events WHERE type = 'office'")) == 3
    assert run("verify").code == 0


def old_log(path):
    """A log as version 2 of the schema wrote it: an office row with no event, an item whose
    first report carries no heading; then the office renamed (a second row). Built with
    sqlite-utils on the store's first two migrations, rows inserted as dicts."""
    from sqlite_utils import Database

    from yaoqing_cli.models import Item, item_payload
    from yaoqing_cli.policy import load_policy
    from yaoqing_cli.store import (
        APPLICATION_ID,
        GENESIS_HASH,
        _dump,
        canonical_event,
        chain_hash,
        m001_initial,
        m002_clocks,
    )

    policy = load_policy("shandong")
    db = Database(sqlite3.connect(path, isolation_level=None), recursive_triggers=False)
    office = {"name": "高安市人民政府办公室", "short": "高安市", "policy": "shandong",
              "tz": "Asia/Shanghai", "officer": None}  # fmt: skip
    with db.atomic():
        m001_initial(db)
        m002_clocks(db)
        db["office"].insert({**office, "recorded_at": "2026-11-01T00:00:00Z"})
        db["policy_snapshots"].insert(
            {"hash": policy.hash, "name": policy.name, "content": _dump(policy.raw)}
        )
        filed_at = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
        item = Item("20261102-001", 2026, 1, "旧要情", "emergency", "large", policy.name,
                    policy.hash, filed_at, filed_at, filed_at)  # fmt: skip
        payload = item_payload(item)
        at = "2026-11-02T01:00:00Z"
        canonical = canonical_event("u1", item.id, "file", at, at, None, payload)
        row = {k: v for k, v in payload.items() if k in db["items"].columns_dict}
        db["items"].insert({**row, "day": "20261102", "day_no": 1, "details": "{}"})
        db["events"].insert(
            {"uid": "u1", "item_id": item.id, "type": "file", "happened_at": at,
             "recorded_at": at, "officer": None, "data": _dump(payload),
             "prev_hash": GENESIS_HASH, "hash": chain_hash(GENESIS_HASH, canonical)}
        )  # fmt: skip
        db["office"].insert({**office, "short": "高安", "recorded_at": "2026-11-10T00:00:00Z"})
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("PRAGMA user_version = 2")
    db.close()


def test_an_upgraded_log_gives_its_office_rows_events_and_keeps_old_headings(run, db_path):
    old_log(db_path)
    checked = run("verify")  # opening migrates: one office event per office row
    assert checked.code == 0, checked
    events = rows(
        db_path, "SELECT happened_at, data FROM events WHERE type = 'office' ORDER BY seq"
    )
    assert [(e[0], json.loads(e[1])["short"]) for e in events] == [
        ("2026-11-01T00:00:00Z", "高安市"),
        ("2026-11-10T00:00:00Z", "高安"),
    ]
    # the item filed on 11-02 keeps the name in force then, not the later 高安
    shown = run("show", "20261102-001", "--json", now="2026-11-22T12:00:00+08:00")
    assert shown.json["heading"] == "高安市要情专报 2026年第1期"
    assert rows(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]  # every migration ran


# --- rule 9: the office calendar is evidence too --------------------------------------------------


@pytest.fixture
def praise(run):
    """A Yunnan praise message filed Tuesday 2026-09-29: 5 working days to reply. Officially
    09-30 (1), 10-01..07 National Day, 10-08 (2), 10-09 (3), Saturday 10-10 a make-up
    workday (4), 10-12 (5): due at the end of 10-12."""
    assert (
        run("init", "--office", "昆明", "--short", "昆明", "--policy", "云南", "--drill").code == 0
    )
    item = file_item(run, "--kind", "message", "--class", "praise", title="网民表扬",
                     occurred="2026-09-29 09:00", at="2026-09-29 10:00",
                     at_now=True)  # fmt: skip

    def deadline(*extra):
        shown = run(*extra, "show", item["id"], "--json", now="2026-09-30T10:00:00+08:00")
        assert shown.code == 0, shown
        return {d["key"]: d["deadline"] for d in shown.json["duties"]}["reply"]

    return deadline


def test_a_calendar_file_for_a_known_year_adds_to_the_official_days(praise, tmp_path):
    assert praise() == iso("2026-10-13 00:00")
    extra = tmp_path / "calendar.toml"
    extra.write_text('[years.2026]\nholidays = ["2026-11-16"]\n', "utf-8")
    # before: the file replaced 2026, National Day and the 10-10 make-up day vanished (10-07)
    assert praise("--calendar", extra) == iso("2026-10-13 00:00")


def test_calendar_add_records_the_entries_in_the_log(praise, run, tmp_path, db_path):
    extra = tmp_path / "本单位日历.toml"
    extra.write_text('[years.2026]\nholidays = ["2026-10-12", "2026-10-03"]\n', "utf-8")
    added = run("calendar", "add", extra, now="2026-09-30T09:00:00+08:00")
    assert added.code == 0, added
    assert "2026：另加 1 个休息日" in added.out  # 10-03 is a holiday already
    # every command now counts with it, without --calendar: 10-12 rests, due end of 10-13
    assert praise() == iso("2026-10-14 00:00")
    [(item_id, data)] = rows(db_path, "SELECT item_id, data FROM events WHERE type = 'calendar'")
    data = json.loads(data)
    assert item_id == "" and data["source"] == "本单位日历.toml" and len(data["sha256"]) == 64
    assert data["years"] == {"2026": {"holidays": ["2026-10-03", "2026-10-12"], "workdays": []}}
    shown = run("calendar", "show", "2026")
    assert shown.code == 0, shown
    release = __import__("chinese_calendar").__version__  # named as a person names it
    assert f"\n2026 年工作日历（节假日库 chinese-calendar {release}）\n" in shown.out
    assert "国庆节：放假 2026-10-01 至 2026-10-07；调休上班 2026-09-20、2026-10-10" in shown.out
    assert "2026-10-12 休息日  来源 本单位日历.toml" in shown.out
    again = run("calendar", "add", extra)
    assert again.code == 1 and "已录入过" in again.err
    assert run("verify").code == 0
    # the handover view, answered from the clocks projection, counts with the entries too
    board = run("status", "--overdue", "--json", now="2026-10-13T12:00:00+08:00")
    assert board.code == 0 and board.json == []


def test_calendar_entries_only_ever_add_to_the_official_schedule():
    """Property: whatever rest and working days an office enters for 2026, every official
    holiday stays a rest day and every make-up workday a working day; an entry that would undo
    one is refused."""
    days = st.dates(date(2026, 1, 1), date(2026, 12, 31))

    @settings(max_examples=200, deadline=None)
    @given(st.frozensets(days, max_size=20), st.frozensets(days, max_size=20))
    def check(rest, work):
        rest, work = rest - work, work - rest
        entry = Entries({2026: (rest, work)}, "x.toml", "0" * 64, "x.toml")
        undoes = any(d in chinese_calendar.workdays for d in rest) or any(
            d in chinese_calendar.holidays for d in work
        )
        try:
            calendar = WorkCalendar([entry])
        except UsageError:
            assert undoes
            return
        assert not undoes
        for day in chinese_calendar.holidays:
            if day.year == 2026:
                assert calendar.is_workday(day) == (False, False)
        for day in chinese_calendar.workdays:
            if day.year == 2026:
                assert calendar.is_workday(day) == (True, False)
        assert all(not calendar.is_workday(d)[0] for d in rest)
        assert all(calendar.is_workday(d)[0] for d in work)

    check()


@pytest.mark.parametrize(
    "content, named",
    [
        ('[years.2026]\nworkdays = ["2026-10-01"]\n', "2026-10-01 是法定节假日"),
        ('[years.2026]\nholidays = ["2026-10-10"]\n', "2026-10-10 是国务院办公厅通知的调休上班日"),
        ('[years.1999]\nholidays = ["1999-10-01"]\n', "2000–2100"),
        ('[years.2027]\nholidays = ["2026-10-01"]\n', "不在 2027 年"),
        ('[years.2027]\nholidays = ["2027-13-01"]\n', "不是日期"),
        ("[years.2027]\nholidays = [" + ",".join(['"2027-01-01"'] * 400) + "]\n", "日期过多"),
        ('[years.2027]\nholidays = ["2027-01-01"]\n[other]\nx = 1\n', "未知的键"),
    ],
)
def test_a_calendar_file_is_checked_as_input(office, run, tmp_path, db_path, content, named):
    bad = tmp_path / "calendar.toml"
    bad.write_text(content, "utf-8")
    before = dump_log(db_path)
    result = run("calendar", "add", bad)
    assert result.code == 2 and named in result.err and result.err.count("\n") == 1, result
    assert dump_log(db_path) == before


def test_a_huge_calendar_file_is_refused(office, run, tmp_path):
    bad = tmp_path / "calendar.toml"
    bad.write_text("# " + "x" * 300_000 + "\n[years.2027]\n", "utf-8")
    result = run("calendar", "add", bad)
    assert result.code == 2 and "过大" in result.err, result


# --- issue 11 item 1: verify recomputes every table that is not an event -------------------------

TABLES = {
    "items": (
        "id", "day", "day_no", "year", "issue_no", "title", "kind", "level", "policy",
        "policy_hash", "occurred", "received", "filed", "message_class", "unit", "category",
        "sensitive", "coordination", "details", "closed_at",
    ),
    "events": (
        "seq", "uid", "item_id", "type", "happened_at", "recorded_at", "officer", "data",
        "prev_hash", "hash",
    ),
    "policy_snapshots": ("hash", "name", "content"),
    "office": ("seq", "name", "short", "policy", "tz", "officer", "drill", "recorded_at"),
    "calendar": ("event_uid", "year", "holidays", "workdays", "source", "sha256"),
    "clocks": (
        "item_id", "duty", "deadline", "level", "fallback", "title", "kind", "category",
        "policy_hash",
    ),
}  # fmt: skip
# Not listed: meta (names what the clocks were computed with: a changed value only makes status
# stop trusting the projection and judge every item) and sqlite_sequence (SQLite's own counter).


@pytest.fixture
def template(office, run, tmp_path, db_path):
    """A log with every table filled: two office rows, a calendar, a closed item, an item
    with every field, and an open one last whose clocks are running."""
    calendar = tmp_path / "calendar.toml"
    calendar.write_text('[years.2027]\nholidays = ["2027-01-01"]\nworkdays = []\n', "utf-8")
    assert run("calendar", "add", calendar).code == 0
    first = file_item(office, title="甲")["id"]
    assert run("close", first, "--at", "10:00").code == 0
    file_item(office, "--kind", "message", "--class", "appeal", "--policy", "云南",
              "--unit", "某县", "--category", "民生热点", "--sensitive", "--coordination",
              "--location", "某地", title="乙", at="2026-11-22 10:30")  # fmt: skip
    assert run("init", "--office", "济南市人民政府办公厅", "--short", "济南", "--policy", "山东",
               "--officer", "王值班").code == 0  # fmt: skip
    file_item(office, "--kind", "opinion", "--level", "重大", title="丙", at="2026-11-22 11:00")
    assert run("verify").code == 0
    for table in TABLES:
        assert rows(db_path, f"SELECT count(*) FROM {table}")[0][0] > 0, table
    return db_path


def tampered(template, tmp_path, name, *statements):
    copy = tmp_path / f"tampered-{name}.db"
    shutil.copy(template, copy)
    db = sqlite3.connect(copy)
    for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
        db.execute(f"DROP TRIGGER {trigger}")
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()
    return copy


def test_verify_names_every_altered_value_of_every_table(template, run, tmp_path):
    missed = []
    for table, columns in TABLES.items():
        for column in columns:
            copy = tampered(
                template, tmp_path, f"{table}-{column}",
                f"UPDATE {table} SET {column} = CASE WHEN {column} IS NULL THEN 'x'"
                f" WHEN typeof({column}) = 'integer' THEN {column} + 7 ELSE {column} || 'x' END"
                f" WHERE rowid = (SELECT max(rowid) FROM {table})",
            )  # fmt: skip
            result = run("--db", copy, "verify")
            if table == "events":  # the chain names the event
                ok = "事件 #" in result.err
            elif table == "clocks":
                ok = "时限索引与要情" in result.out and (
                    column in result.out or "（整行）" in result.out
                )
            else:
                ok = f"{table} 表" in result.err and (
                    f"的 {column}" in result.out or "（整行）" in result.out
                )
            if result.code != 1 or not ok or result.err.count("\n") != 1:
                missed.append((table, column, result.code, result.err, result.out))
    assert not missed, "\n".join(map(str, missed))


def test_verify_names_the_item_whose_events_were_deleted(template, run, tmp_path):
    [(last,)] = rows(template, "SELECT id FROM items ORDER BY filed DESC LIMIT 1")
    copy = tampered(template, tmp_path, "deleted", f"DELETE FROM events WHERE item_id = '{last}'")
    result = run("--db", copy, "verify")
    assert result.code == 1 and last in result.err and "无首报事件" in result.err, result


def test_verify_fails_on_a_missing_policy_snapshot(template, run, tmp_path):
    copy = tampered(
        template, tmp_path, "snapshot",
        "DELETE FROM policy_snapshots WHERE name = 'yunnan'",
    )  # fmt: skip
    result = run("--db", copy, "verify")
    assert result.code == 1 and "政策快照" in result.err, result


def test_verify_names_the_column_and_both_values(template, run, tmp_path):
    [(last,)] = rows(template, "SELECT id FROM items WHERE title = '乙'")
    copy = tampered(
        template, tmp_path, "unit", f"UPDATE items SET unit = '另一县' WHERE id = '{last}'"
    )
    result = run("--db", copy, "verify")
    assert result.code == 1, result
    assert f"items 表 {last} 的 unit（报送单位）：存储为 '另一县'，按事件应为 '某县'" in result.err


def test_a_damaged_calendar_table_is_named_not_an_internal_error(template, run, tmp_path):
    copy = tampered(template, tmp_path, "calendar", "UPDATE calendar SET holidays = '[\"x'")
    for argv in (["status"], ["calendar", "show", "2027"]):
        result = run("--db", copy, *argv)
        assert result.code == 1 and "工作日历已损坏" in result.err, (argv, result)
    # a report can still be logged; the projection is set aside until the table is repaired
    logged = run("--db", copy, "file", "--title", "仍可记录", "--occurred", "08:00")
    assert logged.code == 0, logged
    assert run("--db", copy, "verify").code == 1
