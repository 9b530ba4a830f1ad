"""Each classification rule on its own, then the full order."""

from __future__ import annotations

import pytest
from intake_support import make_message

from assistant.mail import classify as cls
from assistant.mail.parse import parse_message

OWN = {"label@territoire-numerique-libre.org"}


def ctx(find_thread=None) -> cls.ClassifyContext:
    return cls.ClassifyContext(own_addresses=OWN, find_thread=find_thread or (lambda m: None))


def parsed(**kwargs):
    return parse_message(make_message(**kwargs))


@pytest.mark.parametrize("value", ["auto-replied", "auto-generated", "auto-notified"])
def test_auto_submitted(value):
    assert cls.rule_auto_submitted(parsed(headers={"Auto-Submitted": value}), ctx()).category == cls.AUTOMATIC


def test_auto_submitted_no_is_human():
    assert cls.rule_auto_submitted(parsed(headers={"Auto-Submitted": "no"}), ctx()) is None


@pytest.mark.parametrize("header", ["X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"])
def test_autoreply_headers(header):
    assert cls.rule_autoreply_headers(parsed(headers={header: "yes"}), ctx()).category == cls.AUTOMATIC


@pytest.mark.parametrize(("value", "category"), [("bulk", cls.AUTOMATIC), ("junk", cls.AUTOMATIC),
                                                 ("list", cls.LIST)])
def test_precedence(value, category):
    assert cls.rule_precedence(parsed(headers={"Precedence": value}), ctx()).category == category


def test_list_id():
    assert cls.rule_mailing_list(parsed(headers={"List-Id": "<x.lists.exemple.fr>"}), ctx()).category == cls.LIST


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@mx.fr", "postmaster@ville.fr", "noreply@service.fr",
                                    "no-reply@service.fr", "ne-pas-repondre@impots.fr", "do_not_reply@x.fr"])
def test_robot_senders(sender):
    assert cls.rule_robot_sender(parsed(sender=sender), ctx()).category == cls.AUTOMATIC


def test_human_sender_is_not_a_robot():
    assert cls.rule_robot_sender(parsed(sender="noemie.replay@ville.fr"), ctx()) is None


def test_own_address():
    assert cls.rule_own_address(parsed(sender="Label@Territoire-Numerique-Libre.org"), ctx()).category == cls.OWN


def test_multipart_report_is_a_bounce():
    raw = (b"From: MAILER-DAEMON@mx.fr\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
           b"--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b--\r\n")
    assert cls.rule_delivery_report(parse_message(raw), ctx()).category == cls.BOUNCE


def test_plain_daemon_bounce_by_subject():
    msg = parsed(sender="MAILER-DAEMON@mx.fr", subject="Undelivered Mail Returned to Sender")
    assert cls.rule_delivery_report(msg, ctx()).category == cls.BOUNCE


def test_known_thread():
    link = cls.ThreadLink(7, via="In-Reply-To")
    verdict = cls.rule_known_thread(parsed(), ctx(lambda m: link))
    assert verdict.category == cls.FOLLOWUP and verdict.thread is link


def test_candidature_by_numbered_answers():
    body = "Bonjour,\n0.1 Nom : Ville de X\n0.2 Type : commune\n1.1 Enjeux : souveraineté\n1.2 Soutien : élus\n"
    assert cls.rule_candidature(parsed(body=body, subject="Envoi"), ctx()).category == cls.CANDIDATURE


def test_candidature_by_attachment_and_subject():
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "dsi@ville.fr", "label@tnl.org", "Notre candidature 2024"
    msg.set_content("Ci-joint notre dossier.")
    msg.add_attachment(b"PK...", maintype="application", subtype="vnd.oasis.opendocument.text",
                       filename="questionnaire.odt")
    assert cls.rule_candidature(parse_message(msg.as_bytes()), ctx()).category == cls.CANDIDATURE


def test_version_numbers_do_not_make_a_candidature():
    body = "Nous utilisons LibreOffice 7.6 et Firefox 1.5, est-ce suffisant ?\n3.10 de quoi ?"
    assert cls.rule_candidature(parsed(body=body), ctx()) is None


def test_question():
    assert cls.rule_question(parsed(body="Comment candidater au label"), ctx()).category == cls.QUESTION


def test_order_robot_beats_question():
    msg = parsed(body="Pouvez-vous me rappeler ?", headers={"Auto-Submitted": "auto-replied"})
    assert cls.classify(msg, ctx()).category == cls.AUTOMATIC


def test_other_when_nothing_matches():
    assert cls.classify(parsed(body="Veuillez trouver notre logo.", subject="Logo"), ctx()).category == cls.OTHER


def test_never_answered_categories():
    for category in (cls.OWN, cls.BOUNCE, cls.AUTOMATIC, cls.LIST):
        assert not cls.Verdict(category, "").answerable
    for category in (cls.FOLLOWUP, cls.CANDIDATURE, cls.QUESTION, cls.OTHER):
        assert cls.Verdict(category, "").answerable
