"""Process stored messages: classify → handler → replies queued in the outbox.

A message is processed in one transaction: its verdict, whatever the handler
records (dossier, FAQ question…) and its reply are committed together, so a crash
leaves either nothing (the message is processed again) or everything (the reply
waits in the outbox). An attempt is counted before processing, so a message that
kills the process is quarantined after ``max_attempts`` instead of looping.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.config import Settings
from assistant.mail import classify as cls
from assistant.mail.compose import build_message, reply_subject
from assistant.mail.parse import ParsedMessage, message_id_list, parse_message
from assistant.store import messages as msg_store
from assistant.store import outbox as outbox_store
from assistant.store.database import Database, utcnow
from assistant.store.messages import StoredMessage
from assistant.store.notices import add_notice

log = logging.getLogger(__name__)


@dataclass
class ReplyIntent:
    """A reply a handler wants sent; the pipeline decides whether it may be."""

    template: str
    context: dict[str, object]
    subject: str | None = None  # default: "Re: <original subject>" with the dossier tag
    tag: str | None = None  # dossier tag kept in the subject, e.g. TNL-2024-0042


@dataclass
class HandlerResult:
    replies: list[ReplyIntent] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)  # (kind, French summary) for staff
    thread_id: int | None = None
    related_message: int | None = None
    related_outbox: int | None = None
    note: str = ""  # appended to the verdict's reason in the store


@dataclass
class HandlerInput:
    db: Database
    settings: Settings
    stored: StoredMessage
    parsed: ParsedMessage
    verdict: cls.Verdict


Handler = Callable[[HandlerInput], HandlerResult]


def _acknowledge(inp: HandlerInput) -> HandlerResult:
    """Until a feature claims the category: a plain acknowledgement, and the message goes to staff."""
    return HandlerResult(
        replies=[ReplyIntent("accuse_reception", {"category": inp.verdict.category})],
        notices=[("a_traiter", f"{_describe(inp)} : à traiter par l'équipe ({inp.verdict.reason})")],
    )


def _record_only(inp: HandlerInput) -> HandlerResult:
    return HandlerResult()


def _bounce(inp: HandlerInput) -> HandlerResult:
    """Link the bounce to the reply it bounces, and tell staff; never answered."""
    candidates: list[str] = []
    for headers in inp.parsed.embedded_headers:
        for name, value in headers:
            if name.lower() == "message-id":
                candidates.extend(message_id_list(value))
    candidates += inp.parsed.references
    if inp.parsed.in_reply_to:
        candidates.append(inp.parsed.in_reply_to)
    original = outbox_store.find_by_message_ids(inp.db, candidates)
    failed = (", ".join(inp.parsed.failed_recipients) or inp.parsed.header("X-Failed-Recipients")
              or (original.recipient if original else "destinataire inconnu"))
    if original is None:
        return HandlerResult(notices=[("rebond", f"{_describe(inp)} : avis de non-remise pour {failed}, "
                                                 "message d'origine non retrouvé")])
    thread = msg_store.get_message(inp.db, original.reply_to) if original.reply_to else None
    return HandlerResult(
        notices=[("rebond", f"{_describe(inp)} : notre réponse {original.message_id} à {original.recipient} "
                            f"n'a pas été remise ({failed})")],
        related_outbox=original.id,
        related_message=original.reply_to,
        thread_id=(thread.thread_id or thread.id) if thread else None,
    )


def _describe(inp: HandlerInput) -> str:
    return f"message #{inp.stored.id} de {inp.parsed.from_addr or '?'} ({inp.parsed.log_id()})"


DEFAULT_HANDLERS: dict[str, Handler] = {
    cls.OWN: _record_only,
    cls.AUTOMATIC: _record_only,
    cls.LIST: _record_only,
    cls.BOUNCE: _bounce,
    cls.FOLLOWUP: _acknowledge,
    cls.CANDIDATURE: _acknowledge,
    cls.QUESTION: _acknowledge,
    cls.OTHER: _acknowledge,
}

# Dossier tags ("TNL-2024-0042") → the thread of that dossier; features register lookups here.
TagLookup = Callable[[Database, str], int | None]


class Pipeline:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        handlers: dict[str, Handler] | None = None,
        tag_lookups: list[TagLookup] | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.handlers = {**DEFAULT_HANDLERS, **(handlers or {})}
        self.tag_lookups = tag_lookups or []
        self.own_addresses = settings.own_addresses()

    # -- thread lookup -------------------------------------------------------------------------
    def find_thread(self, parsed: ParsedMessage) -> cls.ThreadLink | None:
        ids = [*([parsed.in_reply_to] if parsed.in_reply_to else []), *reversed(parsed.references)]
        ids = [i for i in ids if i != parsed.message_id]
        known = msg_store.find_by_message_ids(self.db, ids)
        if known is not None:
            return cls.ThreadLink(known.thread_id or known.id, via="In-Reply-To/References")
        ours = outbox_store.find_by_message_ids(self.db, ids)
        if ours is not None and ours.reply_to is not None:
            answered = msg_store.get_message(self.db, ours.reply_to)
            if answered is not None:
                return cls.ThreadLink(answered.thread_id or answered.id, via="réponse à notre message")
        found = cls.DOSSIER_TAG_RE.search(parsed.subject)
        if found:
            tag = found.group(1).upper()
            for lookup in self.tag_lookups:
                thread_id = lookup(self.db, tag)
                if thread_id is not None:
                    return cls.ThreadLink(thread_id, dossier_tag=tag, via=f"étiquette {tag}")
        return None

    # -- processing ----------------------------------------------------------------------------
    def run_pending(self) -> int:
        """Process every waiting message (each retried up to max_attempts); returns how many were handled."""
        handled = 0
        while ids := msg_store.pending_ids(self.db, self.settings.pipeline.batch_size):
            for message_db_id in ids:
                self.process(message_db_id)
                handled += 1
        return handled

    def process(self, message_db_id: int) -> None:
        max_attempts = self.settings.pipeline.max_attempts
        while True:
            attempts = msg_store.begin_attempt(self.db, message_db_id)
            if attempts > max_attempts:
                self._quarantine(message_db_id, "trop d'essais interrompus (le traitement a planté)")
                return
            try:
                self._process_once(message_db_id)
                return
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                log.exception("message #%d: processing failed (attempt %d/%d)", message_db_id, attempts,
                              max_attempts)
                if attempts >= max_attempts:
                    self._quarantine(message_db_id, error)
                    return
                msg_store.record_failure(self.db, message_db_id, error, quarantine=False)

    def _quarantine(self, message_db_id: int, error: str) -> None:
        msg_store.record_failure(self.db, message_db_id, error, quarantine=True)
        stored = msg_store.get_message(self.db, message_db_id)
        add_notice(self.db, "quarantaine",
                   f"Message #{message_db_id} ({stored.message_id if stored else '?'}) mis en quarantaine : {error}",
                   message_db_id)
        log.error("message #%d (%s) quarantined: %s", message_db_id, stored.message_id if stored else "?", error)

    def _process_once(self, message_db_id: int) -> None:
        stored = msg_store.get_message(self.db, message_db_id)
        if stored is None or stored.state != msg_store.STATE_NEW:
            return
        parsed = parse_message(msg_store.get_raw(self.db, message_db_id))
        ctx = cls.ClassifyContext(own_addresses=self.own_addresses, find_thread=self.find_thread)
        verdict = cls.classify(parsed, ctx)
        handler = self.handlers[verdict.category]
        with self.db.transaction():
            result = handler(HandlerInput(self.db, self.settings, stored, parsed, verdict))
            thread_id = result.thread_id or (verdict.thread.thread_id if verdict.thread else None) or stored.id
            outcome = self._queue_replies(stored, parsed, verdict, result)
            for kind, summary in result.notices:
                add_notice(self.db, kind, summary, stored.id)
            reason = "; ".join(p for p in (verdict.reason, result.note, outcome) if p)
            msg_store.mark_done(self.db, stored.id, verdict.category, reason, thread_id,
                                result.related_message, result.related_outbox)
        log.info("message %s (#%d) from %s: %s — %s", parsed.log_id(), stored.id, parsed.from_addr,
                 verdict.category, reason)

    def _queue_replies(
        self, stored: StoredMessage, parsed: ParsedMessage, verdict: cls.Verdict, result: HandlerResult
    ) -> str:
        """Queue at most one automatic reply; say why none was queued."""
        if not result.replies:
            return ""
        if not verdict.answerable:
            return "pas de réponse (message automatique)"
        if not stored.answerable:
            return "pas de réponse (message antérieur à la date de reprise)"
        recipient = parsed.reply_address()
        if not recipient or recipient.lower() in self.own_addresses:
            return "pas de réponse (aucune adresse de réponse utilisable)"
        cap = self.settings.outbox.max_auto_replies_per_sender_per_day
        sent_today = outbox_store.auto_replies_since(self.db, recipient, utcnow() - dt.timedelta(days=1))
        if sent_today >= cap:
            add_notice(self.db, "plafond",
                       f"{recipient} a déjà reçu {sent_today} réponses automatiques en 24 h : "
                       f"message #{stored.id} non répondu automatiquement", stored.id)
            log.warning("message %s: no reply, %s reached the cap of %d replies/day", parsed.log_id(),
                        recipient, cap)
            return f"pas de réponse (plafond de {cap} réponses par jour atteint)"
        intent = result.replies[0]
        context = {
            "label": self.settings.label,
            "recipient_name": parsed.from_name,
            "original_subject": parsed.subject,
            "received_at": stored.received_at,
            **intent.context,
        }
        tag = intent.tag or (verdict.thread.dossier_tag if verdict.thread else None)
        outgoing = build_message(
            sender=self.settings.reply_sender(),
            sender_name=self.settings.label.name,
            recipient=recipient,
            subject=intent.subject or reply_subject(parsed.subject, tag),
            template=intent.template,
            context=context,
            in_reply_to=parsed,
        )
        queued = outbox_store.enqueue(
            self.db,
            message_id=outgoing.message_id,
            reply_to=stored.id,
            kind=outbox_store.KIND_AUTO,
            template=intent.template,
            recipient=recipient,
            subject=outgoing.subject,
            raw=outgoing.raw,
        )
        if queued is None:
            return "réponse déjà envoyée"
        return f"réponse {intent.template} en file ({outgoing.message_id})"
