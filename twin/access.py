"""Who is asking, and what their role may do: the one place that decides.

Callers present a bearer token (``Authorization: Bearer twin_…``) made with ``twin token
create SLUG --role ROLE``; without one they are an anonymous citizen. A token belongs to
one municipality's store, so it means nothing in another (tenant isolation).

Scenarios by status (DESIGN: citizens see published ones, the council also those under
deliberation, the administration all of them). Only the administration drafts, edits
and moves scenarios; the lifecycle's allowed moves themselves are in
:mod:`scenarios.model`. A scenario the caller may not see answers exactly like a missing
one, so that drafts do not leak even their names.

Layers and datastreams by classification (DESIGN): ``public`` for everyone, ``council``
for the council and the administration, ``internal`` and ``personal`` for the
administration only. Reads of ``personal`` data are audited by the caller
(:func:`audit_personal_read`). OGC API Features, SensorThings, Processes, the JSON API
and the HTML views all ask here.
"""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum
from typing import Final, NamedTuple

from twin.config import Classification, Role
from twin.errors import AuthenticationError, PermissionDeniedError
from twin.store._scenarios import ScenarioRecord, missing_scenario
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

_OFFICE: Final = frozenset(Classification)
#: Layer and datastream classifications each role may read; ``None`` is the anonymous citizen.
CLASSIFICATIONS: Final[dict[Role | None, frozenset[Classification]]] = {
    None: frozenset({Classification.PUBLIC}),
    Role.PARTICIPANT: frozenset({Classification.PUBLIC}),
    Role.COUNCIL: frozenset({Classification.PUBLIC, Classification.COUNCIL}),
    Role.ADMINISTRATION: _OFFICE,
    Role.ADMIN: _OFFICE,
}


class View(StrEnum):
    """The twin's web views (DESIGN): one policy each over the same data."""

    CITIZEN = "citizen"
    COUNCIL = "council"
    ADMIN = "admin"
    TABLE = "table"


_EVERYONE: Final[frozenset[Role | None]] = frozenset({None, *Role})
#: Who may open each view; the citizen view and the touch table are public.
VIEW_ROLES: Final[dict[View, frozenset[Role | None]]] = {
    View.CITIZEN: _EVERYONE,
    View.TABLE: _EVERYONE,
    View.COUNCIL: frozenset({Role.COUNCIL, Role.ADMINISTRATION, Role.ADMIN}),
    View.ADMIN: frozenset({Role.ADMINISTRATION, Role.ADMIN}),
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


def readable_scenario(store: TwinStore, principal: Principal, scenario_id: str) -> ScenarioRecord:
    """The scenario's record if ``principal`` may see it; else the error of a missing one."""
    record = store.scenario(scenario_id)
    if not may_read_scenario(principal, record.status):
        raise missing_scenario(scenario_id)
    return record


def may_read(principal: Principal, classification: Classification | str) -> bool:
    """Whether ``principal`` may read a layer or datastream with this classification."""
    return Classification(classification) in CLASSIFICATIONS[principal.role]


def sensor_classifications(principal: Principal) -> frozenset[Classification]:
    """Datastream classifications the SensorThings API shows ``principal``.

    Those of :func:`may_read` but ``personal``: a SensorThings client pages through whole
    entity sets and their Observations, which cannot be audited read by read, so personal
    sensor data (e.g. a sponsor's garden sensor) stays in the administration view only.
    """
    return CLASSIFICATIONS[principal.role] - {Classification.PERSONAL}


def audit_personal_read(
    store: TwinStore, principal: Principal, classification: Classification | str, what: str
) -> None:
    """Record that ``principal`` read ``what`` if it holds personal data (GDPR art. 30)."""
    if Classification(classification) == Classification.PERSONAL:
        store.record_read(principal.name, what)


def may_open_view(principal: Principal, view: View) -> bool:
    """Whether ``principal`` may open ``view``."""
    return principal.role in VIEW_ROLES[view]


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
            f"{action} needs the administration's login or token",
            hint="Log in at /SLUG/login, or send 'Authorization: Bearer TOKEN'.",
        )
    raise PermissionDeniedError(
        f"the role {principal.role.value} may not {action}", hint="Only the administration may."
    )


# -- participation: contributions, comments, votes ---------------------------------------
#: Who takes part: anonymous citizens (None) and participants. The council and the
#: administration are whom the contributions address; they read them (and the
#: administration moderates), but do not submit, comment or vote with their office's role.
PARTICIPANTS: Final = frozenset({None, Role.PARTICIPANT})
CONTRIBUTION_STATES: Final = ("pending", "approved", "hidden")
#: Moderation states each role sees of everybody's contributions and comments.
#: Pre-moderation: only approved ones are public. Hidden ones are not listed at all, not
#: even as a placeholder with the reason: they answer 404 like missing ones (as drafts
#: do), the reason is for their author (who sees their own items in every state) and the
#: audit log, and a public "hidden: reason" would keep repeating what was hidden.
CONTRIBUTION_VISIBILITY: Final[dict[Role | None, frozenset[str]]] = {
    None: frozenset({"approved"}),
    Role.PARTICIPANT: frozenset({"approved"}),
    Role.COUNCIL: frozenset({"approved"}),
    Role.ADMINISTRATION: frozenset(CONTRIBUTION_STATES),
    Role.ADMIN: frozenset(CONTRIBUTION_STATES),
}


def participant_key(principal: Principal, voter_cookie: str | None) -> str | None:
    """Who a caller is in participation: ``user:NAME``, or ``anon:SHA256`` of their cookie.

    It makes votes one per voter and lets authors see their own pending contributions.
    A caller with a role is known by name; an anonymous citizen only by the random voter
    cookie the API hands out (its SHA-256 is stored, never the cookie), so one browser
    is one voter. Without a cookie an anonymous caller is nobody yet (None).
    """
    if principal.role is not None:
        return f"user:{principal.name}"
    return f"anon:{token_hash(voter_cookie)}" if voter_cookie else None


def may_see_contribution(
    principal: Principal, state: str, author_key: str, caller_key: str | None
) -> bool:
    """Whether ``principal`` may see a contribution or comment in ``state``.

    Anyone sees approved ones; the administration sees every one; an author sees their
    own in any state, with the moderation reason.
    """
    return state in CONTRIBUTION_VISIBILITY[principal.role] or (
        caller_key is not None and author_key == caller_key
    )


def may_see_authors(principal: Principal) -> bool:
    """Whether ``principal`` sees who wrote a contribution and who moderated it.

    Only the administration: authors' names are personal data, and DIPAS's public
    interface does not show them either.
    """
    return principal.role in EDITORS


def require_participant(principal: Principal, action: str) -> None:
    """Refuse ``action`` (submit, comment, vote) to the council and the administration (403)."""
    if principal.role in PARTICIPANTS:
        return
    role = principal.role.value if principal.role else "anonymous"
    raise PermissionDeniedError(
        f"the role {role} may not {action}",
        hint="Citizens take part, anonymously or with a participant account; the "
        "administration moderates.",
    )


# -- administration view: who manages accounts and reads the audit log -------------------
#: People, keys and the record of who did what are the admin role's alone: whoever can
#: make accounts and tokens can make themselves anything, and the audit log names every
#: person. The rest of the administration view (layers and uploads, sensor health and
#: alerts, moderation, scenario lifecycle) is the work of both office roles (EDITORS).
ACCOUNT_MANAGERS: Final = frozenset({Role.ADMIN})


def may_manage_accounts(principal: Principal) -> bool:
    """Whether ``principal`` may manage users and tokens and read the audit log."""
    return principal.role in ACCOUNT_MANAGERS


def require_account_manager(principal: Principal, action: str) -> None:
    """Refuse ``action`` on users, tokens or the audit log unless the caller is an admin.

    401 for anonymous callers, 403 for every other role (the administration included).
    """
    if may_manage_accounts(principal):
        return
    if principal.role is None:
        raise AuthenticationError(
            f"{action} needs a token", hint="Send a bearer token of an admin."
        )
    raise PermissionDeniedError(
        f"the role {principal.role.value} may not {action}", hint="Only the admin role may."
    )
