"""Scenarios in the embedded store: every saved version, and every change of status.

A scenario's edits are kept per version as JSON (GeoJSON features in the municipality's
CRS), never overwritten, so that any two versions can be compared and a brief can cite
exactly the version it was made from. Status changes are compare-and-set: the caller says
which status it expects, so two people cannot both move a scenario from the same state.
"""

from __future__ import annotations

from typing import NamedTuple

from twin.errors import InvalidRequestError, UnknownFeatureError
from twin.store._connections import StoreConnections, create_tables, utc_now

SCHEMA = """
CREATE TABLE IF NOT EXISTS twin_scenarios (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
  branched_from TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS twin_scenario_versions (
  scenario_id TEXT NOT NULL REFERENCES twin_scenarios(id), version INTEGER NOT NULL,
  saved_at TEXT NOT NULL, author TEXT NOT NULL, message TEXT NOT NULL, edits TEXT NOT NULL,
  PRIMARY KEY (scenario_id, version));
CREATE TABLE IF NOT EXISTS twin_scenario_events (
  id INTEGER PRIMARY KEY, scenario_id TEXT NOT NULL REFERENCES twin_scenarios(id),
  at TEXT NOT NULL, actor TEXT NOT NULL, status TEXT NOT NULL, note TEXT NOT NULL DEFAULT '');
"""


def missing_scenario(scenario_id: str) -> UnknownFeatureError:
    """The error for a scenario that does not exist, or that the caller may not see.

    One message for both, so that an answer never tells a hidden scenario from a
    missing one (:func:`twin.access.readable_scenario`).
    """
    return UnknownFeatureError(
        f"there is no scenario {scenario_id!r}", hint="'twin scenario list SLUG' shows them."
    )


class ScenarioRecord(NamedTuple):
    """A scenario as listed: who made it, its status and its newest version."""

    id: str
    title: str
    description: str
    status: str
    created_at: str
    created_by: str
    branched_from: str
    version: int


class VersionRecord(NamedTuple):
    """One saved version of a scenario's edits (``edits``: JSON text)."""

    scenario_id: str
    version: int
    saved_at: str
    author: str
    message: str
    edits: str


class StatusEvent(NamedTuple):
    """One change of a scenario's status."""

    at: str
    actor: str
    status: str
    note: str


_LIST = (
    "SELECT s.id, s.title, s.description, s.status, s.created_at, s.created_by, s.branched_from, "
    "(SELECT max(version) FROM twin_scenario_versions v WHERE v.scenario_id = s.id) FROM twin_scenarios s"
)


class ScenarioTables:
    """Scenario part of the embedded store (mixed into :class:`EmbeddedStore`)."""

    def create_scenario(
        self: StoreConnections,
        record: ScenarioRecord,
        edits: str,
        *,
        actor: str,
        message: str,
    ) -> None:
        """Store a new scenario with its first version; an existing id is refused."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            if conn.execute("SELECT 1 FROM twin_scenarios WHERE id = ?", (record.id,)).fetchone():
                raise InvalidRequestError(
                    f"there is already a scenario {record.id!r}",
                    hint="Choose another id, or save a new version with 'twin scenario edit'.",
                )
            conn.execute(
                "INSERT INTO twin_scenarios VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.title,
                    record.description,
                    record.status,
                    utc_now(),
                    actor,
                    record.branched_from,
                ),
            )
            conn.execute(
                "INSERT INTO twin_scenario_events (scenario_id, at, actor, status, note) VALUES (?, ?, ?, ?, ?)",
                (record.id, utc_now(), actor, record.status, message),
            )
            conn.execute(
                "INSERT INTO twin_scenario_versions VALUES (?, 1, ?, ?, ?, ?)",
                (record.id, utc_now(), actor, message, edits),
            )
            self._audit(
                conn, actor, "create_scenario", f"scenario {record.id}", {"message": message}
            )

    def save_scenario_version(
        self: StoreConnections, scenario_id: str, edits: str, *, actor: str, message: str
    ) -> int:
        """Add a version with these edits; returns its number."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            row = conn.execute(
                "SELECT max(version) FROM twin_scenario_versions WHERE scenario_id = ?",
                (scenario_id,),
            ).fetchone()
            if row[0] is None:
                raise UnknownFeatureError(f"there is no scenario {scenario_id!r}")
            version = int(row[0]) + 1
            conn.execute(
                "INSERT INTO twin_scenario_versions VALUES (?, ?, ?, ?, ?, ?)",
                (scenario_id, version, utc_now(), actor, message, edits),
            )
            self._audit(
                conn, actor, "save_scenario", f"scenario {scenario_id}", {"version": version}
            )
        return version

    def scenarios(self: StoreConnections) -> list[ScenarioRecord]:
        """All scenarios, by id."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            rows = conn.execute(f"{_LIST} ORDER BY s.id").fetchall()
        return [ScenarioRecord(*row) for row in rows]

    def scenario(self: StoreConnections, scenario_id: str) -> ScenarioRecord:
        """One scenario; an unknown id is an error that names it."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            row = conn.execute(f"{_LIST} WHERE s.id = ?", (scenario_id,)).fetchone()
        if row is None:
            raise missing_scenario(scenario_id)
        return ScenarioRecord(*row)

    def scenario_versions(self: StoreConnections, scenario_id: str) -> list[VersionRecord]:
        """Every version of a scenario, oldest first."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            rows = conn.execute(
                "SELECT * FROM twin_scenario_versions WHERE scenario_id = ? ORDER BY version",
                (scenario_id,),
            ).fetchall()
        if not rows:
            raise UnknownFeatureError(f"there is no scenario {scenario_id!r}")
        return [VersionRecord(*row) for row in rows]

    def set_scenario_status(
        self: StoreConnections,
        scenario_id: str,
        status: str,
        *,
        expected: str,
        actor: str,
        note: str = "",
    ) -> None:
        """Move a scenario to ``status`` if it is still ``expected``; record who and why."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            cursor = conn.execute(
                "UPDATE twin_scenarios SET status = ? WHERE id = ? AND status = ?",
                (status, scenario_id, expected),
            )
            if cursor.rowcount == 0:
                raise InvalidRequestError(
                    f"scenario {scenario_id!r} is no longer {expected}; nothing was changed",
                    hint="Someone else changed it; look at it again.",
                )
            conn.execute(
                "INSERT INTO twin_scenario_events (scenario_id, at, actor, status, note) VALUES (?, ?, ?, ?, ?)",
                (scenario_id, utc_now(), actor, status, note),
            )
            self._audit(
                conn,
                actor,
                "scenario_status",
                f"scenario {scenario_id}",
                {"status": status, "note": note},
            )

    def scenario_history(self: StoreConnections, scenario_id: str) -> list[StatusEvent]:
        """Every status a scenario had, oldest first."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            rows = conn.execute(
                "SELECT at, actor, status, note FROM twin_scenario_events WHERE scenario_id = ? ORDER BY id",
                (scenario_id,),
            ).fetchall()
        return [StatusEvent(*row) for row in rows]
