"""The server's task history, one page per kind, fetched in the background.

The History panel draws from ``rows``; the list call and the thumbnail
downloads run off the main thread and never touch bpy. A delete marks the
history ``dirty``: the controller fetches the pages shown again.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..client.errors import MeshyError
from ..core import messages
from ..core.views.history import HistoryRow, listable, row_from_task


class History:
    """What was fetched, per kind; ``loading`` holds kinds with a fetch under way."""

    def __init__(self, service: Any) -> None:
        self._service = service
        self.reset()

    def reset(self) -> None:
        self.rows: dict[str, list[HistoryRow]] = {}
        self.page: dict[str, int] = {}
        self.more: dict[str, bool] = {}
        self.loading: set[str] = set()
        self.error: dict[str, str] = {}
        self.fetched_at: dict[str, float] = {}
        self.dirty = False

    def fetch(self, kind: str, page: int, page_size: int) -> str:
        """Start fetching a page; returns a sentence when it cannot start."""
        if kind in self.loading or not listable(kind):  # Meshy lists no rigging or animation tasks: the panel says so
            return ""
        settings = self._service.settings()
        try:
            client = self._service.client(settings)
        except MeshyError as exc:
            self.error[kind] = messages.explain(exc)
            return self.error[kind]
        folder = settings.thumbnail_dir
        self.loading.add(kind)

        def work() -> list[HistoryRow]:
            tasks = client.list_page(kind, page_num=page, page_size=page_size, sort_by="-created_at")
            return [row_from_task(t, kind, folder) for t in tasks]

        def done(rows: list[HistoryRow] | None, error: BaseException | None) -> None:
            self.loading.discard(kind)
            if error is not None:
                self.error[kind] = messages.explain(error, "fetching the task history")
                return
            self.error.pop(kind, None)
            self.rows[kind], self.page[kind] = rows or [], page
            self.more[kind] = len(rows or []) >= page_size
            self.fetched_at[kind] = time.time()
            self._thumbnails(client, rows or [])

        self._service.background.run(work, done)
        return ""

    def refetch(self, page_size: int) -> None:
        """The pages shown, again (after a delete); the controller calls it."""
        self.dirty = False
        for kind in list(self.rows):
            self.fetch(kind, self.page.get(kind, 1), page_size)

    def _thumbnails(self, client: Any, rows: list[HistoryRow]) -> None:
        """Download missing thumbnails in the background; a failure just leaves no picture."""
        wanted = [(r.thumbnail_url, Path(r.thumb_path)) for r in rows
                  if r.thumbnail_url and not Path(r.thumb_path).is_file()]
        if not wanted or self._service.background.inline:
            return  # background Blender draws no thumbnails

        def work() -> int:
            got = 0
            for url, dest in wanted:
                try:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    client.download(url, dest)
                    got += 1
                except (MeshyError, OSError):
                    continue
            return got

        self._service.background.run(work, lambda _got, _error: None)
