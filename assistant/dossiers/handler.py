"""Pipeline handler for candidatures and their follow-ups.

Reads the answers of a message (body and attachments), files them in the right dossier,
re-checks completeness on everything the dossier holds, and asks for one reply:
acknowledgement when complete, the precise missing list when not, a notice when the
edition is closed. A message that only *looks* like it belongs to a dossier (same
collectivité, same sender, but no thread or tag) is not merged: staff get a suggestion.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from functools import lru_cache

from assistant.dossiers import store as dstore
from assistant.mail import classify as cls
from assistant.pipeline import HandlerInput, HandlerResult, ReplyIntent
from assistant.questionnaire.answers import Answer, Extraction, extract_answers
from assistant.questionnaire.commands import message_contents
from assistant.questionnaire.completeness import Verdict, check
from assistant.questionnaire.model import Questionnaire, load_questionnaire

log = logging.getLogger(__name__)

# A follow-up in a thread without a dossier becomes a candidature only if it carries this many answers.
MIN_ANSWERS_FOR_NEW_DOSSIER = 3

IDENTITY_QUESTIONS = {
    "collectivite": "0.1",
    "structure_type": "0.2",
    "departement": "0.3",
    "responsable_email": "0.8",
}


@lru_cache(maxsize=8)
def questionnaire_for(edition: str) -> Questionnaire:
    return load_questionnaire(edition)


@dataclass
class _Reading:
    extraction: Extraction
    unreadable: list[dict[str, str]]


def _read(raw: bytes, questionnaire: Questionnaire) -> _Reading:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    contents = message_contents(message)
    return _Reading(extract_answers(questionnaire, contents.contents), contents.unreadable)


def closing_date(inp: HandlerInput, questionnaire: Questionnaire) -> dt.date | None:
    return inp.settings.edition.closes or questionnaire.closes


def handle_candidature(inp: HandlerInput) -> HandlerResult:
    questionnaire = questionnaire_for(inp.settings.edition.active)
    reading = _read(inp.parsed.raw, questionnaire)
    dossier = _linked_dossier(inp)
    if dossier is None:
        suspect = _guess(inp, questionnaire, reading)
        if suspect is not None:
            return _suggest(inp, suspect, reading)
        if inp.verdict.category == cls.FOLLOWUP and len(reading.extraction.answers) < MIN_ANSWERS_FOR_NEW_DOSSIER:
            from assistant.pipeline import DEFAULT_HANDLERS

            return DEFAULT_HANDLERS[cls.FOLLOWUP](inp)
        thread_id = inp.verdict.thread.thread_id if inp.verdict.thread else inp.stored.id
        dossier = dstore.create_dossier(inp.db, questionnaire.edition, thread_id)
        dstore.add_event(inp.db, dossier.id, "création", dstore.ACTOR_ASSISTANT,
                         f"dossier ouvert par le message de {inp.parsed.from_addr}", inp.stored.id)
        log.info("dossier %s opened by message %s", dossier.number, inp.parsed.log_id())
    return _file_answers(inp, questionnaire, dossier, reading)


def _linked_dossier(inp: HandlerInput) -> dstore.Dossier | None:
    """The dossier of the thread or of the subject's tag: the only links strong enough to merge answers."""
    link = inp.verdict.thread
    if link is not None and link.thread_id is not None:
        dossier = dstore.find_by_thread(inp.db, link.thread_id)
        if dossier is not None:
            return dossier
    found = cls.DOSSIER_TAG_RE.search(inp.parsed.subject)
    if found:
        return dstore.find_by_number(inp.db, found.group(1).upper())
    return None


def _guess(inp: HandlerInput, questionnaire: Questionnaire, reading: _Reading) -> dstore.Dossier | None:
    """Same collectivité name, or the dossier's responsable writing from a new thread."""
    name = reading.extraction.text("0.1")
    return (dstore.find_by_collectivite(inp.db, questionnaire.edition, name)
            or dstore.find_by_responsable(inp.db, questionnaire.edition, inp.parsed.from_addr))


def _suggest(inp: HandlerInput, dossier: dstore.Dossier, reading: _Reading) -> HandlerResult:
    count = len(reading.extraction.answers)
    dstore.add_event(inp.db, dossier.id, "suggestion", dstore.ACTOR_ASSISTANT,
                     f"le message #{inp.stored.id} de {inp.parsed.from_addr} ({count} réponses) semble "
                     "concerner ce dossier : à rattacher par l'équipe", inp.stored.id)
    return HandlerResult(
        replies=[ReplyIntent("dossier_rattachement", {"dossier": dossier}, tag=None)],
        notices=[("rattachement", f"Message #{inp.stored.id} de {inp.parsed.from_addr} : semble compléter le "
                                  f"dossier {dossier.number} ({count} réponses) — à vérifier et rattacher")],
        note=f"rattachement suggéré au dossier {dossier.number}",
    )


def _file_answers(
    inp: HandlerInput, questionnaire: Questionnaire, dossier: dstore.Dossier, reading: _Reading
) -> HandlerResult:
    answers = {qid: (a.text, a.where()) for qid, a in reading.extraction.answers.items() if a.text.strip()}
    changed = dstore.apply_answers(inp.db, dossier.id, answers, inp.stored.id)
    verdict = _check_dossier(inp, questionnaire, dossier.id)
    closes = closing_date(inp, questionnaire)
    late = closes is not None and inp.stored.received_at.date() > closes
    if dossier.state == dstore.STATE_WITHDRAWN:
        state = dossier.state
    elif verdict.complete and (not late or dossier.state == dstore.STATE_COMPLETE):
        state = dstore.STATE_COMPLETE
    elif late:
        state = dstore.STATE_LATE
    else:
        state = dstore.STATE_INCOMPLETE
    unreadable = reading.unreadable
    staff_flag = "; ".join(f"{u['filename']} : {u['reason']}" for u in unreadable) or None
    identity = {field: verdict.answers.get(qid) for field, qid in IDENTITY_QUESTIONS.items()}
    dstore.update_dossier(inp.db, dossier.id, state=state, missing=verdict.missing, invalid=verdict.invalid,
                          identity=identity, staff_flag=staff_flag or dossier.staff_flag)
    dstore.add_event(inp.db, dossier.id, "message", dstore.ACTOR_ASSISTANT,
                     f"{len(changed)} réponse(s) enregistrée(s) depuis le message #{inp.stored.id}"
                     + (f" ({', '.join(changed)})" if changed else ""), inp.stored.id)
    if state != dossier.state:
        dstore.add_event(inp.db, dossier.id, "état", dstore.ACTOR_ASSISTANT, f"{dossier.state} → {state}")
    notices = []
    if staff_flag:
        notices.append(("piece_illisible", f"Dossier {dossier.number} : pièce(s) jointe(s) illisible(s) — "
                                           f"{staff_flag}"))
    notices.append(("dossier", f"Dossier {dossier.number} ({identity['collectivite'] or 'collectivité ?'}) : "
                               f"{state}, {len(verdict.missing)} manquante(s), {len(verdict.invalid)} invalide(s)"))
    updated = dstore.get_dossier(inp.db, dossier.id)
    template = {dstore.STATE_COMPLETE: "dossier_complet", dstore.STATE_LATE: "dossier_hors_delai",
                dstore.STATE_WITHDRAWN: "dossier_retire"}.get(state, "dossier_incomplet")
    context = {
        "dossier": updated,
        "questionnaire": questionnaire,
        "missing_by_volet": group_by_volet(questionnaire, verdict.missing, {}),
        "invalid_by_volet": group_by_volet(questionnaire, list(verdict.invalid), verdict.invalid),
        "unreadable": unreadable,
        "closes": closes,
        "new_answers": len(changed),
    }
    log.info("dossier %s: message %s filed, %s (%d missing, %d invalid)", dossier.number, inp.parsed.log_id(),
             state, len(verdict.missing), len(verdict.invalid))
    return HandlerResult(
        replies=[ReplyIntent(template, context, tag=dossier.number)],
        notices=notices,
        thread_id=dossier.thread_id or inp.stored.id,
        note=f"dossier {dossier.number} : {state}",
    )


def _check_dossier(inp: HandlerInput, questionnaire: Questionnaire, dossier_id: int) -> Verdict:
    """Completeness over everything the dossier holds, not only this message."""
    merged = Extraction()
    for qid, stored in dstore.current_answers(inp.db, dossier_id).items():
        merged.answers[qid] = Answer(qid, stored.value, stored.source)
    return check(questionnaire, merged)


@dataclass(frozen=True)
class VoletItems:
    title: str
    items: list[tuple[str, str, str]]  # (question id, question text, reason)


def group_by_volet(questionnaire: Questionnaire, ids: list[str], reasons: dict[str, str]) -> list[VoletItems]:
    wanted = set(ids)
    groups = []
    for volet in questionnaire.volets:
        items = [(q.id, q.text, reasons.get(q.id, "")) for q in volet.questions if q.id in wanted]
        if items:
            groups.append(VoletItems(f"{volet.id}. {volet.title}", items))
    return groups

