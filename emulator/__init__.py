"""A Meshy-compatible API server on loopback, for tests, demos and offline use.

Independent of the add-on's `client` package on purpose, so tests are not tautological.
"""

from .app import TEST_MODE_KEY, Emulator, Settings

__all__ = ["Emulator", "Settings", "TEST_MODE_KEY"]
