"""The processes a municipality's twin offers through OGC API - Processes, and their registry.

A :class:`Process` is everything the API and the job runner need to know about one
computation: how it is described to clients (title, inputs and outputs with JSON Schemas,
as OGC process descriptions name them), and the function that runs it. The function gets
a :class:`ProcessContext` (the municipality's config and store, and a progress callback)
and the already validated inputs, and returns ``{output id: JSON value}``. Errors a user
can fix are raised as :class:`~twin.errors.TwinError` and become the job's message.

Processes register themselves in :data:`PROCESSES` with :func:`register`; the server
lists exactly that registry: ``heat-scenario`` (the heat model's "what if" on GeoJSON
edits, :mod:`scenarios.edits`), ``landuse-indicators`` (a scenario's planning indicators
and § 17 check, :mod:`scenarios.landuse`) and ``scenario-comparison``
(:mod:`scenarios.compare`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, get_args

import numpy as np
import pandas as pd
from jsonschema import Draft202012Validator
from pyproj import CRS

from scenarios.compare import compare
from scenarios.edits import Edit, EditError, EditKind, edits_from_geojson
from scenarios.heat_twin import difference, shared_twin_heat
from scenarios.heat_zones import with_changes
from scenarios.landuse import INDICATORS, Indicator, cached_landuse_twin
from scenarios.model import ScenarioBook, parse_ref
from twin.access import ANONYMOUS, Principal, readable_scenario
from twin.config import MunicipalityConfig
from twin.errors import InvalidRequestError
from twin.store.base import TwinStore


@dataclass(frozen=True)
class ProcessContext:
    """What a process needs about its municipality.

    ``progress(percent, message)`` reports how far the job is (0-100) with a short
    message for the client; it raises if the job was dismissed meanwhile, which ends the
    run early. ``principal`` is who asked: inputs that refer to stored scenarios are
    checked against what they may see.
    """

    config: MunicipalityConfig
    store: TwinStore
    progress: Callable[[float, str], None]
    principal: Principal = ANONYMOUS


@dataclass(frozen=True)
class Process:
    """One process: its OGC description and the function that runs it.

    ``title`` and ``description`` are ``{'de': …, 'en': …}``, and so are the ``title``
    and ``description`` of each input and output; ``inputs`` also give ``schema`` (JSON
    Schema of one value) and ``minOccurs``/``maxOccurs`` (default 1, as in OGC API -
    Processes), ``outputs`` give ``schema``. ``deterministic`` processes return the same
    outputs for the same inputs and base state, so their results may come from the cache.
    ``pin`` (optional) fixes what the inputs refer to before the cache is asked, e.g. a
    scenario ``ID`` becomes ``ID@VERSION``, so that a new version is never answered from
    the cache of the old one.
    """

    id: str
    version: str
    title: dict[str, str]
    description: dict[str, str]
    inputs: dict[str, dict[str, Any]]
    outputs: dict[str, dict[str, Any]]
    run: Callable[[ProcessContext, dict[str, Any]], dict[str, Any]]
    deterministic: bool = True
    pin: Callable[[ProcessContext, dict[str, Any]], dict[str, Any]] | None = None


PROCESSES: dict[str, Process] = {}
"""Every process the server offers, by id."""


def register(process: Process) -> Process:
    """Add ``process`` to :data:`PROCESSES`; ids are unique and every schema must be valid.

    A broken schema fails here, when the server starts, not on a client's first request.
    """
    if process.id in PROCESSES:
        raise ValueError(f"a process {process.id!r} is registered already")
    for description in (*process.inputs.values(), *process.outputs.values()):
        Draft202012Validator.check_schema(description["schema"])
    PROCESSES[process.id] = process
    return process


# -- heat-scenario ---------------------------------------------------------------------

MAX_EDITS = 500
"""Edits per request: a planning scenario has a handful; this bounds the work of one job."""

CHANGED_K = 0.01
"""A cell counts as changed when its air temperature moves by at least this much (K)."""

_GEOMETRY_TYPES = [
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
]

EDITS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "contentMediaType": "application/geo+json",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_EDITS,
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"const": "Feature"},
                    "geometry": {
                        "type": "object",
                        "required": ["type", "coordinates"],
                        "properties": {
                            "type": {"enum": _GEOMETRY_TYPES},
                            "coordinates": {"type": "array"},
                        },
                    },
                    "properties": {
                        "type": "object",
                        "required": ["edit"],
                        "properties": {"edit": {"enum": list(get_args(EditKind))}},
                    },
                },
            },
        },
    },
}

_DISTRICT_ROW: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "mean_temperature_c": {"type": ["number", "null"]},
        "mean_change_k": {"type": ["number", "null"]},
        "max_temperature_c": {"type": ["number", "null"]},
        "max_change_k": {"type": ["number", "null"]},
    },
}


def _edits_from_geojson(
    collection: dict[str, Any], config: MunicipalityConfig, store: TwinStore
) -> list[Edit]:
    """The checked edits of a GeoJSON FeatureCollection in WGS 84, in the municipality's CRS.

    The one place that knows the edit format of this process. An edit that cannot be
    applied (outside the municipality, invalid geometry, unknown land-use class) is an
    invalid value of the input ``edits``, like one that fails its schema.
    """
    try:
        return edits_from_geojson(
            collection, crs=CRS.from_user_input(config.crs), boundary=store.municipality().boundary
        )
    except EditError as error:
        raise InvalidRequestError(error.message, hint=error.hint) from None


def _rounded(value: float) -> float | None:
    """Temperatures to 1/1000 K (the model is not more precise); NaN (no cells) as null."""
    return None if not np.isfinite(value) else round(float(value), 3) + 0.0


def _heat_scenario(context: ProcessContext, inputs: dict[str, Any]) -> dict[str, Any]:
    config, store = context.config, context.store
    context.progress(5, "checking the edits")
    edits = _edits_from_geojson(inputs["edits"], config, store)
    context.progress(10, "preparing the heat model")
    model = shared_twin_heat(config, store, cell_size=inputs.get("cell_size"))
    context.progress(60, "computing the scenario")
    scenario = model.scenario(edits)
    context.progress(90, "district statistics")
    table = with_changes(
        model.statistics(scenario.result, scenario.cover), model.statistics(model.base)
    )
    ids = table["feature_id"] if "feature_id" in table.columns else [config.slug] * len(table)
    change = difference(scenario.result, model.base)
    return {
        "districts": [
            {
                "id": str(district_id),
                "name": str(row["name"]),
                "mean_temperature_c": _rounded(row["avg_tmp_v"]),
                "mean_change_k": _rounded(row["delta_avg_tmp_v"]),
                "max_temperature_c": _rounded(row["max_tmp_v"]),
                "max_change_k": _rounded(row["delta_max_tmp_v"]),
            }
            for district_id, (_, row) in zip(ids, table.iterrows(), strict=True)
        ],
        "summary": {
            "mean_change_k": _rounded(np.nanmean(change)),
            "max_warming_k": _rounded(max(np.nanmax(change), 0.0)),
            "max_cooling_k": _rounded(max(-np.nanmin(change), 0.0)),
            "cells_changed": int((np.abs(np.nan_to_num(change)) >= CHANGED_K).sum()),
            "cell_size_m": model.grid.cell_size,
        },
    }


HEAT_SCENARIO = register(
    Process(
        id="heat-scenario",
        version="1.0.0",
        title={"de": "Hitzeszenario", "en": "Heat scenario"},
        description={
            "de": "Wie ändert sich die Lufttemperatur an einem heißen Tag, wenn Flächen "
            "entsiegelt, Bäume gepflanzt oder Gebäude gebaut werden? Das Stadtklimamodell "
            "(InVEST Urban Cooling) rechnet die Änderungen und ihre Wirkung je Ortsteil.",
            "en": "How does the air temperature of a hot day change when ground is "
            "unsealed, trees are planted or buildings are built? The urban cooling model "
            "(InVEST) computes the edits and their effect per district.",
        },
        inputs={
            "edits": {
                "title": {"de": "Änderungen", "en": "Edits"},
                "description": {
                    "de": "GeoJSON-FeatureCollection in WGS 84; jedes Feature ist eine "
                    "Änderung, seine Eigenschaft `edit` sagt welche: "
                    + ", ".join(get_args(EditKind))
                    + ".",
                    "en": "GeoJSON FeatureCollection in WGS 84; each feature is one edit, "
                    "its property `edit` says which: " + ", ".join(get_args(EditKind)) + ".",
                },
                "schema": EDITS_SCHEMA,
                "minOccurs": 1,
                "maxOccurs": 1,
            },
            "cell_size": {
                "title": {"de": "Zellgröße (m)", "en": "Cell size (m)"},
                "description": {
                    "de": "Rasterweite des Modells; ohne Angabe die der Kommune ([heat] "
                    "cell_size).",
                    "en": "Grid spacing of the model; by default the municipality's ([heat] "
                    "cell_size).",
                },
                "schema": {"type": "number", "minimum": 2, "maximum": 50},
                "minOccurs": 0,
                "maxOccurs": 1,
            },
        },
        outputs={
            "districts": {
                "title": {"de": "Ortsteile", "en": "Districts"},
                "description": {
                    "de": "Je Ortsteil mittlere und höchste Lufttemperatur (°C) im Szenario "
                    "und ihre Änderung (K).",
                    "en": "Per district the mean and highest air temperature (°C) in the "
                    "scenario and their change (K).",
                },
                "schema": {"type": "array", "items": _DISTRICT_ROW},
            },
            "summary": {
                "title": {"de": "Zusammenfassung", "en": "Summary"},
                "description": {
                    "de": "Mittlere Änderung über die Kommune, stärkste Erwärmung und "
                    f"Abkühlung (K), Zahl der Zellen mit mindestens {CHANGED_K} K Änderung.",
                    "en": "Mean change over the municipality, strongest warming and "
                    f"cooling (K), number of cells changed by at least {CHANGED_K} K.",
                },
                "schema": {
                    "type": "object",
                    "properties": {
                        "mean_change_k": {"type": ["number", "null"]},
                        "max_warming_k": {"type": ["number", "null"]},
                        "max_cooling_k": {"type": ["number", "null"]},
                        "cells_changed": {"type": "integer"},
                        "cell_size_m": {"type": "number"},
                    },
                },
            },
        },
        run=_heat_scenario,
    )
)


# -- land use ---------------------------------------------------------------------------

_REF_SCHEMA: dict[str, Any] = {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]{0,62}(@[0-9]+)?$"}
_CHANGE_ROW: dict[str, Any] = {
    "type": "object",
    "properties": {
        "indicator": {"type": "string"},
        "label": {"type": "object"},
        "unit": {"type": "string"},
        "base": {"type": ["number", "null"]},
    },
}


def _number(value: float) -> float | None:
    """A JSON number (6 significant decimals are plenty for indicators); NaN as null."""
    return None if not np.isfinite(value) else round(float(value), 6) + 0.0


def _pin_refs(context: ProcessContext, inputs: dict[str, Any]) -> dict[str, Any]:
    """Scenario references with their newest version made explicit (``ID`` → ``ID@3``)."""
    book = ScenarioBook(context.store, context.config)

    def pinned(ref: str) -> str:
        scenario_id, version = parse_ref(ref)
        record = readable_scenario(book.store, context.principal, scenario_id)
        return ref if version is not None else f"{ref}@{record.version}"

    if "scenario" in inputs:
        return inputs | {"scenario": pinned(inputs["scenario"])}
    if "scenarios" in inputs:
        return inputs | {"scenarios": [pinned(ref) for ref in inputs["scenarios"]]}
    return inputs


def _scenario_edits(context: ProcessContext, inputs: dict[str, Any]) -> list[Edit]:
    if ("edits" in inputs) == ("scenario" in inputs):
        raise InvalidRequestError("give either `edits` or `scenario`, not both or neither")
    if "edits" in inputs:
        return _edits_from_geojson(inputs["edits"], context.config, context.store)
    return ScenarioBook(context.store, context.config).load(inputs["scenario"]).edits


def _rows(indicators: dict[str, Indicator], columns: dict[str, pd.Series]) -> list[dict[str, Any]]:
    return [
        {
            "indicator": key,
            "label": {"de": info.de, "en": info.en},
            "unit": info.unit,
            **{name: _number(column[key]) for name, column in columns.items()},
        }
        for key, info in indicators.items()
    ]


def _landuse_indicators(context: ProcessContext, inputs: dict[str, Any]) -> dict[str, Any]:
    edits = _scenario_edits(context, inputs)
    context.progress(20, "computing the indicators")
    twin = cached_landuse_twin(context.store, context.config)
    result = twin.scenario(edits)
    districts = result.change.districts
    return {
        "indicators": _rows(
            INDICATORS,
            {
                "base": result.base.total,
                "scenario": result.scenario.total,
                "change": result.change.total,
            },
        ),
        "district_changes": [
            {
                "id": str(district),
                "name": str(row["name"]),
                **{k: _number(row[k]) for k in INDICATORS},
            }
            for district, row in districts.iterrows()
        ],
        "designations": [
            {
                "edit": check.edit,
                "label": check.label,
                "area_type": check.area_type,
                "area_ha": _number(check.area_ha),
                "grz": check.grz,
                "gfz": check.gfz,
                "filled_from_section_17": check.filled,
                "findings": [asdict(finding) for finding in check.findings],
            }
            for check in twin.designations(edits)
        ],
    }


def _scenario_comparison(context: ProcessContext, inputs: dict[str, Any]) -> dict[str, Any]:
    book = ScenarioBook(context.store, context.config)
    scenarios = [book.load(ref) for ref in inputs["scenarios"]]
    heat = None
    if inputs.get("heat", False):
        context.progress(10, "preparing the heat model")
        heat = shared_twin_heat(context.config, context.store)
    context.progress(40, "comparing")
    compared = compare(
        cached_landuse_twin(context.store, context.config),
        scenarios,
        targets=context.config.landuse.targets,
        heat=heat,
    )
    rows = _rows(compared.indicators, {"base": compared.base})
    for row in rows:
        key = row["indicator"]
        row["scenarios"] = {
            ref: {
                "value": _number(compared.values.at[key, ref]),
                "change": _number(compared.changes.at[key, ref]),
                "light": compared.lights.at[key, ref] or None,
            }
            for ref in compared.values.columns
        }
    return {"comparison": rows}


_SCENARIO_INPUT = {
    "title": {"de": "Gespeichertes Szenario", "en": "Stored scenario"},
    "description": {
        "de": "ID oder ID@VERSION eines gespeicherten Szenarios (statt `edits`).",
        "en": "ID or ID@VERSION of a stored scenario (instead of `edits`).",
    },
    "schema": _REF_SCHEMA,
    "minOccurs": 0,
    "maxOccurs": 1,
}

LANDUSE_INDICATORS = register(
    Process(
        id="landuse-indicators",
        version="1.0.0",
        title={"de": "Flächennutzungs-Kennzahlen", "en": "Land-use indicators"},
        description={
            "de": "Flächenneuinanspruchnahme (innen/außen, Anteil am 30-ha-Ziel), Versiegelung, "
            "Geschossfläche, Wohnungen, Einwohner, Arbeitsplätze, Dichte, Grün je Einwohner und "
            "Erreichbarkeit, Bäume; je Ortsteil, mit Prüfung nach § 17 BauNVO.",
            "en": "Land take (inside/outside the settlement, share of the 30 ha target), sealing, "
            "floor area, dwellings, residents, jobs, density, green space per resident and its "
            "reach, trees; per district, with the BauNVO § 17 check.",
        },
        inputs={
            "edits": {
                **HEAT_SCENARIO.inputs["edits"],
                "minOccurs": 0,
            },
            "scenario": _SCENARIO_INPUT,
        },
        outputs={
            "indicators": {
                "title": {"de": "Kennzahlen", "en": "Indicators"},
                "description": {
                    "de": "Je Kennzahl Bestand, Szenario und Änderung für die ganze Kommune.",
                    "en": "Per indicator the base, the scenario and the change, municipality-wide.",
                },
                "schema": {"type": "array", "items": _CHANGE_ROW},
            },
            "district_changes": {
                "title": {"de": "Änderung je Ortsteil", "en": "Change per district"},
                "description": {
                    "de": "Änderung jeder Kennzahl je Ortsteil.",
                    "en": "Change of every indicator per district.",
                },
                "schema": {"type": "array", "items": {"type": "object"}},
            },
            "designations": {
                "title": {"de": "Prüfung nach § 17 BauNVO", "en": "BauNVO § 17 check"},
                "description": {
                    "de": "Jedes ausgewiesene Baugebiet mit GRZ, GFZ und Befunden.",
                    "en": "Every designated building area with GRZ, GFZ and findings.",
                },
                "schema": {"type": "array", "items": {"type": "object"}},
            },
        },
        run=_landuse_indicators,
        pin=_pin_refs,
    )
)

SCENARIO_COMPARISON = register(
    Process(
        id="scenario-comparison",
        version="1.0.0",
        title={"de": "Szenarienvergleich", "en": "Scenario comparison"},
        description={
            "de": "Gespeicherte Szenarien nebeneinander gegen den Bestand, mit Ampel nach den "
            "Zielwerten der Kommune; auf Wunsch mit den Hitzekennzahlen.",
            "en": "Stored scenarios side by side against the base, with traffic lights from the "
            "municipality's targets; optionally with the heat indicators.",
        },
        inputs={
            "scenarios": {
                "title": {"de": "Szenarien", "en": "Scenarios"},
                "description": {
                    "de": "ID oder ID@VERSION, 1 bis 6.",
                    "en": "ID or ID@VERSION, 1 to 6.",
                },
                "schema": {"type": "array", "items": _REF_SCHEMA, "minItems": 1, "maxItems": 6},
                "minOccurs": 1,
                "maxOccurs": 1,
            },
            "heat": {
                "title": {"de": "Mit Hitzemodell", "en": "With the heat model"},
                "description": {
                    "de": "Auch mittlere Lufttemperatur und Einwohner über 30 °C rechnen.",
                    "en": "Also compute the mean air temperature and residents above 30 °C.",
                },
                "schema": {"type": "boolean", "default": False},
                "minOccurs": 0,
                "maxOccurs": 1,
            },
        },
        outputs={
            "comparison": {
                "title": {"de": "Vergleich", "en": "Comparison"},
                "description": {
                    "de": "Je Kennzahl Bestand und je Szenario Wert, Änderung und Ampel.",
                    "en": "Per indicator the base and per scenario value, change and light.",
                },
                "schema": {"type": "array", "items": _CHANGE_ROW},
            }
        },
        run=_scenario_comparison,
        pin=_pin_refs,
    )
)
