"""Response models of OGC API Features (Part 1 Core, Part 2 CRS), as the spec names them.

Field names follow the OGC JSON schemas (``conformsTo``, ``itemType``, ``storageCrs``),
so the models double as documentation in ``/openapi.json``. Feature collections are not
modelled here: they are built as plain GeoJSON for speed (see :mod:`viewer.api.geojson`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Link(BaseModel):
    """A typed web link (RFC 8288)."""

    href: str
    rel: str
    type: str | None = None
    title: str | None = None


class LandingPage(BaseModel):
    """Entry point of one municipality's OGC API."""

    title: str
    description: str | None = None
    links: list[Link]


class Conformance(BaseModel):
    """The conformance classes this API implements."""

    conformsTo: list[str]


class SpatialExtent(BaseModel):
    """Bounding box in CRS84 and, for Part 2 clients, in the storage CRS."""

    bbox: list[list[float]] = Field(description="minx, miny, maxx, maxy in CRS84")
    crs: str
    storageCrsBbox: list[list[float]] | None = None


class TemporalExtent(BaseModel):
    """First and last time of the layer's time field; ``None`` is an open end."""

    interval: list[list[str | None]]
    trs: str = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


class Extent(BaseModel):
    """Where (and when) the features of a collection are."""

    spatial: SpatialExtent | None = None
    temporal: TemporalExtent | None = None


class Collection(BaseModel):
    """Metadata of one feature collection (one public vector layer)."""

    id: str
    title: str
    description: str | None = None
    attribution: str | None = None
    links: list[Link]
    extent: Extent | None = None
    itemType: Literal["feature"] = "feature"
    crs: list[str]
    storageCrs: str


class Collections(BaseModel):
    """All feature collections of a municipality."""

    links: list[Link]
    collections: list[Collection]


class OgcException(BaseModel):
    """OGC API exception body: ``code``, what was wrong, and how to fix it."""

    code: str
    description: str
    hint: str | None = None
