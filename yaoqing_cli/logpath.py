"""Where the log lives, without importing the store (shell completion reads it, and must start
as fast as Typer itself)."""

import os
from pathlib import Path


def default_path() -> Path:
    """YAOQING_DB, else the user's data directory (XDG_DATA_HOME or ~/.local/share)."""
    explicit = os.environ.get("YAOQING_DB")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "yaoqing" / "yaoqing.db"
