"""3D renders: scene build and PNG for Musterstadt and a synthetic town of 25k buildings.

Prints medians of repeated runs (scene build, PNG render, both together, a glTF export),
the time of a cached request, and the real Hamburg LoD2 tile drawn from its surfaces
and extruded (if ../shared/data is there). Rendering is off-screen (EGL, Mesa llvmpipe on machines
without a GPU). Figures go to benchmarks/RESULTS.md.

    python benchmarks/render_bench.py [--buildings 25000] [--size 1280x720] [--repeat 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import shapely
from landuse_bench import synthetic_town  # benchmarks/ is on the path of a script run

from layers.citygml import read_citygml_model
from sample_data import get_path
from scenarios.twin_layers import TwinLayers, twin_layers
from twin.config import load_config
from twin.importer import import_layer, init_municipality
from twin.workspace import Workspace
from viewer.render3d import (
    View,
    build_scene,
    cached_render,
    export_glb,
    parse_size,
    render_folder,
    render_png,
)


def sample_workspace(root: Path) -> Workspace:
    workspace = Workspace(root)
    config = load_config(get_path("musterstadt"))
    store = init_municipality(config, workspace, actor="benchmark")
    for layer in config.layers:
        import_layer(config, store, layer, actor="benchmark")
    return workspace


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(
    name: str, layers: TwinLayers, size: tuple[int, int], repeat: int, folder: Path
) -> None:
    scene = build_scene(layers)
    cells = sum(mesh.n_cells for mesh in scene.meshes().values())
    build = median_seconds(lambda: build_scene(layers), repeat)
    png = median_seconds(lambda: render_png(scene, size=size), repeat)
    both = median_seconds(lambda: render_png(build_scene(layers), size=size), repeat)
    glb = median_seconds(lambda: export_glb(scene, folder / "scene.glb"), repeat)
    print(
        f"{name}: {len(layers.buildings):,} buildings, {len(layers.trees):,} trees, "
        f"{cells:,} cells; median scene {build * 1000:.0f} ms, PNG {png * 1000:.0f} ms, "
        f"scene + PNG {both * 1000:.0f} ms, glb {glb * 1000:.0f} ms "
        f"({(folder / 'scene.glb').stat().st_size / 1e6:.1f} MB)"
    )


LOD2_TILE = Path(__file__).resolve().parents[2] / "shared/data/hamburg/LoD2_576_5950_1_HH_2016.xml"


def lod2(size: tuple[int, int], repeat: int) -> None:
    """The real Hamburg LoD2 tile: buildings from their surfaces vs extruded footprints."""
    if not LOD2_TILE.exists():
        print(f"Hamburg LoD2 tile: skipped ({LOD2_TILE} not available)")
        return
    model = read_citygml_model(LOD2_TILE)
    crs = model.frame.crs
    empty = gpd.GeoDataFrame({"feature_id": []}, geometry=[], crs=crs)
    layers = TwinLayers(shapely.box(576000, 5949900, 577000, 5951000), empty, model.frame, empty)
    figures = []
    for name, surfaces in (("extruded", None), ("LoD2", model.surfaces)):
        scene = build_scene(layers, surfaces=surfaces)
        build = median_seconds(lambda s=surfaces: build_scene(layers, surfaces=s), repeat)
        png = median_seconds(lambda s=scene: render_png(s, size=size), repeat)
        figures.append(
            f"{name} {scene.buildings.n_cells:,} cells, scene {build * 1000:.0f} ms, "
            f"PNG {png * 1000:.0f} ms"
        )
    print(f"Hamburg LoD2 tile ({len(model.frame)} buildings): " + "; ".join(figures))


def cached(workspace: Workspace, size: tuple[int, int], repeat: int) -> None:
    store, config = workspace.store("musterstadt"), workspace.config("musterstadt")
    folder = render_folder(workspace, "musterstadt")
    view = View(size=size)
    start = time.perf_counter()
    cached_render(store, config, folder, None, view)
    first = time.perf_counter() - start
    hit = median_seconds(lambda: cached_render(store, config, folder, None, view), repeat)
    print(
        f"Musterstadt through the cache: first request {first * 1000:.0f} ms "
        f"(layers from the store, scene, PNG), cached hit median {hit * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=25_000)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    size = parse_size(args.size)
    folder = Path(tempfile.mkdtemp(prefix="render-bench-"))
    try:
        workspace = sample_workspace(folder / "ws")
        sample = twin_layers(workspace.store("musterstadt"), workspace.config("musterstadt"))
        measure("Musterstadt", sample, size, args.repeat, folder)
        town = synthetic_town(args.buildings).layers
        measure("synthetic town", town, size, args.repeat, folder)
        cached(workspace, size, max(args.repeat, 20))
        lod2(size, args.repeat)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
