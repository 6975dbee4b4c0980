"""Helpers of the browser tests: Debian's Chromium, pages that are checked, screenshots.

The ``browser`` fixture of ``conftest.py`` launches Chromium with :data:`CHROMIUM_ARGS`
(software WebGL from SwiftShader, so no GPU is needed); pages opened with
:func:`open_page` record JavaScript errors and requests that leave the twin, and a test
fails on either. Screenshots go to ``tests/artifacts/`` so that people can look at them.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
from playwright.sync_api import Browser, Page
from rasterio.errors import NotGeoreferencedWarning

from viewer import bundle_assets, templating

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-unsafe-swiftshader",  # opt in to software WebGL (no automatic fallback)
]
#: True once the map page has loaded its layers.
READY = "document.getElementById('twin-app').dataset.ready === 'true'"
Point = tuple[float, float]

__all__ = [
    "ARTIFACTS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "READY",
    "circle",
    "open_page",
    "pixel_spread",
    "require_assets",
    "screenshot",
    "touch_strokes",
]


def require_assets() -> None:
    """Skip without the bundled MapLibre GL (the ``browser`` fixture skips without Chromium)."""
    if not templating.maplibre_available():
        pytest.skip(f"front-end assets not bundled; run `{bundle_assets.COMMAND}`")


@contextmanager
def open_page(browser: Browser, server: str, **options: Any) -> Iterator[Page]:
    """A page in a fresh context (``options`` as for ``new_context``), checked on exit."""
    settings = {"viewport": {"width": 1200, "height": 800}, "locale": "de-DE"} | options
    context = browser.new_context(**settings)
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((server, "data:", "blob:"))
            else outside.append(request.url)
        ),
    )
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert not outside, f"requests outside the twin: {outside}"


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot as ``tests/artifacts/NAME`` and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


def pixel_spread(png: Path, *, left: int) -> float:
    """Standard deviation of the pixel values right of ``left`` (0 for a blank area)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(png) as image:
            pixels = image.read()[:3, :, left:]
    return float(np.std(pixels.astype(float)))


def circle(centre: Point, radius: float, steps: int = 24) -> list[Point]:
    """Points of a closed loop around ``centre`` (a finger drawing an area)."""
    x, y = centre
    return [
        (
            x + radius * math.cos(2 * math.pi * i / steps),
            y + radius * math.sin(2 * math.pi * i / steps),
        )
        for i in range(steps + 1)
    ]


def touch_strokes(page: Page, *strokes: Sequence[Point]) -> None:
    """Draw the strokes with one finger each, all at the same time (CDP touch events)."""
    cdp = page.context.new_cdp_session(page)
    steps = max(len(stroke) for stroke in strokes)

    def points(i: int) -> list[dict[str, float]]:
        return [
            {
                "x": stroke[min(i, len(stroke) - 1)][0],
                "y": stroke[min(i, len(stroke) - 1)][1],
                "id": n,
            }
            for n, stroke in enumerate(strokes, start=1)
        ]

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points(0)})
    for i in range(1, steps):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": points(i)})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()
