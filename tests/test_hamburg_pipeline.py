"""The whole pipeline on real Hamburg data: validate, import, serve, read back over OGC API."""

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient

from layers.landuse import LandUse
from tests.conftest import HAMBURG_CONFIG, hamburg_file
from twin.workspace import Workspace
from viewer.app import create_app


def test_config_validates_with_the_cli() -> None:
    hamburg_file("hh-eimsbuettel-city-1km2.geojson")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "twin"), "config", "validate", str(HAMBURG_CONFIG)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "AGS 02000000, EPSG:25832" in result.stdout


def test_osm_layers_are_reprojected_and_complete(hamburg_workspace: Workspace) -> None:
    store = hamburg_workspace.store("hamburg")
    osm = gpd.read_file(hamburg_file("hh-eimsbuettel-city-1km2.geojson"))
    buildings = store.read_features("buildings").frame
    assert len(buildings) == osm["building"].notna().sum() == 1098
    assert buildings.crs.to_epsg() == 25832
    # the same building, reprojected independently, lies where the store has it
    source = osm[osm["building"].notna()].set_index("id").to_crs(25832)
    stored = buildings.set_index("feature_id")
    sample = source.index[:50]
    distance = source.loc[sample].centroid.distance(stored.loc[sample].centroid)
    assert distance.max() < 0.01
    levels = gpd.pd.to_numeric(source["building:levels"], errors="coerce") > 0
    assert (stored.loc[source.index[levels], "height_source"] != "default").all()
    trees = store.read_features("trees").frame
    assert len(trees) == ((osm["natural"] == "tree") & (osm.geom_type == "Point")).sum()


def test_osm_land_use_is_mapped(hamburg_workspace: Workspace) -> None:
    landuse = hamburg_workspace.store("hamburg").read_features("landuse").frame
    classes = set(landuse["landuse"])
    assert {LandUse.RESIDENTIAL, LandUse.GREEN} <= classes
    assert classes <= {c.value for c in LandUse}
    report = hamburg_workspace.store("hamburg").layer("landuse").report
    assert report is not None and report.imported + report.rejected == report.read


def test_official_citygml_tile(hamburg_workspace: Workspace) -> None:
    lod2 = hamburg_workspace.store("hamburg").read_features("buildings_lod2").frame
    assert lod2["building_id"].nunique() == 46
    assert lod2["height"].between(2, 12).all()
    assert lod2.total_bounds == pytest.approx(
        [576229.976, 5949995.357, 576576.105, 5950845.71], abs=1.0
    )


def test_served_and_read_back_over_ogc_api(hamburg_workspace: Workspace) -> None:
    client = TestClient(create_app(hamburg_workspace))
    collections = client.get("/hamburg/ogc/collections", params={"f": "json"}).json()
    ids = {c["id"] for c in collections["collections"]}
    assert {"buildings", "buildings_lod2", "landuse", "trees", "streets"} <= ids
    assert "amenities" not in ids  # council layer: not public
    page = client.get("/hamburg/ogc/collections/buildings/items", params={"limit": 2000})
    assert page.status_code == 200
    body = page.json()
    assert body["numberMatched"] == body["numberReturned"] == 1098
    lon, lat = body["features"][0]["geometry"]["coordinates"][0][0]
    assert 9.94 < lon < 9.97 and 53.57 < lat < 53.59
    one = client.get("/hamburg/ogc/collections/buildings/items/way/23766390")
    assert one.status_code in (200, 404)
    first_id = body["features"][0]["id"]
    assert (
        client.get(f"/hamburg/ogc/collections/buildings/items/{first_id}").json()["id"] == first_id
    )
