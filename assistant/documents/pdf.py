"""PDF with pypdf: page text line by line, and the typed values of a fillable form.

A fillable PDF's values are not in the page text at all (they live in the AcroForm fields), so both are
read. A PDF with pages but no text is a scan: the sender is asked for the text instead.
"""

from __future__ import annotations

import io
from typing import Any

from assistant.documents.limits import Budget, DocumentLimits
from assistant.documents.model import Block, DocumentContent, DocumentError

_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "\u00ad": ""})
_RADIO = 1 << 15
_PUSHBUTTON = 1 << 16

ENCRYPTED = "le PDF est protégé par un mot de passe : envoyez-le sans mot de passe"
SCAN = "le PDF ne contient que des images (scan) : envoyez le fichier texte ou tapez les réponses"


def _corrupt(filename: str) -> DocumentError:
    return DocumentError(filename, "le PDF est endommagé ou incomplet : enregistrez-le à nouveau et renvoyez-le")


def read_pdf(filename: str, data: bytes, limits: DocumentLimits, budget: Budget) -> DocumentContent:
    from pypdf import PdfReader  # deferred: only loaded when a PDF arrives
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as exc:  # PdfReadError, PdfStreamError, ValueError, KeyError... on broken files
        raise _corrupt(filename) from exc
    if encrypted:
        try:  # encrypted with an empty user password: restrictions only, the text is readable
            opened = reader.decrypt("")
        except DependencyError as exc:
            raise DocumentError(
                filename, "le PDF utilise un chiffrement que l'assistant ne sait pas lire : envoyez-le sans protection"
            ) from exc
        except Exception as exc:
            raise DocumentError(filename, ENCRYPTED) from exc
        if not opened:
            raise DocumentError(filename, ENCRYPTED)
    try:
        page_count = len(reader.pages)
    except Exception as exc:
        raise _corrupt(filename) from exc
    if page_count == 0:
        raise DocumentError(filename, "le PDF ne contient aucune page")
    if page_count > limits.max_pdf_pages:
        raise DocumentError(
            filename,
            f"le PDF compte {page_count} pages, au-delà de la limite de {limits.max_pdf_pages} : "
            "envoyez seulement le questionnaire",
        )
    content = DocumentContent(filename=filename, kind="pdf", fields=form_fields(reader))
    failures = 0
    images = False
    for number in range(1, page_count + 1):
        budget.check()
        try:
            page = reader.pages[number - 1]
            text = page.extract_text() or ""
        except Exception:  # one unreadable page must not lose the others
            failures += 1
            continue
        for line in text.translate(_LIGATURES).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            if line.strip():
                content.blocks.append(Block(text=" ".join(line.split()), place=f"page {number}"))
        if not text.strip() and not images:
            images = _has_images(page)
    if content.blocks or any(content.fields.values()):
        return content
    if failures == page_count:
        raise _corrupt(filename)
    if _is_xfa(reader):
        raise DocumentError(
            filename,
            "le PDF est un formulaire XFA que l'assistant ne sait pas lire : "
            "imprimez-le en PDF ou tapez les réponses dans le message",
        )
    if images:
        raise DocumentError(filename, SCAN)
    if content.fields:
        raise DocumentError(filename, "le formulaire PDF a été envoyé sans aucune réponse remplie")
    raise DocumentError(
        filename, "le PDF ne contient aucun texte lisible : envoyez le fichier texte ou tapez les réponses"
    )


def _has_images(page: Any) -> bool:
    """True when the page draws an image XObject (directly or in a form XObject): a scanned page."""
    try:
        pending = [page.get("/Resources")]
        for _ in range(20):
            if not pending:
                return False
            resources = pending.pop()
            resources = resources.get_object() if resources is not None else None
            xobjects = resources.get("/XObject") if resources else None
            if xobjects is None:
                continue
            for ref in xobjects.get_object().values():
                obj = ref.get_object()
                if obj.get("/Subtype") == "/Image":
                    return True
                if obj.get("/Subtype") == "/Form" and obj.get("/Resources") is not None:
                    pending.append(obj.get("/Resources"))
    except Exception:
        return False
    return False


def _is_xfa(reader: Any) -> bool:
    try:
        form = reader.trailer["/Root"].get("/AcroForm")
        return form is not None and "/XFA" in form.get_object()
    except Exception:
        return False


def form_fields(reader: Any) -> dict[str, str]:
    """Typed values of a fillable form, keyed by the tooltip (/TU, usually the question) or the name."""
    try:
        raw = reader.get_fields() or {}
    except Exception:  # a broken AcroForm must not hide the page text
        return {}
    fields: dict[str, str] = {}
    for name, fld in raw.items():
        try:
            value = field_value(fld)
        except Exception:
            continue
        if value is None:
            continue
        tooltip = fld.get("/TU")
        key = " ".join(str(tooltip).split()) if tooltip else ""
        if not key or key in fields:
            key = str(name)
        fields[key] = value
    return fields


def field_value(fld: Any) -> str | None:
    """A field's value as text; None for fields that hold no answer (push buttons, signatures, groups)."""
    kind = fld.get("/FT")
    value = fld.get("/V")
    try:
        flags = int(fld.get("/Ff", 0))
    except (TypeError, ValueError):
        flags = 0
    if kind is None and "/Kids" in fld and value is None:
        return None  # a non-terminal node; pypdf lists its terminal fields too
    if kind == "/Sig" or (kind == "/Btn" and flags & _PUSHBUTTON):
        return None
    if kind == "/Btn":
        radio = bool(flags & _RADIO)
        state = str(value) if value is not None else "/Off"
        if state == "/Off":
            return "" if radio else "Non"
        return state.lstrip("/") if radio else "Oui"
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v).strip() for v in value)
    text = str(value)
    if kind == "/Ch":
        text = text.lstrip("/") if text.startswith("/") else text
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
