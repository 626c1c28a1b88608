"""When a job's progress is worth a new line, where lines cannot be redrawn.

In a log, a pipe or background Blender every percent would be a line (the
demo once printed 195 of them). A job says each new state (``PENDING``,
``IN_PROGRESS``, ``SUCCEEDED``...) and each new tenth of its progress; the
batch's live bar (``batch/progress.py``) is for terminals.
"""

from __future__ import annotations


class Milestones:
    """Per key (a job), whether a report of ``state`` at ``percent`` says something new."""

    def __init__(self, step: int = 10) -> None:
        self.step = max(1, int(step))
        self._seen: dict[str, tuple[str, int]] = {}

    def worth(self, key: str, state: str, percent: int) -> bool:
        mark = (str(state), max(0, min(100, int(percent or 0))) // self.step)
        if self._seen.get(key) == mark:
            return False
        self._seen[key] = mark
        return True

    def forget(self, key: str) -> None:
        self._seen.pop(key, None)
