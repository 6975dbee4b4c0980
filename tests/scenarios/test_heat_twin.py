"""The heat model on real twins: Musterstadt (sample) and Hamburg-Eimsbüttel (real data)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely

from sample_data import get_path
from scenarios.conversion import LIVING_SHARE_OF_FLOOR_AREA, LIVING_SPACE_PER_PERSON_M2
from scenarios.edits import Edit, EditError, apply_edits, edit_from_feature
from scenarios.heat import HeatModel, HeatModelError
from scenarios.heat_calibration import dwd_reference_temperature, live_heat_map
from scenarios.heat_landcover import COVER_CODES, mixed_surface, rasterise
from scenarios.heat_table import default_table
from scenarios.heat_twin import TwinHeat, cached_twin_heat, parameters_from
from tests.conftest import build_workspace, hamburg_file, make_town
from twin.errors import DataFileError, TwinError
from twin.workspace import Workspace


@pytest.fixture(scope="module")
def musterstadt(imported_workspace: Workspace) -> TwinHeat:
    config = imported_workspace.config("musterstadt")
    return TwinHeat(config, imported_workspace.store("musterstadt"))


def full_recompute(model: TwinHeat, edits: list[Edit]):
    edited, _ = apply_edits(model.layers, edits)
    cover = rasterise(edited, model.grid)
    surface = mixed_surface(cover, model.table, et0=model.config.heat.et0)
    return HeatModel.for_surface(
        surface, cell_size=model.grid.cell_size, parameters=model.parameters
    ).run(surface), cover


def test_land_cover_holds_the_twins_layers(musterstadt: TwinHeat) -> None:
    cover = musterstadt.cover
    boundary = musterstadt.layers.boundary
    assert cover.valid.sum() * 100 == pytest.approx(boundary.area, rel=0.01)
    assert (cover.codes[cover.valid] == COVER_CODES["building"]).any()
    # roofs counted on the sub-grid add up to the footprints (inside the boundary)
    footprints = musterstadt.layers.buildings.geometry.intersection(boundary).area.sum()
    assert cover.roof_fraction.sum() * 100 == pytest.approx(footprints, rel=0.05)
    assert cover.canopy_fraction.max() > 0.9
    # residents from floor area land near the districts' registered population
    population = musterstadt.zones["population"].sum()
    assert cover.residents.sum() == pytest.approx(population, rel=0.15)


def test_districts_get_statistics_and_residents(musterstadt: TwinHeat) -> None:
    table = musterstadt.statistics(musterstadt.base)
    assert list(table["name"]) == list(musterstadt.zones["name"])
    assert (
        table["avg_tmp_v"]
        .between(
            musterstadt.parameters.t_ref,
            musterstadt.parameters.t_ref + musterstadt.parameters.uhi_max,
        )
        .all()
    )
    assert (table["max_tmp_v"] >= table["avg_tmp_v"]).all()
    assert table["residents"].sum() == pytest.approx(musterstadt.cover.residents.sum(), rel=0.02)


def park_edit(model: TwinHeat) -> Edit:
    """A park on the square, around its buildings (a designation clears buildings in it)."""
    square = model.layers.landuse[model.layers.landuse["landuse"] == "sealed_open"].geometry
    roofs = model.layers.buildings.geometry.buffer(1.0).union_all()
    return Edit("designate", square.iloc[0].difference(roofs), use="green")


def test_windowed_scenario_equals_a_full_recompute(musterstadt: TwinHeat) -> None:
    edits = [
        park_edit(musterstadt),
        Edit(
            "plant_trees",
            shapely.LineString([(633300, 5497500), (633700, 5497500)]),
            crown_diameter_m=10,
            spacing_m=10,
        ),
        Edit("remove_buildings", shapely.box(633400, 5497650, 633500, 5497750)),
    ]
    scenario = musterstadt.scenario(edits)
    full, cover = full_recompute(musterstadt, edits)
    for name in ("cc", "cc_park", "green_area", "hm", "hm_mixed"):
        np.testing.assert_allclose(
            getattr(scenario.result, name), getattr(full, name), atol=1e-9, err_msg=name
        )
    np.testing.assert_allclose(scenario.cover.residents, cover.residents)
    assert scenario.cover.residents.sum() < musterstadt.cover.residents.sum()


def test_a_new_park_cools_and_paving_it_again_restores_the_base(musterstadt: TwinHeat) -> None:
    edit = park_edit(musterstadt)
    cooled = musterstadt.scenario([edit]).result
    centre = edit.geometry.representative_point()
    row, col = (int(v) for v in reversed(~musterstadt.grid.transform * (centre.x, centre.y)))
    assert cooled.t_air_nomix()[row, col] < musterstadt.base.t_air_nomix()[row, col] - 0.3
    assert np.nanmax(cooled.t_air() - musterstadt.base.t_air()) < 1e-9  # nowhere warmer
    undone = musterstadt.scenario(
        [edit, Edit("designate", edit.geometry, use="sealed_open")]
    ).result
    np.testing.assert_allclose(undone.t_air(), musterstadt.base.t_air(), atol=1e-9)


def test_a_new_building_adds_its_residents(musterstadt: TwinHeat) -> None:
    footprint = shapely.box(633100, 5497100, 633130, 5497120)  # 600 m²
    edit = edit_from_feature(
        0,
        footprint,
        {"edit": "add_building", "storeys": 4, "use": "residential"},
        musterstadt.layers.boundary,
    )
    scenario = musterstadt.scenario([edit])
    added = scenario.cover.residents.sum() - musterstadt.cover.residents.sum()
    expected = 600 * 4 * LIVING_SHARE_OF_FLOOR_AREA / LIVING_SPACE_PER_PERSON_M2  # 37.7
    assert added == pytest.approx(expected, rel=1e-6)
    rows, cols = musterstadt.grid.block(footprint.bounds)
    assert scenario.cover.floor_ratio[rows, cols].max() == pytest.approx(4.0)


@pytest.mark.parametrize(
    ("geometry", "props", "message"),
    [
        (shapely.box(633000, 5497000, 633100, 5497100), {"edit": "pave"}, "unknown edit 'pave'"),
        (
            shapely.box(633000, 5497000, 633100, 5497100),
            {"edit": "designate", "use": "beach"},
            "use 'beach' is not known",
        ),
        (
            shapely.Polygon(
                [(633000, 5497000), (633100, 5497100), (633100, 5497000), (633000, 5497100)]
            ),
            {"edit": "unseal"},
            "invalid geometry",
        ),
        (shapely.box(0, 0, 10, 10), {"edit": "unseal"}, "outside the municipality"),
        (
            shapely.box(633000, 5497000, 633100, 5497100),
            {"edit": "add_building", "height_m": 900},
            "height_m = 900 is outside",
        ),
        (shapely.Point(633000, 5497000), {"edit": "remove_trees"}, "needs a polygon"),
    ],
)
def test_bad_edits_are_rejected_with_the_reason(
    musterstadt: TwinHeat, geometry, props, message: str
) -> None:
    with pytest.raises(EditError, match=message) as caught:
        edit_from_feature(2, geometry, props, musterstadt.layers.boundary)
    assert str(caught.value).startswith("edit 3")


def test_night_calibration_fits_the_sample_sensors(imported_workspace: Workspace) -> None:
    config = imported_workspace.config("musterstadt")
    store = imported_workspace.store("musterstadt")
    parameters = parameters_from(config.heat).__class__(
        **{**parameters_from(config.heat).__dict__, "cc_method": "intensity"}
    )
    model = TwinHeat(config, store, parameters=parameters)
    fit = model.calibrate(store, radii=(100.0, 200.0))
    assert fit.plausible and fit.r2 > 0.7 and fit.rmse < 0.6
    assert fit.stations == 6 and "T06" in fit.t_ref_source
    assert model.base.parameters.uhi_max == fit.uhi_max
    # the live map reproduces every station where it stands
    live = live_heat_map(model.base.t_air(), model.grid, model.readings, fit.residuals)
    for reading in model.readings:
        assert live[reading.row, reading.col] == pytest.approx(reading.value, abs=1e-6)


def test_day_method_with_night_readings_is_flagged(imported_workspace: Workspace) -> None:
    config = imported_workspace.config("musterstadt")
    store = imported_workspace.store("musterstadt")
    model = TwinHeat(config, store)
    before = model.base
    fit = model.calibrate(store, only_if_plausible=True)
    assert not fit.plausible
    assert model.base is before


def test_dwd_file_gives_t_ref_of_a_hot_day() -> None:
    path = hamburg_file("dwd_produkt_klima_tag_20221124_20240526_01975.txt")
    assert dwd_reference_temperature(path, date(2023, 6, 18)) == 28.5
    assert dwd_reference_temperature(path, date(2023, 6, 18), element="TMK") == 21.1
    with pytest.raises(DataFileError, match="no TXK value for 2030-01-01"):
        dwd_reference_temperature(path, date(2030, 1, 1))


def test_real_hamburg_quarter_runs_at_2_m(hamburg_workspace: Workspace) -> None:
    config = hamburg_workspace.config("hamburg")
    square = gpd.read_file(hamburg_file("hh-eimsbuettel-city-1km2.geojson")).to_crs(config.crs)
    model = TwinHeat(
        config, hamburg_workspace.store("hamburg"), cell_size=2.0, extent=tuple(square.total_bounds)
    )
    assert model.grid.cell_size == 2.0 and model.grid.width * model.grid.height < 400_000
    t_air = model.base.t_air()[model.cover.valid]
    assert np.isfinite(t_air).all()
    # dense Eimsbüttel blocks: a real share of roofs and of tree crowns
    assert 0.1 < model.cover.roof_fraction[model.cover.valid].mean() < 0.7
    assert model.cover.canopy_fraction[model.cover.valid].mean() > 0.02


def test_municipality_overrides_of_the_biophysical_table() -> None:
    table = default_table({"green": {"shade": 0.55}})
    assert table.frame.loc[COVER_CODES["green"], "shade"] == 0.55
    assert table.frame.loc[COVER_CODES["forest"], "shade"] == 0.9
    with pytest.raises(HeatModelError, match=r"\[heat.biophysical.parc\] names no land-cover"):
        default_table({"parc": {"shade": 0.5}})
    with pytest.raises(HeatModelError, match="unknown key"):
        default_table({"green": {"shadow": 0.5}})
    with pytest.raises(HeatModelError, match="shade of lucode"):
        default_table({"green": {"shade": 1.5}})


def test_cached_models_are_reused_until_the_store_changes(imported_workspace: Workspace) -> None:
    config = imported_workspace.config("musterstadt")
    store = imported_workspace.store("musterstadt")
    first = cached_twin_heat(config, store, store_version=1.0)
    assert cached_twin_heat(config, store, store_version=1.0) is first
    assert cached_twin_heat(config, store, store_version=2.0) is not first


def test_a_configured_dask_scheduler_computes_the_base(imported_workspace: Workspace) -> None:
    from distributed import LocalCluster

    config = imported_workspace.config("musterstadt")
    store = imported_workspace.store("musterstadt")
    in_memory = TwinHeat(config, store)
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        chunked = config.model_copy(
            update={
                "heat": config.heat.model_copy(update={"dask_scheduler": cluster.scheduler_address})
            }
        )
        on_cluster = TwinHeat(chunked, store)
    np.testing.assert_allclose(on_cluster.base.t_air(), in_memory.base.t_air(), atol=1e-9)
    broken = config.model_copy(
        update={"heat": config.heat.model_copy(update={"dask_scheduler": "tcp://127.0.0.1:9"})}
    )
    with pytest.raises(HeatModelError, match="cannot reach the Dask scheduler"):
        TwinHeat(broken, store)


def test_an_et0_raster_layer_of_the_twin(tmp_path: Path) -> None:
    # Musterstadt with an ET0 grid: higher in the east, with a nodata corner in the north-west
    transform = rasterio.transform.from_origin(631900, 5499100, 100, 100)
    et0 = np.tile(3.0 + np.arange(32, dtype=np.float32) / 16, (32, 1))
    et0[:6, :6] = -1
    raster = tmp_path / "et0.tif"
    with rasterio.open(
        raster,
        "w",
        driver="GTiff",
        width=32,
        height=32,
        count=1,
        dtype="float32",
        crs="EPSG:25832",
        transform=transform,
        nodata=-1,
    ) as dst:
        dst.write(et0, 1)
    sample = get_path("musterstadt")
    text = re.sub(
        r'^(path|boundary|history) = "',
        rf'\1 = "{sample.parent}/',
        sample.read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    text += (
        f'\n[[layers]]\nname = "et0"\ntitle = {{ de = "ET0", en = "ET0" }}\n'
        f'kind = "raster"\npath = "{raster}"\nclassification = "internal"\n'
        'owner = "DWD"\nlicence = "CC0-1.0"\nsource = "test"\n\n[heat]\net0_layer = "et0"\n'
    )
    (tmp_path / "town.toml").write_text(text, encoding="utf-8")
    workspace = build_workspace(tmp_path / "ws", tmp_path / "town.toml")
    model = TwinHeat(workspace.config("musterstadt"), workspace.store("musterstadt"))
    assert model.et0_valid is not None
    cells = model.cover.valid
    unknown = cells & ~model.et0_valid
    assert unknown.any() and np.isnan(model.base.cc[unknown]).all()
    fields = cells & model.et0_valid & (model.cover.codes == COVER_CODES["agriculture"])
    fields &= model.cover.canopy_fraction == 0
    cols = np.nonzero(fields)[1]
    west, east = fields.copy(), fields.copy()
    west[:, cols.mean().astype(int) :] = False
    east[:, : cols.mean().astype(int)] = False
    assert model.base.cc[east].mean() > model.base.cc[west].mean() + 0.01


def test_a_town_with_only_trees_still_gets_a_heat_map(tmp_path: Path) -> None:
    # Testort has no land-use and no building layer: every cell is "other", trees cool
    workspace = build_workspace(tmp_path / "ws", make_town(tmp_path))
    model = TwinHeat(workspace.config("testort"), workspace.store("testort"))
    cells = model.cover.valid
    assert cells.all() and (model.cover.codes == COVER_CODES["other"]).all()
    crowns = model.cover.canopy_fraction > 0
    assert crowns.sum() >= 2  # two of the three trees stand inside the town
    assert model.base.t_air_nomix()[crowns].max() < model.base.t_air_nomix()[~crowns].min()
    table = model.statistics(model.base)
    assert list(table["name"]) == ["Testort"]


def test_edits_outside_the_computed_extent_are_refused(imported_workspace: Workspace) -> None:
    config = imported_workspace.config("musterstadt")
    model = TwinHeat(
        config, imported_workspace.store("musterstadt"), extent=(633000, 5497000, 633600, 5497600)
    )
    far = Edit("unseal", shapely.box(634500, 5498500, 634600, 5498600))
    with pytest.raises(TwinError, match="outside the area this map covers"):
        model.scenario([far])
