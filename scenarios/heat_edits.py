"""Scenario edits the heat model understands, read from GeoJSON and applied to the layers.

An edit is a GeoJSON feature whose ``edit`` property says what it does:

========================  ===========  =================================================
``edit``                  geometry     other properties
========================  ===========  =================================================
``landuse``               polygon      ``landuse``: a land-use class (``green``, …)
``unseal``                polygon      (none): sealed ground becomes unsealed ground
``plant_trees``           point, line  ``crown_diameter_m`` (8), ``spacing_m`` (8) for
                          or polygon   rows along lines and grids in polygons
``remove_trees``          polygon      (none): trees standing inside are felled
``add_building``          polygon      ``height_m`` and/or ``storeys``, ``use``
``remove_buildings``      polygon      (none): buildings whose centre is inside go
========================  ===========  =================================================

Edits are applied in order to copies of the land-use, building and tree layers; the heat
model then rasterises only the block the edits touch (see :mod:`scenarios.heat_twin`).
Coordinates are WGS 84 (GeoJSON's rule) unless the file names another CRS.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from layers.buildings import STOREY_HEIGHT_M
from layers.landuse import LandUse
from layers.vector import read_vector
from scenarios.heat_landcover import TwinLayers, tree_crowns
from twin.errors import TwinError

EditKind = Literal[
    "landuse", "unseal", "plant_trees", "remove_trees", "add_building", "remove_buildings"
]
LANDUSE_CLASSES = [use.value for use in LandUse] + ["unsealed"]
BUILDING_USES = (
    "residential",
    "mixed",
    "commercial",
    "industrial",
    "public",
    "agricultural",
    "ancillary",
    "other",
)
DEFAULT_CROWN_M = 8.0
DEFAULT_SPACING_M = 8.0


class EditError(TwinError):
    """A scenario edit that cannot be applied as given."""


@dataclass(frozen=True)
class HeatEdit:
    """One edit: what, where (municipality CRS) and its settings."""

    kind: EditKind
    geometry: BaseGeometry
    landuse: str | None = None
    crown_diameter_m: float = DEFAULT_CROWN_M
    spacing_m: float = DEFAULT_SPACING_M
    height_m: float | None = None
    storeys: int | None = None
    use: str = "residential"

    def bounds(self) -> tuple[float, float, float, float]:
        """Area the edit changes, including the crowns of trees it plants."""
        margin = self.crown_diameter_m / 2 if self.kind == "plant_trees" else 0.0
        minx, miny, maxx, maxy = self.geometry.bounds
        return minx - margin, miny - margin, maxx + margin, maxy + margin


def _where(index: int, kind: str) -> str:
    return f"edit {index + 1} ({kind})"


def _number(
    props: dict[str, Any], key: str, where: str, low: float, high: float, default: float | None
) -> float | None:
    value = props.get(key, default)
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise EditError(f"{where}: {key} = {value!r} is not a number") from None
    if not low <= number <= high:
        raise EditError(f"{where}: {key} = {number:g} is outside {low:g}-{high:g}")
    return number


def edit_from_feature(
    index: int, geometry: BaseGeometry, props: dict[str, Any], boundary: BaseGeometry
) -> HeatEdit:
    """Check one feature and turn it into a :class:`HeatEdit`; errors name the feature."""
    kind = str(props.get("edit", ""))
    where = _where(index, kind or "?")
    if kind not in get_args(EditKind):
        raise EditError(
            f"{where}: unknown edit {kind!r}", hint=f"Known edits: {', '.join(get_args(EditKind))}."
        )
    if geometry is None or geometry.is_empty:
        raise EditError(f"{where}: has no geometry")
    if not geometry.is_valid:
        raise EditError(
            f"{where}: invalid geometry ({shapely.is_valid_reason(geometry)})",
            hint="Redraw it without self-intersections.",
        )
    polygonal = geometry.geom_type in ("Polygon", "MultiPolygon")
    if kind != "plant_trees" and not polygonal:
        raise EditError(f"{where}: needs a polygon, got a {geometry.geom_type}")
    if not geometry.intersects(boundary):
        raise EditError(
            f"{where}: lies outside the municipality",
            hint="Check the coordinates (GeoJSON is longitude, latitude).",
        )
    edit = HeatEdit(kind, geometry)  # type: ignore[arg-type]
    if kind == "landuse":
        landuse = str(props.get("landuse", ""))
        if landuse not in LANDUSE_CLASSES:
            raise EditError(
                f"{where}: landuse {landuse!r} is not a class",
                hint=f"Classes: {', '.join(LANDUSE_CLASSES)}.",
            )
        edit = replace(edit, landuse=landuse)
    elif kind == "plant_trees":
        edit = replace(
            edit,
            crown_diameter_m=_number(props, "crown_diameter_m", where, 1, 40, DEFAULT_CROWN_M)
            or DEFAULT_CROWN_M,
            spacing_m=_number(props, "spacing_m", where, 2, 100, DEFAULT_SPACING_M)
            or DEFAULT_SPACING_M,
        )
    elif kind == "add_building":
        height = _number(props, "height_m", where, 2, 300, None)
        storeys = _number(props, "storeys", where, 1, 80, None)
        if height is None and storeys is None:
            raise EditError(f"{where}: give height_m or storeys")
        use = str(props.get("use", "residential"))
        if use not in BUILDING_USES:
            raise EditError(
                f"{where}: use {use!r} unknown", hint=f"Uses: {', '.join(BUILDING_USES)}."
            )
        edit = replace(
            edit, height_m=height, storeys=None if storeys is None else int(storeys), use=use
        )
    return edit


def read_edits(path: Path, *, crs: CRS, boundary: BaseGeometry) -> list[HeatEdit]:
    """Read and check the edits of a GeoJSON file (see the module docstring)."""
    frame = read_vector(path, file_format="geojson")
    if frame.empty:
        raise EditError(f"{path}: holds no edits")
    frame = frame.set_crs("EPSG:4326") if frame.crs is None else frame
    frame = frame.to_crs(crs)
    properties = frame.drop(columns=frame.geometry.name).to_dict("records")
    return [
        edit_from_feature(i, geometry, {k: v for k, v in props.items() if _present(v)}, boundary)
        for i, (geometry, props) in enumerate(zip(frame.geometry, properties, strict=True))
    ]


def _present(value: object) -> bool:
    return not (value is None or (isinstance(value, float) and np.isnan(value)))


def apply_edits(
    layers: TwinLayers, edits: list[HeatEdit]
) -> tuple[TwinLayers, tuple[float, float, float, float]]:
    """The layers with ``edits`` applied in order, and the bounds of all that changed.

    The inputs are not changed. Removed buildings and trees count with their whole
    footprint or crown, which may reach beyond the edit's polygon.
    """
    landuse, buildings, trees = layers.landuse, layers.buildings, layers.trees
    boxes = [edit.bounds() for edit in edits]
    for number, edit in enumerate(edits, 1):
        shape = edit.geometry
        if edit.kind in ("landuse", "unseal"):
            landuse = _repaint(landuse, shape, edit.landuse or "unsealed", number)
        elif edit.kind == "plant_trees":
            trees = _plant(trees, edit, number)
        elif edit.kind == "remove_trees":
            felled = trees.geometry.within(shape)
            if felled.any():
                boxes.append(tuple(tree_crowns(trees[felled]).total_bounds))
            trees = trees[~felled]
        elif edit.kind == "add_building":
            buildings = _build(buildings, edit, number)
        else:
            gone = buildings.geometry.representative_point().within(shape)
            if gone.any():
                boxes.append(tuple(buildings[gone].total_bounds))
            buildings = buildings[~gone]
    edited = TwinLayers(layers.boundary, landuse, buildings, trees)
    corners = np.array(boxes)
    bounds = (
        float(corners[:, 0].min()),
        float(corners[:, 1].min()),
        float(corners[:, 2].max()),
        float(corners[:, 3].max()),
    )
    return edited, bounds


def _repaint(
    landuse: gpd.GeoDataFrame, shape: BaseGeometry, cls: str, number: int
) -> gpd.GeoDataFrame:
    cut = landuse.copy()
    touched = cut.geometry.intersects(shape)
    cut.loc[touched, cut.geometry.name] = cut.geometry[touched].difference(shape)
    cut = cut[~cut.geometry.is_empty]
    new = gpd.GeoDataFrame(
        {"feature_id": [f"edit-{number}"], "landuse": [cls]}, geometry=[shape], crs=landuse.crs
    )
    return pd.concat([cut, new], ignore_index=True)


def _plant(trees: gpd.GeoDataFrame, edit: HeatEdit, number: int) -> gpd.GeoDataFrame:
    shape = edit.geometry
    if shape.geom_type in ("Point", "MultiPoint"):
        points = list(getattr(shape, "geoms", [shape]))
    elif shape.geom_type in ("LineString", "MultiLineString"):
        count = max(int(shape.length // edit.spacing_m) + 1, 1)
        points = [shape.interpolate(d) for d in np.linspace(0, shape.length, count)]
    else:
        minx, miny, maxx, maxy = shape.bounds
        xs = np.arange(minx + edit.spacing_m / 2, maxx, edit.spacing_m)
        ys = np.arange(miny + edit.spacing_m / 2, maxy, edit.spacing_m)
        grid = shapely.points(*(a.ravel() for a in np.meshgrid(xs, ys)))
        points = [p for p in grid if shape.contains(p)]
    new = gpd.GeoDataFrame(
        {
            "feature_id": [f"edit-{number}-{i}" for i in range(len(points))],
            "crown_diameter_m": edit.crown_diameter_m,
        },
        geometry=points,
        crs=trees.crs,
    )
    return pd.concat([trees, new], ignore_index=True)


def _build(buildings: gpd.GeoDataFrame, edit: HeatEdit, number: int) -> gpd.GeoDataFrame:
    height = edit.height_m if edit.height_m is not None else (edit.storeys or 1) * STOREY_HEIGHT_M
    storeys = edit.storeys if edit.storeys is not None else max(round(height / STOREY_HEIGHT_M), 1)
    new = gpd.GeoDataFrame(
        {
            "feature_id": [f"edit-{number}"],
            "height": [height],
            "storeys": [storeys],
            "use": [edit.use],
        },
        geometry=[edit.geometry],
        crs=buildings.crs,
    )
    return pd.concat([buildings, new], ignore_index=True)
