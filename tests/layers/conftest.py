"""Fixtures for the layer tests: the real Hamburg files and the small hand-written ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from layers.buildings import BUILDING_COLUMNS, BuildingUse

SHARED_HAMBURG = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "hamburg"
TEST_DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def shared_data() -> Callable[[str], Path]:
    """``shared_data(name)``: a real Hamburg file from ../shared/data/hamburg (skip if absent).

    The shared data live next to the repository, not in it (licences, size); users of
    the project do not have them, so tests that need them skip with the reason.
    """

    def get(name: str) -> Path:
        path = (SHARED_HAMBURG / name).resolve()
        if not path.is_file():
            available = (
                sorted(p.name for p in SHARED_HAMBURG.glob("*")) if SHARED_HAMBURG.is_dir() else []
            )
            pytest.skip(
                f"real Hamburg data {name!r} not available at {path} "
                f"(needs ../shared/data/hamburg next to the repo; found: {available or 'nothing'})"
            )
        return path

    return get


@pytest.fixture(scope="session")
def test_data() -> Callable[[str], Path]:
    """``test_data(name)``: a small hand-written file in tests/data (fails if missing)."""

    def get(name: str) -> Path:
        path = TEST_DATA / name
        if not path.is_file():
            existing = ", ".join(sorted(p.name for p in TEST_DATA.glob("*")))
            raise FileNotFoundError(f"{path} does not exist; tests/data holds: {existing}")
        return path

    return get


def _check_schema(frame: gpd.GeoDataFrame) -> None:
    """The contract every building reader must meet, checked column by column."""
    assert tuple(frame.columns) == BUILDING_COLUMNS
    assert frame.crs is not None
    assert frame["feature_id"].is_unique
    assert frame["feature_id"].map(type).eq(str).all()
    assert frame["building_id"].map(type).eq(str).all()
    assert frame["height"].dtype == np.float64
    assert (frame["height"] > 0).all() and np.isfinite(frame["height"]).all()
    assert str(frame["storeys"].dtype) == "Int64"
    assert set(frame["use"]) <= {u.value for u in BuildingUse}
    assert set(frame["height_source"]) <= {"measured", "storeys", "default"}
    assert frame["ground_z"].dtype == np.float64
    assert set(frame.geom_type) <= {"Polygon", "MultiPolygon"}
    assert not frame.geometry.has_z.any()
    assert frame.geometry.is_valid.all()


@pytest.fixture(scope="session")
def check_schema() -> Callable[[gpd.GeoDataFrame], None]:
    """``check_schema(frame)``: assert the building table contract (:data:`BUILDING_COLUMNS`)."""
    return _check_schema
