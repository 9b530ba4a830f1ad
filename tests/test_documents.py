"""Document readers: every format built here with the libraries senders' tools use, plus the bad inputs.

Samples carry numbered questions, French answers with accents, tables "N° | Question | Réponse" and the
numbers that must not look like question numbers ("LibreOffice 7.6", "1.2 million d'euros", "3.10.2023").
"""

from __future__ import annotations

import io
import zipfile

import pytest

from assistant.documents.model import Block, DocumentContent, DocumentError
from assistant.documents.readers import DocumentLimits, decode_text, detect_kind, read_document

# --------------------------------------------------------------------------------------------------
# Sample builders
# --------------------------------------------------------------------------------------------------


def _pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsi (cp1252) with octal escapes for non-ASCII bytes."""
    out = bytearray(b"(")
    for byte in text.encode("cp1252"):
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif byte < 32 or byte > 126:
            out += f"\\{byte:03o}".encode()
        else:
            out.append(byte)
    return bytes(out + b")")


def build_pdf(
    pages: list[list[str]],
    fields: list[bytes] | None = None,
    image_pages: int = 0,
) -> bytes:
    """A minimal valid PDF written by hand: Helvetica text lines per page, optional AcroForm fields
    (each a dictionary body without the widget keys) and image-only pages."""
    objects: dict[int, bytes] = {}
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    next_number = 4
    page_numbers: list[int] = []

    def add(body: bytes) -> int:
        nonlocal next_number
        objects[next_number] = body
        next_number += 1
        return next_number - 1

    def stream(data: bytes, extra: bytes = b"") -> bytes:
        return b"<< " + extra + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    field_numbers = [
        add(body + b" /Type /Annot /Subtype /Widget /Rect [100 100 300 120] /F 4 >>") for body in fields or []
    ]
    for lines in pages:
        ops = [b"BT /F1 11 Tf 14 TL 56 800 Td"]
        for line in lines:
            ops.append(_pdf_string(line) + b" Tj T*")
        ops.append(b"ET")
        content = add(stream(b"\n".join(ops)))
        annots = (
            b" /Annots [%s]" % b" ".join(b"%d 0 R" % n for n in field_numbers) if fields and not page_numbers else b""
        )
        page_numbers.append(
            add(
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
                b" /Contents %d 0 R%s >>" % (content, annots)
            )
        )
    for _ in range(image_pages):
        image = add(stream(b"\x00\xff\xff\x00", b"/Type /XObject /Subtype /Image /Width 2 /Height 2"
                                               b" /ColorSpace /DeviceGray /BitsPerComponent 8"))  # fmt: skip
        content = add(stream(b"q 500 0 0 700 40 60 cm /Im1 Do Q"))
        page_numbers.append(
            add(
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
                b" /Resources << /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>" % (image, content)
            )
        )
    acroform = b""
    if fields:
        refs = b" ".join(b"%d 0 R" % n for n in field_numbers)
        acroform = b" /AcroForm << /Fields [%s] /NeedAppearances true >>" % refs
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R%s >>" % acroform
    kids = b" ".join(b"%d 0 R" % n for n in page_numbers)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_numbers))

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


PDF_PAGES = [
    [
        "Label Territoire Numérique Libre 2024",
        "0.1 Nom de la collectivité",
        "Communauté de communes du Pays de Léon",
        "0.4 Nombre d'habitants",
        "12 500",
    ],
    [
        "3.1 Quels logiciels libres génériques utilisez-vous ?",
        "LibreOffice 7.6, Firefox et Thunderbird sur 1.2 million d'euros de budget",
        "1.5 Délibération : oui, le 3.10.2023",
    ],
]

ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" office:version="1.3"'
)
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">{extra}'
    "</manifest:file-entry></manifest:manifest>"
)
ODT_MIME = "application/vnd.oasis.opendocument.text"
ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"


def odf_zip(mimetype: str, body: str, manifest_extra: str = "", content: bytes | None = None) -> bytes:
    """An ODF package as LibreOffice writes it: stored mimetype first, then deflated XML parts."""
    kind = "text" if mimetype == ODT_MIME else "spreadsheet"
    xml = (
        content
        or (
            f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODF_NS}>'
            f"<office:body><office:{kind}>{body}</office:{kind}></office:body></office:document-content>"
        ).encode()
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", xml)
        archive.writestr("META-INF/manifest.xml", MANIFEST.format(mimetype=mimetype, extra=manifest_extra))
    return buffer.getvalue()


def _cell(text: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'


ODT_BODY = (
    "<text:sequence-decls/>"
    "<text:table-of-content><text:index-body><text:p>0.1 Nom de la collectivité\t2</text:p>"
    "</text:index-body></text:table-of-content>"
    '<text:h text:outline-level="1">Volet 0 – Identification</text:h>'
    "<text:p>0.1 Nom de la collectivité</text:p>"
    "<text:p>Communauté   d'agglomération <text:span>du Grand Évreux</text:span></text:p>"
    "<text:p/>"
    "<text:p>0.4 Nombre d'habitants</text:p>"
    "<text:p>12<text:s/>500<text:note><text:note-citation>1</text:note-citation><text:note-body>"
    "<text:p>Recensement 2021</text:p></text:note-body></text:note> habitants</text:p>"
    "<text:soft-page-break/>"
    "<text:list><text:list-item><text:p>3.1 Quels logiciels libres génériques utilisez-vous ?</text:p>"
    "</text:list-item><text:list-item><text:p>LibreOffice 7.6 et Thunderbird</text:p></text:list-item></text:list>"
    '<table:table table:name="Réponses"><table:table-column table:number-columns-repeated="3"/>'
    "<table:table-header-rows><table:table-row>"
    + _cell("N°")
    + _cell("Question")
    + _cell("Réponse")
    + "</table:table-row></table:table-header-rows>"
    "<table:table-row>"
    + _cell("1.6")
    + _cell("Quelle part de vos logiciels est mutualisée ?")
    + _cell("1.2 million d'euros mutualisés")
    + "</table:table-row><table:table-row>"
    + _cell("2.1")
    + _cell("Quels formats ouverts utilisez-vous ?")
    + "<table:table-cell><text:p>ODF</text:p><text:p>PDF/A</text:p></table:table-cell>"
    "</table:table-row></table:table>"
    "<text:p>1.5 Délibération du 3.10.2023<text:line-break/>Signé : le maire</text:p>"
)


def build_docx() -> bytes:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_heading("Volet 0 – Identification", level=1)
    document.add_paragraph("0.1 Nom de la collectivité")
    document.add_paragraph("Commune de Saint-Étienne-du-Rouvray")
    document.add_paragraph("3.1 Quels logiciels libres génériques utilisez-vous ?")
    paragraph = document.add_paragraph("LibreOffice 7.6, ")
    paragraph.add_run("Firefox").bold = True
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(
        table.rows,
        [
            ("N°", "Question", "Réponse"),
            ("1.6", "Quelle part de vos logiciels est mutualisée ?", "1.2 million d'euros mutualisés"),
            ("2.1", "Quels formats ouverts utilisez-vous ?", "ODF\nPDF/A"),
        ],
        strict=True,
    ):
        for cell, value in zip(row.cells, values, strict=True):
            lines = value.split("\n")
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    document.add_paragraph("Délibération du 3.10.2023")
    # A content control holding the answer, as form-like Word templates do.
    sdt = parse_xml(
        '<w:sdt xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:sdtPr/><w:sdtContent>'
        "<w:p><w:r><w:t>5.3 Licence Ouverte 2.0</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    document.element.body.insert(len(document.element.body) - 1, sdt)  # before sectPr
    document.add_paragraph("Premier point", style="List Number")
    document.add_paragraph("Second point", style="List Number")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def build_xlsx(formula: bool = False) -> bytes:
    import datetime as dt

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Volet 1"
    sheet.append(["N°", "Question", "Réponse"])
    sheet.append(["0.1", "Nom de la collectivité", "Métropole de Lyon"])
    sheet.append(["0.4", "Nombre d'habitants", 1400000])
    sheet.append([])
    sheet.append(["3.1", "Logiciels", "LibreOffice 7.6"])
    sheet.append(["1.5", "Date de la délibération", dt.datetime(2023, 10, 3)])
    sheet.append(["2.2", "Taux RGAA", 0.75])
    if formula:
        sheet.append(["5.2", "Nombre de jeux de données", "=SUM(B2:B3)"])
    second = workbook.create_sheet("Volet 2")
    second["A1"] = "2.3 Sobriété"
    second["C1"] = "Réemploi des postes"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_ods_odfpy() -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Volet 1")
    for values in (("N°", "Question", "Réponse"), ("0.1", "Nom de la collectivité", "Ville de Besançon"),
                   ("3.1", "Logiciels", "LibreOffice 7.6")):  # fmt: skip
        row = TableRow()
        for value in values:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def build_odt_odfpy() -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Volet 5 – Données"))
    document.text.addElement(P(text="5.1 Publiez-vous des données publiques en open data ?"))
    document.text.addElement(P(text="Oui : https://data.exemple.fr, 42 jeux"))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def zip_with(entries: dict[str, bytes], stored: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            compression = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()


def texts(content: DocumentContent) -> list[str]:
    return [b.text for b in content.blocks]


def reason(excinfo: pytest.ExceptionInfo[DocumentError]) -> str:
    return excinfo.value.reason


# --------------------------------------------------------------------------------------------------
# Formats read correctly
# --------------------------------------------------------------------------------------------------


def test_odt_keeps_order_tables_and_spacing() -> None:
    content = read_document("candidature.odt", None, odf_zip(ODT_MIME, ODT_BODY))
    assert content.kind == "odt"
    assert texts(content) == [
        "Volet 0 – Identification",
        "0.1 Nom de la collectivité",
        "Communauté d'agglomération du Grand Évreux",
        "0.4 Nombre d'habitants",
        "12 500 habitants",
        "3.1 Quels logiciels libres génériques utilisez-vous ?",
        "LibreOffice 7.6 et Thunderbird",
        "N° | Question | Réponse",
        "1.6 | Quelle part de vos logiciels est mutualisée ? | 1.2 million d'euros mutualisés",
        "2.1 | Quels formats ouverts utilisez-vous ? | ODF\nPDF/A",
        "1.5 Délibération du 3.10.2023",
        "Signé : le maire",
    ]
    row = content.blocks[8]
    assert row.cells == ("1.6", "Quelle part de vos logiciels est mutualisée ?", "1.2 million d'euros mutualisés")
    assert row.place == "tableau 1, ligne 2"
    assert content.blocks[0].place == "paragraphe 1"
    assert content.blocks[-1].place == content.blocks[-2].place == "paragraphe 8"


def test_odt_written_by_odfpy() -> None:
    content = read_document("reponses.odt", "application/octet-stream", build_odt_odfpy())
    assert texts(content) == [
        "Volet 5 – Données",
        "5.1 Publiez-vous des données publiques en open data ?",
        "Oui : https://data.exemple.fr, 42 jeux",
    ]


def test_docx_paragraphs_tables_controls_and_numbering_in_order() -> None:
    content = read_document("candidature.docx", None, build_docx())
    assert content.kind == "docx"
    assert texts(content) == [
        "Volet 0 – Identification",
        "0.1 Nom de la collectivité",
        "Commune de Saint-Étienne-du-Rouvray",
        "3.1 Quels logiciels libres génériques utilisez-vous ?",
        "LibreOffice 7.6, Firefox",
        "N° | Question | Réponse",
        "1.6 | Quelle part de vos logiciels est mutualisée ? | 1.2 million d'euros mutualisés",
        "2.1 | Quels formats ouverts utilisez-vous ? | ODF\nPDF/A",
        "Délibération du 3.10.2023",
        "5.3 Licence Ouverte 2.0",
        "1. Premier point",
        "2. Second point",
    ]
    assert content.blocks[6].cells == (
        "1.6",
        "Quelle part de vos logiciels est mutualisée ?",
        "1.2 million d'euros mutualisés",
    )
    assert content.blocks[6].place == "tableau 1, ligne 2"
    assert content.blocks[8].place == "paragraphe 6"


def test_pdf_text_per_page_in_order() -> None:
    content = read_document("candidature.pdf", "application/pdf", build_pdf(PDF_PAGES))
    assert content.kind == "pdf"
    assert texts(content) == [line for page in PDF_PAGES for line in page]
    assert [b.place for b in content.blocks] == ["page 1"] * 5 + ["page 2"] * 3
    assert content.fields == {}


PDF_FIELDS = [
    b"<< /FT /Tx /T (nom) /TU (0.1 Nom de la collectivit\\351) /V (Ville de Brest)",
    b"<< /FT /Tx /T (habitants) /V <FEFF%s>" % "139 000 habitants (recensés)".encode("utf-16-be").hex().encode(),
    b"<< /FT /Btn /T (deliberation) /TU (1.5 D\\351lib\\351ration formelle ?) /V /Yes /AS /Yes",
    b"<< /FT /Btn /T (adullact) /TU (1.7 Membre d'ADULLACT ?) /V /Off /AS /Off",
    b"<< /FT /Btn /Ff 49152 /T (type) /V /Commune",
    b"<< /FT /Tx /T (site) /TU (0.10 Site web)",
]


def test_fillable_pdf_fields() -> None:
    data = build_pdf([["Questionnaire 2024 – formulaire à remplir", "0.1 Nom de la collectivité"]], fields=PDF_FIELDS)
    content = read_document("formulaire.pdf", None, data)
    assert content.fields == {
        "0.1 Nom de la collectivité": "Ville de Brest",
        "habitants": "139 000 habitants (recensés)",
        "1.5 Délibération formelle ?": "Oui",
        "1.7 Membre d'ADULLACT ?": "Non",
        "type": "Commune",
        "0.10 Site web": "",
    }
    assert texts(content)[0] == "Questionnaire 2024 – formulaire à remplir"


def test_pdf_encrypted_with_empty_user_password_is_readable() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(build_pdf(PDF_PAGES))))
    writer.encrypt(user_password="", owner_password="proprietaire", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    content = read_document("restreint.pdf", None, buffer.getvalue())
    assert "0.1 Nom de la collectivité" in texts(content)


def test_ods_written_by_odfpy() -> None:
    content = read_document("reponses.ods", None, build_ods_odfpy())
    assert content.kind == "ods"
    assert texts(content) == [
        "N° | Question | Réponse",
        "0.1 | Nom de la collectivité | Ville de Besançon",
        "3.1 | Logiciels | LibreOffice 7.6",
    ]
    assert content.blocks[1].place == "feuille « Volet 1 », ligne 2"


def test_ods_huge_repeats_are_capped_and_positions_kept() -> None:
    empty_cells = '<table:table-cell table:number-columns-repeated="16384"/>'
    body = (
        '<table:table table:name="Volet 2"><table:table-column table:number-columns-repeated="16384"/>'
        f"<table:table-row>{_cell('2.3')}{_cell('Sobriété')}{_cell('Réemploi, 7.6 ans')}{empty_cells}"
        "</table:table-row>"
        f'<table:table-row table:number-rows-repeated="1048570">{empty_cells}</table:table-row>'
        f"<table:table-row>{_cell('2.4')}"
        '<table:table-cell table:number-columns-repeated="3"/>'
        f"{_cell('Interopérable')}{empty_cells}</table:table-row>"
        "</table:table>"
    )
    content = read_document("volets.ods", None, odf_zip(ODS_MIME, body))
    assert texts(content) == ["2.3 | Sobriété | Réemploi, 7.6 ans", "2.4 |  |  |  | Interopérable"]
    assert content.blocks[1].cells == ("2.4", "", "", "", "Interopérable")
    assert content.blocks[1].place == "feuille « Volet 2 », ligne 1048572"


def test_xlsx_rows_values_and_sheets() -> None:
    content = read_document("reponses.xlsx", None, build_xlsx())
    assert content.kind == "xlsx"
    assert texts(content) == [
        "N° | Question | Réponse",
        "0.1 | Nom de la collectivité | Métropole de Lyon",
        "0.4 | Nombre d'habitants | 1400000",
        "3.1 | Logiciels | LibreOffice 7.6",
        "1.5 | Date de la délibération | 03/10/2023",
        "2.2 | Taux RGAA | 0.75",
        "2.3 Sobriété | | Réemploi des postes".replace("| |", "|  |"),
    ]
    assert content.blocks[3].place == "feuille « Volet 1 », ligne 5"
    assert content.blocks[-1].place == "feuille « Volet 2 », ligne 1"


def test_xlsx_far_cell_and_declared_dimension_stay_bounded() -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Volet 3"
    sheet["A1"], sheet["B1"] = "3.4", "120 postes sous GNU/Linux"
    sheet["XFD1048576"] = "fin"
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = read_document("loin.xlsx", None, buffer.getvalue())
    assert content.blocks[0].cells == ("3.4", "120 postes sous GNU/Linux")
    assert content.blocks[-1].text == "fin"
    assert content.blocks[-1].place == "feuille « Volet 3 », ligne 1048576"


def test_xlsx_uncomputed_formula_reads_as_empty() -> None:
    content = read_document("reponses.xlsx", None, build_xlsx(formula=True))
    row = next(b for b in content.blocks if b.text.startswith("5.2"))
    assert row.cells == ("5.2", "Nombre de jeux de données")


def test_csv_semicolon_cp1252() -> None:
    data = (
        "N°;Question;Réponse\r\n0.1;Nom de la collectivité;Ville d'Évry\r\n"
        '3.1;Logiciels;"LibreOffice 7.6; Firefox"\r\n'
    )
    content = read_document("reponses.csv", "text/csv", data.encode("cp1252"))
    assert content.kind == "csv"
    assert [b.cells for b in content.blocks] == [
        ("N°", "Question", "Réponse"),
        ("0.1", "Nom de la collectivité", "Ville d'Évry"),
        ("3.1", "Logiciels", "LibreOffice 7.6; Firefox"),
    ]
    assert content.blocks[2].place == "ligne 3"


def test_csv_tab_and_comma() -> None:
    tab = read_document("r.tsv", None, b"0.1\tVille de Brest\n0.4\t139000\n")
    assert tab.blocks[0].cells == ("0.1", "Ville de Brest")
    comma = read_document("r.csv", None, b'0.1,"Ville de Brest, Finistere"\n0.4,139000\n')
    assert comma.blocks[0].cells == ("0.1", "Ville de Brest, Finistere")


def test_txt_latin1_without_charset() -> None:
    text = (
        "0.1 Nom de la collectivité\r\nCommune de Sainte-Geneviève\r\n\r\n1.2 Soutien : l’équipe « Libre » – Œuvre\r\n"
    )
    content = read_document("reponses.txt", None, text.encode("cp1252"))
    assert texts(content) == [
        "0.1 Nom de la collectivité",
        "Commune de Sainte-Geneviève",
        "1.2 Soutien : l’équipe « Libre » – Œuvre",
    ]
    assert [b.place for b in content.blocks] == ["ligne 1", "ligne 2", "ligne 4"]


def test_md_headings_emphasis_and_table() -> None:
    text = (
        "# Candidature 2024\n\n## 0. Identification\n\n**0.1 Nom de la collectivité**\n\nVille de Grenoble\n\n"
        "| N° | Question | Réponse |\n|---|---|---|\n| 3.1 | Logiciels | LibreOffice 7.6 |\n| 3.4 | Postes | |\n"
    )
    content = read_document("reponses.md", None, text.encode())
    assert texts(content) == [
        "Candidature 2024",
        "0. Identification",
        "0.1 Nom de la collectivité",
        "Ville de Grenoble",
        "N° | Question | Réponse",
        "3.1 | Logiciels | LibreOffice 7.6",
        "3.4 | Postes",
    ]
    assert content.blocks[5].place == "tableau 1, ligne 2"


def test_html_table_breaks_and_dropped_scripts() -> None:
    html = (
        '<html><head><meta charset="windows-1252"><title>Titre</title><style>p{}</style></head><body>'
        "<div>Bonjour,<br>voici nos réponses.</div><script>alert('x')</script>"
        "<table><tr><th>N°</th><th>Question</th><th>Réponse</th></tr>"
        "<tr><td>0.1</td><td>Nom de la collectivité</td><td>Ville de Nîmes</td></tr>"
        "<tr><td>3.1</td><td>Logiciels</td><td><ul><li>LibreOffice 7.6</li><li>Firefox</li></ul></td></tr>"
        "<tr><td colspan=3>Volet 2</td></tr></table>"
        "<p>Cordialement,<br>Le maire</p></body></html>"
    )
    content = read_document("corps.html", "text/html", html.encode("cp1252"))
    assert texts(content) == [
        "Bonjour,",
        "voici nos réponses.",
        "N° | Question | Réponse",
        "0.1 | Nom de la collectivité | Ville de Nîmes",
        "3.1 | Logiciels | LibreOffice 7.6\nFirefox",
        "Volet 2",
        "Cordialement,",
        "Le maire",
    ]
    assert content.blocks[3].cells == ("0.1", "Nom de la collectivité", "Ville de Nîmes")
    assert content.blocks[3].place == "tableau 1, ligne 2"
    assert content.blocks[5].place == "tableau 1, ligne 4"


def test_html_layout_table_reads_as_paragraphs() -> None:
    html = (
        "<table><tr><td><p>0.1 Nom de la collectivité</p><p>Ville de Pau</p>"
        "<table><tr><td>3.1</td><td>LibreOffice 7.6</td></tr></table><p>Merci</p></td></tr></table>"
    )
    content = read_document("corps", "text/html; charset=utf-8", html.encode())
    assert texts(content) == ["0.1 Nom de la collectivité", "Ville de Pau", "3.1 | LibreOffice 7.6", "Merci"]


def test_sniffing_beats_extension_and_content_type() -> None:
    pdf = build_pdf(PDF_PAGES)
    assert detect_kind("scan.docx", "image/png", pdf) == "pdf"
    assert read_document("reponses", "application/octet-stream", build_docx()).kind == "docx"
    assert read_document("reponses.bin", None, build_xlsx()).kind == "xlsx"
    assert read_document("sans-nom", None, b"0.1 Nom\nVille de Brest\n").kind == "txt"


# --------------------------------------------------------------------------------------------------
# Charsets
# --------------------------------------------------------------------------------------------------


def test_decode_text_fallback_chain() -> None:
    word = "l’été « Libre » – Œuvre"
    assert decode_text(word.encode("cp1252"), None) == word
    assert decode_text(word.encode("cp1252"), "iso-8859-1") == word  # cp1252 mislabelled latin-1
    assert decode_text(word.encode("utf-8"), "latin-1") == word  # utf-8 mislabelled latin-1
    assert decode_text(word.encode("utf-8"), "x-unknown-charset") == word
    assert decode_text("été".encode("latin-1"), "rot13") == "été"
    assert decode_text(word.encode("utf-16"), None) == word
    assert decode_text("ü".encode("iso-8859-2"), "iso-8859-2") == "ü"
    weird = decode_text(b"caf\xe9 \x81\x8d\x9d ok", "latin-1")
    assert weird.startswith("café") and not any("\x80" <= ch <= "\x9f" for ch in weird)


# --------------------------------------------------------------------------------------------------
# Bad input: always a DocumentError with a reason, never a crash nor a hang
# --------------------------------------------------------------------------------------------------


def _bomb_entry(size: int = 30 * 1024 * 1024) -> bytes:
    return b"0" * size


def test_docx_zip_bomb_rejected_before_inflating() -> None:
    with zipfile.ZipFile(io.BytesIO(build_docx())) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries["word/document.xml"] = _bomb_entry()
    data = zip_with(entries)
    assert len(data) < 200_000
    with pytest.raises(DocumentError) as excinfo:
        read_document("bombe.docx", None, data)
    assert "décompression serait démesurée" in reason(excinfo)
    assert "taux de compression" in reason(excinfo)


def test_odt_zip_bomb_total_size_rejected() -> None:
    data = odf_zip(ODT_MIME, "", content=_bomb_entry(12 * 1024 * 1024))
    limits = DocumentLimits(max_uncompressed_bytes=10 * 1024 * 1024, max_compression_ratio=1e9)
    with pytest.raises(DocumentError) as excinfo:
        read_document("bombe.odt", None, data, limits)
    assert "décompression serait démesurée" in reason(excinfo)
    with pytest.raises(DocumentError, match="taux de compression"):
        read_document("bombe.odt", None, data)


def test_zip_with_lying_declared_size_is_refused() -> None:
    data = bytearray(odf_zip(ODT_MIME, "<text:p>" + "Réponse longue. " * 5000 + "</text:p>"))
    central = data.find(b"PK\x01\x02")  # central directory records: name at +46, size at +24
    while data[central + 46 : central + 57] != b"content.xml":
        central = data.find(b"PK\x01\x02", central + 4)
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")  # declares 100 bytes, inflates to 80 KB
    with pytest.raises(DocumentError) as excinfo:
        read_document("menteur.odt", None, bytes(data))
    assert "endommagé" in reason(excinfo)


def test_xml_entity_bomb_refused() -> None:
    content = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b"<office:document-content " + ODF_NS.encode() + b"><office:body><office:text><text:p>&lol2;</text:p>"
        b"</office:text></office:body></office:document-content>"
    )
    with pytest.raises(DocumentError, match="XML interdites"):
        read_document("entites.odt", None, odf_zip(ODT_MIME, "", content=content))


def test_encrypted_pdf() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(build_pdf(PDF_PAGES))))
    writer.encrypt(user_password="secret", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(DocumentError) as excinfo:
        read_document("protege.pdf", None, buffer.getvalue())
    assert "le PDF est protégé par un mot de passe" in reason(excinfo)


def test_scanned_pdf() -> None:
    with pytest.raises(DocumentError) as excinfo:
        read_document("scan.pdf", None, build_pdf([], image_pages=3))
    assert reason(excinfo) == (
        "le PDF ne contient que des images (scan) : envoyez le fichier texte ou tapez les réponses"
    )


def test_blank_pdf_and_empty_form() -> None:
    with pytest.raises(DocumentError, match="aucun texte"):
        read_document("blanc.pdf", None, build_pdf([[]]))
    with pytest.raises(DocumentError, match="sans aucune réponse"):
        read_document("vide.pdf", None, build_pdf([[]], fields=[b"<< /FT /Tx /T (nom)"]))


def test_pdf_too_many_pages() -> None:
    with pytest.raises(DocumentError, match="5 pages, au-delà de la limite de 3"):
        read_document("long.pdf", None, build_pdf([["x"]] * 5), DocumentLimits(max_pdf_pages=3))


def test_time_budget_stops_long_documents() -> None:
    with pytest.raises(DocumentError, match="temps autorisé"):
        read_document("long.pdf", None, build_pdf([["x"]] * 5), DocumentLimits(max_seconds=0.0))


def test_encrypted_odt() -> None:
    extra = (
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="abc">'
        '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="x"/>'
        "</manifest:encryption-data>"
    )
    data = odf_zip(ODT_MIME, "", manifest_extra=extra, content=b"\x8f\x01binary ciphertext")
    with pytest.raises(DocumentError, match="protégé par un mot de passe"):
        read_document("protege.odt", None, data)


@pytest.mark.parametrize("name", ["protege.docx", "protege.xlsx", "protege"])
def test_encrypted_ooxml_is_a_cfb_container(name: str) -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"junk"
    with pytest.raises(DocumentError, match="protégé par un mot de passe"):
        read_document(name, None, data)


def _corrupt_samples() -> list[tuple[str, bytes]]:
    odt = odf_zip(ODT_MIME, ODT_BODY)
    ods = build_ods_odfpy()
    pdf = build_pdf(PDF_PAGES)
    return [
        ("tronque.odt", odt[: len(odt) // 2]),
        ("tronque.ods", ods[: len(ods) // 2]),
        ("tronque.docx", build_docx()[:3000]),
        ("tronque.xlsx", build_xlsx()[:2000]),
        ("tronque.pdf", pdf[:200]),
        ("faux.pdf", b"ceci n'est pas un PDF"),
        ("faux.docx", b"ceci n'est pas un DOCX"),
        ("xml-casse.odt", odf_zip(ODT_MIME, "", content=b"<office:document-content><text:p>")),
        ("sans-corps.odt", odf_zip(ODT_MIME, "", content=b"<racine/>")),
        ("sans-document.docx", zip_with({"[Content_Types].xml": b"<Types/>", "word/x.xml": b"<a/>"})),
        ("xlsx-casse.xlsx", zip_with({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<oops"})),
        ("pdf-casse.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>\n"),
        ("abime.docx", _damage_member(build_docx(), "word/document.xml")),
        ("abime.odt", _damage_member(odt, "content.xml")),
        (
            "profond.odt",
            odf_zip(
                ODT_MIME,
                "<text:list><text:list-item>" * 3000 + "<text:p>x</text:p>" + "</text:list-item></text:list>" * 3000,
            ),
        ),
    ]


def _damage_member(data: bytes, name: str) -> bytes:
    """Overwrite bytes in the middle of one member's compressed data (the zip directory stays valid)."""
    damaged = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    damaged[middle : middle + 64] = b"\xff" * 64
    return bytes(damaged)


@pytest.mark.parametrize(("name", "data"), _corrupt_samples(), ids=[n for n, _ in _corrupt_samples()])
def test_corrupt_files_give_a_reason(name: str, data: bytes) -> None:
    with pytest.raises(DocumentError) as excinfo:
        read_document(name, None, data)
    assert excinfo.value.filename == name
    assert any(word in reason(excinfo) for word in ("endommagé", "aucun texte", "imbriqué"))


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("ancien.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"), "Word 97-2003"),
        ("ancien.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97-2003"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "image"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image"),
        ("dossier.pages", zip_with({"Index/Document.iwa": b"x"}), "Apple"),
        ("archive.zip", zip_with({"a.txt": b"x"}), "archive"),
        ("lettre.rtf", b"{\\rtf1\\ansi Bonjour}", "RTF"),
        ("inconnu.bin", b"\x00\x01\x02\x03binary", "format de fichier inconnu"),
        ("diapo.odp", odf_zip("application/vnd.oasis.opendocument.presentation", "", content=b"<a/>"), "présentation"),
    ],
)
def test_unsupported_formats_name_accepted_ones(name: str, data: bytes, expected: str) -> None:
    with pytest.raises(DocumentError) as excinfo:
        read_document(name, None, data)
    assert expected in reason(excinfo)
    assert "formats acceptés : ODT, DOCX, PDF" in reason(excinfo)


def test_empty_and_huge_inputs() -> None:
    with pytest.raises(DocumentError, match="le fichier est vide"):
        read_document("vide.odt", None, b"")
    with pytest.raises(DocumentError, match="au-delà de la limite de 1 Ko"):
        read_document("gros.pdf", None, build_pdf(PDF_PAGES), DocumentLimits(max_input_bytes=1024))
    with pytest.raises(DocumentError, match="aucun texte"):
        read_document("blanc.odt", None, odf_zip(ODT_MIME, "<text:p/><text:p>   </text:p>"))
    with pytest.raises(DocumentError, match="aucun texte"):
        read_document("blanc.txt", None, b"\r\n  \n")


def test_too_many_cells() -> None:
    rows = "".join(f"<table:table-row>{_cell(str(i))}{_cell('x')}</table:table-row>" for i in range(50))
    data = odf_zip(ODS_MIME, f'<table:table table:name="F">{rows}</table:table>')
    with pytest.raises(DocumentError, match="dépasse 20 cellules"):
        read_document("gros.ods", None, data, DocumentLimits(max_cells=20))


def test_errors_are_document_errors_with_model_fields() -> None:
    error = DocumentError("a.pdf", "raison")
    assert str(error) == "a.pdf: raison" and error.reason == "raison"
    assert Block("x").cells is None


# --------------------------------------------------------------------------------------------------
# Isolated reading: hard deadline and memory ceiling in a child process
# --------------------------------------------------------------------------------------------------


def _hanging_reader(filename: str, content_type: str | None, data: bytes, limits: DocumentLimits) -> DocumentContent:
    import time

    time.sleep(60)
    raise AssertionError("not reached")


def _greedy_reader(filename: str, content_type: str | None, data: bytes, limits: DocumentLimits) -> DocumentContent:
    hog = [bytearray(64 * 1024 * 1024) for _ in range(64)]
    raise AssertionError(len(hog))


def test_isolated_read_returns_content_and_errors() -> None:
    from assistant.documents.isolate import read_document_isolated

    content = read_document_isolated("candidature.pdf", None, build_pdf(PDF_PAGES))
    assert texts(content)[1] == "0.1 Nom de la collectivité"
    with pytest.raises(DocumentError, match="ne contient que des images"):
        read_document_isolated("scan.pdf", None, build_pdf([], image_pages=1))


def test_isolated_read_kills_a_hang_and_a_memory_hog() -> None:
    from assistant.documents.isolate import read_document_isolated

    limits = DocumentLimits(max_seconds=0.5)
    with pytest.raises(DocumentError, match="temps autorisé"):
        read_document_isolated("lent.pdf", None, b"x", limits, reader=_hanging_reader, grace_seconds=0.5)
    with pytest.raises(DocumentError, match="mémoire"):
        read_document_isolated("gourmand.pdf", None, b"x", reader=_greedy_reader, memory_bytes=512 * 1024 * 1024)
