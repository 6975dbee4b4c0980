"""Parse SensorThings ``$filter`` expressions (OGC 18-088, 9.3.3.5) into a typed tree.

The parser is a tokenizer plus a recursive-descent (precedence-climbing) parser, so that
every syntax error can name the character where it happened and nothing the client writes
ever reaches SQL as text: :mod:`viewer.api.sensorthings.filter_sql` compiles the tree with
every literal as a bound parameter.

Precedence, tightest first: grouping and calls, unary minus, ``mul div mod``, ``add sub``,
comparisons (``eq ne gt ge lt le``, left-associative), ``not``, ``and``, ``or``. ``not``
takes a whole comparison (``not a eq b`` is ``not (a eq b)``), as the OData ABNF
(``notExpr = "not" RWS boolCommonExpr``) and every reader expect; the OData precedence
table would make it ``(not a) eq b``, which is a type error for a non-boolean ``a``.

Examples
--------
>>> parse("result le 3.5 and not substringof('Stra', name)")  # doctest: +NORMALIZE_WHITESPACE
BinaryOp(op='and',
         left=BinaryOp(op='le', left=Property(path=('result',)), right=Literal(value=3.5)),
         right=UnaryOp(op='not',
                       operand=Call(name='substringof',
                                    args=(Literal(value='Stra'), Property(path=('name',))))))
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import shapely
import shapely.errors

from twin.errors import InvalidRequestError

#: Nesting deeper than this (parentheses, unary operators, tree depth) is refused, so that
#: neither Python's recursion limit nor SQLite's expression depth limit can be reached.
MAX_DEPTH = 64
#: Longer filters are refused before tokenising; no sensible filter comes near this.
MAX_LENGTH = 8000

COMPARISONS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
ARITHMETIC = frozenset({"add", "sub", "mul", "div", "mod"})
LOGICAL = frozenset({"and", "or"})
KEYWORDS = frozenset({"not", "true", "false", "null"}) | COMPARISONS | ARITHMETIC | LOGICAL


class FilterError(InvalidRequestError):
    """A ``$filter`` expression is malformed; ``position`` is the 0-based character index.

    Messages count characters from 1 (``at character 10``), as a reader of the URL would.
    """

    def __init__(self, message: str, *, position: int, hint: str = "") -> None:
        super().__init__(f"$filter: {message} at character {position + 1}", hint=hint)
        self.position = position


# --------------------------------------------------------------------------- tree nodes


@dataclass(frozen=True)
class Literal:
    """A string, integer, decimal, boolean or ``null`` literal."""

    value: str | int | float | bool | None
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class DateTimeLiteral:
    """An ISO 8601 datetime such as ``2025-07-01T00:00:00Z``, normalised to UTC."""

    value: datetime
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class DateLiteral:
    """An ISO 8601 calendar date such as ``2025-07-01`` (compare with ``date(x)``)."""

    value: date
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class DurationLiteral:
    """An ISO 8601 duration ``duration'P1DT2H'``; only added to or subtracted from times."""

    negative: bool
    years: int = 0
    months: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class GeographyLiteral:
    """A ``geography'…'`` (or ``geometry'…'``) literal, validated WKT in lon/lat order."""

    wkt: str
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Property:
    """A property path: ``result``, ``Datastream/name``, ``Thing/properties/kind``."""

    path: tuple[str, ...]
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Call:
    """A call of a function from :data:`FUNCTIONS` (name and arity already checked)."""

    name: str
    args: tuple[Node, ...]
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class UnaryOp:
    """``not`` or unary minus (``op='neg'``)."""

    op: str
    operand: Node
    pos: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class BinaryOp:
    """A comparison, arithmetic or logical operator (``op`` is the OData keyword)."""

    op: str
    left: Node
    right: Node
    pos: int = field(default=0, compare=False, repr=False)


Node = (
    Literal
    | DateTimeLiteral
    | DateLiteral
    | DurationLiteral
    | GeographyLiteral
    | Property
    | Call
    | UnaryOp
    | BinaryOp
)


# ------------------------------------------------------------------------------ functions


@dataclass(frozen=True)
class Signature:
    """How many arguments a function takes and what kind of value it returns."""

    min_args: int
    max_args: int
    returns: str  # one of "bool", "num", "str", "time", "date", "geo"


def _sig(count: int, returns: str, *, max_args: int | None = None) -> Signature:
    return Signature(count, count if max_args is None else max_args, returns)


#: Every function a filter may call; anything else is refused while parsing.
FUNCTIONS: dict[str, Signature] = {
    # strings (substringof is SensorThings v1.1 / OData 3; contains is OData 4)
    "substringof": _sig(2, "bool"),
    "contains": _sig(2, "bool"),
    "startswith": _sig(2, "bool"),
    "endswith": _sig(2, "bool"),
    "length": _sig(1, "num"),
    "indexof": _sig(2, "num"),
    "substring": _sig(2, "str", max_args=3),
    "tolower": _sig(1, "str"),
    "toupper": _sig(1, "str"),
    "trim": _sig(1, "str"),
    "concat": _sig(2, "str"),
    # dates and times
    "year": _sig(1, "num"),
    "month": _sig(1, "num"),
    "day": _sig(1, "num"),
    "hour": _sig(1, "num"),
    "minute": _sig(1, "num"),
    "second": _sig(1, "num"),
    "date": _sig(1, "date"),
    "time": _sig(1, "str"),
    "now": _sig(0, "time"),
    "mindatetime": _sig(0, "time"),
    "maxdatetime": _sig(0, "time"),
    # maths
    "round": _sig(1, "num"),
    "floor": _sig(1, "num"),
    "ceiling": _sig(1, "num"),
    # geometry
    "geo.distance": _sig(2, "num"),
    "geo.length": _sig(1, "num"),
    "geo.intersects": _sig(2, "bool"),
    "st_equals": _sig(2, "bool"),
    "st_disjoint": _sig(2, "bool"),
    "st_touches": _sig(2, "bool"),
    "st_within": _sig(2, "bool"),
    "st_overlaps": _sig(2, "bool"),
    "st_crosses": _sig(2, "bool"),
    "st_intersects": _sig(2, "bool"),
    "st_contains": _sig(2, "bool"),
    "st_relate": _sig(3, "bool"),
}


def kind(node: Node) -> str:
    """The kind of value ``node`` yields: bool, num, str, time, date, geo, duration or any.

    Used to refuse expressions SQLite would silently coerce into nonsense, such as
    ``result and 1`` or ``name add 'x'``; properties and ``null`` are ``any`` because
    their type is only known to the store.
    """
    match node:
        case Literal(value=value):
            if value is None:
                return "any"
            if isinstance(value, bool):
                return "bool"
            return "str" if isinstance(value, str) else "num"
        case DateTimeLiteral():
            return "time"
        case DateLiteral():
            return "date"
        case DurationLiteral():
            return "duration"
        case GeographyLiteral():
            return "geo"
        case Property():
            return "any"
        case Call(name=name):
            return FUNCTIONS[name].returns
        case UnaryOp(op=op):
            return "bool" if op == "not" else "num"
        case BinaryOp(op=op, right=right):
            if op in ARITHMETIC:
                # a datetime plus or minus a duration stays a datetime
                return "time" if kind(right) == "duration" else "num"
            return "bool"
    return "any"  # pragma: no cover - the match above is exhaustive


# ------------------------------------------------------------------------------ tokenizer

_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})(?![\w:.])"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\w:.-])")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_IDENT = re.compile(r"@iot\.id|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_DURATION = re.compile(
    r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?"
)
_PUNCTUATION = "(),/-"
_TYPED_LITERALS = frozenset({"geography", "geometry", "duration"})
_INT64_MAX = 2**63 - 1
_SYNTAX_HINT = (
    "Write conditions like result gt 20 and startswith(name, 'Luft'): strings in single "
    "quotes (double a quote inside: 'O''Brien'), path segments separated by '/'."
)


@dataclass(frozen=True)
class Token:
    """One token with its 0-based position and, for literals, its parsed value.

    ``kind`` is ident, keyword, string, int, decimal, datetime, date, typed
    (``geography'…'`` etc.), a punctuation character, or ``end``.
    """

    kind: str
    text: str
    pos: int
    value: object = None


def _string_body(text: str, start: int) -> tuple[str, int]:
    """The unescaped body of the quoted string opening at ``start`` and the index after it."""
    pos, parts = start + 1, []
    while True:
        close = text.find("'", pos)
        if close < 0:
            raise FilterError(
                "unterminated string",
                position=start,
                hint="Close the string with a single quote; write a quote inside it as ''.",
            )
        parts.append(text[pos:close])
        if text.startswith("''", close):
            parts.append("'")
            pos = close + 2
            continue
        return "".join(parts), close + 1


def _number(text: str, pos: int) -> Token:
    match = _NUMBER.match(text, pos)
    assert match is not None  # only called on a digit
    raw, end = match.group(), match.end()
    if end < len(text) and (text[end].isalnum() or text[end] == "_"):
        raise FilterError(f"malformed number {text[pos : end + 1]!r}", position=pos)
    if raw.isdigit():
        value = int(raw)
        if value > _INT64_MAX:
            raise FilterError(
                f"integer {raw} is out of range", position=pos, hint="Integers are 64-bit."
            )
        return Token("int", raw, pos, value)
    number = float(raw)
    if not math.isfinite(number):
        raise FilterError(f"number {raw} is out of range", position=pos)
    return Token("decimal", raw, pos, number)


def _timestamp(text: str, match: re.Match[str], pos: int) -> Token:
    raw = match.group()
    try:
        if "T" in raw:
            moment = datetime.fromisoformat(raw)
            return Token("datetime", raw, pos, moment.astimezone(UTC))
        return Token("date", raw, pos, date.fromisoformat(raw))
    except (ValueError, OverflowError) as err:
        raise FilterError(
            f"invalid date or time {raw!r}",
            position=pos,
            hint="Use ISO 8601, e.g. 2025-07-01T00:00:00Z or 2025-07-01T02:00:00+02:00.",
        ) from err


def _typed(prefix: str, body: str, pos: int) -> Token:
    if prefix == "duration":
        match = _DURATION.fullmatch(body)
        if match is None or body in ("P", "-P") or body.endswith("T"):
            raise FilterError(
                f"invalid duration {body!r}",
                position=pos,
                hint="Use ISO 8601 durations without fractions, e.g. duration'P1DT12H'.",
            )
        numbers = [int(g) if g else 0 for g in match.groups()[1:]]
        if any(n > 100_000_000 for n in numbers):
            raise FilterError(f"duration {body!r} is out of range", position=pos)
        years, months, days, hours, minutes, seconds = numbers
        duration = DurationLiteral(
            bool(match.group(1)), years, months, days, hours, minutes, seconds, pos=pos
        )
        return Token("typed", body, pos, duration)
    try:
        geometry = shapely.from_wkt(body)
    except (shapely.errors.GEOSException, ValueError, TypeError) as err:
        raise FilterError(
            f"invalid {prefix} literal",
            position=pos,
            hint="Use WKT in longitude/latitude order, e.g. geography'POINT(9.99 53.55)'.",
        ) from err
    if geometry is None or geometry.is_empty:
        raise FilterError(f"empty {prefix} literal", position=pos)
    return Token("typed", body, pos, GeographyLiteral(geometry.wkt, pos=pos))


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``end`` token.

    Raises
    ------
    FilterError
        On a character that cannot start a token, an unterminated string, a malformed
        number, date, duration or WKT literal.
    """
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char.isspace():
            pos += 1
        elif char.isdigit() and (match := _DATETIME.match(text, pos) or _DATE.match(text, pos)):
            tokens.append(_timestamp(text, match, pos))
            pos = match.end()
        elif char.isdigit():
            token = _number(text, pos)
            tokens.append(token)
            pos += len(token.text)
        elif char == "'":
            body, end = _string_body(text, pos)
            tokens.append(Token("string", text[pos:end], pos, body))
            pos = end
        elif match := _IDENT.match(text, pos):
            word, end = match.group(), match.end()
            if text.startswith("'", end):
                if word not in _TYPED_LITERALS:
                    raise FilterError(
                        f"unknown literal prefix {word!r}",
                        position=pos,
                        hint="Typed literals are geography'…', geometry'…' and duration'…'.",
                    )
                body, end = _string_body(text, end)
                tokens.append(_typed(word, body, pos))
            else:
                tokens.append(Token("keyword" if word in KEYWORDS else "ident", word, pos))
            pos = end
        elif char in _PUNCTUATION:
            tokens.append(Token(char, char, pos))
            pos += 1
        else:
            raise FilterError(f"unexpected {char!r}", position=pos, hint=_SYNTAX_HINT)
    tokens.append(Token("end", "", len(text)))
    return tokens


# --------------------------------------------------------------------------------- parser

_VALUE_KINDS = frozenset({"num", "any"})
_TIME_KINDS = frozenset({"time", "any"})


class _Parser:
    """Recursive descent over the token list; one method per precedence level."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens, self.index, self.depth = tokens, 0, 0

    # helpers ------------------------------------------------------------------------
    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at_keyword(self, words: frozenset[str] | set[str]) -> bool:
        return self.token.kind == "keyword" and self.token.text in words

    def unexpected(self, token: Token | None = None) -> FilterError:
        token = token or self.token
        if token.kind == "end":
            return FilterError("unexpected end", position=token.pos, hint=_SYNTAX_HINT)
        if token.kind == "keyword" and token.text in COMPARISONS | ARITHMETIC | LOGICAL:
            return FilterError(
                f"operator {token.text!r} needs an operand", position=token.pos, hint=_SYNTAX_HINT
            )
        return FilterError(f"unexpected {token.text!r}", position=token.pos, hint=_SYNTAX_HINT)

    def nest(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FilterError(
                "expression nested too deeply",
                position=pos,
                hint=f"Use at most {MAX_DEPTH} levels of parentheses and prefixes.",
            )

    @staticmethod
    def require(node: Node, allowed: frozenset[str], what: str) -> Node:
        if kind(node) not in allowed:
            raise FilterError(
                f"{what} needs {' or '.join(sorted(allowed - {'any'}))} operands, not {kind(node)}",
                position=node.pos,
                hint="Compare values with eq/ne/gt/ge/lt/le and join conditions with and/or.",
            )
        return node

    # precedence levels ----------------------------------------------------------------
    def expression(self) -> Node:
        return self.disjunction()

    def disjunction(self) -> Node:
        left = self.conjunction()
        while self.at_keyword({"or"}):
            token = self.advance()
            right = self.conjunction()
            left = BinaryOp("or", self.boolean(left, "or"), self.boolean(right, "or"), token.pos)
        return left

    def conjunction(self) -> Node:
        left = self.negation()
        while self.at_keyword({"and"}):
            token = self.advance()
            right = self.negation()
            left = BinaryOp("and", self.boolean(left, "and"), self.boolean(right, "and"), token.pos)
        return left

    def boolean(self, node: Node, what: str) -> Node:
        return self.require(node, frozenset({"bool", "any"}), f"'{what}'")

    def negation(self) -> Node:
        if not self.at_keyword({"not"}):
            return self.comparison()
        token = self.advance()
        self.nest(token.pos)
        operand = self.boolean(self.negation(), "not")
        self.depth -= 1
        return UnaryOp("not", operand, token.pos)

    def comparison(self) -> Node:
        left = self.additive()
        while self.at_keyword(COMPARISONS):
            token = self.advance()
            right = self.additive()
            for side in (left, right):
                if kind(side) in ("geo", "duration"):
                    raise FilterError(
                        f"cannot compare a {kind(side)} value with {token.text!r}",
                        position=side.pos,
                        hint="Use geo.intersects/st_* for geometries; add durations to times.",
                    )
            left = BinaryOp(token.text, left, right, token.pos)
        return left

    def additive(self) -> Node:
        left = self.multiplicative()
        while self.at_keyword({"add", "sub"}):
            token = self.advance()
            right = self.multiplicative()
            if kind(right) == "duration":
                left = BinaryOp(
                    token.text, self.require(left, _TIME_KINDS, "a duration"), right, token.pos
                )
            else:
                left = self.arithmetic(token, left, right)
        return left

    def multiplicative(self) -> Node:
        left = self.unary()
        while self.at_keyword({"mul", "div", "mod"}):
            token = self.advance()
            left = self.arithmetic(token, left, self.unary())
        return left

    def arithmetic(self, token: Token, left: Node, right: Node) -> Node:
        what = f"{token.text!r}"
        return BinaryOp(
            token.text,
            self.require(left, _VALUE_KINDS, what),
            self.require(right, _VALUE_KINDS, what),
            token.pos,
        )

    def unary(self) -> Node:
        if self.token.kind != "-":
            return self.primary()
        token = self.advance()
        self.nest(token.pos)
        operand = self.require(self.unary(), _VALUE_KINDS, "'-'")
        self.depth -= 1
        return UnaryOp("neg", operand, token.pos)

    def primary(self) -> Node:
        token = self.advance()
        if token.kind in ("string", "int", "decimal"):
            return Literal(token.value, token.pos)  # type: ignore[arg-type]
        if token.kind == "datetime":
            return DateTimeLiteral(token.value, token.pos)  # type: ignore[arg-type]
        if token.kind == "date":
            return DateLiteral(token.value, token.pos)  # type: ignore[arg-type]
        if token.kind == "typed":
            return token.value  # type: ignore[return-value]
        if token.kind == "keyword" and token.text in ("true", "false", "null"):
            value = None if token.text == "null" else token.text == "true"
            return Literal(value, token.pos)
        if token.kind == "(":
            self.nest(token.pos)
            inner = self.expression()
            self.close(token)
            self.depth -= 1
            return inner
        if token.kind == "ident":
            if self.token.kind == "(":
                return self.call(token)
            return self.path(token)
        raise self.unexpected(token)

    def close(self, opening: Token) -> None:
        if self.token.kind != ")":
            found = "the end" if self.token.kind == "end" else repr(self.token.text)
            raise FilterError(
                f"expected ')' to close the '(' at character {opening.pos + 1}, found {found}",
                position=self.token.pos,
                hint="Balance the parentheses.",
            )
        self.advance()

    def call(self, name: Token) -> Node:
        signature = FUNCTIONS.get(name.text)
        if signature is None:
            raise FilterError(
                f"unknown function {name.text!r}",
                position=name.pos,
                hint=f"Functions: {', '.join(sorted(FUNCTIONS))}.",
            )
        opening = self.advance()
        self.nest(opening.pos)
        args: list[Node] = []
        if self.token.kind != ")":
            args.append(self.argument())
            while self.token.kind == ",":
                self.advance()
                args.append(self.argument())
        self.close(opening)
        self.depth -= 1
        if not signature.min_args <= len(args) <= signature.max_args:
            counts = sorted({signature.min_args, signature.max_args})
            raise FilterError(
                f"{name.text}() takes {' or '.join(map(str, counts))} argument(s), got {len(args)}",
                position=name.pos,
                hint="Check the function's arguments in OGC 18-088, table 'Built-in Filter Operations'.",
            )
        return Call(name.text, tuple(args), name.pos)

    def argument(self) -> Node:
        node = self.expression()
        if kind(node) == "duration":
            raise FilterError(
                "a duration can only be added to or subtracted from a time",
                position=node.pos,
                hint="Write e.g. phenomenonTime ge now() sub duration'P1D'.",
            )
        return node

    def path(self, first: Token) -> Node:
        segments = [first]
        while self.token.kind == "/":
            self.advance()
            if self.token.kind != "ident":
                raise FilterError(
                    "expected a property name after '/'", position=self.token.pos, hint=_SYNTAX_HINT
                )
            segments.append(self.advance())
        for segment in segments:
            if "." in segment.text and segment.text != "@iot.id":
                raise FilterError(
                    f"{segment.text!r} is not a property name",
                    position=segment.pos,
                    hint="Property names have no '.'; functions need parentheses: geo.length(location).",
                )
        return Property(tuple(s.text for s in segments), first.pos)


def _depth(node: Node) -> int:
    """Depth of the tree, computed without recursion (the tree may be a long chain)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        match current:
            case Call(args=args):
                stack.extend((a, level + 1) for a in args)
            case UnaryOp(operand=operand):
                stack.append((operand, level + 1))
            case BinaryOp(left=left, right=right):
                stack.extend([(left, level + 1), (right, level + 1)])
    return deepest


def parse(text: str) -> Node:
    """Parse a ``$filter`` expression into a tree of frozen dataclasses.

    Parameters
    ----------
    text
        The expression as the client sent it (URL-decoded).

    Returns
    -------
    Node
        The root; its value is boolean (or a property whose type the store knows).

    Raises
    ------
    FilterError
        An :class:`~twin.errors.InvalidRequestError` naming what is wrong and the
        character where it is, with a hint how to fix it.

    Examples
    --------
    >>> parse("not a eq 1 or b eq 2 and c eq 3").op
    'or'
    >>> parse("-1 add 2 mul 3 eq 5").left
    BinaryOp(op='add', left=UnaryOp(op='neg', operand=Literal(value=1)), \
right=BinaryOp(op='mul', left=Literal(value=2), right=Literal(value=3)))
    """
    if not text.strip():
        raise FilterError(
            "$filter is empty", position=0, hint="Leave $filter out to get everything."
        )
    if len(text) > MAX_LENGTH:
        raise FilterError(f"$filter is longer than {MAX_LENGTH} characters", position=MAX_LENGTH)
    parser = _Parser(tokenize(text))
    root = parser.expression()
    if parser.token.kind != "end":
        error = parser.unexpected()
        error.hint = "Join conditions with 'and' or 'or'; check the parentheses."
        raise error
    if kind(root) not in ("bool", "any"):
        raise FilterError(
            f"the filter yields a {kind(root)} value, not true or false",
            position=0,
            hint="Compare it with something, e.g. result gt 20.",
        )
    if _depth(root) > MAX_DEPTH:
        raise FilterError(
            "expression nested too deeply",
            position=0,
            hint=f"Use fewer than {MAX_DEPTH} operators in a chain, or split the request.",
        )
    return root
