"""Grow the FAQ from the questions it could not answer: a new phrasing of an entry, or a new entry."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from assistant.faq.corpus import FaqCorpusError, load_corpus
from assistant.faq.corpus_edit import CorpusEditError, add_off_topic, add_phrasing
from assistant.faq.log import get_question, resolve
from assistant.store.database import Database

log = logging.getLogger(__name__)

ENTRY_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+){0,7}$")
MAX_ID_LENGTH = 60


class FaqAdminError(Exception):
    """Nothing was written; the French message says why."""


def entry_file(directory: Path, entry_id: str) -> Path:
    if not ENTRY_ID_RE.match(entry_id) or len(entry_id) > MAX_ID_LENGTH:
        raise FaqAdminError(f"identifiant « {entry_id} » invalide : minuscules, chiffres et tirets seulement")
    return directory / f"{entry_id}.toml"


def add_as_phrasing(db: Database, directory: Path, question_id: int, entry_id: str) -> bool:
    """The received question becomes a phrasing of ``entry_id``; the question is marked as handled."""
    question = get_question(db, question_id)
    if question is None:
        raise FaqAdminError(f"question n° {question_id} inconnue")
    path = entry_file(directory, entry_id)
    if not path.is_file():
        raise FaqAdminError(f"l'entrée « {entry_id} » n'existe pas")
    try:
        added = add_phrasing(path, question.question)
    except CorpusEditError as exc:
        raise FaqAdminError(str(exc)) from exc
    resolve(db, question_id, f"ajoutée comme formulation de {entry_id}")
    log.info("faq question #%d added as a phrasing of %s", question_id, entry_id)
    return added


def mark_off_topic(db: Database, directory: Path, question_id: int) -> bool:
    """The received question goes to ``hors-champ.txt`` (outside the FAQ); it is marked as handled."""
    question = get_question(db, question_id)
    if question is None:
        raise FaqAdminError(f"question n° {question_id} inconnue")
    try:
        added = add_off_topic(directory, question.question)
    except CorpusEditError as exc:
        raise FaqAdminError(str(exc)) from exc
    resolve(db, question_id, "hors du champ de la FAQ")
    log.info("faq question #%d recorded as off-topic", question_id)
    return added


def _toml_string(value: str) -> str:
    value = value.strip().replace("\r\n", "\n")
    if "\n" in value and '"""' not in value and "\\" not in value and not value.endswith('"'):
        return f'"""\n{value}\n"""'
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def entry_toml(entry_id: str, question: str, answer: str, phrasings: list[str], keywords: list[str]) -> str:
    lines = [f"id = {json.dumps(entry_id)}", f"question = {_toml_string(question)}",
             'source = "ajoutée depuis le tableau de bord"']
    if keywords:
        lines.append(f"keywords = [{', '.join(json.dumps(k, ensure_ascii=False) for k in keywords)}]")
    lines.append("phrasings = [")
    lines += [f"    {json.dumps(p, ensure_ascii=False)}," for p in phrasings]
    lines.append("]")
    lines.append(f"answer = {_toml_string(answer)}")
    return "\n".join(lines) + "\n"


def create_entry(
    db: Database, directory: Path, question_id: int, entry_id: str, question_text: str, answer: str,
    keywords: list[str] | None = None,
) -> Path:
    """Write ``faq/<id>.toml`` with the received question as its first phrasing, after checking that the
    whole corpus still loads with it; mark the received question as handled."""
    received = get_question(db, question_id)
    if received is None:
        raise FaqAdminError(f"question n° {question_id} inconnue")
    path = entry_file(directory, entry_id.strip())
    if path.exists():
        raise FaqAdminError(f"l'entrée « {entry_id} » existe déjà : ajoutez plutôt une formulation")
    if not question_text.strip() or not answer.strip():
        raise FaqAdminError("la question et la réponse sont obligatoires")
    phrasings = [" ".join(received.question.split())]
    text = entry_toml(path.stem, " ".join(question_text.split()), answer, phrasings,
                      [k.strip() for k in keywords or [] if k.strip()])
    with tempfile.TemporaryDirectory(prefix="tnl-faq-check-") as tmp:
        trial = Path(tmp) / "faq"
        shutil.copytree(directory, trial)
        (trial / path.name).write_text(text, encoding="utf-8")
        try:
            load_corpus(trial)
        except FaqCorpusError as exc:
            raise FaqAdminError("; ".join(exc.problems)) from exc
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    resolve(db, question_id, f"nouvelle entrée {path.stem}")
    log.info("faq question #%d became the new entry %s", question_id, path.stem)
    return path
