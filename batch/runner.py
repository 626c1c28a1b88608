"""Run one batch: plan the assets, submit them to a job engine, import and save each result.

The network runs on the engine's worker threads (at most ``--jobs`` tasks in
flight); this module runs on Blender's main thread and is the only place that
touches ``bpy``: it exports .blend objects before anything is sent, and
imports each finished result, saves its .blend and clears the scene again.

Resume is by asset, not by job: each job carries ``meta["asset"]`` (a stable
key: the input's absolute path, ``file.blend#Object``, or ``task:<id>``) and
the engine's journal lives in ``<out>/journal.jsonl``. On a re-run an asset
whose task id is journalled is attached (followed, never created again), one
whose result is cached is imported offline, and one whose .blend exists is
skipped.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bpy

from .. import preferences
from ..client import MeshyClient
from ..client.engine import DEFAULT_OUTPUTS, Job, JobEngine, JobEvent, cached_files
from ..client.errors import AuthenticationError, MeshyError, ValidationError
from ..client.journal import Journal
from ..client.models import request_from_dict
from ..client.pricing import estimate_credits
from ..client.reconcile import resolve_creating, unsettled
from ..client.uploads import FileInput
from ..operators import glb, importing, scene_io
from ..operators.inputs import CHAINS
from ..operators.messages import explain
from . import report
from .args import FILE_OPTIONS, IMAGE_SUFFIXES, MODEL_SUFFIXES, UsageError

MODEL_KINDS = ("remesh", "retexture")
INPUT_FIELD = {"remesh": "model_url", "retexture": "model_url", "image-to-3d": "image_url",
               "image-to-image": "reference_image_urls"}
PLACEHOLDER = {"model_url": "https://example.invalid/model.glb", "image_url": "https://example.invalid/image.png",
               "reference_image_urls": ["https://example.invalid/image.png"]}
SUMMARY_EVERY = 5.0
REPORT_EVERY = 10.0
_CLEARED = ("objects", "collections", "meshes", "materials", "images", "textures", "node_groups", "cameras",
            "lights", "curves", "armatures", "actions")


class FatalError(Exception):
    """Stops the whole batch with one sentence (exit status in ``code``)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


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
    action: str = "create"  # create attach import skip failed
    job_id: str = ""
    task_id: str | None = None
    job: dict[str, Any] = field(default_factory=dict)  # the journalled job, if any
    state: str = "planned"
    meta: dict[str, Any] = field(default_factory=dict)  # the job's meta: journalled with every record
    upload: Path | None = None
    estimate: int = 0


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
    argv: list[str] = field(default_factory=list)


def log(text: str) -> None:
    print(f"meshy: {text}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- planning


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
    assets = []
    for path in files:
        suffix = path.suffix.lower()
        if suffix not in allowed:
            what = "a model (.glb .gltf .obj .fbx .stl) or a .blend" if kind in MODEL_KINDS else "an image"
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


def decide(assets: list[Asset], opts: Options) -> None:
    """Per asset, from the journal: create, attach, import from cache, skip, or leave failed."""
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


# --------------------------------------------------------------------------- requests


def base_args(opts: Options) -> dict[str, Any]:
    """The task options as API values; file options become uploads; checked before any work."""
    args = dict(opts.params)
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
                raise UsageError(exc.message) from None
        if api_name == "reference_image_urls":
            args[api_name] = [*(args.get(api_name) or []), *uploads]
        elif api_name not in args:
            args[api_name] = uploads[0]
    if "ai_model" not in args:
        s = preferences.settings()
        default = s.default_image_model if opts.kind == "image-to-image" else s.default_mesh_model
        if opts.kind == "image-to-image" or default != "LATEST":
            args["ai_model"] = default.lower().replace("_", "-")
    if opts.kind == "image-to-image" and "prompt" not in args:
        raise UsageError("image-to-image needs --prompt: the edit to apply")
    if args.get("target_formats") and "glb" not in args["target_formats"]:
        args["target_formats"] = ["glb", *args["target_formats"]]  # results are imported from GLB
    return args


def make_request(kind: str, args: dict[str, Any]) -> Any:
    request = request_from_dict(kind, {})
    for name, value in args.items():
        setattr(request, name, value)
    request.validate()
    return request


def check_args(kind: str, args: dict[str, Any], explicit: bool) -> None:
    """Validate once with a stand-in input, so a bad option is exit 2 before anything is sent."""
    probe = dict(args)
    if not explicit:
        field_ = INPUT_FIELD[kind]
        probe[field_] = list(args.get(field_) or []) + PLACEHOLDER[field_] if field_ == "reference_image_urls" \
            else PLACEHOLDER[field_]
    try:
        make_request(kind, probe)
    except ValidationError as exc:
        raise UsageError(exc.message) from None


def asset_request(kind: str, args: dict[str, Any], asset: Asset) -> Any:
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
    return make_request(kind, per)


def outputs_for(kind: str, args: dict[str, Any]) -> tuple[str, ...]:
    outputs = DEFAULT_OUTPUTS[kind]
    if kind != "image-to-image" and set(args.get("target_formats") or ()) - {"glb"}:
        outputs = (*outputs, "models")  # the other formats asked for are downloaded too
    return outputs


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
            clear_scene()
            objects = scene_io.import_glb(asset.file)
            asset.upload = scene_io.export_objects_glb([o for o in objects if o.type == "MESH"],
                                                       uploads / f"{asset.out_name}.glb")
    for blend, items in by_blend.items():
        bpy.ops.wm.open_mainfile(filepath=str(blend), load_ui=False)
        for asset in items:
            obj = bpy.data.objects[asset.object]
            source = scene_io.task_source(obj)
            if source and source[0] in CHAINS[opts.kind]:
                asset.input_task_id = source[1]  # made by Meshy and not edited since: chain, no upload
                continue
            asset.upload = scene_io.export_objects_glb([obj], uploads / f"{asset.out_name}.glb")


# --------------------------------------------------------------------------- scene


def clear_scene() -> None:
    """Remove every object and its data, so each saved .blend holds only its own result."""
    for attr in _CLEARED:
        data = getattr(bpy.data, attr, None)
        if data is None:
            continue
        blocks = [b for b in data if not b.library]
        if blocks:
            bpy.data.batch_remove(blocks)
    bpy.data.orphans_purge(do_local_ids=True, do_linked_ids=True, do_recursive=True)
    # Blender 5.2 leaves stale (None) bases in the view layer until it resyncs, which
    # only the UI's event loop does by itself: resync before anything iterates it.
    bpy.context.view_layer.update()


def _apply_matrix(names: list[str], matrix: list[float]) -> None:
    from mathutils import Matrix

    world = Matrix([matrix[i:i + 4] for i in range(0, 16, 4)])
    objects = [bpy.data.objects[n] for n in names if n in bpy.data.objects]
    for obj in objects:
        if obj.parent is None or obj.parent.name not in names:
            obj.matrix_world = world @ obj.matrix_world


def _collect(names: list[str], collection_name: str, offset: tuple[float, float, float] | None) -> None:
    """Single-blend mode: each asset in its own collection, laid out on a grid."""
    scene = bpy.context.scene
    coll = bpy.data.collections.new(collection_name)
    scene.collection.children.link(coll)
    for name in names:
        obj = bpy.data.objects.get(name)
        if obj is None:
            continue
        for users in list(obj.users_collection):
            users.objects.unlink(obj)
        coll.objects.link(obj)
        if offset and (obj.parent is None or obj.parent.name not in names):
            obj.location = (obj.location[0] + offset[0], obj.location[1] + offset[1], obj.location[2] + offset[2])


def _keep_images(names: list[str]) -> None:
    for name in names:
        image = bpy.data.images.get(name)
        if image is not None:
            image.use_fake_user = True  # an image no material uses is otherwise not saved


def save_blend(path: Path, pack: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if pack:
        for image in bpy.data.images:
            if image.source == "FILE" and image.packed_file is None and image.filepath:
                image.pack()
    bpy.ops.wm.save_as_mainfile(filepath=str(path), copy=True, relative_remap=True, check_existing=False)


# --------------------------------------------------------------------------- the run


def make_client(opts: Options) -> MeshyClient:
    """A client from MESHY_API_KEY or the preferences (never from the command line)."""
    s = preferences.settings()
    if not s.api_key:
        raise FatalError("No Meshy API key: set MESHY_API_KEY, or add the key in Edit > Preferences > "
                         "Add-ons > Meshy Tools (it is never taken from the command line)", 2)
    base_url = opts.base_url or s.base_url
    proxies = {"http": s.proxy, "https": s.proxy} if s.proxy else None
    return MeshyClient(s.api_key, base_url=base_url, proxies=proxies, verify=s.ca_bundle or True)


class Batch:
    """One run of one command over its assets."""

    def __init__(self, opts: Options, assets: list[Asset]) -> None:
        self.opts = opts
        self.assets = assets
        self.by_job: dict[str, Asset] = {}
        self.engine: JobEngine | None = None
        self.journal = Journal(opts.out / report.JOURNAL)
        self.started = time.time()
        self.imported_count = 0
        self.balance_before: int | None = None
        self.balance_after: int | None = None
        self._last_summary = self._last_report = time.monotonic()

    # -- setup --------------------------------------------------------------

    def client(self) -> MeshyClient:
        return make_client(self.opts)

    def start(self, args: dict[str, Any]) -> None:
        client = self.client()
        try:
            self.balance_before = client.balance()
        except AuthenticationError:
            raise FatalError("Meshy rejected the API key (MESHY_API_KEY or the add-on preferences)", 2) from None
        except MeshyError as exc:
            log(f"could not read the credit balance ({exc.message}); going on")
        self.engine = JobEngine(client, journal=self.journal, download_dir=self.opts.out / report.DOWNLOADS,
                                max_in_flight=self.opts.jobs, after_download=glb.prepare_for_import)
        outputs = outputs_for(self.opts.kind, args)
        for asset in self.assets:
            meta = {"asset": asset.key, "label": asset.name, "source_path": asset.source_path,
                    "out_name": asset.out_name}
            asset.meta = {**(asset.job.get("meta") or {}), **meta}
            if asset.action == "create":
                try:
                    request = asset_request(self.opts.kind, args, asset)
                except MeshyError as exc:
                    self._fail_local(asset, exc.message)
                    continue
                asset.estimate = estimate_credits(self.opts.kind, request)
                settings = {k: v for k, v in request.to_dict().items() if not isinstance(v, (dict, list))
                            or k == "target_formats"}
                asset.meta.update(settings=settings, estimate=asset.estimate)
                job = Job(kind=self.opts.kind, request=request, label=asset.name, outputs=outputs,
                          meta=dict(asset.meta))
                asset.job_id = self.engine.submit(job)
                asset.state = "queued"
            elif asset.action == "attach":
                asset.job_id = self.engine.attach(self.opts.kind, str(asset.task_id), label=asset.name,
                                                  meta=dict(asset.meta), outputs=outputs, job_id=asset.job_id)
                asset.state = "running"
            else:
                continue
            self.by_job[asset.job_id] = asset

    def _fail_local(self, asset: Asset, message: str) -> None:
        """An asset refused before any task (unreadable file): recorded, the rest go on."""
        job_id = asset.job_id or hashlib.sha1(asset.key.encode()).hexdigest()[:12]
        asset.job_id, asset.state = job_id, "failed"
        self.journal.record(job_id, "failed", kind=self.opts.kind, label=asset.name, message=message,
                            meta={"asset": asset.key, "label": asset.name, "source_path": asset.source_path})
        log(f"{asset.name}: failed: {message}")

    # -- main loop ------------------------------------------------------------

    def run(self) -> None:
        opts = self.opts
        deadline = None if opts.timeout is None else time.monotonic() + opts.timeout
        clear_scene()
        for asset in self.assets:  # finished earlier, files cached: import offline
            if asset.action == "import":
                self._import(asset, cached_files(opts.out / report.DOWNLOADS, opts.kind, str(asset.task_id)) or {},
                             asset.job.get("meta") or {})
            elif asset.action == "skip":
                asset.state = "skipped"
            elif asset.action == "failed":
                asset.state = "failed"
        active = {j for j, a in self.by_job.items() if a.state in {"queued", "running"}}
        assert self.engine is not None or not active
        while active:
            if deadline is not None and time.monotonic() > deadline:
                raise FatalError(f"Gave up after {opts.timeout:g} s with {len(active)} asset(s) unfinished; "
                                 "run the same command again to go on waiting (nothing is paid twice)")
            for event in self.engine.drain(wait=0.25) if self.engine else []:
                self._on_event(event)
                if event.is_terminal:
                    active.discard(event.job_id)
            self._tick()
        if opts.single_blend and any(a.state == "succeeded" for a in self.assets):
            path = opts.out / "batch.blend"
            save_blend(path, opts.pack)
            for asset in self.assets:
                if asset.state == "succeeded":
                    asset.job["blend"] = str(path)
                    self.journal.record(asset.job_id, "imported", kind=opts.kind, task_id=asset.task_id,
                                        blend=str(path), meta=asset.meta)
            log(f"saved {path}")

    def _tick(self) -> None:
        now = time.monotonic()
        if not self.opts.quiet and now - self._last_summary >= SUMMARY_EVERY:
            self._last_summary = now
            log(self.progress_line())
        if now - self._last_report >= REPORT_EVERY:
            self._last_report = now
            self.write_report()

    def progress_line(self) -> str:
        counts: dict[str, int] = {}
        for a in self.assets:
            counts[a.state] = counts.get(a.state, 0) + 1
        done = counts.get("succeeded", 0) + counts.get("skipped", 0)
        return (f"{done}/{len(self.assets)} done, {counts.get('running', 0)} running, "
                f"{counts.get('queued', 0) + counts.get('waiting', 0)} waiting, {counts.get('failed', 0)} failed, "
                f"{time.time() - self.started:.1f} s")

    def _on_event(self, event: JobEvent) -> None:
        asset = self.by_job.get(event.job_id)
        if asset is None:
            return
        if event.task_id:
            asset.task_id = event.task_id
        quiet = self.opts.quiet
        if event.type == "created":
            asset.state = "running"
            if not quiet:
                log(f"{asset.name}: created task {event.task_id}")
        elif event.type == "waiting":
            if asset.state != "waiting" and not quiet:
                log(f"{asset.name}: {event.message}")
            asset.state = "waiting"
        elif event.type == "progress":
            asset.state = "running"
        elif event.type == "succeeded":
            self._import(asset, event.files, event.meta)
        elif event.type in {"suspended", "in_doubt"}:  # unfinished, journalled: the next run goes on
            asset.state = event.type
            log(f"{asset.name}: {event.message}")
        elif event.type in {"failed", "canceled"}:
            asset.state = "failed"
            status = event.task.status if event.task is not None else None
            self.journal.record(event.job_id, "failed", kind=self.opts.kind, task_id=asset.task_id,
                                task_status=status, message=event.message, meta=event.meta)
            log(f"{asset.name}: failed: {event.message}")

    def _import(self, asset: Asset, files: dict[str, str], meta: dict[str, Any]) -> None:
        """Import one result, save its .blend, clear the scene; a failure is this asset's only."""
        opts = self.opts
        meta = {**meta, "source": ""}  # never placed on an object of this (empty) scene
        try:
            names = importing.import_result(opts.kind, files, meta, str(asset.task_id))
            if opts.kind == "image-to-image":
                _keep_images(names)
            if asset.matrix and opts.kind != "image-to-image":
                _apply_matrix(names, asset.matrix)
            if opts.single_blend:
                offset = None if asset.matrix or opts.kind == "image-to-image" else _grid(self.imported_count)
                if opts.kind != "image-to-image":
                    _collect(names, asset.out_name, offset)
                blend = ""
            else:
                path = opts.out / f"{asset.out_name}.blend"
                save_blend(path, opts.pack)
                clear_scene()
                blend = str(path)
        except Exception as exc:  # noqa: BLE001 - one broken result must not stop the batch
            if not isinstance(exc, (MeshyError, ValueError, OSError)):
                log(f"{asset.name}: unexpected error importing task {asset.task_id}:")
                traceback.print_exc(file=sys.stderr)  # the "system console" the sentence points at
            if not opts.single_blend:
                clear_scene()
            message = explain(exc, "importing the result")
            asset.state = "failed"
            self.journal.record(asset.job_id, "failed", kind=opts.kind, task_id=asset.task_id, message=message,
                                meta=meta, files=files)
            log(f"{asset.name}: failed: {message}")
            return
        self.imported_count += 1
        asset.state = "succeeded"
        asset.job["blend"] = blend
        self.journal.record(asset.job_id, "imported", kind=opts.kind, task_id=asset.task_id, meta=meta,
                            files=files, blend=blend or None)
        if asset.upload and asset.upload.parent == opts.out / "uploads":
            asset.upload.unlink(missing_ok=True)
        if not opts.quiet:
            log(f"{asset.name}: done -> {blend or 'batch.blend'} [{self.progress_line()}]")

    def close(self) -> None:
        if self.engine is not None:
            try:
                self.balance_after = self.engine.client.balance()
            except MeshyError:
                pass
            self.engine.close()
            self.engine.client.close()
            self.engine = None

    # -- report -----------------------------------------------------------------

    def write_report(self, exit_code: int | None = None) -> Path:
        history = report.by_asset(report.read_history(self.opts.out / report.JOURNAL))
        entries = []
        for asset in self.assets:
            entry = report.asset_entry(asset.key, history.get(asset.key), self.opts.out,
                                       {"kind": self.opts.kind, "name": asset.name})
            if asset.state == "skipped":
                entry["status"] = "skipped"
            elif asset.state in {"queued", "waiting", "running"}:
                entry["status"] = "running" if asset.task_id else "not created"
            entries.append(entry)
        run = {"command": self.opts.kind, "argv": self.opts.argv, "out": str(self.opts.out),
               "started": self.started, "seconds": round(time.time() - self.started, 3),
               "jobs": self.opts.jobs, "balance_before": self.balance_before, "balance_after": self.balance_after,
               "exit_code": exit_code}
        return report.write_report(self.opts.out, entries, run)


def _grid(index: int, spacing: float = 3.0, columns: int = 10) -> tuple[float, float, float]:
    return ((index % columns) * spacing, (index // columns) * spacing, 0.0)


# --------------------------------------------------------------------------- entry


def settle_interrupted_creates(opts: Options) -> None:
    """A crash mid-create: adopt the task it made, or mark it not created (see client/reconcile.py)."""
    journal = Journal(opts.out / report.JOURNAL)
    if not unsettled(journal):
        return
    for job_id, state in resolve_creating(make_client(opts), journal).items():
        log(f"interrupted create {job_id}: {state.replace('_', ' ')}")


def run_batch(opts: Options) -> int:
    """Plan, check, submit, wait, import; returns the exit status (0 all ok, 1 some failed, 2 usage)."""
    if not opts.dry_run and not bpy.app.online_access:
        raise FatalError("Online access is off, so nothing can be sent to Meshy: start Blender with "
                         "--online-mode (blender --online-mode --command meshy ...) or allow it in "
                         "Preferences > System > Network", 2)
    args = base_args(opts)
    explicit = bool(opts.params.get("input_task_id") or opts.params.get("model_url") or opts.params.get("image_url"))
    check_args(opts.kind, args, explicit)
    assets = plan(opts)
    opts.out.mkdir(parents=True, exist_ok=True)
    assets = list_blend_objects(assets)
    name_outputs(assets)
    if not opts.dry_run:
        settle_interrupted_creates(opts)
    decide(assets, opts)
    if opts.dry_run:
        return _print_plan(assets, opts, args)
    report.write_json(opts.out / report.BATCH, {"argv": opts.argv, "command": opts.kind, "time": time.time()})
    prepare_uploads(assets, opts)
    batch = Batch(opts, assets)
    counts = {a: sum(1 for x in assets if x.action == a) for a in ("create", "attach", "import", "skip", "failed")}
    log(f"{opts.kind}: {len(assets)} asset(s): {counts['create']} to create, {counts['attach']} to follow, "
        f"{counts['import']} to import from the cache, {counts['skip']} already done, "
        f"{counts['failed']} failed before (--retry-failed), at most {opts.jobs} in flight")
    code = 1
    try:
        batch.start(args)
        batch.run()
        code = 0 if all(a.state in {"succeeded", "skipped"} for a in assets) else 1
    except KeyboardInterrupt:
        log("interrupted: run the same command again to finish the batch (created tasks are not paid twice)")
        code = 130
    finally:
        batch.close()
        path = batch.write_report(code)
    s = report.summary(json.loads(path.read_text(encoding="utf-8"))["assets"])
    counts_text = ", ".join(f"{n} {k}" for k, n in sorted(s["counts"].items()))
    log(f"{opts.kind} finished: {counts_text}; {s['credits']} credits used; report {path}")
    return code


def _print_plan(assets: list[Asset], opts: Options, args: dict[str, Any]) -> int:
    total = 0
    for asset in assets:
        cost = estimate_credits(opts.kind, args) if asset.action == "create" else 0
        total += cost
        print(f"{asset.action:<7} {asset.key}  -> {opts.out / (asset.out_name + '.blend')}  ~{cost} credits")
    print(f"{len(assets)} asset(s); about {total} credits for the tasks to create")
    return 0
