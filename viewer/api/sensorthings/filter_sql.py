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
_GEO = ("intersects", "within", "contains", "disjoint", "equals", "touches", "overlaps", "crosses")

FUNCTIONS: dict[tuple[str, int], str] = {
    ("length", 1): "length({0})",
    ("tolower", 1): "lower({0})",
    ("toupper", 1): "upper({0})",
    ("trim", 1): "trim({0})",
    ("round", 1): "round({0})",
    ("floor", 1): "floor({0})",
    ("ceiling", 1): "ceil({0})",
    **{
        (part, 1): f"CAST(strftime('{code}', {{0}}) AS INTEGER)"
        for part, code in (
            ("year", "%Y"),
            ("month", "%m"),
            ("day", "%d"),
            ("hour", "%H"),
            ("minute", "%M"),
            ("second", "%S"),
        )
    },
    ("substringof", 2): "(instr({1}, {0}) > 0)",
    ("contains", 2): "(instr({0}, {1}) > 0)",
    ("startswith", 2): "(instr({0}, {1}) = 1)",  # first occurrence at the start
    ("endswith", 2): "twin_endswith({0}, {1})",
    ("indexof", 2): "(instr({0}, {1}) - 1)",
    ("substring", 2): "substr({0}, {1} + 1)",
    ("substring", 3): "substr({0}, {1} + 1, {2})",
    ("concat", 2): "({0} || {1})",
    ("date", 1): "date({0})",
    ("now", 0): "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
    ("geo.distance", 2): "twin_geo_distance({0}, {1})",
    # the predicate names come from this table, never from the request
    ("geo.intersects", 2): "twin_geo('intersects', {0}, {1})",
    **{(f"st_{p}", 2): f"twin_geo('{p}', {{0}}, {{1}})" for p in _GEO},
}
"""Whitelisted ``$filter`` functions: (name, number of arguments) → SQL, each argument once."""
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
        """Compile a whitelisted function call.

        Arguments are compiled in the order their SQL appears in the template, so that bound
        parameters line up with the placeholders (``substringof`` swaps its arguments).
        """
        key = (node.name, len(node.args))
        if key not in FUNCTIONS:
            arities = sorted(n for name, n in FUNCTIONS if name == node.name)
            if not arities:
                raise InvalidRequestError(f"$filter: unknown function {node.name!r}")
            raise InvalidRequestError(
                f"$filter: {node.name}() takes {' or '.join(map(str, arities))} argument(s), "
                f"got {len(node.args)}"
            )
        template = FUNCTIONS[key]
        compiled = {
            i: self.compile(node.args[i]) for i in map(int, re.findall(r"\{(\d)\}", template))
        }
        return template.format(*(compiled[i] for i in range(len(node.args))))

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
