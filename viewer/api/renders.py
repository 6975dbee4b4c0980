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

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, Response

from scenarios.model import Scenario, base_state
from twin.config import Classification, Lang, LayerKind, MunicipalityConfig
from twin.errors import PermissionDeniedError, UnknownLayerError
from viewer.api.http_cache import GeneratedFile, serve_generated
from viewer.api.scenario_documents import (
    FileRequest,
    FileRequestDep,
    ScenarioVersionDep,
    published,
)
from viewer.api.scenarios import Caller, CallerDep
from viewer.render3d import View, cached_render, parse_size, render_folder, render_path

router = APIRouter(tags=["renders"], default_response_class=FileResponse)

MEDIA_TYPES = {"png": "image/png", "glb": "model/gltf-binary"}
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


def png_view(
    caller: CallerDep,
    heat: HeatQuery = False,
    lang: LangQuery = "de",
    size: SizeQuery = "1280x720",
    dem: DemQuery = None,
) -> View:
    """The picture the query asks for (a dependency: the base and the scenario route share it)."""
    return View("png", parse_size(size), lang, heat, _terrain(caller, dem))


def glb_view(caller: CallerDep, heat: HeatQuery = False, dem: DemQuery = None) -> View:
    """The model the query asks for (a glTF has no pixels and no labels)."""
    return View("glb", heat=heat, dem=_terrain(caller, dem))


PngViewDep = Annotated[View, Depends(png_view)]
GlbViewDep = Annotated[View, Depends(glb_view)]


SCENE_KINDS = (LayerKind.LANDUSE, LayerKind.BUILDINGS, LayerKind.TREES)
"""The layers a render draws: the first of each kind, as :func:`scenarios.twin_layers.twin_layers` takes them."""


def _require_public_scene(config: MunicipalityConfig) -> None:
    """Refuse to render where a drawn layer is not public.

    A render is one file for everyone, kept by shared caches like the terrain it may
    show (:func:`_terrain`); a building or tree layer classified above ``public`` would
    leak through it, even as raw geometry in a glTF.
    """
    drawn: dict[LayerKind, str] = {}
    for layer in config.layers:
        if layer.kind in SCENE_KINDS and layer.kind not in drawn:
            drawn[layer.kind] = layer.name
            if layer.classification != Classification.PUBLIC:
                raise PermissionDeniedError(
                    f"a 3D render would show the layer {layer.name!r}, which is classified "
                    f"{layer.classification.value!r}",
                    hint="Renders are shared as public files and draw public layers only.",
                )


def _respond(asked: FileRequest, scenario: Scenario | None, view: View) -> Response:
    """The cached render (made now if missing), or 304 if the client has it."""
    store, config = asked.caller.book.store, asked.caller.book.config
    _require_public_scene(config)
    folder = render_folder(asked.workspace, asked.slug)
    path = render_path(folder, base_state(config, store), scenario, view)
    file = GeneratedFile(
        path,
        etag=path.stem,
        media_type=MEDIA_TYPES[view.fmt],
        filename=asked.file_name(scenario, view.fmt),
        public=published(scenario),
        vary="Authorization",
    )
    make = partial(cached_render, store, config, folder, scenario, view)
    return serve_generated(asked.request, file, make)


@router.get("/{slug}/api/render.png", summary="3D picture of the municipality")
def base_png(asked: FileRequestDep, view: PngViewDep) -> Response:
    """The municipality as it is, seen obliquely, as PNG."""
    return _respond(asked, None, view)


@router.get("/{slug}/api/render.glb", summary="3D model of the municipality (glTF)")
def base_glb(asked: FileRequestDep, view: GlbViewDep) -> Response:
    """The municipality as it is, as binary glTF (y up, metres from the model's origin)."""
    return _respond(asked, None, view)


@router.get("/{slug}/api/scenarios/{scenario_id}/render.png", summary="3D picture of a scenario")
def scenario_png(asked: FileRequestDep, scenario: ScenarioVersionDep, view: PngViewDep) -> Response:
    """A scenario version with its changes highlighted, seen obliquely at its edits, as PNG."""
    return _respond(asked, scenario, view)


@router.get(
    "/{slug}/api/scenarios/{scenario_id}/render.glb", summary="3D model of a scenario (glTF)"
)
def scenario_glb(asked: FileRequestDep, scenario: ScenarioVersionDep, view: GlbViewDep) -> Response:
    """A scenario version with its changes highlighted, as binary glTF."""
    return _respond(asked, scenario, view)
