"""Switchable faults, so tests can provoke every failure a real network shows."""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

ACTIONS = ("latency", "reset", "status", "drop_stream", "truncate", "expire", "fail_task", "lose_response")

# Which kind of request each action can hit; a rule only counts matching
# requests of that kind, so a broad path regex does not waste its `times`.
SCOPES = {
    "latency": "any",
    "reset": "any",
    "status": "any",
    "drop_stream": "stream",
    "truncate": "file",
    "expire": "file",
    "fail_task": "create",
    "lose_response": "any",  # do the work (e.g. create the task), then reset instead of answering
}


@dataclass
class Fault:
    """One rule: which requests it hits (method, path regex, times) and what it does."""

    action: str
    method: str | None = None
    path: str = ""
    times: int | None = 1  # None: forever
    seconds: float = 0.0  # latency
    status: int = 500  # status
    message: str = ""  # status / fail_task
    retry_after: float | None = None  # status
    events: int = 1  # drop_stream: messages sent before closing
    fraction: float = 0.5  # truncate: share of the body actually sent
    error_type: str = "server_error"  # fail_task task_error.type
    code: str = "emulated_failure"  # fail_task task_error.code
    id: int = 0
    hits: int = 0
    _regex: re.Pattern[str] = field(default=re.compile(""), repr=False)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("_regex", None)
        return data


class FaultSet:
    """Thread-safe list of fault rules consulted by the server for every request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, action: str, method: str | None = None, path: str = "", times: int | None = 1,
            **params: Any) -> Fault:
        """Add a rule; `params` are the action's options (see `Fault`). Returns the rule."""
        if action not in ACTIONS:
            raise ValueError(f"unknown fault action {action!r}; use one of {', '.join(ACTIONS)}")
        if "type" in params:  # HTTP callers may say "type" for task_error.type
            params["error_type"] = params.pop("type")
        known = set(Fault.__dataclass_fields__) - {"id", "hits", "_regex", "action", "method",
                                                   "path", "times"}
        unknown = set(params) - known
        if unknown:
            raise ValueError(f"unknown fault option(s): {', '.join(sorted(unknown))}")
        if times is not None and times < 0:
            times = None
        rule = Fault(action=action, method=method.upper() if method else None, path=path or "",
                     times=times, **params)
        rule._regex = re.compile(rule.path)
        with self._lock:
            rule.id = next(self._ids)
            self._rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> None:
        with self._lock:
            self._rules = [r for r in self._rules if r.id != rule_id]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.to_json() for r in self._rules]

    def take(self, scope: str, method: str, path: str) -> list[Fault]:
        """Consume and return the rules hitting this request in this scope."""
        hit: list[Fault] = []
        with self._lock:
            for rule in list(self._rules):
                if SCOPES[rule.action] != scope:
                    continue
                if rule.method and rule.method != method.upper():
                    continue
                if not rule._regex.search(path):
                    continue
                rule.hits += 1
                hit.append(rule)
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        self._rules.remove(rule)
        return hit
