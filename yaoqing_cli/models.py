"""Plain data passed between the store, the deadline engine and the CLI. No I/O here.

Every datetime is timezone-aware. The store keeps UTC; the CLI shows the office's local time.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Event types, in the vocabulary of a duty office. The payload (`data`) of each:
#   file      首报    every field of the first report (see Item); happened_at = when it went up (--at)
#   continue  续报    {"n": 1.., "text": str|None, "done": [duty keys]}
#   level     定级变更 {"from": level|None, "to": level, "reason": str|None}
#   extend    延期    {"duty": key, "reason": str}
#   close     终报    {"text": str|None, "outcome": "resolved"|"did-not-occur"|"merged"}
# Office-level events have item_id "" (no item):
#   office    单位设置 {"name", "short", "policy", "tz", "officer", "drill"}: every `init`
#   calendar  工作日历 {"years": {"2027": {"holidays": [...], "workdays": [...]}}, "source", "sha256"}
EVENT_TYPES = ("file", "continue", "level", "extend", "close")


@dataclass(frozen=True)
class Event:
    seq: int  # order of recording in this log
    uid: str  # identity that survives export/import
    item_id: str
    type: str
    happened_at: datetime  # when it happened (--at)
    recorded_at: datetime  # when the tool wrote it (system clock)
    officer: str | None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
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
    details: Mapping[str, Any] = field(default_factory=dict)  # location, summary, consequences, ...
    origin: str = ""  # 转报: the office that filed it (full name); "" = this office
    origin_short: str = ""  # that office's short name, as in 转报：某市 2026年第3期
