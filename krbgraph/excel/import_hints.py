"""The likely cause a refused workbook's problems start with, when its objects are
already in the registry (krbgraph.excel.importing._refused): in one other graph (the
workbook imported there before under another file name) or spread over several (an
export of a registry kept graph by graph, which no single import replaces). Each says
the command line's way and, for an upload, the way on its page (/werkmap)."""

from __future__ import annotations

import dataclasses

from ..restated_check import MAX_REPORTED, RESTATED_CHECK
from ..validation import ValidationResult
from .problems import Problem

RESTATED_SHOWN = 3
"""Facts in two graphs shown under a likely cause that explains them all (the rest are
counted): a workbook imported again under another file name has every fact in two
graphs, and a hundred findings of one cause hid the hint above them."""


def elsewhere_hint(graph: str, count: int, page: str | None) -> Problem:
    web_nl, web_en = _on_page(
        page, "kies die graaf bij Graaf en", "choose that graph under Graaf and"
    )
    return Problem(
        f"{count} objecten van deze werkmap staan al in graaf <{graph}>: is deze werkmap "
        "daar eerder geïmporteerd, onder een andere bestandsnaam? Importeer hem dan in "
        f"die graaf (--graph {graph}) om hem te vervangen.{web_nl}",
        f"{count} objects of this workbook are already in graph <{graph}>: was this "
        "workbook imported there before, under another file name? Then import it into "
        f"that graph (--graph {graph}) to replace it.{web_en}",
    )


def spread_hint(held: list[tuple[str, int]], total: int, page: str | None) -> Problem:
    """The objects are in several graphs and none holds them all: a workbook exported from
    the whole registry, which no single import can replace."""
    shown = ", ".join(f"<{graph}> ({count})" for graph, count in held[:5])
    more_nl = f" en {len(held) - 5} andere" if len(held) > 5 else ""
    more_en = f" and {len(held) - 5} others" if len(held) > 5 else ""
    web_nl, web_en = _on_page(
        page,
        "kies bij Graaf één graaf, download die, bewerk hem en",
        "choose one graph under Graaf, download it, edit it and",
    )
    return Problem(
        f"{total} objecten van deze werkmap staan al in de registratie, verspreid over "
        f"{len(held)} grafen: {shown}{more_nl}; geen graaf bevat ze allemaal, dus geen "
        "import met --graph vervangt ze (is de werkmap een export van meer dan één graaf?). "
        "Werk per graaf: exporteer één graaf (krb export-excel --graph G), bewerk die "
        f"werkmap en importeer hem in dezelfde graaf (krb import-excel --graph G).{web_nl}",
        f"{total} objects of this workbook are already in the registry, spread over "
        f"{len(held)} graphs: {shown}{more_en}; no graph holds them all, so no import with "
        "--graph replaces them (is the workbook an export of more than one graph?). Work "
        "graph by graph: export one graph (krb export-excel --graph G), edit that workbook "
        f"and import it into the same graph (krb import-excel --graph G).{web_en}",
    )


def _on_page(page: str | None, steps_nl: str, steps_en: str) -> tuple[str, str]:
    """The way on the web page the workbook was uploaded on (/werkmap), a sentence after
    the command line's (Dutch, English); none when it did not come from the page."""
    if not page:
        return "", ""
    return (
        f" Op de pagina {page}: {steps_nl} laad de werkmap met die keuze (weer) in.",
        f" On the page {page}: {steps_en} upload the workbook with that choice.",
    )


def fold_restated(validation: ValidationResult) -> tuple[ValidationResult, list[Problem]]:
    """``validation`` with its first RESTATED_SHOWN findings of a fact in two graphs, and
    a problem counting the others (none when there are no others)."""
    restated = [f for f in validation.findings if f.shape == str(RESTATED_CHECK)]
    if len(restated) <= RESTATED_SHOWN:
        return validation, []
    left_out = {id(f) for f in restated[RESTATED_SHOWN:]}
    kept = tuple(f for f in validation.findings if id(f) not in left_out)
    count = len(left_out)
    # The check reports the first MAX_REPORTED facts: at that many there may be more.
    least_nl, least_en = ("minstens ", "at least ") if len(restated) >= MAX_REPORTED else ("", "")
    return dataclasses.replace(validation, findings=kept), [
        Problem(
            f"En nog {least_nl}{count} feiten die ook in een andere graaf staan, om dezelfde "
            "reden (de eerste melding).",
            f"And {least_en}{count} more facts that are in another graph too, for the same "
            "reason (the first problem).",
        )
    ]
