"""The History panel: the server's tasks of one kind, page by page, newest first.

Rows come from ``operators.history.HISTORY`` (filled on a thread); pictures
from ``thumbnails`` once their files arrived. Drawing starts no fetch.
"""

from __future__ import annotations

from typing import Any

import bpy

from ..core.params import kind_from_id
from ..operators import history as hist
from . import thumbnails
from .common import PANEL, draw_message
from .tasks import kind_id

STATUS_ICONS = {"SUCCEEDED": "CHECKMARK", "FAILED": "ERROR", "PENDING": "SORTTIME",
                "IN_PROGRESS": "PLAY", "CANCELED": "CANCEL"}


def history_lines(kind: str) -> list[tuple[str, str]]:
    """(text, icon) per state of the page: loading, error, empty (pure)."""
    if kind in hist.HISTORY.loading and not hist.HISTORY.rows.get(kind):
        return [("Loading…", "TIME")]
    if hist.HISTORY.error.get(kind):
        return [(hist.HISTORY.error[kind], "ERROR")]
    if kind not in hist.HISTORY.rows:
        return [("Press Refresh to list your tasks on Meshy.", "INFO")]
    if not hist.HISTORY.rows[kind]:
        return [("No tasks of this kind on this page.", "INFO")]
    return []


def display_name(row: hist.HistoryRow, journal_jobs: dict[str, dict[str, Any]]) -> str:
    """The name given here (journal label) when this machine made the task, else Meshy's."""
    label = next((j.get("label") for j in journal_jobs.values() if j.get("task_id") == row.task_id), "")
    return f"{label} · {row.task_id[:8]}" if label else row.name


def draw_history_row(layout: Any, row: hist.HistoryRow, name: str = "") -> None:
    box = layout.box()
    top = box.row()
    icon_id = thumbnails.icon(row.thumb_path)
    if icon_id:
        top.template_icon(icon_value=icon_id, scale=2.6)
    else:
        top.label(text="", icon="IMAGE_DATA" if row.thumbnail_url else "BLANK1")
    col = top.column(align=True)
    col.label(text=name or row.name, icon=STATUS_ICONS.get(row.status, "QUESTION"))
    state = row.status.replace("_", " ").title()
    if row.status in ("PENDING", "IN_PROGRESS"):
        state += f" {row.progress}%"
    col.label(text=f"{hist.format_created(row.created_at)} · {state}")
    buttons = col.row(align=True)
    if row.status == "SUCCEEDED":
        op = buttons.operator("meshy.import_task", text="Import", icon="IMPORT")
        op.task_id, op.kind = row.task_id, kind_id(row.kind)
    op = buttons.operator("meshy.delete_task", text="", icon="TRASH")
    op.task_id, op.kind = row.task_id, kind_id(row.kind)
    if row.message:
        draw_message(box, row.message, icon="ERROR")


class VIEW3D_PT_meshy_history(PANEL, bpy.types.Panel):
    """Your tasks on Meshy, page by page, to import again or delete."""

    bl_label = "History"
    bl_idname = "VIEW3D_PT_meshy_history"
    bl_order = 6
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        ui = context.window_manager.meshy_history
        kind = kind_from_id(ui.kind)
        row = layout.row(align=True)
        row.prop(ui, "kind", text="")
        row.prop(ui, "page_size", text="Per Page")
        page = hist.HISTORY.page.get(kind, 1)
        nav = layout.row(align=True)
        prev = nav.row(align=True)
        prev.enabled = page > 1
        self._page_button(prev, ui, page - 1, "", "TRIA_LEFT")
        self._page_button(nav, ui, page, f"Page {page}  ·  Refresh", "FILE_REFRESH")
        nxt = nav.row(align=True)
        nxt.enabled = hist.HISTORY.more.get(kind, False)
        self._page_button(nxt, ui, page + 1, "", "TRIA_RIGHT")
        for text, icon in history_lines(kind):
            draw_message(layout, text, icon=icon, context=context)
        from .state import journal_jobs

        jobs = journal_jobs()
        for item in hist.HISTORY.rows.get(kind, []):
            draw_history_row(layout, item, display_name(item, jobs))

    @staticmethod
    def _page_button(layout: Any, ui: Any, page: int, text: str, icon: str) -> None:
        op = layout.operator("meshy.history_page", text=text, icon=icon)
        op.kind, op.page, op.page_size = ui.kind, max(1, page), ui.page_size


classes = (VIEW3D_PT_meshy_history,)
