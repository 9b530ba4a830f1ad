"""Pipeline handler for questions: answer each one from the FAQ, or hand it to staff honestly."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

from assistant.faq.corpus import load_corpus
from assistant.faq.log import record_question
from assistant.faq.matcher import ABSTAIN, ANSWER, FaqResult, ReloadingFaqMatcher, split_questions
from assistant.pipeline import DEFAULT_HANDLERS, HandlerInput, HandlerResult, ReplyIntent
from assistant.questionnaire.answers import html_to_text, strip_quoted

log = logging.getLogger(__name__)

MAX_QUESTIONS_PER_MESSAGE = 6

_matcher: ReloadingFaqMatcher | None = None
_lock = threading.Lock()


def shared_matcher() -> ReloadingFaqMatcher:
    """One matcher per process, rebuilt when staff edit ``faq/``."""
    global _matcher
    with _lock:
        if _matcher is None:
            _matcher = ReloadingFaqMatcher(load_corpus())
        return _matcher


def _own_text(inp: HandlerInput) -> str:
    """The body the sender wrote (quoted replies left out)."""
    return strip_quoted(inp.parsed.text or (html_to_text(inp.parsed.html) if inp.parsed.html else ""))


def questions_of(inp: HandlerInput, body: str) -> list[str]:
    """The questions of ``body`` (the sender's own text), else of the subject."""
    questions = split_questions(body)
    if not questions and "?" in inp.parsed.subject:
        questions = split_questions(inp.parsed.subject)
    return questions[:MAX_QUESTIONS_PER_MESSAGE]


def answer_message(matcher: ReloadingFaqMatcher, message: str, questions: list[str]) -> list[FaqResult]:
    """One result per question of ``message`` (its ``questions``, from ``split_questions``).

    A message with one question is scored whole, as ``bench/faq_quality.py`` measures it: the
    matcher reads the question sentence, the request inside it and the whole message, and keeps the
    best view. Several questions are each decided with the message around them: "Nous visons le
    label Villes Internet. Comment candidater à ce label ?" asks about the other label."""
    if len(questions) == 1 and questions[0] in message:
        return [replace(matcher.ask(message, k=3), question=questions[0])]
    return [matcher.ask(q, k=3, context=message) for q in questions]


def handle_question(inp: HandlerInput) -> HandlerResult:
    body = _own_text(inp)
    questions = questions_of(inp, body)
    if not questions:
        return DEFAULT_HANDLERS["question"](inp)
    results = answer_message(shared_matcher(), body, questions)
    notices = []
    for result in results:
        record_question(
            inp.db,
            channel="email",
            question=result.question,
            zone=result.zone,
            entry_id=result.best.entry.id if result.best else None,
            score=result.best.score if result.best else 0.0,
            alternatives=[m.entry.id for m in result.alternatives],
            message=inp.stored.id,
            asker=inp.parsed.from_addr,
        )
        if result.zone != ANSWER:
            what = "sans réponse" if result.zone == ABSTAIN else "réponse incertaine"
            notices.append(("faq", f"Question {what} de {inp.parsed.from_addr} (message #{inp.stored.id}) : "
                                   f"« {result.question[:200]} »"))
    zones = [r.zone for r in results]
    log.info("message %s: %d question(s), zones %s", inp.parsed.log_id(), len(results), ",".join(zones))
    return HandlerResult(
        replies=[ReplyIntent("faq_reponse", {"results": results, "staff_follows": any(z != ANSWER for z in zones)})],
        notices=notices,
        note=f"FAQ : {', '.join(zones)}",
    )
