"""Follow a paid task to its end, healing any trouble the network or the service shows.

The stream (``client.stream``) is the fast path. When it fails in a way that
says nothing about the task (an ``event: error`` that is not a 404, an HTML
or invalid-JSON answer, 5xx or 429 until retries ran out, connection
failures, a stream that keeps dropping), following falls back to GETs with
jittered backoff and goes back to the stream now and then. Only the task's
own end (SUCCEEDED, FAILED, CANCELED) or a 404 for it ends following. When no
answer at all has come for ``lost_after`` seconds, or the key is refused, it
raises :class:`LostContact`: the job stops *unfinished* and resumes later.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import AuthenticationError, MeshyError, NotFoundError, PermissionDeniedError
from .tasks import Task

LOST_CONTACT = ("Lost contact with Meshy while following this task; it is kept and resumes with Resume "
                "or the next start")


@dataclass
class FollowPolicy:
    """How a troubled task is followed; injectable so tests run in milliseconds.

    ``lost_after``: ten minutes without a single good answer is an outage,
    not a blip; holding a worker (and the user's attention) longer helps no
    one, and the task is safe on Meshy: it resumes with Resume or the next start.
    Polls every ``poll_interval`` (jittered) while they work, backing off from
    ``poll_base`` to ``poll_cap`` while they fail; the stream is tried again
    after ``stream_retry`` seconds, doubling up to ``stream_retry_cap``.
    """

    poll_interval: float = 5.0
    poll_base: float = 2.0
    poll_cap: float = 30.0
    stream_retry: float = 15.0
    stream_retry_cap: float = 300.0
    lost_after: float = 600.0
    rand: Callable[[], float] = field(default=random.random, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    def jitter(self, seconds: float) -> float:
        """Between half and all of ``seconds``: followers that failed together do not poll together."""
        return seconds / 2 + self.rand() * seconds / 2


class LostContact(MeshyError):
    """Following stopped without the task's end: it stays resumable (``cause`` says why)."""

    def __init__(self, message: str = LOST_CONTACT, cause: MeshyError | None = None) -> None:
        super().__init__(message)
        self.cause = cause


def follow_task(
    client: Any, kind: Any, task_id: str, *, stop: threading.Event, policy: FollowPolicy | None = None,
    on_trouble: Callable[[MeshyError], None] | None = None,
) -> Iterator[Task]:
    """Yield updates of the task until it ends; return early when ``stop`` is set.

    Raises NotFoundError (the task is gone) or LostContact (see the module).
    ``on_trouble`` hears the first failure of each bad spell (to tell the user).
    """
    policy = policy or FollowPolicy()
    failing_since: float | None = None  # start of the current spell of failed polls
    troubled = False
    stream_wait = policy.stream_retry
    stream_at = 0.0  # when to try the stream again (clock)
    poll_failures = 0
    last_raw: dict | None = None

    def trouble(exc: MeshyError) -> None:
        nonlocal troubled
        if isinstance(exc, (AuthenticationError, PermissionDeniedError)):
            raise LostContact(f"{exc.message.rstrip('.')}; the task is kept and resumes with Resume once Meshy "
                              "accepts the key", exc) from None
        if not troubled and on_trouble is not None:
            on_trouble(exc)
        troubled = True

    while not stop.is_set():
        if policy.clock() >= stream_at:
            try:
                for task in client.stream(kind, task_id):
                    troubled, failing_since, poll_failures = False, None, 0
                    stream_wait = policy.stream_retry
                    last_raw = task.raw
                    yield task
                    if stop.is_set() or task.is_terminal:
                        return
                if stop.is_set():
                    return
                trouble(MeshyError("Meshy's progress stream ended before the task did"))
            except NotFoundError:
                raise
            except MeshyError as exc:
                trouble(exc)
            stream_at = policy.clock() + stream_wait
            stream_wait = min(policy.stream_retry_cap, stream_wait * 2)
        # poll until the stream is due again (or the task ends)
        while not stop.is_set() and policy.clock() < stream_at:
            if poll_failures:
                delay = policy.jitter(min(policy.poll_cap, policy.poll_base * 2 ** (poll_failures - 1)))
            else:
                delay = policy.jitter(policy.poll_interval)
            if stop.wait(delay):
                return
            try:
                task = client.get(kind, task_id)
            except NotFoundError:
                raise
            except MeshyError as exc:
                trouble(exc)
                poll_failures += 1
                now = policy.clock()
                failing_since = now if failing_since is None else failing_since
                if now - failing_since >= policy.lost_after:
                    raise LostContact(cause=exc) from None
                continue
            troubled, failing_since, poll_failures = False, None, 0
            if task.raw != last_raw:
                last_raw = task.raw
                yield task
            if task.is_terminal:
                return
