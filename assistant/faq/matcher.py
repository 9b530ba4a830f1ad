"""Match short French questions against the FAQ, or say "je ne sais pas".

Why not a plain fuzzy ratio over the titles: applicants ask in their own words, in SMS
style, without accents, and often about something else entirely ("commune", "label"
appear in off-topic mail too). Here each question is reduced by the shared normaliser to
stems; every stem weighs its IDF, so words that occur in every entry ("label",
"collectivité") count for little and words the corpus never uses count a lot against an
answer. Two views are blended:

* the best single phrasing of an entry (question or alternate phrasing), scored both ways
  (how much of the question it covers, how much of it the question covers);
* the entry as a whole (question, phrasings, keywords, answer at a lower weight).

Typos are caught by ``rapidfuzz.fuzz.ratio`` between unknown words and the corpus
vocabulary, computed in one vectorised ``process.cdist`` call; all scoring is numpy over
posting lists so it scales to thousands of entries. The blended score is mapped to a
calibrated confidence and cut into three zones: answer, suggest alternatives, abstain.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from rapidfuzz import fuzz, process

from assistant.faq.chargrams import CharIndex
from assistant.faq.corpus import FaqCorpus, FaqCorpusError, FaqEntry, directory_signature, load_corpus
from assistant.faq.normalize import (
    ADVICE,
    INTENT_MARKERS,
    INTENTS,
    WEAK_WORDS,
    analyze,
    canonical,
    compared_words,
    detect_intents,
    fold,
    foreign_topics,
    mentions_label,
    names_own_label,
    normalize,
    other_labels,
    without_comparisons,
    words,
)

log = logging.getLogger(__name__)
_T = TypeVar("_T")

ANSWER = "answer"
SUGGEST = "suggest"
ABSTAIN = "abstain"

# Why the matcher did not answer.
REASON_LOW = "low-confidence"  # no entry scores high enough
REASON_NOTHING = "nothing-known"  # the question holds no word the FAQ answers about
REASON_FOREIGN = "foreign-topic"  # it names a subject the label does not deal with
REASON_COVERAGE = "unknown-words"  # most of its weight lies in words the FAQ never uses
REASON_INTENT = "intent-mismatch"  # it asks for another kind of answer (a date, a cost...)
REASON_ENTRY = "entry-coverage"  # the best entry matches too little of its topic words
REASON_AMBIGUOUS = "ambiguous"  # question words only, and no entry stands out
# A view of a message answered at least this surely ends the search (views are tried shortest first);
# below it, the surest answered view wins.
SURE_ENOUGH = 0.99


@dataclass(frozen=True)
class MatcherParams:
    """Scoring weights and zone thresholds (tuned on the tuning half of the bench, never on held-out)."""

    question_weight: float = 1.0  # credit of a stem found in the question or a phrasing
    keyword_weight: float = 0.9  # ... in the keywords
    # ... only in alternate phrasings: they grow from real questions and bring their filler words
    # ("beaucoup", "en France"), which must not weigh like the entry's own question and keywords.
    phrasing_weight: float = 0.6
    # Share of the letter n-gram similarity in the ranking score (0 = words only).
    char_weight: float = 0.5
    answer_weight: float = 0.45  # ... only in the answer text
    synonym_credit: float = 0.8  # a synonym matches a bit less than the word itself
    fuzzy_cutoff: float = 85.0  # fuzz.ratio cutoff for typo matching of unknown words
    fuzzy_credit: float = 0.9  # credit of a typo match, times ratio/100
    fuzzy_min_length: int = 4
    unknown_weight: float = 0.7  # weight of a word the corpus never uses, times the IDF of df = 0
    unknown_number_weight: float = 0.25  # ... when it is a number ("300 habitants", "2025")
    phrasing_query_share: float = 0.85  # in a phrasing score: query coverage vs phrasing coverage
    phrasing_share: float = 0.6  # final score: best phrasing vs whole entry
    # Intents ("definition", "cost", "count"...) are pseudo-terms weighing their IDF times this; a
    # question's intent the entry does not answer counts against it like an unmatched word.
    intent_weight: float = 1.0
    # Document frequency of a word found only in an entry's answer counts this much: "logiciel libre"
    # is written in nearly every answer, which must not make it worthless in a question.
    answer_df: float = 1.0
    # Long texts (an e-mail of several lines) are also scored sentence by sentence, and the best
    # sentence wins: one real question drowns among the words of the rest.
    segment_min_words: int = 10
    # A question word the corpus only uses inside answers ("terme", "archives") weighs this share of
    # its IDF: it is more often filler than the topic.
    answer_only_weight: float = 0.6
    # confidence = sigmoid(slope * score + intercept): a logistic fit of "the top entry is right"
    # on the raw score over the tuning half + dev set, so that it reads as a probability.
    slope: float = 7.8
    intercept: float = -3.2
    # Below answer_threshold the model is not asked (cross-validated: 0.45, 0.40, 0.35, 0.30 gave
    # 8147, 8197, 8223, 8253 of 8908 answered right at the same 4% of off-topic answered: the
    # decision model judges weak matches better than a cut on the ranking score).
    answer_threshold: float = 0.30
    suggest_threshold: float = 0.3
    alternative_min: float = 0.3  # alternatives must reach this confidence to be offered
    # Off-topic guard: share of the question's weight the corpus must account for before answering
    # (a question mostly made of words the FAQ never uses is about something else).
    min_coverage: float = 0.3
    # ... and the share of the question's topic words (intents aside) the chosen entry itself matches:
    # "Combien de communes en France ?" asks for a count like the entry on labelled collectivités,
    # but "France" is nowhere in that entry.
    min_entry_coverage: float = 0.4
    # A question made of question words only ("c'est combien ?") is answered only when one entry
    # clearly stands out (raw score margin over the second).
    intent_only_margin: float = 0.3
    # A question asking for a kind of answer the best entry does not give ("Comment créer une
    # association ?" against "Qui organise le label ?") gets suggestions, never that answer.
    intent_mismatch_suggest: bool = True


MODEL_PATH = Path(__file__).with_name("decision_model.json")


@dataclass(frozen=True)
class DecisionModel:
    """Logistic model of "the best entry answers this question", fitted by ``bench/fit_decision.py``."""

    coef: tuple[float, ...]
    bias: float
    answer_threshold: float

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> DecisionModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path}: fitted for features {data['features']}, the matcher computes "
                             f"{list(FEATURES)}; run bench/fit_decision.py again")
        return cls(tuple(data["coef"]), float(data["bias"]), float(data["answer_threshold"]))

    def probability(self, features: np.ndarray) -> float:
        z = float(np.dot(self.coef, features)) + self.bias
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=1)
def default_model() -> DecisionModel:
    return DecisionModel.load()


@dataclass
class FaqMatch:
    entry: FaqEntry
    score: float


@dataclass
class FaqResult:
    question: str  # the question as asked
    zone: str  # "answer" | "suggest" | "abstain"
    best: FaqMatch | None  # None when abstaining
    alternatives: list[FaqMatch] = field(default_factory=list)
    # Why no answer was given, for staff and logs: see the REASON_* constants ("" when answered).
    reason: str = ""

    @property
    def answer(self) -> FaqEntry | None:
        """The entry to send as the answer: only in the "answer" zone."""
        return self.best.entry if self.zone == ANSWER and self.best else None


@dataclass
class _Postings:
    phrasings: np.ndarray  # phrasing indices (int32)
    entries: np.ndarray  # entry indices (int32)
    credits: np.ndarray  # best field weight per entry (float32)


class FaqMatcher:
    """Index of a corpus; ``ask`` answers one question."""

    def __init__(
        self, corpus: FaqCorpus, params: MatcherParams | None = None, model: DecisionModel | None = None
    ) -> None:
        self.corpus = corpus
        self.params = params or MatcherParams()
        self.model = model or default_model()
        self.entries: list[FaqEntry] = list(corpus.entries)
        self._index = {entry.id: i for i, entry in enumerate(self.entries)}
        self._build()

    # ------------------------------------------------------------------ index
    def _build(self) -> None:
        p = self.params
        n = len(self.entries)
        phr_terms: list[set[str]] = []
        phr_entry: list[int] = []
        starts: list[int] = []
        entry_credit: list[dict[str, float]] = []
        vocab: dict[str, str] = {}  # surface word -> stem
        self._entry_intents: list[frozenset[str]] = []
        self._intent_names = frozenset(INTENTS)
        for i, entry in enumerate(self.entries):
            starts.append(len(phr_terms))
            credit: dict[str, float] = {}

            def add(text: str, weight: float, credit: dict[str, float] = credit) -> set[str]:
                stems = set()
                for word, stem in analyze(text):
                    if word in INTENT_MARKERS:
                        continue
                    vocab.setdefault(word, stem)
                    stems.add(stem)
                    if credit.get(stem, 0.0) < weight:
                        credit[stem] = weight
                return stems

            add(entry.answer, p.answer_weight)
            for kw in entry.keywords:
                add(kw, p.keyword_weight)
            declared = set(entry.intents) or set(detect_intents(entry.question)) - {ADVICE}
            self._entry_intents.append(frozenset(declared))
            for intent in declared:
                credit["i:" + intent] = p.question_weight
            for n_text, text in enumerate((entry.question, *entry.phrasings)):
                stems = add(text, p.question_weight if n_text == 0 else p.phrasing_weight)
                # A phrasing asks what it asks: "À partir de quand une commune peut-elle se dire
                # territoire numérique libre ?" is a date question of the "déjà" entry, whatever the
                # entry declares (cross-validated: 4810 -> 4840 of 5297).
                stems |= {"i:" + intent for intent in detect_intents(text) - {ADVICE}}
                if stems:
                    phr_terms.append(stems)
                    phr_entry.append(i)
            if len(phr_terms) == starts[-1]:  # an entry whose texts are all stop words
                phr_terms.append(set())
                phr_entry.append(i)
            entry_credit.append(credit)

        # Document frequencies over entries, for stems and for synonym groups.
        df_weight: dict[str, float] = {}
        for credit in entry_credit:
            keys: dict[str, float] = {}
            for s, w in credit.items():
                share = p.answer_df if w <= p.answer_weight else 1.0
                for key in (s, "g:" + canonical(s)):
                    keys[key] = max(keys.get(key, 0.0), share)
            for key, share in keys.items():
                df_weight[key] = df_weight.get(key, 0.0) + share
        df = df_weight
        self._field: dict[str, float] = {}  # best field credit of a stem over the corpus
        for credit in entry_credit:
            for s, w in credit.items():
                if self._field.get(s, 0.0) < w:
                    self._field[s] = w
        self._idf = {k: math.log(1.0 + (n - d + 0.5) / (d + 0.5)) for k, d in df.items()}
        self._unknown_idf = math.log(1.0 + (n + 0.5) / 0.5) if n else 1.0

        # Posting lists: "s:<stem>" for the stem itself, "g:<canonical>" for its synonym group.
        phr_lists: dict[str, list[int]] = {}
        for j, stems in enumerate(phr_terms):
            for key in {"s:" + s for s in stems} | {"g:" + canonical(s) for s in stems}:
                phr_lists.setdefault(key, []).append(j)
        ent_lists: dict[str, dict[int, float]] = {}
        for i, credit in enumerate(entry_credit):
            for s, w in credit.items():
                for key in ("s:" + s, "g:" + canonical(s)):
                    slot = ent_lists.setdefault(key, {})
                    if slot.get(i, 0.0) < w:
                        slot[i] = w
        self._postings: dict[str, _Postings] = {}
        for key in set(phr_lists) | set(ent_lists):
            ents = ent_lists.get(key, {})
            self._postings[key] = _Postings(
                phrasings=np.fromiter(phr_lists.get(key, ()), dtype=np.int32),
                entries=np.fromiter(ents.keys(), dtype=np.int32, count=len(ents)),
                credits=np.fromiter(ents.values(), dtype=np.float32, count=len(ents)),
            )
        self._phr_entry = np.asarray(phr_entry, dtype=np.int32)
        self._phr_starts = np.asarray(starts, dtype=np.intp)
        self._phr_norm = np.asarray(
            [sum(self._idf.get(s, 0.0) for s in stems) or 1.0 for stems in phr_terms],
            dtype=np.float32,
        )
        self._strong_groups = {"g:" + canonical(s) for s, w in self._field.items() if w > p.answer_weight}
        self._label_group = "g:" + canonical(analyze("label")[0][1])
        self._weak_groups = {"g:" + canonical(analyze(w)[0][1]) for w in WEAK_WORDS}
        # What was computed for the last few texts: one question reads its own terms and scores, its
        # e-mail's and the sentence before it, several times over (see ``_remember``).
        self._terms_cache: dict[str, list[tuple[str, str, float, float]]] = {}
        self._coverage_cache: dict[tuple[tuple[str, str, float, float], ...], np.ndarray | None] = {}
        self._chars_cache: dict[tuple[str, ...], np.ndarray] = {}
        self._scores_cache: dict[tuple[tuple[tuple[str, str, float, float], ...], bool], np.ndarray] = {}
        rows = [(i, text) for i, e in enumerate(self.entries) for text in (e.question, *e.phrasings, *e.keywords)]
        self._chars = CharIndex([t for _, t in rows], [i for i, _ in rows], n)
        off_topic = self.corpus.off_topic
        self._off_topic_chars = CharIndex(off_topic, range(len(off_topic)), len(off_topic)) if off_topic else None
        # Words of each off-topic question, weighted by their rarity among those questions ("mairie"
        # is in many of them, "permis" in few), with their total weight.
        off_topic_stems = [frozenset(normalize(text)) for text in off_topic]
        df = Counter(w for stems in off_topic_stems for w in stems)
        self._off_topic_idf = {w: math.log((len(off_topic) + 1) / (1 + c)) + 1.0 for w, c in df.items()}
        self._off_topic_idf_unseen = math.log(len(off_topic) + 1) + 1.0
        self._off_topic_words = [(stems, sum(self._off_topic_idf[w] for w in stems)) for stems in off_topic_stems]
        self._off_topic_cache: dict[tuple[str, ...], tuple[float, float]] = {}
        # The same words view of each entry's question and phrasings: how much of the question one of
        # them says, word for word (the counterpart of ``off_topic_word_overlap``).
        entry_stems = [[frozenset(normalize(text)) for text in (e.question, *e.phrasings)] for e in self.entries]
        phr_df = Counter(w for stems_list in entry_stems for stems in stems_list for w in stems)
        n_phr = sum(len(stems_list) for stems_list in entry_stems)
        self._entry_idf = {w: math.log((n_phr + 1) / (1 + c)) + 1.0 for w, c in phr_df.items()}
        self._entry_idf_unseen = math.log(n_phr + 1) + 1.0
        # Per entry: the total weight of each phrasing, and for each word the phrasings holding it.
        self._entry_weights = [[sum(self._entry_idf[w] for w in stems) for stems in stems_list]
                               for stems_list in entry_stems]
        self._entry_postings: list[dict[str, list[int]]] = []
        for stems_list in entry_stems:
            postings: dict[str, list[int]] = {}
            for j, stems in enumerate(stems_list):
                for w in stems:
                    postings.setdefault(w, []).append(j)
            self._entry_postings.append(postings)
        self._vocab_words = [w for w in vocab if len(w) >= p.fuzzy_min_length]
        self._vocab_stems = [vocab[w] for w in self._vocab_words]

    # ------------------------------------------------------------------ scoring
    def _query_terms(self, question: str) -> list[tuple[str, str, float, float]]:
        """Query terms, computed once per question (``ask`` needs them for scores and guard)."""
        terms = self._terms_cache.get(question)
        if terms is None:
            terms = _remember(self._terms_cache, question, self._compute_query_terms(question))
        return terms

    def _compute_query_terms(self, question: str) -> list[tuple[str, str, float, float]]:
        """(stem key, group key, weight, credit factor) per distinct query word; unknown words keep a
        weight with no key so that they count against every entry."""
        p = self.params
        terms: list[tuple[str, str, float, float]] = []
        unknown: list[tuple[str, str]] = []
        seen: set[str] = set()
        foreign = set(foreign_topics(question))
        # Another label named only to compare says nothing of what is asked ("comme pour Qualiopi").
        compared = compared_words(question)
        for intent in sorted(detect_intents(question) - {ADVICE}):
            key = "i:" + intent
            if key in self._idf:
                terms.append(("s:" + key, "g:" + key, self._idf[key] * p.intent_weight, 1.0))
        for word, stem in analyze(question):
            if word in INTENT_MARKERS or word in compared:
                continue
            if stem in seen:
                continue
            seen.add(stem)
            skey, gkey = "s:" + stem, "g:" + canonical(stem)
            if word in foreign:
                terms.append(("", "", self._unknown_idf * p.unknown_weight, 0.0))
            elif skey in self._postings:
                # A word weighs no more than its synonym group: "mairie" says no more than "commune".
                weight = min(self._idf[stem], self._idf.get(gkey, self._idf[stem]))
                if self._field.get(stem, 0.0) <= p.answer_weight and gkey not in self._strong_groups:
                    weight *= p.answer_only_weight
                terms.append((skey, gkey, weight, 1.0))
            elif gkey in self._postings:
                terms.append(("", gkey, self._idf[gkey], 1.0))
            else:
                unknown.append((word, stem))
        if unknown:
            typo_words = [w for w, _ in unknown if len(w) >= p.fuzzy_min_length]
            best: dict[str, tuple[str, float]] = {}
            if typo_words and self._vocab_words:
                scores = process.cdist(
                    typo_words, self._vocab_words, scorer=fuzz.ratio, score_cutoff=p.fuzzy_cutoff,
                    dtype=np.uint8,
                )
                cols = scores.argmax(axis=1)
                for row, word in enumerate(typo_words):
                    col = int(cols[row])
                    ratio = float(scores[row, col])
                    if ratio >= p.fuzzy_cutoff:
                        best[word] = (self._vocab_stems[col], ratio)
            # Unknown words weigh sqrt(n) in all: one unknown word is the topic of a short question
            # ("combien coûte un iphone"), a long e-mail always holds a few unknown words of filler.
            n_unknown = sum(1 for w, _ in unknown if w not in best and not w.isdigit())
            damp = 1.0 / math.sqrt(n_unknown) if n_unknown > 1 else 1.0
            for word, stem in unknown:
                if word in best:
                    target, ratio = best[word]
                    if target in seen and target != stem:
                        continue
                    seen.add(target)
                    tkey = "g:" + canonical(target)
                    terms.append(("s:" + target, tkey, min(self._idf[target], self._idf.get(tkey, self._idf[target])),
                                  p.fuzzy_credit * ratio / 100.0))
                else:
                    weight = p.unknown_number_weight if word.isdigit() else p.unknown_weight * damp
                    terms.append(("", "", self._unknown_idf * weight, 0.0))
        return terms

    def _names_other_label(self, question: str) -> bool:
        """"label Qualiopi", "le label « Villes et Villages étoilés »": a name right after "label",
        capitalised or quoted, other than this label's own (unless only compared with: "comme pour le
        label Qualiopi"). A lower-case word there is the question going on ("le label touche-t-il…",
        "le label pour le metre sur notre site"), and so is anything in a question written in capitals;
        the known other labels are foreign words anyway."""
        if question.upper() == question:
            return False
        compared = compared_words(question)
        for run in _OTHER_LABEL_NAME_RE.findall(question):
            for word, _stem in analyze(run):
                if word in compared or word in INTENT_MARKERS or word.isdigit():
                    continue
                if word not in _OWN_NAME_WORDS:
                    return True
        return False

    def guard(self, question: str) -> tuple[float, bool]:
        """(share of the question's weight the corpus accounts for, names a foreign topic)."""
        all_terms = self._query_terms(question)
        terms = [t for t in all_terms if not _is_intent(t)]
        has_intent = len(terms) < len(all_terms)
        total = sum(t[2] for t in terms)
        known = sum(t[2] * t[3] for t in terms)
        coverage = known / total if total > 0 else float(has_intent)
        # Only "label", "commune"...: nothing says what is asked, unless a question word does and the
        # label is named ("Combien de communes ont le label ?", not "... dans le département ?").
        names_label = has_intent and (any(t[1] == self._label_group for t in terms)
                                      or bool(_HAVE_IT_RE.search(fold(question))))
        if terms and not names_label and all(t[1] in self._weak_groups for t in terms if t[3] > 0):
            coverage = 0.0
        foreign = (bool(foreign_topics(question)) or ADVICE in detect_intents(question)
                   or self._names_other_label(question))
        return coverage, foreign

    def scores(self, question: str, topic_only: bool = False) -> np.ndarray:
        """Blended score in [0, 1] of every entry for ``question`` (``topic_only``: intents left out).

        Ranking, the guard and the decision features all read it: recent results are kept, by query
        terms (a question and the same words as another sentence's antecedent score alike)."""
        terms = tuple(self._query_terms(question))
        result = self._scores_cache.get((terms, topic_only))
        if result is None:
            result = _remember(self._scores_cache, (terms, topic_only), self._compute_scores(terms, topic_only))
        return result

    def _compute_scores(self, all_terms: tuple[tuple[str, str, float, float], ...], topic_only: bool) -> np.ndarray:
        p = self.params
        n_e, n_p = len(self.entries), len(self._phr_entry)
        terms = [t for t in all_terms if not _is_intent(t)] if topic_only else all_terms
        total = sum(t[2] for t in terms)
        if not terms or total <= 0 or n_e == 0:
            _remember(self._coverage_cache, all_terms, None)
            return np.zeros(n_e, dtype=np.float32)
        acc_p = np.zeros(n_p, dtype=np.float32)
        acc_e = np.zeros(n_e, dtype=np.float32)
        acc_c = np.zeros(n_e, dtype=np.float32)  # topic words only, for the entry coverage guard
        content_total = 0.0
        for term in terms:
            skey, gkey, weight, factor = term
            intent = _is_intent(term)
            if not intent:
                content_total += weight
            if factor <= 0.0:
                continue
            exact = self._postings.get(skey) if skey else None
            group = self._postings.get(gkey) if gkey else None
            mp = np.zeros(n_p, dtype=np.float32)
            me = np.zeros(n_e, dtype=np.float32)
            if group is not None:
                mp[group.phrasings] = p.synonym_credit
                me[group.entries] = p.synonym_credit * group.credits
            if exact is not None:
                mp[exact.phrasings] = 1.0
                me[exact.entries] = np.maximum(me[exact.entries], exact.credits)
            acc_p += (weight * factor) * mp
            acc_e += (weight * factor) * me
            if not intent:
                acc_c += (weight * factor) * me
        _remember(self._coverage_cache, all_terms, acc_c / content_total if content_total > 0 else None)
        q = p.phrasing_query_share
        phr = acc_p * (q / total) + (1.0 - q) * np.minimum(acc_p / self._phr_norm, 1.0)
        best_phr = np.maximum.reduceat(phr, self._phr_starts)
        return (p.phrasing_share * best_phr + (1.0 - p.phrasing_share) * (acc_e / total)).astype(np.float32)

    def char_similarity(self, question: str) -> np.ndarray:
        """Best letter n-gram cosine per entry (see ``chargrams``), cached for recent questions."""
        key = tuple(words(question))  # it reads only the words: "Est-ce payant ?" is "est-ce payant"
        sims = self._chars_cache.get(key)
        if sims is None:
            sims = _remember(self._chars_cache, key, self._chars.similarity(question))
        return sims

    def off_topic_similarity(self, question: str) -> float:
        """Best letter n-gram cosine of ``question`` with the known off-topic questions (0 without any).
        Cached: every sentence of an e-mail also reads the e-mail's own value."""
        return self._off_topic_views(question)[0]

    def off_topic_word_overlap(self, question: str) -> float:
        """Word overlap (Jaccard of canonical stems) of ``question`` with the closest of its nearest
        known off-topic questions: letters alone make "jusqu'à quand déposer notre dossier ?" look
        like "Où déposer un dossier de permis de construire ?", the words say what differs."""
        return self._off_topic_views(question)[1]

    def _off_topic_views(self, question: str) -> tuple[float, float]:
        """(best letter n-gram cosine with the off-topic questions, best word overlap among the
        ``_OFF_TOPIC_NEIGHBOURS`` nearest by letters), computed together and cached."""
        if self._off_topic_chars is None:
            return 0.0, 0.0
        key = tuple(words(question))  # both views read only the words (``normalize`` stems them)
        cached = self._off_topic_cache.get(key)
        if cached is None:
            sims = self._off_topic_chars.similarity(question)
            nearest = np.argpartition(-sims, _OFF_TOPIC_NEIGHBOURS - 1)[:_OFF_TOPIC_NEIGHBOURS] \
                if sims.size > _OFF_TOPIC_NEIGHBOURS else np.arange(sims.size)
            idf, unseen = self._off_topic_idf, self._off_topic_idf_unseen
            mine = frozenset(normalize(question))
            mine_weight = sum(idf.get(w, unseen) for w in mine)
            overlap = 0.0
            for row in nearest:
                theirs, their_weight = self._off_topic_words[int(row)]
                shared = sum(idf[w] for w in mine & theirs)
                union = mine_weight + their_weight - shared
                if union > 0:
                    overlap = max(overlap, shared / union)
            cached = _remember(self._off_topic_cache, key, (float(sims.max()), overlap))
        return cached

    def entry_word_overlap(self, question: str, entry_index: int) -> float:
        """Best word overlap (IDF-weighted Jaccard of canonical stems) of ``question`` with the question
        or one phrasing of an entry."""
        idf, unseen = self._entry_idf, self._entry_idf_unseen
        mine = frozenset(normalize(question))
        mine_weight = sum(idf.get(w, unseen) for w in mine)
        postings, weights = self._entry_postings[entry_index], self._entry_weights[entry_index]
        shared: dict[int, float] = {}
        for w in mine:
            for j in postings.get(w, ()):
                shared[j] = shared.get(j, 0.0) + idf[w]
        best = 0.0
        for j, common in shared.items():
            union = mine_weight + weights[j] - common
            if union > 0 and common / union > best:
                best = common / union
        return best

    def combined(self, question: str, topic_only: bool = False) -> np.ndarray:
        """Ranking score: the word score plus a share of the n-gram similarity (two views of the
        same question, which err on different questions)."""
        raw = self.scores(question, topic_only)
        if raw.size == 0 or self.params.char_weight <= 0:
            return raw
        return (raw + self.params.char_weight * self.char_similarity(question)) / (1.0 + self.params.char_weight)

    def confidence(self, score: float) -> float:
        """Map a raw score to a calibrated, probability-like confidence in [0, 1]."""
        return 1.0 / (1.0 + math.exp(-(self.params.slope * score + self.params.intercept)))

    def rank(self, question: str, k: int = 3, topic_only: bool = False) -> list[FaqMatch]:
        """The ``k`` best entries with their confidence, best first (no zone decision)."""
        raw = self.combined(question, topic_only)
        if raw.size == 0:
            return []
        k = max(1, min(k, raw.size))
        top = np.argpartition(-raw, k - 1)[:k] if raw.size > k else np.arange(raw.size)
        top = top[np.argsort(-raw[top], kind="stable")]
        return [FaqMatch(self.entries[int(i)], self.confidence(float(raw[i]))) for i in top]

    def segments(self, question: str) -> list[str]:
        """The texts to score for ``question``: itself and, when it is long, wrapped in courtesy
        ("bonjour, … ? merci, Théo, mairie de Millau") or announces its question ("deux points : …",
        "je voudrais savoir si …"), each of its questions (greetings, thanks, signatures and context
        sentences dropped) and the part after the announcement."""
        parts = split_questions(question)
        if (len(words(question)) < self.params.segment_min_words and parts == [question]
                and len(_TAIL_RE.split(question)) == 1):
            return [question]
        found = [question]
        for part in parts:
            for piece in (part, *_TAIL_RE.split(part)[-1:], *_request_object(part)):
                piece = piece.strip(" ,;:")
                if piece and piece not in found and words(piece):
                    found.append(piece)
        return found

    def ask(self, question: str, k: int = 3, context: str | None = None) -> FaqResult:
        """Answer, offer alternatives, or abstain for one question; ``context``: the whole message the
        question was taken from (an e-mail body), when there is more to it than the question."""
        context = context or question
        segments = self.segments(question)
        if len(segments) == 1:
            return self._ask_one(question, question, k, context)
        # Among the answered views, the one the decision is surest of wins: the question proper
        # ("est-ce gratuit ?") or, when a fragment of it misleads ("quel est le montant de
        # l'inscription" after a sentence on another label), the sentence around it. Cross-validated
        # against keeping the shortest answered view: 95 more right answers, 95 fewer wrong ones.
        # Views are tried shortest first and one answered at least ``SURE_ENOUGH`` ends the search:
        # that gives back 10 of those answers and keeps the slowest messages under 2 ms.
        # Without an answered view, the best score.
        order = {ANSWER: 2, SUGGEST: 1, ABSTAIN: 0}
        decided = []
        for segment in sorted(segments, key=lambda text: len(words(text))):
            result = self._decide(segment, question, k, context)
            if result.zone == ANSWER and result.best is not None and result.best.score >= SURE_ENOUGH:
                return self._with_alternatives(result, segment, k)
            decided.append((segment, result))
        segment, result = max(decided, key=lambda pair: (order[pair[1].zone],
                                                         pair[1].best.score if pair[1].best else 0.0))
        return self._with_alternatives(result, segment, k)

    def entry_coverage(self, question: str, entry_index: int) -> float | None:
        """Share of the question's topic weight (intents aside) matched by one entry; None when the
        question holds no topic word at all."""
        terms = tuple(self._query_terms(question))
        if terms not in self._coverage_cache:
            self._compute_scores(terms, False)  # fills it
        cov = self._coverage_cache[terms]
        return None if cov is None else float(cov[entry_index])

    def decision_features(self, text: str, context: str | None = None) -> tuple[int, np.ndarray]:
        """(index of the best entry, the features the answer decision reads), for ``text``, a question
        or one sentence of the message ``context``.

        Ranking and deciding are two questions: the best entry is the one that shares the most
        weight with the question, but whether it *answers* the question depends on how much of the
        question it accounts for, how clearly it beats the others, whether the question speaks
        of the label at all, and whether it looks more like a question known to be outside the FAQ
        (``hors-champ.txt``) than like the entry's own phrasings. ``FEATURES`` names each column;
        the weights are fitted on the tuning sets by ``bench/fit_decision.py``.
        """
        raw = self.combined(text)
        index = int(np.argmax(raw)) if raw.size else 0
        second = float(np.partition(raw, raw.size - 2)[raw.size - 2]) if raw.size > 1 else 0.0
        chars = self.char_similarity(text)
        coverage, foreign = self.guard(text)
        terms = self._query_terms(text)
        asked = detect_intents(text) & self._intent_names
        own = self.entry_coverage(text, index) if raw.size else None
        matched = strongest = 0.0
        for skey, gkey, weight, factor in terms:
            if factor <= 0.0:
                continue
            credit = 0.0
            for key, scale in ((skey, 1.0), (gkey, self.params.synonym_credit)):
                post = self._postings.get(key) if key else None
                if post is not None:
                    hit = np.flatnonzero(post.entries == index)
                    if hit.size:
                        credit = max(credit, scale * float(post.credits[hit[0]]))
            matched += weight * factor * credit
            if not skey.startswith("s:i:"):
                strongest = max(strongest, weight * factor * credit)
        n_unknown = sum(1 for t in terms if t[3] <= 0.0)
        names_label = any(t[1] == self._label_group for t in terms) or bool(_LABEL_NAME_RE.search(fold(text)))
        before = antecedent(text, context) if context and context != text else ""
        if not names_label and before:
            # "… qui organise ce label et depuis quand il existe ?": "il" is the label its antecedent names.
            names_label = (all(w in _KIND_WORDS for w in _topic_words(text).split())
                           and bool(_LABEL_NAME_RE.search(fold(before))))
        best_chars = float(chars[index]) if raw.size else 0.0
        # Read after everything about ``text`` itself: it scores other words, which replace the
        # matcher's last-question caches.
        leaning, antecedent_score, antecedent_off_topic = self._antecedent_features(text, before)
        # "Il y a des frais de dossier comme pour Qualiopi ?": the label only compared with is no
        # likeness to the questions about it.
        plain = without_comparisons(text) if compared_words(text) else text
        off_topic = self.off_topic_similarity(plain)
        if context and context != text:  # a sentence of an e-mail also looks like what its e-mail looks like
            off_topic = max(off_topic, self.off_topic_similarity(context))
        off_topic_words = self.off_topic_word_overlap(plain)
        features = np.array([
            float(raw[index]) if raw.size else 0.0,
            float(raw[index]) - second if raw.size else 0.0,
            coverage,
            1.0 if own is None else own,
            float(own is None),
            float(bool(asked) and not asked & self._entry_intents[index]) if raw.size else 0.0,
            float(bool(asked & self._entry_intents[index])) if raw.size else 0.0,
            math.log1p(matched),
            math.log1p(n_unknown),
            float(names_label),
            float(foreign),
            best_chars,
            float(chars[index] - np.partition(chars, chars.size - 2)[chars.size - 2]) if chars.size > 1 else 0.0,
            strongest,
            off_topic,
            off_topic - best_chars,
            leaning,
            antecedent_score,
            antecedent_off_topic,
            off_topic_words,
            self.entry_word_overlap(text, index) if raw.size else 0.0,
            leaning * float(not mentions_label(context)) if before else 0.0,
        ], dtype=np.float64)
        return index, features

    def _antecedent_features(self, text: str, before: str) -> tuple[float, float, float]:
        """(how much ``text`` leans on what its message said just before it, from 1 for a question with
        no topic word of its own down; that times how well the best entry matches those words; that
        times how much more they look like a known off-topic question than like the FAQ's phrasings),
        zeros when nothing comes before it (``before``: ``antecedent`` of ``text`` in its message).
        Cross-validated against an explicit back-reference test (pronouns, demonstratives, "Et ... ?"),
        which did no better than the baseline.

        "Nous voulons former nos agents à LibreOffice. Combien coûte-t-elle ? Qui la délivre ?": each
        of the two questions alone looks like one the FAQ answers (the cost, who awards the label);
        only the sentence they point back to says they are about something else."""
        if not before:
            return 0.0, 0.0, 0.0
        # The fewer topic words of its own, the more a question leans on what comes before it.
        weight = 1.0 / (1.0 + sum(1 for w in _topic_words(text).split() if w not in _KIND_WORDS))
        scores = self.combined(before)
        best = float(scores.max()) if scores.size else 0.0
        chars = self.char_similarity(before)
        margin = self.off_topic_similarity(before) - (float(chars.max()) if chars.size else 0.0)
        return weight, weight * best, weight * margin

    def model_decides(self, text: str, context: str | None = None) -> bool:
        """Whether the answer decision is left to the model. A weak match, a question mostly made of
        words the FAQ never uses ("combien coûte un iPhone") or on a foreign topic is never answered,
        whatever the model says. ``bench/fit_decision.py`` trains on exactly these questions."""
        ranked = self.rank(text, 1)
        if not ranked or ranked[0].score < self.params.answer_threshold:
            return False
        coverage, foreign = self.guard(text)
        return coverage >= self.params.min_coverage and not foreign and not self.context_foreign(text, context)

    def context_foreign(self, text: str, context: str | None) -> bool:
        """A sentence of a longer message whose message is about another label: "Nous visons le label
        Villes Internet. Comment se déroule la candidature à ce label ?", "Notre ville est labellisée
        Terre de Jeux. Qui a attribué ça ?" ask about that one."""
        if not context or context == text:
            return False
        if bool(other_labels(context)) or (self._names_other_label(context) and not names_own_label(context)):
            return True
        # "L'ancien maire a gardé le mot de passe de la boîte mail. Comment le récupérer ?": a question
        # with at most one topic word of its own asks about the foreign topic just before it, unless
        # the label is named there or in the question.
        before = antecedent(text, context)
        return (bool(before) and sum(w not in _KIND_WORDS for w in _topic_words(text).split()) <= 1
                and not mentions_label(text) and not mentions_label(before) and bool(foreign_topics(before)))

    def _ask_one(self, text: str, question: str, k: int, context: str) -> FaqResult:
        return self._with_alternatives(self._decide(text, question, k, context), text, k)

    def _decide(self, text: str, question: str, k: int, context: str) -> FaqResult:
        """The zone and best entry for one view of a question, alternatives not yet ranked (only the
        winning view of a message needs them)."""
        p = self.params
        ranked = self.rank(text, k + 1)
        if not ranked or ranked[0].score < p.suggest_threshold:
            return FaqResult(question, ABSTAIN, None, [], REASON_LOW)
        best = ranked[0]
        coverage, foreign = self.guard(text)
        foreign = foreign or self.context_foreign(text, context)
        if coverage == 0.0:
            return FaqResult(question, ABSTAIN, None, [], REASON_NOTHING)
        if foreign:  # a subject the label does not deal with: staff answer, no FAQ entry is offered
            return FaqResult(question, ABSTAIN, None, [], REASON_FOREIGN)
        if self.model_decides(text, context):
            _index, features = self.decision_features(text, context)
            probability = self.model.probability(features)
            if probability >= self.model.answer_threshold:
                return FaqResult(question, ANSWER, FaqMatch(best.entry, probability))
        return FaqResult(question, SUGGEST, best, [], self._hold_back(text, coverage, foreign) or REASON_LOW)

    def _with_alternatives(self, result: FaqResult, text: str, k: int) -> FaqResult:
        """``result`` with the entries to offer beside its best one, ranked on ``text``."""
        if result.best is None:
            return result
        p = self.params
        best_id = result.best.entry.id
        others = [m for m in self.rank(text, k + 1)[1:] if m.score >= p.alternative_min][:k]
        terms = self._query_terms(text)
        if any(_is_intent(t) for t in terms) and not all(_is_intent(t) for t in terms):
            # Alternatives are entries on the same topic that answer another kind of question ("Combien
            # coûte la participation ?" -> joining an association, the procedure): ranked on the topic
            # words alone, the question words would leave none.
            others = [m for m in self.rank(text, k + 1, topic_only=True)
                      if m.entry.id != best_id and m.score >= p.alternative_min][:k]
        return replace(result, alternatives=others)

    def _hold_back(self, text: str, coverage: float, foreign: bool) -> str:
        """Why the best entry, though it scores high enough, must not be sent as the answer ("" if
        nothing stands in the way)."""
        p = self.params
        if coverage == 0.0:
            return REASON_NOTHING
        if foreign:
            return REASON_FOREIGN
        if coverage < p.min_coverage:
            return REASON_COVERAGE
        raw = self.combined(text)
        index = int(np.argmax(raw))
        asked = detect_intents(text) & self._intent_names
        if asked and p.intent_mismatch_suggest and not asked & self._entry_intents[index]:
            return REASON_INTENT
        own = self.entry_coverage(text, index)
        if own is None:  # question words only: one entry must stand out
            second = float(np.partition(raw, raw.size - 2)[raw.size - 2]) if raw.size > 1 else 0.0
            if float(raw[index]) - second < p.intent_only_margin:
                return REASON_AMBIGUOUS
        elif own < p.min_entry_coverage:
            return REASON_ENTRY
        return ""


FEATURES = (
    "score", "margin", "coverage", "entry_coverage", "intent_only", "intent_mismatch", "intent_match",
    "log_matched_weight", "log_unknown_words", "names_label", "foreign", "char_similarity",
    "char_margin", "strongest_word", "off_topic_similarity", "off_topic_margin",
    "leans_on_antecedent", "antecedent_score", "antecedent_off_topic", "off_topic_word_overlap",
    "entry_word_overlap", "silent_message",
)
_OFF_TOPIC_NEIGHBOURS = 10  # nearest off-topic questions (letter n-grams) whose words are compared
# A name right after "label" or "labellisée", its capitalised words, quoted or not ("label Qualiopi",
# "label « Commune Donneur »", "labellisée Terre de Jeux").
_OTHER_LABEL_NAME_RE = re.compile(
    r"\b(?:[Ll]abels?|LABELS?|labellis[ée]e?s?|labelis[ée]e?s?)\s+(?:[«\"“]\s*)?"
    r"([A-ZÀ-ÖØ-Þ][\w'’-]*(?:\s+(?:(?:de|des|du|d['’]|et)\s*)?[A-ZÀ-ÖØ-Þ][\w'’-]*)*)")
_LABEL_NAME_RE = re.compile(r"\b(?:label|labels|labellis\w*|labelis\w*|tnl)\b")
# The words of this label's own name ("label Territoire Numérique Libre", "label TNL").
_OWN_NAME_WORDS = frozenset({"territoire", "territoires", "numerique", "numeriques", "libre", "libres", "tnl",
                             "adullact"})
# "Combien de communes l'ont eu ?": asked of the label's assistant, what they have is the label.
_HAVE_IT_RE = re.compile(
    r"\bl(?:'| )(?:ont|a|avez|avons)(?: (?:deja|aussi|tous|toutes))? (?:eu|obtenu|recu|decroche|gagne)\b")


_RECENT = 64  # texts whose terms, scores and similarities a matcher keeps


def _remember(cache: dict[Any, _T], key: Any, value: _T) -> _T:
    """Store ``value`` in one of the matcher's caches of recent texts, emptied when full (the texts
    of one message are read together: a bigger or smarter cache buys nothing)."""
    if len(cache) >= _RECENT:
        cache.clear()
    cache[key] = value
    return value


def _is_intent(term: tuple[str, str, float, float]) -> bool:
    return term[0].startswith("s:i:")


class ReloadingFaqMatcher:
    """A matcher that rebuilds itself when staff edit the corpus files (checked at most every
    ``check_interval`` seconds, a handful of ``stat`` calls)."""

    def __init__(
        self, corpus: FaqCorpus, check_interval: float = 2.0, params: MatcherParams | None = None
    ) -> None:
        self._time = time.monotonic
        self._interval = check_interval
        self._params = params
        self.matcher = FaqMatcher(corpus, params)
        self._checked = self._time()
        self._failed_signature: tuple[tuple[str, int, int], ...] | None = None
        self.last_error: FaqCorpusError | None = None

    @property
    def corpus(self) -> FaqCorpus:
        return self.matcher.corpus

    def refresh(self, force: bool = False) -> bool:
        """Reload if a file changed; True when the index was rebuilt.

        A broken edit must not stop the answers: the last good corpus stays in use and the
        problem is kept in ``last_error`` (and logged) until staff fix the file.
        """
        now = self._time()
        if not force and now - self._checked < self._interval:
            return False
        self._checked = now
        current = self.matcher.corpus
        if not current.is_stale() or current.signature == self._failed_signature:
            return False
        try:
            fresh = load_corpus(current.directory)
        except FaqCorpusError as exc:
            self._failed_signature = directory_signature(current.directory)
            self.last_error = exc
            log.error("%s", exc)
            return False
        self.last_error = None
        self._failed_signature = None
        self.matcher = FaqMatcher(fresh, self._params)
        return True

    def ask(self, question: str, k: int = 3, context: str | None = None) -> FaqResult:
        self.refresh()
        return self.matcher.ask(question, k, context)


# ---------------------------------------------------------------------- e-mail bodies
_SIGNATURE_START = re.compile(
    r"^(?:--\s*$|__+\s*$|(?:bien |tres |tres bien |tres sinceres? |sinceres? |meilleures? |bonne )?"
    r"(?:cordialement|salutations|amicalement|bien a (?:vous|toi)|a bientot|sinceres salutations|"
    r"respectueusement|bonne (?:journee|soiree)|en vous remerciant|"
    r"dans l.attente de (?:votre|vos|cette) (?:reponse|retour|information)s?|"
    r"veuillez (?:agreer|recevoir)|je vous prie d.agreer|nous vous prions d.agreer|recevez, madame|"
    r"(?:avec|recevez|agreez) (?:mes|nos|l.expression de (?:mes|nos)) (?:\w+ )?(?:salutations|remerciements)|"
    r"envoye de mon)\b)"
)
_GREETING = re.compile(
    r"^(?:(?:bonjour|bonsoir|salut|hello|coucou)(?:\s+(?:madame|monsieur|mesdames|messieurs|a tous|a toutes))*"
    r"|(?:madame|monsieur|mesdames|messieurs|cher|chere|chers|cheres|a l.attention)\b[^,:;!?.]{0,40}(?=[,:;!.]|$)"
    r"|objet\s*:[^?.!]*(?=[.!]\s|[.!]?$))\s*(?:[,:;!.]+\s*|\s+|$)"
)
# "Merci de bien vouloir nous indiquer …", "Je vous remercie par avance de me dire …" are requests, not thanks.
_THANKS = re.compile(
    r"^(?:(?:un )?(?:grand )?merci|je vous remercie|nous vous remercions|remerciements)"
    r"(?!\s+(?:(?:par |d.)avance |a l.avance )?d.\s*(?:bien vouloir|me|m|nous|indiquer|preciser|confirmer|"
    r"communiquer|transmettre|faire|dire|expliquer|detailler|repondre)\b)"
    r"\b[^?]*?(?:[.!]+\s*|$)"
)
_QUESTION_START = re.compile(
    r"^(?:qui|que|quoi|quel|quelle|quels|quelles|quand|comment|combien|pourquoi|ou|est[- ]ce|"
    r"qu.est|peut[- ]on|doit[- ]on|faut[- ]il|y a[- ]t[- ]il|pouvez|pourriez|pourrions|"
    r"existe|sommes|avons|puis|peux|je voudrais savoir|j.aimerais savoir|nous voudrions savoir|"
    r"nous aimerions savoir|je souhaite savoir|je souhaiterais savoir|savez|c koi|c quoi|cb|pk)\b"
)
_LEADING_LINK = re.compile(r"^(?:et|mais|puis|sinon|aussi|alors|enfin|ensuite|autre question|par ailleurs)\b[\s,:]*")
# A request written as a statement: "Je vous saurais gré de bien vouloir m'indiquer quelle plus-value
# le label offrirait.", "Merci de nous préciser l'adresse d'envoi."
_REQUEST = re.compile(
    r"\b(?:m'|me |nous )(?:indiquer|preciser|expliquer|confirmer|communiquer|eclairer|renseigner|dire|"
    r"faire savoir|faire connaitre|transmettre|detailler|decrire|donner|exposer)\b"
    r"|\b(?:souhaiterai[st]?|souhaiteraient|voudrai[st]?|voudraient|aimerai[st]?|aimeraient|souhaitons|"
    r"souhaiterions|voudrions|aimerions|cherche|desirerai[st]?)\s+(?:savoir|connaitre|comprendre)\b"
    r"|\b(?:m'appartient|nous appartient|il me faut|il nous faut|je dois|nous devons|importe|precieux|utile|"
    r"necessaire|indispensable|important|"
    r"souhaiterai[st]?|souhaiterions|souhaiteraient|voudrai[st]?|voudrions)\s+(?:de\s+|d')?"
    r"(?:verifier|savoir|connaitre|determiner|m'assurer|nous assurer|comprendre|clarifier|disposer|obtenir)\b"
    r"|\b(?:je ne sais pas|nous ne savons pas|on ne sait pas|je n'arrive pas a|nous n'arrivons pas a|"
    r"je n'ai pas reussi a|j'ignore|nous ignorons)\b"
    r"|\b(?:je me demande|nous nous demandons|se demandent?|je m'interroge|nous nous interrogeons|s'interrogent?)\b"
    r"|\b(?:vous solliciter|sollicit\w* (?:votre|vos)|(?:afin|en vue) de (?:connaitre|savoir|comprendre)|"
    r"(?:aurais|aurions|avons|ai) besoin (?:de|d')|etre eclaires?|ignorent? (?:si|comment|quel|ou|qui|combien))\b"
    r"|\b(?:obtenir|disposer d'|avoir) (?:des|quelques|une|la|les) (?:precisions?|confirmation|explications?|"
    r"eclairages?|informations?|renseignements?|details?)\b"
)
# A question word left in place at the end, as people speak: "et le label ça nous apporte quoi",
# "le kit de comm il est où".
_IN_SITU = re.compile(r"\b(?:quoi|ou|qui|quand|combien|comment)\W*$")
_INTERROGATIVE = re.compile(r"\b(?:quel|quelle|quels|quelles|combien|comment|pourquoi|quand|cb|kel|koi|kan|pk)\b")
_SENTENCE_SPLIT = re.compile(r"(?<=[?!.])\s+|\n+")
# "... je voudrais simplement savoir : est-ce gratuit ?": the question proper follows the colon; "je
# dois savoir si la candidature entraîne des frais": it is the clause after "savoir".
_TAIL_RE = re.compile(
    r"\s:\s|(?<=\w):\s|\b(?:savoir|comprendre|demander|pr[ée]ciser|confirmer|indiquer|expliquer|v[ée]rifier|"
    r"conna[iî]tre|d[ée]terminer)\s+"
    r"(?=(?:jusqu['’]\s?[àa] |à partir de |depuis |à |de |en |pour |par |dans |sur |avec )?(?:si\b|s['’]|comment\b|"
    r"quel|combien\b|qui\b|quoi\b|où\b|quand\b|pourquoi\b|ce qu))", re.IGNORECASE)
# What a formal request asks for, without the formula and the purpose around it: "dans le cadre de la
# préparation budgétaire, il nous serait utile de connaître le montant à prévoir pour candidater, afin
# d'inscrire une ligne de crédit" asks for "le montant à prévoir pour candidater".
_OBJECT_RE = re.compile(
    r"\b(?:conna[iî]tre|savoir|obtenir|recevoir|disposer d['’]|m['’]indiquer|nous indiquer|me pr[ée]ciser|"
    r"nous pr[ée]ciser|m['’]expliquer|nous expliquer|me d[ée]tailler|nous d[ée]tailler|me communiquer|"
    r"nous communiquer|me transmettre|nous transmettre|me confirmer|nous confirmer|"
    r"(?:pr[ée]cisions?|informations?|renseignements?|[ée]clairages?|explications?) (?:sur|concernant|quant [àa])|"
    r"quant [àa]|s['’]agissant d['’]?e?|concernant)\s+"
    r"(?=(?:le|la|les|l['’]|des|du|un|une|vos|votre|ces|ce|cette|nos|notre)\b)", re.IGNORECASE)
_PURPOSE_RE = re.compile(
    r"\s*,?\s*\b(?:afin (?:de|d['’]|que|qu['’])|pour que|dans le but|en vue d|car|puisque|parce qu|"
    r"de mani[èe]re [àa]|de fa[çc]on [àa])\b.*$", re.IGNORECASE | re.DOTALL)
_BARE_QUESTION_WORDS = frozenset({"comment", "quand", "combien", "pourquoi", "qui", "ou", "quoi"})
# A question that only asks to confirm what the sentence before claims: "Un élu affirme que la
# candidature est facturée. C'est vrai ?", "Qui a raison ?", "J'ai le droit ?".
_CONFIRM_WORDS = frozenset({"vrai", "faux", "exact", "inexact", "raison", "tort", "correct", "juste", "droit",
                            "possible", "intox"})
# A request that only points back to what the sentence before says it needs: "Nous voudrions citer le
# nombre de collectivités labellisées. Pourriez-vous nous transmettre cette information ?"
_POINTER_WORDS = frozenset({
    "pouvez", "pourriez", "pourrais", "peux", "pouvons", "transmettre", "communiquer", "indiquer", "preciser",
    "donner", "envoyer", "fournir", "faire", "parvenir", "eclairer", "renseigner", "confirmer", "aider",
    "information", "informations", "info", "infos", "chiffre", "chiffres", "donnee", "donnees", "precision",
    "precisions", "renseignement", "renseignements", "element", "elements", "reponse", "eclairage", "sujet",
    "point", "propos", "svp", "merci", "bien", "vouloir", "possible", "avance", "saurais", "saurions", "gre",
    "sollicite", "sollicitons", "solliciter", "remercie", "remercions", "reconnaissant", "reconnaissante",
})
# A second question coordinated inside one sentence: "Qui gère le label et depuis quand ?",
# "Est-ce gratuit, et où envoyer le dossier ?". Split before "et"/a comma followed by a question word
# (matched on the folded text, so "ou" stands for "où" after "et").
_INVERSION = r"[a-z]+-(?:t-)?(?:il|elle|ils|elles|on|nous|vous|je)"  # "a-t-on", "peut-il", "pourriez-vous"
_QWORD = (
    r"(?:qui|que|quoi|quel|quelle|quels|quelles|quand|comment|combien|pourquoi|ou|est[- ]ce|c est|c|"
    r"peut[- ]on|peuvent[- ]ils|faut[- ]il|doit[- ]on|y a[- ]t[- ]il|depuis (?:quand|combien)|"
    r"(?:a|de|sur|dans|par|pour|avec|en) (?:qui|quoi|quel|quelle|quels|quelles)|cb|kel|ki|koi|"
    rf"kan|kand|qd|pk|pq|pkoi|pourkoi|cmt|koment|komen|cbien|kelle|kels|keske|qu.est[- ]ce|{_INVERSION})"
)
_COORDINATED = re.compile(rf"\s*(?:,\s*(?:et\s+|puis\s+)?|\s+et\s+)(?={_QWORD}\b)")
# "…de la communauté de communes, qui s'interroge sur…": in a sentence that asks nothing, a comma
# before "qui"/"que" opens a relative clause, not a second question.
_RELATIVE_CUT = re.compile(r"\s*,\s*(?:qui|que)\b")
# A second object of the same request: "…, ainsi que l'adresse", "et, d'autre part, l'adresse", "puis de
# nous indiquer si …".
_CONTINUED = re.compile(r"\s*,?\s*(?:et\s*,?\s*)?d.autre part\s*,?\s*|\s*,?\s+ainsi que\s+|\s*,\s*puis\s+(?=de |d.)")
_QWORD_RE = re.compile(rf"\b{_QWORD}\b")
_INVERSION_RE = re.compile(rf"\b{_INVERSION}\b")
# A question points back to the last dozen words before it (its sentence, or the one before), not to
# the greeting and self-introduction three lines up (cross-validated: 5, 8, 12, 15 words, all of it).
_ANTECEDENT_WORDS = 12
# Words that say which kind of answer is wanted, not what about: "Et avant quelle date ?", "Quels
# formats sont acceptés ?" still point back to the sentence before.
_KIND_WORDS = frozenset({
    "date", "dates", "delai", "delais", "annee", "annees", "jour", "jours", "mois", "moment", "avant", "apres",
    "prix", "cout", "coute", "coutent", "couter", "tarif", "tarifs", "montant", "frais", "adresse", "contact",
    "nombre", "chiffre", "chiffres", "format", "formats", "condition", "conditions", "piece", "pieces",
    "duree", "temps", "possible", "droit", "faut", "accepte", "acceptes", "acceptees", "exactement", "aussi",
    "faire", "obtenir", "delivre", "delivrer", "prend", "existe", "ensuite", "combien", "lieu", "modalites",
})
# Words that, beside question words, still leave a question bare ("et depuis quand ?", "et comment
# s'y prendre ?").
_BARE_FILLERS = frozenset({"depuis", "prendre", "faire", "ca", "cela", "proceder", "alors"})


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return (fold(ch) or " ")[0]


def _fold_same_length(text: str) -> str:
    """``fold`` one character at a time, so regex positions still index the original text."""
    return "".join(map(_fold_char, text))


def _is_question(sentence: str) -> bool:
    """Ends with "?", opens with a question word (after "et", "mais"...), or holds an interrogative
    that is never anything else ("et le formulaire on l'envoie à quelle adresse")."""
    folded = _LEADING_LINK.sub("", fold(sentence).strip())
    return folded.endswith("?") or bool(
        _QUESTION_START.match(folded) or _INTERROGATIVE.search(folded) or _REQUEST.search(folded)
        or _IN_SITU.search(folded))


def _strip_courtesy(line: str) -> str:
    """Remove leading greetings and thanks from one line."""
    while line:
        folded = _fold_same_length(line)
        m = _GREETING.match(folded) or _THANKS.match(folded)
        if not m or m.end() == 0:
            break
        line = line[m.end():].strip()
    return line


def split_questions(text: str) -> list[str]:
    """The questions of an e-mail body, in order.

    Greetings, thanks, quoted replies and everything from the signature on are dropped;
    lines wrapped by the mail client are joined again. Sentences that are not questions
    are kept only when nothing in the body looks like one, or as context for a bare
    question that follows them ("Nous voulons participer. Comment faire ?").
    """
    sentences = message_sentences(text)
    questions: list[str] = []
    context: str | None = None
    for sentence, asked in _with_coordinated(sentences):
        if asked or _is_question(sentence):
            points_back = set(words(sentence)) <= _BARE_QUESTION_WORDS | _CONFIRM_WORDS | _POINTER_WORDS
            if points_back and context:
                sentence = f"{context} {sentence}"
            elif points_back and questions and not asked:
                # "Notre élu souhaite savoir si … Pourriez-vous nous éclairer ?" is one request.
                questions[-1] = f"{questions[-1]} {sentence}"
                continue
            questions.append(sentence)
            context = None
        else:
            context = sentence
    if not questions and sentences:
        return [" ".join(sentences)]
    return questions


@lru_cache(maxsize=256)
def antecedent(question: str, message: str) -> str:
    """The last words ``message`` says before ``question`` (one of its questions): what a "qui le
    délivre ?" points back to, greetings and signature left out. Empty when it opens the message, is
    announced as the question ("je voudrais savoir : …") or is not in it."""
    head = fold(question).strip()[:40]
    folded = fold(message)
    if head in folded and _INTRODUCED.search(folded.split(head)[0]):
        return ""
    asked = tuple(words(question))
    said = _message_words(message)
    n = len(asked)
    if not n:
        return ""
    for start in range(len(said) - n + 1):
        if said[start:start + n] == asked:
            return " ".join(said[max(0, start - _ANTECEDENT_WORDS):start])
    return ""


# "... je voudrais simplement savoir : est-ce gratuit ?": the sender announces the question of the
# message, which then leans on nothing before it.
_INTRODUCED = re.compile(r"(?:savoir|question|demander|suivante|ceci)\s*:\s*$")


@lru_cache(maxsize=64)
def _message_words(message: str) -> tuple[str, ...]:
    """The content words of ``message``, its self-introductions left out ("Nous sommes une commune de
    2 000 habitants." says who asks, not what the next question is about)."""
    return tuple(w for sentence in message_sentences(message)
                 if sentence.rstrip().endswith("?") or not _INTRODUCTION.match(fold(sentence))
                 for w in words(sentence))


_INTRODUCTION = re.compile(
    r"(?:nous sommes|je suis|on est|(?:notre|ma) (?:petite |grande )?(?:commune|ville|village|collectivite|"
    r"communaute|intercommunalite|interco|metropole|agglomeration|departement|region|mairie|epci)\b"
    r"[^.?!]{0,60}\b(?:compte|est|fait|regroupe|rassemble|de \d))"
)


def message_sentences(text: str) -> list[str]:
    """The sentences the sender wrote, in order: greetings, thanks, quoted replies and everything from
    the signature on dropped, lines wrapped by the mail client joined again."""
    kept: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        if raw.rstrip("\r") == "-- ":
            break
        line = raw.strip()
        if line.startswith(">"):
            continue
        folded = fold(line)
        if _SIGNATURE_START.match(folded) or re.match(r"^le .{0,80}a ecrit\s*:?$", folded):
            break
        kept.append(_strip_courtesy(line))
    # Re-join wrapped lines: a line continues the previous one unless that one ended a sentence.
    text = ""
    for line in kept:
        if not line:
            text += "\n"
        elif not text or text.endswith("\n") or text.rstrip()[-1:] in "?!.:;":
            text += ("" if not text or text.endswith("\n") else "\n") + line
        else:
            text += " " + line
    sentences: list[str] = []
    for chunk in _SENTENCE_SPLIT.split(text):
        sentence = _strip_courtesy(chunk.strip(" \t-–—•*"))
        if sentences and _SIGNATURE_START.match(fold(sentence)):
            break  # a closing formula inside a line: "… ? Veuillez agréer, … Jeanne Roux, DGS"
        if sentence and words(sentence):
            sentences.append(sentence)
    return sentences


def _with_coordinated(sentences: list[str]) -> list[tuple[str, bool]]:
    """Each sentence, or its coordinated questions (each then known to be a question)."""
    out: list[tuple[str, bool]] = []
    for sentence in sentences:
        parts = _split_coordinated(sentence)
        out.extend((part, len(parts) > 1) for part in parts)
    return out


def _split_coordinated(sentence: str) -> list[str]:
    """Split one sentence holding several questions; a bare second question ("et depuis quand ?")
    takes the topic of the first ("le label") as context. Parts that are not questions themselves
    ("Pour une commune de 300 habitants, combien ça coûte ?") stay glued to the next part."""
    folded = _fold_same_length(sentence)
    asks = folded.rstrip().endswith("?")
    cuts = sorted((m for regex in (_COORDINATED, _CONTINUED) for m in regex.finditer(folded)
                   if m.start() > 0 and (asks or not _RELATIVE_CUT.match(folded, m.start()))),
                  key=lambda m: m.start())
    if not cuts:
        return [sentence]
    pieces, start, continued = [], 0, [False]
    for m in cuts:
        if m.start() < start:
            continue
        pieces.append(sentence[start:m.start()])
        continued.append(m.re is _CONTINUED)
        start = m.end()
    pieces.append(sentence[start:])
    parts: list[str] = []
    pending = ""
    for piece, goes_on in zip(pieces, continued, strict=True):
        piece = (pending + ", " + piece) if pending else piece
        folded_piece = _fold_same_length(piece)
        # "Je souhaiterais connaître, d'une part, si c'est payant et, d'autre part, l'adresse d'envoi":
        # the second object is asked by the request of the first.
        if (goes_on and parts and not pending) or _QWORD_RE.search(folded_piece) \
                or _INVERSION_RE.search(folded_piece) or _is_question(piece):
            parts.append(piece.strip())
            pending = ""
        else:
            pending = piece
    if pending:
        if parts:
            parts[-1] = parts[-1] + ", " + pending
        else:
            return [sentence]
    # ", c'est exact ?", ", vous pouvez m'éclairer ?": asks to confirm or answer the part before it.
    for i in range(len(parts) - 1, 0, -1):
        if set(words(parts[i])) <= _CONFIRM_WORDS | _POINTER_WORDS:
            parts[i - 1] = f"{parts[i - 1]}, {parts.pop(i)}"
    if len(parts) < 2:
        return [sentence]
    result = [parts[0]]
    for previous, part in itertools.pairwise(parts):
        if _is_bare(part):
            topic = _topic_words(previous)
            part = f"{part} ({topic})" if topic else part
        result.append(part)
    return result


def _request_object(sentence: str) -> list[str]:
    """The object of the last request formula of ``sentence``, its purpose clause dropped ([] if none)."""
    pieces = _OBJECT_RE.split(sentence)
    if len(pieces) < 2:
        return []
    found = _PURPOSE_RE.sub("", pieces[-1]).strip(" ,;:.")
    return [found] if found else []


def _is_bare(part: str) -> bool:
    """Only question words ("et depuis quand ?", "et comment ?"): nothing says what it is about."""
    return all(word in INTENT_MARKERS or word in _BARE_FILLERS for word, _stem in analyze(part))


def _topic_words(question: str) -> str:
    """The words of a question that say what it is about (question words left out)."""
    return " ".join(word for word, _stem in analyze(question)
                    if word not in INTENT_MARKERS and word not in _BARE_FILLERS)
