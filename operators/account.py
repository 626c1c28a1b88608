"""Account operators: check the key and balance, open preferences and folders.

The balance call runs on a thread (the sidebar never waits on the network);
its answer lands in ``RUNTIME.balance`` / ``RUNTIME.key_status`` on the main
thread. ``ACCOUNT`` remembers which key was checked, so the sidebar checks a
new key once by itself and does not poll.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bpy
from bpy.props import StringProperty

from .. import preferences
from ..client import errors
from ..client.engine import result_dir
from ..core import messages
from .runtime import RUNTIME, run_in_background


@dataclass
class AccountState:
    """What the account panel knows beyond ``RUNTIME``: when and for which key."""

    checking: bool = False
    checked_key: int | None = None
    checked_at: float = 0.0
    error: str = ""
    stale: bool = False  # a task finished: the balance has changed


ACCOUNT = AccountState()


def key_fingerprint(key: str) -> int:
    return hash(key)


def start_check(context: bpy.types.Context | None = None) -> bool:
    """Ask Meshy for the balance on a thread; False when offline or without a key."""
    s = preferences.settings(context)
    if ACCOUNT.checking or not s.api_key or not bpy.app.online_access:
        return False
    try:
        client = RUNTIME.make_client(context)
    except errors.MeshyError as exc:
        ACCOUNT.error = messages.explain(exc)
        return False
    ACCOUNT.checking, ACCOUNT.stale = True, False
    fingerprint = key_fingerprint(s.api_key)

    def done(balance: int | None, error: BaseException | None) -> None:
        ACCOUNT.checking, ACCOUNT.checked_key, ACCOUNT.checked_at = False, fingerprint, time.time()
        ACCOUNT.error = ""
        if error is None:
            RUNTIME.balance, RUNTIME.key_status = balance, "works"
        elif isinstance(error, errors.AuthenticationError):
            RUNTIME.balance, RUNTIME.key_status = None, "rejected"
        else:
            ACCOUNT.error = messages.explain(error, "checking the balance")

    run_in_background(client.balance, done)
    return True


def needs_check(context: bpy.types.Context | None = None) -> bool:
    """True when the key changed since the last check or a task used credits."""
    s = preferences.settings(context)
    if ACCOUNT.checking or not s.api_key or not bpy.app.online_access:
        return False
    return ACCOUNT.stale or ACCOUNT.checked_key != key_fingerprint(s.api_key)


def on_task_event(event: Any, entry: Any) -> None:
    """A runtime listener: a finished task changed the balance."""
    if event.type in {"succeeded", "created"}:
        ACCOUNT.stale = True


class MESHY_OT_refresh_account(bpy.types.Operator):
    """Check the Meshy API key and fetch the credit balance"""

    bl_idname = "meshy.refresh_account"
    bl_label = "Check Meshy Key and Balance"
    bl_options = {"REGISTER"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        if not bpy.app.online_access:
            self.report({"ERROR"}, "Online access is off: Edit > Preferences > System > Network.")
            return {"CANCELLED"}
        if not preferences.settings(context).api_key:
            self.report({"ERROR"}, "Set your Meshy API key in the add-on preferences first.")
            return {"CANCELLED"}
        ACCOUNT.checked_key = None
        start_check(context)
        return {"FINISHED"}


class MESHY_OT_open_preferences(bpy.types.Operator):
    """Open the Meshy Tools preferences (API key, base URL, download folder)"""

    bl_idname = "meshy.open_preferences"
    bl_label = "Meshy Tools Preferences"
    bl_options = {"REGISTER"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            bpy.ops.preferences.addon_show(module=preferences.ADDON_ID)
        except (RuntimeError, AttributeError):
            bpy.ops.screen.userpref_show()
        return {"FINISHED"}


class MESHY_OT_allow_online(bpy.types.Operator):
    """Allow Blender to go online, so Meshy Tools can reach Meshy"""

    bl_idname = "meshy.allow_online"
    bl_label = "Allow Online Access"
    bl_options = {"REGISTER"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            bpy.ops.extensions.userpref_allow_online()
        except (RuntimeError, AttributeError):
            pass
        if not bpy.app.online_access:  # e.g. started with --offline-mode: show the setting
            bpy.ops.screen.userpref_show(section="SYSTEM")
            self.report({"WARNING"}, "Turn on Allow Online Access under System > Network "
                                     "(a --offline-mode start needs a restart without it).")
        return {"FINISHED"}


def task_folder(kind: str, task_id: str) -> Path:
    """The task's download folder, or the download folder when it has none yet."""
    root = preferences.settings().download_dir
    if kind and task_id:
        folder = result_dir(root, kind, task_id)
        if folder.is_dir():
            return folder
    return root


class MESHY_OT_open_folder(bpy.types.Operator):
    """Open the folder where Meshy results are downloaded"""

    bl_idname = "meshy.open_download_folder"
    bl_label = "Open Meshy Download Folder"
    bl_options = {"REGISTER"}

    kind: StringProperty(name="Kind", options={"HIDDEN"})  # type: ignore[valid-type]
    task_id: StringProperty(name="Task ID", options={"HIDDEN"})  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> set[str]:
        folder = task_folder(self.kind, self.task_id)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.report({"ERROR"}, messages.explain(exc))
            return {"CANCELLED"}
        bpy.ops.wm.path_open(filepath=str(folder))
        return {"FINISHED"}


classes = (MESHY_OT_refresh_account, MESHY_OT_open_preferences, MESHY_OT_allow_online, MESHY_OT_open_folder)


def register() -> None:
    if on_task_event not in RUNTIME.listeners:
        RUNTIME.listeners.append(on_task_event)


def unregister() -> None:
    if on_task_event in RUNTIME.listeners:
        RUNTIME.listeners.remove(on_task_event)
