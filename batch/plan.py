"""Plan a batch: its assets, what each needs (from the journal), its requests and uploads.

Resume is by asset, not by job: each job carries ``meta["asset"]`` (a stable
key: the input's absolute path, ``file.blend#Object``, or ``task:<id>``) and
the journal lives in ``<out>/journal.jsonl``. On a re-run an asset whose task
the engine follows again (``resume``) or that was created earlier
(``attach``) is never created again, one whose result is cached is imported
offline, and one whose .blend exists is skipped.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bpy

from .. import scene
from ..client.engine import cached_files
from ..client.errors import ValidationError
from ..client.uploads import FileInput
from ..core.params import MODEL_KINDS
from ..core.requests import build_request, can_chain
from ..core.settings import Settings
from . import characters, report, sources
from .args import FILE_OPTIONS, IMAGE_SUFFIXES, MODEL_SUFFIXES, UsageError

#: What a run does with an asset.
ACTIONS = ("create", "resume", "attach", "import", "skip", "failed")


@dataclass
class Asset:
    """One input that becomes one task and one result."""

    key: str
    name: str
    source_path: str = ""
    file: Path | None = None  # a model or image to upload
    blend: Path | None = None  # a .blend whose object is the input
    object: str = ""
    matrix: list[float] | None = None  # the source object's world matrix (results land there)
    input_task_id: str = ""
    out_name: str = ""
    action: str = "create"  # one of ACTIONS
    job_id: str = ""
    task_id: str | None = None
    job: dict[str, Any] = field(default_factory=dict)  # the journalled job, if any
    meta: dict[str, Any] = field(default_factory=dict)  # the job's meta: journalled with every record
    upload: Path | None = None
    estimate: int = 0
    prompt: str = ""  # text-to-3d, text-to-image (batch/sources.py)
    views: list[Path] = field(default_factory=list)  # multi-image-to-3d: the images of one model


@dataclass
class Options:
    """Everything one run needs, from the command line."""

    kind: str
    inputs: list[str]
    out: Path
    params: dict[str, Any]
    jobs: int = 10
    single_blend: bool = False
    pack: bool = False
    retry_failed: bool = False
    base_url: str | None = None
    timeout: float | None = None
    dry_run: bool = False
    quiet: bool = False
    asset_library: Path | None = None  # results also go into this folder's library .blend
    mark_assets: bool = False  # results marked as assets (on with ``asset_library``)
    argv: list[str] = field(default_factory=list)


def expand_inputs(patterns: list[str]) -> list[Path]:
    """Files from paths, globs and folders, in a stable order; a miss is a usage error."""
    files: list[Path] = []
    seen: set[Path] = set()
    for pattern in patterns:
        text = os.path.expanduser(pattern)
        if glob.has_magic(text):
            matches = sorted(Path(p) for p in glob.glob(text, recursive=True))
            matches = [m for m in matches if m.is_file()]
            if not matches:
                raise UsageError(f"No file matches {pattern!r}")
        else:
            path = Path(text)
            if path.is_dir():
                matches = sorted(p for p in path.iterdir()
                                 if p.is_file() and p.suffix.lower() in (*MODEL_SUFFIXES, *IMAGE_SUFFIXES, ".blend"))
            elif path.is_file():
                matches = [path]
            else:
                raise UsageError(f"The input {pattern!r} does not exist")
        for match in matches:
            resolved = match.resolve()
            if resolved not in seen:
                seen.add(resolved)
                files.append(resolved)
    return files


def _stem(text: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in text).strip("._")
    return safe[:80] or "asset"


def plan(opts: Options) -> list[Asset]:
    """The assets, before any .blend is opened (their objects are listed later)."""
    kind = opts.kind
    if kind == "animations":  # no input files: one asset, the rig (by task id) and the action
        if opts.inputs:
            raise UsageError("animate takes no input files: give --rig-task-id and --action")
        key, name = characters.animation_key(opts.params)
        return [Asset(key=key, name=name, source_path=key)]
    if kind in sources.KINDS:  # prompts, or sets of views
        return [Asset(**item) for item in sources.items(opts)]
    explicit = opts.params.get("input_task_id") or opts.params.get("model_url") or opts.params.get("image_url")
    files = expand_inputs(opts.inputs) if opts.inputs else []
    if explicit and files:
        raise UsageError("Give input files or --input-task-id/--model-url/--image-url, not both")
    if not explicit and not files:
        raise UsageError(f"Give at least one input to {kind} (files, globs or folders; see --help)")
    if explicit:
        digest = hashlib.sha1(str(explicit).encode()).hexdigest()[:10]
        key = f"task:{explicit}" if opts.params.get("input_task_id") else f"url:{digest}"
        return [Asset(key=key, name=_stem(str(explicit))[:24] if opts.params.get("input_task_id") else "url_" + digest,
                      source_path=str(explicit) if len(str(explicit)) < 200 else key)]
    allowed = MODEL_SUFFIXES + (".blend",) if kind in MODEL_KINDS else IMAGE_SUFFIXES
    if kind == "rigging":  # Meshy rigs GLB only
        allowed = (".glb", ".blend")
    assets = []
    for path in files:
        suffix = path.suffix.lower()
        if suffix not in allowed:
            what = "a model (.glb .gltf .obj .fbx .stl) or a .blend" if kind in MODEL_KINDS else "an image"
            what = "a .glb model or a .blend" if kind == "rigging" else what
            raise UsageError(f"{path.name} is not {what}; {kind} takes {' '.join(allowed)}")
        if suffix == ".blend":
            assets.append(Asset(key=str(path), name=path.stem, blend=path, source_path=str(path)))
        else:
            assets.append(Asset(key=str(path), name=path.stem, file=path, source_path=str(path)))
    return assets


def list_blend_objects(blend_assets: list[Asset]) -> list[Asset]:
    """Replace each .blend placeholder by one asset per mesh object with faces (opens the files)."""
    result: list[Asset] = []
    for placeholder in blend_assets:
        if placeholder.blend is None:
            result.append(placeholder)
            continue
        bpy.ops.wm.open_mainfile(filepath=str(placeholder.blend), load_ui=False)
        found = 0
        for obj in sorted(bpy.context.scene.objects, key=lambda o: o.name):
            if obj.type != "MESH" or len(obj.data.polygons) == 0:
                continue
            found += 1
            result.append(Asset(
                key=f"{placeholder.blend}#{obj.name}", name=f"{placeholder.blend.stem}_{obj.name}",
                blend=placeholder.blend, object=obj.name, source_path=f"{placeholder.blend}#{obj.name}",
                matrix=[v for row in obj.matrix_world for v in row],
            ))
        if not found:
            raise UsageError(f"{placeholder.blend.name} holds no mesh object with faces")
    return result


def name_outputs(assets: list[Asset]) -> None:
    """A unique, stable .blend name per asset (same inputs, same names on every run)."""
    used: dict[str, int] = {}
    for asset in assets:
        stem = _stem(asset.name)
        n = used.get(stem.lower(), 0) + 1
        used[stem.lower()] = n
        asset.out_name = stem if n == 1 else f"{stem}_{n}"


def decide(assets: list[Asset], opts: Options, following: set[str] = frozenset()) -> None:
    """Per asset, from the journal: create, resume, attach, import from cache, skip, or leave failed.

    ``following`` are the jobs the engine's ``resume()`` follows already (their tasks exist).
    """
    history = report.read_history(opts.out / report.JOURNAL)
    jobs = report.by_asset({k: j for k, j in history.items() if j.get("kind") == opts.kind})
    for asset in assets:
        job = jobs.get(asset.key)
        asset.job = job or {}
        if not job:
            asset.action = "create"
            continue
        asset.job_id, asset.task_id = job["job_id"], job.get("task_id")
        state = job.get("state")
        if asset.job_id in following:
            asset.action = "resume"
            continue
        cached = cached_files(opts.out / report.DOWNLOADS, opts.kind, asset.task_id) if asset.task_id else None
        blend = job.get("blend")
        if state == "imported" and not opts.single_blend and blend and Path(blend).is_file():
            asset.action = "skip"
        elif state == "failed" and job.get("task_status") in {"FAILED", "CANCELED"} and not opts.retry_failed:
            asset.action = "failed"
        elif state == "in_doubt" or (state == "unresolved" and not opts.retry_failed):
            asset.action = "failed"  # a task may exist: creating again could pay twice
        elif asset.task_id and cached and state in {"succeeded", "imported", "failed"}:
            asset.action = "import"
        elif asset.task_id and not (state == "failed" and job.get("task_status") in {"FAILED", "CANCELED"}):
            asset.action = "attach"  # created before: follow it, never create again
        else:
            asset.action, asset.job_id, asset.task_id = "create", "", None


def base_args(opts: Options) -> dict[str, Any]:
    """The task options as API values, the file options read as uploads; checked before any work."""
    args = characters.task_args(opts.kind, opts.params)  # rig's PNG texture, animate's action and post_process
    for option_name, api_name in FILE_OPTIONS.items():
        value = args.pop(option_name, None)
        if not value:
            continue
        paths = value if isinstance(value, list) else [value]
        uploads = []
        for p in paths:
            path = Path(os.path.expanduser(p))
            if not path.is_file():
                raise UsageError(f"The file {p} given to --{option_name.replace('_', '-')} does not exist")
            try:
                uploads.append(FileInput.image(path))
            except ValidationError as exc:
                raise UsageError(f"--{option_name.replace('_', '-')}: {exc.message.rstrip('.')}.") from None
        if api_name == "reference_image_urls":
            args[api_name] = [*(args.get(api_name) or []), *uploads]
        elif api_name not in args:
            args[api_name] = uploads[0]
    if opts.kind == "image-to-image" and "prompt" not in args:
        raise UsageError("image-to-image needs --prompt: the edit to apply")
    return args


def options_request(kind: str, args: dict[str, Any], settings: Settings) -> Any:
    """The request the options make, without its inputs: what every asset's job downloads follows from it."""
    if kind in sources.KINDS:  # a prompt stands in: each asset brings its own
        args = {**sources.probe(kind, args), **args}
    return build_request(kind, args, settings, require_input=False)


def asset_request(kind: str, args: dict[str, Any], asset: Asset, settings: Settings) -> Any:
    if kind in sources.KINDS:
        return build_request(kind, sources.request_values(kind, args, asset.prompt, asset.views), settings)
    per = dict(args)
    if asset.input_task_id:
        per["input_task_id"] = asset.input_task_id
    elif asset.upload is not None or asset.file is not None:
        path = asset.upload or asset.file
        assert path is not None
        if kind in MODEL_KINDS:
            per["model_url"] = FileInput.model(path)
        elif kind == "image-to-3d":
            per["image_url"] = FileInput.image(path)
        else:
            per["reference_image_urls"] = [FileInput.image(path), *(args.get("reference_image_urls") or [])]
    return build_request(kind, per, settings)


def _gltf_needs_packing(path: Path) -> bool:
    """A .gltf whose buffers or images are separate files cannot be sent as one data URI."""
    if path.suffix.lower() != ".gltf":
        return False
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    uris = [b.get("uri", "") for b in doc.get("buffers", []) + doc.get("images", [])]
    return any(u and not u.startswith("data:") for u in uris)


def prepare_uploads(assets: list[Asset], opts: Options) -> None:
    """Export .blend objects (and pack split .gltf files) that must be uploaded; main thread."""
    uploads = opts.out / "uploads"
    todo = [a for a in assets if a.action == "create" and (a.blend or (a.file and _gltf_needs_packing(a.file)))]
    by_blend: dict[Path, list[Asset]] = {}
    for asset in todo:
        if asset.blend:
            by_blend.setdefault(asset.blend, []).append(asset)
        else:
            assert asset.file is not None
            scene.clear_scene()
            objects = scene.import_glb(asset.file)
            asset.upload = scene.export_objects_glb([o for o in objects if o.type == "MESH"],
                                                       uploads / f"{asset.out_name}.glb")
    for blend, items in by_blend.items():
        bpy.ops.wm.open_mainfile(filepath=str(blend), load_ui=False)
        for asset in items:
            obj = bpy.data.objects[asset.object]
            source = scene.task_source(obj)
            if source and can_chain(opts.kind, source[0]):
                asset.input_task_id = source[1]  # made by Meshy and not edited since: chain, no upload
                continue
            asset.upload = scene.export_objects_glb([obj], uploads / f"{asset.out_name}.glb")
