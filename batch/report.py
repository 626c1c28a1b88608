"""The batch's record: read the journal back per asset, write report.json, print status.

Pure Python (no bpy), so ``status`` and tests can read a batch folder anywhere.
The journal (JSON lines, written by the job engine and the job service) is the
truth; report.json is a summary rebuilt from it plus each task's cached
``task.json`` (server timestamps, credits), written atomically.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from ..client.journal import Journal
from ..core.states import report_status

JOURNAL = "journal.jsonl"
REPORT = "report.json"
BATCH = "batch.json"
DOWNLOADS = "downloads"
RESULT = "task.json"


def read_history(path: Path) -> dict[str, dict[str, Any]]:
    """Per job: the merged latest fields, plus ``times``: first time each state was seen."""
    return Journal(path).jobs(times=True)


def by_asset(history: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The latest job of each asset (a later job for the same asset wins)."""
    assets: dict[str, dict[str, Any]] = {}
    for job in history.values():
        key = (job.get("meta") or {}).get("asset")
        if key:
            assets[key] = job
    return assets


def cached_task(out: Path, kind: str, task_id: str | None) -> dict[str, Any]:
    """The final task object saved next to the downloads, if any."""
    if not task_id or not kind:
        return {}
    from ..client.results import result_dir

    try:
        data = json.loads((result_dir(out / DOWNLOADS, kind, task_id) / RESULT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("task") or {}


def _seconds(ms: Any) -> float | None:
    return round(ms / 1000.0, 3) if isinstance(ms, (int, float)) and ms > 0 else None


def _span(a: float | None, b: float | None) -> float | None:
    return round(b - a, 3) if a is not None and b is not None and b >= a else None


def timings(job: dict[str, Any], task: dict[str, Any]) -> dict[str, Any]:
    """Local and server times of one asset, in seconds (None when unknown)."""
    t = job.get("times") or {}
    queued, created = t.get("queued"), t.get("created")
    finished = t.get("succeeded") or t.get("failed")
    done = t.get("imported") or finished
    s_created, s_started, s_finished = (_seconds(task.get(k)) for k in ("created_at", "started_at", "finished_at"))
    return {
        "queued": queued, "created": created, "finished": finished, "saved": t.get("imported"),
        "local_wait_s": _span(queued, created),
        "server_pending_s": _span(s_created, s_started),
        "server_run_s": _span(s_started, s_finished),
        "download_import_s": _span(finished, done) if t.get("imported") else None,
        "total_s": _span(queued, done),
    }


def asset_entry(key: str, job: dict[str, Any] | None, out: Path, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """One asset of the report: task id, status, credits, timings, outputs, error sentence."""
    job = job or {}
    extra = extra or {}
    meta = job.get("meta") or {}
    kind = job.get("kind") or extra.get("kind", "")
    task = cached_task(out, kind, job.get("task_id"))
    status = report_status(job.get("state"))
    files = job.get("files") or {}
    return {
        "asset": key,
        "source": meta.get("source_path") or key,
        "kind": kind,
        "task_id": job.get("task_id"),
        "status": status,
        "task_status": task.get("status") or job.get("task_status"),
        "credits": task.get("consumed_credits"),
        "estimated_credits": meta.get("estimate"),
        "timings": timings(job, task),
        "outputs": {"blend": job.get("blend"), "files": files},
        "error": job.get("message") if status == "failed" else None,
        **{k: v for k, v in extra.items() if k not in {"kind"}},
    }


def summary(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts by status and credits: the batch's total, and (in a run's report) what this run spent.

    Credits are spent when a task is created; an asset whose task an earlier run
    created (followed, imported from the cache, or done) cost nothing now.
    """
    counts: dict[str, int] = {}
    for e in entries:
        counts[e["status"]] = counts.get(e["status"], 0) + 1
    result = {
        "assets": len(entries),
        "counts": counts,
        "credits": sum(e["credits"] or 0 for e in entries),
        "estimated_credits": sum(e["estimated_credits"] or 0 for e in entries if e["status"] != "skipped"),
    }
    if any("this_run" in e for e in entries):
        runs: dict[str, int] = {}
        for e in entries:
            runs[e.get("this_run", "")] = runs.get(e.get("this_run", ""), 0) + 1
        result["this_run"] = runs
        result["credits_this_run"] = sum(e["credits"] or 0 for e in entries if e.get("this_run") == "created")
    return result


def counts_text(s: dict[str, Any]) -> str:
    """``2 succeeded (1 done earlier), 1 failed``: the statuses, and what of them an earlier run did."""
    text = ", ".join(f"{n} {k}" for k, n in sorted(s["counts"].items())) or "no assets"
    earlier = {k: n for k, n in (s.get("this_run") or {}).items() if k in {"done earlier", "failed earlier",
                                                                          "followed", "imported from the cache"}}
    if earlier:
        text += " (" + ", ".join(f"{n} {k}" for k, n in sorted(earlier.items())) + ")"
    return text


def credits_text(s: dict[str, Any]) -> str:
    """``5 credits spent in this run, 10 for the batch`` (or only the batch's, for ``status``)."""
    if "credits_this_run" not in s:
        return f"{s['credits']} credits used"
    return f"{s['credits_this_run']} credits spent in this run, {s['credits']} for the batch"


def write_json(path: Path, data: Any) -> None:
    """Atomically: a killed run never leaves half a report."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    os.replace(tmp, path)


def write_report(out: Path, entries: list[dict[str, Any]], run: dict[str, Any]) -> Path:
    path = out / REPORT
    write_json(path, {"run": {**run, "written": time.time()}, "summary": summary(entries), "assets": entries})
    return path


def status_entries(out: Path) -> list[dict[str, Any]]:
    """Every asset the journal knows, in first-seen order."""
    history = read_history(out / JOURNAL)
    return [asset_entry(key, job, out) for key, job in by_asset(history).items()]


def format_status(entries: list[dict[str, Any]]) -> str:
    lines = []
    width = max((len(e["asset"]) for e in entries), default=5)
    width = min(width, 60)
    for e in entries:
        where = e["outputs"]["blend"] or e["error"] or ""
        credits = "" if e["credits"] is None else f"{e['credits']} cr"
        task = e["task_id"] or "-"
        lines.append(f"{e['asset'][-width:]:<{width}}  {e['status']:<11} {task:<36} {credits:>6}  {where}")
    s = summary(entries)
    lines.append(f"{s['assets']} asset(s): {counts_text(s)}; {credits_text(s)}")
    return "\n".join(lines)
