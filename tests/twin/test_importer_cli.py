"""The import pipeline end to end, through the real `twin` command where users meet it."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin

from tests.conftest import make_town
from twin.config import load_config
from twin.errors import CRSError, DataFileError, LayerValidationError
from twin.importer import import_layer, init_municipality
from twin.workspace import Workspace

TWIN = str(Path(sys.executable).parent / "twin")


def twin(*args: str, workspace: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TWIN, *args],
        capture_output=True,
        text=True,
        env={"TWIN_WORKSPACE": str(workspace), "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )


def dump(store_path: Path) -> list[str]:
    with sqlite3.connect(store_path) as conn:
        return list(conn.iterdump())


def test_import_reprojects_and_reports_by_feature_id(tmp_path: Path) -> None:
    config = load_config(make_town(tmp_path))
    store = init_municipality(config, Workspace(tmp_path / "ws"), actor="pytest")
    report = import_layer(config, store, config.layer("trees"), actor="pytest")
    assert (report.read, report.imported, report.rejected, report.outside) == (3, 1, 2, 1)
    assert {(i.feature_id, i.problem) for i in report.issues} == {
        ("T2", "missing required 'species'"),
        ("T3", "wholly outside the municipality boundary"),
    }
    import_layer(config, store, config.layer("parks"), actor="pytest")
    park = store.read_features("parks").frame
    assert park.crs.to_epsg() == 25832
    assert park.area.iloc[0] == pytest.approx(200 * 200, rel=1e-6)
    entry = store.layer("trees")
    assert entry.feature_count == 1 and entry.imported_by == "pytest"
    assert len(entry.checksum) == 64 and entry.source_file.endswith("trees.gpkg")
    assert entry.report is not None and entry.report.rejected == 2


def test_cli_workflow_and_corrupt_file_leaves_store_unchanged(tmp_path: Path) -> None:
    config = make_town(tmp_path)
    ws = tmp_path / "ws"
    checked = twin("config", "validate", str(config), workspace=ws)
    assert checked.returncode == 0, checked.stderr
    assert "Testort (testort, AGS 09999999, EPSG:25832), 2 layers" in checked.stdout
    assert twin("init", str(config), workspace=ws).returncode == 0
    imported = twin("import", "testort", workspace=ws)
    assert imported.returncode == 0, imported.stderr + imported.stdout
    assert "trees: 1 of 3 features imported" in imported.stdout
    assert "T3: wholly outside the municipality boundary → rejected" in imported.stdout
    listed = twin("list", workspace=ws)
    assert "testort" in listed.stdout and "09999999" in listed.stdout
    info = twin("info", "testort", workspace=ws)
    assert "parks" in info.stdout and "public" in info.stdout

    store = ws / "testort" / "twin.gpkg"
    before = dump(store)
    (tmp_path / "parks.geojson").write_text('{"type": "FeatureCollection", "features": [{"type": ')
    failed = twin("import", "testort", "parks", workspace=ws)
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr + failed.stdout
    assert "parks.geojson: cannot be read as GeoJSON" in failed.stdout
    assert "the store keeps their old state" in failed.stderr
    assert dump(store) == before


def test_layer_without_crs_is_rejected_naming_both(tmp_path: Path) -> None:
    config_path = make_town(tmp_path, trees="trees.shp")
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        gpd.GeoDataFrame({"species": ["Tilia"]}, geometry=[shapely.Point(600100, 5500100)]).to_file(
            tmp_path / "trees.shp"
        )
    config = load_config(config_path)
    store = init_municipality(config, Workspace(tmp_path / "ws"), actor="pytest")
    with pytest.raises(CRSError, match=r"trees.shp has no coordinate reference system.*EPSG:25832"):
        import_layer(config, store, config.layer("trees"), actor="pytest")
    assert store.layers() == []


def test_wrong_declared_crs_puts_everything_outside(tmp_path: Path) -> None:
    config = load_config(make_town(tmp_path))
    store = init_municipality(config, Workspace(tmp_path / "ws"), actor="pytest")
    # UTM 32 coordinates mislabelled as UTM 33 land ~400 km away
    frame = gpd.read_file(tmp_path / "trees.gpkg").set_crs(25833, allow_override=True)
    frame.to_file(tmp_path / "trees.gpkg", layer="trees")
    with pytest.raises(LayerValidationError, match=r"outside.*wrong CRS"):
        import_layer(config, store, config.layer("trees"), actor="pytest")
    assert store.layers() == []


def test_unknown_municipality_and_layer_messages(tmp_path: Path) -> None:
    result = twin("info", "nirgendwo", workspace=tmp_path)
    assert result.returncode == 1
    assert "no municipality 'nirgendwo'" in result.stderr and "twin init" in result.stderr
    assert "Traceback" not in result.stderr
    config = make_town(tmp_path)
    twin("init", str(config), workspace=tmp_path / "ws")
    result = twin("import", "testort", "bäume", workspace=tmp_path / "ws")
    assert result.returncode == 1 and "has no layer 'bäume'" in result.stderr
    assert "Known layers: trees, parks" in result.stderr


def test_invalid_config_lists_problems_without_traceback(tmp_path: Path) -> None:
    path = make_town(tmp_path)
    path.write_text(
        path.read_text()
        .replace('ags = "09999999"', 'ags = "123"')
        .replace('"EPSG:25832"', '"EPSG:4326"')
    )
    result = twin("config", "validate", str(path), workspace=tmp_path)
    assert result.returncode == 1
    assert "ags:" in result.stderr and "crs:" in result.stderr and "Traceback" not in result.stderr


def test_missing_data_file(tmp_path: Path) -> None:
    config = load_config(make_town(tmp_path))
    store = init_municipality(config, Workspace(tmp_path / "ws"), actor="pytest")
    (tmp_path / "parks.geojson").unlink()
    with pytest.raises(DataFileError, match="file not found"):
        import_layer(config, store, config.layer("parks"), actor="pytest")


def _broken_trees(folder: Path, case: str) -> None:
    """Overwrite trees.gpkg with one kind of bad input."""
    crs = 25832
    if case == "empty":
        frame = gpd.GeoDataFrame({"species": []}, geometry=[], crs=crs)
    elif case == "wrong geometry type":
        frame = gpd.GeoDataFrame(
            {"species": ["Tilia"]},
            geometry=[shapely.box(600100, 5500100, 600110, 5500110)],
            crs=crs,
        )
    elif case == "missing required attribute":
        frame = gpd.GeoDataFrame(
            {"art": ["Tilia"]}, geometry=[shapely.Point(600100, 5500100)], crs=crs
        )
    else:  # all outside: UTM 32 coordinates declared as UTM 33
        frame = gpd.GeoDataFrame(
            {"species": ["Tilia"]}, geometry=[shapely.Point(600100, 5500100)], crs=25833
        )
    (folder / "trees.gpkg").unlink()
    frame.to_file(folder / "trees.gpkg", layer="trees")


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("empty", r"trees\.gpkg \(layer 'trees'\) contains no features|contains no features"),
        ("wrong geometry type", r"1 wrong geometry type, this layer holds points"),
        ("missing required attribute", r"required attribute 'species' does not exist"),
        ("outside", r"1 wholly outside the municipality boundary"),
    ],
)
def test_bad_layer_leaves_populated_store_unchanged(
    tmp_path: Path, case: str, message: str
) -> None:
    config = load_config(make_town(tmp_path))
    store = init_municipality(config, Workspace(tmp_path / "ws"), actor="pytest")
    for layer in config.layers:
        import_layer(config, store, layer, actor="pytest")
    before = dump(tmp_path / "ws" / "testort" / "twin.gpkg")
    _broken_trees(tmp_path, case)
    with pytest.raises(LayerValidationError, match=message):
        import_layer(config, store, config.layer("trees"), actor="pytest")
    assert dump(tmp_path / "ws" / "testort" / "twin.gpkg") == before


RASTER_LAYER = """
[[layers]]
name = "dem"
title = { de = "Gelände", en = "Terrain" }
kind = "raster"
path = "dem.tif"
classification = "public"
owner = "Vermessungsamt"
licence = "CC0-1.0"
source = "test"
"""


def test_raster_import_is_atomic(tmp_path: Path) -> None:
    path = make_town(tmp_path)
    path.write_text(path.read_text() + RASTER_LAYER, encoding="utf-8")
    with rasterio.open(
        tmp_path / "dem.tif",
        "w",
        driver="GTiff",
        width=100,
        height=100,
        count=1,
        dtype="float32",
        crs="EPSG:25832",
        transform=from_origin(600000, 5501000, 10, 10),
    ) as dst:
        dst.write(np.full((100, 100), 320.0, dtype="float32"), 1)
    config = load_config(path)
    store = init_municipality(config, Workspace(tmp_path / "ws"), actor="pytest")
    report = import_layer(config, store, config.layer("dem"), actor="pytest")
    assert report.imported == 1
    assert report.summary() == "dem: raster imported, 100 × 100 px at 10 m, 1 band(s), float32"
    stored = store.raster_path("dem")
    entry = store.layer("dem")
    assert entry.raster is not None and (entry.raster.width, entry.raster.resolution) == (
        100,
        (10.0, 10.0),
    )
    store_file = tmp_path / "ws" / "testort" / "twin.gpkg"
    before, stored_bytes = dump(store_file), stored.read_bytes()
    blob = (tmp_path / "dem.tif").read_bytes()
    (tmp_path / "dem.tif").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(DataFileError, match=r"dem\.tif: cannot be read as GeoTIFF"):
        import_layer(config, store, config.layer("dem"), actor="pytest")
    assert dump(store_file) == before
    assert stored.read_bytes() == stored_bytes
    assert sorted(p.name for p in stored.parent.iterdir()) == ["dem.tif"]  # no staging leftovers
