"""Which quads a SPARQL update can change, read from its text before it runs.

A write over HTTP runs the client's update on the service's replica and then
needs exactly what it changed (krbgraph.replica.Change). Comparing every quad
before and after costs two copies of the store into Python, about a second per
100,000 triples: at a million triples more than any write should cost. Every
quad an update adds or removes is, however, an instance of one of its
templates (the quads of INSERT/DELETE DATA, the INSERT and DELETE templates,
the pattern of DELETE WHERE) or lies in a graph a graph operation names (CLEAR,
DROP, ADD, MOVE, COPY). So it is enough to compare the quads that match those
templates, each read as a pattern: a variable, a blank node or a literal in it
matches anything, an IRI only itself. Literals match anything because the
store keeps them in canonical form ("2.0"^^xsd:decimal is stored as "2").

Templates are read by pyoxigraph's TriG parser, so prefixes, the base IRI and
the abbreviations of Turtle (``a``, ``;``, ``,``, ``[ ]``, collections) resolve
exactly as the engine resolves them: the template's text becomes TriG with every
variable replaced by a marker IRI. Tokens come from krbgraph.sparql_text, the
scanner the service already trusts for SERVICE and LOAD. Whatever this module
does not recognise (LOAD, CLEAR ALL, a template the TriG parser refuses, a
template that matches every quad) gives no region, and the caller compares
everything, as before: slower, never wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from .sparql_text import Token, operations, tokens

__all__ = ["Region", "graphs_named", "update_region"]

_MARKER = "urn:x-krb-update-variable:"
"""Variables become IRIs in this namespace before the TriG parser reads a template;
an IRI here, even one a client wrote itself, matches anything."""

Pattern = tuple[
    ox.NamedNode | None,
    ox.NamedNode | None,
    ox.NamedNode | None,
    ox.NamedNode | ox.DefaultGraph | None,
]
"""(subject, predicate, object, graph) for ``quads_for_pattern``; None matches anything."""


@dataclass(frozen=True)
class Region:
    """The quads an update can change, as patterns."""

    patterns: frozenset[Pattern]

    def quads(self, store: ox.Store) -> set[ox.Quad]:
        """The quads of ``store`` in the region."""
        found: set[ox.Quad] = set()
        for subject, predicate, obj, graph in self.patterns:
            found.update(store.quads_for_pattern(subject, predicate, obj, graph))
        return found


class _Unknown(Exception):
    """The text holds something this module does not read: compare everything."""


def update_region(text: str, base_iri: str | None = None) -> Region | None:
    """The region of the update ``text``, or None when it cannot be told from the text
    (the caller then compares every quad)."""
    try:
        patterns = set(_patterns(text, base_iri))
    except (_Unknown, SyntaxError, ValueError):
        return None
    if (None, None, None, None) in patterns:
        return None
    return Region(frozenset(patterns))


def _patterns(text: str, base_iri: str | None) -> Iterable[Pattern]:
    prologue: list[str] = []
    for operation in operations(tokens(text)):
        index = 0
        while index < len(operation) and _word(operation[index]) in ("PREFIX", "BASE"):
            size = 3 if _word(operation[index]) == "PREFIX" else 2
            declaration = operation[index : index + size]
            if len(declaration) < size or declaration[-1].kind != "iri":
                raise _Unknown
            prologue.append(text[declaration[0].start : _end(declaration[-1])])
            index += size
        if index < len(operation):
            reader = _Operation(text, operation, index, "\n".join(prologue), base_iri)
            yield from reader.patterns()


class _Operation:
    """One update operation's tokens, read as far as the region needs."""

    def __init__(
        self, text: str, toks: list[Token], index: int, prologue: str, base_iri: str | None
    ) -> None:
        self.text = text
        self.toks = toks
        self.index = index
        self.prologue = prologue
        self.base_iri = base_iri

    def patterns(self) -> list[Pattern]:
        keyword = self._take_word()
        if keyword in ("INSERT", "DELETE") and self._peek_word() in ("DATA", "WHERE"):
            self._take_word()
            return self._template(self._block(), None)
        with_graph: ox.NamedNode | None = None
        if keyword == "WITH":
            with_graph = self._graph_term()
            keyword = self._take_word()
        if keyword == "DELETE":
            found = self._template(self._block(), with_graph)
            if self._peek_word() == "INSERT":
                self._take_word()
                found += self._template(self._block(), with_graph)
            return found
        if keyword == "INSERT":
            return self._template(self._block(), with_graph)
        if keyword in ("CLEAR", "DROP"):
            self._skip_silent()
            target = self._take_word_or_none()
            if target == "DEFAULT":
                return [(None, None, None, ox.DefaultGraph())]
            if target == "GRAPH":
                return [(None, None, None, self._graph_term())]
            raise _Unknown  # ALL, NAMED
        if keyword == "CREATE":
            return []  # an empty graph: the store keeps none, so nothing changes
        if keyword in ("ADD", "MOVE", "COPY"):
            self._skip_silent()
            origin = self._graph_or_default()
            if self._take_word() != "TO":
                raise _Unknown
            destination = self._graph_or_default()
            return [(None, None, None, origin), (None, None, None, destination)]
        raise _Unknown  # LOAD, or not an update the engine would run either

    # -- tokens ---------------------------------------------------------------------

    def _peek_word(self) -> str | None:
        return _word(self.toks[self.index]) if self.index < len(self.toks) else None

    def _take_word(self) -> str:
        word = self._take_word_or_none()
        if word is None:
            raise _Unknown
        return word

    def _take_word_or_none(self) -> str | None:
        word = self._peek_word()
        if word is not None:
            self.index += 1
        return word

    def _skip_silent(self) -> None:
        if self._peek_word() == "SILENT":
            self.index += 1

    def _graph_or_default(self) -> ox.NamedNode | ox.DefaultGraph:
        if self._peek_word() == "DEFAULT":
            self.index += 1
            return ox.DefaultGraph()
        if self._peek_word() == "GRAPH":
            self.index += 1
        return self._graph_term()

    def _graph_term(self) -> ox.NamedNode:
        """An IRI or prefixed name, resolved as the engine resolves it."""
        if self.index >= len(self.toks) or self.toks[self.index].kind not in ("iri", "pname"):
            raise _Unknown
        token = self.toks[self.index]
        self.index += 1
        quads = self._parse(f"<{_MARKER}s> <{_MARKER}p> {token.text} .")
        term = quads[0].object if len(quads) == 1 else None
        if not isinstance(term, ox.NamedNode):
            raise _Unknown
        return term

    def _block(self) -> Sequence[Token]:
        """The tokens of the ``{ ... }`` block that starts here, braces included."""
        if self.index >= len(self.toks) or self.toks[self.index].text != "{":
            raise _Unknown
        start = self.index
        depth = self.toks[start].depth
        for end in range(start + 1, len(self.toks)):
            token = self.toks[end]
            if token.kind == "close" and token.depth == depth:
                if token.text != "}":
                    raise _Unknown
                self.index = end + 1
                return self.toks[start : end + 1]
        raise _Unknown

    # -- templates ----------------------------------------------------------------

    def _template(self, block: Sequence[Token], with_graph: ox.NamedNode | None) -> list[Pattern]:
        """The patterns of a template (or of DATA): its text as TriG, variables marked."""
        inner = block[1:-1]
        if not inner:
            return []
        top = block[0].depth + 1
        if _as_written(inner, top):
            # DATA as clients send it: the text is TriG already, read without rebuilding
            # it token by token (100 new norms, 200 KB: 8 -> 4 ms).
            body = self.text[inner[0].start : _end(inner[-1])]
            if _needs_dot(inner[-1]):
                body += " ."
            return _named_patterns(self._parse(body), with_graph)
        pieces: list[str] = []
        position = inner[0].start
        previous: Token | None = None
        marked = False
        for token in inner:
            pieces.append(self.text[position : token.start])
            if token.depth == top and _word(token) == "GRAPH" and _needs_dot(previous):
                pieces.append(" . ")  # SPARQL lets triples run into GRAPH; TriG wants a '.'
            if token.kind == "var":
                pieces.append(f"<{_MARKER}{token.text[1:]}>")
                marked = True
            else:
                pieces.append(token.text)
            position = _end(token)
            previous = token
        if _needs_dot(previous):
            pieces.append(" .")
        return [_pattern(quad, with_graph, marked) for quad in self._parse("".join(pieces))]

    def _parse(self, body: str) -> list[ox.Quad]:
        data = f"{self.prologue}\n{body}\n"
        return list(ox.parse(data, format=ox.RdfFormat.TRIG, base_iri=self.base_iri))


def _word(token: Token) -> str | None:
    return token.text.upper() if token.kind == "word" else None


def _end(token: Token) -> int:
    return token.start + len(token.text)


def _needs_dot(previous: Token | None) -> bool:
    return previous is not None and previous.text not in (".", "}", "{")


def _as_written(inner: Sequence[Token], top: int) -> bool:
    """Whether a template's text is TriG as it stands: no variables, and no GRAPH that
    follows triples without the '.' TriG wants."""
    previous: Token | None = None
    for token in inner:
        if token.kind == "var":
            return False
        if token.depth == top and _word(token) == "GRAPH" and _needs_dot(previous):
            return False
        previous = token
    return True


def _named_patterns(quads: Iterable[ox.Quad], with_graph: ox.NamedNode | None) -> list[Pattern]:
    """_pattern of every quad of a template without variables, in one pass."""
    named = ox.NamedNode
    default = with_graph or ox.DefaultGraph()
    return [
        (
            s if isinstance(s := quad.subject, named) else None,
            quad.predicate,
            o if isinstance(o := quad.object, named) else None,
            g if isinstance(g := quad.graph_name, named) else default,
        )
        for quad in quads
    ]


def _pattern(quad: ox.Quad, with_graph: ox.NamedNode | None, marked: bool) -> Pattern:
    """The quad as a pattern; ``marked``: the template had variables (as marker IRIs)."""
    fixed = _fixed if marked else _named
    graph = quad.graph_name
    if isinstance(graph, ox.DefaultGraph):
        place: ox.NamedNode | ox.DefaultGraph | None = with_graph or graph
    else:
        place = fixed(graph)
    return (fixed(quad.subject), fixed(quad.predicate), fixed(quad.object), place)


def _fixed(term: object) -> ox.NamedNode | None:
    """An IRI that only matches itself; None for what matches anything."""
    if isinstance(term, ox.NamedNode) and not term.value.startswith(_MARKER):
        return term
    return None


def _named(term: object) -> ox.NamedNode | None:
    """_fixed for a template without variables (DATA), where no IRI is a marker: a
    client's own IRI in the marker namespace then matches only itself, which is right,
    as nothing else can match it there."""
    return term if isinstance(term, ox.NamedNode) else None


_GRAPH_BEFORE = frozenset(
    {"GRAPH", "WITH", "USING", "NAMED", "TO", "SILENT", "DROP", "CLEAR", "ADD", "MOVE", "COPY"}
)
"""Keywords after which an IRI names a graph (``GRAPH <g>``, ``USING NAMED <g>``,
``DROP SILENT GRAPH <g>``, ``MOVE <a> TO <b>``)."""


def graphs_named(text: str, base_iri: str | None = None) -> set[str]:
    """The IRIs an update names that can name a graph, resolved as the engine resolves
    them: ``\\u`` escapes read, a relative IRI against the text's BASE (else
    ``base_iri``), a prefixed name by the text's PREFIX. Every IRI of the update counts,
    not only one after GRAPH or WITH: a graph is named through a variable too
    (``GRAPH ?g`` with ``VALUES ?g { <audit> }`` or a BIND), and the text as written
    missed ``<https://data.krb.nl/graph/\\u0061udit>``; either let an update read a
    graph its copy does not hold (``FILTER NOT EXISTS`` there emptied a data graph).
    Each IRI is read from its token; only one with an escape or without a scheme goes
    through the engine's parser (an update is mostly data: 20,000 tokens per 100 norms)."""
    base = base_iri
    prefixes: dict[str, tuple[str, str | None]] = {}  # name: (IRI token, base then)
    written: list[tuple[str, str | None]] = []  # IRI tokens with the base they are read in
    local_names: list[tuple[str, str, str]] = []  # (prefix, local, pname) as written
    toks = tokens(text)
    for index, token in enumerate(toks):
        if token.kind == "iri":
            previous = toks[index - 1] if index else None
            if previous is not None and previous.kind == "word" and previous.text.upper() == "BASE":
                base = _iri(token.text, base) or base  # a few per update: one by one
            elif (
                previous is not None
                and previous.kind == "pname"
                and index > 1
                and toks[index - 2].text.upper() == "PREFIX"
            ):
                prefixes[previous.text] = (token.text, base)
            else:
                written.append((token.text, base))
        elif token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if f"{prefix}:" in prefixes:  # else declared later, or never: a syntax error
                local_names.append((f"{prefix}:", local, token.text))
    read = _read_all([*written, *prefixes.values()])
    named = {iri for token in written if (iri := read.get(token)) is not None}
    for prefix, local, pname in local_names:
        namespace = read.get(prefixes[prefix])
        if namespace is None:
            continue
        if "\\" in local:  # PN_LOCAL escapes (\\-, \\.): the parser reads them
            resolved = _resolved(f"@prefix {prefix} <{namespace}> .", [pname], None)
            named.update(resolved.values())
        else:
            named.add(namespace + local)
    return named


def _read_all(tokens_in: Iterable[tuple[str, str | None]]) -> dict[tuple[str, str | None], str]:
    """Each (IRIREF token, base) as the engine reads it; those written in full and without
    escapes from their text, the others through the parser, once per base for all of them
    (a relative IRI read alone against a base of 400 KB cost 1 ms each)."""
    read: dict[tuple[str, str | None], str] = {}
    pending: dict[str | None, list[str]] = {}
    for token, base in set(tokens_in):
        if _ABSOLUTE.fullmatch(token):
            read[(token, base)] = token[1:-1]
        else:
            pending.setdefault(base, []).append(token)
    for base, listed in pending.items():
        for token, iri in _resolved("", listed, base).items():
            read[(token, base)] = iri
    return read


_ABSOLUTE = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:[^\\]*>")
"""An IRI token written in full and without escapes: its text is the IRI."""


def _iri(token: str, base: str | None) -> str | None:
    """The IRI an IRIREF token stands for; None when the engine cannot read it either."""
    if _ABSOLUTE.fullmatch(token):
        return token[1:-1]
    return _resolved("", [token], base).get(token)


def _resolved(prologue: str, terms: Sequence[str], base: str | None) -> dict[str, str]:
    """What the TriG parser (the engine's reading) makes of each of ``terms`` after
    ``prologue``, in one parse; a term it cannot read (an undeclared prefix, a relative
    IRI without a base: the update is refused for its syntax) is left out, read alone."""
    marker_s, marker_p = f"<{_MARKER}s>", f"<{_MARKER}p>"
    data = prologue + "\n" + "".join(f"{marker_s} {marker_p} {t} .\n" for t in terms)
    try:
        quads = list(ox.parse(data, format=ox.RdfFormat.TRIG, base_iri=base))
    except (SyntaxError, ValueError):
        if len(terms) == 1:
            return {}
        found: dict[str, str] = {}
        for term in terms:
            found.update(_resolved(prologue, [term], base))
        return found
    return {
        term: quad.object.value
        for term, quad in zip(terms, quads, strict=False)
        if isinstance(quad.object, ox.NamedNode)
    }
