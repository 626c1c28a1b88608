"""Pure-logic tests of the client: no network."""

from __future__ import annotations

import base64
import json
import logging
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import requests
from PIL import Image

from client import errors
from client.downloads import filename_from_url, safe_filename
from client.errors import (
    AuthenticationError,
    QueueFullError,
    RateLimitError,
    ServerError,
    error_for_status,
    redact,
    register_secret,
)
from client.http import MeshyClient, never_sent
from client.retry import RetryPolicy, parse_retry_after
from client.sse import error_event, parse_json
from client.tasks import Task, TaskStatus
from client.uploads import FileInput, StreamingBody, b64_length, build_upload_body, naive_body, normalize_image

ROOT = Path(__file__).resolve().parent.parent
KEY = "msy_secret_key_for_unit_tests_ABCDEF123456"


# ----------------------------------------------------------------- import rule


def test_client_imports_without_bpy() -> None:
    code = "import sys; sys.modules['bpy'] = None; import client; import client.http; print(client.MeshyClient)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "MeshyClient" in out.stdout


def test_client_never_mentions_bpy() -> None:
    for path in (ROOT / "client").glob("*.py"):
        text = path.read_text()
        assert "import bpy" not in text, path


# ----------------------------------------------------------------- Retry-After, backoff


def test_retry_after_seconds_and_dates() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(later, now=now) == pytest.approx(30)
    earlier = format_datetime(now - timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(earlier, now=now) == 0.0


def test_backoff_grows_with_jitter_and_cap() -> None:
    p = RetryPolicy(base=1, cap=8, rand=lambda: 1.0)
    assert [p.delay(a) for a in (1, 2, 3, 4, 5, 6)] == [1, 2, 4, 8, 8, 8]
    low = RetryPolicy(base=1, cap=8, rand=lambda: 0.0)
    assert [low.delay(a) for a in (1, 2, 3)] == [0.5, 1, 2]


def test_backoff_honours_retry_after_up_to_a_cap() -> None:
    p = RetryPolicy(base=1, cap=8, max_retry_after=60)
    assert p.delay(1, retry_after=7) == 7
    assert p.delay(1, retry_after=6000) == 60
    slept: list[float] = []
    p = RetryPolicy(sleep=slept.append, rand=lambda: 0.5)
    p.wait(1, retry_after=2.5)
    assert slept == [2.5]


# ----------------------------------------------------------------- tasks


def test_task_tolerates_missing_unknown_and_null_fields() -> None:
    t = Task.from_json({"id": "x", "status": "IN_PROGRESS", "progress": 40, "brand_new": {"a": 1}})
    assert t.id == "x" and t.progress == 40 and not t.is_terminal
    assert t.get("brand_new") == {"a": 1} and t.raw["brand_new"] == {"a": 1}
    assert t.model_urls == {} and t.texture_urls == [] and t.task_error is None
    t = Task.from_json({"id": "y", "status": "SUCCEEDED", "task_error": None, "model_urls": None})
    assert t.task_error is None and t.model_urls == {} and t.succeeded and t.error_message == ""


def test_task_error_object_and_failed_message() -> None:
    t = Task.from_json(
        {
            "id": "z",
            "status": "FAILED",
            "consumed_credits": 0,
            "task_error": {"message": "Model has no UVs.", "type": "invalid_input", "code": "model_missing_uv"},
        }
    )
    assert t.is_terminal and not t.succeeded
    assert t.task_error.code == "model_missing_uv" and t.task_error.type == "invalid_input"
    assert t.error_message == "Model has no UVs."
    assert Task.from_json({"id": "q", "status": "FAILED"}).error_message.endswith(".")
    assert Task.from_json({"id": "q", "status": "FAILED", "task_error": {"message": ""}}).error_message


@pytest.mark.parametrize("status", ["PENDING", "IN_PROGRESS", "SUCCEEDED", "FAILED", "CANCELED"])
def test_every_documented_status(status: str) -> None:
    t = Task.from_json({"id": "a", "status": status})
    assert t.status_enum == TaskStatus(status)
    assert t.is_terminal == (status in ("SUCCEEDED", "FAILED", "CANCELED"))


def test_unknown_status_is_kept_as_a_string() -> None:
    t = Task.from_json({"id": "a", "status": "EXPIRED_SOMEHOW"})
    assert t.status == "EXPIRED_SOMEHOW" and t.status_enum is None and not t.is_terminal


def test_partial_update_merges_into_full_task() -> None:
    full = Task.from_json({"id": "a", "type": "remesh", "status": "PENDING", "created_at": 5, "x": 1})
    upd = full.merged({"id": "a", "progress": 50, "status": "IN_PROGRESS"})
    assert upd.type == "remesh" and upd.progress == 50 and upd.created_at == 5 and upd.get("x") == 1
    assert full.progress == 0  # the original is untouched


def test_seed_json_with_trailing_commas_parses() -> None:
    # Meshy's own examples end objects with "consumed_credits": 30, }
    assert parse_json('{"id": "a", "task_error": null,\n}') == {"id": "a", "task_error": None}


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (402, errors.InsufficientCreditsError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (422, errors.UnprocessableError),
        (429, errors.RateLimitError),
        (500, errors.ServerError),
        (502, errors.ServerError),
        (503, errors.ServerError),
    ],
)
def test_one_class_per_status(status: int, cls: type) -> None:
    exc = error_for_status(status, "Something happened.")
    assert type(exc) is cls and exc.status == status
    assert str(exc).endswith(".") and str(exc).count(". ") == 0
    assert isinstance(exc, errors.MeshyError)


def test_429_flavours_told_apart_by_message() -> None:
    rate = error_for_status(429, "RateLimitExceeded")
    queue = error_for_status(429, "NoMoreConcurrentTasks: too many tasks")
    assert type(rate) is RateLimitError
    assert type(queue) is QueueFullError and isinstance(queue, RateLimitError)
    assert "unfinished tasks" in str(queue)


def test_key_never_in_messages_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    client = MeshyClient(KEY, "http://127.0.0.1:9")
    assert KEY not in repr(client) and KEY not in str(client)
    exc = error_for_status(401, f"Invalid key {KEY} in header Authorization: Bearer {KEY}")
    assert KEY not in str(exc) and KEY not in repr(exc) and KEY not in exc.server_message
    assert isinstance(exc, AuthenticationError)
    other = errors.MeshyError(f"oops Bearer {KEY}")
    assert KEY not in str(other)
    assert redact("msy_abcdefghijklmnop") == "msy_***"
    with caplog.at_level(logging.DEBUG, logger="meshy"):
        logging.getLogger("meshy").info("%s", redact(f"Authorization: Bearer {KEY}"))
    assert KEY not in caplog.text


def test_meshy_logger_redacts_even_careless_messages(caplog: pytest.LogCaptureFixture) -> None:
    import client  # noqa: F401  (installs the filter)

    MeshyClient(KEY, "http://127.0.0.1:9")
    with caplog.at_level(logging.DEBUG, logger="meshy"):
        logging.getLogger("meshy").warning("header was %s", f"Bearer {KEY}")
    assert KEY not in caplog.text and "***" in caplog.text


def test_register_secret_hides_arbitrary_keys() -> None:
    register_secret("plainsecretvalue")
    assert "plainsecretvalue" not in redact("x plainsecretvalue y")


# ----------------------------------------------------------------- never_sent


def test_never_sent_distinguishes_refused_from_reset() -> None:
    s = requests.Session()
    with pytest.raises(requests.ConnectionError) as refused:
        s.post("http://127.0.0.1:9/x", data=b"{}", timeout=2)
    assert never_sent(refused.value)
    reset = requests.ConnectionError(
        __import__("urllib3").exceptions.ProtocolError("Connection aborted.", ConnectionResetError(104, "reset"))
    )
    assert not never_sent(reset)
    assert not never_sent(requests.exceptions.ReadTimeout("read timed out"))
    assert never_sent(requests.exceptions.ConnectTimeout("connect timed out"))


# ----------------------------------------------------------------- SSE helpers


def test_error_event_404_is_not_found_and_other_is_stream_error() -> None:
    assert isinstance(error_event('{"status_code": 404, "message": "Task not found"}'), errors.NotFoundError)
    exc = error_event('{"status_code": 500, "message": "boom"}')
    assert isinstance(exc, errors.StreamError) and exc.status_code == 500
    assert isinstance(error_event("not json"), errors.StreamError)


# ----------------------------------------------------------------- file names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("model.glb", "model.glb"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("CON.txt", "_CON.txt"),
        ("nul", "_nul"),
        ("a b:c*d?.png", "a_b_c_d.png"),
        ("", "download"),
        ("...", "download"),
        ("ünïcødé.png", "unicde.png"),
        (".hidden", "hidden"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_safe_filename_limits_length_and_keeps_extension() -> None:
    out = safe_filename("x" * 500 + ".glb")
    assert out.endswith(".glb") and len(out) <= 120


def test_filename_from_signed_url_drops_query() -> None:
    url = "https://assets.meshy.ai/a/tasks/1/output/model.glb?Expires=123&Signature=abc"
    assert filename_from_url(url) == "model.glb"


# ----------------------------------------------------------------- upload body


def _read_all(body: object, n: int) -> bytes:
    if isinstance(body, bytes):
        return body
    out = []
    while True:
        chunk = body.read(n)  # type: ignore[attr-defined]
        if not chunk:
            return b"".join(out)
        out.append(chunk)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 3 * 1024 + 1, 300_001])
@pytest.mark.parametrize("read_size", [1, 7, 16384, 10**7])
def test_streamed_body_equals_naive_json(tmp_path: Path, size: int, read_size: int) -> None:
    if read_size == 1 and size > 5000:
        pytest.skip("too slow byte by byte")
    f = tmp_path / "m.glb"
    f.write_bytes(bytes(range(256)) * (size // 256) + bytes(size % 256))
    # built directly: FileInput.model refuses a 0-byte file, the encoder itself must still handle one
    fi = FileInput(str(f), "application/octet-stream") if size == 0 else FileInput.model(f)
    payload = {"model_url": fi, "topology": "quad", "target_formats": ["glb"], "note": "é\"x"}
    body, length = build_upload_body(payload, chunk_size=3 * 100)
    data = _read_all(body, read_size)
    assert len(data) == length
    assert data == naive_body(payload)
    decoded = json.loads(data)
    assert decoded["model_url"].startswith("data:application/octet-stream;base64,")
    assert base64.b64decode(decoded["model_url"].split(",", 1)[1]) == f.read_bytes()


def test_body_with_several_files_in_a_list(tmp_path: Path) -> None:
    paths = []
    for i in range(3):
        p = tmp_path / f"{i}.png"
        Image.new("RGB", (4 + i, 4), (i, 2, 3)).save(p)
        paths.append(p)
    payload = {"reference_image_urls": [FileInput.image(p) for p in paths], "prompt": "x"}
    body, length = build_upload_body(payload)
    assert isinstance(body, StreamingBody) and len(body) == length
    assert b"".join(iter(body)) == naive_body(payload)


def test_body_without_files_is_plain_bytes() -> None:
    body, length = build_upload_body({"input_task_id": "abc", "target_polycount": 500})
    assert body == b'{"input_task_id":"abc","target_polycount":500}' and length == len(body)


def test_chunk_size_must_be_a_multiple_of_three() -> None:
    with pytest.raises(ValueError):
        build_upload_body({}, chunk_size=1000)


def test_b64_length() -> None:
    for n in range(0, 50):
        assert b64_length(n) == len(base64.b64encode(b"x" * n))


def test_streamed_body_memory_is_small(tmp_path: Path) -> None:
    import tracemalloc

    f = tmp_path / "big.glb"
    size = 16 * 1024 * 1024
    with open(f, "wb") as fh:
        fh.truncate(size)
    body, length = build_upload_body({"model_url": FileInput.model(f)})
    tracemalloc.start()
    total = 0
    while chunk := body.read(16384):
        total += len(chunk)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert total == length
    assert peak <= 0.1 * length, peak


# ----------------------------------------------------------------- image normalisation


def _save(path: Path, im: Image.Image, fmt: str | None = None, **kw) -> Path:
    im.save(path, fmt, **kw)
    return path


def test_rgb_png_and_jpeg_pass_through(tmp_path: Path) -> None:
    png = _save(tmp_path / "a.png", Image.new("RGBA", (10, 10)))
    jpg = _save(tmp_path / "a.jpg", Image.new("RGB", (10, 10)))
    assert normalize_image(str(png)) == (str(png), "image/png")
    assert normalize_image(str(jpg)) == (str(jpg), "image/jpeg")
    fi = FileInput.image(jpg)
    assert fi.path == str(jpg) and fi.mime == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "mode", "fmt"),
    [
        ("a.webp", "RGB", "WEBP"),
        ("a.tiff", "RGB", "TIFF"),
        ("a.bmp", "RGB", "BMP"),
        ("a.gif", "P", "GIF"),
        ("p.png", "P", "PNG"),
        ("g16.png", "I;16", "PNG"),
        ("la.png", "LA", "PNG"),
        ("l.png", "L", "PNG"),
        ("cmyk.jpg", "CMYK", "JPEG"),
    ],
)
def test_other_images_become_8bit_png_or_jpeg(tmp_path: Path, name: str, mode: str, fmt: str) -> None:
    im = Image.new(mode, (20, 10))
    if mode == "I;16":
        im = Image.frombytes("I;16", (20, 10), bytes(range(256)) * 1 + b"\xff\xff" * 72)
    src = _save(tmp_path / name, im, fmt)
    path, mime = normalize_image(str(src))
    assert path != str(src) and mime in ("image/png", "image/jpeg")
    with Image.open(path) as out:
        assert out.format in ("PNG", "JPEG") and out.mode in ("RGB", "RGBA") and out.size == (20, 10)


def test_sixteen_bit_values_are_scaled_not_clipped(tmp_path: Path) -> None:
    im = Image.new("I;16", (4, 4))
    im.putpixel((0, 0), 65535)
    im.putpixel((1, 0), 32768)
    src = _save(tmp_path / "g.png", im)
    with Image.open(normalize_image(str(src))[0]) as out:
        assert out.getpixel((0, 0))[0] == 255 and 120 <= out.getpixel((1, 0))[0] <= 135
        assert out.getpixel((2, 0))[0] == 0


def test_oversize_image_is_downscaled(tmp_path: Path) -> None:
    src = _save(tmp_path / "big.png", Image.new("RGB", (300, 120)))
    path, mime = normalize_image(str(src), max_side=100)
    with Image.open(path) as out:
        assert max(out.size) == 100 and out.size == (100, 40) and mime == "image/png"
    jpg = _save(tmp_path / "big.jpg", Image.new("RGB", (300, 120)))
    path, mime = normalize_image(str(jpg), max_side=100)
    assert mime == "image/jpeg" and Image.open(path).size == (100, 40)


def test_not_an_image_or_missing_is_a_clear_validation_error(tmp_path: Path) -> None:
    bogus = tmp_path / "x.png"
    bogus.write_text("not an image")
    with pytest.raises(errors.ValidationError, match="not an image"):
        FileInput.image(bogus)
    with pytest.raises(errors.ValidationError, match="does not exist"):
        FileInput.image(tmp_path / "missing.png")


def test_model_file_rules(tmp_path: Path) -> None:
    with pytest.raises(errors.ValidationError, match="does not exist"):
        FileInput.model(tmp_path / "missing.glb")
    bad = tmp_path / "x.blend"
    bad.write_bytes(b"x")
    with pytest.raises(errors.ValidationError, match="not a supported model file"):
        FileInput.model(bad)
    for ext in (".glb", ".gltf", ".obj", ".fbx", ".stl", ".GLB"):
        p = tmp_path / f"m{ext}"
        p.write_bytes(b"x")
        assert FileInput.model(p).mime == "application/octet-stream"


def test_fileinput_round_trips_through_json(tmp_path: Path) -> None:
    p = tmp_path / "m.glb"
    p.write_bytes(b"x")
    fi = FileInput.model(p)
    d = json.loads(json.dumps(fi.to_dict()))
    assert d == {"file": str(p), "mime": "application/octet-stream"}
    assert FileInput.from_dict(d) == fi


def test_server_error_class_is_exported() -> None:
    assert issubclass(ServerError, errors.APIError)
