"""What a batch shows while it runs: a live bar per asset on a terminal, a line per milestone elsewhere.

On a terminal (stderr a TTY, ``TERM`` not ``dumb``) the assets in flight each
have one line with a bar that redraws in place (ANSI: cursor up, clear line),
under the lines that stay (created, done, failed) and above a footer with
the counts. Anywhere else (a pipe, a CI log, ``--quiet`` aside) there is no
redrawing: a line per state change and per tenth of progress
(``core.progress.Milestones``). ``MESHY_PROGRESS=bar|lines`` overrides the
guess. Pure Python: tier 1 draws it into a fake terminal.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from typing import TextIO

from ..core.progress import Milestones

PREFIX = "meshy: "
BAR = 24
REDRAW_EVERY = 0.1  # seconds: at most ten redraws a second
_UP, _CLEAR, _CLEAR_DOWN = "\x1b[{}F", "\x1b[2K", "\x1b[J"


def is_terminal(stream: TextIO) -> bool:
    choice = os.environ.get("MESHY_PROGRESS", "").strip().lower()
    if choice in {"bar", "lines"}:
        return choice == "bar"
    try:
        return stream.isatty() and os.environ.get("TERM", "") != "dumb"
    except (AttributeError, ValueError):
        return False


class Progress:
    """The batch's console: ``note`` for lines that stay, ``update`` for progress, ``tick`` to redraw."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False, live: bool | None = None,
                 footer: Callable[[], str] = lambda: "", clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = is_terminal(self.stream) if live is None else live
        self.footer = footer
        self._clock = clock
        self._rows: dict[str, tuple[str, int]] = {}  # asset -> (state, percent), in flight only
        self._drawn = 0
        self._last_draw = 0.0
        self._milestones = Milestones()
        encoding = (getattr(self.stream, "encoding", "") or "").lower().replace("-", "")
        self._full, self._empty = ("█", "░") if encoding.startswith("utf") else ("#", "-")

    # -- what the batch tells it --------------------------------------------------------

    def note(self, text: str, *, always: bool = False) -> None:
        """A line that stays (``always``: even with ``--quiet``, e.g. the summary and errors)."""
        if self.quiet and not always:
            return
        self._erase()
        self.stream.write(PREFIX + text + "\n")
        self._draw()

    def update(self, name: str, state: str, percent: int) -> None:
        """An asset's state and progress: redrawn in place, or a line when it is a milestone."""
        percent = max(0, min(100, int(percent or 0)))
        if self.quiet:
            return
        if self.live:
            self._rows[name] = (state, percent)
            self._draw(throttle=True)
        elif self._milestones.worth(name, state, percent):
            self.stream.write(f"{PREFIX}{name}: {state} {percent}%\n")
            self.stream.flush()

    def finish(self, name: str) -> None:
        """The asset left the running set (done, failed, kept): its bar goes."""
        self._rows.pop(name, None)
        self._milestones.forget(name)
        if self.live and not self.quiet:
            self._draw()

    def tick(self) -> None:
        """Called every loop of the wait: keeps the footer's clock moving on a terminal."""
        if self.live and not self.quiet:
            self._draw(throttle=True)

    def close(self) -> None:
        self._erase()
        self.stream.flush()

    # -- drawing ----------------------------------------------------------------------

    def _lines(self) -> list[str]:
        width, height = shutil.get_terminal_size((100, 24))
        room = max(1, height - 3)
        rows = list(self._rows.items())
        shown = rows[:room]
        name_width = min(28, max((len(n) for n, _ in shown), default=4))
        lines = []
        for name, (state, percent) in shown:
            filled = round(BAR * percent / 100)
            bar = self._full * filled + self._empty * (BAR - filled)
            lines.append(f"  {name[:name_width]:<{name_width}} {bar} {percent:>3}%  {state}")
        if len(rows) > len(shown):
            lines.append(f"  ... and {len(rows) - len(shown)} more in flight")
        footer = self.footer()
        if footer:
            lines.append(PREFIX + footer)
        return [line[:width - 1] for line in lines]

    def _draw(self, throttle: bool = False) -> None:
        if not self.live:
            self.stream.flush()
            return
        now = self._clock()
        if throttle and now - self._last_draw < REDRAW_EVERY:
            return
        self._last_draw = now
        lines = self._lines()
        out = [_UP.format(self._drawn)] if self._drawn else []
        for line in lines:
            out.append("\r" + _CLEAR + line + "\n")
        out.append(_CLEAR_DOWN)
        self.stream.write("".join(out))
        self.stream.flush()
        self._drawn = len(lines)

    def _erase(self) -> None:
        """Take the live block away (a lasting line goes where it was)."""
        if self.live and self._drawn:
            self.stream.write(_UP.format(self._drawn) + "\r" + _CLEAR_DOWN)
            self._drawn = 0
