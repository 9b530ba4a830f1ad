"""Dossier views of the bot: /statut for applicants (with the status code), /dossiers, /dossier, /relancer for staff."""

from __future__ import annotations

import hmac
import logging
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from assistant.bot import texts
from assistant.bot.markup import Reply, escape, render
from assistant.config import Settings
from assistant.dossiers import actions
from assistant.dossiers import store as dstore
from assistant.dossiers.handler import group_by_volet, questionnaire_for
from assistant.questionnaire.model import QuestionnaireError
from assistant.store.database import Database

log = logging.getLogger(__name__)

_NUMBER = re.compile(r"TNL-(\d{4})-(\d{1,4})", re.IGNORECASE)
_DUMMY_CODE = "ZZZZZZ"  # compared against when the dossier does not exist, so both cases take the same time


def parse_number(arg: str, edition: str) -> str | None:
    """``TNL-2024-0001``, ``tnl-2024-1`` or ``1`` (in the active edition) → ``TNL-2024-0001``."""
    arg = arg.strip()
    match = _NUMBER.fullmatch(arg)
    if match:
        return f"TNL-{match.group(1)}-{int(match.group(2)):04d}"
    if arg.isdigit() and 0 < int(arg) < 10000:
        return f"TNL-{edition}-{int(arg):04d}"
    return None


@dataclass
class AttemptGuard:
    """At most ``max_failures`` wrong /statut attempts per chat in ``window`` seconds (no code guessing)."""

    max_failures: int = 5
    window: float = 900.0
    clock: object = time.monotonic
    failures: dict[int, list[float]] = field(default_factory=dict)

    def _recent(self, chat_id: int) -> list[float]:
        now = self.clock()  # type: ignore[operator]
        recent = [t for t in self.failures.get(chat_id, []) if now - t < self.window]
        self.failures[chat_id] = recent
        return recent

    def blocked(self, chat_id: int) -> bool:
        return len(self._recent(chat_id)) >= self.max_failures

    def failed(self, chat_id: int) -> None:
        self._recent(chat_id).append(self.clock())  # type: ignore[operator]


def check_status(db: Database, number: str | None, code: str) -> dstore.Dossier | None:
    """The dossier when ``code`` is its status code; None otherwise, the same way whether it exists or not."""
    dossier = dstore.find_by_number(db, number) if number else None
    expected = dossier.status_code if dossier is not None else _DUMMY_CODE
    matches = hmac.compare_digest(code.strip().upper().encode("utf-8"), expected.upper().encode("utf-8"))
    return dossier if dossier is not None and matches else None


def _volets(dossier: dstore.Dossier) -> dict[str, object]:
    try:
        questionnaire = questionnaire_for(dossier.edition)
    except (QuestionnaireError, OSError):
        return {"missing_by_volet": [], "invalid_by_volet": [], "questionnaire": None}
    return {
        "missing_by_volet": group_by_volet(questionnaire, dossier.missing, {}),
        "invalid_by_volet": group_by_volet(questionnaire, list(dossier.invalid), dossier.invalid),
        "questionnaire": questionnaire,
    }


def status_reply(settings: Settings, dossier: dstore.Dossier) -> Reply:
    volets = _volets(dossier)
    questionnaire = volets.pop("questionnaire")
    closes = settings.edition.closes if dossier.edition == settings.edition.active else None
    closes = closes or (questionnaire.closes if questionnaire is not None else None)
    return Reply(render("statut", dossier=dossier, state_label=texts.STATE_LABELS.get(dossier.state, dossier.state),
                        closes=closes, **volets))


def statut(db: Database, settings: Settings, guard: AttemptGuard, chat_id: int, args: list[str]) -> Reply:
    address = escape(settings.label.address)
    if len(args) != 2:
        return Reply(texts.STATUT_USAGE)
    if guard.blocked(chat_id):
        log.warning("telegram chat %s: /statut refused, too many wrong attempts", chat_id)
        return Reply(texts.STATUT_TOO_MANY.format(address=address))
    number = parse_number(args[0], settings.edition.active)
    dossier = check_status(db, number, args[1])
    if dossier is None:
        guard.failed(chat_id)
        log.info("telegram chat %s: /statut refused for %s", chat_id, number or "?")
        return Reply(texts.STATUT_REFUSED.format(address=address))
    log.info("telegram chat %s: /statut shown for %s", chat_id, dossier.number)
    return status_reply(settings, dossier)


# ---------------------------------------------------------------------------
# Staff


def dossiers_overview(db: Database, settings: Settings) -> Reply:
    edition = settings.edition.active
    dossiers = dstore.list_dossiers(db, edition=edition)
    counts = Counter(d.state for d in dossiers)
    ordered = [(state, counts[state]) for state in dstore.STATES if counts[state]]
    incomplete = [d for d in dossiers if d.state == dstore.STATE_INCOMPLETE]
    return Reply(render("dossiers", edition=edition, counts=ordered, incomplete=incomplete))


def dossier_detail(db: Database, settings: Settings, arg: str) -> Reply:
    number = parse_number(arg, settings.edition.active)
    dossier = dstore.find_by_number(db, number) if number else None
    if dossier is None:
        return Reply(texts.DOSSIER_UNKNOWN.format(number=escape(number or arg)))
    volets = _volets(dossier)
    volets.pop("questionnaire")
    return Reply(render("dossier", dossier=dossier, events=dstore.events(db, dossier.id)[-5:],
                        last_reminder=actions.last_reminder_at(db, dossier.id), **volets))


def remind(db: Database, settings: Settings, arg: str, actor: str) -> Reply:
    number = parse_number(arg, settings.edition.active)
    if number is None:
        return Reply(texts.DOSSIER_UNKNOWN.format(number=escape(arg)))
    try:
        result = actions.send_reminder(db, settings, number, actor)
    except actions.ActionError as exc:
        log.info("telegram: reminder of %s by %s refused: %s", number, actor, exc)
        return Reply(texts.REMINDER_REFUSED.format(reason=escape(str(exc))))
    return Reply(texts.REMINDER_QUEUED.format(number=escape(result.dossier), recipient=escape(result.recipient)))
