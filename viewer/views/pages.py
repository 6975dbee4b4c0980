"""HTML pages for people: the portal of all municipalities and a municipality's citizen view.

The citizen view is a shell: its scripts (``static/twin-map.js`` and the ``citizen-*.js``
modules) fetch the public layers from the OGC API, sensor values from the SensorThings
API, published scenarios and contributions from the JSON API, and draw them with
MapLibre GL. The page embeds what they need to know (layers, legend, API addresses,
categories, texts in both languages) as JSON.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from starlette.responses import Response

from twin.access import View
from twin.config import Classification
from twin.errors import TwinError
from viewer.bundle_assets import COMMAND as BUNDLE_COMMAND
from viewer.deps import TwinViewDep, WorkspaceDep
from viewer.templating import render
from viewer.views.frame import view_bar
from viewer.views.map_config import map_config
from viewer.views.participation_config import (
    CITIZEN_TEXT_KEYS,
    citizen_config,
    indicator_config,
    participation_config,
    texts,
    without_live_layer,
)

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
def citizen_view(request: Request, twin: TwinViewDep) -> Response:
    """The citizens' twin: public layers in 3D, live sensors, published scenarios, participation.

    Public layers only, whoever is logged in (a view is a policy of its own); the scripts
    read sensors, scenarios and contributions from the APIs as this caller.
    """
    config = without_live_layer(map_config(request, twin, {Classification.PUBLIC}))
    config["texts"] = {
        lang: config["texts"][lang] | extra for lang, extra in texts(CITIZEN_TEXT_KEYS).items()
    }
    config |= {
        "citizen": citizen_config(request, twin),
        "participation": participation_config(request, twin),
        "indicators": indicator_config(),
    }
    context = {
        "twin": twin.record,
        "config": config,
        "citizen": True,
        "bar": view_bar(request, twin, View.CITIZEN),
        "bundle_command": BUNDLE_COMMAND,
    }
    return render(request, "map.html", context)
