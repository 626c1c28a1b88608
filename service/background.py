"""Work off the main thread, its result handed back on the main thread's tick.

The panels' network calls (balance, history, thumbnails, delete) run here,
never in a draw; their ``done`` callbacks run on the main thread when the one
timer drains them. Background Blender fires no timers, so there the work runs
inline and ``done`` is called at once (scripts and tests get the result).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("meshy")

Done = Callable[[Any, BaseException | None], None]


class Background:
    """Threads for side work; ``drain()`` on the main thread delivers what they finished."""

    def __init__(self, *, inline: bool) -> None:
        self.inline = inline
        self._finished: queue.Queue[tuple[Done, Any, BaseException | None]] = queue.Queue()
        self._running = 0
        self._lock = threading.Lock()

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._running > 0 or not self._finished.empty()

    def run(self, work: Callable[[], Any], done: Done) -> None:
        """``work()`` on a thread (never bpy there), then ``done(result, error)`` on the main thread."""
        if self.inline:
            _deliver(done, *_call(work))
            return
        with self._lock:
            self._running += 1

        def target() -> None:
            result = _call(work)
            with self._lock:
                self._running -= 1
                self._finished.put((done, *result))

        threading.Thread(target=target, daemon=True, name="meshy-ui").start()

    def drain(self) -> int:
        """Call ``done`` for every piece of work that finished; returns how many."""
        count = 0
        while True:
            try:
                done, result, error = self._finished.get_nowait()
            except queue.Empty:
                return count
            _deliver(done, result, error)
            count += 1


def _call(work: Callable[[], Any]) -> tuple[Any, BaseException | None]:
    try:
        return work(), None
    except Exception as exc:  # handed to the main thread as a value
        return None, exc


def _deliver(done: Done, result: Any, error: BaseException | None) -> None:
    try:
        done(result, error)
    except Exception:  # one broken callback must not stop the timer that delivers the others
        log.exception("Meshy background callback failed")
