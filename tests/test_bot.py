"""The Telegram bot end to end through real HTTP: PTB talks to a local fake Bot API server.

Each test starts the real Application (handlers, rate limiter, error handler, notification
task) in a thread, pointed at ``tests/fake_botapi.py`` with ``base_url``, injects updates
there and waits for the bot's calls.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import email.utils
import io
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

import pytest
from fake_botapi import FakeBotApi
from intake_support import LABEL, make_settings
from markupsafe import escape
from telegram.ext import CommandHandler

from assistant.bot import commands, texts
from assistant.bot.app import build_application, run, runtime_from_settings, serve
from assistant.bot.markup import markdown_to_telegram, split_message, telegram_length
from assistant.config import Settings
from assistant.dossiers import store as dstore
from assistant.dossiers.handler import questionnaire_for
from assistant.faq.handler import shared_matcher
from assistant.runner import Runner
from assistant.store.database import Database, to_db_time, utcnow

TOKEN = "123456:TEST-token_abc"
APPLICANT = 1001
STAFF = 2002
OTHER = 3003
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    server = FakeBotApi(TOKEN).start()
    try:
        yield server
    finally:
        server.stop()


def bot_settings(tmp_path: Path, api: FakeBotApi, dovecot=None, smtp=None, **sections: dict) -> Settings:
    telegram = {"token": TOKEN, "base_url": api.base_url, "base_file_url": api.base_file_url,
                "staff_chat_ids": [STAFF], "notify_interval_seconds": 0.2}
    return make_settings(tmp_path, dovecot, smtp, telegram=telegram, edition={"closes": "2099-12-31"}, **sections)


@contextmanager
def running_bot(settings: Settings, api: FakeBotApi, extra: Callable[[object], None] | None = None) -> Iterator[None]:
    """The real Application served in a thread (as ``assistant bot`` does, without signal handlers)."""
    runtime = dataclasses.replace(runtime_from_settings(settings), poll_timeout=1.0, bootstrap_retries=0)
    app = build_application(settings, runtime)
    if extra is not None:
        extra(app)
    loop = asyncio.new_event_loop()
    failures: list[BaseException] = []

    def target() -> None:
        asyncio.set_event_loop(loop)
        try:
            serve(app, runtime, stop_signals=None)
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=target, name="bot", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not app.running and not failures and time.monotonic() < deadline:
        time.sleep(0.02)
    assert app.running, f"the bot did not start: {failures}"
    try:
        yield
    finally:
        loop.call_soon_threadsafe(app.stop_running)
        thread.join(20)
        assert not thread.is_alive(), "the bot did not stop"
        assert not failures, failures


def logged_questions(settings: Settings) -> list[dict]:
    with Database(settings.store.path) as db:
        return [dict(r) for r in db.all("SELECT * FROM faq_questions ORDER BY id")]


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def notice_stamps(settings: Settings, kind: str) -> list[str | None]:
    with Database(settings.store.path) as db:
        return [r["telegram_sent_at"] for r in db.all("SELECT telegram_sent_at FROM notices WHERE kind = ?", (kind,))]


def data_of(call, prefix: str) -> list[str]:
    return [data for _, data in call.buttons() if data.startswith(prefix)]


# ---------------------------------------------------------------------------
# Configuration


def run_command(settings: Settings, *argv: str) -> int:
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers())
    args = parser.parse_args(["bot", *argv])
    return args.func(args, settings)


def test_missing_section_or_token_is_a_clear_error(tmp_path, capsys, monkeypatch):
    assert run_command(make_settings(tmp_path)) == 2
    assert "pas de section [telegram]" in capsys.readouterr().err

    monkeypatch.delenv("TNL_TELEGRAM_TOKEN", raising=False)
    assert run_command(make_settings(tmp_path, telegram={"staff_chat_ids": [1]})) == 2
    err = capsys.readouterr().err
    assert "TNL_TELEGRAM_TOKEN" in err and "@BotFather" in err

    assert run_command(make_settings(tmp_path, telegram={"token": "pas-un-jeton"})) == 2
    assert "123456789:ABC" in capsys.readouterr().err

    assert run_command(make_settings(tmp_path, telegram={"token": TOKEN}), "--mode", "webhook") == 2
    assert "webhook_url" in capsys.readouterr().err


def test_token_refused_by_the_server_exits_2(tmp_path, api, capsys):
    settings = make_settings(tmp_path, telegram={"token": "999:WRONG", "base_url": api.base_url})
    runtime = dataclasses.replace(runtime_from_settings(settings), bootstrap_retries=0)
    results: list[int] = []

    def target() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        results.append(run(settings, runtime, stop_signals=None))

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(30)
    assert results == [2]
    assert "jeton Telegram est refusé" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# Applicants


def test_start_and_aide(tmp_path, api):
    settings = bot_settings(tmp_path, api)
    with running_bot(settings, api):
        api.send_text(APPLICANT, "/start")
        welcome = api.wait_sent(APPLICANT, "Bonjour Claire")
        assert welcome.params["parse_mode"] == "HTML"
        assert "/questionnaire" in welcome.text and "/statut" in welcome.text
        assert "/relancer" not in welcome.text
        assert LABEL in welcome.text
        api.send_text(STAFF, "/aide")
        staff_help = api.wait_sent(STAFF, "/relancer")
        assert "/dossiers" in staff_help.text
        api.send_text(APPLICANT, "/inconnue")
        api.wait_sent(APPLICANT, "Je ne connais pas cette commande")
        api.send_sticker(APPLICANT)
        api.wait_sent(APPLICANT, "Je ne lis que les messages écrits")
    scopes = [c.params.get("scope", {}) for c in api.calls if c.method == "setMyCommands"]
    assert {"type": "chat", "chat_id": STAFF} in scopes and {"type": "default"} in scopes


def test_question_answer_alternative_and_feedback(tmp_path, api):
    settings = bot_settings(tmp_path, api)
    corpus = shared_matcher().corpus
    with running_bot(settings, api):
        api.send_text(APPLICANT, "Combien coûte la participation au label ?")
        answer = api.wait_sent(APPLICANT, "<b>Combien coûte la participation au label ?</b>")
        assert "<b>libre et gratuite</b>" in answer.text  # Markdown bold became Telegram HTML
        assert "**" not in answer.text
        (row,) = logged_questions(settings)
        assert (row["channel"], row["zone"], row["entry_id"], row["asker"]) == ("telegram", "answer", "cout", "1001")
        alternatives = data_of(answer, "alt:")
        assert alternatives and all(len(d.encode()) <= 64 for d in alternatives)
        assert all(d.startswith(f"alt:{row['id']}:") for d in alternatives)
        prompt = api.wait_sent(APPLICANT, texts.FEEDBACK_QUESTION)
        assert data_of(prompt, "fb:") == [f"fb:{row['id']}:oui", f"fb:{row['id']}:non"]

        # A close question, through its button.
        mark = api.mark()
        chosen = corpus.get(alternatives[0].split(":", 2)[2])
        api.press(answer, alternatives[0])
        api.wait_for(lambda c: c.method == "answerCallbackQuery", after=mark)
        alternative = api.wait_sent(APPLICANT, f"<b>{escape(chosen.question)}</b>", after=mark)
        assert alternative.buttons() == []
        second_prompt = api.wait_sent(APPLICANT, texts.FEEDBACK_QUESTION, after=mark)

        # Feedback "non": recorded, the prompt is edited, staff are told.
        mark = api.mark()
        api.press(second_prompt, f"fb:{row['id']}:non")
        edited = api.wait_for(lambda c: c.method == "editMessageText", after=mark)
        assert "<b>Non</b>" in edited.text and LABEL in edited.text
        assert int(edited.params["message_id"]) == second_prompt.params["_message_id"]
        assert logged_questions(settings)[0]["feedback"] == "non"
        notified = api.wait_sent(STAFF, "Réponse jugée insuffisante")
        assert "Combien coûte la participation" in notified.text

        # Another chat cannot give feedback on this question with forged callback data.
        api.send_text(OTHER, "Est-ce payant ?")
        other_prompt = api.wait_sent(OTHER, texts.FEEDBACK_QUESTION)
        mark = api.mark()
        api.press(other_prompt, f"fb:{row['id']}:oui")
        refused = api.wait_for(lambda c: c.method == "editMessageText", after=mark)
        assert refused.text == texts.BUTTON_EXPIRED
        assert logged_questions(settings)[0]["feedback"] == "non"

        # And "oui" from the asker is recorded.
        mark = api.mark()
        api.press(prompt, f"fb:{row['id']}:oui")
        api.wait_for(lambda c: c.method == "editMessageText" and "Merci" in c.text, after=mark)
        assert logged_questions(settings)[0]["feedback"] == "oui"


def test_a_message_with_several_questions_gets_each_answered(tmp_path, api):
    settings = bot_settings(tmp_path, api)
    corpus = shared_matcher().corpus
    message = ("Bonjour, c'est gratuit ? Et où faut-il envoyer le dossier ? "
               "Autre chose : quelle est la météo à Brest demain ?")
    with running_bot(settings, api):
        mark = api.mark()
        api.send_text(APPLICANT, message)
        api.wait_sent(APPLICANT, "pas de réponse toute prête", after=mark)
        api.wait_sent(STAFF, "Question sans réponse")
        texts_sent = [c.text for c in api.sent(APPLICANT, after=mark)]
    rows = logged_questions(settings)
    assert [(r["zone"], r["entry_id"]) for r in rows] == [
        ("answer", "cout"), ("answer", "envoi-questionnaire"), ("abstain", None)]
    assert [r["question"] for r in rows] == [
        "c'est gratuit ?", "Et où faut-il envoyer le dossier ?", "Autre chose : quelle est la météo à Brest demain ?"]
    # In order: each answer with its feedback prompt, then the honest abstention quoting its question.
    assert texts_sent[0].startswith(f"<b>{escape(corpus.get('cout').question)}</b>")
    assert texts_sent[1] == texts.FEEDBACK_QUESTION
    assert texts_sent[2].startswith(f"<b>{escape(corpus.get('envoi-questionnaire').question)}</b>")
    assert texts_sent[3] == texts.FEEDBACK_QUESTION
    assert texts_sent[4].startswith("<i>« Autre chose : quelle est la météo à Brest demain ? »</i>")
    assert len(texts_sent) == 5


def test_abstention_is_honest_recorded_and_reported(tmp_path, api):
    settings = bot_settings(tmp_path, api)
    with running_bot(settings, api):
        api.send_text(APPLICANT, "Quelle est la météo à Brest demain ?")
        reply = api.wait_sent(APPLICANT, "pas de réponse toute prête")
        assert LABEL in reply.text and reply.buttons() == []
        notice = api.wait_sent(STAFF, "Question sans réponse")
        assert "météo à Brest" in notice.text
    (row,) = logged_questions(settings)
    assert row["zone"] == "abstain" and row["entry_id"] is None
    assert not any(texts.FEEDBACK_QUESTION in c.text for c in api.sent(APPLICANT))


def test_questionnaire_is_sent_as_an_odt_document(tmp_path, api):
    settings = bot_settings(tmp_path, api)
    with running_bot(settings, api):
        api.send_text(APPLICANT, "/questionnaire")
        call = api.wait_sent(APPLICANT, method="sendDocument")
    filename, data = call.files["document"]
    assert filename == "questionnaire-tnl-2024.odt"
    with zipfile.ZipFile(io.BytesIO(data)) as odt:
        assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        assert "1.1" in odt.read("content.xml").decode("utf-8")
    assert LABEL in call.text


# ---------------------------------------------------------------------------
# Dossiers: applicants with their code, staff, notifications through the real mail intake

LATER = ("2.2", "4.2", "5.3")


def incomplete_candidature() -> bytes:
    answers = {
        "0.1": "Commune de Saint-Exemple", "0.2": "commune", "0.3": "34", "0.4": "5 600",
        "0.5": "Claudine Martin, adjointe au numérique", "0.6": "claudine.martin@saint-exemple.fr",
        "0.7": "Jean Dupont, DSI", "0.8": "dsi@saint-exemple.fr", "1.1": "Souveraineté numérique",
        "1.2": "Le maire", "1.3": "Habitudes des agents", "1.4": "Migration bureautique en 2025", "1.5": "Oui",
        "1.6": "Environ 30 %", "2.1": "ODF, CSV", "2.3": "Réemploi des postes", "3.1": "LibreOffice, Firefox",
        "3.2": "openCimetière", "3.3": "Debian", "3.4": "12", "4.1": "Ateliers internes",
        "4.3": "Signalement d'anomalies", "5.1": "https://data.saint-exemple.fr", "5.2": "14",
        "5.5": "DPO mutualisé",
    }
    msg = EmailMessage()
    msg["From"] = "Jean Dupont <dsi@saint-exemple.fr>"
    msg["To"] = LABEL
    msg["Subject"] = "Candidature TNL Saint-Exemple"
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = "<bot-c1@saint-exemple.fr>"
    msg.set_content("Bonjour,\n\nVoici nos réponses :\n\n" + "\n".join(f"{k} {v}" for k, v in answers.items())
                    + "\n\nCordialement,\nJean Dupont\n")
    return msg.as_bytes()


def test_incomplete_dossier_notified_then_status_and_staff_commands(tmp_path, api, dovecot, smtp_capture):
    settings = bot_settings(tmp_path, api, dovecot, smtp_capture)
    questionnaire = questionnaire_for("2024")
    with running_bot(settings, api):
        dovecot.append(incomplete_candidature())
        runner = Runner(settings)
        try:
            runner.run_once()
        finally:
            runner.close()
        notified = api.wait_sent(STAFF, "TNL-2024-0001")
        assert "Nouveau dossier" in notified.text and "incomplet" in notified.text
        assert "Commune de Saint-Exemple" in notified.text
        with Database(settings.store.path) as db:
            dossier = dstore.find_by_number(db, "TNL-2024-0001")
            assert dossier.state == dstore.STATE_INCOMPLETE and sorted(dossier.missing) == sorted(LATER)
        wait_until(lambda: notice_stamps(settings, "dossier") != [None])

        # /statut: the right code shows the missing questions, a wrong code or an unknown dossier the same refusal.
        api.send_text(APPLICANT, f"/statut TNL-2024-0001 {dossier.status_code.lower()}")
        status = api.wait_sent(APPLICANT, "<b>Dossier TNL-2024-0001</b>")
        assert "incomplet" in status.text
        for qid in LATER:
            assert f"• {qid} {escape(questionnaire.question(qid).text)}" in status.text
        wrong_code = "AAAAAA" if dossier.status_code != "AAAAAA" else "BBBBBB"
        refusal = texts.STATUT_REFUSED.format(address=LABEL)
        mark = api.mark()
        api.send_text(APPLICANT, f"/statut TNL-2024-0001 {wrong_code}")
        assert api.wait_sent(APPLICANT, after=mark).text == refusal
        mark = api.mark()
        api.send_text(APPLICANT, f"/statut TNL-2024-0099 {dossier.status_code}")
        assert api.wait_sent(APPLICANT, after=mark).text == refusal
        mark = api.mark()
        api.send_text(APPLICANT, "/statut TNL-2024-0001")
        assert "code de suivi" in api.wait_sent(APPLICANT, after=mark).text

        # Staff commands are refused to anyone else.
        for command in ("/dossiers", "/dossier 1", "/relancer TNL-2024-0001"):
            mark = api.mark()
            api.send_text(OTHER, command)
            assert api.wait_sent(OTHER, after=mark).text == texts.STAFF_ONLY
        with Database(settings.store.path) as db:
            assert db.one("SELECT COUNT(*) AS n FROM reminders")["n"] == 0

        # …and work for staff.
        api.send_text(STAFF, "/dossiers")
        overview = api.wait_sent(STAFF, "Dossiers incomplets")
        assert "• incomplet : 1" in overview.text and "TNL-2024-0001 — Commune de Saint-Exemple" in overview.text
        api.send_text(STAFF, "/dossier 1")
        detail = api.wait_sent(STAFF, "Réponses manquantes (3)")
        assert "dsi@saint-exemple.fr" in detail.text
        assert escape(questionnaire.question("2.2").text) in detail.text
        api.send_text(STAFF, "/relancer TNL-2024-0001", username="marie")
        queued = api.wait_sent(STAFF, "mise en file")
        assert "dsi@saint-exemple.fr" in queued.text
        with Database(settings.store.path) as db:
            (reminder,) = db.all("SELECT * FROM reminders")
            assert reminder["actor"] == "telegram:marie"
            outbox = db.one("SELECT * FROM outbox WHERE id = ?", (reminder["outbox"],))
            assert outbox["template"] == "relance" and outbox["recipient"] == "dsi@saint-exemple.fr"
        mark = api.mark()
        api.send_text(STAFF, "/relancer 42")
        assert "Relance impossible" in api.wait_sent(STAFF, after=mark).text


def test_statut_guessing_is_limited(tmp_path, api):
    settings = bot_settings(tmp_path, api)
    with Database(settings.store.path) as db:
        dossier = dstore.create_dossier(db, "2024", None)
    with running_bot(settings, api):
        for _ in range(5):
            mark = api.mark()
            api.send_text(APPLICANT, "/statut TNL-2024-0001 XXXXXX")
            api.wait_sent(APPLICANT, "Je ne trouve pas", after=mark)
        mark = api.mark()
        api.send_text(APPLICANT, f"/statut TNL-2024-0001 {dossier.status_code}")
        assert "Trop de tentatives" in api.wait_sent(APPLICANT, after=mark).text
        api.send_text(OTHER, f"/statut 1 {dossier.status_code}")
        api.wait_sent(OTHER, "<b>Dossier TNL-2024-0001</b>")


def add_notice_at(db: Database, kind: str, summary: str, created: dt.datetime) -> int:
    with db.transaction():
        cur = db.execute("INSERT INTO notices (created_at, kind, summary) VALUES (?, ?, ?)",
                         (to_db_time(created), kind, summary))
    return int(cur.lastrowid)


def test_old_notices_are_not_sent_on_start(tmp_path, api):
    settings = bot_settings(tmp_path, api)
    with Database(settings.store.path) as db:
        old = add_notice_at(db, "dossier", "Dossier TNL-2024-0007 (Ancienne) : complet",
                            utcnow() - dt.timedelta(days=2))
        other_kind = add_notice_at(db, "plafond", "plafond atteint", utcnow())
        fresh = add_notice_at(db, "quarantaine", "Message #3 (<x@y>) mis en quarantaine : ValueError: <b>",
                              utcnow() - dt.timedelta(hours=1))
    with running_bot(settings, api):
        sent = api.wait_sent(STAFF, "Message en quarantaine")
        assert "(&lt;x@y&gt;)" in sent.text and "ValueError: &lt;b&gt;" in sent.text  # summaries are escaped
        wait_until(lambda: notice_stamps(settings, "quarantaine") != [None])
    assert not any("Ancienne" in c.text for c in api.sent(STAFF))
    with Database(settings.store.path) as db:
        stamps = {r["id"]: r["telegram_sent_at"] for r in db.all("SELECT id, telegram_sent_at FROM notices")}
    assert stamps[old] is not None and stamps[fresh] is not None and stamps[other_kind] is None


# ---------------------------------------------------------------------------
# Robustness


def test_long_replies_are_split_under_the_limit(tmp_path, api):
    settings = bot_settings(tmp_path, api)
    with Database(settings.store.path) as db:
        for i in range(150):
            dossier = dstore.create_dossier(db, "2024", None)
            dstore.update_dossier(db, dossier.id, state=dstore.STATE_INCOMPLETE, missing=["2.2", "4.2"], invalid={},
                                  identity={"collectivite": f"Communauté de communes n° {i} & <associées>"},
                                  staff_flag=None)
    with running_bot(settings, api):
        api.send_text(STAFF, "/dossiers")
        api.wait_sent(STAFF, "TNL-2024-0150")
        parts = api.sent(STAFF)
    assert len(parts) >= 2
    assert all(telegram_length(p.text) <= 4096 for p in parts)
    assert all(p.text.count("<b>") == p.text.count("</b>") for p in parts)
    joined = "\n".join(p.text for p in parts)
    assert all(f"TNL-2024-{i:04d} —" in joined for i in range(1, 151))
    assert "&amp; &lt;associées&gt;" in joined and "<associées>" not in joined


def test_a_failing_handler_is_logged_and_the_bot_goes_on(tmp_path, api, caplog):
    async def broken(update, context):
        raise RuntimeError("panne simulée")

    settings = bot_settings(tmp_path, api)
    caplog.set_level(logging.ERROR, logger="assistant.bot.app")
    with running_bot(settings, api, extra=lambda app: app.add_handler(CommandHandler("panne", broken), group=-1)):
        api.send_text(APPLICANT, "/panne")
        api.wait_sent(APPLICANT, "une erreur est survenue")
        api.send_text(APPLICANT, "Combien coûte la participation au label ?")
        api.wait_sent(APPLICANT, "libre et gratuite")
    assert any("RuntimeError: panne simulée" in r.getMessage() for r in caplog.records)


def test_markdown_to_telegram_html():
    converted = markdown_to_telegram(
        "Texte **gras** & <script>, *italique*, [site](https://exemple.fr/?a=1&b=2) "
        "et [piège](javascript:alert(1)).\n\n## Étapes\n\n- un\n- deux\n  1. sous-point\n\n`code`"
    )
    assert converted == (
        'Texte <b>gras</b> &amp; &lt;script&gt;, <i>italique</i>, <a href="https://exemple.fr/?a=1&amp;b=2">site</a> '
        "et [piège](javascript:alert(1)).\n\n<b>Étapes</b>\n\n• un\n• deux\n    1. sous-point\n\n<code>code</code>"
    )
    for entry in shared_matcher().corpus.entries:  # every FAQ answer converts to the allowed tags only
        tags = set(re.findall(r"</?([a-z]+)", markdown_to_telegram(entry.answer)))
        assert tags <= {"b", "i", "s", "a", "code", "pre", "blockquote"}, entry.id


def test_split_message_cuts_at_boundaries_and_keeps_tags_balanced():
    paragraph = "<b>Titre</b>\n" + "Une phrase de la réponse, assez longue pour compter. " * 20
    text = "\n\n".join([paragraph] * 12) + "\n\n<i>" + "mot " * 1500 + "</i>"
    parts = split_message(text)
    assert len(parts) > 2 and all(telegram_length(p) <= 4096 for p in parts)
    assert all(p.startswith("<b>Titre</b>") for p in parts[:2])  # paragraph boundaries first
    for part in parts:
        for tag in ("b", "i"):
            assert part.count(f"<{tag}>") == part.count(f"</{tag}>")
    assert re.sub(r"</?i>|\s+", "", "".join(parts)) == re.sub(r"</?i>|\s+", "", text)
    assert split_message("court") == ["court"]
    assert all(telegram_length(p) <= 4096 for p in split_message("😀" * 5000))


def test_sigterm_stops_the_bot_cleanly(tmp_path, api):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[store]\npath = "{tmp_path / "tnl.sqlite3"}"\n\n[telegram]\nbase_url = "{api.base_url}"\n'
        f"staff_chat_ids = [{STAFF}]\nnotify_interval_seconds = 0.5\n",
        encoding="utf-8",
    )
    script = (
        "import argparse, sys\n"
        "from pathlib import Path\n"
        "from assistant.bot import commands\n"
        "from assistant.cli import configure_logging\n"
        "from assistant.config import load_settings\n"
        "configure_logging(False)\n"
        "parser = argparse.ArgumentParser()\n"
        "commands.register(parser.add_subparsers())\n"
        "args = parser.parse_args(['bot'])\n"
        "sys.exit(args.func(args, load_settings(Path(sys.argv[1]))))\n"
    )
    env = {**os.environ, "TNL_TELEGRAM_TOKEN": TOKEN}
    proc = subprocess.Popen([sys.executable, "-c", script, str(config)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        api.wait_for(lambda c: c.method == "deleteWebhook", timeout=30)
        api.send_text(APPLICANT, "/aide")
        api.wait_sent(APPLICANT, "Bonjour", timeout=30)
        api.wait_updates_consumed()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "telegram bot stopped" in err
    assert TOKEN not in err  # the Bot API URLs carry the token: never logged
