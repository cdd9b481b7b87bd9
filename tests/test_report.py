"""`yaoqing report` on logs built through the CLI with YAOQING_NOW; figures worked out by hand.

Shandong policy (鲁政办发〔2018〕18号 三): especially-major/major items owe authoritative
information within 5 h and a press conference within 24 h of the event; large/general items a
response within 48 h. The log (all times +08:00):

  C  opinion general  市中区  occurred 11-20 08:00, filed 11-20 09:00 → respond due 11-22 08:00, never met
  B  opinion major    市中区  occurred 11-22 06:00, filed 07:00 → publish due 11:00, met 14:00 (late);
                                press due 11-23 06:00
  A  opinion major    历下区  occurred 11-22 08:00, filed 09:00 → publish due 13:00, met 12:00;
                                press due 11-23 08:00
  D  warning          历下区  filed 11-22 10:00, closed 15:00 as did-not-occur (exempt)
  E  emergency large  市中区  sensitive; occurred 11-22 20:00, filed 21:00 → respond due 11-24 20:00
  F  emergency large  槐荫区  filed and closed on 11-21: outside the 11-22 report
"""

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import file_item

REPO = Path(__file__).resolve().parent.parent


def at_now(at: str) -> str:
    return at.replace(" ", "T") + ":00+08:00"


@pytest.fixture
def day_log(office):
    run = office
    ids = {}
    ids["F"] = file_item(
        run,
        "--level",
        "较大",
        "--unit",
        "槐荫区",
        title="F 已结事件",
        occurred="2026-11-21 07:00",
        at="2026-11-21 08:00",
        at_now=True,
    )["id"]
    assert (
        run("close", ids["F"], "--at", "2026-11-21 18:00", now="2026-11-21T18:00:00+08:00").code
        == 0
    )
    ids["C"] = file_item(
        run,
        "--kind",
        "opinion",
        "--level",
        "一般",
        "--about-level",
        "一般",
        "--unit",
        "市中区",
        title="C 网传拖欠工资",
        occurred="2026-11-20 08:00",
        at="2026-11-20 09:00",
        at_now=True,
    )["id"]
    ids["B"] = file_item(
        run,
        "--kind",
        "opinion",
        "--level",
        "重大",
        "--about-level",
        "重大",
        "--unit",
        "市中区",
        title="B 网传学校食堂问题",
        occurred="2026-11-22 06:00",
        at="2026-11-22 07:00",
        at_now=True,
    )["id"]
    ids["A"] = file_item(
        run,
        "--kind",
        "opinion",
        "--level",
        "重大",
        "--about-level",
        "重大",
        "--unit",
        "历下区",
        title="A 网传供水污染",
        occurred="2026-11-22 08:00",
        at="2026-11-22 09:00",
        at_now=True,
    )["id"]
    ids["D"] = file_item(
        run,
        "--kind",
        "warning",
        "--unit",
        "历下区",
        title="D 大风预警",
        occurred="2026-11-22 10:00",
        at="2026-11-22 10:00",
        at_now=True,
    )["id"]
    ids["E"] = file_item(
        run,
        "--level",
        "较大",
        "--unit",
        "市中区",
        "--sensitive",
        title="E 涉密事件",
        occurred="2026-11-22 20:00",
        at="2026-11-22 21:00",
        at_now=True,
    )["id"]
    late_now = "2026-11-22T23:00:00+08:00"
    assert (
        run(
            "continue",
            ids["A"],
            "--done",
            "publish",
            "--text",
            "A 已发布",
            "--at",
            "2026-11-22 12:00",
            now="2026-11-22T12:30:00+08:00",  # 补录, but typed before its 13:00 deadline
        ).code
        == 0
    )
    assert (
        run(
            "continue",
            ids["B"],
            "--done",
            "publish",
            "--text",
            "B 已发布",
            "--at",
            "2026-11-22 14:00",
            now=late_now,
        ).code
        == 0
    )
    assert (
        run(
            "close",
            ids["D"],
            "--outcome",
            "did-not-occur",
            "--at",
            "2026-11-22 15:00",
            now=late_now,
        ).code
        == 0
    )
    return run, ids


CRON_NOW = "2026-11-23T00:05:00+08:00"


def test_default_report_is_yesterday_with_every_section(day_log):
    run, ids = day_log
    result = run("report", "--format", "json", now=CRON_NOW)
    assert result.code == 0, result
    data = result.json
    assert data["period"] == {
        "since": "2026-11-22T00:00:00+08:00",
        "until": "2026-11-23T00:00:00+08:00",
        "label": "2026年11月22日",
    }
    assert [i["id"] for i in data["filed"]] == [ids["B"], ids["A"], ids["D"], ids["E"]]
    assert [i["id"] for i in data["continued"]] == [ids["A"], ids["B"]]
    assert [i["id"] for i in data["closed"]] == [ids["D"]]
    assert [i["id"] for i in data["open"]] == [ids["C"], ids["B"], ids["A"], ids["E"]]
    assert [(r["id"], r["duty"], r["deadline"], r["met_at"]) for r in data["late"]] == [
        (ids["B"], "publish", "2026-11-22T11:00:00+08:00", "2026-11-22T14:00:00+08:00")
    ]
    assert [(r["id"], r["duty"], r["deadline"]) for r in data["overdue"]] == [
        (ids["C"], "respond", "2026-11-22T08:00:00+08:00")
    ]
    assert [(r["id"], r["duty"], r["deadline"]) for r in data["watch"]] == [
        (ids["B"], "press", "2026-11-23T06:00:00+08:00"),
        (ids["A"], "press", "2026-11-23T08:00:00+08:00"),
    ]
    assert data["by_level"] == {"major": 2, "large": 1, "unknown": 1}
    assert data["by_kind"] == {"opinion": 2, "warning": 1, "emergency": 1}
    units = {u["unit"]: u for u in data["units"]}
    assert units["历下区"] | {} == {
        "unit": "历下区",
        "items": 2,
        "due": 1,
        "on_time": 1,
        "late": 0,
        "overdue": 0,
        "on_time_rate": 1.0,
    }
    assert units["市中区"] == {
        "unit": "市中区",
        "items": 2,
        "due": 1,
        "on_time": 0,
        "late": 1,
        "overdue": 0,
        "on_time_rate": 0.0,
    }


def test_a_late_cron_run_writes_the_same_report(day_log):
    run, _ = day_log
    on_time = run("report", "--date", "2026-11-22", "--format", "json", now=CRON_NOW).json
    much_later = run(
        "report", "--date", "2026-11-22", "--format", "json", now="2026-11-25T09:00:00+08:00"
    ).json
    assert on_time == much_later


def test_half_year_timeliness_per_unit(day_log):
    run, _ids = day_log
    # judged at the end of 2026: every press conference and response is now overdue
    data = run(
        "report", "--period", "2026H2", "--format", "json", now="2027-01-02T09:00:00+08:00"
    ).json
    units = {u["unit"]: u for u in data["units"]}
    assert units["历下区"] == {
        "unit": "历下区",
        "items": 2,
        "due": 2,
        "on_time": 1,
        "late": 0,
        "overdue": 1,
        "on_time_rate": 0.5,
    }
    assert units["市中区"] == {
        "unit": "市中区",
        "items": 3,
        "due": 4,
        "on_time": 0,
        "late": 1,
        "overdue": 3,
        "on_time_rate": 0.0,
    }
    assert units["槐荫区"]["items"] == 1
    text = run("report", "--period", "2026H2", now="2027-01-02T09:00:00+08:00").out
    assert "济南市要情报送情况通报（2026年下半年）" in text
    assert "历下区" in text and "50.0%" in text and "█" * 10 + "░" * 10 in text


def test_empty_period(office):
    result = office("report", "--date", "2026-11-01", "--format", "json")
    assert result.code == 0, result
    data = result.json
    for key in ("filed", "continued", "closed", "open", "late", "overdue", "watch", "units"):
        assert data[key] == []
    text = office("report", "--date", "2026-11-01").out
    assert "济南市值班日报（2026年11月1日）" in text and "新报要情：无" in text


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "csv"])
def test_sensitive_items_are_masked_in_every_format(day_log, fmt):
    run, ids = day_log
    masked = run("report", "--format", fmt, now=CRON_NOW)
    assert masked.code == 0, masked
    assert "E 涉密事件" not in masked.out
    assert ids["E"] in masked.out
    full = run("report", "--format", fmt, "--include-sensitive", now=CRON_NOW)
    assert "E 涉密事件" in full.out


def test_markdown_and_csv_read_as_documents(day_log):
    run, ids = day_log
    md = run("report", "--format", "markdown", now=CRON_NOW).out
    assert md.startswith("# 【演练】济南市值班日报（2026年11月22日）")
    assert "| 历下区 | 2 | 1 | 1 | 0 | 0 | 100.0% |" in md
    text = run("report", "--format", "csv", "--keys", now=CRON_NOW).out
    assert text.startswith("\ufeff")  # the BOM: Excel and WPS then read UTF-8
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    late = [r for r in rows if r["section"] == "late"]
    assert late and late[0]["id"] == ids["B"] and late[0]["duty"] == "publish"


def test_output_is_written_atomically(day_log, tmp_path):
    run, _ = day_log
    out = tmp_path / "reports" / "2026-11-22.md"
    out.parent.mkdir()
    result = run("report", "--format", "markdown", "--output", out, now=CRON_NOW)
    assert result.code == 0, result
    assert out.read_text(encoding="utf-8").startswith("# 【演练】济南市值班日报")
    assert [p.name for p in out.parent.iterdir()] == ["2026-11-22.md"]  # no temporary left over


@pytest.mark.parametrize(
    "args",
    [
        ["--date", "2026-13-01"],
        ["--period", "2026H3"],
        ["--period", "next year"],
        ["--format", "pdf"],
        ["--since", "2026-11-22 00:00"],
        ["--date", "2026-11-22", "--period", "2026"],
    ],
)
def test_bad_report_arguments(office, args):
    result = office("report", *args)
    assert result.code == 2, result
    assert result.err.count("\n") == 1


def test_cron_example_script_writes_yesterdays_summary(day_log, tmp_path, db_path):
    out_dir = tmp_path / "daily"
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "YAOQING_DB": str(db_path),
        "YAOQING_NOW": CRON_NOW,
        "YAOQING_REPORT_DIR": str(out_dir),
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        ["sh", str(REPO / "examples" / "daily-report.sh")], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    written = out_dir / "值班日报-2026-11-22.md"
    assert written.exists(), list(out_dir.iterdir())
    assert "济南市值班日报（2026年11月22日）" in written.read_text(encoding="utf-8")


def test_cron_example_script_fails_loudly(tmp_path):
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "YAOQING_DB": str(tmp_path / "missing.db"),
        "YAOQING_REPORT_DIR": str(tmp_path / "daily"),
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        ["sh", str(REPO / "examples" / "daily-report.sh")], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "yaoqing report failed" in done.stderr


# --- what the item is now (issue 10, rule 10) ----------------------------------------------------


def test_day_report_gives_the_current_level_and_the_level_change(office):
    """Shandong emergency 重大, occurred 01:00, first report 01:30; at 07:00 graded down to 一般.
    The 11-22 report lists it as 一般 everywhere (filed[].level, by_level, the text lines) and
    names the change 重大 → 一般 at 07:00; level_at_filing keeps what the first report said."""
    run = office
    item = file_item(
        run,
        "--level",
        "重大",
        "--unit",
        "历城区",
        title="网传水库溃坝",
        occurred="2026-11-22 01:00",
        at="2026-11-22 01:30",
        at_now=True,
    )["id"]
    assert run("continue", item, "--level", "一般", "--text", "核实后降级", "--at",
               "2026-11-22 07:00", now=at_now("2026-11-22 07:00")).code == 0  # fmt: skip
    data = run("report", "--format", "json", now=CRON_NOW).json
    [filed] = data["filed"]
    assert (filed["id"], filed["level"], filed["level_at_filing"]) == (item, "general", "major")
    assert [i["level"] for i in data["open"]] == ["general"]
    assert data["by_level"] == {"general": 1}
    # publish (5 h from 01:00) fell due at 06:00, before the downgrade: the breach stays
    # (鲁政办发〔2018〕18号 三; a downgrade waives only clocks still running)
    assert [(r["id"], r["duty"]) for r in data["overdue"]] == [(item, "publish")]
    assert [(u["unit"], u["due"], u["overdue"]) for u in data["units"]] == [("历城区", 1, 1)]
    [change] = data["level_changes"]
    assert (change["id"], change["at"], change["from_level"], change["to_level"]) == (
        item,
        "2026-11-22T07:00:00+08:00",
        "major",
        "general",
    )
    text = run("report", now=CRON_NOW).out
    assert f"{item} 网传水库溃坝（一般（IV级）） 首报 2026-11-22 01:30" in text
    assert "定级变更（1）" in text
    assert (
        f"{item} 网传水库溃坝（一般（IV级）） 2026-11-22 07:00 重大（II级） → 一般（IV级）" in text
    )
    assert "按级别：一般（IV级） 1" in text and "重大" not in text.split("定级变更")[0]
    text = run("report", "--format", "csv", "--keys", now=CRON_NOW).out.removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    [row] = [r for r in rows if r["section"] == "level_changes"]
    assert (row["from_level"], row["to_level"], row["level"]) == ("major", "general", "general")


def hohhot_item(run):
    """An emergency under the Inner Mongolia policy, first report by fax without a unit:
    occurred 08:00, filed 09:00 (written report due 10:00 — met; 呼政办发〔2014〕30号 一: first
    follow-up due 10:00). The follow-up at 11:00 is late and supplies the unit and the trend."""
    item = file_item(
        run,
        "--policy",
        "inner-mongolia",
        "--level",
        "较大",
        "--channel",
        "传真",
        "--location",
        "某乡镇",
        "--trend",
        "待观察",
        title="某乡镇燃气泄漏",
        occurred="2026-11-22 08:00",
        at="2026-11-22 09:00",
        at_now=True,
    )["id"]
    result = run("continue", item, "--unit", "托克托县人民政府", "--trend", "趋势平稳", "--text",
                 "已疏散", "--at", "2026-11-22 11:00", now=at_now("2026-11-22 11:00"))  # fmt: skip
    assert result.code == 0, result
    return item


def test_a_unit_supplied_by_a_follow_up_counts_for_that_unit(office):
    run = office
    item = hohhot_item(run)
    data = run("report", "--format", "json", now=CRON_NOW).json
    assert [(r["id"], r["duty"], r["met_at"]) for r in data["late"]] == [
        (item, "followup", "2026-11-22T11:00:00+08:00")
    ]
    assert data["filed"][0]["unit"] == "托克托县人民政府"
    [unit] = [u for u in data["units"] if u["items"]]
    # report (met on time) and the first follow-up (late): both under the unit supplied later
    assert unit == {
        "unit": "托克托县人民政府",
        "items": 1,
        "due": 2,
        "on_time": 1,
        "late": 1,
        "overdue": 0,
        "on_time_rate": 0.5,
    }
    assert "（未注明单位）" not in run("report", now=CRON_NOW).out


def test_show_and_status_merge_what_follow_ups_supplied(office):
    run = office
    item = hohhot_item(run)
    shown = run("show", item, "--json", now=CRON_NOW).json
    assert shown["unit"] == "托克托县人民政府"
    assert shown["details"]["trend"] == "趋势平稳" and shown["details"]["location"] == "某乡镇"
    assert shown["original"] == {"unit": None, "trend": "待观察"}
    board = run("status", "--json", now=CRON_NOW).json
    assert [(r["id"], r["unit"]) for r in board] == [(item, "托克托县人民政府")]
    text = run("show", item, now=CRON_NOW).out
    assert "报送单位：托克托县人民政府（续报一补报）" in text
    assert "发展趋势：趋势平稳（续报一补报；首报：待观察）" in text
    # as the item stood before the follow-up, it had neither
    before = run("show", item, "--json", "--at", "2026-11-22 10:00", now=CRON_NOW).json
    assert before["unit"] is None and before["details"]["trend"] == "待观察"


def test_the_exemption_footnote_cites_the_items_own_policy(office):
    """Only 鲁政办字〔2016〕86号 第18条 excuses anything (预判预警类信息未按预期发生 …不予追责);
    the Inner Mongolia documents excuse nothing, so a period of theirs has no footnote."""
    run = office
    hohhot_item(run)  # 11-22, Inner Mongolia only
    file_item(
        run,
        "--kind",
        "warning",
        title="大风预警",
        occurred="2026-11-23 08:00",
        at="2026-11-23 08:00",
        at_now=True,
    )  # Shandong
    inner = run("report", "--date", "2026-11-22", now="2026-11-24T00:05:00+08:00")
    assert "不予追责" not in inner.out and "86号" not in inner.out
    assert run("report", "--date", "2026-11-22", "--format", "json",
               now="2026-11-24T00:05:00+08:00").json["exemption_sources"] == []  # fmt: skip
    shandong = run("report", "--date", "2026-11-23", now="2026-11-24T00:05:00+08:00").out
    assert (
        "不予追责的情形不计入，依据鲁政办字〔2016〕86号 第18条：“对报送预判预警类信息" in shandong
    )
    both = run(
        "report", "--period", "2026H2", "--format", "markdown", now="2027-01-02T09:00:00+08:00"
    )
    assert both.out.count("不予追责的情形不计入") == 1 and "86号 第18条" in both.out


@pytest.fixture
def recorded_at_now(monkeypatch):
    """Events recorded at YAOQING_NOW, as on a drill log, so a test can type one late."""
    from yaoqing_cli import clock

    monkeypatch.setattr("yaoqing_cli.store.system_now", clock.now)


def test_the_report_lists_back_entered_events(office, recorded_at_now):
    """A follow-up typed at 12:00 for 11:00 (补录: recorded more than 10 minutes after its time)
    is listed with both times; the clock it met late carries the 补录 mark."""

    run = office
    item = file_item(
        run,
        "--policy",
        "inner-mongolia",
        "--level",
        "较大",
        "--channel",
        "传真",
        title="某乡镇燃气泄漏",
        occurred="2026-11-22 08:00",
        at="2026-11-22 09:00",
        at_now=True,
    )["id"]
    assert run("continue", item, "--text", "已疏散", "--at", "2026-11-22 11:00",
               now=at_now("2026-11-22 12:00")).code == 0  # fmt: skip
    data = run("report", "--format", "json", now=CRON_NOW).json
    assert [(e["id"], e["type"], e["at"], e["recorded_at"]) for e in data["back_entered"]] == [
        (item, "continue", "2026-11-22T11:00:00+08:00", "2026-11-22T12:00:00+08:00")
    ]
    text = run("report", now=CRON_NOW).out
    assert f"{item} 续报一：所述时间 2026-11-22 11:00，记录于 2026-11-22 12:00" in text
    # the clock it met is marked too (the engine's DutyStatus.back_entered)
    assert data["late"][0]["back_entered"] is True
    assert "迟报，时限 11月22日 10:00，2026-11-22 11:00 完成（晚 1小时）（补录）" in text


def test_a_period_report_counts_the_reports_and_names_every_breach(day_log):
    """A 通报 of half a year counts first reports, follow-ups and final reports (the day reports
    list each) and still names every late or overdue clock, item by item."""
    run, _ids = day_log
    later = "2027-01-02T09:00:00+08:00"
    data = run("report", "--period", "2026H2", "--format", "json", now=later).json
    text = run("report", "--period", "2026H2", now=later).out
    assert (
        f"新报要情 {len(data['filed'])} 条，续报 {len(data['continued'])} 次，"
        f"定级变更 {len(data['level_changes'])} 次，终报 {len(data['closed'])} 次，"
        f"补录 {len(data['back_entered'])} 次"
    ) in text
    assert data["continued"], "the fixture has follow-ups to count"
    day = run("report", "--date", "2026-11-22", now=later).out
    assert "\n续报（" in day and "\n续报（" not in text
    for ref in data["late"] + data["overdue"]:
        assert f"{ref['id']} {ref['title']} {ref['duty_name']}" in text
    assert data["overdue"]
