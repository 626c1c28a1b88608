"""The add-on's own refusal: a sentence for the user, before any network call."""

from __future__ import annotations

from ..client.errors import MeshyError


class UserError(MeshyError):
    """A refusal explained to the user before anything is sent (never "may have been sent")."""

    maybe_sent = False
