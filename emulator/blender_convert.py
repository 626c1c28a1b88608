"""Runs inside a child Python that has `bpy`: Blender writes FBX, .blend and USDZ, and reads FBX.

Never imported by the emulator (the emulator may itself run inside the Blender
process under test); `emulator.convert` starts it as a script:

    python blender_convert.py export JOB_DIR   # JOB_DIR/job.json names the mesh, maps and outputs
    python blender_convert.py import IN.fbx OUT.glb
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import bpy
import numpy as np

NON_COLOR = ("metallic", "roughness", "normal")


def _clear() -> None:
    """Empty the startup scene (factory settings would also drop the bundled add-ons)."""
    for obj in list(bpy.data.objects):
        bpy.data.objects.remove(obj, do_unlink=True)
    for coll in (bpy.data.meshes, bpy.data.materials, bpy.data.cameras, bpy.data.lights, bpy.data.images):
        for block in list(coll):
            coll.remove(block)


def _material(job_dir: Path, maps: dict[str, str]) -> bpy.types.Material:
    mat = bpy.data.materials.new("Material")
    mat.use_nodes = True
    nodes, links = mat.node_tree.nodes, mat.node_tree.links
    bsdf = next(n for n in nodes if n.type == "BSDF_PRINCIPLED")
    if not maps:
        bsdf.inputs["Base Color"].default_value = (0.58, 0.58, 0.58, 1.0)
        bsdf.inputs["Roughness"].default_value = 0.8
        return mat
    bsdf.inputs["Metallic"].default_value = 0.0
    for x, (key, name) in enumerate(sorted(maps.items())):
        node = nodes.new("ShaderNodeTexImage")
        node.image = bpy.data.images.load(str(job_dir / name))
        node.image.name = Path(name).stem
        node.location = (-700, 300 - 280 * x)
        if key in NON_COLOR:
            node.image.colorspace_settings.name = "Non-Color"
        if key == "base_color":
            links.new(node.outputs["Color"], bsdf.inputs["Base Color"])
        elif key == "metallic":
            links.new(node.outputs["Color"], bsdf.inputs["Metallic"])
        elif key == "roughness":
            links.new(node.outputs["Color"], bsdf.inputs["Roughness"])
        elif key == "normal":
            normal = nodes.new("ShaderNodeNormalMap")
            normal.location = (-300, 300 - 280 * x)
            links.new(node.outputs["Color"], normal.inputs["Color"])
            links.new(normal.outputs["Normal"], bsdf.inputs["Normal"])
        elif key == "emission":
            socket = bsdf.inputs.get("Emission Color") or bsdf.inputs["Emission"]
            links.new(node.outputs["Color"], socket)
            strength = bsdf.inputs.get("Emission Strength")
            if strength is not None:
                strength.default_value = 1.0
    return mat


def _build(job_dir: Path, job: dict) -> bpy.types.Object:
    data = np.load(job_dir / job["mesh"])
    v = data["vertices"].astype(np.float64)
    sizes, corners = data["sizes"].astype(np.int64), data["corners"].astype(np.int32)
    co = np.column_stack([v[:, 0], -v[:, 2], v[:, 1]]).astype(np.float32)  # glTF Y up -> Blender Z up
    mesh = bpy.data.meshes.new(job.get("name", "Model"))
    mesh.vertices.add(len(co))
    mesh.vertices.foreach_set("co", co.ravel())
    mesh.loops.add(len(corners))
    mesh.loops.foreach_set("vertex_index", corners)
    mesh.polygons.add(len(sizes))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int32)
    mesh.polygons.foreach_set("loop_start", starts)
    if "loop_total" in mesh.polygons[0].bl_rna.properties and \
            not mesh.polygons[0].bl_rna.properties["loop_total"].is_readonly:
        mesh.polygons.foreach_set("loop_total", sizes.astype(np.int32))
    if "uv" in data.files:
        layer = mesh.uv_layers.new(name="UVMap")
        layer.data.foreach_set("uv", data["uv"].astype(np.float32).ravel())
    mesh.update(calc_edges=True)
    mesh.validate()
    mesh.polygons.foreach_set("use_smooth", np.ones(len(mesh.polygons), dtype=bool))
    mesh.materials.append(_material(job_dir, job.get("maps", {})))
    obj = bpy.data.objects.new(mesh.name, mesh)
    bpy.context.scene.collection.objects.link(obj)
    return obj


def export(job_dir: Path) -> None:
    job = json.loads((job_dir / "job.json").read_text())
    _clear()
    obj = _build(job_dir, job)
    bpy.context.view_layer.objects.active = obj
    obj.select_set(True)
    outputs = job["outputs"]
    if "fbx" in outputs:
        bpy.ops.export_scene.fbx(filepath=str(job_dir / outputs["fbx"]), use_selection=False,
                                 path_mode="COPY", embed_textures=True, mesh_smooth_type="FACE")
    if "usdz" in outputs:
        bpy.ops.wm.usd_export(filepath=str(job_dir / outputs["usdz"]), export_materials=True)
    if "blend" in outputs:
        bpy.ops.file.pack_all()
        bpy.ops.wm.save_as_mainfile(filepath=str(job_dir / outputs["blend"]), copy=True, compress=False)


def import_fbx(src: Path, dst: Path) -> None:
    _clear()
    bpy.ops.import_scene.fbx(filepath=str(src))
    if not any(o.type == "MESH" for o in bpy.data.objects):
        raise SystemExit("The FBX file holds no mesh.")
    bpy.ops.export_scene.gltf(filepath=str(dst), export_format="GLB", export_apply=True,
                              export_animations=False, export_skins=False, export_morph=False)


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(Path(sys.argv[2]))
    elif sys.argv[1] == "import":
        import_fbx(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        raise SystemExit(f"unknown mode {sys.argv[1]!r}")
