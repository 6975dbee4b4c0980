"""3D renders over HTTP: the municipality and its scenarios as PNG pictures and glTF models.

``/{slug}/api/render.png`` (and ``.glb``) shows the base state,
``/{slug}/api/scenarios/{id}/render.png`` (and ``.glb``) a scenario version with its
changes highlighted (:mod:`viewer.render3d`). A scenario is checked exactly as the
scenario API checks a read: one the caller may not see answers 404 like a missing one.

Rendering is CPU work, so the routes are plain functions, which FastAPI runs in its
threadpool. Each render is a cached file whose name is its ETag: a client that sends it
back in ``If-None-Match`` gets 304 without a render, and a new scenario version or a
re-import changes the name. ``no-cache`` makes browsers ask each time, because the newest
version of a scenario can change under the same URL.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response

from scenarios.model import Scenario
from twin.access import ANONYMOUS, may_read_scenario
from twin.config import Classification, Lang
from twin.errors import UnknownLayerError
from twin.workspace import Workspace
from viewer.api.http_cache import etag_matches
from viewer.api.scenarios import Caller, CallerDep, visible_scenario
from viewer.deps import WorkspaceDep
from viewer.render3d import View, cached_render, parse_size, render_folder, render_path

router = APIRouter(tags=["renders"])

MEDIA_TYPES = {"png": "image/png", "glb": "model/gltf-binary"}
VersionQuery = Annotated[
    int | None, Query(ge=1, description="Scenario version [default: the newest].")
]
HeatQuery = Annotated[
    bool, Query(description="Drape the heat map: air temperature, or the scenario's change.")
]
LangQuery = Annotated[Lang, Query(description="Language of the colour bar and the legend.")]
SizeQuery = Annotated[str, Query(description="Picture size in pixels, WIDTHxHEIGHT.")]
DemQuery = Annotated[
    str | None,
    Query(description="Public raster layer with terrain heights, e.g. dem [default: flat]."),
]


def _terrain(caller: Caller, dem: str | None) -> str | None:
    """The terrain layer to use: only a public raster (any other answers like a missing one)."""
    if dem is None:
        return None
    try:
        entry = caller.book.store.layer(dem)
    except UnknownLayerError:
        entry = None
    if entry is None or entry.storage != "raster" or entry.classification != Classification.PUBLIC:
        raise UnknownLayerError(
            f"there is no public raster layer {dem!r}", hint="Leave out dem for flat ground."
        )
    return dem


def _respond(
    request: Request,
    caller: Caller,
    workspace: Workspace,
    slug: str,
    scenario: Scenario | None,
    view: View,
) -> Response:
    """The cached render (made now if missing), or 304 if the client has it."""
    store, config = caller.book.store, caller.book.config
    folder = render_folder(workspace, slug)
    path = render_path(store, config, folder, scenario, view)
    public = scenario is None or may_read_scenario(ANONYMOUS, scenario.record.status)
    headers = {
        "ETag": f'"{path.stem}"',
        "Cache-Control": f"{'public' if public else 'private'}, no-cache",
        "Vary": "Authorization",
    }
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    cached_render(store, config, folder, scenario, view)
    name = f"{slug}-{scenario.ref.replace('@', '-v') if scenario else 'base'}.{view.fmt}"
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[view.fmt],
        headers=headers,
        filename=name,
        content_disposition_type="inline",
    )


@router.get(
    "/{slug}/api/render.png", summary="3D picture of the municipality", response_class=FileResponse
)
def base_png(
    slug: str,
    request: Request,
    caller: CallerDep,
    workspace: WorkspaceDep,
    heat: HeatQuery = False,
    lang: LangQuery = "de",
    size: SizeQuery = "1280x720",
    dem: DemQuery = None,
) -> Response:
    """The municipality as it is, seen obliquely, as PNG."""
    view = View("png", parse_size(size), lang, heat, _terrain(caller, dem))
    return _respond(request, caller, workspace, slug, None, view)


@router.get(
    "/{slug}/api/render.glb",
    summary="3D model of the municipality (glTF)",
    response_class=FileResponse,
)
def base_glb(
    slug: str,
    request: Request,
    caller: CallerDep,
    workspace: WorkspaceDep,
    heat: HeatQuery = False,
    dem: DemQuery = None,
) -> Response:
    """The municipality as it is, as binary glTF (y up, metres from the model's origin)."""
    view = View("glb", heat=heat, dem=_terrain(caller, dem))
    return _respond(request, caller, workspace, slug, None, view)


@router.get(
    "/{slug}/api/scenarios/{scenario_id}/render.png",
    summary="3D picture of a scenario",
    response_class=FileResponse,
)
def scenario_png(
    slug: str,
    scenario_id: str,
    request: Request,
    caller: CallerDep,
    workspace: WorkspaceDep,
    version: VersionQuery = None,
    heat: HeatQuery = False,
    lang: LangQuery = "de",
    size: SizeQuery = "1280x720",
    dem: DemQuery = None,
) -> Response:
    """A scenario version with its changes highlighted, seen obliquely at its edits, as PNG."""
    scenario = visible_scenario(caller, scenario_id, version)
    view = View("png", parse_size(size), lang, heat, _terrain(caller, dem))
    return _respond(request, caller, workspace, slug, scenario, view)


@router.get(
    "/{slug}/api/scenarios/{scenario_id}/render.glb",
    summary="3D model of a scenario (glTF)",
    response_class=FileResponse,
)
def scenario_glb(
    slug: str,
    scenario_id: str,
    request: Request,
    caller: CallerDep,
    workspace: WorkspaceDep,
    version: VersionQuery = None,
    heat: HeatQuery = False,
    dem: DemQuery = None,
) -> Response:
    """A scenario version with its changes highlighted, as binary glTF."""
    scenario = visible_scenario(caller, scenario_id, version)
    view = View("glb", heat=heat, dem=_terrain(caller, dem))
    return _respond(request, caller, workspace, slug, scenario, view)
