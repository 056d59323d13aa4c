"""The JSON API for asset managers, policy officers and tools (documented at /docs).

Every answer is built from the named queries, so the API, the CLI and the
pages agree. Things are addressed the way people know them: an IMBOR object
type by UUID, IRI or Dutch name; an area by CBS code, slug or IRI; a measure by
code or IRI. Unknown things give 404 naming what was looked for, ambiguous
names 409 with the candidates, bad query parameters 400 with the catalogue's
message.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, cast
from typing import Literal as Literal_

import pyoxigraph as ox
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, XSD
from rdflib.term import Identifier

from ..namespaces import IMBOR, KRB
from ..queries import ParameterError, UnknownQueryError, run_named_query
from ..settings import Settings
from ..store import QueryResult, Store
from . import results
from .deps import get_settings, get_store, reader_languages
from .describe import READER_LANGUAGES, pick_label, run_query
from .pages import catalogue, label_index
from .search import IMBOR_OBJECTTYPE, Entry, normalise

SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(reader_languages)])

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_OBJECTTYPE_GROUPS = frozenset({IMBOR_OBJECTTYPE, str(KRB.LokaalObjecttype)})
_IMBOR_CLASS_SPACES = (
    "https://data.crow.nl/",
    "http://data.gwsw.nl/",
    "http://modellen.geostandaarden.nl/",
    "https://w3id.org/nen2660/",
)
"""Namespaces of the abstract classes the IMBOR extract brings along (norms may sit on them)."""


# --- Response models -----------------------------------------------------------


class Ref(BaseModel):
    """A resource: its IRI and name in the reader's language (``?lang=``, ``Accept-Language``;
    Dutch by default)."""

    iri: str
    label: str | None = None


class Unit(Ref):
    symbool: str | None = Field(None, description="Symbol of the unit, such as dB(A)")


class Problem(BaseModel):
    detail: str


class Candidate(Ref):
    pass


class Ambiguity(BaseModel):
    detail: str
    candidates: list[Candidate]


class AmbiguityResponse(BaseModel):
    detail: Ambiguity


class ObjecttypeMaatregelEffect(BaseModel):
    maatregel: Ref
    effect_waarde: float | None
    eenheid_symbool: str | None


class Norm(BaseModel):
    norm: Ref
    code: str | None
    indicator: Ref | None
    thema: Ref | None
    operator: Ref | None
    waarde: float | None = Field(None, description="Numeric norm value")
    waarde_begrip: Ref | None = Field(None, description="Norm value from a value list")
    eenheid: Unit | None
    gebied: Ref | None = Field(None, description="First area the norm is set for")
    gebieden: list[Ref] = Field(default_factory=list, description="Every area it is set for")
    document: Ref | None
    bestuurslaag: Ref | None
    geldig_vanaf: date | None = Field(None, description="First day in force (derived)")
    geldig_tot: date | None = Field(None, description="Last day in force (derived)")
    ingedeeld_op: Ref | None = Field(None, description="Class the norm is classified on")
    via: str | None = Field(
        None, description="How it was found: objecttype, superklasse, subklasse, zoekingang, alle"
    )
    via_superklasse: bool = Field(description="True when not classified on the type itself")
    maatregelen: list[ObjecttypeMaatregelEffect] = Field(
        default_factory=list,
        description="Measures with an intended effect on this norm that apply there",
    )


class ObjecttypeNormen(BaseModel):
    objecttype: Ref
    gebied: Ref | None
    richting: str
    datum: date
    subklassen: bool
    normen: list[Norm]


class MaatregelEffect(BaseModel):
    norm: Ref
    via_superklasse: bool
    effect_waarde: float | None
    eenheid_symbool: str | None


class ObjecttypeMaatregel(BaseModel):
    maatregel: Ref
    ingrijpend_op: list[Ref] = Field(
        default_factory=list, description="Object types the measure acts on (krb:objecttype)"
    )
    effecten: list[MaatregelEffect]


class ObjecttypeMaatregelen(BaseModel):
    objecttype: Ref
    gebied: Ref | None
    richting: str
    datum: date
    subklassen: bool
    maatregelen: list[ObjecttypeMaatregel]


class BeleidItem(BaseModel):
    soort: str
    object: Ref
    code: str | None
    vastgesteld_voor: Ref
    geerfd: bool = Field(description="True when set for an area that contains this one")
    relatie: str = Field(description="zelf, omvat, binnen or overlapt: the area set for")
    geldigheid: str = Field(description="geldig, verlopen, toekomstig or niet in werking")
    geldig_vanaf: date | None
    geldig_tot: date | None


class GebiedBeleid(BaseModel):
    gebied: Ref
    datum: date
    richting: str
    beleid: list[BeleidItem]


class Effect(BaseModel):
    """One link of a measure: an effect on a norm or indicator, or an uitvoering of a rule."""

    soort: str = Field(description="effect op norm, effect op indicator, uitvoering van regel")
    effect: Ref = Field(description="The intended effect or uitvoering")
    waarde: float | None
    eenheid: Unit | None
    doel_begrip: Ref | None = None
    labelstappen: int | None = None
    horizon: date | None = None
    norm: Ref | None
    regel: Ref | None = None
    indicator: Ref | None
    aspect: Ref | None
    thema: Ref
    dwarsverband: bool


class BereiktThema(Ref):
    dwarsverband: bool


class MaatregelDwarsverbanden(BaseModel):
    maatregel: Ref
    eigen_thema: Ref | None
    bereikte_themas: list[BereiktThema]
    effecten: list[Effect]


class ThemaKnoop(Ref):
    indicatoren: int
    normen: int
    maatregelen: int


class Verbinding(BaseModel):
    bron: Ref
    doel: Ref
    maatregelen: int
    effecten: int = Field(description="All links (effects and uitvoeringen) between the themes")
    effecten_op_norm: int
    effecten_op_indicator: int
    uitvoeringen: int


class Netwerk(BaseModel):
    knopen: list[ThemaKnoop]
    verbindingen: list[Verbinding]


class QueryParameter(BaseModel):
    name: str
    type: str
    required: bool
    default: str | None
    description: str


class QueryInfo(BaseModel):
    name: str
    title: str
    description: str
    parameters: list[QueryParameter]
    columns: list[str]
    href: str


class QueryAnswer(BaseModel):
    name: str
    variables: list[str]
    rows: list[dict[str, Any]] = Field(
        description="One object per row; IRIs and strings as text, numbers, booleans and "
        "dates as JSON values; unbound variables left out"
    )


NOT_FOUND = {404: {"model": Problem, "description": "Nothing matches what was asked for"}}
AMBIGUOUS = {409: {"model": AmbiguityResponse, "description": "The name matches several"}}


# --- IMBOR object types --------------------------------------------------------

ObjecttypePath = Annotated[
    str, Path(description="IMBOR UUID, full IRI or Dutch name (e.g. Asfaltverharding)")
]
GebiedQuery = Annotated[
    str | None, Query(description="Area: CBS code, slug (e.g. parkstraat) or IRI")
]
DatumQuery = Annotated[
    date | None, Query(description="What is in force on this ISO date (default: today)")
]
RichtingQuery = Annotated[
    Literal_["hier", "binnen", "beide"],
    Query(
        description="hier: this area and those containing it; binnen: it and its sub-areas; "
        "beide: both. Areas overlapping it by geometry always count."
    ),
]
SubklassenQuery = Annotated[
    bool, Query(description="Also norms and measures on subclasses of the object type")
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
    norms: dict[tuple[str, str], Norm] = {}
    for row in rows:
        if str(row["soort"]) != "beleidsnorm":
            continue
        key = (str(row["object"]), str(row["klasse"]))
        via = _str(row.get("via")) or "objecttype"
        norms[key] = norm_details(
            store, URIRef(key[0]), _ref(row.get("klasse"), row.get("klasse_label")), via
        )
    # Measures are a list per norm: one entry per norm, never one per measure.
    for row in rows:
        if str(row["soort"]) != "beleidsmaatregel" or "norm" not in row:
            continue
        for (norm_iri, _klasse), norm in norms.items():
            if norm_iri == str(row["norm"]):
                norm.maatregelen.append(
                    ObjecttypeMaatregelEffect(
                        maatregel=Ref(iri=str(row["object"]), label=_str(row.get("object_label"))),
                        effect_waarde=_decimal(row.get("effect_waarde")),
                        eenheid_symbool=_str(row.get("effect_eenheid_symbool")),
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
    for row in rows:
        if str(row["soort"]) != "beleidsmaatregel":
            continue
        iri = str(row["object"])
        entry = measures.setdefault(
            iri,
            ObjecttypeMaatregel(
                maatregel=Ref(iri=iri, label=_str(row.get("object_label"))), effecten=[]
            ),
        )
        if "norm" not in row:
            entry.ingrijpend_op.append(_ref(row["klasse"], row.get("klasse_label")))
            continue
        entry.effecten.append(
            MaatregelEffect(
                norm=Ref(iri=str(row["norm"]), label=_str(row.get("norm_label"))),
                via_superklasse=_str(row.get("via")) != "objecttype",
                effect_waarde=_decimal(row.get("effect_waarde")),
                eenheid_symbool=_str(row.get("effect_eenheid_symbool")),
            )
        )
    return ObjecttypeMaatregelen(
        objecttype=klasse,
        gebied=area,
        richting=richting,
        datum=day,
        subklassen=subklassen,
        maatregelen=list(measures.values()),
    )


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
    klasse = resolve_objecttype(request, store, objecttype)
    area = resolve_thing(store, gebied, KRB.Werkingsgebied, "werkingsgebied") if gebied else None
    day = datum or date.today()
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
        datum=_date_term(day),
        subklassen=Literal(subklassen),
    ).dicts()


def norm_details(store: Store, norm: URIRef, klasse: Ref | None, via: str) -> Norm:
    """One norm with everything an asset manager needs to apply it."""
    rows = run_query(store, "web-norm-details", norm=norm).dicts()
    row = rows[0] if rows else {}
    unit = None
    if "eenheid" in row:
        unit = Unit(
            iri=str(row["eenheid"]),
            label=None,
            symbool=_str(row.get("eenheid_symbool")),
        )
    areas = [
        Ref(iri=str(r["gebied"]), label=_str(r.get("gebied_label"))) for r in rows if "gebied" in r
    ]
    return Norm(
        norm=Ref(iri=str(norm), label=_str(row.get("norm_label"))),
        code=_str(row.get("code")),
        indicator=_ref(row.get("indicator"), row.get("indicator_label")),
        thema=_ref(row.get("thema"), row.get("thema_label")),
        operator=_ref(row.get("operator"), row.get("operator_label")),
        waarde=_decimal(row.get("waarde")),
        waarde_begrip=_ref(row.get("waarde_begrip"), row.get("waarde_begrip_label")),
        eenheid=unit,
        gebied=areas[0] if areas else None,
        gebieden=areas,
        document=_ref(row.get("document"), row.get("document_label")),
        bestuurslaag=_ref(row.get("bestuurslaag"), row.get("bestuurslaag_label")),
        geldig_vanaf=_date(row.get("geldig_vanaf")),
        geldig_tot=_date(row.get("geldig_tot")),
        ingedeeld_op=klasse,
        via=via,
        via_superklasse=via != "objecttype",
    )


def resolve_objecttype(request: Request, store: Store, text: str) -> Ref:
    """An object type from a UUID, an IRI or a Dutch name (case and accents ignored).

    Raises HTTPException 404 when nothing matches, 409 listing the candidates
    when a name matches several classes.
    """
    entries = label_index(request).entries(store)
    classes = {e.iri: e for e in entries if _is_objecttype(e)}
    value = text.strip()
    if _UUID.match(value) or value.startswith(("http://", "https://")):
        iri = str(IMBOR[value.lower()]) if _UUID.match(value) else value
        if iri not in classes:
            raise HTTPException(404, f"no IMBOR or local object type with IRI <{iri}>")
        return Ref(iri=iri, label=classes[iri].label)
    wanted = normalise(value)
    found = [e for e in classes.values() if wanted in e.texts]
    if not found:
        raise HTTPException(
            404,
            f"no object type named {value!r}; search with /zoeken?q= or give the IMBOR UUID",
        )
    if len(found) > 1:
        candidates = sorted(found, key=lambda e: (e.type_iri != IMBOR_OBJECTTYPE, e.iri))
        raise HTTPException(
            409,
            {
                "detail": f"{value!r} names {len(found)} object types; give the UUID or IRI",
                "candidates": [{"iri": e.iri, "label": e.label} for e in candidates],
            },
        )
    return Ref(iri=found[0].iri, label=found[0].label)


def _is_objecttype(entry: Entry) -> bool:
    if entry.type_iri in _OBJECTTYPE_GROUPS:
        return True
    return entry.type_iri == str(OWL.Class) and entry.iri.startswith(_IMBOR_CLASS_SPACES)


def resolve_thing(store: Store, text: str, klasse: URIRef, what: str) -> Ref:
    """A thing of `klasse` from its IRI, code, CBS code or exact name.

    Raises HTTPException 404 (nothing matches) or 409 (several match).
    """
    value = text.strip()
    if value.startswith(("http://", "https://")):
        try:
            ding = URIRef(ox.NamedNode(value).value)
        except ValueError:
            raise HTTPException(404, f"no {what} with IRI <{value}> (not a valid IRI)") from None
        rows = run_query(store, "web-ding-van-klasse", ding=ding, klasse=klasse).dicts()
        if not rows:
            raise HTTPException(404, f"no {what} with IRI <{value}>")
        return Ref(iri=value, label=_str(rows[0].get("label")))
    rows = run_query(store, "zoek", tekst=Literal(value), klasse=klasse).dicts()
    found: dict[str, list[Identifier | None]] = {}
    for row in rows:
        found.setdefault(str(row["object"]), []).append(row.get("label"))
    if not found:
        raise HTTPException(404, f"no {what} with code or name {value!r}")
    if len(found) > 1:
        raise HTTPException(
            409,
            {
                "detail": f"{value!r} matches {len(found)} things of type {what}; give the IRI",
                "candidates": [{"iri": iri, "label": pick_label(ls)} for iri, ls in found.items()],
            },
        )
    iri, labels = next(iter(found.items()))
    return Ref(iri=iri, label=pick_label(labels))


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
        bool, Query(description="Also what is not in force on the date, marked in geldigheid")
    ] = False,
) -> GebiedBeleid:
    area = resolve_thing(store, code, KRB.Werkingsgebied, "werkingsgebied")
    day = datum or date.today()
    rows = run_query(
        store,
        "beleid-in-gebied",
        gebied=URIRef(area.iri),
        datum=_date_term(day),
        richting=Literal(richting),
        alles=Literal(alles),
    ).dicts()
    items = [
        BeleidItem(
            soort=str(row["soort"]),
            object=Ref(iri=str(row["object"]), label=_str(row.get("object_label"))),
            code=_str(row.get("code")),
            vastgesteld_voor=Ref(
                iri=str(row["vastgesteld_voor"]), label=_str(row.get("vastgesteld_voor_label"))
            ),
            geerfd=str(row.get("relatie")) == "omvat",
            relatie=str(row["relatie"]),
            geldigheid=str(row["geldigheid"]),
            geldig_vanaf=_date(row.get("geldig_vanaf")),
            geldig_tot=_date(row.get("geldig_tot")),
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
        datum=_date_term(datum or date.today()),
    ).dicts()
    effects = [
        Effect(
            soort=str(row["soort"]),
            effect=Ref(iri=str(row["koppeling"]), label=_str(row.get("koppeling_label"))),
            waarde=_decimal(row.get("waarde")),
            eenheid=Unit(iri=str(row["eenheid"]), symbool=_str(row.get("eenheid_symbool")))
            if "eenheid" in row
            else None,
            doel_begrip=_ref(row.get("doel_begrip"), row.get("doel_begrip_label")),
            labelstappen=int(str(row["labelstappen"])) if "labelstappen" in row else None,
            horizon=_date(row.get("horizon")),
            norm=_ref(row.get("norm"), row.get("norm_label")),
            regel=_ref(row.get("regel"), row.get("regel_label")),
            indicator=_ref(row.get("indicator"), row.get("indicator_label")),
            aspect=_ref(row.get("aspect"), row.get("aspect_label")),
            thema=Ref(iri=str(row["thema"]), label=_str(row.get("thema_label"))),
            dwarsverband=_bool(row.get("dwarsverband")),
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
        _ref(theme_rows[0].get("eigen_thema"), theme_rows[0].get("eigen_thema_label"))
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
    day = _date_term(datum or date.today())
    nodes = [
        ThemaKnoop(
            iri=str(row["thema"]),
            label=_str(row.get("thema_label")),
            indicatoren=int(row.get("indicatoren", 0)),
            normen=int(row.get("normen", 0)),
            maatregelen=int(row.get("maatregelen", 0)),
        )
        for row in run_query(store, "dwarsverbanden-themas", datum=day).dicts()
    ]
    edges = [
        Verbinding(
            bron=Ref(iri=str(row["bron"]), label=_str(row.get("bron_label"))),
            doel=Ref(iri=str(row["doel"]), label=_str(row.get("doel_label"))),
            maatregelen=int(row["maatregelen"]),
            effecten=int(row["koppelingen"]),
            effecten_op_norm=int(row["effecten_op_norm"]),
            effecten_op_indicator=int(row["effecten_op_indicator"]),
            uitvoeringen=int(row["uitvoeringen"]),
        )
        for row in run_query(store, "dwarsverbanden-netwerk", datum=day).dicts()
    ]
    return Netwerk(knopen=nodes, verbindingen=edges)


# --- Named queries -------------------------------------------------------------


@router.get("/queries", response_model=list[QueryInfo], summary="The named-query catalogue")
def list_queries(request: Request) -> list[QueryInfo]:
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
        for query in catalogue(request).public()
    ]


@router.get(
    "/queries/{name}",
    response_model=QueryAnswer,
    responses={
        400: {"model": Problem, "description": "A parameter is unknown, missing or mistyped"},
        404: {"model": Problem, "description": "No query with this name"},
        200: {"content": {"text/csv": {}}, "description": "Rows as JSON, or CSV with format=csv"},
    },
    summary="Run a named query; its parameters are query-string parameters",
)
def run_query_endpoint(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    name: str,
    format: Annotated[
        str | None, Query(pattern="^(json|csv)$", description="json (default) or csv")
    ] = None,
) -> QueryAnswer | Response:
    queries = catalogue(request)
    # format and lang shape the answer; every other parameter belongs to the query.
    values = {k: v for k, v in request.query_params.items() if k not in ("format", "lang")}
    try:
        result = run_named_query(
            store,
            queries,
            name,
            values,
            timeout_s=settings.query_timeout_s,
            languages=READER_LANGUAGES.get(),
        )
    except UnknownQueryError as exc:
        raise HTTPException(404, str(exc.args[0])) from None
    except ParameterError as exc:
        raise HTTPException(400, str(exc)) from None
    result = cast(QueryResult, result)
    if format == "csv":
        return Response(
            results.serialize_result(result, "csv"),
            media_type=results.content_type("text/csv"),
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    rows = [
        {
            var: _json_value(value)
            for var, value in zip(result.variables, row, strict=True)
            if value is not None
        }
        for row in result.rows
    ]
    return QueryAnswer(name=name, variables=list(result.variables), rows=rows)


# --- Term conversion -------------------------------------------------------------


def _str(term: Identifier | None) -> str | None:
    return None if term is None else str(term)


def _ref(iri: Identifier | None, label: Identifier | None = None) -> Ref | None:
    return None if iri is None else Ref(iri=str(iri), label=_str(label))


def _bool(term: Identifier | None) -> bool:
    return isinstance(term, Literal) and term.toPython() is True


def _decimal(term: Identifier | None) -> float | None:
    """Norm and effect values as JSON numbers (they are decimals with few digits)."""
    if not isinstance(term, Literal):
        return None
    try:
        return float(str(term))
    except ValueError:
        return None


def _date(term: Identifier | None) -> date | None:
    if isinstance(term, Literal) and term.datatype == XSD.date:
        value = term.toPython()
        return value if isinstance(value, date) else None
    return None


def _date_term(value: date | None) -> Literal | None:
    return None if value is None else Literal(value.isoformat(), datatype=XSD.date)


def _json_value(term: Identifier) -> Any:
    if isinstance(term, Literal):
        if term.datatype in (XSD.integer, XSD.int, XSD.long):
            return int(term)
        if term.datatype in (XSD.decimal, XSD.double, XSD.float):
            return float(term)
        if term.datatype == XSD.boolean:
            return term.toPython() is True
    return str(term)
