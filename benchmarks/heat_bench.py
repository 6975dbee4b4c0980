"""Heat model speed: full runs at 1 M, 25 M and 100 M cells, a local edit, and InVEST.

Each measurement runs in its own process so that its peak memory (max RSS) is its own.
Inputs are synthetic InVEST workspaces (sample_data/invest_inputs.py) at 10 m: a town
of blocks, parks of all sizes, a river and a forest edge. Parameters are InVEST's
user-guide defaults (cooling distance 450 m, averaging radius 500 m), so kernels reach
225 and 250 cells.

- full run: ``HeatModel`` construction (kernels and edge normalisers, done once per grid)
  and ``run`` (one scenario) timed apart, median of ``--repeat`` runs;
- local edit: a 1 ha block of town turned into a park on the 25 M grid, recomputed with
  ``HeatModel.update`` (median of 5), checked against a full run;
- natcap.invest side by side (``make invest`` builds its venv): same files, same
  parameters, wall time of InVEST's ``execute`` (which writes its rasters and AOI table)
  against ours: reading the same files and computing ("ours"), and with writing the
  same outputs as ``run-raw`` ("+files"); and the largest per-cell difference of T_air
  and HM.

Usage: python benchmarks/heat_bench.py [--sizes 1,25,100] [--invest-sizes 1,4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sample_data.invest_inputs import write_invest_inputs  # noqa: E402
from scenarios.heat import HeatModel, HeatParameters  # noqa: E402
from scenarios.heat_outputs import write_result, write_zones  # noqa: E402
from scenarios.heat_raw import read_inputs  # noqa: E402
from scenarios.heat_zones import zone_statistics  # noqa: E402

EDIT_MEGACELLS = 25.0  # the size the issue asks a local edit to be timed on
INVEST_PYTHON = REPO / ".venv-invest" / "bin" / "python"
PARAMETERS = HeatParameters(
    t_ref=21.5, uhi_max=3.5, green_area_cooling_distance=450.0, t_air_average_radius=500.0
)


def side(megacells: float) -> int:
    return round((megacells * 1e6) ** 0.5)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def full_run(megacells: float, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        paths = write_invest_inputs(Path(folder), shape=(side(megacells),) * 2, cell=10.0)
        inputs = read_inputs(paths.lulc, paths.table, 5.0, paths.aoi)
    surface = inputs.surface()
    start = time.perf_counter()
    model = HeatModel.for_surface(surface, cell_size=10.0, parameters=PARAMETERS)
    prepare = time.perf_counter() - start
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = model.run(surface)
        runs.append(time.perf_counter() - start)
    figures = {
        "cells": float(inputs.codes.size),
        "prepare_s": prepare,
        "run_s": statistics.median(runs),
        "peak_mb": peak_mb(),
    }
    if megacells == EDIT_MEGACELLS:
        figures |= local_edit(model, surface, result, inputs.codes, inputs.table)
    return figures


def local_edit(model, surface, base, codes, table) -> dict[str, float]:
    centre = codes.shape[0] // 2
    rows, cols = slice(centre, centre + 10), slice(centre, centre + 10)  # 1 ha
    edited = codes.copy()
    edited[rows, cols] = 4  # park
    block = table.surface(edited[rows, cols], et0=5.0)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        updated = model.update(base, block, rows, cols)
        times.append(time.perf_counter() - start)
    full = model.run(table.surface(edited, valid=surface.valid, et0=5.0))
    error = float(np.nanmax(np.abs(updated.t_air() - full.t_air())))
    return {"edit_s": statistics.median(times), "edit_vs_full_max_abs_K": error}


def invest_side_by_side(megacells: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        paths = write_invest_inputs(Path(folder) / "in", shape=(side(megacells),) * 2, cell=10.0)
        start = time.perf_counter()
        inputs = read_inputs(paths.lulc, paths.table, paths.et0, paths.aoi)
        surface = inputs.surface()
        ours = HeatModel.for_surface(surface, cell_size=10.0, parameters=PARAMETERS).run(surface)
        ours_s = time.perf_counter() - start
        write_result(ours, inputs.grid, Path(folder) / "ours")  # as run-raw writes them
        write_zones(zone_statistics(ours, inputs.grid, inputs.aoi), Path(folder) / "ours")
        ours_with_files_s = time.perf_counter() - start
        workspace = Path(folder) / "invest"
        args = {
            "workspace_dir": str(workspace),
            "results_suffix": "",
            "lulc_raster_path": str(paths.lulc),
            "ref_eto_raster_path": str(paths.et0),
            "aoi_vector_path": str(paths.aoi),
            "biophysical_table_path": str(paths.table),
            "t_ref": 21.5,
            "uhi_max": 3.5,
            "t_air_average_radius": 500.0,
            "green_area_cooling_distance": 450.0,
            "cc_method": "factors",
            "do_energy_valuation": False,
            "do_productivity_valuation": False,
        }
        (Path(folder) / "args.json").write_text(json.dumps(args))
        done = subprocess.run(
            [
                str(INVEST_PYTHON),
                str(REPO / "benchmarks" / "run_invest.py"),
                str(Path(folder) / "args.json"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        invest_s = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]
        import rasterio

        def grid(path: Path) -> np.ndarray:
            with rasterio.open(path) as src:
                return src.read(1, masked=True).filled(np.nan).astype(np.float64)

        t_air = float(np.nanmax(np.abs(grid(workspace / "T_air.tif") - ours.t_air())))
        hm = float(np.nanmax(np.abs(grid(workspace / "hm.tif") - ours.hm)))
    return {
        "cells": float(inputs.codes.size),
        "ours_s": ours_s,
        "invest_s": invest_s,
        "speedup": invest_s / ours_s,
        "ours_with_files_s": ours_with_files_s,
        "max_abs_T_air_K": t_air,
        "max_abs_hm": hm,
    }


def child(kind: str, megacells: float, repeat: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--one", kind, str(megacells), "--repeat", str(repeat)],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,25,100", help="million cells, comma-separated")
    parser.add_argument("--invest-sizes", default="1,4", help="million cells for InVEST")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", nargs=2, metavar=("KIND", "MEGACELLS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, megacells = args.one[0], float(args.one[1])
        figures = (
            full_run(megacells, args.repeat) if kind == "full" else invest_side_by_side(megacells)
        )
        print(json.dumps(figures))
        return
    print(
        f"{'cells':>12} {'prepare s':>10} {'run s':>8} {'edit s':>8} {'edit err K':>11} {'peak MB':>9}"
    )
    for size in (float(s) for s in args.sizes.split(",") if s):
        f = child("full", size, args.repeat)
        print(
            f"{f['cells']:>12,.0f} {f['prepare_s']:>10.2f} {f['run_s']:>8.2f} "
            f"{f.get('edit_s', float('nan')):>8.3f} {f.get('edit_vs_full_max_abs_K', float('nan')):>11.1e} "
            f"{f['peak_mb']:>9,.0f}"
        )
    if not INVEST_PYTHON.exists():
        print(
            f"natcap.invest not installed at {INVEST_PYTHON}: run `make invest` for the comparison"
        )
        return
    print(
        f"\n{'cells':>12} {'ours s':>8} {'+files s':>9} {'InVEST s':>9} {'speed-up':>9} "
        f"{'max |ΔT_air| K':>15} {'max |ΔHM|':>10}"
    )
    for size in (float(s) for s in args.invest_sizes.split(",") if s):
        f = child("invest", size, 1)
        print(
            f"{f['cells']:>12,.0f} {f['ours_s']:>8.2f} {f['ours_with_files_s']:>9.2f} "
            f"{f['invest_s']:>9.2f} {f['speedup']:>8.1f}× "
            f"{f['max_abs_T_air_K']:>15.1e} {f['max_abs_hm']:>10.1e}"
        )


if __name__ == "__main__":
    main()
