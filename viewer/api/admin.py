"""The toolkit's JSON API for the administration: alerts, sensor health, layers, people, audit.

Under ``/{slug}/api/…``, used by the administration view (``/{slug}/admin``) and by any
client with a token. Who may do what is decided by :mod:`twin.access`: users, tokens
and the audit log belong to the admin role (:func:`~twin.access.require_account_manager`),
everything else to the administration and admins (:func:`~twin.access.require_editor`);
anonymous callers get 401, other roles 403. Every write is audited by the store under
the caller's name.

- ``alerts``: list (``?state=``), one with its history, acknowledge or close;
- ``sensors/health``: per datastream the newest value, its quality flags and the health
  summary of :func:`twin.sensors.sensor_health`;
- ``layers``: the catalogue with provenance and import report; ``layers/{name}/upload``
  imports a new version of a configured layer from a file (:mod:`twin.upload`: all or
  nothing, 400/422 with the report when it fails);
- ``users``, ``tokens`` (a new token is shown once, in the answer that creates it),
  ``audit`` (``?action=&actor=&limit=``).

The functions that build the answers (:func:`alert_list`, :func:`sensor_health_list`,
:func:`layer_list` …) also fill the administration page, so page and API agree.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from twin.access import create_token, require_account_manager, require_editor
from twin.accounts import add_user, set_password
from twin.catalogue import CatalogueEntry, ImportReport
from twin.config import Classification, LayerKind, LocalText, Role
from twin.errors import InvalidRequestError, TwinError, UnknownFeatureError, http_status
from twin.sensors import sensor_health
from twin.store._alerts import Alert
from twin.store._tokens import TokenRecord
from twin.store._users import UserRecord
from twin.upload import accepted_suffixes, replace_layer
from twin.workspace import Workspace
from viewer.deps import TwinView, TwinViewDep, WorkspaceDep

router = APIRouter(prefix="/{slug}/api")

AUDIT_WINDOW: Final = 10_000
"""The newest audit records that ``action``/``actor`` filters search through."""

AlertState = Literal["open", "acknowledged", "closed"]


# -- alerts -------------------------------------------------------------------------------
class AlertEventOut(BaseModel):
    """One change of an alert's state: when, to what, by whom and why."""

    at: str
    state: AlertState
    actor: str
    note: str


class AlertOut(BaseModel):
    """An alert of a rule on one sensor's datastream."""

    id: int
    rule: str = Field(description="The rule's German name (config `[[alerts]]`).")
    datastream_id: int
    sensor: str = Field(description="The sensor's id in the config, e.g. 'M01'.")
    sensor_name: str
    state: AlertState
    opened_at: str
    observed_at: str = Field(description="Time of the observation that opened it (UTC).")
    value: float | None
    message: str


class AlertDetail(AlertOut):
    """An alert with every change of its state, oldest first."""

    history: list[AlertEventOut]


class AlertList(BaseModel):
    """Alerts, newest first."""

    alerts: list[AlertOut]


class AlertChange(BaseModel):
    """Acknowledge an open alert, or close an open or acknowledged one."""

    state: Literal["acknowledged", "closed"]
    note: str = Field("", max_length=2000, description="Why, or what was done.")


def _alert(alert: Alert, sensors: dict[int, tuple[str, str]]) -> AlertOut:
    key, name = sensors.get(alert.datastream_id, ("", ""))
    return AlertOut(**alert._asdict(), sensor=key, sensor_name=name)


def alert_list(twin: TwinView, state: str | None = None) -> AlertList:
    """Alerts of the municipality; ``state`` is a state or ``active`` (open or acknowledged)."""
    sensors = {d.id: (d.key, d.name) for d in twin.store.datastreams()}
    alerts = twin.store.alerts(active_only=state == "active")
    return AlertList(
        alerts=[_alert(a, sensors) for a in alerts if state in (None, "active") or a.state == state]
    )


def alert_detail(twin: TwinView, alert_id: int) -> AlertDetail:
    """One alert with its history (404 if there is none)."""
    sensors = {d.id: (d.key, d.name) for d in twin.store.datastreams()}
    found = next((a for a in twin.store.alerts() if a.id == alert_id), None)
    if found is None:
        raise UnknownFeatureError(f"there is no alert {alert_id}", hint="See ./ for the list.")
    history = [AlertEventOut(**e._asdict()) for e in twin.store.alert_history(alert_id)]
    return AlertDetail(**_alert(found, sensors).model_dump(), history=history)


@router.get("/alerts", tags=["alerts"], summary="Alerts on sensor data")
def list_alerts(
    twin: TwinViewDep,
    state: Annotated[
        AlertState | Literal["active"] | None,
        Query(description="Only alerts in this state; active: open or acknowledged."),
    ] = None,
) -> AlertList:
    """Alerts of the config's `[[alerts]]` rules, newest first."""
    require_editor(twin.principal, "read alerts")
    return alert_list(twin, state)


@router.get("/alerts/{alert_id}", tags=["alerts"], summary="One alert with its history")
def get_alert(alert_id: int, twin: TwinViewDep) -> AlertDetail:
    """An alert and every change of its state: who, when, why."""
    require_editor(twin.principal, "read alerts")
    return alert_detail(twin, alert_id)


@router.post("/alerts/{alert_id}/state", tags=["alerts"], summary="Acknowledge or close an alert")
def change_alert(alert_id: int, body: AlertChange, twin: TwinViewDep) -> AlertDetail:
    """Open → acknowledged → closed, or open → closed; any other move answers 400."""
    require_editor(twin.principal, "acknowledge or close alerts")
    alert_detail(twin, alert_id)  # 404 before 400
    twin.store.change_alert(alert_id, body.state, actor=twin.principal.name, note=body.note)
    return alert_detail(twin, alert_id)


# -- sensor health ------------------------------------------------------------------------
class SensorHealthOut(BaseModel):
    """How one sensor is doing: its newest value and the health summary of its data."""

    datastream_id: int
    key: str
    name: str
    kind: str
    unit: str
    classification: str
    feature: str | None = Field(description="The twin feature it is attached to, if any.")
    status: Literal["ok", "degraded", "stale", "no_data"]
    observations: int
    last: datetime | None = Field(description="Time of the newest observation (UTC).")
    last_value: float | str | None
    last_flags: list[str] = Field(description="Quality flags of the newest observation.")
    stale: bool
    flagged: float = Field(description="Share of observations with any flag.")
    flagged_share: dict[str, float]
    message_de: str
    message_en: str
    active_alerts: int


class SensorHealthList(BaseModel):
    """Every sensor's health at ``checked_at``."""

    checked_at: datetime
    sensors: list[SensorHealthOut]


def _value(result: Any) -> float | str | None:
    if result is None or isinstance(result, bool):
        return None if result is None else str(result)
    if isinstance(result, int | float):
        return None if math.isnan(result) else float(result)
    return str(result)


def sensor_health_list(twin: TwinView) -> SensorHealthList:
    """Health of every datastream (rules per sensor from the config), with the newest values."""
    now = datetime.now(UTC)
    latest = {row["datastream_id"]: row for row in twin.store.latest().to_dict("records")}
    active: dict[int, int] = {}
    for alert in twin.store.alerts(active_only=True):
        active[alert.datastream_id] = active.get(alert.datastream_id, 0) + 1
    sensors = []
    for record, state in sensor_health(twin.store, now=now, config=twin.config):
        newest = latest.get(record.id, {})
        flags = str(newest.get("quality") or "ok")
        sensors.append(
            SensorHealthOut(
                datastream_id=record.id,
                key=record.key,
                name=record.name,
                kind=record.kind,
                unit=record.unit,
                classification=record.classification,
                feature=record.feature,
                status=state.status,
                observations=state.observations,
                last=state.last,
                last_value=_value(newest.get("result")),
                last_flags=[f for f in flags.split(",") if f and f != "ok"],
                stale=state.stale,
                flagged=state.flagged,
                flagged_share=state.flagged_share,
                message_de=state.message_de,
                message_en=state.message_en,
                active_alerts=active.get(record.id, 0),
            )
        )
    return SensorHealthList(checked_at=now, sensors=sensors)


@router.get("/sensors/health", tags=["sensors"], summary="Health of every sensor")
def sensors_health(twin: TwinViewDep) -> SensorHealthList:
    """Per sensor: newest value and time, its quality flags, stale or degraded, and why."""
    require_editor(twin.principal, "read sensor health")
    return sensor_health_list(twin)


# -- layers: catalogue and upload ---------------------------------------------------------
class LayerOut(BaseModel):
    """A layer's catalogue entry: what it is, who owns it, and where it came from."""

    name: str
    title: LocalText
    kind: LayerKind
    classification: Classification
    owner: str
    licence: str
    source: str
    attribution: str = ""
    imported: bool = Field(description="False for a configured layer not imported yet.")
    source_file: str | None = Field(None, description="Name of the imported file.")
    checksum: str | None = Field(None, description="SHA-256 of the imported file.")
    imported_at: datetime | None = None
    imported_by: str | None = None
    feature_count: int = 0
    geometry_type: str | None = None
    storage: str = "vector"
    report: ImportReport | None = None
    uploadable: list[str] = Field(
        description="File suffixes a new version may have; empty for layers the config "
        "does not describe (such as the live sensor layer)."
    )


class LayerList(BaseModel):
    """The catalogue, by layer name."""

    layers: list[LayerOut]


class UploadAnswer(BaseModel):
    """An accepted upload: the import report and the layer's new catalogue entry."""

    report: ImportReport
    layer: LayerOut


class UploadProblem(BaseModel):
    """A refused upload: what was wrong, and the report where validation got that far."""

    code: str
    description: str
    hint: str | None = None
    report: ImportReport | None = None


def _layer(entry: CatalogueEntry, suffixes: tuple[str, ...]) -> LayerOut:
    return LayerOut(
        **entry.model_dump(include=set(LayerOut.model_fields) - {"source_file", "imported"}),
        imported=True,
        source_file=Path(entry.source_file).name,  # no server paths
        uploadable=list(suffixes),
    )


def layer_list(twin: TwinView) -> LayerList:
    """Every stored layer with provenance, and configured layers not imported yet."""
    configured = {layer.name: layer for layer in twin.config.layers}
    stored = {entry.name: entry for entry in twin.store.layers()}
    out = [
        _layer(entry, accepted_suffixes(configured[name]) if name in configured else ())
        for name, entry in stored.items()
    ]
    out += [
        LayerOut(
            **layer.model_dump(
                include={"name", "title", "kind", "classification", "owner", "licence", "source"}
            ),
            attribution=layer.attribution,
            imported=False,
            uploadable=list(accepted_suffixes(layer)),
        )
        for name, layer in configured.items()
        if name not in stored
    ]
    return LayerList(layers=sorted(out, key=lambda layer: layer.name))


@router.get("/layers", tags=["layers"], summary="The layer catalogue with provenance")
def list_layers(twin: TwinViewDep) -> LayerList:
    """Every layer of every classification: owner, licence, source, checksum, import report."""
    require_editor(twin.principal, "read the layer catalogue")
    return layer_list(twin)


@router.post(
    "/layers/{name}/upload",
    tags=["layers"],
    summary="Import a new version of a layer from a file",
    response_model=UploadAnswer,
    responses={
        400: {"model": UploadProblem, "description": "Unsupported file, no or unknown CRS"},
        422: {"model": UploadProblem, "description": "Unreadable file or features rejected"},
    },
)
def upload_layer(
    name: str,
    twin: TwinViewDep,
    workspace: WorkspaceDep,
    file: Annotated[UploadFile, File(description="GeoPackage, GeoJSON, FlatGeobuf, …")],
    accept_rejections: Annotated[
        bool, Form(description="Import even if some features are rejected (listed in the report).")
    ] = False,
) -> UploadAnswer | JSONResponse:
    """Validate the file and replace the layer with it in one transaction, like `twin import`.

    Nothing changes if the file cannot be read, has no CRS, or no feature passes; if some
    features would be rejected, nothing changes either unless ``accept_rejections``. The
    answer carries the import report (repaired and rejected features by id).
    """
    require_editor(twin.principal, "upload layers")
    return _upload(twin, workspace, name, file, accept_rejections=accept_rejections)


def _upload(
    twin: TwinView, workspace: Workspace, name: str, file: UploadFile, *, accept_rejections: bool
) -> UploadAnswer | JSONResponse:
    try:
        result = replace_layer(
            workspace,
            twin.record.slug,
            name,
            file.file,
            file.filename or "",
            actor=twin.principal.name,
            accept_rejections=accept_rejections,
        )
    except TwinError as err:
        problem = UploadProblem(
            code=type(err).__name__,
            description=err.message,
            hint=err.hint or None,
            report=getattr(err, "report", None),
        )
        return JSONResponse(problem.model_dump(mode="json"), status_code=http_status(err))
    layer = twin.config.layer(name)
    return UploadAnswer(report=result.report, layer=_layer(result.entry, accepted_suffixes(layer)))


# -- users --------------------------------------------------------------------------------
class UserOut(BaseModel):
    """A user who can log in to the views (never their password or its hash)."""

    name: str
    role: Role
    email: str
    created_at: str
    created_by: str
    disabled_at: str | None
    locked_until: str | None


class UserList(BaseModel):
    """Every user, by name."""

    users: list[UserOut]


class NewUser(BaseModel):
    """A new user of the web views."""

    name: str = Field(min_length=1, max_length=120, description="The person's full name.")
    role: Role
    password: str = Field(description="At least 10 characters; tell it to them in person.")
    email: str = Field("", max_length=254)


class NewPassword(BaseModel):
    """A new password; the user's open sessions end."""

    password: str


def _user(record: UserRecord) -> UserOut:
    return UserOut(**record._asdict())


def user_list(twin: TwinView) -> UserList:
    """Every user of the municipality, by name."""
    return UserList(users=[_user(u) for u in twin.store.users()])


def _existing_user(twin: TwinView, name: str) -> UserOut:
    record = twin.store.user(name)
    if record is None:
        raise UnknownFeatureError(f"there is no user {name!r}", hint="See ./ for the list.")
    return _user(record)


@router.get("/users", tags=["users"], summary="Users of the web views")
def list_users(twin: TwinViewDep) -> UserList:
    """Name, role, e-mail, who created them, and whether they are disabled or locked."""
    require_account_manager(twin.principal, "list users")
    return user_list(twin)


@router.post("/users", tags=["users"], status_code=201, summary="Add a user")
def create_user(body: NewUser, twin: TwinViewDep) -> UserOut:
    """Create a user who logs in with the given password."""
    require_account_manager(twin.principal, "add users")
    add_user(
        twin.store, body.name, body.role, body.password, email=body.email, actor=twin.principal.name
    )
    return _existing_user(twin, body.name.strip())


@router.post("/users/{name}/disable", tags=["users"], summary="Disable a user")
def disable_user(name: str, twin: TwinViewDep) -> UserOut:
    """The user can no longer log in and their sessions end; they stay listed."""
    require_account_manager(twin.principal, "disable users")
    _existing_user(twin, name)
    if name == twin.principal.name:
        raise InvalidRequestError(
            "you cannot disable yourself", hint="Another admin can, if it is needed."
        )
    twin.store.disable_user(name, actor=twin.principal.name)
    return _existing_user(twin, name)


@router.post("/users/{name}/password", tags=["users"], summary="Set a user's password")
def change_password(name: str, body: NewPassword, twin: TwinViewDep) -> UserOut:
    """Give a user a new password (at least 10 characters); their sessions end."""
    require_account_manager(twin.principal, "set passwords")
    _existing_user(twin, name)
    set_password(twin.store, name, body.password, actor=twin.principal.name)
    return _existing_user(twin, name)


# -- tokens -------------------------------------------------------------------------------
class TokenOut(BaseModel):
    """An API token as listed: whose, which role, and whether it still works."""

    id: int
    name: str
    role: Role
    created_at: str
    created_by: str
    revoked_at: str | None


class CreatedToken(TokenOut):
    """A new token; ``token`` is shown this once (the store keeps only its hash)."""

    token: str


class TokenList(BaseModel):
    """Every token, oldest first (revoked ones too)."""

    tokens: list[TokenOut]


class NewToken(BaseModel):
    """A token for a person or a program, with its role."""

    name: str = Field(min_length=1, max_length=120, description="Whose it is, for the audit log.")
    role: Role


def _token(record: TokenRecord) -> TokenOut:
    return TokenOut(**record._asdict())


def token_list(twin: TwinView) -> TokenList:
    """Every token of the municipality, oldest first."""
    return TokenList(tokens=[_token(t) for t in twin.store.tokens()])


@router.get("/tokens", tags=["tokens"], summary="API tokens")
def list_tokens(twin: TwinViewDep) -> TokenList:
    """Every token with its holder, role and revocation time (never the token itself)."""
    require_account_manager(twin.principal, "list tokens")
    return token_list(twin)


@router.post("/tokens", tags=["tokens"], status_code=201, summary="Create a token")
def new_token(body: NewToken, twin: TwinViewDep) -> CreatedToken:
    """Create a token; the answer is the only place it is ever shown."""
    require_account_manager(twin.principal, "create tokens")
    name = body.name.strip()
    if not name:
        raise InvalidRequestError("a token needs a name", hint="Say whose it is.")
    token_id, token = create_token(twin.store, name, body.role, actor=twin.principal.name)
    record = next(t for t in twin.store.tokens() if t.id == token_id)
    return CreatedToken(**record._asdict(), token=token)


@router.post("/tokens/{token_id}/revoke", tags=["tokens"], summary="Revoke a token")
def revoke_token(token_id: int, twin: TwinViewDep) -> TokenOut:
    """The token stops working at once; it stays listed with the time it was revoked."""
    require_account_manager(twin.principal, "revoke tokens")
    twin.store.revoke_token(token_id, actor=twin.principal.name)
    return next(_token(t) for t in twin.store.tokens() if t.id == token_id)


# -- audit log ----------------------------------------------------------------------------
class AuditOut(BaseModel):
    """One write, or one read of personal data: when, who, what, on which object."""

    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any]


class AuditList(BaseModel):
    """Audit records, newest first."""

    records: list[AuditOut]


def audit_list(
    twin: TwinView, *, limit: int = 100, action: str | None = None, actor: str | None = None
) -> AuditList:
    """The newest ``limit`` records, optionally of one action and/or one actor.

    Filters search the newest :data:`AUDIT_WINDOW` records.
    """
    window = limit if not (action or actor) else AUDIT_WINDOW
    records = [
        AuditOut(**asdict(r))
        for r in twin.store.audit_log(limit=window)
        if (not action or r.action == action) and (not actor or r.actor == actor)
    ]
    return AuditList(records=records[:limit])


@router.get("/audit", tags=["audit"], summary="The audit log")
def audit(
    twin: TwinViewDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    action: Annotated[
        str | None, Query(description="e.g. import_layer, acknowledged_alert, add_user")
    ] = None,
    actor: Annotated[str | None, Query(description="Who did it (user or token name).")] = None,
) -> AuditList:
    """Every write and every read of personal data, newest first."""
    require_account_manager(twin.principal, "read the audit log")
    return audit_list(twin, limit=limit, action=action or None, actor=actor or None)
