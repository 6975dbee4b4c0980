"""Participation API: contributions, pre-moderation, comments, votes, export, per role."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from fastapi import FastAPI
from fastapi.testclient import TestClient
from shapely.geometry import shape

from tests.viewer.conftest import add_testort, copy_workspace, role_tokens
from twin.access import create_token
from twin.config import Role
from twin.workspace import Workspace
from viewer.app import create_app

API = "/musterstadt/api/contributions"
TWIN = str(Path(sys.executable).parent / "twin")
MARKT = (633600.0, 5497755.0)  # the car park in the Altstadt (EPSG:25832)
EVENT = "werkstatt-muehlbach"


def wgs84(geometry: shapely.Geometry) -> dict[str, Any]:
    """A geometry given in EPSG:25832 as GeoJSON in WGS 84."""
    return dict(shapely.geometry.mapping(gpd.GeoSeries([geometry], crs=25832).to_crs(4326).iloc[0]))


def feature(
    title: str = "Mehr Bänke am Markt",
    *,
    geometry: dict[str, Any] | None = None,
    **properties: Any,
) -> dict[str, Any]:
    props = {"title": title, "text": "Zum Ausruhen <b>bitte</b>.", "category": "green"}
    return {
        "type": "Feature",
        "geometry": geometry or wgs84(shapely.Point(MARKT)),
        "properties": props | properties,
    }


@pytest.fixture(scope="module")
def workspace(imported_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = copy_workspace(imported_workspace, tmp_path_factory, "contributions")
    return add_testort(workspace, tmp_path_factory)


@pytest.fixture(scope="module")
def app(workspace: Workspace) -> FastAPI:
    return create_app(workspace)


@pytest.fixture(scope="module")
def tokens(workspace: Workspace) -> dict[str, dict[str, str]]:
    return role_tokens(workspace.store("musterstadt"))


@pytest.fixture(scope="module")
def client(app: FastAPI) -> TestClient:
    """A client for callers with tokens (and for one anonymous citizen's cookie)."""
    return TestClient(app)


def rows(workspace: Workspace, table: str) -> int:
    path = workspace.folder("musterstadt") / "twin.gpkg"
    with sqlite3.connect(path) as conn:
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) if exists else 0


def counts(workspace: Workspace) -> list[int]:
    tables = ("twin_contributions", "twin_contribution_comments", "twin_votes")
    return [rows(workspace, table) for table in tables]


def submit(client: TestClient, body: dict[str, Any] | None = None, **headers: str) -> int:
    response = client.post(API, json=body or feature(), headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def moderate(client: TestClient, admin: dict[str, str], cid: int, state: str, reason: str = ""):
    response = client.post(
        f"{API}/{cid}/moderation", json={"state": state, "reason": reason}, headers=admin
    )
    assert response.status_code == 200, response.text
    return response.json()


def listed(client: TestClient, **headers: str) -> set[int]:
    return {
        f["id"] for f in client.get(API, params={"limit": 1000}, headers=headers).json()["features"]
    }


def test_pending_contributions_are_seen_by_their_author_and_the_administration(
    app: FastAPI, client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    author = TestClient(app)
    created = author.post(API, json=feature("Trinkbrunnen am Markt"))
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    assert created.headers["Location"] == f"{API}/{cid}"
    cookie = created.headers["set-cookie"]
    assert (
        cookie.startswith("twin_voter=")
        and "HttpOnly" in cookie
        and "samesite=lax" in cookie.lower()
    )
    body = created.json()["properties"]
    assert body["state"] == "pending" and body["own"] is True
    assert body["text"] == "Zum Ausruhen <b>bitte</b>."  # stored as given, escaped by views
    assert body["category_label"] == {"de": "Grün und Freiraum", "en": "Green and open space"}
    assert "author" not in body  # personal data: the administration only

    assert author.get(f"{API}/{cid}").status_code == 200
    assert cid in listed(author)
    stranger = TestClient(app)
    for name, caller, headers in (
        ("anonymous", stranger, {}),
        ("participant", client, tokens["participant"]),
        ("council", client, tokens["council"]),
    ):
        response = caller.get(f"{API}/{cid}", headers=headers)
        missing = caller.get(f"{API}/999999", headers=headers)
        assert response.status_code == missing.status_code == 404, name
        assert response.json()["code"] == missing.json()["code"]
        assert cid not in listed(caller, **headers), name
    for role in ("administration", "admin"):
        seen = client.get(f"{API}/{cid}", headers=tokens[role])
        assert seen.status_code == 200 and seen.json()["properties"]["author"] == "anonymous"
        assert cid in listed(client, **tokens[role])

    mine = submit(
        client, feature("Radweg Bahnhofstraße", category="mobility"), **tokens["participant"]
    )
    assert client.get(f"{API}/{mine}", headers=tokens["participant"]).json()["properties"]["own"]
    assert client.get(f"{API}/{mine}", headers=tokens["council"]).status_code == 404
    assert stranger.get(f"{API}/{mine}").status_code == 404


def test_approving_publishes_and_hiding_needs_a_reason(
    app: FastAPI, client: TestClient, tokens: dict[str, dict[str, str]], workspace: Workspace
) -> None:
    author, public = TestClient(app), TestClient(app)
    cid = submit(author, feature("Schattenbäume Schulhof", category="climate"))
    assert moderate(client, tokens["administration"], cid, "approved")["properties"]["state"] == (
        "approved"
    )
    for caller, headers in ((public, {}), (client, tokens["council"])):
        seen = caller.get(f"{API}/{cid}", headers=headers)
        assert seen.status_code == 200 and seen.json()["properties"]["state"] == "approved"
        assert "reason" not in seen.json()["properties"]

    refused = client.post(
        f"{API}/{cid}/moderation", json={"state": "hidden", "reason": "  "}, headers=tokens["admin"]
    )
    assert refused.status_code == 400 and "reason" in refused.json()["description"]
    assert public.get(f"{API}/{cid}").status_code == 200  # nothing changed
    bad_state = client.post(
        f"{API}/{cid}/moderation", json={"state": "pending"}, headers=tokens["admin"]
    )
    assert bad_state.status_code == 400 and "state" in bad_state.json()["description"]

    hidden = moderate(client, tokens["admin"], cid, "hidden", "Werbung")["properties"]
    assert hidden["state"] == "hidden" and hidden["reason"] == "Werbung"
    assert hidden["moderated_by"] == "test admin"
    assert public.get(f"{API}/{cid}").status_code == 404 and cid not in listed(public)
    own = author.get(f"{API}/{cid}").json()["properties"]
    assert own["state"] == "hidden" and own["reason"] == "Werbung"
    audit = workspace.store("musterstadt").audit_log(limit=20)
    assert any(
        a.action == "moderate_contribution"
        and a.actor == "test admin"
        and a.detail["reason"] == "Werbung"
        for a in audit
    )


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 401), ("participant", 403), ("council", 403)]
)
def test_only_the_administration_moderates_and_exports(
    client: TestClient, tokens: dict[str, dict[str, str]], role: str, status: int
) -> None:
    cid = submit(client, feature(f"Versuch {role}"), **tokens["participant"])
    for response in (
        client.post(f"{API}/{cid}/moderation", json={"state": "approved"}, headers=tokens[role]),
        client.get(f"{API}/export", headers=tokens[role]),
    ):
        assert response.status_code == status, response.text
    assert client.get(f"{API}/{cid}", headers=tokens["admin"]).json()["properties"]["state"] == (
        "pending"
    )


@pytest.mark.parametrize("role", ["council", "administration", "admin"])
def test_offices_do_not_submit_contributions(
    client: TestClient, tokens: dict[str, dict[str, str]], role: str
) -> None:
    response = client.post(API, json=feature(), headers=tokens[role])
    assert response.status_code == 403 and f"role {role} may not" in response.text


def test_one_vote_per_voter_and_anonymous_voters_by_cookie(
    app: FastAPI, client: TestClient, tokens: dict[str, dict[str, str]], workspace: Workspace
) -> None:
    cid = submit(
        client, feature("Tempo 30 vor der Schule", category="mobility"), **tokens["participant"]
    )
    early = client.put(f"{API}/{cid}/vote", json={"value": 1}, headers=tokens["participant"])
    assert early.status_code == 400 and "not approved" in early.text  # own, still pending
    moderate(client, tokens["admin"], cid, "approved")

    def vote(caller: TestClient, value: int, **headers: str) -> dict[str, Any]:
        response = caller.put(f"{API}/{cid}/vote", json={"value": value}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["votes"]

    assert vote(client, 1, **tokens["participant"]) == {"up": 1, "down": 0, "mine": 1}
    assert vote(client, -1, **tokens["participant"]) == {"up": 0, "down": 1, "mine": -1}
    anna, bernd = TestClient(app), TestClient(app)
    assert vote(anna, 1) == {"up": 1, "down": 1, "mine": 1}
    assert vote(anna, 1) == {"up": 1, "down": 1, "mine": 1}  # the same voter again
    assert vote(bernd, 1) == {"up": 2, "down": 1, "mine": 1}
    assert vote(anna, -1) == {"up": 1, "down": 2, "mine": -1}
    assert rows(workspace, "twin_votes") >= 3
    path = workspace.folder("musterstadt") / "twin.gpkg"
    with sqlite3.connect(path) as conn:
        voters = [
            v
            for (v,) in conn.execute(
                "SELECT voter FROM twin_votes WHERE contribution_id = ?", (cid,)
            )
        ]
    assert len(voters) == 3
    cookie = anna.cookies["twin_voter"]
    assert f"anon:{hashlib.sha256(cookie.encode()).hexdigest()}" in voters
    assert cookie.encode() not in path.read_bytes()  # only its hash is stored

    withdrawn = anna.delete(f"{API}/{cid}/vote")
    assert withdrawn.status_code == 200 and withdrawn.json()["votes"] == {
        "up": 1,
        "down": 1,
        "mine": None,
    }
    public = TestClient(app).get(f"{API}/{cid}").json()["properties"]["votes"]
    assert public == {"up": 1, "down": 1, "mine": None}
    assert (
        client.put(f"{API}/{cid}/vote", json={"value": 1}, headers=tokens["council"]).status_code
        == 403
    )
    wrong = client.put(f"{API}/{cid}/vote", json={"value": 2}, headers=tokens["participant"])
    assert wrong.status_code == 422 and "value" in wrong.text


def test_comments_are_moderated_like_contributions(
    app: FastAPI, client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    admin = tokens["administration"]
    cid = submit(
        client, feature("Spielplatz sanieren", category="housing"), **tokens["participant"]
    )
    unseen = TestClient(app).post(f"{API}/{cid}/comments", json={"text": "Gute Idee"})
    assert unseen.status_code == 404  # somebody else's pending contribution
    own = client.post(f"{API}/{cid}/comments", json={"text": "Ich"}, headers=tokens["participant"])
    assert own.status_code == 400 and "not approved" in own.text
    moderate(client, admin, cid, "approved")
    writer, public = TestClient(app), TestClient(app)
    made = writer.post(f"{API}/{cid}/comments", json={"text": "Gute Idee!"})
    assert made.status_code == 201, made.text
    comment = made.json()
    assert comment["state"] == "pending" and comment["own"]
    assert writer.get(f"{API}/{cid}").json()["comments"][0]["text"] == "Gute Idee!"
    assert public.get(f"{API}/{cid}").json()["comments"] == []
    assert public.get(f"{API}/{cid}").json()["properties"]["comment_count"] == 0
    empty = writer.post(f"{API}/{cid}/comments", json={"text": "   "})
    assert empty.status_code == 400 and "text" in empty.json()["description"]

    url = f"{API}/{cid}/comments/{comment['id']}/moderation"
    assert client.post(url, json={"state": "hidden"}, headers=admin).status_code == 400
    assert (
        client.post(url, json={"state": "approved"}, headers=tokens["council"]).status_code == 403
    )
    assert client.post(url, json={"state": "approved"}, headers=admin).status_code == 200
    shown = public.get(f"{API}/{cid}").json()
    assert [c["text"] for c in shown["comments"]] == ["Gute Idee!"]
    assert shown["properties"]["comment_count"] == 1 and "author" not in shown["comments"][0]
    hidden = client.post(url, json={"state": "hidden", "reason": "Off topic"}, headers=admin)
    assert hidden.status_code == 200 and hidden.json()["reason"] == "Off topic"
    assert public.get(f"{API}/{cid}").json()["comments"] == []
    assert writer.get(f"{API}/{cid}").json()["comments"][0]["reason"] == "Off topic"
    other = submit(client, feature("Anderes"), **tokens["participant"])
    wrong = client.post(
        f"{API}/{other}/comments/{comment['id']}/moderation",
        json={"state": "approved"},
        headers=admin,
    )
    assert wrong.status_code == 404


def _outside() -> dict[str, Any]:
    return wgs84(shapely.Point(640000, 5497755))


def _bowtie() -> dict[str, Any]:
    x, y = MARKT
    return wgs84(shapely.Polygon([(x, y), (x + 50, y + 50), (x + 50, y), (x, y + 50), (x, y)]))


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (feature("ab"), "title", "3 to 120"),
        (feature("x" * 121), "title", "3 to 120"),
        (feature(text="x" * 5001), "text", "5,000"),
        (feature(category="parking"), "category", "green (Grün und Freiraum)"),
        (feature(geometry=_outside()), "geometry", "outside the municipality"),
        (
            feature(geometry=wgs84(shapely.LineString([MARKT, (640000, 5497755)]))),
            "geometry",
            "beyond the municipality's boundary",
        ),
        (feature(geometry=_bowtie()), "geometry", "invalid Polygon (Self-intersection"),
        (
            feature(geometry={"type": "MultiPoint", "coordinates": [[10.8, 49.6]]}),
            "geometry",
            "Point, LineString or Polygon",
        ),
        (
            feature(geometry={"type": "Point", "coordinates": [5497755, 633600]}),
            "geometry",
            "longitude, latitude",
        ),
        (feature(source="touch-table"), "event", EVENT),
        (feature(source="touch-table", event="tag-der-offenen-tuer"), "event", EVENT),
        (feature(source="kiosk"), "source", "web, touch-table"),
        (feature(scenario="gibt-es-nicht"), "scenario", "no scenario"),
        ({"type": "FeatureCollection", "features": []}, "type", "GeoJSON Feature"),
    ],
)
def test_bad_contributions_are_400_naming_the_field_and_store_nothing(
    app: FastAPI, workspace: Workspace, body: dict[str, Any], field: str, words: str
) -> None:
    before = counts(workspace)
    response = TestClient(app).post(API, json=body)
    assert response.status_code == 400, response.text
    description = response.json()["description"] + " " + response.json().get("hint", "")
    assert description.startswith(f"{field}: ") and words in description, description
    assert counts(workspace) == before


def test_touch_table_contributions_need_a_known_event_and_filter_by_it(
    client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    x, y = MARKT
    area = wgs84(shapely.box(x - 20, y - 20, x + 20, y + 20))
    body = feature(
        "Sitzstufen am Mühlbach", geometry=area, category="river", source="touch-table", event=EVENT
    )
    cid = submit(client, body)
    moderate(client, tokens["admin"], cid, "approved")
    found = client.get(API, params={"event": EVENT}).json()
    assert cid in {f["id"] for f in found["features"]}
    assert all(f["properties"]["event"] == EVENT for f in found["features"])
    assert found["features"][0]["properties"]["source"] == "touch-table"
    unknown = client.get(API, params={"event": "nein"})
    assert unknown.status_code == 400 and EVENT in unknown.text
    events = client.get(f"{API}/events").json()["events"]
    assert events[0]["id"] == EVENT and events[0]["start"] == "2025-03-15"
    labels = {
        c["id"]: c["label"]["en"] for c in client.get(f"{API}/categories").json()["categories"]
    }
    assert labels["river"] == "Mühlbach river"


def test_scenario_references_must_be_visible(
    app: FastAPI, client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    admin = tokens["admin"]
    scenarios = "/musterstadt/api/scenarios"
    for name, moves in (
        ("buerger-entwurf", []),
        ("buerger-offen", ["under_deliberation", "published"]),
    ):
        assert (
            client.post(scenarios, json={"id": name, "title": name}, headers=admin).status_code
            == 201
        )
        for status in moves:
            client.post(f"{scenarios}/{name}/status", json={"status": status}, headers=admin)
    citizen = TestClient(app)
    draft = citizen.post(API, json=feature(scenario="buerger-entwurf"))
    assert draft.status_code == 400 and "no scenario 'buerger-entwurf'" in draft.text
    made = citizen.post(API, json=feature(scenario="buerger-offen"))
    assert made.status_code == 201 and made.json()["properties"]["scenario"] == "buerger-offen"
    listing = citizen.get(API, params={"scenario": "buerger-offen"}).json()["features"]
    assert [f["id"] for f in listing] == [made.json()["id"]]  # its own, pending


def test_bbox_filter_and_paging(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    admin = tokens["admin"]
    x, y = 634000.0, 5498000.0
    ids = [
        submit(
            client,
            feature(f"Punkt {i}", geometry=wgs84(shapely.Point(x + 10 * i, y))),
            **tokens["participant"],
        )
        for i in range(3)
    ]
    box = (
        gpd.GeoSeries([shapely.box(x - 5, y - 5, x + 15, y + 5)], crs=25832)
        .to_crs(4326)
        .total_bounds
    )
    found = client.get(
        API, params={"bbox": ",".join(map(str, box)), "state": "pending"}, headers=admin
    )
    assert {f["id"] for f in found.json()["features"]} == set(ids[:2])
    page = client.get(API, params={"limit": 2, "offset": 1}, headers=admin).json()
    total = client.get(API, params={"limit": 1000}, headers=admin).json()
    assert page["numberReturned"] == 2 and page["numberMatched"] == total["numberMatched"]
    assert [f["id"] for f in page["features"]] == [f["id"] for f in total["features"]][1:3]
    newest = [f["id"] for f in total["features"]]
    assert newest == sorted(newest, reverse=True)
    wrong = client.get(API, params={"bbox": "1,2,3"})
    assert wrong.status_code == 400 and "bbox" in wrong.text
    mine_only = client.get(
        API, params={"state": "pending", "limit": 1000}, headers=tokens["participant"]
    )
    assert all(f["properties"]["own"] for f in mine_only.json()["features"])


def test_export_round_trips_with_dipas_fields(
    app: FastAPI, client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    admin = tokens["administration"]
    x, y = MARKT
    line = wgs84(shapely.LineString([(x, y), (x + 80, y + 30)]))
    text = 'Mehr Grün für die Straße – Bäume statt Parkplätze;\n"bitte" prüfen'
    body = feature("Allee Mühlgasse", geometry=line, text=text, source="touch-table", event=EVENT)
    cid = submit(client, body)
    moderate(client, admin, cid, "approved")
    voter = TestClient(app)
    voter.put(f"{API}/{cid}/vote", json={"value": 1})
    comment = voter.post(
        f"{API}/{cid}/comments", json={"text": "Ja, unbedingt – auch Sträucher"}
    ).json()
    client.post(
        f"{API}/{cid}/comments/{comment['id']}/moderation",
        json={"state": "approved"},
        headers=admin,
    )
    voter.post(f"{API}/{cid}/comments", json={"text": "noch nicht freigegeben"})
    pending = submit(client, feature("Noch offen", source="touch-table", event=EVENT))

    exported = client.get(f"{API}/export", params={"event": EVENT}, headers=admin)
    assert (
        exported.status_code == 200 and exported.headers["content-type"] == "application/geo+json"
    )
    assert "attachment" in exported.headers["content-disposition"]
    collection = json.loads(exported.content)
    by_id = {f["properties"]["id"]: f for f in collection["features"]}
    assert pending not in by_id and all(
        f["properties"]["belongToProject"] == EVENT for f in by_id.values()
    )
    props = by_id[cid]["properties"]
    assert props["title"] == "Allee Mühlgasse" and props["contributionContent"] == text
    assert props["category"] == "Grün und Freiraum" and props["categoryId"] == "green"
    assert (props["votingPro"], props["votingContra"], props["commentsNumber"]) == (1, 0, 1)
    assert [c["commentContent"] for c in props["commentedBy"]] == ["Ja, unbedingt – auch Sträucher"]
    assert props["commentedBy"][0]["commentOnContribution"] == str(cid)
    assert props["dateCreated"].endswith("Z") and props["link"].endswith(
        f"/api/contributions/{cid}"
    )
    assert shape(by_id[cid]["geometry"]).equals_exact(shape(line), 1e-9)

    everything = client.get(f"{API}/export", params={"event": EVENT, "state": "all"}, headers=admin)
    states = {
        f["properties"]["id"]: f["properties"]["moderationState"]
        for f in everything.json()["features"]
    }
    assert states[pending] == "pending" and states[cid] == "approved"

    table = client.get(f"{API}/export", params={"event": EVENT, "format": "csv"}, headers=admin)
    assert table.headers["content-type"].startswith("text/csv")
    assert table.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    reader = csv.DictReader(io.StringIO(table.content.decode("utf-8-sig")), delimiter=";")
    assert reader.fieldnames is not None and reader.fieldnames[:13] == [
        "Node ID", "Category", "Rubric", "Created (UTC)", "Rating", "Total votes", "Upvotes",
        "Downvotes", "Comments", "Title", "Contributiontext", "Location", "Contribution Type",
    ]  # fmt: skip
    lines = {int(r["Node ID"]): r for r in reader}
    assert pending not in lines
    row = lines[cid]
    assert (row["Title"], row["Contributiontext"], row["Category"]) == (
        "Allee Mühlgasse",
        text,
        "Grün und Freiraum",
    )
    assert (row["Upvotes"], row["Downvotes"], row["Total votes"], row["Rating"]) == (
        "1",
        "0",
        "1",
        "1.0",
    )
    assert row["Comments"] == "1" and json.loads(row["Comment texts"]) == [
        "Ja, unbedingt – auch Sträucher"
    ]
    assert row["Contribution Type"] == "Line" and row["Source"] == "touch-table"
    wkt = shapely.from_wkt(row["Geometry (WKT, CRS84)"])
    assert wkt.equals_exact(shape(line), 1e-6)
    unknown = client.get(f"{API}/export", params={"event": "nein"}, headers=admin)
    assert unknown.status_code == 400 and EVENT in unknown.text


def test_other_municipalities_tokens_cannot_moderate(
    client: TestClient, workspace: Workspace, tokens: dict[str, dict[str, str]]
) -> None:
    cid = submit(client, feature("Fremde Hände weg"), **tokens["participant"])
    _, foreign = create_token(workspace.store("testort"), "Testort Amt", Role.ADMIN, actor="pytest")
    headers = {"Authorization": f"Bearer {foreign}"}
    response = client.post(f"{API}/{cid}/moderation", json={"state": "approved"}, headers=headers)
    assert response.status_code == 401 and "not valid for this municipality" in response.text
    assert client.get(f"{API}/export", headers=headers).status_code == 401
    assert (
        client.get(f"{API}/{cid}", headers=tokens["admin"]).json()["properties"]["state"]
        == "pending"
    )
    # the other municipality has its own (empty) participation with the default categories
    other = client.get("/testort/api/contributions", headers=headers).json()
    assert other["numberMatched"] == 0
    assert (
        client.get("/testort/api/contributions/categories").json()["categories"][0]["id"] == "green"
    )


def test_cli_lists_pending_contributions_and_exports_csv(
    client: TestClient, tokens: dict[str, dict[str, str]], workspace: Workspace, tmp_path: Path
) -> None:
    cid = submit(client, feature("Kommandozeile Ärger"), **tokens["participant"])
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "250", "TWIN_WORKSPACE": str(workspace.root)}
    listed_ = subprocess.run(
        [TWIN, "contributions", "list", "musterstadt", "--state", "pending"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert listed_.returncode == 0, listed_.stderr
    assert "Kommandozeile Ärger" in listed_.stdout and "test participant" in listed_.stdout
    moderate(client, tokens["admin"], cid, "approved")
    out = tmp_path / "beitraege.csv"
    done = subprocess.run(
        [TWIN, "contributions", "export", "musterstadt", "--format", "csv", "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    records = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert "Kommandozeile Ärger" in {r["Title"] for r in records}
    assert all(r["State"] == "approved" for r in records)
    bad = subprocess.run(
        [TWIN, "contributions", "export", "musterstadt", "--event", "nein"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert bad.returncode != 0 and EVENT in bad.stdout + bad.stderr
