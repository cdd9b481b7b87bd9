"""The controlled vocabulary: stable English keys for machines, Chinese labels for people.

Every lookup accepts the key, the Chinese label(s) and the aliases listed here, and raises a
UsageError listing what is accepted.
"""

from enum import StrEnum

from yaoqing_cli.errors import UsageError


class EventType(StrEnum):
    """What an event records (str-valued: the stored `type` and JSON are these words)."""

    FILE = "file"  # 首报
    CONTINUE = "continue"  # 续报
    LEVEL = "level"  # 定级变更
    EXTEND = "extend"  # 延期
    CLOSE = "close"  # 终报
    OFFICE = "office"  # 单位设置 (office-level, item_id "")
    CALENDAR = "calendar"  # 工作日历 (office-level, item_id "")
    # issue 13 (acts-correct)
    CORRECT = "correct"  # 更正
    REOPEN = "reopen"  # 重新打开


ITEM_EVENTS = (
    EventType.FILE,
    EventType.CONTINUE,
    EventType.LEVEL,
    EventType.EXTEND,
    EventType.CLOSE,
    EventType.CORRECT,
    EventType.REOPEN,
)


class DutyState(StrEnum):
    """Where one clock stands (str-valued: --json `state` is these words)."""

    MET = "met"  # 已按时完成
    LATE = "late"  # 迟报（逾时完成）: a breach, permanent
    PENDING = "pending"  # 未到期
    DUE_SOON = "due_soon"  # 即将到期
    OVERDUE = "overdue"  # 已逾期: a breach, permanent
    WAIVED = "waived"  # 免于考核


RUNNING = frozenset({DutyState.OVERDUE, DutyState.DUE_SOON, DutyState.PENDING})  # still ticking
DONE = frozenset({DutyState.MET, DutyState.LATE})  # met, in time or not

# key -> (Chinese label, other accepted spellings)
KINDS = {
    "emergency": ("突发事件", ("突发", "灾情", "疫情", "灾情疫情")),
    "opinion": ("政务舆情", ("舆情",)),
    "warning": ("预警", ("预警信息", "预判预警")),
    "message": ("网民留言", ("留言",)),
}

# Ordered from the most to the least severe (突发事件应对法 grades I–IV).
LEVELS = {
    "especially-major": ("特别重大", ("I", "1", "especially_major")),
    "major": ("重大", ("II", "2")),
    "large": ("较大", ("III", "3")),
    "general": ("一般", ("IV", "4")),
}
LEVEL_ROMAN = {"especially-major": "I", "major": "II", "large": "III", "general": "IV"}

CLASSES = {  # citizen-message classes, seed 003 四(三)
    "praise": ("表扬感谢", ("表扬和感谢类", "表扬", "感谢")),
    "advice": ("谏言咨询", ("谏言和咨询类", "谏言", "咨询")),
    "appeal": ("申诉求助", ("申诉和寻求解决类", "申诉", "求助")),
}

CHANNELS = {  # seed 000 item 4
    "phone": ("电话", ()),
    "fax": ("传真", ()),
    "network": ("网络", ("网上",)),
    "paper": ("纸质", ("纸质文件",)),
    "mobile": ("手机", ()),
}

OUTCOMES = {
    "resolved": ("处置完毕", ("办结", "已办结", "完毕")),
    "did-not-occur": ("预警未发生", ("未发生", "did_not_occur", "not-occurred")),
    "misreport": ("误报", ("报告有误", "信息有误")),
    "merged": ("已合并", ("合并",)),
    "void": ("作废", ("误录", "作废（误录）")),  # filed by mistake: the number stays used
}

# 鲁政办字〔2016〕86号 第18条: 预判预警类信息 that did not happen, and information reported in time
# that later proved wrong, are not held against the office as wrong reports. Neither erases a
# clock already missed: a breach is permanent whatever the outcome.
EXEMPT_OUTCOMES = frozenset({"did-not-occur", "misreport"})
# Outcomes only a warning can have, and outcomes that must say why.
WARNING_OUTCOMES = frozenset({"did-not-occur"})
REASONED_OUTCOMES = frozenset({"misreport", "void"})
# 作废: an item filed by mistake owes nothing and counts in no timeliness figure, except a
# breach already shown before it was voided (a breach is permanent).
VOID = "void"

DUTY_KEYS = {
    "report": ("书面报告", ("报告",)),
    "followup": ("第一次续报", ("续报",)),
    "publish": ("发布权威信息", ("发布", "权威信息", "对外公布")),
    "press": ("新闻发布会", ("发布会",)),
    "respond": ("回应", ("回应关切",)),
    "reply": ("办结并回复", ("回复", "答复")),
}

# The report title, 单位简称+要情专报 (鲁政办字〔2016〕86号 第3条); a policy may set its own.
DEFAULT_TITLE = "{short}要情专报"

EVENT_LABELS = {
    EventType.FILE: "首报",
    EventType.CONTINUE: "续报",
    EventType.LEVEL: "定级变更",
    EventType.EXTEND: "延期",
    EventType.CLOSE: "终报",
    EventType.CORRECT: "更正",
    EventType.REOPEN: "重新打开",
}

# What `correct` may change, by the Item attribute (or detail key) it corrects -> label.
# `policy_hash` moves with `policy`; `location` is a detail of the first report.
CORRECTABLE = {
    "occurred": "事发时间",
    "received": "接报时间",
    "title": "标题",
    "kind": "类型",
    "message_class": "留言类别",
    "category": "类别",
    "unit": "报送单位",
    "location": "地点",
    "sensitive": "涉密/敏感",
    "policy": "政策",
    "policy_hash": "政策快照",
}
CORRECTED_TIMES = ("occurred", "received")
CORRECTED_TEXTS = ("title", "unit", "location")  # typed words: concealed on a sensitive item

# The moment a clock counts from (a policy's `anchor`).
ANCHORS = {"occurred": "事发", "received": "接报", "filed": "首报"}

STATE_LABELS = {
    DutyState.MET: "已按时完成",
    DutyState.LATE: "迟报（逾时完成）",
    DutyState.PENDING: "未到期",
    DutyState.DUE_SOON: "即将到期",
    DutyState.OVERDUE: "已逾期",
    DutyState.WAIVED: "免于考核",
}

# The fields a report carries besides its title, by the keys `file` and `continue` use (a duty
# office's phone log: 鲁政办字〔2016〕86号 第9条, 国办函〔2013〕100号 首报要素): key -> (label,
# short label in a follow-up's line, or None if a follow-up does not supply it). In display order.
DETAILS = {
    "location": ("地点", "地点"),
    "summary": ("事态经过", None),
    "consequences": ("已造成的后果", "后果"),
    "trend": ("发展趋势", "趋势"),
    "measures": ("已采取的处置措施", "措施"),
    "unit": ("报送单位", "单位"),
    "channel": ("报送方式", None),
    "caller": ("报告人（单位、姓名、电话）", None),
    "informed": ("已报告的领导或单位", None),
    "about": ("所涉突发事件（编号）", None),
    "about_level": ("所涉突发事件级别", None),
}
# The details a first report keeps (`file --location ...`): every field but the reporting unit,
# which is a column of its own.
FIRST_REPORT_DETAILS = tuple(k for k in DETAILS if k != "unit")
# Fields a follow-up (续报) may supply besides its text (`continue --unit --location ...`), in
# the order statements are merged.
FOLLOWUP_FIELDS = ("unit", "location", "consequences", "trend", "measures")
# Fields a policy may require of a first report (first_report.elements), in its listing order.
ELEMENT_FIELDS = ("location", "unit", "summary", "consequences", "trend", "measures")
# Details that are not typed words: how it came in, and the emergency an opinion concerns.
NOT_TEXT = ("channel", "about", "about_level")
# Every event payload key that can carry what a sensitive item says.
TEXT_FIELDS = ("title", "text", "reason", *(k for k in DETAILS if k not in NOT_TEXT))


def detail_label(key: str) -> str:
    entry = DETAILS.get(key)
    return entry[0] if entry else key


def _index(table: dict) -> dict[str, str]:
    index = {}
    for key, (label, aliases) in table.items():
        for spelling in (key, label, *aliases):
            index[spelling.casefold()] = key
    return index


_INDEXES: dict[int, dict[str, str]] = {}


def accepted(table: dict) -> str:
    return "、".join(f"{key}（{label}）" for key, (label, _) in table.items())


def lookup(table: dict, text: str, what: str) -> str:
    """Return the stable key for `text` (key, Chinese label or alias), or raise UsageError."""
    index = _INDEXES.setdefault(id(table), _index(table))
    key = index.get(str(text).strip().casefold())
    if key is None:
        raise UsageError(f"无法识别的{what}：{text!r}；可用：{accepted(table)}")
    return key


def label(table: dict, key: str | None) -> str:
    if key is None:
        return ""
    entry = table.get(key)
    return entry[0] if entry else key


def level_label(key: str | None) -> str:
    if key is None:
        return "未定级"
    return f"{LEVELS[key][0]}（{LEVEL_ROMAN[key]}级）"
