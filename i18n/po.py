"""The subset of gettext ``.po`` files Meshy Tools' translations use: read, write, check placeholders.

One entry is ``msgctxt`` (optional: none means Blender's default context ``"*"``), ``msgid`` and
``msgstr``, each a quoted string that may continue on the next lines, with ``#.`` (for the
translator, from the code), ``#:`` (where it is used), ``#,`` (flags: ``fuzzy``,
``python-brace-format``) and ``#`` (the translator's own) comments. Plural forms are not used by
the add-on and are refused with the line number rather than misread. Poedit, Lokalize, Weblate or
a text editor can edit these files; ``tools/i18n_extract.py`` keeps them in step with the code.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CONTEXT = "*"  # Blender's default translation context (bpy.app.translations.contexts.default)
BRACE = "python-brace-format"  # the flag of a template: {name} fields are filled in at run time
_PRINTF = re.compile(r"%(?:\([A-Za-z_]\w*\))?[-+ #0]*\d*(?:\.\d+)?[sdifr]")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


class POError(ValueError):
    """A .po file this reader cannot read; the message names the file and line."""


@dataclass
class Entry:
    """One message: what the code says (``msgid``) and what a language shows (``msgstr``)."""

    msgid: str
    msgstr: str = ""
    msgctxt: str | None = None
    flags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # "#." lines: for the translator, written by the extraction tool
    references: tuple[str, ...] = ()  # "#:" lines: where the code uses it
    comments: tuple[str, ...] = ()  # "# " lines: the translator's own
    line: int = 0

    @property
    def context(self) -> str:
        return self.msgctxt if self.msgctxt is not None else DEFAULT_CONTEXT

    @property
    def key(self) -> tuple[str, str]:
        """``(context, msgid)``: the key ``bpy.app.translations.register`` takes."""
        return self.context, self.msgid

    @property
    def template(self) -> bool:
        return BRACE in self.flags

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and not self.fuzzy


@dataclass
class Catalog:
    """A parsed file: its header fields and its entries in file order."""

    headers: dict[str, str] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)

    def by_key(self) -> dict[tuple[str, str], Entry]:
        return {e.key: e for e in self.entries}


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise POError(f"{where}: expected a quoted string, got {text[:40]!r}")
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            if i + 1 >= len(body) or body[i + 1] not in _ESCAPES:
                raise POError(f"{where}: unknown escape in {text[:40]!r}")
            out.append(_ESCAPES[body[i + 1]])
            i += 2
            continue
        if c == '"':
            raise POError(f"{where}: unescaped quote in {text[:40]!r}")
        out.append(c)
        i += 1
    return "".join(out)


def _strings(keyword: str, text: str) -> list[str]:
    """``keyword "text"``, or one quoted line per line of a text that holds newlines (as msgcat writes)."""
    if "\n" not in text.rstrip("\n"):
        return [f"{keyword} {quote(text)}"]
    return [f'{keyword} ""', *(quote(line) for line in text.splitlines(keepends=True))]


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") \
        .replace("\r", "\\r") + '"'


def parse(text: str, name: str = "<po>") -> Catalog:
    """Read a .po file's text. Obsolete entries (``#~``) are dropped; a duplicate key is an error."""
    catalog = Catalog()
    seen: dict[tuple[str, str], int] = {}
    pending: dict[str, list[str]] = {"notes": [], "references": [], "comments": [], "flags": []}
    fields: dict[str, str] = {}
    current = ""
    start = 0

    def finish() -> None:
        nonlocal fields, current, pending
        if not fields:
            return
        if "msgid" not in fields or "msgstr" not in fields:
            raise POError(f"{name}:{start}: an entry needs both msgid and msgstr")
        entry = Entry(fields["msgid"], fields["msgstr"], fields.get("msgctxt"), tuple(pending["flags"]),
                      tuple(pending["notes"]), tuple(pending["references"]), tuple(pending["comments"]), start)
        if entry.msgid == "" and entry.msgctxt is None:
            for row in entry.msgstr.splitlines():
                key, sep, value = row.partition(":")
                if sep:
                    catalog.headers[key.strip()] = value.strip()
        else:
            if entry.key in seen:
                raise POError(f"{name}:{start}: {entry.msgid!r} already given at line {seen[entry.key]}")
            seen[entry.key] = start
            catalog.entries.append(entry)
        fields, current = {}, ""
        pending = {"notes": [], "references": [], "comments": [], "flags": []}

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        where = f"{name}:{number}"
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if fields and "msgstr" in fields:
                finish()
            kind, rest = line[:2], line[2:].strip()
            if kind == "#.":
                pending["notes"].append(rest)
            elif kind == "#:":
                pending["references"].extend(rest.split())
            elif kind == "#,":
                pending["flags"].extend(f.strip() for f in rest.split(",") if f.strip())
            elif kind != "#|":
                pending["comments"].append(line[1:].strip())
            continue
        if line.startswith('"'):
            if not current:
                raise POError(f"{where}: a string continues nothing")
            fields[current] += _unquote(line, where)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgid_plural",) or keyword.startswith("msgstr["):
            raise POError(f"{where}: plural forms are not used by Meshy Tools")
        if keyword not in ("msgctxt", "msgid", "msgstr"):
            raise POError(f"{where}: unknown keyword {keyword!r}")
        if keyword in ("msgctxt", "msgid") and "msgstr" in fields:
            finish()
        if keyword in fields:
            raise POError(f"{where}: {keyword} given twice in one entry")
        if not fields:
            start = number
        fields[keyword] = _unquote(rest, where)
        current = keyword
    finish()
    return catalog


def read(path: Path) -> Catalog:
    return parse(path.read_text(encoding="utf-8"), path.name)


def render(catalog: Catalog) -> str:
    """The .po text of ``catalog``: the header, then each entry (one line per string, stable for diffs)."""
    header = "".join(f"{k}: {v}\n" for k, v in catalog.headers.items())
    out = ['msgid ""', *_strings("msgstr", header), ""]
    for e in catalog.entries:
        out += [f"#  {c}" if c else "#" for c in e.comments]
        out += [f"#. {n}" for n in e.notes]
        out += [f"#: {' '.join(e.references[i:i + 4])}" for i in range(0, len(e.references), 4)]
        if e.flags:
            out.append(f"#, {', '.join(e.flags)}")
        if e.msgctxt is not None:
            out.append(f"msgctxt {quote(e.msgctxt)}")
        out += [*_strings("msgid", e.msgid), *_strings("msgstr", e.msgstr), ""]
    return "\n".join(out)


def write(path: Path, catalog: Catalog) -> None:
    path.write_text(render(catalog), encoding="utf-8")


def fields(text: str, brace: bool) -> Counter[str]:
    """The placeholders of a message: ``{name}`` fields (templates only) and printf ``%s``/``%d``/``%(x)s``."""
    found: Counter[str] = Counter(m.group() for m in _PRINTF.finditer(text.replace("%%", "")))
    if brace:
        try:
            found.update("{" + f + "}" for _, f, _, _ in string.Formatter().parse(text) if f is not None)
        except ValueError:
            found["{?unbalanced}"] += 1
    return found


def placeholder_problems(entries: Iterable[Entry]) -> list[str]:
    """One line per translation whose placeholders differ from its msgid's (lost, added or misspelt)."""
    problems = []
    for e in entries:
        if not e.msgstr:
            continue
        want, got = fields(e.msgid, e.template), fields(e.msgstr, e.template)
        if want != got:
            lost, added = sorted((want - got).elements()), sorted((got - want).elements())
            problems.append(f"line {e.line}: {e.msgid!r}: lost {lost or 'nothing'}, added {added or 'nothing'}")
    return problems
