"""The asset catalogs file and what an asset says, without Blender (``core/asset_catalogs.py``).

Blender's format: comments, one ``VERSION 1`` line, then ``uuid:path:simple name``
lines. The file on disk is hostile: garbage is dropped, never fatal, and the
user's own catalogs and comments stay.
"""

from __future__ import annotations

import uuid

import pytest

from meshy_tools.core import asset_catalogs as ac

USER = "1b4d6f0e-0000-4000-8000-000000000001:Props/Mine:Props-Mine"


def catalog_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if ac.parse_line(line.strip())]


def test_catalog_per_kind_is_stable_and_distinct():
    a, b = ac.catalog_for("image-to-3d"), ac.catalog_for("remesh")
    assert a == ac.catalog_for("image-to-3d")  # same UUID on every call, machine and run
    assert a.uuid == str(uuid.uuid5(ac.NAMESPACE, "meshy_tools/image-to-3d"))
    assert a.uuid != b.uuid
    assert (a.path, a.simple_name) == ("Meshy/Image to 3D", "Meshy-Image to 3D")
    assert ac.catalog_for("text-to-3d").path == "Meshy/Text to 3D"  # the kinds added later have titles too
    assert ac.catalog_for("some-future-kind").path == "Meshy/some-future-kind"  # without a title: its id
    assert ac.catalog_for("evil:kind/with\nbreaks").path == "Meshy/evil kind with breaks"


def test_new_file_in_blenders_format():
    text = ac.merge("", ac.catalogs_for(["remesh", "remesh", "image-to-3d"]))
    lines = text.splitlines()
    assert lines[0].startswith("# This is an Asset Catalog Definition file for Blender.")
    body = [line for line in lines if line and not line.startswith("#")]
    assert body[0] == "VERSION 1"
    assert [line.split(":")[1] for line in body[1:]] == ["Meshy", "Meshy/Remesh", "Meshy/Image to 3D"]
    assert text.endswith("\n")


def test_merge_keeps_the_users_lines_and_adds_nothing_twice():
    existing = f"# my catalogs\nVERSION 1\n\n{USER}\n{ac.catalog_for('remesh').line()}\n"
    text = ac.merge(existing, ac.catalogs_for(["remesh", "retexture"]))
    assert text.startswith("# my catalogs\nVERSION 1\n")
    assert text.count(ac.catalog_for("remesh").uuid) == 1
    assert USER in text and ac.catalog_for("retexture").uuid in text
    assert ac.merge(text, ac.catalogs_for(["remesh", "retexture"])) == text  # merging again changes nothing


@pytest.mark.parametrize("garbage", [
    "garbage", "not-a-uuid:path:name", "VERSION 1", "\x00\x01binary", "x" * 10_000,
    "1b4d6f0e-0000-4000-8000-000000000001::empty path", "\ufffd\ufffd",
])
def test_garbage_lines_are_dropped_never_fatal(garbage):
    existing = f"VERSION 1\n{USER}\n{garbage}\n"
    text = ac.merge(existing, ac.catalogs_for(["remesh"]))
    assert text.count("VERSION 1") == 1
    assert USER in text and ac.catalog_for("remesh").uuid in text
    if garbage != "VERSION 1":
        assert garbage not in text


def test_a_file_without_version_gets_one_before_its_first_catalog():
    text = ac.merge(f"# notes\n{USER}\n", ac.catalogs_for(["remesh"]))
    body = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert body[0] == "VERSION 1" and body[1] == USER
    text = ac.merge("just garbage\n", ac.catalogs_for(["remesh"]))
    assert [line for line in text.splitlines() if line and not line.startswith("#")][0] == "VERSION 1"


def test_duplicate_uuid_in_the_file_is_kept_once():
    text = ac.merge(f"VERSION 1\n{USER}\n{USER.replace('Mine', 'Other')}\n", [])
    assert len(catalog_lines(text)) == 1


def test_write_catalogs_reads_hostile_bytes_and_writes_atomically(tmp_path):
    path = tmp_path / ac.CATS_FILE
    path.write_bytes(b"\xef\xbb\xbfVERSION 1\n" + USER.encode() + b"\n\xff\xfe\x00garbage\n")
    assert ac.write_catalogs(tmp_path, ["image-to-3d"]) == path
    text = path.read_text(encoding="utf-8")
    assert USER in text and "garbage" not in text and ac.catalog_for("image-to-3d").uuid in text
    assert ac.catalog_ids(text) == {ac.root_catalog().uuid, ac.catalog_for("image-to-3d").uuid,
                                    "1b4d6f0e-0000-4000-8000-000000000001"}
    mtime = path.stat().st_mtime_ns
    ac.write_catalogs(tmp_path, ["image-to-3d"])
    assert path.stat().st_mtime_ns == mtime  # nothing new: not rewritten
    assert sorted(p.name for p in tmp_path.iterdir()) == [ac.CATS_FILE]  # no temporary file left


def test_write_catalogs_makes_the_folder(tmp_path):
    path = ac.write_catalogs(tmp_path / "new" / "library", ["remesh"])
    assert path.is_file() and ac.catalog_for("remesh").uuid in path.read_text()


def test_oversized_file_is_read_up_to_the_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(ac, "MAX_READ", 200)
    path = tmp_path / ac.CATS_FILE
    path.write_text("VERSION 1\n" + USER + "\n" + ("# padding\n" * 100), encoding="utf-8")
    text = ac.read_text(path)
    assert USER in text and len(text) <= 200


def test_description_holds_prompt_and_task_id():
    text = ac.description("image-to-3d", "0193-abc", {"texture_prompt": "rusty\x00 tin\nrobot"})
    assert text == "rusty tin robot\nMeshy Image to 3D, task 0193-abc"
    assert ac.description("remesh", "t1", {}) == "Meshy Remesh, task t1"
    long = ac.description("retexture", "t2", {"text_style_prompt": "w" * 5000})
    assert len(long) <= ac.MAX_DESCRIPTION and long.endswith("Meshy Retexture, task t2")


def test_tags_from_the_settings():
    assert ac.tags("image-to-3d", {"ai_model": "meshy-5", "topology": "quad"}) == [
        "meshy", "image-to-3d", "meshy-5", "quad"]
    assert ac.tags("image-to-3d", {}) == ["meshy", "image-to-3d", "latest"]  # Meshy's default model
    assert ac.tags("remesh", {"topology": "triangle"}) == ["meshy", "remesh", "triangle"]
    assert ac.tags("remesh", {"topology": "x" * 500, "ai_model": 5})[2] == "x" * ac.MAX_TAG
