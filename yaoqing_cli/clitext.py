"""The command line's own words in Chinese: help headings, the usage line, the libraries' option
help, usage errors, and the nearest name for a typo ("未知命令 "stauts"，是否指 status？").

Typer 0.2x carries its own copy of Click with the English written in (its gettext hooks were
taken out), so nothing is patched or installed: `localise` walks the command tree once per run
and gives every command a context whose help formatter writes Chinese, and `usage_message`
words each kind of usage error from the exception's own fields (the option, the parameter, the
value), never from its English text where a field says the same. Cheap: no import beyond what
Typer has already loaded; difflib only on the error path.
"""

import re

try:  # newer typer carries its own copy of click
    from typer._click import core as click_core
    from typer._click import exceptions as click_errors
    from typer._click.formatting import HelpFormatter
except ImportError:  # older typer: plain click
    from click import core as click_core
    from click import exceptions as click_errors
    from click.formatting import HelpFormatter

HEADINGS = {"Options": "选项", "Arguments": "参数", "Commands": "命令"}
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."
HELP_TEXT = "显示此帮助并退出"

# Help texts the libraries write themselves (the help option, typer's completion options).
LIBRARY_HELP = {
    "Show this message and exit.": HELP_TEXT,
    "Install completion for the current shell.": "为当前 shell（bash、zsh、fish）安装命令补全",
    "Show completion for the current shell, to copy it or customize the installation.": (
        "显示当前 shell 的补全脚本，供复制或自行安装"
    ),
}
# The bracketed notes after an option's help: "[env var: X; default: y; required]".
# (Patterns are kept as text and compiled by re's cache on first use: a Tab never pays for them.)
_NOTES = r"\s*\[((?:env var: |default: |required)[^\[\]]*)\]\s*$"
_NOTE_WORDS = (
    (r"env var: (.*)", "环境变量 {0}"),
    (r"default: \(dynamic\)", "默认值按情况而定"),
    (r"default: (.*)", "默认 {0}"),
    (r"required", "必填"),
)


def help_text(text: str) -> str:
    """An option's help as shown: the libraries' own sentences and bracketed notes in Chinese."""
    text = LIBRARY_HELP.get(text, text)
    found = re.search(_NOTES, text)
    if found is None:
        return text
    words, said = [], text[: found.start()]
    for part in found[1].split("; "):
        for pattern, chinese in _NOTE_WORDS:
            matched = re.fullmatch(pattern, part, re.S)
            if matched:
                word = chinese.format(*matched.groups())
                # the help already names its environment variable, or says its default
                if word not in said and not (word.startswith("默认") and "默认" in said):
                    words.append(word)
                break
        else:
            return text  # a note we do not know: leave it whole
    return f"{said}  （{'；'.join(words)}）" if words else said


# The type names Typer shows as metavars (--title <str>), in the words of the form they fill in.
METAVARS = {"str": "文字", "text": "文字", "path": "路径", "int": "整数", "integer": "整数",
            "float": "数字", "file": "文件", "datetime": "时间"}  # fmt: skip
_METAVAR = r"<(\w+)>"


def metavar_text(term: str) -> str:
    return re.sub(_METAVAR, lambda m: f"<{METAVARS.get(m[1].lower(), m[1])}>", term)


def width(text: str) -> int:
    """Columns a text takes on a terminal: a Chinese character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_TOKENS = r"\s+|[\x21-\x7e]+|."  # a run of ASCII stays whole; CJK breaks anywhere
_NO_LINE_START = set("，。；：、）》」』”’！？…%")


def wrap(text: str, columns: int) -> list[str]:
    """Lines of at most `columns` terminal columns (Chinese counted double), breaking between
    Chinese characters or at spaces, never before closing punctuation."""
    lines: list[str] = []
    line, used = "", 0
    for token in re.findall(_TOKENS, " ".join(text.split()), re.S):
        size = width(token)
        if token.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        if used + size > columns and line.strip() and token[0] not in _NO_LINE_START:
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + token, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _join_lines(text: str) -> str:
    """A paragraph's lines as one line: Chinese joins without a space, other words with one."""
    out = ""
    for line in (part.strip() for part in text.splitlines()):
        if out and line and not (width(out[-1]) == 2 and width(line[0]) == 2):
            out += " "
        out += line
    return out


class ChineseHelpFormatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        for n, paragraph in enumerate(paragraphs):
            if n:
                self.write("\n")
            for line in wrap(_join_lines(paragraph), max(self.width - self.current_indent, 20)):
                self.write(f"{indent}{line}\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(metavar_text(term), help_text(text or "")) for term, text in rows]
        if not rows:
            return
        first_col = min(max(width(term) for term, _ in rows), col_max) + col_spacing
        indent = " " * self.current_indent
        for term, text in rows:
            self.write(f"{indent}{term}")
            if not text:
                self.write("\n")
                continue
            if width(term) <= first_col - col_spacing:
                self.write(" " * (first_col - width(term)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap(text, max(self.width - first_col - self.current_indent, 20))
            self.write(f"{lines[0] if lines else ''}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


class ChineseContext(click_core.Context):
    formatter_class = ChineseHelpFormatter


def walk(command, path=()):
    """(path, command) for the root and every command under it, depth first."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, (*path, name))


def localise(root) -> None:
    """Chinese help and usage lines for every command of the tree, however it was added."""
    for _, command in walk(root):
        command.context_class = ChineseContext
        if command.options_metavar == "[OPTIONS]":
            command.options_metavar = OPTIONS_METAVAR
        if getattr(command, "subcommand_metavar", None) == "COMMAND [ARGS]...":
            command.subcommand_metavar = SUBCOMMAND_METAVAR
        if hasattr(command, "suggest_commands"):
            command.suggest_commands = False  # usage_message suggests, in Chinese
        for param in command.params:
            if getattr(param, "help", None) in LIBRARY_HELP:
                param.help = LIBRARY_HELP[param.help]
        command.get_help_option = _chinese_help_option(command.get_help_option)


def _chinese_help_option(get_help_option):
    """The --help option Click makes on first use, its help in Chinese (a Tab lists it too)."""

    def chinese(ctx):
        option = get_help_option(ctx)
        if option is not None and option.help in LIBRARY_HELP:
            option.help = LIBRARY_HELP[option.help]
        return option

    return chinese


# --- usage errors ---------------------------------------------------------------------------------


def nearest(word: str, names) -> str | None:
    """The one name closest to a typo, if any is close enough."""
    import difflib

    names = list(names)
    found = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    if not found and word.startswith("--"):  # --titel: compare without the dashes too
        bare = {n.lstrip("-"): n for n in names}
        found = [bare[n] for n in difflib.get_close_matches(word.lstrip("-"), bare, n=1)]
    return found[0] if found else None


def _option_names(ctx) -> list[str]:
    if ctx is None:
        return []
    names = []
    for param in ctx.command.get_params(ctx):
        if param.param_type_name == "option" and not getattr(param, "hidden", False):
            names += [*param.opts, *param.secondary_opts]
    return names


def _param_name(param, ctx) -> str:
    if param is None:
        return "参数"
    if param.param_type_name == "option":
        longest = max(param.opts, key=len) if param.opts else param.name
        return f"选项 {longest}"
    return f"参数 {param.make_metavar(ctx) if ctx is not None else param.name}"


def _param_help(param) -> str:
    help_ = (getattr(param, "help", None) or "").strip()
    return f"（{help_}）" if help_ else ""


_VALUE = r"(?P<value>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\S+)"
_TYPE_MESSAGES = (  # click's ParamType messages -> Chinese
    (rf"{_VALUE} is not a valid (?:int|integer)\.", "应为整数，收到 {value}"),
    (rf"{_VALUE} is not a valid float\.", "应为数字，收到 {value}"),
    (rf"{_VALUE} is not a valid boolean\..*", "应为 是/否（true/false），收到 {value}"),
    (rf"{_VALUE} is not a valid UUID\.", "不是有效的 UUID：{value}"),
    (rf"{_VALUE} is not one of (?P<choices>.*)\.", "应为 {choices} 之一，收到 {value}"),
    (rf"{_VALUE} does not match the formats (?P<choices>.*)\.", "格式应为 {choices}，收到 {value}"),
    (r"(?P<value>\S+) is not in the range (?P<choices>.*)\.", "超出范围 {choices}：{value}"),
    (r"(?P<value>.+): (?P<choices>.+)", "{value}：{choices}"),
)


def _bad_value(err) -> str:
    message = err.message
    for pattern, chinese in _TYPE_MESSAGES:
        matched = re.fullmatch(pattern, message, re.S)
        if matched:
            return chinese.format(**{"choices": "", **matched.groupdict()})
    return message


def _command_word(message: str) -> str | None:
    """The name in click's "No such command 'x'." (a repr: quotes of either kind)."""
    matched = re.match(r"No such command (['\"])(.*)\1\.", message, re.S)
    if matched is None:
        return None
    import ast

    try:
        return ast.literal_eval(matched[1] + matched[2] + matched[1])
    except (ValueError, SyntaxError):
        return matched[2]


# A command typed by its Chinese name (yaoqing 状态): the command meant, if the group has it.
CHINESE_COMMANDS = {
    "初始化": "init", "首报": "file", "报送": "file", "续报": "continue", "终报": "close",
    "办结": "close", "作废": "close", "查看": "show", "详情": "show", "状态": "status",
    "时限": "status", "逾期": "status", "日报": "report", "统计": "report", "搜索": "search",
    "查找": "search", "核验": "verify", "备份": "backup", "导出": "export", "导入": "import",
    "演示": "demo", "政策": "policy", "日历": "calendar", "转办": "assign", "交办": "assign",
    "反馈": "feedback", "批示": "instruct", "通讯录": "unit", "单位": "unit", "更正": "correct",
    "重新打开": "reopen", "已报告": "notify", "通知": "notify", "交接班": "handover",
    "交班": "handover", "值班": "watch", "监视": "watch", "位置": "path", "公文": "doc",
}  # fmt: skip


def _commands(ctx) -> list[str]:
    command = ctx.command if ctx is not None else None
    return [name for name, sub in getattr(command, "commands", {}).items() if not sub.hidden]


def usage_message(err) -> str:
    """A click usage error in Chinese, naming what is accepted or the nearest right name."""
    ctx = err.ctx
    if isinstance(err, click_errors.NoSuchOption):
        name = err.option_name
        guess = nearest(name, _option_names(ctx))
        if guess:
            return f'未知选项 "{name}"，是否指 {guess}？'
        return f'未知选项 "{name}"'
    if isinstance(err, click_errors.MissingParameter):
        param = err.param
        return f"缺少{_param_name(param, ctx)}{_param_help(param)}"
    if isinstance(err, click_errors.BadParameter):
        return f"{_param_name(err.param, ctx)} 的值无效：{_bad_value(err)}"
    if isinstance(err, click_errors.BadOptionUsage):
        name = err.option_name
        if "does not take a value" in err.message:
            return f"选项 {name} 是开关，不带值"
        counted = re.search(r"requires (\d+) arguments", err.message)
        if counted:
            return f"选项 {name} 后须给出 {counted[1]} 个值"
        return f"选项 {name} 后须给出一个值"
    message = err.message
    word = _command_word(message)
    if word is not None:
        commands = _commands(ctx)
        guess = CHINESE_COMMANDS.get(word.strip())
        guess = guess if guess in commands else nearest(word, commands)
        if guess:
            return f'未知命令 "{word}"，是否指 {guess}？'
        return f'未知命令 "{word}"；可用命令：{"、".join(commands)}'
    if message.startswith("Missing command"):
        return f"缺少命令；可用命令：{'、'.join(_commands(ctx))}"
    extra = re.fullmatch(r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)", message, re.S)
    if extra:
        return f"多余的参数：{extra[1]}"
    takes = re.fullmatch(r"Argument '?(.+?)'? takes (\d+) values\.", message, re.S)
    if takes:
        return f"参数 {takes[1]} 须给出 {takes[2]} 个值"
    return message
