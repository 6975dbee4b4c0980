"""3D renders: geometry of the scene, pictures, glTF, the cache, the HTTP routes and the CLI."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import matplotlib
import numpy as np
import pygltflib
import pytest
import rasterio
import shapely
from fastapi.testclient import TestClient
from PIL import Image

from scenarios.edits import Edit, apply_edits, edit_from_feature
from scenarios.grid import Grid
from scenarios.heat_maps import LABELS
from scenarios.heat_twin import TwinHeat, difference
from scenarios.model import ScenarioBook
from scenarios.twin_layers import TwinLayers, twin_layers
from tests.viewer.conftest import copy_workspace, role_tokens
from twin.config import Classification
from twin.importer import import_layer
from twin.workspace import Workspace
from viewer import render3d
from viewer.app import create_app
from viewer.render3d import (
    Drape,
    Scene,
    Terrain,
    View,
    build_scene,
    cached_render,
    export_glb,
    render_folder,
    render_png,
    scene_plotter,
    twin_scene,
)

SIZE = (320, 240)
#: An empty field in the south of Musterstadt, 30 m × 20 m.
NEW_HOUSE = shapely.box(633000, 5496600, 633030, 5496620)
TWIN = str(Path(sys.executable).parent / "twin")
API = "/musterstadt/api"


@pytest.fixture(scope="module")
def workspace(imported_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return copy_workspace(imported_workspace, tmp_path_factory, "render3d")


@pytest.fixture(scope="module")
def book(workspace: Workspace) -> ScenarioBook:
    return ScenarioBook(workspace.store("musterstadt"), workspace.config("musterstadt"))


@pytest.fixture(scope="module")
def layers(book: ScenarioBook) -> TwinLayers:
    return twin_layers(book.store, book.config)


def edit(book: ScenarioBook, geometry: shapely.Geometry, **props: object) -> Edit:
    return edit_from_feature(0, geometry, props, book.boundary)


def add_house(book: ScenarioBook, height: float = 21.0) -> Edit:
    return edit(book, NEW_HOUSE, edit="add_building", height_m=height)


def areas(mesh) -> np.ndarray:
    return mesh.compute_cell_sizes(length=False, volume=False).cell_data["Area"]


def roof_area(mesh) -> float:
    return float(areas(mesh)[mesh.cell_data["roof"]].sum())


def local(bounds: tuple[float, float, float, float], scene: Scene) -> np.ndarray:
    ox, oy, _ = scene.origin
    return np.array(bounds) - (ox, oy, ox, oy)


def xy_bounds(mesh) -> np.ndarray:
    b = mesh.bounds
    return np.array([b[0], b[2], b[1], b[3]])


def picture(data: bytes) -> np.ndarray:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)


def magenta(image: np.ndarray) -> np.ndarray:
    """Pixels of the highlight colour #e6007e, lit or in shade (red and blue, no green)."""
    r, g, b = image[..., 0], image[..., 1], image[..., 2]
    return (r > 90) & (b > 40) & (g < 0.25 * b) & (r > b)


def test_buildings_are_prisms_over_their_footprints_up_to_their_heights(layers) -> None:
    scene = build_scene(layers)
    buildings = layers.buildings
    mesh = scene.buildings
    np.testing.assert_allclose(xy_bounds(mesh), local(tuple(buildings.total_bounds), scene))
    assert mesh.bounds[4] == 0.0
    assert mesh.bounds[5] == pytest.approx(buildings["height"].max())
    assert set(np.unique(mesh.cell_data["building"])) == set(range(len(buildings)))
    assert roof_area(mesh) == pytest.approx(buildings.area.sum(), rel=1e-9)
    roof = mesh.cell_data["roof"]
    wall_area = areas(mesh)[~roof].sum()
    assert wall_area == pytest.approx((buildings.length * buildings["height"]).sum(), rel=1e-9)
    assert (mesh.cell_normals[roof, 2] > 0.999).all()  # roofs face up
    assert scene.changed.n_cells == scene.removed.n_cells == scene.edit_areas.n_cells == 0


def test_walls_face_out_of_their_building(layers) -> None:
    scene = build_scene(layers)
    mesh = scene.buildings
    wall = ~mesh.cell_data["roof"]
    outward = mesh.cell_centers().points[wall, :2] + 0.05 * mesh.cell_normals[wall, :2]
    ox, oy, _ = scene.origin
    owner = layers.buildings.geometry.to_numpy()[mesh.cell_data["building"][wall]]
    inside = shapely.contains_xy(owner, outward[:, 0] + ox, outward[:, 1] + oy)
    assert not inside.any()


def test_a_new_building_is_highlighted_exactly_and_nothing_else(layers, book) -> None:
    scene = build_scene(layers, [add_house(book)])
    changed = scene.changed
    np.testing.assert_allclose(xy_bounds(changed), local(NEW_HOUSE.bounds, scene), atol=1e-6)
    assert changed.bounds[4:] == pytest.approx((0.0, 21.0))
    assert roof_area(changed) == pytest.approx(NEW_HOUSE.area, rel=1e-9)
    assert scene.buildings.n_cells == build_scene(layers).buildings.n_cells
    np.testing.assert_allclose(xy_bounds(scene.edit_areas), local(NEW_HOUSE.bounds, scene))
    assert scene.edit_areas.bounds[4] == scene.edit_areas.bounds[5] == render3d.LIFT_M


def test_raised_and_removed_buildings_are_shown_as_such(layers, book) -> None:
    target = layers.buildings.iloc[100]
    raise_it = edit(book, target.geometry.buffer(1), edit="modify_buildings", add_storeys=3)
    raised = build_scene(layers, [raise_it])
    assert set(raised.changed.cell_data["building"]) == {100}
    assert raised.changed.bounds[5] == pytest.approx((target["storeys"] + 3) * 3.0)
    remove_it = edit(book, target.geometry.buffer(1), edit="remove_buildings")
    edited, _ = apply_edits(layers, [remove_it])
    assert len(edited.buildings) == len(layers.buildings) - 1
    removed = build_scene(layers, [remove_it])
    assert removed.changed.n_cells == 0
    assert removed.removed.n_lines > 0 and removed.removed.n_cells == removed.removed.n_lines
    np.testing.assert_allclose(xy_bounds(removed.removed), local(target.geometry.bounds, removed))
    assert removed.removed.bounds[4:] == pytest.approx((0.0, target["height"]))


def test_the_png_is_a_picture_of_that_size_with_the_changes_in_highlight(layers, book) -> None:
    image = picture(render_png(build_scene(layers, [add_house(book)]), size=SIZE))
    assert image.shape == (SIZE[1], SIZE[0], 3)
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 100
    assert magenta(image).sum() > 200  # the new house, seen from close by
    base = picture(render_png(build_scene(layers), size=SIZE))
    assert magenta(base).sum() == 0


def gradient(layers: TwinLayers, cell: float = 50.0) -> Drape:
    """West 20 °C, east 30 °C, in columns of 50 m cells."""
    grid = Grid.covering(layers.boundary.bounds, cell_size=cell, crs="EPSG:25832")
    columns = np.broadcast_to(np.arange(grid.width, dtype=float), grid.shape)
    return Drape(20 + 10 * columns / (grid.width - 1), grid, "temperature")


def test_a_draped_raster_colours_the_ground_as_the_grid_varies(layers) -> None:
    drape = gradient(layers)
    scene = build_scene(layers, drape=drape)
    values = scene.ground.point_data["value"].reshape(-1, 4)
    assert (values == values[:, :1]).all()  # one value per cell
    np.testing.assert_array_equal(values[:, 0], drape.values.ravel())
    np.testing.assert_allclose(xy_bounds(scene.ground), local(drape.grid.bounds, scene))
    image = picture(render_png(scene, size=SIZE))
    inferno = matplotlib.colormaps["inferno"]
    columns = np.indices(image.shape[:2])[1]
    seen = {}
    for name, share in (("cold", 0.02), ("hot", 0.98)):
        colour = np.array(inferno(share)[:3]) * 255
        near = np.abs(image - colour).sum(axis=-1) < 30
        assert near.sum() > 100, name
        seen[name] = columns[near].mean()
    assert seen["cold"] < SIZE[0] / 2 < seen["hot"]  # west is left when looking north


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_colour_bar_is_labelled_in_the_language_asked_for(layers, lang) -> None:
    plotter = scene_plotter(build_scene(layers, drape=gradient(layers)), size=SIZE, lang=lang)
    try:
        assert list(plotter.scalar_bars.keys()) == [LABELS[lang]["temperature"]]
    finally:
        plotter.close()


def test_the_heat_change_of_a_scenario_is_draped(book) -> None:
    paved = edit(book, NEW_HOUSE.buffer(60, join_style="mitre"), edit="seal")
    scenario = book.create("versiegelt", [paved], title="Versiegelt", actor="pytest")
    scene = twin_scene(book.store, book.config, scenario, View(heat=True))
    assert scene.drape is not None and scene.drape.kind == "difference"
    on_ground = scene.ground.point_data["value"][::4]
    np.testing.assert_array_equal(on_ground, scene.drape.values.ravel())
    hottest = np.unravel_index(np.nanargmax(scene.drape.values), scene.drape.grid.shape)
    assert paved.geometry.distance(shapely.Point(scene.drape.grid.cell_centre(*hottest))) < 50
    assert np.nanmax(on_ground) > 10 * np.nanmin(np.abs(on_ground))  # it fades with distance
    model = TwinHeat(book.config, book.store)  # computed afresh, not through the cache
    expected = difference(model.scenario([paved]).result, model.base)
    np.testing.assert_allclose(scene.drape.values, expected, equal_nan=True)


def test_on_a_dem_buildings_stand_on_the_terrain(layers, book) -> None:
    path = book.store.raster_path("dem")
    terrain = Terrain.read(path, layers.boundary.bounds, book.config.crs)
    scene = build_scene(layers, terrain=terrain)
    zero = scene.origin[2]
    assert scene.ground.bounds[4] >= 0.0 and scene.ground.bounds[5] > 20  # hills, from zero
    mesh = scene.buildings
    first = mesh.extract_cells(np.flatnonzero(mesh.cell_data["building"] == 0))
    corners = shapely.get_coordinates(layers.buildings.geometry.iloc[0])
    with rasterio.open(path) as source:
        heights = np.array([h[0] for h in source.sample(corners)])
    assert first.bounds[4] + zero == pytest.approx(heights.min(), abs=1.0)
    assert first.bounds[5] - first.bounds[4] == pytest.approx(layers.buildings["height"].iloc[0])


def test_the_glb_holds_one_mesh_per_part_of_the_scene(layers, book, tmp_path) -> None:
    remove = edit(book, layers.buildings.iloc[100].geometry.buffer(1), edit="remove_buildings")
    scene = build_scene(layers, [add_house(book), remove], drape=gradient(layers))
    target = export_glb(scene, tmp_path / "scene.glb")
    blob = target.read_bytes()
    magic, version, length = struct.unpack("<4sII", blob[:12])
    assert (magic, version, length) == (b"glTF", 2, len(blob))
    size, kind = struct.unpack("<I4s", blob[12:20])
    assert kind == b"JSON" and json.loads(blob[20 : 20 + size])["asset"]["version"] == "2.0"
    gltf = pygltflib.GLTF2().load(str(target))
    parts = scene.meshes()
    assert list(parts) == ["ground", "buildings", "changed", "removed", "edit_areas", "trees"]
    assert len(gltf.meshes) == len(parts)
    assert len([node for node in gltf.nodes if node.mesh is not None]) == len(parts)
    modes = [mesh.primitives[0].mode for mesh in gltf.meshes]
    assert modes == [4, 4, 4, 1, 1, 4]  # triangles, and lines for wireframes and outlines
    ground = gltf.meshes[0].primitives[0]
    assert ground.attributes.COLOR_0 is not None  # the draped colours travel along
    assert gltf.accessors[ground.attributes.COLOR_0].count == scene.ground.n_points
    positions = gltf.accessors[gltf.meshes[2].primitives[0].attributes.POSITION]
    assert positions.max[2] == pytest.approx(21.0)  # the new house, in metres
    assert len(gltf.binary_blob()) == gltf.buffers[0].byteLength


def test_renders_are_cached_per_scenario_version(book, workspace, monkeypatch) -> None:
    scenario = book.create("im-cache", [add_house(book)], title="Cache", actor="pytest")
    folder = render_folder(workspace, "musterstadt")
    view = View(size=SIZE)
    first = cached_render(book.store, book.config, folder, scenario, view)
    made = first.stat().st_mtime_ns
    with monkeypatch.context() as patch:
        patch.setattr(render3d, "render_png", lambda *a, **k: pytest.fail("rendered again"))
        again = cached_render(book.store, book.config, folder, scenario, view)
    assert again == first and again.stat().st_mtime_ns == made
    assert cached_render(book.store, book.config, folder, scenario, View(size=(330, 240))) != first
    newer = book.save("im-cache", [add_house(book, 30.0)], actor="pytest", message="taller")
    second = cached_render(book.store, book.config, folder, newer, view)
    assert second != first and second.exists() and first.exists()
    assert "im-cache-v2" in second.name and "im-cache-v1" in first.name
    config = book.config
    import_layer(config, book.store, config.layer("districts"), actor="pytest")  # new base state
    third = cached_render(book.store, book.config, folder, newer, view)
    assert third != second and not second.exists() and not first.exists()  # old state pruned


def test_requests_for_one_render_at_once_draw_it_once(book, workspace, monkeypatch) -> None:
    scenario = book.create("zugleich", [add_house(book)], title="Zugleich", actor="pytest")
    folder = render_folder(workspace, "musterstadt")
    drawn, real = [], render3d.twin_scene
    monkeypatch.setattr(render3d, "twin_scene", lambda *a: drawn.append(1) or real(*a))
    start = threading.Barrier(3)

    def ask() -> Path:
        start.wait()
        return cached_render(book.store, book.config, folder, scenario, View(size=SIZE))

    with ThreadPoolExecutor(3) as pool:
        paths = {f.result() for f in [pool.submit(ask) for _ in range(3)]}
    assert len(paths) == 1 and len(drawn) == 1


def test_the_http_routes_check_access_like_the_scenario_api(workspace, book) -> None:
    client = TestClient(create_app(workspace))
    tokens = role_tokens(book.store)
    book.create("geheim", [add_house(book)], title="Entwurf", actor="pytest")
    url = f"{API}/scenarios/geheim/render.png?size=320x240"
    hidden = client.get(url, headers=tokens["anonymous"])
    missing = client.get(f"{API}/scenarios/gibt-es-nicht/render.png", headers=tokens["anonymous"])
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["code"] == missing.json()["code"]
    shown = client.get(url, headers=tokens["administration"])
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
    assert picture(shown.content).shape == (240, 320, 3)
    assert shown.headers["cache-control"] == "private, no-cache"
    etag = shown.headers["etag"]
    same = client.get(url, headers=tokens["administration"] | {"If-None-Match": etag})
    assert same.status_code == 304 and same.headers["etag"] == etag and not same.content
    model = client.get(f"{API}/scenarios/geheim/render.glb", headers=tokens["administration"])
    assert model.status_code == 200 and model.headers["content-type"] == "model/gltf-binary"
    assert model.content[:4] == b"glTF"
    base = client.get(f"{API}/render.png?size=320x240&lang=en")
    assert base.status_code == 200 and base.headers["cache-control"] == "public, no-cache"
    assert client.get(f"{API}/render.png?size=5x5").status_code == 400
    assert client.get(f"{API}/render.png?dem=streets").status_code == 404  # not a raster


def test_the_cli_renders_a_scenario_or_says_what_is_wrong(workspace, book, tmp_path) -> None:
    book.create("per-cli", [add_house(book)], title="CLI", actor="pytest")
    out = tmp_path / "haus.png"
    args = [TWIN, "scenario", "render", "musterstadt", "per-cli@1", "-w", str(workspace.root)]
    done = subprocess.run(
        [*args, "--size", "320x240", "--out", str(out)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert magenta(picture(out.read_bytes())).sum() > 200
    wrong = subprocess.run(
        [*args, "--out", str(tmp_path / "haus.jpg")], capture_output=True, text=True
    )
    assert wrong.returncode == 1 and "give a .png or a .glb file" in " ".join(wrong.stderr.split())
    assert "Traceback" not in wrong.stderr


def test_no_render_where_a_drawn_layer_is_not_public(
    imported_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> None:
    workspace = copy_workspace(imported_workspace, tmp_path_factory, "render-council")
    config = workspace.config("musterstadt")
    layers = [
        layer.model_copy(update={"classification": Classification.COUNCIL})
        if layer.name == "buildings"
        else layer
        for layer in config.layers
    ]
    workspace.save_config(config.model_copy(update={"layers": layers}))
    admin = role_tokens(workspace.store("musterstadt"))["admin"]
    client = TestClient(create_app(workspace))
    for path in ("render.png", "render.glb"):
        answer = client.get(f"/musterstadt/api/{path}", headers=admin)
        assert answer.status_code == 403
        assert "'buildings', which is classified 'council'" in answer.json()["description"]
    assert not render_folder(workspace, "musterstadt").exists() or not any(
        render_folder(workspace, "musterstadt").iterdir()
    )
