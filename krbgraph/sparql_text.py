"""SPARQL text read before an engine sees it: one tokenizer, the limits, and remote access.

Two reasons to read a client's SPARQL ourselves first. pyoxigraph's parser
and planner recurse without bound, so 3,000 nested ``{``, a UNION of 20,000
branches or a few thousand chained ``+`` crash the whole process (a
segfault, not an exception); no timeout helps. And the engine fetches any
URL that SERVICE or LOAD names, so a client could make the server reach
into its own network. Both must be refused from the text alone.

The tokenizer follows the terminals of the SPARQL 1.1 grammar (section 19.8),
because a scan that reads comments, strings or IRIs differently from the
engine can be bypassed: a comment runs from ``#`` to the end of the line,
which is LF *or* CR; a string is one of the four quote forms, the long ones
across lines, with backslash escapes; an IRI is ``<...>`` without spaces,
quotes, braces, ``|``, ``^``, backquote or backslash (``\\u``/``\\U``
escapes excepted, which the engine accepts too).

One place stays ambiguous, and the engine resolves it by context: inside an
expression, ``<3)SERVICE#>`` is an IRI to the grammar but ``< 3 ) SERVICE``
and a comment to the engine. So an IRI token that follows an operand inside
parentheses is also read as SPARQL, and whatever it could hide counts:
nesting, tokens and a SERVICE keyword after a closing parenthesis. Such a
token holding a quote or ``#`` is refused outright: read as SPARQL it starts
a string or a comment that runs past the ``>``, so the two readings of the
rest of the text differ and no single scan is safe.

The limits (SparqlLimits) bound length, nesting depth, UNION branches and
the tokens outside VALUES and INSERT/DELETE DATA blocks (flat lists the
engine reads without recursion, so they stay unlimited but for length).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "LimitExceeded",
    "RemoteAccessRefused",
    "Scan",
    "SparqlLimits",
    "SparqlRefused",
    "Token",
    "check",
    "operations",
    "scan",
    "tokens",
]


@dataclass(frozen=True, kw_only=True)
class SparqlLimits:
    """How much SPARQL text from a client the service reads; every value is a maximum.

    The defaults sit well below where pyoxigraph crashes (about 3,000 levels
    of nesting, 5,000 chained operators or patterns in one group, measured
    with pyoxigraph 0.5; a chain of n operators takes 2n + 1 tokens) and well
    above the largest query in sparql/*.rq (normgat: 1,600 tokens, nesting 13),
    so a researcher can paste a named query and add to it.
    """

    max_chars: int = 1_000_000
    """Characters in the whole query or update; larger data goes through the Graph Store."""
    max_depth: int = 64
    """Nesting of ``{``, ``(`` and ``[`` together."""
    max_union: int = 500
    """UNION keywords, so at most one more branch than this (500 take at least 1,500 tokens,
    so this limit can be met before max_tokens)."""
    max_tokens: int = 4000
    """Tokens (terms, keywords, operators) outside VALUES and INSERT/DELETE DATA blocks."""


class SparqlRefused(ValueError):
    """SPARQL text the service will not run; the message says why, in English and Dutch.

    ``str(exc)`` is the English message, ``exc.nl`` the Dutch one.
    """

    def __init__(self, en: str, nl: str):
        super().__init__(en)
        self.nl = nl


class LimitExceeded(SparqlRefused):
    """The text exceeds one of the SparqlLimits; ``limit`` is its field name."""

    def __init__(self, limit: str, value: int, en: str, nl: str):
        super().__init__(en, nl)
        self.limit = limit
        self.value = value


class RemoteAccessRefused(SparqlRefused):
    """The text uses SERVICE or LOAD, which would make the server fetch a URL."""


class Token(NamedTuple):
    kind: str
    """iri, string, var, bnode, lang, pname, number, word, open, close, op or other."""
    text: str
    start: int
    depth: int
    """Nesting of ``{ ( [`` around the token: 0 at the top level of the text."""


@dataclass(frozen=True)
class Scan:
    """What the service needs to know about a query or update before running it."""

    query_form: str | None = None
    """'select', 'ask' or 'graph' (CONSTRUCT/DESCRIBE) for a query; None if not recognised."""
    uses_service: bool = False
    uses_load: bool = False
    has_dataset_clause: bool = False
    """The update has USING, USING NAMED or WITH."""
    has_from: bool = False
    """The query has FROM or FROM NAMED: the engines' union default graph overrides it
    unless the dataset is given as the protocol's graph parameters (web.query_dataset)."""
    where_positions: tuple[int, ...] = field(default=())
    """Offsets of the WHERE keyword of each DELETE/INSERT ... WHERE operation."""
    chars: int = 0
    depth: int = 0
    """The deepest nesting, counting what an ambiguous ``<...>`` may hide."""
    unions: int = 0
    counted_tokens: int = 0
    """Tokens outside VALUES and DATA blocks, as SparqlLimits.max_tokens counts them."""


_NAME_CHARS = r"\w\u00b7\u0300-\u036f\u203f\u2040"
_TOKENS = re.compile(
    rf"""
      (?P<ws>[\ \t\r\n]+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
                |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
                |'[^'\\\r\n]*(?:\\.[^'\\\r\n]*)*'
                |"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*")
    | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*
              (?:(?:\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})[^<>"{{}}|^`\\\x00-\x20]*)*>)
    | (?P<var>[?$][{_NAME_CHARS}]+)
    | (?P<bnode>_:[{_NAME_CHARS}.-]*)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<pname>(?:[^\W\d_][{_NAME_CHARS}.-]*)?:[{_NAME_CHARS}.:%-]*(?:\\.[{_NAME_CHARS}.:%-]*)*)
    | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
    | (?P<word>[A-Za-z_]\w*)
    | (?P<open>[{{(\[])
    | (?P<close>[}})\]])
    | (?P<op>\^\^|&&|\|\||!=|<=|>=|[.;,=<>!+\-*/|^?])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
"""The grammar's terminals, as far as a scan needs them (see the module docstring).
Repetitions are written as unrolled loops (``"[^"\\]*(?:\\.[^"\\]*)*"``), not as a
repeated alternation: Python's engine then runs through IRIs and strings without
trying each alternative per character (a 230 KB INSERT DATA: 12 ms to 5 ms)."""

_OPERAND_END = frozenset({"iri", "string", "var", "bnode", "lang", "pname", "number", "word"})
"""Token kinds after which ``<`` inside an expression is the less-than operator."""


def tokens(text: str) -> list[Token]:
    """The tokens of SPARQL text without whitespace and comments.

    Lenient by design: malformed text still yields tokens (an unmatched
    quote is an 'other' token); the engine's parser reports the real error.
    """
    return list(_tokens(text))


@lru_cache(maxsize=2)
def _tokens(text: str) -> tuple[Token, ...]:
    """tokens, kept for the last texts: a write's update is read by the endpoint's
    check and again for the region it can change (20 ms for a 120 KB update)."""
    out: list[Token] = []
    depth = 0
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        if kind == "close":
            depth = max(depth - 1, 0)
        out.append(Token(kind, match.group(), match.start(), depth))
        if kind == "open":
            depth += 1
    return tuple(out)


def check(text: str, limits: SparqlLimits) -> Scan:
    """The scan of ``text`` once it is within ``limits`` and uses neither SERVICE nor LOAD.

    Raises LimitExceeded naming the first limit exceeded, or
    RemoteAccessRefused.
    """
    if len(text) > limits.max_chars:
        raise LimitExceeded(
            "max_chars",
            limits.max_chars,
            f"The text has {len(text)} characters, more than the {limits.max_chars} this "
            "service accepts; send large data with the Graph Store Protocol (/store).",
            f"De tekst heeft {len(text)} tekens, meer dan de {limits.max_chars} die deze "
            "dienst aanneemt; stuur grote hoeveelheden data via het Graph Store Protocol "
            "(/store).",
        )
    found = scan(text, limits)
    if found.uses_service:
        raise RemoteAccessRefused(
            "SERVICE (federated query) is disabled on this endpoint: it would let a client "
            "make the server fetch arbitrary URLs. A prefix named with it (SERVICE:x) reads "
            "as the keyword too: name the prefix otherwise.",
            "SERVICE (gefedereerde query) staat uit op dit endpoint: daarmee zou een client "
            "de server willekeurige URL's laten ophalen. Een prefix met die naam (SERVICE:x) "
            "leest ook als het sleutelwoord: geef de prefix een andere naam.",
        )
    if found.uses_load:
        raise RemoteAccessRefused(
            "LOAD is not accepted over HTTP (the server would fetch a URL for the client); "
            "upload the data with the Graph Store Protocol (PUT or POST /store). A prefix "
            "named with it (LOAD:x) reads as the keyword too: name the prefix otherwise.",
            "LOAD wordt niet aangenomen via HTTP (de server zou een URL ophalen voor de "
            "client); stuur de data met het Graph Store Protocol (PUT of POST /store). Een "
            "prefix met die naam (LOAD:x) leest ook als het sleutelwoord: geef de prefix een "
            "andere naam.",
        )
    return found


def scan(text: str, limits: SparqlLimits | None = None) -> Scan:
    """Query form, SERVICE and LOAD use, dataset clauses and size of SPARQL text.

    With ``limits`` it raises LimitExceeded for the first limit exceeded, in
    the order depth (checked as the nesting grows), UNIONs, tokens: a long
    UNION is told about UNION, though it has too many tokens as well. Raises
    SparqlRefused for an ambiguous ``<...>`` that no scan can read safely.
    """
    toks = tokens(text)
    measure = _Measure(limits)
    measure.walk(toks)
    measure.check_counts()
    return _shape(toks, measure, len(text))


def _keyword_text(token: Token) -> str:
    """The text of ``token`` that the engine may read as a keyword, upper case: a word,
    or the prefix of a prefixed name that starts with SERVICE or LOAD (_BEFORE_KEYWORD).
    ``SERVICE:x`` is
    one prefixed name to a tokenizer, but the engine, finding no prefix ``SERVICE:``
    declared, reads the keyword SERVICE and the name ``:x`` (``SERVICEx:y``: SERVICE and
    ``x:y``): the server then fetched the URL the prefix names. Only at the start: the
    engine reads ``download:`` or ``webservice:`` as the prefixes they are."""
    if token.kind == "word":
        return token.text.upper()
    if token.kind == "pname":
        prefix = token.text.split(":", 1)[0].upper()
        for keyword in ("SERVICE", "LOAD"):
            at = prefix.find(keyword)
            # At the start, or after true/false: `?s ?p trueSERVICE:x { }` is the
            # boolean, then SERVICE and ``:x`` to the engine.
            if at >= 0 and prefix[:at] in _BEFORE_KEYWORD:
                return prefix
        return ""
    return ""


_BEFORE_KEYWORD = frozenset({"", "TRUE", "FALSE"})
"""What a prefixed name's prefix may hold before SERVICE or LOAD for the engine to read
the keyword there: nothing, or a boolean that ends the term before it (``xSERVICE:`` or
``download:`` is a prefix to it, and a syntax error where undeclared)."""


class _Measure:
    """Depth, UNIONs, counted tokens and keywords, reading ambiguous ``<...>`` both ways."""

    def __init__(self, limits: SparqlLimits | None):
        self.limits = limits
        self.depth = 0
        self.unions = 0
        self.counted = 0
        self.service = False
        self.load = False

    def walk(self, toks: list[Token]) -> None:
        stack: list[str] = []
        extra = 0  # brackets an ambiguous token may have left open, on top of the stack
        exempt_at: int | None = None  # stack height of the VALUES or DATA block being read
        block_pending = False
        previous: Token | None = None
        for token in toks:
            if token.text == "<" and previous is not None and _adjacent(previous, token, "<"):
                raise _QUOTED_TRIPLE
            self._keyword(_keyword_text(token))
            upper = token.text.upper() if token.kind == "word" else ""
            if token.kind == "open":
                if token.text == "{" and block_pending:
                    exempt_at, block_pending = len(stack), False
                stack.append(token.text)
                self._deeper(len(stack) + extra)
            elif token.kind == "close":
                if stack:
                    stack.pop()
                if exempt_at is not None and len(stack) <= exempt_at:
                    exempt_at = None
            if upper == "VALUES" or (
                upper == "DATA" and previous is not None and previous.text.upper() in _DATA_AFTER
            ):
                block_pending = True
            if exempt_at is not None:
                previous = token
                continue
            self._count(1)
            if (
                token.kind == "iri"
                and ((stack and stack[-1] == "(") or extra)
                and previous is not None
                and (previous.kind in _OPERAND_END or previous.text in (")", "]"))
            ):
                extra += self._hidden(token, len(stack) + extra)
            previous = token

    def _hidden(self, token: Token, depth: int) -> int:
        """Count what ``<...>`` holds when the engine reads ``<`` as less-than.

        Returns the brackets it leaves open in that reading. A closing
        bracket never takes the count below where the token began, so the
        count is never lower than the engine's; once brackets may be left
        open (``extra`` in walk), every IRI after an operand is read this way.
        """
        inner = token.text[1:-1]
        if "'" in inner or "#" in inner:
            raise SparqlRefused(
                f"{token.text[:60]} at offset {token.start} reads as an IRI or as a "
                "comparison followed by a string or comment; put spaces around '<' when it "
                "compares, or write the IRI with a prefix.",
                f"{token.text[:60]} op positie {token.start} is te lezen als IRI of als "
                "vergelijking gevolgd door een tekst of commentaar; zet spaties rond '<' als "
                "het een vergelijking is, of schrijf de IRI met een prefix.",
            )
        running = peak = 0
        closed_seen = False
        for part in tokens(inner):
            self._count(1)
            upper = _keyword_text(part)
            if upper == "UNION":
                self._union()
            if closed_seen and ("SERVICE" in upper or "LOAD" in upper):
                self._keyword(upper)
            if part.kind == "open":
                running += 1
                peak = max(peak, running)
                self._deeper(depth + peak)
            elif part.kind == "close":
                running = max(running - 1, 0)
                closed_seen = True
        return running

    def _keyword(self, upper: str) -> None:
        # Substrings: no SPARQL keyword contains these, and the engine may split
        # a run of letters such as trueSERVICE into a keyword and SERVICE.
        if not upper:
            return
        if "SERVICE" in upper:
            self.service = True
        if "LOAD" in upper:
            self.load = True
        if upper == "UNION":
            self._union()

    def _union(self) -> None:
        self.unions += 1

    def _count(self, count: int) -> None:
        self.counted += count

    def check_counts(self) -> None:
        limits = self.limits
        if limits is None:
            return
        if self.unions > limits.max_union:
            raise LimitExceeded(
                "max_union",
                limits.max_union,
                f"The text has more than {limits.max_union} UNION keywords, the most this "
                "service accepts; use VALUES for long lists of alternatives.",
                f"De tekst heeft meer dan {limits.max_union} keer UNION, het maximum van deze "
                "dienst; gebruik VALUES voor lange lijsten van alternatieven.",
            )
        if self.counted > limits.max_tokens:
            raise LimitExceeded(
                "max_tokens",
                limits.max_tokens,
                f"The text has more than {limits.max_tokens} tokens (terms, keywords and "
                "operators) outside VALUES and DATA blocks, the most this service accepts; "
                "put long lists of values in a VALUES block.",
                f"De tekst heeft meer dan {limits.max_tokens} elementen (termen, sleutelwoorden "
                "en operatoren) buiten VALUES- en DATA-blokken, het maximum van deze dienst; "
                "zet lange lijsten van waarden in een VALUES-blok.",
            )

    def _deeper(self, depth: int) -> None:
        self.depth = max(self.depth, depth)
        limits = self.limits
        if limits is not None and depth > limits.max_depth:
            raise LimitExceeded(
                "max_depth",
                limits.max_depth,
                f"The text nests more than {limits.max_depth} levels of {{ }}, ( ) and [ ], "
                "the most this service accepts.",
                f"De tekst nest meer dan {limits.max_depth} niveaus {{ }}, ( ) en [ ], het "
                "maximum van deze dienst.",
            )


def _adjacent(previous: Token, token: Token, text: str) -> bool:
    """Whether ``previous`` is the operator ``text`` right before ``token`` (no space)."""
    return previous.kind == "op" and previous.text == text and previous.start + 1 == token.start


_QUOTED_TRIPLE = SparqlRefused(
    "RDF-star / RDF 1.2 quoted triples (<< >>) are not supported by this service: the "
    "registry holds plain triples only, and the engine's parser recurses on each level.",
    "RDF-star / RDF 1.2 geciteerde triples (<< >>) ondersteunt deze dienst niet: de "
    "registratie bevat alleen gewone triples, en de parser van de engine gaat per niveau "
    "dieper.",
)
"""``<<`` is two less-than operators without a space between them, which SPARQL 1.1 never
allows: only RDF-star reads it, as a quoted triple, which nests without a bound."""

_DATA_AFTER = frozenset({"INSERT", "DELETE"})


def _shape(toks: list[Token], measure: _Measure, chars: int) -> Scan:
    """The Scan: query form and the dataset clauses of each update operation."""
    words = [t for t in toks if t.kind == "word"]
    query_form = None
    for t in words:
        if t.depth == 0 and t.text.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            query_form = {"SELECT": "select", "ASK": "ask"}.get(t.text.upper(), "graph")
            break
    has_from = query_form is not None and any(
        t.depth == 0 and t.text.upper() == "FROM" for t in words
    )
    has_dataset_clause = False
    wheres: list[int] = []
    for operation in operations(toks):
        top = [t for t in operation if t.depth == 0 and t.kind in ("word", "open")]
        keywords = [t for t in top if t.kind == "word" and t.text.upper() not in ("PREFIX", "BASE")]
        if not keywords:
            continue
        first = keywords[0].text.upper()
        if any(t.kind == "word" and t.text.upper() in ("USING", "WITH") for t in top):
            has_dataset_clause = True
        if first not in ("WITH", "DELETE", "INSERT"):
            continue
        after = top[top.index(keywords[0]) + 1 :]
        if (
            first != "WITH"
            and after
            and after[0].kind == "word"
            and after[0].text.upper() in ("DATA", "WHERE")
        ):
            continue  # INSERT DATA, DELETE DATA, DELETE WHERE: no dataset clause possible
        where = [t for t in top if t.kind == "word" and t.text.upper() == "WHERE"]
        if where:
            wheres.append(where[-1].start)
    return Scan(
        query_form=query_form,
        uses_service=measure.service,
        uses_load=measure.load,
        has_dataset_clause=has_dataset_clause,
        has_from=has_from,
        where_positions=tuple(wheres),
        chars=chars,
        depth=measure.depth,
        unions=measure.unions,
        counted_tokens=measure.counted,
    )


def operations(toks: list[Token]) -> list[list[Token]]:
    """The tokens of each operation of an update (split at top-level ``;``)."""
    operations: list[list[Token]] = [[]]
    for t in toks:
        if t.kind == "op" and t.text == ";" and t.depth == 0:
            operations.append([])
        else:
            operations[-1].append(t)
    return operations
