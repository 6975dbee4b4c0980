"""The map's GeoJSON pages from memory: gzipped once, revalidated, per language, never stale.

A public layer's page is serialised once per data version and kept as bytes (and gzipped
bytes) in ``app.state.pages`` (:mod:`viewer.api.http_cache`). These tests pin what must
hold for that to be invisible: the gzipped page is the same page, both of its tags
revalidate, a new import is answered at once, and only public pages are ever kept.
"""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from tests.viewer.conftest import copy_workspace, role_tokens
from twin.workspace import Workspace
from viewer.api.http_cache import CachedPage, PageCache, accepts_gzip
from viewer.app import create_app

ITEMS = "/musterstadt/ogc/collections/{}/items?f=json&limit=10000"
GZIP = {"Accept-Encoding": "gzip, deflate, br"}
PLAIN = {"Accept-Encoding": "identity"}


@pytest.fixture(scope="module")
def workspace(two_towns: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """Musterstadt with layers of every classification, of this module's own (it imports)."""
    return copy_workspace(two_towns, tmp_path_factory, "page-cache")


@pytest.fixture(scope="module")
def client(workspace: Workspace) -> TestClient:
    return TestClient(create_app(workspace))


def pages(client: TestClient) -> PageCache:
    cache: PageCache = client.app.state.pages  # type: ignore[attr-defined]
    return cache


def raw_get(client: TestClient, url: str, headers: dict[str, str]) -> tuple[Any, bytes]:
    """The response and its body exactly as sent (not decoded by the client)."""
    with client.stream("GET", url, headers=headers) as response:
        return response, b"".join(response.iter_raw())


def test_gzipped_page_is_the_same_page_with_a_weak_tag(client: TestClient) -> None:
    plain, plain_body = raw_get(client, ITEMS.format("buildings"), PLAIN)
    packed, packed_body = raw_get(client, ITEMS.format("buildings"), GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["content-type"] == plain.headers["content-type"] == "application/geo+json"
    assert gzip.decompress(packed_body) == plain_body  # the very same bytes, timeStamp too
    assert len(packed_body) * 4 < len(plain_body)
    assert int(packed.headers["content-length"]) == len(packed_body)
    assert packed.headers["etag"] == "W/" + plain.headers["etag"]
    assert not plain.headers["etag"].startswith("W/")
    for response in (plain, packed):
        assert "Accept-Encoding" in response.headers["vary"]
        assert response.headers["cache-control"] == "public, no-cache"
        assert response.headers["content-crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"


def test_refusing_gzip_gets_the_page_as_it_is(client: TestClient) -> None:
    for refusal in ("gzip;q=0, deflate", "identity", "br", "*;q=0"):
        response, body = raw_get(client, ITEMS.format("streets"), {"Accept-Encoding": refusal})
        assert "content-encoding" not in response.headers, refusal
        assert json.loads(body)["type"] == "FeatureCollection"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate, br, zstd", True),
        ("GZIP", True),
        ("x-gzip", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip;q=0.000, *", False),
        ("*;q=0", False),
        ("br, deflate", False),
        ("", False),
        (None, False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accepts_gzip(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_either_tag_revalidates_also_after_the_cache_was_emptied(client: TestClient) -> None:
    url = ITEMS.format("trees")
    strong = client.get(url, headers=PLAIN).headers["etag"]
    weak = client.get(url, headers=GZIP).headers["etag"]
    for cache in ("kept", "emptied"):
        if cache == "emptied":
            client.app.state.pages = PageCache()  # type: ignore[attr-defined]
        for tag, encoding in ((strong, PLAIN), (weak, GZIP), (weak, PLAIN), (strong, GZIP)):
            again = client.get(url, headers=encoding | {"If-None-Match": tag})
            assert again.status_code == 304, (cache, tag, encoding)
            assert again.content == b""
            assert again.headers["etag"] in (strong, weak)
            assert again.headers["cache-control"] == "public, no-cache"
            assert "Accept-Encoding" in again.headers["vary"]
    assert not pages(client)._pages, "a 304 makes no page"


def test_each_language_has_its_own_page(client: TestClient) -> None:
    url = ITEMS.format("districts")
    german = client.get(url, headers={"Accept-Language": "de"})
    english = client.get(url, headers={"Accept-Language": "en"})
    assert german.headers["etag"] != english.headers["etag"]
    assert "Accept-Language" in german.headers["vary"]
    titles = {
        lang: {link["rel"]: link.get("title") for link in response.json()["links"]}
        for lang, response in (("de", german), ("en", english))
    }
    assert titles["de"]["collection"] == "Ortsteile"
    assert titles["en"]["collection"] == "Districts"
    again = client.get(
        url, headers={"Accept-Language": "en", "If-None-Match": german.headers["etag"]}
    )
    assert again.status_code == 200 and again.json()["links"] == english.json()["links"]


def test_a_new_import_is_served_at_once(client: TestClient, workspace: Workspace) -> None:
    url = ITEMS.format("trees")
    before = client.get(url, headers=GZIP)
    assert before.json()["numberMatched"] > 10
    assert (
        client.get(url, headers=GZIP | {"If-None-Match": before.headers["etag"]}).status_code == 304
    )
    store = workspace.store("musterstadt")
    entry = store.layer("trees")
    frame = store.read_features("trees", limit=10).frame
    # written by another connection, as `twin import` or an upload would
    store.write_layer(
        entry.model_copy(update={"imported_at": datetime.now(UTC), "feature_count": 10}),
        frame,
        actor="pytest",
    )
    for headers in (GZIP, PLAIN):
        after = client.get(url, headers=headers | {"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200
        assert after.headers["etag"].removeprefix("W/") != before.headers["etag"].removeprefix("W/")
        assert after.json()["numberMatched"] == 10
        assert client.get(url, headers=headers).json()["numberMatched"] == 10


def test_only_public_pages_are_kept(client: TestClient, workspace: Workspace) -> None:
    tokens = role_tokens(workspace.store("musterstadt"))
    client.app.state.pages = PageCache()  # type: ignore[attr-defined]
    for layer in ("street_works", "tree_sponsors", "sensitive_sites"):
        response = client.get(ITEMS.format(layer), headers=tokens["admin"] | GZIP)
        assert response.status_code == 200
        assert "etag" not in response.headers
        assert "content-encoding" not in response.headers
        assert client.get(ITEMS.format(layer), headers=GZIP).status_code == 404
    assert not pages(client)._pages
    public = client.get(ITEMS.format("streets"), headers=tokens["admin"])
    assert client.get(ITEMS.format("streets")).headers["etag"] == public.headers["etag"]
    assert len(pages(client)._pages) == 1


def test_small_pages_are_not_gzipped() -> None:
    page = CachedPage.compressed(b'{"type":"FeatureCollection"}', {"ETag": '"x"'})
    assert page.gzipped is None
    scope = {"type": "http", "headers": [(b"accept-encoding", b"gzip")], "query_string": b""}
    response = page.response(Request(scope), "application/geo+json")
    assert response.body == b'{"type":"FeatureCollection"}'
    assert "content-encoding" not in response.headers
    assert response.headers["etag"] == '"x"'


def test_the_budget_counts_both_bodies() -> None:
    body = json.dumps({"features": ["x" * 10] * 2000}).encode()
    page = CachedPage.compressed(body, {"ETag": '"a"'})
    assert page.gzipped is not None
    cache = PageCache(budget=len(body) + len(page.gzipped) + 10)
    cache.put('"a"', page)
    cache.put('"b"', page)
    assert cache.get('"a"') is None and cache.get('"b"') is page
    assert cache._size == page.size
