"""What the store's table mixins need from :class:`~twin.store.embedded.EmbeddedStore`."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, Protocol


def utc_now() -> str:
    """The current time as the store's tables keep it (ISO 8601, UTC, whole seconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def create_tables(conn: sqlite3.Connection, schema: str) -> None:
    """Run the ``;``-separated statements of ``schema`` one by one.

    Not ``executescript``: it would commit the transaction the caller is in, and a table
    part creates its tables inside the transaction of its first write.
    """
    for statement in schema.split(";\n"):
        if statement.strip():
            conn.execute(statement)


class StoreConnections(Protocol):
    """Connections, transactions and the audit log of the embedded store."""

    def _connect(self, *, create: bool = False) -> AbstractContextManager[sqlite3.Connection]: ...
    def _transaction(
        self, *, create: bool = False
    ) -> AbstractContextManager[sqlite3.Connection]: ...
    def _audit(
        self, conn: sqlite3.Connection, actor: str, action: str, target: str, detail: dict[str, Any]
    ) -> None: ...
    def _crs(self, conn: sqlite3.Connection) -> str: ...
