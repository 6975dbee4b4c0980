import geopandas as gpd
import pytest
import shapely

from layers.validate import OUTSIDE, validate_features
from twin.config import LayerConfig, LocalText
from twin.errors import LayerValidationError

BOUNDARY = shapely.box(0, 0, 1000, 1000)


def layer(**extra: object) -> LayerConfig:
    return LayerConfig(
        name="parks",
        title=LocalText(de="Parks"),
        kind=extra.pop("kind", "vector"),
        path="parks.gpkg",
        classification="public",
        owner="Grünflächenamt",
        licence="CC0-1.0",
        source="test",
        **extra,
    )


def frame(geoms: list, **columns: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=25832)


BOWTIE = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)])
SPIKE = shapely.Polygon([(0, 0), (10, 0), (0, 0)])  # collapses to a line: unrepairable as polygon


def test_report_lists_every_problem_by_feature_id() -> None:
    data = frame(
        [
            shapely.box(1, 1, 5, 5),  # a: fine
            BOWTIE,  # b: repaired
            SPIKE,  # c: unrepairable
            shapely.Point(3, 3),  # d: wrong type
            shapely.box(2000, 2000, 2100, 2100),  # e: outside
            shapely.box(6, 6, 9, 9),  # a again: duplicate id
            None,  # f: no geometry
            shapely.box(20, 20, 30, 30),  # g: missing required name
        ],
        id=["a", "b", "c", "d", "e", "a", "f", "g"],
        name=["x", "x", "x", "x", "x", "x", "x", None],
    )
    clean, report = validate_features(
        frame=data,
        layer=layer(geometry="polygon", required=["name"]),
        boundary=BOUNDARY,
        source="t",
    )
    assert list(clean["feature_id"]) == ["a", "b"]
    problems = {(i.feature_id, i.problem, i.action) for i in report.issues}
    assert ("b", "invalid geometry", "repaired (make_valid)") in problems
    assert ("c", "invalid geometry that cannot be repaired", "rejected") in problems
    assert ("d", "wrong geometry type, this layer holds polygons", "rejected") in problems
    assert ("e", OUTSIDE, "rejected") in problems
    assert ("a", "duplicate id (an earlier feature has it)", "rejected") in problems
    assert ("f", "no geometry", "rejected") in problems
    assert ("g", "missing required 'name'", "rejected") in problems
    assert (report.read, report.imported, report.repaired, report.rejected, report.outside) == (
        8,
        2,
        1,
        6,
        1,
    )
    repaired = clean.geometry.iloc[1]
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon"
    assert repaired.area == pytest.approx(50.0)  # the two triangles of the bow-tie


def test_ids_from_id_field_or_row_number() -> None:
    data = frame([shapely.Point(1, 1), shapely.Point(2, 2)], code=["K1", None])
    clean, _ = validate_features(data, layer=layer(id_field="code"), boundary=BOUNDARY, source="t")
    assert list(clean["feature_id"]) == ["K1", "2"]
    clean, _ = validate_features(data, layer=layer(), boundary=BOUNDARY, source="t")
    assert list(clean["feature_id"]) == ["1", "2"]


def test_empty_layer_and_all_rejected_are_errors() -> None:
    with pytest.raises(LayerValidationError, match="contains no features"):
        validate_features(frame([]), layer=layer(), boundary=BOUNDARY, source="empty.gpkg")
    far = frame([shapely.Point(5e6, 5e6)], id=["x"])
    with pytest.raises(LayerValidationError, match=r"none of the 1 features.*1 wholly outside"):
        validate_features(far, layer=layer(), boundary=BOUNDARY, source="far.gpkg")


def test_missing_id_field_and_required_column_are_named() -> None:
    data = frame([shapely.Point(1, 1)], a=[1])
    with pytest.raises(LayerValidationError, match="id field 'code'"):
        validate_features(data, layer=layer(id_field="code"), boundary=BOUNDARY, source="t")
    with pytest.raises(LayerValidationError, match="required attribute 'height'"):
        validate_features(data, layer=layer(required=["height"]), boundary=BOUNDARY, source="t")


def test_geometry_type_follows_layer_kind() -> None:
    data = frame([shapely.Point(1, 1), shapely.LineString([(0, 0), (5, 5)])], id=["p", "l"])
    clean, report = validate_features(
        data, layer=layer(kind="trees"), boundary=BOUNDARY, source="t"
    )
    assert list(clean["feature_id"]) == ["p"]
    assert report.issues[0].feature_id == "l"


def test_case_insensitive_duplicate_columns_are_renamed() -> None:
    data = frame([shapely.Point(1, 1)], name=["a"], Name=["b"])
    clean, _ = validate_features(data, layer=layer(), boundary=BOUNDARY, source="t")
    assert {"name", "Name_2"} <= set(clean.columns)
