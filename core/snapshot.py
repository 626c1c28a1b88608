"""What the panels read: a read-only picture of the live service, and nothing to change it with.

The host (``runtime.py``) provides the picture; a panel's draw calls
``current()`` and hands it to a view-model (``core.views``). Panels import
this module, never the service, so a draw cannot start a thread, write state
or touch the disk. Work a panel needs done off the draw path (loading the
thumbnails that arrived) subscribes here and runs on the host's timer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

log = logging.getLogger("meshy")


@dataclass(frozen=True)
class HistoryView:
    """The history pages fetched so far, per kind."""

    rows: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    page: Mapping[str, int] = field(default_factory=dict)
    more: Mapping[str, bool] = field(default_factory=dict)
    loading: frozenset[str] = frozenset()
    error: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Snapshot:
    """The service as the panels see it now."""

    tasks: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    journal_jobs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    download_dir: Path = Path(".")
    balance: int | None = None
    key_status: str = ""  # "", "works", "rejected"
    checking: bool = False
    account_error: str = ""
    history: HistoryView = field(default_factory=HistoryView)
    last_error: str = ""


_provider: list[Callable[[], Snapshot]] = []
_subscribers: list[Callable[[Snapshot], Any]] = []


def provide(provider: Callable[[], Snapshot] | None) -> None:
    """The host hands in how to take the picture (None when it stops)."""
    _provider[:] = [provider] if provider is not None else []


def current() -> Snapshot:
    """The picture now; an empty one before the add-on is running."""
    return _provider[0]() if _provider else Snapshot()


def subscribe(callback: Callable[[Snapshot], Any]) -> None:
    if callback not in _subscribers:
        _subscribers.append(callback)


def unsubscribe(callback: Callable[[Snapshot], Any]) -> None:
    if callback in _subscribers:
        _subscribers.remove(callback)


def notify() -> bool:
    """Run the subscribers with the picture now (from the host's timer); True if one reports a change."""
    if not _subscribers:
        return False
    picture, changed = current(), False
    for callback in list(_subscribers):
        try:
            changed |= bool(callback(picture))
        except Exception:  # a panel's refresh must not stop the timer
            log.exception("Meshy panel refresh failed")
    return changed
