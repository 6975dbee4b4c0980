"""3D renders of a municipality and its scenarios: PNG for briefs and pages, glTF for other viewers.

A :class:`Scene` is built from the twin's layers with array operations throughout
(shapely 2 on whole columns, no loop over buildings or pixels): a building becomes a
prism, extruded from its 2D footprint to its ``height``, unless its layer was imported
from a CityGML/CityJSON LoD2 model: then the store keeps its surfaces (MultiPolygon Z,
:meth:`~twin.store.base.TwinStore.building_surfaces`) and it is drawn from them, each
face triangulated in its plane and the building set on the ground like a prism, so
roofs keep their shape. Surfaces that cannot be triangulated (self-intersecting, not
finite) fall back to the prism with a logged warning; new and changed buildings of a
scenario are always prisms.

The ground is flat, or the terrain of a DEM (a raster layer; the config has no DEM
kind, so the caller names it); a heat map can be draped on it in the colours and with
the labels of the 2D heat maps (:mod:`scenarios.heat_maps`). A scenario's changes are
highlighted: new and changed buildings and new trees in :data:`HIGHLIGHT`, removed
buildings as red wireframes (red as in the 2D change maps), each edit's area outlined
on the ground; the camera looks obliquely at the edits, or at the whole municipality.

Off-screen rendering needs no display: where ``DISPLAY`` is unset VTK is told to use EGL
(Mesa's software renderer llvmpipe where there is no GPU; Debian packages ``libegl1``
and ``libegl-mesa0``). Left to itself VTK first tries an X window, which warns without
an X server and crashes the process where the X libraries are missing. Renders are
serialised by a lock: one OpenGL context at a time is safe in any thread.

Coordinates in a scene are local, metres east, north and up of :attr:`Scene.origin`:
OpenGL and glTF store float32, which would round map coordinates of 5.5 million metres
to half a metre.

:func:`cached_render` keeps each render in ``WORKSPACE/SLUG/renders/`` under a name made
from the base state (:func:`scenarios.model.base_state`), the scenario version and the
view, so a second request is a file read and a re-import or a new version gives a new
file.
"""

from __future__ import annotations

import base64
import ctypes
import hashlib
import io
import json
import logging
import math
import os
import struct
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final, Literal

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pyvista as pv
import rasterio
import shapely
from PIL import Image
from rasterio.enums import Resampling
from rasterio.windows import from_bounds
from scipy.ndimage import map_coordinates

from scenarios.edits import Edit, apply_edits
from scenarios.grid import Grid
from scenarios.heat_maps import COLOURS, LABELS, MapKind
from scenarios.heat_outputs import atomic_path
from scenarios.heat_twin import difference, shared_twin_heat
from scenarios.landuse_maps import LEGEND, MARGIN_SHARE, MIN_MARGIN_M
from scenarios.model import Scenario, base_state
from scenarios.twin_layers import DEFAULT_CROWN_DIAMETER_M, TwinLayers, twin_layers
from twin.config import Lang, LayerKind, MunicipalityConfig
from twin.errors import InvalidRequestError, TwinError, UnavailableError
from twin.locks import lock_for
from twin.store.base import TwinStore
from twin.workspace import Workspace

#: Bump when renders look different, so that cached files of the old look are not served.
RENDER_VERSION: Final = 2
RENDERS_FOLDER: Final = "renders"
HIGHLIGHT: Final = "#e6007e"  # magenta: in neither the inferno nor the RdBu heat colours
REMOVED: Final = "#d7191c"  # removed buildings, red as in scenarios.landuse_maps
BUILDING: Final = "#d9d5cc"
GROUND: Final = "#efeee8"
TREE: Final = "#4f8a3c"
OUTLINE: Final = "#222222"
BACKGROUND: Final = "white"
#: Lines on the ground float this high (m) so that the ground does not hide them.
LIFT_M: Final = 0.5
#: A LoD2 triangle is roof (cell data ``roof``) where its normal is this steep upwards
#: (cosine to the vertical): roofs of up to about 78°, not walls or ground surfaces.
ROOF_MIN_UP: Final = 0.2
#: Trunk below a tree's crown (m); the crown is a ball of the tree's crown diameter.
TRUNK_M: Final = 2.5
#: The terrain is read at most this many cells along its longer side.
MAX_TERRAIN_CELLS: Final = 400
#: The camera looks towards north-north-east, this many degrees above the horizon.
AZIMUTH_DEG, ELEVATION_DEG = 20.0, 35.0
#: Room around the framed box, as a factor of the camera's distance.
FRAME_MARGIN: Final = 1.05
SIZE_LIMITS: Final = (64, 4096)
CHANGED_LABEL: Final = {"de": "Neue und geänderte Gebäude", "en": "New and changed buildings"}

#: How each mesh of a :class:`Scene` is drawn (a draped ground: see :func:`scene_plotter`).
STYLES: Final[dict[str, dict[str, Any]]] = {
    "ground": {"color": GROUND},
    "buildings": {"color": BUILDING},
    "changed": {"color": HIGHLIGHT},
    "removed": {"color": REMOVED, "line_width": 2},
    "edit_areas": {"color": OUTLINE, "line_width": 2},
    "trees": {"color": TREE},
    "new_trees": {"color": HIGHLIGHT},
}

logger = logging.getLogger(__name__)

Format = Literal["png", "glb"]
_GL_LOCK = threading.Lock()


@dataclass(frozen=True)
class Drape:
    """A raster to drape on the ground: values on a grid, coloured like the 2D map ``kind``."""

    values: np.ndarray
    grid: Grid
    kind: MapKind


@dataclass(frozen=True)
class Terrain:
    """Ground heights (m) on a grid, sampled bilinearly between cell centres."""

    heights: np.ndarray
    grid: Grid

    @classmethod
    def read(cls, path: Path, bounds: tuple[float, float, float, float], crs: str) -> Terrain:
        """The DEM at ``path`` over ``bounds``, at most :data:`MAX_TERRAIN_CELLS` per side.

        A DEM of a town at 1 m would be hundreds of millions of cells; a render needs a
        few hundred per side, so it is read decimated. Cells without data take the
        lowest known height.
        """
        with rasterio.open(path) as source:
            longest = max(bounds[2] - bounds[0], bounds[3] - bounds[1])
            size = max(float(source.res[0]), longest / MAX_TERRAIN_CELLS)
            grid = Grid.covering(bounds, cell_size=size, crs=crs)
            heights = source.read(
                1,
                window=from_bounds(*grid.bounds, transform=source.transform),
                out_shape=grid.shape,
                resampling=Resampling.bilinear,
                boundless=True,
                masked=True,
            )
        values = np.ma.filled(heights.astype(np.float64), np.nan)
        if not np.isfinite(values).any():
            raise InvalidRequestError(
                f"the terrain {path.name} has no heights within the municipality",
                hint="Name a raster layer that covers the municipality (e.g. its DEM).",
            )
        return cls(np.where(np.isfinite(values), values, np.nanmin(values)), grid)

    def at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Heights at map coordinates ``x``, ``y`` (nearest edge value outside the grid)."""
        minx, _, _, maxy = self.grid.bounds
        size = self.grid.cell_size
        rows, cols = (maxy - np.asarray(y)) / size - 0.5, (np.asarray(x) - minx) / size - 0.5
        return np.asarray(map_coordinates(self.heights, [rows, cols], order=1, mode="nearest"))

    @property
    def lowest(self) -> float:
        """The lowest height, the scene's zero."""
        return float(np.floor(self.heights.min()))


@dataclass(frozen=True)
class Scene:
    """The meshes of one render, in local coordinates (see the module docstring).

    ``buildings`` and ``changed`` carry cell data ``building`` (row of the edited building
    layer) and ``roof`` (roof triangle or wall quad); ``ground`` carries point data
    ``value`` when a raster is draped. ``focus`` is the box the camera frames.
    """

    origin: tuple[float, float, float]
    ground: pv.PolyData
    buildings: pv.PolyData
    changed: pv.PolyData
    removed: pv.PolyData
    edit_areas: pv.PolyData
    trees: pv.PolyData
    new_trees: pv.PolyData
    drape: Drape | None
    focus: tuple[float, float, float, float, float, float]

    def meshes(self) -> dict[str, pv.PolyData]:
        """The scene's non-empty meshes by name, in drawing order."""
        named = {
            "ground": self.ground,
            "buildings": self.buildings,
            "changed": self.changed,
            "removed": self.removed,
            "edit_areas": self.edit_areas,
            "trees": self.trees,
            "new_trees": self.new_trees,
        }
        return {name: mesh for name, mesh in named.items() if mesh.n_cells}


@dataclass(frozen=True)
class View:
    """What a render shows and how: with the scenario version and base state, its cache key."""

    fmt: Format = "png"
    size: tuple[int, int] = (1280, 720)
    lang: Lang = "de"
    heat: bool = False
    dem: str | None = None

    def key(self) -> dict[str, Any]:
        """What the file depends on (a glTF has no pixels and no labels)."""
        fields = asdict(self)
        return (
            {k: v for k, v in fields.items() if k not in ("size", "lang")}
            if self.fmt == "glb"
            else fields
        )


def parse_size(text: str) -> tuple[int, int]:
    """``WxH`` in pixels, e.g. ``1280x720``, each within :data:`SIZE_LIMITS`.

    Examples
    --------
    >>> parse_size("320x240")
    (320, 240)
    >>> parse_size("320")
    Traceback (most recent call last):
    ...
    twin.errors.InvalidRequestError: size '320' is not WIDTHxHEIGHT in pixels from 64 to 4096 e.g. 1280x720
    """
    width, _, height = text.lower().partition("x")
    low, high = SIZE_LIMITS
    if not (width.isdigit() and height.isdigit()) or not all(
        low <= int(n) <= high for n in (width, height)
    ):
        raise InvalidRequestError(
            f"size {text!r} is not WIDTHxHEIGHT in pixels from {low} to {high}",
            hint="e.g. 1280x720",
        )
    return int(width), int(height)


# --- geometry -------------------------------------------------------------------------------


def _polygons(footprints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The polygons of ``footprints`` oriented for outward walls, and the footprint of each."""
    parts, owner = shapely.get_parts(footprints, return_index=True)
    polygonal = shapely.get_type_id(parts) == 3
    # exterior rings anticlockwise, holes clockwise: the solid is left of every edge
    return shapely.orient_polygons(parts[polygonal]), owner[polygonal]


def _faces(cells: np.ndarray) -> np.ndarray:
    """VTK's flat cell array (``n, id_1 … id_n`` per cell) for cells of equal size."""
    return np.column_stack([np.full(len(cells), cells.shape[1]), cells]).ravel()


def extrude(
    footprints: np.ndarray, base: np.ndarray, top: np.ndarray, origin: tuple[float, float, float]
) -> pv.PolyData:
    """Prisms over ``footprints`` from ``base`` to ``top`` (m): wall quads and roof triangles.

    Each wall quad runs bottom a → bottom b → top b → top a along an oriented ring, so
    its normal points out of the building. Roofs are the footprints' constrained
    Delaunay triangles (holes stay open). Cells do not share points: edges stay sharp.
    """
    polygons, owner = _polygons(footprints)
    rings, ring_polygon = shapely.get_rings(polygons, return_index=True)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    coords = coords - origin[:2]
    segment = ring[:-1] == ring[1:]
    start, end = coords[:-1][segment], coords[1:][segment]
    wall_of = owner[ring_polygon[ring[:-1][segment]]]
    low, high = base[wall_of, None], top[wall_of, None]
    walls = np.stack(
        [
            np.hstack([start, low]),
            np.hstack([end, low]),
            np.hstack([end, high]),
            np.hstack([start, high]),
        ],
        axis=1,
    )
    triangles, triangle_polygon = shapely.get_parts(
        shapely.constrained_delaunay_triangles(polygons), return_index=True
    )
    corners = shapely.get_coordinates(triangles).reshape(-1, 4, 2)  # closed rings
    corners = corners[:, :3] - origin[:2]
    edge_a, edge_b = corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]
    clockwise = edge_a[:, 0] * edge_b[:, 1] - edge_a[:, 1] * edge_b[:, 0] < 0
    corners[clockwise] = corners[clockwise, ::-1]  # roofs face up
    roof_of = owner[triangle_polygon]
    roofs = np.dstack([corners, np.repeat(top[roof_of, None], 3, axis=1)])
    points = np.vstack([walls.reshape(-1, 3), roofs.reshape(-1, 3)]) - (0.0, 0.0, origin[2])
    quads = np.arange(4 * len(walls)).reshape(-1, 4)
    faces = np.concatenate(
        [_faces(quads), _faces(len(quads) * 4 + np.arange(3 * len(roofs)).reshape(-1, 3))]
    )
    mesh = pv.PolyData(points, faces=faces) if len(points) else pv.PolyData()
    if len(points):
        mesh.cell_data["building"] = np.concatenate([wall_of, roof_of])
        mesh.cell_data["roof"] = np.repeat([False, True], [len(walls), len(roofs)])
    return mesh


def _newell_normals(coords: np.ndarray, ring: np.ndarray, count: int) -> np.ndarray:
    """Newell's normal (not normalised) of each closed ring; ``ring`` numbers the coordinates."""
    same = ring[:-1] == ring[1:]
    a, b = coords[:-1][same], coords[1:][same]
    owner = ring[:-1][same]
    terms = np.column_stack(
        [
            (a[:, 1] - b[:, 1]) * (a[:, 2] + b[:, 2]),
            (a[:, 2] - b[:, 2]) * (a[:, 0] + b[:, 0]),
            (a[:, 0] - b[:, 0]) * (a[:, 1] + b[:, 1]),
        ]
    )
    return np.column_stack([np.bincount(owner, terms[:, i], minlength=count) for i in range(3)])


def _plane_triangles(polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Triangles of planar 3D polygons: corners (n, 3, 3), their polygon, and broken polygons.

    Each polygon is projected onto the axis plane its normal is closest to, triangulated
    there (constrained Delaunay, holes kept open) and lifted back onto its plane; the
    triangles turn the way the polygon's normal points. A polygon without area gives no
    triangles; one whose projection is not valid (self-intersecting) or whose coordinates
    are not finite is broken.
    """
    exteriors = shapely.get_exterior_ring(polygons)
    coords, ring = shapely.get_coordinates(exteriors, include_z=True, return_index=True)
    centre = (
        np.column_stack(
            [np.bincount(ring, coords[:, i], minlength=len(polygons)) for i in range(3)]
        )
        / np.maximum(np.bincount(ring, minlength=len(polygons)), 1)[:, None]
    )
    normal = _newell_normals(coords - centre[ring], ring, len(polygons))
    drop = np.argmax(np.abs(normal), axis=1)
    broken = ~np.isfinite(coords).all(axis=1)
    broken = np.bincount(ring[broken], minlength=len(polygons)) > 0
    broken |= ~np.isfinite(normal).all(axis=1)
    flat = (np.abs(normal).max(axis=1) <= 1e-9) & ~broken
    for index in np.flatnonzero(flat):  # no net area: a line (skipped) or a bow tie (broken)
        spread = np.linalg.svd(coords[ring == index] - centre[index], compute_uv=False)
        broken[index] = spread[1] > 1e-6 * max(1.0, spread[0])
    flat &= ~broken
    corners, owners = [], []
    for axis in range(3):
        chosen = np.flatnonzero((drop == axis) & ~broken & ~flat)
        if not len(chosen):
            continue
        keep = [a for a in range(3) if a != axis]
        order = [*keep, axis]  # the dropped axis last, then cut off

        def swap(c: np.ndarray, order: list[int] = order) -> np.ndarray:
            return c[:, order]

        projected = shapely.force_2d(shapely.transform(polygons[chosen], swap, include_z=True))
        good = shapely.is_valid(projected)
        broken[chosen[~good]] = True
        chosen, projected = chosen[good], projected[good]
        triangles, which = shapely.get_parts(
            shapely.constrained_delaunay_triangles(projected), return_index=True
        )
        if not len(triangles):
            continue
        xy = shapely.get_coordinates(triangles).reshape(-1, 4, 2)[:, :3]
        polygon = chosen[which]
        n, c = normal[polygon], centre[polygon]
        # the dropped coordinate from the plane n · (p - c) = 0
        lifted = (
            c[:, None, axis]
            - (
                n[:, None, keep[0]] * (xy[..., 0] - c[:, None, keep[0]])
                + n[:, None, keep[1]] * (xy[..., 1] - c[:, None, keep[1]])
            )
            / n[:, None, axis]
        )
        points = np.empty((len(xy), 3, 3))
        points[..., keep[0]], points[..., keep[1]], points[..., axis] = (
            xy[..., 0],
            xy[..., 1],
            lifted,
        )
        facing = np.cross(points[:, 1] - points[:, 0], points[:, 2] - points[:, 0])
        backwards = np.einsum("ij,ij->i", facing, n) < 0
        points[backwards] = points[backwards, ::-1]
        corners.append(points)
        owners.append(polygon)
    if not corners:
        return np.empty((0, 3, 3)), np.empty(0, dtype=np.intp), broken
    return np.concatenate(corners), np.concatenate(owners), broken


def lod2_triangles(
    surfaces: np.ndarray, base: np.ndarray, origin: tuple[float, float, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Triangles of LoD2 ``surfaces`` (MultiPolygon Z each) standing on ``base`` (m).

    Each building is moved up or down so that its lowest point is at its ``base``, as an
    extruded building stands; its roof shape and height are the model's. Returns the
    triangle corners (n, 3, 3) in the scene's frame, the building (index into
    ``surfaces``) of each, and which buildings are broken (a face that cannot be
    triangulated, or no face at all): those are left out of the triangles.
    """
    parts, owner = shapely.get_parts(surfaces, return_index=True)
    polygonal = shapely.get_type_id(parts) == 3
    parts, owner = parts[polygonal], owner[polygonal]
    broken = np.bincount(owner, minlength=len(surfaces)) == 0
    if not len(parts):
        return np.empty((0, 3, 3)), np.empty(0, dtype=np.intp), broken
    corners, polygon, bad = _plane_triangles(parts)
    broken |= np.bincount(owner[bad], minlength=len(surfaces)) > 0
    zs = shapely.get_coordinates(parts, include_z=True)[:, 2]
    lowest = np.full(len(surfaces), np.inf)
    finite = np.isfinite(zs)  # buildings with other z are broken already
    np.minimum.at(lowest, np.repeat(owner, shapely.get_num_coordinates(parts))[finite], zs[finite])
    building = owner[polygon]
    ok = ~broken[building]
    corners, building = corners[ok], building[ok]
    shift = base[building] - lowest[building]
    corners = corners + np.column_stack([np.zeros((len(shift), 2)), shift])[:, None, :]
    return corners - np.asarray(origin, dtype=np.float64), building, broken


def _polylines(lines: np.ndarray, z: np.ndarray, origin: tuple[float, float, float]) -> pv.PolyData:
    """One polyline per line geometry of ``lines``, at heights ``z`` per vertex."""
    parts, _ = shapely.get_parts(lines, return_index=True)
    coords, which = shapely.get_coordinates(parts, return_index=True)
    if not len(coords):
        return pv.PolyData()
    counts = np.bincount(which, minlength=len(parts))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])[counts > 0]
    cells = np.insert(np.arange(len(coords)), starts, counts[counts > 0])
    points = np.column_stack([coords, z]) - origin
    return pv.PolyData(points, lines=cells)


class _Ground:
    """Heights of the ground in the scene's frame: the terrain's, or 0 on flat ground."""

    def __init__(self, terrain: Terrain | None) -> None:
        self.terrain = terrain
        self.zero = terrain.lowest if terrain is not None else 0.0

    def at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Absolute heights (m) at map coordinates."""
        if self.terrain is None:
            return np.zeros(np.shape(x))
        return self.terrain.at(x, y)

    def step(self, fallback: float) -> float:
        """Distance between samples that follow the terrain (any if flat)."""
        return self.terrain.grid.cell_size if self.terrain is not None else fallback


def _bases(footprints: np.ndarray, ground: _Ground) -> np.ndarray:
    """Each building's base: the lowest ground under its corners, so no wall floats.

    ``ground_z`` of the store is not used: the terrain drawn is the DEM's, and a base
    from another survey would sink into it or hover above it.
    """
    if ground.terrain is None or not len(footprints):
        return np.zeros(len(footprints))
    coords, which = shapely.get_coordinates(footprints, return_index=True)
    heights = ground.at(coords[:, 0], coords[:, 1])
    bases = np.full(len(footprints), np.inf)
    np.minimum.at(bases, which, heights)
    return bases


def _prisms(
    buildings: gpd.GeoDataFrame,
    chosen: np.ndarray,
    ground: _Ground,
    origin: tuple[float, float, float],
    surfaces: gpd.GeoSeries | None = None,
) -> pv.PolyData:
    """The ``chosen`` (boolean mask) buildings as prisms; cell data ``building`` is their row.

    Buildings with LoD2 ``surfaces`` (by ``feature_id``) are drawn from them instead;
    those whose surfaces cannot be drawn fall back to prisms, with a warning.
    """
    rows = np.flatnonzero(chosen)
    footprints = buildings.geometry.to_numpy()[rows]
    base = _bases(footprints, ground)
    height = pd.to_numeric(buildings["height"], errors="coerce").fillna(0.0).to_numpy(np.float64)
    modelled = np.zeros(len(rows), dtype=bool)
    corners, owner = np.empty((0, 3, 3)), np.empty(0, dtype=np.intp)
    if surfaces is not None and len(surfaces) and len(rows):
        ids = buildings["feature_id"].astype(str).to_numpy()[rows]
        lookup = surfaces[~surfaces.index.duplicated()].reindex(ids).to_numpy()
        modelled = ~shapely.is_missing(lookup) & ~shapely.is_empty(lookup)
        which = np.flatnonzero(modelled)
        corners, owner, broken = lod2_triangles(lookup[which], base[which], origin)
        if broken.any():
            logger.warning(
                "LoD2 surfaces of %d building(s) cannot be drawn, extruded instead: %s",
                int(broken.sum()),
                ", ".join(ids[which[broken]][:10]),
            )
            modelled[which[broken]] = False
        owner = which[owner]
    mesh = extrude(footprints[~modelled], base[~modelled], (base + height[rows])[~modelled], origin)
    if mesh.n_cells:
        mesh.cell_data["building"] = rows[np.flatnonzero(~modelled)[mesh.cell_data["building"]]]
    if not len(corners):
        return mesh
    start = mesh.n_points
    points = np.vstack([mesh.points, corners.reshape(-1, 3)]) if start else corners.reshape(-1, 3)
    triangles = start + np.arange(3 * len(corners)).reshape(-1, 3)
    faces = np.concatenate([mesh.faces, _faces(triangles)]) if start else _faces(triangles)
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    upward = normals[:, 2] > ROOF_MIN_UP * np.linalg.norm(normals, axis=1)
    joined = pv.PolyData(points, faces=faces)
    old = mesh.n_cells
    joined.cell_data["building"] = np.concatenate(
        [mesh.cell_data["building"] if old else np.empty(0, dtype=np.intp), rows[owner]]
    )
    joined.cell_data["roof"] = np.concatenate(
        [mesh.cell_data["roof"] if old else np.empty(0, dtype=bool), upward]
    )
    return joined


def _ground_mesh(
    corner: tuple[float, float],
    size: float,
    shape: tuple[int, int],
    values: np.ndarray | None,
    ground: _Ground,
    origin: tuple[float, float, float],
) -> pv.PolyData:
    """One quad per cell of a north-up grid on the ground, each with its own 4 corners.

    ``corner`` is the grid's top-left (west, north) corner, ``shape`` its (rows, columns).
    Unshared corners give each cell one flat colour as *point* data, which the glTF
    exporter writes correctly (cell colours it writes with the wrong count).
    """
    rows, cols = np.divmod(np.arange(shape[0] * shape[1]), shape[1])
    minx, maxy = corner
    corner_cols = cols[:, None] + np.array([0, 1, 1, 0])  # anticlockwise seen from above
    corner_rows = rows[:, None] + np.array([1, 1, 0, 0])
    x, y = minx + corner_cols * size, maxy - corner_rows * size
    points = np.stack([x, y, ground.at(x, y)], axis=-1).reshape(-1, 3) - origin
    mesh = pv.PolyData(points, faces=_faces(np.arange(len(points)).reshape(-1, 4)))
    if values is not None:
        mesh.point_data["value"] = np.repeat(values.ravel().astype(np.float64), 4)
    return mesh


def _crowns(
    trees: gpd.GeoDataFrame, ground: _Ground, origin: tuple[float, float, float]
) -> pv.PolyData:
    """Each tree as a low-poly ball of its crown diameter on a trunk of :data:`TRUNK_M`."""
    points = trees[trees.geometry.geom_type == "Point"]
    if points.empty:
        return pv.PolyData()
    diameter = (
        pd.to_numeric(points["crown_diameter_m"], errors="coerce")
        if "crown_diameter_m" in points.columns
        else pd.Series(np.nan, index=points.index)
    )
    diameters = diameter.fillna(DEFAULT_CROWN_DIAMETER_M).clip(lower=0.5).to_numpy(np.float64)
    xy = shapely.get_coordinates(points.geometry.to_numpy())
    z = ground.at(xy[:, 0], xy[:, 1]) + TRUNK_M + diameters / 2
    centres = pv.PolyData(np.column_stack([xy, z]) - origin)
    centres.point_data["diameter"] = diameters
    ball = pv.Sphere(radius=0.5, theta_resolution=6, phi_resolution=5)
    return centres.glyph(geom=ball, scale="diameter", orient=False)


def _changed(base: gpd.GeoDataFrame, edited: gpd.GeoDataFrame) -> np.ndarray:
    """Which edited buildings are new, or differ from the base in height or use."""
    before = base.drop_duplicates("feature_id").set_index("feature_id")
    old = before.reindex(edited["feature_id"])
    new = ~edited["feature_id"].isin(before.index).to_numpy()
    taller = ~np.isclose(old["height"].to_numpy(np.float64), edited["height"].to_numpy(np.float64))
    use = (
        old["use"].fillna("").astype(str).to_numpy()
        != edited["use"].fillna("").astype(str).to_numpy()
    )
    return new | (~new & (taller | use))


def _edit_outlines(
    edits: Sequence[Edit], ground: _Ground, origin: tuple[float, float, float]
) -> pv.PolyData:
    """The outline of every polygon edit and the line of every line edit, on the ground."""
    shapes = np.array([e.geometry for e in edits], dtype=object)
    if not len(shapes):
        return pv.PolyData()
    areal = shapely.get_dimensions(shapes) == 2
    lines = np.where(areal, shapely.boundary(shapes), shapes)
    lines = lines[shapely.get_dimensions(lines) == 1]
    lines = shapely.segmentize(lines, ground.step(fallback=1e9))  # follow the terrain
    coords = shapely.get_coordinates(lines)
    return _polylines(lines, ground.at(coords[:, 0], coords[:, 1]) + LIFT_M, origin)


def _focus(
    bounds: tuple[float, float, float, float],
    edits: bool,
    top: float,
    origin: tuple[float, float, float],
) -> tuple[float, float, float, float, float, float]:
    """The box the camera frames: the changes with a margin as on the 2D maps, or the town."""
    minx, miny, maxx, maxy = bounds
    if edits:
        margin = max(MARGIN_SHARE * max(maxx - minx, maxy - miny), MIN_MARGIN_M)
        minx, miny, maxx, maxy = minx - margin, miny - margin, maxx + margin, maxy + margin
    ox, oy, _ = origin
    return (minx - ox, miny - oy, 0.0, maxx - ox, maxy - oy, top)


def _ground_for(
    bounds: tuple[float, float, float, float],
    drape: Drape | None,
    ground: _Ground,
    origin: tuple[float, float, float],
) -> pv.PolyData:
    """The ground: the draped raster's cells, else the terrain's, else one flat cell."""
    if drape is not None:
        left, _, _, upper = drape.grid.bounds
        return _ground_mesh(
            (left, upper), drape.grid.cell_size, drape.grid.shape, drape.values, ground, origin
        )
    minx, miny, maxx, maxy = bounds
    cell = ground.step(fallback=max(maxx - minx, maxy - miny))
    shape = (math.ceil((maxy - miny) / cell - 1e-9), math.ceil((maxx - minx) / cell - 1e-9))
    return _ground_mesh((minx, maxy), cell, shape, None, ground, origin)


def _wireframes(
    buildings: gpd.GeoDataFrame,
    chosen: np.ndarray,
    ground: _Ground,
    origin: tuple[float, float, float],
) -> pv.PolyData:
    """The edges of the ``chosen`` buildings' prisms: ghosts of removed buildings."""
    if not chosen.any():
        return pv.PolyData()
    return _prisms(buildings, chosen, ground, origin).extract_all_edges().clean()


def build_scene(
    layers: TwinLayers,
    edits: Sequence[Edit] = (),
    *,
    drape: Drape | None = None,
    terrain: Terrain | None = None,
    surfaces: gpd.GeoSeries | None = None,
) -> Scene:
    """The scene of ``layers``, with ``edits`` applied and highlighted.

    The edited buildings that are new or changed go into ``changed``, the others into
    ``buildings``; removed ones become wireframes in ``removed``. Unchanged buildings
    with LoD2 ``surfaces`` (MultiPolygon Z by ``feature_id``) are drawn from them; new,
    changed and removed ones are extruded.
    """
    edited, changed_bounds = apply_edits(layers, list(edits)) if edits else (layers, None)
    minx, miny, maxx, maxy = bounds = layers.boundary.bounds
    ground = _Ground(terrain)
    origin = (round((minx + maxx) / 2), round((miny + maxy) / 2), ground.zero)
    changed = _changed(layers.buildings, edited.buildings)
    gone = ~layers.buildings["feature_id"].isin(set(edited.buildings["feature_id"])).to_numpy()
    existing = edited.trees["feature_id"].isin(set(layers.trees["feature_id"])).to_numpy()
    buildings = _prisms(edited.buildings, ~changed, ground, origin, surfaces)
    highlighted = _prisms(edited.buildings, changed, ground, origin)
    top = max((m.bounds[5] for m in (buildings, highlighted) if m.n_cells), default=0.0)
    return Scene(
        origin=origin,
        ground=_ground_for(bounds, drape, ground, origin),
        buildings=buildings,
        changed=highlighted,
        removed=_wireframes(layers.buildings, gone, ground, origin),
        edit_areas=_edit_outlines(edits, ground, origin),
        trees=_crowns(edited.trees[existing], ground, origin),
        new_trees=_crowns(edited.trees[~existing], ground, origin),
        drape=drape,
        focus=_focus(changed_bounds or bounds, bool(edits), top, origin),
    )


# --- drawing ----------------------------------------------------------------------------------


def _use_headless_gl() -> None:
    """Without a display, make VTK use EGL, and say what to install if it is missing.

    VTK's default X window crashes the process (no exception) where there is no X
    server, and so does EGL without its library; checking first turns that into an error.
    """
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    try:
        ctypes.CDLL("libEGL.so.1")
    except OSError:
        raise UnavailableError(
            "3D renders need OpenGL through EGL, and libEGL cannot be loaded",
            hint="Install Debian's libegl1 and libegl-mesa0 (make setup does).",
        ) from None


def colour_range(values: np.ndarray, kind: MapKind) -> tuple[float, float]:
    """The colour bar's range, as on the 2D maps: differences centred on zero, HM 0-1."""
    finite = values[np.isfinite(values)]
    if kind == "difference":
        high = max(float(np.abs(finite).max()) if finite.size else 0.0, 0.01)
        return -high, high
    if kind == "index":
        return 0.0, 1.0
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)


def _aim(plotter: pv.Plotter, focus: tuple[float, ...], size: tuple[int, int]) -> None:
    """Look obliquely (:data:`AZIMUTH_DEG`, :data:`ELEVATION_DEG`) at the ``focus`` box.

    The camera is as close as it can be with all 8 corners of the box in the picture: a
    corner at offset q from the box's centre is in view when its sideways and upward
    offsets are within the field of view at its depth, distance + q·forward.
    """
    minx, miny, minz, maxx, maxy, maxz = focus
    corners = np.array(np.meshgrid([minx, maxx], [miny, maxy], [minz, maxz])).reshape(3, -1).T
    centre = corners.mean(axis=0)
    azimuth, elevation = math.radians(AZIMUTH_DEG), math.radians(ELEVATION_DEG)
    forward = np.array(
        [
            math.sin(azimuth) * math.cos(elevation),
            math.cos(azimuth) * math.cos(elevation),
            -math.sin(elevation),
        ]
    )
    right = np.cross(forward, (0.0, 0.0, 1.0))
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    camera = plotter.camera
    tan_vertical = math.tan(math.radians(camera.view_angle) / 2)
    tan_horizontal = tan_vertical * size[0] / size[1]
    offsets = corners - centre
    distance = FRAME_MARGIN * max(
        np.max(np.abs(offsets @ right) / tan_horizontal - offsets @ forward),
        np.max(np.abs(offsets @ up) / tan_vertical - offsets @ forward),
    )
    camera.focal_point = tuple(centre)
    camera.position = tuple(centre - distance * forward)
    camera.up = tuple(up)
    plotter.reset_camera_clipping_range()


def _legend(scene: Scene, lang: Lang) -> list[tuple[str, str]]:
    """Legend entries of the changes the scene shows (none for the base state)."""
    words = LEGEND[lang]
    entries = [
        (CHANGED_LABEL[lang], HIGHLIGHT, scene.changed),
        (words["gone"], REMOVED, scene.removed),
        (words["trees"], HIGHLIGHT, scene.new_trees),
        (words["edit"], OUTLINE, scene.edit_areas),
    ]
    return [(text, colour) for text, colour, mesh in entries if mesh.n_cells]


def _font(size: tuple[int, int]) -> int:
    """A label size (pt) readable in small pictures and not shouting in large ones."""
    return max(8, min(18, round(size[1] / 40)))


def _add_drape(
    plotter: pv.Plotter, ground: pv.PolyData, drape: Drape, size: tuple[int, int], lang: Lang
) -> None:
    """The ground coloured by the draped raster, unlit, with the 2D map's colour bar.

    Unlit, the picture shows the colour bar's colours. Colours are mapped per point
    (not interpolated through a texture) and the material is white, so that the glTF
    carries them as vertex colours untinted.
    """
    low, high = colour_range(drape.values, drape.kind)
    actor = plotter.add_mesh(
        ground,
        scalars="value",
        cmap=matplotlib.colormaps[COLOURS[drape.kind]],
        clim=(low, high),
        nan_color=GROUND,
        lighting=False,
        interpolate_before_map=False,
        scalar_bar_args={
            "title": LABELS[lang][drape.kind],
            "vertical": False,
            "position_x": 0.3,
            "position_y": 0.02,
            "width": 0.4,
            "height": 0.06,
            "fmt": "%.3g",
            "n_labels": 3,
            "title_font_size": _font(size),
            "label_font_size": _font(size),
            "unconstrained_font_size": True,
        },
        name="ground",
    )
    actor.prop.color = pv.Color("white")


def scene_plotter(
    scene: Scene, *, size: tuple[int, int] = (1280, 720), lang: Lang = "de"
) -> pv.Plotter:
    """An off-screen plotter showing ``scene``, with colour bar and legend (close it after use)."""
    _use_headless_gl()
    plotter = pv.Plotter(off_screen=True, window_size=list(size))
    plotter.background_color = pv.Color(BACKGROUND)
    meshes = scene.meshes()
    if scene.drape is not None:
        _add_drape(plotter, meshes.pop("ground"), scene.drape, size, lang)
    for name, mesh in meshes.items():
        plotter.add_mesh(mesh, name=name, **STYLES[name])
    legend = _legend(scene, lang)
    if legend:
        # pyvista's positional-argument decorator hides the signature from mypy
        plotter.add_legend(  # type: ignore[call-arg]
            labels=legend,
            bcolor="white",
            face="rectangle",
            loc="upper left",
            size=(min(0.5, 300 / size[0]), min(0.4, 24 * len(legend) / size[1])),
        )
    _aim(plotter, scene.focus, size)
    return plotter


def render_png(
    scene: Scene,
    *,
    size: tuple[int, int] = (1280, 720),
    lang: Lang = "de",
    target: Path | None = None,
) -> bytes:
    """The scene as PNG bytes of ``size`` pixels, also written atomically to ``target`` if given."""
    with _GL_LOCK:
        plotter = scene_plotter(scene, size=size, lang=lang)
        try:
            image = plotter.screenshot(return_img=True)
        finally:
            plotter.close()
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image)).save(buffer, format="PNG")
    data = buffer.getvalue()
    if target is not None:
        with atomic_path(target) as temporary:
            temporary.write_bytes(data)
    return data


def export_glb(scene: Scene, target: Path) -> Path:
    """The scene as binary glTF (``.glb``, y up) at ``target``, written atomically.

    VTK writes glTF as JSON with base64 buffers; :func:`glb` packs that into the one
    binary file other viewers (and the web) expect.
    """
    with tempfile.TemporaryDirectory() as folder, _GL_LOCK:
        plotter = scene_plotter(scene, size=(64, 64))
        try:
            text = Path(folder) / "scene.gltf"
            plotter.export_gltf(str(text))
        finally:
            plotter.close()
        packed = glb(json.loads(text.read_text(encoding="utf-8")))
    with atomic_path(target) as temporary:
        temporary.write_bytes(packed)
    return target


def glb(gltf: dict[str, Any]) -> bytes:
    """A glTF document with data-URI buffers as one GLB file (JSON chunk, one BIN chunk)."""
    blobs: list[bytes] = []
    starts: list[int] = []
    offset = 0
    for buffer in gltf.pop("buffers", []):
        data = base64.b64decode(buffer["uri"].partition(",")[2])
        data += b"\0" * (-len(data) % 4)  # every view starts 4-byte aligned
        starts.append(offset)
        blobs.append(data)
        offset += len(data)
    for view in gltf.get("bufferViews", []):
        view["byteOffset"] = view.get("byteOffset", 0) + starts[view["buffer"]]
        view["buffer"] = 0
    gltf["buffers"] = [{"byteLength": offset}]
    document = json.dumps(gltf, separators=(",", ":")).encode()
    document += b" " * (-len(document) % 4)
    body = b"".join(blobs)
    length = 12 + 8 + len(document) + 8 + len(body)
    return b"".join(
        [
            struct.pack("<4sII", b"glTF", 2, length),
            struct.pack("<I4s", len(document), b"JSON"),
            document,
            struct.pack("<I4s", len(body), b"BIN\0"),
            body,
        ]
    )


# --- the twin's renders, cached ---------------------------------------------------------------


def heat_drape(store: TwinStore, config: MunicipalityConfig, edits: Sequence[Edit]) -> Drape:
    """The heat map to drape: air temperature of the base, or a scenario's change."""
    model = shared_twin_heat(config, store)
    if not edits:
        return Drape(model.base.t_air(), model.grid, "temperature")
    return Drape(
        difference(model.scenario(list(edits)).result, model.base), model.grid, "difference"
    )


def twin_scene(
    store: TwinStore, config: MunicipalityConfig, scenario: Scenario | None, view: View
) -> Scene:
    """The scene of a municipality (``scenario`` None: its base state) as ``view`` asks."""
    edits = scenario.edits if scenario is not None else []
    layers = twin_layers(store, config)
    drape = heat_drape(store, config, edits) if view.heat else None
    terrain = (
        Terrain.read(store.raster_path(view.dem), layers.boundary.bounds, config.crs)
        if view.dem
        else None
    )
    return build_scene(
        layers, edits, drape=drape, terrain=terrain, surfaces=lod2_surfaces(store, config)
    )


def lod2_surfaces(store: TwinStore, config: MunicipalityConfig) -> gpd.GeoSeries | None:
    """The LoD2 surfaces of the buildings layer the scenes show, if it has any."""
    for layer in config.layers:
        if layer.kind == LayerKind.BUILDINGS:  # the layer twin_layers reads
            try:
                surfaces = store.building_surfaces(layer.name)
            except TwinError:
                return None  # configured but not imported yet
            return surfaces if len(surfaces) else None
    return None


def render_folder(workspace: Workspace, slug: str) -> Path:
    """Where a municipality's renders are cached."""
    return workspace.folder(slug) / RENDERS_FOLDER


def render_path(folder: Path, state: str, scenario: Scenario | None, view: View) -> Path:
    """The cache file of a render: its name changes with base ``state``, scenario version and view.

    The name starts with the base state, so that files of an old one can be pruned.
    """
    ref = scenario.ref if scenario is not None else "base"
    key = json.dumps([RENDER_VERSION, state, ref, view.key()], sort_keys=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    stem = ref.replace("@", "-v")
    return folder / f"{state[:12]}-{stem}-{digest}.{view.fmt}"


def cached_render(
    store: TwinStore,
    config: MunicipalityConfig,
    folder: Path,
    scenario: Scenario | None,
    view: View,
) -> Path:
    """The render's file in ``folder``, made on the first request only.

    Requests for the same render at once wait for the first to make it. Making one drops
    the files of older base states (re-imports, config changes).
    """
    target = render_path(folder, base_state(config, store), scenario, view)
    with lock_for(target):
        if target.exists():
            return target
        scene = twin_scene(store, config, scenario, view)
        if view.fmt == "glb":
            export_glb(scene, target)
        else:
            render_png(scene, size=view.size, lang=view.lang, target=target)
    state = target.name.partition("-")[0]
    for old in folder.glob("*.*"):
        if not old.name.startswith((state, ".")):
            old.unlink(missing_ok=True)
    return target
