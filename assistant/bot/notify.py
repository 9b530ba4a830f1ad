"""Push staff notices (new/incomplete/complete dossiers, quarantine, unanswered questions…) to the staff chats.

Every ``notify_interval_seconds`` the bot sends each notice of :data:`NOTIFY_KINDS` whose
``telegram_sent_at`` is empty to every staff chat, then stamps it. Backlog policy: a notice
older than :data:`MAX_AGE` (24 h) or already resolved is stamped without being sent, so a
first start (or a bot down for days) does not flood the chats with stale news; those stay
listed on the dashboard. A transient Telegram failure (network, flood wait) leaves the
notice unstamped for the next pass; a chat that refuses the bot (blocked, unknown) is
logged and skipped.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError

from assistant.bot.markup import render
from assistant.dossiers import store as dstore
from assistant.store.database import Database, from_db_time, to_db_time, utcnow

log = logging.getLogger(__name__)

MAX_AGE = dt.timedelta(hours=24)
BATCH = 20
NOTIFY_KINDS: dict[str, str] = {  # kind → French title
    "dossier": "Dossier mis à jour",
    "quarantaine": "Message en quarantaine",
    "faq": "Question sans réponse",
    "piece_illisible": "Pièce jointe illisible",
    "rattachement": "Message à rattacher",
    "rebond": "Courriel non distribué",
    "envoi": "Réponse non envoyée",
    "imap": "Relève du courrier",
}
_NUMBER = re.compile(r"TNL-\d{4}-\d{4}")


@dataclass(frozen=True)
class PendingNotice:
    id: int
    created_at: dt.datetime
    kind: str
    summary: str


def _kinds_sql() -> str:
    return ", ".join("?" for _ in NOTIFY_KINDS)


def skip_stale(db: Database, now: dt.datetime | None = None) -> int:
    """Stamp, without sending, the notices older than MAX_AGE or already resolved. Returns how many."""
    now = now or utcnow()
    with db.transaction():
        cur = db.execute(
            f"""UPDATE notices SET telegram_sent_at = ? WHERE telegram_sent_at IS NULL
                AND kind IN ({_kinds_sql()}) AND (created_at < ? OR resolved_at IS NOT NULL)""",
            (to_db_time(now), *NOTIFY_KINDS, to_db_time(now - MAX_AGE)),
        )
    return cur.rowcount


def pending(db: Database, limit: int = BATCH) -> list[PendingNotice]:
    rows = db.all(
        f"""SELECT id, created_at, kind, summary FROM notices WHERE telegram_sent_at IS NULL
            AND resolved_at IS NULL AND kind IN ({_kinds_sql()}) ORDER BY id LIMIT ?""",
        (*NOTIFY_KINDS, limit),
    )
    return [PendingNotice(r["id"], from_db_time(r["created_at"]), r["kind"], r["summary"]) for r in rows]


def mark_sent(db: Database, notice_id: int, now: dt.datetime | None = None) -> None:
    with db.transaction():
        db.execute("UPDATE notices SET telegram_sent_at = ? WHERE id = ?", (to_db_time(now or utcnow()), notice_id))


def title_for(db: Database, notice: PendingNotice, number: str | None) -> str:
    """The French title; for a dossier, says whether it is new, complete or updated."""
    title = NOTIFY_KINDS.get(notice.kind, notice.kind)
    if notice.kind != "dossier" or number is None:
        return title
    dossier = dstore.find_by_number(db, number)
    if dossier is None:
        return title
    filed = [e for e in dstore.events(db, dossier.id) if e.kind == "message" and e.at <= notice.created_at]
    if len(filed) <= 1:
        return f"Nouveau dossier ({dossier.state})"
    if f": {dstore.STATE_COMPLETE}," in notice.summary:
        return "Dossier complet"
    return title


def format_notice(db: Database, notice: PendingNotice) -> str:
    match = _NUMBER.search(notice.summary)
    number = match.group() if match else None
    return render("notification", title=title_for(db, notice, number), notice=notice, number=number)


class Notifier:
    """Sends the pending notices of ``db`` to ``chat_ids`` through ``bot`` (in the bot's event loop)."""

    def __init__(self, db: Database, bot: Bot, chat_ids: Sequence[int]) -> None:
        self.db = db
        self.bot = bot
        self.chat_ids = list(chat_ids)

    async def run_once(self) -> int:
        """One pass; returns the number of notices sent."""
        skipped = skip_stale(self.db)
        if skipped:
            log.info("telegram notifications: %d old or resolved notice(s) not sent", skipped)
        if not self.chat_ids:
            return 0
        sent = 0
        for notice in pending(self.db):
            text = format_notice(self.db, notice)
            for chat_id in self.chat_ids:
                try:
                    await self.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML,
                                                link_preview_options=LinkPreviewOptions(is_disabled=True))
                except (Forbidden, BadRequest) as exc:
                    log.warning("telegram notification #%d not delivered to chat %s: %s", notice.id, chat_id, exc)
                except TelegramError as exc:
                    log.warning("telegram notification #%d: %s, retried at next pass", notice.id, exc)
                    return sent
            mark_sent(self.db, notice.id)
            sent += 1
            log.info("telegram notification #%d (%s) sent to %d chat(s)", notice.id, notice.kind, len(self.chat_ids))
        return sent

    async def run_forever(self, interval: float) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("telegram notifications: pass failed")
            await asyncio.sleep(interval)
