from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from pyproj import CRS
from rasterio.transform import from_origin

from layers.raster import import_raster
from layers.vector import read_vector
from twin.errors import CRSError, DataFileError


def test_truncated_geojson_gives_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "parks.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "geom')
    with pytest.raises(DataFileError) as info:
        read_vector(path, file_format="geojson")
    message = str(info.value)
    assert message.startswith("parks.geojson: cannot be read as GeoJSON")
    assert "\n" not in message


def test_corrupt_geopackage_and_unknown_layer(tmp_path: Path) -> None:
    corrupt = tmp_path / "bad.gpkg"
    corrupt.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)
    with pytest.raises(DataFileError, match=r"bad\.gpkg: cannot be read as GPKG"):
        read_vector(corrupt, file_format="gpkg")
    good = tmp_path / "good.gpkg"
    gpd.GeoDataFrame(geometry=[shapely.Point(1, 1)], crs=25832).to_file(good, layer="trees")
    with pytest.raises(DataFileError, match=r"Layers in this file: trees"):
        read_vector(good, layer="tree")


def test_bad_where_filter_is_explained(tmp_path: Path) -> None:
    good = tmp_path / "good.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(1, 1)], crs=25832).to_file(good)
    with pytest.raises(DataFileError, match="the filter 'nonsense = ' is not valid"):
        read_vector(good, where="nonsense = ")


@pytest.mark.parametrize(
    ("suffix", "driver"),
    [(".shp", "ESRI Shapefile"), (".fgb", "FlatGeobuf"), (".geojson", "GeoJSON")],
)
def test_formats_read_with_crs(tmp_path: Path, suffix: str, driver: str) -> None:
    path = tmp_path / f"trees{suffix}"
    gpd.GeoDataFrame({"species": ["Tilia"]}, geometry=[shapely.Point(9.9, 53.5)], crs=4326).to_file(
        path, driver=driver
    )
    frame = read_vector(path)
    assert frame.crs.to_epsg() == 4326 and frame["species"].iloc[0] == "Tilia"


def write_dem(path: Path, *, crs: str | None = "EPSG:25832", dtype: str = "float32") -> np.ndarray:
    data = (np.arange(40 * 30).reshape(30, 40) % 97).astype(dtype)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=40,
        height=30,
        count=1,
        dtype=dtype,
        crs=crs,
        transform=from_origin(600000, 5500300, 10, 10),
        nodata=-9999 if dtype == "float32" else None,
    ) as dst:
        dst.write(data, 1)
    return data


def test_raster_same_crs_is_copied_losslessly_and_tiled(tmp_path: Path) -> None:
    data = write_dem(tmp_path / "dem.tif")
    summary = import_raster(tmp_path / "dem.tif", tmp_path / "out.tif", to_crs=CRS.from_epsg(25832))
    assert (summary.width, summary.height, summary.resolution) == (40, 30, (10.0, 10.0))
    with rasterio.open(tmp_path / "out.tif") as src:
        assert np.array_equal(src.read(1), data)
        assert src.profile["tiled"] and src.overviews(1) == [2, 4, 8]


def test_raster_is_reprojected_and_classes_stay_classes(tmp_path: Path) -> None:
    data = write_dem(tmp_path / "lc.tif", crs="EPSG:25832", dtype="uint8")
    import_raster(tmp_path / "lc.tif", tmp_path / "out.tif", to_crs=CRS.from_epsg(25833))
    with rasterio.open(tmp_path / "out.tif") as src:
        assert src.crs.to_epsg() == 25833
        values = set(np.unique(src.read(1)).tolist())
    assert values <= set(np.unique(data).tolist()) | {0}  # nearest: no invented classes


def test_raster_without_crs_and_corrupt_raster(tmp_path: Path) -> None:
    write_dem(tmp_path / "nocrs.tif", crs=None)
    with pytest.raises(
        CRSError, match=r"nocrs\.tif has no coordinate reference system.*EPSG:25832"
    ):
        import_raster(tmp_path / "nocrs.tif", tmp_path / "o.tif", to_crs=CRS.from_epsg(25832))
    write_dem(tmp_path / "dem.tif")
    blob = (tmp_path / "dem.tif").read_bytes()
    (tmp_path / "cut.tif").write_bytes(blob[: len(blob) // 3])
    with pytest.raises(DataFileError, match=r"cut\.tif: cannot be read as GeoTIFF"):
        import_raster(tmp_path / "cut.tif", tmp_path / "o2.tif", to_crs=CRS.from_epsg(25832))
    assert not (tmp_path / "o2.tif").exists()
