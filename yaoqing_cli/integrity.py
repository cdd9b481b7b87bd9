"""Evidence work: verify the hash chain, back up, export and import a log.

The chain: each event's `hash` is SHA-256 over the previous event's hash, a newline, and the
event's canonical JSON (store.canonical_event: keys sorted, UTF-8, no spaces). The first event
links to 64 zeros. Editing, inserting or removing any event behind the tool's back breaks the
link at that event or the one after it. What a chain cannot show by itself (a tail cut off, a
whole log re-hashed) an anchor kept outside the log shows: `verify --expect`.

An export carries the chain (seq, prev_hash, hash per event, the head last, a digest over the
rest); import recomputes all of it, then holds every event to the rules the command line
enforces before it takes anything.
"""

import errno
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from yaoqing_cli import vocab
from yaoqing_cli.clock import deadline_text, from_utc_text, system_now, to_utc_text
from yaoqing_cli.errors import OperationError, UsageError, YaoqingError, os_reason
from yaoqing_cli.models import (
    Office,
    as_filed,
    canonical_json,
    correctable_values,
    corrected,
    item_from_payload,
)
from yaoqing_cli.policy import Policy
from yaoqing_cli.session import Log
from yaoqing_cli.store import (
    GENESIS_HASH,
    OFFICE,
    Store,
    StoredEvent,
    canonical_around,
    canonical_event,
    chain_hash,
)
from yaoqing_cli.vocab import EventType


@dataclass(frozen=True)
class Broken:
    seq: int
    item_id: str
    happened_at: str
    reason: str


@dataclass(frozen=True)
class Anchor:
    """The head of the log: how many events it holds and the hash of the last. Printed by
    `verify` and by the daily report, so that a copy kept outside the log (the mailed or printed
    report) pins its history: a later log must still hold this hash at this count."""

    events: int
    head: str

    def line(self) -> str:
        return f"日志锚点：{self.events} 个事件，末哈希 {self.head}"


@dataclass(frozen=True)
class Expectation:
    """An anchor to check the log against: a hash (or a prefix of at least 16 hex digits), and
    the count it was the head at, when known."""

    events: int | None
    head: str

    def text(self) -> str:
        return f"{self.events}:{self.head}" if self.events is not None else self.head


ANCHOR_LINE = re.compile(r"日志锚点：\s*(\d+)\s*个事件，末哈希\s*([0-9a-f]{64})")
MIN_PREFIX = 16
EXPECT_ACCEPTED = "末哈希（64 位十六进制，或至少 16 位的前缀），或 事件数:末哈希，例如 42:3fa4…"


def parse_expect(text: str) -> Expectation:
    """`HASH` or `N:HASH`, as --expect takes it."""
    raw = text.strip().lower()
    count_text, colon, digest = raw.rpartition(":")
    if not colon:
        count_text, digest = "", raw
    count = None
    if colon:
        if not count_text.isascii() or not count_text.isdigit() or len(count_text) > 12:
            raise UsageError(f"--expect {text!r}：事件数应为正整数；应为 {EXPECT_ACCEPTED}")
        count = int(count_text)
    if (
        not MIN_PREFIX <= len(digest) <= 64
        or not digest.isascii()
        or any(ch not in "0123456789abcdef" for ch in digest)
    ):
        raise UsageError(f"--expect {text!r} 不是哈希；应为 {EXPECT_ACCEPTED}")
    if count == 0 and digest != GENESIS_HASH[: len(digest)]:
        raise UsageError(f"--expect {text!r}：0 个事件的日志没有末哈希；应为 {EXPECT_ACCEPTED}")
    return Expectation(count, digest)


def expect_from_text(text: str, source: str) -> Expectation:
    """The anchor in an earlier report or `verify` output (text, Markdown or JSON)."""
    found = ANCHOR_LINE.findall(text)
    if found:
        if len(set(found)) > 1:
            raise UsageError(
                f"{source} 含有 {len(set(found))} 个不同的日志锚点；请用 --expect 指定一个"
            )
        count, digest = found[0]
        return Expectation(int(count), digest)
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        anchor = data.get("anchor") if isinstance(data.get("anchor"), dict) else data
        count, digest = anchor.get("events"), anchor.get("head")
        if type(count) is int and isinstance(digest, str):
            return parse_expect(f"{count}:{digest}")
    raise UsageError(
        f"{source} 中没有日志锚点；应为值班日报或 yaoqing verify 的输出（含“日志锚点：N 个事件，末哈希 …”）"
    )


@dataclass(frozen=True)
class Verified:
    events: int
    items: int
    broken: Broken | None
    stale_clock: str | None = None  # an open item whose stored clocks its events contradict
    differences: tuple = ()  # derived.Difference: a table that is not what the events imply
    head: str = GENESIS_HASH  # hash of the last event verified intact
    unmet: str | None = None  # why the log no longer holds the expected anchor

    @property
    def anchor(self) -> Anchor:
        return Anchor(self.events, self.head)


TICK_EVERY = (
    5000  # events between progress bar updates: redrawing per event costs more than hashing
)
PROGRESS_OVER = 20_000  # events: a longer verify shows a progress bar on a terminal


def check_chain(
    rows: Iterable[tuple], tick: Callable[[int], None] | None = None
) -> tuple[int, Broken | None, str]:
    """Walk stored rows in chain order; return (events verified, first broken link or None,
    hash of the last event verified). `tick(n)` is told the number verified so far, every
    TICK_EVERY events."""
    prev = GENESIS_HASH
    count = 0
    for seq, uid, item_id, type_, happened, recorded, officer, data_text, prev_hash, digest in rows:
        if prev_hash != prev:
            return (
                count,
                Broken(seq, item_id, happened, "与前一事件的链接断开（有事件被删除、插入或改动）"),
                prev,
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
                return count, Broken(seq, item_id, happened, "事件内容不是有效的 JSON"), prev
            try:
                canonical = canonical_event(uid, item_id, type_, happened, recorded, officer, data)
            except TypeError:
                canonical = ""
            if not canonical or digest != chain_hash(prev, canonical):
                reason = "事件内容与其哈希不符（记录被改动）"
                return count, Broken(seq, item_id, happened, reason), prev
        prev = digest
        count += 1
        if tick and count % TICK_EVERY == 0:
            tick(count)
    return count, None, prev


def verify(
    log: Log, tick: Callable[[int], None] | None = None, expect: Expectation | None = None
) -> Verified:
    """The chain, then the items table against it, in one pass over the events; then the
    clocks projection against the engine; then the expected anchor, if one is given. Stale
    clocks are set aside (status then judges every item, the next write rebuilds them): they
    are derived, never evidence."""
    store = log.store
    with store.reading():  # writers may go on; verify one moment of the log
        result = _verify_now(log, tick, expect)
    if any(d.table == "clocks" for d in result.differences):
        with store.transaction():
            store.reset_clocks("set aside by verify: disagreed with the events")
    if any(d.table == "search_text" for d in result.differences):
        with store.transaction():  # derived: rebuilt from the events, as a write would keep it
            store.rebuild_search_index()
    return result


def _verify_now(log: Log, tick, expect: Expectation | None) -> Verified:
    from yaoqing_cli import derived
    from yaoqing_cli.projection import clock_differences

    store = log.store
    named: set[str] = set()  # every item an event names
    closes: dict[str, str] = {}
    first_reports: dict[str, int] = {}
    gap: list[tuple] = []
    seen: dict[str, object] = {}  # what the log holds where the expected anchor points

    def rows() -> Iterator[tuple]:
        expected_seq = 1
        for position, row in enumerate(store.chain_rows(), start=1):
            if row.seq != expected_seq and not gap:  # seq is not hashed: numbering is checked
                gap.append(row)
            expected_seq = row.seq + 1
            named.add(row.item_id)
            if row.type == EventType.FILE:
                first_reports[row.item_id] = first_reports.get(row.item_id, 0) + 1
            elif row.type == EventType.CLOSE:
                closes[row.item_id] = row.happened_at
            elif row.type == EventType.REOPEN:
                closes.pop(row.item_id, None)
            if expect is not None:
                if position == expect.events:
                    seen["at_count"] = row.hash
                if "found_at" not in seen and row.hash.startswith(expect.head):
                    seen["found_at"] = position
            yield row

    beside = Beside(store.path)  # the whole-log scans, run while the chain is walked
    count, broken, head = check_chain(rows(), tick)
    if broken is None and gap:
        first = gap[0]
        broken = Broken(
            first.seq,
            first.item_id,
            first.happened_at,
            "事件序号不连续（有事件被删除或序号被改动）",
        )
    if broken is not None:
        return Verified(events=count, items=0, broken=broken, head=head)
    named.discard("")  # office-level events name no item
    scanned = beside.result(count, head)
    items, found = derived.item_differences(store, closes, first_reports, named, scanned)
    found += derived.snapshot_differences(store)
    found += derived.office_differences(store)
    found += derived.calendar_differences(store)
    found += derived.search_differences(store, scanned)
    stale = None
    if log.initialised:
        try:
            clocks = clock_differences(log)
        except (ValueError, TypeError, KeyError, AttributeError, YaoqingError):
            clocks = []  # the items, snapshots or calendar it rests on are named above
        stale = clocks[0].key if clocks else None
        found += clocks
    unmet = _unmet(expect, count, seen) if expect is not None else None
    return Verified(count, items, None, stale, tuple(found), head=head, unmet=unmet)


class Beside:
    """derived.SCANS on a second read connection, in a thread started now: SQLite runs them in
    C while Python walks the chain (sqlite3 lets the GIL go during a query), on the second core
    (on the ten-year log 4.6 s of work beside a 6 s walk). One moment of the log or none: the
    scans count only if their snapshot ends at the chain walk's last event (every write appends
    an event); otherwise, or if anything failed, verify runs them itself."""

    def __init__(self, path: Path):
        import threading

        self._done: dict = {}
        # a daemon: a Ctrl-C or a broken chain does not wait for the scans to end
        self._thread = threading.Thread(target=self._scan, args=(path,), daemon=True)
        self._thread.start()

    def _scan(self, path: Path) -> None:
        from yaoqing_cli.derived import SCANS

        try:
            store = Store.open(path)
        except Exception:
            return
        try:
            with store.reading():
                self._done["head"] = store.head()
                for name in SCANS:
                    self._done[name] = getattr(store, name)()
        except Exception:
            self._done.clear()
        finally:
            store.close()

    def result(self, count: int, head: str) -> dict | None:
        """The scans, if they saw the log as the chain walk did (`count` events, the last
        `head`); None otherwise."""
        self._thread.join()
        if self._done.get("head") != (count, head):
            return None
        return self._done


def _unmet(expect: Expectation, count: int, seen: dict) -> str | None:
    """Why the log no longer holds the expected anchor, or None if it does."""
    wanted = expect.head
    if expect.events is not None:
        if expect.events == 0:
            return None  # every log once had no events
        if count < expect.events:
            return (
                f"日志只有 {count} 个事件，锚点记载 {expect.events} 个：日志尾部的事件已不在"
                "（被截断或删除）"
            )
        actual = seen.get("at_count", "")
        if not str(actual).startswith(wanted):
            return (
                f"第 {expect.events} 个事件的哈希是 {str(actual)[:16]}…，不是锚点记载的 "
                f"{wanted[:16]}…：此前的历史已被改写"
            )
        return None
    if "found_at" not in seen:
        return f"日志中没有哈希为 {wanted[:16]}… 的事件：此前的历史已被改写或截断"
    return None


# --- export and import

EXPORT_FORMAT = "yaoqing-export/2"
OLD_FORMATS = ("yaoqing-export/1",)
SENSITIVE_MARK = "〔涉密/敏感内容，未导出〕"
NAME_MARK = unicodedata.normalize("NFKC", SENSITIVE_MARK)  # a name is kept NFKC (check_text)
IMPORTED = "imported"  # the key, inside an imported event's data, of where it came from
HEX = frozenset("0123456789abcdef")
ITEM_ID = re.compile(r"(\d{8})-(\d{3,6})", re.ASCII)
CLOCK_SKEW = timedelta(minutes=5)  # as the command line allows a time ahead of now


def export_lines(store: Store, since: datetime | None, include_sensitive: bool) -> list[str]:
    """JSON Lines, the chain kept: a header (format, office, head, masked), the policy
    snapshots, every event in chain order with its `seq`, `prev_hash` and `hash` (with `since`,
    the events left out are a `gap` record carrying the hashes around them), and the head last.

    Call inside store.reading(): the head and the events must be one moment of the log."""
    office = store.office()
    count, head = store.head()
    body: list[tuple[str, bool]] = []  # (line, vouched for by the chain)
    # an item sensitive at any time (as filed, or by a correction) is masked in every event
    sensitive: set[str] = store.ever_sensitive_ids()
    masked = False
    expect, prev = 1, GENESIS_HASH
    for row in store.export_rows(since):
        seq, uid, item_id, type_, happened, recorded, officer, data_text, prev_hash, digest = row
        if seq > expect:  # events outside the selection: named by the hashes around them
            body.append((_gap(expect, seq - 1, prev, prev_hash), False))
        data = json.loads(data_text)
        record = {
            "record": "event",
            "seq": seq,
            "prev_hash": prev_hash,
            "hash": digest,
            "uid": uid,
            "item_id": item_id,
            "type": type_,
            "happened_at": happened,
            "recorded_at": recorded,
            "officer": officer,
            "data": data,
        }
        if item_id in sensitive and not include_sensitive:
            record["data"] = _mask(data, type_)
            record["masked"] = True
            masked = True
        elif type_ == "handover" and not include_sensitive and _sheet_names(data, sensitive):
            # a sheet frozen before an item was marked sensitive holds its title
            record["data"] = _mask_sheet(data, sensitive)
            record["masked"] = True
            masked = True
        body.append((_line(record), "masked" not in record))
        expect, prev = seq + 1, digest
    if count >= expect:
        body.append((_gap(expect, count, prev, head), False))
    header = {
        "record": "header",
        "format": EXPORT_FORMAT,
        "office": None if office is None else office._asdict(),
        "head": {"events": count, "hash": head},
        "masked": masked,
        "since": None if since is None else to_utc_text(since),
        "exported_at": to_utc_text(system_now()),
    }
    entries = [(_line(header), False)]
    for policy_hash, name, content in store.policy_snapshots():
        policy = {"record": "policy", "hash": policy_hash, "name": name, "content": content}
        entries.append((_line(policy), False))
    entries.extend(body)
    lines = [line for line, _ in entries]
    # every line the chain does not vouch for (header, policies, gaps, masked events) has its
    # own digest in the head, so that an edit of it is refused at that line
    covered = {
        str(n): _digest([line]) for n, (line, chained) in enumerate(entries, 1) if not chained
    }
    head_record = {"record": "head", "events": count, "hash": head, "digest": _digest(lines)}
    lines.append(_line({**head_record, "lines": covered}))
    return lines


def _digest(lines: Iterable[str]) -> str:
    """SHA-256 over every line before the head, each in its canonical form: the events are
    covered by the chain, this covers the rest too (header, policies, gaps, masked content),
    so an edit anywhere is refused, not only an edit of an event."""
    # surrogatepass: a line carrying a lone surrogate (\ud800) was never exported; it is hashed
    # all the same, so that it fails to match instead of failing to encode
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).hexdigest()


def _gap(first: int, last: int, prev_hash: str, digest: str) -> str:
    return _line(
        {"record": "gap", "from": first, "to": last, "prev_hash": prev_hash, "hash": digest}
    )


def _sheet_names(data: dict, sensitive: set[str]) -> bool:
    """A handover sheet names, with its title, an item that is or was sensitive."""
    return any(
        isinstance(entry, dict) and entry.get("id") in sensitive and entry.get("title")
        for entry in data.get("items") or ()
    )


def _mask_sheet(data: dict, sensitive: set[str]) -> dict:
    """The sheet with those items' titles left out, as a sensitive item is frozen."""
    items = [
        {**entry, "title": None}
        if isinstance(entry, dict) and entry.get("id") in sensitive
        else entry
        for entry in data.get("items") or ()
    ]
    return {**data, "items": items}


def _mask(data: dict, type_: str) -> dict:
    masked = dict(data)
    for key in ("title", "text", "reason", "task"):  # task: an assignment's (转办)
        if masked.get(key):
            masked[key] = SENSITIVE_MARK
    if isinstance(masked.get("details"), dict):
        masked["details"] = {k: SENSITIVE_MARK for k in masked["details"]}
    for key in ("location", "summary", "consequences", "trend", "measures", "unit"):
        if masked.get(key):
            masked[key] = SENSITIVE_MARK
    for side in ("from", "to"):  # a correction's old and new words (更正)
        if isinstance(masked.get(side), dict):
            masked[side] = {
                k: SENSITIVE_MARK if k in vocab.CORRECTED_TEXTS and v else v
                for k, v in masked[side].items()
            }
    # the leader of an instruction (批示); the units handed to stay, since an importing log checks
    # each report back (feedback --from) against the units the item was handed to
    if type_ == "instruct" and masked.get("leader"):
        masked["leader"] = NAME_MARK
    return masked


def _line(record: dict) -> str:
    return canonical_json(record)


@dataclass(frozen=True)
class Imported:
    added: int
    skipped: int  # already in the log, with the same content
    forwarded_from: str | None = None  # the source office, when its items came as 转报
    masked: int = 0  # events taken with their sensitive content masked (--allow-masked)
    not_applied: int = 0  # office-level events checked but not taken (settings; another's)


class _Refused(Exception):
    """A line of the file that cannot be taken: its number and why."""

    def __init__(self, number: int, why: str):
        super().__init__(why)
        self.number = number
        self.why = why


def import_lines(
    log: Log, lines: Iterable[str], source: str, *, allow_masked: bool = False
) -> Imported:
    """Check the whole file, then take the events this log lacks, all or nothing, in one
    transaction. The file's own chain is recomputed first (any event altered, removed or
    reordered refuses the file); then every event obeys the rules the command line enforces.
    The command's now (YAOQING_NOW in a drill): nothing may lie ahead of it or of the machine's
    clock; what is taken is recorded at the machine's clock all the same."""
    now = max(log.now, system_now())
    try:
        records = _records(lines)
        header = _check_header(records, allow_masked)
        _check_file_chain(records, header)
        with log.store.transaction():
            return _take_all(log, records, header, now)
    except _Refused as refusal:
        where = "标头" if refusal.number == 1 else f"第 {refusal.number} 行"
        raise OperationError(
            f"{source} {where}：{refusal.why}；整个文件未导入，日志未改动"
        ) from None


def _records(lines: Iterable[str]) -> list[tuple[int, dict]]:
    records = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested thousands deep
            raise _Refused(number, "不是有效的 JSON；应为 yaoqing export 的输出") from None
        if not isinstance(record, dict) or not isinstance(record.get("record"), str):
            raise _Refused(number, "缺少 record 字段；应为 yaoqing export 的输出")
        records.append((number, record))
    if not records:
        raise _Refused(1, "文件是空的；应为 yaoqing export 的输出")
    return records


@dataclass(frozen=True)
class _Header:
    office: Office
    events: int
    head: str
    masked: bool
    partial: bool  # exported with --since: events outside it are gap records


def _want(number: int, ok: bool, why: str) -> None:
    if not ok:
        raise _Refused(number, why)


def _keys(number: int, record: dict, required: set, optional: frozenset = frozenset()) -> None:
    missing = required - record.keys()
    unknown = record.keys() - required - optional
    _want(number, not missing, f"缺少字段 {'、'.join(sorted(missing))}")
    _want(number, not unknown, f"有本版本不会写出的字段 {'、'.join(sorted(map(str, unknown)))}")


def _is_hash(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX


def _is_count(value) -> bool:
    return type(value) is int and 0 <= value < 2**53


def _check_header(records: list[tuple[int, dict]], allow_masked: bool) -> _Header:
    number, header = records[0]
    _want(number, header.get("record") == "header", f"首行应为 {EXPORT_FORMAT} 标头")
    fmt = header.get("format")
    _want(
        number,
        fmt not in OLD_FORMATS,
        f"是旧版导出格式 {fmt}，不带哈希链，无法核对是否被改动；请用本版 yaoqing 重新导出",
    )
    _want(number, fmt == EXPORT_FORMAT, f"首行应为 {EXPORT_FORMAT} 标头")
    _keys(number, header, {"record", "format", "office", "head", "masked", "since", "exported_at"})
    office = header["office"]
    _want(number, isinstance(office, dict), "office 应为对象（单位名称、简称、政策、时区）")
    _keys(number, office, {"name", "short", "policy", "tz", "officer"}, frozenset({"drill"}))
    _want(number, isinstance(office.get("drill", False), bool), "office.drill 应为 true 或 false")
    _want(
        number,
        all(isinstance(office[k], str) for k in ("name", "short", "policy", "tz"))
        and isinstance(office["officer"], str | None),
        "office 的字段应为文字",
    )
    head = header["head"]
    _want(
        number,
        isinstance(head, dict)
        and head.keys() == {"events", "hash"}
        and _is_count(head["events"])
        and _is_hash(head["hash"]),
        "head 应为 {events: 事件数, hash: 末哈希}",
    )
    _want(number, isinstance(header["masked"], bool), "masked 应为 true 或 false")
    _want(
        number,
        not header["masked"] or allow_masked,
        "导出时隐去了涉密/敏感内容（masked）；隐去的内容一经导入便永久记入日志，"
        "确需导入请加 --allow-masked，或请对方用 --include-sensitive 重新导出",
    )
    since = header["since"]
    _want(number, since is None or _utc(since) is not None, "since 应为 UTC 时间或 null")
    _want(number, _utc(header["exported_at"]) is not None, "exported_at 应为 UTC 时间")
    fields = {k: office[k] for k in ("name", "short", "policy", "tz", "officer")}
    fields["drill"] = office.get("drill", False)  # a drill's export makes a drill log
    return _Header(
        Office(**fields), head["events"], head["hash"], header["masked"], since is not None
    )


def _utc(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return from_utc_text(value)
    except ValueError:
        return None


EVENT_KEYS = {
    "record", "seq", "prev_hash", "hash", "uid", "item_id", "type", "happened_at",
    "recorded_at", "officer", "data",
}  # fmt: skip


def _check_unchained(records: list[tuple[int, dict]], head_number: int, covered) -> None:
    """Each line the chain does not vouch for, against the digest the head gives for it: the
    first edited, inserted or moved one is named."""
    _want(head_number, isinstance(covered, dict), "head 记录的 lines 应为对象")
    named: set[str] = set()
    for number, record in records:
        if number >= head_number:
            break
        if record["record"] == "event" and record.get("masked") is not True:
            continue  # its hash was recomputed
        named.add(str(number))
        _want(
            number,
            covered.get(str(number)) == _digest([_line(record)]),
            "此行与末尾 head 记录所记的摘要不符（被改动、插入或移动）",
        )
    _want(head_number, covered.keys() == named, "head 记录的 lines 与文件的行不符")


def _check_file_chain(records: list[tuple[int, dict]], header: _Header) -> None:
    """Recompute every hash of the file: each event's from its content and the hash before it,
    in order, up to the head the header and the last line name. A masked event's content
    cannot be recomputed (it is not the content that was hashed): only its place is checked."""
    expect, prev = 1, GENESIS_HASH
    head_line = None
    for number, record in records[1:]:
        kind = record["record"]
        _want(number, head_line is None, f"在第 {head_line} 行的 head 记录之后还有内容")
        if kind == "policy":
            _keys(number, record, {"record", "hash", "name", "content"})
        elif kind == "gap":
            _want(
                number,
                header.partial,
                "是省略记录（gap），但这不是 --since 的部分导出：有事件被删除",
            )
            _keys(number, record, {"record", "from", "to", "prev_hash", "hash"})
            first, last = record["from"], record["to"]
            _want(number, _is_count(first) and _is_count(last), "from、to 应为事件序号")
            _want(number, first == expect and last >= first, f"省略的序号应从 {expect} 起")
            _want(number, record["prev_hash"] == prev, "与前一事件的链接断开（有事件被删除或调换）")
            _want(number, _is_hash(record["hash"]), "hash 应为 64 位十六进制")
            expect, prev = last + 1, record["hash"]
        elif kind == "event":
            _keys(number, record, EVENT_KEYS, frozenset({"masked"}))
            seq = record["seq"]
            _want(
                number,
                seq == expect and type(seq) is int,
                f"事件序号为 {seq!r}，应为 {expect}（有事件被删除、插入或调换）",
            )
            _want(
                number,
                record["prev_hash"] == prev,
                "与前一事件的链接断开（有事件被删除、插入或调换）",
            )
            _want(number, _is_hash(record["hash"]), "hash 应为 64 位十六进制")
            fields = ("uid", "item_id", "type", "happened_at", "recorded_at")
            _want(
                number,
                all(isinstance(record[k], str) for k in fields)
                and isinstance(record["officer"], str | None)
                and isinstance(record["data"], dict),
                "事件字段的类型不对",
            )
            masked = record.get("masked", False)
            _want(number, masked is False or masked is True, "masked 应为 true 或 false")
            if masked:
                _want(number, header.masked, "内容被隐去，但标头未注明 masked")
            else:
                try:
                    canonical = canonical_event(
                        *(record[k] for k in fields), record["officer"], record["data"]
                    )
                    digest = chain_hash(prev, canonical)
                except (TypeError, ValueError, RecursionError):  # incl. a lone surrogate
                    digest = ""
                _want(number, digest == record["hash"], "事件内容与其哈希不符（事件被改动）")
            expect, prev = seq + 1, record["hash"]
        elif kind == "head":
            _keys(number, record, {"record", "events", "hash", "digest", "lines"})
            _check_unchained(records, number, record["lines"])
            _want(
                number,
                record["events"] == header.events and record["hash"] == header.head,
                "末尾的 head 记录与标头不符",
            )
            _want(
                number,
                record["events"] == expect - 1 and record["hash"] == prev,
                f"文件中的事件（{expect - 1} 个，末哈希 {prev[:16]}…）与 head 记录不符"
                "（有事件被删除或追加）",
            )
            before = [_line(r) for n, r in records if n < number]
            _want(
                number,
                record["digest"] == _digest(before),
                "文件内容与末尾 head 记录的摘要不符（标头、政策快照、省略记录或隐去的内容被改动）",
            )
            head_line = number
        elif kind == "header":
            raise _Refused(number, "第二个标头：文件被拼接过")
        else:
            raise _Refused(number, f"record 为未知的 {kind!r}")
    if head_line is None:
        raise _Refused(records[-1][0], "文件缺少末尾的 head 记录（被截断？）")


# --- taking the events: every rule of the command line -----------------------------------------


@dataclass
class _Context:
    store: Store
    office: Office  # this log's
    source: Office  # the office whose log the file was exported from
    now: datetime
    partial: bool
    policies: dict
    log: Log
    added: int = 0
    skipped: int = 0
    masked: int = 0
    not_applied: int = 0
    forwarded: bool = False
    calendar: bool = False  # a calendar was taken: every open item's clocks are recomputed


def _take_all(log: Log, records: list, header: _Header, now: datetime) -> Imported:
    from yaoqing_cli.projection import keep_clocks

    store = log.store
    source = _checked_office(1, header.office)
    office = store.office()  # under the write lock
    _want(
        1,
        office is None or not source.drill or office.drill,
        "这是演练日志的导出；演练的记录不能导入真实日志",
    )
    if office is None:  # an empty log becomes the source office's copy
        _adopt(source, log.policy_dirs())
        store.set_office(source)
        office = source
    log.office_changed(office)
    ctx = _Context(store, office, source, now, header.partial, {}, log)
    last_seq_before = store.head()[0]
    from yaoqing_cli.session import load_calendar

    calendar_before = load_calendar(None, store)
    held_before = {item.id for item in store.items_open_at(now, include_closed=True)}
    touched: list[str] = []
    for number, record in records[1:]:
        if record["record"] == "policy":
            _take_policy(ctx, number, record)
    for number, record in records[1:]:
        if record["record"] == "event":
            item_id = _take_event(ctx, number, record)
            if item_id:
                touched.append(item_id)
    if ctx.calendar:
        log.calendar_changed()
        _keep_calendar_breaches(log, calendar_before, held_before)
    _keep_breaches(log, touched, last_seq_before, log.now)
    if touched or ctx.calendar:
        keep_clocks(log, item_ids=touched)
    store.index_new_events()
    return Imported(
        added=ctx.added,
        skipped=ctx.skipped,
        forwarded_from=source.name if ctx.forwarded else None,
        masked=ctx.masked,
        not_applied=ctx.not_applied,
    )


def _keep_calendar_breaches(log: Log, before, item_ids: set[str]) -> None:
    """A calendar taken with the file obeys `calendar add`'s rule for every item the log held
    before (not only those the file touches; an item that arrives with the file is judged as
    its source judged it): no breach already held is recounted into met or waived."""
    from yaoqing_cli.session import load_calendar, recounted_breach

    lost = recounted_breach(log, before, load_calendar(None, log.store), item_ids)
    if lost is not None:
        item_id, name, deadline = lost
        raise OperationError(
            f"导入被拒绝：文件中的工作日历会使 {item_id} 已逾期的“{name}”时限"
            f"（{deadline_text(deadline, log.tz)}）变为按时或免于考核；"
            "逾期一经记录不能由日历撤销；整个文件未导入，日志未改动"
        )


def _keep_breaches(log: Log, item_ids: list[str], last_seq_before: int, now: datetime) -> None:
    """A breach is permanent: no import turns a clock this log already held overdue or late into
    met or waived (鲁政办字〔2016〕86号 第18条 excuses only what was reported in time). Each item
    the log held before the import is judged at the import's moment with and without the
    imported events, at the command's moment; a breach that would vanish refuses the file."""
    from yaoqing_cli.chuan import lost_breaches as chuan_lost
    from yaoqing_cli.chuan import track
    from yaoqing_cli.engine import evaluate, lost_breaches

    ids = list(dict.fromkeys(item_ids))
    if not ids:
        return
    items = log.store.items_by_id(ids)
    grouped = log.store.events_for([item.id for item in items])
    for item in items:
        events = grouped[item.id]
        earlier = [e for e in events if e.seq <= last_seq_before]
        if not earlier:
            continue  # the item arrives with this file: it is judged as its source judged it
        policy = log.policies.get(item)
        resolve = log.policies.resolver(item.id)
        # the item as the log held it before the import: its corrections since undone
        taken = [e for e in events if e.type == "correct" and e.seq > last_seq_before]
        as_held = as_filed(item, taken)
        before = evaluate(as_held, earlier, policy, log.calendar, now, tz=log.tz, resolve=resolve)
        after = evaluate(item, events, policy, log.calendar, now, tz=log.tz, resolve=resolve)
        lost = [(d.name, d.deadline) for d in lost_breaches(before, after)]
        lost += [
            (f"{c.name}（{c.unit}）", c.deadline)
            for c in chuan_lost(
                track(as_held, earlier, policy, log.calendar, now, tz=log.tz, resolve=resolve),
                track(item, events, policy, log.calendar, now, tz=log.tz, resolve=resolve),
            )
        ]
        for name, deadline_at in lost:
            deadline = deadline_text(deadline_at, log.tz)
            raise OperationError(
                f"导入被拒绝：{item.id} 的“{name}”时限（{deadline}）在本日志中已逾期，"
                "导入会使其变为按时或免于考核；逾期一经记录不能由导入撤销；整个文件未导入，日志未改动"
            )


def _text(number: int, value, what: str, *, required: bool = False) -> None:
    """Text exactly as the command line would have stored it (service.check_text), or absent."""
    from yaoqing_cli.service import check_text

    if value is None:
        _want(number, not required, f"{what}不能为空")
        return
    _want(number, isinstance(value, str), f"{what}应为文字")
    try:
        checked = check_text(value, what)
    except YaoqingError as err:
        raise _Refused(number, str(err)) from None
    _want(number, checked is not None, f"{what}不能为空")
    _want(number, checked == value, f"{what}不是命令行会记下的形式（首尾空白或未规范化的字符）")


def _checked_office(number: int, office: Office) -> Office:
    from yaoqing_cli.clock import zone

    _text(number, office.name, "单位名称", required=True)
    _text(number, office.short, "单位简称", required=True)
    _text(number, office.policy, "默认政策", required=True)
    _text(number, office.officer, "值班员")
    try:
        zone(office.tz)
    except YaoqingError:
        raise _Refused(
            number, f"单位时区 {office.tz!r} 不是已知时区（例如 Asia/Shanghai）"
        ) from None
    return office


def _is_prefix(short: str) -> bool:
    """A short name that can head a forwarded item's ID (简称:YYYYMMDD-NNN) unambiguously."""
    return 0 < len(short) <= 40 and not any(ch.isspace() or ch in ":：-" for ch in short)


def _adopt(office: Office, policy_dirs: Sequence[Path]) -> None:
    from yaoqing_cli.policy import load_policy

    try:
        load_policy(office.policy, policy_dirs)
    except YaoqingError as err:
        raise _Refused(
            1, f"来源单位的默认政策 {office.policy} 在本机无法使用（{err}）；请用 --policies 提供"
        ) from None


def _take_policy(ctx: _Context, number: int, record: dict) -> None:
    """A policy snapshot is checked as a policy file is, and must be what its hash says."""
    content = record["content"]
    _want(number, isinstance(content, dict), "政策快照应为对象")
    try:
        policy = Policy.from_snapshot(content)
    except YaoqingError as err:
        raise _Refused(number, f"政策快照无效：{err}") from None
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as err:
        raise _Refused(number, f"政策快照无效（{type(err).__name__}）") from None
    _want(number, policy.hash == record["hash"], "政策快照的内容与其哈希不符")
    _want(number, policy.name == record["name"], "政策快照的名称与其内容不符")
    _want(number, policy.raw == content, "政策快照不是规范形式")
    ctx.store.save_policy_snapshot(policy.name, policy.hash, policy.raw)
    ctx.policies[policy.hash] = policy


def _policy(ctx: _Context, number: int, policy_hash) -> Policy:
    _want(number, isinstance(policy_hash, str), "policy_hash 应为政策快照的哈希（文本）")
    if policy_hash in ctx.policies:
        return ctx.policies[policy_hash]
    snapshot = ctx.store.policy_snapshot(policy_hash)
    _want(number, snapshot is not None, "所依据的政策快照不在导入文件中，也不在本日志中")
    policy = ctx.policies[policy_hash] = Policy.from_snapshot(snapshot)
    return policy


@dataclass(frozen=True)
class _Origin:
    office: str  # full name of the office that first recorded the event
    short: str
    item_id: str  # the item's ID in that office's log ('' for an office-level event)
    recorded_at: str  # when that office recorded it
    masked: bool


def _origin(ctx: _Context, number: int, record: dict) -> _Origin:
    """Where an event was first recorded: the exporting office, or, for an event that office
    had itself imported, the office named in its `imported` key."""
    data = record["data"]
    masked = bool(record.get("masked"))
    meta = data.get(IMPORTED)
    if meta is None:
        return _Origin(
            ctx.source.name, ctx.source.short, record["item_id"], record["recorded_at"], masked
        )
    _want(number, isinstance(meta, dict), f"data.{IMPORTED} 应为对象")
    _keys(number, meta, IMPORTED_KEYS)
    for key in ("source_office", "source_short", "source_id", "source_recorded_at"):
        _want(number, isinstance(meta[key], str), f"data.{IMPORTED}.{key} 应为文字")
    _want(number, isinstance(meta["masked"], bool), f"data.{IMPORTED}.masked 应为 true 或 false")
    _want(number, _is_hash(meta["source_hash"]), f"data.{IMPORTED}.source_hash 应为哈希")
    _text(number, meta["source_office"], "来源单位名称", required=True)
    _text(number, meta["source_short"], "来源单位简称", required=True)
    origin = _Origin(
        meta["source_office"],
        meta["source_short"],
        meta["source_id"],
        meta["source_recorded_at"],
        masked or meta["masked"],
    )
    expected = origin.item_id
    if origin.office != ctx.source.name and origin.item_id:
        expected = f"{origin.short}:{origin.item_id}"
    _want(number, record["item_id"] == expected, f"编号与 data.{IMPORTED} 所记的来源不符")
    return origin


IMPORTED_KEYS = {
    "source_office", "source_short", "source_id", "source_recorded_at", "source_hash", "masked",
}  # fmt: skip


def _original_form(uid, item_id, type_, happened, recorded, officer, data: dict, mask=False):
    """An event as the office that first recorded it wrote it (masked, if asked): what two
    copies of one event (same uid) must agree on, wherever each was imported; and whether
    the copy's content was masked."""
    data = dict(data)
    meta = data.pop(IMPORTED, None)
    masked = False
    if isinstance(meta, dict):
        item_id, recorded = meta.get("source_id"), meta.get("source_recorded_at")
        masked = bool(meta.get("masked"))
        if type_ == "file":
            data["id"] = item_id
    if mask:
        data = _mask(data, type_)
    return canonical_event(uid, item_id, type_, happened, recorded, officer, data), masked


def _same_event(
    stored: StoredEvent, uid: str, type_: str, record: dict, origin, data: dict
) -> bool:
    """Is the incoming event the one the log holds? A masked copy of an event the log holds in
    full is: the log already has more than the file brings."""
    as_sent = {**data, "id": origin.item_id} if type_ == "file" else data
    incoming, _ = _original_form(
        uid,
        origin.item_id,
        type_,
        record["happened_at"],
        origin.recorded_at,
        record["officer"],
        as_sent,
    )
    kept, kept_masked = _original_form(uid, *stored[:5], json.loads(stored.data))
    if kept_masked == origin.masked:
        return kept == incoming
    if origin.masked:
        masked, _ = _original_form(uid, *stored[:5], json.loads(stored.data), mask=True)
        return masked == incoming
    return False


def _take_event(ctx: _Context, number: int, record: dict) -> str | None:
    """Check one event against this log as it stands (earlier lines already taken) and append
    it; return the item it touched, or None if it was skipped."""
    store = ctx.store
    origin = _origin(ctx, number, record)
    own = origin.office == ctx.office.name
    uid, type_ = record["uid"], record["type"]
    _want(
        number,
        0 < len(uid) <= 64 and uid.isascii() and all(ch.isalnum() or ch in "-_" for ch in uid),
        "事件标识 uid 应为字母、数字、- 或 _",
    )
    data = {k: v for k, v in record["data"].items() if k != IMPORTED}
    stored = store.event_by_uid(uid)
    if stored is not None:
        if _same_event(stored, uid, type_, record, origin, data):
            ctx.skipped += 1
            return None
        if json.loads(stored.data).get(IMPORTED, {}).get("masked") and not origin.masked:
            why = f"事件 {uid} 已按隐去敏感内容的版本导入，不能再以完整内容覆盖（事件从不改动）"
        else:
            why = f"事件 {uid} 在本日志中已有，但内容不同（冲突）"
        raise _Refused(number, why)
    _want(
        number,
        not own or origin.office == ctx.source.name,
        f"经 {ctx.source.name} 转来的本单位记录，本日志中却没有：别的单位不能补入本单位的记录",
    )
    happened = _moment(ctx, number, record["happened_at"], "happened_at")
    recorded = _moment(ctx, number, origin.recorded_at, "recorded_at")
    _want(number, happened <= recorded + CLOCK_SKEW, "发生时间晚于记录时间：事件不能在发生前就记下")
    _text(number, record["officer"], "值班员")
    if not origin.item_id:
        return _take_office_event(ctx, number, record, origin, own, data, happened)
    _want(
        number,
        own or _is_prefix(origin.short),
        f"来源单位简称 {origin.short!r} 含空白、冒号或连字符，不能作转报编号的前缀",
    )
    item_id = origin.item_id if own else f"{origin.short}:{origin.item_id}"
    if type_ == "file":
        data = _check_file(ctx, number, record, origin, own, item_id, data, happened)
    else:
        _check_followup(ctx, number, record, item_id, data, happened)
    ctx.forwarded |= not own
    data[IMPORTED] = _meta(origin, record)
    store.append_event(item_id, type_, happened, record["officer"], data, uid=uid)
    if type_ == "close":
        store.mark_closed(item_id, happened)
    elif type_ == "reopen":
        store.mark_reopened(item_id)
    elif type_ == "correct":
        store.correct_item(corrected(store.item(item_id), data["to"]))
    ctx.added += 1
    ctx.masked += origin.masked
    return item_id


def _meta(origin: _Origin, record: dict) -> dict:
    """data.imported of an event taken: where and when it was first recorded."""
    return {
        "source_office": origin.office,
        "source_short": origin.short,
        "source_id": origin.item_id,
        "source_recorded_at": origin.recorded_at,
        "source_hash": record["hash"],
        "masked": origin.masked,
    }


def _moment(ctx: _Context, number: int, text: str, what: str) -> datetime:
    from yaoqing_cli.timeparse import MAX_YEAR, MIN_YEAR

    moment = _utc(text)
    _want(number, moment is not None, f"{what} 应为 UTC 时间 YYYY-MM-DDTHH:MM:SSZ")
    _want(
        number,
        MIN_YEAR <= moment.year <= MAX_YEAR,
        f"{what} {text} 不在 {MIN_YEAR}–{MAX_YEAR} 年之间",
    )
    _want(number, moment <= ctx.now + CLOCK_SKEW, f"{what} {text} 晚于本机现在的时间")
    return moment


FILE_KEYS = {
    "id", "year", "issue_no", "title", "kind", "level", "policy", "policy_hash", "occurred",
    "received", "filed", "message_class", "unit", "category", "sensitive", "coordination",
    "details",
}  # fmt: skip


SUPERVISION_KEYS = ("supervised", "from_above", "feedback_minutes")  # file --supervised


def _check_supervision(number: int, data: dict) -> None:
    """The 督办 keys of a first report, as `file --from-above --supervised --feedback` writes them."""
    if "from_above" in data:
        _label(number, data["from_above"], "交办的上级机关")
    if "supervised" in data:
        _want(
            number,
            data["supervised"] is True and "from_above" in data,
            "supervised 应为 true，且有 from_above",
        )
    if "feedback_minutes" in data:
        _want(number, data.get("supervised") is True, "feedback_minutes 只用于督办件")
        _minutes_ok(number, data["feedback_minutes"], "feedback_minutes")


def _vocab(number: int, value, table: dict, what: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    _want(number, isinstance(value, str) and value in table, f"{what} {value!r} 不是可用的值")


def _check_file(ctx, number, record, origin: _Origin, own: bool, item_id, data, happened) -> dict:
    """A first report, as `file` would have written it (service.file_item, item_payload)."""
    store = ctx.store
    _keys(number, data, FILE_KEYS, frozenset({"heading", *SUPERVISION_KEYS}))
    _check_supervision(number, data)
    _text(number, data.get("heading"), "要情专报的标题头")  # as issued, kept since schema 3
    match = ITEM_ID.fullmatch(origin.item_id)
    _want(number, match is not None, f"编号 {origin.item_id!r} 不是 YYYYMMDD-NNN 的形式")
    _want(number, data["id"] == record["item_id"], "data.id 与事件的编号不符")
    day, day_no = match.group(1), int(match.group(2))
    _want(
        number,
        day_no >= 1 and origin.item_id == f"{day}-{day_no:03d}",
        f"编号 {origin.item_id} 不是命令行编出的形式（当日序号从 001 起，至少三位）",
    )
    _text(number, data["title"], "标题", required=True)
    for key, what in (("unit", "报送单位"), ("category", "类别"), ("policy", "政策名")):
        _text(number, data[key], what, required=key == "policy")
    _vocab(number, data["kind"], vocab.KINDS, "类型")
    _vocab(number, data["level"], vocab.LEVELS, "级别", optional=True)
    _vocab(number, data["message_class"], vocab.CLASSES, "留言类别", optional=True)
    _want(
        number,
        (data["kind"] == "message") == (data["message_class"] is not None),
        "网民留言须注明类别，其他类型不能有留言类别",
    )
    for key in ("sensitive", "coordination"):
        _want(number, isinstance(data[key], bool), f"{key} 应为 true 或 false")
    _want(number, type(data["year"]) is int and data["year"] >= 1, "year 应为正整数")
    # a message filed since messages stopped taking 第N期 has a negative number (store.next_numbers)
    numbered = type(data["issue_no"]) is int and data["issue_no"] >= 1
    unnumbered = type(data["issue_no"]) is int and data["issue_no"] <= -1
    _want(
        number,
        numbered or (unnumbered and data["kind"] == "message"),
        "issue_no 应为正整数（网民留言不编期号时为负整数）",
    )
    _want(number, not unnumbered or data["level"] is None, "网民留言不定级别（file 拒绝 --level）")
    if data.get("heading") is not None and unnumbered:  # 单位简称+网民留言, no number
        _want(
            number,
            data["heading"].endswith(vocab.MESSAGE_TITLE.format(short="")),
            f"网民留言的标题头 {data['heading']!r} 应为“单位简称网民留言”，不编期号",
        )
    elif data.get("heading") is not None:  # 鲁政办字〔2016〕86号 第3条：单位简称+要情专报，按年编期
        number_part = f" {data['year']}年第{data['issue_no']}期"
        _want(
            number,
            data["heading"].endswith(number_part) and len(data["heading"]) > len(number_part),
            f"要情专报的标题头 {data['heading']!r} 与其年份和期号（{number_part.strip()}）不符",
        )
    details = data["details"]
    _want(number, isinstance(details, dict), "details 应为对象")
    for key, value in details.items():
        _want(number, key in vocab.FIRST_REPORT_DETAILS, f"details 中有未知的字段 {key!r}")
        _text(number, value, vocab.detail_label(key), required=True)
    if "about" in details or "about_level" in details:  # file --about / --about-level
        _want(number, data["kind"] == "opinion", "所涉突发事件只用于政务舆情")
        _vocab(number, details.get("about_level"), vocab.LEVELS, "所涉事件级别", optional=True)
    occurred = _moment(ctx, number, data["occurred"], "occurred")
    received = _moment(ctx, number, data["received"], "received")
    _want(number, data["filed"] == record["happened_at"], "首报的 filed 应等于其发生时间")
    _want(number, occurred <= received <= happened, "时间顺序应为 事发 ≤ 接报 ≤ 首报")
    if origin.office == ctx.source.name:  # the zone of the office that numbered it is known
        local = happened.astimezone(ZoneInfo(ctx.source.tz))
        _want(number, local.strftime("%Y%m%d") == day, "编号的日期与首报的日期（来源单位时区）不符")
        _want(number, local.year == data["year"], "year 与首报的年份不符")
    policy = _policy(ctx, number, data["policy_hash"])
    _want(number, policy.name == data["policy"], "政策名与政策快照不符")
    existing = store.item(item_id)
    _want(number, existing is None, f"编号 {item_id} 在本日志中已是另一条要情")
    origin_name = "" if own else origin.office
    _want(
        number,
        not store.number_taken(
            origin_name, data["year"], data["issue_no"], item_id.rsplit("-", 1)[0], day_no
        ),
        f"{data['year']}年第{data['issue_no']}期或编号 {origin.item_id} 已被本日志中"
        f"{'本单位' if own else origin.office}的另一条要情占用",
    )
    item = item_from_payload(item_id, data)._replace(
        origin=origin_name,
        origin_short="" if own else origin.short,
    )
    # the day is the ID's part before its '-' (for a forwarded item, with the prefix), as verify
    # recomputes it; `origin` keeps forwarded numbers apart from this office's own
    store.insert_item(item, item_id.rsplit("-", 1)[0], day_no)
    return {**data, "id": item_id}


FOLLOWUP_TEXT = {key: short for key, (_, short) in vocab.DETAILS.items() if short}


def _check_followup(ctx, number, record, item_id, data, happened) -> None:
    """A 续报, 定级变更, 延期 or 终报, as `continue` and `close` would have written it."""
    from yaoqing_cli.engine import current_level
    from yaoqing_cli.service import unowed_clock

    store = ctx.store
    type_ = record["type"]
    _want(number, type_ in vocab.EVENT_LABELS and type_ != "file", f"事件类型 {type_!r} 未知")
    item = store.item(item_id)
    _want(number, item is not None, f"属于本日志没有的要情 {item_id}（其首报不在文件中）")
    if type_ == "notify":  # who was told may be recorded after the close, as `notify` allows
        _check_notify(ctx, number, item, data, happened)
        return
    closed = store.closed_at(item_id) is not None
    if type_ == "reopen":  # 重新打开: only a closed item, with a reason
        _keys(number, data, {"reason"})
        _want(number, closed, f"{item_id} 尚未终报，不能重新打开")
        _text(number, data["reason"], "重新打开的理由", required=True)
        _want(
            number,
            happened >= store.events(item_id)[-1].happened_at,
            "重新打开早于此前的最后一次记录",
        )
        return
    if type_ == "correct":  # 更正: also of a closed item (it is the record)
        _check_correction(ctx, number, item, data)
        return
    _want(number, not closed, f"{item_id} 已终报，终报之后不能再有记录")
    _want(number, happened >= item.filed, f"早于 {item_id} 的首报时间")
    reopened = store.reopened_at(item_id)
    _want(
        number,
        reopened is None or happened >= reopened,
        f"早于 {item_id} 重新打开的时间：终报后至重新打开之前不能有记录",
    )
    events = store.events(item_id)
    policy = _policy(ctx, number, item.policy_hash)
    if type_ == "continue":
        _keys(number, data, {"n", "text", "done"}, frozenset(FOLLOWUP_TEXT))
        previous = sum(1 for e in events if e.type == "continue")
        n = data["n"]
        _want(number, type(n) is int and n == previous + 1, f"续报序号应为 {previous + 1}")
        _text(number, data["text"], "续报内容")
        done = data["done"]
        _want(
            number,
            isinstance(done, list) and len(set(map(str, done))) == len(done),
            "done 应为不重复的时限列表",
        )
        for key in done:
            duty = policy.duty(key) if isinstance(key, str) else None
            _want(
                number,
                duty is not None and duty.met_by in ("done", "written"),
                f"done {key!r}：政策 {policy.name} 中没有由续报完成的此项时限",
            )
        if done:  # a clock the item owed, at its kind and its levels so far, as `continue`
            problem = unowed_clock(item, _judged(ctx, item, events, policy, happened), policy, done)
            _want(number, problem is None, f"done {problem}")
        for key, what in FOLLOWUP_TEXT.items():
            _text(number, data.get(key), what)
            _want(number, key not in data or data[key] is not None, f"{what}不能为空")
        _want(
            number, bool(data["text"] or done or data.keys() & FOLLOWUP_TEXT.keys()), "续报没有内容"
        )
    elif type_ == "level":
        _keys(number, data, {"from", "to", "reason"})
        # a message filed since messages stopped taking 第N期 is never graded, as `continue
        # --level` refuses; one filed before keeps the level events it has
        _want(number, item.issue_no > 0 or item.kind != "message", "网民留言不定级别")
        _vocab(number, data["to"], vocab.LEVELS, "级别")
        before = current_level(item, events)
        _want(number, data["from"] == before, f"原级别应为 {before!r}（定级变更前的级别）")
        _want(number, data["to"] != before, "级别没有变化")
        _text(number, data["reason"], "定级变更的理由", required=True)
    elif type_ in CHUAN_EVENTS or (type_ == "extend" and data.get("duty") == vocab.ASSIGN_DUTY):
        _check_chuan(ctx, number, record, item, events, policy, data, happened)
    elif type_ == "extend":
        _keys(number, data, {"duty", "reason"})
        duty = policy.duty(data["duty"]) if isinstance(data["duty"], str) else None
        _want(
            number,
            duty is not None and bool(duty.extension_working_days),
            f"政策 {policy.name} 不允许延长 {data['duty']!r} 时限",
        )
        _want(
            number,
            not any(e.type == "extend" and e.data.get("duty") == data["duty"] for e in events),
            f"{item_id} 的 {data['duty']} 时限已延长过一次，只能延长一次",
        )
        _text(number, data["reason"], "延期理由", required=True)
        _check_extension_in_time(ctx, number, record, item, events, policy, data["duty"])
    elif type_ == "close":
        _keys(number, data, {"text", "outcome"}, frozenset({"reason"}))
        outcome = data["outcome"]
        _vocab(number, outcome, vocab.OUTCOMES, "结果")
        _text(number, data["text"], "终报内容")
        _text(number, data.get("reason"), "理由", required=outcome in vocab.REASONED_OUTCOMES)
        _want(
            number,
            outcome not in vocab.WARNING_OUTCOMES or item.kind == "warning",
            f"结果 {outcome}（预警未发生）只用于预警（鲁政办字〔2016〕86号 第18条）",
        )
        _want(number, happened >= events[-1].happened_at, "终报早于此前的最后一次记录")


def _check_correction(ctx, number, item, data) -> None:
    """A correction as `correct` writes it (service.correct_item): a reason, and the old and
    new value of each field it changes, the old ones the item's own as this log holds it, the
    new ones obeying every rule of `file` (service.correction_problem)."""
    from yaoqing_cli.service import correction_problem

    _keys(number, data, {"reason", "from", "to"})
    _text(number, data["reason"], "更正理由", required=True)
    before, after = data["from"], data["to"]
    _want(
        number,
        isinstance(before, dict) and isinstance(after, dict) and before.keys() == after.keys(),
        "更正的 from 与 to 应为字段相同的对象",
    )
    _want(number, bool(after), "更正没有改变任何内容")
    _want(
        number, after.keys() <= vocab.CORRECTABLE.keys(), f"更正了不可更正的字段：{sorted(after)}"
    )
    _want(
        number,
        ("policy" in after) == ("policy_hash" in after),
        "更正政策须同时记政策名与政策快照",
    )
    current = correctable_values(item)
    for key in vocab.CORRECTED_TIMES:  # a correction event holds times as stored
        current[key] = to_utc_text(current[key])
    for key, old in before.items():
        _want(number, current[key] == old, f"更正前的{vocab.CORRECTABLE[key]}与本日志中的记录不符")
        _want(number, after[key] != old or key == "policy", f"{vocab.CORRECTABLE[key]}没有变化")
    for key in vocab.CORRECTED_TIMES:
        if key in after:
            _moment(ctx, number, after[key], key)
    for key, what in (("title", "标题"), ("unit", "报送单位"), ("location", "地点")):
        if key in after:
            _text(number, after[key], what, required=key == "title")
    if "category" in after:
        _text(number, after["category"], "类别")
    _vocab(number, after.get("kind", item.kind), vocab.KINDS, "类型")
    _vocab(number, after.get("message_class"), vocab.CLASSES, "留言类别", optional=True)
    if "sensitive" in after:
        _want(number, isinstance(after["sensitive"], bool), "sensitive 应为 true 或 false")
    policy = _policy(ctx, number, after.get("policy_hash", item.policy_hash))
    _want(number, policy.name == after.get("policy", item.policy), "政策名与政策快照不符")
    events = ctx.store.events(item.id)
    problem = correction_problem(item, after, policy, ZoneInfo(ctx.office.tz), events)
    _want(number, problem is None, f"更正后{problem}")


CHUAN_EVENTS = ("assign", "feedback", "instruct")


def _label(number: int, value, what: str) -> None:
    """A unit's or leader's name as the command line keeps it (NFKC, no invisible characters)."""
    from yaoqing_cli.service import check_text

    _want(number, isinstance(value, str) and value, f"{what}应为非空文字")
    try:
        checked = check_text(value, what, label=True)
    except YaoqingError as err:
        raise _Refused(number, str(err)) from None
    _want(number, checked == value, f"{what} {value!r} 不是命令行会记下的形式")


def _long_text(number: int, value, what: str, *, required: bool = False) -> None:
    from yaoqing_cli.service import check_text

    if value is None:
        _want(number, not required, f"{what}不能为空")
        return
    _want(number, isinstance(value, str), f"{what}应为文字")
    try:
        checked = check_text(value, what, multiline=True)
    except YaoqingError as err:
        raise _Refused(number, str(err)) from None
    _want(number, checked == value, f"{what}不是命令行会记下的形式（首尾空白或未规范化的字符）")


def _minutes_ok(number: int, value, what: str, limit: str = "minutes") -> None:
    from yaoqing_cli.policy import LIMITS

    low, high = LIMITS[limit]
    _want(
        number,
        type(value) is int and low <= value <= high,
        f"{what} 应为 {low} 到 {high} 之间的整数",
    )


def _check_chuan(ctx, number, record, item, events, policy, data, happened) -> None:
    """转办、反馈、批示 and an assignment's extension, as `assign`, `feedback` and `instruct`
    would have written them (handing.py), against the log as it stands."""
    from yaoqing_cli import chuan

    type_ = record["type"]
    assigned = {u: e for e in events if e.type == "assign" for u in (e.data.get("units") or ())}
    if type_ == "assign":
        _keys(number, data, {"units", "task"}, frozenset({"minutes", "working_days"}))
        units = data["units"]
        _want(number, isinstance(units, list) and units, "units 应为非空的单位列表")
        _want(number, len(set(map(str, units))) == len(units), "units 中有重复的单位")
        for unit in units:
            _label(number, unit, "承办单位")
            _want(
                number, unit not in assigned, f"{unit} 已受理 {item.id} 的转办；同一单位只转办一次"
            )
        _long_text(number, data["task"], "交办任务")
        _want(
            number,
            not ("minutes" in data and "working_days" in data),
            "minutes 与 working_days 只能有一个",
        )
        if "minutes" in data:
            _minutes_ok(number, data["minutes"], "minutes")
        if "working_days" in data:
            _minutes_ok(number, data["working_days"], "working_days", "working_days")
        _want(
            number,
            chuan.assignment_clock(item, policy, data) is not None,
            f"政策 {policy.name} 对此类要情没有转办时限，转办又未给出时限",
        )
    elif type_ == "feedback":
        _keys(number, data, {"from", "text", "done"})
        unit = data["from"]
        _label(number, unit, "反馈单位")
        _want(number, unit in assigned, f"{unit} 没有受理 {item.id} 的转办，不能有它的反馈")
        _want(number, happened >= assigned[unit].happened_at, "反馈早于转办")
        _long_text(number, data["text"], "反馈内容", required=True)
        _want(number, type(data["done"]) is bool, "done 应为 true 或 false")
        if data["done"]:
            _want(
                number,
                not any(
                    e.type == "feedback" and e.data.get("from") == unit and e.data.get("done")
                    for e in events
                ),
                f"{unit} 已办结 {item.id}，不能再办结一次",
            )
    elif type_ == "instruct":
        _keys(number, data, {"leader", "text", "units"}, frozenset({"feedback_minutes"}))
        _label(number, data["leader"], "批示领导")
        _long_text(number, data["text"], "批示内容", required=True)
        units = data["units"]
        _want(number, isinstance(units, list), "units 应为单位列表")
        _want(number, len(set(map(str, units))) == len(units), "units 中有重复的单位")
        for unit in units:
            _label(number, unit, "批示所涉单位")
        if "feedback_minutes" in data:
            _minutes_ok(number, data["feedback_minutes"], "feedback_minutes")
    else:  # an assignment's one-time extension
        _keys(number, data, {"duty", "unit", "reason"})
        unit = data["unit"]
        _want(number, unit in assigned, f"{item.id} 没有转办给 {unit!r}，无从延期")
        _text(number, data["reason"], "延期理由", required=True)
        _want(
            number,
            not any(
                e.type == "extend" and e.data.get("duty") == vocab.ASSIGN_DUTY
                and e.data.get("unit") == unit
                for e in events
            ),
            f"{unit} 承办 {item.id} 的时限已延长过一次，只能延长一次",
        )  # fmt: skip
        clock = chuan.assignment_clock(item, policy, assigned[unit].data)
        _want(
            number,
            clock is not None and clock.minutes is None and bool(clock.extension_working_days),
            f"{unit} 承办 {item.id} 的时限不可延长",
        )
        happened_at = from_utc_text(record["happened_at"])
        recorded = from_utc_text(_origin(ctx, number, record).recorded_at)
        from yaoqing_cli.engine import effective_moment

        asked = effective_moment(happened_at, recorded)
        tz = ZoneInfo(ctx.office.tz)
        now = chuan.track(item, events, policy, ctx.log.calendar, asked, tz)
        mine = next((c for c in now.of_role("assign") if c.unit == unit), None)
        _want(
            number,
            mine is not None and asked < mine.deadline and mine.state in ("pending", "due_soon"),
            f"{unit} 承办 {item.id} 的时限已届满；延期须在时限届满前申请（云政办发〔2016〕106号 四(三)）",
        )


def _check_notify(ctx, number, item, data, happened) -> None:
    """An 已报告, as `notify` writes it (service.notify_item): {"who", "by", "text"}, `who` as
    the command keeps it (a policy's name as the policy spells it, else NFKC-normalised), no
    earlier than the item was received."""
    from yaoqing_cli.engine import policy_names
    from yaoqing_cli.service import told_by

    _keys(number, data, {"who", "by", "text"})
    who = data["who"]
    _want(number, isinstance(who, str) and bool(who), "报告对象（who）不能为空")
    names = policy_names(_policy(ctx, number, item.policy_hash))
    if who not in names:
        _text(number, who, "报告对象", required=True)
        _want(
            number,
            unicodedata.normalize("NFKC", who) == who,
            "报告对象不是命令行会记下的形式（未规范化的字符）",
        )
        spelled = {unicodedata.normalize("NFKC", n): n for n in names}
        _want(
            number,
            who not in spelled,
            f"报告对象应照政策的写法记作 {spelled.get(who)!r}（命令行如此记下）",
        )
    by = data["by"]
    if by is not None:
        _text(number, by, "报告方式", required=True)
        try:
            kept = told_by(by)
        except YaoqingError as err:
            raise _Refused(number, str(err)) from None
        _want(number, kept == by, f"报告方式 {by!r} 不是命令行会记下的形式（应为 {kept!r}）")
    _long_text(number, data["text"], "报告内容")
    _want(number, happened >= item.received, f"报告时间早于 {item.id} 的接报时间")


def _check_handover(ctx, number, record, origin: _Origin, own: bool, data, happened) -> bool:
    """A 交接班, as `handover` writes it; True if it is to be taken. Another office's is only
    checked (its shifts are not this office's), as is any in a partial export (`--since`: the
    items filed before it are not there to vouch for the sheet). This office's own must freeze
    exactly what this log, as it stands at that line (every earlier line taken), judges at that
    moment: the sheet is what was handed over, and the log it came from said so."""
    from yaoqing_cli.handover import DATA_KEYS
    from yaoqing_cli.service import frozen_sheet

    _keys(number, data, set(DATA_KEYS))
    _want(number, isinstance(data["items"], list), "items 应为列表")
    _plain(number, data["items"], "data.items", limit=5, longest=1_000_000)
    for key, what in (("from", "交班人"), ("to", "接班人")):
        _text(number, data[key], what, required=True)
        _want(
            number,
            data[key] == unicodedata.normalize("NFKC", data[key]),
            f"{what}未规范化（NFKC）",
        )
    _want(number, data["from"] != data["to"], "交班人与接班人相同")
    _want(number, record["officer"] == data["from"], "交接班的值班员应为交班人")
    _long_text(number, data["note"], "交班留言")
    _want(number, type(data["due_hours"]) is int and data["due_hours"] >= 1, "due_hours 应为正整数")
    if not own or ctx.partial:  # a partial export (--since) lacks items the sheet names
        return False
    if record.get("masked"):  # titles left out: not the sheet as handed over, so not taken
        return False
    if ctx.calendar:
        ctx.log.calendar_changed()
    expected = frozen_sheet(ctx.log, happened, data["from"], data["to"], data["note"])
    expected["due_hours"] = data["due_hours"]
    _want(
        number,
        expected == data,
        "交接班冻结的交接单与本日志在该时刻的未终报要情和时限不符",
    )
    return True


def _judged(ctx, item, events, policy, moment):
    """The item's clocks at `moment`, as the commands judge them: this log's calendar and zone,
    a corrected item's earlier policies."""
    from yaoqing_cli.engine import evaluate

    tz = ZoneInfo(ctx.office.tz)
    resolve = ctx.log.policies.resolver(item.id)
    return evaluate(item, events, policy, ctx.log.calendar, moment, tz=tz, resolve=resolve)


def _check_extension_in_time(ctx, number, record, item, events, policy, key) -> None:
    """An extension is asked for before the clock runs out (云政办发〔2016〕106号 四(三)), judged
    from when it was recorded if it was back-entered, as `continue --extend` judges it."""
    from yaoqing_cli.engine import effective_moment

    happened = from_utc_text(record["happened_at"])
    recorded = from_utc_text(_origin(ctx, number, record).recorded_at)
    asked = effective_moment(happened, recorded)
    tz = ZoneInfo(ctx.office.tz)
    status = _judged(ctx, item, events, policy, asked)
    clock = next((d for d in status.duties if d.key == key), None)
    _want(number, clock is not None, f"{item.id} 没有 {key} 时限，无需延期")
    _want(
        number,
        asked < clock.deadline and clock.state in ("pending", "due_soon"),
        f"{item.id} 的“{clock.name}”时限已于 {deadline_text(clock.deadline, tz)} 届满（{vocab.state_label(clock.state, clock.key)}）；"
        "延期须在时限届满前申请（云政办发〔2016〕106号 四(三)）",
    )


def _take_office_event(ctx, number, record, origin: _Origin, own: bool, data, happened):
    """An office-level event (item_id ''). This office's own calendar is taken, as `calendar
    add` takes one (a copy of the log counts working days as the original did); settings are
    not (this log keeps its own, and an adopted office is recorded by this log's own record),
    nor is anything of another office's. Each is checked like any line all the same."""
    from yaoqing_cli.session import load_calendar
    from yaoqing_cli.workdays import Entries

    _want(number, record["type"] in OFFICE_EVENTS, f"单位级事件类型 {record['type']!r} 未知")
    if record["type"] == "handover":
        if not _check_handover(ctx, number, record, origin, own, data, happened):
            ctx.not_applied += 1
            return None
        data[IMPORTED] = _meta(origin, record)
        ctx.store.append_event(
            OFFICE, "handover", happened, record["officer"], data, uid=record["uid"]
        )
        ctx.added += 1
        return None
    _plain(number, data, "data")
    if record["type"] == "unit":  # 单位通讯录: this office's entries are taken, as `unit add`
        _keys(number, data, {"name", "phone", "contact", "note"})
        _label(number, data["name"], "单位名称")
        for key, what in (("phone", "电话"), ("contact", "联系人")):
            if data[key] is not None:
                _label(number, data[key], what)
        _text(number, data["note"], "备注")
        _want(number, bool(data["phone"] or data["contact"]), "单位须有电话或联系人")
        if not own:
            ctx.not_applied += 1
            return None
        data[IMPORTED] = _meta(origin, record)
        ctx.store.append_event(OFFICE, "unit", happened, record["officer"], data, uid=record["uid"])
        ctx.added += 1
        return None
    if record["type"] != "calendar" or not own:
        ctx.not_applied += 1
        return None
    try:
        entry = Entries.from_data(data, "导入文件")
        if any(known["sha256"] == entry.sha256 for known in ctx.store.calendar_entries()):
            ctx.not_applied += 1  # the same file was entered here with `calendar add`
            return None
        load_calendar(None, ctx.store).with_entries(entry)  # refuses a clash, as calendar add
    except YaoqingError as err:
        raise _Refused(number, f"工作日历无效：{err}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise _Refused(number, f"工作日历无效（{type(err).__name__}）") from None
    data[IMPORTED] = _meta(origin, record)
    event = ctx.store.append_event(
        OFFICE, "calendar", happened, record["officer"], data, uid=record["uid"]
    )
    ctx.store.add_calendar(event)
    ctx.added += 1
    ctx.calendar = True
    return None


OFFICE_EVENTS = ("office", "calendar", "unit", "handover")


def _plain(
    number: int, value, where: str, depth: int = 0, limit: int = 4, longest: int = 1000
) -> None:
    """Data of a shape the tool writes: text as the command line stores it, numbers, flags,
    lists (at most `longest` long) and objects a few levels deep (`limit`)."""
    _want(number, depth <= limit, f"{where} 嵌套过深")
    if isinstance(value, dict):
        for key, inner in value.items():
            _plain(number, inner, f"{where}.{key}", depth + 1, limit, longest)
    elif isinstance(value, list):
        _want(number, len(value) <= longest, f"{where} 过长")
        for inner in value:
            _plain(number, inner, where, depth + 1, limit, longest)
    elif isinstance(value, str):
        _text(number, value, where, required=True)
    else:
        _want(number, value is None or type(value) in (bool, int), f"{where} 的值类型不对")


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
    _sweep_dead_copies(folder, dest.name)
    try:
        prefix = f".{dest.name}.{os.getpid()}."
        fd, name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")  # 0600
        os.close(fd)
    except OSError as err:  # a name too long, a folder that is a file, no permission
        raise OperationError(f"无法写入备份 {dest}：{os_reason(err)}") from None
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
        raise OperationError(f"无法写入备份 {dest}：{os_reason(err)}；未留下任何文件") from None
    finally:
        temp.unlink(missing_ok=True)
        Path(f"{temp}-journal").unlink(missing_ok=True)
    return dest


def _sweep_dead_copies(folder: Path, name: str) -> None:
    """Remove the hidden copies a killed backup to the same name left behind (`.NAME.PID.*.tmp`
    whose process is gone): a partial file does not outlive the next backup to that name."""
    from glob import escape

    for leftover in folder.glob(f".{escape(name)}.*.tmp"):
        pid = leftover.name[len(name) + 2 :].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # still running: another backup's copy in progress
        except ProcessLookupError:
            pass
        except (PermissionError, OverflowError):
            continue
        leftover.unlink(missing_ok=True)
        Path(f"{leftover}-journal").unlink(missing_ok=True)


def _refuse_existing(dest: Path) -> None:
    try:
        if dest.is_symlink():
            raise OperationError(f"备份目标是符号链接：{dest}；请给出一个新的文件名")
        if dest.exists():
            raise OperationError(f"备份目标已存在：{dest}；请换一个文件名，备份从不覆盖文件")
    except OSError as err:
        raise OperationError(f"无法写入备份 {dest}：{os_reason(err)}") from None


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
        _, broken, _ = check_chain(copy.chain_rows())
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
