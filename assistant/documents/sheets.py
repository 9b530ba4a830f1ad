"""Spreadsheets (ODS, XLSX): one block per non-empty row, bounded however many cells are declared."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from assistant.documents.limits import Budget, DocumentLimits
from assistant.documents.model import DocumentContent, DocumentError
from assistant.documents.odf import OFFICE, TABLE, TEXT, check_not_encrypted, inline_text, row_blocks
from assistant.documents.zipguard import read_member


def _too_many_cells(filename: str, limit: int) -> DocumentError:
    return DocumentError(
        filename, f"le classeur dépasse {limit} cellules remplies : envoyez seulement le questionnaire"
    )


def sheet_place(sheet: str, row: int) -> str:
    return f"feuille « {sheet} », ligne {row}"


def _repeat(elem: Element, attr: str) -> int:
    try:
        return max(1, int(elem.get(TABLE + attr) or 1))
    except ValueError:
        return 1


def _ods_cell_text(cell: Element) -> str:
    """Displayed text (text:p), else the typed value for cells written without a text rendering."""
    lines = [inline_text(p) for p in cell.iter() if p.tag in (TEXT + "p", TEXT + "h")]
    text = "\n".join(line for line in lines if line)
    if text:
        return text
    for attr in ("string-value", "value", "date-value", "time-value", "boolean-value"):
        value = cell.get(OFFICE + attr)
        if value:
            return value
    return ""


def _ods_row(row: Element, limits: DocumentLimits) -> tuple[str, ...]:
    cells: list[str] = []
    pending_empty = 0
    for cell in row:
        if cell.tag not in (TABLE + "table-cell", TABLE + "covered-table-cell"):
            continue
        text = _ods_cell_text(cell)
        repeat = _repeat(cell, "number-columns-repeated")
        if not text:
            pending_empty += repeat  # 16,384 declared empty columns cost one integer
            continue
        cells.extend([""] * min(pending_empty, limits.max_columns))
        pending_empty = 0
        cells.extend([text] * min(repeat, limits.max_columns))
    return tuple(cells)


def read_ods(filename: str, archive: zipfile.ZipFile, limits: DocumentLimits, budget: Budget) -> DocumentContent:
    """Stream content.xml row by row (iterparse, rows freed once read) so memory follows one row."""
    check_not_encrypted(filename, archive, limits)
    data = read_member(filename, archive, "content.xml", limits) or b""
    content = DocumentContent(filename=filename, kind="ods")
    stack: list[Element] = []
    sheet = ""
    table_depth = 0
    row_number = 0
    sheets_seen = 0
    filled = 0
    try:
        for event, elem in iterparse(io.BytesIO(data), events=("start", "end")):
            if event == "start":
                stack.append(elem)
                if elem.tag == TABLE + "table":
                    table_depth += 1
                    if table_depth == 1:
                        sheets_seen += 1
                        sheet = elem.get(TABLE + "name") or f"Feuille{sheets_seen}"
                        row_number = 0
                continue
            stack.pop()
            if elem.tag == TABLE + "table":
                table_depth -= 1
            elif elem.tag == TABLE + "table-row" and table_depth == 1:
                budget.check()
                cells = _ods_row(elem, limits)
                repeat = _repeat(elem, "number-rows-repeated")
                if any(cells):
                    for copy in range(min(repeat, limits.max_row_repeat)):
                        filled += sum(1 for c in cells if c)
                        if filled > limits.max_cells:
                            raise _too_many_cells(filename, limits.max_cells)
                        content.blocks.extend(row_blocks(cells, sheet_place(sheet, row_number + copy + 1)))
                row_number += repeat
                elem.clear()
                if stack:
                    stack[-1].remove(elem)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise DocumentError(
            filename, "le classeur est endommagé (XML illisible) : enregistrez-le à nouveau et renvoyez-le"
        ) from exc
    return content


def format_value(value: object) -> str:
    """A cell value as a person reads it in a French spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value).strip()


def _compact(values: tuple[object, ...], max_gap: int) -> tuple[str, ...]:
    """Cell texts without trailing empties; a run of empty cells between filled ones is capped."""
    cells: list[str] = []
    pending_empty = 0
    for value in values:
        text = format_value(value)
        if not text:
            pending_empty += 1
            continue
        cells.extend([""] * min(pending_empty, max_gap))
        pending_empty = 0
        cells.append(text)
    return tuple(cells)


def read_xlsx(filename: str, data: bytes, limits: DocumentLimits, budget: Budget) -> DocumentContent:
    """openpyxl read-only; a formula never computed by a spreadsheet program reads as an empty cell."""
    import openpyxl  # deferred: only loaded when a workbook arrives

    content = DocumentContent(filename=filename, kind="xlsx")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except DocumentError:
        raise
    except Exception as exc:  # openpyxl raises KeyError, ValueError, TypeError... on damaged parts
        raise DocumentError(
            filename, "le classeur XLSX est endommagé : enregistrez-le à nouveau et renvoyez-le"
        ) from exc
    filled = 0
    try:
        for worksheet in workbook.worksheets:
            worksheet.reset_dimensions()  # a declared A1:XFD1048576 would otherwise pad every row
            for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
                if number % 200 == 0:
                    budget.check()
                if not row:
                    continue
                cells = _compact(row, limits.max_columns)
                filled += sum(1 for c in cells if c)
                if filled > limits.max_cells:
                    raise _too_many_cells(filename, limits.max_cells)
                content.blocks.extend(row_blocks(cells, sheet_place(worksheet.title, number)))
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError(
            filename, "le classeur XLSX est endommagé : enregistrez-le à nouveau et renvoyez-le"
        ) from exc
    finally:
        workbook.close()
    return content
