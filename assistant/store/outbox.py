"""Outgoing mail waiting to be sent: one row per reply, at most one automatic reply per incoming message."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from assistant.store.database import Database, from_db_time, to_db_time, utcnow

KIND_AUTO = "auto"  # automatic reply to an incoming message
KIND_STAFF = "staff"  # sent on a staff member's request (reminders…)

STATE_PENDING = "pending"
STATE_SENT = "sent"
STATE_FAILED = "failed"


@dataclass(frozen=True)
class OutboxItem:
    id: int
    message_id: str
    reply_to: int | None
    kind: str
    template: str | None
    recipient: str
    subject: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


_COLUMNS = (
    "id, message_id, reply_to, kind, template, recipient, subject, state, attempts, next_attempt_at, "
    "last_error, created_at, sent_at"
)


def _row(row: sqlite3.Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        message_id=row["message_id"],
        reply_to=row["reply_to"],
        kind=row["kind"],
        template=row["template"],
        recipient=row["recipient"],
        subject=row["subject"],
        state=row["state"],
        attempts=row["attempts"],
        next_attempt_at=from_db_time(row["next_attempt_at"]),
        last_error=row["last_error"],
        created_at=from_db_time(row["created_at"]),
        sent_at=from_db_time(row["sent_at"]),
    )


def enqueue(
    db: Database,
    *,
    message_id: str,
    reply_to: int | None,
    kind: str,
    template: str | None,
    recipient: str,
    subject: str,
    raw: bytes,
) -> int | None:
    """Queue a message; returns None when an automatic reply to ``reply_to`` already exists."""
    now = to_db_time(utcnow())
    try:
        cur = db.execute(
            """INSERT INTO outbox (message_id, reply_to, kind, template, recipient, subject, raw,
                   next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (message_id, reply_to, kind, template, recipient.lower(), subject, raw, now, now),
        )
    except sqlite3.IntegrityError:
        if kind == KIND_AUTO and reply_to is not None:
            return None
        raise
    return int(cur.lastrowid)


def auto_replies_since(db: Database, recipient: str, since: dt.datetime) -> int:
    row = db.one(
        "SELECT COUNT(*) AS n FROM outbox WHERE recipient = ? AND kind = ? AND created_at >= ?",
        (recipient.lower(), KIND_AUTO, to_db_time(since)),
    )
    return int(row["n"])


def due(db: Database, now: dt.datetime, limit: int = 100) -> list[OutboxItem]:
    rows = db.all(
        f"SELECT {_COLUMNS} FROM outbox WHERE state = ? AND next_attempt_at <= ? ORDER BY id LIMIT ?",
        (STATE_PENDING, to_db_time(now), limit),
    )
    return [_row(r) for r in rows]


def raw_of(db: Database, item_id: int) -> bytes:
    return bytes(db.one("SELECT raw FROM outbox WHERE id = ?", (item_id,))["raw"])


def mark_sent(db: Database, item_id: int) -> None:
    with db.transaction():
        db.execute(
            "UPDATE outbox SET state = ?, sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
            (STATE_SENT, to_db_time(utcnow()), item_id),
        )


def mark_retry(db: Database, item_id: int, error: str, next_attempt_at: dt.datetime) -> None:
    with db.transaction():
        db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
            (error, to_db_time(next_attempt_at), item_id),
        )


def mark_failed(db: Database, item_id: int, error: str) -> None:
    with db.transaction():
        db.execute(
            "UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
            (STATE_FAILED, error, item_id),
        )


def retry_now(db: Database, item_id: int | None = None) -> int:
    """Make failed (or all pending) items due now; returns how many were touched."""
    now = to_db_time(utcnow())
    with db.transaction():
        if item_id is None:
            cur = db.execute(
                "UPDATE outbox SET state = ?, next_attempt_at = ? WHERE state IN (?, ?)",
                (STATE_PENDING, now, STATE_PENDING, STATE_FAILED),
            )
        else:
            cur = db.execute(
                "UPDATE outbox SET state = ?, next_attempt_at = ? WHERE id = ? AND state != ?",
                (STATE_PENDING, now, item_id, STATE_SENT),
            )
    return cur.rowcount


def list_items(db: Database, state: str | None = None, limit: int = 100) -> list[OutboxItem]:
    if state is None:
        rows = db.all(f"SELECT {_COLUMNS} FROM outbox ORDER BY id DESC LIMIT ?", (limit,))
    else:
        rows = db.all(
            f"SELECT {_COLUMNS} FROM outbox WHERE state = ? ORDER BY id DESC LIMIT ?", (state, limit)
        )
    return [_row(r) for r in rows]


def find_by_message_ids(db: Database, message_ids: list[str]) -> OutboxItem | None:
    if not message_ids:
        return None
    marks = ",".join("?" * len(message_ids))
    row = db.one(
        f"SELECT {_COLUMNS} FROM outbox WHERE message_id IN ({marks}) ORDER BY id DESC LIMIT 1",
        tuple(message_ids),
    )
    return _row(row) if row else None


def for_message(db: Database, message_db_id: int) -> list[OutboxItem]:
    rows = db.all(f"SELECT {_COLUMNS} FROM outbox WHERE reply_to = ? ORDER BY id", (message_db_id,))
    return [_row(r) for r in rows]


def defer_due(db: Database, now: dt.datetime, until: dt.datetime, error: str, except_id: int) -> int:
    """Push every other due item to ``until`` without counting an attempt (they were not tried)."""
    with db.transaction():
        cur = db.execute(
            """UPDATE outbox SET next_attempt_at = ?, last_error = ?
               WHERE state = ? AND next_attempt_at <= ? AND id != ?""",
            (to_db_time(until), error, STATE_PENDING, to_db_time(now), except_id),
        )
    return cur.rowcount
