"""Request models: local validation (one case per rule), payloads, journal round trips, pricing.

The same broken payloads are sent raw to the emulator in test_client_emulator.py,
so local validation and the service agree.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from client import (
    FileInput,
    ImageTo3DRequest,
    ImageToImageRequest,
    Kind,
    RemeshRequest,
    RetextureRequest,
    ValidationError,
    estimate_credits,
    request_from_dict,
)
from client.models import REQUEST_TYPES

PNG_URI = "data:image/png;base64,iVBORw0KGgo="  # shape only; the emulator tests use real images
GLB_URI = "data:application/octet-stream;base64,Z2xURg=="

# Valid base payloads per request (each kind, text-to-3d by stage); "{img}" / "{glb}" are replaced with real
# data URIs by the emulator tests, "{preview}" / "{rig}" with the ids of a finished preview and rigging task.
BASES: dict[str, dict] = {
    "image-to-image": {"ai_model": "nano-banana", "prompt": "make it red", "reference_image_urls": ["{img}"]},
    "image-to-3d": {"image_url": "{img}"},
    "retexture": {"model_url": "{glb}", "text_style_prompt": "rusty metal"},
    "remesh": {"model_url": "{glb}", "target_polycount": 500},
    "text-to-3d-preview": {"mode": "preview", "prompt": "a red mushroom"},
    "text-to-3d-refine": {"mode": "refine", "preview_task_id": "{preview}"},
    "multi-image-to-3d": {"image_urls": ["{img}", "{img}"]},
    "text-to-image": {"ai_model": "nano-banana", "prompt": "a red mushroom"},
    "rigging": {"model_url": "{glb}"},
    "animations": {"rig_task_id": "{rig}", "action_id": 1},
}

# (id, kind, changes to the base; None deletes the key)
RULES: list[tuple[str, str, dict]] = [
    # image-to-image
    ("i2i-missing-model", "image-to-image", {"ai_model": None}),
    ("i2i-bad-model", "image-to-image", {"ai_model": "dall-e"}),
    ("i2i-missing-prompt", "image-to-image", {"prompt": None}),
    ("i2i-empty-prompt", "image-to-image", {"prompt": "  "}),
    ("i2i-long-prompt", "image-to-image", {"prompt": "x" * 601}),
    ("i2i-missing-refs", "image-to-image", {"reference_image_urls": None}),
    ("i2i-zero-refs", "image-to-image", {"reference_image_urls": []}),
    ("i2i-six-refs", "image-to-image", {"reference_image_urls": ["{img}"] * 6}),
    ("i2i-refs-not-list", "image-to-image", {"reference_image_urls": "{img}"}),
    ("i2i-webp-ref", "image-to-image", {"reference_image_urls": ["data:image/webp;base64,UklGRg=="]}),
    ("i2i-multi-view-type", "image-to-image", {"generate_multi_view": "yes"}),
    # image-to-3d
    ("i23-no-input", "image-to-3d", {"image_url": None}),
    ("i23-image-gif", "image-to-3d", {"image_url": "data:image/gif;base64,R0lGODlh"}),
    ("i23-image-malformed", "image-to-3d", {"image_url": "data:image/png,notbase64"}),
    ("i23-image-not-url", "image-to-3d", {"image_url": "ftp://example.com/a.png"}),
    ("i23-model-type", "image-to-3d", {"model_type": "highpoly"}),
    ("i23-ai-model", "image-to-3d", {"ai_model": "meshy-4"}),
    ("i23-pbr-without-texture", "image-to-3d", {"enable_pbr": True, "should_texture": False}),
    ("i23-texture-prompt-long", "image-to-3d", {"texture_prompt": "y" * 601}),
    ("i23-texture-image-bmp", "image-to-3d", {"texture_image_url": "data:image/bmp;base64,Qk0="}),
    ("i23-topology", "image-to-3d", {"topology": "ngon"}),
    ("i23-polycount-low", "image-to-3d", {"target_polycount": 99}),
    ("i23-polycount-high", "image-to-3d", {"target_polycount": 300001}),
    ("i23-polycount-float", "image-to-3d", {"target_polycount": 5000.5}),
    ("i23-polycount-bool", "image-to-3d", {"target_polycount": True}),
    ("i23-decimation-zero", "image-to-3d", {"decimation_mode": 0}),
    ("i23-decimation-five", "image-to-3d", {"decimation_mode": 5}),
    ("i23-symmetry", "image-to-3d", {"symmetry_mode": "maybe"}),
    ("i23-pose", "image-to-3d", {"pose_mode": "x-pose"}),
    ("i23-formats-blend", "image-to-3d", {"target_formats": ["glb", "blend"]}),
    ("i23-formats-empty", "image-to-3d", {"target_formats": []}),
    ("i23-origin", "image-to-3d", {"auto_size": True, "origin_at": "top"}),
    ("i23-bool-type", "image-to-3d", {"should_remesh": 1}),
    ("i23-moderation-type", "image-to-3d", {"moderation": "true"}),
    ("i23-pose-bool-type", "image-to-3d", {"is_a_t_pose": "no"}),
    # retexture
    ("rt-no-model", "retexture", {"model_url": None}),
    ("rt-both-models", "retexture", {"input_task_id": "abc"}),
    ("rt-no-style", "retexture", {"text_style_prompt": None}),
    ("rt-both-styles", "retexture", {"image_style_url": "{img}"}),
    ("rt-long-style", "retexture", {"text_style_prompt": "z" * 601}),
    ("rt-model-ext", "retexture", {"model_url": "https://example.com/model.blend"}),
    ("rt-ai-model", "retexture", {"ai_model": "meshy-9"}),
    ("rt-formats", "retexture", {"target_formats": ["blend"]}),
    ("rt-alpha-type", "retexture", {"alpha_thumbnail": "true"}),
    # remesh
    ("rm-no-model", "remesh", {"model_url": None}),
    ("rm-both-models", "remesh", {"input_task_id": "abc"}),
    ("rm-topology", "remesh", {"topology": "hex"}),
    ("rm-polycount", "remesh", {"target_polycount": 50}),
    ("rm-decimation", "remesh", {"decimation_mode": 9}),
    ("rm-formats", "remesh", {"target_formats": ["gltf"]}),
    ("rm-auto-size-and-height", "remesh", {"auto_size": True, "resize_height": 1.5}),
    ("rm-resize-negative", "remesh", {"resize_height": -1}),
    ("rm-resize-type", "remesh", {"resize_longest_side": "2m"}),
    ("rm-origin", "remesh", {"origin_at": "middle"}),
    ("rm-convert-type", "remesh", {"convert_format_only": "yes"}),
    # text-to-3d preview
    ("t3p-missing-prompt", "text-to-3d-preview", {"prompt": None}),
    ("t3p-empty-prompt", "text-to-3d-preview", {"prompt": " "}),
    ("t3p-long-prompt", "text-to-3d-preview", {"prompt": "x" * 601}),
    ("t3p-mode", "text-to-3d-preview", {"mode": "draft"}),
    ("t3p-model-type", "text-to-3d-preview", {"model_type": "highpoly"}),
    ("t3p-ai-model", "text-to-3d-preview", {"ai_model": "meshy-4"}),
    ("t3p-topology", "text-to-3d-preview", {"topology": "ngon"}),
    ("t3p-polycount-low", "text-to-3d-preview", {"target_polycount": 99}),
    ("t3p-polycount-high", "text-to-3d-preview", {"target_polycount": 300001}),
    ("t3p-decimation", "text-to-3d-preview", {"decimation_mode": 5}),
    ("t3p-pose", "text-to-3d-preview", {"pose_mode": "x-pose"}),
    ("t3p-formats", "text-to-3d-preview", {"target_formats": ["blend"]}),
    ("t3p-origin", "text-to-3d-preview", {"auto_size": True, "origin_at": "top"}),
    ("t3p-remesh-type", "text-to-3d-preview", {"should_remesh": "yes"}),
    ("t3p-moderation-type", "text-to-3d-preview", {"moderation": 1}),
    # text-to-3d refine
    ("t3r-missing-preview", "text-to-3d-refine", {"preview_task_id": None}),
    ("t3r-preview-id-spaces", "text-to-3d-refine", {"preview_task_id": "a b"}),
    ("t3r-long-texture-prompt", "text-to-3d-refine", {"texture_prompt": "y" * 601}),
    ("t3r-texture-image-bmp", "text-to-3d-refine", {"texture_image_url": "data:image/bmp;base64,Qk0="}),
    ("t3r-ai-model", "text-to-3d-refine", {"ai_model": "meshy-9"}),
    ("t3r-formats", "text-to-3d-refine", {"target_formats": ["gltf"]}),
    ("t3r-pbr-type", "text-to-3d-refine", {"enable_pbr": "true"}),
    ("t3r-hd-type", "text-to-3d-refine", {"hd_texture": 1}),
    ("t3r-lighting-type", "text-to-3d-refine", {"remove_lighting": "no"}),
    ("t3r-origin", "text-to-3d-refine", {"origin_at": "middle"}),
    # multi-image-to-3d
    ("mi-no-input", "multi-image-to-3d", {"image_urls": None}),
    ("mi-zero-images", "multi-image-to-3d", {"image_urls": []}),
    ("mi-five-images", "multi-image-to-3d", {"image_urls": ["{img}"] * 5}),
    ("mi-images-not-list", "multi-image-to-3d", {"image_urls": "{img}"}),
    ("mi-gif", "multi-image-to-3d", {"image_urls": ["{img}", "data:image/gif;base64,R0lGODlh"]}),
    ("mi-not-url", "multi-image-to-3d", {"image_urls": ["ftp://example.com/a.png"]}),
    ("mi-ai-model", "multi-image-to-3d", {"ai_model": "meshy-4"}),
    ("mi-pbr-without-texture", "multi-image-to-3d", {"enable_pbr": True, "should_texture": False}),
    ("mi-polycount", "multi-image-to-3d", {"target_polycount": 50}),
    ("mi-thumbnails-type", "multi-image-to-3d", {"multi_view_thumbnails": "yes"}),
    # text-to-image
    ("t2i-missing-model", "text-to-image", {"ai_model": None}),
    ("t2i-bad-model", "text-to-image", {"ai_model": "dall-e"}),
    ("t2i-missing-prompt", "text-to-image", {"prompt": None}),
    ("t2i-long-prompt", "text-to-image", {"prompt": "x" * 601}),
    ("t2i-multi-view-and-ratio", "text-to-image", {"generate_multi_view": True, "aspect_ratio": "16:9"}),
    ("t2i-nano-3-2", "text-to-image", {"aspect_ratio": "3:2"}),
    ("t2i-gpt-16-9", "text-to-image", {"ai_model": "gpt-image-2", "aspect_ratio": "16:9"}),
    ("t2i-ratio", "text-to-image", {"aspect_ratio": "5:4"}),
    ("t2i-pose", "text-to-image", {"pose_mode": "x-pose"}),
    ("t2i-pose-empty", "text-to-image", {"pose_mode": ""}),
    ("t2i-alpha-type", "text-to-image", {"alpha_thumbnail": "yes"}),
    ("t2i-multi-view-type", "text-to-image", {"generate_multi_view": 1}),
    # rigging
    ("rig-no-input", "rigging", {"model_url": None}),
    ("rig-both-inputs", "rigging", {"input_task_id": "{preview}"}),
    ("rig-obj-url", "rigging", {"model_url": "https://example.com/model.obj"}),
    ("rig-obj-data", "rigging", {"model_url": "data:application/octet-stream;base64,I09CSg=="}),
    ("rig-height-zero", "rigging", {"height_meters": 0}),
    ("rig-height-negative", "rigging", {"height_meters": -1.7}),
    ("rig-height-type", "rigging", {"height_meters": "tall"}),
    ("rig-texture-jpeg", "rigging", {"texture_image_url": "data:image/jpeg;base64,/9j/4AAQ"}),
    ("rig-texture-jpg-url", "rigging", {"texture_image_url": "https://example.com/skin.jpg"}),
    ("rig-input-id-spaces", "rigging", {"model_url": None, "input_task_id": "a b"}),
    # animations
    ("anim-missing-rig", "animations", {"rig_task_id": None}),
    ("anim-missing-action", "animations", {"action_id": None}),
    ("anim-action-negative", "animations", {"action_id": -1}),
    ("anim-action-float", "animations", {"action_id": 1.5}),
    ("anim-action-text", "animations", {"action_id": "5"}),
    ("anim-action-bool", "animations", {"action_id": True}),
    ("anim-post-not-object", "animations", {"post_process": "change_fps"}),
    ("anim-post-no-operation", "animations", {"post_process": {"fps": 30}}),
    ("anim-post-operation", "animations", {"post_process": {"operation_type": "slow_motion"}}),
    ("anim-post-fps-without-change", "animations", {"post_process": {"operation_type": "fbx2usdz", "fps": 30}}),
    ("anim-post-change-without-fps", "animations", {"post_process": {"operation_type": "change_fps"}}),
    ("anim-post-fps-29", "animations", {"post_process": {"operation_type": "change_fps", "fps": 29}}),
    ("anim-post-extra-key", "animations", {"post_process": {"operation_type": "fbx2usdz", "speed": 2}}),
]


def broken_payload(kind: str, changes: dict, img: str = PNG_URI, glb: str = GLB_URI, preview: str = "preview-1",
                   rig: str = "rig-1") -> dict:
    """The base payload of ``kind`` (a request name) with ``changes`` applied and placeholders filled."""
    fills = {"{img}": img, "{glb}": glb, "{preview}": preview, "{rig}": rig}

    def fill(v):
        if isinstance(v, str) and v in fills:
            return fills[v]
        if isinstance(v, list):
            return [fill(x) for x in v]
        return v

    payload = copy.deepcopy(BASES[kind])
    for key, value in changes.items():
        if value is None:
            payload.pop(key, None)
        else:
            payload[key] = value
    return {k: fill(v) for k, v in payload.items()}


@pytest.mark.parametrize("kind", list(BASES))
def test_base_payloads_are_valid(kind: str) -> None:
    request_from_dict(kind, broken_payload(kind, {})).validate()


@pytest.mark.parametrize(("case", "kind", "changes"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_is_rejected_locally_with_one_sentence(case: str, kind: str, changes: dict) -> None:
    req = request_from_dict(kind, broken_payload(kind, changes))
    with pytest.raises(ValidationError) as info:
        req.validate()
    msg = str(info.value)
    assert msg.endswith(".") and "\n" not in msg and len(msg) < 300
    assert any(name in msg for name in changes), msg


def test_unset_fields_are_not_sent() -> None:
    assert RemeshRequest(input_task_id="t").to_payload() == {"input_task_id": "t"}
    req = ImageTo3DRequest(image_url="https://x/a.png", should_remesh=False, pose_mode="", decimation_mode=2)
    assert req.to_payload() == {
        "image_url": "https://x/a.png",
        "should_remesh": False,
        "pose_mode": "",
        "decimation_mode": 2,
    }


def test_every_documented_parameter_exists() -> None:
    import dataclasses

    names = {k: {f.name for f in dataclasses.fields(t)} for k, t in REQUEST_TYPES.items()}
    assert names[Kind.IMAGE_TO_IMAGE] == {"ai_model", "prompt", "reference_image_urls", "generate_multi_view"}
    assert names[Kind.IMAGE_TO_3D] == {
        "input_task_id", "image_url", "model_type", "ai_model", "should_texture", "enable_pbr",
        "hd_texture", "texture_prompt", "texture_image_url", "should_remesh", "topology",
        "target_polycount", "decimation_mode", "save_pre_remeshed_model", "symmetry_mode",
        "pose_mode", "is_a_t_pose", "image_enhancement", "remove_lighting", "moderation",
        "target_formats", "auto_size", "origin_at",
    }  # fmt: skip
    assert names[Kind.RETEXTURE] == {
        "input_task_id", "model_url", "text_style_prompt", "image_style_url", "ai_model",
        "enable_original_uv", "enable_pbr", "hd_texture", "remove_lighting", "target_formats",
        "alpha_thumbnail",
    }  # fmt: skip
    assert names[Kind.REMESH] == {
        "input_task_id", "model_url", "target_formats", "topology", "target_polycount",
        "decimation_mode", "resize_height", "resize_longest_side", "auto_size", "origin_at",
        "convert_format_only", "alpha_thumbnail",
    }  # fmt: skip
    for t in REQUEST_TYPES.values():
        assert all(getattr(t(), f.name) is None for f in dataclasses.fields(t))


def test_image_to_3d_allows_both_inputs_and_pbr_with_default_texture() -> None:
    ImageTo3DRequest(input_task_id="a", image_url="https://x/a.png").validate()
    ImageTo3DRequest(image_url="https://x/a.png", enable_pbr=True).validate()
    ImageTo3DRequest(image_url="https://x/a.png", texture_prompt="a", texture_image_url="https://x/b.jpg").validate()


def test_urls_without_extension_are_allowed_for_images_only() -> None:
    ImageTo3DRequest(image_url="https://cdn.example.com/image?id=3").validate()
    with pytest.raises(ValidationError, match="model_url"):
        RemeshRequest(model_url="https://cdn.example.com/model?id=3").validate()
    RemeshRequest(model_url="https://cdn.example.com/chair.GLB?sig=1").validate()


def test_file_inputs_are_checked(tmp_path: Path) -> None:
    glb = tmp_path / "m.glb"
    glb.write_bytes(b"glTF")
    RemeshRequest(model_url=FileInput.model(glb)).validate()
    glb.unlink()
    with pytest.raises(ValidationError, match="does not exist"):
        RemeshRequest(model_url=FileInput(str(glb), "application/octet-stream")).validate()
    with pytest.raises(ValidationError, match="image"):
        ImageTo3DRequest(image_url=FileInput(str(tmp_path / "m.glb"), "application/octet-stream")).validate()


def test_to_dict_round_trip_is_json(tmp_path: Path) -> None:
    from PIL import Image

    img = tmp_path / "a.png"
    Image.new("RGB", (8, 8)).save(img)
    req = ImageToImageRequest(
        ai_model="nano-banana-2",
        prompt="p",
        reference_image_urls=[FileInput.image(img), "https://x/b.jpg"],
        generate_multi_view=True,
    )
    d = json.loads(json.dumps(req.to_dict()))
    assert d["reference_image_urls"][0] == {"file": str(img), "mime": "image/png"}
    back = request_from_dict("image-to-image", d)
    assert back == req


def test_from_dict_rejects_unknown_parameters() -> None:
    with pytest.raises(ValidationError, match="not a parameter"):
        RemeshRequest.from_dict({"input_task_id": "a", "polycount": 5})


def test_kind_values() -> None:
    assert [k.value for k in Kind] == ["image-to-image", "image-to-3d", "retexture", "remesh", "text-to-3d",
                                       "multi-image-to-3d", "text-to-image", "rigging", "animations"]
    assert Kind("remesh") is Kind.REMESH and f"{Kind.REMESH}" == "remesh"
    with pytest.raises(ValidationError):
        Kind.parse("text-to-3d-preview")  # a task type, not a kind


@pytest.mark.parametrize(
    ("kind", "request_", "credits"),
    [
        ("image-to-image", ImageToImageRequest(ai_model="nano-banana"), 3),
        ("image-to-image", ImageToImageRequest(ai_model="nano-banana-2"), 6),
        ("image-to-image", ImageToImageRequest(ai_model="nano-banana-pro"), 9),
        ("image-to-image", ImageToImageRequest(ai_model="gpt-image-2"), 12),
        ("image-to-image", ImageToImageRequest(ai_model="nano-banana", generate_multi_view=True), 9),
        ("image-to-3d", ImageTo3DRequest(), 30),
        ("image-to-3d", ImageTo3DRequest(ai_model="meshy-6", should_texture=False), 20),
        ("image-to-3d", ImageTo3DRequest(ai_model="latest"), 30),
        ("image-to-3d", ImageTo3DRequest(ai_model="meshy-5"), 15),
        ("image-to-3d", ImageTo3DRequest(ai_model="meshy-5", should_texture=False), 5),
        ("retexture", RetextureRequest(), 10),
        ("remesh", RemeshRequest(), 5),
        ("remesh", {"input_task_id": "x"}, 5),
    ],
)
def test_estimate_credits(kind: str, request_: object, credits: int) -> None:
    assert estimate_credits(kind, request_) == credits
