"""Policies: the rule files in policies/, validated on load, resolved through `extends`.

A policy is data with no behaviour of its own; the engine reads it. Every file is checked key by
key on load, and an error names the file, the key and what was expected. The resolved policy (after
inheritance) has a content hash; items record it when filed, so a later edit of a file never moves
a running clock (DOMAIN.md, lessons: OnCall freezes the chain onto the alert).
"""

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from yaoqing_cli import vocab
from yaoqing_cli.errors import PolicyError, UsageError, os_reason
from yaoqing_cli.models import EMPTY, canonical_json, sha256_hex

ANCHORS = vocab.ANCHORS
MET_BY = {
    "file": "首报",
    "written": "书面报告：以书面方式（传真、网络、纸质）报出的首报，或电话首报后注明已报书面报告的续报（continue ID --done {key}）",
    "first_continue": "第一次续报",
    "done": "注明完成此项的续报（continue ID --done {key}）",
    "close": "终报（close）",
}
# what a first report can carry, by the keys `file` and `continue` use (DOMAIN.md, phone log)
ELEMENTS = {key: vocab.detail_label(key) for key in vocab.ELEMENT_FIELDS}
DEFAULT_WARN = {"minutes": 30, "share": 0.25}
TOP_KEYS = {
    "name", "title", "aliases", "extends", "sources", "office", "title_format", "warn",
    "first_report", "duties", "recipients", "escalation", "routing", "exemption_source",
    "assign", "relay", "instruct_feedback", "supervised_feedback",
}  # fmt: skip
# The range of every number a policy may hold: what a real office could need, and small enough
# that no clock, warning window or escalation step can overflow a date or keep the engine
# counting days for long (a year's clock at most; a year has about 250 working days).
LIMITS = {
    "minutes": (1, 365 * 24 * 60),
    "hours": (1, 365 * 24),
    "working_days": (1, 250),
    "extension_working_days": (1, 250),
    "warn.minutes": (0, 7 * 24 * 60),
    "offset_minutes": (-30 * 24 * 60, 30 * 24 * 60),
}
MAX_EXTENDS = 16  # levels of `extends`: a province, a city, an office, with room to spare
# 云政办发〔2016〕106号 三(三)：其他政务舆情信息由政府办公厅（室）负责统筹报送
OTHER_CATEGORY = "其他"
DUTY_TABLE_KEYS = {  # what a [duties.KEY] table may hold
    "name", "kinds", "levels", "anchor", "minutes", "hours", "working_days", "met_by",
    "extension_working_days", "source", "opinion_level",
}  # fmt: skip
# Which level decides a duty for an opinion item: its own grade, or the grade of the emergency
# it concerns (鲁政办发〔2018〕18号 三: 对涉及特别重大、重大突发事件的政务舆情…).
OPINION_LEVELS = {"own": "舆情本身的级别", "concerned": "所涉突发事件的级别"}
# 传与跟 (issue 14): the clocks of the downward half, each a table of its own.
#   [assign.KIND]          the handling unit's clock, from the hand-over (转办、交办)
#   [relay]                the office's: forward a leader's instruction (转批示件, 第一时间)
#   [instruct_feedback]    a unit's feedback on a leader's instruction (跟踪反馈)
#   [supervised_feedback]  the office's feedback on an item supervised from above (督办件)
CLOCK_TABLES = {
    "relay": "转批示件",
    "instruct_feedback": "批示反馈",
    "supervised_feedback": "督办反馈",
}
CLOCK_TABLE_KEYS = {"name", "minutes", "hours", "working_days", "extension_working_days", "source"}


class Clock(NamedTuple):
    """One clock of the downward half (传与跟): a limit from its own start, and its source."""

    name: str
    minutes: int | None
    working_days: int | dict | None  # or per message class
    extension_working_days: int | None
    source: str

    def days_for(self, message_class: str | None) -> int | None:
        if isinstance(self.working_days, dict):
            return self.working_days.get(message_class) if message_class else None
        return self.working_days

    def limit_text(self) -> str:
        return Duty.limit_text(self)  # the same words as a duty's limit


class Duty(NamedTuple):
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
    opinion_level: str = "own"  # for opinions: "own" grade or the "concerned" emergency's

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


class Recipient(NamedTuple):
    who: str
    kinds: tuple[str, ...] | None
    levels: tuple[str, ...] | None
    source: str
    # false for a permissive rule (可报告), e.g. 鲁政办字〔2016〕86号 第9条 "可在报送……的同时，
    # 报告省政府办公厅负责同志"; true (须报告) by default
    required: bool = True
    # a copy (抄送) rather than a report, e.g. 云政办发〔2016〕106号 三(三) "须同时抄送……"
    copy: bool = False

    def applies(self, kind: str, level: str | None) -> bool:
        if self.kinds is not None and kind not in self.kinds:
            return False
        # as for clocks (Duty.applies): an item not yet graded owes every level's recipients
        return self.levels is None or level is None or level in self.levels


class Step(NamedTuple):
    """Tell `who` once a duty's deadline is `offset_minutes` away (negative: before it)."""

    who: str
    offset_minutes: int
    duties: tuple[str, ...] | None  # None: every duty
    source: str


class Route(NamedTuple):
    category: str
    aliases: tuple[str, ...]
    to: str


class Policy(NamedTuple):
    name: str
    title: str
    aliases: tuple[str, ...]
    extends: str | None
    sources: tuple[str, ...]
    office: str  # whose office the policy speaks for (the seat), "" if the file does not say
    office_source: str
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
    # 传与跟 (issue 14): kind -> the handling unit's clock, and the office's own clocks
    assign: dict = EMPTY
    relay: Clock | None = None
    instruct_feedback: Clock | None = None
    supervised_feedback: Clock | None = None

    def duty(self, key: str) -> Duty | None:
        return next((d for d in self.duties if d.key == key), None)

    def route(self, category: str | None) -> str | None:
        """Who is expected to *send* reports of this category (归口报送, 云政办发〔2016〕106号
        三(三))：a sender, never a recipient. None without a category, or for one this policy
        does not know (an item filed before categories were checked is not guessed at)."""
        if not category or not (self.routes or self.route_default):
            return None
        wanted = category.strip().casefold()
        for route in self.routes:
            if wanted in {route.category.casefold(), *(a.casefold() for a in route.aliases)}:
                return route.to
        if self.route_default and wanted == OTHER_CATEGORY:
            return self.route_default
        return None

    def category_key(self, category: str | None) -> str | None:
        """The category as this policy names it; an unknown one is refused with the list.

        Under a policy without routing any text is kept as it was typed (None for none)."""
        if category is None or not (self.routes or self.route_default):
            return category
        wanted = category.strip().casefold()
        for route in self.routes:
            if wanted in {route.category.casefold(), *(a.casefold() for a in route.aliases)}:
                return route.category
        if self.route_default and wanted == OTHER_CATEGORY:
            return OTHER_CATEGORY
        names = [
            r.category + (f"（{'、'.join(r.aliases)}）" if r.aliases else "") for r in self.routes
        ]
        if self.route_default:
            names.append(OTHER_CATEGORY)
        raise UsageError(
            f"--category {category!r}：政策 {self.name} 没有这个类别；可用：{'；'.join(names)}"
        )

    def to_snapshot(self) -> dict:
        return self.raw

    @classmethod
    def from_snapshot(cls, snapshot: dict, stored_hash: str | None = None) -> "Policy":
        """The policy a log snapshot holds. `stored_hash`: the hash the log files it under,
        taken as is (verify recomputes every snapshot's hash); without it, it is computed."""
        return _build(snapshot, "日志中的政策快照", stored_hash=stored_hash)


# --- finding and loading -----------------------------------------------------------------------


def policy_dirs(extra: Sequence[Path] = ()) -> list[Path]:
    """Where policies are looked up, first match wins: --policies, YAOQING_POLICIES, shipped.
    A folder given either way must be one: a mistyped path would otherwise leave the office's
    own policy unfound, or a shipped one of the same name silently in its place."""
    given = [(Path(p), "--policies") for p in extra]
    env = os.environ.get("YAOQING_POLICIES")
    if env:
        given += [(Path(p), "环境变量 YAOQING_POLICIES") for p in env.split(os.pathsep) if p]
    for path, where in given:
        try:
            wrong = None if path.is_dir() else "不是目录" if path.exists() else "不存在"
        except OSError as err:  # a name too long for the file system, …
            wrong = f"无法访问：{os_reason(err)}"
        if wrong:
            raise UsageError(
                f"政策目录 {path} {wrong}（{where}）；请给出存放政策文件（.toml）的目录"
            )
    return [path for path, _ in given] + [_shipped()]


class Listed(NamedTuple):
    """One policy file as `policy list` shows it: loaded, or broken with the reason."""

    path: Path
    policy: Policy | None
    error: str | None
    shadows: tuple[str, ...]  # names of a shipped policy this local file takes the place of


def _shipped() -> Path:
    """The policies that ship with yaoqing: inside an installed wheel, or the repository's."""
    packaged = Path(__file__).parent / "policies"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "policies"


def survey_policies(dirs: Sequence[Path]) -> list[Listed]:
    """Every policy file in `dirs`, first of a name wins; a broken file is listed with its
    error instead of failing the whole list."""
    shipped = _shipped_names()
    seen: set[str] = set()
    out = []
    for directory in dirs:
        for path in sorted(Path(directory).glob("*.toml")) if Path(directory).is_dir() else []:
            if path.stem in seen:
                continue
            seen.add(path.stem)
            try:
                policy, error = _load_path(path, dirs), None
            except PolicyError as err:
                policy, error = None, str(err)
            out.append(Listed(path, policy, error, shadowed(path, shipped)))
    return out


def list_policies(dirs: Sequence[Path]) -> list[Policy]:
    return [entry.policy for entry in survey_policies(dirs) if entry.policy is not None]


def _shipped_names() -> dict[str, str]:
    """Every name a shipped policy answers to (file stem, name, title, aliases) -> its stem."""
    names: dict[str, str] = {}
    for path in sorted(_shipped().glob("*.toml")):
        for name in _names_of(path):
            names.setdefault(name.casefold(), path.stem)
    return names


def _names_of(path: Path) -> list[str]:
    raw = _read_quietly(path)
    extra = [raw.get("name"), raw.get("title"), *(raw.get("aliases") or [])]
    return [path.stem, *(n for n in extra if isinstance(n, str) and n)]


def shadowed(path: Path, shipped: dict[str, str] | None = None) -> tuple[str, ...]:
    """The shipped policies a local file takes the place of when looked up by one of its names
    (its file name, `name`, `title` or an alias): local folders are searched first."""
    shipped = _shipped_names() if shipped is None else shipped
    try:
        if Path(path).resolve().parent == _shipped().resolve():
            return ()
    except OSError:
        return ()
    hit = {shipped[n.casefold()] for n in _names_of(Path(path)) if n.casefold() in shipped}
    return tuple(sorted(hit))


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
        return _load_path(candidate, dirs)
    path = _find(text, dirs)
    if path is None:
        known = "、".join(f"{p.name}（{p.title}）" for p in list_policies(dirs))
        raise PolicyError(f"未知的政策：{text!r}；可用：{known or '（未找到任何政策文件）'}")
    return _load_path(path, dirs)


def check_policy_file(path: Path, dirs: Sequence[Path]) -> Policy:
    if not _is_file(Path(path)):
        raise PolicyError(f"找不到政策文件 {path}")
    return _load_path(Path(path), [Path(path).parent, *dirs])


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system is simply not there
        return False


def _find(name: str, dirs: Sequence[Path], skip: Path | None = None) -> Path | None:
    """The first file in `dirs` named `name` (file stem first, then `name`, title or alias).
    `skip`: a file that may not answer (a local shandong.toml extending the shipped one)."""
    wanted = name.casefold()
    skipped = _identity(skip) if skip is not None else None
    if "/" not in name and "\\" not in name and not name.startswith("."):
        for directory in dirs:
            path = Path(directory) / f"{name}.toml"
            if _is_file(path) and _identity(path) != skipped:
                return path
    for directory in dirs:
        if not Path(directory).is_dir():
            continue
        for path in sorted(Path(directory).glob("*.toml")):
            if _identity(path) == skipped:
                continue
            # another file's own error is not this name's error: a broken file is passed over
            if any(n.casefold() == wanted for n in _names_of(path)[1:]):
                return path
    return None


def _read_quietly(path: Path) -> dict:
    try:
        raw = _read(path)
    except PolicyError:
        return {}
    return raw


def _read(path: Path) -> dict:
    import tomllib  # only commands that read policy files pay for the parser

    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyError(f"{path}：不是 UTF-8 编码的文本") from None
    except tomllib.TOMLDecodeError as err:
        from yaoqing_cli.tomltext import toml_message

        raise PolicyError(f"{path}：TOML 格式错误，{toml_message(str(err))}") from None
    except RecursionError:
        raise PolicyError(f"{path}：TOML 嵌套过深，不是政策文件") from None
    except OSError as err:
        raise PolicyError(f"{path}：无法读取：{os_reason(err)}") from None


def _load_path(path: Path, dirs: Sequence[Path]) -> Policy:
    return _resolve(path, dirs, ())[1]


class _ChainError(PolicyError):
    """An `extends` cycle or a chain too deep: reported once, for the file that was asked for."""


def _identity(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())


def _resolve(path: Path, dirs: Sequence[Path], chain: tuple[Path, ...]) -> tuple[dict, Policy]:
    """The file merged over its ancestors, and that merge validated as a policy.

    Each level is validated on its own merge, so an error names the file that holds it and an
    entry's position as counted in that file (inherited entries come first in the merge)."""
    raw = _read(path)
    where = str(path)
    _check_keys(raw, TOP_KEYS, where, "")
    parent_name = raw.get("extends")
    if parent_name is None:
        return raw, _build(raw, where)
    _want(
        isinstance(parent_name, str) and parent_name.strip(),
        where,
        "extends",
        '一个政策名，例如 "national"',
    )
    chain = (*chain, path)
    # a file never answers its own `extends`: a local shandong.toml may extend the shipped one
    parent_path = _find(parent_name.strip(), [path.parent, *dirs], skip=path)
    if parent_path is None:
        if _find(parent_name.strip(), [path.parent]) is not None:
            raise _ChainError(
                f"{chain[0]}：extends 形成循环：extends = {parent_name!r} 只指向文件自身；"
                "继承关系不能回到自身"
            )
        raise PolicyError(f"{where}：extends = {parent_name!r}，但找不到该政策")
    if _identity(parent_path) in {_identity(p) for p in chain}:
        names = " → ".join(p.stem for p in (*chain, parent_path))
        how = f"{path.stem} 以 {parent_name!r} 又继承了 {parent_path.stem}"
        raise _ChainError(f"{chain[0]}：extends 形成循环：{names}（{how}）；继承关系不能回到自身")
    if len(chain) >= MAX_EXTENDS:
        raise _ChainError(
            f"{chain[0]}：extends 层数超过 {MAX_EXTENDS}；继承链应为省、市、本单位几层"
        )
    try:
        parent, _ = _resolve(parent_path, dirs, chain)
    except _ChainError:
        raise
    except PolicyError as err:
        raise PolicyError(f"{where}：extends = {parent_name!r} 所指的政策有误：{err}") from None
    merged = _merge(parent, raw, where)
    inherited = {key: len(parent.get(key, [])) for key in ("recipients", "escalation")}
    return merged, _build(merged, where, inherited)


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
        if key in ("duties", "assign"):  # replaced key by key (assign: by kind)
            _want(isinstance(value, dict), where, key, "表")
            merged[key] = {**parent.get(key, {}), **value}
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


def _in_range(value, where: str, key: str, limit: str) -> None:
    low, high = LIMITS[limit]
    _want(low <= value <= high, where, key, f" {low} 到 {high} 之间的整数（政策中每个数都有上限）")


def _duty_ranges(key: str, table: dict, where: str) -> None:
    """Every number of a duty within LIMITS (its types were checked by _duty)."""
    prefix = f"duties.{key}."
    for limit in ("minutes", "hours", "extension_working_days"):
        if table.get(limit) is not None:
            _in_range(table[limit], where, prefix + limit, limit)
    days = table.get("working_days")
    for cls, n in days.items() if isinstance(days, dict) else ((None, days),):
        if n is not None:
            label = f"{prefix}working_days" + (f".{cls}" if cls else "")
            _in_range(n, where, label, "working_days")


def _build(
    raw: dict, where: str, inherited: dict | None = None, stored_hash: str | None = None
) -> Policy:
    """A policy from resolved data. `inherited`: how many recipients and escalation steps came
    from ancestors (already checked there), so a position names the entry in this file."""
    inherited = inherited or {}
    _want(isinstance(raw, dict), where, "（整个文件）", "一张表")
    _check_keys(raw, TOP_KEYS, where, "")
    name = _text(raw, "name", where)
    _want(name.replace("-", "").isalnum(), where, "name", "字母、数字和连字符组成的名字")
    title = _text(raw, "title", where)
    aliases = _strings(raw, "aliases", where)
    sources = _strings(raw, "sources", where)
    office = raw.get("office", {})
    _want(isinstance(office, dict), where, "office", "表：who（本政策为谁的值班室而写）和 source")
    _check_keys(office, {"who", "source"}, where, "office.")
    office_who = _text(office, "who", where, "office.", required=bool(office)) or ""
    office_source = _text(office, "source", where, "office.", required=bool(office)) or ""
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
    _in_range(warn_minutes, where, "warn.minutes", "warn.minutes")
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
    duties = []
    for key in sorted(duties_raw, key=lambda k: order.index(k) if k in order else len(order)):
        duties.append(_duty(key, duties_raw[key], where))
        _duty_ranges(key, duties_raw[key], where)
    duties = tuple(duties)

    recipients = []
    skip = inherited.get("recipients", 0)
    for i, entry in enumerate(_list_of_tables(raw, "recipients", where)):
        prefix = f"recipients[{i - skip if i >= skip else i}]."
        _check_keys(entry, {"who", "kinds", "levels", "required", "copy", "source"}, where, prefix)
        required, copy = entry.get("required", True), entry.get("copy", False)
        _want(
            type(copy) is bool, where, prefix + "copy", "布尔值：true（抄送）或 false（报告，默认）"
        )
        _want(
            type(required) is bool,
            where,
            prefix + "required",
            "布尔值：true（须报告）或 false（可报告）",
        )
        recipients.append(
            Recipient(
                who=_text(entry, "who", where, prefix),
                kinds=_keys(entry.get("kinds"), vocab.KINDS, where, prefix + "kinds"),
                levels=_keys(entry.get("levels"), vocab.LEVELS, where, prefix + "levels"),
                source=_text(entry, "source", where, prefix),
                required=required,
                copy=copy,
            )
        )

    steps = []
    duty_keys = {d.key for d in duties}
    skip = inherited.get("escalation", 0)
    for i, entry in enumerate(_list_of_tables(raw, "escalation", where)):
        prefix = f"escalation[{i - skip if i >= skip else i}]."
        _check_keys(entry, {"who", "offset_minutes", "duties", "source"}, where, prefix)
        offset = entry.get("offset_minutes", 0)
        _want(type(offset) is int, where, prefix + "offset_minutes", "整数分钟（负数表示时限前）")
        _in_range(offset, where, prefix + "offset_minutes", "offset_minutes")
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
    assign_raw = raw.get("assign", {})
    _want(
        isinstance(assign_raw, dict), where, "assign", "以要情类型为名的表，例如 [assign.message]"
    )
    for kind in assign_raw:
        _want(
            kind in vocab.KINDS, where, f"assign.{kind}", f"以下类型之一：{'、'.join(vocab.KINDS)}"
        )
    for kind, table in assign_raw.items():  # a per-class table is for messages only
        _want(
            kind == "message"
            or not isinstance(table, dict)
            or not isinstance(table.get("working_days"), dict),
            where,
            f"assign.{kind}.working_days",
            "一个工作日数（按留言类别计的时限只用于 [assign.message]）",
        )
    assign = {  # in the order of the kinds, whatever order the file used
        kind: _clock(assign_raw[kind], where, f"assign.{kind}.", "转办")
        for kind in sorted(assign_raw, key=list(vocab.KINDS).index)
    }
    own_clocks = {
        key: _clock(raw[key], where, f"{key}.", label) if key in raw else None
        for key, label in CLOCK_TABLES.items()
    }

    canonical = canonical_json(raw, default=str)
    if stored_hash is None:
        stored_hash = sha256_hex(canonical.encode())  # a read takes the log's hash instead
    return Policy(
        name=name,
        title=title,
        aliases=tuple(aliases),
        extends=raw.get("extends"),
        sources=tuple(sources),
        office=office_who,
        office_source=office_source,
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
        hash=stored_hash,
        raw=json.loads(canonical),
        exemption_source=exemption_source,
        assign=assign,
        **own_clocks,
    )


def _time_limit(table: dict, where: str, prefix: str) -> tuple[int | None, object]:
    """(minutes, working days) of a clock or duty table: exactly one of minutes, hours or
    working_days (a number, or per message class a table of numbers), each positive."""
    limits = [k for k in ("minutes", "hours", "working_days") if k in table]
    _want(len(limits) == 1, where, prefix + "minutes|hours|working_days", "三者恰好其一")
    if "minutes" in table:
        return _positive(table["minutes"], where, prefix + "minutes"), None
    if "hours" in table:
        return _positive(table["hours"], where, prefix + "hours") * 60, None
    days = table["working_days"]
    if not isinstance(days, dict):
        return None, _positive(days, where, prefix + "working_days")
    _want(days, where, prefix + "working_days", "非空表")
    for cls, n in days.items():
        _want(
            cls in vocab.CLASSES,
            where,
            f"{prefix}working_days.{cls}",
            f"留言类别之一：{'、'.join(vocab.CLASSES)}",
        )
        _positive(n, where, f"{prefix}working_days.{cls}")
    missing = [cls for cls in vocab.CLASSES if cls not in days]  # 云政办发〔2016〕106号 四(三)
    _want(
        not missing,
        where,
        prefix + "working_days",
        f"每个留言类别各给一个工作日数（缺 {'、'.join(missing)}）：缺了的类别的留言便没有时限",
    )
    return None, dict(days)


def _clock(table, where: str, prefix: str, default_name: str) -> Clock:
    """A clock table of the downward half: exactly one of minutes, hours, working_days (per
    message class allowed), an optional one-time extension in working days, and its source."""
    _want(isinstance(table, dict), where, prefix.rstrip("."), "表")
    _check_keys(table, CLOCK_TABLE_KEYS, where, prefix)
    minutes, working_days = _time_limit(table, where, prefix)
    # a duty's ranges are checked with its other numbers (_duty_ranges); a clock's here
    if "minutes" in table:
        _in_range(minutes, where, prefix + "minutes", "minutes")
    elif "hours" in table:
        _in_range(table["hours"], where, prefix + "hours", "hours")
    elif isinstance(working_days, dict):
        for cls, n in working_days.items():
            _in_range(n, where, f"{prefix}working_days.{cls}", "working_days")
    else:
        _in_range(working_days, where, prefix + "working_days", "working_days")
    extension = table.get("extension_working_days")
    if extension is not None:
        _positive(extension, where, prefix + "extension_working_days")
        _in_range(extension, where, prefix + "extension_working_days", "extension_working_days")
        _want(
            working_days is not None,
            where,
            prefix + "extension_working_days",
            "只用于以工作日计的时限",
        )
    name = _text(table, "name", where, prefix, required=False) or default_name
    return Clock(name, minutes, working_days, extension, _text(table, "source", where, prefix))


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
    _check_keys(table, DUTY_TABLE_KEYS, where, prefix)
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
    minutes, working_days = _time_limit(table, where, prefix)
    extension = table.get("extension_working_days")
    if extension is not None:
        _positive(extension, where, prefix + "extension_working_days")
        _want(
            working_days is not None,
            where,
            prefix + "extension_working_days",
            "只用于以工作日计的时限",
        )
    opinion_level = table.get("opinion_level", "own")
    _want(
        isinstance(opinion_level, str) and opinion_level in OPINION_LEVELS,
        where,
        prefix + "opinion_level",
        f"以下之一：{'、'.join(OPINION_LEVELS)}",
    )
    kinds = _keys(table.get("kinds", []), vocab.KINDS, where, prefix + "kinds")
    _want(
        not isinstance(working_days, dict) or kinds == ("message",),
        where,
        prefix + "kinds",
        '["message"]（按留言类别计的时限只适用于网民留言）',
    )
    return Duty(
        key=key,
        name=_text(table, "name", where, prefix),
        kinds=kinds,
        levels=_keys(table.get("levels"), vocab.LEVELS, where, prefix + "levels"),
        anchor=anchor,
        minutes=minutes,
        working_days=working_days,
        met_by=met_by,
        extension_working_days=extension,
        source=_text(table, "source", where, prefix),
        opinion_level=opinion_level,
    )


# --- explaining -----------------------------------------------------------------------------


def anchor_text(duty: Duty) -> str:
    """When a clock starts and ends, exactly as the engine counts it (engine.deadline_for)."""
    anchor = ANCHORS[duty.anchor]
    if duty.minutes is not None:
        return f"自{anchor}时刻起 {duty.limit_text()}内（连续计时，含夜间和节假日）"
    return (
        f"自{anchor}起 {duty.limit_text()}内（{anchor}当日不计，截止于第N个工作日24:00；"
        "节假日与调休按国务院办公厅公布的安排）"
    )


def scope_text(kinds, levels, form: str = "{kinds}（{levels}）") -> str:
    """Which items a rule covers: "突发事件、政务舆情（特别重大（I级）、重大（II级））"."""
    kinds_text = "、".join(vocab.label(vocab.KINDS, k) for k in kinds) if kinds else "各类要情"
    levels_text = "、".join(vocab.level_label(lv) for lv in levels) if levels else "各级"
    if kinds and all(vocab.is_message(k) for k in kinds) and not levels:
        levels_text = (
            "各类别"  # a message has a class, never a level (云政办发〔2016〕106号 四(三))
        )
    return form.format(kinds=kinds_text, levels=levels_text)


def _scope(kinds, levels) -> str:
    return scope_text(kinds, levels, "{kinds}；{levels}")


def explain(policy: Policy) -> list[str]:
    """Each rule in plain Chinese with its source, for `policy show` and `policy check`."""
    out = [
        f"{policy.title}（{policy.name}）" + (f"，继承 {policy.extends}" if policy.extends else "")
    ]
    if policy.aliases:
        out.append(f"也可写作：{'、'.join(policy.aliases)}")
    if policy.office:
        out.append(f"适用单位：{policy.office}  出处：{policy.office_source}")
    for source in policy.sources:
        out.append(f"依据：{source}")
    out.append("")
    out.append("时限：" if policy.duties else "时限：无")
    for d in policy.duties:
        extension = (
            f"；情况特别复杂的可延长一次 {d.extension_working_days} 个工作日（自原时限起算，"
            "延至其后第N个工作日24:00）"
            if d.extension_working_days
            else ""
        )
        out.append(
            f"  {d.key}  {d.name}：{scope_text(d.kinds, d.levels)}，{anchor_text(d)}，"
            f"以{MET_BY[d.met_by].format(key=d.key)}为完成{extension}"
        )
        if d.opinion_level == "concerned" and "opinion" in d.kinds:
            out.append(
                "      政务舆情按所涉突发事件的级别确定（file --about 编号 或 --about-level 级别）；未注明所涉事件的舆情按“其他政务舆情”计"
            )
        out.append(f"      出处：{d.source}")
    if any(d.levels for d in policy.duties) or any(r.levels for r in policy.recipients):
        out.append("  未定级的要情：在定级之前按各级计，各级的时限和报告对象都适用")
    out.append(
        f"临近提醒：时限前 {policy.warn_minutes} 分钟或剩余不足时限的 {policy.warn_share:.0%} 时（取较早者）"
    )
    groups = (
        ("须报告：", lambda r: r.required and not r.copy),
        ("须同时抄送：", lambda r: r.required and r.copy),
        ("可报告（文件允许，不强制）：", lambda r: not r.required),
    )
    for heading, wanted in groups:
        chosen = [r for r in policy.recipients if wanted(r)]
        copy_to = policy.copy_to if heading == "须同时抄送：" else None
        if chosen or copy_to:
            out.append(heading)
        for r in chosen:
            out.append(f"  {r.who}  适用：{_scope(r.kinds, r.levels)}  出处：{r.source}")
        if copy_to:
            out.append(f"  {copy_to}  适用：{_scope(None, None)}  出处：{policy.routing_source}")
    if policy.escalation:
        out.append("逐级提醒：")
        for s in policy.escalation:
            when = "到期时" if s.offset_minutes == 0 else (
                f"到期前 {-s.offset_minutes} 分钟" if s.offset_minutes < 0 else f"逾期 {s.offset_minutes} 分钟"
            )  # fmt: skip
            which = "、".join(s.duties) if s.duties else "各项时限"
            out.append(f"  {when}（{which}）：{s.who}  出处：{s.source}")
    if policy.routes or policy.route_default:
        out.append("归口报送（由谁报送，按 --category；不是报告对象）：")
        for r in policy.routes:
            also = f"（含：{'、'.join(r.aliases)}）" if r.aliases else ""
            out.append(f"  {r.category}{also} → 由{r.to}报送")
        if policy.route_default:
            out.append(f"  {OTHER_CATEGORY} → 由{policy.route_default}")
        out.append(f"  出处：{policy.routing_source}")
    out.extend(explain_chuan(policy))
    if policy.elements:
        names = "、".join(ELEMENTS[e] for e in policy.elements)
        out.append(f"首报要素：时间、{names}  出处：{policy.elements_source}")
    out.append(f"报告标题：{policy.title_format.replace('{short}', '单位简称')}，按年编第N期")
    return out


def clock_text(clock: Clock, start: str) -> str:
    """When a downward clock ends, as chuan.py counts it."""
    if clock.minutes is not None:
        return f"自{start}起 {clock.limit_text()}内（连续计时）"
    extension = (
        f"；情况特别复杂的，每项转办可在到期前申请延长一次 {clock.extension_working_days} 个工作日"
        if clock.extension_working_days
        else ""
    )
    return (
        f"自{start}起 {clock.limit_text()}内（{start}当日不计，截止于第N个工作日24:00）{extension}"
    )


def explain_chuan(policy: Policy) -> list[str]:
    """The clocks of the downward half (传与跟), each with its source, for `policy show`."""
    out = ["传与跟（转办、批示、督办）："]
    if not (
        policy.assign or policy.relay or policy.instruct_feedback or policy.supervised_feedback
    ):
        return [*out, "  本政策未设时限：转办须 --due/--due-days，批示、督办须 --feedback 给出时限"]
    for kind, clock in policy.assign.items():
        out.append(
            f"  转办（承办单位的时限，{vocab.label(vocab.KINDS, kind)}）：{clock.name}，"
            f"{clock_text(clock, '转办')}，以该单位 feedback --done 为完成"
        )
        out.append(f"      出处：{clock.source}")
    duty = next((d for d in policy.duties if d.key == "reply"), None)
    if duty is not None and "message" in policy.assign:
        out.append(
            f"  本单位的“{duty.name}”（reply）时限照旧自首报起计、以终报为完成；"
            "承办单位的时限自各自转办起计，互不替代"
        )
    if not policy.assign:
        out.append("  转办：本政策未设时限，须 assign --due 或 --due-days 给出")
    for key, what, met in (
        ("relay", "领导批示", "转办（assign）或报告（notify）批示所列的每个单位"),
        ("instruct_feedback", "领导批示", "批示所列单位（未列则任一受办单位）的第一次反馈"),
        (
            "supervised_feedback",
            "接到督办件",
            "受办单位的第一次反馈、续报，或报告（notify）督办单位",
        ),
    ):
        clock = getattr(policy, key)
        if clock is None:
            out.append(
                f"  {CLOCK_TABLES[key]}：本政策未设时限"
                + ("，须 --feedback 给出" if key != "relay" else "")
            )
            continue
        out.append(f"  {clock.name}（{key}）：{clock_text(clock, what)}，以{met}为完成")
        out.append(f"      出处：{clock.source}")
    return out
