"""Import and serving benchmark of the twin core.

Measures, each in a fresh subprocess so that peak memory is that of the measured work only:

1. importing the sample municipality Musterstadt (all layers);
2. importing a generated layer of 100,000 building footprints;
3. OGC API Features item pages with ``limit=1000`` served by uvicorn over HTTP
   (p50 / p95 latency of repeated requests at varying offsets).

Run ``python benchmarks/import_bench.py`` (or ``make benchmark``); it prints a Markdown
table to paste into ``benchmarks/RESULTS.md``. Repeats each import ``--repeat`` times and
reports the median, since machines here are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

REPO = Path(__file__).resolve().parents[1]


def _measure_import(config: str, workspace: str) -> dict[str, float]:
    """Child process: init + import every layer; report seconds and peak RSS."""
    from twin.config import load_config
    from twin.importer import import_layer, init_municipality
    from twin.workspace import Workspace

    start = time.perf_counter()
    cfg = load_config(Path(config))
    store = init_municipality(cfg, Workspace(Path(workspace)), actor="bench")
    features = 0
    for layer in cfg.layers:
        features += import_layer(cfg, store, layer, actor="bench").imported
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mib": peak_mib, "features": features}


def _run_child(config: Path, workspace: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(config), str(workspace)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _write_buildings(folder: Path, count: int) -> Path:
    """A square grid of ``count`` 12 × 10 m footprints with heights, plus its config."""
    import geopandas as gpd
    import shapely

    side = int(np.ceil(np.sqrt(count)))
    i = np.arange(count)
    x0 = 600000 + (i % side) * 20.0
    y0 = 5500000 + (i // side) * 20.0
    rng = np.random.default_rng(1)
    storeys = rng.integers(1, 6, count)
    frame = gpd.GeoDataFrame(
        {"id": [f"b{n}" for n in i], "storeys": storeys, "height": storeys * 3.0 + 1.5},
        geometry=shapely.box(x0, y0, x0 + 12, y0 + 10),
        crs=25832,
    )
    frame.to_file(folder / "buildings.gpkg", layer="buildings")
    extent = side * 20.0 + 100
    boundary = gpd.GeoDataFrame(
        geometry=[shapely.box(599900, 5499900, 599900 + extent, 5499900 + extent)], crs=25832
    )
    boundary.to_file(folder / "boundary.geojson", driver="GeoJSON")
    config = folder / "bench.toml"
    config.write_text(
        'name = "Benchstadt"\nslug = "benchstadt"\nags = "09999998"\ncrs = "EPSG:25832"\n'
        'boundary = "boundary.geojson"\n\n[[layers]]\nname = "buildings"\n'
        'title = { de = "Gebäude" }\nkind = "buildings"\npath = "buildings.gpkg"\n'
        'classification = "public"\nowner = "bench"\nlicence = "CC0-1.0"\nsource = "generated"\n',
        encoding="utf-8",
    )
    return config


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_latency(workspace: Path, requests: int) -> dict[str, float]:
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "twin"),
            "serve",
            "-w",
            str(workspace),
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/musterstadt/ogc/collections/buildings/items"
    try:
        with httpx.Client(timeout=30) as client:
            for _ in range(100):
                try:
                    client.get(f"http://127.0.0.1:{port}/")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            matched = client.get(base, params={"limit": 1}).json()["numberMatched"]
            latencies = []
            for n in range(requests):
                offset = (n * 1000) % max(matched - 1000, 1)
                start = time.perf_counter()
                response = client.get(base, params={"limit": 1000, "offset": offset})
                latencies.append(time.perf_counter() - start)
                response.raise_for_status()
                assert len(response.json()["features"]) == min(1000, matched)
    finally:
        server.terminate()
        server.wait()
    q = statistics.quantiles(latencies, n=20)
    return {"p50_ms": statistics.median(latencies) * 1000, "p95_ms": q[18] * 1000, "n": requests}


def main() -> None:
    """Run all measurements and print a Markdown table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per import (median reported)")
    parser.add_argument(
        "--buildings", type=int, default=100_000, help="size of the generated layer"
    )
    parser.add_argument("--requests", type=int, default=60, help="item pages requested")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure_import(*args.child)))
        return

    from sample_data import get_path

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sample = [_run_child(get_path("musterstadt"), root / f"ws{n}") for n in range(args.repeat)]
        rows.append(("import Musterstadt (all layers)", sample))
        bench_dir = root / "bench"
        bench_dir.mkdir()
        config = _write_buildings(bench_dir, args.buildings)
        big = [_run_child(config, root / f"big{n}") for n in range(args.repeat)]
        rows.append((f"import {args.buildings:,} generated buildings", big))
        latency = _serve_latency(root / "ws0", args.requests)

    print(
        f"Date: {time.strftime('%Y-%m-%d')}; machine: {os.cpu_count()} cores, "
        f"{platform.machine()}, Python {platform.python_version()}\n"
    )
    print("| measurement | features | median s | features/s | peak RSS MiB |")
    print("|---|---|---|---|---|")
    for name, runs in rows:
        seconds = statistics.median(r["seconds"] for r in runs)
        peak = statistics.median(r["peak_mib"] for r in runs)
        features = int(runs[0]["features"])
        print(f"| {name} | {features:,} | {seconds:.2f} | {features / seconds:,.0f} | {peak:.0f} |")
    print(
        f"\nOGC API Features `items?limit=1000` (buildings, {latency['n']} requests over HTTP): "
        f"p50 {latency['p50_ms']:.0f} ms, p95 {latency['p95_ms']:.0f} ms"
    )


if __name__ == "__main__":
    main()
