"""The toolkit's JSON API for participation: contributions, comments, votes, moderation, export.

Under ``/{slug}/api/contributions``. Contributions travel as GeoJSON Features in WGS 84;
checks are in :mod:`twin.participation`, who may do what in :mod:`twin.access`:
citizens (anonymous or participants) submit, comment and vote; everything starts
``pending`` and is public once the administration approved it; the administration
moderates and exports. A contribution or comment the caller may not see answers 404
exactly like a missing one.

An anonymous citizen is told apart from others by a random voter id that the API hands
out with their first contribution, comment or vote, in the HttpOnly, SameSite=Lax cookie
``twin_voter`` (the store keeps only its SHA-256): one vote per browser, and their own
pending contributions stay visible to them. Texts come back exactly as stored; whoever
renders them as HTML escapes them (the views do).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from layers.crs import CRS84
from twin.access import (
    CONTRIBUTION_VISIBILITY,
    may_read_scenario,
    may_see_authors,
    may_see_contribution,
    participant_key,
    require_editor,
    require_participant,
)
from twin.errors import UnknownFeatureError
from twin.participation import (
    check_category,
    check_contribution,
    check_event,
    check_moderation,
    check_scenario,
    check_text,
    export_contributions,
)
from twin.store._contributions import CommentRecord, ContributionFilter, ContributionRecord
from twin.store.base import SQLITE_INTEGERS
from viewer.api.crs import parse_bbox, storage_crs_uri, transform_bbox
from viewer.deps import TwinView, TwinViewDep

router = APIRouter(prefix="/{slug}/api/contributions", tags=["contributions"])

VOTER_COOKIE: Final = "twin_voter"
#: Browsers keep cookies at most 400 days.
VOTER_COOKIE_AGE: Final = 400 * 24 * 3600


@dataclass
class Caller:
    """One request's municipality, caller and participant key (see :func:`participant_key`)."""

    twin: TwinView
    key: str | None
    secure: bool
    issued: str | None = None
    _scenarios: dict[str, str] | None = field(default=None, repr=False)

    def ensure_key(self) -> str:
        """The caller's key; an anonymous citizen without one gets a new voter cookie."""
        if self.key is None:
            self.issued = secrets.token_urlsafe(32)
            self.key = participant_key(self.twin.principal, self.issued)
        assert self.key is not None
        return self.key

    def shows_scenario(self, scenario: str | None) -> str | None:
        """The scenario reference if the caller may see that scenario, else None."""
        if scenario is None:
            return None
        if self._scenarios is None:
            self._scenarios = {s.id: s.status for s in self.twin.store.scenarios()}
        status = self._scenarios.get(scenario)
        return scenario if status and may_read_scenario(self.twin.principal, status) else None

    def respond(
        self, content: Any, *, status_code: int = 200, headers: dict[str, str] | None = None
    ) -> JSONResponse:
        """JSON, with the voter cookie if this request handed one out."""
        response = JSONResponse(content, status_code=status_code, headers=headers)
        if self.issued:
            response.set_cookie(
                VOTER_COOKIE,
                self.issued,
                max_age=VOTER_COOKIE_AGE,
                path=f"/{self.twin.record.slug}/",
                httponly=True,
                samesite="lax",
                secure=self.secure,
            )
        return response


def get_caller(twin: TwinViewDep, request: Request) -> Caller:
    """The caller of a participation request, with their voter cookie if they have one."""
    cookie = request.cookies.get(VOTER_COOKIE)
    if cookie is not None and not 20 <= len(cookie) <= 100:
        cookie = None  # not one of ours: a new one is handed out when needed
    return Caller(twin, participant_key(twin.principal, cookie), request.url.scheme == "https")


CallerDep = Annotated[Caller, Depends(get_caller)]


class ContributionIn(BaseModel):
    """A contribution: a GeoJSON Feature in WGS 84 (Point, LineString or Polygon)."""

    type: str = Field("Feature", description='Always "Feature".')
    geometry: Any = Field(None, description="GeoJSON Point, LineString or Polygon, WGS 84.")
    properties: dict[str, Any] = Field(
        default_factory=dict,
        description="title (3-120 characters), text (up to 5,000), category (see "
        "./categories), optional scenario (id), source ('web' or 'touch-table') and event "
        "(an id of ./events; needed for touch tables).",
        examples=[{"title": "Mehr Bänke am Markt", "text": "…", "category": "green"}],
    )


class CommentIn(BaseModel):
    """A comment on an approved contribution."""

    text: str = Field(description="Up to 5,000 characters.")


class VoteIn(BaseModel):
    """A vote: +1 for, -1 against (DIPAS's ratings). Voting again replaces it."""

    value: Literal[1, -1]


class ModerationIn(BaseModel):
    """A moderation decision; hiding needs a reason (its author sees it)."""

    state: str = Field(description="approved or hidden")
    reason: str = ""


def _votes(record: ContributionRecord) -> dict[str, int | None]:
    return {"up": record.up, "down": record.down, "mine": record.my_vote}


def _feature(caller: Caller, record: ContributionRecord) -> dict[str, Any]:
    twin = caller.twin
    category = twin.config.participation.category(record.category)
    own = caller.key is not None and record.author_key == caller.key
    properties: dict[str, Any] = {
        "title": record.title,
        "text": record.text,
        "category": record.category,
        "category_label": category.label.model_dump() if category else None,
        "source": record.source,
        "event": record.event,
        "scenario": caller.shows_scenario(record.scenario),
        "created": record.created_at,
        "state": record.state,
        "votes": _votes(record),
        "comment_count": record.comments,
        "own": own,
    }
    if own or may_see_authors(twin.principal):
        properties["reason"] = record.reason
    if may_see_authors(twin.principal):
        properties |= {
            "author": record.author,
            "scenario": record.scenario,
            "moderated_by": record.moderated_by,
            "moderated_at": record.moderated_at,
        }
    return {
        "type": "Feature",
        "id": record.id,
        "geometry": record.geojson,
        "properties": properties,
    }


def _comment(caller: Caller, comment: CommentRecord) -> dict[str, Any]:
    own = caller.key is not None and comment.author_key == caller.key
    document: dict[str, Any] = {
        "id": comment.id,
        "text": comment.text,
        "created": comment.created_at,
        "state": comment.state,
        "own": own,
    }
    if own or may_see_authors(caller.twin.principal):
        document["reason"] = comment.reason
    if may_see_authors(caller.twin.principal):
        document |= {
            "author": comment.author,
            "moderated_by": comment.moderated_by,
            "moderated_at": comment.moderated_at,
        }
    return document


def _missing(contribution_id: int) -> UnknownFeatureError:
    return UnknownFeatureError(
        f"there is no contribution {contribution_id}",
        hint="The list is at ./ (approved contributions are public).",
    )


def _visible(caller: Caller, contribution_id: int) -> ContributionRecord:
    """A contribution the caller may see; any other answers like a missing one (404).

    So does an id no contribution can have (beyond SQLite's 64 bits), before the store
    is asked.
    """
    if contribution_id not in SQLITE_INTEGERS:
        raise _missing(contribution_id)
    record = caller.twin.store.contribution(contribution_id, voter=caller.key)
    principal = caller.twin.principal
    if record is None or not may_see_contribution(
        principal, record.state, record.author_key, caller.key
    ):
        raise _missing(contribution_id)
    return record


def _url(caller: Caller, contribution_id: int) -> str:
    return f"/{caller.twin.record.slug}/api/contributions/{contribution_id}"


@router.get("", summary="Contributions the caller may see, as GeoJSON")
def list_contributions(
    caller: CallerDep,
    category: str | None = None,
    event: str | None = None,
    scenario: str | None = None,
    state: Annotated[
        Literal["pending", "approved", "hidden", "all"] | None,
        Query(description="Only these (the administration; others see only their own)."),
    ] = None,
    bbox: Annotated[str | None, Query(description="minLon,minLat,maxLon,maxLat (WGS 84)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JSONResponse:
    """Approved contributions, the caller's own in any state, and everything for the administration.

    Newest first, each with its votes and number of approved comments.
    """
    twin = caller.twin
    participation = twin.config.participation
    box = None
    if bbox is not None:
        storage = storage_crs_uri(twin.record.crs)
        box = transform_bbox(parse_bbox(bbox, bbox_crs=CRS84), source=CRS84, target=storage)
    query = ContributionFilter(
        visible=CONTRIBUTION_VISIBILITY[twin.principal.role],
        own=caller.key,
        states=None if state in (None, "all") else (state,),
        category=None if category is None else check_category(participation, category),
        event=None if event is None else check_event(participation, event),
        scenario=check_scenario(twin.store, twin.principal, scenario),
        bbox=box,
        voter=caller.key,
        limit=limit,
        offset=offset,
    )
    records, matched = twin.store.contributions(query)
    return caller.respond(
        {
            "type": "FeatureCollection",
            "features": [_feature(caller, r) for r in records],
            "numberMatched": matched,
            "numberReturned": len(records),
        }
    )


@router.get("/categories", summary="The categories contributions can have")
def categories(twin: TwinViewDep) -> dict[str, Any]:
    """Category ids with their German and English labels."""
    return {
        "categories": [
            {"id": c.id, "label": c.label.model_dump()}
            for c in twin.config.participation.categories
        ]
    }


@router.get("/events", summary="On-site participation events (touch tables)")
def events(twin: TwinViewDep) -> dict[str, Any]:
    """Event ids, titles, dates and places; touch-table contributions name one."""
    return {"events": [e.model_dump(mode="json") for e in twin.config.participation.events]}


@router.get("/export", summary="Export contributions as GeoJSON or CSV (DIPAS fields)")
def export(
    caller: CallerDep,
    request: Request,
    event: str | None = None,
    format: Literal["geojson", "csv"] = "geojson",
    state: Annotated[
        Literal["approved", "all"], Query(description="all: also pending and hidden ones")
    ] = "approved",
) -> Response:
    """An event's (or all) contributions with comments and votes, for the administration.

    GeoJSON with DIPAS's public feature properties, or CSV with DIPAS's export columns
    (``;``-separated, UTF-8 with BOM for German Excel, geometry as WKT).
    """
    twin = caller.twin
    require_editor(twin.principal, "export contributions")
    link = f"{str(request.base_url).rstrip('/')}/{twin.record.slug}/api/contributions/"
    content, media_type, filename = export_contributions(
        twin.store, twin.config, event=event, state=state, fmt=format, link=link
    )
    return Response(
        content,
        media_type=f"{media_type}; charset=utf-8" if format == "csv" else media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/{contribution_id}", summary="One contribution with its comments")
def get_contribution(contribution_id: int, caller: CallerDep) -> JSONResponse:
    """A contribution and the comments the caller may see, oldest first."""
    record = _visible(caller, contribution_id)
    principal = caller.twin.principal
    comments = [
        _comment(caller, c)
        for c in caller.twin.store.contribution_comments([record.id])
        if may_see_contribution(principal, c.state, c.author_key, caller.key)
    ]
    return caller.respond(_feature(caller, record) | {"comments": comments})


@router.post("", status_code=201, summary="Submit a contribution")
def create_contribution(body: ContributionIn, caller: CallerDep) -> JSONResponse:
    """Store a citizen's contribution; it is public once the administration approves it."""
    twin = caller.twin
    require_participant(twin.principal, "submit contributions")
    new = check_contribution(
        body.model_dump(),
        store=twin.store,
        config=twin.config,
        principal=twin.principal,
        author_key=caller.ensure_key(),
    )
    contribution_id = twin.store.add_contribution(new, actor=twin.principal.name)
    record = twin.store.contribution(contribution_id, voter=caller.key)
    assert record is not None
    return caller.respond(
        _feature(caller, record),
        status_code=201,
        headers={"Location": _url(caller, contribution_id)},
    )


@router.post("/{contribution_id}/comments", status_code=201, summary="Comment on a contribution")
def add_comment(contribution_id: int, body: CommentIn, caller: CallerDep) -> JSONResponse:
    """Store a comment on an approved contribution; it is public once approved."""
    twin = caller.twin
    require_participant(twin.principal, "comment on contributions")
    _visible(caller, contribution_id)
    text = check_text(body.text, required=True)
    key = caller.ensure_key()
    comment_id = twin.store.add_comment(
        contribution_id, text, author=twin.principal.name, author_key=key, actor=twin.principal.name
    )
    comment = next(
        c for c in twin.store.contribution_comments([contribution_id]) if c.id == comment_id
    )
    return caller.respond(
        _comment(caller, comment),
        status_code=201,
        headers={"Location": _url(caller, contribution_id)},
    )


@router.put("/{contribution_id}/vote", summary="Vote for (+1) or against (-1)")
def vote(contribution_id: int, body: VoteIn, caller: CallerDep) -> JSONResponse:
    """One vote per voter and contribution; voting again replaces the earlier vote."""
    twin = caller.twin
    require_participant(twin.principal, "vote")
    _visible(caller, contribution_id)
    key = caller.ensure_key()
    twin.store.set_vote(contribution_id, key, body.value, actor=twin.principal.name)
    return caller.respond({"votes": _votes(_visible(caller, contribution_id))})


@router.delete("/{contribution_id}/vote", summary="Withdraw one's vote")
def withdraw_vote(contribution_id: int, caller: CallerDep) -> JSONResponse:
    """Withdraw the caller's vote (nothing happens if they have none)."""
    twin = caller.twin
    require_participant(twin.principal, "vote")
    _visible(caller, contribution_id)
    if caller.key is not None:
        twin.store.delete_vote(contribution_id, caller.key, actor=twin.principal.name)
    return caller.respond({"votes": _votes(_visible(caller, contribution_id))})


@router.post("/{contribution_id}/moderation", summary="Approve or hide a contribution")
def moderate(contribution_id: int, body: ModerationIn, caller: CallerDep) -> JSONResponse:
    """The administration approves a contribution, or hides it with a reason."""
    twin = caller.twin
    require_editor(twin.principal, "moderate contributions")
    state, reason = check_moderation(body.state, body.reason)
    if contribution_id not in SQLITE_INTEGERS:
        raise _missing(contribution_id)
    twin.store.moderate_contribution(contribution_id, state, reason, actor=twin.principal.name)
    return caller.respond(_feature(caller, _visible(caller, contribution_id)))


@router.post(
    "/{contribution_id}/comments/{comment_id}/moderation", summary="Approve or hide a comment"
)
def moderate_comment(
    contribution_id: int, comment_id: int, body: ModerationIn, caller: CallerDep
) -> JSONResponse:
    """The administration approves a comment, or hides it with a reason."""
    twin = caller.twin
    require_editor(twin.principal, "moderate comments")
    state, reason = check_moderation(body.state, body.reason)
    if contribution_id not in SQLITE_INTEGERS or comment_id not in SQLITE_INTEGERS:
        raise UnknownFeatureError(f"contribution {contribution_id} has no comment {comment_id}")
    twin.store.moderate_comment(
        contribution_id, comment_id, state, reason, actor=twin.principal.name
    )
    comment = next(
        c for c in twin.store.contribution_comments([contribution_id]) if c.id == comment_id
    )
    return caller.respond(_comment(caller, comment))
