"""LoD2 surfaces kept by the 3D readers (layers/citygml.py, layers/cityjson.py) for 3D views.

Expected values come from the fixtures' geometry and the building table of the same read
(ground_z, height), which other tests check against the files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from layers.citygml import read_citygml, read_citygml_model
from layers.cityjson import read_cityjson, read_cityjson_model
from sample_data import get_path
from tests.conftest import LOD2_TILE


def z_range(geometry: shapely.Geometry) -> tuple[float, float]:
    z = shapely.get_coordinates(geometry, include_z=True)[:, 2]
    return float(z.min()), float(z.max())


def test_hamburg_lod2_keeps_every_rows_surfaces_with_plausible_heights(
    shared_data: Callable[[str], Path],
) -> None:
    model = read_citygml_model(shared_data(LOD2_TILE))
    frame = model.frame.set_index("feature_id")
    assert model.surfaces.crs == model.frame.crs
    assert set(model.surfaces.index) == set(frame.index)  # every part is LoD2
    assert (model.surfaces.geom_type == "MultiPolygon").all()
    assert model.surfaces.has_z.all()
    for feature_id, surfaces in model.surfaces.items():
        low, high = z_range(surfaces)
        row = frame.loc[feature_id]
        assert low == pytest.approx(row["ground_z"], abs=0.01)
        assert high > row["ground_z"] + 2.0  # a roof above the ground
        assert high == pytest.approx(row["ground_z"] + row["height"], abs=0.05)
        # the surfaces stand on the footprint
        flat = shapely.force_2d(surfaces)
        assert shapely.union_all(shapely.get_parts(flat)).buffer(0.01).contains(row["geometry"])
    assert model.surfaces.map(lambda g: len(g.geoms)).min() >= 5  # ground, walls, roof
    pd.testing.assert_frame_equal(model.frame, read_citygml(shared_data(LOD2_TILE)))


def test_cityjson_keeps_surfaces_of_lod2_geometry_only(test_data: Callable[[str], Path]) -> None:
    v20 = read_cityjson_model(test_data("buildings_v20.city.json"))
    # part1: LoD 2.2 box 10 m x 8 m from z 25 to 35 (six faces); part2 is LoD 1.2.
    assert list(v20.surfaces.index) == ["part1"]
    part1 = v20.surfaces["part1"]
    assert len(part1.geoms) == 6
    assert z_range(part1) == pytest.approx((25.0, 35.0))
    assert shapely.force_2d(part1).envelope.equals(shapely.box(566100, 5935100, 566110, 5935108))
    v11 = read_cityjson_model(test_data("buildings_v11.city.json"))
    assert list(v11.surfaces.index) == ["house"]  # LoD 2 solid; the shed is LoD 1
    assert z_range(v11.surfaces["house"]) == pytest.approx((30.0, 37.0))
    pd.testing.assert_frame_equal(v20.frame, read_cityjson(test_data("buildings_v20.city.json")))


def test_lod1_models_keep_no_surfaces(test_data: Callable[[str], Path]) -> None:
    assert read_cityjson_model(
        get_path("musterstadt").parent / "buildings.city.json"
    ).surfaces.empty
    # the CityGML fixture has LoD2 ground surfaces for A and B_1 and a LoD1 solid for B_2
    model = read_citygml_model(test_data("buildings_citygml2.gml"))
    assert "BLDG_B_2" not in model.surfaces.index


def test_a_degenerate_face_does_not_stop_the_read(
    test_data: Callable[[str], Path], tmp_path: Path
) -> None:
    document = json.loads(test_data("buildings_v11.city.json").read_text(encoding="utf-8"))
    geometry = document["CityObjects"]["house"]["geometry"][0]
    geometry["boundaries"][0].append([[0, 0, 1]])  # two distinct points: no area
    for values in geometry.get("semantics", {}).get("values", []):
        values.append(None)
    path = tmp_path / "degenerate.city.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    model = read_cityjson_model(path)
    assert len(model.surfaces["house"].geoms) == len(geometry["boundaries"][0])
    assert np.isfinite(shapely.get_coordinates(model.surfaces.to_numpy(), include_z=True)).all()
