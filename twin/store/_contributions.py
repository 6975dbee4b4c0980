"""Citizens' contributions, their comments and votes in the embedded store.

A contribution keeps its geometry twice: as WKB in the municipality's CRS (with its
bounds, for ``bbox`` queries) and as the GeoJSON in WGS 84 it arrived in, so that the API
and exports answer without reprojecting. Contributions and comments start ``pending``
and are moderated to ``approved`` or ``hidden`` (a hidden one always carries its
reason: the table refuses it otherwise). A voter has one vote per contribution (``+1`` or
``-1``, DIPAS's "ratings"); voting again replaces it. Comments and votes are only taken
on approved contributions, checked in the same transaction as the write.

Every write is one transaction with its audit record. Who may read or write what is
decided by :mod:`twin.access`, not here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

import shapely
from shapely.geometry.base import BaseGeometry

from twin.errors import InvalidRequestError, UnknownFeatureError
from twin.store._connections import StoreConnections, create_tables, utc_now

SCHEMA = """
CREATE TABLE IF NOT EXISTS twin_contributions (
  id INTEGER PRIMARY KEY, title TEXT NOT NULL, text TEXT NOT NULL, category TEXT NOT NULL,
  geom BLOB NOT NULL, geojson TEXT NOT NULL,
  minx REAL NOT NULL, miny REAL NOT NULL, maxx REAL NOT NULL, maxy REAL NOT NULL,
  scenario TEXT, source TEXT NOT NULL CHECK (source IN ('web', 'touch-table')), event TEXT,
  author TEXT NOT NULL, author_key TEXT NOT NULL, created_at TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'hidden')),
  reason TEXT NOT NULL DEFAULT '', moderated_by TEXT, moderated_at TEXT,
  CHECK (state != 'hidden' OR reason != ''),
  CHECK (source != 'touch-table' OR event IS NOT NULL));
CREATE INDEX IF NOT EXISTS twin_contributions_state ON twin_contributions (state);
CREATE TABLE IF NOT EXISTS twin_contribution_comments (
  id INTEGER PRIMARY KEY,
  contribution_id INTEGER NOT NULL REFERENCES twin_contributions (id),
  text TEXT NOT NULL, author TEXT NOT NULL, author_key TEXT NOT NULL, created_at TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'hidden')),
  reason TEXT NOT NULL DEFAULT '', moderated_by TEXT, moderated_at TEXT,
  CHECK (state != 'hidden' OR reason != ''));
CREATE INDEX IF NOT EXISTS twin_contribution_comments_of
  ON twin_contribution_comments (contribution_id);
CREATE TABLE IF NOT EXISTS twin_votes (
  contribution_id INTEGER NOT NULL REFERENCES twin_contributions (id),
  voter TEXT NOT NULL, value INTEGER NOT NULL CHECK (value IN (1, -1)),
  voted_at TEXT NOT NULL, PRIMARY KEY (contribution_id, voter));
"""


@dataclass(frozen=True)
class NewContribution:
    """A checked contribution, ready to store (see :func:`twin.participation.check_contribution`).

    ``geometry`` is in the municipality's CRS, ``geojson`` the same geometry in WGS 84;
    ``author_key`` identifies the author for "my own contributions" (a user's name or the
    hash of an anonymous citizen's cookie).
    """

    title: str
    text: str
    category: str
    geometry: BaseGeometry
    geojson: dict[str, Any]
    source: str
    author: str
    author_key: str
    scenario: str | None = None
    event: str | None = None


class ContributionRecord(NamedTuple):
    """A stored contribution with its vote and (approved) comment counts."""

    id: int
    title: str
    text: str
    category: str
    geometry: BaseGeometry
    geojson: dict[str, Any]
    scenario: str | None
    source: str
    event: str | None
    author: str
    author_key: str
    created_at: str
    state: str
    reason: str
    moderated_by: str | None
    moderated_at: str | None
    up: int
    down: int
    comments: int
    my_vote: int | None


class CommentRecord(NamedTuple):
    """A stored comment on a contribution."""

    id: int
    contribution_id: int
    text: str
    author: str
    author_key: str
    created_at: str
    state: str
    reason: str
    moderated_by: str | None
    moderated_at: str | None


@dataclass(frozen=True)
class ContributionFilter:
    """Which contributions to list: those the caller may see, narrowed by the filters.

    A contribution is seen if its state is one of ``visible`` or its author is ``own``
    (an author key); ``states`` narrows that to some states (None: any). ``bbox`` is in
    the municipality's CRS; ``voter`` fills in ``my_vote``.
    """

    visible: Collection[str] = ("approved",)
    own: str | None = None
    states: Collection[str] | None = None
    category: str | None = None
    event: str | None = None
    scenario: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    voter: str | None = None
    limit: int | None = None
    offset: int = 0
    ids: Collection[int] | None = None


_RECORD = """
SELECT c.id, c.title, c.text, c.category, c.geom, c.geojson, c.scenario, c.source, c.event,
  c.author, c.author_key, c.created_at, c.state, c.reason, c.moderated_by, c.moderated_at,
  (SELECT count(*) FROM twin_votes v WHERE v.contribution_id = c.id AND v.value = 1),
  (SELECT count(*) FROM twin_votes v WHERE v.contribution_id = c.id AND v.value = -1),
  (SELECT count(*) FROM twin_contribution_comments m
     WHERE m.contribution_id = c.id AND m.state = 'approved'),
  (SELECT v.value FROM twin_votes v WHERE v.contribution_id = c.id AND v.voter = ?)
FROM twin_contributions c
"""
_COMMENT = (
    "SELECT id, contribution_id, text, author, author_key, created_at, state, reason, "
    "moderated_by, moderated_at FROM twin_contribution_comments"
)


def _record(row: tuple[Any, ...]) -> ContributionRecord:
    values = list(row)
    values[4] = shapely.from_wkb(values[4])
    values[5] = json.loads(values[5])
    return ContributionRecord(*values)


def _state(conn: sqlite3.Connection, contribution_id: int) -> str:
    row = conn.execute(
        "SELECT state FROM twin_contributions WHERE id = ?", (contribution_id,)
    ).fetchone()
    if row is None:
        raise UnknownFeatureError(f"there is no contribution {contribution_id}")
    return str(row[0])


def _require_approved(conn: sqlite3.Connection, contribution_id: int, what: str) -> None:
    if _state(conn, contribution_id) != "approved":
        raise InvalidRequestError(
            f"contribution {contribution_id} is not approved yet, so it takes no {what}",
            hint="Wait until the administration has approved it.",
        )


class ContributionTables:
    """Participation part of the embedded store (mixed into :class:`EmbeddedStore`)."""

    def add_contribution(self: StoreConnections, new: NewContribution, *, actor: str) -> int:
        """Store a new contribution (``pending``); returns its id."""
        minx, miny, maxx, maxy = new.geometry.bounds
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            cursor = conn.execute(
                "INSERT INTO twin_contributions (title, text, category, geom, geojson, minx, "
                "miny, maxx, maxy, scenario, source, event, author, author_key, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.title,
                    new.text,
                    new.category,
                    shapely.to_wkb(new.geometry),
                    json.dumps(new.geojson),
                    minx,
                    miny,
                    maxx,
                    maxy,
                    new.scenario,
                    new.source,
                    new.event,
                    new.author,
                    new.author_key,
                    utc_now(),
                ),
            )
            contribution_id = int(cursor.lastrowid or 0)
            self._audit(
                conn,
                actor,
                "add_contribution",
                f"contribution {contribution_id}",
                {"category": new.category, "source": new.source, "event": new.event},
            )
        return contribution_id

    def contribution(
        self: StoreConnections, contribution_id: int, *, voter: str | None = None
    ) -> ContributionRecord | None:
        """One contribution in any state (None if there is none); ``voter`` fills ``my_vote``."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            row = conn.execute(f"{_RECORD} WHERE c.id = ?", (voter, contribution_id)).fetchone()
        return None if row is None else _record(row)

    def contributions(
        self: StoreConnections, query: ContributionFilter
    ) -> tuple[list[ContributionRecord], int]:
        """A page of contributions, newest first, and how many matched before paging."""
        conditions = ["(state IN (SELECT value FROM json_each(?)) OR author_key = ?)"]
        params: list[Any] = [json.dumps(sorted(query.visible)), query.own]
        if query.states is not None:
            conditions.append("state IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(query.states)))
        for column in ("category", "event", "scenario"):
            value = getattr(query, column)
            if value is not None:
                conditions.append(f"{column} = ?")
                params.append(value)
        if query.ids is not None:
            conditions.append("id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(query.ids)))
        if query.bbox is not None:
            conditions.append("minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?")
            minx, miny, maxx, maxy = query.bbox
            params += [maxx, minx, maxy, miny]
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            rows = conn.execute(
                f"SELECT id, geom FROM twin_contributions WHERE {' AND '.join(conditions)} "
                "ORDER BY id DESC",
                params,
            ).fetchall()
            ids = [int(r[0]) for r in rows]
            if query.bbox is not None and rows:
                hits = shapely.intersects(
                    shapely.from_wkb([r[1] for r in rows]), shapely.box(*query.bbox)
                )
                ids = [i for i, hit in zip(ids, hits, strict=True) if hit]
            end = None if query.limit is None else query.offset + query.limit
            page = ids[query.offset : end]
            found = conn.execute(
                f"{_RECORD} WHERE c.id IN (SELECT value FROM json_each(?))",
                (query.voter, json.dumps(page)),
            ).fetchall()
        by_id = {int(row[0]): _record(row) for row in found}
        return [by_id[i] for i in page], len(ids)

    def add_comment(
        self: StoreConnections,
        contribution_id: int,
        text: str,
        *,
        author: str,
        author_key: str,
        actor: str,
    ) -> int:
        """Store a comment (``pending``) on an approved contribution; returns its id."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            _require_approved(conn, contribution_id, "comments")
            cursor = conn.execute(
                "INSERT INTO twin_contribution_comments (contribution_id, text, author, "
                "author_key, created_at) VALUES (?, ?, ?, ?, ?)",
                (contribution_id, text, author, author_key, utc_now()),
            )
            comment_id = int(cursor.lastrowid or 0)
            self._audit(
                conn,
                actor,
                "add_comment",
                f"comment {comment_id}",
                {"contribution": contribution_id},
            )
        return comment_id

    def contribution_comments(
        self: StoreConnections, contribution_ids: Collection[int]
    ) -> list[CommentRecord]:
        """Every comment (any state) on these contributions, oldest first."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            rows = conn.execute(
                f"{_COMMENT} WHERE contribution_id IN (SELECT value FROM json_each(?)) ORDER BY id",
                (json.dumps(sorted(contribution_ids)),),
            ).fetchall()
        return [CommentRecord(*row) for row in rows]

    def set_vote(
        self: StoreConnections, contribution_id: int, voter: str, value: int, *, actor: str
    ) -> None:
        """Record ``voter``'s vote (+1 or -1) on an approved contribution, replacing theirs."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            _require_approved(conn, contribution_id, "votes")
            conn.execute(
                "INSERT INTO twin_votes (contribution_id, voter, value, voted_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (contribution_id, voter) "
                "DO UPDATE SET value = excluded.value, voted_at = excluded.voted_at",
                (contribution_id, voter, value, utc_now()),
            )
            self._audit(conn, actor, "vote", f"contribution {contribution_id}", {"value": value})

    def delete_vote(
        self: StoreConnections, contribution_id: int, voter: str, *, actor: str
    ) -> bool:
        """Withdraw ``voter``'s vote; returns whether there was one."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            _state(conn, contribution_id)
            cursor = conn.execute(
                "DELETE FROM twin_votes WHERE contribution_id = ? AND voter = ?",
                (contribution_id, voter),
            )
            if cursor.rowcount:
                self._audit(conn, actor, "withdraw_vote", f"contribution {contribution_id}", {})
        return cursor.rowcount > 0

    def moderate_contribution(
        self: StoreConnections, contribution_id: int, state: str, reason: str, *, actor: str
    ) -> None:
        """Approve or hide a contribution (hiding needs a reason); who and when are kept."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            _state(conn, contribution_id)
            conn.execute(
                "UPDATE twin_contributions SET state = ?, reason = ?, moderated_by = ?, "
                "moderated_at = ? WHERE id = ?",
                (state, reason, actor, utc_now(), contribution_id),
            )
            self._audit(
                conn,
                actor,
                "moderate_contribution",
                f"contribution {contribution_id}",
                {"state": state, "reason": reason},
            )

    def moderate_comment(
        self: StoreConnections,
        contribution_id: int,
        comment_id: int,
        state: str,
        reason: str,
        *,
        actor: str,
    ) -> None:
        """Approve or hide a comment of this contribution (hiding needs a reason)."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            cursor = conn.execute(
                "UPDATE twin_contribution_comments SET state = ?, reason = ?, moderated_by = ?, "
                "moderated_at = ? WHERE id = ? AND contribution_id = ?",
                (state, reason, actor, utc_now(), comment_id, contribution_id),
            )
            if cursor.rowcount == 0:
                raise UnknownFeatureError(
                    f"contribution {contribution_id} has no comment {comment_id}"
                )
            self._audit(
                conn,
                actor,
                "moderate_comment",
                f"comment {comment_id}",
                {"contribution": contribution_id, "state": state, "reason": reason},
            )
