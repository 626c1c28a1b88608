"""Images for Meshy's image inputs: a render of the scene, a Blender image as a PNG file."""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import Any

import bpy
from mathutils import Vector

from .common import SceneIOError, in_view_layer, saved_attrs


def _framing_targets(scene: bpy.types.Scene, view_layer: bpy.types.ViewLayer) -> list[bpy.types.Object]:
    visible = [o for o in scene.objects if o.type in {"MESH", "CURVE", "SURFACE", "META", "FONT"}
               and in_view_layer(o, view_layer) and o.visible_get(view_layer=view_layer)]
    selected = [o for o in visible if o.select_get(view_layer=view_layer)]
    return selected or visible


def _frame_camera(camera: bpy.types.Object, objects: list[bpy.types.Object], depsgraph: bpy.types.Depsgraph) -> None:
    """Aim a camera from the front-right-above at the objects' bounding boxes, filling the frame."""
    corners = [obj.matrix_world @ Vector(c) for obj in objects for c in obj.bound_box]
    if not corners:
        corners = [Vector((-1, -1, -1)), Vector((1, 1, 1))]
    centre = sum(corners, Vector()) / len(corners)
    direction = Vector((1.0, -1.6, 0.9)).normalized()
    camera.rotation_euler = direction.to_track_quat("Z", "Y").to_euler()
    camera.location = centre + direction * 10.0
    depsgraph.update()
    flat = [v for c in corners for v in c]
    location, _scale = camera.camera_fit_coords(depsgraph, flat)
    # Back off a little so the silhouette does not touch the border.
    camera.location = Vector(location) + direction * 0.1 * max((c - centre).length for c in corners)


def render_scene_to_png(scene: bpy.types.Scene, path: str | Path, *, resolution: int = 512) -> Path:
    """Render the scene to a square PNG (Workbench), for Meshy's image inputs.

    Uses the scene camera; without one, a temporary camera frames the
    selection (or everything visible). Every render setting touched is put
    back afterwards and the temporary camera is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    render = scene.render
    settings = render.image_settings
    temp_camera = None
    pairs: list[tuple[Any, str]] = [
        (render, "engine"), (render, "resolution_x"), (render, "resolution_y"),
        (render, "resolution_percentage"), (render, "pixel_aspect_x"), (render, "pixel_aspect_y"),
        (render, "use_border"), (render, "film_transparent"), (scene, "camera"),
    ]
    pairs += [(settings, "file_format"), (settings, "color_mode"), (settings, "color_depth"),
              (settings, "compression")]
    if hasattr(settings, "media_type"):  # 5.0+: restored first (pairs are restored in reverse), then the format
        pairs.append((settings, "media_type"))
    with saved_attrs(*pairs):
        try:
            view_layer = bpy.context.view_layer if bpy.context.scene == scene else scene.view_layers[0]
            if scene.camera is None:
                data = bpy.data.cameras.new("meshy_render_camera")
                temp_camera = bpy.data.objects.new("meshy_render_camera", data)
                scene.collection.objects.link(temp_camera)
                scene.camera = temp_camera
                depsgraph = bpy.context.evaluated_depsgraph_get() if bpy.context.scene == scene \
                    else scene.view_layers[0].depsgraph
                _frame_camera(temp_camera, _framing_targets(scene, view_layer), depsgraph)
            render.engine = "BLENDER_WORKBENCH"
            render.resolution_x = render.resolution_y = int(resolution)
            render.resolution_percentage = 100
            render.pixel_aspect_x = render.pixel_aspect_y = 1.0
            render.use_border = False
            render.film_transparent = False
            if hasattr(settings, "media_type"):
                settings.media_type = "IMAGE"
            settings.file_format = "PNG"
            settings.color_mode = "RGB"
            settings.color_depth = "8"
            settings.compression = 15
            result = bpy.ops.render.render(write_still=False, scene=scene.name)
            if "FINISHED" not in result:
                raise SceneIOError("Blender could not render the scene")
            bpy.data.images["Render Result"].save_render(filepath=str(path), scene=scene)
        finally:
            if temp_camera is not None:
                data = temp_camera.data
                bpy.data.objects.remove(temp_camera, do_unlink=True)
                bpy.data.cameras.remove(data)
                bpy.context.view_layer.update()  # resync: the removed camera would linger as None
    if not path.is_file():
        raise SceneIOError(f"The render could not be saved to {path}")
    return path


def image_to_png(image: bpy.types.Image, path: str | Path) -> Path:
    """Write a Blender image (file, packed, generated or painted) to a PNG file for upload.

    The image itself is not changed: a temporary copy is saved, so its file
    path, format and packed data stay as they were.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if image.type in {"RENDER_RESULT", "COMPOSITING"}:
        image.save_render(filepath=str(path), scene=bpy.context.scene)
        return path
    width, height = image.size
    if not image.has_data or width == 0 or height == 0:
        raise SceneIOError(f"The image {image.name} has no pixels (is its file missing?)")
    # A fresh image holding the pixels, never the user's own datablock.
    # Byte pixels travel as stored (8-bit PNG); float pixels are scene-linear and Blender
    # writes them as a 16-bit PNG encoded for the image's colour space.
    copy = bpy.data.images.new("meshy_upload_tmp", width, height, alpha=True, float_buffer=image.is_float)
    try:
        copy.colorspace_settings.name = image.colorspace_settings.name
        copy.pixels.foreach_set(_rgba_pixels(image, width * height))
        copy.filepath_raw = str(path)
        copy.file_format = "PNG"
        copy.save()
    finally:
        bpy.data.images.remove(copy)
    if not path.is_file():
        raise SceneIOError(f"The image {image.name} could not be saved to {path}")
    return path


def _rgba_pixels(image: bpy.types.Image, count: int) -> array:
    """The image's pixels as flat RGBA floats (Blender's buffers are RGBA for almost every image).

    Plain ``array``, not numpy: some Blender builds (Debian's) ship without numpy.
    """
    channels = image.channels
    raw = array("f", bytes(4 * count * channels))
    image.pixels.foreach_get(raw)
    if channels == 4:
        return raw
    rgba = array("f", [1.0]) * (count * 4)
    for c in range(3):  # grey (1-2 channels) repeats its first channel; RGB copies its own
        rgba[c::4] = raw[min(c, channels - 1) if channels >= 3 else 0::channels]
    return rgba
