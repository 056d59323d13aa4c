"""Compiling one root shape (a shape with targets) into the queries that validate it.

For every focus group (the root's focus nodes, and the value nodes of each
property shape that has property shapes of its own) the compiler writes:

- one *flag query* for all tests of a whole focus node: the value checks of
  node shapes (the focus node is the value) and the focus checks (counts,
  sh:hasValue) of the group's property shapes; each test is a boolean column;
- one *value query* per property shape with value checks, binding each value
  node once and testing every check on it, a boolean column each; for a
  root's property shapes on a predicate, one value query for all of them,
  reading the targets' values of those predicates once;
- for a root's property shapes on a predicate, one *counts query* for all
  their sh:maxCount checks and one for their sh:minCount 1 checks;
- one *row query* per row check;
- one *set query* per other check with a set form (checks.py): sh:class,
  sh:node with a shape of positive conditions, sh:minCount, sh:maxCount,
  sh:hasValue and the qualified counts, written as "candidates MINUS
  conforming" or "candidates joined with violators", which Oxigraph evaluates
  with hash joins instead of a nested test per row.

A shape reached along two routes (two parent focus nodes, or two parent
shapes) is validated along both and reported twice, as the W3C suite expects
(core/property/property-001, core/validation-reports/shared).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rdflib import URIRef
from rdflib.term import Node

from . import terms
from .checks import FocusCheck, Origin, PredicateCount, RowCheck, RowQuery, ValueCheck
from .context import Context, Dialect
from .core import shape_checks
from .errors import ShapesError
from .shapes import Shape, ShapesGraph, Target
from .targets import FocusGroup, RootFocus, ValueFocus


@dataclass(frozen=True)
class Flag:
    """One boolean column of a flag or value query: true means a result."""

    variable: str
    origin: Origin
    value: str
    """Where the result's sh:value comes from: 'none', 'focus' or 'value'."""


@dataclass
class FlagQuery:
    text: str
    flags: list[Flag]


@dataclass
class RowPlan:
    query: RowQuery
    origin: Origin


@dataclass
class SetQuery:
    """A query whose every solution is a result of one check."""

    text: str
    origin: Origin
    value: str
    """'none', 'focus' or 'value', as Flag.value."""


@dataclass
class CountsQuery:
    """The value counts of several predicates of one focus group in one query: each
    solution is a result of ``origins[k]`` for its ?this, k bound in ``index``."""

    text: str
    origins: list[Origin]
    index: str
    """The variable (without '?') that numbers the check of a solution."""


Plan = FlagQuery | RowPlan | SetQuery | CountsQuery


@dataclass
class _Compiler:
    shapes: ShapesGraph
    dialect: Dialect
    plans: list[Plan] = field(default_factory=list)
    focused: bool = False
    """The root's focus nodes are listed (a write's few objects), not found by targets."""

    def context(self) -> Context:
        return Context(self.shapes, self.dialect)

    def without(self, pattern: str) -> str:
        """Rows of the query that ``pattern`` does not match.

        Over the whole data a MINUS is cheapest: the engine evaluates its pattern once
        and subtracts with a hash join. For a few listed focus nodes that one evaluation
        reads every subject of the path (say all 100,000 units of a 1M-triple registry),
        while FILTER NOT EXISTS tests each row with a lookup. Both mean the same here:
        every variable the pattern shares with the rows (?this, ?value) is bound in them.
        """
        return f"FILTER NOT EXISTS {{ {pattern} }}" if self.focused else f"MINUS {{ {pattern} }}"


@dataclass
class _Bucket:
    """The flag query of one focus group, filled while the shapes are visited."""

    group: FocusGroup
    ctx: Context
    flags: list[Flag] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    counts: list[tuple[PredicateCount, Origin]] = field(default_factory=list)
    """sh:maxCount and sh:minCount 1 on predicates of a root's focus nodes, written as
    one query for each of the two (count_queries)."""
    values: list[tuple[Shape, list[ValueCheck]]] = field(default_factory=list)
    """The value checks of a root's property shapes on predicates, written as one
    query (merged_queries)."""

    def add(self, test: str, origin: Origin, value: str) -> None:
        self.flags.append(Flag(self.ctx.var("b"), origin, value))
        self.tests.append(test)

    def query(self) -> FlagQuery | None:
        if not self.flags:
            return None
        group, keys = self.group.render(self.ctx)
        text = _flag_text(self.ctx, group, ["?this", *keys], self.flags, self.tests)
        return FlagQuery(text, self.flags)

    def merged_queries(self, compiler: _Compiler) -> list[Plan]:
        """The group's value checks on predicates in one query (each property shape had
        one, which read every target again: 45 at a million triples took 1.6 s, most
        of them sh:datatype tests), and its counts in one query per kind."""
        found = self.count_queries(compiler)
        if self.values:
            found.insert(0, _values_query(compiler, self.group, self.values))
        return found

    def count_queries(self, compiler: _Compiler) -> list[Plan]:
        """One query for the group's maxCounts and one for its minCounts.

        A query per property read every target for each (at a million triples a
        sh:maxCount cost 0.2 s, and the shapes have 90 of them); together they read
        each target's triples once. The minimums are a lookup per target and predicate
        (FILTER NOT EXISTS), also over the whole data: 2.2 s to 0.6 s for the 59 of the
        project's shapes, the maximums 5.5 s to 2.0 s (one core, 1M triples)."""
        found: list[Plan] = []
        for at_most in (True, False):
            chosen = [(c, o) for c, o in self.counts if c.at_most == at_most]
            if chosen:
                found.append(_counts_query(compiler, self.group, chosen, at_most))
        return found


def _flag_text(
    ctx: Context, start: str, selected: list[str], flags: list[Flag], tests: list[str]
) -> str:
    binds = "\n".join(
        f"  BIND ({test} AS {flag.variable})" for flag, test in zip(flags, tests, strict=True)
    )
    names = " ".join(selected + [flag.variable for flag in flags])
    any_true = " || ".join(flag.variable for flag in flags)
    return (
        f"{ctx.prologue()}SELECT DISTINCT {names} WHERE {{\n  {start}\n{binds}\n"
        f"  FILTER ({any_true})\n}}"
    )


def plan_root(
    shapes: ShapesGraph,
    node: Node,
    focus_nodes: Sequence[Node] | None,
    dialect: Dialect,
    *,
    found_focus: Sequence[Node] | None = None,
) -> list[Plan]:
    """The queries validating root shape ``node``; raises ShapesError or Uncompilable.

    ``found_focus`` are the root's focus nodes when already listed (see
    ``focus_query``): the queries then start from them instead of the targets.

    Listed focus nodes appear in the queries only as ``VALUES ?this { ... }``, so
    the root is compiled once with a placeholder there (kept in ``shapes.plans``)
    and each call fills in its own nodes.
    """
    listed = found_focus if found_focus is not None else focus_nodes
    key = (node, dialect, focus_nodes is not None, found_focus is not None)
    compiled = shapes.plans.get(key)
    if compiled is None:
        placeholder = None if listed is None else [_PLACEHOLDER]
        compiled = shapes.plans[key] = _compile_root(
            shapes,
            node,
            placeholder if found_focus is None else None,
            dialect,
            found_focus=placeholder if found_focus is not None else None,
            focused=listed is not None,
        )
    if listed is None:
        return list(compiled)
    terms_listed = " ".join(terms.term(n) for n in listed)
    return [_with_focus(plan, terms_listed) for plan in compiled]


_PLACEHOLDER = URIRef("urn:x-krb-shacl:listed-focus-nodes")
_PLACEHOLDER_TEXT = terms.term(_PLACEHOLDER)


def _with_focus(plan: Plan, listed: str) -> Plan:
    """``plan`` with the listed focus nodes in place of the placeholder."""

    def filled(text: str) -> str:
        return text.replace(_PLACEHOLDER_TEXT, listed)

    if isinstance(plan, FlagQuery):
        return FlagQuery(filled(plan.text), plan.flags)
    if isinstance(plan, SetQuery):
        return SetQuery(filled(plan.text), plan.origin, plan.value)
    if isinstance(plan, CountsQuery):
        return replace(plan, text=filled(plan.text))
    query = plan.query
    focus_text = query.focus_query
    return RowPlan(
        replace(
            query,
            text=filled(query.text),
            focus_query=None if focus_text is None else filled(focus_text),
        ),
        plan.origin,
    )


def _values_query(
    compiler: _Compiler, group: FocusGroup, entries: list[tuple[Shape, list[ValueCheck]]]
) -> FlagQuery:
    """The targets' values of several predicates read once, each check's flag true only
    for a value of its own predicate."""
    ctx = compiler.context()
    text, keys = group.render(ctx)
    start = _listed_focus(group) or _whole_targets(ctx, group)
    predicate = ctx.var("p")
    predicates = [shape.path.predicate for shape, _ in entries if shape.path is not None]
    listed = ", ".join(sorted({terms.iri(p) for p in predicates if p is not None}))
    flags: list[Flag] = []
    tests: list[str] = []
    for shape, checks in entries:
        assert shape.path is not None and shape.path.predicate is not None
        own = f"sameTerm({predicate}, {terms.iri(shape.path.predicate)})"
        for check in checks:
            flags.append(Flag(ctx.var("b"), check.origin, "value"))
            tests.append(f"({own} && !({check.ok(ctx, '?value', '?this')}))")
    values = (
        f"{{ SELECT ?this {predicate} ?value WHERE {{ {start}?this {predicate} ?value "
        f"FILTER ({predicate} IN ({listed})) }} }}"
    )
    selected = ["?this", *keys, predicate, "?value"]
    return FlagQuery(_flag_text(ctx, f"{text}\n  {values}", selected, flags, tests), flags)


def _counts_query(
    compiler: _Compiler,
    group: FocusGroup,
    counts: list[tuple[PredicateCount, Origin]],
    at_most: bool,
) -> CountsQuery:
    ctx = compiler.context()
    text, keys = group.render(ctx)
    predicate, value, limit, index = ctx.var("p"), ctx.var("v"), ctx.var("n"), ctx.var("k")
    if at_most:
        # The targets' triples with the predicates, read once, counted per predicate.
        start = _listed_focus(group) or _whole_targets(ctx, group)
        listed = ", ".join(sorted({terms.iri(c.predicate) for c, _ in counts}))
        rows = " ".join(
            f"({terms.iri(c.predicate)} {terms.integer(c.n)} {k})"
            for k, (c, _) in enumerate(counts)
        )
        values = (
            f"{{ SELECT ?this {predicate} {value} WHERE {{ {start}?this {predicate} {value} "
            f"FILTER ({predicate} IN ({listed})) }} }}"
        )
        test = (
            f"{{ SELECT ?this {index} WHERE {{ {values} VALUES ({predicate} {limit} {index}) "
            f"{{ {rows} }} }} GROUP BY ?this {index} {limit} "
            f"HAVING (COUNT(DISTINCT {value}) > {limit}) }}"
        )
    else:
        rows = " ".join(f"({terms.iri(c.predicate)} {k})" for k, (c, _) in enumerate(counts))
        test = (
            f"VALUES ({predicate} {index}) {{ {rows} }}\n"
            f"  FILTER NOT EXISTS {{ ?this {predicate} {value} }}"
        )
    selected = " ".join(["?this", *keys, index])
    query = f"{ctx.prologue()}SELECT DISTINCT {selected} WHERE {{\n  {text}\n  {test}\n}}"
    return CountsQuery(query, [origin for _, origin in counts], index[1:])


def _compile_root(
    shapes: ShapesGraph,
    node: Node,
    focus_nodes: Sequence[Node] | None,
    dialect: Dialect,
    *,
    found_focus: Sequence[Node] | None,
    focused: bool,
) -> list[Plan]:
    compiler = _Compiler(shapes, dialect, focused=focused)
    if found_focus is not None:
        group = RootFocus(node, [Target("node", n) for n in found_focus], None)
    else:
        group = RootFocus(node, shapes.targets(node), focus_nodes)
    bucket = _Bucket(group, compiler.context())
    _visit(compiler, shapes.shape(node), group, bucket)
    flag_query = bucket.query()
    return ([flag_query] if flag_query else []) + bucket.merged_queries(compiler) + compiler.plans


def focus_query(
    shapes: ShapesGraph, node: Node, focus_nodes: Sequence[Node] | None, dialect: Dialect
) -> str:
    """The query listing the focus nodes of root shape ``node``."""
    ctx = Context(shapes, dialect)
    text, _ = RootFocus(node, shapes.targets(node), focus_nodes).render(ctx)
    return f"{ctx.prologue()}SELECT DISTINCT ?this WHERE {{ {text} }}"


def _visit(compiler: _Compiler, shape: Shape, group: FocusGroup, bucket: _Bucket) -> None:
    if shape.deactivated:
        return
    shapes = compiler.shapes
    checks = shape_checks(shapes, shape)
    value_checks = []
    for check in checks:
        if isinstance(check, ValueCheck) and not _set_value_query(compiler, shape, group, check):
            value_checks.append(check)
    if shape.path is None:
        for check in value_checks:
            test = f"!({check.ok(bucket.ctx, '?this', '?this')})"
            bucket.add(test, check.origin, "focus")
    elif value_checks:
        if isinstance(group, RootFocus) and shape.path.predicate is not None:
            bucket.values.append((shape, value_checks))
        else:
            compiler.plans.append(_value_query(compiler, shape, group, value_checks))
    for check in checks:
        if isinstance(check, FocusCheck):
            counted = check.predicate_count() if isinstance(group, RootFocus) else None
            if counted is not None:
                bucket.counts.append((counted, check.origin))
            elif not _set_focus_query(compiler, group, check):
                bucket.add(check.violated(bucket.ctx, "?this"), check.origin, "none")
        elif isinstance(check, RowCheck):
            ctx = compiler.context()
            text, keys = group.render(ctx)
            compiler.plans.append(RowPlan(check.query(ctx, text, keys), check.origin))
    if not shape.properties:
        return
    if shape.path is None:
        child_group, child_bucket = group, bucket
    else:
        child_group = ValueFocus(group, shape.path)
        child_bucket = _Bucket(child_group, compiler.context())
    for child in shape.properties:
        child_shape = shapes.shape(child)
        if child_shape.path is None:
            raise ShapesError("a value of sh:property must be a property shape", child)
        _visit(compiler, child_shape, child_group, child_bucket)
    if child_bucket is not bucket:
        flag_query = child_bucket.query()
        if flag_query:
            compiler.plans.append(flag_query)


def _set_value_query(
    compiler: _Compiler, shape: Shape, group: FocusGroup, check: ValueCheck
) -> bool:
    """Plan "values MINUS conforming nodes" when the check has that form."""
    ctx = compiler.context()
    value = "?this" if shape.path is None else "?value"
    conforming = check.conforming(ctx, value)
    if conforming is None:
        return False
    text, keys = group.render(ctx)
    selected = " ".join(["?this", *keys] + ([value] if shape.path is not None else []))
    values = "" if shape.path is None else f"?this {shape.path.sparql()} ?value ."
    start = (_listed_focus(group) or _whole_targets(ctx, group)) if shape.path is None else ""
    query = (
        f"{ctx.prologue()}SELECT DISTINCT {selected} WHERE {{\n  {text}\n  {values}\n"
        f"  {compiler.without(start + conforming)}\n}}"
    )
    kind = "focus" if shape.path is None else "value"
    compiler.plans.append(SetQuery(query, check.origin, kind))
    return True


def _set_focus_query(compiler: _Compiler, group: FocusGroup, check: FocusCheck) -> bool:
    """Plan "focus nodes MINUS those satisfying" or "focus nodes joined with violators"."""
    ctx = compiler.context()
    start = _listed_focus(group) or _whole_targets(ctx, group)
    ctx.listed_focus = start
    form = check.set_form(ctx, "?this")
    ctx.listed_focus = ""
    if form is None:
        return False
    pattern, satisfied = form
    text, keys = group.render(ctx)
    # The engine evaluates a MINUS on its own: started from the listed focus nodes or
    # the targets it reads their triples, not every subject of the path.
    body = compiler.without(start + pattern) if satisfied else pattern
    query = (
        f"{ctx.prologue()}SELECT DISTINCT {' '.join(['?this', *keys])} WHERE {{\n  {text}\n"
        f"  {body}\n}}"
    )
    compiler.plans.append(SetQuery(query, check.origin, "none"))
    return True


def _whole_targets(ctx: Context, group: FocusGroup) -> str:
    """The targets of a root validated as a whole, for a grouped subquery or a MINUS to
    start from (RootFocus.pattern). Engines evaluate those on their own, so without
    them a GROUP BY counts, and a MINUS reads, the values of every subject of the path
    in the store: the sh:minCount and sh:maxCount on rdfs:label of each of a dozen
    classes read every label of the registry (0.2 to 0.4 s each at 1M triples)."""
    if not isinstance(group, RootFocus):
        return ""
    pattern = group.pattern(ctx)
    return "" if pattern is None else f"{pattern} "


def _listed_focus(group: FocusGroup) -> str:
    """``VALUES ?this { ... }`` when ``group`` is a root's listed focus nodes (given, or
    found by its SPARQL target first: then its targets are those nodes), else ""."""
    if not isinstance(group, RootFocus):
        return ""
    listed = group.focus_nodes
    if listed is None and group.targets and all(t.kind == "node" for t in group.targets):
        listed = [t.value for t in group.targets]
    if listed is None:
        return ""
    return f"VALUES ?this {{ {' '.join(terms.term(n) for n in listed)} }} "


def _value_query(
    compiler: _Compiler, shape: Shape, group: FocusGroup, checks: list[ValueCheck]
) -> FlagQuery:
    assert shape.path is not None
    ctx = compiler.context()
    flags: list[Flag] = []
    tests: list[str] = []
    for check in checks:
        flags.append(Flag(ctx.var("b"), check.origin, "value"))
        tests.append(f"!({check.ok(ctx, '?value', '?this')})")
    text, keys = group.render(ctx)
    start = f"{text}\n  ?this {shape.path.sparql()} ?value ."
    return FlagQuery(_flag_text(ctx, start, ["?this", *keys, "?value"], flags, tests), flags)
