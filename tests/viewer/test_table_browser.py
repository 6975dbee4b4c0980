"""The touch table in a real Chromium with touch emulation.

Taps go through Playwright's touchscreen, finger strokes through the DevTools protocol
(``Input.dispatchTouchEvent``), several fingers at once where two people draw. A
proposal drawn with a finger is stored with source ``touch-table`` and the event's id,
pending until the administration approves it, then shown on the table's map; two
panels draw at the same time without mixing their shapes; the "what if" palette shows
the heat and land-use effect; the table resets itself after a short inactivity time.
Screenshots are saved in tests/artifacts/.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Locator, Page, expect

from tests.viewer._browser import (
    ARTIFACTS,
    READY,
    Point,
    circle,
    open_page,
    require_assets,
    screenshot,
    touch_strokes,
)
from tests.viewer.conftest import copy_workspace, serving
from tests.viewer.test_citizen_view import EVENT, SLUG
from twin.access import create_token
from twin.config import Role
from twin.store._contributions import ContributionFilter
from twin.workspace import Workspace
from viewer.app import create_app

pytestmark = pytest.mark.browser

KIOSK = {"viewport": {"width": 1600, "height": 900}, "has_touch": True, "is_mobile": False}


@pytest.fixture(scope="module")
def workspace(imported_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return copy_workspace(imported_workspace, tmp_path_factory, "table-browser")


@pytest.fixture(scope="module")
def server(workspace: Workspace) -> Iterator[str]:
    require_assets()
    with serving(create_app(workspace)) as url:
        yield url


def table(page: Page, server: str, query: str = f"?event={EVENT}") -> None:
    page.goto(f"{server}/{SLUG}/table{query}")
    page.wait_for_function(READY, timeout=90_000)


def panel(page: Page, side: int) -> Locator:
    return page.locator(f".table-panel.side-{side}")


def tap(locator: Locator) -> None:
    """A finger tap on the element's centre (panel 2 is turned round, so no scrolling tricks)."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None
    locator.page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def map_spot(page: Page, near_side: int, offset: Point = (0, 0)) -> Point:
    """A point on the map inside the town, on the side of panel ``near_side``, clear of panels."""
    spot = page.evaluate(
        """([side, dx, dy]) => {
          const map = window.twinMap, b = window.TwinCommon.config.bounds;
          const c = map.project([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2]);
          const own = document.querySelector(`.table-panel.side-${side}`).getBoundingClientRect();
          // next to the panel's inner edge, towards the middle of the screen
          const x = side === 1 ? own.right + 70 : own.left - 70;
          return [x + dx, c.y + dy];
        }""",
        [near_side, *offset],
    )
    return spot[0], spot[1]


def sessions(page: Page) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate(
        """window.twinTable.panels.map((p) => ({
          side: p.side, armed: p.session.armed, vertices: p.session.vertices.length,
          geometry: p.session.finished,
          screen: p.session.finished ? (p.session.finished.type === 'Polygon'
            ? p.session.finished.coordinates[0] : p.session.finished.coordinates)
            .map((c) => { const q = window.twinMap.project(c); return [q.x, q.y]; }) : null }))"""
    )
    return result


def test_a_finger_drawn_proposal_is_stored_for_the_event_and_shown_once_approved(
    browser: Browser, server: str, workspace: Workspace
) -> None:
    store = workspace.store(SLUG)
    with open_page(browser, server, **KIOSK) as page:
        table(page, server)
        one = panel(page, 1)
        tap(one.locator('[data-category="river"]'))
        expect(one.locator('[data-category="river"]')).to_have_attribute("aria-pressed", "true")
        tap(one.locator('[data-draw="polygon"]'))
        centre = map_spot(page, 1)
        touch_strokes(page, circle(centre, 35))
        page.wait_for_function("window.twinTable.panels[0].session.finished !== null")
        tap(one.locator("input[name=title]"))
        page.keyboard.type("Sitzstufen am Mühlbach")
        tap(one.locator("textarea[name=text]"))
        page.keyboard.type("Zum Wasser hinunter, mit Schatten.")
        tap(one.locator('[data-action="send"]'))
        expect(one.locator(".form-status")).to_contain_text("wird geprüft")
        expect(one.locator("input[name=title]")).to_have_value("")

        records, _ = store.contributions(ContributionFilter(visible=("pending",)))
        (record,) = [r for r in records if r.title == "Sitzstufen am Mühlbach"]
        assert (record.source, record.event, record.category) == ("touch-table", EVENT, "river")
        assert record.geojson["type"] == "Polygon" and len(record.geojson["coordinates"][0]) >= 4

        token = create_token(store, "Moderation", Role.ADMINISTRATION, actor="pytest")[1]
        approved = TestClient(create_app(workspace)).post(
            f"/{SLUG}/api/contributions/{record.id}/moderation",
            json={"state": "approved"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert approved.status_code == 200, approved.text
        page.wait_for_function(
            """(id) => (window.twinTable.contributions || {features: []}).features
                .some((f) => f.id === id && f.properties.state === 'approved')""",
            arg=record.id,
            timeout=45_000,
        )
        screenshot(page, "table.png")


def test_two_people_draw_at_the_same_time_without_mixing(browser: Browser, server: str) -> None:
    with open_page(browser, server, **KIOSK) as page:
        table(page, server)
        tap(panel(page, 1).locator('[data-draw="polygon"]'))
        tap(panel(page, 2).locator('[data-draw="line"]'))
        area = circle(map_spot(page, 1, (0, 40)), 30)
        x, y = map_spot(page, 2, (0, -40))
        row = [(x - 60 + 5 * i, y + 2 * i) for i in range(25)]
        touch_strokes(page, area, row)  # both fingers at once
        page.wait_for_function("window.twinTable.panels.every((p) => p.session.finished)")
        first, second = sessions(page)
        assert first["geometry"]["type"] == "Polygon" and second["geometry"]["type"] == "LineString"
        for px, py in first["screen"]:
            assert abs(px - area[0][0] + 30) < 40 and abs(py - area[0][1]) < 40
        for px, py in second["screen"]:
            assert x - 70 < px < x + 70 and y - 10 < py < y + 60
        screenshot(page, "table-two-people.png")


def test_the_what_if_palette_shows_heat_and_land_use_effects(browser: Browser, server: str) -> None:
    with open_page(browser, server, **KIOSK) as page:
        table(page, server)
        one = panel(page, 1)
        tap(one.locator('[data-pane="whatif"]'))
        tap(one.locator('[data-whatif="unseal"]'))
        expect(one.locator(".whatif-hint")).to_contain_text("50 × 50 m")
        page.touchscreen.tap(*map_spot(page, 1))
        cards = one.locator(".whatif-cards")
        page.wait_for_function(
            "document.querySelector('.side-1 .whatif-cards').dataset.ready === 'true'",
            timeout=90_000,
        )
        first_ms = int(cards.get_attribute("data-ms") or "0")
        expect(cards.locator('[data-card="heat"]').first).to_be_visible()
        expect(cards).to_contain_text("ha entsiegelt")

        tap(one.locator('[data-whatif="park"]'))
        page.touchscreen.tap(*map_spot(page, 1, (40, 60)))
        page.wait_for_function(
            "document.querySelector('.side-1 .whatif-cards').dataset.ms !== undefined"
            f" && document.querySelector('.side-1 .whatif-cards').dataset.ms !== '{first_ms}'"
            " && document.querySelector('.side-1 .whatif-cards').dataset.ready === 'true'",
            timeout=90_000,
        )
        second_ms = int(cards.get_attribute("data-ms") or "0")
        expect(cards).to_contain_text("Grünfläche")
        expect(one.locator(".whatif-time")).to_contain_text("berechnet in")
        assert panel(page, 2).locator(".whatif-cards li").count() == 0, (
            "the other side is untouched"
        )
        screenshot(page, "table-whatif.png")
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "table-whatif.json").write_text(
            json.dumps({"first_round_trip_ms": first_ms, "second_round_trip_ms": second_ms}),
            encoding="utf-8",
        )
        assert second_ms < 30_000


def test_inactivity_resets_drafts_and_the_view(browser: Browser, server: str) -> None:
    with open_page(browser, server, **KIOSK) as page:
        table(page, server, f"?event={EVENT}&reset=6")
        start = page.evaluate("window.twinMap.getCenter().toArray()")
        # moved away first: drawing the tilted view in software takes seconds of its own
        page.evaluate("window.twinMap.jumpTo({center: [10.86, 49.62], zoom: 16, bearing: 30})")
        one = panel(page, 1)
        tap(one.locator('[data-category="green"]'))
        tap(one.locator('[data-draw="line"]'))
        page.touchscreen.tap(*map_spot(page, 1))
        tap(one.locator("input[name=title]"))
        page.keyboard.type("Entwurf")
        warning = page.locator("#reset-warning")
        expect(warning).to_be_visible(timeout=10_000)
        expect(warning).to_contain_text("von vorn")
        page.wait_for_function(
            "document.getElementById('twin-app').dataset.resets === '1'", timeout=20_000
        )
        expect(warning).to_be_hidden()
        expect(one.locator("input[name=title]")).to_have_value("")
        expect(one.locator('[data-category="green"]')).to_have_attribute("aria-pressed", "false")
        assert not any(s["armed"] or s["vertices"] for s in sessions(page))
        centre = page.evaluate("window.twinMap.getCenter().toArray()")
        assert centre == pytest.approx(start, abs=1e-4)
        assert page.evaluate("window.twinMap.getBearing()") == 0
