"""Scenario edits: what a planner changes, checked, stored and applied to the twin's layers.

An edit is a GeoJSON feature whose ``edit`` property says what it does:

=====================  ===========  =======================================================
``edit``               geometry     other properties
=====================  ===========  =======================================================
``designate``          polygon      ``use``: a BauNVO area type (``WA``, ``MI``, ``GE``, …,
                                    see :mod:`scenarios.baunvo`) with optional ``grz``,
                                    ``gfz``, ``storeys``; or a land-use class (``green``,
                                    ``forest``, ``agriculture``, ``traffic``, ``water``, …)
``add_building``       polygon      ``height_m`` and/or ``storeys``, ``use``
``modify_buildings``   polygon      ``storeys``, ``add_storeys``, ``height_m`` and/or ``use``
                                    for the buildings whose centre is inside
``remove_buildings``   polygon      (none): buildings whose centre is inside go
``plant_trees``        point, line  ``crown_diameter_m`` (8), ``spacing_m`` (8) for
                       or polygon   rows along lines and grids in polygons
``remove_trees``       polygon      (none): trees standing inside are felled
``unseal``, ``seal``   polygon      (none): the open ground inside becomes unsealed or sealed
=====================  ===========  =======================================================

Any edit may carry a ``label`` ("Park am Markt") that lists, diffs and briefs show.

A designated building area is assumed *built out*: the buildings standing in it give way
to a planned building mass with the area's GRZ as footprint and its GFZ as floor area
(missing values are filled with the § 17 guide values, and the results say so), and the
open ground is sealed as § 19(4) BauNVO allows (GRZ + 50 %, at most 0.8). A green,
forest, farmland or water designation clears the buildings inside. Both the land-use
indicators and the heat model read the edited layers, so the two always agree.
Coordinates are WGS 84 (GeoJSON's rule) unless a file names another CRS.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely import affinity
from shapely.errors import ShapelyError
from shapely.geometry.base import BaseGeometry

from layers.buildings import STOREY_HEIGHT_M, BuildingUse
from layers.landuse import LandUse
from layers.vector import read_vector
from scenarios.baunvo import AREA_TYPES, planned_measure
from scenarios.twin_layers import TwinLayers, touching, tree_crowns
from twin.errors import PlanError

EditKind = Literal[
    "designate",
    "add_building",
    "modify_buildings",
    "remove_buildings",
    "plant_trees",
    "remove_trees",
    "unseal",
    "seal",
]
LANDUSE_CLASSES = tuple(use.value for use in LandUse)
BUILDING_USES = tuple(use.value for use in BuildingUse)
DEFAULT_CROWN_M = 8.0
DEFAULT_SPACING_M = 8.0
#: How far (m) an edit may stick out of the municipality's boundary (digitising slack).
BOUNDARY_TOLERANCE_M = 1.0
#: § 19(4) BauNVO: ancillary sealing may add 50 % to the GRZ, up to a GRZ of 0.8.
ANCILLARY_FACTOR, ANCILLARY_CAP = 1.5, 0.8


class EditError(PlanError):
    """A scenario edit that cannot be applied as given."""


@dataclass(frozen=True)
class Edit:
    """One edit: what, where (municipality CRS) and its settings (see the module table)."""

    kind: EditKind
    geometry: BaseGeometry
    label: str = ""
    use: str | None = None
    grz: float | None = None
    gfz: float | None = None
    storeys: float | None = None
    add_storeys: int | None = None
    height_m: float | None = None
    crown_diameter_m: float = DEFAULT_CROWN_M
    spacing_m: float = DEFAULT_SPACING_M

    @property
    def builds(self) -> bool:
        """Whether this edit designates a building area (BauNVO type)."""
        return self.kind == "designate" and self.use in AREA_TYPES

    def bounds(self) -> tuple[float, float, float, float]:
        """Area the edit changes, including the crowns of trees it plants."""
        margin = self.crown_diameter_m / 2 if self.kind == "plant_trees" else 0.0
        minx, miny, maxx, maxy = self.geometry.bounds
        return minx - margin, miny - margin, maxx + margin, maxy + margin

    def properties(self) -> dict[str, Any]:
        """The edit's GeoJSON properties: its kind and the settings that are not default."""
        defaults = {"crown_diameter_m": DEFAULT_CROWN_M, "spacing_m": DEFAULT_SPACING_M}
        props: dict[str, Any] = {"edit": self.kind}
        for name, value in asdict(self).items():
            if name in ("kind", "geometry") or value in (None, "") or defaults.get(name) == value:
                continue
            props[name] = value
        return props


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


def _check_geometry(where: str, kind: str, geometry: BaseGeometry, boundary: BaseGeometry) -> None:
    if geometry is None or geometry.is_empty:
        raise EditError(f"{where}: has no geometry")
    if not geometry.is_valid:
        raise EditError(
            f"{where}: invalid geometry ({shapely.is_valid_reason(geometry)})",
            hint="Redraw it without self-intersections.",
        )
    if kind != "plant_trees" and geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise EditError(f"{where}: needs a polygon, got a {geometry.geom_type}")
    if not geometry.intersects(boundary):
        raise EditError(
            f"{where}: lies outside the municipality",
            hint="Check the coordinates (GeoJSON is longitude, latitude).",
        )
    if not boundary.buffer(BOUNDARY_TOLERANCE_M).contains(geometry):
        outside = geometry.difference(boundary)
        amount = f"{outside.area:,.0f} m²" if outside.area > 0 else f"{outside.length:,.0f} m"
        raise EditError(
            f"{where}: reaches {amount} beyond the municipality's boundary",
            hint="Plans can only change land inside the municipality; clip the geometry.",
        )


def _choice(
    props: dict[str, Any], where: str, key: str, known: tuple[str, ...], default: str | None
) -> str:
    value = str(props.get(key, default) if props.get(key, default) is not None else "")
    if value not in known:
        raise EditError(
            f"{where}: {key} {value!r} is not known", hint=f"Known: {', '.join(known)}."
        )
    return value


def _designation(edit: Edit, props: dict[str, Any], where: str) -> Edit:
    use = _choice(props, where, "use", (*AREA_TYPES, *LANDUSE_CLASSES), None)
    measures = {
        "grz": _number(props, "grz", where, 0.01, 1.0, None),
        "gfz": _number(props, "gfz", where, 0.01, 10.0, None),
        "storeys": _number(props, "storeys", where, 1, 80, None),
    }
    given = [
        name.upper() if name != "storeys" else "storeys"
        for name, v in measures.items()
        if v is not None
    ]
    if use not in AREA_TYPES and given:
        raise EditError(
            f"{where}: {', '.join(given)} only apply to building areas, not to {use!r}",
            hint=f"Building areas: {', '.join(AREA_TYPES)}.",
        )
    grz, gfz = measures["grz"], measures["gfz"]
    if grz is not None and gfz is not None and gfz < grz - 1e-9:
        raise EditError(
            f"{where}: GFZ {gfz:g} is smaller than GRZ {grz:g}",
            hint="A building has at least one storey.",
        )
    return replace(edit, use=use, grz=grz, gfz=gfz, storeys=measures["storeys"])


def _building_settings(edit: Edit, props: dict[str, Any], where: str) -> Edit:
    height = _number(props, "height_m", where, 2, 300, None)
    storeys = _number(props, "storeys", where, 1, 80, None)
    if edit.kind == "add_building":
        if height is None and storeys is None:
            raise EditError(f"{where}: give height_m or storeys")
        use: str | None = _choice(props, where, "use", BUILDING_USES, "residential")
        added = None
    else:
        added_storeys = _number(props, "add_storeys", where, -80, 80, None)
        added = None if added_storeys is None else int(added_storeys)
        use = _choice(props, where, "use", BUILDING_USES, None) if "use" in props else None
        if height is None and storeys is None and added is None and use is None:
            raise EditError(f"{where}: give storeys, add_storeys, height_m or use")
    return replace(
        edit,
        height_m=height,
        storeys=None if storeys is None else int(storeys),
        add_storeys=added,
        use=use,
    )


def edit_from_feature(
    index: int, geometry: BaseGeometry, props: dict[str, Any], boundary: BaseGeometry
) -> Edit:
    """Check one feature and turn it into an :class:`Edit`; errors name the feature."""
    kind = str(props.get("edit", ""))
    where = _where(index, kind or "?")
    if kind not in get_args(EditKind):
        raise EditError(
            f"{where}: unknown edit {kind!r}", hint=f"Known edits: {', '.join(get_args(EditKind))}."
        )
    _check_geometry(where, kind, geometry, boundary)
    edit = Edit(kind, geometry, label=str(props.get("label") or ""))  # type: ignore[arg-type]
    if kind == "designate":
        return _designation(edit, props, where)
    if kind in ("add_building", "modify_buildings"):
        return _building_settings(edit, props, where)
    if kind == "plant_trees":
        return replace(
            edit,
            crown_diameter_m=_number(props, "crown_diameter_m", where, 1, 40, DEFAULT_CROWN_M)
            or DEFAULT_CROWN_M,
            spacing_m=_number(props, "spacing_m", where, 2, 100, DEFAULT_SPACING_M)
            or DEFAULT_SPACING_M,
        )
    return edit


def edits_from_frame(frame: gpd.GeoDataFrame, *, crs: CRS, boundary: BaseGeometry) -> list[Edit]:
    """Check the edits of a GeoDataFrame (WGS 84 when it has no CRS), in file order."""
    frame = frame.set_crs("EPSG:4326") if frame.crs is None else frame
    frame = frame.to_crs(crs)
    properties = frame.drop(columns=frame.geometry.name).to_dict("records")
    return [
        edit_from_feature(i, geometry, {k: v for k, v in props.items() if _present(v)}, boundary)
        for i, (geometry, props) in enumerate(zip(frame.geometry, properties, strict=True))
    ]


def edits_from_geojson(
    collection: dict[str, Any], *, crs: CRS, boundary: BaseGeometry
) -> list[Edit]:
    """Check the edits of a GeoJSON FeatureCollection in WGS 84 (as web clients send them)."""
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list) or not features:
        raise EditError("edits: give a GeoJSON FeatureCollection with at least one feature")
    try:
        frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    except (ShapelyError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise EditError(f"edits: a feature is not valid GeoJSON ({error})") from None
    return edits_from_frame(frame, crs=crs, boundary=boundary)


def edits_to_geojson(edits: list[Edit], crs: CRS) -> dict[str, Any]:
    """The edits as a GeoJSON FeatureCollection in WGS 84."""
    frame = edits_to_frame(edits, crs).to_crs("EPSG:4326")
    return dict(
        frame.__geo_interface__ if len(frame) else {"type": "FeatureCollection", "features": []}
    )


def read_edits(path: Path, *, crs: CRS, boundary: BaseGeometry) -> list[Edit]:
    """Read and check the edits of a GeoJSON file (see the module docstring)."""
    frame = read_vector(path, file_format="geojson")
    if frame.empty:
        raise EditError(f"{path}: holds no edits")
    return edits_from_frame(frame, crs=crs, boundary=boundary)


def edits_to_frame(edits: list[Edit], crs: CRS) -> gpd.GeoDataFrame:
    """The edits as a GeoDataFrame in ``crs`` (one row per edit, its properties as columns)."""
    records = [edit.properties() for edit in edits]
    return gpd.GeoDataFrame(records, geometry=[edit.geometry for edit in edits], crs=crs)


def _present(value: object) -> bool:
    return not (value is None or (isinstance(value, float) and np.isnan(value)))


def apply_edits(
    layers: TwinLayers, edits: list[Edit]
) -> tuple[TwinLayers, tuple[float, float, float, float]]:
    """The layers with ``edits`` applied in order, and the bounds of all that changed.

    The inputs are not changed. Removed buildings and trees count with their whole
    footprint or crown, which may reach beyond the edit's polygon.
    """
    landuse, buildings, trees = layers.landuse, layers.buildings, layers.trees
    boxes: list[tuple[float, ...]] = [edit.bounds() for edit in edits]
    for number, edit in enumerate(edits, 1):
        shape = edit.geometry
        if edit.kind == "designate":
            landuse = _designate(landuse, edit, number)
            buildings, gone = _without_buildings(buildings, shape)
            boxes.extend(gone)
            if edit.builds:
                buildings = _add(buildings, *_planned_mass(edit), number)
        elif edit.kind in ("unseal", "seal"):
            landuse = _reseal(landuse, shape, 0.0 if edit.kind == "unseal" else 1.0)
        elif edit.kind == "plant_trees":
            trees = _plant(trees, edit, number)
        elif edit.kind == "remove_trees":
            felled = trees.geometry.within(shape)
            if felled.any():
                boxes.append(tuple(tree_crowns(trees[felled]).total_bounds))
            trees = trees[~felled]
        elif edit.kind == "add_building":
            height = edit.height_m or (edit.storeys or 1) * STOREY_HEIGHT_M
            storeys = edit.storeys or max(round(height / STOREY_HEIGHT_M), 1)
            buildings = _add(
                buildings, shape, float(storeys), height, edit.use or "residential", number
            )
        elif edit.kind == "modify_buildings":
            buildings, changed = _modify(buildings, edit)
            boxes.extend(changed)
        else:
            buildings, gone = _without_buildings(buildings, shape)
            boxes.extend(gone)
    edited = TwinLayers(layers.boundary, landuse, buildings, trees)
    corners = np.array(boxes)
    bounds = (
        float(corners[:, 0].min()),
        float(corners[:, 1].min()),
        float(corners[:, 2].max()),
        float(corners[:, 3].max()),
    )
    return edited, bounds


def _inside(buildings: gpd.GeoDataFrame, shape: BaseGeometry) -> pd.Series:
    """Which buildings have their centre (a point inside the footprint) in ``shape``."""
    mask = np.zeros(len(buildings), dtype=bool)
    near = touching(buildings, shape)
    points = buildings.geometry.iloc[near].representative_point().to_numpy()
    mask[near] = shapely.within(points, shape)
    return pd.Series(mask, index=buildings.index)


def _without_buildings(
    buildings: gpd.GeoDataFrame, shape: BaseGeometry
) -> tuple[gpd.GeoDataFrame, list[tuple[float, ...]]]:
    gone = _inside(buildings, shape)
    boxes = [tuple(buildings[gone].total_bounds)] if gone.any() else []
    return buildings[~gone], boxes


def _split(
    landuse: gpd.GeoDataFrame, shape: BaseGeometry
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The land-use pieces outside and inside ``shape``."""
    touched = np.zeros(len(landuse), dtype=bool)
    touched[touching(landuse, shape)] = True
    outside = landuse.copy()
    outside.loc[touched, outside.geometry.name] = landuse.geometry[touched].difference(shape)
    inside = landuse[touched].copy()
    inside[inside.geometry.name] = landuse.geometry[touched].intersection(shape)
    polygonal = inside.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    return outside[~outside.geometry.is_empty], inside[polygonal & ~inside.geometry.is_empty]


def _designate(landuse: gpd.GeoDataFrame, edit: Edit, number: int) -> gpd.GeoDataFrame:
    outside, _ = _split(landuse, edit.geometry)
    sealing = np.nan
    cls = edit.use or LandUse.OTHER.value
    if edit.builds:
        rules = AREA_TYPES[cls]
        grz, _, _ = planned_measure(cls, grz=edit.grz, gfz=edit.gfz, storeys=edit.storeys)
        sealed = max(grz, min(grz * ANCILLARY_FACTOR, ANCILLARY_CAP))
        sealing = 1.0 if grz >= 1 else (sealed - grz) / (1 - grz)
        cls = rules.landuse
    new = gpd.GeoDataFrame(
        {"feature_id": [f"edit-{number}"], "landuse": [cls], "sealing": [sealing]},
        geometry=[edit.geometry],
        crs=landuse.crs,
    )
    return pd.concat([outside, new], ignore_index=True)


def _reseal(landuse: gpd.GeoDataFrame, shape: BaseGeometry, sealing: float) -> gpd.GeoDataFrame:
    outside, inside = _split(landuse, shape)
    inside["sealing"] = sealing
    return pd.concat([outside, inside], ignore_index=True)


def _planned_mass(edit: Edit) -> tuple[BaseGeometry, float, float, str]:
    """Footprint, storeys, height and use of a designated area's planned buildings.

    One building mass per area: the polygon shrunk about its centroid to the GRZ share of
    its area, with GFZ ÷ GRZ storeys, so that footprint and floor area are exact.
    """
    assert edit.use is not None
    grz, gfz, _ = planned_measure(edit.use, grz=edit.grz, gfz=edit.gfz, storeys=edit.storeys)
    factor = float(np.sqrt(grz))
    footprint = affinity.scale(edit.geometry, factor, factor, origin="centroid")
    storeys = gfz / grz
    return footprint, storeys, storeys * STOREY_HEIGHT_M, AREA_TYPES[edit.use].building_use


def _add(
    buildings: gpd.GeoDataFrame,
    shape: BaseGeometry,
    storeys: float,
    height: float,
    use: str,
    number: int,
) -> gpd.GeoDataFrame:
    new = gpd.GeoDataFrame(
        {"feature_id": [f"edit-{number}"], "height": [height], "storeys": [storeys], "use": [use]},
        geometry=[shape],
        crs=buildings.crs,
    )
    return pd.concat([buildings, new], ignore_index=True)


def _modify(
    buildings: gpd.GeoDataFrame, edit: Edit
) -> tuple[gpd.GeoDataFrame, list[tuple[float, ...]]]:
    chosen = _inside(buildings, edit.geometry)
    if not chosen.any():
        return buildings, []
    changed = buildings.copy()
    storeys = pd.to_numeric(changed.loc[chosen, "storeys"], errors="coerce")
    storeys = storeys.fillna(
        np.maximum(np.round(changed.loc[chosen, "height"] / STOREY_HEIGHT_M), 1)
    )
    if edit.storeys is not None:
        storeys[:] = edit.storeys
    if edit.add_storeys is not None:
        storeys = (storeys + edit.add_storeys).clip(lower=1)
    changed.loc[chosen, "storeys"] = storeys
    changed.loc[chosen, "height"] = (
        edit.height_m if edit.height_m is not None else storeys * STOREY_HEIGHT_M
    )
    if edit.use is not None:
        changed.loc[chosen, "use"] = edit.use
    return changed, [tuple(changed[chosen].total_bounds)]


def _plant(trees: gpd.GeoDataFrame, edit: Edit, number: int) -> gpd.GeoDataFrame:
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
        points = list(grid[shapely.contains(shape, grid)])
    new = gpd.GeoDataFrame(
        {
            "feature_id": [f"edit-{number}-{i}" for i in range(len(points))],
            "crown_diameter_m": edit.crown_diameter_m,
        },
        geometry=points,
        crs=trees.crs,
    )
    return pd.concat([trees, new], ignore_index=True)
