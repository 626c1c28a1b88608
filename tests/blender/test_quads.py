"""Quads arrive as quads, textures stay on remeshed results: real Blender against the emulator.

A quad result is imported from the OBJ Meshy makes beside the GLB (glTF
holds triangles only) with the same placement, material, properties, undo
step and rollback as a GLB result; triangle results stay GLB.

    .venv/bin/python -m pytest tests/blender/test_quads.py -q
"""

from __future__ import annotations

import json
import sys
from array import array

import bpy
import pytest
from mathutils import Matrix, Vector

from conftest import ADDON

pytestmark = pytest.mark.usefixtures("meshy")
TARGET = 1500


def make_source(name: str = "Chair", segments: int = 64) -> bpy.types.Object:
    """A UV sphere (about 4,000 faces) squashed along X and turned, so a flipped axis shows."""
    bpy.ops.mesh.primitive_uv_sphere_add(segments=segments, ring_count=segments // 2)
    obj = bpy.context.object
    obj.name = name
    obj.data.transform(Matrix.Diagonal((0.6, 1.0, 1.4, 1.0)))
    obj.matrix_world = Matrix.LocRotScale((1.0, 2.0, 3.0), None, (1.5, 1.5, 1.5)) @ Matrix.Rotation(0.5, 4, "Z")
    return obj


def select_only(obj: bpy.types.Object) -> None:
    bpy.ops.object.select_all(action="DESELECT")
    obj.select_set(True)
    bpy.context.view_layer.objects.active = obj


def result(suffix: str) -> bpy.types.Object:
    (obj,) = [o for o in bpy.data.objects if o.name.endswith(suffix) and o.type == "MESH"]
    return obj


def sizes(obj: bpy.types.Object) -> list[int]:
    return [p.loop_total for p in obj.data.polygons]


def quad_share(obj: bpy.types.Object) -> float:
    faces = sizes(obj)
    return sum(s == 4 for s in faces) / len(faces)


def world_box(obj: bpy.types.Object) -> tuple[Vector, Vector]:
    points = [obj.matrix_world @ v.co for v in obj.data.vertices]
    return (Vector([min(p[i] for p in points) for i in range(3)]),
            Vector([max(p[i] for p in points) for i in range(3)]))


def assert_same_place(made: bpy.types.Object, source: bpy.types.Object, tolerance: float = 0.03) -> None:
    (lo, hi), (slo, shi) = world_box(made), world_box(source)
    size = (shi - slo).length
    assert (lo - slo).length < tolerance * size and (hi - shi).length < tolerance * size, (lo, hi, slo, shi)


@pytest.mark.parametrize("topology", ["QUAD", "TRIANGLE"])
def test_remesh_result_keeps_its_topology_and_polycount(meshy, topology):
    source = make_source()
    assert bpy.ops.meshy.remesh(topology=topology, target_polycount=TARGET) == {"FINISHED"}
    made = result("_remesh")
    faces = sizes(made)
    assert abs(len(faces) / TARGET - 1) <= 0.15, len(faces)
    if topology == "QUAD":
        assert quad_share(made) >= 0.9, quad_share(made)
    else:
        assert set(faces) == {3}
    assert_same_place(made, source)
    assert made.matrix_world == source.matrix_world  # the OBJ's axis turn is in the mesh, not on the object
    entry = next(iter(meshy.tasks.values()))
    assert ("model_obj" in entry.files) == (topology == "QUAD")
    assert made["meshy_task_id"] == entry.task_id and made["meshy_kind"] == "remesh"
    scene = sys.modules[f"{ADDON}.scene"]
    assert scene.task_source(made) == ("remesh", entry.task_id)  # an unedited result chains by its id
    assert source.hide_get()


def test_retexture_of_a_quad_result_chains_by_id_keeps_quads_and_wires_pbr_maps(meshy, emu):
    make_source()
    bpy.ops.meshy.remesh(topology="QUAD", target_polycount=800)
    remeshed = result("_remesh")
    select_only(remeshed)
    assert bpy.ops.meshy.retexture(text_style_prompt="rusty iron", enable_pbr=True) == {"FINISHED"}
    made = result("_retexture")
    entry = [e for e in meshy.tasks.values() if e.kind == "retexture"][0]
    settings = entry.meta["settings"]
    assert settings["input_task_id"] == remeshed["meshy_task_id"] and "obj" in settings["target_formats"]
    post = [r for r in emu.log if r["method"] == "POST" and r["path"].endswith("/retexture")]
    assert post[0]["body_size"] < 1000  # the id, no upload
    assert quad_share(made) >= 0.9 and len(made.data.polygons) == len(remeshed.data.polygons)
    assert_same_place(made, remeshed, 0.01)
    (material,) = made.data.materials
    spaces = {n.image.filepath.rsplit("/", 1)[-1]: n.image.colorspace_settings.name
              for n in material.node_tree.nodes if n.type == "TEX_IMAGE"}
    assert spaces == {"base_color.png": "sRGB", "metallic.png": "Non-Color", "roughness.png": "Non-Color",
                      "normal.png": "Non-Color", "emission.png": "sRGB"}
    assert not [m for m in bpy.data.materials if m.users == 0]  # the OBJ's own material is not left behind


def test_image_to_3d_with_quad_remesh_arrives_as_quads(meshy, tmp_path):
    from PIL import Image, ImageDraw

    path = tmp_path / "ball.png"
    img = Image.new("RGB", (128, 128), (240, 240, 240))
    ImageDraw.Draw(img).ellipse((16, 16, 112, 112), fill=(200, 40, 40))
    img.save(path)
    assert bpy.ops.meshy.image_to_3d(image_path=str(path), should_remesh=True, topology="QUAD",
                                     target_polycount=800) == {"FINISHED"}
    made = result("_3d")
    assert quad_share(made) >= 0.9 and abs(len(made.data.polygons) / 800 - 1) <= 0.15


def test_sidebar_run_with_quads(meshy):
    make_source("Crate")
    group = bpy.context.scene.meshy_remesh
    group.topology = "QUAD"
    group.target_polycount = 600
    assert bpy.ops.meshy.run(kind="REMESH") == {"FINISHED"}
    assert quad_share(result("_remesh")) >= 0.9


def test_quad_import_is_one_undo_step(meshy):
    make_source()
    bpy.ops.ed.undo_push(message="before")
    bpy.ops.meshy.remesh(topology="QUAD", target_polycount=600)
    assert len(bpy.data.objects) == 2
    bpy.ops.ed.undo()
    assert [o.name for o in bpy.data.objects] == ["Chair"] and not bpy.data.objects["Chair"].hide_get()


def test_a_quad_import_that_fails_leaves_the_scene_as_it_was(meshy, tmp_path):
    source = make_source()
    bpy.ops.meshy.remesh(topology="QUAD", target_polycount=600)
    entry = next(iter(meshy.tasks.values()))
    bpy.data.objects.remove(result("_remesh"))
    bpy.data.orphans_purge(do_recursive=True)
    source.hide_set(False)
    before = {attr: len(getattr(bpy.data, attr)) for attr in ("objects", "meshes", "materials", "images")}
    scene = sys.modules[f"{ADDON}.scene"]
    files = {**entry.files, "normal": str(tmp_path / "gone.png")}  # fails after the OBJ is in
    with pytest.raises(scene.SceneIOError):
        scene.import_result("remesh", files, {**entry.meta, "source": source.name}, entry.task_id)
    assert {attr: len(getattr(bpy.data, attr)) for attr in before} == before
    assert not source.hide_get()
    broken = {**entry.files, "model_obj": str(tmp_path / "broken.obj")}
    (tmp_path / "broken.obj").write_text("this is not a model\n")
    with pytest.raises(ValueError):
        scene.import_result("remesh", broken, {**entry.meta, "source": source.name}, entry.task_id)
    assert {attr: len(getattr(bpy.data, attr)) for attr in before} == before


# -- textures through remesh (the wine scene: a textured source of several materials) ------------

def two_material_source(tmp_path) -> bpy.types.Object:
    """A sphere whose -X half has a red image texture and +X half a blue one (two materials)."""
    from PIL import Image

    obj = make_source("Wine")
    for colour, side in (((220, 30, 30), "red"), ((30, 30, 220), "blue")):
        path = tmp_path / f"{side}.png"
        Image.new("RGB", (16, 16), colour).save(path)
        material = bpy.data.materials.new(side)
        if bpy.app.version < (5, 0, 0):
            material.use_nodes = True
        nodes = material.node_tree.nodes
        tex = nodes.new("ShaderNodeTexImage")
        tex.image = bpy.data.images.load(str(path))
        material.node_tree.links.new(tex.outputs["Color"], nodes["Principled BSDF"].inputs["Base Color"])
        obj.data.materials.append(material)
    for poly in obj.data.polygons:
        poly.material_index = 0 if poly.center.x < 0 else 1
    return obj


def base_colour_by_side(obj: bpy.types.Object) -> tuple[float, float]:
    """Share of corners on the -X side that read red, and on the +X side that read blue, in the result's map."""
    (material,) = obj.data.materials
    link = material.node_tree.nodes["Principled BSDF"].inputs["Base Color"].links[0]
    image = link.from_node.image
    w, h = image.size
    pixels = array("f", bytes(4 * w * h * 4))
    image.pixels.foreach_get(pixels)
    mesh = obj.data
    uv = array("f", bytes(4 * 2 * len(mesh.loops)))
    mesh.uv_layers.active.data.foreach_get("uv", uv)
    red = blue = n_red = n_blue = 0
    for i, loop in enumerate(mesh.loops):
        x = mesh.vertices[loop.vertex_index].co.x
        if abs(x) < 0.15:
            continue
        u, v = uv[2 * i] % 1.0, uv[2 * i + 1] % 1.0
        p = 4 * (min(int(v * h), h - 1) * w + min(int(u * w), w - 1))
        is_red = pixels[p] > pixels[p + 2]
        if x < 0:
            n_red += 1
            red += is_red
        else:
            n_blue += 1
            blue += not is_red
    return red / n_red, blue / n_blue


@pytest.mark.parametrize("topology", ["TRIANGLE", "QUAD"])
def test_remeshed_source_of_several_materials_keeps_its_textures(meshy, tmp_path, topology):
    source = two_material_source(tmp_path)
    assert bpy.ops.meshy.remesh(topology=topology, target_polycount=1200) == {"FINISHED"}
    made = result("_remesh")
    entry = next(iter(meshy.tasks.values()))
    assert "base_color" in entry.files and ("model_obj" in entry.files) == (topology == "QUAD")
    assert made.data.uv_layers.active is not None
    red, blue = base_colour_by_side(made)
    assert red > 0.9 and blue > 0.9, (red, blue)
    assert_same_place(made, source)
    settings = json.loads(made["meshy_settings"])
    assert settings["topology"] == topology.lower()
