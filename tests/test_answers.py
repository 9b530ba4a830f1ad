"""Answers tied to their questions in realistic candidature bodies, and the completeness verdict."""

from __future__ import annotations

import pytest

from assistant.documents.model import Block, DocumentContent
from assistant.questionnaire.answers import (
    content_from_html,
    content_from_text,
    extract_answers,
    is_filler,
    strip_quoted,
)
from assistant.questionnaire.completeness import by_volet, check, is_negative, match_choice, validate_answer
from assistant.questionnaire.model import load_questionnaire

Q = load_questionnaire("2024")
ALL_MANDATORY = Q.mandatory_ids()


def answers_of(body: str) -> dict[str, str]:
    return {k: v for k, v in extract_answers(Q, [content_from_text(body)]).texts().items() if v}


def verdict_of(*contents: DocumentContent):
    return check(Q, extract_answers(Q, list(contents)))


COMPLETE_NUMBERED = """Bonjour,

Veuillez trouver ci-dessous la candidature de notre commune au label.

0.1 Nom de la collectivité : Commune de Saint-Martin-de-Londres
0.2 Type de structure : Mairie
0.3 : 34
0.4 Nombre d'habitants : 2 800
0.5 Élu référent : nom, prénom et fonction : Jean Dupont, adjoint au numérique
0.6) jean.dupont@saint-martin.fr
0.7 Marie Martin, directrice des systèmes d'information
0.8. marie.martin@saint-martin.fr
0.9 04 67 65 05 88
1.1 Réduire notre dépendance aux éditeurs.
Le budget prévu est de
1.2 million d'euros sur 3 ans.
1.2 Le maire et le DGS.
1.3 Les habitudes des agents ; LibreOffice 7.6 a aidé.
1.4 Migration de la messagerie, puis de la bureautique.
1.5 Oui, délibération du 3.10.2023
1.6 La moitié de nos logiciels, via l'OPSN.
2.1 ODT, ODS, PDF/A
2.2 Taux de conformité 65 %, https://saint-martin.fr/accessibilite
2.3 Réemploi des postes, durée de vie portée à 7 ans
3.1 LibreOffice, Firefox, Thunderbird
3.2 OpenCimetière, QGIS
3.3 Debian, Zabbix
3.4 environ 40
4.1 Formations internes
4.2 Réunions publiques
4.3 Signalement d'anomalies sur QGIS, version 2.3 testée
5.1 https://data.saint-martin.fr
5.2 12
5.3 Licence Ouverte Etalab 2.0
5.5 DPO mutualisé avec le centre de gestion

Cordialement,
Marie Martin
Mairie de Saint-Martin
"""


def test_numbered_body_complete_and_embedded_numbers_stay_in_answers() -> None:
    got = answers_of(COMPLETE_NUMBERED)
    assert set(got) == set(ALL_MANDATORY) | {"0.9"}
    assert (
        got["1.1"] == "Réduire notre dépendance aux éditeurs.\nLe budget prévu est de\n1.2 million d'euros sur 3 ans."
    )
    assert got["1.2"] == "Le maire et le DGS."
    assert got["1.3"] == "Les habitudes des agents ; LibreOffice 7.6 a aidé."
    assert got["1.5"] == "Oui, délibération du 3.10.2023"
    assert got["0.9"] == "04 67 65 05 88"
    assert got["0.5"] == "Jean Dupont, adjoint au numérique"
    assert got["4.3"] == "Signalement d'anomalies sur QGIS, version 2.3 testée"
    assert got["5.5"] == "DPO mutualisé avec le centre de gestion"  # the signature is not part of it
    verdict = verdict_of(content_from_text(COMPLETE_NUMBERED))
    assert verdict.complete and verdict.missing == [] and verdict.invalid == {}
    assert verdict.sources["1.1"] == "corps du message, ligne 14"


@pytest.mark.parametrize(
    "line",
    [
        "1.2 : Le maire",
        "1.2. Le maire",
        "1.2) Le maire",
        "Q1.2 Le maire",
        "Question 1.2 : Le maire",
        "Q 1.2 - Le maire",
        "**1.2** Le maire",
        "1.2 Qui soutient cette stratégie en interne ? Le maire",
        "1.2 – Qui soutient la stratégie en interne : Le maire",
        "  1.2 Le maire",
    ],
)
def test_number_forms(line: str) -> None:
    assert answers_of(f"1.1 Souveraineté\n{line}\n1.3 Aucun") == {
        "1.1": "Souveraineté",
        "1.2": "Le maire",
        "1.3": "Aucun",
    }


def test_numbers_inside_answers_never_anchor() -> None:
    body = """2.3 Nous gardons les postes 7 ans.
1.2 million d'euros ont été économisés.
3.10.2023 : délibération sur le réemploi.
04 67 65 05 88 pour nous joindre.
5.2 Go de données supprimées
2.4 L'interopérabilité passe par le RGI
version 2.3 de l'outil
1.1 : Enjeux de souveraineté
"""
    got = answers_of(body)
    assert got["2.3"] == (
        "Nous gardons les postes 7 ans.\n1.2 million d'euros ont été économisés.\n"
        "3.10.2023 : délibération sur le réemploi.\n04 67 65 05 88 pour nous joindre.\n5.2 Go de données supprimées"
    )
    assert got["2.4"] == "L'interopérabilité passe par le RGI\nversion 2.3 de l'outil"
    assert got["1.1"] == "Enjeux de souveraineté"  # an explicit separator may go back in the list


def test_sub_numbering_inside_an_answer_is_kept() -> None:
    got = answers_of("1.4 Notre plan :\n1.1 migrer la messagerie\n1.2 former les agents\n1.5 Oui")
    assert got["1.4"] == "Notre plan :\n1.1 migrer la messagerie\n1.2 former les agents"
    assert got["1.5"] == "Oui"
    assert "1.1" not in got and "1.2" not in got


def test_ids_that_do_not_exist_are_ignored() -> None:
    got = answers_of("0.1 Ville de Sète\n0.11 autre chose\n6.1 : hors liste\n9.9 rien")
    assert got == {"0.1": "Ville de Sète\n0.11 autre chose\n6.1 : hors liste\n9.9 rien"}


NO_NUMBERS = """Bonjour,
voici notre candidature.

Nom de la collectivite : Ville de Lodève
Type de structure: Communauté de communes
Numéro du département : 34
Nombre d'habitant : 7 500
Elu referent, nom prénom fonction : Paul Durand, maire
Adresse électronique de l'élu référent : p.durand@lodeve.fr
Quels enjeux vise la stratégie ? Souveraineté et maîtrise des coûts.
Qui soutient la stratégie en interne ?
Le maire et la direction générale.
Nous utilisons des formats ouverts pour nos documents : c'est notre règle.
Freins et difficultés rencontrés : résistance au changement
Les grandes lignes du plan d'action :
Migration progressive
Combien de postes sous un système d'exploitation libre ? 25
Sous quelle licence publiez-vous vos données ? Etalab 2.0
Protection des données personnelles (RGPD) : DPO mutualisé
"""


def test_question_text_without_numbers_reworded_abridged_and_typoed() -> None:
    got = answers_of(NO_NUMBERS)
    assert got == {
        "0.1": "Ville de Lodève",
        "0.2": "Communauté de communes",
        "0.3": "34",
        "0.4": "7 500",
        "0.5": "Paul Durand, maire",
        "0.6": "p.durand@lodeve.fr",
        "1.1": "Souveraineté et maîtrise des coûts.",
        # an answer line echoing the words of another question is not taken for that question
        "1.2": "Le maire et la direction générale.\nNous utilisons des formats ouverts pour nos documents : "
        "c'est notre règle.",
        "1.3": "résistance au changement",
        "1.4": "Migration progressive",
        "3.4": "25",
        "5.3": "Etalab 2.0",
        "5.5": "DPO mutualisé",
    }
    verdict = verdict_of(content_from_text(NO_NUMBERS))
    assert "2.1" in verdict.missing and "0.7" in verdict.missing
    assert verdict.invalid == {}


def test_ambiguous_text_prefers_the_next_question() -> None:
    body = (
        "0.5 Jean Dupont, maire\nAdresse électronique : jean@ville.fr\n"
        "Référent technique : nom, prénom et fonction : Marie Martin\nAdresse électronique : marie@ville.fr\n"
    )
    got = answers_of(body)
    assert got["0.6"] == "jean@ville.fr"
    assert got["0.7"] == "Marie Martin"
    assert got["0.8"] == "marie@ville.fr"


INLINE_REPLY = """Bonjour,
voici les compléments demandés.

Le lun. 4 nov. 2024 à 10:12, Label Territoire Numérique Libre <label@territoire-numerique-libre.org>
a\u00a0écrit\u00a0:
> Bonjour,
> Il manque les réponses suivantes :
>
> 0.6 Élu·e référent·e : adresse électronique
paul.durand@lodeve.fr
> 3.4 Combien de postes de travail fonctionnent sous un système d'exploitation libre ?
> (nombre)
45 postes
> 5.2 Combien de jeux de données avez-vous publiés ?
> 5.3 Sous quelle licence vos données sont-elles publiées ? Ancienne réponse citée
Licence ouverte Etalab
> Qui soutient cette stratégie en interne ?
Le conseil municipal unanime
>
> Cordialement,
> L'équipe du label
"""


def test_inline_reply_to_quoted_questions() -> None:
    got = answers_of(INLINE_REPLY)
    assert got == {
        "0.6": "paul.durand@lodeve.fr",
        "3.4": "45 postes",
        "5.3": "Licence ouverte Etalab",
        "1.2": "Le conseil municipal unanime",
    }
    kept = strip_quoted(INLINE_REPLY)
    assert "0.6 Élu·e référent·e : adresse électronique\npaul.durand@lodeve.fr" in kept
    assert "Il manque" not in kept and "L'équipe du label" not in kept and "a écrit" not in kept


def test_quoted_previous_candidature_is_ignored() -> None:
    body = """Bonjour, voici la réponse manquante :
3.4 : 30

Le 04/11/2024 à 09:00, Marie Martin a écrit :
> 0.1 Ville de Sète
> 3.4 à compléter
> 5.2 12
"""
    assert answers_of(body) == {"3.4": "30"}


@pytest.mark.parametrize(
    "separator",
    [
        "-------- Message d'origine --------",
        "----- Mail original -----",
        "-----Original Message-----",
        "________________________________\nDe : Marie Martin <marie@ville.fr>\nEnvoyé : lundi 4 novembre 2024 10:12\n"
        "À : label@territoire-numerique-libre.org\nObjet : Candidature",
        "Le 4 nov. 2024 à 10:12, Label TNL <label@territoire-numerique-libre.org> a écrit\u00a0:",
        "-- \nMarie Martin\nDSI, 1.2 Rue du Port",
    ],
)
def test_original_messages_and_signatures_are_cut(separator: str) -> None:
    body = f"1.1 Souveraineté\n1.2 Le maire\n\n{separator}\n1.3 ancienne réponse\n5.2 99\n"
    assert answers_of(body) == {"1.1": "Souveraineté", "1.2": "Le maire"}


def test_strip_quoted_plain_cases() -> None:
    text = "Merci !\n\nLe mar. 5 nov. 2024 à 08:00, X <x@y.fr> a écrit :\n> texte\n> 1.1 vieille réponse\n"
    assert strip_quoted(text) == "Merci !"
    assert strip_quoted("Réponse\n-------- Message d'origine --------\nDe : a\n") == "Réponse"
    assert strip_quoted("Le maire a écrit : une lettre\nsuite") == "Le maire a écrit : une lettre\nsuite"


def test_later_answers_override_only_when_non_empty() -> None:
    body = "1.1 Première version\n1.2 Le maire\n1.1 : Version corrigée\n1.2 :\n1.2 à compléter\n"
    assert answers_of(body) == {"1.1": "Version corrigée", "1.2": "Le maire"}
    attachment = DocumentContent("form.docx", "docx", [Block("1.3 Les freins", place="page 1"), Block("1.1")])
    extraction = extract_answers(Q, [content_from_text("1.1 voir pièce jointe\n1.3 -"), attachment])
    assert extraction.text("1.3") == "Les freins" and extraction.answers["1.3"].where() == "form.docx, page 1"
    assert extraction.text("1.1") == "voir pièce jointe"


def test_fillers_are_missing_and_negative_answers_count() -> None:
    body = COMPLETE_NUMBERED
    for qid, value in [
        ("1.3", "à compléter"),
        ("2.1", "TODO"),
        ("3.2", "xxx"),
        ("4.1", "?"),
        ("4.2", "-"),
        ("4.3", "A completer"),
        ("2.3", "…"),
    ]:
        body = body.replace(f"\n{qid} ", f"\n{qid} {value}\nIGNORE ", 1)
    body = body.replace("IGNORE ", "> ")
    verdict = verdict_of(content_from_text(body))
    assert verdict.missing == ["1.3", "2.1", "2.3", "3.2", "4.1", "4.2", "4.3"]
    assert not verdict.complete


def test_negative_answers_satisfy_any_type() -> None:
    body = COMPLETE_NUMBERED
    for qid, neg in [
        ("5.1", "Pas encore"),
        ("5.2", "0"),
        ("3.4", "Aucun"),
        ("1.5", "Non"),
        ("4.3", "Néant"),
        ("0.6", "N/A"),
    ]:
        lines = body.split("\n")
        body = "\n".join(f"{qid} {neg}" if ln.startswith(f"{qid}") else ln for ln in lines)
    verdict = verdict_of(content_from_text(body))
    assert verdict.complete, (verdict.missing, verdict.invalid)
    assert verdict.answers["5.1"] == "Pas encore"


def test_invalid_typed_answers_are_reported() -> None:
    body = (
        COMPLETE_NUMBERED.replace("0.6) jean.dupont@saint-martin.fr", "0.6) jean.dupont@saint-martin")
        .replace("3.4 environ 40", "3.4 la plupart")
        .replace("5.1 https://data.saint-martin.fr", "5.1 sur notre site internet")
        .replace("1.5 Oui, délibération du 3.10.2023", "1.5 Délibération du 3.10.2023")
        .replace("0.2 Type de structure : Mairie", "0.2 Type de structure : Association")
    )
    body += "\n0.10 https//saint-martin"
    verdict = verdict_of(content_from_text(body))
    assert set(verdict.invalid) == {"0.2", "0.6", "0.10", "1.5", "3.4", "5.1"}
    assert "jean.dupont@saint-martin" in verdict.invalid["0.6"]
    assert "nombre" in verdict.invalid["3.4"] and "adresse web" in verdict.invalid["5.1"]
    assert verdict.missing == [] and not verdict.complete


def test_optional_invalid_answer_does_not_block() -> None:
    verdict = verdict_of(content_from_text(COMPLETE_NUMBERED + "\n0.10 notre site\n"))
    assert verdict.complete and "0.10" in verdict.invalid


@pytest.mark.parametrize(
    ("qid", "text", "ok"),
    [
        ("0.4", "12 000", True),
        ("0.4", "12\u00a0000", True),
        ("0.4", "12\u202f000 habitants", True),
        ("0.4", "environ 300", True),
        ("0.4", "1 200 postes", True),
        ("0.4", "une centaine", True),
        ("0.4", "beaucoup", False),
        ("0.6", "Jean <jean.dupont@ville.fr>", True),
        ("0.6", "jean dupont", False),
        ("0.6", "jean.dupont [at] ville.fr", False),
        ("5.1", "www.exemple.fr", True),
        ("5.1", "https://www.data.gouv.fr/fr/organizations/ville-de-sete/", True),
        ("5.1", "Notre page : data.gouv.fr/fr/organizations/sete", True),
        ("5.1", "https//ville.fr", False),
        ("1.5", "oui", True),
        ("1.5", "Non, pas encore", True),
        ("1.5", "Partiellement", True),
        ("1.5", "Délibération du 12 mars", False),
        ("0.2", "Communauté de communes", True),
        ("0.2", "Mairie", True),
        ("0.2", "Communaute d'agglomeration", True),
        ("0.2", "Comune", True),
        ("0.2", "EPCI", True),
        ("0.2", "Conseil départemental", True),
        ("0.2", "Autre : PETR", True),
        ("0.2", "Association", False),
        ("3.1", "LibreOffice", True),
    ],
)
def test_validate_answer(qid: str, text: str, ok: bool) -> None:
    assert (validate_answer(Q.question(qid), text) is None) is ok


def test_choice_names() -> None:
    choices = Q.question("0.2").choices
    assert match_choice("Communauté de communes du Pic Saint-Loup", choices) == "EPCI"
    assert match_choice("Mairie", choices) == "commune"
    assert match_choice("Région Occitanie", choices) == "région"
    assert match_choice("OPSN", choices) == "opérateur public de services numériques"


def test_filler_and_negative_helpers() -> None:
    assert all(is_filler(x) for x in ["à compléter", "A COMPLETER", "TODO", "xxx", "?", "-", "…", "", " ", "???"])
    assert not any(is_filler(x) for x in ["Non", "0", "Aucun", "N/A", "Néant", "Pas encore"])
    assert all(is_negative(x) for x in ["Non", "Pas encore", "Aucun", "0", "Néant", "N/A", "n/a", "Aucune"])
    assert not is_negative("Oui") and not is_negative("120")


def test_table_rows_with_and_without_numbers() -> None:
    content = DocumentContent(
        "dossier.odt",
        "odt",
        [
            Block("N° | Question | Réponse", cells=("N°", "Question", "Réponse"), place="tableau 1"),
            Block("0.1 | Nom | Sète", cells=("0.1", "Nom de la collectivité", "Ville de Sète"), place="tableau 1"),
            Block("x", cells=("0.4 Nombre d'habitants", "44 000"), place="tableau 1"),
            Block("x", cells=("Adresse électronique de l'élu référent", "elu@sete.fr"), place="tableau 1"),
            Block("x", cells=("3.4", "120"), place="tableau 2"),
            Block(
                "x",
                cells=("1.5", "La stratégie a-t-elle fait l'objet d'une délibération ?", "Oui\nen 2023"),
                place="tableau 2",
            ),
            Block("x", cells=("Volet 1", "1.2", "Qui soutient ?", "Le maire"), place="tableau 2"),
            Block("x", cells=("Total", "LibreOffice 7.6", "3.10.2023"), place="tableau 3"),
        ],
    )
    extraction = extract_answers(Q, [content])
    assert extraction.texts() == {
        "0.1": "Ville de Sète",
        "0.4": "44 000",
        "0.6": "elu@sete.fr",
        "3.4": "120",
        "1.5": "Oui\nen 2023",
        "1.2": "Le maire",
    }
    assert extraction.answers["3.4"].where() == "dossier.odt, tableau 2"


def test_html_only_body_with_table_and_quote() -> None:
    markup = """<html><head><style>p {color: red}</style></head><body><p>Bonjour,</p>
<table border=1><tr><th>N°</th><th>Question</th><th>Réponse</th></tr>
<tr><td>0.1</td><td>Nom de la collectivité</td><td>Ville de Sète</td></tr>
<tr><td>Nombre d'habitants</td><td>44&nbsp;000</td></tr>
<tr><td>0.6</td><td>Élu référent : adresse</td><td>elu@sete</td></tr></table>
<p>1.1 Souveraineté<br>et coûts</p><p><b>1.2</b> Le maire</p>
<p>Cordialement</p><div>Le 4 nov. 2024 à 10:12, X &lt;x@y.fr&gt; a écrit :</div>
<blockquote><p>1.3 ancienne réponse</p><p>5.2 99</p></blockquote></body></html>"""
    verdict = verdict_of(content_from_html(markup))
    assert verdict.answers == {
        "0.1": "Ville de Sète",
        "0.4": "44 000",
        "0.6": "elu@sete",
        "1.1": "Souveraineté\net coûts",
        "1.2": "Le maire",
    }
    assert "0.6" in verdict.invalid


def test_html_inline_reply_in_blockquotes() -> None:
    markup = """<div>Voici&nbsp;:</div><blockquote><div>3.4 Combien de postes de travail fonctionnent sous
un système d'exploitation libre ?</div></blockquote><div>45</div>
<blockquote><div>5.2 Combien de jeux de données avez-vous publiés ?</div><div>ancien</div></blockquote>
<div>8</div>"""
    assert extract_answers(Q, [content_from_html(markup)]).texts() == {"3.4": "45", "5.2": "8"}


def test_pdf_form_fields_by_name_and_tooltip() -> None:
    content = DocumentContent(
        "formulaire.pdf",
        "pdf",
        [Block("0.1 Nom de la collectivité [obligatoire] (texte)", place="page 1")],
        fields={
            "q0_1": "Ville de Sète",
            "1.2": "Le maire",
            "Combien de postes de travail fonctionnent sous un système d'exploitation libre ?": "30",
            "q1_5_oui": "Non",
            "q1_5_non": "Oui",
            "Text7": "sans rapport",
            "q5_2": "",
        },
    )
    extraction = extract_answers(Q, [content])
    assert extraction.texts() == {"0.1": "Ville de Sète", "1.2": "Le maire", "3.4": "30", "1.5": "Non", "5.2": ""}
    assert extraction.answers["0.1"].where() == "formulaire.pdf, champ de formulaire"


def test_by_volet_grouping() -> None:
    verdict = verdict_of(content_from_text("0.1 Sète\n0.6 pas-une-adresse\n0.9 04 67 65 05 88\n"))
    reports = by_volet(Q, verdict)
    assert [r.volet.id for r in reports] == ["0", "1", "2", "3", "4", "5"]
    first = {i.question.id: i.status for i in reports[0].items}
    assert first["0.1"] == "répondu" and first["0.6"] == "invalide" and first["0.2"] == "manquant"
    assert first["0.10"] == "sans réponse"
    assert [i.question.id for i in reports[5].missing] == ["5.1", "5.2", "5.3", "5.5"]


def test_short_label_of_question_words_before_colon_is_not_part_of_the_answer() -> None:
    got = answers_of(
        "1.5 Délibération : Oui\n2.2 RGAA : à compléter\n3.1 LibreOffice : bureautique\n5.3 Licence : Licence Ouverte"
    )
    assert got["1.5"] == "Oui"
    assert got["2.2"] == "à compléter"
    assert got["3.1"] == "LibreOffice : bureautique"  # not the question's words: kept
    assert got["5.3"] == "Licence Ouverte"
