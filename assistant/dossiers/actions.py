"""Staff actions on dossiers, shared by the CLI, the dashboard and the Telegram bot.

Each action is recorded in the dossier's events with who did it and when.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from assistant.config import Settings
from assistant.dossiers import store as dstore
from assistant.dossiers.handler import group_by_volet, questionnaire_for
from assistant.mail.compose import build_message, reply_subject
from assistant.mail.parse import parse_message
from assistant.store import messages as msg_store
from assistant.store import outbox as outbox_store
from assistant.store.database import Database, from_db_time, to_db_time, utcnow

log = logging.getLogger(__name__)

KIND_MANUAL = "manuelle"
KIND_AUTO = "automatique"


class ActionError(Exception):
    """The action cannot be done; the French message says why."""


@dataclass(frozen=True)
class ReminderResult:
    dossier: str
    recipient: str
    outbox_id: int


def _latest_incoming(db: Database, dossier: dstore.Dossier):
    if dossier.thread_id is None:
        return None
    row = db.one("SELECT id FROM messages WHERE thread_id = ? OR id = ? ORDER BY id DESC LIMIT 1",
                 (dossier.thread_id, dossier.thread_id))
    return parse_message(msg_store.get_raw(db, row["id"])) if row else None


def send_reminder(db: Database, settings: Settings, number: str, actor: str, kind: str = KIND_MANUAL) -> ReminderResult:
    """Queue a reminder with the current missing list, threaded with the dossier's last message."""
    dossier = dstore.find_by_number(db, number)
    if dossier is None:
        raise ActionError(f"dossier {number} introuvable")
    if dossier.state != dstore.STATE_INCOMPLETE:
        raise ActionError(f"dossier {dossier.number} : état « {dossier.state} », pas de relance")
    latest = _latest_incoming(db, dossier)
    recipient = dossier.responsable_email or (latest.reply_address() if latest else None)
    if not recipient:
        raise ActionError(f"dossier {dossier.number} : aucune adresse de responsable connue")
    questionnaire = questionnaire_for(dossier.edition)
    closes = settings.edition.closes or questionnaire.closes
    outgoing = build_message(
        sender=settings.reply_sender(),
        sender_name=settings.label.name,
        recipient=recipient,
        subject=reply_subject(latest.subject if latest else "Votre candidature", dossier.number),
        template="relance",
        context={
            "label": settings.label,
            "recipient_name": latest.from_name if latest else "",
            "dossier": dossier,
            "missing_by_volet": group_by_volet(questionnaire, dossier.missing, {}),
            "invalid_by_volet": group_by_volet(questionnaire, list(dossier.invalid), dossier.invalid),
            "unreadable": [],
            "closes": closes,
        },
        in_reply_to=latest,
        automatic=kind == KIND_AUTO,
    )
    with db.transaction():
        outbox_id = outbox_store.enqueue(
            db, message_id=outgoing.message_id, reply_to=None, kind=outbox_store.KIND_STAFF, template="relance",
            recipient=recipient, subject=outgoing.subject, raw=outgoing.raw,
        )
        db.execute("INSERT INTO reminders (dossier_id, sent_at, kind, actor, outbox) VALUES (?, ?, ?, ?, ?)",
                   (dossier.id, to_db_time(utcnow()), kind, actor, outbox_id))
        dstore.add_event(db, dossier.id, "relance", actor,
                         f"relance {kind} envoyée à {recipient} ({len(dossier.missing)} réponse(s) manquante(s))")
    log.info("dossier %s: reminder (%s) queued as outbox #%s", dossier.number, kind, outbox_id)
    return ReminderResult(dossier.number, recipient, int(outbox_id))


def last_reminder_at(db: Database, dossier_id: int) -> dt.datetime | None:
    row = db.one("SELECT MAX(sent_at) AS at FROM reminders WHERE dossier_id = ?", (dossier_id,))
    return from_db_time(row["at"]) if row and row["at"] else None


def due_automatic_reminders(db: Database, settings: Settings, today: dt.date | None = None) -> list[str]:
    """Numbers of incomplete dossiers due for an automatic reminder today (none sent in the period)."""
    today = today or utcnow().date()
    due: list[str] = []
    for dossier in dstore.list_dossiers(db, state=dstore.STATE_INCOMPLETE):
        closes = settings.edition.closes if dossier.edition == settings.edition.active else None
        closes = closes or questionnaire_for(dossier.edition).closes
        if closes is None or today > closes:
            continue
        days_left = (closes - today).days
        if not any(days_left <= d for d in settings.reminders.days_before_close):
            continue
        last = last_reminder_at(db, dossier.id)
        if last is not None and utcnow() - last < dt.timedelta(days=settings.reminders.min_days_between):
            continue
        due.append(dossier.number)
    return due


def send_automatic_reminders(db: Database, settings: Settings, today: dt.date | None = None) -> list[ReminderResult]:
    results = []
    for number in due_automatic_reminders(db, settings, today):
        try:
            results.append(send_reminder(db, settings, number, "assistant", KIND_AUTO))
        except ActionError as exc:
            log.warning("automatic reminder skipped: %s", exc)
    return results


def _require(db: Database, number: str) -> dstore.Dossier:
    dossier = dstore.find_by_number(db, number)
    if dossier is None:
        raise ActionError(f"dossier {number} introuvable")
    return dossier


def mark_complete(db: Database, number: str, actor: str, reason: str) -> None:
    """Staff override: complete despite what the check says (the reason is mandatory)."""
    if not reason.strip():
        raise ActionError("un motif est obligatoire pour forcer un dossier complet")
    dossier = _require(db, number)
    dstore.set_state(db, dossier.id, dstore.STATE_COMPLETE, actor, f"forcé complet : {reason}")


def withdraw(db: Database, number: str, actor: str, reason: str) -> None:
    dossier = _require(db, number)
    dstore.set_state(db, dossier.id, dstore.STATE_WITHDRAWN, actor, reason or "retiré")


def reopen(db: Database, number: str, actor: str, reason: str) -> None:
    """Back to what the answers say: complet or incomplet."""
    dossier = _require(db, number)
    state = dstore.STATE_COMPLETE if not dossier.missing and not dossier.invalid else dstore.STATE_INCOMPLETE
    dstore.set_state(db, dossier.id, state, actor, f"rouvert : {reason}" if reason else "rouvert")
