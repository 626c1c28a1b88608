"""The Blender half of the rigging outputs: run in its own process, never imported by the emulator.

    python build.py JOB.json                                  (an interpreter with the bpy module)
    blender -b --factory-startup --python build.py -- JOB.json (a Blender binary)

JOB.json names the mode ("rig" or "animate"), the input files and an output folder. The
process writes its files there plus result.json ({"files": [...], "notes": {...}}), or
error.json ({"message": "..."}) and exits with status 2 (3 when bpy cannot be imported).
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # siblings as top-level modules

import motions  # noqa: E402


def main(argv: list[str]) -> int:
    args = argv[argv.index("--") + 1:] if "--" in argv else argv[1:]
    job = json.loads(open(args[0], encoding="utf-8").read())
    out = job["out"]
    try:
        import bpy  # noqa: F401
    except ImportError as exc:
        _write(out, "error.json", {"message": f"Blender's bpy module is not importable in {sys.executable} ({exc})"})
        return 3
    from bpy_skin import JobError

    started = time.monotonic()
    try:
        result = rig(job) if job["mode"] == "rig" else animate(job)
    except JobError as exc:
        _write(out, "error.json", {"message": str(exc)})
        return 2
    except Exception as exc:  # noqa: BLE001 - anything else Blender raises ends the job with its last line
        traceback.print_exc()
        _write(out, "error.json", {"message": f"Blender failed: {type(exc).__name__}: {str(exc).strip()[-300:]}"})
        return 2
    result["notes"]["seconds"] = round(time.monotonic() - started, 3)
    _write(out, "result.json", result)
    return 0


def _write(folder: str, name: str, data: dict) -> None:
    with open(os.path.join(folder, name), "w", encoding="utf-8") as fh:
        json.dump(data, fh)


def _fresh_scene() -> None:
    import bpy

    bpy.ops.wm.read_factory_settings(use_empty=True)


def rig(job: dict) -> dict:
    """Rig the model, then export it at rest and with each basic clip."""
    import bpy_pose
    import bpy_skin

    _fresh_scene()
    bpy_skin.import_glb(job["model"])
    body = bpy_skin.character_mesh(float(job["height"]))
    if job.get("texture"):
        bpy_skin.apply_texture(body, job["texture"])
    arm = bpy_skin.build_armature(body)
    weighting = bpy_skin.skin(body, arm, int(job.get("heat_max_vertices", 60_000)))
    out, files = job["out"], []
    files += _export(out, "rigged_character", [body], arm, animated=False)
    for spec in job["clips"]:
        clip = motions.clip(spec["family"])
        bpy_pose.key_clip(arm, clip, spec["name"], int(job.get("fps") or 30))
        files += _export(out, spec["file"], [body], arm, animated=True)
        files += _export(out, spec["file"] + "_armature", [], arm, animated=True, fbx=False)
        bpy_pose.remove_actions(arm)
    return {"files": files, "notes": {"weights": weighting, "vertices": len(body.data.vertices),
                                      "bones": len(arm.data.bones)}}


def animate(job: dict) -> dict:
    """The rigged character with one clip, plus the asked post-processing."""
    import bpy
    import bpy_pose
    import bpy_skin

    _fresh_scene()
    bpy_skin.import_glb(job["model"])
    arms = [o for o in bpy.context.scene.objects if o.type == "ARMATURE"]
    if not arms:
        raise bpy_skin.JobError("the model has no armature, so it is not a rigged character")
    arm = arms[0]
    meshes = [o for o in bpy.context.scene.objects if o.type == "MESH" and o.find_armature() == arm]
    bpy_pose.remove_actions(arm)
    clip = motions.clip(job["family"])
    out, files, notes = job["out"], [], {}
    bpy_pose.key_clip(arm, clip, job["name"], 30)
    files += _export(out, "animation", meshes, arm, animated=True)
    operation = job.get("operation")
    if operation == "change_fps":
        bpy_pose.remove_actions(arm)
        bpy_pose.key_clip(arm, clip, job["name"], int(job["fps"]))
        files += _export(out, "processed_animation_fps", meshes, arm, animated=True, glb=False)
    elif operation == "extract_armature":
        files += _export(out, "processed_armature", [], arm, animated=True, glb=False)
    elif operation == "fbx2usdz":
        _select(meshes, arm)
        notes["usd"] = _export_usdz(os.path.join(out, "processed.usdz"))
        if notes["usd"]:
            files.append("processed.usdz")
    return {"files": files, "notes": notes}


def _select(meshes: list, arm) -> None:
    import bpy

    for obj in bpy.context.view_layer.objects:
        obj.select_set(obj in meshes or obj == arm)
    bpy.context.view_layer.objects.active = arm


def _export(out: str, stem: str, meshes: list, arm, *, animated: bool, glb: bool = True,
            fbx: bool = True) -> list[str]:
    """Write stem.glb and/or stem.fbx with the armature and `meshes` (none: the armature alone)."""
    import bpy

    _select(meshes, arm)
    written = []
    if glb:
        bpy.ops.export_scene.gltf(
            filepath=os.path.join(out, stem + ".glb"), export_format="GLB", use_selection=True,
            export_animations=animated, export_animation_mode="ACTIONS", export_skins=True, export_apply=False)
        written.append(stem + ".glb")
    if fbx:
        bpy.ops.export_scene.fbx(
            filepath=os.path.join(out, stem + ".fbx"), use_selection=True,
            object_types={"ARMATURE", "MESH"} if meshes else {"ARMATURE"}, add_leaf_bones=False,
            bake_anim=animated, bake_anim_use_all_actions=False, bake_anim_use_nla_strips=False,
            bake_anim_force_startend_keying=True, path_mode="COPY", embed_textures=True)
        written.append(stem + ".fbx")
    return written


def _export_usdz(path: str) -> bool:
    """USDZ with the skeleton and its animation, where this Blender has the USD exporter."""
    import bpy

    if not hasattr(bpy.ops.wm, "usd_export"):
        return False
    try:
        bpy.ops.wm.usd_export(filepath=path, export_animation=True, export_armatures=True,
                              selected_objects_only=True, export_materials=True)
    except (RuntimeError, TypeError):
        traceback.print_exc()
        return False
    return os.path.isfile(path)


if __name__ == "__main__":
    status = main(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)   # skip interpreter teardown: the bpy 4.2 module can crash in it after the work is done
