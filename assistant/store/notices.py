"""Notices for staff: quarantined mail, bounces, capped senders, stale fetching."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assistant.store.database import Database, from_db_time, to_db_time, utcnow


@dataclass(frozen=True)
class Notice:
    id: int
    created_at: dt.datetime
    kind: str
    message: int | None
    summary: str
    resolved_at: dt.datetime | None


def add_notice(db: Database, kind: str, summary: str, message: int | None = None) -> int:
    with db.transaction():
        cur = db.execute(
            "INSERT INTO notices (created_at, kind, message, summary) VALUES (?, ?, ?, ?)",
            (to_db_time(utcnow()), kind, message, summary),
        )
    return int(cur.lastrowid)


def open_notices(db: Database, kind: str | None = None, limit: int = 200) -> list[Notice]:
    sql = "SELECT * FROM notices WHERE resolved_at IS NULL"
    params: tuple = ()
    if kind:
        sql += " AND kind = ?"
        params = (kind,)
    rows = db.all(sql + " ORDER BY id DESC LIMIT ?", (*params, limit))
    return [
        Notice(r["id"], from_db_time(r["created_at"]), r["kind"], r["message"], r["summary"],
               from_db_time(r["resolved_at"]))
        for r in rows
    ]


def resolve_for_message(db: Database, message: int, kind: str) -> None:
    with db.transaction():
        db.execute(
            "UPDATE notices SET resolved_at = ? WHERE message = ? AND kind = ? AND resolved_at IS NULL",
            (to_db_time(utcnow()), message, kind),
        )
