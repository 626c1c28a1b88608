"""The bpy-free core in a plain Python: the parameter table, the one request builder, the rules.

What needed Blender before (building requests from the parameter table, the
batch's argparse options, stripping materials from a GLB) runs here.
"""

from __future__ import annotations

import dataclasses
import json
import struct
from pathlib import Path

import pytest
import trimesh

from meshy_tools.batch import args as cli
from meshy_tools.client import catalog, pricing
from meshy_tools.client.errors import ServerError, ValidationError
from meshy_tools.client.models import request_type
from meshy_tools.client.uploads import FileInput
from meshy_tools.core import glb, messages, params, requests, states
from meshy_tools.core.errors import UserError
from meshy_tools.core.settings import Settings
from meshy_tools.core.states import JobState


def settings(**kw) -> Settings:
    base = dict(api_key="msy_x", base_url="http://127.0.0.1:9", max_in_flight=10, download_dir=Path("/tmp/dl"),
                user_dir=Path("/tmp/user"))
    return Settings(**{**base, **kw})


# ----------------------------------------------------------------- the parameter table


@pytest.mark.parametrize("kind", list(params.PARAMS))
def test_every_api_parameter_is_a_field_of_its_request(kind):
    def fields_of(table: str) -> set[str]:
        return {f.name for f in dataclasses.fields(request_type(params.REQUEST_OF.get(table, table)))}

    fields = fields_of(kind)
    api = {p.name for p in params.PARAMS[kind] if p.api}
    assert api <= fields, api - fields
    for p in params.PARAMS[kind]:
        own = fields_of(params.STAGE_TABLES[(kind, p.stage)]) if p.stage else fields  # a chained stage's
        if p.role == "input" and p.fills:
            assert p.fills in own, (kind, p.name)
        elif p.stage and p.role == "api":
            assert p.name in own, (kind, p.name)


def test_enum_choices_are_what_the_request_models_accept():
    models = catalog.ids(catalog.MESH_MODELS)
    for kind in ("retexture", "image-to-3d"):
        assert tuple(v for v, _ in params.param(kind, "ai_model").items) == models
        requests.build_request(kind, {"ai_model": models[-1], "input_task_id": "t", "text_style_prompt": "x"},
                               settings())
    images = tuple(v for v, _ in params.param("image-to-image", "ai_model").items)
    assert images == catalog.ids(catalog.IMAGE_MODELS) == tuple(pricing.IMAGE_TO_IMAGE_PER_IMAGE)


def test_prices_come_from_the_one_model_list():
    pro_views = {"ai_model": "nano-banana-pro", "generate_multi_view": True}
    assert pricing.estimate_credits("image-to-image", pro_views) == 27
    assert pricing.estimate_credits("image-to-3d", {"ai_model": "meshy-5", "should_texture": False}) == 5
    assert pricing.estimate_credits("image-to-3d", {}) == 30


# ----------------------------------------------------------------- one request builder


def test_only_what_was_set_is_sent_and_not_set_values_are_dropped():
    request = requests.build_request("remesh", {"topology": "triangle", "decimation_mode": 0, "input_task_id": "t1",
                                                "model_url": "", "keep_original": False}, settings())
    assert request.to_payload() == {"topology": "triangle", "input_task_id": "t1"}


def test_a_quad_result_also_asks_for_the_format_it_is_imported_from():
    """glTF holds triangles only: quads come in from the OBJ, fetched beside the GLB (GLB always)."""
    quad = requests.build_request("remesh", {"topology": "quad", "input_task_id": "t1"}, settings())
    assert quad.to_payload() == {"topology": "quad", "input_task_id": "t1", "target_formats": ["glb", "obj"]}
    mine = requests.build_request("remesh", {"topology": "quad", "input_task_id": "t", "target_formats": ["fbx"]},
                                  settings())
    assert mine.target_formats == ["glb", "fbx", "obj"]
    i3d = {"image_url": "https://x.test/a.png", "topology": "quad"}
    assert requests.build_request("image-to-3d", {**i3d, "should_remesh": True}, settings()).target_formats == [
        "glb", "obj"]
    assert requests.build_request("image-to-3d", i3d, settings()).target_formats is None  # Meshy 6: no remesh
    assert requests.build_request("image-to-3d", {**i3d, "ai_model": "meshy-5"}, settings()).target_formats == [
        "glb", "obj"]  # Meshy 5 remeshes unless told not to
    assert requests.build_request("image-to-3d", {**i3d, "ai_model": "meshy-5", "should_remesh": False},
                                  settings()).target_formats is None
    retex = {"input_task_id": "t", "text_style_prompt": "oak"}
    assert requests.build_request("retexture", retex, settings()).target_formats is None
    assert requests.build_request("retexture", {**retex, requests.KEEP_POLYGONS: True},
                                  settings()).target_formats == ["glb", "obj"]


def test_what_a_job_downloads_and_which_file_it_imports():
    quad = requests.build_request("remesh", {"topology": "quad", "input_task_id": "t1"}, settings())
    tri = requests.build_request("remesh", {"input_task_id": "t1"}, settings())
    assert requests.outputs_for("remesh", quad) == ("glb", "textures", "thumbnail", "models")
    assert requests.outputs_for("remesh", tri) == ("glb", "textures", "thumbnail")  # a textured source stays so
    assert requests.outputs_for("image-to-image", {"target_formats": ["obj"]}) == ("images",)
    files = {"model": "/d/model.glb", "model_obj": "/d/model_obj.obj"}
    assert requests.polygon_file("remesh", files, quad.to_payload()) == "/d/model_obj.obj"
    assert requests.polygon_file("remesh", files, {"topology": "triangle", "target_formats": ["glb", "obj"]}) is None
    assert requests.polygon_file("remesh", {"model": "/d/model.glb"}, quad.to_payload()) is None  # GLB, then
    assert requests.polygon_file("retexture", files, {"target_formats": ["glb", "obj"]}) == "/d/model_obj.obj"


def test_ai_model_default_comes_from_the_preferences():
    i2i = {"prompt": "blue", "reference_image_urls": ["https://x.test/a.png"]}
    assert requests.build_request("image-to-image", i2i, settings()).ai_model == "nano-banana"  # always sent
    assert requests.build_request("image-to-image", i2i, settings(default_image_model="GPT_IMAGE_2")).ai_model \
        == "gpt-image-2"
    i3d = {"image_url": "https://x.test/a.png"}
    assert requests.build_request("image-to-3d", i3d, settings()).ai_model is None  # Meshy's latest
    assert requests.build_request("image-to-3d", i3d, settings(default_mesh_model="MESHY_5")).ai_model == "meshy-5"
    assert requests.build_request("image-to-3d", {**i3d, "ai_model": "meshy-6"},
                                  settings(default_mesh_model="MESHY_5")).ai_model == "meshy-6"
    assert requests.effective_ai_model("image-to-3d", None, settings()) == "latest"


def test_glb_is_always_among_the_formats():
    request = requests.build_request("remesh", {"input_task_id": "t", "target_formats": ["fbx"]}, settings())
    assert request.target_formats == ["glb", "fbx"]
    request = requests.build_request("remesh", {"input_task_id": "t", "target_formats": ("obj", "glb")}, settings())
    assert request.target_formats == ["obj", "glb"]


def test_options_are_checked_before_the_input_exists():
    """require_input=False: no placeholder input, and a bad option is still refused."""
    requests.check_values("remesh", {"target_polycount": 500}, settings())
    requests.check_values("retexture", {"enable_pbr": True}, settings())  # the style image comes later
    requests.check_values("image-to-image", {"prompt": "x"}, settings())
    with pytest.raises(ValidationError, match="target_polycount"):
        requests.check_values("remesh", {"target_polycount": 50}, settings())
    with pytest.raises(ValidationError, match="600"):
        requests.check_values("image-to-image", {"prompt": "a" * 601}, settings())
    with pytest.raises(ValidationError, match="input_task_id or model_url"):
        requests.build_request("remesh", {"target_polycount": 500}, settings())  # the full check wants it
    with pytest.raises(ValidationError, match="reference_image_urls"):
        requests.build_request("image-to-image", {"prompt": "x"}, settings())


def test_keep_original_comes_from_the_caller_else_the_preferences():
    assert requests.keep_original(None, settings(keep_original=False)) is False
    assert requests.keep_original(True, settings(keep_original=False)) is True
    assert requests.keep_original(None, settings()) is True


def test_a_result_records_options_not_uploads(tmp_path):
    model = tmp_path / "m.glb"
    model.write_bytes(trimesh.creation.box().export(file_type="glb"))
    request = requests.build_request("retexture", {"model_url": FileInput.model(model), "text_style_prompt": "oak",
                                                   "image_style_url": None}, settings())
    assert requests.recorded_settings(request) == {"text_style_prompt": "oak"}
    assert requests.can_chain("remesh", "image-to-3d") and not requests.can_chain("image-to-3d", "remesh")


def test_settings_repr_never_holds_the_key():
    assert "msy_x" not in repr(settings())


# ----------------------------------------------------------------- the batch's command line, from the table


def test_batch_options_are_generated_from_the_table():
    parser = cli.build_parser()
    assert sorted(cli.SUBCOMMANDS.values()) == sorted(params.KINDS)  # every kind has its subcommand
    for command, kind in cli.SUBCOMMANDS.items():
        sub = parser._subparsers._group_actions[0].choices[command]  # noqa: SLF001 - argparse has no public way
        flags = {s for a in sub._actions for s in a.option_strings}
        for p in params.PARAMS[kind]:
            assert (p.flag in flags) == p.cli, (kind, p.name)
    ns = cli.parse(["remesh", "a.glb", "--out", "o", "--topology", "quad", "--target-formats", "fbx,obj",
                    "--no-alpha-thumbnail"])
    assert cli.task_options(ns) == {"topology": "quad", "target_formats": ["fbx", "obj"], "alpha_thumbnail": False}
    assert cli.FILE_OPTIONS == {"style_image_path": "image_style_url", "texture_image_path": "texture_image_url",
                                "reference_image_paths": "reference_image_urls"}
    with pytest.raises(cli.UsageError, match="hex"):
        cli.parse(["remesh", "a.glb", "--out", "o", "--topology", "hex"])


# ----------------------------------------------------------------- a GLB without materials (was bpy-only)


def _glb_with_material(path: Path) -> Path:
    mesh = trimesh.creation.box()
    mesh.visual = trimesh.visual.TextureVisuals(
        uv=[[0, 0]] * len(mesh.vertices),
        material=trimesh.visual.material.PBRMaterial(baseColorFactor=[200, 30, 30, 255]),
    )
    path.write_bytes(mesh.export(file_type="glb"))
    return path


def _document(data: bytes) -> dict:
    (json_length,) = struct.unpack_from("<I", data, 12)
    return json.loads(data[20:20 + json_length])


def test_glb_without_materials_keeps_the_geometry(tmp_path):
    model = _glb_with_material(tmp_path / "model.glb")
    data = model.read_bytes()
    assert _document(data).get("materials")
    assert glb.without_materials(b"not a glb") is None
    assert glb.write_bare_copy(model)
    bare = glb.bare_copy_path(model)
    stripped = bare.read_bytes()
    doc = _document(stripped)
    assert not {"materials", "textures", "images", "samplers"} & set(doc)
    assert all("material" not in p for m in doc["meshes"] for p in m["primitives"])
    assert struct.unpack_from("<I", stripped, 8)[0] == len(stripped) and len(stripped) % 4 == 0
    assert len(trimesh.load(bare, force="mesh").faces) == len(trimesh.load(model, force="mesh").faces)
    glb.prepare_for_import("retexture", {"model": str(model)})  # no PBR maps: nothing to do
    bare.unlink()
    glb.prepare_for_import("retexture", {"model": str(model), "base_color": "x.png"})
    assert bare.is_file()


# ----------------------------------------------------------------- states, messages


def test_one_state_vocabulary_from_engine_events():
    assert states.after_event(JobState.QUEUED, "created") is JobState.CREATED
    assert states.after_event(JobState.CREATED, "progress") is JobState.CREATED
    assert states.after_event(JobState.QUEUED, "queued", task_id="t") is JobState.FOLLOWING
    assert states.after_event(JobState.FOLLOWING, "progress") is JobState.FOLLOWING
    assert states.after_event(JobState.CREATED, "suspended") is JobState.SUSPENDED
    assert states.after_event(JobState.CREATED, "retrying-later") is JobState.CREATED  # unknown: kept as it was
    assert states.after_event(JobState.CREATED, "gone-quiet", terminal=True) in states.KEPT  # not failed
    assert states.report_status("imported") == "succeeded" and states.report_status("created") == "running"
    assert states.report_status("in_doubt") == "kept" and states.report_status(None) == "not started"


def test_a_local_refusal_never_says_the_task_may_have_been_sent():
    for local in (UserError("No Meshy API key is set"), ValidationError("target_polycount must be between")):
        local.maybe_sent = True  # even when something marked it
        assert "may have been" not in messages.explain(local)
    doubtful = ServerError("Meshy had a server error (HTTP 502), so try again later", 502)
    doubtful.maybe_sent = True
    assert "may have been created" in messages.explain(doubtful)
    assert "may have been" not in messages.explain(ServerError("Meshy had a server error", 502))
