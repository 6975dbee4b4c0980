"""`twin demo --live`: simulated devices through the real Mosquitto broker into the store."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from sample_data import get_path
from tests.conftest import build_workspace
from twin.simulate import start_live_demo


def test_live_demo_feed_stores_fresh_values(tmp_path: Path) -> None:
    workspace = build_workspace(tmp_path / "ws", get_path("musterstadt"))
    config, store = workspace.config("musterstadt"), workspace.store("musterstadt")
    started = datetime.now(UTC) - timedelta(minutes=1)
    stop = start_live_demo(config, store)
    assert stop is not None, "Mosquitto must run on 127.0.0.1:1883 (make services)"
    try:
        deadline = time.monotonic() + 30
        fresh = live_fresh = 0
        while time.monotonic() < deadline and (fresh < 12 or live_fresh < 10):
            time.sleep(0.5)
            latest = store.latest()
            fresh = int((pd.to_datetime(latest["phenomenon_time"], utc=True) >= started).sum())
            # the live-state layer of the OGC API follows each stored batch
            if "sensors_live" in {entry.name for entry in store.layers()}:
                live = store.read_features("sensors_live").frame
                live_fresh = int((pd.to_datetime(live["time"], utc=True) >= started).sum())
        # every device but at most a malformed message or two
        assert fresh >= 12 and live_fresh >= 10, (fresh, live_fresh)
    finally:
        stop.set()


def test_no_broker_means_no_live_feed_not_a_crash(tmp_path: Path) -> None:
    workspace = build_workspace(tmp_path / "ws", get_path("musterstadt"))
    config, store = workspace.config("musterstadt"), workspace.store("musterstadt")
    assert start_live_demo(config, store, port=9) is None
