"""The citizen map in a real Chromium: layers load, buildings are 3D, language switches.

Runs uvicorn with the real app in a background thread and drives Debian's Chromium with
Playwright. WebGL comes from SwiftShader (software rendering), so no GPU is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.viewer._browser import READY, open_page, pixel_spread, require_assets
from twin.workspace import Workspace

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(live_server: str) -> str:
    """Base URL of the real app, once the front-end assets are bundled."""
    require_assets()
    return live_server


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    with open_page(browser, server) as page:
        yield page


def test_map_loads_layers_in_3d_and_switches_language(
    page: Page, server: str, tmp_path: Path, viewer_workspace: Workspace
) -> None:
    title = viewer_workspace.store("musterstadt").layer("buildings").title
    page.goto(f"{server}/musterstadt/")
    page.wait_for_function(READY, timeout=60_000)

    size = page.evaluate(
        "[window.twinMap.getCanvas().clientWidth, window.twinMap.getCanvas().clientHeight]"
    )
    assert size == [1200, 800], "the map fills the window"
    assert page.evaluate("window.twinMap.querySourceFeatures('buildings').length") > 0
    assert page.evaluate("window.twinMap.getLayer('buildings').type") == "fill-extrusion"
    assert page.evaluate("window.twinMap.getPitch()") > 30
    height = page.evaluate("window.twinMap.getPaintProperty('buildings', 'fill-extrusion-height')")
    assert "height" in str(height)
    for layer in ("landuse", "streets", "trees", "districts"):
        assert page.evaluate(f"window.twinMap.querySourceFeatures('{layer}').length") > 0
    assert page.evaluate("window.twinMap.getLayer('sensitive_sites')") is None

    assert page.locator("label[for=toggle-buildings]").inner_text() == title.de
    assert page.locator("#attribution").inner_text().strip()
    assert page.locator("#legend li").count() > 0

    page.click("#lang-switch")
    assert page.locator("label[for=toggle-buildings]").inner_text() == title.get("en")
    assert page.locator("#layers-title").inner_text() == "Layers"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "lang=en" in page.url

    page.focus("#lang-switch")
    page.keyboard.press("Enter")
    assert page.locator("#layers-title").inner_text() == "Ebenen"

    shot = tmp_path / "map.png"
    page.screenshot(path=str(shot))
    panel = page.locator(".panel").bounding_box()
    assert panel is not None
    assert pixel_spread(shot, left=int(panel["x"] + panel["width"]) + 10) > 10, "the map is blank"


def test_layer_toggle_and_popup(page: Page, server: str, viewer_workspace: Workspace) -> None:
    title = viewer_workspace.store("musterstadt").layer("buildings").title
    page.goto(f"{server}/musterstadt/?lang=en")
    page.wait_for_function(READY, timeout=60_000)

    page.uncheck("#toggle-trees")
    assert page.evaluate("window.twinMap.getLayoutProperty('trees', 'visibility')") == "none"
    page.check("#toggle-trees")
    assert page.evaluate("window.twinMap.getLayoutProperty('trees', 'visibility')") == "visible"

    point = page.evaluate(
        """() => {
          const map = window.twinMap, canvas = map.getCanvas();
          const width = canvas.clientWidth, height = canvas.clientHeight;
          for (let y = height / 2; y < height - 20; y += 15) {
            for (let x = 320; x < width - 20; x += 15) {
              if (map.queryRenderedFeatures([x, y], {layers: ['buildings']}).length) return [x, y];
            }
          }
          return null;
        }"""
    )
    assert point, "no building rendered in the lower half of the map"
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    popup = page.locator(".maplibregl-popup")
    popup.wait_for(timeout=5_000)
    assert title.get("en") in popup.inner_text()
    assert "height" in popup.inner_text()


def test_portal_links_to_the_map(page: Page, server: str) -> None:
    page.goto(f"{server}/")
    assert page.title() == "Digitale Zwillinge der Kommunen"
    page.click("text=Karte öffnen")
    page.wait_for_function(READY, timeout=60_000)
    assert page.url.startswith(f"{server}/musterstadt/")
