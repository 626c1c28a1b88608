"""`python -m emulator --port 0`: run the emulator; the first stdout line is its base URL."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .app import Emulator, Settings


def main(argv: list[str] | None = None) -> int:
    d = Settings()
    ap = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--key", action="append", default=[], help="extra accepted API key")
    ap.add_argument("--balance", type=int, default=d.balance)
    ap.add_argument("--queue-limit", type=int, default=d.queue_limit)
    ap.add_argument("--rate-limit", type=float, default=d.rate_limit)
    ap.add_argument("--pending-seconds", type=float, default=d.pending_seconds)
    ap.add_argument("--run-seconds", type=float, default=d.run_seconds)
    ap.add_argument("--url-ttl", type=float, default=d.url_ttl)
    ap.add_argument("--keepalive-seconds", type=float, default=d.keepalive_seconds)
    a = ap.parse_args(argv)
    emu = Emulator(port=a.port, keys=a.key, balance=a.balance, queue_limit=a.queue_limit,
                   rate_limit=a.rate_limit, pending_seconds=a.pending_seconds,
                   run_seconds=a.run_seconds, url_ttl=a.url_ttl,
                   keepalive_seconds=a.keepalive_seconds).start()
    print(emu.base_url, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
