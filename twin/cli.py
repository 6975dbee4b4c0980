"""The ``twin`` command: set up municipalities, import their data, serve their twins.

A typical first session::

    twin config validate weisendorf.toml   # lists every problem at once
    twin init weisendorf.toml              # creates workspace/weisendorf/
    twin import weisendorf                 # loads all layers, with a progress bar
    twin info weisendorf                   # layers, counts, extents, classifications
    twin serve                             # http://127.0.0.1:8000/

Errors are shown as one message with a hint, never as a traceback; the exit code is 1
when something failed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from twin._cli_options import WorkspaceOption, workspace_at
from twin.cli_access import token_app, users_app
from twin.cli_contributions import contributions_app
from twin.cli_heat import heat_app
from twin.cli_scenario import scenario_app
from twin.cli_sensors import sensors_app
from twin.config import MunicipalityConfig, load_config
from twin.errors import TwinError
from twin.fusion import evaluate_alerts, refresh_live_layer
from twin.importer import import_layer, init_municipality
from twin.sensors import register_sensor
from twin.settings import get_settings
from twin.store.base import TwinStore

console = Console()
err_console = Console(stderr=True)
#: The sample Bebauungsplan that `twin demo` puts under deliberation.
DEMO_SCENARIO = "am-muehlbach"

app = typer.Typer(
    help="Digital twin toolkit for municipalities: set up, import, inspect and serve twins.",
    epilog="First time? `twin demo` sets up the fictional sample town Musterstadt and serves "
    "it on http://127.0.0.1:8000/. Your own municipality: `twin config validate FILE.toml`, "
    "`twin init FILE.toml`, `twin import SLUG`, `twin info SLUG`, `twin serve`.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
config_app = typer.Typer(help="Check municipality config files.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(sensors_app, name="sensors")
app.add_typer(heat_app, name="heat")
app.add_typer(scenario_app, name="scenario")
app.add_typer(token_app, name="token")
app.add_typer(users_app, name="users")
app.add_typer(contributions_app, name="contributions")


@app.callback()
def _main(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show progress details.")
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err_console, show_path=False)],
    )


@config_app.command("validate")
def config_validate(
    files: Annotated[list[Path], typer.Argument(help="Municipality TOML file(s) to check.")],
) -> None:
    """Check config files and list every problem with its key path and how to fix it.

    Checks: required keys, slug and 8-digit AGS, a projected metric CRS (EPSG:25832 or
    25833), known classifications and layer kinds, unique layer names, and that every
    data file exists.
    """
    failed = False
    for file in files:
        try:
            config = load_config(file)
        except TwinError as err:
            failed = True
            err_console.print(f"[red]✗[/red] {escape(str(err))}")
            continue
        console.print(
            f"[green]✓[/green] {file}: {config.name} ({config.slug}, AGS {config.ags}, "
            f"{config.crs}), {len(config.layers)} layers, {len(config.sensors)} sensors"
        )
    if failed:
        raise typer.Exit(1)


@app.command("init")
def init(
    file: Annotated[Path, typer.Argument(help="The municipality's TOML config.")],
    workspace: WorkspaceOption = None,
) -> None:
    """Set up a municipality in the workspace from its config (no layers imported yet).

    Validates the config, reads the boundary, creates workspace/SLUG/ with a copy of the
    config and an empty store. Run it again after editing the config.
    """
    config = load_config(file)
    ws = workspace_at(workspace)
    init_municipality(config, ws, actor=get_settings().actor)
    console.print(
        f"[green]✓[/green] {config.name} set up in {ws.root / config.slug}. "
        f"Next: [bold]twin import {config.slug}[/bold]"
    )


@app.command("import")
def import_(
    slug: Annotated[str, typer.Argument(help="Municipality slug, e.g. 'musterstadt'.")],
    layers: Annotated[
        list[str] | None, typer.Argument(help="Layers to import (default: all in the config).")
    ] = None,
    workspace: WorkspaceOption = None,
    details: Annotated[
        int, typer.Option(help="How many per-feature findings to show per layer.")
    ] = 5,
) -> None:
    """Import layers into a municipality's store; each layer is all-or-nothing.

    Features are reprojected to the municipality's CRS, invalid geometries repaired,
    and features outside the boundary, with duplicate ids or missing required attributes
    rejected; the report lists them by feature id. A layer that fails leaves the store
    unchanged and the others are still imported.
    """
    ws = workspace_at(workspace)
    config = ws.config(slug)
    store = ws.store(slug)
    selected = [config.layer(name) for name in layers] if layers else config.layers
    failures = 0
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    with progress:
        task = progress.add_task(f"Importing {config.name}", total=len(selected))
        for layer in selected:
            progress.update(task, description=f"Importing {layer.name}")
            try:
                report = import_layer(config, store, layer, actor=get_settings().actor)
            except TwinError as err:
                failures += 1
                progress.console.print(f"[red]✗ {layer.name}:[/red] {escape(str(err))}")
            else:
                progress.console.print(f"[green]✓[/green] {escape(report.summary())}")
                for issue in report.issues[:details]:
                    progress.console.print(
                        escape(f"    {issue.feature_id}: {issue.problem} → {issue.action}")
                    )
                if len(report.issues) > details:
                    progress.console.print(
                        f"    … {len(report.issues) - details} more (see `twin info {slug} "
                        f"--layer {layer.name}`)"
                    )
            progress.advance(task)
        if not layers:
            failures += _register_sensors(config, store, progress)
            if config.sensors:
                refresh_live_layer(store, actor=get_settings().actor)
            opened = evaluate_alerts(config, store).opened
            if opened:
                progress.console.print(
                    f"[yellow]{len(opened)} alert(s) opened[/yellow]: `twin sensors alerts {slug}`"
                )
    if failures:
        err_console.print(
            f"[red]{failures} layer(s) failed; the store keeps their old state.[/red]"
        )
        raise typer.Exit(1)


def _register_sensors(config: MunicipalityConfig, store: TwinStore, progress: Progress) -> int:
    """Register the config's sensors and load their history; return the number that failed."""
    failures = 0
    task = progress.add_task("Registering sensors", total=len(config.sensors))
    for sensor in config.sensors:
        try:
            result = register_sensor(config, store, sensor, actor=get_settings().actor)
        except TwinError as err:
            failures += 1
            progress.console.print(f"[red]✗ sensor {sensor.id}:[/red] {escape(str(err))}")
        else:
            history = (
                f", {result.history.new:,} new observation(s), {result.history.duplicate:,} already stored"
                if result.history
                else ""
            )
            progress.console.print(
                f"[green]✓[/green] sensor {sensor.id} → Datastream({result.datastream_id}){history}"
            )
        progress.advance(task)
    return failures


@app.command("list")
def list_(workspace: WorkspaceOption = None) -> None:
    """List the municipalities in the workspace."""
    ws = workspace_at(workspace)
    table = Table("slug", "name", "AGS", "CRS", "layers", title=f"Workspace {ws.root}")
    for slug in ws.slugs():
        record = ws.store(slug).municipality()
        name = record.name + (" (fictional demo)" if record.demo else "")
        table.add_row(slug, name, record.ags, record.crs, str(len(ws.store(slug).layers())))
    if not table.row_count:
        console.print(f"No municipalities in {ws.root} yet: run `twin init CONFIG.toml`.")
        return
    console.print(table)


@app.command("info")
def info(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    workspace: WorkspaceOption = None,
    layer: Annotated[
        str | None, typer.Option(help="Show one layer's provenance and full import report.")
    ] = None,
) -> None:
    """Show a municipality's layers: kind, classification, features, extent, provenance."""
    store = workspace_at(workspace).store(slug)
    record = store.municipality()
    if layer:
        entry = store.layer(layer)
        console.print_json(entry.model_dump_json(exclude={"report"}))
        if entry.report:
            console.print(entry.report.summary())
            for issue in entry.report.issues:
                console.print(escape(f"  {issue.feature_id}: {issue.problem} → {issue.action}"))
        return
    minx, miny, maxx, maxy = record.boundary.bounds
    console.print(
        f"[bold]{record.name}[/bold] ({record.slug}), AGS {record.ags}, {record.crs}, "
        f"area {record.boundary.area / 1e6:.2f} km², extent "
        f"{minx:.0f} {miny:.0f} {maxx:.0f} {maxy:.0f}"
        + (" — [yellow]fictional demo municipality[/yellow]" if record.demo else "")
    )
    table = Table("layer", "kind", "classification", "features", "extent", "owner", "imported")
    for entry in store.layers():
        extent = "–"
        if entry.bbox:
            minx, miny, maxx, maxy = entry.bbox
            extent = f"{(maxx - minx) / 1000:.1f} × {(maxy - miny) / 1000:.1f} km"
        count = (
            f"{entry.raster.width}×{entry.raster.height} px"
            if entry.raster
            else f"{entry.feature_count:,}"
        )
        table.add_row(
            entry.name,
            entry.kind.value,
            entry.classification.value,
            count,
            extent,
            entry.owner,
            entry.imported_at.strftime("%Y-%m-%d"),
        )
    console.print(table)


@app.command("serve")
def serve(
    workspace: WorkspaceOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Serve every municipality of the workspace: portal, maps and OGC APIs.

    Open http://HOST:PORT/ for the portal; each twin is at /SLUG/, its OGC API Features
    at /SLUG/ogc/ (for QGIS: Layer → Add WFS / OGC API – Features layer).
    """
    import uvicorn

    from viewer.app import create_app, freeze_startup_objects

    ws = workspace_at(workspace)
    if not ws.slugs():
        err_console.print(
            f"[yellow]No municipalities in {ws.root} yet[/yellow]: run `twin demo` or "
            "`twin init CONFIG.toml` first."
        )
    console.print(f"Serving {', '.join(ws.slugs()) or 'nothing'} on http://{host}:{port}/")
    app = create_app(ws)
    freeze_startup_objects()
    uvicorn.run(app, host=host, port=port, log_level="warning")


@app.command("demo")
def demo(
    workspace: WorkspaceOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    serve_it: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the twin after setting it up.")
    ] = True,
    live: Annotated[
        bool,
        typer.Option(
            "--live/--no-live",
            help="Also feed it live: simulated LoRaWAN sensors through the MQTT broker on "
            "127.0.0.1:1883, stored as they arrive (skipped if no broker answers).",
        ),
    ] = False,
) -> None:
    """Set up the fictional sample municipality "Musterstadt" and serve it.

    Same as `twin init` + `twin import` on sample_data/musterstadt/musterstadt.toml,
    then `twin serve`. Re-running it refreshes the sample layers. With `--live`, its
    sensors report every minute while it is served (`twin sensors simulate` + `ingest`).
    """
    from sample_data import get_path

    config = load_config(get_path("musterstadt"))
    ws = workspace_at(workspace)
    init_municipality(config, ws, actor=get_settings().actor)
    import_(config.slug, None, workspace)
    _demo_scenario(ws.store(config.slug), ws.config(config.slug), get_path("musterstadt").parent)
    _demo_logins(ws.store(config.slug), ws.config(config.slug))
    if live:
        from twin.simulate import start_live_demo

        if start_live_demo(ws.config(config.slug), ws.store(config.slug)) is None:
            console.print("[yellow]No MQTT broker on 127.0.0.1:1883: serving without live data.[/]")
        else:
            console.print("Live feed: simulated sensors report every minute.")
    if serve_it:
        serve(workspace, host, port)


def _demo_logins(store: TwinStore, config: MunicipalityConfig) -> None:
    """Give the sample users their published demo passwords and list them once."""
    from twin.accounts import add_demo_users, demo_password

    add_demo_users(store, config, actor=get_settings().actor)
    table = Table(title=f"Demo logins at /{config.slug}/login (fictional users)")
    for column in ("name", "role", "password"):
        table.add_column(column)
    for user in config.users:
        table.add_row(user.name, user.role.value, demo_password(user.role))
    console.print(table)


def _demo_scenario(store: TwinStore, config: MunicipalityConfig, folder: Path) -> None:
    """Give the sample twin its sample Bebauungsplan as a scenario under deliberation, once."""
    from scenarios.model import ScenarioBook
    from scenarios.plans import read_plan

    book = ScenarioBook(store, config)
    if any(record.id == DEMO_SCENARIO for record in store.scenarios()):
        return
    plan, edits = read_plan(
        folder / "plans" / "bplan_am_muehlbach.gml", crs=book.crs, boundary=book.boundary
    )
    actor = get_settings().actor
    book.create(
        DEMO_SCENARIO,
        edits,
        title=f"{plan.name} ({plan.number})",
        description="Fiktiver Bebauungsplan / fictional plan (sample data)",
        actor=actor,
        message="sample plan imported by twin demo",
    )
    book.move(DEMO_SCENARIO, "under_deliberation", actor=actor, note="sample data")
    console.print(
        f"Sample scenario: {DEMO_SCENARIO} (twin scenario show {config.slug} {DEMO_SCENARIO})."
    )


def main() -> None:
    """Entry point: run the app and turn toolkit errors into a message and exit code 1."""
    try:
        app()
    except TwinError as err:
        err_console.print(f"[red]Error:[/red] {escape(str(err))}")
        raise SystemExit(1) from None
