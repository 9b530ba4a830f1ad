"""HTML (attachments and HTML-only mail bodies) to blocks with the stdlib parser.

Block-level tags break blocks; tables become rows with cells. Layout tables, which hold a whole message in
one cell, read as paragraphs (see ``row_blocks``); a table nested in a cell is read as its own table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from assistant.documents.limits import Budget, DocumentLimits
from assistant.documents.model import Block, DocumentContent
from assistant.documents.odf import row_blocks
from assistant.documents.text import decode_text

_BREAKS = {
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "hr", "section", "article", "header", "footer", "main", "nav", "aside",
    "address", "figure", "figcaption", "form", "fieldset", "legend", "caption", "details", "summary",
    "center", "option",
}  # fmt: skip
_DROPPED = {"script", "style", "head", "title", "template", "noscript", "svg", "object", "iframe", "select"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
_SPACES = re.compile(r"[ \t\r\n\f\u200b]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


@dataclass
class _Table:
    number: int
    rows: int = 0
    cells: list[list[str]] | None = None  # current row: cells, each a list of lines
    in_cell: bool = False
    layout: bool = False  # a nested table appeared in this row: read it as paragraphs


@dataclass
class _Collector(HTMLParser):
    budget: Budget
    blocks: list[Block] = field(default_factory=list)
    paragraph: list[str] = field(default_factory=list)
    paragraphs: int = 0
    tables: list[_Table] = field(default_factory=list)
    table_count: int = 0
    dropped: int = 0
    pre: int = 0
    steps: int = 0

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    # -- text sinks ---------------------------------------------------------------------------
    def _cell(self) -> list[str] | None:
        table = self.tables[-1] if self.tables else None
        if table and table.in_cell and table.cells:
            return table.cells[-1]
        return None

    def _write(self, text: str) -> None:
        cell = self._cell()
        target = cell if cell is not None else self.paragraph
        if not target:
            target.append("")
        target[-1] += text

    def _break(self) -> None:
        cell = self._cell()
        if cell is not None:
            if cell and cell[-1].strip():
                cell.append("")
            return
        self.flush()

    def flush(self) -> None:
        """Emit the pending paragraph text (outside tables) as one block per line."""
        text = "".join(self.paragraph)
        self.paragraph = []
        lines = [" ".join(line.split()) for line in text.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            self.paragraphs += 1
            place = self._place() or f"paragraphe {self.paragraphs}"
            self.blocks.extend(Block(text=line, place=place) for line in lines)

    def _place(self) -> str:
        if not self.tables:
            return ""
        table = self.tables[-1]
        return f"tableau {table.number}, ligne {table.rows}"

    # -- parser callbacks ---------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.steps += 1
        if self.steps % 1000 == 0:
            self.budget.check()
        if tag in _DROPPED:
            self.dropped += 1
            return
        if self.dropped:
            return
        if tag == "pre":
            self.pre += 1
        if tag == "table":
            self._open_table()
        elif tag == "tr" and self.tables:
            self._end_row()
            table = self.tables[-1]
            table.rows += 1
            table.cells = []
        elif tag in ("td", "th") and self.tables:
            table = self.tables[-1]
            if table.cells is None:
                table.rows += 1
                table.cells = []
            table.cells.append([""])
            table.in_cell = True
        elif tag in _BREAKS:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropped = max(0, self.dropped - 1)
            return
        if self.dropped:
            return
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag == "table" and self.tables:
            self._end_row()
            self.tables.pop()
        elif tag == "tr" and self.tables:
            self._end_row()
        elif tag in ("td", "th") and self.tables:
            self.tables[-1].in_cell = False
        elif tag in _BREAKS and tag != "br":
            self._break()

    def handle_data(self, data: str) -> None:
        if self.dropped:
            return
        if self.pre:
            self._write(data)
            if "\n" in data:
                self._break()
        else:
            self._write(_SPACES.sub(" ", data))

    # -- tables -------------------------------------------------------------------------------
    def _open_table(self) -> None:
        outer = self.tables[-1] if self.tables else None
        if outer and outer.in_cell and outer.cells:
            # A table inside a cell: what the row holds so far is read first, as paragraphs.
            outer.layout = True
            self._emit_partial(outer)
        else:
            self.flush()
        self.table_count += 1
        self.tables.append(_Table(number=self.table_count))

    def _emit_partial(self, table: _Table) -> None:
        place = f"tableau {table.number}, ligne {table.rows}"
        for cell in table.cells or []:
            for line in cell:
                if line.strip():
                    self.blocks.append(Block(text=" ".join(line.split()), place=place))
            cell[:] = [""]

    def _end_row(self) -> None:
        table = self.tables[-1]
        if table.cells is None:
            return
        if table.layout:
            self._emit_partial(table)
        else:
            cells = tuple("\n".join(" ".join(ln.split()) for ln in cell if ln.strip()) for cell in table.cells)
            end = len(cells)
            while end and not cells[end - 1]:
                end -= 1
            self.blocks.extend(row_blocks(cells[:end], f"tableau {table.number}, ligne {table.rows}"))
        table.cells = None
        table.in_cell = False
        table.layout = False


def html_charset(data: bytes) -> str | None:
    """The charset an HTML document declares in its first bytes (<meta charset=...>)."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def html_to_blocks(text: str, budget: Budget | None = None) -> list[Block]:
    """Blocks of an already decoded HTML text; exported for HTML-only mail bodies."""
    collector = _Collector(budget=budget or Budget("message HTML", DocumentLimits()))
    collector.feed(text)
    collector.close()
    while collector.tables:
        collector._end_row()
        collector.tables.pop()
    collector.flush()
    return collector.blocks


def read_html(filename: str, data: bytes, charset: str | None, budget: Budget) -> DocumentContent:
    text = decode_text(data, charset or html_charset(data))
    return DocumentContent(filename=filename, kind="html", blocks=html_to_blocks(text, budget))
