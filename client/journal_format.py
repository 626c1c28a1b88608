"""The journal's line format: a record becomes one safe line, and a line read back is checked.

Every byte read back is hostile: a crash tears the last write, a full disk cuts
one short, a sync tool or a person edits the file. A line is trusted only when
the fields that say what happened to a job (``job_id``, ``state``, ``time``,
``kind``, ``task_id``) have the right type: a wrong one there means the line is
not what was written, and the job's previous line stands (an earlier state only
ever leads to looking for a task again, never to paying for it twice). A
descriptive field of the wrong type (``label``, ``meta``, ``files``...) is dropped
and the rest of the line kept: those have safe defaults, the state change does not.

Writing passes every string through :func:`client.errors.redact`, so no API key
or bearer token reaches the disk, however deep in ``meta`` or a message it hides.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Container, Iterator
from typing import IO, Any

from .errors import redact
from .kinds import Kind

#: A line longer than this (without its newline) is skipped unread: ours are a few hundred bytes.
MAX_LINE = 1024 * 1024
MAX_ID = 128
#: 2100-01-01: a later time is corruption (and more than ``time.localtime`` takes on every platform).
MAX_TIME = 4_102_444_800.0
#: Every kind a record may name; "" is a task followed before its kind was known.
KINDS = frozenset({"", *(k.value for k in Kind)})
_SKIP_CHUNK = 64 * 1024
_MAX_DEPTH = 32

_REASONS = {
    "blank": "blank", "utf8": "not UTF-8 text", "json": "not valid JSON", "torn": "an incomplete last line",
    "long": f"longer than {MAX_LINE // (1024 * 1024)} MiB", "object": "not a JSON object",
    "job_id": "without a valid job_id", "state": "with an unknown state", "time": "without a valid time",
    "kind": "with an unknown kind", "task_id": "with a task_id that is not an id",
}


def is_id(value: Any) -> bool:
    """A job or task id: printable text (no control characters or lone surrogates), 1 to 128 characters."""
    return type(value) is str and 0 < len(value) <= MAX_ID and value.isprintable()


def _utf8(value: str) -> bool:
    try:
        value.encode("utf-8")  # a lone surrogate (from a \ud800 escape) breaks Blender's UI strings
    except UnicodeEncodeError:
        return False
    return True


#: Descriptive fields readers use and the JSON types each may have (a field of another type is dropped).
#: Checked with ``type() in``: json gives exact types, and this runs for every line.
FIELDS: dict[str, tuple[type, ...]] = {
    "label": (str,), "message": (str,), "blend": (str,), "task_status": (str,), "outputs": (list,),
    "objects": (list,), "files": (dict,), "meta": (dict,), "request": (dict,), "reconciled": (bool,),
    "canceled_by_user": (bool,),
}
#: Keys of ``meta`` that the add-on and the batch read (other keys are kept as they are).
META_FIELDS: dict[str, tuple[type, ...]] = {
    "blend": (str,), "file_token": (str,), "upload": (str,), "label": (str,), "source": (str,), "asset": (str,),
    "source_path": (str,), "settings": (dict,), "auto_import": (bool,), "keep_original": (bool,),
    "pack_images": (bool,), "estimate": (int, float),
}
_TEXT_ITEMS = frozenset({"outputs", "objects", "files"})  # lists and maps of text
_STR_ONLY = frozenset({str})


def _misfits(entry: dict[str, Any], specs: dict[str, tuple[type, ...]], escaped: bool) -> list[str]:
    """The names of fields of ``entry`` whose value does not have its type (None is "not set")."""
    bad = []
    for name in specs.keys() & entry.keys():
        value = entry[name]
        if value is None:
            continue
        kind = type(value)
        if kind not in specs[name]:
            bad.append(name)
        elif name in _TEXT_ITEMS and not set(map(type, value.values() if kind is dict else value)) <= _STR_ONLY:
            bad.append(name)
        elif kind is float and not math.isfinite(value):  # 1e999 reads as infinity
            bad.append(name)
        elif escaped and not _utf8_all(value):
            bad.append(name)
    return bad


def _utf8_all(value: Any) -> bool:
    """No lone surrogate (only a \\u escape makes one) anywhere in ``value``'s text."""
    if type(value) is str:
        return value.isascii() or _utf8(value)
    if type(value) is list:
        return all(map(_utf8_all, value))
    if type(value) is dict:
        return all(map(_utf8_all, value)) and all(map(_utf8_all, value.values()))
    return True


class Damage:
    """What one read skipped: lines by reason and dropped fields by name, for one warning."""

    def __init__(self) -> None:
        self.lines: Counter[str] = Counter()
        self.fields: Counter[str] = Counter()

    def __bool__(self) -> bool:
        return bool(self.lines or self.fields)

    def reasons(self) -> str:
        """Why lines were skipped, most common first: "2 not valid JSON, 1 blank"."""
        return ", ".join(f"{n} {_REASONS[r]}" for r, n in self.lines.most_common())

    def sentence(self, path: Any) -> str:
        """One sentence for the log and the add-on: how many lines were skipped, and why."""
        parts = []
        skipped = sum(self.lines.values())
        if skipped:
            parts.append(f"Skipped {skipped} damaged line{'s' if skipped != 1 else ''} of the Meshy task journal "
                         f"at {path} ({self.reasons()}); every other job was read")
        if self.fields:
            names = ", ".join(sorted(self.fields))
            dropped = sum(self.fields.values())
            parts.append(f"{'ignored' if skipped else 'Ignored'} {dropped} field{'s' if dropped != 1 else ''} "
                         f"of the wrong type ({names})" + ("" if skipped else f" in the Meshy task journal at {path}"))
        return "; ".join(parts) + "."


def iter_lines(handle: IO[bytes], damage: Damage) -> Iterator[bytes]:
    """The lines of a binary file, each at most ``MAX_LINE`` bytes; longer ones are skipped, never held whole."""
    readline = handle.readline
    while True:
        line = readline(MAX_LINE + 1)
        if not line:
            return
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = readline(_SKIP_CHUNK)
            damage.lines["long"] += 1
            continue
        yield line


def _constant(name: str) -> None:
    return None  # NaN and Infinity are not JSON; never written here, read as null


_DECODER = json.JSONDecoder(parse_constant=_constant)  # made once: json.loads(..., kw) builds one per call


def decode(line: bytes, states: Container[str], damage: Damage) -> dict[str, Any] | None:
    """The checked record of one line, or None (counted in ``damage``) when it cannot be trusted."""
    raw = line.strip()
    if not raw:
        damage.lines["blank"] += 1
        return None
    try:
        text = raw.decode("utf-8")
        entry, end = _DECODER.raw_decode(text)  # no whitespace to skip: the line is stripped
        if end != len(text):
            raise ValueError("extra data after the record")
    except UnicodeDecodeError:
        damage.lines["utf8"] += 1
        return None
    except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested past the parser's depth
        damage.lines["json" if line.endswith(b"\n") else "torn"] += 1
        return None
    reason = check(entry, states, damage, escaped=b"\\u" in raw)
    if reason:
        damage.lines[reason] += 1
        return None
    return entry


def check(entry: Any, states: Container[str], damage: Damage, escaped: bool = True) -> str:
    """Why ``entry`` is not a trustworthy record ("" when it is); drops wrong descriptive fields in place.

    ``escaped``: the line has ``\\u`` escapes, so its text may hold lone surrogates.
    """
    if type(entry) is not dict:
        return "object"
    if not is_id(entry.get("job_id")):
        return "job_id"
    state = entry.get("state")
    if type(state) is not str or state not in states:
        return "state"
    stamp = entry.get("time")
    if (type(stamp) is not float and type(stamp) is not int) or not 0 <= stamp < MAX_TIME:  # NaN fails too
        return "time"
    kind = entry.get("kind")
    if kind is not None and (type(kind) is not str or kind not in KINDS):
        return "kind"
    task_id = entry.get("task_id")
    if task_id is not None and not is_id(task_id):
        return "task_id"
    for name in _misfits(entry, FIELDS, escaped):
        del entry[name]
        damage.fields[name] += 1
    meta = entry.get("meta")
    if meta:
        for name in _misfits(meta, META_FIELDS, escaped):
            del meta[name]
            damage.fields[f"meta.{name}"] += 1
    entry.pop("times", None)  # the name of the fold's own summary
    return ""


def clean(value: Any, depth: int = 0) -> Any:
    """A JSON-safe copy with every string redacted: non-finite numbers become null, other objects text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = redact(str.__str__(value))  # the plain value of a str enum, not "Kind.REMESH"
        return text if text.isascii() else text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if depth >= _MAX_DEPTH:
        return "<nested too deeply>"
    if isinstance(value, dict):
        return {clean(str(k) if not isinstance(k, str) else k, depth + 1): clean(v, depth + 1)
                for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [clean(v, depth + 1) for v in value]
    return redact(value)


def encode(entry: dict[str, Any]) -> tuple[bytes, list[str]]:
    """One redacted ASCII line ending in a newline, and the fields dropped to keep it under ``MAX_LINE``.

    A line over the cap would be skipped on reading and its state change lost, so the
    biggest descriptive fields go first (an import's object list, say); the fields that
    say what happened stay.
    """
    record = clean(entry)
    line = _dumps(record)
    dropped: list[str] = []
    while len(line) > MAX_LINE:
        spare = [k for k in record if k not in ("job_id", "state", "time", "kind", "task_id")]
        if not spare:
            raise ValueError("a journal record is too long even without its descriptive fields")
        biggest = max(spare, key=lambda k: len(_dumps(record[k])))
        del record[biggest]
        dropped.append(biggest)
        line = _dumps(record)
    return line + b"\n", dropped


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode("ascii")
