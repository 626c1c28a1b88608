"""Redaction of every ``meshy`` / ``meshy.*`` log record, whatever logger or handler it meets.

A filter on a logger only sees records logged on that very logger, not on its children, and a
handler someone adds to a child logger sees a record before any parent does. So the redaction is
applied where every record passes, in three layers that each make a record safe in place:

1. the log-record factory: each record of a ``meshy`` logger (present or future, any depth) is
   redacted as it is created, before any filter or handler sees it; its ``extra`` fields (set
   after the factory) are redacted when a formatter asks for the message;
2. a first handler on ``meshy`` that does nothing but redact, for records the factory did not
   make (``Logger.handle(record)`` of a hand-built record);
3. :func:`get_logger` attaches :class:`RedactingFilter` to a module's own logger.

Making a record safe: its message is formatted and redacted (``args`` dropped); a traceback
(``exc_info``) is formatted, redacted into ``exc_text`` and ``exc_info`` dropped, so no formatter
can format the raw exception again; ``stack_info`` and string extras are redacted.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from .errors import redact

ROOT = "meshy"
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_FACTORY_MARK = "_meshy_redaction"


def is_meshy(name: str | None) -> bool:
    return bool(name) and (name == ROOT or name.startswith(ROOT + "."))


def sanitize(record: logging.LogRecord) -> logging.LogRecord:
    """Redact ``record`` in place (idempotent) and return it."""
    try:
        message = logging.LogRecord.getMessage(record)
    except Exception:  # bad %-args: Handler.handleError would print msg and args as they are
        message = f"{record.msg} {record.args!r}"
        record.msg, record.args = redact(message), ()
    else:
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
    if record.exc_info:
        if not record.exc_text and record.exc_info[0] is not None:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_info = None
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    _sanitize_extras(record)
    return record


def _sanitize_extras(record: logging.LogRecord) -> None:
    for key, value in list(record.__dict__.items()):
        if key in _STANDARD or value is None or isinstance(value, (bool, int, float)):
            continue
        text = value if isinstance(value, str) else _safe_str(value)
        if text is not None and redact(text) != text:
            record.__dict__[key] = redact(text)


class RedactedLogRecord(logging.LogRecord):
    """The record the factory makes for ``meshy`` loggers: ``extra`` fields are set on a record only
    after the factory returns it, so they are redacted when a formatter asks for the message."""

    def getMessage(self) -> str:
        _sanitize_extras(self)
        return logging.LogRecord.getMessage(self)


def _safe_str(value: Any) -> str | None:
    try:
        return str(value)
    except Exception:
        return None


class RedactingFilter(logging.Filter):
    """A logging filter that removes API keys and bearer tokens from records (and their tracebacks)."""

    def filter(self, record: logging.LogRecord) -> bool:
        sanitize(record)
        return True


class _RedactingHandler(logging.Handler):
    """The first handler of ``meshy``: it emits nothing, it makes each passing record safe in place,
    so the handlers after it and those of the root logger only ever see redacted records."""

    def handle(self, record: logging.LogRecord) -> bool:
        if is_meshy(record.name):
            sanitize(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:  # pragma: no cover - handle() does the work
        pass


def _install_factory() -> None:
    factory = logging.getLogRecordFactory()
    state = getattr(factory, _FACTORY_MARK, None)
    if isinstance(state, dict):
        state.update(sanitize=sanitize, record_class=RedactedLogRecord)  # reloaded add-on: the newest code
        return
    state = {"sanitize": sanitize, "record_class": RedactedLogRecord}
    base = factory

    def meshy_record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        name = args[0] if args else kwargs.get("name")
        if is_meshy(name) and base is logging.LogRecord:
            record = state["record_class"](*args, **kwargs)
        else:
            record = base(*args, **kwargs)
        if is_meshy(record.name):
            state["sanitize"](record)
        return record

    setattr(meshy_record_factory, _FACTORY_MARK, state)
    logging.setLogRecordFactory(meshy_record_factory)


def install() -> None:
    """Make every ``meshy*`` record safe; idempotent (safe to call again after an add-on reload)."""
    _install_factory()
    root = logging.getLogger(ROOT)
    if not root.handlers or type(root.handlers[0]).__name__ != _RedactingHandler.__name__:
        others = [h for h in root.handlers if type(h).__name__ != _RedactingHandler.__name__]
        root.handlers = [_RedactingHandler(), *others]
    if not any(isinstance(h, logging.NullHandler) for h in root.handlers):
        root.addHandler(logging.NullHandler())
    _attach(root)


def _attach(logger: logging.Logger) -> logging.Logger:
    if not any(type(f).__name__ == RedactingFilter.__name__ for f in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger


def get_logger(name: str = ROOT) -> logging.Logger:
    """The logger ``name`` (``meshy`` or below) with redaction installed; use it for every module logger."""
    if not is_meshy(name):
        raise ValueError(f"{name!r} is not a meshy logger")
    install()
    return _attach(logging.getLogger(name))
