"""Upload body for a 64 MiB GLB: streamed data URI vs naive b64encode + json.dumps.

Targets (issue: foundation): extra peak memory <= 0.1x the body, >= 500 MiB/s.
Both are measured in the same run, on the same file, so the ratio holds on a
noisy shared machine. Memory is Python's own allocations (tracemalloc), which
include pybase64's output chunks; the body is consumed the way http.client reads a
file-like body (16 KiB reads). ``MESHY_PURE_BASE64=1`` measures the binascii fallback.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from client.uploads import FileInput, build_upload_body, naive_body  # noqa: E402

MIB = 1024 * 1024
SIZE = 64 * MIB
READ = 16 * 1024  # http.client's block size for file-like bodies


def _payload(path: str) -> dict:
    return {"model_url": FileInput(path, "application/octet-stream"), "target_polycount": 30000}


def streamed(path: str, trace: bool = False) -> tuple[float, int, int]:
    """Seconds, bytes produced, peak extra bytes (timed without tracing: it slows allocation)."""
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    body, length = build_upload_body(_payload(path))
    produced = 0
    while True:
        piece = body.read(READ)
        if not piece:
            break
        produced += len(piece)
    seconds = time.perf_counter() - start
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert produced == length, (produced, length)
    return seconds, produced, peak


def naive(path: str, trace: bool = False) -> tuple[float, int, int]:
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    body = naive_body(_payload(path))
    seconds = time.perf_counter() - start
    peak = 0
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return seconds, len(body), peak


def main() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "big.glb")
        with open(path, "wb") as handle:
            for _ in range(SIZE // MIB):
                handle.write(os.urandom(MIB))
        streamed(path)  # warm the page cache and the encoder
        s_time, s_len, _ = min((streamed(path) for _ in range(3)), key=lambda r: r[0])
        n_time, n_len, _ = min((naive(path) for _ in range(2)), key=lambda r: r[0])
        s_peak = streamed(path, trace=True)[2]
        n_peak = naive(path, trace=True)[2]
    rate, naive_rate = s_len / MIB / s_time, n_len / MIB / n_time
    from client.uploads import encoder_name

    print(f"upload body, 64 MiB GLB (body {s_len / MIB:.1f} MiB, encoder {encoder_name()})")
    print(f"  streamed: {rate:8.0f} MiB/s   extra peak {s_peak / MIB:7.2f} MiB = {s_peak / s_len:.3f}x body"
          f"   (targets >= 500 MiB/s, <= 0.1x)")
    print(f"  naive:    {naive_rate:8.0f} MiB/s   extra peak {n_peak / MIB:7.2f} MiB = {n_peak / n_len:.3f}x body")
    print(f"  ratio streamed/naive: speed {rate / naive_rate:.1f}x, memory {s_peak / n_peak:.4f}x")
    return {"mib_per_s": rate, "extra_memory_ratio": s_peak / s_len, "naive_mib_per_s": naive_rate,
            "naive_memory_ratio": n_peak / n_len}


if __name__ == "__main__":
    main()
