"""The store (dedup, migrations, quarantine) and file imports (eml, folder, Maildir, mbox)."""

from __future__ import annotations

import mailbox
import sqlite3

import pytest
from intake_support import make_message, make_settings

from assistant.cli import main
from assistant.mail.file_source import IngestError, ingest
from assistant.pipeline import Pipeline
from assistant.store import messages as msg_store
from assistant.store.database import Database, StoreError
from assistant.store.migrations import MIGRATIONS


def test_wal_and_schema_version(tmp_path):
    with Database(tmp_path / "s.sqlite3") as db:
        assert db.one("PRAGMA journal_mode")[0] == "wal"
        assert db.schema_version == len(MIGRATIONS)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StoreError, match="plus récent"):
        Database(path)


def test_dedup_by_message_id_then_by_hash(tmp_path):
    with Database(tmp_path / "s.sqlite3") as db:
        a = msg_store.add_message(db, make_message(message_id="<same@x.fr>", body="un"), "file")
        b = msg_store.add_message(db, make_message(message_id="<same@x.fr>", body="deux"), "imap")
        assert a.created and not b.created and a.id == b.id
        no_id = b"From: a@b.fr\r\nSubject: sans id\r\n\r\ncorps\r\n"
        c = msg_store.add_message(db, no_id, "file")
        d = msg_store.add_message(db, no_id, "smtp")
        assert c.created and not d.created and c.id == d.id
        e = msg_store.add_message(db, no_id + b"autre", "file")
        assert e.created


def test_failing_message_is_quarantined_and_does_not_block_others(tmp_path):
    settings = make_settings(tmp_path)
    with Database(settings.store.path) as db:
        bad = msg_store.add_message(db, make_message(subject="Boum ?"), "file").id
        good = msg_store.add_message(db, make_message(subject="Question ?", sender="b@ville.fr"), "file").id
        calls = []

        def explode(inp):
            if inp.stored.id == bad:
                calls.append(1)
                raise RuntimeError("gabarit cassé")
            from assistant.pipeline import DEFAULT_HANDLERS

            return DEFAULT_HANDLERS["question"](inp)

        pipeline = Pipeline(db, settings, handlers={"question": explode})
        pipeline.run_pending()
        assert len(calls) == settings.pipeline.max_attempts
        assert msg_store.get_message(db, bad).state == "quarantined"
        assert "gabarit cassé" in msg_store.get_message(db, bad).last_error
        assert msg_store.get_message(db, good).state == "done"
        assert db.one("SELECT COUNT(*) AS n FROM outbox WHERE reply_to = ?", (bad,))["n"] == 0
        notice = db.one("SELECT summary FROM notices WHERE kind = 'quarantaine'")["summary"]
        assert f"#{bad}" in notice


def test_quarantine_cli_list_and_retry(tmp_path, capsys, monkeypatch):
    settings = make_settings(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text(f'[store]\npath = "{settings.store.path}"\n[outbox]\nfolder = "{tmp_path / "out"}"\n')
    with Database(settings.store.path) as db:
        mid = msg_store.add_message(db, make_message(subject="Question ?"), "file").id
        msg_store.record_failure(db, mid, "panne passée", quarantine=True)
    assert main(["--config", str(config), "quarantine", "list"]) == 0
    assert "panne passée" in capsys.readouterr().out
    assert main(["--config", str(config), "quarantine", "retry", str(mid)]) == 0
    assert "traité" in capsys.readouterr().out
    assert main(["--config", str(config), "quarantine", "retry", str(mid)]) == 1


def _write_sources(tmp_path):
    folder = tmp_path / "emls"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.eml").write_bytes(make_message(message_id="<a@x.fr>"))
    (folder / "sub" / "b.eml").write_bytes(make_message(message_id="<b@x.fr>"))
    md = mailbox.Maildir(str(tmp_path / "Maildir"), create=True)
    md.add(make_message(message_id="<c@x.fr>"))
    md.add(make_message(message_id="<a@x.fr>"))  # already imported from the folder
    mb = mailbox.mbox(str(tmp_path / "archive.mbox"), create=True)
    mb.add(make_message(message_id="<d@x.fr>"))
    mb.add(make_message(message_id="<e@x.fr>"))
    mb.flush()
    return folder


def test_ingest_folder_maildir_mbox(tmp_path):
    folder = _write_sources(tmp_path)
    with Database(tmp_path / "s.sqlite3") as db:
        r1 = ingest(db, folder)
        r2 = ingest(db, tmp_path / "Maildir")
        r3 = ingest(db, tmp_path / "archive.mbox")
        r4 = ingest(db, folder / "a.eml")
        assert (r1.created, r2.created, r2.duplicates, r3.created, r4.duplicates) == (2, 1, 1, 2, 1)
        assert msg_store.count_by_state(db) == {"new": 5}
        with pytest.raises(IngestError):
            ingest(db, tmp_path / "absent")


def test_ingest_cli_with_process_writes_outbox(tmp_path, capsys):
    folder = _write_sources(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text('[store]\npath = "s.sqlite3"\n[outbox]\nfolder = "sortie"\n')
    assert main(["--config", str(config), "ingest", str(folder), "--process"]) == 0
    out = capsys.readouterr().out
    assert "2 nouveau(x)" in out and "2 envoyée(s)" in out
    assert len(list((tmp_path / "sortie").glob("*.eml"))) == 2
    assert main(["--config", str(config), "outbox", "list"]) == 0
    assert "sent" in capsys.readouterr().out
    assert main(["--config", str(config), "ingest", str(tmp_path / "nowhere")]) == 1


def test_bad_config_exits_2_with_message(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text("[imap]\nhost = 3\n")
    assert main(["--config", str(config), "notices"]) == 2
    assert "[imap] host" in capsys.readouterr().err
