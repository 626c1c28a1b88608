"""Streamed, atomic, length-checked downloads of result files.

The file appears under its final name only when it is complete: bytes go to
a temporary file in the same folder, its length is checked against
Content-Length (and an expected size), and then it is moved with os.replace.
Signed result URLs expire; on 403 a ``refresh`` callback (which GETs the task
again) supplies a fresh URL.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

import requests

from .errors import DownloadError, redact
from .retry import RetryPolicy, parse_retry_after

log = logging.getLogger("meshy")

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}
MAX_NAME = 120
REFRESH_STATUSES = (401, 403, 410)
RETRY_STATUSES = (408, 425, 429)
MAX_REFRESHES = 3


def safe_filename(name: str | None, default: str = "download") -> str:
    """A file name safe on Windows, macOS and Linux: no folders, no odd characters."""
    name = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode()
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip("._ ")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if stem.split(".")[0].upper() in _RESERVED:
        stem = "_" + stem
    if len(ext) > 16:
        stem, ext = f"{stem}_{ext}", ""
    ext = f".{ext}" if ext else ""
    stem = stem[: MAX_NAME - len(ext)].rstrip("._ ")
    if not stem:
        return safe_filename(default, "download") if default != name else "download"
    return stem + ext


def filename_from_url(url: str, default: str = "download") -> str:
    """The safe last path segment of a URL (query strings such as signatures dropped)."""
    return safe_filename(unquote(urlparse(url).path.rsplit("/", 1)[-1]), default)


def _expected(resp: requests.Response) -> int | None:
    if resp.headers.get("Content-Encoding", "identity").lower() not in ("", "identity"):
        return None
    value = resp.headers.get("Content-Length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _safe_url(url: str) -> str:
    """The URL without its query (signatures) for messages and logs."""
    p = urlparse(url)
    return redact(f"{p.scheme}://{p.netloc}{p.path}")


def download(
    session: requests.Session,
    url: str,
    dest: str | os.PathLike,
    *,
    expected_size: int | None = None,
    refresh: Callable[[], str | None] | None = None,
    policy: RetryPolicy | None = None,
    timeout: float | tuple[float, float] = (10, 60),
    chunk_size: int = 1024 * 1024,
) -> Path:
    """Download ``url`` to ``dest`` (a file path, or a folder to keep the URL's name).

    Retries connection errors, timeouts, 5xx, 429 and short bodies with
    backoff; on 401/403/410 asks ``refresh`` for a fresh URL. Raises
    :class:`DownloadError` with one sentence when it gives up.
    """
    policy = policy or RetryPolicy()
    as_dir = str(dest).endswith(("/", os.sep))
    dest = Path(dest)
    if as_dir or dest.is_dir():
        dest = dest / filename_from_url(url)
    dest.parent.mkdir(parents=True, exist_ok=True)
    attempt = 0
    refreshes = 0
    name = dest.name
    while True:
        retry_after: float | None = None
        problem: str
        try:
            resp = session.get(url, stream=True, timeout=timeout, headers={"Accept-Encoding": "identity"})
        except requests.Timeout:
            problem = "the server did not answer in time"
        except requests.RequestException as exc:
            problem = f"the connection failed ({type(exc).__name__})"
        else:
            with resp:
                status = resp.status_code
                if status in REFRESH_STATUSES:
                    if refresh is None or refreshes >= MAX_REFRESHES:
                        raise DownloadError(
                            f"The download link for {name} has expired or was refused (HTTP {status})"
                        )
                    refreshes += 1
                    log.info("download of %s refused (HTTP %s); fetching a fresh link", name, status)
                    new_url = refresh()
                    if not new_url:
                        raise DownloadError(f"The download link for {name} has expired and no fresh one was given")
                    url = new_url
                    continue
                if status == 404:
                    raise DownloadError(f"The file {name} no longer exists on the server (HTTP 404)")
                if status >= 500 or status in RETRY_STATUSES:
                    problem = f"the server answered HTTP {status}"
                    retry_after = parse_retry_after(resp.headers.get("Retry-After"))
                elif status >= 400:
                    raise DownloadError(f"The download of {name} was refused (HTTP {status})")
                else:
                    try:
                        problem = _write(resp, dest, chunk_size, expected_size)
                    except requests.RequestException as exc:
                        problem = f"the connection broke during the transfer ({type(exc).__name__})"
                    if not problem:
                        return dest
        attempt += 1
        if attempt > policy.max_retries:
            raise DownloadError(f"Could not download {name} after {attempt} attempts because {problem}")
        log.info("download of %s from %s failed (%s); retry %d", name, _safe_url(url), problem, attempt)
        policy.wait(attempt, retry_after)


def _write(resp: requests.Response, dest: Path, chunk_size: int, expected_size: int | None) -> str:
    """Stream the body to a temp file and move it into place if its length is right.

    Returns ``""`` on success, else what was wrong (the temp file is removed).
    """
    want = _expected(resp)
    fd, tmp = tempfile.mkstemp(prefix="." + dest.name[:60] + ".", suffix=".part", dir=dest.parent)
    got = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in resp.iter_content(chunk_size):
                fh.write(chunk)
                got += len(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        if want is not None and got != want:
            return f"only {got:,} of {want:,} bytes arrived"
        if expected_size is not None and got != expected_size:
            return f"{got:,} bytes arrived where {expected_size:,} were expected"
        os.replace(tmp, dest)
        tmp = ""
        return ""
    finally:
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass
