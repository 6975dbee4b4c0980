"""The administration's JSON API: who may call what, alerts, people and tokens, audit, uploads."""

from __future__ import annotations

import hashlib
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from fastapi.testclient import TestClient

from sample_data import get_path
from tests.viewer.conftest import copy_workspace, role_tokens
from twin.access import create_token
from twin.accounts import log_in
from twin.config import Role
from twin.errors import AuthenticationError
from twin.upload import replace_layer
from twin.workspace import Workspace
from viewer.app import create_app

API = "/musterstadt/api"
PASSWORD = "linde-rathaus-mühlbach"
Headers = dict[str, str]


@pytest.fixture(scope="module")
def workspace(two_towns: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A copy of Musterstadt and Testort of our own: these tests write."""
    return copy_workspace(two_towns, tmp_path_factory, "admin-api")


@pytest.fixture(scope="module")
def tokens(workspace: Workspace) -> dict[str, Headers]:
    return role_tokens(workspace.store("musterstadt"))


@pytest.fixture(scope="module")
def client(workspace: Workspace) -> TestClient:
    return TestClient(create_app(workspace))


@pytest.fixture(scope="module")
def alert_id(workspace: Workspace) -> int:
    """An open alert on the soil-moisture sensor M01, as the alert rules open them."""
    store = workspace.store("musterstadt")
    stream = next(d for d in store.datastreams() if d.key == "M01")
    opened = store.open_alert(
        "Baum braucht Wasser",
        stream.id,
        observed_at="2025-07-28T23:00:00Z",
        value=9.5,
        message="Baum braucht Wasser / Tree needs water: M01 = 9.5 % (< 12 for ≥ 24 h)",
        actor="fusion",
    )
    assert opened is not None
    return opened


# -- who may call what --------------------------------------------------------------------
EDITORS = {"administration", "admin"}
ADMINS = {"admin"}
READS = [
    ("/alerts", EDITORS),
    ("/alerts?state=active", EDITORS),
    ("/alerts/{alert}", EDITORS),
    ("/sensors/health", EDITORS),
    ("/layers", EDITORS),
    ("/users", ADMINS),
    ("/tokens", ADMINS),
    ("/audit?limit=5", ADMINS),
]
WRITES: list[tuple[str, dict[str, Any] | None, set[str]]] = [
    ("/alerts/999999/state", {"state": "acknowledged"}, EDITORS),
    ("/users", {"name": "Mallory", "role": "admin", "password": PASSWORD}, ADMINS),
    ("/users/nobody/disable", None, ADMINS),
    ("/users/nobody/password", {"password": PASSWORD}, ADMINS),
    ("/tokens", {"name": "Mallory", "role": "admin"}, ADMINS),
    ("/tokens/999999/revoke", None, ADMINS),
]
ROLES = ["anonymous", "participant", "council", "administration", "admin"]


def refused_status(role: str) -> int:
    return 401 if role == "anonymous" else 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "allowed"), READS, ids=[p for p, _ in READS])
def test_reads_by_role(
    client: TestClient,
    tokens: dict[str, Headers],
    alert_id: int,
    path: str,
    allowed: set[str],
    role: str,
) -> None:
    answer = client.get(API + path.format(alert=alert_id), headers=tokens[role])
    assert answer.status_code == (200 if role in allowed else refused_status(role)), answer.text
    if role not in allowed:
        assert answer.json()["code"] in ("AuthenticationError", "PermissionDeniedError")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "body", "allowed"), WRITES, ids=[p for p, _, _ in WRITES])
def test_writes_by_role(
    client: TestClient,
    tokens: dict[str, Headers],
    path: str,
    body: dict[str, Any] | None,
    allowed: set[str],
    role: str,
) -> None:
    if role in allowed and not path.endswith(("/users", "/tokens")):
        # allowed: the missing target answers 404 (creating is tested below)
        assert client.post(API + path, json=body, headers=tokens[role]).status_code == 404
    elif role not in allowed:
        answer = client.post(API + path, json=body, headers=tokens[role])
        assert answer.status_code == refused_status(role), answer.text


@pytest.mark.parametrize("role", ["anonymous", "participant", "council"])
def test_uploads_are_refused_to_callers_outside_the_administration(
    client: TestClient, workspace: Workspace, tokens: dict[str, Headers], role: str
) -> None:
    before = workspace.store("musterstadt").layer("districts")
    answer = client.post(
        f"{API}/layers/districts/upload",
        files={"file": ("districts.geojson", b"{}")},
        headers=tokens[role],
    )
    assert answer.status_code == refused_status(role)
    assert workspace.store("musterstadt").layer("districts") == before


def test_a_token_of_another_municipality_means_nothing_here(
    client: TestClient, workspace: Workspace, tokens: dict[str, Headers]
) -> None:
    _, testort = create_token(workspace.store("testort"), "Testort admin", Role.ADMIN, actor="t")
    foreign = {"Authorization": f"Bearer {testort}"}
    for path in ("/alerts", "/sensors/health", "/layers", "/users", "/tokens", "/audit"):
        assert client.get(API + path, headers=foreign).status_code == 401
    assert (
        client.post(
            f"{API}/tokens", json={"name": "x", "role": "admin"}, headers=foreign
        ).status_code
        == 401
    )
    assert client.get("/testort/api/users", headers=tokens["admin"]).status_code == 401
    assert client.get("/testort/api/users", headers=foreign).status_code == 200


def test_the_api_is_described_in_the_openapi_document(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/{slug}/api/alerts",
        "/{slug}/api/alerts/{alert_id}/state",
        "/{slug}/api/sensors/health",
        "/{slug}/api/layers/{name}/upload",
        "/{slug}/api/users/{name}/password",
        "/{slug}/api/tokens/{token_id}/revoke",
        "/{slug}/api/audit",
    ):
        assert path in paths, path
    schemas = spec["components"]["schemas"]
    assert schemas["AlertChange"]["properties"]["state"]["enum"] == ["acknowledged", "closed"]
    assert "token" in schemas["CreatedToken"]["properties"]
    assert "password_hash" not in schemas["UserOut"]["properties"]
    upload = paths["/{slug}/api/layers/{name}/upload"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert upload["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "UploadProblem"
    )


# -- alerts -------------------------------------------------------------------------------
def test_acknowledge_and_close_an_alert_with_its_history(
    client: TestClient, tokens: dict[str, Headers], alert_id: int
) -> None:
    office = tokens["administration"]
    listed = client.get(f"{API}/alerts?state=open", headers=office).json()["alerts"]
    alert = next(a for a in listed if a["id"] == alert_id)
    assert alert["sensor"] == "M01" and alert["value"] == 9.5
    assert alert["sensor_name"].startswith("Bodenfeuchte")

    url = f"{API}/alerts/{alert_id}/state"
    done = client.post(
        url, json={"state": "acknowledged", "note": "Gießdienst ist unterwegs"}, headers=office
    )
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "acknowledged"
    again = client.post(url, json={"state": "acknowledged"}, headers=office)
    assert again.status_code == 400 and "acknowledged" in again.json()["description"]
    assert client.post(url, json={"state": "open"}, headers=office).status_code == 422
    closed = client.post(url, json={"state": "closed", "note": "gegossen"}, headers=tokens["admin"])
    assert closed.status_code == 200
    history = client.get(f"{API}/alerts/{alert_id}", headers=office).json()["history"]
    assert [(e["state"], e["actor"], e["note"]) for e in history] == [
        ("open", "fusion", alert["message"]),
        ("acknowledged", "test administration", "Gießdienst ist unterwegs"),
        ("closed", "test admin", "gegossen"),
    ]
    assert client.post(url, json={"state": "closed"}, headers=office).status_code == 400
    active = client.get(f"{API}/alerts?state=active", headers=office).json()["alerts"]
    assert alert_id not in {a["id"] for a in active}
    assert alert_id in {
        a["id"] for a in client.get(f"{API}/alerts?state=closed", headers=office).json()["alerts"]
    }
    assert client.get(f"{API}/alerts/999999", headers=office).status_code == 404

    audit = client.get(f"{API}/audit?limit=1000", headers=tokens["admin"]).json()["records"]
    mine = [(r["action"], r["actor"]) for r in audit if r["target"] == f"alert {alert_id}"]
    assert mine == [
        ("closed_alert", "test admin"),
        ("acknowledged_alert", "test administration"),
        ("open_alert", "fusion"),
    ]


def test_sensor_health_lists_every_sensor_with_its_newest_value(
    client: TestClient, workspace: Workspace, tokens: dict[str, Headers]
) -> None:
    body = client.get(f"{API}/sensors/health", headers=tokens["administration"]).json()
    store = workspace.store("musterstadt")
    streams = {d.key: d for d in store.datastreams()}
    sensors = {s["key"]: s for s in body["sensors"]}
    assert set(sensors) == set(streams)
    newest = store.latest().set_index("key")
    for key, sensor in sensors.items():
        assert sensor["status"] in ("ok", "degraded", "stale", "no_data")
        assert sensor["observations"] == streams[key].observations
        last = streams[key].last
        if last is not None:
            assert sensor["last"].replace("Z", "+00:00")[:19] == last[:19]
            assert sensor["last_value"] == pytest.approx(float(newest.loc[key, "result"]))
            assert sensor["message_de"] and sensor["message_en"]
    # the sample's history ends in July 2025: long silent now
    assert sensors["T01"]["stale"] and sensors["T01"]["status"] == "stale"


# -- users, tokens, audit -----------------------------------------------------------------
def test_the_admin_manages_users(
    client: TestClient, workspace: Workspace, tokens: dict[str, Headers]
) -> None:
    admin = tokens["admin"]
    store = workspace.store("musterstadt")
    made = client.post(
        f"{API}/users",
        json={
            "name": "Ute Umwelt",
            "role": "administration",
            "password": PASSWORD,
            "email": "u@example.org",
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    assert made.json()["role"] == "administration" and "password" not in made.text
    assert log_in(store, "Ute Umwelt", PASSWORD).cookie
    twice = client.post(
        f"{API}/users",
        json={"name": "Ute Umwelt", "role": "council", "password": PASSWORD},
        headers=admin,
    )
    assert twice.status_code == 400
    short = client.post(
        f"{API}/users", json={"name": "Kurt", "role": "council", "password": "kurz"}, headers=admin
    )
    assert short.status_code == 400 and "10" in short.json()["description"]
    listed = {u["name"]: u for u in client.get(f"{API}/users", headers=admin).json()["users"]}
    assert listed["Ute Umwelt"]["email"] == "u@example.org"
    assert listed["Ute Umwelt"]["created_by"] == "test admin"

    new = "ein-ganz-neues-passwort"
    assert (
        client.post(
            f"{API}/users/Ute Umwelt/password", json={"password": new}, headers=admin
        ).status_code
        == 200
    )
    with pytest.raises(AuthenticationError):
        log_in(store, "Ute Umwelt", PASSWORD)
    assert log_in(store, "Ute Umwelt", new).cookie
    off = client.post(f"{API}/users/Ute Umwelt/disable", headers=admin)
    assert off.status_code == 200 and off.json()["disabled_at"]
    with pytest.raises(AuthenticationError):
        log_in(store, "Ute Umwelt", new)

    client.post(
        f"{API}/users",
        json={"name": "test admin", "role": "admin", "password": PASSWORD},
        headers=admin,
    )
    myself = client.post(f"{API}/users/test admin/disable", headers=admin)
    assert myself.status_code == 400 and "yourself" in myself.json()["description"]

    audit = client.get(f"{API}/audit?actor=test admin&limit=1000", headers=admin).json()["records"]
    actions = [(r["action"], r["target"]) for r in audit]
    for expected in (
        ("add_user", "user Ute Umwelt"),
        ("set_password", "user Ute Umwelt"),
        ("disable_user", "user Ute Umwelt"),
    ):
        assert expected in actions


def test_tokens_made_through_the_api_work_until_revoked(
    client: TestClient, tokens: dict[str, Headers]
) -> None:
    admin = tokens["admin"]
    made = client.post(
        f"{API}/tokens", json={"name": "Messnetz-Skript", "role": "administration"}, headers=admin
    )
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    assert token.startswith("twin_") and made.json()["created_by"] == "test admin"
    script = {"Authorization": f"Bearer {token}"}
    assert client.get(f"{API}/alerts", headers=script).status_code == 200
    assert (
        client.get(f"{API}/users", headers=script).status_code == 403
    )  # administration, not admin

    listed = client.get(f"{API}/tokens", headers=admin).json()["tokens"]
    mine = next(t for t in listed if t["id"] == made.json()["id"])
    assert "token" not in mine and mine["revoked_at"] is None
    assert token not in client.get(f"{API}/tokens", headers=admin).text

    revoked = client.post(f"{API}/tokens/{mine['id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get(f"{API}/alerts", headers=script).status_code == 401
    assert client.post(f"{API}/tokens/{mine['id']}/revoke", headers=admin).status_code == 404

    audit = client.get(f"{API}/audit?limit=1000", headers=admin).json()["records"]
    records = {(r["action"], r["target"]): r for r in audit}
    assert records[("create_token", f"token {mine['id']}")]["actor"] == "test admin"
    assert records[("create_token", f"token {mine['id']}")]["detail"] == {
        "name": "Messnetz-Skript",
        "role": "administration",
    }
    assert records[("revoke_token", f"token {mine['id']}")]["actor"] == "test admin"
    only = client.get(f"{API}/audit?action=revoke_token", headers=admin).json()["records"]
    assert only and {r["action"] for r in only} == {"revoke_token"}


def test_audit_limit_and_filters(client: TestClient, tokens: dict[str, Headers]) -> None:
    admin = tokens["admin"]
    assert len(client.get(f"{API}/audit?limit=3", headers=admin).json()["records"]) == 3
    assert client.get(f"{API}/audit?limit=0", headers=admin).status_code == 422
    nobody = client.get(f"{API}/audit?actor=niemand", headers=admin).json()["records"]
    assert nobody == []


# -- the layer catalogue and uploads ------------------------------------------------------
def test_the_catalogue_shows_provenance_of_every_layer(
    client: TestClient, workspace: Workspace, tokens: dict[str, Headers]
) -> None:
    layers = {
        layer["name"]: layer
        for layer in client.get(f"{API}/layers", headers=tokens["administration"]).json()["layers"]
    }
    assert {"buildings", "trees", "dem", "street_works", "tree_sponsors"} <= set(layers)
    trees = layers["trees"]
    entry = workspace.store("musterstadt").layer("trees")
    assert trees["owner"] == "Grünflächenamt" and trees["licence"] == "CC0-1.0"
    assert trees["classification"] == "public" and trees["checksum"] == entry.checksum
    assert trees["source_file"] == "musterstadt.gpkg"  # the name only, no server path
    assert trees["imported_by"] == "pytest" and trees["feature_count"] == entry.feature_count
    assert trees["report"]["imported"] == entry.feature_count
    assert trees["uploadable"] == [".gpkg", ".geojson", ".json", ".fgb"]
    assert ".city.json" in layers["buildings"]["uploadable"]
    assert layers["dem"]["uploadable"] == [".tif", ".tiff"]
    assert layers["tree_sponsors"]["classification"] == "personal"
    assert layers["street_works"]["uploadable"] == []  # not in the config: nothing to replace


def districts() -> gpd.GeoDataFrame:
    """The sample's five districts as the source file holds them (EPSG:25832)."""
    return gpd.read_file(get_path("musterstadt").parent / "musterstadt.gpkg", layer="districts")


def state_of(workspace: Workspace, layer: str) -> tuple[Any, ...]:
    """Everything an upload could change: catalogue entry, rows, config, kept files."""
    store = workspace.store("musterstadt")
    folder = workspace.folder("musterstadt")
    return (
        store.layer(layer),
        store.read_features(layer).matched if store.layer(layer).storage == "vector" else None,
        (folder / "municipality.toml").read_text(),
        sorted(p.relative_to(folder) for p in (folder / "sources").rglob("*"))
        if (folder / "sources").exists()
        else [],
        sorted((folder / "uploads").iterdir()) if (folder / "uploads").exists() else [],
    )


def upload(
    client: TestClient,
    headers: Headers,
    path: Path,
    *,
    accept: bool = False,
    layer: str = "districts",
) -> Any:
    with path.open("rb") as handle:
        return client.post(
            f"{API}/layers/{layer}/upload",
            files={"file": (path.name, handle)},
            data={"accept_rejections": "true" if accept else "false"},
            headers=headers,
        )


def test_a_good_file_replaces_the_layer_and_is_kept(
    client: TestClient, workspace: Workspace, tokens: dict[str, Headers], tmp_path: Path
) -> None:
    file = tmp_path / "Ortsteile 2026.gpkg"
    districts().iloc[:4].to_file(file, layer="districts")
    answer = upload(client, tokens["administration"], file)
    assert answer.status_code == 200, answer.text
    report = answer.json()["report"]
    assert (report["read"], report["imported"], report["rejected"]) == (4, 4, 0)
    store = workspace.store("musterstadt")
    entry = store.layer("districts")
    assert store.read_features("districts").matched == 4 == entry.feature_count
    assert entry.checksum == hashlib.sha256(file.read_bytes()).hexdigest()
    assert entry.imported_by == "test administration"
    kept = Path(entry.source_file)
    assert kept.name == "Ortsteile_2026.gpkg" and kept.read_bytes() == file.read_bytes()
    assert kept.is_relative_to(workspace.folder("musterstadt") / "sources" / "districts")
    assert workspace.config("musterstadt").layer("districts").path == kept  # twin import agrees
    assert answer.json()["layer"]["source_file"] == "Ortsteile_2026.gpkg"
    assert not list((workspace.folder("musterstadt") / "uploads").iterdir())

    # a new version in another format and CRS (WGS 84) is reprojected like in `twin import`
    again = tmp_path / "districts.geojson"
    districts().to_crs(4326).to_file(again)
    answer = upload(client, tokens["admin"], again)
    assert answer.status_code == 200, answer.text
    assert store.read_features("districts").matched == 5
    assert store.layer("districts").imported_by == "test admin"
    assert shapely.equals_exact(
        store.read_features("districts").frame.geometry.iloc[0],
        districts().geometry.iloc[0],
        tolerance=0.01,
    )
    audit = client.get(f"{API}/audit?limit=1000", headers=tokens["admin"]).json()["records"]
    writes = [r["actor"] for r in audit if r["target"] == "districts"]
    assert writes[:2] == ["test admin", "test administration"]


def bad_geometries() -> gpd.GeoDataFrame:
    """Five districts: OT1 collapsed to a line (unrepairable), OT2 a bow-tie (repairable)."""
    frame = districts()
    x, y = frame.geometry.iloc[0].centroid.coords[0]
    frame.loc[0, "geometry"] = shapely.Polygon([(x, y), (x + 10, y), (x + 20, y), (x, y)])
    frame.loc[1, "geometry"] = shapely.Polygon(
        [(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100), (x, y)]
    )
    return frame


def write_without_crs(frame: gpd.GeoDataFrame, path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "'crs' was not provided": intended
        frame.set_crs(None, allow_override=True).to_file(path, layer="districts")


@pytest.mark.parametrize(
    ("case", "status", "code", "words"),
    [
        ("no-crs", 400, "CRSError", "no coordinate reference system"),
        ("wrong-crs", 422, "LayerValidationError", "outside the municipality boundary"),
        ("corrupt", 422, "DataFileError", "corrupt"),
        ("truncated", 422, "DataFileError", "corrupt"),
        ("invalid-geometries", 422, "UploadRefused", "would be rejected"),
        ("all-invalid", 422, "LayerValidationError", "cannot be repaired"),
        ("shapefile", 400, "InvalidRequestError", "unsupported file type"),
    ],
)
def test_a_bad_file_is_refused_with_the_report_and_changes_nothing(
    client: TestClient,
    workspace: Workspace,
    tokens: dict[str, Headers],
    tmp_path: Path,
    case: str,
    status: int,
    code: str,
    words: str,
) -> None:
    file = tmp_path / ("districts.shp" if case == "shapefile" else f"{case}.gpkg")
    good = tmp_path / "good.gpkg"
    districts().to_file(good, layer="districts")
    match case:
        case "no-crs":
            write_without_crs(districts(), file)
        case "wrong-crs":  # UTM 32 coordinates labelled as UTM 33: 400 km off
            districts().set_crs(25833, allow_override=True).to_file(file, layer="districts")
        case "corrupt":
            file.write_bytes(b"PK\x03\x04 this is no GeoPackage " * 100)
        case "truncated":
            file.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
        case "invalid-geometries":
            bad_geometries().to_file(file, layer="districts")
        case "all-invalid":
            frame = districts()
            frame.geometry = [shapely.Polygon([(0, 0), (1, 1), (2, 2), (0, 0)])] * len(frame)
            frame.to_file(file, layer="districts")
        case "shapefile":
            file.write_bytes(b"x")
    before = state_of(workspace, "districts")
    answer = upload(client, tokens["administration"], file)
    assert answer.status_code == status, answer.text
    body = answer.json()
    said = body["description"] + (body.get("hint") or "")
    assert body["code"] == code and words in said
    assert str(workspace.root.resolve()) not in said and str(workspace.root) not in said
    assert state_of(workspace, "districts") == before
    if case == "invalid-geometries":
        report = body["report"]
        assert (report["read"], report["rejected"], report["repaired"]) == (5, 1, 1)
        issues = {i["feature_id"]: (i["problem"], i["action"]) for i in report["issues"]}
        assert issues["OT1"] == ("invalid geometry that cannot be repaired", "rejected")
        assert issues["OT2"] == ("invalid geometry", "repaired (make_valid)")
    if case == "no-crs":
        assert f"{case}.gpkg" in body["description"]  # named as uploaded


def test_rejections_can_be_accepted(
    client: TestClient, workspace: Workspace, tokens: dict[str, Headers], tmp_path: Path
) -> None:
    file = tmp_path / "districts.gpkg"
    bad_geometries().to_file(file, layer="districts")
    answer = upload(client, tokens["administration"], file, accept=True)
    assert answer.status_code == 200, answer.text
    assert answer.json()["report"]["rejected"] == 1
    store = workspace.store("musterstadt")
    assert store.read_features("districts").matched == 4
    assert store.layer("districts").report.rejected == 1  # type: ignore[union-attr]


def test_uploads_only_replace_configured_layers(
    client: TestClient, tokens: dict[str, Headers], tmp_path: Path
) -> None:
    file = tmp_path / "streets.gpkg"
    districts().to_file(file, layer="districts")
    assert upload(client, tokens["admin"], file, layer="street_works").status_code == 404
    assert upload(client, tokens["admin"], file, layer="nothing").status_code == 404


def test_a_raster_layer_takes_a_new_geotiff(
    client: TestClient, workspace: Workspace, tokens: dict[str, Headers], tmp_path: Path
) -> None:
    dem = get_path("musterstadt").parent / "dem.tif"
    broken = tmp_path / "dgm10.tif"
    broken.write_bytes(dem.read_bytes()[:3000])
    before = state_of(workspace, "dem")
    refused = upload(client, tokens["administration"], broken, layer="dem")
    assert refused.status_code == 422 and refused.json()["code"] == "DataFileError"
    assert state_of(workspace, "dem") == before
    answer = upload(client, tokens["administration"], dem, layer="dem")
    assert answer.status_code == 200, answer.text
    assert answer.json()["report"]["raster"].startswith("320 × 320 px")
    entry = workspace.store("musterstadt").layer("dem")
    assert entry.imported_by == "test administration" and Path(entry.source_file).name == "dem.tif"
    assert entry.checksum == before[0].checksum  # the same grid, imported again


def test_two_uploads_at_once_both_reach_the_config(workspace: Workspace, tmp_path: Path) -> None:
    """A slow raster upload and a quick vector one: neither saves the config the other had."""
    vector = tmp_path / "districts-now.gpkg"
    districts().to_file(vector, layer="districts")
    raster = get_path("musterstadt").parent / "dem.tif"
    start = threading.Barrier(2)

    def send(layer: str, path: Path) -> Path:
        start.wait()
        with path.open("rb") as handle:
            return replace_layer(
                workspace, "musterstadt", layer, handle, path.name, actor="t"
            ).source_file

    with ThreadPoolExecutor(2) as pool:
        dem = pool.submit(send, "dem", raster)
        quick = pool.submit(send, "districts", vector)
        kept = {"dem": dem.result(), "districts": quick.result()}
    config = workspace.config("musterstadt")
    assert {name: config.layer(name).path for name in kept} == kept
