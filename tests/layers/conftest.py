"""Fixtures for the layer tests: the real Hamburg files and the small hand-written ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

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
