"""Reading a request body as strictly as a real server: a size cap, a deadline, one clear answer.

A bad ``Content-Length`` (not a number, negative, two different values, past
the cap) is a 400 or 413 before a byte of the body is read; a body that stops
short of its length is a 400 (the client closed) or a 408 (it went silent) once
``body_timeout`` has passed, never a handler thread waiting forever. Chunked
bodies are read the same way. Every error closes the connection: what is left
of the body must not be taken for the next request.
"""

from __future__ import annotations

import re
import socket
import time
from typing import Any

from .errors import HttpError

#: The largest body taken: a data URI of a ~190 MiB model. Meshy publishes no cap; its uploads
#: are far smaller, and the biggest body the client's tests and benches send is ~86 MiB (64 MiB GLB).
MAX_BODY = 256 * 1024 * 1024
_CHUNK = 256 * 1024
_LINE = 4096  # a chunk-size or trailer line
_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")


class BodyError(HttpError):
    """The body could not be read as announced; the connection is closed after the answer."""


def read_body(handler: Any, timeout: float) -> bytes:
    """The request body of a ``BaseHTTPRequestHandler``, whole, within ``timeout`` seconds."""
    lengths = [v.strip() for value in handler.headers.get_all("Content-Length", []) for v in value.split(",")]
    codings = [v.strip().lower() for value in handler.headers.get_all("Transfer-Encoding", [])
               for v in value.split(",") if v.strip()]
    if codings:
        if lengths:
            raise BodyError(400, "A request cannot have both Transfer-Encoding and Content-Length.")
        if codings != ["chunked"]:
            raise BodyError(501, f"Transfer-Encoding {', '.join(codings)[:60]!r} is not supported; use chunked.")
        return _Reader(handler, timeout).chunked()
    if not lengths:
        return b""
    if len(set(lengths)) > 1:
        raise BodyError(400, "Content-Length is given more than once, with different values.")
    if not _DIGITS.fullmatch(lengths[0]):
        raise BodyError(400, f"Content-Length must be a whole number of bytes; got {lengths[0][:40]!r}.")
    length = int(lengths[0]) if len(lengths[0]) <= 20 else MAX_BODY + 1  # int() of 5000 digits would raise
    if length > MAX_BODY:
        raise BodyError(413, f"The request body is too large: {lengths[0][:24]} bytes, and the limit is "
                             f"{MAX_BODY} bytes ({MAX_BODY // (1024 * 1024)} MiB).")
    return _Reader(handler, timeout).exact(length) if length else b""


class _Reader:
    """Reads from the handler's socket until a deadline, then gives up with a 408."""

    def __init__(self, handler: Any, timeout: float) -> None:
        self.rfile = handler.rfile
        self.sock: socket.socket = handler.connection
        self.before = self.sock.gettimeout()
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.got = 0

    def _arm(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError()
        self.sock.settimeout(left)

    def _guard(self, work: Any) -> bytes:
        try:
            return work()
        except TimeoutError:
            raise BodyError(408, f"The request body did not arrive within {self.timeout:g} seconds "
                                 f"({self.got} bytes came).") from None
        except OSError:
            raise BodyError(400, f"The connection broke after {self.got} bytes of the request body.") from None
        finally:
            self.sock.settimeout(self.before)

    def exact(self, length: int) -> bytes:
        def work() -> bytes:
            parts = []
            while self.got < length:
                self._arm()
                piece = self.rfile.read1(min(length - self.got, _CHUNK))
                if not piece:
                    raise BodyError(400, f"The request body ended after {self.got} of the {length} bytes "
                                         "its Content-Length announced.")
                parts.append(piece)
                self.got += len(piece)
            return b"".join(parts)

        return self._guard(work)

    def chunked(self) -> bytes:
        def line() -> bytes:
            self._arm()
            text = self.rfile.readline(_LINE)
            if not text.endswith(b"\n"):
                raise BodyError(400, "A chunked request body was cut off or has a line that is too long.")
            return text

        def work() -> bytes:
            parts = []
            while True:
                size_text = line().split(b";", 1)[0].strip()
                if not _HEX.fullmatch(size_text):
                    raise BodyError(400, "A chunk size in the request body is not a hexadecimal number.")
                size = int(size_text, 16)
                if size == 0:
                    break
                if self.got + size > MAX_BODY:
                    raise BodyError(413, f"The request body is too large: the limit is {MAX_BODY} bytes.")
                start = self.got
                while self.got - start < size:
                    self._arm()
                    piece = self.rfile.read1(min(size - (self.got - start), _CHUNK))
                    if not piece:
                        raise BodyError(400, "The chunked request body ended in the middle of a chunk.")
                    parts.append(piece)
                    self.got += len(piece)
                if line().strip():
                    raise BodyError(400, "A chunk of the request body is longer than its size says.")
            for _ in range(64):  # trailer fields, then the blank line that ends the body
                if not line().strip():
                    return b"".join(parts)
            raise BodyError(400, "The chunked request body has too many trailer lines.")

        return self._guard(work)
