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


# What the operating system says, in Chinese (strerror is English whatever the locale).
_OS_REASONS = {
    "ENOENT": "文件或目录不存在",
    "EACCES": "没有权限",
    "EPERM": "不允许的操作",
    "EISDIR": "这是一个目录",
    "ENOTDIR": "路径中有一段不是目录",
    "ENOSPC": "磁盘已满",
    "EDQUOT": "磁盘配额已满",
    "EROFS": "只读文件系统",
    "ENAMETOOLONG": "文件名过长",
    "ELOOP": "符号链接层数过多",
    "EEXIST": "已存在",
    "EIO": "输入输出错误",
    "EFBIG": "文件过大",
    "EBUSY": "设备或文件正忙",
    "EMFILE": "打开的文件过多",
    "ETXTBSY": "文件正被执行",
    "EXDEV": "不能跨文件系统移动",
}


def os_reason(err: OSError) -> str:
    """Why an OSError happened, in Chinese where the error number is a common one."""
    import errno

    name = errno.errorcode.get(err.errno or 0)
    return _OS_REASONS.get(name or "") or err.strerror or str(err)
