"""The engine's sentences for jobs that stop without their task's end (one place, so the UI and tests agree)."""

from __future__ import annotations

from .kinds import Kind

KEPT = "the task is kept and resumes with Resume or the next start"
IN_DOUBT = ("The create request may have reached Meshy; no task has appeared yet. It will be looked for again "
            "when Meshy Tools resumes: running it again now could pay twice.")
STOPPED_LOOKING = ("Stopped looking for the task; the create request may have reached Meshy, so it will be "
                   "looked for again when Meshy Tools resumes.")
NOT_CREATED = ("The create request never made a task on Meshy (none appeared in the 15 minutes after it); "
               "nothing was charged, so run it again.")
CLOSED = f"Meshy Tools stopped while following this task; {KEPT}."
UNEXPECTED_KEPT = f"An unexpected error stopped following this task (see the system console); {KEPT}."
EXPIRED = "The task finished but its results have expired on Meshy (they are kept about 3 days)."


def looking(cause: str) -> str:
    """While a doubtful create's task is looked for."""
    if cause:
        return f"{cause.rstrip('.')}; looking for the task on Meshy before anything is sent again."
    return "A create request was interrupted; looking for its task on Meshy before anything is sent again."


def reconnecting(cause: str) -> str:
    """While a troubled task is polled instead of streamed."""
    return f"Trouble following the task ({cause.rstrip('.')}); checking on it every few seconds instead."


def download_kept(cause: str) -> str:
    return (f"The task finished on Meshy but its files could not be downloaded ({cause.rstrip('.')}); "
            f"{KEPT}.")


def unlistable(kind: str) -> str:
    """A doubtful create of a kind Meshy lists no tasks of: nothing can find its task but the user."""
    title = Kind(kind).title if kind in Kind._value2member_map_ else kind
    return (f"The create request may have reached Meshy, and Meshy offers no list of {title} tasks to look for "
            "it in; check your Meshy history and import the task by its id if it is there, before running it "
            "again (that could pay twice).")
