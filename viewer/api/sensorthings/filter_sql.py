"""Compile a parsed ``$filter`` to SQLite: bound parameters, checked names, fixed functions.

Property paths resolve through :data:`~viewer.api.sensorthings.entities.ENTITIES`: own
properties directly, single-valued navigation paths (``Datastream/ObservedProperty/name``)
as correlated sub-queries, and keys inside JSON properties (``properties/kind``) with
``json_extract`` and the key as a parameter. Geometry functions run in Python (shapely)
through the ``twin_geo`` SQL function (and ``endswith`` through ``twin_endswith``) that the
store registers on its read connection. Each argument's SQL appears exactly once in the
result, so its bound parameters stay in order.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from twin.errors import InvalidRequestError
from viewer.api.sensorthings.entities import ENTITIES, Entity
from viewer.api.sensorthings.odata_filter import (
    And,
    Arith,
    Call,
    Compare,
    Geography,
    Literal,
    Negate,
    Node,
    Not,
    Or,
    Path,
    parse,
)

_COMPARE = {"eq": "=", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_ARITH = {"add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%"}
_DATE_PARTS = {
    "year": "%Y",
    "month": "%m",
    "day": "%d",
    "hour": "%H",
    "minute": "%M",
    "second": "%S",
}
_SIMPLE = {
    "length": "length",
    "tolower": "lower",
    "toupper": "upper",
    "trim": "trim",
    "round": "round",
    "floor": "floor",
    "ceiling": "ceil",
}
_GEO = {
    "geo.intersects": "intersects",
    "st_intersects": "intersects",
    "st_within": "within",
    "st_contains": "contains",
    "st_disjoint": "disjoint",
    "st_equals": "equals",
    "st_touches": "touches",
    "st_overlaps": "overlaps",
    "st_crosses": "crosses",
}
_KEY = re.compile(r"^[A-Za-z_][\w]*$")
_ALIASES = itertools.count()


class _Compiler:
    def __init__(self, entity: Entity, alias: str) -> None:
        self.entity, self.alias = entity, alias
        self.params: list[object] = []

    def bind(self, value: object) -> str:
        self.params.append(value)
        return "?"

    def path(self, parts: tuple[str, ...], entity: Entity, alias: str) -> str:
        head, rest = parts[0], parts[1:]
        if head in ("id", "@iot.id") and not rest:
            return f"{alias}.id"
        if head in entity.properties:
            column = entity.column(head).format(a=alias)
            if not rest:
                return column
            if head not in entity.json_properties or not all(_KEY.match(p) for p in rest):
                raise InvalidRequestError(
                    f"$filter: {'/'.join(parts)!r} is not a property of {entity.name}"
                )
            return f"json_extract({column}, {self.bind('$.' + '.'.join(rest))})"
        nav = entity.navigation.get(head)
        if nav is None or not nav.single or not rest:
            raise InvalidRequestError(
                f"$filter: {entity.name} has no property {'/'.join(parts)!r}",
                hint=f"Properties: {', '.join(entity.properties)}; single navigation: "
                + ", ".join(n for n, v in entity.navigation.items() if v.single),
            )
        target = ENTITIES[nav.target]
        inner = f"n{next(_ALIASES)}"
        expression = self.path(rest, target, inner)
        join = nav.join.format(a=inner, p=alias)
        return f"(SELECT {expression} FROM {target.table} {inner} WHERE {join})"

    def call(self, node: Call) -> str:
        name, args = node.name, [self.compile(a) for a in node.args]

        def arity(*counts: int) -> None:
            if len(args) not in counts:
                raise InvalidRequestError(
                    f"$filter: {name}() takes {' or '.join(map(str, counts))} argument(s), got {len(args)}"
                )

        if name in _SIMPLE:
            arity(1)
            return f"{_SIMPLE[name]}({args[0]})"
        if name in _DATE_PARTS:
            arity(1)
            return f"CAST(strftime('{_DATE_PARTS[name]}', {args[0]}) AS INTEGER)"
        if name == "substringof":
            arity(2)
            return f"(instr({args[1]}, {args[0]}) > 0)"
        if name == "contains":
            arity(2)
            return f"(instr({args[0]}, {args[1]}) > 0)"
        if name == "startswith":
            arity(2)
            return f"(instr({args[0]}, {args[1]}) = 1)"  # first occurrence at the start
        if name == "endswith":
            arity(2)
            return f"twin_endswith({args[0]}, {args[1]})"
        if name == "indexof":
            arity(2)
            return f"(instr({args[0]}, {args[1]}) - 1)"
        if name == "substring":
            arity(2, 3)
            return f"substr({args[0]}, {args[1]} + 1{', ' + args[2] if len(args) == 3 else ''})"
        if name == "concat":
            arity(2)
            return f"({args[0]} || {args[1]})"
        if name == "date":
            arity(1)
            return f"date({args[0]})"
        if name == "now":
            arity(0)
            return "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
        if name in _GEO:
            arity(2)
            # the predicate name comes from the fixed table above, never from the request
            return f"twin_geo('{_GEO[name]}', {args[0]}, {args[1]})"
        if name == "geo.distance":
            arity(2)
            return f"twin_geo_distance({args[0]}, {args[1]})"
        raise InvalidRequestError(f"$filter: unknown function {name!r}")

    def compile(self, node: Node) -> str:
        match node:
            case Literal(value=value):
                return (
                    "NULL"
                    if value is None
                    else self.bind(int(value) if isinstance(value, bool) else value)
                )
            case Geography(wkt=wkt):
                return self.bind(wkt)
            case Path(parts=parts):
                return self.path(parts, self.entity, self.alias)
            case Compare(op=op, left=left, right=right):
                if isinstance(right, Literal) and right.value is None and op in ("eq", "ne"):
                    return f"({self.compile(left)} IS {'NOT ' if op == 'ne' else ''}NULL)"
                return f"({self.compile(left)} {_COMPARE[op]} {self.compile(right)})"
            case Arith(op=op) if op in ("add", "mul"):
                terms = _flatten(node, lambda n: isinstance(n, Arith) and n.op == op)
                return "(" + f" {_ARITH[op]} ".join(self.compile(n) for n in terms) + ")"
            case Arith(op=op, left=left, right=right):
                return f"({self.compile(left)} {_ARITH[op]} {self.compile(right)})"
            case Negate(operand=operand):
                return f"(-{self.compile(operand)})"
            case Not(operand=operand):
                return f"(NOT {self.compile(operand)})"
            case And() | Or():
                # chains are written flat: nested parentheses overflow SQLite's parser
                word = " AND " if isinstance(node, And) else " OR "
                kind = type(node)
                terms = _flatten(node, lambda n: type(n) is kind)
                return "(" + word.join(self.compile(n) for n in terms) + ")"
            case Call():
                return self.call(node)
        raise InvalidRequestError("$filter: unsupported expression")  # pragma: no cover


MAX_SQL_NESTING = 16
"""Deepest parenthesis nesting a filter may compile to (SQLite's parser overflows near 27)."""


def _flatten(node: Node, same: Callable[[Node], bool]) -> list[Node]:
    """Operands of a chain of one associative operator (``a or b or c``), left to right."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if same(current) and isinstance(current, And | Or | Arith):
            stack += [current.right, current.left]
        else:
            out.append(current)
    return out


def _nesting(sql: str) -> int:
    depth = deepest = 0
    for char in sql:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest


def filter_sql(text: str, entity: Entity, *, alias: str) -> tuple[str, list[object]]:
    """SQL condition and parameters for ``$filter`` text on ``entity`` (table alias ``alias``)."""
    compiler = _Compiler(entity, alias)
    sql = compiler.compile(parse(text))
    if _nesting(sql) > MAX_SQL_NESTING:
        raise InvalidRequestError(
            "$filter is nested too deeply",
            hint="Write long conditions as flat chains (a or b or c) instead of nesting them.",
        )
    return sql, compiler.params
