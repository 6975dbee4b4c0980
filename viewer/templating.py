"""Jinja2 templates with the language, its texts and a language-switch URL in every page.

Every page needs the same few things: which language it is in, the UI texts in that
language, and a link to itself in the other language. A context processor supplies them,
so handlers pass only their own data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from viewer.negotiation import Lang, language
from viewer.texts import TEXTS

VENDOR_DIR = Path(__file__).parent / "static" / "vendor"
"""Where :mod:`viewer.bundle_assets` puts MapLibre GL; pages check that it is there."""


def _page_context(request: Request) -> dict[str, Any]:
    lang = language(request)
    other: Lang = "en" if lang == "de" else "de"
    return {
        "lang": lang,
        "t": TEXTS[lang],
        "other_lang": other,
        "other_lang_url": str(request.url.include_query_params(lang=other)),
        "maplibre_available": maplibre_available(),
        "session": getattr(request.state, "session", None),
    }


def maplibre_available() -> bool:
    """Whether the bundled MapLibre GL files exist (run ``viewer.bundle_assets`` if not)."""
    return all((VENDOR_DIR / name).is_file() for name in ("maplibre-gl.js", "maplibre-gl.css"))


templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,  # a misspelt text key fails the tests, not users
    ),
    context_processors=[_page_context],
)


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> Response:
    """Render template ``name`` as an HTML response."""
    return templates.TemplateResponse(request, name, context, status_code=status_code)
