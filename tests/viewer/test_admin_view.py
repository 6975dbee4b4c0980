"""The administration view /{slug}/admin: who may open it, what it shows, and clicking through it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from sample_data import get_path
from scenarios.model import ScenarioBook
from tests.viewer._browser import ARTIFACTS, open_page
from tests.viewer.conftest import copy_workspace, role_tokens, serving
from tests.viewer.test_contributions import feature
from twin.accounts import add_user
from twin.config import Role
from twin.store._contributions import ContributionFilter, ContributionRecord
from twin.workspace import Workspace
from viewer.app import create_app

PAGE = "/musterstadt/admin"
PASSWORD = "verwaltung-am-marktplatz"
Headers = dict[str, str]


@pytest.fixture(scope="module")
def workspace(two_towns: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Our own copy with an admin user, an open alert, a draft and two pending contributions."""
    workspace = copy_workspace(two_towns, tmp_path_factory, "admin-view")
    store = workspace.store("musterstadt")
    add_user(store, "Anna Admin", Role.ADMIN, PASSWORD, actor="pytest")
    add_user(store, "Renate Rat", Role.COUNCIL, PASSWORD, actor="pytest")
    stream = next(d for d in store.datastreams() if d.key == "M02")
    store.open_alert(
        "Baum braucht Wasser",
        stream.id,
        observed_at="2025-07-28T23:00:00Z",
        value=8.0,
        message="Baum braucht Wasser / Tree needs water: M02 = 8 % (< 12 for ≥ 24 h)",
        actor="fusion",
    )
    client = TestClient(create_app(workspace))
    for title in (
        "Mehr Bänke am Markt",
        "Trinkbrunnen im Flusspark",
        "Schatten für den Spielplatz",
    ):
        assert client.post("/musterstadt/api/contributions", json=feature(title)).status_code == 201
    book = ScenarioBook(store, workspace.config("musterstadt"))
    book.create("gruener-markt", [], title="Grüner Marktplatz", actor="pytest")
    return workspace


@pytest.fixture(scope="module")
def tokens(workspace: Workspace) -> dict[str, Headers]:
    return role_tokens(workspace.store("musterstadt"))


@pytest.fixture(scope="module")
def client(workspace: Workspace) -> TestClient:
    return TestClient(create_app(workspace), follow_redirects=False)


def pending_contributions(workspace: Workspace) -> list[ContributionRecord]:
    query = ContributionFilter(visible=("pending",), states=("pending",))
    return workspace.store("musterstadt").contributions(query)[0]


def section_ids(html: str) -> set[str]:
    return set(re.findall(r'<section id="([a-z-]+)"', html))


OFFICE = {"layers", "sensors", "alerts", "moderation", "scenarios"}
ACCOUNTS = {"users", "tokens", "audit"}


def test_anonymous_visitors_are_sent_to_the_login(client: TestClient) -> None:
    answer = client.get(PAGE)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/musterstadt/login?next=/musterstadt/admin"


@pytest.mark.parametrize("role", ["participant", "council"])
def test_other_roles_are_refused(client: TestClient, tokens: dict[str, Headers], role: str) -> None:
    answer = client.get(PAGE, headers=tokens[role] | {"Accept": "text/html"})
    assert answer.status_code == 403
    assert "Diese Ansicht ist für Ihre Rolle nicht freigegeben." in answer.text


def test_the_administration_sees_everything_but_accounts_and_audit(
    client: TestClient, tokens: dict[str, Headers]
) -> None:
    answer = client.get(PAGE, headers=tokens["administration"])
    assert answer.status_code == 200
    assert section_ids(answer.text) == OFFICE
    assert 'href="#users"' not in answer.text and "new-user-name" not in answer.text


def test_an_admin_sees_users_tokens_and_the_audit_log(
    client: TestClient, tokens: dict[str, Headers]
) -> None:
    answer = client.get(PAGE, headers=tokens["admin"])
    assert answer.status_code == 200
    assert section_ids(answer.text) == OFFICE | ACCOUNTS
    assert "Anna Admin" in answer.text and "test administration" in answer.text


def test_the_page_shows_the_twin_and_its_actions(
    client: TestClient, workspace: Workspace, tokens: dict[str, Headers]
) -> None:
    html = client.get(PAGE, headers=tokens["admin"]).text
    store = workspace.store("musterstadt")
    alert = next(a for a in store.alerts() if a.state == "open")
    assert f'data-action="alert" data-id="{alert.id}"' in html
    assert 'value="acknowledged"' in html and "Quittieren" in html
    assert "Grünflächenamt" in html and "Gebäude (LoD1)" in html and "personenbezogen" in html
    assert "Lufttemperatur Marktplatz" in html  # sensor health
    assert "Mehr Bänke am Markt" in html and "Trinkbrunnen im Flusspark" in html
    for contribution in pending_contributions(workspace):
        assert f"/musterstadt/api/contributions/{contribution.id}/moderation" in html
    scenario = store.scenarios()
    for record in scenario:
        assert f'id="scenario-{record.id}"' in html
    english = client.get(f"{PAGE}?lang=en", headers=tokens["admin"]).text
    assert "Layer catalogue" in english and "Acknowledge" in english and 'lang="en"' in english


def test_the_audit_filter_works_without_script(
    client: TestClient, tokens: dict[str, Headers]
) -> None:
    html = client.get(f"{PAGE}?audit_action=add_user&audit_limit=50", headers=tokens["admin"]).text
    audit = html[html.index('<section id="audit"') :]
    actions = set(re.findall(r"<td><code>([a-z_]+)</code></td>", audit))
    assert actions == {"add_user"}
    assert client.get(f"{PAGE}?audit_limit=0", headers=tokens["admin"]).status_code == 422


class _Controls(HTMLParser):
    """Collect form controls and the ids that labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label" and found.get("for"):
            self.labelled.add(str(found["for"]))
        if tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.controls.append(found)


def test_every_control_has_a_label(client: TestClient, tokens: dict[str, Headers]) -> None:
    parser = _Controls()
    parser.feed(client.get(PAGE, headers=tokens["admin"]).text)
    assert parser.controls
    for control in parser.controls:
        named = control.get("aria-label") or control.get("aria-labelledby")
        assert named or control.get("id") in parser.labelled, control


def test_session_writes_need_the_csrf_token(client: TestClient, workspace: Workspace) -> None:
    browser = TestClient(create_app(workspace), follow_redirects=False)
    form = browser.get("/musterstadt/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    done = browser.post(
        "/musterstadt/login",
        data={"name": "Anna Admin", "password": PASSWORD, "csrf_token": token[1], "next": PAGE},
    )
    assert done.status_code == 303 and done.headers["location"] == PAGE
    page = browser.get(PAGE)
    assert page.status_code == 200
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert csrf
    body = {"name": "Skript", "role": "participant"}
    assert browser.post("/musterstadt/api/tokens", json=body).status_code == 403
    made = browser.post("/musterstadt/api/tokens", json=body, headers={"X-CSRF-Token": csrf[1]})
    assert made.status_code == 201 and made.json()["created_by"] == "Anna Admin"


# -- in a real browser --------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(workspace: Workspace) -> Iterator[str]:
    with serving(create_app(workspace)) as url:
        yield url


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    with open_page(browser, server, viewport={"width": 1280, "height": 900}) as page:
        yield page


def bad_districts(path: Path) -> Path:
    """The sample districts with OT1 collapsed to a line: rejected, so the upload is refused."""
    frame = gpd.read_file(get_path("musterstadt").parent / "musterstadt.gpkg", layer="districts")
    x, y = frame.geometry.iloc[0].centroid.coords[0]
    frame.loc[0, "geometry"] = shapely.Polygon([(x, y), (x + 10, y), (x + 20, y), (x, y)])
    frame.to_file(path, layer="districts")
    return path


@pytest.mark.browser
def test_an_admin_works_through_the_page(
    page: Page, server: str, workspace: Workspace, tmp_path: Path
) -> None:
    store = workspace.store("musterstadt")
    page.goto(f"{server}{PAGE}")
    assert "/musterstadt/login" in page.url
    page.fill("#login-name", "Anna Admin")
    page.fill("#login-password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}{PAGE}")
    page.wait_for_function("document.documentElement.dataset.adminReady === 'true'")
    status = page.locator("#admin-status")

    alert = next(a for a in store.alerts() if a.state == "open")
    row = page.locator(f"#alert-{alert.id}")
    row.locator("input[name=note]").fill("Gießdienst informiert")
    row.get_by_role("button", name="Quittieren").click()
    expect(status).to_have_text("Gespeichert.")
    assert next(a for a in store.alerts() if a.id == alert.id).state == "acknowledged"
    event = store.alert_history(alert.id)[-1]
    assert (event.state, event.actor, event.note) == (
        "acknowledged",
        "Anna Admin",
        "Gießdienst informiert",
    )
    expect(page.locator(f"#alert-{alert.id} .admin-state")).to_have_text("quittiert")
    expect(page.locator("#alerts-title")).to_be_focused()

    pending = {c.title: c.id for c in pending_contributions(workspace)}
    first, second = pending["Mehr Bänke am Markt"], pending["Trinkbrunnen im Flusspark"]
    # by keyboard: focus the approve button and press Enter
    page.locator(f"#contribution-{first}").get_by_role("button", name="Freigeben").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#contribution-{first}")).to_have_count(0)
    approved = store.contribution(first)
    assert approved is not None
    assert (approved.state, approved.moderated_by) == ("approved", "Anna Admin")

    # hiding needs a reason: the page says so and sends nothing
    item = page.locator(f"#contribution-{second}")
    item.get_by_role("button", name="Verbergen").click()
    expect(page.locator("#admin-error")).to_have_text(
        "Zum Verbergen bitte eine Begründung angeben."
    )
    reason = item.locator("input[name=reason]")
    expect(reason).to_be_focused()
    assert store.contribution(second).state == "pending"  # type: ignore[union-attr]
    reason.fill("Doppelt eingereicht")
    item.get_by_role("button", name="Verbergen").click()
    expect(page.locator(f"#contribution-{second}")).to_have_count(0)
    hidden = store.contribution(second)
    assert hidden is not None and (hidden.state, hidden.reason) == ("hidden", "Doppelt eingereicht")

    # the scenario lifecycle, through the scenario API
    scenario = page.locator("#scenario-gruener-markt")
    expect(scenario.get_by_role("button")).to_have_text(["In die Beratung geben", "Archivieren"])
    scenario.locator("input[name=note]").fill("Für den Bauausschuss")
    scenario.get_by_role("button", name="In die Beratung geben").click()
    expect(page.locator("#scenario-gruener-markt .admin-state")).to_have_text("in Beratung")
    assert store.scenario("gruener-markt").status == "under_deliberation"
    moved = store.scenario_history("gruener-markt")[-1]
    assert (moved.actor, moved.note) == ("Anna Admin", "Für den Bauausschuss")

    # a refused upload shows its report and changes nothing
    before = store.layer("districts")
    page.select_option("#upload-layer", "districts")
    page.set_input_files("#upload-file", str(bad_districts(tmp_path / "Ortsteile.gpkg")))
    page.click("form[data-action=upload] button[type=submit]")
    report = page.locator("#upload-report")
    expect(report).to_contain_text("Nicht importiert")
    expect(report.locator("tbody tr")).to_have_count(1)
    expect(report).to_contain_text("OT1")
    assert store.layer("districts") == before

    # a token is shown once
    page.fill("#new-token-name", "Messnetz-Skript")
    page.select_option("#new-token-role", "administration")
    page.click("form[data-action=create-token] button[type=submit]")
    token = page.locator("#new-token-value")
    expect(token).to_have_value(re.compile(r"^twin_"))
    expect(token).to_be_focused()
    assert "Messnetz-Skript" in page.locator("[data-region=tokens]").inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # sticky parts where they belong
    page.screenshot(path=str(ARTIFACTS / "admin.png"), full_page=True)
