"""HTTP errors raised anywhere in the emulator and turned into `{"message": ...}` replies."""

from __future__ import annotations


class HttpError(Exception):
    """An API error with its status, message and optional extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> HttpError:
    return HttpError(400, message)
