"""Feature frames from the store as GeoJSON features, in any offered CRS.

Geometries are transformed and rounded as whole arrays (shapely) and written by GEOS;
attributes are serialised by pandas. Only assembling each feature dict is per feature,
which keeps a 10,000-feature page fast. Coordinates are rounded to what the data can
mean: 7 decimals of a degree (about 1 cm) or 3 decimals of a metre.
"""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from starlette.responses import JSONResponse

from viewer.api.crs import coordinate_decimals, transform_geometries

GEOJSON = "application/geo+json"


class GeoJSONResponse(JSONResponse):
    """JSON response with the GeoJSON media type (RFC 7946)."""

    media_type = GEOJSON


def _geometries(geometries: NDArray[np.object_], *, source: str, target: str) -> list[Any]:
    decimals = coordinate_decimals(target)
    moved = transform_geometries(geometries, source=source, target=target)
    rounded = shapely.transform(moved, lambda coords: np.round(coords, decimals))
    return [None if text is None else json.loads(text) for text in shapely.to_geojson(rounded)]


def _properties(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    attributes = frame.drop(columns=[frame.geometry.name, "feature_id"])
    if attributes.columns.empty:
        return [{} for _ in range(len(frame))]
    records: list[dict[str, Any]] = json.loads(
        attributes.to_json(orient="records", date_format="iso", force_ascii=False)
    )
    return records


def features(frame: gpd.GeoDataFrame, *, source: str, target: str) -> list[dict[str, Any]]:
    """Return the rows of ``frame`` as GeoJSON features with ``feature_id`` as ``id``.

    Parameters
    ----------
    frame
        Features as read from the store, with a ``feature_id`` column.
    source, target
        CRS URIs of the stored geometries and of the output.
    """
    geometries = _geometries(frame.geometry.to_numpy(), source=source, target=target)
    return [
        {"type": "Feature", "id": fid, "geometry": geometry, "properties": props}
        for fid, geometry, props in zip(
            frame["feature_id"].astype(str), geometries, _properties(frame), strict=True
        )
    ]
