"""A task's state: one vocabulary, the journal's ``JobState``, for every layer.

The engine reports events (``queued``, ``created``, ``progress`` ...); the
task list, the panels, the batch and its report all speak ``JobState``, and
derive what they show from it here: which states still need the service
(``ACTIVE``), which are kept for later rather than failed (``KEPT``), and the
words of the batch's ``report.json``.
"""

from __future__ import annotations

from ..client.journal import FINISHED_STATES, JobState

__all__ = ["ACTIVE", "FINISHED_STATES", "KEPT", "JobState", "after_event", "report_status"]

#: Still being worked on here or on Meshy: the task list shows progress, waits go on.
ACTIVE = frozenset({JobState.QUEUED, JobState.CREATING, JobState.WAITING, JobState.CREATED, JobState.FOLLOWING})
#: Not followed now, but not lost either: the task resumes later (Resume, or the next start).
KEPT = frozenset({JobState.SUSPENDED, JobState.IN_DOUBT})
#: Finished on Meshy and downloaded here (imported or ready to import).
DONE = frozenset({JobState.SUCCEEDED, JobState.IMPORTED})

_EVENT_STATES = {
    "queued": JobState.QUEUED,
    "created": JobState.CREATED,
    "waiting": JobState.WAITING,
    "succeeded": JobState.SUCCEEDED,
    "failed": JobState.FAILED,
    "canceled": JobState.CANCELED,
    "suspended": JobState.SUSPENDED,
    "in_doubt": JobState.IN_DOUBT,
}


def after_event(current: JobState, event_type: str, *, task_id: str | None = None,
                terminal: bool = False) -> JobState:
    """The state a job is in after an engine event.

    ``progress`` means a task on Meshy is being followed (one this add-on created
    stays ``created``). An event type this version does not know keeps the state,
    unless the engine calls it terminal: then the job is kept, not failed.
    """
    if event_type == "progress":
        return current if current in (JobState.CREATED, JobState.FOLLOWING) else JobState.FOLLOWING
    if event_type == "queued" and task_id:
        return JobState.FOLLOWING  # an existing task: attach, resume, import by id
    state = _EVENT_STATES.get(event_type)
    if state is not None:
        return state
    return JobState.SUSPENDED if terminal else current


#: ``report.json``'s words for the states that are not named as they are.
_REPORT = {
    JobState.IMPORTED: "succeeded",
    JobState.SUCCEEDED: "downloaded",
    JobState.QUEUED: "not created",
    JobState.CREATING: "not created",
    JobState.WAITING: "not created",
    JobState.CREATED: "running",
    JobState.FOLLOWING: "running",
    JobState.IN_DOUBT: "kept",
    JobState.SUSPENDED: "kept",
}


def report_status(state: str | None) -> str:
    """A journal state as the batch report says it (``imported`` -> ``succeeded``)."""
    if not state:
        return "not started"
    try:
        return _REPORT.get(JobState(state), state)
    except ValueError:
        return state  # a state a newer version wrote: shown as it is
