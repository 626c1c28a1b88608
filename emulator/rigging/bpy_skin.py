"""Scene work for rigging, inside bpy only: one clean character mesh, its armature, its weights."""

from __future__ import annotations

import bpy
import numpy as np
import skeleton
from mathutils import Matrix, Vector


class JobError(Exception):
    """A sentence for the user: the model cannot be rigged or animated as given."""


def import_glb(path: str) -> None:
    try:
        bpy.ops.import_scene.gltf(filepath=path, merge_vertices=True)
    except RuntimeError as exc:
        raise JobError(f"the model could not be read as GLB ({_first_line(exc)})") from None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[-1] if text else type(exc).__name__).replace("Error: ", "").strip().rstrip(".")


def character_mesh(height: float) -> bpy.types.Object:
    """Join every mesh into one object "Character", transforms applied, `height` tall, the lowest
    point at z=0 and the middle of its surface over the origin.

    Anything else (armatures, empties, cameras, lights, old skinning) is dropped: the model is
    re-rigged from its surface.
    """
    scene = bpy.context.scene
    meshes = [o for o in scene.objects if o.type == "MESH" and len(o.data.polygons)]
    if not meshes:
        raise JobError("the model has no mesh to rig")
    for obj in meshes:
        world = obj.matrix_world.copy()
        if obj.data.users > 1:
            obj.data = obj.data.copy()
        obj.parent = None
        obj.data.transform(world)
        obj.matrix_world = Matrix.Identity(4)
        obj.modifiers.clear()
        obj.vertex_groups.clear()
    for obj in list(scene.objects):
        if obj not in meshes:
            bpy.data.objects.remove(obj)
    view_layer = bpy.context.view_layer
    for obj in meshes:
        obj.select_set(True)
    view_layer.objects.active = meshes[0]
    if len(meshes) > 1:
        bpy.ops.object.join()
    body = view_layer.objects.active
    body.name = "Character"
    co = vertices(body)
    low, high = co.min(axis=0), co.max(axis=0)
    tall = float(high[2] - low[2])
    if tall <= 1e-6:
        raise JobError("the model is flat (it has no height), so it cannot stand up as a character")
    middle = skeleton.surface_centroid(co, triangles(body))
    centre = Vector((middle[0], middle[1], low[2]))
    body.data.transform(Matrix.Scale(height / tall, 4) @ Matrix.Translation(-centre))
    body.data.update()
    return body


def vertices(obj: bpy.types.Object) -> np.ndarray:
    co = np.empty(len(obj.data.vertices) * 3)
    obj.data.vertices.foreach_get("co", co)
    return co.reshape(-1, 3)


def triangles(obj: bpy.types.Object) -> np.ndarray:
    me = obj.data
    me.calc_loop_triangles()
    tris = np.empty(len(me.loop_triangles) * 3, dtype=np.int64)
    me.loop_triangles.foreach_get("vertices", tris)
    return tris.reshape(-1, 3)


def apply_texture(body: bpy.types.Object, png_path: str) -> None:
    """Use the PNG as base colour on every material of the body (a new material if it has none)."""
    try:
        image = bpy.data.images.load(png_path)
    except RuntimeError:
        image = None
    if image is None or image.size[0] == 0 or image.size[1] == 0:
        raise JobError("the texture image could not be read as a PNG")
    image.name = "texture"
    image.pack()
    if not body.data.uv_layers:
        bpy.context.view_layer.objects.active = body
        bpy.ops.object.mode_set(mode="EDIT")
        bpy.ops.mesh.select_all(action="SELECT")
        bpy.ops.uv.smart_project()
        bpy.ops.object.mode_set(mode="OBJECT")
    if not body.data.materials:
        body.data.materials.append(bpy.data.materials.new("Material"))
    for mat in body.data.materials:
        if mat is None:
            continue
        mat.use_nodes = True
        nodes, links = mat.node_tree.nodes, mat.node_tree.links
        bsdf = next((n for n in nodes if n.type == "BSDF_PRINCIPLED"), None) or nodes.new("ShaderNodeBsdfPrincipled")
        tex = nodes.new("ShaderNodeTexImage")
        tex.image = image
        links.new(tex.outputs["Color"], bsdf.inputs["Base Color"])


def build_armature(body: bpy.types.Object) -> bpy.types.Object:
    """An armature "Armature" fitted to the body (skeleton.fit_skeleton)."""
    bones = skeleton.fit_skeleton(vertices(body), triangles(body))
    data = bpy.data.armatures.new("Armature")
    arm = bpy.data.objects.new("Armature", data)
    bpy.context.scene.collection.objects.link(arm)
    view_layer = bpy.context.view_layer
    view_layer.objects.active = arm
    bpy.ops.object.mode_set(mode="EDIT")
    edit = {}
    for b in bones:
        eb = data.edit_bones.new(b.name)
        eb.head, eb.tail = Vector(b.head), Vector(b.tail)
        direction = (eb.tail - eb.head).normalized()
        eb.align_roll(Vector((0, 0, 1)) if abs(direction.z) < 0.5 and abs(direction.y) > 0.5 else Vector((0, -1, 0)))
        edit[b.name] = eb
    for b in bones:
        if b.parent:
            edit[b.name].parent = edit[b.parent]
            edit[b.name].use_connect = b.connected
    bpy.ops.object.mode_set(mode="OBJECT")
    return arm


def skin(body: bpy.types.Object, arm: bpy.types.Object, heat_max_vertices: int) -> str:
    """Bind the body to the armature; returns how: "heat", "heat+nearest" or "nearest".

    Blender's automatic (heat) weights first, up to `heat_max_vertices` (it gets slow beyond);
    where it fails (parts of broken meshes are left with no weight) or is skipped, vertices get
    nearest-bone weights.
    """
    view_layer = bpy.context.view_layer
    for obj in view_layer.objects:
        obj.select_set(False)
    body.select_set(True)
    arm.select_set(True)
    view_layer.objects.active = arm
    heat = len(body.data.vertices) <= heat_max_vertices
    bpy.ops.object.parent_set(type="ARMATURE_AUTO" if heat else "ARMATURE_NAME")
    weights = _weights(body)
    missing = weights.sum(axis=1) < 1e-3
    how = "heat"
    if missing.any():
        _fill_nearest(body, arm, np.nonzero(missing)[0])
        how = "heat+nearest" if heat and missing.mean() < 0.5 else "nearest"
    _four_influences(body)
    return how


def _four_influences(body: bpy.types.Object) -> None:
    """At most four bones per vertex, weights summing to one: what glTF carries and game engines take,
    so the GLB and the FBX deform alike."""
    view_layer = bpy.context.view_layer
    view_layer.objects.active = body
    bpy.ops.object.vertex_group_limit_total(group_select_mode="ALL", limit=4)
    bpy.ops.object.vertex_group_normalize_all(group_select_mode="ALL", lock_active=False)


def _weights(body: bpy.types.Object) -> np.ndarray:
    out = np.zeros((len(body.data.vertices), max(len(body.vertex_groups), 1)))
    for v in body.data.vertices:
        for g in v.groups:
            out[v.index, g.group] = g.weight
    return out


def _fill_nearest(body: bpy.types.Object, arm: bpy.types.Object, indices: np.ndarray) -> None:
    names = [b.name for b in arm.data.bones if b.use_deform]
    heads = np.array([arm.data.bones[n].head_local for n in names])
    tails = np.array([arm.data.bones[n].tail_local for n in names])
    weights = skeleton.nearest_bone_weights(vertices(body)[indices], heads, tails)
    groups = [body.vertex_groups.get(n) or body.vertex_groups.new(name=n) for n in names]
    for row, index in enumerate(indices.tolist()):
        for col in np.nonzero(weights[row])[0]:
            groups[col].add([index], float(weights[row, col]), "REPLACE")
