"""The program's first lines. Importing the CLI (typer, click) takes about 40 ms; a Ctrl-C in
that time ends the program quietly, as it does later, before anything could be recorded.
`_signal` is the C module: `import signal` would first import enum (several ms, unguarded)."""

import _signal
import gc
import os


def _interrupted_at_start(signum, frame) -> None:
    try:
        os.write(2, "错误：已中断（Ctrl-C）；日志未改动\n".encode())
    finally:
        os._exit(130)  # errors.ExitCode.INTERRUPTED


def run() -> None:
    _signal.signal(_signal.SIGINT, _interrupted_at_start)
    # A command lives well under a second; the cyclic collector would re-walk every object the
    # imports make (2.5 ms of importing typer alone). cli.main keeps it off for the run.
    gc.disable()
    if os.environ.get("_YAOQING_COMPLETE", "").startswith("complete_"):
        _tab()  # returns only for a Tab the command tree must answer
    from yaoqing_cli.cli import main

    main()


def _tab() -> None:
    """A Tab that reads only the log (an ID, a unit, a person) is answered here, without
    importing Typer (complete.answer); the output is what Typer's would be."""
    from yaoqing_cli.complete import answer

    answered = answer(os.environ)
    if answered is None:
        return
    import sys

    text, code = answered
    try:
        sys.stdout.reconfigure(errors="backslashreplace")  # as cli.main's output
        sys.stdout.write(text)
        sys.stdout.flush()
    except (OSError, ValueError):  # the shell stopped listening: nothing to tell it
        os._exit(code)
    raise SystemExit(code)
