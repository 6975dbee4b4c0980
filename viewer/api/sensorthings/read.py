"""Run SensorThings selections against the store and shape the JSON answer (OGC 18-088 §9).

Each entity carries ``@iot.id``, ``@iot.selfLink`` and a ``…@iot.navigationLink`` per
navigation property; collections carry ``value``, ``@iot.count`` on request and
``@iot.nextLink`` while more entities follow.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from twin.errors import InvalidRequestError
from twin.store.base import TwinStore
from viewer.api.sensorthings.entities import Entity
from viewer.api.sensorthings.filter_sql import filter_sql
from viewer.api.sensorthings.query import Options, Selection, navigate

ALIAS = "e"


def _where(selection: Selection, options: Options) -> tuple[str, list[object]]:
    entity = selection.entity
    clauses = [selection.condition.format(a=ALIAS), entity.visible.format(a=ALIAS)]
    params: list[object] = list(selection.params)
    if options.filter is not None:
        condition, filter_params = filter_sql(options.filter, entity, alias=ALIAS)
        clauses.append(condition)
        params += filter_params
    return " AND ".join(f"({c})" for c in clauses), params


def fetch(
    store: TwinStore, selection: Selection, options: Options, *, extra: int = 0
) -> tuple[list[dict[str, Any]], int | None]:
    """Rows of ``selection`` after ``$filter``/``$orderby``/``$skip``/``$top`` (+ ``extra`` rows)."""
    entity = selection.entity
    columns = ", ".join(
        [f"{ALIAS}.id AS id"]
        + [f'{expr.format(a=ALIAS)} AS "{name}"' for name, expr in entity.properties.items()]
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


def render(
    store: TwinStore, entity: Entity, row: dict[str, Any], base: str, options: Options
) -> dict[str, Any]:
    """One entity as SensorThings JSON, with its ``$expand``ed navigation properties."""
    self_link = f"{base}/{entity.name}({row['id']})"
    out: dict[str, Any] = {"@iot.id": row["id"], "@iot.selfLink": self_link}
    for name in entity.properties:
        if _selected(name, options):
            value = row[name]
            out[name] = (
                json.loads(value) if name in entity.json_properties and value is not None else value
            )
    expanded = dict(options.expand)
    for nav in entity.navigation:
        if nav in expanded:
            own = Selection(entity, "{a}.id = ?", (row["id"],), True)
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
    rows, count = fetch(store, selection, options, extra=1)
    more = len(rows) > options.top
    out: dict[str, Any] = {}
    if count is not None:
        out["@iot.count"] = count
    out["value"] = [
        render(store, selection.entity, row, base, options) for row in rows[: options.top]
    ]
    if more:
        out["@iot.nextLink"] = _next_link(link, options, raw)
    return out


def single(store: TwinStore, selection: Selection, base: str, options: Options) -> dict[str, Any]:
    """One entity, or ``UnknownFeatureError`` (404) when it does not exist or is not visible."""
    from twin.errors import UnknownFeatureError

    if options.top == 0:
        raise InvalidRequestError("$top=0 makes no sense for a single entity")
    rows, _ = fetch(store, selection, Options(top=1, expand=options.expand, select=options.select))
    if not rows:
        raise UnknownFeatureError(f"no such {selection.entity.name} entity")
    return render(store, selection.entity, rows[0], base, options)
