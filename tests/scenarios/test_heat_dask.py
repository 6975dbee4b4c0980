from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from distributed import Client, LocalCluster

from scenarios.heat import BiophysicalTable, HeatModel, HeatParameters, HeatResult, Surface
from scenarios.heat_dask import overlap_chunks, run_chunked
from tests.scenarios.classes import CELL, GREY, LAWN, PARK, ROWS

WATER = 3
TABLE = BiophysicalTable.from_rows(
    [
        *ROWS,
        {
            "lucode": WATER,
            "shade": 0.0,
            "kc": 1.2,
            "albedo": 0.06,
            "green_area": 0,
            "building_intensity": 0.0,
        },
    ]
)
# kernel radii: park 5·10 = 50 cells, green disk 10, mixing 5·15 = 75
DAY = HeatParameters(green_area_cooling_distance=100.0, t_air_average_radius=150.0)
NIGHT = HeatParameters(
    cc_method="intensity", green_area_cooling_distance=100.0, t_air_average_radius=150.0
)
SHAPE = (300, 420)
GRIDS = ("cc", "green", "cc_park", "green_area", "hm", "hm_mixed")


def make_surface(*, et0_grid: bool = True) -> Surface:
    rng = np.random.default_rng(7)
    rows, cols = SHAPE
    codes = np.full(SHAPE, GREY)
    codes[rng.random(SHAPE) < 0.15] = LAWN  # scattered small green
    codes[200:215, :] = WATER  # a river across the grid
    codes[50:70, 100:125] = PARK  # 5 ha
    codes[150:165, 300:315] = PARK  # 2.25 ha
    codes[240:290, 380:420] = PARK  # 20 ha, touching the east edge
    codes[255:275, 390:405] = LAWN  # a meadow in that park, cooled by the trees around it
    codes[262:266, 384:388] = GREY  # a building in the park
    codes[100:108, 30:38] = PARK  # 0.64 ha: too small to cool its surroundings
    codes[0:30, 200:260] = PARK  # at the north edge
    valid = np.ones(SHAPE, dtype=bool)
    valid[:40, :60] = False  # nodata corner
    valid[rng.random(SHAPE) < 0.01] = False  # scattered nodata
    if not et0_grid:
        return TABLE.surface(codes, valid=valid, et0=4.5)
    yy, xx = np.mgrid[0:rows, 0:cols]
    et0 = 3.0 + 2.0 * np.sin(yy / 40.0) * np.cos(xx / 55.0) + 0.1 * rng.random(SHAPE)
    et0_valid = np.ones(SHAPE, dtype=bool)
    et0_valid[260:, :50] = False  # no ET0 in the south-west
    et0_valid[rng.random(SHAPE) < 0.005] = False
    et0[~et0_valid] = -9999.0
    return TABLE.surface(codes, valid=valid, et0=et0, et0_valid=et0_valid)


def whole(surface: Surface, parameters: HeatParameters) -> HeatResult:
    return HeatModel.for_surface(surface, cell_size=CELL, parameters=parameters).run(surface)


def assert_same(chunked: HeatResult, expected: HeatResult) -> float:
    assert isinstance(chunked, HeatResult)
    assert chunked.parameters == expected.parameters
    assert chunked.et0_max == expected.et0_max
    worst = 0.0
    for name in GRIDS:
        got, want = getattr(chunked, name), getattr(expected, name)
        assert isinstance(got, np.ndarray), name
        assert got.shape == want.shape == SHAPE, name
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=name)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6, equal_nan=True, err_msg=name)
        known = ~np.isnan(want)
        worst = max(worst, float(np.max(np.abs(got[known] - want[known]), initial=0.0)))
    return worst


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    try:
        with Client(cluster) as connected:
            yield connected
    finally:
        cluster.close()


def test_the_surface_exercises_every_branch() -> None:
    surface = make_surface()
    expected = whole(surface, DAY)
    assert np.isnan(expected.cc[:40, :60]).all()
    assert np.isnan(expected.cc[280, 10])  # no ET0 there
    assert not np.isnan(expected.green_area[280, 10])  # but land cover
    assert (expected.hm > expected.cc).any()  # parks cool their surroundings
    assert (expected.hm == expected.cc).any()


@pytest.mark.parametrize("chunk", [128, 100])
@pytest.mark.parametrize(("et0_grid", "parameters"), [(True, DAY), (False, DAY), (False, NIGHT)])
def test_chunked_equals_whole_grid_with_threads(
    chunk: int, et0_grid: bool, parameters: HeatParameters
) -> None:
    surface = make_surface(et0_grid=et0_grid)
    chunked = run_chunked(surface, cell_size=CELL, parameters=parameters, chunk=chunk)
    assert_same(chunked, whole(surface, parameters))


@pytest.mark.parametrize("chunk", [128, 100])
def test_chunked_equals_whole_grid_on_a_distributed_cluster(client: Client, chunk: int) -> None:
    surface = make_surface()
    chunked = run_chunked(surface, cell_size=CELL, parameters=DAY, chunk=chunk, client=client)
    assert_same(chunked, whole(surface, DAY))


@pytest.mark.parametrize("chunk", [16, 49])
def test_chunks_smaller_than_the_kernel_radius_are_enlarged(chunk: int) -> None:
    surface = make_surface()
    chunked = run_chunked(surface, cell_size=CELL, parameters=DAY, chunk=chunk)
    assert_same(chunked, whole(surface, DAY))


def test_one_chunk_gives_the_whole_grid_result() -> None:
    surface = make_surface()
    chunked = run_chunked(surface, cell_size=CELL, parameters=DAY)
    assert_same(chunked, whole(surface, DAY))


@pytest.mark.parametrize(
    ("shape", "chunk", "depth", "expected"),
    [
        ((300, 420), 128, 75, ((128, 172), (128, 128, 164))),
        ((300, 420), 100, 75, ((100, 100, 100), (100, 100, 100, 120))),
        ((300, 420), 16, 75, ((75, 75, 75, 75), (75, 75, 75, 75, 120))),
        ((300, 50), 16, 75, ((75, 75, 75, 75), (50,))),
        ((10, 10), 4096, 3, ((10,), (10,))),
    ],
)
def test_overlap_chunks_are_never_narrower_than_the_halo(
    shape: tuple[int, int],
    chunk: int,
    depth: int,
    expected: tuple[tuple[int, ...], ...],
) -> None:
    chunks = overlap_chunks(shape, chunk, depth)
    assert chunks == expected
    for size, sizes in zip(shape, chunks, strict=True):
        assert sum(sizes) == size
        assert len(sizes) == 1 or min(sizes) >= depth
