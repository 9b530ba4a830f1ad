"""What the dashboard shows, read from the store: counts, the staff queue, search, one dossier's page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from assistant.dossiers import store as dstore
from assistant.dossiers.export import dossier_outbox_ids, thread_message_ids
from assistant.dossiers.handler import questionnaire_for
from assistant.mail.parse import Attachment, parse_message
from assistant.questionnaire.model import Question
from assistant.store import messages as msg_store
from assistant.store.database import Database, from_db_time, to_db_time, utcnow
from assistant.store.notices import Notice

# Notices that only report progress (pushed to Telegram); they do not ask staff to act.
INFORMATIONAL_NOTICES = ("dossier",)


@dataclass(frozen=True)
class Filters:
    q: str = ""
    edition: str = ""
    state: str = ""
    structure_type: str = ""
    departement: str = ""
    volet: str = ""

    def active(self) -> bool:
        return any((self.q, self.structure_type, self.departement, self.volet))


@dataclass(frozen=True)
class WaitingDossier:
    dossier: dstore.Dossier
    reasons: list[str]


@dataclass(frozen=True)
class AnswerRow:
    question: Question
    value: str | None
    source: str | None
    message: int | None
    status: str  # ok, manquante, invalide, facultative
    reason: str
    previous: list[dstore.StoredAnswer]


@dataclass(frozen=True)
class VoletView:
    id: str
    title: str
    rows: list[AnswerRow]
    missing: int


@dataclass(frozen=True)
class AttachmentInfo:
    index: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ThreadItem:
    at: dt.datetime
    direction: str  # reçu, envoyé
    label: str  # message reçu, réponse automatique, relance…
    sender: str
    recipient: str
    subject: str
    text: str
    message_id: int | None = None  # stored incoming message (for attachments)
    state: str = ""
    attachments: list[AttachmentInfo] = field(default_factory=list)


@dataclass(frozen=True)
class DossierPage:
    dossier: dstore.Dossier
    volets: list[VoletView]
    thread: list[ThreadItem]
    events: list[dstore.DossierEvent]
    notices: list[Notice]
    closes: dt.date | None


def state_counts(db: Database, edition: str) -> dict[str, int]:
    counts = dict.fromkeys(dstore.STATES, 0)
    for r in db.all("SELECT state, COUNT(*) AS n FROM dossiers WHERE edition = ? GROUP BY state", (edition,)):
        counts[r["state"]] = r["n"]
    return counts


def editions(db: Database, active: str) -> list[str]:
    found = {r["edition"] for r in db.all("SELECT DISTINCT edition FROM dossiers")}
    return sorted(found | {active}, reverse=True)


def _notice(r) -> Notice:
    return Notice(r["id"], from_db_time(r["created_at"]), r["kind"], r["message"], r["summary"],
                  from_db_time(r["resolved_at"]))


def dossier_notices(db: Database, dossier: dstore.Dossier, message_ids: list[int] | None = None) -> list[Notice]:
    """Open notices asking staff to act on this dossier: about one of its messages, or naming it."""
    ids = thread_message_ids(db, dossier) if message_ids is None else message_ids
    kinds = ",".join("?" * len(INFORMATIONAL_NOTICES))
    sql = f"SELECT * FROM notices WHERE resolved_at IS NULL AND kind NOT IN ({kinds}) AND (summary LIKE ?"
    params: list[object] = [*INFORMATIONAL_NOTICES, f"%{dossier.number}%"]
    if ids:
        sql += f" OR message IN ({','.join('?' * len(ids))})"
        params += ids
    return [_notice(r) for r in db.all(sql + ") ORDER BY id", tuple(params))]


def waiting_on_staff(db: Database, dossiers: list[dstore.Dossier]) -> list[WaitingDossier]:
    waiting = []
    for d in dossiers:
        reasons = [f"signalement : {d.staff_flag}"] if d.staff_flag else []
        reasons += [f"{n.kind} : {n.summary}" for n in dossier_notices(db, d)]
        if reasons:
            waiting.append(WaitingDossier(d, reasons))
    return waiting


def search(db: Database, filters: Filters) -> list[dstore.Dossier]:
    dossiers = dstore.list_dossiers(db, state=filters.state or None, edition=filters.edition or None)
    needle = dstore.collectivite_key(filters.q) or ""
    result = []
    for d in dossiers:
        if needle:
            haystack = " ".join(x for x in (d.number.lower(), dstore.collectivite_key(d.collectivite) or "",
                                            (d.responsable_email or "").lower()) if x)
            if needle not in haystack and filters.q.strip().lower() not in haystack:
                continue
        if filters.structure_type and (d.structure_type or "") != filters.structure_type:
            continue
        if filters.departement and (d.departement or "") != filters.departement:
            continue
        if filters.volet:
            prefix = f"{filters.volet}."
            if not any(qid.startswith(prefix) for qid in [*d.missing, *d.invalid]):
                continue
        result.append(d)
    return result


def filter_options(db: Database, edition: str) -> dict[str, list[str]]:
    def distinct(column: str) -> list[str]:
        rows = db.all(f"SELECT DISTINCT {column} AS v FROM dossiers WHERE edition = ? AND {column} IS NOT NULL "
                      f"ORDER BY {column}", (edition,))
        return [r["v"] for r in rows]

    return {"structure_types": distinct("structure_type"), "departements": distinct("departement")}


def _volets(db: Database, dossier: dstore.Dossier) -> list[VoletView]:
    questionnaire = questionnaire_for(dossier.edition)
    current = dstore.current_answers(db, dossier.id)
    history: dict[str, list[dstore.StoredAnswer]] = {}
    for a in dstore.answer_history(db, dossier.id):
        if a.superseded_at is not None:
            history.setdefault(a.question_id, []).append(a)
    views = []
    for volet in questionnaire.volets:
        rows = []
        for q in volet.questions:
            answer = current.get(q.id)
            if q.id in dossier.invalid:
                status, reason = "invalide", dossier.invalid[q.id]
            elif q.id in dossier.missing:
                status, reason = "manquante", ""
            elif answer is None and not q.mandatory:
                status, reason = "facultative", ""
            else:
                status, reason = "ok", ""
            rows.append(AnswerRow(q, answer.value if answer else None, answer.source if answer else None,
                                  answer.message if answer else None, status, reason, history.get(q.id, [])))
        views.append(VoletView(volet.id, volet.title, rows,
                               sum(r.status in ("manquante", "invalide") for r in rows)))
    return views


def _attachments(attachments: list[Attachment]) -> list[AttachmentInfo]:
    return [AttachmentInfo(i, a.filename, a.content_type, len(a.data)) for i, a in enumerate(attachments)]


_OUTGOING_LABELS = {"relance": "relance", "dossier_incomplet": "réponse automatique : dossier incomplet",
                    "dossier_complet": "réponse automatique : dossier complet",
                    "dossier_hors_delai": "réponse automatique : hors délai",
                    "dossier_retire": "réponse automatique : dossier retiré",
                    "dossier_rattachement": "réponse automatique : rattachement à vérifier"}
_OUTBOX_STATES = {"pending": "en attente d'envoi", "sent": "envoyé", "failed": "échec d'envoi"}


def thread(db: Database, dossier: dstore.Dossier, message_ids: list[int]) -> list[ThreadItem]:
    """Incoming messages and everything we sent about the dossier (automatic replies, reminders), in order."""
    items: list[ThreadItem] = []
    for mid in message_ids:
        row = db.one("SELECT received_at, sender, recipients, subject, raw FROM messages WHERE id = ?", (mid,))
        parsed = parse_message(bytes(row["raw"]))
        items.append(ThreadItem(from_db_time(row["received_at"]), "reçu", "message reçu", row["sender"] or "",
                                row["recipients"] or "", row["subject"] or "", parsed.text, mid,
                                attachments=_attachments(parsed.attachments)))
    for oid in dossier_outbox_ids(db, dossier, message_ids):
        row = db.one("SELECT * FROM outbox WHERE id = ?", (oid,))
        parsed = parse_message(bytes(row["raw"]))
        label = _OUTGOING_LABELS.get(row["template"] or "", f"réponse automatique ({row['template']})"
                                     if row["kind"] == "auto" else "message de l'équipe")
        items.append(ThreadItem(from_db_time(row["created_at"]), "envoyé", label, parsed.from_addr,
                                row["recipient"], row["subject"], parsed.text,
                                state=_OUTBOX_STATES.get(row["state"], row["state"])))
    return sorted(items, key=lambda i: i.at)


def dossier_page(db: Database, dossier: dstore.Dossier, closes: dt.date | None) -> DossierPage:
    message_ids = thread_message_ids(db, dossier)
    return DossierPage(dossier, _volets(db, dossier), thread(db, dossier, message_ids),
                       dstore.events(db, dossier.id), dossier_notices(db, dossier, message_ids), closes)


def attachment(db: Database, dossier: dstore.Dossier, message_id: int, index: int) -> Attachment | None:
    """One attachment of one of the dossier's messages (None if the message is not in its thread)."""
    if message_id not in thread_message_ids(db, dossier):
        return None
    parsed = parse_message(msg_store.get_raw(db, message_id))
    return parsed.attachments[index] if 0 <= index < len(parsed.attachments) else None


def resolve_dossier_flags(db: Database, dossier: dstore.Dossier, actor: str) -> int:
    """Staff dealt with what was flagged: clear the flag and close the dossier's notices (recorded)."""
    notices = dossier_notices(db, dossier)
    with db.transaction():
        db.execute("UPDATE dossiers SET staff_flag = NULL, updated_at = ? WHERE id = ?",
                   (to_db_time(utcnow()), dossier.id))
        if notices:
            marks = ",".join("?" * len(notices))
            db.execute(f"UPDATE notices SET resolved_at = ? WHERE id IN ({marks})",
                       (to_db_time(utcnow()), *(n.id for n in notices)))
        dstore.add_event(db, dossier.id, "signalement", actor,
                         f"signalement traité ({len(notices)} avis clos)")
    return len(notices)


def quarantined(db: Database) -> list[msg_store.StoredMessage]:
    return msg_store.list_by_state(db, msg_store.STATE_QUARANTINED, limit=500)
