"""HTML pages for people: the portal of all municipalities and a municipality's map.

The map page is a shell: the browser script (``static/twin-map.js``) fetches the public
layers from the OGC API and draws them with MapLibre GL. The page embeds what the script
needs to know (layers, titles, legend, texts in both languages) as JSON.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.responses import Response

from twin.errors import TwinError
from viewer.bundle_assets import COMMAND as BUNDLE_COMMAND
from viewer.deps import PublicTwinDep, WorkspaceDep
from viewer.templating import render
from viewer.views.map_config import map_config

logger = logging.getLogger(__name__)

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/", name="portal")
def portal(request: Request, workspace: WorkspaceDep) -> Response:
    """List the municipalities of the workspace with links to their map and API."""
    municipalities = []
    for slug in workspace.slugs():
        try:
            municipalities.append(workspace.config(slug, check_files=False))
        except TwinError as err:
            logger.warning("municipality %r is left out of the portal: %s", slug, err)
    return render(request, "portal.html", {"municipalities": municipalities})


@router.get("/{slug}/", name="citizen_view")
def citizen_view(request: Request, twin: PublicTwinDep) -> Response:
    """Full-screen 3D map of the municipality's public layers."""
    context = {
        "twin": twin.record,
        "config": map_config(request, twin),
        "bundle_command": BUNDLE_COMMAND,
    }
    return render(request, "map.html", context)
