"""Questions put to the FAQ assistant, kept so staff answer what it could not and grow the corpus."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from assistant.store.database import Database, from_db_time, to_db_time, utcnow


@dataclass(frozen=True)
class LoggedQuestion:
    id: int
    asked_at: dt.datetime
    channel: str
    message: int | None
    asker: str | None
    question: str
    zone: str
    entry_id: str | None
    score: float
    alternatives: list[str]
    feedback: str | None
    resolved_at: dt.datetime | None
    resolution: str | None


def record_question(
    db: Database,
    *,
    channel: str,
    question: str,
    zone: str,
    entry_id: str | None,
    score: float,
    alternatives: list[str],
    message: int | None = None,
    asker: str | None = None,
) -> int:
    with db.transaction():
        cur = db.execute(
            """INSERT INTO faq_questions (asked_at, channel, message, asker, question, zone, entry_id, score,
                   alternatives_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (to_db_time(utcnow()), channel, message, asker, question, zone, entry_id, float(score),
             json.dumps(alternatives)),
        )
    return int(cur.lastrowid)


def _row(r) -> LoggedQuestion:
    return LoggedQuestion(r["id"], from_db_time(r["asked_at"]), r["channel"], r["message"], r["asker"],
                          r["question"], r["zone"], r["entry_id"], r["score"], json.loads(r["alternatives_json"]),
                          r["feedback"], from_db_time(r["resolved_at"]), r["resolution"])


def unanswered(db: Database, include_resolved: bool = False, limit: int = 200) -> list[LoggedQuestion]:
    """Abstentions, low-confidence answers and answers the asker said did not help."""
    sql = "SELECT * FROM faq_questions WHERE (zone != 'answer' OR feedback = 'non')"
    if not include_resolved:
        sql += " AND resolved_at IS NULL"
    return [_row(r) for r in db.all(sql + " ORDER BY id DESC LIMIT ?", (limit,))]


def get_question(db: Database, question_id: int) -> LoggedQuestion | None:
    row = db.one("SELECT * FROM faq_questions WHERE id = ?", (question_id,))
    return _row(row) if row else None


def set_feedback(db: Database, question_id: int, feedback: str) -> None:
    with db.transaction():
        db.execute("UPDATE faq_questions SET feedback = ? WHERE id = ?", (feedback, question_id))


def resolve(db: Database, question_id: int, resolution: str) -> None:
    with db.transaction():
        db.execute("UPDATE faq_questions SET resolved_at = ?, resolution = ? WHERE id = ?",
                   (to_db_time(utcnow()), resolution, question_id))
