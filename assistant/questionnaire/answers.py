"""Tie the text of a candidature (body, documents, form fields) to the questions it answers.

An answer is anchored by its question's number at the start of a line or cell
("1.1", "1.1.", "1.1)", "Q1.1", "Question 1.1 :"), or, when the number is missing,
by the question's own text (typo-tolerant, reworded or abridged). A number that merely
appears inside an answer ("LibreOffice 7.6", "1.2 million d'euros", "3.10.2023") never
anchors: numbers must start the line, be followed by a separator or the question's
text, and not go back in the list without a clear separator.

Quoted lines of a reply ("> …") are never taken as answers, but a quoted question still
anchors the unquoted answer written under it (a questionnaire answered inline).
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

from rapidfuzz import fuzz

from assistant.documents.model import Block, DocumentContent
from assistant.questionnaire.model import Question, Questionnaire

BODY_SOURCE = "corps du message"

# ---------------------------------------------------------------------------
# Text normalisation


def fold(text: str) -> str:
    """Lowercase without accents, inclusive-writing suffixes or punctuation: for comparisons only."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"[·•.]e(s?)\b", "", text)  # élu·e → élu, référent·es → référent
    text = re.sub(r"\(e\)|\(es\)|\(s\)", "", text)
    decomposed = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = text.replace("œ", "oe").replace("æ", "ae")
    text = re.sub(r"[^a-z0-9@]+", " ", text)
    return " ".join(text.split())


_STOP = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "cette",
        "c",
        "d",
        "de",
        "des",
        "du",
        "elle",
        "elles",
        "en",
        "est",
        "et",
        "il",
        "ils",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "lequel",
        "laquelle",
        "lesquels",
        "lesquelles",
        "auxquels",
        "auxquelles",
        "ou",
        "par",
        "pour",
        "qu",
        "que",
        "quel",
        "quels",
        "quelle",
        "quelles",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sont",
        "sur",
        "t",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "nos",
        "notre",
        "nous",
        "y",
        "dans",
        "ne",
        "pas",
        "plus",
        "comment",
        "combien",
        "ainsi",
        "etc",
        "avez",
        "etes",
        "faites",
        "quoi",
        "mis",
        "mise",
    ]
)
# A line starting like this is an answer, never a question echoed without its number.
_ANSWER_START = frozenset(
    [
        "nous",
        "notre",
        "nos",
        "oui",
        "non",
        "on",
        "je",
        "j",
        "ma",
        "mon",
        "mes",
        "aucun",
        "aucune",
        "pas",
        "neant",
        "elle",
        "il",
        "ils",
        "elles",
        "cela",
        "ca",
        "c",
        "depuis",
        "actuellement",
        "voir",
        "cf",
    ]
)


_SHORT_LABEL_RE = re.compile(r"^([^:?\n\d]{1,60}?)\s*:\s*(.*)$", re.DOTALL)


def _content_words(text: str) -> list[str]:
    return [w for w in fold(text).split() if w not in _STOP and len(w) >= 2]


def _word_match(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) >= 5 and len(b) >= 5 and a[:5] == b[:5]:
        return True  # same stem: utilisons / utilisez, répond / répondre
    return len(a) >= 5 and len(b) >= 5 and fuzz.ratio(a, b) >= 85


def _coverage(words: list[str], target: list[str]) -> int:
    return sum(1 for w in words if any(_word_match(w, t) for t in target))


@dataclass(frozen=True)
class _QText:
    """Pre-computed forms of a question's text for matching."""

    question: Question
    folded: str
    words: list[str]
    first_sentence: list[str]
    all_words: list[str]


def _qtext(q: Question) -> _QText:
    first = re.split(r"\?|\.\s", q.text, maxsplit=1)[0]
    return _QText(q, fold(q.text), _content_words(q.text), _content_words(first), fold(q.display_text()).split())


def _similarity(candidate: str, qt: _QText) -> float:
    """0-100: how well ``candidate`` (a line or its start) reads as question ``qt``, reworded or abridged."""
    folded = fold(candidate)
    if not folded:
        return 0.0
    ratio = fuzz.ratio(folded, qt.folded)
    words = _content_words(candidate)
    if not words or not qt.words:
        return float(ratio)
    matched = _coverage(words, qt.words)
    precision = matched / len(words)
    recall = max(
        _coverage(qt.words, words) / len(qt.words), _coverage(qt.first_sentence, words) / max(1, len(qt.first_sentence))
    )
    enough = matched >= 2 or (len(qt.words) <= 2 and matched == len(qt.words))
    if precision < 0.75 or recall < 0.4 or not enough:
        return float(min(ratio, 84))  # only a near-verbatim string can pass
    return max(float(ratio), 70 + 30 * (0.5 * precision + 0.5 * recall))


TEXT_CUTOFF = 85.0


def _near_verbatim(candidate: str, qt: _QText) -> bool:
    """A line with no "?" or ":" is a question only if it is (almost) its full text."""
    if fuzz.ratio(fold(candidate), qt.folded) >= 85:
        return True
    words = _content_words(candidate)
    if not words or not qt.words:
        return False
    return _coverage(words, qt.words) == len(words) and _coverage(qt.words, words) >= 0.8 * len(qt.words)


# ---------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Answer:
    """The text found for one question, and where it was found (shown to staff)."""

    question_id: str
    text: str
    source: str  # document filename or "corps du message"
    place: str = ""  # Block.place, e.g. "page 2", "tableau 1"
    matched_by: str = "numéro"  # numéro | texte | champ

    def where(self) -> str:
        return f"{self.source}, {self.place}" if self.place else self.source


@dataclass
class Extraction:
    """Every answer found in one message (body and attachments together)."""

    answers: dict[str, Answer] = field(default_factory=dict)

    def text(self, question_id: str) -> str:
        answer = self.answers.get(question_id)
        return answer.text if answer else ""

    def texts(self) -> dict[str, str]:
        return {k: a.text for k, a in self.answers.items()}

    def sources(self) -> dict[str, str]:
        return {k: a.where() for k, a in self.answers.items()}

    def add(self, answer: Answer) -> None:
        """Record ``answer``; a later one replaces an earlier one only if it says something more."""
        answer = replace(answer, text=_normalise_spaces(answer.text).strip())
        old = self.answers.get(answer.question_id)
        if old is None:
            self.answers[answer.question_id] = answer
            return
        if not answer.text.strip():
            return
        if is_filler(answer.text) and old.text.strip() and not is_filler(old.text):
            return
        self.answers[answer.question_id] = answer


# ---------------------------------------------------------------------------
# Fillers (shared with the completeness check)

_FILLER_RE = re.compile(
    r"^(?:a completer|a remplir|a preciser|a renseigner|todo|to do|tbd|x+|reponse|votre reponse|"
    r"(?:voir|cf|se reporter a)(?: la| le| les)? (?:pj|p j|piece jointe|pieces jointes|document joint|"
    r"ci joint|fichier joint|annexe))$"
)


def is_filler(text: str) -> bool:
    """A placeholder that is not an answer ("à compléter", "TODO", "xxx", "?", "-", "…", "voir PJ")."""
    stripped = text.strip()
    if not stripped:
        return True
    if re.fullmatch(r"[\s?\-–—_.…*/\\]+", stripped):
        return True
    return bool(_FILLER_RE.match(fold(stripped)))


# ---------------------------------------------------------------------------
# Quoted replies

_ATTRIBUTION_RE = re.compile(r"^\s*(?:le|on)\s.{0,250}?(?:a\s+[ée]crit|wrote)\s*:\s*$", re.IGNORECASE)
_ORIGINAL_RE = re.compile(
    r"^\s*[-_=]{2,}\s*(?:message d'origine|mail original|message original|original message)\s*[-_=]{2,}\s*$",
    re.IGNORECASE,
)
_HEADER_FROM_RE = re.compile(r"^\s*\*?(?:de|from|exp[ée]diteur)\s*\*?\s*:\s*\S", re.IGNORECASE)
_HEADER_NEXT_RE = re.compile(r"^\s*\*?(?:envoy[ée]|sent|date|[àa]|to|objet|subject)\s*\*?\s*:", re.IGNORECASE)
_SEPARATOR_RE = re.compile(r"^\s*[-_=*]{5,}\s*$")
_QUOTE_RE = re.compile(r"^\s*((?:>\s?)+)(.*)$")
_CLOSING_RE = re.compile(
    r"^(?:(?:bien |tres )?cordialement|bien a (?:vous|toi)|salutations(?: distinguees)?|"
    r"(?:avec )?(?:mes|nos) (?:sinceres |meilleures |cordiales )?salutations(?: distinguees)?|"
    r"(?:en vous remerciant|merci)(?: par avance| d avance| de votre attention)?(?: cordialement)?|"
    r"respectueusement|belle journee|bonne journee|a bientot)$"
)


def _normalise_spaces(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u202f", " ")


def _is_attribution(lines: list[str], i: int) -> int:
    """Number of lines (1 or 2) of a "Le … a écrit :" attribution starting at ``i``, else 0."""
    line = lines[i].strip()
    if not re.match(r"^(?:le|on)\s", line, re.IGNORECASE):
        return 0
    for span in (1, 2):
        joined = " ".join(x.strip() for x in lines[i : i + span])
        # an attribution carries a date or an address, "Le maire a écrit :" does not
        if len(lines[i : i + span]) == span and _ATTRIBUTION_RE.match(joined) and re.search(r"\d|@|<", joined):
            return span
    return 0


def _reply_cut(lines: list[str]) -> tuple[int, set[int]]:
    """Where the new text of a reply ends, and the attribution lines to drop before that."""
    dropped: set[int] = set()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip() in ("--", "-- "):
            return i, dropped
        if _ORIGINAL_RE.match(line):
            return i, dropped
        if _HEADER_FROM_RE.match(line) and any(_HEADER_NEXT_RE.match(x) for x in lines[i + 1 : i + 4]):
            return i, dropped
        span = _is_attribution(lines, i)
        if span:
            rest = [x for x in lines[i + span :] if x.strip()]
            if rest and _QUOTE_RE.match(rest[0]):
                dropped.update(range(i, i + span))
                i += span
                continue
            return i, dropped
        i += 1
    return len(lines), dropped


def cut_reply_tail(text: str) -> str:
    """Drop attribution lines, the original message of a reply and the signature; keep "> " lines.

    The original message below "Message d'origine", "Mail original" or an Outlook
    "De : … Envoyé : …" header is dropped; a "Le … a écrit :" line followed by ">" lines only
    loses itself (the quoted lines are dealt with by the caller, who may need their questions).
    """
    lines = _normalise_spaces(text).split("\n")
    end, dropped = _reply_cut(lines)
    out = [line for n, line in enumerate(lines[:end]) if n not in dropped]
    while out and (not out[-1].strip() or _SEPARATOR_RE.match(out[-1])):
        out.pop()
    return "\n".join(out)


_QUESTION_LIKE_RE = re.compile(
    r"^\s*[#*_\-•\s]*(?:Q(?:uestion)?\s*(?:n[°o]\s*)?)?\d{1,2}\.\d{1,2}(?!\d)(?![.,]\d)|\?\s*$|"
    r"^\s*#*\s*(?:volet\s+)?\d{1,2}\s*[.):–-]\s+[^\d\s]",
    re.IGNORECASE,
)


def strip_quoted(text: str) -> str:
    """The new text of a reply: quoted earlier messages removed, inline answers kept.

    Quoted lines ("> …") are dropped, except quoted questions (numbered lines, headings,
    lines ending with "?") that are followed by unquoted text: they are unquoted so that the
    answer written under each of them stays tied to its question.
    """
    lines = cut_reply_tail(text).split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        m = _QUOTE_RE.match(line)
        if not m:
            out.append(line)
            continue
        inner = m.group(2)
        answered_below = any(x.strip() and not _QUOTE_RE.match(x) for x in lines[i + 1 :])
        if answered_below and _QUESTION_LIKE_RE.search(inner):
            out.append(inner)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Building contents from a message body


def content_from_text(text: str, filename: str = BODY_SOURCE, kind: str = "txt") -> DocumentContent:
    """A plain-text body as one block per line; quoted lines keep their "> " for the extractor."""
    lines = cut_reply_tail(text).split("\n")
    blocks = [Block(line, place=f"ligne {n}") for n, line in enumerate(lines, 1)]
    return DocumentContent(filename=filename, kind=kind, blocks=blocks)


class _HtmlBody(HTMLParser):
    """Small HTML-to-blocks converter for message bodies: lines, table rows, quotes as "> "."""

    _BREAKS = frozenset(
        [
            "p",
            "div",
            "br",
            "li",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "tr",
            "table",
            "ul",
            "ol",
            "pre",
            "blockquote",
            "hr",
        ]
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.line: list[str] = []
        self.quote = 0
        self.skip = 0
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.tables = 0
        self.table_depth = 0

    def _flush(self) -> None:
        text = re.sub(r"[ \t]+", " ", "".join(self.line)).strip()
        self.line = []
        if text:
            self.blocks.append(Block("> " * self.quote + text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head", "title"):
            self.skip += 1
            return
        if tag == "table":
            self.tables += 1
            self.table_depth += 1
        if tag == "tr" and self.table_depth:
            self._flush()
            self.row = []
            return
        if tag in ("td", "th") and self.row is not None:
            self.cell = []
            return
        if tag == "br":
            if self.cell is not None:
                self.cell.append("\n")
                return
            self._flush()
            return
        if tag in self._BREAKS and self.cell is None:
            self._flush()
        if tag == "blockquote":
            self.quote += 1
        if tag in ("p", "div", "li") and self.cell is not None and "".join(self.cell).strip():
            self.cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head", "title"):
            self.skip = max(0, self.skip - 1)
            return
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            cell = "\n".join(re.sub(r"[ \t]+", " ", x).strip() for x in "".join(self.cell).split("\n"))
            self.row.append(re.sub(r"\n{2,}", "\n", cell).strip())
            self.cell = None
            return
        if tag == "tr" and self.row is not None:
            if any(self.row):
                prefix = "> " * self.quote
                self.blocks.append(
                    Block(prefix + " | ".join(self.row), cells=tuple(self.row), place=f"tableau {self.tables}")
                )
            self.row = None
            return
        if tag == "table":
            self.table_depth = max(0, self.table_depth - 1)
        if tag in self._BREAKS and self.cell is None:
            self._flush()
        if tag == "blockquote":
            self.quote = max(0, self.quote - 1)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data.replace("\n", " "))
        else:
            self.line.append(data.replace("\n", " "))


def content_from_html(markup: str, filename: str = BODY_SOURCE) -> DocumentContent:
    """An HTML body: paragraphs as lines, table rows as cells, <blockquote> content quoted."""
    parser = _HtmlBody()
    parser.feed(markup)
    parser.close()
    parser._flush()
    lines = [_normalise_spaces(b.text) if b.cells is None else "" for b in parser.blocks]
    end, dropped = _reply_cut(lines)
    blocks = [b for n, b in enumerate(parser.blocks[:end]) if n not in dropped]
    while blocks and blocks[-1].cells is None and _SEPARATOR_RE.match(blocks[-1].text):
        blocks.pop()
    return DocumentContent(filename=filename, kind="html", blocks=blocks)


def html_to_text(markup: str) -> str:
    """Readable text of an HTML fragment (for reports)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


# ---------------------------------------------------------------------------
# The extractor

_NUMBER_RE = re.compile(
    r"^[\s#*_•·\-–]*(?P<q>(?:Q(?:uestion)?|N°)\s*(?:n[°o]\s*)?\.?\s*)?(?P<maj>\d{1,2})\.(?P<min>\d{1,2})"
    r"(?!\d)(?![.,/]\d)[*_]*(?P<sep>\s*[.):–\-]+(?!\d)|\s*(?=\s)|\s*$)(?P<rest>.*)$",
    re.IGNORECASE,
)
_ID_CELL_RE = re.compile(r"^\s*(?:Q(?:uestion)?\s*(?:n[°o]\s*)?)?(\d{1,2})\.(\d{1,2})[.):]?\s*$", re.IGNORECASE)
_UNIT_RE = re.compile(
    r"^\s*(?:millions?|milliards?|md|m€|k€|€|euros?|%|pour ?cent|habitants?|postes?|agents?|etp|ans?|"
    r"mois|jours?|heures?|h|go|to|mo|ghz|km|m|kg|fois)\b",
    re.IGNORECASE,
)
_VOLET_LINE_RE = re.compile(
    r"^[\s#*_]*(?:volet|partie)?\s*(?P<id>\d{1,2})\s*(?:[.):–\-]\s*(?P<title>.*?))?[\s*_:]*$", re.IGNORECASE
)
_MARKERS_RE = re.compile(
    r"\[\s*(?:obligatoire|facultatif)\s*\]|\(\s*(?:obligatoire|facultatif|texte|oui\s*/\s*non|nombre|"
    r"courriel|url|liste|choix)\s*\)",
    re.IGNORECASE,
)
_ANSWER_LABEL_RE = re.compile(r"^\s*(?:r[ée]ponse|r[ée]p\.?|r)\s*(?:\([^)]*\))?\s*:\s?", re.IGNORECASE)
_LEADING_SEP_RE = re.compile(r"^[\s:?.)\-–—|*_]+")


def _clean_answer_line(text: str) -> str:
    """Remove form markers and a "Réponse :" label from an answer line."""
    text = _MARKERS_RE.sub("", text)
    text = _ANSWER_LABEL_RE.sub("", text, count=1)
    return text.strip().strip("*_").strip() if text.strip() not in ("*", "_") else ""


@dataclass
class _Pending:
    question_id: str
    lines: list[str]
    place: str
    matched_by: str
    source: str


class _Extractor:
    """Walks the lines and rows of one document, keeping the question being answered."""

    def __init__(self, questionnaire: Questionnaire, extraction: Extraction) -> None:
        self.questionnaire = questionnaire
        self.extraction = extraction
        self.qtexts = [_qtext(q) for q in questionnaire.questions()]
        self.order = {q.id: i for i, q in enumerate(questionnaire.questions())}
        self.volet_titles = {v.id: fold(v.title) for v in questionnaire.volets}
        self.pending: _Pending | None = None

    # -- anchors -------------------------------------------------------------
    def _canonical(self, major: str, minor: str) -> str | None:
        qid = f"{int(major)}.{int(minor)}"
        return qid if qid in self.order else None

    def _after_current(self, qid: str) -> bool:
        return self.pending is None or self.order[qid] >= self.order[self.pending.question_id]

    def _split_echo(self, qid: str, rest: str) -> tuple[str, bool]:
        """Remove the question's text echoed after its number; returns (answer part, echoed?)."""
        qt = self.qtexts[self.order[qid]]
        stripped = _MARKERS_RE.sub(" ", rest).strip()
        if not stripped:
            return "", False
        # 1. word alignment: the rest starts with (most of) the question's words in order
        tokens = list(re.finditer(r"\S+", stripped))
        qwords = qt.all_words
        qi = matched = 0
        end = 0
        for tok in tokens:
            parts = fold(tok.group()).split()
            if not parts:
                end = tok.end()
                continue
            ok = True
            for p in parts:
                found = next(
                    (j for j in range(qi, min(len(qwords), qi + 4)) if _word_match(p, qwords[j]) or (p == qwords[j])),
                    None,
                )
                if found is None:
                    ok = False
                    break
                qi = found + 1
                matched += 1
            if not ok:
                break
            end = tok.end()
        if matched >= 3 and matched >= 0.6 * len(qwords):
            return stripped[end:], True
        # 2. split at "?" or ":" where the start reads as the question
        best: tuple[float, int] | None = None
        for m in re.finditer(r"\?|:|\s[-–—]\s", stripped):
            score = _similarity(stripped[: m.start()], qt)
            if score >= TEXT_CUTOFF and (best is None or score >= best[0]):
                best = (score, m.end())
        if best is not None:
            return stripped[best[1] :], True
        if _similarity(stripped, qt) >= 90:
            return "", True
        # 3. a short label made of the question's own words: "Délibération : Oui", "RGAA : à compléter"
        label = _SHORT_LABEL_RE.match(stripped)
        if label and label.group(2).strip():
            words = _content_words(label.group(1))
            # Stricter than _word_match: "LibreOffice" must not pass for the question's "libres".
            hits = sum(1 for w in words if any(w == t or fuzz.ratio(w, t) >= 85 for t in qt.words))
            if len(words) <= 6 and 2 * hits >= len(words) > 0:
                return label.group(2), True
        return stripped, False

    def _number_anchor(self, line: str) -> tuple[str, str, bool] | None:
        """(id, same-line answer, echoed) when ``line`` starts with a question number."""
        m = _NUMBER_RE.match(line)
        if not m:
            return None
        qid = self._canonical(m.group("maj"), m.group("min"))
        if qid is None:
            return None
        sep = m.group("sep") or ""
        rest = m.group("rest")
        answer, echoed = self._split_echo(qid, rest)
        explicit = bool(sep.strip()) or bool(m.group("q")) or not rest.strip()
        # "1.2 million d'euros", "2.3 GHz", a numbered sub-list inside an answer: not an anchor
        if not explicit and not echoed and (_UNIT_RE.match(rest) or not self._after_current(qid)):
            return None
        return qid, answer, echoed

    def _text_anchor(self, line: str, *, cell: bool = False) -> tuple[str, str] | None:
        """(id, same-line answer) when ``line`` starts with a question's text (no number).

        The question part must end with "?" or ":" (then the rest is the answer), or the whole
        line must be near-verbatim; a line that starts like an answer ("Nous…", "Oui…") never
        matches. Near-ties go to the question being answered (the line is then part of its
        answer) or to the next one in the list.
        """
        folded = fold(line)
        if not folded or folded.split()[0] in _ANSWER_START:
            return None
        splits: list[tuple[str, str]] = [(line[: m.start()], line[m.end() :]) for m in re.finditer(r"\?|:", line)]
        if cell or len(folded) <= 160:
            splits.append((line, ""))
        scored: dict[str, tuple[float, str]] = {}
        for head, tail in splits:
            if not fold(head):
                continue
            whole = not tail and not head.rstrip().endswith(("?", ":"))
            for qt in self.qtexts:
                score = _similarity(head, qt)
                if whole and not cell and not _near_verbatim(head, qt):
                    continue  # a bare line must be near-verbatim to be a question
                qid = qt.question.id
                if score >= TEXT_CUTOFF and (qid not in scored or score > scored[qid][0]):
                    scored[qid] = (score, tail)
        if not scored:
            return None
        top = max(s for s, _ in scored.values())
        near = sorted((qid for qid, (s, _) in scored.items() if s >= top - 3), key=self.order.__getitem__)
        if self.pending is not None:
            current = self.pending.question_id
            if current in near:
                return current, scored[current][1]
            following = [q for q in near if self.order[q] > self.order[current]]
            if following:
                return following[0], scored[following[0]][1]
        best = max(near, key=lambda q: (scored[q][0], -self.order[q]))
        return best, scored[best][1]

    def _volet_heading(self, line: str) -> bool:
        m = _VOLET_LINE_RE.match(line)
        if m and m.group("id") in self.volet_titles:
            title = fold(m.group("title") or "")
            if not title:
                return bool(re.match(r"^[\s#*_]*(?:volet|partie)\s", line, re.IGNORECASE))
            return fuzz.ratio(title, self.volet_titles[m.group("id")]) >= 80 or (
                fuzz.partial_ratio(title, self.volet_titles[m.group("id")]) >= 95 and len(title) >= 8
            )
        folded = fold(line)
        return (
            bool(folded) and len(folded) >= 8 and any(fuzz.ratio(folded, t) >= 92 for t in self.volet_titles.values())
        )

    # -- state ---------------------------------------------------------------
    def flush(self) -> None:
        p = self.pending
        self.pending = None
        if p is None:
            return
        lines = [x for x in (ln.strip() for ln in p.lines) if x]
        self.extraction.add(Answer(p.question_id, "\n".join(lines), p.source, p.place, p.matched_by))

    def start(self, qid: str, first: str, source: str, place: str, matched_by: str) -> None:
        self.flush()
        first = _clean_answer_line(_LEADING_SEP_RE.sub("", first))
        self.pending = _Pending(qid, [first] if first else [], place, matched_by, source)

    def feed_line(self, raw: str, source: str, place: str) -> None:
        quoted = False
        m = _QUOTE_RE.match(raw)
        line = raw
        if m:
            quoted, line = True, m.group(2)
        stripped = line.strip()
        if not stripped:
            return
        if _CLOSING_RE.match(fold(stripped)):
            self.flush()
            return
        anchor = self._number_anchor(stripped)
        if anchor is not None:
            qid, answer, _ = anchor
            self.start(qid, "" if quoted else answer, source, place, "numéro")
            return
        if self._volet_heading(stripped):
            self.flush()
            return
        text = None if _NUMBER_RE.match(stripped) else self._text_anchor(stripped)
        if text is not None:
            qid, tail = text
            if self.pending is not None and qid == self.pending.question_id:
                if not self.pending.lines:
                    # the question's text echoed under its number: keep only what follows it
                    if tail.strip() and not quoted:
                        self.pending.lines.append(_clean_answer_line(_LEADING_SEP_RE.sub("", tail)))
                    return
                if not quoted:
                    self.pending.lines.append(stripped)
                return
            self.start(qid, "" if quoted else tail, source, place, "texte")
            return
        if quoted or self.pending is None:
            return
        cleaned = _clean_answer_line(stripped) if not self.pending.lines else stripped
        if cleaned:
            self.pending.lines.append(cleaned)

    def feed_row(self, cells: tuple[str, ...], source: str, place: str, quoted: bool = False) -> None:
        """A table row: [id, question, answer…], ["1.1 question", answer…] or [question, answer…]."""
        self.flush()
        cells = tuple(c.strip() for c in cells)
        for i, cell in enumerate(cells):
            if not cell:
                continue
            qid: str | None = None
            rest_cells = list(cells[i + 1 :])
            same = ""
            by = "numéro"
            only = _ID_CELL_RE.match(cell)
            if only:
                qid = self._canonical(only.group(1), only.group(2))
                if (
                    qid
                    and len(rest_cells) >= 2
                    and rest_cells[0]
                    and (any(rest_cells[1:]) or _similarity(rest_cells[0], self.qtexts[self.order[qid]]) >= 60)
                ):
                    rest_cells = rest_cells[1:]  # [id, question, answer]: the layout says which is which
                elif qid and rest_cells:
                    echo, echoed = self._split_echo(qid, rest_cells[0].replace("\n", " "))
                    if echoed or _similarity(rest_cells[0], self.qtexts[self.order[qid]]) >= 70:
                        rest_cells = rest_cells[1:]
                        same = echo if echoed else ""
            else:
                anchor = self._number_anchor(cell.replace("\n", " "))
                if anchor is not None:
                    qid, same, _ = anchor
                else:
                    found = self._text_anchor(cell.replace("\n", " "), cell=True)
                    if found is not None:
                        qid, same = found
                        by = "texte"
            if qid is None:
                if i >= 1:
                    break  # only the first two cells may hold the question
                continue
            if quoted:
                return
            parts = [same] if same.strip() else []
            parts += [c for c in rest_cells if c and not _MARKERS_RE.fullmatch(c)]
            lines = [_clean_answer_line(x) for p in parts for x in p.split("\n")]
            self.extraction.add(Answer(qid, "\n".join(x for x in lines if x), source, place or "tableau", by))
            return

    def feed_fields(self, fields: dict[str, str], source: str) -> None:
        """Fillable-form fields: named after the number ("q1_1", "1.1") or the question's text.

        Checkboxes come back as "/Yes" or "/Off": a ticked box named "…_non" means "Non".
        """
        values: dict[str, list[str]] = {}
        for name, raw_value in fields.items():
            value = (raw_value or "").strip()
            m = re.search(r"(?<!\d)(\d{1,2})[._\-](\d{1,2})(?!\d)", name)
            qid = self._canonical(m.group(1), m.group(2)) if m else None
            if qid is None:
                found = self._text_anchor(name, cell=True)
                qid = found[0] if found else None
            if qid is None or re.fullmatch(r"/?(?:Off|No)", value, re.IGNORECASE):
                continue
            words = fold(name).split() or [""]
            if words[-1] in ("oui", "non", "yes", "no"):
                # one checkbox per possible answer ("q1_5_oui", "q1_5_non"): keep the ticked one
                if fold(value) not in ("oui", "yes", "on", "1", "x"):
                    continue
                value = "Oui" if words[-1] in ("oui", "yes") else "Non"
            elif re.fullmatch(r"/?(?:Yes|On)", value, re.IGNORECASE):
                value = "Oui"
            values.setdefault(qid, []).append(value)
        for qid, texts in values.items():
            text = "\n".join(v for v in texts if v)
            self.extraction.add(Answer(qid, text, source, "champ de formulaire", "champ"))

    def feed_content(self, content: DocumentContent) -> None:
        source = content.filename or BODY_SOURCE
        if content.fields:
            self.feed_fields(content.fields, source)
        for block in content.blocks:
            if block.cells is not None:
                quoted = bool(_QUOTE_RE.match(block.text)) and not any(_QUOTE_RE.match(c) for c in block.cells[:1])
                self.feed_row(block.cells, source, block.place, quoted)
                continue
            for line in block.text.split("\n"):
                self.feed_line(line, source, block.place)
        self.flush()


def extract_answers(questionnaire: Questionnaire, contents: list[DocumentContent]) -> Extraction:
    """Answers found in ``contents`` (body first, then attachments: later non-empty answers win)."""
    extraction = Extraction()
    for content in contents:
        extractor = _Extractor(questionnaire, extraction)
        extractor.feed_content(content)
    return extraction


__all__ = [
    "BODY_SOURCE",
    "Answer",
    "Extraction",
    "content_from_html",
    "content_from_text",
    "cut_reply_tail",
    "extract_answers",
    "fold",
    "is_filler",
    "strip_quoted",
]
