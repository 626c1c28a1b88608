"""The Account panel: does the key work, how many credits are left, are we online."""

from __future__ import annotations

from typing import Any

import bpy

from .. import preferences
from ..core import snapshot
from ..core.views.account import AccountView, account_view
from .common import PANEL, draw_message, tr


def current_view(context: Any) -> AccountView:
    s, snap = preferences.settings(context), snapshot.current()
    return account_view(s.api_key, s.key_from_env, bool(bpy.app.online_access), snap.key_status, snap.balance,
                        snap.checking, snap.account_error)


class VIEW3D_PT_meshy_account(PANEL, bpy.types.Panel):
    """Key status, credit balance and online access for Meshy."""

    bl_label = "Meshy Account"
    bl_idname = "VIEW3D_PT_meshy_account"
    bl_order = 0

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        view = current_view(context)
        layout.label(text=tr(view.key_text), icon=view.key_icon)
        row = layout.row(align=True)
        row.label(text=tr(view.balance_text))
        sub = row.row(align=True)
        sub.enabled = view.can_check
        sub.operator("meshy.refresh_account", text="", icon="FILE_REFRESH")
        for text, icon in view.notes:
            draw_message(layout, text, icon=icon, context=context)
        col = layout.column(align=True)
        if not view.online:
            col.operator("meshy.allow_online", icon="URL")
        col.operator("meshy.open_preferences", text="Preferences", icon="PREFERENCES")


classes = (VIEW3D_PT_meshy_account,)
