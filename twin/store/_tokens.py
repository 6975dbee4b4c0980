"""API tokens in the embedded store: only their SHA-256 hashes, each with a role.

A token is shown once, when it is created; the store keeps its hash, so a copy of the
GeoPackage does not give anybody access. Revoked tokens stay listed with the time they
were revoked, for the audit.
"""

from __future__ import annotations

from typing import NamedTuple

from twin.errors import UnknownFeatureError
from twin.store._connections import StoreConnections, create_tables, utc_now
from twin.store.base import SQLITE_INTEGERS

SCHEMA = """
CREATE TABLE IF NOT EXISTS twin_tokens (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL, created_by TEXT NOT NULL, revoked_at TEXT)
"""


class TokenRecord(NamedTuple):
    """A token as listed: whose it is, its role and whether it still works."""

    id: int
    name: str
    role: str
    created_at: str
    created_by: str
    revoked_at: str | None


_COLUMNS = "id, name, role, created_at, created_by, revoked_at"


class TokenTables:
    """Token part of the embedded store (mixed into :class:`EmbeddedStore`)."""

    def add_token(
        self: StoreConnections, name: str, role: str, token_hash: str, *, actor: str
    ) -> int:
        """Store a token's hash with its holder's name and role; returns its id."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            cursor = conn.execute(
                "INSERT INTO twin_tokens (name, role, hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                (name, role, token_hash, utc_now(), actor),
            )
            token_id = int(cursor.lastrowid or 0)
            self._audit(
                conn, actor, "create_token", f"token {token_id}", {"name": name, "role": role}
            )
        return token_id

    def token_by_hash(self: StoreConnections, token_hash: str) -> TokenRecord | None:
        """The token with this hash, revoked or not; None if there is none."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM twin_tokens WHERE hash = ?", (token_hash,)
            ).fetchone()
        return None if row is None else TokenRecord(*row)

    def tokens(self: StoreConnections) -> list[TokenRecord]:
        """Every token, oldest first."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            rows = conn.execute(f"SELECT {_COLUMNS} FROM twin_tokens ORDER BY id").fetchall()
        return [TokenRecord(*row) for row in rows]

    def revoke_token(self: StoreConnections, token_id: int, *, actor: str) -> None:
        """Make a token stop working (it stays listed)."""
        with self._transaction() as conn:
            create_tables(conn, SCHEMA)
            revoked = (
                token_id in SQLITE_INTEGERS  # no token has another id
                and conn.execute(
                    "UPDATE twin_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                    (utc_now(), token_id),
                ).rowcount
                > 0
            )
            if not revoked:
                raise UnknownFeatureError(
                    f"there is no active token {token_id}",
                    hint="'twin token list SLUG' shows them.",
                )
            self._audit(conn, actor, "revoke_token", f"token {token_id}", {})
