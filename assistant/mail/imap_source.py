"""Read the label's mailbox over IMAP without ever losing or re-answering a message.

Order for each message: fetch by UID with BODY.PEEK (never marked seen) → store and
commit → UID MOVE to the processed folder → advance the saved cursor. A crash at any
point is safe: a message fetched again is recognised by the store and only moved.
Messages are never flagged \\Deleted folder-wide and no plain EXPUNGE is ever sent,
so mail a person marked for deletion is left alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.mailbox import BaseMailBox
from imap_tools.message import MailMessage
from imap_tools.utils import encode_folder

from assistant.config import ImapSettings, resolve_secret
from assistant.mail.parse import parse_headers
from assistant.store.database import Database, utcnow
from assistant.store.imap_state import get_cursor, record_fetch, save_cursor
from assistant.store.messages import add_message
from assistant.store.notices import add_notice

log = logging.getLogger(__name__)

FETCH_BULK = 100

# What a dropped connection, a restarted server or a refused connection raise.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    imaplib.IMAP4.error,
    imaplib.IMAP4.abort,
    socket.timeout,
    ssl.SSLError,
)


class _RawMessage(MailMessage):
    """Keep the exact bytes the server sent; imap-tools' own parse would decode them lossily."""

    def __init__(self, fetch_data: list) -> None:
        self.raw, self._raw_uid_data, self._raw_flag_data = self._get_message_data_parts(fetch_data)


class ImapSource:
    """One mailbox folder, read into the store."""

    def __init__(self, settings: ImapSettings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.account = f"{settings.user}@{settings.host}:{settings.effective_port()}"
        self._mailbox: BaseMailBox | None = None
        self._capabilities: set[str] = set()
        self._stale_warned = False

    # -- connection ---------------------------------------------------------------------------
    def connect(self) -> BaseMailBox:
        s = self.settings
        port = s.effective_port()
        if s.security == "ssl":
            box: BaseMailBox = MailBox(s.host, port, timeout=s.timeout_seconds,
                                       ssl_context=ssl.create_default_context())
        elif s.security == "starttls":
            box = MailBoxStartTls(s.host, port, timeout=s.timeout_seconds,
                                  ssl_context=ssl.create_default_context())
        else:
            box = MailBoxUnencrypted(s.host, port, timeout=s.timeout_seconds)
        box.email_message_class = _RawMessage
        password = resolve_secret(s.password, s.password_env, "[imap]") or ""
        box.login(s.user, password, initial_folder=None)
        # imaplib read CAPABILITY before login; servers such as Dovecot announce MOVE only after it.
        typ, data = box.client.capability()
        self._capabilities = set(b" ".join(data).decode("ascii", "replace").upper().split()) if typ == "OK" else set()
        self._ensure_folder(box, s.processed_folder)
        box.folder.set(s.folder)
        self._mailbox = box
        log.info("IMAP connected to %s, folder %s (MOVE %s, IDLE %s)", self.account, s.folder,
                 "yes" if "MOVE" in self._capabilities else "no", "yes" if self.supports_idle else "no")
        return box

    @property
    def supports_idle(self) -> bool:
        return "IDLE" in self._capabilities

    def _ensure_folder(self, box: BaseMailBox, name: str) -> None:
        if not box.folder.exists(name):
            box.folder.create(name)
            log.info("IMAP folder %s created on %s", name, self.account)

    def close(self) -> None:
        box, self._mailbox = self._mailbox, None
        if box is not None:
            with contextlib.suppress(*CONNECTION_ERRORS, Exception):
                box.logout()

    @property
    def mailbox(self) -> BaseMailBox:
        return self._mailbox if self._mailbox is not None else self.connect()

    # -- one pass ------------------------------------------------------------------------------
    def poll_once(self) -> int:
        """Store every message above the saved cursor, then move it out; returns how many were new."""
        box = self.mailbox
        folder = self.settings.folder
        uidvalidity = self._select(box, folder)
        cursor = get_cursor(self.db, self.account, folder)
        last_uid = cursor.last_uid
        if cursor.uidvalidity is not None and cursor.uidvalidity != uidvalidity:
            log.warning("IMAP %s %s: UIDVALIDITY changed %s → %s; rescanning the folder (the store skips "
                        "what it already has)", self.account, folder, cursor.uidvalidity, uidvalidity)
            add_notice(self.db, "imap", f"Boîte {self.account} dossier {folder} : UIDVALIDITY a changé "
                                        f"({cursor.uidvalidity} → {uidvalidity}), dossier relu entièrement")
            last_uid = 0
        uids = [int(u) for u in box.uids(f"UID {last_uid + 1}:*")]
        uids = sorted(u for u in uids if u > last_uid)  # "n:*" always matches the highest message
        created = 0
        for start in range(0, len(uids), FETCH_BULK):
            chunk = uids[start:start + FETCH_BULK]
            stored_uids: list[int] = []
            for fetched in box.fetch(uid_list=[str(u) for u in chunk], mark_seen=False, bulk=True):
                raw: bytes = fetched.raw
                uid = int(fetched.uid)
                parsed = parse_headers(raw)
                answerable = self._answerable(parsed.date)
                result = add_message(self.db, raw, "imap", f"{folder};UIDVALIDITY={uidvalidity};UID={uid}",
                                     answerable=answerable, parsed=parsed)
                created += int(result.created)
                stored_uids.append(uid)
            if stored_uids:
                self._move(box, stored_uids)
                save_cursor(self.db, self.account, folder, uidvalidity, max(stored_uids))
        if not uids:
            save_cursor(self.db, self.account, folder, uidvalidity, last_uid)
        record_fetch(self.db, self.account, folder)
        self._stale_warned = False
        if uids:
            log.info("IMAP %s %s: %d fetched, %d new", self.account, folder, len(uids), created)
        return created

    @staticmethod
    def _select(box: BaseMailBox, folder: str) -> int:
        """SELECT the folder afresh (a new view of its messages) and return its UIDVALIDITY."""
        box.folder.set(folder)
        _typ, data = box.client.response("UIDVALIDITY")
        if data and data[0] is not None:
            return int(data[0])
        return int(box.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])

    def _answerable(self, date: dt.datetime | None) -> bool:
        since = self.settings.since
        if since is None or date is None:
            return True
        return date.date() >= since

    def _move(self, box: BaseMailBox, uids: list[int]) -> None:
        """UID MOVE when offered; else COPY, then \\Deleted + UID EXPUNGE on exactly these UIDs (UIDPLUS)."""
        uid_set = ",".join(str(u) for u in uids)
        target = encode_folder(self.settings.processed_folder)
        client = box.client
        if "MOVE" in self._capabilities:
            typ, data = client.uid("MOVE", uid_set, target)
            if typ != "OK":
                raise imaplib.IMAP4.error(f"UID MOVE {uid_set} refusé: {data!r}")
            return
        typ, data = client.uid("COPY", uid_set, target)
        if typ != "OK":
            raise imaplib.IMAP4.error(f"UID COPY {uid_set} refusé: {data!r}")
        if "UIDPLUS" in self._capabilities:
            client.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Deleted)")
            client.uid("EXPUNGE", uid_set)
        else:
            # Without UIDPLUS an EXPUNGE would remove every \Deleted message: keep the copy, mark it ours.
            client.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Seen $TNLTraite)")

    # -- stale fetch ---------------------------------------------------------------------------
    def check_stale(self, now: dt.datetime | None = None) -> bool:
        """Warn once when the last successful fetch is older than ``stale_after_minutes``."""
        now = now or utcnow()
        cursor = get_cursor(self.db, self.account, self.settings.folder)
        last = cursor.last_fetch_at
        limit = dt.timedelta(minutes=self.settings.stale_after_minutes)
        if last is None or now - last <= limit:
            return False
        if not self._stale_warned:
            minutes = int((now - last).total_seconds() // 60)
            log.warning("IMAP %s: no successful fetch for %d minutes", self.account, minutes)
            add_notice(self.db, "imap", f"Aucune relève réussie de {self.account} depuis {minutes} minutes")
            self._stale_warned = True
        return True

    # -- long-running loop ---------------------------------------------------------------------
    def run(self, stop: threading.Event, on_new: Callable[[], None]) -> None:
        """Poll, then IDLE (or sleep) until new mail or the poll interval; reconnect with backoff."""
        delay = 1.0
        while not stop.is_set():
            try:
                if self.poll_once():
                    on_new()
                delay = 1.0
                self._wait_for_mail(stop)
                self.check_stale()
            except CONNECTION_ERRORS as exc:
                self.close()
                record_fetch(self.db, self.account, self.settings.folder, error=str(exc))
                self.check_stale()
                log.warning("IMAP %s: connection lost (%s: %s); reconnecting in %.0f s", self.account,
                            type(exc).__name__, exc, delay)
                stop.wait(delay)
                delay = min(delay * 2, self.settings.reconnect_max_seconds)
            except Exception as exc:  # an unexpected bug must not stop the intake
                self.close()
                log.exception("IMAP %s: unexpected error: %s", self.account, exc)
                stop.wait(delay)
                delay = min(delay * 2, self.settings.reconnect_max_seconds)
        self.close()

    def _wait_for_mail(self, stop: threading.Event) -> None:
        interval = self.settings.poll_interval_seconds
        if not self.supports_idle:
            stop.wait(interval)
            return
        box = self.mailbox
        deadline = time.monotonic() + min(self.settings.idle_timeout_seconds, interval, 29 * 60)
        box.idle.start()
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                if box.idle.poll(timeout=min(1.0, max(deadline - time.monotonic(), 0.05))):
                    return
        finally:
            box.idle.stop()
