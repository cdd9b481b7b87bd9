"""Where the log lives, without importing the store (shell completion reads it, and must start
as fast as Typer itself)."""

import os


def default_path():
    """YAOQING_DB, else the user's data directory (XDG_DATA_HOME or ~/.local/share), as a Path."""
    from pathlib import Path

    return Path(default_location())


def default_location() -> str:
    """default_path as text: a Tab answered before Typer is imported does not load pathlib
    (with re, 4 ms)."""
    explicit = os.environ.get("YAOQING_DB")
    if explicit:
        return os.path.expanduser(explicit)
    base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return os.path.join(base, "yaoqing", "yaoqing.db")
