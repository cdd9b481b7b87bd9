"""Many writers at once: every command succeeds once, numbers stay unique and gapless."""

import json
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

# === 1. concurrent writers ==========================================================================

WORKERS = 4
COMMANDS_PER_WORKER = 60
READER_COMMANDS = 20


def test_concurrent_writers_queue_and_number_gaplessly(office, db_path, tmp_path):
    shared = file_item(office, title="各进程共同续报的要情")["id"]
    env = child_env(db_path)
    began = time.monotonic()
    outputs = [tmp_path / f"worker{w}.json" for w in range(WORKERS)]
    procs = [
        subprocess.Popen(
            [sys.executable, DRIVER, "worker", str(w), str(COMMANDS_PER_WORKER), shared, out],
            env=env,
        )
        for w, out in enumerate(outputs)
    ]
    reader_out = tmp_path / "reader.json"
    procs.append(
        subprocess.Popen(
            [sys.executable, DRIVER, "reader", str(READER_COMMANDS), shared, reader_out], env=env
        )
    )
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    elapsed = time.monotonic() - began
    records = [r for out in outputs for r in json.loads(out.read_text(encoding="utf-8"))]
    reads = json.loads(reader_out.read_text(encoding="utf-8"))
    TALLY["processes"] += len(procs) + len(records) + len(reads)
    TALLY["commands"] += len(records) + len(reads)

    # Every command succeeded, and none of them so much as mentioned a lock.
    failed = [r for r in records + reads if r["code"] != 0]
    assert not failed, failed[:3]
    for r in records + reads:
        assert not any(word in r["err"].lower() for word in ("locked", "busy", "占用")), r

    files = [r for r in records if r["argv"][0] == "file"]
    follows = [r for r in records if r["argv"][0] == "continue"]
    texts = [r["argv"][2].removeprefix("--text=") for r in follows]
    assert len(files) + len(follows) == WORKERS * COMMANDS_PER_WORKER

    # Every event landed exactly once.
    by_type = dict(
        rows(db_path, "SELECT type, count(*) FROM events WHERE item_id != '' GROUP BY type")
    )
    assert by_type == {"file": 1 + len(files), "continue": len(follows)}
    stored = Counter(
        json.loads(d)["text"]
        for (d,) in rows(db_path, "SELECT data FROM events WHERE type = ?", "continue")
    )
    assert stored == Counter(texts) and set(stored.values()) == {1}

    # IDs and 第N期 unique and gapless; each printed ID is the item with that title.
    items = rows(db_path, "SELECT id, issue_no, title FROM items ORDER BY id")
    n = len(items)
    assert n == 1 + len(files)
    assert [i[0] for i in items] == [f"{TODAY}-{k:03d}" for k in range(1, n + 1)]
    assert sorted(i[1] for i in items) == list(range(1, n + 1))
    titles = dict((i[0], i[2]) for i in items)
    printed = [r["id"] for r in files]
    assert len(set(printed)) == len(printed)
    for r in files:
        assert titles[r["id"]] == r["argv"][1].removeprefix("--title=")

    # Each item's 续报 are numbered 1..k with no gap or repeat, even on the shared item.
    numbers: dict[str, list[int]] = {}
    for item_id, data in rows(db_path, "SELECT item_id, data FROM events WHERE type='continue'"):
        numbers.setdefault(item_id, []).append(json.loads(data)["n"])
    for item_id, ns in numbers.items():
        assert sorted(ns) == list(range(1, len(ns) + 1)), (item_id, sorted(ns))
    assert len(numbers[shared]) == sum(1 for t in texts if "共同" in t)

    assert integrity_ok(db_path)
    verified = cli("verify", env=env)
    assert verified.returncode == 0, verified.stderr
    assert f"{2 + len(files) + len(follows)} 个事件" in verified.stdout  # init: an event
    slowest = max(r["seconds"] for r in records)
    print(
        f"\n[concurrency] {WORKERS} writers x {COMMANDS_PER_WORKER} commands + 1 reader x"
        f" {READER_COMMANDS}: {len(records) + len(reads)} commands in {elapsed:.1f} s, all exit 0;"
        f" {n} items, {len(follows)} follow-ups ({len(numbers[shared])} on the shared item);"
        f" slowest command {slowest:.2f} s"
    )
