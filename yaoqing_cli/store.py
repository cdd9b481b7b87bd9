"""The log: one SQLite file. This module owns every line of SQL in yaoqing.

Tables (schema version in PRAGMA user_version, migrations below):
- office:            the office's settings: a projection of the 'office' events (item_id ''),
                     one row per event, in force from its happened_at; the newest is in force.
- calendar:          the office calendar entered with `calendar add`: a projection of the
                     'calendar' events (item_id ''), one row per year of each.
- policy_snapshots:  the resolved policy an item was filed under, by content hash, so a later
                     edit of a policy file never silently changes a running item's clocks.
- events:            the evidence. Append-only (triggers refuse UPDATE and DELETE). Each event
                     keeps when it happened and when it was recorded, and a SHA-256 link to the
                     previous event so an edit behind the tool's back is visible (`verify`).
- items:             a projection of the `file` and `close` events, for fast lookups. Only
                     `closed_at` may change, once, from empty to a time (trigger-enforced).
- clocks:            a projection of the deadline engine: each open item's clocks still running
                     (duty, deadline, current level), rewritten on every write to that item, so
                     `status --overdue` finds the late ones by index instead of re-judging every
                     open item. `meta.clocks_basis` names what it was computed with (yaoqing
                     version, a digest of the deadline code, time zone, calendar); status trusts
                     it only when that matches.
- search_text:       each item event's words (facts.typed_words), keyed by the event's seq, with
                     an FTS5 index over them (search_text_fts, trigram tokenizer, kept by
                     sqlite-utils' triggers): what `yaoqing search` reads. Derived, like clocks.

Every write runs in one BEGIN IMMEDIATE transaction, so concurrent writers queue on the
busy timeout instead of failing, and a failed command leaves the log unchanged.
"""

import contextlib
import json
import os
import sqlite3
import uuid
from collections import namedtuple
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from yaoqing_cli import logpath
from yaoqing_cli.clock import from_utc_text, system_now, to_utc_text
from yaoqing_cli.errors import LogError, OperationError, os_reason
from yaoqing_cli.models import Event, Item, Office, canonical_json, sha256_hex

APPLICATION_ID = 0x59514C47  # "YQLG": marks a SQLite file as a yaoqing log
BUSY_TIMEOUT_MS = 30_000
WAIT_SLICE_MS = 200  # how long one wait for the write lock lasts inside SQLite (see transaction)
GENESIS_HASH = "0" * 64


class ClockRow(NamedTuple):
    """One running clock as the projection keeps it (table `clocks`)."""

    item_id: str
    duty: str
    deadline: datetime
    level: str | None  # the item's current level
    fallback: bool  # the deadline rests on the Monday-Friday guess
    title: str
    kind: str
    category: str | None
    policy_hash: str

    @classmethod
    def of(cls, item: Item, level: str | None, clock) -> "ClockRow":
        """The row of one running clock (an engine DutyStatus) of `item`."""
        return cls(
            item.id,
            clock.key,
            clock.deadline,
            level,
            bool(clock.calendar_fallback),
            item.title,
            item.kind,
            item.category,
            item.policy_hash,
        )

    def stored(self) -> tuple:
        return (*self[:2], to_utc_text(self.deadline), self.level, int(self.fallback), *self[5:])


def _clock_row(row: Sequence) -> ClockRow:
    # tuple.__new__ skips NamedTuple's Python-level __new__: a flood leaves thousands of rows
    try:
        deadline = from_utc_text(row[2])
    except (ValueError, TypeError):  # edited behind the tool's back: verify names it as stored
        deadline = row[2]
    fallback = row[4] == 1 if row[4] in (0, 1) else row[4]  # likewise
    return _new_row(ClockRow, (row[0], row[1], deadline, row[3], fallback, *row[5:]))


_new_row = tuple.__new__


class Commit(NamedTuple):
    """Evidence one write transaction made durable: what a failure after it must not deny."""

    log: Path
    events: tuple[tuple[str, str], ...]  # (item_id, event type) in the order written; item_id
    # is '' for an office-level event (the office's settings, a calendar entry)


# Every commit of evidence by this process, newest last. The CLI clears it before a command and
# reads it when anything fails afterwards (a closed pipe, a full disk under stdout, Ctrl-C), so
# a record that was made is never reported as not made. A list, not a return value: the
# failure may interrupt the code that would have returned it.
COMMITS: list[Commit] = []


# --- rows as stored, for verify: the evidence and the tables it checks, text as written ---------


class ChainRow(NamedTuple):
    """One event as stored, in chain order (times and data as the hash chain covers them)."""

    seq: int
    uid: str
    item_id: str
    type: str
    happened_at: str
    recorded_at: str
    officer: str | None
    data: str
    prev_hash: str
    hash: str


class OfficeRow(NamedTuple):
    seq: int
    name: str
    short: str
    policy: str
    tz: str
    officer: str | None
    drill: int
    recorded_at: str


class CalendarRow(NamedTuple):
    event_uid: str
    year: int
    holidays: str
    workdays: str
    source: str
    sha256: str


class SnapshotRow(NamedTuple):
    hash: str
    name: str
    content: str


class StoredEvent(NamedTuple):
    """One event's stored fields, for import to compare with what a file brings."""

    item_id: str
    type: str
    happened_at: str
    recorded_at: str
    officer: str | None
    data: str


class ItemClosed(NamedTuple):
    id: str
    closed_at: str | None


ITEM_TABLE_COLUMNS = (
    "id", "day", "day_no", "year", "issue_no", "title", "kind", "level", "policy",
    "policy_hash", "occurred", "received", "filed", "message_class", "unit", "category",
    "sensitive", "coordination", "details", "origin", "origin_short", "closed_at",
)  # fmt: skip
ItemRow = namedtuple("ItemRow", ITEM_TABLE_COLUMNS)  # an items row as stored


def _named(kind: type, rows) -> list:
    return [_new_row(kind, row) for row in rows]


OFFICE = ""  # the item_id of an office-level event ('office' or 'calendar'): it has no item
OFFICE_FIELDS = ("name", "short", "policy", "tz", "officer", "drill")


def office_data(office: Office) -> dict:
    """The payload of an 'office' event: the settings `init` recorded."""
    return {
        "name": office.name,
        "short": office.short,
        "policy": office.policy,
        "tz": office.tz,
        "officer": office.officer,
        "drill": bool(office.drill),
    }


# --- migrations: numbered, applied in order, each inside the opening transaction -------------
#
# Each migration takes a sqlite_utils.Database wrapping the store's own connection, inside the
# store's BEGIN IMMEDIATE (sqlite-utils runs its scripts statement by statement there, and its
# create() nests in a SAVEPOINT), so a failed migration leaves the log as it was. Tables are
# declared once, as column dicts; what sqlite-utils has no API for stays SQL: AUTOINCREMENT
# (office, events), partial indexes and triggers. sqlite_utils is imported only when a
# migration runs: its import and plugin scan cost about 80 ms, paid once per log, never by the
# commands that read and write an up-to-date log (those use the standard library driver).

ITEM_COLUMNS = {
    "id": str,
    "day": str,  # local date of the first report, YYYYMMDD
    "day_no": int,  # the office's sequence within that day
    "year": int,
    "issue_no": int,  # 第N期 within the year
    "title": str,
    "kind": str,
    "level": str,  # level at filing; changes are events
    "policy": str,
    "policy_hash": str,
    "occurred": str,
    "received": str,
    "filed": str,
    "message_class": str,
    "unit": str,
    "category": str,
    "sensitive": int,
    "coordination": int,
    "details": str,
    "closed_at": str,
    "origin": str,  # source office (转报, schema 4); '' = this office
    "origin_short": str,  # its short name, shown in 转报：某市 …
}
_NULLABLE_ITEM_COLUMNS = ("level", "message_class", "unit", "category", "closed_at")
_ITEM_DEFAULTS = {
    "sensitive": 0,
    "coordination": 0,
    "details": "{}",
    "origin": "",
    "origin_short": "",
}
CLOCK_COLUMNS = {
    "item_id": str,
    "duty": str,
    "deadline": str,  # UTC, as every stored time
    "level": str,  # the item's current level (who must be told)
    "fallback": int,  # 1: the deadline rests on the Monday-Friday guess
    "title": str,  # copied from items (which never change) so the handover
    "kind": str,  # list is read from this table alone
    "category": str,
    "policy_hash": str,
}
_APPEND_ONLY = (
    "CREATE TRIGGER {name} BEFORE {verb} ON {table}\nBEGIN SELECT RAISE(ABORT, '{why}'); END;"
)


def _append_only(db, table: str, name: str, why: str, verbs=("UPDATE", "DELETE")) -> None:
    for verb in verbs:
        trigger = f"{name}_{verb.lower()}"
        if trigger not in {t.name for t in db[table].triggers}:
            db.execute(_APPEND_ONLY.format(name=trigger, verb=verb, table=table, why=why))


def m001_initial(db) -> None:
    # office and events number their rows with AUTOINCREMENT (a seq is never reused, even
    # after a row is removed behind the tool's back), which sqlite-utils cannot declare.
    db.executescript(
        """
        CREATE TABLE office (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            short TEXT NOT NULL,
            policy TEXT NOT NULL,
            tz TEXT NOT NULL,
            officer TEXT,
            recorded_at TEXT NOT NULL
        );
        """
    )
    db["policy_snapshots"].create(
        {"hash": str, "name": str, "content": str}, pk="hash", not_null={"name", "content"}
    )
    v1 = {
        name: kind for name, kind in ITEM_COLUMNS.items() if name not in ("origin", "origin_short")
    }
    db["items"].create(
        v1,
        pk="id",
        # id stays nullable as the first schema declared it (a TEXT primary key may be NULL)
        not_null=set(v1) - {"id", *_NULLABLE_ITEM_COLUMNS},
        defaults={k: v for k, v in _ITEM_DEFAULTS.items() if k in v1},
        foreign_keys=[("policy_hash", "policy_snapshots", "hash")],
    )
    db["items"].create_index(["day", "day_no"], index_name="items_day_no", unique=True)
    db["items"].create_index(["year", "issue_no"], index_name="items_issue_no", unique=True)
    db.execute("CREATE INDEX items_open ON items (filed) WHERE closed_at IS NULL")
    db["items"].create_index(["filed"], index_name="items_filed")
    db["items"].create_index(["closed_at"], index_name="items_closed")
    db.executescript(
        """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            uid TEXT NOT NULL UNIQUE,
            item_id TEXT NOT NULL REFERENCES items(id),
            type TEXT NOT NULL,
            happened_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            officer TEXT,
            data TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE
        );
        """
    )
    db["events"].create_index(["item_id", "happened_at"], index_name="events_item")
    db["events"].create_index(["happened_at"], index_name="events_happened")
    why = "events are append-only: record a correction instead"
    _append_only(db, "events", "events_append_only", why)
    _append_only(db, "office", "office_append_only", "office settings are append-only")
    _append_only(db, "policy_snapshots", "snapshots_immutable", "policy snapshots are immutable")
    _items_triggers(db, [c for c in ITEM_COLUMNS if c in db["items"].columns_dict])


def _items_triggers(db, columns) -> None:
    """Items are never deleted and change only by being closed, once: every other column
    (of `columns`, the table's) is refused a change."""
    _append_only(db, "items", "items_no", "items are never deleted", verbs=("DELETE",))
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns if c != "closed_at")
    db.execute("DROP TRIGGER IF EXISTS items_close_once")
    db.execute(
        "CREATE TRIGGER items_close_once BEFORE UPDATE ON items\n"
        f"WHEN OLD.closed_at IS NOT NULL OR NEW.closed_at IS NULL OR {changed}\n"
        "BEGIN SELECT RAISE(ABORT, 'items change only by being closed, once'); END;"
    )


def _items_indexes_and_triggers(db) -> None:
    """What the items table carries since schema 4: its numbers unique per origin office."""
    items = db["items"]
    items.create_index(["origin", "day", "day_no"], index_name="items_day_no", unique=True)
    items.create_index(["origin", "year", "issue_no"], index_name="items_issue_no", unique=True)
    items.create_index(["filed"], index_name="items_filed")
    items.create_index(["closed_at"], index_name="items_closed")
    _items_triggers(db, list(ITEM_COLUMNS))


def m002_clocks(db) -> None:
    # An empty projection with no basis: status judges every item until the first write fills it.
    db["meta"].create({"key": str, "value": str}, pk="key", not_null={"value"}, ignore=True)
    db["clocks"].create(
        CLOCK_COLUMNS,
        pk=("item_id", "duty"),
        not_null=set(CLOCK_COLUMNS) - {"level", "category"},
        foreign_keys=[("item_id", "items", "id")],
        ignore=True,
    )
    db["clocks"].create_index(
        ["deadline", "item_id", "duty"], index_name="clocks_deadline", if_not_exists=True
    )
    db.execute("DROP INDEX IF EXISTS items_open")  # unused since open items are found by closed_at


def m003_office_events(db) -> None:
    """Office settings and the office calendar become events in the chain (item_id ''): the
    office table and the new calendar table are projections of them. A log made before keeps
    its office rows; each row without an 'office' event gets one, happened when the row was
    written and recorded now, appended to the chain so the upgraded log verifies. Written to
    be re-run safely: a step already done is skipped."""
    if "drill" not in db["office"].columns_dict:
        db["office"].add_column("drill", int, not_null_default=0)
    db["calendar"].create(
        {
            "event_uid": str,  # the 'calendar' event that entered it
            "year": int,
            "holidays": str,  # JSON list of extra rest days, YYYY-MM-DD
            "workdays": str,  # JSON list of extra working days
            "source": str,  # the calendar file's name
            "sha256": str,  # and the SHA-256 of its bytes
        },
        pk=("event_uid", "year"),
        not_null={"event_uid", "year", "holidays", "workdays", "source", "sha256"},
        ignore=True,
    )
    _append_only(db, "calendar", "calendar_append_only", "calendar entries are append-only")
    conn = db.conn
    rows = conn.execute(
        "SELECT name, short, policy, tz, officer, drill, recorded_at FROM office ORDER BY seq"
    ).fetchall()
    have = conn.execute(
        "SELECT count(*) FROM events WHERE item_id = ? AND type = 'office'", (OFFICE,)
    ).fetchone()[0]
    for name, short, policy, tz, officer, drill, written in rows[have:]:
        data = office_data(Office(name, short, policy, tz, officer, bool(drill)))
        _append_raw(conn, OFFICE, "office", written, to_utc_text(system_now()), officer, data)


def m004_forwarded_items(db) -> None:
    """Items forwarded by another office (转报) keep that office's numbers: `origin` (the source
    office's full name, '' for this office's own items) joins the uniqueness of the numbers, so a
    forwarded 2026年第3期 never collides with this office's own and never moves its numbering.
    A log of schema 1-3 made before sqlite-utils holds those numbers as UNIQUE constraints,
    which SQLite cannot change in place nor sqlite-utils' transform() drop (it keeps them):
    the table is rebuilt (SQLite's 12 steps, inside the migration's transaction), now with
    unique indexes that later migrations can change, from ITEM_COLUMNS."""
    old = [c for c in db["items"].columns_dict if c in ITEM_COLUMNS]
    db["items_new"].create(
        ITEM_COLUMNS,
        pk="id",
        # id stays nullable as the first schema declared it (a TEXT primary key may be NULL)
        not_null=set(ITEM_COLUMNS) - {"id", *_NULLABLE_ITEM_COLUMNS},
        defaults=_ITEM_DEFAULTS,
        foreign_keys=[("policy_hash", "policy_snapshots", "hash")],
    )
    listed = ", ".join(old)
    db.execute(f"INSERT INTO items_new ({listed}) SELECT {listed} FROM items")
    db["items"].drop()
    db.rename_table("items_new", "items")
    _items_indexes_and_triggers(db)


SEARCH_COLUMNS = {
    "seq": int,  # the event's
    "item_id": str,
    "happened_at": str,  # the event's, UTC
    "kind": str,  # the item's kind and sensitivity (which never change): search filters
    "sensitive": int,  # and conceals without reading the items table
    "body": str,  # facts.typed_words of the event's data, one a line
}


def m005_search(db) -> None:
    """`yaoqing search`: the words of every event of an item (title, texts, every detail field;
    facts.typed_words), one row per event keyed by its seq, with an FTS5 index over them. The
    trigram tokenizer indexes every three characters, so a Chinese substring matches without a
    word segmenter. Derived, never evidence: filled here from the events of an existing log,
    then kept by Store.index_new_events in each write's transaction. Re-runnable."""
    if not db["search_text"].exists():
        db["search_text"].create(SEARCH_COLUMNS, pk="seq", not_null=set(SEARCH_COLUMNS) - {"seq"})
    if not db["search_text_fts"].exists():
        db["search_text"].enable_fts(
            ["body"], fts_version="FTS5", tokenize="trigram", create_triggers=True
        )
    _index_new_events(db.conn)


# What no correction, close or reopening changes: the item's identity, its numbers (第N期 stays
# as issued), when its first report went up, its level at filing and where it came from.
FIXED_ITEM_COLUMNS = (
    "id", "day", "day_no", "year", "issue_no", "level", "filed", "coordination", "origin",
    "origin_short",
)  # fmt: skip


def m007_corrections(db) -> None:
    """更正 and 重新打开 (issue 13): the items table is the item as its `file`, `correct`,
    `close` and `reopen` events leave it, so a correction changes the columns it corrects and a
    reopening empties closed_at. The numbers, the first report's moment and the identity of an
    item still never change (trigger). Re-runnable: m004 re-run brings back the old trigger."""
    db.execute("DROP TRIGGER IF EXISTS items_close_once")
    db.execute("DROP TRIGGER IF EXISTS items_fixed_columns")
    fixed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FIXED_ITEM_COLUMNS)
    corrected = " OR ".join(
        f"NEW.{c} IS NOT OLD.{c}"
        for c in ITEM_COLUMNS
        if c not in FIXED_ITEM_COLUMNS and c != "closed_at"
    )
    last = "(SELECT type FROM events WHERE item_id = NEW.id ORDER BY seq DESC LIMIT 1)"
    # a close sets closed_at once; only a reopening (the item's last event) empties it; only
    # a correction (the item's last event) changes what it corrects
    db.execute(
        "CREATE TRIGGER items_fixed_columns BEFORE UPDATE ON items\n"
        f"WHEN {fixed}\n"
        f" OR (NEW.closed_at IS NOT OLD.closed_at AND NOT ((OLD.closed_at IS NULL"
        f" AND {last} = 'close') OR (NEW.closed_at IS NULL AND {last} = 'reopen')))\n"
        f" OR (({corrected}) AND {last} IS NOT 'correct')\n"
        "BEGIN SELECT RAISE(ABORT, 'an item changes only by a correction, a close or a"
        " reopening, each recorded first'); END;"
    )


# The events that start a clock of the downward half (chuan.py): an assignment, a leader's
# instruction, a first report filed as supervised (督办件). Index and query share this text:
# SQLite uses a partial index only for a query whose condition is the index's own. Data that
# is not JSON (an edit behind the tool's back, which verify must still be able to name) is
# simply not handed down: json_extract alone would make every write of such a row fail.
HANDED_DOWN = (
    "(type IN ('assign', 'instruct') OR (type = 'file'"
    " AND CASE WHEN json_valid(data) THEN json_extract(data, '$.supervised') END))"
)


def m008_handed_down(db) -> None:
    """The handover board judges the units' clocks of the open items handed down; this partial
    index holds only the events that start one, so finding those items no longer reads every
    event of every open item (28 ms of a 20 000-item flood board). Re-runnable."""
    db.execute(
        f"CREATE INDEX IF NOT EXISTS events_handed_down ON events (item_id) WHERE {HANDED_DOWN}"
    )


def m009_units_by_filed(db) -> None:
    """The filed index widened to carry each item's unit and sensitivity: a Tab after --unit
    reads the units of the newest items from the index alone (0.3 ms on the ten-year log)
    instead of from each item's row, scattered over the table (1.4 ms). The filed order serves
    every query it served before; a write updates one index, as before. Re-runnable."""
    db.execute("CREATE INDEX IF NOT EXISTS items_filed_unit ON items (filed, unit, sensitive)")
    db.execute("DROP INDEX IF EXISTS items_filed")


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Apply every migration after `version` to the store's connection; inside its transaction."""
    from sqlite_utils import Database

    # recursive_triggers and the plugins' prepare_connection hook would change the connection
    # the rest of the command uses; neither is wanted here.
    db = Database(conn, recursive_triggers=False, execute_plugins=False)
    for migration in MIGRATIONS[version:]:
        migration(db)


MIGRATIONS = (
    m001_initial,
    m002_clocks,
    m003_office_events,
    m004_forwarded_items,
    m005_search,
    m007_corrections,  # m006 was reserved for issue 14 (chuan), which needed no migration
    m008_handed_down,
    m009_units_by_filed,
)
SCHEMA_VERSION = len(MIGRATIONS)


# --- canonical form and hash chain -------------------------------------------------------------


def canonical_event(
    uid: str,
    item_id: str,
    type_: str,
    happened_at: str,
    recorded_at: str,
    officer: str | None,
    data: dict,
) -> str:
    """The fixed serialisation the hash chain covers (documented in README, 'The log'):
    the event as one JSON object, keys sorted, no spaces, UTF-8."""
    return canonical_around(uid, item_id, type_, happened_at, recorded_at, officer, _dump(data))


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
# What that encoder does with a str, called directly: the C quoting, without a Python call per
# field (six per event: 0.7 s of verify on a million events)
_QUOTE = json.encoder.encode_basestring


def canonical_around(uid, item_id, type_, happened_at, recorded_at, officer, data_text: str) -> str:
    """canonical_event() with the data already serialised by _dump, as the events table stores
    it: verify hashes a million stored events without parsing each one."""
    q = _QUOTE
    try:
        return (
            f'{{"data":{data_text},"happened_at":{q(happened_at)},"item_id":{q(item_id)},'
            f'"officer":{"null" if officer is None else q(officer)},"recorded_at":{q(recorded_at)},'
            f'"type":{q(type_)},"uid":{q(uid)}}}'
        )
    except TypeError:  # a field that is not text (the tool never writes one): as JSON has it
        e = _ENCODE
        return (
            f'{{"data":{data_text},"happened_at":{e(happened_at)},"item_id":{e(item_id)},'
            f'"officer":{e(officer)},"recorded_at":{e(recorded_at)},"type":{e(type_)},'
            f'"uid":{e(uid)}}}'
        )


_scan = json.JSONDecoder().scan_once


def _load_object(text: str):
    """json.loads for the JSON texts this module stored (events' data, items' details): the C
    scanner called directly skips two Python layers of json.loads, a third of the cost of
    reading the 89 000 events of a year's report. Anything else takes json.loads, which
    raises the same errors as before."""
    if text[:1] == "{":
        try:
            value, end = _scan(text, 0)
        except (StopIteration, ValueError):
            pass
        else:
            if end == len(text):
                return value
    return json.loads(text)


def chain_hash(prev_hash: str, canonical: str) -> str:
    return sha256_hex(f"{prev_hash}\n{canonical}".encode())


_dump = canonical_json


def _append_raw(
    db: sqlite3.Connection,
    item_id: str,
    type_: str,
    happened: str,
    recorded: str,
    officer: str | None,
    data: dict,
    uid: str | None = None,
) -> tuple[int, str]:
    """Link one event (stored UTC texts) to the chain's head; inside a transaction."""
    uid = uid or uuid.uuid4().hex
    row = db.execute("SELECT hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    prev_hash = row[0] if row else GENESIS_HASH
    digest = chain_hash(
        prev_hash, canonical_event(uid, item_id, type_, happened, recorded, officer, data)
    )
    cursor = db.execute(
        "INSERT INTO events (uid, item_id, type, happened_at, recorded_at, officer, data,"
        " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)",
        (uid, item_id, type_, happened, recorded, officer, _dump(data), prev_hash, digest),
    )
    return cursor.lastrowid, uid


def _index_new_events(db: sqlite3.Connection) -> int:
    """Add the words of every item event not yet in search_text (the FTS triggers index them).
    Events are numbered in the order recorded, so what is new is what lies past the highest
    seq indexed; office-level events (item_id '') carry no item and are skipped."""
    from yaoqing_cli.facts import typed_words

    last = db.execute("SELECT coalesce(max(seq), 0) FROM search_text").fetchone()[0]
    rows = db.execute(f"{_SEARCH_SOURCE} WHERE e.seq > ? ORDER BY e.seq", (last,))
    cursor = db.executemany(
        "INSERT INTO search_text (seq, item_id, happened_at, kind, sensitive, body)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            (*row[:5], "\n".join(typed_words(json.loads(row[5]))))
            for row in rows  # (seq, item_id, happened_at, kind, sensitive, data)
        ),
    )
    return cursor.rowcount


# Every item event with what search_text keeps of it (office-level events have no item).
_SEARCH_SOURCE = (
    "SELECT e.seq, e.item_id, e.happened_at, i.kind, i.sensitive, e.data"
    " FROM events e JOIN items i ON i.id = e.item_id"
)


class SearchHit(NamedTuple):
    """The newest event of one item whose words match a search."""

    item_id: str
    seq: int
    type: str
    happened_at: datetime
    n: int | None  # the follow-up's number (续报N), for a 'continue' event
    body: str  # the event's words, one field a line
    sensitive: bool


class SearchFound(NamedTuple):
    hits: list[SearchHit]  # newest first, at most the limit asked
    matched: int  # items found that may be shown
    hidden: int  # sensitive items not searched (all of them, whatever the query)


# --- the store ---------------------------------------------------------------------------------


default_path = logpath.default_path  # YAOQING_DB, else the user's data directory


SQLITE_HEADER = b"SQLite format 3\x00"


def _looks_like_sqlite(path: Path) -> bool:
    """An empty file (made by us, before the first write) or one with SQLite's header."""
    head = _head(path)
    if head == b"":
        return True
    if not head.startswith(SQLITE_HEADER):
        return False
    if _cut_short(path, head):
        raise LogError(f"日志文件已损坏：比文件头记载的短（可能被截断）：{path}；请从备份恢复")
    return True


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(100)
    except OSError as err:
        raise LogError(f"无法读取日志 {path}：{os_reason(err)}") from None


def _cut_short(path: Path, head: bytes) -> bool:
    """Is the file shorter than its own header says? SQLite notices a missing page only when it
    reads one, and a write that touches none would go ahead on a truncated log.

    Read without SQLite's locks: a log with a WAL or a rollback journal beside it is not judged,
    since another process checkpointing or committing may have written page 1 (with the new
    size) before growing the file. Measured with a writer checkpointing in a loop, through a
    symlink and in rollback mode: no false refusal in 380 000 checks."""
    if len(head) < 100:
        return True
    real = os.path.realpath(path)  # SQLite keeps the WAL beside the file a symlink names
    try:
        for suffix in ("-wal", "-journal"):
            if os.path.exists(real + suffix) and os.path.getsize(real + suffix) > 0:
                return False
        size = os.path.getsize(real)
    except OSError:  # the WAL vanished as another process closed the log: not ours to judge
        return False
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size  # how SQLite writes 65536 in 2 bytes
    pages = int.from_bytes(head[28:32], "big")
    header_valid = head[24:28] == head[92:96] and pages > 0
    return header_valid and size < pages * page_size


def _create_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another terminal made it first: use theirs
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as err:
        raise LogError(
            f"无法创建日志文件 {path}：{os_reason(err)}；请用 --db 指定可写的位置"
        ) from None


def _keep_private(path: Path) -> None:
    """The log and its WAL files open to their owner only (0600), whatever mode they had:
    SQLite gives a new -wal or -shm the log's mode, and an adopted file keeps its own. Only
    group and other bits are taken away (a log made read-only, 0400, stays read-only); a file
    this user does not own is left as it is (a read-only colleague's view of the log)."""
    for name in (str(path), f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        with contextlib.suppress(OSError):
            mode = os.stat(name).st_mode & 0o777
            if mode & 0o077:
                os.chmod(name, mode & 0o700)


class Store:
    def __init__(self, db: sqlite3.Connection, path: Path):
        self.db = db
        self.path = path
        self.recorded_now = system_now  # the clock events are recorded by
        self._written: list[tuple[str, str]] = []  # evidence of the open transaction

    # opening ----------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, create: bool = False) -> "Store":
        """Open (and if `create`, make) a log, refusing anything that is not one of ours."""
        path = Path(path)
        try:
            is_dir, exists = path.is_dir(), path.exists()
            is_link = path.is_symlink()
            is_file = path.is_file()
        except OSError as err:  # e.g. a name longer than the file system allows
            raise LogError(f"无法使用日志路径 {path}：{os_reason(err)}") from None
        if is_dir:
            raise LogError(f"日志路径是一个目录：{path}；请给出文件路径")
        if is_link:
            # A link (even a dangling one) would let the log, its WAL and its mode be decided
            # by whatever the link names; the evidence file is named directly.
            raise LogError(f"日志路径是符号链接：{path}；请直接给出日志文件本身的路径")
        if exists and not is_file:
            # A FIFO would hang the first read for ever; a device is never a log.
            raise LogError(f"日志路径不是普通文件（管道或设备）：{path}；请给出日志文件的路径")
        if not exists:
            if not create:
                raise LogError(f"日志不存在：{path}；先运行 yaoqing init（或用 --db 指定日志）")
            _create_file(path)
        elif not _looks_like_sqlite(path):
            # SQLite would treat a short non-database file as an empty database and we would
            # write a fresh log over someone's file; refuse before SQLite touches it.
            raise LogError(
                f"不是 yaoqing 日志：{path}（不是 SQLite 数据库）；请用 --db 指定日志文件"
            )
        try:
            db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as err:
            raise LogError(f"无法打开日志 {path}：{err}") from None
        store = cls(db, path)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            store._check_and_migrate(create)
            _keep_private(path)
        except sqlite3.DatabaseError as err:
            db.close()
            raise LogError(_explain_db_error(path, err)) from None
        except LogError:
            db.close()
            raise
        return store

    def _check_and_migrate(self, create: bool) -> None:
        db = self.db
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if app_id != APPLICATION_ID:
            has_tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if has_tables:
                raise LogError(f"不是 yaoqing 日志：{self.path}（这是另一个 SQLite 数据库）")
            if not create:  # only init and import make a log; a reader never writes a schema
                raise LogError(
                    f"不是 yaoqing 日志：{self.path}（空文件或尚未初始化）；"
                    "先运行 yaoqing init，或用 --db 指定日志文件"
                )
        if version > SCHEMA_VERSION:
            raise LogError(
                f"日志 {self.path} 由更新版本的 yaoqing 写入（结构版本 {version}，"
                f"本程序支持到 {SCHEMA_VERSION}）；请升级 yaoqing 后再打开"
            )
        if version == SCHEMA_VERSION and app_id == APPLICATION_ID:
            return
        if db.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
            raise LogError(f"无法把日志 {self.path} 设为 WAL 模式")
        with self.transaction():
            # Re-read inside the lock: another process may have migrated meanwhile.
            version = db.execute("PRAGMA user_version").fetchone()[0]
            migrate(db, version)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One consistent view for several queries: a write landing between two of them cannot
        show half of itself. Deferred: the snapshot is taken at the first query."""
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.execute("ROLLBACK")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; taken up front so concurrent writers queue, never interleave.
        A commit that recorded evidence is published in COMMITS with Ctrl-C held off, so no
        interrupt can fall between the commit and the CLI learning of it."""
        try:
            self._begin_immediate()
        except sqlite3.OperationalError as err:
            raise LogError(_explain_db_error(self.path, err)) from None
        self._written = []
        try:
            yield
        except sqlite3.Error as err:
            self._rollback()
            raise LogError(_explain_db_error(self.path, err)) from None
        except BaseException:
            self._rollback()
            raise
        with _interrupts_held():
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error as err:
                self._rollback()
                raise LogError(_explain_db_error(self.path, err)) from None
            if self._written:
                COMMITS.append(Commit(self.path, tuple(self._written)))

    def _begin_immediate(self) -> None:
        """Take the write lock, waiting up to the busy timeout for another writer: in slices of
        WAIT_SLICE_MS, so Ctrl-C is felt within one slice (SQLite's own wait, in C, would hold
        it off for the whole 30 s)."""
        import time

        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        self.db.execute(f"PRAGMA busy_timeout = {WAIT_SLICE_MS}")
        try:
            while True:
                try:
                    self.db.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as err:
                    busy = "locked" in str(err) or "busy" in str(err)
                    if not busy or time.monotonic() >= deadline:
                        raise
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _rollback(self) -> None:
        """Undo the open transaction, if SQLite has not already (it rolls back by itself on a
        full disk or an I/O error; a second ROLLBACK would hide that error behind its own)."""
        if self.db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")

    # office -----------------------------------------------------------------------------------

    def office(self) -> Office | None:
        row = self.db.execute(
            "SELECT name, short, policy, tz, officer, drill FROM office ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return _office(row) if row else None

    def office_history(self) -> list[tuple[datetime, Office]]:
        """Every setting of the office with the moment it was recorded, oldest first."""
        rows = self.db.execute(
            "SELECT recorded_at, name, short, policy, tz, officer, drill FROM office ORDER BY seq"
        ).fetchall()
        return [(from_utc_text(row[0]), _office(row[1:])) for row in rows]

    def set_office(self, office: Office, at: datetime | None = None) -> Event:
        """Record the office's settings: an 'office' event in the chain, and the row it
        projects to (in force from the event's moment); inside a transaction."""
        moment = at or self.recorded_now()
        event = self.append_event(OFFICE, "office", moment, office.officer, office_data(office))
        self.db.execute(
            "INSERT INTO office (name, short, policy, tz, officer, drill, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                office.name,
                office.short,
                office.policy,
                office.tz,
                office.officer,
                int(office.drill),
                to_utc_text(moment),
            ),
        )
        return event

    def office_rows(self) -> list[OfficeRow]:
        """Every office row as stored, oldest first, for verify."""
        return _named(
            OfficeRow,
            self.db.execute(
                "SELECT seq, name, short, policy, tz, officer, drill, recorded_at FROM office"
                " ORDER BY seq"
            ),
        )

    def office_events(self, type_: str) -> list[Event]:
        """The office-level events of one type ('office', 'calendar'), in chain order."""
        rows = self.db.execute(
            "SELECT seq, uid, item_id, type, happened_at, recorded_at, officer, data"
            " FROM events WHERE item_id = ? AND type = ? ORDER BY seq",
            (OFFICE, type_),
        ).fetchall()
        return [self._event(row) for row in rows]

    # the office calendar ----------------------------------------------------------------------

    def add_calendar(self, event: Event) -> None:
        """Project a 'calendar' event: one row per year it enters; inside a transaction."""
        data = event.data
        self.db.executemany(
            "INSERT INTO calendar (event_uid, year, holidays, workdays, source, sha256)"
            " VALUES (?,?,?,?,?,?)",
            [
                (
                    event.uid,
                    int(year),
                    _dump(days["holidays"]),
                    _dump(days["workdays"]),
                    data["source"],
                    data["sha256"],
                )
                for year, days in sorted(data["years"].items())
            ],
        )

    def calendar_rows(self) -> list[CalendarRow]:
        """The calendar table as stored, in the order entered."""
        return _named(
            CalendarRow,
            self.db.execute(
                "SELECT event_uid, year, holidays, workdays, source, sha256 FROM calendar"
                " ORDER BY rowid"
            ),
        )

    def calendar_entries(self) -> list[dict]:
        """The office calendar entered in the log, as 'calendar' event payloads, in order."""
        entries: dict[str, dict] = {}
        for row in self.calendar_rows():
            entry = entries.setdefault(
                row.event_uid, {"years": {}, "source": row.source, "sha256": row.sha256}
            )
            days = {"holidays": json.loads(row.holidays), "workdays": json.loads(row.workdays)}
            entry["years"][str(row.year)] = days
        return list(entries.values())

    # policy snapshots -------------------------------------------------------------------------

    def save_policy_snapshot(self, name: str, policy_hash: str, snapshot: dict) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO policy_snapshots (hash, name, content) VALUES (?, ?, ?)",
            (policy_hash, name, _dump(snapshot)),
        )

    def policy_snapshot(self, policy_hash: str) -> dict | None:
        row = self.db.execute(
            "SELECT content FROM policy_snapshots WHERE hash = ?", (policy_hash,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    # numbering --------------------------------------------------------------------------------

    def next_numbers(self, day: str, year: int, message: bool = False) -> tuple[int, int]:
        """(sequence within the day, 第N期 within the year); call inside a transaction.

        A citizen's message is not a 要情专报 and takes no 第N期: it gets the next negative
        number instead (-1, -2 … per year), which keeps `issue_no` unique and NOT NULL without a
        schema change and leaves the 要情专报 numbers gapless. Messages filed before this rule
        keep the positive number they were issued with."""
        day_no = self.db.execute(
            "SELECT coalesce(max(day_no), 0) + 1 FROM items WHERE origin = '' AND day = ?", (day,)
        ).fetchone()[0]
        if message:
            issue_no = self.db.execute(
                "SELECT coalesce(min(issue_no), 0) - 1 FROM items"
                " WHERE origin = '' AND year = ? AND issue_no < 0",
                (year,),
            ).fetchone()[0]
        else:
            issue_no = self.db.execute(
                "SELECT coalesce(max(issue_no), 0) + 1 FROM items"
                " WHERE origin = '' AND year = ? AND issue_no > 0",
                (year,),
            ).fetchone()[0]
        return day_no, issue_no

    # writing ----------------------------------------------------------------------------------

    def insert_item(self, item: Item, day: str, day_no: int) -> None:
        self.db.execute(
            "INSERT INTO items (id, day, day_no, year, issue_no, title, kind, level, policy,"
            " policy_hash, occurred, received, filed, message_class, unit, category, sensitive,"
            " coordination, details, origin, origin_short)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                item.id,
                day,
                day_no,
                item.year,
                item.issue_no,
                item.title,
                item.kind,
                item.level,
                item.policy,
                item.policy_hash,
                to_utc_text(item.occurred),
                to_utc_text(item.received),
                to_utc_text(item.filed),
                item.message_class,
                item.unit,
                item.category,
                int(item.sensitive),
                int(item.coordination),
                _dump(dict(item.details)),
                item.origin,
                item.origin_short,
            ),
        )

    def correct_item(self, item: Item) -> None:
        """Write the item as a correction leaves it (every correctable column), and the kind
        and sensitivity the search index filters and conceals by; inside a transaction."""
        self.db.execute(
            "UPDATE items SET title = ?, kind = ?, policy = ?, policy_hash = ?, occurred = ?,"
            " received = ?, message_class = ?, unit = ?, category = ?, sensitive = ?,"
            " details = ? WHERE id = ?",
            (
                item.title,
                item.kind,
                item.policy,
                item.policy_hash,
                to_utc_text(item.occurred),
                to_utc_text(item.received),
                item.message_class,
                item.unit,
                item.category,
                int(item.sensitive),
                _dump(dict(item.details)),
                item.id,
            ),
        )
        self.db.execute(
            "UPDATE search_text SET kind = ?, sensitive = ? WHERE item_id = ?"
            " AND (kind IS NOT ? OR sensitive IS NOT ?)",
            (item.kind, int(item.sensitive), item.id, item.kind, int(item.sensitive)),
        )

    def mark_reopened(self, item_id: str) -> None:
        self.db.execute("UPDATE items SET closed_at = NULL WHERE id = ?", (item_id,))

    def corrections_of(self, item_ids: Sequence[str]) -> dict[str, list[dict]]:
        """Each item's `correct` events' data, in the order recorded (for verify)."""
        found: dict[str, list[dict]] = {}
        sql = (
            "SELECT item_id, data FROM events WHERE type = 'correct'"
            " AND item_id IN ({marks}) ORDER BY seq"
        )
        for item_id, data in self._rows_for(sql, list(item_ids)):
            found.setdefault(item_id, []).append(json.loads(data))
        return found

    def ever_sensitive_ids(self) -> set[str]:
        """Items sensitive now, as filed, or by any correction (export masks all of them)."""
        rows = self.db.execute(
            "SELECT id FROM items WHERE sensitive UNION SELECT item_id FROM events"
            " WHERE (type = 'file' AND json_extract(data, '$.sensitive'))"
            " OR (type = 'correct' AND (json_extract(data, '$.to.sensitive')"
            " OR json_extract(data, '$.from.sensitive')))"
        )
        return {row[0] for row in rows}

    def mark_closed(self, item_id: str, closed_at: datetime) -> None:
        self.db.execute(
            "UPDATE items SET closed_at = ? WHERE id = ?", (to_utc_text(closed_at), item_id)
        )

    def append_event(
        self,
        item_id: str,
        type_: str,
        happened_at: datetime,
        officer: str | None,
        data: dict,
        *,
        uid: str | None = None,
        recorded_at: str | None = None,
    ) -> Event:
        """Append one event to the chain; call inside a transaction. Recorded at the machine's
        clock, or at `recorded_now` (a drill log's YAOQING_NOW, session.check_write_clock)."""
        recorded = recorded_at or to_utc_text(self.recorded_now())
        happened = to_utc_text(happened_at)
        seq, uid = _append_raw(self.db, item_id, type_, happened, recorded, officer, data, uid)
        self._written.append((item_id, type_))
        return Event(
            seq=seq,
            uid=uid,
            item_id=item_id,
            type=type_,
            happened_at=from_utc_text(happened),
            recorded_at=from_utc_text(recorded),
            officer=officer,
            data=data,
        )

    # reading ----------------------------------------------------------------------------------

    _ITEM_COLUMNS = (
        "id, year, issue_no, title, kind, level, policy, policy_hash, occurred, received, filed,"
        " message_class, unit, category, sensitive, coordination, details, closed_at,"
        " origin, origin_short"
    )

    @staticmethod
    def _item(row: Sequence) -> Item:
        return Item(
            id=row[0],
            year=row[1],
            issue_no=row[2],
            title=row[3],
            kind=row[4],
            level=row[5],
            policy=row[6],
            policy_hash=row[7],
            occurred=from_utc_text(row[8]),
            received=from_utc_text(row[9]),
            filed=from_utc_text(row[10]),
            message_class=row[11],
            unit=row[12],
            category=row[13],
            sensitive=bool(row[14]),
            coordination=bool(row[15]),
            details=_load_object(row[16]),
            origin=row[18],
            origin_short=row[19],
        )

    @staticmethod
    def _event(row: Sequence) -> Event:
        return Event(
            seq=row[0],
            uid=row[1],
            item_id=row[2],
            type=row[3],
            happened_at=from_utc_text(row[4]),
            recorded_at=from_utc_text(row[5]),
            officer=row[6],
            data=_load_object(row[7]),
        )

    def item(self, item_id: str) -> Item | None:
        row = self.db.execute(
            f"SELECT {self._ITEM_COLUMNS} FROM items WHERE id = ?", (item_id,)
        ).fetchone()
        return self._item(row) if row else None

    def reopened_at(self, item_id: str) -> datetime | None:
        """When the item was last reopened (重新打开), or None."""
        row = self.db.execute(
            "SELECT max(happened_at) FROM events WHERE item_id = ? AND type = 'reopen'", (item_id,)
        ).fetchone()
        return from_utc_text(row[0]) if row and row[0] else None

    def closed_at(self, item_id: str) -> datetime | None:
        row = self.db.execute("SELECT closed_at FROM items WHERE id = ?", (item_id,)).fetchone()
        return from_utc_text(row[0]) if row and row[0] else None

    def events(self, item_id: str) -> list[Event]:
        """An item's events in the order they happened (back-dated entries sort into place)."""
        rows = self.db.execute(
            "SELECT seq, uid, item_id, type, happened_at, recorded_at, officer, data"
            " FROM events WHERE item_id = ? ORDER BY happened_at, seq",
            (item_id,),
        ).fetchall()
        return [self._event(row) for row in rows]

    def items_open_at(self, moment: datetime, *, include_closed: bool = False) -> list[Item]:
        """Items first reported by `moment` and not closed by then (all of them if asked)."""
        at = to_utc_text(moment)
        if include_closed:
            sql = f"SELECT {self._ITEM_COLUMNS} FROM items WHERE filed <= ? ORDER BY filed"
            rows = self.db.execute(sql, (at,)).fetchall()
            return [self._item(row) for row in rows]
        return self._alive(at, at, inclusive_end=True)

    def items_for_period(self, since: datetime, until: datetime) -> list[Item]:
        """Items alive at some point of [since, until): first reported before its end and not
        closed before its start."""
        return self._alive(to_utc_text(since), to_utc_text(until), inclusive_end=False)

    def _alive(self, closed_from: str, filed_before: str, *, inclusive_end: bool) -> list[Item]:
        # Two halves, both searched by closed_at (open items, then recently closed ones), so the
        # cost follows the open items, not the age of the log. `+filed` and sorting in Python
        # keep SQLite from walking the whole filed index instead (measured: 35 ms vs 0.05 ms
        # on the ten-year benchmark log).
        filed_op = "<=" if inclusive_end else "<"
        closed_op = ">" if inclusive_end else ">="
        rows = self.db.execute(
            f"SELECT {self._ITEM_COLUMNS} FROM items"
            f" WHERE closed_at IS NULL AND +filed {filed_op} ?"
            " UNION ALL"
            f" SELECT {self._ITEM_COLUMNS} FROM items"
            f" WHERE closed_at {closed_op} ? AND +filed {filed_op} ?",
            (filed_before, closed_from, filed_before),
        ).fetchall()
        items = [self._item(row) for row in rows]
        items.sort(key=lambda item: (item.filed, item.id))
        return items

    def events_for(self, item_ids: Sequence[str]) -> dict[str, list[Event]]:
        """Events of several items in one query, grouped by item, in happened order."""
        grouped: dict[str, list[Event]] = {item_id: [] for item_id in item_ids}
        sql = (
            "SELECT seq, uid, item_id, type, happened_at, recorded_at, officer, data"
            " FROM events WHERE item_id IN ({marks}) ORDER BY happened_at, seq"
        )
        for row in self._rows_for(sql, item_ids):
            grouped[row[2]].append(self._event(row))
        return grouped

    def events_between(self, since: datetime, until: datetime, limit: int) -> list[Event]:
        """The latest `limit` item events that happened in [since, until], oldest first (the
        watch board's last events of the shift; the events_happened index serves it)."""
        rows = self.db.execute(
            "SELECT seq, uid, item_id, type, happened_at, recorded_at, officer, data FROM events"
            " WHERE happened_at >= ? AND happened_at <= ? AND item_id != ?"
            " ORDER BY happened_at DESC, seq DESC LIMIT ?",
            (to_utc_text(since), to_utc_text(until), OFFICE, limit),
        ).fetchall()
        return [self._event(row) for row in reversed(rows)]

    def _rows_for(self, sql: str, ids: Sequence[str], chunk: int = 500) -> Iterator[tuple]:
        """Rows of `sql` (with `{marks}` for the IN list) for many ids, a chunk at a time:
        SQLite limits how many parameters one statement takes."""
        for start in range(0, len(ids), chunk):
            part = list(ids[start : start + chunk])
            yield from self.db.execute(sql.format(marks=",".join("?" * len(part))), part)

    def item_ids_like(self, fragment: str, limit: int = 5) -> list[str]:
        rows = self.db.execute(
            "SELECT id FROM items WHERE id LIKE ? ORDER BY filed DESC LIMIT ?",
            (f"%{fragment}%", limit),
        ).fetchall()
        return [row[0] for row in rows]

    # integrity and transfer --------------------------------------------------------------------

    def event_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM events").fetchone()[0]

    def chain_rows(self, batch: int = 5000) -> Iterator[ChainRow]:
        """Every event as stored, in chain order."""
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT seq, uid, item_id, type, happened_at, recorded_at, officer, data,"
                " prev_hash, hash FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            yield from _named(ChainRow, rows)
            last = rows[-1][0]

    def head(self) -> tuple[int, str]:
        """The anchor of the log: (number of events, hash of the last one; 64 zeros if none).
        The number is the last event's seq, which counts the events of any log the tool wrote
        (seq starts at 1 and a rolled-back write gives its number back) in one index lookup,
        where count(*) walks a million-event log (17-47 ms, measured); `verify` counts them."""
        row = self.db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS_HASH)

    def export_rows(self, since: datetime | None) -> Iterator[ChainRow]:
        """chain_rows() of the events an export carries, in chain order: every event, or (with
        `since`) those of items first reported at or after it and every office-level event
        (item_id '', which belongs to no item)."""
        if since is None:
            yield from self.chain_rows()
            return
        rows = self.db.execute(
            "SELECT e.seq, e.uid, e.item_id, e.type, e.happened_at, e.recorded_at, e.officer,"
            " e.data, e.prev_hash, e.hash FROM events e LEFT JOIN items i ON i.id = e.item_id"
            " WHERE e.item_id = '' OR i.filed >= ? ORDER BY e.seq",
            (to_utc_text(since),),
        )
        for row in rows:
            yield _new_row(ChainRow, row)

    def event_by_uid(self, uid: str) -> StoredEvent | None:
        """One event as stored, by its identity."""
        row = self.db.execute(
            "SELECT item_id, type, happened_at, recorded_at, officer, data FROM events"
            " WHERE uid = ?",
            (uid,),
        ).fetchone()
        return _new_row(StoredEvent, row) if row else None

    def number_taken(self, origin: str, year: int, issue_no: int, day: str, day_no: int) -> bool:
        """Is 第N期 of that year, or that day's sequence number, already an item of `origin`?"""
        return (
            self.db.execute(
                "SELECT 1 FROM items WHERE origin = ? AND ((year = ? AND issue_no = ?)"
                " OR (day = ? AND day_no = ?))",
                (origin, year, issue_no, day, day_no),
            ).fetchone()
            is not None
        )

    def item_rows(self) -> Iterator[ItemClosed]:
        """(id, closed_at) of every item, to check the projection against the events."""
        for row in self.db.execute("SELECT id, closed_at FROM items ORDER BY id"):
            yield _new_row(ItemClosed, row)

    ITEM_TABLE_COLUMNS = ITEM_TABLE_COLUMNS

    def items_unlike_first_report(self) -> list[tuple[ItemRow, str]]:
        """Items whose row may differ from their `file` event in a column other than
        closed_at, and every corrected item: (the row as stored, the event's data text). A coarse
        filter in SQLite's JSON functions, so verify parses only these payloads (a few seconds
        less on a million-event log); verify names the columns exactly."""
        columns = ", ".join(f"i.{c}" for c in self.ITEM_TABLE_COLUMNS)

        def field(key: str) -> str:
            return f"json_extract(e.data, '$.{key}')"

        forwarded = f"i.id IS NOT coalesce({field('imported.source_id')}, i.id)"

        same = " AND ".join(
            [
                f"i.{c} IS {field(c)}"
                for c in (
                    "id", "year", "issue_no", "title", "kind", "level", "policy",
                    "policy_hash", "occurred", "received", "filed", "message_class", "unit",
                    "category",
                )
            ]
            + [
                "i.day IS substr(i.id, 1, instr(i.id, '-') - 1)",
                "i.day_no IS CAST(substr(i.id, instr(i.id, '-') + 1) AS INTEGER)",
                f"i.sensitive IS (CASE WHEN {field('sensitive')} THEN 1 ELSE 0 END)",
                f"i.coordination IS (CASE WHEN {field('coordination')} THEN 1 ELSE 0 END)",
                f"i.details IS coalesce({field('details')}, '{{}}')",
                # 转报: an imported item whose ID is not its source's carries that office
                f"i.origin IS (CASE WHEN {forwarded} THEN {field('imported.source_office')}"
                " ELSE '' END)",
                f"i.origin_short IS (CASE WHEN {forwarded} THEN {field('imported.source_short')}"
                " ELSE '' END)",
            ]
        )  # fmt: skip
        rows = self.db.execute(
            f"SELECT {columns}, e.data FROM events e JOIN items i ON i.id = e.item_id"
            f" WHERE e.type = 'file' AND (NOT ({same}) OR EXISTS (SELECT 1 FROM events c"
            " WHERE c.item_id = i.id AND c.type = 'correct'))"
        )
        return [(ItemRow._make(row[:-1]), row[-1]) for row in rows]

    def snapshot_rows(self) -> list[SnapshotRow]:
        """Every policy snapshot as stored (content as text)."""
        return _named(
            SnapshotRow,
            self.db.execute("SELECT hash, name, content FROM policy_snapshots ORDER BY hash"),
        )

    def referenced_snapshots(self) -> dict[str, str]:
        """policy hash -> one item that rests on it (items and the clocks projection)."""
        rows = self.db.execute(
            "SELECT policy_hash, min(id) FROM items GROUP BY policy_hash"
            " UNION ALL SELECT policy_hash, min(item_id) FROM clocks GROUP BY policy_hash"
        )
        found: dict[str, str] = {}
        for policy_hash, item_id in rows:
            found.setdefault(policy_hash, item_id)
        return found

    def policy_snapshots(self) -> list[tuple[str, str, dict]]:
        rows = self.db.execute("SELECT hash, name, content FROM policy_snapshots ORDER BY hash")
        return [(h, n, json.loads(c)) for h, n, c in rows]

    def has_event(self, uid: str) -> bool:
        return self.db.execute("SELECT 1 FROM events WHERE uid = ?", (uid,)).fetchone() is not None

    def events_since(self, since: datetime | None) -> Iterator[Event]:
        """Events (chain order) of every item first reported at or after `since` (all if None).
        Office-level events (item_id '') have no item and are not among them."""
        sql = (
            "SELECT e.seq, e.uid, e.item_id, e.type, e.happened_at, e.recorded_at, e.officer,"
            " e.data FROM events e JOIN items i ON i.id = e.item_id"
        )
        params: tuple = ()
        if since is not None:
            sql += " WHERE i.filed >= ?"
            params = (to_utc_text(since),)
        for row in self.db.execute(sql + " ORDER BY e.seq", params):
            yield self._event(row)

    # full-text search ----------------------------------------------------------------------

    def index_new_events(self) -> None:
        """Keep the search index (search_text, search_text_fts) level with the events: call once
        at the end of every write's transaction (file, continue, close, import)."""
        _index_new_events(self.db)

    def search(
        self,
        text: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: str | None = None,
        unit: str | None = None,
        include_sensitive: bool = False,
        limit: int | None = None,
    ) -> "SearchFound":
        """Items with an event whose words contain `text` (case-insensitive), newest match
        first, one hit per item (its newest matching event). Three characters or more are
        looked up in the trigram index; shorter text scans the words with LIKE (a trigram
        index cannot answer it). `since`/`until` bound when the matching event happened;
        `unit` is the item's reporting unit as its latest statement names it. Sensitive items
        are counted, not returned, unless `include_sensitive`; `limit` (None or 0: all) caps
        the hits returned, not the counts."""
        if len(text) >= 3:
            match = ("search_text_fts MATCH ?", '"' + text.replace('"', '""') + '"')
            source = "search_text_fts f JOIN search_text s ON s.seq = f.rowid"
        elif any(ch.isascii() and ch.isalpha() for ch in text):  # LIKE folds ASCII case
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            match = ("s.body LIKE ? ESCAPE '\\'", f"%{escaped}%")
            source = "search_text s"
        else:  # no case to fold: instr() scans a quarter faster than LIKE (ten-year log)
            match = ("instr(s.body, ?) > 0", text)
            source = "search_text s"
        where, params = [match[0]], [match[1]]
        if since is not None:
            where.append("s.happened_at >= ?")
            params.append(to_utc_text(since))
        if until is not None:
            where.append("s.happened_at < ?")
            params.append(to_utc_text(until))
        if kind is not None:
            where.append("s.kind = ?")
            params.append(kind)
        if unit is not None:
            where.append(
                "coalesce((SELECT json_extract(u.data, '$.unit') FROM events u"
                " WHERE u.item_id = s.item_id AND u.type = 'continue'"
                " AND json_extract(u.data, '$.unit') IS NOT NULL"
                " ORDER BY u.happened_at DESC, u.seq DESC LIMIT 1),"
                " (SELECT unit FROM items WHERE id = s.item_id)) = ?"
            )
            params.append(unit)
        # one row per item, its newest matching event (SQLite takes the bare columns from the
        # row that gives max()); only the first `limit` shown become objects, the rest counted
        rows = self.db.execute(
            f"SELECT s.item_id, max(s.happened_at), s.seq, s.body, s.sensitive FROM {source}"
            f" WHERE {' AND '.join(where)} GROUP BY s.item_id ORDER BY 2 DESC, 3 DESC",
            params,
        )
        hits: list[SearchHit] = []
        matched = 0
        chosen = []
        for row in rows:  # (item_id, happened_at, seq, body, sensitive)
            if row[4] and not include_sensitive:
                continue
            matched += 1
            if not limit or len(chosen) < limit:
                chosen.append(row)
        kinds = {  # which statement each shown hit is: its type and follow-up number
            seq: (type_, n)
            for seq, type_, n in self._rows_for(
                "SELECT seq, type, json_extract(data, '$.n') FROM events WHERE seq IN ({marks})",
                [row[2] for row in chosen],
            )
        }
        for item_id, happened, seq, body, sensitive in chosen:
            type_, n = kinds[seq]
            hits.append(
                SearchHit(item_id, seq, type_, from_utc_text(happened), n, body, bool(sensitive))
            )
        # every sensitive item, whatever the query: a count of those that matched would let
        # anyone test, a character at a time, what one says
        hidden = 0
        if not include_sensitive:
            hidden = self.db.execute("SELECT count(*) FROM items WHERE sensitive").fetchone()[0]
        return SearchFound(hits, matched, hidden)

    def search_rows_unlike_events(self) -> list[tuple]:
        """For verify: every search_text row that may differ from its event (seq, item_id,
        happened_at, kind, sensitive, body, then the event's item_id, happened_at and data and
        its item's kind and sensitivity; None where there is none). A coarse filter in SQLite's
        JSON functions (facts.typed_words in SQL), so verify parses only these payloads."""
        from yaoqing_cli.facts import CORRECTED, NOT_TEXT, TEXT_KEYS

        text_keys = ", ".join(f"'{k}'" for k in sorted(TEXT_KEYS))
        corrected = ", ".join(f"'{k}'" for k in sorted(CORRECTED))
        not_text = ", ".join(f"'{k}'" for k in NOT_TEXT)
        words = (
            "(SELECT coalesce(group_concat(value, char(10)), '') FROM json_tree(e.data)"
            f" WHERE type = 'text' AND value != '' AND ((path = '$' AND key IN ({text_keys}))"
            f" OR (path = '$.details' AND key NOT IN ({not_text}))"
            f" OR (path = '$.to' AND key IN ({corrected}))))"
        )
        return self.db.execute(
            "SELECT s.seq, s.item_id, s.happened_at, s.kind, s.sensitive, s.body,"
            " e.item_id, e.happened_at, e.data, i.kind, i.sensitive"
            " FROM search_text s LEFT JOIN events e ON e.seq = s.seq"
            " LEFT JOIN items i ON i.id = e.item_id"
            " WHERE e.item_id IS NULL OR e.item_id = '' OR s.item_id IS NOT e.item_id"
            " OR s.happened_at IS NOT e.happened_at OR s.kind IS NOT i.kind"
            f" OR s.sensitive IS NOT i.sensitive OR s.body IS NOT {words}"
        ).fetchall()

    def events_not_in_search(self) -> list[int]:
        """The seq of every item event search_text lacks."""
        rows = self.db.execute(
            "SELECT e.seq FROM events e WHERE e.item_id != ?"
            " AND NOT EXISTS (SELECT 1 FROM search_text s WHERE s.seq = e.seq)",
            (OFFICE,),
        )
        return [row[0] for row in rows]

    def rebuild_search_index(self) -> None:
        """Empty the search index and fill it again from the events; inside a transaction."""
        self.db.execute("DELETE FROM search_text")
        _index_new_events(self.db)

    # the clocks projection ------------------------------------------------------------------

    def clock_basis(self) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'clocks_basis'").fetchone()
        return row[0] if row else None

    def reset_clocks(self, basis: str) -> None:
        """Empty the projection and name what it will be rebuilt with; inside a transaction."""
        self.db.execute("DELETE FROM clocks")
        self.db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('clocks_basis', ?)", (basis,)
        )

    _CLOCK_COLUMNS = "item_id, duty, deadline, level, fallback, title, kind, category, policy_hash"

    def replace_clocks(self, item: Item, level: str | None, clocks: Sequence) -> None:
        """An item's running clocks as they now stand; inside a transaction."""
        self.db.execute("DELETE FROM clocks WHERE item_id = ?", (item.id,))
        self.db.executemany(
            f"INSERT INTO clocks ({self._CLOCK_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
            [ClockRow.of(item, level, c).stored() for c in clocks],
        )

    def clock_rows(self) -> set[ClockRow]:
        return {
            _clock_row(row) for row in self.db.execute(f"SELECT {self._CLOCK_COLUMNS} FROM clocks")
        }

    def open_item_ids(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT id FROM items WHERE closed_at IS NULL")]

    def open_handed_down(self) -> list[str]:
        """The open items with a clock of the downward half (HANDED_DOWN: an assignment, a
        leader's instruction, or a first report filed as supervised), by ID."""
        rows = self.db.execute(
            "SELECT DISTINCT events.item_id FROM events JOIN items ON items.id = events.item_id"
            f" WHERE items.closed_at IS NULL AND {HANDED_DOWN} ORDER BY events.item_id"
        )
        return [row[0] for row in rows]

    def open_item_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM items WHERE closed_at IS NULL").fetchone()[0]

    def latest_happened(self) -> datetime | None:
        """The latest moment any item's event happened or was recorded
        (index lookups, walking back past office-level events, which move no clock): a
        back-entered waiver takes effect when it was recorded. Events are recorded in chain
        order, so the newest one holds the latest recorded moment."""
        happened = self.db.execute(
            "SELECT happened_at FROM events WHERE item_id != ? ORDER BY happened_at DESC LIMIT 1",
            (OFFICE,),
        ).fetchone()
        recorded = self.db.execute(
            "SELECT recorded_at FROM events WHERE item_id != ? ORDER BY seq DESC LIMIT 1",
            (OFFICE,),
        ).fetchone()
        return from_utc_text(max(happened[0], recorded[0])) if happened and recorded else None

    def clocks_due(self, before: datetime, *, inclusive: bool) -> list[ClockRow]:
        """Running clocks with a deadline before (or at) `before`, earliest first."""
        op = "<=" if inclusive else "<"
        rows = self.db.execute(
            f"SELECT {self._CLOCK_COLUMNS} FROM clocks"
            f" WHERE deadline {op} ? ORDER BY deadline, item_id, duty",
            (to_utc_text(before),),
        ).fetchall()
        return [_clock_row(row) for row in rows]

    def sensitive_ids(self, item_ids: Sequence[str]) -> set[str]:
        """Which of these items are 涉密/敏感 (by primary key, a chunk at a time)."""
        sql = "SELECT id FROM items WHERE sensitive AND id IN ({marks})"
        return {row[0] for row in self._rows_for(sql, item_ids)}

    def told_names(self, item_ids: Sequence[str], moment: datetime) -> dict[str, set[str]]:
        """Who each of these items has told by `moment` (`notify` events' `who`), by item."""
        sql = (
            "SELECT item_id, json_extract(data, '$.who'), happened_at FROM events"
            " WHERE type = 'notify' AND item_id IN ({marks})"
        )
        cutoff = to_utc_text(moment)  # stored times are this one fixed-width UTC form
        told: dict[str, set[str]] = {}
        for item_id, who, happened in self._rows_for(sql, item_ids):
            if happened <= cutoff:
                told.setdefault(item_id, set()).add(who)
        return told

    def office_events_between(self, type_: str, since: datetime, until: datetime) -> list[Event]:
        """Office-level events of one type ('handover') that happened in [since, until), in
        happened order."""
        rows = self.db.execute(
            "SELECT seq, uid, item_id, type, happened_at, recorded_at, officer, data"
            " FROM events WHERE item_id = ? AND type = ? AND happened_at >= ? AND happened_at < ?"
            " ORDER BY happened_at, seq",
            (OFFICE, type_, to_utc_text(since), to_utc_text(until)),
        ).fetchall()
        return [self._event(row) for row in rows]

    def items_by_id(self, item_ids: Sequence[str]) -> list[Item]:
        sql = f"SELECT {self._ITEM_COLUMNS} FROM items WHERE id IN ({{marks}})"
        return [self._item(row) for row in self._rows_for(sql, item_ids)]

    def backup_to(self, temp: Path) -> None:
        """Copy the whole log into `temp` (an empty file) in one step: one read transaction,
        so the copy is one moment of the log and concurrent writers never restart it (a
        stepwise copy starts over after every write and, with steady writers, never ends)."""
        target = sqlite3.connect(temp)
        try:
            # A private temporary file, deleted if anything fails and fsynced once whole: no
            # journal to leave behind on a full disk, no sync per page.
            target.execute("PRAGMA journal_mode = OFF")
            target.execute("PRAGMA synchronous = OFF")
            self.db.backup(target, pages=-1)
        finally:
            target.close()

    def last_event(self) -> tuple[int, str] | None:
        """(seq, hash) of the newest event, or None for a log without events."""
        return self.db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()

    def hash_at(self, seq: int) -> str | None:
        row = self.db.execute("SELECT hash FROM events WHERE seq = ?", (seq,)).fetchone()
        return row[0] if row else None


def open_copy(path: Path) -> "Store":
    """A finished backup or copy, read-only and as it is on disk (no WAL, nothing written);
    refused if it is not a yaoqing log of this schema."""
    from urllib.parse import quote

    db = sqlite3.connect(f"file:{quote(str(path))}?mode=ro&immutable=1", uri=True)
    try:
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as err:
        db.close()
        raise LogError(_explain_db_error(path, err)) from None
    if app_id != APPLICATION_ID or version != SCHEMA_VERSION:
        db.close()
        raise LogError(f"副本不是完整的 yaoqing 日志：{path}")
    return Store(db, path)


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold SIGINT (Ctrl-C) until the block is done; it is delivered right after."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _office(row: Sequence) -> Office:
    return Office(*row[:5], drill=bool(row[5]))


def _explain_db_error(path: Path, err: sqlite3.Error) -> str:
    text = str(err)
    if "disk is full" in text or getattr(err, "sqlite_errorname", "") == "SQLITE_FULL":
        return f"磁盘已满，无法写入日志：{path}；本次未写入任何内容，请腾出磁盘空间后重试"
    if "not a database" in text or "malformed" in text or "disk image" in text:
        return f"日志文件已损坏或不是 SQLite 数据库：{path}；请从备份恢复（yaoqing backup）"
    if "readonly" in text or "read-only" in text:
        return f"日志文件只读，无法写入：{path}；请检查文件权限"
    if "locked" in text or "busy" in text:
        return f"日志正被其他进程长时间占用：{path}；请稍后重试"
    if "unable to open" in text:
        return f"无法打开日志：{path}；请检查路径和权限"
    return f"日志出错：{path}：{text}"


def wrap_db_errors(path: Path, err: sqlite3.Error) -> OperationError:
    """Turn a sqlite3 error met mid-command into one clear line (the CLI's last net)."""
    return LogError(_explain_db_error(path, err))
