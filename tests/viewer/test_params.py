"""Parsing of the OGC query parameters and the CRS helpers, without a server."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from twin.errors import InvalidRequestError
from viewer.api.crs import offered_crs, parse_bbox, resolve_crs, transform_geometries
from viewer.api.params import parse_datetime, parse_limit, parse_offset
from viewer.negotiation import weighted

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
UTM32 = "http://www.opengis.net/def/crs/EPSG/0/25832"


def test_datetime_instant() -> None:
    time = parse_datetime("2024-05-01T12:30:00Z")
    assert time.start == time.end == datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


def test_datetime_date_is_the_whole_day() -> None:
    time = parse_datetime("2024-05-01")
    assert time.start == datetime(2024, 5, 1, tzinfo=UTC)
    assert time.end is not None and time.end.date() == time.start.date()
    assert time.end.hour == 23


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024-05-01T00:00:00Z/..", True, False),
        ("../2024-05-01T00:00:00+02:00", False, True),
        ("/2024-05-01", False, True),
        ("../..", False, False),
        ("2024-01-01T00:00:00Z/2024-12-31T23:59:59.5Z", True, True),
    ],
)
def test_datetime_intervals(text: str, start: bool, end: bool) -> None:
    time = parse_datetime(text)
    assert (time.start is not None) == start
    assert (time.end is not None) == end


@pytest.mark.parametrize("text", ["", "now", "2024-02-30", "2024-05-01T25:00:00Z", "1/2/3"])
def test_datetime_garbage(text: str) -> None:
    with pytest.raises(InvalidRequestError):
        parse_datetime(text)


def test_limit_and_offset() -> None:
    assert parse_limit(None) == 10
    assert parse_limit("10000") == 10000
    assert parse_offset(None) == 0
    with pytest.raises(InvalidRequestError, match="limit"):
        parse_limit("10001")


def test_resolve_crs_short_forms() -> None:
    offered = offered_crs("EPSG:25832")
    for form in ("EPSG:25832", "[EPSG:25832]", "urn:ogc:def:crs:EPSG::25832", UTM32):
        assert resolve_crs(form, offered=offered, parameter="crs") == UTM32
    assert resolve_crs(None, offered=offered, parameter="crs") == CRS84
    assert resolve_crs("OGC:CRS84", offered=offered, parameter="crs") == CRS84


def test_bbox_in_degrees_is_range_checked_by_axis_order() -> None:
    assert parse_bbox("53.5,9.9,53.6,10.0", bbox_crs="http://www.opengis.net/def/crs/EPSG/0/4326")
    with pytest.raises(InvalidRequestError):
        parse_bbox("9.9,95,10,96", bbox_crs=CRS84)
    assert parse_bbox("565000,5934000,566000,5935000", bbox_crs=UTM32)


def test_accept_header_weights() -> None:
    assert weighted("text/html;q=0.5, application/json")[0] == ("application/json", 1.0)


@given(
    st.floats(min_value=400_000, max_value=700_000),
    st.floats(min_value=5_300_000, max_value=6_100_000),
)
def test_reprojection_round_trip(x: float, y: float) -> None:
    point = np.array([shapely.Point(x, y)])
    there = transform_geometries(point, source=UTM32, target=CRS84)
    back = transform_geometries(there, source=CRS84, target=UTM32)
    assert shapely.get_coordinates(back)[0] == pytest.approx([x, y], abs=1e-3)
