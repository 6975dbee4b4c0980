"""Contributions in the embedded store: atomic writes, the tables' own rules, checks, config."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import shapely

from tests.twin.conftest import BOUNDARY, store_at
from twin.access import ANONYMOUS, Principal
from twin.config import ParticipationConfig, Role, parse_config
from twin.errors import ConfigError, InvalidRequestError, StoreError, UnknownFeatureError
from twin.participation import check_contribution, check_geometry, check_moderation
from twin.store._contributions import ContributionFilter, NewContribution
from twin.store.embedded import EmbeddedStore

INSIDE = {"type": "Point", "coordinates": [10.39222, 49.64867]}  # ≈ (600500, 5500500)
CONFIG = {
    "name": "Testort",
    "slug": "testort",
    "ags": "09999999",
    "crs": "EPSG:25832",
    "boundary": "boundary.geojson",
}


@pytest.fixture
def store(tmp_path: Path) -> EmbeddedStore:
    return store_at(tmp_path)


def new(title: str = "Bank am Brunnen", **extra: Any) -> NewContribution:
    values: dict[str, Any] = {
        "title": title,
        "text": "",
        "category": "green",
        "geometry": shapely.Point(600500, 5500500),
        "geojson": INSIDE,
        "source": "web",
        "author": "anonymous",
        "author_key": "anon:abc",
    }
    return NewContribution(**(values | extra))


def dump(store: EmbeddedStore) -> list[str]:
    with sqlite3.connect(store.path) as conn:
        return [line for line in conn.iterdump() if "twin_" in line]


def test_a_failed_write_leaves_every_table_as_it_was(
    store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = store.add_contribution(new(), actor="pytest")
    store.moderate_contribution(cid, "approved", "", actor="pytest")
    store.set_vote(cid, "anon:abc", 1, actor="pytest")
    comment = store.add_comment(cid, "Ja", author="x", author_key="anon:x", actor="pytest")
    before = dump(store)

    def broken(*_: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(EmbeddedStore, "_audit", staticmethod(broken))
    for write in (
        lambda: store.add_contribution(new("Zweiter Beitrag"), actor="pytest"),
        lambda: store.add_comment(cid, "Nein", author="y", author_key="anon:y", actor="pytest"),
        lambda: store.set_vote(cid, "anon:abc", -1, actor="pytest"),
        lambda: store.set_vote(cid, "anon:new", 1, actor="pytest"),
        lambda: store.delete_vote(cid, "anon:abc", actor="pytest"),
        lambda: store.moderate_contribution(cid, "hidden", "Spam", actor="pytest"),
        lambda: store.moderate_comment(cid, comment, "approved", "", actor="pytest"),
    ):
        with pytest.raises(RuntimeError, match="disk full"):
            write()
        assert dump(store) == before


def test_the_tables_refuse_what_the_rules_forbid(store: EmbeddedStore) -> None:
    cid = store.add_contribution(new(), actor="pytest")
    before = dump(store)
    with pytest.raises(StoreError, match="CHECK"):
        store.moderate_contribution(cid, "hidden", "", actor="pytest")  # hidden needs a reason
    with pytest.raises(StoreError, match="CHECK"):
        store.add_contribution(new(source="touch-table"), actor="pytest")  # needs an event
    with pytest.raises(InvalidRequestError, match="not approved"):
        store.set_vote(cid, "anon:abc", 1, actor="pytest")
    with pytest.raises(UnknownFeatureError):
        store.moderate_contribution(999, "approved", "", actor="pytest")
    with pytest.raises(UnknownFeatureError):
        store.moderate_comment(cid, 999, "approved", "", actor="pytest")
    assert dump(store) == before


def test_one_vote_per_voter_is_replaced_and_counted(store: EmbeddedStore) -> None:
    cid = store.add_contribution(new(), actor="pytest")
    store.moderate_contribution(cid, "approved", "", actor="pytest")
    for voter, value in (("anon:a", 1), ("anon:a", -1), ("anon:b", 1), ("user:Bernd", 1)):
        store.set_vote(cid, voter, value, actor="pytest")
    record = store.contribution(cid, voter="anon:a")
    assert record is not None and (record.up, record.down, record.my_vote) == (2, 1, -1)
    assert store.delete_vote(cid, "anon:a", actor="pytest")
    assert not store.delete_vote(cid, "anon:a", actor="pytest")
    again = store.contribution(cid, voter="anon:a")
    assert again is not None and (again.up, again.down, again.my_vote) == (2, 0, None)


def test_listing_sees_approved_and_own_and_filters(store: EmbeddedStore) -> None:
    mine = store.add_contribution(new(author_key="user:Bernd"), actor="pytest")
    other = store.add_contribution(new(author_key="anon:z"), actor="pytest")
    public = store.add_contribution(new(category="climate"), actor="pytest")
    store.moderate_contribution(public, "approved", "", actor="pytest")
    seen, matched = store.contributions(ContributionFilter(own="user:Bernd"))
    assert [r.id for r in seen] == [public, mine] and matched == 2
    pending, _ = store.contributions(ContributionFilter(own="user:Bernd", states=("pending",)))
    assert [r.id for r in pending] == [mine]
    every, _ = store.contributions(ContributionFilter(visible=("pending", "approved", "hidden")))
    assert {r.id for r in every} == {mine, other, public}
    climate, _ = store.contributions(
        ContributionFilter(visible=("pending", "approved"), category="climate")
    )
    assert [r.id for r in climate] == [public]
    far, _ = store.contributions(ContributionFilter(bbox=(600600, 5500600, 600700, 5500700)))
    assert far == []


def test_geometry_checks_name_the_problem() -> None:
    local, given = check_geometry(INSIDE, crs="EPSG:25832", boundary=BOUNDARY)
    assert local.distance(shapely.Point(600500, 5500500)) < 20 and given == INSIDE
    with pytest.raises(InvalidRequestError, match="geometry: lies outside"):
        check_geometry(
            {"type": "Point", "coordinates": [11.0, 49.6]}, crs="EPSG:25832", boundary=BOUNDARY
        )
    with pytest.raises(InvalidRequestError, match="geometry: is not valid GeoJSON"):
        check_geometry(
            {"type": "LineString", "coordinates": [[10.39222, 49.64867]]},
            crs="EPSG:25832",
            boundary=BOUNDARY,
        )


def test_moderation_decisions() -> None:
    assert check_moderation("hidden", " Spam ") == ("hidden", "Spam")
    assert check_moderation("approved", None) == ("approved", "")
    with pytest.raises(InvalidRequestError, match="reason: hiding needs a reason"):
        check_moderation("hidden", "")
    with pytest.raises(InvalidRequestError, match="state:"):
        check_moderation("deleted", "x")


def test_whole_contribution_check_with_the_defaults(store: EmbeddedStore, tmp_path: Path) -> None:
    config = parse_config(CONFIG, config_dir=tmp_path, source="test", check_files=False)
    assert [c.id for c in config.participation.categories] == [
        "green",
        "mobility",
        "housing",
        "climate",
        "other",
    ]
    body = {
        "type": "Feature",
        "geometry": INSIDE,
        "properties": {"title": "  Bank  ", "text": "<i>hier</i>", "category": "other"},
    }
    checked = check_contribution(
        body, store=store, config=config, principal=ANONYMOUS, author_key="anon:q"
    )
    assert (checked.title, checked.text, checked.source, checked.event) == (
        "Bank",
        "<i>hier</i>",
        "web",
        None,
    )
    participant = Principal("Bernd", Role.PARTICIPANT)
    with pytest.raises(InvalidRequestError, match="event: a touch-table contribution"):
        check_contribution(
            body | {"properties": body["properties"] | {"source": "touch-table"}},
            store=store,
            config=config,
            principal=participant,
            author_key="user:Bernd",
        )


def test_participation_config_rejects_duplicate_ids_and_backward_events(tmp_path: Path) -> None:
    twice = {"categories": [{"id": "green", "label": {"de": "Grün"}}] * 2}
    backwards = {
        "events": [{"id": "e", "title": {"de": "E"}, "start": "2025-05-02", "end": "2025-05-01"}]
    }
    for section, problem in (
        (twice, "participation: category id(s) green used twice"),
        (backwards, "participation.events[0]: event 'e' ends (2025-05-01) before it starts"),
    ):
        with pytest.raises(ConfigError) as error:
            parse_config(
                CONFIG | {"participation": section},
                config_dir=tmp_path,
                source="test",
                check_files=False,
            )
        assert problem in str(error.value)
    assert ParticipationConfig().category("green") is not None
