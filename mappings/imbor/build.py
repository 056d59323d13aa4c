"""Build the IMBOR "Leefomgeving" extract that the KRB ontology uses.

Why this exists: the KRB classifies norms by the IMBOR object type they are
about ("which norms apply to a tree?"). IMBOR itself is a SHACL-first model
(``rdfs:Class, sh:NodeShape`` with hundreds of property shapes) spread over a
core model and a vocabulary; whether a class is an *object type* only shows
through its vocabulary term's membership of the collection "Objecttype". The
KRB needs none of the shapes, only the classes, their hierarchy and the
zoekingangen, as one small file that SKOS browsers load, and OWL tools
(owlready2, HermiT) beside the KRB ontology, which declares the KRB terms it
uses (each declaration in one file: a store holds each file in its own graph).
This script derives that file from the committed IMBOR sources, so the
derivation is reviewable and repeatable.

Why it writes Turtle itself: the extract is committed and a test rebuilds it
and compares bytes, so the output must not depend on hash order or on a
serializer's version. Every subject, predicate and object is sorted.

Run from the repository root::

    python mappings/imbor/build.py

IMBOR2025 (c) Stichting CROW, data licensed CC BY 4.0; see README.md here.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

HERE = Path(__file__).resolve().parent
SOURCE_DIR = HERE / "source"
OUT_PATH = HERE / "imbor-leefomgeving.ttl"
KERN_FILE = "imbor-kern.ttl.gz"
VOCABULARY_FILE = "imbor-vocabulaire.ttl.gz"

KRB = Namespace("https://data.krb.nl/def/krb#")
IMBOR = Namespace("https://data.crow.nl/imbor/def/")
IMBOR_TERM = Namespace("https://data.crow.nl/imbor/term/")
GWSW = Namespace("http://data.gwsw.nl/1.6/totaal/")
NEN3610 = Namespace("http://modellen.geostandaarden.nl/def/nen3610-2022#")
NEN2660 = Namespace("https://w3id.org/nen2660/def#")
DASH = Namespace("http://datashapes.org/dash#")

PREFIXES: dict[str, Namespace] = {
    "dash": DASH,
    "dct": Namespace(str(DCTERMS)),
    "gwsw": GWSW,
    "imbor": IMBOR,
    "imbor-term": IMBOR_TERM,
    "krb": KRB,
    "nen2660": NEN2660,
    "nen3610": NEN3610,
    "owl": Namespace(str(OWL)),
    "rdfs": Namespace(str(RDFS)),
    "skos": Namespace(str(SKOS)),
}

ONTOLOGY = URIRef("https://data.krb.nl/def/imbor-leefomgeving")
SCHEME = URIRef("https://data.krb.nl/id/conceptschema/leefomgeving")
SOURCE_REPOSITORY = URIRef("https://github.com/Stichting-CROW/imbor-development")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
RIGHTS_HOLDER = "Stichting CROW"
VERSION = "IMBOR2025"
OBJECTTYPE_COLLECTION = IMBOR_TERM["41ab4cca-c6d7-4bfb-9748-28def30e0a3f"]
ZOEKINGANG_SUFFIX = " (zoekingang)"

CITATION = (
    "CROW (2025). IMBOR2025, Informatiemodel Beheer Openbare Ruimte: kernmodel en "
    "vocabulaire (linked data). Stichting CROW. "
    "https://github.com/Stichting-CROW/imbor-development, map data/rdf, commit van 2026-02-25."
)
DERIVATION_COMMENT = (
    "Afgeleid uit IMBOR2025 (imbor-kern.ttl en imbor-vocabulaire.ttl) door "
    "mappings/imbor/build.py. Bevat elke IMBOR-klasse waarvan de term (rdfs:seeAlso) lid is "
    "van de vocabulairecollectie Objecttype (krb:imborObjecttype true), plus al hun "
    "bovenliggende klassen via rdfs:subClassOf, in welke namespace ook (IMBOR, GWSW, "
    "NEN 3610, NEN 2660; krb:imborObjecttype false). IRI's, labels, definities, de "
    "klassenhiërarchie en dash:abstract zijn ongewijzigd overgenomen; SHACL-vormen en "
    "attributen zijn weggelaten. De zoekingangen zijn de topbegrippen van het "
    "begrippenkader Leefomgeving, met hun IMBOR-naam zonder het achtervoegsel "
    "' (zoekingang)' (het enige label dat afwijkt van IMBOR: 'Bomen' voor 'Bomen "
    "(zoekingang)'); objecttypen verwijzen er met skos:broader en "
    "krb:zoekingang naar. IMBOR-data: CC BY 4.0, IMBOR-producten: ODC-BY, "
    "(c) Stichting CROW."
)
DERIVATION_COMMENT_EN = (
    "Derived from IMBOR2025 (imbor-kern.ttl and imbor-vocabulaire.ttl) by "
    "mappings/imbor/build.py. Holds every IMBOR class whose term (rdfs:seeAlso) is a member "
    "of the vocabulary collection Objecttype (krb:imborObjecttype true), plus all their "
    "superclasses via rdfs:subClassOf, whatever their namespace (IMBOR, GWSW, NEN 3610, "
    "NEN 2660; krb:imborObjecttype false). IRIs, labels, definitions, the class hierarchy "
    "and dash:abstract are taken over unchanged; SHACL shapes and attributes are left out. "
    "The zoekingangen are the top concepts of the Leefomgeving concept scheme, named as "
    "in IMBOR without the suffix ' (zoekingang)' (the only labels that differ from IMBOR: "
    "'Bomen' for 'Bomen (zoekingang)'); object "
    "types point to them with skos:broader and krb:zoekingang. IMBOR data: CC BY 4.0, "
    "IMBOR products: ODC-BY, (c) Stichting CROW."
)
SCHEME_DEFINITION = (
    "Indeling van normen naar het object in de openbare ruimte waarop ze betrekking hebben: "
    "de IMBOR-zoekingangen als hoofdtypes, de IMBOR-objecttypen als subtypes."
)
SCHEME_DEFINITION_EN = (
    "Classification of norms by the public-space object they are about: the IMBOR "
    "zoekingangen (search entries) as main types, the IMBOR object types as subtypes."
)

#: The KRB ontology (ontology/krb.ttl), which krbgraph always loads beside the extract:
#: the store's union of graphs, `krb check-ontology` and OWL tools read the two together.
KRB_ONTOLOGY_PATH = HERE.parents[1] / "ontology" / "krb.ttl"

#: Declarations the extract relies on but leaves to the KRB ontology, which owns them:
#: the KRB's own terms, and the borrowed annotation properties it declares for the whole
#: model. Stated here as well, each was one fact in two model graphs of a store, and the
#: union default graph (Oxigraph 0.5) gave it twice (docs/sparql.md, "One graph per
#: fact"): a query for the types of krb:Zoekingang answered owl:Class twice. build()
#: checks that krb.ttl still declares every one of them.
DECLARED_BY_KRB: tuple[tuple[URIRef, URIRef], ...] = (
    *(
        (prop, OWL.AnnotationProperty)
        for prop in (
            DASH.abstract,
            DCTERMS.bibliographicCitation,
            DCTERMS.license,
            DCTERMS.rightsHolder,
            DCTERMS.source,
            DCTERMS.title,
            KRB.imborObjecttype,
            KRB.zoekingang,
            SKOS.broader,
            SKOS.definition,
            SKOS.hasTopConcept,
            SKOS.inScheme,
            SKOS.prefLabel,
            SKOS.topConceptOf,
        )
    ),
    (KRB.Zoekingang, OWL.Class),
)
#: Properties the extract uses as annotations that the KRB ontology does not declare.
#: Declared so that OWL 2 DL tools (owlready2, HermiT) do not read them as untyped object
#: or data properties.
ANNOTATION_PROPERTIES: tuple[URIRef, ...] = (RDFS.seeAlso,)
#: Classes of other vocabularies the extract types things with, likewise.
DECLARED_CLASSES: tuple[URIRef, ...] = (SKOS.Concept, SKOS.ConceptScheme)

#: Output sections: a subject goes to the first section whose type it has.
SECTIONS: tuple[tuple[URIRef, str], ...] = (
    (OWL.Ontology, "Ontology header"),
    (OWL.AnnotationProperty, "Annotation properties, declared for OWL 2 DL tools"),
    (SKOS.ConceptScheme, "Concept scheme Leefomgeving"),
    (KRB.Zoekingang, "Zoekingangen: the top concepts (hoofdtypes), by label"),
    (SKOS.Concept, "IMBOR classes: object types and their superclasses, by label"),
    (OWL.Class, "Classes of other vocabularies used above, declared for OWL 2 DL tools"),
)
PREDICATE_ORDER: tuple[URIRef, ...] = (
    RDF.type,
    RDFS.label,
    SKOS.prefLabel,
    DCTERMS.title,
    SKOS.definition,
    RDFS.comment,
    RDFS.subClassOf,
    DASH.abstract,
    KRB.imborObjecttype,
    SKOS.inScheme,
    SKOS.topConceptOf,
    SKOS.hasTopConcept,
    SKOS.broader,
    KRB.zoekingang,
    RDFS.seeAlso,
    OWL.versionInfo,
    DCTERMS.source,
    DCTERMS.license,
    DCTERMS.rightsHolder,
    DCTERMS.bibliographicCitation,
)
#: Several objects share one line up to this width, else one object per line.
MAX_LINE = 100
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class SourceError(ValueError):
    """The IMBOR sources do not have the shape this script relies on."""


@dataclass(frozen=True)
class Summary:
    """Counts of one build, printed at the end and checked by the tests."""

    object_types: int
    ancestors: int
    abstract_ancestors: int
    zoekingangen: int
    object_types_without_zoekingang: int
    object_types_in_several_zoekingangen: int
    classes_without_zoekingang: int
    classes_without_definition: int
    triples: int

    def lines(self) -> list[str]:
        """Human-readable lines, one per count."""
        return [
            f"object types (krb:imborObjecttype true): {self.object_types}",
            f"superclasses that are no object type:    {self.ancestors}"
            f" ({self.abstract_ancestors} abstract)",
            f"zoekingangen:                            {self.zoekingangen}",
            f"object types without zoekingang:         {self.object_types_without_zoekingang}",
            f"object types in several zoekingangen:    {self.object_types_in_several_zoekingangen}",
            f"classes without zoekingang:              {self.classes_without_zoekingang}",
            f"classes without skos:definition:         {self.classes_without_definition}",
            f"triples:                                 {self.triples}",
        ]


def load_sources(source_dir: Path) -> tuple[Graph, Graph]:
    """Parse the gzipped IMBOR core model and vocabulary from ``source_dir``."""
    graphs = []
    for name in (KERN_FILE, VOCABULARY_FILE):
        turtle = gzip.decompress((source_dir / name).read_bytes())
        graphs.append(Graph().parse(data=turtle, format="turtle"))
    return graphs[0], graphs[1]


def object_types(kern: Graph, vocabulary: Graph) -> set[URIRef]:
    """Classes whose vocabulary term is a ``skos:member`` of collection Objecttype.

    The core model does not say which classes are object types; only the
    vocabulary does, through the class's ``rdfs:seeAlso`` term.
    """
    terms = set(vocabulary.objects(OBJECTTYPE_COLLECTION, SKOS.member))
    if not terms:
        raise SourceError(f"collection {OBJECTTYPE_COLLECTION} has no skos:member")
    classes: dict[Node, list[URIRef]] = defaultdict(list)
    for cls in kern.subjects(RDF.type, RDFS.Class):
        for term in kern.objects(cls, RDFS.seeAlso):
            if term in terms:
                classes[term].append(_iri(cls))
    missing = terms - classes.keys()
    if missing:
        raise SourceError(f"object-type terms without a class: {sorted(map(str, missing))[:5]}")
    doubles = {term: found for term, found in classes.items() if len(found) > 1}
    if doubles:
        raise SourceError(f"object-type terms with several classes: {doubles}")
    return {found[0] for found in classes.values()}


def superclasses(kern: Graph, classes: Iterable[URIRef]) -> set[URIRef]:
    """All classes above ``classes`` via ``rdfs:subClassOf``, transitively."""
    found: set[URIRef] = set()
    todo = list(classes)
    while todo:
        for parent in kern.objects(todo.pop(), RDFS.subClassOf):
            if parent not in found:
                found.add(_iri(parent))
                todo.append(_iri(parent))
    return found


def zoekingangen(kern: Graph) -> dict[URIRef, set[URIRef]]:
    """Each zoekingang (an ``rdfs:Container`` labelled "... (zoekingang)") and its members."""
    found: dict[URIRef, set[URIRef]] = {}
    for container in kern.subjects(RDF.type, RDFS.Container):
        if _dutch_label(kern, container).endswith(ZOEKINGANG_SUFFIX):
            found[_iri(container)] = {_iri(m) for m in kern.objects(container, RDFS.member)}
    return found


def extract(kern: Graph, vocabulary: Graph) -> tuple[Graph, Summary]:
    """Build the extract graph from the parsed IMBOR sources."""
    types = object_types(kern, vocabulary)
    classes = types | superclasses(kern, types)
    undefined = sorted(c for c in classes if (c, RDF.type, RDFS.Class) not in kern)
    if undefined:
        raise SourceError(f"superclasses not defined in {KERN_FILE}: {undefined}")
    groups = zoekingangen(kern)
    groups_of: dict[URIRef, set[URIRef]] = defaultdict(set)
    for group, members in groups.items():
        outside = members - types
        if outside:
            raise SourceError(f"zoekingang {group} has members that are no object type: {outside}")
        for member in members:
            groups_of[member].add(group)

    out = Graph()
    _header(out)
    for group in groups:
        _zoekingang(out, kern, group)
    for cls in classes:
        _add_class(out, kern, cls, cls in types, groups_of[cls])

    ancestors = classes - types
    summary = Summary(
        object_types=len(types),
        ancestors=len(ancestors),
        abstract_ancestors=sum(1 for c in ancestors if (c, DASH.abstract, Literal(True)) in kern),
        zoekingangen=len(groups),
        object_types_without_zoekingang=sum(1 for c in types if not groups_of[c]),
        object_types_in_several_zoekingangen=sum(1 for c in types if len(groups_of[c]) > 1),
        classes_without_zoekingang=sum(1 for c in classes if not groups_of[c]),
        classes_without_definition=sum(
            1 for c in classes if (c, SKOS.definition, None) not in kern
        ),
        triples=len(out),
    )
    return out, summary


def _header(out: Graph) -> None:
    """Ontology header with attribution, the scheme, and the OWL declarations."""
    out.add((ONTOLOGY, RDF.type, OWL.Ontology))
    out.add((ONTOLOGY, RDFS.label, Literal("IMBOR Leefomgeving (extract voor de KRB)", lang="nl")))
    out.add((ONTOLOGY, RDFS.label, Literal("IMBOR living environment (KRB extract)", lang="en")))
    out.add((ONTOLOGY, RDFS.comment, Literal(DERIVATION_COMMENT, lang="nl")))
    out.add((ONTOLOGY, RDFS.comment, Literal(DERIVATION_COMMENT_EN, lang="en")))
    out.add((ONTOLOGY, OWL.versionInfo, Literal(VERSION)))
    out.add((ONTOLOGY, DCTERMS.source, SOURCE_REPOSITORY))
    out.add((ONTOLOGY, DCTERMS.license, LICENSE))
    out.add((ONTOLOGY, DCTERMS.rightsHolder, Literal(RIGHTS_HOLDER)))
    out.add((ONTOLOGY, DCTERMS.bibliographicCitation, Literal(CITATION)))

    out.add((SCHEME, RDF.type, SKOS.ConceptScheme))
    for predicate in (DCTERMS.title, SKOS.prefLabel):
        out.add((SCHEME, predicate, Literal("Leefomgeving", lang="nl")))
        out.add((SCHEME, predicate, Literal("Living environment", lang="en")))
    out.add((SCHEME, SKOS.definition, Literal(SCHEME_DEFINITION, lang="nl")))
    out.add((SCHEME, SKOS.definition, Literal(SCHEME_DEFINITION_EN, lang="en")))

    for prop in ANNOTATION_PROPERTIES:
        out.add((prop, RDF.type, OWL.AnnotationProperty))
    for cls in DECLARED_CLASSES:
        out.add((cls, RDF.type, OWL.Class))


def _zoekingang(out: Graph, kern: Graph, group: URIRef) -> None:
    """A zoekingang as top concept, its label without the " (zoekingang)" suffix."""
    label = Literal(_dutch_label(kern, group).removesuffix(ZOEKINGANG_SUFFIX), lang="nl")
    out.add((group, RDF.type, SKOS.Concept))
    out.add((group, RDF.type, KRB.Zoekingang))
    out.add((group, RDF.type, OWL.NamedIndividual))  # owlready2 lists only declared individuals
    out.add((group, SKOS.inScheme, SCHEME))
    out.add((group, SKOS.topConceptOf, SCHEME))
    out.add((SCHEME, SKOS.hasTopConcept, group))
    out.add((group, SKOS.prefLabel, label))
    out.add((group, RDFS.label, label))
    _copy(out, kern, group, (SKOS.definition, RDFS.seeAlso))


def _add_class(
    out: Graph, kern: Graph, cls: URIRef, is_object_type: bool, groups: set[URIRef]
) -> None:
    """One IMBOR class as ``owl:Class`` and ``skos:Concept`` (OWL 2 punning)."""
    label = Literal(_dutch_label(kern, cls), lang="nl")
    out.add((cls, RDF.type, OWL.Class))
    out.add((cls, RDF.type, SKOS.Concept))
    out.add((cls, SKOS.inScheme, SCHEME))
    out.add((cls, SKOS.prefLabel, label))
    out.add((cls, RDFS.label, label))
    out.add((cls, KRB.imborObjecttype, Literal(is_object_type)))
    _copy(out, kern, cls, (SKOS.definition, RDFS.subClassOf, DASH.abstract, RDFS.seeAlso))
    for group in groups:
        out.add((cls, KRB.zoekingang, group))
        out.add((cls, SKOS.broader, group))


def _copy(out: Graph, kern: Graph, subject: URIRef, predicates: Iterable[URIRef]) -> None:
    """Copy the statements of ``subject`` with these predicates unchanged."""
    for predicate in predicates:
        for value in kern.objects(subject, predicate):
            out.add((subject, predicate, value))


def _dutch_label(kern: Graph, subject: Node) -> str:
    """The one Dutch ``skos:prefLabel`` of ``subject``; IMBOR has no ``rdfs:label``."""
    labels = [o for o in kern.objects(subject, SKOS.prefLabel) if _is_dutch(o)]
    if len(labels) != 1:
        raise SourceError(f"{subject} has {len(labels)} Dutch skos:prefLabel values")
    return str(labels[0])


def _is_dutch(node: Node) -> bool:
    return isinstance(node, Literal) and node.language == "nl"


def _iri(node: Node) -> URIRef:
    """``node`` as an IRI; the parts of IMBOR used here have no blank nodes."""
    if not isinstance(node, URIRef):
        raise SourceError(f"expected an IRI, found {node!r}")
    return node


# --- Turtle writer ------------------------------------------------------------


def to_turtle(graph: Graph) -> str:
    """Turtle text of ``graph`` in one fixed order, so equal graphs give equal bytes.

    Subjects are grouped by ``SECTIONS`` and sorted by label, then IRI;
    predicates follow ``PREDICATE_ORDER``; objects are sorted by their text,
    Dutch literals first.
    """
    lines = [
        f"# IMBOR Leefomgeving: extract of {VERSION} for the KRB.",
        "# Generated by mappings/imbor/build.py from mappings/imbor/source/; do not edit.",
        f"# {VERSION} (c) {RIGHTS_HOLDER}, {SOURCE_REPOSITORY},",
        f"# data licensed CC BY 4.0 ({LICENSE}).",
        "# The KRB terms it uses (krb:Zoekingang, krb:zoekingang, krb:imborObjecttype) and the",
        "# borrowed annotation properties the KRB declares for its whole model are declared in",
        "# the KRB ontology, ontology/krb.ttl: load it beside this file (krbgraph does), as",
        "# OWL tools need the declarations. It is not owl:imported, so no tool fetches it.",
        "",
    ]
    width = max(len(prefix) for prefix in PREFIXES)
    for prefix, namespace in PREFIXES.items():
        lines.append(f"@prefix {prefix + ':':<{width + 1}} <{namespace}> .")

    by_section: dict[int, list[URIRef]] = defaultdict(list)
    for subject in set(graph.subjects()):
        by_section[_section(graph, _iri(subject))].append(_iri(subject))
    for index, (_type, title) in enumerate(SECTIONS):
        if index not in by_section:
            continue
        lines += ["", f"# --- {title} ---", ""]
        previous = ""
        for subject in sorted(by_section[index], key=lambda s: _subject_key(graph, s)):
            block = _subject_block(graph, subject)
            if previous and "\n" in previous + block:
                lines.append("")
            lines.append(block)
            previous = block
    return "\n".join(lines) + "\n"


def _section(graph: Graph, subject: URIRef) -> int:
    types = set(graph.objects(subject, RDF.type))
    for index, (type_, _title) in enumerate(SECTIONS):
        if type_ in types:
            return index
    raise ValueError(f"{subject} has no type that SECTIONS knows")


def _subject_key(graph: Graph, subject: URIRef) -> tuple[str, str, str]:
    labels = sorted(str(o) for o in graph.objects(subject, RDFS.label) if _is_dutch(o))
    label = labels[0] if labels else ""
    return label.casefold(), label, str(subject)


def _subject_block(graph: Graph, subject: URIRef) -> str:
    """The statements about ``subject``: on one line if short, else one predicate per line."""
    predicates = sorted(set(graph.predicates(subject)), key=_predicate_key)
    lines = [_term(subject)]
    for number, predicate in enumerate(predicates):
        objects = sorted((_term(o) for o in graph.objects(subject, predicate)), key=_object_key)
        name = "a" if predicate == RDF.type else _term(predicate)
        end = " ." if number == len(predicates) - 1 else " ;"
        line = f"    {name} " + " , ".join(objects) + end
        if len(line) > MAX_LINE:
            line = f"    {name} " + " ,\n        ".join(objects) + end
        lines.append(line)
    one_line = f"{lines[0]} {lines[1].lstrip()}"
    if len(lines) == 2 and len(one_line) <= MAX_LINE:
        return one_line
    return "\n".join(lines)


def _predicate_key(predicate: Node) -> int:
    if predicate not in PREDICATE_ORDER:
        raise ValueError(f"{predicate} is missing from PREDICATE_ORDER")
    return PREDICATE_ORDER.index(_iri(predicate))


def _object_key(text: str) -> tuple[bool, str]:
    return not text.endswith('"@nl'), text


def _term(node: Node) -> str:
    """Turtle text of an IRI (prefixed where possible) or of a literal."""
    if isinstance(node, URIRef):
        for prefix, namespace in PREFIXES.items():
            local = str(node).removeprefix(str(namespace))
            if local != str(node) and _LOCAL_NAME.fullmatch(local):
                return f"{prefix}:{local}"
        return f"<{node}>"
    if isinstance(node, Literal):
        if node.datatype == XSD.boolean:
            return "true" if node.toPython() else "false"
        if node.datatype is not None:
            raise ValueError(f"no Turtle form for datatype {node.datatype}")
        text = '"' + "".join(_ESCAPES.get(ch, ch) for ch in str(node)) + '"'
        return f"{text}@{node.language}" if node.language else text
    raise ValueError(f"no Turtle form for {node!r}")


# --- Entry points ----------------------------------------------------------------


def check_krb_declarations(krb_ontology: Path = KRB_ONTOLOGY_PATH) -> None:
    """Raise SourceError unless the KRB ontology declares what the extract leaves to it
    (``DECLARED_BY_KRB``): without them the two files together are no OWL 2 DL."""
    graph = Graph().parse(krb_ontology, format="turtle")
    missing = [f"{s} a {o}" for s, o in DECLARED_BY_KRB if (s, RDF.type, o) not in graph]
    if missing:
        raise SourceError(
            f"{krb_ontology} no longer declares what the extract leaves to it: {missing}; "
            "declare them there again, or move them to ANNOTATION_PROPERTIES or "
            "DECLARED_CLASSES in build.py"
        )


def build(
    source_dir: Path = SOURCE_DIR,
    out_path: Path = OUT_PATH,
    krb_ontology: Path = KRB_ONTOLOGY_PATH,
) -> Summary:
    """Read the IMBOR sources in ``source_dir`` and write the extract to ``out_path``,
    after checking that ``krb_ontology`` declares the terms the extract leaves to it."""
    check_krb_declarations(krb_ontology)
    kern, vocabulary = load_sources(source_dir)
    graph, summary = extract(kern, vocabulary)
    out_path.write_bytes(to_turtle(graph).encode("utf-8"))
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build the extract and print its counts."""
    parser = argparse.ArgumentParser(description="Build the IMBOR Leefomgeving extract.")
    parser.add_argument("--source", type=Path, default=SOURCE_DIR, help="folder with the .ttl.gz")
    parser.add_argument("--out", type=Path, default=OUT_PATH, help="Turtle file to write")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    summary = build(args.source, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    for line in summary.lines():
        print(f"  {line}")
    print(f"  built in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
