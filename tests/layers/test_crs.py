import geopandas as gpd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS

from layers.crs import parse_crs, require_metric_crs, to_municipality_crs
from twin.errors import CRSError

UTM32 = CRS.from_epsg(25832)


@pytest.mark.parametrize(
    ("text", "epsg"),
    [
        ("urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH", 25832),
        ("urn:adv:crs:ETRS89_UTM32*DE_DHHN92_NH", 25832),
        ("urn:adv:crs:ETRS89_UTM33*DE_DHHN2016_NH", 25833),
        ("http://www.opengis.net/def/crs/EPSG/0/25833", 25833),
        ("EPSG:25832", 25832),
    ],
)
def test_parse_crs_knows_adv_urns_and_ogc_uris(text: str, epsg: int) -> None:
    assert parse_crs(text).to_epsg() == epsg


@pytest.mark.parametrize("text", ["EPSG:4326", "EPSG:3857x", "EPSG:31467+5783"])
def test_require_metric_crs_rejects(text: str) -> None:
    if text == "EPSG:31467+5783":  # compound with a metric projected part is fine
        assert require_metric_crs(text).to_epsg() == 31467
        return
    with pytest.raises(CRSError):
        require_metric_crs(text)


def test_layer_without_crs_names_both_crs() -> None:
    frame = gpd.GeoDataFrame(geometry=[shapely.Point(9.95, 53.57)])
    with pytest.raises(CRSError) as info:
        to_municipality_crs(frame, to_crs=UTM32, source="trees.shp")
    message = str(info.value)
    assert "trees.shp has no coordinate reference system" in message
    assert "EPSG:25832" in message and "EPSG:4326" in message  # the hint shows how to declare it


@settings(max_examples=60, deadline=None)
@given(st.floats(5.9, 15.0), st.floats(47.3, 55.0))
def test_reprojection_round_trip_within_a_millimetre(lon: float, lat: float) -> None:
    frame = gpd.GeoDataFrame(geometry=[shapely.Point(lon, lat)], crs=4326)
    there = to_municipality_crs(frame, to_crs=UTM32, source="t")
    back = there.to_crs(4326)
    # compare in metres: go back to UTM and measure
    again = to_municipality_crs(back, to_crs=UTM32, source="t")
    assert there.geometry.iloc[0].distance(again.geometry.iloc[0]) < 1e-3


@settings(max_examples=30, deadline=None)
@given(st.floats(5.9, 12.0), st.floats(47.3, 55.0), st.floats(10, 2000))
def test_reprojected_square_keeps_its_area(lon: float, lat: float, size: float) -> None:
    utm = gpd.GeoDataFrame(geometry=[shapely.Point(lon, lat)], crs=4326).to_crs(25832)
    x, y = utm.geometry.iloc[0].x, utm.geometry.iloc[0].y
    square = gpd.GeoDataFrame(geometry=[shapely.box(x, y, x + size, y + size)], crs=25832)
    via_wgs = to_municipality_crs(square.to_crs(4326), to_crs=UTM32, source="t")
    assert via_wgs.area.iloc[0] == pytest.approx(size * size, rel=1e-6)


def test_same_crs_is_not_touched() -> None:
    frame = gpd.GeoDataFrame(geometry=[shapely.Point(600000.123456, 5500000.654321)], crs=25832)
    out = to_municipality_crs(frame, to_crs=UTM32, source="t")
    assert out.geometry.iloc[0].equals_exact(frame.geometry.iloc[0], 0)
