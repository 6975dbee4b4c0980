"""Four weeks of plausible hourly sensor history (July 2025) with a heat wave and rain.

All series share one weather: daily mean temperatures rise into a heat wave from 12 to
18 July, and two rain events (8 and 22 July) wet the soil, raise the river and keep
cyclists at home. Urban air-temperature stations are warmer than the rural reference
station at night, by 2–5 K depending on how central they are (the urban heat island).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TIMES = pd.date_range("2025-07-01T00:00Z", "2025-07-28T23:00Z", freq="h")
RAIN_DAYS = (7, 21)  # day index (0 = 1 July)


@dataclass(frozen=True)
class SensorSite:
    """A sensor's identity and where it stands."""

    id: str
    name: str
    kind: str
    x: float
    y: float
    unit: str
    urban: float = 0.0  # 0 = rural … 1 = town centre (air temperature)
    reference: bool = False
    feature: str | None = None


def _days() -> np.ndarray:
    return (TIMES - TIMES[0]).total_seconds().to_numpy() / 86400.0


def _daily_mean() -> np.ndarray:
    day = _days()
    heat = 7.0 * np.exp(-(((day - 14.5) / 3.2) ** 2))
    rain = np.sum([-4.0 * np.exp(-(((day - d - 0.5) / 1.0) ** 2)) for d in RAIN_DAYS], axis=0)
    return 19.0 + heat + rain + 0.8 * np.sin(day / 3.1)


def _rain_mm() -> np.ndarray:
    hour = _days() * 24
    return np.sum([6.0 * np.exp(-(((hour - (d * 24 + 15)) / 4.0) ** 2)) for d in RAIN_DAYS], axis=0)


def air_temperature(site: SensorSite, rng: np.random.Generator) -> np.ndarray:
    """°C: diurnal cycle around the daily mean, plus the night-time heat-island excess."""
    hour = TIMES.hour.to_numpy()
    diurnal = 6.5 * np.sin((hour - 9) / 24 * 2 * np.pi)
    night = np.clip(np.cos((hour - 2) / 24 * 2 * np.pi), 0, None)
    island = (1.0 + 4.0 * site.urban) * night * (0 if site.reference else 1)
    return _daily_mean() + diurnal + island + rng.normal(0, 0.25, TIMES.size)


def soil_moisture(site: SensorSite, rng: np.random.Generator) -> np.ndarray:
    """Volumetric water content (%) in a tree pit: dries with heat, jumps with rain."""
    start = rng.uniform(22, 30)
    drying = 0.02 + 0.006 * np.clip(_daily_mean() - 15, 0, None)
    values = np.empty(TIMES.size)
    level = start
    for i, (dry, rain) in enumerate(zip(drying, _rain_mm(), strict=True)):
        level = min(42.0, max(7.0, level - dry + 0.9 * rain))
        values[i] = level
    return values + rng.normal(0, 0.15, TIMES.size)


def water_level(rng: np.random.Generator) -> np.ndarray:
    """River gauge (cm): base flow receding in the heat, peaks a day after rain."""
    kernel = np.exp(-np.arange(96) / 30.0)
    response = np.convolve(_rain_mm(), kernel)[: TIMES.size]
    return 82.0 - 0.35 * _days() + 4.0 * np.roll(response, 12) + rng.normal(0, 0.4, TIMES.size)


def bicycle_counts(scale: float, rng: np.random.Generator) -> np.ndarray:
    """Cyclists per hour: weekday commute peaks at 7–8 and 16–17 h, fewer when it rains."""
    hour = TIMES.hour.to_numpy()
    weekday = TIMES.day_of_week.to_numpy() < 5
    commute = 55 * np.exp(-(((hour - 7.5) / 1.0) ** 2)) + 48 * np.exp(-(((hour - 16.5) / 1.3) ** 2))
    leisure = 18 * np.exp(-(((hour - 14) / 3.0) ** 2))
    expected = scale * (np.where(weekday, commute + 6, 0.3 * commute) + leisure + 1)
    expected *= np.exp(-0.5 * _rain_mm())
    return rng.poisson(expected).astype(float)


def series(site: SensorSite, rng: np.random.Generator) -> pd.DataFrame:
    """The observation history of one site as ``time,value``."""
    makers = {
        "air_temperature": lambda: air_temperature(site, rng),
        "soil_moisture": lambda: soil_moisture(site, rng),
        "water_level": lambda: water_level(rng),
        "bicycle_counter": lambda: bicycle_counts(1.0 + site.urban, rng),
    }
    values = np.round(makers[site.kind](), 2)
    return pd.DataFrame({"time": TIMES.strftime("%Y-%m-%dT%H:%M:%SZ"), "value": values})
