"""OpenDocument text (ODT) with zipfile + defusedxml: ~60x faster than odfpy, and keeps body order.

The spreadsheet reader (sheets.py) shares the XML parsing and paragraph helpers defined here.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring, iterparse

from assistant.documents.limits import Budget, DocumentLimits
from assistant.documents.model import Block, DocumentContent, DocumentError
from assistant.documents.zipguard import read_member

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
MANIFEST = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"

ODT_MIMETYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.text-template",
}
ODS_MIMETYPES = {
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet-template",
}

# Elements whose content is not part of the reading text: notes, comments, change tracking, indexes
# (a table of contents repeats every question number without its answer).
_SKIPPED = {
    TEXT + "note",
    OFFICE + "annotation",
    OFFICE + "annotation-end",
    TEXT + "tracked-changes",
    TEXT + "table-of-content",
    TEXT + "illustration-index",
    TEXT + "table-index",
    TEXT + "object-index",
    TEXT + "user-index",
    TEXT + "alphabetical-index",
    TEXT + "bibliography",
    TEXT + "sequence-decls",
    TEXT + "variable-decls",
    TEXT + "user-field-decls",
    OFFICE + "forms",
    TABLE + "table-columns",
    TABLE + "table-column",
    TABLE + "table-header-columns",
}
_SPACES = re.compile(r"[ \t\r\n]+")
MAX_EXPLICIT_SPACES = 64  # text:s c="1000000" must not allocate a megabyte of spaces


@contextlib.contextmanager
def xml_errors(filename: str) -> Iterator[None]:
    """Turn XML parser failures into a DocumentError the sender can act on."""
    try:
        yield
    except DefusedXmlException as exc:
        raise DocumentError(
            filename, "le document contient des constructions XML interdites (entités) et a été refusé"
        ) from exc
    except (ParseError, ValueError) as exc:
        raise DocumentError(
            filename, "le document est endommagé (XML illisible) : enregistrez-le à nouveau et renvoyez-le"
        ) from exc


def parse_xml(filename: str, data: bytes) -> Element:
    """Parse with defusedxml (no entity expansion, no external resources)."""
    with xml_errors(filename):
        return fromstring(data)


def odf_mimetype(archive: zipfile.ZipFile) -> str | None:
    """The ``mimetype`` entry of an ODF package (first, stored, tiny), or None."""
    try:
        info = archive.getinfo("mimetype")
    except KeyError:
        return None
    if info.file_size > 200:
        return None
    try:
        return archive.read(info).decode("ascii", "replace").strip()
    except Exception:  # a broken entry means "not sniffable", the reader then reports the damage
        return None


def check_not_encrypted(filename: str, archive: zipfile.ZipFile, limits: DocumentLimits) -> None:
    """ODF encryption is declared per file in META-INF/manifest.xml; content.xml is then ciphertext."""
    manifest = read_member(filename, archive, "META-INF/manifest.xml", limits, required=False)
    if manifest is None:
        return
    root = parse_xml(filename, manifest)
    if root.find(f".//{MANIFEST}encryption-data") is not None:
        raise DocumentError(
            filename, "le document est protégé par un mot de passe : enregistrez-le sans mot de passe et renvoyez-le"
        )


def inline_text(elem: Element) -> str:
    """The text of a paragraph or heading as displayed: ODF collapses white space, text:s adds spaces."""
    out: list[str] = []
    _inline(elem, out)
    lines = "".join(out).split("\n")
    return "\n".join(line.strip() for line in lines).strip("\n")


def _collapse(text: str) -> str:
    """ODF white space rule: runs of space, tab and newline in the XML read as one space."""
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:
        return _SPACES.sub(" ", text)
    return text


def _inline(elem: Element, out: list[str]) -> None:
    if elem.text:
        out.append(_collapse(elem.text))
    for child in elem:
        tag = child.tag
        if tag == TEXT + "s":
            try:
                count = int(child.get(TEXT + "c", "1"))
            except ValueError:
                count = 1
            out.append(" " * max(1, min(count, MAX_EXPLICIT_SPACES)))
        elif tag == TEXT + "tab":
            out.append("\t")
        elif tag == TEXT + "line-break":
            out.append("\n")
        elif tag in _SKIPPED:
            pass
        elif tag in (TEXT + "p", TEXT + "h"):  # paragraphs inside a text box or frame
            out.append("\n")
            _inline(child, out)
            out.append("\n")
        else:
            _inline(child, out)
        if child.tail:
            out.append(_collapse(child.tail))


@dataclass
class _Walker:
    """Turns an office:text body into blocks, numbering paragraphs and tables as a reader counts them."""

    filename: str
    budget: Budget
    limits: DocumentLimits
    blocks: list[Block] = field(default_factory=list)
    paragraphs: int = 0
    tables: int = 0
    steps: int = 0

    def walk(self, container: Element) -> None:
        for child in container:
            self.steps += 1
            if self.steps % 500 == 0:
                self.budget.check()
            tag = child.tag
            if tag in (TEXT + "p", TEXT + "h"):
                lines = [line.strip() for line in inline_text(child).split("\n") if line.strip()]
                if lines:
                    self.paragraphs += 1
                    place = f"paragraphe {self.paragraphs}"
                    self.blocks.extend(Block(text=line, place=place) for line in lines)
            elif tag == TABLE + "table":
                self.table(child)
            elif tag in _SKIPPED:
                continue
            else:  # lists, list items, sections, numbered paragraphs, frames...
                self.walk(child)

    def table(self, table: Element) -> None:
        self.tables += 1
        number = self.tables
        for index, cells in enumerate(self.rows(table), start=1):
            self.blocks.extend(row_blocks(cells, f"tableau {number}, ligne {index}"))

    def rows(self, table: Element) -> Iterator[tuple[str, ...]]:
        for child in table:
            if child.tag == TABLE + "table-row":
                self.steps += 1
                if self.steps % 200 == 0:
                    self.budget.check()
                cells = self.cells(child)
                repeat = min(_int(child.get(TABLE + "number-rows-repeated")), self.limits.max_row_repeat)
                for _ in range(repeat if any(cells) else 1):
                    yield cells
            elif child.tag in (TABLE + "table-header-rows", TABLE + "table-rows", TABLE + "table-row-group"):
                yield from self.rows(child)

    def cells(self, row: Element) -> tuple[str, ...]:
        cells: list[str] = []
        pending_empty = 0
        for cell in row:
            if cell.tag not in (TABLE + "table-cell", TABLE + "covered-table-cell"):
                continue
            text = self.cell_text(cell)
            repeat = _int(cell.get(TABLE + "number-columns-repeated"))
            if not text:
                pending_empty += repeat  # never materialised unless a filled cell follows
                continue
            cells.extend([""] * min(pending_empty, self.limits.max_columns))
            pending_empty = 0
            cells.extend([text] * min(repeat, self.limits.max_columns))
        return tuple(cells)

    def cell_text(self, cell: Element) -> str:
        inner = _Walker(self.filename, self.budget, self.limits)
        inner.walk(cell)
        self.steps += inner.steps
        return "\n".join(b.text for b in inner.blocks)


def _int(value: str | None) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1


def row_blocks(cells: tuple[str, ...], place: str) -> list[Block]:
    """A table row as blocks: a row block with cells, or plain paragraphs when only one cell is filled.

    Layout tables (one big cell holding the whole text) then read like the paragraphs they are.
    """
    filled = [c for c in cells if c.strip()]
    if not filled:
        return []
    if len(filled) == 1:
        return [Block(text=line.strip(), place=place) for line in filled[0].split("\n") if line.strip()]
    return [Block(text=" | ".join(cells), cells=cells, place=place)]


def iter_children(filename: str, data: bytes, parent_tag: str) -> Iterator[Element]:
    """Each complete child of the first ``parent_tag`` element, freed once the caller has used it.

    Streaming keeps memory to one top-level paragraph or table instead of the whole content.xml
    (an ElementTree costs about ten times the XML it holds).
    """
    depth = 0
    parent: Element | None = None
    parent_depth = -1
    found = False
    with xml_errors(filename):
        for event, elem in iterparse(io.BytesIO(data), events=("start", "end")):
            if event == "start":
                depth += 1
                if parent is None and not found and elem.tag == parent_tag:
                    parent, parent_depth, found = elem, depth, True
                continue
            if parent is not None and depth == parent_depth + 1:
                yield elem
                elem.clear()
                parent.remove(elem)
            elif parent is not None and depth == parent_depth:
                parent = None
            depth -= 1
    if not found:
        raise DocumentError(
            filename, "le document ODT est endommagé (corps du texte absent) : enregistrez-le à nouveau"
        )


def read_odt(filename: str, archive: zipfile.ZipFile, limits: DocumentLimits, budget: Budget) -> DocumentContent:
    check_not_encrypted(filename, archive, limits)
    data = read_member(filename, archive, "content.xml", limits) or b""
    budget.check()
    walker = _Walker(filename, budget, limits)
    holder = Element(OFFICE + "text")
    for child in iter_children(filename, data, OFFICE + "text"):
        holder.append(child)
        walker.walk(holder)
        holder.remove(child)
    return DocumentContent(filename=filename, kind="odt", blocks=walker.blocks)
