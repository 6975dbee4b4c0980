"""Machinery shared by the 3D building readers (CityGML, CityJSON).

Both formats describe a building as parts with attributes and 3D faces; this module
turns faces into a 2D footprint and a height, collects parts into rows of the twin's
building table, and resolves the CRS names surveying offices use.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from layers.buildings import FLAT_TOLERANCE_M, assemble_rows, empty_rows
from layers.crs import parse_crs
from twin.errors import CRSError, DataFileError, LayerValidationError

logger = logging.getLogger(__name__)


Face = list[NDArray[np.float64]]


def polygonal(geometry: BaseGeometry | None) -> BaseGeometry | None:
    """The polygonal part of ``geometry`` with positive area, or None."""
    if geometry is None or geometry.is_empty:
        return None
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    parts = shapely.get_parts(shapely.get_parts(geometry))
    polygons = [p for p in parts if p.geom_type == "Polygon" and p.area > 0]
    if not polygons:
        return None
    merged = shapely.union_all(polygons) if len(polygons) > 1 else polygons[0]
    if merged.geom_type in ("Polygon", "MultiPolygon"):
        return merged
    rest = [p for p in shapely.get_parts(merged) if p.geom_type == "Polygon" and p.area > 0]
    return shapely.MultiPolygon(rest) if rest else None


def union_2d(faces: list[Face]) -> BaseGeometry | None:
    """2D union of faces (their projection to the ground)."""
    polygons = []
    for face in faces:
        if len(face[0]) < 3:
            continue
        polygon = Polygon(face[0][:, :2], [ring[:, :2] for ring in face[1:] if len(ring) >= 3])
        polygons.append(polygon)
    if not polygons:
        return None
    valid = shapely.make_valid(np.asarray(polygons, dtype=object))
    return polygonal(shapely.union_all(valid))


def z_range(faces: list[Face]) -> tuple[float, float]:
    """(min z, max z) over all 3D rings; NaNs when the faces are 2D."""
    zs = [face[0][:, 2] for face in faces if face[0].shape[1] == 3]
    if not zs:
        return math.nan, math.nan
    values = np.concatenate(zs)
    return float(values.min()), float(values.max())


def lowest_flat_faces(faces: list[Face]) -> list[Face]:
    """Horizontal faces at the bottom of a solid: its ground faces."""
    flat = [f for f in faces if f[0].shape[1] == 3 and np.ptp(f[0][:, 2]) <= FLAT_TOLERANCE_M]
    if not flat:
        return []
    bottom = min(float(f[0][:, 2].max()) for f in flat)
    return [f for f in flat if float(f[0][:, 2].max()) <= bottom + FLAT_TOLERANCE_M]


@dataclass(frozen=True)
class Shape:
    footprint: BaseGeometry | None
    ground_z: float
    height: float


def choose_shape(candidates: list[tuple[str, list[Face]]], *, all_faces: list[Face]) -> Shape:
    """Footprint from the first candidate that yields an area, and the 3D extent.

    Candidate kinds: ``ground`` (ground surfaces: their union), ``solid`` (the lowest
    horizontal faces, else the 2D union of all faces), ``flat`` (a 2D footprint surface:
    its union), ``roof`` (roof edges: their union, no ground height).
    """
    zmin, zmax = z_range(all_faces)
    height = zmax - zmin if zmax - zmin > 0 else math.nan
    for kind, faces in candidates:
        if not faces:
            continue
        if kind == "solid":
            lowest = lowest_flat_faces(faces)
            footprint = union_2d(lowest) if lowest else None
            used = lowest
            if footprint is None:
                footprint, used = union_2d(faces), faces
        else:
            footprint, used = union_2d(faces), faces
        if footprint is not None:
            ground_z = math.nan if kind == "roof" else z_range(used)[0]
            return Shape(footprint, ground_z, height)
    return Shape(None, math.nan, height)


@dataclass
class Attributes:
    measured: float = math.nan
    storeys: float = math.nan
    function: str | None = None
    inherited_measured: float = math.nan

    def inherit(self, parent: Attributes) -> Attributes:
        """Fill what this part lacks from its parent (measured height only as a fallback)."""
        return Attributes(
            measured=self.measured,
            storeys=parent.storeys if math.isnan(self.storeys) else self.storeys,
            function=self.function or parent.function,
            inherited_measured=(
                parent.inherited_measured if math.isnan(parent.measured) else parent.measured
            ),
        )


def parse_number(text: str | None) -> float:
    try:
        return float(text) if text is not None else math.nan
    except ValueError:
        return math.nan


@dataclass
class Collector:
    """Rows of a building frame, collected one object at a time."""

    source: str
    raw: dict[str, list[Any]] = field(default_factory=empty_rows)
    geometry: list[BaseGeometry] = field(default_factory=list)
    without_footprint: list[str] = field(default_factory=list)
    buildings: int = 0

    def add(self, feature_id: str, building_id: str, attrs: Attributes, shape: Shape) -> None:
        if shape.footprint is None:
            self.without_footprint.append(feature_id)
            return
        # Own measuredHeight, else the object's own 3D extent, else its Building's height.
        heights = (attrs.measured, shape.height, attrs.inherited_measured)
        measured = next((h for h in heights if h > 0), math.nan)
        values = (feature_id, building_id, measured, attrs.storeys, math.nan, attrs.function)
        for name, value in zip(self.raw, (*values, None, shape.ground_z), strict=True):
            self.raw[name].append(value)
        self.geometry.append(shape.footprint)

    def frame(self, crs: CRS) -> gpd.GeoDataFrame:
        if self.without_footprint:
            logger.warning(
                "%s: %d building(s) without a footprint geometry were skipped: %s",
                self.source,
                len(self.without_footprint),
                ", ".join(self.without_footprint[:10]),
            )
        if not self.geometry:
            what = (
                f"{self.buildings} buildings, none with" if self.buildings else "no building with"
            )
            raise LayerValidationError(
                f"{self.source} contains {what} a footprint geometry",
                hint="A buildings layer needs LoD0 footprints, LoD1 solids or LoD2 ground "
                "surfaces; check that this is the right file.",
            )
        return assemble_rows(pd.DataFrame(self.raw), self.geometry, crs=crs, source=self.source)


def walk_parts(
    building_id: str,
    attrs: Attributes,
    parts: list[Any],
    children: Callable[[Any], list[Any]],
    own: Callable[[Any], tuple[str, Attributes]],
) -> Iterator[tuple[Any, str, Attributes]]:
    """Parts (nested parts included) with their ids and inherited attributes."""
    stack = [(part, attrs) for part in parts]
    number = 0
    while stack:
        part, parent = stack.pop(0)
        number += 1
        part_id, part_attrs = own(part)
        merged = part_attrs.inherit(parent)
        yield part, part_id or f"{building_id}_{number}", merged
        stack.extend((child, merged) for child in children(part))


def horizontal(crs: CRS) -> CRS:
    """The horizontal part of a (compound) CRS, as a plain EPSG CRS where it has a code."""
    horizontal = crs.sub_crs_list[0] if crs.is_compound else crs
    code = horizontal.to_epsg()
    return CRS.from_epsg(code) if code else horizontal


def parse_file_crs(name: str | int, path: Path) -> CRS:
    """Horizontal CRS of a file's CRS declaration; a CRSError names the file."""
    try:
        return horizontal(parse_crs(name))
    except CRSError as exc:
        raise CRSError(f"{path}: {exc.message}", hint=exc.hint) from None


def one_line(text: str) -> str:
    return " ".join(text.split())


def require_file(path: Path) -> None:
    if not path.is_file():
        raise DataFileError(f"{path}: file not found", hint="Check the layer's path in the config.")
