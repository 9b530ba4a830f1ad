"""Schema migrations, applied in order; index + 1 is the schema version (SQLite ``user_version``).

Never edit a released migration: append a new one.
"""

MIGRATIONS: list[str] = [
    # 1: mail intake: incoming messages, outgoing replies, IMAP cursor, staff notices.
    """
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        message_id TEXT,
        sha256 TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,
        source_ref TEXT,
        received_at TEXT NOT NULL,
        sender TEXT,
        sender_name TEXT,
        recipients TEXT,
        subject TEXT,
        date TEXT,
        in_reply_to TEXT,
        refs TEXT,
        headers_json TEXT NOT NULL,
        size INTEGER NOT NULL,
        raw BLOB NOT NULL,
        answerable INTEGER NOT NULL DEFAULT 1,
        state TEXT NOT NULL DEFAULT 'new',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        category TEXT,
        reason TEXT,
        thread_id INTEGER REFERENCES messages(id),
        related_message INTEGER REFERENCES messages(id),
        related_outbox INTEGER,
        processed_at TEXT
    );
    CREATE UNIQUE INDEX messages_by_message_id ON messages(message_id) WHERE message_id IS NOT NULL;
    CREATE INDEX messages_by_state ON messages(state, id);
    CREATE INDEX messages_by_thread ON messages(thread_id);

    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        message_id TEXT NOT NULL UNIQUE,
        reply_to INTEGER REFERENCES messages(id),
        kind TEXT NOT NULL,
        template TEXT,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        raw BLOB NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT
    );
    CREATE UNIQUE INDEX outbox_one_auto_reply ON outbox(reply_to) WHERE kind = 'auto';
    CREATE INDEX outbox_by_state ON outbox(state, next_attempt_at);
    CREATE INDEX outbox_by_recipient ON outbox(recipient, created_at);

    CREATE TABLE imap_state (
        account TEXT NOT NULL,
        folder TEXT NOT NULL,
        uidvalidity INTEGER,
        last_uid INTEGER NOT NULL DEFAULT 0,
        last_fetch_at TEXT,
        last_error TEXT,
        PRIMARY KEY (account, folder)
    );

    CREATE TABLE notices (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        message INTEGER REFERENCES messages(id),
        summary TEXT NOT NULL,
        resolved_at TEXT
    );
    CREATE INDEX notices_open ON notices(resolved_at, id);
    """,
]
