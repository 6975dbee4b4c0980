"""Fixtures shared by all tests: real workspaces built from the sample and Hamburg data."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from sample_data import get_path
from twin.config import load_config
from twin.importer import import_layer, init_municipality
from twin.sensors import register_sensor
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
    return build_into(Workspace(root), config_path)


def build_into(workspace: Workspace, config_path: Path) -> Workspace:
    """Add the municipality of ``config_path`` to ``workspace`` with all its layers and sensors."""
    config = load_config(config_path)
    store = init_municipality(config, workspace, actor="pytest")
    for layer in config.layers:
        import_layer(config, store, layer, actor="pytest")
    for sensor in config.sensors:
        register_sensor(config, store, sensor, actor="pytest")
    return workspace


CONFIG = """
name = "Testort"
slug = "testort"
ags = "09999999"
crs = "EPSG:25832"
boundary = "boundary.geojson"

[[layers]]
name = "trees"
title = {{ de = "Bäume", en = "Trees" }}
kind = "trees"
path = "{trees}"
classification = "public"
owner = "Grünflächenamt"
licence = "CC0-1.0"
source = "test"
required = ["species"]

[[layers]]
name = "parks"
title = {{ de = "Parks", en = "Parks" }}
kind = "vector"
path = "parks.geojson"
classification = "public"
owner = "Grünflächenamt"
licence = "CC0-1.0"
source = "test"
"""


def make_town(folder: Path, trees: str = "trees.gpkg") -> Path:
    """Write a tiny municipality 'Testort' (boundary, 3 trees, 1 park) and its config."""
    gpd.GeoDataFrame(geometry=[shapely.box(600000, 5500000, 601000, 5501000)], crs=25832).to_file(
        folder / "boundary.geojson"
    )
    points = gpd.GeoDataFrame(
        {"id": ["T1", "T2", "T3"], "species": ["Tilia cordata", None, "Acer platanoides"]},
        geometry=shapely.points([(600100, 5500100), (600200, 5500200), (700000, 5500000)]),
        crs=25832,
    )
    points.to_file(folder / "trees.gpkg", layer="trees")
    parks = gpd.GeoDataFrame(
        {"name": ["Stadtpark"]}, geometry=[shapely.box(600300, 5500300, 600500, 5500500)], crs=25832
    ).to_crs(4326)  # arrives in WGS 84, must be reprojected
    parks.to_file(folder / "parks.geojson")
    path = folder / "testort.toml"
    path.write_text(CONFIG.format(trees=trees), encoding="utf-8")
    return path


LOD2_TILE = "LoD2_576_5950_1_HH_2016.xml"
LOD2_CONFIG = """
name = "Hamburg LoD2-Kachel"
slug = "lod2"
ags = "02000000"
crs = "EPSG:25832"
boundary = "boundary.geojson"

[[layers]]
name = "buildings"
title = {{ de = "Gebäude LoD2", en = "Buildings LoD2" }}
kind = "buildings"
path = "{path}"
format = "citygml"
classification = "public"
owner = "Landesbetrieb Geoinformation und Vermessung"
licence = "dl-de/by-2-0"
source = "LoD2 tile 576/5950"
"""


def make_lod2_town(folder: Path) -> Path:
    """Write a municipality 'lod2' of the real Hamburg LoD2 tile alone (skip if absent)."""
    tile = hamburg_file(LOD2_TILE)
    gpd.GeoDataFrame(geometry=[shapely.box(576000, 5949900, 577000, 5951000)], crs=25832).to_file(
        folder / "boundary.geojson"
    )
    path = folder / "lod2.toml"
    path.write_text(LOD2_CONFIG.format(path=tile.as_posix()), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def lod2_workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace whose municipality 'lod2' has the Hamburg LoD2 tile as buildings (read-only!)."""
    folder = tmp_path_factory.mktemp("lod2")
    return build_workspace(folder / "workspace", make_lod2_town(folder))


@pytest.fixture(scope="session")
def imported_workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace with the sample municipality Musterstadt fully imported (read-only!)."""
    return build_workspace(tmp_path_factory.mktemp("workspace"), get_path("musterstadt"))


@pytest.fixture(scope="session")
def hamburg_workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace with the real Hamburg-Eimsbüttel test municipality imported (read-only!)."""
    hamburg_file("hh-eimsbuettel-city-1km2.geojson")
    return build_workspace(tmp_path_factory.mktemp("hamburg"), HAMBURG_CONFIG)
