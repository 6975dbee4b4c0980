"""A synthetic InVEST urban cooling workspace: LULC, ET0, AOI and biophysical table.

Used to compare ``twin heat run-raw`` with natcap.invest cell by cell (tests and
``benchmarks/heat_bench.py``) and to try ``run-raw`` without InVEST data. The town is
random but plausible: blocks of sealed, residential and commercial land, parks of all
sizes (some under 2 ha, some over), a river, a forest edge, a few cells without data and
an ET0 field that varies across the map with a nodata hole.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
from affine import Affine
from shapely.geometry import box

#: lucode, shade, kc, albedo, green_area, building_intensity (InVEST's column order).
TABLE = """lucode,shade,kc,albedo,green_area,building_intensity
1,0.0,0.1,0.10,0,0.9
2,0.15,0.45,0.18,0,0.5
3,0.05,0.25,0.20,0,0.7
4,0.55,0.95,0.18,1,0.0
5,0.85,1.05,0.15,1,0.0
6,0.0,1.05,0.08,0,0.0
"""
CRS = "EPSG:25832"
LULC_NODATA = 255
ET0_NODATA = -1.0


@dataclass(frozen=True)
class InvestInputs:
    """Paths of one generated workspace."""

    lulc: Path
    et0: Path
    aoi: Path
    table: Path


def _town(shape: tuple[int, int], cell: float, rng: np.random.Generator) -> np.ndarray:
    height, width = shape
    block = max(int(80 / cell), 2)  # 80 m blocks
    coarse = rng.choice([1, 2, 2, 3], size=(height // block + 1, width // block + 1))
    codes = np.kron(coarse, np.ones((block, block), dtype=np.uint8))[:height, :width]
    for _ in range(max(int(height * width * cell**2 // 120_000), 3)):  # parks of 0.3-12 ha
        side = int(rng.uniform(50, 350) / cell)
        row, col = int(rng.integers(0, height)), int(rng.integers(0, width))
        codes[row : row + side, col : col + side] = 4
    river = (np.arange(width) * 0.3 + height * 0.6).astype(int)
    for col, row in enumerate(river):
        codes[max(row - int(30 / cell), 0) : row, col] = 6
    codes[:, : max(width // 10, 1)] = 5
    nodata = max(int(60 / cell), 1)
    codes[:nodata, -nodata:] = LULC_NODATA
    return codes.astype(np.uint8)


def write_invest_inputs(
    folder: Path, *, shape: tuple[int, int] = (150, 180), cell: float = 10.0, seed: int = 7
) -> InvestInputs:
    """Write a workspace of ``shape`` cells of ``cell`` metres into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    height, width = shape
    transform = Affine(cell, 0.0, 600_000.0, 0.0, -cell, 5_500_000.0)
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 1,
        "crs": CRS,
        "transform": transform,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
    }
    paths = InvestInputs(
        folder / "lulc.tif", folder / "et0.tif", folder / "aoi.gpkg", folder / "biophysical.csv"
    )
    with rasterio.open(paths.lulc, "w", dtype="uint8", nodata=LULC_NODATA, **profile) as dst:
        dst.write(_town(shape, cell, rng), 1)
    rows, cols = np.mgrid[0:height, 0:width]
    et0 = (4.0 + 1.5 * cols / width + 0.5 * np.sin(rows / 37.0)).astype(np.float32)
    hole = max(int(40 / cell), 1)
    et0[height // 2 : height // 2 + hole, width // 2 : width // 2 + hole] = ET0_NODATA
    with rasterio.open(paths.et0, "w", dtype="float32", nodata=ET0_NODATA, **profile) as dst:
        dst.write(et0, 1)
    minx, maxy = transform.c, transform.f
    maxx, miny = minx + width * cell, maxy - height * cell
    midx = (minx + maxx) / 2
    zones = gpd.GeoDataFrame(
        {"name": ["west", "east"]},
        geometry=[
            box(minx + cell * 2.5, miny, midx, maxy),
            box(midx, miny + cell * 3.5, maxx, maxy),
        ],
        crs=CRS,
    )
    zones.to_file(paths.aoi, driver="GPKG")
    paths.table.write_text(TABLE, encoding="utf-8")
    return paths
