"""Grow the corpus from real questions: add a phrasing to an entry's TOML file, keeping it readable,
or record a question as outside the FAQ in ``hors-champ.txt``."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

_PHRASINGS_RE = re.compile(r"^phrasings\s*=\s*\[(?P<body>.*?)^\]", re.MULTILINE | re.DOTALL)


class CorpusEditError(Exception):
    """The entry file could not be changed; nothing was written."""


def add_phrasing(entry_file: Path, phrasing: str) -> bool:
    """Append ``phrasing`` to the entry's ``phrasings``; False if it is already there."""
    phrasing = " ".join(phrasing.split())
    if not phrasing:
        raise CorpusEditError("formulation vide")
    try:
        text = entry_file.read_text(encoding="utf-8")
        current = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CorpusEditError(f"{entry_file} : lecture impossible ({exc})") from exc
    if phrasing.casefold() in (p.casefold() for p in current.get("phrasings", [])):
        return False
    literal = json.dumps(phrasing, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    found = _PHRASINGS_RE.search(text)
    if found:
        insert_at = found.end() - 1  # before the closing "]" at the start of its line
        new_text = text[:insert_at] + f"    {literal},\n" + text[insert_at:]
    else:
        anchor = re.search(r"^answer\s*=", text, re.MULTILINE)
        block = f"phrasings = [\n    {literal},\n]\n"
        new_text = text[: anchor.start()] + block + text[anchor.start():] if anchor else text + "\n" + block
    try:
        updated = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as exc:
        raise CorpusEditError(f"{entry_file} : modification refusée, le fichier serait invalide ({exc})") from exc
    if updated.get("phrasings", [])[-1:] != [phrasing] and phrasing not in updated.get("phrasings", []):
        raise CorpusEditError(f"{entry_file} : format de « phrasings » inattendu, modifiez le fichier à la main")
    tmp = entry_file.with_suffix(".toml.tmp")
    tmp.write_text(new_text, encoding="utf-8")
    tmp.replace(entry_file)
    return True


def add_off_topic(directory: Path, question: str) -> bool:
    """Append ``question`` (on one line) to the corpus's ``hors-champ.txt``; False if it is already there."""
    from assistant.faq.corpus import OFF_TOPIC_FILE, read_off_topic_lines

    line = " ".join(question.split())
    if not line or line.startswith("#"):
        raise CorpusEditError("question vide" if not line else "une question ne peut pas commencer par « # »")
    path = directory / OFF_TOPIC_FILE
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        known = read_off_topic_lines(path) if text else []
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusEditError(f"{path} : lecture impossible ({exc})") from exc
    if line.casefold() in (q.casefold() for q in known):
        return False
    new_text = text + ("" if not text or text.endswith("\n") else "\n") + line + "\n"
    tmp = path.with_name(OFF_TOPIC_FILE + ".tmp")
    tmp.write_text(new_text, encoding="utf-8")
    tmp.replace(path)
    return True
