"""The likely cause a refused workbook's problems start with, when its objects are
already in the registry (krbgraph.excel.importing._refused): in one other graph (the
workbook imported there before under another file name) or spread over several (an
export of a registry kept graph by graph, which no single import replaces). Each says
the command line's way and, for an upload, the way on its page (/werkmap)."""

from __future__ import annotations

from .problems import Problem


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
