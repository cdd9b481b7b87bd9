"""What each command does: a use case takes the log session (session.Log) and typed values,
and returns a result dataclass.

No SQL here (that is store.py) and no printing (that is cli.py and render.py). Every write
command runs its checks and its writes inside one store transaction, so a failed check leaves
the log unchanged and two terminals filing at once get distinct, gapless numbers. The read
use cases read what the pure board (status.py) and report (report.py) need, and hand it over.
"""

import os
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from yaoqing_cli import projection, vocab
from yaoqing_cli.clock import deadline_text, from_utc_text, local_text, to_utc_text, zone
from yaoqing_cli.errors import LogError, OperationError, UsageError
from yaoqing_cli.models import EMPTY, Event, Item, correctable_values, corrected, item_payload
from yaoqing_cli.session import DRILL_MARK, Log
from yaoqing_cli.store import OFFICE as OFFICE_ID
from yaoqing_cli.store import Office, Store
from yaoqing_cli.vocab import DutyState, EventType

MAX_TEXT = 20_000  # characters in one field; a phone log entry is never longer


class FileRequest(NamedTuple):
    title: str
    occurred: datetime
    at: datetime
    received: datetime | None = None
    kind: str = "emergency"
    level: str | None = None
    policy: str | None = None
    unit: str | None = None
    category: str | None = None
    message_class: str | None = None
    sensitive: bool = False
    coordination: bool = False
    officer: str | None = None
    details: dict = EMPTY
    about: str | None = None  # the emergency (ID in this log) an opinion concerns
    about_level: str | None = None  # or its level, when that emergency is not in this log
    # 督办件 (issue 14): handed down by a higher office, which is owed feedback
    from_above: str | None = None
    supervised: bool = False
    feedback_minutes: int | None = None  # the feedback clock, overriding the policy's


class Filed(NamedTuple):
    item: Item
    event: Event
    heading: str  # 单位简称+要情专报 with 第N期


class Timeline(NamedTuple):
    item: Item
    events: list[Event]
    office: Office
    heading: str
    chase: object = None  # chuan.Chase at the moment asked (传与跟)


def check_text(
    value: str | None, what: str, *, label: bool = False, multiline: bool = False
) -> str | None:
    """Refuse text a log should not hold, in every field: control characters (C0, C1, DEL),
    invisible format characters (zero-width, BOM, bidi overrides and isolates: U+202E makes
    a title read backwards), line and paragraph separators, broken encodings, absurd sizes.
    A newline is allowed only in `multiline` text (--text), CR LF read as LF. A `label` (a unit,
    a category, an officer's or office's name) is NFKC-normalised, so ＡＢＣ县 and ABC县 are one
    unit in every count."""
    if value is None:
        return None
    if multiline:
        value = value.replace("\r\n", "\n")
    # as typed (NFKC turns U+3164 into U+1160: name what was typed), then as it will be kept
    _refuse_invisible(value, what, multiline)
    if label:
        value = unicodedata.normalize("NFKC", value)
        _refuse_invisible(value, what, multiline)
    if len(value.strip()) > MAX_TEXT:
        raise UsageError(f"{what}过长：{len(value.strip())} 个字符；最多 {MAX_TEXT} 个")
    return value.strip() or None


def _refuse_invisible(value: str, what: str, multiline: bool) -> None:
    for ch in value:  # before stripping: strip() would quietly drop NEL, U+2028, U+001C-001F
        if ch == "\n" and multiline:
            continue
        kind = _FORBIDDEN.get(unicodedata.category(ch)) or _BLANK.get(ch)
        if kind:
            where = "；换行只可用于 --text" if ch == "\n" else ""
            raise UsageError(f"{what}含有{kind}（U+{ord(ch):04X}）{where}；请只输入可见文字")


_FORBIDDEN = {  # Unicode general categories no field may hold
    "Cc": "控制字符",  # C0, DEL, C1 (ESC, NUL, NEL, ...)
    "Cf": "不可见的格式字符",  # zero-width, BOM, bidi marks, overrides and isolates
    "Zl": "行分隔符",
    "Zp": "段分隔符",
    "Cs": "无效的字符编码",  # a lone surrogate: bytes that were not UTF-8
}

# Invisible characters outside those categories (Unicode's Default_Ignorable_Code_Point, not
# Cf): a combining grapheme joiner or a Hangul filler shows nothing, so "某县\u034f人民政府"
# would be a unit apart from 某县人民政府 that no one can see.
_BLANK = dict.fromkeys("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0", "不可见的字符")


def heading_form(office: Office, title_format: str = vocab.DEFAULT_TITLE) -> str:
    """单位简称+要情专报 in the policy's format, marked on a drill log."""
    return (DRILL_MARK if office.drill else "") + title_format.format(short=office.short)


def heading(office: Office, item: Item, title_format: str = vocab.DEFAULT_TITLE) -> str:
    """The report title in the policy's format, numbered per year (第N期). A citizen's message
    filed since messages stopped taking numbers (issue_no < 0) is headed 单位简称+网民留言 with
    no number: it is not a 要情专报 (云政办发〔2016〕106号 四(三): 分类转办、交办)."""
    if item.origin:  # 转报: the number is the source office's, never this office's 第N期
        from yaoqing_cli.render import forwarded_heading

        return forwarded_heading(item)
    if item.issue_no < 0:
        return heading_form(office, vocab.MESSAGE_TITLE)
    return f"{heading_form(office, title_format)} {item.year}年第{item.issue_no}期"


def item_heading(log: Log, item: Item, events: Sequence[Event]) -> str:
    """The heading the item was issued under: what is issued stays issued. Kept in its `file`
    event (key `heading`) since log schema 3; an item filed before that gets the office's
    name in force when it was filed, never the one of a later `init`."""
    first = next((e for e in events if e.type == EventType.FILE), None)
    if item.origin:  # 转报: the source office issued it; this office only forwards it
        return heading(log.office, item)
    if first is not None and isinstance(first.data.get("heading"), str):
        return first.data["heading"]
    try:
        title_format = log.policies.get(item).title_format
    except LogError:  # a missing snapshot is verify's to name; the heading takes the default
        title_format = vocab.DEFAULT_TITLE
    return heading(log.office_at(item.filed), item, title_format)


def officer_for(explicit: str | None, office: Office) -> str | None:
    return check_text(
        explicit or os.environ.get("YAOQING_OFFICER") or office.officer, "值班员", label=True
    )


# --- init --------------------------------------------------------------------------------------


class Initialised(NamedTuple):
    office: Office
    new_heading: str  # 单位简称+要情专报 as later items will be headed
    old_heading: str | None  # as before this init, if that differs


def init_office(
    log: Log,
    name: str,
    short: str,
    policy_name: str,
    tz_name: str,
    officer: str | None,
    drill: bool = False,
) -> Initialised:
    """Record the office's settings as an 'office' event (and its row). Every run is an event:
    a new name heads only the items filed after it; issued headings never change."""
    from yaoqing_cli.policy import load_policy, names_a_file

    name = check_text(name, "单位名称", label=True)
    short = check_text(short, "单位简称", label=True)
    if not name or not short:
        raise UsageError("单位名称和单位简称不能为空：--office 单位全称 --short 单位简称")
    zone(tz_name)
    store, policy_dirs = log.store, log.policy_dirs()
    policy = load_policy(policy_name, policy_dirs)
    office = Office(
        name=name,
        short=short,
        # a local policy given as a file is found again by its absolute path
        policy=str(Path(policy_name.strip()).resolve())
        if names_a_file(policy_name)
        else policy.name,
        tz=tz_name,
        officer=check_text(officer, "值班员", label=True),
        drill=drill,
    )
    with store.transaction():
        previous = store.office()  # under the write lock: another terminal may have run init
        if previous is not None:
            if drill and not previous.drill:
                raise OperationError(
                    "这是真实日志，不能改为演练日志；演练请另建日志：yaoqing --db 演练.db init --drill …"
                )
            office = office._replace(drill=previous.drill)  # fixed when the log was made
        store.set_office(office)
    log.office_changed(office)
    new = heading_form(office, policy.title_format)
    old = None
    if previous is not None:
        try:
            old_format = load_policy(previous.policy, policy_dirs).title_format
        except (UsageError, OperationError):  # the old policy file is gone: its default form
            old_format = vocab.DEFAULT_TITLE
        old = heading_form(previous, old_format)
    return Initialised(office, new, old if old != new else None)


# --- file --------------------------------------------------------------------------------------


def file_item(log: Log, request: FileRequest) -> Filed:
    from yaoqing_cli.engine import current_level
    from yaoqing_cli.policy import load_policy

    store, office, tz = log.store, log.office, log.tz
    title = check_text(request.title, "标题")
    if not title:
        raise UsageError("标题不能为空：--title 例如 '某路段山体滑坡'")
    received = request.received or request.at
    if request.occurred > request.at:
        raise UsageError(
            f"事发时间 {local_text(request.occurred, tz)} 晚于首报时间 {local_text(request.at, tz)}；"
            "首报不能早于事发"
        )
    if received < request.occurred:
        raise UsageError(
            f"接报时间 {local_text(received, tz)} 早于事发时间 {local_text(request.occurred, tz)}"
        )
    if received > request.at:
        raise UsageError(
            f"接报时间 {local_text(received, tz)} 晚于首报时间 {local_text(request.at, tz)}"
        )
    if request.kind == "message" and request.message_class is None:
        raise UsageError(
            "网民留言须注明类别：--class praise（表扬感谢）|advice（谏言咨询）|appeal（申诉求助）"
        )
    if request.kind != "message" and request.message_class is not None:
        raise UsageError("--class 只用于网民留言（--kind message）")
    if request.kind == "message" and request.level is not None:
        raise UsageError(
            "网民留言不定级别：按类别（--class）办理，不用 --level（云政办发〔2016〕106号 四(三)）"
        )
    policy = load_policy(request.policy or office.policy, log.policy_dirs())
    if request.category is not None:
        request_category = check_text(request.category, "类别", label=True)
        policy.category_key(request_category)  # an unknown category is refused with the list
    else:
        request_category = None
    details = {}
    for key, value in request.details.items():
        checked = check_text(value, vocab.detail_label(key))
        if checked:
            details[key] = checked
    officer = officer_for(request.officer, office)
    unit = check_text(request.unit, "报送单位", label=True)
    if (request.about or request.about_level) and request.kind != "opinion":
        raise UsageError(
            "--about / --about-level 只用于政务舆情（--kind opinion）：注明舆情所涉的突发事件"
        )
    if request.about and request.about_level:
        raise UsageError("--about 与 --about-level 只能选一个：所涉事件在本日志中用 --about 编号")
    if request.about_level:
        details["about_level"] = request.about_level
    supervision = _supervision(request)
    recorded = to_utc_text(log.now)  # the command's clock (YAOQING_NOW only on a drill log)

    local_filed = request.at.astimezone(tz)
    day = local_filed.strftime("%Y%m%d")
    with store.transaction():
        store.save_policy_snapshot(policy.name, policy.hash, policy.to_snapshot())
        if request.about:
            concerned = find_item(store, request.about)
            if concerned.kind != "emergency":
                raise UsageError(
                    f"--about {concerned.id} 是{vocab.label(vocab.KINDS, concerned.kind)}；"
                    "应为舆情所涉的突发事件的编号"
                )
            details["about"] = concerned.id
            about_level = current_level(concerned, store.events(concerned.id))
            if about_level:  # an emergency not yet graded: the opinion owes every level's clock
                details["about_level"] = about_level
        day_no, issue_no = store.next_numbers(
            day, local_filed.year, message=vocab.is_message(request.kind)
        )
        item = Item(
            id=f"{day}-{day_no:03d}",
            year=local_filed.year,
            issue_no=issue_no,
            title=title,
            kind=request.kind,
            level=request.level,
            policy=policy.name,
            policy_hash=policy.hash,
            occurred=request.occurred,
            received=received,
            filed=request.at,
            message_class=request.message_class,
            unit=unit,
            category=request_category,
            sensitive=request.sensitive,
            coordination=request.coordination,
            details=details,
        )
        store.insert_item(item, day, day_no)
        issued = heading(office, item, policy.title_format)
        payload = {**item_payload(item), "heading": issued, **supervision}  # fixed when issued
        event = store.append_event(
            item.id, EventType.FILE, request.at, officer, payload, recorded_at=recorded
        )
        projection.keep_clocks(log, [(item, [event])])
        store.index_new_events()
    return Filed(item=item, event=event, heading=issued)


def _supervision(request: FileRequest) -> dict:
    """The 督办 keys a supervised item's first report keeps (chuan.supervision reads them)."""
    from_above = check_text(request.from_above, "交办的上级机关", label=True)
    if request.feedback_minutes is not None and not request.supervised:
        raise UsageError("--feedback 只与 --supervised 同用：督办件的反馈时限")
    if not request.supervised:
        return {"from_above": from_above} if from_above else {}
    if not from_above:  # the feedback is owed to someone: the sheet and the chase list name it
        raise UsageError("督办件须说明交办的上级机关：--from-above 例如 省政府办公厅")
    data = {"supervised": True, "from_above": from_above}
    if request.feedback_minutes:
        data["feedback_minutes"] = request.feedback_minutes
    return data


# --- continue and close ------------------------------------------------------------------------


def _open_item(store: Store, item_id: str, at: datetime, tz: ZoneInfo, verb: str) -> Item:
    item = find_item(store, item_id)
    closed = store.closed_at(item.id)
    if closed is not None:
        raise OperationError(
            f"{item.id} 已于 {local_text(closed, tz)} 终报，不能再{verb}；"
            f"记录有误请用 yaoqing correct {item.id} --reason 理由；需继续处理请先 yaoqing reopen {item.id} --reason 理由"
        )
    if at < item.filed:
        raise UsageError(
            f"{verb}时间 {local_text(at, tz)} 早于首报时间 {local_text(item.filed, tz)}；"
            f"{verb}只能在首报之后"
        )
    reopened = store.reopened_at(item.id)
    if reopened is not None and at < reopened:  # nothing is done while the item stood closed
        raise UsageError(
            f"{verb}时间 {local_text(at, tz)} 早于重新打开的时间 {local_text(reopened, tz)}；"
            f"{item.id} 终报后至重新打开之前不能有{verb}"
        )
    return item


def find_item(store: Store, item_id: str) -> Item:
    item_id = vocab.plain(item_id)  # ２０２６１１２２－００１ and 20261122—001 too
    unhyphened = re.fullmatch(r"(\d{8})[ _.]?(\d{3,6})", item_id, re.ASCII)
    if unhyphened:  # 20261122001, 20261122 001: the day and its number, as YYYYMMDD-NNN
        item_id = f"{unhyphened[1]}-{unhyphened[2]}"
    item = store.item(item_id)
    if item is None:
        hint = store.item_ids_like(item_id) if item_id and len(item_id) < 40 else []
        more = (
            f"；相近的编号：{'、'.join(hint)}" if hint else "；用 yaoqing status --all 查看全部编号"
        )
        raise OperationError(f"没有编号为 {item_id!r} 的要情{more}")
    return item


def continue_item(
    log: Log,
    item_id: str,
    at: datetime,
    *,
    text: str | None = None,
    done: Sequence[str] = (),
    level: str | None = None,
    extend: str | None = None,
    reason: str | None = None,
    officer: str | None = None,
    details: dict | None = None,
) -> list[Event]:
    """A follow-up (续报); a level change and an extension are events of their own.

    Anything that carries new information (--text, --done, a supplied field) is a numbered
    follow-up, also beside a regrade: a first-follow-up clock is met by the report the officer
    made (呼政办发〔2014〕30号 一). A regrade or an extension without new information says why
    in --reason (for an extension, --text alone is read as its reason)."""
    from yaoqing_cli.engine import current_level, effective_moment

    store, office, tz = log.store, log.office, log.tz
    text = check_text(text, "续报内容", multiline=True)
    reason = check_text(reason, "理由")
    officer = officer_for(officer, office)
    supplied = {}
    for key, value in (details or {}).items():
        checked = check_text(value, vocab.detail_label(key), label=key == "unit")
        if checked:
            supplied[key] = checked
    if extend is not None and reason is None and text is not None and not (done or supplied):
        reason, text = text, None  # `--extend reply --text 理由`: the text is the reason
    if extend is not None and not reason:
        raise UsageError("延期须说明理由：--reason 例如 '情况特别复杂，需多部门会商'")
    if reason and level is None and extend is None:
        raise UsageError("--reason 只与 --level 或 --extend 同用；续报内容请用 --text")
    recorded = to_utc_text(log.now)  # the command's clock (YAOQING_NOW only on a drill log)
    with store.transaction():
        item = _open_item(store, item_id, at, tz, "续报")
        events = store.events(item.id)
        policy = log.policies.get(item)
        for key in done:
            duty = policy.duty(key)
            if duty is None or duty.met_by not in ("done", "written"):
                usable = [d.key for d in policy.duties if d.met_by in ("done", "written")]
                raise UsageError(
                    f"--done {key}：政策 {policy.name} 中没有由续报完成的此项时限；"
                    f"可用：{'、'.join(usable) or '（无）'}"
                )
        written: list[Event] = []
        if level is not None and vocab.is_message(item.kind):
            raise UsageError(
                f"{item.id} 是网民留言（{vocab.grade_label(item.kind, None, item.message_class)}）："
                "网民留言不定级别，按类别办理，不用 --level（云政办发〔2016〕106号 四(三)）"
            )
        if level is not None and not (reason or text):
            raise UsageError("定级变更须说明：--reason 理由（不含新情况时），或 --text 续报内容")
        if level is not None:
            before = current_level(item, events)
            if level == before:
                raise OperationError(f"{item.id} 的级别已是{vocab.level_label(level)}，无需变更")
            written.append(
                store.append_event(
                    item.id,
                    EventType.LEVEL,
                    at,
                    officer,
                    {"from": before, "to": level, "reason": reason or text},
                    recorded_at=recorded,
                )
            )
        if done:  # at the level this command leaves it: a clock it never owed is not "done"
            status = log.judge(item, _in_order([*events, *written]), at)
            problem = unowed_clock(item, status, policy, done)
            if problem:
                raise UsageError(f"--done {problem}")
        if extend is not None:
            duty = policy.duty(extend)
            if duty is None or not duty.extension_working_days:
                extendable = [d.key for d in policy.duties if d.extension_working_days]
                raise UsageError(
                    f"--extend {extend}：政策 {policy.name} 不允许延长此项时限；"
                    f"可延长：{'、'.join(extendable) or '（无）'}"
                )
            if any(e.type == EventType.EXTEND and e.data.get("duty") == extend for e in events):
                raise OperationError(f"{item.id} 的 {extend} 时限已延长过一次，只能延长一次")
            # asked for in time, from when the request was recorded if it is back-entered
            recorded_at = from_utc_text(recorded)
            asked = effective_moment(at, recorded_at)
            status = log.judge(item, events, asked)
            clock = next((d for d in status.duties if d.key == extend), None)
            if clock is None:
                raise OperationError(f"{item.id} 没有 {extend} 时限，无需延期")
            if asked >= clock.deadline or clock.state not in (
                DutyState.PENDING,
                DutyState.DUE_SOON,
            ):
                raise OperationError(
                    f"{item.id} 的“{clock.name}”时限已于 {deadline_text(clock.deadline, tz)} 届满"
                    f"（{vocab.state_label(clock.state, clock.key)}）；延期须在时限届满前申请（云政办发〔2016〕106号 四(三)）"
                )
            written.append(
                store.append_event(
                    item.id,
                    EventType.EXTEND,
                    at,
                    officer,
                    {"duty": extend, "reason": reason},
                    recorded_at=recorded,
                )
            )
        if done or supplied or text:
            n = 1 + sum(1 for e in events if e.type == EventType.CONTINUE)
            data = {"n": n, "text": text, "done": list(dict.fromkeys(done))}
            data.update(supplied)
            written.append(
                store.append_event(
                    item.id, EventType.CONTINUE, at, officer, data, recorded_at=recorded
                )
            )
        if not written:
            raise UsageError(
                "续报没有内容：请给出 --text、--done、--level 或 --extend 中的至少一项"
            )
        projection.keep_clocks(log, [(item, _in_order([*events, *written]))])
        store.index_new_events()
    return written


def unowed_clock(item: Item, status, policy, keys: Sequence[str]) -> str | None:
    """The first of `keys` (duties a follow-up meets) that the item never owed, at any of its
    levels up to `status` (engine.ItemStatus), and why; None if it owes them all. A message owes
    no 发布权威信息, a major emergency no 回应 (鲁政办发〔2018〕18号 三: 5 h and 24 h for 特别重大、
    重大, 48 h for the others): "完成：回应" would report work no rule asked for. Shared by
    `continue --done` and import."""
    from yaoqing_cli.engine import concerned_level

    owed = [d.key for d in status.duties]
    for key in keys:
        if key in owed:
            continue
        duty = policy.duty(key)
        by_concerned = item.kind == "opinion" and duty.opinion_level == "concerned"
        level = concerned_level(item) if by_concerned else status.level
        if item.kind not in duty.kinds:
            why = f"{duty.name}不适用于{vocab.label(vocab.KINDS, item.kind)}"
        elif not duty.applies(item.kind, level):
            levels = "、".join(vocab.level_label(x) for x in duty.levels or ())
            why = (
                f"{item.id} 的{'所涉事件级别' if by_concerned else '级别'}为"
                f"{vocab.level_label(level)}，{duty.name}只适用于{levels}"
            )
        else:  # a per-class clock the item's class has none of
            grade = vocab.grade_label(item.kind, status.level, item.message_class)
            why = f"{duty.name}不适用于此件（{grade}）"
        usable = [k for k in owed if policy.duty(k).met_by in ("done", "written")]
        return f"{key}：{why}；此件可完成：{'、'.join(usable) or '（无）'}"
    return None


def _in_order(events: Sequence[Event]) -> list[Event]:
    """As the store gives an item's events: by when they happened, then as recorded."""
    return sorted(events, key=lambda e: (e.happened_at, e.seq))


def close_item(
    log: Log,
    item_id: str,
    at: datetime,
    *,
    text: str | None = None,
    outcome: str = "resolved",
    reason: str | None = None,
    officer: str | None = None,
) -> Event:
    store, office, tz = log.store, log.office, log.tz
    text = check_text(text, "终报内容", multiline=True)
    reason = check_text(reason, "理由")
    officer = officer_for(officer, office)
    if outcome in vocab.REASONED_OUTCOMES and not reason:
        raise UsageError(
            f"--outcome {outcome}（{vocab.label(vocab.OUTCOMES, outcome)}）须说明理由：--reason 例如 '经核实，伤亡人数系误传'"
        )
    recorded = to_utc_text(log.now)  # the command's clock (YAOQING_NOW only on a drill log)
    with store.transaction():
        item = _open_item(store, item_id, at, tz, "终报")
        if outcome in vocab.WARNING_OUTCOMES and item.kind != "warning":
            raise UsageError(
                f"{item.id} 是{vocab.label(vocab.KINDS, item.kind)}：--outcome {outcome}（预警未发生）只用于预警"
                "（鲁政办字〔2016〕86号 第18条）；报告的情况后经核实有误，请用 --outcome misreport（误报）并 --reason 说明"
            )
        events = store.events(item.id)
        last = events[-1]
        if at < last.happened_at:
            raise UsageError(
                f"终报时间 {local_text(at, tz)} 早于最后一次记录 {local_text(last.happened_at, tz)}；"
                "终报应在所有续报之后"
            )
        data = {"text": text, "outcome": outcome}
        if reason:
            data["reason"] = reason
        event = store.append_event(
            item.id, EventType.CLOSE, at, officer, data, recorded_at=recorded
        )
        store.mark_closed(item.id, at)
        projection.keep_clocks(log, [(item, _in_order([*events, event]))])
        store.index_new_events()
    return event


def moved_clocks(log: Log, written: Sequence[Event]) -> list:
    """The clocks a command's events changed (engine.ClockMove), judged now (or at the
    events, if stated a little ahead) with and without them: what its confirmation prints."""
    from yaoqing_cli.engine import clock_moves

    if not written:
        return []
    try:
        log.calendar  # noqa: B018  (loaded now: an unreadable --calendar leaves the record unjudged)
    except (UsageError, OperationError):  # the record stands, unjudged
        return []
    store = log.store
    item = find_item(store, written[0].item_id)
    events = store.events(item.id)
    new = {e.uid for e in written}
    moment = max(log.now, *(e.happened_at for e in written))
    before, after = (
        log.judge(item, chosen, moment)
        for chosen in ([e for e in events if e.uid not in new], events)
    )
    return clock_moves(before, after)


# --- notify and handover (issue 13) --------------------------------------------------------


class Notified(NamedTuple):
    event: Event
    listed: bool  # the name is one the item's policy lists (else a free name: meets nothing)
    known: bool = False  # a name this log already uses (a unit, the office above, a leader)
    told_before: datetime | None = None  # when this item was first told to the same name


def known_names(store: Store, events: Sequence[Event]) -> frozenset[str]:
    """Names this log already uses for an item, besides its policy's: the unit directory
    (单位通讯录), the units it was assigned or relayed to, the leader of an instruction and the
    office that supervises it (传与跟, issue 14). Telling one of them may meet a clock of the
    downward half (chuan.py), so such a name is never refused as a near miss."""
    names = {e.data.get("name") for e in store.office_events(EventType.UNIT)}
    for e in events:
        names.update(e.data.get("units") or ())
        names.add(e.data.get("leader"))
        if e.type == EventType.FILE:
            names.add(e.data.get("from_above"))
    return frozenset(n for n in names if isinstance(n, str) and n)


def told_by(text: str | None) -> str | None:
    """`--by`: 电话、短信、传真、当面、网络、纸质 (or their English keys) as their Chinese label;
    any other way is kept as typed."""
    by = check_text(text, "报告方式", label=True)
    if by is None:
        return None
    try:
        return vocab.label(vocab.TOLD_BY, vocab.lookup(vocab.TOLD_BY, by, "报告方式"))
    except UsageError:
        return by


def _without_gloss(name: str) -> str:
    """A policy's recipient name without its trailing bracketed gloss (NFKC: ASCII brackets)."""
    if name.endswith(")") and "(" in name:
        return name[: name.index("(")].strip()
    return name


def _near(who: str, names: Sequence[str]) -> list[str]:
    """Policy names a typed name probably meant: one inside the other, or close in spelling."""
    import difflib

    inside = [n for n in names if who in n or n in who]
    close = difflib.get_close_matches(who, names, n=3, cutoff=0.5)
    return list(dict.fromkeys([*inside, *close]))


def notify_item(
    log: Log,
    item_id: str,
    at: datetime,
    who: str,
    *,
    by: str | None = None,
    text: str | None = None,
    other: bool = False,
    officer: str | None = None,
) -> Notified:
    """Record that someone was told of an item (已报告). `who` meets a requirement only if it
    is a name the item's policy lists (recipients, escalation steps, the copy), exactly after
    NFKC; a name near one of those is refused with a suggestion (a typo must not leave a
    leader shown untold), unless `other` says it is someone the policy does not name, or the
    log already uses the name (known_names: a unit, the office above)."""
    from yaoqing_cli.engine import policy_names

    store, office, tz = log.store, log.office, log.tz
    name = check_text(who, "报告对象", label=True)
    if not name:
        raise UsageError("须说明报告了谁：--who 例如 '市政府应急办（市政府总值班室）'")
    way = told_by(by)
    text = check_text(text, "报告内容", multiline=True)
    officer = officer_for(officer, office)
    recorded = to_utc_text(log.now)
    with store.transaction():
        item = find_item(store, item_id)
        if at < item.received:
            raise UsageError(
                f"报告时间 {local_text(at, tz)} 早于接报时间 {local_text(item.received, tz)}；"
                "接报之前无从报告"
            )
        policy = log.policies.get(item)
        names = policy_names(policy)
        # a policy's labels use full-width brackets; what is typed is compared after NFKC, and
        # a match is kept as the policy spells it (status shows that spelling)
        spelled = {unicodedata.normalize("NFKC", n): n for n in names}
        if name not in spelled:
            # the name without its bracketed gloss (市政府应急办 for 市政府应急办（市政府总值班室）)
            # is that recipient, when it names one alone
            short = [full for n, full in spelled.items() if _without_gloss(n) == name]
            if len(short) == 1:
                name = unicodedata.normalize("NFKC", short[0])
        listed = name in spelled
        events = store.events(item.id)
        known = not listed and name in known_names(store, events)
        if listed:
            name = spelled[name]
        elif not other and not known:
            near = _near(name, list(spelled))
            near = [spelled[n] for n in near]
            if near:
                raise UsageError(
                    f"“{name}”不是政策 {policy.name} 列出的报告对象；是否指“{near[0]}”？"
                    f"政策列出：{'、'.join(names)}；确为政策以外的人或单位，加 --other"
                )
        event = store.append_event(
            item.id,
            EventType.NOTIFY,
            at,
            officer,
            {"who": name, "by": way, "text": text},
            recorded_at=recorded,
        )
        store.index_new_events()
    # a second telling is recorded (a call with news is one), and said, so a slip is seen
    before = [
        e.happened_at for e in events if e.type == EventType.NOTIFY and e.data.get("who") == name
    ]
    return Notified(event, listed, known, min(before, default=None))


class HandedOver(NamedTuple):
    event: Event
    data: dict


def handover(log: Log, to: str, note: str | None, officer: str | None = None) -> HandedOver:
    """Record the shift change (交接班): who handed over to whom, the note, and the board of
    every open item as it stands now, frozen into the event (handover.freeze)."""
    store, office = log.store, log.office
    handed_from = officer_for(officer, office)
    if not handed_from:
        raise UsageError("交班人未知：请用 --officer 姓名，或设环境变量 YAOQING_OFFICER")
    handed_to = check_text(to, "接班人", label=True)
    if not handed_to:
        raise UsageError("须说明接班人：--to 姓名")
    if handed_to == handed_from:
        raise UsageError(f"交班人与接班人都是 {handed_from}；--to 应为接班的值班员")
    note = check_text(note, "交班留言", multiline=True)
    at = log.now
    recorded = to_utc_text(at)
    with store.transaction():
        data = frozen_sheet(log, at, handed_from, handed_to, note)
        event = store.append_event(
            OFFICE_ID, EventType.HANDOVER, at, handed_from, data, recorded_at=recorded
        )
        store.index_new_events()
    return HandedOver(event, data)


def frozen_sheet(log: Log, at: datetime, handed_from: str, handed_to: str, note) -> dict:
    """What a handover at `at` freezes, from the log as it stands (import checks an own
    handover against it)."""
    from yaoqing_cli.handover import freeze
    from yaoqing_cli.views import board

    return freeze(board(log, at, brief=False), handed_from, handed_to, note)


def handovers(log: Log, since: datetime, until: datetime) -> list[Event]:
    """The handovers that happened in [since, until), in order."""
    return log.store.office_events_between(EventType.HANDOVER, since, until)


# --- correct and reopen (issue 13) ---------------------------------------------------------------


class CorrectRequest(NamedTuple):
    reason: str | None
    occurred: datetime | None = None
    received: datetime | None = None
    title: str | None = None
    kind: str | None = None
    message_class: str | None = None
    category: str | None = None
    unit: str | None = None
    location: str | None = None
    sensitive: bool | None = None
    policy: str | None = None
    officer: str | None = None


class Corrected(NamedTuple):
    before: Item
    item: Item
    event: Event
    moved: tuple  # engine.Moved: the deadlines this correction moved, judged when recorded
    # (name, unit, old, new, held): the units' clocks it moved (传与跟), or would have moved
    # (new None: dropped) had they not been breached already (held: the breach stands)
    units_moved: tuple = ()


def correction_problem(
    item: Item, to: dict, policy, tz: ZoneInfo, events: Sequence[Event]
) -> str | None:
    """What `file` would refuse in the item as corrected by `to` (None: nothing), under the
    policy it would then rest on, its times named as the office reads them (`tz`), and what its
    events (`events`) would make of it: a level on a message, a non-warning closed as 预警未发生.
    Shared by `correct` and import."""
    from yaoqing_cli.engine import _closes, current_level

    fixed = corrected(item, to)
    if not fixed.title:
        return "标题不能为空"
    if fixed.occurred > fixed.received:
        return f"接报时间 {local_text(fixed.received, tz)} 早于事发时间 {local_text(fixed.occurred, tz)}"
    if fixed.received > fixed.filed:
        return (
            f"接报时间 {local_text(fixed.received, tz)} 晚于首报时间 {local_text(fixed.filed, tz)}"
        )
    if fixed.kind == "message" and fixed.message_class is None:
        return (
            "网民留言须注明类别：--class praise（表扬感谢）|advice（谏言咨询）|appeal（申诉求助）"
        )
    if fixed.kind != "message" and fixed.message_class is not None:
        return "--class 只用于网民留言（--kind message）"
    level = current_level(item, events)
    if fixed.kind == "message" and item.kind != "message" and level is not None:
        return (
            f"网民留言不定级别，而此件已定级为{vocab.level_label(level)}（云政办发〔2016〕106号 四(三)）；"
            f"确系录错，请 yaoqing close {item.id} --outcome void --reason 理由 作废后重新记录"
        )
    close, _ = _closes(events)
    closed_as_warning = close is not None and close.data.get("outcome") in vocab.WARNING_OUTCOMES
    if closed_as_warning and fixed.kind != "warning":
        return (
            "此件以“预警未发生”终报，只有预警能如此终报（鲁政办字〔2016〕86号 第18条）；"
            f"类型要改，请先 yaoqing reopen {item.id} --reason 理由"
        )
    if fixed.category is not None:
        try:
            if policy.category_key(fixed.category) != fixed.category:
                return f"类别 {fixed.category!r} 不是政策 {policy.name} 的写法"
        except UsageError as err:
            return str(err)
    return None


def correct_item(log: Log, item_id: str, request: CorrectRequest) -> Corrected:
    """更正: a `correct` event holding the old and new value of each field it changes; the
    item's row shows the corrected values, its clocks run from the corrected anchors (the
    engine keeps a breach already shown). Every rule of `file` holds for the new values."""
    from yaoqing_cli.policy import load_policy

    store, office, tz = log.store, log.office, log.tz
    reason = check_text(request.reason, "更正理由")
    if not reason:
        raise UsageError("更正须说明理由：--reason 例如 '事发时间记错，据县应急局核实为 7:40'")
    wanted: dict = {}
    if request.title is not None:
        title = check_text(request.title, "标题")
        if not title:
            raise UsageError("标题不能为空：--title 例如 '某路段山体滑坡'")
        wanted["title"] = title
    if request.unit is not None:
        wanted["unit"] = check_text(request.unit, "报送单位", label=True)
    if request.location is not None:
        wanted["location"] = check_text(request.location, "地点")
    for key in ("occurred", "received", "kind", "message_class", "sensitive"):
        if getattr(request, key) is not None:
            wanted[key] = getattr(request, key)
    category = None
    if request.category is not None:
        category = check_text(request.category, "类别", label=True)
    officer = officer_for(request.officer, office)
    policy = None
    if request.policy is not None:
        policy = load_policy(request.policy, log.policy_dirs())
    recorded = to_utc_text(log.now)
    with store.transaction():
        item = find_item(store, item_id)
        if item.origin:
            raise OperationError(
                f"{item.id} 是{item.origin}转来的要情（转报）：由来源单位更正，再导入其记录"
            )
        events = store.events(item.id)
        if policy is not None:
            store.save_policy_snapshot(policy.name, policy.hash, policy.to_snapshot())
            wanted["policy"], wanted["policy_hash"] = policy.name, policy.hash
        target = policy or log.policies.get(item)
        if category is not None:
            wanted["category"] = target.category_key(category)
        kind = wanted.get("kind", item.kind)
        if kind != "message" and "message_class" not in wanted and item.message_class:
            wanted["message_class"] = None  # no longer a message: it has no class
        current = correctable_values(item)
        changed = {k: v for k, v in wanted.items() if current[k] != v}
        if "policy_hash" in changed:  # the name may stay and the content differ: both kept
            changed["policy"] = wanted["policy"]
        else:
            changed.pop("policy", None)
        if not changed:
            raise UsageError(
                f"更正没有改变 {item.id} 的任何内容："
                + ("所给的值与现有记录相同；" if wanted else "未给出要更正的字段；")
                + "可更正 --occurred --received --title --kind --class --category --unit --location "
                "--sensitive/--not-sensitive --policy"
            )

        def stored(key, value):
            return to_utc_text(value) if isinstance(value, datetime) else value

        data = {
            "reason": reason,
            "from": {k: stored(k, current[k]) for k in changed},
            "to": {k: stored(k, v) for k, v in changed.items()},
        }
        problem = correction_problem(item, data["to"], target, tz, events)
        if problem:
            raise UsageError(f"更正后{problem}")
        event = store.append_event(
            item.id, EventType.CORRECT, log.now, officer, data, recorded_at=recorded
        )
        fixed = corrected(item, data["to"])
        store.correct_item(fixed)
        all_events = _in_order([*events, event])
        projection.keep_clocks(log, [(fixed, all_events)])
        store.index_new_events()
    status = log.judge(fixed, all_events, event.happened_at)
    moved = tuple(m for m in status.moved if m.by == event.uid)
    units = _units_moved(log, (item, events), (fixed, all_events), event)
    return Corrected(item, fixed, event, moved, units)


def _units_moved(log: Log, before: tuple, after: tuple, event: Event) -> tuple:
    """The units' clocks (转办, 批示, 督办: chuan.py) whose deadline the correction moved, as
    (name, unit, old deadline, new deadline, False), and those it would have moved or dropped
    but found breached, as (name, unit, the deadline missed, the one it would have set or None,
    True); judged when it was recorded: `before` and `after` are (the item, its events) without
    and with the correction."""
    from yaoqing_cli.chuan import as_corrected, track

    def deadlines(chase) -> dict:
        # a supervised clock starts at 接报, which a correction may move: there is one per item
        return {
            (c.role, c.unit, None if c.role == "supervised" else c.start): c for c in chase.clocks
        }

    def judged(judge, item: Item, events) -> dict:
        return deadlines(judge(item, events, log.policies.get(item), log.calendar,
                               event.happened_at, tz=log.tz))  # fmt: skip

    def tracked(item, events, policy, calendar, now, tz):
        return track(item, events, policy, calendar, now, tz=tz,
                     resolve=log.policies.resolver(item.id))  # fmt: skip

    was, now = judged(tracked, *before), judged(tracked, *after)
    moved = [
        (c.name, c.unit, was[key].deadline, c.deadline, False)
        for key, c in now.items()
        if key in was and was[key].deadline != c.deadline
    ]
    held = [key for key, c in now.items() if c.held and key in was and not was[key].held]
    if held:
        would = judged(as_corrected, *after)
        for key in held:
            c, set_to = now[key], would.get(key)
            moved.append((c.name, c.unit, c.deadline, set_to and set_to.deadline, True))
    return tuple(moved)


def reopen_item(log: Log, item_id: str, reason: str | None, officer: str | None = None) -> Event:
    """重新打开: the item's last close no longer holds. Its clocks are judged as if the close
    had not happened from the reopening on; one that fell due while it stood closed stays
    waived (it was not owed then); see engine._closes."""
    store, office = log.store, log.office
    reason = check_text(reason, "理由")
    if not reason:
        raise UsageError("重新打开须说明理由：--reason 例如 '终报编号填错，应为 20261122-003'")
    officer = officer_for(officer, office)
    recorded = to_utc_text(log.now)
    with store.transaction():
        item = find_item(store, item_id)
        closed = store.closed_at(item.id)
        if closed is None:
            raise OperationError(f"{item.id} 尚未终报，无需重新打开")
        events = store.events(item.id)
        event = store.append_event(
            item.id, EventType.REOPEN, log.now, officer, {"reason": reason}, recorded_at=recorded
        )
        store.mark_reopened(item.id)
        projection.keep_clocks(log, [(item, _in_order([*events, event]))])
        store.index_new_events()
    return event


def timeline(log: Log, item_id: str, moment: datetime) -> tuple[Timeline, object]:
    """An item's events and heading, and its clocks (engine.ItemStatus) at `moment`."""

    office, tz = log.office, log.tz
    item = find_item(log.store, item_id)
    events = log.store.events(item.id)
    from yaoqing_cli.chuan import track

    policy = log.policies.get(item)
    chase = track(
        item, events, policy, log.calendar, moment, tz=tz, resolve=log.policies.resolver(item.id)
    )
    line = Timeline(item, events, office, item_heading(log, item, events), chase)
    return line, log.judge(item, events, moment)


def zhuanbao(log: Log, item_id: str, stage: str, include_sensitive: bool):
    """The 要情专报 of an item as a document (doc.Document), as issued under its 第N期, with its
    follow-ups, final report and leaders' instructions so far (stage "latest") or the first report
    alone ("first"), and the policy's recipients for the item's current kind and level."""
    from yaoqing_cli.doc import build_zhuanbao
    from yaoqing_cli.engine import current_level

    item = find_item(log.store, item_id)
    events = log.store.events(item.id)
    return build_zhuanbao(
        office=log.office,
        item=item,
        events=events,
        policy=log.policies.get(item),
        level=current_level(item, events),
        heading=item_heading(log, item, events),
        tz=log.tz,
        stage=stage,
        include_sensitive=include_sensitive,
    )


# --- the office calendar -------------------------------------------------------------------------


class CalendarAdded(NamedTuple):
    event: Event
    source: str
    sha256: str
    added: dict[int, tuple[int, int]]  # year -> (extra rest days, extra working days) it adds
    unknown_years: list[int]  # years the official schedule (chinese-calendar) does not cover


def _no_breach_recounted(log: Log, before, after, source: str) -> None:
    """A calendar entry is input too: it may not turn a working-day clock that is already
    overdue or late (a duty, or a unit's assignment clock) into met or waived
    (session.recounted_breach)."""
    from yaoqing_cli.session import recounted_breach

    lost = recounted_breach(log, before, after)
    if lost is not None:
        item_id, name, deadline = lost
        raise OperationError(
            f"日历文件 {source} 未录入：它会使 {item_id} 已逾期的“{name}”时限"
            f"（{deadline_text(deadline, log.tz)}）变为按时或免于考核；"
            "逾期一经记录不能由日历撤销；日志未改动"
        )


def add_calendar(log: Log, path: Path) -> CalendarAdded:
    """Record an office calendar file's entries as a 'calendar' event, so every command counts
    with them without --calendar and a deadline can always be recomputed as it was. The
    entries add to the official schedule (refused where they would undo it)."""
    from yaoqing_cli.session import load_calendar
    from yaoqing_cli.store import OFFICE
    from yaoqing_cli.workdays import read_calendar_file

    store, office, at = log.store, log.office, log.now
    entry = read_calendar_file(path)
    officer = officer_for(None, office)
    with store.transaction():
        if any(known["sha256"] == entry.sha256 for known in store.calendar_entries()):
            raise OperationError(
                f"日历文件 {entry.source}（sha256 {entry.sha256[:12]}…）已录入过，无需重复录入；"
                "用 yaoqing calendar show 查看"
            )
        before = load_calendar(None, store)
        after = before.with_entries(entry)  # refuses a clash with the log's or official days
        _no_breach_recounted(log, before, after, entry.source)
        added = before.additions(entry)
        unknown = [y for y in sorted(entry.years) if not before.official_days(y)]
        event = store.append_event(OFFICE, "calendar", at, officer, entry.to_data())
        store.add_calendar(event)
        log.calendar_changed()
        projection.keep_clocks(log)
    return CalendarAdded(event, entry.source, entry.sha256, added, unknown)


def added_text(year: int, rest: int, work: int, unknown: bool) -> str:
    """'2026：另加 1 个休息日' as `calendar add` reports it."""
    parts = [f"{rest} 个休息日"] if rest else []
    parts += [f"{work} 个工作日"] if work else []
    text = f"{year}：另加 " + "、".join(parts) if parts else f"{year}：未另加（与现有安排相同）"
    if unknown:
        text += "（节假日库未收录此年：此年按本单位录入的安排计算）"
    return text


# --- reading: the board and the report --------------------------------------------------------


def duty_report(log: Log, period):
    """The duty report (report.Report) for `period`, judged as of its end or now."""
    from yaoqing_cli.report import build_report, judged_at

    store = log.store
    calendar = log.calendar
    items = store.items_for_period(period.since, judged_at(period, log.now))
    events = store.events_for([item.id for item in items])
    policies = {item.id: log.policies.get(item) for item in items}
    headings = {
        item.id: item_heading(log, item, events[item.id])
        for item in items
        if period.since <= item.filed < period.until
    }
    anchor = store.head()
    shifts = handovers(log, period.since, period.until)
    return build_report(
        log.office,
        period,
        log.now,
        calendar,
        log.tz,
        items,
        events,
        policies,
        headings,
        anchor,
        shifts=shifts,
        resolve=log.policies.resolver(),
    )
