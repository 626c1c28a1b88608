"""Translations (tier 1, no Blender): the .po files, the extraction tool and the sentence matcher.

- every message the code has is in ``i18n/meshy_tools.pot`` and translated in every ``i18n/*.po``,
  with the same placeholders; each failure says which messages and how to regenerate;
- ``i18n/po.py`` reads what it writes (escapes, contexts, several lines, flags);
- ``i18n/match.py``: exact messages first, then the most specific template, values translated in
  turn, English where nothing matches, and the English text itself, byte for byte, when the
  lookup has nothing;
- real sentences, made by the real code (request checks, HTTP errors, ``core.messages``, the
  view-models, the engine's notices), come out in Japanese and Chinese with no English sentence left.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from meshy_tools.i18n import CONTEXT, po
from meshy_tools.i18n.match import Matcher, split_stop

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "i18n"
LOCALES = ("ja_JP", "zh_HANS")  # the languages of the checks on the script (Japanese and Chinese characters)
ALL = tuple(sorted(p.stem for p in I18N.glob("*.po")))  # every language a translator added: complete, same placeholders
REGENERATE = ("run `.venv/bin/python tools/i18n_extract.py` (it rewrites i18n/meshy_tools.pot and adds the new "
              "messages to every i18n/*.po: empty, or a guess flagged fuzzy), then translate each empty msgstr "
              "and check each fuzzy one (then delete its fuzzy flag)")


def extractor():
    spec = importlib.util.spec_from_file_location("i18n_extract", ROOT / "tools" / "i18n_extract.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("i18n_extract", module)
    spec.loader.exec_module(module)
    return module


def catalog(locale: str) -> po.Catalog:
    return po.read(I18N / f"{locale}.po")


def lookup(locale: str):
    """What ``i18n.ui.tr`` reads: the default context's messages over the add-on context's labels."""
    entries = [e for e in catalog(locale).entries if e.translated]
    table = {e.msgid: e.msgstr for e in entries if e.msgctxt == CONTEXT}
    table.update({e.msgid: e.msgstr for e in entries if e.msgctxt is None})
    return table.get


def matcher() -> Matcher:
    return Matcher((e.msgid, e.template) for e in po.read(I18N / "meshy_tools.pot").entries
                   if e.msgctxt in (None, CONTEXT))


CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
#: Four English words in a row: a sentence (or most of one) left untranslated.
ENGLISH = re.compile(r"(?<![\w./{])(?:[A-Za-z][a-z']+ ){3}[A-Za-z][a-z']+(?![\w/])")
NAMES = ("Nano Banana", "GPT Image", "Meshy Tools", "Image to 3D", "Image to Image", "Text to 3D", "Text to Image",
         "Multi-Image to 3D")


def english_left(text: str) -> list[str]:
    for name in NAMES:
        text = text.replace(name, "_")
    return ENGLISH.findall(re.sub(r"https?://\S+|\S+@\S+", "_", text))


# ----------------------------------------------------------------- the files


def test_the_languages_are_there():
    assert set(LOCALES) <= set(ALL)


def test_the_pot_is_up_to_date_with_the_code():
    problems = extractor().outdated(po.Catalog({}, list(extractor().iter_messages())))
    pot_problems = [p for p in problems if p.startswith(("new in the code", "gone from the code"))]
    assert not pot_problems, ("i18n/meshy_tools.pot is behind the code:\n  " + "\n  ".join(pot_problems)
                              + f"\nTo fix it, {REGENERATE}.")


@pytest.mark.parametrize("locale", ALL)
def test_every_message_is_translated(locale):
    pot = po.read(I18N / "meshy_tools.pot")
    have = catalog(locale).by_key()
    missing = [e for e in pot.entries if e.key not in have or not have[e.key].translated]
    listed = "\n  ".join(f"{e.msgid!r}" + (f" (msgctxt {e.msgctxt})" if e.msgctxt else "") for e in missing[:40])
    assert not missing, (f"i18n/{locale}.po lacks {len(missing)} translation(s) (empty, fuzzy or not there):\n  "
                         f"{listed}\nTo fix it, {REGENERATE}.")
    extra = sorted(set(have) - {e.key for e in pot.entries})
    assert not extra, f"i18n/{locale}.po has messages the code no longer has: {extra[:10]}; {REGENERATE}."


@pytest.mark.parametrize("locale", ALL)
def test_no_placeholder_is_lost_or_added(locale):
    problems = po.placeholder_problems(catalog(locale).entries)
    assert not problems, f"i18n/{locale}.po: placeholders differ from the English:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_are_in_the_language(locale):
    """A msgstr copied from the msgid by mistake: every translation of a sentence has CJK in it."""
    copied = [e.msgid for e in catalog(locale).entries
              if e.translated and english_left(re.sub(r"\{\w*\}", "", e.msgid)) and not CJK.search(e.msgstr)]
    assert not copied, f"i18n/{locale}.po: still English: {copied[:10]}"


def test_the_pot_uses_the_operator_context_where_blender_does():
    pot = po.read(I18N / "meshy_tools.pot").by_key()
    assert ("Operator", "Remesh with Meshy") in pot  # bl_label: Blender looks it up in the "Operator" context
    assert ("Operator", "Import") in pot  # a literal layout.operator(text=...) too
    # the parameter table's names and choices, the kinds and the operation panels' titles: in the add-on's own
    # context, where Blender's catalog (its "Remesh" modifier: 重构网格) cannot win over Meshy's 重建网格
    assert (CONTEXT, "Remesh") in pot and (CONTEXT, "Target Polycount") in pot and (CONTEXT, "Triangles") in pot
    assert ("*", "Target Polycount") not in pot
    assert pot[("*", "{name} must be between {lo} and {hi}, not {value}")].template


# ----------------------------------------------------------------- po.py


def test_po_reads_what_it_writes():
    entries = [po.Entry('say "hi"\\ now', "「こんにちは」", None, (), ("a note",), ("x.py",)),
               po.Entry("Import", "インポート", "Operator"),
               po.Entry("{name} is {n}", "{name} は {n}", None, (po.BRACE,)),
               po.Entry("two\nlines", "二\n行", None, ("fuzzy",), (), (), ("mine",))]
    text = po.render(po.Catalog({"Language": "ja_JP"}, entries))
    back = po.parse(text)
    assert back.headers == {"Language": "ja_JP"}
    assert [(e.msgctxt, e.msgid, e.msgstr, e.flags, e.notes, e.comments) for e in back.entries] == \
        [(e.msgctxt, e.msgid, e.msgstr, e.flags, e.notes, e.comments) for e in entries]
    assert back.entries[1].key == ("Operator", "Import") and back.entries[0].key == ("*", entries[0].msgid)
    assert not back.entries[3].translated  # fuzzy: Blender is not given it


def test_po_refuses_what_it_cannot_read_with_the_line():
    with pytest.raises(po.POError, match=":3:"):
        po.parse('msgid "a"\nmsgstr "b"\nmsgid_plural "c"\n')
    with pytest.raises(po.POError, match="already given"):
        po.parse('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n')
    with pytest.raises(po.POError, match="unknown escape"):
        po.parse('msgid "a\\q"\nmsgstr ""\n')


def test_placeholder_check_names_what_changed():
    entries = [po.Entry("{name} must be {lo}", "{name} は {low}", None, (po.BRACE,), line=7),
               po.Entry("%s left", "残り", line=9), po.Entry("{'https': x}", "{'https': x}")]
    problems = po.placeholder_problems(entries)
    assert len(problems) == 2
    assert "line 7" in problems[0] and "{lo}" in problems[0] and "{low}" in problems[0]
    assert "%s" in problems[1]


# ----------------------------------------------------------------- match.py


def small() -> tuple[Matcher, dict[str, str]]:
    messages = [("Write a prompt", False), ("Kept: resumes later", False),
                ("{name} must be {type}, not {value}", True),
                ("{name} must be between {lo} and {hi}, not {value}", True),
                ("{message} The task may have been created: look in the Meshy history", True),
                ("Meshy did not answer within {seconds} seconds", True), ("Running {progress}%", True),
                ("{label}: {message}", True), ("Credits: {balance}", True)]
    table = {"Write a prompt": "プロンプトを入力してください", "Kept: resumes later": "保持：後で再開",
             "{name} must be {type}, not {value}": "{name} は {type} にしてください（{value} ではなく）",
             "{name} must be between {lo} and {hi}, not {value}": "{name} は {lo} から {hi} の範囲で指定してください"
                                                                  "（指定値: {value}）",
             "{message} The task may have been created: look in the Meshy history":
                 "{message}タスクが作成された可能性があります。Meshy の履歴を確認してください",
             "Meshy did not answer within {seconds} seconds": "Meshy が {seconds} 秒以内に応答しませんでした",
             "Running {progress}%": "実行中 {progress}%", "{label}: {message}": "{label}：{message}",
             "Credits: {balance}": "クレジット: {balance}"}
    return Matcher(messages), table


def test_exact_first_then_the_most_specific_template():
    m, table = small()
    assert m.translate("Write a prompt", table.get) == "プロンプトを入力してください"
    out = m.translate("target_polycount must be between 100 and 300,000, not 50.", table.get)
    assert out == "target_polycount は 100 から 300,000 の範囲で指定してください（指定値: 50）。"
    assert m.translate("Credits: 1,234", table.get) == "クレジット: 1,234"


def test_values_that_are_messages_are_translated_too():
    m, table = small()
    text = "Meshy did not answer within 60 seconds. The task may have been created: look in the Meshy history."
    assert m.translate(text, table.get) == ("Meshy が 60 秒以内に応答しませんでした。"
                                            "タスクが作成された可能性があります。Meshy の履歴を確認してください。")


def test_pieces_are_tried_alone_when_nothing_matches_the_whole():
    m, table = small()
    assert m.translate("Chair: Kept: resumes later", table.get) == "Chair: 保持：後で再開"
    assert m.translate("Write a prompt. Something else entirely.", table.get) == \
        "プロンプトを入力してください。Something else entirely."


def test_english_stays_english_byte_for_byte():
    m, table = small()
    for text in ("Nothing like any message", "  Write a prompt.  ", "Credits: 1,234", "Chair: Kept: resumes later",
                 "x must be between 1 and 2, not 3."):
        assert m.translate(text, lambda msgid: None) == text
        assert m.translate(text, {}.get) == text
    assert m.translate("Nothing like any message", table.get) == "Nothing like any message"


def test_a_broken_translation_shows_english_not_a_traceback():
    m = Matcher([("Running {progress}%", True)])
    assert m.translate("Running 5%", {"Running {progress}%": "実行中 {percent}%"}.get) == "Running 5%"


def test_a_template_without_words_is_not_matched():
    m = Matcher([("{label}: {message}", True), ("{seconds}s", True)])
    assert m.by_word == {} and m.loose == []
    assert m.find("Remesh tasks") is None


def test_whitespace_and_the_full_stop_are_kept():
    lead, core, stop, trail = split_stop("  Write a prompt. ")
    assert (lead, core, stop, trail) == ("  ", "Write a prompt", True, " ")
    m, table = small()
    assert m.translate("  Write a prompt. ", table.get) == "  プロンプトを入力してください。 "


# ----------------------------------------------------------------- real sentences


def real_sentences() -> list[str]:
    """Sentences the code makes for bad inputs, faults of the network and service, and the sidebar."""
    from meshy_tools.client import checks, errors, models, notices
    from meshy_tools.client.models import ImageTo3DRequest, ImageToImageRequest, RemeshRequest, RetextureRequest
    from meshy_tools.core import messages
    from meshy_tools.core.errors import UserError
    from meshy_tools.core.settings import Settings
    from meshy_tools.core.states import JobState
    from meshy_tools.core.views import account, operations, tasks
    from meshy_tools.service.tasks import TaskEntry

    out: list[str] = []

    def refused(call) -> None:
        try:
            call()
        except errors.MeshyError as exc:
            out.append(exc.message)
            out.append(messages.explain(exc, "preparing the remesh task"))
        else:
            raise AssertionError(f"{call} was not refused")

    for request in (RemeshRequest(model_url="https://x/a.glb", target_polycount=50),
                    RemeshRequest(model_url="https://x/a.glb", decimation_mode=7),
                    RemeshRequest(model_url="https://x/a.glb", topology="hex"),
                    RemeshRequest(model_url="https://x/a.glb", auto_size=True, resize_height=2.0),
                    RemeshRequest(model_url="https://x/a.txt"), RemeshRequest(),
                    RemeshRequest(input_task_id="a b"), RemeshRequest(input_task_id=".."),
                    RemeshRequest(model_url="https://x/a.glb", target_formats=["gif"]),
                    RemeshRequest(model_url="https://x/a.glb", target_polycount="many"),
                    RetextureRequest(model_url="https://x/a.glb", text_style_prompt="a" * 601),
                    RetextureRequest(model_url="https://x/a.glb", text_style_prompt="  "),
                    RetextureRequest(model_url="https://x/a.glb"),
                    RetextureRequest(model_url="https://x/a.glb", text_style_prompt="wood\x00"),
                    ImageTo3DRequest(image_url="https://x/a.png", should_texture=False, enable_pbr=True),
                    ImageTo3DRequest(image_url="data:text/plain;base64,eA=="), ImageTo3DRequest(),
                    ImageTo3DRequest(image_url="https://x/a.png", symmetry_mode="maybe"),
                    ImageToImageRequest(ai_model="nano-banana", prompt="x", reference_image_urls=[]),
                    ImageToImageRequest(ai_model="nano-banana"),
                    ImageToImageRequest(ai_model="dall-e", prompt="x")):
        refused(request.validate)
    for url in ("", "ftp://x", "http://example.com", "https://u:p@x", "https://x/?q", "not a url"):
        refused(lambda url=url: checks.check_base_url(url))
    refused(lambda: checks.check_api_key("has space"))
    refused(lambda: models.Kind.parse("text-to-4d"))
    refused(lambda: checks.check_proxies({"https": "nonsense"}))
    for status in (400, 401, 402, 403, 404, 422, 429, 500, 418):
        exc = errors.error_for_status(status, "Server said no")
        out += [exc.message, messages.explain(exc)]
    out.append(messages.explain(errors.error_for_status(429, "NoMoreConcurrentTasks")))
    out.append(messages.explain(errors.ConnectionFailedError("Could not connect to Meshy at api.meshy.ai, so check "
                                                             "the network connection")))
    out.append(messages.explain(errors.RequestTimeoutError("Meshy did not answer within 60 seconds")))
    out.append(messages.explain(errors.RequestTimeoutError("Meshy did not answer within 60 seconds after the request "
                                                           "was sent, so the task may or may not have been created",
                                                           maybe_sent=True)))
    out.append(messages.explain(UserError("Select a mesh object to remesh")))
    out.append(messages.explain(RuntimeError("boom"), "importing the result"))
    out.append(messages.explain(RuntimeError("boom")))
    for text in ("Meshy rejected the API key", "not enough credits", "the queue is full", "online access is off",
                 "could not connect", "something else", "expired on Meshy", "see the console"):
        out.append(messages.advice(text))
    out += [messages.top_up_hint(12, 30), messages.top_up_hint(None, 30), messages.STOPPED_WAITING, messages.KEPT]
    out += [notices.looking("Meshy did not answer within 60 seconds"), notices.looking(""),
            notices.reconnecting("Meshy's progress stream ended before the task did"),
            notices.download_kept("the connection failed"), notices.IN_DOUBT, notices.NOT_CREATED, notices.CLOSED]
    for key, status, online, balance in (("", "", True, None), ("k", "rejected", True, 3), ("k", "works", True, 1234),
                                         ("k", "", False, None), ("k", "", True, None)):
        view = account.account_view(key, False, online, status, balance, False, "")
        out += [view.key_text, view.balance_text, *(n for n, _ in view.notes)]
    settings = Settings(api_key="msy_x", base_url="http://127.0.0.1:9", max_in_flight=10,
                        download_dir=Path("/tmp/dl"), user_dir=Path("/tmp/u"))
    for kind, values, meshes, balance in (("remesh", {}, 3, 12), ("retexture", {}, 1, None),
                                          ("image-to-3d", {}, 0, 100), ("image-to-image", {"prompt": "x"}, 0, 5)):
        view = operations.run_view(kind, values, selected_meshes=meshes, settings=settings, online=True,
                                   balance=balance)
        out += [view.cost_text, view.blocker, view.top_up] if view.blocker or view.top_up else [view.cost_text]
    out += [operations.selection_text([]), operations.selection_text(["Chair", "Table", "Lamp"])]
    for state, status, ahead, message in ((JobState.QUEUED, "", None, ""), (JobState.FOLLOWING, "PENDING", 3, ""),
                                          (JobState.FOLLOWING, "IN_PROGRESS", None, ""),
                                          (JobState.WAITING, "", None, "Meshy's task queue is full; this task will "
                                                                       "start by itself."),
                                          (JobState.SUSPENDED, "", None, ""), (JobState.IN_DOUBT, "", None, "")):
        out.append(tasks.status_text(TaskEntry("j", "remesh", "Chair", state=state, status=status, progress=40,
                                               preceding_tasks=ahead, message=message)))
    return [s for s in out if s]


@pytest.mark.parametrize("locale", LOCALES)
def test_real_sentences_come_out_translated(locale):
    m, find = matcher(), lookup(locale)
    left = {}
    for text in real_sentences():
        out = m.translate(text, find)
        if out == text or not CJK.search(out) or english_left(out):
            left[text] = out
    assert not left, f"{locale}: {len(left)} sentence(s) not (fully) translated:\n" + "\n".join(
        f"  {k!r}\n    -> {v!r}" for k, v in list(left.items())[:20])


def test_real_sentences_stay_english_without_a_translation():
    m = matcher()
    for text in real_sentences():
        assert m.translate(text, lambda msgid: None) == text


# ----------------------------------------------------------------- the extraction tool


def extract_from(source: str, module: str = "client/x.py", ui: bool = False) -> dict[tuple[str, str], bool]:
    import ast

    tool = extractor()
    messages = tool.Messages()
    tree = ast.parse(source)
    tool.Walker(tool.Scope({module: tree}), module, messages, ui).run(tree)
    return {key: m.template for key, m in messages.items.items()}


def test_an_f_string_becomes_a_template_and_constants_are_written_in():
    found = extract_from('''
KEPT = "the task is kept"
TITLES = {"remesh": "Remesh", "retexture": "Retexture"}

def check(name, lo, hi, value, kind, server):
    detail = f": {server}" if server else ""
    raise ValidationError(f"{name} must be between {lo:,} and {hi:,}, not {value!r}", name)
    raise UserError(f"Stopped; {KEPT}.")
    raise UserError(f"Run {TITLES[kind]}")
    raise ApiError(f"Meshy rejected the request{detail}")
    log.info("never a message %s", name)
''')
    assert found[("*", "{name} must be between {lo} and {hi}, not {value}")] is True
    assert found[("*", "Stopped; the task is kept.")] is False  # a constant written in: an exact message
    assert ("*", "Run Remesh") in found and ("*", "Run Retexture") in found  # a table's rows, one message each
    assert ("*", "Meshy rejected the request: {server}") in found and ("*", "Meshy rejected the request") in found
    assert not any("never a message" in msgid for _, msgid in found)


def test_labels_get_the_context_blender_looks_them_up_in():
    found = extract_from('''
class MESHY_OT_x(bpy.types.Operator):
    """Do x"""
    bl_idname = "meshy.x"
    bl_label = "Do X"
    kind: EnumProperty(name="Kind", items=[("A", "Any", "Every kind")], translation_context=CONTEXT)

def draw(layout):
    layout.operator("meshy.x", text="Go")
    layout.operator("meshy.x", text=tr(f"Go {name}"))
    layout.label(text="Plain")
''', module="operators/x.py", ui=True)
    assert ("Operator", "Do X") in found and ("*", "Do x") in found  # label in "Operator", tooltip default
    assert (CONTEXT, "Kind") in found and (CONTEXT, "Any") in found and ("*", "Every kind") in found
    assert ("Operator", "Go") in found  # a literal button text: Blender looks it up in "Operator"
    assert found[("*", "Go {name}")] is True and ("*", "Plain") in found


def test_merge_keeps_translations_guesses_moved_ones_and_keeps_gone_ones():
    tool = extractor()
    pot = po.Catalog({}, [po.Entry("Remesh", msgctxt=CONTEXT), po.Entry("Select at least one mesh object to remesh"),
                          po.Entry("Brand new")])
    old = po.Catalog({}, [po.Entry("Remesh", "重建网格"), po.Entry("Select a mesh object to remesh", "请选择网格"),
                          po.Entry("Gone now", "已删除")])
    merged, gone = tool.merge(pot, old, "zh_HANS")
    by = {e.msgid: e for e in merged.entries}
    assert by["Remesh"].msgstr == "重建网格" and by["Remesh"].fuzzy  # moved to another context: a guess
    near = by["Select at least one mesh object to remesh"]
    assert near.msgstr == "请选择网格" and near.fuzzy  # one word changed: the old words, to check
    assert by["Brand new"].msgstr == "" and not by["Brand new"].fuzzy
    assert [e.msgid for e in gone] == ["Gone now"]
    text = tool.render_with_obsolete(merged, gone)
    assert '#~ msgid "Gone now"' in text and "Gone now" not in {e.msgid for e in po.parse(text).entries}
