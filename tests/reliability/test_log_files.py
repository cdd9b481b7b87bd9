"""What may be a log: a regular file that is a yaoqing log, named directly. An empty or foreign
file is never initialised by a reader, a FIFO or a device never hangs or is written, a symlink
is refused, the log and its WAL files are private (0600), and a full disk is named as such."""

import os
from pathlib import Path

import pytest

from tests.conftest import dump_log
from tests.reliability.support import TALLY, child_env, cli, small_disk_at

READERS = [["verify"], ["status"], ["show", "20261122-001"], ["report"], ["export"]]


@pytest.mark.parametrize("command", READERS, ids=lambda c: c[0])
def test_an_empty_file_is_refused_by_readers_and_left_empty(run, tmp_path, command):
    empty = tmp_path / "empty.db"
    empty.touch()
    result = run("--db", empty, *command)
    assert result.code == 1 and "不是 yaoqing 日志" in result.err, result
    assert result.err.count("\n") == 1, result
    assert empty.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("empty")) == ["empty.db"]


def test_an_empty_sqlite_database_is_not_adopted_by_verify(run, tmp_path):
    import sqlite3

    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("PRAGMA user_version = 0").close()
    raw = other.read_bytes()
    result = run("--db", other, "verify")
    assert result.code == 1 and "不是 yaoqing 日志" in result.err, result
    assert other.read_bytes() == raw


@pytest.mark.parametrize(
    "command", [["status"], ["verify"], ["file", "--title=x", "--occurred=8:00"]]
)
def test_a_fifo_or_a_device_as_the_log_is_refused_at_once(office, tmp_path, command):
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    for log in (fifo, Path("/dev/null"), Path("/dev/zero")):
        # A real process, with a time limit: opening a FIFO for reading waits for a writer.
        result = cli("--db", log, *command, env=child_env(log))  # cli() waits 60 s at most
        assert result.returncode == 1, (log, result.stderr)
        assert "不是普通文件" in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_a_symlink_as_the_log_is_refused(office, db_path, tmp_path):
    target = tmp_path / "real-target.db"
    dangling = tmp_path / "dangling.db"
    dangling.symlink_to(target)
    result = office(
        "--db", dangling, "init", "--office=a", "--short=b", "--policy=shandong", "--drill"
    )
    assert result.code == 1 and "符号链接" in result.err, result
    assert not target.exists()
    to_log = tmp_path / "to-log.db"
    to_log.symlink_to(db_path)
    before = dump_log(db_path)
    for argv in (["status"], ["file", "--title=x", "--occurred=08:00"]):
        result = office("--db", to_log, *argv)
        assert result.code == 1 and "符号链接" in result.err, result
    assert dump_log(db_path) == before


def test_the_log_and_its_wal_files_are_private_whatever_they_were(run, tmp_path):
    log = tmp_path / "adopted.db"
    for path in (log, Path(f"{log}-wal"), Path(f"{log}-shm")):
        path.touch()
        path.chmod(0o666)  # an empty file someone made, world-writable
    result = run("--db", log, "init", "--office=a", "--short=b", "--policy=shandong", "--drill")
    assert result.code == 0, result
    assert run("--db", log, "file", "--title=x", "--occurred=08:00").code == 0
    for path in (log, Path(f"{log}-wal"), Path(f"{log}-shm")):
        if path.exists():
            assert path.stat().st_mode & 0o777 == 0o600, path
    log.chmod(0o644)
    assert run("--db", log, "status").code == 0
    assert log.stat().st_mode & 0o777 == 0o600


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB file system, where a root test run can fill a disk for real."""
    yield from small_disk_at(tmp_path, "1m")


def test_a_full_disk_is_named_and_the_log_left_as_it_was(run, small_disk):
    log = small_disk / "log.db"
    assert (
        run("--db", log, "init", "--office=a", "--short=b", "--policy=shandong", "--drill").code
        == 0
    )
    summary = "现场情况" * 4000
    for n in range(200):
        before = dump_log(log)
        result = run(
            "--db", log, "file", f"--title=满盘 {n}", "--occurred=08:00", f"--summary={summary}"
        )
        TALLY["commands"] += 1
        if result.code != 0:
            break
    else:
        pytest.fail("the disk never filled")
    assert result.code == 1, result
    assert "磁盘已满" in result.err and result.err.count("\n") == 1, result
    assert "cannot rollback" not in result.err
    assert dump_log(log) == before
    assert run("--db", log, "verify").code == 0


def test_a_fifo_or_a_device_to_import_is_refused_at_once(office, db_path, tmp_path):
    fifo = tmp_path / "export.jsonl"
    os.mkfifo(fifo)
    before = dump_log(db_path)
    for source in (fifo, Path("/dev/zero")):  # one waits for a writer, the other never ends
        result = cli("import", source, env=child_env(db_path))
        assert result.returncode == 2 and "不是普通文件" in result.stderr, result.stderr
    assert dump_log(db_path) == before
