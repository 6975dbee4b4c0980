"""The SensorThings API v1.1 read side on the imported sample municipality."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from sample_data import get_path
from tests.conftest import make_town
from twin.config import load_config
from twin.importer import init_municipality
from twin.store.base import SensorSite
from twin.workspace import Workspace
from viewer.app import create_app

STA = "/musterstadt/sta/v1.1"


def get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"{STA}/{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def history(key: str) -> pd.DataFrame:
    config = load_config(get_path("musterstadt"))
    sensor = next(s for s in config.sensors if s.id == key)
    assert sensor.history is not None
    return pd.read_csv(config.resolve(sensor.history))


def test_service_root(client: TestClient) -> None:
    root = get(client, "")
    names = [e["name"] for e in root["value"]]
    assert names == [
        "Things",
        "Locations",
        "HistoricalLocations",
        "Datastreams",
        "Sensors",
        "ObservedProperties",
        "Observations",
        "FeaturesOfInterest",
    ]
    assert root["value"][0]["url"].endswith(f"{STA}/Things")
    assert any("datamodel" in c for c in root["serverSettings"]["conformance"])


def test_things_with_locations_in_the_town(client: TestClient) -> None:
    config = load_config(get_path("musterstadt"))
    things = get(client, "Things", **{"$count": "true", "$expand": "Locations"})
    assert things["@iot.count"] == len(config.sensors)
    names = {t["name"] for t in things["value"]}
    assert names == {s.name for s in config.sensors}
    for thing in things["value"]:
        (location,) = thing["Locations"]
        lon, lat = location["location"]["coordinates"]
        assert 10.7 < lon < 10.9 and 49.6 < lat < 49.7  # Musterstadt in Franconia
        assert thing["Datastreams@iot.navigationLink"].endswith(
            f"Things({thing['@iot.id']})/Datastreams"
        )


def test_paging_through_all_observations_equals_the_csv(client: TestClient) -> None:
    stream = get(client, "Datastreams(1)", **{"$expand": "Thing"})
    assert stream["Thing"]["description"] == "Messstelle T01"  # registered first, from the config
    expected = history("T01")
    url = f"{STA}/Datastreams({stream['@iot.id']})/Observations?$top=250&$orderby=phenomenonTime"
    values, pages = [], 0
    while url:
        page = client.get(url).json()
        values += [(o["phenomenonTime"], o["result"]) for o in page["value"]]
        url = page.get("@iot.nextLink")
        pages += 1
    assert pages == 3
    assert values == list(zip(expected["time"], expected["value"], strict=True))


def test_orderby_select_and_nested_expand(client: TestClient) -> None:
    expected = history("T01").iloc[-1]
    latest = get(
        client,
        "Datastreams(1)/Observations",
        **{"$orderby": "phenomenonTime desc", "$top": 1, "$select": "result,phenomenonTime"},
    )
    (obs,) = latest["value"]
    assert set(obs) == {"@iot.id", "@iot.selfLink", "result", "phenomenonTime"}
    assert (obs["phenomenonTime"], obs["result"]) == (expected["time"], expected["value"])
    nested = get(
        client,
        "Things(1)",
        **{
            "$expand": "Datastreams($expand=Observations($top=1;$orderby=phenomenonTime desc),ObservedProperty)"
        },
    )
    (stream,) = nested["Datastreams"]
    assert stream["Observations"][0]["result"] == expected["value"]
    assert stream["ObservedProperty"]["name"].startswith("Lufttemperatur")
    assert stream["unitOfMeasurement"]["symbol"] == "°C"
    path_expand = get(client, "Things(1)", **{"$expand": "Datastreams/ObservedProperty"})
    assert (
        path_expand["Datastreams"][0]["ObservedProperty"]["@iot.id"]
        == stream["ObservedProperty"]["@iot.id"]
    )


def test_navigation_chains_properties_and_value(client: TestClient) -> None:
    thing = get(client, "Observations(1)/Datastream/Thing")
    assert thing["name"] == get(client, "Things(1)")["name"]
    assert get(client, "Things(1)/name") == {"name": thing["name"]}
    raw = client.get(f"{STA}/Things(1)/name/$value")
    assert raw.status_code == 200 and raw.text == thing["name"]
    foi = get(client, "Observations(1)/FeatureOfInterest")
    location = get(client, "Things(1)/Locations")["value"][0]
    assert foi["feature"] == location["location"]


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("Thingz", {}, 404, "no entity set 'Thingz'"),
        ("Things(99999)", {}, 404, "no such Things"),
        ("Things/Datastreams", {}, 400, "cannot navigate from the collection"),
        ("Things(1)/Gadgets", {}, 404, "no navigation property 'Gadgets'"),
        ("Things", {"$top": "20000"}, 400, "between 0 and 10000"),
        ("Things", {"$top": "-1"}, 400, "whole number"),
        ("Things", {"$format": "xml"}, 400, "unknown query option"),
        ("Things", {"$select": "secret"}, 400, "no property 'secret'"),
        ("Things", {"$orderby": "name;DROP TABLE sta_things"}, 400, "cannot order"),
        ("Things", {"$expand": "Datastreams($top=1"}, 400, "unbalanced"),
        ("Things", {"$expand": "Sensors"}, 400, "no navigation property 'Sensors'"),
        ("Things(1);DROP TABLE sta_things", {}, 400, "not an entity set"),
        ("Things", {"$count": "yes"}, 400, "true or false"),
    ],
)
def test_bad_requests_are_explained(
    client: TestClient, path: str, params: dict[str, str], status: int, words: str
) -> None:
    response = client.get(f"{STA}/{path}", params=params)
    assert response.status_code == status, response.text
    assert words in response.json()["description"]
    assert get(client, "Things", **{"$count": "true"})["@iot.count"] == 15  # nothing was dropped


def test_only_public_datastreams_are_visible(tmp_path: Path) -> None:
    config = load_config(make_town(tmp_path))
    workspace = Workspace(tmp_path / "ws")
    store = init_municipality(config, workspace, actor="pytest")
    public = store.register_sensor(
        SensorSite("P1", "Pegel", "water_level", 600100.0, 5500100.0, "cm"), actor="pytest"
    )
    hidden = store.register_sensor(
        SensorSite(
            "H1",
            "Bodenfeuchte Privatgarten",
            "soil_moisture",
            600200.0,
            5500200.0,
            "%",
            classification="council",
        ),
        actor="pytest",
    )
    frame = pd.DataFrame({"phenomenon_time": ["2025-07-01T00:00:00Z"], "result": [1.0]})
    store.add_observations(public, frame, actor="pytest")
    hidden_obs = store.add_observations(hidden, frame, actor="pytest")
    assert hidden_obs.new == 1
    client = TestClient(create_app(workspace))
    sta = "/testort/sta/v1.1"
    streams = client.get(f"{sta}/Datastreams", params={"$count": "true"}).json()
    assert streams["@iot.count"] == 1 and streams["value"][0]["name"].startswith("Pegel")
    assert client.get(f"{sta}/Datastreams({hidden})").status_code == 404
    assert client.get(f"{sta}/Datastreams({hidden})/Observations").json()["value"] == []
    assert client.get(f"{sta}/Observations", params={"$count": "true"}).json()["@iot.count"] == 1
    things = client.get(f"{sta}/Things").json()["value"]
    assert [t["name"] for t in things] == ["Pegel"]
    assert client.get(f"{sta}/Locations", params={"$count": "true"}).json()["@iot.count"] == 1
