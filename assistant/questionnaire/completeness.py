"""Is a candidature complete? Missing mandatory answers and invalid typed answers.

A collectivité need not be active everywhere: "Non", "Pas encore", "Aucun", "0",
"Néant", "N/A" are answers, and a negative answer satisfies any answer type (no
URL is expected from someone without an open-data portal). Fillers ("à compléter",
"TODO", "xxx", "?", "-") are not answers. Typed answers are checked and reported,
never silently accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from assistant.questionnaire.answers import Extraction, fold, is_filler
from assistant.questionnaire.model import Question, Questionnaire, Volet

# ---------------------------------------------------------------------------
# Negative answers

_NEGATIVE_RE = re.compile(
    r"^(?:non|no|pas encore|pas de|pas d|pas pour l instant|pas pour le moment|pas a ce jour|aucun|aucune|"
    r"neant|nul|nulle|zero|0|n a|na|sans objet|non concerne|non concernee|non applicable|en cours|en projet|"
    r"a l etude|prevu|prevue|a venir|bientot|jamais|nous n|la collectivite n|nous ne)\b"
)


def is_negative(text: str) -> bool:
    """ "Non", "Pas encore", "Aucun", "0", "Néant", "N/A", "en projet"…: an answer meaning "not (yet)"."""
    folded = fold(text)
    if not folded:
        return False
    return bool(_NEGATIVE_RE.match(folded)) or text.strip().lower() in ("n/a", "n.a.", "-0-")


# ---------------------------------------------------------------------------
# Typed answers

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_EMAILISH_RE = re.compile(r"\S+@\S*|\S+\s*(?:\[at\]|\(at\)|\[arobase\])\s*\S+", re.IGNORECASE)
_NUMBER_RE = re.compile(r"(?<![\w.])\d+(?:[ \u00a0\u202f.]\d{3})*(?:[.,]\d+)?(?![\w.]*@)")
_NUMBER_WORDS = frozenset(
    [
        "un",
        "une",
        "deux",
        "trois",
        "quatre",
        "cinq",
        "six",
        "sept",
        "huit",
        "neuf",
        "dix",
        "onze",
        "douze",
        "treize",
        "quatorze",
        "quinze",
        "seize",
        "vingt",
        "trente",
        "quarante",
        "cinquante",
        "soixante",
        "cent",
        "cents",
        "mille",
        "dizaine",
        "dizaines",
        "vingtaine",
        "trentaine",
        "quarantaine",
        "cinquantaine",
        "centaine",
        "centaines",
        "millier",
        "milliers",
    ]
)
_URL_RE = re.compile(r"^(?:https?://[^\s/]+\.[^\s/]{2,}\S*|www\.[^\s/]+\.[a-z]{2,}\S*)$", re.IGNORECASE)
_DOMAIN_RE = re.compile(
    r"^(?:[a-z0-9-]+\.)+(?:fr|com|org|net|eu|info|bzh|corsica|alsace|paris|io|re|gp|mq|nc|pf|yt)(?:/\S*)?$",
    re.IGNORECASE,
)
_YES_NO_RE = re.compile(
    r"^(?:oui|non|yes|no|si|ouais|absolument|tout a fait|bien sur|effectivement|partiellement|"
    r"en partie|pas encore|pas|jamais|aucun|aucune|en cours|en projet|prevu|prevue)\b"
)

# Ordinary names for the choices the label offers (folded), so "Communauté de communes" counts as EPCI.
CHOICE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "commune": ("mairie", "ville", "village", "commune nouvelle", "municipalite", "cite"),
    "epci": (
        "communaute de communes", "communaute d agglomeration", "communaute urbaine", "metropole",
        "agglomeration", "agglo", "intercommunalite", "cc", "ca", "cu", "etablissement public de cooperation",
    ),
    "departement": ("conseil departemental", "conseil general", "collectivite departementale"),
    "region": ("conseil regional", "collectivite territoriale", "collectivite regionale"),
    "syndicat": ("syndicat mixte", "sivu", "sivom", "syndicat intercommunal", "syndicat informatique"),
    "operateur public de services numeriques": ("opsn", "operateur public", "gip", "gip numerique"),
}  # fmt: skip


def _urls_ok(text: str) -> bool:
    for token in re.split(r"[\s<>()\[\],;«»\"']+", text):
        token = token.rstrip(".:;!?")
        if not token or "@" in token:
            continue
        if _URL_RE.match(token) or _DOMAIN_RE.match(token):
            return True
    return False


def match_choice(text: str, choices: tuple[str, ...]) -> str | None:
    """The choice ``text`` names, tolerant to accents, typos and ordinary names."""
    folded = fold(text)
    if not folded:
        return None
    by_fold = {fold(c): c for c in choices}
    if folded in by_fold:
        return by_fold[folded]
    words = folded.split()
    for key, choice in by_fold.items():
        if key in words or (" " in key and key in folded):
            return choice
        for synonym in CHOICE_SYNONYMS.get(key, ()):
            if synonym == folded or (" " in synonym and synonym in folded) or synonym in words[:2]:
                return choice
    found = process.extractOne(folded, list(by_fold), scorer=fuzz.WRatio, score_cutoff=85)
    if found is not None:
        return by_fold[found[0]]
    if "autre" in by_fold and words[0] == "autre":
        return by_fold["autre"]
    return None


def validate_answer(question: Question, text: str) -> str | None:
    """A French reason when ``text`` does not fit the question's type, else None."""
    if is_negative(text):
        return None
    kind = question.answer_type
    if kind == "courriel":
        if _EMAIL_RE.search(text):
            return None
        shown = _EMAILISH_RE.search(text)
        what = f"« {shown.group(0)} »" if shown else "la réponse"
        return f"{what} n'est pas une adresse électronique valide (exemple : prenom.nom@mairie.fr)"
    if kind == "nombre":
        if _NUMBER_RE.search(text) or any(w in _NUMBER_WORDS for w in fold(text).split()):
            return None
        return "un nombre est attendu (par exemple « 120 » ou « environ 300 »)"
    if kind == "url":
        if _urls_ok(text):
            return None
        return "une adresse web est attendue (par exemple « https://www.exemple.fr »)"
    if kind == "oui/non":
        if _YES_NO_RE.match(fold(text)):
            return None
        return "une réponse « oui » ou « non » est attendue (vous pouvez la préciser ensuite)"
    if kind == "choix":
        if match_choice(text, question.choices) is not None:
            return None
        return f"une valeur parmi les suivantes est attendue : {', '.join(question.choices)}"
    return None


# ---------------------------------------------------------------------------
# Verdict


@dataclass
class Verdict:
    """The outcome for one candidature; ``invalid`` maps an id to a French reason."""

    edition: str
    complete: bool
    missing: list[str] = field(default_factory=list)
    invalid: dict[str, str] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "edition": self.edition,
            "complete": self.complete,
            "missing": list(self.missing),
            "invalid": dict(self.invalid),
            "answers": dict(self.answers),
            "sources": dict(self.sources),
        }


@dataclass(frozen=True)
class QuestionStatus:
    """One line of a report: a question and what became of it."""

    question: Question
    status: str  # répondu | manquant | invalide | sans réponse (optional question left empty)
    answer: str = ""
    reason: str = ""
    source: str = ""


@dataclass(frozen=True)
class VoletReport:
    volet: Volet
    items: tuple[QuestionStatus, ...]

    @property
    def missing(self) -> list[QuestionStatus]:
        return [i for i in self.items if i.status == "manquant"]

    @property
    def invalid(self) -> list[QuestionStatus]:
        return [i for i in self.items if i.status == "invalide"]


def check(questionnaire: Questionnaire, extraction: Extraction) -> Verdict:
    """Missing mandatory answers and invalid typed answers.

    Complete means no mandatory question missing and no mandatory answer invalid; an invalid
    optional answer is reported but does not hold the dossier back.
    """
    missing: list[str] = []
    invalid: dict[str, str] = {}
    answers: dict[str, str] = {}
    sources: dict[str, str] = {}
    for q in questionnaire.questions():
        found = extraction.answers.get(q.id)
        text = found.text.strip() if found else ""
        if found is not None and text:
            answers[q.id] = text
            sources[q.id] = found.where()
        if not text or is_filler(text):
            if q.mandatory:
                missing.append(q.id)
            continue
        reason = validate_answer(q, text)
        if reason is not None:
            invalid[q.id] = reason
    blocking = [i for i in invalid if questionnaire.question(i).mandatory]
    return Verdict(questionnaire.edition, not missing and not blocking, missing, invalid, answers, sources)


def by_volet(questionnaire: Questionnaire, verdict: Verdict) -> list[VoletReport]:
    """The verdict grouped by volet, in the order of the list, for reports and replies."""
    missing = set(verdict.missing)
    reports = []
    for volet in questionnaire.volets:
        items = []
        for q in volet.questions:
            answer = verdict.answers.get(q.id, "")
            source = verdict.sources.get(q.id, "")
            if q.id in missing:
                items.append(QuestionStatus(q, "manquant", answer, "", source))
            elif q.id in verdict.invalid:
                items.append(QuestionStatus(q, "invalide", answer, verdict.invalid[q.id], source))
            elif answer and not is_filler(answer):
                items.append(QuestionStatus(q, "répondu", answer, "", source))
            else:
                items.append(QuestionStatus(q, "sans réponse", answer, "", source))
        reports.append(VoletReport(volet, tuple(items)))
    return reports


__all__ = [
    "QuestionStatus",
    "Verdict",
    "VoletReport",
    "by_volet",
    "check",
    "is_filler",
    "is_negative",
    "match_choice",
    "validate_answer",
]
