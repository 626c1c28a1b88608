"""Importing a quad result in real Blender (the bpy wheel): ours over Blender's bare import of the same file.

A quad remesh of about 30,000 faces with its PBR maps (a retextured source
remeshed by the emulator) is imported the add-on's way (``scene.import_result``:
Blender's OBJ importer, the axis turn baked into the mesh, a Principled BSDF from
the maps, the records, one rollback and the console capture) and Blender's bare
way (``wm.obj_import`` of the same OBJ, default options), median of several
rounds; target ours <= 1.15x bare. Beside it the same for the task's GLB
(today's path for triangle results: ``import_result`` over ``import_scene.gltf``).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tools")]

import bpy  # noqa: E402
import trimesh  # noqa: E402

from addon_env import ADDON, enable_addon, point_at  # noqa: E402

TARGET = 30_000


def _quad_result(emu_url: str, home: Path) -> tuple[dict, str, dict]:
    """(files, task id, recorded settings) of a ~30k-face quad remesh of a PBR-textured model."""
    from importlib import import_module

    runtime = import_module(f"{ADDON}.runtime")
    models, uploads = import_module(f"{ADDON}.client.models"), import_module(f"{ADDON}.client.uploads")
    jobs, requests = import_module(f"{ADDON}.service.jobs"), import_module(f"{ADDON}.core.requests")
    point_at(emu_url, home / "downloads")
    service = runtime.service()
    settings = service.settings()
    source = home / "source.glb"
    source.write_bytes(trimesh.creation.icosphere(subdivisions=5).export(file_type="glb"))
    retexture = models.RetextureRequest(model_url=uploads.FileInput.model(source), text_style_prompt="rusty iron",
                                        enable_pbr=True)
    (job,) = service.submit([jobs.Submission("retexture", retexture, "src", meta={"auto_import": False})], settings)
    service.wait([job], timeout=300)
    remesh = requests.build_request("remesh", {"input_task_id": service.tasks[job].task_id, "topology": "quad",
                                               "target_polycount": TARGET}, settings)
    (job,) = service.submit([jobs.Submission("remesh", remesh, "bench", meta={"auto_import": False})], settings)
    service.wait([job], timeout=600)
    entry = service.tasks[job]
    assert entry.state == "succeeded" and "model_obj" in entry.files, (entry.state, entry.message, entry.files)
    return entry.files, str(entry.task_id), requests.recorded_settings(remesh)


def _clean() -> None:
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.data.orphans_purge(do_recursive=True)


def _pair(bare, ours, rounds: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median seconds of each, the two interleaved round by round (a busy machine slows both alike)."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for fn, into in ((bare, times[0]), (ours, times[1])):
            _clean()
            start = time.perf_counter()
            fn()
            into.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def main(rounds: int = 21) -> dict:
    home = Path(tempfile.mkdtemp(prefix="meshy-bench-quads-"))
    import os

    os.environ["MESHY_TOOLS_DIR"] = str(home / "user")
    enable_addon(home)
    from importlib import import_module

    from emulator import Emulator

    emu = Emulator(pending_seconds=0.05, run_seconds=0.2, rate_limit=0, queue_limit=0).start()
    try:
        files, task_id, settings = _quad_result(emu.base_url, home)
    finally:
        import_module(f"{ADDON}.runtime").service().shutdown()
        emu.stop()
    importing = import_module(f"{ADDON}.scene.importing")
    console = import_module(f"{ADDON}.scene.console")
    maps = sorted(k for k in files if k in ("base_color", "metallic", "roughness", "normal", "emission"))
    meta = {"label": "bench", "settings": settings}
    triangles = {**meta, "settings": {**settings, "topology": "triangle"}}  # the same task, through its GLB

    def bare_obj() -> None:
        with console.captured_output("bench"):  # the importer's timing line, kept off the figures' console
            bpy.ops.wm.obj_import(filepath=files["model_obj"])

    def bare_glb() -> None:
        with console.captured_output("bench"):
            bpy.ops.import_scene.gltf(filepath=files["model"])

    figures = {}
    for label, bare, ours in (
        ("obj", bare_obj, lambda: importing.import_result("remesh", files, meta, task_id)),
        ("glb", bare_glb, lambda: importing.import_result("remesh", files, triangles, task_id)),
    ):
        bare_s, ours_s = _pair(bare, ours, rounds)
        figures[f"{label}_bare_ms"], figures[f"{label}_ours_ms"] = bare_s * 1000, ours_s * 1000
        figures[f"{label}_ratio"] = ours_s / bare_s
    _clean()
    importing.import_result("remesh", files, meta, task_id)
    made = next(o for o in bpy.data.objects if o.type == "MESH")
    sizes = [p.loop_total for p in made.data.polygons]
    quads = sum(s == 4 for s in sizes) / len(sizes)
    print(f"quad result: {len(sizes):,} faces, {quads:.0%} quads, maps {', '.join(maps)}")
    print(f"OBJ (quads): ours {figures['obj_ours_ms']:.1f} ms, bare wm.obj_import {figures['obj_bare_ms']:.1f} ms "
          f"(median of {rounds}), ratio {figures['obj_ratio']:.2f}x (target <= 1.15x)")
    print(f"GLB (today's triangle path, same task): ours {figures['glb_ours_ms']:.1f} ms, bare glTF "
          f"{figures['glb_bare_ms']:.1f} ms, ratio {figures['glb_ratio']:.2f}x (target <= 1.15x)")
    return {"quad_faces": len(sizes), "quad_share": quads, **figures}


if __name__ == "__main__":
    main()
