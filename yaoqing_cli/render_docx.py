"""A document (doc.Document) as a .docx in the layout of GB/T 9704-2012《党政机关公文格式》, where
it applies to an office bulletin. python-docx is imported here only: `yaoqing doc` and
`report --format docx` load this module, no other command pays for it at start-up.

What the standard asks, and where it is done:
- 5.2.1 A4 paper; 5.2.2 版心 156 mm × 225 mm: margins top 37 mm, bottom 35 mm, left 28 mm,
  right 26 mm (`_page`).
- 5.2.1/7.1: 3号仿宋 for the body, 22 lines of 28 characters: a line grid and an exact line
  spacing of 28.95 pt (225 mm / 22), and the body's characters condensed by 0.25 pt (紧缩
  0.25 磅: 28 × 15.75 pt = 441 pt fits the 442.2 pt = 156 mm line, 29 do not).
- 7.2.3 发文机关标志 (here 单位简称+要情专报) in red 小标宋; 7.2.6 the red separator line.
- 7.3.1 标题 2号小标宋; 7.3.3 headings: 一级 黑体, 二级 楷体, 三级/四级 仿宋.
- 7.3.5.3 the date in Arabic numerals, year, month and day in full.
- 7.4 版记: 抄送 in 4号仿宋 between separator lines (first and last thick, the rest thin).
- 7.5 页码: 4号半角宋体 Arabic numerals with a dash each side (— 1 —), odd pages on the right
  and even pages on the left, one character in from the edge of the text.
Fonts are named, never embedded: a government machine has them (仿宋_GB2312, 楷体_GB2312,
方正小标宋简体, 黑体, 宋体). The font table also names the common substitutes (w:altName: 仿宋,
楷体, 宋体) so Word, WPS and LibreOffice fall back to those where the GB2312 fonts are missing.
"""

import io
from datetime import UTC

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from yaoqing_cli.doc import Block, Document

BODY = "仿宋_GB2312"
TITLE = "方正小标宋简体"
H1 = "黑体"
H2 = "楷体_GB2312"
PAGE_NO = "宋体"
LATIN = "Times New Roman"  # digits and letters in the body (common practice beside 仿宋)
# w:altName in the font table: the font a machine without the first one should use.
ALTERNATES = {BODY: "仿宋", H2: "楷体", TITLE: "宋体", H1: "SimHei", PAGE_NO: "SimSun"}

SIZE_TITLE = 22  # 2号
SIZE_BODY = 16  # 3号
SIZE_SMALL = 14  # 4号: page numbers, 版记, tables
SIZE_HEADER = 36  # 小初: the red header (GB/T 9704 leaves its size to the office)
LINE = Pt(28.95)  # 225 mm / 22 lines
CONDENSE = -5  # twentieths of a point: 16 pt - 0.25 pt = 15.75 pt a character, 28 a line
RED = RGBColor(0xFF, 0x00, 0x00)
TEXT_WIDTH = Mm(156)  # 210 - 28 - 26


def to_docx(doc: Document) -> bytes:
    document = docx.Document()
    _page(document)
    _styles(document)
    _font_table(document)
    core = document.core_properties
    core.title = doc.title
    core.author = doc.office
    core.language = "zh-CN"
    core.comments = "yaoqing"
    core.last_modified_by = "yaoqing"
    if doc.issued_at is not None:  # (the template's own dates are 2013's)
        core.created = core.modified = doc.issued_at.astimezone(UTC).replace(tzinfo=None)
    if doc.marking:
        _marking(document, doc.marking)
    _red_header(document.add_paragraph(), doc.header)
    if doc.issue:
        issue = document.add_paragraph()
        issue.alignment = WD_ALIGN_PARAGRAPH.CENTER
        issue.paragraph_format.space_before = LINE
        _run(issue, doc.issue, BODY, SIZE_BODY)
    _office_and_date(document.add_paragraph(), doc.office, doc.date)
    document.add_paragraph()  # one blank line under the rule
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(35)  # 2号 needs more than one body line
    _off_grid(title)
    _run(title, doc.title, TITLE, SIZE_TITLE)
    document.add_paragraph()  # 标题下空一行
    for block in doc.blocks:
        _block(document, block)
    _foot(document, doc)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- page, styles, fonts -----------------------------------------------------------------------


def _page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(20)
    section.footer_distance = Mm(21)  # the page number's top about 7 mm under the text (7.5)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    # 22 lines: a line grid of 28.95 pt (in twentieths of a point). No character grid
    # (linesAndChars): LibreOffice lays it out at half the characters a line; the 28 characters
    # come from the body's character spacing instead (CONDENSE).
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "579")
    grid.attrib.pop(qn("w:charSpace"), None)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], odd=True)
    _page_number(section.even_page_footer.paragraphs[0], odd=False)


def _styles(document) -> None:
    normal = document.styles["Normal"]
    normal.font.size = Pt(SIZE_BODY)
    _fonts(normal.element.get_or_add_rPr(), BODY)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    r_pr = normal.element.get_or_add_rPr()
    _put(r_pr, lang)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CONDENSE))
    _put(r_pr, spacing)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = False  # a government page keeps its 22 lines


def _fonts(r_pr, east_asian: str, latin: str = LATIN) -> None:
    """w:rFonts with the Chinese font as w:eastAsia (what Word and WPS use for Chinese text)."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


def _font_table(document) -> None:
    """Name each font with its GB2312-era charset and its common substitute (w:altName)."""
    from lxml import etree

    part = next(
        p for p in document.part.package.iter_parts() if p.partname == "/word/fontTable.xml"
    )
    root = etree.fromstring(part.blob)
    for name, alternate in ALTERNATES.items():
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        alt = etree.SubElement(font, qn("w:altName"))
        alt.set(qn("w:val"), alternate)
        charset = etree.SubElement(font, qn("w:charset"))
        charset.set(qn("w:val"), "86")  # GB2312
        family = etree.SubElement(font, qn("w:family"))
        family.set(qn("w:val"), "modern" if name != TITLE else "script")
        pitch = etree.SubElement(font, qn("w:pitch"))
        pitch.set(qn("w:val"), "fixed" if name != TITLE else "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# w:pPr's and w:rPr's children in schema order (python-docx does not keep these lists)
PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
    "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
    "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
    "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
    "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
    "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)  # fmt: skip
RPR_ORDER = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
    "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
    "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz",
    "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign",
    "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
)  # fmt: skip


def _put(parent, element) -> None:
    """Insert `element` where the schema wants it among `parent`'s children (Word refuses a
    w:pPr or w:rPr whose children are out of order)."""
    sequence = PPR_ORDER if parent.tag == qn("w:pPr") else RPR_ORDER
    tag = element.tag.replace(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}", "w:"
    )
    existing = parent.find(qn(tag))
    if existing is not None:
        parent.remove(existing)
    parent.insert_element_before(element, *sequence[sequence.index(tag) + 1 :])


def _run(paragraph, text: str, font: str, size: float, *, bold=False, color=None, latin=None):
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _fonts(run._element.get_or_add_rPr(), font, latin or (font if font == PAGE_NO else LATIN))
    return run


def _border(paragraph, side: str, size_eighths: int, color: str = "000000", space: int = 1):
    p_pr = paragraph._p.get_or_add_pPr()
    borders = p_pr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        _put(p_pr, borders)
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), str(space))
    edge.set(qn("w:color"), color)
    borders.append(edge)


def _indent_chars(paragraph, first_line: int = 2) -> None:
    """首行缩进 in characters (w:firstLineChars, hundredths), so it follows the character grid."""
    paragraph.paragraph_format.first_line_indent = Pt(SIZE_BODY * first_line)
    ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), str(first_line * 100))


# --- the head of the page ----------------------------------------------------------------------


def _marking(document, marking: str) -> None:
    """敏感/内部 (and 演练) at the top left of every page: 黑体 3号 (GB/T 9704 7.2.2 密级)."""
    section = document.sections[0]
    for header in (section.header, section.even_page_header):
        paragraph = header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _run(paragraph, marking, H1, SIZE_BODY, color=RED if "敏感" in marking else None)


def _red_header(paragraph, text: str) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.space_before = Pt(12)
    _off_grid(paragraph)
    _run(paragraph, text, TITLE, SIZE_HEADER, color=RED)


def _office_and_date(paragraph, office: str, date: str) -> None:
    """The office on the left, the date on the right, each one character in, and under them the
    red separator line across the text (GB/T 9704 7.2.6)."""
    fmt = paragraph.paragraph_format
    fmt.space_before = LINE
    fmt.left_indent = fmt.right_indent = Pt(SIZE_BODY)
    fmt.tab_stops.add_tab_stop(TEXT_WIDTH - Pt(SIZE_BODY), WD_TAB_ALIGNMENT.RIGHT)
    _run(paragraph, office, BODY, SIZE_BODY)
    _run(paragraph, "\t" + date, BODY, SIZE_BODY)
    _border(paragraph, "bottom", 18, "FF0000", space=6)  # 2.25 pt


# --- the body ------------------------------------------------------------------------------


def _block(document, block: Block) -> None:
    if block.kind == "table":
        _table(document, block.rows)
        return
    paragraph = document.add_paragraph()
    if block.kind == "h1":
        _indent_chars(paragraph)
        paragraph.paragraph_format.keep_with_next = True
        _run(paragraph, block.text, H1, SIZE_BODY)
        return
    if block.kind == "note":
        paragraph.paragraph_format.space_before = LINE
        _run(paragraph, block.text, BODY, SIZE_SMALL)
        return
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _indent_chars(paragraph)
    if block.lead:
        _run(paragraph, block.lead, H2, SIZE_BODY)
    if block.text:
        _run(paragraph, block.text, BODY, SIZE_BODY)


def _table(document, rows) -> None:
    """A table in the body's style: 4号 text, a 黑体 header row repeated on every page, rows
    kept whole, columns as wide as what they hold (a title wider than a number)."""
    from yaoqing_cli.render_doc import columns

    # half-width columns, each with room for the cell margins; a long title wraps
    widths = [min(40, max(6, *(columns(row[c]) + 3 for row in rows))) for c in range(len(rows[0]))]
    total = sum(widths)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for c, column in enumerate(table.columns):  # w:gridCol, what LibreOffice reads
        column.width = int(TEXT_WIDTH * widths[c] / total)
    numeric = [all(_is_figure(row[c]) for row in rows[1:]) for c in range(len(rows[0]))]
    for r, cells in enumerate(rows):
        row = table.rows[r]
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if r == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))
        for c, text in enumerate(cells):
            cell = table.cell(r, c)
            cell.width = int(TEXT_WIDTH * widths[c] / total)
            paragraph = cell.paragraphs[0]
            fmt = paragraph.paragraph_format
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(20)
            fmt.first_line_indent = Pt(0)
            _off_grid(paragraph)
            centred = r == 0 or numeric[c]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
            _run(paragraph, text, H1 if r == 0 else BODY, SIZE_SMALL)
    document.add_paragraph()  # a line between a table and what follows


def _off_grid(paragraph) -> None:
    """Not snapped to the 28.95 pt line grid (a table row, the red header, the title)."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    _put(paragraph._p.get_or_add_pPr(), snap)


def _is_figure(text: str) -> bool:
    return text.replace(".", "").replace("%", "").isdigit() or text == "—"


# --- the foot: 版记 and page numbers --------------------------------------------------------------


def _foot(document, doc: Document) -> None:
    """版记 (GB/T 9704 7.4): 报/送/抄送 then 编辑/审核/签发, 4号仿宋, one character in on both
    sides, a thick line above the first and below the last, thin lines between."""
    rows = [(f"{name}：", who) for name, who in doc.foot]
    if doc.staff:
        staff = "\u3000\u3000".join(f"{name}：{who or chr(0x3000) * 3}" for name, who in doc.staff)
        rows.append(("", staff))
    if not rows:
        return
    document.add_paragraph()
    for n, (name, who) in enumerate(rows):
        paragraph = document.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.keep_with_next = n < len(rows) - 1
        hang = Pt(SIZE_SMALL * len(name))
        fmt.left_indent = Pt(SIZE_SMALL) + hang  # wrapped lines align after "抄送："
        fmt.first_line_indent = -hang
        fmt.right_indent = Pt(SIZE_SMALL)
        _border(paragraph, "top", 8 if n == 0 else 4, space=4)  # 1 pt first, 0.5 pt between
        if n == len(rows) - 1:
            _border(paragraph, "bottom", 8, space=4)
        _run(paragraph, name + who, BODY, SIZE_SMALL)


def _page_number(paragraph, odd: bool) -> None:
    """— 1 —: 4号宋体, odd pages on the right, even on the left, one character in (7.5)."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    fmt = paragraph.paragraph_format
    if odd:
        fmt.right_indent = Pt(SIZE_SMALL)
    else:
        fmt.left_indent = Pt(SIZE_SMALL)
    _run(paragraph, "— ", PAGE_NO, SIZE_SMALL)
    for kind, text in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        run = _run(paragraph, "", PAGE_NO, SIZE_SMALL)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text
    _run(paragraph, " —", PAGE_NO, SIZE_SMALL)
