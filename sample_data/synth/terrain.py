"""A smooth digital elevation model: a river valley at ~305 m rising to a wooded hill."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
import shapely
from rasterio.transform import from_origin

from sample_data.synth.layout import SIZE, X0, Y0, river_line

RESOLUTION = 10.0
NODATA = -9999.0


def elevation(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Terrain height (m a.s.l.) at points: valley floor at the river, hill to the north."""
    distance = shapely.distance(shapely.points(xs, ys), river_line())
    valley = 305.0 + 28.0 * (1 - np.exp(-distance / 700.0))
    hill = 22.0 * np.clip((ys - (Y0 + 2200)) / 800.0, 0, None) ** 1.5
    ripple = 2.5 * np.sin(xs / 310.0) * np.cos(ys / 270.0)
    return valley + hill + ripple


def write_dem(path: Path) -> None:
    """Write the DEM as a tiled, deflate-compressed float32 GeoTIFF covering the area."""
    margin = 100.0
    width = height = int((SIZE + 2 * margin) / RESOLUTION)
    left, top = X0 - margin, Y0 + SIZE + margin
    cols, rows = np.meshgrid(np.arange(width), np.arange(height))
    xs = left + (cols + 0.5) * RESOLUTION
    ys = top - (rows + 0.5) * RESOLUTION
    dem = elevation(xs.ravel(), ys.ravel()).reshape(height, width).astype("float32")
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:25832",
        "transform": from_origin(left, top, RESOLUTION, RESOLUTION),
        "nodata": NODATA,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
        "predictor": 3,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(np.round(dem, 2), 1)
