"""The command line of ``blender --command meshy``: argparse built from core/params.py.

The task options are generated from ``PARAMS``, the same table the operators
and the sidebar are built from, so a parameter added there appears here with
the API's own name (``--target-polycount``), help and choices. Only options
given on the command line are sent; Meshy applies its own defaults to the rest.
The API key is deliberately not an option: it would land in shell history and
process lists (use MESHY_API_KEY or the add-on preferences).
"""

from __future__ import annotations

import argparse
from typing import Any

from ..core.asset_catalogs import LIBRARY_FILE
from ..core.params import PARAMS, Param

KINDS = ("remesh", "retexture", "image-to-3d", "image-to-image")
KINDS += ("text-to-3d", "multi-image-to-3d", "text-to-image")  # from words and views (batch/sources.py)
#: Every subcommand and the kind of task it makes: the kind's own name, or what the task does (``rig``).
SUBCOMMANDS = {**{kind: kind for kind in KINDS}, "rig": "rigging", "animate": "animations"}
MODEL_SUFFIXES = (".glb", ".gltf", ".obj", ".fbx", ".stl")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
DEFAULT_JOBS = 10  # the smallest account's queue (Pro: 10 unfinished tasks)

#: Inputs that name local files: option -> the API field it fills (from the table's ``fills``).
FILE_OPTIONS = {p.name: p.fills for kind in SUBCOMMANDS.values() for p in PARAMS[kind]
                if p.role == "input" and p.cli}

INPUT_HELP = {
    "remesh": "model files or globs (.glb .gltf .obj .fbx .stl), or .blend files (each mesh object is an asset)",
    "retexture": "model files or globs (.glb .gltf .obj .fbx .stl), or .blend files (each mesh object is an asset)",
    "image-to-3d": "image files or globs (.png .jpg .jpeg .webp); one model per image",
    "image-to-image": "image files or globs (.png .jpg .jpeg .webp); one task per image",
    "text-to-3d": "prompt files (.txt, one prompt per line; # starts a comment); one model per prompt, "
                  "besides --prompt",
    "multi-image-to-3d": "folders (each one model from its 1 to 4 views) or 1 to 4 image files (one model)",
    "text-to-image": "prompt files (.txt, one prompt per line; # starts a comment); one task per prompt, "
                     "besides --prompt",
    "rigging": ".glb model files or globs, or .blend files (each mesh object is a character); humanoids, "
               "at most 300,000 faces",
    "animations": "none: give --rig-task-id (a finished rigging task) and --action (a name or id of Meshy's "
                  "Animation Library)",
}

EPILOG = """\
The API key comes from MESHY_API_KEY or the add-on preferences, never from the
command line. Run with online access: blender --online-mode --command meshy ...
Exit status: 0 all assets succeeded, 1 some failed, 2 bad usage.
Running the same command again resumes the batch from <out>/journal.jsonl:
tasks already created are followed, never created (or paid for) again.
"""


class UsageError(Exception):
    """A bad command line: reported in one sentence, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _csv(choices: tuple[str, ...]) -> Any:
    def parse(text: str) -> list[str]:
        values = [v.strip().lower() for v in text.split(",") if v.strip()]
        bad = [v for v in values if v not in choices]
        if bad or not values:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(choices)} (comma-separated), not {text!r}")
        return values

    return parse


def _enum(choices: tuple[str, ...]) -> Any:
    def parse(text: str) -> str:
        value = "" if text.lower() == "none" and "" in choices else text.lower()
        if value not in choices:
            shown = ", ".join(c or "none" for c in choices)
            raise argparse.ArgumentTypeError(f"choose from {shown}, not {text!r}")
        return value

    return parse


def add_param(group: argparse._ArgumentGroup, param: Param) -> None:
    """One task option from one operator parameter (default None: not sent)."""
    flag = param.flag
    help_ = param.description.replace("%", "%%")
    if param.type == "bool":
        group.add_argument(flag, action=argparse.BooleanOptionalAction, default=None,
                           help=f"{help_} (Meshy's default: {'on' if param.default else 'off'})")
    elif param.type == "int":
        group.add_argument(flag, type=int, metavar="N", help=help_)
    elif param.type == "float":
        group.add_argument(flag, type=float, metavar="X", help=help_)
    elif param.type == "enum":
        choices = tuple(v for v, _ in param.items)
        group.add_argument(flag, type=_enum(choices), metavar="{" + ",".join(c or "none" for c in choices) + "}",
                           help=f"{help_} (Meshy's default: {param.default or 'none'})")
    elif param.type == "enumset":
        choices = tuple(v for v, _ in param.items)
        group.add_argument(flag, type=_csv(choices), metavar="F1,F2",
                           help=f"{help_}; from {','.join(choices)}")
    elif param.type in {"files", "urls"}:
        metavar = "FILE" if param.type == "files" else "URL"
        group.add_argument(flag, action="append", metavar=metavar, help=f"{help_} (repeat the option)")
    elif param.type == "path":
        group.add_argument(flag, metavar="FILE", help=help_)
    else:
        group.add_argument(flag, metavar="TEXT", help=help_)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", "-o", required=True, metavar="DIR",
                   help="folder for the .blend files, downloads, journal.jsonl and report.json")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="blender --command meshy",
        description="Run a Meshy operation (" + ", ".join(SUBCOMMANDS) + ") over many assets, headless.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subs = parser.add_subparsers(dest="command", metavar="{" + ",".join((*SUBCOMMANDS, "status", "resume")) + "}")
    for command, kind in SUBCOMMANDS.items():
        p = subs.add_parser(command, help=f"{command} every input", epilog=EPILOG,
                            formatter_class=argparse.RawDescriptionHelpFormatter,
                            description=f"Meshy {kind} for each input; results saved as .blend files in --out.")
        p.add_argument("inputs", nargs="*", metavar="INPUT", help=INPUT_HELP[kind])
        _common(p)
        run = p.add_argument_group("batch")
        run.add_argument("--jobs", "-j", type=int, default=DEFAULT_JOBS, metavar="N",
                         help=f"most tasks in flight at once (default {DEFAULT_JOBS}: the smallest account's queue)")
        run.add_argument("--single-blend", action="store_true",
                         help="save every result into one <out>/batch.blend (one collection per asset)")
        run.add_argument("--pack", action="store_true", help="pack textures and images into the .blend files")
        run.add_argument("--asset-library", metavar="DIR",
                         help=f"also add each result, marked as an asset, to DIR/{LIBRARY_FILE} (appended to on "
                              "later runs) with the catalogs in DIR/blender_assets.cats.txt; add DIR once in "
                              "Preferences > File Paths > Asset Libraries")
        run.add_argument("--mark-assets", action=argparse.BooleanOptionalAction, default=None,
                         help="mark each result as an asset in its .blend, with a preview, the prompt and task id, "
                              "tags and a catalog (default: on with --asset-library, else off)")
        run.add_argument("--retry-failed", action="store_true",
                         help="create a new task for assets whose task failed on Meshy in an earlier run")
        run.add_argument("--base-url", metavar="URL", help="Meshy API address (default: MESHY_BASE_URL, preferences)")
        run.add_argument("--timeout", type=float, metavar="SECONDS", help="give up waiting after this long")
        run.add_argument("--dry-run", action="store_true",
                         help="check inputs and options, print the plan and the estimated credits; send nothing")
        run.add_argument("--quiet", "-q", action="store_true", help="only the summary on stderr")
        task = p.add_argument_group(f"{command} options (Meshy's names; only those given are sent)")
        for param in PARAMS[kind]:
            if param.cli:
                add_param(task, param)
    st = subs.add_parser("status", help="show the state of a batch from its --out folder (no network)",
                         description="Show each asset's state, task id and outputs from <out>/journal.jsonl.")
    _common(st)
    st.add_argument("--json", action="store_true", help="print the report as JSON")
    rs = subs.add_parser("resume", help="finish a batch with the command it was started with",
                         description="Run the batch stored in <out>/batch.json again: created tasks are "
                                     "followed, finished assets skipped, nothing is paid twice.")
    _common(rs)
    rs.add_argument("--base-url", metavar="URL", help="Meshy API address (default: as stored, MESHY_BASE_URL)")
    rs.add_argument("--quiet", "-q", action="store_true", help="only the summary on stderr")
    return parser


def parse(argv: list[str]) -> argparse.Namespace:
    """Parse argv; raises UsageError (exit 2) or SystemExit(0) for --help."""
    parser = build_parser()
    ns = parser.parse_args(argv)
    if not ns.command:
        raise UsageError("blender --command meshy: give a subcommand: "
                         f"{', '.join((*SUBCOMMANDS, 'status', 'resume'))} (see --help)")
    if ns.command in SUBCOMMANDS and ns.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if ns.command in KINDS and ns.asset_library is not None:
        if not ns.asset_library.strip():
            raise UsageError("--asset-library needs a folder")
        if ns.mark_assets is False:
            raise UsageError("--asset-library holds assets only: drop --no-mark-assets")
        if ns.command == "image-to-image":
            raise UsageError("--asset-library takes models; image-to-image makes images, which the Asset Browser "
                             "does not list")
    return ns


def task_options(ns: argparse.Namespace) -> dict[str, Any]:
    """The task options given on the command line, as API values (file options not yet read)."""
    return {p.name: getattr(ns, p.name) for p in PARAMS[SUBCOMMANDS[ns.command]]
            if p.cli and getattr(ns, p.name, None) is not None}
