"""FAQ conversations: a question gets the answer, buttons for close questions, and a feedback prompt.

Callback data stays under Telegram's 64 bytes: ``alt:<logged question id>:<entry id>`` for a
close question, ``fb:<logged question id>:oui|non`` for the feedback. Both are checked
against the logged question's asker, since a modified client can send any callback data.
"""

from __future__ import annotations

import logging

from markupsafe import Markup

from assistant.bot import texts
from assistant.bot.markup import Button, Reply, escape, markdown_to_telegram, render
from assistant.config import Settings
from assistant.faq.corpus import FaqEntry
from assistant.faq.handler import MAX_QUESTIONS_PER_MESSAGE, answer_message, shared_matcher
from assistant.faq.log import get_question, record_question, set_feedback
from assistant.faq.matcher import ABSTAIN, ANSWER, SUGGEST, FaqMatch, FaqResult, split_questions
from assistant.store.database import Database
from assistant.store.notices import add_notice

log = logging.getLogger(__name__)

CHANNEL = "telegram"
ALTERNATIVE = "alt"
FEEDBACK = "fb"
FEEDBACK_VALUES = ("oui", "non")
MAX_CALLBACK_BYTES = 64
MAX_QUESTION_CHARS = 1000
MAX_BUTTON_CHARS = 60


def callback_data(*parts: object) -> str | None:
    """Join ``parts`` with ":"; None when the result would exceed Telegram's 64 bytes."""
    data = ":".join(str(p) for p in parts)
    return data if len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES else None


def _button_text(question: str) -> str:
    return question if len(question) <= MAX_BUTTON_CHARS else question[: MAX_BUTTON_CHARS - 1].rstrip() + "…"


def _buttons(question_id: int, matches: list[FaqMatch]) -> list[list[Button]]:
    rows = []
    for match in matches:
        data = callback_data(ALTERNATIVE, question_id, match.entry.id)
        if data is not None:
            rows.append([Button(_button_text(match.entry.question), data)])
    return rows


def entry_reply(settings: Settings, entry: FaqEntry, question_id: int, alternatives: list[FaqMatch]) -> Reply:
    html = render("faq_reponse", zone=ANSWER, entry=entry, label=settings.label, alternatives=alternatives,
                  answer_html=Markup(markdown_to_telegram(entry.answer)))
    return Reply(html, _buttons(question_id, alternatives))


def feedback_prompt(question_id: int) -> Reply:
    buttons = [Button("Oui", f"{FEEDBACK}:{question_id}:oui"), Button("Non", f"{FEEDBACK}:{question_id}:non")]
    return Reply(texts.FEEDBACK_QUESTION, [buttons])


def answer_question(db: Database, settings: Settings, chat_id: int, text: str) -> list[Reply]:
    """Answer a message from the FAQ, each of its questions when it asks several ("C'est gratuit ?
    Et où envoyer le dossier ?"), as the e-mail channel does; log them, and tell staff about those
    that went unanswered."""
    message = " ".join(text.split())[:MAX_QUESTION_CHARS]
    questions = split_questions(message)[:MAX_QUESTIONS_PER_MESSAGE] or [message]
    results = answer_message(shared_matcher(), message, questions)
    replies: list[Reply] = []
    for result in results:
        replies.extend(_replies(db, settings, chat_id, result, quote=len(results) > 1))
    return replies


def _replies(db: Database, settings: Settings, chat_id: int, result: FaqResult, quote: bool) -> list[Reply]:
    """The replies to one question of a message, logged; ``quote``: the message asked several (each
    reply that is not an answer then quotes the question it is about)."""
    question = result.question
    question_id = record_question(
        db, channel=CHANNEL, question=question, zone=result.zone,
        entry_id=result.best.entry.id if result.best else None,
        score=result.best.score if result.best else 0.0,
        alternatives=[m.entry.id for m in result.alternatives], asker=str(chat_id),
    )
    log.info("telegram chat %s: question #%d, zone %s, entry %s", chat_id, question_id, result.zone,
             result.best.entry.id if result.best else "-")
    if result.zone != ANSWER:
        what = "sans réponse" if result.zone == ABSTAIN else "réponse incertaine"
        add_notice(db, "faq", f"Question {what} posée sur Telegram (question #{question_id}) : "
                              f"« {question[:200]} »")
    asked = question if quote else None
    if result.zone == ANSWER and result.best is not None:
        return [entry_reply(settings, result.best.entry, question_id, result.alternatives),
                feedback_prompt(question_id)]
    if result.zone == SUGGEST and result.best is not None:
        html = render("faq_reponse", zone=SUGGEST, label=settings.label, asked=asked)
        return [Reply(html, _buttons(question_id, [result.best, *result.alternatives]))]
    return [Reply(render("faq_reponse", zone=ABSTAIN, label=settings.label, asked=asked))]


def _owned(db: Database, chat_id: int, question_id: int):
    logged = get_question(db, question_id)
    if logged is None or logged.channel != CHANNEL or logged.asker != str(chat_id):
        return None
    return logged


def choose_alternative(db: Database, settings: Settings, chat_id: int, question_id: int,
                       entry_id: str) -> list[Reply]:
    """The answer of a close question the asker picked, with the feedback prompt of the same question."""
    if _owned(db, chat_id, question_id) is None:
        return [Reply(texts.BUTTON_EXPIRED)]
    entry = shared_matcher().corpus.get(entry_id)
    if entry is None:
        return [Reply(texts.ENTRY_GONE)]
    log.info("telegram chat %s: question #%d, alternative %s chosen", chat_id, question_id, entry_id)
    return [entry_reply(settings, entry, question_id, []), feedback_prompt(question_id)]


def record_feedback(db: Database, settings: Settings, chat_id: int, question_id: int, value: str) -> str:
    """Record "oui"/"non" on the logged question; the HTML that replaces the prompt."""
    logged = _owned(db, chat_id, question_id)
    if logged is None or value not in FEEDBACK_VALUES:
        return texts.BUTTON_EXPIRED
    set_feedback(db, question_id, value)
    log.info("telegram chat %s: question #%d, feedback %s", chat_id, question_id, value)
    if value == "oui":
        return texts.FEEDBACK_YES
    if logged.feedback != "non":
        add_notice(db, "faq", f"Réponse jugée insuffisante sur Telegram (question #{question_id}, réponse "
                              f"« {logged.entry_id or '-'} ») : « {logged.question[:200]} »")
    return texts.FEEDBACK_NO.format(address=escape(settings.label.address))
