"""A standard OGC API Features client (OWSLib) reads the sample twin unchanged, over HTTP."""

from __future__ import annotations

import pytest
from owslib.ogcapi.features import Features

from twin.workspace import Workspace


@pytest.fixture(scope="module")
def api(live_server: str) -> Features:
    return Features(f"{live_server}/musterstadt/ogc/")


def test_owslib_lists_conformance_and_collections(api: Features) -> None:
    conformance = api.conformance()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conformance
    ids = {c["id"] for c in api.collections()["collections"]}
    assert {"buildings", "landuse", "trees", "streets", "districts"} <= ids
    assert "sensitive_sites" not in ids


def test_owslib_pages_through_all_trees(api: Features, viewer_workspace: Workspace) -> None:
    expected = viewer_workspace.store("musterstadt").layer("trees").feature_count
    seen: set[str] = set()
    offset = 0
    while True:
        page = api.collection_items("trees", limit=1000, offset=offset)
        seen |= {str(f["id"]) for f in page["features"]}
        if page["numberReturned"] < 1000:
            break
        offset += 1000
    assert len(seen) == expected == page["numberMatched"]


def test_owslib_bbox_query_matches_the_store(api: Features, viewer_workspace: Workspace) -> None:
    store = viewer_workspace.store("musterstadt")
    minx, miny, maxx, maxy = store.layer("buildings").bbox or (0, 0, 0, 0)
    # a box in the middle of the town, in the municipality's CRS
    box = (
        minx + (maxx - minx) * 0.4,
        miny + (maxy - miny) * 0.4,
        minx + (maxx - minx) * 0.6,
        miny + (maxy - miny) * 0.6,
    )
    expected = store.read_features("buildings", bbox=box).matched
    page = api.collection_items(
        "buildings",
        bbox=list(box),
        **{"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/25832"},
        limit=1,
    )
    assert page["numberMatched"] == expected > 10
