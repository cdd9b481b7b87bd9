"""The controlled vocabulary: stable English keys for machines, Chinese labels for people.

Every lookup accepts the key, the Chinese label(s) and the aliases listed here, and raises a
UsageError listing what is accepted.
"""

from yaoqing_cli.errors import UsageError

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
}

# 鲁政办字〔2016〕86号 第18条: 预判预警类信息 that did not happen, and information reported in time
# that later proved wrong, are not held against the office as wrong reports. Neither erases a
# clock already missed: a breach is permanent whatever the outcome.
EXEMPT_OUTCOMES = frozenset({"did-not-occur", "misreport"})
# Outcomes only a warning can have, and outcomes that must say why.
WARNING_OUTCOMES = frozenset({"did-not-occur"})
REASONED_OUTCOMES = frozenset({"misreport"})

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
    "file": "首报",
    "continue": "续报",
    "level": "定级变更",
    "extend": "延期",
    "close": "终报",
}


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
