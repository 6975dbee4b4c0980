"""Raster layers (GeoTIFF / Cloud-Optimised GeoTIFF) read and reprojected with rasterio.

Rasters are stored as tiled, compressed GeoTIFFs with overviews in the municipality's
CRS, so that the heat model and a web map can read windows of them without loading the
whole file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from pyproj import CRS
from rasterio.errors import RasterioError
from rasterio.warp import Resampling, calculate_default_transform, reproject

from layers.crs import crs_label
from twin.errors import CRSError, DataFileError

_PROFILE = {
    "driver": "GTiff",
    "tiled": True,
    "blockxsize": 256,
    "blockysize": 256,
    "compress": "deflate",
    "predictor": 2,
}


@dataclass(frozen=True)
class RasterSummary:
    """What was stored: size, resolution and extent in the municipality's CRS."""

    width: int
    height: int
    bands: int
    resolution: tuple[float, float]
    dtype: str
    nodata: float | None
    bounds: tuple[float, float, float, float]


def _resampling(dtype: str) -> Resampling:
    """Categorical (integer) rasters keep their classes; continuous ones are interpolated."""
    return Resampling.nearest if np.dtype(dtype).kind in "iub" else Resampling.bilinear


def import_raster(source: Path, target: Path, *, to_crs: CRS) -> RasterSummary:
    """Write ``source`` to ``target`` as a tiled GeoTIFF in ``to_crs``.

    Raises :class:`~twin.errors.DataFileError` for unreadable files and
    :class:`~twin.errors.CRSError` when the raster has no CRS.
    """
    if not source.exists():
        raise DataFileError(
            f"{source}: file not found", hint="Check the layer's path in the config."
        )
    try:
        with rasterio.open(source) as src:
            if src.crs is None:
                raise CRSError(
                    f"{source.name} has no coordinate reference system, so it cannot be "
                    f"reprojected to the municipality's {crs_label(to_crs)}.",
                    hint="Assign it first, e.g. gdal_edit.py -a_srs EPSG:25832 FILE.tif.",
                )
            dst_crs = rasterio.crs.CRS.from_wkt(to_crs.to_wkt())
            transform, width, height = calculate_default_transform(
                src.crs, dst_crs, src.width, src.height, *src.bounds
            )
            if src.crs == dst_crs:
                transform, width, height = src.transform, src.width, src.height
            profile = (
                src.profile
                | _PROFILE
                | {
                    "crs": dst_crs,
                    "transform": transform,
                    "width": width,
                    "height": height,
                }
            )
            with rasterio.open(target, "w", **profile) as dst:
                for band in range(1, src.count + 1):
                    data = src.read(band)
                    if src.crs == dst_crs:
                        dst.write(data, band)
                        continue
                    out = np.full((height, width), src.nodata or 0, dtype=data.dtype)
                    reproject(
                        data,
                        out,
                        src_transform=src.transform,
                        src_crs=src.crs,
                        dst_transform=transform,
                        dst_crs=dst_crs,
                        src_nodata=src.nodata,
                        dst_nodata=src.nodata,
                        resampling=_resampling(src.dtypes[0]),
                    )
                    dst.write(out, band)
                dst.build_overviews([2, 4, 8], _resampling(src.dtypes[0]))
                return RasterSummary(
                    width,
                    height,
                    src.count,
                    (abs(transform.a), abs(transform.e)),
                    src.dtypes[0],
                    src.nodata,
                    tuple(dst.bounds),
                )
    except RasterioError as err:
        target.unlink(missing_ok=True)
        raise DataFileError(
            f"{source.name}: cannot be read as GeoTIFF; the file is corrupt, truncated or of "
            f"another format ({str(err).splitlines()[0]})",
            hint="Check it with `gdalinfo`; export it again if needed.",
        ) from None
