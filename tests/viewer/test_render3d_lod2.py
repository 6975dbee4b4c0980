"""3D renders of LoD2 buildings (the real Hamburg tile): roofs from the stored surfaces."""

from __future__ import annotations

import dataclasses
import logging

import geopandas as gpd
import numpy as np
import pytest
import shapely
from fastapi.testclient import TestClient

from layers.buildings import BUILDING_COLUMNS
from scenarios.edits import edit_from_feature
from scenarios.twin_layers import TwinLayers, twin_layers
from tests.viewer.test_render3d import areas, picture, roof_area
from twin.workspace import Workspace
from viewer.app import create_app
from viewer.render3d import Scene, View, build_scene, lod2_surfaces, render_png, twin_scene

SIZE = (480, 360)
#: The row of houses with gabled roofs in the tile's middle, as a box for the camera.
ROW = (576500.0, 5950560.0, 576580.0, 5950640.0)


@pytest.fixture(scope="module")
def layers(lod2_workspace: Workspace) -> TwinLayers:
    return twin_layers(lod2_workspace.store("lod2"), lod2_workspace.config("lod2"))


@pytest.fixture(scope="module")
def surfaces(lod2_workspace: Workspace) -> gpd.GeoSeries:
    found = lod2_surfaces(lod2_workspace.store("lod2"), lod2_workspace.config("lod2"))
    assert found is not None
    return found


def surface_area(surfaces: gpd.GeoSeries) -> float:
    """3D area of all faces: half the length of each ring's Newell normal (holes subtract)."""
    total = 0.0
    for polygon in shapely.get_parts(surfaces.to_numpy()):
        rings = [polygon.exterior, *polygon.interiors]
        for number, ring in enumerate(rings):
            c = np.asarray(ring.coords)
            c = c - c.mean(axis=0)
            a, b = c[:-1], c[1:]
            normal = np.cross(a, b).sum(axis=0)
            total += (-1 if number else 1) * float(np.linalg.norm(normal)) / 2
    return total


def close_up(scene: Scene) -> Scene:
    ox, oy, _ = scene.origin
    minx, miny, maxx, maxy = ROW
    return dataclasses.replace(scene, focus=(minx - ox, miny - oy, 0, maxx - ox, maxy - oy, 15))


def test_lod2_buildings_are_drawn_from_their_surfaces(layers, surfaces) -> None:
    scene = build_scene(layers, surfaces=surfaces)
    extruded = build_scene(layers)
    mesh = scene.buildings
    buildings = layers.buildings
    assert set(np.unique(mesh.cell_data["building"])) == set(range(len(buildings)))
    # every face of the model, triangulated: same area, more cells than the prisms
    assert areas(mesh).sum() == pytest.approx(surface_area(surfaces), rel=1e-6)
    assert mesh.n_cells > extruded.buildings.n_cells
    # standing on the flat ground, each building as high as in the table
    assert mesh.bounds[4] == pytest.approx(0.0, abs=0.05)
    tops = np.zeros(len(buildings))
    np.maximum.at(tops, mesh.cell_data["building"], mesh.points[mesh.regular_faces, 2].max(axis=1))
    # faces are lifted onto their mean plane: real faces are planar to a few cm
    np.testing.assert_allclose(tops, buildings["height"].to_numpy(), atol=0.05)
    assert mesh.bounds[5] == pytest.approx(buildings["height"].max(), abs=0.05)
    # pitched roofs: roof triangles cover more than the footprints, and face up
    roof = mesh.cell_data["roof"]
    assert roof_area(mesh) > buildings.area.sum()
    assert (mesh.cell_normals[roof, 2] > 0.2).all()
    assert not np.isclose(mesh.cell_normals[roof, 2], 1.0).all()
    assert (np.abs(mesh.cell_normals[~roof, 2]) < 0.2).any()  # walls


def test_a_lod2_render_shows_other_pixels_than_the_extrusion(layers, surfaces) -> None:
    lod2 = picture(render_png(close_up(build_scene(layers, surfaces=surfaces)), size=SIZE))
    blocks = picture(render_png(close_up(build_scene(layers)), size=SIZE))
    assert lod2.shape == blocks.shape == (SIZE[1], SIZE[0], 3)
    differ = np.abs(lod2 - blocks).sum(axis=2) > 30
    assert differ.mean() > 0.01  # the roofs


def test_the_twin_scene_reads_the_stored_surfaces(lod2_workspace: Workspace, layers) -> None:
    store, config = lod2_workspace.store("lod2"), lod2_workspace.config("lod2")
    scene = twin_scene(store, config, None, View())
    assert (
        scene.buildings.n_cells
        == build_scene(layers, surfaces=store.building_surfaces("buildings")).buildings.n_cells
    )
    assert scene.buildings.n_cells > build_scene(layers).buildings.n_cells


def test_a_changed_lod2_building_is_highlighted_as_a_prism(layers, surfaces) -> None:
    row = int(np.argmax(layers.buildings.area.to_numpy()))
    target = layers.buildings.iloc[row]
    raise_it = edit_from_feature(
        0,
        target.geometry.buffer(0.5),
        {"edit": "modify_buildings", "height_m": 30.0},
        layers.boundary,
    )
    scene = build_scene(layers, [raise_it], surfaces=surfaces)
    changed = set(np.unique(scene.changed.cell_data["building"]))
    assert row in changed
    assert row not in set(np.unique(scene.buildings.cell_data["building"]))
    assert scene.changed.bounds[5] == pytest.approx(30.0)
    assert (
        np.isclose(scene.changed.cell_normals[:, 2], 0, atol=1e-9)
        | np.isclose(scene.changed.cell_normals[:, 2], 1)
    ).all()  # walls and flat roofs only


def test_broken_surfaces_fall_back_to_the_extrusion_with_a_warning(
    layers, surfaces, caplog
) -> None:
    broken = surfaces.copy()
    first, second = broken.index[:2]
    bow_tie = shapely.Polygon([(0, 0, 0), (10, 10, 0), (10, 0, 0), (0, 10, 0)])
    x, y = layers.buildings.set_index("feature_id").loc[first].geometry.centroid.coords[0]
    broken[first] = shapely.MultiPolygon(
        [shapely.affinity.translate(bow_tie, x, y), *broken[first].geoms]
    )
    broken[second] = shapely.MultiPolygon(
        [shapely.Polygon([(x, y, np.nan), (x + 1, y, 0), (x, y + 1, 0)])]
    )
    with caplog.at_level(logging.WARNING, logger="viewer.render3d"):
        scene = build_scene(layers, surfaces=broken)
    assert "2 building(s)" in caplog.text and first in caplog.text and second in caplog.text
    prisms = build_scene(layers).buildings
    rows = layers.buildings["feature_id"].tolist()
    for feature_id in (first, second):
        row = rows.index(feature_id)
        mine = scene.buildings.extract_cells(
            np.flatnonzero(scene.buildings.cell_data["building"] == row)
        )
        theirs = prisms.extract_cells(np.flatnonzero(prisms.cell_data["building"] == row))
        assert mine.n_cells == theirs.n_cells
        np.testing.assert_allclose(mine.bounds, theirs.bounds)
    assert np.isfinite(scene.buildings.points).all()


def test_ogc_items_of_a_lod2_layer_carry_no_surfaces(lod2_workspace: Workspace) -> None:
    client = TestClient(create_app(lod2_workspace))
    answer = client.get("/lod2/ogc/collections/buildings/items", params={"limit": 1000})
    assert answer.status_code == 200
    features = answer.json()["features"]
    assert len(features) == len(lod2_workspace.store("lod2").read_features("buildings").frame)
    expected = {c for c in BUILDING_COLUMNS if c not in ("feature_id", "geometry")}
    for feature in features:
        assert set(feature["properties"]) == expected
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        ring = feature["geometry"]["coordinates"][0]
        assert all(len(p) == 2 for p in (ring[0] if isinstance(ring[0][0], list) else ring))
    assert len(answer.content) < 200_000
