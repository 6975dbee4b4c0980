"""Harvesting from a SensorThings server over HTTP: here the sample twin served by uvicorn."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from pyproj import CRS

from layers.sensors.sensorthings import harvest
from tests.conftest import make_town
from twin.config import load_config
from twin.errors import DataFileError
from twin.importer import init_municipality
from twin.store.base import InsertCount, TwinStore
from twin.workspace import Workspace

UTM32 = CRS.from_epsg(25832)


@pytest.fixture
def target(tmp_path: Path) -> TwinStore:
    return init_municipality(
        load_config(make_town(tmp_path)), Workspace(tmp_path / "ws"), actor="pytest"
    )


def test_incremental_and_resumable_harvest(live_server: str, target: TwinStore) -> None:
    url = f"{live_server}/musterstadt/sta/v1.1"
    pages = []

    def crash_after_three_pages(key: str, count: InsertCount) -> None:
        pages.append((key, count))
        if len(pages) == 3:
            raise KeyboardInterrupt  # the harvest process is killed mid-way

    with pytest.raises(KeyboardInterrupt):
        harvest(
            target,
            source="ms",
            url=url,
            to_crs=UTM32,
            datastream_filter="startswith(name, 'Lufttemperatur')",
            page_size=100,
            actor="pytest",
            on_page=crash_after_three_pages,
        )
    assert sum(r.observations for r in target.datastreams()) == 300  # three committed pages
    results = harvest(
        target,
        source="ms",
        url=url,
        to_crs=UTM32,
        datastream_filter="startswith(name, 'Lufttemperatur')",
        page_size=100,
        actor="pytest",
    )
    assert len(results) == 5  # T01..T05; the rural reference is named differently
    assert sum(r.count.new for r in results) == 5 * 672 - 300
    records = target.datastreams()
    assert len(records) == 5 and all(r.observations == 672 for r in records)
    assert {r.key for r in records} == {f"ms:{i}" for i in range(1, 6)}
    again = harvest(
        target,
        source="ms",
        url=url,
        to_crs=UTM32,
        datastream_filter="startswith(name, 'Lufttemperatur')",
        actor="pytest",
    )
    assert (
        sum(r.count.new + r.count.duplicate for r in again) == 0
    )  # only newer ones were asked for
    first = target.observations(records[0].id)
    assert first["phenomenon_time"].iloc[0].isoformat() == "2025-07-01T00:00:00+00:00"


def test_unreachable_or_wrong_server_is_explained(target: TwinStore) -> None:
    with pytest.raises(DataFileError, match="not reachable"):
        harvest(
            target,
            source="x",
            url="http://127.0.0.1:9",
            to_crs=UTM32,
            actor="pytest",
            client=httpx.Client(timeout=2),
        )
