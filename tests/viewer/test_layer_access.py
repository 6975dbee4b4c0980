"""Layers by classification: who sees which collection, hidden ones look missing, personal reads are audited."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.viewer.conftest import copy_workspace, role_tokens
from twin.access import CLASSIFICATIONS, create_token
from twin.config import Classification, Role
from twin.workspace import Workspace
from viewer.app import create_app

OGC = "/musterstadt/ogc"
LAYER_CLASS = {
    "districts": "public",
    "landuse": "public",
    "buildings": "public",
    "trees": "public",
    "streets": "public",
    "sensitive_sites": "council",
    "street_works": "internal",
    "tree_sponsors": "personal",
}
EXPECTED = {
    "anonymous": {"public"},
    "participant": {"public"},
    "council": {"public", "council"},
    "administration": {"public", "council", "internal", "personal"},
    "admin": {"public", "council", "internal", "personal"},
}
"""Written out by hand from the issue's policy, so that a change of the policy table fails here."""


@pytest.fixture(scope="module")
def towns(two_towns: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A copy of our own: tokens and audited reads stay in this module."""
    return copy_workspace(two_towns, tmp_path_factory, "layer-access")


@pytest.fixture(scope="module")
def client(towns: Workspace) -> TestClient:
    return TestClient(create_app(towns))


@pytest.fixture(scope="module")
def tokens(towns: Workspace) -> dict[str, dict[str, str]]:
    return role_tokens(towns.store("musterstadt"))


def test_policy_table_matches_the_issue() -> None:
    by_role = {
        (role.value if role else "anonymous"): {c.value for c in classes}
        for role, classes in CLASSIFICATIONS.items()
    }
    assert by_role == EXPECTED


@pytest.mark.parametrize("role", list(EXPECTED))
def test_collections_listed_by_role(
    client: TestClient, tokens: dict[str, dict[str, str]], role: str
) -> None:
    body = client.get(f"{OGC}/collections?f=json", headers=tokens[role]).json()
    listed = {c["id"] for c in body["collections"]}
    assert listed == {name for name, cls in LAYER_CLASS.items() if cls in EXPECTED[role]}


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("layer", ["sensitive_sites", "street_works", "tree_sponsors"])
def test_hidden_layer_answers_like_a_missing_one(
    client: TestClient, tokens: dict[str, dict[str, str]], role: str, layer: str
) -> None:
    visible = LAYER_CLASS[layer] in EXPECTED[role]
    for path in (f"/collections/{layer}", f"/collections/{layer}/items?limit=1"):
        answer = client.get(
            f"{OGC}{path}?f=json" if "?" not in path else f"{OGC}{path}&f=json",
            headers=tokens[role],
        )
        missing = client.get(
            f"{OGC}{path.replace(layer, 'no_such_layer')}",
            headers=tokens[role] | {"Accept": "application/json"},
        )
        if visible:
            assert answer.status_code == 200
        else:
            assert answer.status_code == missing.status_code == 404
            assert answer.json()["description"].replace(layer, "X") == missing.json()[
                "description"
            ].replace("no_such_layer", "X")


def test_personal_reads_are_audited_with_the_reader(client: TestClient, towns: Workspace) -> None:
    store = towns.store("musterstadt")
    _, token = create_token(store, "Sachbearbeiterin Grün", Role.ADMINISTRATION, actor="pytest")
    header = {"Authorization": f"Bearer {token}"}

    def personal_reads() -> list[tuple[str, str]]:
        return [
            (r.actor, r.target) for r in store.audit_log(limit=1000) if r.action == "read_personal"
        ]

    before = personal_reads()
    client.get(f"{OGC}/collections/trees/items?limit=2&f=json", headers=header).raise_for_status()
    assert personal_reads() == before, "public reads are not audited"
    page = client.get(f"{OGC}/collections/tree_sponsors/items?limit=2&f=json", headers=header)
    page.raise_for_status()
    one = page.json()["features"][0]["id"]
    client.get(
        f"{OGC}/collections/tree_sponsors/items/{one}?f=json", headers=header
    ).raise_for_status()
    new = personal_reads()[: len(personal_reads()) - len(before)]
    assert new == [
        ("Sachbearbeiterin Grün", f"tree_sponsors {one}"),
        ("Sachbearbeiterin Grün", "tree_sponsors items"),
    ]


def test_a_token_of_another_municipality_is_refused(client: TestClient, towns: Workspace) -> None:
    _, foreign = create_token(towns.store("testort"), "Testort Amt", Role.ADMIN, actor="pytest")
    answer = client.get(f"{OGC}/collections?f=json", headers={"Authorization": f"Bearer {foreign}"})
    assert answer.status_code == 401


def test_the_citizen_map_shows_public_layers_only_even_to_the_administration(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    page = client.get("/musterstadt/", headers=tokens["admin"]).text
    for layer, cls in LAYER_CLASS.items():
        assert (f"/collections/{layer}/items" in page) == (cls == Classification.PUBLIC.value), (
            layer
        )
