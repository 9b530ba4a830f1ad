"""Question lists: loading and validation, the importer, and the exported forms read back without loss."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assistant.documents.readers import read_document
from assistant.questionnaire.answers import extract_answers
from assistant.questionnaire.export import FORMATS, fill_form, render_form
from assistant.questionnaire.importer import import_document, parse_content, parse_question_list
from assistant.questionnaire.model import (
    QuestionnaireError,
    available_editions,
    load_questionnaire,
    load_questionnaire_file,
    questionnaire_to_toml,
)

REFERENCE = Path(__file__).resolve().parents[1] / "questionnaires" / "2024.toml"
REFERENCE_MD = Path("/work/shared/reference/questionnaire-2024.md")


@pytest.fixture(scope="module")
def q2024():
    return load_questionnaire("2024")


def test_2024_edition_loads_with_dates(q2024) -> None:
    assert "2024" in available_editions()
    assert q2024.edition == "2024"
    assert [v.id for v in q2024.volets] == ["0", "1", "2", "3", "4", "5"]
    assert len(q2024.questions()) == 37
    assert q2024.closes == dt.date(2024, 11, 8)
    assert q2024.ceremony == dt.date(2024, 12, 4)
    assert q2024.opens == dt.date(2024, 6, 1)
    assert q2024.is_open(dt.date(2024, 11, 8)) and not q2024.is_open(dt.date(2024, 11, 9))


def test_2024_flags_and_types(q2024) -> None:
    optional = {q.id for q in q2024.questions() if not q.mandatory}
    assert optional == {"0.9", "0.10", "1.7", "2.4", "3.5", "3.6", "4.4", "4.5", "5.4"}
    types = {q.id: q.answer_type for q in q2024.questions()}
    assert types["0.2"] == "choix" and types["0.4"] == "nombre" and types["0.6"] == "courriel"
    assert types["0.10"] == "url" and types["1.5"] == "oui/non" and types["3.1"] == "liste"
    assert types["5.1"] == "url" and types["5.2"] == "nombre" and types["4.4"] == "oui/non"
    q02 = q2024.question("0.2")
    assert q02.text == "Type de structure"
    assert q02.choices[:2] == ("commune", "EPCI") and "opérateur public de services numériques" in q02.choices
    assert q2024.volet_of("2.3").title == "Bonnes pratiques numériques"
    assert "0.10" in q2024 and "0.11" not in q2024
    with pytest.raises(KeyError):
        q2024.question("9.9")


@pytest.mark.skipif(not REFERENCE_MD.exists(), reason="reference list not available")
def test_importer_on_reference_markdown_matches_committed_file(q2024) -> None:
    imported = import_document(REFERENCE_MD)
    assert imported.edition == "2024"
    assert imported.volets == q2024.volets
    assert len(imported.mandatory_ids()) == 28


def test_importer_defaults_and_headings() -> None:
    text = """Questionnaire édition 2026

Volet 1 : Stratégie
1.1 Quelle est votre stratégie ?
1.2) Qui la porte ? [facultatif]
Partie 2 - Données
Q2.1 Adresse du portail (url)
2.2 Combien de jeux de données
publiés cette année ? (nombre)
Date limite : 7 novembre 2026
"""
    q = parse_question_list(text)
    assert q.edition == "2026"
    assert [(v.id, v.title) for v in q.volets] == [("1", "Stratégie"), ("2", "Données")]
    first = q.question("1.1")
    assert first.mandatory and first.answer_type == "texte"
    assert not q.question("1.2").mandatory
    assert q.question("2.1").answer_type == "url"
    wrapped = q.question("2.2")
    assert wrapped.text == "Combien de jeux de données publiés cette année ?" and wrapped.answer_type == "nombre"
    assert q.closes == dt.date(2026, 11, 7)


def test_importer_errors_are_french() -> None:
    with pytest.raises(QuestionnaireError, match="aucune question numérotée"):
        parse_question_list("# Liste 2025\nrien ici\n")
    with pytest.raises(QuestionnaireError, match="deux fois"):
        parse_question_list("# Liste 2025\n1.1 A ?\n1.1 B ?\n")
    with pytest.raises(QuestionnaireError, match="--edition"):
        parse_question_list("# Liste\n1.1 A ?\n")


def test_toml_round_trip(tmp_path: Path, q2024) -> None:
    path = tmp_path / "2024.toml"
    path.write_text(questionnaire_to_toml(q2024, ["essai"]), encoding="utf-8")
    assert load_questionnaire_file(path) == q2024


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (('type = "nombre"', 'type = "entier"', 1), "type 'entier' inconnu"),
        (('id = "0.4"', 'id = "1.4"', 1), "ne commence pas par le numéro du volet"),
        (('id = "0.4"', 'id = "0.3"', 1), "en double"),
        (("mandatory = true", 'mandatory = "oui"', 1), "mandatory doit valoir true ou false"),
        (("closes = 2024-11-08", "closes = 2024-05-01", 1), "postérieure à closes"),
        (('title = "Identification de la candidature"', "", 1), "clé obligatoire manquante : title"),
        (('type = "choix"', 'type = "choix"\ncolour = "bleu"', 1), "clé inconnue colour"),
    ],
)
def test_validation_names_file_and_key(tmp_path: Path, patch, message) -> None:
    old, new, count = patch
    text = REFERENCE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "2024.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire_file(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_invalid_toml_and_unknown_edition(tmp_path: Path) -> None:
    bad = tmp_path / "x.toml"
    bad.write_text("edition = \n", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="TOML invalide"):
        load_questionnaire_file(bad)
    with pytest.raises(QuestionnaireError, match="pas de liste de questions pour l'édition 1999"):
        load_questionnaire("1999")


# ---------------------------------------------------------------------------
# Exported forms

TRICKY_ANSWERS = {
    "0.1": "Commune de Saint-Guilhem-le-Désert",
    "0.2": "Communauté de communes",
    "0.4": "1 200",
    "0.6": "elu@saint-guilhem.fr",
    "0.9": "04 67 65 05 88",
    "0.10": "www.saint-guilhem.fr",
    "1.1": "Réduire la dépendance : LibreOffice 7.6 partout.",
    "1.4": "Première étape : migration\n1.2 million d'euros sur trois ans\nDélibération du 3.10.2023",
    "1.5": "Non",
    "2.2": "Taux de conformité : 2.3 % ? Déclaration : https://saint-guilhem.fr/accessibilite",
    "3.4": "environ 300",
    "5.1": "Pas encore",
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_blank_form_has_instructions_and_no_answers(q2024, fmt: str) -> None:
    data = render_form(q2024, fmt)
    content = read_document(f"questionnaire.{fmt}", None, data)
    text = content.text()
    assert "label@territoire-numerique-libre.org" in text
    assert "« Non », « Pas encore »" in text and "[obligatoire]" in text
    assert "Gardez les numéros des questions" in text and "8 novembre 2024" in text
    extraction = extract_answers(q2024, [content])
    assert {k: v for k, v in extraction.texts().items() if v} == {}


@pytest.mark.parametrize("fmt", FORMATS)
def test_exported_form_imports_back_to_the_same_list(q2024, fmt: str) -> None:
    content = read_document(f"questionnaire.{fmt}", None, render_form(q2024, fmt))
    imported = parse_content(content)
    assert imported.edition == "2024" and imported.volets == q2024.volets and imported.closes == q2024.closes


@pytest.mark.parametrize("fmt", FORMATS)
def test_filled_form_round_trip_every_answer(q2024, fmt: str) -> None:
    answers = {q.id: f"Réponse {q.id} : texte libre, version 2.3" for q in q2024.questions()}
    answers.update(TRICKY_ANSWERS)
    filled = fill_form(q2024, fmt, render_form(q2024, fmt), answers)
    content = read_document(f"candidature.{fmt}", None, filled)
    extraction = extract_answers(q2024, [content])
    assert extraction.texts() == answers
    assert all(a.source == f"candidature.{fmt}" for a in extraction.answers.values())


@pytest.mark.parametrize("fmt", FORMATS)
def test_partially_filled_form_round_trip(q2024, fmt: str) -> None:
    answers = {"0.1": "Ville de Sète", "3.4": "0", "5.2": "12"}
    filled = fill_form(q2024, fmt, render_form(q2024, fmt), answers)
    extraction = extract_answers(q2024, [read_document(f"c.{fmt}", None, filled)])
    assert {k: v for k, v in extraction.texts().items() if v} == answers
