"""The Tasks panel: every task of this session and the journal, with progress and actions.

The rows come from ``core.views.tasks`` (pure, tested in tier 1) over the
snapshot; this module only lays them out. The journal is read by the
controller on the timer, never by a draw.
"""

from __future__ import annotations

from typing import Any

import bpy

from ..core import snapshot
from ..core.params import kind_id
from ..core.views.tasks import TaskRow, task_rows
from . import thumbnails
from .common import PANEL, draw_message, progress_bar, tr


def draw_row(layout: Any, row: TaskRow) -> None:
    box = layout.box()
    top = box.row(align=False)
    icon_id = thumbnails.icon(row.thumb_path)
    if icon_id:
        top.template_icon(icon_value=icon_id, scale=2.6)
    col = top.column(align=True)
    col.label(text=row.name, icon=row.icon, translate=False)  # the object's name: not Blender's 'Cube'
    col.label(text=tr(f"{row.kind_title} · {row.elapsed}"))
    if row.link:  # text-to-3d: the other stage of the same model
        col.label(text=tr(row.link), icon="LINKED")
    if row.active:
        progress_bar(box, row.progress, row.status_text)
    else:
        col.label(text=tr(row.status_text))
    if row.message:
        draw_message(box, row.message, icon="ERROR" if row.state == "failed" else "INFO")
    if row.advice:
        draw_message(box, row.advice, icon="QUESTION")
    buttons = box.row(align=True)
    if row.can_refine:
        op = buttons.operator("meshy.refine", text="Refine", icon="SHADING_TEXTURE")
        op.task_id, op.sidebar_options = row.task_id, True
    if row.active:
        op = buttons.operator("meshy.cancel_task", text="Stop Waiting", icon="CANCEL")
        op.job_id, op.task_id = row.job_id, row.task_id
    if row.can_import:
        op = buttons.operator("meshy.import_task", text="Re-import" if row.imported else "Import",
                              icon="IMPORT")
        op.task_id, op.kind = row.task_id, kind_id(row.kind)
    if row.task_id:
        op = buttons.operator("meshy.open_download_folder", text="", icon="FILE_FOLDER")
        op.kind, op.task_id = row.kind, row.task_id
        op = buttons.operator("meshy.delete_task", text="", icon="TRASH")
        op.task_id, op.kind = row.task_id, kind_id(row.kind)


class VIEW3D_PT_meshy_tasks(PANEL, bpy.types.Panel):
    """Every Meshy task of this session and the journal, with progress and actions."""

    bl_label = "Tasks"
    bl_idname = "VIEW3D_PT_meshy_tasks"
    bl_order = 50  # after every operation panel (made in order from core.params.KINDS)

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        snap = snapshot.current()
        rows = task_rows(snap.tasks, snap.journal_jobs, snap.download_dir)
        if not rows:
            layout.label(text="No tasks yet: run an operation above.", icon="INFO")
        for row in rows:
            draw_row(layout, row)
        if snap.last_error:
            draw_message(layout, snap.last_error, icon="ERROR")
        foot = layout.row(align=True)
        foot.operator("meshy.resume", text="Resume", icon="FILE_REFRESH")
        foot.operator("meshy.open_download_folder", text="Downloads", icon="FILE_FOLDER")


classes = (VIEW3D_PT_meshy_tasks,)
