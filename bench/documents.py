"""Benchmark the document readers: time and peak memory for a 50-page PDF, a ~5 MB ODT and a zip bomb.

Run: ``python bench/documents.py``. Inputs are generated in a temporary directory; each case runs in a
fresh interpreter so ``ru_maxrss`` (the process's peak resident memory) belongs to that case alone;
tracemalloc gives the peak of Python allocations during the read itself.
"""

from __future__ import annotations

import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = [
    "collectivité",
    "logiciel",
    "libre",
    "mutualisation",
    "données",
    "ouvertes",
    "interopérabilité",
    "sobriété",
    "réemploi",
    "agents",
    "formation",
    "élus",
    "habitants",
    "LibreOffice",
    "Firefox",
    "Thunderbird",
    "GNU/Linux",
    "serveur",
    "supervision",
    "accessibilité",
    "RGAA",
    "délibération",
    "stratégie",
    "plan",
    "d'action",
    "syndicat",
    "opérateur",
    "public",
    "état",
    "civil",
    "cimetière",
    "urbanisme",
    "SIG",
    "licence",
    "portail",
    "jeux",
    "de",
    "données",
    "protection",
    "RGPD",
    "délégué",
    "communication",
    "contribution",
    "code",
]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _pdf_string(text: str) -> bytes:
    out = bytearray(b"(")
    for byte in text.encode("cp1252", "replace"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif byte < 32 or byte > 126:
            out += f"\\{byte:03o}".encode()
        else:
            out.append(byte)
    return bytes(out + b")")


def make_pdf(pages: int) -> bytes:
    """A text PDF written by hand (pypdf cannot lay out text): ~50 lines per page."""
    rng = random.Random(1)
    objects = {3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"}
    page_refs = []
    number = 4
    question = 0
    for _ in range(pages):
        ops = [b"BT /F1 9 Tf 11 TL 40 800 Td"]
        for line in range(50):
            if line % 6 == 0:
                question += 1
                text = f"{question // 10}.{question % 10 + 1} {_sentence(rng, 8)[:-1]} ?"
            else:
                text = _sentence(rng, 12)
            ops.append(_pdf_string(text) + b" Tj T*")
        ops.append(b"ET")
        data = b"\n".join(ops)
        objects[number] = b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
        objects[number + 1] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Contents %d 0 R >>" % number
        )
        page_refs.append(number + 1)
        number += 2
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kids = b" ".join(b"%d 0 R" % n for n in page_refs)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_refs))
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for n in sorted(objects):
        offsets[n] = len(out)
        out += b"%d 0 obj\n" % n + objects[n] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % number
    for n in range(1, number):
        out += b"%010d 00000 n \n" % offsets[n]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (number, xref)
    return bytes(out)


ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.3"'
)


def make_odt(target_bytes: int, images: int = 0) -> bytes:
    """An ODT of about ``target_bytes``: all text (the worst case, every byte is XML to parse), or
    ``images`` bytes of photos plus a few pages of text (what a 5 MB candidature usually is)."""
    if images:
        target_bytes = max(target_bytes - images, 0)
    rng = random.Random(2)
    parts = [f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NS}><office:body><office:text>']
    size = 0
    question = 0
    while size < target_bytes * 7.4:  # words from a small vocabulary compress about 7.4:1
        question += 1
        chunk = (
            f'<text:p text:style-name="P1">{question // 10}.{question % 10 + 1} {_sentence(rng, 10)[:-1]} ?</text:p>'
            f'<text:p text:style-name="P2"><text:span text:style-name="T1">{_sentence(rng, 40)}</text:span>'
            f"<text:s/>{_sentence(rng, 30)}</text:p>"
        )
        if question % 50 == 0:
            rows = "".join(
                "<table:table-row>"
                + "".join(f"<table:table-cell><text:p>{_sentence(rng, 5)}</text:p></table:table-cell>" for _ in "abc")
                + "</table:table-row>"
                for _ in range(10)
            )
            chunk += f'<table:table table:name="T{question}">{rows}</table:table>'
        parts.append(chunk)
        size += len(chunk)
    parts.append("</office:text></office:body></office:document-content>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", "".join(parts).encode())
        if images:
            photo = random.Random(3).randbytes(images)
            archive.writestr("Pictures/photo.jpg", b"\xff\xd8\xff\xe0" + photo, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def make_bomb() -> bytes:
    """A DOCX-shaped zip whose document.xml inflates to 120 MB (about 0.12 MB on the wire)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"0" * (120 * 1024 * 1024))
    return buffer.getvalue()


def make_wide_ods() -> bytes:
    """An ODS whose rows declare 16,384 repeated empty columns and 1,048,576 repeated empty rows."""
    empty = '<table:table-cell table:number-columns-repeated="16384"/>'
    rows = "".join(
        f"<table:table-row><table:table-cell><text:p>{i}.1</text:p></table:table-cell>"
        f"<table:table-cell><text:p>Réponse {i}</text:p></table:table-cell>{empty}</table:table-row>"
        for i in range(200)
    )
    rows += f'<table:table-row table:number-rows-repeated="1048376">{empty}</table:table-row>'
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NS}><office:body>'
        f'<office:spreadsheet><table:table table:name="Volet 1">{rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", xml.encode())
    return buffer.getvalue()


CASES = {
    "PDF 50 pages": ("questionnaire.pdf", lambda: make_pdf(50)),
    "ODT ~5 Mo (texte)": ("questionnaire.odt", lambda: make_odt(5 * 1024 * 1024)),
    "ODT ~5 Mo (photos + texte)": ("photos.odt", lambda: make_odt(5 * 1024 * 1024, images=4_800_000)),
    "ODS 16 384 col. répétées": ("classeur.ods", make_wide_ods),
    "Bombe zip DOCX (120 Mo)": ("bombe.docx", make_bomb),
}


def run_case(path: str) -> dict[str, object]:
    """Read one file in this (fresh) process: once for time and RSS, once under tracemalloc for the peak
    of Python allocations (tracemalloc slows allocation-heavy code several times)."""
    sys.path.insert(0, str(ROOT))
    import docx  # noqa: F401  (library imports stay outside the measured window)
    import openpyxl  # noqa: F401
    import pypdf  # noqa: F401

    from assistant.documents.model import DocumentError
    from assistant.documents.readers import read_document

    data = Path(path).read_bytes()

    def read() -> str:
        try:
            return f"{len(read_document(Path(path).name, None, data).blocks)} blocs"
        except DocumentError as exc:
            return "refusé : " + exc.reason[:40] + "…"

    base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    outcome = read()
    elapsed = time.perf_counter() - started
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    read()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": elapsed,
        "peak_mb": peak / 2**20,
        "maxrss_mb": maxrss_kb / 1024,
        "base_mb": base_kb / 1024,
        "outcome": outcome,
    }


def make_case(label: str, path: str) -> None:
    """Generate one input (in a child process, so the measuring processes start small)."""
    Path(path).write_bytes(CASES[label][1]())


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        print(json.dumps(run_case(sys.argv[2])))
        return
    if len(sys.argv) == 4 and sys.argv[1] == "--make":
        make_case(sys.argv[2], sys.argv[3])
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="tnl-bench-") as tmp:
        for label, (name, _) in CASES.items():
            path = Path(tmp) / name
            subprocess.run([sys.executable, __file__, "--make", label, str(path)], check=True)
            result = subprocess.run(
                [sys.executable, __file__, "--case", str(path)], capture_output=True, text=True, check=True
            )
            measured = json.loads(result.stdout.strip().splitlines()[-1])
            rows.append((label, path.stat().st_size, measured))
    header = (
        f"{'cas':<28} {'taille':>9} {'temps':>10} {'pic Python':>11} {'ru_maxrss':>10} {'(dont base)':>12}  résultat"
    )
    print(header)
    print("-" * len(header))
    for label, size, m in rows:
        print(
            f"{label:<28} {size / 2**20:7.2f}Mo {m['seconds'] * 1000:8.1f}ms {m['peak_mb']:8.1f} Mo"
            f" {m['maxrss_mb']:7.0f} Mo {m['base_mb']:9.0f} Mo  {m['outcome']}"
        )
    print("\npic Python : tracemalloc pendant la lecture ; ru_maxrss : mémoire résidente maximale du processus,")
    print("base : la même après import des bibliothèques, avant la lecture. Un processus neuf par cas.")


if __name__ == "__main__":
    main()
