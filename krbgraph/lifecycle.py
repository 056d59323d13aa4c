"""The dates in force: the lifecycle rules of ontology/krb.ttl as two dates per resource.

*Is this in force on day D?* A norm without a period of its own follows its document, a
document runs from its entry into force (or else the decision that adopted it, or else
its own date) until it is withdrawn or replaced, an effect counts while both its measure
and its norm do. Here they become ``krb:geldigVanaf`` and ``krb:geldigTot`` (inclusive),
or ``krb:nietInWerking true`` when there is no such day, which krbgraph.derived writes
into the derived graph. A resource with neither date is in force on every day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from .entailed_types import TypeRules, entailed_types, stated_types, type_rules
from .namespaces import BEGRIP, KRB
from .store.base import SparqlSource

__all__ = [
    "PERIOD_PREDICATES",
    "Period",
    "day_of",
    "lifecycle_periods",
    "period_triples",
    "read_facts",
]

_ELI = "http://data.europa.eu/eli/ontology#"
_DCT = "http://purl.org/dc/terms/"
_DCAT = "http://www.w3.org/ns/dcat#"
_ADMS = "http://www.w3.org/ns/adms#"
_PROV = "http://www.w3.org/ns/prov#"

_DRAFT = str(BEGRIP["status/ontwerp"])
_ENDED = {str(BEGRIP["status/ingetrokken"]), str(BEGRIP["status/vervallen"])}
_ADVICE = str(BEGRIP["besluitsoort/mer-advies"])
"""An advice prepares a decision; it never adopts a document."""


@dataclass
class Period:
    """Days in force: ``start``..``end`` inclusive, None for open; ``never`` for none."""

    start: date | None = None
    end: date | None = None
    never: bool = False

    def within(self, other: Period) -> Period:
        """The days in force in both."""
        starts = [d for d in (self.start, other.start) if d is not None]
        ends = [d for d in (self.end, other.end) if d is not None]
        period = Period(
            max(starts) if starts else None, min(ends) if ends else None, self.never or other.never
        )
        if period.start and period.end and period.start > period.end:
            period.never = True
        return period

    @property
    def constrained(self) -> bool:
        return self.never or self.start is not None or self.end is not None


@dataclass
class _Facts:
    """What the lifecycle rules read, one multi-valued map per relation."""

    kinds: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    values: dict[str, dict[str, list]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    def first(self, relation: str, subject: str) -> list:
        return self.values[relation].get(subject, [])


# Each relation is one plain query: joining them in SPARQL would multiply rows for
# resources with several values, and each is a single index scan.
_RELATIONS: dict[str, str] = {
    "in_force": f"?s <{_ELI}first_date_entry_in_force> ?o",
    "dated": f"?s <{_ELI}date_document> ?o",
    "no_longer": f"?s <{_ELI}date_no_longer_in_force> ?o",
    "status": f"?s <{_ADMS}status> ?o",
    "replaced_by": f"{{ ?s <{_DCT}isReplacedBy> ?o }} UNION {{ ?o <{_DCT}replaces> ?s }}",
    "document": f"?s <{KRB}document> ?o",
    "own_start": f"?s <{_DCT}temporal>/<{_DCAT}startDate> ?o",
    "own_end": f"?s <{_DCT}temporal>/<{_DCAT}endDate> ?o",
    "measure": f"?s <{KRB}maatregel> ?o",
    "target": f"?s <{KRB}norm>|<{KRB}regel>|<{KRB}doelIndicator> ?o",
    "adopted": (
        f"?b <{_PROV}generated> ?s ; <{_DCT}date> ?o . "
        f"FILTER NOT EXISTS {{ ?b <{KRB}besluitsoort> <{_ADVICE}> }}"
    ),
}

_KINDS: dict[str, tuple[str, ...]] = {
    "document": (str(KRB.Besluitdocument),),
    "instrument": (
        str(KRB.Beleidsnorm),
        str(KRB.Beleidsregel),
        str(KRB.Beleidsmaatregel),
        str(KRB.MerMaatregel),
    ),
    "link": (str(KRB.BeoogdEffect), str(KRB.BeoogdeUitvoering)),
}


def read_facts(
    source: SparqlSource,
    subjects: Collection[str] | None = None,
    *,
    rules: TypeRules | None = None,
    entailed: Mapping[str, Collection[str]] | None = None,
) -> _Facts:
    """What the rules read, for every resource or only for ``subjects`` (IRIs). A
    resource typed with a registry's own subclass of a kind's class is of that kind
    (krbgraph.entailed_types): ``rules`` and, for every resource, ``entailed`` are read
    from ``source`` when not given."""
    facts = _Facts()
    rules = type_rules(source) if rules is None else rules
    kind_of = {c: kind for kind, classes in _KINDS.items() for c in classes}
    if subjects is None:
        restrict = ""
        if entailed is None:
            entailed = entailed_types(source, rules)
        # Types as stated outside the derived graph: the stored one is being replaced.
        typed = stated_types(source, kind_of.keys())
        for iri, classes in [*typed.items(), *entailed.items()]:
            for name in classes:
                if name in kind_of:
                    facts.kinds[kind_of[name]].add(iri)
    else:
        if not subjects:
            return facts
        # The listed subjects first: the engine starts from them, not from a class.
        restrict = "VALUES ?s { " + " ".join(f"<{s}>" for s in sorted(subjects)) + " } "
        for subject, cls in source.query(f"SELECT ?s ?c WHERE {{ {restrict}?s a ?c }}").rows:
            if not isinstance(subject, URIRef):
                continue
            for model_class in (str(cls), *rules.own.get(str(cls), ())):
                if model_class in kind_of:
                    facts.kinds[kind_of[model_class]].add(str(subject))
    for relation, pattern in _RELATIONS.items():
        result = source.query(f"SELECT DISTINCT ?s ?o WHERE {{ {restrict}{pattern} }}")
        for subject, value in result.rows:
            if isinstance(subject, URIRef) and value is not None:
                facts.values[relation][str(subject)].append(_python(value))
    return facts


def _python(term: object) -> object:
    if isinstance(term, Literal):
        return day_of(term.toPython())
    return str(term)


def day_of(value: object) -> date | None:
    """The day a date or moment names, as written; None for anything else.

    The model dates decisions and documents with xsd:date, and the shapes refuse a
    timestamp; but a load without validation keeps one (systems export decisions as
    xsd:dateTime), and the store must still open and answer. A moment is a date to
    Python, yet comparing it with a date fails: one such decision beside an xsd:date one
    stopped every derivation, so no command could open the store, not even to drop the
    graph. Its day, as written, is what the decision meant."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _dates(values: Iterable[object]) -> list[date]:
    return [v for v in values if isinstance(v, date)]


def lifecycle_periods(facts: _Facts) -> dict[str, Period]:
    """The period in force of every document, instrument, effect and uitvoering that has
    any constraint (resources without one are in force on every day)."""
    documents: dict[str, Period] = {}

    def own_status(subject: str, has_end: bool) -> bool:
        statuses = set(facts.first("status", subject))
        return _DRAFT in statuses or (bool(statuses & _ENDED) and not has_end)

    def document_start(doc: str) -> date | None:
        entry = _dates(facts.first("in_force", doc))
        if entry:
            return min(entry)
        adopted = _dates(facts.first("adopted", doc))
        if adopted:
            return max(adopted)
        # No adopting decision recorded (an EIA report has only an advice): the
        # document cannot be in force before it existed.
        dated = _dates(facts.first("dated", doc))
        return min(dated) if dated else None

    def successor_starts(doc: str) -> list[date | None]:
        """The days the documents replacing ``doc`` come into force. A successor that
        never does (a draft; withdrawn before it took effect: its end before its start)
        ends nothing; the documents that replaced it in turn take its place, so a
        chain A -> B -> C with B annulled ends A when C comes into force. Successors
        come first (_successors_first), so their periods are known, unless a cycle of
        replacements (refused by the shapes) left one out: then its status decides."""
        starts: list[date | None] = []
        pending, seen = list(replaced_by.get(doc, ())), {doc}
        while pending:
            successor = pending.pop()
            if successor in seen:
                continue
            seen.add(successor)
            known = documents.get(successor)
            if known is None:
                ended = bool(facts.first("no_longer", successor))
                never = own_status(successor, ended)
            else:
                never = known.never
            if never:
                pending.extend(replaced_by.get(successor, ()))
            else:
                starts.append(document_start(successor))
        return starts

    replaced_by = {
        doc: [str(s) for s in facts.first("replaced_by", doc)] for doc in facts.kinds["document"]
    }
    for doc in _successors_first(replaced_by):
        ends = _dates(facts.first("no_longer", doc))
        end = min(ends) if ends else None
        replaced_from_the_first_day = False
        if end is None:
            starts = [d for d in successor_starts(doc) if isinstance(d, date)]
            if starts and min(starts) == date.min:
                # A successor in force from 0001-01-01 (the "unknown date" some systems
                # export) leaves the document no day; the day before it is no date.
                replaced_from_the_first_day = True
            elif starts:
                end = min(starts) - timedelta(days=1)
        period = Period(
            document_start(doc),
            end,
            own_status(doc, end is not None) or replaced_from_the_first_day,
        )
        documents[doc] = period.within(Period())

    instruments: dict[str, Period] = {}
    for subject in facts.kinds["instrument"]:
        starts = _dates(facts.first("own_start", subject))
        ends = _dates(facts.first("own_end", subject))
        period = Period(min(starts) if starts else None, max(ends) if ends else None)
        for doc in facts.first("document", subject):
            period = period.within(documents.get(str(doc), Period()))
        # Lapsed or withdrawn is "never in force" only without a last day: a norm that
        # lapsed with its document was in force while the document was.
        period.never = period.never or own_status(subject, period.end is not None)
        instruments[subject] = period

    links: dict[str, Period] = {}
    for subject in facts.kinds["link"]:
        period = Period()
        for other in facts.first("measure", subject) + facts.first("target", subject):
            period = period.within(instruments.get(str(other), Period()))
        links[subject] = period

    every = {**documents, **instruments, **links}
    return {subject: period for subject, period in every.items() if period.constrained}


def _successors_first(successors: dict[str, list[str]]) -> list[str]:
    """The documents of ``successors`` (document -> the documents replacing it), each
    after those replacing it, so a document's end can read theirs. Depth first without
    recursion (a chain of thousands of replacements); a cycle is broken anywhere."""
    order: list[str] = []
    seen: set[str] = set()
    for root in successors:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(successors[root]))]
        while stack:
            node, pending = stack[-1]
            for successor in pending:
                if successor in successors and successor not in seen:
                    seen.add(successor)
                    stack.append((successor, iter(successors[successor])))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


_FROM, _UNTIL, _NEVER = KRB.geldigVanaf, KRB.geldigTot, KRB.nietInWerking
_TRUE = Literal(True)


@lru_cache(maxsize=65_536)
def _date_literal(day: date) -> Literal:
    """One xsd:date literal per day: a registry's 60,000 periods share a few thousand
    days, and rdflib takes 10 microseconds to make each literal."""
    return Literal(day, datatype=XSD.date)


def period_triples(subject: str, period: Period) -> list[tuple[URIRef, URIRef, Literal]]:
    """The derived triples that say ``period`` of ``subject``."""
    node = URIRef(subject)
    if period.never:
        return [(node, _NEVER, _TRUE)]
    triples = []
    if period.start is not None:
        triples.append((node, _FROM, _date_literal(period.start)))
    if period.end is not None:
        triples.append((node, _UNTIL, _date_literal(period.end)))
    return triples


PERIOD_PREDICATES = (KRB.geldigVanaf, KRB.geldigTot, KRB.nietInWerking)
