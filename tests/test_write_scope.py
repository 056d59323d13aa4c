"""What a token scoped to some graphs may state (krbgraph.write_scope), on a replica
holding two departments' graphs: each may state facts about its own things, add to the
registry's shared value lists, and point at the other's things, but not change what the
other's things are."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from krbgraph.replica import ValidationReplica
from krbgraph.tokens import GraphNotAllowed, Writer
from krbgraph.write_scope import refuse_foreign_things

BASE = "https://krb.example.org"
NOORD, ZUID = f"{BASE}/graph/noord/beleid", f"{BASE}/graph/zuid/beleid"
A = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
KRB = "https://data.krb.nl/def/krb#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PERIOD = ox.BlankNode("zuidperiode")
noord = Writer("wijk-noord", "write", f"{BASE}/graph/noord/")


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri if iri.startswith("http") else f"{BASE}/{iri}")


def quad(s: str, p: str | ox.NamedNode, o: str, graph: str) -> ox.Quad:
    predicate = p if isinstance(p, ox.NamedNode) else n(p)
    return ox.Quad(n(s), predicate, n(o), ox.NamedNode(graph))


@pytest.fixture
def replica() -> ValidationReplica:
    store = ox.Store()
    store.extend(
        [
            quad("id/doc/zuid-1", A, f"{KRB}Besluitdocument", ZUID),
            quad("id/org/ggd", A, "http://www.w3.org/ns/org#Organization", ZUID),
            quad("id/conceptschema/sectoren", A, f"{SKOS}ConceptScheme", ZUID),
            quad("id/sector/zuid-haven", A, f"{SKOS}Concept", ZUID),
            quad("id/sector/zuid-haven", f"{SKOS}broader", "id/sector/zuid-bedrijven", ZUID),
            quad("id/doc/noord-1", A, f"{KRB}Besluitdocument", NOORD),
            # Zuid's norm with its validity period, a blank node.
            ox.Quad(n("id/norm/zuid-n1"), n(f"{DCT}temporal"), PERIOD, ox.NamedNode(ZUID)),
            ox.Quad(PERIOD, n(f"{DCAT}startDate"), ox.Literal("2024-01-01"), ox.NamedNode(ZUID)),
            # A thing typed in Zuid's graph and, later, in Noord's as well.
            quad("id/norm/zuid-n9", A, f"{KRB}Beleidsnorm", ZUID),
            quad("id/norm/zuid-n9", A, f"{KRB}Beleidsnorm", NOORD),
            # Zuid's own class below the model and below a class it only names.
            quad("def/zuid#Gevelnorm", SUBCLASS_OF, f"{KRB}Beleidsnorm", ZUID),
            quad("def/zuid#Gevelnorm", SUBCLASS_OF, "def/zuid#Wettelijk", ZUID),
            quad("id/norm/zuid-n2", A, "def/zuid#Gevelnorm", ZUID),
        ]
    )
    return ValidationReplica(store)


@pytest.mark.parametrize(
    "added",
    [
        quad("id/doc/zuid-1", "http://www.w3.org/ns/adms#status", "id/status/ingetrokken", NOORD),
        quad("id/doc/noord-1", "http://purl.org/dc/terms/replaces", "id/doc/zuid-1", NOORD),
        quad("http://www.w3.org/ns/org#Organization", SUBCLASS_OF, f"{KRB}Zoekingang", NOORD),
        # Naming their period from a thing of one's own, then ending it, ended their norm.
        ox.Quad(n("id/doc/noord-1"), n(f"{DCT}source"), PERIOD, ox.NamedNode(NOORD)),
        ox.Quad(PERIOD, n(f"{DCAT}endDate"), ox.Literal("2024-06-30"), ox.NamedNode(NOORD)),
        # A thing typed in both graphs is not Noord's alone.
        quad("id/norm/zuid-n9", "http://www.w3.org/ns/adms#status", "id/s/x", NOORD),
        # A shared list takes new concepts, not a new name.
        ox.Quad(
            n("id/conceptschema/sectoren"),
            n(f"{SKOS}prefLabel"),
            ox.Literal("Lijst van Noord", language="nl"),
            ox.NamedNode(NOORD),
        ),
        # The class Zuid only names decides what Zuid's norms are as well.
        quad("def/zuid#Wettelijk", SUBCLASS_OF, f"{KRB}MerMaatregel", NOORD),
        # Zuid's subtype made a main type of the shared list.
        quad("id/conceptschema/sectoren", f"{SKOS}hasTopConcept", "id/sector/zuid-haven", NOORD),
    ],
    ids=[
        "status-of-theirs",
        "replacing-theirs",
        "their-class-below-the-model",
        "naming-their-blank-node",
        "describing-their-blank-node",
        "a-thing-typed-in-both",
        "renaming-a-shared-list",
        "a-class-above-theirs",
        "their-concept-on-top-of-a-shared-list",
    ],
)
def test_what_changes_another_graphs_things_is_refused(
    replica: ValidationReplica, added: ox.Quad
) -> None:
    with pytest.raises(GraphNotAllowed, match=f"<{ZUID}>"):
        refuse_foreign_things(replica, {added}, noord)


@pytest.mark.parametrize(
    "added",
    [
        quad("id/doc/noord-1", "http://www.w3.org/ns/adms#status", "id/status/ingetrokken", NOORD),
        quad("id/effect/noord-e1", f"{KRB}norm", "id/norm/zuid-n1", NOORD),  # a cross-link
        quad("id/conceptschema/sectoren", f"{SKOS}hasTopConcept", "id/sector/noord", NOORD),
        quad("id/eigen/Plangebied", SUBCLASS_OF, f"{KRB}Werkingsgebied", NOORD),
    ],
    ids=["status-of-its-own", "pointing-at-theirs", "shared-value-list", "a-new-class"],
)
def test_what_is_its_own_or_shared_is_allowed(replica: ValidationReplica, added: ox.Quad) -> None:
    refuse_foreign_things(replica, {added}, noord)


def test_unscoped_and_admin_tokens_may_state_anything(replica: ValidationReplica) -> None:
    status = quad("id/doc/zuid-1", "http://www.w3.org/ns/adms#status", "id/s", NOORD)
    for writer in (Writer("redactie", "write"), Writer("beheer", "admin"), None):
        refuse_foreign_things(replica, {status}, writer)


def test_calling_their_thing_a_value_list_in_the_same_write_does_not_make_it_shared(
    replica: ValidationReplica,
) -> None:
    added = {
        quad("id/doc/zuid-1", A, f"{SKOS}ConceptScheme", NOORD),
        quad("id/doc/zuid-1", "http://www.w3.org/ns/adms#status", "id/status/ingetrokken", NOORD),
    }
    replica.apply(added, [])  # a SPARQL update is checked on the copy that holds it
    with pytest.raises(GraphNotAllowed, match=f"<{ZUID}>"):
        refuse_foreign_things(replica, added, noord)


def test_a_blank_node_named_in_its_own_graph_too_is_still_theirs(
    replica: ValidationReplica,
) -> None:
    """Once Noord's graph names Zuid's period (written before this rule, or by an
    administrator), an end date on it in Noord's graph still ends Zuid's norm."""
    replica.apply(
        {ox.Quad(n("id/doc/noord-1"), n(f"{DCT}source"), PERIOD, ox.NamedNode(NOORD))}, []
    )
    end = ox.Quad(PERIOD, n(f"{DCAT}endDate"), ox.Literal("2024-06-30"), ox.NamedNode(NOORD))
    with pytest.raises(GraphNotAllowed, match=f"<{ZUID}>"):
        refuse_foreign_things(replica, {end}, noord)
