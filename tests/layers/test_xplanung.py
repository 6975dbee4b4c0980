"""Tests of layers/xplanung.py on small hand-written XPlanGML plans and the Musterstadt demo.

Expected values are the ones written into the sample files (see their header comments);
areas are computed by hand from the coordinates, never taken from the module's output.
The XPlanGML XSDs are not installable from PyPI, so the samples are not schema-validated
here; they were written after the XPlanGML 5.4/6.0 element order and code lists.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from lxml import etree
from pyproj import CRS

from layers.xplanung import XPlan, XPlanError, read_xplan
from sample_data import get_path

DATA = Path(__file__).resolve().parents[1] / "data" / "xplanung"
DEMO = get_path("musterstadt").parent / "plans" / "bplan_am_muehlbach.gml"
NS = {"gml": "http://www.opengis.net/gml/3.2"}
NAN = math.nan

COLUMNS = [
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


def read(name: str, crs: str = "EPSG:25832") -> XPlan:
    return read_xplan(DATA / name, crs=crs)


def table(plan: XPlan) -> dict[str, tuple[object, ...]]:
    """source_id → (element, area_type, special, grz, gfz, gfz_min, gfz_max, storeys, bmz)."""
    rows = plan.areas.drop(columns="geometry").itertuples(index=False)
    return {row[0]: tuple(row[1:]) for row in rows}


def assert_rows(plan: XPlan, expected: dict[str, tuple[object, ...]]) -> None:
    actual = table(plan)
    assert list(actual) == list(expected)
    for source_id, row in expected.items():
        np.testing.assert_equal(actual[source_id], row, err_msg=source_id)


def edited(name: str, tmp_path: Path, old: str, new: str, *, count: int = 1) -> Path:
    """A copy of a sample with ``old`` replaced by ``new`` (exactly ``count`` times)."""
    text = (DATA / name).read_text(encoding="utf-8")
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times in {name}"
    path = tmp_path / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def rewritten(name: str, tmp_path: Path, edit: Callable[[Any], None]) -> Path:
    """A copy of a sample whose parsed root went through ``edit``."""
    tree = etree.parse(str(DATA / name))
    edit(tree.getroot())
    path = tmp_path / name
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    return path


def without(name: str, tmp_path: Path, *elements: str) -> Path:
    """A copy of a sample without the features of the given element names."""

    def drop(root: Any) -> None:
        for member in list(root):
            if any(etree.QName(child).localname in elements for child in member):
                root.remove(member)

    return rewritten(name, tmp_path, drop)


def child(root: Any, gml_id: str, name: str) -> Any:
    """The child ``xplan:<name>`` of the feature with ``gml_id``."""
    feature = root.xpath("//*[@gml:id=$id]", namespaces=NS, id=gml_id)[0]
    return next(c for c in feature if etree.QName(c).localname == name)


# -- reading the samples ----------------------------------------------------------------


def test_reads_bebauungsplan_5_4() -> None:
    plan = read("bplan_5_4.gml")
    assert (plan.name, plan.number, plan.version, plan.kind) == (
        "Testplan Birkenweg",
        "B 54",
        "5.4",
        "BP",
    )
    assert_rows(
        plan,
        {
            "GML_b54_wa": ("BP_BaugebietsTeilFlaeche", "WA", "", 0.4, 1.2, NAN, NAN, 3.0, NAN),
            "GML_b54_mi": ("BP_BaugebietsTeilFlaeche", "MI", "", 0.6, NAN, NAN, NAN, NAN, NAN),
            "GML_b54_gruen": ("BP_GruenFlaeche", "green", "", NAN, NAN, NAN, NAN, NAN, NAN),
            "GML_b54_strasse": (
                "BP_StrassenVerkehrsFlaeche",
                "traffic",
                "",
                *[NAN] * 6,
            ),
        },
    )
    assert plan.notes == [
        "BP_BaugebietsTeilFlaeche GML_b54_mi: no GFZ in the plan",
        "ignored: 2 BP_BauGrenze, 1 BP_TextAbschnitt",
    ]


def test_reads_bebauungsplan_6_0() -> None:
    plan = read("bplan_6_0.gml")
    assert (plan.name, plan.number, plan.version, plan.kind) == (
        "Testplan Lerchenfeld",
        "B 60",
        "6.0",
        "BP",
    )
    assert_rows(
        plan,
        {
            "GML_b60_wa": ("BP_BaugebietsTeilFlaeche", "WA", "", 0.4, 1.2, NAN, NAN, 3.0, NAN),
            "GML_b60_mi": ("BP_BaugebietsTeilFlaeche", "MI", "", 0.6, NAN, NAN, NAN, NAN, NAN),
            "GML_b60_gruen": ("BP_GruenFlaeche", "green", "", *[NAN] * 6),
            "GML_b60_strasse": ("SO_Strassenverkehr", "traffic", "", *[NAN] * 6),
        },
    )
    assert plan.notes == [
        "BP_BaugebietsTeilFlaeche GML_b60_mi: no GFZ in the plan",
        "ignored: 1 BP_BauGrenze, 1 XP_TextAbschnitt",
    ]


def test_reads_flaechennutzungsplan_6_0() -> None:
    plan = read("fplan_6_0.gml")
    assert (plan.name, plan.number, plan.version, plan.kind) == (
        "Flächennutzungsplan Testdorf",
        "",
        "6.0",
        "FP",
    )
    assert_rows(
        plan,
        {
            "GML_f60_w": ("FP_BebauungsFlaeche", "W", "", NAN, NAN, 0.4, 0.8, NAN, NAN),
            "GML_f60_ge": ("FP_BebauungsFlaeche", "GE", "", 0.8, 1.6, NAN, NAN, NAN, 6.0),
            "GML_f60_so": ("FP_BebauungsFlaeche", "SO", "SO-Erholung", *[NAN] * 6),
            "GML_f60_gruen": ("FP_Gruen", "green", "", *[NAN] * 6),
            "GML_f60_wald": ("FP_WaldFlaeche", "forest", "", *[NAN] * 6),
            "GML_f60_acker": ("FP_Landwirtschaft", "agriculture", "", *[NAN] * 6),
            "GML_f60_bach": ("SO_Gewaesser", "water", "", *[NAN] * 6),
            "GML_f60_strasse": ("SO_Strassenverkehr", "traffic", "", *[NAN] * 6),
        },
    )
    assert plan.notes == [
        "FP_BebauungsFlaeche GML_f60_w: no GRZ in the plan",
        "FP_BebauungsFlaeche GML_f60_so: no GRZ in the plan",
        "FP_BebauungsFlaeche GML_f60_so: no GFZ in the plan",
        "ignored: 1 FP_Gruen (point or line)",
    ]


def test_table_columns_types_and_crs() -> None:
    plan = read_xplan(DATA / "bplan_6_0.gml", crs=CRS.from_epsg(25832))
    areas = plan.areas
    assert isinstance(areas, gpd.GeoDataFrame)
    assert list(areas.columns) == COLUMNS
    assert areas.crs.to_epsg() == 25832
    for column in ("grz", "gfz", "gfz_min", "gfz_max", "storeys", "bmz"):
        assert areas[column].dtype == np.float64, column
    assert set(areas.geom_type) <= {"Polygon", "MultiPolygon"}
    assert areas.geometry.is_valid.all()


@pytest.mark.parametrize(
    ("name", "source_id", "expected_m2", "tolerance_m2"),
    [
        ("bplan_5_4.gml", "GML_b54_wa", 100 * 60, 1e-6),
        ("bplan_5_4.gml", "GML_b54_mi", (70 + 50) / 2 * 60, 1e-6),  # trapezoid
        # rectangle plus a half circle of radius 75 m drawn as gml:Arc (densified in 1° steps)
        ("bplan_5_4.gml", "GML_b54_gruen", 150 * 40 + math.pi * 75**2 / 2, 1.0),
        ("bplan_5_4.gml", "GML_b54_strasse", 170 * 10 + 20 * 20, 1e-6),  # two surfaces
        ("bplan_6_0.gml", "GML_b60_wa", 100 * 50 + 100 * 30 / 2, 1e-6),  # pentagon
        ("bplan_6_0.gml", "GML_b60_mi", 60 * 50, 1e-6),
        ("bplan_6_0.gml", "GML_b60_gruen", 160 * 50 - 100 * 30 / 2, 1e-6),
        ("bplan_6_0.gml", "GML_b60_strasse", 160 * 10, 1e-6),
        ("fplan_6_0.gml", "GML_f60_w", 200 * 100, 1e-6),
        ("fplan_6_0.gml", "GML_f60_bach", 400 * 10, 1e-6),
    ],
)
def test_areas_match_hand_computed_polygons(
    name: str, source_id: str, expected_m2: float, tolerance_m2: float
) -> None:
    areas = read(name).areas.set_index("source_id")
    assert areas.loc[source_id, "geometry"].area == pytest.approx(expected_m2, abs=tolerance_m2)


def test_multisurface_stays_one_area_of_two_parts() -> None:
    street = read("bplan_5_4.gml").areas.set_index("source_id").loc["GML_b54_strasse", "geometry"]
    assert street.geom_type == "MultiPolygon"
    assert len(street.geoms) == 2


def test_arc_boundary_passes_through_its_middle_point() -> None:
    green = read("bplan_5_4.gml").areas.set_index("source_id").loc["GML_b54_gruen", "geometry"]
    assert green.bounds == pytest.approx((633000, 5497060, 633150, 5497175), abs=1e-6)
    assert green.exterior.distance(shapely.Point(633075, 5497175)) < 1e-6


# -- coordinate reference systems -------------------------------------------------------


def test_lat_lon_copy_gives_the_same_geometries() -> None:
    """bplan_6_0_epsg4326.gml holds the coordinates of bplan_6_0.gml converted with pyproj
    to EPSG:4326 in GML's latitude/longitude order, spelt three ways (code, URN, URI)."""
    projected = read("bplan_6_0.gml").areas.set_index("source_id").geometry
    geographic = read("bplan_6_0_epsg4326.gml").areas.set_index("source_id").geometry
    assert list(geographic.index) == list(projected.index)
    for source_id, geometry in geographic.items():
        assert geometry.hausdorff_distance(projected[source_id]) < 0.01, source_id
        assert geometry.area == pytest.approx(projected[source_id].area, abs=0.05)


def test_requested_geographic_crs_is_longitude_first() -> None:
    areas = read("bplan_6_0.gml", crs="EPSG:4326").areas
    lon_min, lat_min, lon_max, lat_max = areas.total_bounds
    assert 10.8 < lon_min < lon_max < 10.9
    assert 49.6 < lat_min < lat_max < 49.7


def test_geometry_without_srs_name_uses_the_document_envelope() -> None:
    mi = read("bplan_5_4.gml").areas.set_index("source_id").loc["GML_b54_mi", "geometry"]
    assert mi.bounds == (633100, 5497000, 633170, 5497060)


def test_no_crs_at_all_is_an_error(tmp_path: Path) -> None:
    path = edited(
        "bplan_5_4.gml",
        tmp_path,
        '<gml:Envelope srsName="EPSG:25832">',
        "<gml:Envelope>",
    )
    with pytest.raises(XPlanError, match=r"GML_b54_mi: its geometry has no CRS") as info:
        read_xplan(path, crs="EPSG:25832")
    assert "srsName" in info.value.hint


def test_unknown_srs_name_is_an_error(tmp_path: Path) -> None:
    path = edited(
        "bplan_6_0.gml",
        tmp_path,
        'srsName="urn:ogc:def:crs:EPSG::25832"',
        'srsName="EPSG:99999"',
    )
    with pytest.raises(XPlanError, match=r"GML_b60_wa: srsName 'EPSG:99999' is not a CRS"):
        read_xplan(path, crs="EPSG:25832")


# -- broken files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        ("bad_gfz_and_gfzmin.gml", ["GML_bad_gfz", "has GFZ and GFZmin/GFZmax"]),
        (
            "bad_art_mismatch.gml",
            ["GML_bad_art", "besondereArtDerBaulNutzung 1200", "allgArtDerBaulNutzung 3000"],
        ),
        ("bad_collapsed_polygon.gml", ["GML_bad_line", "encloses no area"]),
        ("bad_citygml.gml", ["not XPlanGML", "CityModel", "citygml/2.0"]),
        ("bad_truncated.gml", ["not well-formed XML", "Premature end of data"]),
    ],
)
def test_broken_files_raise_with_file_and_problem(name: str, fragments: list[str]) -> None:
    path = DATA / name
    with pytest.raises(XPlanError) as info:
        read_xplan(path, crs="EPSG:25832")
    assert info.value.message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in info.value.message
    assert info.value.hint


def test_self_intersecting_polygon_is_repaired_and_named() -> None:
    plan = read("bad_self_intersection.gml")
    bowtie = plan.areas.set_index("source_id").loc["GML_bad_bowtie", "geometry"]
    assert bowtie.geom_type == "MultiPolygon"
    assert [part.area for part in bowtie.geoms] == [2500.0, 2500.0]
    assert plan.notes[0].startswith(
        "BP_BaugebietsTeilFlaeche GML_bad_bowtie: invalid polygon repaired (Self-intersection"
    )


@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [
        ("<xplan:GRZ>0.4</xplan:GRZ>", "<xplan:GRZ>40</xplan:GRZ>", ["GRZ '40'", "0 and 1"]),
        ("<xplan:GRZ>0.4</xplan:GRZ>", "<xplan:GRZ>0,4</xplan:GRZ>", ["GRZ '0,4'"]),
        ("<xplan:GFZ>1.2</xplan:GFZ>", "<xplan:GFZ>NaN</xplan:GFZ>", ["GFZ 'NaN'"]),
        ("<xplan:Z>3</xplan:Z>", "<xplan:Z>2.5</xplan:Z>", ["Z '2.5'"]),
        (
            "<xplan:besondereArtDerBaulNutzung>1200",
            "<xplan:besondereArtDerBaulNutzung>1234",
            ["besondereArtDerBaulNutzung 1234 is not a code"],
        ),
    ],
)
def test_impossible_values_name_the_area(
    tmp_path: Path, old: str, new: str, fragments: list[str]
) -> None:
    path = edited("bplan_6_0.gml", tmp_path, old, new)
    with pytest.raises(XPlanError, match="BP_BaugebietsTeilFlaeche GML_b60_wa: ") as info:
        read_xplan(path, crs="EPSG:25832")
    for fragment in fragments:
        assert fragment in info.value.message


def test_only_general_use_gives_generic_type(tmp_path: Path) -> None:
    path = edited(
        "bplan_6_0.gml",
        tmp_path,
        "      <xplan:besondereArtDerBaulNutzung>1500</xplan:besondereArtDerBaulNutzung>\n",
        "",
    )
    areas = read_xplan(path, crs="EPSG:25832").areas.set_index("source_id")
    assert areas.loc["GML_b60_mi", "area_type"] == "M"
    assert areas.loc["GML_b60_wa", "area_type"] == "WA"


def test_overlay_is_noted(tmp_path: Path) -> None:
    def overlay(root: Any) -> None:
        child(root, "GML_f60_wald", "flaechenschluss").text = "false"

    notes = read_xplan(rewritten("fplan_6_0.gml", tmp_path, overlay), crs="EPSG:25832").notes
    assert (
        "FP_WaldFlaeche GML_f60_wald: overlay (flaechenschluss false), may overlap areas" in notes
    )


def test_not_xml_at_all(tmp_path: Path) -> None:
    path = tmp_path / "plan.gml"
    path.write_text("GRZ;GFZ\n0.4;1.2\n", encoding="utf-8")
    with pytest.raises(XPlanError, match="not well-formed XML"):
        read_xplan(path, crs="EPSG:25832")


def test_no_plan_element(tmp_path: Path) -> None:
    path = without("bplan_6_0.gml", tmp_path, "BP_Plan")
    with pytest.raises(XPlanError, match="expected one plan, found 0"):
        read_xplan(path, crs="EPSG:25832")


def test_no_area_element(tmp_path: Path) -> None:
    path = without(
        "bplan_6_0.gml",
        tmp_path,
        "BP_BaugebietsTeilFlaeche",
        "BP_GruenFlaeche",
        "SO_Strassenverkehr",
    )
    with pytest.raises(XPlanError, match="the BP_Plan has no area element to read") as info:
        read_xplan(path, crs="EPSG:25832")
    assert "BP_BaugebietsTeilFlaeche" in info.value.hint


def test_line_where_an_area_is_required(tmp_path: Path) -> None:
    def line(root: Any) -> None:
        polygon = child(root, "GML_b60_wa", "position")
        polygon.getparent().replace(polygon, child(root, "GML_b60_baugrenze", "position"))

    path = rewritten("bplan_6_0.gml", tmp_path, line)
    with pytest.raises(XPlanError, match=r"GML_b60_wa: xplan:position holds a gml:LineString"):
        read_xplan(path, crs="EPSG:25832")


def test_area_without_geometry(tmp_path: Path) -> None:
    def drop_position(root: Any) -> None:
        position = child(root, "GML_b60_mi", "position")
        position.getparent().remove(position)

    path = rewritten("bplan_6_0.gml", tmp_path, drop_position)
    with pytest.raises(XPlanError, match=r"GML_b60_mi: has no geometry"):
        read_xplan(path, crs="EPSG:25832")


def test_unreadable_coordinates(tmp_path: Path) -> None:
    path = edited("bplan_6_0.gml", tmp_path, "633900 5497800 633960 5497800", "633900 5497800 x y")
    with pytest.raises(XPlanError, match=r"GML_b60_mi: unreadable coordinates in gml:LinearRing"):
        read_xplan(path, crs="EPSG:25832")


# -- the Musterstadt demo plan ----------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> XPlan:
    return read_xplan(DEMO, crs="EPSG:25832")


def test_demo_plan_contents(demo: XPlan) -> None:
    assert (demo.name, demo.version, demo.kind) == ("Am Mühlbach", "6.0", "BP")
    areas = demo.areas.set_index("source_id")
    assert sorted(areas["area_type"]) == ["MI", "WA", "WA", "green", "traffic"]
    wa1 = areas.loc["GML_am_muehlbach_wa1"]
    assert (wa1["grz"], wa1["gfz"], wa1["storeys"]) == (0.4, 0.8, 2.0)
    assert areas.loc["GML_am_muehlbach_wa2", "grz"] == 0.45  # above BauNVO § 17 (0.4): demo
    assert 3e4 <= areas.area.sum() <= 5e4
    assert demo.notes == ["ignored: 2 BP_BauGrenze"]


def test_demo_plan_lies_in_musterstadt_on_fields(demo: XPlan) -> None:
    folder = DEMO.parents[1]
    town = gpd.read_file(folder / "boundary.geojson").to_crs(25832).geometry.iloc[0]
    assert demo.areas.within(town).all()
    landuse = gpd.read_file(folder / "musterstadt.gpkg", layer="landuse").to_crs(25832)
    fields = shapely.union_all(landuse.loc[landuse["nutzart"] == "AX_Landwirtschaft"].geometry)
    plan = shapely.union_all(demo.areas.geometry)
    assert plan.intersection(fields).area / plan.area > 0.9
    built = landuse.loc[landuse["nutzart"] != "AX_Landwirtschaft"]
    assert built.intersects(plan.buffer(20)).any()  # at the edge of the settlement
