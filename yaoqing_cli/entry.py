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
    importing Typer (complete.answer), its output written as click.echo would write it. Any
    doubt (garbled input, an output that fails) leaves it to cli.main, which says why."""
    import sys

    from yaoqing_cli.complete import answer, echoed
    from yaoqing_cli.garbled import garbled_input

    if garbled_input(sys.argv[1:]):
        return
    answered = answer(os.environ)
    if answered is None:
        return
    text, code = answered
    if sys.stdout is None:  # no output attached: click.echo writes nothing
        raise SystemExit(code)
    try:
        view = memoryview(echoed(text, sys.stdout))
        while view:
            view = view[os.write(sys.stdout.fileno(), view) :]
    # unbuffered, so nothing is left to flush: cli.main writes it again, and tells why it
    # could not (结果未能输出)
    except (OSError, ValueError, LookupError, AttributeError):
        return
    raise SystemExit(code)
