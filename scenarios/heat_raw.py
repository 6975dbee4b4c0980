"""InVEST's own input files, read as InVEST reads them, for ``twin heat run-raw``.

Analysts who already have an InVEST urban cooling workspace (a land-use/land-cover
GeoTIFF, a biophysical table CSV, a reference-evapotranspiration GeoTIFF and an AOI
vector) switch to the twin without converting anything. As in InVEST 3.20:

- the computation grid is the LULC's grid (square cells of the smaller pixel side), cut
  to the intersection of LULC, ET0 and the AOI's bounding box, snapped outwards to the
  LULC's cells;
- ET0 is resampled onto that grid with cubic splines unless it already lies on it;
- LULC nodata cells have no result; ET0 nodata cells have no cooling capacity;
- every LULC code must be in the table, else the run stops and names the missing codes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from pyproj import CRS
from rasterio.errors import RasterioError
from rasterio.warp import Resampling, reproject
from rasterio.windows import Window

from layers.vector import read_vector
from scenarios.grid import Grid
from scenarios.heat import BiophysicalTable, HeatModelError, Surface
from twin.errors import CRSError, DataFileError


@dataclass
class RawInputs:
    """InVEST inputs on one grid, ready for :class:`~scenarios.heat.HeatModel`."""

    grid: Grid
    codes: np.ndarray
    valid: np.ndarray
    table: BiophysicalTable
    et0: float | np.ndarray
    et0_valid: np.ndarray | None
    aoi: gpd.GeoDataFrame

    def surface(self) -> Surface:
        """Per-cell properties looked up in the biophysical table."""
        return self.table.surface(
            self.codes, valid=self.valid, et0=self.et0, et0_valid=self.et0_valid
        )


def read_table(path: Path) -> BiophysicalTable:
    """Read an InVEST biophysical table (CSV, ``,`` or ``;`` separated)."""
    try:
        frame = pd.read_csv(path, sep=None, engine="python", encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataFileError(f"{path}: file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise DataFileError(
            f"{path}: not a readable CSV table ({err})",
            hint="Save the table as CSV (UTF-8) with a header row: lucode,shade,kc,albedo,...",
        ) from None
    return BiophysicalTable.from_frame(frame, source=str(path))


def read_aoi(path: Path, crs: CRS) -> gpd.GeoDataFrame:
    """Read the areas of interest and bring them into the LULC's CRS."""
    aoi = read_vector(path)
    if aoi.empty:
        raise DataFileError(f"{path}: holds no features", hint="The AOI needs a polygon.")
    if aoi.crs is None:
        raise CRSError(
            f"{path}: has no coordinate reference system",
            hint="Assign one (e.g. with QGIS: Layer ▸ Set CRS).",
        )
    return aoi.to_crs(crs)


def _open(path: Path, what: str) -> rasterio.DatasetReader:
    try:
        return rasterio.open(path)
    except RasterioError as err:
        raise DataFileError(
            f"{path}: cannot be read as the {what} raster ({str(err).splitlines()[0]})",
            hint="Check it with `gdalinfo`; InVEST inputs are single-band GeoTIFFs.",
        ) from None


def _lulc_window(
    src: rasterio.DatasetReader, bounds: tuple[float, float, float, float], cell: float
) -> Window:
    """Cells of the LULC covering ``bounds``, snapped outwards (pygeoprocessing's rule)."""
    left, top = src.transform.c, src.transform.f
    col0 = max(math.floor((bounds[0] - left) / cell + 1e-9), 0)
    col1 = min(math.ceil((bounds[2] - left) / cell - 1e-9), src.width)
    row0 = max(math.floor((top - bounds[3]) / cell + 1e-9), 0)
    row1 = min(math.ceil((top - bounds[1]) / cell - 1e-9), src.height)
    if col1 <= col0 or row1 <= row0:
        raise DataFileError(
            "the LULC raster, the ET0 raster and the AOI do not overlap",
            hint="All three must cover the same area (check their CRS and extent).",
        )
    return Window(col0, row0, col1 - col0, row1 - row0)


def _intersection(*boxes: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return (
        max(b[0] for b in boxes),
        max(b[1] for b in boxes),
        min(b[2] for b in boxes),
        min(b[3] for b in boxes),
    )


def read_inputs(lulc: Path, table: Path, et0: Path | float, aoi: Path) -> RawInputs:
    """Read and align InVEST's inputs; raise a clear error for anything it would reject."""
    biophysical = read_table(table)
    with _open(lulc, "LULC") as src:
        if src.crs is None or not CRS.from_user_input(src.crs).is_projected:
            raise CRSError(
                f"{lulc}: the LULC raster has no projected CRS in metres (or its "
                "georeferencing is damaged)",
                hint="Reproject it, e.g. gdalwarp -t_srs EPSG:25832 -r mode IN.tif OUT.tif.",
            )
        if src.transform.b or src.transform.d:
            raise DataFileError(f"{lulc}: rotated rasters are not supported")
        crs = CRS.from_user_input(src.crs)
        cell = min(abs(src.transform.a), abs(src.transform.e))
        if abs(abs(src.transform.a) - abs(src.transform.e)) > 1e-9 * cell:
            raise DataFileError(
                f"{lulc}: cells are not square ({abs(src.transform.a)} × {abs(src.transform.e)})",
                hint="Resample it to square cells first (gdalwarp -tr SIZE SIZE -r mode).",
            )
        zones = read_aoi(aoi, crs)
        boxes = [tuple(src.bounds), tuple(zones.total_bounds)]
        et0_src = None if isinstance(et0, float | int) else _open(Path(et0), "ET0")
        if et0_src is not None:
            boxes.append(_et0_bounds(et0_src, crs))
        window = _lulc_window(src, _intersection(*boxes), cell)
        try:
            codes = src.read(1, window=window)
        except RasterioError as err:
            raise DataFileError(
                f"{lulc}: cannot be read as the LULC raster; it is truncated or corrupt "
                f"({str(err).splitlines()[0]})",
                hint="Export it again, or check it with `gdalinfo -checksum`.",
            ) from None
        nodata = src.nodata
        grid = Grid(src.window_transform(window), int(window.width), int(window.height), crs)
    if codes.dtype.kind not in "iu" and not np.all(np.isnan(codes) | (codes == np.round(codes))):
        raise DataFileError(f"{lulc}: LULC values must be whole-number codes")
    valid = np.ones(codes.shape, dtype=bool) if nodata is None else codes != nodata
    if not valid.any():
        raise DataFileError(
            f"{lulc}: the LULC raster has no data where the ET0 raster and the AOI are",
            hint="Check its nodata value, and that LULC, ET0 and AOI cover the same area.",
        )
    codes = np.where(valid, codes, 0).astype(np.int32)
    et0_grid: float | np.ndarray
    et0_valid = None
    if et0_src is None:
        et0_grid = float(et0)  # type: ignore[arg-type]
    else:
        with et0_src:
            et0_grid, et0_valid = et0_on_grid(et0_src, grid)
    return RawInputs(grid, codes, valid, biophysical, et0_grid, et0_valid, zones)


def _et0_bounds(src: rasterio.DatasetReader, crs: CRS) -> tuple[float, float, float, float]:
    if src.crs is None:
        raise CRSError("the ET0 raster has no coordinate reference system")
    from rasterio.warp import transform_bounds

    return tuple(transform_bounds(src.crs, rasterio.crs.CRS.from_wkt(crs.to_wkt()), *src.bounds))


def et0_on_grid(src: rasterio.DatasetReader, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """ET0 on the computation grid: a plain window if the grids agree, else cubic splines."""
    nodata = src.nodata
    same_grid = CRS.from_user_input(src.crs) == grid.crs and np.allclose(
        [src.transform.a, src.transform.e], [grid.cell_size, -grid.cell_size]
    )
    if same_grid:
        col = (grid.transform.c - src.transform.c) / grid.cell_size
        row = (src.transform.f - grid.transform.f) / grid.cell_size
        same_grid = abs(col - round(col)) < 1e-6 and abs(row - round(row)) < 1e-6
    if same_grid:
        values = src.read(
            1,
            window=Window(round(col), round(row), grid.width, grid.height),
            boundless=True,
            fill_value=nodata if nodata is not None else np.nan,
        ).astype(np.float64)
    else:
        values = np.full(grid.shape, np.nan)
        reproject(
            rasterio.band(src, 1),
            values,
            dst_transform=grid.transform,
            dst_crs=rasterio.crs.CRS.from_wkt(grid.crs.to_wkt()),
            dst_nodata=np.nan,
            resampling=Resampling.cubic_spline,
        )
    valid = np.isfinite(values)
    if nodata is not None:
        valid &= values != nodata
    if not valid.any():
        raise HeatModelError("the ET0 raster has no data where the LULC and AOI are")
    return np.where(valid, values, 0.0), valid
