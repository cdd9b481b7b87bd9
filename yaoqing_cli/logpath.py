"""Where the log lives, without importing the store (shell completion reads it, and must start
as fast as Typer itself)."""

import os


def default_path():
    """YAOQING_DB, else the user's data directory (XDG_DATA_HOME or ~/.local/share), as a Path
    (the command line reaches it only without YAOQING_DB: `--db` reads that variable)."""
    from pathlib import Path

    return Path(default_location())


def default_location() -> str:
    """default_path as text: a Tab answered before Typer is imported does not load pathlib
    (with re, 4 ms). YAOQING_DB is taken as written, as `--db` takes it (Click hands the
    variable over unchanged: a quoted '~' is not the home directory there either)."""
    explicit = os.environ.get("YAOQING_DB")
    if explicit:
        return explicit
    base = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
    return os.path.join(base, "yaoqing", "yaoqing.db")
