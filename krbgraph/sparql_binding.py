"""Binding values into a query's text and reading its shape, by the tokenizer.

The named-query catalogue and both store backends bind variables the same way:
one VALUES block placed first in the outermost WHERE group. Built on
krbgraph.sparql_text's tokenizer, so a brace or keyword inside a string, IRI or
comment never counts.
"""

from __future__ import annotations

import re

from .sparql_text import Token, tokens


class SparqlTextError(ValueError):
    """Text that a VALUES block cannot be placed into, or a variable name that is not one."""


_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def is_variable_name(name: str) -> bool:
    """Whether ``name`` (without '?') is a SPARQL variable name as named queries use them."""
    return bool(_VAR_NAME.match(name))


def where_brace(toks: list[Token]) -> Token:
    """The '{' that opens the outermost WHERE group; raises SparqlTextError without one."""
    for index, token in enumerate(toks):
        if token.depth == 0 and token.kind == "word" and token.text.upper() == "WHERE":
            following = toks[index + 1] if index + 1 < len(toks) else None
            if following is not None and following.text == "{":
                return following
            break
    raise SparqlTextError("no top-level 'WHERE {' found; bound queries spell out WHERE")


def projection(toks: list[Token]) -> list[str] | None:
    """Projected variable names of a SELECT, or None for SELECT * and other forms."""
    names: list[str] = []
    in_select = False
    previous_upper = ""
    for token in toks:
        upper = token.text.upper() if token.kind == "word" else ""
        if not in_select:
            if upper == "SELECT":
                in_select = True
                select_depth = token.depth
            elif upper in ("ASK", "CONSTRUCT", "DESCRIBE"):
                return None
            continue
        if upper == "WHERE" or token.text == "{":
            break
        if token.text == "*" and token.depth == select_depth:
            return None
        if token.kind == "var" and (token.depth == select_depth or previous_upper == "AS"):
            names.append(token.text[1:])
        previous_upper = upper
    return names or None


def inject_rows(
    sparql: str, names: tuple[str, ...], rows: list[tuple[str, ...]], *, lateral: bool = False
) -> str:
    """The query with ``VALUES (?a ?b) { (t t) ... }`` first in its outermost WHERE group.

    With ``lateral`` the rest of the group follows as ``LATERAL { ... }`` (SPARQL 1.2,
    which Oxigraph evaluates): the group is then evaluated once per row with the
    variables already bound, as SHACL's pre-binding does, instead of on its own and
    joined afterwards. That is what a parameter means to whoever writes a named
    query (bound inside OPTIONAL, UNION, subqueries and NOT EXISTS too), and it lets
    the engine start from the bound value: a UNION joined with VALUES is otherwise
    evaluated over the whole store first (seconds at a million triples).

    ``rows`` hold terms already serialised in N-Triples syntax by pyoxigraph (escaped),
    so no value can end the block early. Raises SparqlTextError for a bad variable name
    or text without a top-level WHERE group.
    """
    for name in names:
        if not is_variable_name(name):
            raise SparqlTextError(f"{name!r} is not a valid variable name")
    toks = tokens(sparql)
    brace = where_brace(toks)
    end = brace.start + len(brace.text)
    header = " ".join(f"?{name}" for name in names)
    body = " ".join("(" + " ".join(row) + ")" for row in rows)
    values = f"\n  VALUES ({header}) {{ {body} }}\n"
    if not lateral:
        return f"{sparql[:end]}{values}{sparql[end:]}"
    close = next(
        (t for t in toks if t.text == "}" and t.depth == brace.depth and t.start > brace.start),
        None,
    )
    if close is None:
        raise SparqlTextError("the top-level WHERE group is not closed")
    group = sparql[end : close.start]
    return f"{sparql[:end]}{values}  LATERAL {{{group}}}\n{sparql[close.start :]}"
