"""Importer chatter kept out of the console, and in a log for whoever wants it.

Blender's glTF add-on logs ``INFO: Data are loaded ...`` lines through a
``logging`` handler it makes at each import on the ``sys.stdout`` of that
moment; the C++ OBJ importer prints its timing with ``printf`` and a missing
MTL through Blender's C logger. Both are caught at the import call only: the
Python streams and the process's stdout/stderr descriptors point at a
temporary file for its length. Each captured line goes to the
``meshy.import`` logger: INFO for chatter, WARNING for what the importers
call a warning or an error. The batch writes that logger to
``<out>/import.log``; in a Blender session only the warnings reach the
console (through the ``meshy`` loggers' own handling).
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import sys
import tempfile
from collections.abc import Iterator

log = logging.getLogger("meshy.import")
_WARNING_WORDS = ("WARNING", "ERROR", "CRITICAL", "Warning", "Error")
#: Said on every Meshy OBJ: its MTL is saved under our name, not the one the OBJ names (maps come from
#: ``texture_urls`` instead), so this is expected, not a warning.
_EXPECTED = ("cannot read from MTL file",)


@contextlib.contextmanager
def captured_output(what: str, logger: logging.Logger | None = None) -> Iterator[None]:
    """Capture everything Blender prints during the block; ``what`` names it in the log.

    The lines go to ``logger`` (default ``meshy.import``).
    """
    buffer = io.StringIO()
    captured = ""
    try:
        with tempfile.TemporaryFile(mode="w+b") as raw, _descriptors(raw), \
                contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            try:
                yield
            finally:
                _flush_c_streams()
                raw.seek(0)
                captured = raw.read().decode("utf-8", "replace")
    finally:  # a failed import's messages are logged too: they say why
        forward(what, buffer.getvalue() + captured, logger or log)


def forward(what: str, text: str, logger: logging.Logger = log) -> None:
    """Each non-empty line to ``logger``, at WARNING when it reads like one."""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        warns = any(w in line for w in _WARNING_WORDS) and not any(e in line for e in _EXPECTED)
        level = logging.WARNING if warns else logging.INFO
        logger.log(level, "%s: %s", what, line)


@contextlib.contextmanager
def _descriptors(target: io.BufferedRandom) -> Iterator[None]:
    """Point file descriptors 1 and 2 at ``target`` (C code prints there), then back."""
    saved: list[tuple[int, int]] = []
    try:
        for stream in (sys.__stdout__, sys.__stderr__):
            if stream is not None:
                stream.flush()
        _flush_c_streams()
        for fd in (1, 2):
            saved.append((fd, os.dup(fd)))
            os.dup2(target.fileno(), fd)
    except OSError:  # no usable descriptors (a GUI without a console): the Python streams are still caught
        _restore(saved)
        saved = []
    try:
        yield
    finally:
        _restore(saved)


def _restore(saved: list[tuple[int, int]]) -> None:
    for fd, copy in saved:
        try:
            os.dup2(copy, fd)
        finally:
            os.close(copy)


@functools.cache
def _libc() -> object | None:
    try:
        import ctypes

        return ctypes.CDLL(None) if os.name != "nt" else ctypes.cdll.msvcrt
    except (OSError, AttributeError):
        return None


def _flush_c_streams() -> None:
    """``fflush(NULL)``: C's stdout is fully buffered when it is not a terminal."""
    libc = _libc()
    try:
        if libc is not None:
            libc.fflush(None)  # type: ignore[attr-defined]
    except (OSError, AttributeError, TypeError):
        pass
