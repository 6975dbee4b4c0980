"""``twin token …``: API tokens of a municipality, each with a role."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from twin._cli_options import WorkspaceOption, workspace_at
from twin.access import create_token
from twin.config import Role
from twin.settings import get_settings

console = Console()
token_app = typer.Typer(
    help="API tokens with a role: draft scenarios and see drafts, run processes, write sensor data.",
    no_args_is_help=True,
)


@token_app.command("create")
def create(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    role: Annotated[Role, typer.Option(help="What the token may do.")],
    name: Annotated[str, typer.Option(help="Whose token it is (shown in the audit log).")] = "",
    workspace: WorkspaceOption = None,
) -> None:
    """Create a token and print it on the last line (it is shown only this once).

    Send it as `Authorization: Bearer TOKEN`. For example:
    `twin token create musterstadt --role administration --name "Stadtplanungsamt"`.
    """
    store = workspace_at(workspace).store(slug)
    token_id, token = create_token(store, name or role.value, role, actor=get_settings().actor)
    console.print(
        f"Token {token_id} ({role.value}) for {slug}; keep it secret, it is not shown again:"
    )
    print(token)


@token_app.command("list")
def list_tokens(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    workspace: WorkspaceOption = None,
) -> None:
    """List a municipality's tokens (never the tokens themselves)."""
    table = Table(title=f"Tokens: {slug}")
    for column in ("id", "name", "role", "created", "by", "revoked"):
        table.add_column(column)
    for record in workspace_at(workspace).store(slug).tokens():
        table.add_row(
            str(record.id),
            record.name,
            record.role,
            record.created_at,
            record.created_by,
            record.revoked_at or "",
        )
    console.print(table)


@token_app.command("revoke")
def revoke(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    token_id: Annotated[int, typer.Argument(metavar="ID", help="Id from 'twin token list'.")],
    workspace: WorkspaceOption = None,
) -> None:
    """Make a token stop working at once."""
    workspace_at(workspace).store(slug).revoke_token(token_id, actor=get_settings().actor)
    console.print(f"Token {token_id} revoked.")
