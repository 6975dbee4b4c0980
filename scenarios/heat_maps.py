"""PNG maps of heat results, with legend, scale bar and north arrow, in German or English.

Planners paste these into reports and council papers, so each map says what it shows
and in which unit, and a difference map is centred on zero (blue cooler, red warmer).
The land-cover map shows what the model was given, so that a planner can check it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import matplotlib

matplotlib.use("Agg")  # files only, no screen

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch
from shapely.geometry.base import BaseGeometry

from layers.landuse import LANDUSE_INFO, LandUse, label
from scenarios.grid import Grid
from scenarios.heat_landcover import COVER_CODES
from scenarios.map_frame import map_frame, save_figure

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
    figure, axes = map_frame(grid.bounds, outline, title)
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
    return save_figure(figure, target)


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
    figure, axes = map_frame(grid.bounds, outline, title)
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
    return save_figure(figure, target)
