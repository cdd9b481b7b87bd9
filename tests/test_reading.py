"""Issue 16 items 5–7, end to end through the CLI: a citizen's message is not a 要情专报, reports
read as an office writes them, the README's set-up and the cron example.

Deadlines worked out by hand from the documents:
- Shandong, 鲁政办字〔2018〕18号 三 (seed 001): for a 重大 emergency, authoritative information
  (publish) within 5 h of the event, a press conference within 24 h.
- Yunnan, 云政办发〔2016〕106号 四(三) (seed 003): a message is classified 表扬和感谢类、谏言和咨询类、
  申诉和寻求解决类 and handled within 5, 10, 20 working days; 三(一) names where it comes from
  (微博、微信、移动客户端、网络问政、热线电话), 四(三) the leaders' mailboxes (主要领导信箱).
- Inner Mongolia, 内政办发〔2014〕109号 二(一) (seed 004): phone first, the written material within
  2 h of the event; a call does not meet it.
"""

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import dump_log, file_item, iso
from markdown_it import MarkdownIt

from yaoqing_cli.facts import MASK

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
CRON_NOW = "2026-11-23T00:05:00+08:00"


def message(run, *extra, title="网民反映某路段路灯不亮", at="2026-11-22 10:00"):
    return file_item(
        run, "--kind", "message", "--class", "appeal", *extra, title=title,
        occurred="2026-11-22 08:30", at=at, at_now=True,
    )  # fmt: skip


# --- 5. messages are not bulletins ---------------------------------------------------------------


def test_a_message_takes_no_issue_number_and_bulletins_stay_gapless(office):
    run = office
    first = file_item(run, "--level", "重大", at="2026-11-22 09:00", at_now=True)
    filed = run(
        "file", "--kind", "留言", "--class", "申诉求助", "--title", "网民反映某路段路灯不亮",
        "--occurred", "2026-11-22 09:30", "--at", "2026-11-22 10:00", now=iso("2026-11-22 10:00"),
    )  # fmt: skip
    assert filed.code == 0, filed
    assert "【演练】济南市网民留言：网民反映某路段路灯不亮" in filed.out
    assert "期" not in filed.out and "要情专报" not in filed.out
    as_json = message(run, at="2026-11-22 10:30")
    assert as_json["issue_no"] is None and as_json["heading"] == "【演练】济南市网民留言"
    second = file_item(run, "--level", "一般", at="2026-11-22 11:00", at_now=True)
    # the 要情专报 numbers run on as if no message had been filed: 第1期, 第2期
    assert (first["issue_no"], second["issue_no"]) == (1, 2)
    assert second["heading"] == "【演练】济南市要情专报 2026年第2期"
    verified = run("verify")
    assert verified.code == 0, verified


def test_a_message_shows_its_class_never_a_level(office):
    run = office
    item = message(run)["id"]
    shown = run("show", item)
    assert "留言类别：申诉求助类" in shown.out, shown
    for out in (
        shown.out,
        run("status", "--all").out,
        run("search", "路灯").out,
        run("report", "--date", "2026-11-22", now=CRON_NOW).out,
    ):
        assert "未定级" not in out and "各级" not in out, out
        assert "申诉求助类" in out, out
    report = run("report", "--date", "2026-11-22", "--format", "json", now=CRON_NOW).json
    assert report["by_class"] == {"appeal": 1} and report["by_level"] == {}
    assert report["filed"][0]["message_class"] == "appeal"
    # the reply clock of a message is shown for each class, not for a level
    assert "网民留言（各类别）" in run("policy", "show", "yunnan").out


@pytest.mark.parametrize(
    "args",
    [
        ["--level", "重大"],
        ["--level", "major", "--text", "升级"],
        ["--level", "II", "--reason", "按标准核定"],
    ],
)
def test_level_on_a_message_is_refused_and_the_log_unchanged(office, db_path, args):
    run = office
    item = message(run)["id"]
    before = dump_log(db_path)
    refused = run("continue", item, *args, now=iso("2026-11-22 11:00"))
    assert refused.code == 2, refused
    assert refused.err.count("\n") == 1 and "网民留言不定级别" in refused.err, refused
    assert dump_log(db_path) == before
    filed = run(
        "file", "--kind", "message", "--class", "advice", "--level", "重大", "--title", "咨询",
        "--occurred", "2026-11-22 11:00",
    )  # fmt: skip
    assert filed.code == 2 and filed.err.count("\n") == 1, filed
    assert "网民留言不定级别" in filed.err and "--class" in filed.err
    assert dump_log(db_path) == before


CHANNELS = [
    ("微信", "wechat"),
    ("微博", "weibo"),
    ("移动客户端", "app"),
    ("网络问政", "online-inquiry"),
    ("热线电话", "hotline"),
    ("领导信箱", "mailbox"),
]


@pytest.mark.parametrize("label,key", CHANNELS)
def test_the_documents_channels_are_accepted_by_label_and_key(office, label, key):
    run = office
    by_label = message(run, "--channel", label, title=f"{label}留言")["id"]
    by_key = message(run, "--channel", key, title=f"{key}留言", at="2026-11-22 10:05")["id"]
    for item in (by_label, by_key):
        shown = run("show", item, "--json").json
        assert shown["details"]["channel"] == label
    assert key in "".join(run("file", "--help").out.split())  # listed in the help


def test_a_hotline_call_is_a_call_not_the_written_report(log):
    """内政办发〔2014〕109号 二(一): phone first, then the written material within 2 h."""
    office = log("inner-mongolia")
    called = office.file(
        "热线来电", "2026-11-22 08:00", "2026-11-22 08:30", "--channel", "热线电话"
    )
    faxed = office.file("传真来报", "2026-11-22 08:00", "2026-11-22 08:40", "--channel", "传真")
    assert office.duties(called, "2026-11-22 11:00")["report"]["state"] == "overdue"
    assert office.duties(faxed, "2026-11-22 11:00")["report"]["state"] == "met"


def old_style_message(run, monkeypatch):
    """A message filed as yaoqing filed it before this issue: it took the next 第N期."""
    from yaoqing_cli.store import Store

    def old_numbers(self, day, year, message=False):
        day_no = self.db.execute(
            "SELECT coalesce(max(day_no), 0) + 1 FROM items WHERE day = ?", (day,)
        ).fetchone()[0]
        issue_no = self.db.execute(
            "SELECT coalesce(max(issue_no), 0) + 1 FROM items WHERE year = ?", (year,)
        ).fetchone()[0]
        return day_no, issue_no

    with monkeypatch.context() as patched:
        patched.setattr(Store, "next_numbers", old_numbers)
        return message(run, title="旧留言", at="2026-11-22 09:00")


def test_an_old_message_keeps_the_heading_it_was_issued_with(office, monkeypatch, tmp_path):
    """What is issued stays issued: a message numbered 第1期 before this rule keeps it."""
    run = office
    old = old_style_message(run, monkeypatch)
    assert old["heading"] == "【演练】济南市要情专报 2026年第1期"
    new = message(run)
    bulletin = file_item(run, "--level", "重大", at="2026-11-22 10:30", at_now=True)
    assert bulletin["issue_no"] == 2  # after the number the old message took
    assert run("show", old["id"]).out.startswith(f"{old['id']}  【演练】济南市要情专报 2026年第1期")
    assert run("show", new["id"]).out.startswith(f"{new['id']}  【演练】济南市网民留言")
    assert run("verify").code == 0
    # an export of both kinds imports into a fresh log, each heading as issued
    exported = tmp_path / "export.jsonl"
    assert run("export", "--output", exported).code == 0
    copy = tmp_path / "copy.db"
    monkeypatch.delenv("YAOQING_NOW")  # an import records at this machine's clock
    imported = run("--db", copy, "import", exported)
    assert imported.code == 0, imported
    headings = [
        run("--db", copy, "show", i["id"], "--json").json["heading"] for i in (old, new, bulletin)
    ]
    assert headings == [old["heading"], new["heading"], bulletin["heading"]]


# --- 6. reports that read right -------------------------------------------------------------------


@pytest.fixture
def shift(office):
    """A Shandong day (鲁政办字〔2018〕18号 三: publish within 5 h, press within 24 h of the event):
    A 重大 occurred 08:00, publish due 13:00, done at 14:00 with a follow-up: 1 h late;
    press due 11-23 08:00 (the next shift's to watch). S sensitive, occurred 01:00, publish due
    06:00, never done: 18 h overdue when the day ends; its follow-up's words must not show.
    M a citizen's message with no unit and no clock under Shandong."""
    run = office
    ids = {}
    ids["A"] = file_item(
        run, "--level", "重大", "--unit", "历城区", title="某县国道山体滑坡", at="2026-11-22 09:00",
        at_now=True,
    )["id"]  # fmt: skip
    cont = run(
        "continue", ids["A"], "--done", "publish", "--text", "已发布绕行通告\n车辆分流",
        "--location", "G220 K35", "--at", "2026-11-22 14:00", now=iso("2026-11-22 14:00"),
    )  # fmt: skip
    assert cont.code == 0, cont
    ids["S"] = file_item(
        run, "--level", "重大", "--sensitive", "--unit", "历城区", title="涉密事项",
        occurred="2026-11-22 01:00", at="2026-11-22 02:00", at_now=True,
    )["id"]  # fmt: skip
    cont = run(
        "continue", ids["S"], "--text", "不得外传的细节", "--location", "某处",
        "--at", "2026-11-22 03:00", now=iso("2026-11-22 03:00"),
    )  # fmt: skip
    assert cont.code == 0, cont
    ids["M"] = message(run, at="2026-11-22 15:00")["id"]
    return run, ids


def test_follow_up_lines_say_what_was_reported_and_mask_the_sensitive(shift):
    run, ids = shift
    text = run("report", "--date", "2026-11-22", now=CRON_NOW).out
    followups = text.split("续报（2）")[1].split("\n\n")[0]
    assert (
        f"{ids['A']} 某县国道山体滑坡（重大（II级）） 续报一 2026-11-22 14:00："
        "完成：发布权威信息；地点：G220 K35；已发布绕行通告 车辆分流"
    ) in followups, text
    assert (
        f"{ids['S']} {MASK}（重大（II级）） 续报一 2026-11-22 03:00：补报：地点；{MASK}"
        in followups
    )
    assert "不得外传" not in text and "某处" not in text and "涉密事项" not in text
    shown = run("report", "--date", "2026-11-22", "--include-sensitive", now=CRON_NOW).out
    assert "不得外传的细节" in shown


def test_late_and_overdue_lines_name_the_duty_the_title_and_how_long(shift):
    run, ids = shift
    text = run("report", "--date", "2026-11-22", now=CRON_NOW).out
    assert (
        f"{ids['A']} 某县国道山体滑坡 发布权威信息：逾时发布，时限 11月22日 13:00，"
        "2026-11-22 14:00 完成（晚 1小时）"
    ) in text, text
    assert "迟报（" not in text  # a late publication is not a late report
    assert f"{ids['S']} {MASK} 发布权威信息：时限 11月22日 06:00，已逾期 18小时" in text
    assert "逾时发布" in run("show", ids["A"], now=CRON_NOW).out


def test_a_late_report_is_still_called_late_report(log, run):
    """内政办发〔2014〕109号 二(一): written report within 2 h of the event; by fax at 10:30
    after an 08:00 event is 30 minutes late: 迟报."""
    office = log("inner-mongolia")
    item = office.file("传真迟到", "2026-11-22 08:00", "2026-11-22 10:30", "--channel", "传真")
    text = run("report", "--date", "2026-11-22", now=CRON_NOW).out
    assert f"{item} 传真迟到 报送书面报告：迟报，时限 11月22日 10:00" in text, text


def test_only_a_day_or_shift_report_hands_over_and_is_a_duty_report(shift):
    run, ids = shift
    day = run("report", "--date", "2026-11-22", now=CRON_NOW)
    assert "下一班须关注（24小时内到期）（2）" in day.out  # A's and S's press conferences
    assert f"{ids['A']} 某县国道山体滑坡 举行新闻发布会：11月23日 08:00前" in day.out
    shift_report = run(
        "report", "--since", "2026-11-22 08:00", "--until", "2026-11-23 08:00",
        now="2026-11-23T08:05:00+08:00",
    )  # fmt: skip
    assert shift_report.out.startswith(
        "【演练】济南市值班日报（2026-11-22 08:00 至 2026-11-23 08:00）"
    ), shift_report
    assert "下一班须关注" in shift_report.out
    for period in ("2026-11", "2026H2"):
        notice = run("report", "--period", period, now="2027-01-02T00:05:00+08:00")
        assert "要情报送情况通报" in notice.out.splitlines()[0], notice
        assert "下一班须关注" not in notice.out
        data = run(
            "report", "--period", period, "--format", "json", now="2027-01-02T00:05:00+08:00"
        ).json
        assert data["watch"] == []


def test_markdown_renders_as_a_clean_document(shift):
    """Parsed by markdown-it-py (rich's own Markdown parser), with GFM tables."""
    run, _ = shift
    md = run("report", "--date", "2026-11-22", "--format", "markdown", now=CRON_NOW).out
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    empty_code = [
        t
        for t in tokens
        if t.type == "inline"
        for c in t.children
        if c.type == "code_inline" and not c.content
    ]
    assert not empty_code, md
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[0] == "【演练】济南市值班日报（2026年11月22日）"
    assert [h for h in headings[1:] if not h.endswith("：无")] == [
        "新报要情（3）",
        "续报（2）",
        "迟报与逾时完成（1）",
        "逾期未完成（1）",
        "时段末仍未终报（3）",
        "下一班须关注（24小时内到期）（2）",
        "分类统计（按时段末的级别）",
        "各报送单位时效",
    ]
    paragraphs = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "paragraph_open"]
    # the drill line is a paragraph of its own, not run into the period line
    assert "【演练】本日志为演练日志（init --drill），所记要情不是真实报送" in paragraphs
    assert not any("##" in p or "|" in p for p in paragraphs), paragraphs
    cells = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "td_open"]
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == 3  # the header, 历城区, and the unit of the message (none stated)
    assert "（未注明单位）" in cells and "历城区" in cells
    # a unit with no clock due has no bar, and says so instead of an empty code span
    assert cells[cells.index("（未注明单位）") + 7] == "—"
    items = [t for t in tokens if t.type == "list_item_open"]
    assert len(items) >= 12
    # and as rich shows it on a terminal: no Markdown syntax left over
    from rich.console import Console
    from rich.markdown import Markdown

    screen = io.StringIO()
    Console(file=screen, width=200, color_system=None).print(Markdown(md))
    shown = screen.getvalue()
    assert "##" not in shown and "`" not in shown and "\\" not in shown, shown
    assert "某县国道山体滑坡" in shown and "逾时发布" in shown


def test_csv_has_chinese_headers_and_a_bom_and_keys_on_request(shift):
    run, ids = shift
    text = run("report", "--date", "2026-11-22", "--format", "csv", now=CRON_NOW).out
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert list(rows[0])[:5] == ["栏目", "编号", "标题", "类型", "级别或类别"]
    filed = {r["编号"]: r for r in rows if r["栏目"] == "新报要情"}
    assert filed[ids["A"]]["级别或类别"] == "重大（II级）" and filed[ids["A"]]["类型"] == "突发事件"
    assert filed[ids["M"]]["级别或类别"] == "申诉求助类"
    [late] = [r for r in rows if r["栏目"] == "迟报与逾时完成"]
    assert (late["时限"], late["状态"], late["截止时间"], late["完成时间"]) == (
        "发布权威信息", "逾时发布", "2026-11-22 13:00", "2026-11-22 14:00",
    )  # fmt: skip
    [cont] = [r for r in rows if r["栏目"] == "续报" and r["编号"] == ids["A"]]
    assert cont["内容"] == "已发布绕行通告\n车辆分流"
    assert not any("不得外传" in v for r in rows for v in r.values())
    units = [r for r in rows if r["栏目"] == "各报送单位时效"]
    assert any(r["按时率"].endswith("%") for r in units)
    keyed = run("report", "--date", "2026-11-22", "--format", "csv", "--keys", now=CRON_NOW).out
    assert keyed.startswith("\ufeffsection,id,title,kind,level,")
    keyed_rows = list(csv.DictReader(io.StringIO(keyed.removeprefix("\ufeff"))))
    [late] = [r for r in keyed_rows if r["section"] == "late"]
    assert (late["duty"], late["state"]) == ("publish", "late")
    refused = run("report", "--date", "2026-11-22", "--keys", now=CRON_NOW)
    assert refused.code == 2 and refused.err.count("\n") == 1 and "--keys" in refused.err


# --- 7. README set-up and the cron example -------------------------------------------------------


def test_readme_set_up_makes_an_environment_before_its_two_commands():
    text = README.read_text("utf-8")
    setup = text.split("## Set up")[1].split("\n## ")[0]
    blocks = re.findall(r"```sh\n(.*?)\n```", setup, re.S)
    assert blocks[:3] == [
        "python3 -m venv .venv && . .venv/bin/activate",
        "pip install . && yaoqing demo",
        "pip install -e '.[test]' && pytest -q",
    ]
    assert "pipx install ." in setup
    ci = (REPO / ".ci" / "run").read_text("utf-8").splitlines()
    assert blocks[2] in ci  # CI runs exactly the README's test command


def cron(tmp_path, db) -> subprocess.CompletedProcess:
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "YAOQING_DB": str(db),
        "YAOQING_REPORT_DIR": str(tmp_path / "daily"),
        "HOME": str(tmp_path),
    }
    return subprocess.run(
        ["sh", str(REPO / "examples" / "daily-report.sh")], env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("broken", ["missing", "garbage", "empty-json"])
def test_cron_script_fails_with_one_logged_line_never_a_traceback(tmp_path, broken):
    db = tmp_path / "log.db"
    if broken == "garbage":
        db.write_bytes(b"not a log at all\x00" * 200)
    elif broken == "empty-json":  # a SQLite file that is no yaoqing log
        import sqlite3

        sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    done = cron(tmp_path, db if broken != "missing" else tmp_path / "missing.db")
    assert done.returncode == 1, done
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "yaoqing report failed" in lines[0] and "错误：" in lines[0]
    assert "Traceback" not in done.stderr and "JSONDecodeError" not in done.stderr
    assert not list((tmp_path / "daily").glob("*.md"))


@pytest.mark.parametrize(
    "edit,why",
    [
        (lambda data: data.update(level="major"), "网民留言不定级别"),
        (
            lambda data: data.update(heading="【演练】济南市要情专报 2026年第1期"),
            "网民留言的标题头",
        ),
        (lambda data: data.update(kind="emergency", message_class=None), "issue_no"),
    ],
)
def test_import_holds_a_message_to_the_rules_of_file(office, monkeypatch, tmp_path, edit, why):
    """A forged export (re-hashed, so only the rules stand in its way) cannot give a message a
    level, a 第N期 heading, or pass its unnumbered slot off as another kind's."""
    from export_helpers import read_export, rechain, write_export

    run = office
    message(run)
    exported = tmp_path / "export.jsonl"
    assert run("export", "--output", exported).code == 0
    records = read_export(exported)
    [filed] = [r for r in records if r.get("record") == "event" and r["type"] == "file"]
    edit(filed["data"])
    forged = write_export(tmp_path / "forged.jsonl", rechain(records))
    monkeypatch.delenv("YAOQING_NOW")
    copy = tmp_path / "copy.db"
    refused = run("--db", copy, "import", forged)
    assert refused.code == 1 and refused.err.count("\n") == 1, refused
    assert why in refused.err, refused


def test_import_refuses_a_level_change_of_a_message(office, monkeypatch, tmp_path):
    from export_helpers import read_export, rechain, write_export

    run = office
    message(run)
    exported = tmp_path / "export.jsonl"
    assert run("export", "--output", exported).code == 0
    records = read_export(exported)
    at = [i for i, r in enumerate(records) if r.get("record") == "event"][-1]
    level = {
        **records[at],
        "uid": "f" * 32,
        "type": "level",
        "data": {"from": None, "to": "major", "reason": "伪造"},
    }
    records.insert(at + 1, level)
    forged = write_export(tmp_path / "forged.jsonl", rechain(records))
    monkeypatch.delenv("YAOQING_NOW")
    refused = run("--db", tmp_path / "copy.db", "import", forged)
    assert refused.code == 1 and "网民留言不定级别" in refused.err, refused
