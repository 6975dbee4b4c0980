"""Buildings in the twin's form: 2D footprints with height, storeys, use and provenance.

Heat, shadow, density and floor-area indicators all need the same few facts about a
building, whatever the source: where it stands (footprint), how tall it is, how many
storeys it has and what it is used for. This module turns the three sources German
municipalities have into one table with the columns of :data:`BUILDING_COLUMNS`:

- official 3D building models (LoD1/LoD2) of the surveying offices, delivered as
  CityGML 1.0/2.0 in the AdV profile (:func:`layers.citygml.read_citygml`) or converted
  to CityJSON (:func:`layers.cityjson.read_cityjson`);
- footprints with attributes from OpenStreetMap or any GIS file
  (:func:`normalise_footprints`).

This module holds the table's definition, the use tables, the height rules
(:func:`assemble_rows`, shared by all readers) and the footprint reader. The 3D readers
have modules of their own because each is a parser of its format; they import the
table from here, and remain importable from here too (``buildings.read_citygml``).

Every row says where its height came from (``height_source``): ``measured`` (the
model's ``measuredHeight`` or the vertical extent of its 3D geometry, or a height
attribute), ``storeys`` (storeys × :data:`STOREY_HEIGHT_M`), or ``default``
(:data:`DEFAULT_STOREYS` storeys), so that a planner can tell a surveyed height
from an estimate.

"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from twin.errors import CRSError

if TYPE_CHECKING:  # at run time they are loaded on first use, see __getattr__ at the end
    from layers.citygml import read_citygml as read_citygml
    from layers.cityjson import read_cityjson as read_cityjson

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


ROOF_STOREY_HEIGHT_M: Final = 1.5


DEFAULT_STOREYS: Final = 2


DEFAULT_ANCILLARY_STOREYS: Final = 1


MAX_PLAUSIBLE_HEIGHT_M: Final = 1000.0


MAX_PLAUSIBLE_STOREYS: Final = 200


FLAT_TOLERANCE_M: Final = 0.1


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


_ALKIS_BUILDING_KIND = "31001"


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


def assemble_rows(
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


def empty_rows() -> dict[str, list[Any]]:
    """Column lists a 3D reader appends to, one entry per building part.

    The keys are the ``raw`` columns that :func:`assemble_rows` expects.
    """
    names = ("feature_id", "building_id", "measured", "levels", "roof_levels")
    return {name: [] for name in (*names, "function_code", "use", "ground_z")}


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
    result = assemble_rows(raw.reset_index(drop=True), geometry, crs=CRS(frame.crs), source=source)
    return result.set_axis(data.index)


# ---------------------------------------------------------------------- the 3D readers
#
# read_citygml and read_cityjson live in layers.citygml and layers.cityjson, which import
# this module for the table and assemble_rows. Importing them here at import time would
# be an import cycle, so they are loaded on first access (PEP 562); `buildings.read_citygml`
# and `from layers.buildings import read_cityjson` work as before the readers moved.
_READER_MODULES: Final = {"read_citygml": "layers.citygml", "read_cityjson": "layers.cityjson"}


def __getattr__(name: str) -> Any:
    """The 3D readers, imported from their modules on first access."""
    module = _READER_MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    reader = getattr(importlib.import_module(module), name)
    globals()[name] = reader
    return reader
