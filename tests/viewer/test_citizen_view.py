"""The citizen view and the touch table on the server: what each role's page holds.

Both pages show public layers only, whoever asks (a view is a policy of its own); the
citizen view lists published scenarios and never drafts; the table takes its event and
reset time from the query and checks them.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sample_data import get_path
from scenarios.model import ScenarioBook
from scenarios.plans import read_plan
from tests.viewer.conftest import copy_workspace, page_config, role_tokens
from twin.config import Classification
from twin.fusion import LIVE_LAYER, refresh_live_layer
from twin.workspace import Workspace
from viewer import bundle_assets, templating
from viewer.app import create_app
from viewer.views.table import RESET_DEFAULT_S, table_event

SLUG = "musterstadt"
PUBLISHED = "am-muehlbach"
EVENT = "werkstatt-muehlbach"
ROLES = ["anonymous", "participant", "council", "administration", "admin"]


def publish_sample_plan(workspace: Workspace) -> None:
    """Give the twin the sample Bebauungsplan as a published scenario, plus unpublished ones.

    ``entwurf`` stays a draft, ``beraten`` is under deliberation: citizens see neither.
    """
    store, config = workspace.store(SLUG), workspace.config(SLUG)
    book = ScenarioBook(store, config)
    plan, edits = read_plan(
        get_path(SLUG).parent / "plans" / "bplan_am_muehlbach.gml",
        crs=book.crs,
        boundary=book.boundary,
    )
    book.create(PUBLISHED, edits, title=f"{plan.name} ({plan.number})", actor="pytest")
    for status in ("under_deliberation", "published"):
        book.move(PUBLISHED, status, actor="pytest")
    book.create("entwurf", [], title="Entwurf Parkhaus", actor="pytest")
    book.create("beraten", [], title="Beratung Marktplatz", actor="pytest")
    book.move("beraten", "under_deliberation", actor="pytest")


@pytest.fixture(scope="module")
def workspace(two_towns: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Musterstadt with layers of every classification, the live layer and three scenarios."""
    workspace = copy_workspace(two_towns, tmp_path_factory, "citizen-view")
    refresh_live_layer(workspace.store(SLUG), actor="pytest")
    publish_sample_plan(workspace)
    return workspace


@pytest.fixture(scope="module")
def tokens(workspace: Workspace) -> dict[str, dict[str, str]]:
    return role_tokens(workspace.store(SLUG))


@pytest.fixture(scope="module")
def client(workspace: Workspace) -> TestClient:
    return TestClient(create_app(workspace))


def public_layers(workspace: Workspace) -> set[str]:
    return {
        entry.name
        for entry in workspace.store(SLUG).layers()
        if entry.storage == "vector" and entry.classification == Classification.PUBLIC
    }


@pytest.mark.parametrize("role", ROLES)
def test_citizen_view_holds_public_layers_only_for_every_role(
    client: TestClient, workspace: Workspace, tokens, role: str
) -> None:
    response = client.get(f"/{SLUG}/", headers=tokens[role])
    assert response.status_code == 200
    config = page_config(response.text)
    layers = {layer["id"] for layer in config["layers"]}
    assert layers == public_layers(workspace) - {LIVE_LAYER}, "the sensor markers show it"
    assert not layers & {"street_works", "tree_sponsors", "sensitive_sites"}
    participation = config["participation"]
    assert participation["may_participate"] == (role in ("anonymous", "participant"))
    assert ('id="contribution-form"' in response.text) == participation["may_participate"]
    assert {c["id"] for c in participation["categories"]} >= {"green", "river"}
    citizen = config["citizen"]
    assert citizen["sta"].endswith(f"/{SLUG}/sta/v1.1/")
    assert client.get(f"{citizen['sta']}Datastreams", headers=tokens[role]).status_code == 200
    assert config["indicators"]["sealed_ha"]["better"] == "lower"
    assert citizen["area_types"]["WA"]["landuse"] == "residential"


def test_live_layer_stays_an_ogc_collection(client: TestClient) -> None:
    ids = {c["id"] for c in client.get(f"/{SLUG}/ogc/collections?f=json").json()["collections"]}
    assert LIVE_LAYER in ids


@pytest.mark.parametrize("role", ["anonymous", "participant"])
def test_citizens_see_published_scenarios_and_never_drafts(
    client: TestClient, tokens, role: str
) -> None:
    config = page_config(client.get(f"/{SLUG}/", headers=tokens[role]).text)
    api = config["citizen"]["scenarios"]
    listed = {s["id"] for s in client.get(api, headers=tokens[role]).json()["scenarios"]}
    assert listed == {PUBLISHED}
    assert client.get(f"{api}/{PUBLISHED}/indicators", headers=tokens[role]).status_code == 200
    for hidden in ("entwurf", "beraten"):
        assert client.get(f"{api}/{hidden}", headers=tokens[role]).status_code == 404


def test_every_text_the_pages_switch_is_in_both_languages(client: TestClient) -> None:
    for url in (f"/{SLUG}/", f"/{SLUG}/table?event={EVENT}"):
        html = client.get(url).text
        config = page_config(html)
        keys = set(re.findall(r'data-text(?:-label)?="([a-z_0-9]+)"', html))
        assert keys, url
        for lang in ("de", "en"):
            assert keys <= set(config["texts"][lang]), (url, keys - set(config["texts"][lang]))


def test_citizen_view_in_english(client: TestClient) -> None:
    html = client.get(f"/{SLUG}/?lang=en").text
    assert '<html lang="en">' in html
    assert "Take part" in html and "Published scenarios" in html
    assert 'role="tablist"' in html and 'role="slider"' in html


@pytest.mark.parametrize("role", ROLES)
def test_table_opens_for_everyone_with_public_layers_and_no_views_bar(
    client: TestClient, workspace: Workspace, tokens, role: str
) -> None:
    response = client.get(f"/{SLUG}/table", headers=tokens[role])
    assert response.status_code == 200
    config = page_config(response.text)
    assert {layer["id"] for layer in config["layers"]} == public_layers(workspace) - {LIVE_LAYER}
    assert "views-bar" not in response.text, "a kiosk leads nowhere else"
    assert config["table"]["reset_s"] == RESET_DEFAULT_S
    assert config["table"]["processes"]["heat"].endswith(
        f"/{SLUG}/ogc/processes/heat-scenario/execution"
    )


def test_table_takes_event_and_reset_from_the_query(client: TestClient) -> None:
    response = client.get(f"/{SLUG}/table", params={"event": EVENT, "reset": "3"})
    config = page_config(response.text)
    assert config["participation"]["event"]["id"] == EVENT
    assert config["table"]["reset_s"] == 3
    assert "Planungswerkstatt Am Mühlbach" in response.text
    assert 'data-action="send" disabled' not in response.text
    without = client.get(f"/{SLUG}/table").text
    assert page_config(without)["participation"]["event"] is None
    assert 'data-action="send" disabled' in without and "?event=" in without


@pytest.mark.parametrize(
    ("query", "named"), [({"event": "sommerfest"}, EVENT), ({"reset": "2"}, "reset")]
)
def test_table_refuses_an_unknown_event_or_reset(
    client: TestClient, query: dict[str, str], named: str
) -> None:
    response = client.get(f"/{SLUG}/table", params=query, headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert named in response.text


def test_table_picks_the_event_of_the_day(workspace: Workspace) -> None:
    participation = workspace.config(SLUG).participation
    assert table_event(participation, None, today=datetime.date(2025, 3, 15)).id == EVENT
    assert table_event(participation, None, today=datetime.date(2025, 3, 16)) is None
    assert table_event(participation, EVENT).id == EVENT


def test_pages_load_only_local_scripts(client: TestClient) -> None:
    if not templating.maplibre_available():
        pytest.skip(f"front-end assets not bundled; run `{bundle_assets.COMMAND}`")
    for url in (f"/{SLUG}/", f"/{SLUG}/table"):
        scripts = re.findall(r'<script src="([^"]+)"', client.get(url).text)
        assert len(scripts) > 3
        assert all(src.startswith("http://testserver/static/") for src in scripts)
        for src in scripts:
            assert client.get(src).status_code == 200, src
    static = Path(templating.__file__).parent / "static"
    for script in static.glob("*.js"):
        assert "https://" not in script.read_text(encoding="utf-8"), script.name
