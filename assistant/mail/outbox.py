"""Send what the outbox holds: over SMTP with retry and backoff, or into a folder of .eml files."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from assistant.config import OutboxSettings, SmtpSettings, resolve_secret
from assistant.store import outbox as outbox_store
from assistant.store.database import Database, utcnow
from assistant.store.notices import add_notice

log = logging.getLogger(__name__)


class TransientSendError(Exception):
    """Try again later: the relay is down, busy or answered 4xx."""


class PermanentSendError(Exception):
    """Do not retry: the relay refused the message (5xx)."""


class Transport(Protocol):
    def send(self, sender: str, recipient: str, raw: bytes, message_id: str) -> None: ...

    def close(self) -> None: ...


class FolderTransport:
    """The embedded default: each reply becomes an .eml file a person can open."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, sender: str, recipient: str, raw: bytes, message_id: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in message_id)[:120]
        target = self.folder / f"{safe}.eml"
        tmp = target.with_suffix(".eml.tmp")
        tmp.write_bytes(raw)
        os.replace(tmp, target)
        log.info("reply %s to %s written to %s", message_id, recipient, target)

    def close(self) -> None:
        pass


class SmtpTransport:
    """One SMTP connection reused for a flush; TLS always verifies the certificate."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.security == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.effective_port(), timeout=s.timeout_seconds, context=context
                )
            else:
                conn = smtplib.SMTP(s.host, s.effective_port(), timeout=s.timeout_seconds)
                if s.security == "starttls":
                    conn.starttls(context=context)
            password = resolve_secret(s.password, s.password_env, "[smtp]")
            if s.user and password is not None:
                conn.login(s.user, password)
        except smtplib.SMTPAuthenticationError as exc:
            raise TransientSendError(f"authentification SMTP refusée par {s.host}: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientSendError(f"relais SMTP {s.host}:{s.effective_port()} injoignable: {exc}") from exc
        return conn

    def send(self, sender: str, recipient: str, raw: bytes, message_id: str) -> None:
        if self._conn is None:
            self._conn = self._connect()
        try:
            self._conn.sendmail(sender, [recipient], raw)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            self.close()
            error = f"destinataire {recipient} refusé: {code} {text!r}"
            raise (PermanentSendError if code >= 500 else TransientSendError)(error) from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            error = f"relais: {exc.smtp_code} {exc.smtp_error!r}"
            raise (PermanentSendError if exc.smtp_code >= 500 else TransientSendError)(error) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise TransientSendError(f"envoi interrompu: {exc}") from exc
        log.info("reply %s sent to %s via %s", message_id, recipient, self.settings.host)

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._conn.quit()
            self._conn = None


def make_transport(smtp: SmtpSettings | None, outbox: OutboxSettings) -> Transport:
    return SmtpTransport(smtp) if smtp is not None else FolderTransport(outbox.folder)


@dataclass
class FlushReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0


class OutboxSender:
    def __init__(self, db: Database, transport: Transport, sender: str, settings: OutboxSettings) -> None:
        self.db = db
        self.transport = transport
        self.sender = sender
        self.settings = settings

    def backoff(self, attempts: int) -> dt.timedelta:
        seconds = min(self.settings.retry_initial_seconds * (2 ** max(attempts - 1, 0)),
                      self.settings.retry_max_seconds)
        return dt.timedelta(seconds=seconds)

    def flush(self, now: dt.datetime | None = None) -> FlushReport:
        """Send every due item once; stop at the first sign the relay is down."""
        now = now or utcnow()
        report = FlushReport()
        try:
            while batch := outbox_store.due(self.db, now, limit=200):
                if not self._send_batch(batch, now, report):
                    break
        finally:
            self.transport.close()
        return report

    def _send_batch(self, batch: list[outbox_store.OutboxItem], now: dt.datetime, report: FlushReport) -> bool:
        """Send one batch; False when the relay is down and the rest was deferred."""
        for item in batch:
            raw = outbox_store.raw_of(self.db, item.id)
            try:
                self.transport.send(self.sender, item.recipient, raw, item.message_id)
            except PermanentSendError as exc:
                self._fail(item, str(exc))
                report.failed += 1
                continue
            except TransientSendError as exc:
                if now - item.created_at > dt.timedelta(hours=self.settings.give_up_after_hours):
                    self._fail(item, f"abandon après {item.attempts + 1} essais: {exc}")
                    report.failed += 1
                    continue
                retry_at = now + self.backoff(item.attempts + 1)
                outbox_store.mark_retry(self.db, item.id, str(exc), retry_at)
                log.warning("reply %s to %s deferred until %s: %s", item.message_id, item.recipient,
                            retry_at.isoformat(timespec="seconds"), exc)
                # Every other due item would meet the same relay: defer them all to the same time.
                report.deferred += 1 + outbox_store.defer_due(self.db, now, retry_at, str(exc), item.id)
                return False
            outbox_store.mark_sent(self.db, item.id)
            report.sent += 1
        return True

    def _fail(self, item: outbox_store.OutboxItem, error: str) -> None:
        outbox_store.mark_failed(self.db, item.id, error)
        add_notice(
            self.db, "envoi", f"Réponse {item.message_id} à {item.recipient} non envoyée : {error}", item.reply_to
        )
        log.error("reply %s to %s failed: %s", item.message_id, item.recipient, error)
