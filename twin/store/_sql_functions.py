"""SQL functions for SensorThings ``$filter`` on the embedded store.

SQLite has no geometry functions and no ``endswith``, so ``twin_geo(predicate, a, b)`` and
``twin_geo_distance(a, b)`` evaluate with shapely; each argument is GeoJSON (a stored
Location) or WKT (a ``geography'…'`` literal). Unreadable geometries give NULL (no match)
rather than an error, as a WHERE clause should.
"""

from __future__ import annotations

import sqlite3

import shapely
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

PREDICATES = {
    "intersects",
    "within",
    "contains",
    "disjoint",
    "equals",
    "touches",
    "overlaps",
    "crosses",
}


def _geometry(text: object) -> BaseGeometry | None:
    if not isinstance(text, str):
        return None
    try:
        return (
            shapely.from_geojson(text) if text.lstrip().startswith("{") else shapely.from_wkt(text)
        )
    except (GEOSException, ValueError):
        return None


def _predicate(name: str, a: object, b: object) -> int | None:
    first, second = _geometry(a), _geometry(b)
    if first is None or second is None or name not in PREDICATES:
        return None
    return int(getattr(shapely, name)(first, second))


def _distance(a: object, b: object) -> float | None:
    first, second = _geometry(a), _geometry(b)
    return None if first is None or second is None else float(shapely.distance(first, second))


def _endswith(text: object, suffix: object) -> int | None:
    if not isinstance(text, str) or not isinstance(suffix, str):
        return None
    return int(text.endswith(suffix))


def register(conn: sqlite3.Connection) -> None:
    """Make ``twin_geo``, ``twin_geo_distance`` and ``twin_endswith`` available on ``conn``."""
    conn.create_function("twin_geo", 3, _predicate, deterministic=True)
    conn.create_function("twin_geo_distance", 2, _distance, deterministic=True)
    conn.create_function("twin_endswith", 2, _endswith, deterministic=True)
