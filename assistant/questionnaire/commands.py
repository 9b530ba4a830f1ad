"""Command line: ``assistant questionnaire import|export`` and ``assistant check MESSAGE.eml``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from pathlib import Path

from assistant.config import Settings
from assistant.documents.model import DocumentContent, DocumentError
from assistant.documents.text import decode_text
from assistant.questionnaire.answers import BODY_SOURCE, content_from_html, content_from_text, extract_answers
from assistant.questionnaire.completeness import Verdict, by_volet, check
from assistant.questionnaire.export import FORMATS, default_filename, render_form
from assistant.questionnaire.importer import import_document
from assistant.questionnaire.model import (
    Questionnaire,
    QuestionnaireError,
    load_questionnaire,
    load_questionnaire_file,
    questionnaire_to_toml,
)

# ---------------------------------------------------------------------------
# Reading a message


@dataclass
class MessageContents:
    """What a message offers to the extractor, and the attachments that could not be read."""

    contents: list[DocumentContent] = field(default_factory=list)
    unreadable: list[dict[str, str]] = field(default_factory=list)  # {"filename", "reason"}


def decode_part(part: Message) -> str:
    """A text part's content; unknown or wrong charsets are common, so decode with a fallback chain."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload() or "")
    return decode_text(payload, part.get_content_charset())


def _read_attachment(filename: str, content_type: str, data: bytes) -> DocumentContent:
    from assistant.documents.readers import read_document

    return read_document(filename, content_type, data)


def message_contents(message: Message, *, depth: int = 0) -> MessageContents:
    """The body (plain text, else HTML) and each attachment, read into contents."""
    result = MessageContents()
    body_part = None
    if isinstance(message, EmailMessage):
        body_part = message.get_body(preferencelist=("plain", "html"))
    if body_part is not None:
        source = BODY_SOURCE if depth == 0 else f"{BODY_SOURCE} (message joint)"
        text = decode_part(body_part)
        if body_part.get_content_type() == "text/html":
            result.contents.append(content_from_html(text, source))
        else:
            result.contents.append(content_from_text(text, source))
    for part in message.walk():
        if part is message or part is body_part or part.is_multipart():
            continue
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and depth < 2:
                sub = message_contents(inner[0], depth=depth + 1)
                result.contents += sub.contents
                result.unreadable += sub.unreadable
            continue
        if not filename and disposition != "attachment":
            continue  # the other alternative of the body, inline images…
        name = filename or "pièce jointe sans nom"
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            result.unreadable.append({"filename": name, "reason": "pièce jointe illisible"})
            continue
        try:
            content = _read_attachment(name, part.get_content_type(), data)
        except DocumentError as exc:
            result.unreadable.append({"filename": name, "reason": exc.reason})
            continue
        content.filename = name
        result.contents.append(content)
    return result


def check_message(raw: bytes, questionnaire: Questionnaire) -> tuple[Verdict, MessageContents]:
    """The verdict for one raw message, without touching any store."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    contents = message_contents(message)
    return check(questionnaire, extract_answers(questionnaire, contents.contents)), contents


# ---------------------------------------------------------------------------
# Reports


def _short(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def render_report(questionnaire: Questionnaire, verdict: Verdict, unreadable: list[dict[str, str]]) -> str:
    """A readable French report per volet: ✔ answered, ✘ missing, ⚠ invalid."""
    lines = [f"Candidature — édition {questionnaire.edition}"]
    if verdict.complete:
        lines.append("Dossier COMPLET : toutes les questions obligatoires ont une réponse valable.")
    else:
        lines.append(
            f"Dossier INCOMPLET : {len(verdict.missing)} réponse(s) obligatoire(s) manquante(s), "
            f"{len(verdict.invalid)} réponse(s) à corriger."
        )
    for item in unreadable:
        lines.append(f"⚠ Pièce jointe illisible : {item['filename']} — {item['reason']}")
    for report in by_volet(questionnaire, verdict):
        lines += ["", f"{report.volet.id}. {report.volet.title}"]
        for it in report.items:
            q = it.question
            head = f"{q.id} {_short(q.display_text(), 70)}"
            if it.status == "répondu":
                lines.append(f"  ✔ {head}")
                lines.append(f"      → {_short(it.answer)}  [{it.source}]")
            elif it.status == "manquant":
                lines.append(f"  ✘ {head} — réponse obligatoire manquante")
            elif it.status == "invalide":
                lines.append(f"  ⚠ {head} — {it.reason}")
                lines.append(f"      → {_short(it.answer)}  [{it.source}]")
            else:
                lines.append(f"  · {head} — facultative, sans réponse")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Sub-commands


def _load(args: argparse.Namespace, settings: Settings) -> Questionnaire:
    path = getattr(args, "questionnaire_file", None)
    if path is not None:
        return load_questionnaire_file(path)
    return load_questionnaire(args.edition or settings.edition.active)


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    try:
        questionnaire = _load(args, settings)
        raw = Path(args.message).read_bytes()
    except QuestionnaireError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Erreur : {args.message} : {exc.strerror or exc}", file=sys.stderr)
        return 2
    verdict, contents = check_message(raw, questionnaire)
    if args.json:
        data = verdict.to_dict()
        data["unreadable"] = contents.unreadable
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(render_report(questionnaire, verdict, contents.unreadable))
    return 0 if verdict.complete else 1


def _date_arg(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date AAAA-MM-JJ attendue, pas {value!r}") from None


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    dates = {"opens": args.opens, "closes": args.closes, "ceremony": args.ceremony}
    try:
        questionnaire = import_document(Path(args.document), edition=args.edition, title=args.title, dates=dates)
    except QuestionnaireError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"Erreur : {args.document} : {exc.strerror or exc}", file=sys.stderr)
        return 2
    text = questionnaire_to_toml(questionnaire, args.comment or ())
    if args.output is None or str(args.output) == "-":
        sys.stdout.write(text)
    else:
        out = Path(args.output)
        if out.exists() and not args.force:
            print(f"Erreur : {out} existe déjà (ajoutez --force pour le remplacer)", file=sys.stderr)
            return 2
        out.write_text(text, encoding="utf-8")
        mandatory = len(questionnaire.mandatory_ids())
        print(
            f"{out} : édition {questionnaire.edition}, {len(questionnaire.volets)} volets, "
            f"{len(questionnaire.questions())} questions dont {mandatory} obligatoires",
            file=sys.stderr,
        )
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    try:
        questionnaire = _load(args, settings)
    except QuestionnaireError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    data = render_form(questionnaire, args.format, settings.label.address)
    if str(args.output) == "-":
        if args.format in ("odt", "docx"):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data.decode("utf-8"))
        return 0
    out = Path(args.output) if args.output else Path(default_filename(questionnaire, args.format))
    out.write_bytes(data)
    print(f"Formulaire écrit dans {out}", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``questionnaire`` (import, export) and ``check`` to the command line."""
    parser = subparsers.add_parser(
        "questionnaire", help="listes de questions : importer la liste publiée, exporter le formulaire"
    )
    sub = parser.add_subparsers(dest="questionnaire_command", metavar="ACTION", required=True)

    imp = sub.add_parser("import", help="construire le fichier TOML d'une édition depuis la liste publiée")
    imp.add_argument("document", help="liste des questions (Markdown, texte, ODT, DOCX ou PDF)")
    imp.add_argument("-o", "--output", help="fichier TOML à écrire (par défaut : sortie standard)")
    imp.add_argument("--edition", help="édition (par défaut : l'année trouvée dans le titre)")
    imp.add_argument("--title", help="titre de la liste (par défaut : celui du document)")
    imp.add_argument("--opens", type=_date_arg, help="ouverture des candidatures (AAAA-MM-JJ)")
    imp.add_argument("--closes", type=_date_arg, help="date limite des candidatures (AAAA-MM-JJ)")
    imp.add_argument("--ceremony", type=_date_arg, help="date de la cérémonie (AAAA-MM-JJ)")
    imp.add_argument("--comment", action="append", help="commentaire ajouté en tête du fichier (répétable)")
    imp.add_argument("--force", action="store_true", help="remplacer le fichier de sortie s'il existe")
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser("export", help="écrire le formulaire vierge à remplir par les collectivités")
    exp.add_argument("--format", choices=FORMATS, default="odt", help="format du formulaire (défaut : odt)")
    exp.add_argument("-o", "--output", help="fichier à écrire (« - » : sortie standard)")
    exp.add_argument("--edition", help="édition (par défaut : l'édition active de la configuration)")
    exp.add_argument("--questionnaire-file", type=Path, help=argparse.SUPPRESS)
    exp.set_defaults(func=cmd_export)

    chk = subparsers.add_parser("check", help="vérifier une candidature (fichier .eml) sans rien enregistrer")
    chk.add_argument("message", help="message au format .eml")
    chk.add_argument("--edition", help="édition (par défaut : l'édition active de la configuration)")
    chk.add_argument("--json", action="store_true", help="résultat en JSON")
    chk.add_argument("--questionnaire-file", type=Path, help=argparse.SUPPRESS)
    chk.set_defaults(func=cmd_check)
