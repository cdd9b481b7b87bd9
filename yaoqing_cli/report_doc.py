"""The duty report (report.build_report) as a document (doc.Document): the 值班日报 for a day,
the period's 通报 for a month, quarter, half year or year, laid out like the 要情专报 (tables in
the same style) by render_docx.py, or as 28-character text by render_doc.py. Pure: no I/O.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from yaoqing_cli import vocab
from yaoqing_cli.doc import DRILL_MARK, Block, Document, cn_date, cn_number, cn_time
from yaoqing_cli.models import Item
from yaoqing_cli.render_report import (
    DOWNWARD_DETAIL,
    HANDLING_NOTE,
    PERIOD_DETAIL,
    exemption_lines,
    party,
    pooled_units,
    shown_units,
)
from yaoqing_cli.report import WATCH_HOURS


def build_report_doc(report, include_sensitive: bool, anchor_line: str | None = None) -> Document:
    """The 值班日报 (a day) or the period's 通报 (month, quarter, half year, year) from the pure
    report model (report.build_report), in the same layout as the 要情专报. Sensitive items are
    concealed unless asked for, as in every other report format. `anchor_line`: the log's
    anchor as `verify` prints it (integrity.Anchor.line), closing the report as the text one."""
    office = report.office
    tz = ZoneInfo(office.tz)
    daily = report.period.is_shift  # a day or a shift: the 值班日报; longer: the 通报
    header = f"{office.short}{'值班日报' if daily else '要情报送情况通报'}"
    title = (
        f"{report.period.label}值班情况"
        if daily
        else f"关于{report.period.label}要情报送情况的通报"
    )

    def title_of(item: Item) -> str:
        return report.facts_of(item, include_sensitive).title

    messages = any(vocab.is_message(i.kind) for i in (*report.filed, *report.open))
    graded = "级别/类别" if messages else "级别"  # a message has a class, not a level

    def grade(item: Item) -> str:  # a message's class, any other item's current level
        return vocab.grade_label(item.kind, report.level(item), item.message_class)

    def when(moment: datetime | None) -> str:
        """11月22日8时40分: the year is the report's."""
        return cn_time(moment, tz).split("年", 1)[1] if moment is not None else ""

    blocks: list[Block] = [
        Block(
            "p",
            f"统计时段：{cn_time(report.period.since, tz)}至{cn_time(report.period.until, tz)}，"
            f"按{cn_time(report.judged_at, tz)}的记录计算。",
        )
    ]
    sections = 0

    def section(title: str, rows: list[tuple[str, ...]], header_row: tuple[str, ...]) -> None:
        nonlocal sections
        sections += 1
        count = f"（{len(rows)}）" if rows else "：无"
        blocks.append(Block("h1", f"{cn_number(sections)}、{title}{count}"))
        if rows:
            blocks.append(Block("table", rows=(header_row, *rows)))

    if daily:  # the day's reports one by one
        section(
            "新报要情",
            [(i.id, title_of(i), grade(i), when(i.filed)) for i in report.filed],
            ("编号", "标题", graded, "首报时间"),
        )
        section(
            "续报",
            [(i.id, title_of(i), when(e.happened_at)) for i, e in report.continued],
            ("编号", "标题", "续报时间"),
        )
        section(
            "定级变更",
            [
                (
                    i.id,
                    title_of(i),
                    f"{vocab.level_label(e.data.get('from'))}调整为{vocab.level_label(e.data.get('to'))}",
                    when(e.happened_at),
                )
                for i, e in report.level_changes
            ],
            ("编号", "标题", "级别", "时间"),
        )
        section(
            "终报",
            [
                (
                    i.id,
                    title_of(i),
                    when(e.happened_at),
                    vocab.label(vocab.OUTCOMES, e.data.get("outcome")),
                )
                for i, e in report.closed
            ],
            ("编号", "标题", "终报时间", "结果"),
        )
    else:  # a 通报 counts them and names the breaches (as the text report)
        sections += 1
        blocks.append(Block("h1", f"{cn_number(sections)}、报送总体情况"))
        blocks.append(
            Block(
                "p",
                f"新报要情{len(report.filed)}条，续报{len(report.continued)}次，"
                f"定级变更{len(report.level_changes)}次，终报{len(report.closed)}次，"
                f"补录{len(report.back_entered)}次。{PERIOD_DETAIL}。",
            )
        )
    section(
        "迟报（逾时完成）",
        [(r.item.id, r.name, when(r.deadline), when(r.met_at)) for r in report.late],
        ("编号", "时限", "应于", "完成于"),
    )
    section(
        "逾期未完成",
        [(r.item.id, r.name, when(r.deadline)) for r in report.overdue],
        ("编号", "时限", "应于"),
    )
    section(
        "时段末仍未终报",
        [(i.id, title_of(i), grade(i)) for i in report.open],
        ("编号", "标题", graded),
    )
    if daily:  # what the next shift takes over
        section(
            "补录（记录时间晚于所述时间10分钟以上）",
            [
                (i.id, _event_name(e), when(e.happened_at), when(e.recorded_at))
                for i, e in report.back_entered
            ],
            ("编号", "事件", "所述时间", "记录于"),
        )
        section(
            f"下一班须关注（{WATCH_HOURS}小时内到期）",
            [(r.item.id, r.name, when(r.deadline)) for r in report.watch],
            ("编号", "时限", "应于"),
        )
    if report.downward:  # 传与跟 (issue 14)
        for name, *content in _downward(report, include_sensitive, daily, when):
            if len(content) == 2:
                section(name, *content)
            else:  # a 通报 counts them
                sections += 1
                blocks.append(Block("h1", f"{cn_number(sections)}、{name}"))
                blocks.append(Block("p", content[0]))
    units = shown_units(report, include_sensitive)
    section(
        "各报送单位时效",
        [_unit_row(u) for u in units],
        ("单位", "要情", "应完成", "按时", "迟报", "逾期", "按时率"),
    )
    for line in exemption_lines(report):
        blocks.append(Block("p", line))
    if report.downward:
        section(
            "各承办单位按时办结率",
            [_unit_row(u) for u in pooled_units(report.handling_units, include_sensitive)],
            ("承办单位", "要情", "应办结", "按时", "逾时", "逾期", "按时办结率"),
        )
        blocks.append(Block("p", HANDLING_NOTE))
    if anchor_line:  # `verify --expect-file` reads it from the txt form
        blocks.append(Block("note", anchor_line))
    return Document(
        header=header,
        issue=report.period.label,
        office=office.name,
        date=cn_date(report.judged_at, tz),
        title=title,
        blocks=tuple(blocks),
        marking=DRILL_MARK if office.drill else "",
        issued_at=report.judged_at,
    )


def _event_name(event) -> str:
    if event.type == vocab.EventType.CONTINUE and event.data.get("n"):
        return f"续报{cn_number(event.data['n'])}"
    return vocab.EVENT_LABELS.get(event.type, event.type)


def _downward(report, include_sensitive: bool, daily: bool, when) -> list[tuple]:
    """The 传与跟 sections, as (title, rows, header row) or (title, paragraph) for a count:
    each assignment and feedback of a day (counted in a 通报), and the downward clocks met late
    or overdue, named one by one. On a sensitive item no unit or task is named."""

    def named(item: Item, name: str | None) -> str:
        return party(item, name, include_sensitive) or ""

    def clock(r, *more: str) -> tuple[str, ...]:
        c = r.clock
        owes = "本单位→" if c.role in ("relay", "supervised") else ""
        role = vocab.CHASE_ROLES.get(c.role, c.role)
        return (r.item.id, role, f"{owes}{named(r.item, c.unit)}", *more)

    def said(r) -> str:
        if not r.event.data.get("done"):
            return "反馈"
        return "办结（逾时）" if r.state == vocab.DutyState.LATE else "办结"

    if daily:
        made = [
            (
                "转办",
                [
                    (r.item.id, named(r.item, r.clock.unit), named(r.item, r.clock.task),
                     when(r.clock.deadline))
                    for r in report.assigned
                ],
                ("编号", "承办单位", "交办事项", "时限"),
            ),
            (
                "承办单位反馈",
                [
                    (r.item.id, named(r.item, r.event.data.get("from")),
                     when(r.event.happened_at), said(r))
                    for r in report.feedback
                ],
                ("编号", "单位", "时间", "反馈或办结"),
            ),
        ]  # fmt: skip
    else:
        finished = sum(bool(r.event.data.get("done")) for r in report.feedback)
        made = [
            (
                "转办与反馈总体情况",
                f"转办{len(report.assigned)}项，承办单位反馈{len(report.feedback)}次"
                f"（其中办结{finished}次）。{DOWNWARD_DETAIL}。",
            )
        ]
    return [
        *made,
        (
            "转办、批示、督办逾时完成",
            [clock(r, when(r.clock.deadline), when(r.clock.met_at)) for r in report.chase_late],
            ("编号", "时限", "单位", "应于", "完成于"),
        ),
        (
            "转办、批示、督办逾期未完成",
            [clock(r, when(r.clock.deadline)) for r in report.chase_overdue],
            ("编号", "时限", "单位", "应于"),
        ),
        *(
            [
                (
                    f"下一班须催办（{WATCH_HOURS}小时内到期）",
                    [clock(r, when(r.clock.deadline)) for r in report.chase_watch],
                    ("编号", "时限", "单位", "应于"),
                )
            ]
            if daily
            else []
        ),
    ]


def _unit_row(u) -> tuple[str, ...]:
    """A unit's figures as a table row: 单位、要情、应完成、按时、迟报、逾期、按时率."""
    rate = "—" if u.rate is None else f"{u.rate * 100:.1f}%"
    return (u.unit, str(u.items), str(u.due), str(u.on_time), str(u.late), str(u.overdue), rate)
