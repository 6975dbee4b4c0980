"""The shared part of a municipality's OGC API: landing page and conformance declaration.

There is one landing page and one ``/conformance`` per municipality for all OGC APIs
mounted under ``/{slug}/ogc/`` (Features and Processes): another API adds its
conformance classes to :data:`CONFORMANCE_CLASSES` and its links to the landing page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from viewer.api.links import HTML, JSON, resource_url, self_and_alternate, with_format
from viewer.api.models import Conformance, LandingPage, Link
from viewer.api.params import OPENAPI_METADATA
from viewer.deps import TwinViewDep
from viewer.negotiation import language, output_format
from viewer.templating import render
from viewer.texts import TEXTS

_FEATURES_1 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
CONFORMANCE_CLASSES: list[str] = [
    _FEATURES_1 + "core",
    _FEATURES_1 + "oas30",
    _FEATURES_1 + "html",
    _FEATURES_1 + "geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    *(
        "http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/" + name
        for name in ("core", "ogc-process-description", "json", "html", "job-list", "dismiss")
    ),
]

HTML_RESPONSE: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/html": {}}, "description": "JSON, or HTML with f=html"}
}

router = APIRouter(prefix="/{slug}/ogc", tags=["OGC API"])


@router.get(
    "/",
    name="ogc_landing",
    response_model=LandingPage,
    response_model_exclude_none=True,
    responses=HTML_RESPONSE,
    openapi_extra=OPENAPI_METADATA,
    summary="Landing page of a municipality's OGC API",
)
def landing_page(request: Request, twin: TwinViewDep) -> Response:
    """Link to the API definition, the conformance declaration and the collections."""
    fmt, lang = output_format(request), language(request)
    texts = TEXTS[lang]
    slug = twin.record.slug
    openapi = request.app.openapi_url
    base = str(request.base_url).rstrip("/")
    links = [
        *self_and_alternate(resource_url(request, "ogc_landing", slug=slug), fmt, lang=lang),
        Link(
            href=base + openapi,
            rel="service-desc",
            type=f"application/vnd.oai.openapi+json;version={request.app.openapi_version}",
            title=texts["api_definition"],
        ),
        Link(
            href=with_format(resource_url(request, "ogc_conformance", slug=slug), "json"),
            rel="conformance",
            type=JSON,
            title=texts["conformance"],
        ),
        Link(
            href=with_format(resource_url(request, "ogc_collections", slug=slug), "json"),
            rel="data",
            type=JSON,
            title=texts["collections"],
        ),
        Link(
            href=with_format(resource_url(request, "ogc_processes", slug=slug), "json"),
            rel="http://www.opengis.net/def/rel/ogc/1.0/processes",
            type=JSON,
            title=texts["processes"],
        ),
        Link(
            href=with_format(resource_url(request, "ogc_jobs", slug=slug), "json"),
            rel="http://www.opengis.net/def/rel/ogc/1.0/job-list",
            type=JSON,
            title=texts["jobs"],
        ),
    ]
    if request.app.docs_url:
        links.append(
            Link(href=base + request.app.docs_url, rel="service-doc", type=HTML, title="Swagger UI")
        )
    page = LandingPage(
        title=f"{twin.record.name}: {texts['site']}",
        description=f"{texts['ogc_api']} · {texts['ags']} {twin.record.ags}",
        links=links,
    )
    if fmt == "html":
        return render(request, "ogc_landing.html", {"page": page, "twin": twin.record})
    return JSONResponse(page.model_dump(exclude_none=True))


@router.get(
    "/conformance",
    name="ogc_conformance",
    response_model=Conformance,
    responses=HTML_RESPONSE,
    openapi_extra=OPENAPI_METADATA,
    summary="Conformance classes the OGC API implements",
)
def conformance(request: Request, twin: TwinViewDep) -> Response:
    """List the OGC conformance classes (same for every municipality)."""
    page = Conformance(conformsTo=CONFORMANCE_CLASSES)
    if output_format(request) == "html":
        return render(request, "ogc_conformance.html", {"page": page, "twin": twin.record})
    return JSONResponse(page.model_dump())
