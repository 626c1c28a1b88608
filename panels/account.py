"""The Account panel: does the key work, how many credits are left, are we online."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import bpy

from .. import preferences
from ..operators.account import ACCOUNT
from ..operators.runtime import RUNTIME
from .common import PANEL, draw_message


@dataclass
class AccountView:
    """What the Account panel shows (pure, so tests can check each state)."""

    key_text: str
    key_icon: str
    balance_text: str
    online: bool
    notes: list[tuple[str, str]]  # (sentence, icon)
    can_check: bool = False


def account_view(api_key: str, key_from_env: bool, online: bool, key_status: str, balance: int | None,
                 checking: bool, error: str) -> AccountView:
    notes: list[tuple[str, str]] = []
    if not api_key:
        key_text, key_icon = "API key: not set", "ERROR"
        notes.append(("Get a key at meshy.ai > Settings > API, then paste it in Preferences.", "INFO"))
    elif key_status == "rejected":
        key_text, key_icon = "API key: rejected by Meshy", "ERROR"
        notes.append(("Check the key in Preferences" + (" (MESHY_API_KEY is set)" if key_from_env else "")
                      + ".", "INFO"))
    elif key_status == "works":
        key_text, key_icon = "API key: works", "CHECKMARK"
    elif not online:
        key_text, key_icon = "API key: set, not checked", "QUESTION"
    else:
        key_text, key_icon = ("API key: checking…" if checking else "API key: set, not checked"), "TIME"
    if not online:
        notes.insert(0, ("Online access is off, so nothing is sent to Meshy. Allow it below, or in "
                         "Edit > Preferences > System > Network.", "ERROR"))
    if error:
        notes.append((error, "ERROR"))
    balance_text = "Credits: …" if checking and balance is None else (
        f"Credits: {balance:,}" if balance is not None else "Credits: unknown")
    return AccountView(key_text, key_icon, balance_text, online, notes, can_check=online and bool(api_key))


def current_view(context: Any) -> AccountView:
    s = preferences.settings(context)
    return account_view(s.api_key, s.key_from_env, bool(bpy.app.online_access), RUNTIME.key_status,
                        RUNTIME.balance, ACCOUNT.checking, ACCOUNT.error)


class VIEW3D_PT_meshy_account(PANEL, bpy.types.Panel):
    """Key status, credit balance and online access for Meshy."""

    bl_label = "Meshy Account"
    bl_idname = "VIEW3D_PT_meshy_account"
    bl_order = 0

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        view = current_view(context)
        layout.label(text=view.key_text, icon=view.key_icon)
        row = layout.row(align=True)
        row.label(text=view.balance_text)
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
