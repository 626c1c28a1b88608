"""The History panel's Refresh and page buttons: a page of the server's tasks, fetched in the background."""

from __future__ import annotations

import bpy
from bpy.props import EnumProperty, IntProperty

from .. import runtime
from ..core.params import KIND_ITEMS, kind_from_id
from ..i18n import CONTEXT
from ..i18n.ui import tr_report
from ..properties import MAX_HISTORY_PAGE


class MESHY_OT_history_page(bpy.types.Operator):
    """Fetch a page of your Meshy tasks of this kind, newest first"""

    bl_idname = "meshy.history_page"
    bl_label = "Refresh Meshy History"
    bl_options = {"REGISTER"}

    kind: EnumProperty(name="Kind", items=KIND_ITEMS, translation_context=CONTEXT)  # type: ignore[valid-type]
    page: IntProperty(name="Page", default=1, min=1)  # type: ignore[valid-type]
    page_size: IntProperty(name="Page Size", default=10, min=1, max=MAX_HISTORY_PAGE)  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> set[str]:
        problem = runtime.service().history.fetch(kind_from_id(self.kind), self.page, self.page_size)
        if problem:
            self.report({"ERROR"}, tr_report(problem))
            return {"CANCELLED"}
        return {"FINISHED"}


classes = (MESHY_OT_history_page,)
