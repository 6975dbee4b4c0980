"""Features of a collection: ``/items`` (filtered, paged) and ``/items/{featureId}``.

Implements OGC API Features Part 1 (``bbox``, ``datetime``, ``limit``, ``offset`` paging
with ``next``/``prev`` links) and Part 2 (``crs``, ``bbox-crs``, ``Content-Crs``).

Decisions:

- ``limit`` outside 1–10,000 is a 400, not silently clamped: a client that asks for
  more than it gets should learn it at once rather than page wrongly.
- ``datetime`` is only meaningful for layers with a time field; on other layers it is a
  400 that says so (returning nothing or everything would both mislead).
- A ``bbox`` in another CRS than the storage CRS selects what intersects its bounding
  rectangle in the storage CRS (edges densified), so the store's spatial index pages
  exactly; near the edges of a large box this includes features a few metres outside.
- The HTML representation always draws its map in CRS84; ``crs`` only changes JSON.
- Feature ids may contain ``/`` (OpenStreetMap ids like ``way/123``), hence
  ``{featureId:path}``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL
from starlette.responses import Response

from layers.crs import CRS84
from twin.catalogue import CatalogueEntry
from twin.config import Classification
from twin.errors import InvalidRequestError
from twin.store.base import TimeFilter
from viewer.api.crs import offered_crs, parse_bbox, resolve_crs, storage_crs_uri, transform_bbox
from viewer.api.geojson import GEOJSON, GeoJSONResponse, features
from viewer.api.http_cache import CachedPage, PageCache, etag_for, not_modified
from viewer.api.links import HTML, JSON, resource_url, self_and_alternate, with_format
from viewer.api.models import Link
from viewer.api.params import (
    OPENAPI_FEATURE,
    OPENAPI_ITEMS,
    parse_datetime,
    parse_limit,
    parse_offset,
    reject_unknown,
)
from viewer.deps import TwinView, TwinViewDep
from viewer.labels import attribution, layer_title
from viewer.negotiation import Format, Lang, language, output_format
from viewer.templating import render
from viewer.texts import TEXTS

ITEMS_PARAMETERS = frozenset(
    {"f", "lang", "bbox", "bbox-crs", "limit", "offset", "datetime", "crs"}
)
FEATURE_PARAMETERS = frozenset({"f", "lang", "crs"})
GEOJSON_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {GEOJSON: {}, "text/html": {}},
        "description": "GeoJSON, or HTML with f=html",
        "headers": {"Content-Crs": {"description": "CRS of the coordinates, as <URI>"}},
    }
}

router = APIRouter(prefix="/{slug}/ogc", tags=["OGC API"])


def _bbox(
    request: Request, offered: list[str], storage: str
) -> tuple[float, float, float, float] | None:
    """The ``bbox`` parameter transformed into the storage CRS (``None`` if absent)."""
    bbox_crs = resolve_crs(
        request.query_params.get("bbox-crs"), offered=offered, parameter="bbox-crs"
    )
    text = request.query_params.get("bbox")
    if text is None:
        return None
    return transform_bbox(parse_bbox(text, bbox_crs=bbox_crs), source=bbox_crs, target=storage)


def _time(request: Request, entry: CatalogueEntry) -> TimeFilter | None:
    text = request.query_params.get("datetime")
    if text is None:
        return None
    time = parse_datetime(text)
    if not entry.time_field:
        raise InvalidRequestError(
            f"collection {entry.name!r} has no time, so datetime={text!r} cannot be applied",
            hint="Leave datetime out; collections with a temporal extent accept it.",
        )
    return time


def _page_links(
    url: URL, *, fmt: Format, lang: Lang, offset: int, limit: int, matched: int
) -> list[Link]:
    texts = TEXTS[lang]
    media = GEOJSON if fmt == "json" else HTML
    links = self_and_alternate(url, fmt, lang=lang, json_type=GEOJSON)
    if offset + limit < matched:
        nxt = url.include_query_params(offset=offset + limit, limit=limit)
        links.append(Link(href=with_format(nxt, fmt), rel="next", type=media, title=texts["next"]))
    if offset > 0:
        prev = url.include_query_params(offset=max(offset - limit, 0), limit=limit)
        links.append(Link(href=with_format(prev, fmt), rel="prev", type=media, title=texts["prev"]))
    return links


def _collection_link(request: Request, twin: TwinView, entry: CatalogueEntry, lang: Lang) -> Link:
    url = resource_url(request, "ogc_collection", slug=twin.record.slug, collectionId=entry.name)
    return Link(
        href=with_format(url, "json"), rel="collection", type=JSON, title=layer_title(entry, lang)
    )


def _timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@router.get(
    "/collections/{collectionId}/items",
    name="ogc_items",
    responses=GEOJSON_RESPONSE,
    openapi_extra=OPENAPI_ITEMS,
    summary="Features of a collection, filtered by bbox and datetime, paged",
)
async def items(request: Request, twin: TwinViewDep, collectionId: str) -> Response:
    """Return one page of features as a GeoJSON FeatureCollection or an HTML table.

    Pages of public layers are cached as bytes with an ETag (:mod:`viewer.api.http_cache`),
    gzipped once for the clients that take it; a cached page or a 304 is answered at once,
    any other page is made in a worker thread.
    """
    reject_unknown(request.query_params.keys(), allowed=ITEMS_PARAMETERS)
    fmt, lang = output_format(request), language(request)
    entry = twin.layer(collectionId)
    etag: str | None = None
    if fmt == "json" and entry.classification == Classification.PUBLIC:
        # the language too: it names the links (also when it comes from Accept-Language)
        etag = etag_for(
            twin.record.slug, entry.name, entry.checksum, entry.imported_at, lang, str(request.url)
        )
        cached = _pages(request).get(etag)
        if cached is not None:
            return cached.response(request, GEOJSON)
        unchanged = not_modified(request, etag, _cache_headers(request, etag))
        if unchanged is not None:
            return unchanged
    return await run_in_threadpool(_items, request, twin, entry, fmt, lang, etag)


def _items(
    request: Request,
    twin: TwinView,
    entry: CatalogueEntry,
    fmt: Format,
    lang: Lang,
    etag: str | None,
) -> Response:
    """Make a page of :func:`items`; keep it in the page cache if it has an ``etag``."""
    storage = storage_crs_uri(twin.record.crs)
    offered = offered_crs(twin.record.crs)
    out_crs = resolve_crs(request.query_params.get("crs"), offered=offered, parameter="crs")
    bbox = _bbox(request, offered, storage)
    time = _time(request, entry)
    limit = parse_limit(request.query_params.get("limit"))
    offset = parse_offset(request.query_params.get("offset"))

    page = twin.read_features(entry, bbox=bbox, time=time, limit=limit, offset=offset)
    links = _page_links(
        request.url, fmt=fmt, lang=lang, offset=offset, limit=limit, matched=page.matched
    )
    links.append(_collection_link(request, twin, entry, lang))
    target = CRS84 if fmt == "html" else out_crs
    body: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": features(page.frame, source=storage, target=target),
        "numberMatched": page.matched,
        "numberReturned": len(page.frame),
        "timeStamp": _timestamp(),
        "links": [link.model_dump(exclude_none=True) for link in links],
    }
    if fmt == "html":
        return _html(request, twin, entry, lang, "ogc_items.html", collection=body, offset=offset)
    headers = {"Content-Crs": f"<{out_crs}>"}
    response = GeoJSONResponse(body, headers=headers)
    if etag is None:
        return response
    cached = CachedPage.compressed(bytes(response.body), headers | _cache_headers(request, etag))
    _pages(request).put(etag, cached)
    return cached.response(request, GEOJSON)


def _pages(request: Request) -> PageCache:
    pages: PageCache = request.app.state.pages
    return pages


def _cache_headers(request: Request, etag: str) -> dict[str, str]:
    """Public pages may be kept by browsers and proxies but must be checked each time.

    A shared cache must tell apart what the request headers choose: the encoding, and
    the format and language where the query does not fix them.
    """
    vary = [
        *(() if "f" in request.query_params else ("Accept",)),
        *(() if "lang" in request.query_params else ("Accept-Language",)),
        "Accept-Encoding",
    ]
    return {"ETag": etag, "Cache-Control": "public, no-cache", "Vary": ", ".join(vary)}


@router.get(
    "/collections/{collectionId}/items/{featureId:path}",
    name="ogc_feature",
    responses=GEOJSON_RESPONSE,
    openapi_extra=OPENAPI_FEATURE,
    summary="One feature",
)
def feature(request: Request, twin: TwinViewDep, collectionId: str, featureId: str) -> Response:
    """Return one feature as GeoJSON or HTML (404 if the id is unknown)."""
    reject_unknown(request.query_params.keys(), allowed=FEATURE_PARAMETERS)
    fmt, lang = output_format(request), language(request)
    entry = twin.layer(collectionId)
    storage = storage_crs_uri(twin.record.crs)
    out_crs = resolve_crs(
        request.query_params.get("crs"), offered=offered_crs(twin.record.crs), parameter="crs"
    )
    frame = twin.read_feature(entry, featureId)
    target = CRS84 if fmt == "html" else out_crs
    (body,) = features(frame, source=storage, target=target)
    links = [
        *self_and_alternate(request.url, fmt, lang=lang, json_type=GEOJSON),
        _collection_link(request, twin, entry, lang),
    ]
    body["links"] = [link.model_dump(exclude_none=True) for link in links]
    if fmt == "html":
        return _html(request, twin, entry, lang, "ogc_feature.html", feature=body)
    return GeoJSONResponse(body, headers={"Content-Crs": f"<{out_crs}>"})


def _html(
    request: Request,
    twin: TwinView,
    entry: CatalogueEntry,
    lang: Lang,
    template: str,
    **content: object,
) -> Response:
    """Render an items or feature page with the layer's title and attribution."""
    context = {
        "twin": twin.record,
        "entry": entry,
        "title": layer_title(entry, lang),
        "attribution": attribution(entry),
        **content,
    }
    return render(request, template, context)
