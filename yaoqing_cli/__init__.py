"""yaoqing (要情): a duty office's log and alarm clock for important-information reports."""

__version__ = "0.1.0"
