"""Open ODF / OOXML zips safely: refuse bombs from the central directory before inflating anything.

A 0.33 MB DOCX that inflates to 102 MB cost python-docx 9 s and 2.1 GB; the declared sizes reveal it in
milliseconds. Declared sizes can lie, so members we read ourselves are also inflated with a hard cap
(zipfile itself stops at the declared size and then fails the CRC check).
"""

from __future__ import annotations

import io
import zipfile
import zlib

from assistant.documents.limits import DocumentLimits, format_size
from assistant.documents.model import DocumentError

_CHUNK = 64 * 1024


def _bomb(filename: str, detail: str) -> DocumentError:
    return DocumentError(
        filename,
        f"le document a été refusé car sa décompression serait démesurée ({detail}) : "
        "il est peut-être endommagé ; enregistrez-le à nouveau ou envoyez-le en PDF",
    )


def open_zip(filename: str, data: bytes, limits: DocumentLimits, what: str = "document") -> zipfile.ZipFile:
    """A ZipFile whose central directory passed the entry count, size, ratio and encryption checks."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise DocumentError(
            filename,
            f"le {what} est endommagé (archive illisible) : enregistrez-le à nouveau et renvoyez-le",
        ) from exc
    check_zip(filename, infos, limits)
    return archive


def check_zip(filename: str, infos: list[zipfile.ZipInfo], limits: DocumentLimits) -> None:
    """Raise DocumentError for too many entries, encrypted entries or an inflated size out of bounds."""
    if len(infos) > limits.max_zip_entries:
        raise _bomb(filename, f"{len(infos)} fichiers internes")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise DocumentError(filename, "le document est protégé par un mot de passe : envoyez-le sans mot de passe")
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise _bomb(filename, f"plus de {format_size(limits.max_uncompressed_bytes)} une fois décompressé")
        if info.file_size > limits.ratio_floor_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                raise _bomb(filename, f"taux de compression de {ratio:.0f} pour 1")


def read_member(
    filename: str, archive: zipfile.ZipFile, name: str, limits: DocumentLimits, required: bool = True
) -> bytes | None:
    """Inflate one entry in chunks, never past its declared size nor the global cap."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        if required:
            raise DocumentError(
                filename, f"le document est incomplet (partie « {name} » absente) : enregistrez-le à nouveau"
            ) from None
        return None
    cap = min(info.file_size, limits.max_uncompressed_bytes)
    out = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                out += chunk
                if len(out) > cap:
                    raise _bomb(filename, f"la partie « {name} » dépasse sa taille déclarée")
    except DocumentError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise DocumentError(
            filename, "le document est endommagé (contenu compressé illisible) : enregistrez-le à nouveau"
        ) from exc
    return bytes(out)
