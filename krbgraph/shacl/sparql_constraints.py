"""SHACL-SPARQL: SPARQL constraints (sh:sparql) and SPARQL-based constraint components.

Pre-binding (SHACL-SPARQL 5.3.1) gives $this the focus node everywhere in the
query. The compiler instead puts the focus nodes' pattern first in the
query's outer group, which means the same wherever $this is bound by that
group: its triple patterns and filters, FILTER (NOT) EXISTS, OPTIONAL joined
to it, and triple patterns of nested groups. A query that tests $this in an
expression inside a nested group, a subquery or a BIND within OPTIONAL is run
once per focus node with the node's term written in place of $this, as
pre-binding defines it. Inside FILTER EXISTS (shapes checked through sh:node
and the like) SPARQL's own substitution semantics pre-bind.

Parameters of SPARQL-based components are constants and are always written in
place. $PATH becomes the SPARQL form of the shape's path. $shapesGraph and
$currentShape are the IRIs of the named graph holding the shapes and of the
shape, when the store holds the shapes graph (validate_graph puts it there;
validate_store is told its IRI); otherwise such a query is not compiled.
The syntax rules of 5.2.1 (no MINUS, SERVICE or VALUES, no AS on a
pre-bound variable, subqueries that return $this) make a shape ill-formed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import product

from rdflib import Literal
from rdflib.namespace import SH
from rdflib.term import Node

from ..sparql_text import Token, tokens
from . import terms
from .checks import FOCUS_MARKER, Columns, Origin, RowCheck, RowQuery, ValueCheck
from .context import Context
from .errors import ShapesError, Uncompilable
from .shapes import Component, Shape, ShapesGraph

_GRAPH_VARIABLES = ("shapesGraph", "currentShape")


def _shapes_graph_values(ctx: Context, shape: Shape, names: list[str]) -> dict[str, str]:
    """Constants for $shapesGraph and $currentShape, or Uncompilable."""
    if not names:
        return {}
    if ctx.dialect.shapes_graph is None:
        raise Uncompilable("$shapesGraph or $currentShape, and the store does not hold the shapes")
    return {
        "shapesGraph": terms.iri_text(ctx.dialect.shapes_graph),
        "currentShape": terms.term(shape.node),
    }


_MODIFIERS = ("GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET")


@dataclass(frozen=True)
class Parsed:
    """A SELECT or ASK query cut at its outer group: head ``{`` body ``}`` tail."""

    prefixes: dict[str, str]
    form: str
    head: str
    body: str
    tail: str


def parse(text: str, node: Node) -> Parsed:
    """Split the query text; PREFIX lines of the text join the declared prefixes."""
    toks = tokens(text)
    prefixes: dict[str, str] = {}
    i = 0
    while i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() in ("PREFIX", "BASE"):
        if toks[i].text.upper() == "BASE":
            raise Uncompilable("BASE in SHACL-SPARQL text")
        if i + 2 >= len(toks) or toks[i + 1].kind != "pname" or toks[i + 2].kind != "iri":
            raise ShapesError("malformed PREFIX in SPARQL text", node)
        prefixes[toks[i + 1].text[:-1]] = toks[i + 2].text[1:-1]
        i += 3
    if i >= len(toks) or toks[i].text.upper() not in ("SELECT", "ASK"):
        raise ShapesError("expected a SELECT or ASK query", node)
    opening = next((t for t in toks[i:] if t.text == "{" and t.depth == 0), None)
    if opening is None:
        raise ShapesError("the query has no WHERE clause", node)
    after = toks[toks.index(opening) + 1 :]
    closing = next((t for t in after if t.text == "}" and t.depth == 0), None)
    if closing is None:
        raise ShapesError("unbalanced braces in SPARQL text", node)
    return Parsed(
        prefixes=prefixes,
        form=toks[i].text.upper(),
        head=text[toks[i].start : opening.start],
        body=text[opening.start + 1 : closing.start],
        tail=text[closing.start + 1 :],
    )


def check_syntax(text: str, prebound: set[str], node: Node) -> None:
    """The rules of SHACL-SPARQL 5.2.1; raises ShapesError."""
    toks = tokens(text)
    for i, token in enumerate(toks):
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word in ("MINUS", "SERVICE", "VALUES"):
            raise ShapesError(f"{word} is not allowed in SHACL-SPARQL queries", node)
        following = toks[i + 1] if i + 1 < len(toks) else None
        if (
            word == "AS"
            and following is not None
            and following.kind == "var"
            and following.text[1:] in prebound
        ):
            raise ShapesError(f"AS {following.text}: a pre-bound variable", node)
        if word == "SELECT" and token.depth > 0:
            projected = {toks[j].text[1:] for j in _projection(toks, i)}
            if "this" not in projected:
                raise ShapesError("a subquery must return $this", node)


def _projection(toks: list[Token], select: int) -> list[int]:
    """Indices of the variables a SELECT projects by name (not those inside (expr AS ?v))."""
    depth = toks[select].depth
    found = []
    for j in range(select + 1, len(toks)):
        token = toks[j]
        if token.text == "{" or (token.kind == "word" and token.text.upper() == "WHERE"):
            break
        if token.kind == "var" and token.depth == depth:
            found.append(j)
    return found


def uses(text: str, name: str) -> bool:
    return any(t.kind == "var" and t.text[1:] == name for t in tokens(text))


def _rewrite(text: str, toks: list[Token], replacements: dict[int, str]) -> str:
    out: list[str] = []
    position = 0
    for i in sorted(replacements):
        token = toks[i]
        out.append(text[position : token.start])
        out.append(replacements[i])
        position = token.start + len(token.text)
    out.append(text[position:])
    return "".join(out)


def substitute(text: str, values: dict[str, str]) -> str:
    """Write constants in place of variables, as pre-binding does: ``BOUND(?v)`` becomes
    true and a projected ``?v`` is dropped (``*`` when nothing is left)."""
    toks = tokens(text)
    replacements: dict[int, str] = {}
    for i, token in enumerate(toks):
        if token.kind == "word" and token.text.upper() == "SELECT":
            listed = _projection(toks, i)
            dropped = [j for j in listed if toks[j].text[1:] in values]
            for j in dropped:
                replacements[j] = ""
            if dropped and len(dropped) == len(listed) and not _has_expressions(toks, i):
                replacements[dropped[0]] = "*"
    for i, token in enumerate(toks):
        if token.kind != "var" or token.text[1:] not in values or i in replacements:
            continue
        if i >= 2 and toks[i - 1].text == "(" and toks[i - 2].text.upper() == "BOUND":
            replacements[i - 2] = ""
            replacements[i] = "true"
        else:
            replacements[i] = values[token.text[1:]]
    return _rewrite(text, toks, replacements)


def _has_expressions(toks: list[Token], select: int) -> bool:
    for token in toks[select + 1 :]:
        if token.text == "{" or (token.kind == "word" and token.text.upper() == "WHERE"):
            return False
        if token.text == "(":
            return True
    return False


def rename(text: str, mapping: dict[str, str], suffix: str) -> str:
    """Rename every variable: those in ``mapping`` to the given names, the others with
    ``suffix`` so they cannot meet the variables of the query the text is put into."""
    toks = tokens(text)
    replacements = {
        i: mapping.get(t.text[1:], f"?{t.text[1:]}{suffix}")
        for i, t in enumerate(toks)
        if t.kind == "var"
    }
    return _rewrite(text, toks, replacements)


def joins_safely(body: str, name: str = "this") -> bool:
    """Whether putting the focus pattern first in the outer group binds ``?name``
    wherever the body uses it (see the module docstring)."""
    states: list[str] = []  # per open bracket: the state inside it
    toks = tokens(body)
    for i, token in enumerate(toks):
        state = states[-1] if states else "top"
        if token.kind == "open":
            states.append(_inner_state(toks, i, state))
        elif token.kind == "close":
            if states:
                states.pop()
        elif token.kind == "var" and token.text[1:] == name and state in ("unsafe", "nested-expr"):
            return False
    return True


def _inner_state(toks: list[Token], i: int, state: str) -> str:
    """The state inside the bracket opened at ``i``: 'top' (bound like the outer group),
    'optional' (a top-level OPTIONAL), 'nested' (triple patterns only), 'any' (inside
    FILTER EXISTS of a bound group, substituted by SPARQL), or the unsafe ones."""
    if state in ("any", "unsafe"):
        return state
    token = toks[i]
    previous = toks[i - 1].text.upper() if i > 0 else ""
    following = toks[i + 1].text.upper() if i + 1 < len(toks) else ""
    if token.text == "[":
        return state
    if token.text == "(":
        if state == "top":
            return "any"
        if state == "optional":
            return "any" if previous == "FILTER" else "unsafe"
        return "nested-expr"
    # a brace
    if previous == "EXISTS":
        return "any" if state in ("top", "optional") else "unsafe"
    if following == "SELECT":
        return "unsafe"
    if previous == "OPTIONAL":
        return "optional" if state == "top" else "unsafe"
    return "nested"  # a group, a UNION branch or GRAPH: triple patterns only


class SelectCheck(RowCheck):
    """A SELECT-based check: a SPARQL constraint or a node or property validator."""

    def __init__(
        self,
        shapes: ShapesGraph,
        shape: Shape,
        origin: Origin,
        text: str,
        source: Node,
        constants: dict[str, str],
    ):
        self.origin = origin
        self.shape = shape
        self.source = source
        prebound = {"this", *constants}
        check_syntax(text, prebound, source)
        self.graph_variables = [n for n in _GRAPH_VARIABLES if uses(text, n)]
        parsed = parse(text, source)
        if parsed.form != "SELECT":
            raise ShapesError("expected a SELECT query", source)
        self.prefixes = {**shapes.prefixes(source), **parsed.prefixes}
        if shape.path is not None:
            constants = {**constants, "PATH": shape.path.sparql()}
        elif uses(text, "PATH"):
            raise ShapesError("$PATH in a SPARQL constraint of a node shape", source)
        self.head = substitute(parsed.head, constants)
        self.body = substitute(parsed.body, constants)
        self.tail = substitute(parsed.tail, constants)
        variables = {t.text[1:] for t in tokens(self.head) if t.kind == "var"}
        self.star = any(t.text == "*" for t in tokens(self.head))
        self.columns = Columns(
            value="value" if "value" in variables or self.star else None,
            path="path" if "path" in variables or self.star else None,
            extra=tuple(sorted(variables - {"this", "value", "path"})),
            value_is_focus=not shape.is_property,
        )

    def query(self, ctx: Context, focus_group: str, keys: list[str]) -> RowQuery:
        ctx.add_prefixes(self.prefixes)
        graph = _shapes_graph_values(ctx, self.shape, self.graph_variables)
        head, body, tail = (substitute(t, graph) for t in (self.head, self.body, self.tail))
        if joins_safely(body):
            if not self.star:
                head = _selecting(head, ([] if uses(head, "this") else ["?this"]) + keys)
            text = f"{head}{{\n{focus_group}\n{body}\n}}{tail}"
            return RowQuery(ctx.prologue() + text, self.columns)
        constant = {"this": FOCUS_MARKER}
        text = (
            substitute(head, constant)
            + "{"
            + substitute(body, constant)
            + "}"
            + substitute(tail, constant)
        )
        focus_query = f"SELECT DISTINCT ?this {' '.join(keys)} WHERE {{\n{focus_group}\n}}"
        prologue = ctx.prologue()
        return RowQuery(
            prologue + text,
            self.columns,
            per_focus=True,
            focus_query=prologue + focus_query,
        )

    def exists(self, ctx: Context, focus: str) -> str:
        if any(t.kind == "word" and t.text.upper() in _MODIFIERS for t in tokens(self.tail)):
            raise Uncompilable("a nested SPARQL constraint with solution modifiers")
        if any(t.kind == "word" and t.text.upper() == "SELECT" for t in tokens(self.body)):
            raise Uncompilable("a nested SPARQL constraint with a subquery")
        ctx.add_prefixes(self.prefixes)
        body = substitute(self.body, _shapes_graph_values(ctx, self.shape, self.graph_variables))
        return rename(body, {"this": focus}, ctx.suffix())


def _selecting(head: str, variables: list[str]) -> str:
    """Add ``variables`` to the projection of ``SELECT [DISTINCT|REDUCED] ...``."""
    if not variables:
        return head
    toks = tokens(head)
    position = 1
    if len(toks) > 1 and toks[1].text.upper() in ("DISTINCT", "REDUCED"):
        position = 2
    at = toks[position].start if position < len(toks) else len(head)
    return f"{head[:at]}{' '.join(variables)} {head[at:]}"


class AskCheck(ValueCheck):
    """An ASK validator of a SPARQL-based component: the value conforms when the
    ASK query, with $this, $value and the parameters pre-bound, answers true."""

    def __init__(
        self,
        shapes: ShapesGraph,
        shape: Shape,
        origin: Origin,
        text: str,
        source: Node,
        constants: dict[str, str],
    ):
        self.origin = origin
        self.shape = shape
        check_syntax(text, {"this", "value", *constants}, source)
        self.graph_variables = [n for n in _GRAPH_VARIABLES if uses(text, n)]
        parsed = parse(text, source)
        if parsed.form != "ASK":
            raise ShapesError("expected an ASK query", source)
        if any(t.kind == "word" and t.text.upper() == "SELECT" for t in tokens(parsed.body)):
            raise Uncompilable("an ASK validator with a subquery")
        self.prefixes = {**shapes.prefixes(source), **parsed.prefixes}
        if shape.path is not None:
            constants = {**constants, "PATH": shape.path.sparql()}
        self.body = substitute(parsed.body, constants)

    def ok(self, ctx: Context, value: str, focus: str) -> str:
        ctx.add_prefixes(self.prefixes)
        body = substitute(self.body, _shapes_graph_values(ctx, self.shape, self.graph_variables))
        body = rename(body, {"this": focus, "value": value}, ctx.suffix())
        return f"EXISTS {{\n{body}\n}}"


def sparql_checks(shapes: ShapesGraph, shape: Shape) -> list[RowCheck | ValueCheck]:
    """The checks of ``shape``'s sh:sparql constraints and of the SPARQL-based
    components whose mandatory parameters it has."""
    g = shapes.graph
    found: list[RowCheck | ValueCheck] = []
    for node in sorted(g.objects(shape.node, SH.sparql), key=str):
        if shapes.is_true(node, SH.deactivated):
            continue
        selects = list(g.objects(node, SH.select))
        if len(selects) != 1 or not isinstance(selects[0], Literal):
            raise ShapesError("a SPARQL constraint needs exactly one sh:select string", node)
        origin = Origin(
            shape=shape,
            component=SH.SPARQLConstraintComponent,
            constraint=node,
            messages=_messages(g.objects(node, SH.message)),
            substitute=True,
        )
        found.append(SelectCheck(shapes, shape, origin, str(selects[0]), node, {}))
    for component in shapes.components:
        found.extend(_component_checks(shapes, shape, component))
    return found


def _component_checks(
    shapes: ShapesGraph, shape: Shape, component: Component
) -> Iterator[RowCheck | ValueCheck]:
    g = shapes.graph
    values = {p.name: sorted(g.objects(shape.node, p.path), key=str) for p in component.parameters}
    mandatory = [p for p in component.parameters if not p.optional]
    if not mandatory or any(not values[p.name] for p in mandatory):
        return
    validator = (
        component.property_validator if shape.is_property else component.node_validator
    ) or component.validator
    if validator is None:
        return
    present = [p for p in component.parameters if values[p.name]]
    for combination in product(*(values[p.name] for p in present)):
        bound = dict(zip((p.name for p in present), combination, strict=True))
        constants = {name: terms.term(value) for name, value in bound.items()}
        origin = Origin(
            shape=shape,
            component=component.node,
            messages=_messages(g.objects(validator, SH.message))
            or _messages(g.objects(component.node, SH.message)),
            parameters=tuple(sorted(bound.items())),
            substitute=True,
        )
        ask = g.value(validator, SH.ask)
        select = g.value(validator, SH.select)
        make: Callable[..., RowCheck | ValueCheck]
        if ask is not None:
            text, make = str(ask), AskCheck
        elif select is not None and validator != component.validator:
            text, make = str(select), SelectCheck
        else:
            raise ShapesError("a validator needs sh:ask (sh:validator) or sh:select", validator)
        # An optional parameter without a value stays an (unbound) variable.
        yield make(shapes, shape, origin, text, validator, constants)


def _messages(values: Iterator[Node]) -> tuple[Literal, ...]:
    return tuple(
        sorted(
            (m for m in values if isinstance(m, Literal)),
            key=lambda m: (m.language or "", str(m)),
        )
    )
