"""Build an edition's TOML from the question list the label publishes.

Staff receive the list as Markdown, ODT, DOCX or PDF: numbered questions
("1.1 Question ? [obligatoire] (texte)") under volet headings ("## 1. Stratégie…").
Markers are optional: a question without them is a mandatory free-text question,
because asking too much is safer than accepting an incomplete dossier.
The forms written by :mod:`assistant.questionnaire.export` import back to the same list.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

from assistant.documents.model import DocumentContent, DocumentError
from assistant.questionnaire.model import (
    ANSWER_TYPES,
    Question,
    Questionnaire,
    QuestionnaireError,
    questionnaire_from_mapping,
)

_QUESTION_RE = re.compile(
    r"^\s*(?:[-*•]\s+)?[*_]*(?:Q(?:uestion)?\s*(?:n[°o]\s*)?)?(\d{1,2})\.(\d{1,2})(?!\d)(?![.,]\d)[*_]*"
    r"\s*[.):–-]?\s+(?P<rest>\S.*)$",
    re.IGNORECASE,
)
_ID_ONLY_RE = re.compile(r"^\s*(?:Q(?:uestion)?\s*)?(\d{1,2})\.(\d{1,2})[.)]?\s*$", re.IGNORECASE)
_VOLET_RE = re.compile(
    r"^\s*#*\s*[*_]*(?:volet|partie)?\s*(\d{1,2})\s*[.):–-]\s*(?P<title>[^\d\s].*?)[*_]*\s*$", re.IGNORECASE
)
_VOLET_WORD_RE = re.compile(r"^\s*#*\s*[*_]*(?:volet|partie)\s+(\d{1,2})\s*[*_]*\s*$", re.IGNORECASE)
_MANDATORY_RE = re.compile(r"[\[(]\s*(obligatoire|facultati(?:f|ve)|optionnel(?:le)?)\s*[\])]", re.IGNORECASE)
_TYPE_RE = re.compile(
    r"\(\s*(texte(?: libre)?|oui\s*/\s*non|oui ou non|nombre|courriel|adresse électronique|e-?mail|url|"
    r"adresse web|liste|choix)\s*\)",
    re.IGNORECASE,
)
_TYPE_ALIASES = {
    "texte libre": "texte",
    "oui ou non": "oui/non",
    "adresse électronique": "courriel",
    "email": "courriel",
    "e-mail": "courriel",
    "adresse web": "url",
}
_ANSWER_LABEL_RE = re.compile(r"^\s*(?:réponse|reponse)\b", re.IGNORECASE)

_MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}  # fmt: skip
_DATE_RE = re.compile(r"(\d{1,2})(?:er)?\s+([a-zéû]+)\s+(\d{4})|(\d{4})-(\d{2})-(\d{2})", re.IGNORECASE)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _dates_in(line: str) -> list[dt.date]:
    found: list[dt.date] = []
    for m in _DATE_RE.finditer(_fold(line)):
        try:
            if m.group(4):
                found.append(dt.date(int(m.group(4)), int(m.group(5)), int(m.group(6))))
            elif m.group(2) in _MONTHS:
                found.append(dt.date(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1))))
        except ValueError:
            continue
    return found


def _parse_markers(rest: str) -> tuple[str, bool | None, str | None]:
    """Split "text [obligatoire] (texte)" into text, mandatory flag and type (None when absent)."""
    mandatory: bool | None = None
    answer_type: str | None = None
    m = _MANDATORY_RE.search(rest)
    if m:
        mandatory = m.group(1).lower() == "obligatoire"
        rest = rest[: m.start()] + rest[m.end() :]
    t = _TYPE_RE.search(rest)
    if t:
        raw = re.sub(r"\s*/\s*", "/", t.group(1).lower())
        answer_type = _TYPE_ALIASES.get(raw, raw)
        rest = rest[: t.start()] + rest[t.end() :]
    text = re.sub(r"\s+", " ", rest).strip().strip("*_").strip()
    if text.endswith("*") and mandatory is None:  # "Question ? *" is a common mandatory mark
        mandatory = True
        text = text.rstrip("* ").strip()
    return text, mandatory, answer_type


class _Builder:
    """Accumulates volets and questions while walking the document's lines."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.title = ""
        self.volets: list[dict] = []
        self.open_question: dict | None = None  # its text may continue on the next line (PDF wrapping)
        self.dates: dict[str, dt.date] = {}

    def current_volet(self, volet_id: str) -> dict:
        for v in self.volets:
            if v["id"] == volet_id:
                return v
        volet = {"id": volet_id, "title": f"Volet {volet_id}", "questions": []}
        self.volets.append(volet)
        return volet

    def add_volet(self, volet_id: str, title: str) -> None:
        self.open_question = None
        title = re.sub(r"\s+", " ", title).strip().strip("*_# ").strip()
        existing = [v for v in self.volets if v["id"] == volet_id]
        if existing:
            if existing[0]["title"].startswith("Volet "):
                existing[0]["title"] = title
            return
        self.volets.append({"id": volet_id, "title": title, "questions": []})

    def add_question(self, major: str, minor: str, rest: str) -> None:
        qid = f"{int(major)}.{int(minor)}"
        text, mandatory, answer_type = _parse_markers(rest)
        volet = self.current_volet(str(int(major)))
        for v in self.volets:
            if any(q["id"] == qid for q in v["questions"]):
                raise QuestionnaireError(f"{self.where}: la question {qid} apparaît deux fois")
        question = {"id": qid, "text": text, "mandatory": mandatory, "type": answer_type}
        volet["questions"].append(question)
        closed = mandatory is not None or answer_type is not None or text.endswith(("?", ".", ":"))
        self.open_question = None if closed else question

    def continue_question(self, line: str) -> bool:
        q = self.open_question
        if q is None or not line.strip() or _ANSWER_LABEL_RE.match(line):
            return False
        text, mandatory, answer_type = _parse_markers(line)
        q["text"] = f"{q['text']} {text}".strip()
        if mandatory is not None:
            q["mandatory"] = mandatory
        if answer_type is not None:
            q["type"] = answer_type
        if mandatory is not None or answer_type is not None or q["text"].endswith(("?", ".")):
            self.open_question = None
        return True

    def note_dates(self, line: str) -> None:
        folded = _fold(line)
        found = _dates_in(line)
        if not found:
            return
        if "ceremonie" in folded:
            self.dates.setdefault("ceremony", found[-1])
        elif re.search(r"\bdu\b.*\bau\b", folded) and len(found) >= 2 and "candidature" in folded:
            self.dates.setdefault("opens", found[0])
            self.dates.setdefault("closes", found[1])
        elif "ouverture" in folded or "ouvertes" in folded:
            self.dates.setdefault("opens", found[0])
        elif any(k in folded for k in ("date limite", "cloture", "jusqu'au", "avant le")):
            self.dates.setdefault("closes", found[-1])

    def feed_line(self, line: str) -> None:
        stripped = line.strip()
        if not stripped:
            self.open_question = None
            return
        if not self.title and stripped.startswith("#") and not _VOLET_RE.match(stripped):
            self.title = stripped.lstrip("#").strip()
            return
        q = _QUESTION_RE.match(stripped)
        if q:
            self.add_question(q.group(1), q.group(2), q.group("rest"))
            return
        v = _VOLET_RE.match(stripped) or _VOLET_WORD_RE.match(stripped)
        if v and len(stripped) < 120:
            title = v.groupdict().get("title") or f"Volet {int(v.group(1))}"
            self.add_volet(str(int(v.group(1))), title)
            return
        if self.continue_question(stripped):
            return
        if not self.title and not self.volets:
            self.title = stripped.lstrip("#").strip()
        self.note_dates(stripped)

    def feed_row(self, cells: tuple[str, ...]) -> None:
        """A table row: [id, question, ...] or ["1.1 question", ...]."""
        cells = tuple(c.strip() for c in cells)
        self.open_question = None
        for i, cell in enumerate(cells):
            only = _ID_ONLY_RE.match(cell)
            if only and i + 1 < len(cells) and cells[i + 1]:
                self.add_question(only.group(1), only.group(2), cells[i + 1].replace("\n", " "))
                self.open_question = None
                return
            q = _QUESTION_RE.match(cell.replace("\n", " "))
            if q:
                self.add_question(q.group(1), q.group(2), q.group("rest"))
                self.open_question = None
                return

    def build(self, edition: str | None, title: str | None) -> Questionnaire:
        if not any(v["questions"] for v in self.volets):
            raise QuestionnaireError(
                f"{self.where}: aucune question numérotée trouvée (lignes attendues comme "
                "« 1.1 Question ? [obligatoire] (texte) »)"
            )
        final_title = title or self.title or "Label Territoire Numérique Libre"
        if edition is None:
            years = re.findall(r"\b(20\d\d)\b", final_title)
            if not years:
                raise QuestionnaireError(
                    f"{self.where}: édition introuvable dans le titre ; précisez --edition (par ex. 2025)"
                )
            edition = years[-1]
        volets = []
        for v in self.volets:
            if not v["questions"]:
                continue
            questions = []
            for q in v["questions"]:
                answer_type = q["type"] or "texte"
                if answer_type not in ANSWER_TYPES:
                    answer_type = "texte"
                text, choices = q["text"], []
                if answer_type == "choix" and " : " in text:
                    text, _, listed = text.partition(" : ")
                    choices = [c.strip().rstrip(".") for c in re.split(r",|\bou\b", listed) if c.strip()]
                if answer_type == "choix" and not choices:
                    answer_type = "texte"  # a choice without listed values cannot be checked
                questions.append(
                    {
                        "id": q["id"],
                        "text": text.strip(),
                        "mandatory": True if q["mandatory"] is None else q["mandatory"],
                        "type": answer_type,
                        **({"choices": choices} if choices else {}),
                    }
                )
            volets.append({"id": v["id"], "title": v["title"], "questions": questions})
        raw: dict = {"edition": edition, "title": final_title, "volets": volets, **self.dates}
        return questionnaire_from_mapping(raw, self.where)


def parse_question_list(
    text: str, *, edition: str | None = None, title: str | None = None, where: str = "document"
) -> Questionnaire:
    """Parse a plain-text or Markdown question list."""
    builder = _Builder(where)
    for line in text.splitlines():
        builder.feed_line(line)
    return builder.build(edition, title)


def parse_content(content: DocumentContent, *, edition: str | None = None, title: str | None = None) -> Questionnaire:
    """Parse a question list already read by a document reader (ODT, DOCX, PDF…)."""
    builder = _Builder(content.filename)
    for block in content.blocks:
        if block.cells is not None:
            builder.feed_row(block.cells)
            continue
        for line in block.text.splitlines() or [""]:
            builder.feed_line(line)
        builder.open_question = builder.open_question if content.kind == "pdf" else None
    return builder.build(edition, title)


def import_document(
    path: Path, *, edition: str | None = None, title: str | None = None, dates: dict | None = None
) -> Questionnaire:
    """Read the published list from ``path`` (md, txt, odt, docx, pdf) and return the questionnaire."""
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown", ".txt", ".text", ""):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        result = parse_question_list(text, edition=edition, title=title, where=str(path))
    else:
        try:
            from assistant.documents.readers import read_document
        except ImportError:  # pragma: no cover - the readers ship with the package
            raise QuestionnaireError(f"{path}: lecture des documents {suffix} indisponible") from None
        try:
            content = read_document(path.name, "", data)
        except DocumentError as exc:
            raise QuestionnaireError(f"{path}: {exc.reason}") from None
        result = parse_content(content, edition=edition, title=title)
    if dates:
        result = with_dates(result, **dates)
    return result


def with_dates(questionnaire: Questionnaire, **dates: dt.date | None) -> Questionnaire:
    """Override the calendar (dates given on the command line win over those found in the document)."""
    q = questionnaire
    values = {k: dates.get(k) or getattr(q, k) for k in ("opens", "closes", "ceremony")}
    raw = _to_mapping(q)
    raw.update({k: v for k, v in values.items() if v is not None})
    return questionnaire_from_mapping(raw, f"édition {q.edition}")


def _to_mapping(q: Questionnaire) -> dict:
    return {
        "edition": q.edition,
        "title": q.title,
        "volets": [
            {"id": v.id, "title": v.title, "questions": [_question_mapping(x) for x in v.questions]} for v in q.volets
        ],
    }


def _question_mapping(q: Question) -> dict:
    out: dict = {"id": q.id, "text": q.text, "mandatory": q.mandatory, "type": q.answer_type}
    if q.choices:
        out["choices"] = list(q.choices)
    return out


__all__ = ["import_document", "parse_content", "parse_question_list", "with_dates"]
