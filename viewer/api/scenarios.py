"""The toolkit's JSON API for scenarios: list, create, save versions, diff, move, indicators.

Under ``/{slug}/api/scenarios``. Edits travel as GeoJSON FeatureCollections in WGS 84
(``scenarios/edits.py`` lists the edit kinds). Who may see and change what is decided by
:mod:`twin.access`: a scenario the caller may not see answers 404 exactly like a missing
one; writes need a token of the administration (401 without one, 403 with another role).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from scenarios.edits import edits_from_geojson, edits_to_geojson
from scenarios.landuse import INDICATORS, cached_landuse_twin
from scenarios.model import Scenario, ScenarioBook, diff, parse_ref
from twin.access import Principal, may_read_scenario, readable_scenario, require_editor
from viewer.deps import TwinViewDep

router = APIRouter(prefix="/{slug}/api/scenarios", tags=["scenarios"])


@dataclass(frozen=True)
class Caller:
    """One request's municipality (its scenario book) and who is asking."""

    book: ScenarioBook
    principal: Principal


def get_caller(twin: TwinViewDep) -> Caller:
    """The caller of a scenario request (their token is checked against this municipality)."""
    return Caller(ScenarioBook(twin.store, twin.config), twin.principal)


CallerDep = Annotated[Caller, Depends(get_caller)]


class NewScenario(BaseModel):
    """A new draft: empty, with edits, or as a branch of ``branch_of`` (``ID@VERSION``)."""

    id: str = Field(description="Lower-case letters, digits and hyphens.")
    title: str = ""
    description: str = ""
    edits: dict[str, Any] | None = Field(None, description="GeoJSON FeatureCollection, WGS 84.")
    branch_of: str | None = None


class NewVersion(BaseModel):
    """The edits of a new version, and why."""

    edits: dict[str, Any] = Field(description="GeoJSON FeatureCollection, WGS 84 (may be empty).")
    message: str = Field(min_length=1)


class StatusChange(BaseModel):
    """A move along the lifecycle."""

    status: str
    note: str = ""


def visible_scenario(caller: Caller, ref: str, version: int | None = None) -> Scenario:
    """A scenario version (``ID``, ``ID@VERSION`` or ``ID`` and ``version``) the caller may see.

    Others are 'missing' (no existence leak).
    """
    if version is not None:
        ref = f"{ref}@{version}"
    scenario_id, _ = parse_ref(ref)
    readable_scenario(caller.book.store, caller.principal, scenario_id)
    return caller.book.load(ref)


def _document(caller: Caller, scenario: Scenario) -> dict[str, Any]:
    record = scenario.record
    return {
        "id": record.id,
        "title": record.title,
        "description": record.description,
        "status": record.status,
        "created_by": record.created_by,
        "branched_from": record.branched_from,
        "version": scenario.version,
        "newest_version": record.version,
        "saved_at": scenario.saved_at,
        "author": scenario.author,
        "message": scenario.message,
        "edits": edits_to_geojson(scenario.edits, caller.book.crs),
    }


@router.get("", summary="Scenarios the caller may see")
def list_scenarios(caller: CallerDep) -> dict[str, Any]:
    """Every scenario the caller's role may see, with status and newest version."""
    records = [
        r for r in caller.book.store.scenarios() if may_read_scenario(caller.principal, r.status)
    ]
    return {"scenarios": [r._asdict() for r in records]}


@router.post("", status_code=201, summary="Create a draft scenario")
def create_scenario(body: NewScenario, caller: CallerDep) -> JSONResponse:
    """Create a draft, empty, from edits, or as a branch of another scenario's version."""
    require_editor(caller.principal, "create scenarios")
    book, actor = caller.book, caller.principal.name
    if body.branch_of:
        visible_scenario(caller, body.branch_of)
        scenario = book.branch(body.branch_of, body.id, actor=actor, title=body.title)
    else:
        edits = (
            edits_from_geojson(body.edits, crs=book.crs, boundary=book.boundary)
            if body.edits
            else []
        )
        scenario = book.create(
            body.id, edits, title=body.title, description=body.description, actor=actor
        )
    return JSONResponse(
        _document(caller, scenario),
        status_code=201,
        headers={"Location": f"./scenarios/{scenario.record.id}"},
    )


@router.get("/{ref}", summary="A scenario (newest version, or ID@VERSION)")
def get_scenario(ref: str, caller: CallerDep) -> dict[str, Any]:
    """One version with its edits, and the scenario's versions and status history."""
    scenario = visible_scenario(caller, ref)
    store = caller.book.store
    return _document(caller, scenario) | {
        "versions": [
            {"version": v.version, "saved_at": v.saved_at, "author": v.author, "message": v.message}
            for v in store.scenario_versions(scenario.record.id)
        ],
        "history": [event._asdict() for event in store.scenario_history(scenario.record.id)],
    }


@router.post("/{scenario_id}/versions", status_code=201, summary="Save a new version")
def save_version(scenario_id: str, body: NewVersion, caller: CallerDep) -> dict[str, Any]:
    """Save the given edits as the scenario's next version."""
    require_editor(caller.principal, "edit scenarios")
    visible_scenario(caller, scenario_id)
    book = caller.book
    edits = (
        edits_from_geojson(body.edits, crs=book.crs, boundary=book.boundary)
        if body.edits.get("features")
        else []
    )
    return _document(
        caller, book.save(scenario_id, edits, actor=caller.principal.name, message=body.message)
    )


@router.post("/{scenario_id}/status", summary="Move a scenario along its lifecycle")
def change_status(scenario_id: str, body: StatusChange, caller: CallerDep) -> dict[str, Any]:
    """Draft → under_deliberation → published → archived (and back to draft from deliberation)."""
    require_editor(caller.principal, "change the status of scenarios")
    visible_scenario(caller, scenario_id)
    record = caller.book.move(scenario_id, body.status, actor=caller.principal.name, note=body.note)
    return record._asdict()


@router.get("/{ref}/diff", summary="Edits that differ from another version or scenario")
def diff_scenarios(
    ref: str, caller: CallerDep, other: Annotated[str, Query(description="ID or ID@VERSION")]
) -> dict[str, Any]:
    """What changed from ``ref`` to ``other``, edit by edit."""
    a, b = visible_scenario(caller, ref), visible_scenario(caller, other)
    return {
        "from": a.ref,
        "to": b.ref,
        "changes": [asdict(change) for change in diff(a.edits, b.edits)],
    }


@router.get("/{ref}/indicators", summary="Land-use indicators and § 17 check of a scenario")
def indicators(ref: str, caller: CallerDep) -> dict[str, Any]:
    """Base, scenario and change for the municipality and per district, with § 17 findings."""
    scenario = visible_scenario(caller, ref)
    twin = cached_landuse_twin(caller.book.store, caller.book.config)
    result = twin.scenario(scenario.edits)
    change = result.change.districts

    def clean(series: pd.Series) -> dict[str, float | None]:
        values = series[list(INDICATORS)].astype(float)
        return {k: None if math.isnan(v) else v for k, v in values.items()}

    return {
        "scenario": scenario.ref,
        "base": clean(result.base.total),
        "scenario_values": clean(result.scenario.total),
        "change": clean(result.change.total),
        "district_changes": {
            str(d): {"name": row["name"], **clean(row)} for d, row in change.iterrows()
        },
        "designations": [
            {
                "edit": c.edit,
                "area_type": c.area_type,
                "grz": c.grz,
                "gfz": c.gfz,
                "filled": c.filled,
                "findings": [asdict(f) for f in c.findings],
            }
            for c in twin.designations(scenario.edits)
        ],
    }
