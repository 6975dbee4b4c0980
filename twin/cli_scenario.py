"""``twin scenario …``: land-use scenarios from the command line.

Scenarios live in the municipality's store with every version; edits come from GeoJSON
files (see ``scenarios/edits.py`` for the edit kinds), so a planner can draw them in
QGIS and hand them over as a file.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from twin._cli_options import WorkspaceOption, workspace_at
from twin.config import Lang
from twin.errors import TwinError
from twin.settings import get_settings

if TYPE_CHECKING:  # scenario code is imported on first use: `twin --help` stays quick
    import pandas as pd

    from scenarios.compare import Comparison
    from scenarios.edits import Edit
    from scenarios.heat_twin import TwinHeat
    from scenarios.landuse import DesignationCheck, Indicator, LandUseTwin
    from scenarios.model import Scenario, ScenarioBook
    from twin.workspace import Workspace

console = Console()
LangOption = Annotated[Lang, typer.Option(help="Language of labels: de or en.")]
HeatOption = Annotated[
    bool, typer.Option(help="Also run the heat model (mean temperature, residents above 30 °C).")
]

scenario_app = typer.Typer(
    help="Land-use scenarios: draft, version, assess (indicators, BauNVO § 17), compare.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


def _book(ws: Workspace, slug: str) -> ScenarioBook:
    from scenarios.model import ScenarioBook

    return ScenarioBook(ws.store(slug), ws.config(slug))


def _read(book: ScenarioBook, path: Path) -> list[Edit]:
    from scenarios.edits import read_edits

    return read_edits(path, crs=book.crs, boundary=book.boundary)


def format_value(value: float, digits: int) -> str:
    """A number as a German planner reads it in a table ("–" for none)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def indicator_table(
    title: str,
    columns: dict[str, pd.Series],
    lang: Lang,
    indicators: dict[str, Indicator] | None = None,
) -> Table:
    """A rich table with one row per indicator (default: the land-use ones) and ``columns``."""
    from scenarios.landuse import INDICATORS

    table = Table(title=title)
    table.add_column("Indikator" if lang == "de" else "Indicator")
    table.add_column("Einheit" if lang == "de" else "Unit")
    for name in columns:
        table.add_column(name, justify="right")
    for key, info in (indicators or INDICATORS).items():
        values = [
            format_value(column.get(key, math.nan), info.digits) for column in columns.values()
        ]
        table.add_row(info.de if lang == "de" else info.en, info.unit, *values)
    return table


@scenario_app.command("list")
def list_scenarios(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    workspace: WorkspaceOption = None,
) -> None:
    """List a municipality's scenarios with status and newest version."""
    book = _book(workspace_at(workspace), slug)
    table = Table(title=f"Szenarien / scenarios: {book.config.name}")
    for column in ("id", "title", "status", "version", "created_by", "branched_from"):
        table.add_column(column)
    for record in book.store.scenarios():
        table.add_row(
            record.id,
            record.title,
            record.status,
            str(record.version),
            record.created_by,
            record.branched_from,
        )
    console.print(table)


@scenario_app.command("new")
def new(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    scenario_id: Annotated[
        str, typer.Argument(metavar="ID", help="Short id: lower case, digits, hyphens.")
    ],
    workspace: WorkspaceOption = None,
    title: Annotated[str, typer.Option(help="Title shown in views and briefs.")] = "",
    description: Annotated[str, typer.Option(help="What the scenario is for.")] = "",
    edits: Annotated[Path | None, typer.Option(help="GeoJSON file of edits (WGS 84).")] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="Branch: start from a copy of ID or ID@VERSION.")
    ] = None,
) -> None:
    """Create a draft scenario, empty, from a GeoJSON file of edits, or as a branch.

    For example:

    * `twin scenario new musterstadt park-am-markt --title "Park am Markt" --edits park.geojson`
    * `twin scenario new musterstadt park-klein --from park-am-markt@2`
    """
    book = _book(workspace_at(workspace), slug)
    actor = get_settings().actor
    if from_ and edits:
        raise TwinError("give either --edits or --from, not both")
    if from_:
        scenario = book.branch(from_, scenario_id, actor=actor, title=title)
    else:
        changes = _read(book, edits) if edits else []
        scenario = book.create(
            scenario_id, changes, title=title, description=description, actor=actor
        )
    console.print(
        f"Created {scenario.ref} ({scenario.record.status}) with {len(scenario.edits)} edit(s)."
    )


@scenario_app.command("import-xplan")
def import_xplan(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    scenario_id: Annotated[str, typer.Argument(metavar="ID", help="Id of the new scenario.")],
    plan: Annotated[Path, typer.Argument(help="XPlanGML file (5.x or 6.x; BP_Plan or FP_Plan).")],
    workspace: WorkspaceOption = None,
    title: Annotated[str, typer.Option(help="Title [default: the plan's name and number].")] = "",
) -> None:
    """Turn a land-use plan in XPlanGML into a draft scenario, one edit per designated area.

    For example: `twin scenario import-xplan musterstadt am-muehlbach bplan_am_muehlbach.gml`.
    Values the plan leaves open are filled with the BauNVO § 17 guide values when assessed.
    """
    from scenarios.plans import read_plan

    book = _book(workspace_at(workspace), slug)
    source, edits = read_plan(plan, crs=book.crs, boundary=book.boundary)
    for note in source.notes:
        console.print(f"[yellow]Note:[/yellow] {note}")
    name = " ".join(part for part in (source.name, source.number) if part)
    scenario = book.create(
        scenario_id,
        edits,
        title=title or name,
        description=f"XPlanGML {source.version} {source.kind}: {plan.name}",
        actor=get_settings().actor,
        message=f"imported from {plan.name}",
    )
    console.print(f"Created {scenario.ref} from {name} with {len(edits)} designated area(s).")


@scenario_app.command("edit")
def edit(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    scenario_id: Annotated[str, typer.Argument(metavar="ID")],
    message: Annotated[str, typer.Option("--message", "-m", help="Why: kept with the version.")],
    workspace: WorkspaceOption = None,
    add: Annotated[Path | None, typer.Option(help="Append the edits of this GeoJSON file.")] = None,
    remove: Annotated[
        list[int] | None, typer.Option(help="Remove edit number N (repeatable).")
    ] = None,
    replace: Annotated[Path | None, typer.Option(help="Replace all edits by this file's.")] = None,
) -> None:
    """Save a new version of a scenario: add, remove or replace edits.

    Edits are numbered as `twin scenario show` lists them. Published and archived
    scenarios are frozen; branch them to change them.
    """
    book = _book(workspace_at(workspace), slug)
    current = book.load(scenario_id).edits
    if replace is not None:
        if add is not None or remove:
            raise TwinError("--replace cannot be combined with --add or --remove")
        changed = _read(book, replace)
    else:
        unknown = [n for n in remove or [] if not 1 <= n <= len(current)]
        if unknown:
            raise TwinError(f"--remove {unknown[0]}: the scenario has edits 1-{len(current)}")
        changed = [e for n, e in enumerate(current, 1) if n not in set(remove or [])]
        changed += _read(book, add) if add is not None else []
    if not (replace or add or remove):
        raise TwinError("nothing to change", hint="Give --add FILE, --remove N or --replace FILE.")
    scenario = book.save(scenario_id, changed, actor=get_settings().actor, message=message)
    console.print(f"Saved {scenario.ref} with {len(scenario.edits)} edit(s).")


@scenario_app.command("status")
def status(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    scenario_id: Annotated[str, typer.Argument(metavar="ID")],
    new_status: Annotated[
        str,
        typer.Argument(metavar="STATUS", help="draft, under_deliberation, published or archived."),
    ],
    workspace: WorkspaceOption = None,
    note: Annotated[str, typer.Option(help="Why, e.g. the council's decision.")] = "",
) -> None:
    """Move a scenario along its lifecycle: draft → under_deliberation → published → archived."""
    book = _book(workspace_at(workspace), slug)
    record = book.move(scenario_id, new_status, actor=get_settings().actor, note=note)
    console.print(f"{record.id} is now {record.status}.")


@scenario_app.command("show")
def show(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    ref: Annotated[str, typer.Argument(metavar="ID[@VERSION]")],
    workspace: WorkspaceOption = None,
    districts: Annotated[bool, typer.Option(help="Also show the change per district.")] = False,
    heat: HeatOption = False,
    lang: LangOption = "de",
) -> None:
    """Show a scenario: edits, versions, status history, indicators and BauNVO § 17 findings."""
    from scenarios.model import summary

    ws = workspace_at(workspace)
    book = _book(ws, slug)
    scenario = book.load(ref)
    record = scenario.record
    console.print(
        f"[bold]{record.title}[/bold] ({scenario.ref}, {record.status}) {record.description}"
    )
    for number, change in enumerate(scenario.edits, 1):
        console.print(f"  {number}. {summary(change)}")
    for version in book.store.scenario_versions(record.id):
        console.print(
            f"  v{version.version} {version.saved_at} {version.author}: {version.message}"
        )
    for event in book.store.scenario_history(record.id):
        console.print(f"  {event.at} {event.actor} → {event.status} {event.note}".rstrip())
    _, _, comparison = _comparison(book, [scenario], heat)
    labels = ("Bestand", "Szenario", "Änderung") if lang == "de" else ("Base", "Scenario", "Change")
    values = (comparison.base, comparison.values[scenario.ref], comparison.changes[scenario.ref])
    columns = dict(zip(labels, values, strict=True))
    title = f"{record.title} ({scenario.ref})"
    console.print(indicator_table(title, columns, lang, comparison.indicators))
    if districts:
        change = comparison.district_changes[scenario.ref]
        by_district = {str(row["name"]): row for _, row in change.iterrows()}
        heading = "Änderung je Ortsteil" if lang == "de" else "Change per district"
        console.print(indicator_table(heading, by_district, lang))
    _print_findings(comparison.designations[scenario.ref], lang)


def _print_findings(checks: list[DesignationCheck], lang: Lang) -> None:
    for check in checks:
        head = f"Edit {check.edit} {check.label} {check.area_type} {check.area_ha:.2f} ha: GRZ {check.grz:g}, GFZ {check.gfz:g}"
        if check.filled:
            head += (
                " (§ 17-Orientierungswerte ergänzt)"
                if lang == "de"
                else " (§ 17 guide values filled in)"
            )
        console.print(head)
        for finding in check.findings:
            colour = "red" if finding.severity == "error" else "yellow"
            text = finding.message_de if lang == "de" else finding.message_en
            console.print(f"  [{colour}]{finding.severity}[/{colour}]: {text}")


@scenario_app.command("diff")
def diff(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    ref_a: Annotated[str, typer.Argument(metavar="A", help="ID or ID@VERSION.")],
    ref_b: Annotated[str, typer.Argument(metavar="B", help="ID or ID@VERSION.")],
    workspace: WorkspaceOption = None,
    lang: LangOption = "de",
) -> None:
    """Which edits differ between two versions or scenarios, and what that changes.

    For example: `twin scenario diff musterstadt park-am-markt@1 park-am-markt@2`.
    """
    from scenarios.landuse import landuse_twin
    from scenarios.model import diff as edit_diff

    book = _book(workspace_at(workspace), slug)
    a, b = book.load(ref_a), book.load(ref_b)
    changes = edit_diff(a.edits, b.edits)
    if not changes:
        console.print(f"{a.ref} and {b.ref} have the same edits.")
    for change in changes:
        numbers = f"{change.number_a or '-'} → {change.number_b or '-'}"
        console.print(f"  {change.change:8} {numbers}: {change.summary}")
    twin = landuse_twin(book.store, book.config)
    total_a, total_b = twin.scenario(a.edits).scenario.total, twin.scenario(b.edits).scenario.total
    label = "B − A"
    console.print(
        indicator_table(
            f"{a.ref} → {b.ref}", {a.ref: total_a, b.ref: total_b, label: total_b - total_a}, lang
        )
    )


LIGHT_COLOURS = {"green": "green", "amber": "yellow", "red": "red"}


def _comparison(
    book: ScenarioBook, scenarios: list[Scenario], heat: bool
) -> tuple[LandUseTwin, TwinHeat | None, Comparison]:
    """Compare the scenarios with the base (with the heat model if asked)."""
    from scenarios.compare import compare
    from scenarios.heat_twin import TwinHeat
    from scenarios.landuse import landuse_twin

    landuse = landuse_twin(book.store, book.config)
    with console.status("Computing the heat model…" if heat else "Computing indicators…"):
        model = TwinHeat(book.config, book.store) if heat else None
        comparison = compare(landuse, scenarios, targets=book.config.landuse.targets, heat=model)
    return landuse, model, comparison


@scenario_app.command("compare")
def compare_scenarios(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    refs: Annotated[
        list[str], typer.Argument(metavar="ID[@VERSION]...", help="Scenarios to compare.")
    ],
    workspace: WorkspaceOption = None,
    heat: HeatOption = False,
    lang: LangOption = "de",
    out: Annotated[
        Path | None, typer.Option(help="Also write comparison.csv and change maps here.")
    ] = None,
) -> None:
    """Compare scenarios side by side against the base, with traffic lights from `[landuse.targets]`.

    For example: `twin scenario compare musterstadt variante-a variante-b --heat`.
    """
    from scenarios.landuse_maps import scenario_maps

    book = _book(workspace_at(workspace), slug)
    landuse, model, comparison = _comparison(book, [book.load(ref) for ref in refs], heat)
    table = Table(title=f"{book.config.name}: " + ("Vergleich" if lang == "de" else "comparison"))
    table.add_column("Indikator" if lang == "de" else "Indicator")
    table.add_column("Bestand" if lang == "de" else "Base", justify="right")
    for scenario in comparison.scenarios:
        table.add_column(scenario.ref, justify="right")
    for key, info in comparison.indicators.items():
        cells = []
        for ref in comparison.values.columns:
            text = f"{format_value(comparison.values.at[key, ref], info.digits)} ({format_value(comparison.changes.at[key, ref], info.digits)})"
            light = comparison.lights.at[key, ref]
            cells.append(f"[{LIGHT_COLOURS[light]}]● {text}[/]" if light else text)
        label = info.de if lang == "de" else info.en
        table.add_row(
            f"{label} [{info.unit}]" if info.unit else label,
            format_value(comparison.base[key], info.digits),
            *cells,
        )
    console.print(table)
    for scenario in comparison.scenarios:
        if comparison.designations[scenario.ref]:
            console.print(f"[bold]{scenario.ref}[/bold] § 17 BauNVO")
        _print_findings(comparison.designations[scenario.ref], lang)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        frame = comparison.values.add_suffix(" value").join(
            comparison.changes.add_suffix(" change")
        )
        frame.insert(0, "base", comparison.base)
        frame.join(comparison.lights.add_suffix(" light")).to_csv(out / "comparison.csv")
        scenario_maps(comparison.scenarios, landuse.layers, model, out, lang)
        console.print(f"Wrote {out}")


@scenario_app.command("brief")
def brief(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    refs: Annotated[
        list[str],
        typer.Argument(metavar="ID[@VERSION]...", help="One scenario, or several to compare."),
    ],
    workspace: WorkspaceOption = None,
    heat: HeatOption = False,
    lang: LangOption = "de",
    pdf: Annotated[bool, typer.Option(help="Also write brief.pdf.")] = True,
    out: Annotated[
        Path | None, typer.Option(help="Folder [default: WORKSPACE/SLUG/briefs/<ids>].")
    ] = None,
) -> None:
    """Write a decision brief for the council as HTML and PDF.

    It holds the indicators, the § 17 findings, maps and the provenance of every number.

    For example: `twin scenario brief musterstadt am-muehlbach --heat --lang en`.
    """
    from scenarios.brief import brief_parameters, write_brief
    from scenarios.model import base_state

    book = _book(workspace_at(workspace), slug)
    landuse, model, comparison = _comparison(book, [book.load(ref) for ref in refs], heat)
    target = out or workspace_at(workspace).folder(slug) / "briefs" / "_".join(
        s.ref.replace("@", "-v") for s in comparison.scenarios
    )
    with console.status("Writing the brief…"):
        written = write_brief(
            comparison,
            target,
            municipality=book.config.name,
            sources=book.store.layers(),
            landuse=landuse,
            heat=model,
            parameters=brief_parameters(book.config.landuse, model),
            base_state=base_state(book.config, book.store),
            lang=lang,
            pdf=pdf,
        )
    for path in written:
        console.print(f"  {path}")


@scenario_app.command("render")
def render(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    ref: Annotated[
        str | None,
        typer.Argument(metavar="[ID[@VERSION]]", help="Scenario; leave out for the base state."),
    ] = None,
    workspace: WorkspaceOption = None,
    heat: Annotated[
        bool,
        typer.Option(help="Drape the heat map: air temperature, or the scenario's change."),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            help="FILE.png or FILE.glb (glTF) [default: a PNG in WORKSPACE/SLUG/renders/]."
        ),
    ] = None,
    lang: LangOption = "de",
    size: Annotated[str, typer.Option(help="Picture size in pixels, WIDTHxHEIGHT.")] = "1280x720",
    dem: Annotated[
        str | None,
        typer.Option(help="Raster layer with terrain heights, e.g. dem [default: flat ground]."),
    ] = None,
) -> None:
    """Render the municipality in 3D, or a scenario with its changes highlighted.

    Buildings are extruded from their footprints and heights; new and changed buildings
    are magenta, removed ones red wireframes, edit areas outlined. Renders are cached per
    scenario version in WORKSPACE/SLUG/renders/, so asking again is instant.

    For example:

    * `twin scenario render musterstadt am-muehlbach --heat`
    * `twin scenario render musterstadt --dem dem --out musterstadt.glb`
    """
    import shutil

    from viewer.render3d import View, cached_render, parse_size, render_folder

    suffix = out.suffix.lower() if out is not None else ".png"
    if suffix not in (".png", ".glb"):
        raise TwinError(f"--out {out}: give a .png or a .glb file")
    ws = workspace_at(workspace)
    book = _book(ws, slug)
    scenario = book.load(ref) if ref else None
    view = View("glb" if suffix == ".glb" else "png", parse_size(size), lang, heat, dem)
    with console.status("Rendering…"):
        path = cached_render(book.store, book.config, render_folder(ws, slug), scenario, view)
    if out is not None:
        shutil.copyfile(path, out)
    console.print(f"  {out or path}")
