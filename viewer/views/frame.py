"""What every view page shares: who may open it, and the bar that links the views.

A view is a policy over the same twin (DESIGN), so a page first asks :mod:`twin.access`
whether the caller may open it: an anonymous visitor is sent to the login page (and
back afterwards), a logged-in person whose role does not reach is told so (403). The
bar lists only the views the caller may open, with login or logout.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from twin.access import View, may_open_view
from twin.errors import PermissionDeniedError
from viewer.deps import TwinView
from viewer.negotiation import language
from viewer.texts import TEXTS

VIEW_ROUTES: dict[View, str] = {
    View.CITIZEN: "citizen_view",
    View.COUNCIL: "council_view",
    View.ADMIN: "admin_view",
    View.TABLE: "table_view",
}
"""Route name of each view (``/{slug}/``, ``/{slug}/council``, ``/{slug}/admin``, ``/{slug}/table``)."""


def refuse(request: Request, twin: TwinView, view: View) -> Response | None:
    """None if the caller may open ``view``; else the login redirect (anonymous) or a 403."""
    if may_open_view(twin.principal, view):
        return None
    if twin.principal.role is None:
        here = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/{twin.record.slug}/login?next={here}", status_code=303)
    raise PermissionDeniedError(
        TEXTS[language(request)]["view_forbidden"],
        hint=f"{twin.principal.name} ({twin.principal.role.value})",
    )


def view_bar(request: Request, twin: TwinView, current: View) -> dict[str, Any]:
    """Template context of the views bar: the views this caller may open, and the current one."""
    texts = TEXTS[language(request)]
    links = [
        {
            "view": view.value,
            "label": texts[f"view_{view.value}"],
            "url": str(request.url_for(VIEW_ROUTES[view], slug=twin.record.slug)),
            "current": view == current,
        }
        for view in View
        if may_open_view(twin.principal, view)
    ]
    login = str(request.url_for("login_page", slug=twin.record.slug))
    return {"views": links, "login_url": f"{login}?next={quote(request.url.path)}"}
