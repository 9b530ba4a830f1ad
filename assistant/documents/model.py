"""Records shared by the document readers and the answer extractor."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    """One unit of text in reading order: a paragraph, or a table row (``cells`` set)."""

    text: str
    cells: tuple[str, ...] | None = None
    place: str = ""  # human-readable location, e.g. "page 3", "feuille Volet 2, ligne 7", "tableau 1"


@dataclass
class DocumentContent:
    """The readable content of one document or body."""

    filename: str
    kind: str  # odt, docx, pdf, ods, xlsx, csv, txt, md, html
    blocks: list[Block] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # fillable form fields (PDF), name -> value

    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


class DocumentError(Exception):
    """A document that cannot be read; ``reason`` is French text shown to the sender and to staff."""

    def __init__(self, filename: str, reason: str) -> None:
        super().__init__(f"{filename}: {reason}")
        self.filename = filename
        self.reason = reason
