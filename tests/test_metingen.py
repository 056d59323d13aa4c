"""`krb import-metingen`: a measurements CSV becomes observations in a graph of its own.

Checked on a real embedded store holding the model and the demo registry: the
demo's measurements are exactly what its CSV imports, StatLine conventions and
units are understood, and a file with any problem is refused as a whole with
every problem at its line and column, leaving the store as it was.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from krbgraph.commands import metingen as metingen_commands
from krbgraph.commands.serve import demo_paths
from krbgraph.loading import ValidationFailed, load_paths
from krbgraph.measurements.csvrows import parse_number, parse_period, parse_rows, read_rows
from krbgraph.measurements.importing import ImportFailed, Unreadable, import_measurements
from krbgraph.model import project_root
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store

BASE = "https://krb.demogemeente.nl"
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
DEMO_CSV = project_root() / "examples" / "onderzoek" / "demo-metingen.csv"
DEMO_TTL = project_root() / "examples" / "onderzoek" / "metingen.ttl"
HEADER = "indicator;gebied;jaar;periode_van;periode_tot;waarde;eenheid;bron\n"

VALUE_OF = """
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT ?gebied ?van ?tot ?waarde ?eenheid WHERE {
  GRAPH ?g {
    ?m sosa:hasFeatureOfInterest ?gebied ;
       sosa:phenomenonTime [ dcat:startDate ?van ; dcat:endDate ?tot ] ;
       sosa:hasResult [ qudt:numericValue ?waarde ; qudt:hasUnit ?eenheid ] .
  }
} ORDER BY ?gebied ?van
"""


def _load_demo_without_measurements(store: Store) -> None:
    ensure_model(store)
    paths = [p for p in demo_paths() if p.name != "metingen.ttl"]  # sources stay
    load_paths(store, paths, replace=True, validate=False)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("metingen")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        _load_demo_without_measurements(handle)
        yield handle


def _canonical(graph: Graph) -> Graph:
    """Decimals by value: Turtle writes 52.0 where the store gives back 52."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


def _csv(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _values(store: Store, graph: str) -> list[tuple[str, str, str, Decimal, str]]:
    rows = store.query(VALUE_OF, bindings={"g": URIRef(graph)}).rows
    return [
        (str(g).rsplit("/", 1)[1], str(v), str(t), Decimal(str(w)), str(u).rsplit("/", 1)[1])
        for g, v, t, w, u in rows
    ]


def test_the_demo_measurements_are_what_the_demo_csv_imports(store: Store) -> None:
    report = import_measurements(store, DEMO_CSV, base_iri=BASE)
    assert report.measurements == 20  # 4 of them energy labels
    assert report.converted == 1  # Parkzicht's 450 m, stored as 0.45 km
    imported = store.read_graph(report.graph)
    assert isomorphic(_canonical(imported), _canonical(Graph().parse(DEMO_TTL, format="turtle")))
    store.drop_graph(report.graph)


def test_statline_codes_decimal_commas_and_convertible_units(store: Store, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "statline.csv",
        "GRO-I01;BU99990201;2023JJ00;;;0,45;km;cbs-nabijheid\n"
        "GRO-I01;BU99990201;;2024KW02;;1.250,5;m;cbs-nabijheid\n"
        "GRO-I01;WK999902;;01-03-2024;31-03-2024;0.3;km;https://opendata.cbs.nl/\n"
        "GEZ-I01;WK999901;2023;;;0,081;{fraction};ggd-gezondheidsmonitor\n",
    )
    report = import_measurements(store, path, base_iri=BASE)
    assert report.graph == f"{BASE}/graph/metingen/statline"
    assert report.converted == 2
    assert _values(store, report.graph) == [
        ("BU99990201", "2023-01-01", "2023-12-31", Decimal("0.45"), "KiloM"),
        ("BU99990201", "2024-04-01", "2024-06-30", Decimal("1.2505"), "KiloM"),
        ("WK999901", "2023-01-01", "2023-12-31", Decimal("8.1"), "PERCENT"),
        ("WK999902", "2024-03-01", "2024-03-31", Decimal("0.3"), "KiloM"),
    ]
    store.drop_graph(report.graph)


def test_every_bad_row_is_reported_at_its_line_and_column_and_nothing_is_written(
    store: Store, tmp_path: Path
) -> None:
    good = _csv(tmp_path, "wijk.csv", "GRO-I01;WK999902;2024;;;0,55;km;cbs-nabijheid\n")
    first = import_measurements(store, good, base_iri=BASE)
    before = _values(store, first.graph)
    bad = _csv(
        tmp_path,
        "wijk.csv",
        "GRO-I01;WK999902;2025;;;0,40;km;cbs-nabijheid\n"  # fine, but the file is not
        "GRO-I99;WK999902;2025;;;0,40;km;cbs-nabijheid\n"
        "GRO-I01;WK999902;2025;;;veel;km;cbs-nabijheid\n"
        "GRO-I01;WK999902;2025;;;0,4;dB(A);cbs-nabijheid\n"
        "GRO-I01;BU12345678;2025;;;0,4;km;cbs-nabijheid\n"
        "GRO-I01;WK999902;2025XX01;;;0,4;km;cbs-nabijheid\n"
        "GRO-I01;WK999902;;2025-02-01;2025-01-01;0,4;km;cbs-nabijheid\n"
        "GRO-I01;WK999902;2025;;;0,4;km;onbekende-bron\n"
        "GRO-I01;WK999902;2025;;;0,41;km;cbs-nabijheid\n",
    )
    with pytest.raises(ImportFailed) as failed:
        import_measurements(store, bad, base_iri=BASE)
    where = [(p.line, p.column) for p in failed.value.problems]
    assert where == [
        (3, "indicator"),
        (4, "waarde"),
        (5, "eenheid"),
        (6, "gebied"),
        (7, "jaar"),
        (8, "periode_tot"),
        (9, "bron"),
        (10, None),  # the same measurement as line 2
    ]
    texts = [p.text_nl for p in failed.value.problems]
    assert texts[0].startswith("wijk.csv:3, kolom indicator: geen beleidsindicator")
    assert "niet om te rekenen naar de eenheid van de indicator, km" in texts[2]
    assert "regel 2" in texts[7]
    assert _values(store, first.graph) == before  # the earlier import is untouched
    store.drop_graph(first.graph)


def test_a_row_whose_text_is_wrong_still_has_what_it_names_looked_up(
    store: Store, tmp_path: Path
) -> None:
    """One run shows every fix a row needs: a value that is no number and an unknown
    indicator, area, source and sector on the same line are all reported, and a wrong
    period beside an unknown area too; nothing is written."""
    path = tmp_path / "alles-fout.csv"
    path.write_text(
        "indicator;gebied;jaar;waarde;eenheid;bron;sector\n"
        "GRO-I99;BU12345678;2025;veel;km;onbekende-bron;geen-sector\n"
        "GRO-I01;BU12345678;2025XX01;0,4;km;cbs-nabijheid;\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as failed:
        import_measurements(store, path, base_iri=BASE)
    where = sorted((p.line, p.column) for p in failed.value.problems)
    assert where == [
        (2, "bron"),
        (2, "gebied"),
        (2, "indicator"),
        (2, "sector"),
        (2, "waarde"),
        (3, "gebied"),
        (3, "jaar"),
    ]
    assert not store.query(
        f"ASK {{ GRAPH <{BASE}/graph/metingen/alles-fout> {{ ?s ?p ?o }} }}"
    ).boolean


def test_a_file_without_the_required_columns_is_refused_before_any_row(tmp_path: Path) -> None:
    rows, problems = parse_rows("indicator,gebied,waarde\nGEL-I01,GM9999,48\n", "kort.csv")
    assert rows == []
    assert problems[0].text_en == (
        "kort.csv:1: columns missing: eenheid, bron, jaar (or periode_van and periode_tot)"
    )


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2023", (date(2023, 1, 1), date(2023, 12, 31))),
        ("2023JJ00", (date(2023, 1, 1), date(2023, 12, 31))),
        ("2024KW01", (date(2024, 1, 1), date(2024, 3, 31))),
        ("2023KW04", (date(2023, 10, 1), date(2023, 12, 31))),
        ("2024MM02", (date(2024, 2, 1), date(2024, 2, 29))),
        ("2023MM13", None),
        ("23", None),
    ],
)
def test_cbs_period_codes(text: str, period: tuple[date, date] | None) -> None:
    assert parse_period(text) == period


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("47,3", Decimal("47.3")),
        ("47.3", Decimal("47.3")),
        ("1.234,5", Decimal("1234.5")),
        ("1.250.000", Decimal(1250000)),  # several groups: only thousands separators
        ("-1.250.000,5", Decimal("-1250000.5")),
        ("0.125", Decimal("0.125")),
        ("-0,1", Decimal("-0.1")),
        ("\u22120,15", Decimal("-0.15")),
        (".", None),
        ("1,2,3", None),
        ("12a", None),
    ],
)
def test_numbers_as_dutch_spreadsheets_write_them(text: str, number: Decimal | None) -> None:
    assert parse_number(text) == number


def test_the_command_exits_1_with_every_problem_and_0_after_a_fix(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    with open_store(Settings(store=str(folder))) as handle:
        _load_demo_without_measurements(handle)
    app = typer.Typer()
    metingen_commands.register(app)
    app.command("noop", hidden=True)(lambda: None)  # a group of one command keeps its name
    runner = CliRunner()
    bad = _csv(tmp_path, "geluid.csv", "GEL-I01;parkstraat;2025;;;49,6;km;geluidmeetnet\n")
    result = runner.invoke(app, ["import-metingen", str(bad), "--store", str(folder)])
    assert result.exit_code == 1, result.output
    assert "geluid.csv:2, kolom eenheid" in result.stderr
    assert "nothing loaded" in result.stderr
    good = _csv(tmp_path, "geluid.csv", "GEL-I01;parkstraat;2025;;;49,6;dB(A);geluidmeetnet\n")
    result = runner.invoke(app, ["import-metingen", str(good), "--store", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"loaded <{BASE}/graph/metingen/geluid>: 1 measurements" in result.stdout
    missing = runner.invoke(
        app, ["import-metingen", str(tmp_path / "nope.csv"), "--store", str(folder)]
    )
    assert missing.exit_code == 2
    # A graph of the model is refused in one line, as krb load refuses it (a traceback).
    other = _csv(tmp_path, "ander.csv", "GEL-I01;parkstraat;2023;;;49,6;dB(A);geluidmeetnet\n")
    model = runner.invoke(
        app,
        [
            "import-metingen",
            str(other),
            "--store",
            str(folder),
            "--graph",
            "https://data.krb.nl/def/krb",
        ],
    )
    assert model.exit_code == 2 and "Traceback" not in model.output, model.output
    assert "graph of the KRB model" in " ".join(model.stderr.split())


def test_energy_labels_are_read_by_name_for_an_indicator_without_a_unit(
    store: Store, tmp_path: Path
) -> None:
    """ENE-I01 has no unit and its norm ENE-N01 compares energy labels: a label in waarde
    with an empty eenheid is stored as the label concept itself; anything else is refused."""
    good = _csv(tmp_path, "labels.csv", "ENE-I01;BU99990201;2026;;;c;;https://www.ep-online.nl/\n")
    report = import_measurements(store, good, base_iri=BASE)
    stored = store.read_graph(report.graph)
    sosa = Namespace("http://www.w3.org/ns/sosa/")
    assert list(stored.objects(None, sosa.hasResult)) == [
        URIRef("https://data.krb.nl/id/begrip/energielabel/C")
    ]
    store.drop_graph(report.graph)
    bad = _csv(
        tmp_path,
        "labels.csv",
        "ENE-I01;BU99990201;2026;;;Z;;https://www.ep-online.nl/\n"
        "GEL-I01;parkstraat;2026;;;C;;geluidmeetnet\n",
    )
    with pytest.raises(ImportFailed) as failed:
        import_measurements(store, bad, base_iri=BASE)
    where = [(p.line, p.column) for p in failed.value.problems]
    assert where == [(2, "waarde"), (3, "eenheid")]
    assert "A++++, A+++, A++, A+, A, B, C, D, E, F, G" in failed.value.problems[0].text_en


def test_the_shapes_refuse_a_label_for_an_indicator_with_a_unit(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "label.ttl"
    path.write_text(
        """
@prefix sosa: <http://www.w3.org/ns/sosa/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://krb.demogemeente.nl/id/meting/fout> a sosa:Observation ;
  sosa:observedProperty <https://krb.demogemeente.nl/id/beleidsindicator/GEL-I01> ;
  sosa:hasFeatureOfInterest <https://krb.demogemeente.nl/id/werkingsgebied/parkstraat> ;
  sosa:phenomenonTime [ dcat:startDate "2026-01-01"^^xsd:date ;
                        dcat:endDate "2026-12-31"^^xsd:date ] ;
  sosa:hasResult <https://data.krb.nl/id/begrip/energielabel/C> ;
  dct:source <https://www.ep-online.nl/> .
""",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as failed:
        load_paths(store, [path], graph=f"{BASE}/graph/fout", base_iri=BASE)
    messages = [f.message_en for f in failed.value.result.violations()]
    assert any("has a label" in m and "its indicator has a unit" in m for m in messages)


@pytest.mark.parametrize(
    ("column", "concept"),
    [
        ("sector", "https://data.krb.nl/id/begrip/energielabel/A"),
        ("materiaal", "https://data.krb.nl/id/begrip/normoperator/maximaal"),
    ],
)
def test_the_shapes_refuse_a_classification_from_another_list(
    store: Store, tmp_path: Path, column: str, concept: str
) -> None:
    """A measurement's sector and material come from the lists a norm's do: any concept
    passed (an energy label as the sector), and the measurement then matched no norm of
    its real sector."""
    path = tmp_path / "klasse.ttl"
    path.write_text(
        f"""
@prefix sosa: <http://www.w3.org/ns/sosa/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://krb.demogemeente.nl/id/meting/klasse> a sosa:Observation ;
  sosa:observedProperty <https://krb.demogemeente.nl/id/beleidsindicator/GEL-I01> ;
  sosa:hasFeatureOfInterest <https://krb.demogemeente.nl/id/werkingsgebied/parkstraat> ;
  sosa:phenomenonTime [ dcat:startDate "2026-01-01"^^xsd:date ;
                        dcat:endDate "2026-12-31"^^xsd:date ] ;
  sosa:hasResult [ a qudt:QuantityValue ; qudt:numericValue 51.0 ;
                   qudt:hasUnit <http://qudt.org/vocab/unit/DeciB_A> ] ;
  <https://data.krb.nl/def/krb#{column}> <{concept}> ;
  dct:source <https://www.ep-online.nl/> .
""",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as failed:
        load_paths(store, [path], graph=f"{BASE}/graph/klasse", base_iri=BASE)
    violations = failed.value.result.violations()
    assert [str(v.path) for v in violations] == [f"https://data.krb.nl/def/krb#{column}"], [
        v.message_en for v in violations
    ]


def test_the_leefomgeving_column_takes_imbor_and_local_object_types(
    store: Store, tmp_path: Path
) -> None:
    header = "indicator;gebied;jaar;waarde;eenheid;bron;leefomgeving\n"
    path = tmp_path / "leefomgeving.csv"
    path.write_text(
        header + "GEZ-I01;WK999901;2023;7,5;%;ggd-gezondheidsmonitor;woningen\n"
        "GRO-I01;WK999902;2023;0,5;km;cbs-nabijheid;83a942f7-5291-42f0-afb1-9a57d0fb2f15\n"
        "GRO-I01;WK999903;2023;0,5;km;cbs-nabijheid;Boom\n",
        encoding="utf-8",
    )
    report = import_measurements(store, path, base_iri=BASE)
    stored = store.read_graph(report.graph)
    krb = Namespace("https://data.krb.nl/def/krb#")
    boom = "https://data.crow.nl/imbor/def/83a942f7-5291-42f0-afb1-9a57d0fb2f15"
    assert sorted(str(o) for o in stored.objects(None, krb.leefomgeving)) == [
        boom,  # by UUID
        boom,  # by name
        f"{BASE}/id/leefomgeving/woningen",  # the demo's own object type
    ]
    store.drop_graph(report.graph)
    path.write_text(header + "GEZ-I01;WK999901;2023;7,5;%;ggd-gezondheidsmonitor;Walvis\n")
    with pytest.raises(ImportFailed) as failed:
        import_measurements(store, path, base_iri=BASE)
    assert [(p.line, p.column) for p in failed.value.problems] == [(2, "leefomgeving")]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_an_excel_unicode_text_file_is_read_as_the_text_it_holds(
    store: Store, tmp_path: Path, encoding: str
) -> None:
    """Excel's "Unicode text" save: UTF-16 with a BOM, tab-separated, CRLF. Its bytes are
    also valid Windows-1252, read as which they were a NUL after every letter, on which
    the csv module stopped with a traceback."""
    text = (
        "indicator\tgebied\tjaar\twaarde\teenheid\tbron\trekenmethode\r\n"
        "GEL-I01\tparkstraat\t2020\t52,0\tdB(A)\tgeluidmeetnet\tLden, één jaar\r\n"
    )
    path = tmp_path / "unicode.csv"
    path.write_bytes(("\ufeff" + text).encode(encoding))  # the BOM gives the byte order
    rows, problems = read_rows(path)
    assert problems == []
    assert [(r.line, r.indicator, r.rekenmethode) for r in rows] == [
        (2, "GEL-I01", "Lden, één jaar")
    ]
    report = import_measurements(store, path, base_iri=BASE)
    assert _values(store, report.graph) == [
        ("parkstraat", "2020-01-01", "2020-12-31", Decimal("52.0"), "DeciB_A")
    ]
    store.drop_graph(report.graph)


@pytest.mark.parametrize("end", ["\r", "\r\n", "\n"])
def test_every_line_ending_reads_the_same_rows_at_the_same_lines(tmp_path: Path, end: str) -> None:
    """Excel for Mac's "CSV (Macintosh)" ends lines with CR alone: it was refused as one
    line with new-line characters in unquoted fields."""
    lines = [
        "indicator;gebied;jaar;waarde;eenheid;bron;rekenmethode",
        'GEL-I01;parkstraat;2020;52,0;dB(A);geluidmeetnet;"Lden,' + end + 'één jaar"',
        "GEL-I01;parkstraat;2021;veel;dB(A);geluidmeetnet;",
        "GEL-I01;parkstraat;2022;51,0;dB(A);geluidmeetnet;",
    ]
    path = tmp_path / "regeleinden.csv"
    path.write_bytes(end.join(lines).encode("utf-8") + end.encode())
    rows, problems = read_rows(path)
    good = [(r.line, r.rekenmethode) for r in rows if not r.broken]
    assert good == [(2, "Lden,\néén jaar"), (5, None)]
    assert [(p.line, p.column) for p in problems] == [(4, "waarde")]


def test_rows_after_a_field_across_lines_are_reported_at_the_line_they_start_on(
    store: Store, tmp_path: Path
) -> None:
    """A quoted rekenmethode with a line break in it is one row on two lines: the rows
    after it are where the editor shows them, and a bad row across lines at its first."""
    path = tmp_path / "meerregelig.csv"
    path.write_text(
        "indicator;gebied;jaar;waarde;eenheid;bron;rekenmethode\n"
        'GEL-I01;parkstraat;2020;52,0;dB(A);geluidmeetnet;"Lden volgens het\n'
        'Reken- en meetvoorschrift geluid 2012"\n'
        "GEL-I01;parkstraat;2022;5x;dB(A);geluidmeetnet;Lden\n"
        'GEL-I01;parkstraat;2023;;dB(A);geluidmeetnet;"Lden\n'
        "\n"
        'over twee regels"\n'
        "GEL-I01;parkstraat;2024;49\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as failed:
        import_measurements(store, path, base_iri=BASE)
    where = [(p.line, p.column) for p in failed.value.problems]
    assert where == [(4, "waarde"), (5, "waarde"), (8, None)]
    assert failed.value.problems[0].text_nl.startswith("meerregelig.csv:4, kolom waarde: '5x'")


def _cli(tmp_path: Path) -> tuple[typer.Typer, Path]:
    folder = tmp_path / "db"
    with open_store(Settings(store=str(folder))) as handle:
        _load_demo_without_measurements(handle)
    app = typer.Typer()
    metingen_commands.register(app)
    app.command("noop", hidden=True)(lambda: None)  # a group of one command keeps its name
    return app, folder


def test_a_field_longer_than_the_csv_module_reads_is_refused_at_its_line_and_column(
    tmp_path: Path,
) -> None:
    """The csv module stops at 128 KB a field; the command said so with a traceback."""
    app, folder = _cli(tmp_path)
    runner = CliRunner()
    good = _csv(tmp_path, "lang.csv", "GEL-I01;parkstraat;2025;;;49,6;dB(A);geluidmeetnet\n")
    assert runner.invoke(app, ["import-metingen", str(good), "--store", str(folder)]).exit_code == 0
    header = "indicator;gebied;jaar;waarde;eenheid;bron;rekenmethode\n"
    row = "GEL-I01;parkstraat;2025;49,6;dB(A);geluidmeetnet;"
    path = tmp_path / "lang.csv"
    path.write_text(header + row + "Lden\n" + row + "Lden " * 30_000 + "\n", encoding="utf-8")
    result = runner.invoke(app, ["import-metingen", str(path), "--store", str(folder)])
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, csv.Error)
    assert "lang.csv:3, column rekenmethode: the field is longer than 131072" in result.stderr
    with open_store(Settings(store=str(folder))) as handle:
        assert _values(handle, f"{BASE}/graph/metingen/lang") == [
            ("parkstraat", "2025-01-01", "2025-12-31", Decimal("49.6"), "DeciB_A")
        ]  # the earlier import is untouched


def test_a_quote_never_closed_is_pointed_at_where_its_field_starts(tmp_path: Path) -> None:
    """Without its closing quote a field swallows the rest of the file until the csv
    module gives up, many lines on: the line to fix is where that field starts."""
    row = "GEL-I01;parkstraat;2025;49,6;dB(A);geluidmeetnet;Lden\n"
    path = tmp_path / "quote.csv"
    path.write_text(
        "indicator;gebied;jaar;waarde;eenheid;bron;rekenmethode\n"
        + row
        + 'GEL-I01;parkstraat;2024;"49,6;dB(A);geluidmeetnet;Lden\n'
        + row * 3000,
        encoding="utf-8",
    )
    with pytest.raises(Unreadable) as refused:
        read_rows(path)
    assert str(refused.value).startswith("quote.csv:3, column waarde: the field is longer")
    assert str(refused.value).endswith('is a quote (") left unclosed?')


def test_a_lone_carriage_return_inside_a_row_ends_the_line_as_the_editor_shows_it(
    tmp_path: Path,
) -> None:
    """A lone carriage return (old Mac line ends) inside a row is a line break, as a text
    editor shows it: the two halves are reported at their own lines, not a traceback
    and not the csv module's "new-line character seen in unquoted field"."""
    path = tmp_path / "mac.csv"
    path.write_bytes(
        b"indicator;gebied;jaar;waarde;eenheid;bron\n"
        b"GEL-I01;parkstraat;2025;49,6;dB(A);geluidmeetnet\n"
        b"GEL-I01;parkstraat;2024;49,6;dB(A)\rgeluidmeetnet\n"
    )
    rows, problems = read_rows(path)
    assert [r.line for r in rows] == [2]
    assert [(p.line, p.message_en) for p in problems] == [
        (3, "the line has 5 fields, the header 6"),
        (4, "the line has 1 fields, the header 6"),
    ]


def test_thousands_points_are_read_where_they_can_only_be_that_and_refused_where_ambiguous(
    store: Store, tmp_path: Path
) -> None:
    """A Dutch spreadsheet writes 1250 as 1.250, an English one 1,25 as 1.250: a factor
    1000 apart, so that one is refused at its line and column, never guessed (as the
    workbook refuses thousands separators). Several groups or a decimal comma are clear."""
    ambiguous = _csv(
        tmp_path,
        "duizend.csv",
        "GRO-I01;BU99990202;2025;;;1.250;m;cbs-nabijheid\n"
        "GRO-I01;BU99990201;2025;;;1.250,0;m;cbs-nabijheid\n"
        "GRO-I01;WK999901;2025;;;-12.500;m;cbs-nabijheid\n",
    )
    with pytest.raises(ImportFailed) as failed:
        import_measurements(store, ambiguous, base_iri=BASE)
    assert [(p.line, p.column) for p in failed.value.problems] == [(2, "waarde"), (4, "waarde")]
    first = failed.value.problems[0].text_nl
    assert first.startswith("duizend.csv:2, kolom waarde: '1.250' is dubbelzinnig")
    assert "schrijf 1250 of 1,25" in first
    clear = _csv(
        tmp_path,
        "duizend.csv",
        "GRO-I01;BU99990202;2025;;;1.250.000;m;cbs-nabijheid\n"
        "GRO-I01;BU99990201;2025;;;1.250,0;m;cbs-nabijheid\n"
        "GRO-I01;WK999901;2025;;;0.125;km;cbs-nabijheid\n",
    )
    report = import_measurements(store, clear, base_iri=BASE)
    assert {(area, value) for area, _, _, value, _ in _values(store, report.graph)} == {
        ("BU99990202", Decimal(1250)),  # km
        ("BU99990201", Decimal("1.25")),
        ("WK999901", Decimal("0.125")),
    }
    store.drop_graph(report.graph)


UNITLESS_POLICY = """
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix id: <https://krb.demogemeente.nl/id/> .
@prefix begrip: <https://data.krb.nl/id/begrip/> .
<https://krb.demogemeente.nl/id/beleidsindicator/T-I05> a krb:Beleidsindicator ;
    rdfs:label "Indicator zonder eenheid"@nl ; dct:identifier "T-I05" ;
    krb:beleidsthema <https://krb.demogemeente.nl/id/beleidsthema/groen> ;
    krb:beleidsaspect <https://krb.demogemeente.nl/id/beleidsaspect/groen-openbaar> ;
    krb:indicatorsoort <https://data.krb.nl/id/begrip/indicatorsoort/effectindicator-sociaal> ;
    krb:afdeling <https://krb.demogemeente.nl/id/afdeling/openbare-ruimte> .
<https://krb.demogemeente.nl/id/beleidsnorm/T-N05> a krb:Beleidsnorm ;
    rdfs:label "T5 maximaal 400 m"@nl ; dct:identifier "T-N05" ;
    krb:indicator <https://krb.demogemeente.nl/id/beleidsindicator/T-I05> ;
    krb:document <https://krb.demogemeente.nl/id/besluitdocument/GRO-2035> ;
    krb:operator <https://data.krb.nl/id/begrip/normoperator/maximaal> ;
    qudt:numericValue 400.0 ; qudt:hasUnit unit:M ;
    krb:normsoort <https://data.krb.nl/id/begrip/normsoort/streefwaarde> ;
    krb:werkingsgebied <https://krb.demogemeente.nl/id/werkingsgebied/WK999902> ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2025-01-01"^^xsd:date ;
                   dcat:endDate "2035-12-31"^^xsd:date ] ;
    krb:bestuurslaag <https://data.krb.nl/id/begrip/bestuurslaag/gemeente> .
"""


def test_a_value_of_another_kind_than_the_norms_of_an_indicator_without_unit_is_refused(
    store: Store, tmp_path: Path
) -> None:
    """T-I05 has no unit, its norm is in m: nothing else says what it measures, so a
    value in kg (1 in SI, as a metre is) is refused where it can be fixed; one in km is
    a length and is kept."""
    policy = tmp_path / "zonder-eenheid.ttl"
    policy.write_text(UNITLESS_POLICY, encoding="utf-8")
    graph = f"{BASE}/graph/test-zonder-eenheid"
    load_paths(store, [policy], graph=graph, base_iri=BASE, validate=False)
    try:
        bad = _csv(
            tmp_path,
            "kilo.csv",
            "T-I05;BU99990202;2025;;;500;kg;cbs-nabijheid\n"
            "T-I05;BU99990201;2025;;;0,5;km;cbs-nabijheid\n"
            "T-I05;WK999901;2025;;;50;%;cbs-nabijheid\n",
        )
        with pytest.raises(ImportFailed) as failed:
            import_measurements(store, bad, base_iri=BASE)
        problems = failed.value.problems
        assert [(p.line, p.column) for p in problems] == [(2, "eenheid"), (4, "eenheid")]
        assert problems[0].text_en.startswith("kilo.csv:2, column eenheid: 'kg' (kg) does not")
        assert "norms on this indicator (m)" in problems[0].text_en
        good = _csv(tmp_path, "kilo.csv", "T-I05;BU99990201;2025;;;0,5;km;cbs-nabijheid\n")
        report = import_measurements(store, good, base_iri=BASE)
        assert _values(store, report.graph) == [
            ("BU99990201", "2025-01-01", "2025-12-31", Decimal("0.5"), "KiloM")
        ]
        store.drop_graph(report.graph)
    finally:
        store.drop_graph(graph)


def test_a_measurement_another_graph_holds_is_refused_naming_that_graph_and_source(
    store: Store, tmp_path: Path
) -> None:
    """The municipal noise network and an RIVM model give GEL-I01 for the Parkstraat in
    2025. A measurement is one per indicator, area, period and classification, so the
    second is refused, saying where the first is, not that its row has two results."""
    first = _csv(
        tmp_path, "geluidmeetnet.csv", "GEL-I01;parkstraat;2025;;;49,6;dB(A);geluidmeetnet\n"
    )
    report = import_measurements(store, first, base_iri=BASE)
    try:
        before = _values(store, report.graph)
        for name, bron in (
            ("rivm.csv", "https://www.rivm.nl/geluid"),
            ("kopie.csv", "geluidmeetnet"),
        ):
            second = _csv(tmp_path, name, f"GEL-I01;parkstraat;2025;;;50,2;dB(A);{bron}\n")
            with pytest.raises(ImportFailed) as failed:
                import_measurements(store, second, base_iri=BASE)
            problems = failed.value.problems
            assert [(p.file, p.line) for p in problems] == [(name, 2)]
            assert f"already in graph {report.graph} ({BASE}/id/databron/geluidmeetnet)" in (
                problems[0].text_en
            )
            assert "two results" not in problems[0].text_en
        assert _values(store, report.graph) == before
        # The file itself may be imported again: it replaces its own graph.
        assert import_measurements(store, first, base_iri=BASE).replaced
    finally:
        store.drop_graph(report.graph)


def test_a_graph_holding_policy_is_not_replaced_by_measurements(
    store: Store, tmp_path: Path
) -> None:
    """`--graph .../graph/gebieden`, typed for "the measurements of the areas", replaced
    that graph: its areas were gone, exit 0."""
    graph = f"{BASE}/graph/gebieden"
    before = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    rows = _csv(tmp_path, "gebieden.csv", "GEL-I01;parkstraat;2025;;;49,6;dB(A);geluidmeetnet\n")
    with pytest.raises(ImportFailed) as failed:
        import_measurements(store, rows, base_iri=BASE, graph=graph)
    assert "holds what no measurement import writes" in failed.value.problems[0].text_en
    assert "Werkingsgebied" in failed.value.problems[0].text_en
    after = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert after.rows == before.rows


def test_a_measurement_stays_one_however_editions_of_its_areas_code_come_and_go(
    store: Store, tmp_path: Path
) -> None:
    """Codes are reused between editions of the CBS map (krb:cbsJaar). A measurement's
    IRI that changed once a second edition was registered let the same measurement in
    twice, from a second file (the duplicate check compares IRIs)."""
    old = f"{BASE}/id/werkingsgebied/binnenstad-2019"
    extra = f"{BASE}/graph/oude-buurten"
    first = _csv(tmp_path, "eerste.csv", "GEL-I01;BU99990101;2025;;;49,6;dB(A);geluidmeetnet\n")
    graphs = [import_measurements(store, first, base_iri=BASE).graph]
    store.update(
        f"""PREFIX krb: <https://data.krb.nl/def/krb#>
        PREFIX dct: <http://purl.org/dc/terms/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        INSERT DATA {{ GRAPH <{extra}> {{
          <{old}> a krb:Werkingsgebied ; rdfs:label "Binnenstad (2019)"@nl ;
            dct:identifier "BU99990101" ; skos:notation "BU99990101" ;
            krb:cbsJaar "2019"^^xsd:gYear ;
            krb:gebiedssoort <https://data.krb.nl/id/begrip/gebiedssoort/buurt> ;
            krb:ligtIn <{BASE}/id/werkingsgebied/WK999901> .
        }} }}"""
    )
    try:
        second = _csv(tmp_path, "tweede.csv", "GEL-I01;BU99990101;2025;;;53;dB(A);geluidmeetnet\n")
        with pytest.raises(ImportFailed) as failed:
            import_measurements(store, second, base_iri=BASE)
        assert f"already in graph {graphs[0]}" in failed.value.problems[0].text_en
    finally:
        for graph in [*graphs, extra]:
            store.drop_graph(graph)


OTHER = "https://krb.anderestad.nl"
NATIONAL = "https://krb.landelijk.nl"
TWO_REGISTRIES = f"""
PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
INSERT DATA {{ GRAPH <{OTHER}/graph/beleid> {{
  <{OTHER}/id/beleidsindicator/GEL-I01> a krb:Beleidsindicator ;
    rdfs:label "Geluid op de gevel"@nl ; dct:identifier "GEL-I01" ;
    krb:beleidsthema <{BASE}/id/beleidsthema/geluid> ;
    krb:indicatorsoort <https://data.krb.nl/id/begrip/indicatorsoort/effectindicator-milieu> ;
    qudt:hasUnit <http://qudt.org/vocab/unit/DeciB_A> .
  <{OTHER}/id/werkingsgebied/parkstraat> a krb:Werkingsgebied ;
    rdfs:label "Parkstraat"@nl ; dct:identifier "parkstraat" ;
    krb:gebiedssoort <https://data.krb.nl/id/begrip/gebiedssoort/straat> .
  <{BASE}/id/werkingsgebied/binnenstad-2019> a krb:Werkingsgebied ;
    rdfs:label "Binnenstad (2019)"@nl ;
    dct:identifier "BU99990101" ; skos:notation "BU99990101" ;
    krb:cbsJaar "2019"^^xsd:gYear ;
    krb:gebiedssoort <https://data.krb.nl/id/begrip/gebiedssoort/buurt> .
}} }}"""


def _measured(store: Store, graph: str) -> dict[str, tuple[str, str]]:
    rows = store.query(
        """PREFIX sosa: <http://www.w3.org/ns/sosa/>
        SELECT ?m ?i ?a WHERE { GRAPH ?g { ?m sosa:observedProperty ?i ;
                                              sosa:hasFeatureOfInterest ?a } }""",
        bindings={"g": URIRef(graph)},
    ).rows
    return {str(m): (str(i), str(a)) for m, i, a in rows}


def test_things_that_share_a_code_keep_their_measurements_apart(
    store: Store, tmp_path: Path
) -> None:
    """A national store holds two municipalities' GEL-I01 and parkstraat, and a
    municipality two editions of the CBS map with one buurt code. Their measurements of
    one period are as many measurements as there are (indicator, area) pairs: IRIs made
    of the codes alone made them one, and every row after the first was refused."""
    store.update(TWO_REGISTRIES)
    demo_i, other_i = f"{BASE}/id/beleidsindicator/GEL-I01", f"{OTHER}/id/beleidsindicator/GEL-I01"
    demo_a, other_a = (
        f"{BASE}/id/werkingsgebied/parkstraat",
        f"{OTHER}/id/werkingsgebied/parkstraat",
    )
    editions = [f"{BASE}/id/werkingsgebied/BU99990101", f"{BASE}/id/werkingsgebied/binnenstad-2019"]
    pairs = [(i, a) for i in (demo_i, other_i) for a in (demo_a, other_a)]
    pairs += [(demo_i, edition) for edition in editions]
    body = "".join(
        f"{i};{a};2025;;;{50 + n};dB(A);geluidmeetnet\n" for n, (i, a) in enumerate(pairs)
    )
    graphs = []
    try:
        own = import_measurements(store, _csv(tmp_path, "gemeente.csv", body), base_iri=BASE)
        graphs.append(own.graph)
        measured = _measured(store, own.graph)
        assert sorted(measured.values()) == sorted(pairs)
        # The municipality's own things keep IRIs made of their codes alone.
        assert f"{BASE}/id/meting/GEL-I01-parkstraat-2025-01-01-2025-12-31" in measured
        assert f"{BASE}/id/meting/GEL-I01-BU99990101-2025-01-01-2025-12-31" in measured
        # The national import names the same measurements otherwise (all under its own
        # base): refused by what they are, not by their IRIs.
        national = _csv(tmp_path, "landelijk.csv", body)
        with pytest.raises(ImportFailed) as failed:
            import_measurements(store, national, base_iri=NATIONAL)
        assert len(failed.value.problems) == len(pairs)
        assert all(f"already in graph {own.graph}" in p.text_en for p in failed.value.problems)
        store.drop_graph(graphs.pop())
        report = import_measurements(store, national, base_iri=NATIONAL)
        graphs.append(report.graph)
        measured = _measured(store, report.graph)
        assert sorted(measured.values()) == sorted(pairs)
    finally:
        for graph in [*graphs, f"{OTHER}/graph/beleid"]:
            store.drop_graph(graph)


# --- files as spreadsheets and other programs write them -----------------------------------


def test_a_thousands_comma_in_a_comma_separated_file_is_refused_as_ambiguous(
    store: Store, tmp_path: Path
) -> None:
    """In a file written the English way "1,250" was read as 1,25 (a decimal comma): a
    factor 1000 off, and the norm said met."""
    path = tmp_path / "engels.csv"
    path.write_text(
        HEADER.replace(";", ",")
        + "GRO-I01,BU99990202,2025,,,47.5,m,cbs-nabijheid\n"
        + 'GRO-I01,BU99990201,2025,,,"1,250",m,cbs-nabijheid\n',
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as failed:
        import_measurements(store, path, base_iri=BASE)
    [problem] = failed.value.problems
    assert (problem.line, problem.column) == (3, "waarde")
    assert "'1,250' is ambiguous in a file with commas between its fields" in problem.text_en
    assert "write 1250 or 1.250" in problem.text_en


def test_a_quote_never_closed_in_a_short_file_is_refused_at_its_line(tmp_path: Path) -> None:
    """The rows after it went into its field, and the file imported one measurement."""
    path = _csv(
        tmp_path,
        "open.csv",
        'GEL-I01;parkstraat;2024;;;49,6;dB(A);"geluidmeetnet\n'
        "GEL-I01;parkstraat;2025;;;49,1;dB(A);geluidmeetnet\n"
        "GEL-I01;parkstraat;2026;;;48,7;dB(A);geluidmeetnet\n",
    )
    with pytest.raises(Unreadable) as refused:
        read_rows(path)
    assert str(refused.value).startswith('open.csv:2: a quote (") opened in this line is never')


def test_a_file_with_a_header_and_no_measurements_is_refused(tmp_path: Path) -> None:
    """Imported, it replaced an earlier import of the file by nothing, with exit 0."""
    path = _csv(tmp_path, "leeg.csv", ";;;;;;;\n\n")
    with pytest.raises(Unreadable, match="leeg.csv: the file holds a header but no measurements"):
        read_rows(path)


def test_empty_columns_after_the_last_one_are_ignored(tmp_path: Path) -> None:
    """Excel writes ";;;" after the last column when cells beyond it were ever touched:
    refused as columns named "" twice, or rows with more fields than the header."""
    header = HEADER.rstrip("\n")
    text = (
        f"{header};;;\n"
        "GEL-I01;parkstraat;2024;;;49,6;dB(A);geluidmeetnet;;;\n"
        "GEL-I01;parkstraat;2025;;;49,1;dB(A);geluidmeetnet\n"
    )
    rows, problems = parse_rows(text, "excel.csv")
    assert problems == []
    assert [row.waarde for row in rows] == [Decimal("49.6"), Decimal("49.1")]
    rows, problems = parse_rows(HEADER + "GEL-I01;parkstraat;2024;;;49,6;dB(A);bron;;\n", "x.csv")
    assert (len(rows), problems) == (1, [])


@pytest.mark.parametrize(("column", "text"), [("jaar", "0000"), ("periode_van", "0000JJ00")])
def test_year_zero_is_a_problem_at_its_cell_not_a_crash(column: str, text: str) -> None:
    cells = {"jaar": "", "periode_van": "", "periode_tot": ""} | {column: text}
    line = ";".join(
        ["GEL-I01", "parkstraat", cells["jaar"], cells["periode_van"], cells["periode_tot"]]
        + ["49,6", "dB(A)", "geluidmeetnet"]
    )
    rows, problems = parse_rows(HEADER + line + "\n", "nul.csv")
    assert [row.broken for row in rows] == [True]  # looked up on import, never written
    assert [(p.line, p.column) for p in problems] in ([(2, column)], [(2, "periode_tot")])


@contextmanager
def _demo_with_loose(tmp_path: Path, turtle: str) -> Iterator[Store]:
    """A store of the demo and ``turtle`` loaded without validation into graph los: data
    a later, validated import finds already in the registry."""
    with open_store(Settings(store=str(tmp_path / "db"))) as opened:
        _load_demo_without_measurements(opened)
        loose = tmp_path / "los.ttl"
        loose.write_text(turtle, encoding="utf-8")
        load_paths(opened, [loose], base_iri=BASE, validate=False)
        yield opened


@pytest.mark.parametrize(
    ("subject", "where"),
    [
        (f"<{BASE}/id/databron/los>", f"graaf/graph <{BASE}/graph/los>"),
        ("<tag:gemeente.nl,2024:bron/los>", f"graaf/graph <{BASE}/graph/los>"),
        ("[]", "het register/the registry"),
    ],
)
def test_a_violation_already_in_the_registry_is_said_to_be_there_not_in_the_file(
    tmp_path: Path, subject: str, where: str
) -> None:
    """The import validates the whole registry. A data source loaded without validation
    that lacks its publisher was reported as a problem of the measurements file, where
    nobody would find it; it is reported in its own graph, and the file's own problems
    at their lines beside it."""
    loose = (
        f"{subject} a <http://www.w3.org/ns/dcat#Dataset> ;\n"
        '  <http://www.w3.org/2000/01/rdf-schema#label> "Losse bron"@nl ;\n'
        '  <http://purl.org/dc/terms/identifier> "los" .\n'
    )
    with _demo_with_loose(tmp_path, loose) as opened:
        good = _csv(tmp_path, "goed.csv", "GEL-I01;parkstraat;2025;;;49,6;dB(A);geluidmeetnet\n")
        with pytest.raises(ImportFailed) as failed:
            import_measurements(opened, good, base_iri=BASE)
        problems = failed.value.problems
        assert problems and all(p.file == where for p in problems)
        assert all("not in goed.csv" in p.text_en for p in problems)
        if subject != "[]":  # a blank node is named by its identifier in the copy validated
            assert all("Losse bron" in p.text_en for p in problems)
        assert (
            opened.query(f"ASK {{ GRAPH <{BASE}/graph/metingen/goed> {{ ?s ?p ?o }} }}").boolean
            is False
        )


def test_a_violation_is_said_to_be_in_the_graph_that_holds_the_thing_not_the_derived_one(
    tmp_path: Path,
) -> None:
    """A measure without its theme, loaded without validation, has dates in force in
    the derived graph, whose IRI sorts first: the problem named that graph, which no
    one can edit, instead of the measure's own."""
    from krbgraph.model import DERIVED_GRAPH

    measure = f"{BASE}/id/beleidsmaatregel/LOS-M01"
    loose = (
        f"<{measure}> a <https://data.krb.nl/def/krb#Beleidsmaatregel> ;\n"
        '  <http://www.w3.org/2000/01/rdf-schema#label> "Losse maatregel"@nl ;\n'
        '  <http://purl.org/dc/terms/identifier> "LOS-M01" ;\n'
        f"  <https://data.krb.nl/def/krb#document> <{BASE}/id/besluitdocument/GEL-2030> .\n"
    )
    with _demo_with_loose(tmp_path, loose) as opened:
        derived = f"ASK {{ GRAPH <{DERIVED_GRAPH}> {{ <{measure}> ?p ?o }} }}"
        assert opened.query(derived).boolean  # the derived graph speaks of it too
        good = _csv(tmp_path, "goed.csv", "GEL-I01;parkstraat;2025;;;49,6;dB(A);geluidmeetnet\n")
        with pytest.raises(ImportFailed) as failed:
            import_measurements(opened, good, base_iri=BASE)
        about = [p for p in failed.value.problems if "Losse maatregel" in p.text_en]
        assert about and all(p.file == f"graaf/graph <{BASE}/graph/los>" for p in about)


def test_a_source_written_as_a_web_address_that_is_none_is_a_problem_at_its_cell(
    store: Store, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        "adres.csv",
        "GEL-I01;parkstraat;2025;;;49,6;dB(A);https://www.rivm.nl/geluid kaart\n",
    )
    with pytest.raises(ImportFailed) as failed:
        import_measurements(store, path, base_iri=BASE)
    assert [(p.line, p.column) for p in failed.value.problems] == [(2, "bron")]


def test_the_lookups_of_the_named_things_resolve_as_reading_every_thing(store: Store) -> None:
    """An import reads only the indicators and areas its rows name by IRI or code
    (index lookups; at a million triples reading all 41,000 areas took seconds), and
    everything when a text is a name: each text resolves as with everything read."""
    from krbgraph.measurements.lookup import Registry, Wanted

    indicators = [
        "GEL-I01",
        f"{BASE}/id/beleidsindicator/GEL-I01",
        "Geluidsdruk gevel (Lden)",
        "geluidsdruk gevel (lden)",
        "gel-i01",
        "GEEN-I99",
    ]
    areas = ["GM9999", "gm9999", "WK999901", f"{BASE}/id/werkingsgebied/parkstraat", "parkstraat"]
    areas += ["nergens", "https://elders.nl/id/werkingsgebied/x"]
    everything = Registry.read(store)
    pairs = [(i, "WK999901") for i in indicators] + [("GEL-I01", a) for a in areas]
    for indicator, area in pairs:
        only = Registry.read(store, wanted=Wanted(frozenset({indicator}), frozenset({area})))
        for text in (indicator, indicator.casefold()):
            assert only.indicator(text) == everything.indicator(text), text
        for text in (area, area.upper()):
            assert only.areas.get(text) == everything.areas.get(text), text
        for named in everything.indicator(indicator):
            assert only.norm_units.get(named.iri) == everything.norm_units.get(named.iri)


def test_many_periods_of_one_area_are_told_apart_by_period(store: Store, tmp_path: Path) -> None:
    """Rows of one indicator and area are looked up together once there are many (each
    row read all the area's measurements: 5,000 daily values imported again took 30 s and
    timed out); only the periods another graph holds are refused."""
    years = range(2010, 2022)
    body = "".join(f"GEL-I01;parkstraat;{y};;;{40 + y % 7};dB(A);geluidmeetnet\n" for y in years)
    first = import_measurements(store, _csv(tmp_path, "reeks.csv", body), base_iri=BASE)
    try:
        assert import_measurements(store, _csv(tmp_path, "reeks.csv", body), base_iri=BASE).replaced
        overlap = "".join(
            f"GEL-I01;parkstraat;{y};;;50;dB(A);geluidmeetnet\n" for y in range(2018, 2026)
        )
        with pytest.raises(ImportFailed) as failed:
            import_measurements(store, _csv(tmp_path, "tweede.csv", overlap), base_iri=BASE)
        refused = sorted(p.line for p in failed.value.problems)
        assert refused == [2 + y - 2018 for y in range(2018, 2022)]  # 2018-2021 only
    finally:
        store.drop_graph(first.graph)


def test_a_measurement_held_as_a_blank_node_elsewhere_is_refused_in_words(
    store: Store, tmp_path: Path
) -> None:
    """A measurement loaded without validation as a blank node, with the row's indicator,
    area and period: the check named it in a query as if it were an IRI and failed with
    a parse error of its own query."""
    loose = tmp_path / "los.ttl"
    loose.write_text(
        "@prefix sosa: <http://www.w3.org/ns/sosa/> .\n"
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "[] a sosa:Observation ;"
        f" sosa:observedProperty <{BASE}/id/beleidsindicator/GEL-I01> ;"
        f" sosa:hasFeatureOfInterest <{BASE}/id/werkingsgebied/parkstraat> ;"
        ' sosa:phenomenonTime [ dcat:startDate "2025-01-01"^^xsd:date ;'
        ' dcat:endDate "2025-12-31"^^xsd:date ] .\n',
        encoding="utf-8",
    )
    load_paths(store, [loose], base_iri=BASE, validate=False)
    try:
        row = _csv(tmp_path, "rij.csv", "GEL-I01;parkstraat;2025;;;49,6;dB(A);geluidmeetnet\n")
        with pytest.raises(ImportFailed) as failed:
            import_measurements(store, row, base_iri=BASE)
        assert f"already in graph {BASE}/graph/los" in failed.value.problems[0].text_en
    finally:
        store.drop_graph(f"{BASE}/graph/los")


def test_an_own_area_named_by_another_of_its_codes_keeps_an_iri_without_a_hash() -> None:
    """An area `{base}/id/werkingsgebied/centrum` with CBS code WK999901: its IRI is
    made of its code 'centrum', so its measurements are the registry's own and read
    'centrum'; an area elsewhere with the same codes gets a hash, and so never the same
    IRI."""
    from krbgraph.measurements.identity import Identity, measurement_iri

    indicator = f"{BASE}/id/beleidsindicator/GEL-I01"

    def iri(area: str) -> str:
        identity = Identity(indicator, area, date(2025, 1, 1), date(2025, 12, 31), frozenset())
        return measurement_iri(BASE, identity, "GEL-I01", ("WK999901", "centrum"), [])

    own = iri(f"{BASE}/id/werkingsgebied/centrum")
    assert own == f"{BASE}/id/meting/GEL-I01-centrum-2025-01-01-2025-12-31"
    elsewhere = iri("https://krb.anderestad.nl/id/werkingsgebied/centrum")
    assert elsewhere.startswith(f"{BASE}/id/meting/GEL-I01-WK999901-") and elsewhere != own


@pytest.mark.parametrize(
    ("labels", "method"),
    [
        ('"Average over the year"@en , "Jaargemiddelde"@nl', "Jaargemiddelde"),
        ('"Average"@en , "Mittelwert"@de , "gemiddelde"', "gemiddelde"),
        ('"Average"@en , "Mittelwert"@de', "Average"),
        ('"Jaargemiddelde"@nl-NL , "Average"@en', "Jaargemiddelde"),
    ],
)
def test_the_method_of_a_measurement_is_named_in_dutch_when_it_has_a_dutch_name(
    model_store: Store, labels: str, method: str
) -> None:
    """metingen's rekenmethode is one text per measurement: the Dutch label of the
    procedure where it has one (an English one sorted first and showed in a Dutch
    export), else one without a language, else the least of the others."""
    from krbgraph.queries import load_catalogue, run_named_query

    data = f"""
        @prefix sosa: <http://www.w3.org/ns/sosa/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://krb.example.nl/id/meting/m1> a sosa:Observation ;
            sosa:usedProcedure [ a sosa:Procedure ; rdfs:label {labels} ] .
    """
    model_store.add_to_graph("https://krb.example.nl/graph/m", Graph().parse(data=data))
    answer = run_named_query(model_store, load_catalogue(), "metingen", {})
    column = answer.variables.index("rekenmethode")
    assert [str(row[column]) for row in answer.rows] == [method]
