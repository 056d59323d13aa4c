"""Validating the data of a store against a shapes graph, with SPARQL on the store.

Each root shape (a shape with targets) is compiled into a few queries
(plans.py) and run on the store; a root shape the compiler cannot translate,
or whose compiled query the store refuses, is validated by pySHACL instead,
on the same data, and the report lists it in ``fallbacks``. Nothing is
skipped silently.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Protocol, TypeVar

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Identifier, Node

from ..store import QueryResult, QuerySyntaxError
from . import terms
from .absent_nodes import refuse_empty_paths_from_absent_nodes
from .blank_focus import roots_selecting_blank_nodes
from .checks import FOCUS_MARKER, Columns
from .closures import Subclasses, class_closures, kept_closures, named_classes
from .context import Dialect
from .errors import Uncompilable
from .fallback import validate_with_pyshacl
from .memory import SHAPES_GRAPH, MemoryStore
from .paths import Path
from .plans import CountsQuery, FlagQuery, Plan, RowPlan, SetQuery, focus_query, plan_root
from .report import Fallback, Report, Result, build_report, result
from .shapes import ShapesGraph
from .targets import is_usable_focus

T = TypeVar("T")


class QueryStore(Protocol):
    """What validation needs of a krbgraph.store.Store: its query method."""

    def query(
        self,
        sparql: str,
        *,
        bindings: dict[str, Identifier] | None = None,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        timeout_s: float | None = None,
        max_rows: int | None = None,
        base_iri: str | None = None,
    ) -> QueryResult: ...


def validate_store(
    store: QueryStore,
    shapes: Graph,
    *,
    data_graphs: Sequence[str] | None = None,
    focus_nodes: Sequence[Node] | None = None,
    blank_focus: Collection[BNode] = (),
    shapes_graph: str | None = None,
    timeout_s: float | None = None,
) -> Report:
    """Validate the data in ``store`` against ``shapes``.

    ``data_graphs`` names the graphs that form the data graph (default: the
    store's default graph, which is the union of all graphs on the embedded
    store). ``focus_nodes`` limits validation to those focus nodes of the
    shapes' targets (IRIs or literals); ``blank_focus`` adds blank nodes of the store,
    as its answers name them (see krbgraph.shacl.blank_focus). ``shapes_graph`` names
    the store's graph that holds ``shapes``, if any (SHACL-SPARQL's $shapesGraph and
    $currentShape need it). ``timeout_s`` applies to each query (None: the default).

    Raises ShapesError for an ill-formed shapes graph, ValueError for a blank
    node in ``focus_nodes``, UnsupportedShapes when a shape can be validated by
    neither the compiler nor pySHACL, and the store's QueryTimeout or StoreError.
    """
    if focus_nodes is not None and not all(is_usable_focus(n) for n in focus_nodes):
        raise ValueError("focus_nodes must be IRIs or literals: a query cannot name a blank node")
    graphs = tuple(data_graphs or ())

    def run(text: str) -> QueryResult:
        return store.query(text, default_graph_uris=graphs, timeout_s=timeout_s)

    def load() -> Graph:
        answer = run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        assert answer.graph is not None
        return answer.graph

    def closures(classes: Sequence[URIRef]) -> Subclasses:
        return kept_closures(store, graphs, run, classes)

    return _validate(
        run,
        load,
        shapes,
        focus_nodes,
        lambda node: node,
        shapes_graph,
        closures,
        blank_focus,
        store,
    )


def validate_graph(
    data: Graph, shapes: Graph, *, focus_nodes: Sequence[Node] | None = None
) -> Report:
    """Validate an rdflib graph: loaded into an in-memory pyoxigraph store, then
    validate_store. Raises ShapesError."""
    store = MemoryStore(data, shapes)

    def run(text: str) -> QueryResult:
        return store.query(text)

    def closures(classes: Sequence[URIRef]) -> Subclasses:
        return class_closures(run, classes)

    return _validate(run, lambda: data, shapes, focus_nodes, store.original, SHAPES_GRAPH, closures)


def _validate(
    run: Callable[[str], QueryResult],
    load: Callable[[], Graph],
    shapes_graph: Graph,
    focus_nodes: Sequence[Node] | None,
    original: Callable[[Identifier], Identifier],
    shapes_graph_iri: str | None,
    closures: Callable[[Sequence[URIRef]], Subclasses],
    blank_focus: Collection[BNode] = (),
    source: object = None,
) -> Report:
    shapes = _read_shapes(shapes_graph)
    results: list[Result] = []
    fallbacks: list[Fallback] = []
    roots = shapes.roots()
    if focus_nodes is not None and not focus_nodes and not blank_focus:
        return build_report([], [])  # nothing to validate
    everything = _whole_graph_features(shapes_graph)
    dialect = replace(
        probe_dialect(run),
        shapes_graph=shapes_graph_iri,
        subclasses=closures(named_classes(shapes, roots)),
    )
    narrowed = (
        None if not focus_nodes else _focus_per_root(run, shapes, roots, focus_nodes, dialect)
    )
    whole: set[Node] = set()  # validated over all targets for a blank focus node
    kept = frozenset((*(focus_nodes or ()), *blank_focus))
    if focus_nodes is not None and blank_focus:
        whole = roots_selecting_blank_nodes(run, shapes, roots, dialect, blank_focus, source)

    def validate_root(root: Node) -> list[Result] | Fallback:
        if root in whole:
            found = _validated_root(root, None)
            return found if isinstance(found, Fallback) else [r for r in found if r.focus in kept]
        return _validated_root(root, focus_nodes if narrowed is None else narrowed[root])

    def _validated_root(root: Node, root_focus: Sequence[Node] | None) -> list[Result] | Fallback:
        if root_focus is not None and not root_focus:
            return []  # none of the focus nodes is a target of this shape
        try:
            if everything:
                raise Uncompilable(everything)
            refuse_empty_paths_from_absent_nodes(run, shapes, root)
            sparql_target = any(t.kind == "sparql" for t in shapes.targets(root))
            if narrowed is not None and root_focus is not None and not sparql_target:
                # _focus_per_root found each of them among the root's targets: the queries
                # start from them without testing the targets again (a write's 100 norms:
                # their rdf:type path once, not in each of the root's queries).
                plans = plan_root(shapes, root, root_focus, dialect, found_focus=root_focus)
            else:
                plans = plan_root(shapes, root, root_focus, dialect)
                if (len(plans) > 1 or root_focus is not None) and sparql_target:
                    plans = _from_listed_focus(run, shapes, root, root_focus, dialect, plans)
            return [_restored(item, original) for plan in plans for item in _execute(run, plan)]
        except Uncompilable as exc:
            return Fallback(root, str(exc))
        except QuerySyntaxError as exc:
            return Fallback(root, f"the store refused the compiled query: {exc}")

    for outcome in _each(validate_root, roots):
        if isinstance(outcome, Fallback):
            fallbacks.append(outcome)
        else:
            results.extend(outcome)
    if fallbacks:
        fallen = {f.shape for f in fallbacks}
        compiled = set(roots) - fallen
        if fallen & whole:  # pySHACL names focus nodes by IRI: all its results, then kept
            found = validate_with_pyshacl(load(), shapes_graph, fallen, compiled, None)
            results.extend(r for r in found if r.focus in kept)
        else:
            results.extend(
                validate_with_pyshacl(load(), shapes_graph, fallen, compiled, focus_nodes)
            )
    return build_report(results, fallbacks)


_READ: dict[int, tuple[weakref.ref[Graph], int, ShapesGraph]] = {}


def _read_shapes(graph: Graph) -> ShapesGraph:
    """The shapes of ``graph``, read and compiled once while it is unchanged: the
    service validates every write against the same shapes graph, and reading it with
    rdflib and compiling its root shapes cost more than the queries of a small write."""
    held = _READ.get(id(graph))
    if held is not None and held[0]() is graph and held[1] == len(graph):
        return held[2]
    shapes = ShapesGraph(graph)
    key = id(graph)
    _READ[key] = (weakref.ref(graph, lambda _: _READ.pop(key, None)), len(graph), shapes)
    return shapes


WORKERS = max(1, min(4, os.cpu_count() or 1))
"""Root shapes validated at once. Their queries are independent and the engine works
outside Python's lock (pyoxigraph releases it while it evaluates), so a whole-registry
validation uses every core (1M triples on 2 cores: 29 s to 15 s)."""


def _each(work: Callable[[Node], T], roots: Sequence[Node]) -> list[T]:
    """``work`` for every root, on WORKERS threads, in the order of ``roots``."""
    if WORKERS == 1 or len(roots) < 2:
        return [work(root) for root in roots]
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="shacl") as pool:
        return list(pool.map(work, roots))


def _focus_per_root(
    run: Callable[[str], QueryResult],
    shapes: ShapesGraph,
    roots: Sequence[Node],
    focus_nodes: Sequence[Node],
    dialect: Dialect,
) -> dict[Node, list[Node]]:
    """For each root shape, the focus nodes that can be among its targets: three queries
    for all roots (the focus nodes' classes, and which of them are subjects or objects of
    the target predicates), so a write of a few objects runs only the shapes that target
    them. A SPARQL target keeps every focus node (its query decides)."""
    listed = " ".join(terms.term(n) for n in focus_nodes)
    classes = _classes_of(run, shapes, roots, listed, dialect)
    linked: dict[tuple[str, Node], set[Node]] = {}
    for kind, pattern in (("subjectsOf", "?f ?p ?x"), ("objectsOf", "?x ?p ?f")):
        predicates = sorted(
            {t.value for r in roots for t in shapes.targets(r) if t.kind == kind}, key=str
        )
        if not predicates:
            continue
        values = " ".join(terms.term(p) for p in predicates)
        # EXISTS, not a join with the pattern: over the union of graphs the engine
        # evaluated the join by reading every triple of the predicates (a 100-norm write
        # at 1M: 14 ms in memory, 1.1 s on disk; EXISTS 0.8 and 3.8 ms).
        query = (
            f"SELECT ?f ?p WHERE {{ VALUES ?f {{ {listed} }} VALUES ?p {{ {values} }} "
            f"FILTER EXISTS {{ {pattern} }} }}"
        )
        for focus, predicate in run(query).rows:
            if focus is not None and predicate is not None:  # both bound in every solution
                linked.setdefault((kind, predicate), set()).add(focus)
    per_root: dict[Node, list[Node]] = {}
    for root in roots:
        chosen: set[Node] = set()
        for target in shapes.targets(root):
            if target.kind == "sparql":
                chosen = set(focus_nodes)
                break
            if target.kind == "node":
                chosen |= {n for n in focus_nodes if n == target.value}
            elif target.kind == "class":
                chosen |= {n for n in focus_nodes if target.value in classes.get(n, ())}
            else:
                chosen |= linked.get((target.kind, target.value), set())
        per_root[root] = [n for n in focus_nodes if n in chosen]
    return per_root


def _classes_of(
    run: Callable[[str], QueryResult],
    shapes: ShapesGraph,
    roots: Sequence[Node],
    listed: str,
    dialect: Dialect,
) -> dict[Node, set[Node]]:
    """The classes of the listed nodes among those that matter: the class targets, from
    the nodes' types and the targets' listed subclasses (Dialect.subclasses), or when
    one is not listed, every superclass of the nodes' types."""
    targeted = {t.value for root in roots for t in shapes.targets(root) if t.kind == "class"}
    subclasses = {cls: dialect.subclasses_of(cls) for cls in targeted}
    classes: dict[Node, set[Node]] = {}
    if all(listed_subclasses is not None for listed_subclasses in subclasses.values()):
        of_type: dict[Node, set[Node]] = {}
        for cls, subs in subclasses.items():
            for sub in subs or ():
                of_type.setdefault(sub, set()).add(cls)
        typed = f"?f {terms.iri(RDF.type)} ?t"
        query = f"SELECT DISTINCT ?f ?t WHERE {{ VALUES ?f {{ {listed} }} {typed} }}"
        for focus, kind in run(query).rows:
            if focus is not None and kind in of_type:
                classes.setdefault(focus, set()).update(of_type[kind])
        return classes
    rows = run(
        f"SELECT DISTINCT ?f ?c WHERE {{ VALUES ?f {{ {listed} }} "
        f"?f {terms.iri(RDF.type)}/{terms.iri(RDFS.subClassOf)}* ?c }}"
    ).rows
    for focus, superclass in rows:
        if focus is not None and superclass is not None:  # both bound in every solution
            classes.setdefault(focus, set()).add(superclass)
    return classes


MAX_LISTED_FOCUS = 5000
"""Up to this many focus nodes of a SPARQL target are listed in the queries."""


def _from_listed_focus(
    run: Callable[[str], QueryResult],
    shapes: ShapesGraph,
    root: Node,
    focus_nodes: Sequence[Node] | None,
    dialect: Dialect,
    plans: list[Plan],
) -> list[Plan]:
    """A SPARQL target can cost more than the checks (it narrows the focus for pySHACL):
    run it once and start every query of the root from the nodes it found, when they
    can be named (no blank nodes) and are not too many. With focus nodes given this
    also keeps the engine from evaluating a constraint over every node before joining
    it with the few focus nodes."""
    rows = run(focus_query(shapes, root, focus_nodes, dialect)).rows
    found = [row[0] for row in rows if row[0] is not None]
    if len(found) > MAX_LISTED_FOCUS or not all(is_usable_focus(n) for n in found):
        return plans
    if not found:
        return []
    return plan_root(shapes, root, focus_nodes, dialect, found_focus=found)


def _whole_graph_features(shapes: Graph) -> str | None:
    """SHACL-AF features that change what every shape sees: rules (which add triples
    before validation) and SPARQL functions (which queries may call)."""
    for feature in (SH.rule, SH.SPARQLFunction, SH.JSFunction, SH.SPARQLRule):
        if (None, feature, None) in shapes or (None, None, feature) in shapes:
            return f"the shapes graph uses SHACL-AF {feature.n3()}"
    return None


_PROBE = f"SELECT (DATATYPE({terms.term(Literal('1', datatype=XSD.byte))}) AS ?byte) WHERE {{}}"


_LATERAL_PROBE = "SELECT ?y WHERE { VALUES ?x { 1 } LATERAL { BIND (?x AS ?y) } }"


def probe_dialect(run: Callable[[str], QueryResult]) -> Dialect:
    """Ask the store how it keeps terms the compiled checks depend on, and whether it
    evaluates LATERAL (a store that does not refuses the probe as a syntax error)."""
    rows = run(_PROBE).rows
    datatype = rows[0][0] if rows else None
    try:
        probed = run(_LATERAL_PROBE).rows
        lateral = bool(probed) and probed[0][0] == Literal(1)
    except QuerySyntaxError:
        lateral = False
    return Dialect(derived_datatypes=datatype == XSD.byte, lateral=lateral)


def _restored(item: Result, original: Callable[[Identifier], Identifier]) -> Result:
    value = original(item.value) if item.value is not None else None  # type: ignore[arg-type]
    focus = original(item.focus)  # type: ignore[arg-type]
    if value is item.value and focus is item.focus:
        return item
    return replace(item, focus=focus, value=value)


def _execute(run: Callable[[str], QueryResult], plan: Plan) -> list[Result]:
    if isinstance(plan, FlagQuery):
        return _flag_results(run(plan.text), plan)
    if isinstance(plan, SetQuery):
        return _set_results(run(plan.text), plan)
    if isinstance(plan, CountsQuery):
        return _count_results(run(plan.text), plan)
    return _row_results(run, plan)


def _count_results(answer: QueryResult, plan: CountsQuery) -> list[Result]:
    found = []
    for row in answer.dicts():
        origin = plan.origins[int(row[plan.index].toPython())]  # type: ignore[attr-defined]
        found.append(result(origin, row["this"], None, origin.shape.path))
    return found


def _set_results(answer: QueryResult, plan: SetQuery) -> list[Result]:
    found = []
    for row in answer.dicts():
        focus = row["this"]
        value = {"none": None, "focus": focus, "value": row.get("value")}[plan.value]
        found.append(result(plan.origin, focus, value, plan.origin.shape.path))
    return found


def _flag_results(answer: QueryResult, plan: FlagQuery) -> list[Result]:
    found = []
    for row in answer.dicts():
        focus = row["this"]
        for flag in plan.flags:
            flagged = row.get(flag.variable[1:])
            if flagged is None or not flagged.toPython():  # type: ignore[attr-defined]
                continue
            value = {"none": None, "focus": focus, "value": row.get("value")}[flag.value]
            found.append(result(flag.origin, focus, value, flag.origin.shape.path))
    return found


def _row_results(run: Callable[[str], QueryResult], plan: RowPlan) -> list[Result]:
    query = plan.query
    if not query.per_focus:
        rows = run(query.text).dicts()
        return [_row_result(plan, row, row["this"]) for row in rows if "this" in row]
    assert query.focus_query is not None
    found: list[Result] = []
    for row in run(query.focus_query).rows:
        focus = row[0]  # then the route variables, one run per route
        if focus is None:
            continue
        if isinstance(focus, BNode):
            raise Uncompilable("a SPARQL constraint needing pre-binding met a blank focus node")
        text = query.text.replace(FOCUS_MARKER, terms.term(focus))
        found.extend(_row_result(plan, row, focus) for row in run(text).dicts())
    return found


def _row_result(plan: RowPlan, row: dict[str, Identifier], focus: Identifier) -> Result:
    columns: Columns = plan.query.columns
    origin = plan.origin
    value = row.get(columns.value) if columns.value else None
    if value is None and columns.value_is_focus:
        value = focus
    path: Path | None = origin.shape.path
    bound_path = row.get(columns.path) if columns.path else None
    if isinstance(bound_path, URIRef):
        path = Path("predicate", iri=bound_path)
    return result(origin, focus, value, path, bindings=row)


__all__ = ["QueryStore", "probe_dialect", "validate_graph", "validate_store"]
