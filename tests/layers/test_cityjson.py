"""Tests of layers/cityjson.py on small hand-written CityJSON 1.1/2.0 and CityJSONSeq files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from layers.cityjson import read_cityjson
from twin.errors import CRSError, DataFileError, LayerValidationError


def test_cityjson_11_fixture(
    check_schema: Callable[[gpd.GeoDataFrame], None], test_data: Callable[[str], Path]
) -> None:
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


def test_cityjson_20_parts_highest_lod(
    check_schema: Callable[[gpd.GeoDataFrame], None], test_data: Callable[[str], Path]
) -> None:
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
