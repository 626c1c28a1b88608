"""Signed, expiring result URLs, so clients must handle 403 and refresh by GET."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from urllib.parse import quote


class UrlSigner:
    """HMAC-signs `/_files/<task>/<name>` paths with an `Expires` epoch second."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    def _mac(self, path: str, expires: int) -> str:
        msg = f"{path}\n{expires}".encode()
        return hmac.new(self._secret, msg, hashlib.sha256).hexdigest()

    def sign(self, base_url: str, task_id: str, name: str, ttl: float) -> str:
        """Return an absolute URL valid for `ttl` seconds from now."""
        path = f"/_files/{quote(task_id)}/{quote(name)}"
        expires = int(time.time() + ttl)
        return f"{base_url}{path}?Expires={expires}&Signature={self._mac(path, expires)}"

    def check(self, path: str, expires: str | None, signature: str | None) -> str | None:
        """Return None when valid, else the reason ("expired" or "signature")."""
        if not expires or not signature or not expires.isdigit():
            return "signature"
        if not hmac.compare_digest(self._mac(path, int(expires)), signature):
            return "signature"
        if time.time() > int(expires):
            return "expired"
        return None
