"""``twin heat …``: heat-island maps and scenarios from the command line."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from twin._cli_options import WorkspaceOption, workspace_at
from twin.errors import TwinError

if TYPE_CHECKING:  # the model is imported on first use: `twin --help` stays quick
    import geopandas as gpd

console = Console()

heat_app = typer.Typer(
    help="Heat-island model (InVEST urban cooling): maps, calibration, scenarios.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)

Method = Literal["factors", "intensity"]
SensorChoice = Literal["auto", "none", "latest", "period"]
RADII_M = (100.0, 200.0, 300.0, 500.0, 750.0, 1000.0)


def _when(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise TwinError(
            f"{option} {text!r} is not a time",
            hint="Write ISO 8601, e.g. 2025-07-15T14:00 (UTC if no offset).",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _extent(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        minx, miny, maxx, maxy = (float(part) for part in text.split(","))
    except ValueError:
        raise TwinError(
            f"--extent {text!r} is not four numbers",
            hint="Write minx,miny,maxx,maxy, e.g. 632000,5496000,634000,5498000.",
        ) from None
    return minx, miny, maxx, maxy


@heat_app.command("run")
def run(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    workspace: WorkspaceOption = None,
    scenario: Annotated[
        str | None,
        typer.Option(help="Stored scenario, ID or ID@VERSION (`twin scenario list SLUG`)."),
    ] = None,
    edits: Annotated[
        Path | None,
        typer.Option(
            help="GeoJSON file of edits, each a feature with an `edit` property: designate, "
            "add_building, modify_buildings, remove_buildings, plant_trees, remove_trees, "
            "unseal, seal "
            "(docs/heat-model.md).",
        ),
    ] = None,
    cell_size: Annotated[
        float | None, typer.Option(help="Cell size in m [default: config, 10].")
    ] = None,
    method: Annotated[
        Method | None,
        typer.Option(
            help="`factors` (day: shade, albedo, evapotranspiration) or `intensity` (night: "
            "building density) [default: config]."
        ),
    ] = None,
    t_ref: Annotated[float | None, typer.Option(help="Rural reference temperature, °C.")] = None,
    uhi_max: Annotated[float | None, typer.Option(help="Largest heat-island effect, K.")] = None,
    t_ref_from_dwd: Annotated[
        Path | None,
        typer.Option(help="DWD daily file (produkt_klima_tag_*.txt) giving T_ref for --date."),
    ] = None,
    date: Annotated[str | None, typer.Option(help="Day for --t-ref-from-dwd, YYYY-MM-DD.")] = None,
    dwd_element: Annotated[
        str,
        typer.Option(
            help="DWD element for T_ref: TXK (daily max, for the day method) or TMK (mean)."
        ),
    ] = "TXK",
    sensors: Annotated[
        SensorChoice,
        typer.Option(
            help="Calibrate with the twin's air-temperature sensors: `latest` values, a "
            "`period` (--start/--end), `none`, or `auto` (latest if there are any and "
            "--uhi-max is not given)."
        ),
    ] = "auto",
    start: Annotated[str | None, typer.Option(help="Period start (ISO 8601).")] = None,
    end: Annotated[str | None, typer.Option(help="Period end (ISO 8601).")] = None,
    statistic: Annotated[
        Literal["mean", "max"], typer.Option(help="Per-station value of the period.")
    ] = "mean",
    fit_radius: Annotated[
        bool,
        typer.Option(
            help=f"Also fit the averaging radius (tries {', '.join(f'{r:g}' for r in RADII_M)} m)."
        ),
    ] = False,
    live_map: Annotated[
        bool,
        typer.Option(
            help="Also write T_air_live.tif: the map corrected by the stations' residuals."
        ),
    ] = False,
    lang: Annotated[Literal["de", "en"], typer.Option(help="Language of map titles.")] = "de",
    out: Annotated[
        Path | None,
        typer.Option(help="Output folder [default: WORKSPACE/SLUG/heat/<scenario or base>]."),
    ] = None,
) -> None:
    """Compute the heat map of a municipality, and of a scenario if one is given.

    Writes Cloud-Optimised GeoTIFFs with InVEST's names (`cc.tif`, `hm.tif`,
    `T_air_nomix.tif`, `T_air.tif`, …), PNG maps, statistics per district
    (`zones.geojson`, `zones.csv`: mean/max temperature, area above 30/35 °C, residents
    and sensitive sites in hot cells) and `run.json` with every parameter and source.
    With a scenario: the same for the scenario in `scenario/`, plus `difference.tif/.png`
    and the districts' changes.

    For example:

    * `twin heat run musterstadt`
    * `twin heat run musterstadt --method intensity --sensors latest --fit-radius --live-map`
    * `twin heat run musterstadt --t-ref-from-dwd produkt_klima_tag_01975.txt --date 2023-06-18`
    * `twin heat run musterstadt --edits park.geojson`
    """
    from pyproj import CRS

    from scenarios.edits import read_edits
    from scenarios.heat_calibration import dwd_reference_temperature, live_heat_map, parse_day
    from scenarios.heat_files import write_base, write_live, write_scenario
    from scenarios.heat_twin import TwinHeat, parameters_from
    from scenarios.heat_zones import with_changes
    from scenarios.model import ScenarioBook

    ws = workspace_at(workspace)
    config = ws.config(slug)
    store = ws.store(slug)
    if scenario and edits:
        raise TwinError("give either --scenario or --edits, not both")
    changes = None  # read and checked before the model is built, so mistakes show at once
    if scenario:
        changes = ScenarioBook(store, config).load(scenario).edits
    elif edits is not None:
        changes = read_edits(edits, crs=CRS(config.crs), boundary=store.municipality().boundary)
    source = "config"
    if t_ref_from_dwd is not None:
        if date is None:
            raise TwinError("--t-ref-from-dwd needs --date YYYY-MM-DD")
        t_ref = dwd_reference_temperature(t_ref_from_dwd, parse_day(date), element=dwd_element)
        source = f"DWD {t_ref_from_dwd.name} {dwd_element} {date}"
    elif t_ref is not None:
        source = "command line"
    parameters = parameters_from(config.heat, t_ref=t_ref, uhi_max=uhi_max)
    if method:
        parameters = replace(parameters, cc_method=method)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("Rasterising land cover", total=None)
        model = TwinHeat(
            config,
            store,
            cell_size=cell_size,
            parameters=parameters,
            progress=lambda cells: progress.advance(task, cells),
        )
        calibration = None
        use_sensors = sensors
        if sensors == "auto":
            has_sensors = any(s.kind == "air_temperature" for s in config.sensors)
            use_sensors = "latest" if has_sensors and uhi_max is None else "none"
        if use_sensors == "period" and start is None and end is None:
            raise TwinError("--sensors period needs --start and/or --end")
        if use_sensors != "none":
            progress.update(task, description="Calibrating with sensors")
            calibration = model.calibrate(
                store,
                start=_when(start, "--start"),
                end=_when(end, "--end"),
                statistic=statistic,
                t_ref=t_ref,
                t_ref_source=source,
                radii=RADII_M if fit_radius else (),
                only_if_plausible=sensors == "auto",
            )
            if not calibration.plausible:
                console.print(
                    f"[yellow]The sensors do not fit this model setting[/yellow] "
                    f"({calibration.summary()}). "
                    + (
                        "Using T_ref and UHI_max from the config instead. "
                        if sensors == "auto"
                        else ""
                    )
                    + "Night-time readings need --method intensity; daytime ones --method factors."
                )
                if sensors == "auto":
                    calibration = None
        progress.update(task, description="Writing maps")
        name = scenario.replace("@", "-v") if scenario else (edits.stem if edits else "base")
        target = out or ws.folder(slug) / "heat" / name
        table = model.statistics(model.base)
        written = write_base(model, table, target, lang)
        if live_map:
            if calibration is None:
                raise TwinError(
                    "--live-map needs sensors to correct the map with",
                    hint="Use --sensors latest or --sensors period.",
                )
            live = live_heat_map(
                model.base.t_air(), model.grid, model.readings, calibration.residuals
            )
            written += write_live(model, live, target, lang)
        result = None
        if changes is not None:
            progress.update(task, description="Computing the scenario")
            result = model.scenario(changes)
            table = with_changes(model.statistics(result.result, result.cover), table)
            written += write_scenario(model, result, table, target, lang)
    if calibration is not None:
        console.print(f"Calibration: {calibration.summary(model.base.parameters)}")
    _print_districts(table, scenario=result is not None)
    run_info = {
        "municipality": slug,
        "computed": datetime.now(UTC).isoformat(timespec="seconds"),
        "grid": {
            "cell_size_m": model.grid.cell_size,
            "width": model.grid.width,
            "height": model.grid.height,
            "crs": config.crs,
        },
        "parameters": asdict(model.base.parameters),
        "t_ref_source": calibration.t_ref_source if calibration else source,
        "calibration": asdict(calibration) if calibration else None,
        "scenario": scenario,
        "edits": str(edits) if edits else None,
        "layers": {
            layer.name: {"source": layer.source, "licence": layer.licence}
            for layer in config.layers
        },
        "model": "InVEST Urban Cooling Model 3.20 equations (docs/heat-model.md)",
    }
    (target / "run.json").write_text(
        json.dumps(run_info, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    console.print(f"[green]✓[/green] {len(written) + 1} files in {target}")


def _print_districts(table: gpd.GeoDataFrame, *, scenario: bool) -> None:
    """District table on the terminal: mean/max temperature, hot area, residents exposed."""
    name = "name" if "name" in table.columns else table.columns[0]
    columns = ["avg_tmp_v", "max_tmp_v", "area_ha_above_30", "residents_above_30"]
    if scenario:
        columns = [*columns[:2], "delta_avg_tmp_v", "delta_max_tmp_v", "delta_residents_above_30"]
    view = Table("district", *columns)
    for row in table.itertuples():
        view.add_row(
            str(getattr(row, name)),
            *(f"{getattr(row, c):.2f}" if c in table.columns else "–" for c in columns),
        )
    console.print(view)


@heat_app.command("run-raw")
def run_raw(
    lulc: Annotated[Path, typer.Option(help="Land-use/land-cover GeoTIFF (integer codes).")],
    biophysical_table: Annotated[
        Path,
        typer.Option(help="CSV with lucode, shade, kc, albedo, green_area[, building_intensity]."),
    ],
    ref_eto: Annotated[
        str,
        typer.Option(
            help="Reference evapotranspiration: a GeoTIFF, or one number (mm) for all cells."
        ),
    ],
    aoi: Annotated[Path, typer.Option(help="Areas of interest (polygons) for statistics.")],
    green_area_cooling_distance: Annotated[float, typer.Option(help="m, e.g. 450.")],
    t_air_average_radius: Annotated[float, typer.Option(help="m, e.g. 500.")],
    t_ref: Annotated[float, typer.Option(help="Reference air temperature, °C.")],
    uhi_max: Annotated[float, typer.Option(help="Largest heat-island effect, K.")],
    out: Annotated[Path, typer.Option(help="Folder for the results.")],
    cc_method: Annotated[
        Method, typer.Option(help="`factors` (day) or `intensity` (night).")
    ] = "factors",
    cc_weight_shade: Annotated[float, typer.Option(help="Weight of shade.")] = 0.6,
    cc_weight_albedo: Annotated[float, typer.Option(help="Weight of albedo.")] = 0.2,
    cc_weight_eti: Annotated[float, typer.Option(help="Weight of evapotranspiration.")] = 0.2,
    chunk: Annotated[
        int | None,
        typer.Option(
            help="Compute in chunks of this many cells per side with Dask (large rasters)."
        ),
    ] = None,
    dask_scheduler: Annotated[
        str | None,
        typer.Option(
            help="Address of a Dask scheduler (tcp://host:8786) to compute on; implies chunks."
        ),
    ] = None,
) -> None:
    """Run the urban cooling model on InVEST's own input files, as InVEST would.

    Reads the same inputs and table columns as natcap.invest's Urban Cooling Model and
    writes `cc.tif`, `hm.tif`, `T_air_nomix.tif`, `T_air.tif` (plus `cc_park.tif` and
    `green_area_sum.tif`) and `uhi_results.geojson`/`.csv` with InVEST's statistics per
    AOI polygon (avg_cc, avg_tmp_v, avg_tmp_an) and more (max, area above 30/35 °C).

    For example: `twin heat run-raw --lulc lulc.tif --biophysical-table bio.csv
    --ref-eto et0.tif --aoi aoi.gpkg --green-area-cooling-distance 450
    --t-air-average-radius 500 --t-ref 21.5 --uhi-max 3.5 --out results`
    """
    from scenarios.heat import HeatModel, HeatParameters
    from scenarios.heat_outputs import write_result, write_zones
    from scenarios.heat_raw import read_inputs
    from scenarios.heat_zones import zone_statistics

    try:
        et0: Path | float = float(ref_eto)
    except ValueError:
        et0 = Path(ref_eto)
    parameters = HeatParameters(
        t_ref=t_ref,
        uhi_max=uhi_max,
        green_area_cooling_distance=green_area_cooling_distance,
        t_air_average_radius=t_air_average_radius,
        cc_method=cc_method,
        weight_shade=cc_weight_shade,
        weight_albedo=cc_weight_albedo,
        weight_eti=cc_weight_eti,
    )
    with console.status("Reading inputs"):
        inputs = read_inputs(lulc, biophysical_table, et0, aoi)
        inputs.table.check_columns(cc_method, source=str(biophysical_table))
        surface = inputs.surface()
    cells = inputs.grid.width * inputs.grid.height
    with console.status(f"Computing {cells:,} cells"):
        if chunk or dask_scheduler:
            from scenarios.heat_dask import run_on

            result = run_on(
                surface,
                cell_size=inputs.grid.cell_size,
                parameters=parameters,
                chunk=chunk or 4096,
                scheduler=dask_scheduler,
            )
        else:
            model = HeatModel.for_surface(
                surface, cell_size=inputs.grid.cell_size, parameters=parameters
            )
            result = model.run(surface)
    with console.status("Writing results"):
        files = write_result(result, inputs.grid, out)
        files += write_zones(
            zone_statistics(result, inputs.grid, inputs.aoi), out, stem="uhi_results"
        )
    console.print(f"[green]✓[/green] {len(files)} files in {out}")
