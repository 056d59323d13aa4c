"""A name many registries share is answered with every thing it names.

A province's store holds as many "Centrum"s as it has municipalities. A named query's
parameter that names several things is refused with the candidates to choose from; it
listed the first six, so the seventh municipality's Centrum was never offered, though the
API's own lookups (``/api/gebieden/Centrum/beleid``) listed all. The ``id:`` short form
the pages show (``id:werkingsgebied/centrum``) likewise.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from krbgraph.namespaces import KRB
from krbgraph.queries import ParameterError, load_catalogue, run_named_query
from krbgraph.store import Store

BASES = [f"https://krb.gemeente-{n:02d}.nl" for n in range(1, 10)]


@pytest.fixture
def province(model_store: Store) -> Store:
    for base in BASES:
        graph = Graph()
        area = URIRef(f"{base}/id/werkingsgebied/centrum")
        graph.add((area, RDF.type, KRB.Werkingsgebied))
        graph.add((area, RDFS.label, Literal("Centrum", lang="nl")))
        model_store.add_to_graph(f"{base}/graph/gebieden", graph)
    return model_store


@pytest.mark.parametrize("value", ["Centrum", "centrum", "id:werkingsgebied/centrum"])
def test_every_municipalitys_area_of_the_name_is_a_candidate(province: Store, value: str) -> None:
    with pytest.raises(ParameterError) as refused:
        run_named_query(province, load_catalogue(), "beleid-in-gebied", {"gebied": value})
    assert sorted(refused.value.candidates) == [
        f"{base}/id/werkingsgebied/centrum" for base in BASES
    ]
    assert "dubbelzinnig" in refused.value.nl
