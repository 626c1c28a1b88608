"""Every kind the emulator serves, in one table: its path, its task `type`, whether it lists, what it chains from.

Adding a kind is a row here, a validator (validation.py / validation_more.py) and a producer
(producers.py / producers_more.py); routing, listing, streams, files and faults follow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    path: str  # the collection: POST creates, GET lists, /<id> gets and deletes, /<id>/stream streams
    task_type: str  # the task object's `type` (text-to-3d: "-preview" or "-refine" is added by mode)
    listed: bool = True  # rigging documents no listing: GET on its collection is a 405


# Rigging's and animation's `type` values are not in the contract (unconfirmed): "rig" and "animate" are the
# emulator's guess, after what the endpoints do; a client must not depend on them (each kind has its own path).
TABLE = (
    Kind("image-to-image", "/openapi/v1/image-to-image", "image-to-image"),
    Kind("image-to-3d", "/openapi/v1/image-to-3d", "image-to-3d"),
    Kind("retexture", "/openapi/v1/retexture", "retexture"),
    Kind("remesh", "/openapi/v1/remesh", "remesh"),
    Kind("text-to-3d", "/openapi/v2/text-to-3d", "text-to-3d"),
    Kind("multi-image-to-3d", "/openapi/v1/multi-image-to-3d", "multi-image-to-3d"),
    Kind("text-to-image", "/openapi/v1/text-to-image", "text-to-image"),
    Kind("rigging", "/openapi/v1/rigging", "rig", listed=False),
    Kind("animations", "/openapi/v1/animations", "animate"),
)
BY_NAME = {k.name: k for k in TABLE}
NAMES = tuple(BY_NAME)
SEED_KINDS = NAMES[:4]
MODEL_KINDS = ("text-to-3d", "image-to-3d", "multi-image-to-3d", "remesh", "retexture")

# Which finished kinds may feed another kind through input_task_id (per the docs).
INPUT_KINDS = {
    "image-to-3d": ("image-to-image", "text-to-image"),
    "multi-image-to-3d": ("image-to-image", "text-to-image"),
    "retexture": ("image-to-3d", "multi-image-to-3d", "remesh", "text-to-3d"),
    "remesh": ("image-to-3d", "multi-image-to-3d", "retexture", "text-to-3d"),
    "rigging": MODEL_KINDS,
}


def path_of(kind: str) -> str:
    return BY_NAME[kind].path
