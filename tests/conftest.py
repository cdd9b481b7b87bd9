"""Every test gets its own log in tmp_path and a fixed clock; no test touches a real user's data."""

import json
import sqlite3
from dataclasses import dataclass

import pytest

from yaoqing_cli.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)

    def __str__(self) -> str:  # shown in assertion messages
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("YAOQING_DB", str(tmp_path / "log.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("YAOQING_NOW", "2026-11-22T12:00:00+08:00")
    monkeypatch.setenv("YAOQING_OFFICER", "张值班")
    monkeypatch.setenv("COLUMNS", "200")
    for name in ("YAOQING_POLICIES", "YAOQING_CALENDAR", "YAOQING_DEBUG", "YAOQING_TZ"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def run(capsys):
    """Run the real CLI entry point in-process: yaoqing ARGS -> Result(code, out, err)."""

    def invoke(*args: str, now: str | None = None, monkeypatch=None) -> Result:
        import os

        old = os.environ.get("YAOQING_NOW")
        if now is not None:
            os.environ["YAOQING_NOW"] = now
        try:
            with pytest.raises(SystemExit) as exit_info:
                main([str(a) for a in args])
        finally:
            if now is not None:
                if old is None:
                    os.environ.pop("YAOQING_NOW", None)
                else:
                    os.environ["YAOQING_NOW"] = old
        captured = capsys.readouterr()
        return Result(int(exit_info.value.code or 0), captured.out, captured.err)

    return invoke


@pytest.fixture
def office(run):
    """A drill log initialised as a Jinan office under the Shandong policy (YAOQING_NOW, which
    every test sets, is honoured only on a drill log)."""
    result = run(
        "init", "--office", "济南市人民政府办公厅", "--short", "济南市", "--policy", "shandong",
        "--drill",
    )  # fmt: skip
    assert result.code == 0, result
    return run


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "log.db"


def dump_log(path) -> list:
    """Every row of every table, to compare a log before and after a failed command (the full-text
    index's own tables aside: they hold nothing but search_text, which is compared)."""
    db = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if not r[0].startswith("search_text_fts")
        ]
        return [
            (t, db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()) for t in sorted(tables)
        ]
    finally:
        db.close()


TZ = "+08:00"


def iso(local: str) -> str:
    """'2026-11-22 08:00' -> '2026-11-22T08:00:00+08:00' (what --json prints)."""
    return local.replace(" ", "T") + ":00" + TZ


def file_item(
    run,
    *extra: str,
    title: str = "某县国道山体滑坡",
    occurred: str = "2026-11-22 08:00",
    at: str | None = "2026-11-22 09:00",
    at_now: bool = False,
) -> dict:
    """File a first report through the CLI (`run` or `office`) and return its --json object;
    the one way every test files an item it needs. `extra` are more `file` options; `at=None`
    leaves --at out (the report is made now); `at_now` runs the command at `at` (YAOQING_NOW,
    `at` a full 'YYYY-MM-DD HH:MM'), else at the test's fixed clock."""
    moment = [] if at is None else [f"--at={at}"]
    result = run(
        "file", f"--title={title}", f"--occurred={occurred}", *moment, "--json", *extra,
        now=iso(at) if at_now else None,
    )  # fmt: skip
    assert result.code == 0, result
    return result.json


@pytest.fixture
def log(run):
    """init under a policy, then file/continue/close with `now` pinned to each action's time."""

    class Log:
        def __init__(self, policy: str):
            result = run(
                "init", "--office", "测试值班室", "--short", "测试", "--policy", policy, "--drill"
            )
            assert result.code == 0, result

        def file(self, title, occurred, at, *extra):
            return file_item(run, *extra, title=title, occurred=occurred, at=at, at_now=True)["id"]

        def cont(self, item, at, *extra):
            result = run("continue", item, "--at", at, *extra, now=iso(at))
            assert result.code == 0, result

        def close(self, item, at, *extra):
            result = run("close", item, "--at", at, *extra, now=iso(at))
            assert result.code == 0, result

        def status(self, at, *extra):
            result = run("status", "--json", "--all", "--at", at, *extra, now=iso(at))
            assert result.code == 0, result
            return {entry["id"]: entry for entry in result.json}

        def duties(self, item, at):
            return {d["key"]: d for d in self.status(at)[item]["duties"]}

    return Log
