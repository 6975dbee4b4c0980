"""OGC API Features (Part 1 Core + Part 2 CRS) against a real imported workspace."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from fastapi.testclient import TestClient

from twin.config import Classification
from twin.workspace import Workspace

BASE = "/musterstadt/ogc"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"


def rel(body: dict[str, Any], name: str, media: str | None = None) -> list[dict[str, Any]]:
    return [
        link
        for link in body["links"]
        if link["rel"] == name and (media is None or link.get("type") == media)
    ]


def store_frame(workspace: Workspace, layer: str) -> gpd.GeoDataFrame:
    return workspace.store("musterstadt").read_features(layer).frame


def public_vector_layers(workspace: Workspace) -> set[str]:
    return {
        e.name
        for e in workspace.store("musterstadt").layers()
        if e.classification == Classification.PUBLIC and e.storage == "vector"
    }


def all_pages(client: TestClient, url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Follow ``next`` links; return all features and every page body."""
    features, pages = [], []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
        features += body["features"]
        links = rel(body, "next")
        next_url = links[0]["href"] if links else None
    return features, pages


# -- landing page, conformance, collections ---------------------------------------------


def test_landing_page_links_to_api_definition_conformance_and_data(client: TestClient) -> None:
    response = client.get(f"{BASE}/")
    assert response.status_code == 200
    body = response.json()
    assert "Musterstadt" in body["title"]
    assert rel(body, "self", "application/json")
    assert rel(body, "alternate", "text/html")
    (service_desc,) = rel(body, "service-desc")
    assert service_desc["href"].endswith("/openapi.json")
    assert client.get(service_desc["href"]).status_code == 200
    (conformance,) = rel(body, "conformance")
    assert client.get(conformance["href"]).status_code == 200
    (data,) = rel(body, "data")
    assert client.get(data["href"]).json()["collections"]


def test_conformance_declares_core_oas30_html_geojson_and_crs(client: TestClient) -> None:
    classes = client.get(f"{BASE}/conformance").json()["conformsTo"]
    for name in ("core", "oas30", "html", "geojson"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{name}" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes


def test_collections_are_exactly_the_public_vector_layers(
    client: TestClient, viewer_workspace: Workspace
) -> None:
    body = client.get(f"{BASE}/collections").json()
    ids = {c["id"] for c in body["collections"]}
    assert ids == public_vector_layers(viewer_workspace)
    assert {"districts", "landuse", "buildings", "trees", "streets"} <= ids
    assert "sensitive_sites" not in ids
    assert "dem" not in ids
    assert rel(body, "self") and rel(body, "alternate", "text/html")


def test_collection_metadata(client: TestClient, viewer_workspace: Workspace) -> None:
    body = client.get(f"{BASE}/collections/buildings").json()
    assert body["id"] == "buildings"
    assert body["itemType"] == "feature"
    assert body["crs"][:2] == [CRS84, EPSG.format(4326)]
    assert {EPSG.format(25832), EPSG.format(3857)} <= set(body["crs"])
    assert body["storageCrs"] == EPSG.format(25832)
    (items_json,) = rel(body, "items", "application/geo+json")
    assert client.get(items_json["href"]).status_code == 200
    assert rel(body, "items", "text/html")
    # the CRS84 extent encloses every feature
    minx, miny, maxx, maxy = body["extent"]["spatial"]["bbox"][0]
    frame = store_frame(viewer_workspace, "buildings").to_crs("OGC:CRS84")
    fminx, fminy, fmaxx, fmaxy = frame.total_bounds
    assert minx <= fminx and miny <= fminy and maxx >= fmaxx and maxy >= fmaxy
    entry = viewer_workspace.store("musterstadt").layer("buildings")
    assert body["extent"]["spatial"]["storageCrsBbox"][0] == pytest.approx(list(entry.bbox or ()))


def test_collection_title_follows_lang_and_accept_language(
    client: TestClient, viewer_workspace: Workspace
) -> None:
    title = viewer_workspace.store("musterstadt").layer("buildings").title
    german = client.get(f"{BASE}/collections/buildings").json()["title"]
    english = client.get(f"{BASE}/collections/buildings?lang=en").json()["title"]
    negotiated = client.get(
        f"{BASE}/collections/buildings", headers={"Accept-Language": "en-GB,en;q=0.9"}
    ).json()["title"]
    assert (german, english) == (title.de, title.get("en"))
    assert negotiated == english


# -- items: paging, bbox, crs, datetime -----------------------------------------------


def test_paging_follows_next_links_to_the_end(
    client: TestClient, viewer_workspace: Workspace
) -> None:
    frame = store_frame(viewer_workspace, "buildings")
    features, pages = all_pages(client, f"{BASE}/collections/buildings/items?limit=50")
    assert [f["id"] for f in features] == frame["feature_id"].tolist()
    assert all(page["numberMatched"] == len(frame) for page in pages)
    assert sum(page["numberReturned"] for page in pages) == len(frame)
    assert len(pages) == -(-len(frame) // 50)
    assert not rel(pages[0], "prev") and rel(pages[1], "prev")
    assert all(page["timeStamp"].endswith("Z") for page in pages)


def test_default_limit_is_ten(client: TestClient) -> None:
    body = client.get(f"{BASE}/collections/buildings/items").json()
    assert body["numberReturned"] == 10
    assert body["numberMatched"] > 10


def _bbox84(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """A box over the middle of the layer, in CRS84."""
    minx, miny, maxx, maxy = frame.to_crs("OGC:CRS84").total_bounds
    dx, dy = (maxx - minx) / 4, (maxy - miny) / 4
    return (minx + dx, miny + dy, maxx - dx, maxy - dy)


def test_bbox_filter_matches_geopandas(client: TestClient, viewer_workspace: Workspace) -> None:
    frame = store_frame(viewer_workspace, "buildings")
    box = _bbox84(frame)
    bbox = ",".join(f"{v:.7f}" for v in box)
    features, pages = all_pages(client, f"{BASE}/collections/buildings/items?bbox={bbox}&limit=50")
    got = {f["id"] for f in features}
    # everything that really intersects the CRS84 box is there ...
    lonlat = frame.to_crs("OGC:CRS84")
    assert set(frame["feature_id"][lonlat.intersects(shapely.box(*box))]) <= got
    # ... and the selection is the box's bounding rectangle in the storage CRS
    rounded = shapely.box(*(float(v) for v in bbox.split(",")))
    envelope = gpd.GeoSeries([rounded], crs="OGC:CRS84").to_crs(frame.crs).envelope.iloc[0]
    assert got == set(frame["feature_id"][frame.intersects(envelope)])
    assert 0 < len(got) < len(frame)
    assert pages[0]["numberMatched"] == len(got)


def test_bbox_crs_in_storage_crs_is_exact(client: TestClient, viewer_workspace: Workspace) -> None:
    frame = store_frame(viewer_workspace, "buildings")
    minx, miny, maxx, maxy = frame.total_bounds
    box = (minx + 100, miny + 100, (minx + maxx) / 2, (miny + maxy) / 2)
    url = (
        f"{BASE}/collections/buildings/items?limit=10000&bbox={','.join(map(str, box))}"
        f"&bbox-crs={EPSG.format(25832)}"
    )
    got = {f["id"] for f in client.get(url).json()["features"]}
    assert got == set(frame["feature_id"][frame.intersects(shapely.box(*box))])


def test_bbox_crs_epsg4326_is_latitude_first(
    client: TestClient, viewer_workspace: Workspace
) -> None:
    lon0, lat0, lon1, lat1 = _bbox84(store_frame(viewer_workspace, "buildings"))
    lonlat = client.get(
        f"{BASE}/collections/buildings/items?limit=10000&bbox={lon0},{lat0},{lon1},{lat1}"
    ).json()
    latlon = client.get(
        f"{BASE}/collections/buildings/items?limit=10000&bbox={lat0},{lon0},{lat1},{lon1}"
        f"&bbox-crs=EPSG:4326"
    ).json()
    assert {f["id"] for f in latlon["features"]} == {f["id"] for f in lonlat["features"]}
    assert latlon["numberMatched"] > 0


def test_crs_storage_returns_stored_coordinates(
    client: TestClient, viewer_workspace: Workspace
) -> None:
    frame = store_frame(viewer_workspace, "buildings").head(5)
    response = client.get(f"{BASE}/collections/buildings/items?limit=5&crs={EPSG.format(25832)}")
    assert response.status_code == 200
    assert response.headers["content-crs"] == f"<{EPSG.format(25832)}>"
    assert response.headers["content-type"].startswith("application/geo+json")
    for feature, geometry in zip(response.json()["features"], frame.geometry, strict=True):
        served = shapely.geometry.shape(feature["geometry"])
        assert shapely.equals_exact(served, geometry, tolerance=0.0006)


def test_crs_epsg4326_swaps_axis_order(client: TestClient) -> None:
    url = f"{BASE}/collections/trees/items?limit=3"
    default = client.get(url)
    latlon = client.get(f"{url}&crs=EPSG:4326")
    assert default.headers["content-crs"] == f"<{CRS84}>"
    assert latlon.headers["content-crs"] == f"<{EPSG.format(4326)}>"
    for a, b in zip(default.json()["features"], latlon.json()["features"], strict=True):
        lon, lat = shapely.get_coordinates(shapely.geometry.shape(a["geometry"]))[0]
        swapped = shapely.get_coordinates(shapely.geometry.shape(b["geometry"]))[0]
        assert (swapped[0], swapped[1]) == pytest.approx((lat, lon), abs=1e-7)
        assert 47 < lat < 56 and 5 < lon < 16  # Germany


def test_coordinates_are_rounded(client: TestClient) -> None:
    features = client.get(f"{BASE}/collections/trees/items?limit=5").json()["features"]
    for feature in features:
        for value in feature["geometry"]["coordinates"]:
            assert round(value, 7) == value
    metric = client.get(f"{BASE}/collections/trees/items?limit=5&crs=EPSG:25832").json()
    for feature in metric["features"]:
        for value in feature["geometry"]["coordinates"]:
            assert round(value, 3) == value


def test_crs_web_mercator(client: TestClient) -> None:
    response = client.get(f"{BASE}/collections/trees/items?limit=1&crs=EPSG:3857")
    assert response.headers["content-crs"] == f"<{EPSG.format(3857)}>"
    x, y = response.json()["features"][0]["geometry"]["coordinates"]
    assert 5e5 < x < 2e6 and 5e6 < y < 8e6


@pytest.mark.parametrize("crs", ["EPSG:31467", "http://www.opengis.net/def/crs/EPSG/0/99999", "x"])
def test_unsupported_crs_is_400(client: TestClient, crs: str) -> None:
    response = client.get(f"{BASE}/collections/trees/items", params={"crs": crs})
    assert response.status_code == 400
    assert "crs" in response.json()["description"]
    response = client.get(
        f"{BASE}/collections/trees/items", params={"bbox": "1,2,3,4", "bbox-crs": crs}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("limit", ["0", "10001", "-5", "ten", "1.5"])
def test_limit_out_of_range_is_400(client: TestClient, limit: str) -> None:
    response = client.get(f"{BASE}/collections/buildings/items", params={"limit": limit})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "InvalidRequestError"
    assert "limit" in body["description"]


def test_limit_max_is_accepted(client: TestClient) -> None:
    assert client.get(f"{BASE}/collections/buildings/items?limit=10000").status_code == 200


def test_negative_offset_is_400(client: TestClient) -> None:
    assert client.get(f"{BASE}/collections/buildings/items?offset=-1").status_code == 400


def test_offset_past_the_end_is_empty(client: TestClient) -> None:
    body = client.get(f"{BASE}/collections/buildings/items?offset=100000").json()
    assert body["features"] == [] and body["numberReturned"] == 0 and body["numberMatched"] > 0


@pytest.mark.parametrize(
    "bbox",
    ["a,b,c,d", "1,2,3", "1,2,3,4,5", "10,54,9,53", "200,0,201,1", "1,nan,2,3", "", "1,,2,3"],
)
def test_garbage_bbox_is_400(client: TestClient, bbox: str) -> None:
    response = client.get(f"{BASE}/collections/buildings/items", params={"bbox": bbox})
    assert response.status_code == 400
    assert "bbox" in response.json()["description"]


def test_six_number_bbox_is_accepted(client: TestClient, viewer_workspace: Workspace) -> None:
    lon0, lat0, lon1, lat1 = _bbox84(store_frame(viewer_workspace, "buildings"))
    four = client.get(f"{BASE}/collections/buildings/items?bbox={lon0},{lat0},{lon1},{lat1}")
    six = client.get(f"{BASE}/collections/buildings/items?bbox={lon0},{lat0},0,{lon1},{lat1},100")
    assert six.status_code == 200
    assert six.json()["numberMatched"] == four.json()["numberMatched"]


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2024-13-45", "2024-05-01T10:00:00", "2024-05-01/2024-04-01", "a/b/c", "2024"],
)
def test_garbage_datetime_is_400(client: TestClient, value: str) -> None:
    response = client.get(f"{BASE}/collections/buildings/items", params={"datetime": value})
    assert response.status_code == 400
    assert "datetime" in response.json()["description"]


def test_datetime_on_layer_without_time_is_400(client: TestClient) -> None:
    response = client.get(
        f"{BASE}/collections/buildings/items", params={"datetime": "2024-05-01T00:00:00Z/.."}
    )
    assert response.status_code == 400
    assert "has no time" in response.json()["description"]


def test_unknown_query_parameter_is_400(client: TestClient) -> None:
    response = client.get(f"{BASE}/collections/buildings/items?colour=red")
    assert response.status_code == 400
    assert "colour" in response.json()["description"]


def test_unknown_output_format_is_400(client: TestClient) -> None:
    assert client.get(f"{BASE}/collections/buildings/items?f=xml").status_code == 400


# -- single features --------------------------------------------------------------------


def test_single_feature_equals_its_items_entry(client: TestClient) -> None:
    listed = client.get(f"{BASE}/collections/buildings/items?limit=3").json()["features"]
    for item in listed:
        response = client.get(f"{BASE}/collections/buildings/items/{item['id']}")
        assert response.status_code == 200
        assert response.headers["content-crs"] == f"<{CRS84}>"
        body = response.json()
        assert body["id"] == item["id"]
        assert body["geometry"] == item["geometry"]
        assert body["properties"] == item["properties"]
        assert rel(body, "self") and rel(body, "alternate", "text/html")
        (collection,) = rel(body, "collection")
        assert collection["href"].split("?")[0].endswith("/collections/buildings")


def test_single_feature_in_storage_crs(client: TestClient, viewer_workspace: Workspace) -> None:
    row = store_frame(viewer_workspace, "trees").iloc[0]
    body = client.get(f"{BASE}/collections/trees/items/{row['feature_id']}?crs=EPSG:25832").json()
    assert body["geometry"]["coordinates"] == pytest.approx(
        [row.geometry.x, row.geometry.y], abs=6e-4
    )


# -- not found and access ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/nowhere/ogc/",
        "/nowhere/ogc/collections",
        f"{BASE}/collections/no_such_layer",
        f"{BASE}/collections/no_such_layer/items",
        f"{BASE}/collections/buildings/items/no-such-feature",
        f"{BASE}/collections/sensitive_sites",
        f"{BASE}/collections/sensitive_sites/items",
        f"{BASE}/collections/dem",
        f"{BASE}/collections/dem/items",
    ],
)
def test_not_found_is_404_in_json_and_html(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["code"].startswith("Unknown")
    assert str(Path(tempfile.gettempdir())) not in response.text, "no server paths"
    page = client.get(url, headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Nicht gefunden" in page.text
    english = client.get(url, params={"f": "html", "lang": "en"})
    assert english.status_code == 404 and "Not found" in english.text


def test_council_layer_does_not_leak(client: TestClient, viewer_workspace: Workspace) -> None:
    hidden = viewer_workspace.store("musterstadt").read_features("sensitive_sites").frame
    fid = hidden["feature_id"].iloc[0]
    response = client.get(f"{BASE}/collections/sensitive_sites/items/{fid}")
    assert response.status_code == 404
    assert "sensitive_sites" not in client.get(f"{BASE}/collections").text
    assert "sensitive_sites" not in client.get("/musterstadt/").text


# -- HTML -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "german", "english"),
    [
        ("/", "Übersicht", "Overview"),
        ("/collections", "Sammlungen", "Collections"),
        ("/conformance", "Konformitätsklassen", "Conformance classes"),
        ("/collections/buildings", "Speicher-Koordinatenreferenzsystem", "Storage coordinate"),
        ("/collections/buildings/items", "Treffer", "matched"),
    ],
)
def test_html_pages_render_in_german_and_english(
    client: TestClient, path: str, german: str, english: str
) -> None:
    de = client.get(f"{BASE}{path}", params={"f": "html"})
    en = client.get(f"{BASE}{path}", params={"f": "html", "lang": "en"})
    assert de.status_code == en.status_code == 200
    assert de.headers["content-type"].startswith("text/html")
    assert '<html lang="de">' in de.text and '<html lang="en">' in en.text
    assert german in de.text or path == "/"
    assert english in en.text or path == "/"
    assert "built-in method" not in de.text + en.text


def test_browser_accept_header_gets_html(client: TestClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(f"{BASE}/collections", headers={"Accept": accept})
    assert response.headers["content-type"].startswith("text/html")


def test_items_and_feature_html(client: TestClient) -> None:
    page = client.get(f"{BASE}/collections/buildings/items?f=html&limit=5")
    assert page.status_code == 200
    assert 'id="feature-data"' in page.text or "maplibre" not in page.text
    first = client.get(f"{BASE}/collections/buildings/items?limit=1").json()["features"][0]
    feature = client.get(f"{BASE}/collections/buildings/items/{first['id']}?f=html&lang=en")
    assert feature.status_code == 200
    assert first["id"] in feature.text and "Properties" in feature.text


def test_paths_that_match_no_route_answer_like_ogc(client: TestClient) -> None:
    response = client.get("/musterstadt/ogc/no-such-thing", headers={"Accept": "application/json"})
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "NotFound" and "/musterstadt/ogc/no-such-thing" in body["description"]
    page = client.get("/musterstadt/ogc/no-such-thing", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert client.post("/musterstadt/ogc/collections").status_code == 405
