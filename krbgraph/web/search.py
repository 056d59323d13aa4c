"""Label search across the registry, ignoring case and diacritics.

Why an in-memory index and not a SPARQL query: SPARQL has no function that
strips diacritics, so "e" would never find "é" without a fragile chain of
REPLACE calls evaluated on every label for every request. The registry holds a
few thousand labelled resources (most of them IMBOR classes), so all labels fit
comfortably in memory: the index is built with one query at first use and
rebuilt when the store changes: at once for an embedded store, which only this
process writes (its write generation); for a SPARQL server others may write,
the per-graph triple counts, checked at most once per `check_interval_s`. A search is then a
scan over pre-normalised strings, well under a millisecond per thousand labels.
"""

from __future__ import annotations

import bisect
import difflib
import heapq
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from ..gc_pause import collector_paused
from ..labels import CODE_PREDICATES, DEFAULT_LANGUAGES, NAME_PREDICATES, language_rank
from ..namespaces import KRB
from ..store import Store
from ..store.remote import RemoteStore
from .search_text import loose_texts, loosened, normalise

LABELS_QUERY = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct:  <http://purl.org/dc/terms/>
SELECT ?s ?p ?label WHERE {
  VALUES ?p {
    rdfs:label skos:prefLabel skos:altLabel skos:hiddenLabel dct:title dct:identifier
    skos:notation
  }
  ?s ?p ?label .
  # A "label" of a whole document is no name to search by, and one past what an answer
  # carries in one piece (krbgraph.store.answers) failed the index for every search.
  FILTER (isIRI(?s) && isLiteral(?label) && STRLEN(?label) <= 1000000)
}"""

IMBOR_OBJECTTYPE = "imbor-objecttype"
"""Pseudo type for IMBOR classes flagged krb:imborObjecttype, grouped apart from the rest."""

TYPE_ORDER: tuple[str, ...] = (
    str(KRB.Beleidsnorm),
    str(KRB.Beleidsregel),
    str(KRB.MerMaatregel),
    str(KRB.Beleidsmaatregel),
    str(KRB.BeoogdEffect),
    str(KRB.BeoogdeUitvoering),
    str(KRB.Beleidsindicator),
    str(KRB.Beleidsthema),
    str(KRB.Beleidsaspect),
    str(KRB.Beleidsdossier),
    str(KRB.Besluitdocument),
    str(KRB.Besluitproces),
    str(KRB.GerealiseerdEffect),  # before sosa:Observation, which it specialises
    "http://www.w3.org/ns/sosa/Observation",
    "http://www.w3.org/ns/dcat#Dataset",
    str(KRB.Werkingsgebied),
    "http://www.w3.org/ns/org#OrganizationalUnit",
    str(KRB.LokaalObjecttype),
    str(KRB.Zoekingang),
    IMBOR_OBJECTTYPE,
    "http://www.w3.org/2002/07/owl#Class",
    "http://www.w3.org/2002/07/owl#ObjectProperty",
    "http://www.w3.org/2002/07/owl#DatatypeProperty",
    "http://www.w3.org/2002/07/owl#AnnotationProperty",
    "http://www.w3.org/2004/02/skos/core#ConceptScheme",
    "http://qudt.org/schema/qudt/Unit",
    "http://www.w3.org/2004/02/skos/core#Concept",
)
"""Which type names a resource in the results when it has several, most specific first."""

TYPES_QUERY = f"""\
PREFIX krb:  <https://data.krb.nl/def/krb#>
SELECT ?s ?type ?imbor WHERE {{
  {{ VALUES ?type {{ {" ".join(f"<{t}>" for t in TYPE_ORDER if t != IMBOR_OBJECTTYPE)} }}
     ?s a ?type . FILTER (isIRI(?s)) }}
  UNION {{ ?s krb:imborObjecttype ?imbor . FILTER (isIRI(?s)) }}
}}"""
"""The types that can name a resource, and the IMBOR flags. Only the types of
TYPE_ORDER are asked for: every type of every subject (measurements too) took twice
as long at a million triples, to be thrown away here."""


SPREAD = 4
"""The rank of a thing whose words were found spread over its texts, not in one."""

SHARED_MAX_AGE_S = 300.0
"""How long the index of a store others may write is kept when no graph changed size (a
name replaced elsewhere shows within this; building it takes seconds at a million
triples, so not every 30 s as the pages' aggregates)."""

ANSWERS_KEPT = 256
"""Search answers kept per store version (the broad ones are the dear ones)."""


@dataclass(frozen=True)
class Entry:
    iri: str
    label: str
    """Display name: the Dutch rdfs:label/skos:prefLabel/dct:title where there is one."""
    type_iri: str | None
    texts: tuple[str, ...]
    """Normalised forms of every label, code and notation of the resource."""
    loose: tuple[str, ...] = ()
    """The texts loosened (``loosened``), for a search the texts gave nothing."""


@dataclass(frozen=True)
class Hit:
    entry: Entry
    matched: str
    """The label that matched (may be a code or an alternative label)."""
    rank: int


@dataclass(frozen=True)
class HitGroup:
    type_iri: str | None
    hits: tuple[Hit, ...]
    total: int


@dataclass
class LabelIndex:
    """Labels of every IRI in the store; rebuilt when the store's graphs change."""

    check_interval_s: float = 1.0
    _entries: tuple[Entry, ...] = ()
    _haystack: Haystack | None = None
    _fingerprint: Hashable | None = None
    _checked_at: float = float("-inf")
    _built_at: float = float("-inf")
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _answers: OrderedDict[tuple[str, int], list[HitGroup]] = field(default_factory=OrderedDict)

    def entries(self, store: Store) -> tuple[Entry, ...]:
        """The current entries, rebuilding first when the store has changed."""
        with self._lock:
            fingerprint = _generation(store)
            now = time.monotonic()
            if fingerprint is None:
                if self._fingerprint is not None and now - self._checked_at < self.check_interval_s:
                    return self._entries
                fingerprint = _triple_counts(store)
                self._checked_at = now
                # A write by others that keeps every graph's size (a name replaced)
                # leaves the counts as they were: read again after a while all the same.
                if now - self._built_at > SHARED_MAX_AGE_S:
                    self._fingerprint = None
            if fingerprint != self._fingerprint:
                self._entries = build_entries(store)
                self._haystack = None
                self._fingerprint = fingerprint
                self._built_at = now
            return self._entries

    def search(self, store: Store, text: str, *, limit_per_type: int = 25) -> list[HitGroup]:
        """The hits of ``text``; the latest answers are kept per store version, so the same
        broad search sent over and over ("e": 50,000 hits at a million triples, a tenth of
        a second of Python each) costs it once."""
        entries = self.entries(store)
        key = (normalise(text), limit_per_type)
        with self._lock:
            if self._haystack is None or self._haystack.entries is not entries:
                self._haystack = Haystack.of(entries)
                self._answers.clear()
            haystack = self._haystack
            if key in self._answers:
                self._answers.move_to_end(key)
                return list(self._answers[key])
        groups = search_entries(entries, text, limit_per_type=limit_per_type, haystack=haystack)
        if normalise(text) and all(hit.rank >= SPREAD for g in groups for hit in g.hits):
            # Nothing as typed, or only words spread over a thing's texts: also without
            # apostrophes, dots and hyphens ('oracs', 'mer rapport', 'merrapport'). Only
            # then, so '-Δ<=' never outranks 'Δ<=', and a loose match in one text ranks
            # before the spread ones ('mer rapport' found TOR-MER by its code and name,
            # and never the concept m.e.r.-rapport).
            loose = search_entries(
                entries, loosened(normalise(text)), limit_per_type=limit_per_type, loose=True
            )
            # The loose search finds the spread matches again, in its looser texts: its
            # answer alone, so no thing is counted twice ("35 results" for 30 things).
            if not groups or any(hit.rank < SPREAD for g in loose for hit in g.hits):
                groups = loose
        with self._lock:
            if self._haystack is haystack:
                self._answers[key] = groups
                while len(self._answers) > ANSWERS_KEPT:
                    self._answers.popitem(last=False)
        return groups


@dataclass(frozen=True)
class Haystack:
    """Every entry's texts in one string, so the entries holding a word are found by
    str.find (in C) instead of testing every text in Python: a search at a million
    triples read some 100,000 entries per request."""

    entries: tuple[Entry, ...]
    text: str
    starts: tuple[int, ...]
    """Where each entry's texts begin in ``text``."""

    @classmethod
    def of(cls, entries: tuple[Entry, ...]) -> Haystack:
        parts: list[str] = []
        starts: list[int] = []
        offset = 0
        for entry in entries:
            starts.append(offset)
            part = "\n".join(entry.texts) + "\x00"
            parts.append(part)
            offset += len(part)
        return cls(entries, "".join(parts), tuple(starts))

    def holding(self, word: str) -> list[Entry]:
        """The entries with ``word`` in one of their texts, in index order."""
        found: list[int] = []
        position = self.text.find(word)
        while position != -1:
            index = bisect.bisect_right(self.starts, position) - 1
            found.append(index)
            next_entry = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
            position = self.text.find(word, next_entry)
        return [self.entries[i] for i in found]


def _generation(store: Store) -> Hashable | None:
    """The write generation of a store only this process writes (embedded): free to
    read and moved by every write, so a write is searchable at once. None for a
    SPARQL server others may write."""
    generation = getattr(store, "write_generation", None)
    if isinstance(generation, int) and not isinstance(store, RemoteStore):
        return ("generation", id(store), generation)
    return None


def _triple_counts(store: Store) -> Hashable:
    # A third of a second at a million triples, hence checked at most once per interval.
    return tuple(sorted((info.iri, info.triples) for info in store.graphs()))


@collector_paused()
def build_entries(store: Store) -> tuple[Entry, ...]:
    """One entry per labelled IRI, with its most specific type (130,000 at a million
    triples: built with the cyclic collector paused, see krbgraph.gc_pause)."""
    texts: dict[str, dict[str, None]] = {}
    display: dict[str, _Shown] = {}
    ranks: dict[tuple[bool, str], tuple[int, int, str]] = {}
    for subject, predicate, label in store.query(LABELS_QUERY).rows:
        if not isinstance(subject, URIRef) or not isinstance(label, Literal):
            continue
        iri, value = str(subject), str(label)
        texts.setdefault(iri, {})[value] = None
        key = _shown(str(predicate), label, ranks)
        if key is not None and (iri not in display or key < display[iri]):
            display[iri] = key
    types: dict[str, str] = {}
    order = {type_iri: position for position, type_iri in enumerate(TYPE_ORDER)}
    rows = store.query(TYPES_QUERY).rows
    flagged = {
        str(subject)
        for subject, _, imbor in rows
        if isinstance(imbor, Literal) and imbor.toPython() is True
    }
    for subject, type_term, _ in rows:
        iri = str(subject)
        if iri not in texts:
            continue
        type_iri = IMBOR_OBJECTTYPE if iri in flagged else str(type_term)
        if type_iri not in order:
            continue
        if iri not in types or order[type_iri] < order[types[iri]]:
            types[iri] = type_iri
    entries = []
    for iri, values in texts.items():
        shown = display[iri][-1] if iri in display else next(iter(values))
        normalised = tuple(dict.fromkeys(normalise(value) for value in values))
        loose = loose_texts(normalised)
        entries.append(
            Entry(iri, shown, types.get(iri), normalised, loose if loose != normalised else ())
        )
    entries.sort(key=lambda entry: (normalise(entry.label), entry.iri))
    return tuple(entries)


_Shown = tuple[bool, tuple[int, int, str], int, str]
_NAMES = {predicate: index for index, predicate in enumerate(NAME_PREDICATES)}
_CODES = {predicate: index for index, predicate in enumerate(CODE_PREDICATES)}


def _shown(
    predicate: str, label: Literal, ranks: dict[tuple[bool, str], tuple[int, int, str]]
) -> _Shown | None:
    """The sort key of a text as the entry's own name: the name a Dutch reader is shown
    (krbgraph.labels: one ranking of languages and predicates), else the code. A
    ranking of its own put rdfs:label before skos:prefLabel and took other languages
    in the order the store returned them, so lists and pickers named a thing unlike
    its page. ``ranks`` keeps each tag's rank (a few tags, 130,000 names at a million
    triples)."""
    code = predicate not in _NAMES
    if (code and predicate not in _CODES) or not str(label):
        return None
    tag = label.language or ""
    rank = ranks.get((code, tag))
    if rank is None:
        rank = ranks[(code, tag)] = language_rank(tag, () if code else DEFAULT_LANGUAGES)
    return (code, rank, (_CODES if code else _NAMES)[predicate], str(label))


def search_entries(
    entries: Sequence[Entry],
    text: str,
    *,
    limit_per_type: int = 25,
    haystack: Haystack | None = None,
    loose: bool = False,
) -> list[HitGroup]:
    """Entries whose labels contain every word of `text`, grouped by type (``loose``: in
    their loosened texts, see LabelIndex.search).

    Within a group an exact match ranks first, then a label that starts with
    the query, then one where a word starts with it, then any other match;
    ties go to the shorter label.
    """
    query = normalise(text)
    words = query.split()
    if not words:
        return []
    # Per group (rank, length, text, position) tuples, and only the best few made into
    # hits: a search for "e" at a million triples matches 50,000 entries, and sorting
    # them all by a Python key took longer than finding them.
    grouped: dict[str | None, list[tuple[int, int, str, int]]] = {}
    if haystack is not None:
        entries = haystack.holding(max(words, key=len))
    spaced = [f" {word}" for word in words]
    single = words[0] if len(words) == 1 else None
    for position, entry in enumerate(entries):
        best: tuple[int, int, str, int] | None = None
        texts = (entry.loose or entry.texts) if loose else entry.texts
        for candidate in texts:
            if single is not None:  # the common case, without a generator per text
                if single not in candidate:
                    continue
                rank = (
                    0
                    if candidate == single
                    else 1
                    if candidate.startswith(single)
                    else 2
                    if spaced[0] in candidate
                    else 3
                )
            elif all(word in candidate for word in words):
                rank = _rank(candidate, query, words, spaced)
            else:
                continue
            found = (rank, len(candidate), candidate, position)
            if best is None or found < best:
                best = found
        if (
            best is None
            and single is None
            and all(any(word in candidate for candidate in texts) for word in words)
        ):
            # The words spread over its texts: "GEL-N01 geluidsdruk" (a code and a name,
            # as lists show them), ranked after every match within one text.
            best = (SPREAD, sum(len(text) for text in texts), min(texts, key=len), position)
        if best is not None:
            grouped.setdefault(entry.type_iri, []).append(best)
    order = {type_iri: position for position, type_iri in enumerate(TYPE_ORDER)}
    groups = []
    for type_iri in sorted(grouped, key=lambda key: order.get(key or "", len(order))):
        found_here = grouped[type_iri]
        best_few = heapq.nsmallest(limit_per_type, found_here)
        hits = tuple(Hit(entries[p], text, rank) for rank, _, text, p in best_few)
        groups.append(HitGroup(type_iri, hits, len(found_here)))
    return groups


def _rank(candidate: str, query: str, words: list[str], spaced: list[str]) -> int:
    """0 the whole text, 1 its start, 2 the start of a word for every word, 3 anywhere
    (a normalised text has single spaces between its words)."""
    if candidate == query:
        return 0
    if candidate.startswith(query):
        return 1
    if all(
        candidate.startswith(word) or space in candidate
        for word, space in zip(words, spaced, strict=True)
    ):
        return 2
    return 3


def suggest(
    entries: Sequence[Entry], text: str, *, limit: int = 5, cached: bool = False
) -> list[Entry]:
    """Entries whose name is close to ``text`` when nothing matches it: a misspelling
    ("lichtmats", "Barkstraat") or a word of a longer name ("lantaarn" in
    "Verkeerslantaarn"). Close is difflib's ratio of 0.75 on whole names or on the
    words in them.

    difflib over every name of a large registry took 0.4 s a search, and forty searches
    for nothing held the whole service: only spellings of a length such a ratio allows
    (within a factor 5/3) that share half the query's letter pairs are compared. With
    ``cached`` (the label index's entries, kept per store version) the spellings are
    indexed once; a picker's few hundred choices are compared directly."""
    query = normalise(text)
    if not query:
        return []
    table = _spellings(entries) if cached else _SpellingTable.of(entries)
    close = difflib.get_close_matches(query, table.near(query), n=limit * 3, cutoff=0.75)
    found: dict[str, Entry] = {}
    for value in close:
        for entry in table.by_text[value]:
            found.setdefault(entry.iri, entry)
    return list(found.values())[:limit]


@dataclass(frozen=True)
class _SpellingTable:
    """Every spelling (a whole name, or a word of four letters or more) with its entries,
    and which spellings hold each pair of letters."""

    by_text: dict[str, list[Entry]]
    pairs: dict[str, list[str]]

    @classmethod
    def of(cls, entries: Sequence[Entry]) -> _SpellingTable:
        by_text: dict[str, list[Entry]] = {}
        for entry in entries:
            for value in entry.texts:
                for spelling in (value, *(w for w in value.split() if len(w) >= 4)):
                    if spelling:
                        by_text.setdefault(spelling, []).append(entry)
        pairs: dict[str, list[str]] = {}
        if len(by_text) > _DIRECT:
            for spelling in by_text:
                for pair in _pairs(spelling):
                    pairs.setdefault(pair, []).append(spelling)
        return cls(by_text, pairs)

    def near(self, query: str) -> list[str]:
        shortest, longest = len(query) * 3 // 5, len(query) * 5 // 3 + 1
        if len(self.by_text) <= _DIRECT:
            return [t for t in self.by_text if shortest <= len(t) <= longest]
        wanted = _pairs(query)
        shared: Counter[str] = Counter()
        for pair in wanted:
            shared.update(self.pairs.get(pair, ()))
        enough = max(1, len(wanted) // 2)
        return [t for t, n in shared.items() if n >= enough and shortest <= len(t) <= longest]


_DIRECT = 5_000
"""Up to this many spellings difflib compares them all (a few milliseconds)."""


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


_SPELLINGS: list[tuple[Sequence[Entry], _SpellingTable]] = []
"""The spelling table of the label index's last entries (one per store version)."""
_SPELLINGS_LOCK = threading.Lock()


def _spellings(entries: Sequence[Entry]) -> _SpellingTable:
    with _SPELLINGS_LOCK:
        if _SPELLINGS and _SPELLINGS[0][0] is entries:
            return _SPELLINGS[0][1]
    table = _SpellingTable.of(entries)
    with _SPELLINGS_LOCK:
        _SPELLINGS[:] = [(entries, table)]
    return table
