"""Bad input, each one clear sentence before anything is sent ("nothing was sent"), and secrets
that never reach a log, a traceback or a repr.
"""

from __future__ import annotations

import dataclasses
import importlib
import io
import logging
import math
import pkgutil
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import client
from client import (
    FileInput,
    ImageTo3DRequest,
    Kind,
    MeshyClient,
    RemeshRequest,
    RequestTimeoutError,
    RetextureRequest,
    ValidationError,
    errors,
    request_from_dict,
)
from client.models import REQUEST_NAMES
from client.retry import RetryPolicy, fast_policy
from client.transport import Limits
from tests.hostile_server import HostileServer
from tests.test_client_models import BASES, broken_payload

ROOT = Path(__file__).resolve().parent.parent
KEY = "msy_inputs_test_key_0123456789abcdef"


def one_sentence(exc: BaseException) -> str:
    msg = str(exc)
    assert msg.endswith(".") and "\n" not in msg and len(msg) < 400 and "Traceback" not in msg, msg
    return msg


@pytest.fixture
def recorder():
    """A server that answers everything; the tests check that it heard nothing."""
    with HostileServer(lambda conn: conn.respond_json({"result": "t1"}, 202)) as server:
        yield server


# ----------------------------------------------------------------- numbers


def _numeric_fields() -> list[tuple[str, str]]:
    out = []
    for name, cls in REQUEST_NAMES.items():  # text-to-3d by stage: "text-to-3d" itself has no fields
        for f in dataclasses.fields(cls):
            if "int" in str(f.type) or "float" in str(f.type):
                out.append((name, f.name))
    return out


NUMERIC = _numeric_fields()


def test_every_numeric_field_is_found() -> None:
    assert {name for _, name in NUMERIC} == {"target_polycount", "decimation_mode", "resize_height",
                                             "resize_longest_side", "height_meters", "action_id"}
    assert {kind for kind, _ in NUMERIC} == {"image-to-3d", "remesh", "text-to-3d-preview", "multi-image-to-3d",
                                             "rigging", "animations"}


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize(("kind", "name"), NUMERIC, ids=[f"{k}.{n}" for k, n in NUMERIC])
def test_nan_and_infinity_are_out_of_every_range(kind: str, name: str, value: float) -> None:
    req = request_from_dict(kind, {**broken_payload(kind, {}), name: value})
    with pytest.raises(ValidationError) as info:
        req.validate()
    assert name in one_sentence(info.value) and info.value.param == name


def test_nan_in_a_raw_payload_is_refused_before_sending(recorder: HostileServer) -> None:
    c = MeshyClient(KEY, recorder.base_url)
    for value in (math.nan, math.inf):
        with pytest.raises(ValidationError) as info:
            c.create("remesh", {"input_task_id": "a", "resize_height": value}, validate=False)
        assert "not finite" in one_sentence(info.value) and not info.value.maybe_sent
    assert recorder.requests == []


# ----------------------------------------------------------------- text


TEXT_FIELDS = [
    (ImageTo3DRequest, "texture_prompt", {"image_url": "https://x.example/a.png"}),
    (RetextureRequest, "text_style_prompt", {"input_task_id": "t"}),
    (RemeshRequest, "input_task_id", {}),
    (RemeshRequest, "model_url", {}),
    (ImageTo3DRequest, "image_url", {}),
]


@pytest.mark.parametrize("bad", ["a\x00b", "half \ud83d of a pair", "bell\x07", "\udfff"], ids=["nul", "lone-high",
                                                                                                 "control", "lone-low"])
@pytest.mark.parametrize(("cls", "name", "base"), TEXT_FIELDS, ids=[f"{c.__name__}.{n}" for c, n, _ in TEXT_FIELDS])
def test_nul_controls_and_lone_surrogates_are_refused(cls: type, name: str, base: dict, bad: str) -> None:
    value = f"https://x.example/{bad}.glb" if name.endswith("url") else bad
    if name == "image_url":
        value = f"https://x.example/{bad}.png"
    req = cls(**base, **{name: value})
    with pytest.raises(ValidationError) as info:
        req.validate()
    assert name in one_sentence(info.value)


def test_prompts_keep_newlines_and_tabs() -> None:
    RetextureRequest(input_task_id="t", text_style_prompt="rusty\n\tmetal\r\n").validate()


def test_image_to_image_prompt_and_reference_urls_are_checked_too() -> None:
    base = {"ai_model": "nano-banana", "reference_image_urls": ["https://x.example/a.png"]}
    with pytest.raises(ValidationError, match="prompt"):
        request_from_dict("image-to-image", {**base, "prompt": "x\x00"}).validate()
    with pytest.raises(ValidationError, match=r"reference_image_urls\[0\]"):
        request_from_dict("image-to-image", {**base, "prompt": "x",
                                             "reference_image_urls": ["https://x.example/a b.png"]}).validate()


def test_surrogates_in_a_raw_payload_are_refused_before_sending(recorder: HostileServer) -> None:
    c = MeshyClient(KEY, recorder.base_url)
    with pytest.raises(ValidationError):
        c.create("retexture", {"input_task_id": "a", "text_style_prompt": "x\ud800"}, validate=False)
    assert recorder.requests == []


# ----------------------------------------------------------------- files


def test_empty_model_file_is_one_sentence(tmp_path: Path, recorder: HostileServer) -> None:
    empty = tmp_path / "empty.glb"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError) as info:
        FileInput.model(empty)
    assert "is empty" in one_sentence(info.value)
    raw = FileInput(str(empty), "application/octet-stream")  # built by hand, e.g. from a journal
    with pytest.raises(ValidationError, match="is empty"):
        RemeshRequest(model_url=raw).validate()
    c = MeshyClient(KEY, recorder.base_url)
    with pytest.raises(ValidationError, match="is empty") as info:
        c.create("remesh", {"model_url": raw}, validate=False)
    assert not info.value.maybe_sent and recorder.requests == []


def test_empty_image_file_is_one_sentence(tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError) as info:
        FileInput.image(empty)
    assert "is empty" in one_sentence(info.value)


def _png_claiming(path: Path, width: int, height: int) -> Path:
    """A tiny real PNG whose IHDR (with a valid CRC) claims ``width`` x ``height``."""
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    ihdr = data[12:29]  # b"IHDR" + 13 bytes
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    path.write_bytes(bytes(data))
    return path


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's own, past 89 MP
@pytest.mark.parametrize("side", [20_000, 10_000, 50_000])
def test_decompression_bomb_is_refused_from_its_header(tmp_path: Path, side: int) -> None:
    bomb = _png_claiming(tmp_path / "bomb.png", side, side)
    assert bomb.stat().st_size < 1000
    with pytest.raises(ValidationError) as info:
        FileInput.image(bomb)
    msg = one_sentence(info.value)
    assert "megapixels" in msg and "bomb.png" in msg


def test_image_just_under_the_pixel_cap_is_still_allowed(tmp_path: Path) -> None:
    from client.images import MAX_IMAGE_PIXELS

    path = tmp_path / "wide.png"
    Image.new("RGB", (MAX_IMAGE_PIXELS // 1000, 1)).save(path)  # 80 000 x 1: few pixels, one long side
    fi = FileInput.image(path, max_side=4096)
    with Image.open(fi.path) as im:
        assert max(im.size) == 4096


@pytest.mark.parametrize("max_side", [0, -1, True, 2.5, "4096", None])
def test_max_side_must_be_a_positive_whole_number(tmp_path: Path, max_side: Any) -> None:
    path = tmp_path / "a.png"
    Image.new("RGB", (16, 16)).save(path)
    with pytest.raises(ValidationError) as info:
        FileInput.image(path, max_side=max_side)
    assert "max_side" in one_sentence(info.value)


def test_nul_in_a_file_path_is_one_sentence() -> None:
    with pytest.raises(ValidationError) as info:
        FileInput.model("/tmp/a\x00.glb")
    one_sentence(info.value)


# ----------------------------------------------------------------- client settings


@pytest.mark.parametrize(
    "url",
    ["http://api.meshy.ai", "http://10.0.0.7:8000", "http://[2001:db8::1]/", "http://localhost.evil.example",
     "http://127.0.0.1.nip.io"],
)
def test_plain_http_to_another_machine_is_refused(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        MeshyClient(KEY, url)
    msg = one_sentence(info.value)
    assert "in clear" in msg and "https" in msg and KEY not in msg


@pytest.mark.parametrize("url", ["http://127.0.0.1:9", "http://127.3.4.5:9", "http://[::1]:9", "http://localhost:9",
                                 "https://api.meshy.ai", "https://proxy.example/meshy/"])
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    assert MeshyClient(KEY, url).base_url == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    ["api.meshy.ai", "ftp://api.meshy.ai", "https://", "https://exa mple.com", "https://x:port", " ",
     "https://user:pw@api.meshy.ai", "javascript:alert(1)", "https://api.meshy.ai/?x=1", "https://a\nb", 12,
     "https://api.meshy.ai\x00"],
)
def test_a_base_url_that_is_not_a_url_is_one_sentence(url: Any) -> None:
    with pytest.raises(ValidationError) as info:
        MeshyClient(KEY, url)
    assert "base URL" in one_sentence(info.value)


@pytest.mark.parametrize(
    ("kw", "name"),
    [({"timeout": 0}, "timeout"), ({"timeout": -1}, "timeout"), ({"timeout": math.nan}, "timeout"),
     ({"timeout": math.inf}, "timeout"), ({"timeout": (5, 0)}, "timeout"), ({"timeout": (5,)}, "timeout"),
     ({"timeout": "10"}, "timeout"), ({"timeout": True}, "timeout"), ({"max_retries": -1}, "max_retries"),
     ({"max_retries": 1.5}, "max_retries"), ({"stream_reconnects": -2}, "stream_reconnects"),
     ({"user_agent": "x\r\nX-Evil: 1"}, "user_agent"), ({"verify": "/no/such/ca.pem"}, "CA bundle"),
     ({"proxies": {"https": "not a url"}}, "proxy"), ({"proxies": "http://p:1"}, "proxies"),
     ({"retry_policy": "fast"}, "retry_policy"), ({"limits": {"call_seconds": 1}}, "limits")],
)
def test_client_settings_are_checked_when_it_is_built(kw: dict, name: str) -> None:
    with pytest.raises(ValidationError) as info:
        MeshyClient(KEY, "https://api.meshy.ai", **kw)
    assert name in one_sentence(info.value)


@pytest.mark.parametrize("key", ["msy_abc def", "msy_abc\n", "msy_ключ", "\x00msy"])
def test_a_key_that_cannot_be_a_header_is_refused_without_showing_it(key: str) -> None:
    with pytest.raises(ValidationError) as info:
        MeshyClient(key, "https://api.meshy.ai")
    assert key.strip() not in one_sentence(info.value)


@pytest.mark.parametrize(
    "kw",
    [{"max_retries": -1}, {"queue_full_retries": -1}, {"base": math.nan}, {"cap": -1.0}, {"max_retry_after": math.inf}],
)
def test_retry_policy_numbers_are_checked(kw: dict) -> None:
    with pytest.raises(ValidationError):
        RetryPolicy(**kw)


@pytest.mark.parametrize("kw", [{"call_seconds": 0}, {"upload_rate": math.nan}, {"download_rate": -1},
                                {"max_json_bytes": 0}, {"max_download_bytes": 1.5}])
def test_limits_are_checked(kw: dict) -> None:
    with pytest.raises(ValidationError):
        Limits(**kw)


# ----------------------------------------------------------------- "nothing was sent"


def test_errors_say_nothing_was_sent_unless_a_create_may_have_been() -> None:
    assert RequestTimeoutError("slow").maybe_sent is False
    assert errors.ConnectionFailedError("down").maybe_sent is False
    assert errors.MeshyError("x").maybe_sent is False
    assert ValidationError("x").maybe_sent is False
    assert errors.error_for_status(500, "boom").maybe_sent is False


def test_every_local_refusal_on_create_says_nothing_was_sent(tmp_path: Path, recorder: HostileServer) -> None:
    c = MeshyClient(KEY, recorder.base_url, retry_policy=fast_policy())
    bad = [
        ("remesh", RemeshRequest(input_task_id="t", target_polycount=math.nan)),
        ("remesh", RemeshRequest(input_task_id="t", resize_height=math.inf)),
        ("remesh", RemeshRequest()),
        ("retexture", RetextureRequest(input_task_id="t\x00", text_style_prompt="x")),
        ("remesh", {"model_url": FileInput(str(tmp_path / "missing.glb"), "application/octet-stream")}),
        ("no-such-kind", {}),
    ]
    for kind, request in bad:
        with pytest.raises(ValidationError) as info:
            c.create(kind, request, validate=True) if not isinstance(request, dict) else c.create(
                kind, request, validate=False)
        one_sentence(info.value)
        assert info.value.maybe_sent is False
    assert recorder.requests == []


# ----------------------------------------------------------------- logs and reprs


def _import_every_client_module() -> list[str]:
    names = []
    for info in pkgutil.iter_modules(client.__path__):
        importlib.import_module(f"client.{info.name}")
        names.append(info.name)
    return names


def _meshy_loggers() -> list[logging.Logger]:
    names = [n for n in logging.root.manager.loggerDict if n == "meshy" or n.startswith("meshy.")]
    return [logging.getLogger(n) for n in sorted(names)]


def test_key_never_reaches_any_handler_of_any_meshy_logger(capsys: pytest.CaptureFixture) -> None:
    modules = _import_every_client_module()
    assert {"engine", "http", "downloads", "connection"} <= set(modules)
    future = logging.getLogger("meshy.not.yet.written")  # a logger made after the client was imported
    loggers = _meshy_loggers()
    assert {"meshy", "meshy.engine", "meshy.not.yet.written"} <= {lg.name for lg in loggers}
    errors.register_secret(KEY)
    root_out = io.StringIO()
    root_handler = logging.StreamHandler(root_out)
    root_handler.setFormatter(logging.Formatter("%(name)s %(message)s %(url)s"))
    logging.getLogger().addHandler(root_handler)
    try:
        for logger in [*loggers, future]:
            own_out = io.StringIO()
            own = logging.StreamHandler(own_out)  # right on the logger: before any parent could filter
            own.setFormatter(logging.Formatter("%(message)s %(url)s"))
            logger.addHandler(own)
            old_level, old_propagate = logger.level, logger.propagate
            logger.setLevel(logging.DEBUG)
            logger.propagate = True
            try:
                try:
                    raise RuntimeError(f"request failed: Authorization: Bearer {KEY}")
                except RuntimeError:
                    logger.exception("call failed for %s", KEY, extra={"url": f"https://x/?key={KEY}"})
                logger.warning(f"plain {KEY}", extra={"url": ""}, stack_info=True)  # msy_inputs_test_key_0123456789abcdef  # noqa: E501
                logger.info("%d items", KEY, extra={"url": ""})  # a bad %-format: handleError prints msg and args
                logger.error("wrapped", exc_info=ValueError(KEY), extra={"url": ""})
            finally:
                logger.removeHandler(own)
                logger.setLevel(old_level)
                logger.propagate = old_propagate
            text = own_out.getvalue()
            assert KEY not in text, f"{logger.name}: {text}"
            assert "Traceback" in text and "***" in text and "RuntimeError" in text, logger.name
    finally:
        logging.getLogger().removeHandler(root_handler)
    assert KEY not in root_out.getvalue() and "***" in root_out.getvalue()
    assert KEY not in capsys.readouterr().err


def test_records_keep_no_exception_object_to_format_again() -> None:
    record_seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            record_seen.append(record)

    logger = logging.getLogger("meshy.engine")
    handler = Keep()
    logger.addHandler(handler)
    try:
        try:
            raise OSError(f"Bearer {KEY}")
        except OSError:
            logger.error("x", exc_info=True)
    finally:
        logger.removeHandler(handler)
    (record,) = record_seen
    assert record.exc_info is None and KEY not in record.exc_text and "OSError" in record.exc_text


def test_reprs_never_show_the_key() -> None:
    c = MeshyClient(KEY, "https://api.meshy.ai")
    assert KEY not in repr(c) and KEY not in str(c)
    assert KEY not in repr(Limits()) and KEY not in repr(c.policy)


def test_settings_snapshot_repr_hides_the_key() -> None:
    from pathlib import Path

    from core.settings import Settings

    s = Settings(api_key=KEY, base_url="https://api.meshy.ai", max_in_flight=10, download_dir=Path("/tmp"),
                 user_dir=Path("/tmp"))
    assert s.api_key == KEY
    assert "Settings(" in repr(s) and "base_url=" in repr(s)
    assert KEY not in repr(s) and KEY not in str(s)


def test_kind_is_still_validated_first(recorder: HostileServer) -> None:
    c = MeshyClient(KEY, recorder.base_url)
    with pytest.raises(ValidationError, match="kind"):
        c.get("remeshes", "t1")
    with pytest.raises(ValidationError, match="kind"):
        c.create(Kind.REMESH.value + "/../balance", {"input_task_id": "t"})
    assert recorder.requests == []
    assert set(BASES) == set(REQUEST_NAMES) - {"text-to-3d"}  # every request, text-to-3d by stage
