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
    # 2: candidature dossiers, their answers (with history) and their events.
    """
    CREATE TABLE dossiers (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        edition TEXT NOT NULL,
        seq INTEGER NOT NULL,
        collectivite TEXT,
        collectivite_key TEXT,
        structure_type TEXT,
        departement TEXT,
        responsable_email TEXT,
        state TEXT NOT NULL,
        status_code TEXT NOT NULL,
        thread_id INTEGER REFERENCES messages(id),
        missing_json TEXT NOT NULL DEFAULT '[]',
        invalid_json TEXT NOT NULL DEFAULT '{}',
        staff_flag TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        completed_at TEXT,
        UNIQUE (edition, seq)
    );
    CREATE INDEX dossiers_by_thread ON dossiers(thread_id);
    CREATE INDEX dossiers_by_key ON dossiers(edition, collectivite_key);
    CREATE INDEX dossiers_by_responsable ON dossiers(edition, responsable_email);

    CREATE TABLE dossier_answers (
        id INTEGER PRIMARY KEY,
        dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
        question_id TEXT NOT NULL,
        value TEXT NOT NULL,
        source TEXT NOT NULL,
        message INTEGER REFERENCES messages(id),
        created_at TEXT NOT NULL,
        superseded_at TEXT
    );
    CREATE INDEX dossier_answers_current ON dossier_answers(dossier_id, superseded_at, question_id);

    CREATE TABLE dossier_events (
        id INTEGER PRIMARY KEY,
        dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        message INTEGER REFERENCES messages(id),
        detail TEXT NOT NULL
    );
    CREATE INDEX dossier_events_by_dossier ON dossier_events(dossier_id, id);
    """,
    # 3: questions asked to the FAQ assistant (email, bot, command line), for staff and corpus growth.
    """
    CREATE TABLE faq_questions (
        id INTEGER PRIMARY KEY,
        asked_at TEXT NOT NULL,
        channel TEXT NOT NULL,
        message INTEGER REFERENCES messages(id),
        asker TEXT,
        question TEXT NOT NULL,
        zone TEXT NOT NULL,
        entry_id TEXT,
        score REAL NOT NULL,
        alternatives_json TEXT NOT NULL DEFAULT '[]',
        feedback TEXT,
        resolved_at TEXT,
        resolution TEXT
    );
    CREATE INDEX faq_questions_open ON faq_questions(resolved_at, zone, id);
    """,
    # 4: staff (web logins), reminders sent, staff notifications pushed to Telegram.
    """
    ALTER TABLE notices ADD COLUMN telegram_sent_at TEXT;

    CREATE TABLE staff_users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        last_login_at TEXT
    );

    CREATE TABLE reminders (
        id INTEGER PRIMARY KEY,
        dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
        sent_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        outbox INTEGER REFERENCES outbox(id)
    );
    CREATE INDEX reminders_by_dossier ON reminders(dossier_id, sent_at);
    """,
]
