"""Headless batch runs: ``blender --online-mode --command meshy <subcommand> ...``.

The same entry is callable from a ``blender -b --python`` script::

    import importlib, sys
    batch = importlib.import_module(next(m for m in sys.modules if m.endswith(".meshy_tools")) + ".batch")
    sys.exit(batch.main(["remesh", "models/*.glb", "--out", "out", "--target-polycount", "5000"]))

or, knowing the repository, ``from bl_ext.user_default.meshy_tools import batch``.
``main`` returns the exit status: 0 every asset succeeded, 1 some failed, 2 bad usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .args import KINDS, SUBCOMMANDS, UsageError, parse, task_options

__all__ = ["main", "KINDS"]


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; never raises for a user error, returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        ns = parse(argv)
    except UsageError as exc:
        print(exc, file=sys.stderr, flush=True)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0) if isinstance(exc.code, int) else 0
    from . import plan, report, run

    out = Path(ns.out).expanduser().resolve()
    try:
        if ns.command == "status":
            return _status(out, ns.json)
        if ns.command == "resume":
            stored = out / report.BATCH
            if not stored.is_file():
                raise UsageError(f"{out} holds no batch to resume (no {report.BATCH})")
            import json

            again = list(json.loads(stored.read_text(encoding="utf-8"))["argv"])
            if ns.base_url:
                again += ["--base-url", ns.base_url]
            if ns.quiet:
                again.append("--quiet")
            return main(again)
        opts = plan.Options(
            kind=SUBCOMMANDS[ns.command], inputs=list(ns.inputs), out=out, params=task_options(ns), jobs=ns.jobs,
            single_blend=ns.single_blend, pack=ns.pack, retry_failed=ns.retry_failed, base_url=ns.base_url,
            timeout=ns.timeout, dry_run=ns.dry_run, quiet=ns.quiet, argv=_absolute(argv, ns),
            asset_library=Path(ns.asset_library).expanduser().resolve() if ns.asset_library else None,
            mark_assets=ns.mark_assets if ns.mark_assets is not None else bool(ns.asset_library),
        )
        return run.run_batch(opts)
    except UsageError as exc:
        print(f"meshy: {exc}", file=sys.stderr, flush=True)
        return 2
    except run.FatalError as exc:
        print(f"meshy: {exc}", file=sys.stderr, flush=True)
        return exc.code


def _absolute(argv: list[str], ns: object) -> list[str]:
    """argv with the inputs and --out made absolute, so ``resume`` works from any folder."""
    out = list(argv)
    inputs = set(getattr(ns, "inputs", []))
    for i, arg in enumerate(out):
        if arg in inputs and not arg.startswith("-"):
            out[i] = str(Path(arg).expanduser().absolute())
    for flag in ("--out", "-o", "--asset-library"):
        if flag in out[:-1]:
            i = out.index(flag) + 1
            out[i] = str(Path(out[i]).expanduser().absolute())
    for i, arg in enumerate(out):
        for flag in ("--out=", "--asset-library="):
            if arg.startswith(flag):
                out[i] = flag + str(Path(arg[len(flag):]).expanduser().absolute())
    return out


def _status(out: Path, as_json: bool) -> int:
    from . import report

    if not (out / report.JOURNAL).is_file():
        raise UsageError(f"{out} holds no batch (no {report.JOURNAL})")
    entries = report.status_entries(out)
    if as_json:
        import json

        print(json.dumps({"summary": report.summary(entries), "assets": entries}, indent=1, default=str))
    else:
        print(report.format_status(entries))
    return 0 if entries and all(e["status"] in {"succeeded", "skipped"} for e in entries) else 1
