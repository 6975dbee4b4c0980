r"""The check every JSON request body passes before a route reads it.

Python's JSON parser accepts two things nothing behind it can handle: a lone UTF-16
surrogate escape such as ``"\ud800"`` (a string that cannot be written as UTF-8, so the
store, the audit log and even an error message about it fail), and arrays or objects
nested a thousand deep (the recursion limit of the parser itself, of Shapely and of the
JSON Schema validator). :func:`check_json_body` answers both with a 400 that says what
was wrong, for every route, however it reads its body. Forms and uploads are not JSON
and are left alone, and so is a body that is not JSON at all: the route says so itself.

Examples
--------
>>> problem(b'{"title": "\\ud83d\\ude00 fine as a pair"}') is None
True
>>> problem(b'{"title": "\\ud800"}').message
'the request body holds the lone UTF-16 surrogate escape \\ud800, which is no character'
>>> problem(b"[" * 40 + b"]" * 40).message
'the request body nests arrays and objects more than 32 deep'
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request

from twin.errors import InvalidRequestError

MAX_DEPTH = 32
"""Deepest nesting of arrays and objects in a request (GeoJSON edits need about ten)."""

_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_NOT_JSON = ("multipart/", "application/x-www-form-urlencoded")
_SURROGATE_HINT = (
    "Send the text as UTF-8, or escape a character beyond U+FFFF as a surrogate pair, "
    "e.g. \\ud83d\\ude00 for U+1F600."
)
_DEPTH_HINT = f"Flatten the JSON: arrays and objects may nest at most {MAX_DEPTH} deep."


def problem(body: bytes) -> InvalidRequestError | None:
    """What is wrong with a JSON ``body`` (see the module doc), or None.

    Cheap for the bodies the API gets: only a body with a surrogate escape, or with more
    brackets than :data:`MAX_DEPTH`, is parsed and walked (without recursion).
    """
    if not _SURROGATE.search(body) and body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return None
    try:
        document = json.loads(body)
    except RecursionError:
        return _too_deep("too deeply to be read")
    except ValueError:
        return None  # not JSON: the route answers that itself
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth + 1 > MAX_DEPTH:
                return _too_deep(f"more than {MAX_DEPTH} deep")
            items = [*value, *value.values()] if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
        elif isinstance(value, str):
            lone = _lone_surrogate(value)
            if lone is not None:
                return InvalidRequestError(
                    f"the request body holds the lone UTF-16 surrogate escape "
                    f"\\u{ord(lone):04x}, which is no character",
                    hint=_SURROGATE_HINT,
                )
    return None


def _too_deep(how: str) -> InvalidRequestError:
    return InvalidRequestError(f"the request body nests arrays and objects {how}", hint=_DEPTH_HINT)


def _lone_surrogate(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return text[error.start]
    return None


async def check_json_body(request: Request) -> None:
    """App-wide dependency: a 400 for a JSON body the routes cannot handle (module doc)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("content-type", "").lower().startswith(_NOT_JSON):
        return
    error = problem(await request.body())
    if error is not None:
        raise error
