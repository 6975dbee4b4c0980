"""What the store's table mixins need from :class:`~twin.store.embedded.EmbeddedStore`."""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from typing import Any, Protocol


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
