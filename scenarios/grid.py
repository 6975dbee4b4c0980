"""The raster grid a scenario is computed on: where its cells are, and which cells a shape touches.

Examples
--------
>>> grid = Grid.covering((1000.0, 2000.0, 1095.0, 2050.0), cell_size=10.0, crs="EPSG:25832")
>>> grid.shape, grid.bounds
((5, 10), (1000.0, 2000.0, 1100.0, 2050.0))
>>> grid.block((1012.0, 2031.0, 1025.0, 2049.0))
(slice(0, 2, None), slice(1, 3, None))
>>> [a.tolist() for a in grid.cells([1015.0, 999.0], [2045.0, 2045.0])]
[[0, 0], [1, -1], [True, False]]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from affine import Affine
from numpy.typing import ArrayLike
from pyproj import CRS


@dataclass(frozen=True)
class Grid:
    """A north-up grid of square cells: ``transform`` maps (col, row) to map coordinates."""

    transform: Affine
    width: int
    height: int
    crs: CRS

    @classmethod
    def covering(
        cls, bounds: tuple[float, float, float, float], *, cell_size: float, crs: CRS | str
    ) -> Grid:
        """The smallest grid with cells of ``cell_size`` m whose top-left is ``bounds``'s."""
        minx, miny, maxx, maxy = bounds
        width = max(math.ceil((maxx - minx) / cell_size - 1e-9), 1)
        height = max(math.ceil((maxy - miny) / cell_size - 1e-9), 1)
        transform = Affine(cell_size, 0.0, minx, 0.0, -cell_size, maxy)
        return cls(transform, width, height, CRS.from_user_input(crs))

    @property
    def cell_size(self) -> float:
        """Edge length of a cell in metres."""
        return float(self.transform.a)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns), as numpy arrays of this grid have it."""
        return self.height, self.width

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) of the whole grid."""
        minx, maxy = self.transform.c, self.transform.f
        return (
            minx,
            maxy - self.height * self.cell_size,
            minx + self.width * self.cell_size,
            maxy,
        )

    def block(self, bounds: tuple[float, float, float, float]) -> tuple[slice, slice]:
        """Rows and columns of the cells that ``bounds`` overlaps, clipped to the grid."""
        minx, miny, maxx, maxy = bounds
        origin_x, origin_y, size = self.transform.c, self.transform.f, self.cell_size
        col0 = max(math.floor((minx - origin_x) / size), 0)
        col1 = min(math.ceil((maxx - origin_x) / size), self.width)
        row0 = max(math.floor((origin_y - maxy) / size), 0)
        row1 = min(math.ceil((origin_y - miny) / size), self.height)
        return slice(row0, max(row1, row0)), slice(col0, max(col1, col0))

    def cells(self, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row and column of the cell holding each point, and whether it is on the grid."""
        col, row = ~self.transform * (np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        row, col = np.floor(row).astype(int), np.floor(col).astype(int)
        inside = (row >= 0) & (row < self.height) & (col >= 0) & (col < self.width)
        return row, col, inside

    def cell_centre(self, row: int, col: int) -> tuple[float, float]:
        """Map coordinates of a cell's centre."""
        x, y = self.transform * (col + 0.5, row + 0.5)
        return float(x), float(y)
