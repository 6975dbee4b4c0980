"""Fixtures shared by all tests: real workspaces built from the sample and Hamburg data."""

from __future__ import annotations

from pathlib import Path

import pytest

from sample_data import get_path
from twin.config import load_config
from twin.importer import import_layer, init_municipality
from twin.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
HAMBURG_CONFIG = Path(__file__).resolve().parent / "hamburg" / "eimsbuettel.toml"


def hamburg_file(name: str) -> Path:
    """A file of the real Hamburg data in ../shared/data/hamburg (skip if absent)."""
    path = SHARED_DATA / "hamburg" / name
    if not path.exists():
        pytest.skip(f"real Hamburg data not available at {path} (needs ../shared/data)")
    return path


def build_workspace(root: Path, config_path: Path) -> Workspace:
    """Init a municipality from ``config_path`` in ``root`` and import all its layers."""
    workspace = Workspace(root)
    config = load_config(config_path)
    store = init_municipality(config, workspace, actor="pytest")
    for layer in config.layers:
        import_layer(config, store, layer, actor="pytest")
    return workspace


@pytest.fixture(scope="session")
def imported_workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace with the sample municipality Musterstadt fully imported (read-only!)."""
    return build_workspace(tmp_path_factory.mktemp("workspace"), get_path("musterstadt"))


@pytest.fixture(scope="session")
def hamburg_workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace with the real Hamburg-Eimsbüttel test municipality imported (read-only!)."""
    hamburg_file("hh-eimsbuettel-city-1km2.geojson")
    return build_workspace(tmp_path_factory.mktemp("hamburg"), HAMBURG_CONFIG)
