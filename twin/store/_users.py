"""Users and their web sessions in the embedded store.

A user has a name, a role and a password hash (never the password); a session is the
SHA-256 of the random cookie value with its CSRF token and expiry, so that a copy of the
GeoPackage lets nobody log in. Failed logins are counted per user to lock out password
guessing. Disabled users stay listed for the audit, and their sessions end at once.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from twin.errors import InvalidRequestError, UnknownFeatureError
from twin.store._connections import StoreConnections, create_tables, utc_now

SCHEMA = """
CREATE TABLE IF NOT EXISTS twin_users (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL, email TEXT NOT NULL,
  password_hash TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
  disabled_at TEXT, failed_logins INTEGER NOT NULL DEFAULT 0, locked_until TEXT);
CREATE TABLE IF NOT EXISTS twin_sessions (
  hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES twin_users(id),
  csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL)
"""


class UserRecord(NamedTuple):
    """A user as stored (the password only as its hash)."""

    id: int
    name: str
    role: str
    email: str
    password_hash: str
    created_at: str
    created_by: str
    disabled_at: str | None
    failed_logins: int
    locked_until: str | None


class SessionRecord(NamedTuple):
    """A live web session: whose it is and the token its forms must carry."""

    user: str
    role: str
    csrf: str


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


_COLUMNS = (
    "id, name, role, email, password_hash, created_at, created_by, disabled_at, "
    "failed_logins, locked_until"
)


class UserTables:
    """User and session part of the embedded store (mixed into :class:`EmbeddedStore`)."""

    def add_user(
        self: StoreConnections, name: str, role: str, email: str, password_hash: str, *, actor: str
    ) -> int:
        """Store a new user; a name that exists is an error (names appear in the audit log)."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            try:
                cursor = conn.execute(
                    "INSERT INTO twin_users (name, role, email, password_hash, created_at, "
                    "created_by) VALUES (?, ?, ?, ?, ?, ?)",
                    (name, role, email, password_hash, utc_now(), actor),
                )
            except sqlite3.IntegrityError:
                raise InvalidRequestError(
                    f"there is already a user {name!r}",
                    hint="Choose another name, or change the password with 'twin users password'.",
                ) from None
            user_id = int(cursor.lastrowid or 0)
            self._audit(conn, actor, "add_user", f"user {name}", {"role": role})
        return user_id

    def user(self: StoreConnections, name: str) -> UserRecord | None:
        """The user called ``name``, or None."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM twin_users WHERE name = ?", (name,)
            ).fetchone()
        return None if row is None else UserRecord(*row)

    def users(self: StoreConnections) -> list[UserRecord]:
        """Every user, by name."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            rows = conn.execute(f"SELECT {_COLUMNS} FROM twin_users ORDER BY name").fetchall()
        return [UserRecord(*row) for row in rows]

    def set_password(self: StoreConnections, name: str, password_hash: str, *, actor: str) -> None:
        """Replace a user's password; their sessions end and a lock-out is lifted."""
        with self._transaction() as conn:
            user_id = _user_id(conn, name)
            conn.execute(
                "UPDATE twin_users SET password_hash = ?, failed_logins = 0, locked_until = NULL "
                "WHERE id = ?",
                (password_hash, user_id),
            )
            conn.execute("DELETE FROM twin_sessions WHERE user_id = ?", (user_id,))
            self._audit(conn, actor, "set_password", f"user {name}", {})

    def disable_user(self: StoreConnections, name: str, *, actor: str) -> None:
        """Stop a user from logging in and end their sessions (they stay listed)."""
        with self._transaction() as conn:
            user_id = _user_id(conn, name)
            conn.execute(
                "UPDATE twin_users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL",
                (utc_now(), user_id),
            )
            conn.execute("DELETE FROM twin_sessions WHERE user_id = ?", (user_id,))
            self._audit(conn, actor, "disable_user", f"user {name}", {})

    def record_login(
        self: StoreConnections, name: str, *, ok: bool, lock_after: int, lock_for: timedelta
    ) -> bool:
        """Count a failed login (locking the user after ``lock_after``) or reset the count.

        The lock is checked again inside this write transaction, which logins to the same
        store take one after the other: parallel guesses cannot slip past a lock that
        one of them has just set. Returns whether the login may go ahead.
        """
        now = datetime.now(UTC)
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            row = conn.execute(
                "SELECT locked_until FROM twin_users WHERE name = ?", (name,)
            ).fetchone()
            if row is None or (row[0] is not None and row[0] > _stamp(now)):
                return False
            if ok:
                conn.execute(
                    "UPDATE twin_users SET failed_logins = 0, locked_until = NULL WHERE name = ?",
                    (name,),
                )
                self._audit(conn, name, "log_in", f"user {name}", {})
                return True
            conn.execute(
                "UPDATE twin_users SET failed_logins = failed_logins + 1 WHERE name = ?", (name,)
            )
            conn.execute(
                "UPDATE twin_users SET locked_until = ?, failed_logins = 0 "
                "WHERE name = ? AND failed_logins >= ?",
                (_stamp(now + lock_for), name, lock_after),
            )
            return False

    def add_session(
        self: StoreConnections, session_hash: str, name: str, csrf: str, lifetime: timedelta
    ) -> None:
        """Open a session for user ``name`` (expired sessions are cleared on the way)."""
        now = datetime.now(UTC)
        with self._transaction() as conn:
            user_id = _user_id(conn, name)
            conn.execute("DELETE FROM twin_sessions WHERE expires_at <= ?", (_stamp(now),))
            conn.execute(
                "INSERT INTO twin_sessions (hash, user_id, csrf, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (session_hash, user_id, csrf, _stamp(now), _stamp(now + lifetime)),
            )

    def session(self: StoreConnections, session_hash: str) -> SessionRecord | None:
        """The live session with this hash (None if unknown, expired or its user disabled)."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            row = conn.execute(
                "SELECT u.name, u.role, s.csrf FROM twin_sessions s JOIN twin_users u "
                "ON u.id = s.user_id WHERE s.hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL",
                (session_hash, utc_now()),
            ).fetchone()
        return None if row is None else SessionRecord(*row)

    def end_session(self: StoreConnections, session_hash: str) -> None:
        """Log a session out (nothing happens if it is already gone)."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            conn.execute("DELETE FROM twin_sessions WHERE hash = ?", (session_hash,))


def _user_id(conn: sqlite3.Connection, name: str) -> int:
    create_tables(conn, SCHEMA)
    row = conn.execute("SELECT id FROM twin_users WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise UnknownFeatureError(
            f"there is no user {name!r}", hint="'twin users list SLUG' shows them."
        )
    return int(row[0])
