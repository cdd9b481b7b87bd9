"""A duty officer who reads no English meets none: every command's --help and every kind of usage
error, rendered through the real entry point, holds no English sentence and none of Click's or
Typer's own words. Option names, metavars, program names and the English keys the tool accepts
as input are allowed.

The commands are found by walking the command tree (cli.command_tree), so a command another
branch adds is checked the day it is merged.
"""

import re

import pytest

from yaoqing_cli.cli import command_tree

ROOT = command_tree()


def walk(command, path=()):
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, (*path, name))


COMMANDS = list(walk(ROOT))
LEAVES = [(p, c) for p, c in COMMANDS if p and not getattr(c, "commands", None)]
GROUPS = [(p, c) for p, c in COMMANDS if getattr(c, "commands", None)]


def ident(path) -> str:
    return " ".join(path) or "yaoqing"


# The libraries' own words: any of these is an untranslated string.
LIBRARY_WORDS = re.compile(
    r"\b(Usage|Options|Arguments|Commands|Error|Missing|Invalid|No such|Possible|Got unexpected"
    r"|Try '|required|default:|env var|Show this|Install completion|Did you mean|is not a valid"
    r"|is not one of|requires an? |does not take|Aborted|unexpected)\b"
)
ALLOWED = re.compile(
    r"--?[A-Za-z][\w-]*(=\S*)?"  # option names
    r"|<[^>]*>|\{[^}]*\}|\[[A-Z_ .]*\]"  # metavars
    r"|[A-Z_]{2,}(=\S*)?"  # metavars, environment variables
    r"|\b[a-z]+(-[a-z]+)+\b"  # keys: did-not-occur, inner-mongolia
)
SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,.:;']+[A-Za-z]{2,}){2,}")  # three English words in a row


# program and command names ("yaoqing policy list") are names, not English
_NAME_LIST = sorted({"yaoqing", *(n for p, _ in COMMANDS for n in p)}, key=len, reverse=True)
NAMES = re.compile(rf"\b(?:{'|'.join(_NAME_LIST)})\b")


def english_in(text: str) -> list[str]:
    found = [m.group(0) for m in LIBRARY_WORDS.finditer(text)]
    bare = NAMES.sub(" ", ALLOWED.sub(" ", text))
    found += [m.group(0) for m in SENTENCE.finditer(bare)]
    return found


def test_the_detector_finds_what_it_must():
    for english in (
        "Usage: yaoqing [OPTIONS]",
        "Show this message and exit.",
        "Missing option '--title'.",
        "No such option: --titel (Possible options: --title)",
        "Got unexpected extra argument(s) (b)",
        "'x' is not a valid int.",
        "it was filed late",
    ):
        assert english_in(english), english
    for chinese in (
        "用法：yaoqing [选项] 命令 [参数]...",
        "类型：emergency 突发事件 | opinion 政务舆情 | did-not-occur 预警未发生",
        "导出日志为 JSON Lines，供迁移；yaoqing import 可原样导入",
        "--db <路径>  日志文件（环境变量 YAOQING_DB）",
    ):
        assert not english_in(chinese), (chinese, english_in(chinese))


@pytest.mark.parametrize("path,command", COMMANDS, ids=[ident(p) for p, _ in COMMANDS])
def test_help_is_chinese(run, path, command):
    result = run(*path, "--help")
    assert result.code == 0, result
    assert result.out.startswith(f"用法：yaoqing {' '.join(path)}".rstrip()), result
    assert not english_in(result.out), (english_in(result.out), result.out)


def _value_options(command):
    return [
        p for p in command.params
        if p.param_type_name == "option" and not p.is_flag and not p.hidden
    ]  # fmt: skip


def _usage_errors(path, command):
    """(what, argv) for every kind of usage error the command can meet."""
    name = path[-1]
    yield "unknown option", [*path, "--zzzz"]
    yield "option typo", [*path, "--" + "x" * 6]
    typo = name[:-1] + ("x" if name[-1] != "x" else "y")
    yield "command typo", [*path[:-1], typo]
    required = [p for p in command.params if p.required]
    if required:
        yield "missing required", list(path)
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    if not arguments:
        yield "extra argument", [*path, "extra-word"]
    elif all(p.nargs != -1 for p in arguments):  # an argument that takes any number: no extra
        yield "extra argument", [*path, *(["a"] * 6)]
    for option in _value_options(command):
        yield f"{option.opts[0]} without its value", [*path, option.opts[-1]]
        if getattr(option.type, "name", "") in ("integer", "int", "float"):
            yield f"{option.opts[0]} not a number", [*path, option.opts[-1], "x"]
    for option in (p for p in command.params if getattr(p, "is_flag", False)):
        yield f"{option.opts[0]} given a value", [*path, f"{option.opts[-1]}=1"]
        break
    for argument in (p for p in command.params if p.param_type_name == "argument"):
        if getattr(argument.type, "name", "") in ("integer", "int"):
            yield f"{argument.name} not a number", [*path, "x"]


ERRORS = (
    [(f"{ident(p)}: {what}", argv) for p, c in LEAVES for what, argv in _usage_errors(p, c)]
    + [(f"{ident(p)}: missing command", [*p, "--help-me"]) for p, _ in GROUPS]
    + [
        ("yaoqing: options but no command", ["--db", "x.db"]),
    ]
)


@pytest.mark.parametrize("argv", [a for _, a in ERRORS], ids=[w for w, _ in ERRORS])
def test_every_usage_error_is_one_chinese_line(run, argv):
    result = run(*argv)
    assert result.code == 2, result
    assert result.err.startswith("错误：用法错误：") and result.err.count("\n") == 1, result
    assert not english_in(result.err), (english_in(result.err), result.err)


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["stauts"], '未知命令 "stauts"，是否指 status？'),
        (["policy", "shw"], '未知命令 "shw"，是否指 show？'),
        (["calendar", "ad"], '未知命令 "ad"，是否指 add？'),
        (["状态"], '未知命令 "状态"，是否指 status？'),
        (["首报", "--title", "x"], '未知命令 "首报"，是否指 file？'),
        (["file", "--titel", "x"], '未知选项 "--titel"，是否指 --title？'),
        (["status", "--overdeu"], '未知选项 "--overdeu"，是否指 --overdue？'),
        (["search", "x", "--limt", "3"], '未知选项 "--limt"，是否指 --limit？'),
        (["file", "--title", "x"], "缺少选项 --occurred（事发时间"),
        (["show"], "缺少参数 ID（要情编号）"),
        (["search", "x", "--limit", "many"], "选项 --limit 的值无效：应为整数，收到 'many'"),
        (["show", "a", "b"], "多余的参数：b"),
        (["status", "--at"], "选项 --at 后须给出一个值"),
        (["status", "--json=yes"], "选项 --json 是开关，不带值"),
        (["--db", "x.db"], "缺少命令；可用命令：init、path"),
    ],
)
def test_usage_errors_name_the_fix(run, argv, line):
    result = run(*argv)
    assert result.code == 2 and line in result.err, result


def test_a_far_typo_lists_the_commands(run):
    result = run("qqqqqq")
    assert result.code == 2, result
    assert '未知命令 "qqqqqq"；可用命令：init、path、file' in result.err, result


def test_help_fits_an_80_column_terminal(run, monkeypatch):
    """Chinese takes two columns: the help is wrapped by what the terminal shows."""
    from yaoqing_cli.clitext import width

    monkeypatch.setenv("COLUMNS", "80")
    for path, _ in COMMANDS:
        result = run(*path, "--help")
        too_wide = [line for line in result.out.splitlines() if width(line) > 80]
        # a usage line of a command with many options may run on; help lines never do
        assert not [w for w in too_wide if not w.startswith("用法：")], (path, too_wide)


def test_no_args_shows_the_chinese_help(run):
    result = run("policy")
    assert result.code == 0 and result.out.startswith("用法：yaoqing policy [选项] 命令"), result
    assert not english_in(result.out), result.out


# --- TOML files (policies, calendars): the parser's English in Chinese -----------------------------


def _tomllib_messages() -> list[str]:
    """Every message tomllib can raise, as written in its source, with sample values filled in."""
    import inspect
    import tomllib._parser as parser

    source = inspect.getsource(parser)
    found = re.findall(r"suffixed_err\(\s*src,\s*\w+,\s*(f?)\"([^\"]*)\"", source)
    assert len(found) > 15, found  # the reading of tomllib's source still works
    import ast

    texts = [ast.literal_eval(f'"{text}"') if not f else text for f, text in found]  # \\ -> \
    return [re.sub(r"\{[^}]*\}", "('years', '2027')", text) for text in texts]


@pytest.mark.parametrize("message", _tomllib_messages())
def test_every_toml_message_is_chinese_with_its_place(message):
    from yaoqing_cli.tomltext import toml_message

    said = toml_message(f"{message} (at line 3, column 7)")
    assert said.startswith("第 3 行第 7 列："), said
    assert "无法解析" not in said and not english_in(said), said


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("[years.2027\n", "第 1 行第 12 列：表头缺少结尾的“]”"),
        ('[years.2027]\nholidays = ["2027-01-01"\n', "文件末尾：数组未闭合"),
        ("[years.2027]\n[years.2027]\n", "表 years.2027 声明了两次"),
        ("[years.2027] holidays = []\n", "此处应换行"),
    ],
)
def test_a_broken_calendar_file_is_told_in_chinese(office, tmp_path, body, line):
    path = tmp_path / "cal.toml"
    path.write_text(body, encoding="utf-8")
    result = office("calendar", "add", path)
    assert result.code == 2 and line in result.err, result
    assert not english_in(result.err.split("；格式示例")[0]), result.err


def test_an_unreadable_file_is_told_in_chinese(office, tmp_path):
    result = office("calendar", "add", tmp_path)  # a directory
    assert result.code == 2 and "不是普通文件" in result.err, result
    missing = office("policy", "check", tmp_path / "none.toml")
    assert missing.code != 0 and not english_in(missing.err), missing


@pytest.mark.parametrize(
    "english",
    ["database is locked", "database disk image is malformed", "disk I/O error",
     "attempt to write a readonly database", "database or disk is full"],
)  # fmt: skip
def test_sqlite_failures_are_told_in_chinese(english):
    from yaoqing_cli.cli import _sqlite_failure

    said = _sqlite_failure(english)
    assert not english_in(said) and english not in said, said
