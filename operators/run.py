"""The sidebar's Run button and its reference-image list."""

from __future__ import annotations

from typing import Any

import bpy
from bpy.props import BoolProperty, EnumProperty, IntProperty, StringProperty

from .. import preferences, properties
from ..core import messages
from ..core.params import KIND_ITEMS, OPERATORS, TITLES, kind_from_id
from ..core.views.operations import blocker
from ..i18n import CONTEXT
from ..i18n.ui import tr_report, tr_tip
from ..scene.image_sets import views_of
from ..scene.inputs import mesh_selection
from ..scene.rigs import rig_selection


def _blocker(context: Any, kind: str) -> str:
    """Why the sidebar cannot run ``kind`` now ("" when it can)."""
    group = properties.options(context, kind)
    if group is None:
        return ""
    return blocker(kind, properties.scene_values(group, kind), selected_meshes=len(mesh_selection(context)),
                   online=bool(bpy.app.online_access), has_key=bool(preferences.settings(context).api_key),
                   selected_rigs=len(rig_selection(context)))


class MESHY_OT_run(bpy.types.Operator):
    """Run this Meshy operation with the options shown in the sidebar"""

    bl_idname = "meshy.run"
    bl_label = "Run Meshy Operation"
    bl_options = {"REGISTER", "INTERNAL"}

    kind: EnumProperty(name="Operation", items=KIND_ITEMS, translation_context=CONTEXT)  # type: ignore[valid-type]
    use_active_image: BoolProperty(  # type: ignore[valid-type]
        name="Active Image", default=False, description="Use the Image Editor's image as the input",
    )

    @classmethod
    def description(cls, context: bpy.types.Context, props: Any) -> str:
        reason = _blocker(context, kind_from_id(props.kind))
        return tr_tip(f"Send to Meshy with the sidebar's options{': ' + reason if reason else ''}")

    def invoke(self, context: bpy.types.Context, event: Any) -> set[str]:
        return self._run(context, "INVOKE_DEFAULT")

    def execute(self, context: bpy.types.Context) -> set[str]:
        return self._run(context, "EXEC_DEFAULT")

    def _run(self, context: bpy.types.Context, how: str) -> set[str]:
        """The operator of the kind, with the options changed in the sidebar (keep-original: the preferences')."""
        kind = kind_from_id(self.kind)
        kwargs = properties.changed_values(properties.options(context, kind), kind)
        if self.use_active_image:
            image = getattr(getattr(context, "space_data", None), "image", None)
            if image is None:
                self.report({"ERROR"}, "Open an image in the Image Editor first.")
                return {"CANCELLED"}
            for name in ("image_path", "use_render", "image_url", "input_task_id", "image_paths", "image_urls"):
                kwargs.pop(name, None)
            if kind == "multi-image-to-3d":  # the image's whole multi-view set when it is one (chained)
                kwargs["image_names"] = [{"name": i.name} for i in views_of(image)]
            else:
                kwargs["image_name"] = image.name
        op = getattr(bpy.ops.meshy, OPERATORS[kind])
        try:
            return op(how, **kwargs)
        except RuntimeError as exc:  # the operator's ERROR report, raised by bpy.ops: pass it on
            text = str(exc).strip()  # "Error: ..." (in Blender's language: "エラー: ...")
            head = text.startswith("Error:") or text.startswith(bpy.app.translations.pgettext_rpt("Error") + ":")
            self.report({"ERROR"}, text.split(":", 1)[1].strip() if head else text)
            return {"CANCELLED"}
        except Exception as exc:  # never a traceback in the UI
            self.report({"ERROR"}, tr_report(messages.explain(exc, f"starting {TITLES[kind]}")))
            return {"CANCELLED"}


class MESHY_OT_add_reference(bpy.types.Operator):
    """Add a reference image file for Image to Image"""

    bl_idname = "meshy.add_reference_image"
    bl_label = "Add Reference Image"
    bl_options = {"REGISTER", "INTERNAL"}

    filepath: StringProperty(subtype="FILE_PATH")  # type: ignore[valid-type]
    filter_image: BoolProperty(default=True, options={"HIDDEN"})  # type: ignore[valid-type]
    filter_folder: BoolProperty(default=True, options={"HIDDEN"})  # type: ignore[valid-type]

    def invoke(self, context: bpy.types.Context, event: Any) -> set[str]:
        context.window_manager.fileselect_add(self)
        return {"RUNNING_MODAL"}

    def execute(self, context: bpy.types.Context) -> set[str]:
        group = properties.options(context, "image-to-image")
        if len(group.reference_image_paths) >= 5:
            self.report({"ERROR"}, "Image to Image takes at most 5 reference images.")
            return {"CANCELLED"}
        group.reference_image_paths.add().name = self.filepath
        return {"FINISHED"}


class MESHY_OT_remove_reference(bpy.types.Operator):
    """Remove this reference image from the list"""

    bl_idname = "meshy.remove_reference_image"
    bl_label = "Remove Reference Image"
    bl_options = {"REGISTER", "INTERNAL", "UNDO"}

    index: IntProperty()  # type: ignore[valid-type]

    def execute(self, context: bpy.types.Context) -> set[str]:
        group = properties.options(context, "image-to-image")
        if 0 <= self.index < len(group.reference_image_paths):
            group.reference_image_paths.remove(self.index)
        return {"FINISHED"}


classes = (MESHY_OT_run, MESHY_OT_add_reference, MESHY_OT_remove_reference)
