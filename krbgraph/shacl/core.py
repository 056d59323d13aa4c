"""SHACL Core constraint components (SHACL section 4) as SPARQL, and shape conformance.

Each component becomes a ValueCheck, FocusCheck or RowCheck (see checks.py).
The choices that matter for correctness:

- values are compared as RDF terms (sameTerm) where SHACL says "equal"
  (sh:in, sh:hasValue, sh:equals), never with ``=``, which would make
  1 and 1.0 the same;
- an order comparison that SPARQL cannot make (incomparable values) is an
  error, and an error counts as a violation (sh:lessThan, sh:minInclusive ...);
- counts are of distinct values (sh:maxCount, qualified counts);
- sh:class follows rdfs:subClassOf* in the data and fails for literals;
- language-tagged strings have datatype rdf:langString in SPARQL 1.1.

``conforms`` writes the test "node conforms to shape" as one expression,
which sh:node, sh:not, sh:and, sh:or, sh:xone and qualified value shapes use;
``conforming_pattern`` writes the set of conforming nodes as a pattern where
the shape has only positive conditions (sh:class, sh:hasValue, one value at
least ...), so the planner can subtract it with MINUS instead.

One module of some 600 lines on purpose: it is the table of SHACL Core
components, one small class each, read side by side with the specification;
split by component it would scatter one mapping over a dozen files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from . import terms
from .checks import Check, Columns, FocusCheck, Origin, PredicateCount, RowCheck, ValueCheck
from .classes import instances
from .context import Context
from .datatypes import DERIVED_INTEGERS, has_datatype
from .errors import ShapesError, Uncompilable
from .paths import read_list
from .shapes import Shape, ShapesGraph
from .sparql_constraints import sparql_checks


def _safe(expression: str) -> str:
    """The expression, with a SPARQL error read as false."""
    return f"COALESCE({expression}, false)"


def instance_of(ctx: Context, value: str, cls: Node) -> str:
    """``value`` is a SHACL instance of ``cls`` (rdf:type/rdfs:subClassOf* in the data)."""
    return f"EXISTS {{ {instances(ctx, value, cls)} }}"


def values_of(shape: Shape, focus: str, value: str) -> str:
    """A pattern binding ``value`` to each value node of ``shape`` for bound ``focus``."""
    if shape.path is None:
        return f"BIND ({focus} AS {value})"
    return f"{focus} {shape.path.sparql()} {value} ."


# -- value checks ----------------------------------------------------------


Conforming = Callable[[Context, str], str | None]


class Expression(ValueCheck):
    """A value check given by a function of the value (and focus) variable, and
    optionally the pattern of the conforming nodes (checks.ValueCheck.conforming)."""

    def __init__(
        self,
        origin: Origin,
        make: Callable[[Context, str, str], str],
        conforming: Conforming | None = None,
    ):
        self.origin = origin
        self._make = make
        self._conforming = conforming

    def ok(self, ctx: Context, value: str, focus: str) -> str:
        return self._make(ctx, value, focus)

    def conforming(self, ctx: Context, value: str) -> str | None:
        return self._conforming(ctx, value) if self._conforming else None


_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}

_RANGES = {
    SH.minExclusive: (SH.MinExclusiveConstraintComponent, ">"),
    SH.minInclusive: (SH.MinInclusiveConstraintComponent, ">="),
    SH.maxExclusive: (SH.MaxExclusiveConstraintComponent, "<"),
    SH.maxInclusive: (SH.MaxInclusiveConstraintComponent, "<="),
}


def _value_checks(shapes: ShapesGraph, shape: Shape) -> list[Check]:
    g = shapes.graph
    node = shape.node
    found: list[Check] = []

    # ``make`` is called as make(context, value, focus) and ``conforming`` as
    # conforming(context, value); the lambdas below bind their loop values through
    # default arguments, which a fixed Callable signature cannot express.
    def add(
        component: URIRef,
        make: Callable[..., str],
        conforming: Callable[..., str | None] | None = None,
    ) -> None:
        found.append(Expression(Origin(shape, component), make, conforming))

    for cls in _sorted(g.objects(node, SH["class"])):
        if not isinstance(cls, URIRef):
            raise Uncompilable("sh:class with a blank node")
        add(
            SH.ClassConstraintComponent,
            lambda c, v, f, cls=cls: instance_of(c, v, cls),
            lambda c, v, cls=cls: instances(c, v, cls),
        )
    for datatype in _sorted(g.objects(node, SH.datatype)):
        if not isinstance(datatype, URIRef):
            raise ShapesError("sh:datatype takes an IRI", node)
        add(SH.DatatypeConstraintComponent, lambda c, v, f, d=datatype: _datatype(c, d, v))
    for kind in _sorted(g.objects(node, SH.nodeKind)):
        if kind not in _NODE_KINDS:
            raise ShapesError(f"unknown sh:nodeKind {kind.n3()}", node)
        add(SH.NodeKindConstraintComponent, lambda c, v, f, k=kind: _NODE_KINDS[k].format(v=v))
    for parameter, (component, operator) in _RANGES.items():
        for bound in _sorted(g.objects(node, parameter)):
            if not isinstance(bound, Literal):
                raise ShapesError(f"{parameter.n3()} takes a literal", node)
            add(
                component,
                lambda c, v, f, b=bound, o=operator: _safe(f"{v} {o} {terms.term(b)}"),
            )
    for parameter, component, operator in (
        (SH.minLength, SH.MinLengthConstraintComponent, ">="),
        (SH.maxLength, SH.MaxLengthConstraintComponent, "<="),
    ):
        for length in _sorted(g.objects(node, parameter)):
            n = _integer(length, parameter, node)
            add(
                component,
                lambda c, v, f, n=n, o=operator: _safe(
                    f"!isBlank({v}) && STRLEN(STR({v})) {o} {terms.integer(n)}"
                ),
            )
    flags = [str(f) for f in g.objects(node, SH.flags)]
    for pattern in _sorted(g.objects(node, SH.pattern)):
        arguments = terms.string(str(pattern))
        if flags:
            arguments += ", " + terms.string(flags[0])
        add(
            SH.PatternConstraintComponent,
            lambda c, v, f, a=arguments: _safe(f"!isBlank({v}) && REGEX(STR({v}), {a})"),
        )
    for head in g.objects(node, SH.languageIn):
        tags = [str(t) for t in read_list(g, head)]
        add(SH.LanguageInConstraintComponent, lambda c, v, f, t=tags: _language_in(v, t))
    for head in g.objects(node, SH["in"]):
        members = [terms.term(m) for m in read_list(g, head)]
        add(SH.InConstraintComponent, lambda c, v, f, m=members: _one_of(v, m))
    for other in _sorted(g.objects(node, SH.node)):
        add(
            SH.NodeConstraintComponent,
            lambda c, v, f, s=other: conforms(c, s, v),
            lambda c, v, s=other: conforming_pattern(c, s, v),
        )
    for other in _sorted(g.objects(node, SH["not"])):
        add(SH.NotConstraintComponent, lambda c, v, f, s=other: f"!({conforms(c, s, v)})")
    for predicate, component in (
        (SH["and"], SH.AndConstraintComponent),
        (SH["or"], SH.OrConstraintComponent),
        (SH.xone, SH.XoneConstraintComponent),
    ):
        for head in g.objects(node, predicate):
            operands = read_list(g, head)
            add(
                component,
                lambda c, v, f, m=operands, p=predicate: _combine(c, p, m, v),
                lambda c, v, m=operands, p=predicate: _combined_pattern(c, p, m, v),
            )
    if shape.path is None:
        for value in _sorted(g.objects(node, SH.hasValue)):
            found.append(_NodeHasValue(Origin(shape, SH.HasValueConstraintComponent), value))
    return found


def _datatype(ctx: Context, datatype: URIRef, value: str) -> str:
    if datatype in DERIVED_INTEGERS and not ctx.dialect.derived_datatypes:
        raise Uncompilable(f"the store keeps {datatype.n3()} literals as xsd:integer")
    return _safe(has_datatype(datatype, value))


def _language_in(value: str, tags: list[str]) -> str:
    if not tags:
        return "false"
    matches = " || ".join(f"langMatches(LANG({value}), {terms.string(t)})" for t in tags)
    return _safe(f"isLiteral({value}) && ({matches})")


def _one_of(value: str, members: list[str]) -> str:
    if not members:
        return "false"
    return "(" + " || ".join(f"sameTerm({value}, {m})" for m in members) + ")"


def _combine(ctx: Context, predicate: URIRef, members: list[Node], value: str) -> str:
    tests = [conforms(ctx, member, value) for member in members]
    if predicate == SH["and"]:
        return "(" + " && ".join(tests) + ")" if tests else "true"
    if predicate == SH["or"]:
        return "(" + " || ".join(tests) + ")" if tests else "false"
    if not tests:
        return "false"
    return "((" + " + ".join(f"IF({t}, 1, 0)" for t in tests) + ") = 1)"


def _combined_pattern(
    ctx: Context, predicate: URIRef, members: list[Node], value: str
) -> str | None:
    """The conforming nodes of sh:and (a join) and sh:or (a union); sh:xone has none."""
    if predicate == SH.xone or not members:
        return None
    patterns = [conforming_pattern(ctx, member, value) for member in members]
    if any(p is None for p in patterns):
        return None
    joiner = " " if predicate == SH["and"] else " UNION "
    return joiner.join(f"{{ {p} }}" for p in patterns)


class _NodeHasValue(FocusCheck):
    """sh:hasValue of a node shape: the focus node is the value (no sh:value reported)."""

    def __init__(self, origin: Origin, value: Node):
        self.origin = origin
        self.value = value

    def violated(self, ctx: Context, focus: str) -> str:
        return f"!sameTerm({focus}, {terms.term(self.value)})"


# -- counts ------------------------------------------------------------------


Condition = Callable[[Context, str], str] | None


@dataclass(frozen=True)
class _Qualified:
    """The values a qualified count counts: conforming to ``shape`` and, for
    sh:qualifiedValueShapesDisjoint, to none of the ``siblings``."""

    shape: Node
    siblings: tuple[Node, ...]

    def test(self, ctx: Context, value: str) -> str:
        tests = [conforms(ctx, self.shape, value)]
        tests += [f"!({conforms(ctx, s, value)})" for s in self.siblings]
        return " && ".join(tests)

    def pattern(self, ctx: Context, value: str) -> str | None:
        if self.siblings:
            return None
        return conforming_pattern(ctx, self.shape, value)


def _at_least(ctx: Context, shape: Shape, focus: str, n: int, condition: Condition) -> str:
    """An expression: ``focus`` has at least ``n`` distinct values meeting ``condition``."""
    if n <= 0:
        return "true"
    variables = [ctx.var() for _ in range(min(n, 3))]
    tests = [condition(ctx, v) for v in variables] if condition else []
    if n <= 2:
        patterns = " ".join(values_of(shape, focus, v) for v in variables)
        if n == 2:
            tests.insert(0, f"!sameTerm({variables[0]}, {variables[1]})")
        where = f" FILTER ({' && '.join(tests)})" if tests else ""
        return f"EXISTS {{ {patterns}{where} }}"
    value, count = variables[0], ctx.var("n")
    where = f" FILTER ({tests[0]})" if tests else ""
    return (
        f"EXISTS {{ {{ SELECT {focus} (COUNT(DISTINCT {value}) AS {count}) WHERE {{ "
        f"{values_of(shape, focus, value)}{where} }} GROUP BY {focus} }} "
        f"FILTER ({count} >= {terms.integer(n)}) }}"
    )


class _Count(FocusCheck):
    """sh:minCount, sh:maxCount and the qualified counts, as a test of the focus node."""

    def __init__(self, origin: Origin, n: int, at_most: bool, qualified: _Qualified | None = None):
        self.origin = origin
        self.n = n
        self.at_most = at_most
        self.qualified = qualified
        self.condition: Condition = qualified.test if qualified else None

    def violated(self, ctx: Context, focus: str) -> str:
        shape = self.origin.shape
        if self.at_most:
            return _at_least(ctx, shape, focus, self.n + 1, self.condition)
        return f"!({_at_least(ctx, shape, focus, self.n, self.condition)})"

    def predicate_count(self) -> PredicateCount | None:
        predicate = self.origin.shape.path.predicate if self.origin.shape.path else None
        if predicate is None or self.qualified is not None:
            return None
        if self.at_most or self.n == 1:
            return PredicateCount(predicate, self.n, self.at_most)
        return None

    def set_form(self, ctx: Context, focus: str) -> tuple[str, bool] | None:
        """At least one value: the subjects of the path (MINUS them); other counts:
        a GROUP BY over every subject of the path, HAVING the count at fault."""
        shape = self.origin.shape
        if not self.at_most and self.n <= 0:
            return None
        value = ctx.var()
        where = values_of(shape, focus, value)
        if self.qualified is not None:
            pattern = self.qualified.pattern(ctx, value)
            where += f" {pattern}" if pattern else f" FILTER ({self.qualified.test(ctx, value)})"
        if not self.at_most and self.n == 1:
            return where, True
        operator, n = (">", self.n) if self.at_most else (">=", self.n)
        start = ctx.listed_focus if focus == "?this" else ""
        grouped = (
            f"{{ SELECT {focus} WHERE {{ {start}{where} }} GROUP BY {focus} "
            f"HAVING (COUNT(DISTINCT {value}) {operator} {terms.integer(n)}) }}"
        )
        return grouped, not self.at_most


def _count_checks(shapes: ShapesGraph, shape: Shape) -> list[Check]:
    g = shapes.graph
    node = shape.node
    found: list[Check] = []
    for parameter, component, at_most in (
        (SH.minCount, SH.MinCountConstraintComponent, False),
        (SH.maxCount, SH.MaxCountConstraintComponent, True),
    ):
        for value in _sorted(g.objects(node, parameter)):
            n = _integer(value, parameter, node)
            found.append(_Count(Origin(shape, component), n, at_most))
    qualified = _sorted(g.objects(node, SH.qualifiedValueShape))
    if not qualified:
        return found
    disjoint = shapes.is_true(node, SH.qualifiedValueShapesDisjoint)
    for parameter, component, at_most in (
        (SH.qualifiedMinCount, SH.QualifiedMinCountConstraintComponent, False),
        (SH.qualifiedMaxCount, SH.QualifiedMaxCountConstraintComponent, True),
    ):
        for value in _sorted(g.objects(node, parameter)):
            n = _integer(value, parameter, node)
            for q in qualified:
                siblings = tuple(_siblings(shapes, shape, q)) if disjoint else ()
                found.append(_Count(Origin(shape, component), n, at_most, _Qualified(q, siblings)))
    return found


def _siblings(shapes: ShapesGraph, shape: Shape, q: Node) -> list[Node]:
    """The qualified value shapes of the property shapes beside ``shape`` (SHACL 4.7.3)."""
    g = shapes.graph
    found: set[Node] = set()
    for parent in g.subjects(SH.property, shape.node):
        for sibling in g.objects(parent, SH.property):
            found |= set(g.objects(sibling, SH.qualifiedValueShape))
    found.discard(q)
    return _sorted(found)


class _PropertyHasValue(FocusCheck):
    def __init__(self, origin: Origin, value: Node):
        self.origin = origin
        self.value = value

    def violated(self, ctx: Context, focus: str) -> str:
        return f"NOT EXISTS {{ {self._pattern(focus)} }}"

    def set_form(self, ctx: Context, focus: str) -> tuple[str, bool] | None:
        return self._pattern(focus), True

    def _pattern(self, focus: str) -> str:
        path = self.origin.shape.path
        assert path is not None
        return f"{focus} {path.sparql()} {terms.term(self.value)} ."


# -- row checks ----------------------------------------------------------------


class _Pattern(RowCheck):
    """A row check written as a function of (ctx, focus, focus group) -> (pattern, columns)."""

    def __init__(self, origin: Origin, make: Callable[[Context, str, str], tuple[str, Columns]]):
        self.origin = origin
        self._make = make

    def pattern(self, ctx: Context, focus: str, focus_group: str) -> tuple[str, Columns]:
        return self._make(ctx, focus, focus_group)


def _pair_checks(shapes: ShapesGraph, shape: Shape) -> list[Check]:
    g = shapes.graph
    node = shape.node
    found: list[Check] = []
    for parameter, component in (
        (SH.equals, SH.EqualsConstraintComponent),
        (SH.disjoint, SH.DisjointConstraintComponent),
        (SH.lessThan, SH.LessThanConstraintComponent),
        (SH.lessThanOrEquals, SH.LessThanOrEqualsConstraintComponent),
    ):
        for other in _sorted(g.objects(node, parameter)):
            if not isinstance(other, URIRef):
                raise ShapesError(f"{parameter.n3()} takes an IRI", node)
            if parameter in (SH.lessThan, SH.lessThanOrEquals) and shape.path is None:
                raise ShapesError(f"{parameter.n3()} needs a property shape", node)
            make = {
                SH.equals: _equals,
                SH.disjoint: _disjoint,
                SH.lessThan: _less_than("<"),
                SH.lessThanOrEquals: _less_than("<="),
            }[parameter]
            found.append(_Pattern(Origin(shape, component), make(shape, other)))
    if shape.path is not None and shapes.is_true(node, SH.uniqueLang):
        found.append(_Pattern(Origin(shape, SH.UniqueLangConstraintComponent), _unique_lang(shape)))
    if shapes.is_true(node, SH.closed):
        found.append(_Pattern(Origin(shape, SH.ClosedConstraintComponent), _closed(shapes, shape)))
    return found


Maker = Callable[[Context, str, str], tuple[str, Columns]]


def _equals(shape: Shape, other: URIRef) -> Maker:
    """Values of the path missing from ``other`` and values of ``other`` missing from the path."""

    def make(ctx: Context, focus: str, group: str) -> tuple[str, Columns]:
        value = ctx.var()
        p = terms.iri(other)
        mine = values_of(shape, focus, value)
        probe = ctx.var()
        first = (
            f"{{ {group} {mine} FILTER NOT EXISTS {{ {focus} {p} {probe} "
            f"FILTER (sameTerm({probe}, {value})) }} }}"
        )
        theirs = values_of(shape, focus, probe)
        second = (
            f"{{ {group} {focus} {p} {value} . FILTER NOT EXISTS {{ {theirs} "
            f"FILTER (sameTerm({probe}, {value})) }} }}"
        )
        return f"{first} UNION {second}", Columns(value=value[1:])

    return make


def _disjoint(shape: Shape, other: URIRef) -> Maker:
    def make(ctx: Context, focus: str, group: str) -> tuple[str, Columns]:
        value = ctx.var()
        pattern = f"{group} {values_of(shape, focus, value)} {focus} {terms.iri(other)} {value} ."
        return pattern, Columns(value=value[1:])

    return make


def _less_than(operator: str) -> Callable[[Shape, URIRef], Maker]:
    """One result per pair of a value and a value of the other property that is not
    less (or equal): the W3C suite counts pairs."""

    def for_shape(shape: Shape, other: URIRef) -> Maker:
        def make(ctx: Context, focus: str, group: str) -> tuple[str, Columns]:
            value, compared = ctx.var(), ctx.var()
            pattern = (
                f"{group} {values_of(shape, focus, value)} {focus} {terms.iri(other)} {compared} ."
                f" FILTER (!{_safe(f'{value} {operator} {compared}')})"
            )
            return pattern, Columns(value=value[1:], extra=(compared[1:],))

        return make

    return for_shape


def _unique_lang(shape: Shape) -> Maker:
    """One result per language tag used by more than one value (no sh:value)."""

    def make(ctx: Context, focus: str, group: str) -> tuple[str, Columns]:
        a, b, lang = ctx.var(), ctx.var(), ctx.var("lang")
        pattern = (
            f"{group} {values_of(shape, focus, a)} {values_of(shape, focus, b)}"
            f' FILTER (!sameTerm({a}, {b}) && isLiteral({a}) && LANG({a}) != ""'
            f" && isLiteral({b}) && LCASE(LANG({a})) = LCASE(LANG({b})))"
            f" BIND (LCASE(LANG({a})) AS {lang})"
        )
        return pattern, Columns(extra=(lang[1:],))

    return make


def _closed(shapes: ShapesGraph, shape: Shape) -> Maker:
    """Triples of the value nodes whose predicate is no sh:path of the shape's property
    shapes nor ignored; the predicate is the result path."""
    g = shapes.graph
    allowed: set[Node] = set()
    for child in g.objects(shape.node, SH.property):
        allowed |= {p for p in g.objects(child, SH.path) if isinstance(p, URIRef)}
    for head in g.objects(shape.node, SH.ignoredProperties):
        allowed |= set(read_list(g, head))
    listed = ", ".join(terms.term(p) for p in _sorted(allowed))

    def make(ctx: Context, focus: str, group: str) -> tuple[str, Columns]:
        node, predicate, value = ctx.var(), ctx.var("p"), ctx.var()
        where = f" FILTER ({predicate} NOT IN ({listed}))" if listed else ""
        pattern = f"{group} {values_of(shape, focus, node)} {node} {predicate} {value} .{where}"
        return pattern, Columns(value=value[1:], path=predicate[1:])

    return make


# -- the checks of a shape, and conformance ------------------------------------


_TERMS = {
    "targets, structure and reporting": "targetClass targetNode targetSubjectsOf "
    "targetObjectsOf target path property message severity deactivated name description "
    "order group defaultValue prefixes declare",
    "constraint parameters": "class datatype nodeKind minCount maxCount minExclusive "
    "minInclusive maxExclusive maxInclusive minLength maxLength pattern flags languageIn "
    "uniqueLang equals disjoint lessThan lessThanOrEquals not and or xone node "
    "qualifiedValueShape qualifiedValueShapesDisjoint qualifiedMinCount qualifiedMaxCount "
    "closed ignoredProperties hasValue in sparql",
    "the SHACL vocabulary describing itself (shacl-shacl)": "select ask parameter "
    "labelTemplate validator nodeValidator propertyValidator optional",
}
_UNDERSTOOD = frozenset(SH[name] for names in _TERMS.values() for name in names.split())
"""The sh: predicates of a shape the compiler understands; any other (sh:js,
sh:rule, sh:expression ...) makes the shape fall back to pySHACL rather than
be skipped silently."""


def shape_checks(shapes: ShapesGraph, shape: Shape) -> list[Check]:
    """Every check of ``shape`` itself (not of its sh:property shapes); cached.
    Raises Uncompilable for a SHACL term it does not understand."""
    cached = shapes.checks.get(shape.node)
    if cached is None:
        unknown = {
            p
            for p in shapes.graph.predicates(shape.node)
            if isinstance(p, URIRef) and p.startswith(str(SH)) and p not in _UNDERSTOOD
        }
        if unknown:
            raise Uncompilable(f"shape {shape.node.n3()} uses {', '.join(sorted(unknown))}")
        cached = _value_checks(shapes, shape) + _pair_checks(shapes, shape)
        if shape.path is not None:
            cached += _count_checks(shapes, shape)
            for value in _sorted(shapes.graph.objects(shape.node, SH.hasValue)):
                origin = Origin(shape, SH.HasValueConstraintComponent)
                cached.append(_PropertyHasValue(origin, value))
        cached += sparql_checks(shapes, shape)
        shapes.checks[shape.node] = cached
    return cached


def conforms(ctx: Context, node: Node, value: str) -> str:
    """An error-free expression: the node bound to ``value`` conforms to shape ``node``."""
    shape = ctx.shapes.shape(node)
    if shape.deactivated:
        return "true"
    ctx.enter(node)
    try:
        parts: list[str] = []
        checks = shape_checks(ctx.shapes, shape)
        value_checks = [c for c in checks if isinstance(c, ValueCheck)]
        if value_checks and shape.path is not None:
            v = ctx.var()
            tests = " && ".join(c.ok(ctx, v, value) for c in value_checks)
            parts.append(f"NOT EXISTS {{ {values_of(shape, value, v)} FILTER (!({tests})) }}")
        else:
            parts.extend(c.ok(ctx, value, value) for c in value_checks)
        for check in checks:
            if isinstance(check, FocusCheck):
                parts.append(f"!({check.violated(ctx, value)})")
            elif isinstance(check, RowCheck):
                parts.append(f"NOT EXISTS {{ {check.exists(ctx, value)} }}")
        for child in shape.properties:
            if shape.path is None:
                parts.append(conforms(ctx, child, value))
                continue
            # A property shape's own property shapes are about its value nodes (SHACL
            # 2.3): an address shape's "has a city" holds for every address.
            v = ctx.var()
            ok = conforms(ctx, child, v)
            parts.append(f"NOT EXISTS {{ {values_of(shape, value, v)} FILTER (!({ok})) }}")
        return "(" + " && ".join(parts) + ")" if parts else "true"
    finally:
        ctx.leave()


def conforming_pattern(ctx: Context, node: Node, value: str) -> str | None:
    """A pattern binding ``value`` to exactly the nodes that conform to shape ``node``,
    or None when the shape has no such form: a deactivated or empty shape (every node
    conforms), or one with a check that is no positive pattern (sh:maxCount, sh:not,
    sh:datatype on the values of a path ...)."""
    shape = ctx.shapes.shape(node)
    if shape.deactivated:
        return None
    ctx.enter(node)
    try:
        parts: list[str] = []
        for check in shape_checks(ctx.shapes, shape):
            pattern: str | None = None
            if isinstance(check, ValueCheck) and shape.path is None:
                pattern = check.conforming(ctx, value)
            elif isinstance(check, FocusCheck):
                form = check.set_form(ctx, value)
                pattern = form[0] if form is not None and form[1] else None
            if pattern is None:
                return None
            parts.append(pattern)
        for child in shape.properties:
            if shape.path is not None:
                return None  # about every value node: no positive pattern
            pattern = conforming_pattern(ctx, child, value)
            if pattern is None:
                return None
            parts.append(pattern)
        return " ".join(f"{{ {p} }}" for p in parts) if parts else None
    finally:
        ctx.leave()


def _integer(value: Node, parameter: URIRef, node: Node) -> int:
    if not isinstance(value, Literal) or value.datatype != XSD.integer:
        raise ShapesError(f"{parameter.n3()} takes an xsd:integer", node)
    number = value.toPython()
    if not isinstance(number, int):
        raise ShapesError(f"{parameter.n3()} takes an xsd:integer", node)
    return number


def _sorted(nodes: object) -> list[Node]:
    return sorted(nodes, key=lambda n: (type(n).__name__, str(n)))  # type: ignore[call-overload]
