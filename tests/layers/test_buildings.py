"""Tests of layers/buildings.py: footprints with OSM or generic attributes, on the real
Eimsbüttel extract and small frames, and the 3D readers reached through the module.

Expected values come from plain Python arithmetic on the same attributes, never from the
module's own output.
"""

from __future__ import annotations

import logging
import math
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon, box

from layers.buildings import (
    DEFAULT_STOREYS,
    ROOF_STOREY_HEIGHT_M,
    STOREY_HEIGHT_M,
    normalise_footprints,
)
from twin.errors import CRSError

OSM_EXTRACT = "hh-eimsbuettel-city-1km2.geojson"


@pytest.fixture(scope="module")
def osm_frame(shared_data: Callable[[str], Path]) -> gpd.GeoDataFrame:
    path = shared_data(OSM_EXTRACT)
    return gpd.read_file(path, where="building IS NOT NULL").to_crs("EPSG:25832")


@pytest.fixture(scope="module")
def osm_buildings(osm_frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return normalise_footprints(osm_frame, source=OSM_EXTRACT)


def test_osm_every_building_kept_with_its_id(
    check_schema: Callable[[gpd.GeoDataFrame], None],
    osm_frame: gpd.GeoDataFrame,
    osm_buildings: gpd.GeoDataFrame,
) -> None:
    check_schema(osm_buildings)
    assert len(osm_frame) == 1098  # README
    assert len(osm_buildings) == 1098
    assert list(osm_buildings["feature_id"]) == list(osm_frame["id"])
    assert (osm_buildings.index == osm_frame.index).all()
    assert osm_buildings.crs.to_epsg() == 25832
    assert osm_buildings["ground_z"].isna().all()  # 2D source


def test_osm_storeys_are_building_levels(
    osm_frame: gpd.GeoDataFrame, osm_buildings: gpd.GeoDataFrame
) -> None:
    levels = osm_frame["building:levels"]
    assert levels.notna().sum() == 911  # README
    assert osm_buildings["storeys"].notna().sum() == 911
    with_levels = levels.notna()
    assert (osm_buildings.loc[with_levels, "storeys"] == levels[with_levels].astype(int)).all()


def test_osm_heights_from_levels_sample(
    osm_frame: gpd.GeoDataFrame, osm_buildings: gpd.GeoDataFrame
) -> None:
    candidates = osm_frame.index[osm_frame["building:levels"].notna() & osm_frame["height"].isna()]
    sample = random.Random(20230607).sample(list(candidates), 120)
    checked_roof = 0
    for label in sample:
        levels = float(osm_frame.at[label, "building:levels"])
        roof = osm_frame.at[label, "roof:levels"]
        roof_levels = 0.0 if roof is None or pd.isna(roof) else float(roof)
        checked_roof += roof_levels > 0
        expected = levels * 3.0 + roof_levels * 1.5
        row = osm_buildings.loc[label]
        if expected > 0:
            assert row["height"] == pytest.approx(expected), label
            assert row["height_source"] == "storeys"
        else:  # building:levels=0 (roofs, carports): no usable storey height
            assert row["height_source"] == "default"
    assert checked_roof > 10  # the sample did exercise roof levels


def test_osm_measured_and_default_heights(
    osm_frame: gpd.GeoDataFrame, osm_buildings: gpd.GeoDataFrame
) -> None:
    tagged = osm_frame["height"].notna()
    assert tagged.sum() == 1  # README: "few heights"; this extract has one: "10"
    assert osm_buildings.loc[tagged, "height"].tolist() == [
        float(osm_frame.loc[tagged, "height"].iloc[0])
    ]
    assert osm_buildings.loc[tagged, "height_source"].tolist() == ["measured"]
    bare = osm_frame["height"].isna() & osm_frame["building:levels"].isna()
    defaults = osm_buildings.loc[bare]
    assert (defaults["height_source"] == "default").all()
    small = defaults["use"] == "ancillary"
    assert small.any() and (~small).any()
    assert (defaults.loc[small, "height"] == 1 * STOREY_HEIGHT_M).all()
    assert (defaults.loc[~small, "height"] == DEFAULT_STOREYS * STOREY_HEIGHT_M).all()


def test_osm_building_values_map_to_uses(
    osm_frame: gpd.GeoDataFrame, osm_buildings: gpd.GeoDataFrame
) -> None:
    expected = {
        "apartments": "residential",
        "house": "residential",
        "garages": "ancillary",
        "shed": "ancillary",
        "retail": "commercial",
        "office": "commercial",
        "school": "public",
        "kindergarten": "public",
        "industrial": "industrial",
    }
    for value, use in expected.items():
        rows = osm_buildings[osm_frame["building"] == value]
        assert len(rows) > 0, value
        assert (rows["use"] == use).all(), value
        assert (rows["function_code"] == value).all()
    plain_yes = (osm_frame["building"] == "yes") & osm_frame["building:use"].isna()
    assert (osm_buildings.loc[plain_yes, "use"] == "other").all()
    yes_residential = (osm_frame["building"] == "yes") & (
        osm_frame["building:use"] == "residential"
    )
    assert yes_residential.any()
    assert (osm_buildings.loc[yes_residential, "use"] == "residential").all()


def footprints(**columns: list[object]) -> gpd.GeoDataFrame:
    n = len(next(iter(columns.values())))
    geometry = [box(i * 20, 0, i * 20 + 10, 10) for i in range(n)]
    return gpd.GeoDataFrame(columns, geometry=geometry, crs="EPSG:25832")


def test_height_text_variants() -> None:
    frame = footprints(
        height=["12", "12.5 m", "12,5", "40'", "40'6\"", "38 ft", "abc", "-3", "0", None, "1e3"]
    )
    result = normalise_footprints(frame, source="test")
    feet = 0.3048
    expected = [12.0, 12.5, 12.5, 40 * feet, 40 * feet + 6 * 0.0254, 38 * feet]
    assert result["height"].iloc[:6].tolist() == pytest.approx(expected)
    assert (result["height_source"].iloc[:6] == "measured").all()
    # unparseable, negative, zero, missing, exponent notation: treated as missing
    assert (result["height_source"].iloc[6:] == "default").all()


def test_levels_roof_levels_and_min_height() -> None:
    frame = footprints(
        **{
            "building:levels": ["2", "3", "0", "2.5", "many", "4"],
            "roof:levels": ["1", None, "0", None, "1", None],
            "height": [None, None, None, None, None, "5"],
            "min_height": [None, None, None, None, None, "6"],
        }
    )
    result = normalise_footprints(frame, source="test")
    assert result["height"].tolist()[:4] == pytest.approx(
        [2 * 3.0 + 1 * 1.5, 9.0, DEFAULT_STOREYS * 3.0, 7.5]
    )
    assert result["height_source"].tolist() == [
        "storeys", "storeys", "default", "storeys", "default", "storeys",
    ]  # fmt: skip
    assert result["storeys"].tolist()[:4] == [2, 3, 0, 2]
    assert pd.isna(result["storeys"].iloc[4])
    # height 5 below min_height 6 is contradictory: the 4 storeys decide instead.
    assert result["height"].iloc[5] == 12.0
    assert STOREY_HEIGHT_M == 3.0 and ROOF_STOREY_HEIGHT_M == 1.5


def test_generic_columns_and_use() -> None:
    frame = footprints(
        feature_id=["a", "b", "c", "d", "e"],
        height=[7.0, np.nan, np.inf, -1.0, 4.0],
        storeys=[2, 3, None, None, 1],
        function=[
            "31001_1010",
            2463.0,
            "2020",
            "Bürogebäude",
            "51009_1610",
        ],  # 2463.0: float column
        use=[None, None, None, "industrial", "not a use"],
    )
    result = normalise_footprints(frame, source="test").set_index("feature_id")
    assert result["height"].tolist() == pytest.approx([7.0, 9.0, 6.0, 6.0, 4.0])
    assert result["height_source"].tolist() == [
        "measured", "storeys", "default", "default", "measured",
    ]  # fmt: skip
    # 1010 Wohnhaus; 2463 Garage; 2020 Bürogebäude; explicit use wins; 51009 is no AX_Gebaeude
    assert result["use"].tolist() == [
        "residential",
        "ancillary",
        "commercial",
        "industrial",
        "other",
    ]


def test_non_polygons_dropped_ids_unique_and_3d(caplog: pytest.LogCaptureFixture) -> None:
    frame = gpd.GeoDataFrame(
        {"id": ["x", "x", "p", "l"]},
        geometry=[
            Polygon([(0, 0, 10), (4, 0, 11), (4, 4, 12), (0, 4, 10)]),
            box(10, 10, 12, 12),
            Point(1, 1),
            LineString([(0, 0), (1, 1)]),
        ],
        crs="EPSG:25832",
        index=[10, 11, 12, 13],
    )
    with caplog.at_level(logging.INFO, logger="layers.buildings"):
        result = normalise_footprints(frame, source="mixed.geojson")
    assert list(result.index) == [10, 11]
    assert result["feature_id"].tolist() == ["x", "x#2"]
    assert result["ground_z"].iloc[0] == 10.0 and math.isnan(result["ground_z"].iloc[1])
    assert not result.geometry.has_z.any()
    assert "mixed.geojson" in caplog.text and "duplicate" in caplog.text
    with pytest.raises(CRSError, match="no coordinate reference system"):
        normalise_footprints(frame.set_crs(None, allow_override=True), source="nocrs")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    heights=st.lists(st.one_of(st.none(), st.text(max_size=12)), min_size=1, max_size=8),
    levels=st.lists(st.one_of(st.none(), st.text(max_size=6)), min_size=8, max_size=8),
)
def test_any_text_gives_a_positive_height(
    heights: list[str | None], levels: list[str | None]
) -> None:
    frame = footprints(height=heights, **{"building:levels": levels[: len(heights)]})
    result = normalise_footprints(frame, source="hypothesis")
    assert len(result) == len(heights)
    assert np.isfinite(result["height"]).all() and (result["height"] > 0).all()
    assert set(result["height_source"]) <= {"measured", "storeys", "default"}
    assert (result["height"] <= 1000.0 + 200 * 3.0 + 1e-9).all()


@given(value=st.decimals(min_value="0.01", max_value="999.99", places=2))
def test_plain_metre_values_are_measured(value: object) -> None:
    frame = footprints(height=[f"{value} m", f" {value}", str(value).replace(".", ",")])
    result = normalise_footprints(frame, source="hypothesis")
    assert result["height"].tolist() == pytest.approx([float(value)] * 3)  # type: ignore[arg-type]
    assert (result["height_source"] == "measured").all()


REPO = Path(__file__).resolve().parents[2]


def test_3d_readers_still_reachable_from_buildings() -> None:
    # In fresh interpreters, so that each module is the first one imported (no cycle).
    for first in ("layers.citygml", "layers.cityjson"):
        script = (
            f"import {first}\n"
            "import layers.buildings as b, layers.citygml as g, layers.cityjson as j\n"
            "from layers.buildings import read_citygml, read_cityjson\n"
            "assert b.read_citygml is read_citygml is g.read_citygml\n"
            "assert b.read_cityjson is read_cityjson is j.read_cityjson\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
    from layers import buildings

    with pytest.raises(AttributeError, match="no attribute 'read_shapefile'"):
        buildings.read_shapefile  # noqa: B018
