"""MIME parsing of real-world mail, and the shape of our replies."""

from __future__ import annotations

import email
from email import policy

from assistant.mail.compose import build_message, reply_subject
from assistant.mail.parse import parse_message


def test_undeclared_latin1_and_cp1252_labelled_latin1():
    raw = (b"From: a@b.fr\r\nSubject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n"
           b"Pr\xe9sentation \x9cuvre \x80 \r\n")
    assert parse_message(raw).text.strip() == "Présentation œuvre €"
    raw2 = b"From: a@b.fr\r\nSubject: x\r\n\r\nd\xe9j\xe0 vu\r\n"
    assert parse_message(raw2).text.strip() == "déjà vu"


def test_unknown_charset_does_not_raise():
    raw = b"From: a@b.fr\r\nSubject: x\r\nContent-Type: text/plain; charset=x-unknown-42\r\n\r\ncaf\xc3\xa9\r\n"
    assert parse_message(raw).text.strip() == "café"


def test_rfc2231_attachment_name_and_html_body():
    raw = (
        b"From: =?utf-8?q?Ren=C3=A9e?= <renee@ville.fr>\r\nTo: label@tnl.org\r\n"
        b"Subject: =?utf-8?q?Dossier_compl=C3=A9t=C3=A9?=\r\n"
        b"Message-ID: <m1@ville.fr>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Bonjour</p>\r\n"
        b"--b\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''r%C3%A9ponses.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n"
    )
    msg = parse_message(raw)
    assert msg.from_name == "Renée" and msg.subject == "Dossier complété"
    assert msg.message_id == "m1@ville.fr"
    assert msg.html and "Bonjour" in msg.html and msg.text == ""
    assert [(a.filename, a.data) for a in msg.attachments] == [("réponses.pdf", b"%PDF-")]


def test_malformed_headers_do_not_abort():
    raw = b"From: <<<broken\r\nDate: not a date\r\nSubject: ok\r\nMessage-ID: no-brackets\r\n\r\nbody\r\n"
    msg = parse_message(raw)
    assert msg.subject == "ok" and msg.date is None and msg.message_id == "no-brackets"


def test_reply_subject_keeps_one_re_and_the_tag():
    assert reply_subject("RE: Re: TR: Question") == "Re: Question"
    assert reply_subject("Re: [TNL-2024-0042] Compléments", "TNL-2024-0042") == "Re: [TNL-2024-0042] Compléments"
    assert reply_subject("Compléments", "TNL-2024-0042") == "Re: [TNL-2024-0042] Compléments"
    assert reply_subject("") == "Re: Votre message"


def test_built_reply_is_threaded_and_escaped():
    original = parse_message(
        b"From: a@b.fr\r\nSubject: Q\r\nMessage-ID: <orig@b.fr>\r\nReferences: <root@b.fr>\r\n\r\nx\r\n"
    )
    from assistant.config import LabelSettings

    out = build_message(
        sender="label@territoire-numerique-libre.org", sender_name="Label TNL", recipient="a@b.fr",
        subject="Re: Q", template="accuse_reception",
        context={"label": LabelSettings(), "recipient_name": "<script>x</script>", "original_subject": "Q",
                 "received_at": None, "category": "question"},
        in_reply_to=original,
    )
    msg = email.message_from_bytes(out.raw, policy=policy.default)
    assert msg["In-Reply-To"] == "<orig@b.fr>"
    assert msg["References"] == "<root@b.fr> <orig@b.fr>"
    assert msg["Auto-Submitted"] == "auto-replied"
    html = msg.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<script>x</script>" in msg.get_body(("plain",)).get_content()
