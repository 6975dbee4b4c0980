"""What the map page's script needs: layers, legend classes and texts, as one JSON object.

Colours and labels of land-use classes come from :mod:`layers.landuse` (the same table
the scenarios use), building uses from :data:`BUILDING_USES`, so legend and drawing
cannot disagree. Both languages are included, because the page switches language
without asking the server again.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from starlette.requests import Request

from layers.crs import CRS84
from twin.catalogue import CatalogueEntry
from twin.config import Classification, LayerKind
from viewer.api.crs import storage_crs_uri, transform_bbox
from viewer.api.params import MAX_LIMIT
from viewer.deps import TwinView
from viewer.labels import attribution
from viewer.negotiation import LANGUAGES, language
from viewer.texts import TEXTS

DRAW_ORDER: dict[LayerKind, int] = {
    LayerKind.LANDUSE: 0,
    LayerKind.VECTOR: 1,
    LayerKind.DISTRICTS: 2,
    LayerKind.STREETS: 3,
    LayerKind.TREES: 4,
    LayerKind.BUILDINGS: 5,
}
"""Bottom to top: areas first, then lines, points and the extruded buildings."""

BUILDING_USES: dict[str, tuple[str, str, str]] = {
    "residential": ("#e6b35a", "Wohnen", "Residential"),
    "mixed": ("#d98c5f", "Wohnen und Gewerbe", "Mixed use"),
    "commercial": ("#c96d6d", "Gewerbe, Handel, Büro", "Commercial"),
    "industrial": ("#9b7cb6", "Industrie", "Industrial"),
    "public": ("#5b8fd9", "Öffentliche Einrichtung", "Public"),
    "agricultural": ("#a3b86c", "Landwirtschaft", "Agricultural"),
    "ancillary": ("#c9c2b8", "Nebengebäude", "Ancillary"),
    "other": ("#a8a8a8", "Sonstige", "Other"),
}
"""Building ``use`` (:class:`layers.buildings.BuildingUse`) → (colour, German, English)."""

MAP_TEXT_KEYS = (
    "layers",
    "legend",
    "sources",
    "loading",
    "load_failed",
    "webgl_missing",
    "vendor_missing",
    "building_use",
    "landuse",
    "height",
    "close",
    "feature",
    "switch_language",
    "switch_language_label",
    "map_label",
    "demo",
    "ogc_api",
    "home",
)


def _landuse_legend() -> list[dict[str, Any]]:
    from layers.landuse import LANDUSE_INFO  # imported lazily: a big table, needed here only

    return [
        {
            "value": cls.value,
            "colour": info.colour,
            "label": {"de": info.label_de, "en": info.label_en},
        }
        for cls, info in LANDUSE_INFO.items()
    ]


def _building_legend() -> list[dict[str, Any]]:
    return [
        {"value": use, "colour": colour, "label": {"de": de, "en": en}}
        for use, (colour, de, en) in BUILDING_USES.items()
    ]


def _layer(request: Request, slug: str, entry: CatalogueEntry) -> dict[str, Any]:
    items = request.url_for("ogc_items", slug=slug, collectionId=entry.name)
    return {
        "id": entry.name,
        "kind": entry.kind.value,
        "geometry": entry.geometry_type or "",
        "title": {lang: entry.title.get(lang) for lang in LANGUAGES},
        "attribution": attribution(entry),
        "items": str(items.include_query_params(f="json", limit=MAX_LIMIT)),
    }


def map_config(
    request: Request, twin: TwinView, shown: Collection[Classification]
) -> dict[str, Any]:
    """The JSON object embedded in the map page (see ``static/twin-map.js``).

    ``shown`` are the classifications the view puts on its map: a view is a policy of its
    own (the citizen view shows only public layers, even to a logged-in planner).
    """
    entries = sorted(
        (entry for entry in twin.layers() if entry.classification in shown),
        key=lambda e: (DRAW_ORDER.get(e.kind, 1), e.name),
    )
    bounds = transform_bbox(
        tuple(twin.record.boundary.bounds),  # type: ignore[arg-type]
        source=storage_crs_uri(twin.record.crs),
        target=CRS84,
    )
    kinds = {entry.kind for entry in entries}
    return {
        "slug": twin.record.slug,
        "name": twin.record.name,
        "lang": language(request),
        "bounds": [round(v, 7) for v in bounds],
        "layers": [_layer(request, twin.record.slug, entry) for entry in entries],
        "legend": {
            "landuse": _landuse_legend() if LayerKind.LANDUSE in kinds else [],
            "buildings": _building_legend() if LayerKind.BUILDINGS in kinds else [],
        },
        "texts": {lang: {key: TEXTS[lang][key] for key in MAP_TEXT_KEYS} for lang in LANGUAGES},
    }
