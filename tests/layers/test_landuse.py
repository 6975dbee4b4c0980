"""Tests of layers/landuse.py: classes, labels, SuV flags and the OSM/ALKIS/toolkit mappings."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from layers.landuse import (
    ALKIS_LANDUSE,
    LANDUSE_INFO,
    OSM_LANDUSE,
    LandUse,
    classify_landuse,
    label,
)
from twin.errors import LayerValidationError

OSM_EXTRACT = "hh-eimsbuettel-city-1km2.geojson"


def squares(n: int) -> list[object]:
    return [box(i * 10, 0, i * 10 + 5, 5) for i in range(n)]


def frame_of(**columns: list[object]) -> gpd.GeoDataFrame:
    n = len(next(iter(columns.values())))
    return gpd.GeoDataFrame(columns, geometry=squares(n), crs="EPSG:25832")


# ------------------------------------------------------------------- classes and legend


def test_class_count_and_info_complete() -> None:
    assert 12 <= len(LandUse) <= 16
    assert set(LANDUSE_INFO) == set(LandUse)


@pytest.mark.parametrize("landuse", list(LandUse))
def test_labels_exist_in_both_languages(landuse: LandUse) -> None:
    assert label(landuse, "de").strip()
    assert label(landuse, "en").strip()
    assert label(landuse.value, "en") == label(landuse, "en")  # plain strings work too


def test_labels_are_distinct_and_known_terms() -> None:
    assert len({label(c, "de") for c in LandUse}) == len(LandUse)
    assert len({label(c, "en") for c in LandUse}) == len(LandUse)
    assert label(LandUse.RESIDENTIAL) == "Wohnbaufläche"  # German is the default
    assert label("forest", "en") == "Forest"
    assert label(LandUse.WATER, "de") == "Gewässer"
    with pytest.raises(ValueError):
        label("parkland", "de")
    with pytest.raises(ValueError, match="'fr'"):
        label(LandUse.GREEN, "fr")  # type: ignore[arg-type]


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def test_colours_are_hex_distinct_and_follow_plan_conventions() -> None:
    colours = [info.colour for info in LANDUSE_INFO.values()]
    assert all(re.fullmatch(r"#[0-9a-fA-F]{6}", c) for c in colours)
    assert len(set(colours)) == len(colours)
    red, green, blue = rgb(LANDUSE_INFO[LandUse.RESIDENTIAL].colour)
    assert red > green and red > blue  # Wohnbauflächen red
    red, green, blue = rgb(LANDUSE_INFO[LandUse.WATER].colour)
    assert blue > red and blue > green  # Wasserflächen blue
    for cls in (LandUse.GREEN, LandUse.FOREST):
        red, green, blue = rgb(LANDUSE_INFO[cls].colour)
        assert green > red and green > blue
    assert sum(rgb(LANDUSE_INFO[LandUse.FOREST].colour)) < sum(
        rgb(LANDUSE_INFO[LandUse.GREEN].colour)
    )  # Wald darker than Grünfläche
    red, green, blue = rgb(LANDUSE_INFO[LandUse.COMMERCIAL].colour)
    assert max(red, green, blue) - min(red, green, blue) < 16  # Gewerbe grey


def test_suv_flags() -> None:
    suv = {cls for cls, info in LANDUSE_INFO.items() if info.suv}
    # Parks, allotments, cemeteries and sport grounds are Siedlung and count as SuV.
    for cls in (
        LandUse.RESIDENTIAL,
        LandUse.MIXED,
        LandUse.COMMERCIAL,
        LandUse.INDUSTRIAL,
        LandUse.PUBLIC,
        LandUse.GREEN,
        LandUse.ALLOTMENTS,
        LandUse.CEMETERY,
        LandUse.SPORT,
        LandUse.SEALED_OPEN,
        LandUse.TRAFFIC,
    ):
        assert cls in suv, cls
    for cls in (LandUse.FOREST, LandUse.AGRICULTURE, LandUse.WATER, LandUse.NATURAL):
        assert cls not in suv, cls


def test_tables_only_hold_toolkit_classes() -> None:
    for values in OSM_LANDUSE.values():
        assert all(isinstance(v, LandUse) for v in values.values())
    assert all(isinstance(v, LandUse) for v in ALKIS_LANDUSE.values())


# --------------------------------------------------------------------------------- OSM


@pytest.fixture(scope="module")
def osm(shared_data: Callable[[str], Path]) -> gpd.GeoDataFrame:
    return gpd.read_file(shared_data(OSM_EXTRACT)).to_crs("EPSG:25832")


def test_osm_extract_partitioned_and_classified(osm: gpd.GeoDataFrame) -> None:
    result = classify_landuse(osm, mapping="osm")
    # Every input row is in exactly one of the two frames, with its index and columns.
    assert result.frame.index.intersection(result.unmatched.index).empty
    assert sorted([*result.frame.index, *result.unmatched.index]) == sorted(osm.index)
    assert {"landuse", "source_class", "id"} <= set(result.frame.columns)
    assert {"source_class", "reason", "id"} <= set(result.unmatched.columns)
    assert set(result.frame["landuse"]) <= {c.value for c in LandUse}
    assert set(result.frame.geom_type) <= {"Polygon", "MultiPolygon"}
    # Points and lines (trees, streets, parking nodes) are never land use.
    linear = ~osm.geom_type.isin(["Polygon", "MultiPolygon"])
    assert linear.sum() > 3000
    reasons = result.unmatched.loc[osm.index[linear], "reason"]
    assert reasons.str.startswith("not a polygon").all()
    present = set(result.frame["landuse"])
    assert {"residential", "green", "sport", "sealed_open", "water", "public"} <= present


def test_osm_every_landuse_polygon_classified_or_reported(osm: gpd.GeoDataFrame) -> None:
    polygons = osm[osm.geom_type.isin(["Polygon", "MultiPolygon"]) & osm["landuse"].notna()]
    assert len(polygons) > 50
    result = classify_landuse(polygons, mapping="osm")
    assert len(result.frame) + len(result.unmatched) == len(polygons)
    for _, row in result.unmatched.iterrows():
        assert row["reason"] and row["source_class"].startswith("landuse=")
    # Meaning of each landuse value in this extract in German planning terms.
    expected = {
        "residential": "residential",
        "grass": "green",
        "village_green": "green",
        "industrial": "industrial",
        "commercial": "commercial",
        "retail": "commercial",
        "religious": "public",
        "basin": "water",
        "military": "other",
    }
    assert set(polygons["landuse"]) <= set(expected)  # the extract holds no other values
    classified = result.frame
    tag = polygons.loc[classified.index, "landuse"]
    assert (classified["landuse"] == tag.map(expected)).all()
    assert (classified["source_class"] == "landuse=" + tag).all()


def test_osm_parks_water_and_playgrounds(osm: gpd.GeoDataFrame) -> None:
    polygonal = osm.geom_type.isin(["Polygon", "MultiPolygon"])
    result = classify_landuse(osm[polygonal], mapping="osm").frame
    parks = osm.index[polygonal & (osm["leisure"] == "park") & osm["landuse"].isna()]
    assert len(parks) > 0
    assert (result.loc[parks, "landuse"] == "green").all()
    water = osm.index[polygonal & (osm["natural"] == "water") & osm["landuse"].isna()]
    assert len(water) > 0 and (result.loc[water, "landuse"] == "water").all()
    pitches = osm.index[polygonal & (osm["leisure"] == "pitch") & osm["landuse"].isna()]
    assert len(pitches) > 0 and (result.loc[pitches, "landuse"] == "sport").all()


def test_osm_priority_and_unmatched_reasons() -> None:
    frame = frame_of(
        feature_id=["a", "b", "c", "d", "e"],
        landuse=["residential", "conservation", "grass", None, None],
        leisure=["park", "park", None, None, None],
        amenity=[None, None, "parking", "recycling", None],
    )
    result = classify_landuse(frame, mapping="osm")
    rows = result.frame.set_index("feature_id")
    assert rows.loc["a", "landuse"] == "residential"  # landuse before leisure
    assert rows.loc["b", ["landuse", "source_class"]].tolist() == ["green", "leisure=park"]
    assert rows.loc["c", "landuse"] == "green"  # landuse=grass before amenity=parking
    missing = result.unmatched.set_index("feature_id")
    assert missing.loc["d", "source_class"] == "amenity=recycling"
    assert missing.loc["d", "reason"] == "no toolkit class for amenity=recycling"
    assert pd.isna(missing.loc["e", "source_class"])
    assert missing.loc["e", "reason"].startswith("no land-use tag")


def test_osm_wildcard_and_class_field() -> None:
    frame = frame_of(water=["pond", None], landuse=[None, "residential"])
    assert classify_landuse(frame, mapping="osm").frame["landuse"].tolist() == [
        "water",
        "residential",
    ]
    only_water = classify_landuse(frame, mapping="osm", class_field="water")
    assert only_water.frame["landuse"].tolist() == ["water"]
    assert only_water.unmatched["reason"].tolist() == ["no land-use tag (water)"]


def test_non_polygons_are_flagged() -> None:
    frame = gpd.GeoDataFrame(
        {"amenity": ["parking", "parking"]},
        geometry=[box(0, 0, 10, 10), Point(5, 5)],
        crs="EPSG:25832",
    )
    result = classify_landuse(frame, mapping="osm")
    assert result.frame.index.tolist() == [0]
    assert result.unmatched.loc[1, "reason"].startswith("not a polygon (Point)")
    assert result.unmatched.loc[1, "source_class"] == "amenity=parking"


# ------------------------------------------------------------------------------- ALKIS

# (value as delivered, toolkit class by the ALKIS object-type catalogue and German practice)
ALKIS_CASES: list[tuple[object, str | None]] = [
    ("AX_Wohnbauflaeche", "residential"),
    ("ax_wohnbauflaeche", "residential"),  # GDAL NAS layer name
    ("Wohnbaufläche", "residential"),
    ("11000", "residential"),
    (41001, "residential"),  # object-kind code of AX_Wohnbauflaeche, as integer
    ("AX_FlaecheGemischterNutzung", "mixed"),
    ("16000", "mixed"),
    ("Industrie- und Gewerbefläche", "industrial"),
    ("Industrie und Gewerbe", "industrial"),
    ("AX_FlaecheBesondererFunktionalerPraegung", "public"),
    ("AX_SportFreizeitUndErholungsflaeche", "green"),
    ("AX_Friedhof", "cemetery"),
    ("19000", "cemetery"),
    ("AX_Strassenverkehr", "traffic"),
    ("Straßenverkehr", "traffic"),
    ("AX_Weg", "traffic"),
    ("AX_Platz", "sealed_open"),
    ("AX_Bahnverkehr", "traffic"),
    ("26000", "traffic"),
    ("AX_Landwirtschaft", "agriculture"),
    ("AX_Wald", "forest"),
    ("32000", "forest"),
    ("AX_Gehoelz", "natural"),
    ("Gehölz", "natural"),
    ("AX_Heide", "natural"),
    ("AX_Fliessgewaesser", "water"),
    ("Fließgewässer", "water"),
    ("AX_StehendesGewaesser", "water"),
    ("Stehendes Gewässer", "water"),
    ("43000", "water"),
    ("AX_TagebauGrubeSteinbruch", "other"),
    ("AX_Unbekannt", None),
    ("99999", None),
    (None, None),
]


def test_alkis_names_and_codes() -> None:
    values = [value for value, _ in ALKIS_CASES]
    frame = gpd.GeoDataFrame(
        {
            "feature_id": [str(i) for i in range(len(values))],
            "objektart": pd.Series(values, dtype=object),
        },
        geometry=squares(len(values)),
        crs="EPSG:25832",
    )
    result = classify_landuse(frame, mapping="alkis")
    got = pd.concat([result.frame["landuse"], pd.Series(None, index=result.unmatched.index)])
    for position, (value, expected) in enumerate(ALKIS_CASES):
        assert got.loc[position] == expected or (expected is None and pd.isna(got.loc[position])), (
            value
        )
    assert result.frame.loc[0, "source_class"] == "AX_Wohnbauflaeche"
    assert result.frame.loc[4, "source_class"] == "41001"
    reasons = result.unmatched.set_index("feature_id")["reason"]
    assert reasons[str(len(values) - 3)] == "no toolkit class for objektart=AX_Unbekannt"
    assert reasons[str(len(values) - 1)] == "no value in 'objektart'"


ALKIS_GROUPS = {
    "Siedlung": ["11000", "12000", "13000", "14000", "15000", "16000", "17000", "18000", "19000"],
    "Verkehr": ["21000", "22000", "23000", "24000", "25000", "26000"],
    "Vegetation": ["31000", "32000", "33000", "34000", "35000", "36000", "37000"],
    "Gewässer": ["41000", "42000", "43000", "44000"],
}


def test_all_26_alkis_groups_mapped_consistently_with_suv() -> None:
    codes = [code for group in ALKIS_GROUPS.values() for code in group]
    assert len(codes) == 26
    frame = frame_of(nutzart=codes)
    result = classify_landuse(frame, mapping="alkis", class_field="nutzart")
    assert result.unmatched.empty
    suv = dict(
        zip(codes, result.frame["landuse"].map(lambda c: LANDUSE_INFO[LandUse(c)].suv), strict=True)
    )
    # Destatis: SuV = Siedlung without Bergbaubetrieb (14000) and Tagebau/Grube/Steinbruch
    # (15000), plus Verkehr. Vegetation and Gewässer are not SuV.
    for code in ALKIS_GROUPS["Siedlung"] + ALKIS_GROUPS["Verkehr"]:
        assert suv[code] is (code not in ("14000", "15000")), code
    for code in ALKIS_GROUPS["Vegetation"] + ALKIS_GROUPS["Gewässer"]:
        assert suv[code] is False, code


def test_alkis_codes_from_float_column_and_missing_field() -> None:
    frame = frame_of(code=[11000.0, 43002.0])  # 43002 = AX_Wald (object-kind code)
    result = classify_landuse(frame, mapping="alkis", class_field="code")
    assert result.frame["landuse"].tolist() == ["residential", "forest"]
    assert result.frame["source_class"].tolist() == ["11000", "43002"]
    with pytest.raises(LayerValidationError, match="objektart"):
        classify_landuse(frame, mapping="alkis")
    with pytest.raises(LayerValidationError, match="'nutzung'"):
        classify_landuse(frame, mapping="alkis", class_field="nutzung")


# ----------------------------------------------------------------------------- toolkit


def test_toolkit_mapping() -> None:
    frame = frame_of(feature_id=["1", "2", "3", "4"], landuse=["green", " Forest ", "park", None])
    result = classify_landuse(frame, mapping="toolkit")
    assert result.frame["landuse"].tolist() == ["green", "forest"]
    assert result.frame["source_class"].tolist() == ["green", "Forest"]
    assert result.unmatched["feature_id"].tolist() == ["3", "4"]
    assert result.unmatched["reason"].tolist() == [
        "no toolkit class for landuse=park",
        "no value in 'landuse'",
    ]
    with pytest.raises(ValueError, match="mapping"):
        classify_landuse(frame, mapping="corine")  # type: ignore[arg-type]
