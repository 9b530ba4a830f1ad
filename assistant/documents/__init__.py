"""Read the text of candidature documents (ODT, DOCX, PDF, ODS, XLSX, CSV, TXT/MD, HTML)."""

from assistant.documents.model import Block, DocumentContent, DocumentError

__all__ = ["Block", "DocumentContent", "DocumentError"]
