"""The base IRI a workbook's codes are minted under, carried by the workbook itself.

A code cell names a thing by its code, and the import mints ``{base}/id/{type}/{code}``
from it. An exported graph whose things live under another base than the registry's
(the demo's national and provincial frameworks under https://data.krb.nl/kader) only
comes back as the same things when the import mints under that same base. So the export
records the base it wrote codes for as a custom document property (File > Properties >
Custom in Excel and LibreOffice, which both keep it when the file is saved), and the
import reads codes under that base; a workbook without it (the template, a workbook
made by hand) reads them under the registry's base as before.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, BinaryIO, cast
from urllib.parse import urlsplit

from openpyxl.packaging.custom import CustomPropertyList, StringProperty
from openpyxl.workbook import Workbook
from openpyxl.xml.functions import fromstring

BASE_PROPERTY = "KRB basis-IRI"
"""The custom document property's name, as a user sees it in the file's properties."""

_PART = "docProps/custom.xml"
_MAX_PART_BYTES = 1 << 20  # a handful of properties; anything larger is not ours to read


class RecordedBaseInvalid(ValueError):
    """The workbook's base property holds no http(s) IRI a code can be minted under."""

    def __init__(self, value: str) -> None:
        shown = value if len(value) <= 200 else value[:200] + "..."
        self.message_nl = (
            f"de documenteigenschap '{BASE_PROPERTY}' ({shown!r}) is geen http(s)-IRI; "
            "verbeter of verwijder haar (Bestand > Eigenschappen > Aangepast)"
        )
        self.message_en = (
            f"the document property '{BASE_PROPERTY}' ({shown!r}) is no http(s) IRI; "
            "correct or remove it (File > Properties > Custom)"
        )
        super().__init__(self.message_en)


def record_base(book: Workbook, base: str) -> None:
    """Write ``base`` into the workbook's custom properties (nothing for an empty base)."""
    if base:
        # (openpyxl's type stubs do not know the attribute, openpyxl 3.1 has it)
        cast(Any, book).custom_doc_props.append(StringProperty(name=BASE_PROPERTY, value=base))


def recorded_base(source: str | Path | BinaryIO) -> str | None:
    """The base the workbook records, or None when it records none (or is no zip archive:
    opening it as a workbook reports that). A stream is left at its start.

    Raises RecordedBaseInvalid when the property holds no usable IRI.
    """
    try:
        with zipfile.ZipFile(source) as archive:
            try:
                info = archive.getinfo(_PART)
            except KeyError:
                return None
            if info.file_size > _MAX_PART_BYTES:
                return None
            xml = archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        if not isinstance(source, str | Path):
            source.seek(0)
    try:
        properties: Any = CustomPropertyList.from_tree(cast(Any, fromstring(xml)))
    except Exception:  # noqa: BLE001 - a damaged part the user never sees: as if absent
        return None
    for prop in properties:
        if prop.name == BASE_PROPERTY:
            value = prop.value if isinstance(prop.value, str) else str(prop.value)
            return _checked(value.strip())
    return None


def _checked(value: str) -> str:
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.query
        or parts.fragment
        or any(ch.isspace() or ch in '<>"{}|\\^`' for ch in value)
    ):
        raise RecordedBaseInvalid(value)
    return value.rstrip("/")
