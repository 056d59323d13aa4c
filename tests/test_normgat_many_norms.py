"""normgat with many norms on one indicator: the effects found by the derived
``krb:werktOpIndicator``, with the same answers as the path they were found by.

normgat looks up the intended effects on the indicator of every row it answers. It did
so by the path ``krb:doelIndicator|krb:norm/krb:indicator`` from the bound indicator,
which enumerates every norm of that indicator per row: N x N lookups for N norms on one
indicator (2,000 norms took 16 s, 3,000 47 s; the service's answer ran into its 30 s
limit). The derived graph now holds what that path answers, per effect
(krbgraph.effect_targets), and normgat looks it up.

The query as it was is kept as the reference (tests/data/queries/normgat-reference.rq);
here both answer the same, row for row and column for column, on the demo, on the
generator's registry with effects on an indicator in every way the path reads (by a
norm, directly, both, by two norms, on two indicators), and on a registry with many
norms on one indicator, at dates before, within and after the periods, with and
without an area and a theme, also after writes through the service that move a norm
or an effect to another indicator. The time it takes with many norms on one indicator
is measured by bench/normgat_norms.py (machine-dependent, so not here).
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from demo_backends import embedded_demo_fixture, fill_with_demo
from fastapi.testclient import TestClient
from store_templates import copy_of

from krbgraph.derived import DERIVED_GRAPH, derive, refresh
from krbgraph.namespaces import KRB
from krbgraph.queries import Catalogue, load_catalogue, parse_query, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = parse_query(
    "normgat-reference",
    (ROOT / "tests" / "data" / "queries" / "normgat-reference.rq").read_text(encoding="utf-8"),
)
CATALOGUE = Catalogue([load_catalogue()["normgat"], REFERENCE])
DATES = ["2005-01-01", "2021-06-30", "2026-12-07", "2031-01-01"]
DEMO = "https://krb.demogemeente.nl/id/"
GROOTSTAD = "https://krb.grootstad.nl/graph/registry"
VEEL = f"{DEMO}beleidsthema/veel"
VEEL_INDICATOR = f"{DEMO}beleidsindicator/VEEL-I"
PREFIXES = """PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
"""

Rows = Counter[tuple[str | None, ...]]

demo = embedded_demo_fixture("demo")


def _answer(store: Store, name: str, values: dict[str, str]) -> tuple[tuple[str, ...], Rows]:
    result = run_named_query(store, CATALOGUE, name, values)
    rows = Counter(tuple(None if t is None else t.n3() for t in row) for row in result.rows)
    return result.variables, rows


def _same_answers(store: Store, values: dict[str, str]) -> Rows:
    """normgat's answer, which must be the reference's (all columns, every row as often)."""
    columns, answer = _answer(store, "normgat", values)
    assert columns == tuple(c.name for c in REFERENCE.columns)
    assert (columns, answer) == _answer(store, "normgat-reference", values), values
    return answer


def _column(answer: Rows, column: str) -> list[str | None]:
    """The values of ``column``, a row each: an IRI, or the text of a literal."""
    position = [c.name for c in REFERENCE.columns].index(column)
    values = [row[position] for row, n in answer.items() for _ in range(n)]
    return [
        None if v is None else v.strip("<>") if v.startswith("<") else v.split('"')[1]
        for v in values
    ]


def _counted(answer: Rows) -> int:
    """How many rows count an effect (the column effecten above 0)."""
    return sum(1 for value in _column(answer, "effecten") if int(value or 0) > 0)


# --------------------------------------------------------------------------- registries


def _with_every_way_to_an_indicator(store: Store) -> None:
    """The generator's effects, each on one norm, varied by the last digit of their
    code: -0 also on its norm's indicator directly (the path finds it twice), -1 on the
    indicator instead of the norm, -2 also on a second norm of the same indicator, -3
    also on another indicator directly (two indicators)."""
    # An update reads the default graph, not the union: the patterns name the graph.
    store.update(
        PREFIXES
        + f"""
        INSERT {{ GRAPH ?g {{ ?e krb:doelIndicator ?i }} }}
        WHERE {{ GRAPH ?g {{ ?e a krb:BeoogdEffect ; krb:norm ?n . ?n krb:indicator ?i }}
                 FILTER (STRENDS(STR(?e), "-0")) }} ;
        DELETE {{ GRAPH ?g {{ ?e krb:norm ?n }} }}
        INSERT {{ GRAPH ?g {{ ?e krb:doelIndicator ?i }} }}
        WHERE {{ GRAPH ?g {{ ?e a krb:BeoogdEffect ; krb:norm ?n . ?n krb:indicator ?i }}
                 FILTER (STRENDS(STR(?e), "-1")) }} ;
        INSERT {{ GRAPH ?g {{ ?e krb:norm ?tweede }} }}
        WHERE {{ GRAPH ?g {{ ?e a krb:BeoogdEffect ; krb:norm ?n . ?n krb:indicator ?i .
                             ?tweede krb:indicator ?i }}
                 FILTER (?tweede != ?n && STRENDS(STR(?e), "-2")) }} ;
        INSERT {{ GRAPH ?g {{ ?e krb:doelIndicator ?ander }} }}
        WHERE {{ {{ SELECT (MIN(STR(?x)) AS ?eerste) WHERE {{
                   GRAPH <{GROOTSTAD}> {{ ?x a krb:Beleidsindicator }} }} }}
                 BIND (IRI(?eerste) AS ?ander)
                 GRAPH ?g {{ ?e a krb:BeoogdEffect ; krb:norm ?n . ?n krb:indicator ?i }}
                 FILTER (?ander != ?i && STRENDS(STR(?e), "-3")) }}"""
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The demo and the generator's registry (about 20,000 triples) side by side."""
    folder = tmp_path_factory.mktemp("normgat-generated")
    file = folder / "generated.nt"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py")]
        + ["--triples", "20000", "--seed", "11", "--out", str(file)],
        check=True,
        capture_output=True,
    )

    def fill(store: Store) -> None:
        fill_with_demo(store)
        store.load_files({GROOTSTAD: [file]}, replace=True)
        _with_every_way_to_an_indicator(store)
        refresh(store)

    copy_of("normgat-generated", Settings(), fill, folder / "db")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        yield handle


def many_norms(count: int, *, effects: bool = True) -> str:
    """Turtle: a theme, an indicator of it, ``count`` norms on it in the demo
    municipality (maximaal i.5 dB(A)), and with ``effects`` measurements of it in the
    municipality and the Parkstraat and a planned measure with effects on it by a norm,
    directly and by both."""
    lines = [
        "@prefix krb: <https://data.krb.nl/def/krb#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "@prefix qudt: <http://qudt.org/schema/qudt/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "@prefix sosa: <http://www.w3.org/ns/sosa/> .",
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix unit: <http://qudt.org/vocab/unit/> .",
        f"<{VEEL}> a krb:Beleidsthema, skos:Concept ; skos:prefLabel 'Veel'@nl ; "
        f"skos:inScheme <{DEMO}conceptschema/beleidsthemas> ; "
        f"skos:topConceptOf <{DEMO}conceptschema/beleidsthemas> .",
        f"<{VEEL_INDICATOR}> a krb:Beleidsindicator ; rdfs:label 'Veel normen'@nl ; "
        f"dct:identifier 'VEEL-I' ; krb:beleidsthema <{VEEL}> ; qudt:hasUnit unit:DeciB_A ; "
        "krb:indicatorsoort <https://data.krb.nl/id/begrip/indicatorsoort/systeemindicator> .",
    ]
    for i in range(count):
        lines.append(
            f"<{DEMO}beleidsnorm/VEEL-{i:05d}> a krb:Beleidsnorm ; rdfs:label 'Veel {i}'@nl ; "
            f"dct:identifier 'VEEL-{i:05d}' ; krb:indicator <{VEEL_INDICATOR}> ; "
            "krb:document <https://krb.demogemeente.nl/id/besluitdocument/GEL-2030> ; "
            "krb:operator <https://data.krb.nl/id/begrip/normoperator/maximaal> ; "
            f"qudt:numericValue '{i}.5'^^xsd:decimal ; qudt:hasUnit unit:DeciB_A ; "
            f"krb:werkingsgebied <{DEMO}werkingsgebied/GM9999> ; "
            "krb:bestuurslaag <https://data.krb.nl/id/begrip/bestuurslaag/gemeente> ."
        )
    if effects:
        for area, value in (("GM9999", "20.0"), ("parkstraat", "30.0")):
            lines.append(
                f"<{DEMO}meting/VEEL-{area}> a sosa:Observation ; rdfs:label 'Meting {area}'@nl ; "
                f"sosa:observedProperty <{VEEL_INDICATOR}> ; "
                f"sosa:hasFeatureOfInterest <{DEMO}werkingsgebied/{area}> ; "
                f"sosa:hasResult [ qudt:numericValue '{value}'^^xsd:decimal ; "
                "qudt:hasUnit unit:DeciB_A ] ; sosa:phenomenonTime [ a dct:PeriodOfTime ; "
                "dcat:startDate '2025-01-01'^^xsd:date ; dcat:endDate '2025-12-31'^^xsd:date ] ."
            )
        lines.append(
            f"<{DEMO}beleidsmaatregel/VEEL-M> a krb:Beleidsmaatregel ; "
            "rdfs:label 'Veel stiller'@nl ; "
            f"dct:identifier 'VEEL-M' ; krb:beleidsthema <{VEEL}> ; "
            "krb:document <https://krb.demogemeente.nl/id/besluitdocument/GEL-2030> ; "
            f"krb:werkingsgebied <{DEMO}werkingsgebied/GM9999> ."
        )
        targets = {
            "norm": f"krb:norm <{DEMO}beleidsnorm/VEEL-00003>",
            "direct": f"krb:doelIndicator <{VEEL_INDICATOR}>",
            "beide": f"krb:norm <{DEMO}beleidsnorm/VEEL-00007> ; "
            f"krb:doelIndicator <{VEEL_INDICATOR}>",
        }
        for n, (name, target) in enumerate(targets.items(), start=1):
            lines.append(
                f"<{DEMO}beoogd-effect/VEEL-{name}> a krb:BeoogdEffect ; "
                f"rdfs:label 'Effect {name}'@nl ; "
                f"krb:maatregel <{DEMO}beleidsmaatregel/VEEL-M> ; {target} ; "
                f"qudt:numericValue '-{n}.0'^^xsd:decimal ; qudt:hasUnit unit:DeciB_A ."
            )
    return "\n".join(lines) + "\n"


def _many(store: Store, folder: Path, count: int, *, effects: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / f"veel-{count}.ttl"
    file.write_text(many_norms(count, effects=effects), encoding="utf-8")
    fill_with_demo(store)
    store.load_files({f"{DEMO}graph/veel": [file]}, replace=True)
    refresh(store)


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The demo and 60 norms on one indicator, with measurements and effects."""
    folder = tmp_path_factory.mktemp("normgat-many")
    copy_of("normgat-many", Settings(), lambda s: _many(s, folder, 60), folder / "db")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        yield handle


# ---------------------------------------------------------------------------- answers


def _choices(store: Store, registry: str) -> list[dict[str, str]]:
    """No restriction, the area with most norms, the theme with most norms, and both."""
    area, theme = store.query(
        PREFIXES
        + f"""SELECT ?gebied ?thema WHERE {{
          {{ SELECT ?gebied WHERE {{ GRAPH <{registry}> {{ ?n krb:werkingsgebied ?gebied ;
                                                             a krb:Beleidsnorm }} }}
             GROUP BY ?gebied ORDER BY DESC(COUNT(?n)) ?gebied LIMIT 1 }}
          {{ SELECT ?thema WHERE {{ GRAPH <{registry}> {{ ?n a krb:Beleidsnorm ;
                                                           krb:indicator ?i }}
                                    ?i krb:beleidsthema ?thema }}
             GROUP BY ?thema ORDER BY DESC(COUNT(?n)) ?thema LIMIT 1 }} }}"""
    ).rows[0]
    return [
        {},
        {"gebied": str(area)},
        {"thema": str(theme)},
        {"gebied": str(area), "thema": str(theme)},
    ]


@pytest.mark.parametrize("day", DATES)
def test_the_demo_is_answered_as_the_path_answered(demo: Store, day: str) -> None:
    counted = 0
    for values in _choices(demo, "https://krb.demogemeente.nl/id/graph/demo"):
        counted += _counted(_same_answers(demo, {"datum": day, **values}))
    if day == "2026-12-07":  # not vacuous: effects still to come close gaps then
        assert counted > 0


@pytest.mark.parametrize("day", DATES)
def test_a_generated_registry_is_answered_as_the_path_answered(generated: Store, day: str) -> None:
    counted = 0
    for values in _choices(generated, GROOTSTAD):
        counted += _counted(_same_answers(generated, {"datum": day, **values}))
    if day in ("2021-06-30", "2026-12-07"):
        assert counted > 0


def test_the_generated_effects_reach_their_indicators_in_every_way(generated: Store) -> None:
    """The variations are there: effects on a norm and directly, on two norms of one
    indicator, on two indicators."""
    kinds = generated.query(
        PREFIXES
        + """SELECT (SUM(IF(?direct && ?norms > 0, 1, 0)) AS ?both)
                    (SUM(IF(?direct && ?norms = 0, 1, 0)) AS ?direct_only)
                    (SUM(IF(?norms > 1, 1, 0)) AS ?two_norms)
                    (SUM(IF(?targets > 1, 1, 0)) AS ?two_indicators) WHERE {
          { SELECT ?e (COUNT(DISTINCT ?n) AS ?norms) WHERE {
              ?e a krb:BeoogdEffect OPTIONAL { ?e krb:norm ?n } } GROUP BY ?e }
          BIND (EXISTS { ?e krb:doelIndicator [] } AS ?direct)
          { SELECT ?e (COUNT(?i) AS ?targets) WHERE {
              ?e a krb:BeoogdEffect OPTIONAL { ?e krb:werktOpIndicator ?i } } GROUP BY ?e } }"""
    ).rows[0]
    assert all(int(str(n)) > 0 for n in kinds), kinds


@pytest.mark.parametrize("day", ["2021-06-30", "2026-12-07"])
def test_many_norms_on_one_indicator_are_answered_as_the_path_answered(
    many: Store, day: str
) -> None:
    area = f"{DEMO}werkingsgebied/GM9999"
    street = f"{DEMO}werkingsgebied/parkstraat"
    answers = [
        _same_answers(many, {"datum": day, **values})
        for values in ({}, {"thema": VEEL}, {"gebied": area, "thema": VEEL}, {"gebied": street})
    ]
    if day == "2026-12-07":
        # The measured 20 and 30 dB(A) miss the norms below them, in two areas; every
        # such row counts the three effects (on a norm, directly, by both: once).
        veel = answers[1]
        assert Counter(_column(veel, "meetgebied")) == {
            f"{DEMO}werkingsgebied/GM9999": 20,
            f"{DEMO}werkingsgebied/parkstraat": 30,
        }
        assert set(_column(veel, "effecten")) == {"3"}
        assert set(_column(veel, "beoogd")) == {"-6"}
        assert set(_column(veel, "oordeel")) == {"sluit", "sluit niet"}


def test_writes_keep_the_effects_found_as_the_path_finds_them(tmp_path: Path) -> None:
    """Through the service, on the demo: a norm with an effect moved to another indicator
    and back, a direct effect moved to another indicator, an effect on a norm made one
    on an indicator; after each the stored derived graph is the one derived from
    scratch, and normgat answers as the path did."""
    from test_sparql_support import demo_store, post_update

    from krbgraph.web.app import create_app

    store, config = demo_store(tmp_path)

    def moved(subject: str, predicate: str, new: str, old_predicate: str = "") -> str:
        old = old_predicate or predicate
        return f"""DELETE {{ GRAPH ?g {{ <{DEMO}{subject}> <{KRB}{old}> ?o }} }}
            INSERT {{ GRAPH ?g {{ <{DEMO}{subject}> <{KRB}{predicate}> <{DEMO}{new}> }} }}
            WHERE {{ GRAPH ?g {{ <{DEMO}{subject}> <{KRB}{old}> ?o }} }}"""

    updates = [
        moved("beleidsnorm/GEL-N01", "indicator", "beleidsindicator/BOU-I03"),
        moved("beleidsnorm/GEL-N01", "indicator", "beleidsindicator/GEL-I01"),
        moved("beoogd-effect/ENE-E02", "doelIndicator", "beleidsindicator/GEL-I01"),
        moved("beoogd-effect/GEL-E01", "doelIndicator", "beleidsindicator/BOU-I03", "norm"),
    ]
    targets = f"SELECT ?e ?i WHERE {{ ?e <{KRB.werktOpIndicator}> ?i }}"
    with store, TestClient(create_app(config, store=store)) as client:
        before = set(store.query(targets).rows)
        for update in updates:
            post_update(client, update)
            stored = {(s.n3(), p.n3(), o.n3()) for s, p, o in store.read_graph(DERIVED_GRAPH)}
            assert stored == {(s.n3(), p.n3(), o.n3()) for s, p, o in derive(store)}, update
            after = set(store.query(targets).rows)
            assert after != before, f"the write moved an effect's indicator: {update}"
            before = after
            for day in ("2021-06-30", "2026-12-07"):
                _same_answers(store, {"datum": day})


# ------------------------------------------------------------------------------ scale
