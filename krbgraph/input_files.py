"""Which files a folder named to `krb validate` or `krb load` holds, and which of them
are krb validate's own reports rather than data.

A pipeline trusts an exit 0 as "this data passes": a folder left out without a word
(one it may not open, one reached through a symbolic link) was a pass on data never
read, and a report a previous run wrote into the folder broke the next run as bad RDF.
Both commands read the same list, so what validates is what loads.
"""

from __future__ import annotations

import errno
import gzip
import os
import re
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

__all__ = [
    "InputPathError",
    "Inputs",
    "files_in",
    "inputs",
    "is_blank",
    "is_krb_report",
    "is_own_report",
]


class InputPathError(Exception):
    """A path named, or met in a folder, that cannot be read as asked (krbgraph.rdfio
    turns it into an RdfInputError naming the path)."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


class Inputs(NamedTuple):
    files: list[Path]
    """Each file once, in the order named (a folder's files sorted)."""
    reports: list[Path]
    """The files left out as reports of `krb validate` (is_own_report)."""


def inputs(
    paths: Iterable[Path],
    format_of: Callable[[Path], ox.RdfFormat | None],
    *,
    leave_out: Path | None = None,
) -> Inputs:
    """The files named plus the files of a known ``format_of`` in the folders named
    (files_in), each once by where it really is, except ``leave_out`` and krb validate's
    own reports.

    A file named twice (a folder and a file in it, overlapping globs) read twice stated
    each of its facts in two files, a violation of valid data, and `krb load` refused it
    as two files for one graph. Raises InputPathError for a path that does not exist and
    a folder that cannot be read."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(files_in(path, lambda file: format_of(file) is not None))
        elif path.exists():
            found.append(path)
        else:
            raise InputPathError(
                path, DANGLING_LINK if path.is_symlink() else "no such file or folder"
            )
    left_out = None if leave_out is None else leave_out.resolve()
    chosen = Inputs([], [])
    seen: set[Path] = set()
    for path in found:
        real = path.resolve()
        if real in seen or real == left_out:
            continue
        seen.add(real)
        fmt = format_of(path)
        report = fmt is not None and is_own_report(path, fmt)
        (chosen.reports if report else chosen.files).append(path)
    return chosen


def files_in(folder: Path, wanted: Callable[[Path], bool]) -> list[Path]:
    """The ``wanted`` files in ``folder`` and every folder below it, sorted.

    A folder that cannot be listed is an InputPathError: skipping it passed data nobody
    validated. A symbolic link to a folder is followed, as one to a file always was; each
    folder is read once, by where it really is, so a link into a folder read already adds
    nothing, and a link to a folder that holds the link (``same -> .``, ``up -> ..``)
    would read the same files over and over: it is not followed (what it leads to above
    the folder named was not named). A link that leads nowhere is an InputPathError when
    its name is wanted (krbgraph.rdfio), except a hidden one (an editor's lock)."""
    found: list[Path] = []
    seen: set[Path] = set()

    def walk(directory: Path, real: Path) -> None:
        seen.add(real)
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise InputPathError(directory, f"cannot read the folder: {reason}") from exc
        for entry in entries:
            path = directory / entry.name
            try:  # a link's target is looked up: its folder may be closed to us
                is_folder, is_file = entry.is_dir(), entry.is_file()
            except OSError as exc:
                if exc.errno != errno.ELOOP:  # a loop of links leads nowhere: below
                    raise InputPathError(path, f"cannot read it: {exc.strerror}") from exc
                is_folder = is_file = False
            if is_folder:
                target = path.resolve() if entry.is_symlink() else real / entry.name
                if target not in seen and not real.is_relative_to(target):
                    walk(path, target)
            elif wanted(path):
                if is_file:
                    found.append(path)
                elif entry.is_symlink() and not path.exists() and not entry.name.startswith("."):
                    # Not an editor's lock (Emacs: .#beleid.ttl, a link to user@host.pid).
                    raise InputPathError(path, DANGLING_LINK)

    walk(folder, folder.resolve())
    return sorted(found)


DANGLING_LINK = "a symbolic link that leads nowhere (its target is missing or loops)"

_HEAD = 8192
_JUNIT = re.compile(rb"\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<testsuites?[\s>/]", re.DOTALL)
"""A JUnit report: its root element is <testsuites> or <testsuite>, in no namespace,
which RDF/XML cannot be (every element of RDF/XML is in a namespace)."""
_JSON_REPORT = re.compile(rb'\A\s*\{\s*"conforms"\s*:\s*(?:true|false)\s*,\s*"counts"\s*:\s*\{')
"""krb validate's JSON report (krbgraph.reports.json_report) begins so; a JSON-LD
document cannot: a key no @context maps to an IRI gives no triple."""
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SHACL_REPORT = "http://www.w3.org/ns/shacl#ValidationReport"


def is_own_report(path: Path, fmt: ox.RdfFormat) -> bool:
    """Whether ``path``, read as ``fmt``, is a report `krb validate` writes, as JUnit
    XML, JSON or the SHACL report in Turtle: never registry data, whatever its name.

    Told by what the file begins with, not by its name: a report is written under any
    name (shacl.xml, rapport.json, reports/validatie.ttl), and a data file may be called
    report.ttl. The JUnit and JSON reports would be refused as bad RDF/XML and JSON-LD;
    the Turtle one is RDF, which `krb load` would load as a graph of the registry. A
    compressed file is not looked at (krb writes no compressed report); nor one that
    cannot be read, which its reading reports."""
    if path.name.lower().endswith(".gz"):
        return False
    try:
        with path.open("rb") as stream:
            head = stream.read(_HEAD)
    except OSError:
        return False
    head = head.removeprefix(b"\xef\xbb\xbf")
    if fmt is ox.RdfFormat.RDF_XML:
        return _JUNIT.match(head) is not None
    if fmt is ox.RdfFormat.JSON_LD:
        return _JSON_REPORT.match(head) is not None
    if fmt is ox.RdfFormat.TURTLE and b"ValidationReport" in head:
        return _first_triple_types_a_report(head)
    return False


_SUMMARY = re.compile(
    rb"(?:voldoet / conforms|voldoet niet / does not conform): \d+ overtreding\(en\) / "
    rb"violation\(s\), \d+ waarschuwing\(en\) / warning\(s\), \d+ info in \d+ "
    rb"object\(en\) / object\(s\)"
)
"""The last line of krb validate's text report (krbgraph.reports.summary)."""


def is_krb_report(path: Path) -> bool:
    """Whether ``path`` holds a report `krb validate` writes, in any of its formats
    (JUnit, JSON, the SHACL report in Turtle, the text report), whatever its name: what
    `krb validate --output` may replace. A file that cannot be read is not one.

    Told by the bytes as written, not by the name: the report of one format is written
    under any name, and a run in another format replaces it (a CI job that switched
    from --format json to junit keeps its file name)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(_HEAD)
            size = stream.seek(0, os.SEEK_END)
            stream.seek(max(size - _HEAD, 0))
            tail = stream.read()
    except OSError:
        return False
    head = head.removeprefix(b"\xef\xbb\xbf")
    lines = tail.rstrip().rsplit(b"\n", 1)
    return (
        _JUNIT.match(head) is not None
        or _JSON_REPORT.match(head) is not None
        or (b"ValidationReport" in head and _first_triple_types_a_report(head))
        or _SUMMARY.fullmatch(lines[-1].strip()) is not None
    )


def is_blank(path: Path) -> bool:
    """Whether the file holds nothing but white space (a compressed one once unpacked):
    0 bytes, as the file a shell creates for ``krb validate . -f json > report.json``
    before krb runs. It holds no triples in any syntax; a JSON-LD parser refuses it
    ("Unexpected end of file") where the Turtle one reads nothing, so it is told
    before it is parsed. A file that cannot be read is not blank: its reading reports
    it."""
    try:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as stream:
            chunk = stream.read(_HEAD).removeprefix(b"\xef\xbb\xbf")
            while chunk:
                if chunk.strip():
                    return False
                chunk = stream.read(1 << 20)
    except (OSError, EOFError, zlib.error):
        return False
    return True


def _first_triple_types_a_report(head: bytes) -> bool:
    """Whether the first triple of the Turtle text says ``_ a sh:ValidationReport``, as
    the report krbgraph.reports.turtle_report writes does, after its prefixes."""
    try:
        first = next(iter(ox.parse(head, format=ox.RdfFormat.TURTLE)), None)
    except (SyntaxError, ValueError):
        return False
    return (
        first is not None
        and first.predicate.value == _TYPE
        and isinstance(first.object, ox.NamedNode)
        and first.object.value == _SHACL_REPORT
    )
