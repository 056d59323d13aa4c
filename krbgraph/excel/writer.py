"""RDF -> workbook: the Excel export, the inverse of reader.read_workbook.

Every triple the export writes is ticked off; what is left over cannot be
expressed in the workbook and is returned as a warning, so nobody believes an
export is complete when it is not.

One module of some 1,000 lines on purpose: the export ticks off every triple
it writes, and that bookkeeping must see all sheets to report what is left over.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import BinaryIO

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from ..iris import THING_TYPES, reference, thing_iri
from ..labels import language_rank
from ..lifecycle import day_of
from ..namespaces import ADMS, ELI, GEO, KRB, ORG, PREFIXES, QUDT
from ..store import Store
from .conversion import short_code
from .layout import new_workbook
from .metingen_sheet import SHEET as METINGEN_SHEET
from .metingen_sheet import export_rows
from .own_lists import (
    OwnEntry,
    broad_names,
    name_slug_or_none,
    national_rows,
    needs_code,
    own_concept_iri,
    own_values,
)
from .pick_lists import CBS_CODE, sheet_list
from .problems import Problem
from .values import decimal_cell, ooxml_escape
from .vocabulary import LEEFOMGEVING_ALLE, Layered, ValueList, Vocabulary, load_vocabulary
from .workbook_base import record_base
from .workbook_format import (
    DEFAULT_SCHEME_TITLES,
    LOCAL_SCHEME,
    MAATREGEL,
    MAPPING_RELATIONS,
    MER_MAATREGEL,
    OWN_LISTS,
    SEPARATOR,
    SHEETS_BY_NAME,
    THEME_SCHEME,
    OwnList,
)

Cell = str | float | int | date | None


_TYPES_WRITTEN_WITH: dict[URIRef, tuple[URIRef, ...]] = {
    KRB.Beleidsthema: (SKOS.Concept,),
    KRB.Beleidsaspect: (SKOS.Concept,),
    KRB.LokaalObjecttype: (OWL.Class, SKOS.Concept),
}
"""The types the import gives a row beside its class (a theme is a SKOS concept)."""


class _Source:
    """The data graph, with a record of which triples have been written."""

    def __init__(self, graph: Graph, base: str | None = None) -> None:
        self.graph = graph
        self.used: set[tuple[Node, Node, Node]] = set()
        self.altered: dict[tuple[str, str], int] = {}
        self.altered_example: dict[tuple[str, str], Node] = {}
        self.base = (base or _main_base(graph)).rstrip("/")
        self.offered: dict[str, list[str]] = {}
        """Per national list an own list extends: the cells naming its own concepts (the
        drop-downs offer them after the national names)."""

    def cell(
        self, subject: Node | None, kind: str | None = None, code: str | None = None
    ) -> str | None:
        """How a code cell (and a reference to the thing) names ``subject``: its code when
        its IRI is the one the import mints from that code under the base, else its full
        IRI (a national or provincial framework outside the registry, another
        municipality's thing in a province's registry). ``kind``: the {type} segment the
        import mints the row's IRI with (default: the one in ``subject``'s IRI); ``code``:
        the code tried (default: its dct:identifier, else the last segment of its IRI).
        Every code cell of every sheet is written by this one rule: a bare code of a
        thing minted under another base read back as the base's thing of that code, and a
        province's export wrote 'milieu' for three departments."""
        if subject is None:
            return None
        code = self.code(subject) if code is None else code
        if kind is None:
            kind = str(subject)[len(self.base) + 4 :].split("/", 1)[0]
        try:
            minted = str(thing_iri(self.base, kind, code))
        except ValueError:  # an unknown {type} segment, or a code no IRI can be made of
            minted = ""
        return code if str(subject) == minted else str(subject)

    def minted(self, subject: Node, kind: str, code: str) -> bool:
        """Whether the import mints ``subject`` from ``code`` under the base."""
        return self.cell(subject, kind, code) == code

    def all(self, subject: Node, predicate: URIRef) -> list[Node]:
        """The values a cell writes, Dutch first: the workbook's texts are Dutch (the
        import tags them ``@nl``), so a name in another language is written only where
        there is no Dutch or untagged one; else it stays unused and the export warns
        that it was not written (``_leftovers``), where it once replaced the Dutch
        name in the cell at random and the import then stored "Green"@nl."""
        values = _written(self.graph.objects(subject, predicate))
        self.used.update((subject, predicate, value) for value in values)
        return values

    def one(self, subject: Node, predicate: URIRef) -> Node | None:
        """The value a single-value cell writes; only it is marked written, so a second
        value (a second zoekingang) is reported as not exported, not dropped unseen."""
        values = _written(self.graph.objects(subject, predicate))
        if not values:
            return None
        self.used.add((subject, predicate, values[0]))
        return values[0]

    def text(
        self, subject: Node, predicate: URIRef, *, lang: str | None = "nl", typed: bool = False
    ) -> str | None:
        """The text of a single-value cell. ``lang`` is the tag the import gives the text
        back (``None``: untagged); ``typed`` when the import types it (a date, a WKT). A
        text the import would give back changed (another tag, spaces at its ends, which
        the reader trims) is still written, and counted in ``altered`` for a warning."""
        value = self.one(subject, predicate)
        if value is None:
            return None
        text = str(value)
        if isinstance(value, Literal):
            if not typed and value.language != lang:
                self.altered_tag(subject, predicate, value)
            if text != text.strip():
                self._altered(subject, predicate, "spaces")
        return text

    def altered_tag(self, subject: Node, predicate: URIRef, value: Literal) -> None:
        """Count a text the import gives back with another language tag than ``value``'s."""
        if value.datatype in (None, XSD.string):
            self._altered(subject, predicate, f"@{value.language or ''}")

    def _altered(self, subject: Node, predicate: URIRef, how: str) -> None:
        key = (_short(str(predicate)), how)
        self.altered[key] = self.altered.get(key, 0) + 1
        self.altered_example.setdefault(key, subject)

    def instances(self, *classes: URIRef) -> list[URIRef]:
        found = {
            s
            for cls in classes
            for s in self.graph.subjects(RDF.type, cls)
            if isinstance(s, URIRef)
        }
        # Only the types the import writes for these classes: another type (a document
        # typed prov:Entity too) is reported, not dropped unseen.
        written = {*classes, *(t for cls in classes for t in _TYPES_WRITTEN_WITH.get(cls, ()))}
        for subject in found:
            for cls in written:
                if (subject, RDF.type, cls) in self.graph:
                    self.used.add((subject, RDF.type, cls))
        return sorted(found, key=lambda s: (self.code(s), str(s)))

    def code(self, subject: Node) -> str:
        value = self.graph.value(subject, DCTERMS.identifier)
        if value is not None:
            return str(value)
        return str(subject).rstrip("/").rsplit("/", 1)[-1]

    def name(self, subject: Node, *predicates: URIRef) -> str:
        """The name ``subject``'s row writes in its name column and every cell referring
        to that row writes too: the first of ``predicates`` it has (Dutch first, as a
        cell is written), else its code. One function for both, as the import finds a
        row by the name in its name column: a theme named by its skos:prefLabel in its
        row but by its rdfs:label in the cells referring to it made the export's
        workbook refused by the import ("'Luchtkwaliteit' does not exist")."""
        for predicate in predicates:
            values = [v for v in _written(self.graph.objects(subject, predicate)) if str(v).strip()]
            if values:
                return str(values[0])
        return self.code(subject)


def _written(values: Iterable[Node]) -> list[Node]:
    """``values`` a workbook cell can hold, sorted as names are for a Dutch reader
    (krbgraph.labels: @nl, then regional Dutch such as @nl-BE, which the import gives
    back as @nl and warns about, then untagged, by text); values in other languages
    only when there is none of these."""
    ordered = sorted(values, key=lambda v: (_rank(v), str(v)))
    return [v for v in ordered if _rank(v) < _OTHER_LANGUAGE] or ordered


_READER = ("nl",)
_OTHER_LANGUAGE = (len(_READER) + 1,)
"""Ranks below this one are Dutch or untagged (krbgraph.labels.language_rank)."""


def _rank(value: Node) -> tuple[int, int, str]:
    tag = value.language if isinstance(value, Literal) and value.language else ""
    return language_rank(tag, _READER)


def _main_base(graph: Graph) -> str:
    """The base most things are minted under (``{base}/id/{type}/...``), the registry's;
    of bases holding equally many the smallest IRI, so that every export of the same data
    records the same base (a province's registry of two municipalities of one size got
    either one, from run to run, by the order of a set)."""
    counts: Counter[str] = Counter()
    for subject in set(graph.subjects(RDF.type, None)):
        text = str(subject)
        for kind in THING_TYPES:
            marker = f"/id/{kind}/"
            if marker in text:
                counts[text.split(marker, 1)[0]] += 1
                break
    return min(counts, key=lambda base: (-counts[base], base)) if counts else ""


def _ref(subject: Node) -> str:
    return str(subject).rstrip("/").rsplit("/", 1)[-1]


class _Names:
    """How pick-list entries are named in cells: by name when unique, else by code, else
    by IRI. ``entries``: each entry's name and the codes the import finds its row by
    (pick_lists: the code cell or the name's slug, for an area also the last segment of a
    full IRI; none for a theme or aspect whose code cell is empty), the one a cell writes
    first."""

    def __init__(self, entries: dict[Node, tuple[str, tuple[str, ...]]]) -> None:
        counts = Counter(name.casefold() for name, _ in entries.values())
        codes = Counter(
            folded for _, weak in entries.values() for folded in {c.casefold() for c in weak}
        )
        self.names = {
            iri: name
            if counts[name.casefold()] == 1 and SEPARATOR not in name  # lists split on ';'
            # the import reads a name before a code, case ignored: a code that is
            # another entry's name ('parkstraat' beside two 'Parkstraat') is ambiguous,
            # and so is one that another row is found by too (two municipalities'
            # 'milieu', or 'parkstraat' beside <https://krb.gemeente-b.nl/.../parkstraat>)
            else weak[0]
            if weak
            and weak[0].casefold() not in counts
            and codes[weak[0].casefold()] == 1
            and SEPARATOR not in weak[0]
            else str(iri)
            for iri, (name, weak) in entries.items()
        }

    def __call__(self, iri: Node | None) -> str | None:
        if iri is None:
            return None
        return self.names.get(iri, str(iri))


def _listed(values: ValueList, iri: Node | None) -> str | None:
    if iri is None:
        return None
    return values.display.get(iri, str(iri)) if isinstance(iri, URIRef) else str(iri)


def _decimal(value: Node | None) -> Cell:
    return None if value is None else decimal_cell(str(value))


def _date(value: Node | None) -> Cell:
    """A date cell, or the date as text before 1900: Excel holds no date before then, and
    the import refuses such a date cell (what a negative serial number reads as), so an
    old law's date of entry into force (1851) would make the export unreadable to it."""
    day = day_of(value.toPython()) if isinstance(value, Literal) else None
    if day is not None:  # of a moment its day (a load without validation keeps one)
        return day if day.year >= 1900 else day.isoformat()
    return None if value is None else str(value)


def _integer(value: Node | None) -> Cell:
    if isinstance(value, Literal) and isinstance(value.toPython(), int):
        return int(value.toPython())
    return None if value is None else str(value)


def _separable(source: _Source, subject: Node, predicate: URIRef) -> list[str]:
    """The values a list cell of Dutch texts can hold: one with the list separator in it
    would come back as two, so it is left unmarked and reported as not exported. One the
    import gives back with another tag (the import tags them @nl) is counted in
    ``altered``, as for a single text (_Source.text)."""
    kept = [
        v for v in _written(source.graph.objects(subject, predicate)) if SEPARATOR not in str(v)
    ]
    source.used.update((subject, predicate, value) for value in kept)
    for value in kept:
        if isinstance(value, Literal) and value.language != "nl":
            source.altered_tag(subject, predicate, value)
    return [str(value) for value in kept]


def _join(values: Iterable[str | None]) -> str | None:
    parts = [value for value in values if value]
    return f"{SEPARATOR} ".join(parts) if parts else None


def _offered(lookup: Layered) -> list[str]:
    """What a drop-down offers for ``lookup``: each national concept, then each own one,
    by the cell that reads back as that concept (Layered.cell). Not the bare name where
    two own concepts share it ("Overig" under two hoofdtypes), nor a national name an own
    concept hides (an own "Inwoners" takes "inwoners": the national one is offered as
    "particulieren/inwoners", as its cells are written), nor an IRI a drop-down would
    only clutter."""
    cells = (lookup.cell(iri) for iri in (*lookup.national.display, *lookup.own.display))
    offered = (cell for cell in cells if not cell.startswith(("http://", "https://", "urn:")))
    return list(dict.fromkeys(offered))


def write_workbook(
    graph: Graph,
    target: str | Path | BinaryIO,
    *,
    model: Graph | None = None,
    base: str | None = None,
    store: Store | None = None,
) -> list[Problem]:
    """Write registry data to a workbook in the KRB format.

    ``graph`` holds the data only (no model); ``model`` supplies the names of
    value-list concepts, units and IMBOR classes (default: the project's). ``base`` is
    the registry's base IRI (default: the one most things are minted under); a thing with
    another IRI gets that full IRI in its code cell and in references to it. ``store``:
    the store ``graph`` comes from; the sheet metingen names an indicator, area or data
    source by its code only where the code names that one thing in the whole store, as
    the import reads it (krbgraph.excel.metingen_sheet), else by its IRI.
    Returns warnings for triples the workbook cannot hold.
    """
    if model is None:
        from ..model import model_graph

        model = model_graph()
    vocabulary = load_vocabulary(model)
    source = _Source(graph, base)
    sheets = _rows(source, vocabulary, store)
    book = new_workbook(
        vocabulary, rows={name: len(rows) for name, rows in sheets.items()}, offered=source.offered
    )
    refused: list[Problem] = []
    for name, rows in sheets.items():
        ws = book[name]
        columns = SHEETS_BY_NAME[name].names
        # Counted here: openpyxl's max_row scans every cell written so far, which asked
        # for each cell made the export of a million-triple registry take hours.
        number = ws.max_row
        for row in rows:
            number += 1
            cells = [row.get(column) for column in columns]
            for index, value in enumerate(cells):
                problem = _unwritable(value, name, number, columns[index])
                if problem is not None:
                    refused.append(problem)
                    cells[index] = None
                elif isinstance(value, str):
                    cells[index] = ooxml_escape(value)  # read back by values.ooxml_unescape
            ws.append(cells)
            for index, column in enumerate(columns, start=1):
                value = row.get(column)
                if isinstance(value, date):
                    ws.cell(row=number, column=index).number_format = "yyyy-mm-dd"
                elif isinstance(value, str) and value.startswith("="):
                    # openpyxl writes such text as a formula, which a spreadsheet runs
                    # (=HYPERLINK(...)) and which reads back empty: a name stays text.
                    ws.cell(row=number, column=index).data_type = "s"
    record_base(book, source.base)  # the import mints codes under it again
    book.save(target)
    return refused + _leftovers(source) + _alterations(source)


def unwritable(
    graph: Graph,
    *,
    kept: Iterable[tuple[Node, Node, Node]] | None = None,
    model: Graph | None = None,
) -> list[Problem]:
    """The warnings of ``write_workbook`` for the triples of ``graph`` no workbook can
    hold (nothing is written), but those ``kept`` holds too (an import makes some of
    them again: a measurement's generated name): what importing a workbook into the
    graph that holds them would remove (krbgraph.excel.importing refuses that)."""
    if model is None:
        from ..model import model_graph

        model = model_graph()
    source = _Source(graph)
    _rows(source, load_vocabulary(model))
    if kept is not None:
        # By value: the store gives back "48"^^xsd:decimal for the workbook's 48.0, and a
        # measure's period is a new blank node in each; both are kept, not lost (the
        # refusal named the norm's value and the period as what no workbook holds).
        kept = list(kept)
        kept_parents = _parents(kept)  # once: per triple it made a re-import quadratic
        values = {_by_value(triple, kept_parents) for triple in kept}
        parents = _parents(graph)
        source.used.update(triple for triple in graph if _by_value(triple, parents) in values)
    return _leftovers(source)


def _parents(triples: Iterable[tuple[Node, Node, Node]]) -> dict[Node, tuple[Node, Node]]:
    """Each blank node with its one subject and predicate pointing at it."""
    found: dict[Node, tuple[Node, Node] | None] = {}
    for subject, predicate, obj in triples:
        if isinstance(obj, BNode):
            found[obj] = (subject, predicate) if obj not in found else None
    return {node: parent for node, parent in found.items() if parent is not None}


def _by_value(
    triple: tuple[Node, Node, Node], parents: dict[Node, tuple[Node, Node]]
) -> tuple[object, ...]:
    """``triple`` as a value: a typed literal as its datatype and value (48 and 48.0 are
    one decimal), a blank node as where it hangs (its subject and predicate)."""

    def term(node: Node, depth: int = 0) -> object:
        if isinstance(node, BNode) and node in parents and depth < 8:  # 8: never a cycle
            above, predicate = parents[node]
            return ("bnode", term(above, depth + 1), predicate)
        if isinstance(node, Literal) and node.datatype is not None and node.value is not None:
            return ("value", node.datatype, node.value)
        return node

    subject, predicate, obj = triple
    return (term(subject), predicate, term(obj))


def _unwritable(value: Cell, sheet: str, row: int, column: str) -> Problem | None:
    """Why a text cannot go into a cell as it is, or None. Excel holds 32,767 characters
    a cell (openpyxl cut longer text without a word, and a cut WKT polygon read back as
    another shape) and no control characters but tab and line ends (openpyxl refused
    the whole export). Such a cell is left empty and said so, never changed."""
    if not isinstance(value, str):
        return None
    if len(value) > MAX_CELL_TEXT:
        nl = f"de tekst heeft {len(value):,} tekens, een cel houdt er {MAX_CELL_TEXT:,}"
        en = f"the text has {len(value):,} characters, a cell holds {MAX_CELL_TEXT:,}"
    elif (found := ILLEGAL_CHARACTERS_RE.search(value)) is not None:
        code = f"U+{ord(found.group()):04X}"
        nl = f"de tekst bevat het stuurteken {code}, dat geen cel kan houden"
        en = f"the text holds the control character {code}, which no cell can hold"
    else:
        return None
    return Problem(
        f"{nl}; niet geëxporteerd (de cel is leeg)",
        f"{en}; not exported (the cell is empty)",
        sheet=sheet,
        row=row,
        column=column,
        value=value[:60],
        severity="waarschuwing",
    )


MAX_CELL_TEXT = 32_767
"""The most characters an Excel cell holds."""


def _leftovers(source: _Source) -> list[Problem]:
    left = [triple for triple in source.graph if triple not in source.used]
    by_predicate = Counter(_left_key(p, o) for _, p, o in left)
    example = {_left_key(p, o): s for s, p, o in left}
    return [
        Problem(
            f"{count} triple(s) met {predicate} passen niet in de werkmap en zijn niet "
            f"geëxporteerd (bijvoorbeeld van {example[predicate]})",
            f"{count} triple(s) with {predicate} do not fit the workbook and were not exported "
            f"(for example of {example[predicate]})",
            severity="waarschuwing",
        )
        for predicate, count in sorted(by_predicate.items())
    ]


def _alterations(source: _Source) -> list[Problem]:
    """Texts written whole that the import gives back changed: a cell holds no language
    tag (the import tags each column's texts one way) and the reader trims spaces."""
    problems = []
    for (predicate, how), count in sorted(source.altered.items()):
        example = source.altered_example[(predicate, how)]
        if how == "spaces":
            nl = "beginnen of eindigen met spaties, die de import weglaat"
            en = "start or end with spaces, which the import removes"
        else:
            given = f"de taal {how}" if how != "@" else "geen taal"
            given_en = f"the language tag {how}" if how != "@" else "no language tag"
            nl = f"hebben {given}, die de werkmap niet bewaart; de import geeft een andere"
            en = f"have {given_en}, which the workbook does not keep; the import gives another"
        problems.append(
            Problem(
                f"{count} tekst(en) van {predicate} {nl} (bijvoorbeeld van {example})",
                f"{count} text(s) of {predicate} {en} (for example of {example})",
                severity="waarschuwing",
            )
        )
    return problems


def _left_key(predicate: Node, value: Node) -> str:
    """``rdfs:label``, or ``rdfs:label@en`` for texts in a language the workbook lacks."""
    language = value.language if isinstance(value, Literal) else None
    return _short(str(predicate)) + (f"@{language}" if language not in (None, "nl") else "")


def _short(iri: str) -> str:
    matches = [(ns, prefix) for prefix, ns in PREFIXES.items() if iri.startswith(ns)]
    if not matches:
        return f"<{iri}>"
    namespace, prefix = max(matches, key=lambda match: len(match[0]))
    return f"{prefix}:{iri[len(namespace) :]}"


def _rows(
    source: _Source, vocabulary: Vocabulary, store: Store | None = None
) -> dict[str, list[dict[str, Cell]]]:
    s = source
    themes = s.instances(KRB.Beleidsthema)
    aspects = s.instances(KRB.Beleidsaspect)
    areas = s.instances(KRB.Werkingsgebied)
    departments = s.instances(ORG.OrganizationalUnit)
    local_types = s.instances(KRB.LokaalObjecttype)
    # Named by what the import writes of a row's name column: a concept's skos:prefLabel,
    # an area's or department's rdfs:label.
    names = {
        **{c: s.name(c, SKOS.prefLabel, RDFS.label) for c in (*themes, *aspects, *local_types)},
        **{t: s.name(t, RDFS.label) for t in (*areas, *departments)},
    }
    # The code cells of the pick-list sheets, by the rule of every code cell (_Source.cell)
    codes = {
        **{t: s.cell(t, "beleidsthema", _ref(t)) for t in themes},
        **{a: s.cell(a, "beleidsaspect", _ref(a)) for a in aspects},
        **{a: _area_code(s, a, names[a]) for a in areas},
        **{d: _code(s, d, "afdeling") for d in departments},
        **{t: s.cell(t, "leefomgeving", _ref(t)) for t in local_types},
    }
    # A theme's or aspect's row without code is found by its name only; the other rows
    # also by the name's slug, which is then their code (pick_lists).
    unnamed = {c: _unless_slug(codes[c], names[c]) for c in (*themes, *aspects)}
    theme_name = _Names({t: (names[t], _found_by(unnamed[t])) for t in themes})
    aspect_name = _Names({a: (names[a], _found_by(unnamed[a])) for a in aspects})
    area_name = _Names({a: (names[a], _area_found_by(codes[a], names[a])) for a in areas})
    department_name = _Names({d: (names[d], _found_by(codes[d])) for d in departments})
    local_name = _Names({t: (names[t], _found_by(codes[t])) for t in local_types})
    lists = vocabulary.lists
    out: dict[str, list[dict[str, Cell]]] = {name: [] for name in SHEETS_BY_NAME}
    lookups = {own.key: _own_list(s, vocabulary, own, out[own.sheet]) for own in OWN_LISTS}
    s.offered = {key: _offered(lookup) for key, lookup in lookups.items()}

    def area_cells(subject: URIRef) -> str | None:
        return _join(area_name(a) for a in s.all(subject, KRB.werkingsgebied))

    # The local types as the import reads them, in front of IMBOR: an own "Boom" hides
    # IMBOR Boom, which a cell then names another way ("Bomen/Boom", or its IRI).
    local_kinds = Layered(sheet_list("leefomgeving"), vocabulary.imbor)
    for local in local_types:
        name = names[local]
        hoofdtype = _listed(lists["zoekingang"], s.graph.value(local, KRB.zoekingang))
        local_kinds.own.add(
            local,
            name,
            *(str(o) for o in s.graph.objects(local, SKOS.altLabel)),
            *((f"{hoofdtype}/{name}",) if hoofdtype else ()),
            weak=(_ref(local),),
        )

    def kind_of(subject: Node) -> str | None:
        if subject in local_name.names:
            return local_name(subject)
        if subject == LEEFOMGEVING_ALLE:
            return "alle"
        return local_kinds.cell(subject) if isinstance(subject, URIRef) else str(subject)

    used_imbor: set[Node] = set()

    for scheme in s.instances(SKOS.ConceptScheme):
        scheme_code = _ref(scheme)
        # The sheet names a scheme by its code only, which the import mints under the
        # base: another base's scheme (a municipality's in a province's registry) is not
        # written, and its title is reported as not exported.
        if scheme_code not in DEFAULT_SCHEME_TITLES or not s.minted(
            scheme, "conceptschema", scheme_code
        ):
            s.used.discard((scheme, RDF.type, SKOS.ConceptScheme))  # reported with the rest
            continue
        title = s.text(scheme, DCTERMS.title)
        s.all(scheme, SKOS.prefLabel)
        s.all(scheme, SKOS.hasTopConcept)
        out["conceptschemas"].append(
            {"code": scheme_code, "titel": title, "omschrijving": s.text(scheme, SKOS.definition)}
        )
    theme_scheme = thing_iri(s.base, "conceptschema", THEME_SCHEME)
    for theme in themes:
        s.text(theme, SKOS.prefLabel)  # given back by the name cell
        # The import puts every theme in the base's scheme: another one is reported.
        _in_scheme(s, theme, theme_scheme, SKOS.inScheme, SKOS.topConceptOf)
        # The import writes the scheme's side with the theme's row too, also where another
        # graph types the scheme (so the loop above did not see it here): the export of
        # one department's graph warned these triples were not exported.
        if (theme_scheme, SKOS.hasTopConcept, theme) in s.graph:
            s.used.add((theme_scheme, SKOS.hasTopConcept, theme))
        out["beleidsthemas"].append(
            {
                "naam": names[theme],
                "omschrijving": s.text(theme, SKOS.definition),
                "code": unnamed[theme],
            }
        )
    for aspect in aspects:
        s.text(aspect, SKOS.prefLabel)
        _in_scheme(s, aspect, theme_scheme, SKOS.inScheme)
        out["beleidsaspecten"].append(
            {
                "naam": names[aspect],
                "beleidsthema": theme_name(s.one(aspect, SKOS.broader)),
                "omschrijving": s.text(aspect, SKOS.definition),
                "code": unnamed[aspect],
            }
        )
    for area in sorted(areas, key=names.__getitem__):
        s.text(area, RDFS.label)
        name = names[area]
        code = codes[area]
        geometry = s.one(area, GEO.hasGeometry)
        wkt = None
        if geometry is not None:
            s.all(geometry, RDF.type)
            wkt = s.text(geometry, GEO.asWKT, typed=True)
        out["werkingsgebieden"].append(
            {
                "naam": name,
                "soort": _listed(lists["gebiedssoort"], s.one(area, KRB.gebiedssoort)),
                "ligt_in": _join(area_name(p) for p in s.all(area, KRB.ligtIn)),
                "code": code,
                "geometrie": wkt,
                "cbs_jaar": s.text(area, KRB.cbsJaar, typed=True),
            }
        )
    for department in sorted(departments, key=names.__getitem__):
        s.text(department, RDFS.label)
        name = names[department]
        out["afdelingen"].append({"naam": name, "code": _unless_slug(codes[department], name)})

    for dossier in s.instances(KRB.Beleidsdossier):
        out["beleidsdossier"].append(
            {
                "code": _code(s, dossier),
                "naam": s.text(dossier, RDFS.label),
                "dossiersoort": _listed(lists["dossiersoort"], s.one(dossier, KRB.dossiersoort)),
                "omschrijving": s.text(dossier, DCTERMS.description),
                "beleidsthema": theme_name(s.one(dossier, KRB.beleidsthema)),
                "werkingsgebied": area_cells(dossier),
            }
        )
    for document in s.instances(KRB.Besluitdocument):
        out["besluitdocument"].append(
            {
                "code": _code(s, document),
                "titel": s.text(document, RDFS.label),
                "gebaseerd_op": _join(_code_of(s, d) for d in s.all(document, ELI.based_on)),
                "soort": _cell(lookups["documentsoort"], s.one(document, KRB.documentsoort)),
                "dossier": _code_of(s, s.one(document, DCTERMS.isPartOf)),
                "werkingsgebied": area_cells(document),
                "datum": _date(s.one(document, ELI.date_document)),
                "dms_id": s.text(document, ELI.id_local, lang=None),
                "bestuurslaag": _listed(lists["bestuurslaag"], s.one(document, KRB.bestuurslaag)),
                "status": _listed(lists["status"], s.one(document, ADMS.status)),
                "in_werking_vanaf": _date(s.one(document, ELI.first_date_entry_in_force)),
                "in_werking_tot": _date(s.one(document, ELI.date_no_longer_in_force)),
                "vervangt": _join(_code_of(s, d) for d in s.all(document, DCTERMS.replaces)),
                "vervangen_door": _join(
                    _code_of(s, d) for d in s.all(document, DCTERMS.isReplacedBy)
                ),
            }
        )
    for decision in s.instances(KRB.Besluitproces):
        out["besluitproces"].append(
            {
                "code": _code(s, decision),
                "document": _code_of(s, s.one(decision, PROV.generated)),
                "soort": _listed(lists["besluitsoort"], s.one(decision, KRB.besluitsoort)),
                "datum": _date(s.one(decision, DCTERMS.date)),
                "ris_nummer": s.text(decision, KRB.risNummer, lang=None),
                "omschrijving": s.text(decision, DCTERMS.description),
                "naam": s.text(decision, RDFS.label),
            }
        )
    for indicator in s.instances(KRB.Beleidsindicator):
        out["beleidsindicator"].append(
            {
                "code": _code(s, indicator),
                "naam": s.text(indicator, RDFS.label),
                "beleidsthema": theme_name(s.one(indicator, KRB.beleidsthema)),
                "beleidsaspect": aspect_name(s.one(indicator, KRB.beleidsaspect)),
                "kenmerk": _listed(lists["kenmerk"], s.one(indicator, KRB.indicatorsoort)),
                "eenheid": _unit(vocabulary, s.one(indicator, QUDT.hasUnit)),
                "omschrijving": s.text(indicator, DCTERMS.description),
                "afdeling": department_name(s.one(indicator, KRB.afdeling)),
            }
        )
    for norm in s.instances(KRB.Beleidsnorm):
        kinds = s.all(norm, KRB.leefomgeving)
        used_imbor.update(k for k in kinds if k not in local_name.names)
        value = s.one(norm, QUDT.numericValue)
        ranked = s.one(norm, KRB.waardeBegrip)
        row = {
            "code": _code(s, norm),
            "indicator": _code_of(s, s.one(norm, KRB.indicator)),
            "document": _code_of(s, s.one(norm, KRB.document)),
            "operator": _listed(lists["operator"], s.one(norm, KRB.operator)),
            "waarde": _decimal(value) if value is not None else _listed(vocabulary.ranked, ranked),
            "eenheid": _unit(vocabulary, s.one(norm, QUDT.hasUnit)),
            "sector": _join(_cell(lookups["sector"], c) for c in s.all(norm, KRB.sector)),
            "leefomgeving": _join(kind_of(k) for k in kinds),
            "materiaal": _join(_cell(lookups["materiaal"], c) for c in s.all(norm, KRB.materiaal)),
            "werkingsgebied": area_cells(norm),
            "rekenmethode": s.text(norm, KRB.rekenmethode, lang=None),
            "bestuurslaag": _listed(lists["bestuurslaag"], s.one(norm, KRB.bestuurslaag)),
            "naam": s.text(norm, RDFS.label),
            "status": _listed(lists["status"], s.one(norm, ADMS.status)),
            "normsoort": _listed(lists["normsoort"], s.one(norm, KRB.normsoort)),
            "referentiewaarde": _decimal(s.one(norm, KRB.referentiewaarde)),
            "referentiedatum": _date(s.one(norm, KRB.referentiedatum)),
        }
        row.update(_period(s, norm))
        out["beleidsnorm"].append(row)
    for rule in s.instances(KRB.Beleidsregel):
        row = {
            "code": _code(s, rule),
            "omschrijving": s.text(rule, RDFS.label),
            "document": _code_of(s, s.one(rule, KRB.document)),
            "werkingsgebied": area_cells(rule),
            "indicator": _code_of(s, s.one(rule, KRB.indicator)),
            "bestuurslaag": _listed(lists["bestuurslaag"], s.one(rule, KRB.bestuurslaag)),
            "beleidsthema": theme_name(s.one(rule, KRB.beleidsthema)),
            "status": _listed(lists["status"], s.one(rule, ADMS.status)),
        }
        row.update(_period(s, rule))
        out["beleidsregel"].append(row)
    for measure in s.instances(KRB.Beleidsmaatregel, KRB.MerMaatregel):
        mer = (measure, RDF.type, KRB.MerMaatregel) in s.graph
        kinds = s.all(measure, KRB.objecttype)
        used_imbor.update(k for k in kinds if k not in local_name.names)
        row = {
            "code": _code(s, measure),
            "naam": s.text(measure, RDFS.label),
            "document": _code_of(s, s.one(measure, KRB.document)),
            "soort": MER_MAATREGEL if mer else MAATREGEL,
            "beleidsthema": theme_name(s.one(measure, KRB.beleidsthema)),
            "werkingsgebied": area_cells(measure),
            "objecttype": _join(kind_of(k) for k in kinds),
            "status": _listed(lists["uitvoeringsstatus"], s.one(measure, ADMS.status)),
        }
        row.update(_period(s, measure))
        out["beleidsmaatregel"].append(row)
    for effect in s.instances(KRB.BeoogdEffect):
        out["beoogd_effect"].append(
            {
                "code": _code(s, effect),
                "maatregel": _code_of(s, s.one(effect, KRB.maatregel)),
                "norm": _code_of(s, s.one(effect, KRB.norm)),
                "doel_indicator": _code_of(s, s.one(effect, KRB.doelIndicator)),
                "waarde": _decimal(s.one(effect, QUDT.numericValue)),
                "eenheid": _unit(vocabulary, s.one(effect, QUDT.hasUnit)),
                "doel_begrip": _listed(vocabulary.ranked, s.one(effect, KRB.doelBegrip)),
                "labelstappen": _integer(s.one(effect, KRB.labelstappen)),
                "horizon": _date(s.one(effect, KRB.horizon)),
                "werkingsgebied": area_cells(effect),
                "naam": s.text(effect, RDFS.label),
            }
        )
    for implementation in s.instances(KRB.BeoogdeUitvoering):
        out["beoogde_uitvoering"].append(
            {
                "code": _code(s, implementation),
                "maatregel": _code_of(s, s.one(implementation, KRB.maatregel)),
                "regel": _code_of(s, s.one(implementation, KRB.regel)),
                "omschrijving": s.text(implementation, DCTERMS.description),
                "werkingsgebied": area_cells(implementation),
                "naam": s.text(implementation, RDFS.label),
            }
        )

    local_scheme = thing_iri(s.base, "conceptschema", LOCAL_SCHEME)
    for local in local_types:
        s.text(local, SKOS.prefLabel)
        name = names[local]
        _same_label(s, local, name)
        _in_scheme(s, local, local_scheme, SKOS.inScheme)
        entry = s.one(local, KRB.zoekingang)
        out["leefomgeving"].append(
            {
                "hoofdtype": _listed(lists["zoekingang"], entry),
                "subtype": name,
                "imbor": _listed(vocabulary.imbor, s.one(local, RDFS.subClassOf)),
                "omschrijving": s.text(local, SKOS.definition),
                "andere_namen": _join(_separable(s, local, SKOS.altLabel)),
                # Without a code a row of an IMBOR name reads as that IMBOR class.
                "code": codes[local]
                if _imbor_name(vocabulary, name)
                else _unless_slug(codes[local], name),
            }
        )
    for kind in sorted(used_imbor - {LEEFOMGEVING_ALLE}, key=str):
        info = vocabulary.imbor_classes.get(kind)  # type: ignore[call-overload]
        if info is not None:
            out["leefomgeving"].append(
                {
                    "hoofdtype": info.zoekingangen[0] if info.zoekingangen else None,
                    "subtype": info.label,
                    "imbor": str(kind),
                }
            )
    out[METINGEN_SHEET] = export_rows(s.graph, s.used, store)
    return out


def _same_label(s: _Source, local: Node, name: str) -> None:
    """Tick off only the rdfs:label the import gives a local type back, its name (the
    subtype cell) tagged @nl: every rdfs:label was ticked off, so another one was lost
    by a round trip without a warning."""
    for label in _written(s.graph.objects(local, RDFS.label)):
        if str(label) == name:
            s.used.add((local, RDFS.label, label))
            if isinstance(label, Literal) and label.language != "nl":
                s.altered_tag(local, RDFS.label, label)


def _imbor_name(vocabulary: Vocabulary, name: str) -> bool:
    """Whether ``name`` is an IMBOR class's own name (the import's listing rule)."""
    return any(
        (info := vocabulary.imbor_classes.get(iri)) is not None
        and info.label.casefold() == name.strip().casefold()
        for iri in vocabulary.imbor.hits(name)
    )


def _cell(lookup: Layered, iri: Node | None) -> str | None:
    if iri is None:
        return None
    return lookup.cell(iri) if isinstance(iri, URIRef) else str(iri)


def _unit(vocabulary: Vocabulary, iri: Node | None) -> str | None:
    if iri is None:
        return None
    return vocabulary.unit_cell(iri) if isinstance(iri, URIRef) else str(iri)


def _own_list(
    s: _Source, vocabulary: Vocabulary, own: OwnList, rows: list[dict[str, Cell]]
) -> Layered:
    """The sheet of one own list (national rows, then the registry's own concepts), and
    the lookup that names its concepts in base tables the way the import reads them."""
    national = vocabulary[own.key]
    first = len(rows)
    rows.extend({**row} for row in national_rows(vocabulary, own))
    # The own scheme as this graph names it, typed here or not: a department's workbook
    # adds its own sectors to the scheme another department's graph describes, and the
    # import does not write that scheme again, so its own concepts were left out of the
    # sheet and the export could not be imported back.
    schemes = {
        scheme
        for scheme in (
            *s.graph.subjects(RDF.type, SKOS.ConceptScheme),
            *s.graph.objects(None, SKOS.inScheme),
        )
        if isinstance(scheme, URIRef) and _ref(scheme) == own.scheme
    }
    concepts = {
        c
        for scheme in schemes
        for c in s.graph.subjects(SKOS.inScheme, scheme)
        if isinstance(c, URIRef)
    }
    # The import puts every own concept in the base's scheme: a place in another one
    # (another municipality's list in a province's registry) is reported.
    own_scheme = thing_iri(s.base, "conceptschema", own.scheme)
    s.used.update(
        (own_scheme, SKOS.hasTopConcept, c)
        for c in s.graph.objects(own_scheme, SKOS.hasTopConcept)
        if c in concepts
    )
    names = {c: s.text(c, SKOS.prefLabel) or _ref(c) for c in concepts}
    broader = (
        {
            c: sorted(
                p
                for p in s.graph.objects(c, SKOS.broader)
                if isinstance(p, URIRef) and p in concepts
            )
            for c in concepts
        }
        if own.two_level
        else {}
    )
    parents: dict[URIRef, URIRef | None] = dict.fromkeys(concepts)
    for concept, above in broader.items():
        # Two levels: an own hoofdtype is a concept without own broader concept. Any
        # other skos:broader is not in the format and is reported as left over.
        if above and not broader[above[0]]:
            parents[concept] = above[0]
            s.used.add((concept, SKOS.broader, above[0]))
    entries: dict[URIRef, OwnEntry] = {}
    for concept in sorted(
        (c for c in concepts if parents[c] is None), key=lambda c: (names[c].casefold(), str(c))
    ):
        entries[concept] = OwnEntry(names[concept], _own_ref(s, own, concept), concept)
    children = [(c, p) for c, p in parents.items() if p is not None]
    for concept, parent_iri in sorted(
        children, key=lambda cp: (names[cp[1]].casefold(), names[cp[0]].casefold(), str(cp[0]))
    ):
        parent = entries.get(parent_iri)
        entries[concept] = OwnEntry(
            names[concept],
            _own_ref(s, own, concept),
            concept,
            parent,
            parent.name if parent is not None else None,
        )
    tops = own_values(own, [e for e in entries.values() if e.parent is None])
    for concept, entry in entries.items():
        s.all(concept, RDF.type)
        _in_scheme(s, concept, own_scheme, SKOS.inScheme, SKOS.topConceptOf)
        mappings = [
            (relation, target)
            for relation in MAPPING_RELATIONS
            for target in s.graph.objects(concept, SKOS[relation])
            if isinstance(target, URIRef) and target in national.display
        ]
        s.used.update((concept, SKOS[relation], target) for relation, target in mappings)
        # 'particulieren/Studenten' as the import reads it from the mappings. Set after
        # `tops` was built: the import finds a subtype row's hoofdtype without these.
        if entry.parent is None:
            broad = [target for relation, target in mappings if relation == "broadMatch"]
            entry.broad_names = broad_names(national, entry.name, broad)
        main, sub = (
            (entry.name, None)
            if entry.parent is None
            else (tops.cell(entry.parent.iri), entry.name)
        )
        row: dict[str, Cell] = {
            "omschrijving": s.text(concept, SKOS.definition),
            "code": entry.ref if needs_code(national, entry, main, sub) else None,
            **_mapping_cells(national, mappings),
        }
        if own.two_level:
            row.update({"hoofdtype": main, "subtype": sub})
        else:
            row["naam"] = main
        rows.append(row)
    lookup = Layered(own_values(own, list(entries.values())), national)
    if not own.two_level:
        # This sheet's naam column is the drop-down of a document's kind: a national row
        # names its concept as a cell reads it back (an own "Omgevingsplan" takes the
        # national "omgevingsplan", which a document then named the own one by).
        for row, iri in zip(rows[first:], national.display, strict=False):
            cell = lookup.cell(iri)
            if not cell.startswith(("http://", "https://", "urn:")):
                row["naam"] = cell
    return lookup


def _own_ref(s: _Source, own: OwnList, concept: URIRef) -> str:
    """An own concept's code, as its code cell writes it: the last segment of its IRI
    where the import mints it from that under the base, else its full IRI (the rule of
    every code cell, _Source.cell)."""
    code = _ref(concept)
    try:
        minted = own_concept_iri(s.base, own, code)
    except ValueError:
        return str(concept)
    return code if minted == concept else str(concept)


def _mapping_cells(national: ValueList, mappings: list[tuple[str, URIRef]]) -> dict[str, Cell]:
    """koppeling + landelijk_begrip: one relation for all, or 'relation: concept' each."""
    relations = {relation for relation, _ in mappings}
    if len(relations) == 1:
        return {
            "koppeling": relations.pop(),
            "landelijk_begrip": _join(national.cell(t) for _, t in mappings),
        }
    return {
        "koppeling": None,
        "landelijk_begrip": _join(f"{r}: {national.cell(t)}" for r, t in mappings),
    }


def _code_of(source: _Source, subject: Node | None) -> str | None:
    return source.cell(subject)


def _code(source: _Source, subject: URIRef, kind: str | None = None) -> str | None:
    """The code cell of a base-table row (or a department's, ``kind`` afdeling).
    dct:identifier is ticked off where the import gives it back: written as the code, or
    as the last part of a full IRI; a code that is neither (an IRI not made from it) is
    reported as not exported."""
    cell = source.cell(subject, kind)
    for value in source.graph.objects(subject, DCTERMS.identifier):
        if str(value) in (cell, _ref(subject)):
            source.used.add((subject, DCTERMS.identifier, value))
    return cell


def _area_code(s: _Source, area: URIRef, name: str) -> str | None:
    """An area's code cell: its code (none when its name gives it), or its CBS code when
    its IRI was made from that, or its full IRI when not minted under the base."""
    notation = s.graph.value(area, SKOS.notation)
    identifier = s.text(area, DCTERMS.identifier, lang=None) or _ref(area)
    cell = s.cell(area, "werkingsgebied", identifier)
    code = _unless_slug(cell, name)
    # A CBS code is the code cell only when the IRI was made from it: the import
    # makes the IRI from the code, and moved 'parkbuurt-x' to '.../BU99990299'.
    if (
        notation is not None
        and CBS_CODE.match(str(notation))
        and _ref(area) == reference(str(notation))
        and cell == identifier
    ):
        code = str(notation)
        s.used.add((area, SKOS.notation, notation))
    return code


def _found_by(code: str | None) -> tuple[str, ...]:
    return (code,) if code else ()


def _area_found_by(code: str | None, name: str) -> tuple[str, ...]:
    """The codes the import finds an area's row by: its code (else its name's slug) and
    the last segment of a full IRI (pick_lists.convert_areas)."""
    ref = code or name_slug_or_none(name)
    return tuple(dict.fromkeys((ref, short_code(ref)))) if ref else ()


def _unless_slug(code: str | None, name: str) -> str | None:
    """A pick-list row's code cell: empty where the import makes that code of the name."""
    return None if code is not None and code == name_slug_or_none(name) else code


def _in_scheme(s: _Source, concept: Node, scheme: URIRef, *predicates: URIRef) -> None:
    """Tick off ``concept``'s place in ``scheme`` (skos:inScheme, skos:topConceptOf), the
    base's scheme the import puts every row of its sheet in: a place in another scheme
    (another municipality's theme list) is reported as not exported."""
    for predicate in predicates:
        if (concept, predicate, scheme) in s.graph:
            s.used.add((concept, predicate, scheme))


def _period(source: _Source, subject: URIRef) -> dict[str, Cell]:
    period = source.one(subject, DCTERMS.temporal)
    if period is None:
        return {}
    source.all(period, RDF.type)
    return {
        "geldig_van": _date(source.one(period, DCAT.startDate)),
        "geldig_tot": _date(source.one(period, DCAT.endDate)),
    }
