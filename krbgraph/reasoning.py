"""Checking with an OWL 2 DL reasoner (HermiT, as bundled with owlready2) that
the model and a registry do not contradict each other.

SHACL checks what data must look like; only a reasoner finds what the ontology
forbids, such as one thing being both krb:Beleidsnorm and krb:Beleidsregel
(declared owl:disjointWith). The reasoner works on a copy written to a
temporary folder, in N-Triples, without owl:imports, so nothing is fetched
over the network. HermiT rejects literals whose datatype is outside the OWL 2
datatype map (xsd:date, geo:wktLiteral); the copy retypes those as xsd:string
and says so, which loses nothing the ontology reasons about.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import owlready2
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from .model import model_graph, project_root
from .namespaces import PREFIXES
from .rdfio import read_rdf_paths

_XSD_NAMES = (
    "decimal",
    "integer",
    "nonNegativeInteger",
    "nonPositiveInteger",
    "positiveInteger",
    "negativeInteger",
    "long",
    "int",
    "short",
    "byte",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
    "double",
    "float",
    "string",
    "normalizedString",
    "token",
    "language",
    "Name",
    "NCName",
    "NMTOKEN",
    "boolean",
    "hexBinary",
    "base64Binary",
    "anyURI",
    "dateTime",
    "dateTimeStamp",
)
OWL2_DATATYPES = frozenset(
    [RDF.PlainLiteral, RDF.XMLLiteral, RDF.langString, RDFS.Literal, OWL.real, OWL.rational]
    + [XSD[name] for name in _XSD_NAMES]
)
"""Datatypes an OWL 2 DL reasoner must support (OWL 2 Structural Specification, 4)."""


class ReasoningError(Exception):
    """The reasoner could not run (no Java, HermiT crashed); not a verdict on the data."""


@dataclass(frozen=True)
class ConsistencyResult:
    consistent: bool
    explanation: str | None
    """When inconsistent: HermiT names no culprit, so likely causes found by simple checks."""
    adjustments: tuple[str, ...]
    """What the reasoning copy changed compared with the input, one note each."""


def default_data_paths() -> list[Path]:
    """The demo registry, reasoned over when no data is given."""
    return [project_root() / "examples" / "demo"]


def check_consistency(
    data_paths: Sequence[Path] | None = None,
    *,
    data: Graph | None = None,
    java_memory_mb: int = 2000,
) -> ConsistencyResult:
    """Run HermiT over the model (ontology, value lists, units, IMBOR extract)
    plus ``data`` (a store's registry), or the data in ``data_paths`` (default: the
    demo registry).

    Raises RdfInputError for unreadable data and ReasoningError when the
    reasoner itself fails.
    """
    if data is None:
        data = read_rdf_paths(data_paths if data_paths is not None else default_data_paths())
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in model_graph():
        graph.add(triple)
    for triple in data:
        graph.add(triple)
    adjustments = prepare_for_reasoner(graph)
    suspects = likely_contradictions(graph)
    with tempfile.TemporaryDirectory(prefix="krb-reasoning-") as folder:
        path = Path(folder) / "krb.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        consistent = _run_hermit(path, java_memory_mb)
    explanation = None
    if not consistent:
        explanation = "HermiT found no model of the ontology and data together." + (
            " Likely causes:\n" + "\n".join(f"- {s}" for s in suspects)
            if suspects
            else " Look for things typed with disjoint classes or values outside a"
            " property's declared range."
        )
    return ConsistencyResult(consistent, explanation, tuple(adjustments))


def likely_contradictions(graph: Graph, limit: int = 10) -> list[str]:
    """Cheap explanations HermiT does not give: things typed with two disjoint
    classes, and language-tagged text where a property's range is an XSD datatype."""
    found: list[str] = []
    supers: dict[Node, set[Node]] = {}

    def closure(cls: Node) -> set[Node]:
        if cls not in supers:
            supers[cls] = {cls}
            for parent in graph.objects(cls, RDFS.subClassOf):
                supers[cls] |= closure(parent)
        return supers[cls]

    disjoint = [(a, b) for a, b in graph.subject_objects(OWL.disjointWith)]
    for thing in set(graph.subjects(RDF.type, None)):
        types: set[Node] = set()
        for cls in graph.objects(thing, RDF.type):
            types |= closure(cls)
        for a, b in disjoint:
            if a in types and b in types:
                found.append(f"{_n3(graph, thing)} is both {_n3(graph, a)} and {_n3(graph, b)}")
    for prop, rng in graph.subject_objects(RDFS.range):
        if not str(rng).startswith(str(XSD)):
            continue
        for thing, value in graph.subject_objects(prop):
            if isinstance(value, Literal) and value.language:
                found.append(
                    f"{_n3(graph, thing)} has {_n3(graph, prop)} {value.n3()}, a language-tagged "
                    f"string, but the range of {_n3(graph, prop)} is {_n3(graph, rng)}"
                )
    return sorted(found)[:limit]


def _n3(graph: Graph, node: Node) -> str:
    return node.n3(graph.namespace_manager)


def prepare_for_reasoner(graph: Graph) -> list[str]:
    """Make ``graph`` digestible for HermiT in place; return a note per change."""
    notes: list[str] = []
    imports = list(graph.triples((None, OWL.imports, None)))
    for triple in imports:
        graph.remove(triple)
    if imports:
        notes.append(f"removed {len(imports)} owl:imports statement(s) so nothing is fetched")
    retyped: Counter[str] = Counter()
    for s, p, o in list(graph):
        if isinstance(o, Literal) and o.datatype is not None and o.datatype not in OWL2_DATATYPES:
            graph.remove((s, p, o))
            graph.add((s, p, Literal(str(o), datatype=XSD.string)))
            retyped[graph.namespace_manager.normalizeUri(o.datatype)] += 1
    for datatype, count in sorted(retyped.items()):
        notes.append(
            f"{count} literal(s) of datatype {datatype} (not in the OWL 2 datatype map) "
            "read as xsd:string by the reasoner"
        )
    return notes


def _run_hermit(path: Path, java_memory_mb: int, timeout_s: float = 900) -> bool:
    """True when HermiT finds the N-Triples file consistent.

    The file is first loaded into owlready2 (which must be able to read the
    model, and fetches nothing: only_local). HermiT, the jar owlready2 bundles,
    then runs in consistency mode (-k): owlready2's sync_reasoner always
    classifies the whole IMBOR hierarchy too, which takes several times longer
    and answers a question nobody asked here.
    """
    world = owlready2.World()
    try:
        world.get_ontology(path.as_uri()).load(only_local=True)
    except owlready2.OwlReadyOntologyParsingError as exc:
        raise ReasoningError(f"owlready2 cannot read the reasoning copy: {exc}") from exc
    finally:
        world.close()
    command = [
        owlready2.JAVA_EXE,
        f"-Xmx{java_memory_mb}M",
        "-cp",
        owlready2.reasoning._HERMIT_CLASSPATH,
        "org.semanticweb.HermiT.cli.CommandLine",
        "-k",
        path.as_uri(),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
    except FileNotFoundError as exc:
        raise ReasoningError(f"Java is needed for HermiT and was not found: {exc}") from exc
    except subprocess.TimeoutExpired as exc:
        raise ReasoningError(f"HermiT did not finish within {timeout_s:.0f} s") from exc
    if done.returncode == 0 and "is satisfiable" in done.stdout:
        return True
    if "InconsistentOntologyException" in done.stderr or "is not satisfiable" in done.stdout:
        return False
    raise ReasoningError(f"HermiT failed: {_first_lines(done.stderr or done.stdout)}")


def _first_lines(text: str, count: int = 8) -> str:
    return "\n".join(text.strip().splitlines()[:count])
