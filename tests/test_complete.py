"""Shell completion that knows the log: IDs of open items (titles beside them, never a sensitive
one's), units already used, every controlled value; read-only, silent on a log it cannot read,
and light enough for every Tab (no store, no policy engine, no Rich)."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import dump_log, file_item
from yaoqing_cli import complete, vocab
from yaoqing_cli.cli import command_tree


@pytest.fixture
def tab(run, monkeypatch):
    """Complete a command line as a shell would: tab("yaoqing show ", shell="zsh") -> lines."""

    def press(line: str, shell: str = "zsh") -> list[str]:
        monkeypatch.setenv("_YAOQING_COMPLETE", f"complete_{shell}")
        if shell == "bash":
            words = line.split()
            monkeypatch.setenv("COMP_WORDS", line)
            monkeypatch.setenv("COMP_CWORD", str(len(words) - (0 if line.endswith(" ") else 1)))
        else:
            monkeypatch.setenv("_TYPER_COMPLETE_ARGS", line)
            monkeypatch.setenv("_TYPER_COMPLETE_FISH_ACTION", "get-args")
        try:
            result = run()
            quick = complete.answer(os.environ)  # the answer given before Typer is imported
        finally:
            monkeypatch.delenv("_YAOQING_COMPLETE")
        assert result.code == 0 and result.err == "", result
        assert quick in (None, (result.out, result.code)), (line, quick, result)
        return [line for line in result.out.splitlines() if line]

    return press


def zsh_pairs(lines: list[str]) -> dict[str, str | None]:
    """zsh's `_arguments '*: :(("value":"help" ...))'` as {value: help}."""
    text = "\n".join(lines)
    pairs = {}
    for value, help_ in __import__("re").findall(r'"((?:[^"]|"")*)"(?::"((?:[^"]|"")*)")?', text):
        pairs[value.replace('""', '"')] = help_.replace('""', '"') or None
    return pairs


def test_ids_of_open_items_with_titles_and_never_a_sensitive_title(office, tab):
    landslide = file_item(office, title="某县国道山体滑坡")["id"]
    secret = file_item(office, "--sensitive", title="涉密的事")["id"]
    closed = file_item(office, title="已终报的事")["id"]
    assert office("close", closed).code == 0
    offered = zsh_pairs(tab("yaoqing continue "))
    assert offered[landslide] == "某县国道山体滑坡"
    assert secret in offered and "涉密的事" not in json.dumps(offered, ensure_ascii=False)
    assert closed not in offered
    assert closed in zsh_pairs(tab("yaoqing show "))  # show reads closed items too
    fish = tab("yaoqing close ", shell="fish")
    assert f"{landslide}\t某县国道山体滑坡" in fish
    assert set(tab("yaoqing continue 2026", shell="bash")) == {landslide, secret}
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "2026")  # ２０２６ from a Chinese IME
    assert set(tab(f"yaoqing continue {full_width}", shell="bash")) == {landslide, secret}


def test_a_title_corrected_to_sensitive_is_hidden(office, tab, db_path):
    """A correction (issue 13) that marks an item sensitive hides its title from then on."""
    item = file_item(office, title="后来定为敏感")["id"]
    db = sqlite3.connect(db_path)
    try:  # the correction event as acts-correct records it, bypassing the (append-only) chain
        db.execute("DROP TRIGGER IF EXISTS events_append_only_insert")
        db.execute(
            "INSERT INTO events (uid, item_id, type, happened_at, recorded_at, data, prev_hash,"
            " hash) VALUES ('u-x', ?, 'correct', '2026-11-22T04:00:00Z', '2026-11-22T04:00:00Z',"
            " ?, 'p', 'h-x')",
            (item, json.dumps({"reason": "r", "from": {}, "to": {"sensitive": True}})),
        )
        db.commit()
    finally:
        db.close()
    offered = zsh_pairs(tab("yaoqing continue "))
    assert offered[item] == complete._SENSITIVE_HELP


def _vocab_options():
    for path, command in complete_walk():
        for param in command.params:
            if getattr(param, "is_flag", False):
                continue  # assign --extend, feedback --done: a switch, not a value
            for option, table in complete.VOCAB_OPTIONS.items():
                if option in getattr(param, "opts", ()) and hasattr(vocab, table):
                    yield path, option, getattr(vocab, table)


def complete_walk(command=None, path=()):
    command = command or command_tree()
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from complete_walk(sub, (*path, name))


VOCAB_CASES = list(_vocab_options())


def test_the_walk_finds_the_controlled_options():
    found = {option for _, option, _ in VOCAB_CASES}
    assert {"--level", "--kind", "--class", "--done", "--outcome", "--channel"} <= found
    # the completers look their table up by name on the Tab: a misspelt one would offer nothing
    assert all(isinstance(getattr(vocab, t, None), dict) for t in complete.VOCAB_OPTIONS.values())


@pytest.mark.parametrize(
    "path,option,table", VOCAB_CASES, ids=[f"{' '.join(p)} {o}" for p, o, _ in VOCAB_CASES]
)
def test_every_controlled_value_completes(office, tab, path, option, table):
    needs_id = any(p.metavar == "ID" for p in dict(complete_walk())[path].params)
    line = " ".join(["yaoqing", *path, *(["20261122-001"] if needs_id else []), option, ""])
    offered = zsh_pairs(tab(line))
    assert set(offered) == set(table), offered
    assert all(offered.values()), offered  # each with its Chinese label beside it


def test_levels_complete_with_their_grade_and_chinese_starts_complete_chinese(tab):
    offered = zsh_pairs(tab("yaoqing file --level "))
    assert offered["large"] == "较大（III级）"
    assert tab("yaoqing file --level 较", shell="bash") == ["较大"]


def test_units_used_and_policies_and_categories(office, tab):
    file_item(office, "--unit", "某县应急局")
    file_item(office, "--unit", "秘密单位", "--sensitive")
    assert tab("yaoqing file --unit ", shell="bash") == ["某县应急局"]
    policies = zsh_pairs(tab("yaoqing file --policy "))
    assert policies["shandong"] == "山东省" and "yunnan" in policies
    assert zsh_pairs(tab("yaoqing policy show yun")) == {"yunnan": "云南省"}
    assert office("unit", "add", "某市交通运输局", "--phone", "0531-1").code == 0
    assert tab("yaoqing assign 20261122-001 --to ", shell="bash") == [
        "某县应急局",
        "某市交通运输局",
    ]
    assert tab("yaoqing feedback 20261122-001 --from 某市", shell="bash") == ["某市交通运输局"]
    categories = zsh_pairs(tab("yaoqing file --category "))
    assert categories["社情民意"] == "信访部门"


@pytest.mark.parametrize("state", ["missing", "damaged", "foreign", "locked", "empty"])
def test_a_log_it_cannot_read_completes_nothing_silently(run, tab, db_path, state):
    if state == "damaged":
        db_path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 2000)
    elif state == "foreign":
        sqlite3.connect(db_path).execute("CREATE TABLE other (x)").connection.commit()
    elif state == "empty":
        db_path.write_bytes(b"")
    elif state == "locked":
        init = run("init", "--office", "某", "--short", "某", "--policy", "shandong", "--drill")
        assert init.code == 0, init
        file_item(run)  # an item it would offer, were the log not locked
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("PRAGMA journal_mode=DELETE")
        holder.execute("BEGIN EXCLUSIVE")
    try:
        assert tab("yaoqing show ", shell="bash") == []
        assert tab("yaoqing file --unit ") == ["_files"]  # zsh: nothing of ours
    finally:
        if state == "locked":
            holder.execute("ROLLBACK")
            holder.close()
    if state == "missing":
        assert not db_path.exists()  # completion never creates the log


def test_completion_changes_nothing(office, tab, db_path):
    file_item(office, "--unit", "某县应急局")
    before, raw = dump_log(db_path), db_path.read_bytes()
    tab("yaoqing show ")
    tab("yaoqing file --unit ")
    assert dump_log(db_path) == before and db_path.read_bytes() == raw


def test_a_tab_loads_no_store_no_policy_engine_no_rich(office, tmp_path):
    """What a Tab imports decides how long it takes (bench/run.py times it)."""
    file_item(office, "--unit", "某县应急局")
    probe = (
        "import sys\n"
        "from yaoqing_cli.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ['yaoqing_cli.store', 'yaoqing_cli.policy', 'yaoqing_cli.engine', 'rich',"
        " 'sqlite_utils', 'dateutil', 'yaoqing_cli.session']\n"
        "print('LOADED', [m for m in heavy if m in sys.modules])\n"
    )
    for shell, line in (("zsh", "yaoqing continue "), ("zsh", "yaoqing file --unit "),
                        ("fish", "yaoqing file --level "), ("bash", "yaoqing sta")):  # fmt: skip
        env = {"_YAOQING_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line,
               "_TYPER_COMPLETE_FISH_ACTION": "get-args", "COMP_WORDS": line,
               "COMP_CWORD": str(len(line.split()) - 1)}  # fmt: skip
        import os

        done = subprocess.run(
            [sys.executable, "-c", probe], env={**os.environ, **env},
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert "LOADED []" in done.stdout and done.stderr == "", (line, done.stdout, done.stderr)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_install_and_show_completion_in_chinese(run, monkeypatch, tmp_path, shell):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(complete, "shell_name", lambda: shell)
    shown = run("--show-completion")
    assert shown.code == 0 and "_YAOQING_COMPLETE" in shown.out, shown
    installed = run("--install-completion")
    assert installed.code == 0, installed
    assert installed.out.startswith(f"已为 {shell} 安装命令补全：{tmp_path}"), installed
    assert "重新打开终端后生效" in installed.out


def test_an_unknown_shell_is_told_in_chinese(run, monkeypatch):
    monkeypatch.setattr(complete, "shell_name", lambda: "tcsh")
    result = run("--install-completion")
    assert (
        result.code == 2 and "当前 shell（tcsh）不支持命令补全；支持 bash、zsh、fish" in result.err
    )


def test_the_bash_script_completes_in_a_real_bash(office, tmp_path):
    """The script --show-completion prints, loaded into bash, completes IDs and values."""
    import os
    import shutil

    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash not installed")
    item = file_item(office)["id"]
    yaoqing = [sys.executable, "-m", "yaoqing_cli"]
    script = subprocess.run(
        yaoqing, env={**os.environ, "_YAOQING_COMPLETE": "source_bash"},
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    wrapper = tmp_path / "yaoqing"
    wrapper.write_text(f'#!/bin/sh\nexec {" ".join(yaoqing)} "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    drive = (
        f"{script}\n"
        'COMP_WORDS=(yaoqing continue ""); COMP_CWORD=2; _yaoqing_completion yaoqing\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
        'COMP_WORDS=(yaoqing close x --outcome ""); COMP_CWORD=4; _yaoqing_completion yaoqing\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run([bash, "--norc", "-c", drive], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == "", done
    lines = done.stdout.split()
    assert item in lines and set(vocab.OUTCOMES) <= set(lines), done.stdout


def test_a_log_path_with_uri_characters_is_read(run, monkeypatch, tmp_path):
    """The read-only URI quotes what SQLite's URI reader would take as syntax (%, ?, #)."""
    folder = tmp_path / "值班%?#室"
    folder.mkdir()
    monkeypatch.setenv("YAOQING_DB", str(folder / "log.db"))
    init = run("init", "--office", "某", "--short", "某", "--policy", "shandong", "--drill")
    assert init.code == 0, init
    item = file_item(run)["id"]
    monkeypatch.setenv("_YAOQING_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "yaoqing show ")
    monkeypatch.setenv("COMP_CWORD", "2")
    result = run()
    assert result.code == 0 and result.out.split() == [item], result


def test_formats_complete_as_their_help_lists_them(tab):
    offered = tab("yaoqing report --format ", shell="bash")
    assert offered[:4] == ["text", "markdown", "json", "csv"], offered
    assert tab("yaoqing export --format ", shell="bash") == ["jsonl"]
    assert zsh_pairs(tab("yaoqing doc 1 --stage ")) == {
        "first": "仅首报",
        "latest": "截至目前的首报、续报、终报和批示",
    }


def test_options_and_commands_are_described_in_chinese(tab):
    from tests.test_cli_text import english_in

    options = zsh_pairs(tab("yaoqing show 1 --"))
    assert options["--help"] == "显示此帮助并退出", options
    commands = tab("yaoqing ", shell="fish")
    assert any(line.startswith("status\t未办结要情") for line in commands), commands
    for help_ in [*options.values(), *(line.partition("\t")[2] for line in commands)]:
        assert not english_in(help_ or ""), help_


def test_an_unwritable_home_is_told_in_chinese(run, monkeypatch, tmp_path):
    home = tmp_path / "home"
    home.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(complete, "shell_name", lambda: "fish")
    result = run("--install-completion")
    assert result.code == 1 and "无法写入 fish 的补全脚本：" in result.err, result


@pytest.mark.parametrize("wanted", ["source_tcsh", "bash", "complete_"])
def test_a_completion_instruction_not_ours_is_refused_in_chinese(run, monkeypatch, wanted):
    monkeypatch.setenv("_YAOQING_COMPLETE", wanted)
    result = run()
    assert result.code == 2 and "环境变量 _YAOQING_COMPLETE 的值无法识别" in result.err, result


def test_command_names_complete_with_their_first_phrase_and_every_command(tab):
    """A Tab on the command's name builds names and help only (cli._named_only): every command
    is offered, described by its help's first phrase (click cut a Chinese sentence to "...")."""
    offered = zsh_pairs(tab("yaoqing c"))
    assert offered["correct"] == "更正一条要情的记录"
    assert offered["continue"] == "记录续报"
    assert "..." not in offered.values()
    everything = set(zsh_pairs(tab("yaoqing ")))
    built = {c.name for c in command_tree().commands.values()}
    assert everything == built, built ^ everything
    assert {"file", "continue", "notify", "assign", "doc", "policy", "unit"} <= everything
    # after the name, the command's own options are there as before
    assert "--title" in zsh_pairs(tab("yaoqing file --"))


# --- the Tabs answered before Typer is imported ----------------------------------------------------


def test_the_quick_table_is_the_command_trees():
    """complete.FROM_LOG says which Tabs are answered from the log without building the tree;
    it must be what the tree itself declares, so a command or option added there is here too."""
    derived = {}
    for name, command in command_tree().commands.items():
        argument, options = None, {}
        for param in command.params:
            offers = complete.reads_log(command, param)
            if offers is None:
                continue
            if param.param_type_name == "argument":
                if param is next(p for p in command.params if p.param_type_name == "argument"):
                    argument = offers
            else:
                options.update(dict.fromkeys(param.opts, offers))
        if argument or options:
            derived[name] = (argument, options)
    assert derived == complete.FROM_LOG


@pytest.fixture
def busy_log(office):
    """A log with open, closed and sensitive items, units, a unit directory and people told."""
    first = file_item(office, "--unit", "某县应急局")["id"]
    file_item(office, "--unit", "秘密单位", "--sensitive", title="涉密事项")
    closed = file_item(office, "--unit", "市交通运输局", title="已结事项")["id"]
    assert office("close", closed, "--text", "终报", "--at", "2026-11-22 10:00").code == 0
    assert office("unit", "add", "某市水利局", "--phone", "0531-1").code == 0
    assert office("notify", first, "--who", "张副市长", "--at", "2026-11-22 09:10").code == 0
    return office


def _both_answers(run, env: dict) -> tuple:
    """(Typer's answer through cli.main, complete.answer) for one Tab."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        typer_said = run()
        return typer_said, complete.answer(os.environ)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _tab_env(shell: str, line: str, cword: int, action: str) -> dict:
    if shell == "bash":
        return {"_YAOQING_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword)}
    return {"_YAOQING_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line,
            "_TYPER_COMPLETE_FISH_ACTION": action}  # fmt: skip


@pytest.mark.parametrize(
    ("shell", "line", "offered"),
    [
        ("bash", "yaoqing show ", "20261122-003"),
        ("zsh", "yaoqing continue 2026", "某县国道山体滑坡"),
        ("fish", "yaoqing reopen ", "已结事项"),
        ("bash", "yaoqing file --title 某事 --unit 某", "某县应急局"),
        ("zsh", "yaoqing notify 20261122-001 --who ", "张副市长"),
        ("bash", "yaoqing assign 20261122-001 --to 某市", "某市水利局"),
        ("zsh", "yaoqing file --about ", "20261122-001"),
        ("zsh", "yaoqing show ", "（涉密/敏感，标题隐去）"),
        ("zsh", "yaoqing reopen 2027", "_files"),  # zsh: none of ours, the files
        ("fish:is-args", "yaoqing show ", ""),  # fish asks: are there values? yes (status 0)
        ("fish:is-args", "yaoqing show 2027", ""),  # no (status 1)
    ],
)
def test_a_tab_on_the_logs_values_is_answered_quickly_as_typer_would(
    busy_log, run, shell, line, offered
):
    shell, _, action = shell.partition(":")
    cword = len(line.split()) - (0 if line.endswith(" ") else 1)
    typer_said, quick = _both_answers(run, _tab_env(shell, line, cword, action or "get-args"))
    assert quick is not None, line  # answered without Typer
    assert quick == (typer_said.out, typer_said.code) and offered in quick[0], (quick, typer_said)


_WORDS = st.sampled_from([
    "file", "continue", "policy", "--unit", "--to", "--level", "--title", "--", "-", "--unit=",
    "=", "某", "2026", "20261122-001", "'某", '"2026', "a\\b", "某\t县", "--help", "较大",
])  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    shell=st.sampled_from(["bash", "zsh", "fish"]),
    command=st.sampled_from([*complete.FROM_LOG, "handover", "policy", "status", "--db", "sh"]),
    middle=st.lists(_WORDS, max_size=2),
    option=st.sampled_from(["", "--unit", "--to", "--from", "--who", "--about", "--level", "--"]),
    typing=st.sampled_from(["", "某", "2026", "20261122-00", "市", "-", "--u", "'某", "=x", "％"]),
    cword_off=st.sampled_from([0, 0, 0, 1, -1, -9]),
    action=st.sampled_from(["get-args", "get-args", "is-args", ""]),
)
def test_any_tab_is_answered_quickly_only_as_typer_would(
    busy_log, run, shell, command, middle, option, typing, cword_off, action
):
    """Whatever is typed, the quick answer is Typer's own or none (then Typer answers)."""
    typed = ["yaoqing", command, *middle, *([option] if option else [])]
    line = " ".join(typed) + " " + typing
    env = _tab_env(shell, line, len(typed) + cword_off, action)
    typer_said, quick = _both_answers(run, env)
    assert quick in (None, (typer_said.out, typer_said.code)), (line, quick, typer_said)


QUICK = "import sys; sys.argv[0] = 'yaoqing'; from yaoqing_cli.entry import run; run()"
TYPERS = "from yaoqing_cli.cli import main; main()"


@pytest.mark.parametrize(
    "case", ["plain", "ascii", "gb18030", "tilde", "garbled", "closed", "full", "ansi"]
)
def test_the_quick_answer_reaches_the_shell_as_typers_would(busy_log, db_path, tmp_path, case):
    """As processes, under what a shell may hand them: both print the same bytes and exit the
    same (click.echo's encoding rules and ANSI stripping, a YAOQING_DB taken as written, a
    garbled variable refused, no stdout or a full one)."""
    env = {**os.environ, "_YAOQING_COMPLETE": "complete_zsh",
           "_TYPER_COMPLETE_ARGS": "yaoqing file --unit "}  # fmt: skip
    out, kw = subprocess.PIPE, {}
    if case == "ascii":
        env["PYTHONIOENCODING"] = "ascii"
    elif case == "gb18030":
        env["PYTHONIOENCODING"] = "gb18030"
    elif case == "tilde":  # a quoted ~ is not the home directory to --db either
        env.update(HOME=str(tmp_path), YAOQING_DB="~/log.db")
        (tmp_path / "log.db").write_bytes(db_path.read_bytes())
    elif case == "garbled":
        env = {k.encode(): v.encode() for k, v in env.items()}
        env[b"YAOQING_OFFICER"] = b"\xff"
    elif case == "closed":
        kw["preexec_fn"] = lambda: os.close(1)
    elif case == "full":
        out = open("/dev/full", "wb")  # noqa: SIM115
    elif case == "ansi":  # a log edited behind the tool's back: the CLI refuses control codes
        db = sqlite3.connect(db_path)
        db.execute("DROP TRIGGER IF EXISTS items_fixed_columns")
        db.execute("UPDATE items SET unit = ? WHERE unit = '某县应急局'", ("\033[31m红字单位",))
        db.commit()
        db.close()
    said = []
    for program in (QUICK, TYPERS):
        done = subprocess.run([sys.executable, "-c", program], env=env, stdout=out,
                              stderr=subprocess.PIPE, check=False, cwd=tmp_path, **kw)  # fmt: skip
        assert b"Traceback" not in done.stderr, done.stderr.decode()
        said.append((done.returncode, done.stdout, done.stderr))
    assert said[0] == said[1], said
