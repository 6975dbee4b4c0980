"""Resource paths and system query options of SensorThings requests.

Covers paths, ``$select``, ``$orderby``, ``$top``, ``$skip``, ``$count``, ``$expand``
(with nested options) and ``$resultFormat=dataArray``.

Every name a client sends is checked against :data:`~viewer.api.sensorthings.entities.ENTITIES`
before it reaches SQL, and every value is a bound parameter, so no request text is ever
pasted into a query.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

from twin.config import Classification
from twin.errors import InvalidRequestError, UnknownFeatureError
from twin.store.base import SQLITE_INTEGERS
from viewer.api.sensorthings.entities import ENTITIES, Entity
from viewer.api.sensorthings.filter_sql import filter_sql

DEFAULT_TOP = 100
MAX_TOP = 10_000
_ALIASES = itertools.count()
_KEY_JOIN = re.compile(r"^\{a\}\.(\w+) = \{p\}\.(\w+)$")
_SEGMENT = re.compile(r"^([A-Za-z]+)(?:\((\d+)\))?$")
DATA_ARRAY_COMPONENTS = (
    "id",
    "phenomenonTime",
    "result",
    "resultTime",
    "resultQuality",
    "parameters",
)
"""dataArray components in the order of OGC 18-088, 14.3.2, as FROST-Server lists them
(``validTime`` is not stored by this service)."""


PUBLIC_ONLY = frozenset({Classification.PUBLIC})


@dataclass(frozen=True)
class Selection:
    """A set of entities: the entity set plus a SQL condition on alias ``{a}``.

    ``shown`` are the datastream classifications the caller may read (None: no
    restriction); a navigation or ``$expand`` from this selection keeps them.
    """

    entity: Entity
    condition: str = "1"
    params: tuple[object, ...] = ()
    single: bool = False
    shown: frozenset[Classification] | None = PUBLIC_ONLY


@dataclass(frozen=True)
class Options:
    """The system query options of one request (or of one ``$expand`` item)."""

    top: int = DEFAULT_TOP
    skip: int = 0
    count: bool = False
    select: tuple[str, ...] = ()
    orderby: tuple[tuple[str, str], ...] = ()
    expand: tuple[tuple[str, Options], ...] = ()
    filter: str | None = None
    data_array: bool = False


@dataclass(frozen=True)
class Resource:
    """What a URL path addresses: a selection, optionally one property (``/name``, ``$value``)."""

    selection: Selection
    property: str | None = None
    raw_value: bool = False
    parts: list[str] = field(default_factory=list)


def _entity(name: str) -> Entity:
    if name not in ENTITIES:
        raise UnknownFeatureError(
            f"there is no entity set {name!r}", hint=f"Entity sets: {', '.join(ENTITIES)}."
        )
    return ENTITIES[name]


def navigate(parent: Selection, nav_name: str) -> Selection:
    """The entities reached from ``parent`` through navigation property ``nav_name``."""
    if nav_name not in parent.entity.navigation:
        raise UnknownFeatureError(
            f"{parent.entity.name} has no navigation property {nav_name!r}",
            hint=f"Known: {', '.join(parent.entity.navigation)}.",
        )
    nav = parent.entity.navigation[nav_name]
    target = ENTITIES[nav.target]
    alias = f"p{next(_ALIASES)}"  # unique, so chained navigations do not shadow each other
    inner = parent.condition.format(a=alias)
    key = _KEY_JOIN.match(nav.join)
    if key:  # a foreign-key join: IN (…) lets SQLite use the (datastream, time) index
        own, theirs = key.groups()
        condition = f"{{a}}.{own} IN (SELECT {alias}.{theirs} FROM {parent.entity.table} {alias} WHERE {inner})"
    else:
        join = nav.join.format(a="{a}", p=alias)
        condition = f"EXISTS (SELECT 1 FROM {parent.entity.table} {alias} WHERE {inner} AND {join})"
    return Selection(target, condition, parent.params, nav.single, parent.shown)


def entity_key(name: str, digits: str) -> int:
    """The id in ``Name(digits)``; one beyond SQLite's 64 bits belongs to no entity (404)."""
    key = int(digits) if len(digits) <= 20 else None  # int() refuses 4,300 digits and more
    if key is None or key not in SQLITE_INTEGERS:
        raise UnknownFeatureError(f"there is no {name}({digits})")
    return key


def resolve_path(path: str, shown: frozenset[Classification] = PUBLIC_ONLY) -> Resource:
    """Turn ``Things(1)/Datastreams`` or ``Datastreams(3)/name/$value`` into a :class:`Resource`.

    ``shown``: the datastream classifications the caller may read.
    """
    segments = [s for s in path.strip("/").split("/") if s]
    if not segments:
        raise InvalidRequestError("empty resource path")
    match = _SEGMENT.match(segments[0])
    if not match:
        raise InvalidRequestError(f"{segments[0]!r} is not an entity set or Entity(id)")
    selection = Selection(_entity(match.group(1)), shown=shown)
    if match.group(2):
        selection = replace(
            selection,
            condition="{a}.id = ?",
            params=(entity_key(match.group(1), match.group(2)),),
            single=True,
        )
    for position, segment in enumerate(segments[1:], start=1):
        if segment == "$value" and position == len(segments) - 1:
            raise InvalidRequestError("$value must follow a property, e.g. Things(1)/name/$value")
        match = _SEGMENT.match(segment)
        if not match:
            raise InvalidRequestError(f"{segment!r} is not a navigation property or Entity(id)")
        name, key = match.group(1), match.group(2)
        if name in selection.entity.properties and selection.single and key is None:
            rest = segments[position + 1 :]
            if rest not in ([], ["$value"]):
                raise InvalidRequestError(f"nothing can follow the property {name!r} except $value")
            return Resource(selection, name, rest == ["$value"], segments)
        if not selection.single:
            raise InvalidRequestError(
                f"cannot navigate from the collection {segments[position - 1]!r}; address one "
                "entity by its id first, e.g. Things(1)/Datastreams"
            )
        selection = navigate(selection, name)
        if key is not None:
            selection = replace(
                selection,
                condition=f"({selection.condition}) AND {{a}}.id = ?",
                params=(*selection.params, entity_key(name, key)),
                single=True,
            )
    return Resource(selection, parts=segments)


def _split_top_level(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside parentheses (for ``$expand`` lists)."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise InvalidRequestError(f"unbalanced ')' in {text!r}")
        if char == separator and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if depth:
        raise InvalidRequestError(f"unbalanced '(' in {text!r}")
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _integer(name: str, text: str, *, low: int, high: int) -> int:
    if not re.fullmatch(r"\d+", text.strip()):
        raise InvalidRequestError(f"{name} must be a whole number, got {text!r}")
    value = int(text)
    if not low <= value <= high:
        raise InvalidRequestError(f"{name} must be between {low} and {high}, got {value}")
    return value


def parse_options(raw: dict[str, str], entity: Entity) -> Options:
    """Validate the system query options for ``entity`` (unknown options are an error)."""
    known = {
        "$top",
        "$skip",
        "$count",
        "$select",
        "$orderby",
        "$expand",
        "$filter",
        "$resultFormat",
    }
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InvalidRequestError(
            f"unknown query option(s) {unknown}", hint=f"SensorThings knows {sorted(known)}."
        )
    options = Options()
    if "$top" in raw:
        options = replace(options, top=_integer("$top", raw["$top"], low=0, high=MAX_TOP))
    if "$skip" in raw:
        options = replace(options, skip=_integer("$skip", raw["$skip"], low=0, high=10**12))
    if "$count" in raw:
        if raw["$count"] not in ("true", "false"):
            raise InvalidRequestError(f"$count must be true or false, got {raw['$count']!r}")
        options = replace(options, count=raw["$count"] == "true")
    if "$select" in raw:
        names = tuple(n.strip() for n in raw["$select"].split(",") if n.strip())
        allowed = {"id", "@iot.id", *entity.properties, *entity.navigation}
        for name in names:
            if name not in allowed:
                raise InvalidRequestError(
                    f"$select: {entity.name} has no property {name!r}",
                    hint=f"Properties: {', '.join(sorted(allowed))}.",
                )
        options = replace(options, select=names)
    if "$orderby" in raw:
        orders = []
        for item in _split_top_level(raw["$orderby"], ","):
            name, _, direction = item.partition(" ")
            direction = direction.strip().lower() or "asc"
            if name not in ("id", *entity.properties) or direction not in ("asc", "desc"):
                raise InvalidRequestError(
                    f"$orderby: cannot order {entity.name} by {item!r}",
                    hint="Use a property name, optionally followed by asc or desc.",
                )
            orders.append((name, direction))
        options = replace(options, orderby=tuple(orders))
    if "$expand" in raw:
        options = replace(options, expand=tuple(_parse_expand(raw["$expand"], entity)))
    if "$filter" in raw:
        filter_sql(raw["$filter"], entity, alias="e")  # reject bad filters before any query
        options = replace(options, filter=raw["$filter"])
    if "$resultFormat" in raw:
        options = _result_format(raw["$resultFormat"], entity, options)
    return options


def data_array_components(select: tuple[str, ...]) -> list[str]:
    """The dataArray components of a request: the ``$select``ed Observation properties, else all.

    They keep the standard's order whatever the order of ``$select``, as in FROST-Server, so
    that a client can rely on ``id``, ``phenomenonTime``, ``result`` coming in that order.
    """
    chosen = {"id" if name == "@iot.id" else name for name in select}
    return [name for name in DATA_ARRAY_COMPONENTS if not select or name in chosen]


def _result_format(value: str, entity: Entity, options: Options) -> Options:
    """``$resultFormat=dataArray`` (OGC 18-088, 14.3): Observations only, as plain rows.

    Rows per Datastream have no room for expanded entities, hence no ``$expand``.
    """
    if value != "dataArray":
        raise InvalidRequestError(
            f"$resultFormat must be dataArray, got {value!r}",
            hint="Leave $resultFormat out for the default JSON.",
        )
    if entity.name != "Observations":
        raise InvalidRequestError(
            f"$resultFormat=dataArray is only for Observations, not for {entity.name}"
        )
    if options.expand:
        raise InvalidRequestError("$resultFormat=dataArray cannot be combined with $expand")
    if not data_array_components(options.select):
        raise InvalidRequestError(
            "$resultFormat=dataArray: $select names no Observation property",
            hint=f"Components: {', '.join(DATA_ARRAY_COMPONENTS)}.",
        )
    return replace(options, data_array=True)


def _parse_expand(text: str, entity: Entity) -> list[tuple[str, Options]]:
    items = []
    for item in _split_top_level(text, ","):
        head, _, nested_text = item.partition("(")
        path = head.strip().split("/")
        nav = path[0]
        if nav not in entity.navigation:
            raise InvalidRequestError(
                f"$expand: {entity.name} has no navigation property {nav!r}",
                hint=f"Known: {', '.join(entity.navigation)}.",
            )
        target = ENTITIES[entity.navigation[nav].target]
        raw: dict[str, str] = {}
        if nested_text:
            if not nested_text.endswith(")"):
                raise InvalidRequestError(f"$expand: missing ')' in {item!r}")
            for option in _split_top_level(nested_text[:-1], ";"):
                key, sep, value = option.partition("=")
                if not sep:
                    raise InvalidRequestError(f"$expand: option {option!r} needs '='")
                raw[key.strip()] = value.strip()
        if "$resultFormat" in raw:
            raise InvalidRequestError(
                f"$expand: $resultFormat is for the whole request, not inside {item!r}"
            )
        if len(path) > 1:
            deeper = "/".join(path[1:])
            raw["$expand"] = f"{deeper},{raw['$expand']}" if "$expand" in raw else deeper
        items.append((nav, parse_options(raw, target)))
    return items
