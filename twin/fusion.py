"""Sensors fused into the twin: alert rules evaluated on the latest observations.

A rule (``[[alerts]]`` in the config) fires for a datastream when its condition has held
for at least ``for_hours`` up to the newest observation: e.g. soil moisture below 12 vol-%
for 24 h means a street tree needs watering. It closes by itself (actor ``system``) when
the newest value is back in range; people acknowledge or close alerts in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from twin.config import AlertRule, MunicipalityConfig
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
