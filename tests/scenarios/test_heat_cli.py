"""`twin heat run` and `twin heat run-raw` through the real command, as analysts use them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio

from sample_data import get_path
from sample_data.invest_inputs import write_invest_inputs
from scenarios.heat import HeatModel, HeatParameters
from scenarios.heat_raw import read_inputs
from tests.conftest import build_workspace, hamburg_file
from twin.workspace import Workspace

TWIN = str(Path(sys.executable).parent / "twin")


def twin(*args: str, workspace: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    if workspace is not None:
        env["TWIN_WORKSPACE"] = str(workspace)
    return subprocess.run([TWIN, *args], capture_output=True, text=True, env=env, timeout=600)


def musterstadt_run(workspace: Workspace, out: Path, *options: str):
    return twin("heat", "run", "musterstadt", *options, "--out", str(out), workspace=workspace.root)


def raw_args(paths, out: Path, *extra: str) -> list[str]:
    return [
        "heat",
        "run-raw",
        "--lulc",
        str(paths.lulc),
        "--biophysical-table",
        str(paths.table),
        "--ref-eto",
        str(paths.et0),
        "--aoi",
        str(paths.aoi),
        "--green-area-cooling-distance",
        "100",
        "--t-air-average-radius",
        "80",
        "--t-ref",
        "24",
        "--uhi-max",
        "3.5",
        "--out",
        str(out),
        *extra,
    ]


def read(path: Path) -> np.ndarray:
    with rasterio.open(path) as src:
        assert src.profile["tiled"] and src.crs.to_epsg() == 25832
        return src.read(1, masked=True).filled(np.nan).astype(np.float64)


@pytest.mark.parametrize("extra", [(), ("--chunk", "64")])
def test_run_raw_writes_invest_named_results(tmp_path: Path, extra: tuple[str, ...]) -> None:
    paths = write_invest_inputs(tmp_path / "in")
    done = twin(*raw_args(paths, tmp_path / "out", *extra))
    assert done.returncode == 0, done.stderr + done.stdout
    inputs = read_inputs(paths.lulc, paths.table, paths.et0, paths.aoi)
    surface = inputs.surface()
    expected = HeatModel.for_surface(
        surface,
        cell_size=10.0,
        parameters=HeatParameters(
            t_ref=24,
            uhi_max=3.5,
            green_area_cooling_distance=100,
            t_air_average_radius=80,
        ),
    ).run(surface)
    np.testing.assert_allclose(
        read(tmp_path / "out" / "T_air.tif"), expected.t_air(), atol=1e-4, equal_nan=True
    )  # float32 on disk
    np.testing.assert_allclose(
        read(tmp_path / "out" / "hm.tif"), expected.hm, atol=1e-6, equal_nan=True
    )
    table = pd.read_csv(tmp_path / "out" / "uhi_results.csv")
    assert list(table["name"]) == ["west", "east"]
    assert {"avg_cc", "avg_tmp_v", "avg_tmp_an", "area_ha_above_30"} <= set(table.columns)
    assert len(gpd.read_file(tmp_path / "out" / "uhi_results.geojson")) == 2


def test_run_raw_names_missing_table_codes_and_writes_nothing(tmp_path: Path) -> None:
    paths = write_invest_inputs(tmp_path / "in")
    lines = paths.table.read_text().splitlines()
    paths.table.write_text("\n".join(line for line in lines if not line.startswith("4,")))
    done = twin(*raw_args(paths, tmp_path / "out"))
    assert done.returncode == 1
    assert "land-cover code(s) [4] are not in the biophysical table" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_run_raw_rejects_a_lulc_without_data(tmp_path: Path) -> None:
    paths = write_invest_inputs(tmp_path / "in")
    with rasterio.open(paths.lulc, "r+") as dst:
        dst.write(np.full((dst.height, dst.width), 255, dtype=np.uint8), 1)
    done = twin(*raw_args(paths, tmp_path / "out"))
    assert done.returncode == 1 and "has no data where the ET0 raster and the AOI" in done.stderr


def test_run_raw_rejects_a_corrupt_lulc(tmp_path: Path) -> None:
    paths = write_invest_inputs(tmp_path / "in")
    data = paths.lulc.read_bytes()
    paths.lulc.write_bytes(data[: len(data) // 2])
    done = twin(*raw_args(paths, tmp_path / "out"))
    assert done.returncode == 1 and "cannot be read as the LULC raster" in done.stderr
    assert "Traceback" not in done.stderr


def test_run_on_the_sample_twin_with_a_park_scenario(
    imported_workspace: Workspace, tmp_path: Path
) -> None:
    edits = tmp_path / "park.geojson"
    edits.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"edit": "designate", "use": "green"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [
                                [
                                    [633400, 5497600],
                                    [633600, 5497600],
                                    [633600, 5497750],
                                    [633400, 5497750],
                                    [633400, 5497600],
                                ]
                            ],
                        },
                    }
                ],
            }
        )
    )
    out = tmp_path / "run"
    options = ["--method", "intensity", "--sensors", "latest", "--live-map", "--lang", "en"]
    done = musterstadt_run(imported_workspace, out, "--edits", str(edits), *options)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "R²" in done.stdout and "Altstadt" in done.stdout
    for name in (
        "T_air.tif",
        "hm.tif",
        "landcover.tif",
        "landcover.png",
        "T_air.png",
        "T_air_live.tif",
        "difference.tif",
        "difference.png",
        "scenario/T_air.tif",
        "zones.csv",
        "zones_change.csv",
    ):
        assert (out / name).is_file(), name
    assert (out / "T_air.png").read_bytes()[:4] == b"\x89PNG"
    change = read(out / "difference.tif")
    assert np.nanmin(change) < -0.05 and np.nanmax(change) < 1e-6
    zones = pd.read_csv(out / "zones_change.csv")
    assert (zones["delta_avg_tmp_v"] <= 1e-9).all()
    sites = pd.read_csv(out / "sites_change.csv")
    assert len(sites) == 6 and "Grundschule Musterstadt" in set(sites["name"])
    assert sites["t_air"].notna().all() and (sites["delta_t_air"] <= 1e-9).all()
    assert len(pd.read_csv(out / "sites.csv")) == 6
    run = json.loads((out / "run.json").read_text())
    assert run["calibration"]["stations"] == 6
    assert run["parameters"]["cc_method"] == "intensity"


def test_run_explains_bad_edits_and_unknown_municipalities(
    imported_workspace: Workspace, tmp_path: Path
) -> None:
    edits = tmp_path / "bad.geojson"
    edits.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"edit": "designate", "use": "beach"},
                        "geometry": {"type": "Point", "coordinates": [10.9, 49.6]},
                    }
                ],
            }
        )
    )
    done = twin(
        "heat",
        "run",
        "musterstadt",
        "--edits",
        str(edits),
        "--sensors",
        "none",
        "--out",
        str(tmp_path / "out"),
        workspace=imported_workspace.root,
    )
    assert done.returncode == 1 and "edit 1 (designate)" in done.stderr
    assert "Traceback" not in done.stderr
    done = twin("heat", "run", "nirgendwo", workspace=imported_workspace.root)
    assert done.returncode == 1 and "no municipality 'nirgendwo'" in done.stderr


def test_t_ref_from_a_real_dwd_day(imported_workspace: Workspace, tmp_path: Path) -> None:
    dwd = hamburg_file("dwd_produkt_klima_tag_20221124_20240526_01975.txt")
    out = tmp_path / "hot-day"
    options = ["--date", "2023-06-18", "--sensors", "none", "--uhi-max", "4"]
    done = musterstadt_run(imported_workspace, out, "--t-ref-from-dwd", str(dwd), *options)
    assert done.returncode == 0, done.stderr + done.stdout
    run = json.loads((out / "run.json").read_text())
    assert run["parameters"]["t_ref"] == 28.5 and run["parameters"]["uhi_max"] == 4.0
    assert run["t_ref_source"] == f"DWD {dwd.name} TXK 2023-06-18"
    t_air = read(out / "T_air.tif")
    assert np.nanmin(t_air) > 28.5 and np.nanmax(t_air) < 32.5


def test_a_stored_scenario_is_run_by_its_id_and_version(tmp_path: Path) -> None:
    workspace = build_workspace(tmp_path / "ws", get_path("musterstadt"))
    row = tmp_path / "baumreihe.geojson"
    row.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"edit": "plant_trees", "spacing_m": 10},
                        "geometry": {
                            "type": "LineString",
                            "coordinates": [[10.8454, 49.6153], [10.8509, 49.6153]],
                        },
                    }
                ],
            }
        )
    )
    new = twin(
        "scenario", "new", "musterstadt", "baumreihe", "--edits", str(row), workspace=workspace.root
    )
    assert new.returncode == 0, new.stderr
    done = twin(
        "heat",
        "run",
        "musterstadt",
        "--scenario",
        "baumreihe@1",
        "--sensors",
        "none",
        workspace=workspace.root,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    out = workspace.folder("musterstadt") / "heat" / "baumreihe-v1"
    assert np.nanmin(read(out / "difference.tif")) < 0
    assert json.loads((out / "run.json").read_text())["scenario"] == "baumreihe@1"
    done = twin("heat", "run", "musterstadt", "--scenario", "fehlt", workspace=workspace.root)
    assert done.returncode == 1 and "no scenario 'fehlt'" in done.stderr
