"""OGC API - Processes on the sample twin: descriptions, execution, jobs, cache, restarts."""

from __future__ import annotations

import email
import json
import time
from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import pytest
import shapely
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from owslib.ogcapi.processes import Processes

from scenarios.processes import PROCESSES, Process, ProcessContext
from scenarios.runner import RESTARTED, REUSED
from twin.store._jobs import Job, now
from twin.workspace import Workspace
from viewer.app import create_app

BASE = "/musterstadt/ogc"
EXCEPTION = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/"
PAVED_ALTSTADT = (633535, 5497705, 633665, 5497805)  # the car park N0108 in the Altstadt
YARD_EAST = (634515, 5498365, 634645, 5498465)  # an industrial yard in Gewerbegebiet Ost


def edits(box: tuple[float, float, float, float], *kinds: str) -> dict[str, Any]:
    """A FeatureCollection in WGS 84 with one edit of each kind on ``box`` (EPSG:25832)."""
    geometry = gpd.GeoSeries([shapely.box(*box)], crs=25832).to_crs(4326).iloc[0]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(geometry),
                "properties": {"edit": kind},
            }
            for kind in kinds
        ],
    }


PARK = edits(PAVED_ALTSTADT, "unseal", "plant_trees")


def execute(client: TestClient, body: dict[str, Any], **headers: str):
    return client.post(f"{BASE}/processes/heat-scenario/execution", json=body, headers=headers)


def districts(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in document["districts"]}


def finished(client: TestClient, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while (status := client.get(url).json())["status"] in ("accepted", "running"):
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    return status


def test_landing_page_and_conformance_announce_processes(client: TestClient) -> None:
    rels = {link["rel"]: link["href"] for link in client.get(f"{BASE}/").json()["links"]}
    assert rels["http://www.opengis.net/def/rel/ogc/1.0/processes"].endswith("/processes?f=json")
    assert rels["http://www.opengis.net/def/rel/ogc/1.0/job-list"].endswith("/jobs?f=json")
    conforms = client.get(f"{BASE}/conformance").json()["conformsTo"]
    for name in ("core", "ogc-process-description", "json", "html", "job-list", "dismiss"):
        assert f"http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/{name}" in conforms


def test_process_list_and_description_have_what_the_spec_requires(client: TestClient) -> None:
    listing = client.get(f"{BASE}/processes").json()
    assert {"processes", "links"} <= set(listing)
    assert {link["rel"] for link in listing["links"]} == {"self", "alternate"}
    (summary,) = [p for p in listing["processes"] if p["id"] == "heat-scenario"]
    assert {"id", "version", "jobControlOptions", "outputTransmission", "links"} <= set(summary)
    assert {"sync-execute", "async-execute"} <= set(summary["jobControlOptions"])
    assert summary["outputTransmission"] == ["value"]
    describe = next(link["href"] for link in summary["links"] if link["rel"] == "self")
    process = client.get(describe).json()
    assert process["id"] == "heat-scenario" and process["title"] == "Hitzeszenario"
    assert set(process["inputs"]) == {"edits", "cell_size"}
    assert set(process["outputs"]) == {"districts", "summary"}
    for name, item in [*process["inputs"].items(), *process["outputs"].items()]:
        assert {"title", "description", "schema"} <= set(item), name
        Draft202012Validator.check_schema(item["schema"])
    assert (
        process["inputs"]["edits"]["minOccurs"],
        process["inputs"]["cell_size"]["minOccurs"],
    ) == (1, 0)
    rels = {link["rel"] for link in process["links"]}
    assert "http://www.opengis.net/def/rel/ogc/1.0/execute" in rels
    english = client.get(f"{BASE}/processes/heat-scenario?lang=en").json()
    assert english["inputs"]["edits"]["title"] == "Edits"


@pytest.mark.parametrize(
    "path", ["/processes", "/processes/heat-scenario", "/jobs"], ids=["list", "process", "jobs"]
)
def test_pages_come_as_html_too(client: TestClient, path: str) -> None:
    response = client.get(BASE + path, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "OGC API" in response.text


def test_a_park_on_a_car_park_cools_its_district_only(client: TestClient) -> None:
    response = execute(client, {"inputs": {"edits": PARK}, "response": "document"})
    assert response.status_code == 200, response.text
    document = response.json()
    rows = districts(document)
    assert set(rows) == {"Altstadt", "Gewerbegebiet Ost", "Südufer", "Am Fluss", "Nord"}
    altstadt = rows["Altstadt"]
    assert altstadt["id"] == "OT1" and 20 < altstadt["mean_temperature_c"] < 40
    assert altstadt["mean_change_k"] < 0 and altstadt["max_change_k"] < 0
    assert all(row["mean_change_k"] >= altstadt["mean_change_k"] for row in rows.values())
    summary = document["summary"]  # an object value: a qualified value in the document
    assert summary["mediaType"] == "application/json"
    assert summary["value"]["max_cooling_k"] > 0 and summary["value"]["max_warming_k"] == 0
    assert summary["value"]["cells_changed"] > 0 and summary["value"]["cell_size_m"] == 10

    far = execute(
        client,
        {"inputs": {"edits": edits(YARD_EAST, "unseal", "plant_trees")}, "response": "document"},
    )
    rows = districts(far.json())
    assert rows["Gewerbegebiet Ost"]["mean_change_k"] < 0
    assert abs(rows["Südufer"]["mean_change_k"]) <= 0.001
    assert abs(rows["Südufer"]["max_change_k"]) <= 0.001


def test_raw_responses_follow_the_spec(client: TestClient) -> None:
    body = {"inputs": {"edits": PARK}, "outputs": {"summary": {}}, "response": "raw"}
    one = execute(client, body)
    assert one.headers["content-type"] == "application/json"
    assert set(one.json()) == {
        "mean_change_k",
        "max_warming_k",
        "max_cooling_k",
        "cells_changed",
        "cell_size_m",
    }
    both = execute(client, {"inputs": {"edits": PARK}})  # raw is the default in 1.0
    assert both.headers["content-type"].startswith("multipart/related")
    message = email.message_from_bytes(
        b"Content-Type: " + both.headers["content-type"].encode() + b"\r\n\r\n" + both.content
    )
    parts = {part["Content-ID"]: json.loads(part.get_payload()) for part in message.get_payload()}
    assert set(parts) == {"<districts>", "<summary>"}
    assert parts["<summary>"] == one.json()


def test_async_execution_creates_a_job_to_poll(client: TestClient) -> None:
    body = {
        "inputs": {"edits": edits(PAVED_ALTSTADT, "unseal"), "cell_size": 20},
        "response": "document",
    }
    created = execute(client, body, Prefer="respond-async")
    assert created.status_code == 201, created.text
    assert created.headers["Preference-Applied"] == "respond-async"
    status = created.json()
    location = created.headers["Location"]
    assert location.endswith(f"/jobs/{status['jobID']}")
    assert status["status"] == "accepted" and status["type"] == "process"
    assert status["processID"] == "heat-scenario" and status["progress"] == 0
    done = finished(client, location)
    assert done["status"] == "successful" and done["progress"] == 100 and done["message"] == "done"
    assert {"created", "started", "finished", "updated"} <= set(done)
    results_link = next(link["href"] for link in done["links"] if link["rel"].endswith("/results"))
    results = client.get(results_link)
    assert results.status_code == 200
    synchronous = execute(client, body)
    assert synchronous.json() == results.json()
    assert districts(results.json())["Altstadt"]["mean_change_k"] < 0
    page = client.get(location, params={"f": "html"})
    assert page.status_code == 200 and "Altstadt" in page.text


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"inputs": {}}, "edits: is required"),
        ({"inputs": {"edits": "park.geojson"}}, "edits: 'park.geojson' is not of type 'object'"),
        ({"inputs": {"edits": PARK, "size": 5}}, "size: heat-scenario has no such input"),
        (
            {"inputs": {"edits": edits(PAVED_ALTSTADT, "pave")}},
            "edits.features[0].properties.edit: 'pave' is not one of",
        ),
        ({"inputs": {"edits": PARK, "cell_size": 1}}, "cell_size: 1 is less than the minimum of 2"),
        ({"inputs": {"edits": PARK, "cell_size": 60}}, "cell_size: 60 is greater than the maximum"),
        ({"inputs": {"edits": PARK}, "response": "pdf"}, "response: 'pdf' is neither"),
        (
            {"inputs": {"edits": PARK}, "outputs": {"map": {}}},
            "outputs.map: heat-scenario has no such output",
        ),
        ({"input": {"edits": PARK}}, "input: the execute request has no such member"),
    ],
)
def test_invalid_requests_are_400_with_every_problem(
    client: TestClient, body: dict[str, Any], problem: str
) -> None:
    before = len(client.get(f"{BASE}/jobs", params={"limit": 10000}).json()["jobs"])
    response = execute(client, body)
    assert response.status_code == 400
    error = response.json()
    assert error["type"] == EXCEPTION + "invalid-parameter-value" and error["status"] == 400
    assert any(p.startswith(problem) for p in error["problems"]), error["problems"]
    assert len(client.get(f"{BASE}/jobs", params={"limit": 10000}).json()["jobs"]) == before


def test_an_edit_outside_the_town_fails_with_the_users_message(client: TestClient) -> None:
    outside = edits((640000, 5497000, 640100, 5497100), "unseal")
    response = execute(client, {"inputs": {"edits": outside}})
    assert response.status_code == 400
    error = response.json()
    assert error["type"] == EXCEPTION + "invalid-parameter-value"
    assert "lies outside the municipality" in error["description"]
    assert "Traceback" not in response.text


def test_a_broken_body_is_400(client: TestClient) -> None:
    response = client.post(
        f"{BASE}/processes/heat-scenario/execution",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert (
        response.status_code == 400
        and response.json()["description"] == "the execute request is not JSON"
    )


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("GET", "/processes/flood", "no-such-process"),
        ("POST", "/processes/flood/execution", "no-such-process"),
        ("GET", "/jobs/nope", "no-such-job"),
        ("GET", "/jobs/nope/results", "no-such-job"),
        ("DELETE", "/jobs/nope", "no-such-job"),
    ],
)
def test_unknown_processes_and_jobs_are_404(
    client: TestClient, method: str, path: str, kind: str
) -> None:
    response = client.request(method, BASE + path, json={"inputs": {}})
    assert response.status_code == 404
    assert response.json()["type"] == EXCEPTION + kind
    page = client.request(method, BASE + path, headers={"Accept": "text/html"})
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]


def test_an_unknown_municipality_is_404(client: TestClient) -> None:
    assert client.get("/atlantis/ogc/processes").status_code == 404
    assert client.get("/atlantis/ogc/jobs").status_code == 404


def test_a_dismissed_job_keeps_its_status_but_not_its_results(client: TestClient) -> None:
    body = {"inputs": {"edits": edits(PAVED_ALTSTADT, "plant_trees")}}
    created = execute(client, body, Prefer="respond-async")
    location = created.headers["Location"]
    assert finished(client, location)["status"] == "successful"
    dismissed = client.delete(location)
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    assert client.get(location).json()["status"] == "dismissed"
    gone = client.get(f"{location}/results")
    assert gone.status_code == 410
    assert gone.json()["type"] == EXCEPTION + "result-not-available"
    listed = client.get(f"{BASE}/jobs", params={"status": "dismissed"}).json()["jobs"]
    assert created.json()["jobID"] in {job["jobID"] for job in listed}


def test_the_second_identical_request_is_reused(client: TestClient) -> None:
    body = {"inputs": {"edits": edits(YARD_EAST, "unseal"), "cell_size": 8}, "response": "document"}
    timings, jobs = [], []
    for _ in range(2):
        start = time.perf_counter()
        created = execute(client, body, Prefer="respond-async")
        jobs.append(finished(client, created.headers["Location"]))
        timings.append(time.perf_counter() - start)
    first, second = jobs
    assert first["message"] == "done" and second["message"] == REUSED
    assert second["started"] == second["finished"] and first["started"] < first["finished"]
    assert timings[1] < timings[0] / 3, timings
    results = [client.get(f"{BASE}/jobs/{job['jobID']}/results").json() for job in jobs]
    assert results[0] == results[1]


@pytest.fixture
def waiting_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """A process ``wait`` that runs until the test lets it go (``gate.append(True)``)."""
    gate: list[bool] = []

    def wait(context: ProcessContext, inputs: dict[str, Any]) -> dict[str, Any]:
        deadline = time.monotonic() + 20
        while not gate and time.monotonic() < deadline:
            context.progress(10, "waiting")
            time.sleep(0.02)
        return {"out": 1}

    text = {"de": "Warten", "en": "Wait"}
    monkeypatch.setitem(
        PROCESSES,
        "wait",
        Process(
            "wait",
            "1",
            text,
            text,
            inputs={},
            outputs={"out": {"title": text, "description": text, "schema": {"type": "integer"}}},
            run=wait,
            deterministic=False,
        ),
    )
    yield gate
    gate.append(True)


def test_results_of_a_running_job_are_not_ready_and_it_can_be_dismissed(
    client: TestClient, waiting_process: list[bool]
) -> None:
    created = client.post(
        f"{BASE}/processes/wait/execution", json={}, headers={"Prefer": "respond-async"}
    )
    location = created.headers["Location"]
    deadline = time.monotonic() + 20
    while (job := client.get(location).json())["status"] != "running" or job[
        "message"
    ] != "waiting":
        assert job["status"] in {"accepted", "running"} and time.monotonic() < deadline
        time.sleep(0.02)  # the process reports "waiting" just after it starts running
    early = client.get(f"{location}/results")
    assert early.status_code == 404 and early.json()["type"] == EXCEPTION + "result-not-ready"
    assert client.delete(location).json()["status"] == "dismissed"
    waiting_process.append(True)
    time.sleep(0.2)
    assert client.get(location).json()["status"] == "dismissed"
    assert client.get(f"{location}/results").status_code == 410


def test_job_list_is_newest_first_with_limit_and_filters(client: TestClient) -> None:
    created = [
        execute(client, {"inputs": {"edits": PARK}}, Prefer="respond-async") for _ in range(2)
    ]
    ids = [response.json()["jobID"] for response in created]
    newest = client.get(f"{BASE}/jobs", params={"limit": 2}).json()
    for response in created:  # no job of this test outlives it
        finished(client, response.headers["Location"])
    assert [job["jobID"] for job in newest["jobs"]] == ids[::-1]
    assert {link["rel"] for link in newest["links"]} == {"self", "alternate"}
    successful = client.get(f"{BASE}/jobs", params={"status": "successful", "limit": 10000}).json()
    assert {job["status"] for job in successful["jobs"]} == {"successful"}
    only = client.get(f"{BASE}/jobs", params={"processID": "heat-scenario", "limit": 10000}).json()
    assert {job["processID"] for job in only["jobs"]} == {"heat-scenario"}
    assert client.get(f"{BASE}/jobs", params={"type": "coverage"}).json()["jobs"] == []
    assert client.get(f"{BASE}/jobs", params={"status": "lost"}).status_code == 400
    assert client.get(f"{BASE}/jobs", params={"limit": 0}).status_code == 400


def test_a_restarted_server_fails_the_jobs_it_left_running(viewer_workspace: Workspace) -> None:
    store = viewer_workspace.store("musterstadt")
    stamp = now()
    left = Job(
        id="left-running",
        process_id="heat-scenario",
        process_version="1.0.0",
        status="running",
        message="running",
        progress=40,
        created=stamp,
        updated=stamp,
        inputs={},
        cache_key="k",
        started=stamp,
    )
    store.add_job(left, actor="pytest")
    restarted = TestClient(create_app(viewer_workspace))
    status = restarted.get(f"{BASE}/jobs/left-running").json()
    assert (status["status"], status["message"]) == ("failed", RESTARTED)
    failure = restarted.get(f"{BASE}/jobs/left-running/results")
    assert failure.status_code == 500 and failure.json()["description"] == RESTARTED


def test_owslib_lists_and_executes_processes(live_server: str) -> None:
    api = Processes(f"{live_server}/musterstadt/ogc/")
    assert "heat-scenario" in {p["id"] for p in api.processes()}
    assert set(api.process("heat-scenario")["inputs"]) == {"edits", "cell_size"}
    result = api.execute("heat-scenario", inputs={"edits": PARK})
    assert districts(result)["Altstadt"]["mean_change_k"] < 0
