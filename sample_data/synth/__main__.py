"""Generate Musterstadt into ``sample_data/musterstadt/`` (or check the committed files).

Usage::

    python -m sample_data.synth            # rewrite the files and print a realism summary
    python -m sample_data.synth --check    # regenerate into a temp dir, compare contents
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path
from typing import cast

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
import shapely

from sample_data.synth import buildings, green, layout, sensors, terrain, writers

OUT = Path(__file__).resolve().parents[1] / "musterstadt"
SEED = 2025
CRS = "EPSG:25832"
LIVING_SHARE = 0.8  # living floor area / gross floor area (assumption, see land-use reference)
M2_PER_RESIDENT = 47.7  # Destatis 2021
RESIDENTIAL_SHARE = {"31001_1000": 1.0, "31001_1010": 1.0, "31001_1100": 0.5}


def _frame(rows: list[dict[str, object]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def _sites(town: shapely.Polygon, tree_rows: list[dict[str, object]]) -> list[sensors.SensorSite]:
    cx, cy = layout.CENTRE
    air = [
        ("T01", "Lufttemperatur Marktplatz", cx + 70, cy + 55, 1.0, False),
        ("T02", "Lufttemperatur Altstadt Süd", cx - 150, cy - 80, 0.85, False),
        ("T03", "Lufttemperatur Gewerbegebiet", layout.INDUSTRY_X + 250, cy + 160, 0.75, False),
        ("T04", "Lufttemperatur Wohngebiet Nord", cx - 420, cy + 600, 0.45, False),
        ("T05", "Lufttemperatur Flusspark", cx + 60, cy - 470, 0.25, False),
        ("T06", "Referenzstation Feldflur (ländlich)", layout.X0 + 700, layout.Y0 + 330, 0.0, True),
    ]
    sites = [
        sensors.SensorSite(i, n, "air_temperature", x, y, "°C", u, r) for i, n, x, y, u, r in air
    ]
    street_trees = [t for t in tree_rows if t["kind"] == "street"]
    for k, tree in enumerate(street_trees[:: max(1, len(street_trees) // 6)][:6]):
        point = cast(shapely.Point, tree["geometry"])
        sites.append(
            sensors.SensorSite(
                f"M{k + 1:02d}",
                f"Bodenfeuchte Baumscheibe {tree['id']}",
                "soil_moisture",
                point.x,
                point.y,
                "%",
                feature=f"trees/{tree['id']}",
            )
        )
    river_x = cx
    river_y = float(np.interp(river_x, *np.array(layout.river_line().coords).T))
    sites.append(
        sensors.SensorSite(
            "W01", "Pegel Mühlbach Brücke Bahnhofstraße", "water_level", river_x + 3, river_y, "cm"
        )
    )
    sites.append(
        sensors.SensorSite(
            "R01",
            "Radzählstelle Hauptstraße West",
            "bicycle_counter",
            cx - 500,
            cy + 5,
            "Fahrräder/h",
            0.2,
        )
    )
    sites.append(
        sensors.SensorSite(
            "R02",
            "Radzählstelle Bahnhofstraße Süd",
            "bicycle_counter",
            cx + 5,
            cy - 350,
            "Fahrräder/h",
            0.6,
        )
    )
    return sites


def generate(out: Path) -> dict[str, float]:
    """Write every Musterstadt file into ``out``; return figures for the summary."""
    rng = np.random.default_rng(SEED)
    out.mkdir(parents=True, exist_ok=True)
    (out / "sensors").mkdir(exist_ok=True)
    town = layout.boundary(rng)
    river = layout.river_line().buffer(12.5).intersection(town)
    street_list = layout.streets()
    roads = layout.street_area(street_list).difference(river)
    plots = layout.blocks(roads, river)
    parts = layout.landuse(town, river, roads, plots)
    fields = [p for p, nutzart, _, f in parts if f == "Ackerland" and p.area > 100_000]
    placed = buildings.place(plots, rng) + [
        b
        for b in buildings.farmsteads(fields, rng)
        if any(b.footprint.within(f.buffer(-10)) for f in fields)
    ]
    footprints = np.array([b.footprint for b in placed], dtype=object)
    centroids = shapely.centroid(footprints)
    ground = np.round(terrain.elevation(shapely.get_x(centroids), shapely.get_y(centroids)), 2)

    parks = [p for p, _, _, f in parts if f == "Grünanlage"]
    tree_rows = green.trees(street_list, parks, shapely.union_all(footprints), town, rng)
    gfa = np.array(
        [
            shapely.area(b.footprint) * b.storeys * RESIDENTIAL_SHARE.get(b.function, 0.0)
            for b in placed
        ]
    )
    residents = gfa * LIVING_SHARE / M2_PER_RESIDENT
    district_rows = []
    for i, (name, shape) in enumerate(layout.districts(town)):
        inside = shapely.contains(shape, centroids)
        district_rows.append(
            {
                "id": f"OT{i + 1}",
                "name": name,
                "population": round(residents[inside].sum()),
                "geometry": shape,
            }
        )
    population = sum(int(d["population"]) for d in district_rows)

    gpd.GeoDataFrame({"name": ["Musterstadt"]}, geometry=[town], crs=CRS).to_file(
        out / "boundary.geojson"
    )
    gpkg = out / "musterstadt.gpkg"
    gpkg.unlink(missing_ok=True)
    _frame(district_rows).to_file(gpkg, layer="districts")
    _frame(
        [
            {"id": f"N{i + 1:04d}", "nutzart": n, "name": name, "funktion": f, "geometry": p}
            for i, (p, n, name, f) in enumerate(parts)
        ]
    ).to_file(gpkg, layer="landuse")
    _frame(
        [
            {
                "id": f"S{i + 1:03d}",
                "name": s.name,
                "class": s.cls,
                "width_m": s.width,
                "geometry": s.geometry.intersection(town),
            }
            for i, s in enumerate(street_list)
        ]
    ).to_file(gpkg, layer="streets")
    _frame(tree_rows).to_file(gpkg, layer="trees")
    _frame(green.sensitive_sites(plots, placed)).to_file(gpkg, layer="sensitive_sites")
    writers.write_cityjson(
        out / "buildings.city.json", writers.cityjson(placed, ground, (layout.X0, layout.Y0))
    )
    terrain.write_dem(out / "dem.tif")
    sites = _sites(town, tree_rows)
    for site in sites:
        sensors.series(site, rng).to_csv(out / "sensors" / f"{site.id}.csv", index=False)
    (out / "musterstadt.toml").write_text(writers.config_toml(population, sites), encoding="utf-8")
    return {
        "area_km2": town.area / 1e6,
        "buildings": len(placed),
        "trees": len(tree_rows),
        "population": population,
        "landuse_polygons": len(parts),
    }


def content_hash(path: Path) -> str:
    """A hash of what a file holds (GeoPackages embed write times, so hash their layers)."""
    digest = hashlib.sha256()
    if path.suffix == ".gpkg":
        for name, _ in sorted(pyogrio.list_layers(path).tolist()):
            frame = pyogrio.read_dataframe(path, layer=name)
            digest.update(name.encode())
            digest.update(frame.drop(columns="geometry").to_csv(index=False).encode())
            digest.update(b"".join(shapely.to_wkb(frame.geometry.to_numpy())))
    elif path.suffix == ".tif":
        with rasterio.open(path) as src:
            digest.update(
                src.read().tobytes() + str(src.transform).encode() + src.crs.to_wkt().encode()
            )
    else:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def check(committed: Path = OUT) -> list[str]:
    """Regenerate into a temp folder; return the files whose content differs."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        generate(fresh)
        names = sorted(str(p.relative_to(fresh)) for p in fresh.rglob("*") if p.is_file())
        return [
            n
            for n in names
            if not (committed / n).exists()
            or content_hash(committed / n) != content_hash(fresh / n)
        ]


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    if args.check:
        differing = check()
        print("differs: " + ", ".join(differing) if differing else "all files match the generator")
        sys.exit(1 if differing else 0)
    for key, value in generate(OUT).items():
        print(f"{key}: {value:,.2f}" if isinstance(value, float) else f"{key}: {value:,}")


if __name__ == "__main__":
    main()
