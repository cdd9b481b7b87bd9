"""Fixtures of the reliability tests: a log with one item, a scratch working directory, `run`
with a real process's stderr, a pristine log to damage, and the tally printed per module."""

import sys

import pytest

from tests.conftest import file_item
from tests.reliability.support import LAST_NET, TALLY, checkpoint


@pytest.fixture
def logged(office, db_path):
    """An initialised log with one open item (20261122-001) that has one follow-up."""
    item = file_item(office, "--level=一般", "--kind=opinion", title="既有要情")
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
