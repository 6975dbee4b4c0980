"""The heat model on a municipality's twin: its layers, its sensors, its scenarios.

:class:`TwinHeat` is built once per municipality and cell size: it rasterises the twin's
land use, buildings and trees (:mod:`scenarios.heat_landcover`), looks up the surface
properties (:mod:`scenarios.heat_table` plus the config's overrides), prepares the model's
kernels and edge normalisers and computes the base result. A scenario then costs only
the block its edits reach (:meth:`TwinHeat.scenario`): the touch table's "what if" path.

:func:`cached_twin_heat` keeps built models per municipality while its store and config
are unchanged, so that a server answers each edit from the cached base.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio

from scenarios.edits import Edit, apply_edits
from scenarios.grid import Grid
from scenarios.heat import HeatModel, HeatParameters, HeatResult
from scenarios.heat_calibration import Calibration, Reading, fit_temperatures, readings_on_grid
from scenarios.heat_landcover import LandCover, mixed_surface, rasterise
from scenarios.heat_raw import et0_on_grid
from scenarios.heat_table import default_table
from scenarios.heat_zones import Exposure, zone_statistics
from scenarios.model import base_state
from scenarios.twin_layers import read_layer, twin_layers
from twin.config import HeatConfig, LayerKind, MunicipalityConfig
from twin.errors import TwinError
from twin.store.base import TwinStore

#: Layer holding schools, kindergartens, care homes and hospitals, if the twin has one.
SENSITIVE_SITES_LAYER = "sensitive_sites"

Statistic = Literal["mean", "max"]


def parameters_from(heat: HeatConfig, **overrides: float | None) -> HeatParameters:
    """Model parameters from the ``[heat]`` config, with command-line overrides."""
    values = {
        "t_ref": heat.t_ref,
        "uhi_max": heat.uhi_max,
        "green_area_cooling_distance": heat.green_area_cooling_distance,
        "t_air_average_radius": heat.t_air_average_radius,
        "weight_shade": heat.weight_shade,
        "weight_albedo": heat.weight_albedo,
        "weight_eti": heat.weight_eti,
    } | {key: value for key, value in overrides.items() if value is not None}
    return HeatParameters(cc_method=heat.cc_method, **values)


def twin_et0(
    store: TwinStore, config: MunicipalityConfig, grid: Grid
) -> tuple[float | np.ndarray, np.ndarray | None]:
    """Reference evapotranspiration on the grid, with where it is known.

    The ``[heat] et0_layer`` raster, resampled with cubic splines as InVEST does, or the
    single ``[heat] et0`` value.
    """
    name = config.heat.et0_layer
    if name is None:
        return config.heat.et0, None
    if not any(layer.name == name and layer.kind == LayerKind.RASTER for layer in config.layers):
        raise TwinError(
            f"[heat] et0_layer = {name!r} is not a raster layer of {config.name}",
            hint='Add it as [[layers]] with kind = "raster" and import it.',
        )
    with rasterio.open(store.raster_path(name)) as source:
        return et0_on_grid(source, grid)


@dataclass
class HeatScenario:
    """A scenario's result, its land cover and the block of cells it recomputed."""

    result: HeatResult
    cover: LandCover
    rows: slice
    cols: slice


class TwinHeat:
    """The heat model of one municipality at one cell size (see the module docstring)."""

    def __init__(
        self,
        config: MunicipalityConfig,
        store: TwinStore,
        *,
        cell_size: float | None = None,
        parameters: HeatParameters | None = None,
        extent: tuple[float, float, float, float] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.config = config
        heat = config.heat
        self.layers = twin_layers(store, config)
        bounds = self.layers.boundary.bounds
        if extent is not None:  # a part of the municipality: its edge is the map's edge
            bounds = (
                max(bounds[0], extent[0]),
                max(bounds[1], extent[1]),
                min(bounds[2], extent[2]),
                min(bounds[3], extent[3]),
            )
            if bounds[0] >= bounds[2] or bounds[1] >= bounds[3]:
                raise TwinError(
                    f"the extent {extent} lies outside {config.name}",
                    hint=f"The municipality spans {self.layers.boundary.bounds}.",
                )
        self.grid = Grid.covering(bounds, cell_size=cell_size or heat.cell_size, crs=config.crs)
        self.table = default_table(heat.biophysical)
        self.parameters = parameters or parameters_from(heat)
        self.cover = rasterise(self.layers, self.grid, progress=progress)
        self.et0, self.et0_valid = twin_et0(store, config, self.grid)
        self.surface = mixed_surface(self.cover, self.table, et0=self.et0, et0_valid=self.et0_valid)
        if heat.dask_scheduler:  # a large grid: the base on the cluster, edits here
            from scenarios.heat_dask import run_on

            self.base = run_on(
                self.surface,
                cell_size=self.grid.cell_size,
                parameters=self.parameters,
                scheduler=heat.dask_scheduler,
            )
        else:
            self.base = self.model.run(self.surface)
        self.readings: list[Reading] = []
        districts = read_layer(store, config, LayerKind.DISTRICTS)
        self.zones = (
            districts
            if districts is not None and not districts.empty
            else gpd.GeoDataFrame(
                {"name": [config.name]}, geometry=[self.layers.boundary], crs=config.crs
            )
        )
        self.sites = read_layer(store, config, LayerKind.VECTOR, SENSITIVE_SITES_LAYER)

    @cached_property
    def model(self) -> HeatModel:
        """The model with its kernels and edge normalisers (built on first use)."""
        return HeatModel.for_surface(
            self.surface, cell_size=self.grid.cell_size, parameters=self.parameters
        )

    def scenario(self, edits: list[Edit], base: HeatResult | None = None) -> HeatScenario:
        """Apply ``edits`` and recompute only the cells they can influence."""
        base = base or self.base
        edited, bounds = apply_edits(self.layers, edits)
        size = self.grid.cell_size
        rows, cols = self.grid.block(
            (bounds[0] - size, bounds[1] - size, bounds[2] + size, bounds[3] + size)
        )
        if rows.stop <= rows.start or cols.stop <= cols.start:
            raise TwinError(
                "the edits lie outside the area this map covers",
                hint="Compute the map without --extent, or with one that holds the edits.",
            )
        block = rasterise(edited, self.grid, rows, cols)
        et0 = self.et0 if isinstance(self.et0, float) else self.et0[rows, cols]
        et0_valid = None if self.et0_valid is None else self.et0_valid[rows, cols]
        surface = mixed_surface(block, self.table, et0=et0, et0_valid=et0_valid)
        result = self.model.update(base, surface, rows, cols)
        return HeatScenario(result, self.cover.splice(block, rows, cols), rows, cols)

    def exposure(self, cover: LandCover | None = None) -> Exposure:
        """Residents per cell and sensitive sites, for zone statistics."""
        return Exposure((cover or self.cover).residents, self.sites)

    def statistics(self, result: HeatResult, cover: LandCover | None = None) -> gpd.GeoDataFrame:
        """Heat statistics per district (or for the whole municipality)."""
        return zone_statistics(result, self.grid, self.zones, exposure=self.exposure(cover))

    def calibrate(
        self,
        store: TwinStore,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        statistic: Statistic = "mean",
        t_ref: float | None = None,
        t_ref_source: str = "given",
        radii: Sequence[float] = (),
        only_if_plausible: bool = False,
    ) -> Calibration:
        """Fit ``T_ref`` and ``UHI_max`` to the twin's air-temperature sensors.

        They become the base result's temperatures (see :mod:`scenarios.heat_calibration`).

        With ``radii`` (m), each averaging radius is tried too and the one with the smallest
        RMSE kept: the mixing radius is the model's least certain parameter. With
        ``only_if_plausible``, a fit that explains nothing (see
        :attr:`~scenarios.heat_calibration.Calibration.plausible`) is reported but not used.
        """
        values = sensor_temperatures(store, self.config, start=start, end=end, statistic=statistic)
        if not values:
            raise TwinError(
                "no air-temperature sensor of this municipality has usable observations"
                + (" in the chosen period" if start or end else ""),
                hint="Register [[sensors]] of kind air_temperature, or give --t-ref/--uhi-max.",
            )
        references = [s.id for s in self.config.sensors if s.reference]
        self.readings = readings_on_grid(self.grid, values, references)
        best: tuple[Calibration, HeatModel, HeatResult] | None = None
        for radius in [self.parameters.t_air_average_radius, *radii]:
            model = self.model
            if radius != self.parameters.t_air_average_radius:
                parameters = replace(self.parameters, t_air_average_radius=radius)
                model = HeatModel.for_surface(
                    self.surface, cell_size=self.grid.cell_size, parameters=parameters
                )
            base = self.base if model is self.model else model.run(self.surface)
            fit = fit_temperatures(
                base.hm_mixed, self.readings, t_ref=t_ref, t_ref_source=t_ref_source
            )
            if best is None or fit.rmse < best[0].rmse:
                best = (fit, model, base)
        assert best is not None
        fit, model, base = best
        if fit.plausible or not only_if_plausible:
            self.model = model
            self.base = base.with_temperatures(fit.t_ref, fit.uhi_max)
            self.parameters = self.base.parameters
        return fit


def sensor_temperatures(
    store: TwinStore,
    config: MunicipalityConfig,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    statistic: Statistic = "mean",
) -> dict[str, tuple[float, float, float]]:
    """``{sensor: (x, y, °C)}`` of the air-temperature sensors.

    Each sensor's latest value that passed quality control, or the mean (or max) of the
    values of a period that passed it.
    """
    sensors = {s.id: s for s in config.sensors if s.kind == "air_temperature" and s.location}
    streams = {d.key: d for d in store.datastreams() if d.key in sensors}
    values: dict[str, tuple[float, float, float]] = {}
    if start is None and end is None:
        latest = store.latest()
        latest = latest[latest["key"].isin(list(streams)) & (latest["quality"] == "ok")]
        for row in latest.itertuples():
            x, y = sensors[str(row.key)].location
            values[str(row.key)] = (x, y, float(row.result))
        return values
    for key, stream in streams.items():
        frame = store.observations(stream.id, start=start, end=end)
        good = pd.to_numeric(frame.loc[frame["quality"] == "ok", "result"], errors="coerce")
        good = good.dropna()
        if len(good):
            x, y = sensors[key].location
            values[key] = (x, y, float(good.max() if statistic == "max" else good.mean()))
    return values


_CACHE: dict[tuple[str, str, float], tuple[float, TwinHeat]] = {}
_CACHE_LOCK = threading.Lock()


def cached_twin_heat(
    config: MunicipalityConfig,
    store: TwinStore,
    *,
    store_version: float,
    cell_size: float | None = None,
) -> TwinHeat:
    """A :class:`TwinHeat` reused while the store and the config are unchanged.

    ``store_version`` is anything that changes when the store does (e.g. its mtime).
    """
    key = (config.slug, config.heat.model_dump_json(), cell_size or config.heat.cell_size)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached[0] == store_version:
            return cached[1]
        model = TwinHeat(config, store, cell_size=cell_size)
        _CACHE[key] = (store_version, model)
        return model


def shared_twin_heat(
    config: MunicipalityConfig, store: TwinStore, *, cell_size: float | None = None
) -> TwinHeat:
    """The municipality's heat model, shared while its base state (layers, config) holds."""
    state = base_state(config, store)
    return cached_twin_heat(
        config, store, store_version=float(int(state[:13], 16)), cell_size=cell_size
    )


def difference(scenario: HeatResult, base: HeatResult) -> np.ndarray:
    """Scenario − base mixed air temperature, K (NaN where either has no data)."""
    return scenario.t_air() - base.t_air()
