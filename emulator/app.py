"""`Emulator`: settings, keys, request log and the server thread, usable from tests."""

from __future__ import annotations

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


SETTING_NAMES = tuple(Settings.__dataclass_fields__)


class Emulator:
    """A Meshy-compatible server on 127.0.0.1; `start()` returns self, `stop()` ends it."""

    def __init__(self, port: int = 0, keys: list[str] | tuple[str, ...] = (), **settings: Any) -> None:
        self.settings = Settings()
        self.port = port
        env = [k.strip() for k in os.environ.get("MESHY_EMULATOR_KEYS", "").split(",") if k.strip()]
        self.keys = {TEST_MODE_KEY, *keys, *env}
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
        """Change settings (and `keys`: extra accepted API keys) at run time."""
        for name, value in values.items():
            if name == "keys":
                self.keys |= set(value)
                continue
            if name not in SETTING_NAMES:
                raise ValueError(f"unknown setting {name!r}; use {', '.join(SETTING_NAMES)}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{name} must be a number >= 0")
            with self.store.lock:
                setattr(self.settings, name, int(value) if name == "balance" else value)

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
        """How many POSTs created a task (of `kind`, or of any kind)."""
        with self.store.lock:
            counts = self.store.created_by_kind
            return sum(counts.values()) if kind is None else counts.get(str(kind), 0)

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
