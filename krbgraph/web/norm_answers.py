"""A norm as the JSON API gives it, from the rows of web-norm-details.

The asset endpoints (krbgraph.web.api) find norms by object type; what a norm
says (value, unit, areas, validity, document) is read here for all of them
with one query, whatever their number.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import URIRef
from rdflib.term import Identifier

from ..queries import run_for_each
from ..store import Store
from .api_models import Norm, Ref, Unit, date_of, number_of, ref_of
from .describe import READER_LANGUAGES, text_of
from .state import catalogue

__all__ = ["norm_of", "norms_details"]


def norms_details(store: Store, norms: list[URIRef]) -> dict[str, list[dict[str, Identifier]]]:
    """The rows of web-norm-details for many norms at once, by norm IRI (one query)."""
    result = run_for_each(
        store,
        catalogue()["web-norm-details"],
        "norm",
        norms,
        languages=READER_LANGUAGES.get(),
    )
    by_norm: dict[str, list[dict[str, Identifier]]] = {}
    for row in result.dicts():
        by_norm.setdefault(str(row["norm"]), []).append(row)
    return by_norm


def unit_of(row: Mapping[str, Identifier]) -> Unit | None:
    """The unit of a row with eenheid, eenheid_label and eenheid_symbool, if it has one."""
    if "eenheid" not in row:
        return None
    return Unit(
        iri=str(row["eenheid"]),
        label=text_of(row.get("eenheid_label")),
        symbool=text_of(row.get("eenheid_symbool")),
    )


def norm_of(norm: URIRef, rows: list[dict[str, Identifier]], klasse: Ref | None, via: str) -> Norm:
    """A norm from its web-norm-details rows (one per area)."""
    row = rows[0] if rows else {}
    unit = unit_of(row)
    areas = [
        Ref(iri=str(r["gebied"]), label=text_of(r.get("gebied_label")))
        for r in rows
        if "gebied" in r
    ]
    return Norm(
        norm=Ref(iri=str(norm), label=text_of(row.get("norm_label"))),
        code=text_of(row.get("code")),
        indicator=ref_of(row.get("indicator"), row.get("indicator_label")),
        thema=ref_of(row.get("thema"), row.get("thema_label")),
        operator=ref_of(row.get("operator"), row.get("operator_label")),
        waarde=number_of(row.get("waarde")),
        waarde_begrip=ref_of(row.get("waarde_begrip"), row.get("waarde_begrip_label")),
        eenheid=unit,
        gebied=areas[0] if areas else None,
        gebieden=areas,
        document=ref_of(row.get("document"), row.get("document_label")),
        bestuurslaag=ref_of(row.get("bestuurslaag"), row.get("bestuurslaag_label")),
        geldig_vanaf=date_of(row.get("geldig_vanaf")),
        geldig_tot=date_of(row.get("geldig_tot")),
        ingedeeld_op=klasse,
        via=via,
        via_superklasse=via != "objecttype",
    )
