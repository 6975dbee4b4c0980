"""The SensorThings entity sets as SQL: tables, properties, navigation and visibility.

One table-driven description serves every request shape (collections, single entities,
navigation, ``$select``, ``$orderby``, ``$expand``), so that adding an entity set or a
property is one entry here rather than new endpoint code. ``{a}`` in an expression is the
alias of the entity's own table, ``{p}`` that of the parent in a navigation.

A caller sees the datastreams whose classification their role may read
(:func:`twin.access.sensor_classifications`), with everything reachable from them: each
entity's ``visible`` condition names those classifications as ``{shown}``
(:func:`visible_sql`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from twin.config import Classification


@dataclass(frozen=True)
class Navigation:
    """A navigation property: the target set, one or many, and the join to the parent."""

    target: str
    single: bool
    join: str


@dataclass(frozen=True)
class Entity:
    """One entity set and how it is stored."""

    name: str
    table: str
    properties: dict[str, str]
    navigation: dict[str, Navigation]
    visible: str
    json_properties: frozenset[str] = frozenset()
    filter_columns: dict[str, str] = field(default_factory=dict)

    def column(self, prop: str) -> str:
        """SQL expression of a property for filtering and ordering."""
        return self.filter_columns.get(prop) or self.properties[prop]


_SHOWN_DATASTREAM = "d.classification IN ({shown})"

ENTITIES: dict[str, Entity] = {
    "Things": Entity(
        "Things",
        "sta_things",
        {"name": "{a}.name", "description": "{a}.description", "properties": "{a}.properties"},
        {
            "Locations": Navigation(
                "Locations",
                False,
                "EXISTS (SELECT 1 FROM sta_thing_locations tl WHERE tl.location_id = {a}.id "
                "AND tl.thing_id = {p}.id)",
            ),
            "HistoricalLocations": Navigation(
                "HistoricalLocations", False, "{a}.thing_id = {p}.id"
            ),
            "Datastreams": Navigation("Datastreams", False, "{a}.thing_id = {p}.id"),
        },
        f"EXISTS (SELECT 1 FROM sta_datastreams d WHERE d.thing_id = {{a}}.id AND {_SHOWN_DATASTREAM})",
        frozenset({"properties"}),
    ),
    "Locations": Entity(
        "Locations",
        "sta_locations",
        {
            "name": "{a}.name",
            "description": "{a}.description",
            "encodingType": "{a}.encoding_type",
            "location": "{a}.location",
        },
        {
            "Things": Navigation(
                "Things",
                False,
                "EXISTS (SELECT 1 FROM sta_thing_locations tl WHERE tl.thing_id = {a}.id "
                "AND tl.location_id = {p}.id)",
            ),
            "HistoricalLocations": Navigation(
                "HistoricalLocations", False, "{a}.location_id = {p}.id"
            ),
        },
        "EXISTS (SELECT 1 FROM sta_thing_locations tl JOIN sta_datastreams d ON d.thing_id = "
        f"tl.thing_id WHERE tl.location_id = {{a}}.id AND {_SHOWN_DATASTREAM})",
        frozenset({"location"}),
    ),
    "HistoricalLocations": Entity(
        "HistoricalLocations",
        "sta_historical_locations",
        {"time": "{a}.time"},
        {
            "Thing": Navigation("Things", True, "{a}.id = {p}.thing_id"),
            "Locations": Navigation("Locations", False, "{a}.id = {p}.location_id"),
        },
        f"EXISTS (SELECT 1 FROM sta_datastreams d WHERE d.thing_id = {{a}}.thing_id AND {_SHOWN_DATASTREAM})",
    ),
    "Datastreams": Entity(
        "Datastreams",
        "sta_datastreams",
        {
            "name": "{a}.name",
            "description": "{a}.description",
            "observationType": "{a}.observation_type",
            "unitOfMeasurement": "json_object('name', {a}.unit_name, 'symbol', {a}.unit_symbol, "
            "'definition', {a}.unit_definition)",
            "properties": "{a}.properties",
        },
        {
            "Thing": Navigation("Things", True, "{a}.id = {p}.thing_id"),
            "Sensor": Navigation("Sensors", True, "{a}.id = {p}.sensor_id"),
            "ObservedProperty": Navigation(
                "ObservedProperties", True, "{a}.id = {p}.observed_property_id"
            ),
            "Observations": Navigation("Observations", False, "{a}.datastream_id = {p}.id"),
        },
        "{a}.classification IN ({shown})",
        frozenset({"unitOfMeasurement", "properties"}),
    ),
    "Sensors": Entity(
        "Sensors",
        "sta_sensors",
        {
            "name": "{a}.name",
            "description": "{a}.description",
            "encodingType": "{a}.encoding_type",
            "metadata": "{a}.metadata",
        },
        {"Datastreams": Navigation("Datastreams", False, "{a}.sensor_id = {p}.id")},
        f"EXISTS (SELECT 1 FROM sta_datastreams d WHERE d.sensor_id = {{a}}.id AND {_SHOWN_DATASTREAM})",
    ),
    "ObservedProperties": Entity(
        "ObservedProperties",
        "sta_observed_properties",
        {"name": "{a}.name", "definition": "{a}.definition", "description": "{a}.description"},
        {"Datastreams": Navigation("Datastreams", False, "{a}.observed_property_id = {p}.id")},
        "EXISTS (SELECT 1 FROM sta_datastreams d WHERE d.observed_property_id = {a}.id AND "
        f"{_SHOWN_DATASTREAM})",
    ),
    "Observations": Entity(
        "Observations",
        "sta_observations",
        {
            "phenomenonTime": "{a}.phenomenon_time",
            "resultTime": "{a}.result_time",
            "result": "{a}.result_key",
            "resultQuality": "{a}.result_quality",
            "parameters": "{a}.parameters",
        },
        {
            "Datastream": Navigation("Datastreams", True, "{a}.id = {p}.datastream_id"),
            "FeatureOfInterest": Navigation("FeaturesOfInterest", True, "{a}.id = {p}.foi_id"),
        },
        # unary + keeps SQLite from choosing the (datastream, time) index for this term, so
        # that queries across all datastreams can walk the time index and stop early
        f"+{{a}}.datastream_id IN (SELECT d.id FROM sta_datastreams d WHERE {_SHOWN_DATASTREAM})",
        frozenset({"result", "parameters"}),
        {"result": "{a}.result"},
    ),
    "FeaturesOfInterest": Entity(
        "FeaturesOfInterest",
        "sta_features_of_interest",
        {
            "name": "{a}.name",
            "description": "{a}.description",
            "encodingType": "{a}.encoding_type",
            "feature": "{a}.feature",
        },
        {"Observations": Navigation("Observations", False, "{a}.foi_id = {p}.id")},
        "EXISTS (SELECT 1 FROM sta_thing_locations tl JOIN sta_datastreams d ON d.thing_id = "
        f"tl.thing_id WHERE tl.location_id = {{a}}.location_id AND {_SHOWN_DATASTREAM})",
        frozenset({"feature"}),
    ),
}


def visible_sql(entity: Entity, alias: str, shown: Iterable[Classification] | None) -> str:
    """The condition that keeps ``entity`` to what datastreams of ``shown`` reach.

    ``None`` restricts nothing (an editor reading back what they wrote, even a Thing
    without datastreams). The classifications are members of a closed enumeration, so
    quoting them into the SQL cannot inject anything; an empty set shows nothing.
    """
    if shown is None:
        return "1"
    names = sorted(Classification(c).value for c in shown)
    listed = ", ".join(f"'{name}'" for name in names) or "NULL"
    return entity.visible.format(a=alias, shown=listed)
