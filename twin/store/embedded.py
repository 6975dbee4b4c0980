"""The embedded store: one GeoPackage file per municipality.

A small municipality needs no database server: its whole twin is one file that QGIS can
open directly. Vector layers are GeoPackage feature tables with an R-tree index; raster
layers are Cloud-Optimised GeoTIFFs in ``rasters/`` beside the file, listed in the same
catalogue. The catalogue (``twin_catalogue``), municipality record (``twin_municipality``)
and audit log (``twin_audit``) are GeoPackage attribute tables.

Every write runs in one SQLite transaction, so a failed import leaves the store exactly as
it was; readers (the web server) use WAL mode and see either the old or the new layer.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from twin.catalogue import CatalogueEntry
from twin.errors import StoreError, UnknownFeatureError, UnknownLayerError
from twin.store import _gpkg, _sql_functions
from twin.store._alerts import AlertTables
from twin.store._contributions import ContributionTables
from twin.store._jobs import JobTables
from twin.store._scenarios import ScenarioTables
from twin.store._sensorthings import SensorThingsTables, create_schema
from twin.store._sta_write import SensorThingsWrites
from twin.store._tokens import TokenTables
from twin.store._users import UserTables
from twin.store.base import AuditRecord, FeaturePage, MunicipalityRecord, TimeFilter

logger = logging.getLogger(__name__)

GEOMETRY_COLUMN = "geom"
RESERVED_PREFIXES = ("gpkg_", "rtree_", "twin_", "sqlite_")

_TWIN_SCHEMA = """
CREATE TABLE IF NOT EXISTS twin_municipality (
  id INTEGER PRIMARY KEY CHECK (id = 1), slug TEXT NOT NULL, name TEXT NOT NULL,
  ags TEXT NOT NULL, crs TEXT NOT NULL, demo BOOLEAN NOT NULL, boundary BLOB NOT NULL,
  config_toml TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS twin_catalogue (
  name TEXT PRIMARY KEY, kind TEXT NOT NULL, classification TEXT NOT NULL,
  entry TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS twin_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
  action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL);
INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description)
VALUES ('twin_municipality', 'attributes', 'twin_municipality', 'Who this twin belongs to'),
       ('twin_catalogue', 'attributes', 'twin_catalogue', 'Layer metadata and provenance'),
       ('twin_audit', 'attributes', 'twin_audit', 'Every write, attributed');
"""

SURFACES_TABLE = "twin_building_surfaces"
_SURFACES_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {SURFACES_TABLE} ("
    "layer TEXT NOT NULL, feature_id TEXT NOT NULL, surfaces BLOB NOT NULL, "
    "PRIMARY KEY (layer, feature_id))",
    "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) "
    f"VALUES ('{SURFACES_TABLE}', 'attributes', '{SURFACES_TABLE}', "
    "'LoD2 surfaces of buildings (MultiPolygon Z as WKB) by layer and feature_id')",
)

_SQL_TYPES = {"b": "BOOLEAN", "i": "INTEGER", "u": "INTEGER", "f": "DOUBLE", "M": "DATETIME"}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sql_type(series: pd.Series) -> str:
    return _SQL_TYPES.get(series.dtype.kind, "TEXT")


def _to_sql_values(series: pd.Series) -> list[Any]:
    """Python values SQLite can bind: NaN/NA → NULL, times → UTC ISO text, dicts → JSON."""
    kind = series.dtype.kind
    if kind == "M":
        utc = series.dt.tz_convert("UTC") if series.dt.tz is not None else series
        text = utc.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        return text.astype(object).where(series.notna(), None).tolist()
    if kind in "biuf":
        return series.astype(object).where(series.notna(), None).tolist()
    return [
        None
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA
        else json.dumps(v, ensure_ascii=False, default=str)
        if isinstance(v, dict | list)
        else str(v)
        for v in series.tolist()
    ]


def _geometry_type(frame: gpd.GeoDataFrame) -> str:
    types = set(frame.geometry.geom_type.dropna().unique())
    return types.pop().upper() if len(types) == 1 else "GEOMETRY"


class EmbeddedStore(
    SensorThingsTables,
    SensorThingsWrites,
    AlertTables,
    JobTables,
    ScenarioTables,
    TokenTables,
    UserTables,
    ContributionTables,
):
    """A municipality's twin in one GeoPackage file (see module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.raster_dir = path.parent / "rasters"

    # -- connections -------------------------------------------------------------------
    @contextmanager
    def _connect(self, *, create: bool = False) -> Iterator[sqlite3.Connection]:
        if not create and not self.path.exists():
            raise StoreError(
                f"store {str(self.path)!r} does not exist",
                hint="Set the municipality up first with `twin init CONFIG.toml`.",
            )
        try:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.Error as err:
            raise StoreError(f"cannot open store {str(self.path)!r}: {err}") from None
        try:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
            except sqlite3.DatabaseError as err:
                raise StoreError(
                    f"store {str(self.path)!r} is damaged or not a GeoPackage: {err}",
                    hint="Restore it from a backup or re-create it with `twin init` + "
                    "`twin import`.",
                ) from None
            conn.execute("PRAGMA foreign_keys=ON")
            _gpkg.register_functions(conn)
            yield conn
        except sqlite3.DatabaseError as err:
            raise StoreError(f"store {str(self.path)!r}: {err}") from err
        finally:
            conn.close()

    @contextmanager
    def _transaction(self, *, create: bool = False) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing write: commits at the end, rolls back on any exception."""
        with self._connect(create=create) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @staticmethod
    def _audit(
        conn: sqlite3.Connection, actor: str, action: str, target: str, detail: dict[str, Any]
    ) -> None:
        conn.execute(
            "INSERT INTO twin_audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
            (_now(), actor, action, target, json.dumps(detail, ensure_ascii=False, default=str)),
        )

    # -- municipality ------------------------------------------------------------------
    def set_municipality(self, record: MunicipalityRecord, *, actor: str) -> None:
        """Create the store if needed and write who it belongs to."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        crs = CRS.from_user_input(record.crs)
        srs_id = crs.to_epsg()
        if srs_id is None:
            raise StoreError(f"CRS {record.crs!r} has no EPSG code; the store needs one")
        with self._transaction(create=True) as conn:
            conn.execute(f"PRAGMA application_id={_gpkg.APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version={_gpkg.USER_VERSION}")
            for statement in (_gpkg.CORE_SCHEMA + _TWIN_SCHEMA).split(";\n"):
                if statement.strip():
                    conn.execute(statement)
            create_schema(conn)
            conn.execute(
                "INSERT OR REPLACE INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?, ?, ?)",
                (crs.name, srs_id, srs_id, crs.to_wkt("WKT1_GDAL"), crs.name),
            )
            if crs.to_epsg() != 4326:
                wgs84 = CRS.from_epsg(4326)
                conn.execute(
                    "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, 4326, 'EPSG', 4326, ?, ?)",
                    (wgs84.name, wgs84.to_wkt("WKT1_GDAL"), wgs84.name),
                )
            conn.execute(
                "INSERT OR REPLACE INTO twin_municipality VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.slug,
                    record.name,
                    record.ags,
                    crs.to_string(),
                    record.demo,
                    shapely.to_wkb(record.boundary),
                    record.config_toml,
                ),
            )
            self._audit(conn, actor, "set_municipality", record.slug, {"name": record.name})

    def municipality(self) -> MunicipalityRecord:
        """Return who this store belongs to."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT slug, name, ags, crs, demo, boundary, config_toml FROM twin_municipality"
            ).fetchone()
        if row is None:
            raise StoreError(f"store {str(self.path)!r} has no municipality record")
        slug, name, ags, crs, demo, boundary, config_toml = row
        return MunicipalityRecord(
            slug, name, ags, crs, shapely.from_wkb(boundary), bool(demo), config_toml
        )

    @staticmethod
    def _crs(conn: sqlite3.Connection) -> str:
        (crs,) = conn.execute("SELECT crs FROM twin_municipality").fetchone()
        return str(crs)

    def _srs_id(self, conn: sqlite3.Connection) -> int:
        # set_municipality ensures the CRS has an EPSG code
        return int(CRS.from_user_input(self._crs(conn)).to_epsg() or 0)

    # -- catalogue ---------------------------------------------------------------------
    def layers(self) -> list[CatalogueEntry]:
        """Return every catalogue entry, by name."""
        with self._connect() as conn:
            rows = conn.execute("SELECT entry FROM twin_catalogue ORDER BY name").fetchall()
        return [CatalogueEntry.model_validate_json(r[0]) for r in rows]

    def layer(self, name: str) -> CatalogueEntry:
        """Return one catalogue entry."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT entry FROM twin_catalogue WHERE name = ?", (name,)
            ).fetchone()
        if row is None:
            raise UnknownLayerError(
                f"layer {name!r} has not been imported", hint="Run `twin import SLUG LAYER`."
            )
        return CatalogueEntry.model_validate_json(row[0])

    @staticmethod
    def _write_catalogue(conn: sqlite3.Connection, entry: CatalogueEntry) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO twin_catalogue VALUES (?, ?, ?, ?)",
            (entry.name, entry.kind.value, entry.classification.value, entry.model_dump_json()),
        )

    # -- vector layers -----------------------------------------------------------------
    @staticmethod
    def _drop_layer(conn: sqlite3.Connection, name: str) -> None:
        rtree = f"rtree_{name}_{GEOMETRY_COLUMN}"
        conn.execute(f"DROP TABLE IF EXISTS {_quote(rtree)}")
        conn.execute(f"DROP TABLE IF EXISTS {_quote(name)}")
        for table in ("gpkg_extensions", "gpkg_geometry_columns", "gpkg_contents"):
            conn.execute(f"DELETE FROM {table} WHERE table_name = ?", (name,))

    @staticmethod
    def _write_surfaces(conn: sqlite3.Connection, name: str, surfaces: gpd.GeoSeries | None) -> int:
        """Replace the layer's LoD2 surfaces (none: only drop the old ones); return the count.

        The table exists only once a layer brought surfaces, so a store without LoD2
        stays exactly as it was before surfaces were kept.
        """
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (SURFACES_TABLE,)
        ).fetchone()
        if exists:
            conn.execute(f"DELETE FROM {SURFACES_TABLE} WHERE layer = ?", (name,))
        if surfaces is None or surfaces.empty:
            return 0
        for statement in _SURFACES_SCHEMA:
            conn.execute(statement)
        geometries = surfaces.to_numpy()
        blobs = shapely.to_wkb(geometries, output_dimension=3)
        conn.executemany(
            f"INSERT INTO {SURFACES_TABLE} VALUES (?, ?, ?)",
            ((name, str(fid), blob) for fid, blob in zip(surfaces.index, blobs, strict=True)),
        )
        return len(surfaces)

    def write_layer(
        self,
        entry: CatalogueEntry,
        frame: gpd.GeoDataFrame,
        *,
        actor: str,
        surfaces: gpd.GeoSeries | None = None,
    ) -> None:
        """Replace a vector layer by ``frame`` (must have a unique ``feature_id``) atomically.

        ``surfaces`` (MultiPolygon Z by ``feature_id``, in the store's CRS) replace the
        layer's LoD2 surfaces in the same transaction; without them the layer has none.
        """
        if entry.name.startswith(RESERVED_PREFIXES):
            raise StoreError(f"layer name {entry.name!r} uses a reserved prefix")
        if "feature_id" not in frame.columns or not frame["feature_id"].is_unique:
            raise StoreError(f"layer {entry.name!r}: feature_id missing or not unique")
        attributes = [c for c in frame.columns if c not in ("feature_id", frame.geometry.name)]
        columns_sql = ", ".join(f"{_quote(c)} {_sql_type(frame[c])}" for c in attributes)
        table = _quote(entry.name)
        geometries = frame.geometry.to_numpy()
        with self._transaction() as conn:
            srs_id = self._srs_id(conn)
            blobs = _gpkg.encode(geometries, srs_id)
            self._drop_layer(conn, entry.name)
            conn.execute(
                f"CREATE TABLE {table} (fid INTEGER PRIMARY KEY, "
                f"{_quote(GEOMETRY_COLUMN)} {_geometry_type(frame)}, "
                f"feature_id TEXT NOT NULL UNIQUE{', ' + columns_sql if columns_sql else ''})"
            )
            values = [_to_sql_values(frame[c]) for c in attributes]
            fids = range(1, len(frame) + 1)
            placeholders = ", ".join("?" * (len(attributes) + 3))
            conn.executemany(
                f"INSERT INTO {table} VALUES ({placeholders})",
                zip(fids, blobs, frame["feature_id"].astype(str), *values, strict=True),
            )
            create_rtree, *triggers = _gpkg.rtree_sql(entry.name, GEOMETRY_COLUMN)
            conn.execute(create_rtree)
            bounds = shapely.bounds(geometries)
            filled = ~shapely.is_empty(geometries) & ~shapely.is_missing(geometries)
            conn.executemany(
                f"INSERT INTO {_quote(f'rtree_{entry.name}_{GEOMETRY_COLUMN}')} "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    (fid, minx, maxx, miny, maxy)
                    for fid, (minx, miny, maxx, maxy), ok in zip(
                        fids, bounds.tolist(), filled, strict=True
                    )
                    if ok
                ),
            )
            for statement in triggers:
                conn.execute(statement)
            extent = entry.bbox or (None, None, None, None)
            conn.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description,"
                " min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?)",
                (entry.name, entry.name, entry.title.de, *extent, srs_id),
            )
            conn.execute(
                "INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
                (entry.name, GEOMETRY_COLUMN, _geometry_type(frame), srs_id),
            )
            conn.execute(
                "INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', "
                "'http://www.geopackage.org/spec/#extension_rtree', 'write-only')",
                (entry.name, GEOMETRY_COLUMN),
            )
            kept = self._write_surfaces(conn, entry.name, surfaces)
            self._write_catalogue(conn, entry)
            detail: dict[str, Any] = {
                "features": len(frame),
                "source_file": entry.source_file,
                "sha256": entry.checksum,
            }
            if kept:
                detail["lod2_surfaces"] = kept
            self._audit(conn, actor, "import_layer", entry.name, detail)

    def _columns(self, conn: sqlite3.Connection, name: str) -> list[tuple[str, str]]:
        rows = conn.execute(f"PRAGMA table_info({_quote(name)})").fetchall()
        if not rows:
            raise UnknownLayerError(f"layer {name!r} has no feature table in the store")
        return [(r[1], r[2]) for r in rows if r[1] not in ("fid", GEOMETRY_COLUMN)]

    def _frame(
        self, conn: sqlite3.Connection, name: str, where: str, params: list[Any]
    ) -> gpd.GeoDataFrame:
        columns = self._columns(conn, name)
        select = ", ".join(_quote(c) for c, _ in columns)
        rows = conn.execute(
            f"SELECT {_quote(GEOMETRY_COLUMN)}, {select} FROM {_quote(name)} {where}", params
        ).fetchall()
        crs = conn.execute("SELECT crs FROM twin_municipality").fetchone()[0]
        data = {c: [r[i + 1] for r in rows] for i, (c, _) in enumerate(columns)}
        frame = pd.DataFrame(data, columns=[c for c, _ in columns])
        for column, sql_type in columns:
            if sql_type == "INTEGER":
                frame[column] = pd.array(frame[column], dtype="Int64")
            elif sql_type == "DOUBLE":
                frame[column] = pd.to_numeric(frame[column]).astype(float)
            elif sql_type == "BOOLEAN":
                frame[column] = pd.array(
                    [None if v is None else bool(v) for v in frame[column]], dtype="boolean"
                )
        geometry = _gpkg.decode([r[0] for r in rows]) if rows else np.array([], dtype=object)
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=crs), crs=crs)

    def read_features(
        self,
        name: str,
        *,
        bbox: tuple[float, float, float, float] | None = None,
        time: TimeFilter | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> FeaturePage:
        """Read features intersecting ``bbox`` and ``time``, ordered by storage order, paged."""
        entry = self.layer(name)
        with self._connect() as conn:
            conditions, params = [], []
            if time is not None and entry.time_field:
                column = _quote(entry.time_field)
                if time.start is not None:
                    conditions.append(f"{column} >= ?")
                    params.append(time.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
                if time.end is not None:
                    conditions.append(f"{column} <= ?")
                    params.append(time.end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
            if bbox is not None:
                fids = self._fids_in_bbox(conn, name, bbox)
                conditions.append("fid IN (SELECT value FROM json_each(?))")
                params.append(json.dumps(fids))
            where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
            matched = conn.execute(
                f"SELECT count(*) FROM {_quote(name)} {where}", params
            ).fetchone()[0]
            paging = f"{where} ORDER BY fid LIMIT ? OFFSET ?"
            frame = self._frame(
                conn, name, paging, [*params, -1 if limit is None else limit, offset]
            )
        return FeaturePage(frame, int(matched))

    def _fids_in_bbox(
        self, conn: sqlite3.Connection, name: str, bbox: tuple[float, float, float, float]
    ) -> list[int]:
        """Fids whose geometry really intersects ``bbox`` (R-tree first, then exact test)."""
        minx, miny, maxx, maxy = bbox
        rows = conn.execute(
            f"SELECT t.fid, t.{_quote(GEOMETRY_COLUMN)} FROM {_quote(name)} t JOIN "
            f"{_quote(f'rtree_{name}_{GEOMETRY_COLUMN}')} r ON r.id = t.fid "
            "WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ?",
            (maxx, minx, maxy, miny),
        ).fetchall()
        if not rows:
            return []
        geometries = _gpkg.decode([r[1] for r in rows])
        hits = shapely.intersects(geometries, shapely.box(*bbox))
        return [int(r[0]) for r, hit in zip(rows, hits, strict=True) if hit]

    def read_feature(self, name: str, feature_id: str) -> gpd.GeoDataFrame:
        """Return the one feature with ``feature_id`` as a one-row frame."""
        self.layer(name)
        with self._connect() as conn:
            frame = self._frame(conn, name, "WHERE feature_id = ?", [feature_id])
        if frame.empty:
            raise UnknownFeatureError(f"layer {name!r} has no feature {feature_id!r}")
        return frame

    def building_surfaces(
        self, name: str, feature_ids: Collection[str] | None = None
    ) -> gpd.GeoSeries:
        """The LoD2 surfaces (MultiPolygon Z) of layer ``name``, by ``feature_id``.

        All of the layer's, or those of ``feature_ids``; empty where the layer has none.
        """
        self.layer(name)
        with self._connect() as conn:
            crs = self._crs(conn)
            exists = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                (SURFACES_TABLE,),
            ).fetchone()
            rows = []
            if exists:
                sql = f"SELECT feature_id, surfaces FROM {SURFACES_TABLE} WHERE layer = ?"
                params: list[Any] = [name]
                if feature_ids is not None:
                    sql += " AND feature_id IN (SELECT value FROM json_each(?))"
                    params.append(json.dumps([str(f) for f in feature_ids]))
                rows = conn.execute(sql + " ORDER BY rowid", params).fetchall()
        geometries = shapely.from_wkb([r[1] for r in rows]) if rows else np.array([], object)
        index = pd.Index([r[0] for r in rows], name="feature_id", dtype=object)
        return gpd.GeoSeries(geometries, index=index, crs=crs)

    # -- raster layers -----------------------------------------------------------------
    def raster_path(self, name: str) -> Path:
        """Path of a stored raster layer's GeoTIFF."""
        entry = self.layer(name)
        if entry.storage != "raster":
            raise UnknownLayerError(f"layer {name!r} is not a raster layer")
        return self.raster_dir / f"{name}.tif"

    def write_raster(self, entry: CatalogueEntry, raster: Path, *, actor: str) -> None:
        """Copy the GeoTIFF ``raster`` into the store as layer ``entry.name``, atomically.

        The copy is staged beside the target first; the swap happens while the catalogue
        transaction is open and is undone if the transaction fails, so catalogue and file
        always match.
        """
        self.raster_dir.mkdir(parents=True, exist_ok=True)
        target = self.raster_dir / f"{entry.name}.tif"
        backup = target.with_suffix(".tif.previous")
        incoming = target.with_suffix(".tif.incoming")
        shutil.copyfile(raster, incoming)
        had_previous = target.exists()
        try:
            with self._transaction() as conn:
                self._write_catalogue(conn, entry)
                self._audit(
                    conn,
                    actor,
                    "import_raster",
                    entry.name,
                    {"source_file": entry.source_file, "sha256": entry.checksum},
                )
                if had_previous:
                    os.replace(target, backup)
                os.replace(incoming, target)
        except BaseException:
            if had_previous and backup.exists():
                os.replace(backup, target)
            elif not had_previous:
                target.unlink(missing_ok=True)
            incoming.unlink(missing_ok=True)
            raise
        backup.unlink(missing_ok=True)

    # -- read-only SQL for the SensorThings API ------------------------------------------
    def read_sql(self, sql: str, params: list[object]) -> list[dict[str, Any]]:
        """Run a read-only query (the SensorThings API builds these from its entity table).

        The connection is switched to ``query_only``, so even a faulty query cannot write.
        """
        with self._connect() as conn:
            conn.execute("PRAGMA query_only = ON")
            _sql_functions.register(conn)
            conn.row_factory = sqlite3.Row
            return [dict(row) for row in conn.execute(sql, params).fetchall()]

    # -- audit -------------------------------------------------------------------------
    def record_read(self, actor: str, target: str) -> None:
        """Audit that ``actor`` read ``target`` (personal data)."""
        with self._transaction() as conn:
            self._audit(conn, actor, "read_personal", target, {})

    def audit_log(self, *, limit: int = 100) -> list[AuditRecord]:
        """Newest audit records first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT at, actor, action, target, detail FROM twin_audit ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            AuditRecord(datetime.fromisoformat(at), actor, action, target, json.loads(detail))
            for at, actor, action, target, detail in rows
        ]
