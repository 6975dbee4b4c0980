"""The council view (Ratszwilling): the scenarios under deliberation side by side, read-only.

Council members read this page before a vote, on screen or printed. For the scenarios
they choose (``?ids=a,b``, ``ID@VERSION`` for an older version; by default every scenario
under deliberation) it shows the indicator table of :func:`scenarios.compare.compare`
with base value, value, change and the traffic light in words, the § 17 BauNVO findings,
each scenario's change map, heat difference map and 3D render, the versions and their
authors, and links to the decision brief. Published scenarios are offered as context,
marked as such; drafts never appear, not even for the administration, since they are not
before the council.

The land-use numbers are computed for the page (about 0.1 s per scenario on Musterstadt,
incremental on a cached :class:`~scenarios.landuse.LandUseTwin`). The heat model needs
about 0.5 s more the first time after a start or re-import, so its rows are filled in
after the page has loaded, by ``static/council.js`` from :func:`council_heat` (without
JavaScript, a link asks for the page with ``heat=1``, computed on the server). Maps and
renders are images loaded lazily from :mod:`viewer.api.scenario_documents` and
:mod:`viewer.api.renders`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from scenarios.baunvo import AREA_TYPES
from scenarios.compare import HEAT_INDICATORS, Comparison, compare
from scenarios.landuse import FLOOR_USES, INDICATORS, cached_landuse_twin
from scenarios.model import Scenario, ScenarioBook, Status, parse_ref, summary
from twin.access import View, may_read_scenario
from twin.store._scenarios import ScenarioRecord
from viewer.api.scenario_documents import heat_model
from viewer.api.scenarios import Caller
from viewer.deps import TwinView, TwinViewDep
from viewer.negotiation import Lang, language
from viewer.templating import render
from viewer.texts import TEXTS
from viewer.views.frame import refuse, view_bar

router = APIRouter(tags=["pages"], include_in_schema=False)

#: What the council sees: scenarios before it, and published ones as context.
COUNCIL_STATUSES: Final = (Status.UNDER_DELIBERATION, Status.PUBLISHED)
#: The indicator table's groups, in order (indicators of no group come last, as "other").
GROUPS: Final[dict[str, tuple[str, ...]]] = {
    "land": ("area_ha", "suv_ha", "land_take_ha", "land_take_outer_ha", "land_take_years"),
    "sealing": ("sealed_ha", "sealing_share"),
    "housing": (
        "dwellings",
        "residents",
        "jobs",
        "floor_area_m2",
        *(f"floor_{use}_m2" for use in FLOOR_USES),
        "gfz",
        "residents_per_ha",
    ),
    "green": ("green_ha", "green_per_resident_m2", "green_access_share", "green_walk_share"),
    "trees": ("trees", "canopy_ha"),
    "heat": tuple(HEAT_INDICATORS),
}
#: Rows shown indented, as parts of the row above them.
SUB_ROWS: Final = frozenset({"land_take_outer_ha", *(f"floor_{use}_m2" for use in FLOOR_USES)})
#: The changes a scenario card names in a few words, before the full table.
KEY_FIGURES: Final = ("land_take_ha", "sealed_ha", "dwellings", "residents", "green_ha", "trees")


def format_number(value: float | None, digits: int, lang: Lang, *, signed: bool = False) -> str:
    """A number as people read it: German ``1.234,5`` or English ``1,234.5``; ``–`` for none.

    >>> format_number(-1234.56, 1, "de", signed=True), format_number(0.004, 2, "en")
    ('−1.234,6', '0.00')
    """
    if value is None or not math.isfinite(value):
        return "–"
    if round(value, digits) == 0:  # no "-0.00" or "+0.0" for nothing
        text = f"{0:.{digits}f}"
    else:
        text = f"{value:+,.{digits}f}" if signed else f"{value:,.{digits}f}"
    if lang == "de":
        text = text.translate(str.maketrans(",.", ".,"))
    return text.replace("-", "−")


def council_scenarios(twin: TwinView) -> list[ScenarioRecord]:
    """Scenarios under deliberation, then published ones, that the caller may see."""
    records = [
        r
        for r in twin.store.scenarios()
        if r.status in COUNCIL_STATUSES and may_read_scenario(twin.principal, r.status)
    ]
    return sorted(records, key=lambda r: (COUNCIL_STATUSES.index(Status(r.status)), r.title))


def chosen_refs(
    asked: list[str] | None, listed: list[ScenarioRecord]
) -> tuple[list[str], list[str]]:
    """The references to compare, and the asked ones that are not listed (ignored).

    ``asked`` holds ``ids`` parameters, each one reference or several separated by commas;
    without any, every scenario under deliberation is compared.
    """
    if asked is None:
        return [r.id for r in listed if r.status == Status.UNDER_DELIBERATION], []
    known = {r.id for r in listed}
    refs: list[str] = []
    ignored: list[str] = []
    for ref in (part.strip() for value in asked for part in value.split(",")):
        if not ref:
            continue
        scenario_id, _ = parse_ref(ref)
        target = refs if scenario_id in known else ignored
        if ref not in target:
            target.append(ref)
    return refs, ignored


def _light_text(light: str, lang: Lang) -> str:
    return TEXTS[lang][f"council_light_{light}"] if light else ""


def indicator_rows(comparison: Comparison, names: list[str], lang: Lang) -> list[dict[str, Any]]:
    """Table rows of ``names``: label, unit, base and each scenario's value, change and light."""
    rows = []
    for key in names:
        info = comparison.indicators[key]
        cells = []
        for scenario in comparison.scenarios:
            ref = scenario.ref
            value = float(comparison.values.at[key, ref])
            change = float(comparison.changes.at[key, ref])
            light = str(comparison.lights.at[key, ref])
            cells.append(
                {
                    "ref": ref,
                    "value": format_number(value, info.digits, lang),
                    "change": format_number(change, info.digits, lang, signed=True),
                    "raw_value": value if math.isfinite(value) else None,
                    "raw_change": change if math.isfinite(change) else None,
                    "light": light,
                    "light_text": _light_text(light, lang),
                }
            )
        base = float(comparison.base[key])
        rows.append(
            {
                "key": key,
                "label": info.de if lang == "de" else info.en,
                "unit": info.unit,
                "base": format_number(base, info.digits, lang),
                "raw_base": base if math.isfinite(base) else None,
                "sub": key in SUB_ROWS,
                "cells": cells,
            }
        )
    return rows


def _groups(comparison: Comparison, lang: Lang, *, heat: bool) -> list[dict[str, Any]]:
    """The table's groups; the heat group's rows are placeholders unless ``heat``."""
    texts = TEXTS[lang]
    grouped = {name for names in GROUPS.values() for name in names}
    layout = {**GROUPS, "other": tuple(n for n in INDICATORS if n not in grouped)}
    groups = []
    for group, names in layout.items():
        if group == "heat" and not heat:
            rows = _heat_placeholders(comparison, lang)
        else:
            rows = indicator_rows(
                comparison, [n for n in names if n in comparison.indicators], lang
            )
        if rows:
            groups.append({"id": group, "label": texts[f"council_group_{group}"], "rows": rows})
    return groups


def _heat_placeholders(comparison: Comparison, lang: Lang) -> list[dict[str, Any]]:
    empty = {"value": "…", "change": "…", "light": "", "light_text": ""}
    return [
        {
            "key": key,
            "label": info.de if lang == "de" else info.en,
            "unit": info.unit,
            "base": "…",
            "sub": False,
            "cells": [empty | {"ref": s.ref} for s in comparison.scenarios],
        }
        for key, info in HEAT_INDICATORS.items()
    ]


def _card(twin: TwinView, scenario: Scenario, comparison: Comparison, lang: Lang) -> dict[str, Any]:
    """What the page says about one scenario: versions, status, key figures, edits."""
    store, record = twin.store, scenario.record
    history = store.scenario_history(record.id)
    since = next((e.at for e in reversed(history) if e.status == record.status), "")
    key_figures = []
    for key in KEY_FIGURES:
        info = comparison.indicators[key]
        change = float(comparison.changes.at[key, scenario.ref])
        if math.isfinite(change) and round(change, info.digits) != 0:
            text = format_number(change, info.digits, lang, signed=True)
            label = info.de if lang == "de" else info.en
            key_figures.append(f"{label}: {text} {info.unit}".strip())
    return {
        "scenario": scenario,
        "anchor": scenario.ref.replace("@", "-v"),
        "api": f"/{twin.record.slug}/api/scenarios/{record.id}",  # documents and renders
        "versions": store.scenario_versions(record.id),
        "since": since,
        "key_figures": key_figures,
        "edits": [summary(edit) for edit in scenario.edits],
        "checks": [
            {
                "check": check,
                "area_name": _area_name(check.area_type, lang),
                "grz": format_number(check.grz, 2, lang),
                "gfz": format_number(check.gfz, 2, lang),
                "area_ha": format_number(check.area_ha, 2, lang),
            }
            for check in comparison.designations[scenario.ref]
        ],
    }


def _targets(comparison: Comparison, lang: Lang) -> list[dict[str, str]]:
    """The targets behind the traffic lights, in words and numbers."""
    targets = []
    for name, target in comparison.targets.items():
        info = comparison.indicators.get(name)
        if info is not None:
            targets.append(
                {
                    "label": info.de if lang == "de" else info.en,
                    "unit": info.unit,
                    "good": format_number(target.good, info.digits, lang),
                    "bad": format_number(target.bad, info.digits, lang),
                }
            )
    return targets


def _area_name(code: str, lang: Lang) -> str:
    area = AREA_TYPES.get(code)
    if area is None:
        return code
    return f"{area.name_de if lang == 'de' else area.name_en} ({code})"


def _compared(
    twin: TwinView, refs: list[str], *, heat: bool
) -> tuple[list[Scenario], Comparison | None]:
    book = ScenarioBook(twin.store, twin.config)
    scenarios = [book.load(ref) for ref in refs]
    if not scenarios:
        return [], None
    model = heat_model(Caller(book, twin.principal)) if heat else None
    landuse = cached_landuse_twin(twin.store, twin.config)
    return scenarios, compare(landuse, scenarios, targets=twin.config.landuse.targets, heat=model)


IdsQuery = Annotated[
    list[str] | None,
    Query(description="Scenarios to compare: ID or ID@VERSION, comma-separated or repeated."),
]


@router.get("/{slug}/council", name="council_view")
def council_view(
    request: Request, twin: TwinViewDep, ids: IdsQuery = None, heat: bool = False
) -> Response:
    """The scenarios before the council side by side (login: council or administration)."""
    refused = refuse(request, twin, View.COUNCIL)
    if refused is not None:
        return refused
    lang = language(request)
    listed = council_scenarios(twin)
    refs, ignored = chosen_refs(ids, listed)
    scenarios, comparison = _compared(twin, refs, heat=heat)
    query = ",".join(refs)
    context: dict[str, Any] = {
        "twin": twin.record,
        "bar": view_bar(request, twin, View.COUNCIL),
        "listed": listed,
        "chosen": {parse_ref(ref)[0] for ref in refs},
        "ignored": ignored,
        "scenarios": scenarios,
        "ids": query,
        "heat": heat,
        "groups": _groups(comparison, lang, heat=heat) if comparison else [],
        "cards": [_card(twin, s, comparison, lang) for s in scenarios] if comparison else [],
        "targets": _targets(comparison, lang) if comparison else [],
        "heat_url": str(request.url_for("council_heat", slug=twin.record.slug))
        + f"?ids={query}&lang={lang}",
    }
    return render(request, "council.html", context)


@router.get("/{slug}/council/heat", name="council_heat")
def council_heat(request: Request, twin: TwinViewDep, ids: IdsQuery = None) -> Response:
    """The heat rows of the council table as JSON, for the page's script to fill in."""
    refused = refuse(request, twin, View.COUNCIL)
    if refused is not None:
        return refused
    lang = language(request)
    refs, _ = chosen_refs(ids, council_scenarios(twin))
    _, comparison = _compared(twin, refs, heat=True)
    rows = indicator_rows(comparison, list(HEAT_INDICATORS), lang) if comparison else []
    return JSONResponse({"rows": rows}, headers={"Cache-Control": "private, no-store"})
