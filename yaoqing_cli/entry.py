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
    from yaoqing_cli.cli import main

    main()
