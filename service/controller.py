"""What the one timer starts besides draining events: the refreshes the panels need.

At most once a second (``INTERVAL``): re-read the journal when its file
changed, check a new API key once (or the balance after a task used credits),
fetch the history pages again after a delete. Never from a draw: the panels
only read ``snapshot()``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..core.settings import Settings
from ..core.snapshot import HistoryView, Snapshot


class Controller:
    """The panels' side of one job service: its refreshes and the picture the panels draw."""

    INTERVAL = 1.0

    def __init__(self, service: Any, *, page_size: Callable[[], int] = lambda: 10) -> None:
        self.service = service
        self._page_size = page_size
        self.reset()

    def reset(self) -> None:
        self.journal_jobs: dict[str, dict[str, Any]] = {}
        self.download_dir = Path(".")
        self._journal_mtime: int | None = None
        self._last = 0.0

    def due(self, now: float | None = None) -> bool:
        return (now or time.monotonic()) - self._last >= self.INTERVAL

    def refresh(self, settings: Settings | None = None) -> bool:
        """One round of refreshes; True when something the panels show changed."""
        self._last = time.monotonic()
        s = settings or self.service.settings()
        self.download_dir = s.download_dir
        changed = self._reload_journal(s)
        account, history = self.service.account, self.service.history
        if account.needs_check(s):
            changed |= account.check(s)
        if history.dirty and self.service.online():
            history.refetch(self._page_size())
        return changed or any(e.active for e in self.service.tasks.values())

    def _reload_journal(self, settings: Settings) -> bool:
        """Read the journal again if its file changed (the Tasks panel lists earlier jobs)."""
        try:
            mtime: int | None = settings.journal_path.stat().st_mtime_ns
        except OSError:
            mtime = None
        if mtime == self._journal_mtime:
            return False
        self._journal_mtime = mtime
        self.journal_jobs = self.service.records(settings).jobs() if mtime else {}
        return True

    def snapshot(self) -> Snapshot:
        """The service as the panels see it now (read-only containers, no copies of files)."""
        service, account, history = self.service, self.service.account, self.service.history
        return Snapshot(
            tasks=MappingProxyType(dict(service.tasks)),
            journal_jobs=MappingProxyType(self.journal_jobs),
            download_dir=self.download_dir,
            balance=account.balance, key_status=account.key_status, checking=account.checking,
            account_error=account.error,
            history=HistoryView(rows=MappingProxyType({k: tuple(v) for k, v in history.rows.items()}),
                                page=MappingProxyType(dict(history.page)), more=MappingProxyType(dict(history.more)),
                                loading=frozenset(history.loading), error=MappingProxyType(dict(history.error))),
            last_error=service.last_error,
        )
