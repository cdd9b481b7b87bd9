"""Domain errors. The CLI catches YaoqingError once and prints one line on stderr."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # the operation was understood but could not be done (unknown ID, closed item, bad log file)
    USAGE = 2  # the command line itself was wrong (unknown option, bad value, unparseable time)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, the shell's convention); the log is unchanged


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
