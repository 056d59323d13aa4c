"""What one compiled query accumulates while it is written: fresh variable names and
the PREFIX declarations its embedded SHACL-SPARQL text needs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from rdflib.term import Node

from . import terms
from .errors import Uncompilable
from .shapes import ShapesGraph


@dataclass(frozen=True)
class Dialect:
    """What the store does with terms, found by asking it (engine.probe_dialect)."""

    derived_datatypes: bool = True
    """DATATYPE("1"^^xsd:byte) is xsd:byte. Oxigraph stores the types derived from
    xsd:integer as xsd:integer, so sh:datatype xsd:byte cannot be tested there."""
    shapes_graph: str | None = None
    """The named graph of the store that holds the shapes graph, for $shapesGraph."""
    lateral: bool = False
    """The store evaluates ``LATERAL { ... }`` (SPARQL 1.2 draft, SEP-0006; Oxigraph
    does): the right side runs once per row of the left with its variables bound.
    Listed focus nodes start a SPARQL target that way; without it, a planner that
    orders joins by estimated size may start from the target's own VALUES or class
    and read every instance before meeting the few focus nodes."""
    subclasses: tuple[tuple[Node, tuple[Node, ...]], ...] = ()
    """For classes the shapes name (sh:class, class targets): every class the data makes
    a subclass of it (rdfs:subClassOf*, itself included), when they are IRIs and few
    (engine.class_closures). An instance test then reads the value's rdf:type against
    that list. The path ``rdf:type/rdfs:subClassOf*`` to a bound class is evaluated by
    Oxigraph from the class down, reading all its instances, for every value tested:
    four times slower on a write's sh:class checks, more for classes with many
    instances (units, areas). Part of the dialect, so compiled plans are kept per
    hierarchy and a change of the hierarchy compiles them again."""

    @cached_property
    def _subclass_lists(self) -> dict[Node, tuple[Node, ...]]:
        return dict(self.subclasses)

    def subclasses_of(self, cls: Node) -> tuple[Node, ...] | None:
        """The listed subclasses of ``cls`` (itself included), or None: use the path."""
        return self._subclass_lists.get(cls)


class Context:
    """The state of compiling one query against one shapes graph.

    ``stack`` holds the shapes whose conformance is being written, so a shape
    that (indirectly) refers to itself is noticed instead of unfolding forever.
    """

    def __init__(self, shapes: ShapesGraph, dialect: Dialect):
        self.shapes = shapes
        self.dialect = dialect
        self.prefixes: dict[str, str] = {}
        self.stack: list[Node] = []
        self._count = 0
        self.listed_focus = ""
        """``VALUES ?this { ... }`` while a root's listed focus nodes bind ?this: patterns
        that engines evaluate on their own (a grouped subquery) start from it."""

    def var(self, hint: str = "v") -> str:
        """A variable no other part of the query uses (user text never starts with ?_s)."""
        self._count += 1
        return f"?_s{hint}{self._count}"

    def suffix(self) -> str:
        """A suffix that renames the variables of embedded user text apart (``?x_u7``)."""
        self._count += 1
        return f"_u{self._count}"

    def add_prefixes(self, prefixes: dict[str, str]) -> None:
        """Declare prefixes for embedded SPARQL; two meanings of one prefix cannot share a query."""
        for prefix, namespace in prefixes.items():
            if self.prefixes.setdefault(prefix, namespace) != namespace:
                raise Uncompilable(f"prefix {prefix}: declared with two namespaces in one query")

    def prologue(self) -> str:
        lines = []
        for prefix, namespace in sorted(self.prefixes.items()):
            lines.append(f"PREFIX {prefix}: {terms.iri_text(namespace)}\n")
        return "".join(lines)

    def enter(self, node: Node) -> None:
        if node in self.stack:
            raise Uncompilable(f"shape {node.n3()} refers to itself (recursive shapes)")
        self.stack.append(node)

    def leave(self) -> None:
        self.stack.pop()
