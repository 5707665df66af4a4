"""English texts: uploaded files (caps and refusals)."""

CATALOG: dict[str, str] = {
    "up_wrong_kind": "This file is not accepted here: send a {kinds} file (by its name, e.g. data.csv).",
    "up_too_big": "The file is too big: a {kind} file may be at most {limit}. Nothing was imported.",
    "up_timeout": "Reading the file took longer than {seconds} s, so it was stopped. Nothing was imported; send a smaller file.",
    "io_sheet_archive": "The XLSX file unpacks to far more data than a spreadsheet holds (or has too many parts), so it was not opened. Save it again from Excel/WPS as .xlsx.",
    "io_sheet_too_many_rows": "The file has too many rows: at most {rows} rows are read. Nothing was imported.",
    "io_sheet_too_many_columns": "The file has too many columns: at most {columns} columns are read. Nothing was imported.",
}
