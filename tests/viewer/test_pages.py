"""Portal and map pages, static files and the asset bundling step."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from layers.buildings import BuildingUse
from tests.conftest import build_workspace, make_town
from tests.viewer.conftest import page_config
from twin.catalogue import CatalogueEntry
from twin.config import LocalText
from twin.settings import get_settings
from twin.workspace import Workspace
from viewer import bundle_assets, templating
from viewer.app import app_from_settings, create_app
from viewer.deps import get_workspace
from viewer.labels import attribution as credit
from viewer.views.map_config import BUILDING_USES


def test_portal_lists_municipalities(client: TestClient, viewer_workspace: Workspace) -> None:
    config = viewer_workspace.config("musterstadt")
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert config.name in page.text
    assert config.ags in page.text
    assert 'href="http://testserver/musterstadt/' in page.text
    assert ("fiktiv" in page.text) == config.demo
    english = client.get("/?lang=en")
    assert "Municipal digital twins" in english.text
    assert ("fictional" in english.text) == config.demo


def test_portal_of_an_empty_workspace(tmp_path: Path) -> None:
    page = TestClient(create_app(Workspace(tmp_path))).get("/")
    assert page.status_code == 200
    assert "noch keine Kommune" in page.text


def test_map_page_config(client: TestClient, viewer_workspace: Workspace) -> None:
    page = client.get("/musterstadt/")
    assert page.status_code == 200
    config = page_config(page.text)
    ids = [layer["id"] for layer in config["layers"]]
    assert "sensitive_sites" not in ids and "dem" not in ids
    assert ids[-1] == "buildings", "buildings are drawn on top"
    assert ids.index("landuse") < ids.index("streets")
    buildings = next(layer for layer in config["layers"] if layer["id"] == "buildings")
    assert buildings["kind"] == "buildings"
    assert buildings["title"]["de"] != buildings["title"]["en"]
    assert buildings["items"].endswith(
        "/musterstadt/ogc/collections/buildings/items?f=json&limit=10000"
    )
    assert client.get(buildings["items"]).status_code == 200
    entry = viewer_workspace.store("musterstadt").layer("buildings")
    assert entry.licence in buildings["attribution"]
    assert {c["value"] for c in config["legend"]["landuse"]} >= {"residential", "water"}
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c["colour"]) for c in config["legend"]["landuse"])
    lon0, lat0, lon1, lat1 = config["bounds"]
    assert 5 < lon0 < lon1 < 16 and 47 < lat0 < lat1 < 56
    assert config["texts"]["en"]["layers"] == "Layers"


def test_map_page_accessibility_hooks(client: TestClient) -> None:
    html = client.get("/musterstadt/").text
    assert '<html lang="de">' in html
    assert 'id="lang-switch"' in html and "aria-label=" in html
    assert 'role="region"' in html and 'aria-live="polite"' in html
    assert "English" in html
    assert "English" not in client.get("/musterstadt/?lang=en").text.split("<main")[0]


def test_map_page_uses_bundled_maplibre_only(client: TestClient) -> None:
    if not templating.maplibre_available():
        pytest.skip(f"front-end assets not bundled; run `{bundle_assets.COMMAND}`")
    html = client.get("/musterstadt/").text
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts and all(src.startswith("http://testserver/static/") for src in scripts)
    for src in scripts:
        assert client.get(src).status_code == 200
    assert "unpkg" not in html and "cdn" not in html.lower()


def test_map_page_says_how_to_install_missing_assets(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(templating, "VENDOR_DIR", tmp_path)
    html = client.get("/musterstadt/").text
    assert bundle_assets.COMMAND.replace("&", "&amp;") in html
    assert 'role="alert"' in html
    assert "maplibre-gl.js" not in html


def test_unknown_municipality_page_is_html_404(client: TestClient) -> None:
    page = client.get("/nowhere/")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Nicht gefunden" in page.text


def test_static_files_are_served(client: TestClient) -> None:
    for name in ("twin-map.js", "feature-map.js", "twin.css"):
        assert client.get(f"/static/{name}").status_code == 200


def test_bundle_copies_assets(tmp_path: Path) -> None:
    node_modules = tmp_path / "node_modules"
    for source in bundle_assets.ASSETS:
        (node_modules / source).parent.mkdir(parents=True, exist_ok=True)
        (node_modules / source).write_text(source)
    written = bundle_assets.bundle(node_modules, tmp_path / "vendor")
    assert sorted(p.name for p in written) == sorted(bundle_assets.ASSETS.values())
    assert (tmp_path / "vendor" / "maplibre-gl.js").read_text() == "maplibre-gl/dist/maplibre-gl.js"


def test_bundle_without_npm_ci_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="npm ci"):
        bundle_assets.bundle(tmp_path, tmp_path / "vendor")
    assert bundle_assets.main(["--node-modules", str(tmp_path)]) == 1


def test_every_building_use_has_a_legend_entry() -> None:
    assert set(BUILDING_USES) == {use.value for use in BuildingUse}


@pytest.mark.parametrize(
    ("attribution", "licence", "expected"),
    [
        ("© OpenStreetMap contributors (ODbL)", "ODbL-1.0", "© OpenStreetMap contributors (ODbL)"),
        ("FHH, LGV (dl-de/by-2-0)", "dl-de/by-2-0", "FHH, LGV (dl-de/by-2-0)"),
        ("© Musterstadt", "CC-BY-4.0", "© Musterstadt (CC-BY-4.0)"),
        ("", "CC0-1.0", "Testdaten (CC0-1.0)"),
    ],
)
def test_attribution_names_the_licence_once(attribution: str, licence: str, expected: str) -> None:
    entry = CatalogueEntry(
        name="x",
        title=LocalText(de="X"),
        kind="vector",
        classification="public",
        owner="Test",
        licence=licence,
        source="Testdaten",
        attribution=attribution,
        source_file="x",
        checksum="0",
        imported_at=datetime(2026, 1, 1),
        imported_by="pytest",
    )
    assert credit(entry) == expected


def test_workspace_dependency_can_be_overridden(
    tmp_path: Path, viewer_workspace: Workspace
) -> None:
    app = create_app(Workspace(tmp_path))
    app.dependency_overrides[get_workspace] = lambda: viewer_workspace
    page = TestClient(app).get("/")
    assert "Musterstadt" in page.text


def test_uvicorn_factory_reads_the_workspace_setting(
    monkeypatch: pytest.MonkeyPatch, viewer_workspace: Workspace
) -> None:
    monkeypatch.setenv("TWIN_WORKSPACE", str(viewer_workspace.root))
    get_settings.cache_clear()
    try:
        app = app_from_settings()
    finally:
        get_settings.cache_clear()
    assert TestClient(app).get("/musterstadt/ogc/").status_code == 200


def test_portal_lists_a_twin_whose_source_files_are_gone(tmp_path: Path) -> None:
    """Once imported, a twin is served from its store; moved source files do not hide it."""
    workspace = build_workspace(tmp_path / "ws", make_town(tmp_path))
    (tmp_path / "parks.geojson").unlink()
    page = TestClient(create_app(workspace)).get("/", headers={"Accept-Language": "de"})
    assert page.status_code == 200 and "Testort" in page.text
