"""German planning indicators of a twin and of its land-use scenarios, per district.

What a council asks of a land-use plan, computed from the twin's land use, buildings and
trees (and the same layers after a scenario's edits, :mod:`scenarios.edits`):

- **land take**: new settlement and traffic area (SuV, :data:`layers.landuse.LANDUSE_INFO`)
  in ha, inside the existing settlement body (infill, Innenentwicklung) or outside it
  (Außenentwicklung), and in years of the municipality's share of the national target
  (< 30 ha/day by 2030, shared by population: 30 ha × 365 ÷ 83.2 M residents
  = 1.32 m² per resident and year, a derived figure);
- **sealing**: roofs plus the sealed share of the open ground (:mod:`scenarios.conversion`);
- **floor area** by use, **dwellings**, **residents**, **jobs** (conversion factors in
  :mod:`scenarios.conversion`), **density** (GFZ over building land, residents per ha of
  residential and mixed land);
- **green space**: public green per resident and the share of residents living within
  ``green_distance_m`` of a public green space of at least ``green_min_area_ha``
  (``[landuse]`` config; GALK guide values), air-line and, where the twin has a street
  layer, walking along the streets (:mod:`scenarios.network`);
- **trees** and their crown area (sum of crown disks).

Every indicator is a sum over features, or a ratio of such sums, so a scenario is
computed *incrementally*: only the features in the window an edit can influence are
counted again, before and after, and the difference is added to the base. That keeps an
edit on the touch table well below 100 ms in a town of 10,000 buildings.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from typing import Final, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from layers.landuse import LANDUSE_INFO, LandUse
from scenarios.baunvo import Finding, check_measure, planned_measure
from scenarios.conversion import Factors
from scenarios.edits import Edit, apply_edits
from scenarios.model import base_state
from scenarios.network import StreetNetwork
from scenarios.twin_layers import (
    TwinLayers,
    floor_area,
    read_layer,
    touching,
    tree_crowns,
    twin_layers,
)
from twin.config import LandUseConfig, LayerKind, MunicipalityConfig
from twin.store.base import TwinStore

#: National land-take target: 30 ha/day by 2030 (Deutsche Nachhaltigkeitsstrategie).
NATIONAL_TARGET_HA_PER_DAY: Final = 30.0
#: Residents of Germany (Destatis, 2023: 84.7 M; the target was set at 83.2 M in 2016-2021).
NATIONAL_POPULATION: Final = 83_200_000
#: The municipality's annual share per resident, m² (a derived figure, see module docs).
FAIR_SHARE_M2_PER_RESIDENT: Final = NATIONAL_TARGET_HA_PER_DAY * 365 * 10_000 / NATIONAL_POPULATION
#: Classes that make up the settlement body (built land), for inner vs outer development.
SETTLEMENT_CLASSES: Final = (
    "residential",
    "mixed",
    "commercial",
    "industrial",
    "public",
    "sealed_open",
)
#: Building land: classes on which GFZ is measured.
BUILDING_LAND: Final = ("residential", "mixed", "commercial", "industrial", "public")
RESIDENTIAL_LAND: Final = ("residential", "mixed")
#: Open land whose conversion to building land § 1a(2) BauGB asks to justify.
OPEN_LAND: Final = ("agriculture", "forest", "natural", "water")
SUV_CLASSES: Final = tuple(use.value for use, info in LANDUSE_INFO.items() if info.suv)
FLOOR_USES: Final = ("residential", "mixed", "commercial", "industrial", "public", "other")
OUTSIDE: Final = ""
FeaturesT = TypeVar("FeaturesT", gpd.GeoDataFrame, gpd.GeoSeries)

#: Sums per district that every indicator is made of.
SUMS: Final = (
    "area_m2",
    "suv_m2",
    "sealed_m2",
    "building_land_m2",
    "residential_land_m2",
    "green_m2",
    "floor_area_m2",
    *(f"floor_{use}_m2" for use in FLOOR_USES),
    "dwellings",
    "residents",
    "jobs",
    "residents_near_green",
    "residents_walk_green",
    "trees",
    "canopy_m2",
    "land_take_m2",
    "land_take_outer_m2",
)


@dataclass(frozen=True)
class Indicator:
    """How an indicator is labelled, shown and judged."""

    de: str
    en: str
    unit: str
    digits: int
    better: str  # "higher", "lower" or "" (neither)


INDICATORS: Final[dict[str, Indicator]] = {
    "area_ha": Indicator("Fläche", "Area", "ha", 1, ""),
    "suv_ha": Indicator(
        "Siedlungs- und Verkehrsfläche", "Settlement and traffic area", "ha", 2, "lower"
    ),
    "land_take_ha": Indicator("Flächenneuinanspruchnahme", "Land take", "ha", 2, "lower"),
    "land_take_outer_ha": Indicator(
        "davon Außenentwicklung", "of which outside the settlement", "ha", 2, "lower"
    ),
    "land_take_years": Indicator(
        "Flächenneuinanspruchnahme in Jahren des 30-ha-Anteils",
        "Land take in years of the 30-ha target share",
        "a",
        1,
        "lower",
    ),
    "sealed_ha": Indicator("Versiegelte Fläche", "Sealed area", "ha", 2, "lower"),
    "sealing_share": Indicator("Versiegelungsgrad", "Sealed share", "%", 1, "lower"),
    "floor_area_m2": Indicator("Bruttogrundfläche", "Gross floor area", "m²", 0, ""),
    **{
        f"floor_{use}_m2": Indicator(f"BGF {de}", f"GFA {use}", "m²", 0, "")
        for use, de in zip(
            FLOOR_USES,
            ("Wohnen", "gemischt", "Gewerbe", "Industrie", "Gemeinbedarf", "sonstige"),
            strict=True,
        )
    },
    "dwellings": Indicator("Wohnungen", "Dwellings", "", 0, "higher"),
    "residents": Indicator("Einwohner", "Residents", "", 0, "higher"),
    "jobs": Indicator("Arbeitsplätze", "Jobs", "", 0, "higher"),
    "gfz": Indicator("GFZ des Baulands", "Floor-area ratio of building land", "", 2, ""),
    "residents_per_ha": Indicator(
        "Einwohner je ha Wohnbauland", "Residents per ha of residential land", "EW/ha", 1, ""
    ),
    "green_ha": Indicator("Öffentliches Grün", "Public green space", "ha", 2, "higher"),
    "green_per_resident_m2": Indicator(
        "Grün je Einwohner", "Green space per resident", "m²", 1, "higher"
    ),
    "green_access_share": Indicator(
        "Einwohner nahe Grünfläche ≥ 1 ha", "Residents near green space ≥ 1 ha", "%", 1, "higher"
    ),
    "green_walk_share": Indicator(
        "Einwohner mit Fußweg ≤ 300 m zu Grünfläche ≥ 1 ha",
        "Residents walking ≤ 300 m to green space ≥ 1 ha",
        "%",
        1,
        "higher",
    ),
    "trees": Indicator("Bäume", "Trees", "", 0, "higher"),
    "canopy_ha": Indicator("Kronenfläche", "Crown area", "ha", 2, "higher"),
}


def _ratio(top: pd.Series, bottom: pd.Series, scale: float = 1.0) -> pd.Series:
    return (top * scale).div(bottom.where(bottom > 0))


def derive(sums: pd.DataFrame, population: float) -> pd.DataFrame:
    """The indicators (:data:`INDICATORS`) from sums per row (district or total)."""
    ha = 1e-4
    table = pd.DataFrame(index=sums.index)
    table["area_ha"] = sums["area_m2"] * ha
    table["suv_ha"] = sums["suv_m2"] * ha
    table["land_take_ha"] = sums["land_take_m2"] * ha
    table["land_take_outer_ha"] = sums["land_take_outer_m2"] * ha
    table["land_take_years"] = sums["land_take_m2"] / (population * FAIR_SHARE_M2_PER_RESIDENT)
    table["sealed_ha"] = sums["sealed_m2"] * ha
    table["sealing_share"] = _ratio(sums["sealed_m2"], sums["area_m2"], 100)
    for name in (
        "floor_area_m2",
        *(f"floor_{use}_m2" for use in FLOOR_USES),
        "dwellings",
        "residents",
        "jobs",
    ):
        table[name] = sums[name]
    table["gfz"] = _ratio(sums["floor_area_m2"], sums["building_land_m2"])
    table["residents_per_ha"] = _ratio(sums["residents"], sums["residential_land_m2"], 1e4)
    table["green_ha"] = sums["green_m2"] * ha
    table["green_per_resident_m2"] = _ratio(sums["green_m2"], sums["residents"])
    table["green_access_share"] = _ratio(sums["residents_near_green"], sums["residents"], 100)
    table["green_walk_share"] = _ratio(sums["residents_walk_green"], sums["residents"], 100)
    table["trees"] = sums["trees"]
    table["canopy_ha"] = sums["canopy_m2"] * ha
    return table


@dataclass(frozen=True)
class IndicatorTable:
    """Indicators per district (rows, with ``name``) and for the whole municipality."""

    districts: pd.DataFrame
    total: pd.Series

    def minus(self, other: IndicatorTable) -> IndicatorTable:
        """Differences to ``other`` (the base), indicator by indicator."""
        names = list(INDICATORS)
        districts = self.districts[names] - other.districts[names]
        districts.insert(0, "name", self.districts["name"])
        return IndicatorTable(districts, self.total[names] - other.total[names])


@dataclass(frozen=True)
class ScenarioIndicators:
    """A scenario's indicators, the base's, and what changed."""

    base: IndicatorTable
    scenario: IndicatorTable

    @property
    def change(self) -> IndicatorTable:
        """Scenario minus base."""
        return self.scenario.minus(self.base)


@dataclass(frozen=True)
class GreenSpaces:
    """The green spaces large enough to count, and (with streets) each street node's walk to them."""

    large: gpd.GeoSeries
    walk: np.ndarray | None


def _empty_sums(index: pd.Index) -> pd.DataFrame:
    return pd.DataFrame(0.0, index=index, columns=list(SUMS))


class LandUseTwin:
    """One municipality's land-use indicators: the base once, scenarios incrementally."""

    def __init__(
        self,
        layers: TwinLayers,
        districts: gpd.GeoDataFrame | None,
        settings: LandUseConfig,
        streets: gpd.GeoDataFrame | None = None,
    ) -> None:
        self.layers = layers
        self.streets = streets
        self.network = (
            StreetNetwork(streets.geometry) if streets is not None and not streets.empty else None
        )
        self.settings = settings
        self.factors = Factors().with_overrides(settings.factors)
        if districts is None or districts.empty:
            districts = gpd.GeoDataFrame(
                {"feature_id": ["all"], "name": ["(whole municipality)"]},
                geometry=[layers.boundary],
                crs=layers.landuse.crs,
            )
        self.districts = districts.reset_index(drop=True)
        self._index = pd.Index(
            [*self.districts["feature_id"].astype(str), OUTSIDE], name="district"
        )

    # ------------------------------------------------------------------ base state
    @cached_property
    def settlement(self) -> BaseGeometry:
        """The settlement body: built land with gaps narrower than ``settlement_gap_m`` closed."""
        landuse = self.layers.landuse
        built = landuse.geometry[landuse["landuse"].isin(SETTLEMENT_CLASSES)]
        half = self.settings.settlement_gap_m / 2
        body = shapely.union_all(built.buffer(half, quad_segs=4).to_numpy())
        return body.buffer(-half, quad_segs=4)

    @cached_property
    def base_patches(self) -> gpd.GeoSeries:
        """Public green spaces of the base, touching areas merged."""
        return self._patches(self.layers.landuse)

    @cached_property
    def base_greens(self) -> GreenSpaces:
        """The base's green spaces that count, and the walk to them."""
        return self._greens(self.base_patches)

    @cached_property
    def base_sums(self) -> pd.DataFrame:
        """Sums per district of the base (the land-take columns are zero)."""
        sums = self._sums(self.layers, self.base_greens)
        areas = self.districts.geometry.intersection(self.layers.boundary).area.to_numpy()
        sums.loc[self.districts["feature_id"].astype(str), "area_m2"] = areas
        return sums

    @cached_property
    def population(self) -> float:
        """Residents the land-take share is scaled by: the config's, or from floor area."""
        return float(self.settings.population or self.base_sums["residents"].sum())

    @cached_property
    def base(self) -> IndicatorTable:
        """The base's indicators."""
        return self._table(self.base_sums)

    # ------------------------------------------------------------------ scenarios
    def scenario(self, edits: list[Edit]) -> ScenarioIndicators:
        """Indicators after ``edits``, counting again only what they can reach."""
        if not edits:
            return ScenarioIndicators(self.base, self.base)
        edited, bounds = apply_edits(self.layers, edits)
        window = shapely.box(*bounds)
        patches = self._scenario_patches(edited.landuse, window)
        touched = (_near(p, window) for p in (self.base_patches, patches))
        reach = shapely.box(*_union_bounds(window, *touched))
        reach = reach.buffer(self.settings.green_distance_m, join_style="mitre")
        base_window = _clipped(self.layers, bounds)
        before = self._sums(
            base_window, self.base_greens, near_green=_near(self.layers.buildings, reach)
        )
        after = self._sums(
            _clipped(edited, bounds),
            self._greens(patches),
            base=base_window.landuse,
            near_green=_near(edited.buildings, reach),
        )
        return ScenarioIndicators(self.base, self._table(self.base_sums + after - before))

    def designations(self, edits: list[Edit]) -> list[DesignationCheck]:
        """The § 17 check of each designated building area, plus the open land it takes.

        § 1a(2) BauGB: farmland and forest may be turned into building land only with a
        justification that weighs infill potential; water and semi-natural land likewise
        need a reason. Each building area on such land of the base gets a warning with
        the hectares by class.
        """
        checks = check_designations(edits)
        landuse = self.layers.landuse
        protected = landuse[landuse["landuse"].isin(OPEN_LAND)]
        for check in checks:
            area = edits[check.edit - 1].geometry
            near = _near(protected, area)
            taken = near.geometry.intersection(area).area.groupby(near["landuse"]).sum()
            for cls, m2 in taken[taken > 1.0].items():
                info = LANDUSE_INFO[LandUse(cls)]
                check.findings.append(
                    Finding(
                        "warning",
                        f"nimmt {m2 / 1e4:.2f} ha {info.label_de} in Anspruch (§ 1a Abs. 2 "
                        "BauGB: Umwandlung begründen, Innenentwicklung prüfen)",
                        f"takes {m2 / 1e4:.2f} ha of {info.label_en.lower()} (§ 1a(2) BauGB: "
                        "justify the conversion against infill potential)",
                    )
                )
        return checks

    # ------------------------------------------------------------------ parts
    def _table(self, sums: pd.DataFrame) -> IndicatorTable:
        districts = derive(sums, self.population)
        names = dict(
            zip(self.districts["feature_id"].astype(str), self.districts["name"], strict=True)
        )
        districts.insert(
            0, "name", [names.get(i, "(outside the districts)") for i in districts.index]
        )
        total = derive(sums.sum().to_frame().T, self.population).iloc[0]
        if sums.loc[OUTSIDE].abs().max() < 1e-6:
            districts = districts.drop(index=OUTSIDE)
        districts.loc[:, "land_take_years"] = np.nan  # the target share is the municipality's
        if self.network is None:  # no street layer: no walking distances
            districts.loc[:, "green_walk_share"] = np.nan
            total["green_walk_share"] = np.nan
        return IndicatorTable(districts, total)

    def _patches(self, landuse: gpd.GeoDataFrame) -> gpd.GeoSeries:
        green = landuse.geometry[landuse["landuse"].isin(self.settings.green_classes)]
        merged = shapely.union_all(green.to_numpy())
        parts = shapely.get_parts(merged) if not merged.is_empty else np.array([])
        return gpd.GeoSeries(parts, crs=landuse.crs)

    def _scenario_patches(self, landuse: gpd.GeoDataFrame, window: BaseGeometry) -> gpd.GeoSeries:
        """The scenario's green spaces: the base's, redone where they touch the window."""
        touched = _near(self.base_patches, window)
        area = shapely.union_all([window, *touched.to_numpy()])
        redone = self._patches(_near(landuse, shapely.box(*area.bounds)))
        kept = self.base_patches.drop(touched.index)
        return gpd.GeoSeries(pd.concat([kept, redone], ignore_index=True), crs=landuse.crs)

    def _district(self, points: gpd.GeoSeries) -> np.ndarray:
        """District id of each point (``OUTSIDE`` when none holds it)."""
        ids = np.full(len(points), OUTSIDE, dtype=object)
        if len(points):
            where, which = self.districts.sindex.query(points.to_numpy(), predicate="within")
            ids[where] = self.districts["feature_id"].astype(str).to_numpy()[which]
        return ids

    @cached_property
    def _district_union(self) -> BaseGeometry:
        return shapely.union_all(self.districts.geometry.to_numpy())

    def _pieces(self, landuse: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Land-use areas cut at district boundaries, each with its district."""
        shapes = landuse.geometry.to_numpy()
        rows, which = self.districts.sindex.query(shapes, predicate="intersects")
        inside = shapely.intersection(shapes[rows], self.districts.geometry.to_numpy()[which])
        outside = shapely.difference(shapes, self._district_union)
        ids = self.districts["feature_id"].astype(str).to_numpy()
        geometry = np.concatenate([inside, outside])
        rows = np.concatenate([rows, np.arange(len(shapes))])
        district = np.concatenate([ids[which], np.full(len(shapes), OUTSIDE, dtype=object)])
        sealing = (
            pd.to_numeric(landuse["sealing"], errors="coerce").to_numpy(dtype=np.float64)
            if "sealing" in landuse.columns
            else np.full(len(shapes), np.nan)
        )
        keep = shapely.area(geometry) > 0
        return gpd.GeoDataFrame(
            {
                "landuse": landuse["landuse"].astype(str).to_numpy(dtype=object)[rows[keep]],
                "sealing": sealing[rows[keep]],
                "district": district[keep],
            },
            geometry=geometry[keep],
            crs=landuse.crs,
        )

    def _sums(
        self,
        layers: TwinLayers,
        greens: GreenSpaces,
        *,
        base: gpd.GeoDataFrame | None = None,
        near_green: gpd.GeoDataFrame | None = None,
    ) -> pd.DataFrame:
        """Sums per district of these layers (all but the district areas).

        Residents near green space are counted for the buildings ``near_green`` (default:
        these layers' buildings); land take against the ``base`` land use if given.
        """
        sums = _empty_sums(self._index)
        pieces = self._pieces(layers.landuse)
        buildings = self._buildings(layers.buildings)
        self._add_land(sums, pieces, buildings)
        self._add_buildings(sums, buildings)
        green = buildings if near_green is None else self._buildings(near_green)
        self._add_green_access(sums, green, greens)
        self._add_trees(sums, layers.trees)
        if base is not None:
            self._add_land_take(sums, pieces, base)
        return sums

    def _buildings(self, buildings: gpd.GeoDataFrame) -> pd.DataFrame:
        points = buildings.geometry.representative_point()
        area = floor_area(buildings) if len(buildings) else np.zeros(0)
        use = buildings["use"].fillna("other").astype(str).to_numpy(dtype=object)
        return pd.DataFrame(
            {
                "district": self._district(points),
                "footprint": buildings.geometry.area.to_numpy(),
                "floor_area": area,
                "use": np.where(np.isin(use, FLOOR_USES), use, "other"),
                "residents": self.factors.residents(area, use),
                "dwellings": self.factors.dwellings(area, use),
                "jobs": self.factors.jobs(area, use),
                "point": points.to_numpy(),
            }
        )

    def _add_land(
        self, sums: pd.DataFrame, pieces: gpd.GeoDataFrame, buildings: pd.DataFrame
    ) -> None:
        area = pieces.geometry.area.to_numpy()
        cls = pieces["landuse"].astype(str).to_numpy(dtype=object)
        suv = np.isin(cls, SUV_CLASSES)
        sealing = pieces["sealing"].to_numpy(dtype=np.float64)
        sealing = np.where(np.isnan(sealing), self.factors.sealing(cls), sealing)
        # sealed = open-ground share of the whole area + the rest of each roof: a sum over
        # areas and over buildings, so that a window can count both independently
        roof_share = np.zeros(len(buildings))
        if len(buildings) and len(pieces):
            where, which = pieces.sindex.query(buildings["point"].to_numpy(), predicate="within")
            roof_share[where] = sealing[which]
        roofs = pd.DataFrame(
            {
                "district": buildings["district"],
                "sealed_m2": buildings["footprint"] * (1 - roof_share),
            }
        )
        _accumulate(sums, roofs)
        frame = pd.DataFrame(
            {
                "district": pieces["district"].to_numpy(),
                "sealed_m2": area * sealing,
                "suv_m2": area * suv,
                "building_land_m2": area * np.isin(cls, BUILDING_LAND),
                "residential_land_m2": area * np.isin(cls, RESIDENTIAL_LAND),
                "green_m2": area * np.isin(cls, self.settings.green_classes),
            }
        )
        _accumulate(sums, frame)

    def _add_buildings(self, sums: pd.DataFrame, buildings: pd.DataFrame) -> None:
        frame = buildings[["district", "floor_area", "dwellings", "residents", "jobs"]].rename(
            columns={"floor_area": "floor_area_m2"}
        )
        for use in FLOOR_USES:
            frame[f"floor_{use}_m2"] = buildings["floor_area"].where(buildings["use"] == use, 0.0)
        _accumulate(sums, frame)

    def _greens(self, patches: gpd.GeoSeries) -> GreenSpaces:
        large = patches[patches.area >= self.settings.green_min_area_ha * 1e4]
        if self.network is None:
            return GreenSpaces(large, None)
        return GreenSpaces(large, self.network.distances(large, self.settings.green_distance_m))

    def _add_green_access(
        self, sums: pd.DataFrame, buildings: pd.DataFrame, greens: GreenSpaces
    ) -> None:
        large = greens.large
        near = np.zeros(len(buildings), dtype=bool)
        if len(large) and len(buildings):
            where, _ = large.sindex.query(
                buildings["point"].to_numpy(),
                predicate="dwithin",
                distance=self.settings.green_distance_m,
            )
            near[where] = True
        frame = pd.DataFrame(
            {
                "district": buildings["district"],
                "residents_near_green": buildings["residents"] * near,
                "residents_walk_green": self._walkers(buildings, greens),
            }
        )
        _accumulate(sums, frame)

    def _walkers(self, buildings: pd.DataFrame, greens: GreenSpaces) -> np.ndarray:
        """Residents of each building who walk to a large green space within reach.

        Without a street layer there is no walking figure (:meth:`_table` shows none).
        """
        if self.network is None or greens.walk is None:
            return np.zeros(len(buildings))
        limit = self.settings.green_distance_m
        return buildings["residents"].to_numpy() * self.network.within(
            buildings["point"].to_numpy(), greens.walk, limit
        )

    def _add_trees(self, sums: pd.DataFrame, trees: gpd.GeoDataFrame) -> None:
        frame = pd.DataFrame(
            {
                "district": self._district(trees.geometry),
                "trees": 1.0,
                "canopy_m2": tree_crowns(trees).area.to_numpy() if len(trees) else np.zeros(0),
            }
        )
        _accumulate(sums, frame)

    def _add_land_take(
        self, sums: pd.DataFrame, pieces: gpd.GeoDataFrame, base: gpd.GeoDataFrame
    ) -> None:
        """New SuV: land that is SuV now and was not in the base, inside or outside the settlement."""
        was_open = base.geometry[~base["landuse"].isin(SUV_CLASSES)]
        if was_open.empty:
            return
        now_suv = pieces[pieces["landuse"].isin(SUV_CLASSES)]
        taken = now_suv.geometry.intersection(shapely.union_all(was_open.to_numpy()))
        frame = pd.DataFrame(
            {
                "district": now_suv["district"].to_numpy(),
                "land_take_m2": taken.area.to_numpy(),
                "land_take_outer_m2": taken.difference(self.settlement).area.to_numpy(),
            }
        )
        _accumulate(sums, frame)


def _accumulate(sums: pd.DataFrame, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    grouped = frame.groupby("district").sum(numeric_only=True)
    sums.loc[grouped.index, grouped.columns] += grouped.to_numpy()


def _near(features: FeaturesT, area: BaseGeometry) -> FeaturesT:
    """The features that intersect ``area``."""
    return features.iloc[touching(features, area)]


def _union_bounds(
    window: BaseGeometry, *frames: gpd.GeoDataFrame | gpd.GeoSeries
) -> tuple[float, float, float, float]:
    corners = np.array([window.bounds, *(f.total_bounds for f in frames if len(f))])
    return (corners[:, 0].min(), corners[:, 1].min(), corners[:, 2].max(), corners[:, 3].max())


def _clipped(layers: TwinLayers, bounds: tuple[float, float, float, float]) -> TwinLayers:
    """What an edit window holds: land use cut to it, buildings and trees that touch it.

    Land outside the window is the same before and after the edits, so only the part
    inside is counted; buildings and trees are counted whole, and the same ones on both
    sides, since nothing outside the window was changed.
    """
    window = shapely.box(*bounds)
    landuse = _near(layers.landuse, window).copy()
    landuse[landuse.geometry.name] = landuse.geometry.intersection(window)  # clip_by_rect may
    # return invalid rings, which later set operations refuse
    landuse = landuse[~landuse.geometry.is_empty]
    return TwinLayers(
        layers.boundary, landuse, _near(layers.buildings, window), _near(layers.trees, window)
    )


_TWINS: dict[str, tuple[str, LandUseTwin]] = {}
_TWINS_LOCK = threading.Lock()


def cached_landuse_twin(store: TwinStore, config: MunicipalityConfig) -> LandUseTwin:
    """The municipality's :class:`LandUseTwin`, reused while its base state is unchanged.

    Servers answer many scenario questions about one base; its indicators, settlement
    body and green spaces are computed once per base state (:func:`base_state`).
    """
    state = base_state(config, store)
    with _TWINS_LOCK:
        cached = _TWINS.get(config.slug)
        if cached is None or cached[0] != state:
            cached = (state, landuse_twin(store, config))
            _TWINS[config.slug] = cached
        return cached[1]


def landuse_twin(store: TwinStore, config: MunicipalityConfig) -> LandUseTwin:
    """The land-use indicators of one municipality's twin, as stored."""
    districts = read_layer(store, config, LayerKind.DISTRICTS)
    streets = read_layer(store, config, LayerKind.STREETS)
    return LandUseTwin(twin_layers(store, config), districts, config.landuse, streets)


@dataclass(frozen=True)
class DesignationCheck:
    """§ 17 BauNVO check of one designated building area of a scenario."""

    edit: int
    label: str
    area_type: str
    area_ha: float
    grz: float
    gfz: float
    filled: bool
    findings: list[Finding]


def check_designations(edits: list[Edit]) -> list[DesignationCheck]:
    """Every designated building area with the GRZ/GFZ it is built with and its findings.

    Values the plan left open are filled with the § 17 guide values (``filled``), which
    the brief says, since they are an upper bound rather than the plan's intent.
    """
    checks = []
    for number, edit in enumerate(edits, 1):
        if not edit.builds or edit.use is None:
            continue
        grz, gfz, filled = planned_measure(
            edit.use, grz=edit.grz, gfz=edit.gfz, storeys=edit.storeys
        )
        found = check_measure(edit.use, grz=edit.grz, gfz=edit.gfz, storeys=edit.storeys)
        checks.append(
            DesignationCheck(
                number, edit.label, edit.use, edit.geometry.area / 1e4, grz, gfz, filled, found
            )
        )
    return checks
