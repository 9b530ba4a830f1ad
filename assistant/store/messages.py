"""Incoming messages: stored (and committed) before any source is told they were received."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass

from assistant.mail.parse import ParsedMessage, parse_headers
from assistant.store.database import Database, from_db_time, to_db_time, utcnow

log = logging.getLogger(__name__)

# States: new (waiting for the pipeline), done, quarantined (failed too often, set aside for staff).
STATE_NEW = "new"
STATE_DONE = "done"
STATE_QUARANTINED = "quarantined"


@dataclass(frozen=True)
class StoredMessage:
    id: int
    message_id: str | None
    source: str
    source_ref: str | None
    sender: str | None
    subject: str | None
    received_at: dt.datetime
    state: str
    attempts: int
    answerable: bool
    category: str | None
    reason: str | None
    thread_id: int | None
    last_error: str | None


@dataclass(frozen=True)
class AddResult:
    id: int
    created: bool  # False when the same message (Message-ID, or hash without one) was already stored


_COLUMNS = (
    "id, message_id, source, source_ref, sender, subject, received_at, state, attempts, answerable, "
    "category, reason, thread_id, last_error"
)


def _row_to_message(row) -> StoredMessage:
    return StoredMessage(
        id=row["id"],
        message_id=row["message_id"],
        source=row["source"],
        source_ref=row["source_ref"],
        sender=row["sender"],
        subject=row["subject"],
        received_at=from_db_time(row["received_at"]),
        state=row["state"],
        attempts=row["attempts"],
        answerable=bool(row["answerable"]),
        category=row["category"],
        reason=row["reason"],
        thread_id=row["thread_id"],
        last_error=row["last_error"],
    )


def add_message(
    db: Database,
    raw: bytes,
    source: str,
    source_ref: str | None = None,
    answerable: bool = True,
    parsed: ParsedMessage | None = None,
) -> AddResult:
    """Store one raw message and commit; a message already stored is recognised, not stored twice."""
    parsed = parsed or parse_headers(raw)
    digest = hashlib.sha256(raw).hexdigest()
    with db.transaction():
        existing = None
        if parsed.message_id:
            existing = db.one("SELECT id FROM messages WHERE message_id = ?", (parsed.message_id,))
        if existing is None:
            existing = db.one("SELECT id FROM messages WHERE sha256 = ?", (digest,))
        if existing is not None:
            log.info("message %s already stored as #%d (source %s)", parsed.log_id(), existing["id"], source)
            return AddResult(existing["id"], False)
        cur = db.execute(
            """INSERT INTO messages (message_id, sha256, source, source_ref, received_at, sender, sender_name,
                   recipients, subject, date, in_reply_to, refs, headers_json, size, raw, answerable)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                parsed.message_id,
                digest,
                source,
                source_ref,
                to_db_time(utcnow()),
                parsed.from_addr,
                parsed.from_name,
                ", ".join(parsed.to + parsed.cc),
                parsed.subject,
                to_db_time(parsed.date) if parsed.date else None,
                parsed.in_reply_to,
                " ".join(parsed.references),
                json.dumps(parsed.headers, ensure_ascii=False),
                len(raw),
                raw,
                int(answerable),
            ),
        )
        new_id = int(cur.lastrowid)
    log.info("message %s stored as #%d (source %s %s)", parsed.log_id(), new_id, source, source_ref or "")
    return AddResult(new_id, True)


def get_message(db: Database, message_db_id: int) -> StoredMessage | None:
    row = db.one(f"SELECT {_COLUMNS} FROM messages WHERE id = ?", (message_db_id,))
    return _row_to_message(row) if row else None


def get_raw(db: Database, message_db_id: int) -> bytes:
    row = db.one("SELECT raw FROM messages WHERE id = ?", (message_db_id,))
    if row is None:
        raise KeyError(f"message #{message_db_id} absent de la base")
    return bytes(row["raw"])


def pending_ids(db: Database, limit: int) -> list[int]:
    rows = db.all("SELECT id FROM messages WHERE state = ? ORDER BY id LIMIT ?", (STATE_NEW, limit))
    return [r["id"] for r in rows]


def begin_attempt(db: Database, message_db_id: int) -> int:
    """Count an attempt *before* processing, so a message that kills the process cannot loop forever."""
    with db.transaction():
        db.execute("UPDATE messages SET attempts = attempts + 1 WHERE id = ?", (message_db_id,))
        row = db.one("SELECT attempts FROM messages WHERE id = ?", (message_db_id,))
    return int(row["attempts"])


def mark_done(
    db: Database,
    message_db_id: int,
    category: str,
    reason: str,
    thread_id: int | None,
    related_message: int | None = None,
    related_outbox: int | None = None,
) -> None:
    db.execute(
        """UPDATE messages SET state = ?, category = ?, reason = ?, thread_id = ?, related_message = ?,
               related_outbox = ?, processed_at = ?, last_error = NULL WHERE id = ?""",
        (STATE_DONE, category, reason, thread_id, related_message, related_outbox, to_db_time(utcnow()),
         message_db_id),
    )


def record_failure(db: Database, message_db_id: int, error: str, quarantine: bool) -> None:
    with db.transaction():
        db.execute(
            "UPDATE messages SET last_error = ?, state = ? WHERE id = ?",
            (error, STATE_QUARANTINED if quarantine else STATE_NEW, message_db_id),
        )


def requeue(db: Database, message_db_id: int) -> bool:
    """Give a quarantined message a fresh set of attempts."""
    with db.transaction():
        cur = db.execute(
            "UPDATE messages SET state = ?, attempts = 0 WHERE id = ? AND state = ?",
            (STATE_NEW, message_db_id, STATE_QUARANTINED),
        )
    return cur.rowcount == 1


def list_by_state(db: Database, state: str, limit: int = 100) -> list[StoredMessage]:
    rows = db.all(f"SELECT {_COLUMNS} FROM messages WHERE state = ? ORDER BY id LIMIT ?", (state, limit))
    return [_row_to_message(r) for r in rows]


def find_by_message_ids(db: Database, message_ids: list[str]) -> StoredMessage | None:
    """The most recent stored message among ``message_ids`` (a thread's References)."""
    if not message_ids:
        return None
    marks = ",".join("?" * len(message_ids))
    row = db.one(
        f"SELECT {_COLUMNS} FROM messages WHERE message_id IN ({marks}) ORDER BY id DESC LIMIT 1",
        tuple(message_ids),
    )
    return _row_to_message(row) if row else None


def count_by_state(db: Database) -> dict[str, int]:
    return {r["state"]: r["n"] for r in db.all("SELECT state, COUNT(*) AS n FROM messages GROUP BY state")}
