"""``twin contributions …``: citizens' contributions of a municipality, listed and exported."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from twin._cli_options import WorkspaceOption, workspace_at
from twin.access import CONTRIBUTION_STATES
from twin.participation import check_event, export_contributions
from twin.store._contributions import ContributionFilter

console = Console()
contributions_app = typer.Typer(
    help="Citizens' contributions (participation): list them for moderation, export them "
    "as GeoJSON or CSV with DIPAS's fields.",
    no_args_is_help=True,
)


@contributions_app.command("list")
def list_contributions(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    state: Annotated[
        str | None, typer.Option(help="Only this moderation state: pending, approved or hidden.")
    ] = None,
    event: Annotated[str | None, typer.Option(help="Only contributions of this event.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """List contributions with their state, votes and comments, newest first.

    For example `twin contributions list musterstadt --state pending` shows what waits
    for moderation (approve or hide through the JSON API or the administration view).
    """
    space = workspace_at(workspace)
    store, config = space.store(slug), space.config(slug, check_files=False)
    if state is not None and state not in CONTRIBUTION_STATES:
        raise typer.BadParameter(
            f"{state!r} is not a state; use one of {', '.join(CONTRIBUTION_STATES)}",
            param_hint="--state",
        )
    if event is not None:
        check_event(config.participation, event)
    records, matched = store.contributions(
        ContributionFilter(
            visible=CONTRIBUTION_STATES,
            states=None if state is None else (state,),
            event=event,
        )
    )
    table = Table(title=f"Contributions: {slug} ({matched})")
    for column in ("id", "state", "created", "category", "source", "event", "title", "author"):
        table.add_column(column)
    table.add_column("+/-", justify="right")
    table.add_column("comments", justify="right")
    for r in records:
        table.add_row(
            str(r.id),
            r.state + (f" ({r.reason})" if r.reason else ""),
            r.created_at,
            r.category,
            r.source,
            r.event or "",
            r.title,
            r.author,
            f"{r.up}/{r.down}",
            str(r.comments),
        )
    console.print(table)


@contributions_app.command("export")
def export(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    event: Annotated[str | None, typer.Option(help="Only this event's contributions.")] = None,
    format: Annotated[
        Literal["geojson", "csv"], typer.Option("--format", help="GeoJSON or CSV.")
    ] = "geojson",
    state: Annotated[
        Literal["approved", "all"],
        typer.Option(help="approved (what the public sees) or all (with moderation state)."),
    ] = "approved",
    out: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output).")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Export contributions with their comments and votes, in DIPAS's field names.

    GeoJSON (WGS 84) with the properties of DIPAS's public interface, or CSV with the
    columns of DIPAS's export (`;`, UTF-8 with BOM for German Excel, geometry as WKT).
    For example `twin contributions export musterstadt --event werkstatt-muehlbach
    --format csv --out beitraege.csv`.
    """
    space = workspace_at(workspace)
    content, _, filename = export_contributions(
        space.store(slug),
        space.config(slug, check_files=False),
        event=event,
        state=state,
        fmt=format,
        link=f"/{slug}/api/contributions/",
    )
    if out is None:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return
    out.write_bytes(content)
    console.print(f"Wrote {out} ({filename.rsplit('.', 1)[-1]}, {len(content):,} bytes).")
