"""The heat-island model: InVEST's urban cooling model on numpy arrays.

This module computes, for every cell of a land-cover grid, how much the surface cools the
air and how warm the air gets, following the InVEST Urban Cooling Model (Natural Capital
Project, natcap.invest 3.20) step by step (``docs/heat-model.md`` gives the equations,
where we follow InVEST's code rather than its user guide, and the few places we differ):

1. evapotranspiration index ``ETI = Kc · ET0 / ET0_max``;
2. cooling capacity ``CC = w_shade·shade + w_albedo·albedo + w_eti·ETI`` (day, weights
   rescaled to sum 1) or ``CC = 1 - building_intensity`` (night);
3. park cooling ``CC_park``: the edge-corrected, exponentially distance-weighted mean of
   ``green·CC`` (decay distance = green-area cooling distance, cut at five times it);
4. green area ``GA``: green cells within the cooling distance (a disk), edge-corrected;
5. heat mitigation ``HM = CC_park`` where ``CC_park > CC`` and ``GA ≥ 2 ha``, else ``CC``;
6. ``T_air_nomix = T_ref + (1 - HM) · UHI_max``;
7. ``T_air``: ``T_air_nomix`` mixed by an edge-corrected exponential mean over the
   air-temperature averaging radius.

Because step 7 is a normalised mean, ``T_air = T_ref + (1 - HM_mixed) · UHI_max`` with
``HM_mixed`` the mixed heat-mitigation index: :class:`HeatResult` keeps ``HM_mixed`` so that
calibration can try any ``T_ref`` and ``UHI_max`` without convolving again.

Everything is vectorised: three FFT convolutions per run, with their edge normalisers
computed once per grid (:class:`HeatModel`). After a local edit, :meth:`HeatModel.update`
recomputes only what the edit can reach and adds it to the cached base result.

Examples
--------
A uniform grey square with one 4 ha park (10 m cells): the park is cooler than the town.

>>> import numpy as np
>>> codes = np.zeros((60, 60), dtype=int)
>>> codes[20:40, 20:40] = 1
>>> table = BiophysicalTable.from_rows([
...     {"lucode": 0, "shade": 0.0, "kc": 0.2, "albedo": 0.15, "green_area": 0},
...     {"lucode": 1, "shade": 0.6, "kc": 1.0, "albedo": 0.2, "green_area": 1},
... ])
>>> surface = table.surface(codes, et0=5.0)
>>> model = HeatModel.for_surface(surface, cell_size=10.0, parameters=HeatParameters(
...     t_ref=25.0, uhi_max=4.0, green_area_cooling_distance=100.0, t_air_average_radius=100.0))
>>> result = model.run(surface)
>>> bool(result.t_air()[30, 30] < result.t_air()[5, 5])
True
>>> round(float(result.t_air_nomix()[5, 5]), 3)  # grey: 25 + (1 - 0.2·0.15 - 0.2·0.2)·4
28.72
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from scenarios.convolution import (
    EdgeCorrectedConvolution,
    FFTPlan,
    disk_kernel,
    exponential_kernel,
    kernel_radius,
)
from twin.errors import TwinError

CoolingMethod = Literal["factors", "intensity"]

#: Green areas cool their surroundings only from this size on (InVEST: 2 ha).
PARK_AREA_M2 = 20_000.0
#: Columns of an InVEST biophysical table; ``building_intensity`` only for the night method.
TABLE_COLUMNS = ("lucode", "shade", "kc", "albedo", "green_area", "building_intensity")
#: Plausible value ranges of the table's columns.
_RANGES = (
    ("shade", 0, 1),
    ("albedo", 0, 1),
    ("green_area", 0, 1),
    ("building_intensity", 0, 1),
    ("kc", 0, 1.5),
)
#: Counts of green cells come out of an FFT with round-off; a disk holding exactly 2 ha
#: must count as 2 ha in every run (full or windowed), so comparisons allow this slack.
_COUNT_SLACK = 1e-6


class HeatModelError(TwinError):
    """Inputs or parameters the cooling model cannot work with."""


@dataclass(frozen=True)
class HeatParameters:
    """The model's parameters, named and defaulted as in InVEST.

    ``t_ref`` is the rural reference air temperature (°C) and ``uhi_max`` the largest
    urban heat-island effect (K); both are best taken from sensors (see
    :mod:`scenarios.heat_calibration`). Distances are metres. The user guide suggests
    450 m for the green-area cooling distance and 500-600 m for the averaging radius.
    """

    t_ref: float = 21.5
    uhi_max: float = 3.5
    green_area_cooling_distance: float = 450.0
    t_air_average_radius: float = 500.0
    cc_method: CoolingMethod = "factors"
    weight_shade: float = 0.6
    weight_albedo: float = 0.2
    weight_eti: float = 0.2

    def weights(self) -> tuple[float, float, float]:
        """Shade, albedo and ETI weights rescaled to sum 1, as InVEST does."""
        raw = (self.weight_shade, self.weight_albedo, self.weight_eti)
        if min(raw) < 0 or sum(raw) <= 0:
            raise HeatModelError(
                f"cooling-capacity weights {raw} must be non-negative and not all zero",
                hint="The defaults are shade 0.6, albedo 0.2, evapotranspiration 0.2.",
            )
        total = sum(raw)
        return raw[0] / total, raw[1] / total, raw[2] / total

    def cells(self, cell_size: float) -> tuple[int, int]:
        """Cooling distance and averaging radius in whole cells (InVEST rounds them)."""
        cooling = round(self.green_area_cooling_distance / cell_size)
        mixing = round(self.t_air_average_radius / cell_size)
        for name, value, cells in (
            ("green_area_cooling_distance", self.green_area_cooling_distance, cooling),
            ("t_air_average_radius", self.t_air_average_radius, mixing),
        ):
            if cells < 1:
                raise HeatModelError(
                    f"{name} = {value} m is less than one cell of {cell_size} m",
                    hint="Use a distance of at least one cell, or a finer grid.",
                )
        return cooling, mixing


@dataclass
class Surface:
    """Per-cell surface properties the model needs, on one grid.

    Arrays (float32 from a table, as InVEST's rasters, or float64) have the grid's shape. ``valid`` marks cells with land cover;
    ``et0`` is reference evapotranspiration (a scalar or a grid) and ``et0_valid`` where
    that grid has data. Only the properties of the chosen method need meaningful values.
    """

    shade: np.ndarray
    albedo: np.ndarray
    kc: np.ndarray
    green: np.ndarray
    building_intensity: np.ndarray
    valid: np.ndarray
    et0: float | np.ndarray = 1.0  # a Python float, or a grid
    et0_valid: np.ndarray | None = None

    def cooling_valid(self, method: CoolingMethod) -> np.ndarray:
        """Cells with a cooling capacity: land cover known and, by day, ET0 known too."""
        if method == "intensity" or self.et0_valid is None:
            return self.valid
        return self.valid & self.et0_valid

    def et0_max(self) -> float:
        """Largest reference evapotranspiration (InVEST rounds it to 9 decimals)."""
        if isinstance(self.et0, float):
            return self.et0
        grid = np.asarray(self.et0, dtype=np.float64)
        known = grid[self.et0_valid] if self.et0_valid is not None else grid
        return round(float(np.nanmax(known)), 9)

    def window(self, rows: slice, cols: slice) -> Surface:
        """The same surface cut to a block of cells."""
        et0 = self.et0 if isinstance(self.et0, float) else self.et0[rows, cols]
        et0_valid = None if self.et0_valid is None else self.et0_valid[rows, cols]
        return Surface(
            self.shade[rows, cols],
            self.albedo[rows, cols],
            self.kc[rows, cols],
            self.green[rows, cols],
            self.building_intensity[rows, cols],
            self.valid[rows, cols],
            et0,
            et0_valid,
        )


@dataclass(frozen=True)
class BiophysicalTable:
    """Surface properties per land-cover code (InVEST's biophysical table)."""

    frame: pd.DataFrame  # indexed by lucode, columns as TABLE_COLUMNS[1:]

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, object]]) -> BiophysicalTable:
        """Build from dicts with the InVEST column names."""
        frame = pd.DataFrame(list(rows))
        return cls.from_frame(frame, source="table")

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, source: str) -> BiophysicalTable:
        """Check an InVEST-style table (case-insensitive headers) and index it by lucode."""
        frame = frame.rename(columns=lambda name: str(name).strip().lower())
        missing = [c for c in ("lucode", "kc", "green_area") if c not in frame.columns]
        if missing:
            raise HeatModelError(
                f"biophysical table {source} lacks the column(s) {', '.join(missing)}",
                hint="An InVEST table has lucode, shade, kc, albedo, green_area and, for the "
                "night method, building_intensity.",
            )
        for column, low, high in _RANGES:
            if column in frame.columns:
                values = pd.to_numeric(frame[column], errors="coerce")
                bad = frame["lucode"][values.notna() & ((values < low) | (values > high))]
                if len(bad):
                    raise HeatModelError(
                        f"biophysical table {source}: {column} of lucode(s) {bad.tolist()[:10]} "
                        f"is outside {low}-{high}",
                        hint="shade, albedo, green_area and building_intensity are shares "
                        "(0-1); kc is a crop coefficient (0-1.5).",
                    )
        if frame["lucode"].duplicated().any():
            twice = sorted(frame.loc[frame["lucode"].duplicated(), "lucode"].tolist())
            raise HeatModelError(f"biophysical table {source} repeats lucode(s) {twice}")
        for column in TABLE_COLUMNS[1:]:
            if column not in frame.columns:
                frame[column] = np.nan
        values = frame.set_index(frame["lucode"].astype(np.int64))[list(TABLE_COLUMNS[1:])]
        return cls(values.astype(np.float64))

    def check_columns(self, method: CoolingMethod, *, source: str = "table") -> None:
        """Raise if a column the method needs has gaps."""
        needed = ["kc", "green_area"] + (
            ["shade", "albedo"] if method == "factors" else ["building_intensity"]
        )
        for column in needed:
            gaps = self.frame.index[self.frame[column].isna()].tolist()
            if gaps:
                raise HeatModelError(
                    f"biophysical table {source}: column {column!r} has no value for "
                    f"lucode(s) {gaps[:10]}",
                    hint=f"The {method!r} method needs {', '.join(needed)} for every class.",
                )

    def surface(
        self,
        codes: np.ndarray,
        *,
        valid: np.ndarray | None = None,
        et0: float | np.ndarray = 1.0,
        et0_valid: np.ndarray | None = None,
    ) -> Surface:
        """Look every cell's code up in the table; unknown codes are an error, as in InVEST."""
        valid = np.ones(codes.shape, dtype=bool) if valid is None else valid
        rows = self._rows(codes, valid)
        # cells without land cover get some class's values: the model never reads them
        columns = {
            name: self.frame[name].to_numpy(dtype=np.float32)[rows] for name in TABLE_COLUMNS[1:]
        }
        return Surface(
            shade=columns["shade"],
            albedo=columns["albedo"],
            kc=columns["kc"],
            green=(columns["green_area"] > 0).astype(np.float32),
            building_intensity=columns["building_intensity"],
            valid=valid,
            et0=et0,
            et0_valid=et0_valid,
        )

    def _rows(self, codes: np.ndarray, valid: np.ndarray) -> np.ndarray:
        """Row of the table for every cell (0 where not valid); unknown codes raise.

        Codes are small non-negative integers in practice, so a lookup array indexed by
        code is used (much faster than sorting 10⁸ cells); other codes fall back to a search.
        """
        lucodes = self.frame.index.to_numpy()
        cells = codes[valid]
        if not cells.size:  # nothing to look up (e.g. an edited block outside the boundary)
            return np.zeros(codes.shape, dtype=np.intp)
        small = cells.min() >= 0 and cells.max() < 2**16
        present = np.flatnonzero(np.bincount(cells)) if small else np.unique(cells)
        unknown = np.setdiff1d(present, lucodes)
        if unknown.size:
            raise HeatModelError(
                f"land-cover code(s) {unknown[:10].tolist()} are not in the biophysical table",
                hint="Add a row for every code of the land-cover raster (column lucode).",
            )
        filled = np.where(valid, codes, present[0])
        if not small:
            return np.searchsorted(lucodes, filled)
        lookup = np.zeros(int(present.max()) + 1, dtype=np.intp)
        known = lucodes[(lucodes >= 0) & (lucodes < lookup.size)]
        lookup[known] = np.searchsorted(lucodes, known)
        return lookup[filled]


@dataclass
class HeatResult:
    """One model run: every intermediate grid InVEST writes, NaN where there is no data."""

    parameters: HeatParameters
    cc: np.ndarray
    green: np.ndarray
    cc_park: np.ndarray
    green_area: np.ndarray
    hm: np.ndarray
    hm_mixed: np.ndarray
    et0_max: float

    def t_air_nomix(self, t_ref: float | None = None, uhi_max: float | None = None) -> np.ndarray:
        """Air temperature before mixing, °C."""
        t_ref, uhi_max = self._temperatures(t_ref, uhi_max)
        return t_ref + (1.0 - self.hm) * uhi_max

    def t_air(self, t_ref: float | None = None, uhi_max: float | None = None) -> np.ndarray:
        """Air temperature after mixing over the averaging radius, °C."""
        t_ref, uhi_max = self._temperatures(t_ref, uhi_max)
        return t_ref + (1.0 - self.hm_mixed) * uhi_max

    def with_temperatures(self, t_ref: float, uhi_max: float) -> HeatResult:
        """The same run reported for another ``T_ref`` and ``UHI_max`` (no recomputation)."""
        return replace(self, parameters=replace(self.parameters, t_ref=t_ref, uhi_max=uhi_max))

    def _temperatures(self, t_ref: float | None, uhi_max: float | None) -> tuple[float, float]:
        return (
            self.parameters.t_ref if t_ref is None else t_ref,
            self.parameters.uhi_max if uhi_max is None else uhi_max,
        )


def cooling_capacity(surface: Surface, parameters: HeatParameters, et0_max: float) -> np.ndarray:
    """CC per cell (steps 1-2), NaN where it is undefined."""
    valid = surface.cooling_valid(parameters.cc_method)
    if parameters.cc_method == "intensity":
        cc = 1.0 - surface.building_intensity
    else:
        if et0_max <= 0:
            raise HeatModelError(
                f"the largest reference evapotranspiration is {et0_max}; it must be positive",
                hint="ET0 is in mm (per day or period); check the ET0 raster or value.",
            )
        w_shade, w_albedo, w_eti = parameters.weights()
        # in the inputs' precision (float32 from a table, as InVEST computes it), then
        # widened once: the convolutions that follow need float64
        eti = surface.kc * (surface.et0 / et0_max)
        cc = w_shade * surface.shade + w_albedo * surface.albedo + w_eti * eti
    return np.where(valid, cc.astype(np.float64, copy=False), np.nan)


def green_area_threshold(cell_size: float) -> float:
    """Green cells that make 2 ha, the least park area that cools its surroundings."""
    return PARK_AREA_M2 / cell_size**2


def heat_mitigation(
    cc: np.ndarray, cc_park: np.ndarray, green_area: np.ndarray, threshold: float
) -> np.ndarray:
    """HM (step 5): park cooling wins where it is stronger and enough green is near."""
    park_wins = (cc_park > cc) & (green_area >= threshold - _COUNT_SLACK)
    return np.where(park_wins, cc_park, cc)


class HeatModel:
    """The cooling model on one grid, with its kernels and edge normalisers kept.

    Build it once per grid and parameter set; :meth:`run` then costs three FFT
    convolutions, and :meth:`update` only the part an edit can reach.
    """

    def __init__(
        self,
        valid: np.ndarray,
        *,
        cell_size: float,
        parameters: HeatParameters,
        cooling_valid: np.ndarray | None = None,
    ) -> None:
        if cell_size <= 0:
            raise HeatModelError(f"cell size {cell_size} m must be positive")
        cooling, mixing = parameters.cells(cell_size)
        parameters.weights()
        self.parameters = parameters
        self.cell_size = cell_size
        cooling_valid = valid if cooling_valid is None else cooling_valid
        self.green_threshold = green_area_threshold(cell_size)
        kernels = {
            "park": exponential_kernel(cooling),
            "green": disk_kernel(cooling),
            "mix": exponential_kernel(mixing),
        }
        plan = FFTPlan(valid.shape, max(kernel_radius(k) for k in kernels.values()))
        # each mask is transformed once for the normalisers of all its kernels
        valid_spectrum = plan.forward(valid)
        cooling_spectrum = valid_spectrum if cooling_valid is valid else plan.forward(cooling_valid)
        self._park = EdgeCorrectedConvolution(
            kernels["park"], cooling_valid, plan, cooling_spectrum
        )
        self._green = EdgeCorrectedConvolution(kernels["green"], valid, plan, valid_spectrum)
        self._mix = EdgeCorrectedConvolution(kernels["mix"], cooling_valid, plan, cooling_spectrum)

    @classmethod
    def for_surface(
        cls, surface: Surface, *, cell_size: float, parameters: HeatParameters
    ) -> HeatModel:
        """The model for the grid and valid cells of ``surface``."""
        return cls(
            surface.valid,
            cell_size=cell_size,
            parameters=parameters,
            cooling_valid=surface.cooling_valid(parameters.cc_method),
        )

    @property
    def reach(self) -> int:
        """Cells within which an edit can change the mixed air temperature."""
        return max(self._park.radius, self._green.radius) + self._mix.radius

    def run(self, surface: Surface, *, et0_max: float | None = None) -> HeatResult:
        """Compute every grid of the model for ``surface``."""
        et0_max = surface.et0_max() if et0_max is None else et0_max
        cc = cooling_capacity(surface, self.parameters, et0_max)
        cc_park = self._park.apply(park_signal(cc, surface.green))
        green_area = self._green.apply(surface.green)
        hm = heat_mitigation(cc, cc_park, green_area, self.green_threshold)
        hm_mixed = self._mix.apply(hm)
        green = np.where(surface.valid, surface.green, 0.0)
        return HeatResult(self.parameters, cc, green, cc_park, green_area, hm, hm_mixed, et0_max)

    def update(self, base: HeatResult, block: Surface, rows: slice, cols: slice) -> HeatResult:
        """Recompute after the surface changed only within ``[rows, cols]``.

        ``block`` is the new surface of that block alone (``surface.window(rows, cols)``).

        The convolutions are linear, so the changes of park cooling and green area are
        convolutions of the changed block alone; heat mitigation is then recomputed where
        those changes reach, and its change is mixed in the same way. The result equals
        :meth:`run` on the whole grid up to floating-point round-off.
        """
        cc_block = cooling_capacity(block, self.parameters, base.et0_max)
        park_change = park_signal(cc_block, block.green) - park_signal(
            base.cc[rows, cols], base.green[rows, cols]
        )
        cc = base.cc.copy()
        cc[rows, cols] = cc_block
        green = base.green.copy()
        green[rows, cols] = block.green
        cc_park, park_rows, park_cols = self._add_change(
            self._park, base.cc_park, park_change, rows, cols
        )
        green_area, _, _ = self._add_change(
            self._green, base.green_area, block.green - base.green[rows, cols], rows, cols
        )
        hm = base.hm.copy()
        reach = (park_rows, park_cols)
        hm[reach] = heat_mitigation(
            cc[reach], cc_park[reach], green_area[reach], self.green_threshold
        )
        hm_change = np.nan_to_num(hm[reach] - base.hm[reach])
        hm_mixed, _, _ = self._add_change(self._mix, base.hm_mixed, hm_change, park_rows, park_cols)
        return HeatResult(
            base.parameters, cc, green, cc_park, green_area, hm, hm_mixed, base.et0_max
        )

    @staticmethod
    def _add_change(
        convolution: EdgeCorrectedConvolution,
        base: np.ndarray,
        change: np.ndarray,
        rows: slice,
        cols: slice,
    ) -> tuple[np.ndarray, slice, slice]:
        increment, out_rows, out_cols = convolution.apply_change(change, rows, cols)
        result = base.copy()
        result[out_rows, out_cols] += increment
        return result, out_rows, out_cols


def park_signal(cc: np.ndarray, green: np.ndarray) -> np.ndarray:
    """What parks contribute to park cooling: CC on green cells, 0 elsewhere."""
    return np.where((green > 0) & np.isfinite(cc), cc, 0.0)
