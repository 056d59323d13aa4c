"""The JSON API of beleidsonderzoek: does reality meet the norms, did measures work,
will the measures planned close the gap?

The routes take the reader's filters and answer with the typed rows of
krbgraph.web.research_answers (the named queries ``normtoets``,
``effectevaluatie`` and ``normgat``). An area is given the way people know it
(CBS code, code, name or IRI) and resolved by the query catalogue; a bad or
unknown value answers 400 with the catalogue's message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from ..queries import Catalogue, ParameterError, shipped_catalogue
from ..settings import Settings
from ..store import QueryTimeout, Store
from . import research_answers as answers
from .api_models import AMBIGUOUS, IsoDay
from .deps import (
    API_PARAMETER_CHECKS,
    get_settings,
    get_store,
    reader_languages,
)
from .openapi_protocols import API_RESPONSES, error_response
from .research_answers import Effectevaluatie, Normgat, Normtoets, Question
from .resolving import parameter_refused

T = TypeVar("T")

router = APIRouter(
    prefix="/api",
    tags=["beleidsonderzoek"],
    dependencies=[Depends(reader_languages), *API_PARAMETER_CHECKS],
    responses=API_RESPONSES,
)

StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
DatumQuery = Annotated[IsoDay | None, Query(description="Peildatum (YYYY-MM-DD); default today")]
GebiedQuery = Annotated[
    str | None,
    Query(description="Only this area (and the areas in it): CBS code, code, name or IRI"),
]
ThemaQuery = Annotated[str | None, Query(description="Only this policy theme: code, name or IRI")]


def _catalogue(request: Request) -> Catalogue:
    """The named-query catalogue, read once per app (shared with the pages)."""
    state = request.app.state
    found = getattr(state, "krb_catalogue", None)
    if found is None:
        found = shipped_catalogue()
        state.krb_catalogue = found
    return found


CatalogueDep = Annotated[Catalogue, Depends(_catalogue)]


def _question(
    store: StoreDep,
    settings: SettingsDep,
    queries: CatalogueDep,
    datum: DatumQuery = None,
    gebied: GebiedQuery = None,
    thema: ThemaQuery = None,
) -> Question:
    values = {
        "datum": datum.isoformat() if datum else "",
        "gebied": gebied or "",
        "thema": thema or "",
    }
    return Question(store, settings, queries, {k: v for k, v in values.items() if v})


QuestionDep = Annotated[Question, Depends(_question)]


@router.get(
    "/normtoets",
    response_model=list[Normtoets],
    responses={400: error_response("A parameter is wrong or names nothing"), **AMBIGUOUS},
    summary="Per norm in force and area: the latest measurement, the verdict and the margin",
)
def normtoets(question: QuestionDep) -> list[Normtoets]:
    return _answered(answers.normtoets, question)


@router.get(
    "/effectevaluatie",
    response_model=list[Effectevaluatie],
    responses={400: error_response("A parameter is wrong or names nothing"), **AMBIGUOUS},
    summary="Per measure, indicator and area: the change since the start next to the intended",
)
def effectevaluatie(question: QuestionDep) -> list[Effectevaluatie]:
    return _answered(answers.effectevaluatie, question)


@router.get(
    "/normgat",
    response_model=list[Normgat],
    responses={400: error_response("A parameter is wrong or names nothing"), **AMBIGUOUS},
    summary="Per norm missed and area: the gap, the intended effects to come, and what is left",
)
def normgat(question: QuestionDep) -> list[Normgat]:
    return _answered(answers.normgat, question)


def _answered(answer: Callable[[Question], list[T]], question: Question) -> list[T]:
    """``answer`` to ``question``; 400 for a filter the query catalogue refuses, 503 with
    what to do for a question too large to answer within the time limit (a whole large
    registry: these answers take a filter, not LIMIT)."""
    try:
        return answer(question)
    except ParameterError as exc:
        raise parameter_refused(question.store, exc) from None
    except QueryTimeout:
        limit = question.settings.query_timeout_s
        raise HTTPException(
            503,
            f"The answer for {_asked(question)} did not finish within {limit:g} s, the time "
            "limit of this service; ask for one area (gebied) or theme (thema).",
        ) from None


def _asked(question: Question) -> str:
    """The question's filters as a reader gave them ("the whole registry" for none)."""
    given = [f"{name}={value}" for name, value in sorted(question.values.items())]
    return ", ".join(given) if given else "the whole registry"
