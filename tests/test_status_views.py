"""The handover views through the real CLI: the brief board, and the clocks projection behind it.

`status --overdue` and `--due-within` read the clocks projection the writes keep in the log,
when it cannot be stale. Every test here compares that fast answer with the answer of judging
every open item (forced by spoiling the projection's basis in a copy of the log), so the two
paths can never drift apart unnoticed.
"""

import shutil
import sqlite3

import pytest

from tests.test_engine import iso

NOW = "2026-11-22 12:00"


@pytest.fixture
def busy(run, log):
    """A Shandong office with items in every state a handover meets, filed through the CLI."""
    file = log("山东").file  # (title, occurred, at, *extra) -> ID, filed at that moment

    def step(*args, at):
        result = run(*args, "--at", at, now=iso(at))
        assert result.code == 0, result

    ids = {}
    ids["old"] = file("更旧事件", "2026-11-19 08:00", "2026-11-19 09:00", "--kind", "opinion",
                      "--level", "重大", "--about-level", "重大")  # fmt: skip
    ids["met"] = file("已发布", "2026-11-21 08:00", "2026-11-21 08:30", "--kind", "opinion",
                      "--level", "重大", "--about-level", "重大")  # fmt: skip
    step("continue", ids["met"], "--done", "publish", "--text", "已发布", at="2026-11-21 10:00")
    ids["closed"] = file("已终报", "2026-11-20 08:00", "2026-11-20 08:30", "--kind", "opinion",
                         "--level", "较大", "--about-level", "较大")  # fmt: skip
    step("close", ids["closed"], "--text", "处置完毕", at="2026-11-21 09:00")
    ids["regraded"] = file("改为一般", "2026-11-21 07:00", "2026-11-21 07:30", "--kind",
                           "emergency", "--level", "重大")  # fmt: skip
    step("continue", ids["regraded"], "--level", "一般", "--text", "核实后降级",
         at="2026-11-21 08:00")  # fmt: skip
    ids["message"] = file("网民申诉", "2026-10-20 09:00", "2026-10-20 09:00", "--kind",
                          "message", "--class", "appeal", "--policy", "云南")  # fmt: skip
    ids["fresh"] = file("新事件", "2026-11-22 11:00", "2026-11-22 11:10", "--kind", "opinion",
                        "--level", "重大", "--about-level", "重大")  # fmt: skip
    # a clock ending exactly at 12:00:00: overdue only once that second has begun to pass
    ids["edge"] = file("整点到期", "2026-11-22 07:00", "2026-11-22 07:00", "--kind", "opinion",
                       "--level", "重大", "--about-level", "重大")  # fmt: skip
    return ids


def judged_in_full(run, db_path, tmp_path, *args, now):
    """The same command on a copy of the log whose projection cannot be trusted."""
    copy = tmp_path / "copy.db"
    shutil.copy(db_path, copy)
    db = sqlite3.connect(copy)
    db.execute("UPDATE meta SET value = 'spoiled' WHERE key = 'clocks_basis'")
    db.commit()
    db.close()
    return run("--db", copy, *args, now=now)


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--overdue", "--json"),
        ("status", "--overdue", "--brief"),
        ("status", "--overdue", "--full"),
        ("status", "--due-within", "3h", "--json"),
        ("status", "--due-within", "30d", "--brief"),
        ("status", "--overdue", "--due-within", "2d", "--brief"),
    ],
)
@pytest.mark.parametrize("now", [iso(NOW), "2026-11-22T12:00:00.5+08:00", iso("2026-11-25 09:00")])
def test_the_projection_answers_exactly_as_judging_every_item(busy, run, tmp_path, args, now):
    fast = run(*args, now=now)
    full = judged_in_full(run, tmp_path / "log.db", tmp_path, *args, now=now)
    assert fast.code == full.code == 0, (fast, full)
    assert fast.out == full.out


def test_the_projection_holds_only_running_clocks_of_open_items(busy, tmp_path):
    db = sqlite3.connect(tmp_path / "log.db")
    rows = db.execute("SELECT item_id, duty, deadline, level FROM clocks ORDER BY 1, 2").fetchall()
    kept = {(item, duty) for item, duty, _, _ in rows}
    assert not {item for item, _ in kept} & {busy["closed"]}
    assert (busy["met"], "publish") not in kept and (busy["met"], "press") in kept
    # the regraded item no longer owes the press conference of a major event
    assert {duty for item, duty in kept if item == busy["regraded"]} == {"respond"}
    assert (busy["old"], "publish", "2026-11-19T05:00:00Z", "major") in rows  # 08:00 + 5 h
    assert db.execute("SELECT value FROM meta").fetchone()[0].startswith("yaoqing ")


def test_the_overdue_second_edge(busy, run):
    exactly = run("status", "--overdue", "--json", now=iso(NOW))
    just_after = run("status", "--overdue", "--json", now="2026-11-22T12:00:00.5+08:00")
    assert busy["edge"] not in [e["id"] for e in exactly.json]  # 07:00 + 5 h = 12:00:00
    assert busy["edge"] in [e["id"] for e in just_after.json]


def test_many_overdue_items_make_a_brief_board_one_line_per_clock(run, log, tmp_path):
    office = log("内蒙古")
    for n in range(21):
        office.file(
            f"事件{n}", f"2026-11-21 {n:02d}:00", f"2026-11-21 {n:02d}:10", "--level", "一般"
        )
    text = run("status", "--overdue").out.splitlines()
    assert (
        text[0] == "未终报要情中有逾期时限的：21 条（截至 2026-11-22 12:00，共评估 21 条）【演练】"
    )
    assert text[1].startswith("每个时限一行，共 21 项")
    # the first item's follow-up was due an hour after its 00:10 first report
    assert text[2] == (
        "20261121-001  第一次续报  逾期 1天10小时（时限 11月21日 01:10）  事件0"
        "  须报告：市政府办公厅应急办和信息处、自治区人民政府办公厅（先电话报告，2小时内报文字材料）、"
        "本级党委办公部门（同时报送）"
    )
    assert len(text) == 2 + 21 + 1  # and the handover view's last line (issue 13)
    assert text[-1] == "另有 0 条未终报（未终报要情均已列出）"
    full = run("status", "--overdue", "--full").out
    assert full.count("时限（按 2026-11-22 12:00 计算）") == 21 and "首报尚缺" in full
    assert run("status", "--overdue", "--brief", "--full").code == 2
    # every other view keeps its blocks: items with no running clock still say whom to tell
    plain = run("status").out
    assert plain.count("时限（按 2026-11-22 12:00 计算）") == 21 and "每个时限一行" not in plain
    for argv in (["status", "--brief"], ["status", "--all", "--overdue", "--brief"]):
        refused = run(*argv)
        assert refused.code == 2 and "--brief 只用于" in refused.err, refused


def test_a_brief_board_of_a_few_items_and_an_empty_one(busy, run):
    text = run("status", "--overdue", "--brief", now=iso(NOW)).out.splitlines()
    assert text[0].startswith("未终报要情中有逾期时限的：")
    assert any(line.startswith(f"{busy['old']}  举行新闻发布会  逾期 ") for line in text)
    quiet = run("status", "--overdue", "--brief", now=iso("2026-10-21 09:00")).out
    assert quiet.splitlines()[-2] == "无。"
    # the open items it did not show, counted (issue 13: 另有 N 条未终报)
    still_open = len(run("status", "--json", now=iso("2026-10-21 09:00")).json)
    assert quiet.splitlines()[-1] == f"另有 {still_open} 条未终报，yaoqing status 查看"
    assert still_open >= 1


def test_an_old_log_gains_the_projection_at_its_first_write(busy, run, tmp_path):
    db_path = tmp_path / "log.db"
    before = run("status", "--overdue", "--json").out
    db = sqlite3.connect(db_path)  # back to schema 1: no projection, the old index
    db.executescript(
        "DROP TABLE clocks; DROP TABLE meta;"
        " CREATE INDEX items_open ON items (filed) WHERE closed_at IS NULL;"
        " PRAGMA user_version = 1;"
    )
    db.close()
    assert run("status", "--overdue", "--json").out == before  # migrated, judged in full
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM clocks").fetchone() == (0,)
    assert run("continue", busy["fresh"], "--text", "续报", "--at", NOW).code == 0
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM clocks").fetchone()[0] > 0
    assert run("status", "--overdue", "--json").out == before
    assert run("verify").code == 0


def test_a_calendar_file_is_never_answered_from_clocks_counted_without_it(busy, run, tmp_path):
    # The appeal filed 2026-10-20 is due at the end of its 20th working day (2026-11-17).
    # An office calendar declaring 11-16 and 11-17 holidays moves it to the end of 11-19.
    calendar = tmp_path / "calendar.toml"
    calendar.write_text('[years.2026]\nholidays = ["2026-11-16", "2026-11-17"]\n', "utf-8")

    def reply_deadline(*extra):
        board = run(*extra, "status", "--overdue", "--json").json
        [entry] = [e for e in board if e["id"] == busy["message"]]
        return {d["key"]: d["deadline"] for d in entry["duties"]}["reply"]

    assert reply_deadline() == iso("2026-11-18 00:00")
    assert reply_deadline("--calendar", calendar) == iso("2026-11-20 00:00")
    # a write under the calendar rebuilds the projection with it; plain status then judges
    # every item again rather than trust clocks counted with another calendar
    assert (
        run("--calendar", calendar, "continue", busy["fresh"], "--text", "x", "--at", NOW).code == 0
    )
    assert reply_deadline("--calendar", calendar) == iso("2026-11-20 00:00")
    assert reply_deadline() == iso("2026-11-18 00:00")


def test_an_unreadable_calendar_file_does_not_stop_a_report_being_logged(busy, run, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[years.2026\n", "utf-8")
    logged = run("--calendar", broken, "continue", busy["fresh"], "--text", "续报", "--at", NOW)
    assert logged.code == 0, logged
    # recorded, and the officer told the file was not used, in one line on stderr
    assert logged.err.count("\n") == 1 and "时限未按日历文件计算" in logged.err, logged
    assert "broken.toml" in logged.err, logged
    refused = run("--calendar", broken, "status", "--overdue")
    assert refused.code == 2 and "broken.toml" in refused.err
    assert run("status", "--overdue", "--json").code == 0  # judged in full until the next write


def test_events_after_the_moment_asked_are_never_read_from_the_projection(busy, run):
    # YAOQING_NOW before the latest event: judge in full, so later events do not count
    earlier = run("status", "--overdue", "--json", now=iso("2026-11-21 09:30")).json
    assert busy["fresh"] not in [e["id"] for e in earlier]
    old = next(e for e in earlier if e["id"] == busy["old"])
    assert {d["key"]: d["state"] for d in old["duties"]}["press"] == "overdue"  # due 11-20 08:00


def test_an_imported_log_has_its_projection_built(busy, run, tmp_path):
    exported = tmp_path / "export.jsonl"
    assert run("export", "--output", exported).code == 0
    fresh = tmp_path / "fresh.db"
    # the same office on another machine (another office's items would be 转报, numbered apart)
    assert run("--db", fresh, "init", "--office", "测试值班室", "--short", "测试", "--policy", "山东", "--drill").code == 0  # fmt: skip
    assert run("--db", fresh, "import", exported).code == 0
    db = sqlite3.connect(fresh)
    assert db.execute("SELECT count(*) FROM clocks").fetchone()[0] > 0
    mine = run("status", "--overdue", "--json", now=iso(NOW)).out
    assert run("--db", fresh, "status", "--overdue", "--json", now=iso(NOW)).out == mine


def test_verify_sets_aside_clocks_that_disagree_with_the_events(busy, run, tmp_path):
    assert run("verify").code == 0
    truth = run("status", "--overdue", "--json", now=iso(NOW)).out
    db = sqlite3.connect(tmp_path / "log.db")  # a bug or a hand edit: the press deadline moved
    db.execute("UPDATE clocks SET deadline = '2030-01-01T00:00:00Z' WHERE item_id = ?",
               (busy["old"],))  # fmt: skip
    db.commit()
    db.close()
    assert run("status", "--overdue", "--json", now=iso(NOW)).out != truth  # what verify is for
    found = run("verify")
    assert found.code == 1 and f"时限索引与要情 {busy['old']} 的事件不符" in found.err
    assert run("status", "--overdue", "--json", now=iso(NOW)).out == truth  # judged in full
    assert run("continue", busy["fresh"], "--text", "续报", "--at", NOW).code == 0  # rebuilds
    assert run("verify").code == 0


def test_new_deadline_code_never_reads_clocks_the_old_code_counted(
    busy, run, tmp_path, monkeypatch
):
    from yaoqing_cli import projection

    truth = run("status", "--overdue", "--json", now=iso(NOW)).out
    db_path = tmp_path / "log.db"
    basis = sqlite3.connect(db_path).execute("SELECT value FROM meta").fetchone()[0]
    assert f"rules {projection._rules_digest()}" in basis
    monkeypatch.setattr(projection, "_rules_digest", lambda: "upgraded")
    served = []
    original = projection.clocks_from_projection
    monkeypatch.setattr(
        projection, "clocks_from_projection", lambda *a: served.append(1) or original(*a)
    )
    assert run("status", "--overdue", "--json", now=iso(NOW)).out == truth
    run("status", "--overdue", "--brief", now=iso(NOW))
    assert served == []  # judged in full: the basis no longer matches
    assert run("continue", busy["fresh"], "--text", "续报", "--at", NOW).code == 0
    assert (
        "rules upgraded" in sqlite3.connect(db_path).execute("SELECT value FROM meta").fetchone()[0]
    )
    run("status", "--overdue", "--brief", now=iso(NOW))
    assert served == [1]


def test_an_office_zone_with_daylight_saving_counts_real_elapsed_time(run, tmp_path):
    # Found by review: times of one zone were subtracted by their clock readings, so the hour
    # New York gains on 2026-11-01 went missing from spans and from which clocks were late.
    def at(text):
        return run(*text.split("|"), now="2026-11-26T00:00:00-05:00")

    start = "2026-10-16T09:00:00-04:00"
    assert run("init", "--office", "x", "--short", "x", "--policy", "云南",
               "--tz", "America/New_York", "--drill", now=start).code == 0  # fmt: skip
    assert run("file", "--title", "网民表扬", "--kind", "message", "--class", "praise",
               "--occurred", "09:00", now=start).code == 0  # fmt: skip
    # 5 working days from Friday 10-16: end of Friday 10-23 = 10-24 00:00 EDT (04:00 UTC)
    fast = at("status|--overdue|--brief|--at|2026-11-26 00:00")
    full = judged_in_full(run, tmp_path / "log.db", tmp_path, "status", "--overdue", "--brief",
                          "--at", "2026-11-26 00:00", now="2026-11-26T00:00:00-05:00")  # fmt: skip
    assert fast.out == full.out
    assert "逾期 33天1小时（时限 10月23日24时）" in fast.out
    blocks = at("status|--overdue|--full|--at|2026-11-26 00:00").out
    assert "逾期 33天1小时" in blocks
    edge = run("status", "--overdue", "--json", "--at", "2026-10-24 00:30",
               now="2026-11-26T00:00:00-05:00").json  # fmt: skip
    assert [d["state"] for d in edge[0]["duties"]] == ["overdue"]


def test_an_import_whose_first_report_is_dated_apart_from_its_filing_is_refused(
    busy, run, tmp_path
):
    from tests.export_helpers import read_export, rechain, write_export

    exported = tmp_path / "export.jsonl"
    assert run("export", "--output", exported).code == 0
    records = read_export(exported)
    first = next(i for i, r in enumerate(records) if r.get("type") == "file")
    records[first]["data"]["filed"] = "2026-11-01T00:00:00Z"  # a hand edit: filed != happened
    write_export(exported, rechain(records))  # re-hashed, so only the rules can refuse it
    assert run("--db", tmp_path / "fresh.db", "init", "--office", "x", "--short", "x", "--policy", "山东", "--drill").code == 0  # fmt: skip
    refused = run("--db", tmp_path / "fresh.db", "import", exported)
    assert refused.code == 1 and "filed 应等于其发生时间" in refused.err, refused


def test_verify_still_checks_the_chain_when_the_calendar_file_is_unreadable(busy, run, tmp_path):
    checked = run("--calendar", tmp_path / "nowhere.toml", "verify")
    assert checked.code == 0 and "哈希链完整" in checked.out, checked


def test_a_missing_policy_snapshot_does_not_stop_a_report_being_logged(busy, run, tmp_path):
    db = sqlite3.connect(tmp_path / "log.db")  # damage behind the tool's back
    db.execute("DROP TRIGGER snapshots_immutable_delete")
    db.execute("DELETE FROM policy_snapshots WHERE name = 'yunnan'")
    db.execute("UPDATE meta SET value = 'old' WHERE key = 'clocks_basis'")  # forces a rebuild
    db.commit()
    db.close()
    logged = run("continue", busy["fresh"], "--text", "续报", "--at", NOW)
    assert logged.code == 0, logged
    shown = run("status", "--overdue")
    assert shown.code == 1 and "政策快照缺失" in shown.err, shown


def test_a_zipped_install_keeps_logging(tmp_path):
    import os
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    bundle = tmp_path / "yaoqing.zip"
    with zipfile.ZipFile(bundle, "w") as z:
        for source in (repo / "yaoqing_cli").glob("*.py"):
            z.write(source, f"yaoqing_cli/{source.name}")
    env = dict(os.environ, PYTHONPATH=str(bundle), YAOQING_POLICIES=str(repo / "policies"),
               YAOQING_DB=str(tmp_path / "zip.db"))  # fmt: skip

    def yaoqing(*args):
        return subprocess.run([sys.executable, "-m", "yaoqing_cli", *args], env=env,
                              capture_output=True, text=True, cwd=tmp_path)  # fmt: skip

    assert (
        yaoqing(
            "init", "--office", "x", "--short", "x", "--policy", "shandong", "--drill"
        ).returncode
        == 0
    )
    filed = yaoqing("file", "--title", "t", "--occurred", "08:00", "--kind", "opinion",
                    "--level", "重大", "--about-level", "重大")  # fmt: skip
    assert filed.returncode == 0, filed.stderr
    shown = yaoqing("status", "--due-within", "2h", "--brief")
    assert shown.returncode == 0 and "发布权威信息  剩 1小时" in shown.stdout, shown
    basis = sqlite3.connect(tmp_path / "zip.db").execute("SELECT value FROM meta").fetchone()[0]
    assert "rules unknown" not in basis  # the code was read through the zip's loader
