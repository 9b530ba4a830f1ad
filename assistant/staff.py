"""Staff accounts of the dashboard: scrypt password hashes, log-in with lock-out after repeated failures.

Hashes are stored as ``scrypt$n$r$p$salt$hash`` (salt and hash in hex), one random salt per user,
compared in constant time. An unknown name costs the same scrypt work as a known one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass

from assistant.store.database import Database, from_db_time, to_db_time, utcnow

log = logging.getLogger(__name__)

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_SALT_BYTES = 16
_KEY_BYTES = 32
_MAXMEM = 64 * 1024 * 1024
MIN_PASSWORD_LENGTH = 10
NAME_RE = re.compile(r"^[\w.@-]{2,64}$")


class StaffError(Exception):
    """A staff account cannot be created or changed; the French message says why."""


@dataclass(frozen=True)
class StaffUser:
    id: int
    name: str
    created_at: dt.datetime
    failed_logins: int
    locked_until: dt.datetime | None
    last_login_at: dt.datetime | None


@dataclass(frozen=True)
class LoginResult:
    user: StaffUser | None  # set only when the log-in succeeded
    locked: bool = False


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    salt = secrets.token_bytes(_SALT_BYTES)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=_KEY_BYTES)
    return f"scrypt${n}${r}${p}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time comparison with a stored ``scrypt$n$r$p$salt$hash``; False for a malformed hash."""
    try:
        scheme, n, r, p, salt_hex, key_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(key_hex)
        key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=int(n), r=int(r), p=int(p), maxmem=_MAXMEM,
                             dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(key, expected)


# Verified against when the name is unknown, so timing does not tell which names exist.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def _row(r) -> StaffUser:
    return StaffUser(r["id"], r["name"], from_db_time(r["created_at"]), r["failed_logins"],
                     from_db_time(r["locked_until"]), from_db_time(r["last_login_at"]))


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"mot de passe trop court : {MIN_PASSWORD_LENGTH} caractères au moins")


def add_user(db: Database, name: str, password: str) -> StaffUser:
    name = name.strip()
    if not NAME_RE.match(name):
        raise StaffError("nom invalide : 2 à 64 lettres, chiffres, points, tirets ou @, sans espace")
    check_new_password(password)
    with db.transaction():
        if db.one("SELECT id FROM staff_users WHERE name = ?", (name,)) is not None:
            raise StaffError(f"le compte « {name} » existe déjà")
        cur = db.execute("INSERT INTO staff_users (name, password_hash, created_at) VALUES (?, ?, ?)",
                         (name, hash_password(password), to_db_time(utcnow())))
    log.info("staff account #%d created", cur.lastrowid)
    return get_user(db, name)


def set_password(db: Database, name: str, password: str) -> None:
    check_new_password(password)
    with db.transaction():
        cur = db.execute("UPDATE staff_users SET password_hash = ?, failed_logins = 0, locked_until = NULL "
                         "WHERE name = ?", (hash_password(password), name))
    if cur.rowcount != 1:
        raise StaffError(f"compte « {name} » inconnu")


def unlock(db: Database, name: str) -> bool:
    with db.transaction():
        cur = db.execute("UPDATE staff_users SET failed_logins = 0, locked_until = NULL WHERE name = ?", (name,))
    return cur.rowcount == 1


def get_user(db: Database, name: str) -> StaffUser | None:
    row = db.one("SELECT * FROM staff_users WHERE name = ?", (name,))
    return _row(row) if row else None


def list_users(db: Database) -> list[StaffUser]:
    return [_row(r) for r in db.all("SELECT * FROM staff_users ORDER BY name")]


def authenticate(
    db: Database, name: str, password: str, *, max_failed: int, lockout: dt.timedelta,
    now: dt.datetime | None = None,
) -> LoginResult:
    """Check a log-in; ``max_failed`` consecutive failures lock the account for ``lockout``."""
    now = now or utcnow()
    row = db.one("SELECT * FROM staff_users WHERE name = ?", (name.strip(),))
    if row is None:
        verify_password(password, _DUMMY_HASH)
        log.info("staff login refused (unknown account)")
        return LoginResult(None)
    user = _row(row)
    if user.locked_until is not None and user.locked_until > now:
        verify_password(password, _DUMMY_HASH)
        log.warning("staff login refused: account #%d locked", user.id)
        return LoginResult(None, locked=True)
    if not verify_password(password, row["password_hash"]):
        failures = user.failed_logins + 1
        locked_until = to_db_time(now + lockout) if failures >= max_failed else None
        with db.transaction():
            db.execute("UPDATE staff_users SET failed_logins = ?, locked_until = ? WHERE id = ?",
                       (0 if locked_until else failures, locked_until, user.id))
        if locked_until:
            log.warning("staff account #%d locked after %d failed logins", user.id, failures)
        else:
            log.info("staff login refused (bad password) for account #%d", user.id)
        return LoginResult(None, locked=locked_until is not None)
    with db.transaction():
        db.execute("UPDATE staff_users SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?",
                   (to_db_time(now), user.id))
    log.info("staff login for account #%d", user.id)
    return LoginResult(get_user(db, user.name))
