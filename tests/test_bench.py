"""The benchmark runner works end to end on a tiny log (CI's smoke run; no timing is asserted)."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_bench_smoke_run_times_every_command_and_verifies():
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = ("status --overdue", "file", "continue", "report (one day)", "search (place + incident)")
    for row in (*rows, "completion", "verify"):
        assert row in done.stdout, done.stdout
