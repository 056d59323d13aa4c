"""SHACL instances of a class (SHACL 3.2: rdf:type/rdfs:subClassOf* in the data graph)
as a SPARQL pattern, for sh:class checks and class targets alike."""

from __future__ import annotations

from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from . import terms
from .context import Context


def instances(ctx: Context, value: str, cls: Node) -> str:
    """A pattern binding ``value`` to the SHACL instances of ``cls``: its types against
    the class's subclasses when the dialect lists them (Dialect.subclasses), else
    the path. Either may bind a value more than once (two types)."""
    listed = ctx.dialect.subclasses_of(cls)
    if listed is None:
        path = f"{terms.iri(RDF.type)}/{terms.iri(RDFS.subClassOf)}*"
        return f"{value} {path} {terms.iri(cls)} ."
    if len(listed) == 1:
        return f"{value} {terms.iri(RDF.type)} {terms.iri(listed[0])} ."
    kind = ctx.var("t")
    classes = " ".join(terms.iri(c) for c in listed)
    return f"{value} {terms.iri(RDF.type)} {kind} . VALUES {kind} {{ {classes} }}"
