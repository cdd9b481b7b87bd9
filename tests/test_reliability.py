"""Reliability and integrity: many writers at once, SIGKILL mid-write, and a bad-input campaign.

Three promises are tested here against the real entry point (`yaoqing_cli.cli.main`, in
process or in child processes):

1. Concurrent writers queue on the log's busy timeout instead of failing: every command
   succeeds once, numbers (YYYYMMDD-NNN and 第N期) stay unique and gapless, the chain verifies.
2. A command killed at any moment leaves a whole log: every command that reported success is
   in it, nothing else is in it but possibly the killed command's complete item, and the
   chain verifies.
3. Bad input of every kind fails the same way: a non-zero exit code, exactly one line on
   stderr, no traceback, and the log exactly as it was (rows, and raw bytes for damaged files).

TALLY counts what was tried; the summary line printed at the end of the module (visible with
`pytest -s`) gives the figures quoted in the README.
"""

import itertools
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import dump_log
from tests.fuzz_helpers import PRELOAD, collect, start
from yaoqing_cli.store import SCHEMA_VERSION

REPO = Path(__file__).resolve().parent.parent
DRIVER = REPO / "tests" / "fuzz_helpers.py"
TODAY = "20261122"  # YAOQING_NOW is 2026-11-22 12:00 +08:00 (conftest)

TALLY: Counter = Counter()  # inputs, accepted, processes, commands, kills, last_net
LAST_NET: list[tuple[str, str]] = []  # (error line, what was run) that hit main()'s last net
# An input that reaches main()'s last net ("内部错误：SomeException") kept the one-line promise,
# but only because nothing else caught it: a bug. Set False to tally such cases without failing.
LAST_NET_FAILS = True

FUZZ = settings(
    max_examples=int(os.environ.get("YAOQING_FUZZ_EXAMPLES", "60")),
    deadline=None,
    database=None,  # no .hypothesis/ directory in the repository
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the log is reset or compared per example
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


# --- helpers ---------------------------------------------------------------------------------------


def child_env(db_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)  # conftest's YAOQING_NOW, YAOQING_OFFICER, ...
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["YAOQING_DB"] = str(db_path)
    env.update(extra)
    return env


def cli(*args, env=None, **kwargs) -> subprocess.CompletedProcess:
    """The real program in a fresh interpreter: python -m yaoqing_cli ARGS."""
    TALLY["processes"] += 1
    TALLY["commands"] += 1
    return subprocess.run(
        [sys.executable, "-m", "yaoqing_cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


def file_item(run, title="某县国道山体滑坡", *extra) -> dict:
    result = run(
        "file", f"--title={title}", "--occurred=2026-11-22 08:00", "--at=09:00", "--json", *extra
    )
    assert result.code == 0, result
    return result.json


def checkpoint(db_path: Path) -> None:
    """Fold the WAL into the main file, so its bytes are the whole log."""
    db = sqlite3.connect(db_path)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()


def rows(db_path: Path, sql: str, *params) -> list[tuple]:
    db = sqlite3.connect(db_path)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def integrity_ok(db_path: Path) -> bool:
    return rows(db_path, "PRAGMA integrity_check") == [("ok",)]


def one_line_refusal(code: int, out: str, err: str, what) -> None:
    """The error contract: non-zero, exactly one line on stderr, no traceback anywhere."""
    assert code in (1, 2), what
    assert "Traceback" not in out + err, what
    assert err.endswith("\n") and err.count("\n") == 1, what
    assert err.startswith("错误："), what
    if "内部错误" in err:  # held the contract, but only through main()'s last net
        LAST_NET.append((err.strip(), repr(what)[:300]))
        TALLY["last_net"] += 1
        assert not LAST_NET_FAILS, what


def check(
    result, db_path: Path, before, *, must_fail: bool, raw: bytes | None = None, argv=None
) -> None:
    """One input tried: refused cleanly with the log unchanged, or (if allowed) accepted."""
    TALLY["inputs"] += 1
    TALLY["commands"] += 1
    what = (argv, result) if argv is not None else result
    assert "Traceback" not in result.out + result.err, what
    assert result.code in (0, 1, 2), what
    if result.code == 0:
        assert not must_fail, what
        TALLY["accepted"] += 1
        return
    one_line_refusal(result.code, result.out, result.err, what)
    if before is not None:
        assert dump_log(db_path) == before, what
    if raw is not None:
        assert db_path.read_bytes() == raw, what


@pytest.fixture
def logged(office, db_path):
    """An initialised log with one open item (20261122-001) that has one follow-up."""
    item = file_item(office, "既有要情", "--level=一般", "--kind=opinion")
    assert office("continue", item["id"], "--text=已处置", "--at=10:00").code == 0
    return office, item["id"]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Relative paths typed by a fuzzer land in tmp_path, never in the repository."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def run(run):
    """conftest's `run`, with stderr as a real process has it: errors="backslashreplace"
    (capsys's stream is strict). stdout stays strict, as under a locale like zh_CN.UTF-8."""

    def invoke(*args, **kwargs):
        sys.stderr.reconfigure(errors="backslashreplace")
        return run(*args, **kwargs)

    return invoke


@pytest.fixture(scope="module", autouse=True)
def summary():
    yield
    print(
        f"\n[reliability] {TALLY['inputs']} bad or random inputs tried"
        f" ({TALLY['accepted']} accepted as valid), {TALLY['processes']} processes,"
        f" {TALLY['commands']} commands, {TALLY['kills']} SIGKILLs survived;"
        f" {TALLY['last_net']} errors reached main()'s last net"
    )
    kinds: dict[str, tuple[str, str]] = {}
    for line, what in LAST_NET:
        kinds.setdefault(line.split("内部错误：", 1)[-1].split(":", 1)[0], (line, what))
    for kind, (line, what) in sorted(kinds.items()):
        print(f"[reliability] last net, {kind}: {line[:160]}\n    after: {what}")


# === 1. concurrent writers ==========================================================================

WORKERS = 4
COMMANDS_PER_WORKER = 60
READER_COMMANDS = 20


def test_concurrent_writers_queue_and_number_gaplessly(office, db_path, tmp_path):
    shared = file_item(office, "各进程共同续报的要情")["id"]
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


# === 2. crash safety ================================================================================

KILLED_IN_DRIVER = 36  # forked children killed at a random moment of their run
KILLED_REAL = 6  # `python -m yaoqing_cli file` processes killed near the end of their run


def test_sigkill_at_any_moment_leaves_a_whole_log(office, db_path, tmp_path):
    shared = file_item(office, "被续报时遭强行终止的要情")["id"]
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


def fill(template: list[str], **values: str) -> list[str]:
    return [part.format(**values) if "{" in part else part for part in template]


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
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Z")), max_size=12),
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
    assert line["title"] == value and line["unit"] == value
    assert line["details"]["summary"] == value
    assert [e["data"].get("text") for e in line["events"]][1] == value
    assert {e["officer"] for e in line["events"]} == {value}
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


# --- policy files with wrong types --------------------------------------------------------------


def _paths(node, path=()):
    """Every place in a parsed TOML document that holds a value."""
    if path:
        yield path
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in children:
        yield from _paths(child, (*path, key))


def _kind(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


wrong_value = st.one_of(
    st.sampled_from(["five", "", "5h", "-1", "2026-13-01"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([0, -5, 10**12, 1.5, float("inf"), float("nan"), True, False]),
    st.text(max_size=12).filter(lambda t: not any(0xD800 <= ord(c) <= 0xDFFF for c in t)),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text("abc", max_size=3), st.integers(), max_size=2),
    st.dates(),
)


def builtin_policy(name: str = "shandong") -> dict:
    import tomllib

    return tomllib.loads((REPO / "policies" / f"{name}.toml").read_text(encoding="utf-8"))


@FUZZ
@given(data=st.data())
def test_policy_files_with_wrong_types_are_refused(run, tmp_path, data):
    from tests.fuzz_helpers import toml_dumps

    document = builtin_policy()
    where = data.draw(st.sampled_from(sorted(_paths(document), key=repr)), label="where")
    parent = document
    for key in where[:-1]:
        parent = parent[key]
    old = parent[where[-1]]
    if data.draw(st.booleans(), label="delete") and isinstance(parent, dict):
        del parent[where[-1]]
        must_fail = False  # an optional key may go; the loader decides
    else:
        new = data.draw(wrong_value, label="new value")
        parent[where[-1]] = new
        must_fail = _kind(new) != _kind(old)
    local = tmp_path / "local.toml"
    local.write_text(toml_dumps(document), encoding="utf-8")
    result = run("policy", "check", local)
    check(result, tmp_path / "log.db", None, must_fail=must_fail, argv=(where, local.read_text()))


BAD_POLICY_FILES = {
    "extends a number": "extends = 3\n",
    "duty hours as words": None,  # built from the real file below
    "not TOML": "name = \n",
    "empty": "",
    "deeply nested": "name = " + "[" * 2000 + "]" * 2000 + "\n",
    "deeply nested tables": "name = " + "{a = " * 2000 + "1" + "}" * 2000 + "\n",
    "huge": "title = " + json.dumps("长" * 2_000_000, ensure_ascii=False) + "\n",
    "NUL inside": 'name = "a\\u0000b"\n',
}


@pytest.mark.parametrize("case", sorted(BAD_POLICY_FILES))
def test_broken_policy_files_are_refused_in_one_line(run, tmp_path, case):
    from tests.fuzz_helpers import toml_dumps

    text = BAD_POLICY_FILES[case]
    if case == "extends a number":
        text = toml_dumps({**builtin_policy(), "extends": 3})
    if text is None:
        document = builtin_policy()
        duty = next(iter(document["duties"].values()))
        number = next(k for k, v in duty.items() if _kind(v) == "number")
        duty[number] = "five"
        text = toml_dumps(document)
    local = tmp_path / "local.toml"
    local.write_text(text, encoding="utf-8")
    result = run("policy", "check", local)
    # A long title is not wrong in itself: it must just not crash anything.
    check(result, tmp_path / "log.db", None, must_fail=case != "huge", argv=case)


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe", b'name = "\xc3\x28"\n', os.urandom(512), b"\x00" * 64],
    ids=["bom-like", "bad utf-8 in string", "random bytes", "NULs"],
)
def test_policy_files_that_are_not_text_are_refused(run, tmp_path, content):
    local = tmp_path / "local.toml"
    local.write_bytes(content)
    check(run("policy", "check", local), tmp_path / "log.db", None, must_fail=True, argv=content)
    for argv in (["policy", "check", tmp_path], ["policy", "check", tmp_path / "missing.toml"]):
        check(run(*argv), tmp_path / "log.db", None, must_fail=True, argv=argv)


def test_policies_that_extend_each_other_are_refused(run, tmp_path):
    """A cycle in `extends` (a → b → a, or a → a) must be an error, not a RecursionError."""
    from tests.fuzz_helpers import toml_dumps

    folder = tmp_path / "policies"
    folder.mkdir()
    base = builtin_policy()
    for name, parent in (("loop-a", "loop-b"), ("loop-b", "loop-a"), ("self", "self")):
        (folder / f"{name}.toml").write_text(
            toml_dumps({**base, "name": name, "extends": parent}), encoding="utf-8"
        )
    for argv in (
        ["--policies", folder, "policy", "check", folder / "loop-a.toml"],
        ["--policies", folder, "policy", "show", "self"],
        ["--policies", folder, "init", "--office=a", "--short=b", "--policy=loop-b", "--drill"],
    ):
        check(run(*argv), tmp_path / "log.db", None, must_fail=True, argv=argv)


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


class Pristine(tuple):
    def __repr__(self) -> str:  # hypothesis prints fixtures of a failing case: not 80 kB
        return "pristine(run, log bytes, export)"


@pytest.fixture
def pristine(logged, db_path, tmp_path):
    """A real log's bytes (WAL folded in) and an export of it, to damage and to re-import."""
    run, _ = logged
    export = tmp_path / "export.jsonl"
    assert run("export", "--output", export).code == 0
    checkpoint(db_path)
    return Pristine((run, db_path.read_bytes(), export))


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


# --- import of a damaged export -----------------------------------------------------------------------

json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@pytest.fixture
def blank_target(tmp_path, run):
    """An initialised log with no items: the bytes every import example starts from."""
    template = tmp_path / "target-template.db"
    result = run(
        "--db", template, "init", "--office=乙单位", "--short=乙", "--policy=shandong", "--drill"
    )
    assert result.code == 0, result
    checkpoint(template)
    return template


def mutate_export(lines: list[str], data: st.DataObject) -> bytes:
    how = data.draw(
        st.sampled_from(["field", "data-field", "drop-key", "line", "bytes", "cut", "swap", "dup"]),
        label="mutation",
    )
    lines = list(lines)
    index = data.draw(st.integers(0, len(lines) - 1), label="line")
    if how in ("field", "data-field", "drop-key"):
        record = json.loads(lines[index])
        target = (
            record["data"]
            if how == "data-field" and isinstance(record.get("data"), dict)
            else record
        )
        keys = sorted(target)
        key = data.draw(st.sampled_from(keys) | st.text(max_size=6), label="key")
        if how == "drop-key":
            target.pop(key, None)
        else:
            target[key] = data.draw(json_value, label="value")
        lines[index] = json.dumps(record, ensure_ascii=False)
    elif how == "line":
        lines[index] = data.draw(st.text(max_size=60), label="garbage line")
    elif how == "swap":
        other = data.draw(st.integers(0, len(lines) - 1), label="other line")
        lines[index], lines[other] = lines[other], lines[index]
    elif how == "dup":
        lines.insert(index, lines[index])
    text = "\n".join(lines).encode("utf-8")
    if how == "bytes":
        at = data.draw(st.integers(0, len(text)), label="at")
        text = text[:at] + data.draw(st.binary(min_size=1, max_size=8), label="bytes") + text[at:]
    elif how == "cut":
        text = text[: data.draw(st.integers(0, len(text)), label="cut at")]
    return text


@settings(FUZZ, max_examples=70)
@given(data=st.data())
def test_import_of_a_damaged_export_is_all_or_nothing(pristine, blank_target, tmp_path, data):
    run, _, export = pristine
    target = tmp_path / "target.db"
    for leftover in tmp_path.glob("target.db*"):
        leftover.unlink()
    shutil.copy(blank_target, target)
    before = dump_log(target)
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_bytes(mutate_export(export.read_text(encoding="utf-8").splitlines(), data))
    result = run("--db", target, "import", damaged)
    check(result, target, before, must_fail=False, argv=damaged.read_text(errors="replace")[:300])
    if result.code == 0:
        # Whatever an import lets in, the log must still verify and every reader still work.
        for argv in (
            ["verify"],
            ["status", "--all", "--json"],
            ["export"],
            *(["show", i] for (i,) in rows(target, "SELECT id FROM items")),
        ):
            after = run("--db", target, *argv)
            TALLY["commands"] += 1
            assert "Traceback" not in after.err, (argv, after)
            if argv == ["verify"]:
                assert after.code == 0, (argv, after)
            elif after.code != 0:
                one_line_refusal(after.code, after.out, after.err, (argv, after))
