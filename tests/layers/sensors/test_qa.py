"""Quality control: analytic cases, health, the sample sensors, and invariants."""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np
import pandas as pd
import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.sensors.qa import (
    DEFAULT_RULES,
    QAFlag,
    QARules,
    check,
    combine_flags,
    health,
    split_flags,
)
from sample_data import get_path
from twin.config import SensorConfig, load_config
from twin.errors import LayerValidationError

AIR = DEFAULT_RULES["air_temperature"]
COUNTER = DEFAULT_RULES["bicycle_counter"]
HOURS = pd.Series(pd.date_range("2025-07-01", periods=72, freq="h", tz="UTC"))
DIURNAL = pd.Series(20 + 6 * np.sin(np.arange(72) / 24 * 2 * np.pi))


def problems(flags: pd.Series, flag: QAFlag) -> list[int]:
    """Index labels of the rows carrying ``flag``."""
    return [label for label, text in flags.items() if flag in split_flags(text)]


# --- flags ------------------------------------------------------------------------------


def test_flags_combine_in_canonical_order_and_split_back() -> None:
    assert combine_flags([QAFlag.FLAT_LINE, "spike", QAFlag.SPIKE, QAFlag.OK]) == "spike,flat_line"
    assert combine_flags([]) == combine_flags([QAFlag.OK]) == "ok"
    assert split_flags("spike,flat_line") == {QAFlag.SPIKE, QAFlag.FLAT_LINE}
    assert split_flags("ok") == frozenset()
    with pytest.raises(ValueError, match="stuck"):
        combine_flags(["stuck"])


# --- check: analytic cases --------------------------------------------------------------


def test_clean_diurnal_cycle_has_no_flags() -> None:
    flags = check(HOURS, DIURNAL, AIR)
    assert len(flags) == 72
    assert (flags == "ok").all()


def test_one_wild_value_is_a_spike_and_only_that_one() -> None:
    values = DIURNAL.copy()
    values[30] += 15
    flags = check(HOURS, values, AIR)
    assert flags[flags != "ok"].to_dict() == {30: "spike"}


def test_a_lasting_step_is_not_a_spike() -> None:
    for size in (4.0, 10.0):  # below and above max_step: a persisting level is real
        step = DIURNAL + np.where(np.arange(72) >= 40, size, 0.0)
        assert (check(HOURS, step, AIR) == "ok").all(), size


def test_stuck_sensor_is_a_flat_line_exactly_there() -> None:
    values = DIURNAL.copy()
    values[20:28] = 23.4  # 8 identical hourly values: 7 h ≥ 6 h
    flags = check(HOURS, values, AIR)
    assert problems(flags, QAFlag.FLAT_LINE) == list(range(20, 28))
    assert (flags.drop(range(20, 28)) == "ok").all()


def test_flat_line_starts_at_flat_line_hours() -> None:
    values = DIURNAL.copy()
    values[20:27] = 23.4  # 7 readings span exactly 6 h
    assert problems(check(HOURS, values, AIR), QAFlag.FLAT_LINE) == list(range(20, 27))
    values = DIURNAL.copy()
    values[20:26] = 23.4  # 6 readings span 5 h
    assert problems(check(HOURS, values, AIR), QAFlag.FLAT_LINE) == []


def test_a_gap_or_a_missing_value_breaks_a_run() -> None:
    values = DIURNAL.copy()
    values[20:28] = 23.4
    values[24] = np.nan  # 20..23 and 25..27: two runs of 3 h and 2 h
    flags = check(HOURS, values, AIR)
    assert problems(flags, QAFlag.FLAT_LINE) == []
    assert flags[24] == "missing_value"
    # two equal readings 10 h apart with silence between: no evidence of a stuck sensor
    times = pd.Series(pd.to_datetime(["2025-07-01T00:00Z", "2025-07-01T10:00Z"], utc=True))
    assert check(times, pd.Series([21.0, 21.0]), AIR).tolist() == ["ok", "ok"]


def test_out_of_range_values_are_flagged_but_the_limits_are_plausible() -> None:
    values = DIURNAL.copy()
    values[5], values[50] = 61.0, -31.0
    values[10], values[60] = 50.0, -30.0  # the limits themselves are plausible
    flags = check(HOURS, values, AIR)
    assert problems(flags, QAFlag.OUT_OF_RANGE) == [5, 50]


def test_values_that_are_no_numbers_are_missing() -> None:
    values = DIURNAL.astype(object)
    values[6], values[7], values[8] = np.nan, None, "n/a"
    flags = check(HOURS, values, AIR)
    assert flags[flags != "ok"].to_dict() == dict.fromkeys((6, 7, 8), "missing_value")


def test_shuffled_input_gives_the_same_flags_per_index() -> None:
    values = DIURNAL.copy()
    values[5], values[6], values[30] = 61.0, np.nan, values[30] + 15
    values[40:48] = 22.0
    flags = check(HOURS, values, AIR)
    assert set(flags) == {"ok", "out_of_range", "missing_value", "spike", "flat_line"}
    shuffled = np.random.default_rng(3).permutation(72)
    again = check(HOURS[shuffled], values[shuffled], AIR)
    assert list(again.index) == list(shuffled)  # aligned to the input, in its order
    assert again.sort_index().equals(flags)


def test_duplicate_times_and_labels_are_tolerated() -> None:
    times = pd.concat([HOURS, HOURS[10:13]])  # three observations delivered twice
    values = pd.concat([DIURNAL, DIURNAL[10:13]])
    flags = check(times, values, AIR)
    assert len(flags) == 75 and (flags == "ok").all()
    assert list(flags.index) == list(values.index)


def test_night_zeros_of_a_counter_are_fine_but_a_stuck_count_is_not() -> None:
    hour = np.arange(72) % 24
    counts = pd.Series(np.where(hour < 6, 0, 40 + np.arange(72) % 7), dtype=float)
    counts[(hour >= 1) & (hour < 4)] = 1  # a few quiet hours with one cyclist each
    assert (check(HOURS, counts, COUNTER) == "ok").all()
    counts[30:37] = 35.0  # the same count for 6 h in daytime
    assert problems(check(HOURS, counts, COUNTER), QAFlag.FLAT_LINE) == list(range(30, 37))


def test_unusable_times_are_an_error_not_a_flag() -> None:
    with pytest.raises(LayerValidationError, match="72 observation times but 3 values"):
        check(HOURS, DIURNAL[:3], AIR)
    times = HOURS.astype(object)
    times[4] = None
    with pytest.raises(LayerValidationError, match="1 of 72 observations have no time"):
        check(times, DIURNAL, AIR)
    with pytest.raises(LayerValidationError, match="cannot be read as dates"):
        check(pd.Series(["yesterday"]), pd.Series([1.0]), AIR)


def test_rules_are_validated_and_callable() -> None:
    with pytest.raises(pydantic.ValidationError, match="minimum"):
        QARules(minimum=10, maximum=0)
    with pytest.raises(pydantic.ValidationError, match="greater than 0"):
        QARules(minimum=0, maximum=1, max_step=-1)
    with pytest.raises(pydantic.ValidationError, match="expected_interval"):
        QARules(minimum=0, maximum=1, expected_interval=timedelta(0))
    with pytest.raises(pydantic.ValidationError, match="Extra inputs"):
        QARules(minimum=0, maximum=1, max_jump=3)  # type: ignore[call-arg]
    assert AIR(HOURS, DIURNAL).equals(check(HOURS, DIURNAL, AIR))
    assert AIR.stale_gap == timedelta(hours=3)


# --- health -----------------------------------------------------------------------------

NOW = HOURS.iloc[-1].to_pydatetime()


def test_health_of_a_clean_sensor_is_ok() -> None:
    state = health(HOURS, check(HOURS, DIURNAL, AIR), AIR, now=NOW)
    assert state.status == "ok" and not state.stale
    assert state.observations == 72 and state.last == NOW
    assert state.flagged == 0 and set(state.flagged_share.values()) == {0.0}
    assert state.message_de and state.message_en


def test_health_is_stale_after_three_intervals() -> None:
    flags = check(HOURS, DIURNAL, AIR)
    assert health(HOURS, flags, AIR, now=NOW + timedelta(hours=3)).status == "ok"
    stale = health(HOURS, flags, AIR, now=NOW + timedelta(hours=3, minutes=1))
    assert stale.status == "stale" and stale.stale
    later = health(HOURS, flags, AIR, now=NOW + timedelta(hours=5))
    assert later.message_de == "Seit 5 h keine Daten, letzte Messung 2025-07-03 23:00 UTC."
    assert later.message_en == "No data for 5 h, last observation 2025-07-03 23:00 UTC."
    days = health(HOURS, flags, AIR, now=NOW + timedelta(days=4))
    assert "Seit 4 Tagen" in days.message_de and "for 4 days" in days.message_en
    naive = health(HOURS, flags, AIR, now=(NOW + timedelta(hours=5)).replace(tzinfo=None))
    assert naive.status == "stale"  # a naive `now` is UTC


def test_health_without_observations_is_no_data() -> None:
    empty = pd.Series([], dtype="str")
    state = health(HOURS[:0], empty, AIR, now=NOW)
    assert state.status == "no_data" and state.observations == 0 and state.last is None
    assert state.message_en == "No observations yet."


def test_health_is_degraded_above_five_percent_flagged() -> None:
    times = pd.Series(pd.date_range("2025-07-01", periods=100, freq="h", tz="UTC"))
    now = times.iloc[-1].to_pydatetime()
    flags = pd.Series(["ok"] * 100)
    flags[:5] = "spike"  # exactly 5 %: still ok
    assert health(times, flags, AIR, now=now).status == "ok"
    flags[5] = "spike,flat_line"
    flags[6] = "missing_value"
    state = health(times, flags, AIR, now=now)
    assert state.status == "degraded"
    assert state.flagged == 0.07
    assert state.flagged_share == {
        "out_of_range": 0.0,
        "spike": 0.06,
        "flat_line": 0.01,
        "missing_value": 0.01,
    }
    assert state.message_de == "7 % der Messwerte sind auffällig, vor allem Ausreißer."
    assert state.message_en == "7% of observations are flagged, mostly spikes."
    # silence outranks bad values
    assert health(times, flags, AIR, now=now + timedelta(days=1)).status == "stale"


# --- the sample sensors -----------------------------------------------------------------

CONFIG = load_config(get_path("musterstadt"))


def read_history(sensor_id: str) -> pd.DataFrame:
    sensor = next(s for s in CONFIG.sensors if s.id == sensor_id)
    assert sensor.history is not None
    return pd.read_csv(CONFIG.resolve(sensor.history))


@pytest.mark.parametrize("sensor", CONFIG.sensors, ids=lambda sensor: sensor.id)
def test_every_sample_series_is_mostly_ok(sensor: SensorConfig) -> None:
    data = read_history(sensor.id)
    rules = DEFAULT_RULES[sensor.kind]
    flags = check(data["time"], data["value"], rules)
    assert len(flags) == len(data) > 24 * 7
    assert (flags != "ok").mean() < 0.02
    now = pd.Timestamp(data["time"].iloc[-1]).to_pydatetime()
    assert health(data["time"], flags, rules, now=now).status == "ok"


def test_a_stuck_period_injected_into_t01_is_found() -> None:
    t01 = read_history("T01")
    t01.loc[100:110, "value"] = t01.loc[100, "value"]  # 11 readings: stuck for 10 h
    flags = check(t01["time"], t01["value"], AIR)
    assert problems(flags, QAFlag.FLAT_LINE) == list(range(100, 111))
    assert (flags.drop(range(100, 111)) == "ok").all()


# --- invariants -------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none()),
        max_size=80,
    ),
    st.randoms(use_true_random=False),
)
def test_flags_never_change_the_number_of_rows(
    values: list[float | None], rng: random.Random
) -> None:
    times = HOURS.iloc[np.arange(len(values)) % 72].reset_index(drop=True)  # repeats times
    order = list(range(len(values)))
    rng.shuffle(order)
    series = pd.Series(values, dtype=float).iloc[order]
    flags = check(times.iloc[order], series, AIR)
    assert len(flags) == len(values)
    assert list(flags.index) == order
    assert all(combine_flags(split_flags(text)) == text for text in flags)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-3000, 5000), min_size=1, max_size=100, unique=True),
    st.sampled_from(["h", "15min", "3h"]),
)
def test_distinct_values_in_range_are_never_flat_or_out_of_range(
    centikelvin: list[int], freq: str
) -> None:
    values = pd.Series(centikelvin) / 100  # −30…50 °C at the sensor's 0.01 K resolution
    times = pd.Series(pd.date_range("2025-01-01", periods=len(values), freq=freq, tz="UTC"))
    flags = check(times, values, AIR)
    assert len(flags) == len(values)
    found = set().union(*(split_flags(text) for text in flags))
    assert not found & {QAFlag.OUT_OF_RANGE, QAFlag.FLAT_LINE, QAFlag.MISSING_VALUE}
