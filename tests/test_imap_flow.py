"""End-to-end intake over a real Dovecot and a real SMTP capture server."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

from intake_support import make_message, make_settings, run_once

from assistant.mail.imap_source import ImapSource
from assistant.runner import Runner
from assistant.store.database import Database
from assistant.store.messages import count_by_state


def test_append_then_run_once_replies_and_moves(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture)
    raw = make_message(message_id="<q1@mairie-exemple.fr>", subject="Question")
    dovecot.append(raw)

    report = run_once(settings)

    assert report.fetched == 1 and report.processed == 1 and report.outbox.sent == 1
    (reply,) = smtp_capture.wait_for(1)
    assert reply.rcpt_tos == ["claire.martin@mairie-exemple.fr"]
    assert reply.message["In-Reply-To"] == "<q1@mairie-exemple.fr>"
    assert reply.message["References"] == "<q1@mairie-exemple.fr>"
    assert reply.message["Subject"] == "Re: Question"
    assert reply.message["Auto-Submitted"] == "auto-replied"
    assert reply.message["X-Auto-Response-Suppress"] == "All"
    body = reply.message.get_body(("plain",)).get_content()
    assert "Bonjour" in body and "gratuite" in body  # answered from the FAQ
    assert reply.message.get_body(("html",)) is not None
    assert dovecot.uids("INBOX") == []
    moved = dovecot.fetch_raw("Traite")
    assert len(moved) == 1 and b"q1@mairie-exemple.fr" in moved[0]


def test_message_is_not_marked_seen_before_it_is_stored(tmp_path, dovecot):
    settings = make_settings(tmp_path, dovecot)
    dovecot.append(make_message())
    with Database(settings.store.path) as db:
        source = ImapSource(settings.imap, db)
        try:
            assert source.poll_once() == 1
        finally:
            source.close()
    flags = dovecot.flags("Traite")
    assert all("\\Seen" not in f for f in flags.values())


def test_running_twice_gives_one_reply(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture)
    raw = make_message(message_id="<twice@mairie-exemple.fr>")
    dovecot.append(raw)
    run_once(settings)
    # The same message appears again (a person copies it back into the inbox): recognised, not answered.
    dovecot.append(raw)
    second = run_once(settings)
    assert second.fetched == 0 and second.outbox.sent == 0
    assert len(smtp_capture.messages) == 1
    assert dovecot.uids("INBOX") == []


def test_person_marked_deleted_mail_survives_our_move(tmp_path, dovecot, smtp_capture):
    """We never EXPUNGE folder-wide: a message a person flagged \\Deleted stays where it is."""
    settings = make_settings(tmp_path, dovecot, smtp_capture)
    dovecot.append(make_message(message_id="<keep@mairie-exemple.fr>"), flags="\\Deleted")
    with Database(settings.store.path) as db:
        source = ImapSource(settings.imap, db)
        try:
            source.connect()
            # Pretend the flagged message was already handled so only the new one is fetched.
            from assistant.store.imap_state import save_cursor

            save_cursor(db, source.account, "INBOX", dovecot.uidvalidity("INBOX"), dovecot.uids("INBOX")[0])
            dovecot.append(make_message(message_id="<new@mairie-exemple.fr>"))
            assert source.poll_once() == 1
        finally:
            source.close()
    remaining = dovecot.fetch_raw("INBOX")
    assert len(remaining) == 1 and b"keep@mairie-exemple.fr" in remaining[0]


def test_uidvalidity_change_rescans_without_duplicates(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture)
    dovecot.append(make_message(message_id="<before@mairie-exemple.fr>"))
    run_once(settings)
    with Database(settings.store.path) as db:
        db.execute("UPDATE imap_state SET uidvalidity = uidvalidity + 1000, last_uid = 999")
    dovecot.append(make_message(message_id="<after@mairie-exemple.fr>"))
    report = run_once(settings)
    assert report.fetched == 1
    assert len(smtp_capture.wait_for(2)) == 2
    with Database(settings.store.path) as db:
        kinds = [r["kind"] for r in db.all("SELECT kind FROM notices")]
    assert "imap" in kinds


def test_since_cutoff_records_old_mail_without_answering(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture, imap={"since": "2024-06-01"})
    old = make_message(message_id="<old@mairie-exemple.fr>", headers={})
    old = old.replace(b"Date: ", b"X-Old-Date: ", 1)
    old = b"Date: Mon, 06 Feb 2023 10:00:00 +0100\r\n" + old
    dovecot.append(old)
    dovecot.append(make_message(message_id="<recent@mairie-exemple.fr>"))
    report = run_once(settings)
    assert report.fetched == 2 and report.processed == 2
    (reply,) = smtp_capture.wait_for(1)
    assert reply.message["In-Reply-To"] == "<recent@mairie-exemple.fr>"
    with Database(settings.store.path) as db:
        row = db.one("SELECT state, reason FROM messages WHERE message_id = 'old@mairie-exemple.fr'")
    assert row["state"] == "done" and "date de reprise" in row["reason"]


def test_robots_are_never_answered(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture)
    dovecot.append(make_message(subject="Absent du bureau", headers={"Auto-Submitted": "auto-replied"}))
    dovecot.append(make_message(subject="Je suis absent", headers={"X-Autoreply": "yes"}))
    dovecot.append(make_message(subject="Lettre d'info", headers={"List-Id": "<infos.liste.exemple.fr>"}))
    dovecot.append(make_message(subject="Promo", headers={"Precedence": "bulk"}))
    dovecot.append(make_message(sender="MAILER-DAEMON@mx.exemple.net", subject="Undelivered Mail Returned to Sender"))
    dovecot.append(make_message(sender="noreply@plateforme.exemple.fr", subject="Notification ?"))
    dovecot.append(make_message(sender="label@territoire-numerique-libre.org", subject="Copie ?"))
    report = run_once(settings)
    assert report.processed == 7 and report.outbox.sent == 0
    time.sleep(0.2)
    assert smtp_capture.messages == []


def test_bounce_of_our_reply_is_linked_and_not_answered(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture)
    dovecot.append(make_message(sender="ancien@commune-disparue.fr", message_id="<orig@commune-disparue.fr>"))
    run_once(settings)
    (reply,) = smtp_capture.wait_for(1)
    bounce = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.exemple.net>\r\n"
        "To: label@territoire-numerique-libre.org\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce1@mx.exemple.net>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nUser unknown\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.exemple.net\r\n\r\n"
        "Final-Recipient: rfc822; ancien@commune-disparue.fr\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {reply.message['Message-ID']}\r\nSubject: Re: Question\r\n\r\n"
        "--B--\r\n"
    ).encode()
    dovecot.append(bounce)
    run_once(settings)
    assert len(smtp_capture.messages) == 1
    with Database(settings.store.path) as db:
        row = db.one("SELECT category, related_message, related_outbox FROM messages WHERE message_id = ?",
                     ("bounce1@mx.exemple.net",))
        original = db.one("SELECT id FROM messages WHERE message_id = 'orig@commune-disparue.fr'")
        notice = db.one("SELECT summary FROM notices WHERE kind = 'rebond'")
    assert row["category"] == "bounce"
    assert row["related_message"] == original["id"] and row["related_outbox"] is not None
    assert "ancien@commune-disparue.fr" in notice["summary"]


def test_reply_to_our_acknowledgement_joins_the_thread(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture)
    dovecot.append(make_message(message_id="<start@mairie-exemple.fr>"))
    run_once(settings)
    (ack,) = smtp_capture.wait_for(1)
    dovecot.append(make_message(subject="Re: Re: Question sur le label", message_id="<next@mairie-exemple.fr>",
                                headers={"In-Reply-To": ack.message["Message-ID"],
                                         "References": f"<start@mairie-exemple.fr> {ack.message['Message-ID']}"}))
    run_once(settings)
    second = smtp_capture.wait_for(2)[1]
    assert second.message["Subject"] == "Re: Question sur le label"
    with Database(settings.store.path) as db:
        rows = db.all("SELECT message_id, category, thread_id FROM messages ORDER BY id")
    assert rows[1]["category"] == "followup"
    assert rows[0]["thread_id"] == rows[1]["thread_id"]


def test_per_sender_daily_cap(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture, outbox={"max_auto_replies_per_sender_per_day": 2})
    for i in range(4):
        dovecot.append(make_message(subject=f"Question {i} ?", message_id=f"<cap{i}@mairie-exemple.fr>"))
    dovecot.append(make_message(sender="autre@ville.fr", subject="Question ?"))
    report = run_once(settings)
    assert report.processed == 5 and report.outbox.sent == 3
    recipients = sorted(m.rcpt_tos[0] for m in smtp_capture.wait_for(3))
    assert recipients == ["autre@ville.fr", "claire.martin@mairie-exemple.fr", "claire.martin@mairie-exemple.fr"]
    with Database(settings.store.path) as db:
        assert db.one("SELECT COUNT(*) AS n FROM notices WHERE kind = 'plafond'")["n"] == 2


def test_relay_down_then_back(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture)
    smtp_capture.stop()
    dovecot.append(make_message(message_id="<relay@mairie-exemple.fr>"))
    first = run_once(settings)
    assert first.processed == 1 and first.outbox.sent == 0 and first.outbox.deferred == 1
    smtp_capture.start()
    second = run_once(settings)
    assert second.outbox.sent == 1
    assert len(smtp_capture.wait_for(1)) == 1
    third = run_once(settings)
    assert third.outbox.sent == 0 and len(smtp_capture.messages) == 1


def test_temporary_refusal_is_retried_and_permanent_one_reported(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture)
    smtp_capture.fail_next(451, "Try later")
    dovecot.append(make_message(sender="a@ville.fr"))
    assert run_once(settings).outbox.deferred == 1
    assert run_once(settings).outbox.sent == 1
    smtp_capture.fail_next(550, "No such user")
    dovecot.append(make_message(sender="b@ville.fr"))
    assert run_once(settings).outbox.failed == 1
    with Database(settings.store.path) as db:
        assert db.one("SELECT COUNT(*) AS n FROM notices WHERE kind = 'envoi'")["n"] == 1


KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {tests!r})
    from intake_support import make_settings
    from pathlib import Path
    from assistant.runner import Runner
    import assistant.pipeline as pipeline

    stage = sys.argv[1]
    settings = make_settings(Path({tmp!r}), type("D", (), {dovecot!r})(), type("S", (), {smtp!r})())
    runner = Runner(settings)
    if stage == "after-store":
        from assistant.mail.imap_source import ImapSource
        ImapSource(settings.imap, runner.db).poll_once()
        os.kill(os.getpid(), signal.SIGKILL)
    if stage == "in-handler":
        def die(inp):
            os.kill(os.getpid(), signal.SIGKILL)
        runner.pipeline.handlers["question"] = die
        runner.run_once()
    if stage == "after-queue":
        from assistant.mail.imap_source import ImapSource
        ImapSource(settings.imap, runner.db).poll_once()
        runner.pipeline.run_pending()
        os.kill(os.getpid(), signal.SIGKILL)
    """
)


def _kill_at(stage: str, tmp_path, dovecot, smtp_capture) -> int:
    import pathlib

    script = KILL_SCRIPT.format(
        tests=str(pathlib.Path(__file__).parent),
        tmp=str(tmp_path),
        dovecot={"host": dovecot.host, "port": dovecot.port, "user": dovecot.user, "password": dovecot.password},
        smtp={"host": smtp_capture.host, "port": smtp_capture.port},
    )
    return subprocess.run([sys.executable, "-c", script, stage], timeout=60).returncode


def test_killed_at_any_point_gives_exactly_one_reply(tmp_path, dovecot, smtp_capture):
    for n, stage in enumerate(("after-store", "in-handler", "after-queue")):
        dovecot.append(make_message(subject=f"Question {stage} ?", message_id=f"<kill{n}@mairie-exemple.fr>"))
        assert _kill_at(stage, tmp_path, dovecot, smtp_capture) == -9
        settings = make_settings(tmp_path, dovecot, smtp_capture)
        run_once(settings)
        run_once(settings)
        assert len(smtp_capture.wait_for(n + 1)) == n + 1
        time.sleep(0.1)
        assert len(smtp_capture.messages) == n + 1, stage
    with Database(make_settings(tmp_path).store.path) as db:
        assert count_by_state(db) == {"done": 3}


def test_dovecot_restart_during_idle_reconnects_and_catches_up(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture,
                             imap={"poll_interval_seconds": 30.0, "idle_timeout_seconds": 30.0})
    runner = Runner(settings)
    thread = threading.Thread(target=runner.run_forever, daemon=True)
    thread.start()
    try:
        dovecot.append(make_message(message_id="<idle1@mairie-exemple.fr>"))
        smtp_capture.wait_for(1, timeout=15)  # noticed through IDLE, well before the 30 s poll
        dovecot.restart()
        dovecot.append(make_message(message_id="<idle2@mairie-exemple.fr>"))
        replies = smtp_capture.wait_for(2, timeout=30)
        assert [r.message["In-Reply-To"] for r in replies] == ["<idle1@mairie-exemple.fr>",
                                                                "<idle2@mairie-exemple.fr>"]
    finally:
        runner.stop()
        thread.join(timeout=15)
        runner.close()
    assert not thread.is_alive()


def test_stale_fetch_warns_staff_once(tmp_path, dovecot):
    import datetime as dt

    settings = make_settings(tmp_path, dovecot, imap={"stale_after_minutes": 30.0})
    with Database(settings.store.path) as db:
        source = ImapSource(settings.imap, db)
        try:
            source.poll_once()
        finally:
            source.close()
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
        assert not source.check_stale()
        assert source.check_stale(later) and source.check_stale(later)
        notices = db.all("SELECT summary FROM notices WHERE kind = 'imap'")
    assert len(notices) == 1 and "Aucune relève réussie" in notices[0]["summary"]


def test_unreachable_server_is_retried_with_backoff_then_catches_up(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture)
    dovecot.stop()
    runner = Runner(settings)
    thread = threading.Thread(target=runner.run_forever, daemon=True)
    thread.start()
    try:
        time.sleep(1.5)  # a few refused connections
        dovecot.start()
        dovecot.append(make_message(message_id="<late@mairie-exemple.fr>"))
        smtp_capture.wait_for(1, timeout=20)
    finally:
        runner.stop()
        thread.join(timeout=15)
        runner.close()
