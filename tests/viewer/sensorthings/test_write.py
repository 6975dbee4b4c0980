"""The SensorThings API write side: deep insert, PATCH, DELETE, CreateObservations, MQTT.

Runs on a private copy of the imported Musterstadt (plus a second municipality for
tokens), with a Mosquitto of its own so that published Observations reach nobody else.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import frost_sta_client as fsc
import paho.mqtt.client as mqtt
import pytest
import requests
from fastapi.testclient import TestClient

from layers.sensors.publish import ObservationPublisher
from tests.layers.sensors.test_mqtt_ingest import free_port, own_broker
from tests.viewer.conftest import add_testort, copy_workspace, role_tokens, serving
from twin.access import create_token
from twin.config import Role
from twin.workspace import Workspace
from viewer.app import create_app

STA = "/musterstadt/sta/v1.1"
MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
STA_TABLES = (
    "sta_things",
    "sta_locations",
    "sta_thing_locations",
    "sta_historical_locations",
    "sta_sensors",
    "sta_observed_properties",
    "sta_datastreams",
    "sta_features_of_interest",
    "sta_observations",
    "twin_audit",
)

# the client's own URL library warns about itself; nothing of ours
pytestmark = pytest.mark.filterwarnings("ignore:furl.pathstr is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def workspace(imported_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = copy_workspace(imported_workspace, tmp_path_factory, "sta-write")
    return add_testort(workspace, tmp_path_factory)


@pytest.fixture(scope="module")
def broker() -> Iterator[int]:
    """A Mosquitto of this module's own."""
    with own_broker("sta-broker-") as port:
        yield port


@pytest.fixture(scope="module")
def client(workspace: Workspace, broker: int) -> Iterator[TestClient]:
    app = create_app(workspace)
    app.state.sta_publisher = ObservationPublisher(port=broker)
    yield TestClient(app)
    app.state.sta_publisher.close()


@pytest.fixture(scope="module")
def tokens(workspace: Workspace) -> dict[str, dict[str, str]]:
    return role_tokens(workspace.store("musterstadt"))


@pytest.fixture
def admin(tokens: dict[str, dict[str, str]]) -> dict[str, str]:
    return tokens["administration"]


def location(lon: float = 10.85, lat: float = 49.65, name: str = "Rathaus") -> dict[str, Any]:
    return {
        "name": name,
        "description": f"Dach {name}",
        "encodingType": "application/geo+json",
        "location": {"type": "Point", "coordinates": [lon, lat]},
    }


def datastream(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"{name} am Rathaus",
        "observationType": MEASUREMENT,
        "unitOfMeasurement": {"name": "degree Celsius", "symbol": "°C", "definition": "ucum:Cel"},
        "Sensor": {
            "name": "DHT22 Rathaus",
            "description": "Temperatur- und Feuchtesensor",
            "encodingType": "text/html",
            "metadata": "https://example.org/dht22",
        },
        "ObservedProperty": {"@iot.id": 1},
    } | extra


def thing(name: str, *streams: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "description": "Wetterstation",
        "properties": {"owner": "Stadtwerke"},
        "Locations": [location()],
        "Datastreams": list(streams),
    } | extra


def post(client: TestClient, path: str, body: Any, headers: dict[str, str]) -> dict[str, Any]:
    response = client.post(f"{STA}/{path}", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == response.json()["@iot.selfLink"]
    return response.json()


def get(client: TestClient, path: str, **params: str) -> dict[str, Any]:
    response = client.get(f"{STA}/{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def streams_of(client: TestClient, thing_id: int) -> list[dict[str, Any]]:
    expand = "Datastreams($orderby=id;$expand=Sensor,ObservedProperty)"
    return get(client, f"Things({thing_id})", **{"$expand": expand})["Datastreams"]


def counts(workspace: Workspace) -> dict[str, int]:
    store = workspace.store("musterstadt")
    return {t: store.read_sql(f"SELECT count(*) AS n FROM {t}", [])[0]["n"] for t in STA_TABLES}


def test_deep_insert_of_a_thing_with_two_datastreams_reads_back(
    client: TestClient, workspace: Workspace, admin: dict[str, str]
) -> None:
    body = thing(
        "Wetterstation Rathaus",
        datastream("Temperatur", properties={"kind": "air_temperature"}),
        datastream("Taupunkt"),  # the same inline Sensor: that one, not a second
    )
    created = post(client, "Things", body, admin)
    assert created["name"] == "Wetterstation Rathaus" and created["properties"] == {
        "owner": "Stadtwerke"
    }
    read = get(client, f"Things({created['@iot.id']})", **{"$expand": "Locations"})
    assert read["Locations"][0]["location"] == {"type": "Point", "coordinates": [10.85, 49.65]}
    first, second = streams_of(client, created["@iot.id"])
    assert [first["name"], second["name"]] == ["Temperatur", "Taupunkt"]
    assert first["unitOfMeasurement"] == {
        "name": "degree Celsius",
        "symbol": "°C",
        "definition": "ucum:Cel",
    }
    assert first["Sensor"]["@iot.id"] == second["Sensor"]["@iot.id"]
    assert first["Sensor"]["metadata"] == "https://example.org/dht22"
    assert first["ObservedProperty"]["@iot.id"] == second["ObservedProperty"]["@iot.id"] == 1
    history = get(client, f"Things({created['@iot.id']})/HistoricalLocations")["value"]
    assert len(history) == 1
    # stored like a configured sensor: key, kind, classification, x/y, the live layer
    store = workspace.store("musterstadt")
    records = {r.id: r for r in store.datastreams()}
    record = records[first["@iot.id"]]
    assert (record.key, record.kind, record.classification) == (
        f"sta-{record.id}",
        "air_temperature",
        "public",
    )
    assert records[second["@iot.id"]].kind == "other"
    (xy,) = store.read_sql(
        "SELECT l.x, l.y FROM sta_locations l JOIN sta_thing_locations tl "
        "ON tl.location_id = l.id WHERE tl.thing_id = ?",
        [created["@iot.id"]],
    )
    assert 600_000 < xy["x"] < 700_000 and 5_400_000 < xy["y"] < 5_600_000  # UTM 32N
    live = store.read_features("sensors_live").frame
    assert {f"sta-{first['@iot.id']}", f"sta-{second['@iot.id']}"} <= set(live["feature_id"])
    audit = store.audit_log(limit=5)
    entry = next(a for a in audit if a.action == "sta_create")
    assert entry.actor == "test administration" and entry.target == f"Things({created['@iot.id']})"
    assert entry.detail["created"]["Datastreams"] == 2 and entry.detail["created"]["Sensors"] == 1
    same = client.post(f"{STA}/Sensors", json=datastream("x")["Sensor"], headers=admin)
    assert same.status_code == 200 and same.json()["@iot.id"] == first["Sensor"]["@iot.id"]


def test_an_observation_gets_the_things_location_as_feature_of_interest(
    client: TestClient, workspace: Workspace, admin: dict[str, str]
) -> None:
    made = post(client, "Things", thing("Pegel Bahnhof", datastream("Wasserstand")), admin)
    (stream,) = streams_of(client, made["@iot.id"])
    before = datetime.now(UTC).replace(microsecond=0)
    observation = post(
        client,
        "Observations",
        {"result": 12.5, "Datastream": {"@iot.id": stream["@iot.id"]}},
        admin,
    )
    assert datetime.fromisoformat(observation["phenomenonTime"]) >= before  # defaults to now
    assert observation["resultTime"] is None and observation["result"] == 12.5
    feature = get(client, f"Observations({observation['@iot.id']})/FeatureOfInterest")
    assert feature["feature"] == location()["location"] and feature["name"] == "Rathaus"
    # the next one, through the Datastream, shares the feature
    at = "2025-07-01T12:00:00+02:00"
    second = post(
        client,
        f"Datastreams({stream['@iot.id']})/Observations",
        {"phenomenonTime": at, "result": 13, "resultTime": None, "parameters": {"batt": 3.1}},
        admin,
    )
    assert second["phenomenonTime"] == "2025-07-01T10:00:00Z"
    assert second["parameters"] == {"batt": 3.1}
    second_feature = get(client, f"Observations({second['@iot.id']})/FeatureOfInterest")
    assert second_feature["@iot.id"] == feature["@iot.id"]
    # sending it again stores nothing and answers with the stored one
    again = client.post(
        f"{STA}/Datastreams({stream['@iot.id']})/Observations",
        json={"phenomenonTime": at, "result": 13},
        headers=admin,
    )
    assert again.status_code == 200 and again.json()["@iot.id"] == second["@iot.id"]
    # an own FeatureOfInterest, inline
    tree = {
        "name": "Baum 7",
        "description": "Linde",
        "encodingType": "application/geo+json",
        "feature": {"type": "Point", "coordinates": [10.851, 49.651]},
    }
    own = post(
        client,
        f"Datastreams({stream['@iot.id']})/Observations",
        {"result": 14, "FeatureOfInterest": tree},
        admin,
    )
    store = workspace.store("musterstadt")
    (row,) = store.read_sql(
        "SELECT f.name FROM sta_observations o JOIN sta_features_of_interest f ON f.id = o.foi_id "
        "WHERE o.id = ?",
        [own["@iot.id"]],
    )
    assert row["name"] == "Baum 7"
    # quality control and fusion see them like ingested data
    latest = store.latest().set_index("datastream_id")
    assert latest.loc[stream["@iot.id"], "result"] == 14
    assert latest.loc[stream["@iot.id"], "quality"] == "ok"
    live = store.read_features("sensors_live").frame.set_index("feature_id")
    assert live.loc[f"sta-{stream['@iot.id']}", "value"] == 14


def test_patch_changes_only_what_was_given(
    client: TestClient, workspace: Workspace, admin: dict[str, str]
) -> None:
    made = post(client, "Things", thing("Zähler Brücke", datastream("Radverkehr")), admin)
    (stream,) = streams_of(client, made["@iot.id"])
    url = f"{STA}/Datastreams({stream['@iot.id']})"
    changed = client.patch(url, json={"unitOfMeasurement": {"symbol": "K"}}, headers=admin)
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert after["unitOfMeasurement"] == stream["unitOfMeasurement"] | {"symbol": "K"}
    unchanged = {
        k: v
        for k, v in stream.items()
        if k not in ("unitOfMeasurement", "Sensor", "ObservedProperty")
    }
    assert {k: after[k] for k in unchanged} == unchanged
    thing_url = f"{STA}/Things({made['@iot.id']})"
    renamed = client.patch(
        thing_url, json={"name": "Zähler Alte Brücke", "@iot.id": made["@iot.id"]}, headers=admin
    ).json()
    assert renamed["name"] == "Zähler Alte Brücke"
    assert (
        renamed["description"] == made["description"]
        and renamed["properties"] == made["properties"]
    )
    # links change by @iot.id
    linked = client.patch(url, json={"ObservedProperty": {"@iot.id": 2}}, headers=admin)
    assert linked.status_code == 200
    assert get(client, f"Datastreams({stream['@iot.id']})/ObservedProperty")["@iot.id"] == 2
    # a moved Location moves its x/y and the FeatureOfInterest made from it
    (place,) = get(client, f"Things({made['@iot.id']})/Locations")["value"]
    moved = {"type": "Point", "coordinates": [10.86, 49.66]}
    assert (
        client.patch(
            f"{STA}/Locations({place['@iot.id']})", json={"location": moved}, headers=admin
        ).status_code
        == 200
    )
    store = workspace.store("musterstadt")
    (row,) = store.read_sql(
        "SELECT l.x, f.feature FROM sta_locations l JOIN sta_features_of_interest f "
        "ON f.location_id = l.id WHERE l.id = ?",
        [place["@iot.id"]],
    )
    assert json.loads(row["feature"]) == moved and row["x"] > 600_000
    # a new Location through the Thing replaces the current one, which becomes history
    newer = post(client, f"Things({made['@iot.id']})/Locations", location(name="Neubau"), admin)
    current = get(client, f"Things({made['@iot.id']})/Locations")["value"]
    assert [place["@iot.id"] for place in current] == [newer["@iot.id"]]
    assert len(get(client, f"Things({made['@iot.id']})/HistoricalLocations")["value"]) == 2
    audit = store.audit_log(limit=20)
    assert any(
        a.action == "sta_update"
        and a.target == f"Things({made['@iot.id']})"
        and a.detail["changed"] == ["name"]
        for a in audit
    )
    # what PATCH refuses
    for body, status, words in [
        ({"@iot.id": 999}, 400, "@iot.id cannot change"),
        ({"Sensor": {"name": "neu"}}, 400, 'must name a stored entity as {"@iot.id": ID}'),
        ({"unitOfMeasurement": {"symbol": 5}}, 400, "unitOfMeasurement.symbol must be a string"),
        ({"properties": {"classification": "geheim"}}, 400, "classification must be one of"),
    ]:
        refused = client.patch(url, json=body, headers=admin)
        assert refused.status_code == status and words in refused.json()["description"], (
            refused.text
        )
    patch = client.patch(
        url,
        content=b'[{"op": "replace", "path": "/name", "value": "x"}]',
        headers=admin | {"Content-Type": "application/json-patch+json"},
    )
    assert patch.status_code == 415
    assert (
        client.patch(f"{STA}/Datastreams(99999)", json={"name": "x"}, headers=admin).status_code
        == 404
    )


def test_delete_cascades_as_the_standard_says(
    client: TestClient, workspace: Workspace, admin: dict[str, str]
) -> None:
    observations = [{"phenomenonTime": f"2025-07-0{d}T00:00:00Z", "result": d} for d in (1, 2, 3)]
    made = post(
        client,
        "Things",
        thing(
            "Messmast",
            datastream("Wind", Observations=observations),
            datastream("Böen", Observations=observations[:1]),
        ),
        admin,
    )
    first, second = streams_of(client, made["@iot.id"])
    (place,) = get(client, f"Things({made['@iot.id']})/Locations")["value"]
    store = workspace.store("musterstadt")
    assert len(store.observations(first["@iot.id"])) == 3
    # a Datastream takes its Observations with it, nothing else
    assert (
        client.delete(f"{STA}/Datastreams({second['@iot.id']})", headers=admin).status_code == 200
    )
    assert store.observations(second["@iot.id"]).empty
    assert client.get(f"{STA}/Datastreams({second['@iot.id']})").status_code == 404
    assert get(client, f"Things({made['@iot.id']})")["name"] == "Messmast"
    # a Thing takes its Datastreams and their Observations, not its Location or Sensor
    gone = client.delete(f"{STA}/Things({made['@iot.id']})", headers=admin)
    assert gone.status_code == 200
    assert store.observations(first["@iot.id"]).empty
    assert not store.read_sql("SELECT 1 AS x FROM sta_datastreams WHERE id = ?", [first["@iot.id"]])
    assert store.read_sql("SELECT 1 AS x FROM sta_locations WHERE id = ?", [place["@iot.id"]])
    assert store.read_sql(
        "SELECT 1 AS x FROM sta_sensors WHERE id = ?", [first["Sensor"]["@iot.id"]]
    )
    entry = next(a for a in store.audit_log(limit=10) if a.action == "sta_delete")
    assert entry.detail["deleted"] == {
        "Observations": 3,
        "Datastreams": 1,
        "HistoricalLocations": 1,
        "Things": 1,
    }
    assert client.delete(f"{STA}/Things({made['@iot.id']})", headers=admin).status_code == 404
    assert f"sta-{first['@iot.id']}" not in set(
        store.read_features("sensors_live").frame["feature_id"]
    )


def test_create_observations_marks_bad_rows_and_is_idempotent(
    client: TestClient, workspace: Workspace, admin: dict[str, str]
) -> None:
    made = post(client, "Things", thing("Bodenfeuchte Park", datastream("Feuchte 30 cm")), admin)
    (stream,) = streams_of(client, made["@iot.id"])
    body = [
        {
            "Datastream": {"@iot.id": stream["@iot.id"]},
            "components": ["phenomenonTime", "result", "FeatureOfInterest/id"],
            "dataArray@iot.count": 4,
            "dataArray": [
                ["2025-07-01T10:00:00Z", 31.5, 1],
                ["gestern", 32.0, 1],
                ["2025-07-01T11:00:00Z", 32.5, 1],
                ["2025-07-01T12:00:00Z", 33.0, 99999],
            ],
        }
    ]
    response = client.post(f"{STA}/CreateObservations", json=body, headers=admin)
    assert response.status_code == 201, response.text
    links = response.json()
    assert links[1] == links[3] == "error"
    assert links[0].endswith(")") and "/Observations(" in links[0] and links[0] != links[2]
    read = client.get(links[0].replace("http://testserver", "")).json()
    assert (read["phenomenonTime"], read["result"]) == ("2025-07-01T10:00:00Z", 31.5)
    before = counts(workspace)
    resent = client.post(f"{STA}/CreateObservations", json=body, headers=admin)
    assert resent.json() == links  # the stored Observations' links: nothing new
    after = counts(workspace)
    assert after == before | {"twin_audit": after["twin_audit"]}
    entry = next(
        a
        for a in workspace.store("musterstadt").audit_log(limit=10)
        if a.action == "sta_create_observations"
    )
    assert entry.detail["failed"] == 2 and "phenomenonTime" in entry.detail["reasons"][0]
    assert "there is no FeaturesOfInterest(99999)" in entry.detail["reasons"][1]
    # a request that is wrong as a whole stores nothing
    no_result = [
        body[0] | {"components": ["phenomenonTime"], "dataArray": [["2025-07-02T00:00:00Z"]]}
    ]
    refused = client.post(f"{STA}/CreateObservations", json=no_result, headers=admin)
    assert refused.status_code == 400 and "with 'result'" in refused.json()["description"]


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        (
            "Things",
            {"description": "ohne Namen"},
            "Things: the mandatory property 'name' is missing",
        ),
        ("Things", {"name": "x"}, "Things: the mandatory property 'description' is missing"),
        (
            "Things",
            thing(
                "x",
                datastream("a"),
                {k: v for k, v in datastream("b").items() if k != "unitOfMeasurement"},
            ),
            "Things.Datastreams[1]: the mandatory property 'unitOfMeasurement' is missing",
        ),
        (
            "Things",
            thing("x", {k: v for k, v in datastream("b").items() if k != "observationType"}),
            "Things.Datastreams[0]: the mandatory property 'observationType' is missing",
        ),
        (
            "Things",
            {"name": 5, "description": "x"},
            "Things.name must be a non-empty string, got 5",
        ),
        ("Things", thing("x", properties=[1]), "Things.properties must be a JSON object"),
        ("Things", thing("x", colour="rot"), "no writable property 'colour'"),
        (
            "Things",
            thing("x", Locations=[location(), location()]),
            "one current Location per Thing",
        ),
        (
            "Things",
            thing("x", datastream("a", Sensor={"@iot.id": 99999})),
            "Things.Datastreams[0].Sensor: there is no Sensors(99999)",
        ),
        (
            "Things",
            thing("x", Locations=[location(49.65, 100.0)]),
            "Things.Locations[0].location has coordinates outside longitude/latitude",
        ),
        (
            "Locations",
            location() | {"encodingType": "application/pdf"},
            "Locations.encodingType must be a GeoJSON encoding",
        ),
        ("Datastreams", datastream("a"), "Datastreams: a Datastream needs its Thing"),
        (
            "Sensors",
            {
                "name": "air_temperature",
                "description": "x",
                "encodingType": "text/plain",
                "metadata": "",
            },
            "Sensors: the name 'air_temperature' belongs to Sensors(1), which has other properties",
        ),
        (
            "Datastreams",
            datastream("a", Thing={"@iot.id": 1}, properties={"kind": "ozone"}),
            "Datastreams.properties.kind must be one of",
        ),
        ("Observations", {"result": 1}, "Observations: an Observation needs its Datastream"),
        (
            "Observations",
            {
                "Datastream": {"@iot.id": 1},
                "phenomenonTime": "2025-07-01T00:00:00Z/2025-07-02T00:00:00Z",
                "result": 1,
            },
            "Observations.phenomenonTime must be an ISO 8601 time instant",
        ),
        (
            "Observations",
            {"Datastream": {"@iot.id": 1}, "result": None},
            "Observations.result must be a value",
        ),
        (
            "Observations",
            {"Datastream": {"@iot.id": "1"}, "result": 1},
            "@iot.id must be a whole number",
        ),
        (
            "Datastreams(1)/Observations",
            {"result": 1, "Datastream": {"@iot.id": 2}},
            "is given by the request path",
        ),
        (
            "HistoricalLocations",
            {"time": "2025-07-01T00:00:00Z"},
            "HistoricalLocations cannot be written",
        ),
        ("Things(1)", {"name": "x"}, "cannot create entities at 'Things(1)'"),
        ("Things", [1, 2], "Things must be a JSON object"),
    ],
)
def test_bad_bodies_are_400_and_name_the_property(
    client: TestClient,
    workspace: Workspace,
    admin: dict[str, str],
    path: str,
    body: Any,
    words: str,
) -> None:
    before = counts(workspace)
    response = client.post(f"{STA}/{path}", json=body, headers=admin)
    assert response.status_code == 400, response.text
    assert words in response.json()["description"]
    assert counts(workspace) == before


def test_unknown_parents_and_bad_json(client: TestClient, admin: dict[str, str]) -> None:
    missing = client.post(
        f"{STA}/Datastreams(99999)/Observations", json={"result": 1}, headers=admin
    )
    assert missing.status_code == 404 and "no Datastreams(99999)" in missing.json()["description"]
    garbled = client.post(f"{STA}/Things", content=b"{name: x", headers=admin)
    assert garbled.status_code == 400 and "not JSON" in garbled.json()["description"]


def test_a_failing_deep_insert_leaves_nothing_behind(
    client: TestClient, workspace: Workspace, admin: dict[str, str]
) -> None:
    """The Thing, its Location and first Datastream are written before the second fails."""
    before = counts(workspace)
    body = thing(
        "Halb",
        datastream("gut", Observations=[{"result": 1}]),
        datastream("schlecht", ObservedProperty={"@iot.id": 99999}),
    )
    response = client.post(f"{STA}/Things", json=body, headers=admin)
    assert response.status_code == 400
    assert (
        "Things.Datastreams[1].ObservedProperty: there is no ObservedProperties(99999)"
        in response.json()["description"]
    )
    assert counts(workspace) == before


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 401), ("participant", 403), ("council", 403)]
)
def test_only_the_administration_writes(
    client: TestClient,
    workspace: Workspace,
    tokens: dict[str, dict[str, str]],
    role: str,
    status: int,
) -> None:
    before = counts(workspace)
    for method, path, body in [
        ("POST", "Things", thing("Versuch")),
        ("POST", "CreateObservations", []),
        ("PATCH", "Things(1)", {"name": "Versuch"}),
        ("DELETE", "Things(1)", None),
    ]:
        response = client.request(method, f"{STA}/{path}", json=body, headers=tokens[role])
        assert response.status_code == status, (method, path, response.text)
    assert counts(workspace) == before
    assert get(client, "Things(1)")["name"] != "Versuch"  # reads stay open


def test_admins_write_and_other_municipalities_tokens_are_refused(
    client: TestClient, workspace: Workspace, tokens: dict[str, dict[str, str]]
) -> None:
    assert (
        client.post(
            f"{STA}/Things", json=thing("Admin-Station"), headers=tokens["admin"]
        ).status_code
        == 201
    )
    _, foreign = create_token(workspace.store("testort"), "Testort Amt", Role.ADMIN, actor="pytest")
    response = client.post(
        f"{STA}/Things", json=thing("Fremd"), headers={"Authorization": f"Bearer {foreign}"}
    )
    assert response.status_code == 401 and "not valid for this municipality" in response.text
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_non_public_datastreams_are_written_but_not_shown(
    client: TestClient, admin: dict[str, str]
) -> None:
    made = post(
        client,
        "Things",
        thing("Privatgarten", datastream("Feuchte", properties={"classification": "personal"})),
        admin,
    )
    assert client.get(f"{STA}/Things({made['@iot.id']})").status_code == 404
    stream = client.get(f"{STA}/Things({made['@iot.id']})/Datastreams").json()["value"]
    assert stream == []


# --- MQTT ----------------------------------------------------------------------------


class Subscriber:
    """A paho client of the test's own that collects what arrives on a topic."""

    def __init__(self, port: int, *topics: str) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []
        subscribed = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.on_subscribe = lambda *_args: subscribed.set()
        self.client.on_message = self._message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.client.subscribe([(topic, 1) for topic in topics])
        assert subscribed.wait(10)

    def _message(self, _client: object, _userdata: object, message: mqtt.MQTTMessage) -> None:
        self.messages.append((message.topic, json.loads(message.payload)))

    def wait_for(self, count: int) -> list[tuple[str, dict[str, Any]]]:
        deadline = time.monotonic() + 10
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_new_public_observations_are_published_over_mqtt(
    client: TestClient, workspace: Workspace, broker: int, admin: dict[str, str]
) -> None:
    public = post(client, "Things", thing("Station Nord", datastream("Luft")), admin)
    hidden = post(
        client,
        "Things",
        thing("Station Amt", datastream("Intern", properties={"classification": "internal"})),
        admin,
    )
    (stream,) = streams_of(client, public["@iot.id"])
    (hidden_stream,) = workspace.store("musterstadt").read_sql(
        "SELECT id FROM sta_datastreams WHERE thing_id = ?", [hidden["@iot.id"]]
    )
    subscriber = Subscriber(broker, "v1.1/+/Observations", "v1.1/Observations")
    try:  # the internal one is stored but not announced; the public one is, on both topics
        post(client, f"Datastreams({hidden_stream['id']})/Observations", {"result": 1}, admin)
        created = post(
            client, f"Datastreams({stream['@iot.id']})/Observations", {"result": 19.5}, admin
        )
        first, second = sorted(subscriber.wait_for(2))
        assert first == (f"v1.1/Datastreams({stream['@iot.id']})/Observations", created)
        assert second == ("v1.1/Observations", created)
        batch = [
            {
                "Datastream": {"@iot.id": stream["@iot.id"]},
                "components": ["result"],
                "dataArray": [[20.0]],
            }
        ]
        assert (
            client.post(f"{STA}/CreateObservations", json=batch, headers=admin).status_code == 201
        )
        assert [m[1]["result"] for m in subscriber.wait_for(4)[2:]] == [20.0, 20.0]
    finally:
        subscriber.close()


def test_a_missing_broker_is_logged_and_the_write_succeeds(
    workspace: Workspace, admin: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(workspace)
    app.state.sta_publisher = ObservationPublisher(port=free_port(), connect_timeout=0.2)
    offline = TestClient(app)
    try:
        with caplog.at_level(logging.WARNING, logger="layers.sensors.publish"):
            made = post(offline, "Things", thing("Ohne Broker", datastream("x")), admin)
            (stream,) = streams_of(offline, made["@iot.id"])
            post(offline, f"Datastreams({stream['@iot.id']})/Observations", {"result": 1}, admin)
    finally:
        app.state.sta_publisher.close()
    assert "1 Observation(s) not published: no connection to the MQTT broker" in caplog.text


# --- a standard client against a real server -----------------------------------------


class BearerAuth(fsc.AuthHandler):
    """The client's extension point for credentials, with a bearer token."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def add_auth_header(self) -> requests.auth.AuthBase:
        token = self.token

        class Bearer(requests.auth.AuthBase):
            def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
                request.headers["Authorization"] = f"Bearer {token}"
                return request

        return Bearer()


@pytest.fixture(scope="module")
def server(workspace: Workspace) -> Iterator[str]:
    """The app served by uvicorn on a free port, over this module's workspace."""
    app = create_app(workspace)
    app.state.sta_publisher = None
    with serving(app) as url:
        yield f"{url}/musterstadt/sta/v1.1"


def test_frost_client_creates_a_thing_and_observations_unchanged(
    server: str, tokens: dict[str, dict[str, str]]
) -> None:
    token = tokens["administration"]["Authorization"].removeprefix("Bearer ")
    service = fsc.SensorThingsService(server, auth_handler=BearerAuth(token))
    station = fsc.Thing(
        name="Klimastation Schule",
        description="Schulgarten",
        locations=[
            fsc.Location(
                name="Schulgarten",
                description="hinter der Turnhalle",
                encoding_type="application/geo+json",
                location={"type": "Point", "coordinates": [10.852, 49.648]},
            )
        ],
        datastreams=[
            fsc.Datastream(
                name="Lufttemperatur Schule",
                description="2 m",
                observation_type=MEASUREMENT,
                unit_of_measurement=fsc.UnitOfMeasurement(
                    name="degree Celsius", symbol="°C", definition="ucum:Cel"
                ),
                sensor=fsc.Sensor(
                    name="SHT31 Schule",
                    description="Sensirion SHT31",
                    encoding_type="application/pdf",
                    metadata="https://example.org/sht31.pdf",
                ),
                observed_property=fsc.ObservedProperty(
                    name="Lufttemperatur Schule", definition="http://example.org/T", description="T"
                ),
            )
        ],
    )
    service.create(station)
    assert isinstance(station.id, int)
    (stream,) = list(service.things().find(station.id).get_datastreams().query().list())
    when = datetime(2025, 7, 1, 12, tzinfo=UTC)
    reading = fsc.Observation(result=24.5, phenomenon_time=when, datastream=stream)
    service.create(reading)
    assert service.observations().find(reading.id).result == 24.5
    rows = fsc.DataArrayValue()
    rows.datastream = stream
    rows.components = {
        fsc.DataArrayValue.Property.PHENOMENON_TIME,
        fsc.DataArrayValue.Property.RESULT,
    }
    for hour in (1, 2):
        rows.add_observation(
            fsc.Observation(result=20 + hour, phenomenon_time=when + timedelta(hours=hour))
        )
    document = fsc.DataArrayDocument()
    document.add_data_array_value(rows)
    created = service.observations().create(document)
    assert all("/Observations(" in o.self_link for o in created) and len(created) == 2
    found = (
        service.datastreams()
        .find(stream.id)
        .get_observations()
        .query()
        .orderby("phenomenonTime", "asc")
        .list()
    )
    assert [o.result for o in found] == [24.5, 21, 22]
    service.delete(service.things().find(station.id))
    with pytest.raises(requests.HTTPError):
        service.things().find(station.id)
