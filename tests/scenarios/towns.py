"""A small synthetic town for land-use tests, whose numbers can be worked out by hand."""

from __future__ import annotations

import geopandas as gpd
import shapely

from scenarios.landuse import LandUseTwin
from scenarios.twin_layers import TwinLayers
from twin.config import LandUseConfig

X0, Y0 = 600_000.0, 5_500_000.0
CRS = "EPSG:25832"


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A rectangle in town coordinates (metres from the town's south-west corner)."""
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def frame(rows: list[dict], geometries: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geometries, crs=CRS)


def synthetic_town() -> LandUseTwin:
    """2 km × 1 km: farmland in the west district, a residential quarter with a 1.5 ha park,
    a parking lot and ten three-storey houses in the east."""
    landuse = frame(
        [
            {"feature_id": "fields", "landuse": "agriculture"},
            {"feature_id": "quarter", "landuse": "residential"},
            {"feature_id": "park", "landuse": "green"},
            {"feature_id": "parking", "landuse": "sealed_open"},
        ],
        [
            box(0, 0, 1000, 1000),
            box(1000, 0, 2000, 800),
            box(1000, 800, 1150, 900),
            box(1150, 800, 1250, 900),
        ],
    )
    # 1.5 ha park: 150 m × 100 m; the rest of the strip y 800-1000 is residential too
    landuse.loc[1, "geometry"] = box(1000, 0, 2000, 1000).difference(box(1000, 800, 1250, 900))
    buildings = frame(
        [
            {"feature_id": f"b{i}", "height": 9.0, "storeys": 3, "use": "residential"}
            for i in range(10)
        ],
        [box(1500 + 40 * i, 400, 1520 + 40 * i, 420) for i in range(10)],  # 10 × 400 m², 3 storeys
    )
    trees = frame(
        [{"feature_id": "t1", "crown_diameter_m": 10.0}], [shapely.Point(X0 + 1600, Y0 + 500)]
    )
    districts = frame(
        [{"feature_id": "W", "name": "West"}, {"feature_id": "E", "name": "Ost"}],
        [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)],
    )
    layers = TwinLayers(box(0, 0, 2000, 1000), landuse, buildings, trees)
    return LandUseTwin(layers, districts, LandUseConfig())
