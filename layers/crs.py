"""Coordinate reference systems at the twin's boundary.

Every layer is stored in its municipality's projected, metric CRS (EPSG:25832 or 25833
in Germany), because areas, distances and rasters are computed in metres. Data that
arrive in another CRS are reprojected; data without a CRS are rejected with a message
naming both CRSs, since guessing would silently misplace a whole layer.

German surveying offices label CityGML with AdV compound CRS URNs such as
``urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH`` that PROJ does not know; :func:`parse_crs`
maps their horizontal part to the EPSG code.

Examples
--------
>>> parse_crs("urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH").to_epsg()
25832
>>> require_metric_crs("EPSG:4326")
Traceback (most recent call last):
...
twin.errors.CRSError: EPSG:4326 (WGS 84) is not a projected metric CRS. Use the UTM zone of the municipality: EPSG:25832 (ETRS89 / UTM 32N, west of 12° E) or EPSG:25833 (UTM 33N, east of 12° E).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as ProjCRSError

from twin.errors import CRSError

if TYPE_CHECKING:
    import geopandas as gpd

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
"""OGC URI of WGS 84 with longitude/latitude order, the default CRS of OGC API Features."""

_ADV_HORIZONTAL = {
    "ETRS89_UTM32": 25832,
    "ETRS89_UTM33": 25833,
    "ETRS89_3GK3": 5677,
    "ETRS89_3GK4": 5678,
    "DE_DHDN_3GK2": 31466,
    "DE_DHDN_3GK3": 31467,
    "DE_DHDN_3GK4": 31468,
    "DE_DHDN_3GK5": 31469,
    "ETRS89_Lat-Lon": 4258,
}

_HINT = (
    "Use the UTM zone of the municipality: EPSG:25832 (ETRS89 / UTM 32N, west of 12° E) "
    "or EPSG:25833 (UTM 33N, east of 12° E)."
)


def parse_crs(text: str | int | CRS) -> CRS:
    """Parse an EPSG code, OGC URI, WKT or AdV URN into a :class:`pyproj.CRS`."""
    if isinstance(text, CRS):
        return text
    if isinstance(text, str):
        match = re.match(r"urn:adv:crs:([^*]+)", text.strip())
        if match and match.group(1) in _ADV_HORIZONTAL:
            return CRS.from_epsg(_ADV_HORIZONTAL[match.group(1)])
    try:
        return CRS.from_user_input(text)
    except ProjCRSError:
        raise CRSError(
            f"{text!r} is not a coordinate reference system that PROJ knows",
            hint="Write it as 'EPSG:25832' or as an OGC URI "
            "'http://www.opengis.net/def/crs/EPSG/0/25832'.",
        ) from None


def crs_label(crs: CRS) -> str:
    """Short label like ``EPSG:25832 (ETRS89 / UTM zone 32N)`` for messages."""
    code = crs.to_epsg()
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def require_metric_crs(text: str | int | CRS) -> CRS:
    """Return the CRS if it is projected with metre units, else raise :class:`CRSError`."""
    crs = parse_crs(text)
    horizontal = crs.sub_crs_list[0] if crs.is_compound else crs
    units = {axis.unit_name for axis in horizontal.axis_info}
    if not horizontal.is_projected or units - {"metre"}:
        raise CRSError(f"{crs_label(crs)} is not a projected metric CRS.", hint=_HINT)
    return horizontal


def ogc_uri(crs: CRS) -> str:
    """Return the OGC URI of a CRS (``CRS84`` for WGS 84 lon/lat)."""
    code = crs.to_epsg()
    if code is None:
        raise CRSError(f"{crs.name} has no EPSG code and cannot be offered over OGC API")
    return f"http://www.opengis.net/def/crs/EPSG/0/{code}"


def to_municipality_crs(frame: gpd.GeoDataFrame, *, to_crs: CRS, source: str) -> gpd.GeoDataFrame:
    """Reproject ``frame`` to the municipality's CRS.

    Raises :class:`CRSError` when the frame has no CRS, naming the CRS it was expected
    to be converted into and how to declare the source CRS.
    """
    if frame.crs is None:
        raise CRSError(
            f"{source} has no coordinate reference system, so it cannot be reprojected to "
            f"the municipality's {crs_label(to_crs)}.",
            hint="Save the file with its CRS (e.g. a .prj next to a Shapefile, or 'crs' in "
            "GeoJSON) or convert it first: ogr2ogr -a_srs EPSG:4326 fixed.gpkg input.",
        )
    if CRS(frame.crs).equals(to_crs, ignore_axis_order=True):
        return frame.set_crs(to_crs, allow_override=True)
    moved = frame.to_crs(to_crs)
    coordinates = shapely.get_coordinates(moved.geometry.to_numpy())
    if not np.isfinite(coordinates).all():
        x, y = shapely.get_coordinates(frame.geometry.dropna().to_numpy())[0]
        raise CRSError(
            f"{source} declares {crs_label(CRS(frame.crs))}, but its coordinates do not fit it "
            f"(e.g. {x:.6g}, {y:.6g}), so they cannot be reprojected to {crs_label(to_crs)}.",
            hint="The file probably holds coordinates of another CRS: save it with the right "
            "one, e.g. ogr2ogr -a_srs EPSG:25832 fixed.gpkg input.",
        )
    return moved
