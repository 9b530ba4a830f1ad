"""Candidature dossiers end to end through Dovecot: incomplete → missing list → follow-up → complete."""

from __future__ import annotations

import email.utils
from email.message import EmailMessage

from intake_support import LABEL, make_settings, run_once

from assistant.dossiers import store as dstore
from assistant.store.database import Database

COMPLETE_ANSWERS = {
    "0.1": "Commune de Saint-Exemple",
    "0.2": "commune",
    "0.3": "34",
    "0.4": "5 600",
    "0.5": "Claudine Martin, adjointe au numérique",
    "0.6": "claudine.martin@saint-exemple.fr",
    "0.7": "Jean Dupont, DSI",
    "0.8": "dsi@saint-exemple.fr",
    "1.1": "Souveraineté numérique et maîtrise des coûts",
    "1.2": "Le maire et la direction générale",
    "1.3": "Habitudes des agents",
    "1.4": "Migration bureautique en 2025",
    "1.5": "Oui",
    "1.6": "Environ 30 % via l'opérateur public",
    "2.1": "ODF, CSV",
    "2.2": "Non, pas encore audité",
    "2.3": "Réemploi des postes",
    "3.1": "LibreOffice, Firefox",
    "3.2": "openCimetière",
    "3.3": "Debian",
    "3.4": "12",
    "4.1": "Ateliers internes",
    "4.2": "Réunion publique annuelle",
    "4.3": "Signalement d'anomalies",
    "5.1": "https://data.saint-exemple.fr",
    "5.2": "14",
    "5.3": "Licence Ouverte 2.0",
    "5.5": "DPO mutualisé avec le centre de gestion",
}
LATER = ("2.2", "4.2", "5.3")


def candidature(answers: dict[str, str], subject: str, message_id: str, headers: dict | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Jean Dupont <dsi@saint-exemple.fr>"
    msg["To"] = LABEL
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = message_id
    for k, v in (headers or {}).items():
        msg[k] = v
    lines = ["Bonjour,", "", "Voici nos réponses :", ""]
    lines += [f"{qid} {text}" for qid, text in answers.items()]
    lines += ["", "Cordialement,", "Jean Dupont"]
    msg.set_content("\n".join(lines))
    return msg.as_bytes()


def test_incomplete_then_followup_completes_the_dossier(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture, edition={"closes": "2099-12-31"})
    first = {k: v for k, v in COMPLETE_ANSWERS.items() if k not in LATER}
    first["4.2"] = "à compléter"
    dovecot.append(candidature(first, "Candidature TNL Saint-Exemple", "<c1@saint-exemple.fr>"))
    run_once(settings)

    (reply,) = smtp_capture.wait_for(1)
    subject = reply.message["Subject"]
    assert subject == "Re: [TNL-2024-0001] Candidature TNL Saint-Exemple"
    text = reply.message.get_body(("plain",)).get_content()
    for qid in LATER:
        assert f"- {qid} " in text
    assert "2. Bonnes pratiques numériques" in text and "5. Gestion des données" in text
    listed = {line.split()[1] for line in text.splitlines() if line.startswith("  - ")}
    assert listed == set(LATER)
    with Database(settings.store.path) as db:
        dossier = dstore.find_by_number(db, "TNL-2024-0001")
        assert dossier.state == dstore.STATE_INCOMPLETE and sorted(dossier.missing) == sorted(LATER)
        assert dossier.collectivite == "Commune de Saint-Exemple"
        assert dossier.responsable_email == "dsi@saint-exemple.fr"

    # The collectivité answers by replying to our message, quoting it.
    quoted = "\n".join("> " + line for line in text.splitlines())
    followup = EmailMessage()
    followup["From"] = "Jean Dupont <dsi@saint-exemple.fr>"
    followup["To"] = LABEL
    followup["Subject"] = "RE: " + subject
    followup["Message-ID"] = "<c2@saint-exemple.fr>"
    followup["In-Reply-To"] = reply.message["Message-ID"]
    followup["References"] = f"<c1@saint-exemple.fr> {reply.message['Message-ID']}"
    body = "1.3 Habitudes et formation\n" + "\n".join(f"{qid} {COMPLETE_ANSWERS[qid]}" for qid in LATER)
    attribution = "Le lundi 14 octobre, Label a écrit :"
    followup.set_content(f"Bonjour,\n\n{body}\n\nBien à vous,\nJean\n\n{attribution}\n{quoted}\n")
    dovecot.append(followup.as_bytes())
    run_once(settings)

    replies = smtp_capture.wait_for(2)
    ack = replies[1].message
    assert ack["Subject"] == "Re: [TNL-2024-0001] Candidature TNL Saint-Exemple"
    assert ack["In-Reply-To"] == "<c2@saint-exemple.fr>"
    ack_text = ack.get_body(("plain",)).get_content()
    assert "est complète" in ack_text and "TNL-2024-0001" in ack_text
    with Database(settings.store.path) as db:
        dossier = dstore.find_by_number(db, "TNL-2024-0001")
        assert dossier.state == dstore.STATE_COMPLETE and dossier.missing == []
        assert dossier.status_code in ack_text
        answers = dstore.current_answers(db, dossier.id)
        assert answers["4.2"].value == COMPLETE_ANSWERS["4.2"]
        history = [a for a in dstore.answer_history(db, dossier.id) if a.question_id == "1.3"]
        assert [a.value for a in history] == ["Habitudes des agents", "Habitudes et formation"]
        assert history[0].superseded_at is not None and history[1].superseded_at is None
        thread = db.all("SELECT id FROM messages WHERE thread_id = ?", (dossier.thread_id,))
        assert len(thread) == 2
        assert db.one("SELECT COUNT(*) AS n FROM dossiers")["n"] == 1


def test_tag_in_subject_links_a_new_thread(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture, edition={"closes": "2099-12-31"})
    first = {k: v for k, v in COMPLETE_ANSWERS.items() if k != "3.4"}
    dovecot.append(candidature(first, "Candidature", "<t1@saint-exemple.fr>"))
    run_once(settings)
    dovecot.append(candidature({"3.4": "15"}, "Complément [TNL-2024-0001]", "<t2@saint-exemple.fr>"))
    run_once(settings)
    replies = smtp_capture.wait_for(2)
    assert "est complète" in replies[1].message.get_body(("plain",)).get_content()


def test_same_sender_new_thread_is_only_a_suggestion(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture, edition={"closes": "2099-12-31"})
    first = {k: v for k, v in COMPLETE_ANSWERS.items() if k != "3.4"}
    dovecot.append(candidature(first, "Candidature", "<s1@saint-exemple.fr>"))
    run_once(settings)
    dovecot.append(candidature({"3.4": "15", "3.1": "LibreOffice", "3.2": "QGIS"}, "Nos compléments",
                               "<s2@saint-exemple.fr>"))
    run_once(settings)
    replies = smtp_capture.wait_for(2)
    assert "rattacher" in replies[1].message.get_body(("plain",)).get_content()
    with Database(settings.store.path) as db:
        dossier = dstore.find_by_number(db, "TNL-2024-0001")
        assert dossier.state == dstore.STATE_INCOMPLETE and dossier.missing == ["3.4"]
        assert db.one("SELECT COUNT(*) AS n FROM notices WHERE kind = 'rattachement'")["n"] == 1


def test_after_closing_date_the_dossier_is_late(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture, edition={"closes": "2024-11-08"})
    dovecot.append(candidature(COMPLETE_ANSWERS, "Candidature", "<late@saint-exemple.fr>"))
    run_once(settings)
    (reply,) = smtp_capture.wait_for(1)
    assert "closes" in reply.message.get_body(("plain",)).get_content()
    with Database(settings.store.path) as db:
        assert dstore.find_by_number(db, "TNL-2024-0001").state == dstore.STATE_LATE


def test_reminder_lists_missing_and_is_threaded(tmp_path, dovecot, smtp_capture):
    from assistant.dossiers import actions

    settings = make_settings(tmp_path, dovecot, smtp_capture, edition={"closes": "2099-12-31"})
    first = {k: v for k, v in COMPLETE_ANSWERS.items() if k not in LATER}
    dovecot.append(candidature(first, "Candidature", "<r1@saint-exemple.fr>"))
    run_once(settings)
    with Database(settings.store.path) as db:
        result = actions.send_reminder(db, settings, "TNL-2024-0001", "marie")
        assert result.recipient == "dsi@saint-exemple.fr"
        assert actions.due_automatic_reminders(db, settings) == []  # closing date far away
        import datetime as dt

        assert actions.due_automatic_reminders(db, settings, today=dt.date(2099, 12, 29)) == []  # just reminded
        events = [e.kind for e in dstore.events(db, dstore.find_by_number(db, "TNL-2024-0001").id)]
        assert "relance" in events
    run_once(settings)
    reminder = smtp_capture.wait_for(2)[1].message
    assert reminder["Subject"] == "Re: [TNL-2024-0001] Candidature"
    assert reminder["In-Reply-To"] == "<r1@saint-exemple.fr>"
    assert reminder["Auto-Submitted"] is None  # a person asked for it
    text = reminder.get_body(("plain",)).get_content()
    assert all(f"- {qid} " in text for qid in LATER)


def test_unreadable_attachment_is_named_to_sender_and_flagged_for_staff(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture, edition={"closes": "2099-12-31"})
    msg = EmailMessage()
    msg["From"] = "dsi@saint-exemple.fr"
    msg["To"] = LABEL
    msg["Subject"] = "Candidature au label"
    msg["Message-ID"] = "<pj@saint-exemple.fr>"
    msg.set_content("Bonjour, ci-joint notre questionnaire de candidature.\n0.1 Commune de Saint-Exemple\n"
                    "0.2 commune\n0.3 34\n")
    msg.add_attachment(b"%PDF-1.4\n% truncated garbage", maintype="application", subtype="pdf",
                       filename="questionnaire-rempli.pdf")
    dovecot.append(msg.as_bytes())
    run_once(settings)
    (reply,) = smtp_capture.wait_for(1)
    text = reply.message.get_body(("plain",)).get_content()
    assert "questionnaire-rempli.pdf" in text and "pas pu lire" in text
    with Database(settings.store.path) as db:
        dossier = dstore.find_by_number(db, "TNL-2024-0001")
        assert dossier.staff_flag and "questionnaire-rempli.pdf" in dossier.staff_flag
        assert db.one("SELECT COUNT(*) AS n FROM notices WHERE kind = 'piece_illisible'")["n"] == 1
