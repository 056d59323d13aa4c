"""Generated SPARQL, Turtle and JSON-LD sent to one real `krb serve --demo`: it holds.

A handful of hand-written hostile texts (test_reliability_crashes,
test_reliability_one_guard) show that the known attacks are refused; these
tests look for the ones nobody wrote down. Hypothesis builds queries from
the SPARQL grammar (prologue, nested groups, OPTIONAL, UNION, MINUS, FILTER,
BIND, VALUES, property paths, sub-selects, aggregates, comments ending in
CR, LF or CRLF, odd whitespace and IRIs) and mutates valid ones (deep
nesting, long UNIONs, SERVICE and LOAD hidden in comments, strings and
IRIs). Each case goes to one route of the same server process, and after
each one:

- the answer is never a 5xx other than 503 (time limit or busy engine);
- the process still answers a trivial query, and its resident memory
  (with the engine's) stays within RSS_MARGIN_MB of where it started;
- a listener on the loopback address, named by every SERVICE and LOAD the
  generators write, has seen no connection;
- for writes to the Graph Store: only 2xx or 4xx, and after a refusal the
  target graph and the size of every graph are what they were.

The server runs with a short time limit so that a generated cross join
costs a second, not thirty; the example counts keep the module within about
a minute on two busy cores. Hypothesis prints the failing text, shrunk.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from reliability_support import AUTH, BASE, Listener, krb_serve

from krbgraph import sparql_text

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads resident memory from /proc (Linux)"
)

TIME_LIMIT_S = 1.5
"""KRB_QUERY_TIMEOUT_S of the server: a generated runaway query ends at this limit."""
MAX_ROWS = 200
RSS_MARGIN_MB = 400
"""How far the resident memory of the service and its engine may rise above the start."""
CLIENT_TIMEOUT_S = 30.0
FUZZ = settings(
    max_examples=40,
    deadline=timedelta(seconds=20),  # a case that takes longer hangs the service
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
WRITE_FUZZ = settings(FUZZ, max_examples=20)
"""Writes are validated with SHACL (about half a second each), so fewer of them."""
OUT = "{out}"
"""Stands for the listener's URL (http://127.0.0.1:port) in generated text: every URL
the generators aim at points there."""
TARGET = f"{BASE}/graph/fuzz"
"""The graph the Graph Store cases write to."""


# -- the service, the listener and what they must keep ------------------------------------


def _rss_mb(pid: int) -> float:
    with suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _tree(pid: int) -> list[int]:
    pending, found = [pid], [pid]
    while pending:
        for task in Path(f"/proc/{pending.pop()}/task").glob("*"):
            with suppress(OSError):
                children = [int(c) for c in (task / "children").read_text().split()]
                found += children
                pending += children
    return found


@dataclass
class Service:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    listener: Listener
    rss_start_mb: float = 0.0

    def aimed(self, text: str) -> str:
        """``text`` with each OUT replaced by the listener's URL."""
        return text.replace(OUT, f"http://127.0.0.1:{self.listener.port}")

    def rss_mb(self) -> float:
        return sum(_rss_mb(pid) for pid in _tree(self.process.pid))

    def log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]

    def graph_sizes(self) -> dict[str, int]:
        query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        answer = httpx.get(
            f"{self.url}/sparql",
            params={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=CLIENT_TIMEOUT_S,
        )
        assert answer.status_code == 200, answer.text[:300]
        rows = answer.json()["results"]["bindings"]
        return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}

    def target_graph(self) -> str:
        """The target graph as sorted N-Triples ('' while it does not exist)."""
        answer = httpx.get(
            f"{self.url}/store",
            params={"graph": TARGET},
            headers={"Accept": "application/n-triples"},
            timeout=CLIENT_TIMEOUT_S,
        )
        if answer.status_code == 404:
            return ""
        assert answer.status_code == 200, answer.text[:300]
        return "\n".join(sorted(answer.text.splitlines()))

    def ask(self, attempts: int = 5) -> httpx.Response:
        """ASK {} as a client that honours 429: after a query of this address overran
        its time limit, the service admits its next ones one at a time with a pause
        (krbgraph.web.admission), and says when to come back. Alive is answering."""
        for _ in range(attempts):
            answer = httpx.get(f"{self.url}/sparql", params={"query": "ASK {}"}, timeout=60)
            if answer.status_code != 429:
                return answer
            time.sleep(min(float(answer.headers.get("Retry-After", "1")), 10.0))
        return answer

    def assert_held(self, what: str, response: httpx.Response | None) -> None:
        """The checks every case ends with (see the module docstring)."""
        if response is not None:
            status = response.status_code
            assert status < 500 or status == 503, (
                f"{status} for {what}:\n{response.text[:500]}\n{self.log_tail()}"
            )
        code = self.process.poll()
        assert code is None, f"krb serve died ({code}) after {what}:\n{self.log_tail()}"
        alive = self.ask()
        assert alive.status_code == 200, f"no answer after {what}: {alive.text[:300]}"
        assert self.listener.connections == 0, f"the server connected out after {what}"
        rss = self.rss_mb()
        assert rss < self.rss_start_mb + RSS_MARGIN_MB, (
            f"{rss:.0f} MB resident after {what}, {self.rss_start_mb:.0f} MB at the start"
        )


@contextmanager
def krb_serve_fuzz(folder: Path, listener: Listener) -> Iterator[Service]:
    """`krb serve --demo` with writes enabled, a short time limit and a small row limit."""
    with krb_serve(folder, KRB_QUERY_TIMEOUT_S=f"{TIME_LIMIT_S:g}") as server:
        yield Service(server.url, server.process, server.log, listener)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    listener = Listener()
    try:
        with krb_serve_fuzz(tmp_path_factory.mktemp("fuzz"), listener) as running:
            for _ in range(3):  # warm up: the first queries load the engine's caches
                running.graph_sizes()
            running.rss_start_mb = running.rss_mb()
            yield running
    finally:
        listener.close()


# -- SPARQL from the grammar --------------------------------------------------------------


PREFIXES = {
    "krb": "https://data.krb.nl/def/krb#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "ex": "http://example.org/",
    "": f"{BASE}/id/",
}

# Whitespace as the grammar allows it, comments ending in each of the three line ends
# (the CR alone once let SERVICE slip past the check), and the odd but legal forms.
space = st.sampled_from(
    [" ", "\t", "\n", "\r", "\r\n", "  \t\r\n ", " #c\n", " # note\r", " #x\r\n", "#{\n", "#}\r"]
)
variable = st.sampled_from(["?s", "?p", "?o", "?x", "$y", "?label", "?n", "?g", "?é", "?_1"])
iri = st.sampled_from(
    [
        "<http://example.org/a>",
        "<https://krb.demogemeente.nl/id/beleidsnorm/x>",
        "<>",
        "<#frag>",
        "<relative/path>",
        "<urn:x:é>",
        "<http://example.org/\\u0041>",
        "<http://example.org/a?b=c&d>",
        "<{out}/iri>",
        "rdf:type",
        "rdfs:label",
        "skos:prefLabel",
        "krb:Beleidsnorm",
        "dct:title",
        "ex:a",
        "ex:with.dot",
        ":x",
        "ex:%41",
        "ex:a\\~b",
    ]
)


def _short_string(text: str, quote: str) -> str:
    escaped = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r")
    return quote + escaped + quote


literal_text = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12
)
literal = st.one_of(
    st.builds(_short_string, literal_text, st.sampled_from(['"', "'"])),
    st.builds(lambda t: '"""' + t.replace("\\", "").replace('"', "") + '"""', literal_text),
    st.builds(lambda t: "'''" + t.replace("\\", "").replace("'", "") + "'''", literal_text),
    st.sampled_from(
        [
            '"x"@nl',
            "'y'@en-GB",
            '"1"^^xsd:integer',
            '"2020-01-01"^^xsd:date',
            '"x"^^<{out}/dt>',
            "42",
            "-1.5e3",
            ".5",
            "true",
            "false",
            '"SERVICE"',
        ]
    ),
)
term = st.one_of(variable, iri, literal, st.sampled_from(["_:b1", "[]", "()"]))
subject = st.one_of(variable, iri, st.sampled_from(["_:b", "[]"]))

path = st.recursive(
    st.one_of(iri, st.just("a")),
    lambda inner: st.one_of(
        st.builds(lambda p: f"^{p}", iri),
        st.builds(lambda p, q: f"{p}/{q}", inner, inner),
        st.builds(lambda p, q: f"{p}|{q}", inner, inner),
        st.builds(lambda p, m: f"({p}){m}", inner, st.sampled_from(["*", "+", "?", ""])),
        st.builds(lambda p: f"!({p})", iri),
        st.builds(lambda p: f"!^{p}", iri),
    ),
    max_leaves=4,
)
predicate = st.one_of(variable, path)


@st.composite
def triple(draw: st.DrawFn) -> str:
    s, p, o = draw(subject), draw(predicate), draw(term)
    if draw(st.booleans()) and p != "a":
        o = f"[ {draw(path)} {draw(term)} ]"
    if draw(st.booleans()):
        o += f" ; {draw(path)} {draw(term)}"
    return f"{s}{draw(space)}{p}{draw(space)}{o}"


expression = st.recursive(
    st.one_of(variable, literal, iri),
    lambda inner: st.one_of(
        st.builds(
            lambda a, op, b: f"({a} {op} {b})",
            inner,
            st.sampled_from(["=", "!=", "<", ">", "<=", ">=", "&&", "||", "+", "-", "*", "/"]),
            inner,
        ),
        st.builds(lambda a: f"!{a}", inner),
        st.builds(
            lambda f, a: f"{f}({a})",
            st.sampled_from(
                ["STR", "LANG", "isIRI", "isLiteral", "UCASE", "STRLEN", "ABS", "YEAR"]
            ),
            inner,
        ),
        st.builds(lambda a, b: f"CONTAINS(STR({a}), {b})", inner, literal),
        st.builds(lambda a, b: f'REGEX(STR({a}), {b}, "i")', inner, literal),
        st.builds(lambda a, b, c: f"IF({a}, {b}, {c})", inner, inner, inner),
        st.builds(lambda a, b: f"COALESCE({a}, {b})", inner, inner),
        st.builds(lambda a, b: f"{a} IN ({b}, 1)", inner, inner),
    ),
    max_leaves=5,
)


def _group_of(elements: list[str], joiner: str) -> str:
    return "{ " + joiner.join(elements) + " }"


@lru_cache
def group(depth: int) -> st.SearchStrategy[str]:
    """A group graph pattern nested at most ``depth`` levels deeper."""
    leaf = st.one_of(
        triple(),
        st.builds(lambda e: f"FILTER({e})", expression),
        st.builds(lambda e, v: f"BIND({e} AS {v})", expression, variable),
        st.builds(
            lambda v, ts: f"VALUES {v} {{ {' '.join(ts)} }}",
            variable,
            st.lists(st.one_of(iri, literal, st.just("UNDEF")), max_size=4),
        ),
    )
    if depth == 0:
        return st.builds(_group_of, st.lists(triple(), min_size=0, max_size=2), st.just(" . "))
    inner = st.deferred(lambda: group(depth - 1))
    element = st.one_of(
        leaf,
        leaf,
        st.builds(lambda g: f"OPTIONAL {g}", inner),
        st.builds(lambda a, b: f"{a} UNION {b}", inner, inner),
        st.builds(lambda g: f"MINUS {g}", inner),
        st.builds(lambda g, x: f"GRAPH {x} {g}", inner, st.one_of(variable, iri)),
        st.builds(lambda g: f"FILTER EXISTS {g}", inner),
        st.builds(lambda g: f"FILTER NOT EXISTS {g}", inner),
        st.builds(lambda v, g: f"{{ SELECT {v} WHERE {g} LIMIT 5 }}", variable, inner),
        inner,
    )
    return st.builds(
        _group_of,
        st.lists(element, max_size=4),
        st.sampled_from([" . ", " .\n", " .\r\n", " .\r", "\t.\t"]),
    )


@st.composite
def prologue(draw: st.DrawFn) -> str:
    every = sorted(PREFIXES)
    some = st.lists(st.sampled_from(every), unique=True)  # may miss one the query uses: 400
    names = draw(st.one_of(st.just(every), st.just(every), st.just(every), some))
    lines = [f"PREFIX {name}: <{PREFIXES[name]}>" for name in names]
    lines += ["PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>"]
    if draw(st.booleans()):
        lines.insert(0, draw(st.sampled_from(["BASE <http://example.org/base/>", "base <>"])))
    return "".join(line + draw(space) for line in lines)


aggregate = st.builds(
    lambda f, d, v, n: f"({f}({d}{v}) AS ?{n})",
    st.sampled_from(["COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"]),
    st.sampled_from(["", "DISTINCT "]),
    st.one_of(variable, st.just("*")),
    st.sampled_from(["agg", "n2", "total"]),
)


@st.composite
def query(draw: st.DrawFn) -> str:
    """A query of any form; most are valid SPARQL, some break a rule the parser checks."""
    where = draw(group(3))
    form = draw(st.sampled_from(["select", "aggregate", "ask", "construct", "describe"]))
    modifiers = ""
    if form == "select":
        projection = " ".join(draw(st.lists(variable, min_size=1, max_size=3, unique=True)))
        head = f"SELECT {draw(st.sampled_from(['', 'DISTINCT ', 'REDUCED ']))}"
        head += draw(st.sampled_from(["*", projection]))
    elif form == "aggregate":
        grouped = draw(variable)
        head = f"SELECT {grouped} {draw(aggregate)}"
        modifiers = f" GROUP BY {grouped}"
        if draw(st.booleans()):
            modifiers += " HAVING (COUNT(*) > 1)"
    elif form == "ask":
        head = "ASK"
    elif form == "construct":
        template = f"{draw(subject)} {draw(st.one_of(variable, iri))} {draw(term)}"
        head = f"CONSTRUCT {{ {template} }}"
    else:
        head = f"DESCRIBE {draw(st.one_of(variable, iri))}"
    if form in ("select", "aggregate", "construct") and draw(st.booleans()):
        modifiers += f" ORDER BY {draw(st.sampled_from(['DESC(?s)', '?o', 'STR(?x)', '?n']))}"
    if draw(st.integers(0, 4)):  # mostly LIMIT, so answers stay small and fast
        modifiers += f" LIMIT {draw(st.integers(0, 50))}"
    if draw(st.booleans()):
        modifiers += f" OFFSET {draw(st.integers(0, 3))}"
    keyword = draw(st.sampled_from(["WHERE ", "where", ""]))
    return f"{draw(prologue())}{head}{draw(space)}{keyword}{where}{modifiers}"


# -- mutations of valid queries -----------------------------------------------------------

VALID = [
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5",
    "ASK { ?s a ?type }",
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "SELECT ?c ?label WHERE { ?c skos:prefLabel ?label FILTER(LANG(?label) = 'nl') } LIMIT 3",
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 4",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t } GROUP BY ?t LIMIT 3",
]
"""Texts that answer 200; a mutation that keeps them valid must still pass the checks."""

LIVE_SERVICE = [
    "SERVICE <{out}/a> { ?s ?p ?o }",
    "service silent <{out}/b> { ?s ?p ?o }",
    "SeRvIcE <{out}/c> { ?s ?p ?o }",
    "#x\rSERVICE <{out}/d> { ?s ?p ?o }",
    "#x\r\nSERVICE <{out}/e> { ?s ?p ?o }",
    "\fSERVICE <{out}/f> { ?s ?p ?o }",
    "SERVICE\t<{out}/g>{?s ?p ?o}",
    "SERVICE ?svc { ?s ?p ?o } VALUES ?svc { <{out}/h> }",
    "FILTER(?x<3)SERVICE <{out}/i> { ?s ?p ?o }",
    "OPTIONAL { SERVICE <{out}/j> { ?s ?p ?o } }",
    "{ SELECT * WHERE { SERVICE <{out}/k> { ?s ?p ?o } } }",
]
"""SERVICE clauses the engine would run: each must be refused (400)."""

HIDDEN_SERVICE = [
    "# SERVICE <{out}/a> { ?s ?p ?o }\n",
    "# SERVICE <{out}/b> { ?s ?p ?o }\r\n",
    'FILTER(?x != "SERVICE <{out}/c> { ?s ?p ?o }")',
    "FILTER(?x != '''x\n#\rSERVICE <{out}/d> { ?s ?p ?o }''')",
    "FILTER(?x != <{out}/SERVICE>)",
    "BIND(<{out}/e#SERVICE> AS ?z)",
    "?s <{out}/LOAD> ?z",
]
"""SERVICE and LOAD inside comments, strings and IRIs: harmless, whatever the answer."""


def _insert(text: str, at: int, piece: str) -> str:
    return text[:at] + piece + text[at:]


@st.composite
def service_mutation(draw: st.DrawFn) -> tuple[str, bool]:
    """A valid query with a SERVICE or LOAD put into its outermost group; True if live."""
    base = draw(st.sampled_from(VALID))
    live = draw(st.booleans())
    piece = draw(st.sampled_from(LIVE_SERVICE if live else HIDDEN_SERVICE))
    brace = base.index("{", base.index("WHERE") if "WHERE" in base else 0) + 1
    if base.startswith("CONSTRUCT"):
        brace = base.index("{", base.index("}")) + 1
    separator = "" if piece.startswith("#") else " ."  # a group cannot start with "."
    return _insert(base, brace, f" {piece}{separator} "), live


def _nested(depth: int, inner: str, opening: str, closing: str) -> str:
    return opening * depth + inner + closing * depth


structural = st.one_of(
    st.builds(
        lambda d: "SELECT * WHERE " + _nested(d, "{ ?s ?p ?o }", "{ ", " }") + " LIMIT 1",
        st.integers(1, 400),
    ),
    st.builds(
        lambda n: "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * n) + " } LIMIT 1",
        st.integers(1, 2500),
    ),
    st.builds(
        lambda d: "SELECT * WHERE { BIND(" + _nested(d, "1", "(", ")") + " AS ?x) }",
        st.integers(1, 400),
    ),
    st.builds(
        lambda d: "SELECT * WHERE { ?s ?p " + _nested(d, "1", "[ ?p ", " ]") + " } LIMIT 1",
        st.integers(1, 400),
    ),
    st.builds(
        lambda n: "SELECT * WHERE { ?s " + "/".join(["?p"] * 1 + ["ex:p"] * n) + " ?o }",
        st.integers(1, 3000),
    ),
    st.builds(lambda n: "SELECT * WHERE { FILTER(" + "!" * n + "true) }", st.integers(1, 3000)),
    st.builds(
        lambda n: (
            "SELECT * WHERE { ?s ?p ?o } LIMIT 1 VALUES ?s { "
            + " ".join(f"<http://example.org/v{i}>" for i in range(n))
            + " }"
        ),
        st.integers(0, 5000),
    ),
)
"""Deep nesting and long lists on either side of the limits: 400 or an answer, never a crash."""

DANGEROUS = ["#", "\r", "\n", '"', "'", "<", ">", "{", "}", "(", ")", "\\", "\x00", "\u2028"]


@st.composite
def character_mutation(draw: st.DrawFn) -> str:
    """A query with a hidden SERVICE, then a few characters that change how it tokenizes."""
    text, _live = draw(service_mutation())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        text = _insert(text, at, draw(st.sampled_from(DANGEROUS)))
    return text


# -- routes -------------------------------------------------------------------------------


def via_get(service: Service, text: str) -> httpx.Response:
    return httpx.get(f"{service.url}/sparql", params={"query": text}, timeout=CLIENT_TIMEOUT_S)


def via_form(service: Service, text: str) -> httpx.Response:
    return httpx.post(f"{service.url}/sparql", data={"query": text}, timeout=CLIENT_TIMEOUT_S)


def via_body(service: Service, text: str) -> httpx.Response:
    return httpx.post(
        f"{service.url}/sparql",
        content=text.encode("utf-8", "surrogatepass"),
        headers={"Content-Type": "application/sparql-query"},
        timeout=CLIENT_TIMEOUT_S,
    )


def via_page(service: Service, text: str) -> httpx.Response:
    return httpx.get(f"{service.url}/query", params={"query": text}, timeout=CLIENT_TIMEOUT_S)


def via_download(service: Service, text: str) -> httpx.Response:
    return httpx.get(
        f"{service.url}/query/download",
        params={"query": text, "format": "json"},
        timeout=CLIENT_TIMEOUT_S,
    )


ROUTES: dict[str, Callable[[Service, str], httpx.Response]] = {
    "GET /sparql": via_get,
    "POST /sparql form": via_form,
    "POST /sparql body": via_body,
    "GET /query": via_page,
    "GET /query/download": via_download,
}
route = st.sampled_from(sorted(ROUTES))
LONG_TEXT = 6000
"""Longer texts go by POST only: a URL of that size is refused by the HTTP server (414/431)."""


def send_query(service: Service, name: str, text: str) -> httpx.Response:
    text = service.aimed(text)
    if len(text) > LONG_TEXT and name.startswith("GET"):
        name = "POST /sparql body"
    response = ROUTES[name](service, text)
    service.assert_held(f"{name} {text[:300]!r}", response)
    return response


# -- the properties -----------------------------------------------------------------------


@FUZZ
@given(text=query(), name=route)
def test_fuzz_generated_queries_never_break_the_service(
    service: Service, text: str, name: str
) -> None:
    response = send_query(service, name, text)
    event(f"status {response.status_code}")  # shown by --hypothesis-show-statistics


@FUZZ
@given(mutation=service_mutation(), name=route)
def test_fuzz_service_is_refused_wherever_it_hides(
    service: Service, mutation: tuple[str, bool], name: str
) -> None:
    text, live = mutation
    response = send_query(service, name, text)
    event(f"status {response.status_code}")
    if live:
        assert response.status_code == 400, (text, response.text[:300])
    else:
        assert response.status_code in (200, 422), (text, response.text[:300])


@FUZZ
@given(text=st.one_of(structural, character_mutation()), name=route)
def test_fuzz_mutated_queries_never_break_the_service(
    service: Service, text: str, name: str
) -> None:
    response = send_query(service, name, text)
    event(f"status {response.status_code}")  # shown by --hypothesis-show-statistics


def test_fuzz_valid_queries_still_answer(service: Service) -> None:
    """The checks the fuzz tests pass are not vacuous: the same server answers these."""
    for text in VALID:
        for name in ROUTES:
            assert send_query(service, name, text).status_code == 200, (name, text)


# -- the scanner against the engine, in this process ---------------------------------------
#
# The oracle for the SERVICE/LOAD scan is the engine itself: pyoxigraph on an empty
# in-memory store calls any SERVICE and LOAD it parses. So whatever text the scan lets
# through may be run there, aimed at the listener, and must never reach it. This runs
# in-process (a case takes a millisecond), so it can afford many more examples than the
# server tests.

FRAGMENTS = [
    " ", "\r", "\n", "\r\n", "\t", "#", "#x", "<", ">", "<3)", "?a<", "{", "}", "(", ")",
    '"', "'", '"""', "'''", "\\", "\\u0053", ".", ";", "SERVICE", "service", "LOAD", "SILENT",
    "<{out}/x>", " ?s ?p ?o ", "FILTER(", "BIND(1 AS ?a)", "VALUES ?a { 1 }", "INTO GRAPH <g:g>",
]  # fmt: skip


def _boundaries(text: str, kind: str) -> list[int]:
    """Offsets where a clause may start: after each '{' of a query, or after each ';' and at
    the start of an update (some inside strings or IRIs, which is as good a test)."""
    mark = "{" if kind == "query" else ";"
    found = [i + 1 for i, char in enumerate(text) if char == mark]
    return found if kind == "query" and found else [0, *found]


@st.composite
def engine_text(draw: st.DrawFn) -> tuple[str, str]:
    """('query' or 'update', text): a valid text with a SERVICE or LOAD clause at a place
    where it could run, then perhaps fragments spliced in that may hide it from a scan
    and not from the engine."""
    if draw(st.booleans()):
        kind, text = "query", draw(st.one_of(st.sampled_from(VALID), query()))
        clause = draw(st.sampled_from(LIVE_SERVICE)) + " ."
    else:
        kind, text = "update", draw(st.sampled_from(UPDATE_CARRIERS))
        clause = draw(st.sampled_from([piece for piece, _live in LOAD_PIECES]))
    text = _insert(text, draw(st.sampled_from(_boundaries(text, kind))), f" {clause} ")
    for _ in range(draw(st.integers(0, 3))):
        piece = "".join(draw(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6)))
        text = _insert(text, draw(st.integers(0, len(text))), piece)
    return kind, text


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=engine_text())
def test_fuzz_what_the_scan_lets_through_never_reaches_out(case: tuple[str, str]) -> None:
    kind, text = case
    listener = Listener()
    try:
        text = text.replace(OUT, f"http://127.0.0.1:{listener.port}")
        try:
            found = sparql_text.scan(text, sparql_text.SparqlLimits())
        except sparql_text.SparqlRefused:
            event("refused by a limit or as ambiguous")
            return
        if found.uses_service or found.uses_load:
            event("refused: SERVICE or LOAD")
            return
        store = ox.Store()
        for graph in (ox.DefaultGraph(), ox.NamedNode("g:g")):  # patterns match, so joins run
            store.add(ox.Quad(ox.NamedNode("g:s"), ox.NamedNode("g:p"), ox.Literal("1"), graph))
        try:
            if kind == "query":
                answer = store.query(text, base_iri="http://example.org/")
                if not isinstance(answer, ox.QueryBoolean):
                    list(answer)
            else:
                store.update(text, base_iri="http://example.org/")
            event("passed and ran")
        except (SyntaxError, OSError, ValueError, RuntimeError):
            event("passed, not runnable")
        assert listener.connections == 0, f"the scan let this reach out: {text!r}"
    finally:
        listener.close()


UPDATE_CARRIERS = [
    "CLEAR SILENT GRAPH <http://example.org/fuzz-leeg>",
    "DROP SILENT GRAPH <http://example.org/fuzz-leeg>",
    "DELETE { GRAPH <http://example.org/fuzz-leeg> { ?s ?p ?o } } "
    "WHERE { GRAPH <http://example.org/fuzz-leeg> { ?s ?p ?o } }",
]
"""Updates that change nothing in the demo store, to carry a LOAD or SERVICE."""

LOAD_PIECES = [
    ("LOAD <{out}/a.ttl> INTO GRAPH <http://example.org/fuzz-leeg> ;", True),
    ("LOAD SILENT <{out}/b.ttl> ;", True),
    ("#\rLOAD <{out}/c.ttl> INTO GRAPH <http://example.org/fuzz-leeg> ;", True),
    ("#\r\nload <{out}/d.ttl> ;", True),
    ("# LOAD <{out}/e.ttl>\n", False),
    ("# LOAD <{out}/f.ttl>\r\n", False),
    (
        "INSERT DATA { GRAPH <http://example.org/fuzz-leeg> { <a:b> <a:p> 'LOAD <{out}/g>' } } ;",
        False,
    ),
]


@WRITE_FUZZ
@given(
    carrier=st.sampled_from(UPDATE_CARRIERS),
    piece=st.sampled_from(LOAD_PIECES),
    before=st.booleans(),
    path=st.sampled_from(["/update", "/sparql"]),
)
def test_fuzz_load_never_fetches_and_a_refused_update_changes_nothing(
    service: Service, carrier: str, piece: tuple[str, bool], before: bool, path: str
) -> None:
    text, live = service.aimed(piece[0]), piece[1]
    update = f"{text} {carrier}" if before else f"{carrier} ; {text.rstrip(' ;')}"
    sizes = service.graph_sizes()
    response = httpx.post(
        f"{service.url}{path}",
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update"} | AUTH,
        timeout=CLIENT_TIMEOUT_S,
    )
    event(f"status {response.status_code}")
    service.assert_held(f"update {update!r}", response)
    if live:
        assert response.status_code == 400, (update, response.text[:300])
    if response.status_code >= 400:
        assert service.graph_sizes() == sizes, update


# -- Turtle and JSON-LD for the Graph Store -----------------------------------------------

ttl_iri = st.sampled_from(
    [
        "<http://example.org/s>",
        "<http://example.org/p>",
        "<relative>",
        "<#frag>",
        "<urn:x:é>",
        "ex:a",
        "ex:b",
        ":c",
        "<http://example.org/\\u00e9>",
    ]
)
ttl_object = st.one_of(
    ttl_iri,
    literal,
    st.sampled_from(
        ["_:b1", "[]", "( 1 2 )", "()", '"x"^^<http://www.w3.org/2001/XMLSchema#string>']
    ),
)


@st.composite
def turtle_triple(draw: st.DrawFn) -> str:
    subject = draw(st.one_of(ttl_iri, st.sampled_from(["_:b1", "[ ex:p 1 ]", "( ex:a )"])))
    predicate = draw(st.one_of(ttl_iri, st.just("a")))
    objects = " , ".join(draw(st.lists(ttl_object, min_size=1, max_size=3)))
    more = ""
    if draw(st.booleans()):
        more = f" ; {draw(ttl_iri)} {draw(ttl_object)} ;"
    return f"{subject}{draw(space)}{predicate} {objects}{more} ."


@st.composite
def turtle(draw: st.DrawFn) -> str:
    lines = [
        "@prefix ex: <http://example.org/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        f"PREFIX : <{BASE}/id/>",
    ]
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["@base <http://example.org/b/> .", "BASE <>"])))
    lines += draw(st.lists(turtle_triple(), min_size=1, max_size=6))
    return "".join(line + draw(space) for line in lines)


json_value = st.recursive(
    st.one_of(
        st.text(max_size=8),
        st.integers(-5, 10**20),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.none(),
        st.sampled_from(
            [
                {"@id": "http://example.org/o"},
                {"@value": "x", "@language": "nl"},
                {"@value": "1", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
                {"@list": [1, 2]},
            ]
        ),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["http://example.org/p", "ex:q", "@id"]), inner, max_size=2
        ),
    ),
    max_leaves=6,
)


@st.composite
def json_ld(draw: st.DrawFn) -> str:
    node: dict[str, object] = {
        "@id": draw(st.sampled_from(["http://example.org/s", "_:b", "relative", ""])),
        "http://example.org/p": draw(json_value),
    }
    context = draw(
        st.sampled_from(
            [
                None,
                {"ex": "http://example.org/"},
                {"@vocab": "http://example.org/"},
                "{out}/context.jsonld",
                ["{out}/a.jsonld", {"ex": "http://example.org/"}],
                {"@import": "{out}/import.jsonld"},
            ]
        )
    )
    if context is not None:
        node["@context"] = context
    if draw(st.booleans()):
        node["@type"] = draw(st.sampled_from(["ex:T", "http://example.org/T", "@json"]))
    document: object = node
    if draw(st.booleans()):
        document = {"@graph": [node, {"@id": "http://example.org/t", "ex:q": 1}]}
    return json.dumps(document, ensure_ascii=draw(st.booleans()))


@st.composite
def rdf_document(draw: st.DrawFn) -> tuple[str, str]:
    """A Turtle or JSON-LD body and its media type, generated and then perhaps mutated."""
    kind = draw(st.sampled_from(["text/turtle", "application/ld+json"]))
    text = draw(turtle() if kind == "text/turtle" else json_ld())
    mutation = draw(
        st.sampled_from(["none", "none", "characters", "truncate", "nest", "validate", "huge"])
    )
    if mutation == "characters":
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(text)))
            text = _insert(text, at, draw(st.sampled_from(DANGEROUS)))
    elif mutation == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    elif mutation == "nest":
        depth = draw(st.integers(1, 3000))
        if kind == "text/turtle":
            text += "ex:s ex:p " + _nested(depth, "1", "[ ex:p ", " ]") + " ."
        else:
            text = _nested(depth, text, '{"http://example.org/p": ', "}")
    elif mutation == "validate":  # data the shapes refuse: a norm without its properties
        extra = (
            f"<{BASE}/id/beleidsnorm/fuzz> a <https://data.krb.nl/def/krb#Beleidsnorm> ."
            if kind == "text/turtle"
            else json.dumps(
                {
                    "@id": f"{BASE}/id/beleidsnorm/fuzz",
                    "@type": "https://data.krb.nl/def/krb#Beleidsnorm",
                }
            )
        )
        text = text + "\n" + extra if kind == "text/turtle" else f"[{text}, {extra}]"
    elif mutation == "huge":
        count = draw(st.integers(1, 5000))
        text += "\n" + "".join(f"ex:n{i} ex:p {i} .\n" for i in range(count))
        kind = "text/turtle"
    return text, kind


@WRITE_FUZZ
@given(document=rdf_document(), method=st.sampled_from(["PUT", "POST"]))
def test_fuzz_graph_store_writes_are_2xx_or_4xx_and_refusals_change_nothing(
    service: Service, document: tuple[str, str], method: str
) -> None:
    text, media_type = document
    text = service.aimed(text)
    before, sizes = service.target_graph(), service.graph_sizes()
    response = httpx.request(
        method,
        f"{service.url}/store",
        params={"graph": TARGET},
        content=text.encode("utf-8", "surrogatepass"),
        headers={"Content-Type": media_type} | AUTH,
        timeout=CLIENT_TIMEOUT_S,
    )
    what = f"{method} {media_type} {text[:300]!r}"
    event(f"status {response.status_code}")
    service.assert_held(what, response)
    assert response.status_code < 500, what  # no time limit applies to a write: 503 is a fault
    if response.status_code >= 400:
        assert service.target_graph() == before, what
        assert service.graph_sizes() == sizes, what
