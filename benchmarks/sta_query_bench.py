"""SensorThings query over many observations: ``$filter`` + ``$orderby`` + ``$top=100``.

Target from the sensor-feeds issue: < 200 ms over 10 M observations. Fills a store with
``--total`` hourly observations in ``--streams`` datastreams, then times
``Datastreams(1)/Observations?$filter=result gt 20 and phenomenonTime ge …&$orderby=
phenomenonTime desc&$top=100`` and a query across all observations through the real app
(FastAPI TestClient, no network), median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from fastapi.testclient import TestClient

from sample_data import get_path
from twin.config import load_config
from twin.importer import init_municipality
from twin.store.base import SensorSite
from twin.workspace import Workspace
from viewer.app import create_app


def main() -> None:
    """Fill, query, print."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--total", type=int, default=10_000_000)
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Workspace(Path(tmp))
        store = init_municipality(load_config(get_path("musterstadt")), workspace, actor="bench")
        per_stream = args.total // args.streams
        times = pd.date_range("2020-01-01", periods=per_stream, freq="h", tz="UTC")
        rng = np.random.default_rng(0)
        start = time.perf_counter()
        for i in range(args.streams):
            ds = store.register_sensor(
                SensorSite(f"S{i}", f"Sensor {i}", "air_temperature", 640000.0, 5497000.0, "°C"),
                actor="bench",
            )
            values = (
                15
                + 10 * np.sin(np.arange(per_stream) / 24 * 2 * np.pi)
                + rng.normal(0, 1, per_stream)
            ).round(2)
            store.add_observations(
                ds, pd.DataFrame({"phenomenon_time": times, "result": values}), actor="bench"
            )
        fill = time.perf_counter() - start
        client = TestClient(create_app(workspace))
        queries = {
            "one datastream": "/musterstadt/sta/v1.1/Datastreams(1)/Observations",
            "all observations": "/musterstadt/sta/v1.1/Observations",
        }
        params = {
            "$filter": f"result gt 20 and phenomenonTime ge {times[per_stream // 2].strftime('%Y-%m-%dT%H:%M:%SZ')}",
            "$orderby": "phenomenonTime desc",
            "$top": "100",
        }
        print(
            f"{per_stream * args.streams:,} observations in {args.streams} datastreams (filled in {fill:.0f} s)"
        )
        for name, url in queries.items():
            seconds = []
            for _ in range(args.repeat):
                begin = time.perf_counter()
                response = client.get(url, params=params)
                seconds.append(time.perf_counter() - begin)
                assert response.status_code == 200 and len(response.json()["value"]) == 100, (
                    response.text[:300]
                )
            print(
                f"$filter + $orderby + $top=100, {name}: {statistics.median(seconds) * 1000:.0f} ms (median of {args.repeat})"
            )


if __name__ == "__main__":
    main()
