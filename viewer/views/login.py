"""The login page and logout of a municipality's web views.

A successful login sets the session cookie (:data:`viewer.auth.SESSION_COOKIE`) for the
municipality's path only, HttpOnly (scripts cannot read it) and SameSite=Lax (other
sites cannot post with it). The login form itself is protected against cross-site
posting by a double-submit token: the page sets a random cookie and puts the same value
into the form, which another site can neither read nor set. After login the browser
goes back to the page it came from, if that page belongs to the same municipality.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Final

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from twin.accounts import SESSION_LIFETIME, log_in, log_out
from twin.errors import AuthenticationError
from twin.store.base import MunicipalityRecord
from viewer.auth import CSRF_FIELD, SESSION_COOKIE
from viewer.deps import TwinViewDep, WorkspaceDep, open_store
from viewer.negotiation import language
from viewer.templating import render
from viewer.texts import TEXTS

LOGIN_CSRF_COOKIE: Final = "twin_login_csrf"

router = APIRouter(tags=["pages"], include_in_schema=False)


def _page(
    request: Request,
    twin: MunicipalityRecord,
    *,
    next_path: str,
    name: str = "",
    problem: str = "",
    status_code: int = 200,
) -> Response:
    token = secrets.token_urlsafe(24)
    context = {
        "twin": twin,
        "csrf_token": token,
        "next": next_path,
        "name": name,
        "problem": problem,
    }
    response = render(request, "login.html", context, status_code=status_code)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        path=f"/{twin.slug}/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def _safe_next(slug: str, next_path: str) -> str:
    """Where to go after login: a page of this municipality, never another site."""
    if next_path.startswith(f"/{slug}/") and not next_path.startswith("//"):
        return next_path
    return f"/{slug}/"


def _municipality(workspace: WorkspaceDep, slug: str) -> MunicipalityRecord:
    return open_store(workspace, slug).municipality()


@router.get("/{slug}/login", name="login_page")
def login_page(request: Request, slug: str, workspace: WorkspaceDep, next: str = "") -> Response:
    """The login form."""
    return _page(request, _municipality(workspace, slug), next_path=_safe_next(slug, next))


@router.post("/{slug}/login", name="login")
def login(
    request: Request,
    slug: str,
    workspace: WorkspaceDep,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Check the name and password; on success set the session cookie and go on."""
    record = _municipality(workspace, slug)
    texts = TEXTS[language(request)]
    target = _safe_next(slug, next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf_token.encode()):
        return _page(
            request,
            record,
            next_path=target,
            name=name,
            problem=texts["login_expired"],
            status_code=403,
        )
    try:
        session = log_in(workspace.store(slug), name, password)
    except AuthenticationError:
        return _page(
            request,
            record,
            next_path=target,
            name=name,
            problem=texts["login_failed"],
            status_code=401,
        )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session.cookie,
        path=f"/{slug}/",
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=f"/{slug}/")
    return response


@router.post("/{slug}/logout", name="logout")
def logout(request: Request, twin: TwinViewDep) -> Response:
    """End the session (the CSRF token was checked on the way in) and go to the citizen view."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        log_out(twin.store, cookie)
    response = RedirectResponse(f"/{twin.record.slug}/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=f"/{twin.record.slug}/")
    return response
