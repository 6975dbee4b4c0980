"""The citizen view in a real Chromium: sensors with charts, a scenario's before/after, taking part.

A copy of Musterstadt with a published scenario is served by uvicorn; Debian's Chromium
(software WebGL) opens it as citizens do. A contribution drawn and sent on the page is
stored pending, is invisible to others until the administration approves it through the
API, and then appears on everyone's map, where it takes votes and comments.
Screenshots are saved in tests/artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from tests.viewer._browser import (
    READY,
    Point,
    open_page,
    pixel_spread,
    require_assets,
    screenshot,
)
from tests.viewer.conftest import copy_workspace, serving
from tests.viewer.test_citizen_view import PUBLISHED, SLUG, publish_sample_plan
from twin.access import create_token
from twin.config import Role
from twin.store._contributions import ContributionFilter
from twin.workspace import Workspace
from viewer.app import create_app

pytestmark = pytest.mark.browser

ALL_STATES = ("pending", "approved", "hidden")


@pytest.fixture(scope="module")
def workspace(imported_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = copy_workspace(imported_workspace, tmp_path_factory, "citizen-browser")
    publish_sample_plan(workspace)
    return workspace


@pytest.fixture(scope="module")
def server(workspace: Workspace) -> Iterator[str]:
    require_assets()
    with serving(create_app(workspace)) as url:
        yield url


@pytest.fixture(scope="module")
def moderator(workspace: Workspace) -> dict[str, str]:
    token = create_token(workspace.store(SLUG), "Moderation", Role.ADMINISTRATION, actor="pytest")
    return {"Authorization": f"Bearer {token[1]}"}


def loaded(page: Page, server: str, query: str = "") -> None:
    page.goto(f"{server}/{SLUG}/{query}")
    page.wait_for_function(READY, timeout=90_000)


def free_spots(page: Page, count: int, radius: float) -> list[Point]:
    """``count`` points on a circle in the middle of the municipality, clear of markers."""
    return [
        tuple(point)
        for point in page.evaluate(
            """([count, radius]) => {
              const map = window.twinMap, b = window.TwinCommon.config.bounds;
              const centre = map.project([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]);
              const rect = map.getCanvas().getBoundingClientRect();
              for (let shift = 0; shift < 400; shift += 20) {
                for (const [sx, sy] of [[shift, 0], [-shift, 0], [0, shift], [0, -shift]]) {
                  const points = [...Array(count).keys()].map((i) => [
                    rect.left + centre.x + sx + radius * Math.cos(2 * Math.PI * i / count),
                    rect.top + centre.y + sy + radius * Math.sin(2 * Math.PI * i / count)]);
                  if (points.every(([x, y]) => document.elementFromPoint(x, y) === map.getCanvas())) return points;
                }
              }
              return null;
            }""",
            [count, radius],
        )
    ]


def test_sensor_markers_show_latest_values_and_a_chart(
    browser: Browser, server: str, workspace: Workspace
) -> None:
    streams = workspace.store(SLUG).read_sql(
        "SELECT name FROM sta_datastreams WHERE classification = 'public' ORDER BY id", []
    )
    with open_page(browser, server) as page:
        loaded(page, server)
        page.wait_for_function("document.getElementById('twin-app').dataset.sensors === 'ready'")
        markers = page.locator(".sensor-marker")
        assert markers.count() == len(streams)
        assert re.search(r"\d+,\d\s°C", markers.first.inner_text()), "German decimal and unit"
        label = markers.first.get_attribute("aria-label") or ""
        assert label.startswith(streams[0]["name"] + ":") and "2025" in label
        screenshot(page, "citizen.png")

        page.click("#tab-sensors")
        assert page.locator("#sensor-list li").count() == len(streams)
        page.locator(".sensor-item").first.click()
        popup = page.locator(".sensor-popup")
        expect(popup).to_contain_text("Qualitätsprüfung")
        chart = popup.locator("svg.sensor-chart")
        assert "Verlauf der letzten 47 Stunden" in (chart.get_attribute("aria-label") or "")
        points = chart.locator("polyline").get_attribute("points") or ""
        assert len(points.split()) == 48, "the last 48 hourly values"
        screenshot(page, "citizen-chart.png")

        second = markers.nth(1)
        second.focus()  # keyboard users get the chart on focus
        expect(page.locator(".sensor-popup h3")).to_have_text(streams[1]["name"])


def test_published_scenario_with_cards_and_a_keyboard_slider(browser: Browser, server: str) -> None:
    with open_page(browser, server) as page:
        loaded(page, server)
        page.click("#tab-scenarios")
        page.wait_for_function("document.getElementById('twin-app').dataset.scenarios === 'ready'")
        items = page.locator(".scenario-item")
        assert [items.nth(i).get_attribute("data-scenario") for i in range(items.count())] == [
            PUBLISHED
        ], "drafts and scenarios under deliberation stay hidden"
        items.first.click()
        page.wait_for_function(
            "document.getElementById('indicator-cards').dataset.ready === 'true'", timeout=60_000
        )
        cards = page.locator("#indicator-cards")
        expect(cards).to_contain_text("Einwohnerinnen und Einwohner")
        expect(cards).to_contain_text("ha neu versiegelt")
        expect(cards.locator(".tone-bad").first).to_contain_text("ungünstig")
        assert re.search(r"Grün je Einwohner: \d+ → \d+ m²", cards.inner_text())

        page.click("#compare-toggle")
        page.wait_for_function(
            "document.getElementById('compare').dataset.ready === 'true'", timeout=60_000
        )
        divider = page.locator("#compare-divider")
        expect(divider).to_be_focused()
        start = int(divider.get_attribute("aria-valuenow") or "0")
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        assert int(divider.get_attribute("aria-valuenow") or "0") == max(start - 10, 0)
        page.keyboard.press("ArrowRight")
        moved = int(divider.get_attribute("aria-valuenow") or "0")
        assert moved == max(start - 5, 0)
        clip = page.evaluate("document.getElementById('map-after').style.clipPath")
        width = page.evaluate("document.getElementById('compare').clientWidth")
        left = float(re.search(r"inset\(0px 0px 0px ([\d.]+)px\)", clip).group(1))  # type: ignore[union-attr]
        # aria-valuenow is the position rounded to a whole percent
        assert left == pytest.approx(moved / 100 * width, abs=width / 200 + 1)
        drawn = page.evaluate(
            "window.TwinCompare.map.queryRenderedFeatures({layers: ['edits-area', 'edits-mass']}).length"
        )
        assert drawn > 0, "the scenario's areas are on the after map"
        shot = screenshot(page, "citizen-compare.png")
        assert pixel_spread(shot, left=int(left) + 10) > 10

        page.keyboard.press("Home")
        assert divider.get_attribute("aria-valuenow") == "0"
        page.click("#compare-close")
        expect(page.locator("#compare")).to_be_hidden()


def test_a_contribution_is_pending_until_approved_then_public(
    browser: Browser, server: str, workspace: Workspace, moderator: dict[str, str]
) -> None:
    store = workspace.store(SLUG)
    with open_page(browser, server) as page:
        loaded(page, server)
        page.wait_for_function(
            "document.getElementById('twin-app').dataset.contributions === 'ready'"
        )
        page.click("#tab-participate")
        page.click("[data-draw=polygon]")
        expect(page.locator("#map-crosshair")).to_be_visible()
        for x, y in free_spots(page, 4, 45):
            page.mouse.click(x, y)
        expect(page.locator("#draw-hint")).to_contain_text("(4)")
        page.click("#draw-finish")
        expect(page.locator("#draw-hint")).to_contain_text("Fertig gezeichnet")
        page.select_option("#c-category", "green")
        page.fill("#c-title", "Schattige Wiese am Mühlbach")
        page.fill("#c-text", "Bitte Bäume und Bänke <b>pflanzen</b>.")
        page.select_option("#c-scenario", PUBLISHED)
        page.click("#contribution-form button[type=submit]")
        expect(page.locator("#contribution-status")).to_contain_text("wird geprüft")

        records, _ = store.contributions(ContributionFilter(visible=ALL_STATES))
        (record,) = [r for r in records if r.title == "Schattige Wiese am Mühlbach"]
        assert (record.state, record.source, record.category) == ("pending", "web", "green")
        assert record.geojson["type"] == "Polygon" and len(record.geojson["coordinates"][0]) == 5
        assert record.scenario == PUBLISHED and record.text.endswith("<b>pflanzen</b>.")
        mine = page.locator(f'.contribution-item[data-contribution="{record.id}"]')
        expect(mine).to_contain_text("wird geprüft")
        expect(page.locator(".contribution-popup .contribution-text")).to_have_text(
            "Bitte Bäume und Bänke <b>pflanzen</b>.", use_inner_text=True
        )
        screenshot(page, "citizen-contribution.png")

    with open_page(browser, server) as other:
        loaded(other, server)
        other.wait_for_function(
            "document.getElementById('twin-app').dataset.contributions === 'ready'"
        )
        other.click("#tab-participate")
        assert other.locator(f'[data-contribution="{record.id}"]').count() == 0

    approved = TestClient(create_app(workspace)).post(
        f"/{SLUG}/api/contributions/{record.id}/moderation",
        json={"state": "approved"},
        headers=moderator,
    )
    assert approved.status_code == 200, approved.text

    with open_page(browser, server) as other:
        loaded(other, server)
        other.wait_for_function(
            "document.getElementById('twin-app').dataset.contributions === 'ready'"
        )
        other.click("#tab-participate")
        item = other.locator(f'.contribution-item[data-contribution="{record.id}"]')
        expect(item).to_contain_text("Schattige Wiese am Mühlbach")
        expect(item).not_to_contain_text("wird geprüft")
        on_map = other.evaluate(
            "window.twinMap.querySourceFeatures('contributions').map(f => f.properties.id)"
        )
        assert record.id in on_map
        item.click()
        popup = other.locator(f'.contribution-popup[data-contribution="{record.id}"]')
        popup.locator(".vote-up").click()
        expect(other.locator(".contribution-popup .vote-up")).to_have_text("Dafür (1)")
        expect(other.locator(".contribution-popup .vote-up")).to_have_attribute(
            "aria-pressed", "true"
        )
        other.fill(f"#comment-{record.id}", "Gute Idee, auch für Kinder.")
        other.locator(".contribution-popup .comment-form button").click()
        expect(other.locator(".contribution-popup .detail-note")).to_contain_text("geprüft")
        screenshot(other, "citizen-approved.png")
    (voted,) = [
        r
        for r in store.contributions(ContributionFilter(visible=ALL_STATES))[0]
        if r.id == record.id
    ]
    assert (voted.up, voted.down) == (1, 0)
    assert [c.state for c in store.contribution_comments([record.id])] == ["pending"]


def test_the_council_reads_but_does_not_submit(
    browser: Browser, server: str, workspace: Workspace
) -> None:
    token = create_token(workspace.store(SLUG), "Ratsmitglied", Role.COUNCIL, actor="pytest")[1]
    with open_page(
        browser, server, extra_http_headers={"Authorization": f"Bearer {token}"}
    ) as page:
        loaded(page, server)
        ids = page.evaluate("window.TwinCommon.config.layers.map(l => l.id)")
        assert "sensitive_sites" not in ids and "buildings" in ids
        page.click("#tab-participate")
        assert page.locator("#contribution-form").count() == 0
        expect(page.locator("#pane-participate .notice")).to_contain_text("Rat und Verwaltung")


def test_tabs_work_with_the_keyboard_and_switch_language(browser: Browser, server: str) -> None:
    with open_page(browser, server) as page:
        loaded(page, server)
        page.focus("#tab-map")
        page.keyboard.press("ArrowRight")
        expect(page.locator("#tab-sensors")).to_be_focused()
        expect(page.locator("#pane-sensors")).to_be_visible()
        page.keyboard.press("End")
        expect(page.locator("#pane-participate")).to_be_visible()
        page.click("#lang-switch")
        expect(page.locator("#tab-participate")).to_have_text("Take part")
        expect(page.locator("#c-category option").first).to_have_text("Please choose …")
        expect(page.locator("#compare-divider")).to_have_attribute(
            "aria-label", re.compile("Divider between before and after")
        )
