"""Land-use classes of the twin and the tables that map source data onto them.

Every land-use layer, whatever it came from, is stored with one toolkit class per
polygon (:class:`LandUse`), so that indicators, scenario edits and the map legend work the
same in every municipality. The classes follow German planning practice: the building
areas of the Flächennutzungsplan (BauNVO § 1: Wohnbau-, gemischte, gewerbliche
Bauflächen), the Gemeinbedarf, green and open spaces, and the ALKIS domains of the
"tatsächliche Nutzung" (Siedlung, Verkehr, Vegetation, Gewässer). Each class says whether
it counts as Siedlungs- und Verkehrsfläche (SuV), the area the national land-take target
(< 30 ha/day by 2030) is measured in; parks, allotments and cemeteries *are* SuV.

Three sources are mapped, each by one plain ``dict`` in this module:

- ``"osm"``: OpenStreetMap tags (:data:`OSM_LANDUSE`, consulted in the order of
  :data:`OSM_TAG_PRIORITY`);
- ``"alkis"``: ALKIS object classes (``AX_Wohnbauflaeche``), their German names
  ("Wohnbaufläche"), their group codes (``11000``) and object-kind codes (``41001``)
  (:data:`ALKIS_LANDUSE`);
- ``"toolkit"``: the values are already :class:`LandUse` values.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> frame = gpd.GeoDataFrame(
...     {"feature_id": ["a", "b", "c"], "landuse": ["residential", None, "conservation"],
...      "leisure": [None, "park", None]},
...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)], crs="EPSG:25832")
>>> result = classify_landuse(frame, mapping="osm")
>>> result.frame[["feature_id", "landuse", "source_class"]].values.tolist()
[['a', 'residential', 'landuse=residential'], ['b', 'green', 'leisure=park']]
>>> result.unmatched[["feature_id", "reason"]].values.tolist()
[['c', 'no toolkit class for landuse=conservation']]
>>> label(LandUse.GREEN, "de"), LANDUSE_INFO[LandUse.GREEN].suv
('Grünfläche', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import geopandas as gpd
import pandas as pd

from twin.errors import LayerValidationError


class LandUse(StrEnum):
    """The toolkit's land-use classes (stored as their lower-case values)."""

    RESIDENTIAL = "residential"
    MIXED = "mixed"
    COMMERCIAL = "commercial"
    INDUSTRIAL = "industrial"
    PUBLIC = "public"
    GREEN = "green"
    ALLOTMENTS = "allotments"
    CEMETERY = "cemetery"
    SPORT = "sport"
    SEALED_OPEN = "sealed_open"
    TRAFFIC = "traffic"
    AGRICULTURE = "agriculture"
    FOREST = "forest"
    NATURAL = "natural"
    WATER = "water"
    OTHER = "other"


@dataclass(frozen=True)
class LandUseInfo:
    """Legend entry and indicator flag of one :class:`LandUse` class.

    Attributes
    ----------
    label_de, label_en
        Legend labels; German follows the terms of FNP/ALKIS.
    colour
        Map colour as ``#rrggbb``.
    suv
        Whether the class counts as Siedlungs- und Verkehrsfläche (settlement and traffic
        area) in the sense of the German land-take statistics.
    """

    label_de: str
    label_en: str
    colour: str
    suv: bool


LANDUSE_INFO: dict[LandUse, LandUseInfo] = {
    # Colours approximate the conventions of the Planzeichenverordnung (PlanZV 1990,
    # Anlage) used in Flächennutzungsplänen: Wohnbauflächen red, gemischte Bauflächen
    # brown, gewerbliche Bauflächen grey, Gemeinbedarf magenta, Grünflächen green,
    # Wald dark green, Wasserflächen blue, Verkehrsflächen ochre. Exact tints differ
    # between states and plans and are not normative.
    #
    # SuV follows the German land statistics on the basis of ALKIS (Destatis, "Flächen-
    # erhebung nach Art der tatsächlichen Nutzung" since 2016): the Siedlung domain
    # (without mining and quarries) plus the Verkehr domain. Green spaces, allotments,
    # sport grounds and cemeteries are Siedlung and therefore SuV; agriculture, forest,
    # semi-natural vegetation and water are not.
    LandUse.RESIDENTIAL: LandUseInfo("Wohnbaufläche", "Residential", "#e8857a", True),
    LandUse.MIXED: LandUseInfo("Gemischte Baufläche", "Mixed use", "#c99a5b", True),
    LandUse.COMMERCIAL: LandUseInfo(
        "Gewerbe, Handel und Dienstleistung", "Commercial", "#b4b4b4", True
    ),
    LandUse.INDUSTRIAL: LandUseInfo(
        "Industrie, Ver- und Entsorgung", "Industrial and utilities", "#878787", True
    ),
    LandUse.PUBLIC: LandUseInfo("Gemeinbedarf", "Public facilities", "#d17fbf", True),
    LandUse.GREEN: LandUseInfo("Grünfläche", "Green space", "#8cc63f", True),
    LandUse.ALLOTMENTS: LandUseInfo("Kleingärten", "Allotment gardens", "#b9d97c", True),
    LandUse.CEMETERY: LandUseInfo("Friedhof", "Cemetery", "#7fa86b", True),
    LandUse.SPORT: LandUseInfo("Sport- und Freizeitanlage", "Sports and leisure", "#5fbf8f", True),
    LandUse.SEALED_OPEN: LandUseInfo(
        "Platz, Parkplatz (versiegelte Freifläche)",
        "Squares and parking (sealed open space)",
        "#d6d0c4",
        True,
    ),
    LandUse.TRAFFIC: LandUseInfo("Verkehrsfläche", "Roads and railways", "#f2cf6b", True),
    LandUse.AGRICULTURE: LandUseInfo("Landwirtschaft", "Agriculture", "#eef0b5", False),
    LandUse.FOREST: LandUseInfo("Wald", "Forest", "#2e7d32", False),
    LandUse.NATURAL: LandUseInfo(
        "Gehölz, Heide, Moor, Unland", "Scrub, heath, wetland, bare land", "#a8c69f", False
    ),
    LandUse.WATER: LandUseInfo("Gewässer", "Water", "#6fa8dc", False),
    LandUse.OTHER: LandUseInfo("Sonstige Fläche", "Other", "#eeeeee", False),
}
"""Label, colour and SuV flag of every class. ``other`` holds what fits nowhere else
(mining, quarries, military areas) and is not counted as SuV."""


def label(landuse: LandUse | str, lang: Literal["de", "en"] = "de") -> str:
    """Legend label of a class in German (default) or English.

    Raises ``ValueError`` for a value that is not a :class:`LandUse` or an unknown
    language, because a silently wrong legend is worse than an error.
    """
    info = LANDUSE_INFO[LandUse(landuse)]
    if lang == "de":
        return info.label_de
    if lang == "en":
        return info.label_en
    raise ValueError(f"language {lang!r} is not supported; use 'de' or 'en'")


# --------------------------------------------------------------------------- OSM tables

OSM_TAG_PRIORITY: tuple[str, ...] = (
    "landuse",
    "leisure",
    "natural",
    "amenity",
    "water",
    "waterway",
    "place",
    "highway",
    "area:highway",
    "railway",
    "aeroway",
    "power",
    "man_made",
)
"""OSM keys in the order they are consulted; the first key whose value has a mapping wins.

``landuse`` comes first because it describes the whole area; ``leisure`` and ``natural``
refine areas that often carry no ``landuse`` (parks, woods, water); ``amenity`` is last
among the main keys because many amenity polygons are small and sit inside a land-use
polygon (a school inside ``landuse=education`` is classified by ``landuse``)."""

_WILDCARD = "*"

OSM_LANDUSE: dict[str, dict[str, LandUse]] = {
    # Source: OSM wiki pages Key:landuse, Key:leisure, Key:natural, Key:amenity,
    # Key:water (as of 2024), assigned to the toolkit classes by their meaning in
    # German planning. Values missing here are reported per feature, not guessed.
    "landuse": {
        "residential": LandUse.RESIDENTIAL,
        "commercial": LandUse.COMMERCIAL,
        "retail": LandUse.COMMERCIAL,
        "industrial": LandUse.INDUSTRIAL,
        "port": LandUse.INDUSTRIAL,
        "depot": LandUse.INDUSTRIAL,
        "landfill": LandUse.INDUSTRIAL,
        "education": LandUse.PUBLIC,
        "religious": LandUse.PUBLIC,
        "institutional": LandUse.PUBLIC,
        "civic_admin": LandUse.PUBLIC,
        "cemetery": LandUse.CEMETERY,
        "allotments": LandUse.ALLOTMENTS,
        "recreation_ground": LandUse.GREEN,
        "village_green": LandUse.GREEN,
        "grass": LandUse.GREEN,
        "flowerbed": LandUse.GREEN,
        "winter_sports": LandUse.SPORT,
        "garages": LandUse.SEALED_OPEN,
        "railway": LandUse.TRAFFIC,
        "highway": LandUse.TRAFFIC,
        "farmland": LandUse.AGRICULTURE,
        "farmyard": LandUse.AGRICULTURE,
        "meadow": LandUse.AGRICULTURE,
        "orchard": LandUse.AGRICULTURE,
        "vineyard": LandUse.AGRICULTURE,
        "greenhouse_horticulture": LandUse.AGRICULTURE,
        "plant_nursery": LandUse.AGRICULTURE,
        "animal_keeping": LandUse.AGRICULTURE,
        "forest": LandUse.FOREST,
        "basin": LandUse.WATER,
        "reservoir": LandUse.WATER,
        "salt_pond": LandUse.WATER,
        "quarry": LandUse.OTHER,
        "military": LandUse.OTHER,
        "brownfield": LandUse.OTHER,
        "greenfield": LandUse.OTHER,
        "construction": LandUse.OTHER,
    },
    "leisure": {
        "park": LandUse.GREEN,
        "garden": LandUse.GREEN,
        "playground": LandUse.GREEN,
        "dog_park": LandUse.GREEN,
        "common": LandUse.GREEN,
        "pitch": LandUse.SPORT,
        "sports_centre": LandUse.SPORT,
        "stadium": LandUse.SPORT,
        "track": LandUse.SPORT,
        "golf_course": LandUse.SPORT,
        "miniature_golf": LandUse.SPORT,
        "swimming_pool": LandUse.SPORT,
        "water_park": LandUse.SPORT,
        "fitness_centre": LandUse.SPORT,
        "ice_rink": LandUse.SPORT,
        "horse_riding": LandUse.SPORT,
        "schoolyard": LandUse.PUBLIC,
    },
    "natural": {
        "wood": LandUse.FOREST,
        "water": LandUse.WATER,
        "scrub": LandUse.NATURAL,
        "grassland": LandUse.NATURAL,
        "heath": LandUse.NATURAL,
        "wetland": LandUse.NATURAL,
        "bare_rock": LandUse.NATURAL,
        "sand": LandUse.NATURAL,
        "beach": LandUse.NATURAL,
        "scree": LandUse.NATURAL,
        "shingle": LandUse.NATURAL,
        "mud": LandUse.NATURAL,
        # A mapped group of trees in a town is urban greenery, not forest.
        "tree_group": LandUse.GREEN,
    },
    "amenity": {
        "parking": LandUse.SEALED_OPEN,
        "parking_space": LandUse.SEALED_OPEN,
        "bicycle_parking": LandUse.SEALED_OPEN,
        "motorcycle_parking": LandUse.SEALED_OPEN,
        "marketplace": LandUse.SEALED_OPEN,
        "school": LandUse.PUBLIC,
        "kindergarten": LandUse.PUBLIC,
        "college": LandUse.PUBLIC,
        "university": LandUse.PUBLIC,
        "hospital": LandUse.PUBLIC,
        "clinic": LandUse.PUBLIC,
        "townhall": LandUse.PUBLIC,
        "courthouse": LandUse.PUBLIC,
        "fire_station": LandUse.PUBLIC,
        "police": LandUse.PUBLIC,
        "library": LandUse.PUBLIC,
        "community_centre": LandUse.PUBLIC,
        "social_facility": LandUse.PUBLIC,
        "place_of_worship": LandUse.PUBLIC,
        "prison": LandUse.PUBLIC,
        "grave_yard": LandUse.CEMETERY,
        "bus_station": LandUse.TRAFFIC,
        "fuel": LandUse.COMMERCIAL,
    },
    "water": {_WILDCARD: LandUse.WATER},
    "waterway": {
        "riverbank": LandUse.WATER,
        "dock": LandUse.WATER,
        "canal": LandUse.WATER,
        "river": LandUse.WATER,
    },
    "place": {"square": LandUse.SEALED_OPEN},
    "highway": {"pedestrian": LandUse.SEALED_OPEN, "rest_area": LandUse.TRAFFIC},
    "area:highway": {_WILDCARD: LandUse.TRAFFIC},
    "railway": {"station": LandUse.TRAFFIC, "platform": LandUse.TRAFFIC},
    "aeroway": {"aerodrome": LandUse.TRAFFIC, "apron": LandUse.TRAFFIC},
    "power": {"substation": LandUse.INDUSTRIAL, "plant": LandUse.INDUSTRIAL},
    "man_made": {"wastewater_plant": LandUse.INDUSTRIAL, "works": LandUse.INDUSTRIAL},
}
"""OSM key → value → class; ``"*"`` maps every value of a key (``water=*``)."""


# ------------------------------------------------------------------------- ALKIS table

_ALKIS_CLASSES: tuple[tuple[str, str, str, str, LandUse], ...] = (
    # (object class, object-kind code, group code, German name, toolkit class)
    # Source: AdV, GeoInfoDok 6.0, ALKIS-Objektartenkatalog, Objektartenbereich 40000
    # "Tatsächliche Nutzung" (Objektartengruppen Siedlung 41000, Verkehr 42000,
    # Vegetation 43000, Gewässer 44000) and the group codes (Nutzungsartengruppen
    # 11000-44000) of the Flächenerhebung nach Art der tatsächlichen Nutzung.
    ("AX_Wohnbauflaeche", "41001", "11000", "Wohnbaufläche", LandUse.RESIDENTIAL),
    ("AX_IndustrieUndGewerbeflaeche", "41002", "12000", "Industrie- und Gewerbefläche",
     LandUse.INDUSTRIAL),
    ("AX_Halde", "41003", "13000", "Halde", LandUse.INDUSTRIAL),
    ("AX_Bergbaubetrieb", "41004", "14000", "Bergbaubetrieb", LandUse.OTHER),
    ("AX_TagebauGrubeSteinbruch", "41005", "15000", "Tagebau, Grube, Steinbruch",
     LandUse.OTHER),
    ("AX_FlaecheGemischterNutzung", "41006", "16000", "Fläche gemischter Nutzung",
     LandUse.MIXED),
    ("AX_FlaecheBesondererFunktionalerPraegung", "41007", "17000",
     "Fläche besonderer funktionaler Prägung", LandUse.PUBLIC),
    ("AX_SportFreizeitUndErholungsflaeche", "41008", "18000",
     "Sport-, Freizeit- und Erholungsfläche", LandUse.GREEN),
    ("AX_Friedhof", "41009", "19000", "Friedhof", LandUse.CEMETERY),
    ("AX_Strassenverkehr", "42001", "21000", "Straßenverkehr", LandUse.TRAFFIC),
    ("AX_Weg", "42006", "22000", "Weg", LandUse.TRAFFIC),
    ("AX_Platz", "42009", "23000", "Platz", LandUse.SEALED_OPEN),
    ("AX_Bahnverkehr", "42010", "24000", "Bahnverkehr", LandUse.TRAFFIC),
    ("AX_Flugverkehr", "42015", "25000", "Flugverkehr", LandUse.TRAFFIC),
    ("AX_Schiffsverkehr", "42016", "26000", "Schiffsverkehr", LandUse.TRAFFIC),
    ("AX_Landwirtschaft", "43001", "31000", "Landwirtschaft", LandUse.AGRICULTURE),
    ("AX_Wald", "43002", "32000", "Wald", LandUse.FOREST),
    ("AX_Gehoelz", "43003", "33000", "Gehölz", LandUse.NATURAL),
    ("AX_Heide", "43004", "34000", "Heide", LandUse.NATURAL),
    ("AX_Moor", "43005", "35000", "Moor", LandUse.NATURAL),
    ("AX_Sumpf", "43006", "36000", "Sumpf", LandUse.NATURAL),
    ("AX_UnlandVegetationsloseFlaeche", "43007", "37000",
     "Unland/Vegetationslose Fläche", LandUse.NATURAL),
    ("AX_Fliessgewaesser", "44001", "41000", "Fließgewässer", LandUse.WATER),
    ("AX_Hafenbecken", "44005", "42000", "Hafenbecken", LandUse.WATER),
    ("AX_StehendesGewaesser", "44006", "43000", "Stehendes Gewässer", LandUse.WATER),
    ("AX_Meer", "44007", "44000", "Meer", LandUse.WATER),
)  # fmt: skip


def _normalise_key(values: pd.Series) -> pd.Series:
    """Lower-case, umlauts transliterated, ``ax_`` and punctuation removed, ``.0`` dropped.

    This makes "AX_Wohnbauflaeche", "ax_wohnbauflaeche" (as GDAL names NAS layers),
    "Wohnbaufläche" and "Wohnbaufläche " the same key, and ``11000.0`` (a code read
    from a Shapefile's float column) the same as ``11000``.
    """
    text = values.astype("string").str.strip().str.lower()
    text = text.str.replace(r"^(\d+)\.0*$", r"\1", regex=True)
    for umlaut, latin in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.str.replace(umlaut, latin, regex=False)
    text = text.str.replace(r"^ax_", "", regex=True)
    return text.str.replace(r"[^a-z0-9]", "", regex=True)


def _build_alkis_table() -> dict[str, LandUse]:
    table: dict[str, LandUse] = {}
    for object_class, kind_code, group_code, name, landuse in _ALKIS_CLASSES:
        keys = _normalise_key(pd.Series([object_class, name]))
        table.update(dict.fromkeys([*keys, kind_code, group_code], landuse))
    # Short names in common use (and in the wording of the Destatis tables).
    aliases = {
        "Industrie und Gewerbe": LandUse.INDUSTRIAL,
        "Gemischte Nutzung": LandUse.MIXED,
        "Besondere funktionale Prägung": LandUse.PUBLIC,
        "Sport, Freizeit und Erholung": LandUse.GREEN,
        "Unland": LandUse.NATURAL,
        "Vegetationslose Fläche": LandUse.NATURAL,
    }
    table.update(zip(_normalise_key(pd.Series(list(aliases))), aliases.values(), strict=True))
    return table


ALKIS_LANDUSE: dict[str, LandUse] = _build_alkis_table()
"""Normalised ALKIS key → class (keys as produced by ``_normalise_key``).

Accepted spellings of one class: object class ``AX_Wohnbauflaeche`` (any case),
German name "Wohnbaufläche", group code ``11000`` and object-kind code ``41001``. The
two code systems do not collide (groups end in ``000``, object kinds in ``001``-``016``).

Design decisions: ``AX_SportFreizeitUndErholungsflaeche`` (18000) is mapped to
``green`` because in towns most of its area is Grünanlage; the ALKIS attribute
``funktion`` that would separate sport grounds and allotments is not evaluated.
``AX_FlaecheBesondererFunktionalerPraegung`` (17000: administration, education,
health, culture, religion) is the Gemeinbedarf. ``AX_IndustrieUndGewerbeflaeche``
(12000) cannot be split into commercial and industrial without ``funktion`` and is
``industrial``. Mining and quarries (14000, 15000) are ``other``, as they are not SuV.
"""


# ----------------------------------------------------------------------- classification


@dataclass(frozen=True)
class LandUseClassification:
    """Result of :func:`classify_landuse`.

    Attributes
    ----------
    frame
        The classified polygons: all input columns plus ``landuse`` (a :class:`LandUse`
        value as text) and ``source_class`` (the source value as text, e.g.
        ``"landuse=residential"``, ``"AX_Wohnbauflaeche"`` or ``"11000"``).
    unmatched
        The rows that could not be classified, with all input columns (so the caller can
        report them by its own feature id), ``source_class`` (the first source value
        found, or missing if there was none) and ``reason`` (one sentence).
    """

    frame: gpd.GeoDataFrame
    unmatched: gpd.GeoDataFrame


_DEFAULT_CLASS_FIELDS: dict[str, tuple[str, ...]] = {
    "alkis": ("objektart", "nutzart", "nutzung", "objart", "klasse", "class"),
    "toolkit": ("landuse",),
}


def _class_field(frame: gpd.GeoDataFrame, mapping: str, class_field: str | None) -> str:
    candidates = (class_field,) if class_field else _DEFAULT_CLASS_FIELDS[mapping]
    for name in candidates:
        if name in frame.columns:
            return name
    wanted = " or ".join(repr(c) for c in candidates)
    raise LayerValidationError(
        f"land-use layer ({mapping} mapping) has no attribute {wanted}",
        hint=f"Set class_field to the attribute holding the class; attributes are: "
        f"{', '.join(map(str, list(frame.columns)[:30]))}.",
    )


def _classify_osm(
    frame: gpd.GeoDataFrame, class_field: str | None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Classes, source texts and the first tag present (for messages), per row."""
    keys = (class_field,) if class_field else OSM_TAG_PRIORITY
    landuse = pd.Series(pd.NA, index=frame.index, dtype="string")
    source = pd.Series(pd.NA, index=frame.index, dtype="string")
    first_tag = pd.Series(pd.NA, index=frame.index, dtype="string")
    for key in keys:
        if key not in frame.columns:
            continue
        values = frame[key].astype("string").str.strip()
        values = values.mask(values == "")
        table = OSM_LANDUSE.get(key, {})
        if _WILDCARD in table:
            mapped = values.notna().map({True: table[_WILDCARD].value, False: pd.NA})
            mapped = mapped.astype("string")
        else:
            mapped = values.map({k: v.value for k, v in table.items()}).astype("string")
        tag = key + "=" + values
        take = landuse.isna() & mapped.notna()
        landuse = landuse.mask(take, mapped)
        source = source.mask(take, tag)
        first_tag = first_tag.fillna(tag)
    return landuse, source, first_tag


def classify_landuse(
    frame: gpd.GeoDataFrame,
    *,
    mapping: Literal["osm", "alkis", "toolkit"],
    class_field: str | None = None,
) -> LandUseClassification:
    """Assign a toolkit :class:`LandUse` class to every polygon of a land-use layer.

    The classification is a vectorised ``Series.map`` over the mapping tables of this
    module. Nothing is guessed: a row whose source value has no mapping, that has no
    source value at all, or that is not a polygon (land use is an area; a point tagged
    ``amenity=parking`` is not) goes to ``unmatched`` with a reason, so the importer can
    list it by feature id and the administrator can extend the mapping or fix the data.

    Parameters
    ----------
    frame
        Land-use features in any CRS; all columns are kept.
    mapping
        ``"osm"``: OSM tag columns are consulted in the order of
        :data:`OSM_TAG_PRIORITY`; the first key with a mapped value decides.
        ``"alkis"``: :data:`ALKIS_LANDUSE` over object class names, German names or codes.
        ``"toolkit"``: the column already holds :class:`LandUse` values.
    class_field
        Column holding the class. Defaults: ``"toolkit"`` → ``landuse``; ``"alkis"`` → the
        first of ``objektart``, ``nutzart``, ``nutzung``, ``objart``, ``klasse``, ``class``.
        For ``"osm"`` it restricts classification to that one tag key.

    Returns
    -------
    LandUseClassification
        ``frame`` (classified polygons with ``landuse`` and ``source_class``) and
        ``unmatched`` (every other row, with ``source_class`` and ``reason``). Together
        they hold every input row exactly once, with the input's index.

    Raises
    ------
    LayerValidationError
        If the class column of an ``"alkis"`` or ``"toolkit"`` mapping does not exist.
    """
    if mapping not in ("osm", "alkis", "toolkit"):
        raise ValueError(f"mapping must be 'osm', 'alkis' or 'toolkit', not {mapping!r}")
    if mapping == "osm":
        landuse, source, first_tag = _classify_osm(frame, class_field)
        reason = ("no toolkit class for " + first_tag).fillna(
            "no land-use tag ("
            + ", ".join((class_field,) if class_field else OSM_TAG_PRIORITY)
            + ")"
        )
        source = source.fillna(first_tag)
    else:
        field = _class_field(frame, mapping, class_field)
        raw = frame[field]
        source = raw.astype("string").str.strip()
        source = source.mask(source == "")
        source = source.str.replace(r"^(\d+)\.0*$", r"\1", regex=True)
        if mapping == "alkis":
            table = {k: v.value for k, v in ALKIS_LANDUSE.items()}
            landuse = _normalise_key(raw).map(table).astype("string")
        else:
            values = {v.value for v in LandUse}
            normalised = source.str.lower()
            landuse = normalised.where(normalised.isin(values)).astype("string")
        reason = ("no toolkit class for " + field + "=" + source).fillna(f"no value in {field!r}")

    polygonal = frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    geom_type = frame.geometry.geom_type.fillna("no geometry").astype("string")
    reason = reason.mask(~polygonal, "not a polygon (" + geom_type + "): land use is an area")
    matched = landuse.notna().to_numpy() & polygonal

    classified = frame.loc[matched].copy()
    classified["landuse"] = landuse[matched].astype(object).to_numpy()
    classified["source_class"] = source[matched].astype(object).to_numpy()
    unmatched = frame.loc[~matched].copy()
    unmatched["source_class"] = source[~matched].astype(object).to_numpy()
    unmatched["reason"] = reason[~matched].astype(object).to_numpy()
    return LandUseClassification(frame=classified, unmatched=unmatched)
