"""Switchable faults, so tests can provoke every failure a real network shows.

Every field of a rule is checked when the rule is added: a wrong type, a
negative number of seconds or a status outside 100..599 is a ValueError with
one sentence (a 400 over HTTP), never a rule that breaks the server later.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

ACTIONS = ("latency", "reset", "status", "drop_stream", "truncate", "expire", "fail_task", "lose_response",
           "body", "stream_error", "hide", "output_keys")

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
    "body": "any",  # answer raw content (an HTML error page...), before or after doing the work
    "stream_error": "stream",  # `event: error` with a status, after `events` messages
    "hide": "create",  # the new task is missing from listings, GETs and streams for `seconds`
    "output_keys": "view",  # extra hostile keys in model_urls and texture_urls of finished tasks
}
METHODS = ("GET", "POST", "DELETE", "HEAD")


@dataclass
class Fault:
    """One rule: which requests it hits (method, path regex, times) and what it does."""

    action: str
    method: str | None = None
    path: str = ""
    times: int | None = 1  # None: forever
    seconds: float = 0.0  # latency, hide
    status: int = 500  # status, body (200 unless given), stream_error
    message: str = ""  # status / fail_task / stream_error
    retry_after: float | None = None  # status
    events: int = 1  # drop_stream: messages sent before closing; stream_error: before the error (0 unless given)
    fraction: float = 0.5  # truncate: share of the body actually sent
    error_type: str = "server_error"  # fail_task task_error.type
    code: str = "emulated_failure"  # fail_task task_error.code
    body: str = ""  # body: the raw answer
    content_type: str = "text/html; charset=utf-8"  # body
    work: bool = False  # body: handle the request first (create the task), then answer `body` instead
    keys: list[str] = field(default_factory=list)  # output_keys: the extra keys
    id: int = 0
    hits: int = 0
    _regex: re.Pattern[str] = field(default=re.compile(""), repr=False)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("_regex", None)
        return data


def _number(name: str, value: Any, low: float = 0.0, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number; got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}; got {value!r}")
    return float(value)


def _whole(name: str, value: Any, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number; got {value!r}")
    if value < low or (high is not None and value > high):
        limit = f"between {low} and {high}" if high is not None else f"{low} or more"
        raise ValueError(f"{name} must be {limit}; got {value!r}")
    return value


def _text(name: str, value: Any, *, header: bool = False) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string; got {type(value).__name__}")
    if header and any(c in value for c in "\r\n\0"):
        raise ValueError(f"{name} must not hold line breaks")
    return value


def _check(params: dict[str, Any]) -> dict[str, Any]:
    """Each option's type and range; returns the options with numbers made floats where needed."""
    checked: dict[str, Any] = {}
    for name, value in params.items():
        if name == "retry_after" and value is None:
            checked[name] = None
        elif name in ("seconds", "retry_after"):
            checked[name] = _number(name, value)
        elif name == "fraction":
            checked[name] = _number(name, value, 0.0, 1.0)
        elif name == "status":
            checked[name] = _whole(name, value, 100, 599)
        elif name == "events":
            checked[name] = _whole(name, value, 0)
        elif name in ("message", "error_type", "code", "body"):
            checked[name] = _text(name, value)
        elif name == "content_type":
            checked[name] = _text(name, value, header=True)
        elif name == "work":
            if not isinstance(value, bool):
                raise ValueError(f"work must be true or false; got {value!r}")
            checked[name] = value
        elif name == "keys":
            if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
                raise ValueError("keys must be a list of strings")
            checked[name] = list(value)
        else:
            checked[name] = value
    return checked


class FaultSet:
    """Thread-safe list of fault rules consulted by the server for every request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Fault] = []
        self._ids = itertools.count(1)
        self._hidden: dict[str, float] = {}  # task id -> hidden until (time.time())

    def add(self, action: str, method: str | None = None, path: str = "", times: int | None = 1,
            **params: Any) -> Fault:
        """Add a rule; `params` are the action's options (see `Fault`). Returns the rule."""
        if not isinstance(action, str) or action not in ACTIONS:
            raise ValueError(f"unknown fault action {action!r}; use one of {', '.join(ACTIONS)}")
        if "type" in params:  # HTTP callers may say "type" for task_error.type
            params["error_type"] = params.pop("type")
        known = set(Fault.__dataclass_fields__) - {"id", "hits", "_regex", "action", "method",
                                                   "path", "times"}
        unknown = set(params) - known
        if unknown:
            raise ValueError(f"unknown fault option(s): {', '.join(sorted(unknown))}")
        if method is not None and (not isinstance(method, str) or method.upper() not in METHODS):
            raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
        path = _text("path", path or "")
        try:
            regex = re.compile(path)
        except re.error as exc:
            raise ValueError(f"path is not a valid regular expression: {exc}") from None
        if times is not None:
            times = _whole("times", times, -1)  # -1: forever, like None
            if times == -1:
                times = None
        params = _check(params)
        if action == "body" and "status" not in params:
            params["status"] = 200
        if action == "stream_error" and "events" not in params:
            params["events"] = 0
        rule = Fault(action=action, method=method.upper() if method else None, path=path, times=times, **params)
        rule._regex = regex
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
            self._hidden.clear()

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

    # --- hidden tasks (the `hide` action) --------------------------------------
    def hide(self, task_id: str, seconds: float) -> None:
        with self._lock:
            self._hidden[task_id] = time.time() + seconds

    def hidden(self, task_id: str) -> bool:
        """True while a `hide` rule keeps this task out of sight (a lagging index, a replica)."""
        with self._lock:
            until = self._hidden.get(task_id)
            if until is not None and time.time() >= until:
                del self._hidden[task_id]
                until = None
            return until is not None
