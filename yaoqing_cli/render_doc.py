"""A document (doc.Document) as plain text for fax and SMS, or as Markdown. No python-docx here
(render_docx.py has the .docx layout, imported only when a .docx is asked for).

Plain text keeps the page's measure: 28 characters a line (GB/T 9704-2012 7.1: 每行28个字),
counting a half-width letter or digit as half a character; punctuation is full-width (，：；（）
and 。 after Chinese text), and a line never starts with a closing mark (，。、）” …) nor ends
with an opening one (（“《), as Chinese typesetting asks.
"""

import re
import unicodedata

from yaoqing_cli.doc import Block, Document

WIDTH = 28  # characters a line (full-width)
COLUMNS = WIDTH * 2  # in half-width columns
INDENT = "\u3000\u3000"  # 首行缩进两字
RULE = "—" * WIDTH  # the separator line (分隔线)

NO_LINE_START = set("，。、；：？！）》」』”’〕】…—·%‰℃,.;:?!)]}")
NO_LINE_END = set("（《「『“‘〔【([{")

_HALF = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-:/_%]*|.", re.S)


def fullwidth(text: str) -> str:
    """ASCII punctuation in Chinese text as full-width marks, without the spaces an ASCII mark
    carries around it. Between two digits or letters a mark stays as it is (8:30, 1,000, v1.2);
    a full stop that ends a sentence becomes 。 (an ellipsis ... stays)."""
    out = []
    for i, ch in enumerate(text):
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        between = before.isascii() and before.isalnum() and after.isascii() and after.isalnum()
        if ch in _HALF and not (between and ch in ",:"):
            out.append(_HALF[ch])
        elif (
            ch == "."
            and before.strip()
            and "." not in (before, after)
            and not (after.isascii() and after.isalnum())
        ):
            out.append("。")
        else:
            out.append(ch)
    return _SPACED.sub(r"\1", "".join(out))


_SPACED = re.compile(r" *([，；：！？（）。]) *")


def columns(text: str) -> int:
    """Display width in half-width columns: Chinese, full-width and ambiguous marks count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def wrap(text: str, first: str = INDENT, rest: str = "") -> list[str]:
    """`text` in lines of at most 28 characters, the first line opened by `first`."""
    tokens: list[str] = []
    for token in _WORD.findall(" ".join(text.split("\n"))):
        while columns(token) > COLUMNS:  # a word longer than a line is cut
            cut = len(token)
            while columns(token[:cut]) > COLUMNS - 2:
                cut -= 1
            tokens.append(token[:cut])
            token = token[cut:]
        tokens.append(token)
    lines: list[list[str]] = [[first]] if first else [[]]
    width = columns(first)
    for token in tokens:
        size = columns(token)
        if width + size <= COLUMNS:
            lines[-1].append(token)
            width += size
            continue
        line = lines[-1]
        carry: list[str] = []
        # 避头尾: do not start the next line with a closing mark, nor end this one with an opening
        if token[0] in NO_LINE_START and len(line) > 2:
            carry.append(line.pop())
        while len(line) > 2 and line[-1] and line[-1][-1] in NO_LINE_END:
            carry.insert(0, line.pop())
        if token == " ":
            token = ""
        lines.append([rest, *carry, token] if rest else [*carry, token])
        width = sum(columns(t) for t in lines[-1])
    return ["".join(line).rstrip() for line in lines if "".join(line).strip()]


def centred(text: str) -> list[str]:
    out = []
    for line in wrap(text, first=""):
        pad = max(0, COLUMNS - columns(line)) // 2
        out.append("\u3000" * (pad // 2) + " " * (pad % 2) + line)
    return out


def both_ends(left: str, right: str) -> str:
    """The office on the left and the date on the right of one line (two lines if too long)."""
    gap = COLUMNS - columns(left) - columns(right)
    if gap < 2:
        return f"{left}\n{right}"
    return left + "\u3000" * (gap // 2) + " " * (gap % 2) + right


def _table_lines(rows) -> list[str]:
    """A table as one paragraph a row: 编号　标题，级别：…；a unit's row as 单位：要情1，按时1…"""
    header, *body = rows
    out = []
    for cells in body:
        pairs = [(h, c) for h, c in zip(header[1:], cells[1:], strict=False) if c]
        if header[0] == "编号":
            parts = [c if h in ("标题", "时限") else f"{h}：{c}" for h, c in pairs]
            text = f"{cells[0]}　" + "，".join(parts) + "。"
        else:
            text = f"{cells[0]}：" + "，".join(f"{h}{c}" for h, c in pairs) + "。"
        out.extend(wrap(fullwidth(text)))
    return out


def to_txt(doc: Document) -> str:
    """The document as 28-character lines (the anchor line of a report excepted: its hash is
    kept whole so `yaoqing verify --expect-file` can read it)."""
    out: list[str] = []
    if doc.marking:
        out.append(f"【{doc.marking}】")
    out.extend(centred(doc.header))
    if doc.issue:
        out.extend(centred(fullwidth(doc.issue)))
    out.extend(both_ends(doc.office, doc.date).split("\n"))
    out.append(RULE)
    out.append("")
    out.extend(centred(fullwidth(doc.title)))
    out.append("")
    for block in doc.blocks:
        out.extend(block_lines(block))
    if doc.staff or doc.foot:
        out.append("")
        out.append(RULE)
        for name, who in doc.foot:
            out.extend(wrap(fullwidth(f"{name}：{who}"), first="", rest="\u3000" * (len(name) + 1)))
        if doc.staff:
            out.extend(wrap("\u3000".join(f"{name}：{who}" for name, who in doc.staff), first=""))
        out.append(RULE)
    if doc.marking:
        out.append(f"【{doc.marking}】")
    return "\n".join(out) + "\n"


def block_lines(block: Block) -> list[str]:
    if block.kind == "table":
        return _table_lines(block.rows)
    if block.kind == "note":
        return ["", block.text]
    return wrap(fullwidth(block.lead + block.text))


# --- Markdown ---------------------------------------------------------------------------------


def to_md(doc: Document) -> str:
    from yaoqing_cli.render_report import markdown_text as md

    out: list[str] = []
    if doc.marking:
        out += [f"**【{md(doc.marking)}】**", ""]
    out += [f"# {md(doc.header)}", ""]
    if doc.issue:
        out += [md(doc.issue), ""]
    out += [f"{md(doc.office)}　{md(doc.date)}", "", "---", "", f"## {md(doc.title)}", ""]
    for block in doc.blocks:
        if block.kind == "h1":
            out += [f"### {md(block.text)}", ""]
        elif block.kind == "table":
            header, *body = block.rows
            out.append("| " + " | ".join(md(c) for c in header) + " |")
            out.append("|" + "---|" * len(header))
            out += ["| " + " | ".join(md(c) for c in row) + " |" for row in body]
            out.append("")
        elif block.lead:
            out += [f"*{md(block.lead)}*{md(block.text)}", ""]
        else:
            out += [md(block.text), ""]
    if doc.foot or doc.staff:
        out += ["---", ""]
        out += [f"{md(name)}：{md(who)}  " for name, who in doc.foot]
        if doc.staff:
            out.append("　".join(f"{name}：{md(who)}" for name, who in doc.staff))
        out.append("")
    if doc.marking:
        out += [f"**【{md(doc.marking)}】**", ""]
    return "\n".join(out).rstrip("\n") + "\n"
