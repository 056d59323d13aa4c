"""IRIs shortened for reading (prefix:local), one rule for the whole product.

krbgraph.namespaces.compact_iri is the one place that writes ``krb:Beleidsnorm``
for a long IRI; these tests pin the rule the tables and pages rely on.
"""

from __future__ import annotations

from krbgraph.namespaces import KRB, PREFIXES, compact_iri, registry_prefixes

BASE = "https://krb.demogemeente.nl"


def test_a_model_term_gets_its_prefix() -> None:
    assert compact_iri(str(KRB.Beleidsnorm)) == "krb:Beleidsnorm"
    assert compact_iri("http://www.w3.org/2004/02/skos/core#prefLabel") == "skos:prefLabel"


def test_an_unknown_namespace_is_left_to_the_caller() -> None:
    assert compact_iri("https://example.org/x") is None
    assert compact_iri(f"{BASE}/id/beleidsnorm/GEL-N01") is None  # id: only with the base


def test_a_namespace_itself_is_not_shortened_to_a_bare_prefix() -> None:
    assert compact_iri(PREFIXES["krb"]) is None


def test_the_registry_own_things_read_as_id() -> None:
    prefixes = registry_prefixes(BASE + "/")
    assert compact_iri(f"{BASE}/id/beleidsnorm/GEL-N01", prefixes) == "id:beleidsnorm/GEL-N01"


def test_the_longest_namespace_wins() -> None:
    """A value-list concept lies under both id: and begrip: of the product's own domain."""
    prefixes = registry_prefixes("https://data.krb.nl")
    concept = "https://data.krb.nl/id/begrip/sector/alle"
    assert compact_iri(concept, prefixes) == "begrip:sector/alle"
    assert compact_iri("https://data.krb.nl/id/conceptschema/x", prefixes) == "id:conceptschema/x"
