"""Logs an operator can follow: a request id per request (or per ``tandem worker`` process), JSON lines or text.

The request id of the work in progress lives in a context variable: the web layer binds the incoming
``X-Request-ID`` (or a new one) for the length of a request, ``tandem worker`` binds its own, and
outgoing platform calls (``lti.http``) send it as ``X-Request-ID``. Outside both (a delivery thread of a
web process) the process's own id is used, so every line and call still carries one.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import os
import re
import socket
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

#: what an incoming X-Request-ID may be (nginx's $request_id is 32 hex digits); anything else is replaced
VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
FORMATS = ("json", "text")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("tandem_request_id", default=None)
_process: dict[str, str] = {}


def new_id() -> str:
    """A fresh request id: 32 hex digits, like nginx's ``$request_id``."""
    return uuid.uuid4().hex


def accept_id(incoming: str | None) -> str:
    """``incoming`` when it is a well-formed request id, else a new one."""
    if incoming and VALID_ID.fullmatch(incoming):
        return incoming
    return new_id()


def process_id(prefix: str | None = None) -> str:
    """This process's own id (``<prefix>-<12 hex>``), for work no request started; ``prefix`` names it once."""
    if prefix is not None or "id" not in _process:
        _process["id"] = f"{prefix or 'process'}-{uuid.uuid4().hex[:12]}"
    return _process["id"]


os.register_at_fork(after_in_child=_process.clear)  # a forked gunicorn worker is a process of its own


def current_id() -> str:
    """The request id of the work in progress: the bound one, else the process's."""
    return _current.get() or process_id()


def bind(request_id: str) -> contextvars.Token:
    """Make ``request_id`` current until :func:`unbind` with the returned token."""
    return _current.set(request_id)


def unbind(token: contextvars.Token) -> None:
    _current.reset(token)


@contextlib.contextmanager
def bound(request_id: str) -> Iterator[str]:
    """``request_id`` current inside the block."""
    token = bind(request_id)
    try:
        yield request_id
    finally:
        unbind(token)


def instance_name() -> str:
    """The name of this instance in logs: TANDEM_INSTANCE_NAME, else the host name."""
    return os.environ.get("TANDEM_INSTANCE_NAME") or socket.gethostname()


#: the record attributes logging itself sets: everything else a caller passed in ``extra`` is a field
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, instance, pid, and the ``extra`` fields.

    A message that is itself a JSON object (``lti.context.log_event``) is merged into the line."""

    def __init__(self) -> None:
        super().__init__()
        self._instance = instance_name()

    def format(self, record: logging.LogRecord) -> str:
        line: dict = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or current_id(),
            "instance": self._instance,
            "pid": record.process,
        }
        message = record.getMessage()
        merged = _json_object(message)
        if merged is None:
            line["message"] = message
        else:
            line.update({k: v for k, v in merged.items() if k not in line})
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def _json_object(message: str) -> dict | None:
    if not message.startswith("{"):
        return None
    try:
        value = json.loads(message)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_id()
        return True


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
#: what the request line adds to TEXT_FORMAT (the JSON line has the same fields as keys)
REQUEST_FIELDS = " %(method)s %(path)s %(status)s %(duration_ms)s ms"


class TextFormatter(logging.Formatter):
    """TEXT_FORMAT; a request line (one with ``method``, ``path``, ``status`` and ``duration_ms``) ends with them."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        line = super().formatMessage(record)
        if all(hasattr(record, name) for name in ("method", "path", "status", "duration_ms")):
            line += REQUEST_FIELDS % vars(record)
        return line


def configure(log_format: str | None = None, stream=None) -> logging.Handler:  # noqa: ANN001 - a text stream
    """Send Tandem's logs (INFO and up; other libraries' WARNING and up) to ``stream`` (stderr) as JSON lines or text.

    ``log_format`` defaults to TANDEM_LOG_FORMAT, else ``json``. Calling it again replaces the handler it installed.

    Raises:
        ValueError: an unknown format.
    """
    log_format = (log_format or os.environ.get("TANDEM_LOG_FORMAT") or "json").lower()
    if log_format not in FORMATS:
        raise ValueError(f"TANDEM_LOG_FORMAT must be json or text, not {log_format!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.set_name("tandem")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "tandem"]:
        root.removeHandler(old)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
    logging.getLogger("tandem").setLevel(logging.INFO)
    return handler
