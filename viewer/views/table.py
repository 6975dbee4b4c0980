"""The touch table ``/{slug}/table``: a full-screen kiosk for on-site participation events.

A large multi-touch screen lying flat, people standing on two sides: the page has one
control panel per side (the far one turned around), each with its own drawing session,
so several people draw, pick categories and try "what if" measures at once without
waiting for each other. Contributions are sent with ``source="touch-table"`` and the
event's id (``?event=ID``, one of the ``[participation]`` events; without it the event
happening today, if any) and moderated like web contributions. The "what if" palette
(park, row of trees, unsealed square) runs the heat and land-use processes on the
drawn edits. After ``?reset=SECONDS`` (default 180) without a touch the table clears
every draft and returns to the start view, with a countdown for the last 10 seconds.

Everyone may open it (:data:`twin.access.VIEW_ROLES`); it shows public layers only and
has no views bar, so a kiosk does not lead visitors elsewhere.
"""

from __future__ import annotations

import datetime
from typing import Final

from fastapi import APIRouter, Request
from starlette.responses import Response

from twin.config import Classification, ParticipationConfig, ParticipationEvent
from twin.errors import InvalidRequestError
from twin.participation import check_event
from viewer.bundle_assets import COMMAND as BUNDLE_COMMAND
from viewer.deps import TwinViewDep
from viewer.templating import render
from viewer.views.map_config import map_config
from viewer.views.participation_config import (
    CITIZEN_TEXT_KEYS,
    TABLE_TEXT_KEYS,
    indicator_config,
    participation_config,
    processes_config,
    texts,
    without_live_layer,
)

router = APIRouter(tags=["pages"], include_in_schema=False)

RESET_DEFAULT_S: Final = 180
RESET_RANGE_S: Final = (3, 86_400)
SIDES: Final = (1, 2)
"""Control panels: 1 at the near edge, 2 at the far edge (turned by 180°)."""
WHATIF_SIZES_M: Final = {"park": 80.0, "trees": 100.0, "unseal": 50.0}
"""Size of the shape a single tap drops: park and square edge, length of the tree row."""


def reset_seconds(value: str | None) -> int:
    """The inactivity reset from ``?reset=`` (seconds), checked; 180 without one."""
    if value is None or value == "":
        return RESET_DEFAULT_S
    low, high = RESET_RANGE_S
    try:
        seconds = int(value)
    except ValueError:
        seconds = -1
    if not low <= seconds <= high:
        raise InvalidRequestError(
            f"reset: {value!r} is not a number of seconds from {low} to {high}",
            hint=f"Leave it out for {RESET_DEFAULT_S} s, e.g. /SLUG/table?reset=300.",
        )
    return seconds


def table_event(
    participation: ParticipationConfig, event: str | None, *, today: datetime.date | None = None
) -> ParticipationEvent | None:
    """The event of ``?event=`` (checked), or else the one configured for ``today``, or None."""
    if event:
        found = participation.event(check_event(participation, event))
        assert found is not None
        return found
    day = today or datetime.date.today()
    running = [e for e in participation.events if e.start and e.start <= day <= (e.end or e.start)]
    return running[0] if len(running) == 1 else None


@router.get("/{slug}/table", name="table_view")
def table_view(
    request: Request, twin: TwinViewDep, event: str | None = None, reset: str | None = None
) -> Response:
    """The touch table of a municipality (kiosk mode, public layers only)."""
    chosen = table_event(twin.config.participation, event)
    config = without_live_layer(map_config(request, twin, {Classification.PUBLIC}))
    config["texts"] = {
        lang: config["texts"][lang] | extra
        for lang, extra in texts(CITIZEN_TEXT_KEYS, TABLE_TEXT_KEYS).items()
    }
    config |= {
        "participation": participation_config(request, twin, event=chosen),
        "indicators": indicator_config(),
        "table": {
            "reset_s": reset_seconds(reset),
            "warning_s": 10,
            "processes": processes_config(request, twin),
            "sizes_m": WHATIF_SIZES_M,
        },
    }
    context = {
        "twin": twin.record,
        "config": config,
        "sides": SIDES,
        "event": chosen,
        "bundle_command": BUNDLE_COMMAND,
    }
    return render(request, "table.html", context)
