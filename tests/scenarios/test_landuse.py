"""Land-use indicators: hand-computed cases on a small synthetic town, and invariants.

The town is 2 km × 1 km in two districts: farmland in the west, a residential quarter
with a 1.5 ha park and a parking lot in the east. Every expected number below is worked
out from the documented factors, not read back from the code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios.edits import Edit, EditError, apply_edits, edit_from_feature
from scenarios.landuse import (
    FAIR_SHARE_M2_PER_RESIDENT,
    INDICATORS,
    LandUseTwin,
    cached_landuse_twin,
    check_designations,
    landuse_twin,
)
from scenarios.twin_layers import TwinLayers
from tests.scenarios.towns import X0, Y0, box, frame, synthetic_town
from twin.config import LandUseConfig
from twin.workspace import Workspace


@pytest.fixture(scope="module")
def town() -> LandUseTwin:
    return synthetic_town()


def residents_of(floor_area: float) -> float:
    return floor_area * 0.75 / 47.7


def test_the_base_adds_up_by_hand(town: LandUseTwin) -> None:
    total = town.base.total
    assert total["floor_area_m2"] == pytest.approx(10 * 400 * 3)
    assert total["residents"] == pytest.approx(residents_of(12_000))
    assert total["dwellings"] == pytest.approx(12_000 * 0.75 / 92.1)
    assert total["suv_ha"] == pytest.approx(100.0)  # the eastern district; farmland is not SuV
    # roofs + 27 % of the residential open ground + 11 % of the park + 95 % of the parking lot
    quarter = 100 * 1e4 - 1.5e4 - 1e4
    sealed = 4000 + 0.27 * (quarter - 4000) + 0.11 * 1.5e4 + 0.95 * 1e4
    assert total["sealed_ha"] == pytest.approx(sealed / 1e4)
    assert total["green_per_resident_m2"] == pytest.approx(1.5e4 / residents_of(12_000))
    assert total["trees"] == 1 and total["canopy_ha"] == pytest.approx(np.pi * 25 / 1e4, rel=0.05)
    assert set(town.base.districts.index) == {"W", "E"}
    assert town.base.districts.loc["W", "residents"] == 0


def test_one_hectare_wa_gives_the_documented_floor_area_dwellings_and_residents(
    town: LandUseTwin,
) -> None:
    area = box(100, 100, 200, 200)  # 1 ha of farmland, far from the settlement
    result = town.scenario([Edit("designate", area, use="WA", grz=0.4, gfz=1.2)])
    change = result.change.total
    assert change["floor_area_m2"] == pytest.approx(12_000, rel=1e-9)
    assert change["floor_residential_m2"] == pytest.approx(12_000, rel=1e-9)
    assert change["residents"] == pytest.approx(12_000 * 0.75 / 47.7)  # 188.7
    assert change["dwellings"] == pytest.approx(12_000 * 0.75 / 92.1)  # 97.7
    assert change["land_take_ha"] == pytest.approx(1.0)
    assert change["land_take_outer_ha"] == pytest.approx(1.0)
    assert change["sealed_ha"] == pytest.approx(0.6)  # § 19(4): GRZ 0.4 + 50 %
    population = town.base.total["residents"]
    assert result.scenario.total["land_take_years"] == pytest.approx(
        1e4 / (population * FAIR_SHARE_M2_PER_RESIDENT)
    )
    assert result.change.districts.loc["E"].drop("name").abs().max() == pytest.approx(0, abs=1e-9)
    assert (
        check_designations([Edit("designate", area, use="WA", grz=0.4, gfz=1.2)])[0].findings == []
    )


def test_infill_in_a_gap_of_the_settlement_is_inner_development(town: LandUseTwin) -> None:
    town_with_gap = LandUseTwin(
        TwinLayers(
            town.layers.boundary,
            pd.concat(
                [
                    town.layers.landuse.assign(
                        geometry=town.layers.landuse.geometry.difference(box(1400, 100, 1450, 150))
                    ),
                    frame(
                        [{"feature_id": "gap", "landuse": "agriculture"}],
                        [box(1400, 100, 1450, 150)],
                    ),
                ],
                ignore_index=True,
            ),
            town.layers.buildings,
            town.layers.trees,
        ),
        town.districts,
        LandUseConfig(),
    )
    change = town_with_gap.scenario(
        [Edit("designate", box(1400, 100, 1450, 150), use="WA")]
    ).change.total
    assert change["land_take_ha"] == pytest.approx(0.25)
    assert change["land_take_outer_ha"] == pytest.approx(0.0, abs=1e-9)


def test_grz_over_the_guide_value_is_flagged() -> None:
    (check,) = check_designations(
        [Edit("designate", box(0, 0, 100, 100), use="WA", grz=0.5, gfz=1.0)]
    )
    assert [f.severity for f in check.findings] == ["warning"]
    assert "GRZ 0.5" in check.findings[0].message_en and "0.4" in check.findings[0].message_en
    (strict,) = check_designations([Edit("designate", box(0, 0, 100, 100), use="SO-W", grz=0.3)])
    assert strict.findings[0].severity == "error" and strict.filled
    (unbuildable,) = check_designations(
        [Edit("designate", box(0, 0, 100, 100), use="MI", grz=0.3, gfz=1.2, storeys=2)]
    )
    assert [f.severity for f in unbuildable.findings] == ["error"]


def test_missing_measures_fall_back_to_section_17(town: LandUseTwin) -> None:
    (check,) = check_designations([Edit("designate", box(100, 100, 200, 200), use="MI")])
    assert (check.grz, check.gfz, check.filled) == (0.6, 1.2, True)
    change = town.scenario([Edit("designate", box(100, 100, 200, 200), use="MI")]).change.total
    assert change["floor_mixed_m2"] == pytest.approx(12_000)
    assert change["jobs"] == pytest.approx(6_000 / 35)  # half of a mixed building, 35 m² per job


def test_a_park_on_farmland_raises_green_per_resident_by_its_area(town: LandUseTwin) -> None:
    result = town.scenario([Edit("designate", box(800, 0, 1000, 100), use="green")])  # 2 ha
    residents = town.base.total["residents"]
    assert result.change.total["green_per_resident_m2"] == pytest.approx(2e4 / residents)
    assert result.change.total["land_take_ha"] == pytest.approx(2.0)  # parks are SuV


def test_parking_to_park_unseals_but_takes_no_land(town: LandUseTwin) -> None:
    change = town.scenario([Edit("designate", box(1150, 800, 1250, 900), use="green")]).change.total
    assert change["suv_ha"] == pytest.approx(0, abs=1e-9)
    assert change["land_take_ha"] == pytest.approx(0, abs=1e-9)
    assert change["sealed_ha"] == pytest.approx(-(0.95 - 0.11) * 1.0)
    assert change["green_ha"] == pytest.approx(1.0)


def test_green_access_counts_residents_within_reach_of_a_large_park(town: LandUseTwin) -> None:
    # the 1.5 ha park is over 500 m from every building: nobody is within 300 m
    assert town.base.total["green_access_share"] == 0
    # a 1 ha park 240 m north of the row reaches the buildings with centres x <= 1780: 7 of 10
    park = town.scenario([Edit("designate", box(1500, 650, 1600, 750), use="green")])
    assert park.scenario.total["green_access_share"] == pytest.approx(70)
    too_small = town.scenario([Edit("designate", box(1500, 650, 1590, 750), use="green")])  # 0.9 ha
    assert too_small.scenario.total["green_access_share"] == 0
    # two touching parks of 0.45 and 0.55 ha count as one park of 1 ha
    halves = [box(1500, 650, 1545, 750), box(1545, 650, 1600, 750)]
    joined = town.scenario([Edit("designate", half, use="green") for half in halves])
    assert joined.scenario.total["green_access_share"] == pytest.approx(70)


def test_unsealing_modifying_and_removing(town: LandUseTwin) -> None:
    unsealed = town.scenario([Edit("unseal", box(1150, 800, 1250, 900))]).change.total
    assert unsealed["sealed_ha"] == pytest.approx(-0.95)
    taller = town.scenario(
        [Edit("modify_buildings", box(1490, 390, 1570, 430), add_storeys=1)]
    ).change.total
    assert taller["floor_area_m2"] == pytest.approx(2 * 400)
    gone = town.scenario([Edit("remove_buildings", box(1490, 390, 1570, 430))]).change.total
    assert gone["residents"] == pytest.approx(-residents_of(2 * 1200))


def test_edits_are_checked_with_messages() -> None:
    boundary = box(0, 0, 2000, 1000)
    with pytest.raises(EditError, match=r"edit 1 \(designate\): GRZ only apply to building areas"):
        edit_from_feature(
            0, box(0, 0, 10, 10), {"edit": "designate", "use": "green", "grz": 0.3}, boundary
        )
    with pytest.raises(EditError, match=r"GFZ 0\.2 is smaller than GRZ 0\.4"):
        edit_from_feature(
            0,
            box(0, 0, 10, 10),
            {"edit": "designate", "use": "WA", "grz": 0.4, "gfz": 0.2},
            boundary,
        )
    with pytest.raises(EditError, match="reaches 2,000 m² beyond the municipality"):
        edit_from_feature(0, box(1980, 0, 2020, 100), {"edit": "unseal"}, boundary)
    with pytest.raises(EditError, match=r"use 'XY' is not known"):
        edit_from_feature(0, box(0, 0, 10, 10), {"edit": "designate", "use": "XY"}, boundary)
    with pytest.raises(EditError, match=r"grz = 1\.5 is outside"):
        edit_from_feature(
            0, box(0, 0, 10, 10), {"edit": "designate", "use": "GE", "grz": 1.5}, boundary
        )


@pytest.fixture(scope="module")
def musterstadt_landuse(imported_workspace: Workspace) -> LandUseTwin:
    return landuse_twin(
        imported_workspace.store("musterstadt"), imported_workspace.config("musterstadt")
    )


def full_recompute(twin: LandUseTwin, edits: list[Edit]) -> pd.Series:
    from scenarios.edits import apply_edits

    edited, _ = apply_edits(twin.layers, edits)
    fresh = LandUseTwin(edited, twin.districts, twin.settings, twin.streets)
    return fresh.base.total


def _comparable(total: pd.Series) -> pd.Series:
    return total.drop(["land_take_ha", "land_take_outer_ha", "land_take_years"])


def test_incremental_equals_a_full_recompute_on_musterstadt(
    musterstadt_landuse: LandUseTwin,
) -> None:
    twin = musterstadt_landuse
    fields = twin.layers.landuse[twin.layers.landuse["landuse"] == "agriculture"].geometry
    quarter = twin.layers.landuse[twin.layers.landuse["landuse"] == "residential"].geometry
    edits = [
        Edit(
            "designate",
            fields.iloc[0].intersection(fields.iloc[0].centroid.buffer(80)),
            use="WA",
            gfz=0.8,
        ),
        Edit("designate", quarter.iloc[3], use="green"),
        Edit("unseal", quarter.iloc[5].buffer(-5)),
        Edit("modify_buildings", quarter.iloc[7], add_storeys=2),
    ]
    incremental = twin.scenario(edits).scenario.total
    pd.testing.assert_series_equal(
        _comparable(incremental), _comparable(full_recompute(twin, edits)), rtol=1e-9, atol=1e-6
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["WA", "MI", "GE", "green", "unseal", "remove_buildings", "plant_trees"]),
    x=st.floats(1020, 1800),
    y=st.floats(20, 700),
    size=st.floats(10, 150),
)
def test_an_edit_in_one_district_leaves_the_other_unchanged_and_undoing_restores(
    town: LandUseTwin, kind: str, x: float, y: float, size: float
) -> None:
    area = box(x, y, min(x + size, 1990), y + size)
    edit = (
        Edit(kind, area)
        if kind in ("unseal", "remove_buildings", "plant_trees")
        else Edit("designate", area, use=kind)
    )
    result = town.scenario([edit])
    west = result.change.districts.loc["W"].drop(["name", "green_access_share"])
    assert west.abs().max() == pytest.approx(0, abs=1e-9)
    assert set(result.scenario.total.index) == set(INDICATORS)


def test_walking_distance_follows_the_streets(town: LandUseTwin) -> None:
    # a street just north of the row of houses (y 430) and one up to the park's corner (x 1600)
    streets = frame(
        [{"feature_id": "s1"}, {"feature_id": "s2"}],
        [
            shapely.LineString([(X0 + 1000, Y0 + 430), (X0 + 2000, Y0 + 430)]),
            shapely.LineString([(X0 + 1600, Y0 + 430), (X0 + 1600, Y0 + 650)]),
        ],
    )
    walkable = LandUseTwin(town.layers, town.districts, LandUseConfig(), streets)
    assert walkable.base.total["green_walk_share"] == 0
    assert np.isnan(town.base.total["green_walk_share"])  # no street layer, no walking figure
    park = [Edit("designate", box(1500, 650, 1600, 750), use="green")]
    result = walkable.scenario(park)
    # walk = ~20 m to the street + along it to x 1600 + 220 m north: houses at x 1550-1630
    assert result.scenario.total["green_walk_share"] == pytest.approx(30)
    assert result.scenario.total["green_access_share"] == pytest.approx(70)  # air-line
    edited, _ = apply_edits(walkable.layers, park)
    full = LandUseTwin(edited, town.districts, LandUseConfig(), streets).base.total
    assert full["green_walk_share"] == pytest.approx(result.scenario.total["green_walk_share"])


def test_a_server_reuses_the_base_until_the_twin_changes(imported_workspace: Workspace) -> None:
    store, config = (
        imported_workspace.store("musterstadt"),
        imported_workspace.config("musterstadt"),
    )
    first = cached_landuse_twin(store, config)
    assert cached_landuse_twin(store, config) is first
    changed = config.model_copy(
        update={"landuse": config.landuse.model_copy(update={"green_distance_m": 500.0})}
    )
    other = cached_landuse_twin(store, changed)
    assert other is not first and other.settings.green_distance_m == 500.0
    assert other.base.total["green_access_share"] > first.base.total["green_access_share"]


def test_building_on_open_land_asks_for_a_justification(town: LandUseTwin) -> None:
    on_fields = Edit("designate", box(900, 100, 1100, 150), use="WA")  # half fields, half quarter
    (check,) = town.designations([on_fields])
    messages = [f.message_en for f in check.findings]
    assert messages == [
        "takes 0.50 ha of agriculture (§ 1a(2) BauGB: justify the conversion against infill potential)"
    ]
    (infill,) = town.designations([Edit("designate", box(1100, 100, 1200, 150), use="WA")])
    assert infill.findings == []
    assert town.designations([Edit("designate", box(100, 100, 200, 200), use="green")]) == []
