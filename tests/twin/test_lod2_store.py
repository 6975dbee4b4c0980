"""LoD2 surfaces in the embedded store: written with their layer, replaced on re-import."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from tests.conftest import make_lod2_town
from tests.twin.conftest import store_at
from tests.twin.test_store import dump, entry, trees
from twin.config import load_config
from twin.importer import import_layer, init_municipality
from twin.store.embedded import SURFACES_TABLE
from twin.workspace import Workspace


def box_surfaces(x: float, z: float, height: float) -> shapely.MultiPolygon:
    """Bottom, top and one wall of a 10 m cube's worth of faces at ``x``, base ``z``."""
    top = z + height
    return shapely.MultiPolygon(
        [
            shapely.Polygon([(x, 0, z), (x, 10, z), (x + 10, 10, z), (x + 10, 0, z)]),
            shapely.Polygon([(x, 0, top), (x + 10, 0, top), (x + 10, 10, top), (x, 10, top)]),
            shapely.Polygon([(x, 0, z), (x + 10, 0, z), (x + 10, 0, top), (x, 0, top)]),
        ]
    )


def surfaces_of(frame: gpd.GeoDataFrame, height: float) -> gpd.GeoSeries:
    ids = frame["feature_id"].tolist()[:3]
    return gpd.GeoSeries(
        [box_surfaces(600000 + 20 * i, 5.0, height) for i in range(len(ids))],
        index=ids,
        crs=frame.crs,
    )


def test_surfaces_round_trip_with_z_and_are_replaced_with_their_layer(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    frame = trees(5)
    store.write_layer(entry(), frame, actor="pytest", surfaces=surfaces_of(frame, 7.0))
    back = store.building_surfaces("trees")
    assert list(back.index) == ["t0", "t1", "t2"]
    assert back.crs.to_epsg() == 25832
    assert all(g.equals(e) for g, e in zip(back, surfaces_of(frame, 7.0), strict=True))
    assert shapely.get_coordinates(back["t1"], include_z=True)[:, 2].max() == 12.0
    assert list(store.building_surfaces("trees", ["t2", "x"]).index) == ["t2"]
    assert store.audit_log(limit=1)[0].detail["lod2_surfaces"] == 3
    # re-import: the new surfaces replace the old ones, none left over
    store.write_layer(entry(), frame, actor="pytest", surfaces=surfaces_of(frame.iloc[1:], 9.0))
    again = store.building_surfaces("trees")
    assert list(again.index) == ["t1", "t2", "t3"]
    assert shapely.get_coordinates(again["t1"], include_z=True)[:, 2].max() == 14.0
    # re-import without LoD2: the layer has none
    store.write_layer(entry(), frame, actor="pytest")
    assert store.building_surfaces("trees").empty
    # the features themselves never carry them
    assert list(store.read_features("trees").frame.columns) == list(frame.columns)


def test_surfaces_are_per_layer_and_a_failed_write_keeps_them(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    frame = trees(4)
    store.write_layer(entry(), frame, actor="pytest", surfaces=surfaces_of(frame, 7.0))
    store.write_layer(entry("other"), frame, actor="pytest", surfaces=surfaces_of(frame, 3.0))
    before = dump(store)
    broken = frame.copy()
    broken.loc[1, "feature_id"] = "t0"  # duplicate id: the write is refused
    with pytest.raises(Exception, match="not unique"):
        store.write_layer(entry(), broken, actor="pytest", surfaces=surfaces_of(frame, 1.0))
    assert dump(store) == before
    assert len(store.building_surfaces("trees")) == len(store.building_surfaces("other")) == 3


def test_a_store_without_lod2_has_no_surfaces_table(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.write_layer(entry(), trees(3), actor="pytest")
    with sqlite3.connect(store.path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert SURFACES_TABLE not in tables
    assert store.building_surfaces("trees").empty


def test_hamburg_lod2_import_stores_surfaces_and_reimport_replaces_them(tmp_path: Path) -> None:
    config = load_config(make_lod2_town(tmp_path))
    store = init_municipality(config, Workspace(tmp_path / "ws"), actor="pytest")
    layer = config.layers[0]
    import_layer(config, store, layer, actor="pytest")
    features = store.read_features("buildings").frame.set_index("feature_id")
    surfaces = store.building_surfaces("buildings")
    assert set(surfaces.index) == set(features.index)
    for feature_id, geometry in surfaces.items():
        z = shapely.get_coordinates(geometry, include_z=True)[:, 2]
        row = features.loc[feature_id]
        assert z.min() == pytest.approx(row["ground_z"], abs=0.01)
        assert z.max() > row["ground_z"] + 2.0
        assert z.max() == pytest.approx(row["ground_z"] + row["height"], abs=0.05)
    with sqlite3.connect(store.path) as conn:
        count = conn.execute(f"SELECT count(*) FROM {SURFACES_TABLE}").fetchone()[0]
    import_layer(config, store, layer, actor="pytest")
    with sqlite3.connect(store.path) as conn:
        assert conn.execute(f"SELECT count(*) FROM {SURFACES_TABLE}").fetchone()[0] == count
    again = store.building_surfaces("buildings")
    assert all(a.equals(b) for a, b in zip(again, surfaces, strict=True))
    assert np.isfinite(shapely.get_coordinates(again.to_numpy(), include_z=True)).all()
