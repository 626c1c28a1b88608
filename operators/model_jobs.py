"""Jobs for the kinds that take a model (remesh, retexture)."""

from __future__ import annotations

from typing import Any

import bpy

from ..client.engine import Job
from . import inputs


def model_jobs(op: Any, context: bpy.types.Context, extra: dict[str, Any] | None = None) -> list[Job]:
    """One job per selected mesh, or one for an explicit task id / model URL.

    Parameters are checked before anything is exported, so a bad value costs
    no export and leaves no file behind.
    """
    args = {**op.api_args(), **(extra or {})}
    explicit = args.get("input_task_id") or args.get("model_url")
    op.make_request({**args, **({} if explicit else {"input_task_id": "placeholder"})})
    if explicit:
        label = args.get("input_task_id") or "model"
        return [op.job(op.make_request(args), label=str(label)[:24])]
    sources = inputs.model_inputs(context, op.kind)
    try:
        jobs = []
        for item in sources:
            per_object = dict(args)
            if item.input_task_id:
                per_object["input_task_id"] = item.input_task_id
            else:
                per_object["model_url"] = item.upload
            jobs.append(op.job(op.make_request(per_object), label=item.obj.name, source=item.obj.name,
                               upload=item.upload.path if item.upload else ""))
        return jobs
    except Exception:
        inputs.discard(sources)
        raise
