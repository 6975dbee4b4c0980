"""The cooling model against cases with known answers (see docs/heat-model.md)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios.convolution import disk_kernel, exponential_kernel
from scenarios.heat import (
    BiophysicalTable,
    HeatModel,
    HeatModelError,
    HeatParameters,
    Surface,
    cooling_capacity,
)
from tests.scenarios.classes import CELL, GREY, LAWN, PARK, TABLE

PARAMETERS = HeatParameters(
    t_ref=22.0, uhi_max=4.0, green_area_cooling_distance=100.0, t_air_average_radius=60.0
)


def run(codes: np.ndarray, parameters: HeatParameters = PARAMETERS, **surface_args: object):
    surface = TABLE.surface(codes, **surface_args)  # type: ignore[arg-type]
    model = HeatModel.for_surface(surface, cell_size=CELL, parameters=parameters)
    return model, surface, model.run(surface)


def test_uniform_land_cover_gives_uniform_temperature_up_to_the_edges() -> None:
    _, _, result = run(np.full((40, 55), LAWN))
    expected = 22.0 + (1 - (0.2 * 0.2 + 0.2 * 0.8)) * 4.0
    np.testing.assert_allclose(result.t_air_nomix(), expected, atol=1e-12)
    np.testing.assert_allclose(result.t_air(), expected, atol=1e-9)


@pytest.mark.parametrize("column", ["shade", "albedo", "kc"])
def test_more_shade_albedo_or_evapotranspiration_means_more_mitigation(column: str) -> None:
    codes = np.full((30, 30), GREY)
    hm = []
    for value in (0.1, 0.4, 0.8):
        frame = TABLE.frame.copy()
        frame.loc[GREY, column] = value
        surface = BiophysicalTable(frame).surface(codes)
        model = HeatModel.for_surface(surface, cell_size=CELL, parameters=PARAMETERS)
        hm.append(float(model.run(surface).hm.mean()))
    assert hm[0] < hm[1] < hm[2]


def test_weights_are_rescaled_to_sum_one() -> None:
    codes = np.full((20, 20), PARK)
    doubled = HeatParameters(
        weight_shade=1.2,
        weight_albedo=0.4,
        weight_eti=0.4,
        green_area_cooling_distance=100.0,
        t_air_average_radius=60.0,
    )
    _, _, plain = run(codes)
    _, _, scaled = run(codes, doubled)
    np.testing.assert_allclose(plain.cc, scaled.cc)


def test_night_method_uses_building_intensity() -> None:
    _, _, result = run(
        np.full((20, 20), GREY),
        HeatParameters(
            cc_method="intensity", green_area_cooling_distance=100.0, t_air_average_radius=60.0
        ),
    )
    np.testing.assert_allclose(result.cc, 1 - 0.8)


def park_town(side_cells: int, size: int = 160) -> np.ndarray:
    codes = np.full((size, size), GREY)
    start = size // 2 - side_cells // 2
    codes[start : start + side_cells, start : start + side_cells] = PARK
    return codes


def test_a_large_park_cools_its_surroundings_with_the_model_decay() -> None:
    # a 9 ha park; the cooling distance of 150 m lets the 2 ha test pass just outside it
    # (with 100 m, half a disk holds only 1.57 ha: parks could never cool their neighbours)
    parameters = HeatParameters(
        t_ref=22.0, uhi_max=4.0, green_area_cooling_distance=150.0, t_air_average_radius=60.0
    )
    codes = park_town(30, size=260)  # park rows/cols 115..144
    _, surface, result = run(codes, parameters)
    cc_grey = 0.2 * 0.1 + 0.2 * 0.2
    cc_park_cell = 0.6 * 0.7 + 0.2 * 0.2 + 0.2 * 1.0
    kernel, disk = exponential_kernel(15), disk_kernel(15)
    reach = kernel.shape[0] // 2
    ring = []
    for col in range(145, 175):
        # park cooling summed directly (no FFT): the kernel lies wholly inside the grid here
        window = surface.green[130 - reach : 131 + reach, col - reach : col + reach + 1]
        expected = cc_park_cell * float((window * kernel).sum())
        assert result.cc_park[130, col] == pytest.approx(expected, abs=1e-7)  # float32 table
        near = surface.green[130 - 15 : 131 + 15, col - 15 : col + 16]
        green_ha = float((near * disk).sum()) * CELL**2 / 10_000
        if green_ha >= 2 and expected > cc_grey:
            assert result.hm[130, col] == pytest.approx(expected)
            ring.append(result.hm[130, col])
        else:
            assert result.hm[130, col] == pytest.approx(cc_grey)
    assert len(ring) >= 5
    assert all(a > b for a, b in itertools.pairwise(ring))  # decays with distance
    assert result.hm[130, 200] == pytest.approx(cc_grey)  # beyond the cooling distance


def test_a_park_under_2_ha_cools_nothing_beyond_itself() -> None:
    parameters = HeatParameters(green_area_cooling_distance=150.0, t_air_average_radius=60.0)
    codes = park_town(13)  # 1.69 ha
    _, surface, result = run(codes, parameters)
    outside = surface.green == 0
    np.testing.assert_allclose(result.hm[outside], result.cc[outside])


def test_mixing_conserves_the_mean_on_a_uniform_background() -> None:
    codes = np.full((200, 200), GREY)
    codes[90:110, 90:110] = PARK
    _, _, result = run(codes)
    assert float(result.t_air().mean()) == pytest.approx(
        float(result.t_air_nomix().mean()), abs=1e-9
    )
    assert np.ptp(result.t_air()) < np.ptp(result.t_air_nomix())  # and it smooths


def test_nodata_cells_have_no_result_and_do_not_pull_neighbours() -> None:
    codes = np.full((40, 40), LAWN)
    valid = np.ones(codes.shape, dtype=bool)
    valid[10:14, 20:30] = False
    _, _, result = run(codes, valid=valid)
    assert np.isnan(result.t_air()[~valid]).all()
    np.testing.assert_allclose(result.t_air()[valid], result.t_air()[valid][0], atol=1e-9)


def test_et0_nodata_leaves_cooling_undefined_only_by_day() -> None:
    codes = np.full((30, 30), LAWN)
    et0 = np.full(codes.shape, 5.0)
    et0_valid = np.ones(codes.shape, dtype=bool)
    et0_valid[:5, :5] = False
    _, _, day = run(codes, et0=et0, et0_valid=et0_valid)
    assert np.isnan(day.hm[:5, :5]).all() and np.isfinite(day.hm[5:, 5:]).all()
    night = HeatParameters(
        cc_method="intensity", green_area_cooling_distance=100.0, t_air_average_radius=60.0
    )
    _, _, result = run(codes, night, et0=et0, et0_valid=et0_valid)
    assert np.isfinite(result.hm).all()


def test_temperatures_can_be_changed_without_recomputing() -> None:
    _, _, result = run(park_town(20))
    other = result.with_temperatures(30.0, 6.0)
    np.testing.assert_allclose(other.t_air(), 30.0 + (result.t_air() - 22.0) / 4.0 * 6.0)


def test_unknown_codes_and_too_short_distances_are_clear_errors() -> None:
    with pytest.raises(HeatModelError, match=r"code\(s\) \[7\]"):
        TABLE.surface(np.full((3, 3), 7))
    with pytest.raises(HeatModelError, match="less than one cell"):
        HeatParameters(green_area_cooling_distance=4.0).cells(10.0)


def edited(codes: np.ndarray, rows: slice, cols: slice, code: int) -> np.ndarray:
    changed = codes.copy()
    changed[rows, cols] = code
    return changed


@settings(max_examples=12, deadline=None)
@given(
    row=st.integers(0, 150),
    col=st.integers(0, 170),
    height=st.integers(1, 30),
    width=st.integers(1, 30),
    code=st.sampled_from([GREY, PARK, LAWN]),
)
def test_windowed_update_equals_a_full_recompute(
    row: int, col: int, height: int, width: int, code: int
) -> None:
    codes = np.full((170, 190), GREY)
    codes[40:80, 30:90] = PARK
    codes[100:150, 120:140] = LAWN
    model, _, base = run(codes)
    rows, cols = slice(row, min(row + height, 170)), slice(col, min(col + width, 190))
    changed = TABLE.surface(edited(codes, rows, cols, code))
    windowed = model.update(base, changed.window(rows, cols), rows, cols)
    full = model.run(changed)
    for name in ("cc", "cc_park", "green_area", "hm", "hm_mixed"):
        np.testing.assert_allclose(
            getattr(windowed, name), getattr(full, name), atol=1e-9, err_msg=name
        )


def test_a_scenario_changes_nothing_beyond_the_model_reach() -> None:
    codes = np.full((300, 300), GREY)
    codes[140:160, 140:160] = PARK
    model, _, base = run(codes)
    scenario = model.run(TABLE.surface(edited(codes, slice(140, 160), slice(140, 160), GREY)))
    difference = np.abs(scenario.t_air() - base.t_air())
    reach = model.reach
    outside = np.ones(codes.shape, dtype=bool)
    outside[140 - reach : 160 + reach, 140 - reach : 160 + reach] = False
    assert difference[outside].max() < 1e-12
    assert difference[150, 150] > 0.1


def test_surface_windows_keep_scalar_et0() -> None:
    surface = TABLE.surface(np.zeros((4, 4), dtype=int), et0=3.0)
    assert isinstance(surface.window(slice(0, 2), slice(0, 2)), Surface)
    assert surface.window(slice(0, 2), slice(0, 2)).et0 == 3.0


def test_a_block_without_land_cover_has_no_cooling_capacity() -> None:
    codes = np.zeros((3, 4), dtype=int)
    surface = TABLE.surface(codes, valid=np.zeros(codes.shape, dtype=bool))
    model = HeatModel.for_surface(
        TABLE.surface(np.zeros((20, 20), dtype=int)), cell_size=CELL, parameters=PARAMETERS
    )
    base = model.run(TABLE.surface(np.zeros((20, 20), dtype=int)))
    assert np.isnan(cooling_capacity(surface, PARAMETERS, base.et0_max)).all()
