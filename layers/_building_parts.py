"""Building parts into rows of the twin's building table, shared by the 3D readers.

CityGML and CityJSON both model a building as a tree: a ``Building`` with attributes
and geometry, optionally made of ``BuildingPart`` objects (nested parts allowed) that
inherit what they lack from their parent. The twin wants one row per part (or per
building without parts), so both readers walk the tree with :func:`walk_parts` and hand
each object's attributes and :class:`~layers._faces.Shape` to a :class:`Collector`,
which decides the measured height and builds the frame with
:func:`layers.buildings.assemble_rows`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from layers._faces import Shape
from layers.buildings import assemble_rows, empty_rows
from twin.errors import LayerValidationError

logger = logging.getLogger(__name__)


@dataclass
class Attributes:
    """The attributes of one Building or BuildingPart that the building table uses.

    ``measured`` is the object's own measured height in metres, ``storeys`` its storeys
    above ground, ``function`` its function code or word; ``inherited_measured`` is the
    nearest ancestor's measured height, used only where the object has no height of its
    own. Missing numbers are NaN.
    """

    measured: float = math.nan
    storeys: float = math.nan
    function: str | None = None
    inherited_measured: float = math.nan

    def inherit(self, parent: Attributes) -> Attributes:
        """Fill what this part lacks from its parent (measured height only as a fallback)."""
        return Attributes(
            measured=self.measured,
            storeys=parent.storeys if math.isnan(self.storeys) else self.storeys,
            function=self.function or parent.function,
            inherited_measured=(
                parent.inherited_measured if math.isnan(parent.measured) else parent.measured
            ),
        )


def parse_number(text: str | None) -> float:
    """``text`` as a float; NaN if missing or not a number."""
    try:
        return float(text) if text is not None else math.nan
    except ValueError:
        return math.nan


@dataclass(frozen=True)
class BuildingModel:
    """What a 3D reader found: the building frame and the LoD2+ surfaces it keeps.

    ``surfaces`` is a MultiPolygon Z per row with LoD2 (or higher) geometry, indexed by
    the row's ``feature_id``, in the frame's CRS; empty for LoD0/LoD1 models.
    """

    frame: gpd.GeoDataFrame
    surfaces: gpd.GeoSeries


@dataclass
class Collector:
    """Rows of a building frame, collected one object at a time."""

    source: str
    raw: dict[str, list[Any]] = field(default_factory=empty_rows)
    geometry: list[BaseGeometry] = field(default_factory=list)
    surfaces: list[BaseGeometry | None] = field(default_factory=list)
    without_footprint: list[str] = field(default_factory=list)
    buildings: int = 0

    def add(self, feature_id: str, building_id: str, attrs: Attributes, shape: Shape) -> None:
        """Add one object as a row; one without a footprint is only remembered for the log."""
        if shape.footprint is None:
            self.without_footprint.append(feature_id)
            return
        # Own measuredHeight, else the object's own 3D extent, else its Building's height.
        heights = (attrs.measured, shape.height, attrs.inherited_measured)
        measured = next((h for h in heights if h > 0), math.nan)
        values = (feature_id, building_id, measured, attrs.storeys, math.nan, attrs.function)
        for name, value in zip(self.raw, (*values, None, shape.ground_z), strict=True):
            self.raw[name].append(value)
        self.geometry.append(shape.footprint)
        self.surfaces.append(shape.surfaces)

    def add_building(
        self, building_id: str, attrs: Attributes, shape: Shape, *, has_parts: bool
    ) -> None:
        """Add a Building's own row: if it has a footprint of its own or no parts.

        A Building made of parts is usually described by its parts alone; its own row
        would cover them twice.
        """
        if shape.footprint is not None or not has_parts:
            self.add(building_id, building_id, attrs, shape)

    def model(self, crs: CRS) -> BuildingModel:
        """The building frame and the LoD2+ surfaces of its rows, by final ``feature_id``."""
        frame = self.frame(crs)
        kept = [i for i, s in enumerate(self.surfaces) if s is not None]
        surfaces = gpd.GeoSeries(
            [self.surfaces[i] for i in kept],
            index=pd.Index(frame["feature_id"].to_numpy()[kept], name="feature_id"),
            crs=crs,
        )
        return BuildingModel(frame, surfaces)

    def frame(self, crs: CRS) -> gpd.GeoDataFrame:
        """The collected rows as a building frame in ``crs``; an error if there are none."""
        if self.without_footprint:
            logger.warning(
                "%s: %d building(s) without a footprint geometry were skipped: %s",
                self.source,
                len(self.without_footprint),
                ", ".join(self.without_footprint[:10]),
            )
        if not self.geometry:
            what = (
                f"{self.buildings} buildings, none with" if self.buildings else "no building with"
            )
            raise LayerValidationError(
                f"{self.source} contains {what} a footprint geometry",
                hint="A buildings layer needs LoD0 footprints, LoD1 solids or LoD2 ground "
                "surfaces; check that this is the right file.",
            )
        return assemble_rows(pd.DataFrame(self.raw), self.geometry, crs=crs, source=self.source)


def walk_parts(
    building_id: str,
    attrs: Attributes,
    parts: list[Any],
    children: Callable[[Any], list[Any]],
    own: Callable[[Any], tuple[str, Attributes]],
) -> Iterator[tuple[Any, str, Attributes]]:
    """Parts (nested parts included) with their ids and inherited attributes."""
    stack = [(part, attrs) for part in parts]
    number = 0
    while stack:
        part, parent = stack.pop(0)
        number += 1
        part_id, part_attrs = own(part)
        merged = part_attrs.inherit(parent)
        yield part, part_id or f"{building_id}_{number}", merged
        stack.extend((child, merged) for child in children(part))
