"""The History panel: the server's tasks of one kind, page by page, newest first.

Rows come from the snapshot (fetched in the background by the job service);
pictures from ``thumbnails`` once their files arrived. Drawing starts no fetch.
"""

from __future__ import annotations

from typing import Any

import bpy

from ..core import snapshot
from ..core.params import kind_from_id, kind_id
from ..core.views.history import HistoryRow, display_name, format_created, history_lines, listable
from . import thumbnails
from .common import PANEL, draw_message, tr


def draw_history_row(layout: Any, row: HistoryRow, name: str = "") -> None:
    box = layout.box()
    top = box.row()
    icon_id = thumbnails.icon(row.thumb_path)
    if icon_id:
        top.template_icon(icon_value=icon_id, scale=2.6)
    else:
        top.label(text="", icon="IMAGE_DATA" if row.thumbnail_url else "BLANK1")
    col = top.column(align=True)
    col.label(text=name or row.name, icon=row.icon, translate=False)  # a name or a prompt, as written
    col.label(text=tr(f"{format_created(row.created_at)} · {row.state_text}"))
    if row.stage_text:  # text-to-3d: which stage, and a refine's preview
        col.label(text=tr(row.stage_text), icon="LINKED" if row.preview_task_id else "NONE")
    buttons = col.row(align=True)
    if row.status == "SUCCEEDED":
        op = buttons.operator("meshy.import_task", text="Import", icon="IMPORT")
        op.task_id, op.kind = row.task_id, kind_id(row.kind)
        if row.stage == "preview":
            op = buttons.operator("meshy.refine", text="Refine", icon="SHADING_TEXTURE")
            op.task_id, op.sidebar_options = row.task_id, True
    op = buttons.operator("meshy.delete_task", text="", icon="TRASH")
    op.task_id, op.kind = row.task_id, kind_id(row.kind)
    if row.message:
        draw_message(box, row.message, icon="ERROR")


class VIEW3D_PT_meshy_history(PANEL, bpy.types.Panel):
    """Your tasks on Meshy, page by page, to import again or delete."""

    bl_label = "History"
    bl_idname = "VIEW3D_PT_meshy_history"
    bl_order = 51  # after every operation panel (made in order from core.params.KINDS)
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        ui = context.window_manager.meshy_history
        kind = kind_from_id(ui.kind)
        snap = snapshot.current()
        history = snap.history
        row = layout.row(align=True)
        row.prop(ui, "kind", text="")
        row.prop(ui, "page_size", text="Per Page")
        if not listable(kind):  # rigging, animation: no list on Meshy, so no pages; import by id instead
            for text, icon in history_lines(kind, history):
                draw_message(layout, text, icon=icon, context=context)
            layout.operator("meshy.import_task", text="Import Task by ID…", icon="IMPORT")
            return
        page = history.page.get(kind, 1)
        nav = layout.row(align=True)
        prev = nav.row(align=True)
        prev.enabled = page > 1
        self._page_button(prev, ui, page - 1, "", "TRIA_LEFT")
        self._page_button(nav, ui, page, tr(f"Page {page}  ·  Refresh"), "FILE_REFRESH")
        nxt = nav.row(align=True)
        nxt.enabled = history.more.get(kind, False)
        self._page_button(nxt, ui, page + 1, "", "TRIA_RIGHT")
        for text, icon in history_lines(kind, history):
            draw_message(layout, text, icon=icon, context=context)
        for item in history.rows.get(kind, ()):
            draw_history_row(layout, item, display_name(item, snap.journal_jobs))

    @staticmethod
    def _page_button(layout: Any, ui: Any, page: int, text: str, icon: str) -> None:
        op = layout.operator("meshy.history_page", text=text, icon=icon)
        op.kind, op.page, op.page_size = ui.kind, max(1, page), ui.page_size


classes = (VIEW3D_PT_meshy_history,)
