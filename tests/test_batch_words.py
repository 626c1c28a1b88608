"""The batch CLI in its own words, its console and its summary, in a plain Python (no bpy).

Every refusal names the flag the user typed; the console redraws one bar per
asset on a terminal and writes a line per milestone elsewhere; a rerun's
summary separates what this run spent from the batch's total.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from meshy_tools.batch import args, checks, progress, report
from meshy_tools.core.progress import Milestones
from meshy_tools.core.settings import Settings


def settings() -> Settings:
    return Settings(api_key="msy_x", base_url="http://127.0.0.1:9", max_in_flight=10, download_dir=Path("/tmp/dl"),
                    user_dir=Path("/tmp/user"))


def refusal(argv: list[str]) -> str:
    """What the CLI says for ``argv`` (files given as positional inputs), before anything is read or sent."""
    ns = args.parse(argv)
    options = args.task_options(ns)
    api = {k: v for k, v in options.items() if k not in args.FILE_OPTIONS}
    explicit = bool(options.get("input_task_id") or options.get("model_url") or options.get("image_url"))
    with pytest.raises(args.UsageError) as caught:
        checks.check_args(ns.command, api, explicit, settings(), given=options)
    return str(caught.value)


def test_every_refusal_names_the_flag_that_was_typed():
    assert refusal(["remesh", "a.glb", "-o", "out", "--target-polycount", "50"]) == \
        "--target-polycount must be between 100 and 300,000, not 50."
    assert refusal(["retexture", "a.glb", "-o", "out"]) == "Give either --text-style-prompt or --style-image-path."
    assert refusal(["retexture", "a.glb", "-o", "out", "--text-style-prompt", "x" * 601]) == \
        "--text-style-prompt is 601 characters long, over the limit of 600."
    assert refusal(["retexture", "a.glb", "-o", "out", "--image-style-url", "ftp://host/a.png"]) == \
        "--image-style-url must be an http(s) URL, a data URI or a local file."
    assert refusal(["remesh", "a.glb", "-o", "out", "--decimation-mode", "7"]) == \
        "--decimation-mode must be between 1 and 4, not 7."
    assert refusal(["remesh", "a.glb", "-o", "out", "--auto-size", "--resize-height", "2"]) == \
        "--auto-size and --resize-height cannot be used together."
    assert refusal(["image-to-3d", "a.png", "-o", "out", "--texture-prompt", " "]) == \
        "--texture-prompt must not be empty."
    assert refusal(["image-to-3d", "-o", "out", "--input-task-id", "a b"]) == \
        "--input-task-id must not contain spaces or control characters."
    urls = [u for i in range(6) for u in ("--reference-image-urls", f"https://x.test/{i}.png")]
    assert refusal(["image-to-image", "a.png", "-o", "out", "--prompt", "gold", *urls]) == \
        "--reference-image-urls must hold 1 to 5 images, not 7."


def test_no_api_name_is_left_in_any_sentence_of_a_kind():
    """Whatever a request model says about a field, the CLI says it with a flag or as the input file."""
    for kind in args.KINDS:
        words = checks.flag_words(kind)
        for field, word in words.items():
            text = checks.in_flags(f"{field} must be set", kind)
            assert field not in text.replace(word, ""), (kind, field, text)
            assert word.startswith("--") or word == "the input file"


def test_a_typed_flag_wins_and_positional_inputs_are_the_input_file():
    words = checks.flag_words("retexture", given={"image_style_url"})
    assert words["image_style_url"] == "--image-style-url" and words["model_url"] == "the input file"
    assert checks.flag_words("retexture", positional=False)["model_url"] == "--model-url"
    assert checks.in_flags("model_url must point to a .glb file", "remesh") == \
        "The input file must point to a .glb file."


def test_a_terminal_gets_one_redrawn_line_per_asset():
    class Terminal(io.StringIO):
        encoding = "utf-8"

        def isatty(self) -> bool:
            return True

    stream = Terminal()
    now = [0.0]
    console = progress.Progress(stream, live=None, footer=lambda: "0/2 done", clock=lambda: now[0])
    assert console.live
    for percent in range(0, 101, 5):
        now[0] += 1.0
        console.update("ball", "IN_PROGRESS", percent)
        console.update("box", "PENDING", 0)
    console.note("ball: created task t1")
    console.finish("ball")
    console.close()
    text = stream.getvalue()
    assert text.count("\x1b[") > 40 and "\r" in text  # redrawn in place, not appended
    assert text.count("\n") < 200 and "ball: created task t1\n" in text
    assert "█" * progress.BAR + " 100%  IN_PROGRESS" in text  # the bar, drawn full
    frames = text.split("\x1b[3F")
    assert len(frames) > 15 and all(f.count("\n") <= 4 for f in frames[1:])  # each frame: the same few lines
    last = text.split("\x1b[J")[-3]  # the frame drawn after ball finished, before close() erased it
    assert "box" in last and "ball" not in last and text.endswith("\r\x1b[J")


def test_elsewhere_a_line_per_state_and_tenth():
    stream = io.StringIO()  # not a terminal
    console = progress.Progress(stream)
    assert not console.live
    for percent in range(0, 100):
        console.update("ball", "IN_PROGRESS", percent)
    console.update("ball", "SUCCEEDED", 100)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 11 and lines[0] == "meshy: ball: IN_PROGRESS 0%" and lines[-1].endswith("SUCCEEDED 100%")
    assert "\x1b" not in stream.getvalue()
    quiet = io.StringIO()
    progress.Progress(quiet, quiet=True).update("ball", "IN_PROGRESS", 50)
    assert quiet.getvalue() == ""


def test_milestones():
    seen = Milestones()
    assert [p for p in [*range(0, 100, 3), 100] if seen.worth("j", "IN_PROGRESS", p)] == [
        0, 12, 21, 30, 42, 51, 60, 72, 81, 90, 100]
    assert seen.worth("j", "SUCCEEDED", 100) and not seen.worth("j", "SUCCEEDED", 100)


def test_a_rerun_summary_separates_this_run_from_the_batch():
    def entry(status: str, credits: int | None, this_run: str) -> dict:
        return {"status": status, "credits": credits, "estimated_credits": credits, "this_run": this_run}

    s = report.summary([entry("succeeded", 5, "done earlier"), entry("succeeded", 5, "created"),
                        entry("failed", None, "created")])
    assert s["credits"] == 10 and s["credits_this_run"] == 5
    assert report.counts_text(s) == "1 failed, 2 succeeded (1 done earlier)"
    assert report.credits_text(s) == "5 credits spent in this run, 10 for the batch"
    assert report.credits_text(report.summary([{"status": "succeeded", "credits": 5, "estimated_credits": 5}])) == \
        "5 credits used"
