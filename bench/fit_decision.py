"""Fit the matcher's answer decision (a logistic model over ``FaqMatcher.decision_features``).

Trains on the tuning sets only (dev, the tuning half of ``faq_hard.tsv``, ``faq_tuning2.tsv`` to
``faq_tuning89.tsv``; never the held-out half, fresh or sealed sets), each question scored by a matcher
built without the phrasings and off-topic examples its own set added to the corpus (see ``training_rows``):
label 1 when the question is in scope and the best entry is acceptable, 0 otherwise (off-topic
question, or wrong best entry). Writes ``assistant/faq/decision_model.json``; the answer threshold
is chosen so that at most ``--max-false-answers`` of the off-topic tuning questions get an answer.

    python bench/fit_decision.py [--l2 1.0] [--max-false-answers 0.04]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import faq_quality as fq  # noqa: E402

from assistant.faq.corpus import FaqCorpus, load_corpus  # noqa: E402
from assistant.faq.matcher import (  # noqa: E402
    FEATURES,
    MODEL_PATH,
    SURE_ENOUGH,
    DecisionModel,
    FaqMatcher,
    split_questions,
)
from assistant.faq.normalize import fold, words  # noqa: E402

DATA = REPO / "bench" / "data"
TUNING_SETS = tuple(DATA / f"faq_tuning{n}.tsv" for n in range(2, 90))


def tuning_sets() -> list[tuple[str, list[fq.Case]]]:
    """Every set that may guide the matcher: dev, the tuning half of the hard set, the tuning sets."""
    sets = [("dev", fq.read_cases(fq.DEFAULT_EVAL_DIR / "faq_dev.tsv")),
            ("hard-tuning", [c for c in fq.read_cases(fq.HARD_SET) if not fq.is_held_out(c.question)])]
    sets += [(path.stem.removeprefix("faq_"), fq.read_cases(path)) for path in TUNING_SETS if path.exists()]
    return sets


def tuning_cases() -> list[fq.Case]:
    return [case for _name, cases in tuning_sets() for case in cases]


def _key(text: str) -> str:
    return " ".join(fold(text).split()).strip(" ?!.")


def without_phrasings(corpus: FaqCorpus, texts: set[str]) -> FaqCorpus:
    """``corpus`` minus the alternate phrasings and the off-topic examples equal to one of ``texts``
    (compared folded)."""
    entries = tuple(replace(e, phrasings=tuple(p for p in e.phrasings if _key(p) not in texts))
                    for e in corpus.entries)
    off_topic = tuple(q for q in corpus.off_topic if _key(q) not in texts)
    return replace(corpus, entries=entries, off_topic=off_topic)


@dataclass
class Rows:
    """One row per scored segment that the model decides, with what ties it to its question part."""

    x: np.ndarray  # features
    y: np.ndarray  # 1.0 when the best entry is acceptable for an in-scope question
    off: np.ndarray  # the question is off topic
    group: np.ndarray  # set number (cross-validation leaves one set out)
    part: np.ndarray  # question part number: an e-mail's segments compete, as in ``FaqMatcher.ask``
    length: np.ndarray  # words of the segment: ``ask`` tries the shortest first
    n_in: int  # in-scope question parts, scored or not (the denominator of the in-scope accuracy)
    n_off: int  # off-topic questions (the denominator of the false-answer rate)


def training_rows(corpus: FaqCorpus) -> Rows:
    """The decision rows of every question part of the tuning sets.

    Many tuning questions grew the corpus (``grow_corpus.py``: phrasings, and off-topic examples in
    ``hors-champ.txt``): scored against it as is, they would teach the model that a right answer is
    always a near-exact match. So each set is scored by a matcher built without the phrasings and
    off-topic examples that came from it: every row is a question the index has not seen, from a
    writer whose style the index has not seen either, as in real use.
    """
    regexes = fq.read_topics(fq.DEFAULT_EVAL_DIR / "faq_topics.tsv")
    neutral = DecisionModel((0.0,) * len(FEATURES), 0.0, 1.0)
    xs, ys, off, group, part_of, length = [], [], [], [], [], []
    n_in = n_off = n_parts = 0
    for set_number, (_name, cases) in enumerate(tuning_sets()):
        texts = {_key(t) for c in cases for t in (c.question, *split_questions(c.question))}
        matcher = FaqMatcher(without_phrasings(corpus, texts), model=neutral)
        for case in cases:
            parts = split_questions(case.question) if len(case.topics) > 1 else [case.question]
            if case.off_topic:
                n_off += 1
            else:
                n_in += len(case.topics)
            if len(parts) != len(case.topics):
                continue
            # Each question of a several-question line is decided with the line around it, as the
            # e-mail handler does (``answer_message``).
            message = case.question if len(parts) > 1 else None
            for topic, part in zip(case.topics, parts, strict=True):
                n_parts += 1
                for segment in matcher.segments(part):
                    if not matcher.model_decides(segment, message or part):
                        continue
                    index, features = matcher.decision_features(segment, message or part)
                    right = not case.off_topic and fq.acceptable(topic, matcher.entries[index], regexes)
                    xs.append(features)
                    ys.append(float(right))
                    off.append(case.off_topic)
                    group.append(set_number)
                    part_of.append(n_parts)
                    length.append(len(words(segment)))
    return Rows(np.array(xs), np.array(ys), np.array(off, dtype=bool), np.array(group), np.array(part_of),
                np.array(length), n_in, n_off)


def outcome(rows: Rows, p: np.ndarray, threshold: float) -> tuple[int, int, int]:
    """(in-scope parts answered right, in-scope parts answered wrong, off-topic questions answered) when
    segments with ``p >= threshold`` are answered and, per part, the answered one kept as in
    ``FaqMatcher.ask``: the shortest one at least ``SURE_ENOUGH``, else the surest."""
    right = wrong = off_answered = 0
    by_part: dict[int, list[int]] = {}
    for i in np.flatnonzero(p >= threshold):
        by_part.setdefault(int(rows.part[i]), []).append(int(i))
    for answered in by_part.values():
        answered.sort(key=lambda i: rows.length[i])  # stable: segments of equal length keep their order
        sure = [i for i in answered if p[i] >= SURE_ENOUGH]
        chosen = sure[0] if sure else max(answered, key=lambda i: p[i])
        if rows.off[chosen]:
            off_answered += 1
        elif rows.y[chosen]:
            right += 1
        else:
            wrong += 1
    return right, wrong, off_answered


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (standardised inside, returned raw)."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    reg = np.full(z.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-z @ w))
        grad = z.T @ (p - y) + reg * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    coef = w[:-1] / std
    return coef, float(w[-1] - (coef * mean).sum())


def choose_threshold(rows: Rows, p: np.ndarray, max_false: float) -> float:
    """The lowest threshold (not under 0.3) that keeps answers to off-topic questions under ``max_false``:
    an off-topic question is answered as soon as one of its segments is."""
    best_off: dict[int, float] = {}
    for i in np.flatnonzero(rows.off):
        best_off[int(rows.part[i])] = max(best_off.get(int(rows.part[i]), 0.0), float(p[i]))
    allowed = int(max_false * rows.n_off)
    ranked = sorted(best_off.values(), reverse=True)
    if len(ranked) <= allowed:
        return 0.3
    return max(0.3, float(np.nextafter(ranked[allowed], 1.0)))


def report(label: str, rows: Rows, p: np.ndarray, threshold: float) -> None:
    right, wrong, off_answered = outcome(rows, p, threshold)
    print(f"{label}: threshold {threshold:.3f}, in-scope questions answered right {right} of {rows.n_in} "
          f"({100.0 * right / max(rows.n_in, 1):.1f}%), wrong {wrong}; off-topic answered {off_answered} of "
          f"{rows.n_off} ({100.0 * off_answered / max(rows.n_off, 1):.1f}%)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--max-false-answers", type=float, default=0.04)
    args = parser.parse_args(argv)
    rows = training_rows(load_corpus())
    # Cross-validated estimate first, leaving one set out at a time: what the fitted decision does
    # on questions, and a writer, it was not fitted on.
    held = np.zeros(len(rows.y))
    for k in np.unique(rows.group):
        train, test = rows.group != k, rows.group == k
        coef_k, bias_k = fit_logistic(rows.x[train], rows.y[train], args.l2)
        held[test] = 1.0 / (1.0 + np.exp(-(rows.x[test] @ coef_k + bias_k)))
    report(f"leave-one-set-out cross-validation ({len(np.unique(rows.group))} sets)", rows, held,
           choose_threshold(rows, held, args.max_false_answers))
    coef, bias = fit_logistic(rows.x, rows.y, args.l2)
    p = 1.0 / (1.0 + np.exp(-(rows.x @ coef + bias)))
    threshold = choose_threshold(rows, p, args.max_false_answers)
    report(f"fitted on all {len(rows.y)} rows", rows, p, threshold)
    for name, c in zip(FEATURES, coef, strict=True):
        print(f"  {name:<20} {c:+.3f}")
    MODEL_PATH.write_text(json.dumps({
        "features": list(FEATURES), "coef": [round(float(c), 6) for c in coef], "bias": round(bias, 6),
        "answer_threshold": round(threshold, 4),
        "trained_on": "dev + faq_hard tuning half + faq_tuning2-89, each set scored without its own phrasings "
                      "and off-topic examples",
        "rows": len(rows.y),
    }, indent=2) + "\n", encoding="utf-8")
    print(f"written {MODEL_PATH.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
