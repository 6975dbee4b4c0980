"""3D faces of a building model reduced to what the twin keeps: footprint, base and height.

CityGML and CityJSON both describe a building as planar polygon faces in 3D (ground,
wall and roof surfaces, or the shell of a solid); the twin's building table needs a 2D
footprint, the z of its base and the vertical extent. Choosing the footprint from the
best faces a model offers (ground surfaces, else the bottom faces of a solid, else a 2D
footprint surface, else the roof edges) is the same for both formats, so both readers
hand their faces to :func:`choose_shape`.

A face is a list of rings (exterior first, then holes), each an ``(n, 2)`` or ``(n, 3)``
coordinate array.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.errors import GEOSException
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from layers.buildings import FLAT_TOLERANCE_M

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
    """What the twin keeps of a building's 3D geometry.

    ``footprint`` is the 2D ground plan (None if no face yields an area), ``ground_z``
    the height of its base and ``height`` the vertical extent of all faces (NaN where
    unknown). ``surfaces`` are the object's LoD2+ faces as a MultiPolygon Z (None for
    LoD0/LoD1 or 2D models), set by the reader that knows the LoD.
    """

    footprint: BaseGeometry | None
    ground_z: float
    height: float
    surfaces: BaseGeometry | None = None


def surfaces_3d(faces: list[Face]) -> BaseGeometry | None:
    """The faces as one MultiPolygon Z, the LoD2+ surfaces the twin keeps for 3D views.

    None if a face is 2D; faces whose rings cannot form a polygon (fewer than three
    points) are left out.
    """
    polygons = []
    for face in faces:
        if face[0].shape[1] != 3:
            return None
        holes = [ring for ring in face[1:] if len(ring) >= 3 and ring.shape[1] == 3]
        try:
            polygons.append(Polygon(face[0], holes))
        except (ValueError, GEOSException):
            continue
    return shapely.MultiPolygon(polygons) if polygons else None


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
