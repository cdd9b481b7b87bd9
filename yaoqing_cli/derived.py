"""What `verify` recomputes: every table of the log that is not the events.

The events are the evidence; the other tables are projections of them kept for speed, and a
projection edited behind the tool's back changes what status and the reports say while the
hash chain stays intact. So verify rebuilds each one from the events (or, for a policy
snapshot, its hash from its own content) and names every difference: which table, which row,
which column, what is stored and what the events imply.

- items:            every column from the item's `file` event as its `correct` events (更正)
                    leave it; closed_at from its last `close`, unless a `reopen` followed.
- policy_snapshots: each hash is the SHA-256 of its content, the name is the content's name;
                    a snapshot an item rests on must be there.
- office:           one row per 'office' event, in order (seq 1..n), with its settings and
                    recorded_at = the moment the event happened.
- calendar:         one row per year of each 'calendar' event.
- clocks:           projection.clock_differences (the engine's running clocks of each open item).
- search_text:      one row per item event, its words as facts.typed_words finds them (the
                    FTS5 index over it is kept by sqlite-utils' triggers and is not re-read).
"""

import hashlib
import json
from dataclasses import dataclass

from yaoqing_cli.clock import to_utc_text
from yaoqing_cli.models import canonical_json
from yaoqing_cli.store import OFFICE_FIELDS, Store

SHOWN = 80  # characters of a stored or recomputed value shown in a message
LABELS = {  # column -> what an officer calls it
    "id": "编号", "day": "日期", "day_no": "当日序号", "year": "年份", "issue_no": "期号",
    "title": "标题", "kind": "类型", "level": "首报级别", "policy": "政策",
    "policy_hash": "政策快照", "occurred": "事发时间", "received": "接报时间",
    "filed": "首报时间", "message_class": "留言类别", "unit": "报送单位", "category": "类别",
    "sensitive": "涉密/敏感", "coordination": "需协调", "details": "首报内容",
    "closed_at": "终报时间", "hash": "哈希", "name": "名称", "content": "内容",
    "short": "简称", "tz": "时区", "officer": "值班员", "drill": "演练", "seq": "序号",
    "recorded_at": "生效时间", "event_uid": "事件", "holidays": "休息日",
    "workdays": "工作日", "source": "来源", "sha256": "SHA-256", "origin": "转报来源单位",
    "origin_short": "转报来源简称", "body": "检索文字",
}  # fmt: skip


@dataclass(frozen=True)
class Difference:
    table: str
    key: str  # the row: an item ID, a snapshot hash, an office row number, a calendar entry
    column: str
    stored: object
    recomputed: object

    def text(self) -> str:
        if self.table == "clocks":
            return (
                f"时限索引与要情 {self.key} 的事件不符（{self.column}：存储为 {_shown(self.stored)}，"
                f"按事件应为 {_shown(self.recomputed)}）"
            )
        label = LABELS.get(self.column)
        column = f"{self.column}（{label}）" if label else self.column
        return (
            f"{self.table} 表 {self.key} 的 {column}：存储为 {_shown(self.stored)}，"
            f"按事件应为 {_shown(self.recomputed)}"
        )


def _shown(value: object) -> str:
    if value is None:
        return "（空）"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    return repr(text[:SHOWN] + "…") if len(text) > SHOWN else repr(text)


_dump = canonical_json


MISSING = "（无此行）"


# The scans of the whole log that verify needs besides the chain walk, by store method: run
# beside it on a second connection (integrity.Beside) and handed in as `scanned`.
SCANS = ("items_unlike_first_report", "events_not_in_search", "search_rows_unlike_events")


def item_differences(
    store: Store,
    closes: dict[str, str],
    first_reports: dict[str, int],
    named: set[str],
    scanned: dict | None = None,
) -> tuple[int, list[Difference]]:
    """(items in the table, differences) of the items table against the events.
    From the chain walk: `closes` item -> its close's happened_at, `first_reports` item -> how
    many `file` events it has, `named` every item ID an event names; `scanned`: SCANS already
    run on this moment of the log."""
    columns = store.ITEM_TABLE_COLUMNS
    found: list[Difference] = []
    ids: set[str] = set()
    for item_id, closed_at in store.item_rows():  # ItemClosed
        ids.add(item_id)
        count = first_reports.get(item_id, 0)
        if count != 1:
            have = "无首报事件" if count == 0 else f"{count} 个首报事件"
            found.append(Difference("items", item_id, "（首报事件）", "有此要情", have))
        elif closes.get(item_id) != closed_at:
            found.append(Difference("items", item_id, "closed_at", closed_at, closes.get(item_id)))
    candidates = _scan(store, scanned, "items_unlike_first_report")
    corrections = store.corrections_of([row.id for row, _ in candidates])
    for row, data_text in candidates:
        item_id = row.id
        try:
            data = _corrected(json.loads(data_text), corrections.get(item_id, ()))
            expected = _item_row(item_id, data, row.closed_at)
        except (ValueError, TypeError, KeyError, AttributeError) as err:
            found.append(Difference("items", item_id, "（首报事件）", "可读", f"无法解读：{err}"))
            continue
        for name, have, want in zip(columns, row, expected, strict=True):
            if have != want:
                found.append(Difference("items", item_id, name, have, want))
    for item_id in sorted(named - ids):
        found.append(Difference("items", item_id, "（整行）", MISSING, "有此要情的事件"))
    return len(ids), found


def _scan(store: Store, scanned: dict | None, name: str) -> list:
    return scanned[name] if scanned is not None else getattr(store, name)()


def _corrected(data: dict, corrections) -> dict:
    """The first report's payload as its corrections (更正, in the order recorded) leave it."""
    if not corrections:
        return data
    data = {**data, "details": dict(data.get("details") or {})}
    for correction in corrections:
        for key, value in dict(correction["to"]).items():
            if key == "location":
                if value:
                    data["details"]["location"] = value
                else:
                    data["details"].pop("location", None)
            else:
                data[key] = value
    return data


def _item_row(item_id: str, data: dict, closed_at: str | None) -> tuple:
    day, _, day_no = item_id.partition("-")
    return (
        data["id"],
        day,
        int(day_no),
        data["year"],
        data["issue_no"],
        data["title"],
        data["kind"],
        data["level"],
        data["policy"],
        data["policy_hash"],
        data["occurred"],
        data["received"],
        data["filed"],
        data.get("message_class"),
        data.get("unit"),
        data.get("category"),
        int(bool(data.get("sensitive"))),
        int(bool(data.get("coordination"))),
        _dump(dict(data.get("details") or {})),
        *_origin(item_id, data),
        closed_at,
    )


def _origin(item_id: str, data: dict) -> tuple[str, str]:
    """(origin, origin_short): the office an imported item was forwarded from (转报), whose ID
    here is not its ID there; ('', '') for this office's own."""
    source = data.get("imported")
    if isinstance(source, dict) and source.get("source_id") not in (None, item_id):
        return source.get("source_office"), source.get("source_short")
    return "", ""


def snapshot_differences(store: Store) -> list[Difference]:
    found = []
    present = set()
    for policy_hash, name, content in store.snapshot_rows():
        present.add(policy_hash)
        key = f"{str(policy_hash)[:12]}…"
        digest = hashlib.sha256(str(content).encode()).hexdigest()
        if digest != policy_hash:
            found.append(Difference("policy_snapshots", key, "hash", policy_hash, digest))
        try:
            inner = json.loads(content).get("name")
        except (ValueError, TypeError, AttributeError):
            found.append(Difference("policy_snapshots", key, "content", "（不可读）", "政策 JSON"))
            continue
        if inner != name:
            found.append(Difference("policy_snapshots", key, "name", name, inner))
    for policy_hash, item_id in sorted(store.referenced_snapshots().items()):
        if policy_hash not in present:
            found.append(
                Difference(
                    "policy_snapshots",
                    f"{policy_hash[:12]}…",
                    "（快照）",
                    MISSING,
                    f"要情 {item_id} 所依据的政策快照",
                )
            )
    return found


def office_differences(store: Store) -> list[Difference]:
    """The office rows against the 'office' events, row by row in order."""
    columns = ("seq", *OFFICE_FIELDS, "recorded_at")
    expected = []
    for n, event in enumerate(store.office_events("office"), start=1):
        data = event.data
        values = [data.get(key) for key in OFFICE_FIELDS]
        values[OFFICE_FIELDS.index("drill")] = int(bool(data.get("drill")))
        expected.append((n, *values, to_utc_text(event.happened_at)))
    stored = store.office_rows()
    return _rows_differ(
        "office",
        {f"第 {n + 1} 行": row for n, row in enumerate(stored)},
        {f"第 {n + 1} 行": row for n, row in enumerate(expected)},
        columns,
        "有此行的 office 事件",
    )


def _rows_differ(table: str, stored: dict, expected: dict, columns, source: str) -> list:
    """Row by row, column by column: what is stored against what the events say."""
    found = []
    for key in sorted(set(expected) | set(stored), key=str):
        have, want = stored.get(key), expected.get(key)
        if have is None or want is None:
            found.append(
                Difference(
                    table,
                    key,
                    "（整行）",
                    MISSING if have is None else "有此行",
                    MISSING if want is None else source,
                )
            )
            continue
        for name, a, b in zip(columns, have, want, strict=True):
            if a != b:
                found.append(Difference(table, key, name, a, b))
    return found


def calendar_differences(store: Store) -> list[Difference]:
    columns = ("event_uid", "year", "holidays", "workdays", "source", "sha256")
    expected = {}
    for event in store.office_events("calendar"):
        data = event.data
        for year, days in sorted(data.get("years", {}).items()):
            expected[(event.uid, int(year))] = (
                event.uid,
                int(year),
                _dump(days.get("holidays", [])),
                _dump(days.get("workdays", [])),
                data.get("source"),
                data.get("sha256"),
            )
    stored = {_calendar_key(row.event_uid, row.year): row for row in store.calendar_rows()}
    wanted = {_calendar_key(*key): row for key, row in expected.items()}
    return _rows_differ("calendar", stored, wanted, columns, "有此行的 calendar 事件")


def _calendar_key(event_uid: str, year: int) -> str:
    return f"{event_uid[:12]}…/{year}"


def search_differences(store: Store, scanned: dict | None = None) -> list[Difference]:
    """The search index against the events: a row for each item event (seq), with its item, when
    it happened, the item's kind and sensitivity, and its words (facts.typed_words of the
    event's payload). SQLite picks the rows that may differ; only those are parsed here."""
    from yaoqing_cli.facts import typed_words

    found = [
        Difference("search_text", f"事件 #{seq}", "seq", MISSING, seq)
        for seq in _scan(store, scanned, "events_not_in_search")
    ]
    for (
        seq,
        *stored,
        event_item,
        event_at,
        data,
        kind,
        sensitive,
    ) in _scan(store, scanned, "search_rows_unlike_events"):
        key = f"事件 #{seq}"
        if not event_item:  # no such event, or an office-level one
            found.append(Difference("search_text", key, "seq", seq, MISSING))
            continue
        columns = ("item_id", "happened_at", "kind", "sensitive")
        for column, have, want in zip(
            columns, stored[:4], (event_item, event_at, kind, sensitive), strict=True
        ):
            if have != want:
                found.append(Difference("search_text", key, column, have, want))
        words = "\n".join(typed_words(json.loads(data)))
        if stored[4] != words:  # lengths only: the words may be a sensitive item's
            other = "，内容不同" if len(stored[4]) == len(words) else ""
            found.append(
                Difference(
                    "search_text",
                    key,
                    "body",
                    f"{len(stored[4])} 个字符",
                    f"{len(words)} 个字符{other}",
                )
            )
    found.sort(key=lambda d: int(d.key.split("#")[1]))
    return found
