"""An area may lie in at most MAX_ENCLOSING others; deeper nesting is refused, by name.

The derived closure krb:ligtBinnen holds every area an area lies in, so its size
grows with the square of how deep areas nest: a few thousand areas each in the next
(five triples each) would derive millions of pairs. Every validated path refuses
such data with one Violation per area nested too deep, and a store that already
holds it (loaded without validation) stays servable, its closure bounded.

Which areas are too deep is decided here independently, by the SPARQL path
``(krb:ligtIn|geo:sfWithin)+`` over the files with rdflib, or by construction for
nested geometries.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.namespace import SH
from store_templates import copy_of
from test_sparql_support import AUTH, BASE, TIMEOUT, demo_store, same_content, served, snapshot

from krbgraph import derived_change as derived_change_module
from krbgraph.containment import MAX_ENCLOSING
from krbgraph.derived import DERIVED_GRAPH
from krbgraph.loading import load_paths, validate_paths
from krbgraph.model import project_root
from krbgraph.namespaces import GEO, KRB
from krbgraph.nesting_check import NESTING_CHECK
from krbgraph.registry import write_graph
from krbgraph.replica import ValidationReplica
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store
from krbgraph.validation import ValidationFailed

DEMO = project_root() / "examples" / "demo"
AREA = f"{BASE}/id/werkingsgebied/"
SQUARE = (
    "<http://www.opengis.net/def/crs/EPSG/0/28992> "
    "POLYGON((10000 10000, 20000 10000, 20000 20000, 10000 20000, 10000 10000))"
)
"""Far from the demo's areas (which lie around 157000 464000)."""
PREFIXES = f"""@prefix krb: <{KRB}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix w: <{AREA}> .
@prefix soort: <https://data.krb.nl/id/begrip/gebiedssoort/> .
"""


def area(name: str, extra: str = "") -> str:
    return (
        f'w:{name} a krb:Werkingsgebied ; rdfs:label "Gebied {name}"@nl ; '
        f'dct:identifier "{name}" ; krb:gebiedssoort soort:plangebied {extra}.\n'
    )


def chain(length: int, prefix: str = "k") -> str:
    """``length`` areas, each in the one before, the first in the demo municipality."""
    return "".join(
        area(f"{prefix}{i}", f"; krb:ligtIn w:{'GM9999' if i == 0 else f'{prefix}{i - 1}'} ")
        for i in range(length)
    )


def squares(count: int) -> str:
    """``count`` concentric squares far from the demo's areas, each inside the ones
    before it by geometry alone (no krb:ligtIn): square i lies in exactly i areas."""
    text = ""
    for i in range(count):
        half = 45_000 * 0.95**i  # each a tenth smaller in area: within, not equal
        low, high = round(55_000 - half, 1), round(55_000 + half, 1)
        wkt = (
            "<http://www.opengis.net/def/crs/EPSG/0/28992> "
            f"POLYGON(({low} {low}, {high} {low}, {high} {high}, {low} {high}, {low} {low}))"
        )
        text += area(f"v{i}", f'; geo:hasGeometry [ geo:asWKT "{wkt}"^^geo:wktLiteral ] ')
    return text


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.ttl"
    path.write_text(PREFIXES + body, encoding="utf-8")
    return path


def registry(*files: Path) -> Graph:
    """The demo and ``files`` as one graph (rdflib: independent of the store)."""
    data = Graph()
    for path in [*sorted(DEMO.glob("*.ttl")), *files]:
        data.parse(path, format="turtle")
    return data


def too_deep(*files: Path) -> set[str]:
    """The areas that lie in more than MAX_ENCLOSING areas by the declared links."""
    data = registry(*files)
    rows = data.query(
        f"""SELECT ?area (COUNT(DISTINCT ?outer) AS ?n) WHERE {{
              ?area (<{KRB.ligtIn}>|<{GEO.sfWithin}>)+ ?outer
            }} GROUP BY ?area"""
    )
    return {str(row[0]) for row in rows if int(row[1]) > MAX_ENCLOSING}


def nesting_findings(paths: list[Path]) -> dict[str, object]:
    result = validate_paths(paths)
    return {f.focus: f for f in result.findings if f.shape == str(NESTING_CHECK)}


def test_every_area_nested_too_deep_is_named_and_no_other(tmp_path: Path) -> None:
    path = write(tmp_path, "keten", chain(MAX_ENCLOSING + 10))
    expected = too_deep(path)
    assert 5 < len(expected) < 15  # the chain crosses the bound inside itself
    result = validate_paths([DEMO, path])
    found = {f.focus: f for f in result.findings if f.shape == str(NESTING_CHECK)}
    assert set(found) == expected
    assert not result.conforms
    deepest = found[f"{AREA}k{MAX_ENCLOSING + 9}"]
    assert deepest.severity == "Violation" and deepest.path == str(KRB.ligtIn)
    assert f"Gebied k{MAX_ENCLOSING + 9}" in deepest.message_nl
    assert str(MAX_ENCLOSING) in deepest.message_en and "lies in more than" in deepest.message_en
    # The report graph says the same as the findings.
    report = Graph()
    for triple in result.report_triples():
        report.add(triple)
    assert (None, SH.conforms, None) in report
    assert not any(bool(o) for o in report.objects(None, SH.conforms))
    reported = {
        str(report.value(r, SH.focusNode)) for r in report.subjects(SH.sourceShape, NESTING_CHECK)
    }
    assert reported == expected


def test_nesting_up_to_the_bound_is_accepted(tmp_path: Path) -> None:
    # The municipality itself lies in some areas; the chain fills up to the bound.
    probe = write(tmp_path, "probe", chain(1))
    data = registry(probe)
    above_first = len(
        list(data.query(f"SELECT DISTINCT ?o WHERE {{ <{AREA}k0> (<{KRB}ligtIn>)+ ?o }}"))
    )
    path = write(tmp_path, "keten", chain(MAX_ENCLOSING - above_first + 1))
    assert not too_deep(path)
    assert nesting_findings([DEMO, path]) == {}
    longer = write(tmp_path, "langer", chain(MAX_ENCLOSING - above_first + 2))
    assert set(nesting_findings([DEMO, longer])) == {f"{AREA}k{MAX_ENCLOSING - above_first + 1}"}


def test_nesting_by_geometry_alone_is_bounded_too(tmp_path: Path) -> None:
    path = write(tmp_path, "vierkanten", squares(MAX_ENCLOSING + 3))
    assert set(nesting_findings([DEMO, path])) == {
        f"{AREA}v{i}" for i in range(MAX_ENCLOSING + 1, MAX_ENCLOSING + 3)
    }


def test_many_areas_with_the_same_geometry_are_refused(tmp_path: Path) -> None:
    # Copies of one square lie within each other (equal geometries do): each copy lies
    # in all the others. The comparison stops at the first areas found too deep.
    copies = MAX_ENCLOSING + 50
    body = "".join(
        area(f"c{i}", f'; geo:hasGeometry [ geo:asWKT "{SQUARE}"^^geo:wktLiteral ] ')
        for i in range(copies)
    )
    found = nesting_findings([DEMO, write(tmp_path, "kopieen", body)])
    assert found and set(found) <= {f"{AREA}c{i}" for i in range(copies)}


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Store]:
    """A store of this test's own with the model: a copy of one made once per process
    (store_templates; the model does not depend on the base IRI)."""
    folder = copy_of("model", Settings(), ensure_model, tmp_path / "store")
    opened = open_store(Settings(store=str(folder), base_iri=BASE))
    ensure_model(opened)  # nothing to do: the copy has the model
    yield opened
    opened.close()


def test_a_validated_load_refuses_and_writes_nothing(store: Store, tmp_path: Path) -> None:
    before = snapshot(store, tmp_path)
    path = write(tmp_path, "keten", chain(MAX_ENCLOSING + 5))
    with pytest.raises(ValidationFailed) as refused:
        load_paths(store, [DEMO, path], base_iri=BASE)
    assert {f.focus for f in refused.value.result.findings} >= too_deep(path)
    assert same_content(before, snapshot(store, tmp_path))


def test_a_store_loaded_without_validation_stays_bounded_and_servable(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    length = 2_000  # unbounded: two million pairs
    path = write(tmp_path, "keten", chain(length))
    load_paths(store, [DEMO, path], base_iri=BASE, validate=False)
    assert "left out of krb:ligtBinnen" in caplog.text
    counts = {
        str(row[0]): int(row[1])
        for row in store.query(
            f"SELECT ?a (COUNT(?o) AS ?n) WHERE {{ GRAPH <{DERIVED_GRAPH}> "
            f"{{ ?a <{KRB.ligtBinnen}> ?o }} }} GROUP BY ?a"
        ).rows
    }
    assert max(counts.values()) <= MAX_ENCLOSING
    # What lies within the bound keeps its whole closure, with the demo's own areas.
    assert counts[f"{AREA}k0"] == counts[f"{AREA}GM9999"] + 1
    assert counts[f"{AREA}k50"] == counts[f"{AREA}GM9999"] + 51
    assert f"{AREA}k{length - 1}" not in counts


def test_copies_loaded_without_validation_are_left_out_of_the_spatial_relations(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    copies = MAX_ENCLOSING + 50
    body = "".join(
        area(f"c{i}", f'; geo:hasGeometry [ geo:asWKT "{SQUARE}"^^geo:wktLiteral ] ')
        for i in range(copies)
    )
    load_paths(store, [DEMO, write(tmp_path, "kopieen", body)], base_iri=BASE, validate=False)
    assert "their spatial relations are left out" in caplog.text
    within = store.query(
        f"SELECT ?inner ?outer WHERE {{ GRAPH <{DERIVED_GRAPH}> "
        f"{{ ?inner <{GEO.sfWithin}> ?outer }} }}"
    ).rows
    per_area: dict[str, int] = {}
    for inner, _ in within:
        per_area[str(inner)] = per_area.get(str(inner), 0) + 1
    assert max(per_area.values()) <= MAX_ENCLOSING
    # The demo's own areas keep theirs: the plan area Parkrand lies in its buurten.
    assert per_area[f"{AREA}parkrand"] >= 2


def test_a_write_that_derives_everything_refuses_before_it_writes(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_paths(store, [DEMO], base_iri=BASE, validate=False)
    before = snapshot(store, tmp_path)
    # As for a write that changes too much to name: the whole graph derived again.
    monkeypatch.setattr(derived_change_module, "WHOLE_ABOVE", -1)
    path = write(tmp_path, "keten", chain(MAX_ENCLOSING + 5))
    content = Graph().parse(path, format="turtle")
    with pytest.raises(ValidationFailed) as refused:
        write_graph(
            store, ValidationReplica.of(store), f"{BASE}/graph/keten", content, replace=True
        )
    found = {f.focus for f in refused.value.result.findings if f.shape == str(NESTING_CHECK)}
    assert found == too_deep(path) != set()
    assert same_content(before, snapshot(store, tmp_path))


def test_a_write_of_many_area_links_is_refused_by_its_nesting_before_the_shapes(
    store: Store, tmp_path: Path
) -> None:
    """More than AREA_LINKS_FIRST changed krb:ligtIn: derived first, and refused on its
    nesting without the shapes (whose cycle check walks each chain to its top): the
    report names the areas nested too deep and nothing else, not even the norm in the
    same write that breaks a shape; nothing is written."""
    from krbgraph.registry import AREA_LINKS_FIRST

    load_paths(store, [DEMO], base_iri=BASE, validate=False)
    before = snapshot(store, tmp_path)
    broken_norm = (
        f"<{BASE}/id/beleidsnorm/KAPOT> a krb:Beleidsnorm ; "
        'rdfs:label "Norm zonder indicator"@nl ; dct:identifier "KAPOT" .\n'
    )
    path = write(tmp_path, "keten", chain(AREA_LINKS_FIRST + 10) + broken_norm)
    content = Graph().parse(path, format="turtle")
    with pytest.raises(ValidationFailed) as refused:
        write_graph(
            store, ValidationReplica.of(store), f"{BASE}/graph/keten", content, replace=True
        )
    findings = refused.value.result.findings
    # rdflib's path recurses too deep for this chain: count from the municipality up.
    above = len(
        registry().query(f"SELECT DISTINCT ?o WHERE {{ <{AREA}GM9999> <{KRB.ligtIn}>+ ?o }}")
    )
    expected = {
        f"{AREA}k{i}" for i in range(AREA_LINKS_FIRST + 10) if i + 1 + above > MAX_ENCLOSING
    }
    assert {f.focus for f in findings} == expected != set()
    assert all(f.shape == str(NESTING_CHECK) for f in findings)
    assert same_content(before, snapshot(store, tmp_path))


def test_the_service_refuses_a_chain_written_by_sparql_update(tmp_path: Path) -> None:
    store, settings = demo_store(tmp_path)
    try:
        before = snapshot(store, tmp_path)
        path = write(tmp_path, "keten", chain(MAX_ENCLOSING + 5))
        triples = Graph().parse(path, format="turtle").serialize(format="nt")
        update = f"INSERT DATA {{ GRAPH <{BASE}/graph/keten> {{\n{triples}}} }}"
        with served(store, settings) as url:
            answer = httpx.post(
                f"{url}/sparql",
                content=update.encode(),
                headers={"Content-Type": "application/sparql-update"} | AUTH,
                timeout=TIMEOUT,
            )
        assert answer.status_code == 422, answer.text
        named = {item["focus"] for item in answer.json()["findings"]}
        assert named >= too_deep(path)
        assert same_content(before, snapshot(store, tmp_path))
    finally:
        store.close()


@settings(max_examples=150, deadline=None)
@given(
    bound=st.integers(min_value=1, max_value=6),
    edges=st.lists(
        st.tuples(st.integers(min_value=0, max_value=24), st.integers(min_value=0, max_value=24)),
        max_size=60,
    ),
)
def test_the_bounded_closure_is_the_path_or_names_exactly_the_areas_past_the_bound(
    bound: int, edges: list[tuple[int, int]]
) -> None:
    """On random area graphs (cycles and self-loops included), with a small bound: either
    every area lies in at most ``bound`` areas and the closure is what the SPARQL path
    ``krb:ligtIn+`` answers (rdflib, another engine), or the refusal names exactly the
    areas the path puts in more than ``bound`` areas."""
    from rdflib import URIRef

    from krbgraph import containment

    def iri(n: int) -> str:
        return f"{AREA}g{n}"

    data = Graph()
    for inner, outer in edges:
        data.add((URIRef(iri(inner)), KRB.ligtIn, URIRef(iri(outer))))
    pairs = {
        (str(a), str(b)) for a, b in data.query(f"SELECT ?a ?b WHERE {{ ?a <{KRB.ligtIn}>+ ?b }}")
    }
    counts: dict[str, int] = {}
    for inner, _ in pairs:
        counts[inner] = counts.get(inner, 0) + 1
    expected_refused = {area for area, n in counts.items() if n > bound}
    parents = containment.parents_of((iri(i), iri(o)) for i, o in edges)
    original = containment.MAX_ENCLOSING
    containment.MAX_ENCLOSING = bound
    try:
        triples = containment.containment_triples(parents)
    except containment.TooDeeplyNested as refused:
        assert set(refused.areas) == expected_refused != set()
    else:
        assert not expected_refused
        assert {(str(s), str(o)) for s, _, o in triples} == pairs
    finally:
        containment.MAX_ENCLOSING = original
