"""FAQ questions by email, end to end through Dovecot, and the staff side (unanswered, add-phrasing)."""

from __future__ import annotations

import shutil
import tomllib

from intake_support import make_message, make_settings, run_once

from assistant.cli import main
from assistant.faq.log import unanswered
from assistant.store.database import Database


def test_several_questions_answered_in_one_reply(tmp_path, dovecot, smtp_capture):
    settings = make_settings(tmp_path, dovecot, smtp_capture)
    body = (
        "Bonjour Madame, Monsieur,\n\n"
        "Nous sommes une petite commune de l'Hérault.\n"
        "Combien coûte la participation au label ?\n"
        "Et où faut-il envoyer le questionnaire une fois rempli ?\n\n"
        "Merci d'avance,\nCordialement,\nSophie Roux\nSecrétaire de mairie\n"
    )
    dovecot.append(make_message(sender="mairie@petite-commune.fr", subject="Renseignements", body=body))
    run_once(settings)
    (reply,) = smtp_capture.wait_for(1)
    text = reply.message.get_body(("plain",)).get_content()
    assert "gratuite" in text
    assert "label@territoire-numerique-libre.org" in text
    assert "Sophie Roux" not in text.split("Merci pour votre message")[1].split("--")[0].replace("Bonjour", "")
    with Database(settings.store.path) as db:
        rows = db.all("SELECT question, zone, entry_id FROM faq_questions ORDER BY id")
    assert [r["zone"] for r in rows] == ["answer", "answer"]


def test_off_topic_question_is_handed_to_staff(tmp_path, dovecot, smtp_capture, capsys):
    settings = make_settings(tmp_path, dovecot, smtp_capture)
    dovecot.append(make_message(sender="habitant@exemple.fr", subject="Question",
                                body="Bonjour, comment renouveler ma carte d'identité ?\nMerci"))
    run_once(settings)
    (reply,) = smtp_capture.wait_for(1)
    text = reply.message.get_body(("plain",)).get_content()
    assert "l'équipe du label vous répondra" in text
    with Database(settings.store.path) as db:
        (question,) = unanswered(db)
        assert "carte d'identité" in question.question and question.zone == "abstain"
        assert db.one("SELECT COUNT(*) AS n FROM notices WHERE kind = 'faq'")["n"] == 1


def test_unanswered_listing_and_add_phrasing(tmp_path, capsys):
    from assistant.faq.log import record_question

    faq_dir = tmp_path / "faq"
    from assistant.resources import data_dir

    shutil.copytree(data_dir("faq"), faq_dir)
    config = tmp_path / "config.toml"
    config.write_text('[store]\npath = "s.sqlite3"\n')
    with Database(tmp_path / "s.sqlite3") as db:
        qid = record_question(db, channel="email", question="Faut-il mettre la main au porte-monnaie ?",
                              zone="suggest", entry_id="cout", score=0.4, alternatives=["adhesion"])
    assert main(["--config", str(config), "faq", "unanswered"]) == 0
    out = capsys.readouterr().out
    assert "porte-monnaie" in out and f"add-phrasing {qid} cout" in out
    assert main(["--config", str(config), "faq", "add-phrasing", str(qid), "cout", "--faq-dir", str(faq_dir)]) == 0
    entry = tomllib.loads((faq_dir / "cout.toml").read_text(encoding="utf-8"))
    assert "Faut-il mettre la main au porte-monnaie ?" in entry["phrasings"]
    assert main(["--config", str(config), "faq", "unanswered"]) == 0
    assert "Aucune question" in capsys.readouterr().out
    from assistant.faq.corpus import load_corpus

    assert load_corpus(faq_dir).get("cout") is not None  # still a valid corpus
    assert main(["--config", str(config), "faq", "add-phrasing", "999", "cout", "--faq-dir", str(faq_dir)]) == 1


def test_unanswered_question_recorded_as_off_topic(tmp_path, capsys):
    from assistant.faq.corpus import load_corpus
    from assistant.faq.log import get_question, record_question
    from assistant.resources import data_dir

    faq_dir = tmp_path / "faq"
    shutil.copytree(data_dir("faq"), faq_dir)
    config = tmp_path / "config.toml"
    config.write_text('[store]\npath = "s.sqlite3"\n')
    question = "Combien d'habitants compte la ville de Rodez ?"
    with Database(tmp_path / "s.sqlite3") as db:
        qid = record_question(db, channel="telegram", question=question, zone="suggest",
                              entry_id="collectivites-labellisees", score=0.5, alternatives=[])
    assert main(["--config", str(config), "faq", "unanswered"]) == 0
    assert f"assistant faq hors-champ {qid}" in capsys.readouterr().out
    assert main(["--config", str(config), "faq", "hors-champ", str(qid), "--faq-dir", str(faq_dir)]) == 0
    assert "Question ajoutée à" in capsys.readouterr().out
    assert question in load_corpus(faq_dir).off_topic
    with Database(tmp_path / "s.sqlite3") as db:
        assert get_question(db, qid).resolution == "hors du champ de la FAQ"
    assert main(["--config", str(config), "faq", "hors-champ", str(qid), "--faq-dir", str(faq_dir)]) == 0
    assert "déjà présente" in capsys.readouterr().out
    assert main(["--config", str(config), "faq", "hors-champ", "999", "--faq-dir", str(faq_dir)]) == 1
    assert main(["--config", str(config), "faq", "hors-champ", str(qid), "--faq-dir", str(tmp_path / "nope")]) == 1
