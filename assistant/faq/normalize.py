"""One normaliser for FAQ entries and incoming questions.

Corpus and query must go through exactly the same steps, otherwise a word typed by an
applicant ("Mairie", "l’inscription", "c koi", "candidater") would never meet the same
word in an entry. Steps: lowercase, typographic apostrophes, accents, elisions,
punctuation, SMS spellings, stop words, Snowball stemming of the accent-free form,
then synonym groups mapped onto one canonical stem. The word lists themselves (SMS spellings,
stop words, synonym groups) are data, in ``lexicon``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from assistant.faq.lexicon import SMS, STOP_WORDS, SYNONYM_GROUPS

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'"})

# Elided articles/pronouns glued to the next word: "l'inscription", "jusqu’à", "qu'est-ce".
_ELISION_RE = re.compile(r"\b(?:l|d|qu|jusqu|lorsqu|puisqu|quoiqu|n|s|c|j|m|t)'", re.IGNORECASE)
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:@[a-z0-9.-]+)?")

# Topics a mairie, a DSI or an élu often ask about that are NOT the label's FAQ: a question that
# names one of them must never get an automatic answer, whatever words it shares with the corpus
# ("tarif de la cantine", "date limite des listes électorales", "logiciel de paie gratuit").
_FOREIGN_TEXT = """
    deces mariage marier pacs divorce passeport cni livret nationalite
    recensement etatcivil obseques funeraire cimetiere concession
    impot impots taxe taxes fiscal fiscale fiscalite foncier fonciere tresor
    urbanisme cadastre lotissement terrain construire
    cantine creche periscolaire garderie enfant enfants fils bebe
    election elections electoral electorale electorales scrutin
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
    expertcyber cybermalveillance amf amrf cnas mandat territoria interconnectes
    smalltalk stade horaires loi1901 autrecomite
    motdepasse indemnite indemnites revenus insee
"""
FOREIGN_WORDS: frozenset[str] = frozenset(_FOREIGN_TEXT.split())
# Multi-word forms of foreign topics, and other labels built from words the corpus also uses.
_FOREIGN_PHRASES: tuple[tuple[str, str], ...] = (
    (r"etats? civils?", "etatcivil"),
    # "permis de construire", "mon permis", not "est-il permis de reprendre vos textes ?".
    (r"permis(?= (?:de (?:construire|conduire|demolir|amenager|chasse|peche)|b)\b)"
     r"|(?:un|le|mon|du|des|son|notre|votre) permis", "permis urbanisme"),  # the determiner is a stop word
    # "l'année de naissance du label" asks since when; a birth certificate is état civil.
    (r"(?:actes?|declarations?|extraits?|avis|faire[- ]part|liste) de naissances?|naissances? (?:d.un|de (?:mon|ma|"
     r"notre|son|sa|leur|votre)|du bebe|des bebes)|\bnaissances\b", "etatcivil"),
    (r"cartes? (?:d.)?identite", "cni"),
    (r"cartes? grises?", "cni"),
    (r"salles? des fetes", "salledesfetes"),
    (r"(?:fiches?|bulletins?|logiciels?|gestion) de (?:la )?pa[iy]e", "salaire"),
    (r"(?:la|sa|leur|ma|notre) pa[iy]e", "salaire"),
    (r"villes? (?:et villages? )?internet", "labelautre"),
    (r"villes? (?:et villages? )?fleuri(?:e|s|es)?", "labelautre"),
    (r"villes? amies? des enfants", "labelautre"),
    (r"villes? (?:active|prudente|sportive)s?", "labelautre"),
    (r"stations? vertes?", "labelautre"),
    (r"pavillons? bleus?", "labelautre"),
    (r"label numerique (?:responsable|inclusif)", "labelautre"),
    (r"territoires? engages?", "labelautre"),
    # Other labels and national programmes collectivités hold ("maison France Services", "Terre de Jeux").
    (r"(?:maisons? |espaces? )?france services?|terre de jeux|"
     r"(?:action )?coeur de villes?|petites? villes? de demain|villes? (?:et pays )?d art et d histoire|"
     r"plus beaux villages|villes? amies? des aines|labels? (?:rge|bas carbone)", "labelautre"),
    # Another committee than the label's comité d'orientation.
    (r"(?:comites?|commissions?) (?:de pilotage|technique|des fetes|syndical|social|consultatif|de jumelage|"
     r"d entreprise|de quartier|de direction|des usagers|de suivi de (?:notre|la|l|nos))|copil", "autrecomite"),
    (r"com com", "comcom"),
    (r"mots? de passe", "motdepasse"),
    (r"bureaux? de vote", "election"),
    (r"noms? de famille", "etatcivil"),
    # "La démarche est-elle gratuite, oui ou non ?": a tag asking for a straight answer, not a topic.
    (r"oui ou (?:non|pas)", " "),
    # "Qu'est-ce qui les distingue ?", "en quoi se distingue-t-il ?" ask a difference; "distinguée" is
    # the label awarded.
    (r"(?:qui|se|s) (?:les |le |la |l |nous |vous )?distingu\w*", "difference"),
    # Spoken fillers made of words that elsewhere carry a topic ("en somme" is no sum of money).
    (r"au fond|en gros|en realite|en pratique|dans les faits|a vrai dire|en somme|en resume|au final|"
     r"au bout du compte|sinceremen?t", " "),
    # "un organe consultatif", "l'organe de gouvernance": a committee, not the organiser.
    (r"organes? (?:consultatifs?|de gouvernance|d orientation|de supervision)",
     "comite"),
    # A letter's closing, not the label's winners ("les collectivités distinguées").
    (r"(?:salutations?|sentiments?|considerations?|hommages?) (?:(?:les|tres|plus|bien) )*distingue(?:e|s|es)?",
     "salutations"),
    (r"(?:un|le|ce|au|du|notre|votre) postes? (?:de|d) (?!travail)", "emploi "),
    (r"(?:candidatures? spontanees?|lettres? de motivation|offres? d.emploi)", "emploi"),
    # The label's own name says nothing about what is asked; glued, it no longer makes "libre"
    # (the topic of the entry on free software) a word of every entry.
    (r"territoires? numeriques? libres?", "tnl"),
    (r"cit.ergie", "citergie"),
    (r"how (?:many|much)", "combien"),
    (r"cc by(?: sa)?", "creative commons"),
    (r"droits? (?:d )?(?:inscription|entree|dossier|participation)", "frais"),  # not the re-use "droit"
    (r"jeux? de donnees", "donnees"),  # not "CC" the communauté de communes
    # Setting up an association is a question for the préfecture, not the label's FAQ.
    (r"(?:creer|creation|monter|fonder|declarer) (?:d )?(?:une|notre|mon|son|leur|l|des) associations?",
     "loi1901"),
    (r"modes? (?:d )?emploi", "notice"),  # not a job
    # Small talk with the bot is never an FAQ question ("comment ça va", "t'as quel âge").
    (r"comment (?:ca|allez vous|vas tu|tu vas|vous allez) ?(?:va)?|how are you|what s up"
     r"|(?:tu |vous )?(?:as|avez) quel age|quel age (?:as tu|avez vous|tu as|vous avez)"
     r"|(?:t es|tu es|es tu|etes vous|vous etes) (?:un|une) (?:robot|bot|ia|humain|humaine|vraie personne)",
     "smalltalk"),
    (r"(?:free|open) (?:source )?software", "logiciel libre"),
    (r"open source", "logiciel libre"),
)
# One alternation, one pass: group i of the match is phrase i.
_PHRASE_RE = re.compile("|".join(rf"\b({pattern})\b" for pattern, _ in _FOREIGN_PHRASES))
_PHRASE_REPLACEMENTS = tuple(replacement for _, replacement in _FOREIGN_PHRASES)
# Naming the label itself lifts the guard on other labels ("nous avons déjà Villes Internet, pouvons-
# nous candidater à Territoire Numérique Libre ?").
_OWN_LABEL_RE = re.compile(r"\b(?:territoire numerique libre|tnl|adullact)\b")

_stemmer = snowballstemmer.stemmer("french")


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lowercase, unify apostrophes and drop accents (ligatures are expanded). Cached: the matcher folds
    each sentence of a message several times (guard, intents, foreign topics)."""
    text = text.translate(_APOSTROPHES).lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Snowball conflates some words that must stay apart here: "communication" with "commune",
# "formation" with "formats". Prefix -> stem, checked before stemming.
STEM_OVERRIDES: tuple[tuple[str, str], ...] = (
    ("communic", "communiqu"),
    # "définitif" (duration) and "définition" (meaning) share the Snowball stem "definit".
    ("definitif", "definitif"),
    ("definitiv", "definitif"),
    ("voirie", "voirie"),  # not "voir"
    ("communiq", "communiqu"),
    ("formation", "formation"),
    ("gagnant", "gagnant"),  # the winners, not "gagner" (what the label brings)
)


# Whole words Snowball gives the stem of another word: "rapport" (a report, "par rapport à") is not
# what the label "rapporte" (brings).
WORD_STEMS: dict[str, str] = {"rapport": "rapportdoc", "rapports": "rapportdoc"}


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    if word in WORD_STEMS:
        return WORD_STEMS[word]
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


def names_own_label(text: str) -> bool:
    """Whether ``text`` names this label (or ADULLACT) by name."""
    return bool(_OWN_LABEL_RE.search(_prepare(text)))


def mentions_label(text: str) -> bool:
    """Whether ``text`` speaks of a label at all: this one by name, "le label", "labellisée", its
    laureates or ADULLACT."""
    prepared = _prepare(text)
    return bool(_NAMES_LABEL_RE.search(prepared) or _OWN_LABEL_RE.search(prepared))


def other_labels(text: str) -> list[str]:
    """The words of ``text`` that name another label or award ("Villes Internet", "prix Territoria")."""
    return [w for w in foreign_topics(text) if w == "labelautre" or w in _OTHER_LABEL_WORDS]


def without_comparisons(text: str) -> str:
    """``text`` prepared (folded, elisions dropped, phrases glued), another label named only to compare
    left out: "Il y a des frais de dossier comme pour Qualiopi ?" asks about this label."""
    return _COMPARED_RE.sub(" ", _prepare(text))


@lru_cache(maxsize=4096)
def compared_words(text: str) -> frozenset[str]:
    """The words of ``text`` that only name another label to compare with (see ``without_comparisons``)."""
    return frozenset(words(text)) - frozenset(words(without_comparisons(text)))


def foreign_topics(text: str) -> list[str]:
    """The words of ``text`` that name a topic outside the label's FAQ (another label, état civil,
    taxes, school meals, elections, recruitment, subsidies...), empty when there is none."""
    folded = without_comparisons(text)
    found = [w for w in words(folded) if w == "labelautre" or _stem(w) in _FOREIGN_STEMS]
    if _OWN_MEDIA_RE.search(folded) and not _NAMES_LABEL_RE.search(folded):
        found.append("collectivitemedia")
    if found and _OWN_LABEL_RE.search(folded) and all(w == "labelautre" or w in _OTHER_LABEL_WORDS for w in found):
        return []
    return found


# The collectivité's own identity ("le logo de la région", "le blason de la commune") is not the
# label's: without the label named, such a question is about it. (The municipal bulletin is not in
# this list: telling the residents about the label there is the label's business.)
_OWN_MEDIA_RE = re.compile(
    r"\b(?:logos?|blasons?|armoiries|charte graphique)(?: officiel\w*)? "
    r"(?:de la|du|de notre|de ma|de votre|de leur|de l|des) (?:region|departement|commune|mairie|ville|village"
    r"|collectivite|metropole|agglomeration|communaute|intercommunalite|epci|prefecture)s?\b"
)
_NAMES_LABEL_RE = re.compile(r"\b(?:labels?|labellis\w*|labelis\w*|laureats?|tnl|adullact)\b")
_OTHER_LABEL_WORDS = frozenset({"qualiopi", "marianne", "fleuri", "fleuris", "fleurie", "fleuries",
                                "touristique", "citergie", "ecolabel", "secnumcloud", "expertcyber", "territoria",
                                "interconnectes"})
_COMPARED_RE = re.compile(
    r"\b(?:comme|contrairement (?:a|aux?)|a la difference (?:de|du|des)|par rapport (?:a|aux?)|"
    r"a\s+(?:l\s+)?instar (?:de|du|des))\s+"
    r"(?:(?:pour|avec|chez|dans|a|au|aux|le|la|les|l|du|de|des|un|une|celui|celle|ceux)\s+){0,3}"
    r"(?:labels?\s+)?(?:" + "|".join(sorted(_OTHER_LABEL_WORDS | {"labelautre"})) + r")\b"
)


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


# ---------------------------------------------------------------------------- intents
# What kind of answer a question asks for, read from its question words rather than its topic:
# "combien de collectivités" asks for a count, "combien ça coûte" for a price, "c'est quoi" for a
# definition. The matcher uses intents as features beside the topic words (an entry declares the
# intents it answers, see ``FaqEntry.intents``), and the bare question words ("combien", "quand",
# "qui"...) no longer count as topic words: "Combien de communes en France ?" shares nothing with
# the FAQ but a question word and the weak word "commune".
INTENTS: tuple[str, ...] = (
    "definition", "cost", "count", "duration", "date", "who", "place", "contact", "howto", "reason",
    "eligibility", "self",
)
# An intent no entry answers: advice on choosing, installing or migrating software. A question that
# asks for it never gets an automatic answer (at most suggestions).
ADVICE = "advice"

# Question words and meaning words that only say what kind of answer is wanted: the matcher reads
# them as intents, never as topic words.
INTENT_MARKERS: frozenset[str] = frozenset({
    "combien", "quand", "qui", "comment", "pourquoi", "signifie", "signifient", "signifier", "kesako",
    "kezako", "nb",
})

_INTENT_SMS = {
    "koi": "quoi", "koa": "quoi", "kwa": "quoi", "quoa": "quoi", "cb": "combien", "cbn": "combien", "nb": "nombre",
    "cmb": "combien", "cbien": "combien", "combi1": "combien", "kan": "quand", "kand": "quand",
    "qd": "quand", "qand": "quand", "ki": "qui", "pk": "pourquoi", "pq": "pourquoi", "pkoi": "pourquoi",
    "pourkoi": "pourquoi", "cmt": "comment", "cmnt": "comment", "koment": "comment", "komen": "comment",
    "coment": "comment", "cest": "c est", "kes": "qu est", "keske": "qu est ce que", "kesk": "qu est ce que",
    "ke": "que", "k": "que", "sa": "ca", "kel": "quel", "kelle": "quelle",
    "who": "qui", "when": "quand", "where": "ou", "how": "comment", "why": "pourquoi", "what": "quoi",
    "send": "envoyer", "apply": "candidater",
}
_ALREADY = r"(?:deja |bien |vraiment |donc |de fait |peut etre )*"
_CLAUSE = r"(?:^|[.?!;:,(]\s*|\b(?:et|mais|donc|alors|bref|sinon|aussi)\s+)"
_COST_WORDS = r"(?:cout\w*|payer|paye|paie|prix|tarif\w*|frais|factur\w*|argent|euros?|budget)"
_QUESTION_OBJECTS = (
    r"(?:collectivites?|communes?|villes?|territoires?|structures?|organismes?|associations?|membres?|personnes?)"
)
_SOFTWARE = (
    r"(?:logiciels?|outils?|solutions?|tableurs?|applications?|applis?|prestataires?|distributions?|antivirus"
    r"|navigateurs?|suites?|alternatives?|equivalents?|remplacants?|messageries?)"
)
_IT_TARGETS = (
    r"(?:https|ssl|linux|ubuntu|debian|libreoffice|nextcloud|windows|firefox|thunderbird|office|microsoft|mac"
    r"|android|postgres\w*|mysql)"
)
_IT_VERBS = r"(?:configurer|parametrer|securiser|convertir|mettre a jour|heberger|sauvegarder|deployer|migrer)"
# Each intent: alternatives, matched on the folded, SMS-expanded question (see ``detect_intents``).
_INTENT_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("definition", (
        r"\bc(?: est)? quoi\b", r"\bquoi (?:c est|ca)\b",
        r"\bqu est[- ]?ce (?:que?|qu) ?(?:un|une|le|la|les|l|ce|cette|ces|des|c est)\b",
        r"(?<!est )\bce (?:que? |qu )?(?:est|sont)\b(?! (?:que?|qu|quoi)\b)", r"(?<!est )\bce que (?:sont|c est)\b",
        r"\bsignifi\w*", r"(?<!haute )\bdefini(?:tion|r|ssez)\b", r"\bveu(?:t|lent) dire\b",
        r"\bentend(?:ez[- ]vous| on)\b", r"\bappel(?:le[- ]t[- ]on|ez[- ]vous)\b", r"\bke[sz]ako\b", r"\bsens du mot\b",
    )),
    ("cost", (
        rf"\bcombien\b(?!(?: \w+)? (?:de|d) (?!{_COST_WORDS})|(?: \w+)? (?:sont|ont|y a|existe|compte)\b)",
        rf"\bcombien (?:de |d )?{_COST_WORDS}\b", r"\bquel(?:le)? (?:est )?(?:le |la )?(?:prix|tarif|cout|montant)\b",
    )),
    ("count", (
        rf"\bcombien\b(?:(?: \w+)? (?:de|d) (?!temps\b|annees?\b|ans\b|editions?\b|{_COST_WORDS}\b)"
        r"|(?: \w+)? (?:sont|ont|y a|existe|compte)\b)",
        r"\bnombre (?:de|d)\b", r"\bquantite\b", r"\bchiffres?\b", r"\bstatistiques?\b",
    )),
    ("duration", (
        r"\b(?:pour|pendant|durant) combien\b", r"(?<!depuis )(?<!fait )(?<!y a )(?<!ya )\bcombien (?:de )?temps\b",
        r"\bduree\b",
        r"\bdure(?:ra)?[- ]t[- ]il\b", r"\bvalable\b", r"\bvalidite\b", r"\ba vie\b", r"\bdefinitif\w*\b",
        r"\bpour toujours\b", r"\bexpir\w*",
    )),
    ("date", (
        r"\bquand\b(?! meme\b)", r"\bquelle date\b", r"\b(?:fait|y a|ya) combien (?:de )?temps\b",
        r"\ba quelle (?:date|periode|epoque)\b",
        r"\bquel(?:le)? (?:mois|annee|jour)\b", r"\ba quel moment\b", r"\bdepuis combien\b",
        r"\bdate (?:de|d|limite)\b",
        # "Ça fait combien d'années que le label est décerné ?", "combien d'éditions depuis le début ?"
        r"(?<!pour )(?<!pendant )(?<!durant )\bcombien (?:d |de )?(?:annees?|ans|editions?)\b",
        r"\b(?:annee|date) (?:de |d )?(?:sa |la |son )?(?:creation|lancement|naissance|fondation|mise en place)\b",
    )),
    ("who", (
        rf"{_CLAUSE}qui\b", r"\bcompos\w*", rf"\bquel(?:le)?s? {_QUESTION_OBJECTS}\b",
        r"\b(?:par|a|avec|de|chez|pour|aupres de|est|c est|sont) qui\b", r"\bqui (?:est|sont) (?:le|la|les|l)\b",
    )),
    # "où envoyer", "où a lieu": a place. "Où trouver la liste ?" only asks for something.
    ("place", (
        r"\bou (?:\w+ ){0,3}(?:envoy|renvoy|adress|transmet|depos|post|expedi|parven|remet|rend|retourn|a lieu"
        r"|aura lieu|se deroul|se tien|se passe|se fait)\w*",
        r"\ba quelle adresse\b", r"\bquelle adresse\b", r"\bpar quel (?:moyen|canal)\b",
        r"\ba qui (?:envoyer|adresser|renvoyer|transmettre|remettre|retourner)\b",
    )),
    ("contact", (
        r"\bcontact\w*", r"\bjoindre\b", r"\binterlocut\w*", r"\b(?:m|s|nous|vous) adresser\b", r"\bqui appeler\b",
        r"\btelephon\w*",
    )),
    ("howto", (
        r"\bcomment\b", r"\bmarche a suivre\b",
        r"\bquel(?:le)?s? (?:sont )?(?:les )?(?:demarches?|etapes?|procedures?)\b", r"\bproceder\b",
        r"\bpar ou commencer\b", r"\bque (?:faut il|dois je|doit on|devons nous) faire\b",
        r"\bquoi faire\b",
    )),
    ("reason", (
        r"\bpourquoi\b", r"\ba quoi (?:ca |cela )?(?:sert|servirait|bon)\b",
        r"\bquel(?:s|le|les)? (?:interet|avantage|benefice)s?\b", r"\ben quoi\b",
        r"\bca (?:nous |vous )?(?:apporte|rapporte|sert)\b", r"\binteret\b", r"\bapport\w*",
        r"\brapport(?:e|ent|er|era|erait|eraient)\b",
    )),
    ("eligibility", (
        r"\b(?:peut|peuvent|pourrait|pourraient|puis|pouvons|pouvez|peux)(?:[- ]t)?"
        r"(?:[- ](?:il|elle|ils|elles|on|nous|vous|je))?(?: \w+){0,3} "
        r"(?:participer|candidater|postuler|concourir|inscrire|pretendre|etre (?:candidat|labellis)\w*|"
        r"(?:avoir|obtenir|recevoir|decrocher) (?:le|ce|votre) label)\b",
        r"\beligib\w*", r"\bouvert(?:e|s|es)? (?:a|aux)\b", r"\breserve(?:e|s|es)? (?:a|aux)\b",
        r"\b(?:a|ont|avoir) le droit\b", r"\bqui peu(?:t|vent)\b", r"\bsuffi(?:t|sant|sante)\b",
        r"\b(?:faut il|doit on|devons nous) etre\b", r"\bobligatoire\b", r"\bcondition\w*", r"\bprerequis\b",
    )),
    # Whether the asker's own collectivité already is something: "sommes-nous un TNL ?", "ça fait de nous
    # un territoire numérique libre ?", "peut-on se dire…".
    ("self", (
        rf"\b(?:sommes[- ]nous|suis[- ]je|serions[- ]nous|est[- ]on) {_ALREADY}(?:un|une|des)\b",
        rf"\b(?:on est|nous sommes|je suis|on serait|nous serions) {_ALREADY}(?:un|une|des)\b(?: \w+){{0,6}}"
        r"(?: ,? \w+){0,3} ?\?",
        r"\b(?:fait|font|ferait|feraient) (?:deja )?de nous\b",
        r"\b(?:se|nous|me) (?:dire|considerer|revendiquer|reconnaitre|qualifier|proclamer|declarer|presenter comme)\b",
        r"\bnous (?:rangent|classent|placent)\b",
        # "jsp si on est un territoire numerique libre", "comment savoir si on est TNL".
        rf"\bsi (?:on est|nous sommes|je suis|(?:notre|ma) \w+(?: de communes)? est) {_ALREADY}(?:un |une )?"
        r"(?:tnl|territoires? numeriques? libres?)\b",
    )),
    (ADVICE, (
        rf"\bquel(?:le)?s? {_SOFTWARE}\b(?: \w+){{0,4}} (?:pour|utiliser|choisir|remplacer|installer)\b",
        r"\b(?:recommand|conseill)\w*(?: \w+){0,4} (?:logiciels?|outils?|solutions?|prestataires?|applications?)\b",
        r"\bcomment (?:\w+ ){0,2}(?:installer|migrer|configurer|parametrer|securiser|convertir|mettre a jour|heberger"
        rf"|sauvegarder|deployer|basculer|passer)\b(?: \w+){{0,5}} (?:vers|en|sous|a|de|sur) {_IT_TARGETS}\b",
        rf"\bcomment (?:\w+ ){{0,2}}{_IT_VERBS}\b",
    )),
)
# "combien" closing a question about how many there are ("y en a combien", "on est combien à l'avoir").
_COUNT_AFTER_RE = re.compile(
    r"\b(?:en (?:a|ont|avez|avons|compte\w*|existe)|on est|vous etes|ils sont|nous sommes|labellise\w*|"
    r"recompense\w*|distingue\w*) combien\b(?! (?:de |d |ca |cela |coute))"
)
# A verb of paying before "combien" ("ça coûte combien de participer", "ça nous revient à combien").
_COST_BEFORE_RE = re.compile(r"\b(?:cout\w*|revient|reviendr\w*|payer|paye|facture\w*)(?: a)? combien\b")
_THRESHOLD_RE = re.compile(
    r"\ba partir de quand (?:on|une|un|notre|nous|ma|mon|peut|est|devient|sommes|considere|faut)\b")
_INTENT_RES = tuple((name, re.compile("|".join(alternatives))) for name, alternatives in _INTENT_PATTERNS)
_HOW_MANY_RE = re.compile(r"\bhow (many|much)\b")
_INTENT_TOKEN_RE = re.compile(r"[a-z0-9]+|[.?!;:,(]")
_ACCENTED_OU_RE = re.compile(
    r"\bo[ùû]\b\s+(?!(?:trouver|voir|consulter|récupérer|recuperer|télécharger|telecharger|obtenir|lire)\b)",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def detect_intents(text: str) -> frozenset[str]:
    """The intents (``INTENTS`` and ``ADVICE``) of a question, read from its question words."""
    if not text:
        return frozenset()
    folded = _HOW_MANY_RE.sub(lambda m: "combien de" if m.group(1) == "many" else "combien", fold(text))
    plain = " ".join(_INTENT_SMS.get(t, t) for t in _INTENT_TOKEN_RE.findall(folded))
    plain = re.sub(r" ([.?!;:,(])", r"\1", plain)
    found = {name for name, pattern in _INTENT_RES if pattern.search(plain)}
    if _COUNT_AFTER_RE.search(plain):  # "vous en avez labellisé combien ?": a number of them, not a price
        found = (found - {"cost"}) | {"count"}
    if _COST_BEFORE_RE.search(plain):  # "ça coûte combien de participer ?": a price, not a number
        found = (found - {"count"}) | {"cost"}
    if _THRESHOLD_RE.search(plain):  # "à partir de quand une collectivité est-elle…": a condition, not a date
        found = (found - {"date"}) | {"eligibility"}
    if _ACCENTED_OU_RE.search(text):
        found.add("place")
    return frozenset(found)
