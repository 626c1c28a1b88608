"""Turn any exception into one sentence an artist can act on.

The client's errors already carry a plain sentence; here they gain the
Blender-side next step (where the key is set, where to top up, what happens
to a queued task). Anything unexpected becomes a generic sentence pointing at
the system console, so a Python traceback never reaches the user.
"""

from __future__ import annotations

from ..client import errors
from .errors import UserError

TOP_UP_URL = "https://www.meshy.ai/settings/subscription"
STOPPED_WAITING = "Stopped waiting: the task keeps running on Meshy; import it from the task list."
KEPT = "Kept: Meshy could not be followed just now; the task resumes later (Resume, or the next start)."
#: Refusals made here, before anything left the machine: never "may have been sent".
LOCAL_ERRORS = (errors.ValidationError, UserError, errors.JournalError)


def may_have_been_sent(exc: BaseException) -> bool:
    """True only when a create request may really have reached Meshy (never for a local refusal)."""
    return not isinstance(exc, LOCAL_ERRORS) and getattr(exc, "maybe_sent", False) is True


def explain(exc: BaseException, doing: str = "") -> str:
    """One sentence for the user; ``doing`` names the step that failed."""
    if isinstance(exc, errors.AuthenticationError):
        return ("Meshy rejected the API key: check it in Edit > Preferences > Add-ons > Meshy Tools "
                "(or MESHY_API_KEY).")
    if isinstance(exc, errors.InsufficientCreditsError):
        return f"Not enough Meshy credits for this task: top up at {TOP_UP_URL} and run it again."
    if isinstance(exc, errors.QueueFullError):
        return "Meshy's task queue for your account is full: the task waits here and starts by itself."
    if isinstance(exc, errors.RateLimitError):
        return "Meshy is receiving too many requests: they were retried and still refused; try again shortly."
    if isinstance(exc, errors.ConnectionFailedError) and not may_have_been_sent(exc):
        return f"{exc.message} Check your network, proxy or Meshy's base URL."
    if isinstance(exc, errors.RequestTimeoutError):
        return f"{exc.message} The request was retried where that was safe."
    if isinstance(exc, errors.MeshyError) and may_have_been_sent(exc):
        return f"{exc.message} The task may have been created: look in the Meshy history before running it again."
    if isinstance(exc, errors.MeshyError):
        return exc.message
    if isinstance(exc, (ValueError, OSError)) and str(exc):
        text = str(exc).strip().rstrip(".")
        return f"{text}."
    step = f" while {doing}" if doing else ""
    return f"Something went wrong{step}; details are in the system console."


def advice(message: str) -> str:
    """What to do next about a failed task's message ("" when the message says it)."""
    text = (message or "").lower()
    if not text or any(w in text for w in ("preferences", "top up", "by itself", "console", "allow it")):
        return ""  # the message already says what to do
    if "api key" in text or "401" in text:
        return "Open the add-on preferences (Account > Preferences) and check the API key."
    if "credit" in text:
        return f"Top up at {TOP_UP_URL}, then run it again; the balance is under Account."
    if "queue" in text and "full" in text:
        return "Nothing to do: it waits here and starts by itself when Meshy has room."
    if "online access" in text:
        return "Allow online access under Account, then run it again."
    if any(w in text for w in ("network", "connect", "timed out", "timeout", "proxy")):
        return "Check the network, proxy and base URL in the preferences; reads were retried already."
    if "console" in text:
        return "Window > Toggle System Console shows the details; please report them."
    if "expired" in text or "could not find" in text:
        return "The task is gone from Meshy: run the operation again."
    return "Try another input or model, or change the options and run it again."


def top_up_hint(balance: int | None, needed: int) -> str:
    """The 402 sentence with numbers: what the task needs and what is left."""
    have = "unknown" if balance is None else str(balance)
    return f"Needs about {needed} credits; {have} left. Top up at meshy.ai > Settings > Subscription."
