"""The 要情专报 (and the duty report) as a document: a pure model, no I/O and no python-docx.

鲁政办字〔2016〕86号 第3条 fixes the form every report takes: 单位简称+要情专报. The model holds
what goes on the page in reading order; render_doc.py lays it out as plain text (28 characters a
line, for fax and SMS) or Markdown, render_docx.py as a .docx in the GB/T 9704-2012 layout.

The first report's elements come in the order the documents ask for them: 时间、地点、单位、
事态经过、已造成的后果、发展趋势、已采取的处置措施 (内政办发〔2014〕109号 二(一): 事件发生时间、
单位、地点、事态经过及采取的处置措施; 呼政办发〔2014〕30号 一: 首报可只报时间、地点、已造成的
后果和事件发展趋势及初步采取的处置措施，其他内容必须在续报工作中陆续上报). An element the first
report lacks is said to be missing ("待续报"), never left out silently. Follow-ups are numbered in
the order they happened (续报一、续报二…, the numbering `show` uses), the final report (终报) follows
when the item is closed, then the leaders' instructions (批示, events of type "instruct").
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from yaoqing_cli import vocab
from yaoqing_cli.errors import OperationError, UsageError
from yaoqing_cli.models import Event, Item
from yaoqing_cli.vocab import cn_number

SENSITIVE_MARK = "敏感/内部"  # 鲁政办字〔2016〕86号 第5条: 涉密或敏感类……用保密方式报送
DRILL_MARK = "演练"
MISSING = "（首报未报，待续报）"

# The first report's elements, in the documents' order (内政办发〔2014〕109号 二(一)、
# 呼政办发〔2014〕30号 一): label, then where the value comes from ("occurred": 事发时间,
# "unit": the reporting unit, else a details key).
ELEMENTS = (
    ("时间", "occurred"),
    ("地点", "location"),
    ("单位", "unit"),
    ("事态经过", "summary"),
    ("已造成的后果", "consequences"),
    ("发展趋势", "trend"),
    ("已采取的处置措施", "measures"),
)
# What a follow-up may supply (`continue --unit --location ...`), as it reads in a follow-up.
SUPPLIED_LABELS = {
    "unit": "单位",
    "location": "地点",
    "consequences": "已造成的后果",
    "trend": "发展趋势",
    "measures": "已采取的处置措施",
}


@dataclass(frozen=True)
class Block:
    """One thing on the page, in reading order."""

    kind: str  # "h1" 一级标题（黑体）| "p" 正文 | "table" | "note" (a small closing line)
    text: str = ""
    lead: str = ""  # a 二级 heading opening the paragraph (楷体): "（一）时间。"
    rows: tuple[tuple[str, ...], ...] = ()  # a table: the first row is the header


@dataclass(frozen=True)
class Document:
    header: str  # the red header: 单位简称+要情专报 (or 值班日报)
    issue: str  # 2026年第3期, or the period a report covers
    office: str  # the issuing office's full name
    date: str  # 2026年11月22日 (GB/T 9704-2012 7.3.5.3: Arabic numerals, in full)
    title: str
    blocks: tuple[Block, ...]
    foot: tuple[tuple[str, str], ...] = ()  # (报, ...), (送, ...), (抄送, ...)
    staff: tuple[tuple[str, str], ...] = ()  # (编辑, names), (审核, ""), (签发, "")
    marking: str = ""  # on every page: 敏感/内部, 演练
    issued_at: datetime | None = None  # the moment dated (the .docx's created/modified)


# --- words for dates, times and numbers ------------------------------------------------------


def cn_date(moment: datetime, tz: ZoneInfo) -> str:
    """2026年11月22日: in full, Arabic numerals, no leading zeros (GB/T 9704-2012 7.3.5.3)."""
    local = moment.astimezone(tz)
    return f"{local.year}年{local.month}月{local.day}日"


def cn_time(moment: datetime, tz: ZoneInfo) -> str:
    """2026年11月22日8时30分 (8时 on the hour), as a report states a time."""
    local = moment.astimezone(tz)
    minutes = f"{local.minute}分" if local.minute else ""
    return f"{cn_date(local, tz)}{local.hour}时{minutes}"


def split_heading(issued: str) -> tuple[str, str]:
    """济南市要情专报 2026年第3期 -> (济南市要情专报, 2026年第3期); the drill mark goes to the marking."""
    from yaoqing_cli.session import DRILL_MARK as HEADING_DRILL

    issued = issued.removeprefix(HEADING_DRILL)
    header, space, issue = issued.rpartition(" ")
    return (header, issue) if space else (issued, "")


# --- the 要情专报 --------------------------------------------------------------------------------


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _stop(text: str) -> str:
    """A sentence ends with a full stop (or the mark it already ends with)."""
    return text if text[-1:] in "。！？；…”）).!?;" else text + "。"


# What a document names of a correction: every field `correct` may change but the policy, which
# is the office's business, not the reader's.
CORRECTED = {k: v for k, v in vocab.CORRECTABLE.items() if k not in ("policy", "policy_hash")}


def _corrections(data, tz: ZoneInfo) -> list[str]:
    """地点由“甲”更正为“乙”。 for each field a correction changed (the 首报 above already shows
    the corrected values: the store's item is the corrected one)."""
    old, new = data.get("from"), data.get("to")
    if not isinstance(new, Mapping):
        return []
    old = old if isinstance(old, Mapping) else {}

    def shown(key: str, value) -> str:
        if value is None or value == "":
            return "（空）"
        if key in ("occurred", "received") and isinstance(value, str):
            from yaoqing_cli.clock import from_utc_text

            try:
                return cn_time(from_utc_text(value), tz)
            except ValueError:
                return value
        if key == "kind":
            return vocab.label(vocab.KINDS, value)
        if key == "message_class":
            return vocab.label(vocab.CLASSES, value)
        if key == "sensitive":
            return "是" if value else "否"
        return str(value)

    return [
        f"{label}由“{shown(key, old.get(key))}”更正为“{shown(key, new[key])}”。"
        for key, label in CORRECTED.items()
        if key in new
    ]


def _paragraphs(text) -> list[Block]:
    """Typed text (`--text` may hold several lines) as one paragraph a line, each a sentence."""
    return [Block("p", _stop(line.strip())) for line in _text(text).splitlines() if line.strip()]


def _same_day(moment: datetime, day: datetime, tz: ZoneInfo) -> str:
    """8时20分 when on the same day as `day`, the full date otherwise."""
    if moment.astimezone(tz).date() == day.astimezone(tz).date():
        return cn_time(moment, tz).split("日", 1)[1]
    return cn_time(moment, tz)


def _closing(events: Sequence[Event]) -> Event | None:
    """The close in force: the last close not followed by a reopen (read by type name)."""
    closing = None
    for event in events:
        if event.type == vocab.EventType.CLOSE:
            closing = event
        elif event.type == "reopen":
            closing = None
    return closing


def foot_lines(policy, kind: str, level: str | None) -> tuple[tuple[str, str], ...]:
    """报：/送：/抄送： from the policy's recipients that apply to the item now: 报 the required
    reports, 送 the permissive ones (可报告, e.g. 鲁政办字〔2016〕86号 第9条), 抄送 the copies
    (云政办发〔2016〕106号 三(三)) and the routing copy."""
    groups: dict[str, list[str]] = {"报": [], "送": [], "抄送": []}
    for recipient in getattr(policy, "recipients", ()):
        if not recipient.applies(kind, level):
            continue
        if recipient.copy:
            groups["抄送"].append(recipient.who)
        elif recipient.required:
            groups["报"].append(recipient.who)
        else:
            groups["送"].append(recipient.who)
    copy_to = getattr(policy, "copy_to", None)
    if copy_to:
        groups["抄送"].append(copy_to)
    return tuple(
        (name, "，".join(dict.fromkeys(whos)) + "。") for name, whos in groups.items() if whos
    )


def build_zhuanbao(
    *,
    office,
    item: Item,
    events: Sequence[Event],
    policy,
    level: str | None,
    heading: str,
    tz: ZoneInfo,
    stage: str = "latest",
    include_sensitive: bool = False,
) -> Document:
    """The 要情专报 of `item` as issued under `heading` (its 第N期). `stage` "first" is the first
    report alone, "latest" everything so far. A sensitive item is refused unless asked for."""
    if stage not in ("first", "latest"):
        raise UsageError(
            f"无法识别的 --stage：{stage!r}；可用：first（仅首报）、latest（截至目前）"
        )
    if vocab.is_message(item.kind):
        raise OperationError(
            f"{item.id} 是网民留言，不是要情专报（云政办发〔2016〕106号 四(三)：分类转办、交办）；"
            f"用 yaoqing show {item.id} 查看"
        )
    if item.sensitive and not include_sensitive:
        raise UsageError(
            f"{item.id} 是涉密/敏感要情，须用保密方式报送（鲁政办字〔2016〕86号 第5条）；"
            "确需生成请加 --include-sensitive"
        )
    events = sorted(events, key=lambda e: (e.happened_at, e.seq))
    first = next((e for e in events if e.type == vocab.EventType.FILE), None)
    blocks: list[Block] = []
    sections = 0

    def section(title: str) -> None:
        nonlocal sections
        sections += 1
        blocks.append(Block("h1", f"{cn_number(sections)}、{title}"))

    def element(n: int, label: str, value: str) -> None:
        blocks.append(Block("p", value, lead=f"（{cn_number(n)}）{label}。"))

    section(f"首报（{cn_time(item.filed, tz)}）")
    details = item.details
    for n, (label, key) in enumerate(ELEMENTS, 1):
        if key == "occurred":
            value = f"事发{cn_time(item.occurred, tz)}，接报{_same_day(item.received, item.occurred, tz)}"
        elif key == "unit":
            value = _text(item.unit)
        else:
            value = _text(details.get(key))
        element(n, label, _stop(value) if value else MISSING)
    reported = [
        f"{label}：{_text(details.get(key))}"
        for key, label in (("informed", "已报告的领导或单位"), ("caller", "报告人"))
        if _text(details.get(key))
    ]
    if item.level or item.coordination or reported:
        more = [f"级别：{vocab.level_label(item.level)}"] if item.level else []
        if item.coordination:
            more.append("需政府办公厅协调处置")
        blocks.append(Block("p", "；".join(more + reported) + "。"))

    if stage == "latest":
        followup = 0
        for event in events:
            data = event.data
            if event.type == vocab.EventType.CONTINUE:
                followup += 1
                section(f"续报{cn_number(followup)}（{cn_time(event.happened_at, tz)}）")
                said = False
                if _text(data.get("text")):
                    blocks.extend(_paragraphs(data["text"]))
                    said = True
                for key, label in SUPPLIED_LABELS.items():
                    if _text(data.get(key)):
                        blocks.append(Block("p", _stop(_text(data[key])), lead=f"补报{label}。"))
                        said = True
                done = [vocab.label(vocab.DUTY_KEYS, k) for k in data.get("done") or ()]
                if done:
                    names = "、".join(f"“{name}”" for name in done)
                    blocks.append(Block("p", f"已完成{names}。"))
                    said = True
                if not said:
                    blocks.append(Block("p", "（无新情况）"))
            elif event.type == vocab.EventType.LEVEL:
                section(f"级别调整（{cn_time(event.happened_at, tz)}）")
                moved = (
                    f"由{vocab.level_label(data.get('from'))}调整为"
                    f"{vocab.level_label(data.get('to'))}"
                )
                reason = _text(data.get("reason"))
                blocks.append(Block("p", moved + (f"。理由：{reason}" if reason else "") + "。"))
            elif event.type == "correct":  # 更正 (issue 13), read by type name
                changes = _corrections(data, tz)
                if changes:
                    section(f"更正（{cn_time(event.happened_at, tz)}）")
                    blocks.extend(Block("p", line) for line in changes)
                    if _text(data.get("reason")):
                        blocks.append(Block("p", _stop(_text(data["reason"])), lead="理由。"))
        closing = _closing(events)
        if closing is not None:
            section(f"终报（{cn_time(closing.happened_at, tz)}）")
            outcome = vocab.label(vocab.OUTCOMES, closing.data.get("outcome"))
            blocks.append(Block("p", f"{outcome}。" if outcome else "", lead="处置结果。"))
            if _text(closing.data.get("text")):
                blocks.extend(_paragraphs(closing.data["text"]))
            if _text(closing.data.get("reason")):
                blocks.append(Block("p", _stop(_text(closing.data["reason"])), lead="说明。"))
        instructions = [e for e in events if e.type == "instruct"]
        if instructions:
            section("领导批示")
            for n, event in enumerate(instructions, 1):
                data = event.data if isinstance(event.data, Mapping) else {}
                # `instruct` keeps the leader as "leader" (`--from`); "from" read too
                who = _text(data.get("leader")) or _text(data.get("from")) or "领导同志"
                text = " ".join(_text(data.get("text")).split()) or "（批示内容未录入）"
                units = [u for u in data.get("units") or () if isinstance(u, str) and u.strip()]
                relay = f"已转{'、'.join(units)}办理。" if units else ""
                blocks.append(
                    Block(
                        "p",
                        f"{who}{cn_time(event.happened_at, tz)}批示：“{text}”{relay}",
                        lead=f"（{cn_number(n)}）",
                    )
                )

    included = [
        e
        for e in events
        if e is first
        or (
            stage == "latest"
            and e.type in (vocab.EventType.CONTINUE, vocab.EventType.LEVEL, vocab.EventType.CLOSE)
        )
    ]
    last = max((e.happened_at for e in included), default=item.filed)
    editors = "、".join(dict.fromkeys(e.officer for e in included if e.officer))
    header, issue = split_heading(heading)
    marks = [SENSITIVE_MARK] if item.sensitive else []
    if office.drill:
        marks.append(DRILL_MARK)
    if item.origin:  # 转报: this office's header, the source office's number
        title_format = getattr(policy, "title_format", None) or vocab.DEFAULT_TITLE
        header = title_format.format(short=office.short)
        issue = f"转报：{item.origin_short} {item.year}年第{item.issue_no}期"
    return Document(
        header=header,
        issue=issue,
        office=office.name,
        date=cn_date(last, tz),
        title=item.title,
        blocks=tuple(blocks),
        foot=foot_lines(policy, item.kind, level),
        staff=(("编辑", editors), ("审核", ""), ("签发", "")),
        marking="　".join(marks),
        issued_at=last,
    )
