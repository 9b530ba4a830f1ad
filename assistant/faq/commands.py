"""``assistant faq ask``: answer FAQ questions from the command line.

Heavy modules (numpy, rapidfuzz, the index) are imported inside the command, not at
import time, because every ``assistant`` invocation imports this module to build the
parser.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from assistant.config import Settings
    from assistant.faq.matcher import FaqResult

_ZONE_LABELS = {"answer": "réponse", "suggest": "suggestions", "abstain": "je ne sais pas"}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``faq`` and its sub-commands to the main parser."""
    faq = subparsers.add_parser("faq", help="questions fréquentes : répondre à une question")
    faq_sub = faq.add_subparsers(dest="faq_command", metavar="SOUS-COMMANDE", required=True)
    ask = faq_sub.add_parser(
        "ask",
        help="répondre à une question (ou à une question par ligne lue sur l'entrée standard)",
        description="Cherche la réponse dans la FAQ du label. Sans question en argument, lit une question "
        "par ligne sur l'entrée standard et écrit un résultat par ligne.",
    )
    ask.add_argument("question", nargs="?", help="la question, entre guillemets")
    ask.add_argument("--json", action="store_true", help="sortie JSON (un objet par ligne)")
    ask.add_argument("-k", type=int, default=3, metavar="N", help="nombre d'alternatives proposées (3)")
    ask.add_argument("--faq-dir", help="dossier du corpus FAQ (par défaut : faq/ du projet)")
    ask.set_defaults(func=cmd_ask)

    unanswered = faq_sub.add_parser(
        "unanswered", help="questions restées sans réponse ou avec une réponse incertaine, pour l'équipe")
    unanswered.add_argument("--all", action="store_true", help="inclure les questions déjà traitées")
    unanswered.set_defaults(func=cmd_unanswered)
    add = faq_sub.add_parser(
        "add-phrasing", help="ajouter une question reçue comme formulation d'une entrée de la FAQ",
        description="Ajoute le texte de la question reçue n° QUESTION aux formulations (phrasings) de l'entrée "
        "ENTREE du corpus, puis marque la question comme traitée.")
    add.add_argument("question_id", type=int, metavar="QUESTION", help="numéro donné par « faq unanswered »")
    add.add_argument("entry_id", metavar="ENTREE", help="identifiant de l'entrée (nom du fichier sans .toml)")
    add.add_argument("--faq-dir", help="dossier du corpus FAQ (par défaut : faq/ du projet)")
    add.set_defaults(func=cmd_add_phrasing)
    off_topic = faq_sub.add_parser(
        "hors-champ", help="noter une question reçue comme hors du champ de la FAQ (l'équipe y répond)",
        description="Ajoute le texte de la question reçue n° QUESTION à faq/hors-champ.txt, puis la marque comme "
        "traitée : l'assistant s'abstiendra plus volontiers sur les questions qui lui ressemblent.")
    off_topic.add_argument("question_id", type=int, metavar="QUESTION", help="numéro donné par « faq unanswered »")
    off_topic.add_argument("--faq-dir", help="dossier du corpus FAQ (par défaut : faq/ du projet)")
    off_topic.set_defaults(func=cmd_off_topic)
    resolve = faq_sub.add_parser("resolve", help="marquer une question reçue comme traitée par l'équipe")
    resolve.add_argument("question_id", type=int, metavar="QUESTION")
    resolve.add_argument("--note", default="répondu par l'équipe", help="ce qui a été fait")
    resolve.set_defaults(func=cmd_resolve)


def result_to_json(result: FaqResult) -> dict[str, Any]:
    """The JSON shape of one result; ``answer`` is null unless the zone is "answer"."""
    best = result.best
    return {
        "question": result.question,
        "zone": result.zone,
        "reason": result.reason or None,
        "answer": best.entry.answer if best and result.zone == "answer" else None,
        "id": best.entry.id if best else None,
        "entry_question": best.entry.question if best else None,
        "score": round(best.score, 4) if best else 0.0,
        "alternatives": [
            {"id": m.entry.id, "question": m.entry.question, "score": round(m.score, 4)}
            for m in result.alternatives
        ],
    }


def format_result(result: FaqResult) -> str:
    """Human-readable French answer for one question."""
    lines = [f"Question : {result.question}"]
    best = result.best
    if result.zone == "answer" and best:
        lines.append(f"Réponse (« {best.entry.question} », confiance {best.score:.2f}, fiche {best.entry.id}) :")
        lines.append("")
        lines.append(best.entry.answer)
        if result.alternatives:
            lines.append("")
            lines.append("Voir aussi :")
            lines.extend(f"  - {m.entry.question} ({m.entry.id}, {m.score:.2f})" for m in result.alternatives)
    elif result.zone == "suggest" and best:
        lines.append("Je ne suis pas certain de la réponse. Vouliez-vous demander :")
        for m in [best, *result.alternatives]:
            lines.append(f"  - {m.entry.question} ({m.entry.id}, confiance {m.score:.2f})")
    else:
        lines.append("Je ne sais pas répondre à cette question à partir de la FAQ : l'équipe du label répondra.")
    return "\n".join(lines)


def format_line(result: FaqResult) -> str:
    """One-line summary used when questions come from standard input."""
    best = result.best
    label = _ZONE_LABELS.get(result.zone, result.zone)
    if best is None:
        return f"{result.question}\t{label}"
    return f"{result.question}\t{label}\t{best.entry.id}\t{best.score:.2f}"


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.faq.corpus import FaqCorpusError, load_corpus
    from assistant.faq.index_cache import cached_matcher

    try:
        corpus = load_corpus(args.faq_dir)
    except FaqCorpusError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    matcher = cached_matcher(corpus)  # the built index is cached on disk: see index_cache
    k = max(0, args.k)
    from_stdin = args.question is None
    questions = [line.strip() for line in sys.stdin if line.strip()] if from_stdin else [args.question]
    for question in questions:
        result = matcher.ask(question, k=k)
        if args.json:
            print(json.dumps(result_to_json(result), ensure_ascii=False))
        elif args.question is not None:
            print(format_result(result))
        else:
            print(format_line(result))
    return 0


def cmd_unanswered(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.faq.log import unanswered
    from assistant.store.database import Database

    with Database(settings.store.path) as db:
        items = unanswered(db, include_resolved=args.all)
    if not items:
        print("Aucune question en attente.")
        return 0
    for q in items:
        zone = _ZONE_LABELS.get(q.zone, q.zone) + (" ; jugée inutile" if q.feedback == "non" else "")
        print(f"#{q.id}\t{q.asked_at:%Y-%m-%d %H:%M}\t{q.channel}\t{q.asker or '?'}\t[{zone}]\t{q.question}")
        close = [q.entry_id, *q.alternatives] if q.entry_id else q.alternatives
        if close:
            print(f"\tentrées proches : {', '.join(close)}  →  assistant faq add-phrasing {q.id} {close[0]}")
        if not q.resolved_at:
            print(f"\thors du champ de la FAQ  →  assistant faq hors-champ {q.id}")
        if q.resolved_at:
            print(f"\ttraitée le {q.resolved_at:%Y-%m-%d} : {q.resolution}")
    return 0


def _file_received_question(
    settings: Settings, question_id: int, edit: Callable[[str], bool], resolution: str,
) -> bool | None:
    """Apply ``edit`` to the text of received question ``question_id`` and mark it as handled:
    whether ``edit`` changed a file, None (after saying why) when nothing was done."""
    from assistant.faq.corpus_edit import CorpusEditError
    from assistant.faq.log import get_question, resolve
    from assistant.store.database import Database

    with Database(settings.store.path) as db:
        question = get_question(db, question_id)
        if question is None:
            print(f"Question #{question_id} inconnue", file=sys.stderr)
            return None
        try:
            changed = edit(question.question)
        except CorpusEditError as exc:
            print(f"Erreur : {exc}", file=sys.stderr)
            return None
        resolve(db, question.id, resolution)
    return changed


def cmd_add_phrasing(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from assistant.faq.corpus import default_directory
    from assistant.faq.corpus_edit import add_phrasing

    directory = Path(args.faq_dir) if args.faq_dir else default_directory()
    entry_file = directory / f"{args.entry_id}.toml"
    if not entry_file.is_file():
        print(f"Entrée inconnue : {entry_file} n'existe pas", file=sys.stderr)
        return 1
    added = _file_received_question(settings, args.question_id, lambda text: add_phrasing(entry_file, text),
                                    f"ajoutée comme formulation de {args.entry_id}")
    if added is None:
        return 1
    print(("Formulation ajoutée à " if added else "Formulation déjà présente dans ") + str(entry_file))
    return 0


def cmd_off_topic(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from assistant.faq.corpus import OFF_TOPIC_FILE, default_directory
    from assistant.faq.corpus_edit import add_off_topic

    directory = Path(args.faq_dir) if args.faq_dir else default_directory()
    if not directory.is_dir():
        print(f"Dossier du corpus FAQ introuvable : {directory}", file=sys.stderr)
        return 1
    added = _file_received_question(settings, args.question_id, lambda text: add_off_topic(directory, text),
                                    "hors du champ de la FAQ")
    if added is None:
        return 1
    print(("Question ajoutée à " if added else "Question déjà présente dans ") + str(directory / OFF_TOPIC_FILE))
    return 0


def cmd_resolve(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.faq.log import get_question, resolve
    from assistant.store.database import Database

    with Database(settings.store.path) as db:
        if get_question(db, args.question_id) is None:
            print(f"Question #{args.question_id} inconnue", file=sys.stderr)
            return 1
        resolve(db, args.question_id, args.note)
    print(f"Question #{args.question_id} marquée comme traitée.")
    return 0
