"""Workbook size limits: zip bombs, too many rows, too many problems, and clean messages.

The workbooks here are written byte by byte as an .xlsx archive (zipfile and
the SpreadsheetML parts), because that is how a hostile workbook is made:
openpyxl cannot write two million rows in a test's time, nor a member that
unpacks a thousand times. ``raw_workbook`` is shared with the reliability
tests, which send the same files to a running `krb serve`.
"""

from __future__ import annotations

import io
import threading
import time
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

import pytest
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from krbgraph.cli import app as cli
from krbgraph.excel.limits import (
    MAX_MEMBERS,
    MAX_PROBLEMS_SHOWN,
    MB,
    WorkbookLimits,
    WorkbookTooLarge,
)
from krbgraph.excel.problems import WorkbookUnreadable
from krbgraph.excel.reader import read_sheets
from krbgraph.web.write_gate import BoundedLock, WriterBusy

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


# -- writing hostile workbooks -------------------------------------------------


def row_xml(number: int, values: Iterable[str]) -> bytes:
    """One ``<row>`` of inline strings, with the row and cell references Excel writes."""
    cells = "".join(
        f'<c r="{get_column_letter(col)}{number}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
        for col, value in enumerate(values, start=1)
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def table_rows(header: list[str], rows: Iterable[list[str]]) -> Iterator[bytes]:
    """A header row and data rows, numbered from 1."""
    yield row_xml(1, header)
    for number, values in enumerate(rows, start=2):
        yield row_xml(number, values)


def raw_workbook(
    target: Path | BinaryIO,
    sheets: dict[str, Iterable[bytes]],
    *,
    shared_strings: Iterable[bytes] | None = None,
    padding_members: int = 0,
    level: int = 6,
) -> None:
    """Write an .xlsx archive: each sheet's ``<sheetData>`` content streamed from its chunks.

    ``shared_strings`` streams ``<si>`` elements into xl/sharedStrings.xml;
    ``padding_members`` adds that many tiny extra files.
    """
    names = list(sheets)
    overrides = [f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>']
    overrides += [
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT}.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    ]
    rels = [
        f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(names) + 1)
    ]
    if shared_strings is not None:
        overrides.append(
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>'
        )
        rels.append(
            f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            + "".join(overrides)
            + "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            "<sheets>"
            + "".join(
                f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
                for i, name in enumerate(names, start=1)
            )
            + "</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL}">'
            + "".join(rels)
            + "</Relationships>",
        )
        for i, name in enumerate(names, start=1):
            with archive.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as out:
                out.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
                _stream(out, sheets[name])
                out.write(b"</sheetData></worksheet>")
        if shared_strings is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
                out.write(f'<sst xmlns="{MAIN}">'.encode())
                _stream(out, shared_strings)
                out.write(b"</sst>")
        for i in range(padding_members):
            archive.writestr(f"customXml/item{i}.xml", "<x/>")


def _stream(out: BinaryIO, chunks: Iterable[bytes]) -> None:
    buffer: list[bytes] = []
    size = 0
    for chunk in chunks:
        buffer.append(chunk)
        size += len(chunk)
        if size > MB:
            out.write(b"".join(buffer))
            buffer, size = [], 0
    out.write(b"".join(buffer))


def row_bomb(target: Path | BinaryIO, rows: int = 2_000_000) -> None:
    """Two million identical, highly compressible rows (about 200 MB unpacked)."""
    row = (
        b'<row><c t="inlineStr"><is><t>GEL-N01</t></is></c>'
        b'<c t="inlineStr"><is><t>GEL-I01</t></is></c></row>'
    )
    raw_workbook(target, {"beleidsnorm": (row for _ in range(rows))}, level=9)


def shared_strings_bomb(target: Path | BinaryIO, megabytes: int = 700) -> None:
    """A shared-strings table that unpacks to ``megabytes`` MB of long strings (a few MB packed);
    openpyxl loads the whole table when it opens the workbook."""
    string = b"<si><t>" + b"A" * 32_000 + b"</t></si>"
    per_mb = MB // len(string)
    raw_workbook(
        target,
        {"beleidsnorm": [row_xml(1, ["code"])]},
        shared_strings=(string for _ in range(megabytes * per_mb)),
        level=1,
    )


def norm_rows(count: int) -> Iterator[bytes]:
    """A beleidsnorm sheet of ``count`` data rows that each refer to a missing indicator."""
    header = ["code", "indicator", "document", "operator", "waarde"]
    return table_rows(
        header, ([f"N{i}", f"BESTAAT-NIET-{i}", "D1", "<=", "5"] for i in range(count))
    )


# -- the archive ---------------------------------------------------------------


def test_a_row_bomb_is_refused_before_openpyxl_unpacks_it(tmp_path: Path) -> None:
    path = tmp_path / "rijen.xlsx"
    row_bomb(path)
    assert path.stat().st_size < 1 * MB  # two million rows in less than a megabyte
    started = time.monotonic()
    with pytest.raises(WorkbookTooLarge) as refused:
        read_sheets(path)
    # Unpacking the two million rows takes far longer; the margin is a busy CI runner's.
    assert time.monotonic() - started < 5.0
    assert refused.value.member == "xl/worksheets/sheet1.xml"
    assert "xl/worksheets/sheet1.xml" in str(refused.value)


def test_a_shared_strings_bomb_is_refused_naming_the_member(tmp_path: Path) -> None:
    path = tmp_path / "strings.xlsx"
    shared_strings_bomb(path)
    started = time.monotonic()
    with pytest.raises(WorkbookTooLarge) as refused:
        read_sheets(path)
    assert time.monotonic() - started < 5.0
    assert refused.value.member == "xl/sharedStrings.xml"


def test_the_total_unpacked_size_has_its_own_limit(tmp_path: Path) -> None:
    """Ordinary compression (about 14 times), but more in total than the limit allows."""
    path = tmp_path / "groot.xlsx"
    raw_workbook(path, {"beleidsnorm": norm_rows(20_000)})
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    assert unpacked > 1 * MB
    with pytest.raises(WorkbookTooLarge) as refused:
        read_sheets(path, limits=WorkbookLimits(max_uncompressed_bytes=1 * MB))
    assert refused.value.member == "xl/worksheets/sheet1.xml"
    assert "1.0 MB" in str(refused.value)
    sheets, _ = read_sheets(path, limits=WorkbookLimits(max_uncompressed_bytes=unpacked))
    assert len(sheets["beleidsnorm"].rows) == 20_000


def test_an_archive_of_too_many_files_is_refused() -> None:
    buffer = io.BytesIO()
    raw_workbook(buffer, {"beleidsnorm": norm_rows(1)}, padding_members=MAX_MEMBERS)
    with pytest.raises(WorkbookTooLarge, match=f"more than {MAX_MEMBERS}"):
        read_sheets(buffer)


def test_an_ordinary_workbook_passes_the_default_limits() -> None:
    buffer = io.BytesIO()
    raw_workbook(buffer, {"beleidsnorm": norm_rows(20_000)})
    sheets, _ = read_sheets(buffer)
    assert len(sheets["beleidsnorm"].rows) == 20_000


# -- rows ------------------------------------------------------------------------


def test_rows_past_the_limit_are_refused_naming_sheet_and_row() -> None:
    buffer = io.BytesIO()
    raw_workbook(buffer, {"beleidsnorm": norm_rows(30)})
    with pytest.raises(WorkbookTooLarge) as refused:
        read_sheets(buffer, limits=WorkbookLimits(max_rows=10))
    assert (refused.value.sheet, refused.value.row) == ("beleidsnorm", 11)
    assert "beleidsnorm" in str(refused.value) and "row 11" in str(refused.value)
    buffer.seek(0)
    sheets, _ = read_sheets(buffer, limits=WorkbookLimits(max_rows=31))
    assert len(sheets["beleidsnorm"].rows) == 30


def test_one_far_away_row_is_refused_without_filling_the_gap() -> None:
    """openpyxl yields an empty row for every row number it skips; the limit stops that."""
    buffer = io.BytesIO()
    far = [row_xml(1, ["code", "indicator"]), row_xml(1_000_000_000, ["N1", "I1"])]
    raw_workbook(buffer, {"beleidsnorm": far})
    started = time.monotonic()
    with pytest.raises(WorkbookTooLarge) as refused:
        read_sheets(buffer)
    assert time.monotonic() - started < 5.0
    assert refused.value.row == 100_001


def test_a_header_as_wide_as_excel_allows_does_not_widen_the_rows() -> None:
    buffer = io.BytesIO()
    header = row_xml(1, ["code"])[:-6] + b'<c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>'
    rows = [header] + [row_xml(n, [f"N{n}"]) for n in range(2, 2_002)]
    raw_workbook(buffer, {"beleidsnorm": rows})
    started = time.monotonic()
    sheets, _ = read_sheets(buffer)
    assert time.monotonic() - started < 5.0
    assert len(sheets["beleidsnorm"].rows) == 2_000


# -- messages --------------------------------------------------------------------


def test_an_anonymous_stream_is_never_named_by_its_python_object() -> None:
    with pytest.raises(WorkbookUnreadable) as refused:
        read_sheets(io.BytesIO(b"code;naam\nGEL;Geluid\n"))
    text = str(refused.value)
    assert "BytesIO" not in text and "0x" not in text
    assert "werkmap" in text


def test_a_directory_that_lies_about_sizes_makes_the_workbook_unreadable(tmp_path: Path) -> None:
    """A member declared small but holding more stops at its declared size (zipfile) and is
    reported as unreadable, not as an internal error."""
    path = tmp_path / "liegt.xlsx"
    raw_workbook(path, {"beleidsnorm": norm_rows(2_000)})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    # the central directory entry: signature, then the uncompressed size at offset 24
    directory = data.rfind(b"PK\x01\x02", 0, data.rfind(b"xl/worksheets/sheet1.xml"))
    size_at = directory + 24
    assert int.from_bytes(data[size_at : size_at + 4], "little") == info.file_size
    data[size_at : size_at + 4] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(WorkbookUnreadable):
        read_sheets(path)


# -- the command line ------------------------------------------------------------


def test_import_excel_lists_the_first_problems_and_the_total(tmp_path: Path) -> None:
    path = tmp_path / "kapot.xlsx"
    raw_workbook(path, {"beleidsnorm": norm_rows(1_500)})
    result = CliRunner().invoke(
        cli, ["import-excel", str(path), "--store", str(tmp_path / "store")]
    )
    assert result.exit_code == 1, result.output
    listed = [line for line in result.output.splitlines() if line.startswith(("fout", "waarsch"))]
    assert len(listed) == MAX_PROBLEMS_SHOWN
    assert "in totaal / in total" in result.output


def test_import_excel_refuses_a_bomb_with_exit_code_2(tmp_path: Path) -> None:
    path = tmp_path / "rijen.xlsx"
    row_bomb(path, rows=500_000)
    result = CliRunner().invoke(
        cli, ["import-excel", str(path), "--store", str(tmp_path / "store")]
    )
    assert result.exit_code == 2, result.output
    assert "xl/worksheets/sheet1.xml" in result.output
    assert "nothing loaded" in result.output


# -- the write lock --------------------------------------------------------------


def test_a_writer_waits_for_the_lock_only_as_long_as_allowed() -> None:
    lock = threading.Lock()
    held, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with BoundedLock(lock, 0):
            held.set()
            release.wait(10)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert held.wait(10)
        started = time.monotonic()
        with pytest.raises(WriterBusy) as busy, BoundedLock(lock, 0.5):
            pass
        assert 0.4 < time.monotonic() - started < 5.0  # the writer holds it 10 s
        assert busy.value.retry_after == 1
    finally:
        release.set()
        writer.join()
    with BoundedLock(lock, 0.5):  # free again once the long write is done
        assert lock.locked()
    assert not lock.locked()
