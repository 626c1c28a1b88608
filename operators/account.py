"""Account operators: check the key and balance, open the preferences and the download folder.

The balance call runs in the background (the sidebar never waits on the
network); its answer lands in the job service's ``account`` on the main thread.
"""

from __future__ import annotations

from pathlib import Path

import bpy
from bpy.props import StringProperty

from .. import preferences, runtime
from ..client.engine import result_dir
from ..core import messages
from ..i18n.ui import tr_report


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
        runtime.service().account.check(force=True)
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


def _task_folder(kind: str, task_id: str) -> Path:
    """The task's download folder, or the download folder when it has none yet."""
    root = preferences.settings().download_dir
    if kind and task_id:
        try:
            folder = result_dir(root, kind, task_id)
        except ValueError:  # not a kind this version knows (a journal of a newer one)
            return root
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
        folder = _task_folder(self.kind, self.task_id)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.report({"ERROR"}, tr_report(messages.explain(exc)))
            return {"CANCELLED"}
        bpy.ops.wm.path_open(filepath=str(folder))
        return {"FINISHED"}


classes = (MESHY_OT_refresh_account, MESHY_OT_open_preferences, MESHY_OT_allow_online, MESHY_OT_open_folder)

