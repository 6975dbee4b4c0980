"""The administration view ``/{slug}/admin`` (Verwaltungszwilling): the twin's back office.

One server-rendered page with anchored sections: the layer catalogue with provenance
and an upload form (a new version of a layer, with its validation report), sensor
health and alerts, the moderation queue of contributions and comments, the scenario
lifecycle, and for the admin role users, tokens and the audit log. The page carries no
data of its own: every table comes from the functions of :mod:`viewer.api.admin` (or
the store for contributions and scenarios), so page and JSON API agree.

Actions are small forms that ``static/admin.js`` sends to the JSON APIs
(``/{slug}/api/…``, with the session's CSRF token); after a write the script fetches
this page again and swaps the changed region, so that the markup lives only here. The
audit filter is a plain GET form and works without the script.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from scenarios.model import TRANSITIONS, Status
from twin.access import CONTRIBUTION_STATES, View, may_manage_accounts
from twin.config import Role
from twin.store._contributions import ContributionFilter
from twin.upload import MAX_UPLOAD_BYTES
from viewer.api.admin import (
    alert_list,
    audit_list,
    layer_list,
    sensor_health_list,
    token_list,
    user_list,
)
from viewer.deps import TwinView, TwinViewDep
from viewer.negotiation import language
from viewer.templating import render
from viewer.texts import TEXTS
from viewer.views.frame import refuse, view_bar

router = APIRouter(tags=["pages"], include_in_schema=False)

#: Texts the script needs (messages after actions), handed to it in the page's language.
SCRIPT_TEXTS: Final = (
    "admin_saved",
    "admin_failed",
    "admin_reason_needed",
    "admin_uploading",
    "admin_upload_done",
    "admin_upload_refused",
    "admin_report_summary",
    "admin_report_summary_refused",
    "admin_report_feature",
    "admin_report_problem",
    "admin_report_action",
    "admin_confirm_disable",
    "admin_confirm_revoke",
    "admin_choose_file",
)
ALERTS_SHOWN: Final = 50
"""Alerts listed on the page: all active ones and the newest closed ones up to this."""
PENDING_SHOWN: Final = 100
ACTIONS_FROM: Final = 2000
"""The audit filter suggests the actions of this many newest records."""


def _moderation(twin: TwinView) -> dict[str, Any]:
    """Pending contributions, and pending comments with the contribution they belong to."""
    store, everything = twin.store, frozenset(CONTRIBUTION_STATES)
    pending, waiting = store.contributions(
        ContributionFilter(visible=everything, states=("pending",), limit=PENDING_SHOWN)
    )
    approved, _ = store.contributions(ContributionFilter(visible=everything, states=("approved",)))
    titles = {record.id: record.title for record in approved}
    comments = [c for c in store.contribution_comments(list(titles)) if c.state == "pending"]
    categories = {c.id: c.label for c in twin.config.participation.categories}
    return {
        "contributions": pending,
        "waiting": waiting,
        "comments": comments,
        "titles": titles,
        "categories": categories,
    }


def _alerts(twin: TwinView) -> list[dict[str, Any]]:
    alerts = alert_list(twin).alerts
    active = [a for a in alerts if a.state != "closed"]
    closed = [a for a in alerts if a.state == "closed"][: max(0, ALERTS_SHOWN - len(active))]
    return [
        {"alert": a, "history": twin.store.alert_history(a.id)}
        for a in sorted(active + closed, key=lambda a: -a.id)
    ]


def _scenarios(twin: TwinView) -> list[dict[str, Any]]:
    return [
        {"record": r, "moves": sorted(TRANSITIONS[Status(r.status)], key=list(Status).index)}
        for r in twin.store.scenarios()
    ]


@router.get("/{slug}/admin", name="admin_view")
def admin_view(
    request: Request,
    twin: TwinViewDep,
    audit_action: str = "",
    audit_actor: str = "",
    audit_limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """The administration view; users, tokens and the audit log only for the admin role."""
    refused = refuse(request, twin, View.ADMIN)
    if refused is not None:
        return refused
    lang = language(request)
    accounts = may_manage_accounts(twin.principal)
    texts = TEXTS[lang]
    context: dict[str, Any] = {
        "twin": twin.record,
        "bar": view_bar(request, twin, View.ADMIN),
        "accounts": accounts,
        "me": twin.principal.name,
        "layers": layer_list(twin).layers,
        "health": sensor_health_list(twin),
        "alerts": _alerts(twin),
        "moderation": _moderation(twin),
        "scenarios": _scenarios(twin),
        "roles": [role.value for role in Role],
        "max_upload_mib": MAX_UPLOAD_BYTES // 1024**2,
        "script": {
            "api": f"/{twin.record.slug}/api",
            "texts": {key: texts[key] for key in SCRIPT_TEXTS},
        },
    }
    if accounts:
        context |= {
            "users": user_list(twin).users,
            "tokens": token_list(twin).tokens,
            "audit": audit_list(
                twin,
                limit=audit_limit,
                action=audit_action.strip() or None,
                actor=audit_actor.strip() or None,
            ).records,
            "audit_filter": {"action": audit_action, "actor": audit_actor, "limit": audit_limit},
            "audit_actions": sorted({r.action for r in twin.store.audit_log(limit=ACTIONS_FROM)}),
        }
    return render(request, "admin.html", context)
