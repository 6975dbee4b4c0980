"""Jobs of the processes API and their result cache, in the embedded store.

A job lives in the store of the municipality it computes for, not in the server's
memory: its status and results survive a restart, and a job is as isolated from other
municipalities as their data are. Status changes are compare-and-set on the current
status (:meth:`JobTables.update_job`), so a job dismissed while it runs cannot be
overwritten by the worker that finishes it a moment later.

The result cache (``twin_results_cache``) maps a key over process, inputs and the
municipality's base state to the outputs of a deterministic process; entries of an older
base state can never be hit again and are dropped whenever a new result is stored.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from twin.store._connections import StoreConnections
from twin.store.base import TimeFilter

SCHEMA = """
CREATE TABLE IF NOT EXISTS twin_jobs (
  id TEXT PRIMARY KEY, process_id TEXT NOT NULL, process_version TEXT NOT NULL,
  status TEXT NOT NULL
    CHECK (status IN ('accepted', 'running', 'successful', 'failed', 'dismissed')),
  message TEXT NOT NULL, progress INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
  created TEXT NOT NULL, started TEXT, finished TEXT, updated TEXT NOT NULL,
  inputs TEXT NOT NULL, cache_key TEXT NOT NULL, results TEXT, failure TEXT,
  owner TEXT NOT NULL DEFAULT 'anonymous');
CREATE TABLE IF NOT EXISTS twin_results_cache (
  key TEXT PRIMARY KEY, base TEXT NOT NULL, process_id TEXT NOT NULL, job_id TEXT NOT NULL,
  created TEXT NOT NULL, results TEXT NOT NULL);
"""

JobStatus = Literal["accepted", "running", "successful", "failed", "dismissed"]
UNFINISHED: tuple[JobStatus, ...] = ("accepted", "running")

_COLUMNS = (
    "id",
    "process_id",
    "process_version",
    "status",
    "message",
    "progress",
    "created",
    "started",
    "finished",
    "updated",
    "inputs",
    "cache_key",
    "results",
    "failure",
    "owner",
)
"""The columns of ``twin_jobs``, named like the fields of :class:`Job`."""
_JSON_COLUMNS = ("inputs", "results", "failure")
_SELECT = ", ".join(_COLUMNS)


def now() -> str:
    """The current UTC time as the store keeps job times (ISO 8601, milliseconds)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _time_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Job:
    """One execution of a process, as the processes API reports it.

    ``failure`` holds what a failed job answers for its results: the OGC exception
    ``type``, the HTTP ``status`` and the user's ``detail`` message. ``owner`` is the
    name of the caller who submitted it (:func:`twin.access.may_see_job`).
    """

    id: str
    process_id: str
    process_version: str
    status: JobStatus
    message: str
    progress: int
    created: str
    updated: str
    inputs: dict[str, Any]
    cache_key: str
    started: str | None = None
    finished: str | None = None
    results: dict[str, Any] | None = None
    failure: dict[str, Any] | None = None
    owner: str = "anonymous"


def _dumps(value: dict[str, Any] | None) -> str | None:
    # allow_nan=False: a NaN in a result would make the stored JSON unreadable by clients
    return None if value is None else json.dumps(value, ensure_ascii=False, allow_nan=False)


def _values(job: Job) -> tuple[Any, ...]:
    """The job as a row of ``twin_jobs``, in :data:`_COLUMNS` order."""
    return tuple(
        _dumps(getattr(job, c)) if c in _JSON_COLUMNS else getattr(job, c) for c in _COLUMNS
    )


def _job(row: tuple[Any, ...]) -> Job:
    values = dict(zip(_COLUMNS, row, strict=True))
    for column in _JSON_COLUMNS:
        values[column] = None if values[column] is None else json.loads(values[column])
    return Job(**values)


def create_job_schema(conn: sqlite3.Connection) -> None:
    """Create the job tables if they are missing (stores made before jobs existed)."""
    for statement in SCHEMA.split(";\n"):  # not executescript: it would commit a transaction
        if statement.strip():
            conn.execute(statement)


@contextmanager
def _reading(store: StoreConnections) -> Iterator[sqlite3.Connection]:
    """A plain connection for reads: status polls take no write lock."""
    with store._connect() as conn:
        create_job_schema(conn)
        yield conn


class JobTables:
    """Job part of the embedded store (mixed into :class:`EmbeddedStore`)."""

    def add_job(self: StoreConnections, job: Job, *, actor: str) -> None:
        """Store a new job (accepted, or already successful from the cache)."""
        with self._transaction() as conn:
            create_job_schema(conn)
            conn.execute(
                f"INSERT INTO twin_jobs ({_SELECT}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                _values(job),
            )
            self._audit(conn, actor, "submit_job", f"job {job.id}", {"process": job.process_id})

    def update_job(self: StoreConnections, job: Job, *, expect: Collection[JobStatus]) -> bool:
        """Write ``job`` if its stored status is one of ``expect``; return whether it was."""
        with self._transaction() as conn:
            create_job_schema(conn)
            placeholders = ", ".join("?" * len(expect))
            cursor = conn.execute(
                f"UPDATE twin_jobs SET {', '.join(f'{c} = ?' for c in _COLUMNS[1:])} "
                f"WHERE id = ? AND status IN ({placeholders})",
                (*_values(job)[1:], job.id, *expect),
            )
            return cursor.rowcount == 1

    def dismiss_job(self: StoreConnections, job_id: str, *, message: str, actor: str) -> Job | None:
        """Mark a job dismissed and delete its results; ``None`` if there is no such job."""
        with self._transaction() as conn:
            create_job_schema(conn)
            cursor = conn.execute(
                "UPDATE twin_jobs SET status = 'dismissed', message = ?, results = NULL, "
                "updated = ? WHERE id = ?",
                (message, now(), job_id),
            )
            if cursor.rowcount == 0:
                return None
            self._audit(conn, actor, "dismiss_job", f"job {job_id}", {})
            row = conn.execute(f"SELECT {_SELECT} FROM twin_jobs WHERE id = ?", (job_id,))
            return _job(row.fetchone())

    def job(self: StoreConnections, job_id: str) -> Job | None:
        """One job, or ``None`` if there is none with this id."""
        with _reading(self) as conn:
            row = conn.execute(
                f"SELECT {_SELECT} FROM twin_jobs WHERE id = ?", (job_id,)
            ).fetchone()
        return None if row is None else _job(row)

    def jobs(
        self: StoreConnections,
        *,
        process_ids: Collection[str] = (),
        statuses: Collection[str] = (),
        created: TimeFilter | None = None,
        limit: int | None = None,
    ) -> list[Job]:
        """Jobs, newest first, of the given processes and statuses (all if empty)."""
        conditions: list[str] = []
        params: list[Any] = []
        for column, values in (("process_id", process_ids), ("status", statuses)):
            if values:
                conditions.append(f"{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        if created is not None and created.start is not None:
            conditions.append("created >= ?")
            params.append(_time_text(created.start))
        if created is not None and created.end is not None:
            conditions.append("created <= ?")
            params.append(_time_text(created.end))
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        with _reading(self) as conn:
            rows = conn.execute(
                f"SELECT {_SELECT} FROM twin_jobs {where} ORDER BY rowid DESC LIMIT ?",
                (*params, -1 if limit is None else limit),
            ).fetchall()
        return [_job(row) for row in rows]

    def fail_unfinished_jobs(
        self: StoreConnections, *, message: str, failure: dict[str, Any]
    ) -> int:
        """Fail every accepted or running job (their server is gone); return how many."""
        with self._transaction() as conn:
            create_job_schema(conn)
            stamp = now()
            cursor = conn.execute(
                "UPDATE twin_jobs SET status = 'failed', message = ?, finished = ?, updated = ?, "
                "failure = ? WHERE status IN ('accepted', 'running')",
                (message, stamp, stamp, _dumps(failure)),
            )
            return cursor.rowcount

    def cached_results(self: StoreConnections, key: str) -> dict[str, Any] | None:
        """The outputs stored under ``key``, or ``None``."""
        with _reading(self) as conn:
            row = conn.execute(
                "SELECT results FROM twin_results_cache WHERE key = ?", (key,)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def cache_results(
        self: StoreConnections,
        key: str,
        *,
        base: str,
        process_id: str,
        job_id: str,
        results: dict[str, Any],
    ) -> None:
        """Keep ``results`` under ``key``; drop the entries of any other ``base`` state."""
        with self._transaction() as conn:
            create_job_schema(conn)
            conn.execute("DELETE FROM twin_results_cache WHERE base != ?", (base,))
            conn.execute(
                "INSERT OR REPLACE INTO twin_results_cache VALUES (?, ?, ?, ?, ?, ?)",
                (key, base, process_id, job_id, now(), _dumps(results)),
            )
