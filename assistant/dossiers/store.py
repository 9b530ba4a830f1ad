"""Candidature dossiers in the store: one per collectivité and edition, numbered TNL-<edition>-NNNN.

Answers keep their history: a new value supersedes the old row instead of overwriting it,
so staff can see who said what, in which message, and when.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import sqlite3
import unicodedata
from dataclasses import dataclass

from assistant.store.database import Database, from_db_time, to_db_time, utcnow

STATE_INCOMPLETE = "incomplet"
STATE_COMPLETE = "complet"
STATE_LATE = "hors délai"
STATE_WITHDRAWN = "retiré"
STATES = (STATE_INCOMPLETE, STATE_COMPLETE, STATE_LATE, STATE_WITHDRAWN)

ACTOR_ASSISTANT = "assistant"

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by people


@dataclass(frozen=True)
class Dossier:
    id: int
    number: str
    edition: str
    collectivite: str | None
    structure_type: str | None
    departement: str | None
    responsable_email: str | None
    state: str
    status_code: str
    thread_id: int | None
    missing: list[str]
    invalid: dict[str, str]
    staff_flag: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    completed_at: dt.datetime | None


@dataclass(frozen=True)
class StoredAnswer:
    question_id: str
    value: str
    source: str
    message: int | None
    created_at: dt.datetime
    superseded_at: dt.datetime | None


@dataclass(frozen=True)
class DossierEvent:
    at: dt.datetime
    kind: str
    actor: str
    message: int | None
    detail: str


def collectivite_key(name: str | None) -> str | None:
    """Accent-, case- and punctuation-insensitive key: "Ville d'Albi" and "VILLE D ALBI" are one."""
    if not name:
        return None
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = "".join(c if c.isalnum() else " " for c in folded).split()
    return " ".join(words) or None


def _row(row: sqlite3.Row) -> Dossier:
    return Dossier(
        id=row["id"],
        number=row["number"],
        edition=row["edition"],
        collectivite=row["collectivite"],
        structure_type=row["structure_type"],
        departement=row["departement"],
        responsable_email=row["responsable_email"],
        state=row["state"],
        status_code=row["status_code"],
        thread_id=row["thread_id"],
        missing=json.loads(row["missing_json"]),
        invalid=json.loads(row["invalid_json"]),
        staff_flag=row["staff_flag"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
        completed_at=from_db_time(row["completed_at"]),
    )


def create_dossier(db: Database, edition: str, thread_id: int | None, state: str = STATE_INCOMPLETE) -> Dossier:
    """Allocate the next number of the edition (inside the caller's transaction when there is one)."""
    now = to_db_time(utcnow())
    with db.transaction():
        row = db.one("SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM dossiers WHERE edition = ?", (edition,))
        seq = int(row["next"])
        number = f"TNL-{edition}-{seq:04d}"
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
        cur = db.execute(
            """INSERT INTO dossiers (number, edition, seq, state, status_code, thread_id, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (number, edition, seq, state, code, thread_id, now, now),
        )
        dossier_id = int(cur.lastrowid)
    return get_dossier(db, dossier_id)


def get_dossier(db: Database, dossier_id: int) -> Dossier:
    row = db.one("SELECT * FROM dossiers WHERE id = ?", (dossier_id,))
    if row is None:
        raise KeyError(f"dossier #{dossier_id} introuvable")
    return _row(row)


def find_by_number(db: Database, number: str) -> Dossier | None:
    row = db.one("SELECT * FROM dossiers WHERE number = ?", (number.strip().upper(),))
    return _row(row) if row else None


def find_by_thread(db: Database, thread_id: int) -> Dossier | None:
    row = db.one("SELECT * FROM dossiers WHERE thread_id = ? ORDER BY id LIMIT 1", (thread_id,))
    return _row(row) if row else None


def find_by_collectivite(db: Database, edition: str, name: str | None) -> Dossier | None:
    key = collectivite_key(name)
    if key is None:
        return None
    row = db.one("SELECT * FROM dossiers WHERE edition = ? AND collectivite_key = ? ORDER BY id LIMIT 1",
                 (edition, key))
    return _row(row) if row else None


def find_by_responsable(db: Database, edition: str, email: str) -> Dossier | None:
    row = db.one("SELECT * FROM dossiers WHERE edition = ? AND responsable_email = ? ORDER BY id DESC LIMIT 1",
                 (edition, email.strip().lower()))
    return _row(row) if row else None


def list_dossiers(db: Database, state: str | None = None, edition: str | None = None) -> list[Dossier]:
    sql, params = "SELECT * FROM dossiers WHERE 1=1", []
    if state:
        sql += " AND state = ?"
        params.append(state)
    if edition:
        sql += " AND edition = ?"
        params.append(edition)
    return [_row(r) for r in db.all(sql + " ORDER BY edition, seq", tuple(params))]


def current_answers(db: Database, dossier_id: int) -> dict[str, StoredAnswer]:
    rows = db.all(
        "SELECT * FROM dossier_answers WHERE dossier_id = ? AND superseded_at IS NULL ORDER BY id", (dossier_id,)
    )
    return {r["question_id"]: _answer(r) for r in rows}


def answer_history(db: Database, dossier_id: int) -> list[StoredAnswer]:
    rows = db.all("SELECT * FROM dossier_answers WHERE dossier_id = ? ORDER BY question_id, id", (dossier_id,))
    return [_answer(r) for r in rows]


def _answer(r: sqlite3.Row) -> StoredAnswer:
    return StoredAnswer(r["question_id"], r["value"], r["source"], r["message"], from_db_time(r["created_at"]),
                        from_db_time(r["superseded_at"]))


def apply_answers(db: Database, dossier_id: int, answers: dict[str, tuple[str, str]], message: int | None) -> list[str]:
    """Record ``{question id: (value, source)}``; an unchanged value is not duplicated. Returns changed ids."""
    now = to_db_time(utcnow())
    current = current_answers(db, dossier_id)
    changed: list[str] = []
    with db.transaction():
        for qid, (value, source) in answers.items():
            old = current.get(qid)
            if old is not None and old.value == value:
                continue
            if old is not None:
                db.execute(
                    """UPDATE dossier_answers SET superseded_at = ?
                       WHERE dossier_id = ? AND question_id = ? AND superseded_at IS NULL""",
                    (now, dossier_id, qid),
                )
            db.execute(
                """INSERT INTO dossier_answers (dossier_id, question_id, value, source, message, created_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (dossier_id, qid, value, source, message, now),
            )
            changed.append(qid)
    return changed


def update_dossier(
    db: Database,
    dossier_id: int,
    *,
    state: str,
    missing: list[str],
    invalid: dict[str, str],
    identity: dict[str, str | None],
    staff_flag: str | None,
) -> None:
    """Store the verdict and the identity fields (collectivité, type, département, responsable)."""
    now = to_db_time(utcnow())
    with db.transaction():
        previous = get_dossier(db, dossier_id)
        completed_at = previous.completed_at
        if state == STATE_COMPLETE and previous.state != STATE_COMPLETE:
            completed_at = utcnow()
        db.execute(
            """UPDATE dossiers SET state = ?, missing_json = ?, invalid_json = ?, staff_flag = ?, updated_at = ?,
                   completed_at = ?, collectivite = ?, collectivite_key = ?, structure_type = ?, departement = ?,
                   responsable_email = ? WHERE id = ?""",
            (
                state,
                json.dumps(missing),
                json.dumps(invalid, ensure_ascii=False),
                staff_flag,
                now,
                to_db_time(completed_at) if completed_at else None,
                identity.get("collectivite") or previous.collectivite,
                collectivite_key(identity.get("collectivite") or previous.collectivite),
                identity.get("structure_type") or previous.structure_type,
                identity.get("departement") or previous.departement,
                (identity.get("responsable_email") or previous.responsable_email or "").lower() or None,
                dossier_id,
            ),
        )


def set_state(db: Database, dossier_id: int, state: str, actor: str, reason: str) -> None:
    """A staff decision (complete by override, withdraw, reopen), recorded with who and why."""
    if state not in STATES:
        raise ValueError(f"état inconnu {state!r} (possibles : {', '.join(STATES)})")
    with db.transaction():
        db.execute("UPDATE dossiers SET state = ?, updated_at = ? WHERE id = ?",
                   (state, to_db_time(utcnow()), dossier_id))
        add_event(db, dossier_id, "état", actor, f"{state} : {reason}")


def add_event(db: Database, dossier_id: int, kind: str, actor: str, detail: str, message: int | None = None) -> None:
    with db.transaction():
        db.execute(
            "INSERT INTO dossier_events (dossier_id, at, kind, actor, message, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (dossier_id, to_db_time(utcnow()), kind, actor, message, detail),
        )


def events(db: Database, dossier_id: int) -> list[DossierEvent]:
    rows = db.all("SELECT * FROM dossier_events WHERE dossier_id = ? ORDER BY id", (dossier_id,))
    return [DossierEvent(from_db_time(r["at"]), r["kind"], r["actor"], r["message"], r["detail"]) for r in rows]


def thread_lookup_by_tag(db: Database, tag: str) -> int | None:
    """Pipeline hook: the thread of the dossier whose number is in a subject tag."""
    dossier = find_by_number(db, tag)
    return dossier.thread_id if dossier else None
