"""Evidence work: verify the hash chain, back up, export and import a log.

The chain: each event's `hash` is SHA-256 over the previous event's hash, a newline, and the
event's canonical JSON (store.canonical_event: keys sorted, UTF-8, no spaces). The first event
links to 64 zeros. Editing, inserting or removing any event behind the tool's back breaks the
link at that event or the one after it.
"""

import errno
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from yaoqing_cli import vocab
from yaoqing_cli.clock import from_utc_text
from yaoqing_cli.errors import OperationError, PolicyError, UsageError, YaoqingError
from yaoqing_cli.models import Item
from yaoqing_cli.policy import Policy
from yaoqing_cli.store import (
    GENESIS_HASH,
    Office,
    Store,
    canonical_around,
    canonical_event,
    chain_hash,
)

EXPORT_FORMAT = "yaoqing-export/1"
SENSITIVE_MARK = "〔涉密/敏感内容，未导出〕"


@dataclass(frozen=True)
class Broken:
    seq: int
    item_id: str
    happened_at: str
    reason: str


@dataclass(frozen=True)
class Verified:
    events: int
    items: int
    broken: Broken | None
    stale_clock: str | None = None  # an open item whose stored clocks its events contradict
    differences: tuple = ()  # derived.Difference: a table that is not what the events imply


TICK_EVERY = (
    5000  # events between progress bar updates: redrawing per event costs more than hashing
)


def check_chain(
    rows: Iterable[tuple], tick: Callable[[int], None] | None = None
) -> tuple[int, Broken | None]:
    """Walk stored rows in chain order; return (events verified, first broken link or None).
    `tick(n)` is told the number verified so far, every TICK_EVERY events."""
    prev = GENESIS_HASH
    count = 0
    for seq, uid, item_id, type_, happened, recorded, officer, data_text, prev_hash, digest in rows:
        if prev_hash != prev:
            return count, Broken(
                seq, item_id, happened, "与前一事件的链接断开（有事件被删除、插入或改动）"
            )
        # Fast path: the stored data text is already canonical (store._dump). Only a mismatch
        # parses it and takes the exact path, to tell a bad JSON text from a changed record.
        try:
            fast = canonical_around(uid, item_id, type_, happened, recorded, officer, data_text)
        except TypeError:  # a field of a type the tool never writes
            fast = None
        if fast is None or chain_hash(prev, fast) != digest:
            try:
                data = json.loads(data_text)
            except (TypeError, ValueError):
                return count, Broken(seq, item_id, happened, "事件内容不是有效的 JSON")
            try:
                canonical = canonical_event(uid, item_id, type_, happened, recorded, officer, data)
            except TypeError:
                canonical = ""
            if not canonical or digest != chain_hash(prev, canonical):
                return count, Broken(seq, item_id, happened, "事件内容与其哈希不符（记录被改动）")
        prev = digest
        count += 1
        if tick and count % TICK_EVERY == 0:
            tick(count)
    return count, None


def verify(
    store: Store, tick: Callable[[int], None] | None = None, calendar_file: Path | None = None
) -> Verified:
    """The chain, then the items table against it, in one pass over the events; then the
    clocks projection against the engine. Stale clocks are set aside (status then judges every
    item, the next write rebuilds them): they are derived, never evidence."""
    with store.reading():  # writers may go on; verify one moment of the log
        result = _verify_now(store, tick, calendar_file)
    if any(d.table == "clocks" for d in result.differences):
        with store.transaction():
            store.reset_clocks("set aside by verify: disagreed with the events")
    return result


def _verify_now(store: Store, tick, calendar_file) -> Verified:
    from yaoqing_cli import derived
    from yaoqing_cli.status import clock_differences

    named: set[str] = set()  # every item an event names
    closes: dict[str, str] = {}
    first_reports: dict[str, int] = {}
    gap: list[tuple] = []

    def rows() -> Iterator[tuple]:
        expected_seq = 1
        for row in store.chain_rows():
            if row[0] != expected_seq and not gap:  # seq is not hashed: numbering is checked
                gap.append(row)
            expected_seq = row[0] + 1
            named.add(row[2])
            if row[3] == "file":
                first_reports[row[2]] = first_reports.get(row[2], 0) + 1
            elif row[3] == "close":
                closes[row[2]] = row[4]
            yield row

    count, broken = check_chain(rows(), tick)
    if broken is None and gap:
        seq, _, item_id, _, happened, *_ = gap[0]
        broken = Broken(seq, item_id, happened, "事件序号不连续（有事件被删除或序号被改动）")
    if broken is not None:
        return Verified(events=count, items=0, broken=broken)
    named.discard("")  # office-level events name no item
    items, found = derived.item_differences(store, closes, first_reports, named)
    found += derived.snapshot_differences(store)
    found += derived.office_differences(store)
    found += derived.calendar_differences(store)
    stale = None
    if store.office() is not None:
        try:
            clocks = clock_differences(store, calendar_file)
        except (ValueError, TypeError, KeyError, AttributeError, YaoqingError):
            clocks = []  # the items, snapshots or calendar it rests on are named above
        stale = clocks[0].key if clocks else None
        found += clocks
    return Verified(count, items, None, stale, tuple(found))


# --- export and import ---------------------------------------------------------------------------


def export_lines(store: Store, since: datetime | None, include_sensitive: bool) -> Iterator[str]:
    """JSON Lines: a header, the office, the policy snapshots, then every event in chain order."""
    office = store.office()
    yield _line({"record": "header", "format": EXPORT_FORMAT})
    if office:
        yield _line({"record": "office", **office.__dict__})
    for policy_hash, name, content in store.policy_snapshots():
        yield _line({"record": "policy", "hash": policy_hash, "name": name, "content": content})
    sensitive: set[str] = set()
    for event in store.events_since(since):
        data = dict(event.data)
        if event.type == "file" and data.get("sensitive"):
            sensitive.add(event.item_id)
        if event.item_id in sensitive and not include_sensitive:
            data = _mask(event.type, data)
        yield _line(
            {
                "record": "event",
                "uid": event.uid,
                "item_id": event.item_id,
                "type": event.type,
                "happened_at": event.happened_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "recorded_at": event.recorded_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "officer": event.officer,
                "data": data,
            }
        )


def _mask(type_: str, data: dict) -> dict:
    masked = dict(data)
    for key in ("title", "text", "reason"):
        if masked.get(key):
            masked[key] = SENSITIVE_MARK
    if isinstance(masked.get("details"), dict):
        masked["details"] = {k: SENSITIVE_MARK for k in masked["details"]}
    for key in ("location", "summary", "consequences", "trend", "measures", "unit"):
        if masked.get(key):
            masked[key] = SENSITIVE_MARK
    return masked


def _line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Imported:
    added: int
    skipped: int


def import_lines(
    store: Store, lines: Iterable[str], source: str, calendar_file: Path | None = None
) -> Imported:
    """Add every event this log lacks (by uid); all or nothing, in one transaction."""
    from yaoqing_cli.status import keep_clocks

    records = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError:
            raise UsageError(
                f"{source} 第 {number} 行不是有效的 JSON；应为 yaoqing export 的输出"
            ) from None
        if not isinstance(record, dict) or "record" not in record:
            raise UsageError(f"{source} 第 {number} 行缺少 record 字段；应为 yaoqing export 的输出")
        records.append((number, record))
    if not records or records[0][1] != {"record": "header", "format": EXPORT_FORMAT}:
        raise UsageError(f"{source} 不是 yaoqing 导出文件（首行应为 {EXPORT_FORMAT} 标头）")
    added = skipped = 0
    touched: list[str] = []
    with store.transaction():
        for number, record in records[1:]:
            try:
                kind = record["record"]
                if kind == "office":
                    if store.office() is None:
                        fields = {
                            k: record[k] for k in ("name", "short", "policy", "tz", "officer")
                        }
                        store.set_office(Office(**fields))
                elif kind == "policy":
                    policy = Policy.from_snapshot(record["content"])  # refuses a damaged one
                    if policy.hash != record["hash"]:
                        raise ValueError("hash")
                    store.save_policy_snapshot(record["name"], record["hash"], record["content"])
                elif kind == "event":
                    if store.has_event(record["uid"]):
                        skipped += 1
                        continue
                    _import_event(store, record)
                    touched.append(record["item_id"])
                    added += 1
                else:
                    raise KeyError("record")
            except (KeyError, TypeError, ValueError, AttributeError, PolicyError) as err:
                raise UsageError(f"{source} 第 {number} 行内容不完整或格式不对（{err}）") from None
        if touched and store.office() is not None:
            keep_clocks(store, touched, calendar_file)
    return Imported(added=added, skipped=skipped)


_INT_FIELDS = {"n", "year", "issue_no"}
_BOOL_FIELDS = {"sensitive", "coordination"}


def _check_event(record: dict) -> None:
    """Refuse an event this version could not have written, before anything is stored."""
    data = record["data"]
    kind = record["type"]
    if kind not in vocab.EVENT_LABELS or not isinstance(data, dict):
        raise ValueError("type/data")
    for key in ("uid", "item_id", "happened_at", "recorded_at"):
        if not isinstance(record[key], str):
            raise TypeError(key)
    from_utc_text(record["recorded_at"])
    if not isinstance(record.get("officer"), str | None):
        raise TypeError("officer")
    allowed = {
        "file": {"kind": vocab.KINDS, "level": vocab.LEVELS, "message_class": vocab.CLASSES},
        "level": {"to": vocab.LEVELS, "from": vocab.LEVELS},
        "close": {"outcome": vocab.OUTCOMES},
        "extend": {"duty": vocab.DUTY_KEYS},
    }.get(kind, {})
    for key, table in allowed.items():
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or value not in table):
            raise ValueError(f"data.{key}")
    for key, value in data.items():
        if key in _INT_FIELDS:
            ok = type(value) is int
        elif key in _BOOL_FIELDS:
            ok = isinstance(value, bool)
        elif key == "done":
            ok = isinstance(value, list) and all(isinstance(k, str) for k in value)
        elif key == "details":
            ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
        else:  # every other field this version writes is text or absent
            ok = value is None or isinstance(value, str)
        if not ok:
            raise TypeError(f"data.{key}")
    if kind == "file":
        for key in ("occurred", "received", "filed"):
            from_utc_text(data[key])
        if data["filed"] != record["happened_at"]:  # a first report happens when it is filed
            raise ValueError("data.filed")


def _import_event(store: Store, record: dict) -> None:
    _check_event(record)
    happened = from_utc_text(record["happened_at"])
    data = record["data"]
    item_id = record["item_id"]
    if record["type"] == "file":
        if store.item(item_id) is not None:
            raise OperationError(f"编号 {item_id} 在本日志中已是另一条要情；导入已取消，日志未改动")
        if store.policy_snapshot(data["policy_hash"]) is None:
            raise OperationError(f"{item_id} 所依据的政策快照不在导入文件中；导入已取消")
        item = Item(
            id=item_id,
            year=data["year"],
            issue_no=data["issue_no"],
            title=data["title"],
            kind=data["kind"],
            level=data["level"],
            policy=data["policy"],
            policy_hash=data["policy_hash"],
            occurred=from_utc_text(data["occurred"]),
            received=from_utc_text(data["received"]),
            filed=from_utc_text(data["filed"]),
            message_class=data.get("message_class"),
            unit=data.get("unit"),
            category=data.get("category"),
            sensitive=bool(data.get("sensitive")),
            coordination=bool(data.get("coordination")),
            details=data.get("details") or {},
        )
        day, _, day_no = item_id.partition("-")
        store.insert_item(item, day, int(day_no))
    elif store.item(item_id) is None:
        raise OperationError(f"导入的事件属于本日志没有的要情 {item_id}；导入已取消，日志未改动")
    store.append_event(
        item_id,
        record["type"],
        happened,
        record.get("officer"),
        data,
        uid=record["uid"],
        recorded_at=record["recorded_at"],
    )
    if record["type"] == "close":
        store.mark_closed(item_id, happened)


def backup(store: Store, dest: Path) -> Path:
    """Copy the log to DEST, which must not exist: copied to a hidden temporary file beside
    DEST, checked (a yaoqing log whose chain verifies and whose head is an event of this log),
    then given its name by a hard link, which fails if DEST appeared meanwhile: two backups
    to one name cannot both succeed, and DEST is never a partial copy."""
    import sqlite3
    import tempfile

    dest = Path(dest)
    _refuse_existing(dest)
    folder = dest.parent if str(dest.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{dest.name}.", suffix=".tmp")  # 0600
        os.close(fd)
    except OSError as err:  # a name too long, a folder that is a file, no permission
        raise OperationError(f"无法写入备份 {dest}：{err.strerror or err}") from None
    temp = Path(name)
    try:
        store.backup_to(temp)
        _fsync(temp)
        _check_copy(store, temp, dest)
        _link_new(temp, dest)
        _fsync(folder)
    except sqlite3.Error as err:
        if "full" in str(err):
            raise OperationError(f"磁盘已满，无法写入备份 {dest}；未留下任何文件") from None
        raise OperationError(f"无法写入备份 {dest}：{err}；未留下任何文件") from None
    except OSError as err:
        raise OperationError(
            f"无法写入备份 {dest}：{err.strerror or err}；未留下任何文件"
        ) from None
    finally:
        temp.unlink(missing_ok=True)
        Path(f"{temp}-journal").unlink(missing_ok=True)
    return dest


def _refuse_existing(dest: Path) -> None:
    try:
        if dest.is_symlink():
            raise OperationError(f"备份目标是符号链接：{dest}；请给出一个新的文件名")
        if dest.exists():
            raise OperationError(f"备份目标已存在：{dest}；请换一个文件名，备份从不覆盖文件")
    except OSError as err:
        raise OperationError(f"无法写入备份 {dest}：{err.strerror or err}") from None


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_copy(store: Store, temp: Path, dest: Path) -> None:
    from yaoqing_cli.store import open_copy

    copy = open_copy(temp)
    try:
        _, broken = check_chain(copy.chain_rows())
        head = copy.last_event()
    finally:
        copy.close()
    if broken is not None or (head is not None and store.hash_at(head[0]) != head[1]):
        raise OperationError(f"备份核验失败，未写入 {dest}：副本的哈希链与日志不符；请重试")


def _link_new(temp: Path, dest: Path) -> None:
    """Give the finished copy its name, never replacing a file that has it."""
    try:
        os.link(temp, dest)
        return
    except FileExistsError:
        raise OperationError(
            f"备份目标已存在：{dest}（另一个备份刚刚写入）；请换一个文件名，备份从不覆盖文件"
        ) from None
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            raise
    # A file system without hard links: reserve the name exclusively, then move onto it.
    try:
        os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise OperationError(f"备份目标已存在：{dest}；请换一个文件名，备份从不覆盖文件") from None
    os.replace(temp, dest)
