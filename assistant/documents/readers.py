"""Entry point: read any attachment into blocks, or refuse it with a French reason the sender can act on.

The format is decided by the bytes first (magic numbers, the zip's ``mimetype`` entry or parts), then by
the file name's extension, then by the declared content type: senders rename files and mail clients
mislabel them. Every failure, whatever the library underneath raises, becomes a ``DocumentError``.
"""

from __future__ import annotations

import os
import zipfile
from email.message import Message

from assistant.documents.html import html_to_blocks, read_html
from assistant.documents.limits import ACCEPTED_FORMATS, Budget, DocumentLimits, format_size
from assistant.documents.model import Block, DocumentContent, DocumentError
from assistant.documents.odf import ODS_MIMETYPES, ODT_MIMETYPES, odf_mimetype, read_odt
from assistant.documents.ooxml import read_docx
from assistant.documents.pdf import read_pdf
from assistant.documents.sheets import read_ods, read_xlsx
from assistant.documents.text import decode_text, read_csv, read_md, read_txt
from assistant.documents.zipguard import open_zip

__all__ = [
    "ACCEPTED_FORMATS",
    "Block",
    "DocumentContent",
    "DocumentError",
    "DocumentLimits",
    "decode_text",
    "detect_kind",
    "html_to_blocks",
    "read_document",
]

KINDS = ("odt", "docx", "pdf", "ods", "xlsx", "csv", "txt", "md", "html")
_ZIP_KINDS = {"odt", "docx", "ods", "xlsx"}

EXTENSIONS = {
    ".odt": "odt", ".ott": "odt", ".docx": "docx", ".pdf": "pdf", ".ods": "ods", ".ots": "ods",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".tsv": "csv", ".txt": "txt", ".text": "txt",
    ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".xhtml": "html",
}  # fmt: skip
CONTENT_TYPES = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/csv": "csv",
    "text/tab-separated-values": "csv",
    "text/plain": "txt",
    "text/markdown": "md",
    "text/x-markdown": "md",
    "text/html": "html",
    "application/xhtml+xml": "html",
}

_LEGACY_WORD = "c'est un document Word 97-2003 (.doc), format non pris en charge"
_LEGACY_EXCEL = "c'est un classeur Excel 97-2003 (.xls), format non pris en charge"
_UNSUPPORTED_EXTENSIONS = {
    ".doc": _LEGACY_WORD,
    ".dot": _LEGACY_WORD,
    ".xls": _LEGACY_EXCEL,
    ".ppt": "une présentation n'est pas un format accepté",
    ".pptx": "une présentation n'est pas un format accepté",
    ".odp": "une présentation n'est pas un format accepté",
    ".pages": "le format Apple Pages n'est pas pris en charge",
    ".numbers": "le format Apple Numbers n'est pas pris en charge",
    ".key": "le format Apple Keynote n'est pas pris en charge",
    ".rtf": "le format RTF n'est pas pris en charge",
    ".wpd": "le format WordPerfect n'est pas pris en charge",
    ".zip": "une archive n'est pas acceptée : joignez le questionnaire lui-même",
    ".rar": "une archive n'est pas acceptée : joignez le questionnaire lui-même",
    ".7z": "une archive n'est pas acceptée : joignez le questionnaire lui-même",
    ".eml": "un message transféré en pièce jointe n'est pas lu : joignez le questionnaire lui-même",
    ".msg": "un message Outlook en pièce jointe n'est pas lu : joignez le questionnaire lui-même",
}
_IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".heic", ".heif", ".webp"}
_IMAGE = "c'est une image (photo ou scan) : envoyez le fichier texte ou tapez les réponses"

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_EXTENSIONS = {".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".dotx"}


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _unsupported(filename: str, why: str) -> DocumentError:
    return DocumentError(filename, f"{why} ; formats acceptés : {ACCEPTED_FORMATS}")


def _parse_content_type(content_type: str | None) -> tuple[str | None, str | None]:
    """(media type, charset) of a Content-Type header value."""
    if not content_type:
        return None, None
    message = Message()
    message["Content-Type"] = content_type
    charset = message.get_param("charset")
    return message.get_content_type().lower(), charset if isinstance(charset, str) else None


def _sniff_binary(data: bytes) -> str | None:
    """A kind from magic bytes: pdf, zip, cfb, image, rtf, archive; None for text or unknown."""
    head = data[:16]
    if head.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(_CFB_MAGIC):
        return "cfb"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")) or (
        head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    ):
        return "image"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"heif"):
        return "image"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")):
        return "archive"
    return None


def _looks_like_html(data: bytes) -> bool:
    head = decode_text(data[:1024]).lstrip("\ufeff \t\r\n").lower()
    return head.startswith(("<!doctype html", "<html")) or (head.startswith("<?xml") and "<html" in head)


def _zip_kind(filename: str, archive: zipfile.ZipFile, extension: str) -> str:
    mimetype = odf_mimetype(archive)
    if mimetype in ODT_MIMETYPES:
        return "odt"
    if mimetype in ODS_MIMETYPES:
        return "ods"
    if mimetype and mimetype.startswith("application/vnd.oasis.opendocument"):
        raise _unsupported(filename, "ce type de document OpenDocument (présentation, dessin) n'est pas accepté")
    names = set(archive.namelist())
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if any(n.startswith("ppt/") for n in names):
            raise _unsupported(filename, "une présentation n'est pas un format accepté")
    if "content.xml" in names and extension in (".odt", ".ods", ".ott", ".ots"):
        return EXTENSIONS[extension]  # ODF without its mimetype entry: trust the name
    if any(n.startswith("Index/") and n.endswith(".iwa") for n in names):
        raise _unsupported(
            filename, "le format Apple (Pages, Numbers) n'est pas pris en charge : exportez en PDF ou DOCX"
        )
    if extension in _ZIP_KINDS or extension in (".ott", ".ots"):
        raise DocumentError(
            filename, "le document est endommagé (parties internes absentes) : enregistrez-le à nouveau"
        )
    raise _unsupported(filename, "une archive ZIP n'est pas acceptée : joignez le questionnaire lui-même")


def _cfb_error(filename: str, data: bytes, extension: str, media_type: str | None) -> DocumentError:
    """An OLE container is either an encrypted OOXML file or a legacy Office 97-2003 document."""
    if (
        _utf16("EncryptedPackage") in data
        or _utf16("EncryptionInfo") in data
        or extension in _OOXML_EXTENSIONS
        or (media_type or "").startswith("application/vnd.openxmlformats")
    ):
        return DocumentError(
            filename,
            "le document est protégé par un mot de passe : enregistrez-le sans mot de passe et renvoyez-le",
        )
    if extension == ".xls" or _utf16("Workbook") in data:
        return _unsupported(filename, _LEGACY_EXCEL + " : enregistrez-le en .ods ou .xlsx")
    if extension in (".doc", ".dot") or _utf16("WordDocument") in data:
        return _unsupported(filename, _LEGACY_WORD + " : enregistrez-le en .odt ou .docx")
    return _unsupported(filename, "c'est un ancien format Microsoft Office, non pris en charge")


def detect_kind(filename: str, content_type: str | None, data: bytes) -> str:
    """The reader to use (one of KINDS), or a DocumentError saying why the file is not accepted."""
    extension = os.path.splitext(filename or "")[1].lower()
    media_type, _ = _parse_content_type(content_type)
    ext_kind = EXTENSIONS.get(extension)
    sniffed = _sniff_binary(data) if ext_kind not in ("txt", "md", "csv", "html") else None
    if sniffed in ("pdf", "zip"):
        return sniffed
    if sniffed == "cfb":
        raise _cfb_error(filename, data, extension, media_type)
    if sniffed == "image":
        raise _unsupported(filename, _IMAGE)
    if sniffed == "rtf":
        raise _unsupported(filename, "le format RTF n'est pas pris en charge")
    if sniffed == "archive":
        raise _unsupported(filename, "une archive compressée n'est pas acceptée : joignez le questionnaire lui-même")
    kind = ext_kind
    if kind is None and extension in _UNSUPPORTED_EXTENSIONS:
        raise _unsupported(filename, _UNSUPPORTED_EXTENSIONS[extension])
    if kind is None and extension in _IMAGE_EXTENSIONS:
        raise _unsupported(filename, _IMAGE)
    if kind is None and media_type:
        kind = CONTENT_TYPES.get(media_type)
        if kind is None and media_type.startswith("image/"):
            raise _unsupported(filename, _IMAGE)
    if kind in _ZIP_KINDS or kind == "pdf":
        label = "PDF" if kind == "pdf" else kind.upper()
        raise DocumentError(
            filename,
            f"le fichier est endommagé : ce n'est pas un document {label} valide ; "
            "enregistrez-le à nouveau et renvoyez-le",
        )
    if kind is None:
        if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise _unsupported(filename, "format de fichier inconnu")
        kind = "html" if _looks_like_html(data) else "txt"
    return kind


def read_document(
    filename: str, content_type: str | None, data: bytes, limits: DocumentLimits | None = None
) -> DocumentContent:
    """Read one attachment; raise DocumentError (French ``reason``) for anything that cannot be read."""
    limits = limits or DocumentLimits()
    filename = filename or "pièce jointe"
    if not data:
        raise DocumentError(filename, "le fichier est vide")
    if len(data) > limits.max_input_bytes:
        raise DocumentError(
            filename,
            f"le fichier pèse {format_size(len(data))}, au-delà de la limite de "
            f"{format_size(limits.max_input_bytes)} : envoyez seulement le questionnaire, sans images",
        )
    budget = Budget(filename, limits)
    try:
        content = _read(filename, content_type, data, limits, budget)
    except DocumentError:
        raise
    except RecursionError as exc:
        raise DocumentError(
            filename,
            "le document est trop profondément imbriqué pour être lu : enregistrez-le à nouveau ou envoyez-le en PDF",
        ) from exc
    except MemoryError as exc:
        raise DocumentError(filename, "le document demande trop de mémoire pour être lu") from exc
    except Exception as exc:  # a library bug or an unforeseen corruption must not crash the intake
        raise DocumentError(
            filename, "le document n'a pas pu être lu (fichier endommagé ?) : enregistrez-le à nouveau et renvoyez-le"
        ) from exc
    if not content.blocks and not any(content.fields.values()):
        raise DocumentError(filename, "le document ne contient aucun texte")
    return content


def _read(
    filename: str, content_type: str | None, data: bytes, limits: DocumentLimits, budget: Budget
) -> DocumentContent:
    kind = detect_kind(filename, content_type, data)
    _, charset = _parse_content_type(content_type)
    extension = os.path.splitext(filename)[1].lower()
    if kind == "zip":
        with open_zip(filename, data, limits) as archive:
            kind = _zip_kind(filename, archive, extension)
            if kind == "odt":
                return read_odt(filename, archive, limits, budget)
            if kind == "ods":
                return read_ods(filename, archive, limits, budget)
        if kind == "docx":
            return read_docx(filename, data, budget)
        return read_xlsx(filename, data, limits, budget)
    if kind == "pdf":
        return read_pdf(filename, data, limits, budget)
    if kind == "csv":
        return read_csv(filename, data, charset, budget, limits.max_cells)
    if kind == "md":
        return read_md(filename, data, charset, budget)
    if kind == "html":
        return read_html(filename, data, charset, budget)
    return read_txt(filename, data, charset, budget)
