"""Process drivers for tests/reliability/ (run as a script, never collected by pytest).

Each driver imports yaoqing once, then runs every command in a forked child process that
calls the real entry point `yaoqing_cli.cli.main` with its stdout and stderr sent to files:
one child process per command, as a shell would start them, without paying Python's start-up
for each. The driver itself never opens the log, so the only locks on it are the children's.

    python tests/fuzz_helpers.py worker WORKER COMMANDS SHARED_ID OUT.json
        a loop of `file` and `continue` commands against one log (YAOQING_DB);
        writes one JSON record per command.
    python tests/fuzz_helpers.py reader COMMANDS SHARED_ID OUT.json
        a loop of `verify`, `status --json`, `show` and `status --overdue` while the writers write.
    python tests/fuzz_helpers.py crash COUNT MAX_DELAY_MS SEED SHARED_ID OUT.json
        starts COUNT write commands one after another and kills each with SIGKILL after a
        random delay (every fifth is left to finish); writes one JSON record per command.
        MAX_DELAY_MS "auto": 1.2 times the median run time of three calibration commands,
        so the kills fall anywhere in a command's life, including inside its transaction.
"""

import contextlib
import json
import os
import random
import signal
import sys
import tempfile
import time

PRELOAD = (
    "yaoqing_cli.cli",
    "yaoqing_cli.service",
    "yaoqing_cli.store",
    "yaoqing_cli.render",
    "yaoqing_cli.timeparse",
    "yaoqing_cli.status",
    "yaoqing_cli.policy",
    "yaoqing_cli.engine",
    "yaoqing_cli.workdays",
    "yaoqing_cli.integrity",
    "yaoqing_cli.report",
    "yaoqing_cli.files",
)


def preload() -> None:
    """Import everything a command needs and run the parser once, so each child only works."""
    import importlib
    import io

    for name in PRELOAD:
        importlib.import_module(name)
    from yaoqing_cli.cli import main

    sink = io.StringIO()
    for argv in (["path"], ["file", "--help"], ["continue", "--help"], ["verify", "--help"]):
        with (
            contextlib.redirect_stdout(sink),
            contextlib.redirect_stderr(sink),
            contextlib.suppress(SystemExit),
        ):
            main(argv)


def start(argv: list[str], scratch: str, become=None) -> tuple[int, str, str]:
    """Fork a child that runs `yaoqing ARGV`; return (pid, stdout file, stderr file).
    `become()`, if given, runs in the child once its output is redirected (e.g. drop to
    another user)."""
    out_path = tempfile.mktemp(prefix="out.", dir=scratch)
    err_path = tempfile.mktemp(prefix="err.", dir=scratch)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 70
        try:
            out = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, 1)
            os.dup2(err, 2)
            # under pytest, sys.stdout and sys.stderr are capture objects: use the real files
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
            if become is not None:
                become()
            from yaoqing_cli.cli import main

            try:
                main(argv)
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else 1
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            import traceback

            traceback.print_exc()
            sys.stderr.flush()
        finally:
            os._exit(code)
    return pid, out_path, err_path


def collect(pid: int, out_path: str, err_path: str) -> dict:
    """Wait for a child; its exit code (or the signal that ended it) and its output."""
    _, status = os.waitpid(pid, 0)
    record = {
        "code": os.waitstatus_to_exitcode(status),
        "killed": os.WIFSIGNALED(status),
    }
    for key, path in (("out", out_path), ("err", err_path)):
        try:
            with open(path, encoding="utf-8", errors="backslashreplace") as handle:
                record[key] = handle.read()
            os.unlink(path)
        except FileNotFoundError:
            record[key] = ""
    return record


def run(argv: list[str], scratch: str) -> dict:
    began = time.monotonic()
    record = collect(*start(argv, scratch))
    record["seconds"] = time.monotonic() - began
    record["argv"] = argv
    return record


def worker(worker_no: int, commands: int, shared_id: str, scratch: str) -> list[dict]:
    """File an item every third command; follow up the worker's own latest item and the
    item every worker shares, so writers contend on the numbering and on one item's 续报 count."""
    records = []
    own = None
    for i in range(commands):
        step = i % 3
        if step == 0 or own is None:
            argv = [
                "file",
                f"--title=并发测试 w{worker_no} #{i}",
                "--occurred=2026-11-22 08:00",
                "--level=一般",
                "--json",
            ]
        elif step == 1:
            argv = ["continue", own, f"--text=w{worker_no}-c{i} 续报自己的要情", "--json"]
        else:
            argv = ["continue", shared_id, f"--text=w{worker_no}-c{i} 续报共同的要情", "--json"]
        record = run(argv, scratch)
        record["worker"] = worker_no
        if argv[0] == "file" and record["code"] == 0:
            own = json.loads(record["out"])["id"]
            record["id"] = own
        records.append(record)
    return records


def reader(commands: int, shared_id: str, scratch: str) -> list[dict]:
    readers = (
        ["verify"],
        ["status", "--json", "--all"],
        ["show", shared_id, "--json"],
        ["status", "--overdue", "--brief"],  # read from the clocks projection
    )
    return [run(list(readers[i % len(readers)]), scratch) for i in range(commands)]


def crash(count: int, max_delay: str, seed: int, shared_id: str, scratch: str) -> list[dict]:
    """Kill write commands at random moments; every fifth is left to finish."""
    rng = random.Random(seed)
    records = []
    if max_delay == "auto":
        timings = []
        for i in range(3):
            marker = f"CAL-{seed}-{i}"
            argv = ["file", f"--title=崩溃测试 {marker}", "--occurred=2026-11-22 08:00", "--json"]
            record = run(argv, scratch)
            record.update(marker=marker, delay=None)
            records.append(record)
            timings.append(record["seconds"])
        max_delay_ms = 1.2 * sorted(timings)[1] * 1000
    else:
        max_delay_ms = float(max_delay)
    for i in range(count):
        marker = f"KILL-{seed}-{i:03d}"
        if i % 4 == 3:
            argv = ["continue", shared_id, f"--text={marker}", "--json"]
        else:
            argv = ["file", f"--title=崩溃测试 {marker}", "--occurred=2026-11-22 08:00", "--json"]
        delay = None if i % 5 == 4 else rng.uniform(0, max_delay_ms) / 1000
        pid, out_path, err_path = start(argv, scratch)
        if delay is not None:
            time.sleep(delay)
            with contextlib.suppress(ProcessLookupError):  # already finished
                os.kill(pid, signal.SIGKILL)
        record = collect(pid, out_path, err_path)
        record.update(argv=argv, marker=marker, delay=delay, window_ms=max_delay_ms)
        records.append(record)
    return records


def main() -> None:
    mode, *args = sys.argv[1:]
    preload()
    scratch = tempfile.mkdtemp(prefix="yq-driver-")
    try:
        if mode == "worker":
            worker_no, commands, shared_id, out = args
            records = worker(int(worker_no), int(commands), shared_id, scratch)
        elif mode == "crash":
            count, max_delay, seed, shared_id, out = args
            records = crash(int(count), max_delay, int(seed), shared_id, scratch)
        elif mode == "reader":
            commands, shared_id, out = args
            records = reader(int(commands), shared_id, scratch)
        else:
            raise SystemExit(f"unknown mode {mode!r}")
    finally:
        for name in os.listdir(scratch):
            os.unlink(os.path.join(scratch, name))
        os.rmdir(scratch)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(records, handle, ensure_ascii=False)


if __name__ == "__main__":
    main()


# --- a small TOML writer, for mutated policy files (tomllib only reads) --------------------------


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(
            f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}" for k, v in value.items()
        )
        return "{" + inner + "}"
    if hasattr(value, "isoformat"):  # date, time, datetime
        return value.isoformat()
    raise TypeError(f"no TOML form for {type(value).__name__}")


def toml_dumps(document: dict) -> str:
    """Top-level keys one per line; nested tables and arrays of tables written inline."""
    return "".join(
        f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}\n" for k, v in document.items()
    )
