"""Scale: 1,000 small remesh assets through the job engine against the emulator.

The account's queue is the bound on Meshy (Pro: 10 unfinished tasks), so the
figure that matters is how busy the client keeps those 10 slots, without
tripping the limit. The emulator runs in its own process (queue limit 10,
short task times, no requests-per-second limit, see below); this process is
the client only, so its CPU time is the client's cost.

- busy share: from the server's own task timestamps (``created_at`` ..
  ``finished_at`` of every task, read back by listing), the time-average of
  min(unfinished tasks, 10) / 10 from the first create to the last create
  (steady state), and to the last finish (whole run, including the drain).
  Target >= 95 %.
- over-limit 429s: ``NoMoreConcurrentTasks`` answers to create calls, counted
  in the emulator's request log (and the engine's ``waiting`` events). Target 0.
- local CPU seconds per asset: ``time.process_time()`` of this process over
  the run (upload body, create, SSE follow, download of GLB and thumbnail,
  journal), divided by the assets.

The requests-per-second limit (20 on Meshy) is off because the task times are
compressed ~100x: each asset costs 2 rate-limited requests (create, stream),
so 10 slots of 0.5 s tasks need 40 rps here, but 10 slots of real 1-minute
tasks need 0.3 rps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from client import MeshyClient, RemeshRequest  # noqa: E402
from client.engine import Job, JobEngine  # noqa: E402
from client.uploads import FileInput  # noqa: E402

KEY = "msy_dummy_api_key_for_test_mode_12345678"
ASSETS = int(os.environ.get("MESHY_BENCH_ASSETS", "1000"))
SLOTS = 10
PENDING_S, RUN_S = 0.2, 0.8


def _proc_cpu(pid: int) -> float | None:
    """CPU seconds of another process (Linux /proc), for the emulator's share."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _cube_obj(scale: float) -> str:
    """A unit cube as OBJ text: a small asset (12 triangles)."""
    s = scale / 2
    verts = [(x, y, z) for x in (-s, s) for y in (-s, s) for z in (-s, s)]
    faces = [(1, 2, 4, 3), (5, 7, 8, 6), (1, 5, 6, 2), (3, 4, 8, 7), (1, 3, 7, 5), (2, 6, 8, 4)]
    return "".join(f"v {x:.4f} {y:.4f} {z:.4f}\n" for x, y, z in verts) + "".join(
        "f " + " ".join(map(str, f)) + "\n" for f in faces)


def busy_share(intervals: list[tuple[float, float]], start: float, end: float, slots: int = SLOTS) -> float:
    """Time-average of min(open intervals, slots) / slots over [start, end]."""
    if end <= start:
        return 0.0
    points = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals])
    busy = 0.0
    level, last = 0, start
    for t, step in points:
        t = min(max(t, start), end)
        busy += min(level, slots) * (t - last)
        level, last = level + step, t
    busy += min(level, slots) * (end - last)
    return busy / (slots * (end - start))


def main() -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="meshy-scale-"))
    emu = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--port", "0", "--queue-limit", str(SLOTS), "--rate-limit", "0",
         "--pending-seconds", str(PENDING_S), "--run-seconds", str(RUN_S), "--balance", "100000000"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        base_url = emu.stdout.readline().strip()
        import requests

        models = work / "models"
        models.mkdir()
        for i in range(ASSETS):
            (models / f"a{i:04d}.obj").write_text(_cube_obj(1 + (i % 50) / 100))
        client = MeshyClient(KEY, base_url=base_url)
        engine = JobEngine(client, journal=work / "journal.jsonl", download_dir=work / "downloads",
                           max_in_flight=SLOTS)
        waiting = 0
        emu_cpu0 = _proc_cpu(emu.pid)
        cpu0, wall0 = time.process_time(), time.monotonic()
        ids = [engine.submit(Job(kind="remesh", label=f"a{i:04d}", meta={"asset": f"a{i:04d}"},
                                 request=RemeshRequest(model_url=FileInput.model(models / f"a{i:04d}.obj"),
                                                       target_polycount=100)))
               for i in range(ASSETS)]

        def count(event: Any) -> None:
            nonlocal waiting
            waiting += event.type == "waiting"

        results = engine.run(ids, on_event=count, timeout=600)
        wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
        emu_cpu1 = _proc_cpu(emu.pid)
        engine.close(wait=True)
        failed = [e for e in results.values() if e.type != "succeeded"]
        # The server's view: every task's timestamps, and every create answer.
        tasks = [t for t in client.list("remesh", page_size=50)]
        log = requests.get(base_url + "/_emulator/log", timeout=30).json()
        log = log if isinstance(log, list) else log.get("log", [])
        creates = [r for r in log if r["method"] == "POST" and r["path"].endswith("/openapi/v1/remesh")]
        over_limit = sum(1 for r in creates if r["status"] == 429)
        requests_per_asset = sum(1 for r in log if "/openapi/" in r["path"]) / ASSETS
        client.close()
    finally:
        emu.terminate()
        emu.wait(10)
    spans = [(t.created_at / 1000, t.finished_at / 1000) for t in tasks if t.finished_at]
    first, last_create = min(a for a, _ in spans), max(a for a, _ in spans)
    last_finish = max(b for _, b in spans)
    steady = busy_share(spans, first, last_create)
    whole = busy_share(spans, first, last_finish)
    task_s = sum(b - a for a, b in spans) / len(spans)
    ideal = ASSETS * task_s / SLOTS
    emu_cpu = (emu_cpu1 - emu_cpu0) if emu_cpu0 is not None and emu_cpu1 is not None else None
    print(f"scale: {ASSETS} remesh assets, queue limit {SLOTS}, tasks {PENDING_S}+{RUN_S} s (mean server "
          f"task {task_s:.3f} s), rate limit off")
    print(f"  wall {wall:.1f} s (ideal {ideal:.1f} s at 10 busy slots: {ideal / wall:.1%}), "
          f"{len(failed)} failed, {len(tasks)} tasks on the server")
    print(f"  queue slots busy: {steady:.1%} steady (first..last create), {whole:.1%} whole run incl. drain"
          f"   (target >= 95 %)")
    print(f"  over-limit 429 NoMoreConcurrentTasks: {over_limit} in the log, {waiting} waits seen   (target 0)")
    print(f"  local CPU: {cpu:.1f} s = {cpu / ASSETS * 1000:.1f} ms per asset "
          f"({cpu / wall:.0%} of one core); emulator CPU {emu_cpu or 0:.1f} s; "
          f"{requests_per_asset:.1f} API requests per asset")
    return {
        "assets": ASSETS, "failed": len(failed), "wall_s": round(wall, 2), "ideal_wall_s": round(ideal, 2),
        "busy_share_steady": round(steady, 4), "busy_share_whole": round(whole, 4),
        "queue_full_429": over_limit, "queue_full_waits": waiting,
        "cpu_s_per_asset": round(cpu / ASSETS, 5), "client_cpu_share_of_core": round(cpu / wall, 3),
        "emulator_cpu_s": round(emu_cpu, 2) if emu_cpu is not None else None,
        "api_requests_per_asset": round(requests_per_asset, 2),
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
