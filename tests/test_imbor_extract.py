"""The IMBOR Leefomgeving extract (mappings/imbor/): reproducible, complete, attributed.

The extract is committed, so these tests rebuild it from the committed IMBOR
sources and compare bytes: a change to build.py or to the sources must come
with the regenerated file (``make imbor``).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pyoxigraph
import pytest
from owlready2 import World, sync_reasoner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

IMBOR_DIR = Path(__file__).resolve().parents[1] / "mappings" / "imbor"
EXTRACT = IMBOR_DIR / "imbor-leefomgeving.ttl"

KRB = Namespace("https://data.krb.nl/def/krb#")
IMBOR = Namespace("https://data.crow.nl/imbor/def/")
NEN3610 = Namespace("http://modellen.geostandaarden.nl/def/nen3610-2022#")
DASH = Namespace("http://datashapes.org/dash#")
ONTOLOGY = URIRef("https://data.krb.nl/def/imbor-leefomgeving")
SCHEME = URIRef("https://data.krb.nl/id/conceptschema/leefomgeving")
BOOM = IMBOR["83a942f7-5291-42f0-afb1-9a57d0fb2f15"]
ASFALTVERHARDING = IMBOR["5e38db74-2c1b-4caa-bd62-c7008cb022c6"]

# IMBOR2025 (2026-02-25) has 1534 skos:member values in its collection Objecttype
# (rdflib and pyoxigraph agree), one fewer than sometimes quoted.
OBJECT_TYPES = 1534


def _load_build() -> ModuleType:
    """Import mappings/imbor/build.py, which is a script and not in a package."""
    spec = importlib.util.spec_from_file_location("imbor_build", IMBOR_DIR / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("imbor") / "imbor-leefomgeving.ttl"
    build = _load_build()
    summary = build.build(build.SOURCE_DIR, out)
    return out, summary


@pytest.fixture(scope="module")
def extract() -> Graph:
    return Graph().parse(EXTRACT, format="turtle")


def test_rebuild_is_byte_identical(rebuilt: tuple[Path, Any]) -> None:
    out, _summary = rebuilt
    assert out.read_bytes() == EXTRACT.read_bytes(), "run `make imbor` and commit the result"


def test_build_summary(rebuilt: tuple[Path, Any]) -> None:
    _out, summary = rebuilt
    assert summary.object_types == OBJECT_TYPES
    assert summary.ancestors == 166
    assert summary.zoekingangen == 31
    assert summary.object_types_without_zoekingang == 0
    assert summary.classes_without_definition == 0


def test_object_types_are_flagged(extract: Graph) -> None:
    flagged = set(extract.subjects(KRB.imborObjecttype, Literal(True)))
    assert len(flagged) == OBJECT_TYPES
    assert all((c, RDF.type, OWL.Class) in extract for c in flagged)


def test_every_class_is_a_labelled_concept_in_the_scheme(extract: Graph) -> None:
    classes = set(extract.subjects(KRB.imborObjecttype, None))
    assert classes == set(extract.subjects(RDF.type, OWL.Class)) - {
        KRB.Zoekingang,
        SKOS.Concept,
        SKOS.ConceptScheme,
    }
    for cls in classes:
        labels = list(extract.objects(cls, SKOS.prefLabel))
        assert len(labels) == 1 and isinstance(labels[0], Literal), cls
        assert labels[0].language == "nl", cls
        assert list(extract.objects(cls, RDFS.label)) == labels, cls
        assert (cls, SKOS.inScheme, SCHEME) in extract, cls


def test_asfaltverharding_is_below_abstract_nen3610_verharding(extract: Graph) -> None:
    verharding = NEN3610.Verharding
    assert verharding in set(extract.transitive_objects(ASFALTVERHARDING, RDFS.subClassOf))
    assert (verharding, RDF.type, OWL.Class) in extract
    assert (verharding, DASH.abstract, Literal(True)) in extract
    assert (verharding, KRB.imborObjecttype, Literal(False)) in extract


def test_boom_belongs_to_zoekingang_bomen(extract: Graph) -> None:
    bomen = set(extract.subjects(SKOS.prefLabel, Literal("Bomen", lang="nl")))
    assert len(bomen) == 1
    zoekingang = bomen.pop()
    assert (zoekingang, RDF.type, KRB.Zoekingang) in extract
    assert (zoekingang, SKOS.topConceptOf, SCHEME) in extract
    assert (BOOM, KRB.zoekingang, zoekingang) in extract
    assert (BOOM, SKOS.broader, zoekingang) in extract


def test_zoekingangen_are_top_concepts_without_suffix(extract: Graph) -> None:
    zoekingangen = set(extract.subjects(RDF.type, KRB.Zoekingang))
    assert len(zoekingangen) == 31
    assert zoekingangen == set(extract.subjects(SKOS.topConceptOf, SCHEME))
    for zoekingang in zoekingangen:
        label = str(extract.value(zoekingang, SKOS.prefLabel))
        assert "zoekingang" not in label, zoekingang


def test_attribution(extract: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in extract
    license_ = URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert (ONTOLOGY, DCTERMS.license, license_) in extract
    assert (ONTOLOGY, DCTERMS.rightsHolder, Literal("Stichting CROW")) in extract
    source = URIRef("https://github.com/Stichting-CROW/imbor-development")
    assert (ONTOLOGY, DCTERMS.source, source) in extract


def test_oxigraph_reads_the_same_triples(extract: Graph) -> None:
    store = pyoxigraph.Store()
    store.load(path=str(EXTRACT), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(extract)


def _owlready2_world(extract: Graph, folder: Path) -> World:
    """Load the extract into a fresh owlready2 world (which reads N-Triples, not Turtle),
    beside the KRB ontology, which declares the KRB terms the extract uses (a store holds
    each declaration once, in the ontology's graph)."""
    krb = folder / "krb.nt"
    Graph().parse(IMBOR_DIR.parents[1] / "ontology" / "krb.ttl").serialize(
        krb, format="nt", encoding="utf-8"
    )
    ntriples = folder / "imbor-leefomgeving.nt"
    extract.serialize(ntriples, format="nt", encoding="utf-8")
    world = World()
    world.get_ontology(krb.as_uri()).load()
    ontology = world.get_ontology(ntriples.as_uri()).load()
    assert ontology.base_iri == f"{ONTOLOGY}#"
    return world


def test_owlready2_loads_it_as_an_ontology(extract: Graph, tmp_path: Path) -> None:
    world = _owlready2_world(extract, tmp_path)
    boom = world[str(BOOM)]
    assert boom is not None and boom.imborObjecttype == [True]
    assert len(list(world[str(KRB.Zoekingang)].instances())) == 31


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime")
def test_hermit_finds_it_consistent(extract: Graph, tmp_path: Path) -> None:
    world = _owlready2_world(extract, tmp_path)
    sync_reasoner(world, infer_property_values=False, debug=0)  # raises if inconsistent
    assert list(world.inconsistent_classes()) == []
