"""Who is asking, and what their role may do: the one place that decides.

Callers present a bearer token (``Authorization: Bearer twin_…``) made with ``twin token
create SLUG --role ROLE``; without one they are an anonymous citizen. A token belongs to
one municipality's store, so it means nothing in another (tenant isolation).

Scenarios by status (DESIGN: citizens see published ones, the council also those under
deliberation, the administration all of them). Only the administration drafts, edits
and moves scenarios; the lifecycle's allowed moves themselves are in
:mod:`scenarios.model`. A scenario the caller may not see answers exactly like a missing
one, so that drafts do not leak even their names.

This is the beginning of the access policy: layers by classification, sensor data,
participation and the web views' logins follow the same pattern here.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Final, NamedTuple

from twin.config import Role
from twin.errors import AuthenticationError, PermissionDeniedError
from twin.store.base import TwinStore

TOKEN_PREFIX: Final = "twin_"
EDITORS: Final = frozenset({Role.ADMINISTRATION, Role.ADMIN})
#: Scenario statuses each role may read; ``None`` is the anonymous citizen.
SCENARIO_STATUSES: Final[dict[Role | None, frozenset[str]]] = {
    None: frozenset({"published"}),
    Role.PARTICIPANT: frozenset({"published"}),
    Role.COUNCIL: frozenset({"under_deliberation", "published"}),
    Role.ADMINISTRATION: frozenset({"draft", "under_deliberation", "published", "archived"}),
    Role.ADMIN: frozenset({"draft", "under_deliberation", "published", "archived"}),
}


class Principal(NamedTuple):
    """The caller: a name for the audit log and a role (None: anonymous citizen)."""

    name: str
    role: Role | None


ANONYMOUS: Final = Principal("anonymous", None)


def new_token() -> str:
    """A fresh random token (shown once; only its hash is stored)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 of a token, as the store keeps it."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(store: TwinStore, name: str, role: Role, *, actor: str) -> tuple[int, str]:
    """Store a new token for ``name`` with ``role``; returns its id and the token itself."""
    token = new_token()
    return store.add_token(name, role.value, token_hash(token), actor=actor), token


def authenticate(store: TwinStore, authorization: str | None) -> Principal:
    """The caller of a request with this ``Authorization`` header (anonymous without one)."""
    if not authorization:
        return ANONYMOUS
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError(
            "the Authorization header is not a bearer token",
            hint="Send 'Authorization: Bearer TOKEN' with a token from 'twin token create'.",
        )
    digest = token_hash(token.strip())
    record = store.token_by_hash(digest)
    if record is None or record.revoked_at is not None:  # looked up by hash: no timing leak
        raise AuthenticationError(
            "this token is not valid for this municipality (unknown or revoked)",
            hint="Ask the administration for a token of this municipality.",
        )
    return Principal(record.name, Role(record.role))


def may_read_scenario(principal: Principal, status: str) -> bool:
    """Whether ``principal`` may see a scenario in ``status``."""
    return status in SCENARIO_STATUSES[principal.role]


def may_see_job(principal: Principal, owner: str) -> bool:
    """Whether ``principal`` may see a processes job of ``owner`` (its inputs and results).

    A council member's comparison of drafts is theirs; the administration sees every job;
    anonymous callers share the jobs made anonymously (those read only public data).
    """
    return principal.role in EDITORS or principal.name == owner


def require_editor(principal: Principal, action: str) -> None:
    """Refuse ``action`` unless the caller is the administration (401 anonymous, 403 others)."""
    if principal.role in EDITORS:
        return
    if principal.role is None:
        raise AuthenticationError(
            f"{action} needs a token", hint="Send a bearer token of the administration."
        )
    raise PermissionDeniedError(
        f"the role {principal.role.value} may not {action}", hint="Only the administration may."
    )
