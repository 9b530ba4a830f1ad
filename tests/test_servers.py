"""Tests of the test servers themselves: if these fail, every IMAP/SMTP test is meaningless."""

from __future__ import annotations

import imaplib
import os
import smtplib
import socket
from email.message import EmailMessage
from pathlib import Path

import pytest
from imap_tools import MailBoxUnencrypted
from servers import (
    DovecotServer,
    SmtpCapture,
    free_port,
    make_server_dir,
    port_refuses,
    remove_server_dir,
)


def make_raw(subject: str, body: str = "Bonjour,\nvoici notre candidature.\n") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Mairie de Test <mairie@example.org>"
    msg["To"] = "label@example.net"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{abs(hash(subject))}@example.org>"
    msg.set_content(body)
    return msg.as_bytes()


def test_login_append_and_fetch_without_marking_seen(dovecot: DovecotServer) -> None:
    uids = [dovecot.append(make_raw(f"Candidature {i}")) for i in range(3)]
    assert uids == [1, 2, 3]

    with MailBoxUnencrypted(dovecot.host, dovecot.port).login(dovecot.user, dovecot.password) as mailbox:
        fetched = list(mailbox.fetch(f"UID {uids[0]}:{uids[-1]}", mark_seen=False))
        assert [int(m.uid) for m in fetched if m.uid] == uids
        assert [m.subject for m in fetched] == ["Candidature 0", "Candidature 1", "Candidature 2"]

    assert dovecot.flags() == {1: set(), 2: set(), 3: set()}
    assert [b"Subject: Candidature 1" in raw for raw in dovecot.fetch_raw()] == [False, True, False]


def test_append_with_flags(dovecot: DovecotServer) -> None:
    uid = dovecot.append(make_raw("Lu"), flags="\\Seen \\Flagged")
    assert dovecot.flags() == {uid: {"\\Seen", "\\Flagged"}}


def test_wrong_password_is_refused(dovecot: DovecotServer) -> None:
    imap = imaplib.IMAP4(dovecot.host, dovecot.port, timeout=5)
    with pytest.raises(imaplib.IMAP4.error):
        imap.login(dovecot.user, "wrong")
    imap.shutdown()


def test_uid_move_to_created_folder(dovecot: DovecotServer) -> None:
    dovecot.create_folder("Traité")
    uids = [dovecot.append(make_raw(f"M{i}")) for i in range(2)]

    with MailBoxUnencrypted(dovecot.host, dovecot.port).login(dovecot.user, dovecot.password) as mailbox:
        # imaplib cached the pre-login capabilities; Dovecot announces MOVE only after login.
        typ, data = mailbox.client.capability()
        assert typ == "OK"
        assert b"MOVE" in data[0].split()
        mailbox.folder.set("INBOX")
        typ, _ = mailbox.client.uid("MOVE", str(uids[0]), '"Trait&AOk-"')
        assert typ == "OK"

    assert dovecot.uids("INBOX") == [uids[1]]
    assert dovecot.uids("Traité") == [1]
    assert b"Subject: M0" in dovecot.fetch_raw("Traité")[0]


def test_folder_names_and_separator(dovecot: DovecotServer) -> None:
    assert dovecot.separator() == "."
    dovecot.create_folder("Candidatures reçues")
    dovecot.create_folder("Archives.2025")
    assert dovecot.folders() == ["Archives.2025", "Candidatures reçues", "INBOX"]
    assert "Archives" in dovecot.folders(include_noselect=True)
    dovecot.append(make_raw("Dans un sous-dossier"), folder="Archives.2025")
    assert dovecot.uids("Archives.2025") == [1]


def test_restart_keeps_uidvalidity_and_messages(dovecot: DovecotServer) -> None:
    for i in range(3):
        dovecot.append(make_raw(f"Avant redémarrage {i}"))
    port, validity, before = dovecot.port, dovecot.uidvalidity(), dovecot.fetch_raw()

    dovecot.restart()

    assert dovecot.port == port
    assert dovecot.uidvalidity() == validity
    assert dovecot.uids() == [1, 2, 3]
    assert dovecot.fetch_raw() == before
    assert dovecot.append(make_raw("Après")) == 4


def test_stop_refuses_connections_and_drops_clients(dovecot: DovecotServer) -> None:
    client = imaplib.IMAP4(dovecot.host, dovecot.port, timeout=5)
    client.login(dovecot.user, dovecot.password)
    client.select("INBOX")

    dovecot.stop()

    assert port_refuses(dovecot.host, dovecot.port)
    with pytest.raises(ConnectionRefusedError):
        MailBoxUnencrypted(dovecot.host, dovecot.port)
    # The connected imap process died with the master: the old session is gone too.
    with pytest.raises((imaplib.IMAP4.abort, OSError)):
        client.noop()
        client.noop()
    dovecot.start()
    assert dovecot.uids() == []


def test_kick_drops_clients_but_keeps_listening(dovecot: DovecotServer) -> None:
    client = imaplib.IMAP4(dovecot.host, dovecot.port, timeout=5)
    client.login(dovecot.user, dovecot.password)
    client.select("INBOX")

    dovecot.kick()

    with pytest.raises((imaplib.IMAP4.abort, OSError)):
        client.noop()
        client.noop()
    with MailBoxUnencrypted(dovecot.host, dovecot.port).login(dovecot.user, dovecot.password) as mailbox:
        assert mailbox.folder.get() == "INBOX"


def test_two_servers_at_once(dovecot: DovecotServer) -> None:
    base_dir = make_server_dir()
    try:
        with DovecotServer(base_dir) as other:
            assert other.port != dovecot.port
            dovecot.append(make_raw("Pour le premier"))
            assert dovecot.uids() == [1]
            assert other.uids() == []
    finally:
        remove_server_dir(base_dir)


def test_start_failure_reports_the_dovecot_log() -> None:
    base_dir = make_server_dir()
    try:
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            server = DovecotServer(base_dir, port=busy.getsockname()[1])  # fixed port: no retry
            with pytest.raises(RuntimeError, match="Address already in use"):
                server.start()
            assert not server.running
    finally:
        remove_server_dir(base_dir)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs Dovecot's processes as another user")
def test_root_refuses_a_private_dir(tmp_path: Path) -> None:
    private = tmp_path / "srv"
    private.mkdir()
    tmp_path.chmod(0o700)
    with pytest.raises(RuntimeError, match="not traversable"):
        DovecotServer(private).start()


def send(capture: SmtpCapture, subject: str) -> None:
    msg = EmailMessage()
    msg["From"] = "label@example.net"
    msg["To"] = "mairie@example.org"
    msg["Subject"] = subject
    msg.set_content("Réponse automatique.")
    with smtplib.SMTP(capture.host, capture.port, timeout=5) as smtp:
        smtp.send_message(msg, from_addr="bounce@example.net", to_addrs=["mairie@example.org", "cc@example.org"])


def test_smtp_capture_records_messages(smtp_capture: SmtpCapture) -> None:
    send(smtp_capture, "Accusé de réception")
    [captured] = smtp_capture.wait_for(1)
    assert captured.mail_from == "bounce@example.net"
    assert captured.rcpt_tos == ["mairie@example.org", "cc@example.org"]
    assert captured.message["Subject"] == "Accusé de réception"
    assert "Réponse automatique." in captured.message.get_content()
    assert b"Subject:" in captured.raw
    smtp_capture.clear()
    assert smtp_capture.messages == []


def test_smtp_capture_stop_and_restart_on_same_port(smtp_capture: SmtpCapture) -> None:
    port = smtp_capture.port
    send(smtp_capture, "Avant")
    smtp_capture.stop()
    assert port_refuses(smtp_capture.host, port)
    with pytest.raises(ConnectionRefusedError):
        send(smtp_capture, "Pendant la panne")

    smtp_capture.start()
    assert smtp_capture.port == port
    send(smtp_capture, "Après")
    assert [m.message["Subject"] for m in smtp_capture.wait_for(2)] == ["Avant", "Après"]


def test_smtp_capture_fail_next(smtp_capture: SmtpCapture) -> None:
    smtp_capture.fail_next(451, "Try again later")
    with pytest.raises(smtplib.SMTPDataError) as excinfo:
        send(smtp_capture, "Refusé")
    assert excinfo.value.smtp_code == 451
    send(smtp_capture, "Accepté")
    assert [m.message["Subject"] for m in smtp_capture.wait_for(1)] == ["Accepté"]


def test_smtp_wait_for_times_out(smtp_capture: SmtpCapture) -> None:
    with pytest.raises(TimeoutError):
        smtp_capture.wait_for(1, timeout=0.2)


def test_free_port_is_bindable() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
