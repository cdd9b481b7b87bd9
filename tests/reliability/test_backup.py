"""Backups: never overwrite (two at once to one name: one wins), never leave a partial file
(killed, disk full), finish while others write, and are logs that verify. Real processes."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import file_item
from tests.reliability.support import DRIVER, TALLY, child_env, cli, rows, small_disk_at

BIG_TEXT = "某县国道山体滑坡，现场已封闭，正在组织抢险。" * 900  # about 19 000 characters


def backup_proc(dest: Path, env) -> subprocess.Popen:
    TALLY["processes"] += 1
    TALLY["commands"] += 1
    return subprocess.Popen(
        [sys.executable, "-m", "yaoqing_cli", "backup", dest],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def is_good_copy(dest: Path, env) -> bool:
    verified = cli("--db", dest, "verify", env=env)
    return verified.returncode == 0 and "核验通过" in verified.stdout


def leftovers(folder: Path, name: str) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(f".{name}."))


@pytest.fixture
def big_log(office, db_path):
    """A log of a few megabytes: more pages than one step of a stepwise copy."""
    for n in range(60):
        file_item(office, f"--summary={BIG_TEXT}", title=f"大事件 {n}")
    return db_path


def test_a_backup_is_a_private_log_that_verifies(office, db_path, tmp_path):
    file_item(office)
    dest = tmp_path / "backup.db"
    result = office("backup", dest)
    assert result.code == 0, result
    assert dest.stat().st_mode & 0o777 == 0o600
    assert is_good_copy(dest, child_env(db_path))
    assert rows(dest, "SELECT id FROM items") == rows(db_path, "SELECT id FROM items")
    assert leftovers(tmp_path, "backup.db") == []


ROUNDS = 12


def test_two_backups_to_one_new_name_cannot_both_succeed(office, db_path, tmp_path):
    file_item(office)
    env = child_env(db_path)
    for n in range(ROUNDS):
        dest = tmp_path / f"race-{n}.db"
        procs = [backup_proc(dest, env) for _ in range(2)]
        results = [(p.wait(timeout=60), *p.communicate()) for p in procs]
        codes = sorted(code for code, _, _ in results)
        assert codes == [0, 1], results
        loser = next(err for code, _, err in results if code == 1)
        assert "已存在" in loser and loser.count("\n") == 1, loser
        assert is_good_copy(dest, env), results
        assert leftovers(tmp_path, dest.name) == []


def test_a_file_that_appears_at_dest_during_the_copy_is_never_overwritten(big_log, tmp_path):
    """Another backup (or anyone) takes the name while this one copies: this one must fail and
    leave that file alone. The test creates DEST itself, exclusively, once the copy has begun;
    if the backup has already finished by then, it tries again under a new name."""
    env = child_env(big_log)
    caught = 0
    for n in range(20):
        dest = tmp_path / f"taken-{n}.db"
        proc = backup_proc(dest, env)
        while proc.poll() is None and not leftovers(tmp_path, dest.name) and not dest.exists():
            time.sleep(0.001)
        try:
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # too late: the backup has its name already
            proc.communicate(timeout=60)
            assert proc.returncode == 0 and is_good_copy(dest, env)
            continue
        os.write(fd, b"someone else's file")
        os.close(fd)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 1 and "已存在" in err, err
        assert dest.read_bytes() == b"someone else's file"
        assert leftovers(tmp_path, dest.name) == []
        caught += 1
        if caught == 3:
            break
    assert caught, "never created DEST while a backup was copying"


def test_a_symlink_as_backup_destination_is_refused(office, tmp_path):
    target = tmp_path / "elsewhere.db"
    link = tmp_path / "link.db"
    link.symlink_to(target)  # dangling: a backup through it would create the target
    result = office("backup", link)
    assert result.code == 1 and "符号链接" in result.err, result
    assert not target.exists() and link.is_symlink()


KILLS = 12


def test_a_killed_backup_never_leaves_a_partial_destination(big_log, tmp_path):
    env = child_env(big_log)
    began = time.monotonic()
    timing = cli("backup", tmp_path / "timing.db", env=env)
    whole = time.monotonic() - began
    assert timing.returncode == 0, timing.stderr
    for n in range(KILLS):
        dest = tmp_path / f"killed-{n}.db"
        proc = backup_proc(dest, env)
        time.sleep(whole * (0.3 + 0.8 * n / KILLS))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        TALLY["kills"] += proc.returncode == -signal.SIGKILL
        # Either no DEST at all, or a whole log that verifies: never something in between.
        assert not dest.exists() or is_good_copy(dest, env), (n, proc.returncode)
        for temp in leftovers(tmp_path, dest.name):  # the hidden copy a SIGKILL leaves
            refused = cli("--db", temp, "verify", env=env)
            assert refused.returncode != 0 or is_good_copy(temp, env)


def test_a_backup_finishes_while_others_write(big_log, tmp_path):
    """Writers file and follow up without pause for the whole backup; it must finish, be one
    moment of the log (a prefix of its chain) and verify. The times are printed, not asserted."""
    env = child_env(big_log)
    began = time.monotonic()
    assert cli("backup", tmp_path / "idle.db", env=env).returncode == 0
    idle = time.monotonic() - began
    shared = rows(big_log, "SELECT id FROM items ORDER BY id LIMIT 1")[0][0]
    writers = [
        subprocess.Popen(
            [sys.executable, DRIVER, "worker", str(w), "400", shared, tmp_path / f"w{w}.json"],
            env=env,
        )
        for w in range(2)
    ]
    try:
        time.sleep(1.0)  # the writers are writing
        before = rows(big_log, "SELECT count(*) FROM events")[0][0]
        began = time.monotonic()
        busy = cli("backup", tmp_path / "busy.db", env=env)
        busy_seconds = time.monotonic() - began
        after = rows(big_log, "SELECT count(*) FROM events")[0][0]
    finally:
        for w in writers:
            w.kill()
            w.wait(timeout=60)
    assert busy.returncode == 0, busy.stderr
    copied = rows(tmp_path / "busy.db", "SELECT count(*) FROM events")[0][0]
    assert before <= copied <= after
    assert is_good_copy(tmp_path / "busy.db", env)
    print(
        f"\n[backup] {big_log.stat().st_size / 1e6:.1f} MB log: {idle:.2f} s idle,"
        f" {busy_seconds:.2f} s with 2 writers ({after - before} events written meanwhile)"
    )


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB file system, where a root test run can fill a disk for real."""
    yield from small_disk_at(tmp_path, "2m")


def test_a_backup_that_fills_the_disk_leaves_nothing(big_log, small_disk):
    dest = small_disk / "backup.db"
    result = cli("backup", dest, env=child_env(big_log))
    assert result.returncode == 1, result.stderr
    assert "磁盘已满" in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert os.listdir(small_disk) == []


def test_the_next_backup_sweeps_what_a_killed_one_left(office, tmp_path):
    file_item(office, title="某事件")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".b.db.{dead.pid}.abc123.tmp"
    stale.write_bytes(b"SQLite format 3\x00 partial")
    busy = tmp_path / ".b.db.1.def456.tmp"  # pid 1 is alive: another backup's copy in progress
    busy.write_bytes(b"partial")
    result = office("backup", tmp_path / "b.db")
    assert result.code == 0, result
    assert not stale.exists() and busy.exists()
    assert sorted(p.name for p in tmp_path.glob(".b.db.*")) == [busy.name]
