"""Which of the add-on's modules one Remesh job passes through, measured by running it.

Real Blender (the bpy wheel) with the add-on loaded as users load it, the
emulator on loopback, one cube selected; then the sidebar's Run button
(``bpy.ops.meshy.run(kind="REMESH")``) or the operator itself
(``--operator``) runs once, in background mode, where the call returns with
the result in the scene. A profiler hook notes every Python call into a file
of the add-on (tests, tools, bench and the emulator left out), per thread, so
the figures are what ran, not what the imports suggest.

    .venv/bin/python tools/job_path.py             # from the Run button
    .venv/bin/python tools/job_path.py --operator  # from bpy.ops.meshy.remesh()

Prints the modules in the order they were first entered, on which threads,
how many distinct module-to-module calls (caller module -> callee module, on
any thread) the job made, and the same at the scale of the layers
(``LAYERS``), with the calls that go up a layer (a callback, or a tangle).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tools")]

import bpy  # noqa: E402

from addon_env import enable_addon, point_at  # noqa: E402

SKIP = ("tests/", "tools/", "bench/", "emulator/")
#: The layers from the top down (docs/ARCHITECTURE.md); a module belongs to its top-level folder or file.
LAYERS = ("operators", "panels", "batch", "runtime", "properties", "service", "scene", "preferences", "core",
          "client")


def layer(module: str) -> str:
    return module.split("/")[0].removesuffix(".py")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--operator", action="store_true", help="call bpy.ops.meshy.remesh() instead of the Run button")
    args = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="meshy-path-"))
    import os

    os.environ["MESHY_TOOLS_DIR"] = str(home / "user")
    bpy.context.preferences.system.use_online_access = True
    enable_addon(home)
    from emulator import Emulator

    emu = Emulator(pending_seconds=0.05, run_seconds=0.2).start()
    point_at(emu.base_url, home / "downloads")
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.ops.mesh.primitive_cube_add()
    bpy.context.object.name = "Crate"

    names: dict[str, str | None] = {}
    first: dict[str, tuple[int, str]] = {}  # module -> (order, thread role)
    threads: dict[str, set[str]] = {}
    edges: set[tuple[str, str]] = set()
    main_thread = threading.main_thread()

    def module_of(filename: str) -> str | None:
        if filename not in names:
            try:
                rel = Path(filename).resolve().relative_to(ROOT).as_posix()
            except (ValueError, OSError):
                rel = None
            names[filename] = None if rel is None or rel.startswith(SKIP) or not rel.endswith(".py") else rel
        return names[filename]

    def role(thread: threading.Thread) -> str:
        if thread is main_thread:
            return "main"
        return thread.name.rsplit("-", 1)[0] if thread.name[-1:].isdigit() else thread.name

    def hook(frame, event, _arg):  # noqa: ANN001 - the profiler's signature
        if event != "call":
            return
        module = module_of(frame.f_code.co_filename)
        if module is None:
            return
        thread = threading.current_thread()
        who = role(thread)
        first.setdefault(module, (len(first), who))
        threads.setdefault(module, set()).add(who)
        back = frame.f_back
        while back is not None and module_of(back.f_code.co_filename) is None:
            back = back.f_back
        caller = module_of(back.f_code.co_filename) if back is not None else None
        if caller not in (None, module):
            edges.add((caller, module))

    threading.setprofile(hook)
    sys.setprofile(hook)
    try:
        result = bpy.ops.meshy.remesh() if args.operator else bpy.ops.meshy.run(kind="REMESH")
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
        emu.stop()
    made = [o.name for o in bpy.data.objects if o.name != "Crate"]
    print(f"{'bpy.ops.meshy.remesh()' if args.operator else 'Run button'}: {result}, made {made}")
    ordered = sorted(first, key=lambda m: first[m][0])
    for module in ordered:
        print(f"  {module:<32} {', '.join(sorted(threads[module]))}")
    addon = [m for m in ordered if not m.startswith("client/")]
    roles = sorted({r for rs in threads.values() for r in rs})
    print(f"{len(ordered)} modules ({len(addon)} add-on, {len(ordered) - len(addon)} client/); "
          f"threads: {', '.join(roles)}; {len(edges)} distinct calls from one module into another")
    crossings = {(layer(a), layer(b)) for a, b in edges if layer(a) != layer(b)}
    rank = {name: i for i, name in enumerate(LAYERS)}
    up = sorted(f"{a} -> {b}" for a, b in crossings if rank.get(b, 99) < rank.get(a, 99))
    print(f"layers: {len({layer(m) for m in ordered})} ({', '.join(dict.fromkeys(layer(m) for m in ordered))}); "
          f"{len(crossings)} distinct calls between layers, {len(up)} of them up a layer"
          + (f" ({'; '.join(up)})" if up else ""))
    return 0 if made else 1


if __name__ == "__main__":
    sys.exit(main())
