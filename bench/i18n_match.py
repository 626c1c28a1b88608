"""Translating a sentence at the UI boundary (``i18n.match``): what a sidebar redraw and a report pay.

``tr()`` runs on Blender's main thread for every sentence a panel draws (a few dozen per redraw)
and every report. A sentence's plan (which message or template, which values) is cached, so a
redraw pays a cached lookup, a dict lookup per message and a ``str.format``. Measured on real
sentences: request checks, HTTP errors, ``core.messages``, the view-models' labels.

Targets: a cached translation within 15x of the bare minimum (a dict ``get`` and a
``str.format`` of one template) and under 20 µs; a first (uncached) one under 200 µs on this
shared 2-core machine; the catalogs read and the templates compiled in under 0.2 s (once, at
register and at the first sentence).
"""

from __future__ import annotations

import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if "meshy_tools" not in sys.modules:
    _pkg = types.ModuleType("meshy_tools")
    _pkg.__path__ = [str(ROOT)]
    sys.modules["meshy_tools"] = _pkg

from meshy_tools.client import errors  # noqa: E402
from meshy_tools.client.models import ImageToImageRequest, RemeshRequest, RetextureRequest  # noqa: E402
from meshy_tools.core import messages  # noqa: E402
from meshy_tools.i18n import CONTEXT, po  # noqa: E402
from meshy_tools.i18n.match import Matcher  # noqa: E402

RATIO_TARGET = 15.0
CACHED_TARGET_US = 20.0
FIRST_TARGET_US = 200.0
LOAD_TARGET_S = 0.2


def sentences() -> list[str]:
    out = []
    for request in (RemeshRequest(model_url="https://x/a.glb", target_polycount=50),
                    RemeshRequest(model_url="https://x/a.glb", topology="hex"),
                    RetextureRequest(model_url="https://x/a.glb", text_style_prompt="a" * 601),
                    ImageToImageRequest(ai_model="dall-e", prompt="x")):
        try:
            request.validate()
        except errors.MeshyError as exc:
            out += [exc.message, messages.explain(exc, "preparing the remesh task")]
    for status in (400, 401, 402, 404, 429, 500):
        exc = errors.error_for_status(status, "Server said no")
        out += [exc.message, messages.explain(exc)]
    out += [messages.top_up_hint(12, 30), messages.STOPPED_WAITING, "Credits: 9,995", "≈ 5 credits · 9,995 left",
            "Selection: Cube", "Running 7%", "Remesh · 24s", "Meshy remesh failed for Chair: Not enough Meshy credits "
            "for this task: top up at https://www.meshy.ai/settings/subscription and run it again.",
            "A sentence no catalog has, which stays in English."]
    return out


def per_call(work, calls: int, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(calls):
            work()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def main() -> dict:
    start = time.perf_counter()
    catalogs = {name: po.read(ROOT / "i18n" / f"{name}.po") for name in ("ja_JP", "zh_HANS")}
    entries = catalogs["ja_JP"].entries
    matcher = Matcher((e.msgid, e.template) for e in entries if e.msgctxt in (None, CONTEXT))
    load_s = time.perf_counter() - start
    table = {e.msgid: e.msgstr for e in entries if e.msgctxt in (None, CONTEXT) and e.translated}
    texts = sentences()

    def cached() -> None:
        for text in texts:
            matcher.translate(text, table.get)

    def first() -> None:
        matcher.plan.cache_clear()
        for text in texts:
            matcher.translate(text, table.get)

    template, values = "{name} は {lo}〜{hi} の範囲で指定してください（指定値：{value}）", \
        {"name": "target_polycount", "lo": "100", "hi": "300,000", "value": "50"}

    def bare() -> None:
        for _ in texts:
            table.get("Write a prompt")
            template.format_map(values)

    cached()  # warm the cache
    cached_us = per_call(cached, 200) / len(texts) * 1e6
    first_us = per_call(first, 20) / len(texts) * 1e6
    bare_us = per_call(bare, 200) / len(texts) * 1e6
    ratio = cached_us / bare_us
    ok = ratio <= RATIO_TARGET and cached_us <= CACHED_TARGET_US and first_us <= FIRST_TARGET_US \
        and load_s <= LOAD_TARGET_S
    print(f"catalogs read and {len(matcher.loose) + sum(map(len, matcher.by_word.values()))} templates compiled: "
          f"{load_s * 1000:.1f} ms (target < {LOAD_TARGET_S * 1000:.0f} ms)")
    print(f"{len(texts)} real sentences, ja_JP: cached {cached_us:.2f} µs each (bare dict.get + format "
          f"{bare_us:.2f} µs: {ratio:.1f}x, target <= {RATIO_TARGET:.0f}x and <= {CACHED_TARGET_US:.0f} µs); "
          f"first time {first_us:.1f} µs each (target <= {FIRST_TARGET_US:.0f} µs)")
    print("i18n_match:", "PASS" if ok else "FAIL")
    return {"load_ms": load_s * 1000, "cached_us": cached_us, "first_us": first_us, "bare_us": bare_us,
            "ratio": ratio, "ok": ok}


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
