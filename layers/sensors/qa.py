"""Quality control of sensor observations: flags stored with the data, never deletions.

A planner must be able to trust a heat map built on sensor values, and an administrator
must see which sensor needs a technician. So every observation gets a flag (``ok`` or a
comma-separated list of problems) and every sensor a health summary. Nothing is ever
removed, because a "spike" may be a real event someone wants to look at, and a rule that
turns out too strict can be re-run over the untouched values.

Checks, per observed property (:data:`DEFAULT_RULES`, overridable with :class:`QARules`):

- ``missing_value``: no number at all (empty, NaN, text);
- ``out_of_range``: outside the physically plausible range;
- ``spike``: further than ``max_step`` from the median of its neighbours in time (a
  centred window of ``spike_window`` expected intervals), so one wild value is caught but
  a real, lasting step is not;
- ``flat_line``: part of a run of repeated values (within ``flat_tolerance`` from one
  reading to the next) that lasts ``flat_line_hours`` or more: a stuck sensor.

Examples
--------
>>> times = pd.Series(pd.date_range("2025-07-01", periods=5, freq="h", tz="UTC"))
>>> values = pd.Series([20.0, 20.5, 35.0, 21.0, 21.2])
>>> check(times, values, DEFAULT_RULES["air_temperature"]).tolist()
['ok', 'ok', 'spike', 'ok', 'ok']
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from twin.errors import InvalidRequestError, LayerValidationError

logger = logging.getLogger(__name__)

SEPARATOR = ","
"""Separator of several flags in one stored text (``"spike,flat_line"``)."""


class QAFlag(StrEnum):
    """Problems an observation can have; ``ok`` when it has none.

    The values are what is stored with each observation, so they are short, stable,
    English and free of the separator.
    """

    OK = "ok"
    OUT_OF_RANGE = "out_of_range"
    SPIKE = "spike"
    FLAT_LINE = "flat_line"
    MISSING_VALUE = "missing_value"


def combine_flags(flags: Iterable[QAFlag | str]) -> str:
    """Combine several flags into the one text stored with an observation.

    The order is that of :class:`QAFlag`, duplicates and ``ok`` are dropped, so equal sets
    of problems always give equal texts (and a changed flag is a changed text).

    Parameters
    ----------
    flags
        Flags or their values; unknown texts are rejected.

    Returns
    -------
    str
        ``"ok"`` when there is no problem, else e.g. ``"spike,flat_line"``.

    Raises
    ------
    ValueError
        For a text that is no :class:`QAFlag`.

    Examples
    --------
    >>> combine_flags([QAFlag.FLAT_LINE, "spike", QAFlag.OK])
    'spike,flat_line'
    >>> combine_flags([])
    'ok'
    """
    present = {QAFlag(flag) for flag in flags} - {QAFlag.OK}
    return SEPARATOR.join(flag.value for flag in QAFlag if flag in present) or QAFlag.OK.value


def split_flags(text: str) -> frozenset[QAFlag]:
    """The problems in a stored flag text (empty for ``"ok"``); inverse of :func:`combine_flags`.

    Examples
    --------
    >>> sorted(split_flags("spike,flat_line"))
    [<QAFlag.FLAT_LINE: 'flat_line'>, <QAFlag.SPIKE: 'spike'>]
    """
    parts = (part.strip() for part in text.split(SEPARATOR))
    return frozenset(QAFlag(part) for part in parts if part) - {QAFlag.OK}


class QARules(BaseModel):
    """Plausibility rules of one observed property; calling them flags a series.

    Parameters
    ----------
    minimum, maximum
        Physically plausible range (inclusive), in the sensor's unit.
    max_step
        Spike threshold: largest plausible distance from the median of the neighbours.
        ``None`` disables the check (for quantities that legitimately jump).
    spike_window
        Width of the centred neighbourhood, in expected intervals (5: two on each side).
        A single outlier, or two in a row, cannot move the median of five; a lasting step
        puts at most two neighbours on the other side, so the median stays on the
        observation's own level and the step is not flagged.
    flat_line_hours
        A run of repeated values lasting this long (first to last reading) is a stuck
        sensor. ``None`` disables the check.
    flat_tolerance
        Two consecutive readings closer than this count as repeated. Half the reporting
        resolution means "identical readings".
    flat_line_above
        Runs of values at or below this are not judged, because they are legitimate
        (a bicycle counter's quiet night). ``None`` judges every value.
    expected_interval
        How often the sensor reports.
    stale_after
        A sensor silent for this many expected intervals is stale; a stuck-value run
        is also broken by such a gap, since nobody knows what happened in between.

    Examples
    --------
    >>> rules = QARules(minimum=0, maximum=100, max_step=10)
    >>> times = pd.Series(pd.date_range("2025-07-01", periods=4, freq="h", tz="UTC"))
    >>> rules(times, pd.Series([50.0, 51.0, 150.0, None])).tolist()
    ['ok', 'ok', 'out_of_range', 'missing_value']
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    minimum: float = Field(allow_inf_nan=False)
    maximum: float = Field(allow_inf_nan=False)
    max_step: float | None = Field(None, gt=0, allow_inf_nan=False)
    spike_window: int = Field(5, ge=3, le=49)
    flat_line_hours: float | None = Field(None, gt=0, le=24 * 366, allow_inf_nan=False)
    flat_tolerance: float = Field(0.0, ge=0, allow_inf_nan=False)
    flat_line_above: float | None = Field(None, allow_inf_nan=False)
    expected_interval: timedelta = timedelta(hours=1)
    stale_after: float = Field(3.0, gt=0, le=10_000, allow_inf_nan=False)

    @model_validator(mode="after")
    def _consistent(self) -> QARules:
        if self.minimum >= self.maximum:
            raise ValueError(f"minimum ({self.minimum}) must be below maximum ({self.maximum})")
        if self.expected_interval <= timedelta(0):
            raise ValueError(f"expected_interval must be positive, not {self.expected_interval}")
        return self

    @property
    def stale_gap(self) -> timedelta:
        """Silence after which a sensor is stale: ``stale_after`` × ``expected_interval``."""
        return self.expected_interval * self.stale_after

    def __call__(self, times: pd.Series, values: pd.Series) -> pd.Series:
        """Flag ``values`` observed at ``times``; see :func:`check`."""
        return check(times, values, self)


DEFAULT_RULES: dict[str, QARules] = {
    "air_temperature": QARules(
        # Germany's records are 41.2 °C and −37.8 °C (−45.9 °C in a mountain sink, not in
        # towns): anything outside −30…50 °C in a town is a fault.
        minimum=-30,
        maximum=50,
        # air warms or cools by at most ~3 K/h (sunrise, storm front); 6 K off the
        # median of the surrounding two hours is a glitch, not weather.
        max_step=6,
        # outdoor air never stays constant to 0.01 K for 6 h (turbulence alone moves it).
        flat_line_hours=6,
        # readings come with 0.01 K resolution: half of it means "identical readings".
        flat_tolerance=0.005,
    ),
    "soil_moisture": QARules(
        # volumetric water content is ≥ 0 and cannot exceed a saturated soil's pore
        # space; 60 vol-% already allows for peat and organic tree-pit substrate.
        minimum=0,
        maximum=60,
        # heavy rain raises a probe by 10–15 vol-% within hours, but not 15 against both
        # neighbours at once: that is a loose contact.
        max_step=15,
        # probes drift with soil temperature at 0.01 % resolution, even in a drought;
        # a full day without change means a dead probe.
        flat_line_hours=24,
        # 0.01 vol-% resolution: half of it means "identical readings".
        flat_tolerance=0.005,
    ),
    "water_level": QARules(
        # a small river's gauge zero lies below the lowest water; 10 m above it is beyond
        # any flood of a town river.
        minimum=0,
        maximum=1000,
        # flood waves rise over hours; 50 cm against the median of the neighbours is a
        # glitch (debris on the ultrasonic sensor, a wave hitting a float).
        max_step=50,
        # a calm river at low water can sit on one centimetre for a day or two; three
        # days of identical readings means a stuck float or a frozen logger.
        flat_line_hours=72,
        # 0.01 cm resolution in the feed: half of it means "identical readings".
        flat_tolerance=0.005,
    ),
    "bicycle_counter": QARules(
        # counts are ≥ 0; one induction loop hardly sees 2,000 bicycles per hour
        # (Germany's busiest counters report ~1,500/h at peak).
        minimum=0,
        maximum=2000,
        # no spike check: counts legitimately jump (rush hour, an event, a group ride).
        max_step=None,
        # the same non-trivial count for 6 h in a row means a stuck counter ...
        flat_line_hours=6,
        # ... but 0–4 bicycles per hour repeat for hours at night (Poisson counts at such
        # rates repeat by chance), so runs of these are not judged.
        flat_line_above=4,
    ),
    # unknown kinds: only missing values are flagged (the range merely rejects overflow).
    "other": QARules(minimum=-1e12, maximum=1e12),
}
"""Rules per sensor ``kind`` of the municipality configuration (``other`` for the rest)."""


def _utc_times(times: pd.Series) -> pd.Series:
    """Observation times as tz-aware UTC timestamps; a missing or unreadable time is an error.

    An observation without a time cannot be placed among its neighbours, so it cannot be
    checked; the readers never produce one, so this is a caller's mistake, not a flag.
    """
    series = pd.Series(times).reset_index(drop=True)
    try:
        if pd.api.types.is_datetime64_any_dtype(series):
            parsed = pd.to_datetime(series, utc=True)
        else:
            parsed = pd.to_datetime(series, utc=True, format="ISO8601")
    except (TypeError, ValueError) as error:
        raise LayerValidationError(
            f"Observation times cannot be read as dates: {error}",
            hint="Give ISO 8601 times such as 2025-07-01T00:00:00Z.",
        ) from error
    missing = int(parsed.isna().sum())
    if missing:
        raise LayerValidationError(
            f"{missing} of {len(parsed)} observations have no time.",
            hint="Every observation needs its phenomenon time.",
        )
    return parsed


def _spikes(times: pd.Series, plausible: pd.Series, rules: QARules) -> pd.Series:
    """True where a plausible value is further than ``max_step`` from its neighbours' median.

    Both series are in time order with the same positional index. The window is one of
    time, not of rows, so that neighbours across a gap in the feed are not compared, and a
    value needs two plausible neighbours before it is judged at all.
    """
    assert rules.max_step is not None
    window = rules.expected_interval * rules.spike_window
    in_time = pd.Series(plausible.to_numpy(), index=pd.DatetimeIndex(times))
    median = in_time.rolling(window, center=True, min_periods=3).median().to_numpy()
    return (plausible - median).abs().gt(rules.max_step)


def _flat_runs(
    times: pd.Series, values: pd.Series, missing: pd.Series, rules: QARules
) -> pd.Series:
    """True for values inside a run of repeats lasting at least ``flat_line_hours``.

    All series are in time order with the same positional index. A run breaks where a
    reading differs from the previous one by more than ``flat_tolerance``, at a missing
    value, and at a silence longer than the stale gap (nobody knows what happened then).
    """
    assert rules.flat_line_hours is not None
    changed = (
        values.diff().abs().gt(rules.flat_tolerance)
        | missing
        | missing.shift(1, fill_value=False)
        | times.diff().gt(rules.stale_gap)
    )
    by_run = times.groupby(changed.cumsum())
    span = by_run.transform("max") - by_run.transform("min")
    flat = span.ge(pd.Timedelta(hours=rules.flat_line_hours)) & ~missing
    if rules.flat_line_above is not None:
        flat &= values.gt(rules.flat_line_above)
    return flat


def rules_for_kind(kind: str, overrides: Mapping[str, object] | None = None) -> QARules:
    """The rules of a sensor kind, with one sensor's overrides applied and checked.

    >>> rules_for_kind("air_temperature", {"maximum": 45.0}).maximum
    45.0
    """
    base = DEFAULT_RULES.get(kind, DEFAULT_RULES["other"])
    if not overrides:
        return base
    return QARules(**(base.model_dump() | dict(overrides)))


def check(times: pd.Series, values: pd.Series, rules: QARules) -> pd.Series:
    """Flag each observation of one sensor; the data themselves are left alone.

    Spikes and stuck runs are judged among neighbours in time, so the observations are
    put in time order first (input order does not matter, repeated times are kept). The
    whole series is checked column-wise, without a loop over rows, because a re-check of
    years of hourly data must stay fast.

    Parameters
    ----------
    times
        Phenomenon times (datetimes or ISO 8601 texts; naive ones are taken as UTC).
    values
        Results, same length as ``times``; anything that is no number is missing.
    rules
        Rules of the observed property, e.g. ``DEFAULT_RULES["air_temperature"]``.

    Returns
    -------
    pandas.Series
        One flag text per observation (see :func:`combine_flags`), aligned to ``values``'
        index in its order.

    Raises
    ------
    LayerValidationError
        When the lengths differ or a time is missing or unreadable.

    Examples
    --------
    A stuck sensor reporting 21.0 °C seven times (6 h), then a missing value:

    >>> times = pd.Series(pd.date_range("2025-07-01", periods=9, freq="h", tz="UTC"))
    >>> values = pd.Series([20.4] + [21.0] * 7 + [None])
    >>> check(times, values, DEFAULT_RULES["air_temperature"]).value_counts().to_dict()
    {'flat_line': 7, 'ok': 1, 'missing_value': 1}
    """
    if len(times) != len(values):
        raise LayerValidationError(
            f"{len(times)} observation times but {len(values)} values.",
            hint="Pass one time per value.",
        )
    index = values.index if isinstance(values, pd.Series) else pd.RangeIndex(len(values))
    parsed = _utc_times(times)
    number = pd.to_numeric(pd.Series(values).reset_index(drop=True), errors="coerce")
    order = np.argsort(parsed.to_numpy(), kind="stable")
    t = parsed.iloc[order].reset_index(drop=True)
    v = pd.Series(number.to_numpy(dtype=float, na_value=np.nan)[order])

    missing = v.isna()
    out_of_range = v.lt(rules.minimum) | v.gt(rules.maximum)
    problems = {QAFlag.OUT_OF_RANGE: out_of_range, QAFlag.MISSING_VALUE: missing}
    if rules.max_step is not None and len(v):
        problems[QAFlag.SPIKE] = _spikes(t, v.where(~out_of_range), rules)
    if rules.flat_line_hours is not None and len(v):
        problems[QAFlag.FLAT_LINE] = _flat_runs(t, v, missing, rules)

    text = np.full(len(v), "", dtype=object)
    for flag in QAFlag:  # a loop over the few flags, in their canonical order
        if flag in problems:
            text = text + np.where(problems[flag].to_numpy(dtype=bool), flag.value + SEPARATOR, "")
    flags = pd.Series(text, dtype="str").str.removesuffix(SEPARATOR).replace("", QAFlag.OK.value)
    aligned = np.empty(len(v), dtype=object)
    aligned[order] = flags.to_numpy(dtype=object)
    return pd.Series(aligned, index=index, dtype="str", name="quality")


HealthStatus = Literal["ok", "degraded", "stale", "no_data"]

_LABELS: dict[QAFlag, tuple[str, str]] = {
    QAFlag.OUT_OF_RANGE: ("Werte außerhalb des plausiblen Bereichs", "values out of range"),
    QAFlag.SPIKE: ("Ausreißer", "spikes"),
    QAFlag.FLAT_LINE: ("hängende, unveränderte Werte", "stuck, unchanging values"),
    QAFlag.MISSING_VALUE: ("fehlende Werte", "missing values"),
}
"""German and English names of each problem, for the health messages."""


class SensorHealth(BaseModel):
    """How a sensor is doing, for the administration view and ``twin sensors health``."""

    model_config = ConfigDict(frozen=True)

    status: HealthStatus = Field(
        description="no_data before the first observation; stale when silent too long; "
        "degraded when too many observations are flagged; else ok."
    )
    observations: int = Field(ge=0, description="Number of observations judged.")
    last: datetime | None = Field(description="Time of the newest observation (UTC).")
    stale: bool = Field(description="No observation within the stale gap before `now`.")
    flagged: float = Field(ge=0, le=1, description="Share of observations with any flag.")
    flagged_share: dict[str, float] = Field(
        description="Share of observations carrying each flag (a row may carry several)."
    )
    message_de: str = Field(description="One sentence for the administration view, German.")
    message_en: str = Field(description="The same sentence in English.")


def _silence(hours: float) -> tuple[str, str]:
    """'for 5 h' / 'for 3 days' in German and English; days read better beyond two."""
    if hours < 48:
        return f"Seit {hours:.0f} h", f"for {hours:.0f} h"
    return f"Seit {hours / 24:.0f} Tagen", f"for {hours / 24:.0f} days"


def health(
    times: pd.Series,
    flags: pd.Series,
    rules: QARules,
    *,
    now: datetime,
    degraded_share: float = 0.05,
) -> SensorHealth:
    """Summarise a sensor's state from its stored observation times and flags.

    The flags already record missing values, so the values themselves are not needed;
    health is thus as cheap as reading two columns, and agrees with what the map shows.

    Parameters
    ----------
    times
        Phenomenon times of the sensor's observations.
    flags
        Their stored flag texts (:func:`check`); unchecked ones (NaN) count as ``ok``.
    rules
        Rules of the observed property; ``expected_interval`` × ``stale_after`` is the
        silence after which the sensor is stale.
    now
        Reference time (naive is taken as UTC); passed in so that results are repeatable.
    degraded_share
        Share of flagged observations above which the sensor is degraded (5 %: more than
        about one hour a day of doubtful data).

    Returns
    -------
    SensorHealth
        Status by priority ``no_data`` > ``stale`` > ``degraded`` > ``ok``, with counts,
        shares and a one-sentence explanation in German and English.

    Examples
    --------
    >>> times = pd.Series(pd.date_range("2025-07-01", periods=24, freq="h", tz="UTC"))
    >>> flags = pd.Series(["ok"] * 22 + ["spike", "spike,flat_line"])
    >>> state = health(times, flags, DEFAULT_RULES["air_temperature"],
    ...                now=datetime.fromisoformat("2025-07-02T00:00:00+00:00"))
    >>> state.status, state.flagged_share["spike"]
    ('degraded', 0.08333333333333333)
    >>> state.message_en
    '8% of observations are flagged, mostly spikes.'
    """
    if len(times) != len(flags):
        raise LayerValidationError(
            f"{len(times)} observation times but {len(flags)} flags.",
            hint="Pass one flag per observation.",
        )
    if not 0 <= degraded_share <= 1:
        raise InvalidRequestError(f"degraded_share must lie in 0…1, not {degraded_share}.")
    now_ts = pd.Timestamp(now)
    now_ts = now_ts.tz_localize("UTC") if now_ts.tzinfo is None else now_ts.tz_convert("UTC")
    if len(times) == 0:
        return SensorHealth(
            status="no_data",
            observations=0,
            last=None,
            stale=True,
            flagged=0.0,
            flagged_share={flag.value: 0.0 for flag in _LABELS},
            message_de="Noch keine Messwerte.",
            message_en="No observations yet.",
        )
    last = _utc_times(times).max()
    text = pd.Series(flags).reset_index(drop=True).astype("str").fillna(QAFlag.OK.value)
    shares = {
        flag.value: float(text.str.contains(rf"(?:^|,)\s*{flag.value}\s*(?:,|$)").mean())
        for flag in _LABELS
    }
    flagged = float(text.str.strip().ne(QAFlag.OK.value).mean())
    stale = now_ts - last > pd.Timedelta(rules.stale_gap)
    status: HealthStatus
    if stale:
        status = "stale"
        since_de, since_en = _silence((now_ts - last).total_seconds() / 3600)
        stamp = f"{last:%Y-%m-%d %H:%M} UTC"
        de = f"{since_de} keine Daten, letzte Messung {stamp}."
        en = f"No data {since_en}, last observation {stamp}."
    elif flagged > degraded_share:
        status = "degraded"
        worst = max(_LABELS, key=lambda flag: shares[flag.value])
        label_de, label_en = _LABELS[worst]
        de = f"{round(flagged * 100)} % der Messwerte sind auffällig, vor allem {label_de}."
        en = f"{flagged:.0%} of observations are flagged, mostly {label_en}."
    else:
        status = "ok"
        de = "Liefert regelmäßig plausible Werte."
        en = "Delivering plausible values on time."
    return SensorHealth(
        status=status,
        observations=len(text),
        last=last.to_pydatetime(),
        stale=stale,
        flagged=flagged,
        flagged_share=shares,
        message_de=de,
        message_en=en,
    )
