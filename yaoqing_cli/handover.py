"""The handover sheet (交接班): the board frozen into the `handover` event, and its text.

A pure module: `freeze` turns a judged board (status.Board, every open item in full) into the
data the event keeps; `sheet_lines` prints a sheet from that data alone, so `handover --list`
shows what was handed over, whatever the log learned afterwards (a back-entered follow-up, a
later notify). The sheet is evidence, like a heading as issued: the hash chain protects it,
and import takes an own-office handover only if the log as it stands then freezes the same.

Duty offices hand over everything unfinished explicitly (首办责任制; DOMAIN.md, "office
practice"): each open item with its running clocks, what is overdue, what falls due early in
the next shift (NEXT_SHIFT_HOURS), who is still to be told, and the note.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from yaoqing_cli import vocab
from yaoqing_cli.clock import deadline_text, from_utc_text, local_text, span_text, to_utc_text
from yaoqing_cli.facts import MASK
from yaoqing_cli.vocab import RUNNING, DutyState

# The first hours of the next shift: clocks due within them are listed apart on the sheet.
# A 24-hour duty office hands over two or three times a day; 4 hours is the first part of any
# shift. Kept in each handover's data (`due_hours`), so a change never alters an old sheet.
NEXT_SHIFT_HOURS = 4

DATA_KEYS = frozenset({"from", "to", "note", "due_hours", "items"})
ITEM_KEYS = frozenset(
    {"id", "title", "sensitive", "kind", "level", "policy", "clocks", "untold", "told", "missing"}
)
CLOCK_KEYS = frozenset({"key", "name", "deadline", "state"})
UNTOLD_KEYS = frozenset({"who", "heading"})
TOLD_KEYS = frozenset({"who", "at", "by"})


def freeze(board, handed_from: str, handed_to: str, note: str | None) -> dict:
    """The data of a `handover` event: who handed over to whom, the note, and every open item
    of `board` with its running clocks, those still to be told and those told. A sensitive
    item keeps no title (an export masks item content, not office-level events)."""
    items = []
    for row in board.rows:
        item, status = row.item, row.status
        items.append(
            {
                "id": item.id,
                "title": None if item.sensitive else item.title,
                "sensitive": item.sensitive,
                "kind": item.kind,
                "level": status.level,
                "policy": item.policy,
                "clocks": [
                    {
                        "key": d.key,
                        "name": d.name,
                        "deadline": to_utc_text(d.deadline),
                        "state": str(d.state),
                    }
                    for d in status.duties
                    if d.state in RUNNING
                ]
                + _downward(row.chase, item.sensitive),
                "untold": [{"who": n.who, "heading": n.heading} for n in status.untold],
                "told": [{"who": t.who, "at": to_utc_text(t.at), "by": t.by} for t in status.told],
                "missing": list(status.missing),
            }
        )
    return {
        "from": handed_from,
        "to": handed_to,
        "note": note,
        "due_hours": NEXT_SHIFT_HOURS,
        "items": items,
    }


def _downward(chase, sensitive: bool) -> list[dict]:
    """The running clocks of the downward half (转办, 转批示件, 批示反馈, 督办反馈: chuan.py),
    handed over like the item's own: a unit that owes a reply is the next shift's to chase.
    Keyed by role; a sensitive item's names no unit (its assignments are not shown either)."""
    return [
        {
            "key": c.role,
            "name": c.name if sensitive else f"{c.name}→{c.unit}",
            "deadline": to_utc_text(c.deadline),
            "state": str(c.state),
        }
        for c in (chase.clocks if chase else ())
        if c.state in RUNNING
    ]


def sheet_lines(
    at: datetime, data: Mapping, tz: ZoneInfo, drill: bool = False, titles: Mapping | None = None
) -> list[str]:
    """The handover sheet from a handover's data: the board, the overdue, the clocks due in
    the next shift's first hours, who is still to be told, and the note. `titles`: the
    items sensitive now or when frozen, with their current title (--include-sensitive) or None."""
    items = data.get("items") or []
    hours = data.get("due_hours") or NEXT_SHIFT_HOURS
    horizon = at + timedelta(hours=hours)
    mark = "【演练】" if drill else ""
    out = [
        f"{mark}交接班 {local_text(at, tz)}：{data.get('from')} → {data.get('to')}",
        f"未终报要情：{len(items)} 条",
    ]
    overdue, soon, untold = [], [], []
    for entry in items:
        title = _title(entry, titles) or MASK
        kind = vocab.label(vocab.KINDS, entry.get("kind"))
        # a citizen's message has a class, never a level (云政办发〔2016〕106号 四(三)); the
        # sheet does not freeze the class, so a message shows none rather than 未定级
        grade = "" if vocab.is_message(entry.get("kind")) else vocab.level_label(entry.get("level"))
        tags = "·".join(t for t in (kind, grade, entry.get("policy")) if t)
        out.append(f"  {entry['id']}  {title}  [{tags}]")
        for clock in entry.get("clocks") or []:
            deadline = from_utc_text(clock["deadline"])
            state = clock["state"]
            when = _when(state, deadline, at, tz)
            name = _clock_name(clock, entry, titles)
            out.append(f"    {name}（{clock['key']}）：{_state(state)}  {when}")
            line = f"  {entry['id']}  {name}  {when}"
            if state == DutyState.OVERDUE:
                overdue.append(line)
            elif deadline <= horizon:
                soon.append(line)
        if not entry.get("clocks"):
            out.append("    时限：无运行中的时限")
        owed = entry.get("untold") or []
        for heading in ("须报告", "同时抄送"):
            names = [u["who"] for u in owed if u.get("heading") == heading]
            if names:
                out.append(f"    {heading}（未报告）：" + "；".join(names))
                untold.append(f"  {entry['id']}  {heading}：" + "；".join(names))
        told = entry.get("told") or []
        if told:
            out.append(
                "    已报告："
                + "；".join(
                    f"{t['who']}（{local_text(from_utc_text(t['at']), tz)[5:]}"
                    + (f" {t['by']}" if t.get("by") else "")
                    + "）"
                    for t in told
                )
            )
        if entry.get("missing"):
            out.append("    首报尚缺：" + "、".join(entry["missing"]))
    out.append(f"已逾期：{len(overdue)} 项")
    out += overdue
    out.append(f"接班后 {hours} 小时内到期：{len(soon)} 项")
    out += soon
    out.append(f"尚未报告：{len(untold)} 条要情")
    out += untold
    note = data.get("note")
    out.append("交班留言：" + (note.replace("\n", "\n    ") if note else "无"))
    return out


def _title(entry: Mapping, titles: Mapping | None) -> str | None:
    """The title a sheet shows: `titles` speaks for every item sensitive now or when frozen
    (its current title with --include-sensitive, else None: masked), the frozen one otherwise."""
    if titles is not None and entry["id"] in titles:
        return titles[entry["id"]]
    return entry.get("title")


def _clock_name(clock: Mapping, entry: Mapping, titles: Mapping | None) -> str:
    """A clock's name as frozen, without the unit a 传与跟 clock names ("转办→某县人民政府")
    when the item is masked now: sensitive when frozen, it names none; made sensitive since (a
    correction), the sheet must not show the unit it froze either."""
    name = clock["name"]
    masked = titles is not None and entry["id"] in titles and titles[entry["id"]] is None
    if masked and clock.get("key") in vocab.CHASE_ROLES:
        return name.split("→", 1)[0]
    return name


def _state(state: str) -> str:
    return vocab.STATE_LABELS.get(state, state)


def _when(state: str, deadline: datetime, at: datetime, tz: ZoneInfo) -> str:
    if state == DutyState.OVERDUE:
        return f"逾期 {span_text(at - deadline)}（时限 {deadline_text(deadline, tz, at)}）"
    return f"剩 {span_text(deadline - at)}（时限 {deadline_text(deadline, tz, at)}）"


def sheet_json(at: datetime, data: Mapping, tz: ZoneInfo, titles: Mapping | None = None) -> dict:
    """`handover --json`: a sheet as data, times ISO 8601 in the office's zone."""
    from yaoqing_cli.clock import iso_local

    def local(text: str | None) -> str | None:
        return None if text is None else iso_local(from_utc_text(text), tz)

    return {
        "at": iso_local(at, tz),
        "from": data.get("from"),
        "to": data.get("to"),
        "note": data.get("note"),
        "due_hours": data.get("due_hours") or NEXT_SHIFT_HOURS,
        "items": [
            {
                "id": entry["id"],
                "title": _title(entry, titles),
                "sensitive": bool(entry.get("sensitive")) or entry["id"] in (titles or {}),
                "kind": entry.get("kind"),
                "level": entry.get("level"),
                "policy": entry.get("policy"),
                "clocks": [
                    {
                        **clock,
                        "name": _clock_name(clock, entry, titles),
                        "deadline": local(clock["deadline"]),
                    }
                    for clock in entry.get("clocks") or []
                ],
                "untold": [dict(u) for u in entry.get("untold") or []],
                "told": [{**t, "at": local(t["at"])} for t in entry.get("told") or []],
                "missing": list(entry.get("missing") or []),
            }
            for entry in data.get("items") or []
        ],
    }
