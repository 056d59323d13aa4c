"""The audit trail: records built by audit_quads, read back by history and `krb history`.

A real embedded store in a temporary folder; the ontology is parsed to check
that every term a record uses is defined there with Dutch and English names.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest
import typer
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from typer.testing import CliRunner

from krbgraph.audit import (
    AUDIT_GRAPH,
    DEFAULT_GRAPH,
    HISTORY_QUERY,
    MAX_HISTORY,
    SOURCE_LIMIT,
    agent_iri,
    audit_quads,
    history,
    insert_data,
    is_audit_graph,
    record,
)
from krbgraph.commands import history as history_commands
from krbgraph.model import project_root
from krbgraph.namespaces import KRB, PROV
from krbgraph.queries import ParameterError, load_catalogue, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import Store, open_store

BASE = "https://krb.demogemeente.nl"
GELUID = f"{BASE}/graph/geluid"
GROEN = f"{BASE}/graph/groen"
T0 = datetime(2026, 12, 1, 9, 30, 0, 123456, tzinfo=UTC)


def by_predicate(quads: list[ox.Quad], predicate: str) -> list[ox.NamedNode | ox.Literal]:
    return [q.object for q in quads if q.predicate.value == predicate]


# --- records ---------------------------------------------------------------------------


def test_a_record_is_one_prov_activity_in_the_audit_graph() -> None:
    local = timezone(timedelta(hours=1))
    quads = audit_quads(
        "redactie", T0.astimezone(local), [GELUID, None, GELUID], 3, 1, "INSERT DATA {}"
    )
    assert {q.graph_name for q in quads} == {ox.NamedNode(AUDIT_GRAPH)}
    assert not any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object))
    changes = {q.subject for q in quads if q.object == ox.NamedNode(str(PROV.Activity))}
    assert len(changes) == 1
    change = changes.pop()
    own = [q for q in quads if q.subject == change]
    assert by_predicate(own, str(RDF.type)) == [
        ox.NamedNode(str(PROV.Activity)),
        ox.NamedNode(str(KRB.Wijziging)),
    ]
    agent = ox.NamedNode(agent_iri("redactie"))
    assert by_predicate(own, str(PROV.wasAssociatedWith)) == [agent]
    assert ox.Quad(agent, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PROV.Agent)),
                   ox.NamedNode(AUDIT_GRAPH)) in quads  # fmt: skip
    assert by_predicate(quads, str(RDFS.label)) == [ox.Literal("redactie")]
    (started,) = by_predicate(own, str(PROV.startedAtTime))
    assert started.value == "2026-12-01T09:30:00.123456Z"  # stored in UTC
    assert started.datatype.value.endswith("#dateTime")
    assert sorted(o.value for o in by_predicate(own, str(KRB.wijzigdeGraaf))) == sorted(
        [GELUID, DEFAULT_GRAPH]
    )  # each graph once, the default graph by krb:standaardgraaf
    assert [o.value for o in by_predicate(own, str(KRB.aantalToegevoegd))] == ["3"]
    assert [o.value for o in by_predicate(own, str(KRB.aantalVerwijderd))] == ["1"]
    assert [o.value for o in by_predicate(own, str(KRB.bron))] == ["INSERT DATA {}"]


def test_each_record_is_a_new_activity() -> None:
    first = audit_quads("redactie", T0, [GELUID], 1, 0, "x")
    second = audit_quads("redactie", T0, [GELUID], 1, 0, "x")
    assert first[0].subject != second[0].subject


def test_a_long_update_is_cut_and_says_so() -> None:
    source = "INSERT DATA { " + "<a> <b> <c> . " * 2000 + "}"
    (kept,) = by_predicate(audit_quads("redactie", T0, [GELUID], 1, 0, source), str(KRB.bron))
    assert kept.value.startswith(source[:SOURCE_LIMIT])
    assert len(kept.value) < SOURCE_LIMIT + 100
    assert f"{len(source) - SOURCE_LIMIT} characters left out" in kept.value


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("redactie", datetime(2026, 12, 1, 9, 30), [GELUID], 1, 0, "x"), "time zone"),
        (("redactie", T0, [GELUID], -1, 0, "x"), "negative"),
        (("<redactie>", T0, [GELUID], 1, 0, "x"), "not a token name"),
    ],
)
def test_a_record_refuses_what_it_cannot_state(args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        audit_quads(*args)


def test_only_the_audit_graph_is_the_audit_graph() -> None:
    assert is_audit_graph(AUDIT_GRAPH)
    for other in (None, GELUID, AUDIT_GRAPH + "/", AUDIT_GRAPH.upper()):
        assert not is_audit_graph(other)
    with pytest.raises(ValueError):
        insert_data([ox.Quad(ox.NamedNode("https://x/a"), ox.NamedNode("https://x/b"),
                             ox.Literal("c"), ox.NamedNode(GELUID))])  # fmt: skip


def test_the_ontology_defines_every_krb_term_of_a_record_in_dutch_and_english() -> None:
    ontology = Graph().parse(project_root() / "ontology" / "krb.ttl", format="turtle")
    used = {
        term
        for q in audit_quads("redactie", T0, [GELUID, None], 1, 0, "x")
        for term in (q.predicate, q.object)
        if isinstance(term, ox.NamedNode) and term.value.startswith(str(KRB))
    }
    assert {t.value for t in used} >= {str(KRB.Wijziging), str(KRB.standaardgraaf)}
    for term in used:
        iri = URIRef(term.value)
        assert (iri, RDF.type, None) in ontology, iri
        languages = {label.language for label in ontology.objects(iri, RDFS.label)}
        assert languages >= {"nl", "en"}, iri
        assert {d.language for d in ontology.objects(iri, SKOS.definition)} >= {"nl", "en"}
    assert (KRB.Wijziging, RDFS.subClassOf, PROV.Activity) in ontology
    assert (KRB.standaardgraaf, RDF.type, OWL.NamedIndividual) in ontology


# --- history ---------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(Settings(store=str(tmp_path / "store"), engine="embedded"))
    yield opened
    opened.close()


def three_changes(store: Store) -> None:
    record(store, audit_quads("redactie", T0, [GELUID], 3, 0, "INSERT DATA { ... }"))
    record(store, audit_quads("wijk-noord", T0 + timedelta(minutes=5), [GROEN], 1, 2, "groen.ttl"))
    record(store, audit_quads("beheer", T0 + timedelta(hours=1), [GELUID, None], 0, 7, "DROP"))


def test_history_reads_the_records_back_newest_first(store: Store) -> None:
    three_changes(store)
    entries = history(store)
    assert [e.writer for e in entries] == ["beheer", "wijk-noord", "redactie"]
    newest = entries[0]
    assert newest.at == T0 + timedelta(hours=1)
    assert newest.graphs == (None, GELUID)  # the default graph as None
    assert (newest.added, newest.removed, newest.source) == (0, 7, "DROP")
    assert entries[1].as_json() | {"change": ""} == {
        "change": "",
        "at": "2026-12-01T09:35:00.123456Z",
        "writer": "wijk-noord",
        "graphs": [GROEN],
        "added": 1,
        "removed": 2,
        "source": "groen.ttl",
    }


def test_history_filters_by_graph_time_and_count(store: Store) -> None:
    three_changes(store)
    assert [e.writer for e in history(store, graph=GELUID)] == ["beheer", "redactie"]
    assert [e.writer for e in history(store, graph=DEFAULT_GRAPH)] == ["beheer"]
    assert history(store, graph=f"{BASE}/graph/elders") == []
    assert [e.writer for e in history(store, limit=2)] == ["beheer", "wijk-noord"]
    older = history(store, before=T0 + timedelta(minutes=5))
    assert [e.writer for e in older] == ["redactie"]
    paged = history(store, limit=1, before=history(store, limit=2)[-1].at)
    assert [e.writer for e in paged] == ["redactie"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_paging_back_by_the_last_change_shown_skips_and_repeats_nothing(
    store: Store, seed: int
) -> None:
    """Writes within one clock tick share a time: pages cut among them lose none.

    Thirty records over four distinct times (so most share theirs), in random order;
    pages of a random size, each after the last change of the one before, together
    are the whole history in its order, each record once.
    """
    rng = random.Random(seed)
    times = [T0 + timedelta(seconds=rng.randrange(4)) for _ in range(30)]
    for number, at in enumerate(times):
        record(store, audit_quads(f"schrijver-{number}", at, [GELUID], 1, 0, "x"))
    whole = history(store, limit=MAX_HISTORY)
    assert len(whole) == 30
    assert [e.at for e in whole] == sorted(times, reverse=True)
    paged: list[str] = []
    last: str | None = None
    while True:
        page = history(store, limit=rng.randint(1, 4), before_change=last)
        if not page:
            break
        paged += [e.change for e in page]
        last = page[-1].change
    assert paged == [e.change for e in whole]


def test_paging_by_a_change_refuses_one_not_recorded_and_two_cursors(store: Store) -> None:
    three_changes(store)
    with pytest.raises(ValueError, match="no recorded change"):
        history(store, before_change=f"{BASE}/id/norm/1")
    with pytest.raises(ValueError, match="not both"):
        history(store, before=T0, before_change=history(store)[0].change)


def test_the_history_query_by_name_takes_a_moment_in_any_zone_and_refuses_none(
    store: Store,
) -> None:
    """`krb query geschiedenis --param voor=...` is the same filter as `krb history`."""
    three_changes(store)
    catalogue = load_catalogue()

    def writers(moment: str) -> list[str]:
        answer = run_named_query(store, catalogue, HISTORY_QUERY, {"voor": moment})
        return [str(row["schrijver"]) for row in answer.dicts()]

    five_past = T0 + timedelta(minutes=5)
    assert writers(five_past.isoformat()) == ["redactie"]
    in_amsterdam = five_past.astimezone(timezone(timedelta(hours=1))).isoformat()
    assert writers(in_amsterdam) == ["redactie"]
    assert writers("2099-01-01T00:00:00Z") == ["beheer", "wijk-noord", "redactie"]
    for naive in ("2026-12-01T09:35:00", "2026-12-01", "gisteren"):
        with pytest.raises(ParameterError, match="time zone"):
            writers(naive)
    # XSD's zones end at 14 hours; 24:00 is the next day's first moment.
    with pytest.raises(ParameterError, match="-14:00..\\+14:00"):
        writers("2099-01-01T00:00:00+15:00")
    assert writers("2099-01-01T00:00:00+14:00") == ["beheer", "wijk-noord", "redactie"]
    assert writers("2026-12-01T00:00:00-14:00") == ["beheer", "wijk-noord", "redactie"]
    assert writers("2026-11-30T24:00:00Z") == []  # 2026-12-01T00:00Z, before T0
    assert writers("2026-12-01T24:00:00Z") == ["beheer", "wijk-noord", "redactie"]


def test_history_of_an_empty_store_is_empty(store: Store) -> None:
    assert history(store) == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"limit": 0}, "limit 0"),
        ({"limit": MAX_HISTORY + 1}, "limit"),
        ({"graph": "not an iri"}, "is not an IRI"),
        ({"before": datetime(2026, 12, 1)}, "time zone"),
    ],
)
def test_history_refuses_bad_options(store: Store, options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        history(store, **options)


def test_data_in_other_graphs_cannot_forge_the_history(store: Store) -> None:
    """A writer's name and the records come from the audit graph only."""
    record(store, audit_quads("redactie", T0, [GELUID], 3, 0, "x"))
    forged = Graph()
    agent = URIRef(agent_iri("redactie"))
    forged.add((agent, RDFS.label, Literal("beheer")))
    fake = URIRef("urn:uuid:00000000-0000-0000-0000-000000000000")
    for quad in audit_quads("beheer", T0 + timedelta(days=1), [GELUID], 9, 9, "x"):
        subject = fake if quad.subject.value.startswith("urn:uuid:") else URIRef(quad.subject.value)
        value = quad.object
        obj = (
            URIRef(value.value)
            if isinstance(value, ox.NamedNode)
            else Literal(value.value, datatype=URIRef(value.datatype.value))
        )
        forged.add((subject, URIRef(quad.predicate.value), obj))
    store.write_graphs({GELUID: forged}, replace=False)
    assert [(e.writer, e.added) for e in history(store)] == [("redactie", 3)]


# --- krb history -----------------------------------------------------------------------


def history_cli() -> typer.Typer:
    app = typer.Typer()
    history_commands.register(app)
    app.command("noop", hidden=True)(lambda: None)  # keeps "history" a subcommand
    return app


@pytest.fixture
def store_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    opened = open_store(Settings(store=str(folder), engine="embedded"))
    try:
        three_changes(opened)
    finally:
        opened.close()
    return folder


def run_cli(folder: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        history_cli(), ["history", *args], env={"KRB_STORE": str(folder), "KRB_ENGINE": ""}
    )
    return result.exit_code, result.stdout, result.stderr


def test_krb_history_json_lists_the_changes_newest_first(store_folder: Path) -> None:
    code, out, _ = run_cli(store_folder, "--format", "json", "--graph", GELUID)
    assert code == 0
    answer = json.loads(out)
    assert [entry["writer"] for entry in answer] == ["beheer", "redactie"]
    assert answer[1]["source"] == "INSERT DATA { ... }"


def test_krb_history_table_shows_names_and_counts(store_folder: Path) -> None:
    code, out, _ = run_cli(store_folder, "--limit", "2")
    assert code == 0
    assert "beheer" in out and "wijk-noord" in out and "redactie" not in out
    assert "(default graph)" in out


def test_krb_history_to_a_file_writes_each_time_and_graph_whole(
    store_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`krb history > woo.txt` at 80 columns cut times and graph IRIs with an ellipsis
    (two graphs of one municipality read alike): written to a file, each stays one string."""
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = run_cli(store_folder)
    assert code == 0
    _, answer, _ = run_cli(store_folder, "--format", "json")
    for entry in json.loads(answer):
        # One line per change: a grep for a graph finds its time and writer with it.
        (line,) = [line for line in out.splitlines() if entry["at"] in line]
        assert entry["writer"] in line
        assert all((g or "(default graph)") in line for g in entry["graphs"]), line
    assert "…" not in out


def test_krb_history_pages_back_by_the_last_change_shown(store_folder: Path) -> None:
    _, first, _ = run_cli(store_folder, "--format", "json", "--limit", "2")
    last = json.loads(first)[-1]["change"]
    code, rest, _ = run_cli(store_folder, "--format", "json", "--before-change", last)
    assert code == 0
    assert [entry["writer"] for entry in json.loads(rest)] == ["redactie"]
    code, _, err = run_cli(store_folder, "--before-change", f"{BASE}/id/geen")
    assert code == 2
    assert "no recorded change" in err


def test_krb_history_of_nothing_says_so_and_writes_nothing(store_folder: Path) -> None:
    code, out, err = run_cli(store_folder, "--graph", f"{BASE}/graph/elders")
    assert (code, out) == (0, "")
    assert "no recorded changes of that graph" in err


def test_krb_history_refuses_bad_options_with_exit_2(store_folder: Path) -> None:
    for args, message in (
        (["--before", "gisteren"], "not an ISO 8601 time"),
        (["--before", "2026-12-01T10:00:00"], "needs a time zone"),
        (["--limit", "0"], "limit 0"),
    ):
        code, _, err = run_cli(store_folder, *args)
        assert code == 2
        assert message in err


def test_every_audit_record_conforms_to_its_shape() -> None:
    """The records audit_quads writes are complete by the shapes' own rule, and one that
    lost a field is reported."""
    from krbgraph.shacl import validate_graph as validate_compiled
    from krbgraph.store.terms import rdflib_graph

    quads = audit_quads(
        "beheer", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), [None, "urn:g"], 3, 1, "INSERT"
    )
    shapes = Graph().parse(project_root() / "ontology" / "shapes" / "audit.ttl")
    record = rdflib_graph(quads)
    assert validate_compiled(record, shapes).conforms
    broken = rdflib_graph(q for q in quads if "aantalVerwijderd" not in q.predicate.value)
    report = validate_compiled(broken, shapes)
    assert not report.conforms
    assert {str(r.path.write(Graph())) for r in report.results if r.path is not None} == {
        "https://data.krb.nl/def/krb#aantalVerwijderd"
    }
