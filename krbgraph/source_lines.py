"""Where an object with findings is written: its file, and the line its description starts.

A report that names an object by IRI sends the user of a folder of forty registry files
to grep. The files that state an object come from where the validation read it (one graph
per file, krbgraph.loading.validate_paths); the line from the file's text, since no
parser here reports positions of what it read. Lines are found in Turtle, TriG,
N-Triples and N-Quads by one pass per file that looks for statements starting a line
with a wanted subject, written as ``<IRI>``, as a prefixed name of the prefixes the file
has declared so far, or as ``<relative>`` against its @base; what starts a line inside a
multi-line string, or continues a statement, is not one. A blank node of a Turtle or
TriG file gets the line of the ``[`` that opens it (blank_node_lines: each ``[ ... ]``
read again for what it states, matched to what the node states), of every such ``[``
if several state the same. A JSON-LD or RDF/XML file, a blank node written ``_:name``,
or a subject whose statement does not start a line, gets its file without a line: no
line rather than a wrong one. (A refused `krb load`, and `krb validate --engine
pyshacl`, whose rdflib graph has no graph per file, read the files instead:
located_by_text, which parses a JSON-LD or RDF/XML file for its subjects.)

Only the objects with findings are looked for (and, for a JUnit report, every object
checked: each test case names its file and line), and only when there are any: for the
4,700 objects with findings of a registry of 100,000 triples (bench/out), 0.12 s as
N-Triples and 0.2 s as Turtle, beside 3.2 s of validation; 0.9 s for the 47,000 of a
million triples, beside 24 s.
"""

from __future__ import annotations

import gzip
import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urljoin, urlsplit

import pyoxigraph as ox

from .rdfio import RdfInputError, parse_quads, rdf_format

__all__ = [
    "Place",
    "blank_node_lines",
    "located_by_graphs",
    "located_by_text",
    "statement_lines",
]


@dataclass(frozen=True)
class Place:
    """A file (as the user named it) and, when known, the 1-based line where an object's
    description starts; str() is ``path:line`` or ``path``."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


Places = dict[str, tuple[Place, ...]]
"""Focus node (IRI, or the store's blank node id) -> where it is written."""

_LINE_BASED = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
_TURTLE_LIKE = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)


def located_by_graphs(
    focuses: Iterable[str],
    files: Mapping[str, Path],
    quads_about: Callable[[ox.NamedNode | ox.BlankNode], Iterable[ox.Quad]],
) -> Places:
    """Where each focus node is written, when each file was read into a graph of its own
    (``files``: graph IRI -> file): every file whose graph holds a triple with the node
    as subject (``quads_about``), in the order of ``files``, with the line for an IRI
    and for a blank node whose ``[`` blank_node_lines finds."""
    order = {path: index for index, path in enumerate(files.values())}
    stating: dict[str, list[Path]] = {}
    for focus in dict.fromkeys(focuses):
        try:
            term = ox.NamedNode(focus) if ":" in focus else ox.BlankNode(focus)
        except ValueError:  # no node of the data (a literal): nowhere to point at
            continue
        graphs = {g.value for q in quads_about(term) if isinstance(g := q.graph_name, ox.NamedNode)}
        found = sorted({files[g] for g in graphs if g in files}, key=order.__getitem__)
        if found:
            stating[focus] = found
    wanted: dict[Path, set[str]] = {}
    blank: dict[Path, dict[str, str]] = {}
    graph_of = {path: graph for graph, path in files.items()}
    for focus, paths in stating.items():
        for path in paths:
            if ":" in focus:
                wanted.setdefault(path, set()).add(focus)
            elif rdf_format(path) in _TURTLE_LIKE:
                signature = _signature(ox.BlankNode(focus), graph_of[path], quads_about, set())
                blank.setdefault(path, {})[focus] = signature
    lines = {path: statement_lines(path, subjects) for path, subjects in wanted.items()}
    opened = {
        path: blank_node_lines(path, set(signatures.values())) for path, signatures in blank.items()
    }
    located: Places = {}
    for focus, paths in stating.items():
        places: list[Place] = []
        for path in paths:
            if ":" in focus:
                places.append(Place(str(path), lines.get(path, {}).get(focus)))
                continue
            at_lines = opened.get(path, {}).get(blank.get(path, {}).get(focus, ""), ())
            places.extend(Place(str(path), line) for line in at_lines)
            if not at_lines:
                places.append(Place(str(path)))
        located[focus] = tuple(places)
    return located


def _signature(
    node: ox.BlankNode,
    graph: str,
    quads_about: Callable[[ox.NamedNode | ox.BlankNode], Iterable[ox.Quad]],
    visiting: set[ox.BlankNode],
) -> str:
    """What a blank node says of itself in ``graph``: its properties and values, a blank
    value by its own signature; the same for the node the parser of ``blank_node_lines``
    makes of its ``[``, whatever id either parser gave it."""
    if node in visiting:  # a cycle, only possible with labelled blank nodes
        return "cycle"
    visiting.add(node)
    parts = sorted(
        f"{q.predicate} "
        + (
            f"[{_signature(q.object, graph, quads_about, visiting)}]"
            if isinstance(q.object, ox.BlankNode)
            else str(q.object)
        )
        for q in quads_about(node)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == graph
    )
    visiting.discard(node)
    return "; ".join(parts)


def located_by_text(focuses: Iterable[str], files: Sequence[Path]) -> Places:
    """Where each focus node IRI is written, read from ``files`` alone (no graph per
    file to ask): the files where a statement about it starts a line, with that line,
    and the JSON-LD and RDF/XML files that describe it, without one, as
    located_by_graphs gives them. Blank nodes are not found: their ids are the reader's."""
    subjects = {focus for focus in focuses if ":" in focus}
    found: dict[str, list[Place]] = {}
    if subjects:
        for path in files:
            if rdf_format(path) in _LINE_BASED + _TURTLE_LIKE:
                lines: Mapping[str, int | None] = statement_lines(path, subjects)
            else:
                lines = dict.fromkeys(_subjects_in(path, subjects))
            for subject, line in lines.items():
                found.setdefault(subject, []).append(Place(str(path), line))
    return {focus: tuple(places) for focus, places in found.items()}


def _subjects_in(path: Path, subjects: Collection[str]) -> list[str]:
    """Those of ``subjects`` that a file without lines to search (JSON-LD, RDF/XML)
    describes, from its triples: it was read already, so one that cannot be read
    again has nothing to say here."""
    try:
        quads = parse_quads(path)
    except RdfInputError:
        return []
    stated = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    return sorted(stated.intersection(subjects))


def statement_lines(path: Path, subjects: Collection[str]) -> dict[str, int]:
    """The first line of ``path`` where a statement about each of ``subjects`` (IRIs)
    starts, in one pass over the file; nothing for a syntax that is not line-based."""
    fmt = rdf_format(path)
    if not subjects or fmt not in _LINE_BASED + _TURTLE_LIKE:
        return {}
    found: dict[str, int] = {}
    with _text(path) as lines:
        starts = _triple_subjects(lines) if fmt in _LINE_BASED else _turtle_subjects(lines)
        for subject, line in starts:
            if subject in subjects and subject not in found:
                found[subject] = line
                if len(found) == len(subjects):
                    break
    return found


_BRACKETS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*>"
    r"|#[^\n]*"
    r"|[\[\]]"
    r"|\.(?=[\s#]|$)"
)
"""What a blank node's ``[`` and ``]`` and a statement's end can hide in: strings, IRIs
and comments (matched whole, and passed over)."""
_NEXT = re.compile(r"\s*(\S?)")
_FRAGMENT = "urn:x-krb:fragment:"


def blank_node_lines(path: Path, signatures: Collection[str]) -> dict[str, tuple[int, ...]]:
    """The lines of a Turtle or TriG file where a blank node of each of ``signatures``
    (what ``_signature`` makes of a node's own triples) opens its ``[``: the text of each
    ``[ ... ]`` (of ``[]``, its statement) read again beside the file's prefixes, for
    the triples it states. Several lines for nodes that state the same; none for a node
    written ``_:name`` or in a collection, or a file that cannot be read so."""
    if not signatures or rdf_format(path) not in _TURTLE_LIKE:
        return {}
    with _text(path) as opened:
        text = opened.read()
    newlines = [m.start() for m in re.finditer("\n", text)]
    header = "".join(
        (
            f"@base <{m.group(3)}> .\n"
            if m.group(3) is not None
            else f"@prefix {m.group(1)}: <{m.group(2)}> .\n"
        )
        for m in _DIRECTIVE.finditer(text)
    )
    candidates: list[tuple[int, str]] = []  # (line, text) of each `[`
    opening: list[int] = []
    for token in _BRACKETS.finditer(text):
        if token.group() == "[":
            opening.append(token.start())
        elif token.group() == "]" and opening:
            start = opening.pop()
            after = _NEXT.match(text, token.end()).group(1)  # type: ignore[union-attr]
            if after and after not in ".;,)]}":  # a subject: its statement goes on
                stop = next(
                    (t.end() for t in _BRACKETS.finditer(text, token.end()) if t.group() == "."),
                    len(text),
                )
                body = text[start:stop]
            else:
                body = text[start : token.end()] + " ."
            candidates.append((bisect_right(newlines, start) + 1, body))
    fragments = _fragments(header, [body for _, body in candidates])
    lines = [line for line, _ in candidates]
    found: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        graph = f"{_FRAGMENT}{index}"
        name = ox.NamedNode(graph)
        quads = list(fragments.quads_for_pattern(None, None, None, name))
        objects = {q.object for q in quads}
        roots = {q.subject for q in quads if isinstance(q.subject, ox.BlankNode)} - objects
        if len(roots) != 1:
            continue
        about = lambda node, name=name: fragments.quads_for_pattern(node, None, None, name)  # noqa: E731
        signature = _signature(roots.pop(), graph, about, set())
        if signature in signatures:
            found.setdefault(signature, []).append(line)
    return {signature: tuple(at) for signature, at in found.items()}


def _fragments(header: str, bodies: Sequence[str]) -> ox.Store:
    """Each of ``bodies`` (Turtle statements) read beside ``header`` into a graph of its
    own, numbered as listed, in one TriG document; one at a time if that cannot be read,
    leaving out those that cannot (``[]`` as a value). A store: it holds values as the
    copy validated does (``"48.0"`` as 48)."""
    store = ox.Store()
    graphs = "".join(f"<{_FRAGMENT}{index}> {{\n{body}\n}}\n" for index, body in enumerate(bodies))
    try:
        store.load((header + graphs).encode(), ox.RdfFormat.TRIG)
        return store
    except SyntaxError:
        store.clear()
    for index, body in enumerate(bodies):
        into = ox.NamedNode(f"{_FRAGMENT}{index}")
        try:
            store.load((header + body).encode(), ox.RdfFormat.TURTLE, to_graph=into)
        except SyntaxError:
            continue
    return store


def _text(path: Path) -> IO[str]:
    """The file's text (gzip-compressed too), without a byte order mark; the file has
    been parsed already, so a bad byte only costs its character."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", errors="replace")
    return path.open(encoding="utf-8-sig", errors="replace")


def _triple_subjects(lines: Iterable[str]) -> Iterator[tuple[str, int]]:
    """N-Triples and N-Quads: every line is one statement, its subject first; a run of
    lines about one subject (as a registry is written) yields its first line only."""
    previous = "\n"  # the subject token of the line before, "<...>", which no line starts with
    for number, line in enumerate(lines, 1):
        if line.startswith(previous):
            continue
        if line[:1] != "<":
            line = line.lstrip()
            if line[:1] != "<":
                continue
        end = line.find(">")
        if end > 0:
            previous = line[: end + 1]
            iri = line[1:end]
            yield (_unescape(iri) if "\\" in iri else iri), number


# -- Turtle and TriG ----------------------------------------------------------------

_DIRECTIVE = re.compile(
    r"(?:@prefix|(?i:prefix))\s+((?:[^\W\d_](?:[\w.-]*[\w-])?)?):\s*<([^>]*)>"
    r"|(?:@base|(?i:base))\s+<([^>]*)>"
)
_PREFIXED = re.compile(
    r"((?:[^\W\d_](?:[\w.-]*[\w-])?)?):"
    r"((?:[\w:]|%[0-9A-Fa-f]{2}|\\[-_~.!$&'()*+,;=/?#@%])"
    r"(?:[\w.:-]|%[0-9A-Fa-f]{2}|\\[-_~.!$&'()*+,;=/?#@%])*)?"
)
_IRI = re.compile(r"<((?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)>")
_TOKEN = re.compile(
    r"\"\"\"|'''|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'"
    r"|<(?:[^<>\"{}|^`\\\x00-\x20]|\\[uU][0-9A-Fa-f]+)*>|#"
)
"""What can hide a statement's end or a comment: strings, IRIs (with their #), comments."""
_LONG_END = {
    '"""': re.compile(r'(?:(?:"|"")?(?:[^"\\]|\\.))*"""'),
    "'''": re.compile(r"(?:(?:'|'')?(?:[^'\\]|\\.))*'''"),
}
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_RESOLVABLE = ("http", "https", "file")
"""Schemes whose relative references urllib resolves as RFC 3986 does."""


def _turtle_subjects(lines: Iterable[str]) -> Iterator[tuple[str, int]]:
    """The subject IRI and line of each statement that starts a line: one that follows
    the end of a statement (``.``), a directive or a graph's brace, outside strings."""
    prefixes: dict[str, str | None] = {}
    base: str | None = None
    boundary = True  # the next significant text starts a statement
    long: str | None = None  # the delimiter of a multi-line string we are in
    pending: tuple[str, int] | None = None  # a subject alone on its line: a graph name?
    for number, line in enumerate(lines, 1):
        start = 0
        if long is not None:
            closed = _LONG_END[long].match(line)
            if closed is None:
                continue
            long, start, boundary = None, closed.end(), False
        body = line[start:].lstrip()
        if not body or body[0] == "#":
            continue
        if pending is not None:
            if body[0] != "{":  # `<g>` then `{` on the next line names a graph
                yield pending
            pending = None
        if start == 0 and boundary:
            directive = _DIRECTIVE.match(body)
            if directive is not None:
                prefix, namespace, new_base = directive.groups()
                if new_base is not None:
                    base = _resolve(base, _unescape(new_base))
                else:
                    prefixes[prefix] = _resolve(base, _unescape(namespace))
                continue
            subject, rest = _subject(body, prefixes, base)
            if subject is not None:
                after = rest.lstrip()
                if not after or after[0] == "#":
                    pending = (subject, number)
                elif after[0] != "{":
                    yield subject, number
        last, long = _line_end(line, start)
        if long is None:
            boundary = last in (".", "{", "}")
    if pending is not None:
        yield pending


def _subject(
    body: str, prefixes: Mapping[str, str | None], base: str | None
) -> tuple[str | None, str]:
    """The IRI a statement's first term names, and the text after it; None for a blank
    node, a collection, a quoted triple, an unknown prefix or an unresolvable IRI."""
    if body[0] == "<":
        match = _IRI.match(body)
        if match is None:
            return None, body
        return _resolve(base, _unescape(match.group(1))), body[match.end() :]
    match = _PREFIXED.match(body)
    if match is None or match.group(1) == "_":
        return None, body
    prefix, local = match.group(1), match.group(2) or ""
    stripped = local.rstrip(".")  # a name never ends in a dot: the dot ends the statement
    namespace = prefixes.get(prefix)
    if namespace is None:
        return None, body
    rest = body[match.end() - (len(local) - len(stripped)) :]
    return namespace + _LOCAL_ESCAPE.sub(r"\1", stripped), rest


def _line_end(line: str, start: int) -> tuple[str, str | None]:
    """The last character of a line's statements (comments and strings skipped), and the
    delimiter of a multi-line string left open at its end."""
    if '"' not in line and "'" not in line and "#" not in line:
        return line.rstrip()[-1:], None
    position, end = start, len(line)
    while True:
        token = _TOKEN.search(line, position)
        if token is None:
            break
        text = token.group()
        if text == "#":
            end = token.start()
            break
        if text in _LONG_END:
            closed = _LONG_END[text].match(line, token.end())
            if closed is None:
                return "", text
            position = closed.end()
        else:
            position = token.end()
    return line[:end].rstrip()[-1:], None


def _resolve(base: str | None, reference: str) -> str | None:
    """``reference`` against ``base`` as RFC 3986 does; None when that is not certain."""
    if _SCHEME.match(reference):
        return reference
    if base is None or urlsplit(base).scheme.lower() not in _RESOLVABLE:
        return None
    return urljoin(base, reference)


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescape(iri: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri)
