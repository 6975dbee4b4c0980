"""OGC API Features Part 2 (CRS by reference): which CRSs are offered and how to use them.

Every collection is offered in the same short list: CRS84 (the GeoJSON default), EPSG:4326
(the same datum with latitude first, as EPSG defines it), the municipality's own UTM CRS
(the storage CRS, so QGIS gets the surveyed coordinates unchanged) and Web Mercator
(EPSG:3857) for web maps. Transformations always use the *authority* axis order
(``always_xy=False``), which is what Part 2 requires for ``crs`` and ``bbox-crs``: a client
asking for EPSG:4326 gets latitude, longitude.

Examples
--------
>>> offered_crs("EPSG:25832")[:2]
['http://www.opengis.net/def/crs/OGC/1.3/CRS84', 'http://www.opengis.net/def/crs/EPSG/0/4326']
>>> resolve_crs("EPSG:4326", offered=offered_crs("EPSG:25832"), parameter="crs")
'http://www.opengis.net/def/crs/EPSG/0/4326'
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer

from layers.crs import CRS84, ogc_uri, parse_crs
from twin.errors import InvalidRequestError

EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{code}"
_SHORT_FORMS = (
    re.compile(r"^\[?EPSG:(\d+)\]?$", re.IGNORECASE),
    re.compile(r"^urn:ogc:def:crs:EPSG:[\d.]*:(\d+)$", re.IGNORECASE),
)
_CRS84_ALIASES = {"OGC:CRS84", "[OGC:CRS84]", "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "CRS84"}


def offered_crs(storage_crs: str) -> list[str]:
    """URIs of the CRSs a collection is offered in; the storage CRS is third."""
    storage = ogc_uri(parse_crs(storage_crs))
    uris = [CRS84, EPSG_URI.format(code=4326), storage, EPSG_URI.format(code=3857)]
    return list(dict.fromkeys(uris))


def storage_crs_uri(storage_crs: str) -> str:
    """OGC URI of the municipality's (storage) CRS."""
    return ogc_uri(parse_crs(storage_crs))


def resolve_crs(value: str | None, *, offered: list[str], parameter: str) -> str:
    """Return the offered URI that ``value`` names (default CRS84).

    Besides the URIs themselves, the short forms clients commonly send are understood:
    ``EPSG:25832``, ``[EPSG:25832]``, ``urn:ogc:def:crs:EPSG::25832`` and ``OGC:CRS84``.

    Raises
    ------
    InvalidRequestError
        If ``value`` is not one of the offered CRSs.
    """
    if value is None or value == "":
        return CRS84
    text = value.strip()
    if text.upper() in _CRS84_ALIASES:
        return CRS84
    for pattern in _SHORT_FORMS:
        match = pattern.match(text)
        if match:
            text = EPSG_URI.format(code=int(match.group(1)))
            break
    if text.startswith("https://"):
        text = "http://" + text.removeprefix("https://")
    if text not in offered:
        raise InvalidRequestError(
            f"{parameter}={value!r} is not offered for this collection",
            hint=f"Use one of: {', '.join(offered)}.",
        )
    return text


@lru_cache(maxsize=32)
def _crs(uri: str) -> CRS:
    return CRS.from_user_input(uri)


@lru_cache(maxsize=32)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(_crs(source), _crs(target), always_xy=False)


def is_geographic(uri: str) -> bool:
    """Whether coordinates in ``uri`` are degrees (decides the rounding)."""
    return bool(_crs(uri).is_geographic)


def transform_geometries(
    geometries: NDArray[np.object_], *, source: str, target: str
) -> NDArray[np.object_]:
    """Transform geometries between two CRS URIs in authority axis order."""
    if source == target:
        return geometries
    transformer = _transformer(source, target)

    def _apply(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    result: NDArray[np.object_] = shapely.transform(geometries, _apply)
    return result


def transform_bbox(
    bbox: tuple[float, float, float, float], *, source: str, target: str
) -> tuple[float, float, float, float]:
    """Transform a bounding box, densifying its edges so curved edges stay inside."""
    if source == target:
        return bbox
    minx, miny, maxx, maxy = _transformer(source, target).transform_bounds(*bbox, densify_pts=21)
    return (minx, miny, maxx, maxy)


def parse_bbox(text: str, *, bbox_crs: str) -> tuple[float, float, float, float]:
    """Parse ``bbox`` (4 or 6 comma-separated numbers in ``bbox_crs`` axis order).

    Six numbers carry heights, which the twin's 2D footprints ignore.

    Raises
    ------
    InvalidRequestError
        If the text is not 4 or 6 finite numbers, or the box is inverted or, in
        degrees, outside the valid range.
    """
    parts = [p.strip() for p in text.split(",")]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (4, 6) or not all(math.isfinite(n) for n in numbers):
        raise InvalidRequestError(
            f"bbox={text!r} is not 4 (or 6) comma-separated numbers",
            hint="Write lower-left and upper-right corner, e.g. bbox=9.98,53.55,9.99,53.56 "
            "(longitude, latitude in CRS84 unless bbox-crs says otherwise).",
        )
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    lower_a, lower_b, upper_a, upper_b = numbers
    if lower_a > upper_a or lower_b > upper_b:
        raise InvalidRequestError(
            f"bbox={text!r}: the lower corner must come first and be below and left of "
            "the upper corner",
            hint="Order the numbers as min axis 1, min axis 2, max axis 1, max axis 2.",
        )
    if is_geographic(bbox_crs):
        first, second = (180.0, 90.0) if bbox_crs == CRS84 else (90.0, 180.0)
        if max(abs(lower_a), abs(upper_a)) > first or max(abs(lower_b), abs(upper_b)) > second:
            raise InvalidRequestError(
                f"bbox={text!r} lies outside the valid range of degrees for {bbox_crs}",
                hint="Check the axis order: CRS84 is longitude, latitude; EPSG:4326 is "
                "latitude, longitude.",
            )
    return (lower_a, lower_b, upper_a, upper_b)


def coordinate_decimals(uri: str) -> int:
    """Decimals to keep: 7 for degrees (about 1 cm), 3 for metres (1 mm)."""
    return 7 if is_geographic(uri) else 3
