"""Choosing one display name per resource, in the language the reader asks for.

A resource may carry any number of names: ``skos:prefLabel`` and ``rdfs:label`` in
several languages, ``dct:title``, ``skos:altLabel``. A SPARQL query that joins its
facts to such names returns one row per combination of names, so the named queries
never select names at all: they select facts (IRIs, codes, values), and this module
adds the name columns afterwards with one lookup per answer. A fact therefore
stays one row whatever names exist, and every caller (CLI, API, pages) chooses the
language the same way:

1. a name in the first preferred language, then the next preferred language, ...;
   within one of them as RFC 4647 lookup reads it: the tag asked ("nl-NL"), then
   the tag shortened ("nl"), then its other regional variants ("nl-BE"), so the
   registry's own "Verkeerslawaai"@nl is never displaced by a "Verkeersgeluid"@nl-BE
   for a reader who asked for "nl" or "nl-NL";
2. then Dutch (the registry's own language, last of every reader's languages), then a
   name without language tag;
3. then a name in any other language (alphabetically by tag, for a stable answer);
4. then the code (``dct:identifier``, ``skos:notation``).

Within one language ``skos:prefLabel`` wins over ``rdfs:label`` over ``dct:title``
over ``skos:altLabel``, and among equals the alphabetically first, so the choice
never depends on the order a store returns triples in.
"""

from __future__ import annotations

import re
import threading
import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Identifier

from .store import Store
from .store.remote import RemoteStore

__all__ = [
    "DEFAULT_LANGUAGES",
    "NAME_PREDICATES",
    "CODE_PREDICATES",
    "SYMBOL_PREDICATES",
    "Name",
    "NameCache",
    "name_cache",
    "choose",
    "fetch_names",
    "language_rank",
    "languages_from",
    "preload_names",
    "primary_subtag",
]

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_DCT = "http://purl.org/dc/terms/"

NAME_PREDICATES: tuple[str, ...] = (
    _SKOS + "prefLabel",
    _RDFS + "label",
    _DCT + "title",
    _SKOS + "altLabel",
)
"""Predicates that name a resource, strongest first."""

CODE_PREDICATES: tuple[str, ...] = (_DCT + "identifier", _SKOS + "notation")
"""Predicates whose value stands in for a name when a resource has none."""

SYMBOL_PREDICATES: tuple[str, ...] = (_SKOS + "notation", "http://qudt.org/schema/qudt/symbol")
"""Predicates for the symbol of a unit (dB(A), km/h), strongest first: the KRB's own
notation of a QUDT unit (t/jr for t/a, ontology/eenheden.ttl), else QUDT's symbol."""

DEFAULT_LANGUAGES: tuple[str, ...] = ("nl",)
"""The registry's own language, used when the reader asks for nothing else."""

_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class Name:
    """One candidate name: the predicate it came from and its literal."""

    predicate: str
    value: Literal


def languages_from(lang: str | None = None, accept_language: str | None = None) -> tuple[str, ...]:
    """The reader's languages, most wanted first: ``lang`` (a tag or a comma list), then
    the ``Accept-Language`` header by q-value, then Dutch.

    Malformed tags and ``*`` are skipped rather than refused: a browser's header
    should never make a page fail.
    """
    wanted: list[str] = []
    if lang:
        wanted += [part.strip() for part in lang.split(",")]
    if accept_language:
        weighted: list[tuple[float, int, str]] = []
        for index, part in enumerate(accept_language.split(",")):
            tag, _, params = part.strip().partition(";")
            quality = 1.0
            match = re.search(r"q\s*=\s*([0-9.]+)", params)
            if match:
                try:
                    quality = float(match[1])
                except ValueError:
                    quality = 0.0
            if quality > 0:
                weighted.append((-quality, index, tag.strip()))
        wanted += [tag for _, _, tag in sorted(weighted)]
    result: list[str] = []
    for tag in [*wanted, *DEFAULT_LANGUAGES]:
        tag = tag.lower()
        if tag and tag != "*" and _TAG.match(tag) and tag not in result:
            result.append(tag)
    return tuple(result)


def primary_subtag(tag: str) -> str:
    """The language of a tag without its region or script ("nl" of "nl-BE"): a Dutch
    reader's browser sends "nl-NL" or "nl-BE" as often as "nl"."""
    return tag.split("-", 1)[0].lower()


def language_rank(tag: str, languages: Sequence[str]) -> tuple[int, int, str]:
    """Where a name tagged ``tag`` stands for a reader of ``languages``, lower first.

    The one ranking of languages: every name shown, the search index's own too (the
    resolvers, krbgraph.queries.find_named, take back every tag it ranks under a
    language asked). Per language asked, as RFC 4647 lookup: the tag itself, then
    shortened ("en" for "en-GB", before any language asked after it: a browser sending
    "en-GB" alone wants English), then the language's other variants, the closest
    first, then by tag. An exact tag ranked with its variants and the text decided
    the tie: "Verkeersgeluid"@nl-BE displaced "Verkeerslawaai"@nl for Dutch readers.
    """
    tag = tag.lower()
    if not tag:
        return (len(languages), 0, "")
    subtags = tag.split("-")
    for index, wanted in enumerate(languages):
        asked = wanted.lower().split("-")
        if subtags[0] != asked[0]:
            continue
        if asked[: len(subtags)] == subtags:  # the tag itself, or shortened
            return (index, len(asked) - len(subtags), "")
        shared = 1  # subtags in common, the language at least
        while shared < min(len(asked), len(subtags)) and asked[shared] == subtags[shared]:
            shared += 1
        return (index, 2 * len(asked) - shared, tag)  # after every shortened tag
    return (len(languages) + 1, 0, tag)


def name_rank(
    predicate: str,
    value: Literal,
    languages: Sequence[str],
    predicates: Sequence[str] = NAME_PREDICATES,
) -> tuple[tuple[int, int, str], int, str, str] | None:
    """The sort key of a candidate name by the module's rules (None: not a name here);
    ``preload_names`` and the search index build the same key per row, each tag's
    rank computed once."""
    if predicate not in predicates:
        return None
    tag = value.language or ""
    return (language_rank(tag, languages), predicates.index(predicate), str(value), tag)


class ForeignName(str):
    """A name in a language other than Dutch, the language the pages are written in: the
    text, with its language tag in ``lang``, so a page can mark it for screen readers
    (WCAG 3.1.2, language of parts). Everything else takes it as the text it is. One
    subclass per tag holds the tag, so a name costs what a str costs (a tag per instance
    took a dictionary each: 3.4 times the memory of a cache of English names)."""

    __slots__ = ()
    lang: str = ""

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return tagged, (str(self), self.lang)  # the subclass of its tag is made per process


_NAME_CLASSES: dict[str, type[ForeignName]] = {}


def tagged(text: str, tag: str | None) -> str:
    """``text`` as a ForeignName when ``tag`` names a language other than Dutch."""
    if not tag or primary_subtag(tag) == "nl":
        return text
    kind = _NAME_CLASSES.get(tag)
    if kind is None:
        kind = _NAME_CLASSES.setdefault(
            tag, type("ForeignName", (ForeignName,), {"__slots__": (), "lang": tag})
        )
    return kind(text)


def choose(
    names: Iterable[Name],
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    predicates: Sequence[str] = NAME_PREDICATES,
) -> str | None:
    """The one name to show, by the rules in the module docstring; None when there is none."""
    best: tuple[tuple[int, int, str], int, str, str] | None = None
    for name in names:
        key = name_rank(name.predicate, name.value, languages, predicates)
        if key is not None and (best is None or key < best):
            best = key
    return tagged(best[2], best[3]) if best else None


def _lookup_query(subjects: Sequence[str], predicates: Sequence[str]) -> str:
    """Every literal of the subjects under the predicates.

    The subjects in a VALUES block, each subject's triples read once and filtered on
    the predicate: one index scan per subject (a registry's things have a few dozen
    triples each) is 1.5x faster in Oxigraph than one lookup per (subject,
    predicate) pair in a UNION branch per predicate, and far faster than a second
    VALUES block for the predicates, which Oxigraph joins after a scan of every
    triple. The IRIs are checked and serialised by pyoxigraph (``NamedNode`` refuses
    a malformed IRI and escapes the rest), so nothing from the data is pasted raw.
    """
    s_values = " ".join(str(ox.NamedNode(iri)) for iri in subjects)
    p_list = ", ".join(str(ox.NamedNode(p)) for p in predicates)
    return (
        f"SELECT ?s ?p ?o WHERE {{\n  VALUES ?s {{ {s_values} }}\n"
        f"  ?s ?p ?o FILTER (?p IN ({p_list}))\n}}"
    )


_BATCH = 500
"""IRIs per lookup: a few hundred keeps the query text small for remote stores, and
the lookups of one batch share one query's fixed cost."""

_CACHE_LIMIT = 500_000
"""Names kept per store, over all language choices (the latest used kept first)."""


class NameCache:
    """Names already looked up in one store, valid for one write generation of it.

    Every backend counts its writes in ``write_generation``; a cache made at one
    generation is dropped as soon as the store reports another, so a name never
    outlives the write that changed it. A store without that counter is never
    cached. Writes that bypass the store object (another process writing the
    same SPARQL server) are not seen: such a store should not be cached, which
    is why the counter lives on the store object that does the writing.
    """

    def __init__(
        self, generation: int, wanted: frozenset[tuple[tuple[str, ...], bool]] = frozenset()
    ) -> None:
        self.generation = generation
        self.made = time.monotonic()
        self.wanted = wanted
        """The choices complete at the generation before (or wanted then and not yet
        filled): what ``preload_again`` reads again after a write."""
        self.tags: tuple[str, ...] | None = None
        """The language tags of the store's names (krbgraph.queries.name_tags)."""
        self.spellings: dict[int, tuple[str, ...]] | None = None
        """Hash of a lower-cased name -> the store's spellings (queries._case_spellings)."""
        self.spellings_lock = threading.Lock()  # readers missing at once read them once
        self._names: dict[tuple[tuple[str, ...], bool], dict[str, str | None]] = {}
        self._complete: set[tuple[tuple[str, ...], bool]] = set()
        self._lock = threading.Lock()

    def successor(self, generation: int) -> NameCache:
        """The empty cache of a later generation, wanting what this one had complete."""
        with self._lock:
            complete = frozenset(self._complete)
        return NameCache(generation, complete or self.wanted)

    def known(
        self, languages: tuple[str, ...], symbols: bool
    ) -> tuple[dict[str, str | None], bool]:
        """IRI -> chosen name (None: looked up, has none) for this language choice, and
        whether every name of the store is in it (an IRI not in it then has none); read
        together, so a choice another thread fills meanwhile is never taken as complete."""
        choice = (languages, symbols)
        with self._lock:
            names = self._names.pop(choice, None)
            if names is None or len(names) > _CACHE_LIMIT:
                names = {}
                self._complete.discard(choice)
            self._names[choice] = names  # the latest used last
            self._make_room(keep=choice)
            return names, choice in self._complete

    def complete(self, languages: tuple[str, ...], symbols: bool) -> bool:
        """Whether every name of the store is in for this choice."""
        with self._lock:
            return (languages, symbols) in self._complete

    def fill(self, languages: tuple[str, ...], symbols: bool, names: dict[str, str]) -> None:
        """Every name of the store for this choice (``preload_names``)."""
        choice = (languages, symbols)
        with self._lock:
            self._names.pop(choice, None)
            self._names[choice] = dict(names)
            self._complete.add(choice)
            self._make_room(keep=choice)

    def _make_room(self, keep: tuple[tuple[str, ...], bool]) -> None:
        """Drop the choices used longest ago until all of them hold at most _CACHE_LIMIT
        names. Readers choose the languages (any Accept-Language is a choice), and a
        complete choice holds a store's worth of names (300,000 at a million triples,
        65 MB), so a bound on the number of choices alone still let readers fill the
        memory. ``keep``, the one in use, stays. Call with the lock held."""
        total = sum(len(names) for names in self._names.values())
        for choice in list(self._names):
            if total <= _CACHE_LIMIT:
                return
            if choice != keep:
                total -= len(self._names.pop(choice))
                self._complete.discard(choice)


SHARED_MAX_AGE_S = 30.0
"""How long names of a store others may write too (a remote SPARQL server) are kept, as
the pages' aggregates are (krbgraph.web.aggregates.SHARED_STORE_MAX_AGE_S)."""

_CACHES: weakref.WeakKeyDictionary[object, NameCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def name_cache(store: Store) -> NameCache | None:
    """The cache of ``store`` at its current write generation (None: not cacheable)."""
    generation = getattr(store, "write_generation", None)
    if not isinstance(generation, int):
        return None
    with _CACHES_LOCK:
        try:
            cache = _CACHES.get(store)
        except TypeError:  # a store that cannot be weakly referenced is not cached
            return None
        # A SPARQL server others may write: their writes never move the generation, so
        # its names are also read again after SHARED_MAX_AGE_S (they stayed old forever).
        expired = (
            cache is not None
            and isinstance(store, RemoteStore)
            and time.monotonic() - cache.made > SHARED_MAX_AGE_S
        )
        if cache is None or cache.generation != generation or expired:
            cache = NameCache(generation) if cache is None else cache.successor(generation)
            try:
                _CACHES[store] = cache
            except TypeError:
                return None
        return cache


def preload_again(store: Store, *, timeout_s: float | None = None) -> int:
    """Every name of the store again, for each language choice that was read whole
    before the last write (``preload_names``), so that the first whole-registry export
    after a write finds them (at a million triples it read them first: 2.3-3x the
    engine's own time, against 1.0-1.6x asked again). Returns the choices read. For the
    service's background round after writes (krbgraph.web.rewarm)."""
    cache = name_cache(store)
    if cache is None:
        return 0
    for languages, symbols in sorted(cache.wanted):
        preload_names(store, languages=languages, symbols=symbols, timeout_s=timeout_s)
    return len(cache.wanted)


def fetch_names(
    store: Store,
    iris: Iterable[str],
    *,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    symbols: bool = False,
    timeout_s: float | None = None,
) -> dict[str, str]:
    """IRI -> display name for every IRI that has a name or code (or symbol, with
    ``symbols=True``), looked up in batches of a few hundred IRIs.

    Names already looked up since the store's last write come from its
    NameCache; only the others are asked for.

    Raises StoreError (QueryTimeout) like any store query.
    """
    cache = name_cache(store)
    known, complete = cache.known(tuple(languages), symbols) if cache is not None else ({}, False)
    wanted = {iri for iri in iris if iri}
    if complete:
        return {iri: name for iri in wanted if (name := known.get(iri)) is not None}
    names = {iri: known[iri] for iri in wanted if iri in known}
    missing = sorted(wanted - names.keys())
    for start in range(0, len(missing), _BATCH):
        batch = missing[start : start + _BATCH]
        chosen = _lookup(store, batch, languages, symbols, timeout_s)
        for iri in batch:
            names[iri] = chosen.get(iri)
            known[iri] = names[iri]
    return {iri: name for iri, name in names.items() if name is not None}


def preload_names(
    store: Store,
    *,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    symbols: bool = False,
    timeout_s: float | None = None,
) -> None:
    """Every name of the store into its NameCache in one pass over the name properties,
    for an answer that names much of the registry: a whole-registry export looked up
    76,000 IRIs 500 at a time (4.8 s at a million triples, each subject's triples read);
    the names read by property as the engine gives them take about a second. From then
    on, until the next write, an IRI without a cached name has none. Does nothing for a
    store without a cache or without engine solutions, or one with more names than the
    cache keeps. Raises StoreError (QueryTimeout) like any store query."""
    from .store.streaming import engine_solutions  # the store layer's lazy answers

    cache = name_cache(store)
    if cache is None or cache.complete(tuple(languages), symbols):
        return
    predicates = SYMBOL_PREDICATES if symbols else NAME_PREDICATES + CODE_PREDICATES
    listed = " ".join(f"<{p}>" for p in predicates)
    query = (
        f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {listed} }} ?s ?p ?o "
        "FILTER (isIRI(?s) && isLiteral(?o)) }"
    )
    # choose()'s order, kept per IRI as the rows come (no Name per row: 300,000 rows at a
    # million triples): a name by language, predicate and text; else a code likewise.
    strongest = {p: i for i, p in enumerate(SYMBOL_PREDICATES if symbols else NAME_PREDICATES)}
    codes = {} if symbols else {p: i for i, p in enumerate(CODE_PREDICATES)}
    ranks: dict[str, tuple[int, int, str]] = {}
    best: dict[str, tuple[tuple[int, int, str], int, str, str]] = {}
    best_code: dict[str, tuple[tuple[int, int, str], int, str, str]] = {}
    with engine_solutions(store, query, timeout_s=timeout_s) as answer:
        if answer is None:
            return
        solutions, limits = answer
        for row, (subject, predicate, value) in enumerate(solutions):
            if row % 1000 == 0:
                limits.check_time()
            iri, tag = subject.value, value.language or ""
            if predicate.value in strongest:
                rank = ranks.get(tag)
                if rank is None:
                    rank = ranks[tag] = language_rank(tag, languages)
                key = (rank, strongest[predicate.value], value.value, tag)
                if iri not in best or key < best[iri]:
                    best[iri] = key
            else:
                key = (language_rank(tag, ()), codes[predicate.value], value.value, tag)
                if iri not in best_code or key < best_code[iri]:
                    best_code[iri] = key
    # As _chosen: choose(names) or choose(codes), so an empty name gives way to a code.
    names = {iri: tagged(key[2], key[3]) for iri, key in best_code.items()}
    names.update((iri, tagged(key[2], key[3])) for iri, key in best.items() if key[2] or symbols)
    if len(names) <= _CACHE_LIMIT:
        cache.fill(tuple(languages), symbols, names)


def _chosen(
    found: Mapping[str, list[Name]], languages: Sequence[str], symbols: bool
) -> dict[str, str]:
    """The name ``choose`` picks for each IRI of ``found`` (a code when it has no name)."""
    names: dict[str, str] = {}
    for iri, candidates in found.items():
        if symbols:
            chosen = choose(candidates, languages, SYMBOL_PREDICATES)
        else:
            chosen = choose(candidates, languages, NAME_PREDICATES) or choose(
                candidates, (), CODE_PREDICATES
            )
        if chosen is not None:
            names[iri] = chosen
    return names


def _lookup(
    store: Store,
    batch: Sequence[str],
    languages: Sequence[str],
    symbols: bool,
    timeout_s: float | None,
) -> dict[str, str]:
    """The chosen names of one batch of IRIs, in one query."""
    predicates = SYMBOL_PREDICATES if symbols else NAME_PREDICATES + CODE_PREDICATES
    found: dict[str, list[Name]] = {}
    result = store.query(_lookup_query(batch, predicates), timeout_s=timeout_s)
    for subject, predicate, value in result.rows:
        if isinstance(value, Literal) and subject is not None and predicate is not None:
            found.setdefault(str(subject), []).append(Name(str(predicate), value))
    return _chosen(found, languages, symbols)


def name_terms(
    names: Mapping[str, str], terms: Iterable[Identifier | None]
) -> list[Literal | None]:
    """The name of each term (None for blank nodes, literals and unnamed IRIs)."""
    return [
        Literal(names[str(term)]) if isinstance(term, URIRef) and str(term) in names else None
        for term in terms
    ]
