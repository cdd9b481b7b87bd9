"""Policies: the rule files in policies/, validated on load, resolved through `extends`.

A policy is data with no behaviour of its own; the engine reads it. Every file is checked key by
key on load, and an error names the file, the key and what was expected. The resolved policy (after
inheritance) has a content hash; items record it when filed, so a later edit of a file never moves
a running clock (DOMAIN.md, lessons: OnCall freezes the chain onto the alert).
"""

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from yaoqing_cli import vocab
from yaoqing_cli.errors import PolicyError

ANCHORS = {"occurred": "事发", "received": "接报", "filed": "首报"}
MET_BY = {
    "file": "首报",
    "first_continue": "第一次续报",
    "done": "注明完成此项的续报（continue ID --done {key}）",
    "close": "终报（close）",
}
# what a first report can carry, by the keys `file` and `continue` use (DOMAIN.md, phone log)
ELEMENTS = {
    "location": "地点",
    "unit": "报送单位",
    "summary": "事态经过",
    "consequences": "已造成的后果",
    "trend": "发展趋势",
    "measures": "已采取的处置措施",
}
DEFAULT_WARN = {"minutes": 30, "share": 0.25}
TOP_KEYS = {
    "name", "title", "aliases", "extends", "sources", "title_format", "warn", "first_report",
    "duties", "recipients", "escalation", "routing", "exemption_source",
}  # fmt: skip
DUTY_KEYS = {
    "name", "kinds", "levels", "anchor", "minutes", "hours", "working_days", "met_by",
    "extension_working_days", "source",
}  # fmt: skip


@dataclass(frozen=True)
class Duty:
    key: str
    name: str
    kinds: tuple[str, ...]
    levels: tuple[str, ...] | None  # None: every level
    anchor: str
    minutes: int | None  # a limit in clock time (a duty office is staffed 24/7)
    working_days: int | dict | None  # or per message class: {"praise": 5, ...}
    met_by: str
    extension_working_days: int | None
    source: str

    def applies(self, kind: str, level: str | None) -> bool:
        if kind not in self.kinds:
            return False
        # an item not yet graded owes every level's clock until it is graded
        return self.levels is None or level is None or level in self.levels

    def days_for(self, message_class: str | None) -> int | None:
        if isinstance(self.working_days, dict):
            return self.working_days.get(message_class) if message_class else None
        return self.working_days

    def limit_text(self) -> str:
        if self.minutes is not None:
            hours, mins = divmod(self.minutes, 60)
            return f"{hours}小时" + (f"{mins}分钟" if mins else "") if hours else f"{mins}分钟"
        if isinstance(self.working_days, dict):
            return "、".join(
                f"{vocab.label(vocab.CLASSES, c)}{n}个工作日" for c, n in self.working_days.items()
            )
        return f"{self.working_days}个工作日"


@dataclass(frozen=True)
class Recipient:
    who: str
    kinds: tuple[str, ...] | None
    levels: tuple[str, ...] | None
    source: str

    def applies(self, kind: str, level: str | None) -> bool:
        if self.kinds is not None and kind not in self.kinds:
            return False
        return self.levels is None or (level is not None and level in self.levels)


@dataclass(frozen=True)
class Step:
    """Tell `who` once a duty's deadline is `offset_minutes` away (negative: before it)."""

    who: str
    offset_minutes: int
    duties: tuple[str, ...] | None  # None: every duty
    source: str


@dataclass(frozen=True)
class Route:
    category: str
    aliases: tuple[str, ...]
    to: str


@dataclass(frozen=True)
class Policy:
    name: str
    title: str
    aliases: tuple[str, ...]
    extends: str | None
    sources: tuple[str, ...]
    title_format: str
    warn_minutes: int
    warn_share: float
    element_kinds: tuple[str, ...]
    elements: tuple[str, ...]
    elements_source: str
    duties: tuple[Duty, ...]
    recipients: tuple[Recipient, ...]
    escalation: tuple[Step, ...]
    routes: tuple[Route, ...]
    route_default: str | None
    copy_to: str | None
    routing_source: str
    hash: str
    raw: dict  # the resolved policy as data: what the log's snapshot holds
    exemption_source: str = ""  # the document excusing some failures (不予追责), if any

    def duty(self, key: str) -> Duty | None:
        return next((d for d in self.duties if d.key == key), None)

    def route(self, category: str | None) -> str | None:
        if not category or not (self.routes or self.route_default):
            return None
        wanted = category.strip().casefold()
        for route in self.routes:
            if wanted in {route.category.casefold(), *(a.casefold() for a in route.aliases)}:
                return route.to
        return self.route_default

    def to_snapshot(self) -> dict:
        return self.raw

    @classmethod
    def from_snapshot(cls, snapshot: dict) -> "Policy":
        return _build(snapshot, "日志中的政策快照")


# --- finding and loading -----------------------------------------------------------------------


def policy_dirs(extra: Sequence[Path] = ()) -> list[Path]:
    """Where policies are looked up, first match wins: --policies, YAOQING_POLICIES, shipped."""
    dirs = [Path(p) for p in extra]
    env = os.environ.get("YAOQING_POLICIES")
    if env:
        dirs += [Path(p) for p in env.split(os.pathsep) if p]
    packaged = Path(__file__).parent / "policies"  # inside an installed wheel
    dirs.append(packaged if packaged.is_dir() else Path(__file__).parent.parent / "policies")
    return dirs


def list_policies(dirs: Sequence[Path]) -> list[Policy]:
    seen: dict[str, Policy] = {}
    for directory in dirs:
        for path in sorted(Path(directory).glob("*.toml")) if Path(directory).is_dir() else []:
            if path.stem not in seen:
                seen[path.stem] = _load_path(path, dirs, ())
    return list(seen.values())


def names_a_file(name: str) -> bool:
    """`--policy ./jinan.toml` names a file; `--policy 山东` or `shandong` names a policy."""
    text = str(name).strip()
    return text.endswith(".toml") or os.sep in text


def load_policy(name: str, dirs: Sequence[Path] | None = None) -> Policy:
    """A policy by file name, Chinese alias (山东, 云南…), or path to a .toml file."""
    dirs = policy_dirs() if dirs is None else list(dirs)
    text = str(name).strip()
    candidate = Path(text)
    if names_a_file(text):
        if not _is_file(candidate):
            raise PolicyError(f"找不到政策文件 {text}")
        return _load_path(candidate, dirs, ())
    path = _find(text, dirs)
    if path is None:
        known = "、".join(f"{p.name}（{p.title}）" for p in list_policies(dirs))
        raise PolicyError(f"未知的政策：{text!r}；可用：{known or '（未找到任何政策文件）'}")
    return _load_path(path, dirs, ())


def check_policy_file(path: Path, dirs: Sequence[Path]) -> Policy:
    if not _is_file(Path(path)):
        raise PolicyError(f"找不到政策文件 {path}")
    return _load_path(Path(path), [Path(path).parent, *dirs], ())


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system is simply not there
        return False


def _find(name: str, dirs: Sequence[Path]) -> Path | None:
    wanted = name.casefold()
    for directory in dirs:
        path = Path(directory) / f"{name}.toml"
        if _is_file(path):
            return path
    for directory in dirs:
        if not Path(directory).is_dir():
            continue
        for path in sorted(Path(directory).glob("*.toml")):
            raw = _read(path)
            names = [raw.get("title", ""), *raw.get("aliases", [])]
            if any(isinstance(n, str) and n.casefold() == wanted for n in names):
                return path
    return None


def _read(path: Path) -> dict:
    import tomllib  # only commands that read policy files pay for the parser

    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyError(f"{path}：不是 UTF-8 编码的文本") from None
    except tomllib.TOMLDecodeError as err:
        raise PolicyError(f"{path}：TOML 格式错误：{err}") from None
    except RecursionError:
        raise PolicyError(f"{path}：TOML 嵌套过深，不是政策文件") from None
    except OSError as err:
        raise PolicyError(f"{path}：无法读取：{err.strerror}") from None


def _load_path(path: Path, dirs: Sequence[Path], chain: tuple[str, ...]) -> Policy:
    return _build(_resolve(path, dirs, chain), str(path))


def _resolve(path: Path, dirs: Sequence[Path], chain: tuple[str, ...]) -> dict:
    raw = _read(path)
    where = str(path)
    _check_keys(raw, TOP_KEYS, where, "")
    parent_name = raw.get("extends")
    if parent_name is None:
        return raw
    _want(
        isinstance(parent_name, str) and parent_name,
        where,
        "extends",
        '一个政策名，例如 "national"',
    )
    if parent_name in chain or parent_name == path.stem:
        raise PolicyError(
            f"{where}：extends 形成循环：{' → '.join((*chain, path.stem, parent_name))}"
        )
    parent_path = _find(parent_name, [path.parent, *dirs])
    if parent_path is None:
        raise PolicyError(f"{where}：extends = {parent_name!r}，但找不到该政策")
    parent = _resolve(parent_path, dirs, (*chain, path.stem))
    return _merge(parent, raw, where)


def _merge(parent: dict, child: dict, where: str) -> dict:
    """A child replaces duties by key, adds recipients and escalation steps, and replaces the rest."""
    _want(
        isinstance(child.get("duties", {}), dict),
        where,
        "duties",
        "以时限键为名的表，例如 [duties.report]",
    )
    for key in ("recipients", "escalation", "sources"):
        _want(isinstance(child.get(key, []), list), where, key, "数组")
    merged = {k: v for k, v in parent.items() if k not in ("name", "title", "aliases", "extends")}
    for key, value in child.items():
        if key == "duties":
            merged["duties"] = {**parent.get("duties", {}), **value}
        elif key in ("recipients", "escalation", "sources"):
            merged[key] = [*parent.get(key, []), *value]
        else:
            merged[key] = value
    merged["extends"] = child["extends"]
    return merged


# --- validation --------------------------------------------------------------------------------


def _want(ok: object, where: str, key: str, expected: str) -> None:
    if not ok:
        raise PolicyError(f"{where}：{key} 应为{expected}")


def _check_keys(table: dict, allowed: set, where: str, prefix: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise PolicyError(
            f"{where}：未知的键 {prefix}{unknown[0]}；可用：{'、'.join(sorted(allowed))}"
        )


def _text(table: dict, key: str, where: str, prefix: str = "", required: bool = True) -> str | None:
    value = table.get(key)
    if value is None and not required:
        return None
    _want(isinstance(value, str) and value.strip(), where, prefix + key, "非空文字")
    return value.strip()


def _keys(values, table: dict, where: str, key: str) -> tuple[str, ...] | None:
    if values is None:
        return None
    _want(isinstance(values, list) and values, where, key, f"非空列表，取值：{'、'.join(table)}")
    out = []
    for value in values:
        _want(
            isinstance(value, str) and value in table, where, key, f"以下之一：{'、'.join(table)}"
        )
        out.append(value)
    return tuple(out)


def _strings(table: dict, key: str, where: str, prefix: str = "") -> list[str]:
    value = table.get(key, [])
    _want(
        isinstance(value, list) and all(isinstance(v, str) for v in value),
        where, prefix + key, "文字列表",
    )  # fmt: skip
    return value


def _positive(value, where: str, key: str) -> int:
    _want(type(value) is int and value > 0, where, key, "正整数")
    return value


def _build(raw: dict, where: str) -> Policy:
    _want(isinstance(raw, dict), where, "（整个文件）", "一张表")
    _check_keys(raw, TOP_KEYS, where, "")
    name = _text(raw, "name", where)
    _want(name.replace("-", "").isalnum(), where, "name", "字母、数字和连字符组成的名字")
    title = _text(raw, "title", where)
    aliases = _strings(raw, "aliases", where)
    sources = _strings(raw, "sources", where)
    title_format = raw.get("title_format", vocab.DEFAULT_TITLE)
    _want(
        isinstance(title_format, str) and "{short}" in title_format,
        where,
        "title_format",
        '含 {short} 的文字，例如 "{short}要情专报"',
    )
    try:
        title_format.format(short="")
    except (KeyError, IndexError, ValueError):
        _want(False, where, "title_format", '只含 {short} 一个占位符的文字，例如 "{short}要情专报"')

    warn = raw.get("warn", DEFAULT_WARN)
    _want(isinstance(warn, dict), where, "warn", "表：minutes（分钟）和/或 share（时限的比例）")
    _check_keys(warn, {"minutes", "share"}, where, "warn.")
    warn_minutes = warn.get("minutes", 0)
    _want(type(warn_minutes) is int and warn_minutes >= 0, where, "warn.minutes", "非负整数")
    warn_share = warn.get("share", 0.0)
    _want(
        isinstance(warn_share, int | float) and 0 <= warn_share < 1,
        where,
        "warn.share",
        "0 到 1 之间的小数",
    )

    first = raw.get("first_report", {})
    _want(isinstance(first, dict), where, "first_report", "表")
    _check_keys(first, {"kinds", "elements", "source"}, where, "first_report.")
    elements = first.get("elements", [])
    _want(
        isinstance(elements, list),
        where,
        "first_report.elements",
        f"列表，取值：{'、'.join(ELEMENTS)}",
    )
    elements = _keys(elements or None, ELEMENTS, where, "first_report.elements") or ()
    element_kinds = _keys(first.get("kinds"), vocab.KINDS, where, "first_report.kinds") or tuple(
        vocab.KINDS
    )
    elements_source = _text(first, "source", where, "first_report.", required=bool(elements)) or ""

    duties_raw = raw.get("duties", {})
    _want(isinstance(duties_raw, dict), where, "duties", "以时限键为名的表，例如 [duties.report]")
    # shown in the order a case unfolds (vocab.DUTY_KEYS), whatever order the file used
    order = list(vocab.DUTY_KEYS)
    duties = tuple(
        _duty(key, duties_raw[key], where)
        for key in sorted(duties_raw, key=lambda k: order.index(k) if k in order else len(order))
    )

    recipients = []
    for i, entry in enumerate(_list_of_tables(raw, "recipients", where)):
        prefix = f"recipients[{i}]."
        _check_keys(entry, {"who", "kinds", "levels", "source"}, where, prefix)
        recipients.append(
            Recipient(
                who=_text(entry, "who", where, prefix),
                kinds=_keys(entry.get("kinds"), vocab.KINDS, where, prefix + "kinds"),
                levels=_keys(entry.get("levels"), vocab.LEVELS, where, prefix + "levels"),
                source=_text(entry, "source", where, prefix),
            )
        )

    steps = []
    duty_keys = {d.key for d in duties}
    for i, entry in enumerate(_list_of_tables(raw, "escalation", where)):
        prefix = f"escalation[{i}]."
        _check_keys(entry, {"who", "offset_minutes", "duties", "source"}, where, prefix)
        offset = entry.get("offset_minutes", 0)
        _want(type(offset) is int, where, prefix + "offset_minutes", "整数分钟（负数表示时限前）")
        only = entry.get("duties")
        if only is not None:
            _want(
                isinstance(only, list) and only and all(isinstance(k, str) and k in duty_keys for k in only),
                where, prefix + "duties", f"本政策中的时限键列表：{'、'.join(sorted(duty_keys))}",
            )  # fmt: skip
        steps.append(
            Step(
                who=_text(entry, "who", where, prefix),
                offset_minutes=offset,
                duties=tuple(only) if only else None,
                source=_text(entry, "source", where, prefix),
            )
        )
    steps.sort(key=lambda s: s.offset_minutes)

    routing = raw.get("routing", {})
    _want(isinstance(routing, dict), where, "routing", "表")
    _check_keys(routing, {"categories", "default", "copy_to", "source"}, where, "routing.")
    routes = []
    for i, entry in enumerate(_list_of_tables(routing, "categories", where, "routing.")):
        prefix = f"routing.categories[{i}]."
        _check_keys(entry, {"name", "aliases", "to"}, where, prefix)
        extra = _strings(entry, "aliases", where, prefix)
        routes.append(
            Route(
                _text(entry, "name", where, prefix), tuple(extra), _text(entry, "to", where, prefix)
            )
        )
    route_default = _text(routing, "default", where, "routing.", required=False)
    copy_to = _text(routing, "copy_to", where, "routing.", required=False)
    routing_source = _text(routing, "source", where, "routing.", required=bool(routing)) or ""
    exemption_source = _text(raw, "exemption_source", where, required=False) or ""

    canonical = json.dumps(
        raw, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )
    return Policy(
        name=name,
        title=title,
        aliases=tuple(aliases),
        extends=raw.get("extends"),
        sources=tuple(sources),
        title_format=title_format,
        warn_minutes=warn_minutes,
        warn_share=float(warn_share),
        element_kinds=element_kinds,
        elements=elements,
        elements_source=elements_source,
        duties=duties,
        recipients=tuple(recipients),
        escalation=tuple(steps),
        routes=tuple(routes),
        route_default=route_default,
        copy_to=copy_to,
        routing_source=routing_source,
        hash=hashlib.sha256(canonical.encode()).hexdigest(),
        raw=json.loads(canonical),
        exemption_source=exemption_source,
    )


def _list_of_tables(table: dict, key: str, where: str, prefix: str = "") -> list[dict]:
    value = table.get(key, [])
    _want(
        isinstance(value, list) and all(isinstance(v, dict) for v in value),
        where, prefix + key, f"表的数组，例如 [[{prefix}{key}]]",
    )  # fmt: skip
    return value


def _duty(key: str, table, where: str) -> Duty:
    prefix = f"duties.{key}."
    _want(
        key in vocab.DUTY_KEYS,
        where,
        f"duties.{key}",
        f"以下时限键之一：{'、'.join(vocab.DUTY_KEYS)}",
    )
    _want(isinstance(table, dict), where, f"duties.{key}", "表")
    _check_keys(table, DUTY_KEYS, where, prefix)
    anchor = table.get("anchor")
    _want(
        isinstance(anchor, str) and anchor in ANCHORS,
        where,
        prefix + "anchor",
        f"以下之一：{'、'.join(ANCHORS)}",
    )
    met_by = table.get("met_by")
    _want(
        isinstance(met_by, str) and met_by in MET_BY,
        where,
        prefix + "met_by",
        f"以下之一：{'、'.join(MET_BY)}",
    )
    limits = [k for k in ("minutes", "hours", "working_days") if k in table]
    _want(len(limits) == 1, where, prefix + "minutes|hours|working_days", "三者恰好其一")
    minutes = working_days = None
    if "minutes" in table:
        minutes = _positive(table["minutes"], where, prefix + "minutes")
    elif "hours" in table:
        minutes = _positive(table["hours"], where, prefix + "hours") * 60
    else:
        days = table["working_days"]
        if isinstance(days, dict):
            _want(days, where, prefix + "working_days", "非空表")
            for cls, n in days.items():
                _want(
                    cls in vocab.CLASSES,
                    where,
                    f"{prefix}working_days.{cls}",
                    f"留言类别之一：{'、'.join(vocab.CLASSES)}",
                )
                _positive(n, where, f"{prefix}working_days.{cls}")
            working_days = dict(days)
        else:
            working_days = _positive(days, where, prefix + "working_days")
    extension = table.get("extension_working_days")
    if extension is not None:
        _positive(extension, where, prefix + "extension_working_days")
        _want(
            working_days is not None,
            where,
            prefix + "extension_working_days",
            "只用于以工作日计的时限",
        )
    return Duty(
        key=key,
        name=_text(table, "name", where, prefix),
        kinds=_keys(table.get("kinds", []), vocab.KINDS, where, prefix + "kinds"),
        levels=_keys(table.get("levels"), vocab.LEVELS, where, prefix + "levels"),
        anchor=anchor,
        minutes=minutes,
        working_days=working_days,
        met_by=met_by,
        extension_working_days=extension,
        source=_text(table, "source", where, prefix),
    )


# --- explaining -----------------------------------------------------------------------------


def explain(policy: Policy) -> list[str]:
    """Each rule in plain Chinese with its source, for `policy show` and `policy check`."""
    out = [
        f"{policy.title}（{policy.name}）" + (f"，继承 {policy.extends}" if policy.extends else "")
    ]
    if policy.aliases:
        out.append(f"也可写作：{'、'.join(policy.aliases)}")
    for source in policy.sources:
        out.append(f"依据：{source}")
    out.append("")
    out.append("时限：" if policy.duties else "时限：无")
    for d in policy.duties:
        kinds = "、".join(vocab.label(vocab.KINDS, k) for k in d.kinds)
        levels = "、".join(vocab.level_label(lv) for lv in d.levels) if d.levels else "各级"
        out.append(
            f"  {d.key}  {d.name}：{kinds}（{levels}），自{ANCHORS[d.anchor]}起 {d.limit_text()}内，"
            f"以{MET_BY[d.met_by].format(key=d.key)}为完成"
            + (
                f"；情况特别复杂的可延长一次 {d.extension_working_days} 个工作日"
                if d.extension_working_days
                else ""
            )
        )
        out.append(f"      出处：{d.source}")
    if any(d.working_days for d in policy.duties):
        out.append(
            "  工作日：接收当日不计，截止于第N个工作日24:00；节假日与调休按国务院办公厅公布的安排"
        )
    out.append(
        f"临近提醒：时限前 {policy.warn_minutes} 分钟或剩余不足时限的 {policy.warn_share:.0%} 时（取较早者）"
    )
    if policy.recipients:
        out.append("须报告：")
        for r in policy.recipients:
            scope = "、".join(vocab.level_label(lv) for lv in r.levels) if r.levels else "各级"
            out.append(f"  {r.who}（{scope}）  出处：{r.source}")
    if policy.escalation:
        out.append("逐级提醒：")
        for s in policy.escalation:
            when = "到期时" if s.offset_minutes == 0 else (
                f"到期前 {-s.offset_minutes} 分钟" if s.offset_minutes < 0 else f"逾期 {s.offset_minutes} 分钟"
            )  # fmt: skip
            which = "、".join(s.duties) if s.duties else "各项时限"
            out.append(f"  {when}（{which}）：{s.who}  出处：{s.source}")
    if policy.routes or policy.copy_to:
        out.append("归口报送：")
        for r in policy.routes:
            out.append(f"  {r.category} → {r.to}")
        if policy.route_default:
            out.append(f"  其他 → {policy.route_default}")
        if policy.copy_to:
            out.append(f"  同时抄送：{policy.copy_to}")
        out.append(f"  出处：{policy.routing_source}")
    if policy.elements:
        names = "、".join(ELEMENTS[e] for e in policy.elements)
        out.append(f"首报要素：时间、{names}  出处：{policy.elements_source}")
    out.append(f"报告标题：{policy.title_format.replace('{short}', '单位简称')}，按年编第N期")
    return out
