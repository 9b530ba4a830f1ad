"""Resource limits for reading untrusted documents, and the time budget that enforces them."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from assistant.documents.model import DocumentError

ACCEPTED_FORMATS = "ODT, DOCX, PDF (texte ou formulaire à remplir), ODS, XLSX, CSV, TXT, Markdown ou HTML"

MB = 1024 * 1024


@dataclass(frozen=True)
class DocumentLimits:
    """Bounds on what one attachment may cost; anything beyond is refused with a reason, never read.

    Defaults are far above a real questionnaire (a few pages, a few hundred cells) and far below what
    would slow down or exhaust the assistant.
    """

    max_input_bytes: int = 20 * MB
    max_uncompressed_bytes: int = 100 * MB  # sum of the declared sizes of every zip entry
    max_compression_ratio: float = 100.0  # per entry, for entries larger than ratio_floor_bytes
    ratio_floor_bytes: int = 1 * MB  # small entries (styles, tiny XML) can compress very well legitimately
    max_zip_entries: int = 5000
    max_pdf_pages: int = 200
    max_cells: int = 200_000  # non-empty spreadsheet / CSV cells
    max_columns: int = 1024  # empty columns kept between two filled ones (ODS declares up to 16,384)
    max_row_repeat: int = 100  # copies kept of a non-empty ODS row declared repeated
    max_seconds: float = 30.0


@dataclass
class Budget:
    """Wall-clock budget for one document, checked between pages, rows and elements."""

    filename: str
    limits: DocumentLimits
    started: float = field(default_factory=time.monotonic)

    def check(self) -> None:
        if time.monotonic() - self.started > self.limits.max_seconds:
            raise DocumentError(
                self.filename,
                "la lecture du document a dépassé le temps autorisé "
                f"({self.limits.max_seconds:g} s) : envoyez un document plus court, "
                "limité au questionnaire",
            )


def format_size(n: int) -> str:
    """A French human size, for reasons shown to senders ("2,5 Mo")."""
    if n >= MB:
        return f"{n / MB:.1f} Mo".replace(".", ",")
    if n >= 1024:
        return f"{n / 1024:.0f} Ko"
    return f"{n} octets"
