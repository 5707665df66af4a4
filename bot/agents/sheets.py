"""Reading CSV/XLSX uploads into rows and writing XLSX (pure: bytes in, bytes out)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


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


def _raw_rows(file_name: str, data: bytes) -> list[tuple[int, list[str]]]:
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
            raise SheetError("bad_xlsx") from None
        try:
            sheet = workbook.worksheets[0]
            return [
                (number, [_cell_text(value) for value in row])
                for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
        finally:
            workbook.close()
    if file_name.lower().endswith((".csv", ".txt")):
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
            return [(reader.line_num, [cell.strip() for cell in row]) for row in reader]
        except csv.Error:
            raise SheetError("bad_csv") from None
    raise SheetError("bad_type")


def read_table(
    file_name: str, data: bytes, headers: dict[str, str], required: Sequence[str]
) -> list[SheetRow]:
    """Rows under a header line. ``headers`` maps every accepted header (casefolded) to a column
    key; a header that is not known is ignored; every ``required`` key must be present."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise SheetError("too_big")
    rows = [(line, cells) for line, cells in _raw_rows(file_name, data) if any(cells)]
    if not rows:
        raise SheetError("empty")
    header = rows[0][1]
    columns: dict[int, str] = {}
    for index, title in enumerate(header):
        key = headers.get(title.strip().casefold())
        if key is not None and key not in columns.values():
            columns[index] = key
    missing = [key for key in required if key not in columns.values()]
    if missing:
        raise SheetError("missing_columns:" + ",".join(missing))
    table = []
    for line, cells in rows[1:]:
        values = {key: "" for key in columns.values()}
        for index, key in columns.items():
            if index < len(cells):
                values[key] = cells[index]
        table.append(SheetRow(line, values))
    return table


def write_xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
