"""A municipality's sensors in its twin: register the configured sites, load their history.

The config's ``[[sensors]]`` entries become SensorThings Things with a Location and one
Datastream each (idempotently, keyed by the sensor's id), and a ``history`` CSV, if given,
is loaded as observations. Re-running it stores nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import shapely

from layers.sensors.csv import convert_units, read_dwd_daily, read_observations
from layers.sensors.mqtt import DEFAULT_FIELD, DeviceRoute, Router
from layers.sensors.qa import QARules, SensorHealth, check, health, rules_for_kind
from twin.config import MunicipalityConfig, SensorConfig
from twin.errors import LayerValidationError, UnknownFeatureError
from twin.store.base import (
    DatastreamRecord,
    InsertCount,
    SensorSite,
    StoredObservation,
    TwinStore,
)

QA_MARGIN = timedelta(hours=48)
"""Older observations re-checked after new ones arrive: neighbours and stuck runs span hours."""


@dataclass(frozen=True)
class SensorImport:
    """What registering one configured sensor did."""

    key: str
    datastream_id: int
    history: InsertCount | None


def linked_feature(store: TwinStore, sensor: SensorConfig) -> str | None:
    """Resolve the sensor's ``feature`` link; ``layer/nearest`` becomes ``layer/<id>``.

    The nearest feature must lie within ``link_distance`` metres; otherwise the link is
    refused with a message, because a tree sensor attached to the wrong tree is worse than
    none.
    """
    if sensor.feature is None or not sensor.feature.endswith("/nearest"):
        return sensor.feature
    layer = sensor.feature.removesuffix("/nearest")
    x, y = sensor.location
    d = sensor.link_distance
    candidates = store.read_features(layer, bbox=(x - d, y - d, x + d, y + d)).frame
    if candidates.empty:
        raise LayerValidationError(
            f"sensor {sensor.id!r}: no feature of layer {layer!r} within {d:g} m of {x:.1f}, {y:.1f}",
            hint="Check the sensor's location, raise link_distance, or give feature = 'layer/id'.",
        )
    distances = candidates.distance(shapely.Point(x, y))
    nearest = candidates.loc[distances.idxmin()]
    if distances.min() > d:
        raise LayerValidationError(
            f"sensor {sensor.id!r}: the nearest feature of {layer!r} is {distances.min():.1f} m away (> {d:g} m)",
            hint="Check the sensor's location, raise link_distance, or give feature = 'layer/id'.",
        )
    return f"{layer}/{nearest['feature_id']}"


def site(sensor: SensorConfig, *, feature: str | None = None) -> SensorSite:
    """The store's view of a configured sensor (``feature``: the resolved link)."""
    return SensorSite(
        key=sensor.id,
        name=sensor.name,
        kind=sensor.kind,
        x=sensor.location[0],
        y=sensor.location[1],
        unit=sensor.unit,
        classification=sensor.classification.value,
        reference=sensor.reference,
        feature=feature if feature is not None else sensor.feature,
    )


def register_sensor(
    config: MunicipalityConfig, store: TwinStore, sensor: SensorConfig, *, actor: str
) -> SensorImport:
    """Register one configured sensor and load its ``history`` CSV if it has one."""
    datastream_id = store.register_sensor(
        site(sensor, feature=linked_feature(store, sensor)), actor=actor
    )
    history = None
    if sensor.history is not None:
        frame = read_observations(
            config.resolve(sensor.history), unit=sensor.unit, expected_unit=sensor.unit
        )
        history = store.add_observations(datastream_id, frame, actor=actor)
        record = datastream(store, sensor.id)
        check_quality(store, record, actor=actor, rules=rules_for(config, record))
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
    config: MunicipalityConfig | None = None,
    announce: Callable[[tuple[StoredObservation, ...]], object] | None = None,
) -> InsertCount:
    """Load a CSV (plain ``time,value`` or a DWD daily file) into sensor ``key``'s datastream.

    With ``config``, the sensor's own QA rules (``qa``) flag the new observations.
    ``announce`` gets the observations the import stored, once they are committed (e.g.
    :func:`layers.sensors.publish.announce`); a repeated import stores and gives none.
    """
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
    count, stored = store.insert_observations(record.id, frame, actor=actor)
    if announce is not None and stored:
        announce(stored)
    check_quality(
        store,
        record,
        since=frame["phenomenon_time"].min().to_pydatetime(),
        actor=actor,
        rules=rules_for(config, record),
    )
    return count


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


def rules_for(config: MunicipalityConfig | None, record: DatastreamRecord) -> QARules:
    """QA rules of a datastream: its kind's, with its ``[[sensors]] qa`` overrides if any."""
    sensor = next((s for s in config.sensors if s.id == record.key), None) if config else None
    return rules_for_kind(record.kind, sensor.qa.overrides() if sensor and sensor.qa else None)


def check_quality(
    store: TwinStore,
    record: DatastreamRecord,
    *,
    since: datetime | None = None,
    actor: str,
    rules: QARules | None = None,
) -> int:
    """Flag a datastream's observations with :func:`layers.sensors.qa.check`.

    Checks those from ``since`` (with a margin, since spikes and stuck runs are judged by
    their neighbours) with ``rules`` (default: the kind's), stores the flags that
    changed and returns how many did.
    """
    start = since - QA_MARGIN if since is not None else None
    frame = store.observations(record.id, start=start)
    if frame.empty:
        return 0
    flags = check(frame["phenomenon_time"], frame["result"], rules or rules_for(None, record))
    changed = flags != frame["quality"]
    store.set_quality(
        dict(zip(frame.loc[changed, "id"].astype(int), flags[changed], strict=True)), actor=actor
    )
    return int(changed.sum())


def sensor_health(
    store: TwinStore, *, now: datetime, config: MunicipalityConfig | None = None
) -> list[tuple[DatastreamRecord, SensorHealth]]:
    """Health of every datastream from its stored observations and flags.

    With ``config``, each sensor's own expected interval and rules count (``qa``).
    """
    out = []
    for record in store.datastreams():
        frame = store.observations(record.id)
        rules = rules_for(config, record)
        out.append((record, health(frame["phenomenon_time"], frame["quality"], rules, now=now)))
    return out


def after_batch(
    config: MunicipalityConfig, store: TwinStore, datastream_ids: set[int], *, actor: str
) -> None:
    """What follows new live data: quality flags, alert rules, the live-state layer."""
    from twin.fusion import evaluate_alerts, refresh_live_layer

    since = datetime.now(UTC) - QA_MARGIN
    for record in store.datastreams():
        if record.id in datastream_ids:
            check_quality(store, record, since=since, actor=actor, rules=rules_for(config, record))
    evaluate_alerts(config, store, datastreams=datastream_ids)
    refresh_live_layer(store, actor=actor)
