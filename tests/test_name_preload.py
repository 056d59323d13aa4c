"""All names read at once (labels.preload_names, for whole-registry exports) are the
names the lookup per IRI chooses, in every language choice, for units' symbols too.

The registry is the demo plus names nobody tuned to: several languages and regions
(en, en-GB, de), a name only in English, codes only, a title and an alternative name.
"""

from __future__ import annotations

import pytest
from demo_backends import demo_store_fixture
from rdflib import Graph

from krbgraph.derived import refresh
from krbgraph.labels import _lookup, fetch_names, name_cache, preload_names
from krbgraph.store import Store

store = demo_store_fixture()
NAMES = """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
<urn:t:1> rdfs:label "Geluid"@nl , "Noise"@en , "Lärm"@de ; skos:prefLabel "Noise (UK)"@en-GB .
<urn:t:2> rdfs:label "Only English"@en ; dct:identifier "T-2" .
<urn:t:3> dct:identifier "T-3" ; <http://www.w3.org/2004/02/skos/core#notation> "3" .
<urn:t:4> dct:title "Titel"@nl ; skos:altLabel "Ander"@nl , "Anders"@nl .
<urn:t:5> rdfs:label "zonder taal" , "met taal"@nl .
<urn:t:6> rdfs:label ""@nl ; dct:identifier "T-6" .
<urn:t:7> rdfs:label "" .
<urn:t:8> <http://qudt.org/schema/qudt/symbol> "" .
"""
SUBJECTS = """
SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER (isIRI(?s)) }
"""


@pytest.fixture(scope="module")
def varied(store: Store) -> Store:
    store.replace_graph("https://krb.demogemeente.nl/graph/namen", Graph().parse(data=NAMES))
    refresh(store)
    return store


@pytest.mark.parametrize("symbols", [False, True])
@pytest.mark.parametrize("languages", [("nl",), ("en",), ("en-GB", "de"), ()])
def test_preloaded_names_are_the_names_looked_up_one_by_one(
    varied: Store, languages: tuple[str, ...], symbols: bool
) -> None:
    iris = sorted(str(row[0]) for row in varied.query(SUBJECTS).rows)
    expected: dict[str, str] = {}
    for start in range(0, len(iris), 500):
        expected |= _lookup(varied, iris[start : start + 500], languages, symbols, None)
    assert expected, "the store has names"
    preload_names(varied, languages=languages, symbols=symbols)
    cache = name_cache(varied)
    assert cache is not None and cache.complete(languages, symbols)
    assert fetch_names(varied, iris, languages=languages, symbols=symbols) == expected


def test_a_write_ends_the_preloaded_names(varied: Store) -> None:
    preload_names(varied)
    varied.replace_graph(
        "https://krb.demogemeente.nl/graph/namen-2",
        Graph().parse(data='<urn:t:9> <http://www.w3.org/2000/01/rdf-schema#label> "Nieuw"@nl .'),
    )
    try:
        assert fetch_names(varied, ["urn:t:9"]) == {"urn:t:9": "Nieuw"}
    finally:
        varied.drop_graph("https://krb.demogemeente.nl/graph/namen-2")


def test_a_reader_choosing_ever_new_languages_does_not_grow_the_names_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every Accept-Language is a language choice, and a complete choice holds every name
    of the store: the names kept over all choices stay bounded, the choices used longest
    ago going first, and the one in use keeps all its names."""
    from krbgraph import labels

    monkeypatch.setattr(labels, "_CACHE_LIMIT", 1500)
    cache = labels.NameCache(generation=1)
    store_names = {f"https://example.org/id/{n}": f"naam {n}" for n in range(1000)}
    cache.fill(("nl",), False, store_names)
    for n in range(200):
        names, complete = cache.known((f"x-{n}", "nl"), False)
        assert not complete
        names.update({f"https://example.org/id/{n}-{k}": "naam" for k in range(10)})
        dutch, complete = cache.known(("nl",), False)  # the Dutch readers keep coming
        assert complete and len(dutch) == len(store_names)
        assert sum(len(kept) for kept in cache._names.values()) <= 1500
    cache.fill(("en",), False, store_names)  # a second complete choice pushes the rest out
    assert cache.complete(("en",), False) and not cache.complete(("nl",), False)


def test_a_name_in_another_language_costs_what_its_text_costs() -> None:
    """A cache holds a store's worth of names: one carrying its language tag must not
    carry a dictionary too (3.4 times the memory of the Dutch names), and survives a
    copy or pickle with its tag."""
    import pickle
    import sys

    from krbgraph.labels import tagged

    english = tagged("Facade noise level", "en")
    assert english.lang == "en" and not hasattr(english, "__dict__")
    assert sys.getsizeof(english) <= sys.getsizeof("Facade noise level") + 64
    again = pickle.loads(pickle.dumps(english))
    assert again == english and again.lang == "en"
    assert type(tagged("Geluid", "nl")) is str
