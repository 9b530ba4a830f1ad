"""The one place where data is kept: SQLite in WAL mode, versioned migrations."""

from assistant.store.database import Database, StoreError

__all__ = ["Database", "StoreError"]
