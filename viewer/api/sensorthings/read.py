"""Run SensorThings selections against the store and shape the JSON answer (OGC 18-088 §9).

Each entity carries ``@iot.id``, ``@iot.selfLink`` and a ``…@iot.navigationLink`` per
navigation property; collections carry ``value``, ``@iot.count`` on request and
``@iot.nextLink`` while more entities follow. With ``$resultFormat=dataArray`` (14.3) a
page of Observations is one row per Observation, grouped per Datastream.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from twin.errors import InvalidRequestError
from twin.store.base import TwinStore
from viewer.api.sensorthings.entities import Entity, visible_sql
from viewer.api.sensorthings.filter_sql import filter_sql
from viewer.api.sensorthings.query import Options, Selection, data_array_components, navigate

ALIAS = "e"


def _where(selection: Selection, options: Options) -> tuple[str, list[object]]:
    entity = selection.entity
    clauses = [selection.condition.format(a=ALIAS), visible_sql(entity, ALIAS, selection.shown)]
    params: list[object] = list(selection.params)
    if options.filter is not None:
        condition, filter_params = filter_sql(options.filter, entity, alias=ALIAS)
        clauses.append(condition)
        params += filter_params
    return " AND ".join(f"({c})" for c in clauses), params


def fetch(
    store: TwinStore,
    selection: Selection,
    options: Options,
    *,
    extra: int = 0,
    keys: tuple[str, ...] = (),
) -> tuple[list[dict[str, Any]], int | None]:
    """Rows of ``selection`` after ``$filter``/``$orderby``/``$skip``/``$top`` (+ ``extra`` rows).

    ``keys`` are further columns of the entity's table, by their own names (e.g. the
    ``datastream_id`` that dataArray groups by).
    """
    entity = selection.entity
    columns = ", ".join(
        [f"{ALIAS}.id AS id"]
        + [f'{expr.format(a=ALIAS)} AS "{name}"' for name, expr in entity.properties.items()]
        + [f"{ALIAS}.{key} AS {key}" for key in keys]
    )
    where, params = _where(selection, options)
    order = [
        f"{ALIAS}.id {d.upper()}"
        if n == "id"
        else f"{entity.column(n).format(a=ALIAS)} {d.upper()}"
        for n, d in options.orderby
    ]
    sql = (
        f"SELECT {columns} FROM {entity.table} {ALIAS} WHERE {where} "
        f"ORDER BY {', '.join([*order, f'{ALIAS}.id ASC'])} LIMIT ? OFFSET ?"
    )
    rows = store.read_sql(sql, [*params, options.top + extra, options.skip])
    count = None
    if options.count:
        count_sql = f"SELECT count(*) AS n FROM {entity.table} {ALIAS} WHERE {where}"
        count = int(store.read_sql(count_sql, params)[0]["n"])
    return rows, count


def _selected(name: str, options: Options) -> bool:
    return not options.select or name in options.select


def _value(entity: Entity, name: str, row: dict[str, Any]) -> Any:
    """A property's value from its column: JSON properties are stored as JSON text."""
    value = row[name]
    return json.loads(value) if name in entity.json_properties and value is not None else value


def render(
    store: TwinStore, selection: Selection, row: dict[str, Any], base: str, options: Options
) -> dict[str, Any]:
    """One entity of ``selection`` as SensorThings JSON, with its ``$expand``ed navigation properties."""
    entity = selection.entity
    self_link = f"{base}/{entity.name}({row['id']})"
    out: dict[str, Any] = {"@iot.id": row["id"], "@iot.selfLink": self_link}
    for name in entity.properties:
        if _selected(name, options):
            out[name] = _value(entity, name, row)
    expanded = dict(options.expand)
    for nav in entity.navigation:
        if nav in expanded:
            own = Selection(entity, "{a}.id = ?", (row["id"],), True, selection.shown)
            target = navigate(own, nav)
            result = collection(store, target, base, expanded[nav], link=f"{self_link}/{nav}")
            if target.single:
                out[nav] = result["value"][0] if result["value"] else None
                continue
            out[nav] = result["value"]
            for key in ("@iot.count", "@iot.nextLink"):
                if key in result:
                    out[f"{nav}{key}"] = result[key]
        elif _selected(nav, options):
            out[f"{nav}@iot.navigationLink"] = f"{self_link}/{nav}"
    return out


def _next_link(link: str, options: Options, raw: dict[str, str] | None) -> str:
    query = dict(raw or {})
    query["$skip"] = str(options.skip + options.top)
    query["$top"] = str(options.top)
    return f"{link}?{urlencode(query)}"


def collection(
    store: TwinStore,
    selection: Selection,
    base: str,
    options: Options,
    *,
    link: str,
    raw: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A collection answer: ``@iot.count``, ``value`` and ``@iot.nextLink`` when more follow."""
    keys = ("datastream_id",) if options.data_array else ()
    rows, count = fetch(store, selection, options, extra=1, keys=keys)
    page = rows[: options.top]
    out: dict[str, Any] = {}
    if count is not None:
        out["@iot.count"] = count
    if options.data_array:
        out["value"] = data_arrays(selection.entity, page, base, options)
    else:
        out["value"] = [render(store, selection, row, base, options) for row in page]
    if len(rows) > options.top:
        out["@iot.nextLink"] = _next_link(link, options, raw)
    return out


def data_arrays(
    entity: Entity, rows: list[dict[str, Any]], base: str, options: Options
) -> list[dict[str, Any]]:
    """Observation rows as dataArray objects, one per Datastream (OGC 18-088, 14.3.2).

    Datastreams come in the order of their first Observation on the page and each keeps
    its rows in page order, as in FROST-Server, so ``$orderby`` still holds within each.
    The result is what ``CreateObservations`` takes, once ``Datastream`` is named.
    """
    components = data_array_components(options.select)
    groups: dict[int, list[list[Any]]] = {}
    for row in rows:
        values = [row["id"] if name == "id" else _value(entity, name, row) for name in components]
        groups.setdefault(row["datastream_id"], []).append(values)
    return [
        {
            "Datastream@iot.navigationLink": f"{base}/Datastreams({datastream})",
            "components": components,
            "dataArray@iot.count": len(values),
            "dataArray": values,
        }
        for datastream, values in groups.items()
    ]


def single(store: TwinStore, selection: Selection, base: str, options: Options) -> dict[str, Any]:
    """One entity, or ``UnknownFeatureError`` (404) when it does not exist or is not visible."""
    from twin.errors import UnknownFeatureError

    if options.top == 0:
        raise InvalidRequestError("$top=0 makes no sense for a single entity")
    if options.data_array:
        raise InvalidRequestError(
            "$resultFormat=dataArray is for collections of Observations, not for one entity"
        )
    rows, _ = fetch(store, selection, Options(top=1, expand=options.expand, select=options.select))
    if not rows:
        raise UnknownFeatureError(f"no such {selection.entity.name} entity")
    return render(store, selection, rows[0], base, options)
