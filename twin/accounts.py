"""Users, passwords and web sessions: how a person logs in to a municipality's views.

Passwords are stored as scrypt hashes (salted, memory-hard) so that a stolen GeoPackage
does not reveal them. A login opens a session: the browser keeps a random value in an
HttpOnly cookie, the store keeps only its SHA-256, and each session has its own CSRF
token that every form and script must send back with a write. Five wrong passwords in a
row lock a user for 15 minutes, and a wrong name costs as much time as a wrong password,
so logins reveal neither passwords nor which names exist.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Final, NamedTuple

from twin.access import Principal, token_hash
from twin.config import MunicipalityConfig, Role
from twin.errors import AuthenticationError, InvalidRequestError
from twin.store._connections import utc_now
from twin.store.base import TwinStore

MIN_PASSWORD_LENGTH: Final = 10
SESSION_LIFETIME: Final = timedelta(hours=8)
"""A working day; after that the browser asks for the password again."""
LOCK_AFTER: Final = 5
LOCK_FOR: Final = timedelta(minutes=15)
_SCRYPT: Final = {"n": 2**14, "r": 8, "p": 1}
_DUMMY_HASH: Final = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "="


class Session(NamedTuple):
    """A new login: the cookie value (shown to the browser only) and its CSRF token."""

    cookie: str
    csrf: str


def hash_password(password: str) -> str:
    """A salted scrypt hash in one self-describing string."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    parts = [str(_SCRYPT[k]) for k in ("n", "r", "p")]
    return "$".join(["scrypt", *parts, _b64(salt), _b64(digest)])


def password_matches(password: str, stored: str) -> bool:
    """Whether ``password`` gives ``stored`` (compared in constant time)."""
    _, n, r, p, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(
        password.encode(), salt=base64.b64decode(salt), dklen=32, n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def check_password(password: str) -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidRequestError(
            f"the password has {len(password)} characters; it needs at least {MIN_PASSWORD_LENGTH}",
            hint="A few unrelated words make a long password that is easy to remember.",
        )


def add_user(
    store: TwinStore, name: str, role: Role, password: str, *, email: str = "", actor: str
) -> int:
    """Create a user who can log in to the web views with ``password``."""
    if not name.strip():
        raise InvalidRequestError("a user needs a name", hint="Give the person's full name.")
    check_password(password)
    return store.add_user(name.strip(), role.value, email, hash_password(password), actor=actor)


def set_password(store: TwinStore, name: str, password: str, *, actor: str) -> None:
    """Give a user a new password (their open sessions end)."""
    check_password(password)
    store.set_password(name, hash_password(password), actor=actor)


def log_in(store: TwinStore, name: str, password: str) -> Session:
    """Check name and password and open a session; one vague error for every failure."""
    user = store.user(name)
    matches = password_matches(password, user.password_hash if user else _DUMMY_HASH)
    refused = AuthenticationError(
        "the name or the password is wrong, or the account is locked",
        hint=f"After {LOCK_AFTER} wrong passwords an account is locked for "
        f"{LOCK_FOR.seconds // 60} minutes; the administration can set a new password.",
    )
    if user is None or user.disabled_at is not None:
        raise refused
    if user.locked_until is not None and user.locked_until > utc_now():
        raise refused
    allowed = store.record_login(name, ok=matches, lock_after=LOCK_AFTER, lock_for=LOCK_FOR)
    if not allowed:
        raise refused
    session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
    store.add_session(token_hash(session.cookie), name, session.csrf, SESSION_LIFETIME)
    return session


def session_principal(store: TwinStore, cookie: str) -> tuple[Principal, str] | None:
    """The person behind a session cookie and the session's CSRF token (None: logged out)."""
    record = store.session(token_hash(cookie))
    if record is None:
        return None
    return Principal(record.user, Role(record.role)), record.csrf


def log_out(store: TwinStore, cookie: str) -> None:
    """End the session of this cookie."""
    store.end_session(token_hash(cookie))


def demo_password(role: Role) -> str:
    """The published password of a demo municipality's user with ``role``."""
    return f"demo-{role.value}-musterstadt"


def add_demo_users(store: TwinStore, config: MunicipalityConfig, *, actor: str) -> list[str]:
    """Give a fictional demo municipality's configured users their published passwords.

    Only for ``demo = true`` configs (real municipalities add users with ``twin users
    add``); users that exist are left alone. Returns the names added.
    """
    if not config.demo:
        return []
    added = []
    for user in config.users:
        if store.user(user.name) is None:
            add_user(
                store, user.name, user.role, demo_password(user.role), email=user.email, actor=actor
            )
            added.append(user.name)
    return added
