"""Logs as JSON lines with a request id (issue #23, ADR 0012), and never with personal data.

Every line names the request it belongs to (`request_id`: the load balancer's
`X-Request-ID` when it sends a sane one, else a new one; returned in the response header),
so an operator follows one request through the web process's lines. The product's own log
calls name records by their number, never by BSN or name; as a second line of defence the
formatter replaces anything shaped like a BSN (nine digits passing the 11-proef) before
the line is written. Query strings are never logged (they can hold a search for a name).
"""

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

request_id: ContextVar[str] = ContextVar("request_id", default="")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")


def _is_bsn(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def scrub(text: str) -> str:
    """Replace BSN-shaped numbers; other nine-digit numbers (message numbers) stay."""
    return _NINE_DIGITS.sub(lambda m: "[bsn]" if _is_bsn(m.group()) else m.group(), text)


def request_started(sender, environ=None, **kwargs) -> None:
    """Set at the very start of a request (Django's `request_started`), so that also the
    lines Django writes after the middleware (the 404 and 500 warnings) carry the id."""
    given = (environ or {}).get("HTTP_X_REQUEST_ID", "")
    request_id.set(given if _SANE_ID.match(given) else uuid.uuid4().hex)


def request_finished(sender, **kwargs) -> None:
    request_id.set("")


class RequestIdMiddleware:
    """Returns the request's id in the response (`X-Request-ID`), for the access log and
    for a user who reports a problem."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["X-Request-ID"] = request_id.get() or "-"
        return response


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, and the
    exception's type and traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        current = request_id.get()
        if current:
            line["request_id"] = current
        if record.exc_info:
            line["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """The demo's readable lines, scrubbed the same way."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))
