"""Maps of what a land-use scenario changes, for briefs and the council view.

The map zooms to the edits: the base land use is drawn faint, the land inside each edit in
its new class at full strength, each edit outlined and numbered as in the indicator
tables, new buildings dark, removed buildings outlined red, planted trees as green dots.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from layers.landuse import LANDUSE_INFO, LandUse, label
from scenarios.edits import LANDUSE_CLASSES, Edit, apply_edits
from scenarios.heat_maps import save_map
from scenarios.heat_twin import TwinHeat, difference
from scenarios.map_frame import map_frame, save_figure
from scenarios.model import Scenario
from scenarios.twin_layers import TwinLayers
from twin.config import Lang

#: Margin around the edits, as a share of their extent (at least :data:`MIN_MARGIN_M`).
MARGIN_SHARE, MIN_MARGIN_M = 0.5, 150.0
CAPTIONS = {
    "de": {"changes": "Änderungen", "heat": "Temperaturänderung am heißen Tag"},
    "en": {"changes": "Changes", "heat": "Temperature change on a hot day"},
}
LEGEND = {
    "de": {
        "new": "Neue Gebäude",
        "gone": "Entfernte Gebäude",
        "trees": "Neue Bäume",
        "edit": "Änderung",
    },
    "en": {
        "new": "New buildings",
        "gone": "Removed buildings",
        "trees": "New trees",
        "edit": "Edit",
    },
}


def _colours(frame: gpd.GeoDataFrame) -> list[str]:
    known = {use.value: info.colour for use, info in LANDUSE_INFO.items()}
    return [known.get(str(cls), "#cccccc") for cls in frame["landuse"]]


def _draw(frame: gpd.GeoDataFrame | gpd.GeoSeries, axes: Axes, **style: object) -> None:
    if not frame.empty:
        frame.plot(ax=axes, **style)


def save_change_map(
    layers: TwinLayers, edits: list[Edit], target: Path, *, title: str, language: Lang = "de"
) -> Path:
    """Draw the changes of ``edits`` on ``layers`` as a PNG at ``target``."""
    edited, bounds = apply_edits(layers, edits)
    minx, miny, maxx, maxy = bounds
    margin = max(MARGIN_SHARE * max(maxx - minx, maxy - miny), MIN_MARGIN_M)
    extent = (minx - margin, miny - margin, maxx + margin, maxy + margin)
    view = shapely.box(*extent)
    figure, axes = map_frame(extent, layers.boundary.intersection(view), title)
    base = layers.landuse[layers.landuse.intersects(view)]
    _draw(base, axes, color=_colours(base), alpha=0.35, linewidth=0)
    areas = shapely.union_all(
        [e.geometry for e in edits if e.geometry.geom_type.endswith("Polygon")]
    )
    changed = (
        edited.landuse[edited.landuse.intersects(areas)].copy()
        if not areas.is_empty
        else edited.landuse.iloc[:0]
    )
    changed[changed.geometry.name] = changed.geometry.intersection(areas)
    _draw(changed, axes, color=_colours(changed), linewidth=0)
    old_ids = set(layers.buildings["feature_id"])
    kept = edited.buildings[edited.buildings.intersects(view)]
    _draw(kept, axes, color="#9a9a9a", linewidth=0)
    words = LEGEND[language]
    new = kept[~kept["feature_id"].isin(old_ids)]
    _draw(new, axes, color="#222222", linewidth=0)
    gone = layers.buildings[
        ~layers.buildings["feature_id"].isin(set(edited.buildings["feature_id"]))
    ]
    _draw(gone.boundary, axes, color="#d7191c", linewidth=1.2)
    planted = edited.trees[~edited.trees["feature_id"].isin(set(layers.trees["feature_id"]))]
    _draw(planted, axes, color="#1a7f37", markersize=8)
    for number, edit in enumerate(edits, 1):
        outline = edit.geometry.boundary if edit.geometry.area > 0 else edit.geometry
        gpd.GeoSeries([outline]).plot(ax=axes, color="black", linewidth=1, linestyle="--")
        spot = edit.geometry.representative_point()
        axes.text(
            spot.x,
            spot.y,
            str(number),
            ha="center",
            va="center",
            fontsize=11,
            fontweight="bold",
            bbox={"boxstyle": "circle", "facecolor": "white", "edgecolor": "black"},
        )
    classes = sorted(set(base["landuse"]) | set(changed["landuse"]))
    handles = [
        Patch(color=LANDUSE_INFO[LandUse(c)].colour, label=label(LandUse(c), language))
        for c in classes
        if c in LANDUSE_CLASSES
    ]
    handles += [
        Patch(color="#222222", label=words["new"]),
        Patch(edgecolor="#d7191c", facecolor="none", label=words["gone"]),
    ]
    handles += [
        Patch(color="#1a7f37", label=words["trees"]),
        Patch(edgecolor="black", facecolor="none", linestyle="--", label=words["edit"]),
    ]
    axes.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False
    )
    axes.set_xlim(extent[0], extent[2])
    axes.set_ylim(extent[1], extent[3])
    axes.set_aspect("equal")
    return save_figure(figure, target)


def scenario_maps(
    scenarios: list[Scenario], layers: TwinLayers, heat: TwinHeat | None, folder: Path, lang: Lang
) -> dict[str, list[tuple[str, str]]]:
    """Each scenario's change map (and heat difference map) in ``folder``.

    Returns, per scenario reference, the file names with their captions.
    """
    words = CAPTIONS[lang]
    maps: dict[str, list[tuple[str, str]]] = {}
    for scenario in scenarios:
        name = scenario.ref.replace("@", "-v")
        entries = []
        if scenario.edits:
            caption = f"{words['changes']}: {scenario.record.title}"
            save_change_map(
                layers, scenario.edits, folder / f"{name}-changes.png", title=caption, language=lang
            )
            entries.append((f"{name}-changes.png", caption))
        if heat is not None and scenario.edits:
            caption = f"{words['heat']}: {scenario.record.title}"
            change = difference(heat.scenario(scenario.edits).result, heat.base)
            save_map(
                change,
                heat.grid,
                folder / f"{name}-heat.png",
                kind="difference",
                title=caption,
                language=lang,
                outline=layers.boundary,
            )
            entries.append((f"{name}-heat.png", caption))
        maps[scenario.ref] = entries
    return maps
