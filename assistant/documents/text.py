"""Plain text, Markdown and CSV, plus the charset fallback chain shared with the mail parser."""

from __future__ import annotations

import codecs
import csv
import io
import re

from assistant.documents.limits import Budget
from assistant.documents.model import Block, DocumentContent, DocumentError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: same first two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Charsets that mail clients and old editors use as labels for what is really Windows-1252.
_WESTERN_8BIT = {"latin_1", "iso8859_1", "iso8859_15", "cp1252", "ascii"}
_C1_CONTROLS = re.compile("[\x80-\x9f]")


def _codec_name(label: str | None) -> str | None:
    """The Python codec for a declared charset, or None when unknown or not a text encoding."""
    if not label:
        return None
    try:
        info = codecs.lookup(label.strip().strip("\"'"))
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):  # rot13, base64, zip...
        return None
    return info.name.replace("-", "_")


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError, ValueError):
        return None


def decode_text(data: bytes, declared_charset: str | None = None) -> str:
    """Decode bytes of unknown reliability: BOM, declared charset, UTF-8, Windows-1252, Latin-1.

    Never raises. A Latin-1 or ASCII label is read as Windows-1252 (what senders really use, so "œ" and
    "’" don't become C1 control characters), and valid non-ASCII UTF-8 beats such a label because a
    mislabelled UTF-8 message is far more common than Latin-1 text that happens to be valid UTF-8.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _try(data[len(bom) :], codec)
            if text is not None:
                return text
    codec = _codec_name(declared_charset)
    if codec in _WESTERN_8BIT:
        if not data.isascii():
            text = _try(data, "utf_8")
            if text is not None:
                return text
        codec = "cp1252"
    candidates = [c for c in (codec, "utf_8", "cp1252") if c]
    for candidate in candidates:
        text = _try(data, candidate)
        if text is not None:
            return text.removeprefix("\ufeff")
    # cp1252 leaves five bytes undefined; Latin-1 maps them to C1 controls, which mean nothing here.
    return _C1_CONTROLS.sub("", data.decode("latin_1"))


def split_lines(text: str) -> list[str]:
    """Lines of a decoded text, whatever the line endings, right-stripped."""
    return [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def read_txt(filename: str, data: bytes, charset: str | None, budget: Budget) -> DocumentContent:
    """One block per non-empty line: answers typed under their question stay on their own lines."""
    content = DocumentContent(filename=filename, kind="txt")
    for number, line in enumerate(split_lines(decode_text(data, charset)), start=1):
        if number % 1000 == 0:
            budget.check()
        if line.strip():
            content.blocks.append(Block(text=line.strip(), place=f"ligne {number}"))
    return content


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+\s*)?$")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_MD_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _md_inline(text: str) -> str:
    return _MD_EMPHASIS.sub(r"\2", text).strip()


def read_md(filename: str, data: bytes, charset: str | None, budget: Budget) -> DocumentContent:
    """Lines like TXT, without heading marks and bold; pipe tables become rows with cells."""
    content = DocumentContent(filename=filename, kind="md")
    table_number = 0
    table_row = 0
    in_table = False
    for number, raw in enumerate(split_lines(decode_text(data, charset)), start=1):
        if number % 1000 == 0:
            budget.check()
        line = raw.strip()
        if line.startswith("|") and line.count("|") >= 2:
            if _MD_TABLE_SEPARATOR.match(line):
                continue
            if not in_table:
                in_table, table_number, table_row = True, table_number + 1, 0
            table_row += 1
            cells = tuple(_md_inline(c) for c in line.strip("|").split("|"))
            cells = _trim_cells(cells)
            if any(cells):
                content.blocks.append(
                    Block(
                        text=" | ".join(cells),
                        cells=cells,
                        place=f"tableau {table_number}, ligne {table_row}",
                    )
                )
            continue
        in_table = False
        if not line:
            continue
        heading = _MD_HEADING.match(line)
        text = _md_inline(heading.group(1) if heading else line)
        if text:
            content.blocks.append(Block(text=text, place=f"ligne {number}"))
    return content


def _trim_cells(cells: tuple[str, ...]) -> tuple[str, ...]:
    """Drop trailing empty cells, keep inner ones so columns stay aligned."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def sniff_delimiter(sample: str) -> str:
    """The CSV delimiter among , ; and tab: csv.Sniffer first, then the most frequent one."""
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        pass
    lines = [line for line in sample.splitlines()[:20] if line.strip()]
    counts = {d: sum(line.count(d) for line in lines) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(filename: str, data: bytes, charset: str | None, budget: Budget, max_cells: int) -> DocumentContent:
    """One block per non-empty row, cells joined by " | "."""
    text = decode_text(data, charset)
    content = DocumentContent(filename=filename, kind="csv")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text[:20_000]))
    cells_seen = 0
    try:
        for number, row in enumerate(reader, start=1):
            if number % 500 == 0:
                budget.check()
            cells = _trim_cells(tuple(" ".join(c.split()) if "\n" not in c else c.strip() for c in row))
            if not any(cells):
                continue
            cells_seen += sum(1 for c in cells if c)
            if cells_seen > max_cells:
                raise DocumentError(
                    filename,
                    f"le fichier CSV dépasse {max_cells} cellules remplies : envoyez seulement le questionnaire",
                )
            content.blocks.append(Block(text=" | ".join(cells), cells=cells, place=f"ligne {number}"))
    except csv.Error as exc:
        raise DocumentError(filename, f"le fichier CSV est mal formé ({exc})") from exc
    return content
