"""The council view and its documents: who may open it, what it shows, and that it adds up.

Musterstadt gets two scenarios under deliberation (one with two versions by two authors),
a published one, a draft and an archived one. The page must show exactly the first
three (the published one only as context), its numbers must be those of
:func:`scenarios.compare.compare`, and drafts must not leak, not even their names.
"""

from __future__ import annotations

import io
import math
import re
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import shapely
from fastapi.testclient import TestClient
from lxml import html as lxml_html
from playwright.sync_api import Browser
from pypdf import PdfReader

from scenarios.compare import HEAT_INDICATORS, Comparison, compare
from scenarios.edits import Edit
from scenarios.landuse import INDICATORS, cached_landuse_twin
from scenarios.model import ScenarioBook, Status
from tests.viewer._browser import ARTIFACTS, open_page
from tests.viewer.conftest import copy_workspace, role_tokens, serving
from tests.viewer.test_processes import PAVED_ALTSTADT, YARD_EAST
from twin.access import ANONYMOUS
from twin.workspace import Workspace
from viewer.api.scenario_documents import DOCUMENTS_FOLDER, heat_model
from viewer.api.scenarios import Caller
from viewer.app import create_app
from viewer.texts import TEXTS
from viewer.views import council

PAGE = "/musterstadt/council"
API = "/musterstadt/api/scenarios"
DRAFT_ID, DRAFT_TITLE = "nordwiese-entwurf", "Geheimer Entwurf Nordwiese"
ARCHIVED_ID, ARCHIVED_TITLE = "altes-gewerbe", "Verworfenes Gewerbegebiet"
DELIBERATED = ("park", "wohnen")
PUBLISHED = "hof-ost"
HOUSING = shapely.box(632400, 5497300, 632500, 5497400)
Tokens = dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def workspace(imported_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = copy_workspace(imported_workspace, tmp_path_factory, "council-view")
    book = ScenarioBook(workspace.store("musterstadt"), workspace.config("musterstadt"))
    park = [
        Edit("designate", shapely.box(*PAVED_ALTSTADT), use="green", label="Park am Markt"),
        Edit("plant_trees", shapely.box(*PAVED_ALTSTADT).buffer(-10), label="Bäume"),
    ]
    book.create("park", park, title="Park statt Parkplatz", actor="Anna Amt")
    housing = Edit("designate", HOUSING, use="WA", grz=0.5, gfz=1.0, label="WA Nord")
    book.create("wohnen", [housing], title="Wohnen am Nordrand", actor="Anna Amt")
    denser = Edit("designate", HOUSING, use="WA", grz=0.4, gfz=1.2, storeys=3, label="WA Nord")
    book.save("wohnen", [denser], actor="Bernd Bau", message="dichter, GRZ eingehalten")
    yard = Edit("unseal", shapely.box(*YARD_EAST), label="Hof entsiegeln")
    book.create(PUBLISHED, [yard], title="Entsiegelung Hof Ost", actor="Anna Amt")
    for scenario_id in (*DELIBERATED, PUBLISHED):
        book.move(scenario_id, "under_deliberation", actor="Anna Amt")
    book.move(PUBLISHED, "published", actor="Anna Amt", note="Ratsbeschluss")
    book.create(DRAFT_ID, [housing], title=DRAFT_TITLE, actor="Anna Amt")
    book.create(ARCHIVED_ID, [yard], title=ARCHIVED_TITLE, actor="Anna Amt")
    book.move(ARCHIVED_ID, "archived", actor="Anna Amt")
    return workspace


@pytest.fixture(scope="module")
def book(workspace: Workspace) -> ScenarioBook:
    return ScenarioBook(workspace.store("musterstadt"), workspace.config("musterstadt"))


@pytest.fixture(scope="module")
def tokens(workspace: Workspace) -> Tokens:
    return role_tokens(workspace.store("musterstadt"))


@pytest.fixture(scope="module")
def client(workspace: Workspace) -> TestClient:
    return TestClient(create_app(workspace))


def page_of(client: TestClient, headers: dict[str, str], **params: str) -> lxml_html.HtmlElement:
    response = client.get(PAGE, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return lxml_html.fromstring(response.text)


def compared_refs(page: lxml_html.HtmlElement) -> list[str]:
    """The scenario versions in the table's columns, in order."""
    first = page.xpath("//table[@id='indicator-table']//tr[@data-indicator][1]")[0]
    return [td.get("data-ref") for td in first.xpath("td[@data-kind='value']")]


def number(text: str) -> float:
    """A German number as shown ("−1.234,5") as a float."""
    return float(text.strip().replace("−", "-").replace(".", "").replace(",", "."))


def expected(book: ScenarioBook, refs: list[str], *, heat: bool = False) -> Comparison:
    landuse = cached_landuse_twin(book.store, book.config)
    model = heat_model(Caller(book, ANONYMOUS)) if heat else None
    scenarios = [book.load(ref) for ref in refs]
    return compare(landuse, scenarios, targets=book.config.landuse.targets, heat=model)


# -- access ------------------------------------------------------------------------------


def test_anonymous_callers_are_sent_to_the_login(client: TestClient) -> None:
    response = client.get(PAGE, params={"ids": "park"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/musterstadt/login?next={quote(PAGE + '?ids=park')}"


def test_participants_may_not_open_it(client: TestClient, tokens: Tokens) -> None:
    response = client.get(PAGE, headers=tokens["participant"])
    assert response.status_code == 403
    assert client.get(f"{PAGE}/heat", headers=tokens["participant"]).status_code == 403


@pytest.mark.parametrize("role", ["council", "administration", "admin"])
def test_the_council_and_the_administration_see_what_is_before_the_council(
    client: TestClient, tokens: Tokens, role: str
) -> None:
    response = client.get(PAGE, headers=tokens[role])
    assert response.status_code == 200
    page = lxml_html.fromstring(response.text)
    offered = page.xpath("//form[contains(@class, 'council-chooser')]//input[@type='checkbox']")
    assert [box.get("value") for box in offered] == [*DELIBERATED, PUBLISHED]
    assert [box.get("value") for box in offered if box.get("checked") is not None] == list(
        DELIBERATED
    )
    assert [ref.split("@")[0] for ref in compared_refs(page)] == list(DELIBERATED)
    for hidden in (DRAFT_ID, DRAFT_TITLE, ARCHIVED_ID, ARCHIVED_TITLE):
        assert hidden not in response.text
    assert page.xpath("//a[@aria-current='page']/@data-view") == ["council"]


def test_the_page_is_read_only(client: TestClient, tokens: Tokens) -> None:
    page = page_of(client, tokens["administration"])
    assert page.xpath("//form"), "the chooser is a form"
    assert {form.get("method").lower() for form in page.xpath("//form")} == {"get"}


def leaks(client: TestClient, tokens: Tokens, role: str) -> bool:
    """Whether the page, or the page asked for the draft by id, gives the draft away.

    Asked for the draft, it must answer exactly as for an id that does not exist (both
    are listed as ignored, with the id the caller gave).
    """
    default = client.get(PAGE, headers=tokens[role]).text
    draft = client.get(PAGE, params={"ids": DRAFT_ID}, headers=tokens[role]).text
    missing = client.get(PAGE, params={"ids": "gibt-es-nicht"}, headers=tokens[role]).text
    return (
        DRAFT_ID in default
        or DRAFT_TITLE in default + draft
        or draft.replace(DRAFT_ID, "gibt-es-nicht") != missing
    )


@pytest.mark.parametrize("role", ["council", "administration"])
def test_a_draft_asked_for_answers_like_a_missing_scenario(
    client: TestClient, tokens: Tokens, role: str
) -> None:
    assert not leaks(client, tokens, role)


def test_the_draft_check_would_catch_a_leak(
    client: TestClient, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mutation check: were drafts before the council, the test above would fail."""
    monkeypatch.setattr(council, "COUNCIL_STATUSES", (*council.COUNCIL_STATUSES, Status.DRAFT))
    assert leaks(client, tokens, "administration")


# -- what the page shows -----------------------------------------------------------------


def test_the_table_shows_the_comparison_of_the_library(
    client: TestClient, tokens: Tokens, book: ScenarioBook
) -> None:
    page = page_of(client, tokens["council"])
    refs = compared_refs(page)
    assert refs == ["park@1", "wohnen@2"]
    comparison = expected(book, refs)
    rows = {tr.get("data-indicator"): tr for tr in page.xpath("//tr[@data-indicator]")}
    assert set(rows) == set(INDICATORS) | set(HEAT_INDICATORS)
    texts = TEXTS["de"]
    for key, info in INDICATORS.items():
        row = rows[key]
        assert row.xpath("string(th)") == info.de
        base = row.xpath("td[@data-kind='base']")[0]
        if math.isfinite(comparison.base[key]):
            assert float(base.get("data-value")) == pytest.approx(comparison.base[key])
            assert number(base.text_content()) == round(comparison.base[key], info.digits)
        for ref in refs:
            value = row.xpath(f"td[@data-ref='{ref}'][@data-kind='value']")[0]
            change = row.xpath(f"td[@data-ref='{ref}'][@data-kind='change']")[0]
            want, delta = comparison.values.at[key, ref], comparison.changes.at[key, ref]
            if not math.isfinite(want):
                assert value.xpath("string(span[@class='number'])") == "–"
                continue
            assert float(value.get("data-value")) == pytest.approx(want)
            assert float(change.get("data-value")) == pytest.approx(delta)
            assert number(value.xpath("string(span[@class='number'])")) == round(want, info.digits)
            assert number(change.text_content()) == pytest.approx(round(delta, info.digits))
            light = comparison.lights.at[key, ref]
            shown = value.xpath("string(span[contains(@class, 'light')])").strip()
            assert shown == (texts[f"council_light_{light}"] if light else "")
    # the lights are said in words, with the targets behind them
    years = rows["land_take_years"].xpath("td[@data-kind='value']")
    assert all(cell.xpath("span[contains(@class, 'light')]") for cell in years)
    assert "gut bis 0,5" in page.xpath("string(//div[@class='lights-legend'])")
    # grouped: land take, sealing, housing, green, trees, heat
    groups = page.xpath("//table[@id='indicator-table']/tbody/@id")
    assert groups == [
        f"group-{g}" for g in ("land", "sealing", "housing", "green", "trees", "heat")
    ]


def test_heat_comes_after_the_page_and_equals_the_library(
    client: TestClient, tokens: Tokens, book: ScenarioBook
) -> None:
    page = page_of(client, tokens["council"])
    assert page.xpath("string(//tr[@data-indicator='t_air_mean_c']/td[@data-kind='base'])") == "…"
    heat_url = page.xpath("//table[@id='indicator-table']/@data-heat-url")[0]
    started = time.perf_counter()
    response = client.get(heat_url, headers=tokens["council"])
    seconds = time.perf_counter() - started
    assert response.status_code == 200, response.text
    comparison = expected(book, ["park@1", "wohnen@2"], heat=True)
    rows = {row["key"]: row for row in response.json()["rows"]}
    assert set(rows) == set(HEAT_INDICATORS)
    for key, row in rows.items():
        assert row["raw_base"] == pytest.approx(comparison.base[key])
        for cell in row["cells"]:
            assert cell["raw_value"] == pytest.approx(comparison.values.at[key, cell["ref"]])
            assert cell["raw_change"] == pytest.approx(comparison.changes.at[key, cell["ref"]])
    assert seconds < 30, seconds
    # without JavaScript, heat=1 computes them for the page itself
    served = page_of(client, tokens["council"], heat="1")
    cell = served.xpath("//tr[@data-indicator='t_air_mean_c']/td[@data-ref='park@1']")[0]
    assert float(cell.get("data-value")) == pytest.approx(
        comparison.values.at["t_air_mean_c", "park@1"]
    )
    assert not served.xpath("//table/@data-heat-url")


def test_ids_choose_the_scenarios_and_versions(client: TestClient, tokens: Tokens) -> None:
    only = page_of(client, tokens["council"], ids="wohnen")
    assert compared_refs(only) == ["wohnen@2"]
    older = page_of(client, tokens["council"], ids="wohnen@1,hof-ost")
    assert compared_refs(older) == ["wohnen@1", "hof-ost@1"]
    card = older.xpath("//article[@id='scenario-wohnen-v1']")[0].text_content()
    assert "neueste Fassung: 2" in card
    published = older.xpath("//article[@id='scenario-hof-ost-v1']//span[@class]/text()")
    assert TEXTS["de"]["council_status_published"] in published
    repeated = client.get(f"{PAGE}?ids=park&ids=hof-ost", headers=tokens["council"])
    assert compared_refs(lxml_html.fromstring(repeated.text)) == ["park@1", "hof-ost@1"]
    none = page_of(client, tokens["council"], ids="")  # the form with nothing ticked
    assert none.xpath("//p[@id='nothing-chosen']") and not none.xpath("//table")


def test_versions_authors_findings_and_pictures_are_shown(
    client: TestClient, tokens: Tokens
) -> None:
    page = page_of(client, tokens["council"], lang="en")
    card = page.xpath("//article[@id='scenario-wohnen-v2']")[0]
    text = " ".join(card.text_content().split())
    assert "Bernd Bau" in text and "Anna Amt" in text and "dichter, GRZ eingehalten" in text
    assert len(card.xpath(".//details[@class='versions']//li")) == 2
    findings = " ".join(page.xpath("string(//section[@aria-labelledby='findings-title'])").split())
    assert "General residential area (WA)" in findings
    assert "GFZ 1.2 cannot be reached" not in findings  # 0.4 × 3 storeys = 1.2 is buildable
    park = page.xpath("//article[@id='scenario-park-v1']")[0]
    links = park.xpath(".//ul[@class='downloads']//a/@href")
    assert f"{API}/park/brief.pdf?version=1&lang=en" in links
    assert f"{API}/park/brief.pdf?version=1&lang=de" in links
    images = page.xpath("//section[contains(@class, 'maps-section')]//img")
    sources = [img.get("src") for img in images]
    assert f"{API}/park/maps/changes.png?version=1&lang=en" in sources
    assert f"{API}/wohnen/maps/heat.png?version=2&lang=en" in sources
    assert f"{API}/park/render.png?version=1&lang=en" in sources
    assert all(img.get("alt") and img.get("loading") == "lazy" for img in images)
    assert all("missing" in img.get("onerror") for img in images)


# -- documents ---------------------------------------------------------------------------


def test_the_brief_is_a_pdf_with_the_title_and_the_indicators(
    client: TestClient, tokens: Tokens, workspace: Workspace
) -> None:
    response = client.get(f"{API}/wohnen/brief.pdf", headers=tokens["council"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        .replace("\xad", "")
        .split()
    )
    assert "Wohnen am Nordrand" in text
    for key in ("land_take_ha", "sealed_ha", "dwellings", "green_per_resident_m2"):
        assert INDICATORS[key].de in text
    assert response.headers["cache-control"] == "private, no-cache"
    etag = response.headers["etag"]
    again = client.get(
        f"{API}/wohnen/brief.pdf", headers=tokens["council"] | {"If-None-Match": etag}
    )
    assert again.status_code == 304
    cached = list((workspace.folder("musterstadt") / DOCUMENTS_FOLDER).glob("*/brief.pdf"))
    assert any(etag.strip('"').startswith(path.parent.name) for path in cached)


def test_the_html_brief_is_one_file_in_english(client: TestClient, tokens: Tokens) -> None:
    response = client.get(
        f"{API}/park/brief.html", params={"lang": "en", "version": 1}, headers=tokens["council"]
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Decision brief" in response.text and "Park statt Parkplatz" in response.text
    assert 'src="data:image/png;base64,' in response.text
    assert not re.search(r'src="[^"]+\.png"', response.text), "every map is inside the file"


def test_a_drafts_brief_is_only_for_the_administration(client: TestClient, tokens: Tokens) -> None:
    assert client.get(f"{API}/{DRAFT_ID}/brief.pdf", headers=tokens["council"]).status_code == 404
    assert client.get(f"{API}/{DRAFT_ID}/brief.pdf").status_code == 404
    response = client.get(f"{API}/{DRAFT_ID}/brief.pdf", headers=tokens["administration"])
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    gone = client.get(f"{API}/{DRAFT_ID}/maps/changes.png", headers=tokens["council"])
    assert gone.status_code == 404


@pytest.mark.parametrize("kind", ["changes", "heat"])
def test_maps_are_pngs(client: TestClient, tokens: Tokens, kind: str) -> None:
    response = client.get(f"{API}/park/maps/{kind}.png", headers=tokens["council"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert response.headers["etag"]


def test_unknown_maps_are_missing_and_published_ones_public(
    client: TestClient, tokens: Tokens
) -> None:
    assert client.get(f"{API}/park/maps/wind.png", headers=tokens["council"]).status_code == 404
    assert client.get(f"{API}/park/maps/changes.png").status_code == 404  # anonymous
    public = client.get(f"{API}/{PUBLISHED}/maps/changes.png")
    assert public.status_code == 200 and public.headers["cache-control"] == "public, no-cache"


# -- in a real browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def council_server(workspace: Workspace) -> Iterator[str]:
    from twin.accounts import add_user
    from twin.config import Role

    add_user(
        workspace.store("musterstadt"),
        "Renate Rat",
        Role.COUNCIL,
        "ratssitzung-im-mai-2024",
        actor="pytest",
    )
    with serving(create_app(workspace)) as url:
        yield url


@pytest.mark.browser
def test_a_council_member_logs_in_and_reads_the_comparison(
    browser: Browser, council_server: str
) -> None:
    server = council_server
    with open_page(browser, server, viewport={"width": 1280, "height": 900}) as page:
        page.goto(f"{server}{PAGE}")
        assert "/musterstadt/login" in page.url
        page.fill("#login-name", "Renate Rat")
        page.fill("#login-password", "ratssitzung-im-mai-2024")
        page.click("form.login-form button[type=submit]")
        page.wait_for_url(f"{server}{PAGE}")

        table = page.locator("#indicator-table")
        assert table.is_visible()
        assert page.locator("#indicator-table tr[data-indicator]").count() == len(INDICATORS) + 3
        page.wait_for_function(
            "['loaded', 'failed'].includes(document.getElementById('indicator-table').dataset.heat)",
            timeout=60_000,
        )
        assert table.get_attribute("data-heat") == "loaded"
        assert page.locator("#heat-status").inner_text() == TEXTS["de"]["council_heat_done"]
        base_heat = page.locator("tr[data-indicator='t_air_mean_c'] td[data-kind='base']")
        assert base_heat.inner_text() != "…"

        # keyboard: tabbing reaches the scenario chooser, then the brief downloads
        reached: list[str] = []
        for _ in range(40):
            page.keyboard.press("Tab")
            reached.append(
                page.evaluate(
                    "(() => { const e = document.activeElement;"
                    " return e.tagName + ' ' + (e.getAttribute('href') || e.value || ''); })()"
                )
            )
        assert any(item.startswith("INPUT park") for item in reached)
        assert any(item.startswith("A ") and "/brief.pdf?" in item for item in reached)
        assert page.locator("#council-print").is_visible()

        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_function(
            "[...document.querySelectorAll('.figures img')].every("
            "img => img.naturalWidth > 0 || img.closest('figure').classList.contains('missing'))",
            timeout=120_000,
        )
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "council.png"), full_page=True)

        page.emulate_media(media="print")
        assert not page.locator(".council-chooser").is_visible()
        assert not page.locator(".site-header").is_visible()
        assert table.is_visible()
