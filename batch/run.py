"""Run one batch on the job service: plan the assets, hand them over, save each result.

The batch keeps only what is its own: planning its assets (``plan``) and
saving its files (``files``, ``report``). The client, the engine, the journal
(``<out>/journal.jsonl``), resume with its reconciling of interrupted
creates, the wait and the import all go through a ``JobService`` made for
this run; this module hands it an importer that places each result, saves its
.blend and clears the scene again. Main thread only; at most ``--jobs`` tasks
in flight on the engine's workers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import sys
import time
import traceback
from typing import Any

import bpy

from .. import preferences, scene
from ..client.engine import cached_files
from ..client.errors import AuthenticationError, MeshyError
from ..client.pricing import estimate_credits
from ..core import states
from ..core.params import IMAGE_KINDS
from ..core.requests import effective_ai_model, outputs_for
from ..core.settings import Settings
from ..core.states import JobState
from ..service.chains import root_id
from ..service.jobs import JobService, Submission, WaitTimeout
from ..service.tasks import Imported, TaskEntry
from . import checks, files, plan, report, sources
from .plan import Asset, Options
from .progress import Progress

REPORT_EVERY = 10.0
STAGING = "asset_staging"  # <out>/asset_staging/<asset>.blend: results waiting to go into --asset-library
IMPORT_LOG = "import.log"  # what Blender's importers and savers print, kept out of the console
NO_KEY = ("No Meshy API key: set MESHY_API_KEY, or add the key in Edit > Preferences > Add-ons > Meshy Tools "
          "(it is never taken from the command line)")
OFFLINE = ("Online access is off, so nothing can be sent to Meshy: start Blender with --online-mode "
           "(blender --online-mode --command meshy ...) or allow it in Preferences > System > Network")


class FatalError(Exception):
    """Stops the whole batch with one sentence (exit status in ``code``)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def log(text: str) -> None:
    print(f"meshy: {text}", file=sys.stderr, flush=True)


#: What an asset's job did in this run, for the report (``this_run``) and the credits spent now.
THIS_RUN = {"create": "created", "resume": "followed", "attach": "followed", "import": "imported from the cache",
            "skip": "done earlier", "failed": "failed earlier"}


def batch_settings(opts: Options) -> Settings:
    """The preferences, with this run's own folders, address and tasks in flight."""
    s = preferences.settings()
    return dataclasses.replace(s, base_url=(opts.base_url or s.base_url).rstrip("/"), max_in_flight=opts.jobs,
                               download_dir=opts.out / report.DOWNLOADS, user_dir=opts.out)


class Batch:
    """One run of one command over its assets, on its own job service."""

    def __init__(self, opts: Options, assets: list[Asset], settings: Settings) -> None:
        self.opts, self.assets, self.settings = opts, assets, settings
        self.by_key = {a.key: a for a in assets}
        self.by_job: dict[str, Asset] = {}
        self.service = JobService(lambda: settings, importer=self._import, online=lambda: bool(bpy.app.online_access),
                                  belongs=lambda meta: meta.get("asset") in self.by_key)
        self.started = time.time()
        self.imported_count = 0
        self.balance_before: int | None = None
        self.balance_after: int | None = None
        self._last_report = time.monotonic()
        self.console = Progress(quiet=opts.quiet, footer=self.progress_line)

    # -- before planning what to create -----------------------------------------------

    def open(self) -> None:
        """Check the key (and read the balance) before anything else reaches Meshy."""
        if not self.settings.api_key:
            raise FatalError(NO_KEY, 2)
        try:
            self.balance_before = self.service.client(self.settings).balance()
        except AuthenticationError:
            raise FatalError("Meshy rejected the API key (MESHY_API_KEY or the add-on preferences)", 2) from None
        except MeshyError as exc:
            log(f"could not read the credit balance ({exc.message}); going on")

    def resume(self) -> set[str]:
        """The engine follows this run's unfinished jobs again; a create a crash cut off is settled first.

        Returns the jobs it follows, so ``plan.decide`` creates none of their assets again.
        """
        resumed = self.service.resume(self.settings, import_finished=False)
        tasks = self.service.tasks
        ours = [j for j in resumed if tasks[j].meta.get("asset") in self.by_key and tasks[j].kind == self.opts.kind]
        interrupted = [j for j in ours if not tasks[j].task_id]
        for job_id in interrupted:
            self.console.note(f"interrupted create {job_id}: looking for its task on Meshy")
        self.service.wait(interrupted, until=lambda e: bool(e.task_id) or not e.active)
        return {j for j in ours if tasks[j].active}

    # -- the run -------------------------------------------------------------------------

    def start(self, args: dict[str, Any]) -> None:
        outputs = outputs_for(self.opts.kind, plan.options_request(self.opts.kind, args, self.settings))
        for asset in self.assets:
            meta = {"asset": asset.key, "label": asset.name, "source_path": asset.source_path,
                    "out_name": asset.out_name}
            asset.meta = {**(asset.job.get("meta") or {}), **meta}
            if asset.action == "create":
                try:
                    request = plan.asset_request(self.opts.kind, args, asset, self.settings)
                except MeshyError as exc:
                    self._fail_local(asset, checks.in_flags(exc.message, self.opts.kind, self.opts.params))
                    continue
                asset.estimate = estimate_credits(self.opts.kind, request) + sources.extra_credits(self.opts.kind, args)
                sub = Submission(self.opts.kind, request, asset.name, upload=asset.upload, outputs=outputs,
                                 meta={**asset.meta, "estimate": asset.estimate,
                                       **sources.chain_meta(self.opts.kind, args, self.settings)})
                (asset.job_id,) = self.service.submit([sub], self.settings)
            elif asset.action == "attach":
                asset.job_id = self.service.follow(self.opts.kind, str(asset.task_id), label=asset.name,
                                                   meta=asset.meta, settings=self.settings, job_id=asset.job_id,
                                                   outputs=outputs)
            elif asset.action != "resume":
                continue
            self.by_job[asset.job_id] = asset

    def _fail_local(self, asset: Asset, message: str) -> None:
        """An asset refused before any task (unreadable file): recorded, the rest go on."""
        asset.job_id = asset.job_id or hashlib.sha1(asset.key.encode()).hexdigest()[:12]
        self.service.records(self.settings).failed(
            asset.job_id, kind=self.opts.kind, label=asset.name, message=message,
            meta={"asset": asset.key, "label": asset.name, "source_path": asset.source_path})
        self.service.tasks.add(asset.job_id, self.opts.kind, asset.name, asset.meta, state=JobState.FAILED,
                               message=message)
        self.console.note(f"{asset.name}: failed: {message}", always=True)

    def run(self) -> None:
        opts = self.opts
        scene.clear_scene()
        for asset in self.assets:  # finished earlier, files cached: import offline
            if asset.action == "import":
                files_ = cached_files(opts.out / report.DOWNLOADS, opts.kind, str(asset.task_id)) or {}
                entry = self.service.import_finished(asset.job_id, opts.kind, str(asset.task_id), files_,
                                                     asset.job.get("meta") or {}, label=asset.name)
                self._done(asset, entry)
        try:
            self.service.wait(list(self.by_job), on_event=self._on_event, every=self._tick, timeout=opts.timeout)
        except WaitTimeout:
            self.console.close()
            unfinished = sum(1 for j in self.by_job if self.service.tasks[j].active)
            raise FatalError(f"Gave up after {opts.timeout:g} s with {unfinished} asset(s) unfinished; "
                             "run the same command again to go on waiting (nothing is paid twice)") from None
        if opts.single_blend and any(self.state(a) == JobState.IMPORTED for a in self.assets):
            path = opts.out / "batch.blend"
            files.save_blend(path, opts.pack)
            records = self.service.records(self.settings)
            for asset in self.assets:
                if self.state(asset) == JobState.IMPORTED:
                    asset.job["blend"] = str(path)
                    records.imported(asset.job_id, kind=opts.kind, task_id=asset.task_id, blend=str(path),
                                     meta=asset.meta)
            self.console.note(f"saved {path}")

    def state(self, asset: Asset) -> str:
        """The asset's state: its job's (``JobState``), or what the plan said (skipped, failed before)."""
        entry = self.service.tasks.get(self.service.chains.latest(asset.job_id)) if asset.job_id else None
        if entry is not None:
            return entry.state
        return {"skip": "skipped", "failed": JobState.FAILED}.get(asset.action, JobState.QUEUED)

    def _on_event(self, event: Any, entry: TaskEntry | None) -> None:
        asset = self.by_job.get(root_id(event.job_id))  # a chained refine is its preview's asset's
        if asset is None or entry is None:
            return
        asset.task_id = entry.task_id or asset.task_id
        if event.type == "created":
            self.console.note(f"{asset.name}: created task {event.task_id}")
        elif event.type == "waiting" and event.message:
            self.console.note(f"{asset.name}: {event.message}")
        if entry.active and event.type in {"created", "progress", "waiting"} and entry.status != "SUCCEEDED":
            self.console.update(asset.name, entry.status or str(entry.state), entry.progress)
        elif event.type in {"failed", "canceled"} or entry.kept:
            self.console.finish(asset.name)
            self.console.note(f"{asset.name}: {entry.state}: {entry.message}", always=True)
        elif event.type == "succeeded":
            self.console.finish(asset.name)
            self._done(asset, entry)

    def _done(self, asset: Asset, entry: TaskEntry) -> None:
        if entry.state == JobState.IMPORTED:
            self.console.note(f"{asset.name}: done -> {asset.job.get('blend') or 'batch.blend'} "
                              f"[{self.progress_line()}]")
        elif entry.state == JobState.FAILED:
            self.console.note(f"{asset.name}: failed: {entry.message}", always=True)

    def _import(self, kind: str, files_: dict[str, str], meta: dict[str, Any], task_id: str) -> Imported:
        """The service's importer: the result into the (empty) scene, placed, saved; a failure is this asset's only."""
        opts, asset = self.opts, self.by_key[meta["asset"]]
        try:
            names = scene.import_result(kind, files_, {**meta, "source": "", "mark_asset": opts.mark_assets},
                                        task_id)  # never on this scene's objects
            if kind in IMAGE_KINDS:
                files.keep_images(names)
            elif asset.matrix:
                scene.apply_matrix([bpy.data.objects[n] for n in names if n in bpy.data.objects], asset.matrix)
            if opts.single_blend:
                offset = None if asset.matrix or kind in IMAGE_KINDS else files.grid(self.imported_count)
                if kind not in IMAGE_KINDS:
                    files.collect(names, asset.out_name, offset)
                self._stage(names, asset)
                blend = None
            else:
                path = opts.out / f"{asset.out_name}.blend"
                files.save_blend(path, opts.pack)
                self._stage(names, asset)
                scene.clear_scene()
                blend = str(path)
        except Exception as exc:
            if not isinstance(exc, (MeshyError, ValueError, OSError)):
                self.console.note(f"{asset.name}: unexpected error importing task {task_id}:", always=True)
                traceback.print_exc(file=sys.stderr)  # the "system console" the sentence points at
            if not opts.single_blend:
                scene.clear_scene()
            raise
        self.imported_count += 1
        asset.job["blend"] = blend or ""
        return Imported(names, blend)

    def _stage(self, names: list[str], asset: Asset) -> None:
        """With --asset-library: the result's assets into a .blend of their own, added to the library at the end."""
        if self.opts.asset_library is None:
            return
        marked = [bpy.data.objects[n] for n in names if n in bpy.data.objects and bpy.data.objects[n].asset_data]
        if marked:
            scene.assets.stage(marked, self.opts.out / STAGING / f"{asset.out_name}.blend")

    def publish(self) -> int:
        """Add the staged results (this run's, and any an interrupted run left) to the library; returns how many."""
        folder = self.opts.asset_library
        staged = sorted((self.opts.out / STAGING).glob("*.blend")) if folder is not None else []
        if not staged:
            return 0
        added = scene.assets.publish(folder, staged)
        for path in staged:
            path.unlink(missing_ok=True)
        self.console.note(f"added {len(added)} asset(s) to the asset library in {folder}", always=True)
        return len(added)

    def _tick(self) -> None:
        self.console.tick()
        now = time.monotonic()
        if now - self._last_report >= REPORT_EVERY:
            self._last_report = now
            self.write_report()

    def progress_line(self) -> str:
        counts: dict[str, int] = {}
        for asset in self.assets:
            state = self.state(asset)
            group = ("done" if state in (JobState.IMPORTED, "skipped") else "running"
                     if state in (JobState.CREATED, JobState.FOLLOWING) else "waiting" if state in states.ACTIVE
                     else "kept" if state in states.KEPT else "failed")
            counts[group] = counts.get(group, 0) + 1
        kept = f", {counts['kept']} kept for later" if counts.get("kept") else ""
        return (f"{counts.get('done', 0)}/{len(self.assets)} done, {counts.get('running', 0)} running, "
                f"{counts.get('waiting', 0)} waiting, {counts.get('failed', 0)} failed{kept}, "
                f"{time.time() - self.started:.1f} s")

    def close(self) -> None:
        engine = self.service.current_engine
        if engine is not None:
            try:
                self.balance_after = engine.client.balance()
            except MeshyError:
                pass
        self.service.shutdown()

    def write_report(self, exit_code: int | None = None) -> Any:
        """report.json from the journal: an asset done in an earlier run stays succeeded, with its credits."""
        history = report.by_asset(report.read_history(self.opts.out / report.JOURNAL))
        entries = []
        for asset in self.assets:
            entry = report.asset_entry(asset.key, history.get(asset.key), self.opts.out,
                                       {"kind": self.opts.kind, "name": asset.name})
            state = self.state(asset)
            if state in states.ACTIVE:
                entry["status"] = "running" if asset.task_id else "not created"
            entry["this_run"] = THIS_RUN.get(asset.action, asset.action)
            entries.append(entry)
        run = {"command": self.opts.kind, "argv": self.opts.argv, "out": str(self.opts.out),
               "started": self.started, "seconds": round(time.time() - self.started, 3),
               "jobs": self.opts.jobs, "asset_library": str(self.opts.asset_library or "") or None,
               "balance_before": self.balance_before, "balance_after": self.balance_after,
               "exit_code": exit_code}
        return report.write_report(self.opts.out, entries, run)


def run_batch(opts: Options) -> int:
    """Plan, check, submit, wait, import; returns the exit status (0 all ok, 1 some failed, 2 usage)."""
    if not opts.dry_run and not bpy.app.online_access:
        raise FatalError(OFFLINE, 2)
    settings = batch_settings(opts)
    args = plan.base_args(opts)
    explicit = bool(opts.params.get("input_task_id") or opts.params.get("model_url") or opts.params.get("image_url"))
    checks.check_args(opts.kind, args, explicit, settings, given=opts.params)
    checks.check_library(opts.asset_library)
    assets = plan.plan(opts)
    opts.out.mkdir(parents=True, exist_ok=True)
    assets = plan.list_blend_objects(assets)
    plan.name_outputs(assets)
    batch = Batch(opts, assets, settings)
    following: set[str] = set()
    if not opts.dry_run:
        batch.open()
        following = batch.resume()
    plan.decide(assets, opts, following)
    if opts.dry_run:
        return _print_plan(assets, opts, args, settings)
    report.write_json(opts.out / report.BATCH, {"argv": opts.argv, "command": opts.kind, "time": time.time()})
    plan.prepare_uploads(assets, opts)
    counts = {a: sum(1 for x in assets if x.action == a) for a in plan.ACTIONS}
    batch.console.note(
        f"{opts.kind}: {len(assets)} asset(s): {counts['create']} to create, "
        f"{counts['resume'] + counts['attach']} to follow, {counts['import']} to import from the cache, "
        f"{counts['skip']} already done, {counts['failed']} failed before (--retry-failed), "
        f"at most {opts.jobs} in flight", always=True)
    code = 1
    with import_log(opts.out / IMPORT_LOG):
        try:
            batch.start(args)
            batch.run()
            code = 0 if all(batch.state(a) in (JobState.IMPORTED, "skipped") for a in assets) else 1
        except KeyboardInterrupt:
            batch.console.close()
            log("interrupted: run the same command again to finish the batch (created tasks are not paid twice)")
            code = 130
        finally:
            batch.console.close()
            batch.close()
            try:
                batch.publish()
            except (OSError, RuntimeError, ReferenceError) as exc:
                log(f"could not write the asset library in {opts.asset_library} ({exc}); the results are in their "
                    ".blend files and go into the library on the next run of the same command")
                code = code or 1
            path = batch.write_report(code)
    s = report.summary(json.loads(path.read_text(encoding="utf-8"))["assets"])
    log(f"{opts.kind} finished: {report.counts_text(s)}; {report.credits_text(s)}; report {path}")
    return code


class import_log:  # noqa: N801 - used as a context manager, like open()
    """The ``meshy.import`` logger (what Blender's importers print) into ``<out>/import.log`` for the run."""

    def __init__(self, path: Any) -> None:
        self.handler = logging.FileHandler(path, encoding="utf-8")
        self.handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        self.logger = logging.getLogger("meshy.import")

    def __enter__(self) -> import_log:
        self.saved = (self.logger.level, self.logger.propagate)
        self.logger.addHandler(self.handler)
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False  # the console shows the batch's own lines only
        return self

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self.handler)
        self.handler.close()
        self.logger.setLevel(self.saved[0])
        self.logger.propagate = self.saved[1]


def _print_plan(assets: list[Asset], opts: Options, args: dict[str, Any], settings: Settings) -> int:
    total = 0
    model = effective_ai_model(opts.kind, args.get("ai_model"), settings)
    for asset in assets:
        cost = estimate_credits(opts.kind, {**args, "ai_model": model}) + sources.extra_credits(opts.kind, args) \
            if asset.action == "create" else 0
        total += cost
        print(f"{asset.action:<7} {asset.key}  -> {opts.out / (asset.out_name + '.blend')}  ~{cost} credits")
    print(f"{len(assets)} asset(s); about {total} credits for the tasks to create")
    return 0
