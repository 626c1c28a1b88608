"""The five kinds beyond the seeds, below the network: the kind table, request models, prices, task results,
output plans, the doubt rules' echo and stage checks, and the Animation Library.

Each broken rule is also a row of ``test_client_models.RULES`` (checked locally there and against the
emulator in ``test_client_emulator.py``); the emulator's end-to-end runs are ``test_client_kinds.py``.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest
from PIL import Image

from client import (
    AnimationRequest,
    FileInput,
    Kind,
    MeshyClient,
    MultiImageTo3DRequest,
    RiggingRequest,
    Task,
    TextTo3DPreviewRequest,
    TextTo3DRefineRequest,
    TextTo3DRequest,
    TextToImageRequest,
    ValidationError,
    animation_library,
    catalog,
    estimate_credits,
    request_from_dict,
)
from client.journal import JobState, Journal
from client.kinds import SPECS, kind_of_type, type_fits
from client.models import REQUEST_NAMES, REQUEST_TYPES, post_process, request_type, task_type_of
from client.reconcile import echo_matches, resolve_creating
from client.results import NoResult, download_outputs, plan_outputs
from tests.hostile_server import HostileServer
from tests.test_client_models import BASES, broken_payload

NEW = ("text-to-3d-preview", "text-to-3d-refine", "multi-image-to-3d", "text-to-image", "rigging", "animations")
KEY = "msy_kinds_test_key_0123456789abcdef"


def one_sentence(exc: BaseException) -> str:
    msg = str(exc)
    assert msg.endswith(".") and "\n" not in msg and len(msg) < 300, msg
    return msg


# ----------------------------------------------------------------- the kind table


def test_every_kind_knows_its_path_in_one_place() -> None:
    assert Kind.TEXT_TO_3D.path == "/openapi/v2/text-to-3d"
    assert Kind.ANIMATION.value == "animations" and Kind.ANIMATION.path == "/openapi/v1/animations"
    assert {k.path for k in Kind} == {f"/openapi/{'v2' if k is Kind.TEXT_TO_3D else 'v1'}/{k.value}" for k in Kind}
    assert set(SPECS) == set(Kind) and set(REQUEST_TYPES) == set(Kind)
    assert [k for k in Kind if not k.listable] == [Kind.RIGGING, Kind.ANIMATION]  # no list documented
    client = MeshyClient(KEY, "http://127.0.0.1:9")
    assert client._task_url(Kind.TEXT_TO_3D, "a/b?c", "stream") == \
        "http://127.0.0.1:9/openapi/v2/text-to-3d/a%2Fb%3Fc/stream"  # ids stay one encoded segment
    assert client._kind_url(Kind.RIGGING) == "http://127.0.0.1:9/openapi/v1/rigging"


def test_task_types_name_their_kind_and_stage() -> None:
    assert kind_of_type("text-to-3d-refine") is Kind.TEXT_TO_3D and kind_of_type("rig") is None
    assert kind_of_type("animations") is Kind.ANIMATION and kind_of_type(None) is None
    assert type_fits("text-to-3d", "text-to-3d-refine", "text-to-3d-refine")
    assert not type_fits("text-to-3d", "text-to-3d-preview", "text-to-3d-refine")  # a refine never adopts a preview
    assert not type_fits("text-to-image", "image-to-image")  # another kind's documented type
    assert type_fits("rigging", "rig") and type_fits("animations", "anything")  # types not documented: no proof
    assert type_fits("remesh", None) and type_fits("remesh", "")
    assert task_type_of("text-to-3d", {"mode": "refine"}) == "text-to-3d-refine"
    assert task_type_of("text-to-3d", {"prompt": "x"}) == "text-to-3d-preview"
    assert task_type_of("text-to-3d", {"mode": 5}) is None and task_type_of("remesh", None) is None


@pytest.mark.parametrize("kind", [Kind.RIGGING, Kind.ANIMATION])
def test_listing_a_kind_without_a_list_is_refused_before_any_call(kind: Kind) -> None:
    with HostileServer(lambda conn: conn.respond_json([], 200)) as server:
        client = MeshyClient(KEY, server.base_url)
        for call in (lambda: client.list_page(kind), lambda: client.list(kind)):
            with pytest.raises(ValidationError) as info:
                call()
            assert "no list" in one_sentence(info.value) and info.value.maybe_sent is False
        assert server.requests == []


# ----------------------------------------------------------------- requests


def test_request_names_and_the_text_to_3d_stages() -> None:
    assert set(REQUEST_NAMES) == {k.value for k in Kind} | {"text-to-3d-preview", "text-to-3d-refine"}
    assert request_type("text-to-3d-refine") is TextTo3DRefineRequest and request_type(Kind.RIGGING) is RiggingRequest
    preview = request_from_dict("text-to-3d", {"prompt": "a cup"})  # no mode: a preview
    assert isinstance(preview, TextTo3DPreviewRequest) and preview.to_payload() == {"mode": "preview",
                                                                                   "prompt": "a cup"}
    refine = request_from_dict(Kind.TEXT_TO_3D, {"mode": "refine", "preview_task_id": "p1"})
    assert isinstance(refine, TextTo3DRefineRequest) and isinstance(refine, TextTo3DRequest)
    assert TextTo3DRefineRequest.request_name() == "text-to-3d-refine" == TextTo3DRefineRequest.TASK_TYPE
    with pytest.raises(ValidationError, match="mode must be 'preview' or 'refine'"):
        request_from_dict("text-to-3d", {"mode": "draft"})
    with pytest.raises(ValidationError, match="preview_task_id is not a parameter of text-to-3d-preview"):
        request_from_dict("text-to-3d-preview", {"prompt": "a", "preview_task_id": "p"})
    with pytest.raises(ValidationError, match="not a Meshy request"):
        request_type("text-to-4d")
    with pytest.raises(ValidationError, match="TextTo3DPreviewRequest or a TextTo3DRefineRequest"):
        TextTo3DRequest().validate()


def test_every_documented_parameter_of_the_new_kinds_exists() -> None:
    def names(cls: type) -> set[str]:
        return {f.name for f in dataclasses.fields(cls)}

    assert names(TextTo3DPreviewRequest) == {
        "mode", "prompt", "model_type", "ai_model", "topology", "target_polycount", "should_remesh", "pose_mode",
        "decimation_mode", "moderation", "target_formats", "auto_size", "origin_at"}
    assert names(TextTo3DRefineRequest) == {
        "mode", "preview_task_id", "enable_pbr", "texture_prompt", "texture_image_url", "ai_model", "hd_texture",
        "remove_lighting", "moderation", "target_formats", "auto_size", "origin_at"}
    i23 = names(REQUEST_TYPES[Kind.IMAGE_TO_3D]) - {"image_url"}
    assert names(MultiImageTo3DRequest) == i23 | {"image_urls", "multi_view_thumbnails"}
    assert names(TextToImageRequest) == {"ai_model", "prompt", "generate_multi_view", "multi_view_thumbnails",
                                         "alpha_thumbnail", "pose_mode", "aspect_ratio"}
    assert names(RiggingRequest) == {"input_task_id", "model_url", "height_meters", "texture_image_url"}
    assert names(AnimationRequest) == {"rig_task_id", "action_id", "post_process"}
    for cls in (MultiImageTo3DRequest, TextToImageRequest, RiggingRequest, AnimationRequest):
        assert all(getattr(cls(), f.name) is None for f in dataclasses.fields(cls))  # not set, not sent


@pytest.mark.parametrize("name", NEW)
def test_base_payloads_survive_the_journal(name: str) -> None:
    req = request_from_dict(name, broken_payload(name, {}))
    req.validate()
    back = request_from_dict(req.KIND, json.loads(json.dumps(req.to_dict())))  # the journal keeps the kind only
    assert back == req and type(back) is type(req)


def test_options_are_checked_before_the_inputs_exist() -> None:
    """``require_input=False``: what the caller gathers later (images, model, the task to chain on) may be missing,
    every option is checked, so a bad one costs no export or upload."""
    for req in (TextTo3DRefineRequest(enable_pbr=True), MultiImageTo3DRequest(should_texture=False),
                RiggingRequest(height_meters=1.8), AnimationRequest(action_id=0)):
        req.validate(require_input=False)
        with pytest.raises(ValidationError):
            req.validate()  # ... but a run needs them
    TextToImageRequest(ai_model="gpt-image-2", prompt="x", aspect_ratio="3:2").validate()  # words are no input
    bad = [(TextTo3DRefineRequest(ai_model="meshy-4"), "ai_model"), (RiggingRequest(height_meters=0), "height_meters"),
           (MultiImageTo3DRequest(target_polycount=10), "target_polycount"), (AnimationRequest(), "action_id"),
           (TextTo3DPreviewRequest(), "prompt"), (TextToImageRequest(prompt="x"), "ai_model"),
           (AnimationRequest(action_id=1, post_process={"operation_type": "change_fps", "fps": 48}),
            "post_process.fps")]
    for req, param in bad:
        with pytest.raises(ValidationError) as info:
            req.validate(require_input=False)
        assert info.value.param == param, one_sentence(info.value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_nan_and_infinities_are_refused(value: float) -> None:
    for req, param in [(RiggingRequest(input_task_id="t", height_meters=value), "height_meters"),
                       (AnimationRequest(rig_task_id="r", action_id=value), "action_id"),  # type: ignore[arg-type]
                       (AnimationRequest(rig_task_id="r", action_id=1,
                                         post_process={"operation_type": "change_fps", "fps": value}),
                        "post_process.fps"),
                       (TextTo3DPreviewRequest(prompt="p", target_polycount=value), "target_polycount")]:  # type: ignore
        with pytest.raises(ValidationError) as info:
            req.validate()
        assert info.value.param == param and param.split(".")[-1] in one_sentence(info.value)


def _text_fields() -> list[tuple[str, str]]:
    return [(name, f.name) for name in NEW for f in dataclasses.fields(REQUEST_NAMES[name])
            if "str" in str(f.type) and "list" not in str(f.type)]


@pytest.mark.parametrize("bad", ["a\x00b", "half \ud83d of a pair", "bell\x07"], ids=["nul", "surrogate", "control"])
@pytest.mark.parametrize(("name", "field"), _text_fields(), ids=[f"{n}.{f}" for n, f in _text_fields()])
def test_nul_controls_and_lone_surrogates_are_refused_in_every_text_field(name: str, field: str, bad: str) -> None:
    value = f"https://x.example/{bad}.png" if field.endswith("url") else bad
    if field == "model_url":
        value = f"https://x.example/{bad}.glb"
    payload = {**broken_payload(name, {}), field: value}
    with pytest.raises(ValidationError) as info:
        request_from_dict(name, payload).validate()
    assert field in one_sentence(info.value)


def test_image_lists_check_every_item_and_input_task_id_may_replace_them() -> None:
    MultiImageTo3DRequest(input_task_id="t2i-1").validate()
    MultiImageTo3DRequest(input_task_id="t2i-1", image_urls=["https://x/a.png"]).validate()  # the id wins, as for i23
    with pytest.raises(ValidationError, match=r"image_urls\[2\]"):
        MultiImageTo3DRequest(image_urls=["https://x/a.png", "https://x/b.jpg", "https://x/a b.png"]).validate()


def test_rigging_takes_a_glb_and_a_png_only(tmp_path: Path) -> None:
    import trimesh

    glb = tmp_path / "hero.glb"
    glb.write_bytes(trimesh.creation.box().export(file_type="glb"))
    RiggingRequest(model_url=FileInput.model(glb), height_meters=2).validate()
    fake = tmp_path / "fake.glb"
    fake.write_bytes(b"solid not a glb at all")
    obj = tmp_path / "hero.obj"
    obj.write_text("v 0 0 0\n")
    for model, words in [(FileInput.model(fake), "not a GLB"), (FileInput.model(obj), ".glb file")]:
        with pytest.raises(ValidationError, match=words):
            RiggingRequest(model_url=model).validate()
    jpeg = tmp_path / "skin.jpg"
    Image.new("RGB", (8, 8), (200, 10, 10)).save(jpeg)
    with pytest.raises(ValidationError, match="texture_image_url must be a PNG"):
        RiggingRequest(input_task_id="t", texture_image_url=FileInput.image(jpeg)).validate()
    as_png = FileInput.image(jpeg, png=True)  # what the layers above send instead
    assert as_png.mime == "image/png" and Image.open(as_png.path).format == "PNG"
    RiggingRequest(input_task_id="t", texture_image_url=as_png).validate()
    RiggingRequest(input_task_id="t", texture_image_url="https://x/skin").validate()  # no extension: Meshy checks


def test_post_process_is_built_as_the_api_spells_it() -> None:
    assert post_process(None) is None and post_process("fbx2usdz") == {"operation_type": "fbx2usdz"}
    req = AnimationRequest(rig_task_id="r", action_id=92, post_process=post_process("change_fps", 30))
    req.validate()
    assert req.to_payload() == {"rig_task_id": "r", "action_id": 92,
                                "post_process": {"operation_type": "change_fps", "fps": 30}}


def test_a_wrong_request_class_names_the_right_ones() -> None:
    client = MeshyClient(KEY, "http://127.0.0.1:9")
    with pytest.raises(ValidationError, match="use TextTo3DPreviewRequest or TextTo3DRefineRequest"):
        client.create(Kind.TEXT_TO_3D, RiggingRequest(input_task_id="t"))
    with pytest.raises(ValidationError, match="use AnimationRequest"):
        client.create(Kind.ANIMATION, TextTo3DPreviewRequest(prompt="p"))


# ----------------------------------------------------------------- models and prices


def test_model_ids_are_data_in_one_place() -> None:
    assert catalog.DEFAULT_MESH_MODEL == catalog.MESH_MODELS[0].id == "latest"
    assert catalog.ids(catalog.TEXT_IMAGE_MODELS) == catalog.ids(catalog.IMAGE_MODELS) == tuple(catalog.ASPECT_RATIOS)
    assert [m.credits for m in catalog.TEXT_IMAGE_MODELS] == [3, 6, 9, 9]
    assert [m.credits for m in catalog.IMAGE_MODELS] == [3, 6, 9, 12]
    assert catalog.find(catalog.TEXT_IMAGE_MODELS, "gpt-image-2").note == "9 credits per image"


@pytest.mark.parametrize(("kind", "request_", "credits"), [
    ("text-to-3d", TextTo3DPreviewRequest(prompt="p"), 20),
    ("text-to-3d", TextTo3DPreviewRequest(prompt="p", ai_model="meshy-6"), 20),
    ("text-to-3d", TextTo3DPreviewRequest(prompt="p", ai_model="meshy-5"), 5),
    ("text-to-3d", TextTo3DPreviewRequest(prompt="p", ai_model="meshy-5", model_type="lowpoly"), 20),
    ("text-to-3d", {"mode": "preview", "prompt": "p", "ai_model": "meshy-5"}, 5),
    ("text-to-3d", TextTo3DRefineRequest(preview_task_id="p", ai_model="meshy-5"), 10),
    ("text-to-3d", {"mode": "refine"}, 10),
    ("multi-image-to-3d", MultiImageTo3DRequest(), 30),
    ("multi-image-to-3d", MultiImageTo3DRequest(should_texture=False), 20),
    ("multi-image-to-3d", MultiImageTo3DRequest(ai_model="meshy-5"), 15),
    ("multi-image-to-3d", MultiImageTo3DRequest(ai_model="meshy-5", should_texture=False), 5),
    ("text-to-image", TextToImageRequest(ai_model="nano-banana"), 3),
    ("text-to-image", TextToImageRequest(ai_model="nano-banana-2"), 6),
    ("text-to-image", TextToImageRequest(ai_model="nano-banana-pro"), 9),
    ("text-to-image", TextToImageRequest(ai_model="gpt-image-2"), 9),
    ("image-to-image", {"ai_model": "gpt-image-2"}, 12),
    ("text-to-image", TextToImageRequest(ai_model="nano-banana-2", generate_multi_view=True), 18),
    ("text-to-image", TextToImageRequest(ai_model="future-model"), 9),  # unknown: the highest price
    ("rigging", RiggingRequest(), 5),
    ("animations", AnimationRequest(action_id=1), 3),
])
def test_estimated_credits(kind: str, request_, credits: int) -> None:
    assert estimate_credits(kind, request_) == credits


# ----------------------------------------------------------------- task results


RIG_RESULT = {"rigged_character_glb_url": "https://a/r.glb", "rigged_character_fbx_url": "https://a/r.fbx",
              "basic_animations": {"walking_glb_url": "https://a/w.glb", "walking_fbx_url": "https://a/w.fbx",
                                   "walking_armature_glb_url": "https://a/wa.glb", "running_glb_url": "https://a/r2.glb",
                                   "running_fbx_url": "https://a/r2.fbx", "running_armature_glb_url": "https://a/ra.glb"}}
ANIMATION_RESULT = {"animation_glb_url": "https://a/an.glb", "animation_fbx_url": "https://a/an.fbx",
                    "processed_animation_fps_fbx_url": "https://a/fps.fbx"}


@pytest.mark.parametrize("nesting", ["result", "top"])
def test_rigging_and_animation_results_are_read_under_result_or_at_the_top(nesting: str) -> None:
    def task(fields: dict) -> Task:
        body = {"result": fields} if nesting == "result" else dict(fields)
        return Task.from_json({"id": "t", "type": "rig", "status": "SUCCEEDED", **body})

    rig = task(RIG_RESULT)
    assert rig.rigged_character_glb_url == "https://a/r.glb" and rig.rigged_character_fbx_url == "https://a/r.fbx"
    assert rig.basic_animations == RIG_RESULT["basic_animations"]
    assert rig.result_url("running_armature_glb_url") == "https://a/ra.glb"
    anim = task(ANIMATION_RESULT)
    assert anim.animation_glb_url == "https://a/an.glb" and anim.processed_animation_fps_fbx_url == "https://a/fps.fbx"
    assert anim.processed_usdz_url is None and anim.result_url("processed_usdz_url") is None


def test_result_fields_of_the_wrong_shape_are_ignored() -> None:
    t = Task.from_json({"id": "t", "result": "abc", "basic_animations": ["x"], "animation_glb_url": 5,
                        "rigged_character_glb_url": "", "thumbnail_urls": {"front": "https://a/f.png", "back": 3}})
    assert t.basic_animations == {} and t.animation_glb_url is None and t.rigged_character_glb_url is None
    assert t.thumbnail_urls == {"front": "https://a/f.png"}
    assert Task.from_json({"id": "t", "thumbnail_urls": ["https://a/0.png", None]}).thumbnail_urls == {
        "0": "https://a/0.png"}
    mixed = Task.from_json({"id": "t", "result": {"rigged_character_glb_url": "https://a/in.glb"},
                            "rigged_character_glb_url": "https://a/top.glb"})
    assert mixed.rigged_character_glb_url == "https://a/in.glb"  # documented place first


def test_output_plans_use_our_names_never_the_servers() -> None:
    rig = Task.from_json({"id": "r", "status": "SUCCEEDED", "result": RIG_RESULT})
    plan = {o.name: o.filename for o in plan_outputs(rig, ("rig", "rig_fbx", "clips", "clips_fbx", "clips_armature"))}
    assert plan == {"character": "character.glb", "character_fbx": "character.fbx", "walking": "walking.glb",
                    "running": "running.glb", "walking_fbx": "walking.fbx", "running_fbx": "running.fbx",
                    "walking_armature": "walking_armature.glb", "running_armature": "running_armature.glb"}
    anim = Task.from_json({"id": "a", "status": "SUCCEEDED", **ANIMATION_RESULT})
    assert [o.filename for o in plan_outputs(anim, ("animation", "animation_fbx", "processed"))] == [
        "animation.glb", "animation.fbx", "processed_fps.fbx"]
    image = Task.from_json({"id": "i", "image_urls": ["https://a/x.jpg?sig=1"], "alpha_thumbnail_url": "https://a/t",
                            "thumbnail_urls": {"front": "https://a/f.png", "../../evil": "https://a/e.png",
                                               "task": "https://a/t.png"}})
    names = {o.name: o.filename for o in plan_outputs(image, ("images", "alpha_thumbnail", "thumbnails"))}
    assert names == {"image_0": "image_0.jpg", "alpha_thumbnail": "alpha_thumbnail.png",
                     "thumbnail_front": "thumbnail_front.png", "thumbnail_task": "thumbnail_task.png"}


@pytest.mark.parametrize(("outputs", "sentence"), [(("rig", "clips"), "no rigged character"),
                                                   (("animation",), "no animation")])
def test_a_finished_task_without_its_main_file_fails_with_a_sentence(tmp_path, outputs, sentence) -> None:
    task = Task.from_json({"id": "t", "status": "SUCCEEDED", "result": {"basic_animations": {}}})
    with pytest.raises(NoResult, match=sentence):
        download_outputs(None, tmp_path, task, outputs, lambda pick: lambda: "")


# ----------------------------------------------------------------- doubt: echoes and stages


def test_echoes_of_the_new_kinds_prove_or_disprove_a_candidate() -> None:
    assert echo_matches({"action_id": 5, "rig_task_id": "r1"}, {"action_id": 5, "rig_task_id": "r1"})
    assert echo_matches({"action_id": "5"}, {"action_id": 5})
    assert not echo_matches({"action_id": 6}, {"action_id": 5})
    assert not echo_matches({"action_id": True}, {"action_id": 1})
    assert not echo_matches({"preview_task_id": "p2"}, {"mode": "refine", "preview_task_id": "p1"})
    assert not echo_matches({"prompt": "a cat"}, {"mode": "preview", "prompt": "a dog"})
    assert echo_matches({"prompt": "the preview's prompt"}, {"mode": "refine", "preview_task_id": "p1"})  # not sent


@pytest.mark.parametrize("kind", ["rigging", "animations"])
def test_an_interrupted_create_of_a_kind_without_a_list_is_left_to_the_user(tmp_path, kind: str) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    journal.record("job1", JobState.CREATING, kind=kind, request={"rig_task_id": "r", "action_id": 1})
    with HostileServer(lambda conn: conn.respond_json([], 200)) as server:
        outcome = resolve_creating(MeshyClient(KEY, server.base_url), journal)
        assert server.requests == []  # nothing to list: nothing asked
    assert outcome == {"job1": JobState.UNRESOLVED}
    record = journal.jobs()["job1"]
    assert record["state"] == JobState.UNRESOLVED and "Meshy history" in record["message"]


# ----------------------------------------------------------------- the Animation Library


def test_the_library_ships_named_categorised_and_marked() -> None:
    actions = animation_library.actions()
    assert len(actions) > 300 and len({a.id for a in actions}) == len(actions)
    assert {a.id for a in actions if a.confirmed} == set(range(19)) | {92}
    assert len({a.name.lower() for a in actions}) == len(actions)  # a name finds one action
    walking = animation_library.action(1)
    assert (walking.name, walking.category, walking.subcategory, walking.label) == (
        "Walking_Woman", "WalkAndRun", "Walking", "Walking Woman")
    cats = animation_library.categories()
    assert set(cats) == {"DailyActions", "WalkAndRun", "BodyMovements", "Fighting", "Dancing"}
    assert "Running" in cats["WalkAndRun"] and all(a.category and a.subcategory for a in actions)


def test_the_library_is_found_by_name_as_people_write_it() -> None:
    for text in ("Walking_Woman", "walking woman", "WALKING-woman", " walking_woman ", "1"):
        assert animation_library.find(text).id == 1
    assert animation_library.find("Double Combo Attack").id == 92
    assert animation_library.find("moonwalk") is None and animation_library.find(3) is None  # type: ignore[arg-type]
    assert animation_library.resolve("double combo attack") == 92 and animation_library.resolve(700) == 700
    assert animation_library.resolve("650") == 650  # an id this copy does not name is still an id
    assert [a.id for a in animation_library.search("run fast")][:1] == [16]
    with pytest.raises(ValidationError) as info:
        animation_library.resolve("boom")
    assert "did you mean Boom_Dance?" in one_sentence(info.value) and info.value.param == "action_id"
    with pytest.raises(ValidationError) as info:
        animation_library.resolve("xyzzy")
    assert one_sentence(info.value).endswith("give its action id instead.")


def test_the_library_agrees_with_the_emulators_copy() -> None:
    """Two copies from one source (the emulator never imports the add-on): every id both name is one name."""
    from emulator.rigging import library as emu_library

    ours = {a.id: a.name for a in animation_library.actions()}
    theirs = {i: name for i, (name, _family) in emu_library.ANIMATIONS.items()}
    assert set(theirs) <= set(ours)
    assert {i: (ours[i], n) for i, n in theirs.items() if ours[i] != n} == {}
    assert emu_library.CONFIRMED == {a.id for a in animation_library.actions() if a.confirmed}


def test_bases_cover_every_request() -> None:
    assert set(BASES) >= set(NEW)
