"""The SensorThings API v1.1 read side on the imported sample municipality."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from sample_data import get_path
from tests.conftest import make_town
from twin.access import create_token
from twin.config import Role, load_config
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


SITES = {  # classification: (key, name)
    "public": ("P1", "Pegel"),
    "council": ("C1", "Bodenfeuchte Ratsprojekt"),
    "internal": ("I1", "Kanalzustand"),
    "personal": ("X1", "Bodenfeuchte Privatgarten"),
}
#: What each role finds through SensorThings; personal data never (see access.py).
SEEN_BY_ROLE: dict[Role | None, set[str]] = {
    None: {"public"},
    Role.PARTICIPANT: {"public"},
    Role.COUNCIL: {"public", "council"},
    Role.ADMINISTRATION: {"public", "council", "internal"},
    Role.ADMIN: {"public", "council", "internal"},
}


@pytest.fixture(scope="module")
def classified(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict[str, int]]:
    """Testort with one datastream of each classification, each with one observation."""
    tmp_path = tmp_path_factory.mktemp("classified")
    config = load_config(make_town(tmp_path))
    workspace = Workspace(tmp_path / "ws")
    store = init_municipality(config, workspace, actor="pytest")
    frame = pd.DataFrame({"phenomenon_time": ["2025-07-01T00:00:00Z"], "result": [1.0]})
    ids = {}
    for n, (classification, (key, name)) in enumerate(SITES.items()):
        site = SensorSite(
            key,
            name,
            "soil_moisture",
            600100.0 + 100 * n,
            5500100.0,
            "%",
            classification=classification,
        )
        ids[classification] = store.register_sensor(site, actor="pytest")
        assert store.add_observations(ids[classification], frame, actor="pytest").new == 1
    return workspace, ids


@pytest.mark.parametrize("role", list(SEEN_BY_ROLE), ids=lambda r: r or "anonymous")
def test_each_role_sees_the_datastreams_it_may_read(
    classified: tuple[Workspace, dict[str, int]], role: Role | None
) -> None:
    workspace, ids = classified
    headers = {}
    if role is not None:
        _, token = create_token(workspace.store("testort"), f"t-{role}", role, actor="pytest")
        headers["Authorization"] = f"Bearer {token}"
    client = TestClient(create_app(workspace), headers=headers)
    sta = "/testort/sta/v1.1"
    seen = SEEN_BY_ROLE[role]
    streams = client.get(f"{sta}/Datastreams").json()["value"]
    assert {s["@iot.id"] for s in streams} == {ids[c] for c in seen}
    observations = client.get(f"{sta}/Observations", params={"$count": "true"}).json()
    assert observations["@iot.count"] == len(seen)
    things = {t["name"] for t in client.get(f"{sta}/Things").json()["value"]}
    assert things == {SITES[c][1] for c in seen}
    for classification, datastream in ids.items():
        one = client.get(f"{sta}/Datastreams({datastream})")
        if classification in seen:
            assert one.status_code == 200, classification
            expanded = client.get(
                f"{sta}/Datastreams({datastream})", params={"$expand": "Observations"}
            ).json()
            assert len(expanded["Observations"]) == 1
        else:  # the same answer as a datastream that does not exist
            assert one.status_code == 404
            assert one.json() == client.get(f"{sta}/Datastreams(999999)").json()
            assert client.get(f"{sta}/Datastreams({datastream})/Observations").json()["value"] == []
