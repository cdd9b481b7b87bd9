"""Turning results into what people read (Chinese first) and what machines read (--json).

The JSON keys here are a documented contract (README, "JSON output"); change them only by adding.
"""

import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from yaoqing_cli import vocab
from yaoqing_cli.clock import deadline_text, iso_local, local_text, span_text
from yaoqing_cli.facts import (
    MASK,
    Facts,
    concealed_data,
    concealed_reason,
    current_facts,
    hidden,
    visible_facts,
)
from yaoqing_cli.models import Event, Item
from yaoqing_cli.vocab import DutyState, EventType, cn_number

# Members bound once: looking up an enum member costs ten times a global in the hot loops.
MET, LATE, PENDING, DUE_SOON, OVERDUE, WAIVED = DutyState
FILE, CONTINUE, LEVEL, EXTEND, CLOSE, _OFFICE, _CALENDAR = list(EventType)[:7]

ANCHOR_LABELS = vocab.ANCHORS
# --- events ---------------------------------------------------------------------------------


def event_label(event: Event, followup_no: int | None = None) -> str:
    if event.type == CONTINUE and followup_no:
        return f"续报{cn_number(followup_no)}"
    return vocab.EVENT_LABELS.get(event.type, event.type)


def correction_text(data, tz: ZoneInfo | None) -> str:
    """事发时间 08:00 → 07:40；类型 突发事件 → 预警, as a correction's line says it."""
    parts = []
    before, after = data.get("from") or {}, data.get("to") or {}
    for key in after:
        if key == "policy_hash":
            continue
        parts.append(
            f"{vocab.CORRECTABLE.get(key, key)} {_corrected_value(key, before.get(key), tz)}"
            f" → {_corrected_value(key, after.get(key), tz)}"
        )
    return "；".join(parts)


def _corrected_value(key: str, value, tz: ZoneInfo | None) -> str:
    if value is None or value == "":
        return "（无）"
    if key in vocab.CORRECTED_TIMES and tz is not None:
        from yaoqing_cli.clock import from_utc_text

        try:
            return local_text(from_utc_text(value), tz)
        except (TypeError, ValueError):
            return str(value)
    if key == "sensitive":
        return "是" if value else "否"
    if key == "kind":
        return vocab.label(vocab.KINDS, value)
    if key == "message_class":
        return vocab.label(vocab.CLASSES, value)
    return str(value)


def event_summary(event: Event, tz: ZoneInfo | None = None) -> str:
    data = event.data
    if event.type == EventType.CORRECT:
        return f"{correction_text(data, tz)}（理由：{data.get('reason', '')}）"
    if event.type == EventType.REOPEN:
        return f"终报撤回，继续办理（理由：{data.get('reason', '')}）"
    if event.type == FILE:
        return data.get("title", "")
    if event.type == CONTINUE:
        parts = []
        if data.get("done"):
            names = "、".join(vocab.label(vocab.DUTY_KEYS, key) for key in data["done"])
            parts.append(f"完成：{names}")
        supplied = [short for key, (_, short) in vocab.DETAILS.items() if short and data.get(key)]
        if supplied:
            parts.append("补报：" + "、".join(supplied))
        if data.get("text"):
            parts.append(data["text"])
        return "；".join(parts)
    if event.type == LEVEL:
        change = f"{vocab.level_label(data.get('from'))} → {vocab.level_label(data.get('to'))}"
        return f"{change}（{data['reason']}）" if data.get("reason") else change
    if event.type == EXTEND and data.get("duty") == vocab.ASSIGN_DUTY:
        return f"延长{data.get('unit', '')}的转办时限：{data.get('reason', '')}"
    if event.type == EventType.ASSIGN:
        due = ""
        if data.get("minutes"):
            due = f"（时限 {span_text(timedelta(minutes=data['minutes']))}）"
        elif data.get("working_days"):
            due = f"（时限 {data['working_days']} 个工作日）"
        task = f"：{data['task']}" if data.get("task") else ""
        return f"→ {'、'.join(data.get('units') or ())}{due}{task}"
    if event.type == EventType.FEEDBACK:
        done = "（办结）" if data.get("done") else ""
        return f"{data.get('from', '')}{done}：{data.get('text') or ''}"
    if event.type == EventType.INSTRUCT:
        to = f"（转：{'、'.join(data['units'])}）" if data.get("units") else ""
        return f"{data.get('leader', '')}：{data.get('text') or ''}{to}"
    if event.type == EXTEND:
        return (
            f"延长“{vocab.label(vocab.DUTY_KEYS, data.get('duty'))}”时限：{data.get('reason', '')}"
        )
    if event.type == CLOSE:
        outcome = vocab.label(vocab.OUTCOMES, data.get("outcome"))
        if data.get("reason"):
            outcome += f"（理由：{data['reason']}）"
        return f"{outcome}；{data['text']}" if data.get("text") else outcome
    if event.type == EventType.NOTIFY:
        told = f"{data.get('who', '')}" + (f"（{data['by']}）" if data.get("by") else "")
        return f"{told}：{data['text']}" if data.get("text") else told
    return ""


def event_line(event: Event, tz: ZoneInfo, conceal: bool = False) -> str:
    """One event as a confirmation prints it; `conceal`: a sensitive item's words masked."""
    if conceal:
        event = event._replace(data=concealed_data(event.data, event.type))
    return indented(
        f"{event_label(event, event.data.get('n'))} {local_text(event.happened_at, tz)}  {event_summary(event, tz)}"
    )


def indented(text: str, indent: str = "    ") -> str:
    """Multi-line text (--text may hold newlines) with its later lines indented, so that no
    line of it can pass for a line of the output around it."""
    return text.replace("\n", "\n" + indent)


def event_json(event: Event, tz: ZoneInfo, conceal: bool = False) -> dict:
    if conceal:
        event = event._replace(data=concealed_data(event.data, event.type))
    return {
        "uid": event.uid,
        "type": event.type,
        "happened_at": iso_local(event.happened_at, tz),
        "recorded_at": iso_local(event.recorded_at, tz),
        "officer": event.officer,
        "data": dict(event.data),
    }


def _moved_json(moved, tz: ZoneInfo, conceal: bool) -> dict:
    return {
        "duty": moved.key,
        "duty_name": moved.name,
        **_change_json(moved.change, tz, conceal),
        "held": moved.held,
        "spared": moved.spared,
    }


def corrected_json(done, tz: ZoneInfo) -> dict:
    """`correct --json`: the event recorded and the deadlines it moved."""
    conceal = done.item.sensitive or done.before.sensitive
    event = done.event
    if conceal:
        event = event._replace(data=concealed_data(event.data, event.type))
    return {
        "id": done.item.id,
        "events": [event_json(event, tz)],
        "moved": [_moved_json(m, tz, conceal) for m in done.moved],
        "units_moved": [
            {
                "name": name,
                "unit": MASK if conceal else unit,
                "old_deadline": iso_local(old, tz),
                "new_deadline": iso_local(new, tz) if new else None,
                "held": held,
            }
            for name, unit, old, new, held in done.units_moved
        ],
    }


def corrected_lines(done, tz: ZoneInfo, mark: str = "") -> list[str]:
    conceal = done.item.sensitive or done.before.sensitive
    data = concealed_data(done.event.data, done.event.type) if conceal else done.event.data
    out = [
        f"{mark}已记录更正 {done.item.id}：{correction_text(data, tz)}（理由：{data.get('reason')}）"
    ]
    at = done.event.happened_at
    for m in done.moved:
        out.append(f"  {m.name}（{m.key}）时限：{moved_deadline(m, tz, at)}")
    for name, unit, old, new, held in done.units_moved:
        who = "" if conceal else f"→{unit}"
        old_text = deadline_text(old, tz, at)
        new_text = deadline_text(new, tz, at) if new else "（不再适用）"
        kept = "；更正前已逾期，逾期保留" if held else ""
        out.append(f"  {name}{who} 时限：{old_text} → {new_text}{kept}")
    if not (done.moved or done.units_moved):
        out.append("  时限未变")
    return out


def filed_json(filed, tz: ZoneInfo) -> dict:
    item = filed.item
    return {
        "id": item.id,
        "heading": filed.heading,
        "year": item.year,
        "issue_no": item.issue_number,
        "title": MASK if item.sensitive else item.title,
        "kind": item.kind,
        "level": item.level,
        "policy": item.policy,
        "occurred": iso_local(item.occurred, tz),
        "received": iso_local(item.received, tz),
        "filed": iso_local(item.filed, tz),
    }


# --- duties -----------------------------------------------------------------------------------


def duty_json(duty, tz: ZoneInfo, conceal: bool = False) -> dict:
    """One clock; `conceal` keeps a sensitive item's typed reasons out of its changes."""
    return {
        "key": duty.key,
        "name": duty.name,
        "anchor": duty.anchor,
        "deadline": iso_local(duty.deadline, tz),
        "state": duty.state,
        "met_at": iso_local(duty.met_at, tz),
        "extended": duty.extended,
        "back_entered": duty.back_entered,
        "calendar_fallback": duty.calendar_fallback,
        "source": duty.source,
        "changes": [
            {
                "at": iso_local(change.at, tz),
                "old_deadline": iso_local(change.old_deadline, tz),
                "new_deadline": iso_local(change.new_deadline, tz),
                "reason": concealed_reason(change.reason) if conceal else change.reason,
            }
            for change in duty.changes
        ],
        "held": _change_json(duty.held, tz, conceal),
        "spared": _change_json(duty.spared, tz, conceal),
    }


def _change_json(change, tz: ZoneInfo, conceal: bool) -> dict | None:
    if change is None:
        return None
    return {
        "at": iso_local(change.at, tz),
        "old_deadline": iso_local(change.old_deadline, tz),
        "new_deadline": iso_local(change.new_deadline, tz),
        "reason": concealed_reason(change.reason) if conceal else change.reason,
    }


def held_text(duty, tz: ZoneInfo) -> str | None:
    """更正前已逾期 / 终报后更正: why a corrected clock is judged as it is, or None."""

    def when(moment, at) -> str:  # as offices write deadlines (12月11日24时)
        return deadline_text(moment, tz, at) if moment else "不再适用"

    if (held := duty.held) is not None:
        return (
            f"更正前已逾期：原时限 {when(held.old_deadline, held.at)}，"
            f"更正后时限 {when(held.new_deadline, held.at)}；逾期一经显示不因更正撤销"
        )
    if (spared := duty.spared) is not None:
        return (
            f"终报后更正：原时限 {when(spared.old_deadline, spared.at)}，更正后时限 "
            f"{when(spared.new_deadline, spared.at)}；更正在终报之后，不追溯为逾期"
        )
    return None


def duty_when(duty, moment: datetime, tz: ZoneInfo) -> str:
    """What an officer needs about one clock, in one phrase."""
    deadline = deadline_text(duty.deadline, tz, moment)
    if duty.state == OVERDUE:
        return f"逾期 {span_text(moment - duty.deadline)}（时限 {deadline}）"
    if duty.state in (PENDING, DUE_SOON):
        return f"剩 {span_text(duty.deadline - moment)}（时限 {deadline}）"
    back = "（补录）" if duty.back_entered else ""
    if duty.state == LATE:
        late_by = span_text(duty.met_at - duty.deadline)
        return f"{local_text(duty.met_at, tz)} 完成{back}，晚 {late_by}（时限 {deadline}）"
    if duty.state == MET:
        return f"{local_text(duty.met_at, tz)} 完成{back}（时限 {deadline}）"
    if duty.met_at is not None:  # waived, and done anyway: when, and against the old deadline
        late = duty.met_at - duty.deadline
        after = f"，晚于原时限 {span_text(late)}" if late.total_seconds() > 0 else ""
        return f"{local_text(duty.met_at, tz)} 完成（原时限 {deadline}{after}）"
    return f"时限 {deadline}"


def moved_deadline(m, tz: ZoneInfo, moment: datetime, sep: str = "；") -> str:
    """A deadline a correction moved (engine.Moved): old → new, and whether the breach it would
    have removed stands (逾期保留) or a close spared it (不追溯为逾期)."""
    old, new = m.change.old_deadline, m.change.new_deadline
    text = (
        f"{deadline_text(old, tz, moment) if old else '（无）'} → "
        f"{deadline_text(new, tz, moment) if new else '（不再适用）'}"
    )
    if m.held:
        text += f"{sep}更正前已逾期，逾期保留"
    if m.spared:
        text += f"{sep}已终报，不追溯为逾期"
    return text


def change_text(change, moment: datetime, tz: ZoneInfo, conceal: bool = False) -> str:
    """A moved clock, old → new and why (an extension, a regrade, a correction):
    `变更 2026-11-20 10:00：时限 10月29日24时 → 11月12日24时（延长10个工作日：…）`; a clock a
    regrade started or ended says so instead of an arrow from or to nothing."""
    why = concealed_reason(change.reason) if conceal else change.reason
    why = indented(why, "      ")
    old, new = change.old_deadline, change.new_deadline
    if old is None and new is None:
        moved = "时限未变"
    elif old is None:
        moved = "自此须计此时限"
    elif new is None:
        moved = "自此不再适用"
    elif old == new:
        moved = f"时限仍为 {deadline_text(new, tz, moment)}"
    else:
        moved = f"时限 {deadline_text(old, tz, moment)} → {deadline_text(new, tz, moment)}"
    return f"变更 {local_text(change.at, tz)}：{moved}" + (f"（{why}）" if why else "")


def moved_text(moved, moment: datetime, tz: ZoneInfo) -> str:
    """One clock a command changed (engine.ClockMove), as its confirmation prints it."""
    name = f"{moved.name}（{moved.key}）"
    if moved.done_at is not None:
        state = vocab.state_label(moved.state, moved.key)
        late = ""
        if moved.state == LATE:
            late = f"，晚 {span_text(moved.done_at - moved.new_deadline)}"
        back = ""  # stated in time but typed after the deadline: counted from when it was typed
        if moved.as_recorded:
            back = "补录，按记录时间计；" if moved.back_entered else "按记录时间计；"
        elif moved.back_entered:
            back = "补录；"
        return (
            f"{name}：已完成 {local_text(moved.done_at, tz)}（{back}{state}{late}；"
            f"时限 {deadline_text(moved.new_deadline, tz, moment)}）"
        )
    pressing = f"（{vocab.state_label(moved.state)}）" if moved.state in (OVERDUE, DUE_SOON) else ""
    if moved.old_deadline is None:
        return f"{name}：自此须计，时限 {deadline_text(moved.new_deadline, tz, moment)}{pressing}"
    if moved.state == WAIVED:
        return (
            f"{name}：不再适用，{vocab.state_label(WAIVED)}"
            f"（原时限 {deadline_text(moved.old_deadline, tz, moment)}）"
        )
    return (
        f"{name}：时限 {deadline_text(moved.old_deadline, tz, moment)} → "
        f"{deadline_text(moved.new_deadline, tz, moment)}{pressing}"
    )


def moved_lines(moves, moment: datetime, tz: ZoneInfo) -> list[str]:
    """The confirmation's lines for the clocks a command changed, one per clock."""
    return [f"  {moved_text(m, moment, tz)}" for m in moves]


FALLBACK_WARNING = "！注意：此时限所涉年份尚无官方节假日安排，暂按周一至周五计算工作日；请用 --calendar 录入官方安排"


def notice_json(notice, tz: ZoneInfo | None = None) -> dict:
    return {
        "who": notice.who,
        "duty": notice.duty,
        "why": notice.why,
        "required": notice.required,
        "copy": notice.role == "copy",
        "told_at": iso_local(notice.told_at, tz) if tz is not None else None,
        "told_by": notice.told_by,
    }


def told_json(told, tz: ZoneInfo) -> dict:
    """One `notify` as status and show list it (`told[]`): never its text (show's events do)."""
    return {
        "who": told.who,
        "at": iso_local(told.at, tz),
        "by": told.by,
        "officer": told.officer,
        "listed": told.listed,
    }


def told(notify) -> list:
    """Who is to be told (须报告, 抄送, 可报告, told or not): every notice but the item's sender."""
    return [n for n in notify if n.role != "route"]


def routed_from(notify):
    """The department expected to send this item's reports (归口报送), or None."""
    return next((n for n in notify if n.role == "route"), None)


def told_text(entry, tz: ZoneInfo, conceal: bool = False) -> str:
    """`分管副区长（11-22 02:40 电话，值班员 张三）`; a free name says it meets no requirement."""
    parts = [local_text(entry.at, tz)[5:]]
    if entry.by:
        parts[0] += f" {entry.by}"
    if entry.officer:
        parts.append(f"值班员 {entry.officer}")
    if not entry.listed:
        parts.append("政策以外")
    return f"{entry.who}（{'，'.join(parts)}）"


def notice_lines(
    notify, indent: str = "", now: str = "现在", told_list=(), tz: ZoneInfo | None = None
) -> list[str]:
    """须报告 / 同时抄送 / 可报告 (those not yet told) on lines of their own, then 已报告 (every
    `notify` of the item: policy names and free names, when and how), then the sender."""
    from yaoqing_cli.engine import NOTICE_HEADINGS

    out = []
    for heading in NOTICE_HEADINGS[:3]:
        chosen = [n for n in notify if n.heading == heading]
        if chosen:
            prefix = now if heading != "同时抄送" else ""
            out.append(
                f"{indent}{prefix}{heading}：" + "；".join(f"{n.who}（{n.why}）" for n in chosen)
            )
    if told_list and tz is not None:
        out.append(f"{indent}已报告：" + "；".join(told_text(t, tz) for t in told_list))
    sender = routed_from(notify)
    if sender is not None:
        out.append(f"{indent}归口报送：由{sender.who}报送（{sender.why}）")
    return out


def forwarded_heading(item: Item) -> str | None:
    """转报：某市 2026年第3期 for an item another office filed and this one imported."""
    if not item.origin:
        return None
    if item.issue_no < 0:  # a citizen's message has no 第N期 (service.heading)
        return f"转报：{item.origin_short}网民留言"
    return f"转报：{item.origin_short} {item.year}年第{item.issue_no}期"


def verified_json(result, expected, failure: str | None) -> dict:
    """`verify --json`: the anchor (events, head) and whether everything held."""
    broken = result.broken
    differences = result.differences
    if failure is None:
        kind = None
    elif broken is not None:
        kind = "chain" if broken.seq else "items"
    elif differences:
        kind = differences[0].table  # items, policy_snapshots, office, calendar, clocks
    else:
        kind = "anchor"
    return {
        "ok": failure is None,
        "events": result.events,
        "head": result.head,
        "items": result.items,
        "differences": [d.text() for d in differences],
        "expected": None
        if expected is None
        else {"events": expected.events, "head": expected.head, "met": not result.unmet},
        "failure": None
        if failure is None
        else {
            "kind": kind,
            "seq": broken.seq if broken and broken.seq else None,
            "item_id": broken.item_id if broken else result.stale_clock,
            "message": failure,
        },
    }


def status_json(item: Item, status, tz: ZoneInfo, facts: Facts | None = None, chase=None) -> dict:
    """One item as `status --json` prints it; `facts` is what may be shown of it now (the
    first report with follow-ups merged, concealed for a sensitive item); `chase` its
    assignments, instructions and supervision (chuan.Chase)."""
    from yaoqing_cli.render_chuan import chase_json

    facts = facts or current_facts(item, ())
    return {
        "id": item.id,
        "forwarded": forwarded_heading(item),
        "title": facts.title,
        "kind": item.kind,
        "level": status.level,
        "policy": item.policy,
        "occurred": iso_local(item.occurred, tz),
        "received": iso_local(item.received, tz),
        "filed": iso_local(item.filed, tz),
        "closed": iso_local(status.closed_at, tz),
        "outcome": status.outcome,
        "reopened": status.reopened,
        "unit": facts.unit,
        "sensitive": item.sensitive,
        "duties": [duty_json(d, tz, facts.concealed) for d in status.duties],
        "notify": [notice_json(n, tz) for n in told(status.notify)],
        "told": [told_json(t, tz) for t in status.told],
        "routed_from": getattr(routed_from(status.notify), "who", None),
        "missing": list(status.missing),
        "calendar_fallback": status.calendar_fallback,
        **chase_json(chase, tz, facts.concealed),
    }


# --- show ---------------------------------------------------------------------------------------

SENSITIVE_NOTE = (
    "涉密/敏感：标题、单位、地点、报告人和各次内容已隐去；确需查看请加 --include-sensitive"
)


def _shown_events(events, facts: Facts) -> list[Event]:

    if not facts.concealed:
        return list(events)
    return [e._replace(data=concealed_data(e.data, e.type)) for e in events]


def timeline_json(
    line, status, tz: ZoneInfo, moment: datetime | None = None, include_sensitive: bool = False
) -> dict:
    facts = visible_facts(line.item, line.events, moment, include_sensitive)
    result = status_json(line.item, status, tz, facts, getattr(line, "chase", None))
    result.update(
        heading=line.heading,
        year=line.item.year,
        issue_no=line.item.issue_number,
        message_class=line.item.message_class,
        category=line.item.category,
        coordination=line.item.coordination,
        details=dict(facts.details),
        original=dict(facts.original),
        events=[event_json(e, tz) for e in _shown_events(line.events, facts)],
    )
    return result


def timeline_text(
    line, status, tz: ZoneInfo, moment: datetime, include_sensitive: bool = False
) -> str:
    from yaoqing_cli.engine import back_entered, first_recorded

    item = line.item
    facts = visible_facts(item, line.events, moment, include_sensitive)

    def was(key: str) -> str:
        """The first report's value of a field a follow-up restated (show keeps both)."""
        if key not in facts.original:
            return ""
        first = facts.original[key]
        n = facts.supplied_by.get(key)
        by = f"续报{cn_number(n)}" if n else "续报"
        return f"（{by}补报；首报：{first}）" if first else f"（{by}补报）"

    from yaoqing_cli.render_chuan import chase_lines

    out = [f"{item.id}  {line.heading}", f"标题：{facts.title}"]
    # a leader's instruction and supervision from above come first (传与跟)
    out += chase_lines(getattr(line, "chase", None), moment, tz, facts.concealed)
    facts_line = [
        f"类型：{vocab.label(vocab.KINDS, item.kind)}",
        f"留言类别：{vocab.grade_label(item.kind, status.level, item.message_class)}"
        if vocab.is_message(item.kind)
        else f"级别：{vocab.level_label(status.level)}",
        f"政策：{item.policy}",
    ]
    if facts.unit:
        facts_line.append(f"报送单位：{facts.unit}{was('unit')}")
    if item.category:
        facts_line.append(f"类别：{item.category}")
    out.append("  ".join(facts_line))
    flags = []
    if item.sensitive:
        flags.append("涉密/敏感")
    if item.coordination:
        flags.append("需办公厅协调")
    if flags:
        out.append("标记：" + "、".join(flags))
    if facts.concealed:
        out.append(SENSITIVE_NOTE)
    out.append(
        f"事发 {local_text(item.occurred, tz)}  接报 {local_text(item.received, tz)}  "
        f"首报 {local_text(item.filed, tz)}"
        + (f"  终报 {local_text(status.closed_at, tz)}" if status.closed_at else "")
    )
    if status.outcome == "void":
        close = next((e for e in reversed(line.events) if e.type == CLOSE), None)
        why = close.data.get("reason") if close is not None and not facts.concealed else None
        out.append("作废（误录，编号保留，不计时效）" + (f"：{why}" if why else ""))
    if status.reopened and status.closed_at is None:
        out.append("已重新打开：终报后撤回，继续办理")
    for key, (label, _) in vocab.DETAILS.items():
        value = facts.details.get(key)
        if value:
            if key == "about_level" and not facts.concealed:
                value = vocab.level_label(value)
            out.append(f"{label}：{value}{was(key)}")
    out.append("")
    out.append("时间线（按发生时间排列）：")
    followup = 0
    for event in _shown_events(line.events, facts):
        if event.type == CONTINUE:
            followup += 1
        label = event_label(event, followup if event.type == CONTINUE else None)
        who = f"  值班员 {event.officer}" if event.officer else ""
        summary = indented(event_summary(event, tz), " " * 8)
        text = f"  {local_text(event.happened_at, tz)}  {label}  {summary}{who}"
        source = event.data.get("imported")
        if isinstance(source, dict):  # recorded here at import; where and when it was first
            first = first_recorded(event)
            late = "补录，" if back_entered(event) else ""
            masked = "，涉密/敏感内容已隐去" if source.get("masked") else ""
            text += (
                f"  〔{late}导入：{source.get('source_office')} 记录于 {local_text(first, tz)}"
                f"{masked}〕"
            )
        elif back_entered(event):
            text += f"  〔补录：记录于 {local_text(event.recorded_at, tz)}〕"
        out.append(text)
    out.append("")
    out.extend(duty_lines(status, moment, tz, conceal=facts.concealed))
    return "\n".join(out)


def duty_lines(
    status, moment: datetime, tz: ZoneInfo, indent: str = "", conceal: bool = False
) -> list[str]:
    """Each clock on its own line with its state beside it, then each move of it (old → new
    and why) under it; `conceal` keeps a sensitive item's typed reasons out."""
    out = []
    if status.duties:
        out.append(f"{indent}时限（按 {local_text(moment, tz)} 计算）：")
        for duty in status.duties:
            mark = "  ※按周一至周五推算" if duty.calendar_fallback else ""
            out.append(
                f"{indent}  {duty.name}（{duty.key}）：{vocab.state_label(duty.state, duty.key)}  "
                f"{duty_when(duty, moment, tz)}{mark}"
            )
            out.extend(f"{indent}    {change_text(c, moment, tz, conceal)}" for c in duty.changes)
            note = held_text(duty, tz)
            if note:
                out.append(f"{indent}    {note}")
    else:
        out.append(f"{indent}时限：无（此类要情在该政策下没有时限）")
    out.extend(notice_lines(status.notify, indent, told_list=status.told, tz=tz))
    if status.missing:
        out.append(f"{indent}首报尚缺：" + "、".join(status.missing))
    if status.calendar_fallback:
        out.append(f"{indent}{FALLBACK_WARNING}")
    return out


# --- status board ---------------------------------------------------------------------------------


def _row_facts(row, board, include_sensitive: bool) -> Facts:
    return visible_facts(row.item, row.events, board.at, include_sensitive)


def board_json(board, tz: ZoneInfo, include_sensitive: bool = False) -> list:
    return [
        status_json(row.item, row.status, tz, _row_facts(row, board, include_sensitive), row.chase)
        for row in board.rows
    ]


def board_out(board, tz: ZoneInfo, moment: datetime, include_sensitive: bool = False) -> None:
    """A rich table on a terminal, plain text when piped (cron, mail, grep); one line per
    clock, plain on both, when the board is brief. A sensitive item shows its ID, kind, level
    and clocks only, unless include_sensitive."""
    if board.clocks is not None:
        sys.stdout.write(brief_text(board, tz, moment, include_sensitive) + "\n")
    elif sys.stdout.isatty():
        _board_rich(board, tz, moment, include_sensitive)
    else:
        sys.stdout.write(board_text(board, tz, moment, include_sensitive) + "\n")


def _board_header(board, tz: ZoneInfo) -> str:
    return (
        f"{board.view}：{board.items} 条（截至 {local_text(board.at, tz)}，"
        f"共评估 {board.considered} 条）" + ("【演练】" if board.drill else "")
    )


def brief_text(board, tz: ZoneInfo, moment: datetime, include_sensitive: bool = False) -> str:
    """One line per clock, most overdue first: which item, which clock, since when, whom to tell.
    A flood makes thousands of lines that share spans and minutes: each is formatted once."""
    clocks = board.clocks
    out = [
        _board_header(board, tz),
        f"每个时限一行，共 {len(clocks)} 项；逐条详情：yaoqing show 编号，或加 --full",
    ]
    if not clocks:
        out.append("无。")
    spans: dict[int, str] = {}
    minutes: dict[int, str] = {}  # deadline minute -> local text (offsets are whole minutes)
    names: dict[tuple, str] = {}
    for c in clocks:
        gap = moment - c.deadline if c.overdue else c.deadline - moment
        whole = gap.days * 1440 + gap.seconds // 60  # as span_text counts: whole minutes
        span = spans.get(whole)
        if span is None:
            span = spans[whole] = span_text(timedelta(minutes=whole))
        minute = int(c.deadline.timestamp()) // 60
        local = minutes.get(minute)
        if local is None:
            local = minutes[minute] = deadline_text(c.deadline, tz, moment)
        who = names.get(c.notify)
        if who is None:
            who = names[c.notify] = _brief_notify(c.notify)
        when = "逾期" if c.overdue else "剩"
        mark = "  ※按周一至周五推算" if c.fallback else ""
        title = MASK if c.sensitive and not include_sensitive else c.title
        out.append(f"{c.item_id}  {c.name}  {when} {span}（时限 {local}）  {title}{who}{mark}")
    if any(c.fallback for c in clocks):
        out.append(FALLBACK_WARNING)
    _trailer(board, out)
    return "\n".join(out)


def _trailer(board, out: list[str]) -> None:
    from yaoqing_cli.status import trailer

    line = trailer(board)
    if line is not None:
        out.append(line)


def _brief_notify(pairs) -> str:
    """(heading, who) pairs as "  须报告：A、B  可报告：C", headings in a fixed order."""
    from yaoqing_cli.engine import NOTICE_HEADINGS

    parts = []
    for heading in NOTICE_HEADINGS:
        chosen = [who for h, who in pairs if h == heading]
        if chosen:
            parts.append(f"  {heading}：" + "、".join(chosen))
    return "".join(parts)


def _item_meta(row, brackets: bool = False) -> str:
    """突发事件·重大（II级）·shandong (in [] on the plain board), then 转报 and 已终报."""
    item, status = row.item, row.status
    grade = vocab.grade_label(item.kind, status.level, item.message_class)
    meta = f"{vocab.label(vocab.KINDS, item.kind)}·{grade}·{item.policy}"
    return (
        (f"[{meta}]" if brackets else meta)
        + (f"  {forwarded_heading(item)}" if item.origin else "")
        + ("  督办" if row.chase and row.chase.supervised_by else "")
        + ("  已终报" if status.closed_at else "")
    )


def board_text(board, tz: ZoneInfo, moment: datetime, include_sensitive: bool = False) -> str:
    from yaoqing_cli.render_chuan import chase_lines

    out = [_board_header(board, tz)]
    if not board.rows:
        out.append("无。")
    for row in board.rows:
        facts = _row_facts(row, board, include_sensitive)
        out.append("")
        out.append(f"{row.item.id}  {facts.title}  {_item_meta(row, brackets=True)}")
        out.extend(chase_lines(row.chase, moment, tz, facts.concealed, indent="  "))
        out.extend(duty_lines(row.status, moment, tz, indent="  ", conceal=facts.concealed))
    if board.rows:
        out.append("")
    _trailer(board, out)
    return "\n".join(out)


STATE_STYLES = {
    OVERDUE: "bold red",
    DUE_SOON: "yellow",
    LATE: "magenta",
    MET: "green",
    WAIVED: "dim",
}


def board_renderable(board, tz: ZoneInfo, moment: datetime, include_sensitive: bool = False):
    """The status board for a terminal, readable at 80 columns and wider: per item a header
    (the ID, never wrapped, beside its title, kind and level), then one row per clock with its
    state on the clock's own first line, then each move of that clock (old → new, why) under
    it, then who is to be told and what the first report lacks, wrapped to the width. The
    clock columns are as wide as the widest name and state on the board, so they line up."""
    from rich.cells import cell_len
    from rich.console import Group
    from rich.padding import Padding
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    parts: list = [Text(_board_header(board, tz), style="bold")]
    if not board.rows:
        parts.append(Text("无。"))
    duties = [d for row in board.rows for d in row.status.duties]
    name_width = max((cell_len(d.name) for d in duties), default=0)
    state_width = max((cell_len(vocab.state_label(d.state, d.key)) for d in duties), default=0)
    for row in board.rows:
        item, status = row.item, row.status
        facts = _row_facts(row, board, include_sensitive)
        parts.append(Rule(style="dim"))
        head = Table.grid(padding=(0, 2))
        head.add_column(no_wrap=True, style="bold")  # the ID: never split
        head.add_column(ratio=1, overflow="fold")
        head.add_row(Text(item.id), Text(facts.title))
        head.add_row(Text(""), Text(_item_meta(row), style="dim"))
        parts.append(head)
        if row.chase:  # instructions, supervision, assignments (传与跟), each with its state
            from yaoqing_cli.render_chuan import chase_lines

            chased = chase_lines(row.chase, moment, tz, facts.concealed)
            parts.extend(_Folded(line, 2) for line in chased)
        if not status.duties:
            parts.append(Padding(Text("时限：无（此类要情在该政策下没有时限）"), (0, 0, 0, 2)))
        else:
            for duty in status.duties:
                # one grid per clock, its columns as wide as the board's widest name and state
                # (so clocks line up), then its moves under it at full width
                clock = Table.grid(padding=(0, 2))
                clock.add_column(min_width=name_width, overflow="fold")
                clock.add_column(min_width=state_width, no_wrap=True)
                clock.add_column(ratio=1, overflow="fold")
                label = vocab.state_label(duty.state, duty.key)
                when = duty_when(duty, moment, tz)
                if duty.calendar_fallback:
                    when += "  ※按周一至周五推算"
                clock.add_row(
                    Text(duty.name), Text(label, style=STATE_STYLES.get(duty.state, "")), Text(when)
                )
                parts.append(Padding(clock, (0, 0, 0, 2)))
                for change in duty.changes:
                    move = "↳ " + change_text(change, moment, tz, facts.concealed)
                    parts.append(_Folded(move, 4, "cyan"))
        lines = [
            line.strip()
            for line in notice_lines(status.notify, now="", told_list=status.told, tz=tz)
        ]
        if status.missing:
            lines.append("首报尚缺：" + "、".join(status.missing))
        parts.extend(_Folded(line, 2) for line in lines)
    if any(row.status.calendar_fallback for row in board.rows):
        parts.append(Text(FALLBACK_WARNING, style="bold red"))
    last: list[str] = []
    _trailer(board, last)
    parts.extend(Text(line) for line in last)
    return Group(*parts)


class _Folded:
    """A line of Chinese text indented and cut to the width by character cells, as a Chinese
    terminal wraps it (rich would break at the last space: "2026-11-22 / 09:00")."""

    def __init__(self, text: str, indent: int, style: str = ""):
        self.text, self.indent, self.style = text, indent, style

    def __rich_console__(self, console, options):
        from rich.text import Text

        first = " " * self.indent
        later = first + "  "  # a hanging indent: a continuation never passes for a new line
        for part in self.text.split("\n"):
            prefix, rest = first, part
            while True:
                head = _fold_head(rest, max(8, options.max_width - len(prefix))) if rest else ""
                yield Text(prefix + head, style=self.style, no_wrap=True)
                rest, prefix = rest[len(head) :], later
                if not rest:
                    break
            first = later


# a time or a deadline is never cut in two: "21:|38", "12月8日24|时" read as another moment
_GLUE = frozenset("0123456789:-年月日时")


def _fold_head(text: str, width: int) -> str:
    """The first line of `text` cut at `width` cells, moved back to before a time or date that
    the cut would split (unless that run fills the whole line)."""
    from rich.cells import chop_cells

    head = chop_cells(text, width)[0]
    cut = len(head)
    while 0 < cut < len(text) and text[cut - 1] in _GLUE and text[cut] in _GLUE:
        cut -= 1
    return head if cut == 0 else text[:cut]


def _board_rich(board, tz: ZoneInfo, moment: datetime, include_sensitive: bool = False) -> None:
    from rich.console import Console

    Console().print(board_renderable(board, tz, moment, include_sensitive))


# --- watch (the night-shift board) ----------------------------------------------------------------


def watch_renderable(
    seen, moment: datetime, tz: ZoneInfo, horizon: datetime, height: int, include_sensitive: bool
):
    """The full-screen board of `yaoqing watch` for a screen `height` lines high: every running
    clock one line each (overdue red, due soon yellow, a countdown), the shift's last events at
    the bottom. What does not fit is counted, never dropped silently."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from yaoqing_cli.status import watch_lines

    board = seen.board
    lines = watch_lines(board, horizon)
    overdue = sum(1 for w in lines if w.state == OVERDUE)
    soon = sum(1 for w in lines if w.soon)
    head = Text(f"值班大屏  {local_text(moment, tz)}", style="bold")
    head.append(f"  未终报 {board.items} 条  ")
    head.append(f"逾期 {overdue} 项", style="bold red" if overdue else "")
    head.append("  ")
    head.append(f"{span_text(horizon - moment)}内到期 {soon} 项", style="yellow" if soon else "")
    if board.drill:
        head.append("  【演练】")
    head.no_wrap, head.overflow = True, "ellipsis"
    recent = seen.recent
    # the screen: heading, blank, table header, clocks, the "more" line, blank, events title, events
    room = max(1, height - 6 - len(recent))
    shown = lines if len(lines) <= room else lines[: room - 1]
    table = Table(box=None, expand=True, padding=(0, 1), show_edge=False)
    # the ID, the countdown and the deadline are always whole; the clock's name is cut at 24
    # cells (a relay's "转交涉事市、部门（转批示件）→某县人民政府" is 40) and the title takes the rest
    table.add_column("编号", no_wrap=True)
    table.add_column("要情", no_wrap=True, overflow="ellipsis", ratio=1)
    table.add_column("时限", no_wrap=True, overflow="ellipsis", max_width=24)
    table.add_column("倒计时", no_wrap=True, justify="right")
    table.add_column("截止", no_wrap=True)
    for w in shown:
        if w.state == OVERDUE:
            style, left = "bold red", f"逾期 {span_text(moment - w.deadline)}"
        else:
            style, left = ("yellow" if w.soon else ""), f"剩 {span_text(w.deadline - moment)}"
        title = _row_facts(w.row, board, include_sensitive).title
        table.add_row(
            w.row.item.id,
            Text(title),
            w.name,
            Text(left, style=style),
            deadline_text(w.deadline, tz, moment),
            style=style if w.state == OVERDUE else None,
        )
    parts: list = [head, Text("")]
    if lines:
        parts.append(table)
    else:
        parts.append(Text("没有仍在计时的时限。"))
    if len(shown) < len(lines):
        parts.append(
            Text(
                f"……另有 {len(lines) - len(shown)} 项时限未显示（屏幕不够高；yaoqing status 查看全部）"
            )
        )
    parts.append(Text(""))
    title = Text(f"本班动态（{local_text(seen.since, tz)} 起）", style="bold")
    title.append("    按 q 退出", style="dim")
    parts.append(title)
    if not recent:
        parts.append(Text("无。", style="dim"))
    for event, item in recent:
        summary = "" if hidden(item, include_sensitive) else event_summary(event)
        text = Text(
            f"{local_text(event.happened_at, tz)[5:]}  {item.id}  "
            f"{event_label(event, event.data.get('n'))}  {' '.join(summary.split())}",
            no_wrap=True,
            overflow="ellipsis",
        )
        parts.append(text)
    return Group(*parts)


# --- calendar show ------------------------------------------------------------------------------


def calendar_lines(calendar, year: int) -> list[str]:
    """One year's working-day calendar: the official schedule by festival, then every day an
    office calendar entered, with its source."""
    out = [f"{year} 年工作日历（节假日库 chinese-calendar {calendar.release()}）"]
    official = calendar.official_days(year)
    if official is None:
        entered = year in calendar.entered_years
        out.append(
            f"法定安排：节假日库未收录 {year} 年；"
            + (
                "按本单位录入的安排计算"
                if entered
                else "暂按周一至周五计算，请用 yaoqing calendar add 录入"
            )
        )
    else:
        holidays, workdays = official
        out.append("法定安排（国务院办公厅关于部分节假日安排的通知）：")
        names = list(dict.fromkeys([*holidays.values(), *workdays.values()]))
        for name in names:
            rest = [d for d, n in holidays.items() if n == name]
            work = [d for d, n in workdays.items() if n == name]
            text = f"  {name}：放假 {_day_ranges(rest)}" if rest else f"  {name}："
            if work:
                text += f"；调休上班 {'、'.join(d.isoformat() for d in work)}"
            out.append(text)
    rows = []
    for entry in calendar.entries:
        rest, work = entry.years.get(year, (frozenset(), frozenset()))
        origin = "日志" if entry.where == "日志" else f"--calendar {entry.where}"
        source = f"来源 {entry.source}（sha256 {entry.sha256[:12]}…，{origin}）"
        rows += [(d, "休息日", source) for d in rest] + [(d, "工作日", source) for d in work]
    if rows:
        out.append("本单位录入：")
        out += [f"  {d.isoformat()} {kind}  {source}" for d, kind, source in sorted(rows)]
    else:
        out.append("本单位录入：无")
    return out


def _day_ranges(days) -> str:
    """2026-10-01 至 2026-10-07, consecutive days joined, separate runs listed."""
    from datetime import timedelta

    runs: list[list] = []
    for day in sorted(days):
        if runs and day - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(day)
        else:
            runs.append([day])
    return "、".join(
        r[0].isoformat() if len(r) == 1 else f"{r[0].isoformat()} 至 {r[-1].isoformat()}"
        for r in runs
    )
