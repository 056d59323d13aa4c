"""The state of one workbook conversion and the cell helpers every sheet uses.

Each triple is added together with the row and column it came from, so a SHACL
finding can later be pointed back at the cell that caused it. Cell helpers never
raise: they record a Problem and return None, so one run reports every problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol
from urllib.parse import unquote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, XSD
from rdflib.term import Node

from ..iris import reference, thing_iri
from ..namespaces import PREFIXES
from ..units import UnitError
from .problems import Problem, Severity
from .values import CellError, cell_text, parse_date, parse_decimal, parse_integer, split_many
from .vocabulary import Layered, Lookup, LookupFailed, ValueList, Vocabulary
from .workbook_format import THING_KIND

_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
"""A full IRI in a code cell: the thing lives outside the registry's base (a national or
provincial framework) and keeps that IRI instead of one minted under the base."""


def is_iri(code: str) -> bool:
    """Whether a code cell holds a full IRI rather than a code."""
    return code.startswith(("http://", "https://"))


def code_iri(base: str, kind: str, code: str) -> URIRef:
    """The IRI a code cell gives: the cell itself when it is a full IRI, else
    ``{base}/id/{kind}/{code}``; raises ValueError when neither can be made."""
    if is_iri(code):
        if not _IRI.match(code) or code.rstrip("/").rsplit("/", 1)[-1] in ("", "id"):
            raise ValueError(f"not a usable IRI: {code!r}")
        return URIRef(code)
    return thing_iri(base, kind, code)


def short_code(code: str) -> str:
    """The code of a thing named by a code cell: the cell, or the last segment of a full
    IRI (https://data.krb.nl/kader/id/beleidsnorm/WGH-N01 -> WGH-N01), which also becomes
    its dct:identifier."""
    if is_iri(code):
        return unquote(code.rstrip("/").rsplit("/", 1)[-1])
    return code


def new_graph() -> Graph:
    """An empty graph with the project's prefixes, so exports read the same everywhere."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph


Progress = Callable[[int, int], None]
"""Called as progress(rows_done, rows_total) while rows are converted."""


@dataclass(frozen=True)
class OutsideThing:
    """A thing a reference cell names that no row of the workbook describes but the
    registry holds outside the graph the workbook replaces."""

    iri: URIRef
    label: str | None
    values: Mapping[str, URIRef]
    """What referring rows read: eenheid, begrip, bestuurslaag, thema, indicator."""


@dataclass(frozen=True)
class OutsideRefusal:
    """Why the registry's thing a cell names is no answer: of another class, or only in
    the graph being replaced (and going with it)."""

    nl: str
    en: str


class OutsideLookup(Protocol):
    """Where a reference to no row is looked up; the conversion itself has no store."""

    def find(self, sheet: str, text: str) -> OutsideThing | OutsideRefusal | None: ...


_LOOKUP_FACTS = {
    "beleidsindicator": ("eenheid",),
    "beleidsnorm": ("eenheid", "begrip"),
    "besluitdocument": ("bestuurslaag",),
}
"""The Conversion.facts the sheets read of a row they refer to, by its sheet."""


@dataclass
class Conversion:
    vocabulary: Vocabulary
    base_iri: str
    triples: dict[tuple[Node, Node, Node], None] = field(default_factory=dict)
    """The triples made so far, in order and each once (an rdflib graph is built only
    when someone asks for one: adding 175,000 triples to it took seconds)."""
    problems: list[Problem] = field(default_factory=list)
    locations: dict[Node, tuple[str, int]] = field(default_factory=dict)
    columns: dict[tuple[Node, Node], str] = field(default_factory=dict)
    sheet_columns: dict[tuple[str, Node], str] = field(default_factory=dict)
    codes: dict[str, dict[str, int]] = field(default_factory=dict)
    """Base sheet -> code -> the row that defines it."""
    aliases: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    """Base sheet -> another spelling of a code (the IRI a code gives, the short code of a
    full-IRI code) -> the codes it may mean; a reference by an alias works when it is
    unambiguous."""
    lists: dict[str, ValueList] = field(default_factory=dict)
    """Pick lists of this workbook (themes, aspects, areas, ...), by sheet name."""
    lookups: dict[str, Layered] = field(default_factory=dict)
    """National list key (sector, materiaal, documentsoort, leefomgeving) -> the workbook's
    own entries, then the national list."""
    facts: dict[tuple[str, str, str], URIRef] = field(default_factory=dict)
    """(sheet, code, what) -> a value later rows default to or check against."""
    labels: dict[tuple[str, str], str] = field(default_factory=dict)
    """(sheet, code) -> the row's name, for generated names of rows that refer to it."""
    outside: OutsideLookup | None = None
    """Where a reference to no row may find a thing of the registry; None: nowhere."""
    outside_found: dict[tuple[str, str], URIRef | OutsideRefusal | None] = field(
        default_factory=dict
    )
    """(sheet, cell text) -> what the outside lookup answered, asked once per text."""
    outside_iris: dict[tuple[str, str], URIRef] = field(default_factory=dict)
    """(sheet, cell text) of a thing outside the workbook -> its IRI. The text is its key
    in labels and facts, as a row's code is, so messages name it as the cell does."""

    progress: Progress | None = None
    total: int = 0
    done: int = 0

    def tick(self) -> None:
        """One more row converted; tell the progress callback now and then."""
        self.done += 1
        if self.progress is not None and (self.done % 250 == 0 or self.done == self.total):
            self.progress(self.done, self.total)

    def add(self, subject: Node, predicate: URIRef, obj: Node, row: Row, column: str) -> None:
        self.triples[(subject, predicate, obj)] = None
        self.columns[(subject, predicate)] = column
        self.sheet_columns.setdefault((row.sheet, predicate), column)
        self.locations.setdefault(subject, (row.sheet, row.number))

    def problem(self, problem: Problem) -> None:
        self.problems.append(problem)

    def canonical(self, target: str, text: str | None) -> str | None:
        """The code of the row of base sheet ``target`` that ``text`` names: its code, its
        full IRI, or (when only one row has it) the short code of a full-IRI code; else
        ``text`` itself when it names a thing of the sheet's class outside the workbook
        (Conversion.elsewhere)."""
        if text is None:
            return None
        if text in self.codes.get(target, {}):
            return text
        candidates = self.aliases.get(target, {}).get(text, set())
        if candidates:
            return next(iter(candidates)) if len(candidates) == 1 else None
        return text if self.elsewhere(target, text) is not None else None

    def elsewhere(self, target: str, text: str) -> URIRef | None:
        """The thing of sheet ``target``'s class that ``text`` names outside the workbook,
        or None; asked once per sheet and text, however many rows name it. What rows
        that refer to it read (its name, unit, level of government) is kept under the
        text, as a row's is kept under its code."""
        key = (target, text)
        if key not in self.outside_found:
            answer = self.outside.find(target, text) if self.outside is not None else None
            self.outside_found[key] = (
                self._remember(target, text, answer) if isinstance(answer, OutsideThing) else answer
            )
        found = self.outside_found[key]
        return found if isinstance(found, URIRef) else None

    def refusal(self, target: str, text: str) -> OutsideRefusal | None:
        """Why ``text`` names nothing outside the workbook either, if there is a reason."""
        found = self.outside_found.get((target, text))
        return found if isinstance(found, OutsideRefusal) else None

    def _remember(self, target: str, text: str, thing: OutsideThing) -> URIRef | OutsideRefusal:
        key = str(thing.iri)
        concept = thing.values.get("begrip")
        if concept is not None and concept not in self.vocabulary.ranked.display:
            # an effect on the norm could not check its target against the concept's list
            return OutsideRefusal(
                f"de waarde van norm <{key}> in het register ({concept}) staat in geen "
                "geordende waardelijst van de werkmap",
                f"the value of norm <{key}> in the registry ({concept}) is in no ordered "
                "value list of the workbook",
            )
        self.outside_iris[(target, text)] = thing.iri
        for what in _LOOKUP_FACTS.get(target, ()):
            if what in thing.values:
                self.facts[(target, text, what)] = thing.values[what]
        if target == "beleidsaspecten" and "thema" in thing.values:
            # pick lists key their facts by IRI (pick_lists.convert_aspects)
            self.facts[(target, key, "thema")] = thing.values["thema"]
        label = thing.label
        if target == "beleidsnorm":
            # A norm is named after its indicator (tables.convert_norms), which may be a
            # row of the workbook or another thing outside it.
            indicator = thing.values.get("indicator")
            code = self.canonical("beleidsindicator", str(indicator)) if indicator else None
            label = self.labels.get(("beleidsindicator", code or "")) or short_code(text)
        if label is not None:
            self.labels[(target, text)] = label
        values = self.lists.get(target)
        if values is not None:  # a pick list: messages show the entry by its name
            values.display.setdefault(thing.iri, label or short_code(key))
        return thing.iri


@dataclass
class Row:
    """One row of a sheet, with helpers that read its cells and report problems."""

    conversion: Conversion
    sheet: str
    number: int
    cells: dict[str, object]

    def problem(
        self, column: str | None, value: object, nl: str, en: str, severity: Severity = "fout"
    ) -> None:
        self.conversion.problem(
            Problem(
                nl,
                en,
                sheet=self.sheet,
                row=self.number,
                column=column,
                value=cell_text(value),
                severity=severity,
            )
        )

    def text(self, column: str) -> str | None:
        return cell_text(self.cells.get(column))

    def required(self, column: str) -> str | None:
        value = self.text(column)
        if value is None:
            self.problem(
                column, None, "waarde ontbreekt (verplicht)", "value is missing (required)"
            )
        return value

    def subject(self, code: str | None = None) -> URIRef | None:
        """The IRI of the thing this row describes, from its code."""
        code = code if code is not None else self.text("code")
        if code is None:
            return None
        try:
            return code_iri(self.conversion.base_iri, THING_KIND[self.sheet], code)
        except ValueError:
            if is_iri(code):
                self.problem(
                    "code", code, f"'{code}' is geen bruikbare IRI", f"'{code}' is not a usable IRI"
                )
            else:
                self.problem(
                    "code",
                    code,
                    f"'{code}' kan geen deel van een IRI worden",
                    f"'{code}' cannot become part of an IRI",
                )
            return None

    def add(self, subject: Node, predicate: URIRef, obj: Node | None, column: str) -> None:
        if obj is not None:
            self.conversion.add(subject, predicate, obj, self, column)

    def add_text(
        self, subject: Node, predicate: URIRef, column: str, *, lang: str | None = "nl"
    ) -> None:
        value = self.text(column)
        if value is not None:
            self.add(subject, predicate, Literal(value, lang=lang), column)

    def ref(self, column: str, target: str, *, required: bool = True) -> URIRef | None:
        """A code of another base sheet (or the full IRI of its row, or the short code of a
        full-IRI code when unambiguous), as the IRI of that row's thing."""
        code = self.required(column) if required else self.text(column)
        if code is None:
            return None
        return self._resolve(column, target, code)

    def ref_code(self, column: str, target: str) -> str:
        """The code of the row a reference cell names ('' when none), the key of
        Conversion.labels and Conversion.facts."""
        return self.conversion.canonical(target, self.text(column)) or ""

    def _resolve(self, column: str, target: str, text: str) -> URIRef | None:
        code = self.conversion.canonical(target, text)
        if code is None:
            refusal = self.conversion.refusal(target, text)
            if len(self.conversion.aliases.get(target, {}).get(text, set())) > 1:
                options = ", ".join(sorted(self.conversion.aliases[target][text]))
                self.problem(
                    column,
                    text,
                    f"'{text}' is niet eenduidig in blad {target}; gebruik een van: {options}",
                    f"'{text}' is ambiguous in sheet {target}; use one of: {options}",
                )
            else:
                nl, en = with_refusal(
                    f"'{text}' bestaat niet in blad {target}",
                    f"'{text}' does not exist in sheet {target}",
                    refusal,
                )
                self.problem(column, text, nl, en)
            return None
        outside = self.conversion.outside_iris.get((target, code))
        if outside is not None:
            return outside
        return code_iri(self.conversion.base_iri, THING_KIND[target], code)

    def refs(self, column: str, target: str) -> list[URIRef]:
        """Several codes of another base sheet, separated by ';' (an optional column)."""
        found: list[URIRef] = []
        for code in split_many(self.text(column) or ""):
            iri = self._resolve(column, target, code)
            if iri is not None and iri not in found:
                found.append(iri)
        return found

    def pick(
        self, column: str, values: Lookup, *, required: bool = False, name: str | None = None
    ) -> URIRef | None:
        name = (
            name if name is not None else (self.required(column) if required else self.text(column))
        )
        if name is None:
            return None
        try:
            return values.find(name)
        except LookupFailed as exc:
            nl, en = exc.message_nl, exc.message_en
            # An own concept or local object type of another graph: looked up after the
            # workbook's own entries and the national list, as a row would be.
            if (
                isinstance(values, Layered)
                and (sheet := values.own.sheet) is not None
                and not (values.own.hits(name) or values.national.hits(name))
            ):
                found = self.conversion.elsewhere(sheet, name)
                if found is not None:
                    return found
                nl, en = with_refusal(nl, en, self.conversion.refusal(sheet, name))
            self.problem(column, name, nl, en)
            return None

    def pick_many(self, column: str, values: Lookup, *, required: bool = False) -> list[URIRef]:
        text = self.required(column) if required else self.text(column)
        found: list[URIRef] = []
        for name in split_many(text or ""):
            iri = self.pick(column, values, name=name)
            if iri is not None and iri not in found:
                found.append(iri)
        return found

    def unit(self, column: str = "eenheid") -> URIRef | None:
        """The QUDT unit a cell names (krbgraph.units); an unknown or ambiguous unit is a
        problem at this cell."""
        text = self.text(column)
        if text is None:
            return None
        try:
            return self.conversion.vocabulary.unit(text)
        except UnitError as exc:
            # A unit IRI the registry declares: a municipality's own unit, not in QUDT.
            if is_iri(text) and (own := self.conversion.elsewhere("eenheid", text)):
                return own
            self.problem(column, text, exc.message_nl, exc.message_en)
            return None

    def decimal(self, column: str, *, required: bool = False) -> Literal | None:
        if column not in self.cells:
            if required:
                self.required(column)
            return None
        try:
            return Literal(parse_decimal(self.cells[column]), datatype=XSD.decimal)
        except CellError as exc:
            self.problem(column, self.cells[column], exc.message_nl, exc.message_en)
            return None

    def integer(self, column: str) -> Literal | None:
        """An optional whole number, as xsd:integer."""
        if column not in self.cells:
            return None
        try:
            return Literal(parse_integer(self.cells[column]))
        except CellError as exc:
            self.problem(column, self.cells[column], exc.message_nl, exc.message_en)
            return None

    def year(self, column: str) -> Literal | None:
        """An optional year (2024), as xsd:gYear."""
        text = self.text(column)
        if text is None:
            return None
        if text.endswith(".0"):
            text = text[:-2]
        if not re.fullmatch(r"[0-9]{4}", text):
            self.problem(
                column,
                text,
                "geen jaartal (verwacht vier cijfers, zoals 2024)",
                "not a year (expected four digits, such as 2024)",
            )
            return None
        return Literal(text, datatype=XSD.gYear)

    def date(self, column: str, *, required: bool = False) -> date | None:
        if column not in self.cells:
            if required:
                self.required(column)
            return None
        try:
            return parse_date(self.cells[column])
        except CellError as exc:
            self.problem(column, self.cells[column], exc.message_nl, exc.message_en)
            return None

    def period(self, subject: URIRef) -> None:
        """geldig_van / geldig_tot as dct:temporal [ a dct:PeriodOfTime ] (start required)."""
        start, end = self.date("geldig_van"), self.date("geldig_tot")
        if start is None:
            if end is not None and "geldig_van" not in self.cells:
                self.problem(
                    "geldig_van",
                    None,
                    "geldig_tot is ingevuld maar geldig_van niet; een periode heeft een "
                    "begin nodig",
                    "geldig_tot is filled in but geldig_van is not; a period needs a start",
                )
            return
        if end is not None and end < start:
            self.problem(
                "geldig_tot",
                self.cells["geldig_tot"],
                f"einddatum {end.isoformat()} ligt voor begindatum {start.isoformat()}",
                f"end date {end.isoformat()} is before start date {start.isoformat()}",
            )
            return
        period = BNode()
        self.add(subject, DCTERMS.temporal, period, "geldig_van")
        self.add(period, RDF.type, DCTERMS.PeriodOfTime, "geldig_van")
        self.add(period, DCAT.startDate, Literal(start), "geldig_van")
        if end is not None:
            self.add(period, DCAT.endDate, Literal(end), "geldig_tot")

    def identify(
        self, subject: URIRef, label_column: str, label: str | None = None, code: str | None = None
    ) -> None:
        """rdfs:label @nl and dct:identifier, which every registry thing has."""
        label = label if label is not None else self.text(label_column)
        if label is not None:
            self.add(subject, RDFS.label, Literal(label, lang="nl"), label_column)
        code = code if code is not None else self.text("code")
        if code is not None:
            self.add(subject, DCTERMS.identifier, Literal(short_code(code)), "code")


def with_refusal(nl: str, en: str, refusal: OutsideRefusal | None) -> tuple[str, str]:
    """A message that a cell names no row, with why the registry's thing does not do."""
    if refusal is None:
        return nl, en
    return f"{nl}; {refusal.nl}", f"{en}; {refusal.en}"


def slug_or_code(code: str | None, name: str) -> str:
    """The IRI reference of a pick-list entry: its own code, else a slug of its name.

    A name that yields no slug is returned as is; Row.subject then reports it.
    """
    if code is not None:
        return code
    try:
        return name_slug(name)
    except ValueError:
        return name


def name_slug(name: str) -> str:
    """'Parkstraat' -> 'parkstraat', 'Afdeling Milieu' -> 'afdeling-milieu'."""
    return reference(name.lower())
