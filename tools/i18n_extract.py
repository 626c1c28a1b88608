"""Make i18n/meshy_tools.pot from the code, and bring every i18n/<locale>.po in step with it.

    python tools/i18n_extract.py           # write the .pot; add new messages (empty) to each .po
    python tools/i18n_extract.py --check   # write nothing; exit 1 and list what the files miss
    python tools/i18n_extract.py --list    # print every message with where it comes from

Where the messages come from:

- the parameter table (``core/params.py``, imported: labels, descriptions, enum items and the
  tooltips ``properties.py`` makes of them) and the AI model catalog (``client/catalog.py``);
- the code, read with ``ast``: classes' ``bl_label`` (operators in the ``"Operator"`` context, as
  Blender looks them up), ``bl_description`` or docstring; every text of the sidebar, the
  operators, the preferences and the view-models (``text=``, ``name=``, ``description=``,
  reports, strings and f-strings of those modules); and the sentences of errors everywhere
  else (exception messages, ``message=``, constants and f-strings that read as sentences);
- an f-string becomes a template: ``f"{name} must be between {lo:,} and {hi:,}, not {value:,}"``
  -> ``"{name} must be between {lo} and {hi}, not {value}"`` (flag ``python-brace-format``),
  matched at run time by ``i18n/match.py``; a value that is a known constant is written in
  (``{KEPT}``), and one of a small table (``TITLES[kind]``) is expanded into one message per row.

A message the code no longer has is kept at the end of each .po as ``#~`` (obsolete), so no
translation is lost; ``tests/test_i18n.py`` fails while the .pot is behind the code or a .po
lacks a translation, and says which messages.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import importlib
import itertools
import re
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if "meshy_tools" not in sys.modules:  # the add-on's bpy-free layers as one package (as tests/conftest.py does)
    _pkg = types.ModuleType("meshy_tools")
    _pkg.__path__ = [str(ROOT)]
    sys.modules["meshy_tools"] = _pkg

from i18n import CONTEXT, po  # noqa: E402

POT = ROOT / "i18n" / "meshy_tools.pot"
OPERATOR = "Operator"
#: Modules whose every text is UI text (strings that look like words).
UI = ("operators/", "panels/", "preferences.py", "properties.py", "core/views/", "core/messages.py", "client/checks.py",
      "client/notices.py")
#: Read by importing them instead (``from_table``): what Blender registers is computed from them.
IMPORTED = ("core/params.py", "core/param.py", "core/params_words.py", "core/params_characters.py",
            "client/catalog.py")
#: Modules where only sentences are taken (errors and the messages of jobs).
SENTENCES = ("client/", "core/", "service/", "scene/")
#: Modules whose texts are data written into files in English (an asset's description, Blender's catalog
#: file header), never shown through a translation: nothing is taken from them.
DATA = ("core/asset_catalogs.py",)
#: Keyword arguments that carry UI text; any other keyword argument (icon=, type=, default=...) is skipped.
TEXT_KWARGS = {"text", "name", "description", "label", "placeholder", "message", "title", "heading"}
#: Calls whose arguments are never UI text.
SKIP_CALLS = {"getattr", "hasattr", "setattr", "isinstance", "print", "open", "Path", "compile", "sub", "match",
              "search", "fullmatch", "findall", "finditer", "split", "rsplit", "startswith", "endswith", "replace",
              "strip", "rstrip", "lstrip", "partition", "rpartition", "join", "format", "get", "pop", "setdefault",
              "index", "count", "find", "removeprefix", "removesuffix", "encode", "decode", "strftime", "glob",
              "rglob", "with_suffix", "joinpath", "quote", "urlsplit", "urlparse", "getLogger", "get_logger",
              "warn", "debug", "info", "warning", "error", "exception", "critical", "log", "mkdtemp", "environ",
              "getenv", "register_class", "unregister_class", "status_text_set", "operator", "prop", "menu",
              "prop_search", "panel", "template_icon", "event_timer_add", "path_open", "userpref_show",
              "addon_show", "extension_path_user", "user_resource", "namedtuple", "TypeVar", "field", "cast",
              "ModuleType", "new", "load", "remove", "any", "all", "sorted", "min", "max"}
CLASS_SKIP = {"bl_idname", "bl_space_type", "bl_region_type", "bl_options", "bl_category", "bl_context",
              "bl_parent_id", "bl_order", "kind", "bl_translation_context", "bl_owner_id", "bl_ui_units_x"}
LOGGERS = {"log", "logger", "_log", "LOG", "logging"}
_IDENT = re.compile(r"[A-Z0-9_]+|[a-z0-9_.\-/:;=+%*#@?&]+|[A-Za-z]+_[A-Za-z0-9_]+")
_WORDS = re.compile(r"[A-Za-z][a-z]+")


@dataclass
class Message:
    msgid: str
    context: str | None = None  # None: Blender's default context
    template: bool = False
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.context or po.DEFAULT_CONTEXT, self.msgid)


class Messages:
    """Messages in the order they were found, one per (context, msgid)."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Message] = {}

    def add(self, msgid: str, where: str, *, context: str | None = None, template: bool = False,
            note: str = "") -> None:
        msgid = msgid.strip()
        if not msgid:
            return
        key = (context or po.DEFAULT_CONTEXT, msgid)
        msg = self.items.setdefault(key, Message(msgid, context, template))
        msg.template = msg.template or template
        if where not in msg.files:
            msg.files.append(where)
        if note and note not in msg.notes:
            msg.notes.append(note)


# --------------------------------------------------------------------------- filters


def looks_like_text(text: str) -> bool:
    """A label or sentence, not an identifier, an icon, an enum id, a path or an API value."""
    s = text.strip()
    if not s or not re.search(r"[A-Za-z]", s) or _IDENT.fullmatch(s):
        return False
    if any(tag in s for tag in ("_PT_", "_OT_", "_MT_", "_PG_", "bpy.", "meshy.")) and " " not in s:
        return False
    return not s.startswith(("http://", "https://", "data:", "%")) or " " in s


def reads_as_sentence(text: str) -> bool:
    """Three words or more, two of them lowercase English words: a sentence, not a format or a header."""
    words = text.split()
    return len(words) >= 3 and len([w for w in words if _WORDS.fullmatch(w.strip(".,;:()'\"?!"))]) >= 2


def literal_text(template: str) -> str:
    return re.sub(r"\{[^{}]*\}", " ", template)


# --------------------------------------------------------------------------- folding expressions


class Scope:
    """Module-level constants of every scanned module: strings and tables of strings, by name."""

    def __init__(self, modules: dict[str, ast.Module]) -> None:
        self.trees = modules
        self.consts: dict[str, dict[str, ast.expr]] = {m: {} for m in modules}
        self.imports: dict[str, dict[str, tuple[str, str | None]]] = {m: {} for m in modules}
        for path, tree in modules.items():
            for node in tree.body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    self.consts[path][node.targets[0].id] = node.value
                elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                    self.consts[path][node.target.id] = node.value
                elif isinstance(node, ast.ImportFrom) and node.level:
                    base = path.split("/")[:-1][: len(path.split("/")) - node.level]
                    parts = base + (node.module.split(".") if node.module else [])
                    for alias in node.names:
                        as_module = "/".join([*parts, alias.name]) + ".py"
                        target = as_module if as_module in modules else "/".join(parts) + ".py"
                        if target not in modules:
                            target = "/".join(parts) + "/__init__.py"
                        local = alias.asname or alias.name
                        self.imports[path][local] = (as_module, None) if as_module in modules else (target, alias.name)

    def resolve(self, module: str, name: str, depth: int = 0) -> tuple[str, ast.expr] | None:
        """(module, expression) a name stands for at module level, following ``from . import`` chains."""
        if depth > 5:
            return None
        if name in self.consts.get(module, {}):
            return module, self.consts[module][name]
        target = self.imports.get(module, {}).get(name)
        if target and target[1]:
            return self.resolve(target[0], target[1], depth + 1)
        return None

    def module_alias(self, module: str, name: str) -> str | None:
        target = self.imports.get(module, {}).get(name)
        return target[0] if target and target[1] is None else None


def placeholder_name(node: ast.expr) -> str:
    """A readable field name for a value in an f-string: ``exc.message`` -> ``message``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return placeholder_name(node.value) if node.attr.startswith("__") else node.attr
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute):
            if func.attr == "join" and node.args:
                return placeholder_name(node.args[0])
            if func.attr in {"rstrip", "strip", "lstrip", "lower", "upper", "title", "capitalize", "replace",
                             "removeprefix", "removesuffix", "get"}:
                return placeholder_name(func.value) if func.attr != "get" or not node.args else \
                    placeholder_name(node.args[-1])
            return func.attr
        if isinstance(func, ast.Name):
            if func.id == "len":
                return "count"
            if func.id in {"str", "repr", "int", "float", "abs", "round"} and node.args:
                return placeholder_name(node.args[0])
            if func.id == "type":
                return "type"
            if func.id == "ord":
                return "code"
            return func.id
    if isinstance(node, ast.Subscript):
        return placeholder_name(node.value)
    if isinstance(node, ast.BinOp):
        side = node.left if not isinstance(node.left, ast.Constant) else node.right
        return placeholder_name(side)
    if isinstance(node, ast.IfExp):
        return placeholder_name(node.body)
    return "value"


@dataclass(frozen=True)
class Form:
    """One way an expression can read: the text (a template when ``fields`` is not empty)."""

    text: str
    fields: tuple[str, ...] = ()


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


class Folder:
    """Turns string expressions of one module into their forms (constants written in, tables expanded)."""

    MAX_FORMS = 12

    def __init__(self, scope: Scope, module: str) -> None:
        self.scope, self.module = scope, module
        #: the enclosing function's names assigned once (``detail = f": {server}" if server else ""``)
        self.locals: dict[str, ast.expr] = {}

    def forms(self, node: ast.expr, depth: int = 0) -> list[Form] | None:
        """Every form of ``node``, or None when it is not a string expression we can read."""
        if depth > 8:
            return None
        if isinstance(node, ast.Constant):
            return [Form(_escape(node.value))] if isinstance(node.value, str) else None
        if isinstance(node, ast.JoinedStr):
            return self._joined(node, depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.forms(node.left, depth + 1), self.forms(node.right, depth + 1)
            if left is None and right is None:
                return None
            left = left or [self._field(node.left)]
            right = right or [self._field(node.right)]
            return self._product([left, right])
        if isinstance(node, ast.IfExp):
            body, other = self.forms(node.body, depth + 1), self.forms(node.orelse, depth + 1)
            if body is None and other is None:
                return None
            return (body or [self._field(node.body)]) + (other or [self._field(node.orelse)])
        if isinstance(node, ast.Name) and node.id in self.locals:
            local = self.locals.pop(node.id)  # popped while folded: `x = x + ...` cannot loop
            try:
                return self.forms(local, depth + 1)
            finally:
                self.locals[node.id] = local
        constant = self.constant(node, depth)
        return [Form(_escape(v)) for v in constant] if constant else None

    def constant(self, node: ast.expr, depth: int = 0) -> list[str] | None:
        """The string values a name, ``module.NAME``, ``TABLE[key]`` or ``.lower()`` of one can have."""
        found: tuple[str, ast.expr] | None = None
        if isinstance(node, ast.Name):
            found = self.scope.resolve(self.module, node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            alias = self.scope.module_alias(self.module, node.value.id)
            if alias:
                found = self.scope.resolve(alias, node.attr)
        elif isinstance(node, ast.Subscript):
            table = self._table(node.value)
            if table is not None:
                if isinstance(node.slice, ast.Constant) and node.slice.value in table:
                    return [table[node.slice.value]]
                return sorted(set(table.values()), key=list(table.values()).index)
            return None
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.args
              and node.func.attr in {"lower", "upper", "title", "capitalize"}):
            inner = self.constant(node.func.value, depth + 1)
            return [getattr(v, node.func.attr)() for v in inner] if inner else None
        if found is None:
            return None
        module, expr = found
        forms = Folder(self.scope, module).forms(expr, depth + 1)
        if not forms or any(f.fields for f in forms):
            return None
        return [f.text.replace("{{", "{").replace("}}", "}") for f in forms]

    def _table(self, node: ast.expr) -> dict | None:
        found = None
        if isinstance(node, ast.Name):
            found = self.scope.resolve(self.module, node.id)
        if found is None or not isinstance(found[1], ast.Dict):
            return None
        table = {}
        for k, v in zip(found[1].keys, found[1].values, strict=True):
            if not (isinstance(k, ast.Constant) and isinstance(v, ast.Constant) and isinstance(v.value, str)):
                return None
            table[k.value] = v.value
        return table

    def _field(self, node: ast.expr) -> Form:
        name = re.sub(r"\W", "_", placeholder_name(node).lower()).strip("_") or "value"
        if name[0].isdigit():
            name = "v" + name
        return Form("{" + name + "}", (name,))

    def _joined(self, node: ast.JoinedStr, depth: int) -> list[Form]:
        pieces: list[list[Form]] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                pieces.append([Form(_escape(str(value.value)))])
                continue
            assert isinstance(value, ast.FormattedValue)
            forms = self.forms(value.value, depth + 1) if value.conversion == -1 else None
            if forms and len(forms) <= self.MAX_FORMS:
                pieces.append(forms)  # a constant, a table's rows, "s" if n != 1 else "": written in
            else:
                pieces.append([self._field(value.value)])
        return self._product(pieces)

    def _product(self, pieces: list[list[Form]]) -> list[Form]:
        return [Form("".join(f.text for f in combo), tuple(n for f in combo for n in f.fields))
                for combo in itertools.islice(itertools.product(*pieces), self.MAX_FORMS)]


def renumber(form: Form) -> Form:
    """Give repeated field names a suffix so each value has its own name (``{name}`` ... ``{name_2}``)."""
    seen: dict[str, int] = {}

    def sub(m: re.Match) -> str:
        name = m.group(1)
        seen[name] = seen.get(name, 0) + 1
        return "{" + (name if seen[name] == 1 else f"{name}_{seen[name]}") + "}"

    text = re.sub(r"(?<!\{)\{([A-Za-z_]\w*)\}(?!\})", sub, form.text)
    return Form(text, tuple(sorted(seen)))


# --------------------------------------------------------------------------- walking the code


def assigned_once(func: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    """The names a function assigns exactly once (not in nested functions, not as loop targets)."""
    counts: dict[str, int] = {}
    values: dict[str, ast.expr] = {}
    todo: list[ast.AST] = list(func.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.With, ast.NamedExpr)):
            targets = [getattr(node, "target", None)] if not isinstance(node, ast.With) else \
                [i.optional_vars for i in node.items if i.optional_vars is not None]
        for target in targets:
            for name in ast.walk(target) if target is not None else ():
                if isinstance(name, ast.Name):
                    counts[name.id] = counts.get(name.id, 0) + (1 if isinstance(node, ast.Assign) else 2)
                    if isinstance(node, ast.Assign) and len(node.targets) == 1 and node.targets[0] is name:
                        values[name.id] = node.value
        todo.extend(ast.iter_child_nodes(node))
    return {name: value for name, value in values.items() if counts.get(name) == 1}



class Walker:
    """Collects the messages of one module (``ui``: all texts; else: sentences only)."""

    def __init__(self, scope: Scope, module: str, messages: Messages, ui: bool) -> None:
        self.scope, self.module, self.out, self.ui = scope, module, messages, ui
        self.folder = Folder(scope, module)

    def take(self, node: ast.expr, *, context: str | None = None, force: bool = False, note: str = "") -> None:
        forms = self.folder.forms(node)
        if forms is None:
            self.visit_children(node)
            return
        for form in forms:
            form = renumber(form)
            template = bool(form.fields)
            text = form.text if template else form.text.replace("{{", "{").replace("}}", "}")
            if template:
                words, bare = literal_text(form.text), re.sub(r"\{[^{}]*\}", "", form.text)
                if not re.search(r"[A-Za-z]{2,}", words) or not re.search(r"\s", bare) and _IDENT.fullmatch(bare):
                    continue  # "{label}: {message}" has nothing to translate, "meshy_{kind}_advanced" is a name
                ok = bool(re.search(r"\s", bare)) if (self.ui or force) else reads_as_sentence(words)
            else:
                ok = looks_like_text(text) if (self.ui or force) else reads_as_sentence(text)
            if ok:
                self.out.add(text, self.module, context=context, template=template, note=note)

    def run(self, tree: ast.Module) -> None:
        self.body(tree.body, docstring=True)

    def body(self, stmts: list[ast.stmt], docstring: bool) -> None:
        for i, stmt in enumerate(stmts):
            if docstring and i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                continue
            self.stmt(stmt)

    def stmt(self, node: ast.stmt) -> None:
        if isinstance(node, ast.ClassDef):
            self.class_def(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name in {"__repr__", "__str__"}:
                return
            outer = self.folder.locals
            self.folder.locals = assigned_once(node)
            try:
                self.body(node.body, docstring=True)
            finally:
                self.folder.locals = outer
            for default in node.args.defaults + [d for d in node.args.kw_defaults if d]:
                self.take(default)
        elif isinstance(node, (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.Pass, ast.Break,
                               ast.Continue)):
            return
        elif isinstance(node, ast.Assert) or (isinstance(node, ast.Assign)
                                              and any(getattr(t, "id", "") == "__all__" for t in node.targets)):
            return
        elif isinstance(node, ast.Raise):
            if node.exc is not None:
                self.expr(node.exc)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    self.stmt(child)
                elif isinstance(child, ast.expr):
                    self.expr(child)
                elif isinstance(child, ast.ExceptHandler):
                    self.body(child.body, docstring=False)
                elif isinstance(child, ast.withitem):
                    self.expr(child.context_expr)
                elif isinstance(child, ast.match_case):
                    self.body(child.body, docstring=False)

    def class_def(self, node: ast.ClassDef) -> None:
        bases = {b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases}
        is_operator = "Operator" in bases or "JobOperator" in bases or node.name.startswith("MESHY_OT_")
        is_ui = is_operator or bool(bases & {"Panel", "Menu", "AddonPreferences"}) or "_PT_" in node.name
        described = any(isinstance(s, ast.Assign) and any(getattr(t, "id", "") == "bl_description" for t in s.targets)
                        for s in node.body)
        own = next((self.context_of(s.value) for s in node.body if isinstance(s, ast.Assign)
                    and any(getattr(t, "id", "") == "bl_translation_context" for t in s.targets)), None)
        for i, stmt in enumerate(node.body):
            if i == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                if is_ui and not described and isinstance(stmt.value.value, str):
                    self.out.add(stmt.value.value.strip(), self.module, note="tooltip")
                continue
            target = None
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                target = stmt.targets[0].id
            if target in CLASS_SKIP:
                continue
            if target == "bl_label":
                self.take(stmt.value, context=own or (OPERATOR if is_operator else None), force=True,
                          note="operator label" if is_operator else "panel or menu title")
                continue
            if target == "bl_description":
                self.take(stmt.value, force=True, note="tooltip")
                continue
            self.stmt(stmt)

    def expr(self, node: ast.expr) -> None:
        if isinstance(node, ast.Call):
            self.call(node)
        elif isinstance(node, ast.Compare):
            return
        elif isinstance(node, ast.Subscript):
            self.expr(node.value)
        elif isinstance(node, ast.Dict):
            keys = {k.value: v for k, v in zip(node.keys, node.values, strict=True) if isinstance(k, ast.Constant)}
            own = self.context_of(keys["bl_translation_context"]) if "bl_translation_context" in keys else None
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "__doc__" and "bl_idname" not in keys:
                    continue  # a property group made with type(): its docstring is never shown
                if own and isinstance(key, ast.Constant) and key.value == "bl_label":
                    self.take(value, context=own, force=True, note="panel title")
                elif value is not None:
                    self.expr(value)
        elif isinstance(node, ast.Name):
            return  # a constant's own definition is where it is taken
        elif isinstance(node, ast.Attribute):
            self.expr(node.value)  # `row.operator(text=...).kind = ...`
        elif isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.IfExp)):
            self.take(node)
        else:
            self.visit_children(node)

    def visit_children(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child)
            elif isinstance(child, ast.comprehension):
                self.expr(child.iter)
            elif isinstance(child, ast.keyword):
                self.keyword(child)

    def call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
        if owner in LOGGERS or name == "print":
            return
        error = name.endswith(("Error", "Exception")) or name in {"sentence", "UserError"}
        if name == "report" and len(node.args) >= 2:
            self.take(node.args[1], force=True, note="report")
        elif name in SKIP_CALLS and not error:
            pass
        else:
            for arg in node.args:
                if error:
                    self.take(arg, force=True)
                else:
                    self.expr(arg)
        operator_call = name == "operator"
        own = next((self.context_of(kw.value) for kw in node.keywords if kw.arg == "translation_context"), None)
        for kw in node.keywords:
            if own and kw.arg == "name":  # a property's name, and below its enum items, in its own context
                self.take(kw.value, context=own, force=True)
                continue
            if own and kw.arg == "items":
                self.enum_items(kw.value, own)
                continue
            if operator_call and kw.arg == "text":
                literal = isinstance(kw.value, ast.Constant) or (
                    isinstance(kw.value, ast.IfExp) and all(isinstance(v, ast.Constant) for v in (kw.value.body,
                                                                                                  kw.value.orelse)))
                if literal:  # Blender translates a literal operator button text in the operator's context
                    self.take(kw.value, context=OPERATOR, force=True, note="button")
                else:  # a computed one goes through i18n.ui.tr (default context)
                    self.expr(kw.value)
                continue
            self.keyword(kw, force=error)
        if isinstance(func, ast.Attribute):
            self.expr(func.value)

    def context_of(self, node: ast.expr) -> str | None:
        """A translation context given in the code: a string, or the add-on's ``CONTEXT``."""
        if isinstance(node, ast.Name) and node.id == "CONTEXT" or isinstance(node, ast.Attribute) and \
                node.attr == "CONTEXT":
            return CONTEXT
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return None

    def enum_items(self, node: ast.expr, context: str) -> None:
        """``items=[(id, name, description), ...]`` (or a module-level list of them): names in ``context``."""
        if isinstance(node, ast.Name):
            found = self.scope.resolve(self.module, node.id)
            if found is None or found[0] != self.module:
                return  # another module's table (the kinds): taken from the parameter table
            node = found[1]
        for item in getattr(node, "elts", ()):
            if isinstance(item, ast.Tuple) and len(item.elts) >= 2:
                self.take(item.elts[1], context=context, force=True, note="a choice")
                if len(item.elts) >= 3:
                    self.take(item.elts[2], force=True, note="tooltip of a choice")

    def keyword(self, kw: ast.keyword, force: bool = False) -> None:
        if kw.arg in TEXT_KWARGS:
            self.take(kw.value, force=True)
        elif kw.arg is None or force:
            self.expr(kw.value)


# --------------------------------------------------------------------------- sources


def addon_modules() -> list[str]:
    outside = ("tests/", "emulator/", "tools/", "bench/", "build/", "dist/", "out/", "wheels/", ".venv", "i18n/",
               "batch/", "cli.py", "__init__.py")
    return sorted(p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.py")
                  if not p.relative_to(ROOT).as_posix().startswith(outside)
                  and (p.name != "__init__.py" or p.parent != ROOT))


def from_code(messages: Messages) -> None:
    modules = {m: ast.parse((ROOT / m).read_text(encoding="utf-8")) for m in addon_modules()}
    scope = Scope(modules)
    for module, tree in modules.items():
        ui = module.startswith(UI)
        if module not in IMPORTED and module not in DATA and (ui or module.startswith(SENTENCES)):
            Walker(scope, module, messages, ui).run(tree)


def from_table(messages: Messages) -> None:
    """What ``properties.py`` and ``preferences.py`` make of the parameter table and the model catalog."""
    params = importlib.import_module("meshy_tools.core.params")
    catalog = importlib.import_module("meshy_tools.client.catalog")
    where = "core/params.py"
    for _id, title, description in params.KIND_ITEMS:
        messages.add(title, where, context=CONTEXT, note="a kind of task")
        messages.add(description, where, note="tooltip")
    for kind in params.KINDS:
        messages.add(kind, where, note="a kind as sentences name it (\"Meshy remesh failed for ...\")")
    for kind in params.KINDS:  # panels/operations.py: each operation panel's tooltip (Rig, Animate: their own)
        if kind not in ("rigging", "animations"):
            messages.add(f"Meshy {params.TITLES[kind]}: inputs, options, estimated credits and Run.",
                         "panels/operations.py", note="a panel's tooltip")
    for kind in params.PARAMS:  # every table: the kinds' and the refine operator's
        for p in params.PARAMS[kind]:
            messages.add(p.label or p.name, where, context=CONTEXT, note=f"option {p.name}")
            messages.add(p.description, where, note=f"tooltip of {p.name}")
            for _value, label in p.items:
                messages.add(label, where, context=CONTEXT, note=f"a choice of {p.name}")
                tip = f"Produce {label}" if p.type == "enumset" else f"{p.description}: {label}"
                messages.add(tip, where, note=f"tooltip of a choice of {p.name}")
    for model in (*catalog.MESH_MODELS, *catalog.IMAGE_MODELS):
        messages.add(model.label, "client/catalog.py", note="an AI model")
        messages.add(model.note, "client/catalog.py", note="tooltip of an AI model")
    views = importlib.import_module("meshy_tools.core.views.history")
    for status in views.STATUS_ICONS:  # HistoryRow.state_text
        messages.add(status.replace("_", " ").title(), "core/views/history.py", note="a task's status on Meshy")


def extract() -> Messages:
    messages = Messages()
    from_table(messages)
    from_code(messages)
    return messages


# --------------------------------------------------------------------------- files


HEADER = {
    "Project-Id-Version": "Meshy Tools",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "X-Generator": "tools/i18n_extract.py",
}
NOTE = ("Placeholders such as {name} are filled in at run time: keep each one, in any order; parameter "
        "names (target_polycount) may stay as the API spells them")


def template_catalog(messages: Messages) -> po.Catalog:
    entries = []
    for m in sorted(messages.items.values(), key=lambda m: (m.files[0] != "core/params.py", m.files[0])):
        notes = list(m.notes) + ([NOTE] if m.template else [])
        entries.append(po.Entry(m.msgid, "", m.context, (po.BRACE,) if m.template else (), tuple(notes),
                                tuple(m.files)))
    return po.Catalog(dict(HEADER), entries)


def merge(pot: po.Catalog, existing: po.Catalog, locale: str) -> tuple[po.Catalog, list[po.Entry]]:
    """The locale's catalog in the .pot's order: its translations kept, a new message empty, or guessed from the
    same words in another context or a near one (flagged fuzzy: Blender is not given it until a translator
    checks it); and the translations no message has any more (kept as ``#~``)."""
    old = existing.by_key()
    elsewhere = {e.msgid: e for e in existing.entries if e.msgstr}  # the same words in another context
    entries, used = [], set()
    for entry in pot.entries:
        have = old.get(entry.key)
        guess = None if have else elsewhere.get(entry.msgid) or _close(entry, elsewhere)
        if guess is not None:
            used.add(guess.key)
        fuzzy = (have and have.fuzzy) or guess is not None  # a guess waits for the translator's word
        flags = tuple(entry.flags) + (("fuzzy",) if fuzzy else ())
        text = have.msgstr if have else guess.msgstr if guess else ""
        entries.append(po.Entry(entry.msgid, text, entry.msgctxt, flags, entry.notes, entry.references,
                                have.comments if have else ()))
    keys = {e.key for e in pot.entries}
    gone = [e for e in existing.entries if e.key not in keys and e.key not in used and e.msgstr]
    headers = {**HEADER, **{k: v for k, v in existing.headers.items() if k not in HEADER}, "Language": locale}
    return po.Catalog(headers, entries), gone


def _close(entry: po.Entry, translated: dict[str, po.Entry]) -> po.Entry | None:
    """A translated message that reads almost the same (one word changed), as msgmerge's fuzzy match does."""
    near = difflib.get_close_matches(entry.msgid, list(translated), n=1, cutoff=0.75)
    found = translated[near[0]] if near else None
    return found if found is not None and found.template == entry.template else None


def render_with_obsolete(catalog: po.Catalog, gone: list[po.Entry]) -> str:
    text = po.render(catalog)
    for e in gone:
        ctxt = [f"#~ msgctxt {po.quote(e.msgctxt)}"] if e.msgctxt is not None else []
        text += "\n".join([*ctxt, f"#~ msgid {po.quote(e.msgid)}", f"#~ msgstr {po.quote(e.msgstr)}", "", ""])
    return text


def locales() -> list[Path]:
    return sorted((ROOT / "i18n").glob("*.po"))


def outdated(pot: po.Catalog) -> list[str]:
    """What the files on disk miss against ``pot`` (empty: in step)."""
    problems = []
    want = {(e.key, e.template) for e in pot.entries}
    have = {(e.key, e.template) for e in po.read(POT).entries} if POT.exists() else set()
    for (ctxt, msgid), _template in sorted(want - have):
        problems.append(f"new in the code: {msgid!r}" + (f" (context {ctxt})" if ctxt != "*" else ""))
    for (ctxt, msgid), _template in sorted(have - want):
        problems.append(f"gone from the code: {msgid!r}" + (f" (context {ctxt})" if ctxt != "*" else ""))
    for path in locales():
        keys = {e.key for e in po.read(path).entries}
        missing = [e.msgid for e in pot.entries if e.key not in keys]
        if missing:
            problems.append(f"{path.name} lacks {len(missing)} message(s): " + "; ".join(map(repr, missing[:10])))
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 when the files are behind the code")
    ap.add_argument("--list", action="store_true", help="print every message and where it comes from")
    args = ap.parse_args(argv)
    pot = template_catalog(extract())
    if args.list:
        for e in pot.entries:
            flag = " [template]" if e.template else ""
            ctxt = f" [{e.msgctxt}]" if e.msgctxt else ""
            print(f"{e.msgid}{ctxt}{flag}    <- {', '.join(e.references)}")
        return 0
    if args.check:
        problems = outdated(pot)
        for p in problems:
            print(p)
        return 1 if problems else 0
    POT.write_text(po.render(pot), encoding="utf-8")
    print(f"{POT.relative_to(ROOT)}: {len(pot.entries)} messages")
    for path in locales():
        merged, gone = merge(pot, po.read(path), path.stem)
        path.write_text(render_with_obsolete(merged, gone), encoding="utf-8")
        empty = sum(1 for e in merged.entries if not e.msgstr)
        guessed = sum(1 for e in merged.entries if e.msgstr and e.fuzzy)
        print(f"{path.relative_to(ROOT)}: {len(merged.entries) - empty - guessed} translated, {empty} to translate"
              + (f", {guessed} guessed (fuzzy: check them)" if guessed else "")
              + (f", {len(gone)} obsolete kept as #~" if gone else ""))
    return 0


def iter_messages() -> Iterator[po.Entry]:
    """The messages of the code now (for tests)."""
    yield from template_catalog(extract()).entries


if __name__ == "__main__":
    sys.exit(main())
