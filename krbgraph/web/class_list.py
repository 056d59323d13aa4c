"""The listing of one class a page at a time, by keyset: /lijst?klasse=...&na=...

Things are listed in the order of their code, then their IRI (things without a
code first, as SPARQL's ORDER BY puts an unbound value). A page is addressed
by the key of the last thing on the page before (``na``), never by a
position, so the next page neither skips nor repeats a thing when others are
added or removed in the meantime.

The keys of all things of the class come from one query (web-lijst-sleutels)
and are sorted here, once per store version (krbgraph.web.aggregates); a page
is then a binary search and one name lookup for its hundred things, so it
costs the same in a registry of a million triples as in one of ten thousand.
The sort in Python replaces ORDER BY in the store, which sorts IRIs slowly.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from rdflib import URIRef

from ..labels import fetch_names
from ..store import Store
from .aggregates import cached
from .describe import READER_LANGUAGES, run_query, valid_iri
from .naming import short_name, tellers

__all__ = ["PAGE_SIZE", "BadKey", "ClassPage", "Key", "class_page", "key_text", "parse_key"]

PAGE_SIZE = 100
"""Things per page."""

Key = tuple[bool, str, str]
"""(has a code, the code, the IRI): sorts as ORDER BY ?code ?ding does."""


class BadKey(ValueError):
    """A ``na`` value that is not a key of this listing; the message says why, in Dutch."""


MAX_ALIKE = 1000
"""Things a page looks at to tell those of one code or name apart across pages, the
smallest such groups first; those of a code or name shared more widely (thousands,
or many large groups on one page) are told apart on the page only. It bounds the
names a page looks up, so a page costs the same at any size."""


@dataclass(frozen=True)
class Entry:
    iri: str
    code: str | None
    label: str | None
    where: str | None = None
    """What tells it apart from things of the class that read alike (same name and code:
    a province's seven GEL-N01), krbgraph.web.naming.tellers; None when nothing does."""


@dataclass(frozen=True)
class ClassPage:
    entries: tuple[Entry, ...]
    total: int
    """Things of the class in the whole listing."""
    first: int
    """Position of the first entry in the listing, counted from 1."""
    next_key: Key | None
    """The key to ask for the following page with; None on the last page."""


def class_page(store: Store, klasse: URIRef, after: Key | None = None) -> ClassPage:
    """The PAGE_SIZE things of ``klasse`` that follow ``after`` (the first ones without)."""
    keys = cached(store, ("class-keys", str(klasse)), lambda: _sorted_keys(store, klasse))
    start = bisect_right(keys, after) if after is not None else 0
    shown = keys[start : start + PAGE_SIZE]
    languages = READER_LANGUAGES.get()
    namesakes: dict[str, tuple[str, ...]] = {}
    if any(not has_code for has_code, _, _ in shown):
        namesakes = cached(
            store,
            ("class-namesakes", str(klasse), languages),
            lambda: _namesakes(store, keys, languages),
            len,
        )
    alike = _alike(keys, shown, namesakes)
    names = fetch_names(store, sorted(alike), languages=languages)
    marks = _marks(alike, names)
    entries = tuple(
        Entry(iri, code if has_code else None, names.get(iri), marks.get(iri))
        for has_code, code, iri in shown
    )
    more = start + PAGE_SIZE < len(keys)
    return ClassPage(entries, len(keys), start + 1, shown[-1] if more and shown else None)


def _alike(
    keys: tuple[Key, ...], shown: tuple[Key, ...], namesakes: dict[str, tuple[str, ...]]
) -> dict[str, str | None]:
    """The shown things and every thing that shares a code with one (the keys are sorted
    by code, so those are the runs around it, on this page or the next) or, without a
    code, its name (``namesakes``), by IRI with its code: what reads alike across a
    page boundary is told apart on both pages."""
    alike: dict[str, str | None] = {
        iri: code if has_code else None for has_code, code, iri in shown
    }
    groups: list[list[tuple[str, str | None]]] = []
    for code in {code for has_code, code, _ in shown if has_code}:
        start = bisect_left(keys, (True, code, ""))
        end = bisect_right(keys, (True, code, "\U0010ffff"))
        if end - start > 1:
            groups.append([(iri, code) for _, _, iri in keys[start:end]])
    named = {namesakes[iri] for has_code, _, iri in shown if not has_code and iri in namesakes}
    groups += [[(iri, None) for iri in group] for group in named]
    # The smallest groups first, codes and names alike: one many things share does not
    # crowd out one that three share. MAX_ALIKE things beyond the page in all, so a page
    # looks up that many names at most.
    added = 0
    for group in sorted(groups, key=len):
        extra = [(iri, code) for iri, code in group if iri not in alike]
        if added + len(extra) > MAX_ALIKE:
            break
        alike.update(extra)
        added += len(extra)
    return alike


def _namesakes(
    store: Store, keys: tuple[Key, ...], languages: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    """Things without a code that share their name with another (areas often have no
    code: a province's seven "Centrum"), by IRI: all of that name. Listed by IRI, such
    namesakes are pages apart; the code runs of _alike cannot find them."""
    codeless = [iri for has_code, _, iri in keys if not has_code]
    names = fetch_names(store, codeless, languages=languages)
    by_name: dict[str, list[str]] = {}
    for iri in codeless:
        by_name.setdefault(names.get(iri) or short_name(iri), []).append(iri)
    # One tuple per name, shared by its things; a name more than MAX_ALIKE share is told
    # apart on the page only, so its group is not kept at all.
    groups = [tuple(iris) for iris in by_name.values() if 1 < len(iris) <= MAX_ALIKE]
    return {iri: group for group in groups for iri in group}


def _marks(alike: dict[str, str | None], names: dict[str, str]) -> dict[str, str]:
    """What tells apart things of one code and name (krbgraph.web.naming.tellers)."""
    groups: dict[tuple[str, str | None], list[str]] = {}
    for iri, code in alike.items():
        label = names.get(iri)
        groups.setdefault((str(label) if label is not None else short_name(iri), code), []).append(
            iri
        )
    return {
        iri: mark
        for iris in groups.values()
        if len(iris) > 1
        for iri, mark in tellers(iris).items()
    }


def _sorted_keys(store: Store, klasse: URIRef) -> tuple[Key, ...]:
    """One key per thing: a thing with several codes is listed once, at its first code."""
    first: dict[str, Key] = {}
    for row in run_query(store, "web-lijst-sleutels", klasse=klasse).dicts():
        iri, code = str(row["ding"]), row.get("code")
        key = (code is not None, str(code) if code is not None else "", iri)
        if iri not in first or key < first[iri]:
            first[iri] = key
    return tuple(sorted(first.values()))


def key_text(key: Key) -> str:
    """The ``na`` value of a key: the code and the IRI separated by a space (an IRI has
    none), or the IRI alone for a thing without a code."""
    has_code, code, iri = key
    return f"{code} {iri}" if has_code else iri


def parse_key(text: str) -> Key:
    """The key a ``na`` value stands for; BadKey when its IRI is not one."""
    code, space, iri = text.rpartition(" ")
    if not iri or valid_iri(iri) is None:
        raise BadKey("na moet de code en de IRI van het laatst getoonde ding zijn.")
    return (bool(space), code, iri)
