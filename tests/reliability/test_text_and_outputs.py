"""Text is normalised and contained: invisible and control characters refused in every field,
labels compared after NFKC, and what the log holds cannot forge a line of a shared output
(Markdown sections and tables, CSV formulas, rich markup). Every input path is checked: dates
outside 2000-2100 and unknown time zones in options and variables, output encodings that
cannot show Chinese."""

import csv
import io
import os
import pty
import subprocess
import sys

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.conftest import dump_log, file_item
from tests.reliability.support import FUZZ, TALLY, check, child_env

INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200c",
    "\u200d",
    "\u2060",  # word joiner
    "\ufeff",  # BOM
    "\u200e",  # left-to-right mark
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",  # right-to-left override: the title reads backwards
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    # invisible without being format characters (Mn, Lo): "某县\u034f人民政府" was a unit of its own
    "\u034f",  # combining grapheme joiner
    "\u115f",  # Hangul fillers: blank glyphs
    "\u1160",
    "\u3164",
    "\uffa0",
    "\u17b4",  # Khmer inherent vowels, deprecated as invisible
    "\u17b5",
    "\u0085",  # NEL (C1)
    "\u009b",  # CSI (C1): a terminal escape without ESC
    "\u2028",  # line separator
    "\u2029",
    "\x1b",
    "\t",
    "\r",
]
FIELDS = [
    ["file", "--title={x}", "--occurred=08:00"],
    ["file", "--title=ok", "--occurred=08:00", "--unit={x}"],
    ["file", "--title=ok", "--occurred=08:00", "--summary={x}"],
    ["file", "--title=ok", "--occurred=08:00", "--location={x}"],
    ["file", "--title=ok", "--occurred=08:00", "--officer={x}"],
    ["file", "--title=ok", "--occurred=08:00", "--kind=opinion", "--category={x}"],
    ["continue", "{id}", "--text={x}"],
    ["continue", "{id}", "--text=ok", "--unit={x}"],
    ["close", "{id}", "--text={x}"],
    ["init", "--office={x}", "--short=济南市", "--policy=shandong", "--drill"],
]
word = st.text(st.sampled_from("某县人民政府国道山体滑坡ABC123 "), min_size=1, max_size=8)


@FUZZ
@given(
    template=st.sampled_from(FIELDS),
    parts=st.tuples(word, st.sampled_from(INVISIBLE), word),
)
@example(template=FIELDS[1], parts=(" ", "\x85", " "))  # found: strip() dropped NEL unseen
def test_invisible_and_control_characters_are_refused_in_every_field(
    logged, db_path, template, parts
):
    run, item_id = logged
    text = "".join(parts)
    before = dump_log(db_path)
    argv = [p.replace("{x}", text).replace("{id}", item_id) for p in template]
    result = run(*argv)
    check(result, db_path, before, must_fail=True, argv=argv)
    assert result.code == 2 and f"U+{ord(parts[1]):04X}" in result.err, result


@pytest.mark.parametrize("field", ["--title", "--unit", "--summary", "--officer"])
def test_a_newline_is_refused_outside_text(logged, db_path, field):
    run, _ = logged
    before = dump_log(db_path)
    argv = ["file", "--title=ok", "--occurred=08:00", f"{field}=第一行\n## 逾期未完成：无"]
    result = run(*argv)
    check(result, db_path, before, must_fail=True, argv=argv)
    assert "换行只可用于 --text" in result.err, result


def test_a_newline_in_text_is_kept_and_shown_indented(logged):
    run, item_id = logged
    result = run("continue", item_id, "--text=第一段\r\n第二段\n## 伪造的标题")
    assert result.code == 0, result
    shown = run("show", item_id)
    assert shown.code == 0, shown
    lines = shown.out.splitlines()
    assert any(line.endswith("第一段") for line in lines), shown
    assert "        第二段" in lines, shown
    assert any(line.startswith("        ## 伪造的标题") for line in lines), shown
    events = run("show", item_id, "--json").json["events"]
    assert events[-1]["data"]["text"] == "第一段\n第二段\n## 伪造的标题"


def test_units_and_ids_are_compared_after_nfkc(office):
    first = file_item(office, "--unit=ＡＢＣ县人民政府", title="甲")
    file_item(office, "--unit=ABC县人民政府", title="乙")
    report = office("report", "--date=2026-11-22", "--format=json")
    assert report.code == 0, report
    assert [u["unit"] for u in report.json["units"]] == ["ABC县人民政府"]
    assert report.json["units"][0]["items"] == 2
    wide = first["id"].translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-"})
    shown = office("show", wide, "--json")  # ２０２６１１２２－００１ as a Chinese IME types it
    assert shown.code == 0 and shown.json["id"] == first["id"], shown


FORGERIES = "某县|事件 # 标题 [链接](http://x) *强调* <b>粗</b> `代码`"


def test_markdown_report_cannot_be_forged_by_a_title_or_unit(office):
    file_item(office, "--unit=A县|B县", title=FORGERIES)
    result = office("report", "--date=2026-11-22", "--format=markdown")
    assert result.code == 0, result
    lines = result.out.splitlines()
    headings = [line for line in lines if line.startswith("#")]
    assert headings and not [h for h in headings if "某县" in h or "链接" in h], headings
    table = [line for line in lines if line.startswith("|")]
    assert table and len({line.replace("\\|", "").count("|") for line in table}) == 1, table
    assert "某县\\|事件 \\# 标题 \\[链接\\](http://x) \\*强调\\* \\<b\\>粗\\</b\\> \\`代码\\`" in (
        result.out
    )


def test_markdown_text_is_one_inert_line():
    from yaoqing_cli.render_report import markdown_text

    assert markdown_text("标题\n## 逾期未完成：无") == "标题 \\#\\# 逾期未完成：无"
    assert "\n" not in markdown_text("a\r\nb\u2028c")


def test_markdown_text_keeps_entities_and_strikethrough_inert(office):
    """A title typed in plain ASCII must not render as something it does not say: `&#x202E;`
    is a bidi override once a Markdown viewer decodes it (the character itself is refused at
    input), and GFM's `~~…~~` strikes a title through as if it were withdrawn."""
    file_item(office, title="&#x202E;某县滑坡 ~~已撤销~~")
    result = office("report", "--date=2026-11-22", "--format=markdown")
    assert result.code == 0, result
    assert "\\&\\#x202E;某县滑坡 \\~\\~已撤销\\~\\~" in result.out, result.out


@pytest.mark.parametrize("keys", [(), ("--keys",)])
def test_csv_report_neutralises_formulas_and_opens_in_excel(office, keys):
    file_item(office, "--unit=@SUM(A1:A9)", title='=HYPERLINK("http://x","点我")')
    file_item(office, "--unit=+86 电话", title="-1+1")
    result = office("report", "--date=2026-11-22", "--format=csv", *keys)
    assert result.code == 0, result
    assert result.out.startswith("\ufeffsection," if keys else "\ufeff栏目,")
    rows = list(csv.DictReader(io.StringIO(result.out.removeprefix("\ufeff"))))
    cells = [value for row in rows for value in row.values() if value]
    assert not [c for c in cells if c[0] in "=+-@\t\r"], cells
    assert '\'=HYPERLINK("http://x","点我")' in cells and "'@SUM(A1:A9)" in cells


def test_rich_markup_in_log_text_is_shown_literally_on_a_terminal(office, db_path):
    file_item(office, title="[/][bold red]伪装[/bold red][link=http://x]点[/link]")
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "yaoqing_cli", "status"],
            env=child_env(db_path, COLUMNS="200", TERM="xterm"),
            stdout=terminal,
            stderr=subprocess.PIPE,
            timeout=60,
        )
        os.close(terminal)
        out = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal side is closed: all read
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(controller)
    TALLY["processes"] += 1
    assert proc.returncode == 0, proc.stderr.decode()
    text = out.decode("utf-8", "replace")
    assert "[bold red]" in text and "[/]" in text, text


# --- every input path: dates, zones, encodings ----------------------------------------------

OUT_OF_RANGE = ["9999-12-31T23:59:00+08:00", "0001-01-01T00:00:00+08:00", "1999-12-31T12:00"]


@pytest.mark.parametrize("now", OUT_OF_RANGE)
@pytest.mark.parametrize(
    "command",
    [["status"], ["report"], ["file", "--title=x", "--occurred=now"], ["show", "20261122-001"]],
    ids=lambda c: c[0],
)
def test_yaoqing_now_outside_2000_2100_is_refused(logged, db_path, now, command):
    run, _ = logged
    before = dump_log(db_path)
    result = run(*command, now=now)
    check(result, db_path, before, must_fail=True, argv=(now, command))
    assert result.code == 2 and "YAOQING_NOW" in result.err, result


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
def test_report_dates_outside_2000_2100_are_refused(logged, db_path, day):
    run, _ = logged
    before = dump_log(db_path)
    for argv in (["report", f"--date={day}"], ["report", f"--period={day[:4]}"]):
        result = run(*argv)
        check(result, db_path, before, must_fail=True, argv=argv)
        assert result.code == 2, result


@pytest.mark.parametrize(
    "command", [["status"], ["policy", "list"], ["file", "--title=x", "--occurred=08:00"]]
)
def test_an_unknown_yaoqing_tz_is_refused_at_the_start(logged, db_path, monkeypatch, command):
    run, _ = logged
    monkeypatch.setenv("YAOQING_TZ", "Nowhere/Atlantis")
    before = dump_log(db_path)
    result = run(*command)
    check(result, db_path, before, must_fail=True, argv=command)
    assert result.code == 2 and "YAOQING_TZ" in result.err, result


@pytest.mark.parametrize("encoding", ["ascii", "gb2312", "latin-1"])
@pytest.mark.parametrize(
    "command",
    [
        ["status", "--all"],
        ["show", "20261122-001"],
        ["report", "--date=2026-11-22"],
        ["report", "--date=2026-11-22", "--format=markdown"],
        ["report", "--date=2026-11-22", "--format=csv"],
        ["file", "--title=某县█░※—“引号”", "--occurred=08:00"],
    ],
    ids=lambda c: "-".join(c)[:20],
)
def test_an_output_encoding_without_chinese_never_crashes(logged, db_path, encoding, command):
    proc = subprocess.run(
        [sys.executable, "-m", "yaoqing_cli", *command],
        env=child_env(db_path, PYTHONIOENCODING=encoding),
        capture_output=True,
        timeout=60,
    )
    TALLY["processes"] += 1
    TALLY["commands"] += 1
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert proc.stderr == b"" and proc.stdout, proc.stderr.decode(errors="replace")
