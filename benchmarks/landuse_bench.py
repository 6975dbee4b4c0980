"""Land-use indicators: a full run and single edits on synthetic towns of 10k and 100k buildings.

The town is a grid of 100 m blocks, ten buildings per block, every seventh block a park
and every eleventh a commercial block, with a farmland ring and ten districts (columns of
blocks). Prints medians of repeated runs; figures go to benchmarks/RESULTS.md.

    python benchmarks/landuse_bench.py [--buildings 10000 100000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import time

import geopandas as gpd
import numpy as np
import shapely

from scenarios.edits import Edit
from scenarios.landuse import LandUseTwin
from scenarios.twin_layers import TwinLayers
from twin.config import LandUseConfig

BLOCK = 100.0
CRS = "EPSG:25832"


def synthetic_town(buildings: int) -> LandUseTwin:
    blocks = buildings // 10
    side = int(np.ceil(np.sqrt(blocks * 7 / 6 + 1)))  # every seventh block is a park
    ix, iy = np.divmod(np.arange(side * side), side)
    x0, y0 = 600_000 + ix * BLOCK, 5_500_000 + iy * BLOCK
    number = np.arange(side * side)
    use = np.where(
        number % 7 == 3, "green", np.where(number % 11 == 5, "commercial", "residential")
    )
    landuse = gpd.GeoDataFrame(
        {"feature_id": [f"lu{i}" for i in number], "landuse": use},
        geometry=shapely.box(x0 + 4, y0 + 4, x0 + BLOCK - 4, y0 + BLOCK - 4),
        crs=CRS,
    )
    edge = side * BLOCK
    ring = shapely.box(599_500, 5_499_500, 600_000 + edge + 500, 5_500_000 + edge + 500)
    farmland = ring.difference(shapely.box(600_000, 5_500_000, 600_000 + edge, 5_500_000 + edge))
    streets = shapely.box(600_000, 5_500_000, 600_000 + edge, 5_500_000 + edge).difference(
        shapely.union_all(landuse.geometry.to_numpy())
    )
    extra = gpd.GeoDataFrame(
        {"feature_id": ["farm", "streets"], "landuse": ["agriculture", "traffic"]},
        geometry=[farmland, streets],
        crs=CRS,
    )
    landuse = gpd.GeoDataFrame(
        np.concatenate([landuse.to_numpy(), extra.to_numpy()]), columns=landuse.columns, crs=CRS
    ).set_geometry("geometry")
    built = number[use != "green"][:blocks]
    bx = np.repeat(x0[built], 10) + np.tile(np.arange(5) * 18 + 8, 2 * len(built))
    by = np.repeat(y0[built], 10) + np.tile(np.repeat([15, 60], 5), len(built))
    houses = gpd.GeoDataFrame(
        {
            "feature_id": [f"b{i}" for i in range(len(bx))],
            "height": 9.0,
            "storeys": 3,
            "use": np.repeat(use[built], 10),
        },
        geometry=shapely.box(bx, by, bx + 12, by + 20),
        crs=CRS,
    )
    rng = np.random.default_rng(1)
    trees = gpd.GeoDataFrame(
        {"feature_id": [f"t{i}" for i in range(buildings // 3)], "crown_diameter_m": 8.0},
        geometry=shapely.points(
            rng.uniform(0, edge, (buildings // 3, 2)) + np.array([600_000, 5_500_000])
        ),
        crs=CRS,
    )
    minx, miny, maxx, maxy = ring.bounds
    cuts = np.linspace(minx, maxx, 11)
    districts = gpd.GeoDataFrame(
        {"feature_id": [f"D{i}" for i in range(10)], "name": [f"Ortsteil {i}" for i in range(10)]},
        geometry=shapely.box(cuts[:-1], miny, cuts[1:], maxy),
        crs=CRS,
    )
    return LandUseTwin(TwinLayers(ring, landuse, houses, trees), districts, LandUseConfig())


def median_seconds(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    for count in args.buildings:
        town = synthetic_town(count)
        start = time.perf_counter()
        _ = town.base
        full = time.perf_counter() - start
        print(
            f"{len(town.layers.buildings):,} buildings, {len(town.layers.landuse):,} land-use areas: full run {full:.2f} s"
        )
        centre = town.layers.landuse.geometry.iloc[len(town.layers.landuse) // 2].centroid
        x, y = centre.x, centre.y
        edits = {
            "designate WA on a block": Edit(
                "designate", shapely.box(x - 46, y - 46, x + 46, y + 46), use="WA", gfz=1.2
            ),
            "park on a block": Edit(
                "designate", shapely.box(x - 46, y - 46, x + 46, y + 46), use="green"
            ),
            "add a building": Edit(
                "add_building", shapely.box(x - 5, y - 5, x + 5, y + 5), storeys=4
            ),
            "plant a row of trees": Edit(
                "plant_trees", shapely.LineString([(x - 40, y), (x + 40, y)])
            ),
        }
        for name, edit in edits.items():
            seconds = median_seconds(
                lambda town=town, edit=edit: town.scenario([edit]), args.repeat
            )
            print(f"  single edit, {name}: median {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
