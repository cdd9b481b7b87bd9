"""A command killed at any moment leaves a whole log."""

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter

from tests.conftest import file_item
from tests.reliability.support import (
    DRIVER,
    TALLY,
    TODAY,
    child_env,
    cli,
    integrity_ok,
    rows,
)

# === 2. crash safety ================================================================================

KILLED_IN_DRIVER = 36  # forked children killed at a random moment of their run
KILLED_REAL = 6  # `python -m yaoqing_cli file` processes killed near the end of their run


def test_sigkill_at_any_moment_leaves_a_whole_log(office, db_path, tmp_path):
    shared = file_item(office, title="被续报时遭强行终止的要情")["id"]
    env = child_env(db_path)
    out = tmp_path / "crash.json"
    seed = random.randrange(1_000_000)
    driver = subprocess.run(
        [sys.executable, DRIVER, "crash", str(KILLED_IN_DRIVER), "auto", str(seed), shared, out],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert driver.returncode == 0, driver.stderr
    records = json.loads(out.read_text(encoding="utf-8"))

    # A few real processes, killed late in their run: start-up included, as in a terminal.
    rng = random.Random(seed)
    began = time.monotonic()
    timing = cli("file", "--title=崩溃测试 REAL-timing", "--occurred=08:00", "--json", env=env)
    whole = time.monotonic() - began
    assert timing.returncode == 0, timing.stderr
    records.append(
        {
            "argv": ["file"],
            "marker": "REAL-timing",
            "code": 0,
            "killed": False,
            "out": timing.stdout,
            "err": timing.stderr,
        }
    )
    for i in range(KILLED_REAL):
        marker = f"REAL-{i}"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "yaoqing_cli",
                "file",
                f"--title=崩溃测试 {marker}",
                "--occurred=08:00",
                "--json",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(whole * rng.uniform(0.6, 1.05))
        proc.send_signal(signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=30)
        records.append(
            {
                "argv": ["file"],
                "marker": marker,
                "code": proc.returncode,
                "killed": proc.returncode == -signal.SIGKILL,
                "out": stdout,
                "err": stderr,
            }
        )
    TALLY["processes"] += len(records) + 1

    killed = [r for r in records if r["killed"]]
    done = [r for r in records if not r["killed"]]
    TALLY["kills"] += len(killed)
    TALLY["commands"] += len(records) - KILLED_REAL - 1  # cli() counted the real ones already
    for r in done:  # a command that ran to its end succeeded, cleanly
        assert r["code"] == 0, r
        assert r["err"] == "", r

    # The log opens, is sound, and its chain verifies.
    assert integrity_ok(db_path)
    verified = cli("verify", env=env)
    assert verified.returncode == 0, verified.stderr

    # Items: every reported success is there under the ID it printed; everything else there
    # comes from a killed command, whole (its `file` event exists), and at most once.
    items = {title: item_id for item_id, title in rows(db_path, "SELECT id, title FROM items")}
    markers = Counter(t.removeprefix("崩溃测试 ") for t in items if t.startswith("崩溃测试 "))
    assert set(markers.values()) <= {1}
    with_file_event = {i for (i,) in rows(db_path, "SELECT item_id FROM events WHERE type='file'")}
    assert with_file_event == set(items.values())
    file_cmds = [r for r in records if r["argv"][0] == "file"]
    for r in file_cmds:
        present = r["marker"] in markers
        if not r["killed"]:
            assert present, r
            assert json.loads(r["out"])["id"] == items[f"崩溃测试 {r['marker']}"]
    assert set(markers) <= {r["marker"] for r in file_cmds}
    landed_killed = sum(1 for r in file_cmds if r["killed"] and r["marker"] in markers)

    # Follow-ups on one item: the same, and still numbered 1..k.
    follow = [
        json.loads(d)
        for (d,) in rows(
            db_path, "SELECT data FROM events WHERE item_id=? AND type='continue'", shared
        )
    ]
    seen = Counter(d["text"] for d in follow)
    assert set(seen.values()) <= {1}
    cont_cmds = [r for r in records if r["argv"][0] == "continue"]
    for r in cont_cmds:
        if not r["killed"]:
            assert seen[r["marker"]] == 1, r
    assert set(seen) <= {r["marker"] for r in cont_cmds}
    assert sorted(d["n"] for d in follow) == list(range(1, len(follow) + 1))

    # Numbering survived: gapless IDs and 第N期.
    ids = sorted(items.values())
    assert ids == [f"{TODAY}-{k:03d}" for k in range(1, len(ids) + 1)]
    issues = sorted(n for (n,) in rows(db_path, "SELECT issue_no FROM items"))
    assert issues == list(range(1, len(ids) + 1))

    # And no lock was left behind: the next command goes straight through.
    began = time.monotonic()
    after = cli("file", "--title=崩溃之后", "--occurred=08:00", env=env)
    assert after.returncode == 0, after.stderr
    assert time.monotonic() - began < 10
    print(
        f"\n[crash] seed {seed}: {len(records)} write commands, {len(killed)} SIGKILLed"
        f" ({landed_killed + sum(1 for r in cont_cmds if r['killed'] and r['marker'] in seen)}"
        f" had committed before the kill), {len(done)} ran to the end; log verifies,"
        f" {len(ids)} items gapless"
    )
