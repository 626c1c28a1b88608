"""Materials from Meshy's PBR maps, and image files as Blender images."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from pathlib import Path

import bpy

from .common import SceneIOError, first_line

#: Map key -> (colour space, Principled BSDF input). "normal" goes through a Normal Map node.
PBR_MAPS: dict[str, tuple[str, str]] = {
    "base_color": ("sRGB", "Base Color"),
    "metallic": ("Non-Color", "Metallic"),
    "roughness": ("Non-Color", "Roughness"),
    "normal": ("Non-Color", "Normal"),
    "emission": ("sRGB", "Emission Color"),
}

# Datablock collections an importer may add to; rolled back on failure.


def load_image(path: str | Path) -> bpy.types.Image:
    path = Path(path)
    if not path.is_file():
        raise SceneIOError(f"The texture file {path} does not exist")
    try:
        return bpy.data.images.load(str(path), check_existing=True)
    except RuntimeError as exc:
        raise SceneIOError(f"Blender could not read the image {path.name}: {first_line(exc)}") from exc


def build_pbr_material(name: str, maps: Mapping[str, str | Path]) -> bpy.types.Material:
    """A Principled BSDF material wired from Meshy's PBR texture files.

    Base colour and emission are read as sRGB; metallic, roughness and normal
    as Non-Color (data), the normal map through a Normal Map node. Only the
    maps given are wired; unknown keys are refused before anything is made.
    """
    unknown = sorted(set(maps) - set(PBR_MAPS))
    if unknown:
        raise SceneIOError(f"Unknown texture map {', '.join(unknown)}; expected some of {', '.join(PBR_MAPS)}")
    images = {key: load_image(maps[key]) for key in PBR_MAPS if key in maps}

    material = bpy.data.materials.new(name)
    if bpy.app.version < (5, 0, 0):
        material.use_nodes = True  # always on (and deprecated) from 5.0
    tree = material.node_tree
    nodes, links = tree.nodes, tree.links
    # A new material comes with a Principled BSDF wired to an output: kept (clearing and remaking
    # them is a fifth of this function's time on an import).
    output = next((n for n in nodes if n.type == "OUTPUT_MATERIAL"), None)
    bsdf = next((n for n in nodes if n.type == "BSDF_PRINCIPLED"), None)
    if output is None or bsdf is None or len(nodes) != 2:
        nodes.clear()
        output, bsdf = nodes.new("ShaderNodeOutputMaterial"), nodes.new("ShaderNodeBsdfPrincipled")
    output.location, bsdf.location = (400, 0), (0, 0)
    if not bsdf.outputs["BSDF"].is_linked:
        links.new(bsdf.outputs["BSDF"], output.inputs["Surface"])
    for row, (key, image) in enumerate(images.items()):
        colorspace, socket = PBR_MAPS[key]
        image.colorspace_settings.name = colorspace
        tex = nodes.new("ShaderNodeTexImage")
        tex.name = tex.label = key.replace("_", " ").title()
        tex.image = image
        tex.location = (-700, 300 - row * 300)
        if key == "normal":
            normal_map = nodes.new("ShaderNodeNormalMap")
            normal_map.location = (-250, 300 - row * 300)
            links.new(tex.outputs["Color"], normal_map.inputs["Color"])
            links.new(normal_map.outputs["Normal"], bsdf.inputs["Normal"])
        else:
            links.new(tex.outputs["Color"], bsdf.inputs[socket])
        if key == "emission":
            bsdf.inputs["Emission Strength"].default_value = 1.0
    return material


def apply_material(objects: Iterable[bpy.types.Object], material: bpy.types.Material) -> None:
    """Give mesh objects exactly one material slot holding ``material`` (non-meshes are skipped)."""
    for obj in objects:
        if obj.type != "MESH":
            continue
        mesh = obj.data
        mesh.materials.clear()
        mesh.materials.append(material)
        for slot in obj.material_slots:
            slot.link = "DATA"
        _zero_material_indices(mesh)


def _zero_material_indices(mesh: bpy.types.Mesh) -> None:
    """Every face on slot 0; cheap, since a mesh with no index attribute is all zeros already."""
    attribute = mesh.attributes.get("material_index")
    if attribute is None:
        return
    if attribute.domain == "FACE" and attribute.data_type == "INT":
        mesh.attributes.remove(attribute)
    else:  # not the built-in attribute (should not happen): write zeros face by face
        mesh.polygons.foreach_set("material_index", array("i", bytes(4 * len(mesh.polygons))))
    mesh.update()


def load_images(paths: Iterable[str | Path], *, pack: bool) -> list[bpy.types.Image]:
    """Load image files as Blender images (reusing ones already loaded), packed into the .blend if asked."""
    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SceneIOError(f"The image file {missing[0]} does not exist")
    images: list[bpy.types.Image] = []
    before = {i.as_pointer() for i in bpy.data.images}
    try:
        for p in paths:
            image = load_image(p)
            if pack and image.packed_file is None:
                image.pack()
            images.append(image)
    except BaseException:
        for image in images:
            if image.as_pointer() not in before:
                bpy.data.images.remove(image)
        raise
    return images
