"""传与跟 in words and in JSON: assignments, leaders' instructions, supervision, the chase list.

The JSON keys are a documented contract (README, json-keys tables for status, show and
status --chase); change them only by adding.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from yaoqing_cli import vocab
from yaoqing_cli.chuan import NOTHING, Chase, Tracked
from yaoqing_cli.clock import deadline_text, iso_local, local_text, span_text
from yaoqing_cli.facts import MASK
from yaoqing_cli.vocab import DutyState

UNREGISTERED = "未登记"


def _masked(text: str | None, conceal: bool) -> str | None:
    return MASK if conceal and text else text


def feedback_json(f, tz: ZoneInfo, conceal: bool = False) -> dict:
    return {
        "unit": _masked(f.unit, conceal),
        "at": iso_local(f.at, tz),
        "text": _masked(f.text, conceal),
        "done": f.done,
        "back_entered": f.back_entered,
    }


def tracked_json(c: Tracked, tz: ZoneInfo, conceal: bool = False) -> dict:
    return {
        "role": c.role,
        "name": c.name,
        "unit": _masked(c.unit, conceal),
        "task": _masked(c.task, conceal),
        "start": iso_local(c.start, tz),
        "deadline": iso_local(c.deadline, tz),
        "state": c.state,
        "met_at": iso_local(c.met_at, tz),
        "extended": c.extended,
        "calendar_fallback": c.calendar_fallback,
        "leader": _masked(c.leader, conceal),
        "source": c.source,
        "feedback": [feedback_json(f, tz, conceal) for f in c.feedback],
    }


def chase_json(chase: Chase | None, tz: ZoneInfo, conceal: bool = False) -> dict:
    """The keys `status --json` and `show --json` add per item."""
    chase = chase or NOTHING
    instructions = []
    for i in chase.instructions:
        mine = [c for c in chase.clocks if c.role in ("relay", "instruct") and c.start == i.at]
        instructions.append(
            {
                "leader": _masked(i.leader, conceal),
                "text": _masked(i.text, conceal),
                "at": iso_local(i.at, tz),
                "units": [_masked(u, conceal) for u in i.units],
                "relay": [tracked_json(c, tz, conceal) for c in mine if c.role == "relay"],
                "feedback": [tracked_json(c, tz, conceal) for c in mine if c.role == "instruct"],
            }
        )
    supervised = None
    if chase.supervised_by:
        clock = next(iter(chase.of_role("supervised")), None)
        supervised = {
            "from_above": chase.supervised_by,
            "clock": tracked_json(clock, tz, conceal) if clock else None,
        }
    return {
        "assignments": [tracked_json(c, tz, conceal) for c in chase.of_role("assign")],
        "instructions": instructions,
        "supervised": supervised,
    }


def when(c: Tracked, moment: datetime, tz: ZoneInfo) -> str:
    """'逾期 2天3小时（时限 10月29日24时）' and the like, as duty_when words a duty."""
    deadline = deadline_text(c.deadline, tz, moment)
    mark = "  ※按周一至周五推算" if c.calendar_fallback else ""
    extended = "，已延期" if c.extended else ""
    if c.state == DutyState.OVERDUE:
        return f"逾期 {span_text(moment - c.deadline)}（时限 {deadline}{extended}）{mark}"
    if c.state in (DutyState.PENDING, DutyState.DUE_SOON):
        return f"剩 {span_text(c.deadline - moment)}（时限 {deadline}{extended}）{mark}"
    if c.state in (DutyState.MET, DutyState.LATE):
        late = f"，晚 {span_text(c.met_at - c.deadline)}" if c.state == DutyState.LATE else ""
        return f"完成于 {local_text(c.met_at, tz)}（时限 {deadline}{extended}{late}）"
    if c.met_at is not None:  # waived, and done anyway: 免于考核 must not hide when
        after = c.met_at - c.deadline
        late = f"，晚于原时限 {span_text(after)}" if after.total_seconds() > 0 else ""
        return f"完成于 {local_text(c.met_at, tz)}（原时限 {deadline}{late}）"
    return f"时限 {deadline}"


def _last(c: Tracked, tz: ZoneInfo, conceal: bool) -> str:
    f = c.last_feedback
    if f is None:
        return "无反馈"
    done = "办结" if f.done else "反馈"
    return f"最后{done} {local_text(f.at, tz)}：{_masked(f.text, conceal) or ''}"


def chase_lines(
    chase: Chase | None, moment: datetime, tz: ZoneInfo, conceal: bool, indent: str = ""
) -> list[str]:
    """An item's leaders' instructions, supervision and assignments, for the top of `show`
    and the board."""
    chase = chase or NOTHING
    out = []
    for i in chase.instructions:
        units = "、".join(_masked(u, conceal) for u in i.units)
        to = f"（批示所涉：{units}）" if i.units else ""
        out.append(
            f"{indent}领导批示：{_masked(i.leader, conceal)} {local_text(i.at, tz)}："
            f"{_masked(i.text, conceal)}{to}"
        )
        for c in chase.clocks:
            if c.role in ("relay", "instruct") and c.start == i.at:
                out.append(
                    f"{indent}  {c.name}→{_masked(c.unit, conceal)}："
                    f"{vocab.state_label(c.state, c.role)}  {when(c, moment, tz)}"
                )
    if chase.supervised_by:
        clock = next(iter(chase.of_role("supervised")), None)
        state = (
            f"{clock.name}：{vocab.state_label(clock.state, clock.role)}  {when(clock, moment, tz)}"
            if clock
            else "反馈时限：政策未设，交办时未给出"
        )
        out.append(f"{indent}督办：{chase.supervised_by}交办  {state}")
    for c in chase.of_role("assign"):
        task = f"（{_masked(c.task, conceal)}）" if c.task else ""
        out.append(
            f"{indent}转办：{_masked(c.unit, conceal)}{task}  {vocab.state_label(c.state, c.role)}  "
            f"{when(c, moment, tz)}  {_last(c, tz, conceal)}"
        )
    return out


def assigned_text(result, tz: ZoneInfo, mark: str = "", conceal: bool = False) -> list[str]:
    """`assign`'s confirmation; `conceal`: a sensitive item's, naming no unit (README: a
    confirmation echoes none of the item's words)."""
    out = [f"{mark}已记录 {result.event.item_id} 转办 {local_text(result.event.happened_at, tz)}"]
    for typed, unit in () if conceal else result.completed:
        out.append(f"  {typed} → {unit}（按单位通讯录补全）")
    for c in result.clocks:
        due = deadline_text(c.deadline, tz, result.event.happened_at)
        out.append(f"  {_masked(c.unit, conceal)}：{c.name}，时限 {due}  出处：{c.source}")
    if conceal and result.unregistered:
        out.append(
            f"  {len(result.unregistered)} 个单位{UNREGISTERED}（通讯录中没有；催办时无联系方式，"
            "可用 yaoqing unit add 单位名 --phone 电话 --contact 联系人 补登）"
        )
        return out
    for unit in result.unregistered:
        out.append(
            f"  {unit}：{UNREGISTERED}（通讯录中没有；催办时无联系方式，可用 "
            f"yaoqing unit add {unit} --phone 电话 --contact 联系人 补登）"
        )
    return out


def contact_text(entry) -> str:
    if entry is None:
        return UNREGISTERED
    parts = [p for p in (entry.contact, entry.phone) if p]
    return " ".join(parts)


def chase_list_text(result, tz: ZoneInfo, include_sensitive: bool = False) -> str:
    moment = result.at
    out = [
        f"催办清单：{len(result.lines)} 项到期或逾期（截至 {local_text(moment, tz)}，"
        f"共评估 {result.considered} 条未终报要情）" + ("【演练】" if result.drill else "")
    ]
    if not result.lines:
        out.append("无。")
    for line in result.lines:
        c, item = line.clock, line.item
        conceal = item.sensitive and not include_sensitive
        role = vocab.CHASE_ROLES.get(c.role, c.role)
        leader = _masked(c.leader, conceal)
        task = _masked(c.task, conceal) or (f"{leader}批示" if leader else c.name)
        gap = moment - c.deadline if c.state == DutyState.OVERDUE else c.deadline - moment
        by = f"逾期 {span_text(gap)}" if c.state == DutyState.OVERDUE else f"剩 {span_text(gap)}"
        owes = "本单位→" if c.role in ("relay", "supervised") else ""
        # a sensitive item's unit is not named, nor given away by its telephone number
        contact = (
            "（涉密/敏感要情，加 --include-sensitive 查看）"
            if conceal
            else contact_text(line.contact)
        )
        out.append(
            f"{owes}{_masked(c.unit, conceal)}  {item.id}  {role}：{task}  "
            f"时限 {deadline_text(c.deadline, tz, moment)}  "
            f"{by}  {_last(c, tz, conceal)}  联系：{contact}"
            + ("  ※按周一至周五推算" if c.calendar_fallback else "")
        )
    return "\n".join(out)


def chase_list_json(result, tz: ZoneInfo, include_sensitive: bool = False) -> list:
    out = []
    for line in result.lines:
        conceal = line.item.sensitive and not include_sensitive
        entry = None if conceal else line.contact
        out.append(
            {
                "id": line.item.id,
                "title": MASK if conceal else line.item.title,
                **tracked_json(line.clock, tz, conceal),
                "registered": line.contact is not None,
                "contact": entry.contact if entry else None,
                "phone": entry.phone if entry else None,
            }
        )
    return out


def unit_lines(entries) -> list[str]:
    if not entries:
        return ["单位通讯录为空；登记：yaoqing unit add 某县人民政府 --phone 电话 --contact 联系人"]
    out = [f"单位通讯录：{len(entries)} 个单位"]
    for e in sorted(entries.values(), key=lambda e: e.name):
        note = f"  （{e.note}）" if e.note else ""
        out.append(f"  {e.name}  {e.contact or ''}  {e.phone or ''}{note}".rstrip())
    return out
