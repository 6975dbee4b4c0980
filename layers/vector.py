"""Vector files (GeoPackage, GeoJSON, Shapefile, FlatGeobuf) read through pyogrio.

GDAL's messages for broken files are long and technical; :func:`read_vector` turns every
read failure into one line that names the file and says what to do.

Examples
--------
>>> frame = read_vector(Path("sample_data/musterstadt/musterstadt.gpkg"), layer="trees")
>>> frame.crs.to_epsg(), len(frame) > 1000
(25832, True)
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import geopandas as gpd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError

from twin.errors import DataFileError

logger = logging.getLogger(__name__)

_DRIVERS = {
    "gpkg": "GPKG",
    "geojson": "GeoJSON",
    "shapefile": "ESRI Shapefile",
    "flatgeobuf": "FlatGeobuf",
}


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def read_vector(
    path: Path, *, layer: str | None = None, where: str | None = None, file_format: str = ""
) -> gpd.GeoDataFrame:
    """Read a vector file into a GeoDataFrame with its source CRS.

    Parameters
    ----------
    path
        The file. Missing files, unknown layers, bad ``where`` filters and corrupt or
        truncated files raise :class:`~twin.errors.DataFileError` with a one-line message.
    layer
        Layer name inside a multi-layer file such as a GeoPackage.
    where
        OGR SQL attribute filter, e.g. ``"building IS NOT NULL"``.
    file_format
        Format name from the config (``gpkg``, ``geojson``, ...); informs the message only,
        GDAL detects the driver itself.
    """
    if not path.exists():
        raise DataFileError(f"{path}: file not found", hint="Check the layer's path in the config.")
    what = f"{path.name}" + (f" (layer {layer!r})" if layer else "")
    try:
        with warnings.catch_warnings():
            # GDAL reports recoverable oddities (e.g. mixed field types) as warnings;
            # they are not errors of the user's file.
            warnings.simplefilter("ignore", RuntimeWarning)
            return pyogrio.read_dataframe(path, layer=layer, where=where)
    except (DataLayerError, DataSourceError, FieldError, GeometryError, OSError, ValueError) as err:
        if where and "sql" in str(err).lower():
            raise DataFileError(
                f"{what}: the filter {where!r} is not valid: {_first_line(err)}",
                hint='Use OGR SQL with the file\'s attribute names, e.g. "building IS NOT NULL".',
            ) from None
        if isinstance(err, DataLayerError):
            layers = ", ".join(str(name) for name, _ in pyogrio.list_layers(path))
            raise DataFileError(
                f"{what}: {_first_line(err)}", hint=f"Layers in this file: {layers}."
            ) from None
        driver = _DRIVERS.get(file_format, file_format or "a vector format")
        raise DataFileError(
            f"{what}: cannot be read as {driver}; the file is corrupt, truncated or of "
            f"another format ({_first_line(err)})",
            hint="Open it in QGIS or run `ogrinfo` on it to check; export it again if needed.",
        ) from None
