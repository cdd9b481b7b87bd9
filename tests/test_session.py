"""The log session: one command reads the office once and each policy snapshot once, and
every command sees one "now"."""

import sqlite3


def traced(monkeypatch) -> list[str]:
    statements: list[str] = []
    connect = sqlite3.connect

    def tracing(*args, **kwargs):
        db = connect(*args, **kwargs)
        db.set_trace_callback(statements.append)
        return db

    monkeypatch.setattr(sqlite3, "connect", tracing)
    return statements


def test_a_write_reads_the_office_and_its_policy_snapshot_once(office, monkeypatch):
    run = office
    assert run("file", "--title", "某县国道山体滑坡", "--occurred", "今天 8:00").code == 0
    statements = traced(monkeypatch)
    result = run("continue", "20261122-001", "--level", "large", "--reason", "核实")
    assert result.code == 0, result
    assert sum("FROM office" in s for s in statements) == 1, statements
    assert sum("FROM policy_snapshots" in s for s in statements) == 1, statements


def test_a_read_reads_the_office_once_inside_its_snapshot(office, monkeypatch):
    run = office
    assert run("file", "--title", "某县国道山体滑坡", "--occurred", "今天 8:00").code == 0
    statements = traced(monkeypatch)
    assert run("status", "--overdue").code == 0
    assert sum("FROM office" in s for s in statements) == 1, statements
    begin = statements.index("BEGIN")
    assert all(statements.index(s) > begin for s in statements if "FROM office" in s)


def test_one_moment_per_command(office):
    # --occurred and --at read against the same now: six hours before it, both
    run = office
    result = run("file", "--title", "t", "--occurred", "6小时前", "--at", "6小时前", "--json")
    assert result.code == 0, result
    assert result.json["occurred"] == result.json["filed"] == "2026-11-22T06:00:00+08:00"
