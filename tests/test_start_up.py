"""What the everyday commands load. Each module costs start-up time on every run (bench/run.py
times the whole process; no test asserts a time): the shift's commands must not load what
only some other command uses. A real process on a real log, as an officer runs it."""

import os
import subprocess
import sys

from conftest import file_item
from hypothesis import given
from hypothesis import strategies as st

# Loaded by commands that use them, never by the shift's everyday commands: OpenSSL through
# hashlib (2 ms), the TOML parser (policy and calendar files), the holiday library (working
# days), dataclasses (records are NamedTuples: models.py), rich, sqlite-utils, dateutil, docx.
WATCHED = (
    "_hashlib",
    "tomllib",
    "chinese_calendar",
    "dataclasses",
    "rich",
    "sqlite_utils",
    "dateutil",
    "docx",
)

PROBE = (
    "import atexit, sys\n"
    "WATCHED = {watched!r}\n"
    "atexit.register(lambda: print('LOADED', [m for m in WATCHED if m in sys.modules],"
    " file=sys.stderr))\n"
    "sys.argv[0] = 'yaoqing'\n"
    "from yaoqing_cli.entry import run\n"
    "run()\n"
)


def loaded(*args: str, watched=WATCHED, env=None, offers: str = "") -> list[str]:
    """The watched modules a run loaded; `offers`: what its output must contain."""
    probe = PROBE.format(watched=watched)
    done = subprocess.run(
        [sys.executable, "-c", probe, *args],
        env=dict(os.environ, **(env or {})),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert offers in done.stdout, done.stdout
    line = next(x for x in done.stderr.splitlines() if x.startswith("LOADED "))
    return eval(line.removeprefix("LOADED "))  # a list literal this probe printed


def test_the_shifts_commands_load_only_what_they_use(office):
    item = file_item(office)["id"]
    assert loaded("status", "--overdue") == []
    assert loaded("status") == []
    assert loaded("show", item) == []
    assert loaded("continue", item, "--text", "续报") == []
    # file reads the policy's files, as they stand now: their parser and nothing else
    assert loaded("file", "--title", "某事", "--occurred", "1小时前") == ["tomllib"]


def test_a_tab_loads_no_rule_and_no_table_it_does_not_offer(office):
    """Completion runs on every Tab (≤ 1.15× Typer's own start-up, bench/run.py): a Tab after
    --unit reads the log's units and loads neither the vocabulary nor any of the rules, nor
    Typer itself (complete.answer); nor does a Tab on an item's ID."""
    item = file_item(office, "--unit", "市应急局")["id"]
    watched = (*WATCHED, "_hashlib", "yaoqing_cli.vocab", "yaoqing_cli.store", "zoneinfo",
               "typer", "click", "pathlib", "re")  # fmt: skip
    tab = {"_YAOQING_COMPLETE": "complete_bash", "COMP_WORDS": "yaoqing file --unit ",
           "COMP_CWORD": "3"}  # fmt: skip
    assert loaded(watched=watched, env=tab, offers="市应急局") == []
    tab.update(COMP_WORDS="yaoqing show ", COMP_CWORD="2")
    assert loaded(watched=watched, env=tab, offers=item) == []
    # and the Tab that offers the levels loads Typer and the table of levels, no rule
    tab.update(COMP_WORDS="yaoqing file --level ", COMP_CWORD="3")
    offered = loaded(watched=watched, env=tab, offers="major")
    assert [m for m in offered if m not in ("typer", "pathlib", "re")] == ["yaoqing_cli.vocab"]


def test_working_days_load_the_holiday_library_when_counted(run):
    made = run(
        "init",
        "--office",
        "昆明市人民政府办公室",
        "--short",
        "昆明市",
        "--policy",
        "yunnan",
        "--drill",
    )
    assert made.code == 0, made
    filed = run(
        "file", "--title", "留言", "--kind", "message", "--class", "advice",
        "--occurred", "1小时前",
    )  # fmt: skip
    assert filed.code == 0, filed
    # a citizen's message is answered within working days (云政办发〔2016〕106号): counted by it
    assert "chinese_calendar" in loaded("show", filed.out.split()[1])


@given(st.binary(max_size=4096))
def test_a_writes_sha256_is_the_same_with_or_without_hashlib_loaded(data):
    """models.sha256_hex takes CPython's own SHA-256 when hashlib (OpenSSL) is not loaded yet,
    and hashlib's when it is (verify): the chain must not depend on which."""
    from yaoqing_cli.models import _own_sha256, sha256_hex

    hashlib = sys.modules.pop("hashlib")
    try:
        without = sha256_hex(data)
    finally:
        sys.modules["hashlib"] = hashlib
    assert without == sha256_hex(data) == hashlib.sha256(data).hexdigest()
    assert _own_sha256().__module__ in ("_sha2", "_sha256")  # CPython's own, not the fallback
