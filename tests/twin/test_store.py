import sqlite3
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.twin.conftest import store_at
from twin.catalogue import CatalogueEntry
from twin.config import LocalText
from twin.errors import StoreError, UnknownFeatureError, UnknownLayerError
from twin.store.base import TimeFilter
from twin.store.embedded import EmbeddedStore


def entry(name: str = "trees", **extra: object) -> CatalogueEntry:
    return CatalogueEntry(
        name=name,
        title=LocalText(de="Bäume", en="Trees"),
        kind="trees",
        classification="public",
        owner="Grünflächenamt",
        licence="CC0-1.0",
        source="test",
        source_file="trees.gpkg",
        checksum="0" * 64,
        imported_at=datetime(2026, 1, 1),
        imported_by="pytest",
        **extra,
    )


def trees(n: int) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "feature_id": [f"t{i}" for i in range(n)],
            "species": ["Tilia cordata" if i % 2 else None for i in range(n)],
            "crown": [float(i) for i in range(n)],
            "planted": [1990 + i for i in range(n)],
            "measured": [f"2025-07-{1 + i % 28:02d}T10:00:00Z" for i in range(n)],
        },
        geometry=shapely.points([(600000 + 10 * i, 5500000 + 10 * i) for i in range(n)]),
        crs=25832,
    )


def dump(store: EmbeddedStore) -> list[str]:
    with sqlite3.connect(store.path) as conn:
        return list(conn.iterdump())


def test_round_trip_keeps_values_types_and_order(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    frame = trees(50)
    store.write_layer(entry(), frame, actor="pytest")
    back = store.read_features("trees").frame
    assert list(back["feature_id"]) == list(frame["feature_id"])
    assert back["crown"].tolist() == frame["crown"].tolist()
    assert back["planted"].tolist() == frame["planted"].tolist()
    assert back["species"].isna().sum() == 25
    assert shapely.equals(back.geometry.to_numpy(), frame.geometry.to_numpy()).all()
    assert back.crs.to_epsg() == 25832


def test_store_is_a_geopackage_gdal_reads(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.write_layer(entry(), trees(20), actor="pytest")
    frame = pyogrio.read_dataframe(store.path, layer="trees")
    assert len(frame) == 20 and frame.crs.to_epsg() == 25832
    info = pyogrio.read_info(store.path, layer="trees")
    assert info["geometry_type"] == "Point"
    # GDAL uses the R-tree for a spatial filter: the exact-match query answers from the index
    hits = pyogrio.read_dataframe(
        store.path, layer="trees", bbox=(600000, 5500000, 600055, 5500055)
    )
    assert sorted(hits["feature_id"]) == ["t0", "t1", "t2", "t3", "t4", "t5"]


def test_bbox_paging_and_count(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.write_layer(entry(), trees(100), actor="pytest")
    page = store.read_features("trees", bbox=(600100, 5500100, 600300, 5500300), limit=5, offset=5)
    assert page.matched == 21  # t10 … t30 on the diagonal
    assert list(page.frame["feature_id"]) == [f"t{i}" for i in range(15, 20)]
    everything = store.read_features("trees", limit=None)
    assert everything.matched == 100 and len(everything.frame) == 100


def test_bbox_uses_exact_geometry_not_only_envelope(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    diagonal = shapely.LineString([(600000, 5500000), (600100, 5500100)])
    frame = gpd.GeoDataFrame({"feature_id": ["d"]}, geometry=[diagonal], crs=25832)
    store.write_layer(entry("lines"), frame, actor="pytest")
    # inside the line's envelope but away from the line itself
    assert store.read_features("lines", bbox=(600080, 5500000, 600100, 5500020)).matched == 0
    assert store.read_features("lines", bbox=(600040, 5500040, 600060, 5500060)).matched == 1


def test_time_filter(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    frame = trees(28)
    frame["measured"] = gpd.pd.to_datetime(frame["measured"], utc=True)
    store.write_layer(entry(time_field="measured"), frame, actor="pytest")
    window = TimeFilter(
        datetime.fromisoformat("2025-07-03T00:00:00+00:00"),
        datetime.fromisoformat("2025-07-05T23:00:00+00:00"),
    )
    assert store.read_features("trees", time=window).matched == 3
    open_end = TimeFilter(datetime.fromisoformat("2025-07-27T00:00:00+02:00"), None)
    assert store.read_features("trees", time=open_end).matched == 2


def test_failed_write_leaves_store_exactly_as_before(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.write_layer(entry(), trees(30), actor="pytest")
    before = dump(store)
    broken = trees(5)
    broken["Species"] = "x"  # SQLite column names are case-insensitive: CREATE TABLE fails
    with pytest.raises(StoreError, match="duplicate column"):
        store.write_layer(entry(), broken, actor="pytest")
    assert dump(store) == before
    assert len(store.read_features("trees").frame) == 30


def test_duplicate_ids_refused(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    frame = trees(3)
    frame.loc[2, "feature_id"] = "t0"
    with pytest.raises(StoreError, match="not unique"):
        store.write_layer(entry(), frame, actor="pytest")


def test_unknown_layer_and_feature(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.write_layer(entry(), trees(3), actor="pytest")
    with pytest.raises(UnknownLayerError, match="twin import"):
        store.read_features("nope")
    with pytest.raises(UnknownFeatureError):
        store.read_feature("trees", "t99")
    assert store.read_feature("trees", "t1")["crown"].iloc[0] == 1.0


def test_missing_and_damaged_store_files(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="twin init"):
        EmbeddedStore(tmp_path / "none.gpkg").layers()
    damaged = tmp_path / "damaged.gpkg"
    damaged.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="damaged or not a GeoPackage"):
        EmbeddedStore(damaged).layers()


def test_writes_are_audited(tmp_path: Path) -> None:
    store = store_at(tmp_path)
    store.write_layer(entry(), trees(4), actor="anna")
    newest = store.audit_log()[0]
    assert (newest.actor, newest.action, newest.target) == ("anna", "import_layer", "trees")
    assert newest.detail["features"] == 4


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(600000, 601000), st.floats(5500000, 5501000)), min_size=1, max_size=30
    )
)
def test_any_point_set_round_trips(tmp_path_factory: pytest.TempPathFactory, coords: list) -> None:
    store = store_at(tmp_path_factory.mktemp("h"))
    frame = gpd.GeoDataFrame(
        {"feature_id": [str(i) for i in range(len(coords))]},
        geometry=shapely.points(coords),
        crs=25832,
    )
    store.write_layer(entry(), frame, actor="pytest")
    back = store.read_features("trees").frame
    assert shapely.equals_exact(
        back.geometry.to_numpy(), frame.geometry.to_numpy(), tolerance=0
    ).all()
    x0, y0 = coords[0]
    hit = store.read_features("trees", bbox=(x0, y0, x0, y0)).frame
    assert "0" in set(hit["feature_id"])
