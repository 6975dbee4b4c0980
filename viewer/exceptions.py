"""Turn a :class:`~twin.errors.TwinError` into an HTTP response, in one place.

The status comes from :func:`twin.errors.http_status`. API clients get an OGC exception
body (``code``, ``description``); browsers, and every request for an HTML page outside
the machine APIs, get an error page in their language that says what was wrong.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from twin.errors import TwinError, http_status
from viewer.api.models import OgcException
from viewer.negotiation import wants_html
from viewer.templating import render

logger = logging.getLogger(__name__)

_API_SEGMENTS = {"ogc", "sta", "api"}
"""Second path segment of the machine APIs (``/{slug}/ogc/…``); the rest are pages."""


def _is_api(request: Request) -> bool:
    parts = request.url.path.strip("/").split("/")
    return len(parts) > 1 and parts[1] in _API_SEGMENTS


def _respond(request: Request, status: int, error: TwinError, code: str) -> Response:
    if wants_html(request) or not _is_api(request):
        return render(request, "error.html", {"status": status, "error": error}, status_code=status)
    body = OgcException(code=code, description=error.message, hint=error.hint or None)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


async def twin_error_handler(request: Request, exc: Exception) -> Response:
    """Answer a ``TwinError`` with its status, as JSON or as an HTML page."""
    if not isinstance(exc, TwinError):  # registered for TwinError only
        raise exc
    status = http_status(exc)
    if status >= 500:
        logger.error("%s %s failed: %s", request.method, request.url.path, exc)
    return _respond(request, status, exc, type(exc).__name__)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    """Answer routing errors (no such path, wrong method) in the same two forms."""
    if not isinstance(exc, StarletteHTTPException):  # registered for HTTP exceptions only
        raise exc
    if exc.status_code == 404:
        error = TwinError(
            f"there is nothing at {request.url.path}",
            hint="The portal at / lists the municipalities; each API starts at /SLUG/ogc/.",
        )
    else:
        error = TwinError(str(exc.detail))
    return _respond(
        request, exc.status_code, error, "NotFound" if exc.status_code == 404 else "HTTPError"
    )
