"""Rendering a ValidationResult for people (text), programs (JSON), RDF tools
(Turtle) and CI systems (JUnit XML).

Text groups findings per object, because users fix data object by object;
each finding shows severity, property, value and the message in Dutch and
English. Rendering never decides anything: conformance and exit codes are the
caller's.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict

from rich.text import Text

from .namespaces import PREFIXES
from .validation import SEVERITIES, CheckedObject, Finding, ValidationResult, is_blank_focus

_STYLES = {"Violation": "bold red", "Warning": "yellow", "Info": "cyan"}
_DUTCH = {"Violation": "overtreding", "Warning": "waarschuwing", "Info": "info"}


_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
"""Namespaces longest first, sorted once: a whole registry's report compacts 100,000
paths and values."""


def compact(iri: str | None) -> str:
    """``krb:operator`` or ``begrip:sector/alle`` (the notation of the data-model
    docs, for reading, not Turtle) for a known namespace, the IRI in <> otherwise."""
    if iri is None:
        return ""
    for prefix, namespace in _LONGEST_FIRST:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    if iri.startswith("^"):
        return "^" + compact(iri[1:])
    return f"<{iri}>" if ":" in iri else iri


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Findings per severity (every severity present, zero when absent)."""
    tally = Counter(f.severity for f in findings)
    return {severity: tally.get(severity, 0) for severity in SEVERITIES}


def summary(result: ValidationResult) -> str:
    """One line: conformance and the counts, in Dutch and English."""
    c = counts(result.findings)
    objects = len({f.focus for f in result.findings})
    verdict = "voldoet / conforms" if result.conforms else "voldoet niet / does not conform"
    return (
        f"{verdict}: {c['Violation']} overtreding(en) / violation(s), "
        f"{c['Warning']} waarschuwing(en) / warning(s), {c['Info']} info "
        f"in {objects} object(en) / object(s)"
    )


def text_report(result: ValidationResult, limit: int | None = None) -> Text:
    """Findings grouped per object, styled for a terminal (``plain_report`` for files).

    With ``limit``, whole objects are shown while their findings stay within it (the
    findings come violations first) and a line says how many more there are: a
    terminal is no place for 58,000 warnings, and `krb validate` writes them all.
    The summary line always counts every finding."""
    return Text.assemble(
        *(t if style is None else (t, style) for t, style in _segments(result, limit))
    )


def plain_report(result: ValidationResult, limit: int | None = None) -> str:
    """``text_report`` without styles, for a file or a pipe (a CI log): the same text
    joined at once, where rich's Text took 1.1 s for a registry's 58,617 findings."""
    return "".join(text for text, _style in _segments(result, limit))


def _segments(result: ValidationResult, limit: int | None) -> list[tuple[str, str | None]]:
    """The report as (text, style) pieces, for both renderings."""
    out: list[tuple[str, str | None]] = []
    add = out.append
    shown = 0
    blank = _Blank(result)
    grouped = _by_object(blank.ordered)
    for index, (focus, findings) in enumerate(grouped):
        if limit is not None and shown + len(findings) > limit and shown:
            hidden = sum(len(rest) for _, rest in grouped[index:])
            add(
                (
                    f"… nog {hidden} bevinding(en) bij {len(grouped) - index} object(en) niet "
                    f"getoond / {hidden} more finding(s) on {len(grouped) - index} object(s) "
                    "not shown; `krb validate` reports them all (also as JSON or JUnit)\n\n",
                    "bold",
                )
            )
            break
        shown += len(findings)
        first = findings[0]
        heading = " ".join(p for p in (first.focus_type, _quoted(first.focus_label)) if p)
        named = blank.name(focus) or focus
        add((heading or named, "bold"))
        place = _where(result, focus, findings)
        had, of = _findings_before(result, findings)
        mixed = 0 < had < of
        place = f"  ({place})" if place else ""
        add((f"  <{named}>{place}\n" if heading else f"{place}\n", "dim"))
        for f in findings:
            add((f"  {f.severity} ({_DUTCH.get(f.severity, f.severity)})", _STYLES.get(f.severity)))
            where = f"  {compact(f.path)}" if f.path else ""
            value = f" = {compact(blank.name(f.value) or f.value)}" if f.value is not None else ""
            mark = _BEFORE if mixed and result.already_broken(f) else ""
            nl, en = blank.text(f.message_nl), blank.text(f.message_en)
            add((f"{where}{value}{mark}\n    nl: {nl}\n    en: {en}\n", None))
        add(("\n", None))
    add((summary(result) + "\n", "bold green" if result.conforms else "bold red"))
    return out


def json_report(result: ValidationResult) -> str:
    """``{"conforms", "counts", "findings": [...]}``; findings keep Finding's field names,
    with ``where``: the file(s) and line describing the object (``geluid.ttl:42``; several
    joined by ``, ``), or null when not known; and ``graphs``: the store's graphs that
    hold it when a store was validated (`krb validate --store`), else empty.

    A blank node has no name of its own, and the parser's id differs every run: as
    ``focus`` (and as a ``value`` or in a message) an object without an IRI is ``_:b1``,
    ``_:b2``, … (numbered as ``_Blank`` orders them, the same every run), found by its
    ``where`` (the line of its ``[``); another blank node as ``value`` is ``[]`` (the
    ``path`` of ``focus``), and ``blank`` says which of the two fields is a blank node."""
    blank = _Blank(result)
    document = {
        "conforms": result.conforms,
        "counts": counts(result.findings),
        "findings": [
            {
                **{k: v for k, v in asdict(f).items() if k != "value_blank"},  # as ``blank``
                "focus": blank.name(f.focus) or f.focus,
                "value": blank.name(f.value) or f.value,
                "message_nl": blank.text(f.message_nl),
                "message_en": blank.text(f.message_en),
                "where": _in_files(result, f.focus),
                "graphs": list(result.stored.get(f.focus, ())),
                "blank": [k for k in ("focus", "value") if blank.name(getattr(f, k))],
            }
            for f in blank.ordered
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def turtle_report(result: ValidationResult) -> str:
    """The SHACL validation report as Turtle, written by pyoxigraph from the report's
    triples: rdflib's graph and Turtle writer took 23 s and 470 MB for the 58,617
    results of a registry of a million triples."""
    from .shacl.report import serialize_report  # the SHACL engine loads when validating

    out = io.BytesIO()
    serialize_report(result.report_triples(), out, prefixes=PREFIXES)
    return out.getvalue().decode("utf-8")


def junit_report(
    result: ValidationResult, *, strict: bool = False, objects: Sequence[CheckedObject] = ()
) -> str:
    """JUnit XML: one <testcase> per object, one <failure> per violation.

    Warnings are failures too with ``strict``, else they go to <system-out> so
    CI shows them without failing. Objects without findings (``objects``, read from
    the data the findings were found in, so a blank node has the same id in both) are
    passing test cases. A test case of an object with findings has the ``file`` and
    ``line`` where the object is described (the first, if several), which CI systems
    (GitLab, Jenkins) link to; of a store (`krb validate --store`), a property ``graph``
    per graph that holds it instead: a graph is no file in the repository to link to.

    A test case's name is what CI compares from run to run, so a blank node, whose id
    the parser makes up anew every run, is named by its label and a number instead,
    numbered in an order that is the same every run (``_Blank.object_key``: file and
    line, then what is found on it), never by the id.
    Characters XML 1.0 cannot hold (a vertical tab from a Word line break is legal in
    RDF) are written out as ``U+000B``: the report stays readable XML.
    """
    blank = _Blank(result)
    grouped = dict(_by_object(blank.ordered))
    known = {o.iri: o for o in objects}
    for focus, findings in grouped.items():
        known.setdefault(
            focus, CheckedObject(focus, findings[0].focus_label, findings[0].focus_type)
        )
    failing = {"Violation", "Warning"} if strict else {"Violation"}
    suite = ET.Element("testsuite", name="krb validate")
    failures = 0
    ordered = sorted(
        known.values(), key=lambda o: blank.object_key(o.iri, o.label, o.type, grouped.get(o.iri))
    )
    names = _case_names(ordered)
    for obj in ordered:
        case = ET.SubElement(
            suite, "testcase", classname=f"krb.{obj.type or 'Object'}", name=names[obj.iri]
        )
        place = next(iter(result.places.get(obj.iri, ())), None)
        if place is not None:
            case.set("file", place.path)
            if place.line is not None:
                case.set("line", str(place.line))
        if graphs := result.stored.get(obj.iri):
            listed = ET.SubElement(case, "properties")
            for graph in graphs:
                ET.SubElement(listed, "property", name="graph", value=graph)
        notes: list[str] = []
        for f in grouped.get(obj.iri, []):
            nl, en = blank.text(f.message_nl), blank.text(f.message_en)
            line = f"{f.severity} {compact(f.path)}: {nl} / {en}"
            if f.severity in failing:
                failures += 1
                failure = ET.SubElement(case, "failure", message=en, type=f.severity)
                failure.text = line
            else:
                notes.append(line)
        if notes:
            ET.SubElement(case, "system-out").text = "\n".join(notes)
    suite.set("tests", str(len(known)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    root = ET.Element("testsuites", tests=str(len(known)), failures=str(failures))
    root.append(suite)
    ET.indent(root)
    # No markup holds such a character, so replacing them in the text written replaces
    # them in every attribute and text.
    written = ET.tostring(root, encoding="unicode", xml_declaration=True)
    return _NOT_IN_XML.sub(lambda m: f"U+{ord(m.group()):04X}", written) + "\n"


_NOT_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""The characters XML 1.0 does not allow (its Char production): C0 controls other than
tab, line feed and carriage return, surrogates, U+FFFE and U+FFFF."""


def _case_names(objects: Sequence[CheckedObject]) -> dict[str, str]:
    """Each object's test case name: label and IRI; for a blank node (an id without a
    colon, which no IRI lacks) its label and a number among the blank nodes so named,
    in the order given."""
    names: dict[str, str] = {}
    seen: Counter[str] = Counter()
    for obj in objects:
        if ":" in obj.iri:
            names[obj.iri] = f"{obj.label or obj.iri} <{obj.iri}>"
            continue
        label = obj.label or obj.type or "object"
        seen[label] += 1
        number = f" {seen[label]}" if seen[label] > 1 else ""
        names[obj.iri] = f"{label} (blank node{number})"
    return names


def _by_object(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings per focus node, in the order of their first finding."""
    grouped: dict[str, list[Finding]] = {}
    for f in findings:
        grouped.setdefault(f.focus, []).append(f)
    return list(grouped.items())


def _in_files(result: ValidationResult, focus: str) -> str | None:
    """``registry/geluid.ttl:42`` (several joined by ``, ``), None when not known."""
    places = result.places.get(focus)
    return ", ".join(map(str, places)) if places else None


_BEFORE = "  [al in het register / already in the registry]"


def _where(result: ValidationResult, focus: str, findings: list[Finding]) -> str | None:
    """Where an object with findings is: its files (``_in_files``), else the store's
    graphs that hold it, for a refused write said to be outside what it wrote (an
    object it did not write, which after an upgrade is no fault of the file), and
    whether its findings were in the registry before the write: all, none, or some
    (then each such finding is marked ``_BEFORE``)."""
    in_files = _in_files(result, focus)
    graphs = result.stored.get(focus)
    if not graphs:
        return in_files
    named = ", ".join(f"<{graph}>" for graph in graphs)
    nl, en = ("grafen", "graphs") if len(graphs) > 1 else ("graaf", "graph")
    if result.written is None:
        return f"{nl}/{en} {named}" if in_files is None else f"{in_files}; {nl}/{en} {named}"
    written = result.written
    if result.unknown_whose(focus):  # a blank node: whether it was broken before is unknown
        return f"in {nl} {named}, niet in {written} / in {en} {named}, not in {written}"
    before, of = _findings_before(result, findings)
    if before == 0:
        return (
            f"in {nl} {named}, niet in {written}, maar gebroken door deze schrijfactie / "
            f"in {en} {named}, not in {written}, but broken by this write"
        )
    if before < of:
        return (
            f"in {nl} {named}, niet in {written}; gebroken door deze schrijfactie, en al "
            f"eerder waar gemarkeerd / in {en} {named}, not in {written}; broken by this "
            "write, and before it where marked"
        )
    return (
        f"al in het register, in {nl} {named}, niet in {written} / "
        f"already in the registry, in {en} {named}, not in {written}"
    )


def _findings_before(result: ValidationResult, findings: list[Finding]) -> tuple[int, int]:
    """How many of an object's findings the registry had before a refused write, and of
    how many: all (already in the registry), none (this write's), or some, each then
    marked, warnings as violations (the Excel import's report labels each finding)."""
    return sum(1 for f in findings if result.already_broken(f)), len(findings)


def _quoted(label: str | None) -> str | None:
    return f"'{label}'" if label else None


class _Blank:
    """How a report names the blank nodes of ``result``, and the order of its findings.

    The parser gives a blank node another id every run, so a report must neither show
    nor sort by it. An object without an IRI with findings is ``_:b1``, ``_:b2``, … in
    the order of ``object_key``: type, label, file and line (where its ``[`` opens,
    krbgraph.source_lines), then what is found on it; two that tie there are told apart
    by nothing a report shows, so either order gives the same report. Another blank
    node (a value: a norm's validity period) is ``[]``, the ``path`` of its object.
    Without blank nodes the findings keep their order (validation.finding_sort_key)."""

    def __init__(self, result: ValidationResult) -> None:
        self._result = result
        by_focus: dict[str, list[Finding]] = {}
        ids: set[str] = set()
        for f in result.findings:
            by_focus.setdefault(f.focus, []).append(f)
            if is_blank_focus(f.focus):
                ids.add(f.focus)
            if f.value is not None and f.value_blank:
                ids.add(f.value)
        self._ids = ids
        self._names: dict[str, str] = {}
        self.ordered: Sequence[Finding] = result.findings
        if not ids:
            return
        self._pattern = re.compile("|".join(map(re.escape, sorted(ids, key=len, reverse=True))))
        blanks = sorted(
            (focus for focus in by_focus if is_blank_focus(focus)),
            key=lambda focus: self.object_key(
                focus,
                by_focus[focus][0].focus_label,
                by_focus[focus][0].focus_type,
                by_focus[focus],
            ),
        )
        self._names = {focus: f"_:b{number}" for number, focus in enumerate(blanks, 1)}
        self.ordered = sorted(result.findings, key=self._finding_key)

    def name(self, node: str | None) -> str | None:
        """``_:bN`` or ``[]`` for a blank node id, None for anything else."""
        if node is None or node not in self._ids:
            return None
        return self._names.get(node, "[]")

    def text(self, message: str) -> str:
        """A message with each blank node id in it named as ``name`` names it."""
        if not self._ids:
            return message
        return self._pattern.sub(lambda m: self._names.get(m.group(), "[]"), message)

    def object_key(
        self, iri: str, label: str | None, type_: str | None, findings: Sequence[Finding] | None
    ) -> tuple[str, ...]:
        """The order of objects: type, label, files and graphs, IRI; for a blank node,
        instead of its id, what is found on it (its ids left out)."""
        found = ""
        if is_blank_focus(iri):
            found = "\n".join(sorted(map(self._content, findings or ())))
        return (
            type_ or "",
            label or "",
            _in_files(self._result, iri) or "",
            ", ".join(self._result.stored.get(iri, ())),
            "" if is_blank_focus(iri) else iri,
            found,
        )

    def _content(self, f: Finding) -> str:
        scrub = self._pattern.sub
        value = "[]" if f.value in self._ids else f.value or ""
        return "\t".join(
            (f.severity, f.path or "", scrub("[]", f.message_nl), scrub("[]", f.message_en), value)
        )

    def _finding_key(self, f: Finding) -> tuple[int, str, tuple[str, int], str, str, str]:
        """validation.finding_sort_key with each blank node by its name."""
        named = self._names.get(f.focus)
        return (
            SEVERITIES.index(f.severity) if f.severity in SEVERITIES else 3,
            f.focus_label or named or f.focus,
            ("", int(named[3:])) if named else (f.focus, 0),
            f.path or "",
            self.text(f.message_nl),
            self.name(f.value) or f.value or "",
        )
