"""Blender's side of the translations: the catalogs handed to ``bpy.app.translations``, and ``tr()``.

``register(owner)`` reads every ``<locale>.po`` beside this file and registers the translated
messages with Blender, which then translates what it draws itself like any add-on's: operator
labels (context ``"Operator"``), tooltips, property names, enum items, panel and menu titles,
literal ``layout`` texts and report messages, following the Interface language and the
"Translate Interface / Tooltips / Reports" switches of the preferences.

What Blender cannot look up is a sentence made at run time ("Credits: 1,234", an error naming a
parameter and a value). ``tr(text)`` is the one door for those: called where a sentence is shown
(the operators' reports, the sidebar's labels and messages), it translates through
``match.Matcher`` with the catalog of Blender's current language, and returns ``text`` itself in
English, in a language without a catalog, or with the matching switch off.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import bpy

from . import CONTEXT, po
from .match import Matcher

HERE = Path(__file__).resolve().parent
#: Which "Translate ..." switch of Preferences > Interface > Translation each kind of text follows.
SWITCHES = {"iface": "use_translate_interface", "tip": "use_translate_tooltips", "rpt": "use_translate_reports"}
_catalogs: dict[str, dict[tuple[str, str], str]] = {}  # locale -> what Blender was given
_tables: dict[str, dict[str, str]] = {}  # locale -> {msgid: msgstr} of the default and the add-on's context
_messages: dict[str, bool] = {}  # msgid -> is a template (default and add-on context): what tr() matches
_owner: list[str] = []


def locale_files() -> list[Path]:
    return sorted(HERE.glob("*.po"))


def load() -> dict[str, dict[tuple[str, str], str]]:
    """``{locale: {(context, msgid): msgstr}}``: every translated, not fuzzy message of each ``.po``."""
    out = {}
    for path in locale_files():
        entries = po.read(path).entries
        out[path.stem] = {e.key: e.msgstr for e in entries if e.translated}
        for e in entries:
            if e.msgctxt in (None, CONTEXT):
                _messages[e.msgid] = _messages.get(e.msgid, False) or e.template
    return out


def register(owner: str) -> None:
    """Hand the catalogs to Blender (``owner``: the add-on's package, as ``bpy.app.translations`` wants)."""
    catalogs = load()
    try:
        bpy.app.translations.register(owner, catalogs)
    except ValueError:  # left registered by an unregister that did not run (a failed reload): replace it
        bpy.app.translations.unregister(owner)
        bpy.app.translations.register(owner, catalogs)
    _owner.append(owner)
    _catalogs.update(catalogs)
    for locale, catalog in catalogs.items():  # the default context's message wins over the add-on context's label
        table = {msgid: text for (ctxt, msgid), text in catalog.items() if ctxt == CONTEXT}
        table.update({msgid: text for (ctxt, msgid), text in catalog.items() if ctxt == po.DEFAULT_CONTEXT})
        _tables[locale] = table
    _table_for.cache_clear()
    matcher.cache_clear()


def unregister(owner: str) -> None:
    if owner in _owner:
        bpy.app.translations.unregister(owner)
        _owner.remove(owner)
    _catalogs.clear()
    _tables.clear()
    _messages.clear()
    _table_for.cache_clear()
    matcher.cache_clear()


def catalogs() -> dict[str, dict[tuple[str, str], str]]:
    """What ``register`` handed to Blender (tests read it)."""
    return _catalogs


@cache
def matcher() -> Matcher:
    """The default context's messages, indexed once (on the first sentence shown in another language)."""
    return Matcher(_messages.items())


@cache
def _table_for(locale: str) -> dict[str, str] | None:
    """The catalog of Blender's locale ("ja_JP"), or of its language alone ("ja" -> "ja_JP")."""
    if locale in _tables:
        return _tables[locale]
    language = locale.split("_")[0]
    return next((t for name, t in _tables.items() if name.split("_")[0] == language), None) if language else None


def translate(text: str, kind: str = "iface") -> str:
    """``text`` in Blender's current language (``kind``: ``iface``, ``tip`` or ``rpt``, for the switch)."""
    if not text or not _tables:
        return text
    table = _table_for(bpy.app.translations.locale or "")
    if table is None:
        return text
    prefs = getattr(bpy.context, "preferences", None)
    if prefs is not None and not getattr(prefs.view, SWITCHES[kind], True):
        return text
    return matcher().translate(text, table.get)


def translated(text: str, locale: str) -> str:
    """``text`` in ``locale`` whatever Blender's language is (the tests; Blender builds without translations)."""
    table = _tables.get(locale)
    return text if table is None or not text else matcher().translate(text, table.get)


def tr(text: str) -> str:
    """A label or message of the interface (the sidebar, menus, buttons)."""
    return translate(text, "iface")


def tr_report(text: str) -> str:
    """A report (``self.report``): the status bar, the Info editor, the error bpy.ops raises."""
    return translate(text, "rpt")


def tr_tip(text: str) -> str:
    """A tooltip made at run time (an operator's ``description()``)."""
    return translate(text, "tip")
