"""`make bench`: run every bench module, each in its own process, then list all figures.

A bench module is any ``bench/*.py`` (but this one) with a ``main() -> dict``
that prints its own figures and targets and returns them. Each runs in a fresh
interpreter, so one module's threads, bpy state or emulator cannot skew
another's timings. ``bench/run.py scale upload_body`` runs only those.
Exit status 1 if a module crashed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARK = "BENCH-RESULT "
WRAPPER = (
    "import json, runpy, sys; sys.path.insert(0, sys.argv[2]); "
    "result = runpy.run_path(sys.argv[1], run_name='bench')['main'](); "
    f"print({MARK!r} + json.dumps(result, default=str), flush=True)"
)


def modules(names: list[str]) -> list[Path]:
    found = sorted(p for p in HERE.glob("*.py") if p.stem not in {"run", "__init__"} and "def main(" in p.read_text())
    if names:
        missing = set(names) - {p.stem for p in found}
        if missing:
            raise SystemExit(f"bench/run.py: no bench module {', '.join(sorted(missing))}")
        found = [p for p in found if p.stem in names]
    return found


def run_one(path: Path) -> tuple[dict | None, float]:
    print(f"=== {path.stem}", flush=True)
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", WRAPPER, str(path), str(HERE.parent)], cwd=HERE.parent,
                            stdout=subprocess.PIPE, text=True)
    result = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(MARK):
            result = json.loads(line[len(MARK):])
        else:
            print(line, end="", flush=True)
    proc.wait()
    return (result if proc.returncode == 0 else None), time.monotonic() - start


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def main(argv: list[str]) -> int:
    results: dict[str, tuple[dict | None, float]] = {}
    for path in modules(argv):
        results[path.stem] = run_one(path)
    print("\n=== summary")
    failed = 0
    for name, (figures, seconds) in results.items():
        if figures is None:
            failed += 1
            print(f"{name}: FAILED ({seconds:.0f} s)")
            continue
        print(f"{name} ({seconds:.0f} s):")
        for key, value in figures.items():
            print(f"  {key:<28} {_fmt(value)}")
    print(f"total {sum(s for _, s in results.values()):.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
