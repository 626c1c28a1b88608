"""The key check and the credit balance: what the Account panel shows.

The balance call runs in the background (the sidebar never waits on the
network) and its answer lands here on the main thread. The key that was
checked is remembered, so the controller checks a new key once by itself and
never polls; a task that used credits marks the balance stale.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from ..client import errors
from ..core import messages
from ..core.settings import Settings


def key_fingerprint(key: str) -> str:
    """Which key was checked, without keeping the key itself."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


class Account:
    """Balance and key status; changed only by the check's answer and by task events."""

    def __init__(self, service: Any) -> None:
        self._service = service
        self.reset()

    def reset(self) -> None:
        self.balance: int | None = None
        self.key_status = ""  # "", "works", "rejected"
        self.checking = False
        self.checked_key: str | None = None
        self.checked_at = 0.0
        self.error = ""
        self.stale = False  # a task was created or finished: the balance has changed

    def needs_check(self, settings: Settings) -> bool:
        """True when the key changed since the last check or a task used credits."""
        if self.checking or not settings.api_key or not self._service.online():
            return False
        return self.stale or self.checked_key != key_fingerprint(settings.api_key)

    def check(self, settings: Settings | None = None, *, force: bool = False) -> bool:
        """Ask Meshy for the balance in the background; False when it cannot start (offline, no key)."""
        settings = settings or self._service.settings()
        if self.checking or not settings.api_key or not self._service.online():
            return False
        try:
            client = self._service.client(settings)
        except errors.MeshyError as exc:
            self.error = messages.explain(exc)
            return False
        if force:
            self.checked_key = None
        self.checking, self.stale = True, False
        fingerprint = key_fingerprint(settings.api_key)

        def done(balance: int | None, error: BaseException | None) -> None:
            self.checking, self.checked_key, self.checked_at, self.error = False, fingerprint, time.time(), ""
            if error is None:
                self.balance, self.key_status = balance, "works"
            elif isinstance(error, errors.AuthenticationError):
                self.balance, self.key_status = None, "rejected"
            else:
                self.error = messages.explain(error, "checking the balance")

        self._service.background.run(client.balance, done)
        return True

    def on_event(self, event: Any, _entry: Any = None) -> None:
        """A task listener: a created or finished task changed the balance."""
        if event.type in {"succeeded", "created"}:
            self.stale = True
