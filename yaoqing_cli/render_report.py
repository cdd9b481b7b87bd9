"""The duty report (report.Report) as text, Markdown, JSON and CSV. Each format conceals what
sensitive items say unless asked (--include-sensitive), while the counts per unit still include
them.
"""

import csv
import io
import json
from zoneinfo import ZoneInfo

from yaoqing_cli import vocab
from yaoqing_cli.clock import deadline_text, iso_local, local_text
from yaoqing_cli.errors import UsageError
from yaoqing_cli.facts import MASK, Facts, hidden
from yaoqing_cli.models import Event, Item
from yaoqing_cli.report import WATCH_HOURS, ChaseRef, DutyRef, FeedbackRef, Report, UnitFigures


def _title(item: Item, include_sensitive: bool) -> str:
    return MASK if hidden(item, include_sensitive) else item.title


def _text_of(item: Item, text: str | None, include_sensitive: bool) -> str | None:
    if hidden(item, include_sensitive):
        return MASK if text else None
    return text


HIDDEN_UNITS = "（涉密/敏感要情的单位，不显示）"


def shown_units(report: Report, include_sensitive: bool) -> list[UnitFigures]:
    """The per-unit rows an output may show: a unit named only by sensitive items is not
    named; its counts go to one row of their own (counts per unit may include sensitive
    items, as long as no row tells whose they are)."""
    return pooled_units(report.units, include_sensitive)


def pooled_units(units: list[UnitFigures], include_sensitive: bool) -> list[UnitFigures]:
    """Units named only by sensitive items pooled into one row (reporting or handling units)."""
    if include_sensitive or not any(u.sensitive_only for u in units):
        return units
    pooled = UnitFigures(HIDDEN_UNITS)
    shown = []
    for u in units:
        if not u.sensitive_only:
            shown.append(u)
            continue
        pooled.items += u.items
        pooled.due += u.due
        pooled.on_time += u.on_time
        pooled.late += u.late
        pooled.overdue += u.overdue
    return sorted([*shown, pooled], key=lambda u: (-(u.rate or 0), u.unit))


def exemption_lines(report: Report) -> list[str]:
    """The exemption footnote, one per document of the period's policies that excuses some
    failures (鲁政办字〔2016〕86号 第18条 for Shandong items); none if no policy has one."""
    lines = []
    for source in report.exemption_sources:
        document, _, words = source.partition("：")
        quoted = f"：“{words}”" if words else ""
        lines.append(f"（不予追责的情形不计入，依据{document}{quoted}）")
    return lines


def heading(report: Report) -> str:
    # a day or a shift (08:00 to 08:00) is the 值班日报; a month, half year or year is the 通报
    # of reporting timeliness (鲁政办字〔2016〕86号 第17条 每半年通报工作情况)
    kind = "值班日报" if report.period.is_shift else "要情报送情况通报"
    drill = "【演练】" if report.office.drill else ""  # a drill log says so on every heading
    return f"{drill}{report.office.short}{kind}（{report.period.label}）"


def _rate(figures: UnitFigures) -> str:
    return "—" if figures.rate is None else f"{figures.rate * 100:.1f}%"


def _bar(figures: UnitFigures, width: int = 20) -> str:
    if figures.rate is None:
        return ""
    filled = round(figures.rate * width)
    return "█" * filled + "░" * (width - filled)


def unit_json(u: UnitFigures) -> dict:
    """A unit's timeliness figures (reporting or handling unit) as --json gives them."""
    return {
        "unit": u.unit,
        "items": u.items,
        "due": u.due,
        "on_time": u.on_time,
        "late": u.late,
        "overdue": u.overdue,
        "on_time_rate": None if u.rate is None else round(u.rate, 4),
    }


def to_json(report: Report, include_sensitive: bool) -> dict:
    from yaoqing_cli.render import forwarded_heading

    tz = ZoneInfo(report.office.tz)

    refs: dict[str, dict] = {}  # an item is named in several sections: worked out once

    def item_ref(item: Item) -> dict:
        ref = refs.get(item.id)
        if ref is None:
            ref = refs[item.id] = new_ref(item)
        return ref

    def new_ref(item: Item) -> dict:
        facts = report.facts_of(item, include_sensitive)
        return {
            "id": item.id,
            "title": facts.title,
            "kind": item.kind,
            "level": report.level(item),
            "level_at_filing": item.level,
            "message_class": item.message_class,
            "unit": facts.unit,
            "sensitive": item.sensitive,
            "filed": iso_local(item.filed, tz),
            "forwarded": forwarded_heading(item),
        }

    def duty_ref(ref: DutyRef) -> dict:
        return {
            "id": ref.item.id,
            "title": _title(ref.item, include_sensitive),
            "duty": ref.key,
            "duty_name": ref.name,
            "deadline": iso_local(ref.deadline, tz),
            "met_at": iso_local(ref.met_at, tz),
            "state": ref.state,
            "back_entered": ref.back_entered,
        }

    def event_ref(pair) -> dict:
        item, event = pair
        return {
            **item_ref(item),
            "at": iso_local(event.happened_at, tz),
            "text": _text_of(item, event.data.get("text"), include_sensitive),
            "outcome": event.data.get("outcome"),
            "reason": _text_of(item, event.data.get("reason"), include_sensitive),
        }

    def change_ref(pair) -> dict:
        item, event = pair
        return {
            **item_ref(item),
            "at": iso_local(event.happened_at, tz),
            "recorded_at": iso_local(event.recorded_at, tz),
            "from_level": event.data.get("from"),
            "to_level": event.data.get("to"),
            "reason": _text_of(item, event.data.get("reason"), include_sensitive),
        }

    def correction_ref(entry) -> dict:
        item, event, moved = entry
        return {
            **item_ref(item),
            "at": iso_local(event.happened_at, tz),
            "fields": [k for k in (event.data.get("to") or {}) if k != "policy_hash"],
            "reason": _text_of(item, event.data.get("reason"), include_sensitive),
            "moved": [
                {
                    "duty": m.key,
                    "duty_name": m.name,
                    "old_deadline": iso_local(m.change.old_deadline, tz),
                    "new_deadline": iso_local(m.change.new_deadline, tz),
                    "held": m.held,
                    "spared": m.spared,
                }
                for m in moved
            ],
        }

    def reopen_ref(pair) -> dict:
        item, event = pair
        return {
            **item_ref(item),
            "at": iso_local(event.happened_at, tz),
            "reason": _text_of(item, event.data.get("reason"), include_sensitive),
        }

    def back_ref(pair) -> dict:
        item, event = pair
        return {
            **item_ref(item),
            "type": event.type,
            "at": iso_local(event.happened_at, tz),
            "recorded_at": iso_local(event.recorded_at, tz),
        }

    def told_ref(pair) -> dict:
        item, event = pair
        return {
            **item_ref(item),
            "at": iso_local(event.happened_at, tz),
            "who": event.data.get("who"),
            "by": event.data.get("by"),
            "officer": event.officer,
            "text": _text_of(item, event.data.get("text"), include_sensitive),
        }

    def shift_ref(event: Event) -> dict:
        return {
            "at": iso_local(event.happened_at, tz),
            "from": event.data.get("from"),
            "to": event.data.get("to"),
            "open": len(event.data.get("items") or ()),
        }

    return {
        "office": report.office.name,
        "short": report.office.short,
        "heading": heading(report),
        "drill": report.office.drill,
        "period": {
            "since": iso_local(report.period.since, tz),
            "until": iso_local(report.period.until, tz),
            "label": report.period.label,
        },
        "judged_at": iso_local(report.judged_at, tz),
        "filed": [{**item_ref(i), "heading": report.headings[i.id]} for i in report.filed],
        "continued": [event_ref(p) for p in report.continued],
        "level_changes": [change_ref(p) for p in report.level_changes],
        "closed": [event_ref(p) for p in report.closed],
        "corrections": [correction_ref(c) for c in report.corrections],
        "reopened": [reopen_ref(p) for p in report.reopened],
        "open": [item_ref(i) for i in report.open],
        "late": [duty_ref(r) for r in report.late],
        "overdue": [duty_ref(r) for r in report.overdue],
        "watch": [duty_ref(r) for r in report.watch],
        "back_entered": [back_ref(p) for p in report.back_entered],
        "told": [told_ref(p) for p in report.told],
        "shifts": [shift_ref(e) for e in report.shifts],
        "by_level": dict(report.by_level),
        "by_kind": dict(report.by_kind),
        "by_class": dict(report.by_class),
        "units": [unit_json(u) for u in shown_units(report, include_sensitive)],
        "exemption_sources": list(report.exemption_sources),
        **downward_json(report, include_sensitive, tz),
        "calendar_fallback": report.calendar_fallback,
        "anchor": None
        if report.anchor is None
        else {"events": report.anchor[0], "head": report.anchor[1]},
    }


def _one_line(text: str) -> str:
    return " ".join(text.split("\n"))


def statement(item: Item, event: Event, include_sensitive: bool) -> str:
    """What a follow-up or a final report said, on one line: the clocks it met, the fields it
    supplied with their new values, its text; for a sensitive item the names of what it
    supplied and the mask instead of any words."""
    data = event.data
    masked = hidden(item, include_sensitive)
    parts = []
    if data.get("done"):
        parts.append("完成：" + "、".join(vocab.label(vocab.DUTY_KEYS, k) for k in data["done"]))
    supplied = [
        (short, data[key]) for key, (_, short) in vocab.DETAILS.items() if short and data.get(key)
    ]
    if supplied and masked:
        parts.append("补报：" + "、".join(short for short, _ in supplied))
    elif supplied:
        parts.extend(f"{short}：{_one_line(str(value))}" for short, value in supplied)
    text = _text_of(item, data.get("text"), include_sensitive)
    if text:
        parts.append(_one_line(text))
    return "；".join(parts)


PERIOD_DETAIL = "逐条的首报、续报、终报和补录见各日的值班日报，或本命令加 --json、--format csv"


def to_text(report: Report, include_sensitive: bool, markdown: bool = False) -> str:
    from yaoqing_cli.clock import span_text
    from yaoqing_cli.render import event_label, forwarded_heading, moved_deadline

    tz = ZoneInfo(report.office.tz)
    out: list[str] = []
    h1, h2, bullet = ("# ", "## ", "- ") if markdown else ("", "", "  ")

    def section(title: str, lines: list[str]) -> None:
        out.append("")
        out.append(f"{h2}{title}（{len(lines)}）" if lines else f"{h2}{title}：无")
        out.extend(f"{bullet}{line}" for line in lines)

    out.append(f"{h1}{heading(report)}")
    out.append("")
    if report.office.drill:
        out.append("【演练】本日志为演练日志（init --drill），所记要情不是真实报送")
        if markdown:  # its own paragraph, not run into the next line
            out.append("")
    out.append(
        f"统计时段：{local_text(report.period.since, tz)} 至 {local_text(report.period.until, tz)}"
        f"（按 {local_text(report.judged_at, tz)} 的记录计算）"
    )

    def who(item: Item) -> str:
        # the level the item has at the period's end, not the one it was filed with
        level = vocab.grade_label(item.kind, report.level(item), item.message_class)
        forwarded = f"〔{forwarded_heading(item)}〕" if item.origin else ""
        return f"{item.id}{forwarded} {_title(item, include_sensitive)}（{level}）"

    def due(deadline) -> str:  # 10月29日24时, as offices write a deadline (clock.deadline_text)
        return deadline_text(deadline, tz, report.judged_at)

    def back(flag: bool) -> str:
        return "（补录）" if flag else ""

    def change(item: Item, event: Event) -> str:
        data = event.data
        moved = f"{vocab.level_label(data.get('from'))} → {vocab.level_label(data.get('to'))}"
        reason = _text_of(item, data.get("reason"), include_sensitive)
        return f"{who(item)} {local_text(event.happened_at, tz)} {moved}" + (
            f"（{reason}）" if reason else ""
        )

    def said(item: Item, event: Event) -> str:
        words = statement(item, event, include_sensitive)
        return f"：{words}" if words else ""

    def closed(item: Item, event: Event) -> str:
        line = (
            f"{who(item)} {local_text(event.happened_at, tz)} "
            f"{vocab.label(vocab.OUTCOMES, event.data.get('outcome'))}"
        )
        reason = _text_of(item, event.data.get("reason"), include_sensitive)
        if event.data.get("outcome") == vocab.VOID:
            line += "（误录，编号保留，不计时效）"
        return line + (f"（理由：{reason}）" if reason else "") + said(item, event)

    def corrected(item: Item, event: Event, moved) -> str:
        fields = "、".join(
            vocab.CORRECTABLE.get(k, k) for k in (event.data.get("to") or {}) if k != "policy_hash"
        )
        reason = _text_of(item, event.data.get("reason"), include_sensitive)
        line = f"{who(item)} {local_text(event.happened_at, tz)} 更正{fields}（{reason}）"
        parts = [f"{m.name}时限 {moved_deadline(m, tz, report.judged_at, sep='，')}" for m in moved]
        return line + ("；" + "；".join(parts) if parts else "；时限未变")

    if report.period.is_shift:
        section(
            "新报要情",
            [
                f"{who(i)} 首报 {local_text(i.filed, tz)}  {report.headings[i.id]}"
                for i in report.filed
            ],
        )
        section(
            "续报",
            [
                f"{who(i)} {event_label(e, e.data.get('n'))} {local_text(e.happened_at, tz)}"
                f"{said(i, e)}"
                for i, e in report.continued
            ],
        )
        section("定级变更", [change(i, e) for i, e in report.level_changes])
        section("终报", [closed(i, e) for i, e in report.closed])
        section(
            "重新打开",
            [
                f"{who(i)} {local_text(e.happened_at, tz)}（{_text_of(i, e.data.get('reason'), include_sensitive)}）"
                for i, e in report.reopened
            ],
        )
    else:
        # A 通报 of a month or a year counts the reports and names the breaches; each report
        # of the period is in the day reports, --json and --format csv.
        out.append("")
        out.append(f"{h2}报送总体情况")
        out.append(
            f"{bullet}新报要情 {len(report.filed)} 条，续报 {len(report.continued)} 次，"
            f"定级变更 {len(report.level_changes)} 次，终报 {len(report.closed)} 次，"
            f"补录 {len(report.back_entered)} 次"
        )
        out.append(f"{bullet}{PERIOD_DETAIL}")
    section("更正", [corrected(i, e, m) for i, e, m in report.corrections])

    def clock(r: DutyRef) -> str:
        return f"{r.item.id} {_title(r.item, include_sensitive)} {r.name}"

    section(
        "迟报与逾时完成",
        [
            f"{clock(r)}：{vocab.late_label(r.key)}，时限 {due(r.deadline)}，"
            f"{local_text(r.met_at, tz)} 完成（晚 {span_text(r.met_at - r.deadline)}）"
            f"{back(r.back_entered)}"
            for r in report.late
        ],
    )
    section(
        "逾期未完成",
        [
            f"{clock(r)}：时限 {due(r.deadline)}，已逾期 {span_text(report.judged_at - r.deadline)}"
            for r in report.overdue
        ],
    )
    if report.period.is_shift:  # the day's acts; a 通报 of months lists them in JSON only
        section(
            "补录（记录时间晚于所述时间10分钟以上）",
            [
                f"{i.id} {event_label(e, e.data.get('n'))}：所述时间 {local_text(e.happened_at, tz)}，"
                f"记录于 {local_text(e.recorded_at, tz)}"
                for i, e in report.back_entered
            ],
        )
        told: dict[str, tuple[Item, list[str]]] = {}  # per item, in the order first told
        for i, e in report.told:
            told.setdefault(i.id, (i, []))[1].append(
                f"{local_text(e.happened_at, tz)[5:]} {e.data.get('who')}"
                + (f"（{e.data['by']}）" if e.data.get("by") else "")
                + (f" 值班员 {e.officer}" if e.officer else "")
            )
        section("已报告（谁于何时获报）", [f"{who(i)}：{'；'.join(t)}" for i, t in told.values()])
        section(
            "交接班",
            [
                f"{local_text(e.happened_at, tz)} {e.data.get('from')} → {e.data.get('to')}"
                f"（交接未终报要情 {len(e.data.get('items') or ())} 条）"
                for e in report.shifts
            ],
        )
    section("时段末仍未终报", [who(i) for i in report.open])
    if report.period.is_shift:  # the handover: a 通报 of a month or a half year hands nothing over
        section(
            f"下一班须关注（{WATCH_HOURS}小时内到期）",
            [f"{clock(r)}：{due(r.deadline)}前" for r in report.watch],
        )
    if report.downward:
        for title, lines in downward_sections(report, include_sensitive, tz):
            if title is None:  # a 通报: counts, not each line
                out.extend(["", f"{h2}转办与反馈总体情况", *(f"{bullet}{x}" for x in lines)])
            else:
                section(title, lines)
    counts = "、".join(
        f"{vocab.level_label(k) if k != 'unknown' else '未定级'} {n}"
        for k, n in sorted(report.by_level.items())
    )
    kinds = "、".join(
        f"{vocab.label(vocab.KINDS, k)} {n}" for k, n in sorted(report.by_kind.items())
    )
    classes = "、".join(
        f"{vocab.grade_label('message', None, k if k != 'unknown' else None)} {n}"
        for k, n in sorted(report.by_class.items())
    )
    out.append("")
    out.append(f"{h2}分类统计（按时段末的级别）")
    out.append(f"{bullet}按级别：{counts or '无'}")
    if classes:  # messages have a class, not a level
        out.append(f"{bullet}网民留言按类别：{classes}")
    out.append(f"{bullet}按类型：{kinds or '无'}")
    out.append("")
    out.append(f"{h2}各报送单位时效")
    units = shown_units(report, include_sensitive)
    out += unit_table(units, REPORTING_COLUMNS, markdown, bullet)
    if units and markdown and report.exemption_sources:
        out.append("")  # the table ends before the footnote list
    out.extend(f"{bullet}{line}" for line in exemption_lines(report))
    if report.downward:
        out.extend(handling_lines(report, include_sensitive, markdown))
    if report.calendar_fallback:
        from yaoqing_cli.render import FALLBACK_WARNING

        out.append("")
        out.append(FALLBACK_WARNING)
    if report.anchor is not None:  # `yaoqing verify --expect-file` finds this line again
        from yaoqing_cli.integrity import Anchor

        out.append("")
        out.append(Anchor(*report.anchor).line())
    return "\n".join(out) + "\n"


CSV_COLUMNS = [
    "section",
    "id",
    "title",
    "kind",
    "level",
    "unit",
    "duty",
    "deadline",
    "met_at",
    "at",
    "text",
    "state",
    "items",
    "due",
    "on_time",
    "late",
    "overdue",
    "on_time_rate",
    "from_level",
    "to_level",
    "recorded_at",
    "back_entered",
    "task",  # 传与跟 (issue 14): what a handling unit was asked, whose instruction, 办结
    "leader",
    "done",
]
# The headers a spreadsheet user reads (the default); `report --format csv --keys` keeps the
# English keys above, and every value as in JSON.
CSV_HEADERS = {
    "section": "栏目",
    "id": "编号",
    "title": "标题",
    "kind": "类型",
    "level": "级别或类别",
    "unit": "单位",  # the reporting unit, or (传与跟) the handling unit
    "duty": "时限",
    "deadline": "截止时间",
    "met_at": "完成时间",
    "at": "时间",
    "text": "内容",
    "state": "状态",
    "items": "要情数",
    "due": "应完成时限数",
    "on_time": "按时",
    "late": "迟报或逾时",
    "overdue": "逾期",
    "on_time_rate": "按时率",
    "from_level": "原级别",
    "to_level": "新级别",
    "recorded_at": "记录时间",
    "back_entered": "补录",
    "task": "交办事项",
    "leader": "批示领导",
    "done": "办结",
}
CSV_SECTIONS = {
    "filed": "新报要情",
    "continued": "续报",
    "level_changes": "定级变更",
    "closed": "终报",
    "open": "时段末仍未终报",
    "late": "迟报与逾时完成",
    "overdue": "逾期未完成",
    "watch": "下一班须关注",
    "back_entered": "补录",
    "corrections": "更正",
    "reopened": "重新打开",
    "unit": "各报送单位时效",
    # 传与跟 (issue 14)
    "assigned": "转办",
    "feedback": "承办单位反馈",
    "chase_late": "转办、批示、督办逾时完成",
    "chase_overdue": "转办、批示、督办逾期未完成",
    "chase_watch": "下一班须催办",
    "handling_unit": "各承办单位按时办结率",
}
_UNIT_ROWS = ("unit", "handling_unit")  # rows of figures, after the entries
_CSV_TIMES = ("deadline", "met_at", "at", "recorded_at")


def _chinese_row(row: dict, tz: ZoneInfo) -> dict:
    """One CSV row as people read it: labels for keys, local times without the offset (a
    spreadsheet reads 2026-11-22 08:00 as a time), 是/否, the rate as a percentage."""
    from datetime import datetime

    out = dict(row)
    out["section"] = CSV_SECTIONS[row["section"]]
    if row.get("kind"):
        out["kind"] = vocab.label(vocab.KINDS, row["kind"])
    if "level" in row:
        out["level"] = (
            vocab.grade_label(row.get("kind"), row["level"], row.get("message_class"))
            if row.get("kind")
            else None
        )
    for key in ("from_level", "to_level"):
        if key in row:
            out[key] = vocab.level_label(row[key])
    if row.get("duty"):
        out["duty"] = row.get("duty_name") or row["duty"]
    if row.get("state"):
        out["state"] = vocab.state_label(row["state"], row.get("duty"))
    for key in _CSV_TIMES:
        if row.get(key):
            out[key] = local_text(datetime.fromisoformat(row[key]), tz)
    for key in ("back_entered", "done"):
        if key in row:
            out[key] = "是" if row[key] else "否"
    if row.get("on_time_rate") is not None:
        out["on_time_rate"] = f"{row['on_time_rate'] * 100:.1f}%"
    return out


def to_csv(report: Report, include_sensitive: bool, keys: bool = False) -> str:
    """The report's entries as CSV, with a BOM (Excel and WPS then read it as UTF-8): Chinese
    headers and labels by default, the JSON keys and values with `keys`."""
    from datetime import datetime

    data = to_json(report, include_sensitive)
    tz = ZoneInfo(report.office.tz)
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n"
    )
    if keys:
        writer.writeheader()
    else:
        writer.writerow(CSV_HEADERS)
    rows = [
        {"section": section, **row}
        for section in CSV_SECTIONS
        if section not in (*_UNIT_ROWS, "corrections", "reopened")
        for row in data[section]
    ]
    for entry in data["corrections"]:  # one row per deadline moved (更正), or one if none
        base = {k: v for k, v in entry.items() if k not in ("moved", "reason")}
        why = entry["reason"] or ""
        for moved in entry["moved"] or [None]:
            if moved is None:
                rows.append({"section": "corrections", **base, "text": f"{why}；时限未变"})
                continue
            old = moved["old_deadline"]
            was = local_text(datetime.fromisoformat(old), tz) if old else "（无）"
            kept = "；更正前已逾期，逾期保留" if moved["held"] else ""
            kept += "；终报后更正，不追溯为逾期" if moved["spared"] else ""
            rows.append(
                {
                    "section": "corrections",
                    **base,
                    "duty": moved["duty"],
                    "duty_name": moved["duty_name"],
                    "deadline": moved["new_deadline"],
                    "text": f"{why}；原时限 {was}{kept}",
                }
            )
    rows.extend({"section": "reopened", **r, "text": r["reason"]} for r in data["reopened"])
    rows.extend({"section": "unit", **unit} for unit in data["units"])
    rows.extend({"section": "handling_unit", **unit} for unit in data["handling_units"])
    for row in rows:
        writer.writerow(_inert(row if keys else _chinese_row(row, tz)))
    return "\ufeff" + buffer.getvalue()  # the BOM tells Excel and WPS the text is UTF-8


def _inert(row: dict) -> dict:
    """A spreadsheet runs a cell that starts with = + - @ (or a tab or CR before one) as a
    formula: =HYPERLINK(...) in a title would. A leading ' keeps it text (OWASP CSV injection)."""
    return {
        key: "'" + value if isinstance(value, str) and value[:1] in "=+-@\t\r" and value else value
        for key, value in row.items()
    }


# `&` too: a viewer decodes `&#x202E;` into the bidi override input refuses; `~`: GFM's ~~strike~~
_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#&~"})


def markdown_text(text: str | None) -> str | None:
    """Text from the log as inert Markdown: one line (a newline could start a fake "## 逾期未完成：无"
    section), and every character that could start a heading, a table cell, a link, emphasis,
    strikethrough, HTML or a character reference escaped."""
    if text is None:
        return None
    return " ".join(text.splitlines()).translate(_MARKDOWN_SPECIAL)


def _for_markdown(report: Report) -> Report:
    """The report with every text that came from the log (titles, IDs, units, names, texts,
    the policy's own names) made inert, before it is laid out as Markdown."""
    from dataclasses import replace

    md = markdown_text
    items: dict[int, Item] = {}

    def item(i: Item) -> Item:
        if id(i) not in items:
            items[id(i)] = i._replace(
                id=md(i.id),
                title=md(i.title),
                unit=md(i.unit),
                category=md(i.category),
                policy=md(i.policy),
                details={k: md(v) if isinstance(v, str) else v for k, v in i.details.items()},
            )
        return items[id(i)]

    def event(e: Event) -> Event:
        data = {k: md(v) if isinstance(v, str) else v for k, v in e.data.items()}
        return e._replace(item_id=md(e.item_id), data=data, officer=md(e.officer))

    def duty(r: DutyRef) -> DutyRef:
        return replace(r, item=item(r.item), name=md(r.name))

    def chase(r: ChaseRef) -> ChaseRef:
        c = r.clock
        clock = c._replace(unit=md(c.unit), task=md(c.task), name=md(c.name), leader=md(c.leader))
        return replace(r, item=item(r.item), clock=clock)

    def facts(f: Facts) -> Facts:
        return f._replace(
            title=md(f.title),
            unit=md(f.unit),
            details={k: md(v) for k, v in f.details.items()},
            original={k: md(v) for k, v in f.original.items()},
        )

    return replace(
        report,
        office=report.office._replace(name=md(report.office.name), short=md(report.office.short)),
        filed=[item(i) for i in report.filed],
        continued=[(item(i), event(e)) for i, e in report.continued],
        closed=[(item(i), event(e)) for i, e in report.closed],
        level_changes=[(item(i), event(e)) for i, e in report.level_changes],
        corrections=[(item(i), event(e), m) for i, e, m in report.corrections],
        reopened=[(item(i), event(e)) for i, e in report.reopened],
        back_entered=[(item(i), event(e)) for i, e in report.back_entered],
        told=[(item(i), event(e)) for i, e in report.told],
        shifts=[event(e) for e in report.shifts],
        facts={md(item_id): facts(f) for item_id, f in report.facts.items()},  # keyed by the
        levels={md(item_id): lv for item_id, lv in report.levels.items()},  # items' escaped IDs
        exemption_sources=[md(line) for line in report.exemption_sources],
        open=[item(i) for i in report.open],
        late=[duty(r) for r in report.late],
        overdue=[duty(r) for r in report.overdue],
        watch=[duty(r) for r in report.watch],
        units=[replace(u, unit=md(u.unit)) for u in report.units],
        assigned=[chase(r) for r in report.assigned],
        feedback=[replace(r, item=item(r.item), event=event(r.event)) for r in report.feedback],
        chase_late=[chase(r) for r in report.chase_late],
        chase_overdue=[chase(r) for r in report.chase_overdue],
        chase_watch=[chase(r) for r in report.chase_watch],
        handling_units=[replace(u, unit=md(u.unit)) for u in report.handling_units],
    )


def render(report: Report, fmt: str, include_sensitive: bool, keys: bool = False) -> str:
    if keys and fmt != "csv":
        raise UsageError("--keys 只用于 --format csv（表头和取值用英文键）")
    if fmt == "json":
        return json.dumps(to_json(report, include_sensitive), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return to_csv(report, include_sensitive, keys)
    if fmt in ("markdown", "md"):
        return to_text(_for_markdown(report), include_sensitive, markdown=True)
    if fmt == "text":
        return to_text(report, include_sensitive)
    raise UsageError(f"不支持的格式：{fmt!r}；可用：text、markdown、json、csv")


# --- 传与跟 (issue 14): assignments, feedback, downward clocks, handling units --------------------

HANDLING_NOTE = (
    "（每项转办计入其办结或到期所在的时段：按时办结的计入办结时，逾时或逾期的计入到期时；"
    "终报时尚未到期的免于考核）"
)


def party(item: Item, unit: str | None, include_sensitive: bool) -> str | None:
    """A unit, leader or office named by a downward clock: masked on a sensitive item."""
    return _text_of(item, unit, include_sensitive)


def downward_json(report: Report, include_sensitive: bool, tz: ZoneInfo) -> dict:
    """The report's 传与跟 keys (README: report --format json)."""

    def clock_ref(r: ChaseRef) -> dict:
        c = r.clock
        return {
            "id": r.item.id,
            "title": _title(r.item, include_sensitive),
            "duty": c.role,
            "duty_name": c.name,
            "unit": party(r.item, c.unit, include_sensitive),
            "task": _text_of(r.item, c.task, include_sensitive),
            "leader": party(r.item, c.leader, include_sensitive),
            "at": iso_local(c.start, tz),
            "deadline": iso_local(c.deadline, tz),
            "met_at": iso_local(c.met_at, tz),
            "state": c.state,
            "extended": c.extended,
            "back_entered": c.back_entered,
        }

    def feedback_ref(r: FeedbackRef) -> dict:
        from yaoqing_cli.engine import back_entered

        data = r.event.data
        return {
            "id": r.item.id,
            "title": _title(r.item, include_sensitive),
            "unit": party(r.item, data.get("from"), include_sensitive),
            "at": iso_local(r.event.happened_at, tz),
            "text": _text_of(r.item, data.get("text"), include_sensitive),
            "done": bool(data.get("done")),
            "state": r.state,
            "back_entered": back_entered(r.event),
        }

    return {
        "assigned": [clock_ref(r) for r in report.assigned],
        "feedback": [feedback_ref(r) for r in report.feedback],
        "chase_late": [clock_ref(r) for r in report.chase_late],
        "chase_overdue": [clock_ref(r) for r in report.chase_overdue],
        "chase_watch": [clock_ref(r) for r in report.chase_watch],
        "handling_units": [
            unit_json(u) for u in pooled_units(report.handling_units, include_sensitive)
        ],
    }


DOWNWARD_DETAIL = "逐条的转办和反馈见各日的值班日报，或本命令加 --json、--format csv"


def downward_sections(
    report: Report, include_sensitive: bool, tz: ZoneInfo
) -> list[tuple[str | None, list[str]]]:
    """The 传与跟 sections of the text and Markdown report: (title, lines). A day report lists
    each assignment and feedback; a 通报 of a longer period counts them (title None)."""
    from yaoqing_cli.clock import span_text
    from yaoqing_cli.engine import back_entered

    def due(deadline) -> str:  # 10月29日24时, as the reporting clocks (clock.deadline_text)
        return deadline_text(deadline, tz, report.judged_at)

    def head(r) -> str:
        return f"{r.item.id} {_title(r.item, include_sensitive)}"

    def clock(r: ChaseRef) -> str:
        c = r.clock
        unit = party(r.item, c.unit, include_sensitive)
        owes = "本单位→" if c.role in ("relay", "supervised") else ""
        return f"{head(r)} {vocab.CHASE_ROLES.get(c.role, c.role)} {owes}{unit}"

    def assigned(r: ChaseRef) -> str:
        task = _text_of(r.item, r.clock.task, include_sensitive)
        unit = party(r.item, r.clock.unit, include_sensitive)
        return (
            f"{head(r)} → {unit}{f'（{task}）' if task else ''}：{local_text(r.clock.start, tz)} 转办，"
            f"时限 {due(r.clock.deadline)}"
        )

    def fed_back(r: FeedbackRef) -> str:
        data = r.event.data
        unit = party(r.item, data.get("from"), include_sensitive)
        kind = "反馈"
        if data.get("done"):
            kind = "办结（逾时）" if r.state == vocab.DutyState.LATE else "办结"
        text = _text_of(r.item, data.get("text"), include_sensitive)
        back = "（补录）" if back_entered(r.event) else ""
        return f"{head(r)} {unit} {local_text(r.event.happened_at, tz)} {kind}{back}：{text or ''}"

    def late(r: ChaseRef) -> str:
        c = r.clock
        return (
            f"{clock(r)}：{vocab.late_label(c.role)}，时限 {due(c.deadline)}，"
            f"{local_text(c.met_at, tz)} 完成"
            f"（晚 {span_text(c.met_at - c.deadline)}）{'（补录）' if c.back_entered else ''}"
        )

    def overdue(r: ChaseRef) -> str:
        c = r.clock
        return (
            f"{clock(r)}：时限 {due(c.deadline)}，已逾期 {span_text(report.judged_at - c.deadline)}"
        )

    if report.period.is_shift:
        made = [
            ("转办", [assigned(r) for r in report.assigned]),
            ("承办单位反馈", [fed_back(r) for r in report.feedback]),
        ]
    else:  # a 通报 of a month or a year counts them and names the breaches, as for reports
        finished = sum(bool(r.event.data.get("done")) for r in report.feedback)
        made = [
            (
                None,
                [
                    f"转办 {len(report.assigned)} 项，承办单位反馈 {len(report.feedback)} 次"
                    f"（其中办结 {finished} 次）",
                    DOWNWARD_DETAIL,
                ],
            )
        ]
    return [
        *made,
        ("转办、批示、督办逾时完成", [late(r) for r in report.chase_late]),
        ("转办、批示、督办逾期未完成", [overdue(r) for r in report.chase_overdue]),
        *(
            [
                (
                    f"下一班须催办（{WATCH_HOURS}小时内到期）",
                    [f"{clock(r)}：{due(r.clock.deadline)}前" for r in report.chase_watch],
                )
            ]
            if report.period.is_shift
            else []
        ),
    ]


REPORTING_COLUMNS = ("单位", "要情", "应完成时限", "按时", "迟报或逾时", "逾期", "按时率")
HANDLING_COLUMNS = (
    "承办单位",
    "要情",
    "应办结",
    "按时办结",
    "逾时办结",
    "逾期未办结",
    "按时办结率",
)


def unit_table(units, columns: tuple[str, ...], markdown: bool, bullet: str) -> list[str]:
    """Units' timeliness figures (reporting or handling units) as a Markdown table or one line
    each, in the words of `columns`."""
    if not units:
        return [f"{bullet}无"]
    if markdown:
        out = ["", "| " + " | ".join(columns) + " | |", "|---|---:|---:|---:|---:|---:|---:|---|"]
        for u in units:
            bar = f"`{_bar(u)}`" if u.rate is not None else "—"  # never an empty code span
            out.append(
                f"| {u.unit} | {u.items} | {u.due} | {u.on_time} | {u.late} | {u.overdue} "
                f"| {_rate(u)} | {bar} |"
            )
        return out
    _, items, due, on_time, late, overdue, rate = columns
    return [
        f"{bullet}{u.unit}：{items} {u.items}，{due} {u.due}，{on_time} {u.on_time}，{late} {u.late}，"
        f"{overdue} {u.overdue}，{rate} {_rate(u)}" + (f" {_bar(u)}" if u.rate is not None else "")
        for u in units
    ]


def handling_lines(report: Report, include_sensitive: bool, markdown: bool) -> list[str]:
    """承办单位按时办结率, beside the reporting units' timeliness."""
    h2, bullet = ("## ", "- ") if markdown else ("", "  ")
    out = ["", f"{h2}各承办单位按时办结率"]
    units = pooled_units(report.handling_units, include_sensitive)
    out += unit_table(units, HANDLING_COLUMNS, markdown, bullet)
    if units and markdown:
        out.append("")
    out.append(f"{bullet}{HANDLING_NOTE}")
    return out
