"""Embedded SMTP intake (aiosmtpd): mail is accepted only once it is committed to the store.

Only the configured recipients are accepted (never an open relay); the size limit
is enforced by aiosmtpd (552); a storage failure answers 451 so the sender retries.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from assistant.config import IntakeSettings
from assistant.store.database import Database
from assistant.store.messages import add_message

log = logging.getLogger(__name__)


class IntakeHandler:
    """aiosmtpd handler; one SQLite connection, opened in the server's own thread."""

    def __init__(self, settings: IntakeSettings, db_path: str, on_stored: Callable[[], None]) -> None:
        self.recipients = {r.strip().lower() for r in settings.recipients}
        self.db_path = db_path
        self.on_stored = on_stored
        self._db: Database | None = None
        self._lock = threading.Lock()

    def _database(self) -> Database:
        if self._db is None:
            self._db = Database(self.db_path)
        return self._db

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address.strip().lower() not in self.recipients:
            log.warning("intake: recipient %s refused (from %s, peer %s)", address, envelope.mail_from,
                        session.peer)
            return "550 5.7.1 Destinataire refusé : ce serveur ne relaie pas le courrier"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            with self._lock:
                result = add_message(self._database(), raw, "smtp", f"peer={session.peer[0] if session.peer else '?'}")
        except Exception as exc:
            log.exception("intake: could not store message from %s: %s", envelope.mail_from, exc)
            return "451 4.3.0 Erreur temporaire d'enregistrement, réessayez plus tard"
        self.on_stored()
        return f"250 2.0.0 Message enregistré (#{result.id})"

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class SmtpIntake:
    """Start and stop the embedded receiver."""

    def __init__(self, settings: IntakeSettings, db_path: str, on_stored: Callable[[], None]) -> None:
        self.settings = settings
        self.handler = IntakeHandler(settings, db_path, on_stored)
        self.controller = Controller(
            self.handler,
            hostname=settings.host,
            port=settings.port,
            data_size_limit=settings.max_message_bytes,
            server_hostname="tnl-assistant",
            ident="tnl-assistant intake",
        )

    def start(self) -> None:
        self.controller.start()
        log.info("SMTP intake listening on %s:%d for %s", self.settings.host, self.settings.port,
                 ", ".join(sorted(self.handler.recipients)))

    def stop(self) -> None:
        self.controller.stop()
        self.handler.close()
