"""The one gate for SPARQL text from clients: every route that runs it passes here.

/sparql (GET and POST) and the query page with its downloads (/query,
/query/download) run queries from anyone; /sparql and /update run updates
from token holders. A route gets a runnable query only from ``user_query``,
which checks the text (krbgraph.sparql_text: the app's limits, no SERVICE,
no LOAD), and ``UserQuery.run`` always applies the service's time limit and
row limit, and runs only in one of its client's slots (krbgraph.web.admission:
at most KRB_QUERY_PER_CLIENT queries of one client at once); a marked client's or
text's query runs in the lane, with the lane's shorter time limit. Guarding in the
routes themselves let the query page run SERVICE and skip the row limit while
the endpoint refused both.

Such queries also run at a lower CPU priority (krbgraph.store.priority):
USER_NICE, and the lane's LANE_NICE, the lowest. Their cost is unknown, so when
the cores are busy the pages, named queries and writes get them first; when they
are idle, a user's query runs as fast as before.

Refusals and store errors are answered by the app's exception handlers (see
app.py), one status per kind of error, unless a route renders them itself
(the query page shows them in HTML).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ..settings import Settings
from ..sparql_text import Scan, SparqlLimits, check
from ..store import QueryResult, QueryTimeout, Store
from ..store.priority import LOWEST
from .admission import LaneTimeout, Slot
from .query_dataset import query_dataset

USER_NICE = 5
"""The nice value of users' own SPARQL: its weight against the service's requests is a
third (335 to 1024)."""
LANE_NICE = LOWEST
"""The nice value of a marked client's or text's query: a likely runaway, which then
only gets CPU time nobody else wants (weight 15 to 1024)."""


def sparql_limits(request: Request) -> SparqlLimits:
    """The app's limits for client SPARQL (set by create_app)."""
    return request.app.state.sparql_limits


LimitsDep = Annotated[SparqlLimits, Depends(sparql_limits)]


@dataclass(frozen=True)
class UserQuery:
    """A client's query that passed the checks; made by ``user_query`` only."""

    text: str
    scan: Scan

    def run(
        self,
        store: Store,
        settings: Settings,
        admitted: Slot,
        *,
        base_iri: str | None = None,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> QueryResult:
        """The answer within the service's time and row limits; blocking (use a worker thread).

        ``admitted`` is the client's slot (krbgraph.web.admission), held by the
        caller until this returns. Raises QuerySyntaxError, QueryTimeout,
        ResultTooLarge or StoreError.
        """
        if not admitted.held:
            raise RuntimeError("a client's query runs only while it holds one of its slots")
        limit = settings.lane_timeout_s if admitted.penalised else settings.query_timeout_s
        if self.scan.has_from and not default_graphs and not named_graphs:
            default_graphs, named_graphs = query_dataset(self.text, base_iri)
        try:
            return store.query(
                self.text,
                default_graph_uris=default_graphs,
                named_graph_uris=named_graphs,
                timeout_s=limit,
                max_rows=settings.max_result_rows,
                max_bytes=settings.max_result_mb * 1024 * 1024,
                base_iri=base_iri,
                nice=LANE_NICE if admitted.penalised else USER_NICE,
            )
        except QueryTimeout as exc:
            # Its client and its text run one at a time for a while (admission.py);
            # EngineStopped is a QueryTimeout too: stopped with the engine twice.
            admitted.overran()
            if admitted.penalised:
                raise LaneTimeout(limit, settings.query_penalty_s) from exc
            raise


BOM = "\ufeff"
"""The byte order mark Windows editors (Notepad) put first in a file they save as UTF-8."""


def without_bom(text: str) -> str:
    """``text`` without a leading byte order mark: a .rq or .ru file saved by Notepad and
    sent as it is (``curl --data-binary @change.ru``), or pasted into a form. SPARQL
    does not allow one, and the parser refused it with "expected VERSION" at a column
    the user cannot see, while /store and `krb load` read RDF with one
    (krbgraph.rdfio.without_bom). Every route that takes SPARQL text passes it here
    before it is checked, so positions in messages count from what an editor shows."""
    return text.removeprefix(BOM)


def user_query(text: str, limits: SparqlLimits) -> UserQuery:
    """The query, once it is within ``limits`` and fetches nothing from the network; a
    leading byte order mark is dropped (``without_bom``).

    Raises krbgraph.sparql_text.SparqlRefused (LimitExceeded, RemoteAccessRefused).
    """
    text = without_bom(text)
    return UserQuery(text, check(text, limits))


def user_update(text: str, limits: SparqlLimits) -> Scan:
    """The scan of an update, once it is within ``limits`` and uses no SERVICE or LOAD.

    ``text`` is the update as it will be run, already ``without_bom``: the scan's
    positions (where USING clauses go) are positions in it.
    Raises krbgraph.sparql_text.SparqlRefused (LimitExceeded, RemoteAccessRefused).
    """
    return check(text, limits)
