"""Writing SensorThings entities: create (deep insert), update and delete (OGC 18-088, 10).

Every request is one transaction with one audit record: a deep insert creates all its
entities or none (10.2.2). The API layer (:mod:`viewer.api.sensorthings.write`) checks the
JSON and hands over :class:`EntityBody` trees of column values; here they are linked and
made to fit the twin, so that what a client creates is stored exactly like a configured
sensor and the read side, quality control and fusion treat both alike:

- a Datastream gets the key ``sta-<id>`` (configured ones carry the config's sensor id);
- a Location gets x/y in the municipality's CRS beside its WGS 84 GeoJSON;
- a Thing has one current Location; linking another one replaces it and is recorded as a
  HistoricalLocation, and the Location yields the FeatureOfInterest that Observations
  without one refer to (10.2, special case 1), as :meth:`register_sensor` does;
- Sensor and ObservedProperty names are unique in the store (configured sensors share them
  by kind): a new one with the name and properties of a stored one *is* that one
  (:attr:`Created.stored` is false), a different one with a taken name is refused;
- Observations stay idempotent: one with the datastream, phenomenon time and result of a
  stored one is that one (:attr:`Created.stored` is false) and nothing new is stored.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Final, NamedTuple, TypeAlias

import shapely.errors
from pyproj import Transformer
from shapely.geometry import shape as geojson_shape
from shapely.geometry.base import BaseGeometry

from twin.errors import InvalidRequestError, UnknownFeatureError
from twin.store._connections import StoreConnections
from twin.store._sensorthings import create_schema, result_key

TABLES: Final = {
    "Things": "sta_things",
    "Locations": "sta_locations",
    "HistoricalLocations": "sta_historical_locations",
    "Datastreams": "sta_datastreams",
    "Sensors": "sta_sensors",
    "ObservedProperties": "sta_observed_properties",
    "Observations": "sta_observations",
    "FeaturesOfInterest": "sta_features_of_interest",
}
LINK_COLUMNS: Final = {
    ("Datastreams", "Thing"): "thing_id",
    ("Datastreams", "Sensor"): "sensor_id",
    ("Datastreams", "ObservedProperty"): "observed_property_id",
    ("Observations", "Datastream"): "datastream_id",
    ("Observations", "FeatureOfInterest"): "foi_id",
}
"""Single-valued navigation properties and the column holding the related entity's id."""
_CHILDREN: Final = {
    ("Things", "Datastreams"): "thing_id",
    ("Datastreams", "Observations"): "datastream_id",
}
"""Collections whose members are created with the parent (deep insert), by parent column."""
_STREAM_OWNERS: Final = {
    "Things": "thing_id",
    "Sensors": "sensor_id",
    "ObservedProperties": "observed_property_id",
}
"""Entity sets whose deletion deletes their Datastreams (10.4, integrity constraints)."""
GEOJSON_ENCODINGS: Final = frozenset({"application/geo+json", "application/vnd.geo+json"})
_GEOMETRY_TYPES: Final = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
)
_ISO = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Ref:
    """An existing entity named by its ``@iot.id``; ``at`` says where in the request."""

    entity_set: str
    id: int
    at: str


@dataclass(frozen=True)
class EntityBody:
    """The checked content of one entity in a request: column values and navigation.

    ``columns`` are ready for the entity's table, except an Observation's ``result``,
    which is the JSON value (the store derives its number and canonical key).
    ``links`` are single-valued navigation properties (``Datastream.Sensor``),
    ``collections`` collection-valued ones (``Thing.Datastreams``); each names an
    existing entity or holds a new one (deep insert).
    """

    entity_set: str
    columns: Mapping[str, object]
    at: str
    links: Mapping[str, Ref | EntityBody] = field(default_factory=dict)
    collections: Mapping[str, tuple[Ref | EntityBody, ...]] = field(default_factory=dict)


Related: TypeAlias = Ref | EntityBody


class NewObservation(NamedTuple):
    """An Observation a write stored, with its Datastream (for the MQTT topic)."""

    id: int
    datastream_id: int


class Created(NamedTuple):
    """What a create request did: the entity's id, whether it is new, new Observations."""

    id: int
    stored: bool
    observations: tuple[NewObservation, ...]


def geojson_geometry(value: object, at: str) -> BaseGeometry:
    """The geometry of a GeoJSON geometry or Feature in WGS 84 (longitude, latitude)."""
    geometry = (
        value.get("geometry")
        if isinstance(value, dict) and value.get("type") == "Feature"
        else value
    )
    if not isinstance(geometry, dict) or geometry.get("type") not in _GEOMETRY_TYPES:
        raise InvalidRequestError(
            f"{at} must be a GeoJSON geometry or Feature",
            hint=f"Geometry types: {', '.join(sorted(_GEOMETRY_TYPES))}.",
        )
    try:
        shape = geojson_shape(geometry)
    except (shapely.errors.ShapelyError, ValueError, TypeError, KeyError, IndexError) as err:
        raise InvalidRequestError(
            f"{at} is not a valid GeoJSON {geometry['type']}: {err}"
        ) from None
    if shape.is_empty:
        raise InvalidRequestError(f"{at} is an empty geometry")
    west, south, east, north = shape.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise InvalidRequestError(
            f"{at} has coordinates outside longitude/latitude",
            hint="GeoJSON is WGS 84 with longitude first, e.g. [10.85, 49.65].",
        )
    return shape


@lru_cache(maxsize=8)
def _from_wgs84(crs: str) -> Transformer:
    return Transformer.from_crs(4326, crs, always_xy=True)


def _numeric(result: object) -> float | None:
    """The result as a number for quality control and fusion (None if it is none)."""
    if isinstance(result, bool) or not isinstance(result, int | float | str):
        return None
    try:
        number = float(result)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


@contextmanager
def _conflicts() -> Iterator[None]:
    """Stored data that a write would contradict (a taken name, a duplicate) is a 400."""
    try:
        yield
    except sqlite3.IntegrityError as err:
        raise InvalidRequestError(
            f"the request conflicts with stored data: {err}",
            hint="Names of Sensors and ObservedProperties are unique; so is an Observation's "
            "Datastream, phenomenonTime and result.",
        ) from None


class _Writer:
    """The statements of one write transaction, and what they created."""

    def __init__(self, conn: sqlite3.Connection, crs: str) -> None:
        self.conn = conn
        self.to_crs = _from_wgs84(crs)
        self.created: Counter[str] = Counter()
        self.observations: list[NewObservation] = []
        self.features: dict[int, int] = {}  # FeatureOfInterest of each Location
        self.inserts = {
            "Things": self._thing,
            "Locations": self._plain,
            "Datastreams": self._datastream,
            "Sensors": self._named,
            "ObservedProperties": self._named,
            "FeaturesOfInterest": self._plain,
            "Observations": self._observation,
        }

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo one part of the transaction if it fails (a row of CreateObservations)."""
        self.conn.execute("SAVEPOINT sta_part")
        created, features = self.created.copy(), dict(self.features)
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK TO sta_part")
            self.created, self.features = created, features
            raise
        finally:
            self.conn.execute("RELEASE sta_part")

    def exists(self, entity_set: str, entity_id: int) -> bool:
        """Whether the entity is stored (visible or not)."""
        sql = f"SELECT 1 FROM {TABLES[entity_set]} WHERE id = ?"
        return self.conn.execute(sql, (entity_id,)).fetchone() is not None

    def resolve(self, item: Related) -> int:
        """The id of a referenced entity (which must exist) or of a newly created one."""
        if isinstance(item, EntityBody):
            return self.create(item)
        if not self.exists(item.entity_set, item.id):
            raise InvalidRequestError(f"{item.at}: there is no {item.entity_set}({item.id})")
        return item.id

    def create(self, body: EntityBody, parent: Mapping[str, int] | None = None) -> int:
        """Insert ``body`` with its related entities; ``parent``: columns set by its parent."""
        columns = {**body.columns, **(parent or {})}
        for nav, item in body.links.items():
            columns[LINK_COLUMNS[body.entity_set, nav]] = self.resolve(item)
        entity_id = self.inserts[body.entity_set](
            body, self.derived(body.entity_set, columns, body.at)
        )
        self.link(body.entity_set, entity_id, body.collections)
        return entity_id

    def derived(self, entity_set: str, columns: dict[str, object], at: str) -> dict[str, object]:
        """Columns that follow from others: a Location's x/y, an Observation's result forms."""
        if entity_set == "Locations" and "location" in columns:
            centre = geojson_geometry(
                json.loads(str(columns["location"])), f"{at}.location"
            ).centroid
            columns["x"], columns["y"] = self.to_crs.transform(centre.x, centre.y)
        if entity_set == "Observations" and "result" in columns:
            result = columns["result"]
            columns |= {"result": _numeric(result), "result_key": result_key(result)}
        return columns

    def link(
        self, entity_set: str, entity_id: int, collections: Mapping[str, tuple[Related, ...]]
    ) -> None:
        """Relate collection members: Locations first, since new Observations need them."""
        for nav, items in sorted(collections.items(), key=lambda item: item[0] != "Locations"):
            for item in items:
                if (entity_set, nav) == ("Things", "Locations"):
                    self.link_location(entity_id, self.resolve(item))
                elif (entity_set, nav) == ("Locations", "Things"):
                    self.link_location(self.resolve(item), entity_id)
                elif (entity_set, nav) in _CHILDREN and isinstance(item, EntityBody):
                    self.create(item, {_CHILDREN[entity_set, nav]: entity_id})
                else:
                    raise InvalidRequestError(
                        f"{item.at}: an existing entity cannot be moved into {entity_set}({entity_id})",
                        hint=f"Change the {nav[:-1]}'s own link with PATCH instead.",
                    )

    def row(self, entity_set: str, columns: Mapping[str, object], verb: str) -> sqlite3.Cursor:
        """Run ``verb`` (INSERT, INSERT OR IGNORE) with ``columns`` on the entity's table."""
        names = list(columns)
        return self.conn.execute(
            f"{verb} INTO {TABLES[entity_set]} ({', '.join(names)}) "
            f"VALUES ({', '.join('?' * len(names))})",
            [columns[name] for name in names],
        )

    def insert(self, entity_set: str, columns: Mapping[str, object]) -> int:
        """Insert a new entity; return its id."""
        self.created[entity_set] += 1
        return int(self.row(entity_set, columns, "INSERT").lastrowid or 0)

    def _thing(self, body: EntityBody, columns: dict[str, object]) -> int:
        if len(body.collections.get("Locations", ())) > 1:
            raise InvalidRequestError(
                f"{body.at}.Locations: this service keeps one current Location per Thing",
                hint="Send the current Location; earlier ones become HistoricalLocations.",
            )
        return self.insert("Things", columns)

    def _plain(self, body: EntityBody, columns: dict[str, object]) -> int:
        return self.insert(body.entity_set, columns)

    def _datastream(self, body: EntityBody, columns: dict[str, object]) -> int:
        for column, nav in (
            ("thing_id", "Thing"),
            ("sensor_id", "Sensor"),
            ("observed_property_id", "ObservedProperty"),
        ):
            if column not in columns:
                raise InvalidRequestError(
                    f"{body.at}: a Datastream needs its {nav}",
                    hint=f'Give "{nav}": {{"@iot.id": ID}} or a new {nav} inline.',
                )
        stream_id = self.insert("Datastreams", columns)
        self.conn.execute(
            "UPDATE sta_datastreams SET key = ? WHERE id = ?", (f"sta-{stream_id}", stream_id)
        )
        return stream_id

    def _named(self, body: EntityBody, columns: dict[str, object]) -> int:
        """A Sensor or ObservedProperty: the stored one of that name if it is the same."""
        names = list(columns)
        row = self.conn.execute(
            f"SELECT id, {', '.join(names)} FROM {TABLES[body.entity_set]} WHERE name = ?",
            (columns["name"],),
        ).fetchone()
        if row is None:
            return self.insert(body.entity_set, columns)
        if list(row[1:]) == [columns[name] for name in names]:
            return int(row[0])
        raise InvalidRequestError(
            f"{body.at}: the name {columns['name']!r} belongs to {body.entity_set}({row[0]}), "
            "which has other properties",
            hint=f'Refer to it with {{"@iot.id": {row[0]}}} or give the new one another name.',
        )

    def _observation(self, body: EntityBody, columns: dict[str, object]) -> int:
        stream = columns.get("datastream_id")
        if not isinstance(stream, int):
            raise InvalidRequestError(
                f"{body.at}: an Observation needs its Datastream",
                hint='Give "Datastream": {"@iot.id": ID} or post to Datastreams(ID)/Observations.',
            )
        if "foi_id" not in columns:
            columns["foi_id"] = self.thing_feature(stream, body.at)
        cursor = self.row("Observations", columns, "INSERT OR IGNORE")
        if cursor.rowcount:
            self.created["Observations"] += 1
            self.observations.append(NewObservation(int(cursor.lastrowid or 0), stream))
            return int(cursor.lastrowid or 0)
        self.created["duplicate Observations"] += 1
        (stored,) = self.conn.execute(
            "SELECT id FROM sta_observations WHERE datastream_id = ? AND phenomenon_time = ? "
            "AND result_key = ?",
            (stream, columns["phenomenon_time"], columns["result_key"]),
        ).fetchone()
        return int(stored)

    def thing_feature(self, datastream_id: int, at: str) -> int:
        """The FeatureOfInterest of the Datastream's Thing's Location (10.2, special case 1)."""
        row = self.conn.execute(
            "SELECT tl.location_id FROM sta_datastreams d JOIN sta_thing_locations tl "
            "ON tl.thing_id = d.thing_id WHERE d.id = ? ORDER BY tl.location_id DESC LIMIT 1",
            (datastream_id,),
        ).fetchone()
        if row is None:
            raise InvalidRequestError(
                f"{at}: the Thing of Datastream({datastream_id}) has no Location, so the "
                "Observation needs a FeatureOfInterest",
                hint='Give "FeatureOfInterest" inline or as {"@iot.id": ID}, or give the Thing '
                "a Location.",
            )
        return self.location_feature(int(row[0]))

    def location_feature(self, location_id: int) -> int:
        """The FeatureOfInterest that is this Location, created when first needed."""
        if location_id not in self.features:
            row = self.conn.execute(
                "SELECT id FROM sta_features_of_interest WHERE location_id = ?", (location_id,)
            ).fetchone()
            if row is None:
                cursor = self.conn.execute(
                    "INSERT INTO sta_features_of_interest "
                    "(name, description, encoding_type, feature, location_id) "
                    "SELECT name, description, encoding_type, location, id FROM sta_locations "
                    "WHERE id = ?",
                    (location_id,),
                )
                self.created["FeaturesOfInterest"] += 1
                row = (cursor.lastrowid,)
            self.features[location_id] = int(row[0])
        return self.features[location_id]

    def link_location(self, thing_id: int, location_id: int) -> None:
        """Make ``location_id`` the Thing's current Location, with its HistoricalLocation."""
        current = self.conn.execute(
            "SELECT location_id FROM sta_thing_locations WHERE thing_id = ?", (thing_id,)
        ).fetchall()
        if current == [(location_id,)]:
            return
        self.conn.execute("DELETE FROM sta_thing_locations WHERE thing_id = ?", (thing_id,))
        self.conn.execute("INSERT INTO sta_thing_locations VALUES (?, ?)", (thing_id, location_id))
        self.insert(
            "HistoricalLocations",
            {
                "thing_id": thing_id,
                "location_id": location_id,
                "time": datetime.now(UTC).strftime(_ISO),
            },
        )
        self.location_feature(location_id)


class SensorThingsWrites:
    """SensorThings create, update and delete (mixed into :class:`EmbeddedStore`)."""

    def sta_create(self: StoreConnections, body: EntityBody, *, actor: str) -> Created:
        """Create an entity with everything inline in it (deep insert), all or nothing."""
        with self._transaction() as conn, _conflicts():
            create_schema(conn)
            writer = _Writer(conn, self._crs(conn))
            entity_id = writer.create(body)
            stored = writer.created[body.entity_set] > 0  # not: it equals a stored one
            target = f"{body.entity_set}({entity_id})"
            self._audit(conn, actor, "sta_create", target, {"created": dict(writer.created)})
        return Created(entity_id, stored, tuple(writer.observations))

    def sta_create_observations(
        self: StoreConnections, rows: Sequence[EntityBody | str], *, actor: str
    ) -> list[Created | str]:
        """Create Observations row by row in one transaction (CreateObservations, 14.4).

        A row is an Observation, or the reason why the request's row is none. A row that
        cannot be stored leaves no trace and gives its reason; the others are stored.
        """
        results: list[Created | str] = []
        with self._transaction() as conn:
            writer = _Writer(conn, self._crs(conn))
            for row in rows:
                before = len(writer.observations)
                try:
                    if isinstance(row, str):
                        raise InvalidRequestError(row)
                    with writer.savepoint(), _conflicts():
                        entity_id = writer.create(row)
                except InvalidRequestError as err:
                    results.append(err.message)
                    continue
                new = tuple(writer.observations[before:])
                results.append(Created(entity_id, bool(new), new))
            failed = [r for r in results if isinstance(r, str)]
            detail = {"created": dict(writer.created), "failed": len(failed), "reasons": failed[:5]}
            self._audit(conn, actor, "sta_create_observations", "Observations", detail)
        return results

    def sta_update(self: StoreConnections, entity_id: int, body: EntityBody, *, actor: str) -> None:
        """Change only the given properties and links of one entity (PATCH, 10.3)."""
        table = TABLES[body.entity_set]
        with self._transaction() as conn, _conflicts():
            writer = _Writer(conn, self._crs(conn))
            if not writer.exists(body.entity_set, entity_id):
                raise UnknownFeatureError(f"there is no {body.entity_set}({entity_id})")
            columns = dict(body.columns)
            for nav, item in body.links.items():
                columns[LINK_COLUMNS[body.entity_set, nav]] = writer.resolve(item)
            columns = writer.derived(body.entity_set, columns, body.at)
            if columns:
                assignments = ", ".join(f"{name} = ?" for name in columns)
                conn.execute(
                    f"UPDATE {table} SET {assignments} WHERE id = ?", [*columns.values(), entity_id]
                )
            if body.entity_set == "Locations":  # the Location's FeatureOfInterest follows it
                conn.execute(
                    "UPDATE sta_features_of_interest SET (name, description, encoding_type, "
                    "feature) = (SELECT name, description, encoding_type, location FROM "
                    "sta_locations WHERE id = ?) WHERE location_id = ?",
                    (entity_id, entity_id),
                )
            writer.link(body.entity_set, entity_id, body.collections)
            changed = sorted([*body.columns, *body.links, *body.collections])
            target = f"{body.entity_set}({entity_id})"
            self._audit(conn, actor, "sta_update", target, {"changed": changed})

    def sta_delete(
        self: StoreConnections, entity_set: str, entity_id: int, *, actor: str
    ) -> dict[str, int]:
        """Delete an entity and what depends on it (10.4); return how many of each went."""
        deleted: Counter[str] = Counter()
        with self._transaction() as conn:

            def run(what: str, sql: str) -> None:
                deleted[what] += conn.execute(sql, (entity_id,)).rowcount

            if (
                conn.execute(
                    f"SELECT 1 FROM {TABLES[entity_set]} WHERE id = ?", (entity_id,)
                ).fetchone()
                is None
            ):
                raise UnknownFeatureError(f"there is no {entity_set}({entity_id})")
            owner = _STREAM_OWNERS.get(entity_set)
            if owner is not None:
                streams = f"SELECT id FROM sta_datastreams WHERE {owner} = ?"
                run(
                    "Observations",
                    f"DELETE FROM sta_observations WHERE datastream_id IN ({streams})",
                )
                run("Datastreams", f"DELETE FROM sta_datastreams WHERE {owner} = ?")
            if entity_set == "Datastreams":
                run("Observations", "DELETE FROM sta_observations WHERE datastream_id = ?")
            if entity_set == "FeaturesOfInterest":
                run("Observations", "DELETE FROM sta_observations WHERE foi_id = ?")
            if entity_set in ("Things", "Locations"):
                column = "thing_id" if entity_set == "Things" else "location_id"
                run(
                    "HistoricalLocations",
                    f"DELETE FROM sta_historical_locations WHERE {column} = ?",
                )
                run("links", f"DELETE FROM sta_thing_locations WHERE {column} = ?")
            if entity_set == "Locations":  # its FeatureOfInterest stays with its Observations
                run(
                    "links",
                    "UPDATE sta_features_of_interest SET location_id = NULL WHERE location_id = ?",
                )
            run(entity_set, f"DELETE FROM {TABLES[entity_set]} WHERE id = ?")
            counts = {what: n for what, n in deleted.items() if n and what != "links"}
            self._audit(
                conn, actor, "sta_delete", f"{entity_set}({entity_id})", {"deleted": counts}
            )
        return counts
