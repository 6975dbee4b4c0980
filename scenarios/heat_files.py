"""The files of a heat run on a twin: grids, maps and district tables, base and scenario.

Layout of a run folder (``WORKSPACE/SLUG/heat/NAME``)::

    cc.tif hm.tif T_air_nomix.tif T_air.tif …   base grids (InVEST's names)
    landcover.tif landcover.png                the land-cover codes the model used
    T_air.png hm.png                           base maps
    zones.geojson zones.csv                    base statistics per district
    sites.geojson sites.csv                    sensitive sites with their air temperature
    T_air_live.tif T_air_live.png              with a live map: corrected by the sensors
    scenario/…                                 the same for the scenario
    difference.tif difference.png              scenario − base, K
    zones_change.geojson zones_change.csv      the districts' scenario values and changes
    sites_change.geojson sites_change.csv      the sensitive sites' scenario temperatures
    run.json                                   parameters, calibration and sources
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np

from scenarios.heat_maps import MapKind, save_landcover_map, save_map
from scenarios.heat_outputs import write_grid, write_result, write_zones
from scenarios.heat_twin import HeatScenario, TwinHeat, difference
from scenarios.heat_zones import site_temperatures

TITLES = {
    "de": {
        "base": "Lufttemperatur",
        "scenario": "Lufttemperatur im Szenario",
        "difference": "Änderung durch das Szenario",
        "live": "Lufttemperatur (mit Messwerten korrigiert)",
        "hm": "Hitzeminderung",
        "landcover": "Bodenbedeckung im Modell",
    },
    "en": {
        "base": "Air temperature",
        "scenario": "Air temperature in the scenario",
        "difference": "Change by the scenario",
        "live": "Air temperature (corrected by measurements)",
        "hm": "Heat mitigation",
        "landcover": "Land cover used by the model",
    },
}


def _map(
    model: TwinHeat, values: np.ndarray, target: Path, kind: MapKind, what: str, lang: str
) -> Path:
    title = f"{model.config.name}: {TITLES[lang][what]}"
    return save_map(
        values,
        model.grid,
        target,
        kind=kind,
        title=title,
        language=lang,
        outline=model.layers.boundary,
    )


def write_base(model: TwinHeat, zones: gpd.GeoDataFrame, folder: Path, lang: str) -> list[Path]:
    """Grids and maps of the base result, with its district statistics ``zones``."""
    cover = model.cover
    files = write_result(model.base, model.grid, folder)
    files.append(
        write_grid(np.where(cover.valid, cover.codes, np.nan), model.grid, folder / "landcover.tif")
    )
    files.append(
        save_landcover_map(
            cover.codes,
            cover.valid,
            model.grid,
            folder / "landcover.png",
            title=f"{model.config.name}: {TITLES[lang]['landcover']}",
            language=lang,
            outline=model.layers.boundary,
        )
    )
    files.append(_map(model, model.base.t_air(), folder / "T_air.png", "temperature", "base", lang))
    files.append(_map(model, model.base.hm, folder / "hm.png", "index", "hm", lang))
    files += write_zones(zones, folder)
    if model.sites is not None and not model.sites.empty:
        sites = site_temperatures(model.base.t_air(), model.grid, model.sites)
        files += write_zones(sites, folder, stem="sites")
    return files


def write_live(model: TwinHeat, live: np.ndarray, folder: Path, lang: str) -> list[Path]:
    """The sensor-corrected air temperature as grid and map."""
    return [
        write_grid(live, model.grid, folder / "T_air_live.tif"),
        _map(model, live, folder / "T_air_live.png", "temperature", "live", lang),
    ]


def write_scenario(
    model: TwinHeat, scenario: HeatScenario, changes: gpd.GeoDataFrame, folder: Path, lang: str
) -> list[Path]:
    """The scenario's grids and map, the difference, and the districts' ``changes``."""
    inner = folder / "scenario"
    files = write_result(scenario.result, model.grid, inner)
    files.append(
        _map(model, scenario.result.t_air(), inner / "T_air.png", "temperature", "scenario", lang)
    )
    change = difference(scenario.result, model.base)
    files.append(write_grid(change, model.grid, folder / "difference.tif"))
    files.append(_map(model, change, folder / "difference.png", "difference", "difference", lang))
    files += write_zones(changes, folder, stem="zones_change")
    if model.sites is not None and not model.sites.empty:
        sites = site_temperatures(scenario.result.t_air(), model.grid, model.sites)
        base = site_temperatures(model.base.t_air(), model.grid, model.sites)
        sites["delta_t_air"] = sites["t_air"] - base["t_air"]
        files += write_zones(sites, folder, stem="sites_change")
    return files
