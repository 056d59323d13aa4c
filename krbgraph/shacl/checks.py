"""The three forms a compiled constraint takes, by what decides a violation.

- ValueCheck: a test on one value node (sh:class, sh:datatype, sh:node ...):
  an expression that is true when the value conforms. Value checks of one
  shape share one query that binds each value node once.
- FocusCheck: a test on the focus node as a whole, with no value in the
  result (sh:minCount, sh:hasValue ...): an expression that is true when the
  focus node violates it. Focus checks of one focus set share one query.
- RowCheck: a pattern whose solutions are the results (sh:equals, sh:closed,
  sh:sparql ...), one query each.

Expressions never raise a SPARQL error: a comparison that fails is wrapped so
that an error counts as "does not conform", as SHACL wants for incomparable
values. Every form also renders a pattern that tests one focus node inside
FILTER (NOT) EXISTS, which is how shapes nested through sh:node, sh:not,
sh:and, sh:or, sh:xone and qualified value shapes are checked.

Set forms. An expression with EXISTS costs a nested evaluation per row, which
on Oxigraph is some 50 microseconds; a MINUS, a join or a GROUP BY over a
whole relation costs far less per row. So checks that can say "the set of
nodes that conform" as a pattern do (``ValueCheck.conforming``,
``FocusCheck.set_form``), and the planner then writes "candidates MINUS
conforming" or "candidates joined with violators" instead of a test per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.term import Node

from .context import Context
from .shapes import Shape


@dataclass(frozen=True)
class Origin:
    """What a result of the check reports besides focus, path and value."""

    shape: Shape
    component: URIRef
    constraint: Node | None = None
    """sh:sourceConstraint: the sh:sparql node of a SPARQL constraint."""
    messages: tuple[Literal, ...] = ()
    """sh:message of the constraint or validator, reported before the shape's own."""
    parameters: tuple[tuple[str, Node], ...] = ()
    """Parameter values of a SPARQL-based component, for {$name} in its messages."""
    substitute: bool = False
    """Fill {?var} and {$var} in messages from the solution (SPARQL-based checks)."""


class ValueCheck:
    origin: Origin

    def ok(self, ctx: Context, value: str, focus: str) -> str:
        """An error-free expression, true when ``value`` (of ``focus``) conforms."""
        raise NotImplementedError

    def conforming(self, ctx: Context, value: str) -> str | None:
        """A pattern whose solutions bind ``value`` to exactly the conforming nodes,
        whatever the focus node; None when the check has no such form."""
        return None


class FocusCheck:
    origin: Origin

    def violated(self, ctx: Context, focus: str) -> str:
        """An error-free expression, true when ``focus`` violates the constraint."""
        raise NotImplementedError

    def set_form(self, ctx: Context, focus: str) -> tuple[str, bool] | None:
        """A pattern binding ``focus`` to the nodes that satisfy the constraint (True)
        or to those that violate it (False), over the whole data; None if there is none."""
        return None

    def predicate_count(self) -> PredicateCount | None:
        """The check as a count of one predicate's values, when it is one (plans.py
        then counts several predicates of one focus group in one query)."""
        return None


@dataclass(frozen=True)
class PredicateCount:
    """sh:maxCount n, or sh:minCount 1, on a predicate path, without a qualified shape."""

    predicate: URIRef
    n: int
    at_most: bool


@dataclass(frozen=True)
class Columns:
    """The variables of a row query that fill a result (names without '?')."""

    value: str | None = None
    path: str | None = None
    extra: tuple[str, ...] = ()
    value_is_focus: bool = False
    """No value variable: the focus node is the value (SPARQL constraints of node shapes)."""


@dataclass
class RowQuery:
    """A compiled row check: the query, and which of its variables fill a result."""

    text: str
    columns: Columns
    per_focus: bool = False
    """The text has FOCUS_MARKER where each focus node's term goes; the engine runs
    ``focus_query`` first and then the text once per focus node (pre-binding)."""
    focus_query: str | None = field(default=None)


FOCUS_MARKER = "\x00FOCUS\x00"
"""Stands for the focus node's term in a per-focus query; no SPARQL text contains it."""


class RowCheck:
    origin: Origin

    def pattern(self, ctx: Context, focus: str, focus_group: str) -> tuple[str, Columns]:
        """A group pattern whose solutions are the violations of ``focus``.

        ``focus_group`` binds the focus variable (empty inside EXISTS, where the
        focus is bound already); a pattern with several branches repeats it in
        each, so every branch is evaluated with the focus bound.
        """
        raise NotImplementedError

    def query(self, ctx: Context, focus_group: str, keys: list[str]) -> RowQuery:
        """The whole query listing the violations of the focus nodes ``focus_group`` binds;
        ``keys`` are the group's route variables (targets.FocusGroup), selected too."""
        body, columns = self.pattern(ctx, "?this", focus_group)
        selected = ["?this", *keys] + [
            f"?{name}" for name in (columns.value, columns.path, *columns.extra) if name
        ]
        text = f"SELECT DISTINCT {' '.join(selected)} WHERE {{\n{body}\n}}"
        return RowQuery(ctx.prologue() + text, columns)

    def exists(self, ctx: Context, focus: str) -> str:
        """A group pattern with a solution exactly when bound ``focus`` violates the check."""
        return self.pattern(ctx, focus, "")[0]


Check = ValueCheck | FocusCheck | RowCheck
