"""GeoPackage (OGC 12-128r18) encoding details used by the embedded store.

The store writes GeoPackage tables itself through :mod:`sqlite3` instead of through GDAL,
because only then can a whole import (layer table, spatial index, catalogue row and audit
record) be one SQLite transaction that either commits completely or leaves the file as it
was. The result is still a standard GeoPackage that QGIS, GDAL and pyogrio read.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Sequence

import numpy as np
import shapely
from numpy.typing import NDArray

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10400  # GeoPackage 1.4

CORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE IF NOT EXISTS gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
  scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
"""

_HEADER = struct.Struct("<2sBBi4d")  # magic, version, flags, srs_id, minx, maxx, miny, maxy
_FLAGS_LE_XY_ENVELOPE = 0b0000_0011  # little endian, envelope = [minx, maxx, miny, maxy]
_FLAG_EMPTY = 0b0001_0000


def encode(geometries: NDArray[np.object_], srs_id: int) -> list[bytes]:
    """Encode shapely geometries as GeoPackage binary blobs (header with envelope + WKB)."""
    wkb = shapely.to_wkb(geometries, output_dimension=2, byte_order=1)
    bounds = shapely.bounds(geometries)
    empty = shapely.is_empty(geometries)
    out = []
    for blob, (minx, miny, maxx, maxy), is_empty in zip(wkb, bounds, empty, strict=True):
        flags = _FLAGS_LE_XY_ENVELOPE | (_FLAG_EMPTY if is_empty else 0)
        out.append(_HEADER.pack(b"GP", 0, flags, srs_id, minx, maxx, miny, maxy) + blob)
    return out


def _header_length(blob: bytes) -> int:
    envelope = (blob[3] >> 1) & 0b111
    return 8 + {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[envelope]


def decode(blobs: Sequence[bytes | None]) -> NDArray[np.object_]:
    """Decode GeoPackage blobs into shapely geometries (``None`` stays ``None``)."""
    wkb = [None if b is None else b[_header_length(b) :] for b in blobs]
    return shapely.from_wkb(np.array(wkb, dtype=object))


def _envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """``(minx, maxx, miny, maxy)`` of a blob, for the R-tree triggers."""
    if blob is None or blob[3] & _FLAG_EMPTY:
        return None
    if (blob[3] >> 1) & 0b111:
        return struct.unpack_from("<4d", blob, 8)
    geom = decode([blob])[0]
    minx, miny, maxx, maxy = shapely.bounds(geom)
    return (minx, maxx, miny, maxy)


def register_functions(conn: sqlite3.Connection) -> None:
    """Define the SQL functions that GDAL's R-tree triggers call.

    GDAL creates triggers that keep ``rtree_<table>_<column>`` current on every edit
    (e.g. when a user edits the store in QGIS); they call ``ST_MinX`` and friends, which
    plain SQLite lacks, so every connection of ours provides them.
    """

    def part(index: int) -> object:
        def fn(blob: bytes | None) -> float | None:
            env = _envelope(blob)
            return None if env is None else env[index]

        return fn

    for index, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        conn.create_function(name, 1, part(index), deterministic=True)  # type: ignore[arg-type]
    conn.create_function(
        "ST_IsEmpty", 1, lambda blob: int(_envelope(blob) is None), deterministic=True
    )


def rtree_sql(table: str, column: str = "geom") -> list[str]:
    """Statements creating the R-tree index virtual table and its maintenance triggers."""
    rt = f'"rtree_{table}_{column}"'
    t = f'"{table}"'
    c = f'"{column}"'
    rt_raw = f"rtree_{table}_{column}"
    envelope = f"ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})"
    return [
        f"CREATE VIRTUAL TABLE {rt} USING rtree(id, minx, maxx, miny, maxy)",
        f'CREATE TRIGGER "{rt_raw}_insert" AFTER INSERT ON {t} '
        f"WHEN (NEW.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN "
        f"INSERT OR REPLACE INTO {rt} VALUES (NEW.fid, {envelope}); END",
        f'CREATE TRIGGER "{rt_raw}_update" AFTER UPDATE OF {c} ON {t} BEGIN '
        f"DELETE FROM {rt} WHERE id = OLD.fid; "
        f"INSERT INTO {rt} SELECT NEW.fid, {envelope} "
        f"WHERE NEW.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c}); END",
        f'CREATE TRIGGER "{rt_raw}_delete" AFTER DELETE ON {t} '
        f"WHEN OLD.{c} NOT NULL BEGIN DELETE FROM {rt} WHERE id = OLD.fid; END",
    ]
