"""Exports of the dossiers: the jury's table (ODS, CSV, JSON) and everything held about one collectivité.

The jury table has one row per dossier and one column per question of the edition (header "1.2 Short
text"). The ODS file is written by hand (zip + XML) so it needs nothing beyond the standard library; every
cell is a string cell, so nothing a candidate wrote is ever evaluated as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from assistant.dossiers import store as dstore
from assistant.dossiers.handler import questionnaire_for
from assistant.mail.parse import parse_message
from assistant.store.database import Database, utcnow

FORMATS = ("ods", "csv", "json")
MEDIA_TYPES = {
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
FIXED_COLUMNS = ("Numéro", "État", "Collectivité", "Type de structure", "Département", "Courriel du responsable",
                 "Déposé le", "Mis à jour le", "Réponses manquantes", "Réponses invalides")
HEADER_TEXT_LENGTH = 60
_XML_INVALID_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FORMULA_START = ("=", "+", "@", "\t", "\r")


@dataclass(frozen=True)
class JuryTable:
    edition: str
    headers: list[str]
    question_ids: list[str]
    question_texts: list[str]
    rows: list[list[str]]
    dossiers: list[dstore.Dossier]
    answers: list[dict[str, str]]


def short_text(text: str, limit: int = HEADER_TEXT_LENGTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _day(moment: dt.datetime | None) -> str:
    return moment.date().isoformat() if moment else ""


def jury_table(db: Database, edition: str, states: tuple[str, ...] | None = None) -> JuryTable:
    questionnaire = questionnaire_for(edition)
    questions = questionnaire.questions()
    dossiers = [d for d in dstore.list_dossiers(db, edition=edition) if not states or d.state in states]
    rows: list[list[str]] = []
    all_answers: list[dict[str, str]] = []
    for d in dossiers:
        answers = {qid: a.value for qid, a in dstore.current_answers(db, d.id).items()}
        all_answers.append(answers)
        fixed = [d.number, d.state, d.collectivite or "", d.structure_type or "", d.departement or "",
                 d.responsable_email or "", _day(d.created_at), _day(d.updated_at), ", ".join(d.missing),
                 ", ".join(d.invalid)]
        rows.append(fixed + [answers.get(q.id, "") for q in questions])
    headers = [*FIXED_COLUMNS, *(f"{q.id} {short_text(q.text)}" for q in questions)]
    return JuryTable(edition, headers, [q.id for q in questions], [q.text for q in questions], rows, dossiers,
                     all_answers)


def to_csv(table: JuryTable) -> bytes:
    """UTF-8 with a BOM (spreadsheets then guess the encoding right); formula-like cells are neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(["'" + v if v.startswith(_FORMULA_START) else v for v in row])
    return out.getvalue().encode("utf-8-sig")


def to_json(table: JuryTable) -> bytes:
    data = {
        "edition": table.edition,
        "exported_at": utcnow().isoformat(timespec="seconds"),
        "questions": [{"id": qid, "text": text} for qid, text in zip(table.question_ids, table.question_texts,
                                                                      strict=True)],
        "dossiers": [
            {
                "numero": d.number,
                "etat": d.state,
                "collectivite": d.collectivite,
                "type_structure": d.structure_type,
                "departement": d.departement,
                "responsable_email": d.responsable_email,
                "depose_le": _day(d.created_at),
                "mis_a_jour_le": _day(d.updated_at),
                "manquantes": d.missing,
                "invalides": d.invalid,
                "reponses": {qid: answers[qid] for qid in table.question_ids if qid in answers},
            }
            for d, answers in zip(table.dossiers, table.answers, strict=True)
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


# ---------------------------------------------------------------------------------------------------------
# ODS, by hand

_ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'office:version="1.3"'
)
_MANIFEST = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="{_ODS_MIMETYPE}"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""
_STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {_NS}><office:styles/></office:document-styles>
"""
_AUTOMATIC_STYLES = """<office:automatic-styles>
 <style:style style:name="colfixed" style:family="table-column"><style:table-column-properties style:column-width="3.5cm"/></style:style>
 <style:style style:name="colanswer" style:family="table-column"><style:table-column-properties style:column-width="6cm"/></style:style>
 <style:style style:name="head" style:family="table-cell"><style:table-cell-properties fo:background-color="#dfe8f1" fo:wrap-option="wrap"/><style:text-properties fo:font-weight="bold"/></style:style>
 <style:style style:name="body" style:family="table-cell"><style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="top"/></style:style>
</office:automatic-styles>"""  # noqa: E501


def _xml_text(value: str) -> str:
    return escape(_XML_INVALID_RE.sub("", value))


def _ods_cell(value: str, style: str) -> str:
    if not value:
        return f'<table:table-cell table:style-name="{style}"/>'
    paragraphs = "".join(f"<text:p>{_xml_text(line)}</text:p>" for line in value.split("\n"))
    return f'<table:table-cell table:style-name="{style}" office:value-type="string">{paragraphs}</table:table-cell>'


def to_ods(table: JuryTable) -> bytes:
    sheet = quoteattr(f"Dossiers {table.edition}")
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_NS}>', _AUTOMATIC_STYLES,
             f"<office:body><office:spreadsheet><table:table table:name={sheet}>",
             f'<table:table-column table:style-name="colfixed" table:number-columns-repeated="{len(FIXED_COLUMNS)}"/>']
    if table.question_ids:
        parts.append(f'<table:table-column table:style-name="colanswer" '
                     f'table:number-columns-repeated="{len(table.question_ids)}"/>')
    parts.append("<table:table-header-rows><table:table-row>")
    parts += [_ods_cell(h, "head") for h in table.headers]
    parts.append("</table:table-row></table:table-header-rows>")
    for row in table.rows:
        parts.append("<table:table-row>" + "".join(_ods_cell(v, "body") for v in row) + "</table:table-row>")
    parts.append("</table:table></office:spreadsheet></office:body></office:document-content>\n")
    meta = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {_NS}><office:meta>'
            f"<meta:generator>tnl-assistant</meta:generator>"
            f"<meta:creation-date>{utcnow().strftime('%Y-%m-%dT%H:%M:%S')}</meta:creation-date>"
            "</office:meta></office:document-meta>\n")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), _ODS_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        for name, text in (("content.xml", "".join(parts)), ("styles.xml", _STYLES), ("meta.xml", meta),
                           ("META-INF/manifest.xml", _MANIFEST)):
            archive.writestr(name, text.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def render(table: JuryTable, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"format inconnu {fmt!r} (formats possibles : {', '.join(FORMATS)})")
    return {"ods": to_ods, "csv": to_csv, "json": to_json}[fmt](table)


def default_filename(edition: str, fmt: str) -> str:
    return f"tnl-dossiers-{edition}.{fmt}"


# ---------------------------------------------------------------------------------------------------------
# RGPD: everything held about one collectivité


def find_collectivite_dossiers(db: Database, name_or_number: str) -> list[dstore.Dossier]:
    """The dossier with this number, or every dossier (all editions) of the collectivité with this name."""
    by_number = dstore.find_by_number(db, name_or_number)
    if by_number is not None:
        key = by_number.collectivite and dstore.collectivite_key(by_number.collectivite)
    else:
        key = dstore.collectivite_key(name_or_number)
    if not key:
        return [by_number] if by_number else []
    rows = db.all("SELECT id FROM dossiers WHERE collectivite_key = ? ORDER BY edition, seq", (key,))
    return [dstore.get_dossier(db, r["id"]) for r in rows]


def thread_message_ids(db: Database, dossier: dstore.Dossier) -> list[int]:
    if dossier.thread_id is None:
        return []
    rows = db.all("SELECT id FROM messages WHERE thread_id = ? OR id = ? ORDER BY id",
                  (dossier.thread_id, dossier.thread_id))
    return [r["id"] for r in rows]


def dossier_outbox_ids(db: Database, dossier: dstore.Dossier, message_ids: list[int]) -> list[int]:
    """Automatic replies to the dossier's messages and the reminders sent about it."""
    ids = {r["outbox"] for r in db.all("SELECT outbox FROM reminders WHERE dossier_id = ? AND outbox IS NOT NULL",
                                       (dossier.id,))}
    if message_ids:
        marks = ",".join("?" * len(message_ids))
        ids |= {r["id"] for r in db.all(f"SELECT id FROM outbox WHERE reply_to IN ({marks})", tuple(message_ids))}
    return sorted(ids)


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _mail_record(raw: bytes) -> dict[str, object]:
    parsed = parse_message(raw)
    return {
        "headers": [[k, v] for k, v in parsed.headers],
        "text": parsed.text,
        "html": parsed.html,
        "attachments": [{"filename": a.filename, "content_type": a.content_type, "size": len(a.data)}
                        for a in parsed.attachments],
    }


def _faq_questions(db: Database, message_ids: list[int]) -> list[dict[str, object]]:
    if not message_ids:
        return []
    marks = ",".join("?" * len(message_ids))
    rows = db.all(f"SELECT asked_at, channel, asker, question, entry_id, resolution FROM faq_questions "
                  f"WHERE message IN ({marks}) ORDER BY id", tuple(message_ids))
    return [dict(r) for r in rows]


def collectivite_export(db: Database, name_or_number: str) -> dict[str, object]:
    """Every record held about one collectivité (RGPD right of access); empty ``dossiers`` if unknown."""
    result: list[dict[str, object]] = []
    for d in find_collectivite_dossiers(db, name_or_number):
        message_ids = thread_message_ids(db, d)
        messages = []
        for mid in message_ids:
            row = db.one("SELECT received_at, source, sender, subject, raw FROM messages WHERE id = ?", (mid,))
            messages.append({"id": mid, "received_at": row["received_at"], "source": row["source"],
                             "sender": row["sender"], "subject": row["subject"], **_mail_record(bytes(row["raw"]))})
        replies = []
        for oid in dossier_outbox_ids(db, d, message_ids):
            row = db.one("SELECT * FROM outbox WHERE id = ?", (oid,))
            replies.append({"id": oid, "kind": row["kind"], "template": row["template"],
                            "recipient": row["recipient"], "subject": row["subject"], "state": row["state"],
                            "created_at": row["created_at"], "sent_at": row["sent_at"],
                            **_mail_record(bytes(row["raw"]))})
        result.append({
            "numero": d.number,
            "edition": d.edition,
            "etat": d.state,
            "collectivite": d.collectivite,
            "type_structure": d.structure_type,
            "departement": d.departement,
            "responsable_email": d.responsable_email,
            "code_suivi": d.status_code,
            "cree_le": _time(d.created_at),
            "mis_a_jour_le": _time(d.updated_at),
            "manquantes": d.missing,
            "invalides": d.invalid,
            "signalement": d.staff_flag,
            "reponses": [
                {"question": a.question_id, "valeur": a.value, "source": a.source, "message": a.message,
                 "le": _time(a.created_at), "remplacee_le": _time(a.superseded_at)}
                for a in dstore.answer_history(db, d.id)
            ],
            "historique": [{"le": _time(e.at), "type": e.kind, "par": e.actor, "detail": e.detail,
                            "message": e.message} for e in dstore.events(db, d.id)],
            "relances": [dict(r) for r in db.all("SELECT sent_at, kind, actor, outbox FROM reminders "
                                                 "WHERE dossier_id = ? ORDER BY id", (d.id,))],
            "messages": messages,
            "reponses_envoyees": replies,
            "questions_faq": _faq_questions(db, message_ids),
        })
    return {"demande": name_or_number, "exporte_le": utcnow().isoformat(timespec="seconds"), "dossiers": result}
