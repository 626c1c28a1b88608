"""`python -m emulator --port 0`: run the emulator; the first stdout line is its base URL."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable

from .app import CHOICES, LIMITS, SETTING_NAMES, Emulator, Settings, check_keys, check_setting, plain


def _setting(name: str) -> Callable[[str], int | float]:
    """An argparse type for one setting: the same checks (type, range) as POST /_emulator/config."""

    def parse(text: str) -> int | float | str:
        try:
            value: int | float = int(text) if LIMITS[name][3] else float(text)
        except ValueError:
            kind = "whole number" if LIMITS[name][3] else "number"
            raise argparse.ArgumentTypeError(f"{name} must be a {kind} of {LIMITS[name][0]}, not {text!r}") from None
        try:
            return check_setting(name, value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc).rstrip(".")) from None

    parse.__name__ = name  # argparse names the type in its messages
    return parse


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"the port must be a whole number from 0 (a free port) to 65535, not {text!r}")
    return int(text)


def _key(text: str) -> str:
    try:
        return next(iter(check_keys([text])))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).rstrip(".")) from None


def main(argv: list[str] | None = None) -> int:
    d = Settings()
    ap = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    ap.add_argument("--port", type=_port, default=0, help="0 picks a free port")
    ap.add_argument("--key", type=_key, action="append", default=[], help="extra accepted API key")
    for name in CHOICES:
        ap.add_argument(f"--{name.replace('_', '-')}", dest=name, choices=CHOICES[name], default=getattr(d, name),
                        help=f"one of {', '.join(CHOICES[name])} (default {getattr(d, name)})")
    for name in LIMITS:
        unit, low, high, _whole = LIMITS[name]
        ap.add_argument(f"--{name.replace('_', '-')}", dest=name, type=_setting(name), default=getattr(d, name),
                        metavar="N", help=f"{unit}, {plain(low)} to {plain(high)} (default {plain(getattr(d, name))})")
    a = ap.parse_args(argv)
    emu = Emulator(port=a.port, keys=a.key, **{name: getattr(a, name) for name in SETTING_NAMES})
    try:
        emu.start()
    except OSError as exc:  # the port is taken, say
        ap.exit(2, f"python -m emulator: cannot listen on 127.0.0.1:{a.port}: {exc.strerror or exc}\n")
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
