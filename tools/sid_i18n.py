"""Japanese and Chinese in a real Blender 5.2 binary (blender-sid), where the language really switches.

The bpy wheels of tier 2 are built without translations; Debian's Blender 5.2 has them. This
installs dist/*linux_x64.zip into a fresh user folder, starts the emulator here, and runs
tools/sid_scripts/i18n_check.py in ``blender -b``: per Interface language it reads every Meshy
operator label as Blender draws it and runs the bad-input tests (tests/blender/test_bad_inputs.py),
keeping the error text bpy.ops raises. Passes when, in ja_JP and zh_HANS, every label and every
error is translated (Japanese or Chinese script, no English sentence left beyond values such as
names, numbers and Meshy's own words), in en_US all of it is the English of the code, and with
"Translate Reports" off the errors are English again.

    python tools/sid_i18n.py [ZIP]      # needs root and `blender-sid setup`; make test-sid runs it
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
import types
from pathlib import Path

from sid_common import BLENDER_SID, ROOT, linux_zip

if "meshy_tools" not in sys.modules:  # the bpy-free matcher, to tell values from untranslated text
    _pkg = types.ModuleType("meshy_tools")
    _pkg.__path__ = [str(ROOT)]
    sys.modules["meshy_tools"] = _pkg
from meshy_tools.i18n import CONTEXT, po  # noqa: E402
from meshy_tools.i18n.match import Matcher  # noqa: E402

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
ENGLISH = re.compile(r"(?<![\w./{])(?:[A-Za-z][a-z']+ ){3}[A-Za-z][a-z']+(?![\w/])")
PREFIX = re.compile(r"^[^:：]{1,12}[:：]\s*")  # "Error: ", "エラー: ", "错误: " before the report
TMP = re.compile(r"/tmp/meshy-i18n-\w+")  # each run's own scratch folder


def body(text: str) -> str:
    return TMP.sub("<tmp>", PREFIX.sub("", text))


def english_left(text: str, english: str, matcher: Matcher) -> list[str]:
    ours = text.replace("Meshy Tools", "_")
    for value in sorted(matcher.kept_values(english), key=len, reverse=True):
        ours = ours.replace(value, "_")
    return ENGLISH.findall(ours)


def judge(runs: list[dict], matcher: Matcher) -> list[str]:
    by = {(r["language"], r["reports"]): r for r in runs}
    problems: list[str] = []
    english = by[("en_US", True)]
    for label, shown in english["labels"].items():
        if shown != label:
            problems.append(f"en_US: label {label!r} shown as {shown!r}")
    english_errors = {name: body(text) for name, text in english["errors"].items()}
    for name, text in english_errors.items():
        if text.startswith(("FAILED", "NO SENTENCE")) or CJK.search(text):
            problems.append(f"en_US: {name}: {text!r}")
    for language in ("ja_JP", "zh_HANS"):
        run = by[(language, True)]
        if run["locale"] != language:
            problems.append(f"{language}: Blender's locale is {run['locale']!r}")
        for label, shown in run["labels"].items():
            if not CJK.search(shown):
                problems.append(f"{language}: label {label!r} not translated ({shown!r})")
        for name, text in run["errors"].items():
            shown = body(text)
            if text.startswith(("FAILED", "NO SENTENCE")) or not CJK.search(shown):
                problems.append(f"{language}: {name}: {text!r}")
            elif english_left(shown, english_errors.get(name, ""), matcher):
                problems.append(f"{language}: {name}: English left in {text!r}")
    off = by[("ja_JP", False)]
    for name, text in off["errors"].items():
        if body(text) != english_errors.get(name):
            problems.append(f"ja_JP, Translate Reports off: {name}: {text!r} is not the English sentence")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("zip", nargs="?", type=Path, help="default: dist/*linux_x64.zip")
    ap.add_argument("--show", action="store_true", help="print every Japanese and Chinese label and error")
    args = ap.parse_args()
    zip_path = linux_zip(args.zip, "sid_i18n")
    emulator = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--pending-seconds", "0.05",
                                 "--run-seconds", "0.2"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    url = emulator.stdout.readline().strip()
    script = (
        "set -e; export BLENDER_USER_RESOURCES=$(mktemp -d /tmp/meshy-i18n.XXXX); "
        "trap 'rm -rf \"$BLENDER_USER_RESOURCES\"' EXIT; "
        "blender --command extension install-file -r user_default --enable "
        f"/project/{shlex.quote(str(zip_path.relative_to(ROOT)))} >/dev/null; "
        "blender -b --python-exit-code 1 --python /project/tools/sid_scripts/i18n_check.py "
        f"-- url={shlex.quote(url)}"
    )
    try:
        proc = subprocess.run([str(BLENDER_SID), "run", "bash", "-c", script], cwd=ROOT, capture_output=True,
                              text=True, timeout=900)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    out = proc.stdout + proc.stderr
    runs = [json.loads(line[5:]) for line in out.splitlines() if line.startswith("I18N ")]
    if proc.returncode != 0 or len(runs) != 4:
        print(out[-4000:])
        print(f"sid_i18n: FAIL (exit {proc.returncode}, {len(runs)} of 4 languages reported)")
        return 1
    pot = po.read(ROOT / "i18n" / "meshy_tools.pot")
    problems = judge(runs, Matcher((e.msgid, e.template) for e in pot.entries if e.msgctxt in (None, CONTEXT)))
    for run in runs:
        sample = next(iter(run["errors"].items()))
        print(f"{run['language']:8} reports={run['reports']!s:5} labels={len(run['labels'])} "
              f"errors={len(run['errors'])} tr()={run['tr_us']:.1f} µs  e.g. {sample[0]}: {sample[1][:80]}")
    if "--show" in sys.argv:
        for run in runs[:2]:
            print("\n".join(f"  {v}" for v in [*run["labels"].values(), *run["errors"].values()]))
    for problem in problems:
        print("  " + problem)
    print("sid_i18n:", "PASS" if not problems else f"FAIL ({len(problems)} problems)")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
