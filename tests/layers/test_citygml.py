"""Tests of layers/citygml.py on the real Hamburg LoD2 tile and small hand-written files.

Expected values come from independent lxml XPath reads of the same files or from the
geometry written into the fixtures, never from the module's own output.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from lxml import etree
from shapely.geometry import box

from layers.buildings import DEFAULT_STOREYS, STOREY_HEIGHT_M
from layers.citygml import read_citygml
from twin.errors import CRSError, DataFileError, LayerValidationError

LOD2_TILE = "LoD2_576_5950_1_HH_2016.xml"


NS = {
    "core": "http://www.opengis.net/citygml/1.0",
    "bldg": "http://www.opengis.net/citygml/building/1.0",
    "gml": "http://www.opengis.net/gml",
}


GML_ID = "{http://www.opengis.net/gml}id"


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
    check_schema: Callable[[gpd.GeoDataFrame], None],
    lod2: gpd.GeoDataFrame,
    lod2_tree: etree._ElementTree,
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


def test_citygml2_fixture(
    check_schema: Callable[[gpd.GeoDataFrame], None], test_data: Callable[[str], Path]
) -> None:
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


def solid_to_footprint(test_data: Callable[[str], Path]) -> tuple[str, str]:
    """Replacement of BLDG_B_2's LoD1 box by a 2D footprint, for :func:`variant`."""
    text = test_data("buildings_citygml2.gml").read_text(encoding="utf-8")
    start, end = text.index(B2_SOLID_START), text.index(B2_SOLID_END) + len(B2_SOLID_END)
    return text[start:end], FOOTPRINT_2D


B_MEASURED_14 = (  # Building B gets a measuredHeight of 14 m, for variant()
    "<bldg:storeysAboveGround>4</bldg:storeysAboveGround>",
    "<bldg:measuredHeight>14.0</bldg:measuredHeight>"
    "<bldg:storeysAboveGround>4</bldg:storeysAboveGround>",
)


def test_citygml_part_inherits_measured_height_only_without_own_geometry_height(
    test_data: Callable[[str], Path], tmp_path: Path
) -> None:
    path = variant(test_data, tmp_path, solid_to_footprint(test_data), B_MEASURED_14)
    rows = read_citygml(path).set_index("feature_id")
    assert rows.loc["BLDG_B_1", "height"] == 12.0  # its own measuredHeight wins
    assert rows.loc["BLDG_B_2", "height"] == 14.0  # 2D footprint only: the Building's height
    assert rows.loc["BLDG_B_2", "geometry"].area == pytest.approx(48.0)
    assert math.isnan(rows.loc["BLDG_B_2", "ground_z"])
    # With its LoD1 box (z 31..37) kept, the part's own surveyed extent beats the Building's.
    with_solid = variant(test_data, tmp_path, B_MEASURED_14)
    rows = read_citygml(with_solid).set_index("feature_id")
    assert rows.loc["BLDG_B_2", "height"] == pytest.approx(6.0)


def test_citygml_without_heights_uses_storeys_then_default(
    test_data: Callable[[str], Path], tmp_path: Path
) -> None:
    path = variant(
        test_data,
        tmp_path,
        solid_to_footprint(test_data),
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
    with pytest.raises(DataFileError, match="file not found"):
        read_citygml(tmp_path / "missing.gml")
    path = tmp_path / "empty.gml"
    path.write_text('<?xml version="1.0"?><root xmlns="urn:x"><a/></root>', encoding="utf-8")
    with pytest.raises(LayerValidationError, match="no CityGML"):
        read_citygml(path)
