"""Import rigging outputs with Blender's own importers in a fresh bpy process and report what plays.

    python rig_probe.py REPORT.json FILE...

For every file (GLB or FBX): the armatures and their bones, the skinned meshes (Armature
modifier, vertex groups that carry weight), the actions, the mesh height, and how far the
evaluated (deformed) vertices move: at rest against the undeformed mesh, and between two
frames of each action. Armature-only files report how far the bone heads move instead.
Run by tests/blender/test_rig_outputs_play.py; a separate process, so the test's own Blender
scene is never touched.
"""

from __future__ import annotations

import json
import sys

import bpy
import numpy as np


def world_coords(obj, evaluated: bool) -> np.ndarray:
    if evaluated:
        depsgraph = bpy.context.evaluated_depsgraph_get()
        source = obj.evaluated_get(depsgraph)
        mesh = source.to_mesh()
    else:
        source, mesh = obj, obj.data
    co = np.empty(len(mesh.vertices) * 3)
    mesh.vertices.foreach_get("co", co)
    co = co.reshape(-1, 3)
    m = np.array(source.matrix_world)
    if evaluated:
        source.to_mesh_clear()
    return co @ m[:3, :3].T + m[:3, 3]


def bone_heads(arm) -> np.ndarray:
    m = np.array(arm.matrix_world)
    heads = np.array([pb.head for pb in arm.pose.bones])
    return heads @ m[:3, :3].T + m[:3, 3]


LANDMARKS = ("LeftFoot", "RightFoot", "LeftHand", "RightHand", "LeftToeBase", "Head", "Hips")


def landmarks(arm) -> dict[str, list[float]]:
    """World positions of a few posed bone heads, by their Mixamo-style names."""
    m = np.array(arm.matrix_world)
    out = {}
    for pb in arm.pose.bones:
        name = pb.name.rsplit(":", 1)[-1]
        if name in LANDMARKS:
            out[name] = (m[:3, :3] @ np.array(pb.head) + m[:3, 3]).tolist()
    return out


def assigned(obj, action) -> None:
    """Make `action` the armature's active action (with its slot where Blender has slots)."""
    data = obj.animation_data or obj.animation_data_create()
    data.action = action
    slots = getattr(action, "slots", None)
    if slots and hasattr(data, "action_slot") and data.action_slot is None:
        data.action_slot = slots[0]


def probe(path: str) -> dict:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    if path.lower().endswith(".fbx"):
        bpy.ops.import_scene.fbx(filepath=path)
    elif path.lower().endswith((".usd", ".usdz", ".usdc")):
        bpy.ops.wm.usd_import(filepath=path)
    else:
        bpy.ops.import_scene.gltf(filepath=path)
    scene = bpy.context.scene
    arms = [o for o in scene.objects if o.type == "ARMATURE"]
    meshes = [o for o in scene.objects if o.type == "MESH"]
    report: dict = {"file": path, "armatures": len(arms), "meshes": len(meshes),
                    "actions": [a.name for a in bpy.data.actions], "fps": scene.render.fps}
    if not arms:
        return report
    arm = arms[0]
    report["bones"] = [b.name for b in arm.data.bones]
    arm.data.pose_position = "REST"
    bpy.context.view_layer.update()
    report["rest"] = landmarks(arm)
    arm.data.pose_position = "POSE"
    skinned = [m for m in meshes if any(md.type == "ARMATURE" and md.object == arm for md in m.modifiers)]
    report["skinned_meshes"] = len(skinned)
    if skinned:
        body = skinned[0]
        weighted = influences = 0
        for v in body.data.vertices:
            if sum(g.weight for g in v.groups) > 1e-3:
                weighted += 1
            influences = max(influences, sum(1 for g in v.groups if g.weight > 1e-6))
        report["max_influences"] = influences
        report["vertices"] = len(body.data.vertices)
        report["weighted_vertices"] = weighted
        report["vertex_groups"] = len(body.vertex_groups)
        report["materials"] = [m.name for m in body.data.materials if m]
        report["images"] = [i.name for i in bpy.data.images if i.size[0] > 0]
    actions = list(bpy.data.actions)
    clips = []
    for action in actions:
        assigned(arm, action)
        start, end = (int(round(x)) for x in action.frame_range)
        mid = (start + end) // 2 if end - start > 1 else end
        entry = {"name": action.name, "start": start, "end": end}
        for phase in (0.25, 0.75):
            scene.frame_set(start + int(round(phase * (end - start))))
            entry[f"at_{phase}"] = landmarks(arm)
        # Uneven fractions, so that no periodic motion hides by being sampled at its zeros.
        frames = sorted({start + int(round(u * (end - start))) for u in (0, 0.13, 0.29, 0.41, 0.57, 0.71, 0.86)})
        if skinned:
            rest_world = world_coords(body, evaluated=False)
            arm.data.pose_position = "REST"
            scene.frame_set(mid)
            entry["rest_offset"] = float(np.abs(world_coords(body, True) - rest_world).max())
            arm.data.pose_position = "POSE"
            poses = []
            for f in frames:
                scene.frame_set(f)
                poses.append(world_coords(body, True))
            moves = [np.linalg.norm(p - poses[0], axis=1) for p in poses[1:]]
            best = int(np.argmax([m.max() for m in moves]))
            entry["max_move"] = float(moves[best].max())
            entry["mean_move"] = float(moves[best].mean())
            scene.frame_set(start)
            first = world_coords(body, True)
            scene.frame_set(end)
            entry["loop_gap"] = float(np.abs(world_coords(body, True) - first).max())
            entry["height"] = float(rest_world[:, 2].max() - rest_world[:, 2].min())
            entry["min_z"] = float(rest_world[:, 2].min())
        else:
            heads = []
            for f in frames:
                scene.frame_set(f)
                heads.append(bone_heads(arm))
            entry["max_move"] = float(max(np.linalg.norm(h - heads[0], axis=1).max() for h in heads[1:]))
        clips.append(entry)
    report["clips"] = clips
    return report


def main() -> None:
    args = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]
    out, files = args[0], args[1:]
    reports = []
    for path in files:
        try:
            reports.append(probe(path))
        except Exception as exc:  # noqa: BLE001 - a file that fails to import is a finding, reported
            reports.append({"file": path, "error": f"{type(exc).__name__}: {exc}"})
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(reports, fh, indent=1)


if __name__ == "__main__":
    main()
