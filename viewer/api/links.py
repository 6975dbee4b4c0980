"""Links between the OGC API resources: ``self`` and ``alternate`` in JSON and HTML.

Every OGC resource links to itself in the format it was served in and to its alternate
representation, with absolute URLs built from the request (so they are right behind a
proxy that sets the host) and the current language kept.
"""

from __future__ import annotations

from starlette.datastructures import URL
from starlette.requests import Request

from viewer.api.models import Link
from viewer.negotiation import Format, Lang
from viewer.texts import TEXTS

JSON = "application/json"
HTML = "text/html"


def resource_url(request: Request, route: str, **path: str) -> URL:
    """Absolute URL of a named route, keeping an explicit ``lang`` of the request."""
    url = request.url_for(route, **path)
    lang = request.query_params.get("lang")
    return url.include_query_params(lang=lang) if lang else url


def with_format(url: URL, fmt: Format) -> str:
    """``url`` with ``f`` set to ``fmt``."""
    return str(url.include_query_params(f=fmt))


def self_and_alternate(url: URL, fmt: Format, *, lang: Lang, json_type: str = JSON) -> list[Link]:
    """The ``self`` link in ``fmt`` and the ``alternate`` link in the other format."""
    texts = TEXTS[lang]
    as_json = Link(
        href=with_format(url, "json"),
        rel="self" if fmt == "json" else "alternate",
        type=json_type,
        title=texts["as_geojson"] if json_type != JSON else texts["as_json"],
    )
    as_html = Link(
        href=with_format(url, "html"),
        rel="self" if fmt == "html" else "alternate",
        type=HTML,
        title="HTML",
    )
    return [as_json, as_html] if fmt == "json" else [as_html, as_json]
