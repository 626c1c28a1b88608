"""Streamed, atomic, length-checked downloads of result files.

The file appears under its final name only when it is complete: bytes go to
a temporary file in the same folder, its length is checked against
Content-Length (and an expected size), and then it is moved with os.replace.
Signed result URLs expire; on 403 a ``refresh`` callback (which GETs the task
again) supplies a fresh URL. A transfer is bounded in size (``Limits``) and in
time (a minimum average rate, enforced by the deadline watchdog); a full disk
is one sentence and leaves no partial file behind.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

import requests

from .checks import has_space_or_control
from .errors import DownloadError, redact
from .logs import get_logger
from .names import MAX_NAME, safe_filename  # noqa: F401 - the names downloads have always offered
from .retry import RetryPolicy, parse_retry_after
from .transport import WATCHDOG, Deadline, Limits, declared_length

log = get_logger("meshy")

REFRESH_STATUSES = (401, 403, 410)
RETRY_STATUSES = (408, 425, 429)
MAX_REFRESHES = 3


def filename_from_url(url: str, default: str = "download") -> str:
    """The safe last path segment of a URL (query strings such as signatures dropped)."""
    return safe_filename(unquote(urlparse(url).path.rsplit("/", 1)[-1]), default)


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
    chunk_size: int = 64 * 1024,
    limits: Limits | None = None,
    floor_seconds: float = 70.0,
) -> Path:
    """Download ``url`` to ``dest`` (a file path, or a folder to keep the URL's name).

    Retries connection errors, timeouts, 5xx, 429 and short bodies with
    backoff; on 401/403/410 asks ``refresh`` for a fresh URL. Each attempt must
    keep an average of ``limits.download_rate`` bytes per second after its first
    ``floor_seconds`` (a trickling server is cut, a slow steady line is not), and
    no file may pass ``limits.max_download_bytes`` or ``expected_size``. Raises
    :class:`DownloadError` with one sentence when it gives up; a full disk
    gives up at once (the partial file is removed).
    """
    policy = policy or RetryPolicy()
    limits = limits or Limits()
    as_dir = str(dest).endswith(("/", os.sep))
    dest = Path(dest)
    if as_dir or dest.is_dir():
        dest = dest / filename_from_url(url if isinstance(url, str) else "")
    name = dest.name
    failure = _bad_url(url, name) or _make_folder(dest.parent, name)
    if failure:
        raise DownloadError(failure)
    attempt = 0
    refreshes = 0
    while True:
        retry_after: float | None = None
        problem: str
        fatal = ""
        with WATCHDOG.deadline(floor_seconds) as limit:
            try:
                # verify given per request: requests lets REQUESTS_CA_BUNDLE override the session's own
                resp = session.get(url, stream=True, timeout=timeout, headers={"Accept-Encoding": "identity"},
                                   verify=session.verify)
            except requests.RequestException as exc:
                problem, fatal = _broken(exc, limit, name, "the connection failed")
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
                            raise DownloadError(
                                f"The download link for {name} has expired and no fresh one was given"
                            )
                        if _bad_url(new_url, name):
                            raise DownloadError(_bad_url(new_url, name))
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
                            problem, fatal = _write(resp, dest, chunk_size, expected_size, limits, limit)
                        except requests.RequestException as exc:
                            problem, fatal = _broken(exc, limit, name, "the connection broke during the transfer")
                        if not problem and not fatal:
                            return dest
        if fatal:
            raise DownloadError(fatal)
        attempt += 1
        if attempt > policy.max_retries:
            raise DownloadError(f"Could not download {name} after {attempt} attempts because {problem}")
        log.info("download of %s from %s failed (%s); retry %d", name, _safe_url(url), problem, attempt)
        policy.wait(attempt, retry_after)


def _broken(exc: requests.RequestException, limit: Deadline, name: str, what: str) -> tuple[str, str]:
    if limit.expired:
        return "", _too_slow(name, limit)
    if isinstance(exc, requests.Timeout):
        return "the server did not answer in time", ""
    return f"{what} ({type(exc).__name__})", ""


def _too_slow(name: str, limit: Deadline) -> str:
    # not retried: a server this slow would hold the download for minutes again
    return (f"The server sent {name} too slowly (it fell behind the minimum pace after {limit.seconds:g} seconds), "
            "so the download was stopped; try again later")


def _bad_url(url: object, name: str) -> str:
    """``""`` for an http(s) URL with a host and no spaces or control characters, else why not."""
    ok = isinstance(url, str) and not has_space_or_control(url)
    if ok:
        try:
            parts = urlparse(url)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname)
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            ok = False
    return "" if ok else f"The download link for {name} is not a valid http(s) URL"


def _make_folder(folder: Path, name: str) -> str:
    """``""`` when ``folder`` exists or was made, else the sentence saying why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _disk_problem(exc, name, folder)
    return ""


def _disk_problem(exc: OSError, name: str, folder: Path) -> str:
    """One sentence for a failed write: the full disk is named as such."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"The disk is full: {name} could not be saved in {folder}; free some space and download it again"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{name} could not be saved because {folder} is not writable"
    reason = exc.strerror or type(exc).__name__
    return f"{name} could not be saved in {folder} ({reason})"


def _write(
    resp: requests.Response, dest: Path, chunk_size: int, expected_size: int | None, limits: Limits, limit: Deadline
) -> tuple[str, str]:
    """Stream the body to a temp file and move it into place if its length is right.

    Returns ``(problem, fatal)``: both ``""`` on success; ``problem`` is worth a retry,
    ``fatal`` is not (full disk, too large). The temp file is removed on any failure.
    """
    want = declared_length(resp)
    cap = limits.max_download_bytes if expected_size is None else min(limits.max_download_bytes, expected_size)
    name = dest.name
    if want is not None and want > cap:
        if expected_size is not None and want != expected_size:
            return "", f"The server offered {want:,} bytes for {name} where {expected_size:,} were expected"
        return "", f"{name} is {want:,} bytes, past the limit of {limits.max_download_bytes:,} bytes for a download"
    if want is not None:
        try:
            free = shutil.disk_usage(dest.parent).free
        except OSError:
            free = None
        if free is not None and want > free:
            return "", _disk_problem(OSError(errno.ENOSPC, "No space left on device"), name, dest.parent)
    tmp = ""
    got = 0
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + name[:60] + ".", suffix=".part", dir=dest.parent)
        with os.fdopen(fd, "wb") as fh:
            for chunk in resp.iter_content(chunk_size):
                got += len(chunk)
                if got > cap:
                    return "", (
                        f"The server sent more than the {expected_size:,} bytes expected for {name}"
                        if expected_size is not None and cap == expected_size
                        else f"{name} passed the limit of {limits.max_download_bytes:,} bytes for a download"
                    )
                fh.write(chunk)
                # a steady line earns time; a trickle falls behind download_rate and is cut
                limit.extend_to(limit.start + (limit.seconds or 0) + got / limits.download_rate)
                if limit.check():
                    break
            fh.flush()
            os.fsync(fh.fileno())
        if limit.expired:
            return "", _too_slow(name, limit)
        if want is not None and got != want:
            return f"only {got:,} of {want:,} bytes arrived", ""
        if expected_size is not None and got != expected_size:
            return f"{got:,} bytes arrived where {expected_size:,} were expected", ""
        os.replace(tmp, dest)
        tmp = ""
        return "", ""
    except requests.RequestException:  # an OSError too, but the network's, not the disk's
        raise
    except OSError as exc:
        return "", _disk_problem(exc, name, dest.parent)
    finally:
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass
