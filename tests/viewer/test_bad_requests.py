"""Requests that once made the server fail (500) now get a 4xx that says what was wrong.

Each case was found by fuzzing the API (see test_openapi_fuzz.py): numbers beyond the
64 bits SQLite stores, times that fall outside the years 1 to 9999 in UTC, JSON strings
with a lone UTF-16 surrogate escape and JSON nested a thousand deep.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.viewer.conftest import copy_workspace, role_tokens
from tests.viewer.test_contributions import feature
from twin.workspace import Workspace
from viewer.app import create_app

TOO_LARGE = 2**63  # one more than the largest integer SQLite stores
STA = "/musterstadt/sta/v1.1"
API = "/musterstadt/api"
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def workspace(two_towns: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return copy_workspace(two_towns, tmp_path_factory, "bad-requests")


@pytest.fixture(scope="module")
def tokens(workspace: Workspace) -> dict[str, dict[str, str]]:
    return role_tokens(workspace.store("musterstadt"))


@pytest.fixture(scope="module")
def client(workspace: Workspace) -> TestClient:
    app = create_app(workspace)
    app.state.sta_publisher = None  # SensorThings writes publish nothing
    return TestClient(app)


def answer(client: TestClient, method: str, url: str, headers: dict[str, str], **kwargs: Any):
    response = client.request(method, url, headers=headers, **kwargs)
    assert response.headers["content-type"] == "application/json", response.text
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "status", "says"),
    [
        ("participant", "GET", f"/{TOO_LARGE}", None, 404, "there is no contribution"),
        ("participant", "PUT", f"/{TOO_LARGE}/vote", {"value": 1}, 404, "there is no contribution"),
        ("participant", "DELETE", f"/{TOO_LARGE}/vote", None, 404, "there is no contribution"),
        ("participant", "POST", f"/{TOO_LARGE}/comments", {"text": "Gut"}, 404, "no contribution"),
        (
            "admin",
            "POST",
            f"/{TOO_LARGE}/moderation",
            {"state": "approved"},
            404,
            "no contribution",
        ),
        (
            "admin",
            "POST",
            f"/1/comments/{TOO_LARGE}/moderation",
            {"state": "approved"},
            404,
            f"contribution 1 has no comment {TOO_LARGE}",
        ),
    ],
)
def test_a_contribution_id_beyond_64_bits_is_missing(
    client: TestClient, tokens, role: str, method: str, path: str, body, status: int, says: str
) -> None:
    code, error = answer(client, method, f"{API}/contributions{path}", tokens[role], json=body)
    assert code == status and says in error["description"], error


def test_a_token_id_beyond_64_bits_is_missing(client: TestClient, tokens) -> None:
    code, error = answer(client, "POST", f"{API}/tokens/{TOO_LARGE}/revoke", tokens["admin"])
    assert code == 404 and error["description"] == f"there is no active token {TOO_LARGE}"


def test_an_items_offset_beyond_64_bits_is_out_of_range(client: TestClient) -> None:
    url = f"/musterstadt/ogc/collections/trees/items?offset={TOO_LARGE}"
    code, error = answer(client, "GET", url, {})
    assert code == 400 and error["description"] == f"offset={TOO_LARGE} is out of range"
    assert error["hint"] == f"Give a whole number from 0 to {TOO_LARGE - 1}."
    last = client.get(url.replace(str(TOO_LARGE), str(TOO_LARGE - 1))).json()
    assert last["numberReturned"] == 0  # the largest offset gives an empty page


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "../9999-12-31T23:59:59-01:00"])
def test_a_datetime_outside_the_years_1_to_9999_in_utc_is_a_400(
    client: TestClient, value: str
) -> None:
    code, error = answer(client, "GET", "/musterstadt/ogc/jobs", {}, params={"datetime": value})
    assert code == 400 and "lies outside the years 1 to 9999 in UTC" in error["description"]


@pytest.mark.parametrize("when", ["now", "Tue, 01 Jul 2025 00:00:00 GMT", "1. Juli 2025"])
def test_a_phenomenon_time_that_is_not_iso_8601_is_a_400(
    client: TestClient, tokens, when: str
) -> None:
    body = {"result": 1, "phenomenonTime": when, "Datastream": {"@iot.id": 1}}
    code, error = answer(client, "POST", f"{STA}/Observations", tokens["admin"], json=body)
    assert code == 400 and "must be an ISO 8601 time instant" in error["description"]


def test_early_times_keep_four_digit_years_so_they_sort_before_later_ones(
    client: TestClient, tokens
) -> None:
    for when in ("0999-06-01T00:00:00Z", "1000-06-01T00:00:00+02:00"):
        body = {"result": 1, "phenomenonTime": when, "Datastream": {"@iot.id": 1}}
        code, made = answer(client, "POST", f"{STA}/Observations", tokens["admin"], json=body)
        assert code == 201, made
    code, page = answer(
        client,
        "GET",
        f"{STA}/Datastreams(1)/Observations",
        tokens["admin"],
        params={"$orderby": "phenomenonTime asc", "$top": "2", "$select": "phenomenonTime"},
    )
    assert [o["phenomenonTime"] for o in page["value"]] == [
        "0999-06-01T00:00:00Z",
        "1000-05-31T22:00:00Z",
    ]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "says"),
    [
        ("GET", f"Things({TOO_LARGE})", None, 404, f"there is no Things({TOO_LARGE})"),
        ("GET", f"Things(1)/Datastreams({TOO_LARGE})", None, 404, "there is no Datastreams("),
        ("GET", "Things(" + "9" * 5000 + ")", None, 404, "there is no Things(999"),
        ("PATCH", f"Things({TOO_LARGE})", {"name": "x"}, 404, f"there is no Things({TOO_LARGE})"),
        ("DELETE", f"Things({TOO_LARGE})", None, 404, f"there is no Things({TOO_LARGE})"),
        (
            "POST",
            f"Datastreams({TOO_LARGE})/Observations",
            {"result": 1, "phenomenonTime": "2025-07-01T00:00:00Z"},
            404,
            f"there is no Datastreams({TOO_LARGE})",
        ),
        (
            "POST",
            "Observations",
            {
                "result": 1,
                "phenomenonTime": "2025-07-01T00:00:00Z",
                "Datastream": {"@iot.id": TOO_LARGE},
            },
            400,
            f"Observations.Datastream: there is no Datastreams({TOO_LARGE})",
        ),
        (
            "PATCH",
            "Datastreams(1)",
            {"Thing": {"@iot.id": TOO_LARGE}},
            400,
            f"there is no Things({TOO_LARGE})",
        ),
        (
            "POST",
            "CreateObservations",
            [
                {
                    "Datastream": {"@iot.id": TOO_LARGE},
                    "components": ["phenomenonTime", "result"],
                    "dataArray": [["2025-07-01T00:00:00Z", 1]],
                }
            ],
            400,
            f"CreateObservations[0].Datastream: there is no Datastreams({TOO_LARGE})",
        ),
        (
            "POST",
            "Observations",
            {
                "result": 1,
                "phenomenonTime": "0001-01-01T00:00:00+01:00",
                "Datastream": {"@iot.id": 1},
            },
            400,
            "Observations.phenomenonTime must be an ISO 8601 time instant",
        ),
    ],
)
def test_sensorthings_ids_and_times_the_store_cannot_hold_are_a_4xx(
    client: TestClient, tokens, method: str, path: str, body, status: int, says: str
) -> None:
    code, error = answer(client, method, f"{STA}/{path}", tokens["admin"], json=body)
    assert code == status and says in error["description"], error


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        (f"result gt {TOO_LARGE}", f"the whole number {TOO_LARGE} at character 11 is too large"),
        (f"result eq -{TOO_LARGE}", "is too large (at most 9223372036854775807)"),
        ("phenomenonTime gt 2025-02-30T00:00:00Z", "2025-02-30T00:00:00Z is not a valid time"),
        ("phenomenonTime gt 2025-07-01T25:00:00Z", "is not a valid time (hour must be in 0..23)"),
        ("phenomenonTime gt 0001-01-01T00:00:00+01:00", "is not a valid time"),
    ],
)
def test_a_filter_with_a_number_or_time_beyond_range_is_a_400(
    client: TestClient, expression: str, says: str
) -> None:
    code, error = answer(client, "GET", f"{STA}/Observations", {}, params={"$filter": expression})
    assert code == 400 and says in error["description"], error
    assert error["description"].startswith("$filter: ")
    assert (
        answer(
            client,
            "GET",
            f"{STA}/Things",
            {},
            params={"$expand": f"Datastreams($filter={expression})"},
        )[0]
        == 400
    )


def test_a_filter_number_too_large_for_64_bits_may_be_written_as_a_decimal(
    client: TestClient,
) -> None:
    code, error = answer(
        client, "GET", f"{STA}/Observations", {}, params={"$filter": f"result gt {TOO_LARGE}"}
    )
    assert code == 400 and error["hint"] == "Write it as a decimal number, e.g. 9e18."
    code, found = answer(
        client, "GET", f"{STA}/Observations", {}, params={"$filter": "result gt 9e18"}
    )
    assert code == 200 and found["value"] == []


LONE = '"ab\\ud800c"'  # a JSON string with a lone high surrogate: no character at all


@pytest.mark.parametrize(
    ("role", "path", "body"),
    [
        (
            "participant",
            f"{API}/contributions",
            '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [10.8469, 49.602]},'
            f' "properties": {{"title": {LONE}, "text": "Eine Bank", "category": "green"}}}}',
        ),
        ("admin", f"{API}/scenarios", f'{{"id": "lone", "title": {LONE}}}'),
        (
            "admin",
            f"{API}/users",
            f'{{"name": {LONE}, "role": "council", "password": "0123456789ab"}}',
        ),
        ("admin", f"{API}/tokens", f'{{"name": {LONE}, "role": "council"}}'),
        ("admin", f"{STA}/Things", f'{{"name": {LONE}, "description": "x"}}'),
        (
            "admin",
            "/musterstadt/ogc/processes/landuse-indicators/execution",
            f'{{"inputs": {{"scenario": {LONE}}}}}',
        ),
    ],
)
def test_a_lone_surrogate_in_a_json_body_is_a_400(
    client: TestClient, tokens, role: str, path: str, body: str
) -> None:
    code, error = answer(client, "POST", path, tokens[role] | JSON, content=body.encode())
    assert code == 400, error
    assert error["description"] == (
        "the request body holds the lone UTF-16 surrogate escape \\ud800, which is no character"
    )
    assert "surrogate pair" in error["hint"]


def test_a_surrogate_pair_in_a_json_body_is_one_character(client: TestClient, tokens) -> None:
    text = json.dumps(feature("Bank \U0001f600 am Markt"))  # ASCII: 😀 as \\ud83d\\ude00
    assert "\\ud83d\\ude00" in text
    code, created = answer(
        client, "POST", f"{API}/contributions", tokens["participant"] | JSON, content=text.encode()
    )
    assert code == 201 and created["properties"]["title"] == "Bank \U0001f600 am Markt"


CONTRIBUTION = (
    '{"type": "Feature", "geometry": {"type": "Point", "coordinates": %s},'
    ' "properties": {"title": "Bank", "text": "x", "category": "green"}}'
)


@pytest.mark.parametrize(
    ("role", "path", "template", "depth"),
    [
        # routes that read the body themselves: deeper than Python's JSON parser goes
        (
            "admin",
            "/musterstadt/ogc/processes/landuse-indicators/execution",
            '{"inputs": %s}',
            5000,
        ),
        ("admin", f"{STA}/Things", '{"name": "a", "description": "b", "properties": %s}', 5000),
        ("admin", f"{STA}/CreateObservations", "%s", 5000),
        # deep enough to overflow Shapely (which read the coordinates recursively)
        ("participant", f"{API}/contributions", CONTRIBUTION, 900),
        ("admin", "/musterstadt/ogc/processes/landuse-indicators/execution", '{"inputs": %s}', 40),
        ("admin", f"{STA}/CreateObservations", "%s", 40),
        ("participant", f"{API}/contributions", CONTRIBUTION, 40),
    ],
)
def test_json_nested_too_deeply_is_a_400(
    client: TestClient, tokens, role: str, path: str, template: str, depth: int
) -> None:
    nested = "[" * depth + "]" * depth
    code, error = answer(
        client, "POST", path, tokens[role] | JSON, content=(template % nested).encode()
    )
    assert code == 400, error
    assert error["description"].startswith("the request body nests arrays and objects ")
    assert error["hint"] == "Flatten the JSON: arrays and objects may nest at most 32 deep."


def test_json_parsed_by_fastapi_and_too_deep_for_python_is_a_400_too(
    client: TestClient, tokens
) -> None:
    body = (CONTRIBUTION % ("[" * 5000 + "]" * 5000)).encode()
    code, error = answer(
        client, "POST", f"{API}/contributions", tokens["participant"] | JSON, content=body
    )
    assert code == 400 and error["description"] == "There was an error parsing the body"
