"""Run build.py in a Blender process: bpy never enters the emulator's own process.

The emulator may itself run inside a Blender process (the tier-2 tests), where bpy is not
thread-safe; a child process with its own bpy is safe and is killed at the timeout.

Which Blender: env MESHY_EMULATOR_BLENDER (a Blender binary, run with -b --factory-startup),
else env MESHY_EMULATOR_BPY_PYTHON (an interpreter with the bpy module), else sys.executable.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BUILD = Path(__file__).with_name("build.py")
PARALLEL = 2                     # Blender processes at once (each takes ~300 MB and a core)
_SLOTS = threading.BoundedSemaphore(PARALLEL)
log = logging.getLogger("emulator.rigging")


class BlenderJobError(RuntimeError):
    """The Blender side could not make the outputs; the message is one sentence for the task."""


def command(job_path: str) -> list[str]:
    blender = os.environ.get("MESHY_EMULATOR_BLENDER")
    if blender:
        return [blender, "-b", "--factory-startup", "-noaudio", "--python-exit-code", "2",
                "--python", str(BUILD), "--", job_path]
    python = os.environ.get("MESHY_EMULATOR_BPY_PYTHON") or sys.executable
    return [python, str(BUILD), job_path]


def run_job(job: dict, inputs: dict[str, bytes | None], expected: tuple[str, ...], timeout: float,
            what: str) -> dict[str, bytes]:
    """Write the inputs, run the job, return {file name: bytes} of the files it made.

    `inputs` maps a job key to bytes (written to a temporary file whose path goes into the job);
    only names in `expected` are read back, so the child never chooses a path.
    """
    deadline = time.monotonic() + timeout
    if not _SLOTS.acquire(timeout=max(timeout, 0.0)):
        raise BlenderJobError(f"{what} could not start: Blender was busy for {timeout:g} s.")
    try:
        with tempfile.TemporaryDirectory(prefix="meshy-rig-") as tmp:
            out = Path(tmp, "out")
            out.mkdir()
            job = dict(job, out=str(out))
            for key, data in inputs.items():
                if data is not None:
                    path = Path(tmp, key)
                    path.write_bytes(data)
                    job[key.split(".")[0]] = str(path)
            job_path = Path(tmp, "job.json")
            job_path.write_text(json.dumps(job), encoding="utf-8")
            _run(command(str(job_path)), tmp, deadline - time.monotonic(), timeout, what, out)
            result = json.loads((out / "result.json").read_text(encoding="utf-8"))
            log.info("%s: %s", what, result.get("notes"))
            made = set(result.get("files", []))
            return {name: (out / name).read_bytes() for name in expected if name in made and (out / name).is_file()}
    finally:
        _SLOTS.release()


def _run(cmd: list[str], cwd: str, remaining: float, timeout: float, what: str, out: Path) -> None:
    if remaining <= 0:
        raise BlenderJobError(f"{what} did not finish within {timeout:g} s.")
    try:
        proc = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=remaining, check=False)
    except subprocess.TimeoutExpired:
        raise BlenderJobError(f"{what} did not finish within {timeout:g} s.") from None
    except OSError as exc:
        raise BlenderJobError(f"{what} could not start Blender ({cmd[0]}: {exc.strerror or exc}).") from None
    error = out / "error.json"
    if error.is_file():
        message = json.loads(error.read_text(encoding="utf-8")).get("message", "unknown error")
        raise BlenderJobError(f"{what} failed: {message}.")
    if proc.returncode != 0 or not (out / "result.json").is_file():
        tail = (proc.stderr or proc.stdout or b"").decode("utf-8", "replace").strip().splitlines()
        last = tail[-1][-300:] if tail else f"exit status {proc.returncode}"
        raise BlenderJobError(f"{what} failed: Blender stopped ({last}).")
