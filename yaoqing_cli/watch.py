"""`yaoqing watch`: the night-shift board, full screen, until `q` or Ctrl-C.

Each tick reads the log afresh (a read-only session, opened and closed by `read`), so a tick
missed while the machine slept loses nothing: the next one judges everything again. The board
itself is drawn by render.watch_renderable from what the pure board (status.py) judged; this
module only holds the terminal: the alternate screen (rich Live), keys without echo, the bell
once per clock and state (remembered for this run only), and putting the terminal back.
"""

import os
import select
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta

REDRAW_SECONDS = 1.0  # between ticks, redraw this often if the terminal was resized


def run(
    read: Callable[[], tuple],
    interval: timedelta,
    due_within: timedelta,
    include_sensitive: bool,
) -> int:
    """Show the board until `q` (0) or Ctrl-C (130). `read()` returns (views.Watched, now,
    tz) from a fresh read of the log; an error in the first read is raised (nothing to show),
    a later one is shown above the last board and the next tick tries again."""
    import gc

    from rich.console import Console
    from rich.live import Live

    gc.enable()  # main() turns the cyclic collector off for short commands; this one stays
    console = Console()
    keys = _Keys(sys.stdin)
    rung: set = set()
    state = {"snapshot": read(), "failure": None}

    def draw():
        from rich.console import Group
        from rich.text import Text

        from yaoqing_cli.render import watch_renderable

        seen, moment, tz = state["snapshot"]
        height = console.size.height - (1 if state["failure"] else 0)
        board = watch_renderable(seen, moment, tz, moment + due_within, height, include_sensitive)
        if state["failure"]:
            return Group(Text(state["failure"], style="bold red"), board)
        return board

    import signal

    def terminated(signum, frame):
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, terminated)  # `kill`: leave as cleanly as on q
    try:
        with keys, Live(console=console, screen=True, auto_refresh=False) as live:
            while True:
                _ring(console, state["snapshot"], due_within, rung)
                live.update(draw(), refresh=True)
                size = console.size
                until = time.monotonic() + interval.total_seconds()
                while (left := until - time.monotonic()) > 0:
                    if keys.quit_within(min(left, REDRAW_SECONDS)):
                        return 0
                    if console.size != size:  # resized: fit the board to the new screen
                        size = console.size
                        live.update(draw(), refresh=True)
                try:
                    state["snapshot"], state["failure"] = read(), None
                except Exception as err:
                    stamp = datetime.now().strftime("%H:%M:%S")
                    state["failure"] = f"{stamp} 刷新失败：{err}；下次刷新再试（显示的是上次结果）"
    except KeyboardInterrupt:
        return 130
    except _Terminated:
        return 128 + signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Terminated(Exception):
    """SIGTERM arrived: unwind, so the screen and the keyboard are given back."""


def _ring(console, snapshot, due_within: timedelta, rung: set) -> None:
    """The bell once for each clock that entered due-soon or overdue since the last tick."""
    from yaoqing_cli.status import alarms, watch_lines

    seen, moment, _ = snapshot
    now_ringing = alarms(watch_lines(seen.board, moment + due_within))
    if now_ringing - rung:
        console.bell()
    rung |= now_ringing


class _Keys:
    """The keyboard without echo or line buffering while the board is up (Ctrl-C still
    interrupts); the terminal's own settings are put back however the board ends."""

    def __init__(self, stream):
        self.fd = stream.fileno() if hasattr(stream, "fileno") else None
        self.saved = None

    def __enter__(self):
        if self.fd is not None and os.isatty(self.fd):
            import termios
            import tty

            self.saved = termios.tcgetattr(self.fd)
            tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc) -> None:
        if self.saved is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)

    def quit_within(self, seconds: float) -> bool:
        """Wait up to `seconds` for a key; True if it was q."""
        if self.saved is None:  # no keyboard (stdin not a terminal): only Ctrl-C ends it
            time.sleep(seconds)
            return False
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if not ready:
            return False
        typed = os.read(self.fd, 32)
        return b"q" in typed.lower() or not typed  # EOF on the terminal: leave as well
