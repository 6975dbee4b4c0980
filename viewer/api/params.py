"""Query parameters of the items endpoint, checked with messages a client can act on.

Parameters arrive as text and are parsed here instead of by FastAPI's validation, so that
every malformed value is a 400 with an OGC exception body that names the parameter, says
what was wrong and shows a valid example (never a 422 or a 500).

Examples
--------
>>> parse_datetime("2024-05-01T00:00:00Z/..").end is None
True
>>> parse_limit("20")
20
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from twin.errors import InvalidRequestError
from twin.store.base import SQLITE_INTEGERS, TimeFilter

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
MAX_OFFSET = SQLITE_INTEGERS[-1]
"""The largest offset the store can take; a larger one could only give an empty page."""

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}"
    r"(?P<time>[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))?$"
)
_DATETIME_HINT = (
    "Give an RFC 3339 instant (2024-05-01T12:00:00Z or 2024-05-01) or an interval "
    "start/end with '..' for an open end (2024-05-01T00:00:00Z/.., ../2024-05-31)."
)


def _doc(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        "style": "form",
        "explode": False,
    }


_FORMAT = _doc("f", "Output format (else the Accept header decides).", {"enum": ["json", "html"]})
_LANG = _doc("lang", "Language of titles and pages (else Accept-Language).", {"enum": ["de", "en"]})
_CRS = _doc("crs", "CRS of the output coordinates (OGC API Features Part 2).", {"type": "string"})

OPENAPI_ITEMS: dict[str, Any] = {
    "parameters": [
        _doc(
            "bbox",
            "minx,miny,maxx,maxy (or 6 numbers with heights) in bbox-crs.",
            {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 6},
        ),
        _doc("bbox-crs", "CRS of bbox; default CRS84.", {"type": "string"}),
        _doc(
            "limit",
            f"Features per page (default {DEFAULT_LIMIT}).",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        ),
        _doc(
            "offset",
            "Features to skip (paging).",
            {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
        ),
        _doc(
            "datetime",
            "RFC 3339 instant or interval a/b with '..' for open ends; "
            "only on collections with a temporal extent.",
            {"type": "string"},
        ),
        _CRS,
        _FORMAT,
        _LANG,
    ]
}
"""OpenAPI description of the items parameters (parsed by hand, see the module doc)."""

OPENAPI_FEATURE: dict[str, Any] = {"parameters": [_CRS, _FORMAT, _LANG]}
"""OpenAPI description of the single-feature parameters."""

OPENAPI_METADATA: dict[str, Any] = {"parameters": [_FORMAT, _LANG]}
"""OpenAPI description of the parameters of landing page, conformance and collections."""


def reject_unknown(names: Iterable[str], *, allowed: frozenset[str]) -> None:
    """Raise for a query parameter the API does not define (OGC ``query-param-unknown``)."""
    unknown = sorted(set(names) - allowed)
    if unknown:
        raise InvalidRequestError(
            f"unknown query parameter(s): {', '.join(unknown)}",
            hint=f"This endpoint understands: {', '.join(sorted(allowed))}.",
        )


def _integer(name: str, text: str | None, default: int, *, low: int, high: int) -> int:
    if text is None:
        return default
    hint = f"Give a whole number from {low} to {high}."
    try:
        value = int(text)
    except ValueError:
        raise InvalidRequestError(f"{name}={text!r} is not a whole number", hint=hint) from None
    if not low <= value <= high:
        raise InvalidRequestError(f"{name}={value} is out of range", hint=hint)
    return value


def parse_limit(text: str | None) -> int:
    """``limit``: 1 to :data:`MAX_LIMIT`, default :data:`DEFAULT_LIMIT`; else 400."""
    return _integer("limit", text, DEFAULT_LIMIT, low=1, high=MAX_LIMIT)


def parse_offset(text: str | None) -> int:
    """``offset``: a number of features to skip, 0 to :data:`MAX_OFFSET` (default 0)."""
    return _integer("offset", text, 0, low=0, high=MAX_OFFSET)


def _instant(text: str, *, end: bool) -> datetime:
    """Parse one RFC 3339 value; a bare date means the whole day (start or end of it)."""
    match = _RFC3339.match(text)
    if match is None:
        raise InvalidRequestError(f"datetime value {text!r} is not RFC 3339", hint=_DATETIME_HINT)
    try:
        value = datetime.fromisoformat(text.upper().replace(" ", "T"))
    except ValueError:
        raise InvalidRequestError(
            f"datetime value {text!r} is not a valid date or time", hint=_DATETIME_HINT
        ) from None
    if match.group("time") is None:
        day = datetime.combine(value.date(), time.min, tzinfo=UTC)
        return day + timedelta(days=1, microseconds=-1) if end else day
    try:
        value.astimezone(UTC)  # what the store compares; 0001-01-01T00:00+01:00 has none
    except OverflowError:
        raise InvalidRequestError(
            f"datetime value {text!r} lies outside the years 1 to 9999 in UTC",
            hint=_DATETIME_HINT,
        ) from None
    return value


def parse_datetime(text: str) -> TimeFilter:
    """Parse ``datetime``: an instant, or an interval ``start/end`` with ``..`` open ends.

    Raises
    ------
    InvalidRequestError
        If a value is not RFC 3339, or the interval ends before it starts.
    """
    if "/" not in text:
        return TimeFilter(start=_instant(text, end=False), end=_instant(text, end=True))
    first, _, second = text.partition("/")
    if "/" in second:
        raise InvalidRequestError(f"datetime={text!r} has more than one '/'", hint=_DATETIME_HINT)
    start = None if first in ("..", "") else _instant(first, end=False)
    end = None if second in ("..", "") else _instant(second, end=True)
    if start is not None and end is not None and start > end:
        raise InvalidRequestError(
            f"datetime={text!r} ends before it starts", hint="Put the earlier time first."
        )
    return TimeFilter(start=start, end=end)
