"""The twin's layers as the heat model's land cover: land use, buildings and trees on a grid.

Each cell gets the land-use class under its centre (cells inside the municipality that no
land-use polygon covers are ``other``; cells outside have no data). Buildings and tree
crowns are smaller than a 10 m cell, so they are measured, not classified: each cell
holds the *fraction* of it that roofs cover and the fraction that crowns cover, counted
on a sub-grid of about 2 m, and the *floor-area ratio* (floor area of the buildings whose
footprint covers it ÷ cell area). The cell's surface properties mix those of roofs, tree
crowns and its land-use class by area (:func:`mixed_surface`), so planting a street tree
or adding a storey changes the map even at 10 m. A cell more than half covered by roofs is
labelled ``building`` in the land-cover map that InVEST users can export.

Residents are placed in the cell of their building's centre, from its floor area
(:mod:`scenarios.conversion`), so exposure counts add up to the buildings' residents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rasterio.features import rasterize
from shapely.geometry.base import BaseGeometry

from layers.landuse import LandUse
from scenarios.conversion import residents_from_floor_area
from scenarios.grid import Grid
from scenarios.heat import BiophysicalTable, Surface
from scenarios.twin_layers import (
    DEFAULT_CROWN_DIAMETER_M,
    TwinLayers,
    floor_area,
    touching,
    tree_crowns,
)

#: Land-cover codes: one per land-use class, then roofs and unsealed ground.
COVER_CODES: dict[str, int] = {use.value: number for number, use in enumerate(LandUse, 1)}
COVER_CODES |= {"building": 20, "unsealed": 21}
#: Floor-area ratio at which building intensity reaches 1 (night method): GFZ 3.0, the
#: upper limit of BauNVO § 17 for core areas (MK), the densest German building type.
FULL_INTENSITY_FLOOR_RATIO = 3.0
#: Sealed share of open ground from which it counts as a paved square (``sealed_open``).
SEALED_SQUARE = 0.95
#: Sub-grid cell size (m) on which roof and crown fractions are counted.
SUBCELL_M = 2.0
#: Cells rasterised at once, to bound memory on large municipalities.
TILE_CELLS = 1024


@dataclass
class LandCover:
    """The twin's layers on one grid (see the module docstring)."""

    grid: Grid
    codes: np.ndarray
    valid: np.ndarray
    roof_fraction: np.ndarray
    canopy_fraction: np.ndarray
    floor_ratio: np.ndarray
    residents: np.ndarray = field(repr=False)

    def splice(self, other: LandCover, rows: slice, cols: slice) -> LandCover:
        """A copy with the block ``[rows, cols]`` taken from ``other`` (a block cover)."""
        arrays = {}
        for name in _ARRAYS:
            array = getattr(self, name).copy()
            array[rows, cols] = getattr(other, name)
            arrays[name] = array
        return LandCover(self.grid, **arrays)


_ARRAYS = ("codes", "valid", "roof_fraction", "canopy_fraction", "floor_ratio", "residents")


def cover_classes(landuse: gpd.GeoDataFrame) -> pd.Series:
    """Land-cover class of each land-use area: its class, unless a scenario resealed it.

    A scenario's ``unseal`` and ``seal`` edits set the ``sealing`` share of the open
    ground (0 or 1); the heat model sees such ground as unsealed or as a paved square.
    """
    classes = landuse["landuse"].astype(object)
    if "sealing" not in landuse.columns:
        return classes
    sealing = pd.to_numeric(landuse["sealing"], errors="coerce")
    classes = classes.where(~(sealing <= 0), "unsealed")
    return classes.where(~(sealing >= SEALED_SQUARE), LandUse.SEALED_OPEN.value)


@dataclass(frozen=True)
class _Burnable:
    """What one block is rasterised from: only the features that can reach it."""

    boundary: gpd.GeoSeries
    landuse: gpd.GeoSeries
    landuse_codes: np.ndarray
    buildings: gpd.GeoSeries
    floor_ratio: np.ndarray
    crowns: gpd.GeoSeries


def _burnable(layers: TwinLayers, area: BaseGeometry) -> _Burnable:
    """The features of ``layers`` that touch ``area``, with what is burnt of them.

    An edit on the touch table rasterises a small block: selecting through the spatial
    index first keeps that independent of the town's number of buildings and trees.
    """
    landuse = layers.landuse.iloc[touching(layers.landuse.geometry, area)]
    other = COVER_CODES[LandUse.OTHER.value]
    buildings = layers.buildings.iloc[touching(layers.buildings.geometry, area)]
    storeys_area = floor_area(buildings)
    footprint = buildings.geometry.area.to_numpy()
    reach = (
        float(pd.to_numeric(layers.trees.get("crown_diameter_m"), errors="coerce").max())
        if "crown_diameter_m" in layers.trees.columns and not layers.trees.empty
        else 0.0
    )
    reach = max(reach if np.isfinite(reach) else 0.0, DEFAULT_CROWN_DIAMETER_M) / 2
    trees = layers.trees.iloc[touching(layers.trees.geometry, area.buffer(reach))]
    return _Burnable(
        boundary=gpd.GeoSeries([layers.boundary]),
        landuse=landuse.geometry,
        landuse_codes=cover_classes(landuse).map(COVER_CODES).fillna(other).to_numpy(),
        buildings=buildings.geometry,
        floor_ratio=np.divide(
            storeys_area, footprint, out=np.zeros_like(footprint), where=footprint > 0
        ),
        crowns=tree_crowns(trees),
    )


def rasterise(
    layers: TwinLayers,
    grid: Grid,
    rows: slice | None = None,
    cols: slice | None = None,
    *,
    progress: Callable[[int], None] | None = None,
) -> LandCover:
    """The land cover of ``grid`` (or of the block ``[rows, cols]`` of it)."""
    rows = rows or slice(0, grid.height)
    cols = cols or slice(0, grid.width)
    shape = (rows.stop - rows.start, cols.stop - cols.start)
    arrays = {
        "codes": np.zeros(shape, dtype=np.int16),
        "valid": np.zeros(shape, dtype=bool),
        "roof_fraction": np.zeros(shape),
        "canopy_fraction": np.zeros(shape),
        "floor_ratio": np.zeros(shape),
    }
    features = _burnable(layers, _cells_area(grid, rows, cols))
    for tile_rows, tile_cols in _tiles(rows, cols):
        local = (
            slice(tile_rows.start - rows.start, tile_rows.stop - rows.start),
            slice(tile_cols.start - cols.start, tile_cols.stop - cols.start),
        )
        tile = _rasterise_tile(features, grid, tile_rows, tile_cols)
        for name, values in tile.items():
            arrays[name][local] = values
        if progress is not None:
            progress((tile_rows.stop - tile_rows.start) * (tile_cols.stop - tile_cols.start))
    residents = _residents(layers.buildings, grid, rows, cols)
    residents[~arrays["valid"]] = 0.0
    return LandCover(grid, residents=residents, **arrays)


def _cells_area(grid: Grid, rows: slice, cols: slice) -> BaseGeometry:
    """The rectangle covered by a block of cells, in map coordinates."""
    x0, y1 = grid.transform * (cols.start, rows.start)
    x1, y0 = grid.transform * (cols.stop, rows.stop)
    return shapely.box(x0, y0, x1, y1)


def _tiles(rows: slice, cols: slice) -> Iterator[tuple[slice, slice]]:
    for row in range(rows.start, rows.stop, TILE_CELLS):
        for col in range(cols.start, cols.stop, TILE_CELLS):
            yield (
                slice(row, min(row + TILE_CELLS, rows.stop)),
                slice(col, min(col + TILE_CELLS, cols.stop)),
            )


def _rasterise_tile(
    features: _Burnable, grid: Grid, rows: slice, cols: slice
) -> dict[str, np.ndarray]:
    shape = (rows.stop - rows.start, cols.stop - cols.start)
    transform = grid.transform * grid.transform.translation(cols.start, rows.start)
    area = _cells_area(grid, rows, cols)

    def burn(
        frame: gpd.GeoSeries, values: np.ndarray | int, factor: int = 1, fill: float = 0
    ) -> np.ndarray:
        sub = transform * transform.scale(1 / factor)
        out_shape = (shape[0] * factor, shape[1] * factor)
        hits = touching(frame, area)
        if not hits.size:
            return np.full(out_shape, fill, dtype=np.float64)
        burnt = np.broadcast_to(np.asarray(values), len(frame))[hits]
        return rasterize(
            zip(frame.iloc[hits], burnt, strict=True),
            out_shape=out_shape,
            transform=sub,
            fill=fill,
            dtype="float64",
        )

    factor = max(round(grid.cell_size / SUBCELL_M), 1)
    inside = burn(features.boundary, 1) > 0
    other = COVER_CODES[LandUse.OTHER.value]
    codes = burn(features.landuse, features.landuse_codes, fill=other).astype(np.int16)
    roofs = _block_mean(burn(features.buildings, 1, factor), factor)
    floor = _block_mean(burn(features.buildings, features.floor_ratio, factor), factor)
    canopy = _block_mean(burn(features.crowns, 1, factor), factor)
    codes = np.where(roofs > 0.5, COVER_CODES["building"], codes).astype(np.int16)
    return {
        "codes": np.where(inside, codes, 0).astype(np.int16),
        "valid": inside,
        "roof_fraction": np.where(inside, roofs, 0.0),
        "canopy_fraction": np.where(inside, canopy, 0.0),
        "floor_ratio": np.where(inside, floor, 0.0),
    }


def _block_mean(values: np.ndarray, factor: int) -> np.ndarray:
    height, width = values.shape[0] // factor, values.shape[1] // factor
    return values.reshape(height, factor, width, factor).mean(axis=(1, 3))


def _residents(buildings: gpd.GeoDataFrame, grid: Grid, rows: slice, cols: slice) -> np.ndarray:
    """Residents per cell of the block, each building's in the cell of its centre."""
    grid_residents = np.zeros((rows.stop - rows.start, cols.stop - cols.start))
    if buildings.empty:
        return grid_residents
    people = residents_from_floor_area(
        floor_area(buildings), buildings["use"].astype(str).to_numpy()
    )
    centres = buildings.geometry.representative_point()
    row, col, _ = grid.cells(centres.x.to_numpy(), centres.y.to_numpy())
    keep = (row >= rows.start) & (row < rows.stop) & (col >= cols.start) & (col < cols.stop)
    np.add.at(grid_residents, (row[keep] - rows.start, col[keep] - cols.start), people[keep])
    return grid_residents


def mixed_surface(
    cover: LandCover,
    table: BiophysicalTable,
    *,
    et0: float | np.ndarray = 1.0,
    et0_valid: np.ndarray | None = None,
) -> Surface:
    """Surface properties of every cell, mixed by area from class, roofs and tree crowns.

    ``table`` must have rows for every land-use code, for ``building`` (roofs) and for
    ``tree`` crowns (code :data:`TREE_CODE`). Building intensity follows the floor-area ratio.
    """
    base = table.surface(
        np.where(cover.valid, cover.codes, COVER_CODES["other"]), valid=cover.valid, et0=et0
    )
    roof = table.frame.loc[COVER_CODES["building"]]
    crown = table.frame.loc[TREE_CODE]
    roofs = cover.roof_fraction
    crowns = np.minimum(cover.canopy_fraction, 1.0 - roofs)
    ground = 1.0 - roofs - crowns

    def mix(values: np.ndarray, column: str) -> np.ndarray:
        return ground * values + roofs * float(roof[column]) + crowns * float(crown[column])

    intensity = np.clip(cover.floor_ratio / FULL_INTENSITY_FLOOR_RATIO, 0.0, 1.0)
    return Surface(
        shade=mix(base.shade, "shade"),
        albedo=mix(base.albedo, "albedo"),
        kc=mix(base.kc, "kc"),
        green=base.green,
        building_intensity=np.maximum(ground * base.building_intensity, intensity),
        valid=cover.valid,
        et0=et0,
        et0_valid=et0_valid,
    )


#: Code of the tree-crown row of the biophysical table (crowns are fractions, not cells).
TREE_CODE = 30
