"""The one interface every twin store implements.

Callers (import, server, scenarios) talk only to :class:`TwinStore`, so the embedded
GeoPackage store and a PostGIS store are interchangeable. Every store keeps exactly one
municipality; writes are atomic (all or nothing) and recorded in the audit log.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from twin.catalogue import CatalogueEntry

if TYPE_CHECKING:
    from twin.store._alerts import Alert, AlertEvent
    from twin.store._contributions import (
        CommentRecord,
        ContributionFilter,
        ContributionRecord,
        NewContribution,
    )
    from twin.store._jobs import Job, JobStatus
    from twin.store._scenarios import ScenarioRecord, StatusEvent, VersionRecord
    from twin.store._sta_write import Created, EntityBody
    from twin.store._tokens import TokenRecord
    from twin.store._users import SessionRecord, UserRecord

SQLITE_INTEGERS = range(-(2**63), 2**63)
"""The whole numbers SQLite can store and compare: every id and offset lies in here.

A number outside cannot even be put into a query (``OverflowError``), so the callers
that take one from a request check it first; ``n in SQLITE_INTEGERS`` is quick.
"""


@dataclass(frozen=True)
class MunicipalityRecord:
    """Who the store belongs to."""

    slug: str
    name: str
    ags: str
    crs: str
    boundary: BaseGeometry
    demo: bool
    config_toml: str


@dataclass(frozen=True)
class FeaturePage:
    """One page of features plus the number that matched the query before paging."""

    frame: gpd.GeoDataFrame
    matched: int


@dataclass(frozen=True)
class TimeFilter:
    """A closed or half-open interval; ``None`` ends are open (OGC ``..``)."""

    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class AuditRecord:
    """One write (or personal-data read) in the audit log."""

    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any]


class TwinStore(Protocol):
    """Persistence of one municipality's twin."""

    def municipality(self) -> MunicipalityRecord:
        """Return who this store belongs to."""
        ...

    def set_municipality(self, record: MunicipalityRecord, *, actor: str) -> None:
        """Create or update the municipality record (name, AGS, CRS, boundary, config)."""
        ...

    def layers(self) -> list[CatalogueEntry]:
        """Return the catalogue entries of every stored layer, by name."""
        ...

    def layer(self, name: str) -> CatalogueEntry:
        """Return one catalogue entry; raise ``UnknownLayerError`` if absent."""
        ...

    def write_layer(
        self,
        entry: CatalogueEntry,
        frame: gpd.GeoDataFrame,
        *,
        actor: str,
        surfaces: gpd.GeoSeries | None = None,
    ) -> None:
        """Replace layer ``entry.name`` with ``frame`` atomically (data, catalogue, audit).

        ``surfaces``: LoD2 surfaces (MultiPolygon Z) by ``feature_id``, replacing the
        layer's in the same transaction (None: the layer has none).
        """
        ...

    def building_surfaces(
        self, name: str, feature_ids: Collection[str] | None = None
    ) -> gpd.GeoSeries:
        """LoD2 surfaces (MultiPolygon Z) of layer ``name`` by ``feature_id`` (all, or these)."""
        ...

    def write_raster(self, entry: CatalogueEntry, raster: Path, *, actor: str) -> None:
        """Replace raster layer ``entry.name`` by the GeoTIFF at ``raster`` atomically."""
        ...

    def raster_path(self, name: str) -> Path:
        """Return the path of a stored raster layer."""
        ...

    def read_features(
        self,
        name: str,
        *,
        bbox: tuple[float, float, float, float] | None = None,
        time: TimeFilter | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> FeaturePage:
        """Read features of a vector layer intersecting ``bbox`` (municipality CRS), paged."""
        ...

    def read_feature(self, name: str, feature_id: str) -> gpd.GeoDataFrame:
        """Return a one-row frame; raise ``UnknownFeatureError`` if absent."""
        ...

    def audit_log(self, *, limit: int = 100) -> list[AuditRecord]:
        """Return the newest audit records first."""
        ...

    def record_read(self, actor: str, target: str) -> None:
        """Audit that ``actor`` read ``target`` (personal data)."""
        ...

    def register_sensor(self, site: SensorSite, *, actor: str) -> int:
        """Create or update a site's Thing, Location, Sensor and Datastream; return its id."""
        ...

    def datastreams(self) -> list[DatastreamRecord]:
        """Every Datastream with its observation count and time range."""
        ...

    def add_observations(
        self,
        datastream_id: int,
        observations: pd.DataFrame,
        *,
        actor: str,
    ) -> InsertCount:
        """Append observations (``phenomenon_time`` UTC, ``result``, optional ``quality``).

        Idempotent: an observation with the same datastream, phenomenon time and result as a
        stored one is not stored again. The batch is one transaction.
        """
        ...

    def insert_observations(
        self,
        datastream_id: int,
        observations: pd.DataFrame,
        *,
        actor: str,
    ) -> Inserted:
        """Like :meth:`add_observations`, and also give the observations it stored.

        For announcing them (MQTT): a re-sent file stores, and so announces, nothing.
        """
        ...

    def read_sql(self, sql: str, params: list[object]) -> list[dict[str, Any]]:
        """Run a read-only query in the store's SQL dialect (SensorThings API)."""
        ...

    def ingest(
        self, observations: pd.DataFrame, dead_letters: list[DeadLetter], *, actor: str
    ) -> Inserted:
        """Store a live-feed batch (``datastream_id`` column) and its dead letters atomically.

        Returns the counts and the observations it stored (re-deliveries store none).
        """
        ...

    def sta_create(self, body: EntityBody, *, actor: str) -> Created:
        """Create a SensorThings entity with everything inline in it (deep insert), atomically."""
        ...

    def sta_create_observations(
        self, rows: Sequence[EntityBody | str], *, actor: str
    ) -> list[Created | str]:
        """Create Observations row by row in one transaction; a failed row gives its reason.

        A ``str`` row is the reason why a request's row is no Observation: it fails as is.
        """
        ...

    def sta_update(self, entity_id: int, body: EntityBody, *, actor: str) -> None:
        """Change only the given properties and links of one SensorThings entity."""
        ...

    def sta_delete(self, entity_set: str, entity_id: int, *, actor: str) -> dict[str, int]:
        """Delete a SensorThings entity and what depends on it; counts of what went."""
        ...

    def open_alert(
        self,
        rule: str,
        datastream_id: int,
        *,
        observed_at: str,
        value: float | None,
        message: str,
        actor: str,
    ) -> int | None:
        """Open an alert unless one is active for this rule and datastream; return its id."""
        ...

    def change_alert(self, alert_id: int, state: str, *, actor: str, note: str = "") -> None:
        """Acknowledge or close an alert."""
        ...

    def alerts(self, *, active_only: bool = False) -> list[Alert]:
        """Alerts, newest first."""
        ...

    def alert_history(self, alert_id: int) -> list[AlertEvent]:
        """Every change of one alert, oldest first."""
        ...

    def create_scenario(
        self, record: ScenarioRecord, edits: str, *, actor: str, message: str
    ) -> None:
        """Store a new scenario with its first version (edits as JSON)."""
        ...

    def save_scenario_version(
        self, scenario_id: str, edits: str, *, actor: str, message: str
    ) -> int:
        """Add a version of a scenario's edits; returns its number."""
        ...

    def scenarios(self) -> list[ScenarioRecord]:
        """All scenarios, by id."""
        ...

    def scenario(self, scenario_id: str) -> ScenarioRecord:
        """One scenario (unknown ids are errors)."""
        ...

    def scenario_versions(self, scenario_id: str) -> list[VersionRecord]:
        """Every version of a scenario, oldest first."""
        ...

    def set_scenario_status(
        self, scenario_id: str, status: str, *, expected: str, actor: str, note: str = ""
    ) -> None:
        """Move a scenario from ``expected`` to ``status`` (compare-and-set)."""
        ...

    def scenario_history(self, scenario_id: str) -> list[StatusEvent]:
        """Every status a scenario had, oldest first."""
        ...

    def add_token(self, name: str, role: str, token_hash: str, *, actor: str) -> int:
        """Store an API token's hash with its holder and role; returns its id."""
        ...

    def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        """The token with this hash (revoked or not), or None."""
        ...

    def tokens(self) -> list[TokenRecord]:
        """Every token, oldest first."""
        ...

    def revoke_token(self, token_id: int, *, actor: str) -> None:
        """Make a token stop working."""
        ...

    def add_user(self, name: str, role: str, email: str, password_hash: str, *, actor: str) -> int:
        """Store a new user (an existing name is an error); returns their id."""
        ...

    def user(self, name: str) -> UserRecord | None:
        """The user called ``name``, or None."""
        ...

    def users(self) -> list[UserRecord]:
        """Every user, by name."""
        ...

    def set_password(self, name: str, password_hash: str, *, actor: str) -> None:
        """Replace a user's password hash and end their sessions."""
        ...

    def disable_user(self, name: str, *, actor: str) -> None:
        """Stop a user from logging in and end their sessions."""
        ...

    def record_login(self, name: str, *, ok: bool, lock_after: int, lock_for: timedelta) -> bool:
        """Count a failed login (lock after ``lock_after``) or reset the count.

        Returns whether the login may go ahead: a correct password on a locked account,
        locked meanwhile by parallel attempts, may not.
        """
        ...

    def add_session(self, session_hash: str, name: str, csrf: str, lifetime: timedelta) -> None:
        """Open a web session for user ``name``."""
        ...

    def session(self, session_hash: str) -> SessionRecord | None:
        """The live session with this hash, or None."""
        ...

    def end_session(self, session_hash: str) -> None:
        """Log a session out."""
        ...

    def set_quality(self, flags: dict[int, str], *, actor: str) -> None:
        """Store quality flags by observation id."""
        ...

    def latest(self) -> pd.DataFrame:
        """The newest observation of every datastream (live state)."""
        ...

    def dead_letters(self, *, limit: int = 100) -> list[DeadLetter]:
        """The newest unusable live-feed messages, with the reason."""
        ...

    def observations(
        self,
        datastream_id: int,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pd.DataFrame:
        """Observations of a datastream in time order (``id``, ``phenomenon_time``, ``result``, ``quality``)."""
        ...

    def add_job(self, job: Job, *, actor: str) -> None:
        """Store a new job of the processes API."""
        ...

    def update_job(self, job: Job, *, expect: Collection[JobStatus]) -> bool:
        """Write ``job`` if its stored status is one of ``expect``; return whether it was."""
        ...

    def dismiss_job(self, job_id: str, *, message: str, actor: str) -> Job | None:
        """Mark a job dismissed and delete its results; ``None`` if there is no such job."""
        ...

    def job(self, job_id: str) -> Job | None:
        """One job, or ``None``."""
        ...

    def jobs(
        self,
        *,
        process_ids: Collection[str] = (),
        statuses: Collection[str] = (),
        created: TimeFilter | None = None,
        limit: int | None = None,
    ) -> list[Job]:
        """Jobs, newest first, filtered by process, status and creation time."""
        ...

    def fail_unfinished_jobs(self, *, message: str, failure: dict[str, Any]) -> int:
        """Fail every accepted or running job (after a server restart); return how many."""
        ...

    def cached_results(self, key: str) -> dict[str, Any] | None:
        """Outputs of an earlier identical run of a deterministic process, or ``None``."""
        ...

    def cache_results(
        self, key: str, *, base: str, process_id: str, job_id: str, results: dict[str, Any]
    ) -> None:
        """Keep ``results`` under ``key``; drop entries of any other ``base`` state."""
        ...

    def add_contribution(self, new: NewContribution, *, actor: str) -> int:
        """Store a citizen's contribution (``pending``); returns its id."""
        ...

    def contribution(
        self, contribution_id: int, *, voter: str | None = None
    ) -> ContributionRecord | None:
        """One contribution in any state, or None; ``voter`` fills in ``my_vote``."""
        ...

    def contributions(self, query: ContributionFilter) -> tuple[list[ContributionRecord], int]:
        """A page of contributions, newest first, and how many matched before paging."""
        ...

    def add_comment(
        self, contribution_id: int, text: str, *, author: str, author_key: str, actor: str
    ) -> int:
        """Store a comment (``pending``) on an approved contribution; returns its id."""
        ...

    def contribution_comments(self, contribution_ids: Collection[int]) -> list[CommentRecord]:
        """Every comment (any state) on these contributions, oldest first."""
        ...

    def set_vote(self, contribution_id: int, voter: str, value: int, *, actor: str) -> None:
        """Record a vote (+1/-1) on an approved contribution, replacing the voter's last one."""
        ...

    def delete_vote(self, contribution_id: int, voter: str, *, actor: str) -> bool:
        """Withdraw a vote; returns whether there was one."""
        ...

    def moderate_contribution(
        self, contribution_id: int, state: str, reason: str, *, actor: str
    ) -> None:
        """Approve or hide a contribution (hiding needs a reason)."""
        ...

    def moderate_comment(
        self, contribution_id: int, comment_id: int, state: str, reason: str, *, actor: str
    ) -> None:
        """Approve or hide a comment of a contribution (hiding needs a reason)."""
        ...


@dataclass(frozen=True)
class SensorSite:
    """A sensor site as the twin registers it: one Thing with one Location and Datastream.

    ``key`` is the municipality's own id of the site (the config's ``sensors[].id``); it
    makes registration idempotent.
    """

    key: str
    name: str
    kind: str
    x: float
    y: float
    unit: str
    classification: str = "public"
    reference: bool = False
    feature: str | None = None


@dataclass(frozen=True)
class DatastreamRecord:
    """A Datastream with what callers need to know about it without a join."""

    id: int
    key: str
    name: str
    kind: str
    unit: str
    classification: str
    thing_id: int
    feature: str | None
    observations: int
    first: str | None
    last: str | None


class InsertCount(NamedTuple):
    """How many observations a batch added, and how many were already stored."""

    new: int
    duplicate: int


class StoredObservation(NamedTuple):
    """An observation a batch has just stored, as stored, with its Datastream's classification."""

    id: int
    datastream_id: int
    phenomenon_time: str
    result_time: str | None
    result: object
    quality: str
    parameters: dict[str, Any] | None
    classification: str


class Inserted(NamedTuple):
    """What a batch of observations did: the counts, and the observations it stored."""

    counts: InsertCount
    observations: tuple[StoredObservation, ...]


class DeadLetter(NamedTuple):
    """A live-feed message that could not be stored as an observation, kept with the reason."""

    received_at: str
    topic: str
    payload: bytes
    reason: str
