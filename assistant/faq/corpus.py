"""The FAQ corpus: one TOML file per entry in ``faq/``, edited by staff, and ``faq/hors-champ.txt``:
questions people really asked that the FAQ does not answer (one per line), which teach the matcher
what "near the label but not in the FAQ" looks like.

Loading validates everything a staff member can get wrong (malformed TOML, missing or
empty fields, an id that differs from the file name, duplicate ids, links to files that
do not exist) and reports all problems at once, in French, naming each file, so a bad
edit is fixed in one pass instead of silently giving wrong answers.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.faq.normalize import INTENTS

_REQUIRED_TEXT = ("id", "question", "answer")
_LISTS = ("phrasings", "keywords", "intents")
_KNOWN_KEYS = frozenset((*_REQUIRED_TEXT, *_LISTS, "source"))
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Markdown inline links and images: [text](target "title")
_LINK_RE = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_EXTERNAL_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)
OFF_TOPIC_FILE = "hors-champ.txt"


class FaqCorpusError(Exception):
    """The corpus cannot be used; the message lists every problem with its file."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Corpus FAQ invalide :\n" + "\n".join(f"- {p}" for p in problems))


@dataclass(frozen=True)
class FaqEntry:
    """One question of the FAQ with its complete answer and the ways people ask it."""

    id: str
    question: str
    answer: str
    phrasings: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    source: str = ""
    # Kinds of question the entry answers (``normalize.INTENTS``: "definition", "cost", "count"...);
    # empty: read from its question and phrasings.
    intents: tuple[str, ...] = ()
    path: Path | None = field(default=None, compare=False)


@dataclass(frozen=True)
class FaqCorpus:
    """All entries of a corpus directory, in id order, with the signature they were read at."""

    directory: Path
    entries: tuple[FaqEntry, ...]
    signature: tuple[tuple[str, int, int], ...] = ()
    # Questions known to be outside the FAQ (``hors-champ.txt``): the matcher holds back an answer
    # to a question that looks more like one of these than like the entry it ranked first.
    off_topic: tuple[str, ...] = ()

    def get(self, entry_id: str) -> FaqEntry | None:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        return None

    def __len__(self) -> int:
        return len(self.entries)

    def is_stale(self) -> bool:
        """True when a file was added, removed or modified since loading (a few ``stat`` calls)."""
        return directory_signature(self.directory) != self.signature

    def reloaded(self) -> FaqCorpus:
        """This corpus if nothing changed on disk, otherwise a freshly loaded and validated one."""
        return load_corpus(self.directory) if self.is_stale() else self


def directory_signature(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, modification times and sizes of the entry files and of ``hors-champ.txt``: changes
    whenever staff edit one."""
    try:
        with os.scandir(directory) as it:
            found = [
                (e.name, st.st_mtime_ns, st.st_size)
                for e in it
                if (e.name.endswith(".toml") or e.name == OFF_TOPIC_FILE) and e.is_file() and (st := e.stat())
            ]
    except FileNotFoundError:
        return ()
    return tuple(sorted(found))


def default_directory() -> Path:
    from assistant.resources import data_dir

    return data_dir("faq")


def load_corpus(directory: Path | str | None = None) -> FaqCorpus:
    """Read and validate every ``*.toml`` entry of ``directory`` (default: the packaged ``faq/``)."""
    folder = Path(directory) if directory is not None else default_directory()
    if not folder.is_dir():
        raise FaqCorpusError([f"{folder} : dossier du corpus FAQ introuvable"])
    signature = directory_signature(folder)
    problems: list[str] = []
    entries: list[FaqEntry] = []
    seen: dict[str, Path] = {}
    for name, _mtime, _size in signature:
        if name == OFF_TOPIC_FILE:
            continue
        path = folder / name
        entry = _load_entry(path, problems)
        if entry is None:
            continue
        if entry.id in seen:
            problems.append(f"{path.name} : identifiant « {entry.id} » déjà utilisé par {seen[entry.id].name}")
            continue
        seen[entry.id] = path
        entries.append(entry)
    off_topic = _load_off_topic(folder / OFF_TOPIC_FILE, problems)
    if not entries and not problems:
        problems.append(f"{folder} : aucune entrée (fichier .toml) dans le corpus FAQ")
    if problems:
        raise FaqCorpusError(problems)
    entries.sort(key=lambda e: e.id)
    return FaqCorpus(directory=folder, entries=tuple(entries), signature=signature, off_topic=off_topic)


def read_off_topic_lines(path: Path) -> list[str]:
    """The questions of an off-topic file, one per line, blank lines and ``#`` comments left out."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [" ".join(line.split()) for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _load_off_topic(path: Path, problems: list[str]) -> tuple[str, ...]:
    if not path.is_file():
        return ()
    try:
        lines = read_off_topic_lines(path)
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path.name} : lecture impossible ({exc})")
        return ()
    return tuple(dict.fromkeys(lines))  # a question added twice counts once


def _load_entry(path: Path, problems: list[str]) -> FaqEntry | None:
    where = path.name
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{where} : TOML mal formé ({exc})")
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{where} : lecture impossible ({exc})")
        return None
    before = len(problems)
    for key in sorted(set(data) - _KNOWN_KEYS):
        problems.append(
            f"{where} : clé inconnue « {key} » (clés possibles : {', '.join(sorted(_KNOWN_KEYS))})"
        )
    for key in _REQUIRED_TEXT:
        value = data.get(key)
        if value is None:
            problems.append(f"{where} : clé obligatoire « {key} » absente")
        elif not isinstance(value, str):
            problems.append(f"{where} : « {key} » doit être un texte")
        elif not value.strip():
            problems.append(f"{where} : « {key} » est vide")
    source = data.get("source", "")
    if not isinstance(source, str):
        problems.append(f"{where} : « source » doit être un texte")
    lists: dict[str, tuple[str, ...]] = {}
    for key in _LISTS:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{where} : « {key} » doit être une liste de textes")
            continue
        if any(not v.strip() for v in value):
            problems.append(f"{where} : « {key} » contient un élément vide")
        lists[key] = tuple(v.strip() for v in value if v.strip())
    for intent in lists.get("intents", ()):
        if intent not in INTENTS:
            problems.append(
                f"{where} : intention inconnue « {intent} » dans « intents » (possibles : {', '.join(INTENTS)})"
            )
    entry_id = data.get("id")
    if isinstance(entry_id, str) and entry_id.strip():
        if entry_id != path.stem:
            problems.append(f"{where} : l'identifiant « {entry_id} » doit être le nom du fichier (« {path.stem} »)")
        elif not _ID_RE.match(entry_id):
            problems.append(
                f"{where} : identifiant « {entry_id} » invalide (minuscules, chiffres et tirets seulement)"
            )
    answer = data.get("answer")
    if isinstance(answer, str):
        for target in _LINK_RE.findall(answer):
            if _EXTERNAL_RE.match(target):
                continue
            relative = target.split("#", 1)[0].split("?", 1)[0]
            if relative and not (path.parent / relative).exists():
                problems.append(f"{where} : lien cassé vers « {target} » (fichier introuvable)")
    if len(problems) > before:
        return None
    return FaqEntry(
        id=data["id"],
        question=data["question"].strip(),
        answer=data["answer"].strip(),
        phrasings=lists.get("phrasings", ()),
        keywords=lists.get("keywords", ()),
        source=source.strip() if isinstance(source, str) else "",
        intents=lists.get("intents", ()),
        path=path,
    )
