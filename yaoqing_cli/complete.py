"""Shell completion that knows the log: Tab after a command that takes an ID offers the open
items' IDs (their titles beside them in zsh and fish, never a sensitive item's title); after
--unit (and --to/--from where their help says they take a 单位: assign, instruct, feedback) the
units already used and those of the unit directory; after notify --who who was told before;
after --level, --kind, --class, --done, --outcome, --channel, --by, --policy, --category and
--format (and any option whose help lists its values a | b) every value the command accepts.

Completion runs on every Tab, so it starts as fast as Typer itself: the completers are attached
by option name (`attach`, so a command added later is covered the day it is added), and only
the one asked for does any work. The Tabs that read the log (an ID right after its command, a
unit, a person) are answered before Typer is imported at all (`answer`, from the table
`FROM_LOG`, which a test pins to the command tree and to Typer's own answers): Typer's import
alone is most of a Tab, and the log's answer does not need it. Every other Tab goes to Typer.
A completer returns (value, description) pairs; `attach` makes them Click's CompletionItems.

The log is opened read-only (SQLite's mode=ro, no migration, no write, no judgement of clocks);
a missing, locked, damaged or foreign file completes nothing and prints nothing, since a
traceback in the middle of a command line helps nobody.
"""

import os

# option -> the name of the vocab table of its values
VOCAB_OPTIONS = {
    "--level": "LEVELS",
    "--about-level": "LEVELS",
    "--kind": "KINDS",
    "--class": "CLASSES",
    "--done": "DUTY_KEYS",
    "--extend": "DUTY_KEYS",
    "--outcome": "OUTCOMES",
    "--channel": "CHANNELS",
    "--by": "TOLD_BY",
}
ID_ARGUMENTS = ("ID",)  # an argument with this metavar names an item
ID_OPTIONS = ("--about",)
UNIT_OPTIONS = ("--unit", "--to", "--from")  # --to/--from when their help names a 单位
LIMIT = 100  # IDs offered at most (the newest)
UNITS_FROM = 1000  # units are offered from this many of the newest items
BUSY_SECONDS = 0.05  # a log locked by a writer completes nothing rather than keep Tab waiting
SHELLS = ("bash", "zsh", "fish")

# The Tabs `answer` takes without the command tree: for each command, what its first argument
# offers (open, closed or all items' IDs) and which of its options offer the log's units,
# people or IDs. test_complete derives this from the tree (`reads_log`) and compares.
FROM_LOG = {
    "file": (None, {"--unit": "units", "--about": "open"}),
    "continue": ("open", {"--unit": "units"}),
    "close": ("open", {}),
    "notify": ("open", {"--who": "people"}),
    "correct": ("all", {"--unit": "units"}),
    "assign": ("open", {"--to": "units"}),
    "reopen": ("closed", {}),
    "feedback": ("open", {"--from": "units"}),
    "instruct": ("open", {"--to": "units"}),
    "show": ("all", {}),
    "doc": ("open", {}),
    "search": (None, {"--unit": "units"}),
}


# --- a Tab that reads only the log, answered before Typer is imported ------------------------------


def answer(environ) -> tuple[str, int] | None:
    """What Typer would print for this Tab (and its exit status), when the Tab asks for an ID
    right after its command, or for the value of an option in FROM_LOG; None for any other Tab
    (option names, controlled values, root options, quoting): Typer answers those."""
    try:
        shell = environ.get("_YAOQING_COMPLETE", "").removeprefix("complete_")
        typed = _typed(environ, shell) if shell in SHELLS else None
        if typed is None:
            return None
        args, incomplete = typed
        argument, options = FROM_LOG.get(args[0], (None, {})) if args else (None, {})
        if incomplete.startswith("-") or "=" in incomplete or "--" in args:
            return None  # an option's name, or --unit=…: Click's own rules
        wanted = argument if len(args) == 1 else options.get(args[-1])
        if wanted is None:
            return None
        return _shown(shell, _LOG_COMPLETERS[wanted](None, incomplete), environ)
    except Exception:  # Typer's path answers it, or fails as quietly
        return None


def _typed(environ, shell: str) -> tuple[list[str], str] | None:
    """(the words typed in full after the program's name, the word being typed), read from what
    the scripts send as Typer's completion classes read it; None where the line has quotes or
    escapes (Click's shlex reading is the authority on those)."""
    if shell == "bash":
        if "COMP_WORDS" not in environ or "COMP_CWORD" not in environ:
            return None
        words = _split(environ["COMP_WORDS"])
        if words is None:
            return None
        cword = int(environ["COMP_CWORD"])
        return words[1:cword], (words[cword] if cword < len(words) else "")
    line = environ.get("_TYPER_COMPLETE_ARGS", "")
    words = _split(line)
    if words is None:
        return None
    args = words[1:]
    if args and not line.endswith(" "):
        return args[:-1], args[-1]
    return args, ""


def _split(line: str) -> list[str] | None:
    """Words as shlex (posix, whitespace_split) reads a line without quotes or backslashes."""
    if any(c in line for c in "\"'\\"):
        return None
    line.encode()  # a word of undecodable bytes (surrogates) raises: Typer's path
    return [w for w in line.translate(_SHLEX_BLANKS).split(" ") if w]


_SHLEX_BLANKS = {ord("\t"): " ", ord("\r"): " ", ord("\n"): " "}  # shlex's whitespace, with " "


def _shown(shell: str, pairs: list[tuple[str, str | None]], environ) -> tuple[str, int]:
    """The pairs as Typer's completion class for the shell prints them (click.echo's newline)."""
    if shell == "bash":
        return "".join(f"{value}\n" for value, _ in pairs) or "\n", 0
    if shell == "zsh":
        if not pairs:
            return "_files\n", 0
        return f"_arguments '*: :(({chr(10).join(_zsh_item(v, h) for v, h in pairs)}))'\n", 0
    action = environ.get("_TYPER_COMPLETE_FISH_ACTION", "")
    if action == "is-args":  # fish asks whether to offer these rather than files
        return "", 0 if pairs else 1
    if action == "get-args" and pairs:
        return "".join(f"{_fish_item(v, h)}\n" for v, h in pairs), 0
    return "\n", 0


def echoed(text: str, stream) -> bytes:
    """The bytes click.echo would write of `text` to `stream` (Typer prints completions with
    it): in the stream's encoding, UTF-8 where that is ASCII (Click calls it misconfigured);
    without ANSI codes unless it is a terminal."""
    import codecs

    encoding, errors = getattr(stream, "encoding", None) or "utf-8", "backslashreplace"
    try:
        if codecs.lookup(encoding).name == "ascii":
            encoding, errors = "utf-8", "replace"
    except LookupError:
        pass
    if "\033" in text and not stream.isatty():
        import re

        text = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", text)
    return text.encode(encoding, errors)


def _zsh_item(value: str, help_: str | None) -> str:
    def escape(s: str) -> str:
        return (
            s.replace('"', '""').replace("'", "''").replace("$", "\\$")
            .replace("`", "\\`").replace(":", r"\\:")
        )  # fmt: skip

    if help_:
        return f'"{escape(value)}":"{escape(_flat(help_))}"'
    return f'"{escape(value)}"'


def _fish_item(value: str, help_: str | None) -> str:
    return f"{value}\t{_flat(help_)}" if help_ else value


def _flat(text: str) -> str:
    """A description on one line (Typer would pass it through Rich: more than a whole Tab)."""
    return " ".join(text.split())


# --- the completers Typer calls -------------------------------------------------------------------


def attach(root) -> None:
    """Give every parameter of the tree that has known values its completer."""
    try:  # newer typer carries its own copy of click
        from typer._click.shell_completion import CompletionItem
    except ImportError:  # older typer: plain click
        from click.shell_completion import CompletionItem

    stack = [root]
    while stack:
        command = stack.pop()
        stack.extend(getattr(command, "commands", {}).values())
        for param in command.params:
            completer = _completer_for(command, param)
            if completer is not None:
                param._custom_shell_complete = _silent(completer, CompletionItem)


def reads_log(command, param) -> str | None:
    """Which of the log's lists a parameter offers (a key of _LOG_COMPLETERS), if any."""
    if getattr(param, "is_flag", False):
        return None
    opts = set(getattr(param, "opts", ()))
    if param.param_type_name == "argument":
        if param.metavar in ID_ARGUMENTS:
            # `correct` takes a closed item too (it is the record)
            return {"reopen": "closed", "show": "all", "correct": "all"}.get(command.name, "open")
        return None
    if any(option in opts for option in VOCAB_OPTIONS):
        return None
    if opts & set(ID_OPTIONS):
        return "open"
    if "--who" in opts:
        return "people"
    if "--unit" in opts or (opts & set(UNIT_OPTIONS) and "单位" in (param.help or "")):
        return "units"
    return None


def _completer_for(command, param):
    from_log = reads_log(command, param)
    if from_log is not None:
        return _LOG_COMPLETERS[from_log]
    if getattr(param, "is_flag", False):
        return None
    opts = set(getattr(param, "opts", ()))
    if param.param_type_name == "argument":
        return policies if param.metavar == "POLICY" else None
    for option, table in VOCAB_OPTIONS.items():
        if option in opts:
            return _values(table)
    if "--format" in opts or "|" in (param.help or ""):  # doc --stage: "first 仅首报 | …"
        return _listed(param.help)
    if "--policy" in opts:
        return policies
    if "--category" in opts:
        return categories
    return None


def _silent(completer, item):
    def complete(ctx, param, incomplete):
        try:
            return [item(value, help=help_) for value, help_ in completer(ctx, incomplete)]
        except Exception:  # completion must never print a traceback into a command line
            return []

    return complete


# --- the controlled values --------------------------------------------------------------------------


def _values(table_name: str):
    """Keys with their Chinese label beside them; a Chinese start completes the Chinese label.
    The table is looked up on the Tab that asks for it: no other Tab loads vocab (0.5 ms)."""

    def complete(ctx, incomplete: str) -> list[tuple[str, str | None]]:
        from yaoqing_cli import vocab

        out = []
        for key, (label, aliases) in getattr(vocab, table_name).items():
            shown = vocab.level_label(key) if table_name == "LEVELS" else label
            if key.startswith(incomplete):
                out.append((key, shown))
            elif incomplete:
                out += [(w, shown) for w in (label, *aliases) if w.startswith(incomplete)]
        return out

    return complete


def _listed(help_: str):
    """The values an option's help lists, each segment's first key: "格式：docx（公文版式）| txt |
    md；默认…" or "first 仅首报 | latest 截至目前…"."""

    def complete(ctx, incomplete: str) -> list[tuple[str, str | None]]:
        import re

        listed = re.sub(r"（[^）]*）|\([^)]*\)", "", help_).split("；")[0].split("：")[-1]
        names = {}
        for segment in listed.split("|"):
            found = re.match(r"\s*([a-z][a-z0-9-]*)\b\s*(.*)", segment)
            if found:
                names.setdefault(found[1], found[2].strip() or None)
        return [(n, h) for n, h in names.items() if n.startswith(incomplete)]

    return complete


def _policy_dirs(ctx) -> list:
    from pathlib import Path

    root = ctx.find_root().params if ctx is not None else {}
    dirs = [Path(p) for p in root.get("policies") or ()]
    env = os.environ.get("YAOQING_POLICIES")
    if env:
        dirs += [Path(p) for p in env.split(os.pathsep) if p]
    here = Path(__file__).parent
    dirs += [here / "policies", here.parent / "policies"]  # installed wheel, or the repository
    return dirs


def _field(text: str, key: str) -> str | None:
    import re

    found = re.search(rf'^{key}\s*=\s*"([^"\n]*)"', text, re.M)
    return found[1] if found else None


def policies(ctx, incomplete: str) -> list[tuple[str, str | None]]:
    """Policy files by name, their title beside them (read with a regular expression: the TOML
    parser is not worth its import on a Tab)."""
    out, seen = [], set()
    for directory in _policy_dirs(ctx):
        for path in sorted(directory.glob("*.toml")) if directory.is_dir() else ():
            if path.stem in seen or not path.stem.startswith(incomplete):
                continue
            seen.add(path.stem)
            title = _field(path.read_text("utf-8", errors="replace"), "title")
            out.append((path.stem, title))
    return out


def categories(ctx, incomplete: str) -> list[tuple[str, str | None]]:
    """The categories the policies route (云政办发〔2016〕106号 三(三)) and those already used."""
    named: dict[str, str | None] = {}
    for directory in _policy_dirs(ctx):
        for path in sorted(directory.glob("*.toml")) if directory.is_dir() else ():
            text = path.read_text("utf-8", errors="replace")
            for block in text.split("[[routing.categories]]")[1:]:
                name = _field(block, "name")
                if name:
                    named.setdefault(name, _field(block, "to"))
    for (name,) in _query(ctx, "SELECT DISTINCT category FROM items WHERE category IS NOT NULL"):
        named.setdefault(name, None)
    return [(n, h) for n, h in named.items() if n and n.startswith(incomplete)]


# --- the log, read-only ---------------------------------------------------------------------------


def _log_path(ctx) -> str:
    given = ctx.find_root().params.get("db") if ctx is not None else None
    if given:
        return str(given)
    from yaoqing_cli.logpath import default_location

    return default_location()


def _query(ctx, sql: str, args=()) -> list[tuple]:
    """Rows of a read-only query on the log, or none if it cannot be read as it is."""
    import sqlite3

    path = _log_path(ctx)
    if not os.path.isfile(path):
        return []
    quoted = "".join({"%": "%25", "?": "%3f", "#": "%23"}.get(c, c) for c in os.path.realpath(path))
    uri = f"file:{quoted}?mode=ro"
    try:
        db = sqlite3.connect(uri, uri=True, timeout=BUSY_SECONDS)
    except sqlite3.Error:
        return []
    try:
        return db.execute(sql, args).fetchall()
    except sqlite3.Error:
        return []
    finally:
        db.close()


# An item's title as it is now (the latest correction of it, else as filed), hidden when the item
# is or ever was marked sensitive (filed so, or corrected to it).
_ITEMS = """
SELECT id,
       CASE WHEN sensitive OR EXISTS (
                SELECT 1 FROM events e WHERE e.item_id = items.id AND e.type = 'correct'
                AND json_extract(e.data, '$.to.sensitive'))
            THEN NULL
            ELSE coalesce((SELECT json_extract(e.data, '$.to.title') FROM events e
                           WHERE e.item_id = items.id AND e.type = 'correct'
                           AND json_extract(e.data, '$.to.title') IS NOT NULL
                           ORDER BY e.seq DESC LIMIT 1), title)
       END
FROM items WHERE id LIKE ? ESCAPE '\\' AND {which}
ORDER BY filed DESC LIMIT {limit}
"""
_SENSITIVE_HELP = "（涉密/敏感，标题隐去）"


def _ids(which: str):
    def complete(ctx, incomplete: str) -> list[tuple[str, str | None]]:
        import unicodedata

        start = unicodedata.normalize("NFKC", incomplete)  # ２０２６ too
        like = start.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = _query(ctx, _ITEMS.format(which=which, limit=LIMIT), (like,))
        return [(i, title or _SENSITIVE_HELP) for i, title in rows]

    return complete


def units(ctx, incomplete: str) -> list[tuple[str, str | None]]:
    """Units already used: the items' reporting units, and the unit directory if the log has one."""
    # From the newest items only, read from the index items_filed_unit (m009): a Tab never
    # scans ten years of them. One statement, so the log's schema is read once; DISTINCT in
    # SQLite, so a thousand repeated names are not each made a Python string (0.3 ms).
    rows = _query(
        ctx,
        "SELECT DISTINCT unit FROM (SELECT unit, sensitive FROM items ORDER BY filed DESC"
        " LIMIT ?) WHERE unit IS NOT NULL AND unit <> '' AND NOT sensitive"
        " UNION ALL SELECT * FROM (SELECT DISTINCT json_extract(data, '$.name') FROM events"
        " WHERE item_id = '' AND type = 'unit' LIMIT ?)",
        (UNITS_FROM, LIMIT),
    )
    seen = dict.fromkeys(u for (u,) in rows if isinstance(u, str) and u.startswith(incomplete))
    return [(u, None) for u in seen]


def people(ctx, incomplete: str) -> list[tuple[str, str | None]]:
    """Who was told before (`notify --who`, from the newest events), then the units."""
    rows = _query(
        ctx,
        "SELECT json_extract(data, '$.who') FROM (SELECT type, data FROM events"
        " ORDER BY seq DESC LIMIT ?) WHERE type = 'notify'",
        (UNITS_FROM * 5,),
    )
    told = dict.fromkeys(w for (w,) in rows if isinstance(w, str) and w.startswith(incomplete))
    return [(w, None) for w in told] + [u for u in units(ctx, incomplete) if u[0] not in told]


_LOG_COMPLETERS = {
    "open": _ids("closed_at IS NULL"),
    "closed": _ids("closed_at IS NOT NULL"),
    "all": _ids("1"),
    "units": units,
    "people": people,
}


def words_typed() -> list[str]:
    """During a Tab, the words of the command line typed in full (not the one being completed),
    from what the completion scripts send: the command they name is the only one built."""
    try:
        from typer._click.shell_completion import split_arg_string
    except ImportError:
        from click.shell_completion import split_arg_string
    try:
        if os.environ.get("_YAOQING_COMPLETE") != "complete_bash":  # zsh, fish; source_*
            line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
            words = split_arg_string(line)[1:]
            return words if line.endswith(" ") else words[:-1]
        words = split_arg_string(os.environ.get("COMP_WORDS", ""))  # bash
        return words[1 : int(os.environ.get("COMP_CWORD", "0"))]
    except (ValueError, IndexError):
        return []


# --- installing it ------------------------------------------------------------------------------


def shell_name() -> str | None:
    from typer._completion_shared import _get_shell_name

    return _get_shell_name()


def _prepare() -> None:
    """Typer's completion classes (they read what the scripts below send), with zsh and fish
    describing each value as `answer` does, without Rich."""
    from typer._completion_classes import FishComplete, ZshComplete, completion_init

    try:
        from typer._click.shell_completion import add_completion_class
    except ImportError:
        from click.shell_completion import add_completion_class

    completion_init()

    class Zsh(ZshComplete):
        def format_completion(self, item) -> str:
            return _zsh_item(item.value, item.help)

    class Fish(FishComplete):
        def format_completion(self, item) -> str:
            return _fish_item(item.value, item.help)

    add_completion_class(Zsh, "zsh")
    add_completion_class(Fish, "fish")


def prepare_if_completing() -> None:
    """Ready for a Tab if the completion scripts ask for one; an instruction that is not theirs
    is refused in Chinese (Typer would answer in English)."""
    wanted = os.environ.get("_YAOQING_COMPLETE")
    if not wanted:
        return
    instruction, _, shell = wanted.partition("_")
    if instruction not in ("complete", "source") or shell not in (*SHELLS, "powershell", "pwsh"):
        from yaoqing_cli.errors import UsageError

        raise UsageError(
            f"环境变量 _YAOQING_COMPLETE 的值无法识别：{wanted!r}；"
            "应为 source_bash、source_zsh、source_fish（取得补全脚本）或 complete_bash 等（由补全脚本设置）"
        )
    if wanted == "complete_bash":
        try:
            int(os.environ["COMP_CWORD"]), os.environ["COMP_WORDS"]
        except (KeyError, ValueError):
            from yaoqing_cli.errors import UsageError

            raise UsageError(
                "bash 补全须有环境变量 COMP_WORDS（命令行）与 COMP_CWORD（整数：第几个词），"
                "由补全脚本设置"
            ) from None
    _prepare()


def script(shell: str) -> str:
    """The completion script for a shell, as `--show-completion` prints it."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name="yaoqing", complete_var="_YAOQING_COMPLETE", shell=shell)


def install(shell: str):
    """Write the script where the shell reads it (and, for bash and zsh, the line that loads it
    into ~/.bashrc or ~/.zshrc), as Typer does; returns the script's path."""
    from typer._completion_shared import install as typer_install

    return typer_install(shell=shell, prog_name="yaoqing", complete_var="_YAOQING_COMPLETE")[1]
