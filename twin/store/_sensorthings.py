"""SensorThings entities in the embedded store (OGC 18-088 data model).

Things, Locations, HistoricalLocations, Sensors, ObservedProperties, Datastreams,
FeaturesOfInterest and Observations are GeoPackage attribute tables beside the layers, so
that a sensor reading and the tree it belongs to live in one file and one transaction.

Observations are append-only and idempotent: ``UNIQUE(datastream_id, phenomenon_time,
result_key)`` with ``INSERT OR IGNORE`` makes a re-delivered message (MQTT QoS 1, a
re-run CSV import, a resumed harvest) store nothing new. ``result_key`` is the result as
canonical JSON, so numbers, strings and objects are compared by value.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np
import pandas as pd
from pyproj import Transformer

from twin.errors import InvalidRequestError, UnknownFeatureError
from twin.store._connections import StoreConnections
from twin.store.base import (
    DatastreamRecord,
    DeadLetter,
    InsertCount,
    Inserted,
    SensorSite,
    StoredObservation,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS sta_things (
  id INTEGER PRIMARY KEY, key TEXT UNIQUE, name TEXT NOT NULL, description TEXT NOT NULL,
  properties TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS sta_locations (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL,
  encoding_type TEXT NOT NULL DEFAULT 'application/geo+json', location TEXT NOT NULL,
  x DOUBLE, y DOUBLE);
CREATE TABLE IF NOT EXISTS sta_thing_locations (
  thing_id INTEGER NOT NULL REFERENCES sta_things(id) ON DELETE CASCADE,
  location_id INTEGER NOT NULL REFERENCES sta_locations(id) ON DELETE CASCADE,
  PRIMARY KEY (thing_id, location_id));
CREATE TABLE IF NOT EXISTS sta_historical_locations (
  id INTEGER PRIMARY KEY, thing_id INTEGER NOT NULL REFERENCES sta_things(id) ON DELETE CASCADE,
  location_id INTEGER NOT NULL REFERENCES sta_locations(id) ON DELETE CASCADE,
  time TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sta_sensors (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL,
  encoding_type TEXT NOT NULL DEFAULT 'text/plain', metadata TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS sta_observed_properties (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, definition TEXT NOT NULL,
  description TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sta_datastreams (
  id INTEGER PRIMARY KEY, key TEXT UNIQUE, name TEXT NOT NULL, description TEXT NOT NULL,
  observation_type TEXT NOT NULL, unit_name TEXT NOT NULL, unit_symbol TEXT NOT NULL,
  unit_definition TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL,
  classification TEXT NOT NULL DEFAULT 'public', feature TEXT,
  properties TEXT NOT NULL DEFAULT '{}',
  thing_id INTEGER NOT NULL REFERENCES sta_things(id) ON DELETE CASCADE,
  sensor_id INTEGER NOT NULL REFERENCES sta_sensors(id),
  observed_property_id INTEGER NOT NULL REFERENCES sta_observed_properties(id));
CREATE TABLE IF NOT EXISTS sta_features_of_interest (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL,
  encoding_type TEXT NOT NULL DEFAULT 'application/geo+json', feature TEXT NOT NULL,
  location_id INTEGER UNIQUE REFERENCES sta_locations(id));
CREATE TABLE IF NOT EXISTS sta_observations (
  id INTEGER PRIMARY KEY,
  datastream_id INTEGER NOT NULL REFERENCES sta_datastreams(id) ON DELETE CASCADE,
  phenomenon_time TEXT NOT NULL, phenomenon_time_end TEXT, result_time TEXT,
  result DOUBLE, result_key TEXT NOT NULL, result_quality TEXT NOT NULL DEFAULT 'ok',
  parameters TEXT, foi_id INTEGER REFERENCES sta_features_of_interest(id),
  UNIQUE (datastream_id, phenomenon_time, result_key));
CREATE TABLE IF NOT EXISTS sta_dead_letters (
  id INTEGER PRIMARY KEY, received_at TEXT NOT NULL, topic TEXT NOT NULL, payload BLOB,
  reason TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sta_observations_time ON sta_observations (datastream_id, phenomenon_time);
CREATE INDEX IF NOT EXISTS sta_observations_when ON sta_observations (phenomenon_time);
INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description)
VALUES ('sta_things', 'attributes', 'sta_things', 'SensorThings Things'),
       ('sta_locations', 'attributes', 'sta_locations', 'SensorThings Locations'),
       ('sta_datastreams', 'attributes', 'sta_datastreams', 'SensorThings Datastreams'),
       ('sta_observations', 'attributes', 'sta_observations', 'SensorThings Observations');
"""

# What each sensor kind measures: ObservedProperty (name, definition) and Sensor description.
KINDS: dict[str, tuple[str, str, str]] = {
    "air_temperature": (
        "Lufttemperatur / air temperature",
        "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0023/",
        "Air temperature sensor, 2 m above ground, radiation shield",
    ),
    "soil_moisture": (
        "Bodenfeuchte / volumetric soil moisture",
        "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0395/",
        "Soil moisture probe (volumetric water content) in a tree pit",
    ),
    "water_level": (
        "Wasserstand / water level",
        "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0076/",
        "River gauge (pressure or radar level sensor)",
    ),
    "bicycle_counter": (
        "Radverkehr / bicycle count",
        "https://www.mdm-portal.de/traffic-counts",
        "Induction loop counting bicycles per interval",
    ),
    "other": ("Messwert / measurement", "", "Generic sensor"),
}

_ISO = "%Y-%m-%dT%H:%M:%SZ"


@lru_cache(maxsize=8)
def _to_wgs84(crs: str) -> Transformer:
    """Transformer to longitude/latitude (built once per CRS: building one costs ~ms)."""
    return Transformer.from_crs(crs, 4326, always_xy=True)


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the SensorThings tables if they are missing (stores made before they existed)."""
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            conn.execute(statement)


def utc_text(times: pd.Series) -> pd.Series:
    """Times as the store's ISO 8601 UTC text; naive times are taken as UTC."""
    parsed = pd.to_datetime(times, utc=True, errors="coerce", format="mixed")
    return parsed.dt.strftime(_ISO)


def result_key(result: object) -> str:
    """A result as canonical JSON: what makes two observations the same (see module docstring)."""
    return json.dumps(result, sort_keys=True, separators=(",", ":"))


def _result_keys(results: pd.Series) -> list[str]:
    return [result_key(v) for v in results.tolist()]


def _stored_after(conn: sqlite3.Connection, last_id: int) -> tuple[StoredObservation, ...]:
    """Observations with ids above ``last_id``: inside the write transaction, those it added.

    Without AUTOINCREMENT SQLite gives a new row the highest id + 1, and no other writer
    can interleave, so this finds the rows that ``INSERT OR IGNORE`` did not skip.
    """
    rows = conn.execute(
        "SELECT o.id, o.datastream_id, o.phenomenon_time, o.result_time, o.result_key, "
        "o.result_quality, o.parameters, d.classification FROM sta_observations o "
        "JOIN sta_datastreams d ON d.id = o.datastream_id WHERE o.id > ? ORDER BY o.id",
        (last_id,),
    ).fetchall()
    return tuple(
        StoredObservation(
            oid,
            stream,
            when,
            result_time,
            json.loads(key),
            quality,
            None if parameters is None else json.loads(parameters),
            classification,
        )
        for oid, stream, when, result_time, key, quality, parameters, classification in rows
    )


def _insert_observations(
    conn: sqlite3.Connection, frame: pd.DataFrame, *, returning: bool = True
) -> Inserted:
    """Insert ``datastream_id, phenomenon_time, result[, quality]`` rows, skipping stored ones.

    With ``returning``, the added observations come back too (for MQTT notifications).
    """
    times = utc_text(frame["phenomenon_time"])
    bad = times.isna()
    if bad.any():
        first = frame.loc[bad, "phenomenon_time"].iloc[0]
        raise InvalidRequestError(
            f"{int(bad.sum())} observation(s) have no readable phenomenon time (e.g. {first!r})",
            hint="Use ISO 8601 times such as 2025-07-01T12:00:00Z.",
        )
    # the FeatureOfInterest is the Thing's location (OGC 18-088, 10.2: the service creates
    # it when the client gives none)
    foi = dict(
        conn.execute(
            "SELECT d.id, f.id FROM sta_datastreams d JOIN sta_thing_locations tl ON "
            "tl.thing_id = d.thing_id JOIN sta_features_of_interest f ON f.location_id = tl.location_id"
        ).fetchall()
    )
    numeric = pd.to_numeric(frame["result"], errors="coerce").to_numpy(dtype=float)
    quality = frame["quality"] if "quality" in frame else pd.Series("ok", index=frame.index)
    ids = frame["datastream_id"].astype(int).tolist()
    rows = zip(
        ids,
        times.tolist(),
        [None if np.isnan(v) else float(v) for v in numeric],
        _result_keys(frame["result"]),
        quality.fillna("ok").astype(str).tolist(),
        [foi.get(i) for i in ids],
        strict=True,
    )
    (last_id,) = conn.execute("SELECT coalesce(max(id), 0) FROM sta_observations").fetchone()
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO sta_observations "
        "(datastream_id, phenomenon_time, result, result_key, result_quality, foi_id) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    new = conn.total_changes - before
    added = _stored_after(conn, last_id) if returning and new else ()
    return Inserted(InsertCount(new, len(frame) - new), added)


def _append(
    store: StoreConnections,
    datastream_id: int,
    observations: pd.DataFrame,
    actor: str,
    *,
    returning: bool,
) -> Inserted:
    """Append one datastream's observations in one transaction (a missing datastream is a 404)."""
    if observations.empty:
        return Inserted(InsertCount(0, 0), ())
    frame = observations.assign(datastream_id=datastream_id)
    with store._transaction() as conn:
        if (
            conn.execute("SELECT 1 FROM sta_datastreams WHERE id = ?", (datastream_id,)).fetchone()
            is None
        ):
            raise UnknownFeatureError(
                f"there is no Datastream({datastream_id})",
                hint="List them with `twin sensors list SLUG`.",
            )
        inserted = _insert_observations(conn, frame, returning=returning)
        target = f"Datastream({datastream_id})"
        store._audit(conn, actor, "add_observations", target, inserted.counts._asdict())
    return inserted


class SensorThingsTables:
    """SensorThings part of the embedded store (mixed into :class:`EmbeddedStore`)."""

    def register_sensor(self: StoreConnections, site: SensorSite, *, actor: str) -> int:
        """Create or update a site's Thing, Location, Sensor and Datastream; return its id."""
        prop_name, definition, sensor_description = KINDS.get(site.kind, KINDS["other"])
        with self._transaction() as conn:
            create_schema(conn)
            to_wgs84 = _to_wgs84(self._crs(conn))
            lon, lat = to_wgs84.transform(site.x, site.y)
            geojson = json.dumps({"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]})
            properties = json.dumps(
                {"kind": site.kind, "reference": site.reference, "feature": site.feature},
                ensure_ascii=False,
            )
            conn.execute(
                "INSERT INTO sta_things (key, name, description, properties) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET name = excluded.name, properties = excluded.properties",
                (site.key, site.name, f"Messstelle {site.key}", properties),
            )
            (thing_id,) = conn.execute(
                "SELECT id FROM sta_things WHERE key = ?", (site.key,)
            ).fetchone()
            self_location = conn.execute(
                "SELECT location_id FROM sta_thing_locations WHERE thing_id = ?", (thing_id,)
            ).fetchone()
            if self_location is None:
                cursor = conn.execute(
                    "INSERT INTO sta_locations (name, description, location, x, y) VALUES (?, ?, ?, ?, ?)",
                    (site.name, f"Standort {site.key}", geojson, site.x, site.y),
                )
                location_id = cursor.lastrowid
                conn.execute(
                    "INSERT INTO sta_thing_locations VALUES (?, ?)", (thing_id, location_id)
                )
                conn.execute(
                    "INSERT INTO sta_features_of_interest (name, description, feature, location_id) "
                    "VALUES (?, ?, ?, ?)",
                    (site.name, f"Standort {site.key}", geojson, location_id),
                )
                conn.execute(
                    "INSERT INTO sta_historical_locations (thing_id, location_id, time) VALUES (?, ?, ?)",
                    (thing_id, location_id, datetime.now(UTC).strftime(_ISO)),
                )
            else:
                conn.execute(
                    "UPDATE sta_locations SET name = ?, location = ?, x = ?, y = ? WHERE id = ?",
                    (site.name, geojson, site.x, site.y, self_location[0]),
                )
                conn.execute(
                    "UPDATE sta_features_of_interest SET name = ?, feature = ? WHERE location_id = ?",
                    (site.name, geojson, self_location[0]),
                )
            conn.execute(
                "INSERT OR IGNORE INTO sta_sensors (name, description) VALUES (?, ?)",
                (site.kind, sensor_description),
            )
            conn.execute(
                "INSERT OR IGNORE INTO sta_observed_properties (name, definition, description) "
                "VALUES (?, ?, ?)",
                (prop_name, definition, prop_name),
            )
            (sensor_id,) = conn.execute(
                "SELECT id FROM sta_sensors WHERE name = ?", (site.kind,)
            ).fetchone()
            (property_id,) = conn.execute(
                "SELECT id FROM sta_observed_properties WHERE name = ?", (prop_name,)
            ).fetchone()
            conn.execute(
                "INSERT INTO sta_datastreams (key, name, description, observation_type, unit_name, "
                "unit_symbol, kind, classification, feature, thing_id, sensor_id, observed_property_id) "
                "VALUES (?, ?, ?, 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement', "
                "?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET name = excluded.name, "
                "unit_name = excluded.unit_name, unit_symbol = excluded.unit_symbol, "
                "classification = excluded.classification, feature = excluded.feature",
                (
                    site.key,
                    site.name,
                    f"{prop_name} at {site.name}",
                    site.unit,
                    site.unit,
                    site.kind,
                    site.classification,
                    site.feature,
                    thing_id,
                    sensor_id,
                    property_id,
                ),
            )
            (datastream_id,) = conn.execute(
                "SELECT id FROM sta_datastreams WHERE key = ?", (site.key,)
            ).fetchone()
            self._audit(conn, actor, "register_sensor", site.key, {"datastream": datastream_id})
        return int(datastream_id)

    def datastreams(self: StoreConnections) -> list[DatastreamRecord]:
        """Every Datastream with its observation count and time range."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT d.id, d.key, d.name, d.kind, d.unit_symbol, d.classification, d.thing_id, "
                "d.feature, count(o.id), min(o.phenomenon_time), max(o.phenomenon_time) "
                "FROM sta_datastreams d LEFT JOIN sta_observations o ON o.datastream_id = d.id "
                "GROUP BY d.id ORDER BY d.key"
            ).fetchall()
        return [DatastreamRecord(*row) for row in rows]

    def add_observations(
        self: StoreConnections, datastream_id: int, observations: pd.DataFrame, *, actor: str
    ) -> InsertCount:
        """Append observations idempotently in one transaction (see the module docstring)."""
        return _append(self, datastream_id, observations, actor, returning=False).counts

    def insert_observations(
        self: StoreConnections, datastream_id: int, observations: pd.DataFrame, *, actor: str
    ) -> Inserted:
        """Like :meth:`add_observations`, and also give the observations it stored."""
        return _append(self, datastream_id, observations, actor, returning=True)

    def ingest(
        self: StoreConnections,
        observations: pd.DataFrame,
        dead_letters: list[DeadLetter],
        *,
        actor: str,
    ) -> Inserted:
        """Store a live-feed batch and the messages that could not be used, atomically.

        Observations may belong to any datastreams (``datastream_id`` column). One
        transaction for both means a message acknowledged to the broker is never lost.
        Returns the counts and the observations stored, which the ingest announces.
        """
        with self._transaction() as conn:
            inserted = (
                _insert_observations(conn, observations)
                if len(observations)
                else Inserted(InsertCount(0, 0), ())
            )
            conn.executemany(
                "INSERT INTO sta_dead_letters (received_at, topic, payload, reason) VALUES (?, ?, ?, ?)",
                [(d.received_at, d.topic, d.payload, d.reason) for d in dead_letters],
            )
            self._audit(
                conn,
                actor,
                "ingest",
                "live feed",
                {**inserted.counts._asdict(), "dead_letters": len(dead_letters)},
            )
        return inserted

    def set_quality(self: StoreConnections, flags: dict[int, str], *, actor: str) -> None:
        """Store quality flags by observation id (the values themselves never change)."""
        if not flags:
            return
        with self._transaction() as conn:
            conn.executemany(
                "UPDATE sta_observations SET result_quality = ? WHERE id = ?",
                [(flag, oid) for oid, flag in flags.items()],
            )
            self._audit(conn, actor, "set_quality", "observations", {"changed": len(flags)})

    def latest(self: StoreConnections) -> pd.DataFrame:
        """The newest observation of every datastream: the twin's live state.

        One row per datastream that has observations: ``datastream_id``, ``key``,
        ``feature``, ``phenomenon_time``, ``result``, ``quality``. Uses the
        (datastream, time) index, so it stays fast for many datastreams.
        """
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT d.id, d.key, d.feature, o.phenomenon_time, o.result, o.result_quality "
                "FROM sta_datastreams d JOIN sta_observations o ON o.id = ("
                "SELECT o2.id FROM sta_observations o2 WHERE o2.datastream_id = d.id "
                "ORDER BY o2.phenomenon_time DESC LIMIT 1) ORDER BY d.id"
            ).fetchall()
        frame = pd.DataFrame(
            rows,
            columns=["datastream_id", "key", "feature", "phenomenon_time", "result", "quality"],
        )
        frame["phenomenon_time"] = pd.to_datetime(frame["phenomenon_time"], utc=True)
        return frame

    def dead_letters(self: StoreConnections, *, limit: int = 100) -> list[DeadLetter]:
        """The newest messages that could not be stored as observations, with the reason."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT received_at, topic, payload, reason FROM sta_dead_letters ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [DeadLetter(*row) for row in rows]

    def observations(
        self: StoreConnections,
        datastream_id: int,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pd.DataFrame:
        """Observations of one datastream in time order."""
        where: list[str] = ["datastream_id = ?"]
        params: list[object] = [datastream_id]
        if start is not None:
            where.append("phenomenon_time >= ?")
            params.append(start.astimezone(UTC).strftime(_ISO))
        if end is not None:
            where.append("phenomenon_time <= ?")
            params.append(end.astimezone(UTC).strftime(_ISO))
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, phenomenon_time, result, result_key, result_quality FROM sta_observations "
                f"WHERE {' AND '.join(where)} ORDER BY phenomenon_time",
                params,
            ).fetchall()
        frame = pd.DataFrame(
            rows, columns=["id", "phenomenon_time", "result", "result_key", "quality"]
        )
        frame["phenomenon_time"] = pd.to_datetime(frame["phenomenon_time"], utc=True)
        frame["result"] = frame["result"].astype(float)
        return frame
