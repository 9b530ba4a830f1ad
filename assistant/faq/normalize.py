"""One normaliser for FAQ entries and incoming questions.

Corpus and query must go through exactly the same steps, otherwise a word typed by an
applicant ("Mairie", "l’inscription", "c koi", "candidater") would never meet the same
word in an entry. Steps: lowercase, typographic apostrophes, accents, elisions,
punctuation, SMS spellings, stop words, Snowball stemming of the accent-free form,
then synonym groups mapped onto one canonical stem.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'"})

# Elided articles/pronouns glued to the next word: "l'inscription", "jusqu’à", "qu'est-ce".
_ELISION_RE = re.compile(r"\b(?:l|d|qu|jusqu|lorsqu|puisqu|quoiqu|n|s|c|j|m|t)'", re.IGNORECASE)
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:@[a-z0-9.-]+)?")

# SMS / informal spellings -> ordinary words (applied token by token, before stop words).
SMS: dict[str, str] = {
    "koi": "quoi", "koa": "quoi", "quoa": "quoi", "kwa": "quoi",
    "pk": "pourquoi", "pq": "pourquoi", "pkoi": "pourquoi", "pourkoi": "pourquoi",
    "pr": "pour", "pour": "pour",
    "stp": "", "svp": "", "plz": "", "merci": "", "mci": "", "mrc": "",
    "bcp": "beaucoup", "bcq": "beaucoup",
    "qd": "quand", "kan": "quand", "kand": "quand", "qand": "quand",
    "cb": "combien", "cbn": "combien", "cmb": "combien", "cbien": "combien", "combi1": "combien",
    "cmt": "comment", "cmnt": "comment", "komen": "comment", "koment": "comment", "comen": "comment",
    "comant": "comment", "coment": "comment",
    "ki": "qui", "ke": "que", "k": "que", "kel": "quel", "kelle": "quelle", "kels": "quels",
    "kes": "quest", "keske": "quest", "kesk": "quest",
    "c": "est", "cest": "est", "sa": "ca", "g": "ai",
    "ds": "dans", "ns": "nous", "vs": "vous", "ms": "mais", "dc": "donc", "pa": "pas",
    "tt": "tout", "tjs": "toujours", "tjrs": "toujours", "qqn": "quelqun", "qq": "quelques",
    "qqs": "quelques", "qqch": "quelquechose", "pcq": "parceque", "pck": "parceque", "psk": "parceque",
    "bjr": "bonjour", "bsr": "bonsoir", "slt": "salut", "cc": "salut",
    "info": "information", "infos": "informations", "dossie": "dossier",
    "mairie": "mairie", "interco": "intercommunalite", "agglo": "agglomeration",
    "com": "communaute", "comcom": "communaute", "cdc": "communaute",
    "dpt": "departement", "dept": "departement", "rgaa": "rgaa", "tnl": "label",
    "ajd": "aujourdhui", "auj": "aujourdhui", "dsl": "", "jsp": "",
    "mail": "courriel", "email": "courriel", "mel": "courriel", "e": "",
    "labelise": "labellise", "labelisee": "labellisee", "labelises": "labellises",
    "labelisees": "labellisees", "labelisation": "labellisation",
}

# Words that carry no topic. Interrogatives that do discriminate here ("qui", "quand",
# "combien", "pourquoi", "comment") are kept on purpose.
_STOP_TEXT = """
    a au aux avec ce ces cet cette ceci cela ca celle celui ceux dans de des du elle elles en et eux il ils
    je j la le les leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que
    quel quelle quelles quels quoi sa se ses son sur ta te tes toi ton tu un une vos votre vous y
    est sont suis es etes sommes etait etaient ete etre sera seront serait soit sont fut
    ai as avons avez ont avait avaient avoir aura auront aurait eu
    fait faire fais faut faudra faudrait fera ferait doit doivent dois devons devez devoir
    peut peux pouvons pouvez peuvent pouvoir pourrait pourrais pourriez
    veux veut voulons voulez veulent vouloir voudrais voudrait voudrions aimerais aimerait souhaite souhaitons
    savoir sais sait ya il-y-a
    bonjour bonsoir salut madame monsieur mesdames messieurs cordialement merci svp
    si alors aussi tres plus moins bien tout tous toute toutes autre autres comme donc car or ni
    ici la-bas cela c ceci est-ce estce quest-ce quest
    t s l d n m qu jusqu lorsqu puisqu
    quelqun quelque quelques quelquechose chose choses
    exactement concretement vraiment actuellement
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())

# Synonym groups: every word of a group is mapped to the stem of the first word.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("collectivite", "mairie", "commune", "ville", "village", "territoire", "municipalite", "municipal",
     "municipale", "intercommunalite", "epci", "agglomeration", "metropole", "departement", "region",
     "collectivites"),
    ("candidater", "candidature", "candidat", "candidate", "postuler", "participer", "participation",
     "inscrire", "inscription", "concourir", "recandidater", "presenter", "porter"),
    ("gratuit", "gratuite", "payant", "payer", "paye", "paie", "prix", "cout", "couter", "coute",
     "tarif", "frais", "debourser", "budget", "argent", "cher", "combien-coute"),
    ("signaletique", "panneau", "panneaux", "plaque", "affichage"),
    ("logo", "logos"),
    ("labelliser", "labellise", "labellisee", "labellises", "labellisees", "labellisation", "laureat",
     "recompense", "recompenser", "recompensee", "recompensees", "obtenu"),
    ("envoyer", "envoi", "renvoyer", "transmettre", "adresser", "deposer", "parvenir", "expedier",
     "poste", "courrier"),
    ("courriel", "mail", "adresse", "e-mail", "messagerie"),
    ("questionnaire", "formulaire", "dossier", "fiche"),
    ("date", "dates", "calendrier", "periode"),
    ("echeance", "delai", "limite", "cloture", "butoir", "fin"),
    ("critere", "evaluation", "evaluer", "noter", "notation", "note", "notees", "notes", "grille",
     "selection"),
    ("volet", "theme", "thematique", "partie", "sujet", "domaine"),
    ("organiser", "organise", "organisateur", "decerner", "decerne", "attribuer", "delivrer", "gerer",
     "gere", "porteur", "origine", "creer", "cree", "createur", "derriere", "remettre", "organisme"),
    ("interet", "avantage", "benefice", "apporter", "apport", "gagner", "utilite", "but", "objectif",
     "servir", "sert"),
    ("renouveler", "renouvellement", "recandidater", "expirer", "expire", "valable", "validite",
     "permanent", "duree", "dure"),
    ("adherer", "adhesion", "adherent", "membre", "cotisation"),
    ("journaliste", "presse", "media", "medias", "interview", "journal"),
    ("niveau", "niveaux", "echelon", "degre"),
    ("reutiliser", "reutilisable", "reutilisation", "copier", "reprendre", "droit"),
    ("habitant", "administre", "citoyen", "population"),
    ("elu", "maire", "adjoint", "conseiller"),
    ("annee", "an", "ans", "annuel", "annuellement"),
    ("edition", "cru"),
    ("ceremonie", "remise"),
    ("resultat", "palmares", "annonce"),
    ("lancer", "lance", "lancement", "creation", "premiere"),
    ("communiquer", "communication", "promouvoir", "promotion", "connaitre", "valoriser", "publicite",
     "parler", "diffuser", "relayer"),
    ("obtenir", "recuperer", "telecharger", "recevoir"),
)

_stemmer = snowballstemmer.stemmer("french")


def fold(text: str) -> str:
    """Lowercase, unify apostrophes and drop accents (ligatures are expanded)."""
    text = text.translate(_APOSTROPHES).lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Snowball conflates some words that must stay apart here: "communication" with "commune",
# "formation" with "formats". Prefix -> stem, checked before stemming.
STEM_OVERRIDES: tuple[tuple[str, str], ...] = (
    ("communic", "communiqu"),
    ("communiq", "communiqu"),
    ("formation", "formation"),
)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    for prefix, forced in STEM_OVERRIDES:
        if word.startswith(prefix):
            return forced
    stem = _stemmer.stemWord(word)
    # Accent-free input leaves a trailing "e" on some past participles ("labellisees" ->
    # "labellise" while "labellise" -> "labellis"); trimming it makes both meet.
    if len(stem) > 4 and stem.endswith("e"):
        stem = stem[:-1]
    return stem


def _build_synonyms() -> dict[str, str]:
    table: dict[str, str] = {}
    for group in SYNONYM_GROUPS:
        canonical = _stem(group[0])
        for word in group:
            table.setdefault(_stem(word), canonical)
    return table


SYNONYMS: dict[str, str] = _build_synonyms()


def words(text: str) -> list[str]:
    """Accent-free content words of ``text`` after elisions, SMS spellings and stop words.

    These are the surface forms used for typo matching (before stemming).
    """
    folded = _ELISION_RE.sub(" ", fold(text))
    result: list[str] = []
    for token in _TOKEN_RE.findall(folded):
        token = SMS.get(token, token)
        if not token:
            continue
        for part in token.split():
            if part in STOP_WORDS or (len(part) == 1 and not part.isdigit()):
                continue
            result.append(part)
    return result


def stem(word: str) -> str:
    """Snowball stem of one accent-free word, before synonym mapping."""
    return _stem(word)


def canonical(stemmed: str) -> str:
    """The canonical stem of the synonym group ``stemmed`` belongs to (itself if none)."""
    return SYNONYMS.get(stemmed, stemmed)


def analyze(text: str) -> list[tuple[str, str]]:
    """(surface word, stem) pairs: the matcher keeps both, for typo matching and exact/synonym credit."""
    return [(word, _stem(word)) for word in words(text)]


def normalize(text: str) -> list[str]:
    """Canonical stems of ``text``: the single representation shared by corpus and query."""
    return [canonical(_stem(word)) for word in words(text)]
