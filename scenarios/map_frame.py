"""The frame every map of the toolkit is drawn in: title, outline, scale bar, north arrow.

Heat maps and land-use maps go into the same council papers, so they look alike.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no screen

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from shapely.geometry.base import BaseGeometry

from scenarios.heat_outputs import atomic_path


def _scale_length(width_m: float) -> float:
    """A round scale-bar length of about a fifth of the map's width (1, 2 or 5 × 10ⁿ m)."""
    target = width_m / 5
    power = 10 ** math.floor(math.log10(target))
    return max(step * power for step in (1, 2, 5) if step * power <= target)


def map_frame(
    bounds: tuple[float, float, float, float], outline: BaseGeometry | None, title: str
) -> tuple[Figure, Axes]:
    """A figure for ``bounds`` with title, outline, scale bar and north arrow."""
    minx, miny, maxx, maxy = bounds
    figure, axes = plt.subplots(figsize=(8, 8 * (maxy - miny) / (maxx - minx) + 0.8), dpi=120)
    if outline is not None:
        for ring in getattr(outline, "geoms", [outline]):
            x, y = ring.exterior.xy
            axes.plot(x, y, color="0.2", linewidth=0.8)
    length = _scale_length(maxx - minx)
    x0, y0 = minx + 0.05 * (maxx - minx), miny + 0.05 * (maxy - miny)
    axes.plot([x0, x0 + length], [y0, y0], color="black", linewidth=3)
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    axes.text(x0 + length / 2, y0 + 0.015 * (maxy - miny), text, ha="center", va="bottom")
    axes.annotate(
        "N",
        xy=(0.95, 0.95),
        xytext=(0.95, 0.85),
        xycoords="axes fraction",
        ha="center",
        fontsize=12,
        fontweight="bold",
        arrowprops={"arrowstyle": "->", "linewidth": 1.5},
    )
    axes.set_title(title)
    axes.set_xticks([])
    axes.set_yticks([])
    return figure, axes


def save_figure(figure: Figure, target: Path) -> Path:
    """Write ``figure`` as a PNG, atomically, and close it."""
    with atomic_path(target) as temporary:
        figure.savefig(temporary, format="png", bbox_inches="tight")
    plt.close(figure)
    return target
