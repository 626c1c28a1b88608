"""Japanese and Chinese in real Blender (the bpy module, every line of tier 2).

The bpy wheels are built without Blender's translation support
(``bpy.app.build_options.international`` is False: no locales, the Interface
language offers only ``DEFAULT``, ``pgettext`` returns its input), so here
the language cannot be switched. What is checked on each line instead:

- what Blender would look up, read from the registered RNA itself (operator
  labels in their ``translation_context``, descriptions, property names and
  tooltips, enum items, panel and menu titles) is in the catalogs handed to
  ``bpy.app.translations.register``, in the context Blender uses, for ja_JP and zh_HANS;
- every sentence the bad-input tests produce (the same calls, the same checks,
  run here through ``test_bad_inputs``) comes out translated by the add-on's
  own ``i18n.ui`` in each language, with no English sentence left;
- without a language to switch to, ``tr()`` gives the English text back unchanged.

``tools/sid_i18n.py`` (tier 3) switches the real Interface language in
Blender 5.2 and checks the labels and the raised error texts themselves.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys

import bpy
import pytest
import test_bad_inputs as bad

from conftest import ADDON

LOCALES = ("ja_JP", "zh_HANS")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
ENGLISH = re.compile(r"(?<![\w./{])(?:[A-Za-z][a-z']+ ){3}[A-Za-z][a-z']+(?![\w/])")


def ui():
    return sys.modules[f"{ADDON}.i18n.ui"]


def addon_classes(addon) -> list[type]:
    names = ("preferences", "properties", "operators", "panels")
    return [cls for name in names for cls in sys.modules[f"{ADDON}.{name}"].classes]


def operator_rna(cls: type):
    """The registered operator's own RNA (its label, tooltip and properties), as ``bpy.ops`` sees it."""
    module, name = cls.bl_idname.split(".")
    return getattr(getattr(bpy.ops, module), name).get_rna_type()


def looked_up(cls: type) -> list[tuple[str, str, str]]:
    """(context, text, what) Blender translates for a registered class, read from its RNA."""
    rna = cls.bl_rna
    out = []
    if issubclass(cls, bpy.types.Operator):
        rna = operator_rna(cls)
        out += [(rna.translation_context, rna.name, "label"), ("*", rna.description, "tooltip")]
    elif issubclass(cls, (bpy.types.Panel, bpy.types.Menu)):
        out += [(getattr(cls, "bl_translation_context", "*"), cls.bl_label, "title")]
        out += [("*", (cls.bl_description if hasattr(cls, "bl_description") else cls.__doc__ or "").strip(),
                 "tooltip")]
    inherited = {p.identifier for p in rna.base.properties} if rna.base else set()  # Blender's own (name...)
    for prop in rna.properties:
        if prop.identifier in inherited or prop.identifier == "rna_type" or prop.is_hidden:
            continue
        if prop.name == prop.identifier:  # unnamed (``filepath``, ``index`` of internal operators): not shown
            continue
        out += [(prop.translation_context, prop.name, f"{prop.identifier} name"),
                ("*", prop.description, f"{prop.identifier} tooltip")]
        if prop.type == "ENUM":
            for item in (prop.enum_items_static or prop.enum_items):
                out += [(prop.translation_context, item.name, f"{prop.identifier} item"),
                        ("*", item.description, f"{prop.identifier} item tooltip")]
    return [(ctxt or "*", text, f"{cls.__name__}.{what}") for ctxt, text, what in out if text]


@pytest.mark.parametrize("locale", LOCALES)
def test_what_blender_looks_up_is_in_the_registered_catalogs(addon, locale):
    catalog = ui().catalogs()[locale]
    wanted = [item for cls in addon_classes(addon) for item in looked_up(cls)]
    assert len(wanted) > 300  # every operator, property, item and panel: the walk sees them
    missing = [(ctxt, text, what) for ctxt, text, what in wanted if (ctxt, text) not in catalog]
    assert not missing, f"{locale}: not in i18n/{locale}.po under the context Blender uses:\n" + "\n".join(
        f"  [{ctxt}] {text!r} ({what})" for ctxt, text, what in missing[:30])


@pytest.mark.parametrize("locale", LOCALES)
def test_every_operator_label_is_translated_in_the_operator_context(addon, locale):
    catalog = ui().catalogs()[locale]
    operators = [getattr(bpy.types, n) for n in dir(bpy.types) if n.startswith("MESHY_OT_")]
    assert len(operators) >= 15
    for op in operators:
        rna = operator_rna(op)
        assert rna.translation_context == "Operator", op  # what Blender looks labels up in
        label = catalog.get(("Operator", rna.name), "")
        assert CJK.search(label), f"{op.__name__}: {rna.name!r} -> {label!r}"


def refusing_tests() -> list[str]:
    """The bad-input tests that end in ``refuse(...)`` (one clear sentence)."""
    tree = ast.parse(inspect.getsource(bad))
    return [f.name for f in tree.body if isinstance(f, ast.FunctionDef) and f.name.startswith("test_")
            and any(isinstance(n, ast.Call) and getattr(n.func, "id", "") == "refuse" for n in ast.walk(f))]


@pytest.mark.usefixtures("meshy")
@pytest.mark.parametrize("name", refusing_tests())
def test_the_sentences_of_bad_inputs_are_translated(name, emu, tmp_path, monkeypatch):
    said: list[str] = []
    original = bad.refuse

    def refuse(emu, call, *words):
        text = original(emu, call, *words)  # the bad-input test's own checks, then its sentence
        said.append(text)
        return text

    monkeypatch.setattr(bad, "refuse", refuse)
    test = getattr(bad, name)
    test(**{k: v for k, v in {"emu": emu, "tmp_path": tmp_path}.items() if k in inspect.signature(test).parameters})
    assert said, name
    for text in said:
        assert ui().tr(text) == text  # no language to switch to here: English, unchanged
        kept = ui().matcher().kept_values(text)  # names, numbers, Meshy's own words: data, not ours to translate
        for locale in LOCALES:
            out = ui().translated(text, locale)
            assert out != text and CJK.search(out), (locale, text, out)
            ours = out.replace("Meshy Tools", "_")
            for value in sorted(kept, key=len, reverse=True):
                ours = ours.replace(value, "_")
            assert not ENGLISH.findall(ours), (locale, text, out)


@pytest.mark.parametrize("text", [
    "オンラインアクセスがオフのため、Meshy には何も送信されません。"
    "下のボタン、または 編集 > プリファレンス > システム > ネットワーク で許可してください。",
    "联机访问已关闭，因此不会向 Meshy 发送任何内容。"
    "请在下方或 编辑 > 偏好设置 > 系统 > 网络 中允许（或以 --online-mode 启动 Blender）。",
])
def test_japanese_and_chinese_wrap_between_characters_not_only_at_spaces(addon, text):
    wrap = sys.modules[f"{ADDON}.panels.common"]
    width = lambda t: sum(20 if ord(c) > 0x2E80 else 10 for c in t)  # noqa: E731 - CJK twice as wide
    lines = wrap.wrap(text, 260, measure=width)
    assert len(lines) >= 5 and all(width(line) <= 260 for line in lines), lines
    assert all(width(line) >= 0.6 * 260 for line in lines[:-1]), lines  # filled: not broken at spaces only
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost
    assert not any(line[0] in wrap.NO_LINE_START for line in lines[1:])  # no line starts with 。、）
    assert not any(line[-1] in wrap.NO_LINE_END for line in lines)  # none ends with （「
