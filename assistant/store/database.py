"""The SQLite database: one connection per thread, WAL mode, versioned migrations.

Every other store module takes a :class:`Database` and runs its SQL through it, so
transactions and the schema version live in one place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from assistant.store.migrations import MIGRATIONS

log = logging.getLogger(__name__)


class StoreError(Exception):
    """The database cannot be opened or migrated; names the file."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_db_time(moment: dt.datetime) -> str:
    """Times are stored as sortable ISO strings in UTC."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db_time(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


class Database:
    """A SQLite file opened in WAL mode; not shared between threads (open one per thread)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._owner = threading.get_ident()
        try:
            if str(self.path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(
                str(self.path), timeout=30.0, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"impossible d'ouvrir la base {self.path}: {exc}") from exc
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=30000")
        self._depth = 0
        self.migrate()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Apply the migrations newer than the file's ``user_version``, each in its own transaction."""
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: schéma version {current}, plus récent que ce programme ({len(MIGRATIONS)}); "
                "mettez tnl-assistant à jour"
            )
        for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
            with self.transaction():
                for statement in _split_sql(script):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {version}")
            log.info("store migrated to schema version %d (%s)", version, self.path)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; nested calls join the outer transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self._depth = 0
            self.conn.execute("ROLLBACK")
            raise
        self._depth = 0
        self.conn.execute("COMMIT")

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()


def _split_sql(script: str) -> list[str]:
    """Split a migration on ';' at line ends (our migrations hold no triggers or string literals with ';')."""
    return [s.strip() for s in script.split(";\n") if s.strip()]
