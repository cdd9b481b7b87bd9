"""Input no log can hold: an argument or YAOQING_* variable with a NUL or bytes that are not
UTF-8. Checked before anything else by every run (cli.main) and by a Tab answered before Typer
is imported (entry._tab), which is why it lives apart from both."""

import os


def garbled_input(args: list[str]) -> str | None:
    """Name the first argument or YAOQING_* variable that is not valid UTF-8 (Python keeps such
    bytes as lone surrogates, which no log or terminal can hold)."""

    def garbled(text: str) -> bool:  # NUL too: no path or log field can hold it
        return "\x00" in text or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)

    for n, arg in enumerate(args, 1):
        if garbled(arg):
            return f"第 {n} 个参数"
    for name, value in os.environ.items():
        if name.startswith("YAOQING_") and garbled(value):
            return f"环境变量 {name}"
    return None
