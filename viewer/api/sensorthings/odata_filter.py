"""A real parser for SensorThings ``$filter`` (OData subset of OGC 18-088, 9.3.3.5).

The expression is tokenised and parsed by recursive descent into a small tree, and the
tree is compiled to SQL in which every literal is a bound parameter, every property path
is looked up in the entity table and every function comes from a fixed list. Nothing a
client writes is ever pasted into SQL, so ``name eq 'x'' or 1=1 --'`` is just a name.

Precedence, lowest first: ``or``, ``and``, ``not``, comparisons (``eq ne gt ge lt le``),
``add sub``, ``mul div mod``, unary minus, then literals, paths, calls and parentheses.

Examples
--------
>>> parse("result gt 20 and not (name eq 'x')")
And(left=Compare(op='gt', left=Path(parts=('result',)), right=Literal(value=20)), \
right=Not(operand=Compare(op='eq', left=Path(parts=('name',)), right=Literal(value='x'))))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Union

from twin.errors import InvalidRequestError
from twin.store.base import SQLITE_INTEGERS

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<geography>geography'(?:[^']|'')*')
  | (?P<string>'(?:[^']|'')*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][\w.]*(?:/[A-Za-z_@][\w.]*)*)
  | (?P<punct>[(),-])
    """,
    re.VERBOSE,
)
_COMPARE = {"eq": "=", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_ARITH = {"add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%"}
_KEYWORDS = {"and", "or", "not", "true", "false", "null", *_COMPARE, *_ARITH}


@dataclass(frozen=True)
class Literal:
    """A string, number, boolean, null or datetime (as ISO UTC text)."""

    value: object


@dataclass(frozen=True)
class Geography:
    """A ``geography'…'`` literal in WKT."""

    wkt: str


@dataclass(frozen=True)
class Path:
    """A property path such as ``result`` or ``Datastream/ObservedProperty/name``."""

    parts: tuple[str, ...]


@dataclass(frozen=True)
class Call:
    """A function call."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Compare:
    """A comparison."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Arith:
    """Arithmetic."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Negate:
    """Unary minus."""

    operand: Node


@dataclass(frozen=True)
class Not:
    """Logical not."""

    operand: Node


@dataclass(frozen=True)
class And:
    """Logical and."""

    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    """Logical or."""

    left: Node
    right: Node


Node = Union[Literal, Geography, Path, Call, Compare, Arith, Negate, Not, And, Or]  # noqa: UP007


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


def _error(message: str, position: int, text: str) -> InvalidRequestError:
    return InvalidRequestError(
        f"$filter: {message} at character {position + 1} of {text!r}",
        hint="Example: $filter=result gt 20 and phenomenonTime ge 2025-07-01T00:00:00Z",
    )


def tokenize(text: str) -> list[_Token]:
    """Split a filter into tokens; anything unrecognised is an error with its position."""
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            what = (
                "unterminated string" if text[position] == "'" else f"unexpected {text[position]!r}"
            )
            raise _error(what, position, text)
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    return tokens


MAX_LENGTH = 8000
MAX_DEPTH = 40
"""Deepest nesting of ``not``, minus and parentheses the parser follows (Python's stack)."""


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    def deeper(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _error("the expression is nested too deeply", position, self.text)

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def next(self) -> _Token:
        token = self.peek()
        if token is None:
            raise _error("unexpected end", len(self.text), self.text)
        self.index += 1
        return token

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token is not None and token.kind == "name" and token.text in words:
            self.index += 1
            return token.text
        return None

    def expect(self, text: str) -> None:
        if self.peek() is None:
            raise _error(f"expected {text!r} but the filter ends", len(self.text), self.text)
        token = self.next()
        if token.text != text:
            raise _error(f"expected {text!r} but found {token.text!r}", token.position, self.text)

    def parse(self) -> Node:
        node = self.or_()
        token = self.peek()
        if token is not None:
            raise _error(f"unexpected {token.text!r}", token.position, self.text)
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.keyword("or"):
            node = Or(node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.keyword("and"):
            node = And(node, self.not_())
        return node

    def not_(self) -> Node:
        token = self.peek()
        if self.keyword("not"):
            self.deeper(token.position if token else 0)
            node = Not(self.not_())
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        node = self.additive()
        op = self.keyword(*_COMPARE)
        if op:
            node = Compare(op, node, self.additive())
        return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while op := self.keyword("add", "sub"):
            node = Arith(op, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while op := self.keyword("mul", "div", "mod"):
            node = Arith(op, node, self.unary())
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token is not None and token.text == "-":
            self.index += 1
            self.deeper(token.position)
            node: Node = Negate(self.unary())
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        token = self.next()
        if token.text == "(":
            self.deeper(token.position)
            node = self.or_()
            self.expect(")")
            self.depth -= 1
            return node
        if token.kind == "string":
            return Literal(token.text[1:-1].replace("''", "'"))
        if token.kind == "geography":
            return Geography(token.text[len("geography'") : -1].replace("''", "'"))
        if token.kind == "number":
            if re.search(r"[.eE]", token.text):
                return Literal(float(token.text))
            whole = int(token.text) if len(token.text) <= 20 else None  # int() stops at 4,300
            if whole is None or whole not in SQLITE_INTEGERS:
                raise InvalidRequestError(
                    f"$filter: the whole number {token.text[:40]} at character "
                    f"{token.position + 1} is too large (at most {SQLITE_INTEGERS[-1]})",
                    hint=f"Write it as a decimal number, e.g. {token.text[0]}e{len(token.text) - 1}.",
                )
            return Literal(whole)
        if token.kind == "datetime":
            try:
                moment = datetime.fromisoformat(token.text.replace("Z", "+00:00")).astimezone(UTC)
            except (ValueError, OverflowError) as error:  # 2025-02-30, or before the year 1 in UTC
                raise _error(
                    f"{token.text} is not a valid time ({error})", token.position, self.text
                ) from None
            return Literal(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
        if token.kind == "name":
            if token.text in ("true", "false"):
                return Literal(token.text == "true")
            if token.text == "null":
                return Literal(None)
            if token.text in _KEYWORDS:
                raise _error(
                    f"operator {token.text!r} needs an operand before it", token.position, self.text
                )
            nxt = self.peek()
            if nxt is not None and nxt.text == "(":
                self.index += 1
                args: list[Node] = []
                if self.peek() is not None and self.peek().text != ")":  # type: ignore[union-attr]
                    args.append(self.or_())
                    while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                        self.index += 1
                        args.append(self.or_())
                self.expect(")")
                return Call(token.text, tuple(args))
            return Path(tuple(token.text.split("/")))
        raise _error(f"unexpected {token.text!r}", token.position, self.text)


def parse(text: str) -> Node:
    """Parse a ``$filter`` expression; :class:`~twin.errors.InvalidRequestError` if it is not one."""
    if not text.strip():
        raise InvalidRequestError("$filter is empty", hint="Leave it out, or give an expression.")
    if len(text) > MAX_LENGTH:
        raise InvalidRequestError(f"$filter is longer than {MAX_LENGTH} characters")
    return _Parser(text).parse()
