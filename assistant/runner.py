"""Wire the sources, the pipeline and the outbox together for ``assistant run``."""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass

from assistant.config import Settings
from assistant.mail.imap_source import ImapSource
from assistant.mail.outbox import FlushReport, OutboxSender, make_transport
from assistant.mail.smtp_intake import SmtpIntake
from assistant.pipeline import Pipeline
from assistant.store.database import Database

log = logging.getLogger(__name__)

# How often the main loop wakes without news, to send deferred replies.
TICK_SECONDS = 1.0
# How often the main loop looks for dossiers due for an automatic reminder.
REMINDER_CHECK_SECONDS = 3600.0


def build_pipeline(db: Database, settings: Settings) -> Pipeline:
    """The pipeline with every feature's handlers plugged in."""
    from assistant.dossiers import store as dossier_store
    from assistant.dossiers.handler import handle_candidature
    from assistant.faq.handler import handle_question
    from assistant.mail import classify as cls

    handlers = {cls.CANDIDATURE: handle_candidature, cls.FOLLOWUP: handle_candidature, cls.QUESTION: handle_question}
    return Pipeline(db, settings, handlers=handlers, tag_lookups=[dossier_store.thread_lookup_by_tag])


@dataclass
class OnceReport:
    fetched: int
    processed: int
    outbox: FlushReport


class Runner:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(settings.store.path)
        self.pipeline = build_pipeline(self.db, settings)
        self.sender = OutboxSender(
            self.db, make_transport(settings.smtp, settings.outbox), settings.reply_sender(), settings.outbox
        )
        self.wake = threading.Event()
        self.stop_event = threading.Event()

    def close(self) -> None:
        self.db.close()

    def run_once(self) -> OnceReport:
        """Handle what is waiting now: one IMAP pass, every stored message, one outbox flush."""
        fetched = 0
        if self.settings.imap is not None:
            source = ImapSource(self.settings.imap, self.db)
            try:
                fetched = source.poll_once()
            finally:
                source.close()
        processed = self.pipeline.run_pending()
        return OnceReport(fetched, processed, self.sender.flush())

    def run_forever(self) -> None:
        """Run every configured source until SIGTERM/SIGINT (or ``stop_event``)."""
        threads: list[threading.Thread] = []
        intake_settings = self.settings.intake_or_default()
        intake = None
        if intake_settings is not None:
            intake = SmtpIntake(intake_settings, str(self.settings.store.path), self.wake.set)
            intake.start()
        imap_db = None
        if self.settings.imap is not None:
            imap_db = Database(self.settings.store.path)
            imap_source = ImapSource(self.settings.imap, imap_db)
            thread = threading.Thread(target=imap_source.run, args=(self.stop_event, self.wake.set),
                                      name="imap", daemon=True)
            thread.start()
            threads.append(thread)
        self._install_signal_handlers()
        log.info("assistant running (store %s, replies via %s)", self.settings.store.path,
                 f"SMTP {self.settings.smtp.host}" if self.settings.smtp else f"dossier {self.settings.outbox.folder}")
        next_reminder_check = 0.0
        try:
            while not self.stop_event.is_set():
                self.pipeline.run_pending()
                if time.monotonic() >= next_reminder_check:
                    self.send_due_reminders()
                    next_reminder_check = time.monotonic() + REMINDER_CHECK_SECONDS
                self.sender.flush()
                self.wake.wait(TICK_SECONDS)
                self.wake.clear()
        finally:
            self.stop_event.set()
            if intake is not None:
                intake.stop()
            for thread in threads:
                thread.join(timeout=10)
            if imap_db is not None:
                imap_db.close()
            log.info("assistant stopped")

    def send_due_reminders(self) -> int:
        """Automatic reminders before the closing date; a failure here must not stop the intake."""
        from assistant.dossiers.actions import send_automatic_reminders

        try:
            return len(send_automatic_reminders(self.db, self.settings))
        except Exception:
            log.exception("automatic reminders failed")
            return 0

    def stop(self) -> None:
        self.stop_event.set()
        self.wake.set()

    def _install_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda _signum, _frame: self.stop())
