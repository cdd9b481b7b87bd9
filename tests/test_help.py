"""Every command, sub-command, option and argument has its own Chinese help, and `--help` shows it.

The commands are found by walking the Typer app as Click sees it (groups and their sub-apps, to any
depth), never from a hand-kept list, so a command added later is checked the day it is added.
The walk itself is checked against the command lists `--help` prints, so it cannot quietly find
nothing and pass.
"""

import re
from collections import Counter
from pathlib import Path

import pytest

from yaoqing_cli.cli import command_tree

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def walk(command, path=()):
    """(path, click command) for the root, every command and every sub-command, depth first."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, (*path, name))


ROOT = command_tree()
COMMANDS = list(walk(ROOT))
SUBCOMMANDS = [(path, command) for path, command in COMMANDS if path]


def ident(path) -> str:
    return " ".join(path) or "yaoqing"


def own_params(path, command):
    return list(command.params)


def flat(text: str) -> str:
    """Help as printed is wrapped to the terminal: compare with all white space removed."""
    return re.sub(r"\s+", "", text)


def check_help(what: str, text: str | None) -> str:
    assert text and text.strip(), f"{what} 没有帮助文字"
    text = text.strip()
    assert CJK.search(text), f"{what} 的帮助文字不是中文：{text!r}"
    assert not text.startswith("Usage:"), f"{what} 的帮助文字只是用法行：{text!r}"
    return text


def test_the_walk_finds_what_help_lists(run):
    """The walk reaches the sub-apps, and finds exactly the commands each group's --help lists."""
    groups = [(path, c) for path, c in COMMANDS if getattr(c, "commands", None)]
    assert any(path for path, _ in groups), "no sub-app found: the walk does not reach them"
    for path, group in groups:
        result = run(*path, "--help")
        assert result.code == 0, result
        listed = result.out.split("\n命令：\n", 1)[1]
        names = {  # a summary too long for the line wraps onto more deeply indented lines
            line.split()[0] for line in listed.splitlines() if re.match(r"  \S", line)
        }
        assert names == set(group.commands), result


@pytest.mark.parametrize("path,command", COMMANDS, ids=[ident(p) for p, _ in COMMANDS])
def test_every_command_and_parameter_has_its_own_chinese_help(run, path, command):
    name = ident(path)
    text = check_help(f"命令 {name}", command.help)
    result = run(*path, "--help")
    assert result.code == 0, result
    shown = flat(result.out)
    assert flat(text) in shown, result
    helps = []
    for param in own_params(path, command):
        what = f"{name} 的参数 {'/'.join(param.opts)}"
        param_help = check_help(what, getattr(param, "help", None))
        assert param_help != text, f"{what} 的帮助与命令本身的相同"
        helps.append(param_help)
        if not param.hidden:
            assert flat(param_help) in shown, f"{what} 的帮助不在 --help 中\n{result}"
    repeated = [h for h, n in Counter(helps).items() if n > 1]
    assert not repeated, f"{name} 有几个参数的帮助相同：{repeated}"


def test_no_two_commands_share_help():
    texts = Counter((c.help or "").strip() for _, c in COMMANDS)
    assert [t for t, n in texts.items() if n > 1] == []


def test_every_command_shows_its_help_in_the_parent_list(run):
    """The one-line summary in the parent's list is the start of the command's own help."""
    for path, command in SUBCOMMANDS:
        result = run(*path[:-1], "--help")
        lines = [line.split(None, 1) for line in result.out.splitlines()]
        summary = next((rest for first, *rest in filter(None, lines) if first == path[-1]), None)
        assert summary, f"{ident(path)} 不在上级的 --help 中，或没有摘要\n{result}"
        summary = flat(summary[0]).removesuffix("...")
        assert CJK.search(summary), f"{ident(path)} 在上级 --help 中没有中文摘要：{summary!r}"
        assert flat(command.help).startswith(summary), (ident(path), summary)


def test_readme_lists_every_command_and_no_other():
    """README's command list ("Commands: `init`, …, `policy list|show|check`, …") is the app's."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    listed_text = re.search(r"^Commands: (.+?)\. Every command", readme, re.M | re.S)
    assert listed_text, "README has no 'Commands: …' line"
    listed = set()
    for name in re.findall(r"`([^`]+)`", listed_text[1]):
        group, _, subs = name.rpartition(" ")
        listed |= {f"{group} {sub}".strip() for sub in subs.split("|")}
    leaves = {ident(p) for p, c in SUBCOMMANDS if not getattr(c, "commands", None)}
    assert listed == leaves, (sorted(listed - leaves), sorted(leaves - listed))
