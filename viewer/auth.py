"""Who is asking: one request's principal, from a bearer token or a login session.

API clients send ``Authorization: Bearer …`` with a twin token (``twin token create``) or,
where ``[oidc]`` is configured, a JWT from the municipality's identity provider.
Browsers send the session cookie set by the login page. A cookie is sent by the browser
on its own, so a write that relies on it must also carry the session's CSRF token (the
``X-CSRF-Token`` header or a ``csrf_token`` form field); a bearer token is never sent
on its own, so it needs none. An expired or unknown session is an anonymous citizen.
"""

from __future__ import annotations

import hmac
from typing import Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from twin.access import ANONYMOUS, Principal, authenticate
from twin.accounts import session_principal
from twin.config import MunicipalityConfig
from twin.errors import PermissionDeniedError
from twin.oidc import looks_like_jwt, oidc_principal
from twin.store.base import TwinStore

SESSION_COOKIE: Final = "twin_session"
CSRF_HEADER: Final = "X-CSRF-Token"
CSRF_FIELD: Final = "csrf_token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


async def request_principal(
    request: Request, store: TwinStore, config: MunicipalityConfig
) -> Principal:
    """The caller of ``request`` in this municipality (anonymous without credentials)."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and config.oidc and looks_like_jwt(token.strip()):
            # off the event loop: fetching the provider's keys may wait on the network
            return await run_in_threadpool(oidc_principal, config.oidc, token.strip())
        # store lookups off the event loop too: a writer's lock may keep them waiting
        return await run_in_threadpool(authenticate, store, header)
    cookie = request.cookies.get(SESSION_COOKIE)
    found = await run_in_threadpool(session_principal, store, cookie) if cookie else None
    if found is None:
        return ANONYMOUS
    principal, csrf = found
    if request.method not in SAFE_METHODS:
        await require_csrf(request, csrf)
    request.state.session = (principal, csrf)  # for pages: who is logged in, and their forms' token
    return principal


async def require_csrf(request: Request, expected: str) -> None:
    """Refuse a cookie-authenticated write without the session's CSRF token (403)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        field = (await request.form()).get(CSRF_FIELD)
        sent = field if isinstance(field, str) else None
    if sent is None or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise PermissionDeniedError(
            "this form or request lacks the session's CSRF token",
            hint="Reload the page and send it again (the token is in the page).",
        )
