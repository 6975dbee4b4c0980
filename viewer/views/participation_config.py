"""What the citizen view's and the touch table's scripts need beyond the map.

Both pages embed one JSON config (see :func:`viewer.views.map_config.map_config`); this
module adds the parts of the issue's citizen scope: where the APIs are (SensorThings,
scenarios, contributions, processes), the contribution categories of the municipality's
``[participation]`` section, whether the caller takes part at all (the council and the
administration read and moderate, they do not submit), how each land-use indicator is
judged (for the plain-language cards) and the BauNVO area types (to draw designated
areas), and the texts of both languages.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.requests import Request

from layers.sensors.qa import QAFlag
from scenarios.baunvo import AREA_TYPES
from scenarios.landuse import INDICATORS
from twin.access import PARTICIPANTS
from twin.config import ParticipationEvent
from twin.fusion import LIVE_LAYER
from viewer.deps import TwinView
from viewer.negotiation import LANGUAGES
from viewer.texts import TEXTS

CITIZEN_TEXT_KEYS: Final = (
    "loading",
    *(f"qa_{flag.value}" for flag in QAFlag),
    "qa_unknown",
    "sensor_no_history",
    "sensor_chart_label",
    "sensor_value",
    "sensor_time",
    "sensor_quality",
    "sensor_history",
    "sensor_failed",
    "state_pending",
    "state_hidden",
    "contributions_none",
    "contributions_failed",
    "votes",
    "vote_up",
    "vote_down",
    "comments",
    "comment_label",
    "comment_send",
    "comment_sent",
    "scenario_ref",
    "category_choose",
    "draw_start",
    "draw_done",
    "draw_hint_point",
    "draw_hint_line",
    "draw_hint_polygon",
    "missing_geometry",
    "missing_category",
    "missing_title",
    "form_incomplete",
    "contribution_sent",
    "contribution_failed",
    "compare_value",
    "compare_after",
    "scenarios_none",
    "scenario_failed",
    "card_good",
    "card_bad",
    "card_residents",
    "card_dwellings",
    "card_jobs",
    "card_trees",
    "card_sealed_more",
    "card_sealed_less",
    "card_land_take",
    "card_green",
    "card_green_per_resident",
    "card_green_walk",
    "card_heat_cooler",
    "card_heat_warmer",
    "card_heat_district",
    "card_heat_none",
    "card_nothing",
    # texts of the page itself, switched in place (data-text)
    "sections_label",
    "tab_map",
    "tab_sensors",
    "tab_scenarios",
    "tab_participate",
    "sensors_title",
    "sensors_intro",
    "scenarios_title",
    "indicators_title",
    "compare_toggle",
    "compare_before",
    "compare_label",
    "compare_close",
    "contribute_title",
    "draw_where",
    "draw_point",
    "draw_line",
    "draw_polygon",
    "draw_centre",
    "draw_undo",
    "draw_finish",
    "category",
    "title_label",
    "text_label",
    "scenario_optional",
    "submit",
    "participate_role",
    "contributions_title",
    "moderation_note",
)
"""Texts the citizen scripts use, in addition to the map's."""

TABLE_TEXT_KEYS: Final = (
    "table_title",
    "table_side",
    "table_contribute",
    "table_whatif",
    "table_no_event",
    "table_sent",
    "table_clear",
    "table_draw_point",
    "table_draw_line",
    "table_draw_polygon",
    "whatif_park",
    "whatif_trees",
    "whatif_unseal",
    "whatif_hint_park",
    "whatif_hint_trees",
    "whatif_hint_unseal",
    "whatif_running",
    "whatif_failed",
    "whatif_time",
    "whatif_reset",
    "whatif_intro",
    "reset_warning",
)
"""Texts the touch table's script uses, in addition to the citizen ones."""

INDICATOR_KEYS: Final = (
    "residents",
    "dwellings",
    "jobs",
    "trees",
    "sealed_ha",
    "land_take_ha",
    "green_ha",
    "green_per_resident_m2",
    "green_walk_share",
)
"""The land-use indicators that get a plain-language card."""


def texts(*groups: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """The texts of ``groups`` of keys in both languages."""
    return {
        lang: {key: TEXTS[lang][key] for group in groups for key in group} for lang in LANGUAGES
    }


def api_base(request: Request, twin: TwinView) -> str:
    """The municipality's URL (``…/slug/``); its APIs hang off it."""
    return str(request.url_for("citizen_view", slug=twin.record.slug))


def participation_config(
    request: Request, twin: TwinView, *, event: ParticipationEvent | None = None
) -> dict[str, Any]:
    """Contribution API, categories, whether the caller takes part, and the event if any."""
    participation = twin.config.participation
    return {
        "api": f"{api_base(request, twin)}api/contributions",
        "categories": [
            {"id": c.id, "label": c.label.model_dump()} for c in participation.categories
        ],
        "may_participate": twin.principal.role in PARTICIPANTS,
        "event": None
        if event is None
        else {"id": event.id, "title": event.title.model_dump(), "place": event.place},
    }


def indicator_config() -> dict[str, dict[str, Any]]:
    """How each carded indicator is judged and shown (``better``: higher, lower or '')."""
    return {
        key: {"better": INDICATORS[key].better, "digits": INDICATORS[key].digits}
        for key in INDICATOR_KEYS
    }


def processes_config(request: Request, twin: TwinView) -> dict[str, str]:
    """Execution URLs of the processes the pages run (heat and land-use "what if")."""
    base = api_base(request, twin)
    return {
        "heat": f"{base}ogc/processes/heat-scenario/execution",
        "landuse": f"{base}ogc/processes/landuse-indicators/execution",
    }


def without_live_layer(config: dict[str, Any]) -> dict[str, Any]:
    """The map config without the live-state layer: the sensor markers show it, with history."""
    return config | {"layers": [layer for layer in config["layers"] if layer["id"] != LIVE_LAYER]}


def citizen_config(request: Request, twin: TwinView) -> dict[str, Any]:
    """The citizen view's part of the page config: sensors, scenarios, area types."""
    base = api_base(request, twin)
    return {
        "sta": f"{base}sta/v1.1/",
        "scenarios": f"{base}api/scenarios",
        "processes": processes_config(request, twin),
        "area_types": {
            code: {
                "landuse": area.landuse,
                "building_use": area.building_use,
                "grz": area.grz,
                "gfz": area.gfz,
                "label": {"de": area.name_de, "en": area.name_en},
            }
            for code, area in AREA_TYPES.items()
        },
    }
