"""Citizens' contributions: checking what they send, and exporting what they said.

A contribution is a geolocated proposal (title, text, category, a point, line or polygon,
optionally the scenario it is about) from the web or a touch table at an on-site event
(``[participation]`` in the municipality's config lists categories and events). Checks
name the field that is wrong, so that a form can point at it; nothing is stored unless
every check passes. Text is stored exactly as given (no HTML stripping): it is data, and
every view escapes it when it renders it.

Exports follow DIPAS, Hamburg's digital participation system, so that its evaluation
tools read ours: the GeoJSON uses the feature properties of DIPAS's public "PDS"
interface (``title``, ``contributionContent``, ``category``, ``dateCreated``,
``votingPro``/``votingContra``, ``commentsNumber``, ``commentedBy`` with
``commentContent`` …), the CSV the column names of its administration's export
(``Node ID``, ``Category``, ``Created (UTC)``, ``Rating``, ``Upvotes``, …), ``;``
separated and UTF-8 with a byte-order mark so that German Excel opens it with umlauts
intact. Geometries are WGS 84 (RFC 7946), in the CSV as WKT.

Examples
--------
>>> check_title("  Mehr Bänke am Markt ")
'Mehr Bänke am Markt'
>>> check_title("ok")
Traceback (most recent call last):
...
twin.errors.InvalidRequestError: title: must be 3 to 120 characters long (got 2) Give a short headline of the proposal.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from layers.crs import to_municipality_crs
from twin.access import Principal, may_read_scenario
from twin.config import MunicipalityConfig, ParticipationConfig
from twin.errors import InvalidRequestError, UnknownFeatureError
from twin.store._contributions import (
    CommentRecord,
    ContributionFilter,
    ContributionRecord,
    NewContribution,
)
from twin.store.base import TwinStore

TITLE_LENGTH: Final = (3, 120)
TEXT_MAX: Final = 5_000
GEOMETRY_TYPES: Final = ("Point", "LineString", "Polygon")
SOURCES: Final = ("web", "touch-table")
MODERATION: Final = ("approved", "hidden")
#: How far (m) a contribution may reach beyond the boundary (digitising slack).
BOUNDARY_TOLERANCE_M: Final = 1.0
ExportFormat = Literal["geojson", "csv"]

#: Columns of the CSV export: DIPAS's contribution export first, in its order, then ours.
CSV_COLUMNS: Final = (
    "Node ID",
    "Category",
    "Rubric",
    "Created (UTC)",
    "Rating",
    "Total votes",
    "Upvotes",
    "Downvotes",
    "Comments",
    "Title",
    "Contributiontext",
    "Location",
    "Contribution Type",
    "Geometry (WKT, CRS84)",
    "Category ID",
    "Source",
    "Event",
    "Scenario",
    "State",
    "Moderation reason",
    "Comment texts",
)


def _bad(field: str, problem: str, hint: str = "") -> InvalidRequestError:
    return InvalidRequestError(f"{field}: {problem}", hint=hint)


def check_title(value: object) -> str:
    """A title of 3 to 120 characters (outer spaces removed)."""
    if not isinstance(value, str):
        problem = "is missing" if value is None else "must be text"
        raise _bad("title", problem, "Give a short headline of the proposal.")
    title = value.strip()
    low, high = TITLE_LENGTH
    if not low <= len(title) <= high:
        raise _bad(
            "title",
            f"must be {low} to {high} characters long (got {len(title)})",
            "Give a short headline of the proposal.",
        )
    return title


def check_text(value: object, *, field: str = "text", required: bool = False) -> str:
    """Text of at most 5,000 characters, stored as given (it is escaped when shown)."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise _bad(field, "must be text")
    if required and not value.strip():
        raise _bad(field, "is empty", "Write what you want to say.")
    if len(value) > TEXT_MAX:
        raise _bad(
            field,
            f"is {len(value):,} characters long; at most {TEXT_MAX:,} are allowed",
            "Shorten it, or split it into a contribution and comments.",
        )
    return value


def check_category(participation: ParticipationConfig, value: object) -> str:
    """A category the municipality offers; the error lists the known ones."""
    if isinstance(value, str) and participation.category(value) is not None:
        return value
    known = ", ".join(f"{c.id} ({c.label.de})" for c in participation.categories)
    raise _bad("category", f"{value!r} is not a known category", f"Known categories: {known}.")


def check_source(participation: ParticipationConfig, source: object, event: object) -> str | None:
    """Check ``source`` and ``event``; a touch table must name a known event. Returns the event."""
    if source not in SOURCES:
        raise _bad("source", f"{source!r} is not a source", f"Use one of: {', '.join(SOURCES)}.")
    if event is None or event == "":
        if source == "touch-table":
            raise _bad(
                "event",
                "a touch-table contribution needs the id of its event",
                f"Known events: {_events(participation)}.",
            )
        return None
    return check_event(participation, event)


def check_event(participation: ParticipationConfig, event: object) -> str:
    """An event of the municipality's config; the error lists the known ones."""
    if isinstance(event, str) and participation.event(event) is not None:
        return event
    raise _bad(
        "event", f"{event!r} is not a known event", f"Known events: {_events(participation)}."
    )


def _events(participation: ParticipationConfig) -> str:
    return ", ".join(e.id for e in participation.events) or "none ([participation.events] is empty)"


def check_scenario(store: TwinStore, principal: Principal, scenario: object) -> str | None:
    """A scenario the caller may see, or None; any other id is refused as if missing."""
    if scenario is None or scenario == "":
        return None
    if not isinstance(scenario, str):
        raise _bad("scenario", "must be a scenario id")
    try:
        visible = may_read_scenario(principal, store.scenario(scenario).status)
    except UnknownFeatureError:
        visible = False
    if not visible:
        raise _bad(
            "scenario",
            f"there is no scenario {scenario!r}",
            "The scenarios you may see are listed at /SLUG/api/scenarios.",
        )
    return scenario


def check_geometry(
    value: object, *, crs: CRS | str, boundary: BaseGeometry
) -> tuple[BaseGeometry, dict[str, Any]]:
    """A GeoJSON Point, LineString or Polygon in WGS 84, valid and inside the boundary.

    Returns the geometry in the municipality's CRS ``crs`` and the GeoJSON geometry as
    given (WGS 84). ``boundary`` is in ``crs``.
    """
    kind = value.get("type") if isinstance(value, dict) else None
    if kind not in GEOMETRY_TYPES:
        raise _bad(
            "geometry",
            f"must be a GeoJSON {', '.join(GEOMETRY_TYPES[:-1])} or {GEOMETRY_TYPES[-1]} "
            f"(got {kind if kind else type(value).__name__})",
            "Draw a point, a line or an area on the map.",
        )
    assert isinstance(value, dict)
    try:
        geometry = shape(value)
        coordinates = shapely.get_coordinates(geometry)
    except (ShapelyError, ValueError, TypeError, KeyError, AttributeError, IndexError) as err:
        raise _bad("geometry", f"is not valid GeoJSON ({err})") from None
    if geometry.is_empty:
        raise _bad("geometry", "has no coordinates")
    if not (
        np.isfinite(coordinates).all()
        and (np.abs(coordinates[:, 0]) <= 180).all()
        and (np.abs(coordinates[:, 1]) <= 90).all()
    ):
        raise _bad(
            "geometry",
            "coordinates must be longitude, latitude in WGS 84 degrees",
            "GeoJSON is always WGS 84, longitude first.",
        )
    _check_valid(geometry)
    frame = gpd.GeoDataFrame(geometry=[geometry], crs="EPSG:4326")
    local = to_municipality_crs(frame, to_crs=CRS.from_user_input(crs), source="geometry")
    projected: BaseGeometry = local.geometry.iloc[0]
    _check_valid(projected)
    if not projected.intersects(boundary):
        raise _bad(
            "geometry",
            "lies outside the municipality",
            "Check the coordinates (GeoJSON is longitude, latitude).",
        )
    if not boundary.buffer(BOUNDARY_TOLERANCE_M).covers(projected):
        outside = projected.difference(boundary)
        amount = f"{outside.area:,.0f} m²" if outside.area > 0 else f"{outside.length:,.0f} m"
        raise _bad(
            "geometry",
            f"reaches {amount} beyond the municipality's boundary",
            "Contributions are about places inside the municipality; draw it inside.",
        )
    return projected, dict(value)


def _check_valid(geometry: BaseGeometry) -> None:
    if not geometry.is_valid:
        raise _bad(
            "geometry",
            f"invalid {geometry.geom_type} ({shapely.is_valid_reason(geometry)})",
            "Redraw it without self-intersections.",
        )


def check_contribution(
    feature: object,
    *,
    store: TwinStore,
    config: MunicipalityConfig,
    principal: Principal,
    author_key: str,
) -> NewContribution:
    """Check a GeoJSON Feature (WGS 84) with properties title, text, category, source, event, scenario.

    Raises
    ------
    InvalidRequestError
        Naming the first field that is wrong and how to put it right.
    """
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise _bad("type", "the body must be a GeoJSON Feature", 'Send {"type": "Feature", …}.')
    properties = feature.get("properties")
    if not isinstance(properties, dict):
        raise _bad("properties", "must be an object with title, text and category")
    participation = config.participation
    title = check_title(properties.get("title"))
    text = check_text(properties.get("text"))
    category = check_category(participation, properties.get("category"))
    source = properties.get("source") or "web"
    event = check_source(participation, source, properties.get("event"))
    scenario = check_scenario(store, principal, properties.get("scenario"))
    record = store.municipality()
    geometry, geojson = check_geometry(
        feature.get("geometry"), crs=record.crs, boundary=record.boundary
    )
    return NewContribution(
        title=title,
        text=text,
        category=category,
        geometry=geometry,
        geojson=geojson,
        source=str(source),
        author=principal.name,
        author_key=author_key,
        scenario=scenario,
        event=event,
    )


def check_moderation(state: object, reason: object) -> tuple[str, str]:
    """A moderation decision: ``approved`` or ``hidden``; hiding needs a reason."""
    if state not in MODERATION:
        raise _bad("state", f"{state!r} is not a moderation decision", "Use approved or hidden.")
    text = reason.strip() if isinstance(reason, str) else ""
    if state == "hidden" and not text:
        raise _bad(
            "reason",
            "hiding needs a reason",
            "Say why, e.g. 'insulting' or 'personal data'; the author sees it.",
        )
    if len(text) > 500:
        raise _bad("reason", f"is {len(text)} characters long; at most 500 are allowed")
    return str(state), text


# -- export ----------------------------------------------------------------------------


def _rating(up: int, down: int) -> float:
    """DIPAS's rating: the share of up votes, 4 decimals (0 without votes)."""
    return round(up / (up + down), 4) if up + down else 0.0


def _contribution_type(geojson: dict[str, Any]) -> str:
    kind = str(geojson.get("type", ""))
    return "Line" if kind == "LineString" else kind  # DIPAS says "Line"


def _comments_by_contribution(
    comments: Sequence[CommentRecord],
) -> dict[int, list[CommentRecord]]:
    grouped: dict[int, list[CommentRecord]] = {}
    for comment in comments:
        grouped.setdefault(comment.contribution_id, []).append(comment)
    return grouped


def export_geojson(
    records: Sequence[ContributionRecord],
    comments: Sequence[CommentRecord],
    *,
    config: MunicipalityConfig,
    link: str,
    with_state: bool = False,
) -> dict[str, Any]:
    """A FeatureCollection with DIPAS's PDS feature properties; ``link`` + id is each one's URL."""
    grouped = _comments_by_contribution(comments)
    features = []
    for record in records:
        category = config.participation.category(record.category)
        remarks = grouped.get(record.id, [])
        properties: dict[str, Any] = {
            "id": record.id,
            "dateCreated": record.created_at,
            "link": f"{link}{record.id}",
            "title": record.title,
            "contributionType": "none",  # DIPAS's rubric; the twin has none
            "contributionContent": record.text,
            "commentsNumber": len(remarks),
            "category": category.label.de if category else record.category,
            "categoryId": record.category,
            "votingPro": record.up,
            "votingContra": record.down,
            "belongToProject": record.event or config.slug,
            "dipasLocated": True,
            "source": record.source,
            "event": record.event,
            "scenario": record.scenario,
            "commentedBy": [_dipas_comment(c, with_state) for c in remarks],
        }
        if with_state:
            properties |= {"moderationState": record.state, "moderationReason": record.reason}
        features.append(
            {
                "type": "Feature",
                "id": record.id,
                "geometry": record.geojson,
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _dipas_comment(comment: CommentRecord, with_state: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": comment.id,
        "dateCreated": comment.created_at,
        "title": "",
        "commentContent": comment.text,
        "commentOnContribution": str(comment.contribution_id),
        "commentedBy": [],  # the twin's comments have no replies
    }
    if with_state:
        entry |= {"moderationState": comment.state, "moderationReason": comment.reason}
    return entry


def export_csv(
    records: Sequence[ContributionRecord],
    comments: Sequence[CommentRecord],
    *,
    config: MunicipalityConfig,
) -> str:
    """The contributions as CSV (``;``, CRLF, a header, BOM first): DIPAS's columns, then ours."""
    grouped = _comments_by_contribution(comments)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        category = config.participation.category(record.category)
        remarks = grouped.get(record.id, [])
        writer.writerow(
            [
                record.id,
                category.label.de if category else record.category,
                "",
                record.created_at,
                _rating(record.up, record.down),
                record.up + record.down,
                record.up,
                record.down,
                len(remarks),
                record.title,
                record.text,
                "Yes",
                _contribution_type(record.geojson),
                shapely.to_wkt(shape(record.geojson), rounding_precision=7),
                record.category,
                record.source,
                record.event or "",
                record.scenario or "",
                record.state,
                record.reason,
                json.dumps([c.text for c in remarks], ensure_ascii=False),
            ]
        )
    return "\ufeff" + out.getvalue()


def export_contributions(
    store: TwinStore,
    config: MunicipalityConfig,
    *,
    event: str | None = None,
    state: Literal["approved", "all"] = "approved",
    fmt: ExportFormat = "geojson",
    link: str = "",
) -> tuple[bytes, str, str]:
    """An event's (or all) contributions as GeoJSON or CSV: content, media type, file name.

    Only approved contributions and comments unless ``state="all"``, which adds every
    one with its moderation state (for the administration's own evaluation).
    """
    if event is not None:
        check_event(config.participation, event)
    if state not in ("approved", "all"):
        raise _bad("state", f"{state!r} is not an export choice", "Use approved or all.")
    states = ("approved",) if state == "approved" else ("pending", "approved", "hidden")
    records, _ = store.contributions(ContributionFilter(visible=states, event=event))
    records = sorted(records, key=lambda r: r.id)
    comments = [
        c for c in store.contribution_comments([r.id for r in records]) if c.state in states
    ]
    name = f"{config.slug}-contributions{f'-{event}' if event else ''}"
    if fmt == "geojson":
        collection = export_geojson(
            records, comments, config=config, link=link, with_state=state == "all"
        )
        collection |= {
            "municipality": config.slug,
            "event": event,
            "exported": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        body = json.dumps(collection, ensure_ascii=False, indent=1)
        return body.encode(), "application/geo+json", f"{name}.geojson"
    if fmt == "csv":
        return export_csv(records, comments, config=config).encode(), "text/csv", f"{name}.csv"
    raise _bad("format", f"{fmt!r} is not an export format", "Use geojson or csv.")
