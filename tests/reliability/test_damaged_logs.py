"""Log files that are not whole: damaged, truncated, newer, read-only."""

import itertools
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import dump_log
from tests.fuzz_helpers import PRELOAD, collect, start
from tests.reliability.support import (
    FUZZ,
    TALLY,
    check,
    checkpoint,
    fill,
    one_line_refusal,
)


@pytest.mark.parametrize("command", ["status", "verify"])
def test_a_one_byte_file_is_not_silently_replaced(run, tmp_path, command):
    odd = tmp_path / "notes.txt"
    odd.write_bytes(b"\n")  # what `echo > notes.txt` leaves
    result = run("--db", odd, command)
    TALLY["inputs"] += 1
    TALLY["commands"] += 1
    assert odd.read_bytes() == b"\n", result
    assert result.code == 1, result


# --- damaged log files ------------------------------------------------------------------------------

LOG_COMMANDS = {
    "file": ["file", "--title=x", "--occurred=08:00"],
    "continue": ["continue", "20261122-001", "--text=x"],
    "close": ["close", "20261122-001"],
    "show": ["show", "20261122-001"],
    "status": ["status"],
    "report": ["report", "--date=2026-11-22"],
    "export": ["export"],
    "import": ["import", "{export}"],
    "backup": ["backup", "{dest}"],
    "verify": ["verify"],
    "init": ["init", "--office=a", "--short=b", "--policy=shandong", "--drill"],
}
WRITES = {"file", "continue", "close", "import", "init"}
SERIAL = itertools.count()


def damage_case(kind: str, pristine_bytes: bytes, data: st.DataObject) -> bytes:
    if kind == "random":
        # One byte is left to test_a_one_byte_file_is_not_silently_replaced.
        return data.draw(st.binary(min_size=2, max_size=8192), label="random bytes")
    if kind == "header":
        return b"SQLite format 3\x00" + data.draw(
            st.binary(min_size=1, max_size=4096), label="tail"
        )
    cut = data.draw(st.integers(2, len(pristine_bytes) - 1), label="truncate at")
    return pristine_bytes[:cut]


@settings(FUZZ, max_examples=100)
@given(
    command=st.sampled_from(sorted(LOG_COMMANDS)),
    kind=st.sampled_from(["random", "header", "truncated"]),
    data=st.data(),
)
def test_damaged_log_files_are_refused_and_left_alone(pristine, tmp_path, command, kind, data):
    run, good, export = pristine
    content = damage_case(kind, good, data)
    bad = tmp_path / "damaged.db"
    for leftover in tmp_path.glob("damaged.db*"):
        leftover.unlink()
    bad.write_bytes(content)
    dest = tmp_path / f"backup-{next(SERIAL)}.db"  # (hypothesis seeds `random` per example)
    argv = fill(LOG_COMMANDS[command], export=str(export), dest=str(dest))
    result = run("--db", bad, *argv)
    # Random bytes are never a log. A truncated log may still answer a read from the pages it
    # kept (SQLite cannot tell); what it must never do is change, or accept a write.
    must_fail = kind != "truncated" or command in WRITES
    check(result, bad, None, must_fail=must_fail, raw=content, argv=[kind, *argv])
    assert bad.read_bytes() == content, result
    if result.code != 0:
        assert not dest.exists() or command != "backup", result


def test_a_log_missing_its_last_page_takes_no_write(pristine, tmp_path):
    # Found by the campaign above: SQLite reads a missing page as zeros and may not notice, so
    # a write that touches only surviving pages went ahead on a truncated log.
    run, good, _ = pristine
    bad = tmp_path / "damaged.db"
    for cut in (len(good) - 1, len(good) - 4096, 99):
        bad.write_bytes(good[:cut])
        result = run("--db", bad, "file", "--title=x", "--occurred=08:00")
        assert result.code == 1 and "可能被截断" in result.err, result
        assert bad.read_bytes() == good[:cut]


def test_damaged_log_leaves_policy_commands_working(pristine, tmp_path):
    run, good, _ = pristine
    bad = tmp_path / "damaged.db"
    bad.write_bytes(good[: len(good) // 2])
    for argv in (["policy", "show", "shandong"], ["policy", "list"]):
        assert run("--db", bad, *argv).code == 0
    assert bad.read_bytes() == good[: len(good) // 2]


# --- a log from a newer yaoqing -------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(LOG_COMMANDS))
def test_newer_schema_is_refused_by_every_command(pristine, db_path, tmp_path, command):
    run, _, export = pristine
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    checkpoint(db_path)
    before, raw = dump_log(db_path), db_path.read_bytes()
    dest = tmp_path / "backup.db"
    result = run(*fill(LOG_COMMANDS[command], export=str(export), dest=str(dest)))
    check(result, db_path, before, must_fail=True, raw=raw, argv=command)
    assert result.code == 1 and "更新版本" in result.err, result
    assert not dest.exists()


# --- a read-only log -----------------------------------------------------------------------------------

READ_ONLY_WRITES = ["file", "continue", "close", "import", "init"]


def _run_as_nobody(argv: list[str], env: dict[str, str], scratch: Path) -> tuple[int, str, str]:
    """Fork, drop to uid/gid 65534, run `yaoqing ARGV`: how root tests a file it cannot write."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)  # /root is not readable once we are nobody

    def become_nobody() -> None:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        os.environ.clear()
        os.environ.update(env)

    record = collect(*start(argv, str(scratch), become=become_nobody))
    return record["code"], record["out"], record["err"]


def test_read_only_log_refuses_writes_in_one_line(pristine, tmp_path):
    run, _, export = pristine
    shared = Path(tempfile.mkdtemp(prefix="yq-readonly-"))
    try:
        shared.chmod(0o755)
        log = shared / "log.db"
        shutil.copy(tmp_path / "log.db", log)
        shutil.copy(export, shared / "export.jsonl")
        log.chmod(0o444)
        (shared / "export.jsonl").chmod(0o444)
        shared.chmod(0o555)  # no -wal or -shm can be made beside it either
        before, raw = dump_log(log), log.read_bytes()
        env = {k: v for k, v in os.environ.items() if k.startswith(("YAOQING_", "LANG", "LC_"))}
        env.update(YAOQING_DB=str(log), HOME=str(shared), XDG_DATA_HOME=str(shared))
        if os.geteuid() == 0:
            if not hasattr(os, "fork"):
                pytest.skip("root can write any file and this platform cannot drop privileges")
            scratch = Path(tempfile.mkdtemp(prefix="yq-readonly-out-"))
            try:
                probe = _run_as_nobody(["path"], env, scratch)
                if probe[0] != 0:
                    pytest.skip(
                        f"running as root and cannot run yaoqing as nobody: {probe[2][:200]}"
                    )
                results = {}
                for command in [*READ_ONLY_WRITES, "show", "status", "verify", "export"]:
                    argv = fill(LOG_COMMANDS[command], export=str(shared / "export.jsonl"), dest="")
                    results[command] = _run_as_nobody(argv, env, scratch)
            finally:
                shutil.rmtree(scratch)
            TALLY["processes"] += len(results) + 1
        else:
            if os.access(log, os.W_OK):
                pytest.skip("this user can write a file whose mode is 0o444")
            results = {}
            for command in [*READ_ONLY_WRITES, "show", "status", "verify", "export"]:
                argv = fill(LOG_COMMANDS[command], export=str(shared / "export.jsonl"), dest="")
                r = run("--db", log, *argv)
                results[command] = (r.code, r.out, r.err)
        for command, (code, out, err) in results.items():
            TALLY["inputs"] += 1
            TALLY["commands"] += 1
            what = (command, code, out, err)
            if command in READ_ONLY_WRITES:
                one_line_refusal(code, out, err, what)
                assert "只读" in err or "无法打开" in err or "权限" in err, what
            elif code != 0:  # reading a WAL log without its -shm may or may not be possible
                one_line_refusal(code, out, err, what)
        assert dump_log(log) == before
        assert log.read_bytes() == raw
        print(
            f"\n[read-only] {len(results)} commands on a read-only log: "
            + ", ".join(f"{c} → {r[0]}" for c, r in results.items())
        )
    finally:
        shared.chmod(0o755)
        shutil.rmtree(shared, ignore_errors=True)
