"""Every endpoint × every role × two municipalities: the status each caller gets.

The expectations are written out per route from the issue's policy, not derived from
:mod:`twin.access`, so that a change of policy or a route that forgets to ask fails
here. A route without a row fails too (:func:`test_every_route_has_a_row`).

Callers are the anonymous citizen and a token of each role of Musterstadt, plus a token
of each role of Testort used on Musterstadt's URLs: those must never read or write
anything of Musterstadt (401, or exactly what an anonymous caller gets on the few routes
that never look at a token). Resources the caller may not see answer like missing ones
(404), and resources of Testort named on Musterstadt's URLs are missing there.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import shapely
from fastapi.testclient import TestClient
from starlette.routing import Mount

from scenarios.model import ScenarioBook
from tests.viewer.conftest import copy_workspace, role_tokens
from tests.viewer.test_citizen_view import PUBLISHED, SLUG, publish_sample_plan
from tests.viewer.test_contributions import feature, wgs84
from twin.accounts import add_user
from twin.config import Role
from twin.workspace import Workspace
from viewer.app import create_app

ROLES = ["anonymous", "participant", "council", "administration", "admin"]
OTHER = "testort"
Expect = dict[str, int]


def each(status: int) -> Expect:
    """Everyone gets ``status``."""
    return dict.fromkeys(ROLES, status)


def office(status: int) -> Expect:
    """The administration's work (``require_editor``): 401 anonymous, 403 other roles."""
    return {"anonymous": 401, "participant": 403, "council": 403} | dict.fromkeys(
        ("administration", "admin"), status
    )


def admin_only(status: int) -> Expect:
    """Accounts, tokens and the audit log: the admin role alone."""
    return {r: 403 for r in ROLES} | {"anonymous": 401, "admin": status}


def shown_to(status: int, *roles: str) -> Expect:
    """``roles`` get ``status``; for everyone else the resource does not exist (404)."""
    return {r: status if r in roles else 404 for r in ROLES}


def participants(status: int) -> Expect:
    """Taking part (submit, comment, vote): citizens and participants, not the offices."""
    return {r: 403 for r in ROLES} | {"anonymous": status, "participant": status}


def view(*roles: str) -> Expect:
    """An HTML view: ``roles`` open it, anonymous visitors go to the login, others get 403."""
    return {r: 200 if r in roles else 403 for r in ROLES} | {"anonymous": 303}


COUNCIL_UP = ("council", "administration", "admin")
OFFICES = ("administration", "admin")


@dataclass
class Row:
    """One request to a route and what each caller gets."""

    route: str
    method: str
    path: str | Callable[[], str]
    expect: Expect
    body: Callable[[], dict[str, Any]] | None = None
    files: Callable[[], dict[str, Any]] | None = None
    #: Testort's tokens: None for 401; "anonymous" where the route never reads a token
    cross: str | None = None
    params: dict[str, str] = field(default_factory=dict)

    def url(self) -> str:
        return self.path() if callable(self.path) else self.path


@dataclass
class World:
    """The two towns with something of every kind in Musterstadt, and ids of Testort's."""

    workspace: Workspace
    tokens: dict[str, dict[str, str]]
    other_tokens: dict[str, dict[str, str]]
    ids: dict[str, Any]


def _scenarios(workspace: Workspace) -> None:
    publish_sample_plan(workspace)  # PUBLISHED, "entwurf" (draft), "beraten" (deliberation)
    mine = ScenarioBook(workspace.store(SLUG), workspace.config(SLUG))
    plan = mine.load(PUBLISHED).edits
    for hidden in ("entwurf", "beraten"):  # with edits, so that they have maps
        mine.save(hidden, plan, actor="pytest", message="wie der Bebauungsplan")
    book = ScenarioBook(workspace.store(OTHER), workspace.config(OTHER))
    book.create("nur-testort", [], title="Nur in Testort", actor="pytest")
    book.move("nur-testort", "under_deliberation", actor="pytest")
    book.move("nur-testort", "published", actor="pytest")


TESTORT_POINT = (600150.0, 5500150.0)  # inside Testort (EPSG:25832)


def _contribution(client: TestClient, slug: str, admin: dict[str, str], state: str) -> int:
    body = feature(f"Vorschlag {state}")
    if slug == OTHER:
        body["geometry"] = wgs84(shapely.Point(TESTORT_POINT))
    made = client.post(f"/{slug}/api/contributions", json=body)
    assert made.status_code == 201, made.text
    cid = int(made.json()["id"])
    if state != "pending":
        body = {"state": state, "reason": "Test"}
        answer = client.post(
            f"/{slug}/api/contributions/{cid}/moderation", json=body, headers=admin
        )
        assert answer.status_code == 200, answer.text
    return cid


@pytest.fixture(scope="module")
def world(two_towns: Workspace, tmp_path_factory: pytest.TempPathFactory) -> World:
    workspace = copy_workspace(two_towns, tmp_path_factory, "access-matrix")
    _scenarios(workspace)
    store = workspace.store(SLUG)
    tokens, other_tokens = role_tokens(store), role_tokens(workspace.store(OTHER))
    add_user(store, "sachbearbeiter", Role.ADMINISTRATION, "ein-langes-passwort", actor="pytest")
    client = TestClient(create_app(workspace))
    admin = tokens["admin"]
    ids: dict[str, Any] = {
        "approved": _contribution(client, SLUG, admin, "approved"),
        "pending": _contribution(client, SLUG, admin, "pending"),
    }
    # Testort has more contributions than Musterstadt: its last id is unknown there
    ids["other_contribution"] = max(
        _contribution(client, OTHER, other_tokens["admin"], "approved") for _ in range(4)
    )
    comment = client.post(
        f"/{SLUG}/api/contributions/{ids['approved']}/comments", json={"text": "Gute Idee"}
    )
    assert comment.status_code == 201, comment.text
    ids["comment"] = comment.json()["id"]
    for layer in ("trees", "sensitive_sites", "street_works", "tree_sponsors"):
        items = client.get(
            f"/{SLUG}/ogc/collections/{layer}/items", params={"limit": 1}, headers=admin
        )
        ids[layer] = items.json()["features"][0]["id"]
    stream = next(d for d in store.datastreams() if d.classification == "public")
    ids["datastream"] = stream.id
    ids["alert"] = store.open_alert(
        "Baum braucht Wasser",
        stream.id,
        observed_at="2025-07-28T23:00:00Z",
        value=9.5,
        message="Test",
        actor="fusion",
    )
    job = client.post(
        f"/{SLUG}/ogc/processes/landuse-indicators/execution",
        json={"inputs": {"scenario": PUBLISHED}},
        headers=admin | {"Prefer": "respond-async"},
    )
    assert job.status_code == 201, job.text
    ids["job"] = job.json()["jobID"]
    return World(workspace, tokens, other_tokens, ids)


_fresh = itertools.count(1)


def _new_job(world: World) -> Callable[[], str]:
    """A new job of the admin's for each call (dismissing one removes it)."""

    def path() -> str:
        client = TestClient(create_app(world.workspace))
        made = client.post(
            f"/{SLUG}/ogc/processes/landuse-indicators/execution",
            json={"inputs": {"scenario": PUBLISHED}},
            headers=world.tokens["admin"] | {"Prefer": "respond-async"},
        )
        return f"/{SLUG}/ogc/jobs/{made.json()['jobID']}"

    return path


def rows(world: World) -> list[Row]:
    """Every route with the requests that show its policy."""
    ids, s = world.ids, f"/{SLUG}"
    a, c = ids["approved"], ids["pending"]
    layer_rows = []
    for name, readers in {
        "trees": ROLES,
        "sensitive_sites": COUNCIL_UP,
        "street_works": OFFICES,
        "tree_sponsors": OFFICES,
    }.items():
        layer_rows += [
            Row("ogc_collection", "GET", f"{s}/ogc/collections/{name}", shown_to(200, *readers)),
            Row(
                "ogc_items",
                "GET",
                f"{s}/ogc/collections/{name}/items",
                shown_to(200, *readers),
                params={"limit": "2"},
            ),
            Row(
                "ogc_feature",
                "GET",
                f"{s}/ogc/collections/{name}/items/{ids[name]}",
                shown_to(200, *readers),
            ),
        ]
    scenario_rows = []
    for ref, readers in {PUBLISHED: ROLES, "beraten": COUNCIL_UP, "entwurf": OFFICES}.items():
        shown = shown_to(200, *readers)
        scenario_rows += [
            Row("get_scenario", "GET", f"{s}/api/scenarios/{ref}", shown),
            Row(
                "diff_scenarios",
                "GET",
                f"{s}/api/scenarios/{ref}/diff",
                shown,
                params={"other": PUBLISHED},
            ),
            Row("indicators", "GET", f"{s}/api/scenarios/{ref}/indicators", shown),
            Row(
                "scenario_png",
                "GET",
                f"{s}/api/scenarios/{ref}/render.png",
                shown,
                params={"width": "320", "height": "200"},
            ),
            Row("scenario_glb", "GET", f"{s}/api/scenarios/{ref}/render.glb", shown),
            Row("brief_html", "GET", f"{s}/api/scenarios/{ref}/brief.html", shown),
            Row("brief_pdf", "GET", f"{s}/api/scenarios/{ref}/brief.pdf", shown),
            Row("scenario_map", "GET", f"{s}/api/scenarios/{ref}/maps/changes.png", shown),
        ]
    fresh = lambda prefix: f"{prefix}-{next(_fresh)}"  # noqa: E731
    return [
        Row("openapi", "GET", "/openapi.json", each(200), cross="anonymous"),
        Row("swagger_ui_html", "GET", "/docs", each(200), cross="anonymous"),
        Row("swagger_ui_redirect", "GET", "/docs/oauth2-redirect", each(200), cross="anonymous"),
        Row("redoc_html", "GET", "/redoc", each(200), cross="anonymous"),
        Row("portal", "GET", "/", each(200), cross="anonymous"),
        Row("citizen_view", "GET", f"{s}/", each(200)),
        Row("table_view", "GET", f"{s}/table", each(200)),
        Row("council_view", "GET", f"{s}/council", view(*COUNCIL_UP)),
        Row("council_heat", "GET", f"{s}/council/heat", view(*COUNCIL_UP)),
        Row("admin_view", "GET", f"{s}/admin", view(*OFFICES)),
        Row("login_page", "GET", f"{s}/login", each(200), cross="anonymous"),
        Row(
            "login",
            "POST",
            f"{s}/login",
            each(403),
            cross="anonymous",
            body=lambda: {"name": "sachbearbeiter", "password": "ein-langes-passwort"},
        ),
        Row("logout", "POST", f"{s}/logout", each(303)),
        Row("ogc_landing", "GET", f"{s}/ogc/", each(200)),
        Row("ogc_conformance", "GET", f"{s}/ogc/conformance", each(200)),
        Row("ogc_collections", "GET", f"{s}/ogc/collections", each(200)),
        *layer_rows,
        Row("ogc_processes", "GET", f"{s}/ogc/processes", each(200)),
        Row("ogc_process", "GET", f"{s}/ogc/processes/landuse-indicators", each(200)),
        Row(
            "ogc_execute",
            "POST",
            f"{s}/ogc/processes/landuse-indicators/execution",
            # a scenario the caller may not see is an unknown input, as in the next test
            {r: 200 if r in OFFICES else 400 for r in ROLES},
            body=lambda: {"inputs": {"scenario": "entwurf"}},
        ),
        Row("ogc_jobs", "GET", f"{s}/ogc/jobs", each(200)),
        Row("ogc_job", "GET", f"{s}/ogc/jobs/{ids['job']}", shown_to(200, *OFFICES)),
        Row(
            "ogc_job_results", "GET", f"{s}/ogc/jobs/{ids['job']}/results", shown_to(200, *OFFICES)
        ),
        Row("ogc_dismiss", "DELETE", _new_job(world), shown_to(200, *OFFICES)),
        Row("list_scenarios", "GET", f"{s}/api/scenarios", each(200)),
        Row(
            "create_scenario",
            "POST",
            f"{s}/api/scenarios",
            office(201),
            body=lambda: {"id": fresh("neu"), "title": "Neu"},
        ),
        *scenario_rows,
        Row("get_scenario", "GET", f"{s}/api/scenarios/nur-testort", each(404)),
        Row(
            "save_version",
            "POST",
            f"{s}/api/scenarios/entwurf/versions",
            office(201),  # refused for the action, whether the scenario exists or not
            body=lambda: {
                "edits": {"type": "FeatureCollection", "features": []},
                "message": "leer",
            },
        ),
        Row(
            "change_status",
            "POST",
            f"{s}/api/scenarios/{PUBLISHED}/status",
            office(400),  # published → published is no move
            body=lambda: {"status": "published", "note": "noch einmal"},
        ),
        Row("list_contributions", "GET", f"{s}/api/contributions", each(200)),
        Row("categories", "GET", f"{s}/api/contributions/categories", each(200)),
        Row("events", "GET", f"{s}/api/contributions/events", each(200)),
        Row("export", "GET", f"{s}/api/contributions/export", office(200)),
        Row("get_contribution", "GET", f"{s}/api/contributions/{a}", each(200)),
        Row("get_contribution", "GET", f"{s}/api/contributions/{c}", shown_to(200, *OFFICES)),
        Row(
            "get_contribution",
            "GET",
            f"{s}/api/contributions/{ids['other_contribution']}",
            each(404),
        ),
        Row(
            "create_contribution",
            "POST",
            f"{s}/api/contributions",
            participants(201),
            body=lambda: feature("Noch ein Vorschlag"),
        ),
        Row(
            "add_comment",
            "POST",
            f"{s}/api/contributions/{a}/comments",
            participants(201),
            body=lambda: {"text": "Dafür"},
        ),
        Row(
            "vote",
            "PUT",
            f"{s}/api/contributions/{a}/vote",
            participants(200),
            body=lambda: {"value": 1},
        ),
        Row("withdraw_vote", "DELETE", f"{s}/api/contributions/{a}/vote", participants(200)),
        Row(
            "moderate",
            "POST",
            f"{s}/api/contributions/{c}/moderation",
            office(200),
            body=lambda: {"state": "hidden", "reason": "Test"},
        ),
        Row(
            "moderate_comment",
            "POST",
            f"{s}/api/contributions/{a}/comments/{ids['comment']}/moderation",
            office(200),
            body=lambda: {"state": "approved", "reason": ""},
        ),
        Row(
            "base_png",
            "GET",
            f"{s}/api/render.png",
            each(200),
            params={"width": "320", "height": "200"},
        ),
        Row("base_glb", "GET", f"{s}/api/render.glb", each(200)),
        Row("list_alerts", "GET", f"{s}/api/alerts", office(200)),
        Row("get_alert", "GET", f"{s}/api/alerts/{ids['alert']}", office(200)),
        Row(
            "change_alert",
            "POST",
            f"{s}/api/alerts/{ids['alert']}/state",
            office(200) | {"admin": 400},  # the administration has acknowledged it already
            body=lambda: {"state": "acknowledged", "note": "gesehen"},
        ),
        Row("sensors_health", "GET", f"{s}/api/sensors/health", office(200)),
        Row("list_layers", "GET", f"{s}/api/layers", office(200)),
        Row(
            "upload_layer",
            "POST",
            f"{s}/api/layers/trees/upload",
            office(422),
            files=lambda: {"file": ("trees.geojson", io.BytesIO(b"{not json"), "application/json")},
        ),
        Row("list_users", "GET", f"{s}/api/users", admin_only(200)),
        Row(
            "create_user",
            "POST",
            f"{s}/api/users",
            admin_only(201),
            body=lambda: {
                "name": fresh("person"),
                "role": "council",
                "password": "ein-langes-passwort",
            },
        ),
        Row("disable_user", "POST", f"{s}/api/users/{fresh('niemand')}/disable", admin_only(404)),
        Row(
            "change_password",
            "POST",
            f"{s}/api/users/sachbearbeiter/password",
            admin_only(200),
            body=lambda: {"password": "ein-anderes-passwort"},
        ),
        Row("list_tokens", "GET", f"{s}/api/tokens", admin_only(200)),
        Row(
            "new_token",
            "POST",
            f"{s}/api/tokens",
            admin_only(201),
            body=lambda: {"name": fresh("schluessel"), "role": "council"},
        ),
        Row("revoke_token", "POST", f"{s}/api/tokens/999999/revoke", admin_only(404)),
        Row("audit", "GET", f"{s}/api/audit", admin_only(200)),
        Row("service_root", "GET", f"{s}/sta/v1.1/", each(200)),
        Row("resource", "GET", f"{s}/sta/v1.1/Datastreams({ids['datastream']})", each(200)),
        Row(
            "create",
            "POST",
            f"{s}/sta/v1.1/Things",
            office(201),
            body=lambda: {"name": fresh("Messstelle"), "description": "Test"},
        ),
        Row(
            "update",
            "PATCH",
            f"{s}/sta/v1.1/Datastreams({ids['datastream']})",
            office(200),
            body=lambda: {"description": "geprüft"},
        ),
        Row("delete", "DELETE", f"{s}/sta/v1.1/Things(999999)", office(404)),
        Row(
            "create_observations",
            "POST",
            f"{s}/sta/v1.1/CreateObservations",
            office(201),
            body=lambda: [
                {
                    "Datastream": {"@iot.id": ids["datastream"]},
                    "components": ["phenomenonTime", "result"],
                    "dataArray": [["2020-01-01T00:00:00Z", 1.0]],
                }
            ],
        ),
    ]


def route_names(routes: list[Any]) -> Iterator[str]:
    """Names of all routes, through included routers (not the static files mount)."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from route_names(route.original_router.routes)
        elif isinstance(route, Mount):
            continue
        else:
            yield route.name


def test_every_route_has_a_row(world: World) -> None:
    app = create_app(world.workspace)
    assert set(route_names(app.routes)) == {row.route for row in rows(world)}


def _call(client: TestClient, row: Row, headers: dict[str, str]) -> int:
    client.cookies.clear()
    kwargs: dict[str, Any] = {"headers": headers, "params": row.params, "follow_redirects": False}
    if row.body is not None:
        kwargs["json"] = row.body()
    if row.files is not None:
        kwargs["files"] = row.files()
    return client.request(row.method, row.url(), **kwargs).status_code


def test_every_endpoint_for_every_role_of_both_towns(world: World) -> None:
    client = TestClient(create_app(world.workspace))
    wrong: list[str] = []
    for row in rows(world):
        for role in ROLES:
            got = _call(client, row, world.tokens[role])
            if got != row.expect[role]:
                wrong.append(
                    f"{row.method} {row.url()} as {role}: {got}, expected {row.expect[role]}"
                )
        for role in ROLES[1:]:  # Testort's tokens on Musterstadt's URLs
            expected = 401 if row.cross is None else row.expect[row.cross]
            got = _call(client, row, world.other_tokens[role])
            if got != expected:
                wrong.append(
                    f"{row.method} {row.url()} as {OTHER}'s {role}: {got}, expected {expected}"
                )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("hidden", "missing"),
    [
        ("/api/scenarios/entwurf", "/api/scenarios/gibt-es-nicht"),
        ("/api/scenarios/entwurf/brief.pdf", "/api/scenarios/gibt-es-nicht/brief.pdf"),
        ("/api/contributions/{pending}", "/api/contributions/999999"),
        ("/ogc/collections/street_works", "/ogc/collections/gibt-es-nicht"),
        ("/ogc/collections/street_works/items", "/ogc/collections/gibt-es-nicht/items"),
        ("/ogc/jobs/{job}", "/ogc/jobs/gibt-es-nicht"),
    ],
)
def test_forbidden_looks_exactly_like_missing(world: World, hidden: str, missing: str) -> None:
    client = TestClient(create_app(world.workspace))
    hidden = hidden.format(**world.ids)
    one, other = client.get(f"/{SLUG}{hidden}"), client.get(f"/{SLUG}{missing}")
    assert one.status_code == other.status_code == 404
    name, unknown = hidden.split("/")[-1], missing.split("/")[-1]
    if name in ("items", "brief.pdf"):
        name, unknown = hidden.split("/")[-2], missing.split("/")[-2]
    assert one.json() == {
        k: v.replace(unknown, name) if isinstance(v, str) else v for k, v in other.json().items()
    }


def test_a_hidden_scenario_is_an_unknown_process_input(world: World) -> None:
    client = TestClient(create_app(world.workspace))
    url = f"/{SLUG}/ogc/processes/landuse-indicators/execution"
    one = client.post(url, json={"inputs": {"scenario": "entwurf"}})
    other = client.post(url, json={"inputs": {"scenario": "gibt-es-nicht"}})
    assert one.status_code == other.status_code == 400
    assert one.text == other.text.replace("gibt-es-nicht", "entwurf")
