"""The blank form a collectivité fills in: Markdown, plain text, ODT or DOCX.

Each question is printed exactly like the published list ("1.1 Question ? [obligatoire]
(texte)") so that the importer reads the form back as the same list and the extractor
anchors every answer by its number. ODT/DOCX use one table per volet (N°, question,
réponse): a table cell keeps a multi-paragraph answer next to its question.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.sax.saxutils import escape

from assistant.config import LABEL_ADDRESS
from assistant.questionnaire.model import Question, Questionnaire

FORMATS = ("odt", "docx", "md", "txt")
ANSWER_LABEL = "Réponse :"

_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def french_date(day: dt.date) -> str:
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {_MONTHS[day.month - 1]} {day.year}"


def form_title(questionnaire: Questionnaire) -> str:
    return f"Questionnaire de candidature — Label Territoire Numérique Libre, édition {questionnaire.edition}"


def instructions(questionnaire: Questionnaire, label_address: str = LABEL_ADDRESS) -> list[str]:
    """The French instructions printed at the top of every form (no line starts with a number)."""
    lines = []
    if questionnaire.closes is not None:
        lines.append(f"Date limite de réponse : {french_date(questionnaire.closes)}.")
    lines += [
        f"Renvoyez ce questionnaire rempli par courriel à {label_address}, en pièce jointe ou recopié "
        "dans le corps du message (une simple réponse au courriel suffit).",
        "Écrivez chaque réponse sous sa question, à la suite de « Réponse », ou dans la colonne Réponse "
        "des tableaux. Gardez les numéros des questions : ils permettent de relier chaque réponse "
        "à sa question.",
        "Les questions marquées [obligatoire] doivent recevoir une réponse ; les autres sont facultatives.",
        "Une collectivité n'a pas à être active dans tous les domaines : « Non », « Pas encore » ou "
        "« Aucun » sont des réponses.",
        "Un texte de remplissage (« à compléter », « TODO », « xxx », « ? », « - ») compte comme une "
        "réponse manquante.",
        "Le type de réponse attendu est indiqué entre parenthèses : (texte), (oui/non), (nombre), "
        "(courriel) pour une adresse électronique, (url) pour une adresse web, (liste) pour une "
        "énumération, (choix) pour une valeur parmi celles proposées.",
    ]
    return lines


def question_line(question: Question) -> str:
    """The question as printed in the published list, markers included."""
    mark = "obligatoire" if question.mandatory else "facultatif"
    return f"{question.id} {question.display_text()} [{mark}] ({question.answer_type})"


def render_markdown(questionnaire: Questionnaire, label_address: str = LABEL_ADDRESS) -> str:
    out = [f"# {form_title(questionnaire)}", "", "## Comment répondre", ""]
    out += [f"- {line}" for line in instructions(questionnaire, label_address)]
    for volet in questionnaire.volets:
        out += ["", f"## {volet.id}. {volet.title}"]
        for q in volet.questions:
            out += ["", question_line(q), "", ANSWER_LABEL]
    return "\n".join(out) + "\n"


def render_text(questionnaire: Questionnaire, label_address: str = LABEL_ADDRESS) -> str:
    title = form_title(questionnaire)
    out = [title, "=" * len(title), "", "Comment répondre", ""]
    out += [f"* {line}" for line in instructions(questionnaire, label_address)]
    for volet in questionnaire.volets:
        heading = f"{volet.id}. {volet.title}"
        out += ["", "", heading, "=" * len(heading)]
        for q in volet.questions:
            out += ["", question_line(q), ANSWER_LABEL]
    return "\n".join(out) + "\n"


def render_docx(questionnaire: Questionnaire, label_address: str = LABEL_ADDRESS) -> bytes:
    import docx
    from docx.shared import Cm

    document = docx.Document()
    document.core_properties.title = form_title(questionnaire)
    document.core_properties.author = "Label Territoire Numérique Libre"
    document.add_heading(form_title(questionnaire), level=0)
    document.add_heading("Comment répondre", level=1)
    for line in instructions(questionnaire, label_address):
        document.add_paragraph(line, style="List Bullet")
    for volet in questionnaire.volets:
        document.add_heading(f"{volet.id}. {volet.title}", level=1)
        table = document.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        header = table.rows[0].cells
        for cell, text in zip(header, ("N°", "Question", "Réponse"), strict=True):
            cell.text = text
        for q in volet.questions:
            mark = "obligatoire" if q.mandatory else "facultatif"
            row = table.add_row().cells
            row[0].text = q.id
            row[1].text = f"{q.display_text()} [{mark}] ({q.answer_type})"
            row[2].text = ""
        for row in table.rows:
            for cell, width in zip(row.cells, (Cm(1.5), Cm(8), Cm(8)), strict=True):
                cell.width = width
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:0.1" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"'
)
_ODT_STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {_ODT_NS} office:version="1.3">
<office:styles>
<style:style style:name="Standard" style:family="paragraph"/>
<style:style style:name="Title" style:family="paragraph" style:parent-style-name="Standard">
<style:text-properties fo:font-size="18pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph"
 style:parent-style-name="Standard" style:default-outline-level="1">
<style:text-properties fo:font-size="14pt" fo:font-weight="bold"/></style:style>
</office:styles>
</office:document-styles>
"""
_ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""


def _odt_cell(text: str, style: str = "Cell") -> str:
    paragraphs = "".join(f"<text:p>{escape(p)}</text:p>" for p in (text.split("\n") if text else [""]))
    return f'<table:table-cell table:style-name="{style}" office:value-type="string">{paragraphs}</table:table-cell>'


def render_odt(questionnaire: Questionnaire, label_address: str = LABEL_ADDRESS) -> bytes:
    """ODT written by hand (zipfile + XML): no dependency, and LibreOffice opens it as is."""
    body = [
        f'<text:p text:style-name="Title">{escape(form_title(questionnaire))}</text:p>',
        '<text:h text:style-name="Heading_20_1" text:outline-level="1">Comment répondre</text:h>',
    ]
    body += [f"<text:p>• {escape(line)}</text:p>" for line in instructions(questionnaire, label_address)]
    for n, volet in enumerate(questionnaire.volets, 1):
        body.append(
            f'<text:h text:style-name="Heading_20_1" text:outline-level="1">'
            f"{escape(volet.id)}. {escape(volet.title)}</text:h>"
        )
        rows = [
            "<table:table-row>" + "".join(_odt_cell(t) for t in ("N°", "Question", "Réponse")) + "</table:table-row>"
        ]
        for q in volet.questions:
            mark = "obligatoire" if q.mandatory else "facultatif"
            cells = (q.id, f"{q.display_text()} [{mark}] ({q.answer_type})", "")
            rows.append("<table:table-row>" + "".join(_odt_cell(t) for t in cells) + "</table:table-row>")
        body.append(
            f'<table:table table:name="Volet{n}" table:style-name="Grille">'
            '<table:table-column table:style-name="ColN"/><table:table-column table:style-name="ColQ"/>'
            '<table:table-column table:style-name="ColR"/>' + "".join(rows) + "</table:table>"
        )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODT_NS} office:version="1.3">'
        "<office:automatic-styles>"
        '<style:style style:name="Grille" style:family="table"><style:table-properties style:width="17cm"/>'
        "</style:style>"
        '<style:style style:name="ColN" style:family="table-column">'
        '<style:table-column-properties style:column-width="1.5cm"/></style:style>'
        '<style:style style:name="ColQ" style:family="table-column">'
        '<style:table-column-properties style:column-width="7.75cm"/></style:style>'
        '<style:style style:name="ColR" style:family="table-column">'
        '<style:table-column-properties style:column-width="7.75cm"/></style:style>'
        '<style:style style:name="Cell" style:family="table-cell">'
        '<style:table-cell-properties fo:border="0.5pt solid #000000" fo:padding="0.1cm"/></style:style>'
        "</office:automatic-styles>"
        "<office:body><office:text>" + "".join(body) + "</office:text></office:body></office:document-content>\n"
    )
    meta = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {_ODT_NS} office:version="1.3">'
        f"<office:meta><dc:title>{escape(form_title(questionnaire))}</dc:title>"
        "<meta:generator>tnl-assistant</meta:generator></office:meta></office:document-meta>\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        for name, data in (
            ("content.xml", content),
            ("styles.xml", _ODT_STYLES),
            ("meta.xml", meta),
            ("META-INF/manifest.xml", _ODT_MANIFEST),
        ):
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def render_form(questionnaire: Questionnaire, fmt: str, label_address: str = LABEL_ADDRESS) -> bytes:
    """The blank form in ``fmt`` (odt, docx, md, txt) as bytes (UTF-8 for the text formats)."""
    if fmt == "md":
        return render_markdown(questionnaire, label_address).encode("utf-8")
    if fmt == "txt":
        return render_text(questionnaire, label_address).encode("utf-8")
    if fmt == "docx":
        return render_docx(questionnaire, label_address)
    if fmt == "odt":
        return render_odt(questionnaire, label_address)
    raise ValueError(f"format inconnu {fmt!r} (formats possibles : {', '.join(FORMATS)})")


def default_filename(questionnaire: Questionnaire, fmt: str) -> str:
    return f"questionnaire-tnl-{questionnaire.edition}.{fmt}"


# ---------------------------------------------------------------------------
# Filling a form programmatically (round-trip tests, demonstrations, sample dossiers)


def fill_form(questionnaire: Questionnaire, fmt: str, data: bytes, answers: dict[str, str]) -> bytes:
    """``data`` (a form from :func:`render_form`) with ``answers`` (id → text) typed in, as a person would."""
    if fmt in ("md", "txt"):
        return _fill_text(questionnaire, data.decode("utf-8"), answers).encode("utf-8")
    if fmt == "docx":
        return _fill_docx(data, answers)
    if fmt == "odt":
        return _fill_odt(data, answers)
    raise ValueError(f"format inconnu {fmt!r}")


def _fill_text(questionnaire: Questionnaire, text: str, answers: dict[str, str]) -> str:
    lines = text.split("\n")
    by_line = {question_line(q): q.id for q in questionnaire.questions()}
    out: list[str] = []
    current: str | None = None
    for line in lines:
        if line in by_line:
            current = by_line[line]
        elif line == ANSWER_LABEL and current in answers:
            first, *others = answers[current].split("\n")
            out.append(f"{ANSWER_LABEL} {first}")
            out.extend(others)
            current = None
            continue
        out.append(line)
    return "\n".join(out)


def _fill_docx(data: bytes, answers: dict[str, str]) -> bytes:
    import docx

    document = docx.Document(io.BytesIO(data))
    for table in document.tables:
        for row in table.rows:
            cells = row.cells
            qid = cells[0].text.strip()
            if qid in answers:
                first, *others = answers[qid].split("\n")
                cells[2].text = first
                for other in others:
                    cells[2].add_paragraph(other)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _fill_odt(data: bytes, answers: dict[str, str]) -> bytes:
    import re

    source = zipfile.ZipFile(io.BytesIO(data))
    content = source.read("content.xml").decode("utf-8")
    cell_re = re.compile(r"(<table:table-cell[^>]*>)(.*?)(</table:table-cell>)", re.DOTALL)

    def fill_row(match: re.Match[str]) -> str:
        row = match.group(0)
        cells = cell_re.findall(row)
        if len(cells) < 3:
            return row
        qid = re.sub(r"<[^>]+>", "", cells[0][1]).strip()
        if qid not in answers:
            return row
        paragraphs = "".join(f"<text:p>{escape(p)}</text:p>" for p in answers[qid].split("\n"))
        old = "".join(cells[2])
        return row.replace(old, cells[2][0] + paragraphs + cells[2][2])

    content = re.sub(r"<table:table-row>.*?</table:table-row>", fill_row, content, flags=re.DOTALL)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            payload = content.encode("utf-8") if info.filename == "content.xml" else source.read(info)
            target.writestr(info, payload)
    return buffer.getvalue()
