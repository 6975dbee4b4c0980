"""Quality control of sensor observations: flags stored with the data, never deletions.

A planner must be able to trust a heat map built on sensor values, and an administrator
must see which sensor needs a technician. So every observation gets a flag (``ok`` or a
comma-separated list of problems) and every sensor a health summary; nothing is ever
removed, because a "spike" may be a real event someone wants to look at.

Checks, per observed property (:data:`DEFAULT_RULES`, overridable):

- ``out_of_range``: outside the physically plausible range;
- ``spike``: further than ``max_step`` from the median of its neighbours (centred window of
  5), so one wild value is caught but a real, lasting step is not;
- ``flat_line``: part of a run of identical values (within ``flat_tolerance``) lasting
  ``flat_line_hours`` or more: a stuck sensor;
- ``missing_value``: no number at all.

Examples
--------
>>> times = pd.Series(pd.date_range("2025-07-01", periods=5, freq="h", tz="UTC"))
>>> check(times, pd.Series([20.0, 20.5, 35.0, 21.0, 21.2]), DEFAULT_RULES["air_temperature"]).tolist()
['ok', 'ok', 'spike', 'ok', 'ok']
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field


class QAFlag(StrEnum):
    """Problems an observation can have."""

    OK = "ok"
    OUT_OF_RANGE = "out_of_range"
    SPIKE = "spike"
    FLAT_LINE = "flat_line"
    MISSING_VALUE = "missing_value"


class QARules(BaseModel):
    """Plausibility rules of one observed property."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    minimum: float
    maximum: float
    max_step: float | None = Field(None, gt=0, description="Spike threshold; None disables.")
    flat_line_hours: float | None = Field(
        None, gt=0, description="Stuck-sensor span; None disables."
    )
    flat_tolerance: float = Field(0.0, ge=0)
    ignore_flat_value: float | None = Field(
        None, description="A value that may legitimately repeat (0 cyclists at night)."
    )
    expected_interval: timedelta = timedelta(hours=1)
    stale_after: float = Field(3.0, gt=0, description="Stale after this many expected intervals.")


DEFAULT_RULES: dict[str, QARules] = {
    # −30…50 °C spans every air temperature measured in Germany (record 41.2 °C, −45.9 °C
    # at altitude, not in towns); 6 K off the neighbours within an hour is not weather;
    # outdoor air is never constant to 0.01 K for 6 h.
    "air_temperature": QARules(
        minimum=-30, maximum=50, max_step=6, flat_line_hours=6, flat_tolerance=0.01
    ),
    # volumetric water content cannot exceed a saturated soil's porosity (~60 %); 15 %
    # jumps between neighbours are wiring faults (rain raises it over hours); a real
    # probe drifts at least slightly in 24 h.
    "soil_moisture": QARules(
        minimum=0, maximum=60, max_step=15, flat_line_hours=24, flat_tolerance=0.01
    ),
    # a small river's gauge: 0…10 m; 50 cm between neighbouring hourly readings is a
    # glitch, not a flood wave (those rise over hours).
    "water_level": QARules(minimum=0, maximum=1000, max_step=50, flat_line_hours=48),
    # counts are ≥ 0 and a single loop hardly sees more than 2,000 bicycles per hour;
    # zero may repeat all night, other repeated counts for 6 h mean a stuck counter.
    "bicycle_counter": QARules(minimum=0, maximum=2000, flat_line_hours=6, ignore_flat_value=0),
    "other": QARules(minimum=-1e12, maximum=1e12),
}


def _flat_runs(times: pd.Series, values: pd.Series, rules: QARules) -> pd.Series:
    """True for values inside a run of repeats that lasts at least ``flat_line_hours``."""
    assert rules.flat_line_hours is not None
    changed = values.diff().abs().gt(rules.flat_tolerance) | values.isna()
    run = changed.cumsum()
    span = times.groupby(run).transform("max") - times.groupby(run).transform("min")
    flat = span >= pd.Timedelta(hours=rules.flat_line_hours)
    if rules.ignore_flat_value is not None:
        flat &= values.ne(rules.ignore_flat_value)
    return flat & values.notna()


def check(times: pd.Series, values: pd.Series, rules: QARules) -> pd.Series:
    """Flags for each observation (aligned to ``values``' index), checked in time order."""
    order = pd.to_datetime(times, utc=True).sort_values(kind="stable").index
    t = pd.to_datetime(times, utc=True).loc[order]
    v = pd.to_numeric(values, errors="coerce").loc[order].astype(float)
    problems = {
        QAFlag.MISSING_VALUE: v.isna(),
        QAFlag.OUT_OF_RANGE: (v < rules.minimum) | (v > rules.maximum),
    }
    if rules.max_step is not None:
        median = v.rolling(5, center=True, min_periods=3).median()
        problems[QAFlag.SPIKE] = (v - median).abs() > rules.max_step
    if rules.flat_line_hours is not None:
        problems[QAFlag.FLAT_LINE] = _flat_runs(t, v, rules)
    flags = pd.Series("", index=order, dtype=object)
    for flag, mask in problems.items():
        flags = flags.where(~mask.fillna(False), flags + "," + flag.value)
    flags = flags.str.lstrip(",").replace("", QAFlag.OK.value)
    return flags.loc[values.index]


class SensorHealth(BaseModel):
    """How a sensor is doing, for the administration view."""

    status: str = Field(description="ok | degraded | stale | no_data")
    observations: int
    last: datetime | None
    flagged_share: dict[str, float]
    message_de: str
    message_en: str


def health(
    times: pd.Series,
    flags: pd.Series,
    rules: QARules,
    *,
    now: datetime,
    degraded_share: float = 0.05,
) -> SensorHealth:
    """Summarise a sensor's state for the administration view.

    It is stale when silent for ``stale_after`` expected intervals, degraded when more than
    ``degraded_share`` of its observations are flagged.
    """
    if len(times) == 0:
        return SensorHealth(
            status="no_data",
            observations=0,
            last=None,
            flagged_share={},
            message_de="Noch keine Messwerte.",
            message_en="No observations yet.",
        )
    last = pd.to_datetime(times, utc=True).max().to_pydatetime()
    shares = {
        flag.value: float(flags.str.contains(flag.value, regex=False).mean())
        for flag in QAFlag
        if flag is not QAFlag.OK
    }
    silent = now - last
    if silent > rules.expected_interval * rules.stale_after:
        hours = silent.total_seconds() / 3600
        status = "stale"
        if hours < 48:
            de, en = f"Seit {hours:.0f} h keine Daten.", f"No data for {hours:.0f} h."
        else:
            de, en = (
                f"Seit {hours / 24:.0f} Tagen keine Daten.",
                f"No data for {hours / 24:.0f} days.",
            )
    elif sum(shares.values()) > degraded_share:
        worst = max(shares, key=lambda k: shares[k])
        status = "degraded"
        de = f"{shares[worst]:.0%} der Werte auffällig ({worst})."
        en = f"{shares[worst]:.0%} of values flagged ({worst})."
    else:
        status, de, en = "ok", "Liefert plausible Werte.", "Delivering plausible values."
    return SensorHealth(
        status=status,
        observations=len(times),
        last=last,
        flagged_share=shares,
        message_de=de,
        message_en=en,
    )
