"""The controlled vocabulary: stable English keys for machines, Chinese labels for people.

Every lookup accepts the key, the Chinese label(s) and the aliases listed here, and raises a
UsageError listing what is accepted.
"""

import re
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
    # issue 14, 传与跟: the downward half (转办、反馈、批示、单位通讯录)
    ASSIGN = "assign"  # 转办/交办 to handling units
    FEEDBACK = "feedback"  # 反馈/办结 from a handling unit
    INSTRUCT = "instruct"  # 领导批示
    UNIT = "unit"  # 单位通讯录 entry (office-level, item_id "")
    # issue 13: who was told, and the shift change
    NOTIFY = "notify"  # 已报告: {"who", "by", "text"}; happened_at = when told
    HANDOVER = "handover"  # 交接班 (office-level, item_id ""): the board frozen at the change
    # issue 13 (acts-correct)
    CORRECT = "correct"  # 更正
    REOPEN = "reopen"  # 重新打开


ITEM_EVENTS = (
    EventType.FILE,
    EventType.CONTINUE,
    EventType.LEVEL,
    EventType.EXTEND,
    EventType.CLOSE,
    EventType.NOTIFY,
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
    "especially-major": ("特别重大", ("I", "1", "一", "especially_major")),
    "major": ("重大", ("II", "2", "二")),
    "large": ("较大", ("III", "3", "三")),
    "general": ("一般", ("IV", "4", "四")),
}
# A level as officers write it is also read with 级 after it (较大级, III级, 三级, 3级), with
# Roman numerals (Ⅲ, Ⅲ级: NFKC makes them III) and full-width letters, in any case (iii), and as
# this tool prints it: 较大（III级）.
LEVEL_ROMAN = {"especially-major": "I", "major": "II", "large": "III", "general": "IV"}

CLASSES = {  # citizen-message classes, seed 003 四(三)
    "praise": ("表扬感谢", ("表扬和感谢类", "表扬", "感谢")),
    "advice": ("谏言咨询", ("谏言和咨询类", "谏言", "咨询")),
    "appeal": ("申诉求助", ("申诉和寻求解决类", "申诉", "求助")),
}

CHANNELS = {
    # how a report reaches the office: 鲁政办字〔2016〕86号 第4条 (纸质、传真、网络、手机; urgent
    # items by phone first, 内政办发〔2014〕109号 二(一))
    "phone": ("电话", ()),
    "fax": ("传真", ()),
    "network": ("网络", ("网上",)),
    "paper": ("纸质", ("纸质文件",)),
    "mobile": ("手机", ()),
    # where citizens' messages and opinion come from: 云政办发〔2016〕106号 三(一) (微博、微信、移动
    # 客户端、网络问政、热线电话) and 四(三) (各地各部门主要领导信箱, 人民网《地方领导留言板》)
    "wechat": ("微信", ("微信公众号",)),
    "weibo": ("微博", ()),
    "app": ("移动客户端", ("客户端", "APP")),
    "online-inquiry": ("网络问政", ("问政", "online_inquiry")),
    "hotline": ("热线电话", ("热线", "12345", "政务热线")),
    "mailbox": ("领导信箱", ("信箱", "领导留言板", "地方领导留言板", "留言板")),
}
# Channels by which a report goes up in writing (鲁政办字〔2016〕86号 第4条: 纸质、传真、网络);
# stored as the Chinese label (file --channel keeps the label). A call (电话、手机) is the oral
# report that comes first, and the written material follows (内政办发〔2014〕109号 二(一)); the
# places messages and opinion come from (微信、微博、热线电话, …) say nothing of how it was sent.
WRITTEN_CHANNELS = frozenset({"fax", "network", "paper", "传真", "网络", "纸质"})

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

# How a recipient was told (`notify --by`): key -> (label, aliases). Anything else is kept as
# typed (a duty office tells people in ways no list foresees).
TOLD_BY = {
    "phone": ("电话", ("打电话", "致电", "mobile", "手机")),
    "sms": ("短信", ("信息", "text")),
    "fax": ("传真", ()),
    "in-person": ("当面", ("面报", "当面报告", "in_person")),
    "network": ("网络", ("网上", "内网", "政务网")),
    "paper": ("纸质", ("纸质文件", "书面", "送阅")),
}

# The report title, 单位简称+要情专报 (鲁政办字〔2016〕86号 第3条); a policy may set its own.
DEFAULT_TITLE = "{short}要情专报"

EVENT_LABELS = {
    EventType.FILE: "首报",
    EventType.CONTINUE: "续报",
    EventType.LEVEL: "定级变更",
    EventType.EXTEND: "延期",
    EventType.CLOSE: "终报",
    EventType.ASSIGN: "转办",
    EventType.FEEDBACK: "反馈",
    EventType.INSTRUCT: "领导批示",
    EventType.NOTIFY: "已报告",
    EventType.CORRECT: "更正",
    EventType.REOPEN: "重新打开",
}

# The clocks of the downward half (传与跟, issue 14), by role: who owes what to whom.
CHASE_ROLES = {
    "assign": "转办",  # the handling unit's clock (承办单位办结)
    "relay": "转批示件",  # the office's: forward a leader's instruction (第一时间)
    "instruct": "批示反馈",  # a unit's feedback on a leader's instruction
    "supervised": "督办反馈",  # the office's feedback to the higher office (督办件)
}
# An assignment's extension is an `extend` event naming this key and the unit.
ASSIGN_DUTY = "assign"

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

# What a duty met late is called. 迟报 is a late *report* (鲁政办字〔2016〕86号 第17条: 迟报、瞒报、
# 漏报重要信息舆情; 内政办发〔2014〕109号: 迟报、漏报、瞒报重大紧急信息): only the report and
# follow-up clocks. A late publication, press conference, response or reply is not a report:
# 逾时发布, 逾时回应, 逾时办结. One label per duty; a duty a policy adds under another key is
# 逾时完成.
LATE_LABELS = {
    "report": "迟报",
    "followup": "迟报",
    "publish": "逾时发布",
    "press": "逾时发布",
    "respond": "逾时回应",
    "reply": "逾时办结",
    # the downward clocks (CHASE_ROLES): a unit's 办结, the relay of an instruction, feedback
    "assign": "逾时办结",
    "relay": "逾时转办",
    "instruct": "逾时反馈",
    "supervised": "逾时反馈",
}
LATE_OTHER = "逾时完成"


def late_label(duty_key: str | None) -> str:
    return LATE_LABELS.get(duty_key or "", LATE_OTHER)


def state_label(state: str, duty_key: str | None = None) -> str:
    """A clock's state as people read it; a late clock named by its duty (late_label)."""
    if state == DutyState.LATE and duty_key is not None:
        return late_label(duty_key)
    return STATE_LABELS.get(state, state)


STATE_LABELS = {
    DutyState.MET: "已按时完成",
    DutyState.LATE: LATE_OTHER,  # named by its duty where the duty is known (state_label)
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
# Names typed about an item's downward half (传与跟), by event type: the units it was handed or
# relayed to, the leader who instructed on it, the unit a report back came from. Every view of
# a sensitive item conceals them (facts.concealed_data); an export keeps the units (import
# checks reports back against them) and conceals the leader (integrity._mask).
HANDED_NAMES = {"assign": ("units",), "instruct": ("units", "leader"), "feedback": ("from",)}
# Every event payload key that can carry what a sensitive item says.
TEXT_FIELDS = ("title", "text", "reason", "task", *(k for k in DETAILS if k not in NOT_TEXT))


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


# Dashes a Chinese input method or a word processor puts where a hyphen was meant.
_DASHES = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63", "-")
)


def plain(text: str) -> str:
    """A typed ID, number or date as plain ASCII where it can be: full-width digits, letters and
    hyphens (２０２６１１２１－００１), and the dashes an input method makes (—, –, −)."""
    import unicodedata

    return unicodedata.normalize("NFKC", str(text)).translate(_DASHES).strip()


def _spellings(table: dict, text: str) -> list[str]:
    """The forms `text` is looked up in: as typed, then as plain text (full-width letters and
    digits, Roman numerals, surrounding spaces); a level also without 级 and as 较大（III级）."""
    import unicodedata

    typed = str(text).strip().casefold()
    plain = unicodedata.normalize("NFKC", str(text)).strip().casefold()
    forms = [typed, plain]
    if table is LEVELS:
        bare = plain.removesuffix("级").strip()
        forms.append(bare)
        printed = re.fullmatch(r"(.+?)\s*[(（]\s*(.+?)\s*[)）]", plain)
        if printed:  # 较大（III级）: both halves must name the same level
            halves = {_INDEXES[id(table)].get(h.removesuffix("级")) for h in printed.groups()}
            if len(halves) == 1:
                forms += [printed[1].removesuffix("级")]
    return forms


def lookup(table: dict, text: str, what: str) -> str:
    """Return the stable key for `text` (key, Chinese label or alias), or raise UsageError."""
    index = _INDEXES.setdefault(id(table), _index(table))
    for spelling in _spellings(table, text):
        key = index.get(spelling)
        if key is not None:
            return key
    more = "；也可写 I–IV、Ⅰ–Ⅳ、1–4、一级–四级、较大级" if table is LEVELS else ""
    guess = _nearest(index, _spellings(table, text)[-1])
    hint = f"是否指 {guess}（{table[guess][0]}）？" if guess else ""
    raise UsageError(f"无法识别的{what}：{text!r}；{hint}可用：{accepted(table)}{more}")


def _nearest(index: dict[str, str], typed: str) -> str | None:
    """The key of the one spelling closest to a typo (emergecy -> emergency), if any is close."""
    import difflib

    found = difflib.get_close_matches(typed, list(index), n=1, cutoff=0.75)
    return index[found[0]] if found and len(typed) > 2 else None


def label(table: dict, key: str | None) -> str:
    if key is None:
        return ""
    entry = table.get(key)
    return entry[0] if entry else key


# A citizen's message is not a 要情专报 (the report upward, 单位简称+要情专报, 鲁政办字〔2016〕86号
# 第3条): it is classified and handed to a handling unit (云政办发〔2016〕106号 四(三)), so it has
# a class, never a level, and its heading carries no 第N期. Its heading is this form.
MESSAGE_TITLE = "{short}网民留言"


def is_message(kind: str | None) -> bool:
    return kind == "message"


def grade_label(kind: str | None, level: str | None, message_class: str | None = None) -> str:
    """What an item is graded by, as people read it: a message's class (表扬感谢类, whose class
    sets its 5/10/20 working days, 云政办发〔2016〕106号 四(三)), any other item's level."""
    if is_message(kind):
        return f"{label(CLASSES, message_class)}类" if message_class else "未分类"
    return level_label(level)


def level_label(key: str | None) -> str:
    if key is None:
        return "未定级"
    return f"{LEVELS[key][0]}（{LEVEL_ROMAN[key]}级）"


CN_NUMERALS = "零一二三四五六七八九十"


def cn_number(n: int) -> str:
    """一、二 … 九十九 (续报十二, 一、首报), then Arabic numerals."""
    if n <= 10:
        return CN_NUMERALS[n]
    if n < 20:
        return "十" + CN_NUMERALS[n - 10]
    if n < 100:
        tens, ones = divmod(n, 10)
        return CN_NUMERALS[tens] + "十" + (CN_NUMERALS[ones] if ones else "")
    return str(n)
