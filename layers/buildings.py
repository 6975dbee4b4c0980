"""Buildings in the twin's form: 2D footprints with height, storeys, use and provenance.

Heat, shadow, density and floor-area indicators all need the same few facts about a
building, whatever the source: where it stands (footprint), how tall it is, how many
storeys it has and what it is used for. This module turns the three sources German
municipalities have into one table with the columns of :data:`BUILDING_COLUMNS`:

- official 3D building models (LoD1/LoD2) of the surveying offices, delivered as
  CityGML 1.0/2.0 in the AdV profile (:func:`read_citygml`) or converted to CityJSON
  (:func:`read_cityjson`);
- footprints with attributes from OpenStreetMap or any GIS file
  (:func:`normalise_footprints`).

Every row says where its height came from (``height_source``): ``measured`` (the
model's ``measuredHeight`` or the vertical extent of its 3D geometry, or a height
attribute), ``storeys`` (storeys × :data:`STOREY_HEIGHT_M`), or ``default``
(:data:`DEFAULT_STOREYS` storeys), so that a planner can tell a surveyed height
from an estimate.

Examples
--------
>>> from pathlib import Path
>>> frame = read_citygml(Path("tests/data/buildings_citygml2.gml"))
>>> frame[["feature_id", "building_id", "height", "storeys", "use"]].values.tolist()
[['BLDG_A', 'BLDG_A', 9.5, 3, 'residential'], ['BLDG_B_1', 'BLDG_B', 12.0, 4, 'mixed'], \
['BLDG_B_2', 'BLDG_B', 6.0, 4, 'mixed']]
>>> frame.crs.to_epsg(), round(float(frame.area.sum()), 1)
(25832, 232.0)
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from lxml import etree
from numpy.typing import NDArray
from pyproj import CRS
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from layers.crs import crs_label, parse_crs
from twin.errors import CRSError, DataFileError, LayerValidationError

logger = logging.getLogger(__name__)

BUILDING_COLUMNS: Final[tuple[str, ...]] = (
    "feature_id",
    "building_id",
    "height",
    "storeys",
    "use",
    "function_code",
    "height_source",
    "ground_z",
    "geometry",
)
"""Columns of every building frame, in this order.

``feature_id`` (str, unique), ``building_id`` (str, the Building a part belongs to),
``height`` (float, metres above ground, > 0), ``storeys`` (Int64, above ground, may be
missing), ``use`` (:class:`BuildingUse` value), ``function_code`` (str or missing: ALKIS
Gebäudefunktion such as ``31001_1000``, or the OSM ``building`` value), ``height_source``
(``measured``, ``storeys`` or ``default``), ``ground_z`` (float, terrain height of the
footprint where the source is 3D, else NaN), ``geometry`` (2D Polygon/MultiPolygon).
"""


class BuildingUse(StrEnum):
    """What a building is used for, in the categories planning indicators need."""

    RESIDENTIAL = "residential"
    MIXED = "mixed"
    COMMERCIAL = "commercial"
    INDUSTRIAL = "industrial"
    PUBLIC = "public"
    AGRICULTURAL = "agricultural"
    ANCILLARY = "ancillary"
    OTHER = "other"


# ---------------------------------------------------------------------- height constants
#
# A "Vollgeschoss" storey is counted as 3.0 m floor to floor. This is an assumption, not
# a norm: the Landesbauordnungen require a clear room height of at least 2.40 m for
# Aufenthaltsräume (e.g. MBO § 47 (1)), residential buildings are typically built with
# 2.50-2.75 m clear height plus 0.25-0.35 m slab, giving 2.8-3.1 m; 3.0 m is the usual
# round value for LoD1 extrusions from storey counts. A roof storey (OSM roof:levels)
# adds half of that, 1.5 m, because the sloping roof encloses about half a full storey.
# Office and industrial buildings have higher storeys (3.5-4.5 m), so heights of such
# buildings derived from storeys are low estimates; they are marked "storeys".
STOREY_HEIGHT_M: Final = 3.0
"""Assumed height of one full storey above ground, floor to floor (metres)."""
ROOF_STOREY_HEIGHT_M: Final = 1.5
"""Assumed height added by one roof storey (``roof:levels``), half a full storey."""
DEFAULT_STOREYS: Final = 2
"""Storeys assumed when a building has neither a height nor a storey count.

Two storeys (6 m) is the typical German detached or semi-detached house, the most common
building; the estimate is marked ``height_source = "default"``."""
DEFAULT_ANCILLARY_STOREYS: Final = 1
"""Storeys assumed for ancillary buildings (garages, sheds) without height or storeys."""
MAX_PLAUSIBLE_HEIGHT_M: Final = 1000.0
"""Heights above this are treated as missing (typos such as "1200" for 12.00 m)."""
MAX_PLAUSIBLE_STOREYS: Final = 200
"""Storey counts above this are treated as missing."""

_FLAT_TOLERANCE_M: Final = 0.1
"""Faces whose vertical extent is within this are horizontal (LoD1/LoD2 ground faces)."""

# ------------------------------------------------------------------ ALKIS function codes

ALKIS_FUNCTION_USE: Final[tuple[tuple[int, int, BuildingUse, str], ...]] = (
    # (first code, last code, use, what the codes are). First matching row wins, so
    # single-code exceptions come before their range.
    # Source: AdV, GeoInfoDok, ALKIS-Objektartenkatalog, AX_Gebaeude, attribute
    # "gebaeudefunktion" (AX_Gebaeudefunktion); the AdV CityGML profile writes it as
    # "31001_<code>" (31001 = object kind AX_Gebaeude).
    (1313, 1313, BuildingUse.ANCILLARY, "Gartenhaus"),
    (2612, 2612, BuildingUse.ANCILLARY, "Toilette"),
    (1000, 1099, BuildingUse.RESIDENTIAL, "Wohngebäude, Wohnhaus, Wohnheim, Kinder-, "
     "Senioren-, Studentenwohnheim"),
    (1100, 1199, BuildingUse.MIXED, "Gemischt genutztes Gebäude mit Wohnen (1110 mit "
     "Gemeinbedarf, 1120 mit Handel und Dienstleistungen, 1130 mit Gewerbe und Industrie)"),
    (1200, 1219, BuildingUse.RESIDENTIAL, "Land- und forstwirtschaftliches Wohngebäude"),
    (1220, 1299, BuildingUse.MIXED, "Land- und forstwirtschaftliches Wohn- und "
     "Betriebsgebäude, Bauernhaus, Wohn- und Wirtschaftsgebäude, Forsthaus"),
    (1300, 1399, BuildingUse.OTHER, "Gebäude zur Freizeitgestaltung, Ferienhaus, "
     "Wochenendhaus (no permanent residents)"),
    (2000, 2099, BuildingUse.COMMERCIAL, "Handel und Dienstleistungen: Büro, Bank, "
     "Geschäftshaus, Kaufhaus, Hotel, Gaststätte, Kino, Messehalle"),
    (2100, 2299, BuildingUse.INDUSTRIAL, "Gewerbe und Industrie: Produktion, Fabrik, "
     "Werkstatt, Tankstelle, Lager, Spedition, Forschung, Mühle"),
    (2300, 2399, BuildingUse.MIXED, "2310 Handel und Dienstleistung mit Wohnen, 2320 "
     "Gewerbe und Industrie mit Wohnen"),
    (2400, 2459, BuildingUse.OTHER, "Betriebsgebäude zu Verkehrsanlagen: Straßenmeisterei, "
     "Stellwerk, Lokschuppen, Flugzeughalle, Bootshaus"),
    (2460, 2469, BuildingUse.ANCILLARY, "Gebäude zum Parken: Parkhaus, Parkdeck, Garage, "
     "Fahrzeughalle, Tiefgarage"),
    (2500, 2699, BuildingUse.INDUSTRIAL, "Versorgung und Entsorgung: Wasserwerk, "
     "Umspannwerk, Heizwerk, Kläranlage, Müllverbrennung"),
    (2700, 2799, BuildingUse.AGRICULTURAL, "Land- und Forstwirtschaft: Scheune, Schuppen, "
     "Stall, Reithalle, Treibhaus, Gewächshaus"),
    (3000, 3099, BuildingUse.PUBLIC, "Öffentliche Zwecke: Verwaltung, Schule, Hochschule, "
     "Kultur, Kirche, Krankenhaus, Kita, Polizei, Feuerwehr, Friedhofsgebäude, Bahnhof"),
    (3100, 3199, BuildingUse.MIXED, "Gebäude für öffentliche Zwecke mit Wohnen"),
    (3200, 3299, BuildingUse.PUBLIC, "Erholung: Sport-, Turnhalle, Hallenbad, Kurbetrieb, "
     "Zoo, botanischer Garten, Schutzhütte"),
    (9998, 9999, BuildingUse.OTHER, "Nach Quellenlage nicht zu spezifizieren, Sonstiges"),
)  # fmt: skip
"""ALKIS Gebäudefunktion code ranges → use. Codes outside every range are ``other``."""

_ALKIS_BUILDING_KIND = "31001"
"""Object-kind prefix of AX_Gebaeude; other prefixes (e.g. 51009 Bauwerk) are ``other``."""


def _alkis_code_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for first, last, use, _what in ALKIS_FUNCTION_USE:
        for code in range(first, last + 1):
            table.setdefault(f"{code:04d}", use.value)
    return table


_ALKIS_CODE_USE: Final = _alkis_code_table()

FUNCTION_WORD_USE: Final[dict[str, BuildingUse]] = {
    # OSM building=* values (OSM wiki, Key:building) and common German words found in
    # free-text "function" attributes. "yes" and unknown words are "other".
    **dict.fromkeys(
        [
            "house", "apartments", "residential", "detached", "semidetached_house",
            "terrace", "bungalow", "dormitory", "farm", "houseboat", "static_caravan",
            "stilt_house", "wohnhaus", "wohngebäude", "wohngebaeude", "einfamilienhaus",
            "mehrfamilienhaus", "reihenhaus", "doppelhaus", "wohnheim",
        ],
        BuildingUse.RESIDENTIAL,
    ),
    **dict.fromkeys(
        ["mixed", "mixed_use", "gemischt", "wohn- und geschäftshaus", "geschäftshaus mit wohnen"],
        BuildingUse.MIXED,
    ),
    **dict.fromkeys(
        [
            "commercial", "retail", "office", "supermarket", "kiosk", "hotel", "shop",
            "bürogebäude", "buerogebaeude", "geschäftshaus", "geschaeftshaus", "hotel",
            "gaststätte", "kaufhaus", "einkaufszentrum", "laden",
        ],
        BuildingUse.COMMERCIAL,
    ),
    **dict.fromkeys(
        [
            "industrial", "warehouse", "factory", "manufacture", "service",
            "transformer_tower", "storage_tank", "digester", "water_tower",
            "fabrik", "lagerhalle", "werkstatt", "produktionsgebäude", "industrie", "gewerbe",
        ],
        BuildingUse.INDUSTRIAL,
    ),
    **dict.fromkeys(
        [
            "public", "civic", "government", "school", "kindergarten", "college",
            "university", "hospital", "church", "chapel", "cathedral", "mosque", "synagogue",
            "temple", "religious", "monastery", "fire_station", "police", "townhall",
            "train_station", "transportation", "sports_hall", "sports_centre", "stadium",
            "grandstand", "riding_hall", "museum", "library", "prison",
            "schule", "kirche", "kita", "kindertagesstätte", "krankenhaus", "rathaus",
            "turnhalle", "sporthalle", "feuerwehr", "verwaltungsgebäude",
        ],
        BuildingUse.PUBLIC,
    ),
    **dict.fromkeys(
        [
            "barn", "cowshed", "farm_auxiliary", "greenhouse", "slurry_tank", "stable",
            "sty", "livestock", "silo", "scheune", "stall", "gewächshaus", "gewaechshaus",
            "treibhaus",
        ],
        BuildingUse.AGRICULTURAL,
    ),
    **dict.fromkeys(
        [
            "garage", "garages", "carport", "parking", "shed", "hut", "roof", "toilets",
            "allotment_house", "boathouse", "schuppen", "gartenhaus", "nebengebäude",
            "nebengebaeude", "tiefgarage", "parkhaus",
        ],
        BuildingUse.ANCILLARY,
    ),
    **{use.value: use for use in BuildingUse},
}  # fmt: skip
"""Free-text function or OSM ``building`` value (lower case) → use."""


# ------------------------------------------------------------------- vectorised parsing

_LENGTH_PATTERN = (
    r"^\s*(?P<num>[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)\s*"
    r"(?P<unit>m|meters?|metres?|ft|feet|foot|')?\s*"
    r"(?:(?P<inch>[0-9]+(?:[.,][0-9]+)?)\s*(?:\"|''|in|inch|inches))?\s*$"
)
_COUNT_PATTERN = r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*$"
_FEET = ("ft", "feet", "foot", "'")


def _to_float(values: pd.Series) -> pd.Series:
    """Any numeric-looking Series as float64 with NaN for missing (never raises)."""
    numbers = pd.to_numeric(values, errors="coerce")
    array = np.asarray(numbers.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")
    return pd.Series(array, index=values.index)


def _is_plain_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _parse_length(values: pd.Series) -> pd.Series:
    """Metres from OSM-style length text: "12", "12.5 m", "12,5"; feet as 40' or 40'6".

    Returns float64 with NaN for missing, unparseable, negative, non-finite or
    implausible (> :data:`MAX_PLAUSIBLE_HEIGHT_M`) values. Never raises.
    """
    if _is_plain_numeric(values):
        metres = _to_float(values)
    else:
        parts = values.astype("string").str.extract(_LENGTH_PATTERN, flags=re.IGNORECASE)
        number = _to_float(parts["num"].str.replace(",", ".", regex=False))
        inches = _to_float(parts["inch"].str.replace(",", ".", regex=False))
        feet = parts["unit"].str.lower().isin(_FEET).fillna(False).to_numpy(dtype=bool)
        metres = number.where(~feet, number * 0.3048 + inches.fillna(0.0) * 0.0254)
        metres = metres.mask(inches.notna() & ~feet)
    plausible = np.isfinite(metres) & (metres >= 0) & (metres <= MAX_PLAUSIBLE_HEIGHT_M)
    return metres.where(plausible)


def _parse_count(values: pd.Series) -> pd.Series:
    """Storey counts ("5", "2.5", 4.0) as float64; NaN if missing or implausible."""
    if _is_plain_numeric(values):
        counts = _to_float(values)
    else:
        text = values.astype("string").str.extract(_COUNT_PATTERN)[0]
        counts = _to_float(text.str.replace(",", ".", regex=False))
    plausible = np.isfinite(counts) & (counts >= 0) & (counts <= MAX_PLAUSIBLE_STOREYS)
    return counts.where(plausible)


def _use_from_function(codes: pd.Series) -> pd.Series:
    """Use for ALKIS codes ("31001_1000", "1000") or words ("apartments"); NA if unknown."""
    text = codes.astype("string").str.strip().str.replace(r"^([0-9]+)\.0*$", r"\1", regex=True)
    alkis = text.str.extract(r"^(?:(?P<kind>[0-9]{5})_)?(?P<code>[0-9]{4})$")
    by_code = alkis["code"].map(_ALKIS_CODE_USE).astype("string")
    other_kind = alkis["kind"].notna() & (alkis["kind"] != _ALKIS_BUILDING_KIND)
    by_code = by_code.mask(other_kind.fillna(False), BuildingUse.OTHER.value)
    by_code = by_code.mask(alkis["code"].notna() & by_code.isna(), BuildingUse.OTHER.value)
    words = {key: use.value for key, use in FUNCTION_WORD_USE.items()}
    by_word = text.str.lower().map(words).astype("string")
    return by_code.fillna(by_word)


def _unique_ids(ids: pd.Series, *, source: str) -> pd.Series:
    """Make ids unique by suffixing later duplicates with ``#2``, ``#3``... (logged)."""
    duplicated = ids.duplicated(keep="first")
    if not duplicated.any():
        return ids
    logger.warning(
        "%s: %d duplicate feature ids (e.g. %r); later ones get a '#n' suffix",
        source,
        int(duplicated.sum()),
        ids[duplicated].iloc[0],
    )
    number = ids.groupby(ids).cumcount() + 1
    unique = ids.where(~duplicated, ids + "#" + number.astype(str))
    while unique.duplicated().any():  # pathological: a suffixed id existed already
        again = unique.duplicated(keep="first")
        unique = unique.where(~again, unique + "#")
    return unique


def _assemble(
    raw: pd.DataFrame, geometry: Iterable[Any], *, crs: CRS, source: str
) -> gpd.GeoDataFrame:
    """Build the final frame from per-row raw facts; heights are decided here, vectorised.

    ``raw`` has columns ``feature_id``, ``building_id``, ``measured`` (metres or NaN),
    ``levels`` and ``roof_levels`` (floats or NaN), ``function_code`` (text or missing),
    ``use`` (explicit use or missing) and ``ground_z``.
    """
    explicit = raw["use"].astype("string").str.strip().str.lower()
    explicit = explicit.where(explicit.isin([u.value for u in BuildingUse]))
    use = explicit.fillna(_use_from_function(raw["function_code"])).fillna(BuildingUse.OTHER.value)

    measured = raw["measured"].astype("float64")
    measured = measured.where(np.isfinite(measured) & (measured > 0))
    levels = raw["levels"].astype("float64")
    from_storeys = levels * STOREY_HEIGHT_M + raw["roof_levels"].fillna(0.0) * ROOF_STOREY_HEIGHT_M
    from_storeys = from_storeys.where(levels.notna() & (from_storeys > 0))
    ancillary = (use == BuildingUse.ANCILLARY.value).to_numpy(dtype=bool)
    default = np.where(ancillary, DEFAULT_ANCILLARY_STOREYS, DEFAULT_STOREYS) * STOREY_HEIGHT_M
    height = measured.fillna(from_storeys).fillna(pd.Series(default, index=raw.index))
    height_source = np.select(
        [measured.notna().to_numpy(), from_storeys.notna().to_numpy()],
        ["measured", "storeys"],
        default="default",
    )
    function_code = raw["function_code"].astype(object)
    function_code = function_code.where(raw["function_code"].notna(), None)
    feature_id = _unique_ids(raw["feature_id"].astype(str), source=source)
    frame = pd.DataFrame(
        {
            "feature_id": feature_id.to_numpy(dtype=object),
            "building_id": raw["building_id"].astype(str).to_numpy(dtype=object),
            "height": height.to_numpy(dtype="float64"),
            "storeys": pd.array(np.floor(levels.to_numpy()), dtype="Float64").astype("Int64"),
            "use": use.to_numpy(dtype=object),
            "function_code": function_code.to_numpy(dtype=object),
            "height_source": height_source.astype(object),
            "ground_z": raw["ground_z"].astype("float64").to_numpy(),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=list(geometry), crs=crs)[list(BUILDING_COLUMNS)]


def _empty_raw() -> dict[str, list[Any]]:
    names = ("feature_id", "building_id", "measured", "levels", "roof_levels")
    return {name: [] for name in (*names, "function_code", "use", "ground_z")}


# ------------------------------------------------------------------ footprint geometry

Face = list[NDArray[np.float64]]
"""One planar face: exterior ring then interior rings, each an (n, 2|3) array."""


def _polygonal(geometry: BaseGeometry | None) -> BaseGeometry | None:
    """The polygonal part of ``geometry`` with positive area, or None."""
    if geometry is None or geometry.is_empty:
        return None
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    parts = shapely.get_parts(shapely.get_parts(geometry))
    polygons = [p for p in parts if p.geom_type == "Polygon" and p.area > 0]
    if not polygons:
        return None
    merged = shapely.union_all(polygons) if len(polygons) > 1 else polygons[0]
    if merged.geom_type in ("Polygon", "MultiPolygon"):
        return merged
    rest = [p for p in shapely.get_parts(merged) if p.geom_type == "Polygon" and p.area > 0]
    return shapely.MultiPolygon(rest) if rest else None


def _union_2d(faces: list[Face]) -> BaseGeometry | None:
    """2D union of faces (their projection to the ground)."""
    polygons = []
    for face in faces:
        if len(face[0]) < 3:
            continue
        polygon = Polygon(face[0][:, :2], [ring[:, :2] for ring in face[1:] if len(ring) >= 3])
        polygons.append(polygon)
    if not polygons:
        return None
    valid = shapely.make_valid(np.asarray(polygons, dtype=object))
    return _polygonal(shapely.union_all(valid))


def _z_range(faces: list[Face]) -> tuple[float, float]:
    """(min z, max z) over all 3D rings; NaNs when the faces are 2D."""
    zs = [face[0][:, 2] for face in faces if face[0].shape[1] == 3]
    if not zs:
        return math.nan, math.nan
    values = np.concatenate(zs)
    return float(values.min()), float(values.max())


def _lowest_flat_faces(faces: list[Face]) -> list[Face]:
    """Horizontal faces at the bottom of a solid: its ground faces."""
    flat = [f for f in faces if f[0].shape[1] == 3 and np.ptp(f[0][:, 2]) <= _FLAT_TOLERANCE_M]
    if not flat:
        return []
    bottom = min(float(f[0][:, 2].max()) for f in flat)
    return [f for f in flat if float(f[0][:, 2].max()) <= bottom + _FLAT_TOLERANCE_M]


@dataclass(frozen=True)
class _Shape:
    footprint: BaseGeometry | None
    ground_z: float
    height: float


def _shape(candidates: list[tuple[str, list[Face]]], *, all_faces: list[Face]) -> _Shape:
    """Footprint from the first candidate that yields an area, and the 3D extent.

    Candidate kinds: ``ground`` (ground surfaces: their union), ``solid`` (the lowest
    horizontal faces, else the 2D union of all faces), ``flat`` (a 2D footprint surface:
    its union), ``roof`` (roof edges: their union, no ground height).
    """
    zmin, zmax = _z_range(all_faces)
    height = zmax - zmin if zmax - zmin > 0 else math.nan
    for kind, faces in candidates:
        if not faces:
            continue
        if kind == "solid":
            lowest = _lowest_flat_faces(faces)
            footprint = _union_2d(lowest) if lowest else None
            used = lowest
            if footprint is None:
                footprint, used = _union_2d(faces), faces
        else:
            footprint, used = _union_2d(faces), faces
        if footprint is not None:
            ground_z = math.nan if kind == "roof" else _z_range(used)[0]
            return _Shape(footprint, ground_z, height)
    return _Shape(None, math.nan, height)


# ------------------------------------------------------------------------------ CityGML

_GML = "http://www.opengis.net/gml"
_XLINK = "http://www.w3.org/1999/xlink"
_GML_ID = f"{{{_GML}}}id"
_HREF = f"{{{_XLINK}}}href"
_NS = {
    "gml": _GML,
    "xlink": _XLINK,
    "b1": "http://www.opengis.net/citygml/building/1.0",
    "b2": "http://www.opengis.net/citygml/building/2.0",
}
_CORE = ("http://www.opengis.net/citygml/1.0", "http://www.opengis.net/citygml/2.0")
_BUILDING_TAGS = [f"{{{_NS[v]}}}Building" for v in ("b1", "b2")]
_MEMBER_TAGS = [f"{{{core}}}cityObjectMember" for core in _CORE] + [f"{{{_GML}}}featureMember"]
_ENVELOPE_TAG = f"{{{_GML}}}Envelope"


def _xpath(expression: str) -> Any:
    """Compile ``expression`` for both building namespaces ('b:' → 'b1:' | 'b2:')."""
    both = "|".join(expression.replace("b:", prefix) for prefix in ("b1:", "b2:"))
    return etree.XPath(both, namespaces=_NS)


_X_MEASURED = _xpath("b:measuredHeight")
_X_STOREYS = _xpath("b:storeysAboveGround")
_X_FUNCTION = _xpath("b:function")
_X_PARTS = _xpath("b:consistsOfBuildingPart/b:BuildingPart")
_X_BOUNDED = _xpath("b:boundedBy/*")
_X_SOLIDS = [_xpath(f"b:lod{lod}Solid") for lod in (4, 3, 2, 1)]
_X_FOOTPRINT = _xpath("b:lod0FootPrint")
_X_MULTISURFACES = [_xpath(f"b:lod{lod}MultiSurface") for lod in (4, 3, 2, 1)]
_X_ROOF_EDGE = _xpath("b:lod0RoofEdge")
_X_POLYGONS = etree.XPath("descendant-or-self::gml:Polygon", namespaces=_NS)
_X_HREFS = etree.XPath(".//*[@xlink:href]", namespaces=_NS)
_X_IDS = etree.XPath(".//*[@gml:id]", namespaces=_NS)
_X_EXTERIOR = etree.XPath(
    "gml:exterior/gml:LinearRing|gml:outerBoundaryIs/gml:LinearRing", namespaces=_NS
)
_X_INTERIOR = etree.XPath(
    "gml:interior/gml:LinearRing|gml:innerBoundaryIs/gml:LinearRing", namespaces=_NS
)
_X_SRS = etree.XPath("(.//@srsName)[1]")
_POS_LIST = f"{{{_GML}}}posList"
_POS = f"{{{_GML}}}pos"
_COORDINATES = f"{{{_GML}}}coordinates"


class _GeometryError(ValueError):
    """Unreadable coordinates in one element; becomes a DataFileError with the line."""

    def __init__(self, message: str, element: Any) -> None:
        super().__init__(message)
        self.line = element.sourceline


def _floats(text: str | None, element: Any) -> NDArray[np.float64]:
    """Parse whitespace-separated numbers in C (numpy), without a Python float each."""
    try:
        values = np.fromstring(text or "", dtype=np.float64, sep=" ")
    except ValueError:
        raise _GeometryError("coordinates are not numbers", element) from None
    if not np.isfinite(values).all():
        raise _GeometryError("coordinates are not finite", element)
    return values


def _ring(ring: Any) -> NDArray[np.float64]:
    """Coordinates of a gml:LinearRing (posList, pos sequence or legacy coordinates)."""
    pos_list = ring.find(_POS_LIST)
    if pos_list is not None:
        values = _floats(pos_list.text, pos_list)
        declared = pos_list.get("srsDimension") or pos_list.get("dimension")
        dim = (
            int(declared) if declared and declared.isdigit() else (3 if values.size % 3 == 0 else 2)
        )
    elif positions := ring.findall(_POS):
        values = _floats(" ".join(p.text or "" for p in positions), ring)
        dim = values.size // len(positions) if values.size % len(positions) == 0 else 0
    elif (coordinates := ring.find(_COORDINATES)) is not None:
        text = (coordinates.text or "").strip()
        separator = coordinates.get("cs", ",")
        first = text.split(None, 1)[0] if text else ""
        dim = first.count(separator) + 1
        values = _floats(text.replace(separator, " "), coordinates)
    else:
        return np.empty((0, 3))
    if dim not in (2, 3) or values.size % dim:
        raise _GeometryError(f"{values.size} coordinate values do not form 2D or 3D points", ring)
    return values.reshape(-1, dim)


def _polygon_face(polygon: Any) -> Face | None:
    exterior = _X_EXTERIOR(polygon)
    if not exterior:
        return None
    outer = _ring(exterior[0])
    if len(outer) < 3:
        return None
    return [outer, *(r for r in map(_ring, _X_INTERIOR(polygon)) if len(r) >= 3)]


class _IdIndex:
    """gml:id → element within one Building, built on first use (for xlink:href)."""

    def __init__(self, root: Any) -> None:
        self._root = root
        self._ids: dict[str, Any] | None = None

    def __call__(self, reference: str) -> Any:
        if self._ids is None:
            self._ids = {el.get(_GML_ID): el for el in _X_IDS(self._root)}
        return self._ids.get(reference.removeprefix("#"))


def _faces(elements: Iterable[Any], resolve: _IdIndex) -> list[Face]:
    """All polygon faces under ``elements``, following local xlink:href references."""
    faces: list[Face] = []
    for element in elements:
        targets = [element]
        for reference in _X_HREFS(element):
            target = resolve(reference.get(_HREF) or "")
            if target is None:
                logger.debug("unresolved xlink:href %r", reference.get(_HREF))
            else:
                targets.append(target)
        for target in targets:
            for polygon in _X_POLYGONS(target):
                face = _polygon_face(polygon)
                if face is not None:
                    faces.append(face)
    return faces


@dataclass
class _Attributes:
    measured: float = math.nan
    storeys: float = math.nan
    function: str | None = None
    inherited_measured: float = math.nan

    def inherit(self, parent: _Attributes) -> _Attributes:
        """Fill what this part lacks from its parent (measured height only as a fallback)."""
        return _Attributes(
            measured=self.measured,
            storeys=parent.storeys if math.isnan(self.storeys) else self.storeys,
            function=self.function or parent.function,
            inherited_measured=(
                parent.inherited_measured if math.isnan(parent.measured) else parent.measured
            ),
        )


def _number(text: str | None) -> float:
    try:
        return float(text) if text is not None else math.nan
    except ValueError:
        return math.nan


def _first_text(xpath: Any, element: Any) -> str | None:
    found = xpath(element)
    text = found[0].text if found else None
    return text.strip() if text and text.strip() else None


def _citygml_attributes(element: Any) -> _Attributes:
    return _Attributes(
        measured=_number(_first_text(_X_MEASURED, element)),
        storeys=_number(_first_text(_X_STOREYS, element)),
        function=_first_text(_X_FUNCTION, element),
    )


def _citygml_shape(element: Any, resolve: _IdIndex) -> _Shape:
    """Footprint and 3D extent of one Building or BuildingPart (without its parts)."""
    bounded = _X_BOUNDED(element)
    ground = _faces((s for s in bounded if etree.QName(s).localname == "GroundSurface"), resolve)
    other_bounded = _faces(
        (s for s in bounded if etree.QName(s).localname != "GroundSurface"), resolve
    )
    solids = [_faces(xpath(element), resolve) for xpath in _X_SOLIDS]
    solid = next((faces for faces in solids if faces), [])
    footprint = _faces(_X_FOOTPRINT(element), resolve)
    surfaces = next((f for f in (_faces(x(element), resolve) for x in _X_MULTISURFACES) if f), [])
    roof_edge = _faces(_X_ROOF_EDGE(element), resolve)
    candidates = [
        ("ground", ground),
        ("solid", solid),
        ("flat", footprint),
        ("solid", surfaces),
        ("solid", other_bounded),
        ("roof", roof_edge),
    ]
    all_faces = [*ground, *other_bounded, *solid, *footprint, *surfaces]
    return _shape(candidates, all_faces=all_faces)


@dataclass
class _Collector:
    """Rows of a building frame, collected one object at a time."""

    source: str
    raw: dict[str, list[Any]] = field(default_factory=_empty_raw)
    geometry: list[BaseGeometry] = field(default_factory=list)
    without_footprint: list[str] = field(default_factory=list)
    buildings: int = 0

    def add(self, feature_id: str, building_id: str, attrs: _Attributes, shape: _Shape) -> None:
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

    def frame(self, crs: CRS) -> gpd.GeoDataFrame:
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
        return _assemble(pd.DataFrame(self.raw), self.geometry, crs=crs, source=self.source)


def _walk_parts(
    building_id: str,
    attrs: _Attributes,
    parts: list[Any],
    children: Callable[[Any], list[Any]],
    own: Callable[[Any], tuple[str, _Attributes]],
) -> Iterator[tuple[Any, str, _Attributes]]:
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


def _citygml_building(building: Any, collector: _Collector) -> None:
    collector.buildings += 1
    resolve = _IdIndex(building)
    building_id = building.get(_GML_ID) or f"building_{collector.buildings}"
    attrs = _citygml_attributes(building)
    parts = _X_PARTS(building)
    shape = _citygml_shape(building, resolve)
    if shape.footprint is not None or not parts:
        collector.add(building_id, building_id, attrs, shape)
    for part, part_id, part_attrs in _walk_parts(
        building_id,
        attrs,
        parts,
        children=_X_PARTS,
        own=lambda p: (p.get(_GML_ID) or "", _citygml_attributes(p)),
    ):
        collector.add(part_id, building_id, part_attrs, _citygml_shape(part, resolve))


def _horizontal(crs: CRS) -> CRS:
    """The horizontal part of a (compound) CRS, as a plain EPSG CRS where it has a code."""
    horizontal = crs.sub_crs_list[0] if crs.is_compound else crs
    code = horizontal.to_epsg()
    return CRS.from_epsg(code) if code else horizontal


def _parse_file_crs(name: str | int, path: Path) -> CRS:
    """Horizontal CRS of a file's CRS declaration; a CRSError names the file."""
    try:
        return _horizontal(parse_crs(name))
    except CRSError as exc:
        raise CRSError(f"{path}: {exc.message}", hint=exc.hint) from None


def _crs_from_names(names: list[str], path: Path) -> CRS:
    if not names:
        raise CRSError(
            f"{path} declares no coordinate reference system (no srsName on gml:Envelope "
            "or on any geometry)",
            hint="Add srsName to the gml:Envelope of the CityModel, e.g. "
            "'urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH' or 'EPSG:25832'.",
        )
    crss = {name: _parse_file_crs(name, path) for name in dict.fromkeys(names)}
    first = next(iter(crss.values()))
    for name, crs in crss.items():
        if not crs.equals(first, ignore_axis_order=True):
            raise CRSError(
                f"{path} mixes coordinate reference systems: {crs_label(first)} and "
                f"{crs_label(crs)} (srsName {name!r})",
                hint="Split the file by CRS or reproject it (e.g. with citygml-tools).",
            )
    return first


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _xml_message(error: Any) -> str:
    """libxml2's message without the position it appends (we report it ourselves)."""
    message = _one_line(error.msg or str(error))
    return re.sub(r"(?:,?\s*line \d+)+(?:, column \d+)?$", "", message).strip()


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise DataFileError(f"{path}: file not found", hint="Check the layer's path in the config.")


def _stream_citygml(handle: Any, collector: _Collector, srs_names: dict[str, None]) -> str:
    """Feed every Building of an open CityGML file to ``collector``; return the root tag.

    Only the elements listed in ``tag`` produce events (filtered in C). Each city object
    member is cleared after its end tag and earlier siblings are deleted, so the tree in
    memory never holds more than one member.
    """
    context = etree.iterparse(
        handle,
        events=("end",),
        tag=[*_BUILDING_TAGS, *_MEMBER_TAGS, _ENVELOPE_TAG],
        huge_tree=True,
        resolve_entities=False,
        no_network=True,
        remove_comments=True,
    )
    for _event, element in context:
        tag = element.tag
        if tag == _ENVELOPE_TAG:
            if name := element.get("srsName"):
                srs_names.setdefault(name)
        elif tag in _BUILDING_TAGS:
            if not srs_names and (found := _X_SRS(element)):
                srs_names.setdefault(str(found[0]))
            _citygml_building(element, collector)
        else:
            element.clear(keep_tail=True)
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]
    root = getattr(context, "root", None)
    return str(root.tag) if root is not None else "?"


def read_citygml(path: Path) -> gpd.GeoDataFrame:
    """Read the buildings of a CityGML 1.0 or 2.0 file (AdV LoD1/LoD2 profile).

    German surveying offices deliver their official 3D building models (LoD1-DE,
    LoD2-DE) as CityGML tiles of 1-2 km², often hundreds of MB each. The file is read as
    a stream (``lxml.etree.iterparse``) one ``bldg:Building`` at a time and each
    finished building is removed from memory, and coordinates are parsed by numpy, so
    memory stays at the size of the largest building plus the result table.

    One row per ``bldg:BuildingPart``, or per ``bldg:Building`` without parts (a
    Building with parts gets a row of its own only if it has a footprint of its own).
    ``building_id`` is the gml:id of the Building; storeys and function missing on a
    part are taken from its Building.

    Footprint, first that exists: the union of the LoD2+ ``bldg:GroundSurface`` polygons
    (``xlink:href`` references inside the Building are resolved); the lowest horizontal
    faces of the highest-LoD solid (else the 2D union of all its faces);
    ``lod0FootPrint``; the ``lodXMultiSurface``; the thematic surfaces; ``lod0RoofEdge``.

    Height, first that exists: ``bldg:measuredHeight`` (AdV: ground to ridge); the
    vertical extent of the object's own 3D geometry (also "measured", since it is the
    surveyed model); the Building's ``measuredHeight`` for a part without either;
    ``storeysAboveGround`` × :data:`STOREY_HEIGHT_M`; the default.
    ``ground_z`` is the lowest z of the ground surface (or lowest solid face).
    ``use`` follows :data:`ALKIS_FUNCTION_USE` for ``bldg:function`` codes.

    Parameters
    ----------
    path
        CityGML file (``.gml``/``.xml``). The CRS comes from ``srsName`` on the
        ``gml:Envelope`` (else on the first geometry); AdV compound URNs such as
        ``urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH`` give their horizontal EPSG CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`BUILDING_COLUMNS`, 2D footprints, CRS of the file.

    Raises
    ------
    DataFileError
        Missing, unreadable, truncated or not well-formed file, or unreadable coordinates;
        the one-line message names the file and line.
    CRSError
        No ``srsName`` at all, an unknown one, or several different CRSs in one file.
    LayerValidationError
        No building with a footprint in the file.
    """
    _require_file(path)
    collector = _Collector(source=str(path))
    srs_names: dict[str, None] = {}  # distinct srsName values in order of appearance
    try:
        with path.open("rb") as handle:
            root = _stream_citygml(handle, collector, srs_names)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, 0)
        raise DataFileError(
            f"{path} is not well-formed XML (line {line}, column {column}): {_xml_message(exc)}",
            hint="The file is probably truncated or damaged; download or export it again.",
        ) from None
    except _GeometryError as exc:
        raise DataFileError(
            f"{path}, line {exc.line}: {exc}",
            hint="Check the gml:posList/gml:pos values at that line.",
        ) from None
    except OSError as exc:
        raise DataFileError(
            f"{path} cannot be read: {_one_line(str(exc))}", hint="Check the file."
        ) from None
    if collector.buildings == 0:
        raise LayerValidationError(
            f"{path} contains no CityGML 1.0/2.0 bldg:Building (root element {root})",
            hint="Check that this is a CityGML building file (namespace "
            "http://www.opengis.net/citygml/building/1.0 or /2.0).",
        )
    return collector.frame(_crs_from_names(list(srs_names), path))


# ----------------------------------------------------------------------------- CityJSON


def _json_error(path: Path, line: int, column: int, message: str) -> DataFileError:
    return DataFileError(
        f"{path} is not valid JSON (line {line}, column {column}): {message}",
        hint="The file is probably truncated or damaged; export it again (cjio can validate it).",
    )


def _cityjson_crs(document: dict[str, Any], path: Path) -> CRS:
    metadata = document.get("metadata") or {}
    reference = metadata.get("referenceSystem")
    if reference is None and isinstance(metadata.get("crs"), dict):  # CityJSON 0.x
        reference = metadata["crs"].get("epsg")
    if reference in (None, ""):
        raise CRSError(
            f"{path} declares no coordinate reference system (metadata.referenceSystem)",
            hint='Add "metadata": {"referenceSystem": '
            '"https://www.opengis.net/def/crs/EPSG/0/25832"} (cjio crs_assign 25832).',
        )
    return _parse_file_crs(reference if isinstance(reference, str) else int(reference), path)


def _cityjson_vertices(
    vertices: Any, transform: dict[str, Any] | None, path: Path
) -> NDArray[np.float64]:
    try:
        array = np.asarray(vertices if vertices is not None else [], dtype=np.float64)
        array = array.reshape(-1, 3)
        if transform:
            scale = np.asarray(transform["scale"], dtype=np.float64)
            translate = np.asarray(transform["translate"], dtype=np.float64)
            array = array * scale + translate
    except (ValueError, TypeError, KeyError) as exc:
        raise LayerValidationError(
            f"{path}: vertices or transform are not valid CityJSON ({_one_line(str(exc))})",
            hint="Vertices must be [x, y, z] triples; transform needs scale and translate.",
        ) from None
    return array


def _surfaces(geometry: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    """(surface boundaries, semantic value) for every surface of a CityJSON geometry."""
    kind = geometry.get("type")
    boundaries = geometry.get("boundaries") or []
    values = (geometry.get("semantics") or {}).get("values")
    if kind in ("MultiSurface", "CompositeSurface"):
        shells, shell_values = [boundaries], [values]
    elif kind == "Solid":
        shells, shell_values = boundaries, values or [None] * len(boundaries)
    elif kind in ("MultiSolid", "CompositeSolid"):
        shells, shell_values = [], []
        for solid, solid_values in zip(boundaries, values or [None] * len(boundaries), strict=True):
            shells.extend(solid)
            shell_values.extend(solid_values or [None] * len(solid))
    else:
        return
    for shell, shell_value in zip(shells, shell_values, strict=True):
        for number, surface in enumerate(shell):
            yield surface, (shell_value[number] if shell_value is not None else None)


def _lod(geometry: dict[str, Any]) -> float:
    try:
        return float(str(geometry.get("lod", 0)))
    except ValueError:
        return 0.0


def _indices(ring: Any) -> NDArray[np.intp]:
    indices = np.asarray(ring, dtype=np.intp)
    if indices.ndim != 1 or (indices < 0).any():
        raise IndexError(f"ring {ring!r} is not a list of vertex indices")
    return indices


def _cityjson_shape(obj: dict[str, Any], vertices: NDArray[np.float64]) -> _Shape:
    geometries = [g for g in obj.get("geometry") or [] if g.get("type") != "GeometryInstance"]
    if not geometries:
        return _Shape(None, math.nan, math.nan)
    geometry = max(geometries, key=_lod)
    semantic_types = [s.get("type") for s in (geometry.get("semantics") or {}).get("surfaces", [])]
    ground: list[Face] = []
    faces: list[Face] = []
    for surface, value in _surfaces(geometry):
        face = [vertices[_indices(ring)] for ring in surface]
        if not face or len(face[0]) < 3:
            continue
        faces.append(face)
        if value is not None and semantic_types[value] == "GroundSurface":
            ground.append(face)
    return _shape([("ground", ground), ("solid", faces)], all_faces=faces)


def _attribute_number(attributes: dict[str, Any], name: str) -> float:
    value = attributes.get(name)
    return math.nan if value is None else _number(str(value))


def _cityjson_attributes(obj: dict[str, Any]) -> _Attributes:
    attributes = obj.get("attributes") or {}
    function = attributes.get("function")
    if isinstance(function, list):
        function = function[0] if function else None
    text = str(function).strip() if function is not None else ""
    return _Attributes(
        measured=_attribute_number(attributes, "measuredHeight"),
        storeys=_attribute_number(attributes, "storeysAboveGround"),
        function=text or None,
    )


def _cityjson_objects(
    objects: dict[str, Any], vertices: NDArray[np.float64], collector: _Collector, where: str
) -> None:
    """Add the Buildings and BuildingParts of one CityObjects mapping to ``collector``."""

    def children(part_id: Any) -> list[Any]:
        part = objects.get(part_id) or {}
        return [c for c in part.get("children") or [] if type_of(c) == "BuildingPart"]

    def type_of(object_id: Any) -> str | None:
        obj = objects.get(object_id)
        return obj.get("type") if isinstance(obj, dict) else None

    def own(part_id: Any) -> tuple[str, _Attributes]:
        return str(part_id), _cityjson_attributes(objects[part_id])

    seen: set[str] = set()
    current = ""  # the object being read, for the message
    try:
        for object_id, obj in objects.items():
            if not isinstance(obj, dict) or obj.get("type") != "Building":
                continue
            current = object_id
            collector.buildings += 1
            attrs = _cityjson_attributes(obj)
            parts = children(object_id)
            shape = _cityjson_shape(obj, vertices)
            if shape.footprint is not None or not parts:
                collector.add(object_id, object_id, attrs, shape)
            for part_id, part_feature_id, part_attrs in _walk_parts(
                object_id, attrs, parts, children=children, own=own
            ):
                seen.add(part_id)
                current = part_feature_id
                shape = _cityjson_shape(objects[part_id], vertices)
                collector.add(part_feature_id, object_id, part_attrs, shape)
        for object_id, obj in objects.items():  # parts whose Building is not in the file
            if (
                isinstance(obj, dict)
                and obj.get("type") == "BuildingPart"
                and object_id not in seen
            ):
                parents = obj.get("parents") or []
                if any(type_of(p) == "BuildingPart" for p in parents):
                    continue  # reached through its parent part, or an orphan chain
                current = object_id
                building_id = str(parents[0]) if parents else object_id
                attrs = _cityjson_attributes(obj)
                collector.add(object_id, building_id, attrs, _cityjson_shape(obj, vertices))
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        raise LayerValidationError(
            f"{where}: CityObject {current!r} has invalid geometry or attributes "
            f"({type(exc).__name__}: {_one_line(str(exc))})",
            hint="Validate the file with cjio (cjio FILE validate) and fix the reported objects.",
        ) from None


def _cityjson_header(document: Any, path: Path, *, expected: str = "CityJSON") -> dict[str, Any]:
    if not isinstance(document, dict) or document.get("type") != expected:
        found = document.get("type") if isinstance(document, dict) else type(document).__name__
        raise LayerValidationError(
            f"{path} is not {expected} (type {found!r})",
            hint="Expected a CityJSON 1.1/2.0 file (.city.json) or CityJSONSeq (.city.jsonl).",
        )
    return document


def _read_cityjson_seq(path: Path, collector: _Collector) -> CRS:
    """CityJSONSeq: a CityJSON header line, then one CityJSONFeature per line."""
    crs: CRS | None = None
    transform: dict[str, Any] | None = None
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                document = json.loads(line)
            except json.JSONDecodeError as exc:
                raise _json_error(path, number, exc.colno, exc.msg) from None
            if crs is None:
                header = _cityjson_header(document, path)
                crs = _cityjson_crs(header, path)
                transform = header.get("transform")
                continue
            feature = _cityjson_header(document, path, expected="CityJSONFeature")
            vertices = _cityjson_vertices(feature.get("vertices"), transform, path)
            objects = feature.get("CityObjects") or {}
            _cityjson_objects(objects, vertices, collector, where=f"{path}, line {number}")
    if crs is None:
        raise DataFileError(f"{path} is empty", hint="Export the CityJSONSeq file again.")
    return crs


def read_cityjson(path: Path) -> gpd.GeoDataFrame:
    """Read the buildings of a CityJSON 1.1/2.0 file or a CityJSONSeq (``.city.jsonl``).

    CityJSON is the compact JSON encoding of CityGML that tools such as cjio, 3DBAG and
    the AdV converters write; integer vertices are turned into coordinates with the
    file's ``transform`` (``scale`` and ``translate``). A CityJSON document is one JSON
    object and is read whole; CityJSONSeq is read line by line, one feature at a time,
    and suits large areas.

    Rows, ids, inheritance and heights follow :func:`read_citygml`, from the
    attributes ``measuredHeight``, ``storeysAboveGround`` and ``function`` (ALKIS code
    or free text, see :data:`FUNCTION_WORD_USE`); ``roofType`` and other attributes are
    not part of the building frame. Of each object's geometries the one with the
    highest LoD is used: its footprint is the union of its ``GroundSurface`` surfaces,
    else of its lowest horizontal faces, else the 2D union of all its faces.
    Geometry templates (``GeometryInstance``) are not used.

    Parameters
    ----------
    path
        ``.city.json``/``.json`` (CityJSON) or ``.jsonl`` (CityJSONSeq; also detected
        from the content). The CRS comes from ``metadata.referenceSystem``; a compound
        CRS gives its horizontal part.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`BUILDING_COLUMNS`, 2D footprints, CRS of the file.

    Raises
    ------
    DataFileError
        Missing, unreadable or corrupt JSON; the message names the file, line and column.
    CRSError
        No or unknown ``referenceSystem``.
    LayerValidationError
        Not CityJSON, invalid geometry, or no building with a footprint.
    """
    _require_file(path)
    collector = _Collector(source=str(path))
    try:
        if path.name.lower().endswith(".jsonl"):
            crs = _read_cityjson_seq(path, collector)
            return collector.frame(crs)
        text = path.read_text(encoding="utf-8")
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.msg == "Extra data" and exc.lineno > 1:  # one JSON text per line
                crs = _read_cityjson_seq(path, collector)
                return collector.frame(crs)
            raise _json_error(path, exc.lineno, exc.colno, exc.msg) from None
    except UnicodeDecodeError as exc:
        raise DataFileError(
            f"{path} is not UTF-8 text (byte {exc.start}): {exc.reason}",
            hint="CityJSON must be UTF-8 encoded; the file may be damaged or not CityJSON.",
        ) from None
    except OSError as exc:
        if isinstance(exc, DataFileError):
            raise
        raise DataFileError(
            f"{path} cannot be read: {_one_line(str(exc))}", hint="Check the file."
        ) from None
    header = _cityjson_header(document, path)
    crs = _cityjson_crs(header, path)
    vertices = _cityjson_vertices(header.get("vertices"), header.get("transform"), path)
    objects = header.get("CityObjects") or {}
    if not isinstance(objects, dict):
        raise LayerValidationError(f"{path}: CityObjects is not a JSON object")
    _cityjson_objects(objects, vertices, collector, where=str(path))
    return collector.frame(crs)


# ------------------------------------------------------------------- other footprints

_ID_COLUMNS = ("feature_id", "id", "@id", "osm_id", "gml_id", "fid")


def _column(frame: pd.DataFrame, *names: str) -> pd.Series:
    """The first of ``names`` that is a column, else an all-missing column."""
    for name in names:
        if name in frame.columns:
            return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="object")


def normalise_footprints(frame: gpd.GeoDataFrame, *, source: str) -> gpd.GeoDataFrame:
    """Bring footprints with attributes (OSM or any GIS file) into the building form.

    Municipalities without a 3D model have footprints from OpenStreetMap or the
    cadastre with some of: a height, a storey count, a function. This fills the
    building frame from whatever is there and says how each height was obtained, so
    that heat and density models can run everywhere and planners see which heights are
    estimates. All parsing is vectorised (pandas string methods, ``to_numeric``); an
    unparseable value never raises, it counts as missing.

    Attributes read (first existing column wins):

    - height: ``height`` (OSM text such as ``"12"``, ``"12.5 m"``, ``"12,5"``,
      ``"40'"`` in feet, or numbers). ``min_height`` does not change it (``height`` is
      the top above ground, as in OSM's Simple 3D Buildings), but a height not above
      ``min_height`` is contradictory and counts as missing;
    - storeys: ``storeys``, else ``building:levels``; roof storeys: ``roof:levels``;
    - function: ``function``, else ``building`` (OSM); use: ``use`` if it holds a
      :class:`BuildingUse` value, else from the function (ALKIS code or word,
      :data:`FUNCTION_WORD_USE`), else from OSM ``building:use``, else ``other``;
    - ids: ``feature_id``, ``id`` (OSM ``way/123``), ``@id``, ``osm_id``, ``gml_id``,
      ``fid``, else the row label; ``building_id`` column if present, else the id;
    - ``ground_z``: lowest z of a 3D footprint, else NaN.

    Height: the measured height if valid (> 0); else storeys × :data:`STOREY_HEIGHT_M`
    + roof storeys × :data:`ROOF_STOREY_HEIGHT_M` (``height_source = "storeys"``); else
    :data:`DEFAULT_STOREYS` storeys (:data:`DEFAULT_ANCILLARY_STOREYS` for ancillary
    buildings) × :data:`STOREY_HEIGHT_M` (``"default"``).

    Parameters
    ----------
    frame
        Footprints in any CRS (not reprojected here).
    source
        What the frame is, for messages and the log (e.g. the file name).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`BUILDING_COLUMNS`, one row per polygonal input row, same CRS and
        index. Rows whose geometry is not a Polygon/MultiPolygon (points, lines, empty)
        are not buildings and are left out (logged): report them before calling, e.g.
        with :func:`layers.validate.validate_features`.

    Raises
    ------
    CRSError
        If ``frame`` has no CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> osm = gpd.GeoDataFrame(
    ...     {"id": ["way/1", "way/2", "way/3"], "building": ["apartments", "garage", "yes"],
    ...      "height": ["15.5 m", None, "tall"], "building:levels": ["5", None, "2"],
    ...      "roof:levels": [None, None, "1"]},
    ...     geometry=[box(0, 0, 10, 10), box(20, 0, 23, 6), box(30, 0, 40, 8)],
    ...     crs="EPSG:25832")
    >>> normalise_footprints(osm, source="osm")[
    ...     ["feature_id", "height", "height_source", "storeys", "use"]].values.tolist()
    [['way/1', 15.5, 'measured', 5, 'residential'], ['way/2', 3.0, 'default', <NA>, \
'ancillary'], ['way/3', 7.5, 'storeys', 2, 'other']]
    """
    if frame.crs is None:
        raise CRSError(
            f"{source} has no coordinate reference system",
            hint="Declare the CRS of the footprints (e.g. frame.set_crs('EPSG:25832')).",
        )
    polygonal = frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy(dtype=bool)
    polygonal = polygonal & ~frame.geometry.is_empty.to_numpy(dtype=bool)
    if not polygonal.all():
        logger.info(
            "%s: %d of %d features are not polygons and are not buildings",
            source,
            int((~polygonal).sum()),
            len(frame),
        )
    data = frame.loc[polygonal]
    geometry = data.geometry.to_numpy()

    ids = _column(data, *_ID_COLUMNS).astype("string")
    ids = ids.fillna(pd.Series(data.index.astype(str), index=data.index, dtype="string"))
    building_ids = _column(data, "building_id").astype("string").fillna(ids)

    measured = _parse_length(_column(data, "height"))
    min_height = _parse_length(_column(data, "min_height"))
    measured = measured.mask(min_height.notna() & (measured <= min_height))
    levels = _parse_count(_column(data, "storeys")).fillna(
        _parse_count(_column(data, "building:levels"))
    )
    function = _column(data, "function", "building").astype("string").str.strip()
    function = function.mask(function == "")
    building_use = _use_from_function(_column(data, "building:use"))
    by_function = _use_from_function(function)
    explicit = _column(data, "use").astype("string").str.strip().str.lower()
    explicit = explicit.where(explicit.isin([u.value for u in BuildingUse]))
    specific = by_function.mask(by_function == BuildingUse.OTHER.value)
    use = explicit.fillna(specific).fillna(building_use)

    ground = np.full(len(data), np.nan)
    has_z = shapely.has_z(geometry)
    if has_z.any():
        coords, index = shapely.get_coordinates(geometry[has_z], include_z=True, return_index=True)
        lowest = pd.Series(coords[:, 2]).groupby(index).min()
        ground[np.flatnonzero(has_z)[lowest.index.to_numpy()]] = lowest.to_numpy()
        geometry = shapely.force_2d(geometry)
    ground_z = pd.Series(ground, index=data.index)

    raw = pd.DataFrame(
        {
            "feature_id": ids,
            "building_id": building_ids,
            "measured": measured,
            "levels": levels,
            "roof_levels": _parse_count(_column(data, "roof:levels")),
            "function_code": function,
            "use": use,
            "ground_z": ground_z,
        },
        index=data.index,
    )
    result = _assemble(raw.reset_index(drop=True), geometry, crs=CRS(frame.crs), source=source)
    return result.set_axis(data.index)
