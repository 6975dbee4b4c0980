"""The sample municipality is reproducible and realistic enough to judge scenario engines on."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely

from layers.cityjson import read_cityjson
from layers.landuse import classify_landuse
from sample_data import get_path
from sample_data.synth.__main__ import LIVING_SHARE, M2_PER_RESIDENT, check
from twin.config import load_config

FOLDER = get_path("musterstadt").parent
GPKG = FOLDER / "musterstadt.gpkg"


@pytest.fixture(scope="module")
def town() -> shapely.Geometry:
    return gpd.read_file(FOLDER / "boundary.geojson").to_crs(25832).geometry.iloc[0]


@pytest.fixture(scope="module")
def buildings() -> gpd.GeoDataFrame:
    return read_cityjson(FOLDER / "buildings.city.json")


@pytest.fixture(scope="module")
def landuse() -> gpd.GeoDataFrame:
    return gpd.read_file(GPKG, layer="landuse")


def test_committed_files_are_what_the_generator_makes() -> None:
    assert check() == []


def test_size_and_area(town: shapely.Geometry) -> None:
    total = sum(p.stat().st_size for p in FOLDER.rglob("*") if p.is_file())
    assert total < 20 * 1024 * 1024
    assert 9e6 * 0.7 < town.area < 9e6 * 1.3


def test_landuse_partitions_the_boundary(town: shapely.Geometry, landuse: gpd.GeoDataFrame) -> None:
    assert landuse.area.sum() == pytest.approx(town.area, rel=0.005)
    overlap = landuse.area.sum() - shapely.union_all(landuse.geometry.to_numpy()).area
    assert overlap < 1.0
    result = classify_landuse(
        landuse.assign(feature_id=landuse["id"]), mapping="alkis", class_field="nutzart"
    )
    assert result.unmatched.empty
    assert {
        "residential",
        "mixed",
        "industrial",
        "green",
        "forest",
        "agriculture",
        "water",
        "traffic",
    } <= set(result.frame["landuse"])


def test_grz_per_quarter_is_typical(landuse: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame) -> None:
    joined = gpd.overlay(
        buildings[["geometry"]], landuse[["id", "nutzart", "geometry"]], how="intersection"
    )
    footprint = joined.assign(a=joined.area).groupby("id")["a"].sum()
    plots = landuse.set_index("id")
    grz = (footprint / plots.loc[footprint.index].area).rename("grz")
    by_type = (
        pd.concat([grz, plots.loc[grz.index, "nutzart"]], axis=1).groupby("nutzart")["grz"].median()
    )
    assert 0.15 <= by_type["AX_Wohnbauflaeche"] <= 0.5
    assert 0.5 <= by_type["AX_IndustrieUndGewerbeflaeche"] <= 0.85
    assert by_type["AX_FlaecheGemischterNutzung"] > by_type["AX_Wohnbauflaeche"]


def test_buildings_are_plausible(town: shapely.Geometry, buildings: gpd.GeoDataFrame) -> None:
    assert 2000 < len(buildings) < 8000
    geoms = buildings.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    pairs = tree.query(geoms, predicate="intersects")
    pairs = pairs[:, pairs[0] < pairs[1]]
    overlaps = shapely.area(shapely.intersection(geoms[pairs[0]], geoms[pairs[1]]))
    assert (overlaps < 1.0).all()
    assert shapely.within(geoms, town).all()
    per_storey = buildings["height"] / buildings["storeys"]
    residential = buildings["use"].isin(["residential", "mixed"])
    assert per_storey[residential].between(2.5, 4.5).all()
    church = buildings["function_code"] == "31001_3041"  # one tall nave, no storeys to speak of
    assert per_storey[~church].between(2.5, 12.0).all()  # halls have tall storeys
    assert buildings["ground_z"].between(290, 380).all()


def test_population_matches_residential_floor_area(buildings: gpd.GeoDataFrame) -> None:
    districts = gpd.read_file(GPKG, layer="districts")
    total = districts["population"].sum()
    assert 8_000 <= total <= 15_000
    floor = (
        (buildings.area * buildings["storeys"]).where(buildings["use"] == "residential", 0).sum()
    )
    floor += (
        0.5 * (buildings.area * buildings["storeys"]).where(buildings["use"] == "mixed", 0).sum()
    )
    assert total == pytest.approx(floor * LIVING_SHARE / M2_PER_RESIDENT, rel=0.02)


def test_green_spaces_and_trees(landuse: gpd.GeoDataFrame) -> None:
    parks = landuse[landuse["funktion"] == "Grünanlage"]
    assert (parks.area >= 20_000).any()
    assert (parks.area.between(10_000, 20_000)).any() or (parks.area >= 10_000).sum() >= 2
    trees = gpd.read_file(GPKG, layer="trees")
    assert 1500 <= len(trees) <= 4000
    assert trees["crown_diameter_m"].between(3, 15).all()


def test_dem_covers_boundary(town: shapely.Geometry) -> None:
    with rasterio.open(FOLDER / "dem.tif") as src:
        assert shapely.box(*src.bounds).contains(town)
        assert src.res == (10.0, 10.0) and src.crs.to_epsg() == 25832
        data = src.read(1, masked=True)
    assert data.min() > 295 and data.max() < 380


def test_sensors_parse_and_the_core_is_warmer_at_night() -> None:
    config = load_config(get_path("musterstadt"))
    histories = {
        s.id: pd.read_csv(config.resolve(s.history), parse_dates=["time"])
        for s in config.sensors
        if s.history
    }
    assert len(histories) == len(config.sensors) >= 10
    reference = next(s.id for s in config.sensors if s.reference)
    core = "T01"
    night = histories[core]["time"].dt.hour.isin([1, 2, 3, 4])
    excess = (
        histories[core].loc[night, "value"].to_numpy()
        - histories[reference].loc[night, "value"].to_numpy()
    )
    assert 2.0 < np.mean(excess) < 6.0
    day = histories[core]["time"].dt.hour == 14
    assert (
        abs(
            np.mean(
                histories[core].loc[day, "value"].to_numpy()
                - histories[reference].loc[day, "value"].to_numpy()
            )
        )
        < 1.0
    )
    moisture = histories["M01"]["value"]
    assert moisture.between(5, 45).all()
    assert histories["W01"]["value"].max() - histories["W01"]["value"].min() > 5
