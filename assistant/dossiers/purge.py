"""RGPD retention: closed dossiers and their mail are deleted once the retention period is over.

A dossier is closed when complet, hors délai or retiré. Its retention runs from the later of its edition's
closing date and its last update. Purging deletes the dossier, its answers, events and reminders, the
messages of its thread, the replies sent to them and the notices and FAQ questions about them. A thread
shared with a dossier that is kept is left alone. The plan is computed first, so a dry run prints exactly
what ``--apply`` deletes.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from assistant.config import Settings
from assistant.dossiers import store as dstore
from assistant.dossiers.export import dossier_outbox_ids, thread_message_ids
from assistant.dossiers.handler import questionnaire_for
from assistant.questionnaire.model import QuestionnaireError
from assistant.store.database import Database, utcnow

log = logging.getLogger(__name__)

CLOSED_STATES = (dstore.STATE_COMPLETE, dstore.STATE_LATE, dstore.STATE_WITHDRAWN)


@dataclass(frozen=True)
class PurgeItem:
    dossier: dstore.Dossier
    reference_date: dt.date
    message_ids: list[int]
    outbox_ids: list[int]


@dataclass(frozen=True)
class PurgePlan:
    cutoff: dt.date  # dossiers whose reference date is before this are purged
    items: list[PurgeItem]

    @property
    def message_count(self) -> int:
        return sum(len(i.message_ids) for i in self.items)

    @property
    def outbox_count(self) -> int:
        return sum(len(i.outbox_ids) for i in self.items)


def _closing_date(settings: Settings, edition: str) -> dt.date | None:
    if edition == settings.edition.active and settings.edition.closes:
        return settings.edition.closes
    try:
        return questionnaire_for(edition).closes
    except QuestionnaireError:
        return None


def reference_date(settings: Settings, dossier: dstore.Dossier) -> dt.date:
    closes = _closing_date(settings, dossier.edition)
    updated = dossier.updated_at.date()
    return max(updated, closes) if closes else updated


def plan_purge(db: Database, settings: Settings, today: dt.date | None = None) -> PurgePlan:
    today = today or utcnow().date()
    cutoff = today - dt.timedelta(days=settings.privacy.retention_days)
    expired = [d for d in dstore.list_dossiers(db) if d.state in CLOSED_STATES
               and reference_date(settings, d) < cutoff]
    purged_ids = {d.id for d in expired}
    items = []
    for d in expired:
        shared = d.thread_id is not None and db.one(
            f"SELECT 1 FROM dossiers WHERE thread_id = ? AND id NOT IN ({','.join('?' * len(purged_ids))})",
            (d.thread_id, *purged_ids)) is not None
        message_ids = [] if shared else thread_message_ids(db, d)
        items.append(PurgeItem(d, reference_date(settings, d), message_ids, dossier_outbox_ids(db, d, message_ids)))
    return PurgePlan(cutoff, items)


def _in(ids: list[int]) -> str:
    return ",".join("?" * len(ids))


def apply_purge(db: Database, plan: PurgePlan) -> None:
    """Delete everything in the plan, in one transaction."""
    with db.transaction():
        for item in plan.items:
            _delete_dossier(db, item)
    log.info("purge: %d dossier(s), %d message(s), %d outgoing message(s) deleted", len(plan.items),
             plan.message_count, plan.outbox_count)


def _delete_dossier(db: Database, item: PurgeItem) -> None:
    dossier_id = item.dossier.id
    db.execute("DELETE FROM reminders WHERE dossier_id = ?", (dossier_id,))
    db.execute("DELETE FROM dossier_answers WHERE dossier_id = ?", (dossier_id,))
    db.execute("DELETE FROM dossier_events WHERE dossier_id = ?", (dossier_id,))
    db.execute("DELETE FROM dossiers WHERE id = ?", (dossier_id,))
    outbox, messages = item.outbox_ids, item.message_ids
    if outbox:
        db.execute(f"UPDATE reminders SET outbox = NULL WHERE outbox IN ({_in(outbox)})", tuple(outbox))
        db.execute(f"UPDATE messages SET related_outbox = NULL WHERE related_outbox IN ({_in(outbox)})",
                   tuple(outbox))
        db.execute(f"DELETE FROM outbox WHERE id IN ({_in(outbox)})", tuple(outbox))
    if messages:
        params = tuple(messages)
        db.execute(f"DELETE FROM outbox WHERE reply_to IN ({_in(messages)})", params)
        db.execute(f"DELETE FROM notices WHERE message IN ({_in(messages)})", params)
        db.execute(f"DELETE FROM faq_questions WHERE message IN ({_in(messages)})", params)
        for table in ("dossier_answers", "dossier_events"):
            db.execute(f"UPDATE {table} SET message = NULL WHERE message IN ({_in(messages)})", params)
        db.execute(f"UPDATE messages SET related_message = NULL WHERE related_message IN ({_in(messages)})", params)
        db.execute(f"UPDATE messages SET thread_id = NULL WHERE id IN ({_in(messages)})", params)
        db.execute(f"UPDATE messages SET thread_id = id WHERE thread_id IN ({_in(messages)})", params)
        db.execute(f"DELETE FROM messages WHERE id IN ({_in(messages)})", params)
