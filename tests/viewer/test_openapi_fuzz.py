"""Schemathesis fuzzes every operation of the OpenAPI description: no request gets a 5xx.

The schema is the app's own ``/openapi.json``, fetched over ASGI. Each operation gets
generated requests, valid and invalid ones, from an anonymous caller and from an admin of
Musterstadt (so that the authorised code paths are reached too), sent to an app over a
private copy of the two towns, since the fuzzer writes. Path parameters are mostly real
(Musterstadt, its collections and features, the processes, a scenario, a contribution and
its comment, a job, a user, a token), so that requests get past the first lookup; the
generated value still comes through now and then.

The run is bounded and repeatable: Hypothesis is derandomized, the fuzzing phase makes
at most ``MAX_EXAMPLES`` cases per operation and caller (``TWIN_FUZZ_EXAMPLES=200`` for a
deeper run), and the coverage phase adds its fixed boundary and type-confusion cases.

No operation is left out. The expensive ones stay cheap by themselves: generated process
inputs never pass the processes' JSON Schemas (the heat model needs a real GeoJSON
FeatureCollection of edits), and renders and briefs are of the one small scenario. Only
"no 5xx" is checked: the description declares 200 and 422 only, while the API answers
400, 401, 403 and 404 by design (OGC exceptions), so status-code and content-type
conformance would fail for nearly every operation.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.meta import TestPhase

from scenarios.processes import PROCESSES
from tests.viewer.conftest import copy_workspace, role_tokens
from tests.viewer.test_contributions import feature
from tests.viewer.test_processes import PAVED_ALTSTADT, edits
from twin.workspace import Workspace
from viewer.app import create_app

SLUG = "musterstadt"
SCENARIO = "fuzz"
USER = "fuzzer"
MAX_EXAMPLES = int(os.environ.get("TWIN_FUZZ_EXAMPLES", "25"))
"""Fuzzing cases per operation and caller; raise it for a deeper (slower) run."""
FEATURES = {"districts": "OT1", "landuse": "N0001", "trees": "B00001", "streets": "S001"}
COLLECTIONS = [*FEATURES, "buildings", "sensitive_sites", "street_works", "tree_sponsors"]
TOO_LARGE = 2**63  # one more than the largest id SQLite can look up

KNOWN: dict[str, list[Any]] = {
    "slug": [SLUG, SLUG, SLUG, "testort"],
    "collectionId": COLLECTIONS,
    "processId": sorted(PROCESSES),
    "ref": [SCENARIO, f"{SCENARIO}@1"],
    "scenario_id": [SCENARIO],
    "name": [*COLLECTIONS, USER],
    "kind": ["heat", "changes"],
    "alert_id": [1, TOO_LARGE],
    "path": [
        "Things",
        "Datastreams",
        "Observations",
        "Things(1)",
        "Datastreams(1)/Observations",
        "Observations(1)",
        f"Things({TOO_LARGE})",
    ],
}
"""Real values of the path parameters; the fixture ``app`` adds the ids of what it makes
(``contribution_id``, ``comment_id``, ``jobId``, ``token_id``)."""

OWN_TOKENS: set[int] = set()
"""Ids of the tokens this test calls with (filled by ``app``): the fuzzer must not revoke them."""

# Valid and invalid data, derandomized, no example database; no stateful phase (chains
# of calls along OpenAPI links: the description declares none).
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "deterministic": True, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
    }
)

# The OpenAPI description does not depend on the workspace, so it is read at collection
# time from an app over an empty one; the requests go to the app of the fixture ``app``.
# (schemathesis.pytest.from_fixture, which loads it in a fixture, fails on pytest 9.2:
# it sets the removed Item._nodeid.)
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Workspace(Path("/nonexistent/workspace"))), config=CONFIG
)


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    """Mostly real values of the path parameters, sometimes the generated ones."""
    drawn = {
        name: st.sampled_from([*KNOWN.get(name, []), value])
        for name, value in path_parameters.items()
    }
    if "featureId" in path_parameters:  # a feature of its own collection, mostly
        pairs = [*FEATURES.items(), (path_parameters["collectionId"], path_parameters["featureId"])]
        drawn |= {"collectionId": st.just(""), "featureId": st.just("")}
        return st.tuples(st.fixed_dictionaries(drawn), st.sampled_from(pairs)).map(
            lambda both: both[0] | dict(zip(("collectionId", "featureId"), both[1], strict=True))
        )
    return st.fixed_dictionaries(drawn)


def real_path_parameters(case: Any) -> None:
    """Give a coverage case real path parameters, unless it is about a path parameter.

    The coverage phase does not go through the hooks; its cases vary the query or the
    body, which only matters if the path leads somewhere. Which real value a case gets
    depends on the case, so that the cases spread over the collections.
    """
    meta = case.meta
    if meta is None or meta.phase.name != TestPhase.COVERAGE:
        return
    if getattr(meta.phase.data, "parameter_location", None) == "path":
        return
    pick = zlib.crc32(repr((case.query, case.body)).encode())
    real = {
        name: (SLUG if name == "slug" else known[pick % len(known)])
        for name, value in case.path_parameters.items()
        for known in [KNOWN.get(name) or [value]]
    }
    if "featureId" in real:
        real["collectionId"], real["featureId"] = list(FEATURES.items())[pick % len(FEATURES)]
    case.path_parameters = real


@pytest.fixture(scope="module")
def workspace(two_towns: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return copy_workspace(two_towns, tmp_path_factory, "openapi-fuzz")


@pytest.fixture(scope="module")
def tokens(workspace: Workspace) -> dict[str, dict[str, str]]:
    return role_tokens(workspace.store(SLUG))


@pytest.fixture(scope="module")
def app(workspace: Workspace, tokens: dict[str, dict[str, str]]) -> FastAPI:
    """The app over the private copy, with a scenario, contribution, comment, job, user and token."""
    app = create_app(workspace)
    app.state.sta_publisher = None  # SensorThings writes publish on no MQTT broker
    client = TestClient(app)
    admin, participant = tokens["admin"], tokens["participant"]
    api = f"/{SLUG}/api"

    def made(method: str, url: str, body: dict[str, Any] | None, **headers: str) -> Any:
        answer = client.request(method, url, json=body, headers=headers)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    made(
        "POST",
        f"{api}/scenarios",
        {"id": SCENARIO, "title": "Fuzz", "edits": edits(PAVED_ALTSTADT, "unseal")},
        **admin,
    )
    contribution = made("POST", f"{api}/contributions", feature(), **participant)["id"]
    made("POST", f"{api}/contributions/{contribution}/moderation", {"state": "approved"}, **admin)
    comment = made(
        "POST", f"{api}/contributions/{contribution}/comments", {"text": "Gut"}, **participant
    )["id"]
    job = made(
        "POST",
        f"/{SLUG}/ogc/processes/landuse-indicators/execution",
        {"inputs": {"scenario": SCENARIO}, "response": "document"},
        **admin,
        Prefer="respond-async",
    )["jobID"]
    made("POST", f"{api}/users", {"name": USER, "role": "council", "password": "x" * 12}, **admin)
    victim = made("POST", f"{api}/tokens", {"name": "victim", "role": "council"}, **admin)["id"]
    OWN_TOKENS.update(t["id"] for t in made("GET", f"{api}/tokens", None, **admin)["tokens"])
    OWN_TOKENS.discard(victim)
    KNOWN.update(
        contribution_id=[contribution, TOO_LARGE],
        comment_id=[comment, TOO_LARGE],
        jobId=[job],
        token_id=[victim, TOO_LARGE],
    )
    for name, fid in FEATURES.items():
        found = client.get(f"/{SLUG}/ogc/collections/{name}/items/{fid}?f=json", headers=admin)
        assert found.status_code == 200, found.text
    return app


@schema.parametrize()
@pytest.mark.parametrize("role", ["anonymous", "admin"])
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
)
def test_no_request_makes_the_server_fail(
    case: Any, role: str, app: FastAPI, tokens: dict[str, dict[str, str]]
) -> None:
    real_path_parameters(case)
    if case.path_parameters.get("token_id") in OWN_TOKENS:
        # revoking the tokens of this test would turn the rest of the run into 401s
        case.path_parameters = case.path_parameters | {"token_id": KNOWN["token_id"][0]}
    response = case.call(app=app, headers=tokens[role])
    case.validate_response(response, checks=[not_a_server_error])
