"""``twin sensors …``: the municipality's sensor feeds from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from twin._cli_options import WorkspaceOption, workspace_at
from twin.settings import get_settings

console = Console()

sensors_app = typer.Typer(
    help="Sensor feeds: list datastreams and import observation files.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)


@sensors_app.command("list")
def list_(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    workspace: WorkspaceOption = None,
) -> None:
    """List the municipality's datastreams with their observation counts and time range."""
    store = workspace_at(workspace).store(slug)
    table = Table("sensor", "name", "kind", "unit", "classification", "observations", "from", "to")
    for record in store.datastreams():
        table.add_row(
            record.key,
            escape(record.name),
            record.kind,
            record.unit,
            record.classification,
            f"{record.observations:,}",
            (record.first or "–")[:16],
            (record.last or "–")[:16],
        )
    if not table.row_count:
        console.print(
            f"No sensors registered for {slug}: add [[sensors]] to its config and run `twin import {slug}`."
        )
        return
    console.print(table)


@sensors_app.command("import-csv")
def import_csv(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    sensor: Annotated[
        str, typer.Argument(help="Sensor id from the config's [[sensors]], e.g. 'T01'.")
    ],
    file: Annotated[Path, typer.Argument(help="CSV file with observations.")],
    workspace: WorkspaceOption = None,
    unit: Annotated[
        str | None,
        typer.Option(help="Unit of the file's values if not the datastream's (converted)."),
    ] = None,
    dwd: Annotated[
        str | None,
        typer.Option(
            help="Read a DWD CDC daily file (produkt_klima_tag_*.txt); give the element, e.g. TMK."
        ),
    ] = None,
    time_column: Annotated[str, typer.Option(help="Column with ISO 8601 times.")] = "time",
    value_column: Annotated[str, typer.Option(help="Column with the values.")] = "value",
    host: Annotated[str, typer.Option(help="MQTT broker host for notifications.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="MQTT broker port for notifications.")] = 1883,
) -> None:
    """Append observations from a CSV file to a sensor's datastream (duplicates are skipped).

    Plain files have a time and a value column (any separator, decimal comma accepted);
    `--dwd TMK` reads the German Weather Service's daily climate files (`-999` = missing).
    Units are checked against the datastream: K, °F, m, mm and m³/m³ are converted, other
    mismatches are refused. New public observations are then published on
    `v1.1/Datastreams(ID)/Observations` of the MQTT broker (without one, only a warning).
    """
    from functools import partial

    from layers.sensors.publish import announce, sta_url
    from twin.sensors import import_csv as load

    ws = workspace_at(workspace)
    base = sta_url(get_settings().public_url, slug)
    count = load(
        ws.store(slug),
        sensor,
        file,
        actor=get_settings().actor,
        unit=unit,
        dwd_element=dwd,
        time_column=time_column,
        value_column=value_column,
        config=ws.config(slug),
        announce=partial(announce, base=base, host=host, port=port),
    )
    console.print(
        f"[green]✓[/green] {sensor}: {count.new:,} new observation(s), {count.duplicate:,} already stored"
    )


@sensors_app.command("ingest")
def ingest(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    workspace: WorkspaceOption = None,
    host: Annotated[str, typer.Option(help="MQTT broker host.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="MQTT broker port.")] = 1883,
    seconds: Annotated[
        float | None, typer.Option(help="Stop after this many seconds (default: run until Ctrl-C).")
    ] = None,
) -> None:
    """Store live observations from an MQTT broker until stopped.

    Subscribes (QoS 1, persistent session) to LoRaWAN uplinks of The Things Stack v3
    (`v3/+/devices/+/up`) and ChirpStack v4 (`application/+/device/+/event/up`) for the
    devices in the config's `[[sensors]] device`, and to SensorThings messages
    (`v1.1/Datastreams(ID)/Observations`). Messages are acknowledged only once stored;
    unusable ones are kept as dead letters with the reason. New public observations are
    published on `v1.1/Datastreams(ID)/Observations` and `v1.1/Observations`, with links
    from `TWIN_PUBLIC_URL`.
    """
    import threading

    from layers.sensors.mqtt import MqttIngest
    from layers.sensors.publish import sta_url
    from twin.sensors import after_batch, live_router

    ws = workspace_at(workspace)
    store = ws.store(slug)
    router = live_router(ws.config(slug, check_files=False), store)
    config = ws.config(slug, check_files=False)
    worker = MqttIngest(
        store,
        router,
        host=host,
        port=port,
        client_id=f"twin-ingest-{slug}",
        on_batch=lambda ids: after_batch(config, store, ids, actor="mqtt-ingest"),
        sta_url=sta_url(get_settings().public_url, slug),
    )
    stop = threading.Event()
    if seconds is not None:
        threading.Timer(seconds, stop.set).start()
    console.print(f"Listening on {host}:{port} for {len(router.devices)} device(s); Ctrl-C stops.")
    try:
        worker.run(stop=stop)
    except KeyboardInterrupt:
        stop.set()
    console.print(
        f"[green]✓[/green] {worker.totals.new:,} new observation(s), "
        f"{worker.totals.duplicate:,} duplicate(s), {worker.dead:,} dead letter(s)"
    )


@sensors_app.command("alerts")
def alerts(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    workspace: WorkspaceOption = None,
    all_: Annotated[bool, typer.Option("--all", help="Also list closed alerts.")] = False,
    evaluate: Annotated[
        bool, typer.Option(help="Evaluate the config's [[alerts]] rules on the newest data first.")
    ] = True,
) -> None:
    """List alerts (open and acknowledged; `--all` adds closed ones)."""
    from twin.fusion import evaluate_alerts

    ws = workspace_at(workspace)
    store = ws.store(slug)
    if evaluate:
        evaluate_alerts(ws.config(slug, check_files=False), store)
    table = Table("id", "state", "opened", "value at", "message")
    for alert in store.alerts(active_only=not all_):
        table.add_row(
            str(alert.id),
            alert.state,
            alert.opened_at[:16],
            alert.observed_at[:16],
            escape(alert.message),
        )
    console.print(table if table.row_count else "No alerts.")


def _change(slug: str, alert_id: int, state: str, note: str, workspace: Path | None) -> None:
    workspace_at(workspace).store(slug).change_alert(
        alert_id, state, actor=get_settings().actor, note=note
    )
    console.print(f"[green]✓[/green] alert {alert_id} {state}")


@sensors_app.command("ack")
def acknowledge(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    alert_id: Annotated[int, typer.Argument(help="Alert id from `twin sensors alerts`.")],
    note: Annotated[str, typer.Option(help="What is being done, e.g. 'Wässerung bestellt'.")] = "",
    workspace: WorkspaceOption = None,
) -> None:
    """Acknowledge an open alert (someone takes care of it)."""
    _change(slug, alert_id, "acknowledged", note, workspace)


@sensors_app.command("close")
def close(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    alert_id: Annotated[int, typer.Argument(help="Alert id from `twin sensors alerts`.")],
    note: Annotated[str, typer.Option(help="Why it is closed.")] = "",
    workspace: WorkspaceOption = None,
) -> None:
    """Close an alert by hand (alerts also close by themselves when values recover)."""
    _change(slug, alert_id, "closed", note, workspace)


@sensors_app.command("simulate")
def simulate(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    workspace: WorkspaceOption = None,
    host: Annotated[str, typer.Option(help="MQTT broker host.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="MQTT broker port.")] = 1883,
    seconds: Annotated[float, typer.Option(help="How long to publish (real seconds).")] = 60.0,
    speed: Annotated[float, typer.Option(help="Simulated seconds per real second.")] = 900.0,
) -> None:
    """Publish a realistic LoRaWAN feed for the municipality's devices (for demos).

    Run `twin sensors ingest SLUG` beside it to watch live values, quality flags and
    alerts arrive; one device is stuck on one value and some messages are malformed.
    """
    from twin.simulate import simulate as run

    config = workspace_at(workspace).config(slug, check_files=False)
    counts = run(config, host=host, port=port, seconds=seconds, speed=speed)
    console.print(
        f"[green]✓[/green] {counts['uplinks']:,} uplink(s) from {counts['devices']} device(s), "
        f"{counts['malformed']:,} of them malformed on purpose"
    )


@sensors_app.command("health")
def health(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    workspace: WorkspaceOption = None,
) -> None:
    """Show each sensor's health: last data, flagged share, stale or degraded, and why."""
    from datetime import UTC, datetime

    from twin.sensors import sensor_health

    ws = workspace_at(workspace)
    store = ws.store(slug)
    table = Table("sensor", "status", "observations", "last", "flagged", "message")
    colours = {"ok": "green", "degraded": "yellow", "stale": "red", "no_data": "red"}
    for record, state in sensor_health(store, now=datetime.now(UTC), config=ws.config(slug)):
        table.add_row(
            record.key,
            f"[{colours[state.status]}]{state.status}[/]",
            f"{state.observations:,}",
            state.last.strftime("%Y-%m-%d %H:%M") if state.last else "–",
            f"{sum(state.flagged_share.values()):.1%}",
            escape(f"{state.message_de} / {state.message_en}"),
        )
    console.print(table if table.row_count else "No sensors registered.")


@sensors_app.command("harvest")
def harvest(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    workspace: WorkspaceOption = None,
    source: Annotated[
        str | None, typer.Option(help="Only this [[harvest]] source of the config (by name).")
    ] = None,
) -> None:
    """Copy new observations from the SensorThings servers in the config's `[[harvest]]`.

    Incremental (only observations newer than the newest stored one) and resumable: run
    it again after an interruption, or regularly (cron, systemd timer) to stay current.
    """
    from layers.crs import require_metric_crs
    from layers.sensors.sensorthings import harvest as run

    ws = workspace_at(workspace)
    config = ws.config(slug, check_files=False)
    store = ws.store(slug)
    sources = [s for s in config.harvest if source is None or s.name == source]
    if not sources:
        console.print(
            f"No [[harvest]] source{' ' + repr(source) if source else ''} in the config of {slug}."
        )
        raise typer.Exit(1)
    for item in sources:
        results = run(
            store,
            source=item.name,
            url=item.url,
            to_crs=require_metric_crs(config.crs),
            datastream_filter=item.filter,
            classification=item.classification.value,
            page_size=item.page_size,
            actor=get_settings().actor,
        )
        new = sum(r.count.new for r in results)
        console.print(
            f"[green]✓[/green] {item.name}: {len(results)} datastream(s), {new:,} new observation(s)"
        )


@sensors_app.command("import-things")
def import_things(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    file: Annotated[Path, typer.Argument(help="CSV export of SensorThings Things + Locations.")],
    kind: Annotated[
        str, typer.Option(help="Sensor kind of these Things, e.g. bicycle_counter.")
    ] = "other",
    unit: Annotated[str, typer.Option(help="Unit of their datastreams.")] = "",
    prefix: Annotated[str, typer.Option(help="Prefix of the sensor ids (source name).")] = "sta",
    workspace: WorkspaceOption = None,
) -> None:
    """Register the Things of a SensorThings CSV export (e.g. a FROST server's) as sensors.

    Each row becomes a sensor `PREFIX:IOT_ID` at its location, reprojected to the
    municipality's CRS; running it again updates them instead of adding copies.
    """
    from layers.crs import require_metric_crs
    from layers.sensors.csv import read_sta_things
    from twin.store.base import SensorSite

    ws = workspace_at(workspace)
    store = ws.store(slug)
    things = read_sta_things(file, to_crs=require_metric_crs(store.municipality().crs))
    for thing in things:
        site = SensorSite(f"{prefix}:{thing.iot_id}", thing.name, kind, thing.x, thing.y, unit)
        store.register_sensor(site, actor=get_settings().actor)
    console.print(f"[green]✓[/green] {len(things)} Thing(s) registered from {file.name}")


@sensors_app.command("dead-letters")
def dead_letters(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    workspace: WorkspaceOption = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
) -> None:
    """Show live messages that could not be stored, with the reason and the raw payload."""
    table = Table("received", "topic", "reason", "payload")
    for letter in workspace_at(workspace).store(slug).dead_letters(limit=limit):
        payload = letter.payload[:60].decode("utf-8", errors="replace")
        table.add_row(
            letter.received_at[:19], escape(letter.topic), escape(letter.reason), escape(payload)
        )
    console.print(table if table.row_count else "No dead letters.")
