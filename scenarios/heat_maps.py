"""PNG maps of heat results, with legend, scale bar and north arrow, in German or English.

Planners paste these into reports and council papers, so each map says what it shows
and in which unit, and a difference map is centred on zero (blue cooler, red warmer).
The land-cover map shows what the model was given, so that a planner can check it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

import matplotlib

matplotlib.use("Agg")  # files only, no screen

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from shapely.geometry.base import BaseGeometry

from layers.landuse import LANDUSE_INFO, LandUse, label
from scenarios.grid import Grid
from scenarios.heat_landcover import COVER_CODES
from scenarios.heat_outputs import atomic_path

MapKind = Literal["temperature", "difference", "index"]

LABELS: dict[str, dict[MapKind, str]] = {
    "de": {
        "temperature": "Lufttemperatur (°C)",
        "difference": "Temperaturänderung (K)",
        "index": "Hitzeminderungsindex HM (0–1)",
    },
    "en": {
        "temperature": "Air temperature (°C)",
        "difference": "Temperature change (K)",
        "index": "Heat mitigation index HM (0–1)",
    },
}
COLOURS: dict[MapKind, str] = {"temperature": "inferno", "difference": "RdBu_r", "index": "YlGn"}
#: Legend entries of the land-cover classes that are not land-use classes.
EXTRA_CLASSES: dict[str, tuple[str, str, str]] = {  # name: (colour, German, English)
    "building": ("#333333", "Gebäude", "Buildings"),
    "unsealed": ("#c9b77a", "Entsiegelte Fläche", "Unsealed ground"),
}
COVER_NAMES = {code: name for name, code in COVER_CODES.items()}


def _scale_length(width_m: float) -> float:
    """A round scale-bar length of about a fifth of the map's width (1, 2 or 5 × 10ⁿ m)."""
    target = width_m / 5
    power = 10 ** math.floor(math.log10(target))
    return max(step * power for step in (1, 2, 5) if step * power <= target)


def _frame(grid: Grid, outline: BaseGeometry | None, title: str) -> tuple[Figure, Axes]:
    """A figure for ``grid`` with title, outline, scale bar and north arrow."""
    minx, miny, maxx, maxy = grid.bounds
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


def _save(figure: Figure, target: Path) -> Path:
    with atomic_path(target) as temporary:
        figure.savefig(temporary, format="png", bbox_inches="tight")
    plt.close(figure)
    return target


def save_map(
    values: np.ndarray,
    grid: Grid,
    target: Path,
    *,
    kind: MapKind,
    title: str,
    language: str = "de",
    outline: BaseGeometry | None = None,
) -> Path:
    """Draw ``values`` on ``grid`` as a PNG at ``target``, with a colour bar."""
    figure, axes = _frame(grid, outline, title)
    low: float | None = None
    high: float | None = None
    finite = values[np.isfinite(values)]
    if kind == "difference":  # centred on zero: blue cooler, red warmer
        high = max(float(np.abs(finite).max()) if finite.size else 0.0, 0.01)
        low = -high
    elif kind == "index":
        low, high = 0.0, 1.0
    minx, miny, maxx, maxy = grid.bounds
    image = axes.imshow(
        np.ma.masked_invalid(values),
        extent=(minx, maxx, miny, maxy),
        cmap=COLOURS[kind],
        interpolation="nearest",
        vmin=low,
        vmax=high,
    )
    colourbar = figure.colorbar(image, ax=axes, shrink=0.8)
    colourbar.set_label(LABELS.get(language, LABELS["en"])[kind])
    return _save(figure, target)


def _class_legend(name: str, language: str) -> tuple[str, str]:
    """Colour and label of a land-cover class."""
    if name in EXTRA_CLASSES:
        colour, german, english = EXTRA_CLASSES[name]
        return colour, german if language == "de" else english
    use = LandUse(name)
    return LANDUSE_INFO[use].colour, label(use, "de" if language == "de" else "en")


def save_landcover_map(
    codes: np.ndarray,
    valid: np.ndarray,
    grid: Grid,
    target: Path,
    *,
    title: str,
    language: str = "de",
    outline: BaseGeometry | None = None,
) -> Path:
    """The land cover the model used, one colour per class, with a legend of the classes."""
    present = [int(code) for code in np.unique(codes[valid])]
    legend = [_class_legend(COVER_NAMES[code], language) for code in present]
    figure, axes = _frame(grid, outline, title)
    minx, miny, maxx, maxy = grid.bounds
    axes.imshow(
        np.ma.masked_where(~valid, np.searchsorted(present, codes)),
        extent=(minx, maxx, miny, maxy),
        cmap=ListedColormap([colour for colour, _ in legend]),
        vmin=-0.5,
        vmax=len(present) - 0.5,
        interpolation="nearest",
    )
    axes.legend(
        handles=[Patch(color=colour, label=text) for colour, text in legend],
        loc="center left",
        bbox_to_anchor=(1.02, 0.5),
        frameon=False,
    )
    return _save(figure, target)
