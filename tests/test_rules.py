"""The house rules, checked on the code itself (not by hope).

- the core, the job service, ``client/`` and the batch's command line and
  report import in a plain Python with no bpy;
- no module of the add-on over ~400 lines (tests, emulator, tools, bench aside);
- no import cycles between the add-on's modules;
- panels import no network code, nor the service (they read ``core.snapshot``);
- ``operators/`` holds operator classes (and their mixin) only.

The import graph is read from the sources (every ``import`` statement,
also inside functions), resolved the way Python resolves relative imports.
An import of ``pkg.mod`` runs ``pkg/__init__.py`` too; that is not counted
as an edge: the rules are about what each module's code asks for.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = ("tests/", "emulator/", "tools/", "bench/", "build/", "dist/", "out/", "wheels/", ".venv")
LIMIT = 400
#: Modules allowed past the limit for now, never to grow (none: the request models are split by kind family).
BEING_REWRITTEN: dict[str, int] = {}
BPY_FREE = ("core/", "service/", "client/", "batch/args.py", "batch/report.py", "batch/checks.py", "batch/progress.py",
            "i18n/__init__.py", "i18n/po.py", "i18n/match.py")
NETWORK = {"client/http.py", "client/engine.py", "client/sse.py", "client/downloads.py", "client/reconcile.py",
           "runtime.py"}


def addon_modules() -> list[str]:
    return sorted(p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.py")
                  if not p.relative_to(ROOT).as_posix().startswith(OUTSIDE))


def _module_file(parts: list[str]) -> str | None:
    path = ROOT.joinpath(*parts)
    if path.with_suffix(".py").is_file():
        return path.with_suffix(".py").relative_to(ROOT).as_posix()
    if (path / "__init__.py").is_file():
        return (path / "__init__.py").relative_to(ROOT).as_posix()
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


@cache
def imports(module: str) -> tuple[frozenset[str], frozenset[str]]:
    """(add-on modules it imports, top-level names of the other packages it imports)."""
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    package = module.split("/")[:-1]
    inner: set[str] = set()
    outer: set[str] = set()
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and _is_type_checking(block.test)
                   for stmt in block.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in typing_only:  # `if TYPE_CHECKING:` imports are for type checkers, never run
            continue
        if isinstance(node, ast.Import):
            outer |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            outer.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - (node.level - 1)]
            parts = base + (node.module.split(".") if node.module else [])
            for alias in node.names:
                target = _module_file([*parts, alias.name]) or _module_file(parts)
                assert target, f"{module}: cannot resolve {'.' * node.level}{node.module or ''} {alias.name}"
                inner.add(target)
    inner.discard(module)
    return frozenset(inner), frozenset(outer)


def reach(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in imports(todo.pop())[0]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_the_core_the_service_and_the_client_import_without_bpy():
    modules = [m for m in addon_modules() if m.startswith(BPY_FREE)]
    names = ["meshy_tools." + m.removesuffix(".py").removesuffix("/__init__").replace("/", ".") for m in modules]
    code = ("import sys, types; sys.modules['bpy'] = None; sys.modules['mathutils'] = None\n"
            f"pkg = types.ModuleType('meshy_tools'); pkg.__path__ = [{str(ROOT)!r}]; sys.modules['meshy_tools'] = pkg\n"
            f"import importlib\nfor name in {names!r}: importlib.import_module(name)\nprint(len({names!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout) >= 30  # core, service and client all imported, not a handful
    for module in modules:
        assert "bpy" not in imports(module)[1] and "mathutils" not in imports(module)[1], module


def test_no_module_of_the_addon_is_over_400_lines():
    long = {}
    for module in addon_modules():
        lines = len((ROOT / module).read_text(encoding="utf-8").splitlines())
        if lines > BEING_REWRITTEN.get(module, LIMIT):
            long[module] = lines
    assert long == {}


def test_no_import_cycles():
    modules = addon_modules()
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in imports(node)[0]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in modules:
        if module not in index:
            visit(module)
    assert cycles == []


@pytest.mark.parametrize("panel", sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "panels").glob("*.py")))
def test_panels_import_no_network_code_and_not_the_service(panel):
    reached = reach(panel) | {panel}
    assert not reached & NETWORK
    assert not {m for m in reached if m.startswith("service/")}
    assert not {m for m in reached if {"requests", "sseclient"} & imports(m)[1]}


def test_operators_hold_operator_classes_only():
    for path in sorted((ROOT / "operators").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                bases = {"JobOperator", "PromptJobOperator"}
                assert node.name.startswith("MESHY_OT_") or node.name in bases, (path.name, node.name)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert node.name.startswith("_") or node.name in {"register", "unregister"}, (path.name, node.name)


def test_the_graph_is_read_right():
    """The rules above mean something only if the graph sees what is there."""
    assert "core/requests.py" in imports("operators/base.py")[0]
    assert "client/http.py" in reach("service/jobs.py")
    assert "bpy" in imports("runtime.py")[1]
