"""Coordinates that do not fit the CRS a file declares get a clear error, not a warning or inf."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS

from layers.crs import to_municipality_crs
from twin.errors import CRSError


def test_utm_coordinates_labelled_wgs84_are_refused_with_an_example() -> None:
    frame = gpd.GeoDataFrame(geometry=[shapely.box(600000, 5500000, 600100, 5500100)], crs=4326)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(CRSError, match=r"declares EPSG:4326.*do not fit it \(e\.g\. 600100"):
            to_municipality_crs(frame, to_crs=CRS("EPSG:25832"), source="parks.geojson")


def test_fitting_coordinates_are_reprojected() -> None:
    frame = gpd.GeoDataFrame(geometry=[shapely.Point(10.0, 50.0)], crs=4326)
    moved = to_municipality_crs(frame, to_crs=CRS("EPSG:25832"), source="x")
    assert np.isfinite(shapely.get_coordinates(moved.geometry.to_numpy())).all()
    assert moved.geometry.iloc[0].x == pytest.approx(571666.4, abs=1)
