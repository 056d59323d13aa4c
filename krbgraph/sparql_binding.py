"""Binding values into a query's text and reading its shape, by the tokenizer.

The named-query catalogue and both store backends bind variables the same way
(``prebind``): a VALUES block first in the outermost WHERE group and in every UNION
branch and subquery that mentions the variable. Built on
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


def prebind(sparql: str, terms: dict[str, str]) -> str:
    """The query with each variable of ``terms`` bound to its term (N-Triples syntax, as
    pyoxigraph serialises it): one ``VALUES`` block first in the outermost WHERE group,
    and one first in every UNION branch and subquery inside it that mentions the
    variable.

    That is what a parameter means to whoever writes a named query: bound inside
    OPTIONAL, UNION, subqueries and EXISTS too, as SHACL's pre-binding does. And
    Oxigraph's planner starts each group from its smallest VALUES block, so every
    branch starts from the bound value. Two other ways were measured and refused:
    evaluating the group ``LATERAL`` to the VALUES block, and writing the term in
    place of the variable, both leave the planner without a start (an area's policy
    started from every typed resource, 1 s instead of 2 ms at 100,000 triples; the
    norms of a search entry ran into the time limit); a single VALUES block outside
    a UNION leaves its branches unbound (an indicator's measurements, 0.6 s instead
    of 4 ms).

    Only there: Oxigraph evaluates an OPTIONAL of more than one pattern on its own,
    so a VALUES block added to a one-pattern OPTIONAL or EXISTS would make it read
    every match of its pattern (the gaps of norms: 27 ms to 3.8 s); and never inside
    MINUS, which removes rows by the variables it shares, so a VALUES there would
    make a row that does not mention the variable share it. Raises SparqlTextError
    as inject_rows.
    """
    for name in terms:
        if not is_variable_name(name):
            raise SparqlTextError(f"{name!r} is not a valid variable name")
    toks = tokens(sparql)
    brace = where_brace(toks)
    first = toks.index(brace)
    ends, parents = _group_ends(toks), _group_parents(toks)
    subquery_groups = _subquery_where_groups(toks)
    if _word(toks, first + 1) == "SELECT" and first in ends:
        # ``WHERE { SELECT ... }``: a group that is a subquery holds nothing beside it, so
        # the outer VALUES block needs the subquery in a group of its own.
        close = toks[ends[first]].start
        sparql = (
            f"{sparql[: brace.start + 1]} {{ {sparql[brace.start + 1 : close]} }} {sparql[close:]}"
        )
        return prebind(sparql, terms)
    skip_until = -1
    inserts: list[tuple[int, str]] = []
    for index in range(first + 1, len(toks)):
        token = toks[index]
        if token.kind == "word" and token.text.upper() == "MINUS":
            skip_until = max(skip_until, ends.get(index + 1, index))
        if token.text != "{" or index <= skip_until or _is_data_block(toks, index):
            continue
        if not (index in subquery_groups or _is_branch(toks, index, ends)):
            continue
        if _is_branch(toks, index, ends) and _bound_beside(toks, parents.get(index), ends, terms):
            continue
        inside = toks[index + 1 : ends.get(index, len(toks))]
        mentioned = [n for n in terms if any(t.kind == "var" and t.text[1:] == n for t in inside)]
        if mentioned:
            header = " ".join(f"?{n}" for n in mentioned)
            row = " ".join(terms[n] for n in mentioned)
            inserts.append((token.start + 1, f" VALUES ({header}) {{ ({row}) }} "))
    text = sparql
    for offset, block in reversed(inserts):
        text = text[:offset] + block + text[offset:]
    names = tuple(terms)
    return inject_rows(text, names, [tuple(terms[n] for n in names)])


def _word(toks: list[Token], at: int) -> str:
    if 0 <= at < len(toks) and toks[at].kind == "word":
        return toks[at].text.upper()
    return ""


def _subquery_where_groups(toks: list[Token]) -> set[int]:
    """The '{' (by token index) opening each subquery's WHERE group, with or without the
    optional keyword ``WHERE`` (``{ SELECT ?s { ... } }``): where the engine evaluates a
    group on its own, so the bound value must be inside. The group is the first '{' after
    the SELECT at the SELECT's own depth (a projection's expressions lie deeper)."""
    groups: set[int] = set()
    for index, token in enumerate(toks):
        if token.depth == 0 or _word(toks, index) != "SELECT":
            continue
        for later in range(index + 1, len(toks)):
            if toks[later].text == "{" and toks[later].depth == token.depth:
                groups.add(later)
                break
    return groups


def _is_branch(toks: list[Token], index: int, ends: dict[int, int]) -> bool:
    return _word(toks, index - 1) == "UNION" or (
        _word(toks, ends.get(index, len(toks)) + 1) == "UNION"
    )


def _bound_beside(
    toks: list[Token], parent: int | None, ends: dict[int, int], terms: dict[str, str]
) -> bool:
    """Whether the group around a UNION has a pattern of its own with a bound variable:
    the engine then starts there and looks the branches up per row, which a VALUES
    block inside them would turn into a read of every match of the branch (the
    cross-links between two themes: 7 ms to 0.57 s at 100,000 triples)."""
    if parent is None:
        return False
    depth = toks[parent].depth + 1
    return any(
        t.kind == "var" and t.depth == depth and t.text[1:] in terms
        for t in toks[parent + 1 : ends.get(parent, len(toks))]
    )


def _group_parents(toks: list[Token]) -> dict[int, int]:
    """For every '{' (by token index) the '{' of the group around it."""
    parents: dict[int, int] = {}
    open_at: list[int] = []
    for index, token in enumerate(toks):
        if token.text == "{":
            if open_at:
                parents[index] = open_at[-1]
            open_at.append(index)
        elif token.text == "}" and open_at:
            open_at.pop()
    return parents


def _group_ends(toks: list[Token]) -> dict[int, int]:
    """For every '{' (by token index) the index of the '}' that closes it."""
    ends: dict[int, int] = {}
    open_at: list[int] = []
    for index, token in enumerate(toks):
        if token.text == "{":
            open_at.append(index)
        elif token.text == "}" and open_at:
            ends[open_at.pop()] = index
    return ends


def _is_data_block(toks: list[Token], index: int) -> bool:
    """Whether the '{' at ``index`` holds the rows of an inline VALUES block."""
    back = index - 1
    while back >= 0 and (toks[back].kind == "var" or toks[back].text in ("(", ")")):
        back -= 1
    return back >= 0 and toks[back].kind == "word" and toks[back].text.upper() == "VALUES"


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
