"""An edition's question list as data: volets, questions with stable ids, dates.

One TOML file per edition (``questionnaires/2024.toml``) so that staff change the
questions without touching code; every problem in the file is reported in French
with the file name and the key, because staff edit it by hand.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from assistant.config import toml_date
from assistant.resources import data_dir

ANSWER_TYPES = ("texte", "oui/non", "nombre", "courriel", "url", "liste", "choix")
ID_RE = re.compile(r"^\d{1,2}\.\d{1,2}$")
VOLET_ID_RE = re.compile(r"^\d{1,2}$")

# Plain-French name of each answer type, for forms and reports.
TYPE_LABELS = {
    "texte": "texte libre",
    "oui/non": "oui ou non",
    "nombre": "un nombre",
    "courriel": "une adresse électronique",
    "url": "une adresse web",
    "liste": "une liste",
    "choix": "une valeur parmi celles proposées",
}


class QuestionnaireError(Exception):
    """A question list that cannot be used; the message names the file and the key, in French."""


@dataclass(frozen=True)
class Question:
    """One question; ``id`` is the stable number printed in the list ("0.6", "2.3")."""

    id: str
    volet_id: str
    text: str
    mandatory: bool = True
    answer_type: str = "texte"  # texte|oui/non|nombre|courriel|url|liste|choix
    choices: tuple[str, ...] = ()

    @property
    def order_key(self) -> tuple[int, int]:
        major, minor = self.id.split(".")
        return int(major), int(minor)

    def display_text(self) -> str:
        """The text as printed in the list: choices are shown after a colon."""
        if self.choices:
            return f"{self.text} : {', '.join(self.choices)}"
        return self.text


@dataclass(frozen=True)
class Volet:
    """A part of the questionnaire ("1. Stratégie et mutualisation")."""

    id: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Questionnaire:
    """The question list of one edition, with its calendar."""

    edition: str
    title: str
    volets: tuple[Volet, ...]
    opens: dt.date | None = None
    closes: dt.date | None = None
    ceremony: dt.date | None = None

    def questions(self) -> list[Question]:
        """Every question in the order of the list."""
        return [q for v in self.volets for q in v.questions]

    def ids(self) -> list[str]:
        return [q.id for q in self.questions()]

    def get(self, question_id: str) -> Question | None:
        for q in self.questions():
            if q.id == question_id:
                return q
        return None

    def question(self, question_id: str) -> Question:
        found = self.get(question_id)
        if found is None:
            raise KeyError(f"question {question_id} inconnue dans l'édition {self.edition}")
        return found

    def volet(self, volet_id: str) -> Volet:
        for v in self.volets:
            if v.id == volet_id:
                return v
        raise KeyError(f"volet {volet_id} inconnu dans l'édition {self.edition}")

    def volet_of(self, question_id: str) -> Volet:
        return self.volet(self.question(question_id).volet_id)

    def mandatory_ids(self) -> list[str]:
        return [q.id for q in self.questions() if q.mandatory]

    def index(self, question_id: str) -> int:
        """Position in the list (used to prefer answers that follow the list's order)."""
        return self.ids().index(question_id)

    def __contains__(self, question_id: object) -> bool:
        return isinstance(question_id, str) and self.get(question_id) is not None

    def is_open(self, day: dt.date) -> bool:
        """Whether candidatures are accepted on ``day`` (no date given means no limit)."""
        if self.opens is not None and day < self.opens:
            return False
        return not (self.closes is not None and day > self.closes)


def questionnaire_path(edition: str) -> Path:
    return data_dir("questionnaires") / f"{edition}.toml"


def available_editions() -> list[str]:
    """Editions that have a question list, oldest first."""
    try:
        folder = data_dir("questionnaires")
    except FileNotFoundError:
        return []
    return sorted(p.stem for p in folder.glob("*.toml"))


def load_questionnaire(edition: str) -> Questionnaire:
    """The question list of ``edition`` from ``questionnaires/<edition>.toml``."""
    path = questionnaire_path(edition)
    if not path.is_file():
        known = ", ".join(available_editions()) or "aucune"
        raise QuestionnaireError(
            f"{path}: pas de liste de questions pour l'édition {edition} (éditions disponibles : {known})"
        )
    questionnaire = load_questionnaire_file(path)
    if questionnaire.edition != edition:
        raise QuestionnaireError(
            f"{path}: edition = {questionnaire.edition!r} ne correspond pas au nom du fichier ({edition})"
        )
    return questionnaire


def load_questionnaire_file(path: Path) -> Questionnaire:
    """Read and validate one question-list file."""
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise QuestionnaireError(f"{path}: fichier introuvable") from None
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireError(f"{path}: TOML invalide : {exc}") from None
    return questionnaire_from_mapping(raw, str(path))


def _date(raw: dict, key: str, where: str) -> dt.date | None:
    value = raw.get(key)
    if value is None:
        return None
    day = toml_date(value)
    if day is not None:
        return day
    raise QuestionnaireError(f"{where}: {key} doit être une date AAAA-MM-JJ, pas {value!r}")


def _str(raw: dict, key: str, where: str, *, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        if value is None:
            raise QuestionnaireError(f"{where}: clé obligatoire manquante : {key}")
        raise QuestionnaireError(f"{where}: {key} doit être un texte non vide, pas {value!r}")
    return value.strip()


_TOP_KEYS = {"edition", "title", "opens", "closes", "ceremony", "volets"}
_VOLET_KEYS = {"id", "title", "questions"}
_QUESTION_KEYS = {"id", "text", "mandatory", "type", "choices"}


def _unknown(raw: dict, allowed: set[str], where: str) -> None:
    extra = sorted(set(raw) - allowed)
    if extra:
        raise QuestionnaireError(f"{where}: clé inconnue {extra[0]} (clés possibles : {', '.join(sorted(allowed))})")


def questionnaire_from_mapping(raw: dict, where: str = "questionnaire") -> Questionnaire:
    """Build and validate a questionnaire from parsed TOML; errors name ``where`` and the key."""
    _unknown(raw, _TOP_KEYS, where)
    edition = raw.get("edition")
    if isinstance(edition, int) and not isinstance(edition, bool):
        edition = str(edition)
    if not isinstance(edition, str) or not edition.strip():
        raise QuestionnaireError(f"{where}: clé obligatoire manquante ou vide : edition")
    title = _str(raw, "title", where)
    opens, closes, ceremony = (_date(raw, k, where) for k in ("opens", "closes", "ceremony"))
    if opens and closes and opens > closes:
        raise QuestionnaireError(f"{where}: opens ({opens}) est postérieure à closes ({closes})")
    if closes and ceremony and ceremony < closes:
        raise QuestionnaireError(f"{where}: ceremony ({ceremony}) précède closes ({closes})")
    raw_volets = raw.get("volets")
    if not isinstance(raw_volets, list) or not raw_volets:
        raise QuestionnaireError(f"{where}: il faut au moins un volet ([[volets]])")
    volets: list[Volet] = []
    seen_ids: set[str] = set()
    for vi, rv in enumerate(raw_volets, 1):
        vwhere = f"{where}: volets[{vi}]"
        if not isinstance(rv, dict):
            raise QuestionnaireError(f"{vwhere} doit être une table [[volets]]")
        _unknown(rv, _VOLET_KEYS, vwhere)
        vid = rv.get("id")
        if isinstance(vid, int) and not isinstance(vid, bool):
            vid = str(vid)
        if not isinstance(vid, str) or not VOLET_ID_RE.match(vid):
            raise QuestionnaireError(f'{vwhere}: id doit être un numéro de volet ("1"), pas {vid!r}')
        if any(v.id == vid for v in volets):
            raise QuestionnaireError(f"{vwhere}: id {vid} déjà utilisé par un autre volet")
        vtitle = _str(rv, "title", f"{vwhere} (volet {vid})")
        raw_questions = rv.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            raise QuestionnaireError(f"{vwhere} (volet {vid}): aucune question ([[volets.questions]])")
        questions: list[Question] = []
        for qi, rq in enumerate(raw_questions, 1):
            qwhere = f"{vwhere}.questions[{qi}]"
            if not isinstance(rq, dict):
                raise QuestionnaireError(f"{qwhere} doit être une table [[volets.questions]]")
            questions.append(_question(rq, vid, qwhere, seen_ids))
        volets.append(Volet(vid, vtitle, tuple(questions)))
    return Questionnaire(edition.strip(), title, tuple(volets), opens, closes, ceremony)


def _question(rq: dict, volet_id: str, where: str, seen_ids: set[str]) -> Question:
    _unknown(rq, _QUESTION_KEYS, where)
    qid = rq.get("id")
    if not isinstance(qid, str) or not ID_RE.match(qid.strip()):
        raise QuestionnaireError(f'{where}: id doit être un numéro « volet.question » ("1.2"), pas {qid!r}')
    qid = qid.strip()
    where = f"{where} (question {qid})"
    if qid.split(".")[0] != volet_id:
        raise QuestionnaireError(f"{where}: l'id ne commence pas par le numéro du volet {volet_id}")
    if qid in seen_ids:
        raise QuestionnaireError(f"{where}: id {qid} en double")
    seen_ids.add(qid)
    text = _str(rq, "text", where)
    mandatory = rq.get("mandatory", True)
    if not isinstance(mandatory, bool):
        raise QuestionnaireError(f"{where}: mandatory doit valoir true ou false, pas {mandatory!r}")
    answer_type = rq.get("type", "texte")
    if answer_type not in ANSWER_TYPES:
        raise QuestionnaireError(f"{where}: type {answer_type!r} inconnu (types possibles : {', '.join(ANSWER_TYPES)})")
    choices = rq.get("choices", [])
    if not isinstance(choices, list) or not all(isinstance(c, str) and c.strip() for c in choices):
        raise QuestionnaireError(f"{where}: choices doit être une liste de textes")
    if answer_type == "choix" and not choices:
        raise QuestionnaireError(f"{where}: une question de type choix demande une liste choices")
    if choices and answer_type != "choix":
        raise QuestionnaireError(f"{where}: choices n'est permis que pour le type choix")
    return Question(qid, volet_id, text, mandatory, answer_type, tuple(c.strip() for c in choices))


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def questionnaire_to_toml(questionnaire: Questionnaire, comments: list[str] | tuple[str, ...] = ()) -> str:
    """Serialise to the TOML read by :func:`load_questionnaire` (hand-written: no TOML writer needed)."""
    q = questionnaire
    lines = [f"# {q.title}", "# Fichier produit par « assistant questionnaire import » ; voir README.md."]
    lines += [f"# {c}" for c in comments]
    lines += ["", f"edition = {_toml_str(q.edition)}", f"title = {_toml_str(q.title)}"]
    for key in ("opens", "closes", "ceremony"):
        value = getattr(q, key)
        if value is not None:
            lines.append(f"{key} = {value.isoformat()}")
    for v in q.volets:
        lines += ["", "[[volets]]", f"id = {_toml_str(v.id)}", f"title = {_toml_str(v.title)}"]
        for question in v.questions:
            lines += [
                "",
                "[[volets.questions]]",
                f"id = {_toml_str(question.id)}",
                f"text = {_toml_str(question.text)}",
                f"mandatory = {'true' if question.mandatory else 'false'}",
                f"type = {_toml_str(question.answer_type)}",
            ]
            if question.choices:
                lines.append(f"choices = [{', '.join(_toml_str(c) for c in question.choices)}]")
    return "\n".join(lines) + "\n"
