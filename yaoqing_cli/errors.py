"""Domain errors. The CLI catches YaoqingError once and prints one line on stderr."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # the operation was understood but could not be done (unknown ID, closed item, bad log file)
    USAGE = 2  # the command line itself was wrong (unknown option, bad value, unparseable time)
    # The record WAS made (its transaction committed), then something failed: the output could
    # not be written (closed pipe, full disk), or Ctrl-C came. Do not repeat the command.
    RECORDED = 3
    INTERRUPTED = 130  # Ctrl-C before anything was recorded: the log is unchanged (128 + SIGINT)


class YaoqingError(Exception):
    """An error meant for the user: one line, in Chinese first, saying what is accepted."""

    exit_code = ExitCode.FAILED


class UsageError(YaoqingError):
    exit_code = ExitCode.USAGE


class OperationError(YaoqingError):
    exit_code = ExitCode.FAILED


class LogError(OperationError):
    """The log file cannot be used: not a yaoqing log, corrupt, newer schema, unwritable."""


class PolicyError(OperationError):
    """A policy file is missing or invalid; the message names the file, the key and what was expected."""
