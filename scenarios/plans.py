"""A land-use plan in XPlanGML as a scenario: one ``designate`` edit per designated area.

So that a Bebauungsplan drafted in a planning office's software can be assessed in the
twin like any scenario (land take, floor area, § 17, heat). Values the plan leaves open
stay open: the scenario model fills them with the § 17 guide values and says so. For a
Flächennutzungsplan area with a GFZ range (``GFZmin``/``GFZmax``) the upper value is
used, since a land-use plan sets what may at most be built.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from layers.xplanung import XPlan, read_xplan
from scenarios.edits import Edit, edit_from_feature

#: SO subtypes of XPlanGML with binding § 17 limits, as :mod:`scenarios.baunvo` names them.
SPECIAL_AREAS = {"Wochenendhaus": "SO-W"}
#: "Sonstige bauliche Nutzung" (code 9999) is checked like special building land.
OTHER_BUILDING_LAND = "S"


def _value(number: float) -> float | None:
    return None if number is None or math.isnan(number) else float(number)


def plan_edits(plan: XPlan, boundary: BaseGeometry) -> list[Edit]:
    """The plan's areas as checked ``designate`` edits, labelled with element and gml:id."""
    edits = []
    for index, row in enumerate(plan.areas.itertuples(index=False)):
        use = SPECIAL_AREAS.get(row.special, row.area_type)
        use = OTHER_BUILDING_LAND if use == "other" else use
        props: dict[str, Any] = {
            "edit": "designate",
            "use": use,
            "label": f"{row.element} {row.source_id}",
            "grz": _value(row.grz),
            "gfz": _value(row.gfz) if _value(row.gfz) is not None else _value(row.gfz_max),
            "storeys": _value(row.storeys),
        }
        props = {key: value for key, value in props.items() if value is not None}
        edits.append(edit_from_feature(index, row.geometry, props, boundary))
    return edits


def read_plan(path: Path, *, crs: CRS, boundary: BaseGeometry) -> tuple[XPlan, list[Edit]]:
    """Read an XPlanGML file and turn it into edits (errors name the file and gml:id)."""
    plan = read_xplan(path, crs=crs)
    return plan, plan_edits(plan, boundary)
