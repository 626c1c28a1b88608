"""The emulator's FBX, .blend and OBJ remesh results open in real Blender with their quads and textures.

The emulator runs in this (Blender) process; Blender writes its FBX and .blend
in a child process, never here.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import requests
import trimesh
from test_emulator_api import create, model_uri, wait

bpy = pytest.importorskip("bpy")


def remesh_files(emu, formats: list[str]) -> tuple[dict, Path]:
    emu.configure(rate_limit=0)  # this test polls with plain requests
    torus = trimesh.creation.torus(1.0, 0.35)
    rt = wait(emu, "retexture", create(emu, "retexture", {"model_url": model_uri(torus), "enable_pbr": True,
                                                        "text_style_prompt": "green plastic",
                                                        "target_formats": ["glb"]}), 60)
    task = wait(emu, "remesh", create(emu, "remesh", {"input_task_id": rt["id"], "topology": "quad",
                                                      "target_polycount": 800, "target_formats": formats}), 120)
    assert task["status"] == "SUCCEEDED", task
    folder = Path(tempfile.mkdtemp(prefix="meshy-emu-formats-"))
    for fmt, url in task["model_urls"].items():
        (folder / f"model.{fmt}").write_bytes(requests.get(url, timeout=60).content)
    for url in task["texture_urls"][0].values():
        name = url.split("?")[0].rsplit("/", 1)[1]
        (folder / name).write_bytes(requests.get(url, timeout=60).content)
    return task, folder


def mesh_of(before: set) -> bpy.types.Object:
    return next(o for o in bpy.data.objects if o not in before and o.type == "MESH")


def quad_share(obj: bpy.types.Object) -> float:
    polys = obj.data.polygons
    return sum(p.loop_total == 4 for p in polys) / len(polys)


def test_fbx_blend_and_obj_keep_quads_and_textures(emu) -> None:
    _, folder = remesh_files(emu, ["glb", "obj", "fbx", "blend"])
    bpy.ops.wm.read_homefile(use_empty=True)
    shares, images = {}, {}
    for fmt in ("obj", "fbx"):
        before = set(bpy.data.objects)
        if fmt == "obj":
            bpy.ops.wm.obj_import(filepath=str(folder / "model.obj"))
        else:
            bpy.ops.import_scene.fbx(filepath=str(folder / "model.fbx"))
        obj = mesh_of(before)
        shares[fmt] = quad_share(obj)
        images[fmt] = {n.image.name.split(".")[0] for n in obj.active_material.node_tree.nodes
                       if n.type == "TEX_IMAGE" and n.image}
        assert abs(len(obj.data.polygons) - 800) <= 80 and obj.data.uv_layers
        assert obj.dimensions.x == pytest.approx(2.7, rel=0.05)  # the torus, upright like its GLB
    with bpy.data.libraries.load(str(folder / "model.blend")) as (src, dst):
        dst.objects = list(src.objects)
    obj = next(o for o in dst.objects if o.type == "MESH")
    shares["blend"] = quad_share(obj)
    packed = [n.image.packed_file is not None for n in obj.active_material.node_tree.nodes
              if n.type == "TEX_IMAGE" and n.image]
    assert len(packed) >= 4 and all(packed)  # the .blend carries its textures
    assert min(shares.values()) >= 0.9, shares
    assert all({"texture_0", "texture_0_normal"} <= names for names in images.values()), images
