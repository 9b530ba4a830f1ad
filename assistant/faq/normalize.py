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
    "comcom": "communaute", "cdc": "communaute",
    "dpt": "departement", "dept": "departement", "rgaa": "rgaa", "tnl": "label",
    "ajd": "aujourdhui", "auj": "aujourdhui", "dsl": "", "jsp": "",
    "mail": "courriel", "email": "courriel", "mel": "courriel", "e": "",
    "gratos": "gratuit", "gratis": "gratuit", "oblig": "obligatoire", "dispo": "disponible",
    "deadline": "date limite", "tps": "temps", "ac": "avec", "avc": "avec", "mtn": "maintenant",
    "chq": "chaque", "ttes": "toutes", "ya": "", "jpeux": "peux", "jpe": "peux", "jsuis": "suis",
    "asso": "association", "assos": "associations", "dircom": "communication", "com": "communication",
    "1ere": "premiere", "1er": "premier", "1e": "premiere", "svt": "souvent", "pb": "probleme",
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
    forcement seulement uniquement juste simplement encore deja-la possible possibles necessaire
    besoin svp chez aupres sinon ensuite puis egalement notamment
    secretaire secretariat comprends comprendre compris appelez appelle appeler explique expliquez
    pourriez-vous renseigner renseignement renseignements precision precisions
    demande demandes demander demandons interroge interrogeons penser pense pensez croire crois
    voudrions souhaiterions souhaiterais souhaite souhaitons souhaitez aimerions saurais sauriez
    savez connaissez indiquer indiquez preciser precisez confirmer confirmez avance davance
    actuel moment propos concernant
    pareil pareille identique
    devrait devraient devrions devriez devrais devrai devra devront pourrions pourraient pourra pourront
    puisse puissent puissions puis-je peut-etre sommes-nous avons-nous faut-il veuillez voulu pu du dus
    aurions auriez serions seriez serais ferions feriez avions aviez etions etiez
    bref voila enfin bon ok okay hello coucou permets permettre permettez ecris ecrire ecrivons
    envisage envisageons envisager travaille travaillons travailler retard preparation vis-a-vis
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())

# Synonym groups: every word of a group is mapped to the stem of the first word.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("collectivite", "mairie", "commune", "ville", "village", "territoire", "municipalite", "municipal",
     "municipale", "intercommunalite", "epci", "agglomeration", "metropole", "departement", "region",
     "collectivites"),
    ("candidater", "candidature", "candidatures", "candidat", "candidate", "candidats", "postuler",
     "participer", "participation", "inscrire", "inscription", "inscriptions", "concourir", "presenter",
     "porter", "tenter"),
    ("eligible", "eligibilite", "accepte", "acceptee", "acceptees", "acceptes", "admis", "admissible",
     "autorise", "autorisee", "reserve", "reservee"),
    ("gratuit", "gratuite", "payant", "payer", "paye", "paie", "prix", "cout", "couter", "coute",
     "tarif", "tarifs", "frais", "debourser", "budget", "budgetaire", "cher", "combien-coute",
     "facture", "facturee", "facturer", "facturation", "montant", "payante", "payants", "onereux"),
    ("signaletique", "panneau", "panneaux", "plaque", "affichage"),
    ("logo", "logos"),
    ("labelliser", "labellise", "labellisee", "labellises", "labellisees", "labellisation", "laureat",
     "recompense", "recompenser", "recompensee", "recompensees", "obtenu"),
    ("envoyer", "envoi", "renvoyer", "transmettre", "adresser", "deposer", "parvenir", "expedier",
     "poste", "courrier", "rendre", "retourner", "remettre"),
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
     "servir", "sert", "argument", "arguments", "convaincre", "justifier", "motiver", "pertinence"),
    ("renouveler", "renouvellement", "recandidater", "expirer", "expire", "valable", "validite",
     "permanent", "duree", "dure", "definitif", "vie", "valide"),
    ("adherer", "adhesion", "adherent", "membre", "cotisation"),
    ("journaliste", "presse", "media", "medias", "interview", "interviewer", "reportage", "reporter",
     "redaction", "article", "radio", "television", "tele"),
    ("niveau", "niveaux", "echelon", "degre"),
    ("reutiliser", "reutilisable", "reutilisation", "copier", "reprendre", "droit"),
    ("habitant", "administre", "citoyen", "population"),
    ("elu", "elus", "maire", "adjoint", "conseiller", "edile"),
    ("responsable", "dsi", "informaticien", "technicien", "referent", "chef"),
    ("definition", "definir", "signification", "signifier", "sens", "expliquer", "explication"),
    ("economie", "economies", "economiser", "economique"),
    ("historique", "histoire", "ancien", "anciennete", "age", "recent", "nouveau"),
    ("obligatoire", "oblige", "obligation", "imperatif", "exige", "requis", "requise"),
    ("annee", "an", "ans", "annuel", "annuellement"),
    ("edition", "cru"),
    ("ceremonie", "remise"),
    ("resultat", "palmares", "annonce"),
    ("lancer", "lance", "lancement", "creation", "premiere"),
    ("communiquer", "communication", "promouvoir", "promotion", "connaitre", "valoriser", "publicite",
     "parler", "diffuser", "relayer", "mediatiser", "informer", "annoncer", "afficher"),
    ("obtenir", "recuperer", "telecharger", "recevoir", "fournir", "procurer", "commander", "commande"),
    ("procedure", "proceder", "demarche", "demarches", "etape", "etapes", "modalite", "modalites"),
    ("contacter", "contact", "joindre", "interlocuteur", "correspondant", "adresser"),
    ("fichier", "fichiers", "document", "documents"),
)

# Topics a mairie, a DSI or an élu often ask about that are NOT the label's FAQ: a question that
# names one of them must never get an automatic answer, whatever words it shares with the corpus
# ("tarif de la cantine", "date limite des listes électorales", "logiciel de paie gratuit").
_FOREIGN_TEXT = """
    naissance naissances deces mariage marier pacs divorce passeport cni livret nationalite
    recensement etatcivil obseques funeraire cimetiere concession
    impot impots taxe taxes fiscal fiscale fiscalite foncier fonciere tresor
    permis urbanisme cadastre lotissement terrain construire
    cantine creche periscolaire garderie enfant enfants fils bebe
    election elections electoral electorale electorales scrutin voter
    recruter recrutement embaucher embauche salaire salaires remuneration emploi chomage apprenti
    apprentissage stagiaire retraite
    subvention subventions dotation dotations detr dsil fctva
    voirie trottoir stationnement parking amende dechetterie dechets encombrants poubelle poubelles
    ordures assainissement piscine gymnase salledesfetes logement hlm loyer rsa allocation mutuelle
    police gendarmerie pompiers incendie meteo covid vaccin medecin hopital fibre energie electricite
    chauffage
    ministre president republique depute senateur prefet prefecture
    recette cuisine gateau football match voiture vacances restaurant hotel
    qualiopi marianne fleuri fleuris fleurie fleuries touristique citergie ecolabel secnumcloud
    expertcyber cybermalveillance amf amrf cnas mandat
"""
FOREIGN_WORDS: frozenset[str] = frozenset(_FOREIGN_TEXT.split())
# Multi-word forms of foreign topics, and other labels built from words the corpus also uses.
_FOREIGN_PHRASES: tuple[tuple[str, str], ...] = (
    (r"etats? civils?", "etatcivil"),
    (r"cartes? d.identite", "cni"),
    (r"cartes? grises?", "cni"),
    (r"salles? des fetes", "salledesfetes"),
    (r"(?:fiches?|bulletins?|logiciels?|gestion) de (?:la )?pa[iy]e", "salaire"),
    (r"(?:la|sa|leur|ma|notre) pa[iy]e", "salaire"),
    (r"villes? internet", "labelautre"),
    (r"villes? (?:et villages? )?fleuri(?:e|s|es)?", "labelautre"),
    (r"villes? amies? des enfants", "labelautre"),
    (r"villes? (?:active|prudente|sportive)s?", "labelautre"),
    (r"stations? vertes?", "labelautre"),
    (r"pavillons? bleus?", "labelautre"),
    (r"label numerique responsable", "labelautre"),
    (r"territoires? engages?", "labelautre"),
    (r"com com", "comcom"),
    (r"cit.ergie", "citergie"),
)
# One alternation, one pass: group i of the match is phrase i.
_PHRASE_RE = re.compile("|".join(rf"\b({pattern})\b" for pattern, _ in _FOREIGN_PHRASES))
_PHRASE_REPLACEMENTS = tuple(replacement for _, replacement in _FOREIGN_PHRASES)
# Naming the label itself lifts the guard on other labels ("nous avons déjà Villes Internet, pouvons-
# nous candidater à Territoire Numérique Libre ?").
_OWN_LABEL_RE = re.compile(r"\b(?:territoire numerique libre|tnl|adullact)\b")

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


@lru_cache(maxsize=4096)
def _prepare(text: str) -> str:
    """Folded text with elisions removed and multi-word forms glued into one token."""
    folded = _ELISION_RE.sub(" ", fold(text))
    folded = _NON_TOKEN_RE.sub(" ", folded)
    return _PHRASE_RE.sub(lambda m: _PHRASE_REPLACEMENTS[m.lastindex - 1], folded)


_NON_TOKEN_RE = re.compile(r"[^a-z0-9@.'-]+")


def words(text: str) -> list[str]:
    """Accent-free content words of ``text`` after elisions, SMS spellings and stop words.

    These are the surface forms used for typo matching (before stemming).
    """
    return list(_words(text))


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    folded = _prepare(text)
    result: list[str] = []
    for token in _TOKEN_RE.findall(folded):
        token = SMS.get(token, token)
        if not token:
            continue
        for part in token.split():
            if part in STOP_WORDS or (len(part) == 1 and not part.isdigit()):
                continue
            result.append(part)
    return tuple(result)


_FOREIGN_STEMS: frozenset[str] = frozenset({*(_stem(w) for w in FOREIGN_WORDS), "labelautre"})


def foreign_topics(text: str) -> list[str]:
    """The words of ``text`` that name a topic outside the label's FAQ (another label, état civil,
    taxes, school meals, elections, recruitment, subsidies...), empty when there is none."""
    folded = _prepare(text)
    found = [w for w in words(text) if w == "labelautre" or _stem(w) in _FOREIGN_STEMS]
    if found and _OWN_LABEL_RE.search(folded) and all(w == "labelautre" or w in _OTHER_LABEL_WORDS for w in found):
        return []
    return found


_OTHER_LABEL_WORDS = frozenset({"qualiopi", "marianne", "fleuri", "fleuris", "fleurie", "fleuries",
                                "touristique", "citergie", "ecolabel", "secnumcloud", "expertcyber"})


# Words every entry is about: on their own they never carry a match ("label", "la commune").
WEAK_WORDS: frozenset[str] = frozenset({"label", "labels", "collectivite", "numerique", "territoire"})


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
