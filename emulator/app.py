"""`Emulator`: settings, keys, request log and the server thread, usable from tests."""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from .faults import FaultSet
from .server import EmulatorServer
from .signing import UrlSigner
from .state import Store, Task

TEST_MODE_KEY = "msy_dummy_api_key_for_test_mode_12345678"


@dataclass
class Settings:
    """Run-time settings; change them on `Emulator` or with POST /_emulator/config."""

    balance: int = 10_000
    queue_limit: int = 10  # unfinished tasks per account; 0 = no limit
    rate_limit: float = 20  # requests per second; 0 = no limit
    pending_seconds: float = 0.2
    run_seconds: float = 0.5
    url_ttl: float = 3600
    keepalive_seconds: float = 0.5  # SSE ": keep-alive" comment after this much silence
    stream_interval: float = 0.02  # how often a stream looks at its task
    body_timeout: float = 30.0  # a request body must arrive within this (then 408 and close)
    # Where rigging and animation tasks put their result URLs (unconfirmed in the contract):
    # "result" nests them under `result` (what public clients read), "top" puts them on the task object.
    result_nesting: str = "result"


SETTING_NAMES = tuple(Settings.__dataclass_fields__)
#: Settings that take one of a few words instead of a number.
CHOICES: dict[str, tuple[str, ...]] = {"result_nesting": ("result", "top")}

#: Each setting's unit and range (low, high, whole numbers only): a real server refuses the rest.
LIMITS: dict[str, tuple[str, float, float, bool]] = {
    "balance": ("credits", 0, 10**12, True),
    "queue_limit": ("tasks", 0, 100_000, True),
    "rate_limit": ("requests per second", 0, 1_000_000, False),
    "pending_seconds": ("seconds", 0, 86_400, False),
    "run_seconds": ("seconds", 0, 86_400, False),
    "url_ttl": ("seconds", 0, 30 * 86_400, False),
    "keepalive_seconds": ("seconds", 0.001, 3600, False),  # 0 would be a keep-alive flood
    "stream_interval": ("seconds", 0.001, 10, False),  # 0 would be a busy loop per stream
    "body_timeout": ("seconds", 0.01, 3600, False),
}


def plain(number: float) -> str:
    """1000000000000, not 1e+12."""
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def check_setting(name: str, value: Any) -> int | float | str:
    """The value to store for ``name``, or ValueError with one sentence (unknown name, wrong type, range)."""
    if name in CHOICES:
        if not isinstance(value, str) or value not in CHOICES[name]:
            shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
            raise ValueError(f"{name} must be one of {', '.join(CHOICES[name])}; got {shown}.")
        return value
    if name not in LIMITS:
        raise ValueError(f"Unknown setting {str(name)[:60]!r}; the settings are {', '.join(SETTING_NAMES)}, keys.")
    unit, low, high, whole = LIMITS[name]
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number of {unit}, not {shown}.")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number of {unit}, not {shown}.")
    if whole and value != int(value):
        raise ValueError(f"{name} must be a whole number of {unit}, not {shown}.")
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {plain(low)} to {plain(high)} {unit}; got {shown}.")
    return int(value) if whole else value


def check_keys(keys: Any) -> set[str]:
    """Extra API keys: a list of non-empty strings (a single string is not a list of keys)."""
    if isinstance(keys, (str, bytes)) or not isinstance(keys, (list, tuple, set, frozenset)):
        raise ValueError(f"keys must be a list of API keys, not {type(keys).__name__}.")
    for key in keys:
        if not isinstance(key, str) or not key.strip() or len(key) > 512 or not key.isprintable():
            raise ValueError("An API key must be non-empty printable text of at most 512 characters.")
    return {key.strip() for key in keys}


class Emulator:
    """A Meshy-compatible server on 127.0.0.1; `start()` returns self, `stop()` ends it."""

    def __init__(self, port: int = 0, keys: list[str] | tuple[str, ...] = (), **settings: Any) -> None:
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be a whole number from 0 (any free port) to 65535, not {port!r}.")
        self.settings = Settings()
        self.port = port
        env = [k.strip() for k in os.environ.get("MESHY_EMULATOR_KEYS", "").split(",") if k.strip()]
        self.keys = {TEST_MODE_KEY, *check_keys(keys), *env}
        self.faults = FaultSet()
        self.signer = UrlSigner()
        self.store = Store(self.settings)
        self._log: list[dict[str, Any]] = []
        self._log_lock = threading.Lock()
        self._settled = threading.Condition(self._log_lock)
        self._in_flight = 0  # requests being handled (not streams): the log waits for them
        self._server: EmulatorServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        self.configure(**settings)

    # --- settings as attributes (emu.balance = 5) ----------------------------
    def __getattr__(self, name: str) -> Any:
        if name in SETTING_NAMES:
            return getattr(self.__dict__["settings"], name)
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in SETTING_NAMES:
            self.configure(**{name: value})
        else:
            super().__setattr__(name, value)

    def configure(self, **values: Any) -> None:
        """Change settings (and `keys`: extra accepted API keys) at run time.

        All or nothing: every value is checked first (ValueError with one sentence),
        so a refused change leaves every setting as it was.
        """
        keys = check_keys(values.pop("keys")) if "keys" in values else set()
        checked = {name: check_setting(name, value) for name, value in values.items()}
        self.keys |= keys
        with self.store.lock:
            for name, value in checked.items():
                setattr(self.settings, name, value)

    def config(self) -> dict[str, Any]:
        return asdict(self.settings)

    # --- lifecycle ----------------------------------------------------------
    def start(self) -> "Emulator":
        self._server = EmulatorServer(self, self.port)
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="meshy-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.store.close()

    def __enter__(self) -> "Emulator":
        return self.start() if self._server is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- helpers used by the server ------------------------------------------
    def sign(self, task: Task, name: str) -> str:
        return self.signer.sign(self.base_url, task.id, name, self.settings.url_ttl)

    def begin(self) -> None:
        """A request (not a stream) started: `log` waits for its record."""
        with self._log_lock:
            self._in_flight += 1

    def record(self, method: str, path: str, status: int, body_size: int, sent: int,
               counted: bool = False) -> None:
        with self._log_lock:
            self._log.append({"time": time.time(), "method": method, "path": path,
                              "status": status, "body_size": body_size, "response_size": sent})
            if counted:
                self._in_flight -= 1
                self._settled.notify_all()

    @property
    def log(self) -> list[dict[str, Any]]:
        """Copy of the request records: method, path, status, body_size (request bytes).

        A client sees an answer (or a reset) a moment before the handler writes
        its record; reading waits (up to 2 s) for requests still being handled.
        """
        with self._log_lock:
            self._settled.wait_for(lambda: self._in_flight <= 0, timeout=2.0)
            return list(self._log)

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    def create_count(self, kind: str | None = None) -> int:
        """How many POSTs created a task (of `kind`, or a task `type` such as "text-to-3d-refine", or of any kind)."""
        with self.store.lock:
            counts = self.store.created_by_kind
            if kind is None:
                return sum(counts.values())
            return counts.get(str(kind)) or self.store.created_by_type.get(str(kind), 0)

    def stats(self) -> dict[str, Any]:
        with self.store.lock:
            self.store.settle()
            tasks: dict[str, dict[str, int]] = {}
            for task in self.store.tasks.values():
                per = tasks.setdefault(task.kind, {})
                status = task.status()
                per[status] = per.get(status, 0) + 1
            return {"create_count": dict(self.store.created_by_kind),
                    "created_total": self.create_count(), "tasks": tasks,
                    "requests": len(self._log), "faults": self.faults.list(),
                    "config": self.config()}
