"""The mark that lets command-line writes be validated by what they change.

A store is marked as conforming when a whole validation passed; writes validated by
change keep the mark, and whatever writes without validating (a load with
--no-validate, a drop, a new model) removes it, so that the next write validates the
whole registry again. What a user must see: a write that breaks a rule is refused with
and without the mark, and data that never was validated is caught by the first
validated write after it, as before the mark existed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from store_templates import copy_of

from krbgraph.commands.serve import demo_paths
from krbgraph.conformance import conforms_known
from krbgraph.dropping import drop_data_graph
from krbgraph.impact import affected
from krbgraph.loading import ValidationFailed, load_paths
from krbgraph.measurements.importing import ImportFailed, import_measurements
from krbgraph.model import project_root
from krbgraph.replica import ValidationReplica
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store

BASE = "https://krb.demogemeente.nl"
DEMO_CSV = project_root() / "examples" / "onderzoek" / "demo-metingen.csv"
POLICY = [path for path in demo_paths() if path.name != "metingen.ttl"]
"""The demo without its measurements, which the tests import themselves."""
NORM_WITHOUT_INDICATOR = f"""
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<{BASE}/id/beleidsnorm/LOS-N01> a krb:Beleidsnorm ;
    rdfs:label "Een norm zonder indicator"@nl .
"""


def _load_policy(store: Store) -> None:
    ensure_model(store)
    load_paths(store, POLICY, base_iri=BASE)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A store of this test's own with the model: a copy of one made once per process
    (store_templates)."""
    with open_store(
        Settings(store=str(copy_of("model", Settings(), ensure_model, tmp_path / "store")))
    ) as opened:
        ensure_model(opened)  # nothing to do: the copy has the model
        yield opened


@pytest.fixture
def policy_store(tmp_path: Path) -> Iterator[Store]:
    """A store of this test's own with the model and the demo's policy loaded with
    validation under BASE (so marked as conforming): a copy of one made once per process.
    That such a load marks the store is asserted by the first test, on a store of its own."""
    folder = copy_of("conformance-policy", Settings(), _load_policy, tmp_path / "store")
    with open_store(Settings(store=str(folder))) as opened:
        yield opened


def _measurements(folder: Path, rows: int, value: str = "50,0") -> Path:
    """A few rows of the demo's measurement file, the value of each set to ``value``."""
    with DEMO_CSV.open(encoding="utf-8") as source:
        reader = csv.DictReader(source, delimiter=";")
        kept = [row for _, row in zip(range(rows), reader, strict=False)]
        fields = reader.fieldnames or []
    for row in kept:
        row["waarde"] = value
    path = folder / "metingen.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fields, delimiter=";")
        writer.writeheader()
        writer.writerows(kept)
    return path


def test_a_whole_validation_marks_the_store_and_unvalidated_writes_forget_it(
    store: Store, tmp_path: Path
) -> None:
    assert not conforms_known(store)  # nothing was validated yet
    load_paths(store, POLICY, base_iri=BASE)
    assert conforms_known(store)
    import_measurements(store, _measurements(tmp_path, 5), base_iri=BASE)
    assert conforms_known(store)  # validated by what it changed: still known

    extra = tmp_path / "los.ttl"
    extra.write_text(NORM_WITHOUT_INDICATOR, encoding="utf-8")
    load_paths(store, [extra], base_iri=BASE, validate=False)
    assert not conforms_known(store)
    drop_data_graph(store, f"{BASE}/graph/los")
    assert not conforms_known(store)  # a drop is not validated either
    import_measurements(store, _measurements(tmp_path, 5, "51,0"), base_iri=BASE)
    assert conforms_known(store)  # validated whole, and it passed

    ensure_model(store, reload=True)  # a new model or new shapes: validated whole again
    assert not conforms_known(store)


def test_data_loaded_without_validation_is_caught_by_the_next_validated_write(
    policy_store: Store, tmp_path: Path
) -> None:
    store = policy_store  # POLICY loaded with validation under BASE
    extra = tmp_path / "los.ttl"
    extra.write_text(NORM_WITHOUT_INDICATOR, encoding="utf-8")
    load_paths(store, [extra], base_iri=BASE, validate=False)
    with pytest.raises(ImportFailed) as refused:
        import_measurements(store, _measurements(tmp_path, 3), base_iri=BASE)
    assert any("LOS-N01" in str(problem) for problem in refused.value.problems)


def test_a_write_that_breaks_a_rule_is_refused_on_a_marked_store_and_named_by_line(
    policy_store: Store, tmp_path: Path
) -> None:
    store = policy_store  # POLICY loaded with validation under BASE
    assert conforms_known(store)
    before = set(store.query("SELECT ?s ?p ?o ?g { GRAPH ?g { ?s ?p ?o } }").rows)
    extra = tmp_path / "los.ttl"
    extra.write_text(NORM_WITHOUT_INDICATOR, encoding="utf-8")
    with pytest.raises(ValidationFailed) as refused:
        load_paths(store, [extra], base_iri=BASE)
    assert any("LOS-N01" in str(f.focus) for f in refused.value.result.findings)
    assert any(str(extra) in str(place) for place in refused.value.result.places.values())
    assert set(store.query("SELECT ?s ?p ?o ?g { GRAPH ?g { ?s ?p ?o } }").rows) == before
    assert conforms_known(store)


def test_a_changed_measurement_value_is_validated_at_its_observation_only(
    policy_store: Store, tmp_path: Path
) -> None:
    """A measurement's result is a blank node typed qudt:QuantityValue, which no shape
    targets: a new value revalidates its observation, not the whole registry."""
    store = policy_store  # POLICY loaded with validation under BASE
    import_measurements(store, _measurements(tmp_path, 2), base_iri=BASE)
    replica = ValidationReplica.of(store)
    result = ox.NamedNode("http://www.w3.org/ns/sosa/hasResult")
    value = "http://qudt.org/schema/qudt/numericValue"
    link = next(iter(replica.quads_matching(None, result, None)))
    assert isinstance(link.object, ox.BlankNode)
    old = [link, *replica.quads_matching(link.object, None, None)]
    fresh = ox.BlankNode()  # the import writes a new result, as a re-import does
    new = (
        [ox.Quad(link.subject, result, fresh, link.graph_name)]
        + [
            ox.Quad(
                fresh,
                q.predicate,
                ox.Literal("49.0", datatype=q.object.datatype)  # type: ignore[union-attr]
                if q.predicate.value == value
                else q.object,
                q.graph_name,
            )
            for q in old[1:]
        ]
    )
    assert any(q.predicate.value.endswith("#type") for q in new)
    with replica.trial(new, old):
        found = affected(replica, new, old)
    assert found is not None and link.subject.value in {str(n) for n in found}
    assert len(found) < 10


def test_an_own_class_made_a_subclass_of_a_model_class_revalidates_its_blank_instances(
    policy_store: Store, tmp_path: Path
) -> None:
    """A blank node of an own class, valid while no shape targets the class, becomes a
    policy norm when the class is made a subclass of krb:Beleidsnorm: the write that
    says so is refused on a marked store as on an unmarked one (no walk from the class
    reaches a blank node, so the whole registry is validated)."""
    store = policy_store  # POLICY loaded with validation under BASE
    first = tmp_path / "eigen1.ttl"
    first.write_text(
        f"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{BASE}/id/x/1> <{BASE}/def/gem#p> [ a <{BASE}/def/gem#Eigen> ; rdfs:label "Iets"@nl ] .
""",
        encoding="utf-8",
    )
    load_paths(store, [first], base_iri=BASE)
    assert conforms_known(store)
    second = tmp_path / "eigen2.ttl"
    second.write_text(
        f"""@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{BASE}/def/gem#Eigen> rdfs:subClassOf <https://data.krb.nl/def/krb#Beleidsnorm> .
""",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed):
        load_paths(store, [second], base_iri=BASE)
    assert conforms_known(store)
