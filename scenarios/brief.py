"""Decision brief for the council: one scenario or a comparison, as HTML and PDF.

A brief is what council members read before a vote, often printed. It holds the indicator
table with changes and traffic lights, the BauNVO § 17 findings, a map of each scenario's
changes (and its heat difference map when heat was computed), the edits, and where every
number comes from: the twin's data sources, the conversion factors with their sources,
the parameters, targets and the exact scenario versions. German by default, English
available. The PDF is made from the same HTML with WeasyPrint, so both say the same.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jinja2

from scenarios.compare import Comparison
from scenarios.conversion import FACTOR_SOURCES
from scenarios.heat_outputs import atomic_path
from scenarios.heat_twin import TwinHeat
from scenarios.landuse import LandUseTwin
from scenarios.landuse_maps import scenario_maps
from scenarios.model import summary
from twin.catalogue import CatalogueEntry
from twin.config import LandUseConfig, Lang

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "brief": "Entscheidungsvorlage",
        "comparison": "Vergleich der Szenarien",
        "made": "Erstellt am",
        "indicator": "Indikator",
        "unit": "Einheit",
        "base": "Bestand",
        "change": "Änderung",
        "findings": "Prüfung nach § 17 BauNVO",
        "no_findings": "Keine Überschreitungen.",
        "filled": "Werte fehlen im Plan; ergänzt mit den Orientierungswerten des § 17 (Obergrenze).",
        "maps": "Karten",
        "edits": "Änderungen",
        "edit": "Änderung",
        "provenance": "Herkunft der Zahlen",
        "sources": "Datenquellen",
        "factors": "Umrechnungsfaktoren",
        "targets": "Zielwerte (Ampel)",
        "parameters": "Parameter",
        "versions": "Bewertete Fassungen",
        "layer": "Ebene",
        "owner": "Stelle",
        "licence": "Lizenz",
        "source": "Quelle",
        "imported": "Importiert",
        "checksum": "Prüfsumme",
        "status": "Status",
        "good": "gut bis",
        "bad": "schlecht ab",
        "lights": "Ampel: grün = Ziel erreicht, gelb = dazwischen, rot = Ziel verfehlt.",
        "base_state": "Datenstand (Hash)",
        "software": "Software",
    },
    "en": {
        "brief": "Decision brief",
        "comparison": "Comparison of scenarios",
        "made": "Made on",
        "indicator": "Indicator",
        "unit": "Unit",
        "base": "Base",
        "change": "Change",
        "findings": "Check against § 17 BauNVO",
        "no_findings": "No limits exceeded.",
        "filled": "Values missing from the plan; filled with the § 17 guide values (upper bound).",
        "maps": "Maps",
        "edits": "Edits",
        "edit": "Edit",
        "provenance": "Where the numbers come from",
        "sources": "Data sources",
        "factors": "Conversion factors",
        "targets": "Targets (traffic lights)",
        "parameters": "Parameters",
        "versions": "Versions assessed",
        "layer": "Layer",
        "owner": "Department",
        "licence": "Licence",
        "source": "Source",
        "imported": "Imported",
        "checksum": "Checksum",
        "status": "Status",
        "good": "good up to",
        "bad": "bad from",
        "lights": "Lights: green = target met, amber = between, red = target missed.",
        "base_state": "Data state (hash)",
        "software": "Software",
    },
}

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("scenarios", "templates"),
    autoescape=jinja2.select_autoescape(["html"]),
    undefined=jinja2.StrictUndefined,
)


def _number(value: float, digits: int, *, signed: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if round(value, digits) == 0:  # no "-0.00" or "+0.0" for nothing
        return f"{0:.{digits}f}"
    return f"{value:+,.{digits}f}" if signed else f"{value:,.{digits}f}"


def _context(
    comparison: Comparison,
    *,
    municipality: str,
    sources: list[CatalogueEntry],
    landuse: LandUseTwin,
    parameters: dict[str, Any],
    base_state: str,
    maps: dict[str, list[tuple[str, str]]],
    lang: Lang,
) -> dict[str, Any]:
    words = TEXTS[lang]
    rows = []
    for key, info in comparison.indicators.items():
        cells = [
            {
                "value": _number(comparison.values.at[key, ref], info.digits),
                "change": _number(comparison.changes.at[key, ref], info.digits, signed=True),
                "light": comparison.lights.at[key, ref],
            }
            for ref in comparison.values.columns
        ]
        rows.append(
            {
                "label": info.de if lang == "de" else info.en,
                "unit": info.unit,
                "base": _number(comparison.base[key], info.digits),
                "cells": cells,
            }
        )
    factors = asdict(landuse.factors)
    return {
        "t": words,
        "lang": lang,
        "municipality": municipality,
        "made": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "single": len(comparison.scenarios) == 1,
        "scenarios": comparison.scenarios,
        "rows": rows,
        "designations": comparison.designations,
        "edits": {s.ref: [summary(e) for e in s.edits] for s in comparison.scenarios},
        "maps": maps,
        "sources": sources,
        "factors": [(name, factors[name], FACTOR_SOURCES.get(name, "")) for name in factors],
        "targets": [
            (
                (comparison.indicators[n].de if lang == "de" else comparison.indicators[n].en),
                t.good,
                t.bad,
            )
            for n, t in comparison.targets.items()
            if n in comparison.indicators
        ],
        "parameters": parameters,
        "base_state": base_state,
        "software": f"urban-twin {version('urban-twin')}",
    }


def brief_parameters(landuse: LandUseConfig, heat: TwinHeat | None) -> dict[str, object]:
    """The model parameters a brief lists, so that its numbers can be reproduced.

    The land-use settings but the conversion factors and targets (the brief cites those
    with their sources), and with heat the model's parameters and cell size.
    """
    parameters: dict[str, object] = landuse.model_dump(exclude={"factors", "targets"})
    if heat is not None:
        parameters |= {f"heat.{k}": v for k, v in asdict(heat.parameters).items()}
        parameters["heat.cell_size"] = heat.grid.cell_size
    return parameters


def write_brief(
    comparison: Comparison,
    folder: Path,
    *,
    municipality: str,
    sources: list[CatalogueEntry],
    landuse: LandUseTwin,
    heat: TwinHeat | None,
    parameters: dict[str, Any],
    base_state: str,
    lang: Lang = "de",
    pdf: bool = True,
) -> list[Path]:
    """Write ``brief.html`` (+ maps) and ``brief.pdf`` into ``folder``; returns the files."""
    from weasyprint import HTML  # loaded only for briefs: it pulls in Pango

    folder.mkdir(parents=True, exist_ok=True)
    maps = scenario_maps(comparison.scenarios, landuse.layers, heat, folder, lang)
    html = _TEMPLATES.get_template("brief.html").render(
        _context(
            comparison,
            municipality=municipality,
            sources=sources,
            landuse=landuse,
            parameters=parameters,
            base_state=base_state,
            maps=maps,
            lang=lang,
        )
    )
    written = [folder / name for entries in maps.values() for name, _ in entries]
    with atomic_path(folder / "brief.html") as temporary:
        temporary.write_text(html, encoding="utf-8")
    written.append(folder / "brief.html")
    if pdf:
        with atomic_path(folder / "brief.pdf") as temporary:
            HTML(string=html, base_url=str(folder)).write_pdf(temporary)
        written.append(folder / "brief.pdf")
    return written
