"""``$resultFormat=dataArray`` (OGC 18-088, 14.3) on the imported sample municipality.

A dataArray read must hold the same Observations, in the same order and pages, as the
default JSON, and must go back in through ``CreateObservations`` unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.viewer.conftest import copy_workspace, role_tokens
from tests.viewer.sensorthings.test_write import datastream, post, thing
from twin.workspace import Workspace
from viewer.app import create_app

STA = "/musterstadt/sta/v1.1"
DATA_ARRAY = {"$resultFormat": "dataArray"}
COMPONENTS = ("id", "phenomenonTime", "result", "resultTime", "resultQuality", "parameters")


def get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"{STA}/{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def rows(page: dict[str, Any]) -> list[list[Any]]:
    return [row for group in page["value"] for row in group["dataArray"]]


def test_default_components_and_one_group_per_datastream(client: TestClient) -> None:
    query = {"$orderby": "phenomenonTime desc,id", "$top": "40"}
    plain = get(client, "Observations", **query, **{"$expand": "Datastream($select=id)"})
    page = get(client, "Observations", **query, **DATA_ARRAY)
    expected: dict[int, list[list[Any]]] = {}  # per Datastream, in order of first appearance
    for o in plain["value"]:
        row = [o["@iot.id"], *(o[name] for name in COMPONENTS[1:])]
        expected.setdefault(o["Datastream"]["@iot.id"], []).append(row)
    assert len(expected) > 1
    assert page["value"] == [
        {
            "Datastream@iot.navigationLink": f"http://testserver{STA}/Datastreams({stream})",
            "components": list(COMPONENTS),
            "dataArray@iot.count": len(values),
            "dataArray": values,
        }
        for stream, values in expected.items()
    ]
    assert "%24resultFormat=dataArray" in page["@iot.nextLink"]


def test_select_filter_count_and_paging_follow_the_default_json(client: TestClient) -> None:
    query = {
        "$filter": "result gt 15",
        "$select": "result,phenomenonTime",  # components keep the standard's order
        "$orderby": "result desc",
        "$count": "true",
        "$top": "100",
    }
    url = f"{STA}/Datastreams(1)/Observations"
    first = client.get(url, params={**query, **DATA_ARRAY}).json()
    (group,) = first["value"]
    assert group["components"] == ["phenomenonTime", "result"]
    assert group["Datastream@iot.navigationLink"].endswith("/Datastreams(1)")
    everything, link = rows(first), first.get("@iot.nextLink")
    while link:
        page = client.get(link).json()
        assert "@iot.count" in page and all(
            g["components"] == group["components"] for g in page["value"]
        )
        everything += rows(page)
        link = page.get("@iot.nextLink")
    plain = client.get(url, params={**query, "$top": "10000"}).json()
    assert first["@iot.count"] == plain["@iot.count"] == len(everything) > 100
    assert everything == [[o["phenomenonTime"], o["result"]] for o in plain["value"]]
    skipped = client.get(url, params={**query, **DATA_ARRAY, "$skip": "100", "$top": "5"}).json()
    assert rows(skipped) == everything[100:105]


@pytest.mark.parametrize(
    ("path", "params", "words"),
    [
        ("Things", DATA_ARRAY, "only for Observations, not for Things"),
        ("Datastreams(1)", DATA_ARRAY, "only for Observations, not for Datastreams"),
        (
            "Observations",
            {**DATA_ARRAY, "$expand": "Datastream"},
            "cannot be combined with $expand",
        ),
        ("Observations(1)", DATA_ARRAY, "collections of Observations, not for one entity"),
        ("Observations", {"$resultFormat": "csv"}, "must be dataArray, got 'csv'"),
        ("Observations", {**DATA_ARRAY, "$select": "Datastream"}, "names no Observation property"),
        (
            "Datastreams",
            {"$expand": "Observations($resultFormat=dataArray)"},
            "$resultFormat is for the whole request",
        ),
    ],
)
def test_misplaced_result_format_is_a_400_that_says_why(
    client: TestClient, path: str, params: dict[str, str], words: str
) -> None:
    response = client.get(f"{STA}/{path}", params=params)
    assert response.status_code == 400, response.text
    assert words in response.json()["description"]


@pytest.fixture(scope="module")
def writable(
    imported_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The API over a private copy of Musterstadt, and an administration token."""
    workspace = copy_workspace(imported_workspace, tmp_path_factory, "data-array")
    app = create_app(workspace)
    app.state.sta_publisher = None
    yield TestClient(app), role_tokens(workspace.store("musterstadt"))["administration"]


def test_what_a_data_array_read_gives_goes_back_in_unchanged(
    writable: tuple[TestClient, dict[str, str]],
) -> None:
    client, admin = writable
    source = get(client, "Datastreams(2)/Observations", **DATA_ARRAY, **{"$top": "500"})
    (group,) = source["value"]
    made = post(client, "Things", thing("Zweitstation", datastream("Kopie")), admin)
    copy = get(client, f"Things({made['@iot.id']})/Datastreams")["value"][0]["@iot.id"]
    body = [group | {"Datastream": {"@iot.id": copy}}]  # navigationLink and count are ignored
    response = client.post(f"{STA}/CreateObservations", json=body, headers=admin)
    assert response.status_code == 201, response.text
    assert len(response.json()) == len(group["dataArray"]) == 500
    same = {"$select": "phenomenonTime,result,resultTime,parameters", "$top": "500"}
    copied = get(client, f"Datastreams({copy})/Observations", **DATA_ARRAY, **same)
    original = get(client, "Datastreams(2)/Observations", **DATA_ARRAY, **same)
    assert rows(copied) == rows(original)
    assert copied["value"][0]["components"] == original["value"][0]["components"]
    again = client.post(f"{STA}/CreateObservations", json=body, headers=admin).json()
    assert again == response.json()  # sent twice: stored once, answered with the stored ones
