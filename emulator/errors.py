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


class TaskFailure(Exception):
    """Production could not make the outputs: the task ends FAILED with this `task_error` (and a refund)."""

    def __init__(self, message: str, code: str = "processing_failed", error_type: str = "server_error") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.error_type = error_type
