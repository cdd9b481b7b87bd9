"""Time whole `yaoqing` processes on a ten-year log, an empty log, and against taskwarrior.

    python bench/run.py                 # full run: builds bench/out/ten-year.db once (~1 M events)
    python bench/run.py --smoke         # a tiny log and one run each: proves the runner works (CI)

Each command runs `--warmup` times, then `--runs` times, in turn with `python -c "import
typer"` and with the same command on an empty log (one of each per round); we print the
median, the spread (min–max), and the ratios to (a) those `import typer` runs and (b) the empty
log's. Timings are of whole processes, as an officer (or shell completion) meets them.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import build  # noqa: E402

NOW = "2026-11-22T12:00:00+08:00"


def yaoqing_cmd() -> list[str]:
    exe = shutil.which("yaoqing")
    return [exe] if exe else [sys.executable, "-m", "yaoqing_cli"]


def timed(cmd: list[str], env: dict, runs: int, warmup: int) -> list[float]:
    samples = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 1):
            raise SystemExit(
                f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[:300]}"
            )
        if i >= warmup:
            samples.append(elapsed)
    return samples


def interleaved(cases: list[tuple[list[str], dict]], runs: int, warmup: int) -> list[list[float]]:
    """Each case's samples, the cases timed in turn (one of each per round): a busy or a quiet
    spell of the machine falls on all of them alike, so their ratios hold within one run."""
    samples: list[list[float]] = [[] for _ in cases]
    for _ in range(warmup):
        for cmd, env in cases:
            timed(cmd, env, 1, 0)
    for _ in range(runs):
        for mine, (cmd, env) in zip(samples, cases, strict=True):
            mine += timed(cmd, env, 1, 0)
    return samples


def base_env() -> dict:
    # An installed package runs from compiled bytecode; a variable that forbids writing it
    # would time compilation, not yaoqing (seen here: 20 ms of every command).
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def env_for(db: Path) -> dict:
    env = base_env()
    env.update(YAOQING_DB=str(db), YAOQING_NOW=NOW, YAOQING_OFFICER="基准值班员")
    return env


def commands(open_id: str) -> dict[str, list[str]]:
    return {
        "status --overdue": ["status", "--overdue"],
        "status --json": ["status", "--json"],
        "file": [
            "file",
            "--title",
            "基准首报",
            "--occurred",
            "-1h",
            "--kind",
            "emergency",
            "--level",
            "large",
        ],
        "continue": ["continue", open_id, "--text", "基准续报"],
        "show": ["show", open_id],
        "report (one day)": ["report", "--date", "2026-11-21"],
        "report --period 2026": ["report", "--period", "2026"],
        # a place and an incident (~170 items of the ten-year log), an incident type (~8 700),
        # and two characters, which no trigram index answers: a scan of every event's words
        "search (place + incident)": ["search", "仲宫镇山体滑坡"],
        "search (incident type)": ["search", "山体滑坡"],
        "search (2 chars: a scan)": ["search", "滑坡"],
        "--help": ["--help"],
    }


def refresh_clocks(db: Path) -> None:
    """A log kept from an earlier run has its clocks projection rebuilt if this yaoqing counts
    deadlines differently, as the first write after an upgrade would; else nothing happens."""
    from yaoqing_cli.projection import keep_clocks
    from yaoqing_cli.session import Log
    from yaoqing_cli.store import Store

    store = Store.open(db)
    try:
        with store.transaction():
            keep_clocks(Log.over(store))
    finally:
        store.close()


def some_open_id(db: Path) -> str:
    import sqlite3

    row = (
        sqlite3.connect(db)
        .execute("SELECT id FROM items WHERE closed_at IS NULL LIMIT 1")
        .fetchone()
    )
    return row[0]


def completion(env: dict, words: str = "yaoqing sta") -> tuple[list[str], dict]:
    cword = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    env = dict(env, _YAOQING_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=cword)
    return yaoqing_cmd(), env


# Completions that read the log (read-only): open IDs, and the units used.
LOG_COMPLETIONS = {
    "completion (continue <Tab>: IDs)": "yaoqing continue 2",
    "completion (file --unit <Tab>)": "yaoqing file --unit ",
}


def fmt(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:7.0f} ms ({min(samples) * 1000:.0f}–{max(samples) * 1000:.0f})"


def taskwarrior_rows(args, work: Path, yaoqing_env_big: dict) -> list[str]:
    task = shutil.which("task")
    if not task:
        return ["taskwarrior: `task` not installed (apt-get install taskwarrior); row skipped"]
    n = args.peer_items
    data = work / "task"
    data.mkdir(exist_ok=True)
    rc = work / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=no\nverbose=nothing\n", encoding="utf-8")
    env = dict(base_env(), TASKRC=str(rc), TASKDATA=str(data))
    now = datetime.now(UTC)  # taskwarrior has no fixed "now": half due before it, half after
    tasks = [
        {
            "description": f"peer {i}",
            "status": "pending",
            "entry": (now - timedelta(days=3)).strftime("%Y%m%dT%H%M%SZ"),
            "due": (now + timedelta(hours=(-5 if i % 2 else 30))).strftime("%Y%m%dT%H%M%SZ"),
            "uuid": f"00000000-0000-4000-8000-{i:012d}",
        }
        for i in range(n)
    ]
    (work / "tasks.json").write_text(json.dumps(tasks), encoding="utf-8")
    subprocess.run(
        [task, "import", str(work / "tasks.json")], env=env, capture_output=True, check=True
    )
    shown = subprocess.run([task, "overdue"], env=env, capture_output=True, text=True)
    peer_db = work / "peer.db"
    build(peer_db, n, n, datetime.fromisoformat(NOW), overdue_share=0.5, years=0.01)
    board = subprocess.run(
        [*yaoqing_cmd(), "status", "--overdue"],
        env=env_for(peer_db),
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    # Interleaved, so a busy spell of the machine falls on both sides alike.
    mine = [*yaoqing_cmd(), "status", "--overdue"]
    timed(mine, env_for(peer_db), 0, args.warmup)
    timed([task, "overdue"], env, 0, args.warmup)
    ours, theirs = [], []
    for _ in range(args.runs):
        ours += timed(mine, env_for(peer_db), 1, 0)
        theirs += timed([task, "overdue"], env, 1, 0)
    ratio = statistics.median(ours) / statistics.median(theirs)
    return [
        f"{'peer: yaoqing status --overdue':34} {fmt(ours)}  ({n} open items; {board[0]})",
        f"{'peer: task overdue':34} {fmt(theirs)}  ({n} pending tasks;"
        f" {len(shown.stdout.splitlines())} lines shown)",
        f"{'peer: ratio yaoqing/taskwarrior':34} {ratio:.2f}  (target ≤ 0.50)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="yaoqing whole-process benchmark")
    parser.add_argument("--smoke", action="store_true", help="tiny log, one run: for CI")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--peer-items", type=int, default=20_000)
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.runs, args.warmup, args.items, args.no_peer = 1, 0, 500, True

    out = Path(tempfile.mkdtemp(prefix="yaoqing-bench-")) if args.smoke else HERE / "out"
    out.mkdir(exist_ok=True)
    big = out / ("smoke.db" if args.smoke else "ten-year.db")
    marker = out / f"{big.name}.items"
    if not big.exists() or not marker.exists() or marker.read_text() != str(args.items):
        started = time.perf_counter()
        build(big, args.items, 50, datetime.fromisoformat(NOW))
        marker.write_text(str(args.items))
        print(f"built {big} ({args.items} items) in {time.perf_counter() - started:.1f} s")
    else:
        refresh_clocks(big)
    empty = out / "empty.db"
    if empty.exists():
        empty.unlink()
    build(empty, 1, 1, datetime.fromisoformat(NOW))

    typer_only = ([sys.executable, "-c", "import typer"], base_env())
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}")
    # every row is timed in turn with `import typer` (its "x typer" is to those samples); the
    # baseline printed first is the median of all of them
    baselines: list[float] = []
    rows: list[tuple[str, list[float], float, float | None]] = []
    big_env, empty_env = env_for(big), env_for(empty)
    cases = commands(some_open_id(big))
    empty_cases = commands(some_open_id(empty))
    for name, argv in cases.items():
        base, on_big, on_empty = interleaved(
            [typer_only, (yaoqing_cmd() + argv, big_env),
             (yaoqing_cmd() + empty_cases[name], empty_env)],
            args.runs, args.warmup,
        )  # fmt: skip
        baselines += base
        rows.append((name, on_big, statistics.median(base), statistics.median(on_empty)))
    tabs = {"completion (yaoqing sta<Tab>)": "yaoqing sta", **LOG_COMPLETIONS}
    for name, words in tabs.items():
        base, comp = interleaved([typer_only, completion(big_env, words)], args.runs, args.warmup)
        baselines += base
        rows.append((name, comp, statistics.median(base), None))
    label = 'python -c "import typer"'
    print(f"{label:34} {fmt(baselines)}")
    print(f"{'command':34} {'ten-year log':>24}   {'x typer':>7} {'x empty':>7}")
    for name, samples, base, empty_median in rows:
        median = statistics.median(samples)
        versus_empty = f" {median / empty_median:7.2f}" if empty_median else ""
        print(f"{name:34} {fmt(samples):>24}   {median / base:7.2f}{versus_empty}")
    started = time.perf_counter()
    subprocess.run([*yaoqing_cmd(), "verify"], env=big_env, check=True, capture_output=True)
    print(f"{'verify (whole log, one run)':34} {(time.perf_counter() - started) * 1000:7.0f} ms")
    if not args.no_peer:
        for line in taskwarrior_rows(args, out, big_env):
            print(line)
    if args.smoke:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
