"""The shapes run by another SHACL processor, as docs/datamodel.md tells a pipeline
without krbgraph to run them: plain pySHACL over the data with the model beside it
finds the violations `krb validate` finds with its shapes."""

from __future__ import annotations

from functools import cache

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH
from sparql_parse_cache import sparql_parsed_once_fixture

from krbgraph.model import project_root
from krbgraph.validation import validate_graph

ROOT = project_root()
DEMO = ROOT / "examples" / "demo"
NORM = URIRef("https://krb.demogemeente.nl/id/beleidsnorm/GEL-N01")

sparql_parsed_once = sparql_parsed_once_fixture()
"""pySHACL's SHACL-SPARQL texts parsed once (tests/sparql_parse_cache.py): same report."""


@cache
def _model_and_shapes() -> tuple[Graph, Graph, Graph]:
    """The model files, QUDT's units and the shapes, read once for the module."""
    model = Graph()
    for file in [
        ROOT / "ontology" / "krb.ttl",
        ROOT / "ontology" / "eenheden.ttl",
        *(ROOT / "ontology" / "waardelijsten").glob("*.ttl"),
        ROOT / "mappings" / "imbor" / "imbor-leefomgeving.ttl",
    ]:
        model.parse(file)
    units = Graph().parse(ROOT / "ontology" / "qudt" / "qudt-units.ttl")
    shapes = Graph()
    for file in (ROOT / "ontology" / "shapes").glob("*.ttl"):
        shapes.parse(file)
    return model, units, shapes


def _as_documented(data: Graph) -> Graph:
    """The recipe of docs/datamodel.md: the report graph of plain pySHACL."""
    read, units, shapes = _model_and_shapes()
    model = Graph()
    model += read
    for unit in {o for o in data.objects() if str(o).startswith("http://qudt.org/vocab/unit/")}:
        for triple in units.triples((unit, None, None)):
            model.add(triple)
    _, report, _ = pyshacl.validate(
        data + model, shacl_graph=shapes, advanced=True, inference="none", allow_warnings=True
    )
    assert isinstance(report, Graph)
    return report


def _demo() -> Graph:
    data = Graph()
    for file in sorted(DEMO.glob("*.ttl")):
        data.parse(file)
    return data


@pytest.mark.parametrize("broken", ["as it is", "a norm without operator and value"])
def test_plain_pyshacl_finds_the_violations_krb_validate_finds(broken: str) -> None:
    data = _demo()
    if broken != "as it is":
        data.remove((NORM, URIRef("https://data.krb.nl/def/krb#operator"), None))
        data.remove((NORM, URIRef("http://qudt.org/schema/qudt/numericValue"), None))
    report = _as_documented(data)
    plain = {
        str(report.value(result, SH.focusNode))
        for result in report.subjects(SH.resultSeverity, SH.Violation)
    }
    krb = {f.focus for f in validate_graph(data).findings if f.severity == "Violation"}
    assert plain == krb
    assert bool(plain) == (broken != "as it is")
