"""DOCX via python-docx: body paragraphs and tables in reading order, with Word's automatic numbering.

python-docx's ``iter_inner_content()`` keeps paragraphs and tables in order but skips content controls
(``w:sdt``, what form-like templates use for answer zones) and ``Paragraph.text`` skips inline controls,
so the body is walked here on python-docx's own element tree. Automatic list numbers ("1.1", "2.3") are
not in the text at all: they are rendered from numbering.xml so question numbers survive.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from assistant.documents.limits import Budget
from assistant.documents.model import Block, DocumentContent, DocumentError
from assistant.documents.odf import row_blocks

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

_SKIPPED_INLINE = {W + "pPr", W + "rPr", W + "del", W + "moveFrom", MC + "Fallback", W + "instrText"}
_TRUE = {None, "1", "true", "on"}


def _val(elem: Any, tag: str) -> str | None:
    child = elem.find(tag) if elem is not None else None
    return None if child is None else child.get(W + "val")


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    style: str | None = None


@dataclass
class Numbering:
    """Renders Word's automatic list numbers (a simplified model: one counter set per abstract list)."""

    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # numId -> abstract, overrides
    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    style_num: dict[str, tuple[str | None, int | None, str | None]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    restarted: set[str] = field(default_factory=set)

    @classmethod
    def from_document(cls, document: Any) -> Numbering:
        numbering = cls()
        try:
            root = document.part.numbering_part.element
        # python-docx raises NotImplementedError for a document without a numbering part (no lists).
        except (NotImplementedError, KeyError, AttributeError):
            root = None
        if root is not None:
            for abstract in root.iter(W + "abstractNum"):
                levels: dict[int, _Level] = {}
                for lvl in abstract.findall(W + "lvl"):
                    try:
                        ilvl = int(lvl.get(W + "ilvl", "0"))
                        start = int(_val(lvl, W + "start") or 1)
                    except ValueError:
                        continue
                    levels[ilvl] = _Level(
                        start=start,
                        fmt=_val(lvl, W + "numFmt") or "decimal",
                        text=_val(lvl, W + "lvlText") or "",
                        style=_val(lvl, W + "pStyle"),
                    )
                numbering.abstract[abstract.get(W + "abstractNumId", "")] = levels
            for num in root.iter(W + "num"):
                overrides: dict[int, int] = {}
                for override in num.findall(W + "lvlOverride"):
                    start = _val(override, W + "startOverride")
                    if start is not None and start.isdigit():
                        overrides[int(override.get(W + "ilvl", "0"))] = int(start)
                numbering.nums[num.get(W + "numId", "")] = (_val(num, W + "abstractNumId") or "", overrides)
        try:
            styles = document.styles.element
        # ... and for a document without a styles part: both are optional in a .docx package.
        except (NotImplementedError, KeyError, AttributeError):
            styles = None
        if styles is not None:
            for style in styles.iter(W + "style"):
                ppr = style.find(W + "pPr")
                numpr = ppr.find(W + "numPr") if ppr is not None else None
                ilvl = _val(numpr, W + "ilvl")
                numbering.style_num[style.get(W + "styleId", "")] = (
                    _val(numpr, W + "numId"),
                    int(ilvl) if ilvl and ilvl.isdigit() else None,
                    _val(style, W + "basedOn"),
                )
        return numbering

    def _from_style(self, style_id: str | None) -> tuple[str | None, int | None]:
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            num_id, ilvl, based_on = self.style_num.get(style_id, (None, None, None))
            if num_id is not None:
                return num_id, ilvl
            style_id = based_on
        return None, None

    def label(self, paragraph: Any) -> str:
        """The rendered number ("2.3", "b)", "-") of a paragraph, or "" when it is not in a list."""
        ppr = paragraph.find(W + "pPr")
        numpr = ppr.find(W + "numPr") if ppr is not None else None
        style_id = _val(ppr, W + "pStyle")
        num_id = _val(numpr, W + "numId")
        ilvl_text = _val(numpr, W + "ilvl")
        ilvl = int(ilvl_text) if ilvl_text and ilvl_text.isdigit() else None
        if num_id is None:
            num_id, style_ilvl = self._from_style(style_id)
            ilvl = ilvl if ilvl is not None else style_ilvl
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        if ilvl is None:
            ilvl = next((i for i, lv in levels.items() if style_id and lv.style == style_id), 0)
        level = levels.get(ilvl)
        if level is None or ilvl > 8:
            return ""
        counters = self.counters.setdefault(abstract_id, {})
        if overrides and num_id not in self.restarted:
            self.restarted.add(num_id)
            for lvl_index, start in overrides.items():
                counters[lvl_index] = start - 1
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if level.fmt == "bullet":
            return "-"
        if level.fmt == "none":
            return level.text if "%" not in level.text else ""
        text = level.text
        for index in range(ilvl + 1):
            lv = levels.get(index, _Level())
            value = counters.get(index, lv.start)
            text = text.replace(f"%{index + 1}", _format_number(value, lv.fmt))
        return text


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = ""
        n = max(value, 1)
        while n:
            n, rem = divmod(n - 1, 26)
            letters = chr(ord("a") + rem) + letters
        return letters if fmt == "lowerLetter" else letters.upper()
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.lower() if fmt == "lowerRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _roman(value: int) -> str:
    pairs = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
             (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))  # fmt: skip
    out = ""
    for amount, letters in pairs:
        while value >= amount:
            out += letters
            value -= amount
    return out or "0"


def paragraph_text(paragraph: Any) -> str:
    """All visible text of a w:p: runs, hyperlinks, inline content controls, fields, text boxes."""
    out: list[str] = []
    _inline(paragraph, out)
    return "\n".join(line.strip() for line in "".join(out).split("\n")).strip("\n")


def _inline(elem: Any, out: list[str]) -> None:
    for child in elem:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED_INLINE:
            continue
        if tag == W + "t":
            out.append(child.text or "")
        elif tag in (W + "tab", W + "ptab"):
            out.append("\t")
        elif tag in (W + "br", W + "cr"):
            out.append("\n")
        elif tag == W + "noBreakHyphen":
            out.append("-")
        elif tag == W + "p":  # a paragraph inside a text box
            out.append("\n")
            _inline(child, out)
            out.append("\n")
        elif tag == W + "fldChar":
            box = child.find(f"{W}ffData/{W}checkBox")
            if box is not None:
                checked = box.find(W + "checked")
                default = _val(box, W + "default")
                on = checked.get(W + "val") in _TRUE if checked is not None else default in ("1", "true")
                out.append("☒" if on else "☐")
        else:
            _inline(child, out)


@dataclass
class _Walker:
    budget: Budget
    numbering: Numbering
    blocks: list[Block] = field(default_factory=list)
    paragraphs: int = 0
    tables: int = 0
    steps: int = 0

    def walk(self, container: Any) -> None:
        for child in container:
            self.steps += 1
            if self.steps % 500 == 0:
                self.budget.check()
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == W + "p":
                self.paragraph(child)
            elif tag == W + "tbl":
                self.table(child)
            elif tag == W + "sdt":
                gallery = child.find(f"{W}sdtPr/{W}docPartObj/{W}docPartGallery")
                if gallery is not None and "Contents" in (gallery.get(W + "val") or ""):
                    continue  # a table of contents repeats the question numbers without answers
                content = child.find(W + "sdtContent")
                if content is not None:
                    self.walk(content)
            elif tag in (W + "customXml", W + "ins", W + "moveTo", MC + "AlternateContent", MC + "Choice"):
                self.walk(child)

    def paragraph(self, p: Any) -> None:
        text = paragraph_text(p)
        label = self.numbering.label(p)
        if not text.strip():
            return
        if label:
            text = f"{label} {text}"
        self.paragraphs += 1
        for line in text.split("\n"):
            if line.strip():
                self.blocks.append(Block(text=line.strip(), place=f"paragraphe {self.paragraphs}"))

    def table(self, tbl: Any) -> None:
        self.tables += 1
        number = self.tables
        for index, tr in enumerate(_children(tbl, W + "tr"), start=1):
            cells = []
            for tc in _children(tr, W + "tc"):
                inner = _Walker(self.budget, self.numbering)
                inner.walk(tc)
                self.steps += inner.steps
                cells.append("\n".join(b.text for b in inner.blocks))
            while cells and not cells[-1]:
                cells.pop()
            self.blocks.extend(row_blocks(tuple(cells), f"tableau {number}, ligne {index}"))


def _children(elem: Any, tag: str) -> list[Any]:
    """Direct children with ``tag``, looking through content controls and custom XML wrappers."""
    found = []
    for child in elem:
        if child.tag == tag:
            found.append(child)
        elif child.tag in (W + "sdt", W + "customXml"):
            content = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
            if content is not None:
                found.extend(_children(content, tag))
    return found


def read_docx(filename: str, data: bytes, budget: Budget) -> DocumentContent:
    """Read a DOCX whose zip already passed the bomb checks (python-docx loads every part)."""
    import docx  # deferred: pulls lxml

    try:
        document = docx.Document(io.BytesIO(data))
    except ValueError as exc:
        if "not a Word file" in str(exc):
            raise DocumentError(
                filename,
                "le fichier n'est pas un document Word ordinaire (modèle ou document à macros) : "
                "enregistrez-le au format .docx ou .odt",
            ) from exc
        raise DocumentError(filename, "le document DOCX est endommagé : enregistrez-le à nouveau") from exc
    except Exception as exc:  # PackageNotFoundError, KeyError, lxml XMLSyntaxError on damaged parts
        raise DocumentError(filename, "le document DOCX est endommagé : enregistrez-le à nouveau") from exc
    budget.check()
    walker = _Walker(budget, Numbering.from_document(document))
    walker.walk(document.element.body)
    return DocumentContent(filename=filename, kind="docx", blocks=walker.blocks)
