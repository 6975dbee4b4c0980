"""Heat statistics per zone (district, AOI polygon): what a council table shows.

A cell belongs to a zone when its centre lies inside the zone's polygon (GDAL's default
rasterisation, which InVEST's zonal statistics use too); a zone too small to hold any
cell centre takes every cell it touches instead, so that no zone is left without a value.
Zones may overlap. Cells without data are left out of every statistic.

The columns ``avg_cc``, ``avg_tmp_v`` and ``avg_tmp_an`` are InVEST's; the rest answer
the planning questions: the hottest cell, the area above 30 °C and 35 °C, the residents
living in those cells and the sensitive sites (schools, kindergartens, care homes,
hospitals) in them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from rasterio.features import geometry_mask

from scenarios.grid import Grid
from scenarios.heat import HeatResult

#: Air temperatures (°C) above which a cell counts as hot: the DWD's "heißer Tag" (30 °C)
#: and an extreme-heat mark (35 °C).
HOT_THRESHOLDS: tuple[float, ...] = (30.0, 35.0)


@dataclass(frozen=True)
class Exposure:
    """Who lives or is cared for where: residents per cell and sensitive sites as points."""

    residents: np.ndarray | None = None
    sites: gpd.GeoDataFrame | None = None


def zone_cells(grid: Grid, zones: gpd.GeoDataFrame) -> list[tuple[slice, slice, np.ndarray]]:
    """For each zone: the block of the grid around it and which of its cells are inside."""
    cells = []
    for geometry in zones.geometry:
        rows, cols = grid.block(geometry.bounds)
        if rows.stop <= rows.start or cols.stop <= cols.start:
            cells.append((rows, cols, np.zeros((0, 0), dtype=bool)))
            continue
        transform = grid.transform * grid.transform.translation(cols.start, rows.start)
        shape = (rows.stop - rows.start, cols.stop - cols.start)
        inside = ~geometry_mask([geometry], out_shape=shape, transform=transform)
        if not inside.any():
            inside = ~geometry_mask(
                [geometry], out_shape=shape, transform=transform, all_touched=True
            )
        cells.append((rows, cols, inside))
    return cells


def zone_statistics(
    result: HeatResult,
    grid: Grid,
    zones: gpd.GeoDataFrame,
    *,
    exposure: Exposure | None = None,
    thresholds: Sequence[float] = HOT_THRESHOLDS,
) -> gpd.GeoDataFrame:
    """One row per zone with the heat statistics of ``result``."""
    exposure = exposure or Exposure()
    zones = zones.reset_index(drop=True)
    t_air, t_ref = result.t_air(), result.parameters.t_ref
    cell_ha = grid.cell_size**2 / 10_000
    hot_sites = (
        _above(site_temperatures(t_air, grid, exposure.sites), min(thresholds))
        if exposure.sites is not None
        else None
    )
    rows_out: dict[str, list[float]] = {}
    for rows, cols, inside in zone_cells(grid, zones):
        temperature = t_air[rows, cols][inside] if inside.size else np.empty(0)
        known = np.isfinite(temperature)
        cc = result.cc[rows, cols][inside] if inside.size else np.empty(0)
        values = {
            "avg_cc": _mean(cc[np.isfinite(cc)]),
            "avg_tmp_v": _mean(temperature[known]),
            "avg_tmp_an": _mean(temperature[known]) - t_ref,
            "max_tmp_v": float(temperature[known].max()) if known.any() else np.nan,
        }
        for threshold in thresholds:
            values[f"area_ha_above_{threshold:g}"] = (
                float((temperature[known] > threshold).sum()) * cell_ha
            )
        if exposure.residents is not None:
            residents = exposure.residents[rows, cols][inside] if inside.size else np.empty(0)
            values["residents"] = float(residents[known].sum())
            for threshold in thresholds:
                hot = known & (np.nan_to_num(temperature, nan=-np.inf) > threshold)
                values[f"residents_above_{threshold:g}"] = float(residents[hot].sum())
        for key, value in values.items():
            rows_out.setdefault(key, []).append(value)
    table = zones.copy()
    for key, column in rows_out.items():
        table[key] = column
    if hot_sites is not None:
        within = gpd.sjoin(hot_sites, zones[[zones.geometry.name]], predicate="within")
        counts = within.groupby("index_right").size()
        table[f"sensitive_sites_above_{min(thresholds):g}"] = counts.reindex(
            range(len(zones)), fill_value=0
        ).to_numpy()
    return table


def with_changes(scenario: gpd.GeoDataFrame, base: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``delta_<column>`` = scenario − base for every statistic of the two tables."""
    table = scenario.copy()
    for column in scenario.columns:
        if column in base.columns and column.startswith(
            ("avg_", "max_", "area_", "residents", "sensitive")
        ):
            table[f"delta_{column}"] = scenario[column].to_numpy() - base[column].to_numpy()
    return table


def _above(sites: gpd.GeoDataFrame, threshold: float) -> gpd.GeoDataFrame:
    return sites[sites["t_air"].fillna(-np.inf) > threshold]


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else np.nan


def site_temperatures(t_air: np.ndarray, grid: Grid, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every sensitive site as a point (its representative point) with its cell's ``t_air``.

    Sites outside the grid get NaN. Planners see which school or care home is hot, not
    only how many per district.
    """
    points = sites.geometry.representative_point()
    rows, cols, inside = grid.cells(points.x.to_numpy(), points.y.to_numpy())
    temperature = np.full(len(sites), np.nan)
    temperature[inside] = t_air[rows[inside], cols[inside]]
    table = sites.set_geometry(points).reset_index(drop=True)
    table["t_air"] = temperature
    return table
