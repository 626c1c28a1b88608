"""The journal's file on disk: opened safely, appended in whole lines under a lock, replaced atomically.

Whatever is at the journal's path (a folder, a pipe, a socket, a file without
permission, a path under a regular file) gives one sentence a person can act
on, never a hang: a FIFO is opened non-blocking and refused, not waited on.
A record is one ``write()`` to a file opened for appending, starting on a new
line: a line torn by a crash or a full disk is closed first and never glued to
the next record, and nothing written before is ever truncated.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import JournalError, sentence

try:  # POSIX: appends and a compaction by several processes sharing one journal take turns
    import fcntl
except ImportError:  # Windows: appends are still whole lines; compaction waits until the file is idle
    fcntl = None  # type: ignore[assignment]

_O_FLAGS = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
_READ_BUFFER = 256 * 1024
_DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


class JournalWriteError(JournalError, OSError):
    """A record could not be written; ``disk_full`` when the disk is full.

    Also an ``OSError``, so code that already handles a failed write (the engine
    logs it, and stops a create whose ``creating`` record could not be made
    durable) keeps doing so.
    """

    def __init__(self, message: str, *, disk_full: bool = False, code: int | None = None) -> None:
        super().__init__(message, disk_full=disk_full)
        self.errno = code


class NotAFileError(OSError):
    """The journal path is a folder, a pipe, a socket or a device."""


class FolderError(OSError):
    """The journal's folder could not be made."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(cause.errno, cause.strerror)
        self.cause = cause


def _regular(fd: int) -> os.stat_result:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise NotAFileError(errno.EISDIR if stat.S_ISDIR(info.st_mode) else errno.EINVAL, "not a regular file")
    return info


def open_for_reading(path: Path) -> BinaryIO:
    """The journal, buffered for reading lines; ``NotAFileError`` for anything but a regular file."""
    fd = os.open(path, os.O_RDONLY | _O_FLAGS)
    try:
        _regular(fd)
        return os.fdopen(fd, "rb", buffering=_READ_BUFFER)
    except BaseException:
        os.close(fd)
        raise


def open_locked(path: Path) -> int:
    """The journal opened for appending (made if missing) and locked against other processes.

    A compaction elsewhere may replace the file while this waits for the lock;
    then the new file is opened, so no record lands in the replaced one.
    """
    for _ in range(10):
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | _O_FLAGS, 0o666)
        try:
            opened = _regular(fd)
            if fcntl is None:
                return fd
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError:  # a file system without locks: an append is still one whole write
                return fd
            try:
                now = os.stat(path)
            except FileNotFoundError:
                now = None
            if now is not None and (now.st_ino, now.st_dev) == (opened.st_ino, opened.st_dev):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    raise OSError(errno.EAGAIN, "the journal kept being replaced by another process")


def append(path: Path, line: bytes, durable: bool) -> None:
    """Add one line at the end, after a newline when the file does not end with one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FolderError(exc) from exc
    fd = open_locked(path)
    try:
        size = os.fstat(fd).st_size
        if size:  # a line torn by a crash or a full disk is closed first, never glued to this one
            os.lseek(fd, size - 1, os.SEEK_SET)
            if os.read(fd, 1) != b"\n":
                line = b"\n" + line
        _write_all(fd, line)
        if durable:
            os.fsync(fd)
            if not size:  # a new file: its name must survive a power cut too
                sync_folder(path.parent)
    finally:
        os.close(fd)  # also releases the lock


@contextmanager
def held(path: Path) -> Iterator[None]:
    """Keep other processes' appends waiting while a compaction swaps the file in (POSIX).

    Without file locks (Windows) nothing is held: a file open here could not be
    replaced there, and compaction only runs on a journal idle for minutes.
    """
    if fcntl is None:
        yield
        return
    fd = open_locked(path)
    try:
        yield
    finally:
        os.close(fd)


def replace(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then swap it in; on failure ``path`` is untouched."""
    mode = os.stat(path).st_mode
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            if hasattr(os, "fchmod"):  # the journal keeps its permissions (mkstemp makes 0600)
                os.fchmod(fd, stat.S_IMODE(mode))
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    sync_folder(path.parent)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:  # one write() in practice; a short one (disk full) goes on, then raises
        view = view[os.write(fd, view):]


def sync_folder(folder: Path) -> None:
    """Make a new name or a rename durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# -- one sentence per failure -------------------------------------------------


def write_error(exc: OSError, path: Path, doing: str = "written") -> JournalWriteError:
    """The error for a failed write (``doing="compacted"`` for a compaction)."""
    where = f"the Meshy task journal at {path}"
    after = "so tasks cannot be recorded" if doing == "written" else "so it was left as it was"
    if exc.errno in _DISK_FULL:
        kept = "tasks recorded before are kept" if doing == "written" else "it was left as it was"
        return JournalWriteError(f"The disk is full: {where} could not be {doing}, so free some space on it ({kept})",
                                 disk_full=True, code=exc.errno)
    if isinstance(exc, FolderError):
        return JournalWriteError(
            f"The folder of {where} cannot be made ({_reason(exc.cause)}), so tasks cannot be recorded; "
            "set MESHY_TOOLS_DIR to a folder you can write", code=exc.errno)
    return JournalWriteError(f"{_what(exc, path, doing)}, {after}", code=exc.errno)


def read_problem(exc: OSError, path: Path) -> str:
    return sentence(f"{_what(exc, path, 'read')}, so earlier tasks cannot be listed or resumed")


def _what(exc: OSError, path: Path, verb: str) -> str:
    where = f"The Meshy task journal at {path}"
    if exc.errno == errno.EISDIR or isinstance(exc, IsADirectoryError) or (
            exc.errno in (errno.EACCES, errno.EPERM) and path.is_dir()):  # Windows: a folder is "access denied"
        return f"{where} is a folder, not a file, and cannot be {verb}"
    if isinstance(exc, NotAFileError) or exc.errno == errno.ENXIO:  # ENXIO: opening a socket
        return f"{where} is not a regular file (a pipe, socket or device) and cannot be {verb}"
    return f"{where} cannot be {verb} ({_reason(exc)})"


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):  # EEXIST: making a folder where a file is
        return "a part of its path is a file, not a folder"
    return (exc.strerror or type(exc).__name__).lower()
