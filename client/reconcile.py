"""Find the task a create may have made when its answer never came: never pay twice, never take a stranger's.

A create whose answer was lost, cut, unreadable or late, or that a crash
interrupted, leaves the job *in doubt*: Meshy may have made the task. The
engine looks for it with patience (:class:`DoubtPolicy`), and each look
(:func:`look`) lists the kind's tasks newest first, paging back past the
create's time window, and keeps a task only if it provably belongs to the job:

- it is of the job's kind (and stage: a refine never adopts a preview) and no
  journal record of another job claims it;
- its ``created_at``, placed on our clock with the server's clock offset
  (``Date`` headers), falls inside the create call's start and end with a few
  seconds of slack (a wide window only when the server sent no ``Date``);
- every request field it echoes back (prompts, ``ai_model``, the chained task
  ids, ``action_id``, URL inputs) equals what the job sent.

Kinds Meshy lists no tasks of (rigging, animation) cannot be looked for: such a
job ends ``unresolved`` at once, with a sentence telling the user to look in
their Meshy history before running it again (never created again by itself).

Other jobs of the same journal whose own create is unsettled are *rivals*: a
candidate one of them could own (same window, same echo) is not taken while
that create is still running, and is ambiguous when it is in doubt too,
unless both jobs sent the very same request (then either may take it). One
candidate is claimed with a durable record (:func:`claim`) and the journal
read again: the first claim in file order wins, so two Blenders (or a Blender
and a batch) sharing a journal never both adopt one task; the loser looks on. Several
candidates are ``unresolved`` and named. "Not created, safe to run again" is
said only when the window is long past (``settle_after``) and a listing that
reaches back beyond it shows nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import notices
from .errors import MeshyError
from .journal import JobState, Journal
from .kinds import Kind, type_fits
from .models import task_type_of
from .tasks import Task

#: Request fields the task object echoes verbatim (URL inputs only when sent as http(s) URLs); a field the
#: task does not echo proves nothing, so a kind that echoes less is only looked for less strictly.
ECHOED = ("prompt", "texture_prompt", "text_style_prompt", "ai_model", "input_task_id", "preview_task_id",
          "rig_task_id", "action_id", "model_url", "image_url")
URL_INPUTS = frozenset({"model_url", "image_url"})
MODEL_ALIASES = {"latest": "meshy-6"}
INLINE = "<inline data>"

CLAIM_SUFFIX = "~claim"

#: Kept for callers of the first version: the window used when the server's clock is unknown.
CLOCK_WINDOW = 600.0


@dataclass
class DoubtPolicy:
    """How long and how a doubtful create is looked for; every figure is injectable for tests.

    ``looks``: waits between the looks made inside the job (about two minutes
    in all, the first look at once): a task made by a create whose answer was
    lost is in Meshy's listing within seconds, and a lagging index or replica
    catches up within a minute. After that the job stays ``in_doubt`` in the
    journal and every resume looks again. ``settle_after``: only 15 minutes
    after the create started may "never made" be said; a request still being
    worked on by Meshy's side after that long has been cut by its own gateway
    timeouts (minutes at most) many times over.
    """

    looks: tuple[float, ...] = (1, 2, 4, 8, 15, 30, 60)
    settle_after: float = 900.0
    slack: float = 5.0  # around the call's start and end when the server's clock offset is known
    wide_slack: float = 600.0  # when the server sent no Date header: its clock may be anywhere near ours
    late_tail: float = 120.0  # after a read timeout Meshy may still make the task this much later
    crash_span: float = 300.0  # a crash hid the call's end: the longest a create call plausibly runs
    live_create: float = 300.0  # another job's `creating` younger than this may be a call in flight
    page_size: int = 50
    max_pages: int = 40


@dataclass(frozen=True)
class Window:
    """When the create call ran, on our clock (epoch seconds)."""

    start: float
    end: float

    def record(self) -> dict[str, float]:
        return {"window_start": round(self.start, 3), "window_end": round(self.end, 3)}

    @classmethod
    def of_job(cls, job: dict[str, Any], policy: DoubtPolicy) -> Window:
        """The window a journal record holds, or (a crash) its ``creating`` time plus ``crash_span``."""
        try:
            return cls(float(job["window_start"]), float(job["window_end"]))
        except (KeyError, TypeError, ValueError):
            started = _float(job.get("time"), time.time())
            return cls(started, started + policy.crash_span)


@dataclass
class Verdict:
    """The result of one look: ``found`` (claimed), ``none_yet``, ``not_created``, ``unresolved``, or
    ``unlistable`` (the kind's tasks cannot be listed: nothing will ever be found)."""

    outcome: str
    task_id: str | None = None
    candidates: list[str] = field(default_factory=list)
    covered: bool = False


class AmbiguousTaskError(MeshyError):
    """More than one task could be the one a doubtful create made."""


def unresolved_message(ids: Iterable[str]) -> str:
    listed = ", ".join(ids)
    return (f"The create request may have reached Meshy and several tasks could be this one ({listed}); "
            "import the right one by its id rather than running it again")


def echo_matches(task: dict[str, Any], request: dict[str, Any] | None) -> bool:
    """Every field the task echoes equals what was sent (fields not sent or not echoed prove nothing)."""
    if not request:
        return True
    for key in ECHOED:
        sent = request.get(key)
        if sent is None or task.get(key) is None:
            continue
        if key in URL_INPUTS and not (isinstance(sent, str) and sent.startswith(("http://", "https://"))):
            continue  # a file or data URI: Meshy stores its own copy
        echoed = task.get(key)
        if isinstance(sent, int) and not isinstance(sent, bool):  # action_id: 5 and "5" are one id
            if isinstance(echoed, bool) or str(echoed).strip() != str(sent):
                return False
            continue
        if not isinstance(sent, str) or not isinstance(echoed, str):
            return False
        if key == "ai_model":
            sent, echoed = MODEL_ALIASES.get(sent, sent), MODEL_ALIASES.get(echoed, echoed)
        if sent.strip() != echoed.strip():
            return False
    return True


def comparable(request: dict[str, Any] | None) -> bool:
    """A request whose journal copy says everything sent (no inline data), so equality means the same task."""
    return bool(request) and INLINE not in json.dumps(request, default=str)


def clock_known(client: Any) -> bool:
    """Did an answer carry a Date header (so the server's clock is measured, not assumed)?"""
    return bool(getattr(client, "clock_known", False))


def our_time(task: Task, offset: float) -> float | None:
    """The task's ``created_at`` on our clock, or None when the server gave none."""
    return task.created_at / 1000.0 - offset if task.created_at > 0 else None


def list_window(client: Any, kind: str, start: float, policy: DoubtPolicy) -> tuple[list[Task], bool]:
    """Tasks of ``kind`` newest first, paged back until one is older than ``start`` (our clock).

    Returns the tasks and whether the listing provably covers everything since
    ``start`` (an older task was reached, or the list ended).
    """
    seen: dict[str, Task] = {}
    for page_num in range(1, policy.max_pages + 1):
        page = client.list_page(kind, page_num=page_num, page_size=policy.page_size, sort_by="-created_at")
        older = False
        for task in page:
            if task.id and task.id not in seen:
                seen[task.id] = task
            when = our_time(task, client.clock_offset)
            older = older or (when is not None and when < start)
        if older or len(page) < policy.page_size:
            return list(seen.values()), True
    return list(seen.values()), False


def _float(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


@dataclass
class _Rival:
    job_id: str
    window: Window
    request: dict[str, Any] | None
    live: bool  # its create may still be running


def _rivals(jobs: dict[str, dict[str, Any]], job_id: str, kind: str, policy: DoubtPolicy,
            now: float) -> list[_Rival]:
    rivals = []
    for other in jobs.values():
        if other.get("job_id") == job_id or other.get("kind") != kind or other.get("task_id"):
            continue
        state = other.get("state")
        if state == JobState.CREATING:
            started = _float(other.get("time"), now)
            rivals.append(_Rival(str(other.get("job_id")), Window(started, started + policy.crash_span),
                                 other.get("request"), now - started < policy.live_create))
        elif state == JobState.IN_DOUBT:
            rivals.append(_Rival(str(other.get("job_id")), Window.of_job(other, policy), other.get("request"), False))
    return rivals


def look(
    client: Any, journal: Journal | None, job_id: str, kind: str, window: Window,
    request: dict[str, Any] | None, *, policy: DoubtPolicy, claimed: dict[str, str] | None = None,
    now: float | None = None,
) -> Verdict:
    """One look for the task of an in-doubt job; claims it (durably) when exactly one provably fits.

    ``claimed`` adds task id -> job id claims known outside the journal (an
    engine without one). Listing errors propagate (a MeshyError): the caller
    looks again later.
    """
    now = time.time() if now is None else now
    if not Kind.parse(kind).listable:
        return Verdict("unlistable")
    slack = policy.slack if clock_known(client) else policy.wide_slack
    tasks, covered = list_window(client, kind, window.start - slack, policy)
    slack = policy.slack if clock_known(client) else policy.wide_slack  # the listing brought a Date header
    offset = client.clock_offset
    for _ in range(3):  # a lost claim: decide again on a fresh reading of the journal
        jobs = journal.jobs() if journal is not None else {}
        claims = {**(claimed or {}), **(journal.claims() if journal is not None else {})}
        own = [t for t, owner in claims.items() if owner in (job_id, claim_marker(job_id))]
        if own:  # claimed earlier (a crash or close came before `created` was written)
            return Verdict("found", own[0], own, covered)
        request_ = request if request is not None else jobs.get(job_id, {}).get("request")
        expected = task_type_of(kind, request_)
        candidates: list[tuple[Task, float]] = []
        for task in tasks:
            when = our_time(task, offset)
            if when is None or not window.start - slack <= when <= window.end + slack:
                continue
            if not type_fits(kind, task.type, expected) or task.id in claims:
                continue
            if echo_matches(task.raw, request_):
                candidates.append((task, when))
        if not candidates:
            settled = covered and now >= window.start + policy.settle_after and now >= window.end + slack
            return Verdict("not_created" if settled else "none_yet", covered=covered)
        ids = [t.id for t, _ in candidates]
        rivals = []
        for rival in _rivals(jobs, job_id, kind, policy, now):
            same = comparable(request_) and rival.request == request_
            for task, when in candidates:
                if rival.window.start - slack <= when <= rival.window.end + slack and \
                        echo_matches(task.raw, rival.request):
                    if rival.live:
                        return Verdict("none_yet", candidates=ids, covered=covered)  # let that call settle
                    if not same:
                        rivals.append(rival.job_id)
                    break
        if len(candidates) > 1 or rivals:
            return Verdict("unresolved", candidates=ids, covered=covered)
        task_id = ids[0]
        if claim(journal, job_id, task_id):
            return Verdict("found", task_id, ids, covered)
        tasks = [t for t in tasks if t.id != task_id]
    return Verdict("none_yet", covered=covered)


def claim_marker(job_id: str) -> str:
    """The id under which a job's claims are written (see :func:`claim`)."""
    return f"{job_id}{CLAIM_SUFFIX}"


def claim(journal: Journal | None, job_id: str, task_id: str) -> bool:
    """Claim ``task_id`` for the job with a durable record; True if this claim is the first in the file.

    The claim is a record of its own (the job id plus ``~claim``, state
    ``dismissed``: finished and hidden, so no reader lists or resumes it), so a
    lost claim never becomes the job's task id; only the winner then records
    ``created`` with it.
    """
    if journal is None:
        return True
    marker = claim_marker(job_id)
    journal.record(marker, JobState.DISMISSED, durable=True, task_id=task_id, claim_of=job_id)
    return journal.claims().get(task_id) in (job_id, marker)


def unsettled(journal: Journal) -> list[dict[str, Any]]:
    """Jobs whose create may have made a task nobody follows yet: interrupted, or in doubt
    (one that won a claim and stopped before ``created`` is settled by its claim)."""
    return [job for job in journal.jobs().values()
            if (job.get("state") == JobState.CREATING and not job.get("task_id"))
            or job.get("state") == JobState.IN_DOUBT]


def claimed_task_ids(journal: Journal | None) -> set[str]:
    if journal is None:
        return set()
    return set(journal.claims())


def find_created_task(client: Any, kind: str, started_at: float, claimed: set[str]) -> str | None:
    """The first version's call: the unclaimed task of a create that started at ``started_at``, or None.

    Raises AmbiguousTaskError for several candidates. Uses the tight window of
    :func:`look` (the call's end unknown: ``crash_span``), without a journal.
    """
    policy = DoubtPolicy()
    verdict = look(client, None, "", kind, Window(started_at, started_at + policy.crash_span), None,
                   policy=policy, claimed={t: "another job" for t in claimed})
    if verdict.outcome == "unresolved":
        raise AmbiguousTaskError(unresolved_message(verdict.candidates))
    return verdict.task_id if verdict.outcome == "found" else None


def resolve_creating(client: Any, journal: Journal, policy: DoubtPolicy | None = None) -> dict[str, str]:
    """Look once for every interrupted or in-doubt create in the journal; returns job id -> new state.

    ``created`` (found, claimed and journalled), ``unresolved`` (several
    candidates, named in the record's message), ``not_created`` (provably never
    made: safe to run again) or ``in_doubt`` (may still appear: look again
    later, never create again). The engine's ``resume()`` does the same with
    patience; this is the one-shot form for callers outside an engine.
    """
    policy = policy or DoubtPolicy()
    outcome: dict[str, str] = {}
    for job in unsettled(journal):
        job_id, kind = str(job["job_id"]), str(job.get("kind") or "")
        window = Window.of_job(job, policy)
        if job.get("state") == JobState.CREATING:
            journal.record(job_id, JobState.IN_DOUBT, durable=True, **window.record())
        try:
            verdict = look(client, journal, job_id, kind, window, job.get("request"), policy=policy)
        except MeshyError:
            outcome[job_id] = JobState.IN_DOUBT
            continue
        if verdict.outcome == "found":
            journal.record(job_id, JobState.CREATED, durable=True, task_id=verdict.task_id, reconciled=True)
            outcome[job_id] = JobState.CREATED
        elif verdict.outcome == "unlistable":
            journal.record(job_id, JobState.UNRESOLVED, durable=True, message=notices.unlistable(kind))
            outcome[job_id] = JobState.UNRESOLVED
        elif verdict.outcome == "unresolved":
            journal.record(job_id, JobState.UNRESOLVED, durable=True,
                           message=unresolved_message(verdict.candidates), candidates=verdict.candidates)
            outcome[job_id] = JobState.UNRESOLVED
        elif verdict.outcome == "not_created":
            journal.record(job_id, JobState.NOT_CREATED, durable=True)
            outcome[job_id] = JobState.NOT_CREATED
        else:
            outcome[job_id] = JobState.IN_DOUBT
    return outcome
