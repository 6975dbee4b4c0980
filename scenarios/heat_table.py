"""Default surface properties of German land-cover classes (the biophysical table).

InVEST leaves the table to the user; a municipality without one still needs a map. These
defaults are planning-grade estimates for Central European summer conditions, to be
replaced by local values where they exist (``[heat.biophysical.<class>]`` in the config):

- ``shade``: share of the class's area under tree canopy ≥ 2 m (InVEST's definition),
  from typical German structure types: parks 0.3-0.5, cemeteries 0.4-0.5, forests ≈ 0.9,
  gardens of detached houses 0.1-0.2, commercial yards and roads ≈ 0.05. Single trees of
  the tree register come on top of this as crown fractions (:mod:`scenarios.heat_landcover`).
- ``kc``: crop coefficient, FAO-56 (Allen et al. 1998) mid-season values: grass 0.8-1.0,
  deciduous forest 1.0-1.05, open water 1.05; sealed surfaces ≈ 0.05-0.1 (joints and
  verges); built classes as the area-weighted mix of their green and sealed parts.
- ``albedo``: Stewart & Oke (2012) local climate zones and Oke et al. (2017) *Urban
  Climates*: asphalt 0.05-0.15, concrete and paving 0.15-0.25, roofs 0.10-0.20, grass
  and crops 0.18-0.25, deciduous forest 0.15-0.18, water 0.06-0.10.
- ``green_area``: 1 for vegetated classes open to the air that count as cooling green
  areas in the InVEST sense (parks, cemeteries, allotments, forest, agriculture, natural
  land); sports grounds are left out because many are artificial turf or hard courts.
- ``building_intensity`` (night method): typical floor-area ratio of the class ÷ 3.0
  (GFZ 3.0 is BauNVO § 17's upper limit for core areas), for cells without buildings of
  the register; cells with buildings use their own floor-area ratio.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pandas as pd

from scenarios.heat import TABLE_COLUMNS, BiophysicalTable, HeatModelError
from scenarios.heat_landcover import COVER_CODES, TREE_CODE

#: name: (shade, kc, albedo, green_area, building_intensity)
DEFAULTS: Final[dict[str, tuple[float, float, float, int, float]]] = {
    "residential": (0.15, 0.45, 0.16, 0, 0.30),
    "mixed": (0.10, 0.35, 0.15, 0, 0.40),
    "commercial": (0.05, 0.25, 0.15, 0, 0.45),
    "industrial": (0.03, 0.20, 0.14, 0, 0.45),
    "public": (0.15, 0.45, 0.16, 0, 0.30),
    "green": (0.40, 0.90, 0.19, 1, 0.0),
    "allotments": (0.25, 0.85, 0.18, 1, 0.02),
    "cemetery": (0.45, 0.85, 0.18, 1, 0.0),
    "sport": (0.05, 0.70, 0.19, 0, 0.02),
    "sealed_open": (0.03, 0.05, 0.13, 0, 0.0),
    "traffic": (0.05, 0.05, 0.10, 0, 0.0),
    "agriculture": (0.0, 0.85, 0.20, 1, 0.0),
    "forest": (0.90, 1.00, 0.16, 1, 0.0),
    "natural": (0.10, 0.85, 0.20, 1, 0.0),
    "water": (0.0, 1.05, 0.08, 0, 0.0),
    "other": (0.05, 0.40, 0.15, 0, 0.05),
    "building": (0.0, 0.0, 0.15, 0, 0.0),
    "unsealed": (0.0, 0.70, 0.20, 0, 0.0),
    "tree": (1.0, 1.00, 0.16, 0, 0.0),
}
CODES: Final[dict[str, int]] = COVER_CODES | {"tree": TREE_CODE}


def default_table(overrides: Mapping[str, Mapping[str, float]] | None = None) -> BiophysicalTable:
    """The default table, with a municipality's overrides by class name applied."""
    rows = {
        name: dict(zip(TABLE_COLUMNS[1:], values, strict=True)) for name, values in DEFAULTS.items()
    }
    for name, values in (overrides or {}).items():
        if name not in rows:
            raise HeatModelError(
                f"[heat.biophysical.{name}] names no land-cover class",
                hint=f"Known classes: {', '.join(DEFAULTS)}.",
            )
        unknown = set(values) - set(TABLE_COLUMNS[1:])
        if unknown:
            raise HeatModelError(
                f"[heat.biophysical.{name}] has unknown key(s) {sorted(unknown)}",
                hint="Allowed: shade, kc, albedo, green_area, building_intensity.",
            )
        rows[name] |= dict(values)
    frame = pd.DataFrame([{"lucode": CODES[name], **row} for name, row in rows.items()])
    return BiophysicalTable.from_frame(frame, source="defaults")
