"""The batch's assets for the kinds made from words and views: prompts, and sets of views.

``text-to-3d`` and ``text-to-image`` take prompts: ``--prompt TEXT`` (one asset)
and prompt files (``.txt``: one prompt per line; blank lines and lines starting
with ``#`` are skipped), each prompt one asset keyed by its words, so a rerun
finds it again. ``multi-image-to-3d`` takes views: each folder given is one
asset (its 1 to 4 images, in name order), the image files given outside a
folder one more; or ``--input-task-id`` / ``--image-urls``. Every prompt and
every set is checked before anything is sent, a refusal naming its file and
line. ``text-to-3d --refine`` chains the refine on each preview (the job
service's ``chains``), and only the textured model is saved. Plain Python.
"""

from __future__ import annotations

import glob
import hashlib
import os
from pathlib import Path
from typing import Any

from ..client.errors import ValidationError
from ..client.models import MAX_MULTI_IMAGES, MAX_PROMPT
from ..client.pricing import estimate_credits
from ..client.uploads import FileInput
from ..core.params import PARAMS
from ..core.requests import build_request
from ..core.settings import Settings
from ..core.stages import prompt_label
from ..service.chains import then_meta
from .args import IMAGE_SUFFIXES, UsageError

KINDS = ("text-to-3d", "multi-image-to-3d", "text-to-image")
PROMPT_KINDS = ("text-to-3d", "text-to-image")
PROMPT_SUFFIXES = (".txt",)
#: The API field each kind's positional inputs fill, and stand-ins for them, for a check of the options
#: before any input is read (the rows ``batch/checks.py`` keeps per kind, where it is).
POSITIONAL = {"text-to-3d": "prompt", "text-to-image": "prompt", "multi-image-to-3d": "image_urls"}
PROBES: dict[str, dict[str, Any]] = {"text-to-3d": {"prompt": "probe"}, "text-to-image": {"prompt": "probe"},
                                     "multi-image-to-3d": {"image_urls": ["https://probe.invalid/image.png"]}}
_REFINE = frozenset(p.name for p in PARAMS["text-to-3d-refine"])


def items(opts: Any) -> list[dict[str, Any]]:
    """The assets of one run as ``plan.Asset`` fields, before anything is sent."""
    if opts.kind in PROMPT_KINDS:
        return _prompt_items(opts)
    return _view_items(opts)


def _prompt_items(opts: Any) -> list[dict[str, Any]]:
    prompts: list[tuple[str, str]] = []  # (prompt, where it came from)
    if opts.params.get("prompt"):
        prompts.append((str(opts.params["prompt"]), "--prompt"))
    for path in _paths(opts.inputs):
        if path.suffix.lower() not in PROMPT_SUFFIXES:
            raise UsageError(f"{path.name} is not a prompt file; {opts.kind} takes .txt files, one prompt per line")
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"The prompt file {path} could not be read ({exc})") from None
        prompts += [(line.strip(), f"{path.name} line {n}") for n, line in enumerate(lines, 1)
                    if line.strip() and not line.lstrip().startswith("#")]
    if not prompts:
        raise UsageError(f"Give {opts.kind} a prompt: --prompt TEXT, or prompt files (.txt, one prompt per line)")
    found: dict[str, dict[str, Any]] = {}
    for prompt, where in prompts:
        if len(prompt) > MAX_PROMPT:
            raise UsageError(f"The prompt in {where} is {len(prompt)} characters long, over the limit of "
                             f"{MAX_PROMPT}")
        key = "prompt:" + hashlib.sha1(prompt.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        found.setdefault(key, {"key": key, "name": prompt_label(prompt), "prompt": prompt,
                               "source_path": prompt[:200]})  # the same prompt twice is one asset
    return list(found.values())


def _view_items(opts: Any) -> list[dict[str, Any]]:
    task_id, urls = opts.params.get("input_task_id"), opts.params.get("image_urls") or []
    if (task_id or urls) and opts.inputs:
        raise UsageError("Give image files or folders, or --input-task-id/--image-urls, not both")
    if task_id:
        return [{"key": f"task:{task_id}", "name": str(task_id)[:24], "source_path": str(task_id)}]
    if urls:
        digest = hashlib.sha1("\n".join(urls).encode()).hexdigest()[:10]
        return [{"key": f"urls:{digest}", "name": "urls_" + digest, "source_path": f"urls:{digest}"}]
    if not opts.inputs:
        raise UsageError("Give multi-image-to-3d folders or 1 to 4 image files (see --help)")
    sets: list[dict[str, Any]] = []
    loose: list[Path] = []
    for path in _paths(opts.inputs, folders=True):
        if path.is_dir():
            views = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            sets.append({"key": str(path), "name": path.name, "views": _checked(views, f"The folder {path}"),
                         "source_path": str(path)})
        elif path.suffix.lower() not in IMAGE_SUFFIXES:
            raise UsageError(f"{path.name} is not an image; multi-image-to-3d takes {' '.join(IMAGE_SUFFIXES)}")
        else:
            loose.append(path)
    if loose:
        digest = hashlib.sha1("\n".join(map(str, loose)).encode()).hexdigest()[:12]
        sets.append({"key": f"views:{digest}", "name": loose[0].stem, "views": _checked(loose, "The files given"),
                     "source_path": ", ".join(map(str, loose))[:200]})
    return sets


def _checked(views: list[Path], what: str) -> list[Path]:
    if not 1 <= len(views) <= MAX_MULTI_IMAGES:
        raise UsageError(f"{what} holds {len(views)} images; multi-image-to-3d takes 1 to {MAX_MULTI_IMAGES} "
                         "views of one object")
    return views


def _paths(patterns: list[str], *, folders: bool = False) -> list[Path]:
    """Files (and, with ``folders``, folders) from paths and globs, in a stable order; a miss is a usage error."""
    out: list[Path] = []
    for pattern in patterns:
        text = os.path.expanduser(pattern)
        matches = sorted(Path(p) for p in glob.glob(text, recursive=True)) if glob.has_magic(text) else [Path(text)]
        matches = [m for m in matches if m.is_file() or (folders and m.is_dir())]
        if not matches:
            raise UsageError(f"The input {pattern!r} does not exist" if not glob.has_magic(text)
                             else f"No file matches {pattern!r}")
        out += [m.resolve() for m in matches if m.resolve() not in out]
    return out


def probe(kind: str, args: Any) -> dict[str, Any]:
    """Stand-ins for the inputs ``args`` lack (each asset brings its own prompt or views later)."""
    if args.get("input_task_id") or args.get("image_urls"):
        return {}
    return {k: v for k, v in PROBES[kind].items() if not args.get(k)}


def check_refine(kind: str, args: Any, settings: Settings) -> None:
    """``--refine``'s options, checked before anything is sent (ValidationError: in the flags' words above)."""
    if kind == "text-to-3d" and args.get("refine"):
        build_request("text-to-3d-refine", {k: v for k, v in args.items() if k in _REFINE}, settings,
                      require_input=False)


def extra_credits(kind: str, args: dict[str, Any]) -> int:
    """Credits per asset beyond its own request: the refine ``--refine`` chains."""
    return estimate_credits("text-to-3d", {"mode": "refine"}) if kind == "text-to-3d" and args.get("refine") else 0


def refine_values(args: dict[str, Any], settings: Settings) -> Any:
    """The refine request ``--refine`` chains on each preview (checked now: no preview id yet)."""
    try:
        return build_request("text-to-3d-refine", {k: v for k, v in args.items() if k in _REFINE}, settings,
                             require_input=False)
    except ValidationError as exc:
        raise UsageError(exc.message) from None


def chain_meta(kind: str, args: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """A preview's meta for ``--refine``: its refine's request, and no import of the preview itself."""
    if kind != "text-to-3d" or not args.get("refine"):
        return {}
    return {**then_meta(refine_values(args, settings)), "auto_import": False}


def request_values(kind: str, args: dict[str, Any], prompt: str, views: list[Path]) -> dict[str, Any]:
    """One asset's request values: its prompt, or its views as uploads."""
    per = dict(args)
    if kind in PROMPT_KINDS:
        per["prompt"] = prompt
    elif views:
        per["image_urls"] = [FileInput.image(p) for p in views]
    return per
