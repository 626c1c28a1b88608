"""Where a task's result files go, named by us and never by the server.

Output names come from the server (keys of ``model_urls`` and of
``texture_urls`` entries, suffixes of URLs, the task id): all hostile. A file
name here is built only from a known output or a short plain identifier, a
suffix from a fixed list, and a folder name from the task id made safe (with
a digest of the raw id when it had to change, so two odd ids never share a
folder). Anything else is skipped with a warning. Before a file is written its
resolved path is checked to sit directly in the task's folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from .errors import MeshyError
from .kinds import Kind
from .names import safe_filename
from .tasks import Task

log = logging.getLogger("meshy.engine")

RESULT_FILE = "task.json"
#: model formats and the suffix their file gets (Meshy adds formats: other plain keys get ".bin"
#: unless their URL ends in a known suffix)
MODEL_SUFFIXES = {"glb": ".glb", "fbx": ".fbx", "obj": ".obj", "usdz": ".usdz", "stl": ".stl", "mtl": ".mtl",
                  "3mf": ".3mf", "blend": ".blend", "pre_remeshed_glb": ".glb", "gltf": ".gltf"}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
FILE_SUFFIXES = frozenset(MODEL_SUFFIXES.values()) | frozenset(IMAGE_SUFFIXES) | {".bin"}
#: a server key usable in a file name: short, plain, starting with a letter or digit
PLAIN_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
#: names this module gives itself: a texture key must not take one of them
_OWN_NAMES = re.compile(r"^(model(_.*)?|(alpha_)?thumbnail(_.*)?|image_\d+|task|character(_.*)?|walking(_.*)?|"
                        r"running(_.*)?|animation(_.*)?|processed(_.*)?)$", re.IGNORECASE)
#: outputs whose download may fail without failing the job: previews, not results
OPTIONAL = re.compile(r"^(alpha_)?thumbnail(_.*)?$")

#: Rigging's and animation's files: output -> (our name, our file name, the API's field). The clip
#: fields sit in ``basic_animations``; every field is read under ``result`` or at the top level.
RESULT_FILES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "rig": (("character", "character.glb", "rigged_character_glb_url"),),
    "rig_fbx": (("character_fbx", "character.fbx", "rigged_character_fbx_url"),),
    "clips": (("walking", "walking.glb", "walking_glb_url"), ("running", "running.glb", "running_glb_url")),
    "clips_fbx": (("walking_fbx", "walking.fbx", "walking_fbx_url"), ("running_fbx", "running.fbx", "running_fbx_url")),
    "clips_armature": (("walking_armature", "walking_armature.glb", "walking_armature_glb_url"),
                       ("running_armature", "running_armature.glb", "running_armature_glb_url")),
    "animation": (("animation", "animation.glb", "animation_glb_url"),),
    "animation_fbx": (("animation_fbx", "animation.fbx", "animation_fbx_url"),),
    "processed": (("processed_usdz", "processed.usdz", "processed_usdz_url"),
                  ("processed_armature_fbx", "processed_armature.fbx", "processed_armature_fbx_url"),
                  ("processed_fps_fbx", "processed_fps.fbx", "processed_animation_fps_fbx_url")),
}
#: outputs a finished task must have: without them the job fails with this sentence
REQUIRED = {"glb": ("model", "Meshy returned no GLB model for this task"),
            "rig": ("character", "Meshy returned no rigged character for this task"),
            "animation": ("animation", "Meshy returned no animation for this task")}
MAX_FOLDER = 100


class UnsafeName(ValueError):
    """A destination would leave the task's folder."""


@dataclass(frozen=True)
class Output:
    """One file to download: our name for it, its file name, how to find its URL again."""

    name: str
    filename: str
    url: str
    pick: Callable[[Task], str | None]

    @property
    def optional(self) -> bool:
        """A preview image: a failed download is a warning, not a failed job."""
        return bool(OPTIONAL.match(self.name))


def task_folder_name(task_id: str) -> str:
    """A folder name for a task id: the id itself when it is plain, else a safe form plus a digest."""
    raw = str(task_id or "")
    safe = safe_filename(raw, default="task")
    if safe == raw and len(raw) <= MAX_FOLDER:
        return raw
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{safe[:MAX_FOLDER - 13]}-{digest}"


def result_dir(download_dir: Path | str, kind: Kind | str, task_id: str) -> Path:
    """Where a task's files go: also the local cache that re-import reads."""
    base = Path(download_dir) / Kind(kind).value
    folder = base / task_folder_name(task_id)
    return inside(base, folder, what="task folder")


def inside(folder: Path, dest: Path, *, what: str = "file") -> Path:
    """``dest`` if it resolves to a direct child of ``folder``; else UnsafeName."""
    root = folder.resolve()
    target = dest.resolve()
    if target.parent != root:
        raise UnsafeName(f"refused a {what} outside {root}: {dest.name!r}")
    return dest


def _url_suffix(url: str, allowed: Iterable[str], default: str) -> str:
    suffix = Path(unquote(urlparse(url).path)).suffix.lower()
    return suffix if suffix in allowed else default


def _plain(key: object) -> bool:
    return isinstance(key, str) and bool(PLAIN_KEY.match(key))


def plan_outputs(task: Task, outputs: Iterable[str]) -> list[Output]:
    """The files to download for ``outputs``, each under a name of ours; odd server keys are skipped.

    Outputs: ``glb`` (``model.glb``), ``models`` (every format), ``textures``, ``images``,
    ``thumbnail``, ``alpha_thumbnail``, ``thumbnails`` (the multi-view set), and rigging's and
    animation's files (:data:`RESULT_FILES`). One a task does not have is left out.
    """
    wanted: list[tuple[str, str, Callable[[Task], str | None]]] = []  # name, suffix rule, pick
    fixed: dict[str, str] = {}  # name -> file name, for the outputs whose file name is ours outright
    for output in outputs:
        if output == "glb":
            wanted.append(("model", "glb", lambda t: (t.model_urls or {}).get("glb")))
        elif output == "models":
            for fmt in task.model_urls or {}:
                if not _plain(fmt):
                    log.warning("skipped a model format with an unusable name from task %s: %r", task.id, fmt[:60])
                    continue
                wanted.append((f"model_{fmt}", f"model:{fmt}", lambda t, f=fmt: (t.model_urls or {}).get(f)))
        elif output == "textures":
            first = task.texture_urls[0] if task.texture_urls else {}
            for key in first:
                if not _plain(key) or _OWN_NAMES.match(key):
                    log.warning("skipped a texture with an unusable name from task %s: %r", task.id, str(key)[:60])
                    continue
                wanted.append((key, "image", lambda t, k=key: _first_texture(t).get(k)))
        elif output == "images":
            for i in range(len(task.image_urls or [])):
                wanted.append((f"image_{i}", "image", lambda t, i=i: _nth(t.image_urls, i)))
        elif output == "thumbnail":
            wanted.append(("thumbnail", "image", lambda t: t.thumbnail_url))
        elif output == "alpha_thumbnail":
            wanted.append(("alpha_thumbnail", "image", lambda t: t.alpha_thumbnail_url))
        elif output == "thumbnails":
            for view in task.thumbnail_urls or {}:
                if not _plain(view):
                    log.warning("skipped a thumbnail with an unusable name from task %s: %r", task.id, view[:60])
                    continue
                wanted.append((f"thumbnail_{view}", "image", lambda t, v=view: (t.thumbnail_urls or {}).get(v)))
        elif output in RESULT_FILES:
            for name, filename, api_name in RESULT_FILES[output]:
                fixed[name] = filename
                wanted.append((name, "fixed", lambda t, f=api_name: t.result_url(f)))
    result: list[Output] = []
    seen: set[str] = set()
    for name, rule, pick in wanted:
        url = pick(task)
        if not isinstance(url, str) or not url or name.lower() in seen:
            continue
        seen.add(name.lower())
        filename = fixed[name] if rule == "fixed" else name + _suffix_for(rule, url)
        result.append(Output(name, filename, url, pick))
    return result


def _suffix_for(rule: str, url: str) -> str:
    if rule == "glb":
        return ".glb"
    if rule.startswith("model:"):
        fmt = rule.split(":", 1)[1]
        return MODEL_SUFFIXES.get(fmt.lower()) or _url_suffix(url, FILE_SUFFIXES, ".bin")
    return _url_suffix(url, IMAGE_SUFFIXES, ".png")


def _first_texture(task: Task) -> dict:
    first = task.texture_urls[0] if task.texture_urls else {}
    return first if isinstance(first, dict) else {}


def _nth(values: list | None, i: int) -> str | None:
    return values[i] if values and i < len(values) else None


def cached_files(download_dir: Path | str, kind: Kind | str, task_id: str) -> dict[str, str] | None:
    """Files of a finished download, so re-import works offline and after expiry.

    ``task.json`` is read back as hostile too: a listed file that is not a
    plain name in the folder makes the cache unusable (downloaded again).
    """
    try:
        folder = result_dir(download_dir, kind, task_id)
        record = json.loads((folder / RESULT_FILE).read_text(encoding="utf-8"))
        listed = record.get("files", {}) if isinstance(record, dict) else {}
        if not isinstance(listed, dict):
            return None
        files = {}
        for name, rel in listed.items():
            if not isinstance(name, str) or not isinstance(rel, str) or rel != Path(rel).name:
                return None
            files[name] = str(inside(folder, folder / rel))
    except (OSError, ValueError, UnsafeName):
        return None
    return files if all(Path(p).is_file() for p in files.values()) else None


class NoResult(MeshyError):
    """A finished task whose outputs are missing."""


def download_outputs(
    client: Any, folder: Path, task: Task, outputs: Iterable[str],
    refresher: Callable[[Callable[[Task], str | None]], Callable[[], str]],
) -> dict[str, str]:
    """Download the task's outputs into ``folder`` (made if needed); returns name -> absolute path.

    ``refresher(pick)`` gives the callback that fetches a fresh URL when a
    signed one has expired. A missing thumbnail is only a warning. ``task.json``
    (the task object and our file names) is written last, so its presence means
    the cache is complete.
    """
    folder.mkdir(parents=True, exist_ok=True)
    outputs = tuple(outputs)
    planned = plan_outputs(task, outputs)
    for output, (name, missing) in REQUIRED.items():
        if output in outputs and not any(o.name == name for o in planned):
            raise NoResult(missing)
    if "images" in outputs and not any(o.name.startswith("image_") for o in planned):
        raise NoResult("Meshy returned no images for this task")
    files: dict[str, str] = {}
    for out in planned:
        try:
            dest = inside(folder, folder / out.filename)
        except UnsafeName:
            log.warning("skipped %r of task %s: it would be written outside its folder", out.filename, task.id)
            continue
        try:
            client.download(out.url, dest, refresh=refresher(out.pick))
        except MeshyError:
            if out.optional:
                log.warning("%s of %s not downloaded", out.name, task.id)
                continue
            raise
        files[out.name] = dest.name
    tmp = folder / (RESULT_FILE + ".tmp")
    tmp.write_text(json.dumps({"task": task.raw, "files": files}), encoding="utf-8")
    os.replace(tmp, folder / RESULT_FILE)
    return {name: str(folder / rel) for name, rel in files.items()}
