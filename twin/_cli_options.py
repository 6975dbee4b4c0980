"""Options shared by the ``twin`` commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from twin.settings import get_settings
from twin.workspace import Workspace

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Folder with one sub-folder per municipality [env: TWIN_WORKSPACE; "
        "default: ./workspace].",
        show_default=False,
    ),
]


def workspace_at(path: Path | None) -> Workspace:
    """The workspace given on the command line, else the configured one."""
    return Workspace(path or get_settings().workspace)
