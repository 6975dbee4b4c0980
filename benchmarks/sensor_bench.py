"""Sensor store benchmark: batch insert of observations into the embedded store.

Target from the sensor-feeds issue: ≥ 20,000 observations/s. Inserts ``--total``
hourly observations spread over ``--streams`` datastreams in batches of ``--batch``
(each batch one transaction, as an ingest would), then re-delivers one batch to time the
idempotent duplicate path. Prints the median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sample_data import get_path
from twin.config import load_config
from twin.importer import init_municipality
from twin.store.base import SensorSite
from twin.workspace import Workspace


def run(root: Path, *, total: int, streams: int, batch: int) -> tuple[float, float]:
    """Return (observations/s for new data, observations/s for re-delivered data)."""
    config = load_config(get_path("musterstadt"))
    store = init_municipality(config, Workspace(root), actor="bench")
    ids = [
        store.register_sensor(
            SensorSite(f"S{i}", f"Sensor {i}", "air_temperature", 640000.0, 5497000.0, "°C"),
            actor="bench",
        )
        for i in range(streams)
    ]
    per_stream = total // streams
    times = pd.date_range("2020-01-01", periods=per_stream, freq="h", tz="UTC")
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for ds in ids:
        values = (
            15 + 8 * np.sin(np.arange(per_stream) / 24 * 2 * np.pi) + rng.normal(0, 0.3, per_stream)
        )
        frame = pd.DataFrame({"phenomenon_time": times, "result": values.round(2)})
        for lo in range(0, per_stream, batch):
            store.add_observations(ds, frame.iloc[lo : lo + batch], actor="bench")
    new_rate = per_stream * streams / (time.perf_counter() - start)
    start = time.perf_counter()
    count = store.add_observations(ids[-1], frame.iloc[:batch], actor="bench")
    assert count.new == 0
    duplicate_rate = batch / (time.perf_counter() - start)
    return new_rate, duplicate_rate


def latest_state(root: Path, *, streams: int, per_stream: int, repeat: int) -> float:
    """Median seconds of ``store.latest()`` over ``streams`` datastreams."""
    config = load_config(get_path("musterstadt"))
    store = init_municipality(config, Workspace(root), actor="bench")
    ids = [
        store.register_sensor(
            SensorSite(f"L{i}", f"Sensor {i}", "air_temperature", 640000.0, 5497000.0, "°C"),
            actor="bench",
        )
        for i in range(streams)
    ]
    times = pd.date_range("2025-07-01", periods=per_stream, freq="h", tz="UTC")
    frame = pd.DataFrame(
        {
            "datastream_id": np.repeat(ids, per_stream),
            "phenomenon_time": np.tile(times, streams),
            "result": np.tile(np.arange(per_stream, dtype=float), streams),
        }
    )
    store.ingest(frame, [], actor="bench")
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        state = store.latest()
        seconds.append(time.perf_counter() - start)
        assert len(state) == streams and (state["result"] == per_stream - 1).all()
    return statistics.median(seconds)


def main() -> None:
    """Run and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--streams", type=int, default=20)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latest-streams", type=int, default=10_000)
    args = parser.parse_args()
    results = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(run(Path(tmp), total=args.total, streams=args.streams, batch=args.batch))
    with tempfile.TemporaryDirectory() as tmp:
        latest = latest_state(Path(tmp), streams=args.latest_streams, per_stream=24, repeat=5)
    new = statistics.median(r[0] for r in results)
    duplicate = statistics.median(r[1] for r in results)
    print(
        f"batch insert, {args.total:,} observations in {args.streams} datastreams, batches of "
        f"{args.batch:,}: {new:,.0f} new observations/s; re-delivered batch: {duplicate:,.0f} obs/s "
        f"(median of {args.repeat})"
    )
    print(
        f"latest state of {args.latest_streams:,} datastreams (24 observations each): "
        f"{latest * 1000:.1f} ms (median of 5)"
    )


if __name__ == "__main__":
    main()
