"""Bad input of every kind on the command line and in the environment: refused in one line,
the log unchanged."""

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.conftest import dump_log
from tests.reliability.support import (
    FUZZ,
    TALLY,
    check,
    checkpoint,
    child_env,
    integrity_ok,
    one_line_refusal,
    rows,
)
from yaoqing_cli.store import SCHEMA_VERSION

# === 3. bad-input campaign ==========================================================================

# --- times ------------------------------------------------------------------------------------

BAD_TIMES = [
    "9999-99-99",
    "9999-12-31 23:59",
    "0000-00-00 00:00",
    "2026-13-01 08:00",
    "2026-02-30 08:00",
    "2026-11-22 25:00",
    "2026-11-22 08:60",
    "1900-01-01 08:00",
    "2026-11-22T08:00+99:00",
    "1e308",
    "nan",
    "inf",
    "-inf",
    "",
    " ",
    "'; DROP TABLE events; --",
    "08:00\x00",
    "\x00",
    "2026-11-22\udcff",
    "\udcff\udcfe",
    "2026-11-22 08:00" + "0" * 100_000,
    "9" * 100_000,
    "昨天" * 50_000,
]
huge_numbers = st.integers(min_value=10**7, max_value=10**40).flatmap(
    lambda n: st.sampled_from([f"{n}", f"-{n}h", f"{n}小时前", f"{n}-01-01", f"-{n}d"])
)
any_time = st.one_of(
    st.sampled_from(BAD_TIMES).map(lambda t: (t, True)),
    huge_numbers.map(lambda t: (t, True)),
    st.text(max_size=40).map(lambda t: (t, False)),  # may happen to be a time
    st.from_regex(
        r"-?\d{1,6}[-/年]\d{1,3}[-/月]\d{1,3}[日 T]?\d{0,3}[:点时]?\d{0,3}", fullmatch=True
    ).map(lambda t: (t, False)),
)
TIME_COMMANDS = [
    ["file", "--title=x", "--occurred={t}"],
    ["file", "--title=x", "--occurred=08:00", "--at={t}"],
    ["file", "--title=x", "--occurred=08:00", "--received={t}"],
    ["continue", "{id}", "--text=x", "--at={t}"],
    ["close", "{id}", "--at={t}"],
    ["show", "{id}", "--at={t}"],
    ["status", "--at={t}"],
    ["status", "--due-within={t}"],
    ["report", "--date={t}"],
    ["report", "--since={t}"],
    ["report", "--since=2026-11-21", "--until={t}"],
    ["report", "--period={t}"],
    ["export", "--since={t}"],
]


@FUZZ
@given(template=st.sampled_from(TIME_COMMANDS), bad=any_time)
def test_garbage_times_are_refused_in_one_line(logged, db_path, template, bad):
    run, item_id = logged
    text, must_fail = bad
    before = dump_log(db_path)
    argv = [part.replace("{t}", text).replace("{id}", item_id) for part in template]
    check(run(*argv), db_path, before, must_fail=must_fail, argv=argv)


# --- text fields --------------------------------------------------------------------------------

CONTROL = [chr(c) for c in range(32) if chr(c) not in "\n\t"] + ["\x7f"]
visible = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Z")), min_size=1, max_size=30)
bad_text = st.one_of(
    st.tuples(visible, st.sampled_from(CONTROL), visible).map("".join),  # a control char inside
    st.tuples(visible, st.sampled_from(["\udcff", "\ud800", "\udfff"]), visible).map("".join),
    st.integers(min_value=20_001, max_value=100_000).map(lambda n: "要" * n),
    st.sampled_from(
        ["x" * 100_000, "a\x1b[31m红色b", "标题\x00截断", "\r\n\r\n".join("ab") + "\x08"]
    ),
)
TEXT_COMMANDS = [
    ["file", "--title={x}", "--occurred=08:00"],
    ["file", "--title=ok", "--occurred=08:00", "--summary={x}"],
    ["file", "--title=ok", "--occurred=08:00", "--location={x}"],
    ["file", "--title=ok", "--occurred=08:00", "--unit={x}"],
    ["file", "--title=ok", "--occurred=08:00", "--caller={x}"],
    ["file", "--title=ok", "--occurred=08:00", "--officer={x}"],
    ["file", "--title=ok", "--occurred=08:00", "--kind=opinion", "--category={x}"],
    ["continue", "{id}", "--text={x}"],
    ["continue", "{id}", "--text=ok", "--measures={x}"],
    ["continue", "{id}", "--text=ok", "--officer={x}"],
    ["close", "{id}", "--text={x}"],
    ["close", "{id}", "--officer={x}"],
    ["init", "--office={x}", "--short=济南市", "--policy=shandong", "--drill"],
    ["init", "--office=济南市人民政府办公厅", "--short={x}", "--policy=shandong", "--drill"],
    [
        "init",
        "--office=济南市人民政府办公厅",
        "--short=济南市",
        "--policy=shandong",
        "--officer={x}",
        "--drill",
    ],
]


@FUZZ
@given(template=st.sampled_from(TEXT_COMMANDS), text=bad_text)
def test_control_characters_huge_and_broken_text_are_refused(logged, db_path, template, text):
    run, item_id = logged
    before = dump_log(db_path)
    argv = [part.replace("{x}", text).replace("{id}", item_id) for part in template]
    result = run(*argv)
    check(result, db_path, before, must_fail=True, argv=argv)
    assert result.code == 2, result


# --- SQL is data ----------------------------------------------------------------------------------

SQL = [
    "'; DROP TABLE events; --",
    '"; DELETE FROM items; --',
    "1' OR '1'='1",
    "Robert'); DROP TABLE office;--",
    "'); UPDATE events SET data = '{}'; --",
    "x'); PRAGMA user_version = 99; --",
    "' UNION SELECT hash FROM events --",
    "ATTACH DATABASE 'evil.db' AS evil; --",
    "%",
    "_%_",
    "\\",
    "'",
    '"',
    "`",
    "NULL",
    "/* */",
    "-- 注释",
    "?",
    ":name",
    "$1",
    "; VACUUM; --",
]
sql_text = st.tuples(
    st.sampled_from(SQL),
    # no invisible format characters (Cf): every field refuses them (test_text_and_outputs.py)
    st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Z")), max_size=12),
).map(lambda p: f"{p[0]}{p[1]}")


@settings(FUZZ, max_examples=40)
@given(value=sql_text)
def test_sql_fragments_are_stored_verbatim(office, db_path, value):
    TALLY["inputs"] += 1
    tables = [name for name, _ in dump_log(db_path)]
    filed = office(
        "file",
        f"--title={value}",
        "--occurred=08:00",
        f"--summary={value}",
        f"--unit={value}",
        f"--officer={value}",
        "--json",
    )
    TALLY["commands"] += 1
    assert filed.code == 0, filed
    item_id = filed.json["id"]
    assert filed.json["title"] == value
    followed = office("continue", item_id, f"--text={value}", f"--officer={value}", "--json")
    assert followed.code == 0, followed
    shown = office("show", item_id, "--json")
    assert shown.code == 0, shown
    line = shown.json
    label = unicodedata.normalize("NFKC", value).strip()  # units and names are labels
    assert line["title"] == value and line["unit"] == label
    assert line["details"]["summary"] == value
    assert [e["data"].get("text") for e in line["events"]][1] == value
    assert {e["officer"] for e in line["events"]} == {label}
    # The value as an ID or a policy name is just an unknown name.
    before = dump_log(db_path)
    for argv in (
        ["show", "--", value],
        ["close", "--", value],
        ["file", "--title=x", "--occurred=08:00", f"--policy={value}"],
    ):
        check(office(*argv), db_path, before, must_fail=True, argv=argv)
    TALLY["commands"] += 2
    assert [name for name, _ in dump_log(db_path)] == tables
    assert rows(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert office("verify").code == 0


# --- names, IDs and keywords --------------------------------------------------------------------

garbage = st.one_of(
    st.text(max_size=40),
    st.sampled_from([*SQL, "\udcff", "\x00", "a" * 100_000, "20261122-001\x00", " 20261122-999 "]),
)
NAME_COMMANDS = [
    ["show", "--", "{g}"],
    ["continue", "--text=x", "--", "{g}"],
    ["close", "--", "{g}"],
    ["policy", "show", "--", "{g}"],
    ["file", "--title=x", "--occurred=08:00", "--policy={g}"],
    ["file", "--title=x", "--occurred=08:00", "--kind={g}"],
    ["file", "--title=x", "--occurred=08:00", "--level={g}"],
    ["file", "--title=x", "--occurred=08:00", "--kind=message", "--class={g}"],
    ["file", "--title=x", "--occurred=08:00", "--channel={g}"],
    ["continue", "{id}", "--done={g}"],
    ["continue", "{id}", "--level={g}"],
    ["continue", "{id}", "--extend={g}", "--text=x"],
    ["close", "{id}", "--outcome={g}"],
    ["report", "--format={g}"],
    ["export", "--format={g}"],
    ["init", "--office=a", "--short=b", "--policy={g}", "--drill"],
    ["init", "--office=a", "--short=b", "--policy=shandong", "--tz={g}", "--drill"],
]


@FUZZ
@given(template=st.sampled_from(NAME_COMMANDS), value=garbage)
def test_unknown_ids_names_and_keywords_are_refused(logged, db_path, template, value):
    run, item_id = logged
    before = dump_log(db_path)
    argv = [part.replace("{g}", value).replace("{id}", item_id) for part in template]
    # Random text may spell a real keyword ("I", "舆情", "json", ...); that one is accepted.
    check(run(*argv), db_path, before, must_fail=len(value) > 100 or "\x00" in value, argv=argv)


# --- paths ------------------------------------------------------------------------------------------

relative_garbage = st.text(min_size=1, max_size=40).filter(
    lambda p: not p.startswith(("/", "~")) and ".." not in p
)
bad_path = st.one_of(
    relative_garbage,
    st.sampled_from(
        [
            "",
            ".",
            "nope/x",
            "a\x00b",
            "\udcff.db",
            "x" * 5000,
            "d/" * 3000 + "f",
            "log.db",
            "existing",
        ]
    ),
)
PATH_COMMANDS = [  # (command line, whether a NUL or over-long path there must be refused)
    (["backup", "--", "{p}"], True),
    (["export", "--output={p}"], True),
    (["report", "--date=2026-11-22", "--output={p}"], True),
    (["import", "--", "{p}"], True),
    (["policy", "check", "--", "{p}"], True),
    (["--db={p}", "status"], True),
    (["--db={p}", "verify"], True),
    (["--calendar={p}", "status"], False),  # how an unusable calendar or policy folder is
    (["--policies={p}", "policy", "show", "shandong"], False),  # treated is theirs to say
]


@FUZZ
@given(case=st.sampled_from(PATH_COMMANDS), value=bad_path)
def test_bad_paths_fail_cleanly(logged, db_path, in_tmp, case, value):
    """Missing, unwritable, over-long, NUL-bearing and undecodable paths. Writing a backup
    or an export to a fresh relative path is fine; the log itself must never change."""
    run, _ = logged
    (in_tmp / "existing").write_text("不是政策也不是日志\n", encoding="utf-8")
    before = dump_log(db_path)
    raw = db_path.read_bytes()
    template, primary = case
    argv = [part.replace("{p}", value) for part in template]
    refuse = primary and ("\x00" in value or len(value) > 4096)
    check(run(*argv), db_path, before, must_fail=refuse, argv=argv)
    assert db_path.read_bytes() == raw


# --- random command lines ------------------------------------------------------------------------

OPTIONS = [
    "--at",
    "--text",
    "--title",
    "--occurred",
    "--json",
    "--done",
    "--level",
    "--kind",
    "--extend",
    "--outcome",
    "--since",
    "--until",
    "--date",
    "--period",
    "--format",
    "--all",
    "--overdue",
    "--due-within",
    "--class",
    "--received",
    "--sensitive",
    "-h",
    "20261122-001",
    "08:00",
    "shandong",
    "--",
    "-",
]
token = st.one_of(st.sampled_from(OPTIONS), relative_garbage, st.text(max_size=10))
COMMANDS = [
    ["file"],
    ["continue"],
    ["close"],
    ["show"],
    ["status"],
    ["report"],
    ["policy", "show"],
    ["policy", "check"],
    ["export"],
    ["import"],
    ["backup"],
    ["verify"],
    ["init"],
    ["policy"],
    [],
]


@settings(FUZZ, max_examples=120)
@given(command=st.sampled_from(COMMANDS), tokens=st.lists(token, max_size=7))
def test_random_command_lines_never_crash(logged, db_path, in_tmp, command, tokens):
    run, _ = logged
    assume(not (command == ["import"] and "-" in tokens))  # `import -` reads standard input
    before = dump_log(db_path)
    check(run(*command, *tokens), db_path, before, must_fail=False, argv=[*command, *tokens])


# --- invalid UTF-8 in a real process ---------------------------------------------------------------


def test_invalid_utf8_arguments_and_environment(logged, db_path, tmp_path):
    """Bytes that are not UTF-8, as a shell can pass them (Python sees surrogate escapes)."""
    _, item_id = logged
    before = dump_log(db_path)
    raw = db_path.read_bytes()
    item = item_id.encode()
    cases = [
        [b"file", b"--title", b"\xff\xfe", b"--occurred", b"08:00"],
        [b"file", b"--title", b"ok", b"--occurred", b"\xff08:00"],
        [b"file", b"--title", b"ok", b"--occurred", b"08:00", b"--summary", b"\xc3\x28"],
        [b"file", b"--title", b"ok", b"--occurred", b"08:00", b"--kind", b"\xe7\xaa"],
        [b"continue", item, b"--text", b"\xed\xa0\x80"],
        [b"continue", b"20261122-\xff", b"--text", b"x"],
        [b"close", item, b"--text", b"\x80abc"],
        [b"show", b"\xff"],
        [b"status", b"--at", b"\xff"],
        [b"status", b"--due-within", b"2\xffh"],
        [b"report", b"--date", b"\xff\xfe"],
        [b"export", b"--since", b"\xfe"],
        [b"import", bytes(tmp_path) + b"/\xff.jsonl"],
        [b"backup", bytes(db_path)],
        [b"policy", b"show", b"\xff"],
        [b"policy", b"check", bytes(tmp_path) + b"/\xff.toml"],
        [b"init", b"--office", b"\xff", b"--short", b"b", b"--policy", b"shandong", b"--drill"],
        [b"--db", bytes(tmp_path) + b"/\xff/log.db", b"status"],
        [b"verify", b"--\xff"],
    ]
    env = {os.fsencode(k): os.fsencode(v) for k, v in child_env(db_path).items()}
    officer_env = {**env, b"YAOQING_OFFICER": b"\xff\xfe"}
    now_env = {**env, b"YAOQING_NOW": b"2026-11-22T\xff"}
    jobs = [(argv, env) for argv in cases]
    jobs.append(([b"file", b"--title", b"ok", b"--occurred", b"08:00"], officer_env))
    jobs.append(([b"status"], now_env))
    procs = [
        (
            argv,
            subprocess.Popen(
                [os.fsencode(sys.executable), b"-m", b"yaoqing_cli", *argv],
                env=e,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            ),
        )
        for argv, e in jobs
    ]
    for argv, proc in procs:
        out, err = proc.communicate(timeout=60)
        TALLY["inputs"] += 1
        TALLY["processes"] += 1
        TALLY["commands"] += 1
        text_err = err.decode("utf-8")  # what reaches the terminal is valid UTF-8
        one_line_refusal(
            proc.returncode, out.decode("utf-8"), text_err, (argv, proc.returncode, text_err)
        )
    assert dump_log(db_path) == before
    checkpoint(db_path)
    assert db_path.read_bytes() != b"" and integrity_ok(db_path)
    del raw


NON_UTF8_OUTPUTS = {
    "init": [
        b"--db",
        b"{t}",
        b"init",
        b"--office",
        b"a",
        b"--short",
        b"b",
        b"--policy",
        b"shandong",
        b"--drill",
    ],
    "backup": [b"backup", b"{t}"],
    "export": [b"export", b"--output", b"{t}"],
    "report": [b"report", b"--date", b"2026-11-22", b"--output", b"{t}"],
}


@pytest.mark.parametrize("command", sorted(NON_UTF8_OUTPUTS))
def test_a_non_utf8_output_path_is_written_and_reported_or_neither(
    logged, db_path, tmp_path, command
):
    """Under a UTF-8 locale (zh_CN.UTF-8) Python's stdout is strict; PYTHONIOENCODING=utf-8
    gives the same here. A command that exits non-zero must not have written anything.
    (yaoqing refuses arguments that are not UTF-8 up front, in one line, writing nothing.)"""
    target = bytes(tmp_path) + b"/\xff\xfe-" + command.encode()
    argv = [target if part == b"{t}" else part for part in NON_UTF8_OUTPUTS[command]]
    env = {os.fsencode(k): os.fsencode(v) for k, v in child_env(db_path).items()}
    env[b"PYTHONIOENCODING"] = b"utf-8"
    proc = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"yaoqing_cli", *argv],
        env=env,
        capture_output=True,
        timeout=60,
    )
    TALLY["processes"] += 1
    TALLY["commands"] += 1
    written = Path(os.fsdecode(target))
    if command == "init":
        wrote = written.exists() and rows(written, "SELECT count(*) FROM office") == [(1,)]
    else:
        wrote = written.exists()
    if proc.returncode != 0:
        one_line_refusal(proc.returncode, "", proc.stderr.decode(), proc)
    assert proc.returncode == 0 or not wrote, proc.stderr.decode()
