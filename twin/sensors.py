"""A municipality's sensors in its twin: register the configured sites, load their history.

The config's ``[[sensors]]`` entries become SensorThings Things with a Location and one
Datastream each (idempotently, keyed by the sensor's id), and a ``history`` CSV, if given,
is loaded as observations. Re-running it stores nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from layers.sensors.csv import convert_units, read_dwd_daily, read_observations
from layers.sensors.mqtt import DEFAULT_FIELD, DeviceRoute, Router
from twin.config import MunicipalityConfig, SensorConfig
from twin.errors import UnknownFeatureError
from twin.store.base import DatastreamRecord, InsertCount, SensorSite, TwinStore


@dataclass(frozen=True)
class SensorImport:
    """What registering one configured sensor did."""

    key: str
    datastream_id: int
    history: InsertCount | None


def site(sensor: SensorConfig) -> SensorSite:
    """The store's view of a configured sensor."""
    return SensorSite(
        key=sensor.id,
        name=sensor.name,
        kind=sensor.kind,
        x=sensor.location[0],
        y=sensor.location[1],
        unit=sensor.unit,
        classification=sensor.classification.value,
        reference=sensor.reference,
        feature=sensor.feature,
    )


def register_sensor(
    config: MunicipalityConfig, store: TwinStore, sensor: SensorConfig, *, actor: str
) -> SensorImport:
    """Register one configured sensor and load its ``history`` CSV if it has one."""
    datastream_id = store.register_sensor(site(sensor), actor=actor)
    history = None
    if sensor.history is not None:
        frame = read_observations(
            config.resolve(sensor.history), unit=sensor.unit, expected_unit=sensor.unit
        )
        history = store.add_observations(datastream_id, frame, actor=actor)
    return SensorImport(sensor.id, datastream_id, history)


def datastream(store: TwinStore, key: str) -> DatastreamRecord:
    """The datastream of the sensor with config id ``key``."""
    streams = store.datastreams()
    for record in streams:
        if record.key == key:
            return record
    raise UnknownFeatureError(
        f"no sensor {key!r} is registered",
        hint="Add it to the config's [[sensors]] and run `twin import SLUG`; registered: "
        + (", ".join(r.key for r in streams) or "none"),
    )


def import_csv(
    store: TwinStore,
    key: str,
    path: Path,
    *,
    actor: str,
    unit: str | None = None,
    dwd_element: str | None = None,
    time_column: str = "time",
    value_column: str = "value",
) -> InsertCount:
    """Load a CSV (plain ``time,value`` or a DWD daily file) into sensor ``key``'s datastream."""
    record = datastream(store, key)
    if dwd_element:
        series = read_dwd_daily(path, element=dwd_element)

        frame = series.observations.assign(
            result=convert_units(
                series.observations["result"],
                unit=series.unit,
                expected_unit=record.unit,
                source=path.name,
            )
        )
    else:
        frame = read_observations(
            path,
            unit=unit or record.unit,
            expected_unit=record.unit,
            time_column=time_column,
            value_column=value_column,
        )
    return store.add_observations(record.id, frame, actor=actor)


def live_router(config: MunicipalityConfig, store: TwinStore) -> Router:
    """Route live messages of the config's LoRaWAN devices to their datastreams."""
    keys = {record.key: record.id for record in store.datastreams()}
    devices: dict[str, list[DeviceRoute]] = {}
    for sensor in config.sensors:
        if sensor.device is None or sensor.id not in keys:
            continue
        field = sensor.field or DEFAULT_FIELD.get(sensor.kind, "value")
        devices.setdefault(sensor.device, []).append(
            DeviceRoute(keys[sensor.id], sensor.profile, field)
        )
    return Router(devices, keys.values())
