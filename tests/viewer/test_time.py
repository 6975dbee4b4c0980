"""``datetime`` filtering and temporal extents, on the real Hamburg streets (OSM timestamps)."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from twin.workspace import Workspace
from viewer.app import create_app

ITEMS = "/hamburg/ogc/collections/streets/items"


@pytest.fixture(scope="module")
def hamburg(hamburg_workspace: Workspace) -> TestClient:
    return TestClient(create_app(hamburg_workspace))


@pytest.fixture(scope="module")
def times(hamburg_workspace: Workspace) -> pd.Series:
    store = hamburg_workspace.store("hamburg")
    field = store.layer("streets").time_field
    assert field, "the Hamburg streets layer has a time field"
    return pd.to_datetime(store.read_features("streets").frame[field], utc=True)


def matched(client: TestClient, value: str) -> int:
    response = client.get(ITEMS, params={"datetime": value, "limit": 1})
    assert response.status_code == 200, response.text
    count: int = response.json()["numberMatched"]
    return count


def test_temporal_extent_is_published(hamburg: TestClient, times: pd.Series) -> None:
    body = hamburg.get("/hamburg/ogc/collections/streets").json()
    ((start, end),) = body["extent"]["temporal"]["interval"]
    assert pd.Timestamp(start) == times.min().floor("s")
    assert pd.Timestamp(end) == times.max().floor("s")
    assert "temporal" not in (hamburg.get("/hamburg/ogc/collections/trees").json()["extent"])


def test_datetime_intervals_match_pandas(hamburg: TestClient, times: pd.Series) -> None:
    middle = times.dropna().sort_values().iloc[len(times.dropna()) // 2]
    iso = middle.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert matched(hamburg, f"../{iso}") == (times <= middle).sum()
    assert matched(hamburg, f"{iso}/..") == (times >= middle).sum()
    assert matched(hamburg, iso) == (times == middle).sum() > 0
    day = middle.strftime("%Y-%m-%d")
    assert matched(hamburg, day) == (times.dt.strftime("%Y-%m-%d") == day).sum()
    assert matched(hamburg, "../..") == times.notna().sum()
    assert 0 < matched(hamburg, f"../{iso}") < len(times)
