"""A small evaluator of the Logs Insights syntax the template's saved queries use.

moto's Logs Insights runs ``fields``, ``sort`` and ``limit`` only, so it cannot say
whether a saved query's filter selects the right lines. This evaluates the subset the
queries use, with Logs Insights' own field discovery: JSON keys (nested ones dotted,
``error.kind``), Lambda's REPORT fields (``@type``, ``@duration``, ``@initDuration``...),
``@timestamp``, ``@message``, ``@logStream``, ``@log``. A comparison with a field the
line lacks is false, as in Logs Insights.

Commands: ``fields a, b``; ``filter <expr>``; ``sort f [asc|desc]``; ``limit N``;
``stats count() by a, b``. Expressions: ``and``, ``or``, ``not``, parentheses,
``=``, ``!=``, ``<``, ``>``, ``<=``, ``>=``, ``like /regex/`` or ``like "text"``,
``ispresent(f)``. Anything else is refused (``InsightsSyntaxError``), so a query using
more than this cannot pass unevaluated.
"""

from __future__ import annotations

import operator
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from alchemiser_local.ops.log_records import LogRecord

__all__ = ["InsightsSyntaxError", "Query", "insights_fields", "parse_query"]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<regex>/(?:[^/\\]|\\.)*/)
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op><=|>=|!=|=|<|>)
      | (?P<punct>[(),|])
      | (?P<name>[@A-Za-z_][\w.@]*)
    )""",
    re.VERBOSE,
)
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}
Predicate = Callable[[dict[str, Any]], bool]


class InsightsSyntaxError(Exception):
    """Raised for a query outside the subset this evaluates."""


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise InsightsSyntaxError(f"cannot read {text[position : position + 20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


@dataclass
class _Parser:
    tokens: list[tuple[str, str]]
    at: int = 0
    named: set[str] = field(default_factory=set)

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise InsightsSyntaxError(f"expected {value or 'more'} at token {self.at}: {token}")
        self.at += 1
        return token

    def name(self) -> str:
        kind, value = self.take()
        if kind != "name":
            raise InsightsSyntaxError(f"expected a field name, got {value!r}")
        self.named.add(value)
        return value

    def expression(self) -> Predicate:
        terms = [self.conjunction()]
        while self.peek() == ("name", "or"):
            self.take()
            terms.append(self.conjunction())
        return lambda r: any(term(r) for term in terms)

    def conjunction(self) -> Predicate:
        factors = [self.negation()]
        while self.peek() == ("name", "and"):
            self.take()
            factors.append(self.negation())
        return lambda r: all(factor(r) for factor in factors)

    def negation(self) -> Predicate:
        if self.peek() == ("name", "not"):
            self.take()
            inner = self.negation()
            return lambda r: not inner(r)
        return self.atom()

    def atom(self) -> Predicate:
        if self.peek() == ("punct", "("):
            self.take("(")
            inner = self.expression()
            self.take(")")
            return inner
        if self.peek() == ("name", "ispresent"):
            self.take()
            self.take("(")
            name = self.name()
            self.take(")")
            return lambda r: r.get(name) is not None
        return self.comparison()

    def comparison(self) -> Predicate:
        name = self.name()
        kind, op = self.take()
        if (kind, op) == ("name", "like"):
            return self.like(name)
        if kind != "op":
            raise InsightsSyntaxError(f"expected a comparison after {name}, got {op!r}")
        value = self.value()
        compare = _COMPARE[op]

        def test(record: dict[str, Any]) -> bool:
            found = record.get(name)
            if found is None:
                return False
            try:
                return compare(found, value)
            except TypeError:
                return compare(str(found), str(value))

        return test

    def like(self, name: str) -> Predicate:
        kind, text = self.take()
        if kind == "regex":
            pattern = re.compile(text[1:-1].replace("\\/", "/"))
        elif kind == "string":
            pattern = re.compile(re.escape(_unquote(text)))
        else:
            raise InsightsSyntaxError(f"like needs /regex/ or a string, got {text!r}")
        return lambda r: r.get(name) is not None and pattern.search(str(r[name])) is not None

    def value(self) -> object:
        kind, text = self.take()
        if kind == "string":
            return _unquote(text)
        if kind == "number":
            return float(text)
        raise InsightsSyntaxError(f"expected a value, got {text!r}")

    def names(self) -> list[str]:
        found = [self.name()]
        while self.peek() == ("punct", ","):
            self.take()
            found.append(self.name())
        return found


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


@dataclass
class Query:
    """One parsed query: what it selects and what it names."""

    text: str
    fields: list[str] = field(default_factory=list)
    predicates: list[Predicate] = field(default_factory=list)
    group_by: list[str] | None = None
    sort: tuple[str, bool] | None = None
    limit: int | None = None
    #: Every field the query names (fields, filter, stats, sort).
    named: set[str] = field(default_factory=set)

    def select(self, records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The lines every ``filter`` keeps, sorted and limited as the query says."""
        selected = [r for r in records if all(p(r) for p in self.predicates)]
        if self.sort is not None:
            name, descending = self.sort
            selected.sort(key=lambda r: (r.get(name) is None, r.get(name)), reverse=descending)
        return selected[: self.limit] if self.limit is not None else selected

    def stats(self, records: Iterable[dict[str, Any]]) -> Counter[tuple[Any, ...]]:
        """``stats count() by ...``: the count of each group of the selected lines."""
        if self.group_by is None:
            raise InsightsSyntaxError("the query has no stats command")
        keys = self.group_by
        return Counter(tuple(r.get(k) for k in keys) for r in self.select(records))


def _command(parser: _Parser, query: Query) -> None:
    _, command = parser.take()
    if command == "fields":
        query.fields += parser.names()
    elif command == "filter":
        query.predicates.append(parser.expression())
    elif command == "sort":
        name = parser.name()
        direction = "asc"
        if parser.peek() in (("name", "asc"), ("name", "desc")):
            direction = parser.take()[1]
        query.sort = (name, direction == "desc")
    elif command == "limit":
        kind, number = parser.take()
        if kind != "number":
            raise InsightsSyntaxError(f"limit needs a number, got {number!r}")
        query.limit = int(float(number))
    elif command == "stats":
        parser.take("count")
        parser.take("(")
        parser.take(")")
        parser.take("by")
        query.group_by = parser.names()
    else:
        raise InsightsSyntaxError(f"unsupported command {command!r}")


def parse_query(text: str) -> Query:
    """Parse ``text``, a query in the subset above.

    Raises:
        InsightsSyntaxError: naming what is outside the subset.
    """
    parser = _Parser(_tokens(text))
    query = Query(text)
    while parser.peek() is not None:
        _command(parser, query)
        if parser.peek() is not None:
            parser.take("|")
    query.named = parser.named - {"asc", "desc"}
    return query


def _flatten(prefix: str, value: Any, into: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, into)
    else:
        into[prefix] = value


def insights_fields(
    record: LogRecord, log_group: str, account: str = "123456789012"
) -> dict[str, Any]:
    """A log event's fields as Logs Insights discovers them."""
    fields: dict[str, Any] = {
        "@timestamp": record.timestamp,
        "@message": record.message,
        "@logStream": record.stream,
        "@log": f"{account}:{log_group}",
        **(record.platform or {}),
    }
    _flatten("", record.fields or {}, fields)
    return fields
