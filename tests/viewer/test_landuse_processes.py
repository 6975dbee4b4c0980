"""The land-use processes of OGC API - Processes: indicators of edits or stored scenarios, comparison."""

from __future__ import annotations

import pytest
import shapely
from fastapi.testclient import TestClient

from scenarios.edits import Edit
from scenarios.landuse import landuse_twin
from scenarios.model import ScenarioBook
from scenarios.runner import REUSED
from tests.viewer.conftest import copy_workspace
from tests.viewer.test_processes import PAVED_ALTSTADT, edits
from twin.access import create_token
from twin.config import Role
from twin.workspace import Workspace
from viewer.app import create_app

BASE = "/musterstadt/ogc/processes"


@pytest.fixture(scope="module")
def workspace(imported_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return copy_workspace(imported_workspace, tmp_path_factory, "landuse-processes")


@pytest.fixture(scope="module")
def book(workspace: Workspace) -> ScenarioBook:
    book = ScenarioBook(workspace.store("musterstadt"), workspace.config("musterstadt"))
    park = Edit("designate", shapely.box(*PAVED_ALTSTADT), use="green", label="Park")
    housing = Edit(
        "designate", shapely.box(632400, 5497300, 632500, 5497400), use="WA", grz=0.5, gfz=1.0
    )
    book.create("park", [park], title="Park", actor="anna")
    book.create("wohnen", [housing], title="Wohnen", actor="anna")
    return book


@pytest.fixture(scope="module")
def client(workspace: Workspace, book: ScenarioBook) -> TestClient:
    """A client that asks as the administration (the scenarios are drafts)."""
    _, token = create_token(book.store, "Stadtplanungsamt", Role.ADMINISTRATION, actor="pytest")
    return TestClient(create_app(workspace), headers={"Authorization": f"Bearer {token}"})


def run(client: TestClient, process: str, inputs: dict, **headers: str) -> dict:
    response = client.post(
        f"{BASE}/{process}/execution",
        json={"inputs": inputs, "response": "document"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


def by_name(rows: list[dict]) -> dict[str, dict]:
    return {row["indicator"]: row for row in rows}


def test_both_processes_are_described(client: TestClient) -> None:
    ids = {p["id"] for p in client.get(BASE).json()["processes"]}
    assert {"heat-scenario", "landuse-indicators", "scenario-comparison"} <= ids
    description = client.get(f"{BASE}/landuse-indicators").json()
    assert set(description["inputs"]) == {"edits", "scenario"}
    assert set(description["outputs"]) == {"indicators", "district_changes", "designations"}


def test_indicators_of_inline_edits_equal_the_library(
    client: TestClient, book: ScenarioBook
) -> None:
    document = run(client, "landuse-indicators", {"edits": edits(PAVED_ALTSTADT, "unseal")})
    rows = by_name(document["indicators"])
    base = landuse_twin(book.store, book.config).base.total
    assert rows["residents"]["base"] == pytest.approx(base["residents"])
    assert rows["sealed_ha"]["change"] < 0 and rows["suv_ha"]["change"] == pytest.approx(
        0, abs=1e-9
    )
    assert rows["residents"]["label"] == {"de": "Einwohner", "en": "Residents"}


def test_indicators_of_a_stored_scenario_with_section_17(
    client: TestClient, book: ScenarioBook
) -> None:
    document = run(client, "landuse-indicators", {"scenario": "wohnen"})
    rows = by_name(document["indicators"])
    assert rows["floor_area_m2"]["change"] == pytest.approx(1e4, rel=1e-6)  # 1 ha at GFZ 1.0
    (check,) = document["designations"]
    assert check["area_type"] == "WA" and check["findings"][0]["severity"] == "warning"
    assert any(row["floor_area_m2"] for row in document["district_changes"])


def test_a_new_version_is_not_answered_from_the_old_cache(
    client: TestClient, book: ScenarioBook
) -> None:
    first = run(client, "landuse-indicators", {"scenario": "park"})
    again = client.post(
        f"{BASE}/landuse-indicators/execution",
        json={"inputs": {"scenario": "park"}, "response": "document"},
        headers={"Prefer": "respond-async"},
    )
    job = client.get(again.headers["Location"]).json()
    assert job["message"] == REUSED
    book.save("park", [], actor="anna", message="leer")
    emptied = by_name(run(client, "landuse-indicators", {"scenario": "park"})["indicators"])
    assert emptied["green_ha"]["change"] == 0
    assert by_name(first["indicators"])["green_ha"]["change"] > 0


def test_comparison_with_lights(client: TestClient) -> None:
    rows = by_name(
        run(client, "scenario-comparison", {"scenarios": ["wohnen", "park@1"]})["comparison"]
    )
    land_take = rows["land_take_ha"]["scenarios"]
    assert land_take["wohnen@1"]["value"] == pytest.approx(1.0, rel=1e-6)
    assert land_take["park@1"]["value"] == pytest.approx(0, abs=1e-9)
    assert rows["green_per_resident_m2"]["scenarios"]["park@1"]["light"] == "green"
    assert rows["residents"]["scenarios"]["wohnen@1"]["light"] is None


@pytest.mark.parametrize(
    ("inputs", "problem"),
    [
        ({"scenarios": ["fehlt"]}, "no scenario 'fehlt'"),
        ({"scenarios": ["Not An Id"]}, "does not match"),
        ({"scenarios": []}, "should be non-empty"),
    ],
)
def test_bad_comparison_inputs_are_400(client: TestClient, inputs: dict, problem: str) -> None:
    response = client.post(f"{BASE}/scenario-comparison/execution", json={"inputs": inputs})
    assert response.status_code == 400 and problem in response.text, response.text


def test_edits_and_scenario_together_are_refused(client: TestClient) -> None:
    both = {"edits": edits(PAVED_ALTSTADT, "unseal"), "scenario": "park"}
    response = client.post(
        f"{BASE}/landuse-indicators/execution", json={"inputs": both, "response": "document"}
    )
    assert response.status_code == 400 and "either `edits` or `scenario`" in response.text


def test_drafts_are_only_for_those_who_may_see_them(client: TestClient, book: ScenarioBook) -> None:
    anonymous = TestClient(client.app)
    refused = anonymous.post(
        f"{BASE}/landuse-indicators/execution", json={"inputs": {"scenario": "wohnen"}}
    )
    assert refused.status_code == 400 and "no scenario 'wohnen'" in refused.text
    book.create("beraten", [], title="Im Ausschuss", actor="anna")
    book.move("beraten", "under_deliberation", actor="anna")
    _, token = create_token(book.store, "Ratsmitglied", Role.COUNCIL, actor="pytest")
    council = TestClient(client.app, headers={"Authorization": f"Bearer {token}"})
    assert run(council, "scenario-comparison", {"scenarios": ["beraten"]})["comparison"]
    refused = council.post(
        f"{BASE}/scenario-comparison/execution", json={"inputs": {"scenarios": ["wohnen"]}}
    )
    assert refused.status_code == 400  # a draft: not for the council
    started = council.post(
        f"{BASE}/scenario-comparison/execution",
        json={"inputs": {"scenarios": ["beraten"]}},
        headers={"Prefer": "respond-async"},
    )
    job = started.headers["Location"]
    assert council.get(job).status_code == 200
    assert anonymous.get(job).status_code == 404  # the council's job is theirs
    assert anonymous.get(f"{job}/results").status_code == 404
    assert anonymous.delete(job).status_code == 404
    listed = {j["jobID"] for j in anonymous.get("/musterstadt/ogc/jobs").json()["jobs"]}
    assert job.rsplit("/", 1)[-1] not in listed
    assert client.get(job).status_code == 200  # the administration sees every job
