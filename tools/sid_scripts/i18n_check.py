"""Inside the real Blender 5.2 (blender-sid), in background: the add-on in each Interface language.

Run by tools/sid_i18n.py with the built extension installed from its zip and the emulator's URL
after ``--``. For ja_JP, zh_HANS and en_US (and ja_JP with "Translate Reports" off) it sets
``preferences.view.language``, reads every Meshy operator label the way Blender draws it
(``pgettext_iface(label, "Operator")``), and runs the bad-input tests of
tests/blender/test_bad_inputs.py, the same functions, with their ``refuse`` replaced by one that
keeps the error text bpy.ops raises (and still checks that nothing was created and the scene
did not change). One ``I18N {json}`` line per language; sid_i18n.py judges them.
"""

import inspect
import json
import os
import sys
import tempfile
import time
import types
import urllib.request
from pathlib import Path

import bpy

ADDON = "bl_ext.user_default.meshy_tools"
TEST_KEY = "msy_dummy_api_key_for_test_mode_12345678"
URL = dict(a.split("=", 1) for a in sys.argv[sys.argv.index("--") + 1:])["url"]
assert ADDON in bpy.context.preferences.addons, "extension not enabled"


def control(what, body=None, method=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{URL}/_emulator/{what}", data=data, method=method or ("POST" if data else "GET"),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


class RemoteEmulator:
    """What test_bad_inputs asks of its ``emu`` fixture, over the emulator's control endpoints."""

    base_url = URL

    def create_count(self):
        return control("stats")["created_total"]

    @property
    def log(self):
        return control("log")

    @property
    def balance(self):
        return control("config")["balance"]

    @balance.setter
    def balance(self, value):
        control("config", {"balance": value})


# test_bad_inputs imports pytest and conftest at the top; neither is in Blender's Python.
mark = types.SimpleNamespace(usefixtures=lambda *names: None)
sys.modules["pytest"] = types.SimpleNamespace(mark=mark, raises=None)
sys.modules["conftest"] = types.SimpleNamespace(ADDON=ADDON, TEST_KEY=TEST_KEY)
sys.path.insert(0, "/project/tests/blender")
import test_bad_inputs as bad  # noqa: E402

said: list = []


def refuse(emu, call, *words):
    """The bad-input tests' refuse(), keeping the raised text in whatever language it came in."""
    before, created = bad.scene_state(), emu.create_count()
    try:
        call()
    except RuntimeError as exc:
        text = str(exc).strip()
    else:
        raise AssertionError("not refused")
    assert bad.scene_state() == before and emu.create_count() == created, text
    said.append(text)
    return text


bad.refuse = refuse
NAMES = [n for n in dir(bad) if n.startswith("test_") and "refuse(" in inspect.getsource(getattr(bad, n))]
runtime = sys.modules[ADDON + ".runtime"]


def fresh(home):
    bpy.ops.wm.read_homefile(use_empty=True)
    bpy.context.preferences.system.use_online_access = True
    prefs = bpy.context.preferences.addons[ADDON].preferences
    prefs.api_key, prefs.base_url, prefs.download_dir, prefs.keep_original = TEST_KEY, URL, home + "/dl", True
    os.environ["MESHY_TOOLS_DIR"] = home + "/user"
    service = runtime.service()
    service.shutdown()
    service.tasks.clear()
    service.account.reset()
    service.history.reset()
    service.last_error = ""
    runtime.controller().reset()
    control("config", {"balance": 10000})
    control("log", method="DELETE")


def run(language, reports=True):
    view = bpy.context.preferences.view
    view.language = language
    view.use_translate_interface = view.use_translate_tooltips = True
    view.use_translate_reports = reports
    ops = sorted(n for n in dir(bpy.types) if n.startswith("MESHY_OT_"))
    labels = {}
    for name in ops:
        cls = getattr(bpy.types, name)
        module, op = cls.bl_idname.split(".")
        rna = getattr(getattr(bpy.ops, module), op).get_rna_type()
        labels[rna.name] = bpy.app.translations.pgettext_iface(rna.name, rna.translation_context)
    said.clear()
    errors = {}
    for name in NAMES:
        home = tempfile.mkdtemp(prefix="meshy-i18n-")
        fresh(home)
        test = getattr(bad, name)
        params = inspect.signature(test).parameters
        kwargs = {k: v for k, v in {"emu": RemoteEmulator(), "tmp_path": Path(home)}.items()
                  if k in params}
        start = len(said)
        try:
            test(**kwargs)
        except Exception as exc:  # a bad-input test whose own checks fail in this language: say which
            errors[name] = f"FAILED {type(exc).__name__}: {exc}"
            continue
        errors[name] = said[start] if len(said) > start else "NO SENTENCE"
    print("I18N " + json.dumps({"language": language, "reports": reports, "locale": bpy.app.translations.locale,
                                "labels": labels, "errors": errors, "tr_us": tr_cost()}, ensure_ascii=False),
          flush=True)


def tr_cost() -> float:
    """Microseconds per ``tr()`` of an English sentence, its plan cached (what a redraw pays per label)."""
    ui = sys.modules[ADDON + ".i18n.ui"]
    texts = ["target_polycount must be between 100 and 300,000, not 50.", "Credits: 9,995", "Running 7%",
             "≈ 5 credits · 9,995 left", "Select a mesh object to remesh.", "Selection: Cube"]
    for text in texts:
        ui.tr(text)
    start = time.perf_counter()
    for _ in range(2000):
        for text in texts:
            ui.tr(text)
    return (time.perf_counter() - start) / (2000 * len(texts)) * 1e6


for language, reports in (("ja_JP", True), ("zh_HANS", True), ("en_US", True), ("ja_JP", False)):
    run(language, reports)
