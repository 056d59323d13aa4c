"""Build the compact QUDT units extract that krbgraph ships (ontology/qudt/qudt-units.ttl).

Why this exists: the KRB accepts every QUDT unit a municipality types (``km/h``,
``ug/m3``, ``dB``), converts between compatible ones and refuses the rest.
The full QUDT 3.1 unit vocabulary is 9.5 MB of N-Quads, most of it
descriptions, references, factor units and translations the product never
reads. This script keeps, for every ``qudt:Unit``, only what
``krbgraph/units.py`` needs: its symbol, UCUM codes, conversion multiplier and
offset, dimension vector, quantity kinds, Dutch and English label and whether
QUDT deprecated it, plus an ontology header with the source and the licences.

Why it writes Turtle itself: the extract is committed and a test rebuilds it
and compares bytes, so the output must not depend on hash order or on a
serializer's version. Units are sorted by IRI, predicates follow
``PREDICATE_ORDER``, objects are sorted by their text.

Run from the repository root with the QUDT release as N-Quads (gzip allowed)::

    python mappings/qudt/build.py /path/to/qudt-unit-3.1.0.nq.gz

QUDT is published by QUDT.org under CC BY 4.0; UCUM codes are (c) Regenstrief
Institute, Inc. and the UCUM Organization. See ontology/qudt/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse

HERE = Path(__file__).resolve().parent
OUT_PATH = HERE.parents[1] / "ontology" / "qudt" / "qudt-units.ttl"

QUDT = "http://qudt.org/schema/qudt/"
UNIT = "http://qudt.org/vocab/unit/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
DCT_RIGHTS = "http://purl.org/dc/terms/rights"
OWL_ONTOLOGY = "http://www.w3.org/2002/07/owl#Ontology"

PREFIXES: dict[str, str] = {
    "dct": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "qkdv": "http://qudt.org/vocab/dimensionvector/",
    "quantitykind": "http://qudt.org/vocab/quantitykind/",
    "qudt": QUDT,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "unit": UNIT,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
"""The prefixes QUDT itself uses for these namespaces."""

PREDICATE_ORDER: tuple[str, ...] = (
    RDF_TYPE,
    RDFS_LABEL,
    QUDT + "symbol",
    QUDT + "ucumCode",
    QUDT + "conversionMultiplier",
    QUDT + "conversionOffset",
    QUDT + "hasDimensionVector",
    QUDT + "hasQuantityKind",
    QUDT + "deprecated",
)
"""What the extract keeps of each unit, in output order (rdf:type is only qudt:Unit)."""

KEPT_LANGUAGES = ("nl", "en")
"""Labels in these languages are kept; a unit without an English label keeps its
en-US label, failing that its label without a language tag, so every unit has one."""

ONTOLOGY = "https://data.krb.nl/def/qudt-units"
SOURCE = "http://qudt.org/3.1.0/vocab/unit"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
RIGHTS_HOLDER = "QUDT.org"
VERSION = "QUDT 3.1.0"
CITATION = (
    "QUDT.org (2025). QUDT Units Version 3.1.0 Vocabulary (http://qudt.org/3.1.0/vocab/unit). "
    "Republished as the npm package @vocabulary/unit 2.0.0. CC BY 4.0."
)
COMMENT_NL = (
    "Afgeleid uit de QUDT-eenhedenvocabulaire 3.1.0 door mappings/qudt/build.py. Bevat elke "
    "qudt:Unit met alleen qudt:symbol, qudt:ucumCode, qudt:conversionMultiplier, "
    "qudt:conversionOffset, qudt:hasDimensionVector, qudt:hasQuantityKind, qudt:deprecated en "
    "het Nederlandse en Engelse rdfs:label; IRI's en waarden zijn ongewijzigd. QUDT: CC BY 4.0, "
    "naamsvermelding QUDT.org. UCUM-codes: (c) Regenstrief Institute, Inc. en de UCUM "
    "Organization (zie dct:rights)."
)
COMMENT_EN = (
    "Derived from the QUDT units vocabulary 3.1.0 by mappings/qudt/build.py. Holds every "
    "qudt:Unit with only qudt:symbol, qudt:ucumCode, qudt:conversionMultiplier, "
    "qudt:conversionOffset, qudt:hasDimensionVector, qudt:hasQuantityKind, qudt:deprecated and "
    "its Dutch and English rdfs:label; IRIs and values are unchanged. QUDT: CC BY 4.0, "
    "attribution to QUDT.org. UCUM codes: (c) Regenstrief Institute, Inc. and the UCUM "
    "Organization (see dct:rights)."
)

MAX_LINE = 100
_LOCAL_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
_TURTLE_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}

Term = tuple[str, str, str]
"""An RDF term as (kind, value, suffix): ("iri", iri, ""), ("literal", text, datatype
or "@lang")."""


@dataclass(frozen=True)
class Summary:
    """Counts of the extract, printed by the command line and checked by the tests."""

    units: int
    with_ucum: int
    with_multiplier: int
    deprecated: int
    triples: int

    def lines(self) -> list[str]:
        return [
            f"{self.units} units, {self.with_ucum} with a UCUM code, "
            f"{self.with_multiplier} with a conversion multiplier, {self.deprecated} deprecated",
            f"{self.triples} triples",
        ]


# --- Reading the source ----------------------------------------------------------


def _open(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


def _term(node: object) -> Term:
    if isinstance(node, NamedNode):
        return ("iri", node.value, "")
    if isinstance(node, Literal):
        suffix = f"@{node.language}" if node.language else node.datatype.value
        return ("literal", node.value, suffix)
    if isinstance(node, BlankNode):
        return ("blank", node.value, "")
    raise ValueError(f"unexpected RDF term {node!r}")


def read_source(path: Path) -> dict[str, dict[str, set[Term]]]:
    """subject IRI -> predicate IRI -> objects, for every IRI subject of the source."""
    statements: dict[str, dict[str, set[Term]]] = defaultdict(lambda: defaultdict(set))
    fmt = RdfFormat.N_QUADS if ".nq" in path.suffixes else RdfFormat.N_TRIPLES
    with _open(path) as stream:
        for quad in parse(stream, fmt):
            if isinstance(quad.subject, NamedNode):
                statements[quad.subject.value][quad.predicate.value].add(_term(quad.object))
    return statements


def _rights(statements: dict[str, dict[str, set[Term]]]) -> list[Term]:
    """The source's dct:rights statements (QUDT licence, UCUM notice), verbatim."""
    return sorted(
        obj for predicates in statements.values() for obj in predicates.get(DCT_RIGHTS, ())
    )


def _labels(labels: set[Term]) -> set[Term]:
    kept = {label for label in labels if label[2].removeprefix("@") in KEPT_LANGUAGES}
    if not any(label[2] == "@en" for label in kept):
        fallback = [label for label in labels if label[2] == "@en-US"] or [
            label for label in labels if label[2] in (XSD_STRING, "")
        ]
        kept.update(fallback)
    return kept


def extract(statements: dict[str, dict[str, set[Term]]]) -> dict[str, dict[str, set[Term]]]:
    """Every qudt:Unit of the source with only the statements the product reads."""
    unit_class = ("iri", QUDT + "Unit", "")
    units: dict[str, dict[str, set[Term]]] = {}
    for subject, predicates in statements.items():
        if unit_class not in predicates.get(RDF_TYPE, ()):
            continue
        kept: dict[str, set[Term]] = {RDF_TYPE: {unit_class}}
        for predicate in PREDICATE_ORDER[2:]:
            if predicates.get(predicate):
                kept[predicate] = set(predicates[predicate])
        labels = _labels(predicates.get(RDFS_LABEL, set()))
        if labels:
            kept[RDFS_LABEL] = labels
        units[subject] = kept
    return units


def _header(rights: Iterable[Term]) -> dict[str, set[Term]]:
    def text(value: str, suffix: str = XSD_STRING) -> Term:
        return ("literal", value, suffix)

    def iri(value: str) -> Term:
        return ("iri", value, "")

    return {
        RDF_TYPE: {iri(OWL_ONTOLOGY)},
        RDFS_LABEL: {
            text("QUDT-eenheden (extract voor de KRB)", "@nl"),
            text("QUDT units (KRB extract)", "@en"),
        },
        PREFIXES["rdfs"] + "comment": {text(COMMENT_NL, "@nl"), text(COMMENT_EN, "@en")},
        PREFIXES["owl"] + "versionInfo": {text(VERSION)},
        PREFIXES["dct"] + "source": {iri(SOURCE)},
        PREFIXES["dct"] + "license": {iri(LICENSE)},
        PREFIXES["dct"] + "rightsHolder": {text(RIGHTS_HOLDER)},
        DCT_RIGHTS: set(rights),
        PREFIXES["dct"] + "bibliographicCitation": {text(CITATION)},
    }


HEADER_ORDER: tuple[str, ...] = (
    RDF_TYPE,
    RDFS_LABEL,
    PREFIXES["rdfs"] + "comment",
    PREFIXES["owl"] + "versionInfo",
    PREFIXES["dct"] + "source",
    PREFIXES["dct"] + "license",
    PREFIXES["dct"] + "rightsHolder",
    DCT_RIGHTS,
    PREFIXES["dct"] + "bibliographicCitation",
)


# --- Turtle writer ------------------------------------------------------------------


def _iri_text(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        local = iri.removeprefix(namespace)
        if local != iri and _LOCAL_NAME.fullmatch(local):
            return f"{prefix}:{local}"
    return f"<{iri}>"


def _string(value: str) -> str:
    return '"' + "".join(_ESCAPES.get(ch, ch) for ch in value) + '"'


def _object_text(term: Term) -> str:
    kind, value, suffix = term
    if kind == "iri":
        return _iri_text(value)
    if kind != "literal":
        raise ValueError(f"no Turtle form for {term!r}")
    if suffix.startswith("@"):
        return _string(value) + suffix
    if suffix == XSD_DECIMAL and _TURTLE_DECIMAL.fullmatch(value):
        return value
    if suffix == XSD_BOOLEAN and value in ("true", "false"):
        return value
    if suffix in (XSD_STRING, RDF_LANG_STRING, ""):
        return _string(value)
    return f"{_string(value)}^^{_iri_text(suffix)}"


def _object_key(text: str) -> tuple[bool, str]:
    return not text.endswith('"@nl'), text


def _block(subject: str, predicates: dict[str, set[Term]], order: Sequence[str]) -> str:
    """One subject: one predicate per line, objects sorted, long lists wrapped."""
    unknown = set(predicates) - set(order)
    if unknown:
        raise ValueError(f"{subject}: predicates missing from the order: {sorted(unknown)}")
    used = [p for p in order if predicates.get(p)]
    lines = [_iri_text(subject)]
    for number, predicate in enumerate(used):
        objects = sorted((_object_text(o) for o in predicates[predicate]), key=_object_key)
        name = "a" if predicate == RDF_TYPE else _iri_text(predicate)
        end = " ." if number == len(used) - 1 else " ;"
        line = f"    {name} " + " , ".join(objects) + end
        if len(line) > MAX_LINE and len(objects) > 1:
            line = f"    {name} " + " ,\n        ".join(objects) + end
        lines.append(line)
    return "\n".join(lines)


def to_turtle(units: dict[str, dict[str, set[Term]]], rights: Iterable[Term]) -> str:
    """Turtle text of the extract in one fixed order, so equal input gives equal bytes."""
    lines = [
        f"# QUDT units: extract of {VERSION} for the KRB (see ontology/qudt/README.md).",
        "# Generated by mappings/qudt/build.py from the QUDT unit vocabulary; do not edit.",
        f"# QUDT (c) {RIGHTS_HOLDER}, licensed CC BY 4.0 ({LICENSE});",
        "# UCUM codes (c) Regenstrief Institute, Inc. and the UCUM Organization.",
        "",
    ]
    width = max(len(prefix) for prefix in PREFIXES)
    for prefix, namespace in PREFIXES.items():
        lines.append(f"@prefix {prefix + ':':<{width + 1}} <{namespace}> .")
    lines += ["", _block(ONTOLOGY, _header(rights), HEADER_ORDER), ""]
    for subject in sorted(units):
        lines.append(_block(subject, units[subject], PREDICATE_ORDER))
    return "\n".join(lines) + "\n"


# --- Entry points ----------------------------------------------------------------


def summarise(units: dict[str, dict[str, set[Term]]]) -> Summary:
    return Summary(
        units=len(units),
        with_ucum=sum(1 for p in units.values() if p.get(QUDT + "ucumCode")),
        with_multiplier=sum(1 for p in units.values() if p.get(QUDT + "conversionMultiplier")),
        deprecated=sum(1 for p in units.values() if p.get(QUDT + "deprecated")),
        triples=sum(len(objects) for p in units.values() for objects in p.values()),
    )


def build(source: Path, out_path: Path = OUT_PATH) -> Summary:
    """Read the QUDT units release at ``source`` and write the extract to ``out_path``."""
    statements = read_source(source)
    units = extract(statements)
    if not units:
        raise ValueError(f"{source} holds no qudt:Unit")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_bytes(to_turtle(units, _rights(statements)).encode("utf-8"))
    return summarise(units)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build the extract and print its counts."""
    parser = argparse.ArgumentParser(description="Build the QUDT units extract of the KRB.")
    parser.add_argument("source", type=Path, help="QUDT unit vocabulary as .nq or .nq.gz")
    parser.add_argument("--out", type=Path, default=OUT_PATH, help="Turtle file to write")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    summary = build(args.source, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    print(f"  source {args.source} sha256 {sha256(args.source)}")
    for line in summary.lines():
        print(f"  {line}")
    print(f"  built in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
