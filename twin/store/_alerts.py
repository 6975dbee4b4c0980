"""Alerts in the embedded store: open, acknowledged and closed, with their history.

An alert belongs to one rule and one datastream; at most one is open (or acknowledged)
per pair at a time, so re-evaluating a rule on every batch never floods the list. Every
change of state is kept as an event with who made it and why.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from twin.errors import InvalidRequestError, UnknownFeatureError
from twin.store._connections import StoreConnections, create_tables, utc_now

SCHEMA = """
CREATE TABLE IF NOT EXISTS twin_alerts (
  id INTEGER PRIMARY KEY, rule TEXT NOT NULL, datastream_id INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'closed')),
  opened_at TEXT NOT NULL, observed_at TEXT NOT NULL, value DOUBLE, message TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS twin_alerts_active ON twin_alerts (rule, datastream_id)
  WHERE state != 'closed';
CREATE TABLE IF NOT EXISTS twin_alert_events (
  id INTEGER PRIMARY KEY, alert_id INTEGER NOT NULL REFERENCES twin_alerts(id),
  at TEXT NOT NULL, state TEXT NOT NULL, actor TEXT NOT NULL, note TEXT NOT NULL DEFAULT '');
"""

_NEXT = {"acknowledged": {"open"}, "closed": {"open", "acknowledged"}}


class Alert(NamedTuple):
    """One alert as listed in the administration view."""

    id: int
    rule: str
    datastream_id: int
    state: str
    opened_at: str
    observed_at: str
    value: float | None
    message: str


class AlertEvent(NamedTuple):
    """One change of an alert's state."""

    at: str
    state: str
    actor: str
    note: str


def create_alert_schema(conn: sqlite3.Connection) -> None:
    """Create the alert tables if they are missing."""
    create_tables(conn, SCHEMA)


class AlertTables:
    """Alert part of the embedded store (mixed into :class:`EmbeddedStore`)."""

    def open_alert(
        self: StoreConnections,
        rule: str,
        datastream_id: int,
        *,
        observed_at: str,
        value: float | None,
        message: str,
        actor: str,
    ) -> int | None:
        """Open an alert unless one is already active for this rule and datastream."""
        with self._transaction() as conn:
            create_alert_schema(conn)
            cursor = conn.execute(
                "INSERT OR IGNORE INTO twin_alerts (rule, datastream_id, state, opened_at, "
                "observed_at, value, message) VALUES (?, ?, 'open', ?, ?, ?, ?)",
                (rule, datastream_id, utc_now(), observed_at, value, message),
            )
            if cursor.rowcount == 0:
                return None
            alert_id = int(cursor.lastrowid or 0)
            conn.execute(
                "INSERT INTO twin_alert_events (alert_id, at, state, actor, note) VALUES (?, ?, 'open', ?, ?)",
                (alert_id, utc_now(), actor, message),
            )
            self._audit(conn, actor, "open_alert", f"alert {alert_id}", {"rule": rule})
        return alert_id

    def change_alert(
        self: StoreConnections, alert_id: int, state: str, *, actor: str, note: str = ""
    ) -> None:
        """Acknowledge or close an alert; other transitions are refused with the reason."""
        if state not in _NEXT:
            raise InvalidRequestError(f"an alert can be acknowledged or closed, not {state!r}")
        with self._transaction() as conn:
            create_alert_schema(conn)
            row = conn.execute("SELECT state FROM twin_alerts WHERE id = ?", (alert_id,)).fetchone()
            if row is None:
                raise UnknownFeatureError(f"there is no alert {alert_id}")
            if row[0] not in _NEXT[state]:
                raise InvalidRequestError(f"alert {alert_id} is {row[0]}; it cannot become {state}")
            conn.execute("UPDATE twin_alerts SET state = ? WHERE id = ?", (state, alert_id))
            conn.execute(
                "INSERT INTO twin_alert_events (alert_id, at, state, actor, note) VALUES (?, ?, ?, ?, ?)",
                (alert_id, utc_now(), state, actor, note),
            )
            self._audit(conn, actor, f"{state}_alert", f"alert {alert_id}", {"note": note})

    def alerts(self: StoreConnections, *, active_only: bool = False) -> list[Alert]:
        """Alerts, newest first; ``active_only`` leaves out closed ones."""
        with self._transaction() as conn:
            create_alert_schema(conn)
            where = "WHERE state != 'closed'" if active_only else ""
            rows = conn.execute(
                "SELECT id, rule, datastream_id, state, opened_at, observed_at, value, message "
                f"FROM twin_alerts {where} ORDER BY id DESC"
            ).fetchall()
        return [Alert(*row) for row in rows]

    def alert_history(self: StoreConnections, alert_id: int) -> list[AlertEvent]:
        """Every change of one alert, oldest first."""
        with self._transaction() as conn:
            create_alert_schema(conn)
            rows = conn.execute(
                "SELECT at, state, actor, note FROM twin_alert_events WHERE alert_id = ? ORDER BY id",
                (alert_id,),
            ).fetchall()
        return [AlertEvent(*row) for row in rows]
