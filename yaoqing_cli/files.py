"""Writing files so that a half-written one never appears: temporary file, fsync, rename."""

import os
import tempfile
from pathlib import Path

from yaoqing_cli.errors import OperationError, os_reason


def write_atomic(path: Path | str, text: str | bytes, log: Path | None = None) -> None:
    """Write `text` (or bytes: a .docx) to `path`; refuse a path that is the log itself (or its
    WAL files), a directory, or one in a folder that does not exist."""
    path = Path(path)
    if log is not None and _is_log(path, Path(log)):
        raise OperationError(f"输出文件 {path} 就是日志本身；请换一个文件名，日志不会被覆盖")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        is_dir, folder_missing = path.is_dir(), not folder.exists()
    except OSError:  # a name too long to look at: mkstemp below says why, in one line
        is_dir = folder_missing = False
    if is_dir:
        raise OperationError(f"输出文件 {path} 是一个目录；请给出文件名，例如 {path / 'out.txt'}")
    if folder_missing:
        raise OperationError(f"无法写入 {path}：目录 {folder} 不存在")
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise OperationError(f"无法写入 {path}：{os_reason(err)}") from None
    try:
        binary = isinstance(text, bytes)
        with os.fdopen(
            fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})
        ) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as err:
        Path(temp).unlink(missing_ok=True)
        raise OperationError(f"无法写入 {path}：{os_reason(err)}") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _is_log(path: Path, log: Path) -> bool:
    try:
        target = path.resolve()
        log = log.resolve()
    except (OSError, RuntimeError):
        return False
    return target in {log, *(log.with_name(log.name + end) for end in ("-wal", "-shm", "-journal"))}


MAX_READ = 256 * 1024 * 1024  # an earlier report or verify output is never this large


def read_text(path: Path | str) -> str:
    """A UTF-8 text file given on the command line, in one line of Chinese if it cannot be."""
    path = Path(path)
    try:
        if path.is_dir():
            raise OperationError(f"{path} 是目录；应为文本文件")
        if path.exists() and not path.is_file():  # a FIFO would wait for a writer for ever
            raise OperationError(f"{path} 不是普通文件（管道或设备）；应为文本文件")
        with open(path, "rb") as handle:
            data = handle.read(MAX_READ + 1)
    except OSError as err:
        raise OperationError(f"无法读取 {path}：{os_reason(err)}") from None
    if len(data) > MAX_READ:
        raise OperationError(f"{path} 过大；应为值班日报或 yaoqing verify 的输出")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OperationError(f"{path} 不是 UTF-8 文本") from None
