"""Calibrating the heat model with measured air temperatures, and a residual-corrected map.

The model turns a land cover into *relative* heat (the mixed heat-mitigation index); the
two numbers that make it degrees are the rural reference temperature ``T_ref`` and the
largest urban heat-island effect ``UHI_max``. Both are best measured:

- the model says ``T = T_ref + UHI_max · x`` at a station's cell, with ``x = 1 - HM_mixed``;
- with ``T_ref`` given (the config, or a DWD station's daily value for a chosen day),
  ``UHI_max`` is the least-squares slope through the origin: ``Σ x·(T - T_ref) / Σ x²``;
- with reference stations (sensors marked ``reference = true``: rural, outside the
  built-up area), the model is *anchored* there: it must reproduce their mean reading
  ``T_r`` at their mean ``x_r``, and ``UHI_max`` is the least-squares slope of the urban
  stations about that point; ``T_ref = T_r - x_r · UHI_max`` is then the temperature of
  a fully mitigated cell (InVEST's T_ref), a little below the rural reading because even
  fields have ``HM < 1``;
- without either, both are fitted as intercept and slope (needs two stations).

Every calibration reports RMSE, bias (model − measured) and R² over the stations used, so
a planner sees how far to trust the map. :func:`live_heat_map` then spreads the stations'
residuals by inverse-distance weighting, so the map agrees with the measurements where
they are and relaxes to the model away from them.

Examples
--------
>>> import numpy as np
>>> readings = [Reading("rural", 0, 0, 24.4, True), Reading("a", 0, 1, 27.0, False),
...             Reading("b", 0, 2, 25.5, False)]
>>> mixed = np.array([[0.9, 0.25, 0.625]])  # x = 1 - HM = 0.1, 0.75, 0.375
>>> fit = fit_temperatures(mixed, readings)
>>> round(fit.t_ref, 2), round(fit.uhi_max, 2), round(fit.rmse, 3)
(24.0, 4.0, 0.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np

from layers.sensors.csv import read_dwd_daily
from scenarios.grid import Grid
from scenarios.heat import HeatModelError, HeatParameters
from twin.errors import DataFileError


@dataclass(frozen=True)
class Reading:
    """One station's air temperature (°C) at a grid cell; ``reference``: a rural station."""

    sensor: str
    row: int
    col: int
    value: float
    reference: bool


@dataclass(frozen=True)
class Calibration:
    """Fitted temperatures and how well the model then matches the stations."""

    t_ref: float
    uhi_max: float
    rmse: float
    bias: float
    r2: float
    stations: int
    residuals: dict[str, float]  # measured − modelled, per sensor
    t_ref_source: str

    @property
    def plausible(self) -> bool:
        """Whether the fit explains anything: a heat island, and R² above zero.

        Day-method maps fitted to night-time readings (or the reverse) fail this.
        """
        return self.uhi_max > 0 and not self.r2 <= 0

    def summary(self, parameters: HeatParameters | None = None) -> str:
        """One line for a log or the CLI (with the averaging radius, if given)."""
        radius = f", radius {parameters.t_air_average_radius:g} m" if parameters else ""
        return (
            f"T_ref {self.t_ref:.2f} °C ({self.t_ref_source}), UHI_max {self.uhi_max:.2f} K, "
            f"RMSE {self.rmse:.2f} K, bias {self.bias:+.2f} K, R² {self.r2:.2f} "
            f"({self.stations} stations{radius})"
        )


def readings_on_grid(
    grid: Grid, values: dict[str, tuple[float, float, float]], references: Sequence[str]
) -> list[Reading]:
    """Place stations ``{sensor: (x, y, °C)}`` on the grid; stations off the grid are dropped."""
    stations = sorted(values.items())
    x, y, value = (np.array([site[i] for _, site in stations]) for i in range(3))
    rows, cols, inside = grid.cells(x, y)
    return [
        Reading(sensor, int(row), int(col), float(reading), sensor in references)
        for (sensor, _), row, col, reading, on_grid in zip(
            stations, rows, cols, value, inside, strict=True
        )
        if on_grid and np.isfinite(reading)
    ]


def fit_temperatures(
    hm_mixed: np.ndarray,
    readings: Sequence[Reading],
    *,
    t_ref: float | None = None,
    t_ref_source: str = "given",
) -> Calibration:
    """Fit ``T_ref`` (unless given) and ``UHI_max`` to ``readings``; see the module docstring."""
    usable = [r for r in readings if np.isfinite(hm_mixed[r.row, r.col])]
    urban = [r for r in usable if not r.reference]
    references = [r for r in usable if r.reference]
    x = np.array([1.0 - hm_mixed[r.row, r.col] for r in urban])
    y = np.array([r.value for r in urban])
    if t_ref is not None:  # T_ref given: UHI_max through the origin
        if not len(urban) or float(x @ x) == 0:
            raise HeatModelError(
                "no urban temperature station lies on the map to fit UHI_max",
                hint="Give UHI_max in [heat] or register air-temperature sensors in town.",
            )
        uhi_max = max(float(x @ (y - t_ref)) / float(x @ x), 0.0)
    elif references:  # anchored: the model reproduces the reference stations' mean
        x_ref = float(np.mean([1.0 - hm_mixed[r.row, r.col] for r in references]))
        y_ref = float(np.mean([r.value for r in references]))
        spread = x - x_ref
        if not len(urban) or float(spread @ spread) == 0:
            raise HeatModelError(
                "the urban stations lie in surroundings the model cannot tell from the "
                "reference station's, so UHI_max cannot be fitted",
                hint="Give UHI_max in [heat], or add stations in denser or greener places.",
            )
        uhi_max = max(float(spread @ (y - y_ref)) / float(spread @ spread), 0.0)
        t_ref = y_ref - x_ref * uhi_max
        t_ref_source = "anchored at reference station(s) " + ", ".join(r.sensor for r in references)
    else:
        if len(urban) < 2 or np.ptp(x) == 0:
            raise HeatModelError(
                "fitting both T_ref and UHI_max needs two stations in different surroundings",
                hint="Mark a rural station with reference = true in [[sensors]], or give t_ref.",
            )
        slope, intercept = (float(v) for v in np.polyfit(x, y, 1))
        uhi_max, t_ref, t_ref_source = max(slope, 0.0), intercept, "fitted"
    return _score(hm_mixed, usable, t_ref, uhi_max, t_ref_source)


def _score(
    hm_mixed: np.ndarray, readings: Sequence[Reading], t_ref: float, uhi_max: float, source: str
) -> Calibration:
    measured = np.array([r.value for r in readings])
    modelled = np.array([t_ref + (1 - hm_mixed[r.row, r.col]) * uhi_max for r in readings])
    error = modelled - measured
    total = float(((measured - measured.mean()) ** 2).sum()) if len(measured) else 0.0
    r2 = 1.0 - float((error**2).sum()) / total if total > 0 else float("nan")
    return Calibration(
        t_ref=t_ref,
        uhi_max=uhi_max,
        rmse=float(np.sqrt((error**2).mean())) if len(error) else float("nan"),
        bias=float(error.mean()) if len(error) else float("nan"),
        r2=r2,
        stations=len(readings),
        residuals={r.sensor: float(-e) for r, e in zip(readings, error, strict=True)},
        t_ref_source=source,
    )


def live_heat_map(
    t_air: np.ndarray,
    grid: Grid,
    readings: Sequence[Reading],
    residuals: dict[str, float],
    *,
    power: float = 2.0,
    reach_m: float = 1500.0,
) -> np.ndarray:
    """``t_air`` plus the stations' residuals spread by inverse-distance weighting.

    A residual's weight falls off as ``1/d^power`` and fades linearly to 0 at ``reach_m``
    (blended with an implicit zero residual), so far from all stations the map is the
    model's. At a station's own cell the map equals the measurement.
    """
    rows, cols = np.mgrid[0 : grid.height, 0 : grid.width]
    weights_sum = np.zeros(t_air.shape)
    correction = np.zeros(t_air.shape)
    for reading in readings:
        if reading.sensor not in residuals:
            continue
        distance = np.hypot(rows - reading.row, cols - reading.col) * grid.cell_size
        fade = np.clip(1.0 - distance / reach_m, 0.0, 1.0)
        weight = fade / np.maximum(distance, grid.cell_size / 10) ** power
        weight[reading.row, reading.col] = 1e12
        weights_sum += weight
        correction += weight * residuals[reading.sensor]
    background = 1.0 / reach_m**power  # the model's own weight, with residual 0
    return t_air + correction / (weights_sum + background)


def dwd_reference_temperature(path: Path, day: date, *, element: str = "TXK") -> float:
    """The DWD station's value of ``element`` (default: daily maximum) on ``day``, °C."""
    series = read_dwd_daily(path, element=element)
    times = series.observations["phenomenon_time"].dt.date
    match = series.observations.loc[times == day, "result"]
    if match.empty:
        first, last = times.min(), times.max()
        raise DataFileError(
            f"{path.name}: no {element} value for {day.isoformat()}",
            hint=f"The file covers {first} to {last} (missing days are -999 in the file).",
        )
    return float(match.iloc[0])


def parse_day(text: str) -> date:
    """A date given as YYYY-MM-DD, with a clear error."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise DataFileError(f"{text!r} is not a date", hint="Write it as YYYY-MM-DD.") from None
