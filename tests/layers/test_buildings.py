"""Tests of layers/buildings.py on real Hamburg data and small hand-written files.

Expected values come from independent reads of the same files (lxml XPath, plain
Python arithmetic) or from the geometry written into the hand-made fixtures (see the
comment at the top of each fixture file), never from the module's own output.
"""

from __future__ import annotations

import json
import logging
import math
import random
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from shapely.geometry import LineString, Point, Polygon, box

from layers.buildings import (
    BUILDING_COLUMNS,
    DEFAULT_STOREYS,
    ROOF_STOREY_HEIGHT_M,
    STOREY_HEIGHT_M,
    BuildingUse,
    normalise_footprints,
    read_citygml,
    read_cityjson,
)
from twin.errors import CRSError, DataFileError, LayerValidationError

LOD2_TILE = "LoD2_576_5950_1_HH_2016.xml"
OSM_EXTRACT = "hh-eimsbuettel-city-1km2.geojson"
NS = {
    "core": "http://www.opengis.net/citygml/1.0",
    "bldg": "http://www.opengis.net/citygml/building/1.0",
    "gml": "http://www.opengis.net/gml",
}
GML_ID = "{http://www.opengis.net/gml}id"


def check_schema(frame: gpd.GeoDataFrame) -> None:
    """The contract every reader must meet, checked column by column."""
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


# ------------------------------------------------------------------ real LoD2 Hamburg


@pytest.fixture(scope="module")
def lod2_path(shared_data: Callable[[str], Path]) -> Path:
    return shared_data(LOD2_TILE)


@pytest.fixture(scope="module")
def lod2(lod2_path: Path) -> gpd.GeoDataFrame:
    return read_citygml(lod2_path)


@pytest.fixture(scope="module")
def lod2_tree(lod2_path: Path) -> etree._ElementTree:
    return etree.parse(str(lod2_path))


def feature_elements(tree: etree._ElementTree) -> dict[str, etree._Element]:
    """gml:id → element of every object that should be a row: parts, and part-less Buildings."""
    parts = tree.xpath("//bldg:BuildingPart", namespaces=NS)
    whole = tree.xpath("//bldg:Building[not(bldg:consistsOfBuildingPart)]", namespaces=NS)
    return {el.get(GML_ID): el for el in [*parts, *whole]}


def test_lod2_one_row_per_part_or_partless_building(
    lod2: gpd.GeoDataFrame, lod2_tree: etree._ElementTree
) -> None:
    check_schema(lod2)
    expected = feature_elements(lod2_tree)
    buildings = lod2_tree.xpath("//bldg:Building", namespaces=NS)
    assert len(buildings) == 46  # as documented in ../shared/data/README.md
    assert len(lod2) == len(expected)
    assert set(lod2["feature_id"]) == set(expected)
    assert lod2["building_id"].nunique() == len(buildings)
    owner = {
        fid: el.xpath("ancestor-or-self::bldg:Building", namespaces=NS)[0].get(GML_ID)
        for fid, el in expected.items()
    }
    assert dict(zip(lod2["feature_id"], lod2["building_id"], strict=True)) == owner


def test_lod2_heights_and_storeys_are_the_surveyed_values(
    lod2: gpd.GeoDataFrame, lod2_tree: etree._ElementTree
) -> None:
    elements = feature_elements(lod2_tree)
    measured = {
        fid: float(el.findtext("bldg:measuredHeight", namespaces=NS))
        for fid, el in elements.items()
    }
    storeys = {
        fid: int(el.findtext("bldg:storeysAboveGround", namespaces=NS))
        for fid, el in elements.items()
    }
    rows = lod2.set_index("feature_id")
    assert rows["height"].to_dict() == pytest.approx(measured)
    assert rows["storeys"].astype(int).to_dict() == storeys
    assert (rows["height_source"] == "measured").all()
    assert rows["height"].min() >= 2.0 and rows["height"].max() <= 11.5  # README: 2-11 m


def shoelace(ring: np.ndarray) -> float:
    x, y = ring[:, 0] - ring[0, 0], ring[:, 1] - ring[0, 1]  # local origin: no cancellation
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def test_lod2_footprints_are_the_ground_surfaces(
    lod2: gpd.GeoDataFrame, lod2_tree: etree._ElementTree
) -> None:
    rows = lod2.set_index("feature_id")
    for fid, element in feature_elements(lod2_tree).items():
        polygons = element.xpath("bldg:boundedBy/bldg:GroundSurface//gml:Polygon", namespaces=NS)
        assert polygons, fid
        area, zs = 0.0, []
        for polygon in polygons:
            assert not polygon.xpath("gml:interior", namespaces=NS)  # no holes in this tile
            text = " ".join(polygon.xpath(".//gml:pos/text()", namespaces=NS))
            ring = np.array(text.split(), dtype=float).reshape(-1, 3)
            area += shoelace(ring)
            zs.append(ring[:, 2].min())
        # Ground polygons of one part do not overlap, so their union has the summed area.
        assert rows.loc[fid, "geometry"].area == pytest.approx(area, rel=1e-6, abs=1e-3)
        assert rows.loc[fid, "ground_z"] == pytest.approx(min(zs))
    assert (lod2.area > 1.0).all() and (lod2.area < 1000.0).all()  # houses, garages, sheds


def test_lod2_crs_and_bounds_inside_the_envelope(
    lod2: gpd.GeoDataFrame, lod2_tree: etree._ElementTree
) -> None:
    envelope = lod2_tree.find("gml:boundedBy/gml:Envelope", namespaces=NS)
    assert envelope.get("srsName").startswith("urn:adv:crs:ETRS89_UTM32*")
    lower = [float(v) for v in envelope.findtext("gml:lowerCorner", namespaces=NS).split()]
    upper = [float(v) for v in envelope.findtext("gml:upperCorner", namespaces=NS).split()]
    assert lod2.crs.to_epsg() == 25832
    minx, miny, maxx, maxy = lod2.total_bounds
    assert lower[0] - 1e-6 <= minx and maxx <= upper[0] + 1e-6
    assert lower[1] - 1e-6 <= miny and maxy <= upper[1] + 1e-6
    # The tile name says 576/5950: the 1 km square from E 576000, N 5950000. Buildings on
    # the tile edge are delivered whole, so they may reach a few metres beyond it.
    tile = box(576_000, 5_950_000, 577_000, 5_951_000).buffer(50, join_style="mitre")
    assert tile.contains(box(minx, miny, maxx, maxy))


# ALKIS Gebäudefunktion (AX_Gebaeudefunktion) of the codes in this tile, from the code list.
ALKIS_USES = {
    "31001_1000": "residential",  # Wohngebäude
    "31001_1010": "residential",  # Wohnhaus
    "31001_1100": "mixed",  # Gemischt genutztes Gebäude mit Wohnen
    "31001_2120": "industrial",  # Werkstatt
    "31001_2463": "ancillary",  # Garage
    "31001_2741": "agricultural",  # Treibhaus
}


def test_lod2_function_codes_inherited_and_mapped(
    lod2: gpd.GeoDataFrame, lod2_tree: etree._ElementTree
) -> None:
    expected_code = {
        fid: el.xpath("ancestor-or-self::bldg:Building/bldg:function/text()", namespaces=NS)[0]
        for fid, el in feature_elements(lod2_tree).items()
    }
    rows = lod2.set_index("feature_id")
    assert rows["function_code"].to_dict() == expected_code
    assert set(expected_code.values()) == set(ALKIS_USES)
    assert (rows["use"] == rows["function_code"].map(ALKIS_USES)).all()


# ----------------------------------------------------------------- real OSM Eimsbüttel


@pytest.fixture(scope="module")
def osm_frame(shared_data: Callable[[str], Path]) -> gpd.GeoDataFrame:
    path = shared_data(OSM_EXTRACT)
    return gpd.read_file(path, where="building IS NOT NULL").to_crs("EPSG:25832")


@pytest.fixture(scope="module")
def osm_buildings(osm_frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return normalise_footprints(osm_frame, source=OSM_EXTRACT)


def test_osm_every_building_kept_with_its_id(
    osm_frame: gpd.GeoDataFrame, osm_buildings: gpd.GeoDataFrame
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


# ------------------------------------------------------------- hand-written CityGML 2.0


def test_citygml2_fixture(test_data: Callable[[str], Path]) -> None:
    frame = read_citygml(test_data("buildings_citygml2.gml"))
    check_schema(frame)
    assert frame.crs.to_epsg() == 25832  # from the compound AdV URN
    rows = frame.set_index("feature_id")
    assert list(rows.index) == ["BLDG_A", "BLDG_B_1", "BLDG_B_2"]
    assert rows["building_id"].tolist() == ["BLDG_A", "BLDG_B", "BLDG_B"]
    # Areas: 10 m x 12 m ground surface; 8 m x 8 m ground surface; bottom of a 6 m x 8 m box.
    assert rows["geometry"].map(lambda g: g.area).tolist() == pytest.approx([120.0, 64.0, 48.0])
    assert rows.loc["BLDG_B_2", "geometry"].equals(box(566028, 5935000, 566034, 5935008))
    # Heights: measuredHeight 9.5 and 12.0; B_2 has none, its box spans z 31..37.
    assert rows["height"].tolist() == pytest.approx([9.5, 12.0, 6.0])
    assert rows["height_source"].tolist() == ["measured"] * 3
    assert rows["ground_z"].tolist() == pytest.approx([30.0, 31.0, 31.0])
    # Storeys and function of the parts come from Building B (4, 31001_1120 → mixed).
    assert rows["storeys"].tolist() == [3, 4, 4]
    assert rows["function_code"].tolist() == ["31001_1010", "31001_1120", "31001_1120"]
    assert rows["use"].tolist() == ["residential", "mixed", "mixed"]


B2_SOLID_START = "<bldg:lod1Solid>"
B2_SOLID_END = "</bldg:lod1Solid>"
FOOTPRINT_2D = """<bldg:lod0FootPrint><gml:MultiSurface><gml:surfaceMember><gml:Polygon>
<gml:exterior><gml:LinearRing><gml:posList srsDimension="2">566028 5935000 566034 5935000
566034 5935008 566028 5935008 566028 5935000</gml:posList></gml:LinearRing></gml:exterior>
</gml:Polygon></gml:surfaceMember></gml:MultiSurface></bldg:lod0FootPrint>"""


def variant(
    test_data: Callable[[str], Path], tmp_path: Path, *replacements: tuple[str, str]
) -> Path:
    text = test_data("buildings_citygml2.gml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "variant.gml"
    path.write_text(text, encoding="utf-8")
    return path


def test_citygml_part_inherits_measured_height_only_without_own_geometry_height(
    test_data: Callable[[str], Path], tmp_path: Path
) -> None:
    text = test_data("buildings_citygml2.gml").read_text(encoding="utf-8")
    start, end = text.index(B2_SOLID_START), text.index(B2_SOLID_END) + len(B2_SOLID_END)
    path = variant(
        test_data,
        tmp_path,
        (text[start:end], FOOTPRINT_2D),
        (
            "<bldg:storeysAboveGround>4</bldg:storeysAboveGround>",
            "<bldg:measuredHeight>14.0</bldg:measuredHeight>"
            "<bldg:storeysAboveGround>4</bldg:storeysAboveGround>",
        ),
    )
    rows = read_citygml(path).set_index("feature_id")
    assert rows.loc["BLDG_B_1", "height"] == 12.0  # its own measuredHeight wins
    assert rows.loc["BLDG_B_2", "height"] == 14.0  # 2D footprint only: the Building's height
    assert rows.loc["BLDG_B_2", "geometry"].area == pytest.approx(48.0)
    assert math.isnan(rows.loc["BLDG_B_2", "ground_z"])
    # With its LoD1 box (z 31..37) kept, the part's own surveyed extent beats the Building's.
    with_solid = variant(
        test_data,
        tmp_path,
        (
            "<bldg:storeysAboveGround>4</bldg:storeysAboveGround>",
            "<bldg:measuredHeight>14.0</bldg:measuredHeight>"
            "<bldg:storeysAboveGround>4</bldg:storeysAboveGround>",
        ),
    )
    rows = read_citygml(with_solid).set_index("feature_id")
    assert rows.loc["BLDG_B_2", "height"] == pytest.approx(6.0)


def test_citygml_without_heights_uses_storeys_then_default(
    test_data: Callable[[str], Path], tmp_path: Path
) -> None:
    text = test_data("buildings_citygml2.gml").read_text(encoding="utf-8")
    start, end = text.index(B2_SOLID_START), text.index(B2_SOLID_END) + len(B2_SOLID_END)
    path = variant(
        test_data,
        tmp_path,
        (text[start:end], FOOTPRINT_2D),
        ('<bldg:measuredHeight uom="urn:adv:uom:m">9.5</bldg:measuredHeight>', ""),
        ("<bldg:storeysAboveGround>3</bldg:storeysAboveGround>", ""),
        ("<bldg:storeysAboveGround>4</bldg:storeysAboveGround>", ""),
    )
    rows = read_citygml(path).set_index("feature_id")
    # BLDG_A has no attributes left, but its LoD2 surfaces span z 30..39.5.
    assert rows.loc["BLDG_A", "height"] == pytest.approx(9.5)
    assert rows.loc["BLDG_A", "height_source"] == "measured"
    # BLDG_B_2: 2D footprint, no height, no storeys anywhere → default for a mixed building.
    assert rows.loc["BLDG_B_2", "height"] == DEFAULT_STOREYS * STOREY_HEIGHT_M
    assert rows.loc["BLDG_B_2", "height_source"] == "default"
    assert pd.isna(rows.loc["BLDG_B_2", "storeys"])


def test_citygml_truncated_file_names_file_and_line(test_data: Callable[[str], Path]) -> None:
    path = test_data("buildings_truncated.gml")
    last_line = len(path.read_text(encoding="utf-8").splitlines())
    with pytest.raises(DataFileError) as info:
        read_citygml(path)
    message = str(info.value)
    assert "buildings_truncated.gml" in message
    assert f"line {last_line}" in message  # the file ends in the middle of that line
    assert "\n" not in message and "Traceback" not in message


def test_citygml_bad_coordinates(test_data: Callable[[str], Path], tmp_path: Path) -> None:
    path = variant(test_data, tmp_path, ("566010 5935012 30", "566010 59350I2 30"))
    line = 1 + next(n for n, text in enumerate(path.read_text().splitlines()) if "59350I2" in text)
    with pytest.raises(DataFileError, match=rf"variant\.gml, line {line}: coordinates"):
        read_citygml(path)


def test_citygml_crs_problems(test_data: Callable[[str], Path], tmp_path: Path) -> None:
    no_crs = variant(
        test_data, tmp_path, ('srsName="urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH" ', "")
    )
    with pytest.raises(CRSError, match="declares no coordinate reference system"):
        read_citygml(no_crs)
    unknown = variant(
        test_data,
        tmp_path,
        ("urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH", "urn:adv:crs:NOWHERE"),
    )
    with pytest.raises(CRSError, match=r"variant\.gml: 'urn:adv:crs:NOWHERE'"):
        read_citygml(unknown)


def test_citygml_not_a_building_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.gml"
    path.write_text('<?xml version="1.0"?><root xmlns="urn:x"><a/></root>', encoding="utf-8")
    with pytest.raises(LayerValidationError, match="no CityGML"):
        read_citygml(path)
    with pytest.raises(DataFileError, match="file not found"):
        read_citygml(tmp_path / "missing.gml")


# -------------------------------------------------------------------------- CityJSON


def test_cityjson_11_fixture(test_data: Callable[[str], Path]) -> None:
    frame = read_cityjson(test_data("buildings_v11.city.json"))
    check_schema(frame)
    assert frame.crs.to_epsg() == 25832
    rows = frame.set_index("feature_id")
    # house: vertices 0..10000 (scale 0.001) → 10 m x 10 m from translate (566000, 5935000, 30)
    assert rows.loc["house", "geometry"].equals(box(566000, 5935000, 566010, 5935010))
    assert rows.loc["house", "height"] == 7.4  # measuredHeight, not the 7.0 m box
    assert rows.loc["house", "ground_z"] == pytest.approx(30.0)
    assert rows.loc["house", "storeys"] == 2
    assert rows.loc["house", "use"] == "residential"
    # shed: MultiSurface box 3 m x 2 m x 2.5 m without semantics; "Schuppen" is ancillary.
    assert rows.loc["shed", "geometry"].area == pytest.approx(6.0)
    assert rows.loc["shed", "height"] == pytest.approx(2.5)
    assert rows.loc["shed", "height_source"] == "measured"
    assert rows.loc["shed", "use"] == "ancillary"
    assert rows.loc["shed", "function_code"] == "Schuppen"


def test_cityjson_20_parts_highest_lod(test_data: Callable[[str], Path]) -> None:
    frame = read_cityjson(test_data("buildings_v20.city.json"))
    check_schema(frame)
    rows = frame.set_index("feature_id")
    assert list(rows.index) == ["part1", "part2"]  # Building without own geometry, no bench
    assert set(rows["building_id"]) == {"bldg"}
    # part1: LoD 2.2 box 10 m x 8 m (scale 0.01), not the LoD 1 box of 12 m x 12 m.
    assert rows.loc["part1", "geometry"].equals(box(566100, 5935100, 566110, 5935108))
    assert rows.loc["part1", "height"] == 10.0
    assert rows.loc["part2", "geometry"].equals(box(566110, 5935100, 566115, 5935105))
    assert rows.loc["part2", "height"] == pytest.approx(4.0)
    assert rows["ground_z"].tolist() == pytest.approx([25.0, 25.0])
    assert rows["storeys"].tolist() == [3, 3]  # inherited from the Building
    assert rows["function_code"].tolist() == ["1100", "1100"]
    assert rows["use"].tolist() == ["mixed", "mixed"]


def test_cityjsonseq_gives_the_same_frame(test_data: Callable[[str], Path], tmp_path: Path) -> None:
    document = json.loads(test_data("buildings_v20.city.json").read_text(encoding="utf-8"))
    header = {**document, "CityObjects": {}, "vertices": []}
    feature = {
        "type": "CityJSONFeature",
        "id": "bldg",
        "CityObjects": document["CityObjects"],
        "vertices": document["vertices"],
    }
    path = tmp_path / "tile.city.jsonl"
    path.write_text(json.dumps(header) + "\n" + json.dumps(feature) + "\n", encoding="utf-8")
    expected = read_cityjson(test_data("buildings_v20.city.json"))
    result = read_cityjson(path)
    pd.testing.assert_frame_equal(
        result.drop(columns="geometry"), expected.drop(columns="geometry")
    )
    assert result.geometry.geom_equals(expected.geometry).all()
    bad = tmp_path / "bad.city.jsonl"
    bad.write_text(json.dumps(header) + "\n" + json.dumps(feature)[:-5] + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"bad\.city\.jsonl is not valid JSON \(line 2,"):
        read_cityjson(bad)


def test_cityjson_corrupt_names_file_and_line(test_data: Callable[[str], Path]) -> None:
    # The comma after the "version" member (line 3) was removed, so the next member on
    # line 4 is where the parser stops.
    with pytest.raises(DataFileError) as info:
        read_cityjson(test_data("buildings_corrupt.city.json"))
    message = str(info.value)
    assert "buildings_corrupt.city.json" in message and "line 4" in message
    assert "\n" not in message


def test_cityjson_crs(test_data: Callable[[str], Path], tmp_path: Path) -> None:
    document = json.loads(test_data("buildings_v11.city.json").read_text(encoding="utf-8"))
    compound = tmp_path / "compound.city.json"
    document["metadata"]["referenceSystem"] = "urn:ogc:def:crs,crs:EPSG::25833,crs:EPSG::7837"
    compound.write_text(json.dumps(document), encoding="utf-8")
    assert read_cityjson(compound).crs.to_epsg() == 25833  # horizontal part of the compound
    del document["metadata"]["referenceSystem"]
    missing = tmp_path / "nocrs.city.json"
    missing.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CRSError, match="referenceSystem"):
        read_cityjson(missing)


def test_cityjson_bad_vertex_index_names_the_object(
    test_data: Callable[[str], Path], tmp_path: Path
) -> None:
    document = json.loads(test_data("buildings_v11.city.json").read_text(encoding="utf-8"))
    document["CityObjects"]["shed"]["geometry"][0]["boundaries"][0][0][0] = 99  # 16 vertices
    path = tmp_path / "badindex.city.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(LayerValidationError, match="CityObject 'shed'"):
        read_cityjson(path)


def test_cityjson_rejects_other_json(tmp_path: Path) -> None:
    path = tmp_path / "features.json"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(LayerValidationError, match="not CityJSON"):
        read_cityjson(path)
    broken = tmp_path / "broken.city.json"
    broken.write_bytes(b'{"type": "CityJSON", "name": "\xff\xfe"}')
    with pytest.raises(DataFileError, match="not UTF-8"):
        read_cityjson(broken)


# ---------------------------------------------------------------- normalise_footprints


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
