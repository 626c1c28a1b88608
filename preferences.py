"""Add-on preferences, and the settings the rest of the add-on reads.

The API key lives only in Blender's user preferences (never in a .blend).
Environment variables win over preferences so a headless render node can run
with ``MESHY_API_KEY=... blender -b --python job.py`` and no saved settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import bpy
from bpy.props import BoolProperty, EnumProperty, IntProperty, StringProperty

DEFAULT_BASE_URL = "https://api.meshy.ai"
ADDON_ID = __package__ or "meshy_tools"

MESH_MODELS = [
    ("LATEST", "Latest", "Meshy's newest model (Meshy 6)"),
    ("MESHY_6", "Meshy 6", "Meshy 6"),
    ("MESHY_5", "Meshy 5", "Meshy 5 (cheaper)"),
]
IMAGE_MODELS = [
    ("NANO_BANANA", "Nano Banana", "3 credits per image"),
    ("NANO_BANANA_2", "Nano Banana 2", "6 credits per image"),
    ("NANO_BANANA_PRO", "Nano Banana Pro", "9 credits per image"),
    ("GPT_IMAGE_2", "GPT Image 2", "12 credits per image"),
]


@dataclass(frozen=True)
class Settings:
    """A snapshot of what the client needs, with env overrides applied (its repr never shows the key)."""

    api_key: str = field(repr=False)
    base_url: str
    max_in_flight: int
    download_dir: Path
    proxy: str
    ca_bundle: str
    keep_original: bool
    key_from_env: bool
    default_mesh_model: str
    default_image_model: str


class MESHY_AddonPreferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_ID

    api_key: StringProperty(  # type: ignore[valid-type]
        name="API Key",
        description="Your Meshy API key (meshy.ai > Settings > API). MESHY_API_KEY in the environment wins",
        subtype="PASSWORD",
    )
    base_url: StringProperty(  # type: ignore[valid-type]
        name="Base URL",
        description="Meshy API address; MESHY_BASE_URL in the environment wins",
        default=DEFAULT_BASE_URL,
    )
    max_in_flight: IntProperty(  # type: ignore[valid-type]
        name="Tasks in Flight",
        description="Most Meshy tasks running at once; more wait on this machine (Pro accounts allow 10)",
        default=10, min=1, soft_max=100, max=1000,
    )
    download_dir: StringProperty(  # type: ignore[valid-type]
        name="Download Folder",
        description="Where results are saved; empty uses the add-on's own user folder",
        subtype="DIR_PATH",
    )
    proxy: StringProperty(  # type: ignore[valid-type]
        name="Proxy",
        description="HTTPS proxy, e.g. http://proxy.example:3128 (empty: system settings)",
    )
    ca_bundle: StringProperty(  # type: ignore[valid-type]
        name="CA Bundle",
        description="Certificate bundle for a proxy that inspects TLS (empty: the default)",
        subtype="FILE_PATH",
    )
    keep_original: BoolProperty(  # type: ignore[valid-type]
        name="Keep Original",
        description="Keep the source object hidden next to the result instead of replacing it",
        default=True,
    )
    default_mesh_model: EnumProperty(  # type: ignore[valid-type]
        name="3D Model", description="Default AI model for Image to 3D and Retexture", items=MESH_MODELS,
    )
    default_image_model: EnumProperty(  # type: ignore[valid-type]
        name="Image Model", description="Default AI model for Image to Image", items=IMAGE_MODELS,
    )

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        col = layout.column()
        col.use_property_split = True
        row = col.row()
        row.active = not os.environ.get("MESHY_API_KEY")
        row.prop(self, "api_key")
        if os.environ.get("MESHY_API_KEY"):
            col.label(text="MESHY_API_KEY is set in the environment and is used instead.", icon="INFO")
        col.prop(self, "base_url")
        col.prop(self, "max_in_flight")
        col.prop(self, "download_dir")
        col.prop(self, "keep_original")
        col.separator()
        col.prop(self, "default_mesh_model")
        col.prop(self, "default_image_model")
        col.separator()
        col.prop(self, "proxy")
        col.prop(self, "ca_bundle")
        if not bpy.app.online_access:
            col.label(text="Online access is off: Preferences > System > Network > Allow Online Access.",
                      icon="ERROR")


def addon_prefs(context: bpy.types.Context | None = None) -> MESHY_AddonPreferences | None:
    context = context or bpy.context
    addon = context.preferences.addons.get(ADDON_ID)
    return addon.preferences if addon else None


def user_dir() -> Path:
    """The add-on's own writable folder (never inside the extension itself).

    ``MESHY_TOOLS_DIR`` moves it (journal, uploads, default downloads), e.g. to
    shared storage on a render farm or to a scratch folder in tests.
    """
    if os.environ.get("MESHY_TOOLS_DIR"):
        path = Path(os.environ["MESHY_TOOLS_DIR"])
        path.mkdir(parents=True, exist_ok=True)
        return path
    try:
        return Path(bpy.utils.extension_path_user(ADDON_ID, create=True))
    except (ValueError, AttributeError):  # loaded as a legacy add-on, not an extension
        path = Path(bpy.utils.user_resource("DATAFILES", path="meshy_tools", create=True))
        return path


def settings(context: bpy.types.Context | None = None) -> Settings:
    """Read preferences and environment into one immutable snapshot."""
    prefs = addon_prefs(context)
    env_key = os.environ.get("MESHY_API_KEY", "").strip()
    download = (prefs.download_dir if prefs else "") or os.environ.get("MESHY_DOWNLOAD_DIR", "")
    return Settings(
        api_key=env_key or (prefs.api_key.strip() if prefs else ""),
        base_url=(os.environ.get("MESHY_BASE_URL", "").strip() or (prefs.base_url if prefs else "")
                  or DEFAULT_BASE_URL).rstrip("/"),
        max_in_flight=prefs.max_in_flight if prefs else 10,
        download_dir=Path(bpy.path.abspath(download)) if download else user_dir() / "downloads",
        proxy=prefs.proxy.strip() if prefs else "",
        ca_bundle=bpy.path.abspath(prefs.ca_bundle) if prefs and prefs.ca_bundle else "",
        keep_original=prefs.keep_original if prefs else True,
        key_from_env=bool(env_key),
        default_mesh_model=prefs.default_mesh_model if prefs else "LATEST",
        default_image_model=prefs.default_image_model if prefs else "NANO_BANANA",
    )


classes = (MESHY_AddonPreferences,)
register, unregister = bpy.utils.register_classes_factory(classes)
