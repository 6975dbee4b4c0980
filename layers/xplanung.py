"""Land-use plans in XPlanGML (Bebauungsplan, Flächennutzungsplan) as designated areas.

XPlanGML is the mandatory exchange format of German land-use plans. A scenario about
building land needs only what a plan *designates* where: the kind of building area
(BauNVO: WA, MI, GE, ...) with its permitted density (GRZ, GFZ, storeys, BMZ), and the
areas that stay open (green, forest, agriculture, water) or carry traffic. This module
reads exactly that from one plan (XPlanGML 4.x, 5.x, 6.x; GML 3.2) into one table row per
designated area, reprojected to the twin's CRS.

What is read
    ``BP_Plan`` or ``FP_Plan`` (name, number; the version comes from the namespace) and
    the area elements of :data:`AREA_ELEMENTS`: building areas
    (``BP_BaugebietsTeilFlaeche``, ``FP_BebauungsFlaeche``) with ``allgArtDerBaulNutzung``,
    ``besondereArtDerBaulNutzung``, ``GRZ``, ``GFZ``/``GFZmin``/``GFZmax``, ``Z`` and
    ``BMZ``; green, forest, agricultural, traffic and water areas as the toolkit classes of
    :class:`layers.landuse.LandUse`. XPlanGML 6.0 moved traffic and water areas to
    ``SO_Strassenverkehr`` and ``SO_Gewaesser``; the 5.x names are read as well.
    Geometries: ``gml:Polygon``, ``gml:MultiSurface`` and other surface aggregates, rings
    as ``gml:LinearRing`` or as ``gml:Ring`` of line segments and circular arcs (arcs are
    densified to 1° steps, because surveyed plans draw curved street corners as arcs).

What is ignored (and counted in one note)
    Texts, building lines and limits, overlays that are not areas (Baugrenzen, noise
    zones, ...), presentation objects, and area elements drawn as points or lines. The
    ``_Bereich`` features only group the plan's content and are skipped silently.

Rules
    A value that XPlanGML forbids or that cannot be meant (``GFZ`` together with
    ``GFZmin``/``GFZmax``, a ``besondereArtDerBaulNutzung`` outside its general class, a GRZ
    of 40 instead of 0.4, unreadable coordinates, a geometry without a CRS) raises
    :class:`XPlanError` naming the file and the ``gml:id``, because a silently wrong plan
    would silently misstate how much may be built. A *missing* GRZ or GFZ is no error:
    real plans often keep these in the scanned drawing only, so the value is NaN, a note
    says so, and the scenario model falls back to the upper limits of BauNVO § 17.
    Invalid polygons are repaired with ``make_valid`` (keeping their polygonal parts) and
    named in a note, as in the import pipeline.

Axis order follows GML practice in Germany: projected CRSs (EPSG:25832/25833, the
Gauß-Krüger zones, EPSG:3857) are written easting first, geographic CRSs in their
authority's order, so EPSG:4326 coordinates are latitude, longitude.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import shapely
from lxml import etree
from numpy.typing import NDArray
from pyproj import CRS, Transformer

from layers._model_files import horizontal, one_line, require_file
from layers.crs import crs_label, parse_crs
from layers.landuse import LandUse
from twin.errors import CRSError, PlanError

_GML = "http://www.opengis.net/gml/3.2"
_GML_ID = f"{{{_GML}}}id"
_XPLAN_NAMESPACE = re.compile(r"^http://www\.xplanung\.de/xplangml/(\d+)/(\d+)$")
_BUILDING = "building"
_ARC_STEP = math.radians(1.0)

AREA_ELEMENTS: dict[str, str] = {
    "BP_BaugebietsTeilFlaeche": _BUILDING,
    "FP_BebauungsFlaeche": _BUILDING,
    "BP_GruenFlaeche": LandUse.GREEN.value,
    "FP_Gruen": LandUse.GREEN.value,
    "BP_WaldFlaeche": LandUse.FOREST.value,
    "FP_WaldFlaeche": LandUse.FOREST.value,
    "BP_LandwirtschaftsFlaeche": LandUse.AGRICULTURE.value,
    "BP_Landwirtschaft": LandUse.AGRICULTURE.value,
    "FP_LandwirtschaftsFlaeche": LandUse.AGRICULTURE.value,
    "FP_Landwirtschaft": LandUse.AGRICULTURE.value,
    "BP_StrassenVerkehrsFlaeche": LandUse.TRAFFIC.value,
    "BP_VerkehrsflaecheBesondererZweckbestimmung": LandUse.TRAFFIC.value,
    "FP_Strassenverkehr": LandUse.TRAFFIC.value,
    "SO_Strassenverkehr": LandUse.TRAFFIC.value,
    "BP_GewaesserFlaeche": LandUse.WATER.value,
    "FP_Gewaesser": LandUse.WATER.value,
    "SO_Gewaesser": LandUse.WATER.value,
}
"""Area elements read, with their kind: ``'building'`` or a :class:`LandUse` value."""

_VARIABLE_GEOMETRY = frozenset(
    {
        "BP_Landwirtschaft",
        "BP_VerkehrsflaecheBesondererZweckbestimmung",
        "FP_Gruen",
        "FP_Landwirtschaft",
        "FP_Strassenverkehr",
        "FP_Gewaesser",
        "SO_Strassenverkehr",
        "SO_Gewaesser",
    }
)
"""Elements that XPlanGML lets be points or lines too; those are not areas and skipped."""

_PLAN_KINDS: dict[str, Literal["BP", "FP"]] = {"BP_Plan": "BP", "FP_Plan": "FP"}

_BESONDERE_ART: dict[str, tuple[str, str, str]] = {
    "1000": ("WS", "", "1000"),
    "1100": ("WR", "", "1000"),
    "1200": ("WA", "", "1000"),
    "1300": ("WB", "", "1000"),
    "1400": ("MD", "", "2000"),
    "1450": ("MDW", "", "2000"),
    "1500": ("MI", "", "2000"),
    "1550": ("MU", "", "2000"),
    "1600": ("MK", "", "2000"),
    "1700": ("GE", "", "3000"),
    "1800": ("GI", "", "3000"),
    "2000": ("SO", "SO-Erholung", "4000"),
    "2100": ("SO", "", "4000"),
    "3000": ("SO", "Wochenendhaus", "4000"),
    "4000": ("SO", "", "4000"),
    "9999": ("other", "", ""),
}
"""``besondereArtDerBaulNutzung`` → (area type, SO subtype, required ``allgArtDerBaulNutzung``)."""

_ALLGEMEINE_ART = {"1000": "W", "2000": "M", "3000": "G", "4000": "S", "9999": "other"}
"""``allgArtDerBaulNutzung`` → generic area type (Bauflächen of BauNVO § 1 (1))."""

_MEASURES = {"grz": "GRZ", "gfz": "GFZ", "gfz_min": "GFZmin", "gfz_max": "GFZmax", "bmz": "BMZ"}

_COLUMNS = [
    "source_id",
    "element",
    "area_type",
    "special",
    "grz",
    "gfz",
    "gfz_min",
    "gfz_max",
    "storeys",
    "bmz",
    "geometry",
]


class XPlanError(PlanError):
    """An XPlanGML file cannot be read as a plan, or it states something the standard forbids."""


@dataclass(frozen=True)
class XPlan:
    """One land-use plan: its identity, its designated areas and what a planner must know.

    Attributes
    ----------
    name
        ``xplan:name`` of the plan.
    number
        ``xplan:nummer`` ('' if none).
    version
        XPlanGML version from the namespace, e.g. ``'5.4'``, ``'6.0'``.
    kind
        ``'BP'`` (Bebauungsplan) or ``'FP'`` (Flächennutzungsplan).
    areas
        One row per designated area in the requested CRS: ``source_id`` (``gml:id``),
        ``element``, ``area_type`` (BauNVO code such as ``'WA'``, a generic ``'W'``/``'M'``/
        ``'G'``/``'S'``, ``'other'``, or a :class:`LandUse` value), ``special`` (SO subtype),
        ``grz``, ``gfz``, ``gfz_min``, ``gfz_max``, ``storeys`` (``Z``), ``bmz`` (NaN where
        the plan gives none) and ``geometry`` (Polygon/MultiPolygon).
    notes
        Findings that do not stop reading: missing GRZ/GFZ, repaired polygons, overlays,
        ignored elements.
    """

    name: str
    number: str
    version: str
    kind: Literal["BP", "FP"]
    areas: gpd.GeoDataFrame
    notes: list[str]


def read_xplan(path: Path, *, crs: CRS | str) -> XPlan:
    """Read the designated areas of one XPlanGML plan, reprojected to ``crs``.

    Parameters
    ----------
    path
        An XPlanGML file (``xplan:XPlanAuszug``) with one ``BP_Plan`` or ``FP_Plan``.
    crs
        CRS of the returned areas, usually the municipality's (``'EPSG:25832'``).

    Returns
    -------
    XPlan
        The plan with one row per area element and the notes a planner must read.

    Raises
    ------
    XPlanError
        Not well-formed XML, not XPlanGML, no or several plans, no area element, values
        the standard forbids, a geometry without CRS or with unreadable coordinates; the
        message names the file and the ``gml:id``.
    DataFileError
        The file does not exist.
    """
    root = _parse(path)
    namespace, version = _namespace(root, path)
    features = _features(root)
    plan, kind = _plan(features, path)
    reader = _Reader(path, namespace, parse_crs(crs), _document_srs(root))
    rows = [
        row
        for feature in features
        if feature is not plan and (row := reader.area(feature)) is not None
    ]
    if not rows:
        raise XPlanError(
            f"{path}: the {etree.QName(plan).localname} has no area element to read",
            hint="Expected designated areas such as BP_BaugebietsTeilFlaeche or "
            f"FP_BebauungsFlaeche; read are: {', '.join(AREA_ELEMENTS)}.",
        )
    areas = gpd.GeoDataFrame(rows, columns=_COLUMNS, geometry="geometry", crs=reader.target)
    return XPlan(
        name=_text(plan, namespace, "name"),
        number=_text(plan, namespace, "nummer"),
        version=version,
        kind=kind,
        areas=areas,
        notes=[*reader.notes, *_ignored_note(reader.ignored)],
    )


def _parse(path: Path) -> Any:
    """Parse the whole document (plans are small) and return its root element.

    A fresh parser per call, because lxml parsers are not thread-safe and the web server
    reads plans from worker threads.
    """
    require_file(path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        return etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise XPlanError(
            f"{path}: not well-formed XML: {one_line(exc.msg or str(exc))}",
            hint="The file is truncated or not XML at all; export the plan again as XPlanGML.",
        ) from None


def _namespace(root: Any, path: Path) -> tuple[str, str]:
    """The XPlanGML namespace and its version ('6.0'); only GML 3.2 versions (4.0+) are read."""
    for namespace in (etree.QName(root).namespace, *root.nsmap.values()):
        match = _XPLAN_NAMESPACE.match(namespace or "")
        if match:
            version = f"{match[1]}.{match[2]}"
            if int(match[1]) < 4:
                raise XPlanError(
                    f"{path}: XPlanGML {version} (GML 3.1) is not supported",
                    hint="Convert the plan to XPlanGML 5.4 or 6.0 first.",
                )
            return match[0], version
    raise XPlanError(
        f"{path}: not XPlanGML (root element {etree.QName(root).localname!r} in namespace "
        f"{etree.QName(root).namespace!r})",
        hint="An XPlanGML plan is an xplan:XPlanAuszug in the namespace "
        "http://www.xplanung.de/xplangml/<major>/<minor>; CityGML and CityJSON building "
        "models are read by layers.citygml and layers.cityjson.",
    )


def _features(root: Any) -> list[Any]:
    """Every feature of the document, whatever the member element (featureMember(s), wfs)."""
    return [
        feature
        for member in root.iterchildren(tag=etree.Element)
        if etree.QName(member).localname != "boundedBy"
        for feature in member.iterchildren(tag=etree.Element)
    ]


def _plan(features: list[Any], path: Path) -> tuple[Any, Literal["BP", "FP"]]:
    """The one plan element and its kind; other plan kinds are named in the error."""
    plans = [f for f in features if etree.QName(f).localname.endswith("_Plan")]
    if len(plans) != 1:
        found = ", ".join(f"{etree.QName(p).localname} {p.get(_GML_ID)}" for p in plans)
        raise XPlanError(
            f"{path}: expected one plan, found {len(plans)}{': ' + found if found else ''}",
            hint="Read one BP_Plan or FP_Plan per file; split a collection of plans first.",
        )
    element = etree.QName(plans[0]).localname
    if element not in _PLAN_KINDS:
        raise XPlanError(
            f"{path}: {element} {plans[0].get(_GML_ID)} is neither a Bebauungsplan nor a "
            "Flächennutzungsplan",
            hint="Only BP_Plan and FP_Plan designate building land; RP, LP and SO plans are "
            "not read.",
        )
    return plans[0], _PLAN_KINDS[element]


def _document_srs(root: Any) -> str | None:
    """The document's srsName (root attribute or envelope), the last fallback for geometries."""
    envelope = root.find(f"{{{_GML}}}boundedBy/{{{_GML}}}Envelope")
    return root.get("srsName") or (envelope.get("srsName") if envelope is not None else None)


def _text(element: Any, namespace: str, name: str) -> str:
    """Stripped text of the child ``xplan:<name>``, '' when it is missing."""
    child = element.find(f"{{{namespace}}}{name}")
    return (child.text or "").strip() if child is not None else ""


def _ignored_note(ignored: Counter[str]) -> list[str]:
    """One note counting the elements not read, most frequent first."""
    if not ignored:
        return []
    return ["ignored: " + ", ".join(f"{n} {name}" for name, n in ignored.most_common())]


@dataclass
class _Reader:
    """Turns area elements into table rows; collects notes and ignored elements on the way."""

    path: Path
    namespace: str
    target: CRS
    document_srs: str | None
    notes: list[str] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)
    _transformers: dict[str, tuple[bool, Transformer]] = field(default_factory=dict)

    def area(self, feature: Any) -> dict[str, Any] | None:
        """The row of one feature, or None for a Bereich or an element not read."""
        element = etree.QName(feature).localname
        if element.endswith("_Bereich"):
            return None
        kind = AREA_ELEMENTS.get(element)
        if kind is None:
            self.ignored[element] += 1
            return None
        label = f"{element} {feature.get(_GML_ID)}"
        geometry = self._geometry(feature, label)
        if geometry is None:
            self.ignored[f"{element} (point or line)"] += 1
            return None
        if _text(feature, self.namespace, "flaechenschluss") in ("false", "0"):
            self.notes.append(f"{label}: overlay (flaechenschluss false), may overlap areas")
        row: dict[str, Any] = {
            "source_id": feature.get(_GML_ID),
            "element": element,
            "geometry": geometry,
        }
        row.update(self._measures(feature, label))
        if kind == _BUILDING:
            row.update(self._building_type(feature, label))
            self._note_missing(row, label)
        else:
            row.update(area_type=kind, special="")
        return row

    def _error(self, label: str, problem: str, hint: str) -> XPlanError:
        return XPlanError(f"{self.path}: {label}: {problem}", hint=hint)

    # -- attributes ------------------------------------------------------------------

    def _measures(self, feature: Any, label: str) -> dict[str, float]:
        """GRZ, GFZ (or its range), BMZ and Z as floats, NaN where the plan says nothing."""
        values = {column: self._decimal(feature, name, label) for column, name in _MEASURES.items()}
        if not math.isnan(values["gfz"]) and not (
            math.isnan(values["gfz_min"]) and math.isnan(values["gfz_max"])
        ):
            raise self._error(
                label,
                "has GFZ and GFZmin/GFZmax; XPlanGML allows either a GFZ or a range",
                "Keep <xplan:GFZ> for a maximum, or <xplan:GFZmin>/<xplan:GFZmax> for a range.",
            )
        return {**values, "storeys": self._storeys(feature, label)}

    def _decimal(self, feature: Any, name: str, label: str) -> float:
        """A decimal measure; GRZ must lie in (0, 1], the others be positive."""
        text = _text(feature, self.namespace, name)
        if not text:
            return math.nan
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        upper = 1.0 if name == "GRZ" else math.inf
        if not (math.isfinite(value) and 0 < value <= upper):
            bounds = "a decimal between 0 and 1" if name == "GRZ" else "a positive decimal"
            raise self._error(
                label,
                f"{name} {text!r} is not {bounds}",
                "XPlanGML writes decimals with a point and the GRZ as a fraction: "
                "<xplan:GRZ>0.4</xplan:GRZ> for 40 %.",
            )
        return value

    def _storeys(self, feature: Any, label: str) -> float:
        """``Z``, the maximum number of full storeys: a positive integer, or NaN if absent."""
        text = _text(feature, self.namespace, "Z")
        if not text:
            return math.nan
        if not text.isdecimal() or int(text) == 0:
            raise self._error(
                label,
                f"Z {text!r} is not a positive whole number of storeys",
                "Write the number of full storeys as an integer: <xplan:Z>3</xplan:Z>.",
            )
        return float(text)

    def _building_type(self, feature: Any, label: str) -> dict[str, str]:
        """BauNVO area type and SO subtype from the specific or, failing that, the general use."""
        general = _text(feature, self.namespace, "allgArtDerBaulNutzung")
        specific = _text(feature, self.namespace, "besondereArtDerBaulNutzung")
        if specific:
            if specific not in _BESONDERE_ART:
                raise self._error(
                    label,
                    f"besondereArtDerBaulNutzung {specific} is not a code of XPlanGML",
                    f"Use one of {', '.join(_BESONDERE_ART)}.",
                )
            area_type, special, required = _BESONDERE_ART[specific]
            if general and required and general != required:
                raise self._error(
                    label,
                    f"besondereArtDerBaulNutzung {specific} ({area_type}) does not belong to "
                    f"allgArtDerBaulNutzung {general}, it requires {required}",
                    "Correct one of the two codes; BauNVO § 1 groups WS/WR/WA/WB under 1000, "
                    "MD/MDW/MI/MU/MK under 2000, GE/GI under 3000 and SO under 4000.",
                )
            return {"area_type": area_type, "special": special}
        if general:
            if general not in _ALLGEMEINE_ART:
                raise self._error(
                    label,
                    f"allgArtDerBaulNutzung {general} is not a code of XPlanGML",
                    f"Use one of {', '.join(_ALLGEMEINE_ART)}.",
                )
            return {"area_type": _ALLGEMEINE_ART[general], "special": ""}
        self.notes.append(f"{label}: no allgArtDerBaulNutzung or besondereArtDerBaulNutzung")
        return {"area_type": "other", "special": ""}

    def _note_missing(self, row: dict[str, Any], label: str) -> None:
        """Say which density values the plan leaves open (the model uses BauNVO § 17)."""
        if math.isnan(row["grz"]):
            self.notes.append(f"{label}: no GRZ in the plan")
        if all(math.isnan(row[c]) for c in ("gfz", "gfz_min", "gfz_max")):
            self.notes.append(f"{label}: no GFZ in the plan")

    # -- geometry --------------------------------------------------------------------

    def _geometry(self, feature: Any, label: str) -> shapely.Geometry | None:
        """The feature's surface in the target CRS; None for points and lines where allowed."""
        position = feature.find(f"{{{self.namespace}}}position")
        shape = (
            next(position.iterchildren(tag=etree.Element), None) if position is not None else None
        )
        if shape is None:
            raise self._error(label, "has no geometry (xplan:position)", "Draw the area.")
        surfaces = list(shape.iter(f"{{{_GML}}}Polygon", f"{{{_GML}}}PolygonPatch"))
        if not surfaces:
            if etree.QName(feature).localname in _VARIABLE_GEOMETRY:
                return None
            raise self._error(
                label,
                f"xplan:position holds a gml:{etree.QName(shape).localname}, not a surface",
                "Area elements need a gml:Polygon or gml:MultiSurface.",
            )
        srs_name = self._srs_name(feature, shape, label)
        polygons = [self._polygon(surface, srs_name, label) for surface in surfaces]
        geometry = polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)
        return self._valid(geometry, label)

    def _srs_name(self, feature: Any, shape: Any, label: str) -> str:
        """The CRS name of the geometry: on it or a part, else the feature's or document's envelope.

        XPlanGML writers put the ``srsName`` in any of these places.
        """
        inner = shape.xpath("(descendant-or-self::*/@srsName)[1]")
        envelope = feature.find(f"{{{_GML}}}boundedBy/{{{_GML}}}Envelope")
        for candidate in (
            inner[0] if inner else None,
            envelope.get("srsName") if envelope is not None else None,
            self.document_srs,
        ):
            if candidate:
                return str(candidate)
        raise self._error(
            label,
            "its geometry has no CRS (no srsName on it, its envelope or the document)",
            'Add srsName="EPSG:25832" (or the plan\'s CRS) to the gml:Polygon or to the '
            "gml:Envelope of the xplan:XPlanAuszug.",
        )

    def _polygon(self, surface: Any, srs_name: str, label: str) -> shapely.Polygon:
        """One gml:Polygon/PolygonPatch with its holes, reprojected."""
        boundaries = surface.findall(f"{{{_GML}}}exterior") + surface.findall(f"{{{_GML}}}interior")
        rings = []
        for boundary in boundaries:
            ring = next(boundary.iterchildren(tag=etree.Element), None)
            points = _ring_points(ring, self.path, label) if ring is not None else np.empty((0, 2))
            if len(points) < 4:
                raise self._error(
                    label, "a polygon ring has fewer than 4 points", "Check the gml:posList."
                )
            rings.append(self._project(points, srs_name, label))
        if not rings:
            raise self._error(label, "a polygon has no gml:exterior", "Check the geometry.")
        return shapely.Polygon(rings[0], rings[1:])

    def _project(
        self, points: NDArray[np.float64], srs_name: str, label: str
    ) -> NDArray[np.float64]:
        """Coordinates in the target CRS (x, y order), one transformer per srsName."""
        if srs_name not in self._transformers:
            self._transformers[srs_name] = self._transformer(srs_name, label)
        swap, transformer = self._transformers[srs_name]
        source = points[:, ::-1] if swap else points
        projected = np.column_stack(transformer.transform(source[:, 0], source[:, 1]))
        if not np.isfinite(projected).all():
            raise self._error(
                label,
                f"coordinates cannot be transformed from {srs_name} to {crs_label(self.target)}",
                "Check the srsName and the axis order: EPSG:4326 is written latitude first.",
            )
        return projected

    def _transformer(self, srs_name: str, label: str) -> tuple[bool, Transformer]:
        """Whether the file writes this CRS northing/latitude first, and the transformer.

        Geographic CRSs follow their authority's axis order (EPSG:4326 is lat/lon in GML);
        projected ones are written easting first in German XPlanGML, whatever EPSG says
        (Gauß-Krüger EPSG:31467 lists northing first, files write Rechtswert first).
        """
        try:
            source = horizontal(parse_crs(srs_name))
        except CRSError:
            raise self._error(
                label,
                f"srsName {srs_name!r} is not a CRS that PROJ knows",
                "Write it as 'EPSG:25832', 'urn:ogc:def:crs:EPSG::25832' or "
                "'http://www.opengis.net/def/crs/EPSG/0/25832'.",
            ) from None
        swap = source.is_geographic and source.axis_info[0].direction in ("north", "south")
        return swap, Transformer.from_crs(source, self.target, always_xy=True)

    def _valid(self, geometry: shapely.Geometry, label: str) -> shapely.Geometry:
        """The geometry, or its repaired polygonal part (noted); nothing left is an error."""
        if shapely.is_valid(geometry):
            return geometry
        reason = shapely.is_valid_reason(geometry)
        parts = shapely.get_parts(shapely.get_parts(shapely.make_valid(geometry)))
        polygons = [p for p in parts if p.geom_type == "Polygon" and not p.is_empty]
        if not polygons:
            raise self._error(
                label,
                f"the polygon encloses no area ({reason})",
                "Check the coordinates: all points of the ring seem to lie on one line.",
            )
        self.notes.append(f"{label}: invalid polygon repaired ({reason})")
        return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


_SEGMENTS = etree.XPath("g:curveMember/*|g:segments/*", namespaces={"g": _GML})


def _ring_points(element: Any, path: Path, label: str) -> NDArray[np.float64]:
    """Points of a ring or curve: linear parts as written, circular arcs densified."""
    name = etree.QName(element).localname
    if name in ("LinearRing", "LineString", "LineStringSegment"):
        return _coordinates(element, path, label)
    if name in ("Arc", "ArcString"):
        return _arc_string(_coordinates(element, path, label), path, label)
    if name in ("Ring", "Curve"):
        pieces = [_ring_points(child, path, label) for child in _SEGMENTS(element)]
        return np.vstack([pieces[0], *(p[1:] for p in pieces[1:])]) if pieces else np.empty((0, 2))
    raise XPlanError(
        f"{path}: {label}: gml:{name} in a polygon boundary is not supported",
        hint="Write the boundary as gml:LinearRing or gml:Ring of line segments and arcs.",
    )


def _coordinates(element: Any, path: Path, label: str) -> NDArray[np.float64]:
    """x/y pairs from a gml:posList or a sequence of gml:pos (a third dimension dropped)."""
    pos_list = element.find(f"{{{_GML}}}posList")
    try:
        if pos_list is not None:
            values = np.array((pos_list.text or "").split(), dtype=np.float64)
            dimension = _dimension(pos_list)
            if values.size % dimension:
                raise ValueError
            points = values.reshape(-1, dimension)[:, :2]
        else:
            positions = [(p.text or "").split()[:2] for p in element.iterfind(f"{{{_GML}}}pos")]
            points = np.array(positions, dtype=np.float64).reshape(-1, 2)
    except ValueError:
        raise XPlanError(
            f"{path}: {label}: unreadable coordinates in gml:{etree.QName(element).localname}",
            hint="gml:posList holds numbers separated by spaces, srsDimension per point.",
        ) from None
    if not np.isfinite(points).all():
        raise XPlanError(f"{path}: {label}: coordinates are not finite", hint="Check gml:posList.")
    return points


def _dimension(element: Any) -> int:
    """Coordinates per point: ``srsDimension`` of the element or an ancestor (default 2)."""
    for candidate in (element, *element.iterancestors()):
        declared = candidate.get("srsDimension")
        if declared is not None:
            value = int(declared)
            if value < 2:
                raise ValueError(declared)
            return value
    return 2


def _arc_string(points: NDArray[np.float64], path: Path, label: str) -> NDArray[np.float64]:
    """Densify a gml:Arc/ArcString: consecutive point triples, each a circular arc."""
    if len(points) < 3 or len(points) % 2 == 0:
        raise XPlanError(
            f"{path}: {label}: a gml:Arc needs 3, 5, 7, ... points, found {len(points)}",
            hint="Each arc is given by its start, a point on it and its end.",
        )
    arcs = [_arc(points[i], points[i + 1], points[i + 2]) for i in range(0, len(points) - 2, 2)]
    return np.vstack([arcs[0], *(a[1:] for a in arcs[1:])])


def _arc(
    start: NDArray[np.float64], middle: NDArray[np.float64], end: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Points on the circle through three points, from ``start`` via ``middle`` to ``end``.

    Computed relative to ``start`` so that UTM coordinates (10⁶ m) keep their precision.
    Collinear points are a straight line.
    """
    b, c = middle - start, end - start
    cross = b[0] * c[1] - b[1] * c[0]
    if abs(cross) <= 1e-12 * np.hypot(*b) * np.hypot(*c):
        return np.array([start, middle, end])
    bb, cc = b @ b, c @ c
    centre = np.array([c[1] * bb - b[1] * cc, b[0] * cc - c[0] * bb]) / (2 * cross)
    radius = float(np.hypot(*centre))
    first = math.atan2(-centre[1], -centre[0])
    last = math.atan2(c[1] - centre[1], c[0] - centre[0])
    sweep = (last - first) % (2 * math.pi) if cross > 0 else -((first - last) % (2 * math.pi))
    angles = first + np.linspace(0.0, sweep, max(2, math.ceil(abs(sweep) / _ARC_STEP)) + 1)
    points = start + centre + radius * np.column_stack([np.cos(angles), np.sin(angles)])
    points[0], points[-1] = start, end
    return points
