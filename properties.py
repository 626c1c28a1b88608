"""Blender properties generated from the parameter table (``core/params.py``).

The operators' properties (``bpy.ops.meshy.remesh(target_polycount=...)``)
and the sidebar's per-scene options (``scene.meshy_remesh``, saved with the
.blend) come from the same rows, so the sidebar cannot offer an option the
operator lacks. Soft limits only (``core/params.py`` says why). Reading goes
one way: Blender values -> API values (``caller_values``, ``scene_values``),
which is what ``core.requests`` takes.
"""

from __future__ import annotations

from typing import Any

import bpy
from bpy.props import (
    BoolProperty,
    CollectionProperty,
    EnumProperty,
    FloatProperty,
    IntProperty,
    PointerProperty,
    StringProperty,
)

from .core.params import KIND_ITEMS, KINDS, PARAMS, TITLES, Param, api_value, enum_id
from .i18n import CONTEXT

MAX_HISTORY_PAGE = 50


class MESHY_PG_file_path(bpy.types.PropertyGroup):
    """A file path in ``name``, like Blender's file-browser lists."""

    name: StringProperty(name="File", subtype="FILE_PATH")  # type: ignore[valid-type]


def make_property(param: Param) -> Any:
    """The bpy property for one parameter (soft limits only)."""
    common = {"name": param.label or param.name, "description": param.description, "translation_context": CONTEXT}
    if param.type in {"str", "path", "image"}:
        subtype = "FILE_PATH" if param.type == "path" else "NONE"
        if param.suggest is not None:  # a text field that lists matches while typing; any text is kept
            common.update(search=_suggestions(param.suggest), search_options={"SUGGESTION"})
        return StringProperty(default=param.default or "", subtype=subtype, **common)
    if param.type == "bool":
        return BoolProperty(default=bool(param.default), **common)
    if param.type == "int":
        return IntProperty(default=int(param.default), soft_min=int(param.soft_min or 0),
                           soft_max=int(param.soft_max or 1_000_000), **common)
    if param.type == "float":
        return FloatProperty(default=float(param.default), soft_min=param.soft_min or 0.0, unit="LENGTH", **common)
    if param.type == "enum":
        items = [(enum_id(v), label, f"{param.description}: {label}") for v, label in param.items]
        return EnumProperty(items=items, default=enum_id(param.default), **common)
    if param.type == "enumset":
        items = [(enum_id(v), label, f"Produce {label}") for v, label in param.items]
        return EnumProperty(items=items, default={enum_id(v) for v in param.default}, options={"ENUM_FLAG"},
                            **common)
    if param.type in {"files", "urls"}:
        return CollectionProperty(type=MESHY_PG_file_path, **common)
    raise ValueError(f"unknown parameter type {param.type}")


def _suggestions(suggest: Any) -> Any:
    """A StringProperty ``search`` callback from a parameter's ``suggest(text)``."""
    return lambda _self, _context, text: suggest(text)


def operator_annotations(kind: str) -> dict[str, Any]:
    """Every parameter of ``kind`` as an operator property."""
    return {p.name: make_property(p) for p in PARAMS[kind]}


def to_api(param: Param, value: Any) -> Any:
    """A property value as the API spells it (``CHANGE_FPS`` -> ``change_fps``: the item's own value)."""
    if param.type == "enum":
        return _item_value(param, value)
    if param.type == "enumset":
        order = [v for v, _ in param.items]
        return sorted((_item_value(param, v) for v in value), key=order.index)
    if param.type in {"files", "urls"}:
        return [item.name for item in value if item.name]
    if param.type == "float":  # Blender keeps 32-bit floats: 1.7 reads 1.7000000476837158, sent as 1.7
        return float(f"{value:.7g}")
    return value


def _item_value(param: Param, identifier: str) -> str:
    return next((v for v, _ in param.items if enum_id(v) == identifier), api_value(identifier))


def caller_values(op: Any, kind: str) -> dict[str, Any]:
    """What the caller of an operator set (only these are sent), as API values."""
    values: dict[str, Any] = {}
    for p in PARAMS[kind]:
        value = getattr(op, p.name)
        if p.type in {"files", "urls"}:
            if len(value):
                values[p.name] = to_api(p, value)
        elif op.properties.is_property_set(p.name):
            values[p.name] = to_api(p, value)
    return values


def is_default(param: Param, value: Any) -> bool:
    """True when a property holds the contract's default (the sidebar sends only changes)."""
    if param.type == "enumset":
        return {_item_value(param, v) for v in value} == set(param.default)
    if param.type in {"files", "urls"}:
        return len(value) == 0
    if param.type == "enum":
        return _item_value(param, value) == param.default
    return value == param.default


# --------------------------------------------------------------------------- the sidebar's options


def attr(kind: str) -> str:
    """The Scene attribute holding a kind's options: ``meshy_image_to_3d``."""
    return "meshy_" + kind.replace("-", "_")


def _group(kind: str) -> type:
    annotations = {p.name: make_property(p) for p in PARAMS[kind] if p.sidebar}
    return type("MESHY_PG_" + kind.replace("-", "_"), (bpy.types.PropertyGroup,), {
        "__doc__": f"Sidebar options of Meshy {TITLES[kind]}, saved with the scene.",
        "__annotations__": annotations,
    })


GROUPS = {kind: _group(kind) for kind in KINDS}


def options(context: Any, kind: str) -> Any:
    """The scene's option group for ``kind`` (None before registration)."""
    return getattr(getattr(context, "scene", None), attr(kind), None)


def scene_values(group: Any, kind: str) -> dict[str, Any]:
    """Every sidebar option of ``kind`` as an API value (what the panel's view-model reads)."""
    return {p.name: to_api(p, getattr(group, p.name)) for p in PARAMS[kind] if p.sidebar}


def changed_values(group: Any, kind: str) -> dict[str, Any]:
    """Operator keyword arguments: only the sidebar options that differ from the defaults."""
    out: dict[str, Any] = {}
    for p in PARAMS[kind]:
        if not p.sidebar:
            continue
        value = getattr(group, p.name)
        if is_default(p, value):
            continue
        if p.type in {"files", "urls"}:
            out[p.name] = [{"name": item.name} for item in value if item.name]
        elif p.type == "enumset":
            out[p.name] = set(value)
        else:
            out[p.name] = value
    return out


class MESHY_PG_history(bpy.types.PropertyGroup):
    """Which kind the History panel shows and how many rows per page."""

    kind: EnumProperty(  # type: ignore[valid-type]
        name="Kind", items=KIND_ITEMS, default="IMAGE_TO_3D", translation_context=CONTEXT,
    )
    page_size: IntProperty(  # type: ignore[valid-type]
        name="Per Page", default=10, min=1, max=MAX_HISTORY_PAGE, description="Tasks per page (up to 50)",
    )


classes = (MESHY_PG_file_path, *GROUPS.values(), MESHY_PG_history)
_register_classes, _unregister_classes = bpy.utils.register_classes_factory(classes)


#: ``scene.meshy_mark_assets``: results of this scene's imports become assets (off: loose objects as before).
MARK_ASSETS = BoolProperty(
    name="Mark as Asset", default=False, translation_context=CONTEXT,
    description="Mark each imported result as an asset, with a preview, the prompt and task id, tags and a "
                "catalog per kind, for the Asset Browser",
)


def register() -> None:
    _register_classes()
    bpy.types.Scene.meshy_mark_assets = MARK_ASSETS
    for kind, group in GROUPS.items():
        setattr(bpy.types.Scene, attr(kind), PointerProperty(type=group))
    bpy.types.WindowManager.meshy_history = PointerProperty(type=MESHY_PG_history)


def unregister() -> None:
    if hasattr(bpy.types.WindowManager, "meshy_history"):
        del bpy.types.WindowManager.meshy_history
    if hasattr(bpy.types.Scene, "meshy_mark_assets"):
        del bpy.types.Scene.meshy_mark_assets
    for kind in KINDS:
        if hasattr(bpy.types.Scene, attr(kind)):
            delattr(bpy.types.Scene, attr(kind))
    _unregister_classes()
