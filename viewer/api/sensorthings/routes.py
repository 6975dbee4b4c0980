"""SensorThings API v1.1 endpoints at ``/{slug}/sta/v1.1/`` (read part of OGC 18-088).

The write side (POST, PATCH, DELETE, CreateObservations) is in :mod:`.write`; its routes
are included here and differ from the catch-all GET by method, so their order is free.

One catch-all route resolves any resource path (``Things``, ``Things(1)``,
``Things(1)/Datastreams``, ``Datastreams(1)/Observations``, ``Things(1)/name/$value``)
through the entity table, so the API stays small and every path is checked the same way.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from twin.access import sensor_classifications
from twin.errors import UnknownFeatureError
from viewer.api.sensorthings import write
from viewer.api.sensorthings.entities import ENTITIES
from viewer.api.sensorthings.query import Options, parse_options, resolve_path
from viewer.api.sensorthings.read import collection, fetch, single
from viewer.deps import TwinViewDep

router = APIRouter(prefix="/{slug}/sta/v1.1", tags=["SensorThings API"])

CONFORMANCE = [
    "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/create-update-delete",
]


def _base(request: Request, slug: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/{slug}/sta/v1.1"


@router.get("/", summary="Service root: the entity sets and the server's conformance")
def service_root(request: Request, twin: TwinViewDep) -> dict[str, Any]:
    """List the entity sets (OGC 18-088, 9.2.1)."""
    base = _base(request, twin.record.slug)
    return {
        "value": [{"name": name, "url": f"{base}/{name}"} for name in ENTITIES],
        "serverSettings": {"conformance": CONFORMANCE},
    }


@router.get("/{path:path}", summary="Entities, single entities, navigation and properties")
def resource(request: Request, twin: TwinViewDep, path: str) -> Response:
    """Answer any resource path with the system query options of OGC 18-088, 9.3.

    The caller sees the datastreams their role may read, and what hangs off them.
    """
    target = resolve_path(path, sensor_classifications(twin.principal))
    raw = dict(request.query_params)
    options = parse_options(raw, target.selection.entity)
    base = _base(request, twin.record.slug)
    if target.property is not None:
        rows, _ = fetch(twin.store, target.selection, Options(top=1))
        if not rows:
            raise UnknownFeatureError(f"no such {target.selection.entity.name} entity")
        entity = target.selection.entity
        value = rows[0][target.property]
        if target.property in entity.json_properties and value is not None:
            value = json.loads(value)
        if target.raw_value:
            return PlainTextResponse("" if value is None else str(value))
        return JSONResponse({target.property: value})
    if target.selection.single:
        return JSONResponse(single(twin.store, target.selection, base, options))
    link = f"{base}/{'/'.join(target.parts)}"
    return JSONResponse(collection(twin.store, target.selection, base, options, link=link, raw=raw))


router.include_router(write.router)
