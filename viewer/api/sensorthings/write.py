"""The write side of the SensorThings API (OGC 18-088, 10 and 14.4): create, update, delete.

- ``POST`` to an entity set (``Things``) or through a navigation property
  (``Datastreams(1)/Observations``) creates an entity with everything inline in it (deep
  insert), all or nothing: 201 Created with a ``Location`` header and the entity. An
  Observation like a stored one (same Datastream, phenomenonTime and result), or a Sensor
  or ObservedProperty like a stored one, is not stored again: the answer is 200 with the
  stored one, so that re-sending is harmless.
- ``PATCH`` on one entity changes only the given properties, and links by ``@iot.id``;
  ids never change. 200 with the entity.
- ``DELETE`` on one entity deletes it with what depends on it (10.4, e.g. a Thing's
  Datastreams and their Observations). 200.
- ``POST CreateObservations`` (dataArray extension) stores rows of Observations: 201 with
  one selfLink per row, the stored Observation's for a row that was stored already, and
  ``"error"`` for a row that could not be stored.

Every write needs a token of the administration (:func:`twin.access.require_editor`) and
is audited by the store. Bodies are checked here against :data:`SHAPES`, so that every
error names the property (``Things.Datastreams[1]: the mandatory property
'unitOfMeasurement' is missing``); what needs the stored data (references, taken names)
is checked by the store inside the write's transaction.

After the answer, new Observations are published over MQTT and go through what follows
new data from the live ingest (quality flags, alert rules, the live layer); other writes
refresh the live layer.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Header, Request
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from layers.sensors.publish import ObservationPublisher
from twin.access import Principal, require_editor
from twin.config import Classification
from twin.errors import InvalidRequestError, UnknownFeatureError
from twin.store._sensorthings import KINDS
from twin.store._sta_write import (
    GEOJSON_ENCODINGS,
    Created,
    EntityBody,
    NewObservation,
    Ref,
    Related,
    geojson_geometry,
)
from twin.store.base import SQLITE_INTEGERS, TwinStore
from twin.workspace import Workspace
from viewer.api.sensorthings.entities import ENTITIES
from viewer.api.sensorthings.query import Options, Selection, entity_key
from viewer.api.sensorthings.read import fetch, render
from viewer.deps import TwinView, TwinViewDep, WorkspaceDep

logger = logging.getLogger(__name__)

router = APIRouter(tags=["SensorThings API"])

_ISO = "%Y-%m-%dT%H:%M:%SZ"
Check = Callable[[str, Any, bool], dict[str, object]]
"""Checks one property: (where it is, its value, whether PATCH) → the columns it sets."""


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _text(column: str, *, blank: bool = True) -> Check:
    def check(at: str, value: Any, partial: bool) -> dict[str, object]:
        if not isinstance(value, str) or not (blank or value.strip()):
            kind = "a string" if blank else "a non-empty string"
            raise InvalidRequestError(f"{at} must be {kind}, got {_show(value)}")
        return {column: value}

    return check


def _json_object(column: str, *, null: str | None) -> Check:
    """A JSON object stored as text; JSON ``null`` is stored as ``null``'s column value."""

    def check(at: str, value: Any, partial: bool) -> dict[str, object]:
        if value is None:
            return {column: null}
        if not isinstance(value, dict):
            raise InvalidRequestError(f"{at} must be a JSON object, got {_show(value)}")
        return {column: json.dumps(value, ensure_ascii=False)}

    return check


def _encoding(column: str) -> Check:
    def check(at: str, value: Any, partial: bool) -> dict[str, object]:
        if value not in GEOJSON_ENCODINGS:
            raise InvalidRequestError(
                f"{at} must be a GeoJSON encoding, got {_show(value)}",
                hint=f"This service stores GeoJSON: {', '.join(sorted(GEOJSON_ENCODINGS))}.",
            )
        return {column: value}

    return check


def _geometry(column: str) -> Check:
    def check(at: str, value: Any, partial: bool) -> dict[str, object]:
        geojson_geometry(value, at)
        return {column: json.dumps(value, ensure_ascii=False)}

    return check


def _utc(value: str) -> str | None:
    """An ISO 8601 time (OGC 18-088 asks for no other) as the store's UTC text, or None.

    Naive times are UTC, as in every import. ``isoformat`` rather than ``strftime``:
    glibc's ``%Y`` does not pad years before 1000 to four digits, and the store orders
    times as text.
    """
    try:
        moment = datetime.fromisoformat(value)
        utc = moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)
    except ValueError:
        return None
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the year 1 in UTC
        return None
    return f"{utc.replace(tzinfo=None).isoformat(timespec='seconds')}Z"


def _instant(column: str, *, nullable: bool = False) -> Check:
    """An ISO 8601 time, stored as UTC text to the second like every observation time."""

    def check(at: str, value: Any, partial: bool) -> dict[str, object]:
        if value is None and nullable:
            return {column: None}
        valid = isinstance(value, str) and "/" not in value  # no intervals
        text = _utc(value) if valid else None
        if text is None:
            raise InvalidRequestError(
                f"{at} must be an ISO 8601 time instant, got {_show(value)}",
                hint="E.g. 2025-07-01T12:00:00Z, in the years 1 to 9999 (UTC); "
                "time intervals are not stored by this service.",
            )
        return {column: text}

    return check


def _result(at: str, value: Any, partial: bool) -> dict[str, object]:
    if value is None:
        raise InvalidRequestError(f"{at} must be a value, got null")
    return {"result": value}


def _unit(at: str, value: Any, partial: bool) -> dict[str, object]:
    """unitOfMeasurement: name and symbol (mandatory) and definition; PATCH merges them."""
    if not isinstance(value, dict):
        raise InvalidRequestError(f"{at} must be a JSON object, got {_show(value)}")
    unknown = sorted(set(value) - {"name", "symbol", "definition"})
    if unknown:
        raise InvalidRequestError(
            f"{at} has no property {unknown[0]!r}", hint="It has name, symbol and definition."
        )
    missing = [] if partial else [key for key in ("name", "symbol") if key not in value]
    if missing:
        raise InvalidRequestError(f"{at}: the mandatory property {missing[0]!r} is missing")
    columns: dict[str, object] = {}
    for key, text in value.items():
        columns |= _text(f"unit_{key}")(f"{at}.{key}", text, partial)
    return columns


def _stream_properties(at: str, value: Any, partial: bool) -> dict[str, object]:
    """A Datastream's properties, whose ``classification`` and ``kind`` act as a sensor's.

    Only given ones change, so a PATCH never widens who sees data by leaving
    ``classification`` out.
    """
    columns = _json_object("properties", null="{}")(at, value, partial)
    given = value or {}
    if "classification" in given:
        allowed = [c.value for c in Classification]
        if given["classification"] not in allowed:
            raise InvalidRequestError(
                f"{at}.classification must be one of {allowed}, got {_show(given['classification'])}"
            )
        columns["classification"] = given["classification"]
    if "kind" in given:
        if given["kind"] not in KINDS:
            raise InvalidRequestError(
                f"{at}.kind must be one of {list(KINDS)}, got {_show(given['kind'])}",
                hint="The kind chooses the quality-control rules; 'other' has generic ones.",
            )
        columns["kind"] = given["kind"]
    return columns


def _now() -> dict[str, object]:
    return {"phenomenon_time": datetime.now(UTC).strftime(_ISO)}


@dataclass(frozen=True)
class Shape:
    """What a request body of one entity set may hold (OGC 18-088, 8.2 and table 9)."""

    fields: dict[str, Check]
    optional: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()
    collections: frozenset[str] = frozenset()
    computed: frozenset[str] = frozenset()
    """Properties the service derives itself: ignored in requests."""
    defaults: Callable[[], dict[str, object]] = field(default=dict)


_NAME = {"name": _text("name", blank=False), "description": _text("description")}
SHAPES: dict[str, Shape] = {
    "Things": Shape(
        {**_NAME, "properties": _json_object("properties", null="{}")},
        optional=frozenset({"properties"}),
        collections=frozenset({"Locations", "Datastreams"}),
    ),
    "Locations": Shape(
        {**_NAME, "encodingType": _encoding("encoding_type"), "location": _geometry("location")},
        collections=frozenset({"Things"}),
    ),
    "Datastreams": Shape(
        {
            **_NAME,
            "observationType": _text("observation_type", blank=False),
            "unitOfMeasurement": _unit,
            "properties": _stream_properties,
        },
        optional=frozenset({"properties"}),
        links=frozenset({"Thing", "Sensor", "ObservedProperty"}),
        collections=frozenset({"Observations"}),
        computed=frozenset({"phenomenonTime", "resultTime", "observedArea"}),
        defaults=lambda: {"kind": "other"},
    ),
    "Sensors": Shape(
        {
            **_NAME,
            "encodingType": _text("encoding_type", blank=False),
            "metadata": _text("metadata"),
        }
    ),
    "ObservedProperties": Shape({**_NAME, "definition": _text("definition")}),
    "FeaturesOfInterest": Shape(
        {**_NAME, "encodingType": _encoding("encoding_type"), "feature": _geometry("feature")}
    ),
    "Observations": Shape(
        {
            "phenomenonTime": _instant("phenomenon_time"),
            "result": _result,
            "resultTime": _instant("result_time", nullable=True),
            "parameters": _json_object("parameters", null=None),
        },
        optional=frozenset({"phenomenonTime", "resultTime", "parameters"}),
        links=frozenset({"Datastream", "FeatureOfInterest"}),
        computed=frozenset({"resultQuality"}),  # the quality checks flag every Observation
        defaults=_now,
    ),
}
"""The writable entity sets; HistoricalLocations are kept by the service itself."""


def _back(entity_set: str, nav: str) -> str | None:
    """The navigation property leading back, e.g. Things→Datastreams gives ``Thing``."""
    target = ENTITIES[ENTITIES[entity_set].navigation[nav].target]
    return next((name for name, n in target.navigation.items() if n.target == entity_set), None)


def _reference(target: str, value: Any, at: str) -> Ref:
    """``{"@iot.id": ID}``: a stored entity of ``target`` (checked by the store)."""
    if not (isinstance(value, dict) and "@iot.id" in value):
        raise InvalidRequestError(
            f'{at} must name a stored entity as {{"@iot.id": ID}}, got {_show(value)}',
            hint="Related entities are created with POST, not inside PATCH or dataArray rows.",
        )
    ident = value["@iot.id"]
    if isinstance(ident, bool) or not isinstance(ident, int):
        raise InvalidRequestError(f"{at}.@iot.id must be a whole number, got {_show(ident)}")
    if ident not in SQLITE_INTEGERS:  # the store could not even look it up
        raise InvalidRequestError(f"{at}: there is no {target}({ident})")
    return Ref(target, ident, at)


def _related(entity_set: str, nav: str, value: Any, at: str, *, inline: bool) -> Related:
    """A related entity: ``{"@iot.id": ID}`` names a stored one, anything else is new."""
    target = ENTITIES[entity_set].navigation[nav].target
    if inline and not (isinstance(value, dict) and "@iot.id" in value):
        return parse(target, value, at, given=_back(entity_set, nav))
    return _reference(target, value, at)


def parse(
    entity_set: str, body: Any, at: str, *, partial: bool = False, given: str | None = None
) -> EntityBody:
    """Check a request body for ``entity_set``; ``partial`` for PATCH.

    ``given`` is the navigation property that the request path or the enclosing entity
    fills (``Thing`` for a Datastream inside a Thing), which the body must not repeat.
    """
    shape = SHAPES.get(entity_set)
    if shape is None:
        raise InvalidRequestError(
            f"{entity_set} cannot be written through the API",
            hint="HistoricalLocations are recorded by the service when a Thing's Location changes.",
        )
    if not isinstance(body, dict):
        raise InvalidRequestError(f"{at} must be a JSON object, got {_show(body)}")
    columns: dict[str, object] = {} if partial else shape.defaults()
    links: dict[str, Related] = {}
    collections: dict[str, tuple[Related, ...]] = {}
    for name, value in body.items():
        where = f"{at}.{name}"
        if "@iot." in name or name in shape.computed:
            continue  # annotations and derived properties are the service's own (10.2.2)
        if name == given:
            raise InvalidRequestError(
                f"{where} is given by the request path or the enclosing entity"
            )
        if name in shape.fields:
            columns |= shape.fields[name](where, value, partial)
        elif name in shape.links:
            links[name] = _related(entity_set, name, value, where, inline=not partial)
        elif name in shape.collections:
            if not isinstance(value, list):
                raise InvalidRequestError(f"{where} must be an array, got {_show(value)}")
            collections[name] = tuple(
                _related(entity_set, name, item, f"{where}[{i}]", inline=not partial)
                for i, item in enumerate(value)
            )
        else:
            writable = [*shape.fields, *sorted(shape.links | shape.collections)]
            raise InvalidRequestError(
                f"{at}: {entity_set} have no writable property {name!r}",
                hint=f"Writable: {', '.join(writable)}.",
            )
    if not partial:
        for name in shape.fields:
            if name not in shape.optional and name not in body:
                raise InvalidRequestError(f"{at}: the mandatory property {name!r} is missing")
    return EntityBody(entity_set, columns, at, links, collections)


def _attach(body: EntityBody, back: str | None, parent: Ref) -> EntityBody:
    """Relate a new entity to the one its request path goes through (10.2: navigationLink)."""
    if back is not None and back in SHAPES[body.entity_set].links:
        return replace(body, links={**body.links, back: parent})
    if back is not None and back in SHAPES[body.entity_set].collections:
        return replace(body, collections={**body.collections, back: (parent,)})
    raise InvalidRequestError(
        f"{body.entity_set} cannot be created through {parent.entity_set}({parent.id})",
        hint=f"Post to {body.entity_set} instead.",
    )


_KEYED = re.compile(r"^([A-Za-z]+)\((\d+)\)$")


def _entity_set(name: str) -> str:
    if name not in ENTITIES:
        raise UnknownFeatureError(
            f"there is no entity set {name!r}", hint=f"Entity sets: {', '.join(ENTITIES)}."
        )
    return name


def _one(segment: str) -> tuple[str, int]:
    """``Things(1)`` → ``("Things", 1)``: PATCH and DELETE address one entity."""
    match = _KEYED.match(segment.strip("/"))
    if not match:
        raise InvalidRequestError(
            f"{segment!r} does not address one entity", hint="Address it as Things(1)."
        )
    entity_set = _entity_set(match.group(1))
    return entity_set, entity_key(entity_set, match.group(2))


def _require(store: TwinStore, entity_set: str, entity_id: int) -> None:
    """A request path's entity exists (visible or not: the editor may write either)."""
    sql = f"SELECT 1 AS found FROM {ENTITIES[entity_set].table} WHERE id = ?"
    if not store.read_sql(sql, [entity_id]):
        raise UnknownFeatureError(f"there is no {entity_set}({entity_id})")


def _new_entity(store: TwinStore, path: str, body: Any) -> EntityBody:
    """The entity a POST creates: at an entity set, or through a navigation property."""
    segments = [s for s in path.strip("/").split("/") if s]
    if len(segments) == 1 and not _KEYED.match(segments[0]):
        entity_set = _entity_set(segments[0])
        return parse(entity_set, body, entity_set)
    if len(segments) == 2:
        parent_set, parent_id = _one(segments[0])
        nav = ENTITIES[parent_set].navigation.get(segments[1])
        if nav is None or nav.single:
            raise InvalidRequestError(
                f"cannot create entities at {path!r}",
                hint=f"Post through a collection of {parent_set}: "
                + ", ".join(n for n, v in ENTITIES[parent_set].navigation.items() if not v.single),
            )
        _require(store, parent_set, parent_id)
        back = _back(parent_set, segments[1])
        entity = parse(nav.target, body, nav.target, given=back)
        return _attach(entity, back, Ref(parent_set, parent_id, path))
    raise InvalidRequestError(
        f"cannot create entities at {path!r}",
        hint="Post to an entity set (Things) or through a navigation property "
        "(Datastreams(1)/Observations).",
    )


COMPONENTS = {
    "id": "@iot.id",
    "phenomenonTime": "phenomenonTime",
    "result": "result",
    "resultTime": "resultTime",
    "resultQuality": "resultQuality",
    "parameters": "parameters",
    "FeatureOfInterest/id": "FeatureOfInterest",
}
"""dataArray components, and the Observation property of each.

``id`` and ``resultQuality`` are the service's own (ids are assigned, quality is flagged)
and ignored like in a POST, so that what ``$resultFormat=dataArray`` reads can be sent back.
"""


def _data_array(body: Any) -> list[EntityBody | str]:
    """The rows of a CreateObservations request: an Observation each, or why it is none.

    A malformed request (not a list, unknown components, no result) fails as a whole;
    a malformed row is only that row's ``"error"``.
    """
    if not isinstance(body, list):
        raise InvalidRequestError(
            f"CreateObservations takes a JSON array, got {_show(body)}",
            hint='Send [{"Datastream": {"@iot.id": 1}, "components": [...], "dataArray": [[...]]}].',
        )
    rows: list[EntityBody | str] = []
    for g, group in enumerate(body):
        at = f"CreateObservations[{g}]"
        if not isinstance(group, dict):
            raise InvalidRequestError(f"{at} must be a JSON object, got {_show(group)}")
        keys = {key for key in group if "@iot." not in key}  # dataArray@iot.count is optional
        if keys != {"Datastream", "components", "dataArray"}:
            raise InvalidRequestError(
                f"{at} must hold exactly Datastream, components and dataArray, got {sorted(keys)}"
            )
        stream = _reference("Datastreams", group["Datastream"], f"{at}.Datastream")
        components = group["components"]
        if (
            not isinstance(components, list)
            or not all(isinstance(c, str) for c in components)
            or not set(components) <= set(COMPONENTS)
            or len(set(components)) != len(components)
            or "result" not in components
        ):
            raise InvalidRequestError(
                f"{at}.components must list distinct components with 'result', got {_show(components)}",
                hint=f"Components: {', '.join(COMPONENTS)}.",
            )
        if not isinstance(group["dataArray"], list):
            raise InvalidRequestError(
                f"{at}.dataArray must be an array, got {_show(group['dataArray'])}"
            )
        for r, values in enumerate(group["dataArray"]):
            where = f"{at}.dataArray[{r}]"
            try:
                if not isinstance(values, list) or len(values) != len(components):
                    raise InvalidRequestError(f"{where} must hold {len(components)} values")
                observation = {COMPONENTS[c]: v for c, v in zip(components, values, strict=True)}
                if "FeatureOfInterest" in observation:
                    observation["FeatureOfInterest"] = {"@iot.id": observation["FeatureOfInterest"]}
                entity = parse("Observations", observation, where, given="Datastream")
                rows.append(_attach(entity, "Datastream", stream))
            except InvalidRequestError as err:
                rows.append(err.message)
    return rows


@dataclass(frozen=True)
class Editor:
    """A write request's municipality and the administration member making it."""

    twin: TwinView
    principal: Principal


def get_editor(twin: TwinViewDep) -> Editor:
    """The caller, who must be the administration (401 without a token, 403 for others).

    Checked before the body is read, so that nobody learns about the API from its errors.
    """
    require_editor(twin.principal, "write SensorThings entities")
    return Editor(twin, twin.principal)


async def json_body(request: Request) -> Any:
    """The request body as JSON (a 400 that says why if it is not)."""
    try:
        return json.loads(await request.body())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InvalidRequestError(f"the request body is not JSON: {err}") from None


EditorDep = Annotated[Editor, Depends(get_editor)]
BodyDep = Annotated[Any, Depends(json_body)]
_PUBLISHER_LOCK = threading.Lock()


def publisher_of(app: Starlette) -> ObservationPublisher | None:
    """The app's MQTT publisher, connected on first use to the live ingest's broker.

    Set ``app.state.sta_publisher`` beforehand to choose another broker, or to None to
    publish nothing.
    """
    with _PUBLISHER_LOCK:
        if not hasattr(app.state, "sta_publisher"):
            app.state.sta_publisher = ObservationPublisher()
        publisher: ObservationPublisher | None = app.state.sta_publisher
    return publisher


def _base(request: Request, slug: str) -> str:
    return str(request.url_for("service_root", slug=slug)).rstrip("/")


def _entity_json(store: TwinStore, base: str, entity_set: str, entity_id: int) -> dict[str, Any]:
    """An entity as GET shows it, whatever its classification: the editor wrote it."""
    selection = Selection(ENTITIES[entity_set], "{a}.id = ?", (entity_id,), True, None)
    rows, _ = fetch(store, selection, Options(top=1))
    return render(store, selection, rows[0], base, Options())


def _public_observations(
    store: TwinStore, base: str, observations: Sequence[NewObservation]
) -> list[tuple[int, dict[str, Any]]]:
    """The new Observations the public may see, as GET shows them, with their Datastream."""
    entity = ENTITIES["Observations"]
    streams = {o.id: o.datastream_id for o in observations}
    selection = Selection(
        entity, "{a}.id IN (SELECT value FROM json_each(?))", (json.dumps(list(streams)),)
    )
    rows, _ = fetch(store, selection, Options(top=len(streams)))
    return [(streams[row["id"]], render(store, selection, row, base, Options())) for row in rows]


def _follow_up(
    app: Starlette,
    store: TwinStore,
    workspace: Workspace,
    slug: str,
    base: str,
    observations: Sequence[NewObservation],
    actor: str,
) -> None:
    """After the answer: publish new Observations and treat them as live data would be.

    Quality flags, alert rules and the live layer (:func:`twin.sensors.after_batch`) see
    API data like ingested data; a write without new Observations may still have changed
    the sensors the live layer shows. The write itself has succeeded: failures are logged.
    """
    from twin.fusion import refresh_live_layer
    from twin.sensors import after_batch

    try:
        if not observations:
            refresh_live_layer(store, actor=actor)
            return
        publisher = publisher_of(app)
        if publisher is not None:
            publisher.publish(_public_observations(store, base, observations))
        config = workspace.config(slug, check_files=False)
        after_batch(config, store, {o.datastream_id for o in observations}, actor=actor)
    except Exception:
        logger.exception("follow-up of a SensorThings write to %s failed", slug)


def _schedule(
    tasks: BackgroundTasks,
    request: Request,
    editor: Editor,
    workspace: Workspace,
    observations: Sequence[NewObservation] = (),
) -> None:
    slug = editor.twin.record.slug
    tasks.add_task(
        _follow_up,
        request.app,
        editor.twin.store,
        workspace,
        slug,
        _base(request, slug),
        observations,
        editor.principal.name,
    )


@router.post("/CreateObservations", status_code=201, summary="Create Observations from data arrays")
def create_observations(
    request: Request,
    editor: EditorDep,
    body: BodyDep,
    workspace: WorkspaceDep,
    tasks: BackgroundTasks,
) -> JSONResponse:
    """Store rows of Observations (dataArray extension); one selfLink or "error" per row."""
    results = editor.twin.store.sta_create_observations(
        _data_array(body), actor=editor.principal.name
    )
    for row in results:
        if isinstance(row, str):
            logger.info("CreateObservations: row not stored: %s", row)
    new = [o for row in results if isinstance(row, Created) for o in row.observations]
    _schedule(tasks, request, editor, workspace, new)
    base = _base(request, editor.twin.record.slug)
    return JSONResponse(
        [
            f"{base}/Observations({row.id})" if isinstance(row, Created) else "error"
            for row in results
        ],
        status_code=201,
    )


@router.post("/{path:path}", status_code=201, summary="Create an entity (with deep insert)")
def create(
    path: str,
    request: Request,
    editor: EditorDep,
    body: BodyDep,
    workspace: WorkspaceDep,
    tasks: BackgroundTasks,
) -> JSONResponse:
    """Create an entity with everything inline in it; 201 with Location, or 200 if stored."""
    store = editor.twin.store
    entity = _new_entity(store, path, body)
    created = store.sta_create(entity, actor=editor.principal.name)
    _schedule(tasks, request, editor, workspace, created.observations)
    document = _entity_json(
        store, _base(request, editor.twin.record.slug), entity.entity_set, created.id
    )
    return JSONResponse(
        document,
        status_code=201 if created.stored else 200,
        headers={"Location": document["@iot.selfLink"]},
    )


@router.patch("/{path:path}", summary="Change the given properties of an entity")
def update(
    path: str,
    request: Request,
    editor: EditorDep,
    body: BodyDep,
    workspace: WorkspaceDep,
    tasks: BackgroundTasks,
    content_type: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """Merge the body into the entity (10.3); ids cannot change."""
    if content_type and content_type.startswith("application/json-patch+json"):
        raise HTTPException(415, "JSON Patch is not supported; send the changed properties as JSON")
    entity_set, entity_id = _one(path)
    if isinstance(body, dict) and body.get("@iot.id", entity_id) != entity_id:
        raise InvalidRequestError(
            f"{entity_set}({entity_id}): @iot.id cannot change, got {_show(body['@iot.id'])}"
        )
    change = parse(entity_set, body, f"{entity_set}({entity_id})", partial=True)
    editor.twin.store.sta_update(entity_id, change, actor=editor.principal.name)
    _schedule(tasks, request, editor, workspace)
    base = _base(request, editor.twin.record.slug)
    return JSONResponse(_entity_json(editor.twin.store, base, entity_set, entity_id))


@router.delete("/{path:path}", summary="Delete an entity and what depends on it")
def delete(
    path: str, request: Request, editor: EditorDep, workspace: WorkspaceDep, tasks: BackgroundTasks
) -> Response:
    """Delete one entity with the cascade of OGC 18-088, 10.4."""
    entity_set, entity_id = _one(path)
    editor.twin.store.sta_delete(entity_set, entity_id, actor=editor.principal.name)
    _schedule(tasks, request, editor, workspace)
    return Response(status_code=200)
