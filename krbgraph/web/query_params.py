"""Pickers for the parameters of a named query's form: areas and object types by name.

A parameter whose header names the class krb:Werkingsgebied gets the
registry's areas as a list, in the order of their ``krb:ligtIn`` tree
(municipality, its districts, their neighbourhoods), indented by depth; one
naming owl:Class (or krb:LokaalObjecttype) gets the object types of IMBOR and
the registry with every name they are found by, IMBOR's everyday words
included ("lantaarnpaal" offers Lichtmast). The lists are plain HTML (a
``<select>``, or an ``<input list>`` with a ``<datalist>`` when long), so the
form works without JavaScript, and their values are IRIs.

A reader may still type a name instead of picking one. ``resolve_picked``
turns it into the IRI by the same lists: the object types come from the site
search's label index (krbgraph.web.search), so the form finds what the search
box finds. A name that matches nothing, or several things, is a
``FieldProblem`` with a Dutch message naming the field and close matches,
for the page to show next to the form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from rdflib import URIRef
from rdflib.namespace import OWL

from ..iris import reference
from ..labels import tagged
from ..namespaces import KRB, PREFIXES
from ..queries import REGISTRY_PREFIX, NamedQuery, Parameter, ParamType
from ..store import Store
from .aggregates import cached
from .describe import READER_LANGUAGES, run_query, short_name, text_of
from .naming import tellers
from .resolving import is_objecttype
from .search import Entry, normalise, search_entries, suggest

MAX_SELECT_OPTIONS = 50
"""Above this many choices a ``<select>`` is unwieldy: the form types into a datalist."""

MAX_SHOWN_NAMES = 8
"""Other names of an object type shown after its own name in the list."""

MAX_CLOSE_MATCHES = 5


class PickerKind(StrEnum):
    AREA = "werkingsgebied"
    OBJECTTYPE = "objecttype"


_KIND_OF_CLASS = {
    str(KRB.Werkingsgebied): PickerKind.AREA,
    str(OWL.Class): PickerKind.OBJECTTYPE,
    str(KRB.LokaalObjecttype): PickerKind.OBJECTTYPE,
}


@dataclass(frozen=True)
class Choice:
    """One entry of a picker: the IRI submitted and the text shown."""

    value: str
    label: str
    """The name alone, for messages."""
    text: str
    """What the list shows: the name with its kind and code, or its other names."""
    depth: int = 0
    """Nesting in the area tree (0 for object types)."""
    names: tuple[str, ...] = ()
    """Normalised names and codes a typed value is matched against."""


@dataclass(frozen=True)
class Picker:
    kind: PickerKind
    choices: tuple[Choice, ...]

    @property
    def as_select(self) -> bool:
        return self.kind is PickerKind.AREA and len(self.choices) <= MAX_SELECT_OPTIONS

    def label_of(self, iri: str) -> str | None:
        return next((c.label for c in self.choices if c.value == iri), None)


class FieldProblem(ValueError):
    """A typed name for a picker parameter that matches no choice or several; for several,
    ``candidates`` are their IRIs (the pages answer 409, as the API does)."""

    def __init__(self, field: str, message: str, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.candidates = candidates


def picker_kind(param: Parameter) -> PickerKind | None:
    """Which list a parameter gets, from the class its header declares."""
    if param.type is not ParamType.IRI or param.klasse is None:
        return None
    return _KIND_OF_CLASS.get(param.klasse)


def pickers_for(
    query: NamedQuery, store: Store, entries: Callable[[], Sequence[Entry]]
) -> dict[str, Picker]:
    """The pickers of the query's parameters that have one, by parameter name.

    ``entries`` gives the label index (called only when an object type is asked for).
    """
    found: dict[str, Picker] = {}
    made: dict[PickerKind, Picker] = {}
    for param in query.parameters:
        kind = picker_kind(param)
        if kind is None:
            continue
        if kind not in made:
            choices = (
                # Every area of the registry (41,000 at a million triples, 3.6 s to read):
                # read once per store version and reader language.
                cached(store, ("area-choices", READER_LANGUAGES.get()), lambda: area_choices(store))
                if kind is PickerKind.AREA
                else objecttype_choices(entries())
            )
            made[kind] = Picker(kind, tuple(choices))
        found[param.name] = made[kind]
    return found


# ------------------------------------------------------------------------- the lists


def area_choices(store: Store) -> list[Choice]:
    """Every area once, depth first along ``krb:ligtIn``, siblings by name.

    An area in two others (a plan area across two neighbourhoods) is listed under
    the first by name; areas whose parents are not areas of the registry are roots.
    The rows come in no particular order: of several codes or kinds of one area the
    first in text order is shown, so the list reads the same on every run.
    """
    rows = run_query(store, "web-gebieden-keuzelijst").dicts()
    labels: dict[str, str] = {}
    codes: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    parents: dict[str, list[str]] = {}
    for row in rows:
        iri = str(row["gebied"])
        labels.setdefault(iri, text_of(row.get("label")) or short_name(iri))
        code = text_of(row.get("code"))
        if code and code not in codes.setdefault(iri, []):
            codes[iri].append(code)
        kind = text_of(row.get("soort_label"))
        if kind and (iri not in kinds or kind < kinds[iri]):
            kinds[iri] = kind
        parent = row.get("ligt_in")
        if isinstance(parent, URIRef) and str(parent) != iri:
            parents.setdefault(iri, []).append(str(parent))
    children: dict[str | None, list[str]] = {}
    for iri in labels:
        known = sorted((p for p in parents.get(iri, []) if p in labels), key=_by_name(labels))
        children.setdefault(known[0] if known else None, []).append(iri)
    ordered: list[tuple[str, int]] = []
    seen: set[str] = set()

    def visit(iri: str, depth: int) -> None:
        if iri in seen:
            return
        seen.add(iri)
        ordered.append((iri, depth))
        for child in sorted(children.get(iri, []), key=_by_name(labels)):
            visit(child, depth + 1)

    for root in sorted(children.get(None, []), key=_by_name(labels)):
        visit(root, 0)
    for iri in sorted(labels, key=_by_name(labels)):  # areas on a ligtIn cycle
        visit(iri, 0)
    choices = [
        _area_choice(iri, depth, labels[iri], kinds.get(iri), sorted(codes.get(iri, [])))
        for iri, depth in ordered
    ]
    return _told_apart(choices)


def _told_apart(choices: list[Choice]) -> list[Choice]:
    """Choices that read alike (a province's seven "Parkstraat (straat)") with what tells
    them apart added (krbgraph.web.naming.tellers: the host of each municipality)."""
    alike: dict[str, list[str]] = {}
    for choice in choices:
        alike.setdefault(choice.text, []).append(choice.value)
    marks = {
        iri: mark for iris in alike.values() if len(iris) > 1 for iri, mark in tellers(iris).items()
    }
    return [
        replace(choice, text=_marked(choice, marks[choice.value]))
        if choice.value in marks
        else choice
        for choice in choices
    ]


def _marked(choice: Choice, mark: str) -> str:
    """``Parkstraat (straat)`` -> ``Parkstraat (straat, krb.bemmel.nl)``; a choice shown
    by its name alone gets the mark in brackets of its own."""
    if choice.text == choice.label:
        return in_language_of(f"{choice.text} ({mark})", choice.label)
    return in_language_of(f"{choice.text[:-1]}, {mark})", choice.label)


def in_language_of(text: str, name: str) -> str:
    """``text`` in the language of the ``name`` it is made of (labels.ForeignName), so an
    option holding a Frisian name carries lang="fy" (WCAG 3.1.2), as its link does."""
    return tagged(text, getattr(name, "lang", None))


def _by_name(labels: Mapping[str, str]) -> Callable[[str], tuple[str, str]]:
    return lambda iri: (normalise(labels[iri]), iri)


def _area_choice(iri: str, depth: int, label: str, kind: str | None, codes: list[str]) -> Choice:
    # A code that is only the name as slug (parkstraat) adds nothing to the name.
    code = next((c for c in codes if c.casefold() != _slug(label)), None)
    details = ", ".join(part for part in (kind, code) if part)
    text = in_language_of(f"{label} ({details})", label) if details else label
    names = tuple(dict.fromkeys(normalise(name) for name in (label, *codes)))
    return Choice(iri, label, text, depth, names)


def _slug(label: str) -> str:
    try:
        return reference(label).casefold()
    except ValueError:
        return ""


def objecttype_choices(entries: Iterable[Entry]) -> list[Choice]:
    """The object types of the label index by name, each with the other names it has."""
    choices = []
    for entry in entries:
        if not is_objecttype(entry):
            continue
        own = normalise(entry.label)
        others = [text for text in entry.texts if text != own]
        shown = others[:MAX_SHOWN_NAMES] + (["…"] if len(others) > MAX_SHOWN_NAMES else [])
        text = f"{entry.label} (ook: {', '.join(shown)})" if shown else entry.label
        choices.append(Choice(entry.iri, entry.label, text, 0, entry.texts))
    return choices


# ----------------------------------------------------------------------- resolving


def resolve_picked(values: Mapping[str, str], pickers: Mapping[str, Picker]) -> dict[str, str]:
    """The values with every typed name of a picker parameter replaced by its IRI.

    A value that is an IRI is left to the query (its own checks apply). Raises
    FieldProblem for the first name that matches no choice or several.
    """
    resolved = dict(values)
    for name, picker in pickers.items():
        value = values.get(name)
        if value and not _written_as_iri(value):
            resolved[name] = _resolve(name, value, picker)
    return resolved


def _written_as_iri(value: str) -> bool:
    """An IRI, or one in the short form the pages show (id:gebied/centrum, begrip:...)."""
    prefix, colon, local = value.partition(":")
    if value.startswith(("http://", "https://")):
        return True
    return bool(colon) and prefix in (*PREFIXES, REGISTRY_PREFIX) and not local.startswith("//")


def _resolve(field: str, text: str, picker: Picker) -> str:
    wanted = normalise(text)
    exact = [c for c in picker.choices if wanted in c.names]
    if len(exact) == 1:
        return exact[0].value
    noun = picker.kind.value
    if exact:
        # Every candidate, told apart as the list tells them apart (a province's seven
        # "Parkstraat (straat)": whose each is), with the IRI that names it for sure.
        listed = "; ".join(f"{c.text} <{c.value}>" for c in exact)
        raise FieldProblem(
            field,
            f"'{text}' past bij {len(exact)} keuzes ({listed}); kies er één uit de lijst.",
            tuple(c.value for c in exact),
        )
    close = _close_matches(text, picker)
    hint = f" Bedoelt u: {'; '.join(close)}?" if close else " Kies een waarde uit de lijst."
    raise FieldProblem(field, f"'{text}' is geen {noun} in het register.{hint}")


def _close_matches(text: str, picker: Picker) -> list[str]:
    """Choices whose names contain the words typed, else names spelled nearly the same."""
    entries = [Entry(c.value, c.label, None, c.names) for c in picker.choices]
    hits = [hit.entry for group in search_entries(entries, text) for hit in group.hits]
    if not hits:
        hits = suggest(entries, text, limit=MAX_CLOSE_MATCHES)
    return list(dict.fromkeys(entry.label for entry in hits[:MAX_CLOSE_MATCHES]))
