"""The twin's vector layers that scenarios change: land use, buildings and trees.

Both scenario engines (land-use indicators and the heat model) read the same three
layers from the store and apply the same edits to them (:mod:`scenarios.edits`), so that
a scenario's floor area, residents, trees and sealing are the same numbers in every
table and map.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from layers.buildings import STOREY_HEIGHT_M
from twin.config import LayerKind, MunicipalityConfig
from twin.errors import TwinError
from twin.store.base import TwinStore

#: Crown diameter (m) assumed for trees without one (a young street tree).
DEFAULT_CROWN_DIAMETER_M = 6.0


@dataclass(frozen=True)
class TwinLayers:
    """The layers a scenario changes, in the municipality's CRS."""

    boundary: BaseGeometry
    landuse: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    trees: gpd.GeoDataFrame


def touching(features: gpd.GeoDataFrame | gpd.GeoSeries, area: BaseGeometry) -> np.ndarray:
    """Positions (sorted) of the features that intersect ``area``, found through the spatial index.

    Scenarios change a small part of a town; selecting through the index first keeps their
    cost independent of the number of buildings, trees and land-use areas.
    """
    if features.empty:
        return np.zeros(0, dtype=np.intp)
    return np.sort(features.sindex.query(area, predicate="intersects"))


def tree_crowns(trees: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Crown disks from tree points and their crown diameters."""
    if trees.empty:
        return gpd.GeoSeries([], crs=trees.crs)
    diameter = (
        pd.to_numeric(trees["crown_diameter_m"], errors="coerce")
        if "crown_diameter_m" in trees.columns
        else pd.Series(np.nan, index=trees.index)
    )
    radius = diameter.fillna(DEFAULT_CROWN_DIAMETER_M).clip(lower=0.5) / 2
    return trees.geometry.buffer(radius.to_numpy(), quad_segs=4)


def floor_area(buildings: gpd.GeoDataFrame) -> np.ndarray:
    """Gross floor area per building: footprint × storeys (or height ÷ storey height)."""
    storeys = pd.to_numeric(buildings["storeys"], errors="coerce").astype("float64")
    from_height = np.maximum(np.round(buildings["height"].astype("float64") / STOREY_HEIGHT_M), 1)
    storeys = storeys.where(storeys > 0, from_height)
    return (buildings.geometry.area * storeys).to_numpy(dtype=np.float64)


def read_layer(
    store: TwinStore, config: MunicipalityConfig, kind: LayerKind, name: str | None = None
) -> gpd.GeoDataFrame | None:
    """The imported layer of this ``kind`` (or this ``name``), or None if there is none."""
    for layer in config.layers:
        if (name is not None and layer.name == name) or (name is None and layer.kind == kind):
            try:
                return store.read_features(layer.name).frame
            except TwinError:
                return None  # configured but not imported yet
    return None


def _empty(crs: object, columns: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=crs)


def twin_layers(store: TwinStore, config: MunicipalityConfig) -> TwinLayers:
    """The land-use, building and tree layers of the twin (empty where it has none)."""
    crs = config.crs
    boundary = store.municipality().boundary
    landuse = read_layer(store, config, LayerKind.LANDUSE)
    if landuse is None:  # a town without a land-use layer is "other" everywhere
        landuse = _empty(crs, ["feature_id", "landuse"])
    buildings = read_layer(store, config, LayerKind.BUILDINGS)
    trees = read_layer(store, config, LayerKind.TREES)
    return TwinLayers(
        boundary,
        landuse,
        buildings
        if buildings is not None
        else _empty(crs, ["feature_id", "height", "storeys", "use"]),
        trees if trees is not None else _empty(crs, ["feature_id", "crown_diameter_m"]),
    )
