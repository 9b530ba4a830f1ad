"""Decide what an incoming message is, rule by rule.

Each rule is a small function ``(message, context) -> Verdict | None``; the first rule
that returns a verdict wins. The order matters: mail that must never be answered
(our own, bounces, automatic mail, lists) is recognised before anything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.mail.parse import ParsedMessage

# Categories. The first four are never answered.
OWN = "own"
BOUNCE = "bounce"
AUTOMATIC = "automatic"
LIST = "list"
FOLLOWUP = "followup"
CANDIDATURE = "candidature"
QUESTION = "question"
OTHER = "other"

NEVER_ANSWERED = frozenset({OWN, BOUNCE, AUTOMATIC, LIST})

DOSSIER_TAG_RE = re.compile(r"\[(TNL-\d{4}-\d{4,})\]", re.IGNORECASE)


@dataclass(frozen=True)
class ThreadLink:
    """A known conversation the message belongs to."""

    thread_id: int | None  # root message of the conversation in our store
    dossier_tag: str | None = None
    via: str = ""  # "In-Reply-To", "References", "tag"


@dataclass
class ClassifyContext:
    own_addresses: set[str]
    find_thread: Callable[[ParsedMessage], ThreadLink | None] = lambda _msg: None
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    category: str
    reason: str
    thread: ThreadLink | None = None

    @property
    def answerable(self) -> bool:
        return self.category not in NEVER_ANSWERED


Rule = Callable[[ParsedMessage, ClassifyContext], Verdict | None]

_DAEMON_LOCALPARTS = ("mailer-daemon", "postmaster", "mail-daemon")
_NOREPLY_RE = re.compile(r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|ne[-_.]?pas[-_.]?repondre|bounces?)([+\-_.].*)?$")


_BOUNCE_SUBJECT_RE = re.compile(
    r"undeliver|delivery status|non remis|échec de (la )?remise|returned mail|failure notice", re.IGNORECASE
)


def _localpart(address: str) -> str:
    return address.split("@", 1)[0].lower()


def rule_own_address(msg: ParsedMessage, ctx: ClassifyContext) -> Verdict | None:
    if msg.from_addr and msg.from_addr.lower() in ctx.own_addresses:
        return Verdict(OWN, f"expéditeur {msg.from_addr} : une de nos adresses")
    return None


def rule_delivery_report(msg: ParsedMessage, _ctx: ClassifyContext) -> Verdict | None:
    """RFC 3464 DSN (multipart/report; report-type=delivery-status) or a daemon's plain bounce."""
    if msg.content_type == "multipart/report":
        return Verdict(BOUNCE, "rapport de remise (multipart/report)")
    from_daemon = _localpart(msg.from_addr) in _DAEMON_LOCALPARTS or not msg.from_addr
    if from_daemon and (msg.header("X-Failed-Recipients") or _BOUNCE_SUBJECT_RE.search(msg.subject)):
        return Verdict(BOUNCE, f"avis de non-remise de {msg.from_addr or 'expéditeur vide'}")
    return None


def rule_auto_submitted(msg: ParsedMessage, _ctx: ClassifyContext) -> Verdict | None:
    value = (msg.header("Auto-Submitted") or "").strip().lower()
    if value and not value.startswith("no"):
        return Verdict(AUTOMATIC, f"Auto-Submitted: {value}")
    return None


def rule_autoreply_headers(msg: ParsedMessage, _ctx: ClassifyContext) -> Verdict | None:
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        value = msg.header(name)
        if value is not None:
            return Verdict(AUTOMATIC, f"en-tête {name}: {value.strip()}")
    return None


def rule_precedence(msg: ParsedMessage, _ctx: ClassifyContext) -> Verdict | None:
    value = (msg.header("Precedence") or "").strip().lower()
    if value in ("bulk", "junk"):
        return Verdict(AUTOMATIC, f"Precedence: {value}")
    if value == "list":
        return Verdict(LIST, "Precedence: list")
    return None


def rule_mailing_list(msg: ParsedMessage, _ctx: ClassifyContext) -> Verdict | None:
    for name in ("List-Id", "List-Unsubscribe", "List-Post"):
        if msg.header(name):
            return Verdict(LIST, f"liste de diffusion ({name})")
    return None


def rule_robot_sender(msg: ParsedMessage, _ctx: ClassifyContext) -> Verdict | None:
    local = _localpart(msg.from_addr)
    if local in _DAEMON_LOCALPARTS:
        return Verdict(AUTOMATIC, f"expéditeur automatique {msg.from_addr}")
    if _NOREPLY_RE.match(local):
        return Verdict(AUTOMATIC, f"expéditeur sans réponse {msg.from_addr}")
    if not msg.from_addr:
        return Verdict(AUTOMATIC, "aucune adresse d'expéditeur exploitable")
    return None


def rule_known_thread(msg: ParsedMessage, ctx: ClassifyContext) -> Verdict | None:
    link = ctx.find_thread(msg)
    if link is not None:
        return Verdict(FOLLOWUP, f"suite d'un échange connu ({link.via})", thread=link)
    return None


_CANDIDATURE_SUBJECT_RE = re.compile(r"candidat|questionnaire|dossier", re.IGNORECASE)
_NUMBERED_ANSWER_RE = re.compile(r"^\s*(?:q(?:uestion)?\s*)?[0-5]\.(?:10|[1-9])\b", re.IGNORECASE | re.MULTILINE)
_DOCUMENT_EXTENSIONS = (".odt", ".docx", ".pdf", ".ods", ".xlsx", ".csv", ".doc", ".xls", ".rtf")


def rule_candidature(msg: ParsedMessage, _ctx: ClassifyContext) -> Verdict | None:
    """A filled questionnaire: numbered answers in the body, or a document with a candidature subject."""
    numbered = len(_NUMBERED_ANSWER_RE.findall(msg.text or ""))
    if numbered >= 3:
        return Verdict(CANDIDATURE, f"{numbered} réponses numérotées dans le corps")
    documents = [a for a in msg.attachments if a.filename.lower().endswith(_DOCUMENT_EXTENSIONS)]
    if documents and _CANDIDATURE_SUBJECT_RE.search(msg.subject):
        return Verdict(CANDIDATURE, f"pièce jointe {documents[0].filename} et objet « {msg.subject} »")
    if documents and _CANDIDATURE_SUBJECT_RE.search(msg.text or ""):
        return Verdict(CANDIDATURE, f"pièce jointe {documents[0].filename} annoncée comme candidature")
    return None


_QUESTION_WORDS_RE = re.compile(
    r"\b(comment|combien|pourquoi|quand|quel(le)?s?|qui|où|ou trouver|est-ce|peut-on|pouvons-nous|"
    r"faut-il|doit-on|est-il|sont-ils|savoir si)\b",
    re.IGNORECASE,
)


def rule_question(msg: ParsedMessage, _ctx: ClassifyContext) -> Verdict | None:
    text = f"{msg.subject}\n{msg.text or ''}"
    if "?" in text or _QUESTION_WORDS_RE.search(text):
        return Verdict(QUESTION, "question posée dans le message")
    return None


RULES: list[Rule] = [
    rule_own_address,
    rule_delivery_report,
    rule_auto_submitted,
    rule_autoreply_headers,
    rule_precedence,
    rule_mailing_list,
    rule_robot_sender,
    rule_known_thread,
    rule_candidature,
    rule_question,
]


def classify(msg: ParsedMessage, ctx: ClassifyContext, rules: list[Rule] | None = None) -> Verdict:
    for rule in rules if rules is not None else RULES:
        verdict = rule(msg, ctx)
        if verdict is not None:
            return verdict
    return Verdict(OTHER, "aucune règle particulière")
