"""Plain data passed between the store, the deadline engine and the CLI. No I/O here.

Every datetime is timezone-aware. The store keeps UTC; the CLI shows the office's local time.
"""

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from types import MappingProxyType
from typing import Any, NamedTuple

from yaoqing_cli.clock import from_utc_text, to_utc_text

# Event types, in the vocabulary of a duty office. The payload (`data`) of each:
#   file      首报    every field of the first report (see Item); happened_at = when it went up (--at)
#   continue  续报    {"n": 1.., "text": str|None, "done": [duty keys]}
#   level     定级变更 {"from": level|None, "to": level, "reason": str|None}
#   extend    延期    {"duty": key, "reason": str}
#   close     终报    {"text": str|None, "outcome": "resolved"|"did-not-occur"|"misreport"|"merged"|"void",
#                      "reason": str (misreport, void)}
#   notify    已报告  {"who": str, "by": str|None, "text": str|None}; happened_at = when told
#   correct   更正    {"reason": str, "from": {field: old}, "to": {field: new}}: fields of
#                      vocab.CORRECTABLE, times in UTC text; happened_at = when recorded
#   reopen    重新打开 {"reason": str}: the last close no longer holds; happened_at = when recorded
# Office-level events have item_id "" (no item):
#   office    单位设置 {"name", "short", "policy", "tz", "officer", "drill"}: every `init`
#   calendar  工作日历 {"years": {"2027": {"holidays": [...], "workdays": [...]}}, "source", "sha256"}
#   handover  交接班  {"from", "to", "note", "due_hours", "items": [the open items and their
#                     running clocks, untold and told, frozen: handover.freeze]}

# Records are NamedTuples, not dataclasses: a frozen dataclass compiles five or six methods when
# its module is imported (0.4-1 ms each class, paid by every command); a NamedTuple one.
# An empty mapping field shares this read-only one: records are values, never edited.
EMPTY: Mapping[str, Any] = MappingProxyType({})


class Event(NamedTuple):
    seq: int  # order of recording in this log
    uid: str  # identity that survives export/import
    item_id: str
    type: str
    happened_at: datetime  # when it happened (--at)
    recorded_at: datetime  # when the tool wrote it (system clock)
    officer: str | None
    data: Mapping[str, Any] = EMPTY


class Office(NamedTuple):
    """The office's settings in force (every `init` records them as an 'office' event)."""

    name: str
    short: str
    policy: str
    tz: str
    officer: str | None
    drill: bool = False  # 演练: made by `init --drill`; fixed when the log is made


class Item(NamedTuple):
    """The facts of the first report. Later changes (level, close) are events, never edits."""

    id: str  # office daily sequence, e.g. 20261122-003
    year: int
    issue_no: int  # 第N期 within the year
    title: str
    kind: str  # emergency | opinion | warning | message
    level: str | None  # level at filing; None = not yet graded (未定级)
    policy: str  # policy name the item was filed under
    policy_hash: str  # content hash of that policy, frozen onto the item
    occurred: datetime  # 事发
    received: datetime  # 接报
    filed: datetime  # 首报 went up
    message_class: str | None = None  # praise | advice | appeal (messages only)
    unit: str | None = None  # reporting unit (报送单位)
    category: str | None = None  # routing category (Yunnan's table)
    sensitive: bool = False
    coordination: bool = False  # needs the general office to coordinate (seed 000 item 13)
    details: Mapping[str, Any] = EMPTY  # location, summary, consequences, ...
    origin: str = ""  # 转报: the office that filed it (full name); "" = this office
    origin_short: str = ""  # that office's short name, as in 转报：某市 2026年第3期

    @property
    def issue_number(self) -> int | None:
        """第N期, or None for a citizen's message, which is no 要情专报 (stored as a negative
        number: store.next_numbers)."""
        return self.issue_no if self.issue_no > 0 else None


# --- one item <-> payload round trip, one canonical JSON form -----------------------------------


def item_payload(item: Item) -> dict:
    """Everything the first report said, kept in the `file` event so the log alone is enough
    (import and verify rebuild the item from it: item_from_payload)."""
    return {
        "id": item.id,
        "year": item.year,
        "issue_no": item.issue_no,
        "title": item.title,
        "kind": item.kind,
        "level": item.level,
        "policy": item.policy,
        "policy_hash": item.policy_hash,
        "occurred": to_utc_text(item.occurred),
        "received": to_utc_text(item.received),
        "filed": to_utc_text(item.filed),
        "message_class": item.message_class,
        "unit": item.unit,
        "category": item.category,
        "sensitive": item.sensitive,
        "coordination": item.coordination,
        "details": dict(item.details),
    }


def item_from_payload(item_id: str, data: Mapping[str, Any]) -> Item:
    """The item a `file` event's payload describes: the inverse of item_payload. Raises
    KeyError, TypeError or ValueError for a payload this version could not have written."""
    return Item(
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


def canonical_json(value: Any, default=None) -> str:
    """The one compact JSON form: keys sorted, no spaces, UTF-8 as is. The hash chain, the
    stored payloads, policy hashes and export lines all use it, so equal values are equal text."""
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=default
    )


def sha256_hex(data: bytes) -> str:
    """SHA-256 in hex, from OpenSSL when hashlib is loaded already (verify, import: many
    hashes, 3x faster there), else from CPython's own module: `import hashlib` loads OpenSSL
    first, 2 ms of a write that makes two hashes. The digests are the same. (`sys` is imported
    at the top: an import statement here cost 0.5 µs of each of verify's million hashes.)"""
    hashlib = sys.modules.get("hashlib")
    if hashlib is not None:
        return hashlib.sha256(data).hexdigest()
    return _own_sha256()(data).hexdigest()


@cache
def _own_sha256():
    """CPython's own SHA-256, found once: a failed import searches the whole path each time
    (0.06 ms, and a write hashes five times)."""
    try:
        if sys.version_info >= (3, 12):
            from _sha2 import sha256
        else:
            from _sha256 import sha256
    except ImportError:  # another Python: the library's
        from hashlib import sha256
    return sha256


# --- corrections (更正): the item as each correction leaves it ------------------------------------


def corrected(item: Item, values: Mapping[str, Any]) -> Item:
    """`item` with the corrected fields set to `values` (a correction's `to`, or its `from` to
    undo it): times are UTC text, `location` is a detail of the first report."""
    changes: dict[str, Any] = {}
    details = None
    for key, value in values.items():
        if key in ("occurred", "received"):
            changes[key] = from_utc_text(value)
        elif key == "location":
            details = dict(item.details if details is None else details)
            if value:
                details["location"] = value
            else:
                details.pop("location", None)
        else:
            changes[key] = bool(value) if key == "sensitive" else value
    if details is not None:
        changes["details"] = details
    return item._replace(**changes)


def as_filed(item: Item, corrections: Sequence[Event]) -> Item:
    """The item before any of `corrections` (correct events, in the order recorded) applied,
    given the item after all of them."""
    for event in reversed(corrections):
        item = corrected(item, event.data.get("from") or {})
    return item


def correctable_values(item: Item) -> dict:
    """What `correct` may change (vocab.CORRECTABLE), as the item holds it now."""
    return {
        "occurred": item.occurred,
        "received": item.received,
        "title": item.title,
        "kind": item.kind,
        "message_class": item.message_class,
        "category": item.category,
        "unit": item.unit,
        "location": item.details.get("location"),
        "sensitive": item.sensitive,
        "policy": item.policy,
        "policy_hash": item.policy_hash,
    }


def versions_of(item: Item, corrections) -> list[Item]:
    """The item as filed, then after each correction in turn (`correct` events in the order
    recorded): what the engine and the 传与跟 clocks judge each stretch of time under."""
    versions = [as_filed(item, corrections)]
    for c in corrections:
        versions.append(corrected(versions[-1], c.data.get("to") or {}))
    return versions
