"""Quality control: analytic cases, the sample sensors, and invariants."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.sensors.qa import DEFAULT_RULES, QARules, check, health
from sample_data import get_path
from twin.config import load_config

AIR = DEFAULT_RULES["air_temperature"]
HOURS = pd.Series(pd.date_range("2025-07-01", periods=72, freq="h", tz="UTC"))
DIURNAL = pd.Series(20 + 6 * np.sin(np.arange(72) / 24 * 2 * np.pi))


def test_clean_diurnal_cycle_has_no_flags() -> None:
    assert (check(HOURS, DIURNAL, AIR) == "ok").all()


def test_one_wild_value_is_a_spike_but_a_lasting_step_is_not() -> None:
    values = DIURNAL.copy()
    values[30] += 15
    flags = check(HOURS, values, AIR)
    assert flags[flags != "ok"].to_dict() == {30: "spike"}
    step = DIURNAL + np.where(np.arange(72) >= 40, 4.0, 0.0)
    assert (check(HOURS, pd.Series(step), AIR) == "ok").all()


def test_stuck_sensor_is_a_flat_line_exactly_there() -> None:
    values = DIURNAL.copy()
    values[20:28] = 23.4  # 8 identical hourly values: 7 h ≥ 6 h
    flags = check(HOURS, values, AIR)
    assert list(flags[flags.str.contains("flat_line")].index) == list(range(20, 28))
    values[20:25] = 23.4
    values[25:28] = DIURNAL[25:28]  # only 5 repeats: 4 h
    assert not check(HOURS, values, AIR).str.contains("flat_line").any()


def test_range_missing_and_order_independence() -> None:
    values = DIURNAL.copy()
    values[5], values[6] = 61.0, np.nan
    flags = check(HOURS, values, AIR)
    assert "out_of_range" in flags[5] and flags[6] == "missing_value"
    shuffled = np.random.default_rng(3).permutation(72)
    again = check(HOURS[shuffled], values[shuffled], AIR)
    assert again.sort_index().equals(flags.sort_index())


def test_night_zeros_of_a_counter_are_not_a_stuck_sensor() -> None:
    counts = pd.Series(np.where((np.arange(72) % 24) < 6, 0, 40 + np.arange(72) % 7), dtype=float)
    assert (check(HOURS, counts, DEFAULT_RULES["bicycle_counter"]) == "ok").all()


def test_health_states() -> None:
    now = HOURS.iloc[-1].to_pydatetime()
    flags = check(HOURS, DIURNAL, AIR)
    assert health(HOURS, flags, AIR, now=now).status == "ok"
    stale = health(HOURS, flags, AIR, now=now + timedelta(hours=5))
    assert stale.status == "stale" and "5 h" in stale.message_en and "Seit 5 h" in stale.message_de
    bad = flags.copy()
    bad[:10] = "spike"
    degraded = health(HOURS, bad, AIR, now=now)
    assert degraded.status == "degraded" and degraded.flagged_share["spike"] == 10 / 72
    assert health(HOURS[:0], flags[:0], AIR, now=now).status == "no_data"


def test_sample_sensors_are_clean_and_an_injected_stuck_period_is_found() -> None:
    config = load_config(get_path("musterstadt"))
    for sensor in config.sensors:
        assert sensor.history is not None
        data = pd.read_csv(config.resolve(sensor.history))
        flags = check(data["time"], data["value"], DEFAULT_RULES[sensor.kind])
        assert (flags != "ok").mean() < 0.02, sensor.id
    t01 = pd.read_csv(config.resolve(config.sensors[0].history or ""))
    t01.loc[100:109, "value"] = t01.loc[100, "value"]
    flags = check(t01["time"], t01["value"], AIR)
    assert set(flags[flags.str.contains("flat_line")].index) == set(range(100, 110))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-20, 40, allow_nan=False), min_size=1, max_size=60, unique=True))
def test_distinct_values_in_range_are_never_flat_or_out_of_range(values: list[float]) -> None:
    times = pd.Series(pd.date_range("2025-01-01", periods=len(values), freq="h", tz="UTC"))
    flags = check(times, pd.Series(values), QARules(minimum=-30, maximum=50, flat_line_hours=1))
    assert len(flags) == len(values)
    assert not flags.str.contains("flat_line|out_of_range").any()
