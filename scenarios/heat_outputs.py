"""Files a heat run leaves behind: Cloud-Optimised GeoTIFFs, PNG maps, zone tables.

The grids keep InVEST's file names (``cc.tif``, ``hm.tif``, ``T_air_nomix.tif``,
``T_air.tif``) so that analysts can compare them with an InVEST workspace side by side.
Every file is written to a temporary name in the target folder and renamed when complete,
so an interrupted run never leaves a half-written map that looks finished.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio

from scenarios.grid import Grid
from scenarios.heat import HeatResult

#: Written where a grid has no value (InVEST uses -1 and float32-min; one value is simpler).
NODATA = -9999.0


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; move it onto ``target`` on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent
    )
    os.close(handle)
    temporary = Path(name)
    temporary.unlink()  # keep the unique name; some drivers refuse to overwrite a file
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_grid(values: np.ndarray, grid: Grid, target: Path) -> Path:
    """Write one float grid as a compressed COG with overviews (NaN → :data:`NODATA`)."""
    data = np.where(np.isfinite(values), values, NODATA).astype(np.float32)
    with atomic_path(target) as temporary:
        profile = {
            "driver": "COG",
            "width": grid.width,
            "height": grid.height,
            "count": 1,
            "dtype": "float32",
            "crs": rasterio.crs.CRS.from_wkt(grid.crs.to_wkt()),
            "transform": grid.transform,
            "nodata": NODATA,
            # ZSTD with the floating-point predictor, compressed on all cores: 3× faster
            # than deflate here at the same size (benchmarks/RESULTS.md); GDAL ≥ 2.3 reads it
            "compress": "zstd",
            "level": 1,
            "predictor": 3,
            "num_threads": "ALL_CPUS",
        }
        with rasterio.open(temporary, "w", **profile) as dst:
            dst.write(data, 1)
    return target


def result_grids(result: HeatResult) -> dict[str, np.ndarray]:
    """The grids of a run under InVEST's file names (without ``.tif``)."""
    return {
        "cc": result.cc,
        "cc_park": result.cc_park,
        "green_area_sum": result.green_area,
        "hm": result.hm,
        "T_air_nomix": result.t_air_nomix(),
        "T_air": result.t_air(),
    }


def write_result(result: HeatResult, grid: Grid, folder: Path) -> list[Path]:
    """Write every grid of ``result`` into ``folder``; return the paths."""
    return [
        write_grid(values, grid, folder / f"{name}.tif")
        for name, values in result_grids(result).items()
    ]


def write_zones(zones: gpd.GeoDataFrame, folder: Path, stem: str = "zones") -> list[Path]:
    """Zone statistics as GeoJSON (with geometry, WGS 84) and CSV (without)."""
    geojson, csv = folder / f"{stem}.geojson", folder / f"{stem}.csv"
    with atomic_path(geojson) as temporary:
        zones.to_crs("EPSG:4326").to_file(temporary, driver="GeoJSON")
    with atomic_path(csv) as temporary:
        zones.drop(columns=zones.geometry.name).to_csv(temporary, index=False)
    return [geojson, csv]
