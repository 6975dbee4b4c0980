"""The web server: one FastAPI app serving every municipality of a workspace.

:func:`create_app` only wires things together (routers, static files, the error
handler); each API lives in its own router module. Run it with uvicorn's factory mode,
which reads the workspace from the ``TWIN_WORKSPACE`` setting::

    uvicorn --factory viewer.app:app_from_settings
"""

from __future__ import annotations

import gc
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from scenarios.runner import JobRunner, ProcessingError
from twin.errors import TwinError
from twin.settings import get_settings
from twin.workspace import Workspace
from viewer.api import admin as admin_api
from viewer.api import (
    collections,
    contributions,
    features,
    ogc_common,
    processes,
    renders,
    scenario_documents,
    scenarios,
)
from viewer.api.http_cache import PageCache
from viewer.api.request_body import check_json_body
from viewer.api.sensorthings import routes as sensorthings
from viewer.exceptions import http_error_handler, twin_error_handler
from viewer.views import admin as admin_view
from viewer.views import council, login, pages, table

STATIC_DIR = Path(__file__).parent / "static"


def create_app(workspace: Workspace) -> FastAPI:
    """Build the app for ``workspace`` (read through :func:`viewer.deps.get_workspace`)."""
    app = FastAPI(
        title="Urban twin",
        summary="Digital twins of municipalities: OGC API Features, maps and views",
        version="0.1.0",
        dependencies=[Depends(check_json_body)],
    )
    app.state.workspace = workspace
    app.state.jobs = JobRunner()
    app.state.pages = PageCache()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(TwinError, twin_error_handler)
    app.add_exception_handler(ProcessingError, processes.processing_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.include_router(ogc_common.router)
    app.include_router(collections.router)
    app.include_router(features.router)
    app.include_router(processes.router)
    app.include_router(scenarios.router)
    app.include_router(contributions.router)
    app.include_router(renders.router)
    app.include_router(scenario_documents.router)
    app.include_router(admin_api.router)
    app.include_router(sensorthings.router)
    app.include_router(login.router)
    app.include_router(council.router)
    app.include_router(admin_view.router)
    app.include_router(table.router)
    app.include_router(pages.router)
    return app


def freeze_startup_objects() -> None:
    """Keep the garbage collector away from what the server has loaded so far.

    Imported libraries, routes and templates are some 270,000 objects that live as long
    as the server; a full collection walks them all (about 150 ms, in which no request
    is answered: it was most of the slowest answers under load). Frozen, a collection
    only walks what requests have allocated since. Call it once the app is built.
    """
    gc.collect()
    gc.freeze()


def app_from_settings() -> FastAPI:
    """App factory for uvicorn: the workspace comes from the settings (``TWIN_WORKSPACE``)."""
    app = create_app(Workspace(get_settings().workspace))
    freeze_startup_objects()
    return app
