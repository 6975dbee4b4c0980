"""The scenario JSON API with tokens: who sees which scenario, who may write, and the lifecycle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import shapely
from fastapi.testclient import TestClient

from tests.viewer.conftest import copy_workspace, role_tokens
from tests.viewer.test_processes import PAVED_ALTSTADT, edits
from twin.access import create_token
from twin.config import Role
from twin.workspace import Workspace
from viewer.app import create_app

API = "/musterstadt/api/scenarios"
TWIN = str(Path(sys.executable).parent / "twin")


@pytest.fixture(scope="module")
def workspace(imported_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return copy_workspace(imported_workspace, tmp_path_factory, "scenario-api")


@pytest.fixture(scope="module")
def tokens(workspace: Workspace) -> dict[str, dict[str, str]]:
    return role_tokens(workspace.store("musterstadt"))


@pytest.fixture(scope="module")
def client(workspace: Workspace) -> TestClient:
    return TestClient(create_app(workspace))


def test_the_administration_drafts_versions_and_moves_a_scenario(
    client: TestClient, tokens
) -> None:
    admin = tokens["administration"]
    body = {"id": "park", "title": "Park am Markt", "edits": edits(PAVED_ALTSTADT, "unseal")}
    created = client.post(API, json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "draft" and created.json()["author"] == "test administration"
    feature = created.json()["edits"]["features"][0]
    assert feature["properties"]["edit"] == "unseal"
    assert shapely.geometry.shape(feature["geometry"]).bounds[0] == pytest.approx(
        10.85, abs=0.01
    )  # WGS 84
    saved = client.post(
        f"{API}/park/versions",
        json={"edits": edits(PAVED_ALTSTADT, "unseal", "plant_trees"), "message": "Bäume"},
        headers=admin,
    )
    assert saved.status_code == 201 and saved.json()["version"] == 2
    changes = client.get(f"{API}/park@1/diff", params={"other": "park@2"}, headers=admin).json()[
        "changes"
    ]
    assert [c["change"] for c in changes] == ["added"] and "plant_trees" in changes[0]["summary"]
    numbers = client.get(f"{API}/park/indicators", headers=admin).json()
    assert numbers["change"]["sealed_ha"] < 0 and numbers["change"]["trees"] > 0
    moved = client.post(
        f"{API}/park/status",
        json={"status": "under_deliberation", "note": "Ausschuss"},
        headers=admin,
    )
    assert moved.status_code == 200 and moved.json()["status"] == "under_deliberation"
    refused = client.post(f"{API}/park/status", json={"status": "draft_x"}, headers=admin)
    assert refused.status_code == 400 and "not a scenario status" in refused.text
    whole = client.get(f"{API}/park", headers=admin).json()
    assert [v["message"] for v in whole["versions"]] == ["created", "Bäume"]
    assert [h["status"] for h in whole["history"]] == ["draft", "under_deliberation"]


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", {"offen"}),
        ("participant", {"offen"}),
        ("council", {"offen", "beraten"}),
        ("administration", {"offen", "beraten", "entwurf"}),
        ("admin", {"offen", "beraten", "entwurf"}),
    ],
)
def test_each_role_sees_the_statuses_it_may(
    client: TestClient, tokens, role: str, sees: set[str]
) -> None:
    admin = tokens["administration"]
    for name, moves in (
        ("entwurf", []),
        ("beraten", ["under_deliberation"]),
        ("offen", ["under_deliberation", "published"]),
    ):
        if client.get(f"{API}/{name}", headers=admin).status_code == 404:
            client.post(API, json={"id": name, "title": name}, headers=admin)
            for status in moves:
                client.post(f"{API}/{name}/status", json={"status": status}, headers=admin)
    listed = {s["id"] for s in client.get(API, headers=tokens[role]).json()["scenarios"]}
    assert listed & {"entwurf", "beraten", "offen"} == sees
    hidden = {"entwurf", "beraten", "offen"} - sees
    for name in hidden:  # exactly like a missing one
        response = client.get(f"{API}/{name}", headers=tokens[role])
        missing = client.get(f"{API}/gibt-es-nicht", headers=tokens[role])
        assert response.status_code == missing.status_code == 404
        assert response.json()["code"] == missing.json()["code"]


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 401), ("participant", 403), ("council", 403)]
)
def test_only_the_administration_writes(client: TestClient, tokens, role: str, status: int) -> None:
    response = client.post(API, json={"id": f"versuch-{role}"}, headers=tokens[role])
    assert response.status_code == status, response.text
    if status == 401:
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_bad_tokens_and_other_municipalities_tokens_are_refused(
    client: TestClient, workspace: Workspace
) -> None:
    assert client.get(API, headers={"Authorization": "Bearer twin_nonsense"}).status_code == 401
    assert client.get(API, headers={"Authorization": "Basic abc"}).status_code == 401
    store = workspace.store("musterstadt")
    token_id, token = create_token(store, "weg", Role.ADMIN, actor="pytest")
    assert client.get(API, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    store.revoke_token(token_id, actor="pytest")
    assert client.get(API, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert all(len(t.name) and t.role for t in store.tokens())
    assert token not in (workspace.folder("musterstadt") / "twin.gpkg").read_bytes().decode(
        "latin-1"
    )


def test_bad_edits_are_422_and_store_nothing(client: TestClient, tokens) -> None:
    bad = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"edit": "designate", "use": "WA", "grz": 3},
                "geometry": edits(PAVED_ALTSTADT, "unseal")["features"][0]["geometry"],
            }
        ],
    }
    response = client.post(API, json={"id": "kaputt", "edits": bad}, headers=tokens["admin"])
    assert response.status_code == 422 and "grz = 3 is outside" in response.text
    assert client.get(f"{API}/kaputt", headers=tokens["admin"]).status_code == 404


def test_token_cli_prints_the_token_on_its_last_line(
    workspace: Workspace, client: TestClient
) -> None:
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "200", "TWIN_WORKSPACE": str(workspace.root)}
    done = subprocess.run(
        [TWIN, "token", "create", "musterstadt", "--role", "council", "--name", "Rat"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    assert token.startswith("twin_")
    assert client.get(API, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listed = subprocess.run(
        [TWIN, "token", "list", "musterstadt"], capture_output=True, text=True, env=env, timeout=120
    )
    assert "Rat" in listed.stdout and token not in listed.stdout
