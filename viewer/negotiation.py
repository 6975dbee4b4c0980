"""Content and language negotiation shared by the API, the pages and the error handler.

OGC API clients ask for a representation with ``f=json|html`` or the ``Accept`` header,
browsers send ``text/html`` first; the language comes from ``lang`` or
``Accept-Language``. Both are decided in one place so that an error page answers in the
same format and language as the page the client asked for.
"""

from __future__ import annotations

from typing import Literal

from starlette.requests import Request

from twin.config import Lang
from twin.errors import InvalidRequestError

Format = Literal["json", "html"]

DEFAULT_LANG: Lang = "de"
LANGUAGES: tuple[Lang, ...] = ("de", "en")

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_JSON_TYPES = ("application/json", "application/geo+json", "application/schema+json")


def weighted(header: str) -> list[tuple[str, float]]:
    """Parse an ``Accept``-style header into ``(value, q)`` pairs, best first."""
    items: list[tuple[str, float]] = []
    for part in header.split(","):
        value, *params = (p.strip() for p in part.split(";"))
        if not value:
            continue
        q = 1.0
        for param in params:
            name, _, number = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(number)
                except ValueError:
                    q = 0.0
        items.append((value.lower(), q))
    return sorted(items, key=lambda item: -item[1])


def language(request: Request) -> Lang:
    """Return the language: ``?lang=`` wins, then ``Accept-Language``, else German."""
    asked = request.query_params.get("lang", "").lower()
    if asked in LANGUAGES:
        return asked
    for value, q in weighted(request.headers.get("accept-language", "")):
        primary = value.split("-")[0]
        if q > 0 and primary in LANGUAGES:
            return primary
    return DEFAULT_LANG


def output_format(request: Request) -> Format:
    """Return ``json`` or ``html``: ``?f=`` wins, then the ``Accept`` header, else JSON.

    Raises
    ------
    InvalidRequestError
        If ``f`` names a format the API does not offer.
    """
    asked = request.query_params.get("f")
    if asked is not None:
        if asked.lower() in ("json", "geojson"):
            return "json"
        if asked.lower() == "html":
            return "html"
        raise InvalidRequestError(
            f"unknown output format f={asked!r}", hint="Use f=json or f=html."
        )
    return "html" if prefers_html(request) else "json"


def prefers_html(request: Request) -> bool:
    """Whether the ``Accept`` header ranks HTML above JSON (as browsers do)."""
    for value, q in weighted(request.headers.get("accept", "")):
        if q <= 0:
            continue
        if value in _HTML_TYPES:
            return True
        if value in _JSON_TYPES or value == "*/*":
            return False
    return False


def wants_html(request: Request) -> bool:
    """Like :func:`output_format` but never raises: used to format error responses."""
    asked = (request.query_params.get("f") or "").lower()
    if asked == "html":
        return True
    if asked in ("json", "geojson"):
        return False
    return prefers_html(request)
