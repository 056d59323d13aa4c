"""Benchmark of the Excel import: a generated workbook with 10,000 norms.

Generates a valid workbook (with the indicators, documents, dossiers, areas
and themes the norms need), times conversion (workbook -> RDF, with every
reference checked) and the SHACL validation of that graph alone, and then the
import as `krb import-excel` runs it (import_workbook: read, validate the
registry as it would be on a copy of the store, write) into a new store on
disk. Run from the project root:

    .venv/bin/python bench/excel_import.py [--norms 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from krbgraph.excel.importing import import_workbook  # noqa: E402
from krbgraph.excel.reader import read_workbook  # noqa: E402
from krbgraph.excel.workbook_format import SHEETS  # noqa: E402
from krbgraph.iris import DEFAULT_BASE_IRI  # noqa: E402
from krbgraph.model import model_graph  # noqa: E402
from krbgraph.settings import Settings  # noqa: E402
from krbgraph.store import ensure_model, open_store  # noqa: E402
from krbgraph.validation import validate_graph  # noqa: E402

UNITS = ("dB(A)", "%", "km", "m", "per jaar", "µg/m³")
OPERATORS = ("max", "min", "toename max", "maximaal", "minimaal")
SECTORS = ("inwoners", "huishoudens", "bedrijven", "alle", "horeca; bezoekers")
KINDS = ("Woongebouw", "Asfaltverharding", "Boom", "alle")


def generate(path: Path, norms: int) -> dict[str, int]:
    """Write a valid workbook with ``norms`` norms; returns rows per sheet."""
    indicators, documents, areas = max(1, norms // 20), max(1, norms // 100), max(1, norms // 50)
    rows: dict[str, list[list[object]]] = {sheet.name: [] for sheet in SHEETS}
    rows["beleidsthemas"] = [[f"Thema {t}", f"Thema nummer {t}"] for t in range(10)]
    rows["werkingsgebieden"].append(["Benchgemeente", "gemeente", None, "GM9998"])
    rows["werkingsgebieden"] += [
        [f"Buurt {a}", "buurt", "Benchgemeente", None] for a in range(areas)
    ]
    rows["beleidsdossier"] = [["D", "Benchdossier", None, "Thema 0", "Benchgemeente"]]
    rows["besluitdocument"] = [
        [
            f"DOC-{d}",
            f"Document {d}",
            "beleidsplan",
            "D",
            "Benchgemeente",
            "16-11-2023",
            None,
            "Gemeente",
        ]
        for d in range(documents)
    ]
    rows["besluitproces"] = [
        [f"DOC-{d}-RB", f"DOC-{d}", "raadsbesluit", "16-11-2023"] for d in range(documents)
    ]
    rows["beleidsindicator"] = [
        [
            f"IND-{i}",
            f"Indicator {i}",
            f"Thema {i % 10}",
            None,
            "effectindicator milieu",
            UNITS[i % len(UNITS)],
            None,
            "Afdeling Bench",
        ]
        for i in range(indicators)
    ]
    for n in range(norms):
        i = n % indicators
        rows["beleidsnorm"].append(
            [
                f"NORM-{n}",
                f"IND-{i}",
                f"DOC-{n % documents}",
                OPERATORS[n % len(OPERATORS)],
                f"{n % 97},{n % 10}",
                None,
                SECTORS[n % len(SECTORS)],
                KINDS[n % len(KINDS)],
                None,
                f"Buurt {n % areas}",
                "2024-01-01",
                "31-12-2030" if n % 2 else None,
                "Volgens de benchmark",
                None,
                None,
                None,
                None,
                None,
                # An increase or decrease says from when (the shapes ask for it).
                "2023-12-31" if "toename" in OPERATORS[n % len(OPERATORS)] else None,
            ]
        )
    book = Workbook(write_only=True)
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        ws.append(list(sheet.names))
        for row in rows[sheet.name]:
            ws.append(row)
    book.save(path)
    return {name: len(values) for name, values in rows.items() if values}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--norms", type=int, default=10_000)
    args = parser.parse_args()
    model = model_graph()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xlsx"
        started = time.perf_counter()
        counts = generate(path, args.norms)
        generated = time.perf_counter() - started
        total_rows = sum(counts.values())
        print(
            f"generated {path.name}: {total_rows:,} rows "
            f"({', '.join(f'{k} {v:,}' for k, v in counts.items())}) in {generated:.1f} s"
        )

        started = time.perf_counter()
        result = read_workbook(path, DEFAULT_BASE_IRI, model)
        converted = time.perf_counter() - started
        if not result.ok:
            for problem in result.errors[:10]:
                print(problem.text_en)
            raise SystemExit("the generated workbook has problems")
        print(
            f"conversion: {len(result.graph):,} triples in {converted:.2f} s = "
            f"{total_rows / converted:,.0f} rows/s ({args.norms / converted:,.0f} norms/s)"
        )

        started = time.perf_counter()
        validation = validate_graph(result.graph)
        validated = time.perf_counter() - started
        print(
            f"validation (SHACL): conforms={validation.conforms}, "
            f"{len(validation.findings)} findings in {validated:.2f} s = "
            f"{total_rows / validated:,.0f} rows/s"
        )
        if not validation.conforms:
            for finding in validation.violations()[:5]:
                print(finding.message_en)
            raise SystemExit("the generated workbook does not conform")

        store = open_store(Settings(store=str(Path(folder) / "store")))
        try:
            ensure_model(store)
            started = time.perf_counter()
            report = import_workbook(store, path, base_iri=DEFAULT_BASE_IRI)
            imported = time.perf_counter() - started
            started = time.perf_counter()
            again = import_workbook(store, path, base_iri=DEFAULT_BASE_IRI)
            reimported = time.perf_counter() - started
        finally:
            store.close()
        print(
            f"krb import-excel into a new store: {report.triples:,} triples in {imported:.2f} s "
            f"= {total_rows / imported:,.0f} rows/s (target: 10,000 norms under 10 s)"
        )
        print(
            f"the same workbook again (replaces its graph): {again.triples:,} triples in "
            f"{reimported:.2f} s"
        )


if __name__ == "__main__":
    main()
