"""Sensors fused into the twin: alert rules on the newest observations, and the live layer.

A rule (``[[alerts]]`` in the config) fires for a datastream when its condition has held
for at least ``for_hours`` up to the newest observation: e.g. soil moisture below 12 vol-%
for 24 h means a street tree needs watering. It closes by itself (actor ``system``) when
the newest value is back in range; people acknowledge or close alerts in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from twin.catalogue import CatalogueEntry
from twin.config import AlertRule, Classification, LayerKind, LocalText, MunicipalityConfig
from twin.store.base import DatastreamRecord, TwinStore

SYSTEM = "system"
_WINDOW_MARGIN = timedelta(hours=48)


@dataclass(frozen=True)
class AlertChanges:
    """What one evaluation did."""

    opened: list[int]
    closed: list[int]


def _applies(rule: AlertRule, record: DatastreamRecord) -> bool:
    return record.key in rule.sensors or record.kind in rule.kinds


def condition_held(rule: AlertRule, times: np.ndarray, values: np.ndarray) -> bool:
    """Whether the rule's condition holds at the newest time and has held ``for_hours``.

    ``times`` are ascending datetimes, ``values`` numbers. The condition has held since the
    first observation after the last one that did not meet it.
    """
    if len(values) == 0:
        return False
    meets = _meets(rule, values)
    if not meets[-1]:
        return False
    broken = np.flatnonzero(~meets)
    since = times[broken[-1] + 1] if len(broken) else times[0]
    return bool((times[-1] - since) >= np.timedelta64(int(rule.for_hours * 3600), "s"))


def evaluate_alerts(
    config: MunicipalityConfig, store: TwinStore, *, datastreams: set[int] | None = None
) -> AlertChanges:
    """Open and close alerts for the given datastreams (default: all) from their newest data."""
    opened, closed = [], []
    active = {(a.rule, a.datastream_id): a.id for a in store.alerts(active_only=True)}
    records = [r for r in store.datastreams() if datastreams is None or r.id in datastreams]
    for rule in config.alerts:
        for record in records:
            if not _applies(rule, record) or record.last is None:
                continue
            observed_at = record.last
            last = datetime.fromisoformat(observed_at.replace("Z", "+00:00"))
            frame = store.observations(
                record.id, start=last - timedelta(hours=rule.for_hours) - _WINDOW_MARGIN
            )
            times = frame["phenomenon_time"].dt.tz_convert(None).to_numpy()
            values = frame["result"].to_numpy(dtype=float)
            firing = condition_held(rule, times, values)
            key = (rule.name.de, record.id)
            if firing and key not in active:
                threshold = f"< {rule.below}" if rule.below is not None else f"> {rule.above}"
                message = (
                    f"{rule.name.de} / {rule.name.get('en')}: {record.name} = {values[-1]:g} {record.unit} "
                    f"({threshold} for ≥ {rule.for_hours:g} h)"
                )
                alert = store.open_alert(
                    rule.name.de,
                    record.id,
                    observed_at=observed_at,
                    value=float(values[-1]),
                    message=message,
                    actor=SYSTEM,
                )
                if alert is not None:
                    opened.append(alert)
            elif not firing and key in active and values.size and not _meets(rule, values[-1:])[0]:
                store.change_alert(
                    active[key], "closed", actor=SYSTEM, note=f"value back in range: {values[-1]:g}"
                )
                closed.append(active[key])
    return AlertChanges(opened, closed)


def _meets(rule: AlertRule, values: np.ndarray) -> np.ndarray:
    """Tell, value by value, whether the rule's condition is met."""
    if rule.below is not None:
        return values < rule.below
    return values > (rule.above if rule.above is not None else np.inf)


LIVE_LAYER = "sensors_live"


def refresh_live_layer(store: TwinStore, *, actor: str) -> int:
    """Write the live-state layer: each public sensor's newest value, time and QA flag.

    It is an ordinary vector layer of the store (served as an OGC API Features collection,
    readable in QGIS), rewritten atomically; only ``public`` datastreams appear in it.
    Returns the number of sensors in the layer.
    """
    sites = store.read_sql(
        "SELECT d.id AS datastream_id, d.key, d.name, d.kind, d.unit_symbol AS unit, d.feature, "
        "l.x, l.y FROM sta_datastreams d JOIN sta_thing_locations tl ON tl.thing_id = d.thing_id "
        "JOIN sta_locations l ON l.id = tl.location_id WHERE d.classification = 'public' "
        "ORDER BY d.key",
        [],
    )
    if not sites:
        return 0
    latest = store.latest().set_index("datastream_id")
    frame = gpd.GeoDataFrame(
        {
            "feature_id": [s["key"] for s in sites],
            "name": [s["name"] for s in sites],
            "kind": [s["kind"] for s in sites],
            "value": [latest["result"].get(s["datastream_id"]) for s in sites],
            "unit": [s["unit"] for s in sites],
            "time": pd.to_datetime(
                [latest["phenomenon_time"].get(s["datastream_id"]) for s in sites], utc=True
            ),
            "quality": [latest["quality"].get(s["datastream_id"]) for s in sites],
            "feature": [s["feature"] for s in sites],
            "datastream": [f"Datastreams({s['datastream_id']})" for s in sites],
        },
        geometry=shapely.points([(s["x"], s["y"]) for s in sites]),
        crs=store.municipality().crs,
    )
    times = frame["time"].dropna()
    iso = "%Y-%m-%dT%H:%M:%SZ"
    entry = CatalogueEntry(
        name=LIVE_LAYER,
        title=LocalText(de="Sensoren (aktuelle Werte)", en="Sensors (latest values)"),
        kind=LayerKind.VECTOR,
        classification=Classification.PUBLIC,
        owner="Digitaler Zwilling (automatisch aus den Sensordaten)",
        licence="wie die Datenströme / as the datastreams",
        source="SensorThings Datastreams of this twin",
        source_file="sta_observations",
        checksum="-",
        imported_at=datetime.now(UTC),
        imported_by=actor,
        feature_count=len(frame),
        bbox=tuple(float(v) for v in frame.total_bounds),
        geometry_type="Point",
        time_field="time",
        time_extent=(times.min().strftime(iso), times.max().strftime(iso)) if len(times) else None,
    )
    store.write_layer(entry, frame, actor=actor)
    return len(frame)
