"""A chart's table as CSV, and every chart of a dashboard as a workbook (one sheet per chart)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """A chart's numbers as the page names them: ``title`` (the sheet), ``header`` and ``rows``."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


def _safe(value: object) -> object:
    """A cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def as_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_safe(h) for h in table.header])
    writer.writerows([_safe(v) for v in row] for row in table.rows)
    return buffer.getvalue()


def _sheet_name(title: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base[:25]} {n}", n + 1
    taken.add(name.lower())
    return name


def as_xlsx(tables: Sequence[Table]) -> bytes:
    from openpyxl import Workbook  # imported when a workbook is asked for: a web worker that never makes one does not load it

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, taken))
        sheet.append([_safe(h) for h in table.header])
        for row in table.rows:
            sheet.append([_safe(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
