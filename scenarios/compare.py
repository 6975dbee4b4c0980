"""Scenarios side by side against the base: indicator table, changes and traffic lights.

A council compares variants ("Variante A: 4 ha Neubaugebiet, Variante B: Nachverdichtung")
before a vote. :func:`compare` puts the land-use indicators of each scenario (and the heat
indicators when the heat model is asked for) into one table, with the change against the
base and a traffic light per indicator where the municipality has set a target
(``[landuse.targets]``; :data:`DEFAULT_TARGETS` otherwise). A light judges the scenario's
*value*: green when it is at least as good as the target's ``good``, red when at least as
bad as ``bad``, amber between.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from scenarios.heat_twin import TwinHeat
from scenarios.landuse import (
    INDICATORS,
    DesignationCheck,
    Indicator,
    LandUseTwin,
)
from scenarios.model import Scenario
from twin.config import Target

#: Air temperature above which a cell counts as hot (°C; a "heißer Tag" has T_max ≥ 30 °C).
HOT_C: Final = 30.0
HEAT_INDICATORS: Final[dict[str, Indicator]] = {
    "t_air_mean_c": Indicator(
        "Mittlere Lufttemperatur am heißen Tag",
        "Mean air temperature on a hot day",
        "°C",
        2,
        "lower",
    ),
    "hot_area_ha": Indicator("Fläche über 30 °C", "Area above 30 °C", "ha", 1, "lower"),
    "residents_above_30": Indicator(
        "Einwohner über 30 °C", "Residents above 30 °C", "", 0, "lower"
    ),
}
#: Targets used when the config sets none: the municipality's yearly share of the national
#: land-take target (half a year's share is green, more than a year's is red), and the
#: GALK guide values for green space per resident (20 m² city-wide; 6 m² as the minimum
#: of near-home parks).
DEFAULT_TARGETS: Final[dict[str, Target]] = {
    "land_take_years": Target(good=0.5, bad=1.0),
    "green_per_resident_m2": Target(good=20.0, bad=6.0),
}


def judge(value: float, target: Target) -> str:
    """``green``, ``amber`` or ``red`` for ``value`` against ``target`` (``""`` if no value)."""
    if value is None or not np.isfinite(value):
        return ""
    sign = 1.0 if target.good < target.bad else -1.0  # lower is better when good < bad
    if sign * value <= sign * target.good:
        return "green"
    if sign * value >= sign * target.bad:
        return "red"
    return "amber"


@dataclass(frozen=True)
class Comparison:
    """Scenarios against the base: values, changes and lights per indicator (rows) and scenario."""

    scenarios: list[Scenario]
    indicators: dict[str, Indicator]
    base: pd.Series
    values: pd.DataFrame
    changes: pd.DataFrame
    lights: pd.DataFrame
    district_changes: dict[str, pd.DataFrame]
    designations: dict[str, list[DesignationCheck]]
    targets: dict[str, Target]


def heat_indicators(model: TwinHeat, scenario: Scenario | None) -> pd.Series:
    """Mean air temperature, hot area and residents in hot cells, of the base or a scenario."""
    if scenario is None or not scenario.edits:
        result, cover = model.base, model.cover
    else:
        computed = model.scenario(scenario.edits)
        result, cover = computed.result, computed.cover
    t_air = result.t_air()
    hot = np.nan_to_num(t_air, nan=-np.inf) > HOT_C
    return pd.Series(
        {
            "t_air_mean_c": float(np.nanmean(t_air)),
            "hot_area_ha": float(hot.sum()) * model.grid.cell_size**2 / 1e4,
            "residents_above_30": float(cover.residents[hot].sum()),
        }
    )


def compare(
    landuse: LandUseTwin,
    scenarios: list[Scenario],
    *,
    targets: dict[str, Target] | None = None,
    heat: TwinHeat | None = None,
) -> Comparison:
    """Compare ``scenarios`` with the base (and, with ``heat``, their heat indicators)."""
    targets = {**DEFAULT_TARGETS, **(targets or {})}
    indicators = {**INDICATORS, **(HEAT_INDICATORS if heat is not None else {})}
    base = landuse.base.total
    if heat is not None:
        base = pd.concat([base, heat_indicators(heat, None)])
    values, districts, designations = {}, {}, {}
    for scenario in scenarios:
        result = landuse.scenario(scenario.edits)
        total = result.scenario.total
        if heat is not None:
            total = pd.concat([total, heat_indicators(heat, scenario)])
        values[scenario.ref] = total
        districts[scenario.ref] = result.change.districts
        designations[scenario.ref] = landuse.designations(scenario.edits)
    table = pd.DataFrame(values, index=list(indicators))
    changes = table.sub(base.reindex(table.index), axis=0)
    lights = pd.DataFrame(
        {
            ref: [
                judge(table.at[name, ref], targets[name]) if name in targets else ""
                for name in table.index
            ]
            for ref in table.columns
        },
        index=table.index,
    )
    return Comparison(
        scenarios,
        indicators,
        base.reindex(table.index),
        table,
        changes,
        lights,
        districts,
        designations,
        targets,
    )
