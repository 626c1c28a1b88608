"""Translate a sentence made at run time: exact messages first, then templates, English when nothing fits.

The client makes its sentences with f-strings (``f"{name} must be between {lo:,} and {hi:,}, not
{value:,}"``) deep in code that knows nothing of Blender. ``tools/i18n_extract.py`` turns each into
a template (``"{name} must be between {lo} and {hi}, not {value}"``); a translator translates the
template, and here, where a sentence is shown, the English sentence is matched against the
templates (compiled to regexes once) and the translated template is filled with the captured
values, which are translated in turn when they are messages themselves (``"{message} The task may
have been created: ..."``). What nothing matches is cut at sentence boundaries (``". "``, ``"; "``,
``": "``, ``" · "``) and the pieces are tried alone; what still matches nothing stays English.

Cost: a plan per sentence (which message or template, which values) is cached, so a sidebar
redraw pays a dict lookup and a ``str.format`` per label; a new sentence tries only the templates
whose first word it starts with, plus those that start with a value and whose longest literal
part it contains (``bench/i18n_match.py`` measures both). Matching ignores the final full stop
(``MeshyError`` adds one); a translated sentence gets the full stop of its script back (``。``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

#: lookup(msgid) -> the translation, or None when this language has none
Lookup = Callable[[str], "str | None"]

SEPARATORS = (". ", "; ", ": ", " · ")
_WORD = re.compile(r"[A-Za-z]{2,}")
_TAIL_NUMBER = re.compile(r"^(.*?\S)(\s+[\d.,]+%?)$", re.DOTALL)
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")
_ENDS = ("。", ".", "！", "？", "!", "?", "…")
MAX_DEPTH = 4


def split_stop(text: str) -> tuple[str, str, bool, str]:
    """``(leading space, core, had a final full stop, trailing space)``: what matching compares is the core."""
    core = text.strip()
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()):]
    stop = core.endswith(".") and not core.endswith("..")
    return lead, core[:-1] if stop else core, stop, trail


def full_stop(translated: str) -> str:
    """The full stop of the script the last sentence is written in (an English one left at the end keeps ".")."""
    return "。" if _CJK.search(translated.rsplit("。", 1)[-1]) else "."


@dataclass(frozen=True)
class Template:
    """One template compiled: its regex, the field each group fills, and how specific it is."""

    msgid: str
    regex: re.Pattern[str]
    groups: tuple[str, ...]  # group i -> field name
    literal: int  # characters of literal text: more is more specific, tried first
    first_word: str  # "" when the template starts with a value (or mid-word)
    longest: str  # its longest literal part: a cheap test before the regex

    @classmethod
    def compile(cls, msgid: str) -> Template | None:
        """None for a template with no word of its own (``"{label}: {message}"``): it would match anything."""
        core = split_stop(msgid)[1]
        try:
            parts = list(string.Formatter().parse(core))
        except ValueError:
            return None
        literals = [lit for lit, _, _, _ in parts]
        if not _WORD.search("".join(literals)):
            return None
        pattern, groups = [], []
        for literal, field, _, _ in parts:
            pattern.append(re.escape(literal))
            if field is not None:
                pattern.append("(.*?)")
                groups.append(field)
        first_word = _first_word(parts[0][0], parts[0][1] is not None or len(parts) > 1)
        return cls(msgid, re.compile("".join(pattern), re.DOTALL), tuple(groups), sum(map(len, literals)),
                   first_word, max(literals, key=len))


def _first_word(literal: str, value_follows: bool) -> str:
    """The word a text must start with to match; "" when a value starts it or ends the first word."""
    head = literal.split(None, 1)
    if not head or literal[0].isspace():
        return ""
    if len(head) == 2 or not value_follows or literal[-1].isspace():
        return head[0]
    return ""  # "U+{code}": the first word runs into the value


# A plan says how to translate one text; rendering it with a language's lookup is cheap.
# ("exact", msgid) | ("template", msgid, ((field, value, plan), ...)) | ("split", sep, (text, plan), (text, plan))
# | ("tail", (head, plan), tail) | ("wrap", lead, plan, stop, trail) | None (nothing to translate)
Plan = Any


class Matcher:
    """The messages of the default context, indexed for matching; ``translate(text, lookup)`` per language."""

    def __init__(self, messages: Iterable[tuple[str, bool]], cache_size: int = 4096) -> None:
        """``messages``: ``(msgid, is_template)`` pairs (the ``.pot``'s, default context only)."""
        self.exact: dict[str, str] = {}
        by_word: dict[str, list[Template]] = {}
        loose: list[Template] = []
        for msgid, is_template in messages:
            if not is_template:
                self.exact.setdefault(split_stop(msgid)[1], msgid)
                continue
            template = Template.compile(msgid)
            if template is None:
                continue
            (by_word.setdefault(template.first_word, []) if template.first_word else loose).append(template)
        order = lambda t: -t.literal  # noqa: E731 - the most specific template wins
        self.by_word = {w: sorted(ts, key=order) for w, ts in by_word.items()}
        self.loose = sorted(loose, key=order)
        self.plan = lru_cache(maxsize=cache_size)(self._plan)

    # -- planning (cached per text) --------------------------------------------------

    def _plan(self, text: str, depth: int = 0) -> Plan:
        if depth > MAX_DEPTH or not text or not _WORD.search(text):
            return None
        lead, core, stop, trail = split_stop(text)
        inner = self._plan_core(core, depth)
        if inner is None:
            return None
        return ("wrap", lead, inner, stop, trail)

    def _plan_core(self, core: str, depth: int) -> Plan:
        msgid = self.exact.get(core)
        if msgid is not None:
            return ("exact", msgid)
        found = self.find(core)
        if found is not None:
            template, values = found
            return ("template", template.msgid,
                    tuple((f, v, self._plan(v, depth + 1)) for f, v in zip(template.groups, values, strict=True)))
        return self._plan_pieces(core, depth)

    def _plan_pieces(self, core: str, depth: int) -> Plan:
        cuts = [(core.find(sep), sep) for sep in SEPARATORS if sep in core]
        if cuts:
            at, sep = min(cuts)
            left = core[: at + 1] if sep == ". " else core[:at]
            right = core[at + len(sep):]
            lp, rp = self._plan(left, depth + 1), self._plan(right, depth + 1)
            return ("split", sep, (left, lp), (right, rp)) if lp is not None or rp is not None else None
        tail = _TAIL_NUMBER.match(core)
        if tail:
            head_plan = self._plan(tail.group(1), depth + 1)
            return ("tail", (tail.group(1), head_plan), tail.group(2)) if head_plan is not None else None
        return None

    def find(self, core: str) -> tuple[Template, tuple[str, ...]] | None:
        """The most specific template that matches ``core`` (no final full stop) and its values."""
        word = core.split(None, 1)[0] if core else ""
        best: tuple[Template, tuple[str, ...]] | None = None
        for candidates in (self.by_word.get(word, ()), self.loose):
            for template in candidates:
                if best is not None and template.literal <= best[0].literal:
                    break
                if template.longest not in core:
                    continue
                m = template.regex.fullmatch(core)
                if m:
                    best = (template, m.groups())
                    break
        return best

    # -- rendering (per language, per call) ----------------------------------------------

    def translate(self, text: str, lookup: Lookup) -> str:
        """``text`` in the language of ``lookup``; ``text`` itself when nothing of it is translated."""
        plan = self.plan(text)
        if plan is None:
            return text
        out = render(plan, lookup)
        return text if out is None else out

    def kept_values(self, text: str) -> list[str]:
        """The parts of ``text`` a translation keeps in English: values (names, numbers, Meshy's words)."""
        plan = self.plan(text)
        return [text] if plan is None else kept(plan)


def kept(plan: Plan) -> list[str]:
    """The values a plan writes in as they are (names, numbers, the server's words): what no message matched."""
    if plan is None:
        return []
    kind = plan[0]
    if kind == "wrap":
        return kept(plan[2])
    if kind == "template":
        return [v for _, value, sub in plan[2] for v in (kept(sub) if sub is not None else [value])]
    if kind == "split":
        return [v for text, sub in plan[2:] for v in (kept(sub) if sub is not None else [text])]
    if kind == "tail":
        return kept(plan[1][1]) if plan[1][1] is not None else [plan[1][0]]
    return []


def render(plan: Plan, lookup: Lookup) -> str | None:
    """The translation a plan makes with ``lookup``, or None when the language lacks its message."""
    kind = plan[0]
    if kind == "exact":
        return lookup(plan[1])
    if kind == "wrap":
        _, lead, inner, stop, trail = plan
        out = render(inner, lookup)
        if out is None:
            return None
        if stop and not out.endswith(_ENDS):
            out += full_stop(out)
        elif not stop and out.endswith(("。", ".")):
            out = out[:-1]  # the English has no full stop here (a value inside a sentence): nor has the translation
        return lead + out + trail
    if kind == "template":
        _, msgid, values = plan
        translated = lookup(msgid)
        if translated is None:
            return None
        filled = {}
        for field, value, sub in values:
            filled.setdefault(field, (render(sub, lookup) if sub is not None else None) or value)
        try:
            return translated.format_map(filled)
        except (KeyError, ValueError, IndexError, AttributeError):
            return None  # a broken translation shows English, never a traceback
    if kind == "split":
        _, sep, (left, lp), (right, rp) = plan
        lo = (render(lp, lookup) if lp is not None else None)
        ro = (render(rp, lookup) if rp is not None else None)
        if lo is None and ro is None:
            return None
        lo, ro = lo or left, ro or right
        if sep == ". ":
            return lo + ("" if lo.endswith("。") else " ") + ro
        return lo + sep + ro
    if kind == "tail":
        _, (head, hp), tail = plan
        out = render(hp, lookup) if hp is not None else None
        return None if out is None else out + tail
    return None
