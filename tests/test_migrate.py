"""The schema and its migrations (store.m001..m005, written with sqlite-utils): a blank database
migrates to the schema below; a log made by the SQL migrations of schema 3 (tests/schema_v3.sql)
migrates to the same schema a new log has; a failed migration leaves nothing behind; commands on
an up-to-date log never import sqlite_utils (its import and plugin scan cost ~80 ms)."""

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import file_item
from yaoqing_cli import store as store_module
from yaoqing_cli.store import APPLICATION_ID, SCHEMA_VERSION, Store

HERE = Path(__file__).resolve().parent

# table -> [(column, type, not null, default, primary key position)]
COLUMNS = {
    "office": [
        ("seq", "INTEGER", 0, None, 1),
        ("name", "TEXT", 1, None, 0),
        ("short", "TEXT", 1, None, 0),
        ("policy", "TEXT", 1, None, 0),
        ("tz", "TEXT", 1, None, 0),
        ("officer", "TEXT", 0, None, 0),
        ("recorded_at", "TEXT", 1, None, 0),
        ("drill", "INTEGER", 1, "0", 0),
    ],
    "policy_snapshots": [
        ("hash", "TEXT", 0, None, 1),
        ("name", "TEXT", 1, None, 0),
        ("content", "TEXT", 1, None, 0),
    ],
    "items": [
        ("id", "TEXT", 0, None, 1),
        ("day", "TEXT", 1, None, 0),
        ("day_no", "INTEGER", 1, None, 0),
        ("year", "INTEGER", 1, None, 0),
        ("issue_no", "INTEGER", 1, None, 0),
        ("title", "TEXT", 1, None, 0),
        ("kind", "TEXT", 1, None, 0),
        ("level", "TEXT", 0, None, 0),
        ("policy", "TEXT", 1, None, 0),
        ("policy_hash", "TEXT", 1, None, 0),
        ("occurred", "TEXT", 1, None, 0),
        ("received", "TEXT", 1, None, 0),
        ("filed", "TEXT", 1, None, 0),
        ("message_class", "TEXT", 0, None, 0),
        ("unit", "TEXT", 0, None, 0),
        ("category", "TEXT", 0, None, 0),
        ("sensitive", "INTEGER", 1, "0", 0),
        ("coordination", "INTEGER", 1, "0", 0),
        ("details", "TEXT", 1, "'{}'", 0),
        ("closed_at", "TEXT", 0, None, 0),
        ("origin", "TEXT", 1, "''", 0),
        ("origin_short", "TEXT", 1, "''", 0),
    ],
    "events": [
        ("seq", "INTEGER", 0, None, 1),
        ("uid", "TEXT", 1, None, 0),
        ("item_id", "TEXT", 1, None, 0),
        ("type", "TEXT", 1, None, 0),
        ("happened_at", "TEXT", 1, None, 0),
        ("recorded_at", "TEXT", 1, None, 0),
        ("officer", "TEXT", 0, None, 0),
        ("data", "TEXT", 1, None, 0),
        ("prev_hash", "TEXT", 1, None, 0),
        ("hash", "TEXT", 1, None, 0),
    ],
    "meta": [("key", "TEXT", 0, None, 1), ("value", "TEXT", 1, None, 0)],
    "clocks": [
        ("item_id", "TEXT", 1, None, 1),
        ("duty", "TEXT", 1, None, 2),
        ("deadline", "TEXT", 1, None, 0),
        ("level", "TEXT", 0, None, 0),
        ("fallback", "INTEGER", 1, None, 0),
        ("title", "TEXT", 1, None, 0),
        ("kind", "TEXT", 1, None, 0),
        ("category", "TEXT", 0, None, 0),
        ("policy_hash", "TEXT", 1, None, 0),
    ],
    "calendar": [
        ("event_uid", "TEXT", 1, None, 1),
        ("year", "INTEGER", 1, None, 2),
        ("holidays", "TEXT", 1, None, 0),
        ("workdays", "TEXT", 1, None, 0),
        ("source", "TEXT", 1, None, 0),
        ("sha256", "TEXT", 1, None, 0),
    ],
    "search_text": [
        ("seq", "INTEGER", 0, None, 1),
        ("item_id", "TEXT", 1, None, 0),
        ("happened_at", "TEXT", 1, None, 0),
        ("kind", "TEXT", 1, None, 0),
        ("sensitive", "INTEGER", 1, None, 0),
        ("body", "TEXT", 1, None, 0),
    ],
}
# (table, columns, unique, partial): names aside, a UNIQUE constraint is a unique index
INDEXES = {
    ("items", ("id",), True, False),
    ("items", ("origin", "day", "day_no"), True, False),
    ("items", ("origin", "year", "issue_no"), True, False),
    ("items", ("filed", "unit", "sensitive"), False, False),  # m009: units from the index
    ("items", ("closed_at",), False, False),
    ("events", ("uid",), True, False),
    ("events", ("hash",), True, False),
    ("events", ("item_id", "happened_at"), False, False),
    ("events", ("happened_at",), False, False),
    ("events", ("item_id",), False, True),  # events_handed_down: a unit's clock starts (m008)
    ("policy_snapshots", ("hash",), True, False),
    ("meta", ("key",), True, False),
    ("clocks", ("item_id", "duty"), True, False),
    ("clocks", ("deadline", "item_id", "duty"), False, False),
    ("calendar", ("event_uid", "year"), True, False),
}
FOREIGN_KEYS = {
    ("items", "policy_hash", "policy_snapshots", "hash"),
    ("events", "item_id", "items", "id"),
    ("clocks", "item_id", "items", "id"),
}
TRIGGERS = {
    "events_append_only_update",
    "events_append_only_delete",
    "office_append_only_update",
    "office_append_only_delete",
    "snapshots_immutable_update",
    "snapshots_immutable_delete",
    "items_no_delete",
    "items_fixed_columns",  # m007: only a correction, a close or a reopening changes a row
    "calendar_append_only_update",
    "calendar_append_only_delete",
    "search_text_ai",  # sqlite-utils' triggers keeping the FTS index level with search_text
    "search_text_ad",
    "search_text_au",
}


def schema(db: sqlite3.Connection) -> dict:
    """Tables, columns, indexes (by what they cover), foreign keys and triggers (SQL with
    whitespace and the order of a WHEN's OR terms normalised)."""
    tables = sorted(
        name
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not name.startswith("search_text_fts") and name != "sqlite_sequence"
    )
    columns = {t: [tuple(r[1:]) for r in db.execute(f"PRAGMA table_info({t})")] for t in tables}
    indexes = set()
    foreign_keys = set()
    for t in tables:
        for _, name, unique, _, partial in db.execute(f"PRAGMA index_list({t})"):
            cols = tuple(r[2] for r in db.execute(f"PRAGMA index_info({name})"))
            indexes.add((t, cols, bool(unique), bool(partial)))
        for row in db.execute(f"PRAGMA foreign_key_list({t})"):
            foreign_keys.add((t, row[3], row[2], row[4]))
    triggers = {}
    for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"):
        text = " ".join(sql.split())
        head, when, body = re.match(r"(.*?)(?: WHEN (.*?))? (BEGIN .*)", text).groups()
        triggers[name] = (head, frozenset((when or "").split(" OR ")), body)
    return {
        "tables": tables,
        "columns": columns,
        "indexes": indexes,
        "foreign_keys": foreign_keys,
        "triggers": triggers,
    }


def test_a_blank_database_migrates_to_the_documented_schema(db_path):
    store = Store.open(db_path, create=True)
    found = schema(store.db)
    assert found["columns"] == COLUMNS
    assert found["indexes"] == INDEXES
    assert found["foreign_keys"] == FOREIGN_KEYS
    assert set(found["triggers"]) == TRIGGERS
    fts = store.db.execute("SELECT sql FROM sqlite_master WHERE name = 'search_text_fts'")
    assert "tokenize='trigram'" in fts.fetchone()[0]
    autoincrement = store.db.execute(
        "SELECT name FROM sqlite_master WHERE sql LIKE '%AUTOINCREMENT%' ORDER BY name"
    )
    assert [r[0] for r in autoincrement] == ["events", "office"]
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 8
    assert store.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    # the connection the commands go on using is left as the standard driver made it
    assert store.db.execute("PRAGMA recursive_triggers").fetchone()[0] == 0
    assert not store.db.in_transaction
    store.close()


def legacy_log(path: Path) -> None:
    """A log of schema 3 made by the SQL migrations as they were written before sqlite-utils."""
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript((HERE / "schema_v3.sql").read_text(encoding="utf-8"))
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("PRAGMA user_version = 3")
    db.close()


def test_a_log_made_by_the_sql_migrations_upgrades_to_the_schema_of_a_new_log(tmp_path):
    legacy_log(tmp_path / "old.db")
    db = sqlite3.connect(tmp_path / "old.db")
    item = ("20261122-001", "20261122", 1, 2026, 1, "旧要情", "emergency", "large", "shandong",
            "h", "t0", "t0", "t0", None, "某县", None, 1, 0, '{"location":"某地"}', "t1")  # fmt: skip
    db.execute(f"INSERT INTO items VALUES ({','.join('?' * len(item))})", item)
    db.commit()
    db.close()
    old = Store.open(tmp_path / "old.db")
    new = Store.open(tmp_path / "new.db", create=True)
    assert schema(old.db) == schema(new.db)
    assert old.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    # m004 rebuilt the table: the row is kept whole, an item of this office (origin '')
    assert old.db.execute("SELECT * FROM items").fetchall() == [(*item, "", "")]


def test_the_migrations_rerun_on_a_migrated_log_change_nothing(db_path):
    store = Store.open(db_path, create=True)
    before = schema(store.db)
    with store.transaction():
        store_module.migrate(store.db, 1)  # m002.. are written to be re-run safely
    assert schema(store.db) == before


def test_a_failed_migration_leaves_a_blank_file_blank(db_path, monkeypatch):
    def broken(db):
        raise RuntimeError("a migration fails half way")

    monkeypatch.setattr(store_module, "MIGRATIONS", (*store_module.MIGRATIONS[:-1], broken))
    with pytest.raises(RuntimeError):
        Store.open(db_path, create=True)
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    assert db.execute("PRAGMA user_version").fetchone()[0] == 0


def test_an_old_log_gains_the_search_index_of_what_it_already_holds(office, run, db_path):
    filed = file_item(run, occurred="08:00", at=None)
    db = sqlite3.connect(db_path)  # back to schema 4: no search index
    db.executescript("DROP TABLE search_text_fts; DROP TABLE search_text; PRAGMA user_version = 4;")
    db.close()
    found = run("search", "山体滑坡", "--json")
    assert found.code == 0, found
    assert [hit["id"] for hit in found.json["items"]] == [filed["id"]]
    assert sqlite3.connect(db_path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


PROBE = """
import sys
from yaoqing_cli.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    assert not done.code, done.code
print("sqlite_utils" in sys.modules, "dateutil.parser" in sys.modules)
"""


def test_commands_on_an_up_to_date_log_import_neither_sqlite_utils_nor_dateutils_parser(
    office, run, tmp_path
):
    file_item(run, title="山体滑坡", occurred="08:00", at=None)
    for argv in (
        ["status", "--overdue"],
        ["file", "--title", "再一条", "--occurred", "09:00"],
        ["search", "山体滑坡"],
        ["report", "--date", "2026-11-21"],
    ):
        done = subprocess.run(
            [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == "False False", (argv, done.stdout)
