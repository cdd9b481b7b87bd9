"""tomllib's error messages in Chinese, with the line and column (policy and calendar files)."""

import re

# tomllib's messages, in Chinese; the line and column are kept (counted in the file itself)
TOML_MESSAGES = {
    "Cannot overwrite a value": "不能覆盖已有的值（同一个键写了两次？）",
    "Escaped character is not a Unicode scalar value": "转义字符不是有效的 Unicode 字符",
    "Expected '=' after a key in a key/value pair": "键后缺少“=”",
    "Expected ']' at the end of a table declaration": "表头缺少结尾的“]”",
    "Expected ']]' at the end of an array declaration": "表数组头缺少结尾的“]]”",
    "Invalid date or datetime": "日期或时间无效",
    "Invalid hex value": "十六进制转义无效",
    "Invalid initial character for a key part": "键的首字符无效",
    "Invalid statement": "无法识别的语句",
    "Invalid value": "值无效（文字须加引号，数字不加）",
    "Unclosed array": "数组未闭合（缺少“]”）",
    "Unclosed inline table": "内联表未闭合（缺少“}”）",
    "Unescaped '\\' in a string": "字符串中有未转义的“\\”",
    "Unterminated string": "字符串未闭合（缺少引号）",
    "Illegal character '\\n'": "字符串中不能换行（缺少结尾的引号？）",
    "Expected newline or end of document after a statement": "此处应换行：一行只写一个“键 = 值”",
}
TOML_PATTERNS = (
    (r"Cannot declare (.+) twice", "表 {0} 声明了两次"),
    (r"Cannot mutate immutable namespace (.+)", "不能再修改已定义完毕的 {0}"),
    (r"Cannot redefine namespace (.+)", "不能重新定义表 {0}"),
    (r"Duplicate inline table key (.+)", "内联表中的键 {0} 重复"),
    (r"Found invalid character (.+)", "出现无效字符 {0}"),
    (r"Illegal character (.+)", "非法字符 {0}"),
    (r"Expected (.+)", "此处应为 {0}"),
)


def toml_message(text: str) -> str:
    """A tomllib error in Chinese, with its line and column: "第 3 行第 7 列：值无效…"."""
    found = re.fullmatch(r"(.*) \(at (?:line (\d+), column (\d+)|end of document)\)", text, re.S)
    message, line, column = found.groups() if found else (text, None, None)
    place = f"第 {line} 行第 {column} 列" if line else ("文件末尾" if found else "")
    chinese = TOML_MESSAGES.get(message)
    for pattern, template in TOML_PATTERNS if chinese is None else ():
        matched = re.fullmatch(pattern, message, re.S)
        if matched:
            chinese = template.format(*(_key_text(g) for g in matched.groups()))
            break
    chinese = chinese or f"无法解析（{message}）"
    return f"{place}：{chinese}" if place else chinese


def _key_text(text: str) -> str:
    """A key as tomllib quotes it, ('years', '2027') or 'x', as the file writes it: years.2027."""
    import ast

    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    if isinstance(value, tuple):
        return ".".join(str(part) for part in value)
    return f"“{value}”" if isinstance(value, str) and value.isprintable() else text
