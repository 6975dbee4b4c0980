"""Fixtures of the viewer tests: an app over a real, imported workspace.

``viewer_workspace`` is the imported sample municipality Musterstadt
(``imported_workspace``). TEMPORARY: while ``sample_data/musterstadt`` does not exist
yet, it is a small synthetic Musterstadt written with the embedded store instead; delete
``_synthetic`` and its helpers once the sample has landed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient

import sample_data
from twin.catalogue import CatalogueEntry
from twin.config import load_config
from twin.store.base import MunicipalityRecord
from twin.workspace import Workspace
from viewer.app import create_app

X0, Y0 = 565000.0, 5934000.0
BOUNDARY = shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)

TOML = """
name = "Musterstadt"
slug = "musterstadt"
ags = "09999999"
crs = "EPSG:25832"
boundary = "boundary.geojson"
demo = true
{layers}
"""
LAYER = """
[[layers]]
name = "{name}"
title = {{ de = "{de}", en = "{en}" }}
kind = "{kind}"
path = "boundary.geojson"
classification = "{classification}"
owner = "Test"
licence = "CC-BY-4.0"
source = "Testdaten"
attribution = "© Musterstadt"
"""
LAYERS = [
    ("districts", "Stadtteile", "Districts", "districts", "public"),
    ("landuse", "Flächennutzung", "Land use", "landuse", "public"),
    ("buildings", "Gebäude", "Buildings", "buildings", "public"),
    ("trees", "Bäume", "Trees", "trees", "public"),
    ("streets", "Straßen", "Streets", "streets", "public"),
    ("sensitive_sites", "Sensible Orte", "Sensitive sites", "vector", "council"),
]


def _frames() -> dict[str, gpd.GeoDataFrame]:
    rng = np.random.default_rng(7)
    n = 230
    xs, ys = X0 + rng.uniform(20, 980, n), Y0 + rng.uniform(20, 980, n)
    buildings = gpd.GeoDataFrame(
        {
            "feature_id": [f"way/{i}" for i in range(n)],
            "height": rng.uniform(4, 30, n).round(1),
            "storeys": rng.integers(1, 9, n),
            "use": rng.choice(["residential", "commercial", "public", "industrial"], n),
        },
        geometry=shapely.box(xs - 6, ys - 6, xs + 6, ys + 6),
        crs=25832,
    )
    trees = gpd.GeoDataFrame(
        {"feature_id": [f"node/{i}" for i in range(40)], "crown": rng.uniform(3, 12, 40)},
        geometry=shapely.points(X0 + rng.uniform(0, 1000, 40), Y0 + rng.uniform(0, 1000, 40)),
        crs=25832,
    )
    landuse = gpd.GeoDataFrame(
        {
            "feature_id": ["l1", "l2", "l3", "l4"],
            "landuse": ["residential", "green", "water", "commercial"],
        },
        geometry=[
            shapely.box(X0, Y0, X0 + 500, Y0 + 500),
            shapely.box(X0 + 500, Y0, X0 + 1000, Y0 + 500),
            shapely.box(X0, Y0 + 500, X0 + 500, Y0 + 1000),
            shapely.box(X0 + 500, Y0 + 500, X0 + 1000, Y0 + 1000),
        ],
        crs=25832,
    )
    streets = gpd.GeoDataFrame(
        {"feature_id": ["s1", "s2"], "name": ["Hauptstraße", "Ringweg"]},
        geometry=[
            shapely.LineString([(X0, Y0 + 500), (X0 + 1000, Y0 + 500)]),
            shapely.LineString([(X0 + 500, Y0), (X0 + 500, Y0 + 1000)]),
        ],
        crs=25832,
    )
    districts = gpd.GeoDataFrame(
        {"feature_id": ["d1", "d2"], "name": ["Nord", "Süd"]},
        geometry=[
            shapely.box(X0, Y0 + 500, X0 + 1000, Y0 + 1000),
            shapely.box(X0, Y0, X0 + 1000, Y0 + 500),
        ],
        crs=25832,
    )
    sensitive = gpd.GeoDataFrame(
        {"feature_id": ["x1"], "note": ["geheim"]},
        geometry=[shapely.Point(X0 + 10, Y0 + 10)],
        crs=25832,
    )
    return {
        "districts": districts,
        "landuse": landuse,
        "buildings": buildings,
        "trees": trees,
        "streets": streets,
        "sensitive_sites": sensitive,
    }


def _synthetic(root: Path) -> Workspace:
    data = root / "data"
    data.mkdir()
    gpd.GeoDataFrame(geometry=[BOUNDARY], crs=25832).to_file(data / "boundary.geojson")
    layers = "".join(
        LAYER.format(name=n, de=de, en=en, kind=k, classification=c) for n, de, en, k, c in LAYERS
    )
    (data / "musterstadt.toml").write_text(TOML.format(layers=layers), encoding="utf-8")
    config = load_config(data / "musterstadt.toml")
    workspace = Workspace(root / "ws")
    workspace.save_config(config)
    store = workspace.store("musterstadt")
    store.set_municipality(
        MunicipalityRecord(
            "musterstadt", "Musterstadt", "09999999", "EPSG:25832", BOUNDARY, True, ""
        ),
        actor="pytest",
    )
    for layer in config.layers:
        frame = _frames()[layer.name]
        entry = CatalogueEntry.from_config(
            layer, source_file="x", checksum="0" * 64, actor="pytest"
        )
        entry.feature_count = len(frame)
        entry.bbox = tuple(float(v) for v in frame.total_bounds)  # type: ignore[assignment]
        entry.geometry_type = frame.geom_type.iloc[0]
        entry.imported_at = datetime(2026, 1, 1)
        store.write_layer(entry, frame, actor="pytest")
    return workspace


@pytest.fixture(scope="session")
def viewer_workspace(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Workspace:
    if "musterstadt" in sample_data.available():
        workspace: Workspace = request.getfixturevalue("imported_workspace")
        return workspace
    return _synthetic(tmp_path_factory.mktemp("viewer"))


@pytest.fixture(scope="session")
def client(viewer_workspace: Workspace) -> TestClient:
    return TestClient(create_app(viewer_workspace))
