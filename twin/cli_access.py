"""``twin token …`` and ``twin users …``: who may use a municipality's twin, with which role.

Tokens are for programs (QGIS, scripts, sensor gateways); users log in to the web views
with a password. Both are stored hashed in the municipality's own store.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from twin._cli_options import WorkspaceOption, workspace_at
from twin.access import create_token
from twin.accounts import MIN_PASSWORD_LENGTH, add_user, set_password
from twin.config import Role
from twin.settings import get_settings
from twin.store._users import UserRecord

console = Console()
token_app = typer.Typer(
    help="API tokens with a role: draft scenarios and see drafts, run processes, write sensor data.",
    no_args_is_help=True,
)
users_app = typer.Typer(
    help="People who log in to the council and administration views with a name and password.",
    no_args_is_help=True,
)
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of standard input (for scripts).",
    ),
]


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
    rows = [
        (str(k.id), k.name, k.role, k.created_at, k.created_by, k.revoked_at or "")
        for k in workspace_at(workspace).store(slug).tokens()
    ]
    _print_table(f"Tokens: {slug}", ("id", "name", "role", "created", "by", "revoked"), rows)


@token_app.command("revoke")
def revoke(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    token_id: Annotated[int, typer.Argument(metavar="ID", help="Id from 'twin token list'.")],
    workspace: WorkspaceOption = None,
) -> None:
    """Make a token stop working at once."""
    workspace_at(workspace).store(slug).revoke_token(token_id, actor=get_settings().actor)
    console.print(f"Token {token_id} revoked.")


def _print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Print ``rows`` under ``columns``: the listings of tokens and users look alike."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _password(from_stdin: bool) -> str:
    """The new password: from stdin for scripts, else asked twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(
        typer.prompt(
            f"Password (at least {MIN_PASSWORD_LENGTH} characters)",
            hide_input=True,
            confirmation_prompt=True,
        )
    )


@users_app.command("add")
def add(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    name: Annotated[str, typer.Argument(help="The person's name; they log in with it.")],
    role: Annotated[Role, typer.Option(help="What the person may see and do.")],
    email: Annotated[str, typer.Option(help="Contact address (shown to admins only).")] = "",
    password_stdin: PasswordStdin = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Add a user who logs in at /SLUG/login.

    For example: `twin users add musterstadt "Renate Rat" --role council` asks for the
    password twice. Roles: participant (takes part, sees what is public), council (also
    scenarios under deliberation and council layers), administration (everything, manages
    data, scenarios and moderation), admin (also users and the audit log).
    """
    store = workspace_at(workspace).store(slug)
    password = _password(password_stdin)
    add_user(store, name, role, password, email=email, actor=get_settings().actor)
    console.print(f"User {name!r} ({role.value}) added to {slug}; log in at /{slug}/login.")


@users_app.command("list")
def list_users(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    workspace: WorkspaceOption = None,
) -> None:
    """List a municipality's users and whether they can log in."""
    rows = [
        (u.name, u.role, u.email, u.created_at, u.created_by, _login_state(u))
        for u in workspace_at(workspace).store(slug).users()
    ]
    _print_table(f"Users: {slug}", ("name", "role", "email", "created", "by", "state"), rows)


def _login_state(user: UserRecord) -> str:
    """Whether ``user`` can log in: disabled (for good), locked (for a while) or active."""
    if user.disabled_at:
        return f"disabled {user.disabled_at}"
    if user.locked_until:
        return f"locked until {user.locked_until}"
    return "active"


@users_app.command("password")
def password(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    name: Annotated[str, typer.Argument(help="The user's name.")],
    password_stdin: PasswordStdin = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Set a new password (also lifts a lock-out; open sessions end)."""
    store = workspace_at(workspace).store(slug)
    set_password(store, name, _password(password_stdin), actor=get_settings().actor)
    console.print(f"New password set for {name!r}.")


@users_app.command("disable")
def disable(
    slug: Annotated[str, typer.Argument(help="Municipality slug.")],
    name: Annotated[str, typer.Argument(help="The user's name.")],
    workspace: WorkspaceOption = None,
) -> None:
    """Stop a user from logging in at once (they stay listed for the audit log)."""
    workspace_at(workspace).store(slug).disable_user(name, actor=get_settings().actor)
    console.print(f"User {name!r} disabled; their sessions have ended.")
