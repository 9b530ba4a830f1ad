"""The answer decision (fitted model, hard rules, reasons), n-gram similarity and coordinated questions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.faq.chargrams import CharIndex
from assistant.faq.corpus import load_corpus
from assistant.faq.matcher import (
    ABSTAIN,
    ANSWER,
    FEATURES,
    MODEL_PATH,
    REASON_FOREIGN,
    SURE_ENOUGH,
    DecisionModel,
    FaqMatcher,
    split_questions,
)
from assistant.faq.normalize import words


@pytest.fixture(scope="module")
def matcher() -> FaqMatcher:
    return FaqMatcher(load_corpus())


def test_shipped_model_matches_the_features() -> None:
    model = DecisionModel.load(MODEL_PATH)
    assert len(model.coef) == len(FEATURES)
    assert 0.3 <= model.answer_threshold < 1.0


def test_model_fitted_for_other_features_is_refused_with_a_hint(tmp_path: Path) -> None:
    stale = tmp_path / "model.json"
    stale.write_text(json.dumps({"features": ["score"], "coef": [1.0], "bias": 0.0, "answer_threshold": 0.5}))
    with pytest.raises(ValueError, match=r"fit_decision\.py"):
        DecisionModel.load(stale)


def test_probability_is_monotonic_in_a_positive_feature() -> None:
    model = DecisionModel(coef=(2.0, 0.0), bias=-1.0, answer_threshold=0.5)
    low = model.probability(np.array([0.0, 5.0]))
    high = model.probability(np.array([1.0, 5.0]))
    assert 0.0 < low < high < 1.0


def test_answer_carries_the_calibrated_probability(matcher: FaqMatcher) -> None:
    result = matcher.ask("Est-ce que la participation au label est payante ?")
    assert result.zone == ANSWER and result.best is not None
    assert result.best.entry.id == "cout"
    assert result.best.score >= matcher.model.answer_threshold
    assert result.reason == ""


@pytest.mark.parametrize("question", ["merci bcp", "Comment renouveler ma carte d'identité ?"])
def test_courtesy_small_talk_and_foreign_topics_get_no_answer(matcher: FaqMatcher, question: str) -> None:
    result = matcher.ask(question)
    assert result.answer is None, (question, result)


def test_foreign_topic_abstains_with_its_reason(matcher: FaqMatcher) -> None:
    result = matcher.ask("Quel est le tarif de la cantine scolaire ?")
    assert (result.zone, result.reason) == (ABSTAIN, REASON_FOREIGN)
    assert result.alternatives == []


def test_char_index_meets_derived_words() -> None:
    index = CharIndex(["Comment s'inscrire au label ?", "Quel temps fait-il ?"], [0, 1], 2)
    sims = index.similarity("inscription")
    assert sims[0] > 0.2 and sims[1] == 0.0
    assert index.similarity("").tolist() == [0.0, 0.0]


def test_char_index_entry_without_rows_scores_zero() -> None:
    index = CharIndex(["label libre"], [1], 3)
    assert index.similarity("libre").tolist()[0] == 0.0
    assert index.similarity("libre").tolist()[1] > 0.5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Qui gère le label et depuis quand ?", ["Qui gère le label", "depuis quand ? (gere label)"]),
        ("Depuis quand existe le label et combien de collectivités l'ont obtenu ?",
         ["Depuis quand existe le label", "combien de collectivités l'ont obtenu ?"]),
        ("combien de labellisés, et c gratuit ?", ["combien de labellisés", "c gratuit ?"]),
        ("Pour une commune de 300 habitants, combien ça coûte ?",
         ["Pour une commune de 300 habitants, combien ça coûte ?"]),
    ],
)
def test_coordinated_questions_are_split(text: str, expected: list[str]) -> None:
    assert split_questions(text) == expected


def test_each_coordinated_question_is_answered(matcher: FaqMatcher) -> None:
    first, second = split_questions("Bonjour, la candidature est-elle gratuite et où envoyer le questionnaire ?")
    assert matcher.ask(first).answer.id == "cout"
    assert matcher.ask(second).answer.id == "envoi-questionnaire"


def test_entry_word_overlap(matcher: FaqMatcher) -> None:
    """How much of the question one phrasing of the entry says, word for word."""
    index = next(i for i, e in enumerate(matcher.entries) if e.id == "cout")
    assert matcher.entry_word_overlap(matcher.entries[index].question, index) == pytest.approx(1.0)
    assert (matcher.entry_word_overlap("Combien coûte la candidature au label ?", index)
            > 2 * matcher.entry_word_overlap("Quelle est la météo à Brest ?", index))


def test_follow_up_in_a_message_silent_about_the_label(matcher: FaqMatcher) -> None:
    """A short question after a story that never speaks of a label points back to that story."""
    silent = FEATURES.index("silent_message")
    story = ("La mutuelle des agents change au 1er juillet et plusieurs collègues voudraient garder "
             "l'ancienne. Qui gère ça ?")
    _index, features = matcher.decision_features("Qui gère ça ?", story)
    assert features[silent] > 0.0
    about_label = ("Nous venons de découvrir le label Territoire Numérique Libre en conseil municipal. "
                   "Qui gère ça ?")
    _index, features = matcher.decision_features("Qui gère ça ?", about_label)
    assert features[silent] == 0.0
    # Alone, the question has no message around it to be silent.
    _index, features = matcher.decision_features("Qui gère ça ?")
    assert features[silent] == 0.0


def test_the_surest_answered_view_of_a_message_wins(matcher: FaqMatcher) -> None:
    """Of a message's views (whole, question, request object…), tried shortest first, the first one
    the decision is sure enough of wins, else the surest one, not merely the shortest answered."""
    body = ("Madame, Monsieur, dans le cadre de la préparation budgétaire, il nous serait utile de connaître le "
            "montant à prévoir pour candidater au label, afin d'inscrire une ligne de crédit. Cordialement.")
    views = sorted(matcher.segments(body), key=lambda text: len(words(text)))
    answered = [(view, r.best.score) for view, r in ((v, matcher._ask_one(v, body, 3, body)) for v in views)
                if r.zone == ANSWER and r.best is not None]
    assert len(answered) >= 2
    result = matcher.ask(body)
    assert result.zone == ANSWER and result.answer is not None and result.answer.id == "cout"
    assert result.best is not None
    sure = [score for _view, score in answered if score >= SURE_ENOUGH]
    assert result.best.score == (sure[0] if sure else max(score for _view, score in answered))
