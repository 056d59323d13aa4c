"""The KRB shapes as a whole: valid SHACL, one shape per class of the ontology,
messages in Dutch and English everywhere, a header comment per file, and the
demo registry conforming to them."""

from __future__ import annotations

from pathlib import Path

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from krbgraph.model import model_graph, project_root, shape_files, shapes_graph
from krbgraph.namespaces import GEO, KRB, ORG
from krbgraph.rdfio import read_rdf_paths
from krbgraph.validation import validate_graph

SHACL_SHACL = Path(__file__).parent / "data" / "shapes" / "shacl-shacl.ttl"


def test_shapes_are_valid_shacl_by_the_w3c_shacl_for_shacl_shapes() -> None:
    conforms, _, text = pyshacl.validate(
        shapes_graph(), shacl_graph=Graph().parse(SHACL_SHACL), inference="none"
    )
    assert conforms, text


def test_shacl_for_shacl_does_reject_a_broken_shape() -> None:
    broken = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:minCount "one" ; sh:property [ sh:maxCount 1 ] .""",
        format="turtle",
    )
    conforms, _, _ = pyshacl.validate(broken, shacl_graph=Graph().parse(SHACL_SHACL))
    assert not conforms


def test_every_class_of_the_ontology_has_a_node_shape() -> None:
    model, shapes = model_graph(), shapes_graph()
    classes = {c for c in model.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and c in KRB}
    # Abstract or model-only classes: Stuurinstrument has no instances of its
    # own (norm, rule and measure shapes cover it), Zoekingang and MerMaatregel
    # are checked through the IMBOR extract and the Beleidsmaatregel shape.
    covered_elsewhere = {KRB.Stuurinstrument, KRB.Zoekingang, KRB.MerMaatregel}
    targeted = set(shapes.objects(None, SH.targetClass))
    assert classes - covered_elsewhere <= targeted
    assert ORG.OrganizationalUnit in targeted
    assert (
        KRB.MerMaatregel,
        URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
        KRB.Beleidsmaatregel,
    ) in model


def test_every_reporting_shape_has_one_message_in_dutch_and_one_in_english() -> None:
    shapes = shapes_graph()
    reporting = set(shapes.subjects(SH.message, None))
    assert len(reporting) > 60
    for node in reporting:
        languages = sorted(m.language for m in shapes.objects(node, SH.message))
        assert languages == ["en", "nl"], node
        assert all("{?label}" in m for m in shapes.objects(node, SH.message)), node


def test_every_shapes_file_starts_with_a_header_saying_what_and_why() -> None:
    files = shape_files()
    assert {f.name for f in files} >= {
        "dossiers.ttl",
        "indicatoren.ttl",
        "instrumenten.ttl",
        "effecten.ttl",
        "gebieden.ttl",
        "begrippen.ttl",
    }
    for path in files:
        head = path.read_text(encoding="utf-8").splitlines()[:20]
        assert head[0].startswith("# ====") and any("What:" in line for line in head), path
        assert any("Why:" in line for line in head), path


def test_the_demo_registry_conforms() -> None:
    demo = project_root() / "examples" / "demo"
    result = validate_graph(read_rdf_paths([demo]))
    assert result.conforms, [f.message_en for f in result.violations()]


def _allowed_datatypes(shapes: Graph, shape: Node) -> set[Node]:
    """The sh:datatype values a property shape allows, directly or in a branch of sh:or."""
    allowed = set(shapes.objects(shape, SH.datatype))
    for head in shapes.objects(shape, SH["or"]):
        for branch in shapes.items(head):
            allowed |= set(shapes.objects(branch, SH.datatype))
    return allowed


def test_no_property_the_shapes_allow_language_tagged_text_has_an_xsd_range() -> None:
    """OWL 2 keeps language-tagged strings out of every xsd datatype: text the shapes
    accept with a language tag, on a property whose rdfs:range is xsd:string, made a
    registry that validates inconsistent for a reasoner (krb:rekenmethode "..."@nl)."""
    model, shapes = model_graph(), shapes_graph()
    clashes = []
    for shape in set(shapes.subjects(SH.path, None)):
        path = shapes.value(shape, SH.path)
        if not isinstance(path, URIRef) or RDF.langString not in _allowed_datatypes(shapes, shape):
            continue
        ranges = [r for r in model.objects(path, RDFS.range) if str(r).startswith(str(XSD))]
        if ranges:
            clashes.append(f"{path.n3()} rdfs:range {ranges[0].n3()}")
    assert clashes == []


def test_no_model_property_is_stated_a_subproperty_that_says_more_than_it_means() -> None:
    """Under RDFS entailment a subproperty's triples become the super property's: krb:ligtIn
    under geo:sfWithin made a plan area across two neighbourhoods wholly within both (the
    demo's Parkrand, whose geometry says otherwise), and krb:risNummer under
    dct:identifier gave every decision a second code beside the one krbsh:code allows."""
    model = model_graph()
    assert (KRB.ligtIn, RDFS.subPropertyOf, GEO.sfWithin) not in model
    assert (KRB.risNummer, RDFS.subPropertyOf, DCTERMS.identifier) not in model
    assert (KRB.ligtIn, RDFS.subPropertyOf, GEO.sfIntersects) in model


def test_every_model_term_that_specialises_a_standard_says_so() -> None:
    """The ontology's design rule: a krb: term under a term of a standard names it in
    rdfs:comment (seven did not, among them krb:document under prov:wasDerivedFrom)."""
    model = model_graph()
    silent = sorted(
        term.n3()
        for term in set(model.subjects(RDF.type, None))
        if isinstance(term, URIRef)
        and term in KRB
        and (term, RDFS.comment, None) not in model
        and any(
            isinstance(super_term, URIRef) and super_term not in KRB
            for link in (RDFS.subClassOf, RDFS.subPropertyOf)
            for super_term in model.objects(term, link)
        )
    )
    assert silent == []
