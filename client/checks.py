"""Local checks of what a caller hands the client: text, task ids, numbers, the client's own settings.

Each check raises :class:`ValidationError` with one sentence before anything is sent, so a bad value
never reaches the network (or a URL path, or a header) and the caller can show the sentence as it is.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from typing import Any
from urllib.parse import quote, urlsplit

from .errors import ValidationError

#: control characters other than tab, newline and carriage return (those are fine in a prompt)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_WHITESPACE = re.compile(r"\s")
#: Meshy's ids are 36-character UUIDs; a much longer one is not an id
MAX_TASK_ID = 200
_PROXY_SCHEMES = ("http", "https", "socks4", "socks4a", "socks5", "socks5h")


def _char(text: str, match: re.Match) -> str:
    return f"U+{ord(match.group()):04X} at position {match.start() + 1}"


def check_text(name: str, value: Any, *, controls: bool = True) -> None:
    """Refuse text that cannot travel as clean JSON: NUL and other control characters, lone surrogates.

    A lone surrogate is half of a UTF-16 pair (what a broken clipboard or a bad decode leaves
    behind); it cannot be encoded as UTF-8, so no server could read it. Such text is refused rather
    than cleaned: silently changing a prompt would send something the user did not write.
    """
    if not isinstance(value, str):
        return
    bad = _SURROGATE.search(value)
    if bad:
        raise ValidationError(f"{name} holds a broken character (a lone surrogate, {_char(value, bad)})", name)
    bad = _CONTROL.search(value) if controls else None
    if bad:
        raise ValidationError(f"{name} holds a control character ({_char(value, bad)}); remove it", name)


def has_space_or_control(value: str) -> bool:
    return bool(_ANY_CONTROL.search(value) or _WHITESPACE.search(value))


def check_task_id(name: str, value: Any) -> str:
    """A task id safe to put in a URL path: a non-empty string without spaces, controls or dot segments."""
    if value is None:
        raise ValidationError(f"{name} is missing: give the id of a Meshy task", name)
    if not isinstance(value, str) or isinstance(value, bool):
        raise ValidationError(f"{name} must be a string, not {type(value).__name__}", name)
    if not value.strip():
        raise ValidationError(f"{name} must not be empty", name)
    check_text(name, value)
    if _ANY_CONTROL.search(value) or _WHITESPACE.search(value):
        raise ValidationError(f"{name} must not contain spaces or control characters", name)
    if value in (".", ".."):
        raise ValidationError(f"{name} {value!r} is not a task id", name)
    if len(value) > MAX_TASK_ID:
        raise ValidationError(f"{name} is {len(value)} characters long, too long for a task id", name)
    return value


def path_segment(task_id: str) -> str:
    """The id percent-encoded as one path segment: ``/`` and ``?`` can never change the path."""
    return quote(check_task_id("task_id", task_id), safe="")


def is_loopback(host: str | None) -> bool:
    """True for ``localhost`` and every loopback address (127.0.0.0/8, ::1)."""
    if not host:
        return False
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: Any) -> str:
    """The API's address without a trailing slash: https, or plain http only to this machine."""
    if not isinstance(url, str):
        raise ValidationError(f"The Meshy base URL must be text such as https://api.meshy.ai, not {type(url).__name__}",
                              "base_url")
    if not url.strip():
        raise ValidationError("The Meshy base URL is empty; use https://api.meshy.ai", "base_url")
    url = url.strip()
    if _ANY_CONTROL.search(url) or _WHITESPACE.search(url) or _SURROGATE.search(url):
        raise ValidationError("The Meshy base URL must not contain spaces or control characters", "base_url")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ValidationError(f"The Meshy base URL {url!r} is not a valid URL", "base_url") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            f"The Meshy base URL {url!r} is not an http(s) URL such as https://api.meshy.ai", "base_url"
        )
    if parts.username is not None or parts.password is not None:
        raise ValidationError("The Meshy base URL must not hold a user name or password", "base_url")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise ValidationError("The Meshy base URL must not have a query or fragment (? or #)", "base_url")
    if parts.scheme.lower() == "http" and not is_loopback(parts.hostname):
        raise ValidationError(
            f"The Meshy base URL {url} uses plain http, so the API key would travel in clear; "
            f"use https://{parts.netloc}{parts.path} instead (plain http is only allowed to this machine)",
            "base_url",
        )
    return url.rstrip("/")


def check_positive(name: str, value: Any) -> float:
    """A finite number of seconds above zero."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValidationError(f"{name} must be a number of seconds, not {type(value).__name__}", name)
    if not math.isfinite(value) or value <= 0:
        raise ValidationError(f"{name} must be a number of seconds above 0, not {value}", name)
    return float(value)


def check_timeout(value: Any) -> float | tuple[float, float]:
    """``seconds`` or ``(connect, read)``: each finite and above zero."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValidationError("timeout must be seconds or a pair (connect, read) of seconds", "timeout")
        return check_positive("timeout", value[0]), check_positive("timeout", value[1])
    return check_positive("timeout", value)


def check_count(name: str, value: Any, lo: int = 0) -> int:
    """A whole number from ``lo`` up."""
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ValidationError(f"{name} must be a whole number from {lo} up, not {value!r}", name)
    return value


def check_api_key(key: Any) -> str:
    """A key that can go in a header as it is (never shown in the sentence)."""
    if not key or not isinstance(key, str):
        raise ValidationError("An API key is needed to talk to Meshy", "api_key")
    if not all("!" <= c <= "~" for c in key):
        raise ValidationError(
            "The API key holds spaces, control or non-ASCII characters, so copy it again from meshy.ai",
            "api_key",
        )
    return key


def check_header_text(name: str, value: Any) -> str:
    """A header value of our own (the User-Agent): printable, one line."""
    if not isinstance(value, str) or not value.strip() or _ANY_CONTROL.search(value) or _SURROGATE.search(value):
        raise ValidationError(f"{name} must be one line of printable text", name)
    return value


def check_proxies(proxies: Any) -> dict | None:
    """``None`` or a dict of proxy URLs (http, https or socks) that requests understands."""
    if proxies is None:
        return None
    if not isinstance(proxies, dict):
        raise ValidationError("proxies must be a dict such as {'https': 'http://proxy:3128'}", "proxies")
    for key, url in proxies.items():
        if not isinstance(key, str) or not isinstance(url, str):
            raise ValidationError("proxies must map names to proxy URLs (strings)", "proxies")
        if not url:
            continue
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise ValidationError(f"The proxy for {key} is not a valid URL", "proxies") from None
        if parts.scheme.lower() not in _PROXY_SCHEMES or not parts.hostname or _WHITESPACE.search(url):
            raise ValidationError(
                f"The proxy for {key} must be a URL such as http://proxy.example:3128", "proxies"
            )
    return dict(proxies)


def check_verify(verify: Any) -> bool | str:
    """``True``/``False`` or the path of a CA bundle that exists."""
    if isinstance(verify, bool):
        return verify
    if isinstance(verify, (str, os.PathLike)) and os.fspath(verify):
        path = os.fspath(verify)
        if not os.path.exists(path):
            raise ValidationError(f"The CA bundle {path} does not exist", "verify")
        return path
    raise ValidationError("verify must be true, false or the path of a CA bundle", "verify")


# --------------------------------------------------------------------------- request fields


def _type_name(t: type | tuple) -> str:
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}
    if isinstance(t, tuple):
        return names[float] if float in t else " or ".join(names.get(x, x.__name__) for x in t)
    return names.get(t, t.__name__)


def check_type(name: str, value: Any, t: type | tuple) -> None:
    types = t if isinstance(t, tuple) else (t,)
    ok = isinstance(value, types)
    if ok and bool not in types and isinstance(value, bool):
        ok = False  # True is an int in Python, never in this API
    if not ok:
        raise ValidationError(f"{name} must be {_type_name(t)}, not {type(value).__name__}", name)
    if isinstance(value, str):
        check_text(name, value)


def check_enum(name: str, value: Any, allowed: tuple) -> None:
    check_type(name, value, str)
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ValidationError(f"{name} must be one of {shown}, not {value!r}", name)


def check_range(name: str, value: Any, lo: float, hi: float | None, t: type | tuple = int) -> None:
    """A number in ``[lo, hi]`` (``hi=None``: no upper end); NaN and infinities are out of every range."""
    check_type(name, value, t)
    finite = not isinstance(value, float) or math.isfinite(value)
    if finite and lo <= value and (hi is None or value <= hi):
        return
    if hi is None:
        raise ValidationError(f"{name} must be a number from {lo:,} up, not {value}", name)
    raise ValidationError(f"{name} must be between {lo:,} and {hi:,}, not {value:,}", name)


def check_prompt(name: str, value: Any, limit: int | None) -> None:
    check_type(name, value, str)
    if not value.strip():
        raise ValidationError(f"{name} must not be empty", name)
    if limit is not None and len(value) > limit:
        raise ValidationError(f"{name} is {len(value)} characters long, over the limit of {limit}", name)
