"""Where the IMAP source stands in each folder: UIDVALIDITY, last UID stored, last successful fetch."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assistant.store.database import Database, from_db_time, to_db_time, utcnow


@dataclass(frozen=True)
class FolderCursor:
    uidvalidity: int | None
    last_uid: int
    last_fetch_at: dt.datetime | None


def get_cursor(db: Database, account: str, folder: str) -> FolderCursor:
    row = db.one("SELECT * FROM imap_state WHERE account = ? AND folder = ?", (account, folder))
    if row is None:
        return FolderCursor(None, 0, None)
    return FolderCursor(row["uidvalidity"], row["last_uid"], from_db_time(row["last_fetch_at"]))


def save_cursor(db: Database, account: str, folder: str, uidvalidity: int, last_uid: int) -> None:
    with db.transaction():
        db.execute(
            """INSERT INTO imap_state (account, folder, uidvalidity, last_uid) VALUES (?, ?, ?, ?)
               ON CONFLICT (account, folder) DO UPDATE SET uidvalidity = excluded.uidvalidity,
               last_uid = excluded.last_uid""",
            (account, folder, uidvalidity, last_uid),
        )


def record_fetch(db: Database, account: str, folder: str, error: str | None = None) -> None:
    """A successful fetch sets last_fetch_at; a failed one only records the error."""
    with db.transaction():
        db.execute(
            "INSERT INTO imap_state (account, folder) VALUES (?, ?) ON CONFLICT DO NOTHING", (account, folder)
        )
        if error is None:
            db.execute(
                "UPDATE imap_state SET last_fetch_at = ?, last_error = NULL WHERE account = ? AND folder = ?",
                (to_db_time(utcnow()), account, folder),
            )
        else:
            db.execute(
                "UPDATE imap_state SET last_error = ? WHERE account = ? AND folder = ?", (error, account, folder)
            )
