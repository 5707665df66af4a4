"""Reading CSV/XLSX uploads into rows and writing XLSX (pure: bytes in, bytes out).

Uploads are untrusted: an XLSX's zip is checked before the reader opens it, the sheet's
declared size is ignored, rows and columns are counted while reading, and the reading stops
when the caller gives up. Exported text never becomes a formula (:func:`escape_cell`)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from threading import Event

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.common.uploads import FileKind, ParseCancelled, UploadLimits, check_cancelled

# A spreadsheet takes text beginning with one of these for a formula (OWASP: CSV injection).
_FORMULA_START = re.compile(r"^'*[=+\-@\t\r]")
_ESCAPED_FORMULA = re.compile(r"^'+[=+\-@\t\r]")
# Members smaller than this are never judged by their compression ratio.
_RATIO_FLOOR = 1024 * 1024
# Rows read between two looks at the stop flag.
_CHECK_EVERY = 256


class SheetError(ValueError):
    """The file cannot be read as a table; ``code`` is a catalog key suffix."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class SheetRow:
    line: int  # 1-based line (CSV) or row number (XLSX) as the seller sees it
    cells: dict[str, str]  # column key -> trimmed text ("" for empty)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def check_archive(data: bytes, limits: UploadLimits) -> None:
    """Refuse an XLSX whose zip would unpack to too much before any XML is parsed: too many
    members, too many bytes in all, or a member compressed beyond any real spreadsheet's ratio
    (a zip bomb). The declared sizes are binding: :mod:`zipfile` never returns more than a
    member's declared size (and a member that lies fails its CRC check)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise SheetError("bad_xlsx") from None
    if len(members) > limits.xlsx_max_members:
        raise SheetError("archive")
    if sum(member.file_size for member in members) > limits.xlsx_max_uncompressed_bytes:
        raise SheetError("archive")
    for member in members:
        # Tiny members compress oddly well (a few hundred zeros): only a big one is judged.
        if member.file_size > _RATIO_FLOOR and member.file_size > limits.xlsx_max_ratio * max(
            member.compress_size, 1
        ):
            raise SheetError("archive")


def _xlsx_rows(data: bytes, limits: UploadLimits, stop: Event) -> Iterator[tuple[int, list[str]]]:
    check_archive(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a crafted file can break the reader in any way: it is not an XLSX
        raise SheetError("bad_xlsx") from None
    try:
        if not workbook.worksheets:
            raise SheetError("bad_xlsx")
        sheet = workbook.worksheets[0]
        # The sheet's own <dimension> is whatever the file claims (A1:XFD1048576 in a 1.5 KB
        # file): forget it, so rows are as long as their last cell and end at the last row.
        if isinstance(sheet, ReadOnlyWorksheet):
            sheet.reset_dimensions()
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number % _CHECK_EVERY == 0:
                check_cancelled(stop)
            if number > limits.max_rows:
                raise SheetError(f"too_many_rows:{limits.max_rows}")
            if len(row) > limits.max_columns and any(
                value is not None for value in row[limits.max_columns :]
            ):
                raise SheetError(f"too_many_columns:{limits.max_columns}")
            yield number, [_cell_text(value) for value in row[: limits.max_columns]]
    except (SheetError, ParseCancelled, GeneratorExit):
        raise
    except Exception:  # malformed XML, a member failing its CRC check, any reader error
        raise SheetError("bad_xlsx") from None
    finally:
        workbook.close()


def _csv_rows(data: bytes, limits: UploadLimits, stop: Event) -> Iterator[tuple[int, list[str]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError("bad_encoding")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for count, row in enumerate(reader, start=1):
            if count % _CHECK_EVERY == 0:
                check_cancelled(stop)
            if count > limits.max_rows:
                raise SheetError(f"too_many_rows:{limits.max_rows}")
            if len(row) > limits.max_columns and any(row[limits.max_columns :]):
                raise SheetError(f"too_many_columns:{limits.max_columns}")
            yield reader.line_num, [cell.strip() for cell in row[: limits.max_columns]]
    except csv.Error:
        raise SheetError("bad_csv") from None


def _raw_rows(
    kind: FileKind, data: bytes, limits: UploadLimits, stop: Event
) -> Iterator[tuple[int, list[str]]]:
    if len(data) > limits.max_bytes(kind):
        raise SheetError("too_big")
    if kind == "xlsx":
        return _xlsx_rows(data, limits, stop)
    return _csv_rows(data, limits, stop)


def read_table(
    kind: FileKind,
    data: bytes,
    headers: dict[str, str],
    required: Sequence[str],
    limits: UploadLimits,
    stop: Event | None = None,
) -> list[SheetRow]:
    """Every row of :func:`iter_table`, in a list (for tables that are small by nature)."""
    return list(iter_table(kind, data, headers, required, limits, stop))


def iter_table(
    kind: FileKind,
    data: bytes,
    headers: dict[str, str],
    required: Sequence[str],
    limits: UploadLimits,
    stop: Event | None = None,
) -> Iterator[SheetRow]:
    """Rows under a header line, one at a time as the file is read (nothing but the current
    row is held). ``headers`` maps every accepted header (casefolded) to a column key; a header
    that is not known is ignored; every ``required`` key must be present. Each cell goes
    through :func:`unescape_cell` (the inverse of what :func:`write_xlsx` does). ``stop`` (set
    when the caller gave up) ends the reading early with :class:`ParseCancelled`.

    The caps of ``limits`` hold for CSV too (rows, columns); see :func:`check_archive` for XLSX.
    A file without any non-empty row raises :class:`SheetError` (``empty``) at once.
    """
    stop = stop or Event()
    raw = _raw_rows(kind, data, limits, stop)
    columns: dict[int, str] | None = None
    for line, cells in raw:
        if not any(cells):
            continue
        if columns is None:
            columns = _columns([unescape_cell(cell) for cell in cells], headers, required)
            continue
        values = {key: "" for key in columns.values()}
        for index, key in columns.items():
            if index < len(cells):
                values[key] = unescape_cell(cells[index])
        yield SheetRow(line, values)
    if columns is None:
        raise SheetError("empty")


def _columns(
    header: Sequence[str], headers: dict[str, str], required: Sequence[str]
) -> dict[int, str]:
    """Column index -> key for a header line; a missing required key is a :class:`SheetError`."""
    columns: dict[int, str] = {}
    for index, title in enumerate(header):
        key = headers.get(title.strip().casefold())
        if key is not None and key not in columns.values():
            columns[index] = key
    missing = [key for key in required if key not in columns.values()]
    if missing:
        raise SheetError("missing_columns:" + ",".join(missing))
    return columns


def escape_cell(text: str) -> str:
    """Text a spreadsheet will not take for a formula (OWASP, CSV injection): text that begins
    with ``=``, ``+``, ``-``, ``@``, tab or CR, possibly after apostrophes, gets one more ``'`` in
    front. The apostrophes in the rule make it reversible: :func:`unescape_cell` removes exactly
    the one added, so a remark that itself begins ``'=`` comes back unchanged too."""
    return "'" + text if _FORMULA_START.match(text) else text


def unescape_cell(text: str) -> str:
    """The inverse of :func:`escape_cell`: one ``'`` is dropped from text that begins with
    apostrophes followed by a formula character; any other text is kept as it is."""
    return text[1:] if _ESCAPED_FORMULA.match(text) else text


def _safe_cell(sheet: WriteOnlyWorksheet, value: object) -> object:
    """Numbers (negative ones too) stay numbers; text is escaped and typed as a string, so
    openpyxl never turns it into a formula."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=escape_cell(value))
    cell.data_type = "s"
    return cell


def write_xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """A one-sheet workbook; every text cell goes through :func:`escape_cell`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append([_safe_cell(sheet, value) for value in header])
    for row in rows:
        sheet.append([_safe_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class XlsxStream:
    """A one-sheet workbook written to ``path`` a batch of rows at a time: openpyxl's
    write-only mode keeps the rows in a temporary file as they come, never the whole sheet in
    memory. Every text cell goes through :func:`escape_cell`. Blocking: call it from one worker
    thread (not the event loop), and from the same thread each time."""

    def __init__(self, path: Path, title: str, header: Sequence[str]) -> None:
        self._path = path
        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet(title)
        self.append([header])

    def append(self, rows: Sequence[Sequence[object]]) -> None:
        for row in rows:
            self._sheet.append([_safe_cell(self._sheet, value) for value in row])

    def save(self) -> None:
        """Write the workbook to ``path`` (once, after the last rows)."""
        self._workbook.save(self._path)
