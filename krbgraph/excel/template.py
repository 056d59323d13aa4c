"""`krb excel-template`: an empty KRB workbook to fill in.

The pick lists of national value lists (sectors, materials, document types)
come pre-filled, and optionally the IMBOR Leefomgeving list, so people pick
names instead of typing them, and add their own entries below.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from rdflib import Graph, Literal

from ..namespaces import KRB
from .layout import new_workbook
from .own_lists import national_rows
from .vocabulary import Vocabulary, load_vocabulary
from .workbook_format import OWN_LISTS, SHEETS_BY_NAME


def imbor_rows(model: Graph, vocabulary: Vocabulary) -> list[tuple[str, str, str]]:
    """(zoekingang, object type, IRI) for every IMBOR object type, one row per zoekingang."""
    rows = []
    for cls, info in vocabulary.imbor_classes.items():
        if (cls, KRB.imborObjecttype, Literal(True)) not in model:
            continue
        for entry in info.zoekingangen or ("",):
            rows.append((entry, info.label, str(cls)))
    return sorted(rows, key=lambda row: (row[0].casefold(), row[1].casefold()))


def write_template(
    target: str | Path | BinaryIO, *, with_imbor: bool = False, model: Graph | None = None
) -> None:
    """Write an empty workbook in the KRB format to a path or binary stream."""
    if model is None:
        from ..model import model_graph

        model = model_graph()
    vocabulary = load_vocabulary(model)
    listed = imbor_rows(model, vocabulary) if with_imbor else []
    book = new_workbook(vocabulary, rows={"leefomgeving": len(listed)})
    for own in OWN_LISTS:
        columns = SHEETS_BY_NAME[own.sheet].names
        for row in national_rows(vocabulary, own):
            book[own.sheet].append([row.get(column) for column in columns])
    ws = book["leefomgeving"]
    for entry, label, iri in listed:
        ws.append([entry or None, label, iri])
    book.save(target)


__all__ = ["write_template", "imbor_rows"]
