"""FAQ: normaliser, corpus validation, matcher quality on the dev set, e-mail splitting, CLI."""

from __future__ import annotations

import io
import json
import os
import re
import textwrap
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.faq.corpus import FaqCorpusError, load_corpus
from assistant.faq.handler import answer_message, shared_matcher
from assistant.faq.matcher import FaqMatcher, ReloadingFaqMatcher, split_questions
from assistant.faq.normalize import INTENTS, detect_intents, fold, foreign_topics, normalize, words

REPO = Path(__file__).resolve().parent.parent
EVAL_DIR = REPO.parent / "shared" / "eval"


def require_eval_dir() -> None:
    """The dev set lives beside the repository (../shared/eval); CI always has it, a bare clone may not."""
    if EVAL_DIR.is_dir():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{EVAL_DIR} is missing: the FAQ dev set must be checked in CI")
    pytest.skip(f"{EVAL_DIR} absent (dev set beside the repository)")


@pytest.fixture(scope="module")
def matcher() -> FaqMatcher:
    return FaqMatcher(load_corpus())


# ---------------------------------------------------------------- normaliser
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("l'inscription", "L’INSCRIPTION"),
        ("Qu’est-ce que le Libre ?", "qu'est ce que le libre"),
        ("jusqu’à quand ?", "jusqu'a quand"),
        ("Combien coûte la candidature ?", "combien coute la candidature"),
        ("c koi le libre", "c'est quoi le libre ?"),
        ("pk participer stp", "pourquoi participer ?"),
        ("cb ça coûte", "combien ca coute"),
        ("La mairie peut-elle postuler ?", "la commune peut elle candidater"),
        ("Les villages", "la ville"),
        ("signalétique", "panneaux"),
    ],
)
def test_normalize_equivalences(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("c gratos ?", "c'est gratuit ?"),
        ("deadline candidature", "date limite candidature"),
        ("le tarif", "le prix"),
        ("Notre DSI", "notre responsable"),
        ("un adjoint", "les élus"),
        ("l'agglo", "la commune"),
        ("la com com", "la communauté"),
        ("le service com", "le service communication"),
        ("les inscriptions", "la candidature"),
        ("faut-il une adhésion obligatoire", "adhésion requise"),
    ],
)
def test_normalize_new_synonyms_and_sms(a: str, b: str) -> None:
    assert normalize(a) == normalize(b)


def test_an_advisory_body_is_the_committee() -> None:
    assert "comit" in normalize("le label dispose-t-il d'un organe consultatif ?")


def test_normalize_drops_email_filler() -> None:
    assert normalize("je me permets de vous écrire car je souhaiterais savoir") == []
    assert normalize("Veuillez agréer nos salutations distinguées") == []
    assert normalize("les collectivités distinguées") == normalize("les collectivités labellisées")
    assert normalize("Pourquoi notre mairie devrait-elle participer ?") == normalize("pourquoi mairie participer")
    # Spoken fillers made of topic-looking words, and the "oui ou non" tag.
    assert normalize("C'est quoi au fond un logiciel libre ?") == normalize("C'est quoi un logiciel libre ?")
    assert normalize("En somme, la démarche est gratuite, oui ou non ?") == normalize("la démarche est gratuite")
    assert normalize("une somme importante") != normalize("importante")
    # "Qu'est-ce qui les distingue ?" asks a difference; "distinguées" are the labelled ones.
    assert normalize("Qu'est-ce qui les distingue ?") == normalize("la différence")
    assert normalize("les collectivités distinguées") != normalize("la différence")
    # "pour mon rapport" is a report, not what the label "rapporte".
    assert normalize("notre rapport") != normalize("ça rapporte")


@pytest.mark.parametrize(
    ("question", "foreign"),
    [
        ("Quel est le tarif de la cantine de la commune ?", True),
        ("Connaissez-vous un logiciel de paie gratuit ?", True),
        ("Comment obtenir le label Villes et Villages Fleuris ?", True),
        ("Quelle est la date limite des inscriptions sur les listes électorales ?", True),
        ("Comment demander une subvention à la région ?", True),
        ("Qui paie les panneaux ?", False),
        ("Combien coûte la candidature ?", False),
        ("Nous avons le label Villes Internet, pouvons-nous candidater à Territoire Numérique Libre ?", False),
        ("Où déposer un permis de construire ?", True),
        ("Comment obtenir un acte de naissance ?", True),
        ("Est-il permis de modifier et republier les textes de votre site ?", False),
        ("Quelle est l'année de naissance du label ?", False),
        # Another label named only to compare with.
        ("Il y a des frais de dossier comme pour Qualiopi ?", False),
        ("Contrairement au label Villes Internet, faut-il payer ?", False),
        ("Combien coûte le label Qualiopi ?", True),
        ("Comment devenir maison France Services ?", True),
        ("Le comité de pilotage, il est composé de qui ?", True),
        ("Qui compose le comité d'orientation ?", False),
    ],
)
def test_foreign_topics(question: str, foreign: bool) -> None:
    assert bool(foreign_topics(question)) is foreign


def test_normalize_drops_stop_words_and_elisions() -> None:
    assert normalize("Qu'est-ce que c'est ?") == []
    assert words("l'adhésion d'une commune") == ["adhesion", "commune"]
    assert fold("Œuvre Élue") == "oeuvre elue"


def test_normalize_keeps_question_words_that_matter() -> None:
    assert "combien" in normalize("Combien de collectivités ?")
    assert "quand" in normalize("Depuis quand ?")


def test_normalize_does_not_confuse_commune_and_communication() -> None:
    assert normalize("communication") != normalize("commune")
    assert normalize("formation") != normalize("formats")


# ---------------------------------------------------------------- corpus
def _write(folder: Path, name: str, body: str) -> None:
    (folder / name).write_text(textwrap.dedent(body), encoding="utf-8")


GOOD = """\
    id = "{id}"
    question = "Question {id} ?"
    answer = "Réponse {id}."
    phrasings = ["Autre question {id} ?"]
    keywords = ["mot"]
    source = "test"
"""


def test_real_corpus_loads_and_covers_the_faq() -> None:
    corpus = load_corpus()
    assert len(corpus) >= 20
    ids = {e.id for e in corpus.entries}
    assert {"libre", "apport", "qui-peut-participer", "deja-territoire-libre", "procedure", "communiquer"} <= ids
    assert "label@territoire-numerique-libre.org" in corpus.get("envoi-questionnaire").answer


def test_every_eval_topic_is_reachable() -> None:
    require_eval_dir()
    corpus = load_corpus()
    for line in (EVAL_DIR / "faq_topics.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        topic, regex = line.split("\t", 1)
        pattern = re.compile(fold(regex))
        assert any(pattern.search(fold(e.answer)) for e in corpus.entries), topic


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"a.toml": 'id = "a"\nquestion = "Q ?"\nanswer = "R"\nphrasings = ["x"\n'}, "a.toml : TOML mal formé"),
        ({"a.toml": 'id = "b"\nquestion = "Q ?"\nanswer = "R"\n'}, "doit être le nom du fichier"),
        ({"a.toml": 'id = "a"\nquestion = "Q ?"\nanswer = "   "\n'}, "a.toml : « answer » est vide"),
        ({"a.toml": 'id = "a"\nanswer = "R"\n'}, "a.toml : clé obligatoire « question » absente"),
        ({"a.toml": 'id = "a"\nquestion = "Q ?"\nanswer = "Voir [ceci](absent.md)."\n'}, "lien cassé"),
        ({"a.toml": 'id = "a"\nquestion = "Q ?"\nanswer = "R"\nphrasing = ["x"]\n'}, "clé inconnue « phrasing »"),
        ({"a.toml": 'id = "a"\nquestion = "Q ?"\nanswer = "R"\nkeywords = "x"\n'}, "liste de textes"),
        ({"a.toml": 'id = "a"\nquestion = "Q ?"\nanswer = "R"\nintents = ["prix"]\n'}, "intention inconnue « prix »"),
        ({"a.toml": 'id = "a"\nquestion = "Q ?"\nanswer = "R"\nintents = "cost"\n'}, "« intents » doit être une liste"),
    ],
)
def test_corpus_validation_errors(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    with pytest.raises(FaqCorpusError) as info:
        load_corpus(tmp_path)
    assert expected in str(info.value)


def test_corpus_duplicate_ids(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    _write(tmp_path, "a.toml", GOOD.format(id="a"))
    # Same id in two files: only possible when one of them is misnamed; both errors are reported.
    (tmp_path / "b.toml").write_text((tmp_path / "a.toml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(FaqCorpusError) as info:
        load_corpus(tmp_path)
    assert "b.toml" in str(info.value)


def test_corpus_links_and_empty_dir(tmp_path: Path) -> None:
    with pytest.raises(FaqCorpusError, match="aucune entrée"):
        load_corpus(tmp_path)
    (tmp_path / "guide.md").write_text("guide", encoding="utf-8")
    _write(tmp_path, "a.toml", GOOD.format(id="a").replace("Réponse a.", "Voir [le guide](guide.md), [site](https://x.org)."))
    assert load_corpus(tmp_path).get("a") is not None


def test_corpus_reloads_when_a_file_changes(tmp_path: Path) -> None:
    _write(tmp_path, "alpha.toml", GOOD.format(id="alpha"))
    corpus = load_corpus(tmp_path)
    assert not corpus.is_stale()
    assert corpus.reloaded() is corpus
    live = ReloadingFaqMatcher(corpus, check_interval=0.0)
    _write(tmp_path, "beta.toml", GOOD.format(id="beta"))
    assert corpus.is_stale()
    assert live.refresh()
    assert {e.id for e in live.corpus.entries} == {"alpha", "beta"}
    # A broken edit keeps the last good corpus in use and reports the problem.
    (tmp_path / "beta.toml").write_text("id = ", encoding="utf-8")
    assert not live.refresh(force=True)
    assert live.last_error is not None and "beta.toml" in str(live.last_error)
    assert {e.id for e in live.corpus.entries} == {"alpha", "beta"}
    _write(tmp_path, "beta.toml", GOOD.format(id="beta").replace("Réponse beta.", "Nouvelle réponse."))
    assert live.refresh(force=True) and live.last_error is None
    assert live.ask("Autre question beta ?").best.entry.answer == "Nouvelle réponse."


def test_off_topic_file_is_read_and_tracked(tmp_path: Path) -> None:
    _write(tmp_path, "alpha.toml", GOOD.format(id="alpha"))
    (tmp_path / "hors-champ.txt").write_text(
        "# commentaire\n\nQuel temps fera-t-il demain ?\n  Quel   temps fera-t-il demain ?\nOù garer ma voiture ?\n",
        encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.off_topic == ("Quel temps fera-t-il demain ?", "Où garer ma voiture ?")
    assert [e.id for e in corpus.entries] == ["alpha"]  # the examples are not an entry
    assert not corpus.is_stale()
    (tmp_path / "hors-champ.txt").write_text("Autre chose ?\n", encoding="utf-8")
    assert corpus.is_stale() and corpus.reloaded().off_topic == ("Autre chose ?",)
    (tmp_path / "hors-champ.txt").write_bytes(b"\xff\xfe caf\xe9 ?\n")
    with pytest.raises(FaqCorpusError, match=r"hors-champ\.txt : lecture impossible"):
        load_corpus(tmp_path)


def test_off_topic_examples_only_with_entries(tmp_path: Path) -> None:
    (tmp_path / "hors-champ.txt").write_text("Quel temps fera-t-il demain ?\n", encoding="utf-8")
    with pytest.raises(FaqCorpusError, match="aucune entrée"):
        load_corpus(tmp_path)


def test_add_off_topic_appends_once(tmp_path: Path) -> None:
    from assistant.faq.corpus_edit import CorpusEditError, add_off_topic

    assert add_off_topic(tmp_path, "Où garer\nma voiture ?")
    assert not add_off_topic(tmp_path, "OÙ GARER MA VOITURE ?")
    (tmp_path / "hors-champ.txt").write_text(
        (tmp_path / "hors-champ.txt").read_text(encoding="utf-8").rstrip("\n"), encoding="utf-8")
    assert add_off_topic(tmp_path, "Quel temps fera-t-il ?")
    expected = "Où garer ma voiture ?\nQuel temps fera-t-il ?\n"
    assert (tmp_path / "hors-champ.txt").read_text(encoding="utf-8") == expected
    for bad in ("  ", "# pas une question"):
        with pytest.raises(CorpusEditError):
            add_off_topic(tmp_path, bad)


def test_known_off_topic_questions_hold_back_a_lookalike() -> None:
    """One example of a question outside the FAQ ("how many inhabitants") is enough for the matcher to
    stop answering its lookalikes with the count of labelled territories, and nothing else changes."""
    from dataclasses import replace

    corpus = load_corpus()
    plain = FaqMatcher(replace(corpus, off_topic=()))
    taught = FaqMatcher(replace(corpus, off_topic=("Combien d'habitants compte la ville d'Albi ?",)))
    lookalike = "Combien d'habitants compte la métropole de Lyon ?"
    assert plain.ask(lookalike).zone == "answer"
    assert taught.ask(lookalike).zone != "answer"
    in_scope = "Combien de collectivités sont labellisées ?"
    assert taught.off_topic_similarity(lookalike) > taught.off_topic_similarity(in_scope)
    for question in ("Combien de collectivités sont labellisées ?", "combien de territoires ont le label ?"):
        result = taught.ask(question)
        assert result.zone == "answer" and result.best.entry.id == "collectivites-labellisees"


# ---------------------------------------------------------------- matcher
def _read_eval() -> tuple[list[tuple[str, str]], dict[str, re.Pattern[str]]]:
    cases = []
    for line in (EVAL_DIR / "faq_dev.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            topic, question = line.split("\t", 1)
            cases.append((topic.strip(), question.strip()))
    topics = {}
    for line in (EVAL_DIR / "faq_topics.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, regex = line.split("\t", 1)
            topics[name.strip()] = re.compile(fold(regex.strip()))
    return cases, topics


def test_dev_set_accuracy_and_abstention(matcher: FaqMatcher) -> None:
    require_eval_dir()
    cases, topics = _read_eval()
    in_scope = [(t, q) for t, q in cases if t != "NONE"]
    off = [q for t, q in cases if t == "NONE"]
    right = 0
    for topic, question in in_scope:
        result = matcher.ask(question)
        right += result.answer is not None and bool(topics[topic].search(fold(result.answer.answer)))
    no_answer = sum(matcher.ask(q).answer is None for q in off)
    assert right / len(in_scope) >= 0.95, f"{right}/{len(in_scope)}"
    assert no_answer / len(off) >= 0.95, f"{no_answer}/{len(off)}"


@pytest.mark.parametrize(
    "question",
    [
        "Quel temps fera-t-il demain ?",
        "Comment renouveler ma carte d'identité ?",
        "Je veux acheter une voiture d'occasion",
        "Recette du gâteau au chocolat pour la fête de la commune",
        "Qui a gagné le match de football dimanche ?",
        "Quel est le tarif de la cantine scolaire ?",
        "Comment obtenir le label Qualiopi ?",
        "Le label Marianne est-il payant ?",
        "combien coute un iphone",
        "Combien de communes l'ont adopté ?",
        "label",
        "la commune",
        "Bonjour",
        "",
    ],
)
def test_off_topic_questions_get_no_answer(matcher: FaqMatcher, question: str) -> None:
    result = matcher.ask(question)
    assert result.answer is None
    assert result.zone in {"suggest", "abstain"}


def test_result_shape(matcher: FaqMatcher) -> None:
    result = matcher.ask("Est-ce payant ?", k=2)
    assert result.zone == "answer"
    assert result.best is not None and result.best.entry.id == "cout"
    assert 0.0 <= result.best.score <= 1.0
    assert len(result.alternatives) <= 2
    assert all(m.entry.id != "cout" for m in result.alternatives)
    abstain = matcher.ask("Recette de la tarte aux pommes")
    assert abstain.zone == "abstain" and abstain.best is None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("c koi le libre", "libre"),
        ("cb ca coute", "cout"),
        ("Combien coute la candidture ?", "cout"),  # typo
        ("ou envoyer le dosier", "envoi-questionnaire"),  # typo
        ("QUAND LE LABEL A T IL ETE CREE", "historique"),
        ("qui compose le comite d orientation", "comite-orientation"),
        ("nb de collectivites labellisees ?", "collectivites-labellisees"),
        ("combien de collectivites l'ont eu ?", "collectivites-labellisees"),  # "l'": the label
    ],
)
def test_informal_and_misspelt_questions(matcher: FaqMatcher, question: str, expected: str) -> None:
    result = matcher.ask(question)
    assert result.answer is not None and result.answer.id == expected


# ---------------------------------------------------------------- e-mail splitting
def test_split_questions_email() -> None:
    body = textwrap.dedent(
        """\
        Bonjour,

        Madame, Monsieur,
        Nous sommes une commune de 2000 habitants. La candidature est-elle payante ? Et où faut-il
        envoyer le dossier ?
        Merci d'avance pour votre réponse.

        Cordialement,
        Jean Dupont
        Mairie de Trifouilly
        """
    )
    assert split_questions(body) == ["La candidature est-elle payante ?", "Et où faut-il envoyer le dossier ?"]


def test_split_questions_signature_and_quotes() -> None:
    body = "Bonjour, comment candidater ?\n-- \nJean Dupont\nQui êtes-vous ?\n"
    assert split_questions(body) == ["comment candidater ?"]
    body = "Quel est le calendrier ?\n> Le 3 mai, label a écrit :\n> Est-ce gratuit ?\n"
    assert split_questions(body) == ["Quel est le calendrier ?"]


def test_split_questions_short_question_keeps_context() -> None:
    assert split_questions("Notre commune souhaite participer au label. Comment faire ?") == [
        "Notre commune souhaite participer au label. Comment faire ?"
    ]


def test_split_questions_request_pointing_back_keeps_what_it_points_to() -> None:
    """"Pourriez-vous nous transmettre cette information ?" asks for what the sentence before needs."""
    body = ("Madame, Monsieur, Pour notre rapport, nous voudrions citer le nombre de communes déjà "
            "labellisées. Pourriez-vous nous transmettre cette information ? Respectueusement.")
    assert split_questions(body) == [
        "Pour notre rapport, nous voudrions citer le nombre de communes déjà labellisées. "
        "Pourriez-vous nous transmettre cette information ?"
    ]
    # A request with its own object stands alone.
    assert split_questions("Nous avons fini. Pourriez-vous nous transmettre l'adresse d'envoi ?") == [
        "Pourriez-vous nous transmettre l'adresse d'envoi ?"
    ]


def test_split_questions_request_for_light_stays_with_its_question() -> None:
    body = ("Notre élu souhaite savoir si le label est encadré par une instance garantissant sa neutralité. "
            "Pourriez-vous nous éclairer ?")
    assert split_questions(body) == [body]


def test_split_questions_relative_clause_is_not_a_second_question() -> None:
    body = ("Je me permets de vous solliciter au nom de la communauté de communes, qui s'interroge sur la "
            "plus-value du label. Qu'est-ce que cette démarche nous apporterait ?")
    assert split_questions(body) == [
        "Je me permets de vous solliciter au nom de la communauté de communes, qui s'interroge sur la "
        "plus-value du label.",
        "Qu'est-ce que cette démarche nous apporterait ?",
    ]
    # In a sentence that asks, the comma still separates two questions.
    assert split_questions("Est-ce gratuit, qui organise le label ?") == ["Est-ce gratuit", "qui organise le label ?"]


def test_split_questions_without_question_mark() -> None:
    assert split_questions("Bonjour\nje voudrais savoir si c'est gratuit\nMerci") == [
        "je voudrais savoir si c'est gratuit"
    ]
    assert split_questions("Bonjour,\nMerci d'avance.\nCordialement") == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # A request that starts with "Merci de" is not thanks; the formal closing on the same line is
        # the signature.
        (
            "Madame, Monsieur, Merci de bien vouloir nous faire connaître le nom de l'association qui pilote "
            "ce label. Veuillez agréer, Madame, Monsieur, mes salutations distinguées. Nadia Roux, DGS",
            ["Merci de bien vouloir nous faire connaître le nom de l'association qui pilote ce label."],
        ),
        (
            "Il m'appartient de vérifier si la candidature entraîne une dépense. Bien cordialement, Léa Martin",
            ["Il m'appartient de vérifier si la candidature entraîne une dépense."],
        ),
        # "Je vous remercie de me dire …" is a request too; "Objet : …" on the same line ends at its full stop.
        (
            "Objet : historique du label. Bonjour, je vous remercie par avance de me dire depuis quelle année "
            "le label existe. Je vous remercie de votre réponse. Cordialement, Marina Colas",
            ["je vous remercie par avance de me dire depuis quelle année le label existe."],
        ),
        ("Objet : Est-ce gratuit ?", ["Objet : Est-ce gratuit ?"]),
        # A question word left at the end of the sentence.
        ("c koi le libre au juste ? et le label ca nous apporte quoi",
         ["c koi le libre au juste ?", "et le label ca nous apporte quoi"]),
        # An inversion and "qu'est-ce que" start a coordinated question.
        (
            "Comment faire connaître notre labellisation, et a-t-on le droit de reprendre vos textes ?",
            ["Comment faire connaître notre labellisation", "a-t-on le droit de reprendre vos textes ?"],
        ),
        # "d'une part …, d'autre part …": two objects of one request.
        (
            "Je souhaiterais connaître, d'une part, si la participation est payante et, d'autre part, "
            "l'adresse à laquelle envoyer le questionnaire.",
            ["Je souhaiterais connaître, d'une part, si la participation est payante",
             "l'adresse à laquelle envoyer le questionnaire."],
        ),
        ("Nos élus ainsi que nos agents utilisent LibreOffice. Est-ce suffisant ?", ["Est-ce suffisant ?"]),
        # A question that only asks to confirm a claim keeps the claim.
        ("Un élu affirme que la candidature est facturée. C'est vrai ?",
         ["Un élu affirme que la candidature est facturée. C'est vrai ?"]),
    ],
)
def test_split_questions_formal_and_spoken(body: str, expected: list[str]) -> None:
    assert split_questions(body) == expected


# ---------------------------------------------------------------- CLI
def test_cli_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["faq", "ask", "Est-ce payant ?"]) == 0
    out = capsys.readouterr().out
    assert "Réponse" in out and "gratuite" in out
    assert main(["faq", "ask", "Quel temps fera-t-il demain ?"]) == 0
    out = capsys.readouterr().out
    assert "Réponse (" not in out


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["faq", "ask", "Où envoyer le dossier ?", "--json", "-k", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == "envoi-questionnaire"
    assert data["zone"] == "answer"
    assert "label@territoire-numerique-libre.org" in data["answer"]
    assert 0 <= data["score"] <= 1
    assert len(data["alternatives"]) <= 2
    assert all({"id", "question", "score"} <= set(a) for a in data["alternatives"])


def test_cli_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Est-ce payant ?\n\nRecette de la tarte aux pommes\n"))
    assert main(["faq", "ask", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["id"] == "cout" and first["answer"]
    assert second["answer"] is None and second["zone"] == "abstain"
    monkeypatch.setattr("sys.stdin", io.StringIO("Est-ce payant ?\nRecette de la tarte aux pommes\n"))
    assert main(["faq", "ask"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "cout" in lines[0] and "je ne sais pas" in lines[1]


def test_cli_bad_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.toml").write_text("id = ", encoding="utf-8")
    assert main(["faq", "ask", "Est-ce payant ?", "--faq-dir", str(tmp_path)]) == 2
    assert "x.toml" in capsys.readouterr().err


# ---------------------------------------------------------------- intents
@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("C'est quoi le logiciel libre ?", "definition"),
        ("ce qu'est un logiciel libre", "definition"),
        ("logiciel libre ça veut dire quoi", "definition"),
        ("Définition de logiciel libre", "definition"),
        ("kesako le libre", "definition"),
        ("combien ça coûte", "cost"),
        ("c'est combien ?", "cost"),
        ("Quel est le prix ?", "cost"),
        ("Combien de collectivités sont labellisées ?", "count"),
        ("Combien y a-t-il de niveaux ?", "count"),
        ("Pour combien de temps le label est-il attribué ?", "duration"),
        ("Depuis combien de temps le label existe-t-il ?", "date"),
        ("c quand la date limite", "date"),
        ("Je suis journaliste, qui contacter ?", "who"),
        ("ou envoyer le dossier", "place"),
        ("Une métropole peut-elle participer ?", "eligibility"),
        ("pk participer", "reason"),
        ("Comment candidater ?", "howto"),
        ("quel logiciel libre pour la comptabilité", "advice"),
        ("comment migrer vers LibreOffice", "advice"),
        ("comment passer notre site en https", "advice"),
        ("sommes-nous un TNL ?", "self"),
        ("region peut avoir le label ou pas", "eligibility"),
        ("ca coute combien de participer ?", "cost"),
        ("Nos écoles sont sous Linux : ça fait de nous un territoire numérique libre ?", "self"),
        ("on est un territoire numerique libre ou pas ?", "self"),
        ("Ça fait combien d'années que le label est décerné ?", "date"),
        ("Combien d'éditions y a-t-il eu depuis le début ?", "date"),
        ("Pour mon rapport, j'ai besoin de l'année de création du label.", "date"),
        ("Qu'est-ce que ça nous rapporterait ?", "reason"),
        ("test pr savoir si on est tnl", "self"),
    ],
)
def test_detect_intents(question: str, intent: str) -> None:
    assert intent in detect_intents(question)


@pytest.mark.parametrize(
    ("question", "absent"),
    [
        ("Est-ce que c'est payant ?", "definition"),  # yes/no question, not "what is"
        ("Où trouver le logo en haute définition ?", "definition"),
        ("Combien de frais ?", "count"),
        ("Les communes qui ont le label", "who"),  # relative pronoun
        ("Où trouver la liste des lauréats ?", "place"),
        ("Comment installer les panneaux du label ?", "advice"),
        ("Nous sommes une commune de 500 habitants, comment candidater ?", "self"),  # an introduction
        ("ca coute combien de participer ?", "count"),
        ("À partir de quand une collectivité est-elle un territoire numérique libre ?", "date"),
        ("Ça fait combien d'années que le label est décerné ?", "count"),
        ("Pour combien d'années le label est-il attribué ?", "date"),
        ("Pour mon rapport au conseil, combien de communes ont le label ?", "reason"),  # a report
    ],
)
def test_detect_intents_false_friends(question: str, absent: str) -> None:
    assert absent not in detect_intents(question)


def test_corpus_intents_are_declared_and_valid() -> None:
    corpus = load_corpus()
    assert all(entry.intents and set(entry.intents) <= set(INTENTS) for entry in corpus.entries)
    assert "definition" in corpus.get("libre").intents and "count" in corpus.get("collectivites-labellisees").intents


def test_label_name_and_stem_collisions() -> None:
    # The label's name does not make "libre" a word of every entry; "voirie" is not "voir";
    # "définition" is not "définitif".
    assert "libre" not in words("Comment participer au label Territoire Numérique Libre ?")
    assert not foreign_topics("Où voir la liste des lauréats ?")
    assert normalize("définition") != normalize("définitif")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("C'est quoi le logiciel libre ?", "libre"),
        ("ce qu'est un logiciel libre, vous pouvez m'expliquer ?", "libre"),
        ("logiciel libre ça veut dire quoi", "libre"),
        ("Définition de logiciel libre svp", "libre"),
        ("combien ça coûte", "cout"),
        ("Combien ça coûte de participer ?", "cout"),
        ("combien de collectivités sont labellisées", "collectivites-labellisees"),
        ("Combien de collectivités ont le label ?", "collectivites-labellisees"),
        ("combien de labellisés", "collectivites-labellisees"),
        ("Combien y a-t-il de niveaux ?", "niveaux"),
        ("Le label est valable combien de temps ?", "duree-renouvellement"),
    ],
)
def test_intent_questions(matcher: FaqMatcher, question: str, expected: str) -> None:
    result = matcher.ask(question)
    assert result.answer is not None and result.answer.id == expected, (result.zone, result.best)


@pytest.mark.parametrize(
    "question",
    [
        "Combien de communes en France ?",
        "combien de départements en France",
        "Combien de communes dans le département ?",
        "Où trouver le logo de la région ?",
        "comment passer notre site en https",
        "quel logiciel libre pour la comptabilité",
        "comment migrer vers LibreOffice",
        "Comment migrer nos postes vers Linux ?",
        "Combien coûte une licence Microsoft Office ?",
        "Comment créer une association ?",
        "Comment candidater à un poste de secrétaire de mairie ?",
        "C'est quoi le RGPD ?",
    ],
)
def test_off_topic_with_faq_vocabulary_gets_no_answer(matcher: FaqMatcher, question: str) -> None:
    assert matcher.ask(question).answer is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Bonjour Madame, Monsieur, je suis secrétaire de mairie dans une petite commune rurale de l'Ardèche "
            "et notre maire m'a demandé de me renseigner sur votre démarche car nous avons récemment migré "
            "plusieurs postes informatiques. Avant de présenter le projet au conseil municipal, je voudrais "
            "simplement savoir : est-ce gratuit ? Je vous remercie par avance de votre retour.",
            "cout",
        ),
        (
            "Bonjour, notre nouvelle conseillère déléguée au numérique aimerait comprendre le vocabulaire employé "
            "dans vos documents avant la réunion de jeudi avec les agents du service informatique mutualisé. "
            "Pourriez-vous nous expliquer ce qu'est un logiciel libre ? Bien cordialement.",
            "libre",
        ),
        (
            "Madame, Monsieur, notre service informatique est très chargé en raison du déménagement de la "
            "médiathèque et du renouvellement du parc d'imprimantes. Nous aimerions savoir jusqu'à quand il est "
            "possible de déposer notre dossier. Cordialement.",
            "calendrier",
        ),
    ],
)
def test_long_email_is_scored_on_its_question(matcher: FaqMatcher, body: str, expected: str) -> None:
    result = matcher.ask(body)
    assert result.answer is not None and result.answer.id == expected
    assert result.question == body


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("bonjour, vous avez combien de labellisés en tout ? merci, Théo, mairie de Millau",
         "collectivites-labellisees"),
        ("Bonjour, on a fini le questionnaire, on l'envoie où ? merci, Cindy, mairie de Nyons", "envoi-questionnaire"),
    ],
)
def test_short_message_with_courtesy_is_scored_on_its_question(matcher: FaqMatcher, body: str, expected: str) -> None:
    """A one-line message is short, but its greeting and signature ("merci, Théo, mairie de Millau")
    still drown the question: it is scored on the question too."""
    assert matcher.segments(body)[1:] and all(len(s) < len(body) for s in matcher.segments(body)[1:])
    result = matcher.ask(body)
    assert result.answer is not None and result.answer.id == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Monsieur, dans le cadre de la préparation budgétaire, il nous serait utile de connaître le montant "
            "éventuel à prévoir pour candidater au label, afin d'inscrire ou non une ligne de crédit. Je vous "
            "remercie de votre réponse.",
            "le montant éventuel à prévoir pour candidater au label",
        ),
        (
            "Bonjour, je souhaiterais connaître l'adresse électronique de destination de nos réponses au "
            "questionnaire, afin d'être sûre qu'elles arrivent au bon endroit.",
            "l'adresse électronique de destination de nos réponses au questionnaire",
        ),
    ],
)
def test_formal_request_is_also_scored_on_its_object(matcher: FaqMatcher, body: str, expected: str) -> None:
    """The formula, the context before it and the purpose after it dilute what is asked."""
    assert matcher.segments(body)[-1] == expected


@pytest.mark.parametrize(
    ("question", "other"),
    [
        ("Comment obtenir le label Commune Donneur ?", True),
        ("Comment obtenir le label « Ecolo Cantine » ?", True),
        ("Quel est le montant de l'inscription au label Villes et Villages Internet ?", True),
        ("Nous voulons le label Villes et Villages étoilés, on l'envoie où ?", True),  # known words, other name
        ("QUAND LE LABEL A T IL ETE CREE", False),  # capitals say nothing in a question all in capitals
        # A lower-case word after "label" is the question going on, typos included.
        ("ou trouver le logo du label pour le metre sur notre site", False),
        ("Le label touche-t-il beaucoup de collectivités ?", False),
        ("Le label TNL est-il gratuit ?", False),
    ],
)
def test_names_another_label(matcher: FaqMatcher, question: str, other: bool) -> None:
    assert matcher.guard(question)[1] is other


def test_another_label_named_to_compare_does_not_block_the_answer(matcher: FaqMatcher) -> None:
    result = matcher.ask("Il y a des frais de dossier comme pour Qualiopi ?")
    assert result.answer is not None and result.answer.id == "cout"
    assert matcher.ask("Combien coûte le label Qualiopi ?").answer is None


def test_bare_follow_up_on_a_foreign_topic(matcher: FaqMatcher) -> None:
    """A question with no topic word of its own is about the foreign topic just before it."""
    body = ("L'ancien maire a gardé le mot de passe de la boîte mail de la mairie et ne répond plus. "
            "Comment le récupérer ?")
    assert matcher.context_foreign("Comment le récupérer ?", body)
    assert matcher.ask(body).answer is None
    ours = "Notre commune veut candidater au label. Comment faire ?"
    assert not matcher.context_foreign("Comment faire ?", ours)
    # A foreign word before it ("le président") does not count once the label is named there.
    named = ("Le président aimerait valoriser nos actions. Peut-on candidater au label Territoire Numérique "
             "Libre ? Et est-ce que ça coûte quelque chose ?")
    assert not matcher.context_foreign("Et est-ce que ça coûte quelque chose ?", named)


def test_sentence_about_another_label_in_its_message(matcher: FaqMatcher) -> None:
    """"ce label" in the question sentence is the other label the message names."""
    other = ("Bonjour, notre commune souhaite aussi obtenir le label Villes Internet cette année. "
             "Comment se passe la candidature à ce label ? Merci, Paul, mairie de Dax")
    assert matcher.ask(other).zone == "abstain"
    assert matcher.context_foreign("Comment se passe la candidature à ce label ?", other)
    # The e-mail handler asks each question of a body with the body as its context.
    assert matcher.ask("Comment se passe la candidature à ce label ?", context=other).zone == "abstain"
    ours = ("Bonjour, nous avons déjà le label Villes Internet. Comment candidater au label Territoire "
            "Numérique Libre ? Merci, Paul, mairie de Dax")
    result = matcher.ask(ours)
    assert result.answer is not None and result.answer.id == "procedure"
    # An unknown label, named by its capitalised name.
    terre = "Notre ville est labellisée Terre de Jeux 2024. Qui a attribué ça ?"
    assert matcher.context_foreign("Qui a attribué ça ?", terre)
    assert matcher.ask(terre).answer is None
    # Another award, named by a known word.
    prix = ("Notre ville a remporté un prix Territoria l'an dernier. A-t-on le droit de l'afficher sur nos "
            "panneaux d'entrée de ville ?")
    assert matcher.context_foreign("A-t-on le droit de l'afficher sur nos panneaux d'entrée de ville ?", prix)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Follow-up questions of an e-mail about something else: alone, each looks like an FAQ question.
        ("Nous voulons former nos agents à LibreOffice. Combien coûte la formation ? Qui la délivre ?", None),
        ("Le département prépare une demande de DSIL pour renouveler son parc informatique. Quelles pièces "
         "faut-il fournir ? Et avant quelle date ?", None),
        ("Notre CCAS vise le label Numérique Inclusif. Qui le délivre ? Et les associations peuvent-elles y "
         "prétendre ?", None),
        # ... and follow-ups about the label, or after a self-introduction, which stay answered.
        ("Je prépare un article sur le label. Depuis quand existe-t-il ?", "historique"),
        ("Nous avons rempli le questionnaire. Où faut-il l'envoyer ?", "envoi-questionnaire"),
        ("Bonjour, nous sommes une commune de 2000 habitants. Est-ce gratuit ?", "cout"),
        ("Je suis maire d'une commune de 300 habitants. Peut-on participer ?", "qui-peut-participer"),
    ],
)
def test_follow_up_question_is_decided_with_what_comes_before_it(
    matcher: FaqMatcher, body: str, expected: str | None
) -> None:
    result = matcher.ask(body)
    assert (result.answer.id if result.answer else None) == expected


# ---------------------------------------------------------------- messages (e-mail handler, bot)
def test_a_message_with_one_question_is_scored_whole_as_measured() -> None:
    """The e-mail handler and the bot score a one-question message as ``bench/faq_quality.py`` does
    (the whole message, its question and its request), and report the question sentence."""
    body = ("Bonjour, dans le cadre de la préparation budgétaire, il nous serait utile de connaître le montant "
            "éventuel à prévoir pour candidater au label, afin d'inscrire une ligne de crédit. Je vous remercie "
            "de votre réponse. Ginette Roux, mairie de Vic")
    matcher = shared_matcher()
    questions = split_questions(body)
    assert questions == ["dans le cadre de la préparation budgétaire, il nous serait utile de connaître le "
                         "montant éventuel à prévoir pour candidater au label, afin d'inscrire une ligne de crédit."]
    (result,) = answer_message(matcher, body, questions)
    whole = matcher.ask(body)
    assert (result.zone, result.best.entry.id) == (whole.zone, whole.best.entry.id) == ("answer", "cout")
    assert result.question == questions[0]
    # Several questions: each is decided with the message around it.
    several = "C'est gratuit ? Et où faut-il envoyer le dossier ?"
    results = answer_message(matcher, several, split_questions(several))
    assert [(r.question, r.answer.id) for r in results] == [
        ("C'est gratuit ?", "cout"), ("Et où faut-il envoyer le dossier ?", "envoi-questionnaire")]
