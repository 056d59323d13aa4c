"""The JSON API for asset managers, policy officers and tools (documented at /docs).

Every answer is built from the named queries, so the API, the CLI and the
pages agree. Things are addressed the way people know them: an IMBOR object
type by UUID, IRI or Dutch name; an area by CBS code, slug or IRI; a measure by
code or IRI (krbgraph.web.resolving). Unknown things give 404 naming what
was looked for, ambiguous names 409 with the candidates, bad query parameters
400 with the catalogue's message. The answers' models are in
krbgraph.web.api_models.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Annotated
from typing import Literal as Literal_

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response
from rdflib import Literal, URIRef
from rdflib.term import Identifier

from ..namespaces import KRB
from ..queries import ParameterError, UnknownQueryError
from ..registry_day import today as registry_today
from ..settings import Settings
from ..store import Store
from . import results
from .aggregates import cached, cached_rows
from .api_models import (
    AMBIGUOUS,
    NOT_FOUND,
    BeleidItem,
    BereiktThema,
    Effect,
    GebiedBeleid,
    IsoDay,
    MaatregelDwarsverbanden,
    MaatregelEffect,
    Netwerk,
    ObjecttypeMaatregel,
    ObjecttypeMaatregelEffect,
    ObjecttypeMaatregelen,
    ObjecttypeNormen,
    Problem,
    QueryAnswer,
    QueryInfo,
    QueryParameter,
    Ref,
    ThemaKnoop,
    Verbinding,
    date_of,
    date_term,
    number_of,
    ref_of,
    true_of,
)
from .deps import (
    API_PARAMETER_CHECKS,
    get_settings,
    get_store,
    reader_languages,
)
from .describe import READER_LANGUAGES, run_query, text_of
from .kept_answers import answer_response, kept_answer
from .norm_answers import norm_of, norms_details, unit_of
from .openapi_protocols import API_RESPONSES, NAMED_QUERY_PARAMETERS
from .page_flags import Flag
from .resolving import parameter_refused, resolve_objecttype, resolve_thing
from .spooled_export import csv_export, csv_export_without_names, json_export
from .state import catalogue

SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]

router = APIRouter(
    prefix="/api",
    tags=["api"],
    dependencies=[Depends(reader_languages), *API_PARAMETER_CHECKS],
    responses=API_RESPONSES,
)


# --- IMBOR object types --------------------------------------------------------

ObjecttypePath = Annotated[
    str, Path(description="IMBOR UUID, full IRI or Dutch name (e.g. Asfaltverharding)")
]
GebiedQuery = Annotated[
    str | None, Query(description="Area: CBS code, slug (e.g. parkstraat) or IRI")
]
DatumQuery = Annotated[
    IsoDay | None, Query(description="What is in force on this ISO date (default: today)")
]
RichtingQuery = Annotated[
    Literal_["hier", "binnen", "beide"],
    Query(
        description="hier: this area and those containing it; binnen: it and its sub-areas; "
        "beide: both. Areas overlapping it by geometry always count."
    ),
]
SubklassenQuery = Annotated[
    Flag, Query(description="Also norms and measures on subclasses of the object type")
]


@router.get(
    "/imbor/{objecttype:path}/normen",
    response_model=ObjecttypeNormen,
    responses={**NOT_FOUND, **AMBIGUOUS},
    summary="Norms for an IMBOR object type here and now, each with the measures aimed at it",
)
def objecttype_norms(
    request: Request,
    store: StoreDep,
    objecttype: ObjecttypePath,
    gebied: GebiedQuery = None,
    richting: RichtingQuery = "hier",
    datum: DatumQuery = None,
    subklassen: SubklassenQuery = False,
) -> ObjecttypeNormen:
    klasse, area, day, rows = _asset_question(
        request, store, objecttype, gebied, richting, datum, subklassen
    )
    # One entry per norm, through its most direct class: a norm classified on both
    # Verharding and Asfaltverharding came twice, each with its measures twice.
    found: dict[str, tuple[tuple[int, str], Ref | None, str]] = {}
    for row in rows:
        if str(row["soort"]) != "beleidsnorm":
            continue
        via = text_of(row.get("via")) or "objecttype"
        rank = (_VIA_RANK.get(via, len(_VIA_RANK)), str(row["klasse"]))
        iri = str(row["object"])
        if iri not in found or rank < found[iri][0]:
            found[iri] = (rank, ref_of(row.get("klasse"), row.get("klasse_label")), via)
    # The details of every norm in one query, however many norms there are.
    details = norms_details(store, [URIRef(iri) for iri in found])
    norms = {
        iri: norm_of(URIRef(iri), details.get(iri, []), klasse, via)
        for iri, (_rank, klasse, via) in found.items()
    }
    # Measures are a list per norm: one entry per norm, never one per measure; each
    # measure's rows repeat per class of its norm, so only those of the class shown.
    for row in rows:
        if str(row["soort"]) != "beleidsmaatregel" or "norm" not in row:
            continue
        norm_iri = str(row["norm"])
        if norm_iri not in found or found[norm_iri][0][1] != str(row["klasse"]):
            continue
        norms[norm_iri].maatregelen.append(
            ObjecttypeMaatregelEffect(
                maatregel=Ref(iri=str(row["object"]), label=text_of(row.get("object_label"))),
                effect_waarde=number_of(row.get("effect_waarde")),
                eenheid_symbool=text_of(row.get("effect_eenheid_symbool")),
            )
        )
    return ObjecttypeNormen(
        objecttype=klasse,
        gebied=area,
        richting=richting,
        datum=day,
        subklassen=subklassen,
        normen=list(norms.values()),
    )


@router.get(
    "/imbor/{objecttype:path}/maatregelen",
    response_model=ObjecttypeMaatregelen,
    responses={**NOT_FOUND, **AMBIGUOUS},
    summary="Measures acting on an IMBOR object type or aimed at its norms, here and now",
)
def objecttype_measures(
    request: Request,
    store: StoreDep,
    objecttype: ObjecttypePath,
    gebied: GebiedQuery = None,
    richting: RichtingQuery = "hier",
    datum: DatumQuery = None,
    subklassen: SubklassenQuery = False,
) -> ObjecttypeMaatregelen:
    klasse, area, day, rows = _asset_question(
        request, store, objecttype, gebied, richting, datum, subklassen
    )
    measures: dict[str, ObjecttypeMaatregel] = {}
    # An effect's rows repeat per class of its norm: the most direct one is kept.
    effects: dict[tuple[str, str, str, str], tuple[int, MaatregelEffect]] = {}
    for row in sorted(rows, key=lambda r: str(r.get("klasse"))):
        if str(row["soort"]) != "beleidsmaatregel":
            continue
        iri = str(row["object"])
        entry = measures.setdefault(
            iri,
            ObjecttypeMaatregel(
                maatregel=Ref(iri=iri, label=text_of(row.get("object_label"))), effecten=[]
            ),
        )
        if "norm" not in row:
            reached = ref_of(row["klasse"], row.get("klasse_label"))
            if reached is not None:  # ?klasse is bound in every solution
                entry.ingrijpend_op.append(reached)
            continue
        via = text_of(row.get("via")) or "objecttype"
        key = (iri, str(row["norm"]), str(row.get("effect")), str(row.get("effect_eenheid")))
        rank = _VIA_RANK.get(via, len(_VIA_RANK))
        if key in effects and effects[key][0] <= rank:
            continue
        effect = MaatregelEffect(
            norm=Ref(iri=str(row["norm"]), label=text_of(row.get("norm_label"))),
            via_superklasse=via != "objecttype",
            effect_waarde=number_of(row.get("effect_waarde")),
            eenheid_symbool=text_of(row.get("effect_eenheid_symbool")),
        )
        if key in effects:
            entry.effecten[entry.effecten.index(effects[key][1])] = effect
        else:
            entry.effecten.append(effect)
        effects[key] = (rank, effect)
    return ObjecttypeMaatregelen(
        objecttype=klasse,
        gebied=area,
        richting=richting,
        datum=day,
        subklassen=subklassen,
        maatregelen=list(measures.values()),
    )


_VIA_RANK = {"objecttype": 0, "superklasse": 1, "subklasse": 2, "zoekingang": 3, "alle": 4}
"""How directly a row reaches the type asked: on it, above it, below it, its entry, all."""


def _asset_question(
    request: Request,
    store: Store,
    objecttype: str,
    gebied: str | None,
    richting: str,
    datum: date | None,
    subklassen: bool,
) -> tuple[Ref, Ref | None, date, list[dict[str, Identifier]]]:
    """The rows of normen-per-imbor-objecttype for what an API caller typed, with the
    object type, area and day they resolved to (both asset endpoints answer from it)."""
    # Resolving reads the whole search index (tenths of a second at a million
    # triples); a name means the same type until the next write.
    klasse = cached(
        store,
        ("objecttype", objecttype, READER_LANGUAGES.get()),
        lambda: resolve_objecttype(request, store, objecttype),
    )
    area = resolve_thing(store, gebied, KRB.Werkingsgebied, "werkingsgebied") if gebied else None
    day = datum or registry_today()
    return klasse, area, day, _objecttype_rows(store, klasse, area, richting, day, subklassen)


def _objecttype_rows(
    store: Store, klasse: Ref, area: Ref | None, richting: str, day: date, subklassen: bool
) -> list[dict[str, Identifier]]:
    return run_query(
        store,
        "normen-per-imbor-objecttype",
        objecttype=URIRef(klasse.iri),
        gebied=URIRef(area.iri) if area else None,
        richting=Literal(richting),
        datum=date_term(day),
        subklassen=Literal(subklassen),
    ).dicts()


# --- Areas and measures ----------------------------------------------------------


@router.get(
    "/gebieden/{code:path}/beleid",
    response_model=GebiedBeleid,
    responses={**NOT_FOUND, **AMBIGUOUS},
    summary="All policy that applies in an area, including that of containing areas",
)
def area_policy(
    store: StoreDep,
    code: Annotated[str, Path(description="CBS code (GM9999), slug (parkstraat), name or IRI")],
    datum: DatumQuery = None,
    richting: RichtingQuery = "hier",
    alles: Annotated[
        Flag, Query(description="Also what is not in force on the date, marked in geldigheid")
    ] = False,
) -> GebiedBeleid:
    area = resolve_thing(store, code, KRB.Werkingsgebied, "werkingsgebied")
    day = datum or registry_today()
    rows = run_query(
        store,
        "beleid-in-gebied",
        gebied=URIRef(area.iri),
        datum=date_term(day),
        richting=Literal(richting),
        alles=Literal(alles),
    ).dicts()
    items = [
        BeleidItem(
            soort=str(row["soort"]),
            object=Ref(iri=str(row["object"]), label=text_of(row.get("object_label"))),
            code=text_of(row.get("code")),
            vastgesteld_voor=Ref(
                iri=str(row["vastgesteld_voor"]), label=text_of(row.get("vastgesteld_voor_label"))
            ),
            geerfd=str(row.get("relatie")) == "omvat",
            relatie=str(row["relatie"]),
            geldigheid=str(row["geldigheid"]),
            geldig_vanaf=date_of(row.get("geldig_vanaf")),
            geldig_tot=date_of(row.get("geldig_tot")),
        )
        for row in rows
    ]
    return GebiedBeleid(gebied=area, datum=day, richting=richting, beleid=items)


@router.get(
    "/maatregelen/{id:path}/dwarsverbanden",
    response_model=MaatregelDwarsverbanden,
    responses={**NOT_FOUND, **AMBIGUOUS},
    summary="The effects of a measure and the themes they reach",
)
def measure_crosslinks(
    store: StoreDep,
    id: Annotated[str, Path(description="Code (GEL-M01), exact name or IRI of the measure")],
    datum: DatumQuery = None,
) -> MaatregelDwarsverbanden:
    measure = resolve_thing(store, id, KRB.Beleidsmaatregel, "maatregel")
    rows = run_query(
        store,
        "dwarsverbanden-maatregel",
        maatregel=URIRef(measure.iri),
        datum=date_term(datum or registry_today()),
    ).dicts()
    effects = [
        Effect(
            soort=str(row["soort"]),
            effect=Ref(iri=str(row["koppeling"]), label=text_of(row.get("koppeling_label"))),
            waarde=number_of(row.get("waarde")),
            eenheid=unit_of(row),
            doel_begrip=ref_of(row.get("doel_begrip"), row.get("doel_begrip_label")),
            labelstappen=int(str(row["labelstappen"])) if "labelstappen" in row else None,
            horizon=date_of(row.get("horizon")),
            norm=ref_of(row.get("norm"), row.get("norm_label")),
            regel=ref_of(row.get("regel"), row.get("regel_label")),
            indicator=ref_of(row.get("indicator"), row.get("indicator_label")),
            aspect=ref_of(row.get("aspect"), row.get("aspect_label")),
            thema=Ref(iri=str(row["thema"]), label=text_of(row.get("thema_label"))),
            dwarsverband=true_of(row.get("dwarsverband")),
        )
        for row in rows
    ]
    reached: dict[str, BereiktThema] = {}
    for effect in effects:
        reached.setdefault(
            effect.thema.iri,
            BereiktThema(
                iri=effect.thema.iri, label=effect.thema.label, dwarsverband=effect.dwarsverband
            ),
        )
    # A measure without effects still has its own theme: ask for it separately.
    theme_rows = (
        rows or run_query(store, "web-maatregel-thema", maatregel=URIRef(measure.iri)).dicts()
    )
    own = (
        ref_of(theme_rows[0].get("eigen_thema"), theme_rows[0].get("eigen_thema_label"))
        if theme_rows
        else None
    )
    return MaatregelDwarsverbanden(
        maatregel=measure,
        eigen_thema=own,
        bereikte_themas=sorted(reached.values(), key=lambda t: t.label or t.iri),
        effecten=effects,
    )


@router.get(
    "/dwarsverbanden",
    response_model=Netwerk,
    summary="The theme network: themes with indicator counts, cross-links with weights",
)
def network(store: StoreDep, datum: DatumQuery = None) -> Netwerk:
    # Kept per store version (krbgraph.web.aggregates); without a date it is the
    # network of today, the one the dwarsverbanden pages draw.
    day = date_term(datum) if datum else None
    nodes = [
        ThemaKnoop(
            iri=str(row["thema"]),
            label=text_of(row.get("thema_label")),
            indicatoren=int(row.get("indicatoren", 0)),
            normen=int(row.get("normen", 0)),
            maatregelen=int(row.get("maatregelen", 0)),
        )
        for row in cached_rows(store, "dwarsverbanden-themas", datum=day)
    ]
    edges = [
        Verbinding(
            bron=Ref(iri=str(row["bron"]), label=text_of(row.get("bron_label"))),
            doel=Ref(iri=str(row["doel"]), label=text_of(row.get("doel_label"))),
            maatregelen=int(row["maatregelen"]),
            effecten=int(row["koppelingen"]),
            effecten_op_norm=int(row["effecten_op_norm"]),
            effecten_op_indicator=int(row["effecten_op_indicator"]),
            uitvoeringen=int(row["uitvoeringen"]),
        )
        for row in cached_rows(store, "dwarsverbanden-netwerk", datum=day)
    ]
    return Netwerk(knopen=nodes, verbindingen=edges)


# --- Named queries -------------------------------------------------------------


@router.get("/queries", response_model=list[QueryInfo], summary="The named-query catalogue")
def list_queries() -> list[QueryInfo]:
    return [
        QueryInfo(
            name=query.name,
            title=query.title,
            description=query.description,
            parameters=[
                QueryParameter(
                    name=p.name,
                    type=p.type.value,
                    required=p.required,
                    default=p.default,
                    description=p.description,
                )
                for p in query.parameters
            ],
            columns=[c.name for c in query.columns],
            href=f"/api/queries/{query.name}",
        )
        for query in catalogue().public()
    ]


@router.get(
    "/queries/{name}",
    response_model=QueryAnswer,
    responses={
        400: {"model": Problem, "description": "A parameter is unknown, missing or mistyped"},
        404: {"model": Problem, "description": "No query with this name"},
        **AMBIGUOUS,
        200: {"content": {"text/csv": {}}, "description": "Rows as JSON, or CSV with format=csv"},
    },
    summary="Run a named query; its parameters are query-string parameters",
    openapi_extra={"parameters": [NAMED_QUERY_PARAMETERS]},
)
def run_query_endpoint(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    name: str,
    format: Annotated[
        str | None, Query(pattern="^(json|csv)$", description="json (default) or csv")
    ] = None,
    names: Annotated[
        bool,
        Query(
            description="false (with format=csv): without the name columns, written by the "
            "engine itself: the fastest export, for joining on IRIs and codes"
        ),
    ] = True,
) -> Response:
    queries = catalogue()
    # format, names and lang shape the answer; every other parameter belongs to the query.
    values = {k: v for k, v in request.query_params.items() if k not in ("format", "names", "lang")}
    if not names and format != "csv":
        raise HTTPException(400, "names=false is for format=csv")
    # Every form written as it streams from the engine, whole before the response
    # starts (spooled_export): a whole registry's answer is never held in memory, and
    # a time-out or a bad parameter is still an error status.
    if not names:
        export = csv_export_without_names
    else:
        export = csv_export if format == "csv" else json_export
    # A small answer, or a large one that was costly, is kept per store version
    # (kept_answers): asked again, it is sent from memory or disk until the next write.
    try:
        written = partial(export, store, settings, queries, name, values)
        answer = kept_answer(store, name, values, (format, names), written)
    except UnknownQueryError as exc:
        raise HTTPException(404, str(exc.args[0])) from None
    except ParameterError as exc:
        raise parameter_refused(store, exc) from None
    media_type, headers = "application/json", {}
    if format == "csv":
        media_type = results.content_type("text/csv")
        headers = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
    return answer_response(answer, media_type, headers)


# The named query's own parameters: the catalogue refuses an unknown one (deps.known_parameters).
run_query_endpoint.takes_any_parameter = True  # type: ignore[attr-defined]
