"""Feature collections of a municipality: ``/collections`` and ``/collections/{id}``.

A collection is a public *vector* layer. Raster layers (e.g. the terrain model) are not
feature collections and are not listed; they belong to a coverage API. Layers of any
other classification are not listed and answer 404, like a layer that does not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from layers.crs import CRS84
from twin.catalogue import CatalogueEntry
from viewer.api.crs import offered_crs, storage_crs_uri, transform_bbox
from viewer.api.geojson import GEOJSON
from viewer.api.links import HTML, resource_url, self_and_alternate, with_format
from viewer.api.models import Collection, Collections, Extent, Link, SpatialExtent, TemporalExtent
from viewer.api.ogc_common import HTML_RESPONSE
from viewer.api.params import OPENAPI_METADATA
from viewer.deps import TwinView, TwinViewDep
from viewer.labels import attribution, layer_description, layer_title
from viewer.negotiation import Format, Lang, language, output_format
from viewer.templating import render
from viewer.texts import TEXTS

router = APIRouter(prefix="/{slug}/ogc", tags=["OGC API"])


def _extent(entry: CatalogueEntry, storage: str) -> Extent | None:
    spatial = None
    if entry.bbox is not None:
        spatial = SpatialExtent(
            bbox=[list(transform_bbox(entry.bbox, source=storage, target=CRS84))],
            crs=CRS84,
            storageCrsBbox=[list(entry.bbox)],
        )
    temporal = None
    if entry.time_field and entry.time_extent:
        temporal = TemporalExtent(interval=[list(entry.time_extent)])
    return Extent(spatial=spatial, temporal=temporal) if spatial or temporal else None


def collection(
    request: Request, twin: TwinView, entry: CatalogueEntry, *, fmt: Format, lang: Lang
) -> Collection:
    """Metadata of one collection, with links to itself and to its items."""
    slug = twin.record.slug
    texts = TEXTS[lang]
    here = resource_url(request, "ogc_collection", slug=slug, collectionId=entry.name)
    items = resource_url(request, "ogc_items", slug=slug, collectionId=entry.name)
    return Collection(
        id=entry.name,
        title=layer_title(entry, lang),
        description=layer_description(entry, lang),
        attribution=attribution(entry),
        links=[
            *self_and_alternate(here, fmt, lang=lang),
            Link(
                href=with_format(items, "json"), rel="items", type=GEOJSON, title=texts["features"]
            ),
            Link(href=with_format(items, "html"), rel="items", type=HTML, title=texts["features"]),
        ],
        extent=_extent(entry, storage_crs_uri(twin.record.crs)),
        crs=offered_crs(twin.record.crs),
        storageCrs=storage_crs_uri(twin.record.crs),
    )


@router.get(
    "/collections",
    name="ogc_collections",
    response_model=Collections,
    response_model_exclude_none=True,
    responses=HTML_RESPONSE,
    openapi_extra=OPENAPI_METADATA,
    summary="The public feature collections of a municipality",
)
def collections(request: Request, twin: TwinViewDep) -> Response:
    """List the public vector layers as feature collections."""
    fmt, lang = output_format(request), language(request)
    here = resource_url(request, "ogc_collections", slug=twin.record.slug)
    page = Collections(
        links=self_and_alternate(here, fmt, lang=lang),
        collections=[
            collection(request, twin, entry, fmt="json", lang=lang) for entry in twin.layers()
        ],
    )
    if fmt == "html":
        return render(request, "ogc_collections.html", {"page": page, "twin": twin.record})
    return JSONResponse(page.model_dump(exclude_none=True))


@router.get(
    "/collections/{collectionId}",
    name="ogc_collection",
    response_model=Collection,
    response_model_exclude_none=True,
    responses=HTML_RESPONSE,
    openapi_extra=OPENAPI_METADATA,
    summary="Metadata of one feature collection",
)
def collection_page(
    request: Request,
    twin: TwinViewDep,
    collectionId: str,
) -> Response:
    """Describe one collection: title, extent, offered CRSs and links to its items."""
    fmt, lang = output_format(request), language(request)
    page = collection(request, twin, twin.layer(collectionId), fmt=fmt, lang=lang)
    if fmt == "html":
        return render(request, "ogc_collection.html", {"page": page, "twin": twin.record})
    return JSONResponse(page.model_dump(exclude_none=True))
