"""The embedded SMTP intake, spoken to over a real socket with smtplib."""

from __future__ import annotations

import smtplib

import pytest
from intake_support import LABEL, make_message
from servers import free_port

from assistant.config import IntakeSettings
from assistant.mail.smtp_intake import SmtpIntake
from assistant.store import messages as msg_store
from assistant.store.database import Database


@pytest.fixture
def intake(tmp_path):
    settings = IntakeSettings(port=free_port(), recipients=[LABEL], max_message_bytes=200_000)
    woken = []
    server = SmtpIntake(settings, str(tmp_path / "tnl.sqlite3"), lambda: woken.append(1))
    server.start()
    server.woken = woken
    yield server
    server.stop()


def _client(intake) -> smtplib.SMTP:
    return smtplib.SMTP(intake.settings.host, intake.settings.port, timeout=10)


def test_accepts_mail_for_the_label_and_stores_it_before_250(intake, tmp_path):
    raw = make_message(message_id="<smtp1@mairie-exemple.fr>")
    with _client(intake) as client:
        refused = client.sendmail("claire@mairie-exemple.fr", [LABEL.upper()], raw)
    assert refused == {}
    with Database(tmp_path / "tnl.sqlite3") as db:
        stored = msg_store.find_by_message_ids(db, ["smtp1@mairie-exemple.fr"])
        assert stored is not None and stored.source == "smtp" and stored.state == "new"
        assert msg_store.get_raw(db, stored.id).replace(b"\r\n", b"\n").rstrip() == raw.replace(b"\r\n", b"\n").rstrip()
    assert intake.woken


def test_refuses_foreign_recipient(intake):
    with _client(intake) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as exc:
        client.sendmail("spammer@exemple.com", ["victime@ailleurs.example"], make_message())
    code, text = exc.value.recipients["victime@ailleurs.example"]
    assert code == 550 and b"relaie pas" in text


def test_refuses_oversized_message(intake, tmp_path):
    big = make_message(body="x" * 300_000)
    with _client(intake) as client, pytest.raises(smtplib.SMTPException) as exc:
        client.sendmail("claire@mairie-exemple.fr", [LABEL], big)
    assert "552" in str(exc.value)
    with Database(tmp_path / "tnl.sqlite3") as db:
        assert msg_store.count_by_state(db) == {}


def test_storage_failure_answers_451_so_the_sender_retries(intake, tmp_path, monkeypatch):
    import assistant.mail.smtp_intake as module

    def broken(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(module, "add_message", broken)
    with _client(intake) as client, pytest.raises(smtplib.SMTPDataError) as exc:
        client.sendmail("claire@mairie-exemple.fr", [LABEL], make_message())
    assert exc.value.smtp_code == 451


def test_same_message_delivered_twice_is_stored_once(intake, tmp_path):
    raw = make_message(message_id="<dup@mairie-exemple.fr>")
    with _client(intake) as client:
        client.sendmail("claire@mairie-exemple.fr", [LABEL], raw)
        client.sendmail("claire@mairie-exemple.fr", [LABEL], raw)
    with Database(tmp_path / "tnl.sqlite3") as db:
        assert msg_store.count_by_state(db) == {"new": 1}
