"""Per-scene sidebar options for each Meshy operation, and the run path.

The property groups are generated from the same tables as the operators
(``params.annotations``), so the sidebar cannot offer an option the operator
lacks. The sidebar's Run button sends only values that differ from the
contract's defaults, so Meshy keeps applying its own defaults (e.g.
``should_remesh`` depends on ``ai_model``). The helpers here are pure
functions of a context so tests can check what the panel shows without a UI.
"""

from __future__ import annotations

from typing import Any

import bpy
from bpy.props import BoolProperty, EnumProperty, IntProperty, PointerProperty, StringProperty

from .. import preferences
from ..client.pricing import estimate_credits
from . import messages
from .params import PARAMS, Param, annotations, api_value, is_default

KINDS = ("remesh", "retexture", "image-to-3d", "image-to-image")
TITLES = {"remesh": "Remesh", "retexture": "Retexture", "image-to-3d": "Image to 3D",
          "image-to-image": "Image to Image"}
OPERATORS = {"remesh": "remesh", "retexture": "retexture", "image-to-3d": "image_to_3d",
             "image-to-image": "image_to_image"}
KIND_ITEMS = [(k.upper().replace("-", "_"), TITLES[k], f"Meshy {TITLES[k]}") for k in KINDS]
#: Operator-only options (not API parameters) the sidebar also keeps per scene.
EXTRA = {"remesh": ("keep_original",), "retexture": ("keep_original",), "image-to-image": ("pack_images",)}


def attr(kind: str) -> str:
    """The Scene attribute holding a kind's options: ``meshy_image_to_3d``."""
    return "meshy_" + kind.replace("-", "_")


def kind_from_id(identifier: str) -> str:
    return identifier.lower().replace("_", "-")


def _group(kind: str) -> type:
    extra: dict[str, Any] = {}
    if kind in ("remesh", "retexture"):
        extra["keep_original"] = BoolProperty(
            name="Keep Original", default=True,
            description="Keep the source object, hidden, next to the result (off: replace it)",
        )
    if kind == "image-to-image":
        extra["pack_images"] = BoolProperty(
            name="Pack Images", default=False,
            description="Pack the results into the .blend (off: link the files in the download folder)",
        )
    name = "MESHY_PG_" + kind.replace("-", "_")
    doc = f"Sidebar options of Meshy {TITLES[kind]}, saved with the scene."
    return type(name, (bpy.types.PropertyGroup,),
                {"__doc__": doc, "__annotations__": {**annotations(kind, for_scene=True), **extra}})


GROUPS = {kind: _group(kind) for kind in KINDS}


def options(context: bpy.types.Context, kind: str) -> Any:
    """The scene's option group for ``kind`` (None before registration)."""
    return getattr(context.scene, attr(kind), None)


def param(kind: str, name: str) -> Param:
    return next(p for p in PARAMS[kind] if p.name == name)


def changed_values(kind: str, group: Any) -> dict[str, Any]:
    """Operator keyword arguments: only the options that differ from the defaults."""
    out: dict[str, Any] = {}
    for p in PARAMS[kind]:
        value = getattr(group, p.name)
        if is_default(p, value):
            continue
        if p.type in {"files", "urls"}:
            out[p.name] = [{"name": item.name} for item in value if item.name]
        elif p.type == "enumset":
            out[p.name] = set(value)
        else:
            out[p.name] = value
    for name in EXTRA.get(kind, ()):
        out[name] = getattr(group, name)
    return out


def model_for_estimate(kind: str, group: Any) -> str | None:
    """The model the operator will use: the scene's, or the preferences' default."""
    if not hasattr(group, "ai_model"):
        return None
    if not is_default(param(kind, "ai_model"), group.ai_model):
        return api_value(group.ai_model)
    s = preferences.settings()
    default = s.default_image_model if kind == "image-to-image" else s.default_mesh_model
    return api_value(default)


def task_count(kind: str, context: bpy.types.Context, group: Any) -> int:
    """How many tasks one run makes: one per selected mesh for model kinds."""
    if kind in ("remesh", "retexture"):
        if group.input_task_id or group.model_url:
            return 1
        return len(selected_meshes(context))
    return 1


def estimate(kind: str, context: bpy.types.Context, group: Any) -> int:
    """Estimated credits of one run from the documented prices."""
    payload: dict[str, Any] = {"ai_model": model_for_estimate(kind, group)}
    if kind == "image-to-3d":
        payload["should_texture"] = group.should_texture
    if kind == "image-to-image":
        payload["generate_multi_view"] = group.generate_multi_view
    return estimate_credits(kind, payload) * task_count(kind, context, group)


def selected_meshes(context: bpy.types.Context) -> list[Any]:
    return [o for o in (getattr(context, "selected_objects", None) or []) if o.type == "MESH"]


def image_given(group: Any) -> bool:
    return bool(group.image_path or group.image_name or group.use_render
                or getattr(group, "image_url", "") or getattr(group, "input_task_id", ""))


def blocker(kind: str, context: bpy.types.Context, group: Any) -> str:
    """Why the Run button is disabled, or ``""`` when it can run."""
    if not bpy.app.online_access:
        return "Online access is off (see Account)"
    if not preferences.settings(context).api_key:
        return "Set your Meshy API key in the preferences"
    if kind in ("remesh", "retexture") and not (group.input_task_id or group.model_url):
        if not selected_meshes(context):
            verb = TITLES[kind].lower()
            return f"Select a mesh object to {verb}"
    if kind == "retexture" and not (group.text_style_prompt or group.image_style_url
                                    or group.style_image_path or group.style_image_name):
        return "Describe the texture or pick a style image"
    if kind == "image-to-3d" and not image_given(group):
        return "Choose an image: file, Blender image or render"
    if kind == "image-to-image":
        if not group.prompt.strip():
            return "Write a prompt"
        if not (image_given(group) or len(group.reference_image_paths) or len(group.reference_image_urls)):
            return "Add a reference image"
    return ""


class MESHY_OT_run(bpy.types.Operator):
    """Run this Meshy operation with the options shown in the sidebar"""

    bl_idname = "meshy.run"
    bl_label = "Run Meshy Operation"
    bl_options = {"REGISTER", "INTERNAL"}

    kind: EnumProperty(name="Operation", items=KIND_ITEMS)  # type: ignore[valid-type]
    use_active_image: BoolProperty(  # type: ignore[valid-type]
        name="Active Image", default=False, description="Use the Image Editor's image as the input",
    )

    @classmethod
    def description(cls, context: bpy.types.Context, props: Any) -> str:
        kind = kind_from_id(props.kind)
        group = options(context, kind)
        reason = blocker(kind, context, group) if group is not None else ""
        return f"Send to Meshy with the sidebar's options{': ' + reason if reason else ''}"

    def invoke(self, context: bpy.types.Context, event: Any) -> set[str]:
        return self._run(context, "INVOKE_DEFAULT")

    def execute(self, context: bpy.types.Context) -> set[str]:
        return self._run(context, "EXEC_DEFAULT")

    def _run(self, context: bpy.types.Context, how: str) -> set[str]:
        kind = kind_from_id(self.kind)
        group = options(context, kind)
        kwargs = changed_values(kind, group)
        if self.use_active_image:
            image = getattr(getattr(context, "space_data", None), "image", None)
            if image is None:
                self.report({"ERROR"}, "Open an image in the Image Editor first.")
                return {"CANCELLED"}
            for name in ("image_path", "use_render", "image_url", "input_task_id"):
                kwargs.pop(name, None)
            kwargs["image_name"] = image.name
        elif kind in ("remesh", "retexture"):
            kwargs.setdefault("keep_original", preferences.settings(context).keep_original)
        op = getattr(bpy.ops.meshy, OPERATORS[kind])
        try:
            return op(how, **kwargs)
        except RuntimeError as exc:  # the operator's ERROR report, raised by bpy.ops: pass it on
            text = str(exc).strip()
            self.report({"ERROR"}, text.split(":", 1)[1].strip() if text.startswith("Error:") else text)
            return {"CANCELLED"}
        except Exception as exc:  # never a traceback in the UI
            self.report({"ERROR"}, messages.explain(exc, f"starting {TITLES[kind]}"))
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
        group = options(context, "image-to-image")
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
        group = options(context, "image-to-image")
        if 0 <= self.index < len(group.reference_image_paths):
            group.reference_image_paths.remove(self.index)
        return {"FINISHED"}


classes = (*GROUPS.values(), MESHY_OT_run, MESHY_OT_add_reference, MESHY_OT_remove_reference)


def register() -> None:
    for kind, group in GROUPS.items():
        setattr(bpy.types.Scene, attr(kind), PointerProperty(type=group))


def unregister() -> None:
    for kind in KINDS:
        if hasattr(bpy.types.Scene, attr(kind)):
            delattr(bpy.types.Scene, attr(kind))
