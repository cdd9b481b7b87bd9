"""`yaoqing doc`: the 要情专报 as a document, and `report --format docx|txt`.

The layout is GB/T 9704-2012《党政机关公文格式》: A4, margins top 37 mm, bottom 35 mm, left 28 mm,
right 26 mm (5.2); title 2号 方正小标宋简体 (7.3.1); body 3号 仿宋_GB2312 (5.2.1); 22 lines of
28 characters (7.1); headings 黑体 / 楷体 (7.3.3); page numbers "— 1 —" 4号 宋体 (7.5). The
elements come in the order of 内政办发〔2014〕109号 二(一) and 呼政办发〔2014〕30号 一; the form
单位简称+要情专报 is 鲁政办字〔2016〕86号 第3条; sensitive items go by secure means (第5条).
"""

import io
import subprocess
import sys
import unicodedata
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import docx
from docx.oxml.ns import qn
from docx.shared import Pt
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import file_item
from yaoqing_cli.doc import MISSING, build_zhuanbao, cn_date, cn_time
from yaoqing_cli.models import Event, Item, Office
from yaoqing_cli.render_doc import COLUMNS, columns, fullwidth, to_txt, wrap

TZ = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def filed_with_followups(office, *extra) -> str:
    item = file_item(
        office,
        "--level=large",
        "--unit=历城区人民政府",
        "--location=历城区洪家楼街道某小区3号楼",
        "--summary=3号楼一住户家中燃气泄漏引发爆燃",
        "--consequences=2人轻伤",
        "--trend=明火已扑灭，无次生险情",
        "--measures=疏散居民86人",
        *extra,
        title="历城区某小区燃气泄漏引发爆燃",
        occurred="2026-11-22 08:05",
        at="2026-11-22 08:40",
    )["id"]
    for at, text, who in (
        ("2026-11-22 09:30", "爆燃系燃气软管老化所致", "王审核"),
        ("2026-11-22 10:45", "伤员均已出院", "张值班"),
    ):
        result = office("continue", item, "--at", at, "--text", text, "--officer", who)
        assert result.code == 0, result
    result = office("close", item, "--at", "2026-11-22 11:50", "--text", "处置完毕，燃气恢复供应")
    assert result.code == 0, result
    return item


def body_texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def east_asian(run) -> str | None:
    fonts = run._element.rPr.find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def paragraph_with(document, text: str):
    found = [p for p in document.paragraphs if text in p.text]
    assert found, (text, body_texts(document))
    return found[0]


# --- the .docx ------------------------------------------------------------------------------


def make_docx(office, tmp_path, *args) -> docx.document.Document:
    item = filed_with_followups(office)
    out = tmp_path / "zhuanbao.docx"
    result = office("doc", item, "-o", out, *args)
    assert result.code == 0, result
    assert f"已写入 {out}" in result.out
    return docx.Document(str(out))


def test_the_page_is_a4_with_the_gbt_9704_margins(office, tmp_path):
    section = make_docx(office, tmp_path).sections[0]
    size = [round(v.mm, 1) for v in (section.page_width, section.page_height)]
    assert size == [210, 297]  # (stored in twentieths of a point: 210 mm is 11906)
    margins = [
        round(getattr(section, f"{side}_margin").mm, 1)
        for side in ("top", "bottom", "left", "right")
    ]
    assert margins == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 225 mm / 22 lines = 28.95 pt


def test_header_issue_title_and_body_fonts(office, tmp_path):
    document = make_docx(office, tmp_path)
    header = document.paragraphs[0]
    assert header.text == "济南市要情专报"  # 单位简称+要情专报 (鲁政办字〔2016〕86号 第3条)
    run = header.runs[0]
    assert east_asian(run) == "方正小标宋简体"
    assert str(run.font.color.rgb) == "FF0000"
    assert document.paragraphs[1].text == "2026年第1期"
    dated = paragraph_with(document, "济南市人民政府办公厅")
    assert dated.text.endswith("2026年11月22日")  # Arabic numerals, in full (7.3.5.3)
    border = dated._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert border.get(qn("w:color")) == "FF0000"  # the red separator line (7.2.6)
    title = paragraph_with(document, "历城区某小区燃气泄漏引发爆燃")
    assert east_asian(title.runs[0]) == "方正小标宋简体"
    assert title.runs[0].font.size == Pt(22)  # 2号
    heading = paragraph_with(document, "一、首报")
    assert east_asian(heading.runs[0]) == "黑体"
    assert heading.runs[0].font.size == Pt(16)
    element = paragraph_with(document, "（二）地点。")
    lead, text = element.runs
    assert (lead.text, east_asian(lead)) == ("（二）地点。", "楷体_GB2312")
    assert east_asian(text) == "仿宋_GB2312"
    assert text.font.size == Pt(16)  # 3号
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing == Pt(28.95)


def test_elements_in_the_documents_order_then_every_followup_with_its_time(office, tmp_path):
    texts = body_texts(make_docx(office, tmp_path))
    # 内政办发〔2014〕109号 二(一)、呼政办发〔2014〕30号 一
    order = ["（一）时间。", "（二）地点。", "（三）单位。", "（四）事态经过。", "（五）已造成的后果。",
             "（六）发展趋势。", "（七）已采取的处置措施。"]  # fmt: skip
    where = [next(i for i, t in enumerate(texts) if t.startswith(label)) for label in order]
    assert where == sorted(where)
    assert texts[where[0]] == "（一）时间。事发2026年11月22日8时5分，接报8时40分。"
    sections = [t for t in texts if t[:2] in ("一、", "二、", "三、", "四、", "五、")]
    assert sections == [
        "一、首报（2026年11月22日8时40分）",
        "二、续报一（2026年11月22日9时30分）",
        "三、续报二（2026年11月22日10时45分）",
        "四、终报（2026年11月22日11时50分）",
    ]
    assert texts.index("爆燃系燃气软管老化所致。") < texts.index("伤员均已出院。")


def test_foot_lines_from_the_policy_and_the_officers(office, tmp_path):
    texts = body_texts(make_docx(office, tmp_path))
    # a 较大 item under shandong: the city's duty office must be told (济政办字〔2016〕47号 二)
    assert "报：市政府应急办（市政府总值班室）。" in texts
    assert not any(t.startswith("抄送：") for t in texts)  # shandong has no copy
    staff = next(t for t in texts if t.startswith("编辑："))
    assert staff.startswith("编辑：张值班、王审核")  # who recorded the reports, in order
    assert "审核：" in staff
    assert staff.rstrip("\u3000").endswith("签发：")  # left blank to sign


def test_a_major_item_has_a_permissive_recipient_under_songs(office, tmp_path):
    item = file_item(office, "--level=major", title="某重大事件")["id"]
    out = tmp_path / "major.docx"
    assert office("doc", item, "-o", out).code == 0
    texts = body_texts(docx.Document(str(out)))
    report = next(t for t in texts if t.startswith("报："))
    assert "省政府应急办（省政府总值班室）" in report
    send = next(t for t in texts if t.startswith("送："))  # 可报告 (鲁政办字〔2016〕86号 第9条)
    assert "省政府办公厅负责同志" in send


def test_page_numbers_are_a_page_field_in_songti_outside(office, tmp_path):
    document = make_docx(office, tmp_path)
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for footer, side in ((odd, "right"), (even, "left")):
        xml = footer._p.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
        assert footer.text.startswith("— ") and footer.text.endswith(" —")
        assert footer.alignment == (2 if side == "right" else 0)
        assert all(east_asian(r) == "宋体" for r in footer.runs)
        assert footer.runs[0].font.size == Pt(14)  # 4号


def test_fonts_are_named_with_their_substitutes_not_embedded(office, tmp_path):
    item = filed_with_followups(office)
    out = tmp_path / "z.docx"
    assert office("doc", item, "-o", out).code == 0
    with zipfile.ZipFile(out) as package:
        names = package.namelist()
        table = package.read("word/fontTable.xml").decode()
    assert not any(n.startswith("word/fonts/") for n in names)  # nothing embedded
    assert 'w:name="仿宋_GB2312"' in table and 'w:val="仿宋"' in table
    assert 'w:name="楷体_GB2312"' in table and 'w:val="楷体"' in table
    core = docx.Document(str(out)).core_properties
    assert core.created.isoformat().startswith("2026-11-22T03:50")  # 终报 11:50 (+08:00)


def test_sensitive_is_refused_without_the_option_and_marked_on_every_page(office, tmp_path):
    item = file_item(office, "--sensitive", title="涉密事件")["id"]
    out = tmp_path / "s.docx"
    refused = office("doc", item, "-o", out)
    assert refused.code == 2, refused
    assert refused.err.count("\n") == 1 and "--include-sensitive" in refused.err
    assert not out.exists()
    assert office("doc", item, "-o", out, "--include-sensitive").code == 0
    document = docx.Document(str(out))
    section = document.sections[0]
    for header in (section.header, section.even_page_header):
        assert "敏感/内部" in header.paragraphs[0].text
    text = office("doc", item, "--include-sensitive").out
    assert text.splitlines()[0].startswith("【敏感/内部")
    assert text.rstrip().splitlines()[-1].startswith("【敏感/内部")


def test_stage_first_is_the_first_report_alone(office, tmp_path):
    texts = body_texts(make_docx(office, tmp_path, "--stage", "first"))
    assert any(t.startswith("一、首报") for t in texts)
    assert not any("续报" in t or "终报" in t for t in texts)
    staff = next(t for t in texts if t.startswith("编辑："))
    assert staff.startswith("编辑：张值班\u3000")  # the first report's officer alone


def test_a_missing_element_is_said_to_be_missing(office, tmp_path):
    item = file_item(office, title="只有标题的首报")["id"]
    text = office("doc", item).out
    assert "（二）地点。" + MISSING in text.replace("\n", "")


# --- txt and md ---------------------------------------------------------------------------


def test_txt_lines_are_at_most_28_characters_with_fullwidth_punctuation(office):
    item = file_item(
        office,
        "--summary=A long, English-ish summary: (with) punctuation; and numbers 1,000 at 8:30.",
        "--location=" + "很长的地点" * 20,
        title="一个非常非常长的标题，用来检验二十八个字一行的折行是否正确，以及避头尾的处理",
    )["id"]
    result = office("doc", item, "--format", "txt")
    assert result.code == 0, result
    for line in result.out.splitlines():
        assert columns(line) <= COLUMNS, line  # 28 full-width characters
        assert not line.startswith(tuple("，。、；：？！）")), line
    flat = result.out.replace("\n", "")
    assert "English-ish summary：（with）punctuation；" in flat  # full-width marks
    assert "1,000" in flat and "8:30" in flat  # numbers keep theirs


def test_md_has_the_heading_and_the_sections(office):
    item = filed_with_followups(office)
    result = office("doc", item, "--format", "md")
    assert result.code == 0, result
    assert result.out.startswith("**【演练】**\n\n# 济南市要情专报")
    assert "### 二、续报一（2026年11月22日9时30分）" in result.out


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=300))
def test_wrap_keeps_every_character_and_the_measure(text):
    lines = wrap(text, first="")
    assert all(columns(line) <= COLUMNS for line in lines)
    visible = lambda t: "".join(ch for ch in t if not ch.isspace())  # noqa: E731
    assert visible("".join(lines)) == visible(text)


def test_fullwidth_only_touches_punctuation():
    assert fullwidth("地点(某县),时间:8:30.") == "地点（某县），时间：8:30。"
    assert fullwidth("v1.2 and 3.5") == "v1.2 and 3.5"


# --- the pure model -------------------------------------------------------------------------


def test_dates_and_times_in_arabic_numerals():
    assert cn_date(local("2026-11-02T08:00"), TZ) == "2026年11月2日"
    assert cn_time(local("2026-11-02T08:00"), TZ) == "2026年11月2日8时"
    assert cn_time(local("2026-11-02T08:05"), TZ) == "2026年11月2日8时5分"


def _event(seq, kind, at, data, officer="张值班"):
    return Event(seq, f"u{seq}", "20261122-001", kind, local(at), local(at), officer, data)


def test_leader_instructions_are_read_by_type_name_and_reopen_cancels_the_close():
    item = Item(
        id="20261122-001", year=2026, issue_no=3, title="某事件", kind="emergency",
        level=None, policy="national", policy_hash="x", occurred=local("2026-11-22T08:00"),
        received=local("2026-11-22T08:10"), filed=local("2026-11-22T08:30"),
    )  # fmt: skip
    events = [
        _event(1, "file", "2026-11-22T08:30", {}),
        _event(2, "instruct", "2026-11-22T09:00", {"from": "市长", "text": "全力救治"}),
        _event(3, "instruct", "2026-11-22T09:10", {"text": None}),  # defensively: keys missing
        _event(4, "close", "2026-11-22T10:00", {"outcome": "resolved"}),
        _event(5, "reopen", "2026-11-22T10:30", {"reason": "新情况"}),
    ]
    office = Office("某市人民政府办公厅", "某市", "national", "Asia/Shanghai", None)
    document = build_zhuanbao(
        office=office, item=item, events=events, policy=None, level=None,
        heading="某市要情专报 2026年第3期", tz=TZ,
    )  # fmt: skip
    texts = [b.lead + b.text for b in document.blocks]
    assert "二、领导批示" in texts
    assert "（一）市长2026年11月22日9时批示：“全力救治”" in texts
    assert "（二）领导同志2026年11月22日9时10分批示：“（批示内容未录入）”" in texts
    assert not any("终报" in t for t in texts)  # reopened after the close
    assert (document.header, document.issue) == ("某市要情专报", "2026年第3期")
    assert document.foot == ()  # no policy, no recipients
    assert to_txt(document).count("\n") > 10


# --- errors and output ----------------------------------------------------------------------


def test_errors_are_one_line(office, tmp_path):
    item = file_item(office)["id"]
    message = file_item(office, "--kind=message", "--class=appeal", title="网民反映供暖不热")["id"]
    cases = [
        (("doc", message), 1),  # a citizen's message is not a 要情专报 (no 第N期)
        (("doc", "20990101-001"), 1),
        (("doc", item, "--format", "pdf"), 2),
        (("doc", item, "--stage", "middle"), 2),
        (("doc", item, "-o", tmp_path), 1),  # a directory is not overwritten
        (("doc", item, "-o", tmp_path / "no" / "such" / "x.docx"), 1),
    ]
    for args, code in cases:
        result = office(*args)
        assert result.code == code, (args, result)
        assert result.err.startswith("错误：") and result.err.count("\n") == 1, result
    assert tmp_path.is_dir()


def test_format_follows_the_output_name_and_writes_atomically(office, tmp_path):
    item = file_item(office)["id"]
    target = tmp_path / "z.docx"
    target.write_text("old")
    assert office("doc", item, "-o", target).code == 0
    assert zipfile.is_zipfile(target)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left
    md = tmp_path / "z.md"
    assert office("doc", item, "-o", md).code == 0
    assert md.read_text(encoding="utf-8").startswith("**【演练】**")


def test_docx_is_refused_to_a_terminal_and_piped_otherwise(office, monkeypatch):
    item = file_item(office)["id"]
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    result = office("doc", item, "--format", "docx")
    assert result.code == 2 and "-o" in result.err, result
    result = office("report", "--date", "2026-11-22", "--format", "docx")
    assert result.code == 2 and "-o" in result.err, result


def test_docx_on_a_pipe_is_the_document(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if k != "YAOQING_NOW"}  # a real log, real time
    base = [sys.executable, "-m", "yaoqing_cli", "--db", str(tmp_path / "real.db")]
    run = lambda *a: subprocess.run([*base, *a], capture_output=True, env=env)  # noqa: E731
    assert run("init", "--office", "某办", "--short", "某", "--policy", "national").returncode == 0
    filed = run("file", "--title", "某事", "--occurred", "1小时前")
    assert filed.returncode == 0, filed.stderr.decode()
    item = filed.stdout.decode().split()[1]
    piped = run("doc", item, "--format", "docx")
    assert piped.returncode == 0, piped.stderr.decode()
    assert docx.Document(io.BytesIO(piped.stdout)).paragraphs[0].text == "某要情专报"


def test_python_docx_is_not_imported_at_start_up():
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import yaoqing_cli.cli"],
        capture_output=True,
        text=True,
    )
    assert "docx" not in out.stderr


# --- report --format docx|txt -------------------------------------------------------------


def test_report_docx_has_the_layout_and_a_unit_table(office, tmp_path):
    filed_with_followups(office)
    out = tmp_path / "r.docx"
    result = office("report", "--date", "2026-11-22", "--format", "docx", "-o", out)
    assert result.code == 0, result
    document = docx.Document(str(out))
    assert document.paragraphs[0].text == "济南市值班日报"
    assert round(document.sections[0].top_margin.mm, 1) == 37
    assert paragraph_with(document, "2026年11月22日值班情况").runs[0].font.size == Pt(22)
    units = document.tables[-1]
    assert [c.text for c in units.rows[0].cells][:2] == ["单位", "要情"]
    assert units.rows[1].cells[0].text == "历城区人民政府"
    half = tmp_path / "h.docx"
    assert office("report", "--period", "2026H2", "--format", "docx", "-o", half).code == 0
    assert docx.Document(str(half)).paragraphs[0].text == "济南市要情报送情况通报"


def test_report_txt_is_28_characters_wide_and_keeps_the_anchor(office, tmp_path):
    filed_with_followups(office)
    result = office("report", "--date", "2026-11-22", "--format", "txt")
    assert result.code == 0, result
    lines = result.out.splitlines()
    anchor = [line for line in lines if line.startswith("日志锚点：")]
    assert len(anchor) == 1
    for line in lines:
        if line not in anchor:  # the hash stays whole for verify --expect-file
            assert columns(line) <= COLUMNS, line
    saved = tmp_path / "r.txt"
    saved.write_text(result.out, encoding="utf-8")
    assert office("verify", "--expect-file", saved).code == 0


def test_report_txt_conceals_sensitive_items(office):
    file_item(office, "--sensitive", title="绝密的标题", at="2026-11-22 09:00")
    out = office("report", "--date", "2026-11-22", "--format", "txt").out
    assert "绝密的标题" not in out.replace("\n", "")


def test_every_character_counted_once(office):
    """(a guard for columns(): Chinese is two columns, ASCII one)"""
    assert columns("中a") == 3
    assert unicodedata.east_asian_width("—") == "A" and columns("—") == 2


def test_paragraph_and_run_properties_are_in_schema_order(office, tmp_path):
    """Word refuses a .docx whose w:pPr or w:rPr children are out of the schema's order."""
    from yaoqing_cli.render_docx import PPR_ORDER, RPR_ORDER

    filed_with_followups(office)
    out = tmp_path / "r.docx"
    assert office("report", "--date", "2026-11-22", "--format", "docx", "-o", out).code == 0
    item = office("status", "--all", "--json").json[0]["id"]
    both = tmp_path / "z.docx"
    assert office("doc", item, "-o", both).code == 0
    for path in (out, both):
        document = docx.Document(str(path))
        parts = [document.element, document.styles.element]
        section = document.sections[0]
        parts += [section.footer._element, section.even_page_footer._element]
        for part in parts:
            for tag, order in (("w:pPr", PPR_ORDER), ("w:rPr", RPR_ORDER)):
                for props in part.iter(qn(tag)):
                    names = [c.tag.split("}")[1] for c in props]
                    where = [order.index(f"w:{n}") for n in names]
                    assert where == sorted(where), (path.name, tag, names)


def test_a_forwarded_item_keeps_this_offices_header_and_the_source_number():
    item = Item(
        id="20261122-007", year=2026, issue_no=9, title="某事件", kind="emergency",
        level="general", policy="national", policy_hash="x", occurred=local("2026-11-22T08:00"),
        received=local("2026-11-22T08:10"), filed=local("2026-11-22T08:30"),
    )  # fmt: skip
    item = item._replace(origin="某县人民政府办公室", origin_short="某县")
    events = [
        _event(1, "file", "2026-11-22T08:30", {}),
        _event(2, "continue", "2026-11-22T09:00", {"n": 1, "text": "第一行\n\n第二行。"}),
    ]
    office = Office("某市人民政府办公厅", "某市", "national", "Asia/Shanghai", None, drill=True)
    document = build_zhuanbao(
        office=office, item=item, events=events, policy=None, level="general",
        heading="转报：某县 2026年第9期", tz=TZ,
    )  # fmt: skip
    assert (document.header, document.issue) == ("某市要情专报", "转报：某县 2026年第9期")
    assert document.marking == "演练"
    texts = [b.text for b in document.blocks]
    assert texts[texts.index("第一行。") + 1] == "第二行。"  # a paragraph a line


def test_a_recorded_instruction_appears_with_its_leader_time_and_units(office, tmp_path):
    """`instruct --from 王副市长 --text … --to 单位` (issue 14) read by `doc` (领导批示)."""
    item = filed_with_followups(office)
    item2 = file_item(office, title="某县国道山体滑坡", at="2026-11-22 09:00")["id"]
    done = office(
        "instruct", item2, "--from", "王副市长", "--text", "全力搜救，注意次生灾害",
        "--to", "市应急局", "--at", "2026-11-22 09:20",
    )  # fmt: skip
    assert done.code == 0, done
    text = office("doc", item2).out.replace("\n", "")
    assert "二、领导批示" in text
    assert (
        "（一）王副市长2026年11月22日9时20分批示：“全力搜救，注意次生灾害”已转市应急局办理。"
        in text
    )
    assert office("doc", item2, "--stage", "first").out.count("领导批示") == 0
    assert "领导批示" not in office("doc", item).out


def test_a_correction_is_said_in_the_document():
    """A `correct` event (issue 13: data from/to/reason) is read by type name: 更正 with the old
    and new value of each field, the policy left out."""
    item = Item(
        id="20261122-001", year=2026, issue_no=1, title="某事件", kind="emergency",
        level=None, policy="national", policy_hash="x", occurred=local("2026-11-22T07:00"),
        received=local("2026-11-22T08:10"), filed=local("2026-11-22T08:30"),
    )  # fmt: skip
    correction = {
        "reason": "来电方记错了时间",
        "from": {"occurred": "2026-11-22T00:00:00Z", "location": None, "policy": "a"},
        "to": {"occurred": "2026-11-21T23:00:00Z", "location": "某村", "policy": "b"},
    }
    events = [
        _event(1, "file", "2026-11-22T08:30", {}),
        _event(2, "correct", "2026-11-22T09:00", correction),
    ]
    office = Office("某市人民政府办公厅", "某市", "national", "Asia/Shanghai", None)
    document = build_zhuanbao(
        office=office, item=item, events=events, policy=None, level=None,
        heading="某市要情专报 2026年第1期", tz=TZ,
    )  # fmt: skip
    texts = [b.lead + b.text for b in document.blocks]
    start = texts.index("二、更正（2026年11月22日9时）")
    assert texts[start + 1 : start + 4] == [
        "事发时间由“2026年11月22日8时”更正为“2026年11月22日7时”。",
        "地点由“（空）”更正为“某村”。",
        "理由。来电方记错了时间。",
    ]
