"""The preferences as one immutable snapshot, read once per submit.

``preferences.settings()`` fills it from the add-on preferences and the
environment (env wins); the batch overrides a few fields (its own folders,
``--base-url``, ``-j``). Everything else takes a ``Settings`` instead of
reading preferences itself, so the job service and the rules are bpy-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """What the client, the engine and the rules need, with env overrides applied."""

    api_key: str = field(repr=False)  # never in a repr, a log or a traceback
    base_url: str
    max_in_flight: int
    download_dir: Path
    user_dir: Path  # the journal, uploads and thumbnails (never inside the extension)
    proxy: str = ""
    ca_bundle: str = ""
    keep_original: bool = True
    key_from_env: bool = False
    default_mesh_model: str = "LATEST"  # enum identifiers, as the preferences hold them
    default_image_model: str = "NANO_BANANA"

    @property
    def journal_path(self) -> Path:
        return self.user_dir / "journal.jsonl"

    @property
    def upload_dir(self) -> Path:
        return self.user_dir / "uploads"

    @property
    def thumbnail_dir(self) -> Path:
        return self.user_dir / "thumbnails"
